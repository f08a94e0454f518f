/**
 * The betting confidence sequences (src/stats/cs/betting.ts) and the one-sided bounds of the
 * empirical-Bernstein ones (src/stats/cs/bernstein.ts, `side`): shapes and consistency here; their
 * time-uniform miss rates are the validity suite's (test/validity/betting.regimes.ts).
 */
import { describe, expect, it } from 'vitest'
import { compareMetric, type CompareContext } from '../src/analysis/compareMetric.js'
import { sketches } from '../src/judge/fold.js'
import { boundedContrastCS, boundedCS, JointRegion } from '../src/stats/cs/bernstein.js'
import {
  bettingContrastCS,
  bettingCS,
  bettingRatioCS,
  BettingRegion,
  binaryArm
} from '../src/stats/cs/betting.js'
import { mergeCells, mergeMetricSketches } from '../src/sketch/metricSketch.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import type { MetricSpec } from '../src/policy/types.js'
import type { MetricSketch } from '../src/sketch/types.js'

const UNIT = { lo: 0, hi: 1 }
const tuning = { tStar: 300 }

describe('bettingCS: one arm', () => {
  it('is wider than the fixed-n (Clopper-Pearson) interval, and narrower than empirical Bernstein', () => {
    // 50 of 100: Clopper-Pearson 95% is [0.398, 0.602].
    const bet = bettingCS(binaryArm(100, 50), UNIT, 0.05, tuning)
    const eb = boundedCS({ n: 100, sum: 50, squares: 50, designEffect: 1 }, UNIT, 0.05, tuning)
    expect(bet.lower).toBeLessThan(0.398)
    expect(bet.upper).toBeGreaterThan(0.602)
    expect(bet.upper - bet.lower).toBeLessThan(eb.upper - eb.lower)
    expect(bet.estimate).toBe(0.5)
  })

  it('never gives a zero width: no errors in 300, and 30 ties of a judge', () => {
    const none = bettingCS(binaryArm(300, 0), UNIT, 0.05, tuning)
    expect(none.lower).toBe(0)
    expect(none.upper).toBeGreaterThan(0.005)
    const ties = bettingCS({ values: [0.5], counts: [30], designEffect: 1 }, UNIT, 0.05, tuning)
    expect(ties.upper - ties.lower).toBeGreaterThan(0.2)
  })

  it('one side: only that bound, tighter than the two-sided one', () => {
    const arm = { values: [0, 0.25, 0.5, 0.75, 1], counts: [40, 60, 50, 30, 20], designEffect: 1 }
    const both = bettingCS(arm, UNIT, 0.05, tuning)
    const upper = bettingCS(arm, UNIT, 0.05, tuning, 'upper')
    const lower = bettingCS(arm, UNIT, 0.05, tuning, 'lower')
    expect(upper.lower).toBe(-Infinity)
    expect(lower.upper).toBe(Infinity)
    expect(upper.upper).toBeLessThan(both.upper)
    expect(lower.lower).toBeGreaterThan(both.lower)
    expect(upper.upper).toBeGreaterThan(both.estimate)
  })

  it('works in the metric units, and widens with the design effect', () => {
    const unit = bettingCS(
      { values: [0, 1], counts: [70, 30], designEffect: 1 },
      UNIT,
      0.05,
      tuning
    )
    const graded = bettingCS(
      { values: [1, 5], counts: [70, 30], designEffect: 1 },
      { lo: 1, hi: 5 },
      0.05,
      tuning
    )
    expect(graded.lower).toBeCloseTo(1 + 4 * unit.lower, 6)
    expect(graded.upper).toBeCloseTo(1 + 4 * unit.upper, 6)
    const plain = bettingCS(binaryArm(4000, 400), UNIT, 0.05, tuning)
    const clustered = bettingCS(binaryArm(4000, 400, 4), UNIT, 0.05, tuning)
    const ratio = (clustered.upper - clustered.lower) / (plain.upper - plain.lower)
    expect(ratio).toBeGreaterThan(1.7)
    expect(ratio).toBeLessThan(2.3)
  })
})

