import { normalQuantile } from '../normal.js'
import { csRadius, mixtureRho } from './mixture.js'
import type { DifferenceInterval, Interval, QuantileInterval, QuantileSketchLike } from './types.js'

/** The interval of true values a sketch value v' may stand for: |v' - v| <= a |v|. */
function trueValueRange(value: number, a: number): { low: number; high: number } {
  if (value >= 0) return { low: value / (1 + a), high: value / (1 - a) }
  return { low: value / (1 - a), high: value / (1 + a) }
}

/**
 * CS for the q-quantile of one arm, valid at every look (Howard & Ramdas, "Sequential estimation
 * of quantiles with applications to A/B-testing and best-arm identification", Bernoulli 28
 * (2022)). At the true quantile x_q the indicators 1{X_i <= x_q} are Bernoulli(q), so their count
 * N stays within n q +- r, r = n * csRadius(n, sqrt(q (1 - q)), alpha, rho) (normal mixture with
 * the Bernoulli variance). Since X_(k) <= x_q exactly when N >= k, x_q lies between the order
 * statistics of ranks ceil(n q - r) and floor(n q + r) + 1. A rank below 1 gives -Infinity, above
 * n gives +Infinity. The values are widened by the sketch's relative accuracy, or to the range it
 * gives (a fixed-bucket histogram: the bucket's edges).
 *
 * The estimate is the empirical quantile, the order statistic of rank max(1, ceil(n q)).
 * tStar is in observations of this arm.
 */
export function quantileCS(
  sketch: QuantileSketchLike,
  q: number,
  alpha: number,
  tStar: number,
  designEffect = 1
): QuantileInterval {
  if (!(q > 0 && q < 1)) throw new RangeError(`q must be in (0, 1), got ${q}`)
  const rho = mixtureRho(alpha, tStar)
  const n = sketch.count
  if (!(n >= 1)) {
    return {
      estimate: NaN,
      lower: -Infinity,
      upper: Infinity,
      lowerRank: -Infinity,
      upperRank: Infinity
    }
  }
  // Requests of one user are correlated: the rank radius grows by the square root of the design
  // effect (Kish 1965), as the variance of a clustered mean does.
  const r =
    n * csRadius(n, Math.sqrt(q * (1 - q)), alpha, rho) * Math.sqrt(Math.max(1, designEffect))
  const lowerRank = Math.ceil(n * q - r)
  const upperRank = Math.floor(n * q + r) + 1
  const a = sketch.relativeAccuracy
  const range = (rank: number) =>
    sketch.rangeAtRank?.(rank) ?? trueValueRange(sketch.valueAtRank(rank), a)
  const lower = lowerRank >= 1 ? range(lowerRank).low : -Infinity
  const upper = upperRank <= n ? range(upperRank).high : Infinity
  const estimate = sketch.valueAtRank(Math.max(1, Math.ceil(n * q)))
  return { estimate, lower, upper, lowerRank, upperRank }
}

/**
 * Bounds on c / b - 1 for c in [cLo, cHi] and a baseline b in [bLo, bHi]. A relative change
 * presumes a positive baseline quantity (latency, cost, tokens), so b ranges over (0, bHi] when
 * bLo <= 0 and the upper bound is then +Infinity.
 */
function relativeBounds(c: Interval, b: Interval): { lower: number; upper: number } {
  if (!(b.upper > 0)) return { lower: -Infinity, upper: Infinity }
  const lower =
    c.lower >= 0 ? c.lower / b.upper - 1 : b.lower > 0 ? c.lower / b.lower - 1 : -Infinity
  const upper = b.lower > 0 ? (c.upper >= 0 ? c.upper / b.lower : c.upper / b.upper) - 1 : Infinity
  return { lower, upper }
}

/** The fixed-time z for 95%, to express a quantile interval's width as a standard error. */
const Z_95 = normalQuantile(0.975)

/**
 * CS for the difference of two arms' q-quantiles: each arm's quantileCS at alpha / 2, so both
 * hold together with probability 1 - alpha (union bound), then interval arithmetic:
 * [c.lo - b.hi, c.hi - b.lo], or relative [c.lo / b.hi - 1, c.hi / b.lo - 1] with the signs
 * handled by relativeBounds. tStar is applied per arm, in observations of one arm.
 *
 * se has no delta-method meaning here; it is (upper - lower) / (2 * 1.96), the standard error a
 * fixed-time 95% interval of the same width would have, and Infinity when a bound is infinite.
 */
export function quantileDifferenceCS(
  baseline: QuantileSketchLike,
  canary: QuantileSketchLike,
  q: number,
  alpha: number,
  opts: {
    relative: boolean
    tStar: { baseline: number; canary: number }
    designEffect?: { baseline: number; canary: number }
  }
): DifferenceInterval {
  // Each arm's own sequence is tuned to that arm's expected sample size: at a 1% step the canary
  // has ~1/99 of the baseline's traffic when a decision is due.
  const deff = opts.designEffect ?? { baseline: 1, canary: 1 }
  const b = quantileCS(baseline, q, alpha / 2, opts.tStar.baseline, deff.baseline)
  const c = quantileCS(canary, q, alpha / 2, opts.tStar.canary, deff.canary)
  const bounds = opts.relative
    ? relativeBounds(c, b)
    : { lower: c.lower - b.upper, upper: c.upper - b.lower }
  const estimate = opts.relative
    ? b.estimate > 0
      ? c.estimate / b.estimate - 1
      : NaN
    : c.estimate - b.estimate
  const width = bounds.upper - bounds.lower
  return {
    estimate,
    ...bounds,
    baseline: b.estimate,
    canary: c.estimate,
    se: Number.isFinite(width) ? width / (2 * Z_95) : Infinity,
    t: Math.max(0, baseline.count) + Math.max(0, canary.count),
    relative: opts.relative
  }
}
