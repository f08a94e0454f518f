import type { FieldsSeen } from '../records/fieldCatalog.js'
import type { Arm } from '../records/record.js'
import type { MetricSketch, RatioMoments } from './types.js'

/**
 * The evidence model every layer shares: what a source produces (sketches per arm x segment x
 * time bucket, data quality, text samples) and what analysis, the judge and the reports read.
 * Types and constants only, below every user (sources, analysis, report), so the core never
 * imports an adapter.
 */

export const TOTAL_SEGMENT = '*'

export interface Cell {
  arm: Arm
  /** TOTAL_SEGMENT for all traffic, else `route=faq|language=en` in the policy's `segments.by` order. */
  segment: string
  /** Start of the time bucket, epoch ms (window.from + k * bucketMs). */
  bucket: number
  requests: number
  /** Units first seen (in this arm and segment) in this bucket; summing buckets gives distinct units. */
  units: number
  /** Same order as Evidence.metrics. */
  metrics: MetricSketch[]
  /**
   * Served model (and fingerprint, as `model#fingerprint`) -> requests; at most 20 keys, the rest
   * under `other`. Failed calls are not in it (they served nothing, and most instrumentations
   * record only the requested model for them): see `failedModels`.
   */
  models: Record<string, number>
  /**
   * Optional: the model keys of failed calls (usually the requested model) -> requests, kept
   * apart from `models`; at most 20 keys.
   */
  failedModels?: Record<string, number>
  /** Error class -> requests. */
  errors: Record<string, number>
  /**
   * Optional (a source that cannot produce it leaves it out, and the check that needs it says so).
   * Requests served by a fallback route (counted in the arm that sent them).
   */
  fallbacks?: number
  /** Optional: prompt-cache sums of the requests that had token counts (the cache check). */
  cache?: CacheSums
  /**
   * Optional, baseline TOTAL_SEGMENT cells only: the same metric sketches (Evidence.metrics order)
   * over two halves of the baseline, split by a hash of the unit (or of the request, when records
   * carry no unit), for the A/A check. Moments are clustered as in `metrics`.
   */
  halves?: [MetricSketch[], MetricSketch[]]
}

/** Prompt-cache sums over the requests of a cell that carried input tokens. */
export interface CacheSums {
  /** Requests with input tokens, and those of them that read from the cache. */
  requests: number
  hits: number
  /**
   * Optional (absent in evidence from before it was counted): of `requests`, those whose record
   * carried a cache-read token count at all (0 included). None means the source does not report
   * cache reads, which is not the same as a cold cache.
   */
  reported?: number
  /** All input tokens (cached included) and the cached ones read. */
  inputTokens: number
  cacheReadTokens: number
  /** Of `requests`, those whose tokens had a price (policy.pricing); the USD sums below are over them. */
  priced: number
  /** Observed cost: billed `cost_usd` when present, else tokens at the policy's prices. */
  cost: number
  /** Every input token at the uncached input price, plus output. */
  costUncached: number
  /** The input tokens alone, at the uncached input price and at the cache-read price. */
  inputAtInputPrice: number
  inputAtCacheReadPrice: number
  /**
   * Per-request moments of latency_ms and ttft_ms within cache-hit and cache-miss requests (one
   * cluster per request), so a cold cache is not read as a slow model.
   */
  latency: { hit: RatioMoments; miss: RatioMoments }
  ttft: { hit: RatioMoments; miss: RatioMoments }
  /**
   * Optional: per-request sums over the `priced` requests for re-pricing each one at another
   * cache-hit rate h (a metric's `gateOn: repriced`): u the cost with every input token uncached,
   * d what reading all input from the cache would save (u - h d is the re-priced cost), c the
   * observed cost; with their squares and the cross product u d.
   */
  repricing?: RepricingSums
}

export interface RepricingSums {
  n: number
  su: number
  sd: number
  suu: number
  sdd: number
  sud: number
  sc: number
  scc: number
}

