import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { evaluate, type Outcome } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import { loadPolicyFile } from '../src/policyFile.js'
import type { LangfuseSourceSpec, Policy } from '../src/policy/types.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { retryAfterMs } from '../src/sources/langfuse/client.js'
import { LangfuseSource } from '../src/sources/langfuse/langfuseSource.js'
import { errorClassOf } from '../src/sources/langfuse/observation.js'
import { TOTAL_SEGMENT, type Evidence } from '../src/sketch/evidence.js'
import { BIN, T0, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'
import { LangfuseStandIn, type ScoreV3, type ObservationV2 } from './helpers/langfuseStandIn.js'
import { langfuseData, toLangfuse } from './helpers/langfuseTraffic.js'

const KEYS = { publicKey: 'pk-lf-1234public', secretKey: 'sk-lf-5678SECRET' }
const ENV = { LANGFUSE_PUBLIC_KEY: KEYS.publicKey, LANGFUSE_SECRET_KEY: KEYS.secretKey }
const HOUR = 3_600_000

/** The test policy of the CLI tests, with its file source swapped for `source`. */
function policyWith(source: string, dir = tempDir()): Policy {
  const text = readFileSync(writePolicy(dir), 'utf8').replace(/^source: .*$/m, `source: ${source}`)
  return parsePolicy(text, 'policy.yml')
}

function langfuse(
  policy: Policy,
  opts: { sleep?: (ms: number) => Promise<void>; env?: Record<string, string> } = {}
): LangfuseSource {
  if (policy.source.type !== 'langfuse') throw new Error('not a langfuse policy')
  return new LangfuseSource({
    spec: policy.source,
    policy,
    env: opts.env ?? ENV,
    sleep: opts.sleep ?? (async () => {}),
    backoffMs: 1
  })
}

const src = (url: string, rest = '') =>
  `{ type: langfuse, baseUrl: '${url}', arm: { from: release }, scores: { quality: score }${rest} }`

/** n generated calls (20/s from T0, half canary) as observations and scores. */
function generated(count: number, seed = 1, effect = SCENARIOS.aa!) {
  return langfuseData(
    traffic({ seed, start: T0, rate: 20, count, canaryWeight: 50, users: 20000, effect })
  )
}

async function withStandIn<T>(
  data: { observations: ObservationV2[]; scores?: ScoreV3[] },
  run: (standIn: LangfuseStandIn) => Promise<T>
): Promise<T> {
  const standIn = new LangfuseStandIn(data.observations, data.scores ?? [], KEYS)
  await standIn.start()
  try {
    return await run(standIn)
  } finally {
    await standIn.close()
  }
}

const WINDOW = { from: T0 - HOUR, to: T0 + 10 * HOUR }
const collect = (source: LangfuseSource) => source.collect({ window: WINDOW, now: WINDOW.to })

function total(evidence: Evidence, arm: 'baseline' | 'canary'): number {
  return evidence.cells
    .filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
    .reduce((n, c) => n + c.requests, 0)
}

function metric(evidence: Evidence, name: string, arm: 'baseline' | 'canary') {
  const i = evidence.metrics.indexOf(name)
  const cells = evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
  let n = 0
  let sum = 0
  for (const c of cells) {
    const m = c.metrics[i]!
    n += m.requests
    sum += m.moments.sx
  }
  return { n, mean: sum / n }
}

describe('Langfuse source: parity with the file source on one generated scenario', () => {
  // The same calls as JSONL through the file source, and as Langfuse API pages through the
  // Langfuse source, must give the same decision, the same counts and verdicts, and estimates
  // equal within 1e-9 relative: the only difference allowed is floating-point rounding of the
  // cost, which Langfuse reports per call (costDetails) where the file source computes it from
  // tokens and the same prices. Latency, TTFT, tokens, errors, users and scores map exactly.
  for (const [name, effect, seed, expected] of [
    ['promote', SCENARIOS.promote!, 7, 'promote'],
    ['rollback', SCENARIOS.rollback!, 11, 'rollback']
  ] as const) {
    it(`${name}: same decision, counts, verdicts and estimates`, async () => {
      const dir = tempDir()
      const count = 60_000
      const filePolicy = policyWith(`{ type: file, path: 'calls.jsonl' }`, dir)
      const { end } = writeTraffic(join(dir, 'calls.jsonl'), { count, effect, seed })
      const now = Date.parse(end)
      const fileOutcome = await evaluate({
        policy: filePolicy,
        policyHash: 'sha256:test',
        source: new FileSource({
          patterns: ['calls.jsonl'],
          baseDir: dir,
          format: 'auto',
          policy: filePolicy
        }),
        now,
        since: T0
      })
      const data = generated(count, seed, effect)
      const lfOutcome = await withStandIn(data, async standIn => {
        const policy = policyWith(src(standIn.url))
        const source = langfuse(policy)
        const outcome = await evaluate({
          policy,
          policyHash: 'sha256:test',
          source,
          now,
          since: T0
        })
        // The window's observations only (the step's warm-up excluded), 1000 a page.
        const lines = outcome.record.dataQuality!.lines
        expect(lines).toBeGreaterThan(50_000)
        expect(source.lastRead.observationPages).toBe(Math.ceil(lines / 1000))
        const q = standIn.queries.find(x => x.endpoint === 'observations')!.query
        expect(q.get('limit')).toBe('1000')
        expect(q.get('type')).toBe('GENERATION')
        expect(q.get('fields')).not.toMatch(/\bio\b/) // no texts fetched when no samples asked
        return outcome
      })
      expect(fileOutcome.record.decision).toBe(expected)
      expectSameOutcome(lfOutcome, fileOutcome)
    }, 60_000)
  }

  function expectSameOutcome(a: Outcome, b: Outcome): void {
    expect(a.record.decision).toBe(b.record.decision)
    expect(a.record.arms).toEqual(b.record.arms)
    expect(a.record.dataQuality?.records).toBe(b.record.dataQuality?.records)
    expect(a.record.window).toEqual(b.record.window)
    expect(a.record.metrics.map(m => [m.name, m.verdict])).toEqual(
      b.record.metrics.map(m => [m.name, m.verdict])
    )
    a.record.metrics.forEach((m, i) => {
      const f = b.record.metrics[i]!
      for (const [x, y] of [
        [m.baseline, f.baseline],
        [m.canary, f.canary],
        [m.delta?.estimate, f.delta?.estimate],
        [m.delta?.lower, f.delta?.lower],
        [m.delta?.upper, f.delta?.upper]
      ] as [number, number][]) {
        expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)))
      }
    })
    expect(a.record.checks.map(c => [c.name, c.status])).toEqual(
      b.record.checks.map(c => [c.name, c.status])
    )
  }
})

