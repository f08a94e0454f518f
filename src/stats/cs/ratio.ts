import type { RatioMoments } from '../../sketch/types.js'
import { csRadius, mixtureRho } from './mixture.js'
import type { DifferenceInterval, Interval } from './types.js'

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
