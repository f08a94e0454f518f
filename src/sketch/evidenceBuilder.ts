import type { MetricKind, Policy } from '../policy/types.js'
import type { FieldsSeen } from '../records/fieldCatalog.js'
import { compileMetricValue, type MetricValueReader } from '../records/fields.js'
import type { Arm, RequestRecord } from '../records/record.js'
import {
  DEFAULT_MAX_AGE_MS,
  TOTAL_SEGMENT,
  emptyQuality,
  type Cell,
  type DataQuality,
  type Evidence
} from './evidence.js'
import { IntMap } from './intMap.js'
import { MAX_MODEL_KEYS, OTHER_MODELS } from './metricSketch.js'
import { addCacheRequest, emptyCacheSums } from './cacheSums.js'
import {
  CellCounts,
  countCappedMap,
  emitCell,
  MAX_ERROR_CLASSES,
  MetricCell,
  OTHER_KEY
} from './cellParts.js'
import { CovariateCollector } from './covariates.js'
import { addCluster } from './moments.js'
import { QuantileSketch } from './quantileSketch.js'
import { fmix32, hashUnit, UnitIndex, unitHalf, type UnitKey } from './unitIndex.js'
import { addSumClusters, UnitSlots } from './unitStore.js'
import { coarseBin, UnitBins, UnitRankBins } from './unitRanks.js'
import type { RatioMoments } from './types.js'

export { MAX_ERROR_CLASSES, OTHER_KEY } from './cellParts.js'

/** Distinct segment keys kept per arm; later ones go to OTHER_SEGMENT (memory stays bounded). */
export const MAX_SEGMENTS_PER_ARM = 50
export const OTHER_SEGMENT = '(other)'
/** The value of a segment dimension a record does not have. */
export const NO_VALUE = '(none)'
const MAX_MALFORMED_SAMPLES = 10
const MAX_MALFORMED_REASONS = 20
const OTHER_REASONS = '(other reasons)'
const MAX_UNMATCHED_ARMS = 20
export const MAX_INVALID_KEYS = 50
const MAX_SCOPES = 20
/** Segment positions in an arm (total, MAX_SEGMENTS_PER_ARM keys, other) fit below this. */
const POSITIONS = 64
/**
 * A unit's total slot lists its first few segment slots inline: most records then find their
 * segment slot in a cache line they touch anyway, with no hash lookup.
 */
const INLINE_SEGMENTS = 4
/** Slots are packed with a position into an int32 (slot * POSITIONS + position + 1). */
const MAX_SLOTS = 2 ** 31 / POSITIONS
/** A segment slot's header packs its first bucket with the arm and position into an int32. */
const MAX_SEGMENT_BUCKETS = 2 ** 31 / (2 * POSITIONS)

export interface EvidenceBuilderOptions {
  policy: Policy
  /** Half-open [from, to), epoch ms. */
  window: { from: number; to: number }
  /** Records with ts > now are in the future: counted, not used. */
  now: number
  /** Where the data came from, for the report (Source.describe()). */
  source: string
  /**
   * When the rollout's first step began, epoch ms: records before it, within a metric's
   * `varianceReduction.lookback`, are that metric's pre-exposure data (CovariateCollector), not
   * "outside the window". Undefined: no lookback is read.
   */
  rolloutStartedAt?: number
}

/** A metric of a cell or A/A half: its sketch, and the rank sums of its first-seen units. */
type MetricAccumulator = MetricCell

class CellAccumulator extends CellCounts {
  /** metrics[i].moments, for UnitSlots.addClusters. */
  readonly moments: RatioMoments[]
  constructor(
    readonly bucketIndex: number,
    readonly metrics: MetricAccumulator[]
  ) {
    super()
    this.moments = metrics.map(m => m.moments)
  }
}

