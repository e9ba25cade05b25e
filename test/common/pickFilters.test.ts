import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PICK_FILE_FILTERS, PICK_KINDS, pickFilters } from '../../src-main/common/contract/bridge'
import { readEvalFile } from '../../src-main/core/eval/import/readEvalFile'
import { formatOf } from '../../src-main/core/mix/readTable'
import { tmpDir } from '../helpers/tmp'

/**
 * The desktop file dialog offers, per kind, the extensions its importer reads: a file the dialog lets
 * the user choose must not be refused for its extension, and the dialog must not hide one the importer reads.
 */
const t = tmpDir()
afterAll(() => t.cleanup())

/** The importer's extension refusal for a file of this extension (content that no format parses), or null. */
async function evalExtensionRefusal(ext: string): Promise<string | null> {
  const file = path.join(t.dir, `answers.${ext}`)
  fs.writeFileSync(file, 'not an evaluation output\n')
  try {
    await readEvalFile(file)
    return null
  } catch (e) {
    const m = (e as Error).message
    return /unsupported extension|must be \.xlsx/.test(m) ? m : null
  }
}

describe('the file dialog filters', () => {
  it('has a filter for every file kind, none for folders', () => {
    for (const kind of PICK_KINDS) {
      if (kind.endsWith('folder')) expect(pickFilters(kind), kind).toBeUndefined()
      else expect(pickFilters(kind)?.[0]?.extensions.length, kind).toBeGreaterThan(0)
    }
    expect(pickFilters('anything-else')).toBeUndefined()
  })

  it('offers for evaluation outputs exactly the extensions eval.import reads', async () => {
    for (const ext of PICK_FILE_FILTERS['eval-file'].extensions) expect(await evalExtensionRefusal(ext), ext).toBeNull()
    for (const ext of ['txt', 'onnx', 'xls']) expect(await evalExtensionRefusal(ext), ext).not.toBeNull()
    expect([...PICK_FILE_FILTERS['eval-file'].extensions].sort()).toEqual(['csv', 'json', 'jsonl', 'tsv', 'xlsx'])
  })

  it('offers for mixture tables exactly the extensions mix.import reads', () => {
    for (const ext of PICK_FILE_FILTERS['mixture-file'].extensions) expect(() => formatOf(`recipes.${ext}`), ext).not.toThrow()
    for (const ext of ['jsonl', 'xls', 'onnx']) expect(() => formatOf(`recipes.${ext}`), ext).toThrow('unsupported table format')
    expect([...PICK_FILE_FILTERS['mixture-file'].extensions].sort()).toEqual(['csv', 'json', 'tsv', 'txt', 'xlsx'])
  })
})
