/**
 * Confidence sequences by betting for a bounded metric whose values take a few known levels: a
 * 0/1 rate (an error rate), or any sketch that carries the count of each distinct value (the
 * judge's pair scores). Tighter than the empirical-Bernstein CS (./bernstein.ts), which replaces
 * log(1 + lambda x) by Fan et al.'s lower bound lambda x - psi_E(lambda) x^2; here the capital
 * uses log(1 + lambda x) itself, computed exactly from the counts.
 *
 * One arm. Values rescaled to z in [0, 1], mean mu. For a candidate mean m and a constant bet
 * lambda with 1 + lambda (z - m) >= 0 for every z in [0, 1],
 *
 *   K_t(m, lambda) = prod_{i <= t} (1 + lambda (z_i - m))
 *
 * is a nonnegative martingale with K_0 = 1 when mu = m (a test martingale: E[z_i - m] = 0), and
 * so is any mixture sum_d w_d K_t(m, lambda_d) with fixed weights summing to at most 1 (a
 * mixture of test martingales is one). Waudby-Smith & Ramdas, "Estimating means of bounded
 * random variables by betting", J. R. Stat. Soc. B 86 (2024), Section 5 and Appendix: the
 * grid-Kelly ("diversified Kelly") capital, constant bets lambda_d = c_d / m on the upper side
 * (lambda_d = -c_d / (1 - m) on the lower side), c_d in (0, 1), averaged. With constant bets the
 * product depends on the data only through the count n_k of each level z_k:
 *
 *   log K_t(m, c / m) = sum_k n_k log(1 - c + c z_k / m),
 *
 * which is nonincreasing in m for every c (each factor is). Ville's inequality, P(exists t:
 * K_t >= 1 / alpha) <= alpha, makes {m : mixture < 1 / alpha} a (1 - alpha) confidence sequence
 * for one side; the lower side is the same construction on 1 - z (K for lambda = -c / (1 - m) is
 * prod (1 - c + c (1 - z_i) / (1 - m))). Two-sided: each side at 2 / alpha.
 *
 * Where the mixture is centred. The weights are a log-normal density over log c on a grid
 * (like ./bernstein.ts's lambdaMixture), centred at c* = lambda* m with lambda* the sub-Gaussian
 * optimum sqrt(2 log(1 / alpha) / (t* sigma^2)) at the expected sample t* and the largest
 * variance a mean m allows, sigma^2 = m (1 - m) (a Bernoulli's: a rate's exactly). The centre
 * depends on m; to keep the capital monotone in m (so that the confidence set's hull is found by
 * bisection, exactly) the weights are held constant on bins of m (a factor of 4 in the odds
 * m / (1 - m)), each bin's mixture a valid mixture for every m in it. The hull of the set (its
 * infimum) is then the smallest root over the bins, scanned in order.
 *
 * Two arms. As in ./bernstein.ts, the canary's and the baseline's martingales multiply (the arms
 * are independent and each moves only with its own observations), so for the upper bound of
 * mu_c - kappa mu_b (kappa >= 0) the set {(m_c, m_b): K^-_c(m_c) K^+_b(m_b) < 1 / alpha} (the
 * canary's lower-side capital, which rejects a canary mean too high, times the baseline's
 * upper-side one) holds the truth at every look with probability 1 - alpha, and the bound is
 * the largest contrast over it; the lower bound mirrors it; two-sided, each at 2 / alpha. The
 * largest contrast is sup over the canary's share l of the level of A(l) - kappa B(level - l),
 * A(l) = sup {m_c : log K^-_c < l}, B = inf {m_b : log K^+_b < level - l}; A and B are monotone in
 * l, so on a cell [l_j, l_j+1] the objective is at most A(l_j+1) - kappa B(level - l_j): the
 * maximum of these cell bounds over a partition (refined where it is largest) is a conservative
 * value of the supremum, never below it. Each capital counts at least e^-3 there (FLOOR: the
 * level rises by 0.1 nats in exchange), or a much larger baseline would widen the region. The relative interval is the range of mu_c / mu_b over
 * the same region (Fieller, J. R. Stat. Soc. B 16 (1954)), by the same cells.
 *
 * Clustering. Requests of one user are correlated; with the design effect D > 1 estimated from
 * the per-unit moments, the counts are divided by D (effective counts, Korn & Graubard, "Confidence
 * intervals for proportions with small expected number of positive counts estimated from survey
 * data", Survey Methodology 24 (1998)), as ./betaBinomial.ts does for ranks: asymptotic, not
 * exact, once D > 1.
 *
 * `side`, as in ./bernstein.ts: one bound only, at 1 / alpha (one test martingale per side).
 */
