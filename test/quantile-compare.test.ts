import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { compareMetric, type CompareContext } from '../src/analysis/compareMetric.js'
import type { MetricSpec } from '../src/policy/types.js'
import { HistogramQuantiles } from '../src/sketch/histogram.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { QuantileSketch } from '../src/sketch/quantileSketch.js'
import type { HistogramData, MetricSketch } from '../src/sketch/types.js'
import { coarseBin, RankSumsAccumulator, UnitBins } from '../src/sketch/unitRanks.js'
import { testPolicy } from './helpers/analysis.js'

const p95: MetricSpec = testPolicy().metrics.find(m => m.kind === 'quantile')!

const ctx = (over: Partial<CompareContext> = {}): CompareContext => ({
  alpha: 0.0125,
  tStar: { baseline: 30_000, canary: 30_000, total: 60_000 },
  minSamples: 300,
  canaryRequests: 30_000,
  canaryRate: 10,
  ...over
})

/** A histogram of n log-normal(log(median), 0.5) latencies on these bounds. */
function histogram(bounds: number[], n: number, median: number, seed: number): MetricSketch {
  const rand = mulberry32(seed)
  const counts = new Array<number>(bounds.length + 1).fill(0)
  const moments = emptyMoments()
  for (let i = 0; i < n; i++) {
    const v = median * Math.exp(0.5 * normal(rand))
    const at = bounds.findIndex(b => v <= b)
    counts[at < 0 ? bounds.length : at]!++
    addCluster(moments, v, 1)
  }
  const data: HistogramData = { bounds, counts }
  return { moments, requests: n, histogram: data }
}

describe('quantiles from fixed histogram buckets', () => {
  it('bounds each order statistic by its bucket, and groups the ranks a bucket holds', () => {
    const h = new HistogramQuantiles({ bounds: [1, 2, 4], counts: [3, 0, 5, 2] })
    expect(h.rangeAtRank(3)).toEqual({ low: 0, high: 1 })
    expect(h.rangeAtRank(4)).toEqual({ low: 2, high: 4 })
    expect(h.bucketAtRank(4)).toEqual({ first: 4, last: 8 })
    expect(h.rangeAtRank(10)).toEqual({ low: 4, high: Infinity })
    expect(h.bucketAtRank(10)).toEqual({ first: 9, last: 10 })
  })

  it('says when no amount of traffic can decide: the quantiles sit in buckets wider than the tolerance', () => {
    // p95 of both arms in the bucket (1000, 2000] ms: the interval can never be narrower than
    // 1000 / 2000 - 1 .. 2000 / 1000 - 1, so a 10% tolerance is never decided.
    const bounds = [250, 500, 1000, 2000, 4000]
    const r = compareMetric(
      p95,
      histogram(bounds, 200_000, 700, 1),
      histogram(bounds, 200_000, 700, 2),
      ctx()
    )
    expect(r.verdict).toBe('inconclusive')
    expect(r.why).toEqual({ code: 'bucket-resolution' })
    expect(r.reason).toMatch(/bucket resolution, not data/)
    expect(r.method).toMatch(/histogram buckets/)
  })

  it('says when finer buckets would decide what these cannot', () => {
    // Buckets 5% apart: the floor (-4.8% .. +5%) is decisive, but at this sample the interval
    // widened to the edges still crosses the tolerance while the interpolated one would not.
    const bounds = Array.from({ length: 120 }, (_, i) => 100 * 1.05 ** i)
    const r = compareMetric(
      p95,
      histogram(bounds, 60_000, 700, 3),
      histogram(bounds, 60_000, 700, 4),
      ctx()
    )
    expect(r.verdict).toBe('inconclusive')
    expect(r.reason).toMatch(/bucket resolution, not data, keeps this inconclusive: the interval/)
  })

  it('passes when the buckets are fine enough and the data agree', () => {
    const bounds = Array.from({ length: 300 }, (_, i) => 100 * 1.02 ** i)
    const r = compareMetric(
      p95,
      histogram(bounds, 60_000, 700, 5),
      histogram(bounds, 60_000, 700, 6),
      ctx()
    )
    expect(r.verdict).toBe('pass')
    expect(r.delta.upper).toBeLessThan(0.1)
  })
})

describe('quantiles of clustered requests', () => {
  /** Users of 1..200 requests with per-user levels, as the evidence builder would sketch them. */
  function users(seed: number, count: number, scale = 1): MetricSketch {
    const rand = mulberry32(seed)
    const sketch = new QuantileSketch()
    const ranks = new RankSumsAccumulator()
    const moments = emptyMoments()
    const bins = new UnitBins()
    let requests = 0
    for (let u = 0; u < count; u++) {
      const n = Math.min(200, Math.floor(Math.exp(rand() * Math.log(200))) + 1)
      const level = 0.7 * normal(rand)
      bins.clear()
      let sum = 0
      for (let i = 0; i < n; i++) {
        const v = scale * 500 * Math.exp(level + 2 * normal(rand))
        bins.add(coarseBin(sketch.add(v)), 1)
        sum += v
      }
      ranks.addUnit(bins)
      addCluster(moments, sum, n)
      requests += n
    }
    return { moments, requests, quantiles: sketch.toJSON(), unitRanks: ranks.toJSON() }
  }

  it('widens the interval by the design effect of the rank count, which the rank sums carry', () => {
    const b = users(1, 1500)
    const c = users(2, 1500)
    const median = { ...p95, quantile: 0.5, name: 'p50' }
    const clustered = compareMetric(median, b, c, ctx())
    // The same requests read as independent (no per-unit sums, one cluster per request).
    const flat = (m: MetricSketch): MetricSketch => ({
      requests: m.requests,
      quantiles: m.quantiles!,
      moments: { ...m.moments, n: m.requests }
    })
    const independent = compareMetric(median, flat(b), flat(c), ctx())
    const width = (r: typeof clustered) => r.delta.upper - r.delta.lower
    // The median indicator's design effect here is about 10: the interval about 3x wider.
    expect(width(clustered) / width(independent)).toBeGreaterThan(2)
    expect(clustered.method).toMatch(/design effect of the rank/)
  })
})
