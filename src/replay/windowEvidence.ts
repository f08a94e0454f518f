import type { Policy } from '../policy/types.js'
import type { RequestRecord } from '../records/record.js'
import { addCacheRequest, copyCacheSums, emptyCacheSums } from '../sketch/cacheSums.js'
import { CellCounts, countCappedMap, emitCell, MetricCell } from '../sketch/cellParts.js'
import { TOTAL_SEGMENT, type Cell, type DataQuality, type Evidence } from '../sketch/evidence.js'
import {
  MAX_ERROR_CLASSES,
  MAX_INVALID_KEYS,
  MAX_SEGMENTS_PER_ARM,
  OTHER_KEY,
  OTHER_SEGMENT
} from '../sketch/evidenceBuilder.js'
import { MAX_MODEL_KEYS, OTHER_MODELS } from '../sketch/metricSketch.js'
import { addCluster, emptyMoments, growCluster } from '../sketch/moments.js'
import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch, RatioMoments } from '../sketch/types.js'
import { coarseBin, growUnit, UnitBins, UnitRankBins } from '../sketch/unitRanks.js'
import { IntMap } from '../sketch/intMap.js'
import { fmix32, UnitIndex, unitHalf, type UnitKey } from '../sketch/unitIndex.js'
import {
  CACHE_FIELDS,
  F_CANARY,
  F_FALLBACK,
  F_UNIT,
  INPUT_TOKENS,
  invalidKeyOf,
  RowLayout,
  VALUE_STATUS,
  type RowBuffer,
  type RowEncoder
} from './rows.js'

/**
 * The evidence of one step's window, kept up to date row by row (rows in time order, rows.ts),
 * so that the evidence at any later instant costs no pass over the rows or the units: the
 * incremental form of EvidenceBuilder (sketch/evidenceBuilder.ts), for `backtest` and `plan`.
 *
 * The difficulty is the per-unit clustering: the builder adds each unit's sums over the window as
 * one cluster, and a unit's square of sums is not the sum of its per-bucket squares. Here each
 * unit keeps its running sums (X, Y) per metric, in typed arrays keyed like the builder's
 * (UnitIndex), and each new value (x, y) adds to the window's moments the change of the unit's
 * cluster: n += 1 for the unit's first value, sx += x, sy += y, sxx += (X + x)^2 - X^2 =
 * x (2X + x), syy += y (2Y + y), sxy += xY + Xy + xy. After any prefix of the rows the moments
 * are exactly those the builder computes over that window (up to the rounding of the additions),
 * with no per-look pass over the units; a step start resets the accumulator (a new window).
 * The third-order sums grow the same way (growCluster, sketch/moments.ts), and so do the per-unit
 * rank sums of quantile metrics: each value takes the unit's old terms out of the window's sums and
 * puts its new ones in (growUnit, sketch/unitRanks.ts; exact, the sums are of integers).
 * The same holds per segment (a unit's slot per segment, as in the builder) and for the A/A
 * halves of the baseline.
 *
 * What the evidence looks like: the analysis only ever merges a window's metric sketches
 * (analyze, segmentTotals, the A/A check: mergeCells), while its checks read the time buckets'
 * counts (freshness, the cache's trend, model changes, the busiest hour). So each arm's total
 * segment has one cell per time bucket with the counts (requests, units first seen, models,
 * errors, fallbacks, cache sums), exactly as the builder's, and the window's metric sketches (and
 * A/A halves) ride on its newest bucket's cell, the others holding empty sketches; each segment
 * has one cell with its window totals at its newest bucket. Merged, these are the builder's
 * cells merged, so every verdict is the same; and a bucket, once past, is emitted once and reused.
 */
export interface WindowOptions {
  policy: Policy
  encoder: RowEncoder
  /** Start of the window (epoch ms): the grid of time buckets starts here. */
  from: number
}

/** One metric of the window (or of an A/A half, or a segment): a cell's metric, grown by rows. */
class MetricWindow extends MetricCell {
  /** One request's value: the counts every request adds, whatever its clustering. */
  count(x: number): number {
    this.requests++
    this.requestSquares += x * x
    return this.quantiles ? this.quantiles.add(x) : -Infinity
  }
}

