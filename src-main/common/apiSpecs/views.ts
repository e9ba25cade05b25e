import { s } from '../schema'
import { method } from '../apiMethod'
import { alignParams } from './align'
import { SCORE_VIEWS } from '../contract/align'
import type { ColourRun } from '../contract/colour'
import type { GpuStatus } from '../contract/gpu'
import { PAPER_SIZES } from '../contract/report'
import { MODEL_MAP_METHODS, type MapDetail, type MapSummary, type ModelMap, type NeighbourPanel } from '../contract/maps'

const id = s.string({ min: 1, max: 200 })

/** Maps, the colour experiment, reports and the GPU panel. */
export const VIEWS_API = {
  'maps.list': method(s.object({})).returns<MapSummary[]>(),
  'maps.get': method(s.object({ id })).returns<MapDetail>(),
  'maps.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  /** Each selected item's neighbours in two maps' original spaces and their overlap (by dataset index). */
  'maps.neighbours': method(s.object({ a: id, b: id, selected: s.array(s.number({ int: true, min: 0 }), { max: 5000 }) })).returns<NeighbourPanel & { missing: number[] }>(),
  /** An item's image as a data URL (PNG/JPEG as stored), for hover thumbnails. */
  'maps.thumbnail': method(s.object({ datasetId: id, index: s.number({ int: true, min: 0 }) })).returns<{ dataUrl: string | null; caption: string | null }>(),
  'maps.models': method(s.object({ modelIds: s.array(id, { max: 500 }), datasetId: id, ...alignParams, method: s.optional(s.literal(...MODEL_MAP_METHODS)), scores: s.optional(s.literal(...SCORE_VIEWS)) })).returns<
    ModelMap & { missing: string[]; modelIds: string[] }
  >(),
  'colour.latest': method(s.object({})).returns<ColourRun | null>(),
  'report.html': method(s.object({ sections: s.optional(s.array(s.string({ min: 1, max: 40 }), { max: 20 })), paper: s.optional(s.literal(...PAPER_SIZES)) })).returns<{
    html: string
    sections: string[]
  }>(),
  /** A report PDF written by a `report` job, as base64 (browser mode downloads it). */
  'report.file': method(s.object({ name: s.string({ min: 1, max: 200 }) })).returns<{ name: string; base64: string }>(),
  'gpu.status': method(s.object({})).returns<GpuStatus>(),
  'welcome.dismiss': method(s.object({})).returns<{ ok: true }>(),
} as const
