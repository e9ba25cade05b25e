import { runBackendSuite } from '../../align/backendSuite'
import { createOrtBackend } from '../../../../src-main/core/onnx/kernels'

// The align engineer's backend-independent suite, on the ONNX Runtime kernels with small blocks so
// the blocked paths run; tolerances loosened for float32 GEMMs.
runBackendSuite('onnx (cpu, blocks of 16)', () => createOrtBackend({ ep: 'cpu', blockRows: 16, threads: 2 }), { digits: 7, metricDigits: 4 })
runBackendSuite('onnx (cpu, in-graph top-k, blocks of 8)', () => createOrtBackend({ ep: 'cpu', blockRows: 8, topk: 'graph', threads: 2 }), { digits: 7, metricDigits: 4 })