class SegmentWindow {
  readonly counts = new CellCounts()
  newest = 0
  constructor(
    readonly key: string,
    /** Its position in the arm: keyed segments from 0 in first-seen order, OTHER_SEGMENT last. */
    readonly position: number,
    readonly metrics: MetricWindow[]
  ) {}
}

/**
 * Per-unit running sums: per slot, for each metric, X and Y (float64) and, in an int32 header,
 * which metrics have a value yet and (baseline) the unit's A/A half. Paged typed arrays, as
 * UnitSlots, so hundreds of thousands of units are a few MB.
 */
class UnitSums {
  private static readonly PAGE = 4096
  private readonly floats: Float64Array[] = []
  private readonly ints: Int32Array[] = []
  used = 0
  constructor(private readonly metrics: number) {}

  allocate(half: number): number {
    const slot = this.used++
    if (slot % UnitSums.PAGE === 0) {
      this.floats.push(new Float64Array(UnitSums.PAGE * 2 * this.metrics))
      this.ints.push(new Int32Array(UnitSums.PAGE * 2))
    }
    this.ints[Math.floor(slot / UnitSums.PAGE)]![(slot % UnitSums.PAGE) * 2 + 1] = half
    return slot
  }

  half(slot: number): number {
    return this.ints[Math.floor(slot / UnitSums.PAGE)]![(slot % UnitSums.PAGE) * 2 + 1] as number
  }

  /**
   * Adds (x, y) of metric i to the slot, and the change of its cluster to `a` (and `b`): the
   * identity in the file comment.
   */
  add(slot: number, i: number, x: number, y: number, a: RatioMoments, b?: RatioMoments): void {
    const page = Math.floor(slot / UnitSums.PAGE)
    const floats = this.floats[page] as Float64Array
    const ints = this.ints[page] as Int32Array
    const at = (slot % UnitSums.PAGE) * 2 * this.metrics + 2 * i
    const header = (slot % UnitSums.PAGE) * 2
    const X = floats[at] as number
    const Y = floats[at + 1] as number
    const bit = 1 << i
    const first = ((ints[header] as number) & bit) === 0
    if (first) ints[header] = (ints[header] as number) | bit
    floats[at] = X + x
    floats[at + 1] = Y + y
    growCluster(a, first, X, Y, x, y)
    if (b) growCluster(b, first, X, Y, x, y)
  }
}

/** Segment positions per unit slot in the IntMap key (as the builder's POSITIONS). */
const POSITIONS = 64

/**
 * What the arms of one window share: the policy, the rows' dictionaries and the time grid, and
 * the emission of cells. `from` is the window's start: the grid of time buckets starts there.
 */
export class WindowFrame {
  readonly bucketMs: number
  readonly isQuantile: boolean[]
  readonly segmented: boolean
  /** Empty sketches, for the cells that do not carry the window's (see the file comment). */
  readonly empty: MetricSketch[]

  constructor(
    readonly policy: Policy,
    readonly encoder: RowEncoder,
    readonly from: number,
    /**
     * `plan`'s simulations: each arm is one cell of the window's totals (no per-bucket counts, no
     * served models, no cache sums), so a look costs the same however long the window. The
     * checks that read those (cache warmth and trend, model changes, the busiest hour) then say
     * "not available"; the comparisons, the sample size, the split, the A/A halves, the load and
     * freshness checks are the same.
     */
    readonly compact = false
  ) {
    if (policy.metrics.length > 31) throw new RangeError('at most 31 metrics')
    this.bucketMs = policy.bucket
    this.isQuantile = policy.metrics.map(m => m.kind === 'quantile')
    this.segmented = (policy.segments?.by.length ?? 0) > 0
    this.empty = policy.metrics.map(() => ({
      moments: emptyMoments(),
      requests: 0,
      requestSquares: 0
    }))
  }

