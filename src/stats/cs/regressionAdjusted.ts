import {
  cubedSum,
  productIndex,
  V_COVARIATES,
  V_PRE_X,
  V_PRE_Y,
  V_REQUESTS,
  V_X,
  V_Y
} from '../../sketch/adjustedMoments.js'
import type { AdjustedMoments } from '../../sketch/types.js'
import { boundaryMultiplier } from './mixture.js'
import { keepSide, type DifferenceInterval, type Side } from './types.js'

/**
 * Regression adjustment (CUPED) in its anytime-valid form: the confidence sequence for the
 * difference of two arms' means (or sum-over-sum ratios) after adjusting for covariates that the
 * change cannot move, so the per-user variation they explain no longer widens the interval.
 *
 * References:
 * - Lindon, Ham, Tingley & Bojinov, "Anytime-valid linear models and regression adjusted causal
 *   inference in randomized experiments", arXiv:2210.08589 (2022; v4 2024). Their model-free
 *   sequential inference for the treatment effect in a randomized experiment (the
 *   heteroskedasticity-robust asymptotic confidence sequence, their section on randomized
 *   designs): the OLS treatment coefficient of y on (1, treatment, covariates) plus or minus its
 *   robust (sandwich) standard error times sqrt(((g + n) / n) log((g + n) / (g alpha^2))), valid
 *   at every n. Their R package avlm computes that radius as `z_radius(g, n, alpha)`.
 * - Deng, Xu, Kohavi & Walker, "Improving the sensitivity of online controlled experiments by
 *   utilizing pre-experiment data" (CUPED), WSDM 2013: the pre-experiment value of the same metric
 *   as the covariate, theta the pooled regression slope, variance reduced by 1 - rho^2.
 * - Deng, Knoblich & Lu, "Applying the delta method in metric analytics", KDD 2018, Sections 3-4:
 *   a per-request metric over randomized users is a ratio of per-user sums; its influence per user
 *   is (x_i - R y_i) / ybar, and CUPED applies to that linearisation.
 *
 * The radius above is the two-sided normal mixture of ./mixture.ts with g = 1 / rho^2:
 * sqrt(t) csRadius(t, 1, alpha, rho) = sqrt(((t rho^2 + 1) / (t rho^2)) log((t rho^2 + 1) / alpha^2)),
 * so the adjusted and the unadjusted sequences (./ratio.ts) share one boundary and one t* and
 * differ only in the standard error: the width ratio is sqrt(1 - variance reduction). One end
 * alone (`side`) uses the one-sided mixture's multiplier, as ratio.ts does (boundaryMultiplier).
 */

/** Why the adjusted sequence is not used for this comparison (the unadjusted one is, instead). */
export type AdjustmentFallback = 'too-few-units' | 'no-covariate' | 'explains-nothing'

/** Why a covariate was left out of the regression. */
export type CovariateDropped =
  /** Too few units with pre-exposure data (fewer than MIN_COVERED_UNITS). */
  | 'low-coverage'
  /** No variation in either arm. */
  | 'constant'
  /** A linear combination of the covariates before it. */
  | 'collinear'
  /**
   * A request covariate whose arms differ beyond what chance allows (the same boundary as the
   * metric, on the covariate): it is not unaffected by the change.
   */
  | 'imbalanced'

export interface RegressionAdjustment {
  /** The adjusted confidence sequence; undefined when `fallback` says why it is not used. */
  interval?: DifferenceInterval
  /**
   * 1 - adjusted variance / unadjusted variance of the absolute difference (NaN when it cannot
   * be computed): 0.4 means the interval is sqrt(0.6) = 0.77 times as wide at the same n.
   */
  varianceReduction: number
  /** Covariates in the regression: `pre-exposure level` (the metric's own), request covariates. */
  covariates: string[]
  dropped: { covariate: string; why: CovariateDropped }[]
  /**
   * A bound on the skewness of the adjusted estimator (each arm lent the larger per-cluster
   * skewness of the two, as stats/clt.ts sharedSkewness does for the unadjusted one), from the
   * moments' third-order sums; undefined without them or without an interval.
   */
  skewness?: number
  /** Clusters (units, or requests without one) per arm, and those with pre-exposure data. */
  units: { baseline: number; canary: number }
  covered: { baseline: number; canary: number }
  fallback?: AdjustmentFallback
}

