/**
 * Exit 1 is for bugs only (DESIGN.md, CLI): random policies, records and states, fed to the CLI's
 * main() in-process with injected output, never make it exit 1 (0, 2 or 3 only: a decision, a
 * usage/policy/state error, or a decision not yet applied). fast-check shrinks a failure to a
 * small case and prints it with its seed.
 *
 * PROPERTY_RUNS sets the number of cases: a few hundred in `npm test`, many more with
 * `npm run test:property`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { main } from '../src/cli/main.js'

const RUNS = Number(process.env.PROPERTY_RUNS ?? 250)
const T0 = Date.parse('2026-11-02T08:00:00Z')

// ---- the pieces of a policy: mostly valid, now and then not ----

/** `valid` 24 times in 25, else `invalid`: most cases get past the policy to the engine. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 24, arbitrary: valid }, { weight: 1, arbitrary: invalid })

const badDuration = fc.constantFrom('x', 30, '5000d', '1e9d', '-5m')
const metricSpec = mostly(
  fc.oneof(
    fc.record({
      name: fc.constant('quality'),
      from: fc.constantFrom('score', 'scores.helpful', 'feedback'),
      kind: fc.constant('mean'),
      better: fc.constant('higher'),
      tolerance: fc.constantFrom('2%', 0.05, '10%'),
      mode: fc.constantFrom('gate', 'hold', 'report')
    }),
    fc.record({
      name: fc.constant('p95 latency'),
      from: fc.constantFrom('latency_ms', 'ttft_ms'),
      kind: fc.constantFrom('p95', 'p50', 'p99'),
      better: fc.constant('lower'),
      tolerance: fc.constantFrom('10%', '25%', 200)
    }),
    fc.record(
      {
        name: fc.constant('cost per request'),
        from: fc.constant('cost'),
        kind: fc.constant('mean'),
        better: fc.constant('lower'),
        tolerance: fc.constantFrom('5%', '10%'),
        gateOn: fc.constant('repriced')
      },
      { requiredKeys: ['name', 'from', 'kind', 'better', 'tolerance'] }
    ),
    fc.record(
      {
        name: fc.constant('error rate'),
        from: fc.constantFrom('error', 'error.rate_limit', 'fallback', 'cache_hit'),
        kind: fc.constant('rate'),
        better: fc.constant('lower'),
        tolerance: fc.constantFrom('0.5pp', '1pp', '20%'),
        limit: fc.constantFrom('2%', '5%'),
        rollbackAt: fc.constantFrom('2pp', '5pp')
      },
      { requiredKeys: ['name', 'from', 'kind', 'better', 'tolerance'] }
    ),
    fc.record({
      name: fc.constant('tokens per request'),
      from: fc.constant('output_tokens'),
      kind: fc.constant('ratio'),
      per: fc.constantFrom('requests', 'input_tokens'),
      better: fc.constant('lower'),
      tolerance: fc.constant('15%'),
      mode: fc.constant('report')
    })
  ),
  fc.record({
    name: fc.constantFrom('m', 'quality'),
    from: fc.constantFrom('nonexistent', 'judge', 'latency_ms'),
    kind: fc.constantFrom('median', 'p99.9', 'rate'),
    better: fc.constantFrom('higher', 'sideways'),
    tolerance: fc.constantFrom('150%', '-1%', 'abc', 0)
  })
)

const source = fc.oneof(
  { weight: 18, arbitrary: fc.constant({ type: 'file', path: 'traffic/*' }) },
  {
    weight: 1,
    arbitrary: fc.constant({
      type: 'prometheus',
      url: 'http://127.0.0.1:1',
      retries: 0,
      timeout: '1s',
      series: { 'p95 latency': { histogram: 'latency_seconds', scale: 1000 } }
    })
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      type: 'langfuse',
      baseUrl: 'http://127.0.0.1:1',
      publicKeyEnv: 'NO_SUCH_PK',
      secretKeyEnv: 'NO_SUCH_SK',
      arm: { from: 'release' },
      retries: 0
    })
  }
)

const policy = fc.record(
  {
    version: mostly(fc.constant(1), fc.constant(2)),
    rollout: fc.record(
      {
        name: mostly(fc.constant('support-assistant'), fc.constant('r')),
        steps: mostly(
          fc.constantFrom([1, 5, 25, 50, 100], [50, 100], [10, 30, 60], [100]),
          fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 5 })
        ),
        minDuration: mostly(fc.constantFrom('0s', '5m', '30m'), badDuration),
        maxDuration: mostly(fc.constantFrom('1h', '12h', '2d', '3650d'), badDuration),
        onTimeout: fc.constantFrom('rollback', 'hold'),
        minSamples: mostly(fc.constantFrom(2, 10, 50, 300), fc.constantFrom(1e9, 1e308, 0, 2.5)),
        warmup: mostly(fc.constantFrom('0s', '1m', '5m'), badDuration),
        minPeakLoad: fc.constantFrom('50%', 0.9, 0)
      },
      { requiredKeys: ['name'] }
    ),
    arms: fc.constant({ field: 'arm', baseline: 'stable', canary: 'candidate' }),
    source,
    confidence: mostly(fc.constantFrom(0.95, 0.99, 0.8), fc.constantFrom(0.5, 1)),
    metrics: fc.uniqueArray(metricSpec, {
      selector: m => m.name,
      minLength: 1,
      maxLength: 4
    }),
    segments: fc.record({
      by: fc.constant(['route']),
      gate: fc.constantFrom(false, true, 'rollback')
    }),
    dataQuality: fc.record(
      { maxMalformed: fc.constantFrom('1%', '50%', 0), maxAge: fc.constantFrom('1h', '7d', '1m') },
      { requiredKeys: [] }
    ),
    bucket: mostly(fc.constantFrom('10s', '5m', '1h', '1d'), fc.constant('1ms')),
    pricing: fc.constant({ 'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 } }),
    actuators: fc.constant([
      { type: 'webhook', url: 'http://127.0.0.1:1/hook', retries: 0, timeout: '1s' },
      { type: 'git-file', file: 'router.yaml', set: [{ path: 'canary.weight' }] }
    ]),
    judge: fc.constant({
      model: 'gpt-4.1-mini',
      rubric: 'r',
      apiKeyEnv: 'NO_SUCH_JUDGE_KEY',
      metric: { tolerance: 0.1 }
    })
  },
  { requiredKeys: ['version', 'rollout', 'arms', 'source', 'metrics'] }
)

// ---- records ----

const ts = fc.oneof(
  fc.integer({ min: -3_600_000, max: 6 * 3_600_000 }).map(d => new Date(T0 + d).toISOString()),
  fc.integer({ min: 0, max: 6 * 3_600_000 }).map(d => T0 + d),
  fc.integer({ min: 0, max: 6 * 3600 }).map(d => Math.floor(T0 / 1000) + d),
  fc.constantFrom(
    -1e15,
    0,
    1e308,
    -1,
    'garbage',
    '',
    null,
    '2026-02-30T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    8.64e15
  )
)
const num = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.constantFrom(0, -1, 1e308, 'NaN', '12', null, true, 'x')
)
const record = fc.record(
  {
    ts,
    arm: fc.constantFrom('stable', 'candidate', 'candidate', 'stable', 'other', 7, null),
    user_id: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', '', 42),
    score: num,
    latency_ms: num,
    ttft_ms: num,
    output_tokens: num,
    input_tokens: num,
    cache_read_tokens: num,
    cost_usd: num,
    error: fc.constantFrom(null, 'rate_limit', 'timeout', 'x\n::warning::y', true, 500, {
      type: 'server'
    }),
    fallback: fc.constantFrom(true, false, 'true'),
    model: fc.constantFrom('gpt-4o', 'gpt-4o-mini', 'https://evil.example', 'm\u001b[2J'),
    route: fc.constantFrom('faq', 'billing', '', null),
    input: fc.constantFrom('q', ''),
    output: fc.constantFrom('a', ''),
    feedback: fc.constantFrom(1, -1, 0, true, 'up')
  },
  { requiredKeys: ['ts', 'arm'] }
)
const line = fc.oneof(
  { weight: 20, arbitrary: record.map(r => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('[]', '{}', 'null', '"x"', '{"resourceSpans": 1}') }
)
/** A cluster of a few plain records repeated, so the statistics have something to chew on. */
const bulk = fc
  .record({ n: fc.integer({ min: 0, max: 1500 }), seed: fc.integer({ min: 1, max: 1000 }) })
  .map(({ n, seed }) => {
    const out: string[] = []
    for (let i = 0; i < n; i++) {
      const x = (seed * 9301 + i * 49297) % 233280
      out.push(
        JSON.stringify({
          ts: new Date(T0 + i * 4000).toISOString(),
          arm: x % 2 ? 'candidate' : 'stable',
          user_id: `u${x % 97}`,
          score: (x % 100) / 100,
          latency_ms: 100 + (x % 900),
          error: x % 23 === 0 ? 'rate_limit' : null,
          input_tokens: 1000 + (x % 5000),
          cache_read_tokens: x % 3 ? 0 : 512,
          output_tokens: 50 + (x % 300),
          model: 'gpt-4o',
          route: x % 3 ? 'faq' : 'billing'
        })
      )
    }
    return out
  })
