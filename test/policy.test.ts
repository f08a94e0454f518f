import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../src/policy/parse.js'
import { PolicyError, type Policy } from '../src/policy/types.js'
import { DESIGN_POLICY, edit, issuesOf } from './policy-fixtures.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('parsePolicy on valid policies', () => {
  it('parses the DESIGN.md example to the exact Policy, defaults filled in', () => {
    const expected: Policy = {
      version: 1,
      rollout: {
        name: 'support-assistant',
        steps: [1, 5, 25, 50, 100],
        minDuration: 30 * MINUTE,
        maxDuration: 12 * HOUR,
        onTimeout: 'rollback',
        minSamples: 300,
        warmup: 5 * MINUTE
      },
      arms: { field: 'arm', baseline: ['stable'], canary: ['candidate'] },
      source: { type: 'file', path: ['traffic/*.jsonl'], format: 'auto' },
      confidence: 0.95,
      metrics: [
        {
          name: 'quality',
          from: 'score',
          kind: 'mean',
          better: 'higher',
          tolerance: { value: 0.02, relative: true },
          mode: 'gate',
          path: 'metrics[0]'
        },
        {
          name: 'p95 latency',
          from: 'latency_ms',
          kind: 'quantile',
          quantile: 0.95,
          better: 'lower',
          tolerance: { value: 0.1, relative: true },
          mode: 'gate',
          path: 'metrics[1]'
        },
        {
          name: 'cost per request',
          from: 'cost',
          kind: 'mean',
          better: 'lower',
          tolerance: { value: 0.05, relative: true },
          mode: 'gate',
          path: 'metrics[2]'
        },
        {
          name: 'error rate',
          from: 'error',
          kind: 'rate',
          better: 'lower',
          tolerance: { value: 0.005, relative: false },
          limit: 0.02,
          mode: 'gate',
          path: 'metrics[3]'
        },
        {
          name: 'output length',
          from: 'output_tokens',
          kind: 'mean',
          better: 'lower',
          tolerance: { value: 0.15, relative: true },
          mode: 'report',
          path: 'metrics[4]'
        }
      ],
      segments: { by: ['route', 'language'], gate: false },
      pricing: { 'gpt-4o-2024-08-06': { input: 2.5, cacheRead: 1.25, output: 10 } },
      dataQuality: { maxMalformed: 0.01, maxAge: 7 * 86_400_000 },
      trafficSplit: { alpha: 0.001 },
      bucket: 5 * MINUTE
    }
    expect(parsePolicy(DESIGN_POLICY, 'rollout.yaml')).toStrictEqual(expected)
  })

  it('fills every default in a minimal policy', () => {
    const minimal = `version: 1
rollout: { name: r1 }
arms: { baseline: a, canary: b }
source: { type: file, path: x.jsonl }
metrics: [{ name: q, from: score, kind: mean, better: higher, tolerance: 2% }]
`
    expect(parsePolicy(minimal, 'p.yaml')).toStrictEqual({
      version: 1,
      rollout: {
        name: 'r1',
        steps: [1, 5, 25, 50, 100],
        minDuration: 30 * MINUTE,
        maxDuration: 12 * HOUR,
        onTimeout: 'rollback',
        minSamples: 300,
        warmup: 5 * MINUTE
      },
      arms: { field: 'arm', baseline: ['a'], canary: ['b'] },
      source: { type: 'file', path: ['x.jsonl'], format: 'auto' },
      confidence: 0.95,
      metrics: [
        {
          name: 'q',
          from: 'score',
          kind: 'mean',
          better: 'higher',
          tolerance: { value: 0.02, relative: true },
          mode: 'gate',
          path: 'metrics[0]'
        }
      ],
      pricing: {},
      dataQuality: { maxMalformed: 0.01, maxAge: 7 * 86_400_000 },
      trafficSplit: { alpha: 0.001 },
      bucket: 5 * MINUTE
    } satisfies Policy)
  })

  it('reads lists, ratio, p99.9, rollbackAt, limits and the other options', () => {
    const text = `version: 1
rollout: { name: checkout.v2_beta, steps: [10, 100], onTimeout: hold, minSamples: 50, warmup: 0s }
arms: { field: variant, baseline: [stable, control], canary: candidate, unit: user_id }
source: { type: file, path: [a.jsonl, b.csv.gz], format: csv }
confidence: 0.9
metrics:
  - { name: cost per token, from: cost, per: output_tokens, kind: ratio, better: lower, tolerance: 0.001, rollbackAt: 0.002 }
  - { name: tail, from: latency_ms, kind: p99.9, better: lower, tolerance: 10%, rollbackAt: 25%, limit: 8000, mode: hold }
  - { name: throttled, from: error.rate_limit, kind: rate, better: lower, tolerance: 0.005, rollbackAt: 1pp, limit: 0.02 }
  - { name: helpful, from: scores.helpfulness, kind: mean, better: higher, tolerance: 0.02, rollbackAt: 5% }
segments: { by: route, gate: true }
pricing: { "gpt-4.1": { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2.5 } }
dataQuality: { maxMalformed: 0.05 }
trafficSplit: { alpha: 0.01 }
bucket: 1m
`
    const policy = parsePolicy(text, 'p.yaml')
    expect(policy.rollout).toStrictEqual({
      name: 'checkout.v2_beta',
      steps: [10, 100],
      minDuration: 30 * MINUTE,
      maxDuration: 12 * HOUR,
      onTimeout: 'hold',
      minSamples: 50,
      warmup: 0
    })
    expect(policy.arms).toStrictEqual({
      field: 'variant',
      baseline: ['stable', 'control'],
      canary: ['candidate'],
      unit: 'user_id'
    })
    expect(policy.source).toStrictEqual({
      type: 'file',
      path: ['a.jsonl', 'b.csv.gz'],
      format: 'csv'
    })
    expect(policy.confidence).toBe(0.9)
    expect(policy.metrics).toStrictEqual([
      {
        name: 'cost per token',
        from: 'cost',
        per: 'output_tokens',
        kind: 'ratio',
        better: 'lower',
        tolerance: { value: 0.001, relative: false },
        rollbackAt: { value: 0.002, relative: false },
        mode: 'gate',
        path: 'metrics[0]'
      },
      {
        name: 'tail',
        from: 'latency_ms',
        kind: 'quantile',
        quantile: 0.999,
        better: 'lower',
        tolerance: { value: 0.1, relative: true },
        rollbackAt: { value: 0.25, relative: true },
        limit: 8000,
        mode: 'hold',
        path: 'metrics[1]'
      },
      {
        name: 'throttled',
        from: 'error.rate_limit',
        kind: 'rate',
        better: 'lower',
        tolerance: { value: 0.005, relative: false },
        rollbackAt: { value: 0.01, relative: false },
        limit: 0.02,
        mode: 'gate',
        path: 'metrics[2]'
      },
      {
        // tolerance absolute, rollbackAt relative: not comparable, so both are accepted as given
        name: 'helpful',
        from: 'scores.helpfulness',
        kind: 'mean',
        better: 'higher',
        tolerance: { value: 0.02, relative: false },
        rollbackAt: { value: 0.05, relative: true },
        mode: 'gate',
        path: 'metrics[3]'
      }
    ])
    expect(policy.segments).toStrictEqual({ by: ['route'], gate: 'hold' })
    expect(policy.pricing).toStrictEqual({
      'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2.5 }
    })
    expect(policy.dataQuality).toStrictEqual({ maxMalformed: 0.05, maxAge: 7 * 86_400_000 })
    expect(policy.trafficSplit).toStrictEqual({ alpha: 0.01 })
    expect(policy.bucket).toBe(MINUTE)
  })

  it('follows YAML anchors and aliases', () => {
    const text = edit({ 21: '  a: &price { input: 1, output: 2 }\n  b: *price' })
    expect(parsePolicy(text, 'p.yaml').pricing).toStrictEqual({
      a: { input: 1, output: 2 },
      b: { input: 1, output: 2 }
    })
  })
})

