/**
 * `npm run bench`: every benchmark in turn. `--quick` runs small sizes (a smoke test); `--only NAME`
 * (align, extract, maps, load, vlm, big, calibrate) runs one; `--ep PROVIDER` (cpu, webgpu, cuda, ...) picks the execution
 * provider for the extraction benchmark (default cpu). Figures depend on the machine and on what else
 * runs on it.
 */
import os from 'node:os'
import * as ort from 'onnxruntime-node'
import { benchAlign } from './align'
import { benchBig } from './big'
import type { EpChoice } from '../src-main/core/onnx/ep'
import { benchExtract } from './extract'
import { benchMaps } from './maps'
import { benchLoad } from './load'
import { benchVlm } from './vlm'
import { benchCalibrate } from './calibrate'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const log = (line: string) => console.log(line)
const ep = (args.includes('--ep') ? args[args.indexOf('--ep') + 1] : undefined) as EpChoice | undefined

log(`Platonic Lab benchmarks — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, onnxruntime-node ${ort.env.versions.node}${quick ? ' (quick)' : ''}`)
const sections: [string, () => Promise<unknown>][] = [
  ['align', () => benchAlign({ quick, log })],
  ['extract', () => benchExtract({ quick, log, ep })],
  ['maps', () => benchMaps({ quick, log })],
  ['load', () => benchLoad({ quick, log })],
  ['vlm', () => benchVlm({ quick, log })],
  ['big', () => benchBig({ quick, log })],
  ['calibrate', () => benchCalibrate({ quick, log })],
]
for (const [name, run] of sections) {
  if (only && only !== name) continue
  log(`\n== ${name} ==`)
  const t0 = performance.now()
  await run()
  log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`)
}
