import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../src/policy/parse.js'
import { PolicyError } from '../src/policy/types.js'
import { matcher, quote, selector } from '../src/sources/prometheus/promql.js'
import { safeUrl } from '../src/sources/prometheus/client.js'

const policy = (
  source: string,
  metrics?: string,
  arms = 'arms: { field: variant, baseline: stable, canary: candidate, assignment: request }'
) =>
  `version: 1
rollout: { name: r }
${arms}
source:
${source}
metrics:
${
  metrics ??
  `  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: errors, from: error, kind: rate, better: lower, tolerance: 1pp }
`
}`

const SOURCE = `  type: prometheus
  url: https://mimir.example:8080/prometheus
  auth: { bearerTokenEnv: MIMIR_TOKEN }
  headers: { X-Scope-OrgID: tenant-1 }
  match: { job: gateway }
  series:
    p95 latency: { histogram: gen_ai_client_operation_duration_seconds, scale: 1000 }
    errors: { errors: llm_request_errors_total, total: llm_requests_total }
`

const issues = (text: string): string[] => {
  try {
    parsePolicy(text, 'p.yml')
  } catch (e) {
    if (e instanceof PolicyError) return e.issues.map(i => `${i.path}: ${i.message}`)
    throw e
  }
  return []
}

describe('policy: source type prometheus', () => {
  it('parses with its defaults filled in; secrets stay names of environment variables', () => {
    const p = parsePolicy(policy(SOURCE), 'p.yml')
    expect(p.source).toEqual({
      type: 'prometheus',
      url: 'https://mimir.example:8080/prometheus',
      auth: { bearerTokenEnv: 'MIMIR_TOKEN' },
      headers: { 'X-Scope-OrgID': 'tenant-1' },
      headersFromEnv: {},
      timeout: 30_000,
      retries: 3,
      match: { job: 'gateway' },
      series: {
        'p95 latency': {
          histogram: 'gen_ai_client_operation_duration_seconds',
          scale: 1000,
          match: {},
          absentErrors: 'unknown'
        },
        errors: {
          errors: 'llm_request_errors_total',
          total: 'llm_requests_total',
          scale: 1,
          match: {},
          absentErrors: 'unknown'
        }
      }
    })
  })

  it('names each mistake: series that do not fit the kind, a missing or unknown metric, bad names', () => {
    const wrongKind = SOURCE.replace(
      '{ histogram: gen_ai_client_operation_duration_seconds, scale: 1000 }',
      '{ sum: a_total, count: b_total }'
    )
    expect(issues(policy(wrongKind))).toEqual([
      'source.series["p95 latency"]: a quantile metric needs `histogram` (and nothing else of errors/total, sum/count, histogram)'
    ])
    const missing = SOURCE.replace(
      / {4}errors: .*\n/,
      '    error: { errors: x_total, total: y_total }\n'
    )
    expect(issues(policy(missing))).toEqual([
      'source.series: no series for metric "errors" (metrics[1]); add `errors: { ... }` with `errors` and `total`',
      'source.series.error: "error" is not the name of a metric in `metrics`'
    ])
    const badNames = SOURCE.replace('job: gateway', '"bad-label": x').replace(
      'llm_requests_total',
      'llm-requests'
    )
    expect(issues(policy(badNames)).join('\n')).toMatch(
      /source.match.bad-label: "bad-label" is not a usable label name[\s\S]*source.series.errors.total: "llm-requests" is not valid: a Prometheus metric name/
    )
    expect(
      issues(
        policy(
          SOURCE,
          undefined,
          'arms: { field: metadata.arm, baseline: a, canary: b, assignment: request }'
        )
      )
    ).toEqual([
      'arms.field: with a prometheus source, arms.field is the arm label: "metadata.arm" is not a label name (letters, digits and `_`)'
    ])
    expect(issues(policy(SOURCE.replace('https://mimir', 'https://gate:hunter2@mimir')))).toEqual([
      'source.url: "https://***@mimir.example:8080/prometheus" has credentials in it (user:password@), which would show in logs and reports; use source.auth (basic: { user, passwordEnv }) instead'
    ])
    expect(
      issues(
        policy(SOURCE.replace('bearerTokenEnv: MIMIR_TOKEN', 'bearerTokenEnv: "sk-live 123"'))
      ).join('')
    ).toMatch(
      /source.auth.bearerTokenEnv: "sk-live 123" is not valid: an environment variable name/
    )
  })
})