/** The name of the pre-exposure covariate in reports (two regressors: its pre.x and pre.y sums). */
export const PRE_EXPOSURE = 'pre-exposure level'
/** Fewer units with pre-exposure data than this (both arms) and it is left out. */
export const MIN_COVERED_UNITS = 10
/**
 * Below this variance reduction the adjustment is not worth its name: the unadjusted sequence is
 * used, and the reduction is still reported. Switching between the two at this threshold moves
 * the interval by a small fraction of its width (when theta explains under 1% of the variance,
 * the adjustment theta (h_c - h_b) is about a tenth of a standard error).
 */
export const MIN_REDUCTION = 0.01

interface ArmFit {
  n: number
  covered: number
  mean: Float64Array
  /** Sample covariance of v (n - 1 denominator), d x d row-major. */
  cov: Float64Array
  /** R = xbar / ybar, and its gradient in the mean of v (delta method). */
  ratio: number
  grad: Float64Array
}

function armFit(m: AdjustedMoments): ArmFit | undefined {
  const d = m.sums.length
  const n = m.n
  const ybar = (m.sums[V_Y] as number) / n
  if (!(n >= 2) || !(ybar > 0)) return undefined
  const mean = Float64Array.from(m.sums, s => s / n)
  const cov = new Float64Array(d * d)
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const c =
        ((m.products[productIndex(i, j, d)] as number) -
          n * (mean[i] as number) * (mean[j] as number)) /
        (n - 1)
      cov[i * d + j] = c
      cov[j * d + i] = c
    }
  }
  const ratio = (mean[V_X] as number) / ybar
  const grad = new Float64Array(d)
  // R = xbar / ybar: dR/dxbar = 1 / ybar, dR/dybar = -R / ybar (Deng et al. 2018, Section 3).
  grad[V_X] = 1 / ybar
  grad[V_Y] = -ratio / ybar
  return { n, covered: m.covered, mean, cov, ratio, grad }
}

/** u' S w for d-vectors and a d x d matrix. */
function quad(u: Float64Array, s: Float64Array, w: Float64Array): number {
  const d = u.length
  let sum = 0
  for (let i = 0; i < d; i++) {
    const ui = u[i] as number
    if (ui === 0) continue
    let row = 0
    for (let j = 0; j < d; j++) row += (s[i * d + j] as number) * (w[j] as number)
    sum += ui * row
  }
  return sum
}

/**
 * A covariate as a smooth function h of an arm's mean vector whose value is the same in both arms
 * in expectation (pre-exposure sums: randomisation; a request covariate's mean per request: the
 * policy declares it unaffected). `jacobian` is its gradient at the arm's mean.
 */
interface Regressor {
  name: string
  value(a: ArmFit): number
  jacobian(a: ArmFit): Float64Array
}

const unitVector = (d: number, i: number): Float64Array => {
  const e = new Float64Array(d)
  e[i] = 1
  return e
}

function preExposureRegressors(d: number): Regressor[] {
  // The unit's pre-exposure sums, as two regressors: their span holds the linearised pre-period
  // ratio pre.x - P pre.y (Deng et al. 2018's CUPED for a ratio), and units without pre-exposure
  // data (both 0) are predicted by the intercept.
  return [V_PRE_X, V_PRE_Y].map(i => ({
    name: PRE_EXPOSURE,
    value: a => a.mean[i] as number,
    jacobian: () => unitVector(d, i)
  }))
}

function requestRegressor(d: number, j: number, name: string): Regressor {
  const z = V_COVARIATES + j
  // The arm's mean of the covariate per request, zbar / rbar (delta method, as for R).
  return {
    name,
    value: a => (a.mean[z] as number) / (a.mean[V_REQUESTS] as number),
    jacobian: a => {
      const rbar = a.mean[V_REQUESTS] as number
      const g = new Float64Array(d)
      g[z] = 1 / rbar
      g[V_REQUESTS] = -(a.mean[z] as number) / (rbar * rbar)
      return g
    }
  }
}

