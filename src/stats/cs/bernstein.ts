/**
 * Nonasymptotic confidence sequences (CS) for bounded metrics (rates, scores in [0, 1], judge
 * outcomes, any metric with a declared range), computed from sufficient statistics: a small or
 * zero-variance sample never gives a narrow interval.
 *
 * One arm. Values rescaled to z in [0, 1], with mean mu, seen in some order z_1, z_2, ...; let
 * zhat_i be any predictable value in [0, 1] (here the running mean of z_1..z_{i-1}, and 1/2 for
 * i = 1). For every lambda in [0, 1),
 *
 *   M_t(lambda) = exp(lambda S_t - psi_E(lambda) V_t),  S_t = sum (z_i - mu),
 *   V_t = sum (z_i - zhat_i)^2,  psi_E(lambda) = -log(1 - lambda) - lambda,
 *
 * is a nonnegative supermartingale: Fan, Grama & Liu, "Exponential inequalities for martingales
 * with applications", Electron. J. Probab. 20 (2015), Lemma 4.1, give exp(lambda xi - psi_E(lambda)
 * xi^2) <= 1 + lambda xi for xi >= -1, applied to xi = z_i - zhat_i, and E[(1 + lambda xi)
 * exp(lambda (zhat_i - mu))] <= 1 since e^d (1 - d) <= 1. This is the empirical-Bernstein
 * supermartingale of Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
 * nonasymptotic confidence sequences", Ann. Statist. 49 (2021), Theorem 4 (sub-exponential with
 * scale c = 1), and of Waudby-Smith & Ramdas, "Estimating means of bounded random variables by
 * betting", J. R. Stat. Soc. B 86 (2024), Section 3.2 (their PrPl-EB, eq. (13), with a constant
 * lambda). Mixing over lambda with any probability distribution keeps it a supermartingale (the
 * method of mixtures; Howard et al. 2021, Section 3), and Ville's inequality gives
 * P(exists t: mixture_t >= 1 / alpha) <= alpha.
 *
 * From sufficient statistics. V_t needs the sequence, but it has an upper bound from n, sum z and
 * sum z^2 alone, and a larger V_t only makes the supermartingale smaller (psi_E >= 0), so the CS
 * stays valid. With the running mean, (z_i - zbar_{i-1})^2 = (i / (i - 1)) w_i where the w_i are
 * Welford's increments (Welford, Technometrics 4 (1962)): w_i <= (i - 1) / i and sum_{i>=2} w_i
 * = SS_t, the sum of squared deviations about the mean. So V_t = 1/4 + SS_t + sum w_i / (i - 1),
 * and the last sum, a sum of w_i with decreasing weights, is largest when the w_i are as large as
 * they may be at the smallest i: at most H_k - 1 (H the harmonic numbers) for the first k with
 * k - H_k >= SS_t, and at most H_t - 1. varianceBound() returns this bound.
 *
 * Clustering. Requests of one user are correlated; the supermartingale above needs them
 * independent. The variance term is then multiplied by the design effect D >= 1 estimated from
 * the per-unit moments (Kish, Survey Sampling, 1965): D SS_t + 1/4 + (H_k - 1). For independent
 * requests this only enlarges V_t (valid as above); for clustered ones the CS behaves like the
 * cluster-robust asymptotic CS once the sample is large, while the range term still keeps a small
 * or zero-variance sample from a narrow interval.
 *
 * Mixture over lambda. A discrete distribution on a geometric grid of lambda in (0, 0.95], with
 * weights from a log-normal density centred where the boundary is tightest at the sample size
 * where decisions are expected (lambda* = sqrt(2 log(1 / alpha) / v*), the sub-Gaussian optimum;
 * Howard et al. 2021, Section 3.5 tune their conjugate mixtures the same way). Any discrete
 * mixture is a valid mixture; the weights only decide where it is tightest.
 *
 * Two arms. The canary's and the baseline's supermartingales multiply (only one of them moves at
 * each observation, so the product of the interleaved sequences is a supermartingale), and the
 * set of (mu_b, mu_c) where the product stays below 2 / alpha, on each side, is a joint
 * confidence region valid at every look. Every contrast mu_c - kappa mu_b is then bounded by
 * projecting that one region, for all kappa at once: kappa = 1 is the absolute change,
 * kappa = 1 + tau the Fieller-type contrast of a relative tolerance, and the relative interval is
 * the range of mu_c / mu_b over the region (Fieller, J. R. Stat. Soc. B 16 (1954)), never a
 * delta-method ratio that uses the observed canary level.
 *
 * One side (`side`). A decision reads one bound per side: a promotion the harm's upper bound, a
 * rollback its lower bound, a limit's breach the bound on the wrong side. Each side's test is
 * one nonnegative supermartingale (one arm: the mixture betting on deviations in that
 * direction; two arms: for the upper bound of mu_c - kappa mu_b, kappa >= 0, the product of the
 * canary's upper-side and the baseline's lower-side mixtures, and the reverse for the lower
 * bound), so Ville's inequality at 1 / alpha bounds that side alone at alpha (Howard et al.
 * 2021, Section 3; Waudby-Smith & Ramdas 2024, Section 4: a one-sided CS is the two-sided one's
 * construction at alpha instead of alpha / 2). With `side`, only that bound is computed, at
 * level 1 / alpha; the other is returned infinite. Without it, both at 2 / alpha as above.
 */