describe('Langfuse source: paging and failures', () => {
  it('reads every page of a small page size, in any server order', async () => {
    const data = generated(500)
    await withStandIn(data, async standIn => {
      const source = langfuse(policyWith(src(standIn.url, ', pageSize: 7')))
      const progress: { lines: number; pages?: number }[] = []
      const evidence = await source.collect({
        window: WINDOW,
        now: WINDOW.to,
        progress: p => progress.push(p)
      })
      // A progress report per page (the Action prints one every 15 s).
      expect(progress).toHaveLength(72)
      expect(progress.at(-1)).toEqual({ lines: 71 * 7, pages: 72 })
      expect(standIn.counts.observations).toBe(Math.ceil(500 / 7))
      expect(evidence.quality.lines).toBe(500)
      expect(evidence.quality.records).toBe(500)
      expect(total(evidence, 'baseline') + total(evidence, 'canary')).toBe(500)
      expect(evidence.quality.files[0]?.path).toBe(`${standIn.url} v2/observations (72 pages)`)
    })
  })

  it('waits as long as a 429 Retry-After asks, then carries on', async () => {
    const waits: number[] = []
    await withStandIn(generated(300), async standIn => {
      standIn.faults.push({
        endpoint: 'observations',
        status: 429,
        headers: { 'retry-after': '3' }
      })
      const source = langfuse(policyWith(src(standIn.url, ', pageSize: 100')), {
        sleep: async ms => void waits.push(ms)
      })
      const evidence = await collect(source)
      expect(waits).toEqual([3000])
      expect(evidence.quality.records).toBe(300)
      expect(source.lastRead.retries).toBe(1)
    })
  })

  it('gives up, holding, when Retry-After asks for longer than two minutes', async () => {
    await withStandIn(generated(50), async standIn => {
      standIn.faults.push({ status: 429, headers: { 'retry-after': '3600' } })
      const outcome = await evaluateAt(standIn)
      expect(outcome.record.decision).toBe('hold')
      expect(sourceCheck(outcome)).toMatch(/rate limiting .* asks to wait 3600 s/)
    })
  })

  it('retries 5xx answers and a dropped connection with backoff, then succeeds', async () => {
    await withStandIn(generated(300), async standIn => {
      standIn.faults.push({ status: 502 }, { drop: true }, { status: 503, body: 'upstream down' })
      const source = langfuse(policyWith(src(standIn.url)))
      const evidence = await collect(source)
      expect(evidence.quality.records).toBe(300)
      expect(source.lastRead.retries).toBe(3)
    })
  })

  it('holds with the reason after the retries run out on 5xx', async () => {
    await withStandIn(generated(50), async standIn => {
      for (let i = 0; i < 10; i++) standIn.faults.push({ status: 500 })
      const outcome = await evaluateAt(standIn, ', retries: 2')
      expect(outcome.record.decision).toBe('hold')
      expect(sourceCheck(outcome)).toMatch(
        /did not answer GET \/api\/public\/v[23]\/\w+: HTTP 500 \(3 attempts\)/
      )
    })
  })

  it('a server without the v3 scores API: the hold names that API, not the observations one', async () => {
    await withStandIn(generated(50), async standIn => {
      standIn.faults.push({
        endpoint: 'scores',
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Route not found"}'
      })
      const outcome = await evaluateAt(standIn)
      expect(outcome.record.decision).toBe('hold')
      expect(sourceCheck(outcome)).toMatch(
        /has no v3 scores API \(GET \/api\/public\/v3\/scores: HTTP 404: Route not found\); the v3 scores API .* needs Langfuse Cloud or a self-hosted Langfuse that has it/
      )
      expect(sourceCheck(outcome)).not.toMatch(/observations/)
    })
  })

  it('holds when the answer is not JSON, or JSON without the API shape', async () => {
    await withStandIn(generated(50), async standIn => {
      standIn.faults.push({ status: 200, body: '<!DOCTYPE html><html>login</html>' })
      const outcome = await evaluateAt(standIn)
      expect(outcome.record.decision).toBe('hold')
      expect(sourceCheck(outcome)).toMatch(
        /not the Langfuse API: the answer is not JSON \(\d+ characters, text\/html\)/
      )
      expect(sourceCheck(outcome)).not.toMatch(/DOCTYPE|login/)
      standIn.faults.push({ endpoint: 'observations', status: 200, body: '{"items": []}' })
      standIn.faults.push({ endpoint: 'observations', status: 200, body: '{"items": []}' })
      const again = await evaluateAt(standIn)
      expect(sourceCheck(again)).toMatch(/without a data list and meta/)
    })
  })

  it('holds with the reason when the server is down', async () => {
    const standIn = new LangfuseStandIn([], [], KEYS)
    await standIn.start()
    await standIn.close() // the port is now closed: connection refused
    const outcome = await evaluateAt(standIn, ', retries: 1')
    expect(outcome.record.decision).toBe('hold')
    expect(sourceCheck(outcome)).toMatch(
      /did not answer .*network error ECONNREFUSED \(2 attempts\)/
    )
  })

  it('never shows the keys: wrong keys and missing key variables hold with a reason naming the variables', async () => {
    await withStandIn(generated(50), async standIn => {
      const policy = policyWith(src(standIn.url))
      const wrong = langfuse(policy, {
        env: { LANGFUSE_PUBLIC_KEY: 'pk-lf-wrong', LANGFUSE_SECRET_KEY: 'sk-lf-wrongSECRET' }
      })
      const outcome = await evaluate({ policy, policyHash: 'h', source: wrong, now: WINDOW.to })
      expect(sourceCheck(outcome)).toMatch(/refused the API keys .*HTTP 401/)
      const missing = langfuse(policy, { env: { LANGFUSE_PUBLIC_KEY: KEYS.publicKey } })
      const held = await evaluate({ policy, policyHash: 'h', source: missing, now: WINDOW.to })
      expect(sourceCheck(held)).toMatch(/environment variable LANGFUSE_SECRET_KEY is not set/)
      const ok = await evaluate({
        policy,
        policyHash: 'h',
        source: langfuse(policy),
        now: WINDOW.to
      })
      for (const o of [outcome, held, ok]) {
        const all = JSON.stringify(o.record) + o.markdown + o.text
        for (const secret of ['sk-lf-wrongSECRET', KEYS.secretKey, KEYS.publicKey, 'pk-lf-wrong'])
          expect(all).not.toContain(secret)
      }
      expect(langfuse(policy).describe()).toBe(
        `langfuse ${standIn.url} (GENERATION observations, arm from release)`
      )
    })
  })

  async function evaluateAt(standIn: LangfuseStandIn, rest = ''): Promise<Outcome> {
    const policy = policyWith(src(standIn.url, rest))
    return evaluate({
      policy,
      policyHash: 'h',
      source: langfuse(policy),
      now: WINDOW.to,
      since: WINDOW.from
    })
  }
})

