import type { MetricKind } from '../policy/types.js'
import { addCluster } from './moments.js'
import type { RatioMoments } from './types.js'

/**
 * Per-unit state for EvidenceBuilder: a fixed-size slot per unit (or per unit and segment) in
 * typed-array pages rather than objects, so hundreds of thousands of units cost under 100 bytes
 * each, give the garbage collector nothing to trace, and a record's update touches one or two
 * adjacent cache lines. (Random access to this state is, after JSON.parse, the largest cost of
 * reading a file, so compactness is speed here.)
 *
 * A slot is one ArrayBuffer range seen as Int32Array and Float64Array:
 *   `header` int32s for the caller, then per metric a request count (int32, also the y-sum when
 *   y = 1), padded to 8 bytes; then per metric an x-sum (float64), and for ratio metrics a y-sum.
 * (Header and counts share the int32 part: with a one-int header and five metrics a slot is 64
 * bytes, where padding each part apart made it 72.)
 */
export class UnitSlots {
  private static readonly PAGE_SLOTS = 4096
  private readonly floatPages: Float64Array[] = []
  private readonly intPages: Int32Array[] = []
  /** Slot width in float64 elements (an int32 index is twice a float64 one). */
  private readonly stride: number
  /** Float64 offsets of metric i's x-sum and y-sum (-1: y = 1, read the count); int32 offset of its count. */
  private readonly xAt: Int32Array
  private readonly yAt: Int32Array
  private readonly countAt: Int32Array
  used = 0

  constructor(
    kinds: MetricKind[],
    readonly header: number
  ) {
    let floats = Math.ceil((header + kinds.length) / 2)
    this.xAt = new Int32Array(kinds.length)
    this.yAt = new Int32Array(kinds.length).fill(-1)
    kinds.forEach((kind, i) => {
      this.xAt[i] = floats++
      if (kind === 'ratio') this.yAt[i] = floats++
    })
    this.countAt = Int32Array.from(kinds, (_, i) => header + i)
    this.stride = floats
  }

  /** A new zeroed slot; returns its number. */
  allocate(): number {
    const slot = this.used++
    if (slot % UnitSlots.PAGE_SLOTS === 0) {
      const buffer = new ArrayBuffer(UnitSlots.PAGE_SLOTS * this.stride * 8)
      this.floatPages.push(new Float64Array(buffer))
      this.intPages.push(new Int32Array(buffer))
    }
    return slot
  }

  /** Drops every slot (the builder's finish(), once their sums are folded into cells). */
  release(): void {
    this.floatPages.length = 0
    this.intPages.length = 0
    this.used = 0
  }

  /** The int32 page holding the slot; its header starts at intBase(slot). */
  ints(slot: number): Int32Array {
    return this.intPages[Math.floor(slot / UnitSlots.PAGE_SLOTS)] as Int32Array
  }

  intBase(slot: number): number {
    return (slot % UnitSlots.PAGE_SLOTS) * 2 * this.stride
  }

  /** Adds one request's (x, y) for metric i. */
  add(slot: number, i: number, x: number, y: number): void {
    const page = Math.floor(slot / UnitSlots.PAGE_SLOTS)
    const base = (slot % UnitSlots.PAGE_SLOTS) * this.stride
    const floats = this.floatPages[page] as Float64Array
    const ints = this.intPages[page] as Int32Array
    const xi = base + (this.xAt[i] as number)
    floats[xi] = (floats[xi] as number) + x
    const ci = 2 * base + (this.countAt[i] as number)
    ints[ci] = (ints[ci] as number) + 1
    const y0 = this.yAt[i] as number
    if (y0 >= 0) floats[base + y0] = (floats[base + y0] as number) + y
  }

  /**
   * Adds the slot's sums into `sums` (per metric i: x-sum at 3i, y-sum at 3i + 1, count at 3i + 2),
   * to cluster several slots (a unit's segments) as one with addSumClusters.
   */
  sumInto(slot: number, sums: Float64Array): void {
    const page = Math.floor(slot / UnitSlots.PAGE_SLOTS)
    const base = (slot % UnitSlots.PAGE_SLOTS) * this.stride
    const floats = this.floatPages[page] as Float64Array
    const ints = this.intPages[page] as Int32Array
    for (let i = 0; i < this.xAt.length; i++) {
      const count = ints[2 * base + (this.countAt[i] as number)] as number
      if (count === 0) continue
      const y0 = this.yAt[i] as number
      sums[3 * i] = (sums[3 * i] as number) + (floats[base + (this.xAt[i] as number)] as number)
      sums[3 * i + 1] =
        (sums[3 * i + 1] as number) + (y0 < 0 ? count : (floats[base + y0] as number))
      sums[3 * i + 2] = (sums[3 * i + 2] as number) + count
    }
  }

  /** Adds the slot's sums, one cluster per metric that had a value, to `moments` (indexed by metric). */
  addClusters(slot: number, moments: RatioMoments[]): void {
    this.scratch ??= new Float64Array(3 * this.xAt.length)
    this.scratch.fill(0)
    this.sumInto(slot, this.scratch)
    addSumClusters(this.scratch, moments)
  }

  /** Per-metric sums of one slot, reused by addClusters (it runs once per unit, in finish()). */
  private scratch: Float64Array | undefined
}

/** Adds sums filled by UnitSlots.sumInto, one cluster per metric that had a value, to `moments`. */
export function addSumClusters(sums: Float64Array, moments: RatioMoments[]): void {
  for (let i = 0; i < moments.length; i++) {
    if (sums[3 * i + 2] === 0) continue
    addCluster(moments[i] as RatioMoments, sums[3 * i] as number, sums[3 * i + 1] as number)
  }
}