export type { Side }

/** The log of the Ville level: 1 / alpha for one side, 2 / alpha for both (alpha / 2 a side). */
export const villeLevel = (alpha: number, side?: Side): number => Math.log((side ? 1 : 2) / alpha)

import type { Side } from './types.js'

/** One arm of a bounded metric, in its own units, from a sketch. */
export interface BoundedArm {
  /** Requests with a value: the time of the sequence. */
  n: number
  /** Sum of the values. */
  sum: number
  /** Sum of the squared values, over requests (an upper bound is fine: it only widens). */
  squares: number
  /** Variance inflation from clustering, >= 1 (1 for independent requests). */
  designEffect: number
}

/** The metric's range [lo, hi]: every value lies in it. */
export interface Range {
  lo: number
  hi: number
}

/** Where the mixture over lambda is centred: the arm's expected size when decisions are due. */
export interface Tuning {
  /** Requests of this arm at which the CS should be tightest. */
  tStar: number
}

/** psi_E(lambda) = -log(1 - lambda) - lambda (Howard et al. 2021, sub-exponential, c = 1). */
export function psiE(lambda: number): number {
  return -Math.log1p(-lambda) - lambda
}

/** Upper bound on H_k (Euler-Maclaurin): H_k < ln k + gamma + 1 / (2k). */
function harmonicUpper(k: number): number {
  if (k <= 50) {
    let h = 0
    for (let i = 1; i <= k; i++) h += 1 / i
    return h
  }
  return Math.log(k) + 0.5772156649015329 + 1 / (2 * k)
}

/**
 * Upper bound on V_t = sum (z_i - zhat_i)^2 with zhat_i the running mean (1/2 first), from the
 * sum of squared deviations about the mean, SS, of n values in [0, 1] (see the file comment).
 */
export function varianceBound(n: number, ss: number, designEffect = 1): number {
  if (!(n >= 1)) return 0
  const s = Math.max(0, ss)
  // The smallest k with k - H_k >= SS is at most SS + 2 + ln(SS + 2).
  const k = Math.min(n, Math.ceil(s + 2 + Math.log(s + 2)))
  return Math.max(1, designEffect) * s + 0.25 + Math.max(0, harmonicUpper(k) - 1)
}

/** A discrete mixture over lambda: log-weights and the grid. */
export interface LambdaMixture {
  lambdas: Float64Array
  logWeights: Float64Array
}