describe('parsePolicy on unreadable documents', () => {
  it.each(['', '\n\n', '# only a comment\n', '---\n', '~\n'])('calls %j empty', text => {
    expect(issuesOf(text, 'rollout.yaml')).toEqual([
      {
        file: 'rollout.yaml',
        line: 1,
        col: 1,
        path: '',
        message: expect.stringMatching(
          /^policy file is empty: rollout\.yaml; write at least version/
        )
      }
    ])
  })

  it.each([
    ['version: 1\nrollout: { name: x\n', 3, 1, /^invalid YAML: Flow map .* must .* end with a \}/],
    [
      'version: 1\nrollout:\n  name: a: b\n',
      3,
      9,
      /^invalid YAML: Nested mappings are not allowed/
    ],
    ['version: 1\nversion: 1\n', 2, 1, /^invalid YAML: Map keys must be unique/],
    ['version: 1\n---\nversion: 1\n', 2, 1, /^invalid YAML: a policy file holds one YAML document/],
    ['version: "1\n', 2, 1, /^invalid YAML: Missing closing "quote/],
    [
      'rollout: *nowhere\n',
      1,
      10,
      /^invalid YAML: alias \*nowhere has no anchor; define &nowhere before it$/
    ]
  ])('reports the YAML syntax error in %j with its position', (text, line, col, message) => {
    expect(issuesOf(text)).toContainEqual({
      file: 'policy.yaml',
      line,
      col,
      path: '',
      message: expect.stringMatching(message)
    })
  })

  it.each([
    ['- version: 1\n', /got a list$/],
    ['just text\n', /got the scalar "just text"$/],
    ['42\n', /got the scalar "42"$/]
  ])('asks for a mapping at the top level of %j', (text, got) => {
    expect(issuesOf(text)).toEqual([
      {
        file: 'policy.yaml',
        line: 1,
        col: 1,
        path: '',
        message: expect.stringMatching(
          /^the top level of a policy must be a mapping \(version: 1, rollout: \.\.\., metrics: \.\.\.\), /
        )
      }
    ])
    expect(issuesOf(text)[0]?.message).toMatch(got)
  })
})

