import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { compareMetric, type CompareContext } from '../src/analysis/compareMetric.js'
import type { MetricSpec } from '../src/policy/types.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import type { MetricSketch } from '../src/sketch/types.js'
import { testPolicy } from './helpers/analysis.js'

const quality: MetricSpec = testPolicy().metrics[0]!

function scores(n: number, mean: number, seed: number): MetricSketch {
  const rand = mulberry32(seed)
  const moments = emptyMoments()
  for (let i = 0; i < n; i++)
    addCluster(moments, Math.min(1, Math.max(0, mean + 0.12 * normal(rand))), 1)
  return { moments, requests: n }
}

const ctx = (over: Partial<CompareContext> = {}): CompareContext => ({
  alpha: 0.0125,
  tStar: { baseline: 30_000, canary: 300, total: 30_300 },
  minSamples: 300,
  canaryRequests: 3000,
  canaryRate: 0.5,
  ...over
})

describe('compareMetric projections', () => {
  it('counts what is still needed in canary requests, not in scored values', () => {
    // 120 of 360 canary requests carry a score: each further value costs three requests.
    const r = compareMetric(
      quality,
      scores(30_000, 0.78, 1),
      scores(120, 0.78, 2),
      ctx({ canaryRequests: 360, minSamples: 100 })
    )
    expect(r.verdict).toBe('inconclusive')
    const values = compareMetric(
      quality,
      scores(30_000, 0.78, 1),
      scores(120, 0.78, 2),
      ctx({ canaryRequests: 120, minSamples: 100 })
    )
    expect(r.needed!.samples).toBeGreaterThan(0)
    // The projection finds the time to decide to about 10% (a planning figure).
    expect(r.needed!.samples! / values.needed!.samples!).toBeGreaterThan(3 * 0.85)
    expect(r.needed!.samples! / values.needed!.samples!).toBeLessThan(3 / 0.85)
    expect(r.needed!.seconds).toBe(Math.ceil(r.needed!.samples! / 0.5))
  })

  it('below the minimum sample, says how many requests reach it', () => {
    const r = compareMetric(
      quality,
      scores(30_000, 0.78, 1),
      scores(100, 0.78, 3),
      ctx({ canaryRequests: 100 })
    )
    expect(r.verdict).toBe('inconclusive')
    expect(r.reason).toBe('needs 300 requests per arm (baseline 30000, canary 100)')
    expect(r.needed!.samples).toBeGreaterThanOrEqual(200)
  })

  it('a relative tolerance on a zero baseline says to use an absolute one', () => {
    const rate: MetricSpec = {
      ...quality,
      name: 'filtered',
      from: 'error.content_filter',
      kind: 'rate',
      better: 'lower',
      tolerance: { value: 0.1, relative: true }
    }
    const zeros = (n: number): MetricSketch => {
      const m = emptyMoments()
      for (let i = 0; i < n; i++) addCluster(m, 0, 1)
      return { moments: m, requests: n }
    }
    const r = compareMetric(rate, zeros(30_000), zeros(3000), ctx())
    expect(r.verdict).toBe('inconclusive')
    expect(r.reason).toMatch(
      /baseline is 0, so a relative change is undefined; give this metric an absolute tolerance/
    )
  })
})
