import { mergeAdjusted } from './adjustedMoments.js'
import { mergeHistograms } from './histogram.js'
import { mergeMoments, emptyMoments } from './moments.js'
import { QuantileSketch } from './quantileSketch.js'
import type {
  AdjustedMoments,
  HistogramData,
  MetricSketch,
  RatioMoments,
  ValueCounts
} from './types.js'
import { mergeUnitRanks, RankSumsAccumulator } from './unitRanks.js'

/** Named keys kept in a cell's `models` map; the rest are summed under `other` (Cell.models). */
export const MAX_MODEL_KEYS = 20
export const OTHER_MODELS = 'other'

/** The counting part of a Cell (src/sources/source.ts), which is what merging cells adds up. */
export interface CellTotals {
  requests: number
  units: number
  metrics: MetricSketch[]
  models: Record<string, number>
  errors: Record<string, number>
}

/** The sketch of the union of two cells' requests for one metric (a new object). */
export function mergeMetricSketches(a: MetricSketch, b: MetricSketch): MetricSketch {
  const merged: MetricSketch = {
    moments: mergeMoments(a.moments, b.moments),
    requests: a.requests + b.requests
  }
  const squares = mergeRequestSquares(a, b)
  if (squares !== undefined) merged.requestSquares = squares
  if (a.quantiles || b.quantiles) {
    const sketch = new QuantileSketch(a.quantiles?.alpha ?? b.quantiles?.alpha)
    if (a.quantiles) sketch.merge(QuantileSketch.fromJSON(a.quantiles))
    if (b.quantiles) sketch.merge(QuantileSketch.fromJSON(b.quantiles))
    merged.quantiles = sketch.toJSON()
  }
  const ranks =
    a.unitRanks && b.unitRanks
      ? mergeUnitRanks(a.unitRanks, b.unitRanks)
      : (a.unitRanks ?? b.unitRanks)
  if (ranks) merged.unitRanks = ranks
  const histogram = mergeOptionalHistograms(a.histogram, b.histogram)
  if (histogram) merged.histogram = histogram
  const bounds = mergeBounds(a.bounds, b.bounds)
  if (bounds) merged.bounds = bounds
  const adjusted = mergeAdjusted([a.adjusted, b.adjusted])
  if (adjusted) merged.adjusted = adjusted
  const levels = mergeLevels([a, b])
  if (levels) merged.levels = levels
  return merged
}

/**
 * The value counts of a merge (MetricSketch.levels): counts of equal values add; known when every
 * part with requests carries them, else absent.
 */
export function mergeLevels(parts: readonly MetricSketch[]): ValueCounts | undefined {
  const withRequests = parts.filter(m => m.requests > 0)
  if (!parts.some(m => m.levels) || !withRequests.every(m => m.levels)) return undefined
  const counts = new Map<number, number>()
  for (const m of parts) {
    m.levels?.values.forEach((v, k) =>
      counts.set(v, (counts.get(v) ?? 0) + (m.levels!.counts[k] ?? 0))
    )
  }
  return { values: [...counts.keys()], counts: [...counts.values()] }
}

/** Sum of per-request squares of a merge, known when each side knows it or has no requests. */
function mergeRequestSquares(a: MetricSketch, b: MetricSketch): number | undefined {
  if (a.requestSquares === undefined && b.requestSquares === undefined) return undefined
  const of = (m: MetricSketch) => (m.requests === 0 ? 0 : m.requestSquares)
  const x = of(a)
  const y = of(b)
  return x === undefined || y === undefined ? undefined : x + y
}

/** The bounds of the union: the wider of the two. */
function mergeBounds(a: MetricSketch['bounds'], b: MetricSketch['bounds']): MetricSketch['bounds'] {
  if (!a || !b) return a ?? b
  return { lower: Math.min(a.lower, b.lower), upper: Math.max(a.upper, b.upper) }
}

function mergeOptionalHistograms(
  a: HistogramData | undefined,
  b: HistogramData | undefined
): HistogramData | undefined {
  return a && b ? mergeHistograms(a, b) : (a ?? b)
}

/**
 * The totals of a set of cells, e.g. every bucket of one arm in the total segment. Units add up
 * exactly because a cell counts only the units first seen in it. With no cells, `metrics` is [].
 *
 * A list that starts with the same cells (by identity) as an earlier merge's resumes from that
 * merge's running totals (see `prefixes`): the same additions in the same order, so the same
 * result to the last bit.
 */