interface Case {
  /** Lines of DESIGN_POLICY to replace (null removes). */
  lines: Record<number, string | null>
  path: string
  /** The issue's line, and a token on that line (of the edited text) where its column must be. */
  at: [number, string]
  message: RegExp
}

function expectIssue({ lines, path, at, message }: Case): void {
  const text = edit(lines)
  const [line, token] = at
  const col = (text.split('\n')[line - 1] ?? '').indexOf(token) + 1
  expect(col, `token ${token} on line ${line}`).toBeGreaterThan(0)
  expect(issuesOf(text)).toContainEqual({
    file: 'policy.yaml',
    line,
    col,
    path,
    message: expect.stringMatching(message)
  })
}

const metricLine = (fields: string): string => `  - { ${fields} }`

const cases: Record<string, Case> = {
  'missing rollout.name (at the rollout key)': {
    lines: { 3: null },
    path: 'rollout.name',
    at: [2, 'rollout'],
    message: /^missing required key `name` \(a string\)\. Stable id of the rollout/
  },
  'missing metrics (at the document)': {
    lines: { 13: null, 14: null, 15: null, 16: null, 17: null, 18: null },
    path: 'metrics',
    at: [1, 'version'],
    message: /^missing required key `metrics`/
  },
  'missing better in a flow mapping (at its brace)': {
    lines: { 14: metricLine('name: quality, from: score, kind: mean, tolerance: 2%') },
    path: 'metrics[0].better',
    at: [14, '{'],
    message: /^missing required key `better` \(one of higher, lower\)/
  },
  'missing arms.baseline': {
    lines: { 10: 'arms: { canary: candidate }' },
    path: 'arms.baseline',
    at: [10, 'arms'],
    message: /^missing required key `baseline`/
  },
  'missing source.type': {
    lines: { 11: 'source: { path: x.jsonl }' },
    path: 'source.type',
    at: [11, 'source'],
    message: /^missing required key `type` \(one of file, langfuse, prometheus, sql\)/
  },
  'a word for a number': {
    lines: { 12: 'confidence: high' },
    path: 'confidence',
    at: [12, 'high'],
    message: /^expected a number > 0\.5 and < 1, got the string "high"$/
  },
  'a quoted number': {
    lines: { 8: '  minSamples: "300"' },
    path: 'rollout.minSamples',
    at: [8, '"300"'],
    message: /^expected an integer >= 1 and <= 1000000000, got the string "300"; remove the quotes$/
  },
  'a number for a string': {
    lines: { 3: '  name: 2024' },
    path: 'rollout.name',
    at: [3, '2024'],
    message: /^expected a string, got the number 2024; quote it: "2024"$/
  },
  'a scalar for a mapping': {
    lines: { 2: 'rollout: fast', 3: null, 4: null, 5: null, 6: null, 7: null, 8: null, 9: null },
    path: 'rollout',
    at: [2, 'fast'],
    message: /^expected a mapping \(key: value lines\), got the string "fast"$/
  },
  'a scalar for a list': {
    lines: { 4: '  steps: 5' },
    path: 'rollout.steps',
    at: [4, '5'],
    message: /^expected a list, got the number 5$/
  },
  'null for a duration': {
    lines: { 9: '  warmup:' },
    path: 'rollout.warmup',
    at: [9, 'warmup'],
    message: /^expected a duration like 30s, .* got nothing \(null\)$/
  },
  'an unknown key with a near miss': {
    lines: { 5: '  minDuraton: 30m' },
    path: 'rollout.minDuraton',
    at: [5, 'minDuraton'],
    message: /^unknown key `minDuraton`; did you mean `minDuration`\?$/
  },
  'an unknown key in a metric': {
    lines: {
      14: metricLine('name: quality, from: score, kind: mean, better: higher, tolerence: 2%')
    },
    path: 'metrics[0].tolerence',
    at: [14, 'tolerence'],
    message: /^unknown key `tolerence`; did you mean `tolerance`\?$/
  },
  'a misspelt top-level key': {
    lines: { 13: 'metric:' },
    path: 'metric',
    at: [13, 'metric'],
    message: /^unknown key `metric`; did you mean `metrics`\?$/
  },
  'an unknown key far from any': {
    lines: { 19: 'colour: red' },
    path: 'colour',
    at: [19, 'colour'],
    message:
      /^unknown key `colour`; remove it, or use one of: version, rollout, arms, source, confidence, metrics, segments, pricing, dataQuality, trafficSplit, bucket, models, actuators, judge, varianceReduction$/
  },
  'an unknown metric kind': {
    lines: {
      14: metricLine('name: quality, from: score, kind: average, better: higher, tolerance: 2%')
    },
    path: 'metrics[0].kind',
    at: [14, 'average'],
    message:
      /^unknown metric kind "average"; valid kinds: mean, rate, ratio, p50, p90, p95, p99, or p<percentile> like p99\.9$/
  },
  'a misspelt metric kind': {
    lines: {
      14: metricLine('name: quality, from: score, kind: meen, better: higher, tolerance: 2%')
    },
    path: 'metrics[0].kind',
    at: [14, 'meen'],
    message: /; did you mean `mean`\?$/
  },
  'p100 (no such quantile)': {
    lines: {
      15: metricLine(
        'name: p95 latency, from: latency_ms, kind: p100, better: lower, tolerance: 10%'
      )
    },
    path: 'metrics[1].kind',
    at: [15, 'p100'],
    message: /^unknown metric kind "p100"/
  },
  'a negative tolerance': {
    lines: {
      14: metricLine('name: quality, from: score, kind: mean, better: higher, tolerance: -2%')
    },
    path: 'metrics[0].tolerance',
    at: [14, '-2%'],
    message:
      /^tolerance is the worst acceptable change, a non-negative amount; `better` gives its direction$/
  },
  'a negative plain tolerance': {
    lines: {
      14: metricLine('name: quality, from: score, kind: mean, better: higher, tolerance: -0.01')
    },
    path: 'metrics[0].tolerance',
    at: [14, '-0.01'],
    message: /^tolerance is the worst acceptable change, a non-negative amount/
  },
  'pp on a mean': {
    lines: {
      14: metricLine('name: quality, from: score, kind: mean, better: higher, tolerance: 0.5pp')
    },
    path: 'metrics[0].tolerance',
    at: [14, '0.5pp'],
    message:
      /^`pp` \(percentage points\) is only for kind rate; a `%` on a mean metric is relative to the baseline/
  },
  'pp on a quantile rollbackAt': {
    lines: {
      15: metricLine(
        'name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10%, rollbackAt: 20pp'
      )
    },
    path: 'metrics[1].rollbackAt',
    at: [15, '20pp'],
    message:
      /^`pp` \(percentage points\) is only for kind rate; a `%` on a quantile metric is relative/
  },
  'a tolerance that does not parse': {
    lines: {
      14: metricLine('name: quality, from: score, kind: mean, better: higher, tolerance: 2 %')
    },
    path: 'metrics[0].tolerance',
    at: [14, '2 %'],
    message:
      /^"2 %" is not an amount: write a percentage \(5%\), percentage points \(0\.5pp\) or a number/
  },
  'steps out of order': {
    lines: { 4: '  steps: [1, 25, 5, 50, 100]' },
    path: 'rollout.steps[2]',
    at: [4, '5, 50'],
    message: /^steps must be strictly increasing: 5 comes after 25$/
  },
  'a repeated step': {
    lines: { 4: '  steps: [1, 5, 5, 100]' },
    path: 'rollout.steps[2]',
    at: [4, '5, 100'],
    message: /^steps must be strictly increasing: 5 comes after 5$/
  },
  'a step of 0': {
    lines: { 4: '  steps: [0, 50, 100]' },
    path: 'rollout.steps[0]',
    at: [4, '0,'],
    message: /^expected a number > 0 and <= 100, got the number 0$/
  },
  'a step above 100': {
    lines: { 4: '  steps: [50, 101]' },
    path: 'rollout.steps[1]',
    at: [4, '101'],
    message: /^expected a number > 0 and <= 100, got the number 101$/
  },
  'no steps': {
    lines: { 4: '  steps: []' },
    path: 'rollout.steps',
    at: [4, '[]'],
    message: /^has 0 items; list at least 1\. Canary share/
  },
  'confidence of 0.5': {
    lines: { 12: 'confidence: 0.5' },
    path: 'confidence',
    at: [12, '0.5'],
    message: /^expected a number > 0\.5 and < 1, got the number 0\.5$/
  },
  'confidence of 1': {
    lines: { 12: 'confidence: 1' },
    path: 'confidence',
    at: [12, '1'],
    message: /^expected a number > 0\.5 and < 1, got the number 1$/
  },
  'version 2': {
    lines: { 1: 'version: 2' },
    path: 'version',
    at: [1, '2'],
    message: /^unsupported version 2: this release reads version 1 policies; set version: 1$/
  },
  'version "1" (a string)': {
    lines: { 1: 'version: "1"' },
    path: 'version',
    at: [1, '"1"'],
    message: /^unsupported version "1"/
  },
  'a duplicate metric name': {
    lines: {
      16: metricLine('name: quality, from: cost, kind: mean, better: lower, tolerance: 5%')
    },
    path: 'metrics[2].name',
    at: [16, 'quality'],
    message: /^duplicate metric name "quality" \(also metrics\[0\]\); names must be unique$/
  },
  'a ratio without per': {
    lines: {
      16: metricLine('name: cost per token, from: cost, kind: ratio, better: lower, tolerance: 5%')
    },
    path: 'metrics[2].per',
    at: [16, '{'],
    message: /^kind ratio needs `per`: the denominator field/
  },
  'per on a mean': {
    lines: {
      16: metricLine(
        'name: cost, from: cost, per: output_tokens, kind: mean, better: lower, tolerance: 5%'
      )
    },
    path: 'metrics[2].per',
    at: [16, 'per:'],
    message:
      /^`per` is only for kind ratio \(sum\(from\) \/ sum\(per\)\); remove it, or set kind: ratio$/
  },
  'gateOn: repriced on a latency metric': {
    lines: {
      16: metricLine(
        'name: p50, from: latency_ms, kind: p50, better: lower, tolerance: 5%, gateOn: repriced'
      )
    },
    path: 'metrics[2].gateOn',
    at: [16, 'gateOn:'],
    message:
      /^gateOn: repriced re-prices the canary's input tokens, so it is only for a mean cost metric/
  },
  'a limit that does not parse': {
    lines: {
      17: metricLine(
        'name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 2 percent'
      )
    },
    path: 'metrics[3].limit',
    at: [17, '2 percent'],
    message:
      /^"2 percent" is not a percentage: write a number and %, like 5% or 0\.5%, or give a plain number/
  },
  'a % limit on a mean': {
    lines: {
      14: metricLine(
        'name: quality, from: score, kind: mean, better: higher, tolerance: 2%, limit: 90%'
      )
    },
    path: 'metrics[0].limit',
    at: [14, '90%'],
    message:
      /^a `%` limit is only for kind rate; give the mean limit as a number in the metric's unit$/
  },
  'a rate limit above 1': {
    lines: {
      17: metricLine(
        'name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 1.5'
      )
    },
    path: 'metrics[3].limit',
    at: [17, '1.5'],
    message: /^a rate limit is a proportion from 0 to 1/
  },
  'a negative limit': {
    lines: {
      17: metricLine(
        'name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: -1'
      )
    },
    path: 'metrics[3].limit',
    at: [17, '-1'],
    message: /^a limit is a non-negative amount/
  },
  'rollbackAt below the tolerance': {
    lines: {
      17: metricLine(
        'name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp, rollbackAt: 0.5pp'
      )
    },
    path: 'metrics[3].rollbackAt',
    at: [17, '0.5pp'],
    message: /^rollbackAt must be at least the tolerance/
  },
  'an empty segments.by': {
    lines: { 19: 'segments: { by: [], gate: false }' },
    path: 'segments.by',
    at: [19, '[]'],
    message: /^is empty; list at least one\. Record field\(s\) that define the segments\.$/
  },
  'an empty segments.by string': {
    lines: { 19: 'segments: { by: "" }' },
    path: 'segments.by',
    at: [19, '""'],
    message: /^must not be empty$/
  },
  'an unknown segments.gate': {
    lines: { 19: 'segments: { by: route, gate: maybe }' },
    path: 'segments.gate',
    at: [19, 'maybe'],
    message: /^expected one of false, true, hold, rollback, got the string "maybe"$/
  },
  'minSamples of 0': {
    lines: { 8: '  minSamples: 0' },
    path: 'rollout.minSamples',
    at: [8, '0'],
    message: /^expected an integer >= 1 and <= 1000000000, got the number 0$/
  },
  'a fractional minSamples': {
    lines: { 8: '  minSamples: 2.5' },
    path: 'rollout.minSamples',
    at: [8, '2.5'],
    message: /^expected an integer >= 1 and <= 1000000000, got the number 2\.5$/
  },
  'maxDuration not above minDuration': {
    lines: { 6: '  maxDuration: 30m' },
    path: 'rollout.maxDuration',
    at: [6, '30m'],
    message: /^maxDuration \(30m\) must be longer than minDuration \(30m\)/
  },
  'a default maxDuration below minDuration (points at rollout)': {
    lines: { 5: '  minDuration: 1d', 6: null },
    path: 'rollout.maxDuration',
    at: [2, 'rollout'],
    message: /^maxDuration \(12h\) must be longer than minDuration \(1d\)/
  },
  'warmup not below maxDuration': {
    lines: { 9: '  warmup: 12h' },
    path: 'rollout.warmup',
    at: [9, '12h'],
    message: /^warmup \(12h\) must be shorter than maxDuration \(12h\)/
  },
  'a duration without a unit': {
    lines: { 5: '  minDuration: 30' },
    path: 'rollout.minDuration',
    at: [5, '30'],
    message: /^"30" needs a unit \(d, h, m, s or ms\)/
  },
  'a malformed duration': {
    lines: { 5: '  minDuration: 1.5.5h' },
    path: 'rollout.minDuration',
    at: [5, '1.5.5h'],
    message: /^"1\.5\.5h" is not a duration/
  },
  'a bucket out of range': {
    lines: { 19: 'bucket: 5s' },
    path: 'bucket',
    at: [19, '5s'],
    message: /^must be between 10s and 1d; got 5s$/
  },
  'an invalid rollout name': {
    lines: { 3: '  name: -support' },
    path: 'rollout.name',
    at: [3, '-support'],
    message: /^"-support" is not valid: start with a letter or digit, then up to 63 letters/
  },
  'overlapping arms': {
    lines: { 10: 'arms: { baseline: [stable, shared], canary: [candidate, shared] }' },
    path: 'arms.canary',
    at: [10, '[candidate'],
    message: /^"shared" marks both arms: a value must belong to baseline or canary, not both$/
  },
  'an unknown source type': {
    lines: { 11: 'source: { type: kafka, path: x }' },
    path: 'source.type',
    at: [11, 'kafka'],
    message: /^unknown type "kafka"; valid types: file, langfuse, prometheus, sql$/
  },
  'a misspelt source type': {
    lines: { 11: 'source: { type: fil, path: x }' },
    path: 'source.type',
    at: [11, 'fil'],
    message:
      /^unknown type "fil"; valid types: file, langfuse, prometheus, sql; did you mean `file`\?$/
  },
  'an unknown source format': {
    lines: { 11: 'source: { type: file, path: x, format: parquet }' },
    path: 'source.format',
    at: [11, 'parquet'],
    message: /^expected one of auto, jsonl, csv, otlp, got the string "parquet"$/
  },
  'a negative price': {
    lines: { 21: '  gpt-4o-2024-08-06: { input: -2.50, output: 10.00 }' },
    path: 'pricing.gpt-4o-2024-08-06.input',
    at: [21, '-2.50'],
    message: /^expected a number >= 0, got the number -2\.5$/
  },
  'a price missing for a dotted model id': {
    lines: { 21: '  gpt-4.1: { input: 2 }' },
    path: 'pricing["gpt-4.1"].output',
    at: [21, 'gpt-4.1'],
    message: /^missing required key `output`/
  },
  'maxMalformed above 100%': {
    lines: { 19: 'dataQuality: { maxMalformed: 150% }' },
    path: 'dataQuality.maxMalformed',
    at: [19, '150%'],
    message: /^expected a percentage like 1% or a number from 0 to 1, got the string "150%"$/
  },
  'a trafficSplit.alpha of 0.5': {
    lines: { 19: 'trafficSplit: { alpha: 0.5 }' },
    path: 'trafficSplit.alpha',
    at: [19, '0.5'],
    message: /^expected a number > 0 and < 0\.5, got the number 0\.5$/
  }
}

