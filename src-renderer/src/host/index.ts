import { browserHost } from './browser'
import { selectHost } from './select'

/** The one place that decides where the page runs; everything else asks this host. */
export const host = selectHost(window.platonic, browserHost)

export type { Host, PickKind, Paper } from './host'
