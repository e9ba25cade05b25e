import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { CLAIM_SLOTS, plainImageFeeds, type PlainFeed } from '../../src-main/core/features/prepare'
import { inspectModel } from '../../src-main/core/onnx/modelInfo'
import { appDataDir, resolveDataDir, resourcesDir } from '../../src-main/core/paths'
import { MODELS, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  build: { asar: boolean; asarUnpack: string[]; files: string[]; extraResources: { from: string; to: string }[]; linux: { target: string[] }; win: { target: string[] }; mac: { target: string[] }; npmRebuild: boolean }
  scripts: Record<string, string>
  allowScripts: Record<string, boolean>
}

/** electron-builder's globs (minimatch subset: `**`, `*`) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*'
      i += glob[i + 2] === '/' ? 2 : 1
    } else if (c === '*') re += '[^/]*'
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Every file under the runtime dependencies (transitively) that is native code. */
function nativeFiles(): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  const visit = (name: string) => {
    if (seen.has(name)) return
    seen.add(name)
    const dir = path.join(REPO_ROOT, 'node_modules', name)
    if (!fs.existsSync(dir)) return
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name)
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') walk(p)
        } else if (/\.(node|so(\.\d+)*|dylib|dll)$/.test(e.name)) out.push(path.relative(REPO_ROOT, p).split(path.sep).join('/'))
      }
    }
    walk(dir)
    for (const dep of Object.keys(meta.dependencies ?? {})) visit(dep)
  }
  for (const dep of Object.keys(pkg.dependencies)) visit(dep)
  return out
}

describe('packaging configuration (electron-builder)', () => {
  it('builds AppImage and .deb, NSIS and dmg, with native modules rebuilt only at packaging time', () => {
    expect(pkg.build.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect(pkg.build.win.target).toContain('nsis')
    expect(pkg.build.mac.target).toContain('dmg')
    expect(pkg.build.npmRebuild).toBe(true)
    expect(pkg.scripts.dist).toMatch(/electron-builder/)
    expect(pkg.scripts.postinstall).toBeUndefined()
    expect(pkg.allowScripts).toMatchObject({ 'better-sqlite3': true, electron: false, 'onnxruntime-node': false })
  })

  it('unpacks every native binary the app loads from the asar archive', () => {
    const files = nativeFiles()
    // The two native modules the app loads must be among them (the check is not vacuous).
    expect(files.some((f) => f.includes('better-sqlite3') && f.endsWith('.node'))).toBe(true)
    expect(files.some((f) => f.includes('onnxruntime-node') && /libonnxruntime/.test(f))).toBe(true)
    const patterns = pkg.build.asarUnpack.map(globToRegExp)
    const packed = files.filter((f) => !patterns.some((re) => re.test(f)))
    expect(packed).toEqual([])
  })

  it('ships the demo resources outside the archive and the built bundles inside it', () => {
    expect(pkg.build.extraResources).toContainEqual(expect.objectContaining({ from: 'resources', to: 'resources' }))
    expect(pkg.build.files).toContain('out/**')
  })

  it('has the main, backend, job-host, preload and renderer entries after npm run build', () => {
    const out = path.join(REPO_ROOT, 'out')
    for (const f of ['main/index.js', 'main/backend.js', 'main/jobhost.js', 'preload/index.cjs', 'renderer/index.html']) expect(fs.existsSync(path.join(out, f)), f).toBe(true)
    const main = fs.readFileSync(path.join(out, 'main', 'index.js'), 'utf8')
    // The shell finds its siblings by these names; a renamed entry would break the packaged app.
    expect(main).toContain('backend.js')
    expect(main).toContain('index.cjs')
    expect(fs.readFileSync(path.join(out, 'main', 'backend.js'), 'utf8')).toContain('jobhost.js')
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).main).toBe('out/main/index.js')
  })

  it('builds the preparation worker as a bundle that starts and prepares a batch on plain Node', async () => {
    const entry = path.join(REPO_ROOT, 'out', 'main', 'prepworker.js')
    expect(fs.existsSync(entry)).toBe(true)
    // The extraction code looks for this name beside its own bundle chunk or one folder up.
    const chunks = fs.readdirSync(path.join(REPO_ROOT, 'out', 'main', 'chunks')).map((f) => fs.readFileSync(path.join(REPO_ROOT, 'out', 'main', 'chunks', f), 'utf8'))
    expect(chunks.some((c) => c.includes('prepworker.js'))).toBe(true)
    const info = inspectModel(path.join(MODELS, 'vit-tiny'))
    const image = path.join(SHAPES, 'images', '001.png')
    const w = new Worker(entry, { workerData: { spec: { kind: 'image', input: info.imageInput, image: info.image }, arraysRoot: null, claims: new SharedArrayBuffer(4 * CLAIM_SLOTS) } })
    w.postMessage({ items: [{ id: 'a', image }] })
    try {
      const answer = await new Promise<{ type: string; feeds?: PlainFeed[] }>((resolve, reject) => {
        w.on('error', reject)
        w.on('message', (m: { type: string; feeds?: PlainFeed[] }) => {
          if (m.type === 'ready') w.postMessage({ id: 0, start: 0, end: 1 })
          else resolve(m)
        })
      })
      expect(answer.type).toBe('done')
      expect(Array.from(answer.feeds![0]!.tensors[info.imageInput!]!.data as Float32Array)).toEqual(Array.from(plainImageFeeds(info.imageInput!, [{ id: 'a', image }], info.image!)[0]!.tensors[info.imageInput!]!.data as Float32Array))
    } finally {
      await w.terminate()
    }
  })
})

describe('resource and data paths', () => {
  it('finds resources in development (the repository) and in the packaged layout (process.resourcesPath)', () => {
    expect(resourcesDir()).toBe(path.join(REPO_ROOT, 'resources'))
    const t = tmpDir()
    // Simulated install: <install>/resources/app.asar (code) and <install>/resources/resources/demo (extraResources).
    const rp = path.join(t.dir, 'Platonic Lab', 'resources')
    fs.mkdirSync(path.join(rp, 'resources', 'demo', 'models'), { recursive: true })
    fs.writeFileSync(path.join(rp, 'app.asar'), '')
    expect(resourcesDir({ resourcesPath: rp })).toBe(path.join(rp, 'resources'))
    // The shell hands the same folder to its backend and job hosts through the environment.
    expect(resourcesDir({ env: { PLATONIC_LAB_RESOURCES: path.join(rp, 'resources') }, fromDir: t.dir })).toBe(path.join(rp, 'resources'))
    // An install without the extra resources falls back to searching from the code's own folder.
    const empty = path.join(t.dir, 'empty')
    fs.mkdirSync(empty)
    expect(resourcesDir({ resourcesPath: empty, fromDir: path.join(REPO_ROOT, 'src-main', 'core') })).toBe(path.join(REPO_ROOT, 'resources'))
    t.cleanup()
  })

  it('keeps settings and the default workspace in the per-user app-data folder, never in the install folder', () => {
    expect(appDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/platonic-lab')
    expect(appDataDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/platonic-lab')
    expect(appDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/platonic-lab')
    expect(appDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toContain('platonic-lab')
    expect(resolveDataDir(undefined, { PLATONIC_LAB_DATA: '/data/ws' })).toBe('/data/ws')
    expect(resolveDataDir('/flag/ws', { PLATONIC_LAB_DATA: '/data/ws' })).toBe('/flag/ws')
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/x' })).toBe(path.join('/x', 'platonic-lab', 'workspace'))
  })
})