describe('BettingRegion: two arms', () => {
  const b = binaryArm(20_000, 1000)
  const c = binaryArm(2000, 110)
  const region = new BettingRegion(b, c, UNIT, 0.05, { baseline: tuning, canary: tuning })

  it('bounds the change, tighter than the empirical-Bernstein joint region', () => {
    const d = bettingContrastCS(region, 1)
    expect(d.estimate).toBeCloseTo(0.055 - 0.05, 12)
    expect(d.lower).toBeLessThan(d.estimate)
    expect(d.upper).toBeGreaterThan(d.estimate)
    const eb = boundedContrastCS(
      new JointRegion(
        { n: 20_000, sum: 1000, squares: 1000, designEffect: 1 },
        { n: 2000, sum: 110, squares: 110, designEffect: 1 },
        UNIT,
        0.05,
        { baseline: tuning, canary: tuning }
      ),
      1
    )
    expect(d.upper - d.lower).toBeLessThan(eb.upper - eb.lower)
  })

  it('a huge baseline leaves about the canary own bound (its capital floored, FLOOR)', () => {
    const huge = new BettingRegion(binaryArm(1e8, 5e6), c, UNIT, 0.05, {
      baseline: tuning,
      canary: tuning
    })
    const d = bettingContrastCS(huge, 1)
    const own = bettingCS(c, UNIT, 0.05, tuning)
    expect(d.upper + 0.05).toBeGreaterThanOrEqual(own.upper - 1e-9)
    // Without the floor the baseline's capital, far below 1 where its bets lose, let the
    // canary's bound reach 0.9 here.
    expect(d.upper - d.estimate).toBeLessThan(1.4 * (own.upper - 0.055))
  })

  it('the relative interval inverts the contrasts (Fieller)', () => {
    const r = bettingRatioCS(region)
    expect(r.estimate).toBeCloseTo(0.1, 12)
    // mu_c / mu_b - 1 can reach r.upper exactly where mu_c - (1 + r.upper) mu_b can reach 0.
    expect(bettingContrastCS(region, 1 + r.upper).upper).toBeCloseTo(0, 3)
    expect(bettingContrastCS(region, 1 + r.lower).lower).toBeCloseTo(0, 3)
  })

  it('one side: the other bound infinite, the side tighter', () => {
    const up = new BettingRegion(b, c, UNIT, 0.05, { baseline: tuning, canary: tuning }, 'upper')
    const one = bettingContrastCS(up, 1)
    const both = bettingContrastCS(region, 1)
    expect(one.lower).toBe(-Infinity)
    expect(one.upper).toBeLessThan(both.upper)
    expect(bettingRatioCS(up).lower).toBe(-Infinity)
  })

  it('an empty arm bounds nothing', () => {
    const empty = new BettingRegion(binaryArm(0, 0), c, UNIT, 0.05, {
      baseline: tuning,
      canary: tuning
    })
    expect(bettingContrastCS(empty, 1)).toMatchObject({ lower: -Infinity, upper: Infinity })
  })
})

describe('JointRegion and boundedCS: one side', () => {
  const arm = { n: 400, sum: 120, squares: 60, designEffect: 1 }
  it('compute only the side asked for, tighter than two-sided', () => {
    const both = boundedCS(arm, UNIT, 0.05, tuning)
    const up = boundedCS(arm, UNIT, 0.05, tuning, 'upper')
    expect(up.lower).toBe(-Infinity)
    expect(up.upper).toBeLessThan(both.upper)
    const region = (side?: 'lower' | 'upper') =>
      new JointRegion(
        arm,
        { ...arm, sum: 130 },
        UNIT,
        0.05,
        { baseline: tuning, canary: tuning },
        side
      )
    const d2 = boundedContrastCS(region(), 1)
    const dl = boundedContrastCS(region('lower'), 1)
    expect(dl.upper).toBe(Infinity)
    expect(dl.lower).toBeGreaterThan(d2.lower)
  })
})