import { logNormalGrid, type Range, type Tuning } from './bernstein.js'
import type { Side } from './types.js'

/** One arm of a metric with few distinct values, in its own units. */
export interface DiscreteArm {
  /** The distinct values. */
  values: readonly number[]
  /** Requests with each value (>= 0). */
  counts: readonly number[]
  /** Variance inflation from clustering, >= 1 (1 for independent requests). */
  designEffect: number
}

/** A 0/1 arm (a rate): n requests, `sum` of them 1. */
export function binaryArm(n: number, sum: number, designEffect = 1): DiscreteArm {
  const ones = Math.min(n, Math.max(0, sum))
  return { values: [0, 1], counts: [n - ones, ones], designEffect }
}

/** Levels on the [0, 1] scale with effective counts. */
interface Levels {
  z: Float64Array
  n: Float64Array
  total: number
  mean: number
}

function levelsOf(arm: DiscreteArm, range: Range): Levels {
  const w = range.hi - range.lo
  const d = Math.max(1, arm.designEffect)
  const keep = arm.values.map((_, k) => k).filter(k => (arm.counts[k] ?? 0) > 0)
  const z = Float64Array.from(keep, k => Math.min(1, Math.max(0, (arm.values[k]! - range.lo) / w)))
  const n = Float64Array.from(keep, k => arm.counts[k]! / d)
  let total = 0
  let sum = 0
  z.forEach((v, k) => {
    total += n[k]!
    sum += n[k]! * v
  })
  return { z, n, total, mean: total > 0 ? sum / total : NaN }
}

const reflect = (l: Levels): Levels => ({
  z: l.z.map(v => 1 - v),
  n: l.n,
  total: l.total,
  mean: 1 - l.mean
})

/**
 * Requests a unit of t* stands for when the mixture is centred (t* counts the sequence's units,
 * analysis/analyze.ts): about 10, as ./bernstein.ts's VARIANCE_GUESS assumes. Where the mixture
 * is tightest, not a condition of validity.
 */
const REQUESTS_PER_UNIT = 10

/** Largest bet fraction c (the capital keeps at least 1 - c of itself on the worst outcome). */
const C_MAX = 0.99
/** Grid step in log c, the log-normal's sd in log c, and its reach in sds on each side. */
const SPREAD = 1.25
const REACH = 3
/** Bins of m: a factor of 4 in the odds, from odds e^-LOGIT_MAX to e^LOGIT_MAX. */
const BIN_STEP = Math.log(4)
const LOGIT_MAX = 30

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/**
 * The upper-side capital of one arm (bets lambda = c / m, growing when the mean is above m), its
 * log as a function of m, nonincreasing within each bin, and its lower profile: the infimum of
 * {m : log K(m) < l}.
 */
class LowerProfile {
  private readonly edges: number[]
  private readonly grids: { c: Float64Array; logW: Float64Array }[]
  /** Per bin, the log capital at its upper end (its smallest there), computed when needed. */
  private readonly ends: number[]

