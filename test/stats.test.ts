import { describe, expect, it } from 'vitest'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { bonferroni } from '../src/stats/alphaSpending.js'
import { csRadius, mixtureRho } from '../src/stats/cs/mixture.js'
import { ratioCS, ratioDifferenceCS } from '../src/stats/cs/ratio.js'
import { lgamma } from '../src/stats/lgamma.js'
import { normalCdf, normalQuantile } from '../src/stats/normal.js'
import { samplesToDecide } from '../src/stats/projection.js'
import { sampleRatioTest } from '../src/stats/sampleRatio.js'
import type { RatioMoments } from '../src/sketch/types.js'

/** Moments of clusters (x = the cluster's sum, y = its count). */
function momentsOf(clusters: [number, number][]): RatioMoments {
  const m = emptyMoments()
  for (const [x, y] of clusters) addCluster(m, x, y)
  return m
}

/** Moments of a rate: `errors` ones among `n` requests, one cluster per request. */
function rateMoments(errors: number, n: number): RatioMoments {
  return { n, sx: errors, sy: n, sxx: errors, syy: n, sxy: errors }
}

function expectNoNaN(interval: { lower: number; upper: number; se?: number }): void {
  expect(Number.isNaN(interval.lower)).toBe(false)
  expect(Number.isNaN(interval.upper)).toBe(false)
  if (interval.se !== undefined) expect(Number.isNaN(interval.se)).toBe(false)
}

describe('normal distribution', () => {
  it('matches published quantiles and CDF values', () => {
    // Standard tables (e.g. Abramowitz & Stegun 26.2) to 16 digits, as printed by
    // python3 -c "from statistics import NormalDist as N; print(N().inv_cdf(0.975))".
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13)
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 12)
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 13)
    expect(normalQuantile(0.5)).toBe(0)
    // python3 -c "from statistics import NormalDist as N; print(N().inv_cdf(1e-10), N().inv_cdf(0.3))"
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12)
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 13)
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14)
    expect(normalCdf(0)).toBe(0.5)
    // python3 -c "import math; print(0.5*math.erfc(-0.3/math.sqrt(2)))"
    expect(normalCdf(0.3)).toBeCloseTo(0.6179114221889526, 14)
  })

  it('keeps relative accuracy deep in the tails', () => {
    // python3 -c "import math; print(0.5*math.erfc(10/math.sqrt(2)))" -> 7.619853024160593e-24
    expect(normalCdf(-10) / 7.619853024160593e-24).toBeCloseTo(1, 12)
    expect(normalCdf(10)).toBe(1)
  })

  it('inverts its own CDF', () => {
    for (const p of [1e-12, 1e-6, 0.001, 0.02, 0.2, 0.5, 0.77, 0.93, 0.999, 1 - 1e-9]) {
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 11)
    }
  })

  it('returns infinities at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity)
    expect(normalQuantile(1)).toBe(Infinity)
    expect(normalQuantile(1.2)).toBeNaN()
  })
})

describe('lgamma', () => {
  it('matches known values', () => {
    expect(lgamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14)
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 13)
    expect(lgamma(1)).toBeCloseTo(0, 14)
    expect(lgamma(2)).toBeCloseTo(0, 14)
    // python3 -c "import math; print(math.lgamma(123.456), math.lgamma(-2.5), math.lgamma(1e-8))"
    expect(lgamma(123.456)).toBeCloseTo(469.60554712992956, 11)
    expect(lgamma(-2.5)).toBeCloseTo(-0.05624371649767457, 14)
    expect(lgamma(1e-8)).toBeCloseTo(18.42068073818021, 13)
  })

  it('stays accurate for counts up to 1e9', () => {
    // python3 -c "import math; print(math.lgamma(1e9))" -> 19723265827.503716
    expect(lgamma(1e9) / 19723265827.503716).toBeCloseTo(1, 14)
  })

  it('is infinite at the poles', () => {
    expect(lgamma(0)).toBe(Infinity)
    expect(lgamma(-3)).toBe(Infinity)
  })
})

