/**
 * `varianceReduction` (issue 12, speed): regression adjustment (CUPED) of mean and ratio metrics,
 * for the whole policy and per metric. Each unit's own level of the metric before the rollout's
 * first step began, and request covariates the policy declares unaffected by the change, explain
 * part of the per-user variation, so the interval is narrower at the same traffic
 * (src/stats/cs/regressionAdjusted.ts).
 *
 * Off unless asked. It needs what only the policy's author can vouch for: that records before the
 * rollout are kept for the lookback and that the named covariates are not moved by the change
 * (a prompt change moves input_tokens). When asked, every check that makes it safe is automatic:
 * a covariate whose arms differ is dropped, a lookback that saw the canary is not used, and a
 * covariate that explains nothing leaves the metric unadjusted.
 */
import {
  choice,
  formatPath,
  list,
  obj,
  reject,
  required,
  str,
  withDefault,
  type Issue,
  type Node,
  type Path
} from './dsl.js'
import { binaryMetric } from './bounds.js'
import { duration } from './scalars.js'
import type { CovariateSpec, MetricSpec, Policy, VarianceReductionSpec } from './types.js'

const DAY = 86_400_000
export const DEFAULT_LOOKBACK = '7d'

/** Fields read as numbers by default (the prompt's size); any other field is categorical. */
const NUMERIC_FIELDS = ['input_tokens', 'prompt_tokens', 'gen_ai.usage.input_tokens']

/**
 * Record fields the change itself moves (or that are the design, not a covariate): adjusting for
 * them would hide part of the change.
 */
const OUTCOMES = new Set([
  'latency_ms',
  'duration_ms',
  'gen_ai.client.operation.duration',
  'ttft_ms',
  'gen_ai.response.time_to_first_chunk',
  'output_tokens',
  'completion_tokens',
  'gen_ai.usage.output_tokens',
  'cache_read_tokens',
  'prompt_tokens_details.cached_tokens',
  'cache_read_input_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'cache_write_tokens',
  'cache_creation_input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'cache_hit',
  'cost',
  'cost_usd',
  'cost_uncached',
  'score',
  'gen_ai.evaluation.score.value',
  'feedback',
  'error',
  'fallback',
  'model',
  'gen_ai.response.model',
  'fingerprint',
  'system_fingerprint',
  'input',
  'output',
  'shadow_output',
  'judge'
])
const DESIGN = new Set(['ts', 'timestamp', 'start_time', 'unit', 'user_id', 'session_id'])

const covariateObject = obj('A request covariate and how it is read.', {
  field: required(str('The record field.')),
  type: required(
    choice('numeric: its value per request; categorical: an indicator per value.', [
      'numeric',
      'categorical'
    ])
  )
})

/** `input_tokens`, `route`, or `{ field: prompt_chars, type: numeric }`. */
const covariate: Node<CovariateSpec> = {
  description:
    'A request field the change does not affect: a name (input_tokens is read as a number, any other field as categories), or { field, type: numeric | categorical }.',
  expects: 'a field name, or a mapping with field and type',
  json() {
    return {
      description: this.description,
      oneOf: [{ type: 'string', minLength: 1 }, covariateObject.json()]
    }
  },
  check(value, path, issues) {
    if (typeof value === 'string') {
      if (value === '') return reject(issues, path, 'must not be empty')
      return { field: value, type: NUMERIC_FIELDS.includes(value) ? 'numeric' : 'categorical' }
    }
    return covariateObject.check(value, path, issues)
  }
}

const settings = obj(
  "Variance reduction by regression adjustment (CUPED, Lindon et al. 2022): each unit's own level of the metric before the rollout's first step, and request covariates the change does not affect. Mean and ratio metrics only; needs a unit field and, for the lookback, records from before the rollout.",
  {
    lookback: withDefault(
      duration(
        "How far before the rollout's first step each unit's baseline records are read as its pre-exposure level; 0s: none.",
        { min: 0, max: 90 * DAY }
      ),
      DEFAULT_LOOKBACK
    ),
    covariates: withDefault(
      list(
        'Request fields the change does not affect (input_tokens of an unchanged prompt, route, language): their per-request mean must be the same in both arms.',
        covariate
      ),
      []
    )
  }
)

/** The top-level `varianceReduction`: the default of every mean and ratio metric. */
export const policyVarianceReduction: Node<VarianceReductionSpec> = settings

/** A metric's `varianceReduction: false` (opt out of the policy's) and `true` (the policy's, or the defaults). */
const OPT_OUT: VarianceReductionSpec = Object.freeze({ lookback: 0, covariates: [] })
const POLICY_DEFAULT: VarianceReductionSpec = Object.freeze({ lookback: 0, covariates: [] })

