declare const VERSION = "1.0.0";

/**
 * The validated rollout policy (DESIGN.md, "Policy"). Everything here is already parsed:
 * durations are milliseconds, percentages are fractions, and every default is filled in,
 * so the rest of the engine never re-interprets policy text.
 */
/** Milliseconds. */
type Duration = number;
/**
 * The worst acceptable change of a metric, always >= 0 and measured in the "worse" direction.
 * `relative: true` means a fraction of the baseline (`5%` -> 0.05); otherwise an absolute amount in
 * the metric's own unit (`0.5pp` on a rate -> 0.005, `0.02` on a score -> 0.02).
 */
interface Tolerance {
    value: number;
    relative: boolean;
}
type MetricKind = 'mean' | 'rate' | 'ratio' | 'quantile';
type MetricMode = 'gate' | 'hold' | 'report';
interface MetricSpec {
    name: string;
    /**
     * The record field the metric reads, in canonical names (DESIGN.md, "Canonical request record"):
     * `latency_ms`, `ttft_ms`, `cost` (alias `cost_usd`), `score`, `scores.<name>`, `error`
     * (any error), `error.<class>` (one class, e.g. `error.rate_limit`), `fallback`, `feedback`,
     * `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`, `cache_hit`, or any
     * other numeric field of the raw record.
     */
    from: string;
    /** kind `ratio` only: the denominator field (the metric is sum(from) / sum(per)). */
    per?: string;
    kind: MetricKind;
    /** kind `quantile` only: 0.5, 0.9, 0.95, 0.99 (from `p50` ... `p99`, or `p99.9`). */
    quantile?: number;
    better: 'higher' | 'lower';
    tolerance: Tolerance;
    /** A stricter threshold for rollback; the gap between tolerance and rollbackAt holds. */
    rollbackAt?: Tolerance;
    /** An absolute SLO on the canary alone, in the metric's unit (`2%` on a rate -> 0.02). */
    limit?: number;
    mode: MetricMode;
    /** Key path of this metric in the policy, for messages: `metrics[2]`. */
    path: string;
    /** Per arm, before any verdict on this metric; default `rollout.minSamples` (the judge's own). */
    minSamples?: number;
    /** Measured on each arm as a whole only, not per segment (the judge's sample). */
    totalOnly?: boolean;
    /**
     * kind mean only: the range every value lies in (`range: [lo, hi]`), which makes the metric
     * bounded: it gets a nonasymptotic confidence sequence (policy/bounds.ts), and values outside it
     * are invalid. Scores, rates and 0/1 fields are bounded without it.
     */
    range?: {
        lo: number;
        hi: number;
    };
    /**
     * The judge's pairwise metric only: the canary's win rate is compared with this fixed value
     * (0.5) rather than with a baseline arm, a one-sample comparison.
     */
    reference?: number;
    /**
     * A mean cost metric only: gate on the canary's tokens re-priced at the baseline's prompt-cache
     * hit rate instead of the observed cost (analysis/repricedCost.ts). Absent: observed.
     */
    gateOn?: 'repriced';
    /**
     * Regression adjustment (CUPED) of this mean or ratio metric: the policy's top-level
     * `varianceReduction`, or the metric's own (`varianceReduction: false` opts out). Absent: the
     * metric is compared unadjusted.
     */
    varianceReduction?: VarianceReductionSpec;
}
/**
 * Variance reduction by regression adjustment (CUPED; src/stats/cs/regressionAdjusted.ts): each
 * unit's own level of the metric before the rollout's first step, and request covariates the
 * policy declares unaffected by the change.
 */
interface VarianceReductionSpec {
    /**
     * How far back before the rollout's first step began each unit's pre-exposure records are read
     * (its baseline records in [start - lookback, start)); 0: no pre-exposure covariate.
     */
    lookback: Duration;
    covariates: CovariateSpec[];
}
/** A request covariate declared unaffected by the change. */
interface CovariateSpec {
    /** A record field (canonical name, alias, or any raw field). */
    field: string;
    /**
     * numeric: its value per request (a request without it counts 0); categorical: one indicator
     * per value, for the first MAX_COVARIATE_LEVELS values seen.
     */
    type: 'numeric' | 'categorical';
}
interface Price {
    /** USD per 1M input tokens that are neither cache reads nor cache writes. */
    input: number;
    output: number;
    /** USD per 1M cached input tokens read; defaults to `input`. */
    cacheRead?: number;
    /** USD per 1M input tokens written to the cache; defaults to `input`. */
    cacheWrite?: number;
}
interface FileSourceSpec {
    type: 'file';
    /** One or more globs, relative to the policy file's folder unless absolute. */
    path: string[];
    /** `auto` picks by extension: .jsonl/.ndjson/.json -> JSONL or OTLP JSON, .csv -> CSV; `.gz` is stripped first. */
    format: 'auto' | 'jsonl' | 'csv' | 'otlp';
}
/** Where the arm label of a Langfuse observation is read. */
type LangfuseArmSpec = {
    from: 'release' | 'version' | 'promptVersion';
} | {
    from: 'tag';
    prefix?: string;
} | {
    from: 'metadata';
    key: string;
};
interface LangfuseSourceSpec {
    type: 'langfuse';
    /** The Langfuse host (cloud or self-hosted), without a trailing /api. */
    baseUrl: string;
    /** Names of the environment variables holding the keys (never the keys). */
    publicKeyEnv: string;
    secretKeyEnv: string;
    arm: LangfuseArmSpec;
    /** GENERATION by default. */
    observationType: string;
    name?: string;
    environment?: string[];
    /** Langfuse score name -> record field (`score`, `scores.<name>`, `feedback`). */
    scores: Record<string, string>;
    /** Observations per page, at most 1000. */
    pageSize: number;
    /** Per HTTP request, ms. */
    timeout: Duration;
    retries: number;
}
/** The series one metric is computed from (src/policy/prometheus.ts says which kinds take which). */
interface PrometheusSeries {
    /** A classic histogram's base name (`_bucket`, `_sum`, `_count`): quantiles and means. */
    histogram?: string;
    /** kind rate: counters of bad events and of all events. */
    errors?: string;
    total?: string;
    /** kind ratio or mean: counters of the numerator and the denominator. */
    sum?: string;
    count?: string;
    /** A counter of squared values, for a mean's variance. */
    sumOfSquares?: string;
    /**
     * Raw PromQL for the metric's absolute `limit` only: the canary's value, with `$canary` where the
     * gate puts the (escaped) canary matchers. One number, no counts: it can hold, never roll back.
     */
    limitQuery?: string;
    /** Multiplies the values (1000: seconds to milliseconds). */
    scale: number;
    /** Extra label matchers for these series, values matched exactly. */
    match: Record<string, string>;
    /**
     * kind rate: what an absent `errors` series means. Absent (default `unknown`): no data, which
     * holds. `zero`: the counter is created at its first increment (a labelled counter in most client
     * libraries), so no series means no errors. Optional in hand-built policies: `unknown`.
     */
    absentErrors?: 'zero' | 'unknown';
}
interface PrometheusSourceSpec {
    type: 'prometheus';
    url: string;
    /** Names of environment variables holding secrets, never the secrets. */
    auth?: {
        bearerTokenEnv?: string;
        basic?: {
            user: string;
            passwordEnv: string;
        };
    };
    headers: Record<string, string>;
    /** Header name -> environment variable holding its (secret) value. */
    headersFromEnv: Record<string, string>;
    tls?: {
        insecureSkipVerify: boolean;
        caFile?: string;
    };
    /** Of one query, ms. */
    timeout: Duration;
    retries: number;
    /** Label matchers added to every selector. */
    match: Record<string, string>;
    /** The counter of requests per arm; default: the first metric's count series. */
    requests?: string;
    /** By metric name. */
    series: Record<string, PrometheusSeries>;
}
/**
 * Where one record field is read in a SQL source: a column (or a JSON / Map sub-field of one,
 * `metadata.route`), optionally scaled; the milliseconds between two timestamp columns; the element
 * of a tag list that starts with a prefix (the prefix removed); or the first of several that has a
 * value. Parsed into this shape by src/policy/sqlSchema.ts; never SQL text.
 */