describe('mixtureRho and csRadius', () => {
  // Reference: the root of u = log(1 + u) - 2 log(alpha) by fixed-point iteration, rho = sqrt(u / t*):
  // python3 -c "import math; a,ts=0.05,1000; u=8.0
  //   for _ in range(500): u=math.log1p(u)-2*math.log(a)
  //   print(math.sqrt(u/ts))"
  it('matches the exact minimiser computed independently', () => {
    expect(mixtureRho(0.05, 1000)).toBeCloseTo(0.09061990985466854, 14)
    expect(mixtureRho(0.01, 250)).toBeCloseTo(0.21685360243717805, 14)
  })

  it('is close to the closed form of Howard et al. and Waudby-Smith et al.', () => {
    // sqrt((-2 log a + log(1 - 2 log a)) / t*) = 0.08908509752892212 for a = 0.05, t* = 1000
    expect(mixtureRho(0.05, 1000) / 0.08908509752892212).toBeCloseTo(1.017, 3)
  })

  it('makes the boundary tightest at tStar', () => {
    const rho = mixtureRho(0.05, 2000)
    const atTStar = csRadius(2000, 1, 0.05, rho)
    expect(atTStar).toBeLessThan(csRadius(2000, 1, 0.05, rho * 1.01))
    expect(atTStar).toBeLessThan(csRadius(2000, 1, 0.05, rho * 0.99))
  })

  it('matches the normal-mixture boundary computed independently', () => {
    // python3 -c "import math; t,s,a,r=500,2,0.05,0.1;
    //   print(s*math.sqrt(2*(t*r*r+1)/(t*t*r*r)*math.log(math.sqrt(t*r*r+1)/a)))"
    expect(csRadius(500, 2, 0.05, 0.1)).toBeCloseTo(0.2733476734066452, 14)
    // same expression with t=1000, s=1, a=0.05, r=0.09061990985466854
    expect(csRadius(1000, 1, 0.05, mixtureRho(0.05, 1000))).toBeCloseTo(0.09597899802596532, 13)
    // t=1e6, s=1, a=0.01, r=0.21685360243717805
    expect(csRadius(1e6, 1, 0.01, mixtureRho(0.01, 250))).toBeCloseTo(0.004468694578982557, 15)
  })

  it('is wider than the fixed-time interval and shrinks as t grows', () => {
    const rho = mixtureRho(0.05, 1000)
    expect(csRadius(1000, 1, 0.05, rho)).toBeGreaterThan(normalQuantile(0.975) / Math.sqrt(1000))
    let previous = Infinity
    for (const t of [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e8]) {
      const radius = csRadius(t, 1, 0.05, rho)
      expect(radius).toBeLessThan(previous)
      previous = radius
    }
    expect(csRadius(0, 1, 0.05, rho)).toBe(Infinity)
  })

  it('rejects an alpha outside (0, 1)', () => {
    expect(() => mixtureRho(0, 100)).toThrow(RangeError)
    expect(() => csRadius(10, 1, 1, 0.1)).toThrow(RangeError)
  })
})

