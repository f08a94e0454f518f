/**
 * The SQL source against a real PostgreSQL (Debian's `postgresql` package, one throwaway cluster
 * for this file): generated traffic in a table gives the same evidence and the same decisions as
 * the file source on the same records (helpers/sqlParity.ts); every fault is a hold with a clear
 * reason, never a crash; the gate's transactions are read-only; odd names and values are quoted
 * and bound. Without PostgreSQL installed these tests are skipped LOUDLY, and with
 * REQUIRE_POSTGRES set (as .ci/run does) that is a failure.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evaluate } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import { SourceError } from '../src/sources/source.js'
import { PostgresClient } from '../src/sources/sql/postgresClient.js'
import { SqlSource } from '../src/sources/sql/sqlSource.js'
import { BIN } from './helpers/cli.js'
import { freePort } from './helpers/prometheus.js'
import { postgresAvailable, startPostgres, type RunningPostgres } from './helpers/postgres.js'
import { HOUR, T, parityTests } from './helpers/sqlParity.js'
import { loadLiteLLM } from './helpers/sqlPresets.js'
import { expectSameDecision, expectSameEvidence, loadPostgres } from './helpers/sqlTraffic.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileSource } from '../src/sources/file/fileSource.js'

const available = postgresAvailable()
/** A query that takes its time: the first minute of traffic, 50 ms per row (about 12 s a scan). */
const SLOW =
  'query: "SELECT * FROM traffic_promote WHERE ts < timestamptz \'2026-11-02T08:01:00Z\' AND length(pg_sleep(0.05)::text) >= 0"'
let db: RunningPostgres

const policyWith = (source: string, extra = '') =>
  parsePolicy(
    `version: 1
rollout: { name: sql-faults, steps: [20, 100], minSamples: 300 }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: sql, engine: postgres, urlEnv: GATE_DB_URL, ${source} }
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp }
${extra}`,
    'faults.yml'
  )

const collect = (
  source: string,
  env: Record<string, string> = { GATE_DB_URL: db.url },
  extra = ''
) =>
  new SqlSource({ policy: policyWith(source, extra), env, backoffMs: 10 }).collect({
    window: { from: T, to: T + HOUR },
    now: T + HOUR
  })