type SqlColumnSpec = {
    column: string;
    scale?: number;
    tagPrefix?: string;
} | {
    between: [string, string];
} | {
    firstOf: SqlColumnSpec[];
};
interface SqlSourceSpec {
    type: 'sql';
    engine: 'postgres' | 'clickhouse';
    /** Name of the environment variable holding the connection URL (with its credentials). */
    urlEnv: string;
    /** A table (`name` or `schema.name`, as spelled in the database); or `query`. */
    table?: string;
    /** A SELECT whose rows are the records (wrapped as a subquery); or `table`. */
    query?: string;
    /** A known schema: its table and column mapping, under the policy's own `columns`. */
    preset?: 'litellm' | 'otel';
    /** Record field -> where it is read; fields not listed are read from a column of their name. */
    columns: Record<string, SqlColumnSpec>;
    tls?: {
        insecureSkipVerify: boolean;
        caFile?: string;
    };
    /** Of the whole evaluation query (server-side where the engine allows it, and client-side), ms. */
    timeout: Duration;
    /** Retries after a connection failure or a server that is not ready, with backoff. */
    retries: number;
}
type SourceSpec = FileSourceSpec | LangfuseSourceSpec | PrometheusSourceSpec | SqlSourceSpec;
interface Policy {
    version: 1;
    rollout: {
        name: string;
        /** Canary share of traffic at each step, percent, strictly increasing, in (0, 100]. */
        steps: number[];
        minDuration: Duration;
        maxDuration: Duration;
        onTimeout: 'rollback' | 'hold';
        /** Per arm, per step, before any verdict. */
        minSamples: number;
        warmup: Duration;
        /**
         * Optional: a step promotes only once its busiest hour of traffic (both arms) reaches this
         * share of the busiest hour the rollout has seen (RolloutState.peakLoad), in [0, 1].
         */
        minPeakLoad?: number;
    };
    arms: {
        field: string;
        baseline: string[];
        canary: string[];
        /** The randomisation unit field; default: the canonical `unit` and its aliases. */
        unit?: string;
        /**
         * How the arms are assigned: `unit` (default: per user or session, as feature-flag services
         * do) or `request` (each request on its own). With `unit` and data that carry no unit
         * (aggregated sources such as Prometheus), requests are not independent: the gate widens its
         * variances by the design effect it can measure over time buckets, or by `designEffect`.
         */
        assignment?: 'unit' | 'request';
        /**
         * Optional, with `assignment: unit` and data without a unit: the design effect (variance
         * inflation, >= 1) of the metrics' per-request variances, when it is known from elsewhere.
         * The gate uses the larger of it and what the time buckets show.
         */
        designEffect?: number;
    };
    source: SourceSpec;
    /** Family-wise confidence over the gating metrics, e.g. 0.95. */
    confidence: number;
    metrics: MetricSpec[];
    segments?: {
        by: string[];
        /** false: shown only; 'hold': a failing segment holds; 'rollback': it rolls back. */
        gate: false | 'hold' | 'rollback';
    };
    /** Keyed by model id as it appears in records; USD per 1M tokens. */
    pricing: Record<string, Price>;
    dataQuality: {
        /** Fraction of malformed lines above which promotion is blocked (default 0.01). */
        maxMalformed: number;
        /**
         * How long before the step's window a record may be dated and still be a log's history
         * (default 7d). Older records are a broken clock (1970, epoch seconds read as milliseconds):
         * counted, sampled and blocking, never the step's clock. Absent in hand-built policies: 7d.
         */
        maxAge?: Duration;
    };
    trafficSplit: {
        /** Type-I error of the sequential sample-ratio test (default 0.001). */
        alpha: number;
    };
    /** Width of the time buckets the evidence is kept in (default 5m). */
    bucket: Duration;
    /** The model ids each arm is expected to be served by; any other serving model is named. */
    models?: {
        baseline?: string[];
        canary?: string[];
    };
    /** What applies each decision (none: only the Action's outputs). */
    actuators?: ActuatorSpec[];
    judge?: JudgeSpec;
    /** The default variance reduction of every mean and ratio metric (each metric's is resolved). */
    varianceReduction?: VarianceReductionSpec;
}
/** A built-in redaction pattern name, or a regular expression (JavaScript syntax, flag g added). */
type RedactPattern = 'email' | 'phone' | 'key' | {
    regex: string;
};
/**
 * The LLM judge (src/judge): grades sampled production outputs through an OpenAI-compatible chat
 * completions API when records carry no quality score. Its score is the metric `metric.name`
 * (`from: judge`), appended to `metrics` by the validator, so the decision logic is unchanged.
 */
interface JudgeSpec {
    model: string;
    /** OpenAI-compatible endpoint (Azure OpenAI, vLLM, Ollama, LiteLLM); default: the OpenAI API. */
    baseURL?: string;
    /** Name of the environment variable holding the API key (the Action maps an input to it). */
    apiKeyEnv: string;
    /** The criteria: what a good answer is. */
    rubric: string;
    /**
     * Pointwise: what each grade 1..5 means, index 0 for grade 1 (the score rubric of Prometheus 2,
     * Kim et al. 2024); generic descriptions when the policy gives none.
     */
    levels: [string, string, string, string, string];
    /** pointwise: each output graded to [0, 1]; pairwise: canary vs baseline on the same input. */
    mode: 'pointwise' | 'pairwise';
    /**
     * Texts sampled per arm at a look, at least (a seeded, bounded sample kept by the source). The
     * sample grows past it when the judge needs more and its budget pays for them (judge/sample.ts).
     */
    sample: number;
    /** Outputs (pointwise, per arm) or pairs judged between two looks at the judge metric. */
    batch: number;
    /**
     * Hard limits. `calls` and `usd` per evaluation; `stepCalls` and `stepUsd` over all the
     * evaluations of one step (the rollout state keeps the step's spend).
     */
    budget: {
        calls: number;
        usd?: number;
        stepCalls?: number;
        stepUsd?: number;
    };
    /** USD per 1M tokens of the judge model; without it `budget.usd` cannot be enforced. */
    prices?: {
        input: number;
        output: number;
    };
    /**
     * Ask for the tokens' log probabilities and weight each score by them (G-Eval, Liu et al. 2023);
     * an answer without them is read from its text.
     */
    logprobs: boolean;
    concurrency: number;
    /** Per request. */
    timeout: Duration;
    maxRetries: number;
    /** Longest text sent, per input or output, in characters; longer ones are cut. */
    maxChars: number;
    redact: RedactPattern[];
    /** Already judged items judged again to measure the judge's self-agreement. */
    recheck: number;
    /** Most judgements kept in the rollout state, so a rerun does not pay twice. */
    cacheSize: number;
    /** Human labels (JSONL of {id, label}), relative to the working directory: Cohen's kappa. */
    labels?: string;
    /** The checks that must pass before the judge metric may decide (judge/health.ts). */
    health: JudgeHealthSpec;
    /** The length control of the verdict (judge/lengthControl.ts). */
    lengthControl: {
        enabled: boolean;
        maxInflation: number;
    };
}
interface JudgeHealthSpec {
    /** Control pairs (an identical pair, a degraded answer) mixed into each batch; at least 1. */
    controls: number;
    /** The error of each anytime-valid control test (a content-blind judge passes at most this often). */
    alpha: number;
    /** Pairwise: the largest share of pairs whose two orders may disagree. */
    maxFlipRate: number;
    /** With human labels: the smallest Cohen's kappa. */
    minKappa: number;
}
/** What applies a decision to the world (src/actuators/). */
type ActuatorSpec = {
    type: 'git-file';
    file: string;
    branch?: string;
    set: {
        path: string;
        arm: 'canary' | 'baseline';
        total: number;
    }[];
} | {
    type: 'webhook';
    url: string;
    secretEnv?: string;
    timeout: Duration;
    retries: number;
    on: 'change' | 'every';
} | {
    type: 'workflow-dispatch';
    workflow: string;
    ref?: string;
    inputs: Record<string, string>;
    on: 'change' | 'every';
} | {
    type: 'deployment';
    environment: string;
};
/** One problem found in a policy, with where it is. */
interface PolicyIssue {
    message: string;
    file: string;
    /** 1-based; 0 when the problem has no position (an empty file). */
    line: number;
    col: number;
    /** Key path, e.g. `metrics[1].tolerance`; '' for the document. */
    path: string;
}
/** The only error the policy loader throws. `message` lists every issue as `file:line:col: path: message`. */
declare class PolicyError extends Error {
    readonly issues: PolicyIssue[];
    constructor(issues: PolicyIssue[]);
}

type Verdict = 'pass' | 'fail' | 'inconclusive';
type CheckStatus = 'ok' | 'warn' | 'block';
/** A check on the evidence itself: when it blocks, the comparison cannot be trusted yet. */
interface Check {
    name: string;
    status: CheckStatus;
    detail: string;
    /** A blocking check that rolls back (on trusted evidence) rather than only holding: `load`. */
    rollsBack?: true;
}
/** The canary-minus-baseline change with its confidence sequence, in the tolerance's terms. */
interface Delta {
    estimate: number;
    lower: number;
    upper: number;
    /** true: a fraction of the baseline (0.05 = +5%); false: the metric's own unit. */
    relative: boolean;
}
/**
 * How much more canary traffic the metric needs before it can decide, at the current estimate
 * (analysis/projection.ts).
 */
interface Needed {
    /** Canary requests still needed; null when more traffic will not settle it soon. */
    samples: number | null;
    /** At the canary's traffic rate in this window; null when unknown or never. */
    seconds: number | null;
    /**
     * Why no number (samples null), or what the number waits for: `at-tolerance` (the estimate
     * sits at the tolerance, so the interval would have to shrink to a point), `beyond-step` (it
     * would take longer than the step has left, `rollout.maxDuration`), `resolution` (the histogram
     * buckets, not the data, keep it open), `minimum` (the minimum sample comes first).
     */
    code?: 'at-tolerance' | 'beyond-step' | 'resolution' | 'minimum';
}
/**
 * Why a metric has its verdict, as a fact (the words are rendered from it, report/ and
 * compareMetric.reasonText). Until an interval can be trusted, the metric is inconclusive with
 * an unbounded interval: `below-minimum` (too few units or requests per arm), `too-skewed` (an
 * unbounded mean whose estimator is still too skewed for the central limit theorem,
 * stats/clt.ts), `design-effect-unknown` (aggregated per-request data of arms assigned per unit,
 * analysis/aggregateDesignEffect.ts).
 */
