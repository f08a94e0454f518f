import type { Policy } from '../policy/types.js'
import type { RequestRecord } from '../records/record.js'
import { addCacheRequest, emptyCacheSums } from '../sketch/cacheSums.js'
import {
  TOTAL_SEGMENT,
  type CacheSums,
  type Cell,
  type DataQuality,
  type Evidence
} from '../sketch/evidence.js'
import {
  MAX_ERROR_CLASSES,
  MAX_INVALID_KEYS,
  MAX_SEGMENTS_PER_ARM,
  OTHER_KEY,
  OTHER_SEGMENT
} from '../sketch/evidenceBuilder.js'
import { capKeys, MAX_MODEL_KEYS, OTHER_MODELS } from '../sketch/metricSketch.js'
import { addCluster, emptyMoments } from '../sketch/moments.js'
import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch, RatioMoments } from '../sketch/types.js'
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

class MetricWindow {
  readonly moments: RatioMoments = emptyMoments()
  requests = 0
  constructor(readonly quantiles: QuantileSketch | undefined) {}

  toSketch(): MetricSketch {
    const sketch: MetricSketch = { moments: { ...this.moments }, requests: this.requests }
    if (this.quantiles) sketch.quantiles = this.quantiles.toJSON()
    return sketch
  }
}

/** The counts of a cell: what the checks read per time bucket. */
class Counts {
  requests = 0
  units = 0
  fallbacks = 0
  cache: CacheSums | undefined
  readonly models = new Map<string, number>()
  readonly failedModels = new Map<string, number>()
  readonly errors = new Map<string, number>()
}

class SegmentWindow {
  readonly counts = new Counts()
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
    const dxx = x * (2 * X + x)
    const dyy = y * (2 * Y + y)
    const dxy = x * Y + X * y + x * y
    grow(a, first, x, y, dxx, dyy, dxy)
    if (b) grow(b, first, x, y, dxx, dyy, dxy)
  }
}

function grow(
  m: RatioMoments,
  first: boolean,
  x: number,
  y: number,
  dxx: number,
  dyy: number,
  dxy: number
): void {
  if (first) m.n += 1
  m.sx += x
  m.sy += y
  m.sxx += dxx
  m.syy += dyy
  m.sxy += dxy
}

/** Segment positions per unit slot in the IntMap key (as the builder's POSITIONS). */
const POSITIONS = 64

class ArmWindow {
  readonly units = new UnitIndex()
  readonly sums: UnitSums
  readonly total: MetricWindow[]
  /** Counts per time bucket index, and the bucket indices in time order. */
  readonly buckets = new Map<number, Counts>()
  readonly order: number[] = []
  /** Cells of buckets that are past (time order: they no longer change), emitted once. */
  readonly emitted: Cell[] = []
  readonly segments = new Map<number, SegmentWindow>()
  readonly keyed: SegmentWindow[] = []
  other: SegmentWindow | undefined
  /** (unit slot * POSITIONS + segment position) -> segment slot. */
  readonly segmentSlot = new IntMap()
  readonly segmentSums: UnitSums
  readonly halves: [MetricWindow[], MetricWindow[]] | undefined
  constructor(
    readonly arm: Cell['arm'],
    newMetrics: () => MetricWindow[],
    metrics: number
  ) {
    this.sums = new UnitSums(metrics)
    this.segmentSums = new UnitSums(metrics)
    this.total = newMetrics()
    this.halves = arm === 'baseline' ? [newMetrics(), newMetrics()] : undefined
  }
}

export class WindowEvidence {
  readonly from: number
  private readonly bucketMs: number
  private readonly policy: Policy
  private readonly encoder: RowEncoder
  private readonly isQuantile: boolean[]
  private readonly segmented: boolean
  private readonly arms: [ArmWindow, ArmWindow]
  private readonly empty: MetricSketch[]
  private readonly invalid: Record<string, number> = {}
  private readonly invalidSeen: number[] = []
  private unitLevel = false
  private requestSeq = 0
  /** Rows added: the window's records. */
  records = 0
  private readonly unitKey: UnitKey = { h1: 0, h2: 0 }
  /** A record with the fields the cache sums read, reused for every row. */
  private readonly cacheRecord: RequestRecord = {
    ts: 0,
    arm: 'baseline',
    error: null,
    fallback: false,
    raw: {}
  }

  constructor(opts: WindowOptions) {
    const { policy } = opts
    this.policy = policy
    this.encoder = opts.encoder
    this.from = opts.from
    this.bucketMs = policy.bucket
    this.isQuantile = policy.metrics.map(m => m.kind === 'quantile')
    this.segmented = (policy.segments?.by.length ?? 0) > 0
    if (policy.metrics.length > 31) throw new RangeError('at most 31 metrics')
    const newMetrics = () =>
      this.isQuantile.map(q => new MetricWindow(q ? new QuantileSketch() : undefined))
    const n = policy.metrics.length
    this.arms = [new ArmWindow('baseline', newMetrics, n), new ArmWindow('canary', newMetrics, n)]
    this.empty = policy.metrics.map(() => ({ moments: emptyMoments(), requests: 0 }))
  }

