/**
 * The evidence query's rows (evidenceQuery.ts) folded into the Evidence the EvidenceBuilder would
 * build from the same records: the same cells in the same order, segments merged into the total,
 * A/A halves on the baseline's total cells, the same caps on segments, models and error classes.
 * Pure, and streaming: memory holds the cells, never the rows.
 */
import type { Policy } from '../../policy/types.js'
import { addCacheSums, emptyCacheSums } from '../../sketch/cacheSums.js'
import { CellCounts, emitCell, MetricCell, OTHER_KEY } from '../../sketch/cellParts.js'
import {
  TOTAL_SEGMENT,
  emptyQuality,
  type Cell,
  type DataQuality,
  type Evidence
} from '../../sketch/evidence.js'
import { MAX_SEGMENTS_PER_ARM, OTHER_SEGMENT } from '../../sketch/evidenceBuilder.js'
import { capKeys } from '../../sketch/metricSketch.js'
import { addMoments } from '../../sketch/moments.js'
import { QuantileSketch } from '../../sketch/quantileSketch.js'
import type { QuantileSketchData } from '../../sketch/types.js'
import { RANK_STEP } from '../../sketch/unitRanks.js'
import { ROW, type CellPart, type EvidenceQuery, type Slot } from './evidenceQuery.js'
import { ARM_CODE, WINDOW_CODE } from './recordSql.js'
import { QUANTILE_INDEX } from './sketchLayout.js'

/** One result row, as the drivers return it (numbers already numbers). */
export interface EvidenceRow {
  t: number
  a: number
  s: string[]
  k: number
  h: number
  d: number
  key: string
  /** t = 1: the group's served model, error class, unmatched label ('' for none), invalid-value keys. */
  mk: string
  err: string
  lbl: string
  inv: string[]
  v: number[]
  w: number[]
}

const MAX_UNMATCHED_ARMS = 20
const MAX_INVALID_KEYS = 50
const ARMS = ['baseline', 'canary'] as const

/** Bucket-index counts of one metric in one cell (or half), before they become a sketch. */
class Buckets {
  readonly positive = new Map<number, number>()
  readonly negative = new Map<number, number>()
  zeros = 0

  add(sign: string, indices: number[], counts: number[]): void {
    if (sign === 'z') {
      for (const c of counts) this.zeros += c
      return
    }
    const store = sign === 'n' ? this.negative : this.positive
    indices.forEach((index, j) => store.set(index, (store.get(index) ?? 0) + (counts[j] as number)))
  }

  addAll(other: Buckets): void {
    for (const [i, c] of other.positive) this.positive.set(i, (this.positive.get(i) ?? 0) + c)
    for (const [i, c] of other.negative) this.negative.set(i, (this.negative.get(i) ?? 0) + c)
    this.zeros += other.zeros
  }
}

/** One metric of a cell or half: the parts summed; its quantile sketch kept as bucket counts. */
class MetricAcc extends MetricCell {
  min = Infinity
  max = -Infinity
  readonly buckets: Buckets | undefined

  constructor(quantile: boolean) {
    super(undefined, quantile)
    if (quantile) this.buckets = new Buckets()
  }

  addPart(p: CellPart['metrics'][number]): void {
    this.requests += p.requests
    this.requestSquares += p.squares
    addMoments(this.moments, p.moments)
    if (p.requests > 0) {
      this.min = Math.min(this.min, p.min)
      this.max = Math.max(this.max, p.max)
    }
  }

  /** A t = 5 / 6 row: w the coarse bins, v their counts, then squares, then cross terms. */
  addRanks(bins: number[], v: number[]): void {
    const n = bins.length
    if (v.length !== 3 * n) {
      throw new Error(`evidence query: a rank row has ${v.length} values for ${n} bins`)
    }
    this.ranks?.addSums({
      step: RANK_STEP,
      bins,
      counts: v.slice(0, n),
      squares: v.slice(n, 2 * n),
      cross: v.slice(2 * n)
    })
  }

  override addAll(other: MetricAcc): void {
    super.addAll(other)
    this.min = Math.min(this.min, other.min)
    this.max = Math.max(this.max, other.max)
    if (this.buckets && other.buckets) this.buckets.addAll(other.buckets)
  }

