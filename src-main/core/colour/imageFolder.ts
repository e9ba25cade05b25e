import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { decodeImage, type RgbImage } from '../data/image'

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg']

/**
 * Image files directly inside `dir` (not recursive) with one of `extensions` (default PNG and JPEG),
 * sorted by name. Throws when there are none. Pass ['.png'] for a folder that, like shapes-256, keeps
 * JPEG copies of some PNGs, or those images would count twice.
 */
export function listImageFiles(dir: string, extensions: readonly string[] = IMAGE_EXTENSIONS): string[] {
  const wanted = new Set(extensions.map((e) => e.toLowerCase()))
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch (e) {
    throw badInput(dir, `cannot read the image folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  const files = names.filter((f) => wanted.has(path.extname(f).toLowerCase())).sort()
  if (files.length === 0) throw badInput(dir, `no ${[...wanted].join(', ')} images in this folder`)
  return files.map((f) => path.join(dir, f))
}

/** Decodes the files one at a time (so a large folder never sits in memory whole), optionally reporting progress. */
export function* decodeImages(files: readonly string[], onImage?: (done: number, total: number) => void): Generator<RgbImage> {
  for (let i = 0; i < files.length; i++) {
    yield decodeImage(files[i]!)
    onImage?.(i + 1, files.length)
  }
}