const LAMBDA_MAX = 0.95
/** Grid step in log(lambda), and how far (in log-normal sds) the grid reaches below the centre. */
const GRID_STEP = 0.25
const SPREAD = 1.25
const BELOW = 6

/**
 * The mixture over lambda, centred at lambda* = sqrt(2 log(1 / alpha) / v*) with v* = tStar *
 * VARIANCE_GUESS (the variance process expected when decisions are due), log-normal with sd
 * SPREAD in log(lambda): weights are the density times the grid step, normalised by the
 * density's integral, so they sum to at most 1.
 */
export function lambdaMixture(alpha: number, tuning: Tuning): LambdaMixture {
  const vStar = Math.max(1, tuning.tStar) * VARIANCE_GUESS
  const centre = Math.log(Math.min(LAMBDA_MAX, Math.sqrt((2 * Math.log(1 / alpha)) / vStar)))
  const g = logNormalGrid(centre, Math.log(LAMBDA_MAX), centre - BELOW * SPREAD)
  return { lambdas: g.points, logWeights: g.logWeights }
}

/**
 * A discrete mixture's grid: points e^x for x from `top` down to `bottom` in steps of GRID_STEP,
 * weighted by a log-normal density in x centred at `centre` with sd SPREAD (times the step, so
 * the weights sum to at most about 1). Any such weights make a valid mixture; they only decide
 * where it is tightest.
 */
export function logNormalGrid(
  centre: number,
  top: number,
  bottom: number
): { points: Float64Array; logWeights: Float64Array } {
  const count = Math.max(1, Math.floor((top - bottom) / GRID_STEP) + 1)
  const points = new Float64Array(count)
  const logWeights = new Float64Array(count)
  const logNorm = Math.log(GRID_STEP / (SPREAD * Math.sqrt(2 * Math.PI)))
  for (let k = 0; k < count; k++) {
    const x = top - k * GRID_STEP
    points[k] = Math.exp(x)
    const d = (x - centre) / SPREAD
    logWeights[k] = logNorm - 0.5 * d * d
  }
  return { points, logWeights }
}

/**
 * The variance process expected when decisions are due, per unit of t* (the arm's expected units
 * then, analysis/analyze.ts): about 10 requests a unit, of a variance of about 0.05 on the [0, 1]
 * scale (a quality score's is about 0.02, an error rate's 0.01, a judge's 0.1), so v* = 0.5 t*.
 * Where the mixture is centred, not an assumption of validity: bench/stats.bench.ts shows the
 * widths it gives from 100 to 100,000 requests.
 */
const VARIANCE_GUESS = 0.5

/**
 * One side of one arm: h(s) = log sum_k w_k exp(lambda_k s - psi_E(lambda_k) V), convex and
 * increasing in s (a deviation of the sum in the tested direction), and its inverse.
 */
export class ArmBoundary {
  private readonly base: Float64Array
  private readonly lambdas: Float64Array
  /** The derivative dh/ds at the last point evaluated by h(). */
  slope = 0

  constructor(mixture: LambdaMixture, v: number) {
    this.lambdas = mixture.lambdas
    this.base = new Float64Array(mixture.lambdas.length)
    for (let k = 0; k < this.base.length; k++) {
      this.base[k] = mixture.logWeights[k]! - psiE(mixture.lambdas[k]!) * v
    }
  }

  /**
   * log of the mixture at deviation s (a streaming log-sum-exp, one exp per component); its
   * derivative in s, the mixture-weighted mean of lambda, is left in `slope`.
   */
  h(s: number): number {
    const base = this.base
    const lambdas = this.lambdas
    let max = -Infinity
    let sum = 0
    let weighted = 0
    for (let k = 0; k < base.length; k++) {
      const lambda = lambdas[k]!
      const e = base[k]! + lambda * s
      if (e > max) {
        const scale = Math.exp(max - e)
        sum = sum * scale + 1
        weighted = weighted * scale + lambda
        max = e
      } else {
        const w = Math.exp(e - max)
        sum += w
        weighted += w * lambda
      }
    }
    this.slope = weighted / sum
    return max + Math.log(sum)
  }

