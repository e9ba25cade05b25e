import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { FIXTURES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

/** The Models view's layer listing says what `layers --json` says: the stream's width and the warnings. */
describe('models.layers for decoders exported with a key/value cache', () => {
  const t = tmpDir('pl-decoder-api-')
  let b: Backend
  beforeAll(() => {
    b = new Backend({ dataDir: path.join(t.dir, 'ws'), mode: 'in-process' })
  })
  afterAll(() => {
    b?.close()
    t.cleanup()
  })

  it('a merged LLaMA-style decoder: 64 wide, the stream from the embedding, no warnings', async () => {
    const m = await b.api['models.add']({ path: path.join(FIXTURES, 'decoders', 'llama-tiny-merged') })
    const l = await b.api['models.layers']({ id: m.id })
    expect(l.hiddenSize).toBe(64)
    expect(l.warnings).toEqual([])
    expect(l.residualStream[0]).toBe('/model/embed_tokens/Gather_output_0')
  })

  it('a config whose hidden size disagrees with the graph: the warnings reach the view', async () => {
    const dir = path.join(t.dir, 'wrong-width')
    fs.cpSync(path.join(FIXTURES, 'decoders', 'llama-tiny'), dir, { recursive: true })
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, hidden_size: 32, head_dim: 16 }))
    const m = await b.api['models.add']({ path: dir })
    const l = await b.api['models.layers']({ id: m.id })
    expect(l.hiddenSize).toBe(32)
    expect(l.warnings?.[0]).toBe('the token embedding is 64 wide but config.json hidden_size says 32')
  })
})