function sourceCheck(o: Outcome): string {
  return o.record.checks.find(c => c.name === 'source')?.detail ?? ''
}

/** A hand-made observation: canary or baseline by release, with the given overrides. */
function obs(i: number, over: Partial<ObservationV2> = {}): ObservationV2 {
  const base = toLangfuse(
    {
      ts: new Date(T0 + i * 1000).toISOString(),
      arm: i % 2 ? 'candidate' : 'stable',
      user_id: `u${i}`,
      route: 'faq',
      language: 'en',
      model: 'gpt-4o-2024-08-06',
      latency_ms: 1000 + i,
      ttft_ms: 200,
      prompt_tokens: 1000,
      prompt_tokens_details: { cached_tokens: 400 },
      completion_tokens: 100,
      error: null
    },
    i
  ).observation
  return { ...base, ...over }
}

function score(
  i: number,
  target: { observationId?: string; traceId?: string; sessionId?: string },
  value: number,
  at = T0 + 3 * HOUR,
  name = 'quality'
): ScoreV3 {
  const ts = new Date(at).toISOString()
  const subject: ScoreV3['subject'] = target.observationId
    ? { kind: 'observation', id: target.observationId, traceId: target.traceId }
    : target.traceId
      ? { kind: 'trace', id: target.traceId }
      : { kind: 'session', id: target.sessionId as string }
  return {
    dataType: 'NUMERIC',
    id: `s${i}`,
    projectId: 'project-1',
    name,
    source: 'API',
    timestamp: ts,
    createdAt: ts,
    updatedAt: ts,
    authorUserId: null,
    comment: null,
    configId: null,
    queueId: null,
    environment: 'default',
    subject,
    value
  }
}