  constructor(
    private readonly levels: Levels,
    alpha: number,
    tuning: Tuning
  ) {
    const log1a = Math.log(1 / alpha)
    const tau = Math.max(1, REQUESTS_PER_UNIT * tuning.tStar)
    this.edges = [0]
    for (let x = -LOGIT_MAX + BIN_STEP; x < LOGIT_MAX; x += BIN_STEP) this.edges.push(sigmoid(x))
    this.edges.push(1)
    this.grids = []
    for (let j = 0; j + 1 < this.edges.length; j++) {
      // The bin's centre in log-odds, away from the open ends.
      const lo = j === 0 ? -LOGIT_MAX : Math.log(this.edges[j]! / (1 - this.edges[j]!))
      const m = sigmoid(lo + BIN_STEP / 2)
      this.grids.push(grid(Math.sqrt((2 * log1a * m) / ((1 - m) * tau))))
    }
    this.ends = new Array<number>(this.grids.length).fill(NaN)
  }

  private end(j: number): number {
    let v = this.ends[j]!
    if (Number.isNaN(v)) this.ends[j] = v = this.phi(j, this.edges[j + 1]!)
    return v
  }

  /** log of bin j's mixture capital at m (> 0). */
  phi(j: number, m: number): number {
    const { z, n } = this.levels
    const { c, logW } = this.grids[j]!
    let max = -Infinity
    let sum = 0
    for (let d = 0; d < c.length; d++) {
      const cd = c[d]!
      let e = logW[d]!
      for (let k = 0; k < z.length; k++) e += n[k]! * Math.log1p(cd * (z[k]! / m - 1))
      if (e > max) {
        sum = sum * Math.exp(max - e) + 1
        max = e
      } else sum += Math.exp(e - max)
    }
    return max + Math.log(sum)
  }

  /** The smallest log capital over all m (the set {log K < l} is empty for l at or below it). */
  get minimum(): number {
    let min = Infinity
    for (let j = 0; j < this.ends.length; j++) min = Math.min(min, this.end(j))
    return min
  }

  /**
   * inf {m in [0, 1] : log K(m) < l}: the first bin whose capital drops below l by its end, and
   * there the root by bisection, returned from the side where the capital is still >= l (so at
   * most the true infimum). NaN when no m qualifies.
   */
  at(l: number): number {
    if (this.levels.total === 0) return l > this.minimum ? 0 : NaN
    for (let j = 0; j < this.ends.length; j++) {
      if (!(this.end(j) < l)) continue
      let lo = this.edges[j]!
      let hi = this.edges[j + 1]!
      if (j === 0 || this.phi(j, lo) < l) return j === 0 ? 0 : lo
      // Illinois (Dowell & Jarratt, BIT 11 (1971)) on phi - l, decreasing in m, keeping the
      // bracket [lo, hi] with phi(lo) >= l > phi(hi).
      let flo = this.phi(j, lo) - l
      let fhi = this.end(j) - l
      let kept = 0
      for (let i = 0; i < 100 && hi - lo > 1e-12 + 1e-8 * hi; i++) {
        const x = Math.min(hi, Math.max(lo, (lo * fhi - hi * flo) / (fhi - flo)))
        const mid = x > lo && x < hi ? x : 0.5 * (lo + hi)
        const fm = this.phi(j, mid) - l
        if (fm < 0) {
          hi = mid
          fhi = fm
          if (kept === -1) flo /= 2
          kept = -1
        } else {
          lo = mid
          flo = fm
          if (kept === 1) fhi /= 2
          kept = 1
        }
      }
      return lo
    }
    return NaN
  }
}

/** A bin's mixture over c: log-normal in log c centred at `centre`, on a grid, weights <= 1. */
function grid(centre: number): { c: Float64Array; logW: Float64Array } {
  const mid = Math.log(Math.min(C_MAX, Math.max(1e-12, centre)))
  const top = Math.min(Math.log(C_MAX), mid + REACH * SPREAD)
  const g = logNormalGrid(mid, top, mid - REACH * SPREAD)
  return { c: g.points, logW: g.logWeights }
}

/** The log of the Ville level: 1 / alpha for one side, 2 / alpha for both. */
const levelOf = (alpha: number, side?: Side) => Math.log((side ? 1 : 2) / alpha)

