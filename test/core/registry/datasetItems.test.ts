import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workspace } from '../../../src-main/core/store/workspace'
import { addDataset, datasetItems } from '../../../src-main/core/registry/datasets'
import { tmpDir } from '../../helpers/tmp'

describe('dataset items for the views', () => {
  it('are read once and re-read when the manifest changes', () => {
    const t = tmpDir()
    const ws = Workspace.open(path.join(t.dir, 'ws'))
    const file = path.join(t.dir, 'caps.jsonl')
    fs.writeFileSync(file, '{"id":"a","caption":"a red circle"}\n{"id":"b","caption":"a blue square"}\n')
    const d = addDataset(ws, file)
    expect(datasetItems(ws, d.id).items.map((i) => i.caption)).toEqual(['a red circle', 'a blue square'])
    fs.writeFileSync(file, '{"id":"a","caption":"a red circle"}\n{"id":"b","caption":"a blue square"}\n{"id":"c","caption":"a green star"}\n')
    fs.utimesSync(file, new Date(), new Date(Date.now() + 2000))
    const again = datasetItems(ws, d.id)
    expect(again.total).toBe(3)
    expect(again.items[2]!.caption).toBe('a green star')
    ws.close()
    t.cleanup()
  })
})
