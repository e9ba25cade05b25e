import { ApiClient } from '../../../src-main/common/client'
import { host } from '../host'

/** The one API client of the renderer, over the transport of the host the page runs in. */
export const api = new ApiClient(host.transport)
