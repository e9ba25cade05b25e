import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ParsedArgs } from '../../../src-main/cli/command'
import { cliContext } from '../../helpers/cliContext'
import { command, setReportGatherer } from '../../../src-main/cli/commands/report'
import { isAppError } from '../../../src-main/common/errors'
import type { Workspace } from '../../../src-main/core/store/workspace'
import { sampleReportData } from './sampleReportData'

// The CLI `report` command with an injected gatherer (the real one reads the workspace) and a stub context.
const ctx = (flags: ParsedArgs['flags'], positional: string[] = []) => cliContext(positional, flags, () => ({}) as Workspace)

async function expectBadInput(p: Promise<unknown>, re: RegExp, code = 'BAD_INPUT') {
  try {
    await p
    throw new Error('did not throw')
  } catch (e) {
    expect(isAppError(e) ? e.code : e).toBe(code)
    expect((e as Error).message).toMatch(re)
  }
}

describe('report command', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plab-report-'))
  afterEach(() => setReportGatherer(null))

  it('declares its flags', () => {
    expect(command.name).toBe('report')
    expect(new Set(command.flags)).toEqual(new Set(['demo', 'sections', 'paper', 'out', 'html']))
    expect(command.booleanFlags).toEqual(['demo', 'force'])
  })

  it('validates flags before gathering', async () => {
    let called = 0
    setReportGatherer(() => {
      called++
      return sampleReportData()
    })
    await expectBadInput(command.run(ctx({})), /^--out: missing/)
    await expectBadInput(command.run(ctx({ out: 'r.txt' })), /^--out: expected a \.pdf file name/)
    await expectBadInput(command.run(ctx({ out: 'r.pdf', paper: 'A5' })), /^paper: expected A4 or Letter/)
    await expectBadInput(command.run(ctx({ out: 'r.pdf', sections: 'mle,nope' })), /^sections: unknown section "nope"/)
    await expectBadInput(command.run(ctx({ out: true })), /^--out: needs a value/)
    expect(called).toBe(0)
  })

  it('says clearly when no gatherer is registered', async () => {
    await expectBadInput(command.run(ctx({ html: path.join(dir, 'x.html') })), /no report data gatherer/, 'UNAVAILABLE')
  })

  it('writes the HTML with --html alone and passes --demo to the gatherer', async () => {
    let demo: boolean | undefined
    setReportGatherer((_ws, o) => {
      demo = o.demo
      return sampleReportData()
    })
    const file = path.join(dir, 'r.html')
    const r = await command.run(ctx({ html: file, demo: true, sections: 'summary,provenance', paper: 'letter' }))
    expect(demo).toBe(true)
    const json = r.json as { html: string; pdf: null; paper: string; sections: string[] }
    expect(json.html).toBe(file)
    expect(json.pdf).toBeNull()
    expect(json.paper).toBe('Letter')
    expect(json.sections).toEqual(['summary', 'provenance'])
    expect(r.text).toContain(file)
    const html = fs.readFileSync(file, 'utf8')
    expect(html).toContain('<h1>2 Provenance')
    expect(html).not.toContain('Alignment</h1>')
  })
})