/**
 * Levels rounded down to a grid of 1 / (max - 1), when there are more than `max` of them (the
 * judge's length-adjusted scores are nearly all distinct). Rounding down only lowers every factor
 * 1 - c + c z / m of the upper-side capital, so the capital, and the lower bound it gives, can only
 * move toward the safe side; the reflected (lower-side) capital is rounded on 1 - z, the same way.
 * The price is at most 1 / (max - 1) of the range on each bound.
 */
function coarsened(l: Levels, max: number): Levels {
  if (!(l.z.length > max)) return l
  const g = max - 1
  const n = new Float64Array(max)
  l.z.forEach((v, k) => (n[Math.floor(v * g)]! += l.n[k]!))
  const keep = [...n.keys()].filter(k => n[k]! > 0)
  return {
    z: Float64Array.from(keep, k => k / g),
    n: Float64Array.from(keep, k => n[k]!),
    total: l.total,
    mean: l.mean
  }
}

/** Two arms' capitals at most this many levels each (the joint region costs many evaluations). */
const REGION_LEVELS = 257

/** Both sides of one arm: lower(l) = inf {m : K+ < l}, upper(l) = sup {m : K- < l}. */
class ArmProfiles {
  readonly levels: Levels
  private built?: { plus?: LowerProfile; minus?: LowerProfile }

  constructor(
    arm: DiscreteArm,
    range: Range,
    private readonly alpha: number,
    private readonly tuning: Tuning,
    /** At most this many levels in each capital (coarsened toward the safe side beyond). */
    private readonly maxLevels = Infinity
  ) {
    this.levels = levelsOf(arm, range)
  }

  /** Each side's profile, built on first use (a one-sided bound needs one per arm). */
  private get plus(): LowerProfile {
    this.built ??= {}
    return (this.built.plus ??= new LowerProfile(
      coarsened(this.levels, this.maxLevels),
      this.alpha,
      this.tuning
    ))
  }

  private get minus(): LowerProfile {
    this.built ??= {}
    return (this.built.minus ??= new LowerProfile(
      coarsened(reflect(this.levels), this.maxLevels),
      this.alpha,
      this.tuning
    ))
  }

  lower(l: number): number {
    return this.plus.at(l)
  }

  upper(l: number): number {
    return 1 - this.minus.at(l)
  }

  get minLower(): number {
    return this.plus.minimum
  }

  get minUpper(): number {
    return this.minus.minimum
  }
}

/**
 * One arm's CS for its mean, in its own units: valid at every look (alpha split over two sides),
 * or, with `side`, that bound alone valid at alpha (the other infinite).
 */
export function bettingCS(
  arm: DiscreteArm,
  range: Range,
  alpha: number,
  tuning: Tuning,
  side?: Side
): { estimate: number; lower: number; upper: number } {
  const p = new ArmProfiles(arm, range, alpha, tuning)
  const w = range.hi - range.lo
  const level = levelOf(alpha, side)
  const total = arm.counts.reduce((a, b) => a + b, 0)
  const sum = arm.values.reduce((a, v, k) => a + v * (arm.counts[k] ?? 0), 0)
  const estimate = total > 0 ? sum / total : NaN
  const lo = side === 'upper' ? -Infinity : range.lo
  const hi = side === 'lower' ? Infinity : range.hi
  if (!(total > 0)) return { estimate, lower: lo, upper: hi }
  const l = side === 'upper' ? NaN : p.lower(level)
  const u = side === 'lower' ? NaN : p.upper(level)
  return {
    estimate,
    // An empty side (the capital above the level everywhere: probability at most alpha) is
    // reported as the estimate.
    lower: side === 'upper' ? lo : range.lo + w * (Number.isNaN(l) ? p.levels.mean : l),
    upper: side === 'lower' ? hi : range.lo + w * (Number.isNaN(u) ? p.levels.mean : u)
  }
}