const files = fc.record({
  jsonl: fc.array(line, { maxLength: 30 }),
  bulk,
  extra: fc.constantFrom(
    'none',
    'none',
    'none',
    'truncated-gzip',
    'csv-unclosed',
    'empty',
    'binary'
  )
})

// ---- states ----

const at = new Date(T0).toISOString()
const stateField = fc.record(
  {
    version: mostly(fc.constant(1), fc.constant(2)),
    rollout: mostly(fc.constant('support-assistant'), fc.constantFrom('r', 'other')),
    revision: mostly(fc.constantFrom(0, 1, 7), fc.constantFrom(-1, 2.5)),
    status: mostly(
      fc.constantFrom('running', 'running', 'paused', 'complete', 'rolled-back'),
      fc.constant('weird')
    ),
    stepIndex: mostly(fc.constantFrom(0, 1, 2), fc.constantFrom(4, 99, -1)),
    stepStartedAt: mostly(
      fc.constantFrom(
        at,
        new Date(T0 - 86_400_000 * 30).toISOString(),
        new Date(T0 + 7_200_000).toISOString()
      ),
      fc.constantFrom('+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00Z', 'yesterday')
    ),
    history: mostly(
      fc.constantFrom(
        [],
        [{ at, action: 'hold', from: 5, to: 5, manual: false, reason: 'x' }],
        [
          {
            at,
            action: 'promote',
            from: 1,
            to: 50,
            manual: false,
            reason: 'x',
            metrics: [{ name: 'quality', estimate: 0.1, lower: null, upper: 1, verdict: 'pass' }]
          }
        ]
      ),
      fc.constantFrom([{ at: 'x', metrics: 'y' }], 'nope')
    ),
    paused: mostly(fc.constant({ at, actor: 'a', reason: 'r' }), fc.constant('x')),
    baselineAtStart: fc.constantFrom(
      { at, levels: { quality: 0.8, 'p95 latency': 500 } },
      {
        at,
        levels: { quality: 0.8 },
        mix: {
          inputTokens: 1200,
          segments: { 'route=faq': { share: 1, levels: { quality: 0.7 } } }
        }
      },
      { at: 'x', levels: { quality: 'high' } },
      { at, levels: {}, mix: { inputTokens: 'x' } }
    ),
    peakLoad: fc.constantFrom({ at, perHour: 1000 }, { perHour: -1 }),
    judgeCache: fc.constantFrom({ key: 'k', entries: [{ k: 'a', s: 0.5 }] }, { key: 1 }),
    desired: fc.constantFrom(
      { weight: 5, status: 'running', actor: 'a', reason: 'r', at },
      { weight: 50, status: 'running', actor: 'a', reason: 'r', at, from: 5, appliedAt: at },
      { weight: 500 }
    ),
    applied: fc.constantFrom(
      {
        'webhook http://127.0.0.1:1': { weight: 5, at },
        'git-file router.yaml': { weight: 0, status: 'rolled-back', at }
      },
      { a: 1 }
    ),
    comment: fc.constantFrom({ pullRequest: 1, id: 2, author: 'x' }, { id: 'x' }),
    pullRequest: mostly(fc.constant(12), fc.constantFrom(-1, 'x'))
  },
  {
    requiredKeys: [
      'version',
      'rollout',
      'revision',
      'status',
      'stepIndex',
      'stepStartedAt',
      'history'
    ]
  }
)
const state = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 12, arbitrary: stateField.map(s => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"version":1}') }
)

