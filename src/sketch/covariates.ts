import type { CovariateSpec, MetricKind, Policy } from '../policy/types.js'
import { compileMetricValue, type MetricValueReader } from '../records/fields.js'
import type { RequestRecord } from '../records/record.js'
import {
  addAdjusted,
  addAdjustedCluster,
  emptyAdjusted,
  productIndex,
  V_COVARIATES,
  V_PRE_X,
  V_PRE_Y,
  V_REQUESTS,
  V_X,
  V_Y
} from './adjustedMoments.js'
import type { PreExposureQuality } from './evidence.js'
import { UnitIndex, type UnitKey } from './unitIndex.js'
import { UnitSlots } from './unitStore.js'
import type { AdjustedMoments, MetricSketch } from './types.js'

/** Values of a categorical covariate that get an indicator; later values get none (the reference). */
export const MAX_COVARIATE_LEVELS = 8

/** The value a categorical covariate has on a record (as a segment dimension reads it). */
export function covariateLevel(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

interface Column {
  spec: CovariateSpec
  /** Its first column in a unit's row (after the requests column). */
  at: number
  /** numeric: its reader; categorical: level -> index, first seen first. */
  read?: MetricValueReader
  levels?: Map<string, number>
}

/** One metric with variance reduction: where its values, its pre-exposure sums and its covariates are. */
interface Adjusted {
  /** Index in policy.metrics (and Evidence.metrics). */
  metric: number
  /** Index in the pre-exposure slots. */
  pre: number
  columns: Column[]
  /** Its vector length with every level's column (before compaction). */
  capacity: number
  /** Pre-exposure reader (values that do not parse are not counted as the window's invalid ones). */
  read: MetricValueReader
  /** Its lookback, ms (varianceReduction.lookback): records before start - lookback are not its. */
  lookback: number
}

/**
 * Per-unit covariates for the regression-adjusted comparison (AdjustedMoments, ./types.ts), for
 * the EvidenceBuilder: each unit's pre-exposure sums of every adjusted metric (read from the
 * lookback before the rollout's first step, in the same pass over the files as the window), and
 * its sums of the request covariates in the window. Both in typed-array tables keyed like the
 * builder's own per-unit state (the 64-bit unit hash): the pre-exposure table by its own UnitIndex,
 * since a unit's lookback records may come before or after its window records in the files; the
 * window table by the unit's total slot in its arm. In finish() each unit's vector joins the
 * AdjustedMoments of its arm's total cell of the bucket where it was first seen, as its RatioMoments
 * cluster does; a request without a unit is its own cluster, added at once.
 *
 * Memory: about 16 bytes of index and 12 to 20 bytes per adjusted metric per pre-exposure unit,
 * and 8 bytes per covariate column (numeric 1, categorical MAX_COVARIATE_LEVELS) plus 8 per unit in
 * the window.
 */
export class CovariateCollector {
  private readonly adjusted: Adjusted[]
  private readonly columns: Column[]
  /** Row width in a unit's window table: requests, then the columns. */
  private readonly stride: number
  private readonly window: { from: number; to: number } | undefined
  private readonly preIndex = new UnitIndex()
  private readonly preSlots: UnitSlots
  private readonly preQuality: PreExposureQuality | undefined
  /** Per arm: the window rows by total slot. */
  private readonly rows: [PagedRows, PagedRows]
  /**
   * Per arm, per bucket index, per adjusted metric: the moments of the requests without a unit,
   * added while reading (every level's column), and of the units, added in finish() when the
   * levels are known (used columns only, `layouts`).
   */
  private readonly cells: [AdjustedMoments[][], AdjustedMoments[][]] = [[], []]
  private readonly unitCells: [AdjustedMoments[][], AdjustedMoments[][]] = [[], []]
  /** Per adjusted metric, once reading is done: the used positions of its vector, and their names. */
  private layouts: { keep: number[]; names: string[] }[] | undefined
  private readonly used: Float64Array
  /** Per arm, total slot -> pre-exposure slot + 1 (0: none); set by link(). */
  private readonly links: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)]
  /** The vector of one cluster, filled by fill(). */
  private readonly vector: Float64Array
  /** A window row for a request without a unit. */
  private readonly single: Float64Array
  /** A unit's pre-exposure sums, per adjusted metric (UnitSlots.sumInto). */
  private readonly sums: Float64Array

  /** `rolloutStartedAt`: when the rollout's first step began (undefined: no lookback is read). */
  static create(
    policy: Policy,
    rolloutStartedAt: number | undefined
  ): CovariateCollector | undefined {
    const any = policy.metrics.some(m => m.varianceReduction !== undefined)
    return any ? new CovariateCollector(policy, rolloutStartedAt) : undefined
  }

  private constructor(policy: Policy, rolloutStartedAt: number | undefined) {
    const byField = new Map<string, Column>()
    let at = 1
    const kinds: MetricKind[] = []
    this.adjusted = []
    policy.metrics.forEach((spec, metric) => {
      const vr = spec.varianceReduction
      if (!vr) return
      const columns = vr.covariates.map(c => {
        const key = `${c.type}:${c.field}`
        let column = byField.get(key)
        if (!column) {
          column =
            c.type === 'numeric'
              ? {
                  spec: c,
                  at,
                  read: compileMetricValue(
                    {
                      name: c.field,
                      from: c.field,
                      kind: 'mean',
                      better: 'lower',
                      tolerance: spec.tolerance,
                      mode: 'report',
                      path: spec.path
                    },
                    policy.pricing
                  )
                }
              : { spec: c, at, levels: new Map() }
          at += c.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS
          byField.set(key, column)
        }
        return column
      })
      const capacity =
        V_COVARIATES +
        columns.reduce((s, c) => s + (c.spec.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS), 0)
      this.adjusted.push({
        metric,
        pre: kinds.length,
        columns,
        capacity,
        read: compileMetricValue(spec, policy.pricing),
        lookback: vr.lookback
      })
      kinds.push(spec.kind)
    })
    this.columns = [...byField.values()]
    this.stride = at
    this.rows = [new PagedRows(at), new PagedRows(at)]
    this.preSlots = new UnitSlots(kinds, 0)
    const lookback = Math.max(0, ...this.adjusted.map(a => a.lookback))
    this.window =
      rolloutStartedAt !== undefined && lookback > 0
        ? { from: rolloutStartedAt - lookback, to: rolloutStartedAt }
        : undefined
    this.preQuality = this.window && { window: this.window, records: 0, units: 0, canaryRecords: 0 }
    this.vector = new Float64Array(Math.max(...this.adjusted.map(a => a.capacity)))
    this.single = new Float64Array(at)
    this.used = new Float64Array(Math.max(...this.adjusted.map(a => a.capacity)))
    this.sums = new Float64Array(3 * kinds.length)
  }

  /** A record at `ts` (outside the window) is in the lookback: call pre() with it. */
  isPreExposure(ts: number): boolean {
    const w = this.window
    return w !== undefined && ts >= w.from && ts < w.to
  }

  /**
   * Files a record of the lookback (isPreExposure). A canary record there marks it unclean
   * (PreExposureQuality.canaryRecords).
   */
  pre(r: RequestRecord, unit: UnitKey | undefined): void {
    const q = this.preQuality as PreExposureQuality
    if (r.arm === 'canary') {
      q.canaryRecords++
      if (q.lastCanary === undefined || r.ts > q.lastCanary) q.lastCanary = r.ts
      return
    }
    // A request without a unit has no later self to be the covariate of.
    if (unit === undefined) return
    let slot = this.preIndex.find(unit)
    if (slot < 0) {
      slot = this.preSlots.allocate()
      this.preIndex.insert(slot)
      q.units++
    }
    q.records++
    const end = (this.window as { to: number }).to
    for (const a of this.adjusted) {
      if (r.ts < end - a.lookback) continue
      const v = a.read(r)
      if (v !== undefined && !('invalid' in v)) this.preSlots.add(slot, a.pre, v.x, v.y)
    }
  }

  /**
   * Files a window record's covariates: into its unit's row (`slot`, its total slot in the arm),
   * or, without a unit, as a cluster of its own in bucket k for each adjusted metric it has a
   * value for (`has`, `xs`, `ys`: the builder's values of this record, by metric).
   */
  request(
    arm: number,
    slot: number,
    k: number,
    r: RequestRecord,
    values: { has: Uint8Array; xs: Float64Array; ys: Float64Array }
  ): void {
    const [data, base] = slot >= 0 ? (this.rows[arm] as PagedRows).row(slot) : [this.single, 0]
    if (slot < 0) data.fill(0)
    data[base] = (data[base] as number) + 1
    for (const c of this.columns) {
      const at = base + c.at
      if (c.read) {
        const v = c.read(r)
        if (v !== undefined && !('invalid' in v)) data[at] = (data[at] as number) + v.x
        continue
      }
      const level = this.levelOf(c, r)
      if (level >= 0) data[at + level] = (data[at + level] as number) + 1
    }
    if (slot >= 0) return
    // A request without a unit: one cluster, (x, y, 0, 0, 1, z) for each metric it has.
    for (let j = 0; j < this.adjusted.length; j++) {
      const a = this.adjusted[j] as Adjusted
      if (values.has[a.metric] === 0) continue
      const v = this.fill(
        a,
        values.xs[a.metric] as number,
        values.ys[a.metric] as number,
        0,
        0,
        data,
        0
      )
      addAdjustedCluster(this.cell(arm, k, j), v)
    }
  }

  /** Maps the arm's total slots to pre-exposure slots (call before the arm's UnitIndex is released). */
  link(arm: number, units: UnitIndex, slotCount: number): void {
    const link = new Int32Array(slotCount)
    if (this.clean()) {
      this.preIndex.forEach((key, preSlot) => {
        const slot = units.find(key)
        if (slot >= 0) link[slot] = preSlot + 1
      })
    }
    this.links[arm] = link
  }

  /**
   * Adds a unit's cluster to bucket k of its arm: `sums` are its window sums as UnitSlots.sumInto
   * gives them (per metric: x, y, count).
   */
  unit(arm: number, slot: number, k: number, sums: Float64Array): void {
    const rows = this.rows[arm] as PagedRows
    const [data, base] = rows.row(slot)
    const preSlot = (this.links[arm]?.[slot] ?? 0) - 1
    if (preSlot >= 0) {
      this.sums.fill(0)
      this.preSlots.sumInto(preSlot, this.sums)
    }
    const layouts = this.layout()
    for (let j = 0; j < this.adjusted.length; j++) {
      const a = this.adjusted[j] as Adjusted
      const i = a.metric
      if ((sums[3 * i + 2] as number) === 0) continue
      const preX = preSlot >= 0 ? (this.sums[3 * a.pre] as number) : 0
      const preY = preSlot >= 0 ? (this.sums[3 * a.pre + 1] as number) : 0
      const v = this.fill(
        a,
        sums[3 * i] as number,
        sums[3 * i + 1] as number,
        preX,
        preY,
        data,
        base
      )
      const { keep } = layouts[j] as { keep: number[] }
      for (let p = 0; p < keep.length; p++) this.used[p] = v[keep[p] as number] as number
      const byBucket = this.unitCells[arm] as AdjustedMoments[][]
      const cells = (byBucket[k] ??= layouts.map(l => emptyAdjusted(l.names)))
      addAdjustedCluster(cells[j] as AdjustedMoments, this.used.subarray(0, keep.length))
    }
  }

  /** Sets `adjusted` on the metrics of arm's total cell for bucket k (compacted to used levels). */
  attach(arm: number, k: number, metrics: MetricSketch[]): void {
    this.adjusted.forEach((a, j) => {
      const metric = metrics[a.metric]
      if (!metric) return
      const adjusted = this.compact(j, a, this.cells[arm]?.[k]?.[j])
      const units = this.unitCells[arm]?.[k]?.[j]
      if (units) addAdjusted(adjusted, units)
      metric.adjusted = adjusted
    })
  }

  /** What was found in the lookback, for DataQuality.preExposure (undefined when none was read). */
  quality(): PreExposureQuality | undefined {
    return this.preQuality && { ...this.preQuality }
  }

  /** Frees the per-unit tables. */
  release(): void {
    this.rows[0].release()
    this.rows[1].release()
    this.preSlots.release()
    this.preIndex.release()
    this.links[0] = new Int32Array(0)
    this.links[1] = new Int32Array(0)
  }

  /** No canary record in the lookback: its units were all unexposed. */
  private clean(): boolean {
    return this.preQuality !== undefined && this.preQuality.canaryRecords === 0
  }

  private levelOf(c: Column, r: RequestRecord): number {
    const value = covariateLevel(r.raw[c.spec.field])
    if (value === undefined) return -1
    const levels = c.levels as Map<string, number>
    const level = levels.get(value)
    if (level !== undefined) return level
    if (levels.size >= MAX_COVARIATE_LEVELS) return -1
    levels.set(value, levels.size)
    return levels.size - 1
  }

  private cell(arm: number, k: number, j: number): AdjustedMoments {
    const byBucket = this.cells[arm] as AdjustedMoments[][]
    // Requests without a unit, at every level's column: no third moments (their count grows as
    // the cube of the columns; without them the estimator's skewness is not assessed).
    const cell = (byBucket[k] ??= this.adjusted.map(a => {
      const { cubes: _, ...m } = emptyAdjusted(
        new Array<string>(a.capacity - V_COVARIATES).fill('')
      )
      return m
    }))
    return cell[j] as AdjustedMoments
  }

  /** The vector (x, y, pre.x, pre.y, requests, metric's covariate columns) in this.vector. */
  private fill(
    a: Adjusted,
    x: number,
    y: number,
    preX: number,
    preY: number,
    row: Float64Array,
    base: number
  ): Float64Array {
    const v = this.vector
    v[V_X] = x
    v[V_Y] = y
    v[V_PRE_X] = preX
    v[V_PRE_Y] = preY
    v[V_REQUESTS] = row[base] as number
    let p = V_COVARIATES
    for (const c of a.columns) {
      const width = c.spec.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS
      for (let l = 0; l < width; l++) v[p++] = row[base + c.at + l] as number
    }
    return v.subarray(0, a.capacity)
  }

  /**
   * Per adjusted metric, the positions of its vector to keep (x, y, pre.x, pre.y, requests, then
   * its numeric covariates and the levels seen) and their names (`input_tokens`, `route=faq`).
   * Fixed at the first call, once reading is done (no level is added after).
   */
  private layout(): { keep: number[]; names: string[] }[] {
    this.layouts ??= this.adjusted.map(a => {
      const keep: number[] = [V_X, V_Y, V_PRE_X, V_PRE_Y, V_REQUESTS]
      const names: string[] = []
      let p = V_COVARIATES
      for (const c of a.columns) {
        if (c.spec.type === 'numeric') {
          keep.push(p++)
          names.push(c.spec.field)
          continue
        }
        for (const [value, level] of c.levels as Map<string, number>) {
          keep.push(p + level)
          names.push(`${c.spec.field}=${value}`)
        }
        p += MAX_COVARIATE_LEVELS
      }
      return { keep, names }
    })
    return this.layouts
  }

  /** Moments with every level's column, reduced to the metric's used columns. */
  private compact(j: number, a: Adjusted, m: AdjustedMoments | undefined): AdjustedMoments {
    const { keep, names } = this.layout()[j] as { keep: number[]; names: string[] }
    const out = emptyAdjusted(names)
    if (!m) return out
    if (!m.cubes) delete out.cubes
    const d = a.capacity
    const e = keep.length
    out.n = m.n
    out.covered = m.covered
    keep.forEach((from, i) => {
      out.sums[i] = m.sums[from] as number
      for (let j2 = i; j2 < e; j2++) {
        out.products[productIndex(i, j2, e)] = m.products[
          productIndex(from, keep[j2] as number, d)
        ] as number
      }
    })
    return out
  }
}

/** Fixed-width float64 rows by slot number, in pages (rows start at zero). */
class PagedRows {
  private static readonly PAGE_ROWS = 4096
  private pages: Float64Array[] = []

  constructor(private readonly stride: number) {}

  /** The page holding the slot's row and the row's first index in it. */
  row(slot: number): [Float64Array, number] {
    const p = Math.floor(slot / PagedRows.PAGE_ROWS)
    while (this.pages.length <= p)
      this.pages.push(new Float64Array(PagedRows.PAGE_ROWS * this.stride))
    return [this.pages[p] as Float64Array, (slot % PagedRows.PAGE_ROWS) * this.stride]
  }

  release(): void {
    this.pages = []
  }
}
