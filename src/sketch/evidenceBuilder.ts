import type { Policy } from '../policy/types.js'
import { compileMetricValue, type MetricValueReader } from '../records/fields.js'
import type { Arm, RequestRecord } from '../records/record.js'
// source.ts is the Source contract (types and one constant, no I/O), which the pure core may read.
// eslint-disable-next-line no-restricted-imports
import { TOTAL_SEGMENT, type Cell, type DataQuality, type Evidence } from '../sources/source.js'
import { IntMap } from './intMap.js'
import { MAX_MODEL_KEYS, OTHER_MODELS } from './metricSketch.js'
import { addCluster, emptyMoments } from './moments.js'
import { QuantileSketch } from './quantileSketch.js'
import type { MetricSketch, RatioMoments } from './types.js'

/** Distinct segment keys kept per arm; later ones go to OTHER_SEGMENT (memory stays bounded). */
export const MAX_SEGMENTS_PER_ARM = 50
export const OTHER_SEGMENT = '(other)'
/** The value of a segment dimension a record does not have. */
export const NO_VALUE = '(none)'
const MAX_MALFORMED_SAMPLES = 10
const MAX_UNMATCHED_ARMS = 20
const MAX_INVALID_KEYS = 50
const MAX_ERROR_CLASSES = 20
const OTHER_KEY = '(other)'
/** Segment positions per arm (total, MAX_SEGMENTS_PER_ARM keys, other) fit in 6 bits. */
const SEGMENT_BITS = 64
/**
 * A unit's total slot lists its first few segments (position + 1, slot) inline: that slot is in
 * cache already, so most records find their segment slot without a hash lookup.
 */
const INLINE_SEGMENTS = 4

export interface EvidenceBuilderOptions {
  policy: Policy
  /** Half-open [from, to), epoch ms. */
  window: { from: number; to: number }
  /** Records with ts > now are in the future: counted, not used. */
  now: number
  /** Where the data came from, for the report (Source.describe()). */
  source: string
}

class MetricAccumulator {
  readonly moments: RatioMoments = emptyMoments()
  requests = 0
  constructor(readonly quantiles: QuantileSketch | undefined) {}

  toSketch(): MetricSketch {
    const sketch: MetricSketch = { moments: this.moments, requests: this.requests }
    if (this.quantiles) sketch.quantiles = this.quantiles.toJSON()
    return sketch
  }
}

class CellAccumulator {
  requests = 0
  units = 0
  readonly models = new Map<string, number>()
  readonly errors = new Map<string, number>()
  constructor(
    readonly bucketIndex: number,
    readonly metrics: MetricAccumulator[]
  ) {}
}

class SegmentAccumulator {
  /** By bucket index k (bucket start = window.from + k * bucketMs); `created` lists them. */
  readonly cells: CellAccumulator[] = []
  readonly created: CellAccumulator[] = []
  constructor(
    readonly key: string,
    /** Position in its arm's `all`: 0 is the total segment. */
    readonly position: number
  ) {}
}

/** Segment keys as a trie over the dimension values, so finding a record's segment builds no string. */
type SegmentTrie = Map<string, SegmentTrie | SegmentAccumulator>

class ArmAccumulator {
  /** Total segment first, then segment keys in first-seen order; `other` is added last when used. */
  readonly all: SegmentAccumulator[] = [new SegmentAccumulator(TOTAL_SEGMENT, 0)]
  readonly trie: SegmentTrie = new Map()
  other: SegmentAccumulator | undefined
  /** Unit -> its slot in the total segment (a null-prototype object: faster than a Map here). */
  readonly unitSlots: Record<string, number> = Object.create(null) as Record<string, number>
  /**
   * (total slot * SEGMENT_BITS + segment position) -> the unit's slot in that segment, for units
   * seen in more segments than their total slot lists inline (INLINE_SEGMENTS).
   */
  readonly segmentUnitSlots = new IntMap()
  constructor(
    readonly arm: Arm,
    /** 0 baseline, 1 canary: stored in unit slots to find their cell in finish(). */
    readonly code: number
  ) {}
}