  /** The last root found: the next inverse usually starts next to it. */
  private last = NaN

  /**
   * The s with h(s) = level. h is convex and increasing, so Newton's method from any point where
   * h >= level converges monotonically from above (the tangent of a convex function lies below
   * it, so no iterate passes the root): every iterate is a conservative bound, and the last one is
   * within 1e-10 of the root. On return, `slope` is h'(s) at the root (to that precision).
   */
  inverse(level: number): number {
    let s = Number.isFinite(this.last) ? this.last : 1
    let h = this.h(s)
    for (let step = Math.max(1, Math.abs(s)); h < level; step *= 2) {
      s += step
      h = this.h(s)
    }
    for (let i = 0; i < 100; i++) {
      const next = s - (h - level) / this.slope
      if (!(next < s)) break
      const done = s - next <= 1e-10 * Math.max(1, Math.abs(s))
      s = next
      h = this.h(s)
      if (done) break
    }
    this.last = s
    return s
  }
}

/** The arm on the [0, 1] scale: its n, mean and the bound on its variance process. */
interface Scaled {
  n: number
  mean: number
  v: number
}

function scaled(arm: BoundedArm, range: Range): Scaled {
  const w = range.hi - range.lo
  const n = arm.n
  if (!(n >= 1)) return { n: 0, mean: 0.5, v: 0 }
  const mean = Math.min(1, Math.max(0, (arm.sum / n - range.lo) / w))
  // Sum of squared deviations of z = (x - lo) / w about its mean.
  const ss = Math.max(0, arm.squares - (arm.sum * arm.sum) / n) / (w * w)
  return { n, mean, v: varianceBound(n, ss, arm.designEffect) }
}

/**
 * One arm's CS for its mean, in its own units: valid at every look (alpha split over two sides),
 * or, with `side`, that bound alone valid at alpha (the other infinite; see the file comment).
 */
export function boundedCS(
  arm: BoundedArm,
  range: Range,
  alpha: number,
  tuning: Tuning,
  side?: Side
): { estimate: number; lower: number; upper: number } {
  const z = scaled(arm, range)
  const w = range.hi - range.lo
  const lo = side === 'upper' ? -Infinity : range.lo
  const hi = side === 'lower' ? Infinity : range.hi
  if (z.n === 0) return { estimate: NaN, lower: lo, upper: hi }
  // Both sides' mixtures are the same function of the deviation (psi_E does not depend on its
  // sign), so one inverse gives either bound.
  const boundary = new ArmBoundary(lambdaMixture(alpha, tuning), z.v)
  const s = boundary.inverse(villeLevel(alpha, side))
  return {
    estimate: arm.sum / arm.n,
    lower: side === 'upper' ? lo : range.lo + w * Math.max(0, z.mean - s / z.n),
    upper: side === 'lower' ? hi : range.lo + w * Math.min(1, z.mean + s / z.n)
  }
}

/**
 * The maximum of a concave (or quasi-concave) function on [a, b], from the sign of its derivative
 * `slope` (decreasing through 0 at the maximum): the Illinois variant of regula falsi (Dowell &
 * Jarratt, BIT 11 (1971)), to 1e-9 of the bracket, or an end when the derivative keeps its sign.
 */
function maximise(slope: (x: number) => number, a: number, b: number): number {
  if (!(b > a)) return a
  let fa = slope(a)
  if (!(fa > 0)) return a
  let fb = slope(b)
  if (!(fb < 0)) return b
  let side = 0
  const tolerance = 1e-9 * (b - a)
  for (let i = 0; i < 100 && b - a > tolerance; i++) {
    const x = (a * fb - b * fa) / (fb - fa)
    const fx = slope(x)
    if (fx > 0) {
      a = x
      fa = fx
      if (side === 1) fb /= 2
      side = 1
    } else if (fx < 0) {
      b = x
      fb = fx
      if (side === -1) fa /= 2
      side = -1
    } else return x
  }
  return (a + b) / 2
}

