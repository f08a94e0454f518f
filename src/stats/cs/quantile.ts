import { normalQuantile } from '../normal.js'
import {
  betaBinomialR,
  JOINT_SIDE_WEIGHT,
  jointU,
  oneArmU,
  RankMixture,
  type RankSide
} from './betaBinomial.js'
import {
  keepSide,
  type DesignEffect,
  type DifferenceInterval,
  type Interval,
  type QuantileInterval,
  type QuantileSketchLike,
  type Side
} from './types.js'

/**
 * Confidence sequences for quantiles: one arm's q-quantile (quantileCS) and the difference of two
 * arms' q-quantiles (quantileDifferenceCS), valid at every look, on the beta-binomial mixture
 * boundary for ranks (betaBinomial.ts).
 *
 * From counts to values (Howard & Ramdas, Bernoulli 2022, the fixed-quantile confidence sequence;
 * the order-statistic reading below is theirs). Write X_(1) <= ... <= X_(n) for the order
 * statistics, X_(0) = -Infinity, X_(n + 1) = +Infinity. A count k is accepted when
 * log M_n(k) < log(1/alpha); the accepted counts are an interval [kLo, kHi], and the quantile lies
 * in [X_(kLo), X_(kHi + 1)]. This holds for any distribution, atoms included: with U_i uniform and
 * X_i = F^-1(U_i), Z_n = #{U_i <= q} is an exact Binomial(n, q) count with
 * #{X_i < x_q} <= Z_n <= #{X_i <= x_q}, so X_(Z_n) <= x_q <= X_(Z_n + 1), and the interval misses
 * x_q only if Z_n itself is rejected at some n, which has probability at most alpha.
 *
 * A sketch knows each order statistic only within its bucket: the bounds are read at the bucket's
 * edges (rangeAtRank), or within the sketch's relative accuracy.
 */

/** The interval of true values a sketch value v' may stand for: |v' - v| <= a |v|. */
function trueValueRange(value: number, a: number): { low: number; high: number } {
  if (value >= 0) return { low: value / (1 + a), high: value / (1 - a) }
  return { low: value / (1 - a), high: value / (1 + a) }
}

/** One arm's sketch read by rank, with X_(0) = -Infinity and X_(n + 1) = +Infinity. */
class RankedArm {
  readonly n: number
  constructor(readonly sketch: QuantileSketchLike) {
    this.n = Math.max(0, sketch.count)
  }

  /** Where X_(rank) lies for sure. */
  range(rank: number): { low: number; high: number } {
    if (rank < 1) return { low: -Infinity, high: -Infinity }
    if (rank > this.n) return { low: Infinity, high: Infinity }
    const s = this.sketch
    return s.rangeAtRank?.(rank) ?? trueValueRange(s.valueAtRank(rank), s.relativeAccuracy)
  }

  /** The ranks first..last whose order statistics share X_(rank)'s bucket (1 <= rank <= n). */
  bucket(rank: number): { first: number; last: number } {
    const b = this.sketch.bucketAtRank?.(rank)
    return b
      ? { first: Math.max(1, b.first), last: Math.min(this.n, b.last) }
      : { first: rank, last: rank }
  }

  /** The empirical quantile: the order statistic of rank max(1, ceil(n q)); NaN when empty. */
  estimate(q: number): number {
    return this.n >= 1 ? this.sketch.valueAtRank(Math.max(1, Math.ceil(this.n * q))) : NaN
  }
}

/** The design effect for thresholds in [low, high] (at least 1). */
function designEffectOver(d: DesignEffect | undefined, low: number, high: number): number {
  if (d === undefined) return 1
  const value = typeof d === 'number' ? d : d(low, high)
  return Number.isFinite(value) ? Math.max(1, value) : 1
}

/** Re-evaluations of a design effect that depends on where the bounds fall (they only widen). */
const DESIGN_EFFECT_ROUNDS = 4

/**
 * CS for the q-quantile of one arm, valid at every look: the counts accepted by the two-sided
 * beta-binomial mixture (betaBinomial.ts) read as order statistics (see above). The mixture is
 * tuned to be tightest at tStar observations of this arm (effective observations when
 * clustered), in the CS's own time.
 *
 * `designEffect`: requests of one user are correlated, so the rank count's variance is D times
 * the binomial one; counts are divided by D (Korn & Graubard 1998). A function is evaluated over
 * the interval's own range and the interval recomputed until D stops growing (it only widens).
 *
 * The estimate is the empirical quantile, the order statistic of rank max(1, ceil(n q)).
 */
