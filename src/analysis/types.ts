import type { MetricKind, MetricMode } from '../policy/types.js'

export type Verdict = 'pass' | 'fail' | 'inconclusive'
export type CheckStatus = 'ok' | 'warn' | 'block'

/** A check on the evidence itself: when it blocks, the comparison cannot be trusted yet. */
export interface Check {
  name: string
  status: CheckStatus
  detail: string
  /** A blocking check that rolls back (on trusted evidence) rather than only holding: `load`. */
  rollsBack?: true
}

/** The canary-minus-baseline change with its confidence sequence, in the tolerance's terms. */
export interface Delta {
  estimate: number
  lower: number
  upper: number
  /** true: a fraction of the baseline (0.05 = +5%); false: the metric's own unit. */
  relative: boolean
}

/**
 * How much more canary traffic the metric needs before it can decide, at the current estimate
 * (analysis/projection.ts).
 */
export interface Needed {
  /** Canary requests still needed; null when more traffic will not settle it soon. */
  samples: number | null
  /** At the canary's traffic rate in this window; null when unknown or never. */
  seconds: number | null
  /**
   * Why no number (samples null), or what the number waits for: `at-tolerance` (the estimate
   * sits at the tolerance, so the interval would have to shrink to a point), `beyond-step` (it
   * would take longer than the step has left, `rollout.maxDuration`), `resolution` (the histogram
   * buckets, not the data, keep it open), `minimum` (the minimum sample comes first).
   */
  code?: 'at-tolerance' | 'beyond-step' | 'resolution' | 'minimum'
}

/**
 * Why a metric has its verdict, as a fact (the words are rendered from it, report/ and
 * compareMetric.reasonText). Until an interval can be trusted, the metric is inconclusive with
 * an unbounded interval: `below-minimum` (too few units or requests per arm), `too-skewed` (an
 * unbounded mean whose estimator is still too skewed for the central limit theorem,
 * stats/clt.ts), `design-effect-unknown` (aggregated per-request data of arms assigned per unit,
 * analysis/aggregateDesignEffect.ts).
 */
export type MetricWhy =
  | { code: 'pass' }
  | { code: 'fail'; beyond: 'tolerance' | 'rollbackAt' }
  | { code: 'inconclusive'; beyondTolerance: boolean }
  | {
      code: 'below-minimum'
      unit: 'units' | 'requests'
      minimum: number
      baseline: number
      canary: number
    }
  | { code: 'too-skewed'; skewness: number; maxSkewness: number }
  | { code: 'design-effect-unknown'; atLeast: number }
  | { code: 'relative-undefined' }
  | { code: 'no-values' }
  | { code: 'bucket-resolution' }

export interface LimitResult {
  value: number
  /** The canary's own interval for the metric. */
  lower: number
  upper: number
  /** The whole interval is on the wrong side of the limit. */
  breached: boolean
  /** The estimate is on the wrong side but the interval still crosses the limit. */
  suspect: boolean
  /** The canary's value came from a raw query (no interval): it can only hold. */
  query?: true
}

