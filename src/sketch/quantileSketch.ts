import type { BucketCounts, QuantileSketchData } from './types.js'

/**
 * DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019). A positive value v lands in bucket ceil(log_gamma(v)),
 * gamma = (1 + alpha) / (1 - alpha); bucket i covers (gamma^(i-1), gamma^i] and is read back as
 * 2 gamma^i / (gamma + 1), which is within relative error alpha of every value in it. Negative
 * values use a second store keyed by |v|, zeros a counter. Merging adds bucket counts, so it is
 * exact, associative and commutative.
 *
 * Memory is bounded: each store keeps at most `maxBuckets` (default 2048) contiguous buckets and,
 * past that, folds the lowest ones into the lowest kept bucket (the paper's "collapsing lowest"
 * store, section 2.2). With alpha = 0.01, 2048 buckets span a factor gamma^2048 ~ 6e17, so only
 * data covering more than 17 orders of magnitude loses accuracy, and then only in its low tail.
 */
export const DEFAULT_RELATIVE_ACCURACY = 0.01
export const DEFAULT_MAX_BUCKETS = 2048

const MIN_CAPACITY = 64
const NO_COUNTS = new Float64Array(0)

/** Counts over a contiguous range of bucket indices in a typed array (index - offset). */
class DenseStore {
  private counts: Float64Array = NO_COUNTS
  /** Bucket index of counts[0]. */
  private offset = 0
  /** Lowest and highest non-empty bucket indices. */
  minIndex = Infinity
  maxIndex = -Infinity
  total = 0

  constructor(private readonly maxBuckets: number) {}

  add(index: number, count: number): void {
    let slot = index - this.offset
    if (slot < 0 || slot >= this.counts.length) {
      index = this.grow(index)
      slot = index - this.offset
    }
    this.counts[slot] = (this.counts[slot] as number) + count
    if (index < this.minIndex) this.minIndex = index
    if (index > this.maxIndex) this.maxIndex = index
    this.total += count
  }

  /**
   * Reallocates the array to cover `index` (with slack for more growth) and returns the bucket the
   * value lands in: `index` itself, or the lowest kept bucket when the range would exceed the cap.
   */
  private grow(index: number): number {
    const hi = Math.max(this.maxIndex, index)
    const lo = Math.max(Math.min(this.minIndex, index), hi - this.maxBuckets + 1)
    const span = hi - lo + 1
    const capacity = Math.min(
      this.maxBuckets,
      Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(2 * span)))
    )
    const offset = lo - Math.floor((capacity - span) / 2)
    const counts = new Float64Array(capacity)
    for (let j = this.minIndex; j <= this.maxIndex; j++) {
      const c = this.counts[j - this.offset] as number
      if (c > 0) {
        const kept = Math.max(j, lo) - offset
        counts[kept] = (counts[kept] as number) + c
      }
    }
    if (this.total > 0) this.minIndex = Math.max(this.minIndex, lo)
    this.counts = counts
    this.offset = offset
    return Math.max(index, lo)
  }

  /** Bucket index of the rank-th (1-based) smallest value. */
  indexAtRank(rank: number): number {
    let seen = 0
    for (let j = this.minIndex; j < this.maxIndex; j++) {
      seen += this.counts[j - this.offset] as number
      if (seen >= rank) return j
    }
    return this.maxIndex
  }

  /** Bucket index of the rank-th (1-based) largest value. */
  indexAtRankFromTop(rank: number): number {
    let seen = 0
    for (let j = this.maxIndex; j > this.minIndex; j--) {
      seen += this.counts[j - this.offset] as number
      if (seen >= rank) return j
    }
    return this.minIndex
  }

  mergeFrom(other: DenseStore): void {
    for (let j = other.minIndex; j <= other.maxIndex; j++) {
      const c = other.counts[j - other.offset] as number
      if (c > 0) this.add(j, c)
    }
  }

  toBuckets(): BucketCounts {
    if (this.total === 0) return { offset: 0, counts: [] }
    const from = this.minIndex - this.offset
    return {
      offset: this.minIndex,
      counts: Array.from(this.counts.subarray(from, this.maxIndex - this.offset + 1))
    }
  }
}

export class QuantileSketch {
  private readonly alpha: number
  /** 1 / ln(gamma): index(v) = ceil(ln(v) * multiplier). */
  private readonly multiplier: number
  /** 2 / (gamma + 1): the value of bucket i is gamma^i times this. */
  private readonly midpoint: number
  private readonly positive: DenseStore
  private readonly negative: DenseStore
  private zeros = 0
  private n = 0
  private min = Infinity
  private max = -Infinity

