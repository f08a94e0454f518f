/**
 * The Prometheus source against a real Prometheus (Debian's `prometheus` package): a generated
 * scenario is written as OpenMetrics text, backfilled with promtool, served by prometheus on a free
 * loopback port, and evaluated by the gate; the same scenario as JSONL through the file source must
 * give the same verdicts. Without prometheus installed these tests are skipped LOUDLY, and with
 * REQUIRE_PROMETHEUS set (as .ci/run does) that is a failure.
 */
import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { geometricBounds, writeOpenMetrics } from '../examples/prometheus/openmetrics.js'
import { evaluate, type Outcome } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { Policy } from '../src/policy/types.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { PrometheusSource } from '../src/sources/prometheus/prometheusSource.js'
import {
  emptyHistogram,
  fromCumulative,
  HistogramQuantiles,
  mergeHistograms
} from '../src/sketch/histogram.js'
import { analyze } from '../src/analysis/analyze.js'
import { cli, tempDir } from './helpers/cli.js'
import {
  backfill,
  freePort,
  prometheusAvailable,
  startPrometheus,
  type RunningPrometheus
} from './helpers/prometheus.js'

const HOUR = 3_600_000
const MINUTE = 60_000
/** Scenario starts: promote on one day, rollback the next, edge cases the day after. */
const T = {
  promote: Date.parse('2026-11-02T08:00:00Z'),
  rollback: Date.parse('2026-11-03T08:00:00Z'),
  edge: Date.parse('2026-11-04T08:00:00Z')
}
const SPAN = 2 * HOUR
/** Bucket bounds 10% apart: the allowed difference of a quantile estimate is one bucket (10%) plus the file source's 1% sketch accuracy. */
const RATIO = 1.1
const BOUNDS = {
  latency: geometricBounds(0.05, 60, RATIO),
  ttft: geometricBounds(0.01, 30, RATIO),
  tokens: geometricBounds(1, 20000, RATIO)
}

const METRICS = `metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: p50 ttft, from: ttft_ms, kind: p50, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 5% }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 10% }
`
const HEAD = `version: 1
rollout: { name: parity, steps: [20, 100], minDuration: 30m, maxDuration: 12h, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: stable, canary: candidate, unit: no_such_field, assignment: request }
`
const SERIES = `  series:
    p95 latency: { histogram: gen_ai_client_operation_duration_seconds, scale: 1000 }
    p50 ttft: { histogram: gen_ai_client_operation_time_to_first_chunk_seconds, scale: 1000 }
    error rate: { errors: llm_request_errors_total, total: llm_requests_total }
    output length:
      histogram: gen_ai_client_token_usage
      sumOfSquares: gen_ai_client_token_usage_squares_total
      match: { gen_ai_token_type: output }
`

function scenario(name: 'promote' | 'rollback') {
  return traffic({
    seed: name === 'promote' ? 11 : 12,
    start: T[name],
    rate: 12,
    count: Math.floor(12 * (SPAN / 1000) * 1.05),
    canaryWeight: 20,
    users: 20000,
    effect: SCENARIOS[name]!
  })
}

function promPolicy(url: string, extra = '', head = HEAD): Policy {
  return parsePolicy(
    `${head}source:\n  type: prometheus\n  url: ${url}\n  retries: 1\n${extra}${SERIES}${METRICS}`,
    'prometheus-policy.yml'
  )
}

const fast = { backoffMs: 10 }

async function run(
  source: PrometheusSource | FileSource,
  policy: Policy,
  start: number,
  now = start + SPAN
): Promise<Outcome> {
  return evaluate({ policy, policyHash: 'sha256:test', source, now, since: start, replay: true })
}

const available = prometheusAvailable()

