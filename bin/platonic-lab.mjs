#!/usr/bin/env node
// Runs the TypeScript CLI straight from source through tsx, so `npx platonic-lab` works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api'

// onnxruntime's telemetry stays off in this process and every process it starts (see ortTelemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = '1'

register()
const { main } = await import('../src-main/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