describe('parsePolicy reports, with file:line:col and key path,', () => {
  it.each(Object.entries(cases))('%s', (_, c) => expectIssue(c))

  it('an issue through an alias at the anchored node', () => {
    const text = edit({ 21: '  a: &price { input: 1, output: -2 }\n  b: *price' })
    const issues = issuesOf(text)
    expect(issues.map(i => [i.path, i.line, i.col])).toEqual([
      ['pricing.a.output', 21, 33],
      ['pricing.b.output', 21, 33]
    ])
  })

  it('at most 50 issues, then how many more', () => {
    const text = Array.from({ length: 60 }, (_, i) => `extra${i}: 1`).join('\n')
    const issues = issuesOf(text)
    expect(issues).toHaveLength(51)
    expect(issues[50]).toEqual({
      file: 'policy.yaml',
      line: 0,
      col: 0,
      path: '',
      message: '15 more issues not shown; fix these first'
    })
  })

  it('an alias bomb as unreadable, quickly', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]']
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const previous = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`)
    }
    expect(issuesOf(levels.join('\n'))).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^cannot read YAML: Excessive alias count/)
      })
    ])
  })

  it('every issue at once, in file order, in the error message', () => {
    const text = edit({
      1: 'version: 3',
      5: '  minDuraton: 30m',
      12: 'confidence: 2',
      17: metricLine('name: error rate, from: error, kind: rate, better: lower, tolerance: -1pp')
    })
    let error: unknown
    try {
      parsePolicy(text, 'policies/main.yaml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect((error as PolicyError).message.split('\n')).toEqual([
      'policies/main.yaml:1:10: version: unsupported version 3: this release reads version 1 policies; set version: 1',
      'policies/main.yaml:5:3: rollout.minDuraton: unknown key `minDuraton`; did you mean `minDuration`?',
      'policies/main.yaml:12:13: confidence: expected a number > 0.5 and < 1, got the number 2',
      'policies/main.yaml:17:76: metrics[3].tolerance: tolerance is the worst acceptable change, a non-negative amount; `better` gives its direction'
    ])
  })
})