type MetricWhy = {
    code: 'pass';
} | {
    code: 'fail';
    beyond: 'tolerance' | 'rollbackAt';
} | {
    code: 'inconclusive';
    beyondTolerance: boolean;
} | {
    code: 'below-minimum';
    unit: 'units' | 'requests';
    minimum: number;
    baseline: number;
    canary: number;
} | {
    code: 'too-skewed';
    skewness: number;
    maxSkewness: number;
} | {
    code: 'design-effect-unknown';
    atLeast: number;
} | {
    code: 'relative-undefined';
} | {
    code: 'no-values';
} | {
    code: 'bucket-resolution';
};
interface LimitResult {
    value: number;
    /** The canary's own interval for the metric. */
    lower: number;
    upper: number;
    /** The whole interval is on the wrong side of the limit. */
    breached: boolean;
    /** The estimate is on the wrong side but the interval still crosses the limit. */
    suspect: boolean;
    /** The canary's value came from a raw query (no interval): it can only hold. */
    query?: true;
}
interface MetricResult {
    name: string;
    from: string;
    kind: MetricKind;
    /** kind quantile: 0.95 for p95. */
    quantile?: number;
    better: 'higher' | 'lower';
    mode: MetricMode;
    verdict: Verdict;
    baseline: number | null;
    canary: number | null;
    /** Bounds may be infinite (no data yet); the JSON record writes those as null. */
    delta: Delta;
    /** Worst acceptable change, signed in the metric's direction (a +10% latency, a -2% quality). */
    tolerance: number;
    rollbackAt?: number;
    limit?: LimitResult;
    /** The baseline's own confidence sequence for the metric (baseline drift, driftCheck.ts). */
    baselineInterval?: {
        lower: number;
        upper: number;
    };
    /** Requests that carried a value, per arm. */
    n: {
        baseline: number;
        canary: number;
    };
    /**
     * Units (users or sessions) that carried a value, per arm, when records carry one: the
     * confidence sequence's own time, and what the minimum sample counts.
     */
    units?: {
        baseline: number;
        canary: number;
    };
    /**
     * The error rate of this metric's fail side (the lower end on the harm scale, after the
     * family-wise split: a rollback needs only one metric to fail).
     */
    alpha: number;
    /**
     * The error rate of its pass side, when it differs from `alpha`: a promotion needs every gating
     * metric to pass, so each pass is tested at the step's whole budget (stats/alphaSpending.ts).
     */
    passAlpha?: number;
    needed?: Needed;
    /** One line: why this verdict. */
    reason: string;
    /** Why this verdict, as a fact. */
    why?: MetricWhy;
    /**
     * What the interval's validity rests on: the estimator's skewness and the largest trusted
     * (unbounded means, and adjusted bounded ones, stats/clt.ts), the design effect applied to
     * per-request data of per-unit arms (aggregated sources).
     */
    validity?: {
        skewness?: number;
        maxSkewness?: number;
        designEffect?: {
            baseline: number;
            canary: number;
            source: 'declared';
        };
    };
    /**
     * The A/A comparison of the baseline's two halves (analysis/aaCheck.ts), in the same terms as
     * `delta`; `noise` is its half-width, the run-to-run noise to set the tolerance against.
     */
    aa?: {
        estimate: number;
        lower: number;
        upper: number;
        noise: number;
        atCanary: number;
    };
    /**
     * Set when a failing verdict only holds instead of rolling back, and why (a cost that fails
     * while the canary's prompt cache is still warming, analysis/cacheCheck.ts).
     */
    holdsBecause?: string;
    /**
     * Set when the verdict is on the canary's cost re-priced at the baseline's cache-hit rate
     * (`gateOn: repriced`, analysis/repricedCost.ts): the observed change, shown, not gated on.
     */
    observed?: Delta;
    /**
     * What the evidence cannot show about this metric, in words for the report: a cost priced as if
     * no input was read from the prompt cache because no request reported cached tokens
     * (cacheCheck.ts), an error rate the source cannot observe (observability.ts).
     */
    caveats?: string[];
    /** Which confidence sequence, for the decision record. */
    method: string;
    /**
     * Set for a metric with `varianceReduction`: whether the regression-adjusted (CUPED) sequence
     * is the one shown and decided on, how much variance it removed, and with what.
     */
    varianceReduction?: VarianceReductionResult;
}
/** The regression adjustment of one metric (analysis/varianceReduction.ts), for the record. */
interface VarianceReductionResult {
    /**
     * The adjusted sequence is the metric's interval (a bounded mean's: intersected with its
     * nonasymptotic one); else the unadjusted one is, and `reason` says why.
     */
    used: boolean;
    /**
     * 1 - adjusted variance / unadjusted variance of the change, at the same units: 0.4 means an
     * interval sqrt(0.6) = 0.77 times as wide. null when it could not be computed.
     */
    varianceReduction: number | null;
    /** The covariates in the regression: `pre-exposure level` (the metric's own), request covariates. */
    covariates: string[];
    /** Units (clusters: units, or requests without one) per arm. */
    units: {
        baseline: number;
        canary: number;
    };
    /** Of those, the units with pre-exposure data (records before the rollout's first step). */
    preExposureUnits: {
        baseline: number;
        canary: number;
    };
    /** Why the adjusted sequence is not used. */
    reason?: VarianceReductionReason;
    /** Covariates asked for and left out, and why. */
    dropped?: {
        covariate: string;
        why: CovariateLeftOut;
    }[];
}
type VarianceReductionReason = 
/** The source gives no per-unit covariate data (aggregated series), or records carry no unit. */
'no-data'
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
 | 'intervals-disagree';
type CovariateLeftOut = 
/** Fewer than 10 units with pre-exposure data. */
'low-coverage' | 'constant' | 'collinear'
/** A request covariate whose arms differ beyond chance: the change moves it. */
 | 'imbalanced'
/** No lookback was read: the rollout's start is unknown (an old state past its first step) or the source cannot. */
 | 'no-lookback'
/** The lookback holds canary records: the canary was served before the rollout's stated start. */
 | 'lookback-not-clean'
/** The lookback was read and clean, but no unit in the window had records in it. */
 | 'no-history';
interface SegmentResult {
    segment: string;
    verdict: Verdict;
    metrics: Pick<MetricResult, 'name' | 'mode' | 'verdict' | 'delta' | 'n' | 'reason'>[];
}
interface ArmSummary {
    requests: number;
    units: number;
}
/**
 * Where a step's confidence sequences are tightest (analyze.ts, plannedTStar): per arm, in units
 * (clusters) and in requests. Fixed at the step's first look with traffic in both arms and kept
 * in the rollout state (ErrorBudget.step.tStar), so that every look of the step reads one
 * mixture.
 */
interface StepTStar {
    /** A promotion's end: the traffic expected by sqrt(minDuration x maxDuration), in units. */
    units: {
        baseline: number;
        canary: number;
    };
    /** The same in requests (the quantiles' time). */
    requests: {
        baseline: number;
        canary: number;
    };
    /**
     * Requests per unit when planned (1 without units): a rollback's end is tuned at the minimum
     * sample, counted in units, and this turns it into requests for the quantiles.
     */
    requestsPerUnit: {
        baseline: number;
        canary: number;
    };
}
interface Analysis {
    window: {
        from: number;
        to: number;
    };
    arms: {
        baseline: ArmSummary;
        canary: ArmSummary;
    };
    unitLevel: boolean;
    metrics: MetricResult[];
    segments: SegmentResult[];
    checks: Check[];
    /** Canary requests per second in the window (for projections). */
    canaryRate: number;
    /** Where this step's sequences are tightest, when planned (StepTStar). */
    tStar?: StepTStar;
    /**
     * The rollout's error budget as this evaluation spends it (stats/alphaSpending.ts): the whole
     * budget (1 - confidence), this step's fail side's share and each gating metric's share of
     * that, the pass side's alpha, and whether segments share the budget (`segments.gate:
     * rollback`), are a separate family (they can only hold), or there are none.
     */
    errorBudget?: {
        total: number;
        step: number;
        /** Each gating metric's fail side (a rollback), the step's share split over the family. */
        perMetric: number;
        /** Each gating metric's pass side (a promotion needs all to pass): what the ledger has left. */
        pass?: number;
        segments: 'shared' | 'separate' | 'none';
        /** Spent by the rollout's earlier sequences (from the rollout state), when known. */
        spent?: number;
    };
    /**
     * With `rollout.minPeakLoad`: the window's busiest hour of traffic, both arms, in requests per
     * hour, and when that hour began (epoch ms; analysis/peakLoad.ts). The state keeps the largest
     * seen (RolloutState.peakLoad).
     */
    peakLoad?: {
        perHour: number;
        at: number;
    };
    /** The baseline's traffic mix in the window (baseline-drift tells a mix shift from a model change). */
    baselineMix?: BaselineMix;
    /** Set when the policy has a judge: how it ran and its health (aggregates only, no text). */
    judge?: JudgeSummary;
    /** Prompt-cache warmth and the three cost views, when the source gives cache sums. */
    cache?: CacheReport;
    /**
     * A served model changed inside the window at this time (epoch ms): evidence before it no
     * longer describes the system, so the step restarts there (evaluate.ts, decide/state.ts).
     */
    restartAt?: number;
}
/** undetermined: the canary reads less from the cache, and it is too early to tell why. */
type CacheState = 'warming' | 'broken' | 'matched' | 'undetermined';
/** The cache check's findings (analysis/cacheCheck.ts); per-request costs in USD. */
interface CacheReport {
    state: CacheState;
    /** Share of input tokens read from the prompt cache, over the window and in its last third. */
    hitRate: {
        baseline: number;
        canary: number;
        canaryRecent: number;
        baselineRecent: number;
    };
    cost: {
        baseline: {
            observed: number | null;
            uncached: number | null;
        };
        /** repriced: the canary's tokens at the baseline's cache-hit rate. */
        canary: {
            observed: number | null;
            uncached: number | null;
            repriced: number | null;
        };
    };
    /**
     * Optional: canary minus baseline share of input tokens read from the cache over the window,
     * with its confidence sequence (per-bucket clusters): what the state is classified on.
     */
    difference?: {
        estimate: number;
        lower: number;
        upper: number;
    };
    /** Canary-minus-baseline mean latency / TTFT within cache hits and within misses, relative. */
    strata: {
        metric: 'latency_ms' | 'ttft_ms';
        stratum: 'hit' | 'miss';
        estimate: number;
        lower: number;
        upper: number;
    }[];
    /** state broken: the extra cost per day if all of today's traffic paid the canary's miss rate. */
    extraPerDay?: number;
}
/**
 * What the decision record says about the judge (DESIGN.md principle 7): which model, which
 * rubric, what it cost, and its health. Facts and aggregates only: no production text ever; the
 * words are report/judge.ts's.
 */