describe.skipIf(!available)('prometheus source, against a real Prometheus', () => {
  let dir = ''
  let prom: RunningPrometheus | undefined
  const jsonl: Record<string, string> = {}

  beforeAll(async () => {
    dir = tempDir()
    const parts: string[] = []
    for (const name of ['promote', 'rollback'] as const) {
      jsonl[name] = join(dir, `${name}.jsonl`)
      const lines = [...scenario(name)].map(r => JSON.stringify(r))
      writeFileSync(jsonl[name], lines.join('\n') + '\n')
      const part = join(dir, `${name}.om`)
      await writeOpenMetrics(part, scenario(name), {
        start: T[name],
        end: T[name] + SPAN,
        scrapeMs: 15_000,
        armLabel: 'arm',
        armValues: ['stable', 'candidate'],
        bounds: BOUNDS
      })
      parts.push(part)
    }
    parts.push(writeEdgeCases(join(dir, 'edge.om')))
    for (const [i, part] of parts.entries()) {
      const sub = join(dir, `part${i}`)
      backfill(part, sub)
      // Each part's blocks move into the one data dir (their time ranges do not overlap).
      mkdirSync(join(dir, 'data'), { recursive: true })
      for (const block of readdirSync(join(sub, 'data'))) {
        renameSync(join(sub, 'data', block), join(dir, 'data', block))
      }
    }
    prom = await startPrometheus(dir)
  }, 120_000)

  afterAll(async () => {
    await prom?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  for (const name of ['promote', 'rollback'] as const) {
    it(`gives the file source's verdicts on the ${name} scenario`, async () => {
      const filePolicy = parsePolicy(
        `${HEAD}source: { type: file, path: '${jsonl[name]}' }\n${METRICS}`,
        'file-policy.yml'
      )
      const viaFile = await run(
        new FileSource({
          patterns: [jsonl[name]!],
          baseDir: dir,
          format: 'jsonl',
          policy: filePolicy
        }),
        filePolicy,
        T[name]
      )
      const policy = promPolicy(prom!.url)
      const source = new PrometheusSource({ policy, client: fast })
      const viaProm = await run(source, policy, T[name])

      expect(viaFile.record.decision).toBe(name)
      expect(viaProm.record.decision).toBe(name)
      const verdicts = (o: Outcome) => o.record.metrics.map(m => [m.name, m.verdict])
      expect(verdicts(viaProm)).toEqual(verdicts(viaFile))
      // Counts are exact: counters scraped every 15 s, a window on scrape times.
      expect(viaProm.record.arms.baseline.n).toBe(viaFile.record.arms.baseline.n)
      expect(viaProm.record.arms.canary.n).toBe(viaFile.record.arms.canary.n)
      for (const m of viaProm.record.metrics) {
        const f = viaFile.record.metrics.find(x => x.name === m.name)!
        if (m.kind === 'quantile') {
          // The allowed difference: one histogram bucket (10%) plus the file sketch's 1%.
          for (const arm of ['baseline', 'canary'] as const) {
            expect(Math.abs((m[arm] as number) / (f[arm] as number) - 1)).toBeLessThan(
              RATIO - 1 + 0.011
            )
          }
          expect(m.method).toMatch(/histogram buckets/)
        } else {
          // Rates and means come from exact counters: the same numbers.
          expect(m.baseline).toBeCloseTo(f.baseline as number, 9)
          expect(m.canary).toBeCloseTo(f.canary as number, 9)
          expect(m.delta.lower).toBeCloseTo(f.delta.lower, 6)
        }
      }
      // At most 3 queries per metric and arm (here: fewer, both arms share each query).
      expect(source.client.queries).toBeLessThanOrEqual(3 * 4 * 2)
      const checks = Object.fromEntries(viaProm.record.checks.map(c => [c.name, c.status]))
      expect(checks).toMatchObject({ arms: 'ok', freshness: 'ok', 'traffic-split': 'ok' })
      expect(viaProm.record.dataQuality?.notes?.join(' ')).toMatch(/no user or session/)
    })
  }

  it('runs through the CLI (the committed bundle) with a prometheus policy', () => {
    const text = `${HEAD}source:\n  type: prometheus\n  url: ${prom!.url}\n${SERIES}${METRICS}`
    writeFileSync(join(dir, 'prometheus-policy.yml'), text)
    const iso = (t: number) => new Date(t).toISOString()
    const r = cli(
      [
        'evaluate',
        '--policy',
        'prometheus-policy.yml',
        '--since',
        iso(T.rollback),
        '--now',
        iso(T.rollback + SPAN),
        '--format',
        'json'
      ],
      dir
    )
    expect(r.stderr).toBe('')
    const record = JSON.parse(r.stdout) as { decision: string; source?: string }
    expect(record.decision).toBe('rollback')
    expect(JSON.stringify(record)).toContain(`prometheus ${prom!.url}`)
  })

  it('finds when the canary began, for a rollout with no state', async () => {
    const policy = promPolicy(prom!.url)
    const first = await new PrometheusSource({ policy, client: fast }).firstCanaryTime(
      T.promote + SPAN
    )
    const firstRecord = Date.parse(
      String([...scenario('promote')].find(r => r.arm === 'candidate')!.ts)
    )
    // The first subquery step whose increase() is positive: at most one step (about 5 min) early.
    expect(first).toBeLessThanOrEqual(firstRecord)
    expect(first).toBeGreaterThan(firstRecord - 303_000)
  })

  it('reads a raw PromQL limitQuery with the canary matchers put in; beyond the limit it holds', async () => {
    const query =
      'sum(increase(llm_request_errors_total{$canary}[1h])) / sum(increase(llm_requests_total{$canary}[1h]))'
    const series = SERIES.replace(
      '    error rate: { errors: llm_request_errors_total, total: llm_requests_total }',
      `    error rate:\n      errors: llm_request_errors_total\n      total: llm_requests_total\n      limitQuery: '${query}'`
    )
    const policy = parsePolicy(
      `${HEAD}source:\n  type: prometheus\n  url: ${prom!.url}\n${series}${METRICS.replace('limit: 5%', 'limit: 0.5%')}`,
      'limit.yml'
    )
    const o = await run(new PrometheusSource({ policy, client: fast }), policy, T.promote)
    const now = T.promote + SPAN
    const lastHour = [...scenario('promote')].filter(r => {
      const ts = Date.parse(String(r.ts))
      return r.arm === 'candidate' && ts >= now - HOUR && ts < now
    })
    const expected = lastHour.filter(r => r.error).length / lastHour.length
    const limit = o.record.metrics.find(m => m.name === 'error rate')!.limit!
    expect(limit.lower).toBeCloseTo(expected, 9)
    expect(expected).toBeGreaterThan(0.005)
    expect(limit).toMatchObject({ value: 0.005, breached: false, suspect: true, query: true })
    expect(o.record.decision).toBe('hold')
    expect(o.record.reasons.join('\n')).toMatch(/canary error rate may breach its limit/)
  })

  it('reads a window that does not end on a bucket boundary (an instant query for the tail)', async () => {
    const policy = promPolicy(prom!.url)
    const source = new PrometheusSource({ policy, client: fast })
    const now = T.promote + SPAN - 7 * MINUTE - 20_000
    const o = await run(source, policy, T.promote, now)
    const records = [...scenario('promote')].filter(r => {
      const ts = Date.parse(String(r.ts))
      return ts >= T.promote + 5 * MINUTE && ts < now && r.arm === 'candidate'
    }).length
    // The tail's increase() is extrapolated to the window's end: within a few requests.
    expect(Math.abs(o.record.arms.canary.n - records)).toBeLessThan(records * 0.005)
    expect(o.record.decision).toBe('promote')
  })

  it('says when bucket resolution, not data, keeps a quantile inconclusive', async () => {
    // Coarse buckets: only every 8th bound of the data (a factor 2.1 apart).
    const policy = promPolicy(prom!.url)
    const source = new PrometheusSource({ policy, client: fast })
    const evidence = await source.collect({
      window: { from: T.promote + 5 * MINUTE, to: T.promote + SPAN },
      now: T.promote + SPAN
    })
    for (const cell of evidence.cells) {
      for (const m of cell.metrics) {
        if (!m.histogram) continue
        const keep = m.histogram.bounds.filter((_, i) => i % 8 === 7)
        m.histogram = mergeHistograms(emptyHistogram(keep), m.histogram)
      }
    }
    const analysis = analyze(policy, evidence, 20, true)
    const p95 = analysis.metrics.find(m => m.name === 'p95 latency')!
    expect(p95.verdict).toBe('inconclusive')
    expect(p95.reason).toMatch(/bucket resolution, not data/)
  })

  it('holds, naming each problem: a series that stopped, NaN; warns of a counter reset and an error counter never created', async () => {
    const policy = parsePolicy(
      `${HEAD}source:
  type: prometheus
  url: ${prom!.url}
  requests: edge_requests_total
  series:
    p50 latency: { histogram: edge_latency_seconds }
    error rate: { errors: edge_errors_total, total: edge_requests_total }
    rare errors: { errors: edge_rare_errors_total, total: edge_requests_total, absentErrors: zero }
metrics:
  - { name: p50 latency, from: latency_ms, kind: p50, better: lower, tolerance: 50% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 5pp }
  - { name: rare errors, from: error, kind: rate, better: lower, tolerance: 5pp }
`,
      'edge.yml'
    )
    const o = await run(
      new PrometheusSource({ policy, client: fast }),
      policy,
      T.edge,
      T.edge + HOUR
    )
    expect(o.record.decision).toBe('hold')
    const dq = o.record.checks.find(c => c.name === 'data-quality')!
    expect(dq.status).toBe('block')
    expect(dq.detail).toMatch(/edge_latency_seconds_bucket \(canary\) stopped/)
    expect(dq.detail).toMatch(/edge_errors_total \(canary\) has value NaN/)
    expect(o.record.dataQuality?.warnings?.join(' ')).toMatch(
      /counter reset\(s\) of edge_requests_total \(baseline\)/
    )
    // A labelled error counter appears at its first increment: absent for one arm means 0 errors.
    expect(o.record.dataQuality?.warnings?.join(' ')).toMatch(
      /edge_rare_errors_total has no series for the canary arm \(arm in \[candidate\]\): counted as 0 errors/
    )
    expect(dq.detail).not.toMatch(/edge_rare_errors_total has no data/)
    expect(o.record.metrics.find(m => m.name === 'rare errors')?.canary).toBe(0)
  })

  it('an error counter with no series for an arm is unknown, not 0, unless the policy says absentErrors: zero', async () => {
    const policy = parsePolicy(
      `${HEAD}source:
  type: prometheus
  url: ${prom!.url}
  requests: edge_requests_total
  series:
    rare errors: { errors: edge_rare_errors_total, total: edge_requests_total }
metrics:
  - { name: rare errors, from: error, kind: rate, better: lower, tolerance: 5pp }
`,
      'edge.yml'
    )
    const o = await run(
      new PrometheusSource({ policy, client: fast }),
      policy,
      T.edge,
      T.edge + 20 * MINUTE
    )
    expect(o.record.decision).toBe('hold')
    const dq = o.record.checks.find(c => c.name === 'data-quality')!
    expect(dq.status).toBe('block')
    expect(dq.detail).toMatch(
      /edge_rare_errors_total has no data for the canary arm \(arm in \[candidate\]\) in the window; an absent series is unknown, not 0: .*absentErrors: zero/
    )
    // The load check has no error classes from Prometheus: not available, not "0.00% vs 0.00%".
    expect(o.record.checks.find(c => c.name === 'load')?.detail).toMatch(
      /^not available: prometheus http:\/\/127\.0\.0\.1:\d+ reports no error classes/
    )
  })

  it('holds when one arm has no series, naming the label values it looked for', async () => {
    const head = HEAD.replace('canary: candidate', 'canary: "candi\\"date"')
    const policy = promPolicy(prom!.url, '', head)
    const o = await run(new PrometheusSource({ policy, client: fast }), policy, T.promote)
    expect(o.record.decision).toBe('hold')
    const text = o.record.checks.map(c => `${c.name}: ${c.detail}`).join('\n')
    expect(text).toMatch(/has no data for the canary arm \(arm in \[candi"date\]\)/)
    expect(text).toMatch(/^arms: no records in the window for canary/m)
  })
})

/**
 * An hour of hand-made series: requests for both arms (the baseline's counter resets at 40 min),
 * an error counter that turns NaN for the canary, and a latency histogram whose canary series
 * stops after 30 min while requests continue.
 */
function writeEdgeCases(path: string): string {
  const lines: Record<string, string[]> = {}
  const add = (family: string, line: string) => (lines[family] ??= []).push(line)
  for (let t = T.edge; t <= T.edge + HOUR; t += 15_000) {
    const k = (t - T.edge) / 15_000
    const ts = (t / 1000).toFixed(3)
    for (const arm of ['stable', 'candidate']) {
      const reset = arm === 'stable' && t >= T.edge + 40 * MINUTE
      const requests = reset ? 10 * (k - 160) : 10 * k
      add('edge_requests', `edge_requests_total{arm="${arm}"} ${requests} ${ts}`)
      const nan = arm === 'candidate' && t >= T.edge + 50 * MINUTE && t < T.edge + 51 * MINUTE
      add(
        'edge_errors',
        `edge_errors_total{arm="${arm}"} ${nan ? 'NaN' : Math.floor(k / 10)} ${ts}`
      )
      // An error counter the canary never incremented, so never created.
      if (arm === 'stable') {
        add('edge_rare_errors', `edge_rare_errors_total{arm="stable"} ${Math.floor(k / 100)} ${ts}`)
      }
      if (arm === 'candidate' && t > T.edge + 30 * MINUTE) continue
      add('edge_latency_seconds', `edge_latency_seconds_bucket{arm="${arm}",le="1"} ${5 * k} ${ts}`)
      add(
        'edge_latency_seconds',
        `edge_latency_seconds_bucket{arm="${arm}",le="+Inf"} ${10 * k} ${ts}`
      )
      add('edge_latency_seconds', `edge_latency_seconds_sum{arm="${arm}"} ${12 * k} ${ts}`)
      add('edge_latency_seconds', `edge_latency_seconds_count{arm="${arm}"} ${10 * k} ${ts}`)
    }
  }
  const types: Record<string, string> = { edge_latency_seconds: 'histogram' }
  const text = Object.entries(lines)
    .map(([family, l]) => `# TYPE ${family} ${types[family] ?? 'counter'}\n${l.join('\n')}`)
    .join('\n')
  writeFileSync(path, `${text}\n# EOF\n`)
  return path
}

describe('prometheus source, when the server misbehaves', () => {
  const servers: Server[] = []
  afterAll(() => servers.forEach(s => s.close()))

  async function stub(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler)
    servers.push(server)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }

  const hold = async (url: string, extra = '') => {
    const policy = promPolicy(url, extra)
    return run(
      new PrometheusSource({ policy, client: fast, env: { PROM_TOKEN: 's3cr3t-token' } }),
      policy,
      T.promote
    )
  }
  const sourceCheck = (o: Outcome) => o.record.checks.find(c => c.name === 'source')?.detail ?? ''

  it('holds with the reason when the server is down, after bounded retries', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const o = await hold(url)
    expect(o.record.decision).toBe('hold')
    expect(sourceCheck(o)).toMatch(/did not answer after 2 attempts \(last: ECONNREFUSED\)/)
  })

  it('holds when the answer is not the Prometheus API (HTML, wrong shape)', async () => {
    const html = await stub((_, res) => res.end('<html>login</html>'))
    expect(sourceCheck(await hold(html))).toMatch(/not JSON.*check source.url/)
    const shape = await stub((_, res) =>
      res.end(
        JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } })
      )
    )
    expect(sourceCheck(await hold(shape))).toMatch(/resultType "scalar", not a Prometheus API/)
  })

  it('retries 503 and 429 (honouring Retry-After), then reads the answer; secrets never in messages', async () => {
    let calls = 0
    const seen: string[] = []
    const url = await stub((req, res) => {
      calls++
      seen.push(String(req.headers.authorization))
      if (calls === 1) return res.writeHead(503).end('{"status":"error","error":"busy"}')
      if (calls === 2) return res.writeHead(429, { 'retry-after': '0' }).end()
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }))
    })
    const policy = promPolicy(url, '  auth: { bearerTokenEnv: PROM_TOKEN }\n')
    const source = new PrometheusSource({
      policy,
      client: { ...fast, retries: 2 },
      env: { PROM_TOKEN: 's3cr3t-token' }
    })
    expect(await source.firstCanaryTime(T.promote)).toBeUndefined()
    expect(calls).toBe(3)
    expect(seen).toEqual(Array(3).fill('Bearer s3cr3t-token'))
    expect(source.describe()).not.toMatch(/s3cr3t/)
  })

  it('holds on an answer with warnings (a partial response from Thanos or Mimir), quoting them', async () => {
    const partial = await stub((req, res) => {
      let body = ''
      req.on('data', d => (body += d))
      req.on('end', () => {
        const q = new URLSearchParams(body)
        const start = Number(q.get('start'))
        const result = q.has('step')
          ? [
              { metric: { arm: 'candidate' }, values: [[start, '100']] },
              { metric: { arm: 'stable' }, values: [[start, '400']] }
            ]
          : []
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: q.has('step') ? 'matrix' : 'vector', result },
            warnings: ['No StoreAPIs matched for this query', 'store eu-west-2 did not answer']
          })
        )
      })
    })
    const o = await hold(partial)
    expect(o.record.decision).toBe('hold')
    const dq = o.record.checks.find(c => c.name === 'data-quality')!
    expect(dq.status).toBe('block')
    expect(dq.detail).toMatch(
      /answered with a warning: No StoreAPIs matched for this query; .*answered with a warning: store eu-west-2 did not answer: the answer may lack data \(a partial response\)/
    )
  })

  it('holds with a NaN named, and a missing secret is a hold that names the variable, not a value', async () => {
    const nan = await stub((req, res) => {
      let body = ''
      req.on('data', d => (body += d))
      req.on('end', () => {
        const q = new URLSearchParams(body)
        const start = Number(q.get('start'))
        const result = q.has('step')
          ? [
              { metric: { arm: 'candidate' }, values: [[start, 'NaN']] },
              { metric: { arm: 'stable' }, values: [[start, '5']] }
            ]
          : []
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: q.has('step') ? 'matrix' : 'vector', result }
          })
        )
      })
    })
    const o = await hold(nan)
    expect(o.record.decision).toBe('hold')
    expect(o.record.checks.find(c => c.name === 'data-quality')?.detail).toMatch(
      /\(canary\) has value NaN/
    )

    const policy = promPolicy(
      nan,
      '  auth: { basic: { user: gate, passwordEnv: PROM_PASSWORD } }\n'
    )
    const missing = await run(
      new PrometheusSource({ policy, client: fast, env: {} }),
      policy,
      T.promote
    )
    expect(sourceCheck(missing)).toMatch(
      /environment variable PROM_PASSWORD \(source.auth.basic.passwordEnv\) is not set/
    )
  })
})

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