export function quantileCS(
  sketch: QuantileSketchLike,
  q: number,
  alpha: number,
  tStar: number,
  designEffect: DesignEffect = 1,
  /** Only this end, valid alone at alpha (the one-sided mixture); the other is infinite. */
  side?: Side
): QuantileInterval {
  assertLevel(q, alpha)
  const arm = new RankedArm(sketch)
  const n = arm.n
  if (!(n >= 1)) {
    return {
      estimate: NaN,
      lower: -Infinity,
      upper: Infinity,
      lowerRank: -Infinity,
      upperRank: Infinity
    }
  }
  const estimate = arm.estimate(q)
  const r = betaBinomialR(q, tStar, oneArmU(sideAlpha(alpha, side)))
  const level = -Math.log(alpha)
  const weight = side && { high: side === 'upper' ? 1 : 0 }
  let deff = designEffectOver(designEffect, estimate, estimate)
  let result: QuantileInterval | undefined
  for (let round = 0; round < DESIGN_EFFECT_ROUNDS; round++) {
    const mix = new RankMixture(n, q, r, deff, weight)
    // The minimum of log M is at most about 0 < level, so both ends exist.
    const kLo = side === 'upper' ? 0 : (mix.lowest(level) ?? 0)
    const kHi = side === 'lower' ? n : (mix.highest(level) ?? n)
    result = {
      estimate,
      lower: side === 'upper' ? -Infinity : arm.range(kLo).low,
      upper: side === 'lower' ? Infinity : arm.range(kHi + 1).high,
      lowerRank: side === 'upper' ? -Infinity : kLo,
      upperRank: side === 'lower' ? Infinity : kHi + 1
    }
    const wider = designEffectOver(designEffect, result.lower, result.upper)
    if (!(wider > deff * (1 + 1e-9))) break
    deff = wider
  }
  return result as QuantileInterval
}

/**
 * The alpha a mixture is tuned at: a one-sided mixture at alpha is about as wide as a two-sided
 * one at 2 alpha (confseq tunes its one-sided mixtures so: OneSidedNormalMixture::best_rho).
 */
function sideAlpha(alpha: number, side: Side | undefined): number {
  return side ? Math.min(0.5, 2 * alpha) : alpha
}

