/**
 * The rollout policy schema (DESIGN.md, "Policy"), written once in the DSL of ./dsl.ts: it is the
 * validator (with defaults and cross-field rules) and, through policyJsonSchema(), the JSON Schema
 * that editors use. Cross-field rules (in `refine`) are the only part the JSON Schema cannot express.
 */
import {
  INVALID,
  choice,
  formatPath,
  list,
  num,
  obj,
  oneOrMany,
  optional,
  record,
  refine,
  reject,
  required,
  str,
  union,
  withDefault,
  type Checked,
  type Infer,
  type Issue,
  type Node,
  type Path
} from './dsl.js'
import { actuators } from './actuatorSchema.js'
import { judge } from './judgeSchema.js'
import { checkPrometheusPolicy, prometheusSource } from './prometheus.js'
import { checkSqlPolicy, sqlSource } from './sqlSchema.js'
import {
  amount,
  duration,
  fraction,
  httpUrl,
  limit,
  metricKind,
  version,
  type Kind
} from './scalars.js'
import type { MetricSpec, Policy, Tolerance } from './types.js'
import { formatDuration, type Amount } from './units.js'
import {
  metricVarianceReduction,
  policyVarianceReduction,
  resolveVarianceReduction
} from './varianceReductionSchema.js'

/**
 * Where the schema of policy version 1 lives for editors: the file at the moving `v1` tag (the
 * release workflow moves it to each v1.x.y release), so a repository's policy can point its
 * `# yaml-language-server: $schema=` comment here and keep working across v1 releases.
 */
export const SCHEMA_ID =
  'https://raw.githubusercontent.com/ai-rollout-gate/ai-rollout-gate/v1/schema/rollout-policy.schema.json'

const SECOND = 1000
const DAY = 86_400_000

const name = str('Stable id of the rollout: the state key and the PR comment marker.', {
  regex: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  hint: 'start with a letter or digit, then up to 63 letters, digits, `.`, `_` or `-`'
})

const steps = refine(
  list(
    'Canary share of traffic at each step, percent, strictly increasing, in (0, 100].',
    num('Canary share of traffic, percent.', { exclusiveMin: 0, max: 100 }),
    1
  ),
  (values, path, issues) => {
    let increasing = true
    values.forEach((step, i) => {
      const before = values[i - 1]
      if (before !== undefined && step <= before) {
        reject(
          issues,
          [...path, i],
          `steps must be strictly increasing: ${step} comes after ${before}`
        )
        increasing = false
      }
    })
    return increasing ? values : INVALID
  }
)

const rollout = refine(
  obj('How the canary share grows, and how long each step bakes.', {
    name: required(name),
    steps: withDefault(steps, [1, 5, 25, 50, 100]),
    minDuration: withDefault(duration('Bake time per step before a promotion.'), '30m'),
    maxDuration: withDefault(duration('Longest time per step; then `onTimeout` applies.'), '12h'),
    onTimeout: withDefault(
      choice('What happens when a step reaches maxDuration.', ['rollback', 'hold']),
      'rollback'
    ),
    minSamples: withDefault(
      num('Requests per arm, per step, before any verdict.', {
        integer: true,
        min: 1,
        max: 1e9
      }),
      300
    ),
    warmup: withDefault(duration('Excluded from the window at each step start.'), '5m'),
    minPeakLoad: optional(
      fraction(
        "Hold a promotion until the step's busiest hour of traffic (both arms) reaches this share of the busiest hour seen so far in the rollout (kept in the state), so a step does not pass on a quiet night. Needs --state to remember earlier steps."
      )
    )
  }),
  (value, path, issues): Checked<Policy['rollout']> => {
    const { minDuration, maxDuration, warmup } = value
    const at = (key: string): Path => [...path, key]
    if (maxDuration <= minDuration) {
      reject(
        issues,
        at('maxDuration'),
        `maxDuration (${formatDuration(maxDuration)}) must be longer than minDuration (${formatDuration(minDuration)}), the bake time before a promotion`
      )
    }
    if (warmup >= maxDuration) {
      reject(
        issues,
        at('warmup'),
        `warmup (${formatDuration(warmup)}) must be shorter than maxDuration (${formatDuration(maxDuration)}): it is excluded from each step's window`
      )
    }
    return maxDuration <= minDuration || warmup >= maxDuration ? INVALID : value
  }
)

