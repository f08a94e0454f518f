/**
 * What every evidence producer keeps per cell (arm x segment x time bucket) and how it becomes a
 * Cell: the EvidenceBuilder from records, the SQL source from the rows its query returns (and the
 * replay's window evidence). One definition, so a new field of Cell or MetricSketch is added, and
 * capped, in one place.
 */
import { addCacheSums, emptyCacheSums } from './cacheSums.js'
import type { CacheSums, Cell } from './evidence.js'
import { capKeys, MAX_MODEL_KEYS, OTHER_MODELS } from './metricSketch.js'
import { addMoments, emptyMoments } from './moments.js'
import { QuantileSketch } from './quantileSketch.js'
import type { MetricSketch, QuantileSketchData, RatioMoments } from './types.js'
import { RankSumsAccumulator } from './unitRanks.js'

/** Distinct error classes kept per cell; later ones are summed under OTHER_KEY. */
export const MAX_ERROR_CLASSES = 20
export const OTHER_KEY = '(other)'

/** One metric of a cell (or of an A/A half) while it is built. */
export class MetricCell {
  readonly moments: RatioMoments = emptyMoments()
  requests = 0
  /** Sum over requests of the value squared (MetricSketch.requestSquares). */
  requestSquares = 0
  /** Quantile metrics: the per-unit rank sums of the units first seen here (unitRanks.ts). */
  readonly ranks: RankSumsAccumulator | undefined

  constructor(
    /** Quantile metrics built value by value; a source that builds its own leaves it out. */
    readonly quantiles: QuantileSketch | undefined,
    quantile = quantiles !== undefined
  ) {
    if (quantile) this.ranks = new RankSumsAccumulator()
  }

  /** Adds another cell's metric (the cells' union: exact, every part is a sum). */
  addAll(other: MetricCell): void {
    this.requests += other.requests
    this.requestSquares += other.requestSquares
    addMoments(this.moments, other.moments)
    if (other.quantiles) this.quantiles?.merge(other.quantiles)
    if (this.ranks && other.ranks && !other.ranks.empty) this.ranks.addSums(other.ranks.toJSON())
  }

  /** The quantile sketch to emit (a source that keeps its own form overrides this). */
  protected quantileData(): QuantileSketchData | undefined {
    return this.quantiles?.toJSON()
  }

  toSketch(): MetricSketch {
    const sketch: MetricSketch = {
      moments: { ...this.moments },
      requests: this.requests,
      requestSquares: this.requestSquares
    }
    const quantiles = this.quantileData()
    if (quantiles) sketch.quantiles = quantiles
    if (this.ranks && !this.ranks.empty) sketch.unitRanks = this.ranks.toJSON()
    return sketch
  }
}

/** A cell's counts: what the checks read per time bucket (Cell's fields besides the metrics). */
export class CellCounts {
  requests = 0
  /** Units first seen in the cell. */
  units = 0
  fallbacks = 0
  /** Prompt-cache sums, once a request carried input tokens. */
  cache: CacheSums | undefined
  /** Served model keys (`model#fingerprint`), and those of failed calls apart. */
  readonly models = new Map<string, number>()
  readonly failedModels = new Map<string, number>()
  readonly errors = new Map<string, number>()

  /**
   * Adds another cell's counts (merging segments into the total, or folding capped segments), but
   * its units: a unit first seen in two segments is one unit of their total, which only the
   * caller can tell.
   */
  addCounts(other: CellCounts): void {
    this.requests += other.requests
    this.fallbacks += other.fallbacks
    if (other.cache) addCacheSums((this.cache ??= emptyCacheSums()), other.cache)
    addCounts(this.models, other.models)
    addCounts(this.failedModels, other.failedModels)
    addCounts(this.errors, other.errors)
  }
}

/**
 * The Cell of `counts` and its metrics' sketches, with models and error classes capped as
 * Cell documents (the most frequent kept, the rest under `other` / `(other)`), and the baseline
 * total's A/A halves when given.
 */
export function emitCell(
  at: { arm: Cell['arm']; segment: string; bucket: number },
  counts: CellCounts,
  metrics: MetricSketch[],
  halves?: [MetricSketch[], MetricSketch[]]
): Cell {
  const cell: Cell = {
    arm: at.arm,
    segment: at.segment,
    bucket: at.bucket,
    requests: counts.requests,
    units: counts.units,
    metrics,
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
  if (counts.cache) cell.cache = counts.cache
  if (halves) cell.halves = halves
  return cell
}

/** Adds `count` to `key`, or to `other` once `maxKeys` keys are named (memory stays bounded). */
export function countCappedMap(
  counts: Map<string, number>,
  key: string,
  maxKeys: number,
  other: string,
  count = 1
): void {
  const seen = counts.get(key)
  if (seen !== undefined) counts.set(key, seen + count)
  else if (counts.size < maxKeys) counts.set(key, count)
  else counts.set(other, (counts.get(other) ?? 0) + count)
}

function addCounts(into: Map<string, number>, from: Map<string, number>): void {
  for (const [key, count] of from) into.set(key, (into.get(key) ?? 0) + count)
}
