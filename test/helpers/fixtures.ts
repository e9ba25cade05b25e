import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root, found from this file so tests run from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The demo models, dataset and paper tables ship in resources/demo; tests use the same copies. */
export const DEMO = path.join(REPO_ROOT, 'resources', 'demo')
export const MODELS = path.join(DEMO, 'models')
export const SHAPES = path.join(DEMO, 'datasets', 'shapes-256')
export const PAPER_TABLES = path.join(DEMO, 'paper-tables')
/** Broken models exist only for tests. */
export const BROKEN_MODELS = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'broken')
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures')