  protected override quantileData(): QuantileSketchData | undefined {
    return this.buckets && quantileSketch(this.buckets, this.requests, this.min, this.max)
  }
}

class CellAcc extends CellCounts {
  firstTs = Infinity
  readonly metrics: MetricAcc[]
  /** Baseline total cells only. */
  halves: [MetricAcc[], MetricAcc[]] | undefined

  constructor(private readonly quantile: boolean[]) {
    super()
    this.metrics = quantile.map(q => new MetricAcc(q))
  }

  newMetrics(): MetricAcc[] {
    return this.quantile.map(q => new MetricAcc(q))
  }

  addPart(p: CellPart): void {
    this.requests += p.requests
    this.fallbacks += p.fallbacks
    this.firstTs = Math.min(this.firstTs, p.firstTs)
    // A cell has cache sums when any of its requests carried input tokens.
    if (p.cacheSeen > 0) addCacheSums((this.cache ??= emptyCacheSums()), p.cache)
    p.metrics.forEach((m, i) => (this.metrics[i] as MetricAcc).addPart(m))
  }

  addAll(other: CellAcc): void {
    this.addCounts(other)
    this.units += other.units
    this.firstTs = Math.min(this.firstTs, other.firstTs)
    other.metrics.forEach((m, i) => (this.metrics[i] as MetricAcc).addAll(m))
  }
}

/** A segment's cells by bucket index. */
type Segment = Map<number, CellAcc>

export interface EvidenceRowsOptions {
  policy: Policy
  query: Pick<EvidenceQuery, 'cellLayout' | 'unitLayout' | 'newCellPart' | 'newUnitPart'>
  window: { from: number; to: number }
  source: string
  /** Where the rows came from, for data quality's file list and messages. */
  where: string
  /** How the A/A halves were split (the engine's hash), for the evidence's notes. */
  halfHash: string
}

export class EvidenceRows {
  private readonly quantile: boolean[]
  private readonly segmented: boolean
  private readonly dims: string[]
  /** Per arm: the total segment's cells, and each keyed segment's. */
  private readonly totals: [Segment, Segment] = [new Map(), new Map()]
  private readonly segments: [Map<string, Segment>, Map<string, Segment>] = [new Map(), new Map()]
  private readonly quality: DataQuality = emptyQuality()
  private readonly rowsByReason = { noArm: 0 }
  private unitLevel = false

  constructor(private readonly o: EvidenceRowsOptions) {
    this.quantile = o.policy.metrics.map(m => m.kind === 'quantile')
    this.dims = o.policy.segments?.by ?? []
    this.segmented = this.dims.length > 0
  }

  add(row: EvidenceRow): void {
    switch (row.t) {
      case ROW.cell:
        return this.cellRow(row)
      case ROW.segmentUnits:
      case ROW.armUnits:
        return this.unitRow(row)
      case ROW.quantile:
        return this.quantileRow(row)
      case ROW.segmentRanks:
      case ROW.armRanks:
        return this.rankRow(row)
      default:
        throw new Error(`evidence query: unknown row type ${row.t}`)
    }
  }

  finish(): Evidence {
    const cells: Cell[] = []
    ARMS.forEach((arm, code) => {
      const keyed = this.capped(code)
      this.emit(arm, TOTAL_SEGMENT, this.totals[code] as Segment, code === ARM_CODE.baseline, cells)
      for (const [key, segment] of keyed) this.emit(arm, key, segment, false, cells)
    })
    const q = this.quality
    q.unmatchedArms = capped(q.unmatchedArms, MAX_UNMATCHED_ARMS)
    q.invalidValues = capped(q.invalidValues, MAX_INVALID_KEYS)
    if (this.rowsByReason.noArm > 0) {
      q.malformedSamples.push(
        `${this.o.where}: ${this.rowsByReason.noArm} row(s) with no arm field "${this.o.policy.arms.field}" (NULL or empty)`
      )
    }
    q.files.push({ path: this.o.where, lines: q.lines, malformed: q.malformed })
    q.notes = [
      ...(q.notes ?? []),
      `aggregated in the database; the A/A halves split by ${this.o.halfHash}`
    ]
    return {
      source: this.o.source,
      window: this.o.window,
      bucketMs: this.o.policy.bucket,
      metrics: this.o.policy.metrics.map(m => m.name),
      unitLevel: this.unitLevel,
      cells,
      quality: q
    }
  }