/**
 * The two arms on the [0, 1] scale with the boundaries of both sides, built once and projected
 * for as many contrasts as needed.
 */
export class JointRegion {
  readonly c: Scaled
  readonly b: Scaled
  private readonly level: number
  private readonly cBoundary: ArmBoundary
  private readonly bBoundary: ArmBoundary

  constructor(
    baseline: BoundedArm,
    canary: BoundedArm,
    readonly range: Range,
    alpha: number,
    tuning: { baseline: Tuning; canary: Tuning },
    /**
     * Only this side of the contrasts mu_c - kappa mu_b (kappa >= 0) and of the ratio: the
     * product of the canary's supermartingale on that side and the baseline's on the other, at
     * 1 / alpha (the file comment); the projections return the other bound infinite.
     */
    readonly side?: Side
  ) {
    this.b = scaled(baseline, range)
    this.c = scaled(canary, range)
    this.level = villeLevel(alpha, side)
    this.cBoundary = new ArmBoundary(lambdaMixture(alpha, tuning.canary), this.c.v)
    this.bBoundary = new ArmBoundary(lambdaMixture(alpha, tuning.baseline), this.b.v)
  }

  get empty(): boolean {
    return this.b.n === 0 || this.c.n === 0
  }

  /**
   * The points (mc, mb) on the boundary of one side of the joint region, parametrised by the
   * canary's share l = hc(sc) of the level: the canary's deviation sc taken in the direction
   * `sign`, the baseline's sb = hb^-1(level - l) in the direction `bSign`. Along it sc grows and
   * sb shrinks with l, each the inverse of a convex increasing function: concave. l is kept where
   * both means stay in [0, 1] (the parameter space): from where the baseline reaches its headroom
   * (or the canary the far end of its range) to where the canary reaches its headroom (or the
   * baseline the far end of its own). When both headrooms can be reached at once, the corner is
   * inside the region and is the only point returned.
   */
  private boundary(sign: 1 | -1, bSign: 1 | -1) {
    const { b, c } = this
    const room = (arm: Scaled, dir: 1 | -1) => (dir > 0 ? arm.n * (1 - arm.mean) : arm.n * arm.mean)
    const cRoom = room(c, sign)
    const cOther = room(c, sign > 0 ? -1 : 1)
    const bRoom = room(b, bSign)
    const bOther = room(b, bSign > 0 ? -1 : 1)
    const cB = this.cBoundary
    const bB = this.bBoundary
    const clamp = (m: number) => Math.min(1, Math.max(0, m))
    if (cB.h(cRoom) + bB.h(bRoom) <= this.level) {
      const corner = {
        mc: clamp(c.mean + (sign * cRoom) / c.n),
        mb: clamp(b.mean + (bSign * bRoom) / b.n),
        dmc: 0,
        dmb: 0
      }
      return { at: () => corner, lo: 0, hi: 0 }
    }
    const lo = Math.max(cB.h(-cOther), this.level - bB.h(bRoom))
    const hi = Math.min(cB.h(cRoom), this.level - bB.h(-bOther))
    /** The point at share l, with dmc/dl and dmb/dl (sc = hc^-1(l), sb = hb^-1(level - l)). */
    const at = (l: number) => {
      const sc = cB.inverse(l)
      const dsc = 1 / cB.slope
      const sb = bB.inverse(this.level - l)
      const dsb = -1 / bB.slope
      return {
        mc: clamp(c.mean + (sign * sc) / c.n),
        mb: clamp(b.mean + (bSign * sb) / b.n),
        dmc: (sign * dsc) / c.n,
        dmb: (bSign * dsb) / b.n
      }
    }
    return { at, lo, hi: Math.max(lo, hi) }
  }

