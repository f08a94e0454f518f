/**
 * The `source: { type: prometheus }` variant of the policy: a Prometheus-compatible HTTP API
 * (Prometheus, Thanos, Mimir, VictoriaMetrics, Grafana Cloud) and, per metric, the series it is
 * computed from. Secrets are never in the policy: it names the environment variables holding them.
 */
import {
  INVALID,
  choice,
  num,
  obj,
  optional,
  record,
  refine,
  reject,
  required,
  str,
  withDefault,
  type Checked,
  type Issue,
  type Path
} from './dsl.js'
import { duration, httpUrl } from './scalars.js'
import type { Policy, PrometheusSeries } from './types.js'

/** Prometheus data model: https://prometheus.io/docs/concepts/data_model/ */
export const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$'
export const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$'
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$'

const metricName = (description: string) =>
  str(description, {
    regex: METRIC_NAME,
    hint: 'a Prometheus metric name: letters, digits, `_` and `:`, not starting with a digit'
  })
const envName = (description: string) =>
  str(description, {
    regex: ENV_NAME,
    hint: 'an environment variable name: letters, digits and `_`, not starting with a digit'
  })

/** Label matchers `{label: value}`: names are validated here, values escaped in every selector. */
const matchers = (description: string) =>
  refine(record(description, str('The label value (matched exactly, escaped).')), labelNames)

function labelNames(
  value: Record<string, string>,
  path: Path,
  issues: Issue[]
): Checked<Record<string, string>> {
  const bad = Object.keys(value).filter(k => !new RegExp(LABEL_NAME).test(k) || k === '__name__')
  for (const key of bad) {
    reject(
      issues,
      [...path, key],
      `${JSON.stringify(key)} is not a usable label name: letters, digits and \`_\`, not starting with a digit (and not __name__)`,
      'key'
    )
  }
  return bad.length > 0 ? INVALID : value
}

const series = obj(
  'The series one metric is computed from: `histogram` (quantiles, means), `errors` + `total` (rates), or `sum` + `count` (ratios, means).',
  {
    histogram: optional(
      metricName(
        "A classic histogram's base name: the gate reads `<name>_bucket`, `<name>_sum` and `<name>_count`."
      )
    ),
    errors: optional(metricName('kind rate: the counter of bad events (e.g. errors).')),
    total: optional(metricName('kind rate: the counter of all events.')),
    sum: optional(
      metricName('kind ratio or mean: the counter of the numerator (e.g. cost, tokens).')
    ),
    count: optional(metricName('kind ratio or mean: the counter of the denominator (requests).')),
    sumOfSquares: optional(
      metricName(
        'Optional counter of the squared values, for the variance of a mean (else: from histogram buckets, or from time buckets for `sum` + `count`).'
      )
    ),
    limitQuery: optional(
      str(
        "Raw PromQL for the metric's absolute `limit` only: the canary's value in the metric's unit; write `$canary` inside a selector's braces, where the gate puts the escaped canary matchers (e.g. `sum(rate(x_total{$canary}[5m]))`). A value beyond the limit holds, never rolls back."
      )
    ),
    scale: withDefault(
      num('Multiplies the values (e.g. 1000: seconds to milliseconds).', { exclusiveMin: 0 }),
      1
    ),
    match: withDefault(matchers('Extra label matchers for these series only.'), {}),
    absentErrors: withDefault(
      choice(
        'kind rate: what an absent `errors` series means. `unknown` (default): no data, which holds, never 0. `zero`: the counter is created at its first increment (a labelled counter in most client libraries), so no series (for an arm, or a time bucket) means no errors.',
        ['unknown', 'zero']
      ),
      'unknown'
    )
  }
)

export const prometheusSource = obj(
  'Metrics from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics). `arms.field` is the arm label.',
  {
    type: required(choice('Read aggregated series from Prometheus.', ['prometheus'])),
    url: required(
      httpUrl(
        'Base URL of the server, e.g. http://prometheus:9090 (the gate adds /api/v1/...).',
        'use source.auth (basic: { user, passwordEnv }) instead'
      )
    ),
    auth: optional(
      obj('Credentials, read from environment variables (never written in the policy).', {
        bearerTokenEnv: optional(envName('Environment variable holding a bearer token.')),
        basic: optional(
          obj('HTTP basic auth.', {
            user: required(str('The user name.')),
            passwordEnv: required(envName('Environment variable holding the password.'))
          })
        )
      })
    ),
    headers: withDefault(
      record(
        'Extra request headers, e.g. `X-Scope-OrgID: tenant-1` for Mimir (not secret: shown in the policy).',
        str('The header value.')
      ),
      {}
    ),
    headersFromEnv: withDefault(
      record(
        'Extra request headers whose values are secret: header name -> environment variable name.',
        envName('Environment variable holding the header value.')
      ),
      {}
    ),
    tls: optional(
      obj('TLS options for https URLs.', {
        insecureSkipVerify: withDefault(
          choice('Do not verify the server certificate (testing only).', [true, false]),
          false
        ),
        caFile: optional(str('A PEM file of CA certificates to trust.'))
      })
    ),
    timeout: withDefault(duration('Timeout of one query.', { min: 100, max: 600_000 }), '30s'),
    retries: withDefault(
      num('Retries of a query after a 5xx, 429 or timeout, with backoff.', {
        integer: true,
        min: 0,
        max: 10
      }),
      3
    ),
    match: withDefault(
      matchers('Label matchers added to every selector, e.g. `{job: llm-gateway}`.'),
      {}
    ),
    requests: optional(
      metricName(
        'The counter of requests per arm (traffic split, freshness); default: the first metric with a count (histogram `_count`, `total` or `count`).'
      )
    ),
    series: required(
      record('Per metric name (as in `metrics`): the series it is computed from.', series)
    )
  }
)