  private cellRow(row: EvidenceRow): void {
    const part = read(row.v, this.o.query.cellLayout, this.o.query.newCellPart())
    const q = this.quality
    q.lines += part.requests
    if (row.a === ARM_CODE.noArm) {
      q.malformed += part.requests
      this.rowsByReason.noArm += part.requests
      return
    }
    if (row.a === ARM_CODE.unmatched) {
      q.unmatchedArms[row.lbl] = (q.unmatchedArms[row.lbl] ?? 0) + part.requests
      return
    }
    if (row.k === WINDOW_CODE.future) {
      q.future += part.requests
      return
    }
    if (row.k < 0) {
      q.outsideWindow += part.requests
      return
    }
    q.records += part.requests
    // A record counts each distinct invalid-value key once (the query dropped repeats).
    for (const key of new Set(row.inv.filter(k => k !== ''))) {
      q.invalidValues[key] = (q.invalidValues[key] ?? 0) + part.requests
    }
    const cells = [this.cell(row.a, TOTAL_SEGMENT, row.k)]
    if (this.segmented) cells.push(this.cell(row.a, this.segmentKey(row.s), row.k))
    for (const cell of cells) {
      cell.addPart(part)
      if (row.mk !== '') {
        const models = row.err === '' ? cell.models : cell.failedModels
        models.set(row.mk, (models.get(row.mk) ?? 0) + part.requests)
      }
      if (row.err !== '') {
        cell.errors.set(row.err, (cell.errors.get(row.err) ?? 0) + part.requests)
      }
    }
    if (row.a === ARM_CODE.baseline) {
      const half = this.halves(cells[0] as CellAcc)[row.h === 1 ? 1 : 0]
      part.metrics.forEach((m, i) => (half[i] as MetricAcc).addPart(m))
    }
  }

  private unitRow(row: EvidenceRow): void {
    const part = read(row.v, this.o.query.unitLayout, this.o.query.newUnitPart())
    if (part.units > 0) this.unitLevel = true
    const segment = row.t === ROW.armUnits ? TOTAL_SEGMENT : this.segmentKey(row.s)
    const cell = this.cell(row.a, segment, row.k)
    cell.units += part.units
    part.moments.forEach((m, i) => addMoments((cell.metrics[i] as MetricAcc).moments, m))
    if (row.t === ROW.armUnits && row.a === ARM_CODE.baseline) {
      const half = this.halves(cell)[row.h === 1 ? 1 : 0]
      part.moments.forEach((m, i) => addMoments((half[i] as MetricAcc).moments, m))
    }
  }

  private quantileRow(row: EvidenceRow): void {
    const cells = [this.cell(row.a, TOTAL_SEGMENT, row.k)]
    if (this.segmented) cells.push(this.cell(row.a, this.segmentKey(row.s), row.k))
    for (const cell of cells) {
      ;(cell.metrics[row.d] as MetricAcc).buckets?.add(row.key, row.w, row.v)
    }
    if (row.a === ARM_CODE.baseline) {
      const half = this.halves(cells[0] as CellAcc)[row.h === 1 ? 1 : 0]
      ;(half[row.d] as MetricAcc).buckets?.add(row.key, row.w, row.v)
    }
  }

  /** Rank sums of the units first seen in a cell: the total's (and its A/A half's), or a segment's. */
  private rankRow(row: EvidenceRow): void {
    const arm = row.t === ROW.armRanks
    const cell = this.cell(row.a, arm ? TOTAL_SEGMENT : this.segmentKey(row.s), row.k)
    ;(cell.metrics[row.d] as MetricAcc).addRanks(row.w, row.v)
    if (arm && row.a === ARM_CODE.baseline) {
      const half = this.halves(cell)[row.h === 1 ? 1 : 0]
      ;(half[row.d] as MetricAcc).addRanks(row.w, row.v)
    }
  }