describe('Langfuse source: mapping observations to records', () => {
  it('joins scores by observation id, else by trace id; the newest duplicate wins', async () => {
    const observations = [obs(0), obs(1), obs(2), obs(3)]
    const scores = [
      score(1, { observationId: 'obs-0', traceId: 'trace-0' }, 0.2, T0 + HOUR),
      score(2, { observationId: 'obs-0', traceId: 'trace-0' }, 0.6, T0 + 2 * HOUR), // newer
      score(3, { traceId: 'trace-1' }, 0.9), // a trace score
      score(4, { traceId: 'trace-2' }, 0.1), // trace score, overridden by the observation's own
      score(5, { observationId: 'obs-2', traceId: 'trace-2' }, 0.5),
      score(6, { observationId: 'obs-3', traceId: 'trace-3' }, 0.7, T0, 'other-name'),
      {
        ...score(7, { observationId: 'obs-3', traceId: 'trace-3' }, 0),
        dataType: 'TEXT' as const,
        stringValue: 'fine'
      }
    ] as ScoreV3[]
    await withStandIn({ observations, scores }, async () => {})
    await withStandIn({ observations, scores }, async standIn => {
      const policy = policyWith(src(standIn.url))
      const evidence = await collect(langfuse(policy))
      // baseline: obs-0 (0.6), obs-2 (0.5); canary: obs-1 (0.9), obs-3 (none)
      expect(metric(evidence, 'quality', 'baseline')).toEqual({ n: 2, mean: 0.55 })
      expect(metric(evidence, 'quality', 'canary')).toEqual({ n: 1, mean: 0.9 })
      const names = standIn.queries
        .filter(q => q.endpoint === 'scores')
        .map(q => q.query.get('name'))
      expect(names).toEqual(['quality'])
    })
  })

  it('reads v3 scores with their subject: booleans as 1 / 0, session scores, categorical ones skipped with a warning', async () => {
    const observations = [
      obs(0),
      obs(1),
      obs(2, { sessionId: 'conversation-7' }),
      obs(3, { sessionId: 'conversation-7' })
    ]
    const bool = (i: number, target: Parameters<typeof score>[1], value: boolean): ScoreV3 => ({
      ...score(i, target, 0, T0 + 3 * HOUR, 'thumbs'),
      dataType: 'BOOLEAN',
      value
    })
    const scores: ScoreV3[] = [
      score(1, { observationId: 'obs-0', traceId: 'trace-0' }, 0.8),
      bool(2, { observationId: 'obs-0', traceId: 'trace-0' }, true),
      bool(3, { observationId: 'obs-1', traceId: 'trace-1' }, false),
      // A session's score reaches every call of the session without one of its own.
      score(4, { sessionId: 'conversation-7' }, 0.4),
      {
        ...score(5, { observationId: 'obs-1', traceId: 'trace-1' }, 0),
        dataType: 'CATEGORICAL',
        value: 'good'
      },
      {
        ...score(6, { observationId: 'obs-3', traceId: 'trace-3' }, 0),
        dataType: 'CATEGORICAL',
        value: 'bad'
      }
    ]
    await withStandIn({ observations, scores }, async standIn => {
      const policy = policyWith(
        src(standIn.url).replace('quality: score }', 'quality: score, thumbs: scores.thumbs }')
      )
      policy.metrics.push({
        ...policy.metrics[0]!,
        name: 'thumbs',
        from: 'scores.thumbs',
        path: 'x'
      })
      const evidence = await collect(langfuse(policy))
      // baseline obs-0 (0.8), obs-2 (session 0.4); canary obs-1 (none), obs-3 (session 0.4)
      expect(metric(evidence, 'quality', 'baseline')).toEqual({ n: 2, mean: 0.6000000000000001 })
      expect(metric(evidence, 'quality', 'canary')).toEqual({ n: 1, mean: 0.4 })
      expect(metric(evidence, 'thumbs', 'baseline')).toEqual({ n: 1, mean: 1 })
      expect(metric(evidence, 'thumbs', 'canary')).toEqual({ n: 1, mean: 0 })
      expect(evidence.quality.warnings).toEqual([
        '2 Langfuse scores "quality" are CATEGORICAL: a category has no number in the v3 scores API, so they were skipped (use a NUMERIC or BOOLEAN score)'
      ])
      const query = standIn.queries.find(q => q.endpoint === 'scores')!.query
      expect(Object.fromEntries(query)).toMatchObject({
        name: 'quality,thumbs',
        fields: 'subject',
        limit: '100'
      })
    })
  })

  it('asks for the metadata keys the policy reads in full (expandMetadata): values over 200 characters are cut otherwise', async () => {
    const long = `faq-${'x'.repeat(300)}`
    const observations = [0, 1, 2, 3].map(i => {
      const o = obs(i)
      return { ...o, metadata: { ...(o.metadata as object), route: long, note: 'y'.repeat(500) } }
    })
    await withStandIn({ observations }, async standIn => {
      const policy = policyWith(src(standIn.url))
      policy.segments = { by: ['metadata.route'], gate: false }
      const evidence = await collect(langfuse(policy))
      const query = standIn.queries.find(q => q.endpoint === 'observations')!.query
      expect(query.get('expandMetadata')).toBe('route')
      expect(new Set(evidence.cells.map(c => c.segment))).toEqual(
        new Set([TOTAL_SEGMENT, `metadata.route=${long}`])
      )
    })
    await withStandIn({ observations }, async standIn => {
      const evidence = await collect(langfuse(policyWith(src(standIn.url))))
      expect(
        standIn.queries.find(q => q.endpoint === 'observations')!.query.has('expandMetadata')
      ).toBe(false)
      expect(evidence.quality.records).toBe(4)
    })
  })

  it('reads scores across pages and maps a second score name to scores.<name>', async () => {
    const observations = Array.from({ length: 250 }, (_, i) => obs(i))
    const scores = observations.flatMap((o, i) => [
      score(i, { observationId: o.id, traceId: o.traceId! }, (i % 10) / 10),
      score(1000 + i, { observationId: o.id, traceId: o.traceId! }, 1, T0 + 2 * HOUR, 'helpful')
    ])
    await withStandIn({ observations, scores }, async standIn => {
      const policy = policyWith(
        src(standIn.url).replace('quality: score }', 'quality: score, helpful: scores.helpful }')
      )
      const evidence = await collect(langfuse(policy))
      // Both names in one query (comma-separated), 500 scores in 5 pages of 100.
      expect(standIn.counts.scores).toBe(5)
      expect(standIn.queries.find(q => q.endpoint === 'scores')?.query.get('name')).toBe(
        'quality,helpful'
      )
      expect(metric(evidence, 'quality', 'baseline').n).toBe(125)
      const raw = observations.filter((_, i) => i % 2 === 0).map((_, k) => ((2 * k) % 10) / 10)
      expect(metric(evidence, 'quality', 'baseline').mean).toBeCloseTo(
        raw.reduce((a, b) => a + b, 0) / raw.length,
        12
      )
    })
  })

  it('latency and TTFT in ms from timestamps (seconds fields as fallback); tokens with cached input; cost; errors', async () => {
    const observations = [
      obs(0), // 1000 ms, ttft 200, input 600 + 400 cached
      obs(2, { endTime: null, completionStartTime: null, latency: 2.5, timeToFirstToken: 0.3 }),
      obs(4, {
        level: 'ERROR',
        statusMessage: 'Error code: 429 - rate limit for user me@example.com',
        usageDetails: { input: 10, input_cache_read: 5, input_cache_creation: 7, output: 0 },
        totalCost: null,
        costDetails: { input: 0.001, output: 0.002 }
      })
    ]
    await withStandIn({ observations }, async standIn => {
      const dir = tempDir()
      const policy = policyWith(src(standIn.url), dir)
      policy.metrics.push(
        ...(
          [
            'latency_ms',
            'ttft_ms',
            'input_tokens',
            'cache_read_tokens',
            'cache_write_tokens',
            'cost'
          ] as const
        ).map(from => ({
          ...policy.metrics[0]!,
          name: from,
          from,
          kind: 'mean' as const,
          path: from
        }))
      )
      const evidence = await collect(langfuse(policy))
      const mean = (name: string) => metric(evidence, name, 'baseline').mean
      expect(mean('latency_ms')).toBeCloseTo((1000 + 2500 + 1004) / 3, 9)
      expect(mean('ttft_ms')).toBeCloseTo((200 + 300 + 200) / 3, 9)
      expect(mean('input_tokens')).toBeCloseTo((1000 + 1000 + 22) / 3, 9)
      expect(mean('cache_read_tokens')).toBeCloseTo((400 + 400 + 5) / 3, 9)
      expect(metric(evidence, 'cache_write_tokens', 'baseline').n).toBe(1)
      const perCall = 600 * 2.5e-6 + 400 * 1.25e-6 + 100 * 10e-6
      expect(mean('cost')).toBeCloseTo((perCall * 2 + 0.003) / 3, 12)
      const cell = evidence.cells.find(c => c.arm === 'baseline' && c.errors.rate_limit)
      expect(cell?.errors).toEqual({ rate_limit: 1 })
    })
  })

  it('error classes come from status-message keywords, never the message text', () => {
    expect(errorClassOf('Request timed out')).toBe('timeout')
    expect(errorClassOf('503 Service Unavailable')).toBe('server')
    expect(errorClassOf('content_filter triggered')).toBe('content_filter')
    expect(errorClassOf('400 invalid request: prompt too long')).toBe('client')
    expect(errorClassOf('the user said something odd')).toBe('error')
    expect(errorClassOf(null)).toBe('error')
  })

  it('Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(
      10_000
    )
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(retryAfterMs(null)).toBeUndefined()
  })

  const armCases: [string, string, (i: number) => Partial<ObservationV2>][] = [
    [
      'release',
      `{ from: release }`,
      i => ({ release: i % 3 === 2 ? 'preview' : i % 2 ? 'v8' : 'v7' })
    ],
    [
      'version',
      `{ from: version }`,
      i => ({ version: i % 3 === 2 ? 'preview' : i % 2 ? 'v8' : 'v7' })
    ],
    [
      'promptVersion',
      `{ from: promptVersion }`,
      i => ({ promptVersion: i % 3 === 2 ? 9 : i % 2 ? 8 : 7 })
    ],
    [
      'metadata',
      `{ from: metadata, key: variant }`,
      i => ({ metadata: { variant: i % 3 === 2 ? 'preview' : i % 2 ? 'v8' : 'v7' } })
    ],
    [
      'tag with prefix',
      `{ from: tag, prefix: 'arm:' }`,
      i => ({ tags: ['support', `arm:${i % 3 === 2 ? 'preview' : i % 2 ? 'v8' : 'v7'}`] })
    ],
    [
      'tag',
      `{ from: tag }`,
      i => ({ tags: i % 3 === 2 ? ['support'] : ['support', i % 2 ? 'v8' : 'v7'] })
    ]
  ]
  for (const [name, arm, over] of armCases) {
    it(`arm from ${name}`, async () => {
      const observations = Array.from({ length: 60 }, (_, i) => obs(i, over(i)))
      await withStandIn({ observations }, async standIn => {
        const dir = tempDir()
        const text = readFileSync(writePolicy(dir), 'utf8')
          .replace(/^arms: .*$/m, `arms: { baseline: v7, canary: '8', unit: userId }`)
          .replace(
            /^source: .*$/m,
            `source: { type: langfuse, baseUrl: '${standIn.url}', arm: ${arm} }`
          )
        const policy = parsePolicy(
          name === 'promptVersion'
            ? text.replace('baseline: v7', "baseline: '7'")
            : text.replace("canary: '8'", 'canary: v8'),
          'policy.yml'
        )
        const evidence = await collect(langfuse(policy))
        const expected = (mod: number) =>
          Array.from({ length: 60 }, (_, i) => i).filter(i => i % 3 !== 2 && i % 2 === mod).length
        expect(total(evidence, 'baseline')).toBe(expected(0))
        expect(total(evidence, 'canary')).toBe(expected(1))
        if (name === 'tag') {
          expect(evidence.quality.malformed).toBe(20)
          expect(evidence.quality.malformedSamples[0]).toMatch(
            /^observation obs-\d+: no arm tag \(the arm\)$/
          )
        } else {
          expect(evidence.quality.unmatchedArms).toEqual({
            [name === 'promptVersion' ? '9' : 'preview']: 20
          })
        }
        expect(evidence.unitLevel).toBe(true)
      })
    })
  }
})