export interface RegressionAdjustedOptions {
  relative: boolean
  /** Clusters, both arms, at which the sequence is tightest (as ratioDifferenceCS). */
  tStar: number
  /** Only this end, valid alone at alpha (as ratioDifferenceCS). */
  side?: Side
  /**
   * The variance reduction below which no interval is given (`explains-nothing`); default
   * MIN_REDUCTION. A bounded mean passes -Infinity: its adjusted sequence stands beside its
   * nonasymptotic one, whose alpha it has paid for either way (analysis/varianceReduction.ts);
   * a reduction that cannot be computed (no variance at all) still gives none.
   */
  minReduction?: number
}

/**
 * The regression-adjusted confidence sequence for canary - baseline (or canary / baseline - 1) of
 * a mean or ratio metric, clustered by unit, from each arm's AdjustedMoments.
 *
 * Estimator (CUPED with the delta method; Lindon et al.'s OLS with a treatment indicator): with
 * R_a the arm's ratio, h_a its covariates (pre-exposure sums per unit, request covariates per
 * request) and theta the pooled within-arm regression of the linearised metric on the linearised
 * covariates,
 *   tau = (R_c - R_b) - theta' (h_c - h_b),
 *   Var(tau) = sum over arms of (g_a - J_a' theta)' S_a (g_a - J_a' theta) / n_a,
 * g_a and J_a the gradients of R and h at the arm's mean, S_a the covariance of the per-unit
 * vectors (a sandwich variance: no model for the outcome is assumed, heteroskedasticity and
 * unequal slopes included), times n / (n - K) for the K slopes estimated. Clusters are units, so
 * the variance is valid under clustering by unit. The half-width is sqrt(Var) sqrt(t)
 * csRadius(t, 1, alpha, rho) at t = n_b + n_c clusters (Lindon et al. 2022, the asymptotic
 * regression-adjusted CS; see the note at the top).
 *
 * Relative: the canary - (1 + r) baseline contrast of the adjusted arm means (Fieller), inverted:
 * r is in the sequence while |A_c - u A_b| <= radius * sd(u), u = 1 + r, a quadratic in u; when
 * the baseline itself is not bounded away from 0 the set is unbounded.
 *
 * Falls back (interval undefined, `fallback` says why) with fewer than K + 2 units in the
 * regression, with no usable covariate, or when the covariates explain under MIN_REDUCTION of the
 * variance. A request covariate whose arms differ beyond the boundary is dropped ('imbalanced').
 */
export function regressionAdjustedCS(
  baseline: AdjustedMoments,
  canary: AdjustedMoments,
  alpha: number,
  opts: RegressionAdjustedOptions
): RegressionAdjustment {
  const report: RegressionAdjustment = {
    varianceReduction: NaN,
    covariates: [],
    dropped: [],
    units: { baseline: baseline.n, canary: canary.n },
    covered: { baseline: baseline.covered, canary: canary.covered }
  }
  const b = armFit(baseline)
  const c = armFit(canary)
  const d = baseline.sums.length
  if (!b || !c || canary.sums.length !== d) return { ...report, fallback: 'too-few-units' }
  const t = b.n + c.n
  // The boundary's multiplier of the standard error (see the note at the top of this file).
  const k = boundaryMultiplier(t, alpha, opts.tStar)

  const candidates = candidateRegressors(baseline, b, c, k, report)
  const fit = fitTheta(candidates, b, c, report)
  const vUnadjusted = quad(b.grad, b.cov, b.grad) / b.n + quad(c.grad, c.cov, c.grad) / c.n
  if (fit.regressors.length === 0) return { ...report, fallback: 'no-covariate' }
  if (t - 2 - fit.regressors.length < 1) return { ...report, fallback: 'too-few-units' }

  const correction = (t - 2) / (t - 2 - fit.regressors.length)
  const jb = combine(fit, b, d)
  const jc = combine(fit, c, d)
  const rb = minus(b.grad, jb)
  const rc = minus(c.grad, jc)
  const vAdjusted =
    (correction * quad(rb, b.cov, rb)) / b.n + (correction * quad(rc, c.cov, rc)) / c.n
  report.varianceReduction = vUnadjusted > 0 ? 1 - vAdjusted / vUnadjusted : NaN
  report.covariates = [...new Set(fit.regressors.map(r => r.name))]
  // A name with a regressor kept (the pre-exposure level has two) is used, not dropped.
  report.dropped = report.dropped.filter(x => !report.covariates.includes(x.covariate))
  if (!(report.varianceReduction >= (opts.minReduction ?? MIN_REDUCTION)))
    return { ...report, fallback: 'explains-nothing' }

  const shift = (a: ArmFit) => fit.regressors.reduce((s, r, i) => s + fit.theta[i]! * r.value(a), 0)
  // The covariates' balance check above is two-sided; the interval may want one end only.
  const kEnd = opts.side ? boundaryMultiplier(t, alpha, opts.tStar, true) : k
  const relative = opts.relative
    ? relativeInterval({ b, c, jb, jc, shift, correction, k: kEnd })
    : undefined
  const interval = keepSide(
    relative ? relative.interval : absoluteInterval(b, c, shift(c) - shift(b), vAdjusted, kEnd),
    opts.side
  )
  // The estimator's influence per cluster: the residual weights of each arm (absolute), or the
  // Fieller contrast's at the estimate (relative).
  const weights = relative ? relative.weights : { baseline: rb, canary: rc }
  const skewness = sharedSkewness(baseline, weights.baseline, canary, weights.canary)
  return {
    ...report,
    interval: { ...interval, t },
    ...(skewness !== undefined && { skewness })
  }
}

