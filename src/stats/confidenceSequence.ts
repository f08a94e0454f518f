/**
 * Confidence sequences (CS): intervals valid at every look simultaneously, so the gate may look
 * as often as it likes (DESIGN.md, "Statistics contract").
 *
 * All of them use the two-sided normal-mixture boundary of Robbins (1970), in the form of
 * Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Annals of Statistics 49 (2021): for a sum S_t of t terms with variance sigma^2 each,
 * P(exists t: |S_t| >= sigma * sqrt(2 (t rho^2 + 1) / rho^2 * log(sqrt(t rho^2 + 1) / alpha)))
 * <= alpha. Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and
 * asymptotic confidence sequences", Annals of Statistics 52 (2024), Section 2, show that the same
 * boundary with the empirical variance is an asymptotic CS for any i.i.d. mean with a finite
 * variance, and (their section on randomized experiments) for the average treatment effect
 * through its inverse-propensity-weighted influence function.
 */

import type { RatioMoments } from '../sketch/types.js'
import { normalQuantile } from './normal.js'

/** A canary-versus-baseline change with its confidence sequence. */
export interface DifferenceInterval {
  /** canary - baseline, or canary / baseline - 1 when relative. NaN when it cannot be computed. */
  estimate: number
  /** Never NaN: -Infinity when the data cannot bound it (too few clusters, no data). */
  lower: number
  /** Never NaN: +Infinity when the data cannot bound it. */
  upper: number
  /** The baseline arm's estimate (NaN when the arm has no data). */
  baseline: number
  /** The canary arm's estimate (NaN when the arm has no data). */
  canary: number
  /**
   * Standard error of the estimate (Infinity when it cannot be computed). For quantiles, which
   * have no delta-method standard error, it is the fixed-time equivalent of the interval:
   * (upper - lower) / (2 * 1.96).
   */
  se: number
  /** Clusters in both arms: the "time" of the confidence sequence. */
  t: number
  relative: boolean
}

/** An interval for one arm's metric. */
export interface Interval {
  estimate: number
  lower: number
  upper: number
}

/**
 * What the quantile CS needs from a quantile sketch (src/sketch provides it).
 * valueAtRank(rank): the value of the rank-th smallest observation, rank = 1..count (1-based),
 * approximate within relativeAccuracy a in the DDSketch sense: the returned v' and the true
 * order statistic v satisfy |v' - v| <= a |v| (Masson, Rim & Lee, VLDB 2019).
 */
export interface QuantileSketchLike {
  count: number
  valueAtRank(rank: number): number
  relativeAccuracy: number
  /**
   * Optional: where the rank-th smallest observation lies for sure, when the sketch knows it
   * better than a relative accuracy (a fixed-bucket histogram: its bucket's edges).
   */
  rangeAtRank?(rank: number): { low: number; high: number }
}

export interface QuantileInterval extends Interval {
  /** Ranks (1-based) whose order statistics bound the quantile; may fall outside 1..count. */
  lowerRank: number
  upperRank: number
}

function assertAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
}

function assertTStar(tStar: number): void {
  if (!(tStar > 0 && Number.isFinite(tStar))) {
    throw new RangeError(`tStar must be a positive number, got ${tStar}`)
  }
}

/**
 * The mixture parameter rho that makes the two-sided normal-mixture boundary (csRadius) tightest
 * at t = tStar. With u = tStar rho^2, the radius at tStar is proportional to
 * (1 + 1/u) (log(1 + u) / 2 - log alpha), whose minimum solves u = log(1 + u) - 2 log alpha.
 * Howard et al. (2021) and Waudby-Smith et al. (2024) give the closed-form approximation
 * u = -2 log alpha + log(1 - 2 log alpha) (one fixed-point step from u = -2 log alpha); we start
 * Newton's method there and return the exact minimiser (they differ by about 3%).
 */
export function mixtureRho(alpha: number, tStar: number): number {
  assertAlpha(alpha)
  assertTStar(tStar)
  const c = -2 * Math.log(alpha)
  let u = c + Math.log(1 + c)
  for (let i = 0; i < 50; i++) {
    // Newton on h(u) = u - log(1 + u) - c, h'(u) = u / (1 + u); h is convex and increasing.
    const step = ((u - Math.log1p(u) - c) * (1 + u)) / u
    u -= step
    if (Math.abs(step) <= 1e-15 * u) break
  }
  return Math.sqrt(u / tStar)
}

/**
 * Half-width of the normal-mixture CS for a mean after t observations of standard deviation
 * sigma: sigma * sqrt(2 (t rho^2 + 1) / (t^2 rho^2) * log(sqrt(t rho^2 + 1) / alpha)), valid at
 * every t simultaneously (Howard et al. 2021, normal mixture; Waudby-Smith et al. 2024, the
 * Gaussian-mixture asymptotic CS). Infinity before the first observation.
 */
export function csRadius(t: number, sigma: number, alpha: number, rho: number): number {
  assertAlpha(alpha)
  if (!(t > 0)) return Infinity
  if (sigma === 0) return 0
  const v = t * rho * rho + 1
  return sigma * Math.sqrt(((2 * v) / (t * t * rho * rho)) * Math.log(Math.sqrt(v) / alpha))
}

interface ArmEstimate {
  /** sx / sy; NaN when sy <= 0. */
  estimate: number
  /** Delta-method variance of the estimate; Infinity when it cannot be computed. */
  variance: number
  n: number
}