interface JudgeSummary {
    model: string;
    /** Model ids the API said served the calls. */
    servedModels: string[];
    /** `sha256:` and 16 hex digits of the rubric. */
    rubricHash: string;
    mode: 'pointwise' | 'pairwise';
    /** Texts the source sampled, per arm. */
    sampled: {
        baseline: number;
        canary: number;
    };
    /** Judgements in the metric: outputs per arm (pointwise), or pairs (pairwise, both fields). */
    judged: {
        baseline: number;
        canary: number;
    };
    /** Calls of this evaluation (also in `cost.look`). */
    calls: number;
    /** USD of this evaluation; null without `prices` or when the endpoint reported no usage. */
    usd: number | null;
    /** What the judge cost in this evaluation (look) and in all the evaluations of this step. */
    cost: {
        look: JudgeSpend;
        step: JudgeSpend & {
            looks: number;
        };
    };
    cacheHits: number;
    /**
     * Why judging stopped. usage-unknown: the API gave no token usage, so a USD budget could not be
     * enforced; unusable-answers: most answers did not follow the schema or were refusals.
     */
    stopped: 'decisive' | 'health-failed' | 'health-pending' | 'length-confounded' | 'sample-exhausted' | 'budget-calls' | 'budget-usd' | 'budget-step-calls' | 'budget-step-usd' | 'usage-unknown' | 'api-failing' | 'unusable-answers' | 'not-run';
    /** Answers that did not follow the schema: missing, never a score. */
    parseFailures: number;
    /** Optional: answers that were the model's refusal (missing, not a schema failure). */
    refusals?: number;
    /** Optional: calls answered without token usage (their cost unknown; `usd` is then null). */
    callsWithoutUsage?: number;
    /** Calls that failed after retries (HTTP status classes, timeouts). */
    errors: Record<string, number>;
    /** Sampled outputs that address the evaluator (prompt injection), and were graded as they are. */
    flagged: number;
    /**
     * Token log probabilities: `used` (scores weighted by them, G-Eval), `not-returned` (asked,
     * but the endpoint sent none), `rejected` (the endpoint refused the parameter), `off`.
     */
    logprobs: 'used' | 'not-returned' | 'rejected' | 'off';
    /** The checks the judge must pass before its metric may decide (judge/health.ts). */
    health: JudgeHealthCheck[];
    /** Every health check passed (or could not be measured): the judge metric may decide. */
    healthy: boolean;
    /** Biases the judgements show (position: pairwise; length: both modes), whatever corrects them. */
    biases: ('position' | 'length')[];
    /** Pairwise: share of pairs whose two orders disagreed (the stated verdicts). */
    flipRate?: number;
    /** Pairwise: the canary's win rate from the canary-first order alone. */
    oneOrderWinRate?: number;
    /**
     * Pairwise: mean over pairs of the canary's score when shown first minus when shown second
     * (positive: the judge favours the first answer), with a 99% normal-approximation interval.
     */
    positionBias?: {
        estimate: number;
        lower: number;
        upper: number;
    };
    /** Pairwise: the canary's raw win rate, each pair the mean of its two orders. */
    winRate?: number;
    /** Pairwise: the length-controlled win rate (the judge metric when length control is on). */
    lengthAdjustedWinRate?: number;
    /** Mean output length, characters: canary minus baseline (over judged items). */
    lengthDifference?: number;
    /** Pointwise: the canary-minus-baseline mean score after the length control (ANCOVA). */
    lengthAdjustedDifference?: number;
    /** The length control (judge/lengthControl.ts). */
    length?: JudgeLengthControl;
    /** When the judge metric is inconclusive: the judging still needed, and its cost. */
    projection?: JudgeProjection;
    /** Items judged twice, and the share that got the same answer. */
    selfAgreement?: {
        items: number;
        agreement: number;
    };
    /** Agreement with human labels (Cohen's kappa), when a labels file is given. */
    humanAgreement?: {
        items: number;
        kappa: number;
    };
    warnings: string[];
}
/** Calls, tokens and USD; null where the endpoint reported no usage or no prices are given. */
interface JudgeSpend {
    calls: number;
    inputTokens: number | null;
    outputTokens: number | null;
    usd: number | null;
}
interface JudgeHealthCheck {
    /**
     * identical: an answer against itself must tie (pairwise); degraded: an answer must beat a
     * copy of itself of the same length, its facts shuffled or its words scrambled; flip-rate: the two orders of a pair must mostly
     * agree (pairwise); kappa: agreement with the human labels.
     */
    name: 'identical' | 'degraded' | 'flip-rate' | 'kappa';
    /** passed, failed, pending (too little evidence yet), unmeasured (cannot be measured: not blocking). */
    status: 'passed' | 'failed' | 'pending' | 'unmeasured';
    /** Control checks: calls that went the right way, calls that went the wrong way, ties. */
    right?: number;
    wrong?: number;
    ties?: number;
    /** flip-rate: the share; kappa: Cohen's kappa. */
    value?: number;
    /** flip-rate: pairs; kappa: labelled items judged. */
    items?: number;
    /**
     * Controls: the rate a content-blind judge cannot beat (identical: 1/3 ties; degraded: 1/2 of
     * decided calls), tested anytime-valid at `alpha`; flip-rate: the most; kappa: the least.
     */
    threshold: number;
    alpha?: number;
}
interface JudgeLengthControl {
    /** Whether the judge metric is the length-adjusted score. */
    adjusted: boolean;
    /** Variance inflation of the adjusted estimate (Infinity when length and arm coincide). */
    inflation: number;
    maxInflation: number;
    /** Inflation over the maximum: length and quality cannot be separated, the gate holds. */
    confounded: boolean;
    /** The bounds of the adjusted per-item scores. */
    bounds: {
        lower: number;
        upper: number;
    };
    /** Pairwise: share of sampled pairs whose canary answer is shorter. */
    canaryShorter?: number;
    /** Pointwise: the median output length of each arm's sample, characters. */
    medianLength?: {
        baseline: number;
        canary: number;
    };
    /** The slope of the score on the length feature (tanh of the standardised length), HC0 s.e. */
    slope?: {
        estimate: number;
        se: number;
    };
}
interface JudgeProjection {
    /** More judged pairs (pairwise) or outputs per arm (pointwise) the metric needs to decide. */
    items: number | null;
    /** Judge calls and USD for them (controls included); usd null when unknown. */
    calls: number | null;
    usd: number | null;
    /** Unjudged items the current sample still holds. */
    inSample: number;
    /** The sample was cut at its size: the window holds more texts than were sampled. */
    sampleFull: boolean;
}
/**
 * The baseline's level of each metric at the rollout's first evaluation with the minimum sample,
 * kept in the rollout state so the drift check can tell a provider's silent change (both arms).
 */
interface BaselineLevels {
    /** ISO-8601. */
    at: string;
    /** Metric name -> the baseline's level then. */
    levels: Record<string, number>;
    /** Optional: the baseline's traffic mix then, to tell a mix shift from a model change. */
    mix?: BaselineMix;
}
/**
 * The baseline's traffic mix in a window (analysis/driftCheck.ts): its mean input tokens per
 * request, and with segments each segment's share of its requests and its level of each mean,
 * rate and ratio metric.
 */
interface BaselineMix {
    inputTokens?: number;
    segments?: Record<string, {
        share: number;
        levels: Record<string, number>;
    }>;
}

type Action = 'promote' | 'hold' | 'rollback';
type ManualCommand = 'rollback' | 'promote' | 'pause' | 'resume';
type RolloutStatus = 'running' | 'paused' | 'complete' | 'rolled-back';
/** One entry of the rollout's audit trail; bounded (HISTORY_LIMIT) so the state stays small. */
interface HistoryEntry {
    /** ISO-8601. */
    at: string;
    action: Action | 'pause' | 'resume';
    /** Canary weight before and after, percent. */
    from: number;
    to: number;
    manual: boolean;
    actor?: string;
    reason: string;
    /** Gating metrics at this evaluation, for charts of the change over the rollout. */
    metrics?: {
        name: string;
        estimate: number;
        lower: number;
        upper: number;
        verdict: string;
    }[];
}
/**
 * The durable state of one rollout (stored by a StateStore). `revision` increments on every save;
 * stores use it as compare-and-swap so two concurrent runs cannot both move the rollout.
 */