describe('Langfuse source: text samples for a judge', () => {
  let standIn: LangfuseStandIn
  beforeAll(async () => {
    standIn = new LangfuseStandIn(generated(400).observations, [], KEYS)
    await standIn.start()
  })
  afterAll(() => standIn.close())

  it('keeps at most judge.sample inputs and outputs per arm, beside the evidence, never in it', async () => {
    const policy = policyWith(src(standIn.url))
    const judged = {
      ...policy,
      judge: parsePolicy(
        readFileSync(
          writePolicy(
            tempDir(),
            `judge: { model: gpt-4o-mini, rubric: helpful, sample: 3, metric: { minSamples: 3 } }`
          ),
          'utf8'
        ),
        'policy.yml'
      ).judge!
    }
    const { texts, ...evidence } = await collect(langfuse(judged))
    expect(texts!.filter(s => s.arm === 'baseline')).toHaveLength(3)
    expect(texts!.filter(s => s.arm === 'canary')).toHaveLength(3)
    for (const s of texts!) expect(s.input).toBe(`question ${s.id.slice(4)}`)
    expect(JSON.stringify(evidence)).not.toMatch(/question|answer \d/)
    expect(standIn.queries.at(-1)?.query.get('fields')).toMatch(/\bio\b/)
  })

  it('asks for no texts without a judge', async () => {
    const evidence = await collect(langfuse(policyWith(src(standIn.url))))
    expect(evidence.texts).toBeUndefined()
    expect(standIn.queries.at(-1)?.query.get('fields')).not.toMatch(/\bio\b/)
  })
})

