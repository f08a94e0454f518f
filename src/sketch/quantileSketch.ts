import type { BucketCounts, QuantileSketchData } from './types.js'

/**
 * DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019) with an unbounded store: it never collapses buckets, so
 * it never loses accuracy, whatever the data's range.
 *
 * The bucket index mapping (the contract sources that build sketches elsewhere must follow, e.g.
 * in SQL; docs/quantile-sketch.md says the same):
 *
 *   relative accuracy a (default 0.0025), gamma = (1 + a) / (1 - a)   (a = 0.0025: gamma = 401/399)
 *   v > 0:  index(v) = ceil(ln(v) / ln(gamma)), counted in `positive`
 *   v < 0:  index(|v|), counted in `negative`
 *   v = 0:  counted in `zeros`
 *
 * Bucket i holds the values in (gamma^(i-1), gamma^i] (negatives: [-gamma^i, -gamma^(i-1))), and
 * is read back as 2 gamma^i / (gamma + 1), within relative error a of every value in it. A value
 * exactly at an edge gamma^i may land in bucket i or i + 1 depending on floating-point rounding
 * (ln(v) * (1 / ln gamma) here, LN(v) / LN(gamma) in SQL): harmless, since it lies on the edge both
 * buckets share and both read it within a. Non-finite values are rejected.
 *
 * Memory: buckets are kept in pages of PAGE_SIZE counts, allocated only where data falls, so a
 * sketch costs 256 bytes per page in use (latency over four decades: 29 pages), and data spread
 * over the whole float range a few thousand.
 *
 * Why 0.25% and not DDSketch's usual 1%: the quantile confidence sequences read each order
 * statistic at its bucket's edges, so every bound moves out by up to a bucket (2a). At 1% that
 * added about 2 points to each side of a relative quantile difference, a fifth to a third of the
 * interval when a 10% tolerance is being decided (bench/quantileWidth.bench.ts: 2.0-2.4x the
 * fixed-n interval at 1%, 1.5-1.75x at 0.25%, alpha = 0.0125). Merging adds bucket counts: exact,
 * associative and commutative, across cells, workers and threads.
 */
export const DEFAULT_RELATIVE_ACCURACY = 0.0025

const PAGE_BITS = 6
const PAGE_SIZE = 1 << PAGE_BITS
const PAGE_MASK = PAGE_SIZE - 1
/** Edges are widened by this relative amount, for the rounding of ln and exp at a bucket edge. */
const EDGE_SLACK = 1e-12

/**
 * A page of bucket counts: uint32 (half the memory of float64; counts are whole numbers), turned
 * into float64 in place of itself when a count outgrows it.
 */
type Page = Uint32Array | Float64Array

/** Bucket counts over any range of indices: a page table of fixed-size typed-array pages. */
class PagedStore {
  /** pages[k] holds buckets (firstPage + k) * PAGE_SIZE .. + PAGE_SIZE - 1, or is undefined. */
  private pages: (Page | undefined)[] = []
  private firstPage = 0
  /** Lowest and highest non-empty bucket indices. */
  minIndex = Infinity
  maxIndex = -Infinity
  total = 0
  /** Non-empty buckets in index order with cumulative counts; built on demand, dropped on add. */
  private ranked: { index: Int32Array; cumulative: Float64Array } | undefined

  add(index: number, count: number): void {
    let slot = (index >> PAGE_BITS) - this.firstPage
    if (slot < 0 || slot >= this.pages.length) slot = this.cover(index >> PAGE_BITS)
    const page = this.pages[slot] ?? (this.pages[slot] = new Uint32Array(PAGE_SIZE))
    const sum = (page[index & PAGE_MASK] as number) + count
    page[index & PAGE_MASK] = sum
    // A count past 2^32 - 1, or not an integer (a weighted count from elsewhere): float64 page.
    if (page[index & PAGE_MASK] !== sum) {
      const wide = Float64Array.from(page)
      wide[index & PAGE_MASK] = sum
      this.pages[slot] = wide
    }
    if (index < this.minIndex) this.minIndex = index
    if (index > this.maxIndex) this.maxIndex = index
    this.total += count
    this.ranked = undefined
  }

  /** Grows the page table to cover page `key` (with slack); returns its slot. */
  private cover(key: number): number {
    if (this.pages.length === 0) {
      this.firstPage = key
      this.pages = [undefined]
      return 0
    }
    const lo = Math.min(this.firstPage, key)
    const hi = Math.max(this.firstPage + this.pages.length - 1, key)
    const span = hi - lo + 1
    const slack = Math.max(2, span)
    const first = key < this.firstPage ? lo - slack : lo
    const pages: (Page | undefined)[] = new Array(span + slack).fill(undefined)
    this.pages.forEach((p, k) => (pages[this.firstPage + k - first] = p))
    this.pages = pages
    this.firstPage = first
    return key - first
  }

