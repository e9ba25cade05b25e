import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, reactive, ref } from 'vue'
import { Backend } from '../../src-main/backend/appService'
import { ApiClient, type Transport } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { createApiQuery, type QuerySource } from '../../src-renderer/src/composables/apiQuery'
import { markChanged, newRevisions } from '../../src-renderer/src/composables/revision'
import { newestRequest } from '../../src-renderer/src/composables/newestRequest'
import { MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

/**
 * The queries run against a real in-process backend. Its transport can hold replies back, so a test
 * decides in which order they arrive, as a slow backend or a busy event loop would.
 */
interface Held {
  method: string
  args: unknown
  release(): void
}

let backend: Backend
let cleanup: () => void
let client: ApiClient
const held: Held[] = []
let holding = false
const calls: { method: string; args: unknown }[] = []
let datasetId = ''

beforeAll(async () => {
  const t = tmpDir()
  cleanup = t.cleanup
  backend = new Backend({ dataDir: t.dir, mode: 'in-process', cancelGraceMs: 3000 })
  const real = inProcessTransport(createDispatcher(backend.api), (cb) => backend.subscribe(cb))
  const gated: Transport = {
    async invoke(method, args) {
      calls.push({ method, args })
      if (holding) await new Promise<void>((release) => held.push({ method, args, release }))
      return real.invoke(method, args)
    },
    onEvent: real.onEvent,
  }
  client = new ApiClient(gated)
  datasetId = (await client.call('datasets.add', { path: SHAPES })).id
})
afterEach(() => {
  holding = false
  for (const h of held.splice(0)) h.release()
})
afterAll(() => {
  backend.close()
  cleanup()
})

/** A source whose revision counters follow the backend's workspace.changed events, as useBackend's do. */
function source(): QuerySource & { stop(): void } {
  const revision = reactive(newRevisions())
  const stop = client.onEvent((e) => {
    if (e.type === 'workspace.changed') markChanged(revision, e.area)
  })
  return { call: (m, a) => client.call(m, a), revision, stop }
}

async function heldCount(n: number): Promise<void> {
  await vi.waitFor(() => expect(held.length).toBe(n))
}

describe('createApiQuery', () => {
  it('keeps only the reply to the newest request, whatever order the replies arrive in', async () => {
    const src = source()
    const scope = effectScope()
    const offset = ref(0)
    holding = true
    const q = scope.run(() => createApiQuery(src, 'datasets.items', () => ({ id: datasetId, offset: offset.value, limit: 3 }), []))!
    await heldCount(1)
    expect(q.loading.value).toBe(true)
    offset.value = 5
    await heldCount(2)
    const [older, newer] = held.splice(0, 2)
    expect((older!.args as { offset: number }).offset).toBe(0)
    expect((newer!.args as { offset: number }).offset).toBe(5)

    // The newer reply first, then the older one: the older must not overwrite it.
    newer!.release()
    await vi.waitFor(() => expect(q.loading.value).toBe(false))
    expect(q.data.value!.items.map((it) => it.index)).toEqual([5, 6, 7])
    older!.release()
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'datasets.items').length).toBe(2))
    await new Promise((r) => setTimeout(r, 50))
    expect(q.data.value!.items.map((it) => it.index)).toEqual([5, 6, 7])

    // The older reply first: it is dropped and the query stays loading until the newest arrives.
    offset.value = 10
    await heldCount(1)
    offset.value = 20
    await heldCount(2)
    const [stale, fresh] = held.splice(0, 2)
    stale!.release()
    await new Promise((r) => setTimeout(r, 50))
    expect(q.loading.value).toBe(true)
    expect(q.data.value!.items.map((it) => it.index)).toEqual([5, 6, 7])
    fresh!.release()
    await vi.waitFor(() => expect(q.data.value!.items.map((it) => it.index)).toEqual([20, 21, 22]))
    expect(q.loading.value).toBe(false)
    scope.stop()
    src.stop()
  })

  it('asks again when a named area changes in the workspace, not when another does', async () => {
    const src = source()
    const scope = effectScope()
    const q = scope.run(() => createApiQuery(src, 'models.list', () => ({}), ['models']))!
    await vi.waitFor(() => expect(q.data.value).toEqual([]))
    const before = calls.filter((c) => c.method === 'models.list').length

    // Another area changing asks nothing.
    markChanged(src.revision, 'datasets')
    await nextTick()
    expect(calls.filter((c) => c.method === 'models.list').length).toBe(before)

    // Adding a model emits workspace.changed { area: 'models' }: the query reloads and shows it.
    const m = await client.call('models.add', { path: path.join(MODELS, 'vit-tiny') })
    await vi.waitFor(() => expect(q.data.value?.map((x) => x.id)).toEqual([m.id]))
    expect(calls.filter((c) => c.method === 'models.list').length).toBe(before + 1)

    // Stopped with its scope: later changes ask nothing.
    scope.stop()
    await client.call('models.remove', { id: m.id })
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.filter((c) => c.method === 'models.list').length).toBe(before + 1)
    src.stop()
  })

  it("holds the backend's error sentence instead of data, and clears it when a later request succeeds", async () => {
    const src = source()
    const scope = effectScope()
    const id = ref('no-such-dataset')
    const q = scope.run(() => createApiQuery(src, 'datasets.items', () => ({ id: id.value, limit: 1 }), ['datasets']))!
    await vi.waitFor(() => expect(q.error.value).not.toBeNull())
    expect(q.error.value).toContain('no-such-dataset')
    expect(q.data.value).toBeNull()
    expect(q.loading.value).toBe(false)
    id.value = datasetId
    await vi.waitFor(() => expect(q.data.value?.items.length).toBe(1))
    expect(q.error.value).toBeNull()
    scope.stop()
    src.stop()
  })

  it('asks nothing while the arguments are null, and reload() asks at once', async () => {
    const src = source()
    const scope = effectScope()
    const on = ref(false)
    const before = calls.length
    const q = scope.run(() => createApiQuery(src, 'datasets.list', () => (on.value ? {} : null), []))!
    await nextTick()
    expect(calls.length).toBe(before)
    expect(q.data.value).toBeNull()
    expect(q.loading.value).toBe(false)
    on.value = true
    await vi.waitFor(() => expect(q.data.value?.length).toBeGreaterThan(0))
    const n = calls.length
    await q.reload()
    expect(calls.length).toBe(n + 1)
    scope.stop()
    src.stop()
  })

  it('tells "not answered yet" from "empty", and with clearOnChange forgets the old answer as soon as the arguments change', async () => {
    const src = source()
    const scope = effectScope()
    const offset = ref(0)
    holding = true
    const q = scope.run(() => createApiQuery(src, 'datasets.items', () => ({ id: datasetId, offset: offset.value, limit: 1 }), ['datasets'], { clearOnChange: true }))!
    await heldCount(1)
    expect(q.loaded.value).toBe(false)
    held.shift()!.release()
    await vi.waitFor(() => expect(q.loaded.value).toBe(true))
    expect(q.data.value?.items[0]?.index).toBe(0)

    // A workspace change keeps the shown answer while asking again...
    markChanged(src.revision, 'datasets')
    await heldCount(1)
    expect(q.data.value?.items[0]?.index).toBe(0)
    held.shift()!.release()
    await vi.waitFor(() => expect(q.loading.value).toBe(false))

    // ...other arguments do not.
    offset.value = 1
    await heldCount(1)
    expect(q.data.value).toBeNull()
    expect(q.loaded.value).toBe(true)
    held.shift()!.release()
    await vi.waitFor(() => expect(q.data.value?.items[0]?.index).toBe(1))
    scope.stop()
    src.stop()
  })

  it('with a debounce, a burst of changes after the first load makes one request with the last arguments', async () => {
    const src = source()
    const scope = effectScope()
    const offset = ref(0)
    const q = scope.run(() => createApiQuery(src, 'datasets.items', () => ({ id: datasetId, offset: offset.value, limit: 1 }), [], { debounceMs: 20 }))!
    await vi.waitFor(() => expect(q.data.value?.items[0]?.index).toBe(0))
    const before = calls.filter((c) => c.method === 'datasets.items').length
    for (const o of [1, 2, 3]) {
      offset.value = o
      await nextTick()
    }
    await vi.waitFor(() => expect(q.data.value?.items[0]?.index).toBe(3))
    expect(calls.filter((c) => c.method === 'datasets.items').length).toBe(before + 1)
    scope.stop()
    src.stop()
  })
})

describe('newestRequest', () => {
  it('holds only for the request begun last, and for none once forgotten', () => {
    const r = newestRequest()
    const first = r.begin()
    expect(first()).toBe(true)
    const second = r.begin()
    expect([first(), second()]).toEqual([false, true])
    r.forget()
    expect(second()).toBe(false)
    const third = r.begin()
    expect(third()).toBe(true)
    // Separate guards do not interfere (the registry keeps one per list).
    const other = newestRequest().begin()
    expect([third(), other()]).toEqual([true, true])
  })
})
