import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch } from '../sketch/types.js'
import { NON_POSITIVE_BIN } from '../sketch/unitRanks.js'
import type { DesignEffect } from '../stats/cs/types.js'

/**
 * The design effect of clustering on a quantile's rank count (Kish, Survey Sampling, 1965): the
 * variance of #{requests <= x} when requests are grouped by user, over its variance if they were
 * independent,
 *
 *   deff(x) = [K / (K - 1)] sum_k (c_k(x) - F(x) n_k)^2 / (N F(x) (1 - F(x))),
 *
 * over the K clusters (units, and requests without a unit as clusters of one), c_k(x) the
 * cluster's requests <= x, n_k its requests, N = sum n_k, F(x) the pooled share <= x. This is the
 * cluster-robust variance of the indicator's mean (Deng, Knoblich & Lu, "Applying the delta method
 * in metric analytics", KDD 2018, quantile metrics: the per-unit sums of 1{X <= x} at the
 * quantile, with the interval inverted on the CDF scale as in Woodruff, JASA 47 (1952) 635-646),
 * read from the per-unit rank sums (src/sketch/unitRanks.ts) at the coarse edges
 * e_j = gamma^(step j) (17% apart). The quantile CS divides its counts by it
 * (stats/cs/betaBinomial.ts).
 *
 * It replaces the design effect of the metric's mean, which is not that of the indicator: with
 * per-user log-normal levels under heavy-tailed noise (sigma = 2) the mean's was 2.1 where the
 * median's indicator had 10.4 (an interval 2.2x too narrow), and the reverse with light noise.
 *
 * The result is a function of the range of thresholds [low, high] an interval spans: the largest
 * deff over the coarse edges from the one below `low` to the one above `high` (a threshold
 * between two edges is bracketed by them), at least 1. Thresholds below 0 when some values are
 * negative are not on the grid: they get the request-weighted mean cluster size sum n_k^2 / N,
 * the design effect of perfectly correlated clusters, and so does every threshold when the sketch
 * carries no per-unit rank sums though its requests are clustered (a source that cannot compute
 * them): wider, never too narrow. Requests are independent (1) when no record carried a unit, or
 * every unit had one request.
 */
export function rankDesignEffect(m: MetricSketch, sketch?: QuantileSketch): DesignEffect {
  const ranks = m.unitRanks
  const { n: clusters, syy } = m.moments
  if (!m.quantiles) return 1
  const s = sketch ?? QuantileSketch.fromJSON(m.quantiles)
  const total = s.count
  if (!(clusters >= 2) || clusters >= total) return 1
  // Clustered requests without per-unit rank sums (a source that cannot compute them): the bound
  // for perfectly correlated clusters, never the independent 1.
  if (!ranks) return Math.max(1, syy / total)
  const step = ranks.step
  const log = Math.log((1 + m.quantiles.alpha) / (1 - m.quantiles.alpha))
  // Prefix sums of the unit increments, aligned with ranks.bins.
  const units: number[] = []
  const squares: number[] = []
  const cross: number[] = []
  let u = 0
  let sq = 0
  let x = 0
  ranks.bins.forEach((_, i) => {
    units.push((u += ranks.counts[i] as number))
    squares.push((sq += ranks.squares[i] as number))
    cross.push((x += ranks.cross[i] as number))
  })
  /** The position of the last rank bin <= bin, or -1. */
  const upTo = (bin: number): number => {
    let lo = -1
    let hi = ranks.bins.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((ranks.bins[mid] as number) <= bin) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const correction = clusters / (clusters - 1)
  const atEdge = (bin: number): number | undefined => {
    const below = s.countAtOrBelowEdge(bin === NON_POSITIVE_BIN ? -Infinity : bin * step)
    if (!(below >= 1 && total - below >= 1)) return undefined
    const j = upTo(bin)
    const singles = below - (j >= 0 ? (units[j] as number) : 0)
    const sumSquares = (j >= 0 ? (squares[j] as number) : 0) + singles
    const sumCross = (j >= 0 ? (cross[j] as number) : 0) + singles
    const f = below / total
    const clustered = correction * (sumSquares - 2 * f * sumCross + f * f * syy)
    return clustered / (total * f * (1 - f))
  }
  const worst = Math.max(1, syy / total)
  const coarse = (v: number): number => Math.ceil(Math.ceil(Math.log(v) / log) / step)
  const positive = s.positiveRange
  // The coarse edges around the data: from the one below its lowest bucket to the one above its
  // highest.
  const first = Number.isFinite(positive.min) ? Math.ceil(positive.min / step) - 1 : 0
  const last = Number.isFinite(positive.max) ? Math.ceil(positive.max / step) : -1
  const noNegatives = s.negativeCount === 0
  return (lowest: number, high: number): number => {
    // Below the smallest value nothing changes: with no negative values, 0 is as low as it goes.
    const low = lowest < 0 && noNegatives ? 0 : lowest
    if (!(low <= high) || low < 0) return worst
    let deff = 1
    let seen = false
    const consider = (bin: number) => {
      const d = atEdge(bin)
      if (d === undefined || !Number.isFinite(d)) return
      seen = true
      if (d > deff) deff = d
    }
    if (low === 0) consider(NON_POSITIVE_BIN)
    const from = low > 0 ? Math.max(first, coarse(low) - 1) : first
    const to = high === Infinity ? last : Math.min(last, high > 0 ? coarse(high) : first)
    for (let bin = from; bin <= to; bin++) consider(bin)
    return seen ? deff : worst
  }
}