/**
 * The skewness bound of stats/clt.ts (sharedSkewness: Cochran's rule on the estimator, each arm
 * lent the larger of the two arms' per-cluster skewness) for the adjusted estimator, whose
 * influence per cluster in arm a is w_a' v: from its first three raw sums over clusters,
 * S1 = w' sums, S2 = w' P w, S3 = sum (w' v)^3, the central moments m2 and m3 per cluster give the
 * arm's per-cluster skewness m3 / m2^1.5 and the variance of its mean m2 / n.
 */
function sharedSkewness(
  bm: AdjustedMoments,
  wb: Float64Array,
  cm: AdjustedMoments,
  wc: Float64Array
): number | undefined {
  const arm = (m: AdjustedMoments, w: Float64Array) => {
    const s3 = cubedSum(m, w)
    if (s3 === undefined || !(m.n >= 3)) return undefined
    const d = m.sums.length
    let s1 = 0
    let s2 = 0
    for (let i = 0; i < d; i++) {
      s1 += (w[i] as number) * (m.sums[i] as number)
      for (let j = 0; j < d; j++) {
        s2 += (w[i] as number) * (w[j] as number) * (m.products[productIndex(i, j, d)] as number)
      }
    }
    const mean = s1 / m.n
    const m2 = s2 / m.n - mean * mean
    const m3 = s3 / m.n - 3 * mean * (s2 / m.n) + 2 * mean ** 3
    if (!(m2 > 0) || !Number.isFinite(m3)) return undefined
    return { g: Math.abs(m3) / m2 ** 1.5, variance: m2 / m.n, n: m.n }
  }
  const b = arm(bm, wb)
  const c = arm(cm, wc)
  if (!b || !c) return undefined
  const term = (a: { variance: number; n: number }) => a.variance ** 1.5 / Math.sqrt(a.n)
  return (Math.max(b.g, c.g) * (term(b) + term(c))) / (b.variance + c.variance) ** 1.5
}

/** The covariates to try: pre-exposure sums with enough coverage, then each request covariate. */
function candidateRegressors(
  m: AdjustedMoments,
  b: ArmFit,
  c: ArmFit,
  k: number,
  report: RegressionAdjustment
): Regressor[] {
  const d = m.sums.length
  const out: Regressor[] = []
  if (b.covered + c.covered > 0 && b.covered + c.covered < MIN_COVERED_UNITS) {
    report.dropped.push({ covariate: PRE_EXPOSURE, why: 'low-coverage' })
  } else if (b.covered + c.covered > 0) {
    // Randomisation balances the pre-exposure sums, and the share of units that have any: a
    // chance imbalance in either is what the adjustment corrects (units without history are
    // predicted by the intercept). A broken design is caught elsewhere: a lookback that saw the
    // canary voids the pre-exposure data (the evidence builder), and an assignment that is not
    // random biases the unadjusted comparison alike (the traffic-split and segment-mix checks).
    out.push(...preExposureRegressors(d))
  }
  m.covariates.forEach((name, j) => {
    const r = requestRegressor(d, j, name)
    if (!(b.mean[V_REQUESTS]! > 0 && c.mean[V_REQUESTS]! > 0)) return
    if (balanced(r, b, c, k)) out.push(r)
    else report.dropped.push({ covariate: name, why: 'imbalanced' })
  })
  return out
}

