/**
 * The `judge` section of the policy (src/judge): the LLM judge, its budget, its health checks and
 * its length control, and the metric its judgement becomes (`from: judge`).
 */
import {
  INVALID,
  choice,
  formatPath,
  list,
  mismatch,
  num,
  obj,
  optional,
  refine,
  reject,
  required,
  scalar,
  str,
  withDefault,
  type Checked,
  type Issue,
  type Path
} from './dsl.js'
import { amount, duration, fraction, httpUrl } from './scalars.js'
import type { JudgeSpec, MetricSpec, RedactPattern, Tolerance } from './types.js'
import type { Amount } from './units.js'

const SECOND = 1000

const usdPerMillion = (what: string) => num(`USD per 1M ${what}.`, { min: 0 })

const REDACT_NAMES = ['email', 'phone', 'key'] as const

const redactPattern = scalar<RedactPattern>(
  'A built-in pattern (email, phone, key) or a JavaScript regular expression; matches are replaced before anything is sent to the judge.',
  'email, phone, key or a regular expression',
  { type: 'string', minLength: 1 },
  value => {
    if (typeof value !== 'string' || value === '') {
      return { ok: false, error: mismatch('email, phone, key or a regular expression', value) }
    }
    if ((REDACT_NAMES as readonly string[]).includes(value)) {
      return { ok: true, value: value as RedactPattern }
    }
    try {
      new RegExp(value, 'g')
    } catch (e) {
      return {
        ok: false,
        error: `not a valid regular expression (${(e as Error).message}); use email, phone, key or a JavaScript regex`
      }
    }
    return { ok: true, value: { regex: value } }
  }
)

/**
 * What each grade means when the policy does not say (Prometheus 2's score rubric, Kim et al.
 * 2024, asks for one description per level; these follow the criteria in `rubric`).
 */
export const DEFAULT_LEVELS: JudgeSpec['levels'] = [
  'The response fails the criteria: it is wrong, unhelpful or unrelated to the request.',
  'The response mostly fails the criteria: major errors or omissions.',
  'The response partly meets the criteria: errors or omissions that matter.',
  'The response meets the criteria with minor issues only.',
  'The response fully meets the criteria.'
]

const level = (grade: number) =>
  optional(str(`What a response graded ${grade} is like, against the criteria.`))

const levels = obj(
  'Pointwise: what each grade 1..5 means (the score rubric of Prometheus 2); give all five.',
  { 1: level(1), 2: level(2), 3: level(3), 4: level(4), 5: level(5) }
)

const judgeMetric = obj('The metric the judgement becomes (`from: judge`, kind mean).', {
  name: withDefault(str('Unique metric name, shown in reports.'), 'judge'),
  tolerance: withDefault(
    amount(
      'Worst acceptable change: absolute on the [0, 1] score (pointwise), or how far the win rate may fall below 0.5 (pairwise).'
    ),
    0.05
  ),
  rollbackAt: optional(amount('A larger change at which to roll back.')),
  mode: withDefault(
    choice('gate, hold or report, as for any metric.', ['gate', 'hold', 'report']),
    'gate'
  ),
  minSamples: withDefault(
    num('Judged outputs (pointwise) or pairs (pairwise) per arm before a verdict.', {
      integer: true,
      min: 2
    }),
    30
  )
})

const health = obj(
  'Checks that must pass before the judge metric may decide; when one fails, the gate holds.',
  {
    controls: withDefault(
      num(
        'Control pairs mixed into each batch: an answer against itself (must tie) and against a copy with its facts shuffled or its words scrambled, of the same length (must lose). At least 1.',
        { integer: true, min: 1, max: 20 }
      ),
      2
    ),
    alpha: withDefault(
      num('Error of each control test: how often a content-blind judge could pass it.', {
        exclusiveMin: 0,
        max: 0.2
      }),
      0.05
    ),
    maxFlipRate: withDefault(
      fraction('Pairwise: the largest share of pairs whose two orders disagree.'),
      '50%'
    ),
    minKappa: withDefault(
      num("With `labels`: the smallest Cohen's kappa between the judge and the people.", {
        min: -1,
        max: 1
      }),
      0.4
    )
  }
)

const lengthControl = obj(
  'Length control of the verdict (the regression of Length-Controlled AlpacaEval).',
  {
    enabled: withDefault(
      choice('Gate on the length-adjusted score (true) or the raw one (false).', [true, false]),
      true
    ),
    maxInflation: withDefault(
      num(
        'Hold when controlling for length inflates the variance more than this (the arms barely overlap in length).',
        { min: 1, max: 100 }
      ),
      4
    )
  }
)

