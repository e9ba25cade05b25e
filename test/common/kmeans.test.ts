import { describe, expect, it } from 'vitest'
import { kmeans } from '../../src-main/common/kmeans'
import { mulberry32 } from '../../src-main/common/random'

describe('kmeans', () => {
  it('recovers well-separated clusters, deterministically for a seed', () => {
    const rnd = mulberry32(3)
    const centres = [[0, 0], [10, 0], [0, 10], [10, 10]]
    const pts: number[] = []
    const truth: number[] = []
    centres.forEach(([x, y], c) => {
      for (let i = 0; i < 40; i++) {
        pts.push(x! + rnd() - 0.5, y! + rnd() - 0.5)
        truth.push(c)
      }
    })
    const labels = kmeans(pts, truth.length, 2, 4, 1)
    // Same partition as the truth, up to renaming the clusters.
    const map = new Map<number, number>()
    truth.forEach((t, i) => {
      if (!map.has(t)) map.set(t, labels[i]!)
      expect(labels[i]).toBe(map.get(t))
    })
    expect(new Set(map.values()).size).toBe(4)
    expect([...kmeans(pts, truth.length, 2, 4, 1)]).toEqual([...labels])
  })

  it('caps k at the number of points and handles one cluster', () => {
    expect([...kmeans([0, 0, 1, 1], 2, 2, 5)].sort()).toEqual([0, 1])
    expect([...kmeans([0, 0, 1, 1, 2, 2], 3, 2, 1)]).toEqual([0, 0, 0])
  })
})
