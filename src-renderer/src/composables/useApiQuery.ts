import type { InputOf, MethodName, ResultOf } from '../../../src-main/common/api'
import type { WorkspaceArea } from '../../../src-main/common/contract/registry'
import { api } from '../api'
import { createApiQuery, type ApiQuery, type QueryOptions } from './apiQuery'
import { useBackend } from './useBackend'

/**
 * A view's data from one API method: loaded now, again when `args()` changes, and again when one of
 * `areas` changes in the workspace (the backend's workspace.changed events); stale replies are dropped.
 */
export function useApiQuery<M extends MethodName>(method: M, args: () => InputOf<M> | null, areas: readonly WorkspaceArea[], options?: QueryOptions): ApiQuery<ResultOf<M>> {
  const { state } = useBackend()
  return createApiQuery({ call: (m, a) => api.call(m, a), revision: state.revision }, method, args, areas, options)
}

export type { ApiQuery } from './apiQuery'