  newMetrics(): MetricWindow[] {
    return this.isQuantile.map(q => new MetricWindow(q ? new QuantileSketch() : undefined))
  }

  cell(
    arm: Cell['arm'],
    segment: string,
    k: number,
    counts: CellCounts,
    metrics?: MetricWindow[]
  ): Cell {
    const at = { arm, segment, bucket: this.from + k * this.bucketMs }
    const cell = emitCell(at, counts, metrics ? toSketches(metrics) : this.empty)
    // A copy: the newest bucket's sums keep growing after this evidence is handed out.
    if (counts.cache) cell.cache = copyCacheSums(counts.cache)
    return cell
  }
}

/**
 * One arm of a window: its units' running sums, its time buckets' counts, its segments and its
 * window sketches. Rows of the other arm never reach it, so `plan` can share one baseline arm
 * between the canaries of several scenarios.
 */
export class ArmWindow {
  private readonly units = new UnitIndex()
  private readonly sums: UnitSums
  private readonly total: MetricWindow[]
  /** Counts per time bucket index, and the bucket indices in time order. */
  private readonly buckets = new Map<number, CellCounts>()
  private readonly order: number[] = []
  /** Cells of buckets that are past (time order: they no longer change), emitted once. */
  private readonly emitted: Cell[] = []
  private readonly segments = new Map<number, SegmentWindow>()
  private readonly keyed: SegmentWindow[] = []
  private other: SegmentWindow | undefined
  /** (unit slot * POSITIONS + segment position) -> segment slot. */
  private readonly segmentSlot = new IntMap()
  private readonly segmentSums: UnitSums
  /** Quantile metrics: each unit slot's and segment slot's coarse rank bins (unitRanks.ts). */
  private readonly rankBins = new UnitRankBins()
  private readonly segmentRankBins = new UnitRankBins()
  private readonly rankScratch = new UnitBins()
  private readonly halves: [MetricWindow[], MetricWindow[]] | undefined
  /** Invalid values of the arm's records, each key once per record (EvidenceBuilder.readValues). */
  readonly invalid: Record<string, number> = {}
  private readonly invalidSeen: number[] = []
  unitLevel = false
  /** Requests without a unit go to an A/A half by a hash of their sequence number. */
  private requestSeq = 0
  /** Rows added: the arm's records in the window. */
  records = 0
  /** Of them, requests per metric with a value (what minSamples counts). */
  readonly values: Int32Array
  /** The unit slot of the row last added (-1: it had no unit), for a MetricOverlay. */
  lastSlot = -1
  private readonly unitKey: UnitKey = { h1: 0, h2: 0 }
  /** A record with the fields the cache sums read, reused for every row. */
  private readonly cacheRecord: RequestRecord = {
    ts: 0,
    arm: 'baseline',
    error: null,
    fallback: false,
    raw: {}
  }

  constructor(
    readonly frame: WindowFrame,
    readonly arm: Cell['arm']
  ) {
    const n = frame.policy.metrics.length
    this.sums = new UnitSums(n)
    this.segmentSums = new UnitSums(n)
    this.total = frame.newMetrics()
    this.halves = arm === 'baseline' ? [frame.newMetrics(), frame.newMetrics()] : undefined
    this.values = new Int32Array(n)
  }