interface RolloutState {
    version: 1;
    rollout: string;
    revision: number;
    status: RolloutStatus;
    stepIndex: number;
    /** ISO-8601: when the current step began (its clock, its fresh confidence sequence). */
    stepStartedAt: string;
    /**
     * ISO-8601: when the rollout's first step began (again after a resume from a rollback). Records
     * before it are the pre-exposure data of `varianceReduction`. Absent in states written before
     * it existed: then known only while the rollout is at its first step.
     */
    startedAt?: string;
    policyHash?: string;
    /** What is being rolled out (the canary-version input, or the policy's canary arm values); a new one restarts the rollout. */
    canaryVersion?: string;
    /** The pull request the verdicts are posted on, so scheduled runs find it again. */
    pullRequest?: number;
    paused?: {
        at: string;
        actor: string;
        reason: string;
    };
    history: HistoryEntry[];
    /** Optional: the judge's cache (src/judge), so a rerun does not pay twice for a judgement. */
    judgeCache?: JudgeCacheState;
    /**
     * The baseline's level of each metric at the rollout's first evaluation with the minimum sample
     * (metric name -> level), to report when the baseline itself moves (analysis/driftCheck.ts).
     */
    baselineAtStart?: BaselineLevels;
    /**
     * With `rollout.minPeakLoad`: the busiest hour of traffic (both arms, requests per hour) any
     * evaluation of this rollout has seen, and when it began (analysis/peakLoad.ts).
     */
    peakLoad?: {
        at: string;
        perHour: number;
    };
    /**
     * The decision the world must converge to (DESIGN.md principle 8), saved before any actuator
     * runs: every run applies it again to the actuators that have not applied it (`applied`), so a
     * failed actuator is retried and a rollback or a pause holds whatever an actuator does.
     */
    desired?: DesiredState;
    /** Actuator name -> the canary weight it last applied, and when (the reconciliation's record). */
    applied?: Record<string, {
        weight: number;
        status?: RolloutStatus;
        at: string;
    }>;
    /**
     * The sticky PR comment of this rollout: its id, pull request and author, so it is found again
     * whatever the token (an installation token cannot ask GitHub who it is).
     */
    comment?: {
        pullRequest: number;
        id: number;
        author: string;
    };
    /**
     * The rollout's error budget (stats/alphaSpending.ts): what earlier confidence sequences spent,
     * and the current step's sequences (its index, their alpha, how often its evidence restarted).
     * Absent before the first evaluation of a rollout.
     */
    errorBudget?: ErrorBudget;
}
/** What the rollout should look like now: the canary weight, the status, who decided and why. */
interface DesiredState {
    /** Canary weight, percent (0 after a rollback, 100 when complete). */
    weight: number;
    status: RolloutStatus;
    /** Who decided: a person's login, or `ai-rollout-gate` for an evaluation. */
    actor: string;
    reason: string;
    /** ISO-8601: when it was decided. */
    at: string;
    /** The canary weight before this decision. */
    from?: number;
    /** ISO-8601: when every actuator had applied it; absent while one has not. */
    appliedAt?: string;
}
/** The error-budget ledger of a rollout (RolloutState.errorBudget). */
interface ErrorBudget {
    /** 1 - confidence: the budget of the whole rollout. */
    total: number;
    /** What the confidence sequences the rollout ran before the current one were charged. */
    spent: number;
    /**
     * The current step's sequences; `tStar`, where they are tightest, fixed at the step's first look
     * with traffic in both arms (analysis/analyze.ts, plannedTStar), so all its looks read one
     * mixture.
     */
    step: {
        index: number;
        /** The fail side's alpha (a rollback), before its split over the gating metrics. */
        alpha: number;
        /**
         * The pass side's alpha (a promotion; stats/alphaSpending.ts, sequenceAlphas); absent in a
         * ledger written before it had its own, whose pass side ran at `alpha`.
         */
        passAlpha?: number;
        restarts: number;
        /**
         * The step start (RolloutState.stepStartedAt) the sequences' window runs from; when the state's
         * moves (a resume, a weight applied late), the window is a new one and its sequences new
         * spending. Absent in a ledger written before it was kept.
         */
        startedAt?: string;
        tStar?: StepTStar;
    };
}
/**
 * The judge's memory across evaluations (src/judge/cache.ts): judgements keyed by a hash of the
 * texts judged, the judge's prompt and its model (`k`), valid for one judge configuration (`key`;
 * a change empties it), oldest first, bounded by the policy's `judge.cacheSize`; and what the
 * current step has spent on the judge.
 */
interface JudgeCacheState {
    key: string;
    entries: JudgeCacheEntry[];
    /** The judge's spend over the evaluations of the current step (a new step starts it again). */
    step?: JudgeStepSpend;
}
interface JudgeCacheEntry {
    k: string;
    /**
     * The score in [0, 1]: pairwise the canary's, the mean of its two orders (probability-weighted
     * when the endpoint gave logprobs); pointwise the grade's.
     */
    s: number;
    /**
     * What the judge stated: pairwise the canary's score in each order (canary first, then
     * baseline first: 1 win, 0.5 tie, 0 loss); pointwise the stated grade's score.
     */
    v?: number[];
}
interface JudgeStepSpend {
    /** The step's start (RolloutState.stepStartedAt) this spend belongs to. */
    startedAt: string;
    looks: number;
    calls: number;
    /** null once an answer came without usage: the step's tokens and USD are then unknown. */
    inputTokens: number | null;
    outputTokens: number | null;
    usd: number | null;
    /** With prices: the USD spent at most (an answer without usage counts at its upper estimate). */
    usdAtMost?: number;
}
interface Decision {
    action: Action;
    /** Where the canary was and where it goes (0 after a rollback, 100 when complete). */
    from: {
        index: number;
        weight: number;
    };
    to: {
        index: number;
        weight: number;
    };
    /** The rollout has reached 100% (or stays there). */
    complete: boolean;
    /** Why, most important first; each a sentence a person can act on. */
    reasons: string[];
    /** For a hold: the longest the evidence still needs, when it can be projected. */
    needed?: {
        samples: number | null;
        seconds: number | null;
    };
    manual?: {
        command: ManualCommand;
        actor: string;
        reason: string;
    };
}

/**
 * Which raw fields the rows of a read had (DataQuality.fields), so a policy field that never
 * appears can be named with a did-you-mean over the fields that do. Field names only, never
 * values. Bounded, and the same however a file is split into chunks read on any threads.
 */
interface FieldsSeen {
    /**
     * Field paths seen: every row's top-level keys, and the keys of nested objects (as dotted
     * paths, at most three deep, not inside arrays) in the first NESTED_ROWS rows of each file. The
     * MAX_FIELD_PATHS smallest by (dots, name), sorted that way: the shallow fields a policy names
     * are kept first.
     */
    paths: string[];
    /** More paths were seen than `paths` holds. */
    truncated?: true;
    /** In rows without the policy's arm field: top-level fields that held an arm label. */
    armLabelFields?: string[];
    /** In rows without a timestamp: top-level fields that held a date-time or an epoch time. */
    timeFields?: string[];
}

/**
 * The canonical request record (DESIGN.md): one LLM call, after field aliases are resolved and
 * units normalised (times in ms, `input_tokens` counts all input, cached tokens included).
 * Sources turn their raw rows into this shape; nothing downstream sees a raw alias.
 */
type Arm = 'baseline' | 'canary';
interface RequestRecord {
    /** Start time, epoch milliseconds. */
    ts: number;
    arm: Arm;
    unit?: string;
    latency_ms?: number;
    ttft_ms?: number;
    input_tokens?: number;
    cache_read_tokens?: number;
    cache_write_tokens?: number;
    output_tokens?: number;
    model?: string;
    fingerprint?: string;
    /** null, or a class: rate_limit, timeout, server, client, content_filter (or another string). */
    error: string | null;
    fallback: boolean;
    /** Billed cost when the record had one; otherwise computed from tokens and the policy's prices. */
    cost_usd?: number;
    score?: number;
    scores?: Record<string, number>;
    feedback?: number;
    /** The raw row, for segment dimensions and any other field a metric names. Never logged. */
    raw: Record<string, unknown>;
}

/**
 * Plain-data shapes of the sketches (JSON-serialisable, mergeable by addition). Sources produce
 * them, the statistics read them. DESIGN.md principle 5: the statistics never hold raw rows.
 */
/**
 * Sufficient statistics of a ratio estimator sum(x) / sum(y) over independent clusters.
 * A plain mean per request is the case y = 1 with one cluster per request; a mean with a
 * randomisation unit clusters by unit (x = the unit's sum, y = its request count), so the
 * variance is computed per unit by the delta method, not per request.
 */
interface RatioMoments {
    /** Number of clusters (requests, or units). */
    n: number;
    sx: number;
    sy: number;
    sxx: number;
    syy: number;
    sxy: number;
    /**
     * Optional third-order sums (sum x^3, x^2 y, x y^2, y^3 over clusters), for the skewness of
     * the estimator (src/stats/clt.ts). A source that cannot give them leaves all four out; the
     * skewness rule is then not applied, and the decision record says so.
     */
    sxxx?: number;
    sxxy?: number;
    sxyy?: number;
    syyy?: number;
}
/** DDSketch-style quantile sketch state (Masson, Rim & Lee, VLDB 2019): log buckets of ratio gamma. */
interface QuantileSketchData {
    /** Relative accuracy alpha; gamma = (1 + alpha) / (1 - alpha). */
    alpha: number;
    count: number;
    zeros: number;
    /**
     * Bucket counts for positive values from bucket `offset` on; value v lands in
     * ceil(ln(v) / ln(gamma)) (the mapping is documented in src/sketch/quantileSketch.ts). Arrays,
     * not index-keyed objects: an evaluation holds thousands of cells, and a dictionary per sketch
     * is several times the memory.
     */
    positive: BucketCounts;
    /** Same for the absolute value of negative values. */
    negative: BucketCounts;
    min: number;
    max: number;
}
/**
 * Bucket counts from bucket `offset` on: counts[i] >= 0 is one bucket's count, and a negative
 * entry -g stands for g empty buckets (a gap), so sparse data stays small. Dense counts with no
 * negative entry (what a SQL source writes) are valid too.
 */
interface BucketCounts {
    offset: number;
    counts: number[];
}
/**
 * Per-unit rank sums on the coarse grid of src/sketch/unitRanks.ts: for each coarse bin
 * (ascending), the increments at its upper edge of sum_i c_i(e) (counts), sum_i c_i(e)^2
 * (squares) and sum_i c_i(e) n_i (cross), over the units first seen in the cell; c_i(e) is unit
 * i's requests at or below edge e, n_i its requests. Merged by adding bin by bin.
 */
interface UnitRankSums {
    /** Sketch buckets per coarse bin (RANK_STEP). */
    step: number;
    bins: number[];
    counts: number[];
    squares: number[];
    cross: number[];
}
/**
 * A classic fixed-bucket histogram (Prometheus `_bucket{le}`, OpenTelemetry explicit buckets):
 * counts[i] observations in (bounds[i - 1], bounds[i]] (the first from 0), and
 * counts[bounds.length] above the last bound. Merges by adding counts (src/sketch/histogram.ts).
 */
interface HistogramData {
    /** Finite upper bounds (`le`), ascending. */
    bounds: number[];
    /** Per bucket, not cumulative; length bounds.length + 1. */
    counts: number[];
}
/**
 * Sufficient statistics of the regression-adjusted (CUPED) comparison of a mean or ratio metric
 * (src/stats/cs/regressionAdjusted.ts), over the same independent clusters as RatioMoments (units,
 * or requests without a unit). Each cluster contributes one vector
 *   v = (x, y, pre.x, pre.y, requests, z_1, ..., z_k)
 * x, y:        the cluster's sums in the window, as in RatioMoments (y = its requests with a value
 *              for a mean, the `per` sum for a ratio);
 * pre.x, pre.y: the same two sums over the unit's pre-exposure records (its baseline records in the
 *              lookback before the rollout's first step; 0 without any);
 * requests:    the cluster's requests in the window, whatever the metric (the denominator of the
 *              request covariates);
 * z_j:         over those requests, the sum of request covariate j: a numeric field's values, or,
 *              for a categorical `field=value`, the number of requests with that value.
 * The sums and cross products below are plain sums over clusters: they merge by addition (and a
 * SQL source computes them with SUM over a per-unit subquery).
 */