export interface MetricResult {
  name: string
  from: string
  kind: MetricKind
  /** kind quantile: 0.95 for p95. */
  quantile?: number
  better: 'higher' | 'lower'
  mode: MetricMode
  verdict: Verdict
  baseline: number | null
  canary: number | null
  /** Bounds may be infinite (no data yet); the JSON record writes those as null. */
  delta: Delta
  /** Worst acceptable change, signed in the metric's direction (a +10% latency, a -2% quality). */
  tolerance: number
  rollbackAt?: number
  limit?: LimitResult
  /** The baseline's own confidence sequence for the metric (baseline drift, driftCheck.ts). */
  baselineInterval?: { lower: number; upper: number }
  /** Requests that carried a value, per arm. */
  n: { baseline: number; canary: number }
  /**
   * Units (users or sessions) that carried a value, per arm, when records carry one: the
   * confidence sequence's own time, and what the minimum sample counts.
   */
  units?: { baseline: number; canary: number }
  /**
   * The error rate of this metric's fail side (the lower end on the harm scale, after the
   * family-wise split: a rollback needs only one metric to fail).
   */
  alpha: number
  /**
   * The error rate of its pass side, when it differs from `alpha`: a promotion needs every gating
   * metric to pass, so each pass is tested at the step's whole budget (stats/alphaSpending.ts).
   */
  passAlpha?: number
  needed?: Needed
  /** One line: why this verdict. */
  reason: string
  /** Why this verdict, as a fact. */
  why?: MetricWhy
  /**
   * What the interval's validity rests on: the estimator's skewness and the largest trusted
   * (unbounded means, and adjusted bounded ones, stats/clt.ts), the design effect applied to
   * per-request data of per-unit arms (aggregated sources).
   */
  validity?: {
    skewness?: number
    maxSkewness?: number
    designEffect?: { baseline: number; canary: number; source: 'declared' }
  }
  /**
   * The A/A comparison of the baseline's two halves (analysis/aaCheck.ts), in the same terms as
   * `delta`; `noise` is its half-width, the run-to-run noise to set the tolerance against.
   */
  aa?: { estimate: number; lower: number; upper: number; noise: number; atCanary: number }
  /**
   * Set when a failing verdict only holds instead of rolling back, and why (a cost that fails
   * while the canary's prompt cache is still warming, analysis/cacheCheck.ts).
   */
  holdsBecause?: string
  /**
   * Set when the verdict is on the canary's cost re-priced at the baseline's cache-hit rate
   * (`gateOn: repriced`, analysis/repricedCost.ts): the observed change, shown, not gated on.
   */
  observed?: Delta
  /**
   * What the evidence cannot show about this metric, in words for the report: a cost priced as if
   * no input was read from the prompt cache because no request reported cached tokens
   * (cacheCheck.ts), an error rate the source cannot observe (observability.ts).
   */
  caveats?: string[]
  /** Which confidence sequence, for the decision record. */
  method: string
  /**
   * Set for a metric with `varianceReduction`: whether the regression-adjusted (CUPED) sequence
   * is the one shown and decided on, how much variance it removed, and with what.
   */
  varianceReduction?: VarianceReductionResult
}

/** The regression adjustment of one metric (analysis/varianceReduction.ts), for the record. */
export interface VarianceReductionResult {
  /**
   * The adjusted sequence is the metric's interval (a bounded mean's: intersected with its
   * nonasymptotic one); else the unadjusted one is, and `reason` says why.
   */
  used: boolean
  /**
   * 1 - adjusted variance / unadjusted variance of the change, at the same units: 0.4 means an
   * interval sqrt(0.6) = 0.77 times as wide. null when it could not be computed.
   */
  varianceReduction: number | null
  /** The covariates in the regression: `pre-exposure level` (the metric's own), request covariates. */
  covariates: string[]
  /** Units (clusters: units, or requests without one) per arm. */
  units: { baseline: number; canary: number }
  /** Of those, the units with pre-exposure data (records before the rollout's first step). */
  preExposureUnits: { baseline: number; canary: number }
  /** Why the adjusted sequence is not used. */
  reason?: VarianceReductionReason
  /** Covariates asked for and left out, and why. */
  dropped?: { covariate: string; why: CovariateLeftOut }[]
}

export type VarianceReductionReason =
  /** The source gives no per-unit covariate data (aggregated series), or records carry no unit. */
  | 'no-data'
  /** Too few units for the regression. */
  | 'too-few-units'
  /** No covariate could be used (see `dropped`). */
  | 'no-covariate'
  /** The covariates explain under 1% of the variance. */
  | 'explains-nothing'
  /**
   * The metric's interval is not trusted yet (its estimator is too skewed, stats/clt.ts): the
   * adjusted one is held back with it, whatever the variance it removes.
   */
  | 'interval-held'
  /**
   * A bounded mean (a score): the adjusted estimator is too skewed yet (stats/clt.ts), and the
   * score's nonasymptotic interval decides alone.
   */
  | 'estimator-skewed'
  /**
   * A bounded mean: its adjusted interval and its nonasymptotic one do not overlap (one of them
   * missed), and the nonasymptotic one decides alone.
   */
  | 'intervals-disagree'

