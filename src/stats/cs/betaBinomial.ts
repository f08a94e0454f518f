import { logRegularizedBeta } from '../incompleteBeta.js'
import { lgamma } from '../lgamma.js'
import { mixtureRho } from './mixture.js'

/**
 * The beta-binomial mixture boundary for ranks: the confidence sequences for quantiles in
 * quantile.ts are built on it.
 *
 * At the true q-quantile x_q of a distribution, the indicators 1{X_i <= x_q} are Bernoulli(q)
 * (for a continuous distribution; with atoms see quantile.ts). Against the point null q, the
 * likelihood ratio mixed over a Beta prior on the success probability p',
 *
 *   M_t = integral (p'/q)^k ((1 - p')/(1 - q))^(t - k) dBeta(p'; r/(1 - q), r/q)
 *       = B(r/q + t - k, r/(1 - q) + k) / B(r/q, r/(1 - q)) / (q^k (1 - q)^(t - k)),
 *
 * after t observations of which k were at or below x_q, is a nonnegative martingale with M_0 = 1,
 * so by Ville's inequality P(exists t: M_t >= 1/alpha) <= alpha: {k : M_t(k) < 1/alpha} is a
 * two-sided confidence sequence for the count, exact for every t, with no normal approximation.
 * This is the beta-binomial conjugate mixture of Howard, Ramdas, McAuliffe & Sekhon,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of Statistics 49
 * (2021), their mixture boundary for sub-Bernoulli processes with range parameters g = q,
 * h = 1 - q (the centred sum is S_t = k - t q, the intrinsic time V_t = t q (1 - q), and the
 * prior's mean is q), which Howard &
 * Ramdas, "Sequential estimation of quantiles with applications to A/B-testing and best-arm
 * identification", Bernoulli 28 (2022), use for a fixed quantile. Written out, log M_t is
 * exactly log_superMG of confseq's BetaBinomialMixture (two-sided) with s = k - t q,
 * v = t q (1 - q), g = q, h = 1 - q; test/quantile-cs.test.ts checks the numbers against it.
 *
 * Unlike the normal mixture with variance q (1 - q), which is not a valid sub-Gaussian bound for
 * Bernoulli(q) when q != 1/2 (Bernoulli(q)'s optimal sub-Gaussian variance factor is
 * (1 - 2q) / (2 log((1 - q) / q)), ten times q (1 - q) at q = 0.99; issue 12 measured a 3.8% miss
 * rate at alpha = 2.5% for q = 0.99 from n = 30), this mixture is exact at every t.
 *
 * Tuning: the prior parameter r sets where the boundary is tightest. With the natural parameter
 * lambda = logit(p') - logit(q), a Beta prior with parameter r has
 * Var(lambda) ~ 1 / (r + q (1 - q)), the precision rho of the normal mixture in intrinsic time
 * (log M = log(rho / (V + rho)) / 2 + S^2 / (2 (V + rho))); so r = rho - q (1 - q), with
 * rho = V* / u for the u that makes the normal
 * mixture tightest at V* = t* q (1 - q) (mixture.ts, mixtureRho). This is the same matching
 * confseq's BetaBinomialMixture::optimal_r uses (r = rho - g h, floored at 1e-3 g h).
 *
 * One side. A decision reads one end of an interval only (a promotion the upper end of the harm,
 * a rollback the lower end), and an end is valid at alpha from a mixture whose prior sits on that
 * side of q alone: the one-sided beta-binomial mixture (Howard et al. 2021, the prior restricted
 * to one side and renormalised; confseq's BetaBinomialMixture with is_one_sided, the incomplete
 * beta function at 1 - q). Its level is about that of the two-sided mixture at 2 alpha. Any prior
 * is a valid mixture, so RankMixture takes a weight w on the side that matters: the prior's mass
 * on that side scaled to w, on the other to 1 - w (w = 1: one-sided; w = the prior's own mass:
 * the two-sided mixture). A two-arm region needs w < 1: with nothing on the other side, one arm's
 * factor falls to 0 far on that side, and the product, then bounded by the other arm alone, lets
 * the other arm's quantile reach infinity (quantile.ts).
 *
 * Clustered observations (requests of one user): counts are divided by the design effect D of
 * the indicator (analysis/designEffect.ts), the effective-sample-size device of Korn & Graubard,
 * "Confidence intervals for proportions with small expected number of positive counts estimated
 * from survey data", Survey Methodology 24 (1998) 193-201: the beta-binomial boundary is applied
 * to k / D successes in t / D trials. With D = 1 it is exact; with D > 1 it is asymptotic (the
 * cluster-level central limit theorem, as in the asymptotic confidence sequences of
 * Waudby-Smith et al. 2024), the same status as the CSs for means.
 */