describe.skipIf(!available)('SQL source on PostgreSQL', () => {
  const parity = parityTests({
    engine: 'postgres',
    async start() {
      db = await startPostgres()
      return db
    },
    load: (table, records) => loadPostgres(db, records, table).then(() => undefined)
  })

  describe('faults: each a SourceError with the reason (a hold), never a crash', () => {
    it('no URL in the environment', async () => {
      await expect(collect('table: traffic_promote', {})).rejects.toThrow(
        /environment variable GATE_DB_URL \(source.urlEnv\) is not set/
      )
    })

    it('server down: retried, then named', async () => {
      const url = `postgres://gate:x@127.0.0.1:${await freePort()}/postgres`
      const error = await collect('table: traffic_promote, retries: 2', { GATE_DB_URL: url }).catch(
        e => e
      )
      expect(error).toBeInstanceOf(SourceError)
      expect(error.message).toMatch(
        /cannot reach postgres 127\.0\.0\.1:\d+\/postgres table "traffic_promote" \(after 2 retries\): .*ECONNREFUSED/
      )
    })

    it('wrong credentials: not retried, and the password is never in the message', async () => {
      const url = db.url.replace(db.password, 'not-the-password')
      const error = await collect('table: traffic_promote', { GATE_DB_URL: url }).catch(e => e)
      expect(error.message).toMatch(
        /refused the credentials in GATE_DB_URL: password authentication failed for user "gate"/
      )
      expect(error.message).not.toContain('not-the-password')
    })

    it('a missing table, with the closest name', async () => {
      await expect(collect('table: traffic_promot')).rejects.toThrow(
        /no table "traffic_promot"; did you mean `traffic_promote`\?; check source.table/
      )
    })

    it('a mapped column that does not exist, with the closest column', async () => {
      await expect(
        collect('table: traffic_promote, columns: { latency_ms: latency }')
      ).rejects.toThrow(
        /source.columns.latency_ms: no column "latency" in table "traffic_promote"; did you mean `latency_ms`\?/
      )
    })

    it('a field a metric reads that no column holds', async () => {
      const extra =
        '  - { name: helpful, from: scores.helpful, kind: mean, better: higher, tolerance: 0.05 }\n'
      await expect(
        collect('table: traffic_promote', undefined, extra.replace(/^/, ''))
      ).rejects.toThrow(/metrics\[2\] reads "scores.helpful", which no column holds/)
    })

    it('a slow query stops at source.timeout', async () => {
      const slow =
        'query: "SELECT * FROM traffic_promote WHERE length(pg_sleep(0.002)::text) >= 0", timeout: 800ms, retries: 0'
      const started = Date.now()
      await expect(collect(slow)).rejects.toThrow(/did not finish within 0.8s \(source.timeout\)/)
      expect(Date.now() - started).toBeLessThan(5000)
      await expect(idle()).resolves.toBe(0)
    })

    it('a query cancelled on the server mid-way', async () => {
      const slow = `${SLOW}, retries: 0`
      const pending = collect(slow).catch(e => e)
      // The evidence query (not the describe before it) is running, mid-way: cancel it.
      const running =
        "application_name = 'ai-rollout-gate' AND state = 'active' AND query NOT LIKE '%LIMIT 0' AND now() - query_start > interval '300 milliseconds'"
      await waitFor(async () => (await active(running)) > 0)
      await db.sql(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE ${running}`)
      const error = await pending
      expect(error).toBeInstanceOf(SourceError)
      expect(error.message).toMatch(
        /the query was cancelled on the server: canceling statement due to user request/
      )
      await expect(idle()).resolves.toBe(0)
    })

    it('evaluate() holds with the reason', async () => {
      const policy = policyWith('table: traffic_promot')
      const source = new SqlSource({ policy, env: { GATE_DB_URL: db.url } })
      const outcome = await evaluate({
        policy,
        policyHash: 'sha256:x',
        source,
        now: T + HOUR,
        since: T
      })
      expect(outcome.record.decision).toBe('hold')
      expect(outcome.record.checks).toContainEqual(
        expect.objectContaining({
          name: 'source',
          status: 'block',
          detail: expect.stringMatching(/no table "traffic_promot"/)
        })
      )
    })
  })

  it('the fields check: a column the policy reads with no value in the window is named, with the columns that look like it', async () => {
    await db.sql(
      'CREATE TABLE traffic_unscored AS SELECT *, NULL::float8 AS helpfulness FROM traffic_promote'
    )
    const extra =
      '  - { name: helpful, from: helpfulnes, kind: mean, better: higher, tolerance: 0.05, mode: report }\n'
    // A column no row has a value for: the source cannot tell it from a typo but by the data.
    const policy = policyWith('table: traffic_unscored', extra.replace('helpfulnes', 'helpfulness'))
    const source = new SqlSource({ policy, env: { GATE_DB_URL: db.url } })
    const evidence = await source.collect({ window: { from: T, to: T + HOUR }, now: T + HOUR })
    expect(evidence.quality.fields?.paths).toEqual(
      expect.arrayContaining(['helpfulness', 'latency_ms', 'user_id', 'arm'])
    )
    const outcome = await evaluate({
      policy,
      policyHash: 'sha256:x',
      source,
      now: T + HOUR,
      since: T
    })
    expect(outcome.record.checks).toContainEqual({
      name: 'fields',
      status: 'warn',
      detail: expect.stringMatching(
        /^metric "helpful" reads "helpfulness": the field appears, but none of the [\d,]+ records in the window has a value for it/
      )
    })
    // A column that does not exist stops before the query, with the closest name.
    await expect(collect('table: traffic_unscored', undefined, extra)).rejects.toThrow(
      /reads "helpfulnes", which no column holds/
    )
  })

  it('runs read-only: the gate cannot write, whatever it is asked', async () => {
    const client = new PostgresClient({ url: db.url, timeoutMs: 10_000 })
    try {
      await expect(
        client.stream('CREATE TABLE gate_was_here (x int)', [], () => {})
      ).rejects.toThrow(/cannot execute CREATE TABLE in a read-only transaction/)
      await expect(client.stream('DELETE FROM traffic_promote', [], () => {})).rejects.toThrow(
        /read-only transaction/
      )
    } finally {
      await client.close()
    }
    expect(await db.sql('SELECT count(*)::int AS n FROM traffic_promote')).toEqual([{ n: 28800 }])
  })

  it('quotes names and binds values: odd column names, quotes and markup in labels', async () => {
    await db.sql(
      `CREATE TABLE "Odd Table; 1" ("When" timestamptz, "arm; DROP TABLE x" text, "user id" text, "latency (ms)" float8, meta jsonb)`
    )
    await db.sql(
      `INSERT INTO "Odd Table; 1" VALUES ($1, $2, 'u1', 100, '{"route": "faq"}'), ($1, $3, 'u2', 200, '{"route": "o''brien"}'), ($1, 'other', 'u3', 300, NULL)`,
      [new Date(T + 60_000).toISOString(), "stable'; --", 'can"ary']
    )
    const policy = parsePolicy(
      `version: 1
rollout: { name: odd }
arms: { field: "arm; DROP TABLE x", baseline: "stable'; --", canary: 'can"ary', unit: user id }
source:
  type: sql
  engine: postgres
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
    expect(await db.sql('SELECT count(*)::int AS n FROM traffic_promote')).toEqual([{ n: 28800 }])
  })

  describe('the front doors, as bundled (dist/): drivers load on demand', () => {
    const folder = mkdtempSync(join(tmpdir(), 'rollout-gate-sql-cli-'))
    afterAll(() => rmSync(folder, { recursive: true, force: true }))
    it('the CLI evaluates from PostgreSQL as from the same records in a file', () => {
      writeFileSync(join(folder, 'policy.yml'), parity.policyText('promote'))
      const now = new Date(T + HOUR).toISOString()
      const since = new Date(T).toISOString()
      const run = (args: string[]) =>
        spawnSync(
          process.execPath,
          [
            BIN,
            'evaluate',
            '--policy',
            'policy.yml',
            '--now',
            now,
            '--since',
            since,
            '--format',
            'json',
            ...args
          ],
          {
            cwd: folder,
            encoding: 'utf8',
            env: { PATH: process.env.PATH ?? '', GATE_DB_URL: db.url }
          }
        )
      const sql = run([])
      expect(sql.stderr).toBe('')
      const file = run(['--records', join(parity.dir, 'promote.jsonl')])
      const a = JSON.parse(sql.stdout)
      const b = JSON.parse(file.stdout)
      expect(a.decision).toBe('promote')
      expect(a.source).toMatch(/^postgres 127\.0\.0\.1:\d+\/postgres table "traffic_promote"$/)
      // Everything the same, the quantiles' intervals included (both compute per-unit rank sums).
      expect(a.metrics.some((m: { name: string }) => /^p\d/.test(m.name))).toBe(true)
      expectSameDecision(a, b)
    })

    it('the Action reads the URL from its masked database-url input, and never prints it', () => {
      writeFileSync(join(folder, 'policy.yml'), parity.policyText('promote'))
      const outputFile = join(folder, 'github-output')
      writeFileSync(outputFile, '')
      writeFileSync(join(folder, 'summary'), '')
      const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'index.js')], {
        cwd: folder,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: join(folder, 'summary'),
          RUNNER_TEMP: folder,
          GITHUB_ACTOR: 'octocat',
          INPUT_POLICY: 'policy.yml',
          'INPUT_STATE-FILE': 'state.json',
          INPUT_NOW: new Date(T + HOUR).toISOString(),
          'INPUT_DATABASE-URL': db.url
        }
      })
      expect(r.status, r.stdout + r.stderr).toBe(0)
      expect(readFileSync(outputFile, 'utf8')).toMatch(/^decision<<\S+\n(promote|hold)\n/m)
      const printed = r.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'))
      expect(printed.join('\n')).not.toContain(db.password)
      expect(r.stdout).toContain(`::add-mask::${db.url}`)
    })
  })

  describe('preset litellm: LiteLLM proxy spend logs', () => {
    const PRICING = { 'gpt-4o-2024-08-06': { input: 2.5, cacheRead: 1.25, output: 10 } }
    const folder = mkdtempSync(join(tmpdir(), 'rollout-gate-litellm-'))
    let canonical: Record<string, unknown>[] = []
    const litellmPolicyText = (arm: string, extra = '') =>
      `version: 1
rollout: { name: litellm, steps: [20, 100], minDuration: 30m, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: [stable, support], canary: [candidate, support-canary] }
source:
  type: sql
  engine: postgres
  urlEnv: LITELLM_DATABASE_URL
  preset: litellm
  columns: { arm: ${arm}, route: metadata.spend_logs_metadata.route }
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: p50 ttft, from: ttft_ms, kind: p50, better: lower, tolerance: 10% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp }
  - { name: rate limits, from: error.rate_limit, kind: rate, better: lower, tolerance: 1pp, mode: report }
  - { name: cache hits, from: cache_hit, kind: rate, better: higher, tolerance: 5pp, mode: report }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
${extra}`
    const litellmPolicy = (arm: string, extra = '') =>
      parsePolicy(litellmPolicyText(arm, extra), 'litellm.yml')

    beforeAll(async () => {
      canonical = await loadLiteLLM(db, parity.records.rollback, PRICING)
      writeFileSync(
        join(folder, 'calls.jsonl'),
        canonical.map(r => JSON.stringify(r)).join('\n') + '\n'
      )
    }, 60_000)
    afterAll(() => rmSync(folder, { recursive: true, force: true }))

    const pair = (arm: string, extra = '') => {
      const policy = litellmPolicy(arm, extra)
      return {
        policy,
        sql: new SqlSource({ policy, env: { LITELLM_DATABASE_URL: db.url } }),
        file: new FileSource({
          patterns: ['calls.jsonl'],
          baseDir: folder,
          format: 'jsonl',
          policy: { ...policy, source: { type: 'file', path: ['calls.jsonl'], format: 'jsonl' } },
          parallel: false
        })
      }
    }

    for (const arm of ['{ column: request_tags, tagPrefix: "variant:" }', 'model_group']) {
      it(`reads the evidence the file source reads from the same calls (arm: ${arm})`, async () => {
        const { sql, file } = pair(arm, 'segments: { by: [route] }')
        const window = { from: T, to: T + HOUR }
        const [a, b] = await Promise.all([
          sql.collect({ window, now: window.to }),
          file.collect({ window, now: window.to })
        ])
        const canary = a.cells.filter(c => c.arm === 'canary' && c.segment === '*')
        expect(canary.some(c => (c.errors.rate_limit ?? 0) > 0)).toBe(true)
        expectSameEvidence(a, b, 0)
      })
    }

    it('decides as the file source does', async () => {
      const { policy, sql, file } = pair(
        '{ column: request_tags, tagPrefix: "variant:" }',
        'segments: { by: [route] }'
      )
      const run = (source: SqlSource | FileSource) =>
        evaluate({ policy, policyHash: 'sha256:x', source, now: T + HOUR, since: T, replay: true })
      const [a, b] = await Promise.all([run(sql), run(file)])
      expect(a.record.decision).toBe('rollback')
      expectSameDecision(a.record, b.record)
    })

    it("reads the table's rows as the file source reads the same rows exported (src/records/litellm.ts)", async () => {
      const iso = (c: string) => `to_char("${c}", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      const rows = await db.sql(
        `SELECT (to_jsonb(t) || jsonb_build_object('startTime', ${iso('startTime')}, 'endTime', ${iso('endTime')},
          'completionStartTime', ${iso('completionStartTime')}))::text AS line FROM "LiteLLM_SpendLogs" AS t`
      )
      const lines = (rows as { line: string }[]).map(r => r.line)
      writeFileSync(join(folder, 'spend-logs.jsonl'), lines.join('\n') + '\n')
      const policy = litellmPolicy('model_group', 'segments: { by: [route] }')
      const filePolicy = parsePolicy(
        litellmPolicyText('model_group', 'segments: { by: [route] }')
          .replace('arms: { field: arm,', 'arms: { field: model_group,')
          .replace(
            /source:[\s\S]*?metrics:/,
            'source: { type: file, path: spend-logs.jsonl, format: jsonl }\nmetrics:'
          )
          .replace(
            'segments: { by: [route] }',
            'segments: { by: [metadata.spend_logs_metadata.route] }'
          ),
        'litellm-file.yml'
      )
      const sql = new SqlSource({ policy, env: { LITELLM_DATABASE_URL: db.url } })
      const file = new FileSource({
        patterns: ['spend-logs.jsonl'],
        baseDir: folder,
        format: 'jsonl',
        policy: filePolicy,
        parallel: false
      })
      const window = { from: T, to: T + HOUR }
      const [a, b] = await Promise.all([
        sql.collect({ window, now: window.to }),
        file.collect({ window, now: window.to })
      ])
      // The file source names the dimension by its path; the SQL policy maps the path to `route`.
      for (const c of b.cells) c.segment = c.segment.replace('metadata.spend_logs_metadata.', '')
      expect(a.cells.some(c => Object.keys(c.failedModels ?? {}).length > 0)).toBe(true)
      expectSameEvidence(a, b, 0)
    })

    it('without an arm mapping, says how to give one', async () => {
      const policy = parsePolicy(
        `version: 1
rollout: { name: litellm }
arms: { field: variant, baseline: a, canary: b }
source: { type: sql, engine: postgres, urlEnv: U, preset: litellm }
metrics: [{ name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10% }]
`,
        'l.yml'
      )
      await expect(
        new SqlSource({ policy, env: { U: db.url } }).collect({
          window: { from: T, to: T + HOUR },
          now: T + HOUR
        })
      ).rejects.toThrow(/the arm field "variant" \(arms.field\)/)
    })
  })
})

/** The gate's queries running that match `where`. */
async function active(where: string): Promise<number> {
  const rows = await db.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${where}`
  )
  return rows[0]?.n ?? 0
}

async function idle(): Promise<number> {
  await waitFor(async () => (await gateConnections()) === 0, 5000).catch(() => {})
  return gateConnections()
}

async function gateConnections(): Promise<number> {
  const rows = await db.sql<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ai-rollout-gate'"
  )
  return rows[0]?.n ?? 0
}

async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise(r => setTimeout(r, 20))
  }
}
