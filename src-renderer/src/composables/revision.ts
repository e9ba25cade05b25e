import type { WorkspaceArea } from '../../../src-main/common/contract/registry'

export type Revisions = Record<WorkspaceArea, number>

export function newRevisions(): Revisions {
  return { models: 0, datasets: 0, features: 0, alignments: 0, eval: 0, mixtures: 0, maps: 0, colour: 0, all: 0 }
}

/** Counts a workspace.changed event: its area changed, and 'all' means every area did. Queries watch these counters. */
export function markChanged(revision: Revisions, area: WorkspaceArea): void {
  revision[area]++
  if (area === 'all') for (const k of Object.keys(revision) as WorkspaceArea[]) if (k !== 'all') revision[k]++
}