const judgeFields = obj(
  'Grade sampled outputs with an LLM judge through an OpenAI-compatible API.',
  {
    model: required(str('The judge model id.')),
    baseURL: optional(
      httpUrl(
        'OpenAI-compatible endpoint; default: the OpenAI API.',
        'the API key comes from apiKeyEnv'
      )
    ),
    apiKeyEnv: withDefault(
      str('Environment variable holding the API key.', {
        regex: '^[A-Za-z_][A-Za-z0-9_]*$',
        hint: 'an environment variable name: letters, digits and `_`'
      }),
      'OPENAI_API_KEY'
    ),
    rubric: required(str('The criteria: what a good answer is; the judge grades against it.')),
    levels: optional(levels),
    mode: withDefault(
      choice('pointwise: grade each output; pairwise: canary vs baseline on the same input.', [
        'pointwise',
        'pairwise'
      ]),
      'pointwise'
    ),
    sample: withDefault(
      num(
        'Outputs sampled per arm at a look, at least; the sample grows when the judge needs more and the budget pays.',
        { integer: true, min: 2, max: 5000 }
      ),
      200
    ),
    batch: withDefault(
      num('Outputs (per arm) or pairs judged between two looks.', { integer: true, min: 1 }),
      20
    ),
    budget: withDefault(
      obj('Hard limits on the judge.', {
        calls: withDefault(num('Most judge calls per evaluation.', { integer: true, min: 1 }), 400),
        usd: optional(num('Most USD per evaluation (needs `prices`).', { min: 0 })),
        stepCalls: optional(
          num('Most judge calls over all the evaluations of one step.', { integer: true, min: 1 })
        ),
        stepUsd: optional(
          num('Most USD over all the evaluations of one step (needs `prices`).', { min: 0 })
        )
      }),
      {}
    ),
    prices: optional(
      obj('Prices of the judge model, USD per 1M tokens.', {
        input: required(usdPerMillion('input tokens')),
        output: required(usdPerMillion('output tokens'))
      })
    ),
    logprobs: withDefault(
      choice(
        "Ask for token log probabilities and weight each score by them (G-Eval); set false for endpoints that reject `logprobs` (OpenAI's reasoning models).",
        [true, false]
      ),
      true
    ),
    concurrency: withDefault(
      num('Calls in flight at once.', { integer: true, min: 1, max: 64 }),
      4
    ),
    timeout: withDefault(duration('Per request.', { min: SECOND, max: 10 * 60 * SECOND }), '60s'),
    maxRetries: withDefault(
      num('Retries of a failed call (429 honours retry-after).', {
        integer: true,
        min: 0,
        max: 10
      }),
      2
    ),
    maxChars: withDefault(
      num('Longest input or output sent, in characters.', { integer: true, min: 100 }),
      4000
    ),
    redact: withDefault(
      list('Patterns replaced before anything is sent to the judge.', redactPattern),
      []
    ),
    recheck: withDefault(
      num('Items judged twice to measure self-agreement.', { integer: true, min: 0 }),
      10
    ),
    cacheSize: withDefault(
      num('Judgements kept in the rollout state.', { integer: true, min: 0, max: 20000 }),
      2000
    ),
    labels: optional(
      str(
        'Human labels, JSONL of {"id", "label"} (a grade 1..5, or canary|baseline|tie), relative to the working directory: the judge must agree with them (Cohen\'s kappa, `health.minKappa`).'
      )
    ),
    health: withDefault(health, {}),
    lengthControl: withDefault(lengthControl, {}),
    metric: withDefault(judgeMetric, {})
  }
)

/** A judge tolerance: absolute or `%` (relative); `pp` is for rates, which the judge metric is not. */
function judgeTolerance(a: Amount, path: Path, issues: Issue[]): Tolerance | undefined {
  if (a.unit === 'pp') {
    reject(
      issues,
      path,
      '`pp` (percentage points) is only for kind rate; give the judge metric an absolute tolerance such as 0.05'
    )
    return undefined
  }
  return { value: a.value, relative: a.unit === '%' }
}

export const judge = refine(
  judgeFields,
  (value, path, issues): Checked<{ spec: JudgeSpec; metric: MetricSpec }> => {
    const before = issues.length
    const at = (...keys: string[]): Path => [...path, ...keys]
    const m = value.metric
    const tolerance = judgeTolerance(m.tolerance, at('metric', 'tolerance'), issues)
    const rollbackAt =
      m.rollbackAt && judgeTolerance(m.rollbackAt, at('metric', 'rollbackAt'), issues)
    if (value.mode === 'pairwise' && (tolerance?.relative || rollbackAt?.relative)) {
      reject(
        issues,
        at('metric', 'tolerance'),
        'a pairwise win rate is compared with 0.5: give an absolute tolerance such as 0.05 (the win rate may fall to 0.45), not a `%`'
      )
    }
    for (const key of ['usd', 'stepUsd'] as const) {
      if (value.budget[key] !== undefined && value.prices === undefined) {
        reject(
          issues,
          at('budget', key),
          'a USD budget needs the judge model prices: add `prices: { input, output }` (USD per 1M tokens)'
        )
      }
    }
    if (value.metric.minSamples > value.sample) {
      reject(
        issues,
        at('metric', 'minSamples'),
        `minSamples (${value.metric.minSamples}) is more than \`sample\` (${value.sample}) per arm: the judge metric could never decide`
      )
    }
    const given = value.levels ?? {}
    const named = ([1, 2, 3, 4, 5] as const).filter(g => given[g] !== undefined)
    if (named.length > 0 && named.length < 5) {
      reject(
        issues,
        at('levels'),
        `describes grades ${named.join(', ')} only: describe all five (1 to 5), or none for the generic descriptions`
      )
    }
    if (issues.length > before || !tolerance) return INVALID
    const { metric, levels: _levels, ...rest } = value
    const spec: JudgeSpec = {
      ...rest,
      levels:
        named.length === 5
          ? ([1, 2, 3, 4, 5].map(g => given[g as 1] as string) as JudgeSpec['levels'])
          : DEFAULT_LEVELS
    }
    return {
      spec,
      metric: {
        name: metric.name,
        from: 'judge',
        kind: 'mean',
        better: 'higher',
        tolerance,
        ...(rollbackAt && { rollbackAt }),
        mode: metric.mode,
        path: formatPath(at('metric')),
        minSamples: metric.minSamples,
        totalOnly: true,
        // Pairwise: the canary's win rate against the fixed 0.5, a one-sample comparison.
        ...(value.mode === 'pairwise' && { reference: 0.5 })
      }
    }
  }
)