describe('value counts in sketches (MetricSketch.levels)', () => {
  const sketch = (values: number[]): MetricSketch => {
    const moments = emptyMoments()
    for (const v of values) addCluster(moments, v, 1)
    const counts = new Map<number, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    return {
      moments,
      requests: values.length,
      levels: { values: [...counts.keys()], counts: [...counts.values()] }
    }
  }

  it('merge by adding the counts of equal values, and drop when a part lacks them', () => {
    const merged = mergeMetricSketches(sketch([0, 0.5, 0.5]), sketch([0.5, 1]))
    const asMap = new Map(merged.levels!.values.map((v, k) => [v, merged.levels!.counts[k]]))
    expect(asMap).toEqual(
      new Map([
        [0, 1],
        [0.5, 3],
        [1, 1]
      ])
    )
    const plain = { ...sketch([1]) }
    delete plain.levels
    expect(mergeMetricSketches(sketch([0]), plain).levels).toBeUndefined()
    const cell = (m: MetricSketch) => ({
      requests: m.requests,
      units: 0,
      metrics: [m],
      models: {},
      errors: {}
    })
    expect(mergeCells([cell(sketch([0])), cell(sketch([0, 1]))]).metrics[0]!.levels).toBeDefined()
    expect(mergeCells([cell(sketch([0])), cell(plain)]).metrics[0]!.levels).toBeUndefined()
  })
})

describe('compareMetric on counts', () => {
  const ctx = {
    alpha: 0.05,
    tStar: { baseline: 300, canary: 300, total: 600 },
    minSamples: 30,
    canaryRequests: 1000,
    canaryRate: 1,
    project: false
  } as CompareContext

  it('a 0/1 metric is compared by betting, each side one-sided', () => {
    const arm = (n: number, k: number): MetricSketch => {
      const moments = emptyMoments()
      for (let i = 0; i < n; i++) addCluster(moments, i < k ? 1 : 0, 1)
      return { moments, requests: n }
    }
    const spec: MetricSpec = {
      name: 'errors',
      from: 'error',
      kind: 'rate',
      better: 'lower',
      mode: 'gate',
      path: 'metrics[0]',
      tolerance: { value: 0.03, relative: false }
    }
    const r = compareMetric(spec, arm(3000, 60), arm(1000, 20), ctx)
    console.log(`2% errors in 1000 and 3000: change ${r.delta.lower} to ${r.delta.upper}`)
    expect(r.method).toMatch(/betting CS from the counts/)
    expect(r.delta.lower).toBeLessThan(0)
    expect(r.delta.upper).toBeGreaterThan(0)
    expect(r.verdict).toBe('pass')
  })

  it("the judge's pair scores are compared by betting on their value counts", () => {
    const scored = Array.from({ length: 400 }, (_, i) => ({
      arm: 'canary' as const,
      s: [0, 0.25, 0.5, 0.75, 1][i % 5]!
    }))
    const unit = { lower: 0, upper: 1 }
    const { baseline, canary } = sketches(scored, 'pairwise', false, {
      baseline: unit,
      canary: unit
    })
    const spec = {
      name: 'judge',
      from: 'judge',
      kind: 'mean',
      better: 'higher',
      mode: 'gate',
      path: 'judge.metric',
      tolerance: { value: 0.05, relative: false },
      reference: 0.5
    } as MetricSpec
    const r = compareMetric(spec, baseline, canary, ctx)
    expect(r.method).toMatch(/betting CS .* against the fixed reference 0.5/)
    expect(r.delta.estimate).toBeCloseTo(0, 12)
    expect(r.delta.lower).toBeLessThan(0)
    expect(r.delta.upper).toBeGreaterThan(0)
  })
})