interface AdjustedMoments {
    /** Names of z_1 ... z_k: `input_tokens`, `route=faq`, ... (every merged set has the same). */
    covariates: string[];
    /** Clusters. */
    n: number;
    /** Clusters with pre-exposure data (pre.y > 0). */
    covered: number;
    /** Sum of v over clusters; length 5 + k. */
    sums: number[];
    /** Sum of v_i v_j over clusters for i <= j, row by row (i = 0: j = 0..; i = 1: j = 1..); length (5 + k)(6 + k) / 2. */
    products: number[];
    /**
     * Optional: sum of v_i v_j v_l over clusters for i <= j <= l, in that nested order; length
     * d(d + 1)(d + 2) / 6, d = 5 + k. The third moments of the adjusted estimator, for its skewness
     * (stats/cs/regressionAdjusted.ts); without them its skewness is not assessed.
     */
    cubes?: number[];
}
/** Distinct values and how many requests had each (same length; values need not be sorted). */
interface ValueCounts {
    values: number[];
    counts: number[];
}
/** What one metric accumulated in one cell. */
interface MetricSketch {
    /** Clustered by unit when records carry a unit, else one cluster per request. */
    moments: RatioMoments;
    /** Requests that had a usable value. */
    requests: number;
    /**
     * Optional: the sum over requests of the value squared (whatever the clustering), for the
     * nonasymptotic interval of a bounded metric (src/stats/cs/bernstein.ts). Without it, moments
     * of one cluster per request give it (sxx), and clustered ones an upper bound.
     */
    requestSquares?: number;
    /** Per-request values, for quantile metrics (and for limits on them). */
    quantiles?: QuantileSketchData;
    /**
     * Optional, quantile metrics on records with a unit: per-unit rank sums on a coarse grid of
     * the sketch's bucket edges, for the design effect of the quantile's rank count
     * (src/sketch/unitRanks.ts, src/analysis/designEffect.ts). Absent: requests are independent.
     */
    unitRanks?: UnitRankSums;
    /**
     * Per-request values as a fixed-bucket histogram, when the source has only that (Prometheus):
     * quantiles are then read conservatively, to bucket edges. A cell has this or `quantiles`.
     */
    histogram?: HistogramData;
    /**
     * The interval every value is known to lie in, when a bounded metric's values are not in
     * [0, 1]: the judge's length-controlled scores (src/judge/lengthControl.ts), whose bounds the
     * sample's lengths fix before any judgement. A bounded confidence sequence uses it as the range.
     */
    bounds?: {
        lower: number;
        upper: number;
    };
    /**
     * Optional: the count of each distinct per-request value, for a bounded metric whose values
     * take few (the judge's pair scores): the betting confidence sequence (src/stats/cs/betting.ts)
     * computes its capital exactly from them. Used only when its counts add up to `requests`;
     * merged by adding the counts of equal values, and dropped when one side of a merge lacks it.
     */
    levels?: ValueCounts;
    /**
     * Optional, TOTAL_SEGMENT cells of a metric with `varianceReduction` only: the moments of the
     * regression-adjusted comparison. A source that cannot produce them (aggregated per-request data)
     * leaves them out, and the metric is compared unadjusted.
     */
    adjusted?: AdjustedMoments;
}

interface Cell {
    arm: Arm;
    /** TOTAL_SEGMENT for all traffic, else `route=faq|language=en` in the policy's `segments.by` order. */
    segment: string;
    /** Start of the time bucket, epoch ms (window.from + k * bucketMs). */
    bucket: number;
    requests: number;
    /** Units first seen (in this arm and segment) in this bucket; summing buckets gives distinct units. */
    units: number;
    /** Same order as Evidence.metrics. */
    metrics: MetricSketch[];
    /**
     * Served model (and fingerprint, as `model#fingerprint`) -> requests; at most 20 keys, the rest
     * under `other`. Failed calls are not in it (they served nothing, and most instrumentations
     * record only the requested model for them): see `failedModels`.
     */
    models: Record<string, number>;
    /**
     * Optional: the model keys of failed calls (usually the requested model) -> requests, kept
     * apart from `models`; at most 20 keys.
     */
    failedModels?: Record<string, number>;
    /** Error class -> requests. */
    errors: Record<string, number>;
    /**
     * Optional (a source that cannot produce it leaves it out, and the check that needs it says so).
     * Requests served by a fallback route (counted in the arm that sent them).
     */
    fallbacks?: number;
    /** Optional: prompt-cache sums of the requests that had token counts (the cache check). */
    cache?: CacheSums;
    /**
     * Optional, baseline TOTAL_SEGMENT cells only: the same metric sketches (Evidence.metrics order)
     * over two halves of the baseline, split by a hash of the unit (or of the request, when records
     * carry no unit), for the A/A check. Moments are clustered as in `metrics`.
     */
    halves?: [MetricSketch[], MetricSketch[]];
}
/** Prompt-cache sums over the requests of a cell that carried input tokens. */
interface CacheSums {
    /** Requests with input tokens, and those of them that read from the cache. */
    requests: number;
    hits: number;
    /**
     * Optional (absent in evidence from before it was counted): of `requests`, those whose record
     * carried a cache-read token count at all (0 included). None means the source does not report
     * cache reads, which is not the same as a cold cache.
     */
    reported?: number;
    /** All input tokens (cached included) and the cached ones read. */
    inputTokens: number;
    cacheReadTokens: number;
    /** Of `requests`, those whose tokens had a price (policy.pricing); the USD sums below are over them. */
    priced: number;
    /** Observed cost: billed `cost_usd` when present, else tokens at the policy's prices. */
    cost: number;
    /** Every input token at the uncached input price, plus output. */
    costUncached: number;
    /** The input tokens alone, at the uncached input price and at the cache-read price. */
    inputAtInputPrice: number;
    inputAtCacheReadPrice: number;
    /**
     * Per-request moments of latency_ms and ttft_ms within cache-hit and cache-miss requests (one
     * cluster per request), so a cold cache is not read as a slow model.
     */
    latency: {
        hit: RatioMoments;
        miss: RatioMoments;
    };
    ttft: {
        hit: RatioMoments;
        miss: RatioMoments;
    };
    /**
     * Optional: per-request sums over the `priced` requests for re-pricing each one at another
     * cache-hit rate h (a metric's `gateOn: repriced`): u the cost with every input token uncached,
     * d what reading all input from the cache would save (u - h d is the re-priced cost), c the
     * observed cost; with their squares and the cross product u d.
     */
    repricing?: RepricingSums;
}
interface RepricingSums {
    n: number;
    su: number;
    sd: number;
    suu: number;
    sdd: number;
    sud: number;
    sc: number;
    scc: number;
}
interface DataQuality {
    /** Lines (or rows, or spans) read, across all files. */
    lines: number;
    /** Records that parsed and belong to one of the two arms, in the window. */
    records: number;
    /** Lines that could not be parsed or lack a required field (ts, arm). */
    malformed: number;
    /** Up to 10 examples: `file:line: reason` (never the line's content: it may hold production text). */
    malformedSamples: string[];
    /**
     * Optional (absent when nothing was malformed): malformed lines by reason (without a `span N: ` or
     * `record N: ` prefix), in the order first seen, each with its count and first `file:line`; at
     * most 20 reasons, the rest under `(other reasons)`.
     */
    malformedReasons?: Record<string, {
        count: number;
        first: string;
    }>;
    /** Records whose arm value matched neither arm: value -> count (at most 20 values). */
    unmatchedArms: Record<string, number>;
    /**
     * Records before the window / at or after its end (but not in the future), except those read as
     * pre-exposure data (`preExposure`).
     */
    outsideWindow: number;
    /** Records with ts > now. */
    future: number;
    /**
     * Optional: records dated more than `dataQuality.maxAge` before the window (a broken clock, not
     * the log's history), and per file how many and their date range. They block promotion.
     */
    farOutside?: number;
    /** Optional: records dated more than `dataQuality.maxAge` after `now` (blocking unless a replay). */
    farFuture?: number;
    farOutsideSamples?: string[];
    /** Field -> values rejected (NaN, negative latency, score outside [0, 1], ...). */
    invalidValues: Record<string, number>;
    /**
     * Files read, with their line counts; problems with a whole file (empty, binary) in `problem`.
     * `incomplete`: the file could not be read to its end (a truncated gzip, an unclosed CSV quote
     * that swallowed the rest, a read error): evidence read in part blocks promotion.
     */
    files: {
        path: string;
        lines: number;
        malformed: number;
        problem?: string;
        incomplete?: true;
    }[];
    /**
     * Problems a source found with the data that make the evidence untrustworthy (a series with no
     * data, one arm missing, NaN, a series that stopped): each blocks (a hold, never a rollback).
     */
    problems?: string[];
    /** Things worth a look that do not block (e.g. counter resets a source accounted for). */
    warnings?: string[];
    /** How the evidence was read, for the record (e.g. where a variance came from). */
    notes?: string[];
    /**
     * Optional, OTLP traces: the instrumentation scopes the call spans came from, with how many
     * calls each traced and how many of them failed (at most 20 scopes, in first-seen order).
     * Some libraries emit no span for a failed call (records/conventions.ts): with none failed,
     * their error rate is not observable.
     */
    instrumentation?: InstrumentationCount[];
    /**
     * Optional: what a source that reads the pre-exposure lookback (metrics with
     * `varianceReduction`) found there, before the rollout's first step.
     */
    preExposure?: PreExposureQuality;
    /**
     * Optional: the raw fields the rows had (sources that read rows: files, Langfuse), so a field the
     * policy reads and the data never has is named, with a did-you-mean (analysis/fieldsCheck.ts).
     */
    fields?: FieldsSeen;
}
interface InstrumentationCount {
    /** The OTLP instrumentation scope name, e.g. `@traceloop/instrumentation-openai`. */
    scope: string;
    version?: string;
    calls: number;
    failed: number;
}
/**
 * The pre-exposure lookback: records before the rollout's first step began, when every unit was
 * on the baseline. A unit's baseline records there are its pre-exposure data (the covariate of the
 * regression-adjusted comparison); records between the rollout's start and the window (earlier
 * steps, warm-ups) never are, whatever their arm.
 */