/** The two A/A halves of the baseline in one bucket: metric accumulators per half. */
type Halves = [MetricAccumulator[], MetricAccumulator[]]

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
  /** The total segment, then segment keys in first-seen order, then OTHER_SEGMENT once used. */
  readonly all: SegmentAccumulator[] = [new SegmentAccumulator(TOTAL_SEGMENT, 0)]
  readonly trie: SegmentTrie = new Map()
  other: SegmentAccumulator | undefined
  /** Unit id -> its total slot in `slots`. */
  readonly units = new UnitIndex()
  readonly slots: UnitSlots
  /** (total slot * POSITIONS + position) -> segment slot, for units past INLINE_SEGMENTS segments. */
  readonly moreSegmentSlots = new IntMap()
  /** Baseline only: the A/A halves by bucket index (whatever the segment). */
  readonly halves: Halves[] = []
  /** Quantile metrics: each total slot's coarse rank bins (without segments; unitRanks.ts). */
  readonly rankBins = new UnitRankBins()
  constructor(
    readonly arm: Arm,
    /** 0 baseline, 1 canary: kept in segment rows to find their cell again in finish(). */
    readonly code: number,
    slotHeader: number,
    kinds: MetricKind[]
  ) {
    this.slots = new UnitSlots(kinds, slotHeader)
  }

  get total(): SegmentAccumulator {
    return this.all[0] as SegmentAccumulator
  }
}

/**
 * Reduces a stream of records to Evidence: sketches per (arm, segment, time bucket) (DESIGN.md
 * principle 5). Pure: the source feeds it lines, records and problems; it never reads anything.
 *
 * Each in-window record belongs to its arm's TOTAL_SEGMENT cell and, when the policy has segments,
 * to the cell of its segment key. Moments are clustered per request, or per unit when the record
 * has one: a unit's sums are kept over the whole window and added, in finish(), as one cluster to
 * the cell of the bucket where the unit was first seen, so merging any set of buckets counts each
 * unit once (a request without a unit is its own cluster). That per-unit state is the only memory
 * that grows with traffic (about 100 bytes per unit and segment); everything else is bounded.
 *
 * Speed (it runs once per line): with segments, a record updates only its segment's cell; the
 * total cells are their exact merge, built in finish(). A unit has a total slot (per arm) and a
 * slot per segment it was seen in (UnitSlots), whose int32 headers hold
 *   total:   [first bucket, INLINE_SEGMENTS x (segment slot * POSITIONS + position + 1)]
 *   segment: [first bucket * 2 * POSITIONS + arm code * POSITIONS + position]
 * (without segments, a total header is just [first bucket]).
 *
 * Metrics with `varianceReduction` also get the moments of the regression-adjusted comparison in
 * their total cells (CovariateCollector): records before the rollout's first step, within the
 * metric's lookback, are its units' pre-exposure data rather than "outside the window".
 */
export class EvidenceBuilder {
  private readonly from: number
  private readonly to: number
  private readonly now: number
  /** Records before this are far outside the window: a broken clock, not history. */
  private readonly farBefore: number
  /** Records after this are far in the future: a broken clock too (unless it is a replay). */
  private readonly farAfter: number
  /** The current file's far-outside records (before, after): how many, and their date range. */
  private far = { count: 0, ahead: 0, min: Infinity, max: -Infinity }
  private readonly bucketMs: number
  private readonly policy: Policy
  private readonly source: string
  private readonly readers: MetricValueReader[]
  private readonly isQuantile: boolean[]
  private readonly dimensions: string[]
  private readonly segmented: boolean
  private readonly kinds: MetricKind[]
  private readonly segmentSlots: UnitSlots
  /** Each segment slot's coarse rank bins, for quantile metrics (unitRanks.ts). */
  private readonly segmentRankBins = new UnitRankBins()
  /** Policy indices of the quantile metrics. */
  private readonly quantileMetrics: number[]
  private readonly arms: readonly [ArmAccumulator, ArmAccumulator]
  private readonly quality: DataQuality
  private unitLevel = false
  /** The current record's metric values, filled by readValues (no allocation per record). */
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  private readonly has: Uint8Array
  /** The three above, for CovariateCollector.request. */
  private readonly values: { has: Uint8Array; xs: Float64Array; ys: Float64Array }
  private readonly invalidThisRecord: string[] = []
  /** The last model key built: records mostly repeat it, and a reused string hashes once. */
  private lastModel: string | undefined
  private lastFingerprint: string | undefined
  private lastModelKey = ''
  /** Int32 index of a unit's A/A half in its total slot header. */
  private readonly halfAt: number
  /** Requests without a unit go to an A/A half by a hash of their sequence number. */
  private requestSeq = 0
  /** The current record's unit hash, when add() computes it. */
  private readonly unitKey: UnitKey = { h1: 0, h2: 0 }
  /** Per-unit covariates of metrics with variance reduction (undefined: none has it). */
  private readonly covariates: CovariateCollector | undefined
  private malformedReasonCount = 0