/**
 * How far below 1 an arm's capital may count in the joint region, in log: a test martingale K
 * far below 1 (an arm with many requests, at a mean where its bets lose) would let the other arm
 * stray as far above the level, and with a 100 times larger baseline the region's projection
 * widens several-fold. Each arm's capital is floored at e^-FLOOR, and the level raised by
 * 2 log(1 + e^-FLOOR) (0.1 nats for 3): K' = (e^-FLOOR + K) / (1 + e^-FLOOR) is a test martingale
 * (a mixture of the constant 1 and K), max(K, e^-FLOOR) <= (1 + e^-FLOOR) K', so
 * {max(log K_c, -FLOOR) + max(log K_b, -FLOOR) >= level + 2 log(1 + e^-FLOOR)} lies within
 * {K'_c K'_b >= e^level}, of probability at most e^-level by Ville's inequality.
 */
const FLOOR = 3

/** The two arms' profiles, built once and projected for as many contrasts as needed. */
export class BettingRegion {
  private readonly b: ArmProfiles
  private readonly c: ArmProfiles
  private readonly level: number

  constructor(
    baseline: DiscreteArm,
    canary: DiscreteArm,
    readonly range: Range,
    alpha: number,
    tuning: { baseline: Tuning; canary: Tuning },
    /** Only this side of the contrasts (kappa >= 0) and of the ratio, at 1 / alpha. */
    readonly side?: Side
  ) {
    this.b = new ArmProfiles(baseline, range, alpha, tuning.baseline, REGION_LEVELS)
    this.c = new ArmProfiles(canary, range, alpha, tuning.canary, REGION_LEVELS)
    this.level = levelOf(alpha, side) + 2 * Math.log1p(Math.exp(-FLOOR))
  }

  get empty(): boolean {
    return this.b.levels.total === 0 || this.c.levels.total === 0
  }

  /** The arms' means on the [0, 1] scale. */
  get means(): { baseline: number; canary: number } {
    return { baseline: this.b.levels.mean, canary: this.c.levels.mean }
  }

  /**
   * The largest (sign 1) or smallest (sign -1) value of f(m_c, m_b), f increasing in m_c and
   * decreasing in m_b, over the side's region (see the file comment): cell bounds over the
   * canary's share l of the level, refined three times around the extreme cell.
   */
  extreme(sign: 1 | -1, f: (mc: number, mb: number) => number): number {
    const A = (l: number) => (sign > 0 ? this.c.upper(l) : this.c.lower(l))
    const B = (l: number) => (sign > 0 ? this.b.lower(l) : this.b.upper(l))
    // The shares are kept within [-FLOOR, level + FLOOR] (see FLOOR).
    const from = Math.max(-FLOOR, sign > 0 ? this.c.minUpper : this.c.minLower)
    const to = Math.min(
      this.level + FLOOR,
      this.level - (sign > 0 ? this.b.minLower : this.b.minUpper)
    )
    if (!(to > from)) return NaN
    const memo = (g: (l: number) => number) => {
      const seen = new Map<number, number>()
      return (l: number) => {
        let v = seen.get(l)
        if (v === undefined) seen.set(l, (v = g(l)))
        return v
      }
    }
    const mA = memo(A)
    const mB = memo(B)
    // On [a, z]: A is largest (sign 1; smallest, sign -1) at z, B's argument level - l at a.
    const cell = (a: number, z: number): number => {
      const mc = mA(z)
      const mb = mB(this.level - a)
      return Number.isNaN(mc) || Number.isNaN(mb) ? -sign * Infinity : f(mc, mb)
    }
    type Cell = { a: number; z: number; v: number }
    const split = (a: number, z: number, parts: number): Cell[] =>
      Array.from({ length: parts }, (_, i) => {
        const x = a + ((z - a) * i) / parts
        const y = i + 1 === parts ? z : a + ((z - a) * (i + 1)) / parts
        return { a: x, z: y, v: cell(x, y) }
      })
    // Any partition gives a conservative value; the optimum is usually where both capitals are
    // near or above 1 (l between 0 and the level), so the first cells are finest there.
    // Outside it, cuts at doubling distances: a capital can be far below 1 (log K of order -n),
    // and one wide cell there would pair the canary's bound at its top with the baseline's at
    // its bottom.
    const low = Math.max(from, -1)
    const high = Math.min(to, this.level + 1)
    const cuts: number[] = []
    for (let d = 1; low - d > from; d *= 2) cuts.unshift(low - d)
    cuts.unshift(from)
    for (let k = 0; k <= 12 && high > low; k++) cuts.push(low + ((high - low) * k) / 12)
    for (let d = 1; high + d < to; d *= 2) cuts.push(high + d)
    cuts.push(to)
    let cells = cuts.slice(1).flatMap((z, i) => {
      const a = cuts[i]!
      return z > a ? split(a, z, 1) : []
    })
    const better = (x: Cell, y: Cell) => (sign > 0 ? x.v > y.v : x.v < y.v)
    // The value at a cut l, f(A(l), B(level - l)), is attained: the extreme lies between the
    // best of these and the best cell bound. Refine the best cell until they agree to 0.5% of
    // the bound's distance from the estimate.
    const at = (l: number) => {
      const mc = mA(l)
      const mb = mB(this.level - l)
      return Number.isNaN(mc) || Number.isNaN(mb) ? -sign * Infinity : f(mc, mb)
    }
    const centre = f(this.c.levels.mean, this.b.levels.mean)
    for (let round = 0; round < 60; round++) {
      const best = cells.reduce((x, y) => (better(y, x) ? y : x))
      if (!Number.isFinite(best.v)) break
      const reached = cells.reduce((v, x) => {
        const y = at(x.a)
        return sign > 0 ? Math.max(v, y) : Math.min(v, y)
      }, at(to))
      if (Math.abs(best.v - reached) <= 5e-3 * Math.abs(best.v - centre)) break
      cells = [...cells.filter(x => x !== best), ...split(best.a, best.z, 4)]
    }
    return cells.reduce((x, y) => (better(y, x) ? y : x)).v
  }
}