interface PreExposureQuality {
    /** Half-open, epoch ms: [rollout start - lookback, rollout start). */
    window: {
        from: number;
        to: number;
    };
    /** Baseline records in it with a unit, and the distinct units among them. */
    records: number;
    units: number;
    /**
     * Canary records in it. Any means the canary was served before the stated start (a later
     * --since, a restart within the lookback of an earlier canary), so units may have been exposed:
     * then no unit gets pre-exposure data (the lookback must end before the first canary record).
     */
    canaryRecords: number;
    /** The latest of those canary records, epoch ms. */
    lastCanary?: number;
}
interface Evidence {
    source: string;
    window: {
        from: number;
        to: number;
    };
    bucketMs: number;
    /** Metric names, in policy order; Cell.metrics follows it. */
    metrics: string[];
    /** True when records carried a randomisation unit (then moments are clustered by unit). */
    unitLevel: boolean;
    /**
     * Optional: true when the source sums requests before the gate sees them (Prometheus), so it
     * can keep neither users nor single requests: with arms assigned per user, its per-request
     * variances need a design effect (analysis/aggregateDesignEffect.ts).
     */
    aggregated?: boolean;
    cells: Cell[];
    quality: DataQuality;
    /**
     * Optional: a small seeded sample of texts per arm for the judge (src/sources/textSample.ts),
     * only when the policy has one. Production text: never logged, never in a report or record.
     */
    texts?: TextSample[];
    /**
     * Optional: false when the source cannot tell error classes (rate limits, timeouts): Prometheus
     * counts only the policy's own error series. Cell.errors is then empty, which is not zero.
     */
    errorClasses?: false;
    /**
     * Metric name -> the canary's value from a raw query, for that metric's absolute `limit` only
     * (Prometheus `limitQuery`). One number without counts: it can hold, never roll back.
     */
    limitValues?: Record<string, number>;
}
/** One sampled request's texts, for the judge. */
interface TextSample {
    /** The record's id (`id`, `request_id`, ...) or, without one, a hash of its content. */
    id: string;
    arm: Arm;
    unit?: string;
    ts: number;
    /** Hash of the input: pairs canary and baseline answers to the same input (pairwise mode). */
    inputHash: string;
    input: string;
    /** The answer this record's arm served. */
    output: string;
    /**
     * Shadow traffic (pairwise mode only): the other arm's answer to the same input, from the
     * record's `shadow_output` field. Such a record is a pair on its own (`output` is its arm's
     * answer, `shadowOutput` the other arm's), judged without matching inputs across arms.
     */
    shadowOutput?: string;
    /** Served model, for the self-preference check. */
    model?: string;
}

interface Judge {
    run(input: JudgeInput): Promise<JudgeOutcome>;
}
interface JudgeInput {
    policy: Policy;
    evidence: Evidence;
    /** The step's canary share, percent (for the confidence sequences' tuning, as in analyze). */
    canaryWeight: number;
    /** The step's fail and pass sides' alphas, as analyze gets them (AnalyzeOptions). */
    stepAlpha?: number;
    passAlpha?: number;
    cache?: JudgeCacheState;
    /** When the current step began (RolloutState.stepStartedAt): the step's spend is keyed by it. */
    stepStartedAt?: string;
    /** Texts per arm the source was asked to keep (judge/sample.ts), to tell a full sample. */
    sampleSize?: number;
}
interface JudgeOutcome {
    /** The evidence with the judge metric filled in. */
    evidence: Evidence;
    cache: JudgeCacheState;
    summary: JudgeSummary;
    /** Adds the judge's reasons, health and projection to the analysis of that evidence. */
    annotate(analysis: Analysis): void;
}

/**
 * The JSON decision record (DESIGN.md, "CLI"): everything needed to re-derive the verdict.
 * Non-finite numbers (an interval with no data yet) serialise as null.
 */
interface DecisionRecord {
    decision: Decision['action'];
    rollout: string;
    status: RolloutState['status'];
    step: {
        index: number;
        weight: number;
    };
    next: {
        index: number;
        weight: number;
    };
    complete: boolean;
    steps: number[];
    evaluatedAt: string;
    window: {
        from: string;
        to: string;
    } | null;
    policy: {
        hash: string;
        confidence: number;
    };
    source: string | null;
    arms: {
        baseline: {
            n: number;
            units: number;
        };
        canary: {
            n: number;
            units: number;
        };
    };
    metrics: MetricResult[];
    segments: SegmentResult[];
    checks: Check[];
    reasons: string[];
    needed?: Decision['needed'];
    manual?: Decision['manual'];
    /** Prompt-cache warmth and the three cost views (the `cache` check), when the source has them. */
    cache?: CacheReport;
    /** A served model changed inside the step: its window restarted at this time. */
    restartedAt?: string;
    dataQuality?: Omit<DataQuality, 'files'> & {
        files: DataQuality['files'];
    };
    /** The LLM judge: model, served model ids, rubric hash, calls, USD and health (no text). */
    judge?: JudgeSummary;
    /** What the actuators did with this decision (absent when none are configured). */
    applied?: AppliedAction[];
    /**
     * The rollout's error budget as this evaluation spent it (Analysis.errorBudget): the whole
     * budget, this step's share, each gating metric's, what earlier steps spent, how segments share.
     */
    errorBudget?: NonNullable<Analysis['errorBudget']>;
}
/** One actuator's result: `ok: false` means the change was not applied (and the state did not move). */
interface AppliedAction {
    actuator: string;
    ok: boolean;
    changed: boolean;
    detail: string;
}
/** The record as JSON text: Infinity and NaN become null, as JSON requires. */
declare const recordJson: (r: DecisionRecord) => string;

/** What an actuator last applied (RolloutState.applied), as the reconciliation compares it. */
interface LastApplied {
    weight: number;
    status?: RolloutStatus;
}

/**
 * A Source turns a window of traffic into Evidence: sketches per (arm, segment, time bucket).
 * Sources push aggregation down to whatever holds the data; the file source streams lines.
 * A source never throws for bad data: it counts it in `quality`. It throws SourceError only when it
 * cannot produce evidence at all (no file, unreachable server); the caller turns that into a hold.
 */
interface Source {
    /** Where the data comes from, for the report (no secrets). */
    describe(): string;
    collect(request: CollectRequest): Promise<Evidence>;
    /** Earliest canary record at or before `until`, or undefined; used when no state says when the step began. */
    firstCanaryTime(until: number): Promise<number | undefined>;
}
interface CollectRequest {
    /** Half-open window [from, to), epoch ms. Records outside are counted, not used. */
    window: {
        from: number;
        to: number;
    };
    /** Records after this are "in the future": ignored and counted (usually equal to window.to). */
    now: number;
    /**
     * With a judge: texts per arm to keep for it (src/judge/sample.ts judgeSampleSize); default the
     * policy's `judge.sample`.
     */
    judgeSample?: number;
    /**
     * When the rollout's first step began, epoch ms, for metrics with `varianceReduction`: a unit's
     * baseline records in [rolloutStartedAt - lookback, rolloutStartedAt) are its pre-exposure data
     * (MetricSketch.adjusted, DataQuality.preExposure). A source that cannot read them ignores it.
     */
    rolloutStartedAt?: number;
    /**
     * Optional: told how a long read is going (sources that page, large files), often; the caller
     * decides what to print and how often.
     */
    progress?: (p: ReadProgress) => void;
}
/** How far a read has got: totals so far. */
interface ReadProgress {
    /** Lines (rows, spans, observations) read so far. */
    lines: number;
    /** Pages fetched so far, for a source that pages (Langfuse). */
    pages?: number;
    /** For files: those read so far (the current one not counted), of how many. */
    files?: {
        read: number;
        total: number;
    };
}
/** The source could not produce evidence at all. The message says what and what to do. */
declare class SourceError extends Error {
    constructor(message: string);
}

/** The phases of a run, as the Action groups its log. */
type Phase = 'Policy' | 'State' | 'Source' | 'Judge' | 'Analysis' | 'Actuators' | 'GitHub';
/**
 * What a run tells the person watching it. The Action writes it to the job log (a group per
 * phase, debug lines behind ACTIONS_STEP_DEBUG); the CLI to stderr with --verbose. Data-derived
 * text never reaches it: counts, names from the policy, and where data came from.
 */
interface RunLog {
    /** A new phase begins (the Action closes the previous group and opens this one). */
    phase(name: Phase): void;
    info(message: string): void;
    debug(message: string): void;
    progress(p: ReadProgress): void;
}

/**
 * Where a rollout's state lives between runs. `save` is a compare-and-swap on `revision`: it fails
 * with StateConflictError when another run saved since `load`, so two concurrent runs cannot both
 * move the rollout. Implementations: FileStateStore (CLI); a branch on GitHub (the Action, later).
 */
interface StateStore {
    describe(): string;
    load(): Promise<RolloutState | undefined>;
    /** `expectedRevision`: the revision that was loaded (undefined when there was no state). */
    save(state: RolloutState, expectedRevision: number | undefined): Promise<void>;
}
/** The stored state is unreadable or belongs to something else; the message says what to do. */
declare class StateError extends Error {
    constructor(message: string, options?: ErrorOptions);
}
declare class StateConflictError extends StateError {
    constructor(where: string, expected: number | undefined, found: number | 'another' | undefined);
}