const armValues = (arm: string) =>
  oneOrMany(
    `Value(s) of the arm field that mark ${arm} traffic.`,
    str(`A value that marks ${arm} traffic.`)
  )

const arms = refine(
  obj('Which record field tells the arms apart, and its values for each arm.', {
    field: withDefault(
      str(
        "The record field holding the arm. A dotted path (`metadata.variant`) also reads nested objects and JSON strings; in OTLP traces, an ancestor span's attribute too."
      ),
      'arm'
    ),
    baseline: required(armValues('baseline')),
    canary: required(armValues('canary')),
    unit: optional(
      str('The randomisation unit field (user or session); default: `unit` and its aliases.')
    ),
    assignment: optional(
      choice(
        'How the arms are assigned: unit (per user or session, as feature-flag services do; the default) or request (each request on its own, as a load balancer or mesh split does). A source that sums requests without users (prometheus) needs this, or designEffect, to know how independent its requests are.',
        ['unit', 'request']
      )
    ),
    designEffect: optional(
      num(
        "With arms assigned per unit and a source without users (prometheus): the requests per user weighted by requests (sum of each user's request count squared over the sum of requests, in a window as long as a step), at least 1. It bounds how many times larger any metric's variance is than if requests were independent (Kish's design effect), and is exactly that for the request counts of the split test; the gate uses the larger of it and what the time buckets show.",
        { min: 1 }
      )
    )
  }),
  (value, path, issues): Checked<Policy['arms']> => {
    const shared = value.canary.filter(v => value.baseline.includes(v))
    if (shared.length === 0) return value
    return reject(
      issues,
      [...path, 'canary'],
      `${shared.map(v => JSON.stringify(v)).join(', ')} marks both arms: a value must belong to baseline or canary, not both`
    )
  }
)

const source = union('Where the records come from.', 'type', {
  file: obj('Records in local files: JSONL, CSV or OTLP JSON (optionally .gz).', {
    type: required(choice('Read records from files.', ['file'])),
    path: required(
      oneOrMany('Globs, relative to the policy file unless absolute.', str('A glob.'))
    ),
    format: withDefault(
      choice('`auto` picks by extension (.jsonl/.ndjson/.json, .csv; .gz stripped first).', [
        'auto',
        'jsonl',
        'csv',
        'otlp'
      ]),
      'auto'
    )
  }),
  langfuse: langfuseSource(),
  prometheus: prometheusSource,
  sql: sqlSource
})

/** The Langfuse source (public API: v2 observations, v3 scores). Keys are read from env vars named here. */
function langfuseSource() {
  const envName = (what: string) =>
    str(`Name of the environment variable holding the Langfuse ${what} (never the key itself).`, {
      regex: '^[A-Za-z_][A-Za-z0-9_]*$',
      hint: 'give the name of an environment variable (letters, digits, `_`), not the key itself'
    })
  const armFrom = <const F extends string>(from: F, what: string) =>
    obj(`The arm label is ${what}.`, {
      from: required(choice(`The arm label is ${what}.`, [from]))
    })
  const arm = union('Which attribute of an observation or its trace holds the arm label.', 'from', {
    release: armFrom('release', "the trace's `release`"),
    version: armFrom('version', "the observation's `version`"),
    promptVersion: armFrom('promptVersion', "the linked prompt's version (quote numbers in arms)"),
    tag: obj("The arm label is one of the trace's tags.", {
      from: required(choice("The arm label is one of the trace's tags.", ['tag'])),
      prefix: optional(
        str(
          'Only tags starting with this prefix (e.g. `variant:`); the rest of the tag is the label.'
        )
      )
    }),
    metadata: obj("The arm label is a key of the observation's metadata.", {
      from: required(choice("The arm label is a key of the observation's metadata.", ['metadata'])),
      key: required(str('The metadata key.'))
    })
  })
  const scoreTarget = str(
    'The record field the score becomes: `score`, `scores.<name>` or `feedback`.',
    {
      regex: '^(score|feedback|scores\\..+)$',
      hint: 'use `score`, `feedback` or `scores.<name>`'
    }
  )
  return obj('LLM calls traced in Langfuse (cloud or self-hosted), read through its public API.', {
    type: required(choice('Read observations from Langfuse.', ['langfuse'])),
    baseUrl: withDefault(
      httpUrl(
        'The Langfuse host, e.g. https://cloud.langfuse.com or your self-hosted URL.',
        'the keys come from publicKeyEnv and secretKeyEnv'
      ),
      'https://cloud.langfuse.com'
    ),
    publicKeyEnv: withDefault(envName('public key'), 'LANGFUSE_PUBLIC_KEY'),
    secretKeyEnv: withDefault(envName('secret key'), 'LANGFUSE_SECRET_KEY'),
    arm: required(arm),
    observationType: withDefault(
      str('Observation type to read (GENERATION, SPAN, EVENT, ...).'),
      'GENERATION'
    ),
    name: optional(str('Only observations with this name.')),
    environment: optional(oneOrMany('Only these Langfuse environments.', str('An environment.'))),
    scores: withDefault(
      record(
        'Langfuse score name -> the record field it fills (`score`, `scores.<name>`, `feedback`).',
        scoreTarget
      ),
      {}
    ),
    pageSize: withDefault(
      num('Observations per page (Langfuse allows at most 1000).', {
        integer: true,
        min: 1,
        max: 1000
      }),
      1000
    ),
    timeout: withDefault(
      duration('Timeout of one HTTP request.', { min: SECOND, max: 10 * 60 * SECOND }),
      '30s'
    ),
    retries: withDefault(
      num('Retries of a request after a 429, a 5xx or a network error.', {
        integer: true,
        min: 0,
        max: 10
      }),
      4
    )
  })
}