  /** Adds the row at byte offset `at` of `b`: this arm's, at or after `from`, in time order. */
  add(b: RowBuffer, at: number): void {
    const { frame } = this
    const rows = frame.encoder.reader
    const ts = b.f64[at / 8] as number
    const k = Math.floor((ts - frame.from) / frame.bucketMs)
    this.records++
    this.countInvalid(b, at)
    const flags = rows.flags(b, at)
    let slot = -1
    let newUnit = false
    let half = 0
    if (flags & F_UNIT) {
      this.unitLevel = true
      this.unitKey.h1 = rows.int(b, at, RowLayout.H1)
      this.unitKey.h2 = rows.int(b, at, RowLayout.H2)
      slot = this.units.find(this.unitKey)
      newUnit = slot < 0
      if (newUnit) {
        slot = this.sums.allocate(unitHalf(this.unitKey))
        this.units.insert(slot)
      }
      half = this.sums.half(slot)
    } else if (this.halves) {
      half = fmix32(++this.requestSeq) & 1
    }
    this.lastSlot = slot
    const halfMetrics = this.halves?.[half]
    const counts = frame.compact ? this.compactCounts(k) : this.bucket(k)
    counts.requests++
    if (newUnit) counts.units++
    if (frame.compact) {
      const error = rows.int(b, at, RowLayout.ERROR)
      if (error >= 0) {
        countCappedMap(
          counts.errors,
          frame.encoder.errors.value(error),
          MAX_ERROR_CLASSES,
          OTHER_KEY
        )
      }
      if (flags & F_FALLBACK) counts.fallbacks++
    } else this.count(counts, b, at, flags)
    let segment: SegmentWindow | undefined
    let segmentSlot = -1
    if (frame.segmented) {
      segment = this.segmentOf(rows.int(b, at, RowLayout.SEGMENT))
      segment.newest = k
      segment.counts.requests++
      if (slot >= 0) {
        const key = slot * POSITIONS + segment.position
        segmentSlot = this.segmentSlot.get(key)
        if (segmentSlot < 0) {
          segmentSlot = this.segmentSums.allocate(0)
          this.segmentSlot.add(key, segmentSlot)
          segment.counts.units++
        }
      }
      this.count(segment.counts, b, at, flags)
    }
    const metrics = frame.encoder.layout.metrics
    for (let i = 0; i < metrics; i++) {
      if (rows.status(b, at, i) !== VALUE_STATUS) continue
      const x = rows.x(b, at, i)
      const y = rows.y(b, at, i)
      const total = this.total[i] as MetricWindow
      const inSegment = segment?.metrics[i]
      const inHalf = halfMetrics?.[i]
      this.values[i] = (this.values[i] as number) + 1
      const index = total.count(x)
      inSegment?.count(x)
      inHalf?.count(x)
      if (total.ranks && slot >= 0) {
        const bin = coarseBin(index)
        const scratch = this.rankScratch
        growUnit(this.rankBins, slot, i, bin, scratch, total.ranks, inHalf?.ranks)
        if (inSegment?.ranks) {
          growUnit(this.segmentRankBins, segmentSlot, i, bin, scratch, inSegment.ranks)
        }
      }
      if (slot < 0) {
        addCluster(total.moments, x, y)
        if (inSegment) addCluster(inSegment.moments, x, y)
        if (inHalf) addCluster(inHalf.moments, x, y)
        continue
      }
      this.sums.add(slot, i, x, y, total.moments, inHalf?.moments)
      if (inSegment) this.segmentSums.add(segmentSlot, i, x, y, inSegment.moments)
    }
  }

  /**
   * The arm's cells: its total segment's by bucket (the newest with the sketches), its segments'.
   * `override`: one metric's window sketch replaced (a MetricOverlay's).
   */
  cells(override?: { metric: number; sketch: MetricSketch }): Cell[] {
    // Several scenarios read one arm at the same look: its cells are made once per change.
    if (this.cached?.records !== this.records)
      this.cached = { records: this.records, cells: this.make() }
    const { cells } = this.cached
    if (!override) return cells
    const at = this.emitted.length
    const last = cells[at] as Cell
    const metrics = [...last.metrics]
    metrics[override.metric] = override.sketch
    return [...cells.slice(0, at), { ...last, metrics }, ...cells.slice(at + 1)]
  }

  private cached: { records: number; cells: Cell[] } | undefined

