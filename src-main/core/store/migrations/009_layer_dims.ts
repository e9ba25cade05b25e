import type { Migration } from '../migration'

/**
 * Feature sets whose layers differ in width (a CNN's stages: 64, 128, 256, 512 channels): the width of
 * each layer, as a JSON array. NULL means every layer has `dim` values, as for every set made before.
 * For a ragged set `dim` holds the largest width, and each item's stored row is its layers one after
 * another (layer l at the sum of the widths before it).
 */
const m: Migration = {
  version: 9,
  name: 'layer_dims',
  up(db) {
    db.exec('ALTER TABLE feature_sets ADD COLUMN layer_dims TEXT')
  },
}
export default m
