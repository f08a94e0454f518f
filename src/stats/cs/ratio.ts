import type { RatioMoments } from '../../sketch/types.js'
import { boundaryMultiplier } from './mixture.js'
import { keepSide, type DifferenceInterval, type Interval, type Side } from './types.js'

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
 * A plain mean is y = 1 per request: the variance is then s^2 / n. `inflation` (>= 1) multiplies
 * the variance: the design effect of clustering a source could not resolve (aggregated data).
 *
 * bernoulliFloor (rates in [0, 1]): the variance is at least p~(1 - p~) / sy with the Laplace
 * estimate p~ = (sx + 1) / (sy + 2), so an arm with no observed errors never has zero variance.
 */
function armEstimate(m: RatioMoments, bernoulliFloor: boolean, inflation = 1): ArmEstimate {
  const n = m.n
  if (!(m.sy > 0)) return { estimate: NaN, variance: Infinity, n }
  const r = m.sx / m.sy
  if (!(n >= 2)) return { estimate: r, variance: Infinity, n }
  const ybar = m.sy / n
  // Rounding can push a (near) zero residual sum slightly below 0.
  const residualSquares = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy)
  let variance = (Math.max(1, inflation) * residualSquares) / (n * (n - 1) * ybar * ybar)
  if (bernoulliFloor) {
    const p = (m.sx + 1) / (m.sy + 2)
    variance = Math.max(variance, (p * (1 - p)) / m.sy)
  }
  return { estimate: r, variance: Number.isNaN(variance) ? Infinity : variance, n }
}

/**
 * Each arm's variance at least what the other arm's relative spread gives it: Var(R_c) >=
 * nu_b R_c^2 / n_c with nu = Var(R) n / R^2 the squared coefficient of variation per cluster
 * (and the same the other way). A heavy tail is shared by both arms, and the small arm (the
 * canary at a 1-5% step) has mostly not seen its rare large values yet, so its own variance is
 * too small exactly when its mean is too low: the larger arm, which has seen more of the tail,
 * lends its spread. A canary that truly spreads less only gets a wider interval.
 */