  constructor(relativeAccuracy = DEFAULT_RELATIVE_ACCURACY, maxBuckets = DEFAULT_MAX_BUCKETS) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new RangeError(
        `QuantileSketch: relative accuracy must be in (0, 1), got ${relativeAccuracy}`
      )
    }
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    this.alpha = relativeAccuracy
    this.multiplier = 1 / Math.log(gamma)
    this.midpoint = 2 / (gamma + 1)
    this.positive = new DenseStore(maxBuckets)
    this.negative = new DenseStore(maxBuckets)
  }

  get count(): number {
    return this.n
  }

  get relativeAccuracy(): number {
    return this.alpha
  }

  add(v: number): void {
    if (!Number.isFinite(v)) throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`)
    if (v > 0) this.positive.add(Math.ceil(Math.log(v) * this.multiplier), 1)
    else if (v < 0) this.negative.add(Math.ceil(Math.log(-v) * this.multiplier), 1)
    else this.zeros += 1
    this.n += 1
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  /**
   * add(v) on this sketch and on `twin` (same relative accuracy), computing the bucket once: the
   * evidence builder files each baseline value in its cell and in its A/A half.
   */
  addWithTwin(v: number, twin: QuantileSketch): void {
    if (!Number.isFinite(v)) throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`)
    if (v > 0) {
      const index = Math.ceil(Math.log(v) * this.multiplier)
      this.positive.add(index, 1)
      twin.positive.add(index, 1)
    } else if (v < 0) {
      const index = Math.ceil(Math.log(-v) * this.multiplier)
      this.negative.add(index, 1)
      twin.negative.add(index, 1)
    } else {
      this.zeros += 1
      twin.zeros += 1
    }
    this.n += 1
    twin.n += 1
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
    if (v < twin.min) twin.min = v
    if (v > twin.max) twin.max = v
  }

  /** Adds another sketch's counts into this one; both must have the same relative accuracy. */
  merge(other: QuantileSketch): void {
    if (other.alpha !== this.alpha) {
      throw new RangeError(
        `QuantileSketch.merge: relative accuracy ${other.alpha} differs from ${this.alpha}`
      )
    }
    this.positive.mergeFrom(other.positive)
    this.negative.mergeFrom(other.negative)
    this.zeros += other.zeros
    this.n += other.n
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
  }

  /**
   * The value of the rank-th smallest observation (1-based, clamped to [1, count]), within relative
   * error `relativeAccuracy`; the observed min and max are exact. NaN when the sketch is empty.
   */
  valueAtRank(rank: number): number {
    if (this.n === 0) return NaN
    const r = Math.min(this.n, Math.max(1, Math.ceil(rank)))
    if (r === 1) return this.min
    if (r === this.n) return this.max
    const negatives = this.negative.total
    let value: number
    if (r <= negatives) value = -this.bucketValue(this.negative.indexAtRankFromTop(r))
    else if (r <= negatives + this.zeros) value = 0
    else value = this.bucketValue(this.positive.indexAtRank(r - negatives - this.zeros))
    return Math.min(this.max, Math.max(this.min, value))
  }

  /**
   * The lower empirical q-quantile: the observation of rank 1 + floor(q (count - 1)) in sorted
   * order (DDSketch, Algorithm 2), within `relativeAccuracy`. NaN when the sketch is empty.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1))
      throw new RangeError(`QuantileSketch.quantile: q must be in [0, 1], got ${q}`)
    return this.valueAtRank(1 + Math.floor(q * (this.n - 1)))
  }

  toJSON(): QuantileSketchData {
    return {
      alpha: this.alpha,
      count: this.n,
      zeros: this.zeros,
      positive: this.positive.toBuckets(),
      negative: this.negative.toBuckets(),
      min: this.n > 0 ? this.min : 0,
      max: this.n > 0 ? this.max : 0
    }
  }

  static fromJSON(data: QuantileSketchData): QuantileSketch {
    const sketch = new QuantileSketch(data.alpha)
    data.positive.counts.forEach(
      (c, i) => c > 0 && sketch.positive.add(data.positive.offset + i, c)
    )
    data.negative.counts.forEach(
      (c, i) => c > 0 && sketch.negative.add(data.negative.offset + i, c)
    )
    sketch.zeros = data.zeros
    sketch.n = sketch.positive.total + sketch.negative.total + data.zeros
    if (sketch.n !== data.count) {
      throw new RangeError(
        `QuantileSketch.fromJSON: count ${data.count} does not match its buckets (${sketch.n})`
      )
    }
    if (sketch.n > 0) {
      sketch.min = data.min
      sketch.max = data.max
    }
    return sketch
  }

  private bucketValue(index: number): number {
    return Math.exp(index / this.multiplier) * this.midpoint
  }
}
