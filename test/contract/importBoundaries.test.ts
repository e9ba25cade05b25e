import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/fixtures'

/**
 * The process boundaries of docs/ARCHITECTURE.md ("Import rules") as the project's own ESLint
 * configuration enforces them: each case lints one import line as if it were written in a file of
 * that folder, and checks whether the boundary rule rejects it. Type-only imports count too.
 */
const eslint = new ESLint({ cwd: REPO_ROOT })
const BOUNDARY_RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports'])

async function rejected(file: string, importLine: string): Promise<boolean> {
  const code = `${importLine}\nexport const used = [x]\n`
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) })
  return result!.messages.some((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
}

const cases: { file: string; line: string; rejected: boolean }[] = [
  // common: nothing outside itself, nothing Node-only (the renderer bundles it)
  { file: 'src-main/common/contract/x.ts', line: "import type { Workspace as x } from '../../core/store/workspace'", rejected: true },
  { file: 'src-main/common/x.ts', line: "import { runJob as x } from '../jobs/jobHost'", rejected: true },
  { file: 'src-main/common/x.ts', line: "import x from 'node:fs'", rejected: true },
  { file: 'src-main/common/x.ts', line: "import x from 'path'", rejected: true },
  { file: 'src-main/common/x.ts', line: "import x from 'better-sqlite3'", rejected: true },
  { file: 'src-main/common/apiSpecs/x.ts', line: "import type { MetricResult as x } from '../contract/align'", rejected: false },
  // core: the bottom layer
  { file: 'src-main/core/align/x.ts', line: "import type { JobDto as x } from '../../common/contract/jobs'", rejected: false },
  { file: 'src-main/core/align/x.ts', line: "import { startServer as x } from '../../server/httpServer'", rejected: true },
  { file: 'src-main/core/x.ts', line: "import type { X as x } from '../jobs/protocol'", rejected: true },
  { file: 'src-main/core/align/x.ts', line: "import { createReferenceBackend as x } from './referenceBackend'", rejected: false },
  { file: 'src-main/core/x.ts', line: "import { app as x } from 'electron'", rejected: true },
  // preload: electron and common only
  { file: 'src-main/preload/x.ts', line: "import { IPC_CHANNELS as x } from '../common/contract/bridge'", rejected: false },
  { file: 'src-main/preload/x.ts', line: "import { contextBridge as x } from 'electron'", rejected: false },
  { file: 'src-main/preload/x.ts', line: "import { IPC_CHANNELS as x } from '../electron/security'", rejected: true },
  { file: 'src-main/preload/x.ts', line: "import x from 'node:path'", rejected: true },
  // renderer: common only, nothing Node-only
  { file: 'src-renderer/src/views/x.ts', line: "import type { MleResult as x } from '../../../src-main/core/eval/mleBreakdown'", rejected: true },
  { file: 'src-renderer/src/views/x.ts', line: "import type { MleResult as x } from '../../../src-main/common/contract/eval'", rejected: false },
  { file: 'src-renderer/src/views/x.ts', line: "import * as x from 'onnxruntime-node'", rejected: true },
  { file: 'src-renderer/src/views/x.ts', line: "import x from 'os'", rejected: true },
  { file: 'src-renderer/src/views/x.ts', line: "import { use as x } from 'echarts/core'", rejected: false },
]

describe('import boundaries (eslint.config.js)', () => {
  it.each(cases)('$file: $line → rejected $rejected', async (c) => {
    expect(await rejected(c.file, c.line)).toBe(c.rejected)
  })
})