export type CovariateLeftOut =
  /** Fewer than 10 units with pre-exposure data. */
  | 'low-coverage'
  | 'constant'
  | 'collinear'
  /** A request covariate whose arms differ beyond chance: the change moves it. */
  | 'imbalanced'
  /** No lookback was read: the rollout's start is unknown (an old state past its first step) or the source cannot. */
  | 'no-lookback'
  /** The lookback holds canary records: the canary was served before the rollout's stated start. */
  | 'lookback-not-clean'
  /** The lookback was read and clean, but no unit in the window had records in it. */
  | 'no-history'

export interface SegmentResult {
  segment: string
  verdict: Verdict
  metrics: Pick<MetricResult, 'name' | 'mode' | 'verdict' | 'delta' | 'n' | 'reason'>[]
}

export interface ArmSummary {
  requests: number
  units: number
}

/**
 * Where a step's confidence sequences are tightest (analyze.ts, plannedTStar): per arm, in units
 * (clusters) and in requests. Fixed at the step's first look with traffic in both arms and kept
 * in the rollout state (ErrorBudget.step.tStar), so that every look of the step reads one
 * mixture.
 */
export interface StepTStar {
  /** A promotion's end: the traffic expected by sqrt(minDuration x maxDuration), in units. */
  units: { baseline: number; canary: number }
  /** The same in requests (the quantiles' time). */
  requests: { baseline: number; canary: number }
  /**
   * Requests per unit when planned (1 without units): a rollback's end is tuned at the minimum
   * sample, counted in units, and this turns it into requests for the quantiles.
   */
  requestsPerUnit: { baseline: number; canary: number }
}

export interface Analysis {
  window: { from: number; to: number }
  arms: { baseline: ArmSummary; canary: ArmSummary }
  unitLevel: boolean
  metrics: MetricResult[]
  segments: SegmentResult[]
  checks: Check[]
  /** Canary requests per second in the window (for projections). */
  canaryRate: number
  /** Where this step's sequences are tightest, when planned (StepTStar). */
  tStar?: StepTStar
  /**
   * The rollout's error budget as this evaluation spends it (stats/alphaSpending.ts): the whole
   * budget (1 - confidence), this step's fail side's share and each gating metric's share of
   * that, the pass side's alpha, and whether segments share the budget (`segments.gate:
   * rollback`), are a separate family (they can only hold), or there are none.
   */
  errorBudget?: {
    total: number
    step: number
    /** Each gating metric's fail side (a rollback), the step's share split over the family. */
    perMetric: number
    /** Each gating metric's pass side (a promotion needs all to pass): what the ledger has left. */
    pass?: number
    segments: 'shared' | 'separate' | 'none'
    /** Spent by the rollout's earlier sequences (from the rollout state), when known. */
    spent?: number
  }
  /**
   * With `rollout.minPeakLoad`: the window's busiest hour of traffic, both arms, in requests per
   * hour, and when that hour began (epoch ms; analysis/peakLoad.ts). The state keeps the largest
   * seen (RolloutState.peakLoad).
   */
  peakLoad?: { perHour: number; at: number }
  /** The baseline's traffic mix in the window (baseline-drift tells a mix shift from a model change). */
  baselineMix?: BaselineMix
  /** Set when the policy has a judge: how it ran and its health (aggregates only, no text). */
  judge?: JudgeSummary
  /** Prompt-cache warmth and the three cost views, when the source gives cache sums. */
  cache?: CacheReport
  /**
   * A served model changed inside the window at this time (epoch ms): evidence before it no
   * longer describes the system, so the step restarts there (evaluate.ts, decide/state.ts).
   */
  restartAt?: number
}

/** undetermined: the canary reads less from the cache, and it is too early to tell why. */
export type CacheState = 'warming' | 'broken' | 'matched' | 'undetermined'