/** log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b). */
function logBeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b)
}

/**
 * The prior parameter r of the beta-binomial mixture whose normal-mixture equivalent has
 * u = V* / rho at V* = tStar q (1 - q): rho = V* / u, r = rho - q (1 - q), floored at
 * 1e-3 q (1 - q) (a vanishing prior, u very large, is no boundary at all).
 */
export function betaBinomialR(q: number, tStar: number, u: number): number {
  const g = q * (1 - q)
  return Math.max((tStar * g) / u - g, 1e-3 * g)
}

/**
 * u = V* / rho for one arm's confidence sequence: the normal mixture tightest at t* (mixture.ts;
 * Howard et al. 2021 and Waudby-Smith et al. 2024 give the same optimum in closed form).
 */
export function oneArmU(alpha: number): number {
  // mixtureRho(alpha, tStar) = sqrt(u / tStar), so with tStar = 1 it is sqrt(u).
  const rho = mixtureRho(alpha, 1)
  return rho * rho
}

/**
 * The half-width, in standard errors, of the projection onto x_c - x_b of the product region
 * {z_b^2 u_b / (1 + u_b) - log(1 + u_b) + z_c^2 u_c / (1 + u_c) - log(1 + u_c) < 2 log(1/alpha)}
 * (two normal mixtures in the normal approximation), where each arm's standard error squared is
 * proportional to 1 / t*_arm:
 * sqrt(sum s_i^2 (1 + u_i) / u_i) sqrt(2 log(1/alpha) + sum log(1 + u_i)).
 */
function jointHalfWidth(
  alpha: number,
  sb2: number,
  sc2: number,
  logUb: number,
  logUc: number
): number {
  const ub = Math.exp(logUb)
  const uc = Math.exp(logUc)
  const spread = (sb2 * (1 + ub)) / ub + (sc2 * (1 + uc)) / uc
  return Math.sqrt(spread * (-2 * Math.log(alpha) + Math.log1p(ub) + Math.log1p(uc)))
}

/** Minimum of a unimodal f on [lo, hi] by golden-section search (about 1e-6 of the range). */
function goldenMin(f: (x: number) => number, lo: number, hi: number): number {
  const ratio = (Math.sqrt(5) - 1) / 2
  let a = lo
  let b = hi
  let c = b - ratio * (b - a)
  let d = a + ratio * (b - a)
  let fc = f(c)
  let fd = f(d)
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      b = d
      d = c
      fd = fc
      c = b - ratio * (b - a)
      fc = f(c)
    } else {
      a = c
      c = d
      fc = fd
      d = a + ratio * (b - a)
      fd = f(d)
    }
  }
  return (a + b) / 2
}

const jointCache = new Map<string, { baseline: number; canary: number }>()

/**
 * u for each arm of the joint (product) quantile-difference CS, chosen so that its width is
 * smallest at the expected decision time: the arms at t*_baseline and t*_canary observations,
 * with the same density at the quantile (the null), so each arm's standard error squared goes as
 * 1 / t*. Depends only on alpha and the ratio of the t*s. At a 1% canary the baseline's prior is
 * made wide (small u: the baseline's own penalty log(1 + u_b) almost vanishes, since its
 * quantile is known far better), which is what makes the joint CS beat a split of alpha between
 * the arms everywhere (bench/quantileWidth.bench.ts).
 */
export function jointU(
  alpha: number,
  tStar: { baseline: number; canary: number }
): { baseline: number; canary: number } {
  const ratio = tStar.canary / tStar.baseline
  const key = `${alpha}:${ratio}`
  const hit = jointCache.get(key)
  if (hit) return hit
  const sb2 = ratio
  const sc2 = 1
  // Coordinate descent on (log u_b, log u_c): the objective is smooth and unimodal in each.
  let lb = Math.log(oneArmU(alpha))
  let lc = lb
  for (let i = 0; i < 8; i++) {
    lb = goldenMin(x => jointHalfWidth(alpha, sb2, sc2, x, lc), -12, 12)
    lc = goldenMin(x => jointHalfWidth(alpha, sb2, sc2, lb, x), -12, 12)
  }
  const u = { baseline: Math.exp(lb), canary: Math.exp(lc) }
  if (jointCache.size > 1000) jointCache.clear()
  jointCache.set(key, u)
  return u
}

