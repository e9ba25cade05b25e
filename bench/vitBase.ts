import fs from 'node:fs'
import path from 'node:path'
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto
type Node = onnxProto.onnx.INodeProto

const FLOAT = 1
const INT64 = 7

/**
 * Writes a ViT-B/16-sized vision transformer with random weights (seeded): 224 px, 16 px patches,
 * 197 tokens, 12 pre-norm blocks of width 768 (12 heads, MLP 3072, exact GELU), a 1000-class head;
 * 86.6M parameters, 346 MB of float32. The graph goes to `graphDir/model.onnx` with a
 * preprocessor_config.json, the weights beside it as external data (`model.onnx_data`). Node names follow
 * the exporters' scopes (`/encoder/layer.N/...`), so `layers` finds the residual stream. Returns the
 * weight bytes.
 */
export function writeVitBase(dir: string, seed = 1): number {
  const D = 768
  const H = 12
  const MLP = 3072
  const L = 12
  fs.mkdirSync(dir, { recursive: true })
  const dataPath = path.join(dir, 'model.onnx_data')
  const fd = fs.openSync(dataPath, 'w')
  let offset = 0
  let s = seed >>> 0 || 1
  // xorshift32, uniform in [-a, a]: enough for finite, non-degenerate activations.
  const rand = (): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 2 ** 32 - 0.5
  }
  const initializers: onnxProto.onnx.ITensorProto[] = []
  const weight = (name: string, dims: number[], fill: 'rand' | 'zeros' | 'ones', scale = 0.04): string => {
    const n = dims.reduce((a, b) => a * b, 1)
    const data = new Float32Array(n)
    if (fill === 'rand') for (let i = 0; i < n; i++) data[i] = rand() * scale
    else if (fill === 'ones') data.fill(1)
    const bytes = Buffer.from(data.buffer)
    fs.writeSync(fd, bytes, 0, bytes.length, offset)
    initializers.push({ name, dataType: FLOAT, dims, dataLocation: 1, externalData: [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(bytes.length) }] })
    offset += bytes.length
    return name
  }
  const consts: onnxProto.onnx.ITensorProto[] = []
  const i64 = (name: string, values: number[]): string => {
    consts.push({ name, dataType: INT64, dims: [values.length], int64Data: values })
    return name
  }
  const f32 = (name: string, v: number): string => {
    consts.push({ name, dataType: FLOAT, dims: [], floatData: [v] })
    return name
  }
  const nodes: Node[] = []
  const op = (name: string, opType: string, input: string[], attrs: onnxProto.onnx.IAttributeProto[] = []): string => {
    const out = `${name}_output_0`
    nodes.push({ name, opType, input, output: [out], attribute: attrs })
    return out
  }
  const ints = (name: string, v: number[]): onnxProto.onnx.IAttributeProto => ({ name, type: 7, ints: v })
  const int = (name: string, v: number): onnxProto.onnx.IAttributeProto => ({ name, type: 2, i: v })
  const flt = (name: string, v: number): onnxProto.onnx.IAttributeProto => ({ name, type: 1, f: v })
  const linear = (scope: string, x: string, i: number, o: number): string => op(`${scope}/Add`, 'Add', [op(`${scope}/MatMul`, 'MatMul', [x, weight(`${scope}.weight`, [i, o], 'rand', 2 / Math.sqrt(i))]), weight(`${scope}.bias`, [o], 'zeros')])
  const norm = (scope: string, x: string): string => op(`${scope}/LayerNormalization`, 'LayerNormalization', [x, weight(`${scope}.weight`, [D], 'ones'), weight(`${scope}.bias`, [D], 'zeros')], [int('axis', -1), flt('epsilon', 1e-12)])

  // Patch embedding, class token, position embedding.
  const patches = op('/embeddings/patch_embeddings/projection/Conv', 'Conv', ['pixel_values', weight('patch.weight', [D, 3, 16, 16], 'rand', 0.1), weight('patch.bias', [D], 'zeros')], [ints('kernel_shape', [16, 16]), ints('strides', [16, 16])])
  const seq = op('/embeddings/Transpose', 'Transpose', [op('/embeddings/Reshape', 'Reshape', [patches, i64('patch_shape', [0, D, 196])])], [ints('perm', [0, 2, 1])])
  const first = op('/embeddings/Slice', 'Slice', [seq, i64('zero1', [0]), i64('one1', [1]), i64('axis1', [1])])
  const cls = op('/embeddings/Add_cls', 'Add', [op('/embeddings/Mul', 'Mul', [first, f32('zero', 0)]), weight('cls_token', [1, 1, D], 'rand')])
  let x = op('/embeddings/Add', 'Add', [op('/embeddings/Concat', 'Concat', [cls, seq], [int('axis', 1)]), weight('position_embeddings', [1, 197, D], 'rand')])
  const headShape = i64('head_shape', [0, 0, 3, H, D / H])
  const mergeShape = i64('merge_shape', [0, 0, D])
  for (let l = 0; l < L; l++) {
    const b = `/encoder/layer.${l}`
    const qkv = linear(`${b}/attention/qkv`, norm(`${b}/layernorm_before`, x), D, 3 * D)
    const heads = op(`${b}/attention/Transpose`, 'Transpose', [op(`${b}/attention/Reshape`, 'Reshape', [qkv, headShape])], [ints('perm', [2, 0, 3, 1, 4])])
    const [q, k, v] = [0, 1, 2].map((j) => op(`${b}/attention/Gather_${j}`, 'Gather', [heads, i64(`${b}/idx${j}`, [j])], [int('axis', 0)]))
    const sq = (t: string, j: number): string => op(`${b}/attention/Squeeze_${j}`, 'Squeeze', [t, i64(`${b}/sq${j}`, [0])])
    const scores = op(`${b}/attention/Mul`, 'Mul', [op(`${b}/attention/MatMul`, 'MatMul', [sq(q!, 0), op(`${b}/attention/Transpose_1`, 'Transpose', [sq(k!, 1)], [ints('perm', [0, 1, 3, 2])])]), f32(`${b}/scale`, 1 / Math.sqrt(D / H))])
    const ctx = op(`${b}/attention/MatMul_1`, 'MatMul', [op(`${b}/attention/Softmax`, 'Softmax', [scores], [int('axis', -1)]), sq(v!, 2)])
    const merged = op(`${b}/attention/Reshape_1`, 'Reshape', [op(`${b}/attention/Transpose_2`, 'Transpose', [ctx], [ints('perm', [0, 2, 1, 3])]), mergeShape])
    x = op(`${b}/Add`, 'Add', [x, linear(`${b}/attention/output`, merged, D, D)])
    const h = linear(`${b}/intermediate`, norm(`${b}/layernorm_after`, x), D, MLP)
    const gelu = op(`${b}/intermediate/Mul_1`, 'Mul', [op(`${b}/intermediate/Mul`, 'Mul', [h, f32(`${b}/half`, 0.5)]), op(`${b}/intermediate/Add_1`, 'Add', [op(`${b}/intermediate/Erf`, 'Erf', [op(`${b}/intermediate/Div`, 'Div', [h, f32(`${b}/sqrt2`, Math.SQRT2)])]), f32(`${b}/one`, 1)])])
    x = op(`${b}/Add_1`, 'Add', [x, linear(`${b}/output`, gelu, MLP, D)])
  }
  const pooled = op('/Gather', 'Gather', [norm('/layernorm', x), i64('cls_index', [0])], [int('axis', 1)])
  const logits = linear('/classifier', pooled, D, 1000)
  nodes.push({ name: '/Identity', opType: 'Identity', input: [logits], output: ['logits'] })
  fs.closeSync(fd)
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'platonic-lab-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'vit-base-patch16-224-random',
      input: [{ name: 'pixel_values', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch_size' }, { dimValue: 3 }, { dimValue: 224 }, { dimValue: 224 }] } } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: FLOAT } } }],
      initializer: [...consts, ...initializers],
      node: nodes,
    },
  })
  fs.writeFileSync(path.join(dir, 'model.onnx'), onnx.ModelProto.encode(model).finish())
  fs.writeFileSync(
    path.join(dir, 'preprocessor_config.json'),
    JSON.stringify({ image_processor_type: 'ViTImageProcessor', do_resize: true, size: { height: 224, width: 224 }, resample: 2, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }),
  )
  return offset
}