// ---- the command line ----

const instant = mostly(
  fc.constantFrom(
    new Date(T0 + 3 * 3_600_000).toISOString(),
    new Date(T0 + 30 * 60_000).toISOString(),
    new Date(T0 + 60_000).toISOString(),
    new Date(T0 - 86_400_000 * 40).toISOString(),
    '2026-11-02',
    '9999-12-31T23:59:59Z',
    '0001-01-01'
  ),
  fc.constantFrom('2026-02-30', 'March 5', '2026-11-02T10:00:00')
)
const command = fc.oneof(
  {
    weight: 7,
    arbitrary: fc.record(
      {
        name: fc.constant('evaluate'),
        now: instant,
        since: instant,
        format: fc.constantFrom('text', 'json', 'markdown'),
        dryRun: fc.boolean(),
        records: fc.boolean()
      },
      { requiredKeys: ['name'] }
    )
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        name: fc.constantFrom('rollback', 'pause', 'resume', 'promote', 'status'),
        reason: mostly(fc.constantFrom('why', 'x\n::warning::y'), fc.constant('')),
        format: fc.constantFrom('text', 'json')
      },
      { requiredKeys: ['name', 'reason'] }
    )
  },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.constant('promote'),
      reason: fc.constant('go'),
      weight: fc.constantFrom('50', '25%', '100', '0', '7', '10')
    })
  }
)