const toleranceNode = amount(
  'The worst acceptable change, in the bad direction: relative `5%`, absolute `0.5pp` (rates), or a number in the metric unit.'
)

/** An Amount as a Tolerance for this kind; `pp` only makes sense for a rate. */
function toTolerance(
  amount: Amount,
  kind: Kind['kind'],
  path: Path,
  issues: Issue[]
): Tolerance | undefined {
  if (amount.unit === 'pp' && kind !== 'rate') {
    reject(
      issues,
      path,
      `\`pp\` (percentage points) is only for kind rate; a \`%\` on a ${kind} metric is relative to the baseline, and a plain number is absolute, in the metric's unit`
    )
    return undefined
  }
  return { value: amount.value, relative: amount.unit === '%' }
}

const metricFields = obj('One metric compared between canary and baseline.', {
  name: required(str('Unique name, shown in reports.')),
  from: required(
    str(
      'The record field to read: latency_ms, ttft_ms, cost, score, scores.<name>, error, error.<class>, fallback, feedback, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_hit, or any numeric field.'
    )
  ),
  kind: required(metricKind),
  per: optional(
    str('kind ratio only: the denominator field (the metric is sum(from) / sum(per)).')
  ),
  better: required(choice('Which direction is good.', ['higher', 'lower'])),
  tolerance: required(toleranceNode),
  rollbackAt: optional(
    amount(
      'A larger change at which to roll back; between tolerance and rollbackAt the gate holds.'
    )
  ),
  limit: optional(limit),
  mode: withDefault(
    choice(
      'gate: a fail rolls back, an inconclusive holds; hold: a fail only holds; report: shown, never decides.',
      ['gate', 'hold', 'report']
    ),
    'gate'
  ),
  range: optional(
    list(
      'kind mean only: [lo, hi], the range every value lies in. The metric is then bounded: it gets a nonasymptotic interval, never narrow on a small or zero-variance sample, and values outside the range are invalid. Scores (score, scores.*, judge), rates and 0/1 fields are bounded without it.',
      num('A bound of the range, in the metric unit.'),
      2
    )
  ),
  gateOn: optional(
    choice(
      "A cost metric (from: cost, kind: mean) only: observed (default) gates on what the canary paid; repriced gates on the canary's tokens re-priced at the baseline's prompt-cache hit rate (for a canary whose share keeps a shared prefix colder).",
      ['observed', 'repriced']
    )
  ),
  varianceReduction: optional(metricVarianceReduction)
})