  private segmentKey(values: string[]): string {
    return this.dims.map((d, i) => `${d}=${values[i] ?? ''}`).join('|')
  }

  private cell(arm: number, segment: string, k: number): CellAcc {
    const code = arm === ARM_CODE.canary ? 1 : 0
    let cells: Segment | undefined
    if (segment === TOTAL_SEGMENT) cells = this.totals[code]
    else {
      const segments = this.segments[code]
      cells = segments.get(segment)
      if (!cells) segments.set(segment, (cells = new Map()))
    }
    let cell = cells.get(k)
    if (!cell) cells.set(k, (cell = new CellAcc(this.quantile)))
    return cell
  }

  private halves(cell: CellAcc): [MetricAcc[], MetricAcc[]] {
    return (cell.halves ??= [cell.newMetrics(), cell.newMetrics()])
  }

  /**
   * The arm's keyed segments, sorted by key: the first MAX_SEGMENTS_PER_ARM seen (by earliest
   * record), the rest folded into OTHER_SEGMENT. (A unit seen in two folded segments is then two
   * clusters of (other), where the file source would count it once.)
   */
  private capped(code: number): [string, Segment][] {
    const all = [...(this.segments[code] as Map<string, Segment>)]
    const first = (s: Segment) => Math.min(...[...s.values()].map(c => c.firstTs))
    all.sort((a, b) => first(a[1]) - first(b[1]) || (a[0] < b[0] ? -1 : 1))
    const kept = all.slice(0, MAX_SEGMENTS_PER_ARM)
    const folded = all.slice(MAX_SEGMENTS_PER_ARM)
    kept.sort((a, b) => (a[0] < b[0] ? -1 : 1))
    if (folded.length === 0) return kept
    const other: Segment = new Map()
    for (const [, segment] of folded) {
      for (const [k, cell] of segment) {
        let into = other.get(k)
        if (!into) other.set(k, (into = new CellAcc(this.quantile)))
        into.addAll(cell)
      }
    }
    return [...kept, [OTHER_SEGMENT, other]]
  }

  private emit(
    arm: Cell['arm'],
    segment: string,
    cells: Segment,
    halves: boolean,
    out: Cell[]
  ): void {
    const from = this.o.window.from
    for (const k of [...cells.keys()].sort((a, b) => a - b)) {
      const cell = cells.get(k) as CellAcc
      if (cell.requests === 0) continue
      const sketches = (metrics: MetricAcc[]) => metrics.map(m => m.toSketch())
      const [a, b] = halves ? this.halves(cell) : []
      out.push(
        emitCell(
          { arm, segment, bucket: from + k * this.o.policy.bucket },
          cell,
          sketches(cell.metrics),
          a && b && [sketches(a), sketches(b)]
        )
      )
    }
  }
}

function read<P>(values: number[], layout: Slot<P>[], part: P): P {
  if (values.length !== layout.length) {
    throw new Error(`evidence query: a row has ${values.length} values, expected ${layout.length}`)
  }
  layout.forEach((slot, i) => slot.apply(part, values[i] as number))
  return part
}

/** The sketch of the bucket counts, through QuantileSketch so its store's bounds apply as they would. */
function quantileSketch(b: Buckets, count: number, min: number, max: number): QuantileSketchData {
  const dense = (store: Map<number, number>) => {
    if (store.size === 0) return { offset: 0, counts: [] }
    const indices = [...store.keys()]
    const lo = Math.min(...indices)
    const hi = Math.max(...indices)
    const counts = new Array<number>(hi - lo + 1).fill(0)
    for (const [i, c] of store) counts[i - lo] = c
    return { offset: lo, counts }
  }
  const data: QuantileSketchData = {
    alpha: QUANTILE_INDEX.alpha,
    count,
    zeros: b.zeros,
    positive: dense(b.positive),
    negative: dense(b.negative),
    min: count > 0 ? min : 0,
    max: count > 0 ? max : 0
  }
  return QuantileSketch.fromJSON(data).toJSON()
}

/** The `max` most frequent keys (ties by name), the rest summed under `(other)`. */
function capped(counts: Record<string, number>, max: number): Record<string, number> {
  return capKeys(counts, max, OTHER_KEY)
}
