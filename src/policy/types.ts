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
  /** Per arm, before any verdict on this metric; default `rollout.minSamples` (the judge's own). */
  minSamples?: number
  /** Measured on each arm as a whole only, not per segment (the judge's sample). */
  totalOnly?: boolean
  /**
   * kind mean only: the range every value lies in (`range: [lo, hi]`), which makes the metric
   * bounded: it gets a nonasymptotic confidence sequence (policy/bounds.ts), and values outside it
   * are invalid. Scores, rates and 0/1 fields are bounded without it.
   */
  range?: { lo: number; hi: number }
  /**
   * The judge's pairwise metric only: the canary's win rate is compared with this fixed value
   * (0.5) rather than with a baseline arm, a one-sample comparison.
   */
  reference?: number
  /**
   * A mean cost metric only: gate on the canary's tokens re-priced at the baseline's prompt-cache
   * hit rate instead of the observed cost (analysis/repricedCost.ts). Absent: observed.
   */
  gateOn?: 'repriced'
  /**
   * Regression adjustment (CUPED) of this mean or ratio metric: the policy's top-level
   * `varianceReduction`, or the metric's own (`varianceReduction: false` opts out). Absent: the
   * metric is compared unadjusted.
   */
  varianceReduction?: VarianceReductionSpec
}

/**
 * Variance reduction by regression adjustment (CUPED; src/stats/cs/regressionAdjusted.ts): each
 * unit's own level of the metric before the rollout's first step, and request covariates the
 * policy declares unaffected by the change.
 */
export interface VarianceReductionSpec {
  /**
   * How far back before the rollout's first step began each unit's pre-exposure records are read
   * (its baseline records in [start - lookback, start)); 0: no pre-exposure covariate.
   */
  lookback: Duration
  covariates: CovariateSpec[]
}