/** The cache check's findings (analysis/cacheCheck.ts); per-request costs in USD. */
export interface CacheReport {
  state: CacheState
  /** Share of input tokens read from the prompt cache, over the window and in its last third. */
  hitRate: { baseline: number; canary: number; canaryRecent: number; baselineRecent: number }
  cost: {
    baseline: { observed: number | null; uncached: number | null }
    /** repriced: the canary's tokens at the baseline's cache-hit rate. */
    canary: { observed: number | null; uncached: number | null; repriced: number | null }
  }
  /**
   * Optional: canary minus baseline share of input tokens read from the cache over the window,
   * with its confidence sequence (per-bucket clusters): what the state is classified on.
   */
  difference?: { estimate: number; lower: number; upper: number }
  /** Canary-minus-baseline mean latency / TTFT within cache hits and within misses, relative. */
  strata: {
    metric: 'latency_ms' | 'ttft_ms'
    stratum: 'hit' | 'miss'
    estimate: number
    lower: number
    upper: number
  }[]
  /** state broken: the extra cost per day if all of today's traffic paid the canary's miss rate. */
  extraPerDay?: number
}

/**
 * What the decision record says about the judge (DESIGN.md principle 7): which model, which
 * rubric, what it cost, and its health. Facts and aggregates only: no production text ever; the
 * words are report/judge.ts's.
 */
export interface JudgeSummary {
  model: string
  /** Model ids the API said served the calls. */
  servedModels: string[]
  /** `sha256:` and 16 hex digits of the rubric. */
  rubricHash: string
  mode: 'pointwise' | 'pairwise'
  /** Texts the source sampled, per arm. */
  sampled: { baseline: number; canary: number }
  /** Judgements in the metric: outputs per arm (pointwise), or pairs (pairwise, both fields). */
  judged: { baseline: number; canary: number }
  /** Calls of this evaluation (also in `cost.look`). */
  calls: number
  /** USD of this evaluation; null without `prices` or when the endpoint reported no usage. */
  usd: number | null
  /** What the judge cost in this evaluation (look) and in all the evaluations of this step. */
  cost: { look: JudgeSpend; step: JudgeSpend & { looks: number } }
  cacheHits: number
  /**
   * Why judging stopped. usage-unknown: the API gave no token usage, so a USD budget could not be
   * enforced; unusable-answers: most answers did not follow the schema or were refusals.
   */
  stopped:
    | 'decisive'
    | 'health-failed'
    | 'health-pending'
    | 'length-confounded'
    | 'sample-exhausted'
    | 'budget-calls'
    | 'budget-usd'
    | 'budget-step-calls'
    | 'budget-step-usd'
    | 'usage-unknown'
    | 'api-failing'
    | 'unusable-answers'
    | 'not-run'
  /** Answers that did not follow the schema: missing, never a score. */
  parseFailures: number
  /** Optional: answers that were the model's refusal (missing, not a schema failure). */
  refusals?: number
  /** Optional: calls answered without token usage (their cost unknown; `usd` is then null). */
  callsWithoutUsage?: number
  /** Calls that failed after retries (HTTP status classes, timeouts). */
  errors: Record<string, number>
  /** Sampled outputs that address the evaluator (prompt injection), and were graded as they are. */
  flagged: number
  /**
   * Token log probabilities: `used` (scores weighted by them, G-Eval), `not-returned` (asked,
   * but the endpoint sent none), `rejected` (the endpoint refused the parameter), `off`.
   */
  logprobs: 'used' | 'not-returned' | 'rejected' | 'off'
  /** The checks the judge must pass before its metric may decide (judge/health.ts). */
  health: JudgeHealthCheck[]
  /** Every health check passed (or could not be measured): the judge metric may decide. */
  healthy: boolean
  /** Biases the judgements show (position: pairwise; length: both modes), whatever corrects them. */
  biases: ('position' | 'length')[]
  /** Pairwise: share of pairs whose two orders disagreed (the stated verdicts). */
  flipRate?: number
  /** Pairwise: the canary's win rate from the canary-first order alone. */
  oneOrderWinRate?: number
  /**
   * Pairwise: mean over pairs of the canary's score when shown first minus when shown second
   * (positive: the judge favours the first answer), with a 99% normal-approximation interval.
   */
  positionBias?: { estimate: number; lower: number; upper: number }
  /** Pairwise: the canary's raw win rate, each pair the mean of its two orders. */
  winRate?: number
  /** Pairwise: the length-controlled win rate (the judge metric when length control is on). */
  lengthAdjustedWinRate?: number
  /** Mean output length, characters: canary minus baseline (over judged items). */
  lengthDifference?: number
  /** Pointwise: the canary-minus-baseline mean score after the length control (ANCOVA). */
  lengthAdjustedDifference?: number
  /** The length control (judge/lengthControl.ts). */
  length?: JudgeLengthControl
  /** When the judge metric is inconclusive: the judging still needed, and its cost. */
  projection?: JudgeProjection
  /** Items judged twice, and the share that got the same answer. */
  selfAgreement?: { items: number; agreement: number }
  /** Agreement with human labels (Cohen's kappa), when a labels file is given. */
  humanAgreement?: { items: number; kappa: number }
  warnings: string[]
}