  /** Adds the row at byte offset `at` of `b` (its time at or after `from`, rows in time order). */
  add(b: RowBuffer, at: number): void {
    const rows = this.encoder.reader
    const layout = this.encoder.layout
    const ts = b.f64[at / 8] as number
    const k = Math.floor((ts - this.from) / this.bucketMs)
    this.records++
    this.countInvalid(b, at)
    const flags = rows.flags(b, at)
    const arm = this.arms[flags & F_CANARY ? 1 : 0]
    let slot = -1
    let newUnit = false
    let half = 0
    if (flags & F_UNIT) {
      this.unitLevel = true
      this.unitKey.h1 = rows.int(b, at, RowLayout.H1)
      this.unitKey.h2 = rows.int(b, at, RowLayout.H2)
      slot = arm.units.find(this.unitKey)
      newUnit = slot < 0
      if (newUnit) {
        slot = arm.sums.allocate(unitHalf(this.unitKey))
        arm.units.insert(slot)
      }
      half = arm.sums.half(slot)
    } else if (arm.halves) {
      half = fmix32(++this.requestSeq) & 1
    }
    const halfMetrics = arm.halves?.[half]
    const counts = this.bucket(arm, k)
    counts.requests++
    if (newUnit) counts.units++
    this.count(counts, b, at, flags)
    let segment: SegmentWindow | undefined
    let segmentSlot = -1
    if (this.segmented) {
      segment = this.segmentOf(arm, rows.int(b, at, RowLayout.SEGMENT))
      segment.newest = k
      segment.counts.requests++
      if (slot >= 0) {
        const key = slot * POSITIONS + segment.position
        segmentSlot = arm.segmentSlot.get(key)
        if (segmentSlot < 0) {
          segmentSlot = arm.segmentSums.allocate(0)
          arm.segmentSlot.add(key, segmentSlot)
          segment.counts.units++
        }
      }
      this.count(segment.counts, b, at, flags)
    }
    for (let i = 0; i < layout.metrics; i++) {
      if (rows.status(b, at, i) !== VALUE_STATUS) continue
      const x = rows.x(b, at, i)
      const y = rows.y(b, at, i)
      const total = arm.total[i] as MetricWindow
      const inSegment = segment?.metrics[i]
      const inHalf = halfMetrics?.[i]
      total.requests++
      if (inSegment) inSegment.requests++
      if (inHalf) inHalf.requests++
      if (total.quantiles) {
        total.quantiles.add(x)
        inSegment?.quantiles?.add(x)
        inHalf?.quantiles?.add(x)
      }
      if (slot < 0) {
        addCluster(total.moments, x, y)
        if (inSegment) addCluster(inSegment.moments, x, y)
        if (inHalf) addCluster(inHalf.moments, x, y)
        continue
      }
      arm.sums.add(slot, i, x, y, total.moments, inHalf?.moments)
      if (inSegment) arm.segmentSums.add(segmentSlot, i, x, y, inSegment.moments)
    }
  }

  /**
   * The evidence of [from, to): the rows added so far must be exactly those. `quality` is the
   * read's data quality for this window (records, outside, future); invalid values are added here.
   */
  evidence(to: number, source: string, quality: DataQuality): Evidence {
    const cells: Cell[] = []
    for (const arm of this.arms) {
      cells.push(...this.totalCells(arm))
      const keyed = [...arm.keyed].sort((a, b) => (a.key < b.key ? -1 : 1))
      for (const segment of arm.other ? [...keyed, arm.other] : keyed) {
        cells.push(this.cell(arm, segment.key, segment.newest, segment.counts, segment.metrics))
      }
    }
    return {
      source,
      window: { from: this.from, to },
      bucketMs: this.bucketMs,
      metrics: this.policy.metrics.map(m => m.name),
      unitLevel: this.unitLevel,
      cells,
      quality: { ...quality, invalidValues: { ...this.invalid } }
    }
  }

  /** The arm's total cells: the past buckets' (emitted once), then the newest with the sketches. */
  private totalCells(arm: ArmWindow): Cell[] {
    const newest = arm.order.at(-1)
    // Buckets before the newest never change again: emit each once, with empty sketches.
    for (let j = arm.emitted.length; j < arm.order.length - 1; j++) {
      const k = arm.order[j] as number
      arm.emitted.push(this.cell(arm, TOTAL_SEGMENT, k, arm.buckets.get(k) as Counts))
    }
    if (newest === undefined) return []
    const last = this.cell(arm, TOTAL_SEGMENT, newest, arm.buckets.get(newest) as Counts, arm.total)
    if (arm.halves) last.halves = [toSketches(arm.halves[0]), toSketches(arm.halves[1])]
    return [...arm.emitted, last]
  }

