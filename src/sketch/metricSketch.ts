import { mergeAdjusted } from './adjustedMoments.js'
import { mergeHistograms } from './histogram.js'
import { mergeMoments, emptyMoments } from './moments.js'
import { QuantileSketch } from './quantileSketch.js'
import type { AdjustedMoments, HistogramData, MetricSketch } from './types.js'
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
  return merged
}

/** Sum of per-request squares of a merge, known when each side knows it or has no requests. */
function mergeRequestSquares(a: MetricSketch, b: MetricSketch): number | undefined {
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
 */
export function mergeCells(cells: readonly CellTotals[]): CellTotals {
  const metricCount = cells[0]?.metrics.length ?? 0
  const moments = Array.from({ length: metricCount }, emptyMoments)
  const requests = new Array<number>(metricCount).fill(0)
  const squares: (number | undefined)[] = new Array<number>(metricCount).fill(0)
  const sketches: (QuantileSketch | undefined)[] = new Array(metricCount).fill(undefined)
  const histograms: (HistogramData | undefined)[] = new Array(metricCount).fill(undefined)
  const bounds: MetricSketch['bounds'][] = new Array(metricCount).fill(undefined)
  const ranks: (RankSumsAccumulator | undefined)[] = new Array(metricCount).fill(undefined)
  const adjusted = Array.from({ length: metricCount }, (): (AdjustedMoments | undefined)[] => [])
  const models: Record<string, number> = {}
  const errors: Record<string, number> = {}
  let totalRequests = 0
  let units = 0
  for (const cell of cells) {
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
      }
      if (m.unitRanks) (ranks[i] ??= new RankSumsAccumulator()).addSums(m.unitRanks)
      histograms[i] = mergeOptionalHistograms(histograms[i], m.histogram)
      bounds[i] = mergeBounds(bounds[i], m.bounds)
      adjusted[i]!.push(m.adjusted)
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