function argv(dir: string, c: Record<string, unknown>, hasState: boolean): string[] {
  const args = [String(c.name), '--policy', join(dir, 'policy.yml')]
  if (hasState || c.name !== 'evaluate') args.push('--state', join(dir, 'state.json'))
  if (c.now !== undefined) args.push('--now', String(c.now))
  if (c.since !== undefined) args.push('--since', String(c.since))
  if (c.format !== undefined) args.push('--format', String(c.format))
  if (c.dryRun) args.push('--dry-run')
  if (c.records) args.push('--records', join(dir, 'traffic', '*'))
  if (c.reason !== undefined && c.name !== 'status' && c.name !== 'resume')
    args.push('--reason', String(c.reason))
  if (c.weight !== undefined) args.push('--weight', String(c.weight))
  return args
}

function writeCase(
  dir: string,
  p: unknown,
  f: { jsonl: string[]; bulk: string[]; extra: string },
  s: string | undefined
): void {
  writeFileSync(join(dir, 'policy.yml'), stringify(p))
  mkdirSync(join(dir, 'traffic'))
  writeFileSync(join(dir, 'traffic', 'a.jsonl'), [...f.bulk, ...f.jsonl].join('\n') + '\n')
  const extra = join(dir, 'traffic', 'b.jsonl')
  if (f.extra === 'truncated-gzip') {
    const gz = gzipSync(f.bulk.join('\n') + '\n')
    writeFileSync(extra, gz.subarray(0, Math.max(2, Math.floor(gz.length / 2))))
  } else if (f.extra === 'csv-unclosed') {
    writeFileSync(join(dir, 'traffic', 'c.csv'), `ts,arm\n${new Date(T0).toISOString()},"stable\n`)
  } else if (f.extra === 'empty') writeFileSync(extra, '')
  else if (f.extra === 'binary') writeFileSync(extra, Buffer.from([0, 1, 2, 3]))
  writeFileSync(join(dir, 'router.yaml'), 'canary:\n  weight: 5\n')
  if (s !== undefined) writeFileSync(join(dir, 'state.json'), s)
}

describe('the CLI never exits 1 (a bug) on random policies, records and states', () => {
  it(`${RUNS} random cases`, async () => {
    await fc.assert(
      fc.asyncProperty(policy, files, state, command, async (p, f, s, c) => {
        const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-property-'))
        try {
          writeCase(dir, p, f, s)
          let err = ''
          const status = await main(argv(dir, c, s !== undefined), {
            out: () => undefined,
            err: text => void (err += text),
            clock: () => T0 + 3 * 3_600_000,
            cwd: dir
          })
          expect([0, 2, 3, 4], `exit ${status}: ${err}`).toContain(status)
          if (process.env.PROPERTY_DEBUG)
            console.log('STATUS', status, err.slice(0, 150).replace(/\n/g, ' '))
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }),
      {
        numRuns: RUNS,
        ...(process.env.PROPERTY_SEED && { seed: Number(process.env.PROPERTY_SEED) })
      }
    )
  }, 600_000)
})