describe('ratioDifferenceCS', () => {
  // Clusters (x = a unit's sum, y = its request count).
  const baseline = momentsOf([
    [3, 2],
    [5, 3],
    [1, 1],
    [4, 2],
    [7, 4],
    [2, 1]
  ])
  const canary = momentsOf([
    [6, 3],
    [2, 1],
    [5, 2],
    [9, 4],
    [3, 2]
  ])
  // Reference, from the raw clusters (residuals, not the moments):
  //   R = sum x / sum y; V = sum((x - R y)^2) / (n (n - 1) ybar^2)
  //   rho = root above for (0.05, 100); k = sqrt(t) * radius(t, 1, 0.05, rho), t = 11
  //   absolute: est = Rc - Rb, se = sqrt(Vb + Vc), bounds est -+ se k; relative: est = Rc/Rb - 1,
  //   se = sqrt(Vc/Rb^2 + Rc^2 Vb/Rb^4) (for reports), bounds by Fieller: the roots q of
  //   (Rb^2 - k^2 Vb) q^2 - 2 Rc Rb q + (Rc^2 - k^2 Vc) = 0, minus 1.

  it('matches an independent computation of the absolute difference', () => {
    const d = ratioDifferenceCS(baseline, canary, 0.05, { relative: false, tStar: 100 })
    expect(d.baseline).toBeCloseTo(1.6923076923076923, 14)
    expect(d.canary).toBeCloseTo(2.0833333333333335, 14)
    expect(d.estimate).toBeCloseTo(0.3910256410256412, 14)
    expect(d.se).toBeCloseTo(0.17475471674327483, 14)
    expect(d.lower).toBeCloseTo(-0.26238612359077773, 13)
    expect(d.upper).toBeCloseTo(1.0444374056420602, 13)
    expect(d.t).toBe(11)
    expect(d.relative).toBe(false)
  })

  it('matches an independent computation of the relative difference', () => {
    const d = ratioDifferenceCS(baseline, canary, 0.05, { relative: true, tStar: 100 })
    expect(d.estimate).toBeCloseTo(0.2310606060606062, 14)
    expect(d.se).toBeCloseTo(0.1102080158093865, 14)
    expect(d.lower).toBeCloseTo(-0.14113821709308594, 12)
    expect(d.upper).toBeCloseTo(0.7063810722874986, 12)
    expect(d.relative).toBe(true)
  })

  it('inverts the linear contrast: at each relative bound, canary - (1 + r) baseline is at its boundary', () => {
    // Fieller: r is in the interval exactly when 0 is in the CS of Rc - (1 + r) Rb, whose
    // half-width is k sqrt(Vc + (1 + r)^2 Vb); at the bounds it touches 0. No delta-method
    // variance of the ratio, so the observed canary level never scales the baseline's variance.
    const d = ratioDifferenceCS(baseline, canary, 0.05, { relative: true, tStar: 100 })
    const abs = ratioDifferenceCS(baseline, canary, 0.05, { relative: false, tStar: 100 })
    const k = (abs.upper - abs.lower) / 2 / abs.se
    // Vb and Vc from the raw clusters, as in the reference comment above.
    const vB = 0.008235005777108647
    const vC = 0.022304205246913577
    for (const r of [d.lower, d.upper]) {
      const q = 1 + r
      expect(Math.abs(d.canary - q * d.baseline)).toBeCloseTo(k * Math.sqrt(vC + q * q * vB), 10)
    }
  })

  it('floors the variance of a rate so zero observed errors still give a width', () => {
    // baseline 0/50, canary 1/40; per arm V = max(s^2/n, p(1-p)/n) with p = (x+1)/(n+2);
    // alpha 0.01, tStar 1000, t = 90.
    const d = ratioDifferenceCS(rateMoments(0, 50), rateMoments(1, 40), 0.01, {
      relative: false,
      tStar: 1000,
      bernoulliFloor: true
    })
    expect(d.estimate).toBeCloseTo(0.025, 15)
    expect(d.se).toBeCloseTo(0.0388716578368328, 14)
    expect(d.lower).toBeCloseTo(-0.1458544792628645, 13)
    expect(d.upper).toBeCloseTo(0.19585447926286448, 13)
    const unfloored = ratioDifferenceCS(rateMoments(0, 50), rateMoments(0, 40), 0.01, {
      relative: false,
      tStar: 1000
    })
    expect(unfloored.upper - unfloored.lower).toBe(0)
    const floored = ratioDifferenceCS(rateMoments(0, 50), rateMoments(0, 40), 0.01, {
      relative: false,
      tStar: 1000,
      bernoulliFloor: true
    })
    expect(floored.upper - floored.lower).toBeGreaterThan(0.1)
  })

  it('returns the whole line, never NaN, when an arm cannot be estimated', () => {
    const empty: RatioMoments = { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }
    const single = momentsOf([[4, 2]])
    const opts = { relative: false, tStar: 100 }
    const cases = [
      ratioDifferenceCS(empty, canary, 0.05, opts),
      ratioDifferenceCS(baseline, empty, 0.05, opts),
      ratioDifferenceCS(single, canary, 0.05, opts),
      ratioDifferenceCS(rateMoments(0, 30), rateMoments(2, 30), 0.05, { ...opts, relative: true })
    ]
    for (const d of cases) {
      expect(d.lower).toBe(-Infinity)
      expect(d.upper).toBe(Infinity)
      expectNoNaN(d)
    }
    expect(cases[0]!.canary).toBeCloseTo(2.0833333333333335, 14)
    expect(cases[0]!.baseline).toBeNaN()
    expect(cases[2]!.baseline).toBe(2)
    expect(cases[3]!.baseline).toBe(0)
    expect(cases[3]!.estimate).toBeNaN()
  })
})

