import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseImagePreprocessing } from '../../src-main/core/data/imageProcessor'
import { checkImageSize, type ImageFit } from '../../src-main/core/features/imageFit'
import { MODELS, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')

/** vit-tiny (input [batch, 3, 32, 32]) copied with its preprocessor_config.json replaced. */
function vitWith(dir: string, pp: Record<string, unknown>): string {
  const m = path.join(dir, 'vit')
  fs.cpSync(path.join(MODELS, 'vit-tiny'), m, { recursive: true })
  fs.writeFileSync(path.join(m, 'preprocessor_config.json'), JSON.stringify(pp))
  return m
}

function extract(model: string, data: string): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'extract', '--model', model, '--dataset', SHAPES, '--limit', '4', '--data', data], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status ?? -1, stderr: r.stderr }
}

describe('image preprocessing sizes against the model input', () => {
  it('a size of 4000 on a 32 x 32 model is refused before anything runs: exit 2 naming the config', () => {
    const t = tmpDir()
    try {
      const m = vitWith(t.dir, { image_processor_type: 'ViTImageProcessor', size: { height: 4000, width: 4000 } })
      const r = extract(m, path.join(t.dir, 'ws'))
      expect(r.code).toBe(2)
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^error: .*preprocessor_config\.json: preprocessing gives 4000x4000 images \(height x width\), but .*model\.onnx declares input pixel_values as \[\?, 3, 32, 32\]/)
    } finally {
      t.cleanup()
    }
  })

  it('bad sizes in preprocessor_config.json are exit 2 naming the file, not an internal failure', () => {
    const t = tmpDir()
    try {
      for (const size of [0, -5, 2.5, { height: 32 }, 'large']) {
        const m = vitWith(t.dir, { image_processor_type: 'ViTImageProcessor', size })
        const r = extract(m, path.join(t.dir, 'ws'))
        expect(r.code, JSON.stringify(size)).toBe(2)
        expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*preprocessor_config\.json: size/)])
        fs.rmSync(m, { recursive: true })
      }
    } finally {
      t.cleanup()
    }
  })

  it('a shortest-edge resize without a crop is checked image by image, naming the config and the image', () => {
    const p = parseImagePreprocessing('pp.json', { image_processor_type: 'CLIPImageProcessor', size: { shortest_edge: 32 }, do_center_crop: false })
    const fit: ImageFit = { source: 'pp.json', model: 'model.onnx', input: 'pixel_values', shape: ['batch', 3, 32, 32] }
    expect(checkImageSize(p, fit, 'a.png', 64, 64)).toEqual([32, 32])
    expect(() => checkImageSize(p, fit, 'b.png', 64, 48)).toThrow(/^pp\.json: preprocessing gives b\.png \(64x48\) the size 32x42 \(height x width\), but model\.onnx declares input pixel_values as \[\?, 3, 32, 32\]/)
    // Dynamic axes accept any size, but a resize beyond 8192 pixels per edge (a 1-pixel-high strip) is refused.
    const dyn: ImageFit = { ...fit, shape: ['batch', 3, 'h', 'w'] }
    expect(checkImageSize(p, dyn, 'c.png', 64, 48)).toEqual([32, 42])
    expect(() => checkImageSize(p, dyn, 'strip.png', 4000, 1)).toThrow(/^pp\.json: resizing strip\.png \(4000x1\) would give 128000x32 pixels/)
  })
})
