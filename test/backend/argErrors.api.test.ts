import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { ApiClient } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import { AppError } from '../../src-main/common/errors'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

// The errors the command line prints with a flag (test/cli/flagNames.test.ts) reach the app naming the
// argument: the message starts with its name, `arg` carries it across the transport, and no `--` shows.

const t = tmpDir('pl-arg-errors-')
let backend: Backend
let client: ApiClient

beforeAll(() => {
  backend = new Backend({ dataDir: path.join(t.dir, 'ws'), mode: 'in-process', cancelGraceMs: 3000 })
  client = new ApiClient(inProcessTransport(createDispatcher(backend.api), (cb) => backend.subscribe(cb)))
})

afterAll(() => {
  backend?.close()
  t.cleanup()
})

describe('bad arguments over the API', () => {
  it('a method names the argument at fault, with its name in `arg`', async () => {
    const err = await client.call('report.html', { sections: ['summary', 'plots'] }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'BAD_INPUT', arg: 'sections', message: expect.stringMatching(/^sections: unknown section "plots" \(expected some of summary, /) })
    expect((err as AppError).message).not.toMatch(/--/)
  })

  it('a job that fails on an argument says its name, not a flag', async () => {
    const model = await client.call('models.add', { path: path.join(MODELS, 'vit-tiny') })
    const dataset = await client.call('datasets.add', { path: SHAPES })
    const job = await client.call('jobs.start', { kind: 'extract', params: { modelId: model.id, datasetId: dataset.id, layers: 'no_such_tensor', limit: 4 } })
    let done = await client.call('jobs.get', { id: job.id })
    for (let i = 0; i < 1200 && (done.state === 'queued' || done.state === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100))
      done = await client.call('jobs.get', { id: job.id })
    }
    expect(done.state).toBe('failed')
    expect(done.error).toMatch(/^layers: no output or tappable tensor named "no_such_tensor"/)
    expect(done.error).not.toMatch(/--/)
  })
})