describe('ratioCS', () => {
  it('matches an independent computation for one arm', () => {
    // R = 2.0833..., V as above, half-width sqrt(V) * sqrt(5) * radius(5, 1, 0.05, rho(0.05, 100))
    const canary = momentsOf([
      [6, 3],
      [2, 1],
      [5, 2],
      [9, 4],
      [3, 2]
    ])
    const ci = ratioCS(canary, 0.05, { tStar: 100 })
    expect(ci.estimate).toBeCloseTo(2.0833333333333335, 14)
    expect(ci.lower).toBeCloseTo(1.38658465241127, 13)
    expect(ci.upper).toBeCloseTo(2.780082014255397, 13)
  })

  it('bounds an error rate away from zero width, and is unbounded without data', () => {
    const ci = ratioCS(rateMoments(0, 200), 0.05, { tStar: 1000, bernoulliFloor: true })
    expect(ci.estimate).toBe(0)
    expect(ci.upper).toBeGreaterThan(0.01)
    const none = ratioCS({ n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }, 0.05, { tStar: 10 })
    expect(none).toEqual({ estimate: NaN, lower: -Infinity, upper: Infinity })
  })
})

describe('bonferroni', () => {
  it('splits alpha evenly and rejects a bad count', () => {
    expect(bonferroni(0.05, 4)).toBeCloseTo(0.0125, 15)
    expect(bonferroni(0.05, 1)).toBe(0.05)
    expect(() => bonferroni(0.05, 0)).toThrow(RangeError)
    expect(() => bonferroni(0.05, 1.5)).toThrow(RangeError)
  })
})

describe('sampleRatioTest', () => {
  // Reference, prior Beta(100 s, 100 (1 - s)):
  // python3 -c "import math; lB=lambda a,b: math.lgamma(a)+math.lgamma(b)-math.lgamma(a+b)
  //   f=lambda b,c,s: lB(100*s+c,100*(1-s)+b)-lB(100*s,100*(1-s))-c*math.log(s)-b*math.log(1-s)
  //   print(f(10000,10000,0.5), f(9000,11000,0.5), f(950,50,0.05), f(480,20,0.05))"
  it('matches the beta-binomial Bayes factor computed independently', () => {
    expect(
      sampleRatioTest({ baseline: 10000, canary: 10000 }, 0.5, 0.05).logBayesFactor
    ).toBeCloseTo(-2.6541399745528906, 9)
    expect(sampleRatioTest({ baseline: 950, canary: 50 }, 0.05, 0.05).logBayesFactor).toBeCloseTo(
      -1.214117064714351,
      10
    )
    expect(sampleRatioTest({ baseline: 480, canary: 20 }, 0.05, 0.05).logBayesFactor).toBeCloseTo(
      -0.35860809011113304,
      10
    )
    const skewed = sampleRatioTest({ baseline: 9000, canary: 11000 }, 0.5, 0.001)
    expect(skewed.logBayesFactor).toBeCloseTo(97.01816797242918, 8)
    expect(skewed.mismatch).toBe(true)
    expect(skewed.pValue).toBeLessThan(1e-40)
    expect(skewed.observedShare).toBeCloseTo(0.55, 15)
    expect(skewed.expectedShare).toBe(0.5)
  })

  it('stays finite and accurate for counts of 1e9', () => {
    // Same expression with f(1e9, 1e9, 0.5) -> -8.408115 (both sides carry ~1e-5 rounding)
    const balanced = sampleRatioTest({ baseline: 1e9, canary: 1e9 }, 0.5, 0.05)
    expect(balanced.logBayesFactor).toBeCloseTo(-8.40811538696289, 3)
    expect(balanced.mismatch).toBe(false)
    // f(1.9e9, 1.01e8, 0.05) -> 4725.0306
    const off = sampleRatioTest({ baseline: 1.9e9, canary: 1.01e8 }, 0.05, 0.05)
    expect(off.logBayesFactor).toBeCloseTo(4725.03056140244, 2)
    expect(off.pValue).toBe(0)
    expect(off.mismatch).toBe(true)
  })

  it('has no evidence before any unit arrives', () => {
    const r = sampleRatioTest({ baseline: 0, canary: 0 }, 0.1, 0.05)
    expect(r.logBayesFactor).toBe(0)
    expect(r.pValue).toBe(1)
    expect(r.mismatch).toBe(false)
    expect(r.observedShare).toBeNaN()
  })

  it('rejects an expected share outside (0, 1)', () => {
    expect(() => sampleRatioTest({ baseline: 1, canary: 1 }, 0, 0.05)).toThrow(RangeError)
    expect(() => sampleRatioTest({ baseline: 1, canary: 1 }, 1, 0.05)).toThrow(RangeError)
  })
})

