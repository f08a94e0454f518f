/**
 * The validated rollout policy (DESIGN.md, "Policy"). Everything here is already parsed:
 * durations are milliseconds, percentages are fractions, and every default is filled in,
 * so the rest of the engine never re-interprets policy text.
 */

/** Milliseconds. */
export type Duration = number

/**
 * The worst acceptable change of a metric, always >= 0 and measured in the "worse" direction.
 * `relative: true` means a fraction of the baseline (`5%` -> 0.05); otherwise an absolute amount in
 * the metric's own unit (`0.5pp` on a rate -> 0.005, `0.02` on a score -> 0.02).
 */
export interface Tolerance {
  value: number
  relative: boolean
}

export type MetricKind = 'mean' | 'rate' | 'ratio' | 'quantile'
export type MetricMode = 'gate' | 'hold' | 'report'

export interface MetricSpec {
  name: string
  /**
   * The record field the metric reads, in canonical names (DESIGN.md, "Canonical request record"):
   * `latency_ms`, `ttft_ms`, `cost` (alias `cost_usd`), `score`, `scores.<name>`, `error`
   * (any error), `error.<class>` (one class, e.g. `error.rate_limit`), `fallback`, `feedback`,
   * `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`, `cache_hit`, or any
   * other numeric field of the raw record.
   */
  from: string
  /** kind `ratio` only: the denominator field (the metric is sum(from) / sum(per)). */
  per?: string
  kind: MetricKind
  /** kind `quantile` only: 0.5, 0.9, 0.95, 0.99 (from `p50` ... `p99`, or `p99.9`). */
  quantile?: number
  better: 'higher' | 'lower'
  tolerance: Tolerance
  /** A stricter threshold for rollback; the gap between tolerance and rollbackAt holds. */
  rollbackAt?: Tolerance
  /** An absolute SLO on the canary alone, in the metric's unit (`2%` on a rate -> 0.02). */
  limit?: number
  mode: MetricMode
  /** Key path of this metric in the policy, for messages: `metrics[2]`. */
  path: string
}

export interface Price {
  /** USD per 1M input tokens that are neither cache reads nor cache writes. */
  input: number
  output: number
  /** USD per 1M cached input tokens read; defaults to `input`. */
  cacheRead?: number
  /** USD per 1M input tokens written to the cache; defaults to `input`. */
  cacheWrite?: number
}

export interface FileSourceSpec {
  type: 'file'
  /** One or more globs, relative to the policy file's folder unless absolute. */
  path: string[]
  /** `auto` picks by extension: .jsonl/.ndjson/.json -> JSONL or OTLP JSON, .csv -> CSV; `.gz` is stripped first. */
  format: 'auto' | 'jsonl' | 'csv' | 'otlp'
}

export type SourceSpec = FileSourceSpec

export interface Policy {
  version: 1
  rollout: {
    name: string
    /** Canary share of traffic at each step, percent, strictly increasing, in (0, 100]. */
    steps: number[]
    minDuration: Duration
    maxDuration: Duration
    onTimeout: 'rollback' | 'hold'
    /** Per arm, per step, before any verdict. */
    minSamples: number
    warmup: Duration
  }
  arms: {
    field: string
    baseline: string[]
    canary: string[]
    /** The randomisation unit field; default: the canonical `unit` and its aliases. */
    unit?: string
  }
  source: SourceSpec
  /** Family-wise confidence over the gating metrics, e.g. 0.95. */
  confidence: number
  metrics: MetricSpec[]
  segments?: {
    by: string[]
    /** false: shown only; 'hold': a failing segment holds; 'rollback': it rolls back. */
    gate: false | 'hold' | 'rollback'
  }
  /** Keyed by model id as it appears in records; USD per 1M tokens. */
  pricing: Record<string, Price>
  dataQuality: {
    /** Fraction of malformed lines above which promotion is blocked (default 0.01). */
    maxMalformed: number
  }
  trafficSplit: {
    /** Type-I error of the sequential sample-ratio test (default 0.001). */
    alpha: number
  }
  /** Width of the time buckets the evidence is kept in (default 5m). */
  bucket: Duration
  /** The model ids each arm is expected to be served by; any other serving model is named. */
  models?: { baseline?: string[]; canary?: string[] }
}

/** One problem found in a policy, with where it is. */
export interface PolicyIssue {
  message: string
  file: string
  /** 1-based; 0 when the problem has no position (an empty file). */
  line: number
  col: number
  /** Key path, e.g. `metrics[1].tolerance`; '' for the document. */
  path: string
}

/** The only error the policy loader throws. `message` lists every issue as `file:line:col: path: message`. */
export class PolicyError extends Error {
  readonly issues: PolicyIssue[]
  constructor(issues: PolicyIssue[]) {
    super(
      issues
        .map(i => `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
        .join('\n')
    )
    this.name = 'PolicyError'
    this.issues = issues
  }
}