describe.skipIf(!hasOpenssl)('prometheus source over TLS', () => {
  it('refuses an unknown certificate; trusts it with tls.caFile, or with insecureSkipVerify', async () => {
    const dir = tempDir()
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert
    ])
    expect(made.status).toBe(0)
    const server = createHttpsServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (_, res) =>
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }))
    )
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    const url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    try {
      const first = (tls: string) => {
        const policy = promPolicy(url, tls)
        return new PrometheusSource({ policy, client: fast }).firstCanaryTime(T.promote)
      }
      await expect(first('')).rejects.toThrow(
        /did not answer after 2 attempts \(last: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/
      )
      await expect(first(`  tls: { caFile: ${cert} }\n`)).resolves.toBeUndefined()
      await expect(first('  tls: { insecureSkipVerify: true }\n')).resolves.toBeUndefined()
    } finally {
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('histogram quantiles are conservative', () => {
  it('widens to bucket edges: the true quantile is inside the interval, the interpolated one inside the bucket', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => 0.1 + ((i * 7919) % 1000) / 250)
    const bounds = [0.5, 1, 2, 4]
    const cumulative = [...bounds.map(b => values.filter(v => v <= b).length), values.length]
    const h = new HistogramQuantiles(fromCumulative(bounds, cumulative))
    const sorted = [...values].sort((a, b) => a - b)
    for (const rank of [1, 100, 500, 900, 1000]) {
      const truth = sorted[rank - 1]!
      const { low, high } = h.rangeAtRank(rank)
      expect(truth).toBeGreaterThan(low)
      expect(truth).toBeLessThanOrEqual(high)
      expect(h.valueAtRank(rank)).toBeGreaterThanOrEqual(low)
      expect(h.valueAtRank(rank)).toBeLessThanOrEqual(high)
    }
  })
})