describe('samplesToDecide', () => {
  const alpha = 0.05
  const t = 1000
  const rho = mixtureRho(alpha, t)
  const shrinkAt = (k: number) => csRadius(k * t, 1, alpha, rho) / csRadius(t, 1, alpha, rho)

  it('is 1 when the interval already decides', () => {
    expect(
      samplesToDecide({ estimate: -0.1, lower: -0.2, upper: -0.01 }, t, alpha, rho, 0, 0)
    ).toBe(1)
    expect(samplesToDecide({ estimate: 0.3, lower: 0.2, upper: 0.4 }, t, alpha, rho, 0, 0.1)).toBe(
      1
    )
  })

  it('is Infinity when the estimate sits inside the band or a bound is infinite', () => {
    expect(
      samplesToDecide({ estimate: 0.05, lower: -0.1, upper: 0.2 }, t, alpha, rho, 0, 0.1)
    ).toBe(Infinity)
    expect(samplesToDecide({ estimate: 0, lower: -0.1, upper: 0.2 }, t, alpha, rho, 0, 0.1)).toBe(
      Infinity
    )
    expect(
      samplesToDecide({ estimate: -0.1, lower: -Infinity, upper: Infinity }, t, alpha, rho, 0, 0.1)
    ).toBe(Infinity)
  })

  it('finds the factor at which a pass becomes decisive', () => {
    const interval = { estimate: -0.02, lower: -0.07, upper: 0.03 }
    const k = samplesToDecide(interval, t, alpha, rho, 0, 0.05)
    expect(k).toBeGreaterThan(1)
    expect(Number.isFinite(k)).toBe(true)
    // Recompute the upper bound at t' = k t: just below passBelow; a little earlier it is not.
    expect(-0.02 + 0.05 * shrinkAt(k)).toBeLessThan(0)
    expect(-0.02 + 0.05 * shrinkAt(k * 0.999)).toBeGreaterThanOrEqual(0)
  })

  it('finds the factor at which a fail becomes decisive, using the lower half-width only', () => {
    const interval = { estimate: 0.2, lower: 0.05, upper: 0.9 }
    const k = samplesToDecide(interval, t, alpha, rho, 0, 0.1)
    expect(0.2 - 0.15 * shrinkAt(k)).toBeGreaterThan(0.1)
    expect(0.2 - 0.15 * shrinkAt(k * 0.999)).toBeLessThanOrEqual(0.1)
  })

  it('is Infinity when even a million times the data would not decide', () => {
    const interval = { estimate: -1e-6, lower: -10, upper: 10 }
    expect(samplesToDecide(interval, t, alpha, rho, 0, 0.05)).toBe(Infinity)
  })
})