  private cell(
    arm: ArmWindow,
    segment: string,
    k: number,
    counts: Counts,
    metrics?: MetricWindow[]
  ): Cell {
    const cell: Cell = {
      arm: arm.arm,
      segment,
      bucket: this.from + k * this.bucketMs,
      requests: counts.requests,
      units: counts.units,
      metrics: metrics ? toSketches(metrics) : this.empty,
      models: capKeys(Object.fromEntries(counts.models), MAX_MODEL_KEYS, OTHER_MODELS),
      errors: capKeys(Object.fromEntries(counts.errors), MAX_ERROR_CLASSES, OTHER_KEY),
      fallbacks: counts.fallbacks
    }
    if (counts.failedModels.size > 0) {
      cell.failedModels = capKeys(
        Object.fromEntries(counts.failedModels),
        MAX_MODEL_KEYS,
        OTHER_MODELS
      )
    }
    // A copy: the newest bucket's sums keep growing after this evidence is handed out.
    if (counts.cache) cell.cache = copyCacheSums(counts.cache)
    return cell
  }

  private bucket(arm: ArmWindow, k: number): Counts {
    let counts = arm.buckets.get(k)
    if (!counts) {
      counts = new Counts()
      arm.buckets.set(k, counts)
      arm.order.push(k)
    }
    return counts
  }

  /** The counts every record adds to its cell (EvidenceBuilder.file, before the metrics). */
  private count(counts: Counts, b: RowBuffer, at: number, flags: number): void {
    const rows = this.encoder.reader
    const model = rows.int(b, at, RowLayout.MODEL)
    const error = rows.int(b, at, RowLayout.ERROR)
    if (model >= 0) {
      // A failed call served nothing: its model (mostly the requested one) is kept apart.
      const key = this.encoder.modelKeys.value(model)
      countCapped(
        error < 0 ? counts.models : counts.failedModels,
        key,
        MAX_MODEL_KEYS,
        OTHER_MODELS
      )
    }
    if (error >= 0) {
      countCapped(counts.errors, this.encoder.errors.value(error), MAX_ERROR_CLASSES, OTHER_KEY)
    }
    if (flags & F_FALLBACK) counts.fallbacks++
    const input = rows.cache(b, at, INPUT_TOKENS)
    if (input !== undefined) {
      addCacheRequest(
        (counts.cache ??= emptyCacheSums()),
        this.cacheRecordOf(b, at, model),
        input,
        this.policy.pricing
      )
    }
  }

  private cacheRecordOf(b: RowBuffer, at: number, model: number): RequestRecord {
    const r = this.cacheRecord as unknown as Record<string, unknown>
    const rows = this.encoder.reader
    CACHE_FIELDS.forEach((field, f) => {
      r[field] = rows.cache(b, at, f)
    })
    r.model = model >= 0 ? this.encoder.modelOf[model] : undefined
    return this.cacheRecord
  }

  /** Invalid values of the window's records, each key once per record (EvidenceBuilder.readValues). */
  private countInvalid(b: RowBuffer, at: number): void {
    const rows = this.encoder.reader
    this.invalidSeen.length = 0
    for (let i = 0; i < this.encoder.layout.metrics; i++) {
      const key = invalidKeyOf(rows.status(b, at, i))
      if (key < 0 || this.invalidSeen.includes(key)) continue
      this.invalidSeen.push(key)
      const name = this.encoder.invalidKeys.value(key)
      if (Object.hasOwn(this.invalid, name)) this.invalid[name] = (this.invalid[name] as number) + 1
      else if (Object.keys(this.invalid).length < MAX_INVALID_KEYS) this.invalid[name] = 1
      else this.invalid[OTHER_KEY] = (this.invalid[OTHER_KEY] ?? 0) + 1
    }
  }

  /** The segment of a row's key in this arm: first seen first, OTHER_SEGMENT past the cap. */
  private segmentOf(arm: ArmWindow, id: number): SegmentWindow {
    const known = arm.segments.get(id)
    if (known) return known
    let segment: SegmentWindow
    if (arm.keyed.length >= MAX_SEGMENTS_PER_ARM) {
      segment = arm.other ??= new SegmentWindow(
        OTHER_SEGMENT,
        MAX_SEGMENTS_PER_ARM,
        this.newMetrics()
      )
    } else {
      const key = this.encoder.segments.value(id)
      segment = new SegmentWindow(key, arm.keyed.length, this.newMetrics())
      arm.keyed.push(segment)
    }
    arm.segments.set(id, segment)
    return segment
  }

  private newMetrics(): MetricWindow[] {
    return this.isQuantile.map(q => new MetricWindow(q ? new QuantileSketch() : undefined))
  }
}

function copyCacheSums(c: CacheSums): CacheSums {
  const copy: CacheSums = {
    ...c,
    latency: { hit: { ...c.latency.hit }, miss: { ...c.latency.miss } },
    ttft: { hit: { ...c.ttft.hit }, miss: { ...c.ttft.miss } }
  }
  if (c.repricing) copy.repricing = { ...c.repricing }
  return copy
}

const toSketches = (metrics: MetricWindow[]): MetricSketch[] => metrics.map(m => m.toSketch())

function countCapped(counts: Map<string, number>, key: string, max: number, other: string): void {
  const seen = counts.get(key)
  if (seen !== undefined) counts.set(key, seen + 1)
  else if (counts.size < max) counts.set(key, 1)
  else counts.set(other, (counts.get(other) ?? 0) + 1)
}