describe('policy: how independent aggregated requests are', () => {
  const arms = (extra: string) =>
    `arms: { field: variant, baseline: stable, canary: candidate${extra} }`
  it('asks a prometheus policy to say how the arms are assigned', () => {
    const [issue, ...rest] = issues(policy(SOURCE, undefined, arms('')))
    expect(rest).toEqual([])
    expect(issue).toMatch(/^arms: a prometheus source sums requests and keeps no user/)
    expect(issue).toMatch(/`assignment: request`/)
    expect(issue).toMatch(/`designEffect: <number>`/)
  })

  it('takes assignment: request, or a design effect of at least 1 for per-user arms', () => {
    expect(issues(policy(SOURCE, undefined, arms(', assignment: request')))).toEqual([])
    const p = parsePolicy(policy(SOURCE, undefined, arms(', designEffect: 3.5')), 'p.yml')
    expect(p.arms).toMatchObject({ designEffect: 3.5 })
    expect(p.arms.assignment).toBeUndefined()
    expect(issues(policy(SOURCE, undefined, arms(', designEffect: 0.5'))).join('\n')).toMatch(
      /arms.designEffect: .*at least 1|arms.designEffect: .*>= 1/
    )
    expect(
      issues(policy(SOURCE, undefined, arms(', assignment: request, designEffect: 2')))
    ).toEqual([
      'arms.designEffect: designEffect is for arms assigned per unit; with assignment: request the requests are independent, remove it'
    ])
  })
})

describe('policy: limitQuery', () => {
  it('is only for a metric with a limit, and must select the canary', () => {
    const withQuery = (q: string) =>
      SOURCE.replace(
        'errors: { errors: llm_request_errors_total, total: llm_requests_total }',
        `errors: { errors: llm_request_errors_total, total: llm_requests_total, limitQuery: '${q}' }`
      )
    expect(issues(policy(withQuery('sum(rate(x_total{$canary}[5m]))')))).toEqual([
      'source.series.errors.limitQuery: limitQuery is only for an absolute limit: give metric "errors" a `limit`, or remove limitQuery'
    ])
    const limited = `  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: errors, from: error, kind: rate, better: lower, tolerance: 1pp, limit: 2% }
`
    expect(issues(policy(withQuery('sum(rate(x_total[5m]))'), limited))).toEqual([
      'source.series.errors.limitQuery: limitQuery must select the canary: write `{$canary}` (or `{$canary, ...}`) in its selector'
    ])
    expect(issues(policy(withQuery('sum(rate(x_total{$canary}[5m]))'), limited))).toEqual([])
  })
})

describe('PromQL from policy text', () => {
  it('escapes label values: quotes, backslashes, newlines cannot end the string', () => {
    expect(quote('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"')
    expect(matcher('variant', ['x"} or vector(1) #'])).toBe('variant="x\\"} or vector(1) #"')
  })

  it('matches several values as an escaped, exact alternation', () => {
    expect(matcher('v', ['v1.2', 'a|b'])).toBe('v=~"v1\\\\.2|a\\\\|b"')
    expect(selector('m_total', { job: 'g' }, { arm: ['s'] })).toBe('m_total{arm="s",job="g"}')
    expect(() => selector('bad-name', {})).toThrow(/not a metric name/)
    expect(() => matcher('bad label', ['x'])).toThrow(/not a label name/)
  })

  it('shows URLs without credentials or query strings', () => {
    expect(safeUrl('https://user:pw@prom.example:9090/api/?token=abc')).toBe(
      'https://prom.example:9090/api'
    )
  })
})

describe('the Prometheus examples', () => {
  it('are valid policies', () => {
    const dir = new URL('../examples/prometheus/', import.meta.url)
    const files = readdirSync(dir).filter(f => f.endsWith('.yml'))
    expect(files.sort()).toEqual(['litellm-policy.yml', 'otel-genai-policy.yml'])
    for (const f of files) {
      const p = parsePolicy(readFileSync(new URL(f, dir), 'utf8'), f)
      expect(p.source.type).toBe('prometheus')
    }
  })
})
