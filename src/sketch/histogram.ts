import type { HistogramData } from './types.js'

/**
 * Quantiles from a classic (fixed-bucket) histogram, as Prometheus and OpenTelemetry export them:
 * only the count per bucket is known, so the value of any order statistic is known only to lie in
 * its bucket. Read conservatively: `rangeAtRank` gives the bucket's edges, and a confidence
 * sequence built on it is widened to them (the bucket resolution, not the data, can then be what
 * keeps a comparison inconclusive). `valueAtRank` interpolates linearly inside the bucket (the
 * estimate `histogram_quantile` gives), for the point estimate only.
 *
 * Observations are taken as non-negative (durations, token counts, cost): the first bucket spans
 * [0, bounds[0]]. The bucket above the last finite bound reaches +Infinity.
 */
export class HistogramQuantiles {
  readonly count: number
  /** The confidence sequence reads ranges from rangeAtRank, not a relative accuracy. */
  readonly relativeAccuracy = 0
  private readonly cumulative: number[]

  constructor(private readonly data: HistogramData) {
    let seen = 0
    this.cumulative = data.counts.map(c => (seen += c))
    this.count = seen
  }

  /** Bucket index holding the rank-th (1-based, clamped to [1, count]) smallest observation. */
  private bucketAt(rank: number): number {
    const r = Math.min(this.count, Math.max(1, Math.ceil(rank)))
    // The first bucket whose cumulative count reaches r (binary search: counts are cumulative).
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.cumulative[mid] as number) >= r) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  private edges(i: number): { low: number; high: number } {
    const low = i === 0 ? 0 : (this.data.bounds[i - 1] as number)
    const high = i < this.data.bounds.length ? (this.data.bounds[i] as number) : Infinity
    return { low: Math.min(low, high), high }
  }

  /** Where the rank-th smallest observation lies for sure: its bucket's edges. */
  rangeAtRank(rank: number): { low: number; high: number } {
    if (this.count === 0) return { low: NaN, high: NaN }
    return this.edges(this.bucketAt(rank))
  }

  /** The ranks first..last whose observations share the rank-th's bucket. */
  bucketAtRank(rank: number): { first: number; last: number } {
    if (this.count === 0) return { first: 1, last: 0 }
    const i = this.bucketAt(rank)
    return {
      first: (i === 0 ? 0 : (this.cumulative[i - 1] as number)) + 1,
      last: this.cumulative[i] as number
    }
  }

  /** Linear interpolation inside the bucket; the lower edge for the +Inf bucket. NaN when empty. */
  valueAtRank(rank: number): number {
    if (this.count === 0) return NaN
    const i = this.bucketAt(rank)
    const { low, high } = this.edges(i)
    if (!Number.isFinite(high)) return low
    const before = i === 0 ? 0 : (this.cumulative[i - 1] as number)
    const inBucket = this.data.counts[i] as number
    const r = Math.min(this.count, Math.max(1, Math.ceil(rank)))
    return inBucket > 0 ? low + ((high - low) * (r - before)) / inBucket : high
  }

  /** The same histogram read at interpolated values (no widening): what finer buckets would give. */
  interpolated(): { count: number; relativeAccuracy: number; valueAtRank(rank: number): number } {
    return { count: this.count, relativeAccuracy: 0, valueAtRank: r => this.valueAtRank(r) }
  }
}

/** A histogram with no observations on these bounds. */
export function emptyHistogram(bounds: readonly number[]): HistogramData {
  return { bounds: [...bounds], counts: new Array<number>(bounds.length + 1).fill(0) }
}

/**
 * Per-bucket counts from Prometheus's cumulative `le` counts (finite bounds ascending, the
 * `+Inf` count last). `increase()` is computed per series, so cumulative counts can come out
 * slightly non-monotonic; like `histogram_quantile`, each is raised to at least the one below.
 */
export function fromCumulative(
  bounds: readonly number[],
  cumulative: readonly number[]
): HistogramData {
  const counts: number[] = []
  let below = 0
  for (const c of cumulative) {
    const at = Math.max(below, c)
    counts.push(at - below)
    below = at
  }
  return { bounds: [...bounds], counts }
}

/**
 * The histogram of the union of two sets of observations. Same bounds: counts add. Different
 * bounds: only the bounds both share are kept (a bucket cannot be split), so the result is the
 * coarser, still exact, histogram.
 */
export function mergeHistograms(a: HistogramData, b: HistogramData): HistogramData {
  const same = a.bounds.length === b.bounds.length && a.bounds.every((v, i) => v === b.bounds[i])
  if (same) return { bounds: [...a.bounds], counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)) }
  const bounds = a.bounds.filter(v => b.bounds.includes(v))
  const counts = new Array<number>(bounds.length + 1).fill(0)
  for (const h of [a, b]) {
    h.counts.forEach((c, i) => {
      const upper = i < h.bounds.length ? (h.bounds[i] as number) : Infinity
      const j = bounds.findIndex(v => v >= upper)
      const at = j < 0 ? bounds.length : j
      counts[at] = (counts[at] as number) + c
    })
  }
  return { bounds, counts }
}

/**
 * An upper bound on the sum of squares of the observations, for a mean's variance when no
 * sum-of-squares series exists: every value in a finite bucket at most its upper edge; the values
 * above the last bound at most what the exact `sum` leaves for them, put on one observation (the
 * largest sum of squares for a given sum). Conservative: the variance is never underestimated.
 */
export function sumOfSquaresBound(h: HistogramData, sum: number): number {
  let squares = 0
  let finiteMin = 0
  h.bounds.forEach((upper, i) => {
    const c = h.counts[i] as number
    const low = i === 0 ? 0 : (h.bounds[i - 1] as number)
    squares += c * upper * upper
    finiteMin += c * low
  })
  const top = h.counts[h.bounds.length] ?? 0
  if (top > 0) {
    const last = h.bounds[h.bounds.length - 1] ?? 0
    const excess = Math.max(0, sum - finiteMin - (top - 1) * last)
    squares += (top - 1) * last * last + excess * excess
  }
  return squares
}
