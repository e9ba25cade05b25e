#!/usr/bin/env node
// Opt-in: downloads onnxruntime-node's CUDA execution-provider libraries (CUDA 12 build) into
// node_modules/onnxruntime-node, on a GPU workstation with network access. The package's own install
// script does this; it is denied by default in package.json (allowScripts) because the download is
// large and fails offline. Needs an NVIDIA driver, CUDA 12 and cuDNN 9 on the machine.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const script = path.join(root, 'node_modules', 'onnxruntime-node', 'script', 'install.js')
console.error('downloading onnxruntime-node CUDA provider libraries (this needs network access)…')
const r = spawnSync(process.execPath, [script, '--onnxruntime-node-install=cuda12'], { cwd: path.dirname(path.dirname(script)), stdio: 'inherit' })
if (r.status !== 0) {
  console.error('error: the CUDA libraries could not be installed (see above); CPU inference keeps working')
  process.exit(2)
}
console.error('done. Check with: npx platonic-lab gpu')