/**
 * CS for mu_c - kappa mu_b (kappa >= 0), in the metric's units, from the betting region (one
 * bound only when the region has a side).
 */
export function bettingContrastCS(
  region: BettingRegion,
  kappa: number
): { estimate: number; lower: number; upper: number } {
  const { lo, hi } = region.range
  const w = hi - lo
  const un = (m: number) => lo + w * m
  const { baseline, canary } = region.means
  const estimate = un(canary) - kappa * un(baseline)
  if (region.empty) return { estimate: NaN, lower: -Infinity, upper: Infinity }
  return regionEnds(region, estimate, (mc, mb) => un(mc) - kappa * un(mb))
}

/**
 * The extremes of f(mu_c, mu_b) over the region, the end a side leaves out infinite; an extreme
 * that cannot be computed (NaN) is the estimate.
 */
function regionEnds(
  region: BettingRegion,
  estimate: number,
  f: (mc: number, mb: number) => number
): { estimate: number; lower: number; upper: number } {
  const upper = region.side === 'lower' ? Infinity : region.extreme(1, f)
  const lower = region.side === 'upper' ? -Infinity : region.extreme(-1, f)
  return {
    estimate,
    lower: Number.isNaN(lower) ? estimate : lower,
    upper: Number.isNaN(upper) ? estimate : upper
  }
}

/**
 * The range of mu_c / mu_b - 1 over the betting region: the Fieller-type relative interval, for
 * a metric with a nonnegative range. Infinite where the region reaches a baseline of 0.
 */
export function bettingRatioCS(region: BettingRegion): {
  estimate: number
  lower: number
  upper: number
} {
  const { lo, hi } = region.range
  const w = hi - lo
  const un = (m: number) => lo + w * m
  const { baseline, canary } = region.means
  const estimate = !region.empty && un(baseline) > 0 ? un(canary) / un(baseline) - 1 : NaN
  if (region.empty) return { estimate, lower: -Infinity, upper: Infinity }
  const floor = 1e-12 * (Math.abs(lo) + w)
  return regionEnds(region, estimate, (mc, mb) =>
    un(mb) > floor ? un(mc) / un(mb) - 1 : un(mc) > 0 ? Infinity : -1
  )
}