/**
 * Per-unit running sums, packed in pages of a Float64Array so hundreds of thousands of units cost
 * ~100 bytes each, not an object and an array apiece. A slot holds: the bucket index where the unit
 * was first seen, its arm and segment position (arm code * SEGMENT_BITS + position), `header - 2`
 * more numbers of the caller's, then per metric x-sum and y-sum (and, for ratios, whose y may sum
 * to 0, a request count).
 */
class UnitSlots {
  private static readonly PAGE_SLOTS = 4096
  private readonly pages: Float64Array[] = []
  used = 0

  constructor(
    /** Numbers before the metric sums. */
    readonly header: number,
    readonly stride: number
  ) {}

  allocate(k: number, segmentCode: number): number {
    const slot = this.used++
    const page = Math.floor(slot / UnitSlots.PAGE_SLOTS)
    if (page === this.pages.length)
      this.pages.push(new Float64Array(UnitSlots.PAGE_SLOTS * this.stride))
    const data = this.pages[page] as Float64Array
    const base = (slot % UnitSlots.PAGE_SLOTS) * this.stride
    data[base] = k
    data[base + 1] = segmentCode
    return slot
  }

  page(slot: number): Float64Array {
    return this.pages[Math.floor(slot / UnitSlots.PAGE_SLOTS)] as Float64Array
  }

  base(slot: number): number {
    return (slot % UnitSlots.PAGE_SLOTS) * this.stride
  }
}

/**
 * Reduces a stream of records to Evidence: sketches per (arm, segment, time bucket) (DESIGN.md
 * principle 5). Pure: the source feeds it lines, records and problems; it never reads anything.
 *
 * Each in-window record goes to its arm's TOTAL_SEGMENT cell and, when the policy has segments, to
 * the cell of its segment key. Moments are clustered per request, or per unit when the record has
 * one: a unit's sums are kept over the whole window and added, in finish(), as one cluster to the
 * cell of the bucket where the unit was first seen, so merging any set of buckets counts each unit
 * once (a request without a unit is its own cluster). That per-unit state is the only memory that
 * grows with traffic (about 100 bytes per unit and segment); everything else is bounded.
 */
export class EvidenceBuilder {
  private readonly from: number
  private readonly to: number
  private readonly now: number
  private readonly bucketMs: number
  private readonly policy: Policy
  private readonly source: string
  private readonly readers: MetricValueReader[]
  private readonly isQuantile: boolean[]
  /** Where metric i's sums start in a unit slot, and whether it also keeps a request count. */
  private readonly slotOffsets: Int32Array
  private readonly countsRequests: Uint8Array
  /** Units in the total segment (with the inline segment list), and in the other segments. */
  private readonly totalUnits: UnitSlots
  private readonly segmentUnits: UnitSlots
  private readonly dimensions: string[]
  private readonly arms = [
    new ArmAccumulator('baseline', 0),
    new ArmAccumulator('canary', 1)
  ] as const
  private readonly quality: DataQuality
  private unitLevel = false
  /** The current record's metric values, filled by readValues (no allocation per record). */
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  private readonly has: Uint8Array
  private readonly invalidThisRecord: string[] = []
  /** The last model key built: records mostly repeat it, and a reused string hashes once. */
  private lastModel: string | undefined
  private lastFingerprint: string | undefined
  private lastModelKey = ''

