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
   * Bucket counts for positive values from bucket `offset` on; value v lands in
   * ceil(ln(v) / ln(gamma)) (the mapping is documented in src/sketch/quantileSketch.ts). Arrays,
   * not index-keyed objects: an evaluation holds thousands of cells, and a dictionary per sketch
   * is several times the memory.
   */
  positive: BucketCounts
  /** Same for the absolute value of negative values. */
  negative: BucketCounts
  min: number
  max: number
}

/**
 * Bucket counts from bucket `offset` on: counts[i] >= 0 is one bucket's count, and a negative
 * entry -g stands for g empty buckets (a gap), so sparse data stays small. Dense counts with no
 * negative entry (what a SQL source writes) are valid too.
 */
export interface BucketCounts {
  offset: number
  counts: number[]
}

/**
 * Per-unit rank sums on the coarse grid of src/sketch/unitRanks.ts: for each coarse bin
 * (ascending), the increments at its upper edge of sum_i c_i(e) (counts), sum_i c_i(e)^2
 * (squares) and sum_i c_i(e) n_i (cross), over the units first seen in the cell; c_i(e) is unit
 * i's requests at or below edge e, n_i its requests. Merged by adding bin by bin.
 */
export interface UnitRankSums {
  /** Sketch buckets per coarse bin (RANK_STEP). */
  step: number
  bins: number[]
  counts: number[]
  squares: number[]
  cross: number[]
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

/**
 * Sufficient statistics of the regression-adjusted (CUPED) comparison of a mean or ratio metric
 * (src/stats/cs/regressionAdjusted.ts), over the same independent clusters as RatioMoments (units,
 * or requests without a unit). Each cluster contributes one vector
 *   v = (x, y, pre.x, pre.y, requests, z_1, ..., z_k)
 * x, y:        the cluster's sums in the window, as in RatioMoments (y = its requests with a value
 *              for a mean, the `per` sum for a ratio);
 * pre.x, pre.y: the same two sums over the unit's pre-exposure records (its baseline records in the
 *              lookback before the rollout's first step; 0 without any);
 * requests:    the cluster's requests in the window, whatever the metric (the denominator of the
 *              request covariates);
 * z_j:         over those requests, the sum of request covariate j: a numeric field's values, or,
 *              for a categorical `field=value`, the number of requests with that value.
 * The sums and cross products below are plain sums over clusters: they merge by addition (and a
 * SQL source computes them with SUM over a per-unit subquery).
 */
export interface AdjustedMoments {
  /** Names of z_1 ... z_k: `input_tokens`, `route=faq`, ... (every merged set has the same). */
  covariates: string[]
  /** Clusters. */
  n: number
  /** Clusters with pre-exposure data (pre.y > 0). */
  covered: number
  /** Sum of v over clusters; length 5 + k. */
  sums: number[]
  /** Sum of v_i v_j over clusters for i <= j, row by row (i = 0: j = 0..; i = 1: j = 1..); length (5 + k)(6 + k) / 2. */
  products: number[]
  /**
   * Optional: sum of v_i v_j v_l over clusters for i <= j <= l, in that nested order; length
   * d(d + 1)(d + 2) / 6, d = 5 + k. The third moments of the adjusted estimator, for its skewness
   * (stats/cs/regressionAdjusted.ts); without them its skewness is not assessed.
   */
  cubes?: number[]
}

/** Distinct values and how many requests had each (same length; values need not be sorted). */
export interface ValueCounts {
  values: number[]
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
   * Optional, quantile metrics on records with a unit: per-unit rank sums on a coarse grid of
   * the sketch's bucket edges, for the design effect of the quantile's rank count
   * (src/sketch/unitRanks.ts, src/analysis/designEffect.ts). Absent: requests are independent.
   */
  unitRanks?: UnitRankSums
  /**
   * Per-request values as a fixed-bucket histogram, when the source has only that (Prometheus):
   * quantiles are then read conservatively, to bucket edges. A cell has this or `quantiles`.
   */
  histogram?: HistogramData
  /**
   * The interval every value is known to lie in, when a bounded metric's values are not in
   * [0, 1]: the judge's length-controlled scores (src/judge/lengthControl.ts), whose bounds the
   * sample's lengths fix before any judgement. A bounded confidence sequence uses it as the range.
   */
  bounds?: { lower: number; upper: number }
  /**
   * Optional: the count of each distinct per-request value, for a bounded metric whose values
   * take few (the judge's pair scores): the betting confidence sequence (src/stats/cs/betting.ts)
   * computes its capital exactly from them. Used only when its counts add up to `requests`;
   * merged by adding the counts of equal values, and dropped when one side of a merge lacks it.
   */
  levels?: ValueCounts
  /**
   * Optional, TOTAL_SEGMENT cells of a metric with `varianceReduction` only: the moments of the
   * regression-adjusted comparison. A source that cannot produce them (aggregated per-request data)
   * leaves them out, and the metric is compared unadjusted.
   */
  adjusted?: AdjustedMoments
}