function sharedSpread(b: ArmEstimate, c: ArmEstimate): [ArmEstimate, ArmEstimate] {
  const nu = (a: ArmEstimate) =>
    a.n >= 2 && a.estimate !== 0 && Number.isFinite(a.variance)
      ? (a.variance * a.n) / (a.estimate * a.estimate)
      : 0
  const nb = nu(b)
  const nc = nu(c)
  const lend = (a: ArmEstimate, other: number): ArmEstimate =>
    a.n >= 2 && Number.isFinite(a.estimate)
      ? { ...a, variance: Math.max(a.variance, (other * a.estimate * a.estimate) / a.n) }
      : a
  return [lend(b, nc), lend(c, nb)]
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
 * The relative change interval by Fieller's theorem (Fieller, "Some problems in interval
 * estimation", J. R. Stat. Soc. B 16 (1954)): the set of r for which the linear contrast
 * R_c - (1 + r) R_b is within M sqrt(V_c + (1 + r)^2 V_b) of 0, M the boundary's multiplier. With
 * k = 1 + r this is the quadratic (R_b^2 - M^2 V_b) k^2 - 2 R_c R_b k + (R_c^2 - M^2 V_c) <= 0:
 * an interval when the baseline is bounded away from 0 (R_b^2 > M^2 V_b), else unbounded. Unlike
 * the delta method, the variance of the contrast never uses the observed canary level, so a
 * canary whose estimate collapses (no errors by chance) does not collapse the interval.
 */
export function fiellerRelative(
  b: { estimate: number; variance: number },
  c: { estimate: number; variance: number },
  multiplier: number
): { lower: number; upper: number } {
  const m2 = multiplier * multiplier
  const a = b.estimate * b.estimate - m2 * b.variance
  if (!(a > 0) || !Number.isFinite(c.variance) || !Number.isFinite(c.estimate)) {
    return { lower: -Infinity, upper: Infinity }
  }
  const mid = c.estimate * b.estimate
  const disc =
    m2 * (b.estimate * b.estimate * c.variance + c.estimate * c.estimate * b.variance) -
    m2 * m2 * b.variance * c.variance
  const root = Math.sqrt(Math.max(0, disc))
  return { lower: (mid - root) / a - 1, upper: (mid + root) / a - 1 }
}

/**
 * CS for the difference of two arms' ratio metrics (means, rates, sum-over-sum ratios), absolute
 * (canary - baseline) or relative (canary / baseline - 1), valid at every look once the sample is
 * large enough for the central limit theorem (src/stats/clt.ts says when).
 *
 * The two-arm stream is read as the inverse-propensity-weighted influence function of the
 * average treatment effect (Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central
 * limit theory and asymptotic confidence sequences", Ann. Statist. 52 (2024), randomized
 * experiments): after t = n_baseline + n_canary clusters its standard deviation is se * sqrt(t),
 * se the standard error of the contrast, so the half-width is se * M with
 * M = sqrt(t) * csRadius(t, 1, alpha, rho), rho = mixtureRho(alpha, tStar) (boundaryMultiplier; one
 * end alone, `side`: the one-sided mixture's). tStar is in the same
 * unit as t: clusters (units), both arms.
 *
 * The contrast is linear, R_c - kappa R_b with se = sqrt(V_c + kappa^2 V_b): kappa = 1 for the
 * absolute change; the relative interval is Fieller's inversion of the same contrast over kappa
 * (fiellerRelative), so deciding a relative tolerance tau on it is deciding R_c - (1 + tau) R_b.
 *
 * Degenerate inputs (an arm with n < 2 or sy = 0; a baseline not bounded away from 0 for a
 * relative change) give -Infinity..Infinity with the estimates that can be computed and NaN for
 * the others.
 */
export function ratioDifferenceCS(
  baseline: RatioMoments,
  canary: RatioMoments,
  alpha: number,
  opts: {
    relative: boolean
    tStar: number
    bernoulliFloor?: boolean
    /** Variance inflation per arm (design effect of unresolved clustering), default 1. */
    designEffect?: { baseline: number; canary: number }
    /**
     * Floor each arm's variance at the other arm's relative variance (sharedSpread); default
     * false.
     */
    sharedSpread?: boolean
    /** Only this end, valid alone at alpha (the one-sided normal mixture, mixture.ts). */
    side?: Side
  }
): DifferenceInterval {
  const floor = opts.bernoulliFloor ?? false
  let b = armEstimate(baseline, floor, opts.designEffect?.baseline)
  let c = armEstimate(canary, floor, opts.designEffect?.canary)
  if (opts.sharedSpread) [b, c] = sharedSpread(b, c)
  const t = b.n + c.n
  const multiplier = boundaryMultiplier(t, alpha, opts.tStar, opts.side !== undefined)
  if (!opts.relative) {
    const estimate = c.estimate - b.estimate
    const se = Math.sqrt(b.variance + c.variance)
    return {
      estimate,
      ...keepSide(around(estimate, se * multiplier), opts.side),
      baseline: b.estimate,
      canary: c.estimate,
      se: Number.isNaN(se) ? Infinity : se,
      t,
      relative: false
    }
  }
  const usable = b.estimate !== 0 && !Number.isNaN(b.estimate)
  const estimate = usable ? c.estimate / b.estimate - 1 : NaN
  const bounds = usable ? fiellerRelative(b, c, multiplier) : { lower: -Infinity, upper: Infinity }
  // The standard error of the relative change at the estimate (for reports and projections).
  const rb2 = b.estimate * b.estimate
  const se = usable
    ? Math.sqrt(c.variance / rb2 + (c.estimate * c.estimate * b.variance) / (rb2 * rb2))
    : Infinity
  return {
    estimate,
    ...keepSide(
      Number.isFinite(bounds.lower) && Number.isFinite(bounds.upper)
        ? bounds
        : { lower: -Infinity, upper: Infinity },
      opts.side
    ),
    baseline: b.estimate,
    canary: c.estimate,
    se: Number.isNaN(se) ? Infinity : se,
    t,
    relative: true
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
  opts: { tStar: number; bernoulliFloor?: boolean; designEffect?: number; side?: Side }
): Interval {
  const arm = armEstimate(m, opts.bernoulliFloor ?? false, opts.designEffect)
  const multiplier = boundaryMultiplier(arm.n, alpha, opts.tStar, opts.side !== undefined)
  const halfWidth = Math.sqrt(arm.variance) * multiplier
  return { estimate: arm.estimate, ...keepSide(around(arm.estimate, halfWidth), opts.side) }
}