describe('Langfuse source: policy', () => {
  it('fills the defaults', () => {
    const spec = policyWith(`{ type: langfuse, arm: { from: metadata, key: variant } }`)
      .source as LangfuseSourceSpec
    expect(spec).toEqual({
      type: 'langfuse',
      baseUrl: 'https://cloud.langfuse.com',
      publicKeyEnv: 'LANGFUSE_PUBLIC_KEY',
      secretKeyEnv: 'LANGFUSE_SECRET_KEY',
      arm: { from: 'metadata', key: 'variant' },
      observationType: 'GENERATION',
      scores: {},
      pageSize: 1000,
      timeout: 30_000,
      retries: 4
    })
  })

  it.each([
    ['secretKeyEnv: sk-lf-abc123', /secretKeyEnv: .*name of an environment variable/],
    ['pageSize: 5000', /pageSize: .*<= 1000/],
    [
      "baseUrl: 'https://pk:sk@cloud.langfuse.com'",
      /baseUrl: "https:\/\/\*\*\*@cloud\.langfuse\.com" has credentials in it/
    ],
    [
      'scores: { quality: latency_ms }',
      /scores.quality: .*use `score`, `feedback` or `scores.<name>`/
    ]
  ])('rejects %s', (extra, message) => {
    expect(() => policyWith(`{ type: langfuse, arm: { from: release }, ${extra} }`)).toThrow(
      message
    )
  })

  it('rejects a metadata arm without its key, naming the place', () => {
    expect(() => policyWith(`{ type: langfuse, arm: { from: metadata } }`)).toThrow(
      /policy.yml:\d+:\d+: source.arm.key: missing/
    )
  })
})