  /** Calls visit(index, count) for each non-empty bucket, in index order. */
  forEach(visit: (index: number, count: number) => void): void {
    this.pages.forEach((page, k) => {
      if (!page) return
      const base = (this.firstPage + k) * PAGE_SIZE
      for (let j = 0; j < PAGE_SIZE; j++) {
        const c = page[j] as number
        if (c > 0) visit(base + j, c)
      }
    })
  }

  /** Adds another store's counts, a page at a time. */
  mergeFrom(other: PagedStore): void {
    if (other.total === 0) return
    other.pages.forEach((from, k) => {
      if (!from) return
      const key = other.firstPage + k
      let slot = key - this.firstPage
      if (slot < 0 || slot >= this.pages.length) slot = this.cover(key)
      let page = this.pages[slot] ?? (this.pages[slot] = new Uint32Array(PAGE_SIZE))
      for (let j = 0; j < PAGE_SIZE; j++) {
        const c = from[j] as number
        if (c === 0) continue
        const sum = (page[j] as number) + c
        page[j] = sum
        if (page[j] !== sum) {
          page = this.pages[slot] = Float64Array.from(page)
          page[j] = sum
        }
      }
    })
    if (other.minIndex < this.minIndex) this.minIndex = other.minIndex
    if (other.maxIndex > this.maxIndex) this.maxIndex = other.maxIndex
    this.total += other.total
    this.ranked = undefined
  }

  private rank(): { index: Int32Array; cumulative: Float64Array } {
    if (this.ranked) return this.ranked
    const index: number[] = []
    const cumulative: number[] = []
    let seen = 0
    this.forEach((i, c) => {
      index.push(i)
      cumulative.push((seen += c))
    })
    this.ranked = { index: Int32Array.from(index), cumulative: Float64Array.from(cumulative) }
    return this.ranked
  }

  /**
   * Position (in index order of non-empty buckets) of the bucket holding the rank-th (1-based)
   * smallest value, with the ranks it holds; rank is clamped to [1, total].
   */
  locate(rank: number): { index: number; first: number; last: number } {
    const { index, cumulative } = this.rank()
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] as number) >= rank) hi = mid
      else lo = mid + 1
    }
    const before = lo > 0 ? (cumulative[lo - 1] as number) : 0
    return { index: index[lo] as number, first: before + 1, last: cumulative[lo] as number }
  }

  /** The count in buckets with index <= `index`. */
  countThrough(index: number): number {
    if (this.total === 0 || index < this.minIndex) return 0
    if (index >= this.maxIndex) return this.total
    const { index: at, cumulative } = this.rank()
    let lo = 0
    let hi = at.length - 1
    // The last non-empty bucket <= index (at[0] <= index < at[last]).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((at[mid] as number) <= index) lo = mid
      else hi = mid - 1
    }
    return cumulative[lo] as number
  }

  /** Dense counts from minIndex, a run of g >= 2 empty buckets written as -g. */
  toBuckets(): BucketCounts {
    if (this.total === 0) return { offset: 0, counts: [] }
    const counts: number[] = []
    let next = this.minIndex
    this.forEach((index, count) => {
      const gap = index - next
      if (gap === 1) counts.push(0)
      else if (gap > 1) counts.push(-gap)
      counts.push(count)
      next = index + 1
    })
    return { offset: this.minIndex, counts }
  }

  /** Adds counts written by toBuckets (or plain dense counts). */
  addBuckets(b: BucketCounts, what: string): void {
    let index = b.offset
    if (!Number.isInteger(index))
      throw new RangeError(`QuantileSketch.fromJSON: ${what} offset ${index} is not an integer`)
    for (const c of b.counts) {
      if (!Number.isFinite(c))
        throw new RangeError(`QuantileSketch.fromJSON: ${what} has a count ${c}`)
      if (c < 0) {
        if (!Number.isInteger(c))
          throw new RangeError(`QuantileSketch.fromJSON: ${what} has a gap ${c}`)
        index -= c
        continue
      }
      if (c > 0) this.add(index, c)
      index++
    }
  }
}

export class QuantileSketch {
  private readonly alpha: number
  /** 1 / ln(gamma): index(v) = ceil(ln(v) * multiplier). */
  private readonly multiplier: number
  private readonly logGamma: number
  /** 2 / (gamma + 1): the value of bucket i is gamma^i times this. */
  private readonly midpoint: number
  private readonly positive = new PagedStore()
  private readonly negative = new PagedStore()
  private zeros = 0
  private n = 0
  private min = Infinity
  private max = -Infinity