/** Calls, tokens and USD; null where the endpoint reported no usage or no prices are given. */
export interface JudgeSpend {
  calls: number
  inputTokens: number | null
  outputTokens: number | null
  usd: number | null
}

export interface JudgeHealthCheck {
  /**
   * identical: an answer against itself must tie (pairwise); degraded: an answer must beat a
   * copy of itself of the same length, its facts shuffled or its words scrambled; flip-rate: the two orders of a pair must mostly
   * agree (pairwise); kappa: agreement with the human labels.
   */
  name: 'identical' | 'degraded' | 'flip-rate' | 'kappa'
  /** passed, failed, pending (too little evidence yet), unmeasured (cannot be measured: not blocking). */
  status: 'passed' | 'failed' | 'pending' | 'unmeasured'
  /** Control checks: calls that went the right way, calls that went the wrong way, ties. */
  right?: number
  wrong?: number
  ties?: number
  /** flip-rate: the share; kappa: Cohen's kappa. */
  value?: number
  /** flip-rate: pairs; kappa: labelled items judged. */
  items?: number
  /**
   * Controls: the rate a content-blind judge cannot beat (identical: 1/3 ties; degraded: 1/2 of
   * decided calls), tested anytime-valid at `alpha`; flip-rate: the most; kappa: the least.
   */
  threshold: number
  alpha?: number
}

export interface JudgeLengthControl {
  /** Whether the judge metric is the length-adjusted score. */
  adjusted: boolean
  /** Variance inflation of the adjusted estimate (Infinity when length and arm coincide). */
  inflation: number
  maxInflation: number
  /** Inflation over the maximum: length and quality cannot be separated, the gate holds. */
  confounded: boolean
  /** The bounds of the adjusted per-item scores. */
  bounds: { lower: number; upper: number }
  /** Pairwise: share of sampled pairs whose canary answer is shorter. */
  canaryShorter?: number
  /** Pointwise: the median output length of each arm's sample, characters. */
  medianLength?: { baseline: number; canary: number }
  /** The slope of the score on the length feature (tanh of the standardised length), HC0 s.e. */
  slope?: { estimate: number; se: number }
}

export interface JudgeProjection {
  /** More judged pairs (pairwise) or outputs per arm (pointwise) the metric needs to decide. */
  items: number | null
  /** Judge calls and USD for them (controls included); usd null when unknown. */
  calls: number | null
  usd: number | null
  /** Unjudged items the current sample still holds. */
  inSample: number
  /** The sample was cut at its size: the window holds more texts than were sampled. */
  sampleFull: boolean
}

/**
 * The baseline's level of each metric at the rollout's first evaluation with the minimum sample,
 * kept in the rollout state so the drift check can tell a provider's silent change (both arms).
 */
export interface BaselineLevels {
  /** ISO-8601. */
  at: string
  /** Metric name -> the baseline's level then. */
  levels: Record<string, number>
  /** Optional: the baseline's traffic mix then, to tell a mix shift from a model change. */
  mix?: BaselineMix
}

/**
 * The baseline's traffic mix in a window (analysis/driftCheck.ts): its mean input tokens per
 * request, and with segments each segment's share of its requests and its level of each mean,
 * rate and ratio metric.
 */
export interface BaselineMix {
  inputTokens?: number
  segments?: Record<string, { share: number; levels: Record<string, number> }>
}