/** A request covariate declared unaffected by the change. */
export interface CovariateSpec {
  /** A record field (canonical name, alias, or any raw field). */
  field: string
  /**
   * numeric: its value per request (a request without it counts 0); categorical: one indicator
   * per value, for the first MAX_COVARIATE_LEVELS values seen.
   */
  type: 'numeric' | 'categorical'
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

/** Where the arm label of a Langfuse observation is read. */
export type LangfuseArmSpec =
  | { from: 'release' | 'version' | 'promptVersion' }
  | { from: 'tag'; prefix?: string }
  | { from: 'metadata'; key: string }

export interface LangfuseSourceSpec {
  type: 'langfuse'
  /** The Langfuse host (cloud or self-hosted), without a trailing /api. */
  baseUrl: string
  /** Names of the environment variables holding the keys (never the keys). */
  publicKeyEnv: string
  secretKeyEnv: string
  arm: LangfuseArmSpec
  /** GENERATION by default. */
  observationType: string
  name?: string
  environment?: string[]
  /** Langfuse score name -> record field (`score`, `scores.<name>`, `feedback`). */
  scores: Record<string, string>
  /** Observations per page, at most 1000. */
  pageSize: number
  /** Per HTTP request, ms. */
  timeout: Duration
  retries: number
}

/** The series one metric is computed from (src/policy/prometheus.ts says which kinds take which). */
export interface PrometheusSeries {
  /** A classic histogram's base name (`_bucket`, `_sum`, `_count`): quantiles and means. */
  histogram?: string
  /** kind rate: counters of bad events and of all events. */
  errors?: string
  total?: string
  /** kind ratio or mean: counters of the numerator and the denominator. */
  sum?: string
  count?: string
  /** A counter of squared values, for a mean's variance. */
  sumOfSquares?: string
  /**
   * Raw PromQL for the metric's absolute `limit` only: the canary's value, with `$canary` where the
   * gate puts the (escaped) canary matchers. One number, no counts: it can hold, never roll back.
   */
  limitQuery?: string
  /** Multiplies the values (1000: seconds to milliseconds). */
  scale: number
  /** Extra label matchers for these series, values matched exactly. */
  match: Record<string, string>
  /**
   * kind rate: what an absent `errors` series means. Absent (default `unknown`): no data, which
   * holds. `zero`: the counter is created at its first increment (a labelled counter in most client
   * libraries), so no series means no errors. Optional in hand-built policies: `unknown`.
   */
  absentErrors?: 'zero' | 'unknown'
}

export interface PrometheusSourceSpec {
  type: 'prometheus'
  url: string
  /** Names of environment variables holding secrets, never the secrets. */
  auth?: { bearerTokenEnv?: string; basic?: { user: string; passwordEnv: string } }
  headers: Record<string, string>
  /** Header name -> environment variable holding its (secret) value. */
  headersFromEnv: Record<string, string>
  tls?: { insecureSkipVerify: boolean; caFile?: string }
  /** Of one query, ms. */
  timeout: Duration
  retries: number
  /** Label matchers added to every selector. */
  match: Record<string, string>
  /** The counter of requests per arm; default: the first metric's count series. */
  requests?: string
  /** By metric name. */
  series: Record<string, PrometheusSeries>
}

/**
 * Where one record field is read in a SQL source: a column (or a JSON / Map sub-field of one,
 * `metadata.route`), optionally scaled; the milliseconds between two timestamp columns; the element
 * of a tag list that starts with a prefix (the prefix removed); or the first of several that has a
 * value. Parsed into this shape by src/policy/sqlSchema.ts; never SQL text.
 */
export type SqlColumnSpec =
  | { column: string; scale?: number; tagPrefix?: string }
  | { between: [string, string] }
  | { firstOf: SqlColumnSpec[] }

export interface SqlSourceSpec {
  type: 'sql'
  engine: 'postgres' | 'clickhouse'
  /** Name of the environment variable holding the connection URL (with its credentials). */
  urlEnv: string
  /** A table (`name` or `schema.name`, as spelled in the database); or `query`. */
  table?: string
  /** A SELECT whose rows are the records (wrapped as a subquery); or `table`. */
  query?: string
  /** A known schema: its table and column mapping, under the policy's own `columns`. */
  preset?: 'litellm' | 'otel'
  /** Record field -> where it is read; fields not listed are read from a column of their name. */
  columns: Record<string, SqlColumnSpec>
  tls?: { insecureSkipVerify: boolean; caFile?: string }
  /** Of the whole evaluation query (server-side where the engine allows it, and client-side), ms. */
  timeout: Duration
  /** Retries after a connection failure or a server that is not ready, with backoff. */
  retries: number
}

export type SourceSpec = FileSourceSpec | LangfuseSourceSpec | PrometheusSourceSpec | SqlSourceSpec

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
    /**
     * Optional: a step promotes only once its busiest hour of traffic (both arms) reaches this
     * share of the busiest hour the rollout has seen (RolloutState.peakLoad), in [0, 1].
     */
    minPeakLoad?: number
  }
  arms: {
    field: string
    baseline: string[]
    canary: string[]
    /** The randomisation unit field; default: the canonical `unit` and its aliases. */
    unit?: string
    /**
     * How the arms are assigned: `unit` (default: per user or session, as feature-flag services
     * do) or `request` (each request on its own). With `unit` and data that carry no unit
     * (aggregated sources such as Prometheus), requests are not independent: the gate widens its
     * variances by the design effect it can measure over time buckets, or by `designEffect`.
     */
    assignment?: 'unit' | 'request'
    /**
     * Optional, with `assignment: unit` and data without a unit: the design effect (variance
     * inflation, >= 1) of the metrics' per-request variances, when it is known from elsewhere.
     * The gate uses the larger of it and what the time buckets show.
     */
    designEffect?: number
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
    /**
     * How long before the step's window a record may be dated and still be a log's history
     * (default 7d). Older records are a broken clock (1970, epoch seconds read as milliseconds):
     * counted, sampled and blocking, never the step's clock. Absent in hand-built policies: 7d.
     */
    maxAge?: Duration
  }
  trafficSplit: {
    /** Type-I error of the sequential sample-ratio test (default 0.001). */
    alpha: number
  }
  /** Width of the time buckets the evidence is kept in (default 5m). */
  bucket: Duration
  /** The model ids each arm is expected to be served by; any other serving model is named. */
  models?: { baseline?: string[]; canary?: string[] }
  /** What applies each decision (none: only the Action's outputs). */
  actuators?: ActuatorSpec[]
  judge?: JudgeSpec
  /** The default variance reduction of every mean and ratio metric (each metric's is resolved). */
  varianceReduction?: VarianceReductionSpec
}

