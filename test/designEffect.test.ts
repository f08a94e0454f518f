import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { designEffect } from '../src/analysis/designEffect.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { QuantileSketch } from '../src/sketch/quantileSketch.js'
import type { MetricSketch } from '../src/sketch/types.js'
import { quantileDifferenceCS } from '../src/stats/cs/quantile.js'

/**
 * Latency of `users` users with `perUser` requests each: log-latency = user effect + noise, so the
 * intra-class correlation of log-latency is userSd^2 / (userSd^2 + noiseSd^2).
 */
function clusteredLatency(
  rand: () => number,
  users: number,
  perUser: number,
  userSd: number,
  scale = 1
): MetricSketch {
  const moments = emptyMoments()
  const sketch = new QuantileSketch()
  for (let u = 0; u < users; u++) {
    const effect = userSd * normal(rand)
    let sum = 0
    for (let i = 0; i < perUser; i++) {
      const v = scale * 800 * Math.exp(effect + 0.4 * normal(rand))
      sketch.add(v)
      sum += v
    }
    addCluster(moments, sum, perUser)
  }
  return { moments, requests: users * perUser, quantiles: sketch.toJSON() }
}

describe('designEffect', () => {
  it('is 1 for independent requests and for unclustered moments', () => {
    const rand = mulberry32(1)
    const independent = clusteredLatency(rand, 4000, 1, 0)
    expect(designEffect(independent)).toBeLessThan(1.1)
    const sketch = new QuantileSketch()
    const moments = emptyMoments()
    for (let i = 0; i < 100; i++) {
      sketch.add(i + 1)
      addCluster(moments, i + 1, 1)
    }
    expect(designEffect({ moments, requests: 100, quantiles: sketch.toJSON() })).toBe(1)
  })

  it('matches Kish 1 + (m - 1) ICC for clusters of m requests, within sampling error', () => {
    // With no user effect the ICC is 0; with userSd = noiseSd it is large. Kish's formula is for
    // the value itself; for lognormal values the ICC on the raw scale is computed from the
    // lognormal moments: ICC = (e^{us^2} - 1) / (e^{us^2 + ns^2} - 1) (us, ns the log-scale sds).
    const rand = mulberry32(2)
    const us = 0.4
    const ns = 0.4
    const m = 10
    const icc = (Math.exp(us * us) - 1) / (Math.exp(us * us + ns * ns) - 1)
    const kish = 1 + (m - 1) * icc
    const measured = designEffect(clusteredLatency(rand, 3000, m, us))
    expect(kish).toBeCloseTo(5.14, 1) // python: 1 + 9 * (math.exp(.16) - 1) / (math.exp(.32) - 1)
    expect(measured).toBeGreaterThan(kish * 0.8)
    expect(measured).toBeLessThan(kish * 1.2)
  })

  it('keeps the p95 difference interval honest under heavy-user correlation (A/A)', () => {
    // 200 replicates of an A/A comparison with strongly clustered latency. Without the design
    // effect the rank-based interval is far too narrow; with it, miscoverage is within alpha.
    const alpha = 0.05
    let missWith = 0
    let missWithout = 0
    for (let rep = 0; rep < 200; rep++) {
      const rand = mulberry32(1000 + rep)
      const b = clusteredLatency(rand, 150, 40, 0.8)
      const c = clusteredLatency(rand, 150, 40, 0.8)
      const sketch = (s: MetricSketch) => QuantileSketch.fromJSON(s.quantiles!)
      const opts = { relative: true, tStar: { baseline: 6000, canary: 6000 } }
      const naive = quantileDifferenceCS(sketch(b), sketch(c), 0.95, alpha, opts)
      const adjusted = quantileDifferenceCS(sketch(b), sketch(c), 0.95, alpha, {
        ...opts,
        designEffect: { baseline: designEffect(b), canary: designEffect(c) }
      })
      if (naive.lower > 0 || naive.upper < 0) missWithout++
      if (adjusted.lower > 0 || adjusted.upper < 0) missWith++
    }
    console.log(
      `clustered A/A p95: miscoverage ${missWithout}/200 naive, ${missWith}/200 with the design effect`
    )
    expect(missWith / 200).toBeLessThanOrEqual(alpha)
    expect(missWithout).toBeGreaterThan(missWith)
  })
})