export function mergeCells(cells: readonly CellTotals[]): CellTotals {
  const metricCount = cells[0]?.metrics.length ?? 0
  let moments = Array.from({ length: metricCount }, emptyMoments)
  let requests = new Array<number>(metricCount).fill(0)
  let squares: (number | undefined)[] = new Array<number>(metricCount).fill(0)
  const sketches: (QuantileSketch | undefined)[] = new Array(metricCount).fill(undefined)
  const histograms: (HistogramData | undefined)[] = new Array(metricCount).fill(undefined)
  const bounds: MetricSketch['bounds'][] = new Array(metricCount).fill(undefined)
  const ranks: (RankSumsAccumulator | undefined)[] = new Array(metricCount).fill(undefined)
  let adjusted = Array.from({ length: metricCount }, (): (AdjustedMoments | undefined)[] => [])
  // The sketches that carry value counts, per metric (MetricSketch.levels; the judge's only).
  const levelled = Array.from({ length: metricCount }, (): MetricSketch[] => [])
  let models: Record<string, number> = {}
  let errors: Record<string, number> = {}
  let totalRequests = 0
  let units = 0
  // Whether the totals so far hold only numbers and moments (no quantile sketch, rank sums,
  // histogram, bounds or adjusted moments): then they are cheap to keep as a prefix.
  let plain = true
  let start = 0
  const first = cells[0]
  const known = first && prefixes.get(first)
  if (known && resumes(known, cells, metricCount)) {
    const t = known.totals
    totalRequests = t.requests
    units = t.units
    models = { ...t.models }
    errors = { ...t.errors }
    // Copies: with no cell after the prefix they would be handed out as they are.
    moments = t.moments.map(m => ({ ...m }))
    requests = [...t.metricRequests]
    squares = [...t.squares]
    // The prefix's adjusted moments are all absent, and one absent part makes the merge's absent
    // (mergeAdjusted), as the whole list of them would.
    adjusted = adjusted.map(() => [undefined])
    // Nor value counts: its requests make a merge's absent.
    requests.forEach((n, i) => {
      if (n > 0) levelled[i]!.push({ moments: emptyMoments(), requests: n })
    })
    start = known.cells.length
  }
  for (let j = start; j < cells.length; j++) {
    const cell = cells[j] as CellTotals
    if (first && j === cells.length - 1 && j > start && plain) {
      // The totals before the last cell: a later merge of these cells and more resumes here.
      prefixes.set(first, {
        cells: cells.slice(0, j),
        totals: {
          requests: totalRequests,
          units,
          models: { ...models },
          errors: { ...errors },
          moments: [...moments],
          metricRequests: [...requests],
          squares: [...squares]
        }
      })
    }
    totalRequests += cell.requests
    units += cell.units
    addCounts(models, cell.models)
    addCounts(errors, cell.errors)
    for (let i = 0; i < metricCount; i++) {
      const m = cell.metrics[i]
      if (!m)
        throw new RangeError(
          `mergeCells: a cell has ${cell.metrics.length} metrics, expected ${metricCount}`
        )
      moments[i] = mergeMoments(moments[i]!, m.moments)
      requests[i]! += m.requests
      const sq = m.requests === 0 ? 0 : m.requestSquares
      squares[i] = sq === undefined || squares[i] === undefined ? undefined : squares[i]! + sq
      if (m.quantiles) {
        const sketch = (sketches[i] ??= new QuantileSketch(m.quantiles.alpha))
        sketch.merge(QuantileSketch.fromJSON(m.quantiles))
        plain = false
      }
      if (m.unitRanks) {
        ;(ranks[i] ??= new RankSumsAccumulator()).addSums(m.unitRanks)
        plain = false
      }
      histograms[i] = mergeOptionalHistograms(histograms[i], m.histogram)
      bounds[i] = mergeBounds(bounds[i], m.bounds)
      adjusted[i]!.push(m.adjusted)
      if (m.levels || m.requests > 0) levelled[i]!.push(m)
      if (m.histogram || m.adjusted || m.bounds || m.levels) plain = false
    }
  }
  const metrics = moments.map((mo, i): MetricSketch => {
    const sketch = sketches[i]
    const merged: MetricSketch = { moments: mo, requests: requests[i]! }
    const sq = squares[i]
    if (sq !== undefined) merged.requestSquares = sq
    if (sketch) merged.quantiles = sketch.toJSON()
    const rank = ranks[i]
    if (rank) merged.unitRanks = rank.toJSON()
    const histogram = histograms[i]
    if (histogram) merged.histogram = histogram
    const known = bounds[i]
    if (known) merged.bounds = known
    const adjustedMoments = mergeAdjusted(adjusted[i]!)
    if (adjustedMoments) merged.adjusted = adjustedMoments
    const levels = mergeLevels(levelled[i]!)
    if (levels) merged.levels = levels
    return merged
  })
  return {
    requests: totalRequests,
    units,
    metrics,
    models: capKeys(models, MAX_MODEL_KEYS, OTHER_MODELS),
    errors
  }
}

/** The running totals of mergeCells after a list's first cells (`Prefix.cells`). */
interface Prefix {
  cells: readonly CellTotals[]
  totals: {
    requests: number
    units: number
    models: Record<string, number>
    errors: Record<string, number>
    moments: RatioMoments[]
    metricRequests: number[]
    squares: (number | undefined)[]
  }
}

/**
 * mergeCells' running totals before the last cell of the lists it merged, keyed by their first
 * cell: backtest merges, at every look, the window's time buckets, whose past ones are the same
 * Cell objects from look to look (src/replay/windowEvidence.ts), so each look adds only the
 * buckets since the last instead of the whole window again. Kept only for cells of counts and
 * moments (no quantile sketch, rank sums, histogram, bounds or adjusted moments: the replay's past
 * buckets), whose totals cost a few numbers to copy; a source whose cells carry sketches pays
 * nothing. Identity is a sound key because a Cell is never changed once handed out; a WeakMap,
 * so the totals go with their cells.
 */
const prefixes = new WeakMap<CellTotals, Prefix>()

/** Whether `cells` starts with the prefix's cells, the same objects, of the same metrics. */
function resumes(prefix: Prefix, cells: readonly CellTotals[], metricCount: number): boolean {
  const known = prefix.cells
  if (known.length > cells.length || prefix.totals.moments.length !== metricCount) return false
  for (let j = 0; j < known.length; j++) if (known[j] !== cells[j]) return false
  return true
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count
}

/** Keeps the `maxKeys` most frequent keys (ties by name) and sums the rest under `otherKey`. */
export function capKeys(
  counts: Record<string, number>,
  maxKeys: number,
  otherKey: string
): Record<string, number> {
  const named = Object.entries(counts).filter(([key]) => key !== otherKey)
  if (named.length <= maxKeys) return counts
  named.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const capped: Record<string, number> = {}
  let other = counts[otherKey] ?? 0
  named.forEach(([key, count], rank) => {
    if (rank < maxKeys) capped[key] = count
    else other += count
  })
  capped[otherKey] = other
  return capped
}
