import { DEFAULT_RELATIVE_ACCURACY } from './quantileSketch.js'
import type { UnitRankSums } from './types.js'

/**
 * Per-unit rank sums: what the quantile confidence sequence needs to know about clustering.
 *
 * When requests are grouped by user, the count of requests at or below a threshold x is a sum of
 * per-user counts c_i(x), and its variance is sum_i (c_i(x) - F(x) n_i)^2 (n_i the user's
 * requests, F the pooled CDF), not N F (1 - F): the design effect of the indicator 1{X <= x}
 * (analysis/designEffect.ts; Deng, Knoblich & Lu, "Applying the delta method in metric
 * analytics", KDD 2018, quantile metrics under clustered randomization: per-unit sums of the
 * indicator at the quantile). It depends on x (user levels move the median more than the p99,
 * or less), so the mean's design effect cannot stand in for it.
 *
 * The sums are kept on a coarse grid of thresholds that every source can compute: the quantile
 * sketch's bucket edges, every RANK_STEP-th one. With the sketch's index(v) = ceil(ln v / ln gamma)
 * (quantileSketch.ts), a positive value is in coarse bin ceil(index(v) / RANK_STEP), and coarse
 * bin j's upper edge is e_j = gamma^(RANK_STEP j) (gamma^32 = 1.173 at 0.25% accuracy:
 * thresholds 17% apart). Values <= 0 are in bin NON_POSITIVE_BIN, whose edge is 0. For each
 * coarse bin j the
 * evidence holds increments, over the units first seen in the cell:
 *   counts[j]  = sum_i (requests of unit i in bin j)
 *   squares[j] = sum_i (c_i(e_j)^2 - c_i(e_(j-1))^2)
 *   cross[j]   = sum_i n_i (requests of unit i in bin j)
 * so prefix sums give U(e) = sum_i c_i(e), sum_i c_i(e)^2 and sum_i c_i(e) n_i at every edge.
 * Requests without a unit are clusters of one and are not in these sums (the sketch's count at
 * e minus U(e) gives them). Increments add across cells and threads, so merging is exact.
 */
export const RANK_STEP = 32
/** The coarse bin of values <= 0 (below every positive bin). */
export const NON_POSITIVE_BIN = -1_000_000

/** The coarse bin of a value whose sketch bucket index is `index` (-Infinity for v <= 0). */
export function coarseBin(index: number): number {
  return index === -Infinity ? NON_POSITIVE_BIN : Math.ceil(index / RANK_STEP)
}

/** The upper edge of coarse bin j at the default accuracy (0 for NON_POSITIVE_BIN). */
export function coarseEdge(bin: number, relativeAccuracy = DEFAULT_RELATIVE_ACCURACY): number {
  if (bin === NON_POSITIVE_BIN) return 0
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
  return Math.exp(bin * RANK_STEP * Math.log(gamma))
}

/** Keys pack a metric and a coarse bin: bins are offset by BIN_BIAS into 0..BIN_SPAN - 1. */
const BIN_BIAS = 8192
const BIN_SPAN = 2 * BIN_BIAS
const NON_POSITIVE_CODE = 0

function encodeBin(bin: number): number {
  return bin === NON_POSITIVE_BIN
    ? NON_POSITIVE_CODE
    : Math.max(1, Math.min(BIN_SPAN - 1, bin + BIN_BIAS))
}

function decodeBin(code: number): number {
  return code === NON_POSITIVE_CODE ? NON_POSITIVE_BIN : code - BIN_BIAS
}

/**
 * Each unit slot's coarse-bin counts, per quantile metric, as linked lists in typed arrays (the
 * builder's per-unit state, src/sketch/unitStore.ts, has fixed-size slots; these lists hold one
 * entry per (slot, metric, bin) that occurs, 12 bytes each: a unit with one request costs one
 * entry, a heavy unit at most its number of distinct bins, about 50 over four decades).
 */
export class UnitRankBins {
  /** heads[slot]: first entry of the slot's list, 0 when empty (entry 0 is unused). */
  private heads = new Int32Array(1024)
  private keys = new Int32Array(1024)
  private counts = new Int32Array(1024)
  private next = new Int32Array(1024)
  private used = 1

