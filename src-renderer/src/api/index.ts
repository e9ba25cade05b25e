import { ApiClient } from '../../../src-main/common/client'
import { httpTransport, ipcTransport } from './transports'

/** The one API client of the renderer; the transport depends on where the page runs. */
export const api = new ApiClient(window.platonic ? ipcTransport(window.platonic) : httpTransport())

/** True in the desktop window (native file dialogs and printing available). */
export const isDesktop = !!window.platonic
