import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cacheDir, driverFingerprint, probeWebgpu, SOFTWARE_VULKAN_DRIVERS, webgpuVerdict, withoutSoftwareAdapters } from '../../../src-main/core/gpu/webgpuProbe'
import { MODELS, SHAPES } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'
import { errorLines, runCli, runCliJson } from '../../reliability/cli'

// WebGPU is probed in a child process with its output captured, the verdict cached per driver setup;
// no command but `gpu` shows Dawn's or the Vulkan driver's messages. These tests hold on any machine:
// with or without a Vulkan loader, with Mesa's drivers and no GPU (the case that printed `error:`
// lines on every command), or with a real GPU.

const t = tmpDir('pl-webgpu-')
afterAll(() => t.cleanup())

/** Lines only a WebGPU/Vulkan initialisation prints. */
const DRIVER_NOISE = /XDG_RUNTIME_DIR|Vulkan|vkEnumerate|dawn|Loader Message|While initializing adapter/i

describe('driver fingerprint and verdict cache', () => {
  it('the fingerprint is stable, and changes when a Vulkan driver manifest appears or the loader is steered', () => {
    const dataHome = path.join(t.dir, 'xdg-data')
    const env = { ...process.env, XDG_DATA_HOME: dataHome }
    const before = driverFingerprint(env)
    expect(driverFingerprint(env)).toBe(before)
    fs.mkdirSync(path.join(dataHome, 'vulkan', 'icd.d'), { recursive: true })
    fs.writeFileSync(path.join(dataHome, 'vulkan', 'icd.d', 'vendor_icd.json'), '{"file_format_version": "1.0.0", "ICD": {"library_path": "libvendor.so"}}')
    const withDriver = driverFingerprint(env)
    expect(withDriver).not.toBe(before)
    expect(driverFingerprint({ ...env, VK_DRIVER_FILES: '/elsewhere/icd.json' })).not.toBe(withDriver)
    // The exclusion of software drivers, which WebGPU sessions set in this process, is part of the
    // setup already: setting it does not make the next command probe again.
    expect(driverFingerprint(withoutSoftwareAdapters(env))).toBe(withDriver)
    expect(driverFingerprint({ ...env, VK_LOADER_DRIVERS_DISABLE: '*nvidia*' })).not.toBe(withDriver)
  })

  it('a cached verdict for the current fingerprint is reused without probing; another fingerprint probes again', () => {
    const env = { ...process.env, PLATONIC_LAB_CACHE: path.join(t.dir, 'cache') }
    const file = path.join(cacheDir(env), 'webgpu-probe.json')
    const fingerprint = driverFingerprint(env)
    // A verdict no probe would produce: served only if the cache is read rather than a probe run.
    const planted = { usable: false, reason: 'planted verdict', details: '', ms: 1, fingerprint, checkedAt: '2026-01-01T00:00:00.000Z' }
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(planted))
    expect(webgpuVerdict({ env })).toEqual(planted)
    // A different driver setup: the planted verdict is not used, a real one replaces it on disk.
    const other = { ...env, VK_DRIVER_FILES: path.join(t.dir, 'none.json') }
    const fresh = webgpuVerdict({ env: other })
    expect(fresh.reason).not.toBe('planted verdict')
    expect(fresh.fingerprint).toBe(driverFingerprint(other))
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { fingerprint: string }).fingerprint).toBe(fresh.fingerprint)
  }, 120_000)

  it('software Vulkan drivers are disabled for WebGPU unless the user steers the loader', () => {
    const env = withoutSoftwareAdapters({ PATH: '/usr/bin' })
    expect(env.VK_LOADER_DRIVERS_DISABLE).toBe(SOFTWARE_VULKAN_DRIVERS.join(','))
    expect(env.VK_LOADER_DRIVERS_DISABLE).toMatch(/lvp/)
    expect(env.VK_LOADER_DRIVERS_DISABLE).toMatch(/swiftshader/)
    expect(withoutSoftwareAdapters({ VK_LOADER_DRIVERS_SELECT: '*nvidia*' }).VK_LOADER_DRIVERS_DISABLE).toBeUndefined()
  })

  it('the probe returns a verdict with a reason when unusable, and captures what the driver printed', () => {
    const v = probeWebgpu()
    expect(typeof v.usable).toBe('boolean')
    if (!v.usable) expect(v.reason).toBeTruthy()
    else expect(v.reason).toBeNull()
    expect(v.fingerprint).toBe(driverFingerprint())
  }, 120_000)
})

describe('no driver messages outside `gpu`', () => {
  const cache = path.join(t.dir, 'cli-cache')

  it('extract with --ep auto prints no driver messages, the first time (probing) and after (cached); bad input is exactly one error line', async () => {
    const env = { PLATONIC_LAB_CACHE: cache }
    const args = ['extract', '--model', path.join(MODELS, 'vit-tiny'), '--dataset', SHAPES, '--limit', '8', '--data', path.join(t.dir, 'ws'), '--json']
    for (const round of ['probing', 'cached']) {
      const r = await runCli(args, { env })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr, round).not.toMatch(DRIVER_NOISE)
      expect(errorLines(r.stderr).errors, round).toEqual([])
      const json = JSON.parse(r.stdout) as { ep: string; skipped_eps: { ep: string; reason: string }[] }
      const webgpu = json.skipped_eps.find((s) => s.ep === 'webgpu')
      if (json.ep !== 'webgpu') expect(webgpu?.reason).toBeTruthy()
    }
    expect(fs.existsSync(path.join(cache, 'webgpu-probe.json'))).toBe(true)
    const bad = await runCli(['extract', '--model', path.join(MODELS, 'vit-tiny'), '--dataset', path.join(t.dir, 'no-such-dataset'), '--data', path.join(t.dir, 'ws')], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*no-such-dataset: dataset not found$/)])
  }, 240_000)

  it('gpu --json reports WebGPU with the probe and its details, without printing them to stderr', async () => {
    const r = await runCliJson<{ providers: { ep: string; usable: boolean; reason: string | null; details?: string | null }[] }>(['gpu'], { env: { PLATONIC_LAB_CACHE: cache } })
    expect(r.run.code, r.run.stderr).toBe(0)
    expect(r.run.stderr).not.toMatch(DRIVER_NOISE)
    const webgpu = r.json.providers.find((p) => p.ep === 'webgpu')!
    expect(webgpu).toBeDefined()
    expect(webgpu.usable || typeof webgpu.reason === 'string').toBe(true)
    expect('details' in webgpu).toBe(true)
  }, 120_000)
})