export interface DataQuality {
  /** Lines (or rows, or spans) read, across all files. */
  lines: number
  /** Records that parsed and belong to one of the two arms, in the window. */
  records: number
  /** Lines that could not be parsed or lack a required field (ts, arm). */
  malformed: number
  /** Up to 10 examples: `file:line: reason` (never the line's content: it may hold production text). */
  malformedSamples: string[]
  /**
   * Optional (absent when nothing was malformed): malformed lines by reason (without a `span N: ` or
   * `record N: ` prefix), in the order first seen, each with its count and first `file:line`; at
   * most 20 reasons, the rest under `(other reasons)`.
   */
  malformedReasons?: Record<string, { count: number; first: string }>
  /** Records whose arm value matched neither arm: value -> count (at most 20 values). */
  unmatchedArms: Record<string, number>
  /**
   * Records before the window / at or after its end (but not in the future), except those read as
   * pre-exposure data (`preExposure`).
   */
  outsideWindow: number
  /** Records with ts > now. */
  future: number
  /**
   * Optional: records dated more than `dataQuality.maxAge` before the window (a broken clock, not
   * the log's history), and per file how many and their date range. They block promotion.
   */
  farOutside?: number
  /** Optional: records dated more than `dataQuality.maxAge` after `now` (blocking unless a replay). */
  farFuture?: number
  farOutsideSamples?: string[]
  /** Field -> values rejected (NaN, negative latency, score outside [0, 1], ...). */
  invalidValues: Record<string, number>
  /**
   * Files read, with their line counts; problems with a whole file (empty, binary) in `problem`.
   * `incomplete`: the file could not be read to its end (a truncated gzip, an unclosed CSV quote
   * that swallowed the rest, a read error): evidence read in part blocks promotion.
   */
  files: { path: string; lines: number; malformed: number; problem?: string; incomplete?: true }[]
  /**
   * Problems a source found with the data that make the evidence untrustworthy (a series with no
   * data, one arm missing, NaN, a series that stopped): each blocks (a hold, never a rollback).
   */
  problems?: string[]
  /** Things worth a look that do not block (e.g. counter resets a source accounted for). */
  warnings?: string[]
  /** How the evidence was read, for the record (e.g. where a variance came from). */
  notes?: string[]
  /**
   * Optional, OTLP traces: the instrumentation scopes the call spans came from, with how many
   * calls each traced and how many of them failed (at most 20 scopes, in first-seen order).
   * Some libraries emit no span for a failed call (records/conventions.ts): with none failed,
   * their error rate is not observable.
   */
  instrumentation?: InstrumentationCount[]
  /**
   * Optional: what a source that reads the pre-exposure lookback (metrics with
   * `varianceReduction`) found there, before the rollout's first step.
   */
  preExposure?: PreExposureQuality
  /**
   * Optional: the raw fields the rows had (sources that read rows: files, Langfuse), so a field the
   * policy reads and the data never has is named, with a did-you-mean (analysis/fieldsCheck.ts).
   */
  fields?: FieldsSeen
}

export interface InstrumentationCount {
  /** The OTLP instrumentation scope name, e.g. `@traceloop/instrumentation-openai`. */
  scope: string
  version?: string
  calls: number
  failed: number
}

/**
 * The pre-exposure lookback: records before the rollout's first step began, when every unit was
 * on the baseline. A unit's baseline records there are its pre-exposure data (the covariate of the
 * regression-adjusted comparison); records between the rollout's start and the window (earlier
 * steps, warm-ups) never are, whatever their arm.
 */
export interface PreExposureQuality {
  /** Half-open, epoch ms: [rollout start - lookback, rollout start). */
  window: { from: number; to: number }
  /** Baseline records in it with a unit, and the distinct units among them. */
  records: number
  units: number
  /**
   * Canary records in it. Any means the canary was served before the stated start (a later
   * --since, a restart within the lookback of an earlier canary), so units may have been exposed:
   * then no unit gets pre-exposure data (the lookback must end before the first canary record).
   */
  canaryRecords: number
  /** The latest of those canary records, epoch ms. */
  lastCanary?: number
}

export interface Evidence {
  source: string
  window: { from: number; to: number }
  bucketMs: number
  /** Metric names, in policy order; Cell.metrics follows it. */
  metrics: string[]
  /** True when records carried a randomisation unit (then moments are clustered by unit). */
  unitLevel: boolean
  /**
   * Optional: true when the source sums requests before the gate sees them (Prometheus), so it
   * can keep neither users nor single requests: with arms assigned per user, its per-request
   * variances need a design effect (analysis/aggregateDesignEffect.ts).
   */
  aggregated?: boolean
  cells: Cell[]
  quality: DataQuality
  /**
   * Optional: a small seeded sample of texts per arm for the judge (src/sources/textSample.ts),
   * only when the policy has one. Production text: never logged, never in a report or record.
   */
  texts?: TextSample[]
  /**
   * Optional: false when the source cannot tell error classes (rate limits, timeouts): Prometheus
   * counts only the policy's own error series. Cell.errors is then empty, which is not zero.
   */
  errorClasses?: false
  /**
   * Metric name -> the canary's value from a raw query, for that metric's absolute `limit` only
   * (Prometheus `limitQuery`). One number without counts: it can hold, never roll back.
   */
  limitValues?: Record<string, number>
}

/** One sampled request's texts, for the judge. */
export interface TextSample {
  /** The record's id (`id`, `request_id`, ...) or, without one, a hash of its content. */
  id: string
  arm: Arm
  unit?: string
  ts: number
  /** Hash of the input: pairs canary and baseline answers to the same input (pairwise mode). */
  inputHash: string
  input: string
  /** The answer this record's arm served. */
  output: string
  /**
   * Shadow traffic (pairwise mode only): the other arm's answer to the same input, from the
   * record's `shadow_output` field. Such a record is a pair on its own (`output` is its arm's
   * answer, `shadowOutput` the other arm's), judged without matching inputs across arms.
   */
  shadowOutput?: string
  /** Served model, for the self-preference check. */
  model?: string
}

/** Data quality before anything was read. */
export function emptyQuality(): DataQuality {
  return {
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

/** `dataQuality.maxAge` when a policy does not say (hand-built policies in tests). */
export const DEFAULT_MAX_AGE_MS = 7 * 86_400_000