/**
 * The weight a one-sided rank mixture puts on its side: `high` on counts above t q (an upper
 * bound on the quantile), the rest on the other side. 1 is the one-sided mixture; a two-arm region
 * uses JOINT_SIDE_WEIGHT (see the file comment).
 */
export interface RankSide {
  high: number
}

/** A two-arm region's weight on the side that matters: its level costs log(1 / 0.99) = 0.01. */
export const JOINT_SIDE_WEIGHT = 0.99

/** log(e^x + e^y), exact when either is -Infinity. */
function logSumExp(x: number, y: number): number {
  const m = Math.max(x, y)
  if (m === -Infinity) return -Infinity
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m))
}

/**
 * log M_t of the beta-binomial mixture as a function of the count k (0..t) for one arm: t
 * observations, the quantile level q, the prior parameter r, and the design effect D >= 1
 * (counts are divided by it). log M is convex in k (a sum of log-Gamma terms and a linear one),
 * so {k : log M(k) < level} is an interval of integers around the minimiser; this class finds its
 * ends by bisection.
 */
export class RankMixture {
  private readonly a: number
  private readonly b: number
  private readonly logNorm: number
  private readonly logQ: number
  private readonly log1mQ: number
  private readonly scale: number
  /** With a side: log(w / prior mass) on the high side of q and on the low side. */
  private readonly sideWeights?: { high: number; low: number }
  /** The integer count minimising log M (about t q). */
  readonly mode: number
  readonly minLogM: number

  constructor(
    readonly t: number,
    private readonly q: number,
    r: number,
    designEffect = 1,
    /** The prior's weight on each side of q (RankSide); default the Beta prior as it is. */
    side?: RankSide
  ) {
    this.a = r / q
    this.b = r / (1 - q)
    this.logNorm = logBeta(this.a, this.b)
    this.logQ = Math.log(q)
    this.log1mQ = Math.log1p(-q)
    this.scale = 1 / Math.max(1, designEffect)
    if (side) {
      // The prior's mass where P(X <= x) >= q (the high side of the count), and below it: the
      // Beta variable is P(X > x), so the high side is [0, 1 - q].
      const prior = logRegularizedBeta(1 - q, this.a, this.b)
      this.sideWeights = {
        high: Math.log(side.high) - prior.lower,
        low: Math.log1p(-side.high) - prior.upper
      }
    }
    this.mode = this.findMode()
    this.minLogM = this.logM(this.mode)
  }

  /** log M_t at count k (effective counts k / D of t / D). */
  logM(k: number): number {
    const s = this.scale
    const below = k * s
    const above = (this.t - k) * s
    const a = this.a + above
    const b = this.b + below
    const twoSided = logBeta(a, b) - this.logNorm - below * this.logQ - above * this.log1mQ
    const w = this.sideWeights
    if (!w) return twoSided
    // The posterior's mass on each side, reweighted as the prior was.
    const post = logRegularizedBeta(1 - this.q, a, b)
    return twoSided + logSumExp(w.high + post.lower, w.low + post.upper)
  }

  /** Smallest count in [0, mode] with log M < level, or undefined when there is none. */
  lowest(level: number): number | undefined {
    if (!(this.minLogM < level)) return undefined
    if (this.logM(0) < level) return 0
    // logM(lo) >= level > logM(hi), decreasing on [0, mode].
    let lo = 0
    let hi = this.mode
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.logM(mid) < level) hi = mid
      else lo = mid
    }
    return hi
  }

  /** Largest count in [mode, t] with log M < level, or undefined when there is none. */
  highest(level: number): number | undefined {
    if (!(this.minLogM < level)) return undefined
    if (this.logM(this.t) < level) return this.t
    let lo = this.mode
    let hi = this.t
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.logM(mid) < level) lo = mid
      else hi = mid
    }
    return lo
  }

  /** The smallest k in [0, t - 1] with logM(k + 1) >= logM(k) (convexity), else t. */
  private findMode(): number {
    let lo = 0
    let hi = this.t
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.logM(mid + 1) >= this.logM(mid)) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}
