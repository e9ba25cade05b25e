/**
 * One extraction in a process of its own, so its peak resident memory can be read: argv[2] is a JSON
 * `{ workspace, request }`; prints one JSON line `{ result, peak_rss_bytes }` (peak from getrusage).
 */
import { extractFeatures, type ExtractRequest } from '../src-main/core/features/extract'
import { Workspace } from '../src-main/core/store/workspace'

const { workspace, request } = JSON.parse(process.argv[2]!) as { workspace: string; request: ExtractRequest }
const ws = Workspace.open(workspace)
try {
  const result = await extractFeatures(ws, request)
  console.log(JSON.stringify({ result, peak_rss_bytes: process.resourceUsage().maxRSS * 1024 }))
} finally {
  ws.close()
}