function toMetric(m: Infer<typeof metricFields>, path: Path, issues: Issue[]): Checked<MetricSpec> {
  const before = issues.length
  const at = (key: string): Path => [...path, key]
  const { kind, quantile } = m.kind
  if (kind === 'ratio' && m.per === undefined) {
    reject(
      issues,
      at('per'),
      'kind ratio needs `per`: the denominator field (the metric is sum(from) / sum(per))',
      'missing'
    )
  }
  if (kind !== 'ratio' && m.per !== undefined) {
    reject(
      issues,
      at('per'),
      `\`per\` is only for kind ratio (sum(from) / sum(per)); remove it, or set kind: ratio`,
      'key'
    )
  }
  const tolerance = toTolerance(m.tolerance, kind, at('tolerance'), issues)
  const rollbackAt = m.rollbackAt && toTolerance(m.rollbackAt, kind, at('rollbackAt'), issues)
  if (
    tolerance &&
    rollbackAt &&
    tolerance.relative === rollbackAt.relative &&
    rollbackAt.value < tolerance.value
  ) {
    reject(
      issues,
      at('rollbackAt'),
      'rollbackAt must be at least the tolerance: the canary is rolled back at a larger change than it is held at'
    )
  }
  const limitValue = m.limit && toLimit(m.limit, kind, at('limit'), issues)
  const range = m.range && toRange(m.range, kind, limitValue, at('range'), issues)
  if (m.gateOn === 'repriced' && (!COST_FIELDS.includes(m.from) || kind !== 'mean')) {
    reject(
      issues,
      at('gateOn'),
      `gateOn: repriced re-prices the canary's input tokens, so it is only for a mean cost metric (from: cost, kind: mean); remove it, or set gateOn: observed`,
      'key'
    )
  }
  if (issues.length > before || !tolerance) return INVALID
  return {
    name: m.name,
    from: m.from,
    ...(m.per !== undefined && { per: m.per }),
    kind,
    ...(quantile !== undefined && { quantile }),
    better: m.better,
    tolerance,
    ...(rollbackAt && { rollbackAt }),
    ...(limitValue !== undefined && { limit: limitValue }),
    ...(range && { range }),
    mode: m.mode,
    ...(m.gateOn === 'repriced' && { gateOn: 'repriced' as const }),
    ...(m.varianceReduction !== undefined && { varianceReduction: m.varianceReduction }),
    path: formatPath(path)
  }
}

/** `range: [lo, hi]`: two finite numbers, lo < hi, on a mean, with any limit inside. */
function toRange(
  value: number[],
  kind: Kind['kind'],
  limitValue: number | undefined,
  path: Path,
  issues: Issue[]
): { lo: number; hi: number } | undefined {
  if (kind !== 'mean') {
    reject(
      issues,
      path,
      kind === 'rate'
        ? 'a rate is a proportion in [0, 1] already; remove `range`'
        : `\`range\` is for kind mean (the values of a bounded mean); a ${kind} metric does not take one, remove it`,
      'key'
    )
    return undefined
  }
  const [lo, hi] = value
  if (value.length !== 2 || lo === undefined || hi === undefined || !(lo < hi)) {
    reject(
      issues,
      path,
      `range is [lo, hi] with lo < hi, the smallest and largest value the metric can take; got ${JSON.stringify(value)}`
    )
    return undefined
  }
  if (limitValue !== undefined && (limitValue < lo || limitValue > hi)) {
    reject(issues, path, `the limit ${limitValue} is outside the range [${lo}, ${hi}]`)
    return undefined
  }
  return { lo, hi }
}

/** The record fields a cost metric reads (canonical `cost` and its alias). */
const COST_FIELDS = ['cost', 'cost_usd']

function toLimit(
  amount: Amount,
  kind: Kind['kind'],
  path: Path,
  issues: Issue[]
): number | undefined {
  if (kind === 'rate' && amount.value > 1) {
    reject(
      issues,
      path,
      `a rate limit is a proportion from 0 to 1 (or 0% to 100%); got ${amount.value}`
    )
    return undefined
  }
  if (kind !== 'rate' && amount.unit === '%') {
    reject(
      issues,
      path,
      `a \`%\` limit is only for kind rate; give the ${kind} limit as a number in the metric's unit`
    )
    return undefined
  }
  return amount.value
}

const metrics = refine(
  list('The metrics compared between canary and baseline.', refine(metricFields, toMetric), 1),
  (values, path, issues): Checked<MetricSpec[]> => {
    const seen = new Map<string, number>()
    values.forEach((metric, i) => {
      const first = seen.get(metric.name)
      if (first === undefined) seen.set(metric.name, i)
      else {
        reject(
          issues,
          [...path, i, 'name'],
          `duplicate metric name ${JSON.stringify(metric.name)} (also metrics[${first}]); names must be unique`
        )
      }
    })
    return seen.size === values.length ? values : INVALID
  }
)

