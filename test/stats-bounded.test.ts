/**
 * The nonasymptotic confidence sequences of bounded metrics (src/stats/cs/bernstein.ts): the
 * variance bound they rest on, their widths on small and zero-variance samples, and the joint
 * region of two arms with its contrasts and its Fieller-type ratio.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../examples/generate-traffic.js'
import { metricRange } from '../src/policy/bounds.js'
import {
  boundedContrastCS,
  boundedCS,
  boundedRatioCS,
  JointRegion,
  lambdaMixture,
  psiE,
  varianceBound,
  type BoundedArm
} from '../src/stats/cs/bernstein.js'

const UNIT = { lo: 0, hi: 1 }
const arm = (values: number[], designEffect = 1): BoundedArm => ({
  n: values.length,
  sum: values.reduce((a, v) => a + v, 0),
  squares: values.reduce((a, v) => a + v * v, 0),
  designEffect
})
const tuning = { tStar: 300 }

describe('varianceBound', () => {
  it('bounds sum (z_i - running mean)^2 from n and the sum of squared deviations, for any order', () => {
    const values = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: 1,
      maxLength: 300
    })
    fc.assert(
      fc.property(values, zs => {
        // The predictable process the supermartingale uses: zhat_1 = 1/2, then the running mean.
        let v = 0
        let sum = 0
        zs.forEach((z, i) => {
          const zhat = i === 0 ? 0.5 : sum / i
          v += (z - zhat) ** 2
          sum += z
        })
        const mean = sum / zs.length
        const ss = zs.reduce((a, z) => a + (z - mean) ** 2, 0)
        expect(varianceBound(zs.length, ss)).toBeGreaterThanOrEqual(v - 1e-9)
      }),
      { numRuns: 300 }
    )
  })

  it('is close to the sum of squares for a large sample, and small but not 0 for constant data', () => {
    expect(varianceBound(10_000, 1000) / 1000).toBeLessThan(1.01)
    expect(varianceBound(1000, 0)).toBeGreaterThan(0.25)
    expect(varianceBound(1000, 0)).toBeLessThan(1.5)
    expect(varianceBound(0, 0)).toBe(0)
  })
})

describe('the mixture over lambda', () => {
  it('is a sub-probability on (0, 0.95], so the mixture of supermartingales stays one', () => {
    for (const alpha of [0.05, 0.001]) {
      for (const tStar of [1, 300, 1e6]) {
        const m = lambdaMixture(alpha, { tStar })
        const total = [...m.logWeights].reduce((a, w) => a + Math.exp(w), 0)
        expect(total).toBeLessThanOrEqual(1)
        expect(total).toBeGreaterThan(0.3)
        expect(Math.max(...m.lambdas)).toBeLessThanOrEqual(0.95)
        expect(Math.min(...m.lambdas)).toBeGreaterThan(0)
      }
    }
  })

  it('uses psi_E(lambda) = -log(1 - lambda) - lambda (Fan, Grama & Liu 2015)', () => {
    expect(psiE(0.5)).toBeCloseTo(Math.log(2) - 0.5, 15)
    // Near 0 it is lambda^2 / 2, the sub-Gaussian case.
    expect(psiE(1e-3) / (1e-6 / 2)).toBeCloseTo(1, 2)
  })
})

describe('boundedCS', () => {
  it('never gives a narrow interval for a small or zero-variance sample', () => {
    // 30 identical judgements (a judge that always answers "tie").
    const ties = boundedCS(arm(new Array(30).fill(0.5)), UNIT, 0.05, tuning)
    expect(ties.estimate).toBe(0.5)
    expect(ties.upper - ties.lower).toBeGreaterThan(0.3)
    // No errors in 300 requests: the upper bound is still a few percent.
    const none = boundedCS(arm(new Array(300).fill(0)), UNIT, 0.05, tuning)
    expect(none.lower).toBe(0)
    expect(none.upper).toBeGreaterThan(0.01)
    expect(none.upper).toBeLessThan(0.1)
  })

  it('shrinks like 1/sqrt(n) with the data, and stays in the range', () => {
    const rand = mulberry32(3)
    const draw = (n: number) => Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0))
    const w = (n: number) => {
      const cs = boundedCS(arm(draw(n)), UNIT, 0.05, tuning)
      expect(cs.lower).toBeGreaterThanOrEqual(0)
      expect(cs.upper).toBeLessThanOrEqual(1)
      return cs.upper - cs.lower
    }
    const ratio = w(4000) / w(40_000)
    expect(ratio).toBeGreaterThan(2.4)
    expect(ratio).toBeLessThan(3.8)
  })

  it('works in the metric unit of a declared range', () => {
    const rand = mulberry32(5)
    const values = Array.from({ length: 2000 }, () => 1 + Math.floor(rand() * 5))
    const unit = boundedCS(arm(values.map(v => (v - 1) / 4)), UNIT, 0.05, tuning)
    const rated = boundedCS(arm(values), { lo: 1, hi: 5 }, 0.05, tuning)
    expect(rated.lower).toBeCloseTo(1 + 4 * unit.lower, 10)
    expect(rated.upper).toBeCloseTo(1 + 4 * unit.upper, 10)
  })

  it('is wider with a design effect (requests of one user together)', () => {
    const rand = mulberry32(8)
    const values = Array.from({ length: 5000 }, () => rand())
    const plain = boundedCS(arm(values), UNIT, 0.05, tuning)
    const clustered = boundedCS(arm(values, 4), UNIT, 0.05, tuning)
    const ratio = (clustered.upper - clustered.lower) / (plain.upper - plain.lower)
    expect(ratio).toBeGreaterThan(1.7)
    expect(ratio).toBeLessThan(2.1)
  })
})

describe('JointRegion: both arms at once', () => {
  const rand = mulberry32(11)
  const scores = (n: number, shift: number) =>
    Array.from({ length: n }, () =>
      Math.min(1, Math.max(0, 0.78 + shift + 0.15 * (rand() - 0.5) * 3.4))
    )
  const b = arm(scores(9000, 0))
  const c = arm(scores(3000, -0.01))
  const region = new JointRegion(b, c, UNIT, 0.05, { baseline: tuning, canary: tuning })

  it('is narrower than the union of the arms\u2019 own intervals at alpha / 2', () => {
    const d = boundedContrastCS(region, 1)
    const bb = boundedCS(b, UNIT, 0.025, tuning)
    const cc = boundedCS(c, UNIT, 0.025, tuning)
    expect(d.lower).toBeGreaterThan(cc.lower - bb.upper)
    expect(d.upper).toBeLessThan(cc.upper - bb.lower)
    expect(d.lower).toBeLessThan(d.estimate)
    expect(d.upper).toBeGreaterThan(d.estimate)
  })

  it('inverts the contrasts into the ratio: at a relative bound r, canary - (1 + r) baseline touches 0', () => {
    const r = boundedRatioCS(region)
    expect(r.lower).toBeLessThan(r.estimate)
    expect(r.upper).toBeGreaterThan(r.estimate)
    // At the largest ratio k, mu_c <= k mu_b over the whole region, with equality on its edge.
    expect(boundedContrastCS(region, 1 + r.upper).upper).toBeCloseTo(0, 6)
    expect(boundedContrastCS(region, 1 + r.lower).lower).toBeCloseTo(0, 6)
  })

  it('is unbounded above when the baseline can be 0, and empty arms give the whole line', () => {
    const zeros = arm(new Array(200).fill(0))
    const some = arm(new Array(200).fill(0).map((_, i) => (i < 2 ? 1 : 0)))
    const r = boundedRatioCS(
      new JointRegion(zeros, some, UNIT, 0.05, { baseline: tuning, canary: tuning })
    )
    expect(r.upper).toBe(Infinity)
    const empty = new JointRegion(arm([]), some, UNIT, 0.05, { baseline: tuning, canary: tuning })
    expect(boundedContrastCS(empty, 1)).toMatchObject({ lower: -Infinity, upper: Infinity })
  })
})

describe('metricRange: which metrics are bounded', () => {
  it('rates, scores, the judge, 0/1 fields and feedback; a declared range; never ratios or quantiles', () => {
    expect(metricRange({ kind: 'rate', from: 'error' })).toEqual({ lo: 0, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'score' })).toEqual({ lo: 0, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'scores.helpful' })).toEqual({ lo: 0, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'judge' })).toEqual({ lo: 0, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'gen_ai.evaluation.score.value' })).toEqual({
      lo: 0,
      hi: 1
    })
    expect(metricRange({ kind: 'mean', from: 'cache_hit' })).toEqual({ lo: 0, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'feedback' })).toEqual({ lo: -1, hi: 1 })
    expect(metricRange({ kind: 'mean', from: 'rating', range: { lo: 1, hi: 5 } })).toEqual({
      lo: 1,
      hi: 5
    })
    expect(metricRange({ kind: 'mean', from: 'latency_ms' })).toBeUndefined()
    expect(metricRange({ kind: 'ratio', from: 'score' })).toBeUndefined()
    expect(metricRange({ kind: 'quantile', from: 'score' })).toBeUndefined()
  })
})