/**
 * A covariate is balanced when the difference of its arms is inside the same anytime-valid
 * boundary the metric uses (so a truly unaffected covariate is dropped at no look with probability
 * at least 1 - alpha). A constant one passes here and is dropped by fitTheta.
 */
function balanced(r: Regressor, b: ArmFit, c: ArmFit, k: number): boolean {
  const jb = r.jacobian(b)
  const jc = r.jacobian(c)
  const variance = quad(jb, b.cov, jb) / b.n + quad(jc, c.cov, jc) / c.n
  const diff = r.value(c) - r.value(b)
  return !(diff * diff > k * k * variance)
}

interface ThetaFit {
  regressors: Regressor[]
  theta: number[]
}

/**
 * theta = Shh^-1 Shg, the pooled within-arm covariances of the linearised covariates (J_a v) and
 * the linearised metric (g_a' v), weighted by n_a - 1: the OLS slopes of y on (1, arm, covariates)
 * (Lindon et al.; CUPED's pooled theta). A Cholesky factorisation in the covariates' order drops
 * one whose pivot is not above 1e-9 of its own variance (constant, or collinear with earlier ones,
 * e.g. the last level of a categorical covariate whose levels sum to the requests).
 */
function fitTheta(
  candidates: Regressor[],
  b: ArmFit,
  c: ArmFit,
  report: RegressionAdjustment
): ThetaFit {
  const jac = candidates.map(r => [r.jacobian(b), r.jacobian(c)] as const)
  const pooled = (
    u: readonly [Float64Array, Float64Array],
    w: readonly [Float64Array, Float64Array]
  ) => ((b.n - 1) * quad(u[0], b.cov, w[0]) + (c.n - 1) * quad(u[1], c.cov, w[1])) / (b.n + c.n - 2)
  const kept: number[] = []
  // Rows of the Cholesky factor L of the kept covariates' covariance, and L^-1 Shg.
  const rows: number[][] = []
  const z: number[] = []
  candidates.forEach((r, i) => {
    const own = pooled(jac[i]!, jac[i]!)
    const row = kept.map(j => pooled(jac[i]!, jac[j]!))
    for (let p = 0; p < row.length; p++) {
      let s = row[p]!
      for (let q = 0; q < p; q++) s -= rows[p]![q]! * row[q]!
      row[p] = s / rows[p]![p]!
    }
    const pivot = own - row.reduce((s, x) => s + x * x, 0)
    if (!(own > 0)) {
      if (!report.dropped.some(x => x.covariate === r.name))
        report.dropped.push({ covariate: r.name, why: 'constant' })
      return
    }
    if (!(pivot > 1e-9 * own)) {
      if (!report.dropped.some(x => x.covariate === r.name))
        report.dropped.push({ covariate: r.name, why: 'collinear' })
      return
    }
    const l = Math.sqrt(pivot)
    const hg = pooled(jac[i]!, [b.grad, c.grad])
    z.push((hg - row.reduce((s, x, q) => s + x * z[q]!, 0)) / l)
    rows.push([...row, l])
    kept.push(i)
  })
  // Back substitution: L' theta = z.
  const theta = new Array<number>(kept.length).fill(0)
  for (let p = kept.length - 1; p >= 0; p--) {
    let s = z[p]!
    for (let q = p + 1; q < kept.length; q++) s -= rows[q]![p]! * theta[q]!
    theta[p] = s / rows[p]![p]!
  }
  return { regressors: kept.map(i => candidates[i]!), theta }
}