const segments = refine(
  obj('Compare the metrics within each segment too (a separate error budget).', {
    by: required(oneOrMany('Record field(s) that define the segments.', str('A record field.'))),
    gate: withDefault(
      choice('false: shown only; true or hold: a failing segment holds; rollback: it rolls back.', [
        false,
        true,
        'hold',
        'rollback'
      ]),
      false
    )
  }),
  (value): NonNullable<Policy['segments']> => ({
    by: value.by,
    gate: value.gate === true ? 'hold' : value.gate
  })
)

const usdPerMillion = (what: string) => num(`USD per 1M ${what}.`, { min: 0 })

const pricing = record(
  'Prices by model id as it appears in records, USD per 1M tokens.',
  obj('Prices of one model, USD per 1M tokens.', {
    input: required(usdPerMillion('input tokens that are neither cache reads nor cache writes')),
    output: required(usdPerMillion('output tokens')),
    cacheRead: optional(usdPerMillion('cached input tokens read; default: input')),
    cacheWrite: optional(usdPerMillion('input tokens written to the cache; default: input'))
  })
)

const policyFields = obj('A rollout policy for ai-rollout-gate.', {
  version: required(version),
  rollout: required(rollout),
  arms: required(arms),
  source: required(source),
  confidence: withDefault(
    num('Family-wise confidence over the gating metrics.', { exclusiveMin: 0.5, exclusiveMax: 1 }),
    0.95
  ),
  metrics: required(metrics),
  segments: optional(segments),
  pricing: withDefault(pricing, {}),
  dataQuality: withDefault(
    obj('Limits on bad input data.', {
      maxMalformed: withDefault(
        fraction('Share of malformed lines above which promotion is blocked.'),
        '1%'
      ),
      maxAge: withDefault(
        duration(
          "How long before the step's window a record may be dated and still be the log's history. Older records are a broken clock (1970, epoch seconds read as milliseconds): counted, sampled and blocking, never the step's clock.",
          { min: 60_000 }
        ),
        '7d'
      )
    }),
    {}
  ),
  trafficSplit: withDefault(
    obj('The sequential sample-ratio test of the traffic split.', {
      alpha: withDefault(
        num('Type-I error of the test.', { exclusiveMin: 0, exclusiveMax: 0.5 }),
        0.001
      )
    }),
    {}
  ),
  bucket: withDefault(
    duration('Width of the time buckets the evidence is kept in, from 10s to 1d.', {
      min: 10 * SECOND,
      max: DAY
    }),
    '5m'
  ),
  models: optional(
    obj(
      'The model ids (as records give them) each arm is expected to be served by; requests served by any other model (a gateway fallback, an alias resolving to a new snapshot) are named in the report.',
      {
        baseline: optional(
          oneOrMany('Expected baseline model id(s).', str('A model id as records give it.'))
        ),
        canary: optional(
          oneOrMany('Expected canary model id(s).', str('A model id as records give it.'))
        )
      }
    )
  ),
  actuators: optional(actuators),
  judge: optional(judge),
  varianceReduction: optional(policyVarianceReduction)
})

/** With a judge, its metric joins the others (a name clash is reported at the judge's metric). */
const withJudgeMetric = refine(policyFields, (value, path, issues): Checked<Policy> => {
  const { judge: judged, ...rest } = value
  if (!judged) return rest as Policy
  const clash = rest.metrics.findIndex(m => m.name === judged.metric.name)
  if (clash >= 0) {
    return reject(
      issues,
      [...path, 'judge', 'metric', 'name'],
      `the judge metric is named ${JSON.stringify(judged.metric.name)} like metrics[${clash}]; set judge.metric.name to a unique name`
    )
  }
  return { ...rest, metrics: [...rest.metrics, judged.metric], judge: judged.spec } as Policy
})

export const policySchema: Node<Policy> = refine(
  refine(withJudgeMetric, (policy, _path, issues) => {
    const checked = checkPrometheusPolicy(policy, issues)
    return checked === INVALID ? INVALID : checkSqlPolicy(checked, issues)
  }),
  (policy, _path, issues) => resolveVarianceReduction(policy, issues)
)

/** The JSON Schema (draft 2020-12) of a policy file, generated from `policySchema`. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'ai-rollout-gate rollout policy',
    ...policySchema.json()
  }
}

/** The committed file's exact text: 2-space JSON and a final newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`
}
