/**
 * The two pure pieces behind `gateOn: repriced` and `rollout.minPeakLoad`, against values
 * computed directly from the per-request numbers (the scenarios are in staging-checks.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { busiestHour, peakLoadCheck } from '../src/analysis/peakLoad.js'
import { repricedMoments } from '../src/analysis/repricedCost.js'
import type { RepricingSums } from '../src/sketch/evidence.js'
import { emptyQuality, type Cell, type Evidence } from '../src/sketch/evidence.js'

/** A seeded linear congruential generator, for reproducible request costs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('repricedMoments', () => {
  it('gives the mean and variance of u - h d computed request by request', () => {
    const rand = lcg(7)
    const sums: RepricingSums = { n: 0, su: 0, sd: 0, suu: 0, sdd: 0, sud: 0, sc: 0, scc: 0 }
    const h = 0.62
    const values: number[] = []
    for (let i = 0; i < 500; i++) {
      const input = 500 + rand() * 3000
      const u = (input * 2.5 + rand() * 400 * 10) / 1e6
      const d = (input * (2.5 - 1.25)) / 1e6
      values.push(u - h * d)
      sums.n++
      sums.su += u
      sums.sd += d
      sums.suu += u * u
      sums.sdd += d * d
      sums.sud += u * d
    }
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0)
    for (const deff of [1, 2.5]) {
      const m = repricedMoments(sums, h, deff)
      expect(m.n).toBe(500)
      expect(m.sx / m.sy).toBeCloseTo(mean, 12)
      expect(m.sxx - (m.sx * m.sx) / m.n).toBeCloseTo(deff * ss, 12)
      expect(m.sxy).toBe(m.sx)
    }
  })
})

const MINUTE = 60_000
const T0 = Date.parse('2026-11-02T00:00:00Z')

/** Evidence with `counts[k]` requests (split over both arms) in minute bucket k. */
function evidenceOf(counts: number[]): Evidence {
  const cells: Cell[] = []
  counts.forEach((n, k) => {
    for (const [arm, share] of [
      ['baseline', 0.7],
      ['canary', 0.3]
    ] as const) {
      const requests = Math.round(n * share)
      cells.push({
        arm,
        segment: '*',
        bucket: T0 + k * MINUTE,
        requests,
        units: 0,
        metrics: [],
        models: {},
        errors: {}
      })
    }
  })
  return {
    source: 'test',
    window: { from: T0, to: T0 + counts.length * MINUTE },
    bucketMs: MINUTE,
    metrics: [],
    unitLevel: false,
    cells,
    quality: emptyQuality()
  }
}

describe('busiestHour', () => {
  it('is the busiest run of 60 one-minute buckets, both arms together', () => {
    // 3 hours: 100 a minute, then 50 minutes at 400 starting at minute 70, then 100 again.
    const counts = Array.from({ length: 180 }, (_, k) => (k >= 70 && k < 120 ? 400 : 100))
    const peak = busiestHour(evidenceOf(counts))
    // Best hour: the 50 busy minutes plus 10 quiet ones.
    expect(peak?.perHour).toBe(50 * 400 + 10 * 100)
    const direct = Math.max(
      ...Array.from({ length: 121 }, (_, s) => counts.slice(s, s + 60).reduce((a, b) => a + b, 0))
    )
    expect(peak?.perHour).toBe(direct)
    expect(peak?.at).toBeGreaterThanOrEqual(T0 + 60 * MINUTE)
    expect(peak?.at).toBeLessThanOrEqual(T0 + 70 * MINUTE)
  })

  it('scales a window shorter than an hour to an hour, and is undefined without traffic', () => {
    expect(busiestHour(evidenceOf(Array(20).fill(100)))?.perHour).toBe(6000)
    expect(busiestHour(evidenceOf(Array(20).fill(0)))).toBeUndefined()
  })
})

describe('peakLoadCheck', () => {
  const seen = { at: '2026-11-01T14:00:00.000Z', perHour: 10_000 }
  it('blocks below the share of the busiest hour seen, and only there', () => {
    expect(peakLoadCheck(0.5, { perHour: 4_999, at: T0 }, seen).status).toBe('block')
    expect(peakLoadCheck(0.5, { perHour: 5_000, at: T0 }, seen).status).toBe('ok')
    expect(peakLoadCheck(0.5, { perHour: 12_000, at: T0 }, seen).status).toBe('ok')
    expect(peakLoadCheck(0.5, { perHour: 100, at: T0 }, undefined).status).toBe('ok')
    expect(peakLoadCheck(0.5, undefined, seen).status).toBe('ok')
  })
})