describe('Langfuse source: the CLI bundle (bin/rollout-gate.js) with a Langfuse policy', () => {
  /** The real binary, spawned asynchronously so this process keeps serving the stand-in. */
  function cliAsync(args: string[], cwd: string, env: Record<string, string>) {
    return new Promise<{ status: number | null; stdout: string; stderr: string }>(resolve => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd,
        env: { ...process.env, ...env }
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', d => (stdout += d))
      child.stderr.on('data', d => (stderr += d))
      child.on('close', status => resolve({ status, stdout, stderr }))
    })
  }

  it('evaluates from the API with keys from the environment, and --records still reads files', async () => {
    const count = 10_000
    const data = generated(count)
    const end = new Date(Date.parse(data.observations.at(-1)!.startTime) + 1000).toISOString()
    await withStandIn(data, async standIn => {
      const dir = tempDir()
      const text = readFileSync(writePolicy(dir), 'utf8').replace(
        /^source: .*$/m,
        `source: ${src(standIn.url)}`
      )
      writeFileSync(join(dir, 'policy.yml'), text)
      const args = ['evaluate', '--policy', 'policy.yml', '--now', end, '--format', 'json']
      const r = await cliAsync(args, dir, ENV)
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
      const record = JSON.parse(r.stdout)
      expect(record.source).toBe(
        `langfuse ${standIn.url} (GENERATION observations, arm from release)`
      )
      // No state: the step began at the first canary call; its 5 minutes of warm-up are excluded.
      const times = data.observations.map(o => Date.parse(o.startTime))
      const firstCanary = Math.min(
        ...data.observations
          .filter(o => o.release === 'candidate')
          .map(o => Date.parse(o.startTime))
      )
      const inWindow = times.filter(t => t >= firstCanary + 5 * 60_000).length
      expect(record.arms.baseline.n + record.arms.canary.n).toBe(inWindow)
      expect(record.checks.find((c: { name: string }) => c.name === 'source')).toBeUndefined()
      expect(r.stdout).not.toContain(KEYS.secretKey)

      writeTraffic(join(dir, 'calls.jsonl'), { count })
      const files = await cliAsync([...args, '--records', 'calls.jsonl'], dir, {})
      expect(files.status).toBe(0)
      expect(JSON.parse(files.stdout).source).toBe('files calls.jsonl')
    })
  }, 60_000)
})

describe('Langfuse source: the example policy, segments and the text reservoir', () => {
  it('the example policy is valid and segments by metadata keys', async () => {
    const loaded = await loadPolicyFile(
      join(import.meta.dirname, '..', 'examples', 'langfuse', 'rollout-policy.yml')
    )
    expect(loaded.policy.source.type).toBe('langfuse')
    expect(loaded.policy.segments?.by).toEqual(['metadata.route', 'metadata.language'])
    const observations = Array.from({ length: 40 }, (_, i) =>
      obs(i, { metadata: { route: i % 4 ? 'faq' : 'billing', language: 'en', variant: 'x' } })
    )
    await withStandIn({ observations }, async standIn => {
      const policy = policyWith(src(standIn.url))
      policy.segments = { by: ['metadata.route'], gate: false }
      const evidence = await collect(langfuse(policy))
      const segmentTotal = (segment: string) =>
        evidence.cells.filter(c => c.segment === segment).reduce((n, c) => n + c.requests, 0)
      expect(segmentTotal('metadata.route=faq')).toBe(30)
      expect(segmentTotal('metadata.route=billing')).toBe(10)
    })
  })
})