/** A metric's `varianceReduction`: false, true, or its own settings. */
export const metricVarianceReduction: Node<VarianceReductionSpec> = {
  description:
    "false: this metric is not adjusted; true: the policy's varianceReduction (or the defaults); or settings of its own.",
  expects: 'false, true, or a mapping with lookback and covariates',
  json() {
    return { description: this.description, oneOf: [{ type: 'boolean' }, settings.json()] }
  },
  check(value, path, issues) {
    if (value === false) return OPT_OUT
    if (value === true) return POLICY_DEFAULT
    return settings.check(value, path, issues)
  }
}

/**
 * Why a metric cannot be adjusted (undefined: it can). A bounded mean that is not 0/1 (a score, a
 * declared range) can: its nonasymptotic sequence stays, intersected with the adjusted one
 * (analysis/compareMetric.ts). A 0/1 mean is a rate in disguise: its events are often rare, where
 * the normal approximation the adjusted sequence rests on fails, and its betting sequence is
 * already tight. The judge's scores are of outputs sampled at each look, with no lookback.
 */
function notAdjustable(m: MetricSpec): string | undefined {
  if (m.kind === 'quantile')
    return 'a quantile is compared by ranks, which regression does not adjust'
  if (m.kind === 'rate' || binaryMetric(m)) {
    return 'a rate (a 0/1 field) is bounded and gets a nonasymptotic sequence of its own'
  }
  if (m.from === 'judge')
    return "the judge's scores are of outputs sampled at each look, with no lookback"
  return undefined
}

/**
 * Resolves each metric's variance reduction (its own, else the policy's for a mean or ratio
 * metric) and checks the covariates. Issues point at the key that holds the problem.
 */
export function resolveVarianceReduction(policy: Policy, issues: Issue[]): Policy {
  const top = policy.varianceReduction
  if (top) checkCovariates(top.covariates, ['varianceReduction', 'covariates'], policy, issues)
  const metrics = policy.metrics.map((m, i): MetricSpec => {
    const own = m.varianceReduction
    const { varianceReduction: _, ...rest } = m
    const at: Path = ['metrics', i, 'varianceReduction']
    if (own === OPT_OUT) return rest
    const refused = notAdjustable(m)
    if (own !== undefined && refused) {
      reject(
        issues,
        at,
        `variance reduction adjusts means and ratios: ${refused}; remove it`,
        'key'
      )
      return rest
    }
    if (own !== undefined && own !== POLICY_DEFAULT) {
      checkCovariates(own.covariates, [...at, 'covariates'], policy, issues)
      return { ...rest, varianceReduction: own }
    }
    const resolved = top ?? (own === POLICY_DEFAULT ? defaults() : undefined)
    if (!resolved || notAdjustable(m)) return rest
    return { ...rest, varianceReduction: resolved }
  })
  return { ...policy, metrics }
}

function defaults(): VarianceReductionSpec {
  return { lookback: 7 * DAY, covariates: [] }
}

function checkCovariates(
  covariates: CovariateSpec[],
  path: Path,
  policy: Policy,
  issues: Issue[]
): void {
  const seen = new Map<string, number>()
  const metricFields = new Map<string, string>()
  policy.metrics.forEach((m, i) => {
    metricFields.set(m.from, formatPath(['metrics', i]))
    if (m.per !== undefined) metricFields.set(m.per, formatPath(['metrics', i]))
  })
  const unitFields = new Set([...DESIGN, ...(policy.arms.unit ? [policy.arms.unit] : [])])
  covariates.forEach((c, j) => {
    const at: Path = [...path, j]
    const field = c.field
    const before = seen.get(field)
    if (before !== undefined) {
      reject(issues, at, `\`${field}\` is listed twice (also covariates[${before}])`)
      return
    }
    seen.set(field, j)
    if (OUTCOMES.has(field) || field.startsWith('error.') || field.startsWith('scores.')) {
      reject(
        issues,
        at,
        `\`${field}\` is something the change can move; a covariate must be unaffected by it (input_tokens of an unchanged prompt, the route, the language), or the adjustment would hide part of the change`
      )
    } else if (field === policy.arms.field || unitFields.has(field)) {
      reject(
        issues,
        at,
        `\`${field}\` is the arm, the unit or the time of a record, not a covariate; name a request field such as input_tokens or route`
      )
    } else if (metricFields.has(field)) {
      reject(
        issues,
        at,
        `\`${field}\` is what ${metricFields.get(field)} measures, so the change can move it; a covariate must be unaffected by the change`
      )
    }
  })
}
