/**
 * Plain-data shapes of the sketches (JSON-serialisable, mergeable by addition). Sources produce
 * them, the statistics read them. DESIGN.md principle 5: the statistics never hold raw rows.
 */

/**
 * Sufficient statistics of a ratio estimator sum(x) / sum(y) over independent clusters.
 * A plain mean per request is the case y = 1 with one cluster per request; a mean with a
 * randomisation unit clusters by unit (x = the unit's sum, y = its request count), so the
 * variance is computed per unit by the delta method, not per request.
 */
export interface RatioMoments {
  /** Number of clusters (requests, or units). */
  n: number
  sx: number
  sy: number
  sxx: number
  syy: number
  sxy: number
  /**
   * Optional third-order sums (sum x^3, x^2 y, x y^2, y^3 over clusters), for the skewness of
   * the estimator (src/stats/clt.ts). A source that cannot give them leaves all four out; the
   * skewness rule is then not applied, and the decision record says so.
   */
  sxxx?: number
  sxxy?: number
  sxyy?: number
  syyy?: number
}

/** DDSketch-style quantile sketch state (Masson, Rim & Lee, VLDB 2019): log buckets of ratio gamma. */
export interface QuantileSketchData {
  /** Relative accuracy alpha; gamma = (1 + alpha) / (1 - alpha). */
  alpha: number
  count: number
  zeros: number
  /**
   * Bucket counts for positive values, dense from bucket `offset` on (counts[i] is bucket
   * offset + i); value v lands in ceil(log_gamma(v)). Dense arrays, not index-keyed objects: an
   * evaluation holds thousands of cells, and a dictionary per sketch is several times the memory.
   */
  positive: BucketCounts
  /** Same for the absolute value of negative values. */
  negative: BucketCounts
  min: number
  max: number
}

export interface BucketCounts {
  offset: number
  counts: number[]
}

/**
 * A classic fixed-bucket histogram (Prometheus `_bucket{le}`, OpenTelemetry explicit buckets):
 * counts[i] observations in (bounds[i - 1], bounds[i]] (the first from 0), and
 * counts[bounds.length] above the last bound. Merges by adding counts (src/sketch/histogram.ts).
 */
export interface HistogramData {
  /** Finite upper bounds (`le`), ascending. */
  bounds: number[]
  /** Per bucket, not cumulative; length bounds.length + 1. */
  counts: number[]
}

/** What one metric accumulated in one cell. */
export interface MetricSketch {
  /** Clustered by unit when records carry a unit, else one cluster per request. */
  moments: RatioMoments
  /** Requests that had a usable value. */
  requests: number
  /**
   * Optional: the sum over requests of the value squared (whatever the clustering), for the
   * nonasymptotic interval of a bounded metric (src/stats/cs/bernstein.ts). Without it, moments
   * of one cluster per request give it (sxx), and clustered ones an upper bound.
   */
  requestSquares?: number
  /** Per-request values, for quantile metrics (and for limits on them). */
  quantiles?: QuantileSketchData
  /**
   * Per-request values as a fixed-bucket histogram, when the source has only that (Prometheus):
   * quantiles are then read conservatively, to bucket edges. A cell has this or `quantiles`.
   */
  histogram?: HistogramData
}
