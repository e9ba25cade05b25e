import { badInput } from '../../common/errors'
import { importBundle } from '../../core/features/bundle'
import { mergeShardBundles } from '../../core/features/shardBundle'
import type { Command } from '../command'

export const command: Command = {
  name: 'bundle',
  summary: 'merge shard feature bundles, or import a bundle into the workspace',
  usage: [
    'platonic-lab bundle merge OUT SHARD_DIR...   merge the bundles of every shard of one extraction',
    'platonic-lab bundle import DIR [--data DIR]  register a (merged) bundle in the workspace',
    '',
    'Shard bundles come from `extract --shard I/N --bundle DIR`. merge checks that the shards belong',
    'together (same model, dataset and settings; every shard once; every item once and in the shard its',
    'content hash puts it in; features intact) and writes one bundle of the whole in dataset order; OUT',
    'must not exist yet. import verifies a bundle and registers it, so the unsharded `extract` of the same',
    'model, dataset and settings is a cache hit. Any mismatch is exit 2 naming the shard, and nothing is',
    'written or imported.',
  ].join('\n'),
  flags: [],
  async run(ctx) {
    const [sub, ...rest] = ctx.args.positional
    if (sub === 'merge') {
      if (rest.length < 2) throw badInput('bundle merge', 'expected OUT and at least one shard bundle folder (platonic-lab bundle merge OUT SHARD_DIR...)')
      const r = mergeShardBundles(rest[0]!, rest.slice(1))
      const m = r.manifest
      const json = { out: r.out, shards: r.shards, n: m.n, layers: m.layers, dim: m.dim, key: m.key, features_sha256: m.features_sha256, runs: m.shards }
      return { json, text: `merged ${r.shards} shards into ${r.out}: ${m.n} items x ${m.layers.length} layers x ${m.dim} dims` }
    }
    if (sub === 'import') {
      if (rest.length !== 1) throw badInput('bundle import', 'expected one bundle folder (platonic-lab bundle import DIR)')
      const f = importBundle(ctx.workspace(), rest[0]!)
      const json = { feature_set: f.id, key: f.key, n: f.n, layers: f.layers, dim: f.dim, model_sha256: f.modelSha256, dataset_sha256: f.datasetSha256, pool: f.pool }
      return { json, text: `imported feature set ${f.id}: ${f.n} items x ${f.layers.length} layers x ${f.dim} dims` }
    }
    throw badInput(sub ? `bundle ${sub}` : 'bundle', 'expected the subcommand "merge" or "import"')
  },
}