  constructor(opts: EvidenceBuilderOptions) {
    const { policy } = opts
    this.policy = policy
    this.from = opts.window.from
    this.to = opts.window.to
    this.now = opts.now
    this.bucketMs = policy.bucket
    this.source = opts.source
    if (!(this.bucketMs > 0))
      throw new RangeError(`policy.bucket must be > 0, got ${this.bucketMs}`)
    this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing))
    this.isQuantile = policy.metrics.map(m => m.kind === 'quantile')
    // For y = 1 kinds the y-sum is the request count; only ratios need a separate one.
    this.countsRequests = Uint8Array.from(policy.metrics, m => (m.kind === 'ratio' ? 1 : 0))
    // Offsets from the start of the metric sums.
    this.slotOffsets = new Int32Array(policy.metrics.length)
    let sums = 0
    policy.metrics.forEach((m, i) => {
      this.slotOffsets[i] = sums
      sums += m.kind === 'ratio' ? 3 : 2
    })
    const totalHeader = 2 + 2 * INLINE_SEGMENTS
    this.totalUnits = new UnitSlots(totalHeader, totalHeader + sums)
    this.segmentUnits = new UnitSlots(2, 2 + sums)
    this.dimensions = policy.segments?.by ?? []
    const count = this.readers.length
    this.xs = new Float64Array(count)
    this.ys = new Float64Array(count)
    this.has = new Uint8Array(count)
    this.quality = {
      lines: 0,
      records: 0,
      malformed: 0,
      malformedSamples: [],
      unmatchedArms: {},
      outsideWindow: 0,
      future: 0,
      invalidValues: {},
      files: []
    }
  }

  /** Counts a line (or CSV row, or OTLP span) read. */
  line(): void {
    this.quality.lines++
  }

  /** Counts a line that is not a record; `where` is `file:line`. The reason, never the content. */
  malformed(where: string, reason: string): void {
    this.quality.malformed++
    if (this.quality.malformedSamples.length < MAX_MALFORMED_SAMPLES) {
      this.quality.malformedSamples.push(`${where}: ${reason}`)
    }
  }

  unmatchedArm(value: string): void {
    countCapped(this.quality.unmatchedArms, value, MAX_UNMATCHED_ARMS)
  }

  fileDone(path: string, lines: number, malformed: number, problem?: string): void {
    this.quality.files.push(
      problem === undefined ? { path, lines, malformed } : { path, lines, malformed, problem }
    )
  }

  add(r: RequestRecord): void {
    const ts = r.ts
    if (ts > this.now) {
      this.quality.future++
      return
    }
    if (ts < this.from || ts >= this.to) {
      this.quality.outsideWindow++
      return
    }
    this.quality.records++
    const k = Math.floor((ts - this.from) / this.bucketMs)
    this.readValues(r)
    const modelKey = r.model === undefined ? undefined : this.modelKey(r.model, r.fingerprint)
    const arm = this.arms[r.arm === 'canary' ? 1 : 0]
    const total = arm.all[0] as SegmentAccumulator
    let slot = -1
    let newUnit = false
    if (r.unit !== undefined) {
      this.unitLevel = true
      const known = arm.unitSlots[r.unit]
      newUnit = known === undefined
      if (known === undefined) {
        slot = this.totalUnits.allocate(k, arm.code * SEGMENT_BITS)
        arm.unitSlots[r.unit] = slot
      } else {
        slot = known
      }
    }
    this.file(total, k, r.error, modelKey, this.totalUnits, slot, newUnit)
    if (this.dimensions.length === 0) return

    const segment = this.segmentOf(arm, r.raw)
    let segmentSlot = -1
    newUnit = false
    if (slot >= 0) {
      segmentSlot = this.segmentSlotOf(arm, slot, segment.position)
      if (segmentSlot < 0) {
        segmentSlot = this.segmentUnits.allocate(k, arm.code * SEGMENT_BITS + segment.position)
        this.addSegmentSlot(arm, slot, segment.position, segmentSlot)
        newUnit = true
      }
    }
    this.file(segment, k, r.error, modelKey, this.segmentUnits, segmentSlot, newUnit)
  }

  /** The unit's slot in the segment at `position`, or -1: first the inline list, then the IntMap. */
  private segmentSlotOf(arm: ArmAccumulator, slot: number, position: number): number {
    const page = this.totalUnits.page(slot)
    const base = this.totalUnits.base(slot) + 2
    for (let j = 0; j < 2 * INLINE_SEGMENTS; j += 2) {
      const stored = page[base + j] as number
      if (stored === position + 1) return page[base + j + 1] as number
      if (stored === 0) return -1
    }
    return arm.segmentUnitSlots.get(slot * SEGMENT_BITS + position)
  }

  private addSegmentSlot(
    arm: ArmAccumulator,
    slot: number,
    position: number,
    segmentSlot: number
  ): void {
    const page = this.totalUnits.page(slot)
    const base = this.totalUnits.base(slot) + 2
    for (let j = 0; j < 2 * INLINE_SEGMENTS; j += 2) {
      if (page[base + j] === 0) {
        page[base + j] = position + 1
        page[base + j + 1] = segmentSlot
        return
      }
    }
    arm.segmentUnitSlots.add(slot * SEGMENT_BITS + position, segmentSlot)
  }

  finish(): Evidence {
    this.addUnitClusters(this.totalUnits)
    this.addUnitClusters(this.segmentUnits)
    const cells: Cell[] = []
    for (const arm of this.arms) {
      const [total, ...keyed] = arm.all
      keyed.sort((a, b) =>
        a.key === OTHER_SEGMENT ? 1 : b.key === OTHER_SEGMENT ? -1 : a.key < b.key ? -1 : 1
      )
      for (const segment of [total as SegmentAccumulator, ...keyed])
        this.emitCells(arm.arm, segment, cells)
    }
    return {
      source: this.source,
      window: { from: this.from, to: this.to },
      bucketMs: this.bucketMs,
      metrics: this.policy.metrics.map(m => m.name),
      unitLevel: this.unitLevel,
      cells,
      quality: this.quality
    }
  }

  private readValues(r: RequestRecord): void {
    if (this.invalidThisRecord.length > 0) this.invalidThisRecord.length = 0
    for (let i = 0; i < this.readers.length; i++) {
      const v = (this.readers[i] as MetricValueReader)(r)
      if (v === undefined) {
        this.has[i] = 0
      } else if ('invalid' in v) {
        this.has[i] = 0
        // Two metrics reading the same bad field count it once.
        if (!this.invalidThisRecord.includes(v.invalid)) {
          this.invalidThisRecord.push(v.invalid)
          countCapped(this.quality.invalidValues, v.invalid, MAX_INVALID_KEYS)
        }
      } else {
        this.has[i] = 1
        this.xs[i] = v.x
        this.ys[i] = v.y
      }
    }
  }

  private modelKey(model: string, fingerprint: string | undefined): string {
    if (model !== this.lastModel || fingerprint !== this.lastFingerprint) {
      this.lastModel = model
      this.lastFingerprint = fingerprint
      this.lastModelKey = fingerprint === undefined ? model : `${model}#${fingerprint}`
    }
    return this.lastModelKey
  }

  /** Files the current record (its values from readValues) into the segment's cell for bucket k. */
  private file(
    segment: SegmentAccumulator,
    k: number,
    error: string | null,
    modelKey: string | undefined,
    units: UnitSlots,
    slot: number,
    newUnit: boolean
  ): void {
    let cell = segment.cells[k]
    if (cell === undefined) {
      cell = new CellAccumulator(
        k,
        this.isQuantile.map(q => new MetricAccumulator(q ? new QuantileSketch() : undefined))
      )
      segment.cells[k] = cell
      segment.created.push(cell)
    }
    cell.requests++
    if (newUnit) cell.units++
    if (modelKey !== undefined) countCappedMap(cell.models, modelKey, MAX_MODEL_KEYS, OTHER_MODELS)
    if (error !== null) countCappedMap(cell.errors, error, MAX_ERROR_CLASSES, OTHER_KEY)
    const page = slot < 0 ? undefined : units.page(slot)
    const base = slot < 0 ? 0 : units.base(slot) + units.header
    for (let i = 0; i < this.has.length; i++) {
      if (this.has[i] === 0) continue
      const metric = cell.metrics[i] as MetricAccumulator
      const x = this.xs[i] as number
      const y = this.ys[i] as number
      metric.requests++
      if (metric.quantiles) metric.quantiles.add(x)
      if (page === undefined) {
        addCluster(metric.moments, x, y)
      } else {
        const at = base + (this.slotOffsets[i] as number)
        page[at] = (page[at] as number) + x
        page[at + 1] = (page[at + 1] as number) + y
        if (this.countsRequests[i] === 1) page[at + 2] = (page[at + 2] as number) + 1
      }
    }
  }

  private segmentOf(arm: ArmAccumulator, raw: Record<string, unknown>): SegmentAccumulator {
    let node: SegmentTrie | SegmentAccumulator = arm.trie
    for (const dimension of this.dimensions) {
      const next: SegmentTrie | SegmentAccumulator | undefined = (node as SegmentTrie).get(
        dimensionValue(raw[dimension])
      )
      if (next === undefined) return this.newSegment(arm, raw)
      node = next
    }
    return node as SegmentAccumulator
  }

  /** A segment key not seen yet in this arm: a new segment, or OTHER_SEGMENT past the cap. */
  private newSegment(arm: ArmAccumulator, raw: Record<string, unknown>): SegmentAccumulator {
    if (arm.all.length > MAX_SEGMENTS_PER_ARM) {
      if (arm.other === undefined) {
        arm.other = new SegmentAccumulator(OTHER_SEGMENT, arm.all.length)
        arm.all.push(arm.other)
      }
      return arm.other
    }
    const values = this.dimensions.map(d => dimensionValue(raw[d]))
    const key = this.dimensions.map((d, i) => `${d}=${values[i]}`).join('|')
    const segment = new SegmentAccumulator(key, arm.all.length)
    let node = arm.trie
    values.forEach((value, i) => {
      if (i === values.length - 1) {
        node.set(value, segment)
        return
      }
      let next = node.get(value) as SegmentTrie | undefined
      if (next === undefined) {
        next = new Map()
        node.set(value, next)
      }
      node = next
    })
    arm.all.push(segment)
    return segment
  }

  /** Adds each unit's window sums, as one cluster, to the cell of the bucket where it was first seen. */
  private addUnitClusters(units: UnitSlots): void {
    for (let slot = 0; slot < units.used; slot++) {
      const page = units.page(slot)
      const base = units.base(slot)
      const code = page[base + 1] as number
      const arm = this.arms[code >= SEGMENT_BITS ? 1 : 0]
      const segment = arm.all[code % SEGMENT_BITS] as SegmentAccumulator
      const cell = segment.cells[page[base] as number] as CellAccumulator
      const sums = base + units.header
      for (let i = 0; i < this.readers.length; i++) {
        const at = sums + (this.slotOffsets[i] as number)
        const requests = page[this.countsRequests[i] === 1 ? at + 2 : at + 1] as number
        if (requests > 0) {
          addCluster(
            (cell.metrics[i] as MetricAccumulator).moments,
            page[at] as number,
            page[at + 1] as number
          )
        }
      }
    }
  }

  private emitCells(arm: Arm, segment: SegmentAccumulator, out: Cell[]): void {
    const cells = [...segment.created].sort((a, b) => a.bucketIndex - b.bucketIndex)
    for (const cell of cells) {
      out.push({
        arm,
        segment: segment.key,
        bucket: this.from + cell.bucketIndex * this.bucketMs,
        requests: cell.requests,
        units: cell.units,
        metrics: cell.metrics.map(m => m.toSketch()),
        models: Object.fromEntries(cell.models),
        errors: Object.fromEntries(cell.errors)
      })
    }
  }
}

function dimensionValue(v: unknown): string {
  if (typeof v === 'string') return v === '' ? NO_VALUE : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return NO_VALUE
}

function countCappedMap(
  counts: Map<string, number>,
  key: string,
  maxKeys: number,
  other: string
): void {
  const seen = counts.get(key)
  if (seen !== undefined) counts.set(key, seen + 1)
  else if (counts.size < maxKeys) counts.set(key, 1)
  else counts.set(other, (counts.get(other) ?? 0) + 1)
}

function countCapped(counts: Record<string, number>, key: string, maxKeys: number): void {
  if (Object.hasOwn(counts, key)) counts[key] = (counts[key] as number) + 1
  else if (Object.keys(counts).length < maxKeys) counts[key] = 1
  else counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + 1
}
