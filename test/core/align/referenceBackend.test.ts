import { runBackendSuite } from './backendSuite'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'

runBackendSuite('reference', () => createReferenceBackend())