  constructor(opts: EvidenceBuilderOptions) {
    const { policy } = opts
    this.policy = policy
    this.from = opts.window.from
    this.to = opts.window.to
    this.now = opts.now
    const maxAge = policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS
    this.farBefore = this.from - maxAge
    this.farAfter = this.now + maxAge
    this.bucketMs = policy.bucket
    this.source = opts.source
    if (!(this.bucketMs > 0))
      throw new RangeError(`policy.bucket must be > 0, got ${this.bucketMs}`)
    this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing))
    this.isQuantile = policy.metrics.map(m => m.kind === 'quantile')
    this.quantileMetrics = policy.metrics.flatMap((m, i) => (m.kind === 'quantile' ? [i] : []))
    this.dimensions = policy.segments?.by ?? []
    this.segmented = this.dimensions.length > 0
    this.kinds = policy.metrics.map(m => m.kind)
    this.halfAt = this.segmented ? 1 + INLINE_SEGMENTS : 1
    const totalHeader = this.halfAt + 1
    // With segments a unit's total sums are the sum of its segment slots' (finish() adds them up),
    // so its total slot holds no sums: less memory and one slot update per record, not two.
    const totalKinds = this.segmented ? [] : this.kinds
    this.arms = [
      new ArmAccumulator('baseline', 0, totalHeader, totalKinds),
      new ArmAccumulator('canary', 1, totalHeader, totalKinds)
    ]
    this.segmentSlots = new UnitSlots(this.kinds, 1)
    const count = this.readers.length
    this.xs = new Float64Array(count)
    this.ys = new Float64Array(count)
    this.has = new Uint8Array(count)
    this.values = { has: this.has, xs: this.xs, ys: this.ys }
    this.quality = emptyQuality()
    this.covariates = CovariateCollector.create(policy, opts.rolloutStartedAt)
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
    const reasons = (this.quality.malformedReasons ??= {})
    // `span 3: no arm field "arm"` and `record 2: ...` are one reason each, wherever they occur.
    let key = reason.replace(/^((record|span) \d+: )+/, '')
    if (!Object.hasOwn(reasons, key) && this.malformedReasonCount >= MAX_MALFORMED_REASONS) {
      key = OTHER_REASONS
    }
    const seen = reasons[key]
    if (seen) seen.count++
    else {
      reasons[key] = { count: 1, first: where }
      if (key !== OTHER_REASONS) this.malformedReasonCount++
    }
  }

  /** The raw fields the rows had (the source's FieldCatalog), for the fields check. */
  fieldsSeen(fields: FieldsSeen): void {
    this.quality.fields = fields
  }

  unmatchedArm(value: string): void {
    countCapped(this.quality.unmatchedArms, value, MAX_UNMATCHED_ARMS)
  }

  /**
   * Counts OTLP call spans of one instrumentation scope (`calls` of them, `failed` of those
   * failed), whatever their window: which library traced the calls says what it can see.
   */
  calls(scope: string, version: string | undefined, calls: number, failed: number): void {
    const list = (this.quality.instrumentation ??= [])
    let entry = list.find(e => e.scope === scope && e.version === version)
    if (entry === undefined) {
      if (list.length >= MAX_SCOPES) return
      entry =
        version === undefined
          ? { scope, calls: 0, failed: 0 }
          : { scope, version, calls: 0, failed: 0 }
      list.push(entry)
    }
    entry.calls += calls
    entry.failed += failed
  }

  fileDone(
    path: string,
    lines: number,
    malformed: number,
    problem?: string,
    incomplete?: boolean
  ): void {
    this.quality.files.push({
      path,
      lines,
      malformed,
      ...(problem !== undefined && { problem }),
      ...(incomplete && { incomplete: true as const })
    })
    const far = this.far
    if (far.count + far.ahead > 0) {
      const q = this.quality
      if (far.count > 0) q.farOutside = (q.farOutside ?? 0) + far.count
      if (far.ahead > 0) q.farFuture = (q.farFuture ?? 0) + far.ahead
      const samples = (q.farOutsideSamples ??= [])
      if (samples.length < MAX_MALFORMED_SAMPLES) {
        const at = (t: number) => new Date(t).toISOString()
        samples.push(
          `${path}: ${far.count + far.ahead} dated ${far.min === far.max ? at(far.min) : `${at(far.min)} to ${at(far.max)}`}`
        )
      }
      this.far = { count: 0, ahead: 0, min: Infinity, max: -Infinity }
    }
  }

  /**
   * Files a record. `unit`: the unit id's hash when the caller has it already (the parallel file
   * reader hashes ids in its workers); r.unit is then not read.
   */
  add(r: RequestRecord, unit?: UnitKey): void {
    const ts = r.ts
    if (ts > this.now) {
      this.quality.future++
      if (ts > this.farAfter) this.tallyFar(ts, true)
      return
    }
    if (ts < this.from || ts >= this.to) {
      // Records of the pre-exposure lookback are the units' history, neither outside the window
      // nor far from it.
      if (this.covariates?.isPreExposure(ts)) {
        const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey))
        this.covariates.pre(r, key)
        return
      }
      this.quality.outsideWindow++
      if (ts < this.farBefore) this.tallyFar(ts, false)
      return
    }
    this.quality.records++
    const k = Math.floor((ts - this.from) / this.bucketMs)
    this.readValues(r)
    const modelKey = r.model === undefined ? undefined : this.modelKey(r.model, r.fingerprint)
    const arm = this.arms[r.arm === 'canary' ? 1 : 0]
    let slot = -1
    let newUnit = false
    const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey))
    if (key !== undefined) {
      this.unitLevel = true
      slot = arm.units.find(key)
      newUnit = slot < 0
      if (newUnit) slot = this.newTotalSlot(arm, key, k)
    }
    this.covariates?.request(arm.code, slot, k, r, this.values)
    let half: MetricAccumulator[] | undefined
    if (arm.code === 0) {
      const h =
        slot >= 0
          ? (arm.slots.ints(slot)[arm.slots.intBase(slot) + this.halfAt] as number)
          : fmix32(++this.requestSeq) & 1
      const halves = arm.halves[k] ?? (arm.halves[k] = [this.newMetrics(), this.newMetrics()])
      half = halves[h]
    }
    if (!this.segmented) {
      this.file(arm.total, k, r, modelKey, arm.slots, arm.rankBins, slot, newUnit, half)
      return
    }
    const segment = this.segmentOf(arm, r.raw)
    let segmentSlot = -1
    newUnit = false
    if (slot >= 0) {
      segmentSlot = this.segmentSlotOf(arm, slot, segment.position)
      newUnit = segmentSlot < 0
      if (newUnit) segmentSlot = this.newSegmentSlot(arm, slot, segment.position, k)
    }
    this.file(
      segment,
      k,
      r,
      modelKey,
      this.segmentSlots,
      this.segmentRankBins,
      segmentSlot,
      newUnit,
      half
    )
  }

  private tallyFar(ts: number, ahead: boolean): void {
    const far = this.far
    if (ahead) far.ahead++
    else far.count++
    if (ts < far.min) far.min = ts
    if (ts > far.max) far.max = ts
  }

  /** The evidence; call once, last (it releases the per-unit tables). */
  finish(): Evidence {
    if (this.segmented) for (const arm of this.arms) this.mergeSegmentsIntoTotal(arm)
    for (const arm of this.arms) this.covariates?.link(arm.code, arm.units, arm.slots.used)
    for (const arm of this.arms) this.addTotalUnitClusters(arm)
    this.addSegmentUnitClusters()
    // The per-unit tables are folded into the cells now: let them go before the cells are
    // emitted, so that a read's peak memory is its tables or its evidence, not both.
    for (const arm of this.arms) {
      arm.slots.release()
      arm.units.release()
      arm.rankBins.release()
    }
    this.segmentSlots.release()
    this.segmentRankBins.release()
    this.covariates?.release()
    const preExposure = this.covariates?.quality()
    if (preExposure) this.quality.preExposure = preExposure
    const cells: Cell[] = []
    for (const arm of this.arms) {
      const [total, ...keyed] = arm.all
      keyed.sort((a, b) =>
        a.key === OTHER_SEGMENT ? 1 : b.key === OTHER_SEGMENT ? -1 : a.key < b.key ? -1 : 1
      )
      for (const segment of [total as SegmentAccumulator, ...keyed])
        this.emitCells(arm, segment, cells)
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

  private newTotalSlot(arm: ArmAccumulator, unit: UnitKey, k: number): number {
    const slot = arm.slots.allocate()
    if (slot >= MAX_SLOTS) throw new RangeError(`more than ${MAX_SLOTS} units in one window`)
    arm.units.insert(slot)
    const header = arm.slots.ints(slot)
    const base = arm.slots.intBase(slot)
    header[base] = k
    if (arm.code === 0) header[base + this.halfAt] = unitHalf(unit)
    return slot
  }

  /** The unit's slot in the segment at `position`, or -1: the inline list, then the IntMap. */
  private segmentSlotOf(arm: ArmAccumulator, slot: number, position: number): number {
    const header = arm.slots.ints(slot)
    const base = arm.slots.intBase(slot) + 1
    for (let j = 0; j < INLINE_SEGMENTS; j++) {
      const packed = header[base + j] as number
      if (packed === 0) return -1
      if (packed % POSITIONS === position + 1) return (packed - position - 1) / POSITIONS
    }
    return arm.moreSegmentSlots.get(slot * POSITIONS + position)
  }

  private newSegmentSlot(arm: ArmAccumulator, slot: number, position: number, k: number): number {
    const segmentSlot = this.segmentSlots.allocate()
    if (segmentSlot >= MAX_SLOTS) {
      throw new RangeError(`more than ${MAX_SLOTS} (unit, segment) pairs in one window`)
    }
    if (k >= MAX_SEGMENT_BUCKETS) {
      throw new RangeError(`more than ${MAX_SEGMENT_BUCKETS} buckets in one window`)
    }
    this.segmentSlots.ints(segmentSlot)[this.segmentSlots.intBase(segmentSlot)] =
      (k * 2 + arm.code) * POSITIONS + position
    const header = arm.slots.ints(slot)
    const base = arm.slots.intBase(slot) + 1
    for (let j = 0; j < INLINE_SEGMENTS; j++) {
      if (header[base + j] === 0) {
        header[base + j] = segmentSlot * POSITIONS + position + 1
        return segmentSlot
      }
    }
    arm.moreSegmentSlots.add(slot * POSITIONS + position, segmentSlot)
    return segmentSlot
  }

  /**
   * Files the current record (its values from readValues) into the segment's cell for bucket k,
   * and, for the baseline, into its A/A half of bucket k (`half`): request counts and quantile
   * sketches always, moments only for requests without a unit (a unit's sums are added as one
   * cluster in finish(), like the arm's own).
   */
  private file(
    segment: SegmentAccumulator,
    k: number,
    r: RequestRecord,
    modelKey: string | undefined,
    slots: UnitSlots,
    rankBins: UnitRankBins,
    slot: number,
    newUnit: boolean,
    half: MetricAccumulator[] | undefined
  ): void {
    const cell = segment.cells[k] ?? this.newCell(segment, k)
    cell.requests++
    if (newUnit) cell.units++
    if (modelKey !== undefined) {
      // A failed call served nothing: its model (mostly the requested one) is kept apart.
      const models = r.error === null ? cell.models : cell.failedModels
      countCappedMap(models, modelKey, MAX_MODEL_KEYS, OTHER_MODELS)
    }
    if (r.error !== null) countCappedMap(cell.errors, r.error, MAX_ERROR_CLASSES, OTHER_KEY)
    if (r.fallback) cell.fallbacks++
    const input = r.input_tokens
    if (input !== undefined) {
      addCacheRequest((cell.cache ??= emptyCacheSums()), r, input, this.policy.pricing)
    }
    for (let i = 0; i < this.has.length; i++) {
      if (this.has[i] === 0) continue
      const metric = cell.metrics[i] as MetricAccumulator
      const x = this.xs[i] as number
      const y = this.ys[i] as number
      metric.requests++
      metric.requestSquares += x * x
      if (slot < 0) addCluster(metric.moments, x, y)
      else slots.add(slot, i, x, y)
      if (half === undefined) {
        if (metric.quantiles) {
          const index = metric.quantiles.add(x)
          if (slot >= 0) rankBins.add(slot, i, coarseBin(index))
        }
        continue
      }
      const twin = half[i] as MetricAccumulator
      twin.requests++
      twin.requestSquares += x * x
      if (metric.quantiles) {
        const index = metric.quantiles.addWithTwin(x, twin.quantiles as QuantileSketch)
        if (slot >= 0) rankBins.add(slot, i, coarseBin(index))
      }
      if (slot < 0) addCluster(twin.moments, x, y)
    }
  }

  private newMetrics(): MetricAccumulator[] {
    return this.isQuantile.map(q => new MetricCell(q ? new QuantileSketch() : undefined))
  }

  private newCell(segment: SegmentAccumulator, k: number): CellAccumulator {
    const cell = new CellAccumulator(k, this.newMetrics())
    segment.cells[k] = cell
    segment.created.push(cell)
    return cell
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

  /**
   * The total cells as the exact merge of the segment cells of their bucket (every record is in
   * exactly one segment). Runs before unit clusters are added, which are not additive this way.
   */
  private mergeSegmentsIntoTotal(arm: ArmAccumulator): void {
    const total = arm.total
    for (const segment of arm.all.slice(1)) {
      for (const cell of segment.created) {
        const into = total.cells[cell.bucketIndex] ?? this.newCell(total, cell.bucketIndex)
        // Units are counted in the total as they were first seen in the arm (addTotalUnitClusters).
        into.addCounts(cell)
        // Before the unit clusters and rank sums are added: only requests without a unit so far.
        cell.metrics.forEach((metric, i) => (into.metrics[i] as MetricAccumulator).addAll(metric))
      }
    }
  }

  /**
   * Adds each unit's window sums, as one cluster, to the total cell of the bucket where it was
   * first seen. With segments, those cells count their first-seen units here (they were not
   * filed record by record).
   */
  private addTotalUnitClusters(arm: ArmAccumulator): void {
    const slots = arm.slots
    const sums = new Float64Array(3 * this.kinds.length)
    for (let slot = 0; slot < slots.used; slot++) {
      const header = slots.ints(slot)
      const k = header[slots.intBase(slot)] as number
      const cell = arm.total.cells[k] as CellAccumulator
      // The baseline's A/A half of this unit gets the same cluster.
      const halfMetrics =
        arm.code === 0
          ? arm.halves[k]?.[header[slots.intBase(slot) + this.halfAt] as number]
          : undefined
      const half = halfMetrics?.map(m => m.moments)
      const ranks = this.clearedRankScratch()
      if (!this.segmented) {
        slots.addClusters(slot, cell.moments)
        if (half) slots.addClusters(slot, half)
        if (ranks) arm.rankBins.collect(slot, ranks)
        this.addUnitRanks(cell.metrics, halfMetrics)
        if (this.covariates) {
          sums.fill(0)
          slots.sumInto(slot, sums)
          this.covariates.unit(arm.code, slot, k, sums)
        }
        continue
      }
      cell.units++
      sums.fill(0)
      this.forEachSegmentSlot(arm, slot, segmentSlot => {
        this.segmentSlots.sumInto(segmentSlot, sums)
        if (ranks) this.segmentRankBins.collect(segmentSlot, ranks)
      })
      addSumClusters(sums, cell.moments)
      if (half) addSumClusters(sums, half)
      this.addUnitRanks(cell.metrics, halfMetrics)
      this.covariates?.unit(arm.code, slot, k, sums)
    }
  }

  /**
   * Per policy metric, one unit's requests per coarse bin (a UnitBins at each quantile metric's
   * index), cleared; undefined when there is no quantile metric. Reused for every unit.
   */
  private clearedRankScratch(): (UnitBins | undefined)[] | undefined {
    if (this.quantileMetrics.length === 0) return undefined
    for (const i of this.quantileMetrics) (this.rankScratch[i] ??= new UnitBins()).clear()
    return this.rankScratch
  }

  private readonly rankScratch: (UnitBins | undefined)[] = []

  /** Adds the unit in rankScratch to a cell's metrics' rank sums (and its A/A half's). */
  private addUnitRanks(metrics: MetricAccumulator[], half: MetricAccumulator[] | undefined): void {
    for (const i of this.quantileMetrics) {
      const bins = this.rankScratch[i] as UnitBins
      metrics[i]?.ranks?.addUnit(bins)
      half?.[i]?.ranks?.addUnit(bins)
    }
  }

  /** Calls `visit` with each segment slot of the unit whose total slot is `slot`. */
  private forEachSegmentSlot(
    arm: ArmAccumulator,
    slot: number,
    visit: (segmentSlot: number) => void
  ): void {
    const header = arm.slots.ints(slot)
    const base = arm.slots.intBase(slot) + 1
    for (let j = 0; j < INLINE_SEGMENTS; j++) {
      const packed = header[base + j] as number
      if (packed === 0) return
      visit(Math.floor((packed - 1) / POSITIONS))
    }
    // The inline list is full: the unit's other segments are in moreSegmentSlots.
    for (let position = 0; position < arm.all.length; position++) {
      const segmentSlot = arm.moreSegmentSlots.get(slot * POSITIONS + position)
      if (segmentSlot >= 0) visit(segmentSlot)
    }
  }

  /** The same for each (unit, segment): one cluster in the segment's cell of its first bucket. */
  private addSegmentUnitClusters(): void {
    const slots = this.segmentSlots
    for (let slot = 0; slot < slots.used; slot++) {
      const packed = slots.ints(slot)[slots.intBase(slot)] as number
      const code = Math.floor(packed / POSITIONS)
      const arm = this.arms[code % 2] as ArmAccumulator
      const segment = arm.all[packed % POSITIONS] as SegmentAccumulator
      const cell = segment.cells[Math.floor(code / 2)] as CellAccumulator
      slots.addClusters(slot, cell.moments)
      const ranks = this.clearedRankScratch()
      if (!ranks) continue
      this.segmentRankBins.collect(slot, ranks)
      this.addUnitRanks(cell.metrics, undefined)
    }
  }

  private emitCells(arm: ArmAccumulator, segment: SegmentAccumulator, out: Cell[]): void {
    const cells = [...segment.created].sort((a, b) => a.bucketIndex - b.bucketIndex)
    const halvesHere = arm.code === 0 && segment.position === 0
    for (const cell of cells) {
      const halves = halvesHere ? arm.halves[cell.bucketIndex] : undefined
      const emitted = emitCell(
        {
          arm: arm.arm,
          segment: segment.key,
          bucket: this.from + cell.bucketIndex * this.bucketMs
        },
        cell,
        cell.metrics.map(m => m.toSketch()),
        halves && [halves[0].map(m => m.toSketch()), halves[1].map(m => m.toSketch())]
      )
      if (segment.position === 0)
        this.covariates?.attach(arm.code, cell.bucketIndex, emitted.metrics)
      out.push(emitted)
    }
  }
}

export function dimensionValue(v: unknown): string {
  if (typeof v === 'string') return v === '' ? NO_VALUE : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return NO_VALUE
}

function countCapped(counts: Record<string, number>, key: string, maxKeys: number): void {
  if (Object.hasOwn(counts, key)) counts[key] = (counts[key] as number) + 1
  else if (Object.keys(counts).length < maxKeys) counts[key] = 1
  else counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + 1
}