  private make(): Cell[] {
    const { frame } = this
    const newest = this.order.at(-1)
    if (newest === undefined) return []
    // Buckets before the newest never change again: emit each once, with empty sketches.
    for (let j = this.emitted.length; j < this.order.length - 1; j++) {
      const k = this.order[j] as number
      this.emitted.push(frame.cell(this.arm, TOTAL_SEGMENT, k, this.buckets.get(k) as CellCounts))
    }
    const counts = this.buckets.get(frame.compact ? 0 : newest) as CellCounts
    const last = frame.cell(this.arm, TOTAL_SEGMENT, newest, counts, this.total)
    if (this.halves) last.halves = [toSketches(this.halves[0]), toSketches(this.halves[1])]
    const cells = [...this.emitted, last]
    const keyed = [...this.keyed].sort((a, b) => (a.key < b.key ? -1 : 1))
    for (const s of this.other ? [...keyed, this.other] : keyed) {
      cells.push(frame.cell(this.arm, s.key, s.newest, s.counts, s.metrics))
    }
    return cells
  }

  /** The window's one cell (compact frames), its bucket the newest seen. */
  private compactCounts(k: number): CellCounts {
    if (this.order.length === 0) {
      this.buckets.set(0, new CellCounts())
      this.order.push(k)
    } else this.order[0] = k
    return this.buckets.get(0) as CellCounts
  }

  private bucket(k: number): CellCounts {
    let counts = this.buckets.get(k)
    if (!counts) {
      counts = new CellCounts()
      this.buckets.set(k, counts)
      this.order.push(k)
    }
    return counts
  }

  /** The counts every record adds to its cell (EvidenceBuilder.file, before the metrics). */
  private count(counts: CellCounts, b: RowBuffer, at: number, flags: number): void {
    const { encoder, policy } = this.frame
    const rows = encoder.reader
    const model = rows.int(b, at, RowLayout.MODEL)
    const error = rows.int(b, at, RowLayout.ERROR)
    if (model >= 0) {
      // A failed call served nothing: its model (mostly the requested one) is kept apart.
      const key = encoder.modelKeys.value(model)
      countCappedMap(
        error < 0 ? counts.models : counts.failedModels,
        key,
        MAX_MODEL_KEYS,
        OTHER_MODELS
      )
    }
    if (error >= 0) {
      countCappedMap(counts.errors, encoder.errors.value(error), MAX_ERROR_CLASSES, OTHER_KEY)
    }
    if (flags & F_FALLBACK) counts.fallbacks++
    const input = rows.cache(b, at, INPUT_TOKENS)
    if (input !== undefined) {
      addCacheRequest(
        (counts.cache ??= emptyCacheSums()),
        this.cacheRecordOf(b, at, model),
        input,
        policy.pricing
      )
    }
  }

  private cacheRecordOf(b: RowBuffer, at: number, model: number): RequestRecord {
    const r = this.cacheRecord as unknown as Record<string, unknown>
    const { encoder } = this.frame
    for (let f = 0; f < CACHE_FIELDS.length; f++) {
      r[CACHE_FIELDS[f] as string] = encoder.reader.cache(b, at, f)
    }
    r.model = model >= 0 ? encoder.modelOf[model] : undefined
    return this.cacheRecord
  }

  private countInvalid(b: RowBuffer, at: number): void {
    const { encoder } = this.frame
    this.invalidSeen.length = 0
    for (let i = 0; i < encoder.layout.metrics; i++) {
      const key = invalidKeyOf(encoder.reader.status(b, at, i))
      if (key < 0 || this.invalidSeen.includes(key)) continue
      this.invalidSeen.push(key)
      countInvalid(this.invalid, encoder.invalidKeys.value(key), 1)
    }
  }

  /** The segment of a row's key in this arm: first seen first, OTHER_SEGMENT past the cap. */
  private segmentOf(id: number): SegmentWindow {
    const known = this.segments.get(id)
    if (known) return known
    let segment: SegmentWindow
    if (this.keyed.length >= MAX_SEGMENTS_PER_ARM) {
      segment = this.other ??= new SegmentWindow(
        OTHER_SEGMENT,
        MAX_SEGMENTS_PER_ARM,
        this.frame.newMetrics()
      )
    } else {
      const key = this.frame.encoder.segments.value(id)
      segment = new SegmentWindow(key, this.keyed.length, this.frame.newMetrics())
      this.keyed.push(segment)
    }
    this.segments.set(id, segment)
    return segment
  }
}