/**
 * The one orchestration behind both front doors (the Action and the CLI): state -> evidence ->
 * analysis -> decision -> next state -> report. Everything it touches comes in through `deps`,
 * so tests drive it with real files and a fixed `now`.
 */
interface EvaluateDeps {
    policy: Policy;
    policyHash: string;
    source: Source;
    /** Omit to evaluate without remembering (no state: the first step). */
    store?: StateStore;
    now: number;
    /** When the first step began, if there is no state; default: the earliest canary record. */
    since?: number;
    /** Decide and report, but do not save the state. */
    dryRun?: boolean;
    /** `now` was given (--now): records after it are ignored as expected, not reported as skew. */
    replay?: boolean;
    /** What is rolled out; default the policy's canary arm values. A new version restarts the rollout. */
    canaryVersion?: string;
    /** The pull request to remember in the state (the Action finds it). */
    pullRequest?: number;
    /**
     * Apply the decision (the actuators). Called after the decision is saved (DESIGN.md principle
     * 8), with what each actuator last applied, so one that an earlier run could not reach is
     * applied again: the world converges to the saved decision, whatever an actuator does.
     */
    apply?: (record: DecisionRecord, lastApplied: (actuator: string) => LastApplied | undefined) => Promise<AppliedAction[]>;
    /** The LLM judge, when the policy has one; default: the policy's, through the openai client. */
    judge?: Judge;
    /** Secret values (tokens, passwords, keys): scrubbed from the record, the reports and the state. */
    secrets?: readonly string[];
    /** Where the run tells what it does, phase by phase (default: nowhere). */
    log?: RunLog;
    /**
     * The caller reads the decision record only (backtest, at every look): the reports are not
     * rendered (`markdown` and `text` are empty), and segments that cannot change the decision
     * (`segments.gate: false`) are not compared (the record's `segments` is then empty). The
     * decision, the reasons, the checks and the metrics are the same.
     */
    decisionOnly?: boolean;
}
interface Outcome {
    record: DecisionRecord;
    state: RolloutState;
    markdown: string;
    text: string;
}
declare function evaluate(deps: EvaluateDeps): Promise<Outcome>;
/** A person's command: no evidence is collected, so a source that is down cannot block it. */
declare function command(deps: Omit<EvaluateDeps, 'source' | 'since'> & {
    command: ManualCommand;
    actor: string;
    reason: string;
    /** promote only: go straight to this step's weight (percent) instead of the next step. */
    toWeight?: number;
}): Promise<Outcome>;

interface LoadedPolicy {
    policy: Policy;
    /** `sha256:` and the first 16 hex digits of the file's bytes: names the exact policy a verdict used. */
    hash: string;
    path: string;
}
/** Read and validate a policy file. Throws UsageError (unreadable) or PolicyError (invalid). */
declare function loadPolicyFile(path: string): Promise<LoadedPolicy>;
/**
 * The evidence source the policy names. `records` (CLI --records, Action input) overrides the
 * policy's source with files; those are relative to the working directory, the policy's own to its
 * folder. Each source's code is loaded only when a policy uses it (dist/ is code-split).
 */
declare function sourceFor(loaded: LoadedPolicy, records?: string[]): Promise<Source>;

declare function parsePolicy(text: string, file: string): Policy;

/**
 * The rollout policy schema (DESIGN.md, "Policy"), written once in the DSL of ./dsl.ts: it is the
 * validator (with defaults and cross-field rules) and, through policyJsonSchema(), the JSON Schema
 * that editors use. Cross-field rules (in `refine`) are the only part the JSON Schema cannot express.
 */

/**
 * Where the schema of policy version 1 lives for editors: the file at the moving `v1` tag (the
 * release workflow moves it to each v1.x.y release), so a repository's policy can point its
 * `# yaml-language-server: $schema=` comment here and keep working across v1 releases.
 */
declare const SCHEMA_ID = "https://raw.githubusercontent.com/ai-rollout-gate/ai-rollout-gate/v1/schema/rollout-policy.schema.json";
/** The JSON Schema (draft 2020-12) of a policy file, generated from `policySchema`. */
declare function policyJsonSchema(): Record<string, unknown>;

/** One thing `validate` checked: an error makes the policy unfit for the data (exit 2). */
interface Finding {
    level: 'ok' | 'warn' | 'error';
    /** What was checked: `lines`, `arms`, `metric p95 latency`, `segments`, `unit`, `pricing`. */
    subject: string;
    message: string;
}
interface ValidationReport {
    /** No finding is an error. */
    ok: boolean;
    rollout: string;
    /** What the records held (absent when only the policy was checked). */
    data?: {
        source: string;
        lines: number;
        records: number;
        baseline: number;
        canary: number;
        malformed: number;
    };
    findings: Finding[];
}
/**
 * Reads every record of `records` (files, as the CLI's --records; default the policy's own
 * source), whatever its time, and checks that the data carries what the policy reads: a
 * timestamp and the arm field on each line, records for both arms, values for every metric's
 * fields in both arms, the segment dimensions and unit field, and prices for the models served.
 * Each problem names the field the data has instead when one looks like it. Throws what the
 * source throws when it cannot read at all (no file matches: SourceError).
 */
declare function validateData(input: {
    loaded: LoadedPolicy;
    records?: string[];
}): Promise<ValidationReport>;
/** The report as text: one line per finding, then a count. */
declare function validationText(report: ValidationReport): string;

/** A line that cannot become a record; `malformed` says why, never what the line held. */
interface Malformed {
    malformed: string;
    /** Which required field was missing, for explanations (FieldCatalog.armless, timeless). */
    missing?: 'arm' | 'timestamp';
}
/** A record whose arm label is neither the baseline's nor the canary's. */
interface UnmatchedArm {
    unmatchedArm: string;
}
type NormalizeResult = RequestRecord | Malformed | UnmatchedArm;
type Normalizer = (raw: Record<string, unknown>) => NormalizeResult;
/**
 * Compiles the policy into a function from a raw row (a parsed JSONL object, a CSV row, an OTLP
 * span's attributes) to a canonical RequestRecord, resolving the aliases of DESIGN.md ("Canonical
 * request record"). It runs on every line, so every alias is a fixed property read (monomorphic
 * for rows of one shape) and nothing is allocated but the record.
 *
 * Timestamps: an ISO-8601 string (without an offset it is read as UTC, so results do not depend
 * on the machine's time zone), epoch milliseconds, or epoch seconds (numbers below 1e11).
 * A row without `ts` (or `timestamp`, `start_time`) may be one of LiteLLM's spend-log rows or
 * callback payloads, read through litellm.ts. The policy's dotted keys that identify a record (the
 * arm, the unit, segment dimensions) are looked up nested or inside JSON strings too (path.ts),
 * and copied to the flat key so every later reader finds them.
 * Numeric fields keep NaN or negative values as they are: compileMetricValue (fields.ts) rejects
 * them and counts them per field, which it could not do if they were dropped here.
 */
declare function createNormalizer(policy: Policy): Normalizer;

/**
 * A local JSON file. `save` is an atomic compare-and-swap: it takes an exclusive lock file
 * (`<file>.lock`, created with O_CREAT|O_EXCL, so only one process can hold it), checks the
 * revision, writes a temporary file, flushes it to disk and renames it over the old one, then
 * releases the lock. Without the lock, two processes could both pass the revision check and the
 * later rename would silently overwrite the earlier one's transition. A lock left by a process
 * that died (same host, no such process, or older than a minute) is broken.
 */
declare class FileStateStore implements StateStore {
    private readonly path;
    private readonly rollout;
    private readonly sleep;
    private readonly lockPath;
    constructor(path: string, rollout: string, sleep?: (ms: number) => Promise<unknown>);
    describe(): string;
    load(): Promise<RolloutState | undefined>;
    save(state: RolloutState, expectedRevision: number | undefined): Promise<void>;
    /** Write a temporary file, flush it, and rename it over the state: readers see old or new. */
    private replace;
    private lock;
    private readLock;
    private stale;
    /** Removes a dead process's lock, unless another process has taken a new one meanwhile. */
    private breakLock;
    private unlock;
}

interface MarkdownOptions {
    /** The rollout's history (state), for the charts of each metric over the evaluations. */
    history?: HistoryEntry[];
    /** Collapse detail (the record, then the charts) until the text fits; default MAX_COMMENT_LENGTH. */
    maxLength?: number;
}
/**
 * The PR comment and job summary: verdict first, then the evidence, the charts over the rollout,
 * then the full record. When too long for a comment, detail is dropped first, the verdict never.
 */
declare function renderMarkdown(r: DecisionRecord, options?: MarkdownOptions): string;

/** The terminal view: the verdict, why, and one line per metric and check. */
declare function renderText(r: DecisionRecord): string;

/** A problem with how the tool was called (flags, inputs, a state that refuses a command): exit 2. */
declare class UsageError extends Error {
    constructor(message: string);
}

export { FileStateStore, PolicyError, SCHEMA_ID, SourceError, StateConflictError, StateError, UsageError, VERSION, command, createNormalizer, evaluate, loadPolicyFile, parsePolicy, policyJsonSchema, recordJson, renderMarkdown, renderText, sourceFor, validateData, validationText };
export type { Action, ActuatorSpec, AppliedAction, Arm, Cell, Check, CollectRequest, DataQuality, Decision, DecisionRecord, EvaluateDeps, Evidence, FileSourceSpec, Finding, HistoryEntry, JudgeSpec, LangfuseSourceSpec, LoadedPolicy, ManualCommand, MarkdownOptions, MetricKind, MetricMode, MetricResult, MetricSpec, NormalizeResult, Outcome, Policy, PolicyIssue, Price, PrometheusSourceSpec, RequestRecord, RolloutState, RolloutStatus, SegmentResult, Source, SourceSpec, StateStore, Tolerance, ValidationReport, Verdict };
