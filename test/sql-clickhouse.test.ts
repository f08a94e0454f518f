/**
 * The SQL source against a real ClickHouse (Debian's `clickhouse-server`, 18.16, one throwaway
 * server for this file): generated traffic in a table gives the same evidence and the same
 * decisions as the file source on the same records (helpers/sqlParity.ts); every fault is a hold
 * with a clear reason, never a crash; requests are read-only, also for a user whose profile is;
 * odd names and values are quoted and escaped; the OpenTelemetry preset reads exporter-shaped spans.
 * Without clickhouse-server installed these tests are skipped LOUDLY, and with REQUIRE_CLICKHOUSE
 * set (as .ci/run does) that is a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evaluate } from '../src/evaluate.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { parsePolicy } from '../src/policy/parse.js'
import { SourceError } from '../src/sources/source.js'
import { ClickHouseClientAdapter } from '../src/sources/sql/clickhouseClient.js'
import { SqlSource } from '../src/sources/sql/sqlSource.js'
import {
  clickhouseAvailable,
  startClickHouse,
  type RunningClickHouse
} from './helpers/clickhouse.js'
import { freePort } from './helpers/prometheus.js'
import { HOUR, T, parityTests } from './helpers/sqlParity.js'
import { loadOtel } from './helpers/sqlPresets.js'
import {
  expectClose,
  expectSameDecision,
  expectSameEvidence,
  loadClickHouse
} from './helpers/sqlTraffic.js'

const available = clickhouseAvailable()
let db: RunningClickHouse

const policyWith = (source: string, extra = '') =>
  parsePolicy(
    `version: 1
rollout: { name: sql-faults, steps: [20, 100], minSamples: 300 }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: sql, engine: clickhouse, urlEnv: GATE_DB_URL, ${source} }
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp }
${extra}`,
    'faults.yml'
  )

const collect = (source: string, env: Record<string, string> = { GATE_DB_URL: db.url }) =>
  new SqlSource({ policy: policyWith(source), env, backoffMs: 10 }).collect({
    window: { from: T, to: T + HOUR },
    now: T + HOUR
  })

describe.skipIf(!available)('SQL source on ClickHouse 18.16', () => {
  const parity = parityTests({
    engine: 'clickhouse',
    columns: '{ ts: ts_ms }',
    async start() {
      db = await startClickHouse()
      return db
    },
    load: (table, records) => loadClickHouse(db, records, table).then(() => undefined)
  })

  it('a user whose profile is read-only gets the same evidence (no per-query settings)', async () => {
    const p = parity.policy('promote')
    const window = { from: T, to: T + HOUR }
    const [viewer, gate] = await Promise.all(
      [db.viewerUrl, db.url].map(url =>
        new SqlSource({ policy: p, env: { GATE_DB_URL: url } }).collect({ window, now: window.to })
      )
    )
    // ClickHouse sums floats in parallel, in no fixed order: equal to the last bits or so.
    expectClose(viewer?.cells, gate?.cells, 'cells')
  })

  it('a DateTime (seconds) column is the timestamp: windows compare in its own type', async () => {
    const window = { from: T + 61_000, to: T + HOUR }
    const evidence = await collect('table: traffic_promote').catch(e => e)
    expect(evidence).not.toBeInstanceOf(Error)
    const seconds = await new SqlSource({
      policy: policyWith('table: traffic_promote'),
      env: { GATE_DB_URL: db.url }
    }).collect({ window, now: window.to })
    const expected = parity.records.promote.filter(r => {
      const s = Math.floor(Date.parse(r.ts as string) / 1000) * 1000
      return s >= window.from && s < window.to
    }).length
    expect(seconds.quality.records).toBe(expected)
  })

  describe('faults: each a SourceError with the reason (a hold), never a crash', () => {
    it('server down: retried, then named', async () => {
      const url = `http://gate:x@127.0.0.1:${await freePort()}`
      const error = await collect('table: traffic_promote, retries: 1', { GATE_DB_URL: url }).catch(
        e => e
      )
      expect(error).toBeInstanceOf(SourceError)
      expect(error.message).toMatch(
        /cannot reach clickhouse 127\.0\.0\.1:\d+ table "traffic_promote" \(after 1 retry\): .*ECONNREFUSED/
      )
    })

    it('wrong credentials: not retried, and the password is never in the message', async () => {
      const url = db.url.replace(db.password, 'not-the-password')
      const error = await collect('table: traffic_promote', { GATE_DB_URL: url }).catch(e => e)
      expect(error.message).toMatch(
        /refused the credentials in GATE_DB_URL: Wrong password for user gate/
      )
      expect(error.message).not.toContain('not-the-password')
    })

    it('a missing table, with the closest name', async () => {
      await expect(collect('table: trafic_promote')).rejects.toThrow(
        /no table "trafic_promote"; did you mean `traffic_promote`\?/
      )
    })

    it('a mapped column that does not exist, with the closest column', async () => {
      await expect(collect('table: traffic_promote, columns: { ts: ts_msec }')).rejects.toThrow(
        /source.columns.ts: no column "ts_msec" in table "traffic_promote"; did you mean `ts_ms`\?/
      )
    })

    it('a slow query stops at source.timeout', async () => {
      // 18.16 refuses a block that would sleep over 3 s: 21,600 rows x 0.13 ms is 2.8 s.
      const slow =
        'query: "SELECT * FROM traffic_promote WHERE sleepEachRow(0.00013) = 0", timeout: 1s, retries: 0'
      const started = Date.now()
      await expect(collect(slow)).rejects.toThrow(/did not finish within 1s \(source.timeout\)/)
      expect(Date.now() - started).toBeLessThan(8000)
      // The gate stopped its query on the server too (KILL QUERY by its query_id).
      await waitFor(
        async () =>
          Number(await db.sql("SELECT count() FROM system.processes WHERE user = 'gate'")) === 0
      )
    })

    it('a query cancelled on the server mid-way', async () => {
      // 18.16 refuses a block that would sleep over 3 s: 21,600 rows x 0.13 ms is 2.8 s.
      const slow =
        'query: "SELECT * FROM traffic_promote WHERE sleepEachRow(0.00013) = 0", retries: 0'
      const pending = collect(slow).catch(e => e)
      // The evidence query (not the DESCRIBE before it) is running, mid-way: kill it. (18.16
      // loses a KILL that arrives before the query's pipeline is built.)
      const running =
        "query_id LIKE 'ai-rollout-gate-%' AND query LIKE 'SELECT %' AND query NOT LIKE '%system.functions%' AND elapsed > 0.3"
      await waitFor(
        async () =>
          Number(await db.sql(`SELECT count() FROM system.processes WHERE ${running}`)) > 0
      )
      await db.sql(`KILL QUERY WHERE ${running} SYNC`)
      const error = await pending
      expect(error).toBeInstanceOf(SourceError)
      expect(error.message).toMatch(/was cancelled on the server/)
    })
  })

  it('runs read-only: the gate cannot write, whatever it is asked', async () => {
    const client = new ClickHouseClientAdapter({ url: db.url, timeoutMs: 10_000 })
    try {
      await expect(
        client.stream('CREATE TABLE gate_was_here (x UInt8) ENGINE = Memory', [], () => {})
      ).rejects.toThrow(/readonly mode/)
      await expect(
        client.stream('INSERT INTO traffic_promote (arm) VALUES (1)', [], () => {})
      ).rejects.toThrow(/readonly mode/)
    } finally {
      await client.close()
    }
    expect((await db.sql('SELECT count() FROM traffic_promote')).trim()).toBe('28800')
  })

  it('quotes names and escapes values: odd column names, quotes, backslashes and control characters', async () => {
    await db.sql(
      'CREATE TABLE `Odd Table; 1` (`When` DateTime, `arm; DROP TABLE x` String, `user id` String, `latency (ms)` Float64, meta String) ENGINE = Memory'
    )
    const at = Math.floor((T + 60_000) / 1000)
    const rows = [
      {
        When: at,
        'arm; DROP TABLE x': "stable'; --\\",
        'user id': 'u1',
        'latency (ms)': 100,
        meta: '{"route": "faq"}'
      },
      {
        When: at,
        'arm; DROP TABLE x': 'can`ary\u0001',
        'user id': 'u2',
        'latency (ms)': 200,
        meta: '{"route": "o\'brien"}'
      },
      { When: at, 'arm; DROP TABLE x': 'other', 'user id': 'u3', 'latency (ms)': 300, meta: '' }
    ]
    await db.sql(
      'INSERT INTO `Odd Table; 1` FORMAT JSONEachRow',
      rows.map(r => JSON.stringify(r)).join('\n')
    )
    const policy = parsePolicy(
      `version: 1
rollout: { name: odd }
arms: { field: "arm; DROP TABLE x", baseline: "stable'; --\\\\", canary: "can\`ary\\u0001", unit: user id }
source:
  type: sql
  engine: clickhouse
  urlEnv: GATE_DB_URL
  table: 'Odd Table; 1'
  columns: { ts: When, latency_ms: latency (ms), route: meta.route }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10% }
segments: { by: [route] }
`,
      'odd.yml'
    )
    const evidence = await new SqlSource({ policy, env: { GATE_DB_URL: db.url } }).collect({
      window: { from: T, to: T + HOUR },
      now: T + HOUR
    })
    expect(
      evidence.cells.map(c => [c.arm, c.segment, c.requests, c.units, c.metrics[0]?.moments.sx])
    ).toEqual([
      ['baseline', '*', 1, 1, 100],
      ['baseline', 'route=faq', 1, 1, 100],
      ['canary', '*', 1, 1, 200],
      ['canary', "route=o'brien", 1, 1, 200]
    ])
    expect(evidence.quality.unmatchedArms).toEqual({ other: 1 })
  })

  describe('preset otel: OpenTelemetry GenAI spans (Collector ClickHouse exporter)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'rollout-gate-otel-'))
    const otelPolicy = (extra = '') =>
      parsePolicy(
        `version: 1
rollout: { name: otel, steps: [20, 100], minDuration: 30m, minSamples: 300, warmup: 5m }
arms: { field: service.version, baseline: stable, canary: candidate }
source: { type: sql, engine: clickhouse, urlEnv: OTEL_CLICKHOUSE_URL, preset: otel }
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: p50 ttft, from: ttft_ms, kind: p50, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp }
  - { name: output tokens, from: gen_ai.usage.output_tokens, kind: mean, better: lower, tolerance: 15% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
${extra}`,
        'otel.yml'
      )

    beforeAll(async () => {
      const canonical = await loadOtel(db, parity.records.promote)
      writeFileSync(
        join(folder, 'spans.jsonl'),
        canonical.map(r => JSON.stringify(r)).join('\n') + '\n'
      )
    }, 60_000)
    afterAll(() => rmSync(folder, { recursive: true, force: true }))

    const pair = (extra = '') => {
      const policy = otelPolicy(extra)
      return {
        policy,
        sql: new SqlSource({ policy, env: { OTEL_CLICKHOUSE_URL: db.url } }),
        file: new FileSource({
          patterns: ['spans.jsonl'],
          baseDir: folder,
          format: 'jsonl',
          policy: { ...policy, source: { type: 'file', path: ['spans.jsonl'], format: 'jsonl' } },
          parallel: false
        })
      }
    }

    it('reads GenAI spans only, as the file source reads the same spans', async () => {
      const { sql, file } = pair('segments: { by: [route] }')
      const window = { from: T, to: T + HOUR }
      const [a, b] = await Promise.all([
        sql.collect({ window, now: window.to }),
        file.collect({ window, now: window.to })
      ])
      expect(a.quality.lines).toBe(
        parity.records.promote.filter(r => Date.parse(r.ts as string) < T + HOUR + HOUR).length
      )
      expectSameEvidence(a, b, 0)
    })

    it('decides as the file source does', async () => {
      const { policy, sql, file } = pair()
      const run = (source: SqlSource | FileSource) =>
        evaluate({ policy, policyHash: 'sha256:x', source, now: T + HOUR, since: T, replay: true })
      const [a, b] = await Promise.all([run(sql), run(file)])
      expect(a.record.decision).toBe('promote')
      expectSameDecision(a.record, b.record)
    })

    it('a table without the attribute maps: says what the preset needs, and that this server has no Map type', async () => {
      await db.sql(
        'CREATE TABLE otel_flat (Timestamp DateTime, Duration UInt64, SpanAttributes String) ENGINE = Memory'
      )
      const policy = parsePolicy(
        `version: 1
rollout: { name: otel }
arms: { field: service.version, baseline: a, canary: b }
source: { type: sql, engine: clickhouse, urlEnv: U, preset: otel, table: otel_flat }
metrics: [{ name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10% }]
`,
        'o.yml'
      )
      await expect(
        new SqlSource({ policy, env: { U: db.url } }).collect({
          window: { from: T, to: T + HOUR },
          now: T + HOUR
        })
      ).rejects.toThrow(
        /the otel preset reads span attributes from column SpanAttributes, a Map or Nested\(keys, values\) \(this server, ClickHouse 18\.16\.1, has no Map type: the Collector's exporter needs 21\.1 or later/
      )
    })
  })
})

async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise(r => setTimeout(r, 20))
  }
}