  /** One request of `slot` for metric `metric` (an index into the policy's metrics) in `bin`. */
  add(slot: number, metric: number, bin: number): void {
    if (slot >= this.heads.length) this.heads = grow(this.heads, slot + 1)
    const key = metric * BIN_SPAN + encodeBin(bin)
    for (let e = this.heads[slot] as number; e !== 0; e = this.next[e] as number) {
      if (this.keys[e] === key) {
        this.counts[e] = (this.counts[e] as number) + 1
        return
      }
    }
    if (this.used >= this.keys.length) {
      const size = 2 * this.keys.length
      this.keys = grow(this.keys, size)
      this.counts = grow(this.counts, size)
      this.next = grow(this.next, size)
    }
    const e = this.used++
    this.keys[e] = key
    this.counts[e] = 1
    this.next[e] = this.heads[slot] as number
    this.heads[slot] = e
  }

  /** Adds the slot's counts into `into[metric]`, for each metric that has a UnitBins there. */
  collect(slot: number, into: (UnitBins | undefined)[]): void {
    if (slot >= this.heads.length) return
    for (let e = this.heads[slot] as number; e !== 0; e = this.next[e] as number) {
      const key = this.keys[e] as number
      into[Math.floor(key / BIN_SPAN)]?.add(decodeBin(key % BIN_SPAN), this.counts[e] as number)
    }
  }

  /**
   * Adds the slot's counts for one metric into `into` (growUnit's), which must be empty: a slot's
   * entries have distinct bins, so each is appended without a search.
   */
  collectMetric(slot: number, metric: number, into: UnitBins): void {
    if (slot >= this.heads.length) return
    for (let e = this.heads[slot] as number; e !== 0; e = this.next[e] as number) {
      const key = this.keys[e] as number
      if (Math.floor(key / BIN_SPAN) === metric) {
        into.append(decodeBin(key % BIN_SPAN), this.counts[e] as number)
      }
    }
  }

  /** Drops every list (the builder's finish(), once they are folded into cells). */
  release(): void {
    this.heads = new Int32Array(0)
    this.keys = new Int32Array(0)
    this.counts = new Int32Array(0)
    this.next = new Int32Array(0)
    this.used = 1
  }
}

function grow(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(size, 2 * a.length))
  b.set(a)
  return b
}

/**
 * One unit's requests per coarse bin, in reusable typed arrays (the builder fills one per unit
 * in finish(), hundreds of thousands of times: no allocation per unit).
 */
export class UnitBins {
  bins = new Int32Array(64)
  counts = new Float64Array(64)
  size = 0

  clear(): void {
    this.size = 0
  }

  add(bin: number, count: number): void {
    for (let i = 0; i < this.size; i++) {
      if (this.bins[i] === bin) {
        this.counts[i] = (this.counts[i] as number) + count
        return
      }
    }
    this.append(bin, count)
  }

  /** A bin not among those held yet (the caller knows): added without a search. */
  append(bin: number, count: number): void {
    if (this.size === this.bins.length) {
      const bins = new Int32Array(2 * this.size)
      bins.set(this.bins)
      const counts = new Float64Array(2 * this.size)
      counts.set(this.counts)
      this.bins = bins
      this.counts = counts
    }
    this.bins[this.size] = bin
    this.counts[this.size++] = count
  }

  /** Sorts by bin, in place (insertion sort: a unit has a few dozen bins at most). */
  sort(): void {
    for (let i = 1; i < this.size; i++) {
      const bin = this.bins[i] as number
      const count = this.counts[i] as number
      let j = i - 1
      while (j >= 0 && (this.bins[j] as number) > bin) {
        this.bins[j + 1] = this.bins[j] as number
        this.counts[j + 1] = this.counts[j] as number
        j--
      }
      this.bins[j + 1] = bin
      this.counts[j + 1] = count
    }
  }
}

/** A cell's rank sums while they are built: coarse bin -> [counts, squares, cross]. */
export class RankSumsAccumulator {
  private readonly bins = new Map<number, Float64Array>()