  /**
   * The largest (sign 1) or smallest (sign -1) mc - kappa mb over the region, in rescaled units,
   * and where it is reached: along the side's boundary (the baseline moving against the canary
   * when kappa >= 0), the objective is a sum of concave functions of l, maximised by golden
   * section.
   */
  extreme(kappa: number, sign: 1 | -1): { value: number; mc: number; mb: number } {
    const bSign: 1 | -1 = kappa >= 0 ? (sign > 0 ? -1 : 1) : sign
    const edge = this.boundary(sign, bSign)
    const slope = (l: number) => {
      const p = edge.at(l)
      return sign * (p.dmc - kappa * p.dmb)
    }
    const p = edge.at(maximise(slope, edge.lo, edge.hi))
    return { value: p.mc - kappa * p.mb, mc: p.mc, mb: p.mb }
  }

  /**
   * The largest (sign 1) or smallest (sign -1) ratio mc / mb over the region, for means on the
   * original scale lo + w m: along the side's boundary the numerator is concave and the
   * denominator convex in l (or the reverse for the smallest), so the ratio is unimodal there and
   * its derivative's sign locates the extreme. Infinite (sign 1) where the baseline can reach 0.
   */
  ratioExtreme(sign: 1 | -1): number {
    const { lo, hi } = this.range
    const w = hi - lo
    const floor = 1e-12 * (Math.abs(lo) + w)
    const edge = this.boundary(sign, sign > 0 ? -1 : 1)
    const slope = (l: number) => {
      const p = edge.at(l)
      const top = lo + w * p.mc
      const base = lo + w * p.mb
      // d/dl (top / base) = w (dmc base - top dmb) / base^2; only its sign matters.
      return base > floor ? sign * (p.dmc * base - top * p.dmb) : -1
    }
    const p = edge.at(maximise(slope, edge.lo, edge.hi))
    const base = lo + w * p.mb
    return base > floor ? (lo + w * p.mc) / base : sign * Infinity
  }
}

/**
 * CS for mu_c - kappa mu_b (kappa = 1: the absolute change; 1 + tau: a relative tolerance's
 * linear contrast), in the metric's units, from the joint region (one bound only when the region
 * has a side).
 */
export function boundedContrastCS(
  region: JointRegion,
  kappa: number
): { estimate: number; lower: number; upper: number } {
  const { lo, hi } = region.range
  const w = hi - lo
  const unscale = (m: number) => lo + w * m
  const estimate = unscale(region.c.mean) - kappa * unscale(region.b.mean)
  if (region.empty) {
    return { estimate: NaN, lower: -Infinity, upper: Infinity }
  }
  const up = region.side === 'lower' ? undefined : region.extreme(kappa, 1)
  const down = region.side === 'upper' ? undefined : region.extreme(kappa, -1)
  return {
    estimate,
    lower: down ? unscale(down.mc) - kappa * unscale(down.mb) : -Infinity,
    upper: up ? unscale(up.mc) - kappa * unscale(up.mb) : Infinity
  }
}

/**
 * The range of mu_c / mu_b - 1 over the joint region: the Fieller-type relative interval, the
 * inversion over kappa of the contrasts mu_c - kappa mu_b (the ratio r is in the interval exactly
 * when the contrast at kappa = 1 + r can be 0). Infinite where the region reaches a baseline of 0.
 */
export function boundedRatioCS(region: JointRegion): {
  estimate: number
  lower: number
  upper: number
} {
  const { lo, hi } = region.range
  const w = hi - lo
  const mb = lo + w * region.b.mean
  const estimate = mb > 0 && !region.empty ? (lo + w * region.c.mean) / mb - 1 : NaN
  if (region.empty) return { estimate, lower: -Infinity, upper: Infinity }
  const upper = region.side === 'lower' ? Infinity : region.ratioExtreme(1)
  const lower = region.side === 'upper' ? -Infinity : region.ratioExtreme(-1)
  return {
    estimate,
    lower: Number.isFinite(lower) ? lower - 1 : -Infinity,
    upper: Number.isFinite(upper) ? upper - 1 : Infinity
  }
}