  constructor(relativeAccuracy = DEFAULT_RELATIVE_ACCURACY) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new RangeError(
        `QuantileSketch: relative accuracy must be in (0, 1), got ${relativeAccuracy}`
      )
    }
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    this.alpha = relativeAccuracy
    this.logGamma = Math.log(gamma)
    this.multiplier = 1 / this.logGamma
    this.midpoint = 2 / (gamma + 1)
  }

  get count(): number {
    return this.n
  }

  get relativeAccuracy(): number {
    return this.alpha
  }

  /** The bucket index of |v| for v != 0 (the mapping above). */
  indexOf(v: number): number {
    return Math.ceil(Math.log(Math.abs(v)) * this.multiplier)
  }

  /** Adds v; returns its bucket index when v > 0, else -Infinity (unitRanks.ts, coarseBin). */
  add(v: number): number {
    if (!Number.isFinite(v)) throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`)
    let index = -Infinity
    if (v > 0) this.positive.add((index = Math.ceil(Math.log(v) * this.multiplier)), 1)
    else if (v < 0) this.negative.add(Math.ceil(Math.log(-v) * this.multiplier), 1)
    else this.zeros += 1
    this.n += 1
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
    return index
  }

  /**
   * add(v) on this sketch and on `twin` (same relative accuracy), computing the bucket once: the
   * evidence builder files each baseline value in its cell and in its A/A half. Returns what add
   * returns.
   */
  addWithTwin(v: number, twin: QuantileSketch): number {
    if (!Number.isFinite(v)) throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`)
    let index = -Infinity
    if (v > 0) {
      index = Math.ceil(Math.log(v) * this.multiplier)
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
    return index
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
   * Where the rank-th (1-based, clamped to [1, count]) smallest observation lies: which store,
   * its bucket index, and the ranks first..last that share the bucket.
   */
  private locate(rank: number): {
    store: 'negative' | 'zero' | 'positive'
    index: number
    first: number
    last: number
  } {
    const r = Math.min(this.n, Math.max(1, Math.ceil(rank)))
    const negatives = this.negative.total
    if (r <= negatives) {
      // The negative store is keyed by |v| ascending: the rank-th smallest value has the
      // (negatives - r + 1)-th smallest |v|, and ranks f..l of |v| are ranks
      // negatives - l + 1 .. negatives - f + 1 of v.
      const at = this.negative.locate(negatives - r + 1)
      return {
        store: 'negative',
        index: at.index,
        first: negatives - at.last + 1,
        last: negatives - at.first + 1
      }
    }
    if (r <= negatives + this.zeros) {
      return { store: 'zero', index: 0, first: negatives + 1, last: negatives + this.zeros }
    }
    const offset = negatives + this.zeros
    const at = this.positive.locate(r - offset)
    return { store: 'positive', index: at.index, first: at.first + offset, last: at.last + offset }
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
    const at = this.locate(r)
    const value =
      at.store === 'zero'
        ? 0
        : (at.store === 'negative' ? -1 : 1) * Math.exp(at.index * this.logGamma) * this.midpoint
    return Math.min(this.max, Math.max(this.min, value))
  }

  /**
   * Where the rank-th smallest observation (1-based, clamped to [1, count]) lies for sure: its
   * bucket's edges, within the observed min and max (exact at ranks 1 and count).
   */
  rangeAtRank(rank: number): { low: number; high: number } {
    if (this.n === 0) return { low: NaN, high: NaN }
    const r = Math.min(this.n, Math.max(1, Math.ceil(rank)))
    if (r === 1) return { low: this.min, high: this.min }
    if (r === this.n) return { low: this.max, high: this.max }
    const at = this.locate(r)
    if (at.store === 'zero') return { low: 0, high: 0 }
    const inner = Math.exp((at.index - 1) * this.logGamma) * (1 - EDGE_SLACK)
    const outer = Math.exp(at.index * this.logGamma) * (1 + EDGE_SLACK)
    const edges =
      at.store === 'positive' ? { low: inner, high: outer } : { low: -outer, high: -inner }
    return { low: Math.max(this.min, edges.low), high: Math.min(this.max, edges.high) }
  }

  /**
   * Observations at or below gamma^index, the upper edge of positive bucket `index` (every value
   * <= 0 included); -Infinity counts the values <= 0 only.
   */
  countAtOrBelowEdge(index: number): number {
    const nonPositive = this.negative.total + this.zeros
    return index === -Infinity ? nonPositive : nonPositive + this.positive.countThrough(index)
  }

  /** Observations < 0. */
  get negativeCount(): number {
    return this.negative.total
  }

  /** The lowest and highest non-empty positive bucket indices (Infinity, -Infinity when none). */
  get positiveRange(): { min: number; max: number } {
    return { min: this.positive.minIndex, max: this.positive.maxIndex }
  }

  /** The ranks first..last whose observations share the rank-th's bucket. */
  bucketAtRank(rank: number): { first: number; last: number } {
    if (this.n === 0) return { first: 1, last: 0 }
    const { first, last } = this.locate(rank)
    return { first, last }
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

  /**
   * The plain-data form (types.ts, QuantileSketchData): counts dense from the lowest non-empty
   * bucket, a run of g >= 2 empty buckets written as -g, so data over 24 decades with a gap in
   * the middle costs its non-empty buckets, not the gap.
   */
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
    sketch.positive.addBuckets(data.positive, 'positive')
    sketch.negative.addBuckets(data.negative, 'negative')
    if (!(data.zeros >= 0)) {
      throw new RangeError(`QuantileSketch.fromJSON: zeros ${data.zeros} is not a count`)
    }
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
}
