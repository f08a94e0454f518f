/**
 * The cache check's classification under sampling noise (issue 13, "checks that cry wolf"), by
 * seeded simulation: a prompt cache shared by both arms, whose hits come in bursts (an A/A), is
 * never called broken beyond the error rate; a canary that reads nothing is never "warming and
 * rising"; and a real warm-up and a real broken prefix are still found. Each rate is printed with
 * its 95% Wilson interval.
 */
import { describe, expect, it } from 'vitest'
import { cacheCheck } from '../src/analysis/cacheCheck.js'
import type { CompareContext } from '../src/analysis/compareMetric.js'
import type { CacheState } from '../src/analysis/types.js'
import { emptyCacheSums } from '../src/sketch/cacheSums.js'
import { TOTAL_SEGMENT, emptyQuality, type Cell, type Evidence } from '../src/sketch/evidence.js'

const BUCKET = 5 * 60_000
const FROM = Date.UTC(2026, 10, 2, 8)
const CTX: CompareContext = {
  alpha: 0.05 / 4,
  tStar: { baseline: 300, canary: 300, total: 600 },
  minSamples: 300,
  canaryRequests: 0,
  canaryRate: 0
}

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const normal = (rand: () => number) =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
const clamp = (x: number) => Math.min(0.98, Math.max(0, x))

interface Scenario {
  buckets: number
  /** Cache-hit probability of a request of `arm` in bucket k, given the bucket's shared level. */
  rate: (arm: Cell['arm'], k: number, shared: number, rand: () => number) => number
}

/**
 * Evidence of `buckets` five-minute buckets; per bucket a shared cache level (the same cache
 * serves both arms: hits come and go together), 60 baseline and 30 canary requests of about 14k
 * input tokens, each a hit (1-2k cached tokens... up to most of the prompt) with the arm's rate.
 */
function evidence(s: Scenario, seed: number): Evidence {
  const rand = rng(seed)
  const cells: Cell[] = []
  for (let k = 0; k < s.buckets; k++) {
    const shared = clamp(0.35 + 0.12 * normal(rand))
    for (const [arm, n] of [
      ['baseline', 60],
      ['canary', 30]
    ] as const) {
      const p = s.rate(arm, k, shared, rand)
      const cache = emptyCacheSums()
      for (let i = 0; i < n; i++) {
        const input = Math.round(14_000 * Math.exp(0.5 * normal(rand)))
        const read = rand() < p ? Math.round(input * (0.6 + 0.4 * rand())) : 0
        cache.requests++
        cache.reported = (cache.reported ?? 0) + 1
        if (read > 0) cache.hits++
        cache.inputTokens += input
        cache.cacheReadTokens += read
      }
      cells.push({
        arm,
        segment: TOTAL_SEGMENT,
        bucket: FROM + k * BUCKET,
        requests: n,
        units: n,
        metrics: [],
        models: {},
        errors: {},
        cache
      })
    }
  }
  return {
    source: 'simulated',
    window: { from: FROM, to: FROM + s.buckets * BUCKET },
    bucketMs: BUCKET,
    metrics: [],
    unitLevel: false,
    cells,
    quality: emptyQuality()
  }
}

function states(s: Scenario, runs: number, seed: number): CacheState[] {
  return Array.from({ length: runs }, (_, i) => {
    const found = cacheCheck(evidence(s, seed + i), [], CTX, 1)
    return found.report?.state ?? 'matched'
  })
}

/** Share of `hits` in `n` with its 95% Wilson score interval, printed for the record. */
function rate(label: string, hits: number, n: number): { p: number; upper: number } {
  const z = 1.96
  const p = hits / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  console.log(
    `${label}: ${hits}/${n} = ${(100 * p).toFixed(1)}% (95% CI ${(100 * Math.max(0, centre - half)).toFixed(1)}% to ${(100 * (centre + half)).toFixed(1)}%)`
  )
  return { p, upper: centre + half }
}

const RUNS = 200

describe('cache check: classified with sampling uncertainty', () => {
  it('a shared-cache A/A (bursty hits, each arm off the shared level by chance) is never called broken or warming beyond the error rate', () => {
    const aa: Scenario = {
      buckets: 12,
      rate: (_arm, _k, shared, rand) => clamp(shared + 0.1 * normal(rand))
    }
    const found = states(aa, RUNS, 1000)
    const broken = rate('A/A called broken', found.filter(s => s === 'broken').length, RUNS)
    const below = rate(
      'A/A called below the baseline (broken, warming or undetermined)',
      found.filter(s => s !== 'matched').length,
      RUNS
    )
    expect(broken.p).toBeLessThanOrEqual(0.02)
    expect(below.p).toBeLessThanOrEqual(0.05)
  })

  it('a canary that reads nothing from the cache is never "warming and rising": undetermined early, broken once there are buckets to tell', () => {
    for (const buckets of [3, 5, 8, 12]) {
      const cold: Scenario = {
        buckets,
        rate: (arm, _k, shared) => (arm === 'canary' ? 0 : shared + 0.25)
      }
      const found = states(cold, 50, 2000 + buckets)
      expect(found.filter(s => s === 'warming')).toEqual([])
      if (buckets >= 8) {
        rate(
          `zero-read canary, ${buckets} buckets, called broken`,
          found.filter(s => s === 'broken').length,
          50
        )
        expect(found.filter(s => s === 'broken').length).toBeGreaterThanOrEqual(45)
      }
    }
  })

  it('still finds a real warm-up, and a real broken prefix', () => {
    // A cold cache warming with a 40-minute time constant, looked at after 40 minutes.
    const warming: Scenario = {
      buckets: 8,
      rate: (arm, k, shared) =>
        arm === 'canary' ? clamp(shared + 0.3 - 0.6 * Math.exp(-k / 8)) : clamp(shared + 0.3)
    }
    const warm = states(warming, RUNS, 3000)
    const w = rate('real warm-up called warming', warm.filter(s => s === 'warming').length, RUNS)
    rate(
      'real warm-up called undetermined (holds too)',
      warm.filter(s => s === 'undetermined').length,
      RUNS
    )
    expect(w.p).toBeGreaterThanOrEqual(0.7)
    // Never "broken" (a wrong $/day claim that lets a cost fail roll back a warming canary).
    expect(warm.filter(s => s === 'broken' || s === 'matched')).toEqual([])
    // A prefix that defeats caching: the canary reads 5%, whatever the shared cache does.
    const broken = (buckets: number): Scenario => ({
      buckets,
      rate: (arm, _k, shared) => (arm === 'canary' ? 0.05 : clamp(shared + 0.3))
    })
    const hour = states(broken(12), RUNS, 4000)
    rate('broken prefix after 1 h called broken', hour.filter(s => s === 'broken').length, RUNS)
    const two = states(broken(24), RUNS, 5000)
    const found = rate(
      'broken prefix after 2 h called broken',
      two.filter(s => s === 'broken').length,
      RUNS
    )
    expect(found.p).toBeGreaterThanOrEqual(0.8)
    // Short of "broken" it is mostly undetermined (a failing cost holds); "warming" only at the
    // trend test's one-sided 5% (a chance rise), never matched.
    const both = [...hour, ...two]
    const chance = rate(
      'broken prefix called warming',
      both.filter(s => s === 'warming').length,
      both.length
    )
    expect(chance.p).toBeLessThanOrEqual(0.08)
    expect(both.filter(s => s === 'matched')).toEqual([])
  })
})
