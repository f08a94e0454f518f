import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { legacyDesignEffect } from '../bench/quantileLegacy.js'
import { rankDesignEffect } from '../src/analysis/designEffect.js'
import type { Policy } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import { TOTAL_SEGMENT } from '../src/sketch/evidence.js'
import { EvidenceBuilder } from '../src/sketch/evidenceBuilder.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { QuantileSketch } from '../src/sketch/quantileSketch.js'
import type { MetricSketch } from '../src/sketch/types.js'
import { coarseBin, coarseEdge, RankSumsAccumulator, UnitBins } from '../src/sketch/unitRanks.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

/** Users with 1..maxRequests requests; log-value = user level (sd tau) + noise (sd sigma). */
function users(seed: number, count: number, tau: number, sigma: number, maxRequests = 200) {
  const rand = mulberry32(seed)
  return Array.from({ length: count }, () => {
    const n = Math.min(maxRequests, Math.floor(Math.exp(rand() * Math.log(maxRequests))) + 1)
    const level = tau * normal(rand)
    return Array.from({ length: n }, () => Math.exp(level + sigma * normal(rand)))
  })
}

/** The MetricSketch the evidence builder emits for these users (one cell). */
function sketchOf(data: number[][]): { m: MetricSketch; sketch: QuantileSketch } {
  const sketch = new QuantileSketch()
  const moments = emptyMoments()
  const ranks = new RankSumsAccumulator()
  let requests = 0
  for (const values of data) {
    const bins = new UnitBins()
    for (const v of values) bins.add(coarseBin(sketch.add(v)), 1)
    ranks.addUnit(bins)
    addCluster(
      moments,
      values.reduce((a, b) => a + b, 0),
      values.length
    )
    requests += values.length
  }
  const m: MetricSketch = { moments, requests, quantiles: sketch.toJSON() }
  if (data.some(v => v.length > 1)) m.unitRanks = ranks.toJSON()
  return { m, sketch }
}

/** The indicator's design effect at threshold x, straight from the raw values. */
function directDeff(data: number[][], x: number): number {
  const total = data.reduce((a, v) => a + v.length, 0)
  const below = data.map(v => v.filter(y => y <= x).length)
  const f = below.reduce((a, b) => a + b, 0) / total
  const k = data.length
  const clustered = below.reduce((a, c, i) => a + (c - f * data[i]!.length) ** 2, 0) * (k / (k - 1))
  return clustered / (total * f * (1 - f))
}

describe('rankDesignEffect', () => {
  it('is 1 without units, and for units of one request each', () => {
    const rand = mulberry32(1)
    const single = Array.from({ length: 500 }, () => [Math.exp(normal(rand))])
    const { m, sketch } = sketchOf(single)
    expect(m.unitRanks).toBeUndefined()
    expect(rankDesignEffect(m, sketch)).toBe(1)
  })

  it('equals the indicator design effect computed from the raw values at each coarse edge', () => {
    const data = users(2, 400, 0.6, 1.2)
    const { m, sketch } = sketchOf(data)
    const deff = rankDesignEffect(m, sketch)
    expect(typeof deff).toBe('function')
    const at = deff as (low: number, high: number) => number
    for (const bin of [-4, 0, 3, 6]) {
      const edge = coarseEdge(bin)
      // A range holding only this edge: the edge below and this one are considered, take the max.
      const expected = Math.max(1, directDeff(data, edge), directDeff(data, coarseEdge(bin - 1)))
      expect(at(edge * 0.999, edge)).toBeCloseTo(expected, 6)
    }
  })

  it('is the design effect of the indicator, not of the mean: heavy tails make them differ', () => {
    // Log-normal noise sigma = 2 with per-user levels: the mean's design effect is small (its
    // variance is all heavy tail), the median indicator's large (main used the former).
    const data = users(3, 1500, 0.7, 2)
    const { m, sketch } = sketchOf(data)
    const median = sketch.quantile(0.5)
    const indicator = (rankDesignEffect(m, sketch) as (lo: number, hi: number) => number)(
      median,
      median
    )
    const mean = legacyDesignEffect(m)
    expect(indicator).toBeGreaterThan(2 * mean)
    expect(indicator).toBeCloseTo(directDeff(data, median), -0.5)
  })

  it('falls back to the design effect of perfectly correlated clusters below zero', () => {
    const data = [
      [-1, -2, 3],
      [4, 5],
      [-6, 7, 8, 9]
    ]
    const { m, sketch } = sketchOf(data)
    const at = rankDesignEffect(m, sketch) as (lo: number, hi: number) => number
    expect(at(-3, 1)).toBeCloseTo((9 + 4 + 16) / 9, 12)
  })
})

describe('per-unit rank sums in the evidence', () => {
  const MINUTE = 60_000
  const FROM = Date.UTC(2026, 10, 2, 8, 0, 0)
  const TO = FROM + 60 * MINUTE

  function build(policy: Policy, rows: Record<string, unknown>[]) {
    const builder = new EvidenceBuilder({
      policy,
      window: { from: FROM, to: TO },
      now: TO,
      source: 'test'
    })
    const normalize = createNormalizer(policy)
    for (const raw of rows) {
      const r = normalize(raw)
      if (isRequestRecord(r)) builder.add(r)
    }
    return builder.finish()
  }

  const data = users(4, 60, 0.5, 1, 30)
  const rows: Record<string, unknown>[] = data.flatMap((values, u) =>
    values.map((v, i) => ({
      ts: new Date(FROM + ((u * 7 + i * 13) % 55) * MINUTE).toISOString(),
      arm: 'stable',
      user_id: `u${u}`,
      latency_ms: v * 100,
      route: u % 3 === 0 ? 'faq' : 'chat'
    }))
  )
  // Plus requests without a unit: clusters of one, not in the sums.
  rows.push({ ts: new Date(FROM).toISOString(), arm: 'stable', latency_ms: 250, route: 'faq' })
  const expected = sketchOf(data.map(v => v.map(x => x * 100))).m.unitRanks

  const bySegment: Policy['segments'] = { by: ['route'], gate: false }
  for (const segments of [undefined, bySegment]) {
    it(`match the sums over each unit's requests (${segments ? 'with' : 'without'} segments)`, () => {
      const policy = testPolicy({
        metrics: [metric('p95 latency', 'latency_ms', 'quantile', { quantile: 0.95 })],
        segments
      })
      const e = build(policy, rows)
      const total = mergeCells(
        e.cells.filter(c => c.arm === 'baseline' && c.segment === TOTAL_SEGMENT)
      )
      expect(total.metrics[0]!.unitRanks).toEqual(expected)
      expect(total.metrics[0]!.requests).toBe(rows.length)
      // Each unit's sums go to its first bucket's cell only: every cell's add up to the total.
      const cells = e.cells.filter(c => c.segment === TOTAL_SEGMENT)
      expect(cells.filter(c => c.metrics[0]!.unitRanks).length).toBeGreaterThan(1)
      if (segments) {
        const faq = mergeCells(e.cells.filter(c => c.segment === 'route=faq'))
        const faqUsers = data.filter((_, u) => u % 3 === 0).map(v => v.map(x => x * 100))
        expect(faq.metrics[0]!.unitRanks).toEqual(sketchOf(faqUsers).m.unitRanks)
      }
      // The A/A halves carry each unit's sums too.
      const halves = e.cells.flatMap(c => c.halves ?? [])
      const halfTotal = new RankSumsAccumulator()
      for (const half of halves) if (half[0]!.unitRanks) halfTotal.addSums(half[0]!.unitRanks)
      expect(halfTotal.toJSON()).toEqual(expected)
    })
  }
})