/** sum_k theta_k J_a,k: the gradient of theta' h at the arm's mean. */
function combine(fit: ThetaFit, a: ArmFit, d: number): Float64Array {
  const out = new Float64Array(d)
  fit.regressors.forEach((r, i) => {
    const j = r.jacobian(a)
    for (let p = 0; p < d; p++) out[p] = (out[p] as number) + fit.theta[i]! * (j[p] as number)
  })
  return out
}

const minus = (u: Float64Array, w: Float64Array): Float64Array =>
  u.map((x, i) => x - (w[i] as number))

function absoluteInterval(
  b: ArmFit,
  c: ArmFit,
  adjustment: number,
  variance: number,
  k: number
): Omit<DifferenceInterval, 't'> {
  const estimate = c.ratio - b.ratio - adjustment
  const se = Math.sqrt(variance)
  const h = se * k
  const finite = Number.isFinite(estimate) && Number.isFinite(h)
  return {
    estimate,
    lower: finite ? estimate - h : -Infinity,
    upper: finite ? estimate + h : Infinity,
    baseline: b.ratio,
    canary: c.ratio,
    se: Number.isFinite(se) ? se : Infinity,
    relative: false
  }
}

/**
 * The relative change by Fieller's inversion of the contrast A_c - u A_b, u = 1 + r, where
 * A_a = R_a - theta' (h_a - hbar) are the adjusted arm means (hbar: both arms pooled, so that
 * A_c - A_b is the absolute estimate). Its gradient in arm c's mean is p_c + u q_c and in arm b's
 * p_b + u q_b (delta method), so its variance is v0 + 2 v1 u + v2 u^2, and the sequence is the set
 * of u with (A_c - u A_b)^2 <= k^2 (v0 + 2 v1 u + v2 u^2).
 */
function relativeInterval(x: {
  b: ArmFit
  c: ArmFit
  jb: Float64Array
  jc: Float64Array
  shift: (a: ArmFit) => number
  correction: number
  k: number
}): {
  interval: Omit<DifferenceInterval, 't'>
  weights: { baseline: Float64Array; canary: Float64Array }
} {
  const { b, c, jb, jc, k } = x
  const n = b.n + c.n
  const wb = b.n / n
  const wc = c.n / n
  const hbar = wb * x.shift(b) + wc * x.shift(c)
  const ab = b.ratio - (x.shift(b) - hbar)
  const ac = c.ratio - (x.shift(c) - hbar)
  const pc = c.grad.map((g, i) => g - wb * (jc[i] as number))
  const qc = jc.map(j => -wc * j)
  const pb = jb.map(j => wb * j)
  const qb = b.grad.map((g, i) => -g + wc * (jb[i] as number))
  const v = (u: Float64Array, w: Float64Array, a: ArmFit) =>
    (x.correction * quad(u, a.cov, w)) / a.n
  const v0 = v(pc, pc, c) + v(pb, pb, b)
  const v1 = v(pc, qc, c) + v(pb, qb, b)
  const v2 = v(qc, qc, c) + v(qb, qb, b)
  const estimate = ab !== 0 ? ac / ab - 1 : NaN
  const qa = ab * ab - k * k * v2
  const qbHalf = ac * ab + k * k * v1
  const qcc = ac * ac - k * k * v0
  const disc = qbHalf * qbHalf - qa * qcc
  const bounded = ab > 0 && qa > 0 && disc >= 0 && Number.isFinite(disc)
  const root = Math.sqrt(Math.max(0, disc))
  const uHat = ac / ab
  const se = ab > 0 ? Math.sqrt(Math.max(0, v0 + 2 * v1 * uHat + v2 * uHat * uHat)) / ab : Infinity
  const at = Number.isFinite(uHat) ? uHat : 1
  return {
    interval: {
      estimate,
      lower: bounded ? (qbHalf - root) / qa - 1 : -Infinity,
      upper: bounded ? (qbHalf + root) / qa - 1 : Infinity,
      baseline: b.ratio,
      canary: c.ratio,
      se: Number.isFinite(se) ? se : Infinity,
      relative: true
    },
    weights: {
      baseline: pb.map((p, i) => p + at * (qb[i] as number)),
      canary: pc.map((p, i) => p + at * (qc[i] as number))
    }
  }
}