/**
 * Ratio estimator R = sum x / sum y over independent clusters and its delta-method variance
 * Var(R) ~ sum_i (x_i - R y_i)^2 / (n (n - 1) ybar^2), with the sum of squared residuals expanded
 * in the moments as sxx - 2 R sxy + R^2 syy (Cochran, Sampling Techniques, 3rd ed., 1977,
 * Section 6.4; Deng, Knoblich & Lu, "Applying the delta method in metric analytics", KDD 2018).
 * A plain mean is y = 1 per request: the variance is then s^2 / n.
 *
 * bernoulliFloor (rates in [0, 1]): the variance is at least p~(1 - p~) / sy with the Laplace
 * estimate p~ = (sx + 1) / (sy + 2), so an arm with no observed errors never has zero variance.
 */
function armEstimate(m: RatioMoments, bernoulliFloor: boolean): ArmEstimate {
  const n = m.n
  if (!(m.sy > 0)) return { estimate: NaN, variance: Infinity, n }
  const r = m.sx / m.sy
  if (!(n >= 2)) return { estimate: r, variance: Infinity, n }
  const ybar = m.sy / n
  // Rounding can push a (near) zero residual sum slightly below 0.
  const residualSquares = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy)
  let variance = residualSquares / (n * (n - 1) * ybar * ybar)
  if (bernoulliFloor) {
    const p = (m.sx + 1) / (m.sy + 2)
    variance = Math.max(variance, (p * (1 - p)) / m.sy)
  }
  return { estimate: r, variance: Number.isNaN(variance) ? Infinity : variance, n }
}

/** The estimate and variance of canary - baseline, or canary / baseline - 1 (delta method). */
function contrast(
  b: ArmEstimate,
  c: ArmEstimate,
  relative: boolean
): { estimate: number; variance: number } {
  if (!relative) return { estimate: c.estimate - b.estimate, variance: b.variance + c.variance }
  if (b.estimate === 0 || Number.isNaN(b.estimate)) return { estimate: NaN, variance: Infinity }
  // Var(Rc / Rb) ~ Vc / Rb^2 + Rc^2 Vb / Rb^4 (first-order delta method, independent arms).
  const rb2 = b.estimate * b.estimate
  return {
    estimate: c.estimate / b.estimate - 1,
    variance: c.variance / rb2 + (c.estimate * c.estimate * b.variance) / (rb2 * rb2)
  }
}

/** [estimate - h, estimate + h], or the whole line when h or the estimate is not finite. */
function around(estimate: number, halfWidth: number): { lower: number; upper: number } {
  const lower = estimate - halfWidth
  const upper = estimate + halfWidth
  if (Number.isNaN(lower) || Number.isNaN(upper) || !Number.isFinite(halfWidth)) {
    return { lower: -Infinity, upper: Infinity }
  }
  return { lower, upper }
}

/**
 * CS for the difference of two arms' ratio metrics (means, rates, sum-over-sum ratios), absolute
 * (canary - baseline) or relative (canary / baseline - 1), valid at every look.
 *
 * The two-arm stream is read as the inverse-propensity-weighted influence function of the
 * average treatment effect (Waudby-Smith et al. 2024, randomized experiments): after
 * t = n_baseline + n_canary clusters its standard deviation is se * sqrt(t), where se is the
 * standard error of the difference, so the half-width is se * sqrt(t) * csRadius(t, 1, alpha,
 * rho) with rho = mixtureRho(alpha, tStar). tStar is in the same unit as t (clusters, both arms).
 *
 * Degenerate inputs (an arm with n < 2 or sy = 0; a zero baseline for a relative change) give
 * -Infinity..Infinity with the estimates that can be computed and NaN for the others.
 */
export function ratioDifferenceCS(
  baseline: RatioMoments,
  canary: RatioMoments,
  alpha: number,
  opts: { relative: boolean; tStar: number; bernoulliFloor?: boolean }
): DifferenceInterval {
  const rho = mixtureRho(alpha, opts.tStar)
  const floor = opts.bernoulliFloor ?? false
  const b = armEstimate(baseline, floor)
  const c = armEstimate(canary, floor)
  const { estimate, variance } = contrast(b, c, opts.relative)
  const t = b.n + c.n
  const se = Math.sqrt(variance)
  const halfWidth = se * Math.sqrt(t) * csRadius(t, 1, alpha, rho)
  return {
    estimate,
    ...around(estimate, halfWidth),
    baseline: b.estimate,
    canary: c.estimate,
    se: Number.isNaN(se) ? Infinity : se,
    t,
    relative: opts.relative
  }
}

/**
 * CS for one arm's ratio metric (an SLO `limit` on the canary alone): R +- sqrt(Var R) *
 * sqrt(n) * csRadius(n, 1, alpha, rho), the asymptotic CS of Waudby-Smith et al. (2024) for the
 * mean of the cluster residuals. tStar is in clusters of this arm.
 */
export function ratioCS(
  m: RatioMoments,
  alpha: number,
  opts: { tStar: number; bernoulliFloor?: boolean }
): Interval {
  const rho = mixtureRho(alpha, opts.tStar)
  const arm = armEstimate(m, opts.bernoulliFloor ?? false)
  const halfWidth = Math.sqrt(arm.variance) * Math.sqrt(arm.n) * csRadius(arm.n, 1, alpha, rho)
  return { estimate: arm.estimate, ...around(arm.estimate, halfWidth) }
}

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
