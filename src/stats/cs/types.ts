/** What every confidence sequence (CS) returns, and what the quantile CS needs of a sketch. */

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
  /**
   * Optional: the ranks first..last (1-based) whose order statistics share the rank-th's bucket.
   * Lets the quantile-difference CS visit one count per bucket instead of one per rank.
   */
  bucketAtRank?(rank: number): { first: number; last: number }
}

/**
 * The design effect of clustering on a rank count (>= 1): one number, or a function of the range
 * of thresholds [low, high] the interval spans (analysis/designEffect.ts), since the variance of
 * 1{X <= x} summed per user depends on x.
 */
export type DesignEffect = number | ((low: number, high: number) => number)

export interface QuantileInterval extends Interval {
  /** Ranks (1-based) whose order statistics bound the quantile; may fall outside 1..count. */
  lowerRank: number
  upperRank: number
}

/**
 * One end of an interval: the one a decision reads (a promotion the upper end of the harm, a
 * rollback its lower end). A sequence asked for one end makes it valid alone at its alpha, and
 * leaves the other infinite.
 */
export type Side = 'lower' | 'upper'

/** The bounds with only `side`'s end kept (both without a side). */
export function keepSide<T extends { lower: number; upper: number }>(bounds: T, side?: Side): T {
  if (side === 'upper') return { ...bounds, lower: -Infinity }
  if (side === 'lower') return { ...bounds, upper: Infinity }
  return bounds
}