/** What each kind can be computed from. */
const NEEDS: Record<string, string> = {
  quantile: '`histogram`',
  mean: '`histogram`, or `sum` and `count`',
  ratio: '`sum` and `count`',
  rate: '`errors` and `total`'
}

/** The shape of a series definition, or why it does not fit the metric's kind. */
function seriesProblem(kind: string, s: PrometheusSeries): string | undefined {
  const has = (k: keyof PrometheusSeries) => s[k] !== undefined
  const fits =
    kind === 'quantile'
      ? has('histogram') && !has('sum') && !has('errors')
      : kind === 'mean'
        ? (has('histogram') && !has('sum')) || (has('sum') && has('count') && !has('histogram'))
        : kind === 'ratio'
          ? has('sum') && has('count') && !has('histogram')
          : has('errors') && has('total') && !has('histogram') && !has('sum')
  if (fits && !(kind === 'rate' && has('sumOfSquares'))) return undefined
  return `a ${kind} metric needs ${NEEDS[kind] ?? '?'} (and nothing else of errors/total, sum/count, histogram)`
}

/** Cross-field rules of a policy whose source is Prometheus. */
export function checkPrometheusPolicy(policy: Policy, issues: Issue[]): Checked<Policy> {
  const spec = policy.source
  if (spec.type !== 'prometheus') return policy
  const before = issues.length
  if (!new RegExp(LABEL_NAME).test(policy.arms.field)) {
    reject(
      issues,
      ['arms', 'field'],
      `with a prometheus source, arms.field is the arm label: ${JSON.stringify(policy.arms.field)} is not a label name (letters, digits and \`_\`)`
    )
  }
  if (policy.arms.assignment === undefined && policy.arms.designEffect === undefined) {
    reject(
      issues,
      ['arms'],
      "a prometheus source sums requests and keeps no user, so the gate must be told how independent they are: add `assignment: request` to arms when each request is assigned to an arm on its own (a load balancer or service-mesh split), or `designEffect: <number>` when arms are assigned per user: the requests per user weighted by requests (sum over users of their request count squared, over the sum of requests, in a window as long as a step), which bounds how many times larger any metric's variance is than if requests were independent; measure it once on logs that carry the user"
    )
  }
  if (policy.arms.assignment === 'request' && policy.arms.designEffect !== undefined) {
    reject(
      issues,
      ['arms', 'designEffect'],
      'designEffect is for arms assigned per unit; with assignment: request the requests are independent, remove it',
      'key'
    )
  }
  if (policy.segments) {
    reject(
      issues,
      ['segments'],
      'segments are not supported with a prometheus source yet; remove `segments`',
      'key'
    )
  }
  policy.metrics.forEach((m, i) => {
    const s = spec.series[m.name]
    if (!s) {
      reject(
        issues,
        ['source', 'series'],
        `no series for metric ${JSON.stringify(m.name)} (metrics[${i}]); add \`${m.name}: { ... }\` with ${NEEDS[m.kind]}`
      )
      return
    }
    const problem = seriesProblem(m.kind, s)
    if (problem) reject(issues, ['source', 'series', m.name], problem)
    if (s.absentErrors === 'zero' && s.errors === undefined) {
      reject(
        issues,
        ['source', 'series', m.name, 'absentErrors'],
        'absentErrors is about an `errors` counter: give the series `errors`, or remove absentErrors'
      )
    }
    if (s.limitQuery !== undefined && m.limit === undefined) {
      reject(
        issues,
        ['source', 'series', m.name, 'limitQuery'],
        `limitQuery is only for an absolute limit: give metric ${JSON.stringify(m.name)} a \`limit\`, or remove limitQuery`
      )
    } else if (s.limitQuery !== undefined && !s.limitQuery.includes('{$canary')) {
      reject(
        issues,
        ['source', 'series', m.name, 'limitQuery'],
        'limitQuery must select the canary: write `{$canary}` (or `{$canary, ...}`) in its selector'
      )
    }
  })
  const names = new Set(policy.metrics.map(m => m.name))
  for (const key of Object.keys(spec.series)) {
    if (!names.has(key)) {
      reject(
        issues,
        ['source', 'series', key],
        `${JSON.stringify(key)} is not the name of a metric in \`metrics\``,
        'key'
      )
    }
  }
  return issues.length > before ? INVALID : policy
}