  /**
   * Adds one unit: its requests per coarse bin (sorted by addUnit). `sign` -1 takes a unit added
   * before out again (exactly: the sums are of integers), for growUnit.
   */
  addUnit(unit: UnitBins, sign: 1 | -1 = 1): void {
    if (unit.size === 0) return
    unit.sort()
    let n = 0
    for (let i = 0; i < unit.size; i++) n += unit.counts[i] as number
    let below = 0
    for (let i = 0; i < unit.size; i++) {
      const bin = unit.bins[i] as number
      const k = unit.counts[i] as number
      const after = below + k
      const sums = this.bins.get(bin) ?? this.newBin(bin)
      sums[0] = (sums[0] as number) + sign * k
      sums[1] = (sums[1] as number) + sign * (after * after - below * below)
      sums[2] = (sums[2] as number) + sign * k * n
      below = after
    }
  }

  /** One more request in `bin` of a unit added before with `unit`'s bins (growUnit). */
  growUnit(unit: UnitBins, bin: number): void {
    let n = 0
    let upTo = 0
    let own = 0
    for (let i = 0; i < unit.size; i++) {
      const k = unit.counts[i] as number
      const at = unit.bins[i] as number
      n += k
      if (at <= bin) upTo += k
      if (at === bin) own = k
      else {
        const sums = this.bins.get(at) as Float64Array
        if (at > bin) sums[1] = (sums[1] as number) + 2 * k
        sums[2] = (sums[2] as number) + k
      }
    }
    const sums = this.bins.get(bin) ?? this.newBin(bin)
    sums[0] = (sums[0] as number) + 1
    sums[1] = (sums[1] as number) + 2 * upTo + 1
    sums[2] = (sums[2] as number) + own + n + 1
  }

  /** Adds sums already in evidence form. */
  addSums(s: UnitRankSums): void {
    s.bins.forEach((bin, i) => {
      const sums = this.bins.get(bin) ?? this.newBin(bin)
      sums[0] = (sums[0] as number) + (s.counts[i] as number)
      sums[1] = (sums[1] as number) + (s.squares[i] as number)
      sums[2] = (sums[2] as number) + (s.cross[i] as number)
    })
  }

  get empty(): boolean {
    return this.bins.size === 0
  }

  toJSON(): UnitRankSums {
    const bins = [...this.bins.keys()].sort((a, b) => a - b)
    const at = (j: 0 | 1 | 2) => bins.map(b => (this.bins.get(b) as Float64Array)[j] as number)
    return { step: RANK_STEP, bins, counts: at(0), squares: at(1), cross: at(2) }
  }

  private newBin(bin: number): Float64Array {
    const sums = new Float64Array(3)
    this.bins.set(bin, sums)
    return sums
  }
}

/**
 * One more request of unit `slot` for metric `metric`, in coarse bin `bin`, when cells' sums are
 * kept up to date as their units grow (src/replay/windowEvidence.ts): records it in `bins` and
 * gives each of `into` (the sums that hold this unit) the unit's new terms less its old ones, so
 * they stay what addUnit over the units' final bins gives. `scratch` is reused between calls.
 *
 * The change, from addUnit's terms (per bin j of the unit: k_j, after_j^2 - below_j^2, k_j n),
 * with n the unit's requests before this one and A its requests in bins up to `bin`: the new
 * request's bin gains 1, 2A + 1 and k_bin + n + 1; every other bin of the unit gains k_j in the
 * cross term (n grew by one), and a bin above it 2 k_j in the squares (its below and after both
 * grew by one). Integers, so exactly what taking the unit out and putting it back in gives.
 */
export function growUnit(
  bins: UnitRankBins,
  slot: number,
  metric: number,
  bin: number,
  scratch: UnitBins,
  into: RankSumsAccumulator,
  also?: RankSumsAccumulator
): void {
  scratch.clear()
  bins.collectMetric(slot, metric, scratch)
  into.growUnit(scratch, bin)
  also?.growUnit(scratch, bin)
  bins.add(slot, metric, bin)
}

/** The rank sums of the union of two cells' units (a new object). */
export function mergeUnitRanks(a: UnitRankSums, b: UnitRankSums): UnitRankSums {
  if (a.step !== b.step) {
    throw new RangeError(`mergeUnitRanks: coarse steps ${a.step} and ${b.step} differ`)
  }
  const acc = new RankSumsAccumulator()
  acc.addSums(a)
  acc.addSums(b)
  return acc.toJSON()
}