/** A built-in redaction pattern name, or a regular expression (JavaScript syntax, flag g added). */
export type RedactPattern = 'email' | 'phone' | 'key' | { regex: string }

/**
 * The LLM judge (src/judge): grades sampled production outputs through an OpenAI-compatible chat
 * completions API when records carry no quality score. Its score is the metric `metric.name`
 * (`from: judge`), appended to `metrics` by the validator, so the decision logic is unchanged.
 */
export interface JudgeSpec {
  model: string
  /** OpenAI-compatible endpoint (Azure OpenAI, vLLM, Ollama, LiteLLM); default: the OpenAI API. */
  baseURL?: string
  /** Name of the environment variable holding the API key (the Action maps an input to it). */
  apiKeyEnv: string
  /** The criteria: what a good answer is. */
  rubric: string
  /**
   * Pointwise: what each grade 1..5 means, index 0 for grade 1 (the score rubric of Prometheus 2,
   * Kim et al. 2024); generic descriptions when the policy gives none.
   */
  levels: [string, string, string, string, string]
  /** pointwise: each output graded to [0, 1]; pairwise: canary vs baseline on the same input. */
  mode: 'pointwise' | 'pairwise'
  /**
   * Texts sampled per arm at a look, at least (a seeded, bounded sample kept by the source). The
   * sample grows past it when the judge needs more and its budget pays for them (judge/sample.ts).
   */
  sample: number
  /** Outputs (pointwise, per arm) or pairs judged between two looks at the judge metric. */
  batch: number
  /**
   * Hard limits. `calls` and `usd` per evaluation; `stepCalls` and `stepUsd` over all the
   * evaluations of one step (the rollout state keeps the step's spend).
   */
  budget: { calls: number; usd?: number; stepCalls?: number; stepUsd?: number }
  /** USD per 1M tokens of the judge model; without it `budget.usd` cannot be enforced. */
  prices?: { input: number; output: number }
  /**
   * Ask for the tokens' log probabilities and weight each score by them (G-Eval, Liu et al. 2023);
   * an answer without them is read from its text.
   */
  logprobs: boolean
  concurrency: number
  /** Per request. */
  timeout: Duration
  maxRetries: number
  /** Longest text sent, per input or output, in characters; longer ones are cut. */
  maxChars: number
  redact: RedactPattern[]
  /** Already judged items judged again to measure the judge's self-agreement. */
  recheck: number
  /** Most judgements kept in the rollout state, so a rerun does not pay twice. */
  cacheSize: number
  /** Human labels (JSONL of {id, label}), relative to the working directory: Cohen's kappa. */
  labels?: string
  /** The checks that must pass before the judge metric may decide (judge/health.ts). */
  health: JudgeHealthSpec
  /** The length control of the verdict (judge/lengthControl.ts). */
  lengthControl: { enabled: boolean; maxInflation: number }
}

export interface JudgeHealthSpec {
  /** Control pairs (an identical pair, a degraded answer) mixed into each batch; at least 1. */
  controls: number
  /** The error of each anytime-valid control test (a content-blind judge passes at most this often). */
  alpha: number
  /** Pairwise: the largest share of pairs whose two orders may disagree. */
  maxFlipRate: number
  /** With human labels: the smallest Cohen's kappa. */
  minKappa: number
}

/** What applies a decision to the world (src/actuators/). */
export type ActuatorSpec =
  | {
      type: 'git-file'
      file: string
      branch?: string
      set: { path: string; arm: 'canary' | 'baseline'; total: number }[]
    }
  | {
      type: 'webhook'
      url: string
      secretEnv?: string
      timeout: Duration
      retries: number
      on: 'change' | 'every'
    }
  | {
      type: 'workflow-dispatch'
      workflow: string
      ref?: string
      inputs: Record<string, string>
      on: 'change' | 'every'
    }
  | { type: 'deployment'; environment: string }

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