/**
 * One metric of an arm with other values (`plan`'s shifted canaries): the window moments and
 * sketch of that metric alone, clustered by the arm's own unit slots (ArmWindow.lastSlot), so a
 * scenario that changes one metric costs one metric's update per row, not a whole arm.
 */
export class MetricOverlay {
  private readonly window: MetricWindow
  private readonly sums = new UnitSums(1)
  private readonly rankBins = new UnitRankBins()
  private readonly rankScratch = new UnitBins()

  constructor(
    frame: WindowFrame,
    readonly metric: number
  ) {
    this.window = new MetricWindow(frame.isQuantile[metric] ? new QuantileSketch() : undefined)
  }

  /** The metric's (x, y) of the row just added to the arm, whose unit slot is `slot`. */
  add(slot: number, x: number, y: number): void {
    const w = this.window
    const index = w.count(x)
    if (w.ranks && slot >= 0) {
      growUnit(this.rankBins, slot, 0, coarseBin(index), this.rankScratch, w.ranks)
    }
    if (slot < 0) {
      addCluster(w.moments, x, y)
      return
    }
    while (this.sums.used <= slot) this.sums.allocate(0)
    this.sums.add(slot, 0, x, y, w.moments)
  }

  sketch(): MetricSketch {
    return this.window.toSketch()
  }
}

/** The two arms of a window, fed rows of both (backtest); evidence() as a collect() gives it. */
export class WindowEvidence {
  readonly frame: WindowFrame
  readonly arms: [ArmWindow, ArmWindow]

  constructor(opts: WindowOptions) {
    this.frame = new WindowFrame(opts.policy, opts.encoder, opts.from)
    this.arms = [new ArmWindow(this.frame, 'baseline'), new ArmWindow(this.frame, 'canary')]
  }

  get from(): number {
    return this.frame.from
  }

  /** Rows added: the window's records. */
  get records(): number {
    return this.arms[0].records + this.arms[1].records
  }

  /** Adds the row at byte offset `at` of `b` (its time at or after `from`, rows in time order). */
  add(b: RowBuffer, at: number): void {
    const flags = this.frame.encoder.reader.flags(b, at)
    this.arms[flags & F_CANARY ? 1 : 0].add(b, at)
  }

  /** The evidence of [from, to): the rows added so far must be exactly those. */
  evidence(to: number, source: string, quality: DataQuality): Evidence {
    return armsEvidence(this.arms[0], this.arms[1], { to, source, quality })
  }
}

/**
 * The evidence of a window from its two arms (of one frame). `quality` is the read's data quality
 * for the window (records, outside, future); the arms' invalid values are added to it.
 */
export function armsEvidence(
  baseline: ArmWindow,
  canary: ArmWindow,
  opts: { to: number; source: string; quality: DataQuality; canaryMetric?: MetricOverlay }
): Evidence {
  const { frame } = baseline
  const invalid: Record<string, number> = { ...baseline.invalid }
  for (const [key, n] of Object.entries(canary.invalid)) countInvalid(invalid, key, n)
  return {
    source: opts.source,
    window: { from: frame.from, to: opts.to },
    bucketMs: frame.bucketMs,
    metrics: frame.policy.metrics.map(m => m.name),
    unitLevel: baseline.unitLevel || canary.unitLevel,
    cells: [
      ...baseline.cells(),
      ...canary.cells(
        opts.canaryMetric && {
          metric: opts.canaryMetric.metric,
          sketch: opts.canaryMetric.sketch()
        }
      )
    ],
    quality: { ...opts.quality, invalidValues: invalid }
  }
}

/** Counts invalid values under `key`, at most MAX_INVALID_KEYS keys, the rest under OTHER_KEY. */
function countInvalid(counts: Record<string, number>, key: string, n: number): void {
  if (Object.hasOwn(counts, key)) counts[key] = (counts[key] as number) + n
  else if (Object.keys(counts).length < MAX_INVALID_KEYS) counts[key] = n
  else counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + n
}

const toSketches = (metrics: MetricWindow[]): MetricSketch[] => metrics.map(m => m.toSketch())