function assertLevel(q: number, alpha: number): void {
  if (!(q > 0 && q < 1)) throw new RangeError(`q must be in (0, 1), got ${q}`)
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
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

/** The hull of the differences (or ratios) over a set of (baseline, canary) value rectangles. */
class DifferenceHull {
  lower = Infinity
  upper = -Infinity
  constructor(private readonly relative: boolean) {}

  add(b: { low: number; high: number }, c: { low: number; high: number }): void {
    // A relative change presumes a positive baseline quantity: a baseline wholly <= 0 is not one.
    if (this.relative && !(b.high > 0)) return
    const d = this.relative
      ? relativeBounds(
          { estimate: NaN, lower: c.low, upper: c.high },
          { estimate: NaN, lower: b.low, upper: b.high }
        )
      : { lower: c.low - b.high, upper: c.high - b.low }
    if (d.lower < this.lower) this.lower = Number.isNaN(d.lower) ? -Infinity : d.lower
    if (d.upper > this.upper) this.upper = Number.isNaN(d.upper) ? Infinity : d.upper
  }
}

interface JointRegion {
  bounds: { lower: number; upper: number }
  /** Each arm's projection: the values its quantile may take anywhere in the region. */
  baseline: { low: number; high: number }
  canary: { low: number; high: number }
}

/**
 * The joint region {(x_b, x_c) : log M_b(N_b(x_b)) + log M_c(N_c(x_c)) < log(1/alpha)} projected
 * onto the difference (or ratio). The product of the two arms' mixture martingales is a
 * nonnegative martingale in the filtration of both streams (the arms are independent, and each
 * observation updates one factor), so by Ville's inequality the true pair is outside the region
 * at some look with probability at most alpha. This is the construction Howard & Ramdas (2022)
 * use for their sequential A/B test of quantiles (Theorem 5; confseq's QuantileABTest: the sum
 * of the arms' log supermartingales, minimised over a common value); here it is inverted over
 * every shift or ratio instead of zero only.
 *
 * The region is a union of rectangles, one per accepted baseline count k_b:
 * x_b in [X_b(k_b), X_b(k_b + 1)] and x_c in [X_c(kc_lo), X_c(kc_hi + 1)], where [kc_lo, kc_hi]
 * are the canary counts with log M_c < log(1/alpha) - log M_b(k_b). The extremes of the
 * difference over a group of k_b sharing a bucket edge are reached at the k_b with the smallest
 * log M_b (the largest canary budget), so it suffices to visit one k_b per bucket, per edge.
 */
function jointRegion(
  b: RankedArm,
  c: RankedArm,
  mb: RankMixture,
  mc: RankMixture,
  alpha: number,
  relative: boolean,
  side?: Side
): JointRegion | undefined {
  const level = -Math.log(alpha)
  const budget = level - mc.minLogM
  const kbLo = mb.lowest(budget)
  const kbHi = mb.highest(budget)
  if (kbLo === undefined || kbHi === undefined) return undefined
  const hull = new DifferenceHull(relative)
  const visit = (kb: number): void => {
    const left = level - mb.logM(kb)
    // One end wanted: the canary's other end is not searched (its bound is then infinite).
    const kcLo = side === 'upper' ? 0 : (mc.lowest(left) ?? 0)
    const kcHi = side === 'lower' ? c.n : (mc.highest(left) ?? c.n)
    hull.add(
      { low: b.range(kb).low, high: b.range(kb + 1).high },
      { low: c.range(kcLo).low, high: c.range(kcHi + 1).high }
    )
  }
  const best = (from: number, to: number): number => Math.min(to, Math.max(from, mb.mode))
  // Groups by the lower edge of x_b: k_b whose X_b(k_b) share a bucket.
  if (kbLo === 0) visit(0)
  for (let k = Math.max(1, kbLo); k <= kbHi;) {
    const { last } = b.bucket(k)
    visit(best(k, Math.min(last, kbHi)))
    k = last + 1
  }
  // Groups by the upper edge of x_b: k_b whose X_b(k_b + 1) share a bucket.
  if (kbHi === b.n) visit(b.n)
  for (let j = kbLo + 1; j <= Math.min(kbHi + 1, b.n);) {
    const { last } = b.bucket(j)
    const to = Math.min(last, kbHi + 1, b.n)
    visit(best(j - 1, to - 1))
    j = to + 1
  }
  const canaryBudget = level - mb.minLogM
  // No rectangle with a positive baseline (relative): nothing is bounded.
  const bounds =
    hull.lower <= hull.upper
      ? { lower: hull.lower, upper: hull.upper }
      : { lower: -Infinity, upper: Infinity }
  return {
    bounds,
    baseline: { low: b.range(kbLo).low, high: b.range(kbHi + 1).high },
    canary: {
      low: c.range(mc.lowest(canaryBudget) ?? 0).low,
      high: c.range((mc.highest(canaryBudget) ?? c.n) + 1).high
    }
  }
}

/**
 * CS for the difference of two arms' q-quantiles, canary - baseline, or canary / baseline - 1
 * when relative: the joint region of both arms' beta-binomial mixtures (jointRegion above),
 * instead of each arm's CS at alpha / 2 with the intervals subtracted. Both arms' mixtures are
 * tuned together so that the difference is narrowest at the expected decision time
 * (betaBinomial.ts, jointU): tStar per arm, in observations of that arm (effective observations
 * when clustered). In the normal approximation the region is an ellipse rather than the
 * rectangle of two alpha/2 intervals, and its projection is sqrt(s_b^2 + s_c^2)-like instead of
 * s_b + s_c: at 50% canary 1.5x the fixed-n interval instead of 2.1x (alpha = 0.0125).
 *
 * Relative bounds presume positive quantities (relativeBounds); every sign is handled.
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
    designEffect?: { baseline: DesignEffect; canary: DesignEffect }
    /**
     * Only this end, valid alone at alpha: the region of a canary mixture weighted to that side
     * and a baseline mixture weighted to the other (JOINT_SIDE_WEIGHT); the other end is infinite.
     */
    side?: Side
  }
): DifferenceInterval {
  assertLevel(q, alpha)
  const b = new RankedArm(baseline)
  const c = new RankedArm(canary)
  const bEstimate = b.estimate(q)
  const cEstimate = c.estimate(q)
  const estimate = opts.relative
    ? bEstimate > 0
      ? cEstimate / bEstimate - 1
      : NaN
    : cEstimate - bEstimate
  const result = (bounds: { lower: number; upper: number }): DifferenceInterval => {
    const width = bounds.upper - bounds.lower
    return {
      estimate,
      ...bounds,
      baseline: bEstimate,
      canary: cEstimate,
      se: Number.isFinite(width) ? width / (2 * Z_95) : Infinity,
      t: b.n + c.n,
      relative: opts.relative
    }
  }
  if (b.n < 1 || c.n < 1) return result({ lower: -Infinity, upper: Infinity })
  const side = opts.side
  const u = jointU(sideAlpha(alpha, side), opts.tStar)
  const rb = betaBinomialR(q, opts.tStar.baseline, u.baseline)
  const rc = betaBinomialR(q, opts.tStar.canary, u.canary)
  // An upper end of canary - baseline: the canary's quantile high, the baseline's low.
  const canarySide: RankSide | undefined = side && {
    high: side === 'upper' ? JOINT_SIDE_WEIGHT : 1 - JOINT_SIDE_WEIGHT
  }
  const baselineSide = canarySide && { high: 1 - canarySide.high }
  const deffOf = opts.designEffect
  let db = designEffectOver(deffOf?.baseline, bEstimate, bEstimate)
  let dc = designEffectOver(deffOf?.canary, cEstimate, cEstimate)
  let region: JointRegion | undefined
  for (let round = 0; round < DESIGN_EFFECT_ROUNDS; round++) {
    const mb = new RankMixture(b.n, q, rb, db, baselineSide)
    const mc = new RankMixture(c.n, q, rc, dc, canarySide)
    region = jointRegion(b, c, mb, mc, alpha, opts.relative, side)
    if (!region) break
    const wb = designEffectOver(deffOf?.baseline, region.baseline.low, region.baseline.high)
    const wc = designEffectOver(deffOf?.canary, region.canary.low, region.canary.high)
    if (!(wb > db * (1 + 1e-9) || wc > dc * (1 + 1e-9))) break
    db = Math.max(db, wb)
    dc = Math.max(dc, wc)
  }
  return result(keepSide(region?.bounds ?? { lower: -Infinity, upper: Infinity }, side))
}
