/**
 * The parity tests both SQL engines run: generated traffic (a scenario that should promote and one
 * that should roll back), loaded into a table and written as JSONL, read by the SQL source and by
 * the file source: the same evidence, the same decision. Each engine's test file supplies the
 * server and the table loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SCENARIOS, traffic } from '../../examples/generate-traffic.js'
import { evaluate } from '../../src/evaluate.js'
import { parsePolicy } from '../../src/policy/parse.js'
import type { Policy } from '../../src/policy/types.js'
import { FileSource } from '../../src/sources/file/fileSource.js'
import { SqlSource } from '../../src/sources/sql/sqlSource.js'
import { expectSameDecision, expectSameEvidence } from './sqlTraffic.js'

export const HOUR = 3_600_000
export const T = Date.parse('2026-11-02T08:00:00Z')

const METRICS = `metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 2% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp, limit: 2% }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 15%, mode: report }
  - { name: tokens per dollar, from: output_tokens, per: cost, kind: ratio, better: higher, tolerance: 10%, mode: report }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`

export type Scenario = 'promote' | 'rollback'

export function scenarioRecords(name: Scenario): Record<string, unknown>[] {
  return [
    ...traffic({
      seed: name === 'promote' ? 21 : 22,
      start: T,
      rate: 4,
      count: 4 * 3600,
      canaryWeight: 20,
      users: 3000,
      effect: SCENARIOS[name]!
    })
  ]
}

export interface ParityOptions {
  engine: 'postgres' | 'clickhouse'
  /** The source's `columns`, as YAML flow (ClickHouse maps ts to its millisecond column). */
  columns?: string
  start(): Promise<{ url: string; stop(): Promise<void> }>
  /** Loads `records` into `table` (created). */
  load(table: string, records: Record<string, unknown>[]): Promise<void>
}

/** Registers the parity tests; returns the scenario records and the server's URL, once started. */
export function parityTests(o: ParityOptions) {
  const dir = mkdtempSync(join(tmpdir(), `rollout-gate-sql-${o.engine}-`))
  const records = { promote: scenarioRecords('promote'), rollback: scenarioRecords('rollback') }
  const server: { url: string; stop?: () => Promise<void> } = { url: '' }

  beforeAll(async () => {
    const started = await o.start()
    Object.assign(server, started)
    for (const name of ['promote', 'rollback'] as const) {
      await o.load(`traffic_${name}`, records[name])
      writeFileSync(
        join(dir, `${name}.jsonl`),
        records[name].map(r => JSON.stringify(r)).join('\n') + '\n'
      )
    }
  }, 180_000)

  afterAll(async () => {
    await server.stop?.()
    rmSync(dir, { recursive: true, force: true })
  })

  const policyText = (scenario: Scenario, extra = ''): string =>
    `version: 1
rollout: { name: sql-parity, steps: [20, 100], minDuration: 30m, maxDuration: 12h, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: sql, engine: ${o.engine}, urlEnv: GATE_DB_URL, table: traffic_${scenario}${o.columns ? `, columns: ${o.columns}` : ''} }
${METRICS}${extra}`
  const policy = (scenario: Scenario, extra = ''): Policy =>
    parsePolicy(policyText(scenario, extra), 'parity.yml')

  const sources = (p: Policy, scenario: Scenario) => ({
    sql: new SqlSource({ policy: p, env: { GATE_DB_URL: server.url } }),
    file: new FileSource({
      patterns: [`${scenario}.jsonl`],
      baseDir: dir,
      format: 'jsonl',
      policy: { ...p, source: { type: 'file', path: [`${scenario}.jsonl`], format: 'jsonl' } },
      parallel: false
    })
  })

  const before = (scenario: Scenario, from: number) =>
    records[scenario].filter(r => Date.parse(r.ts as string) < from).length

  it('gives the file source evidence: cells, moments, quantile sketches, cache sums, quality', async () => {
    const { sql, file } = sources(policy('promote'), 'promote')
    const window = { from: T, to: T + HOUR + 1 }
    const [a, b] = await Promise.all([
      sql.collect({ window, now: window.to }),
      file.collect({ window, now: window.to })
    ])
    expect(a.cells.length).toBeGreaterThan(20)
    expectSameEvidence(a, b)
  })

  it('with segments (two dimensions), a window that starts later, and records after it', async () => {
    const { sql, file } = sources(
      policy('rollback', 'segments: { by: [route, language] }\n'),
      'rollback'
    )
    const from = T + 10 * 60_000
    const window = { from, to: T + 40 * 60_000 }
    const [a, b] = await Promise.all([
      sql.collect({ window, now: window.to + 60_000 }),
      file.collect({ window, now: window.to + 60_000 })
    ])
    expect(a.cells.filter(c => c.segment !== '*').length).toBeGreaterThan(100)
    expect(a.quality.outsideWindow).toBeGreaterThan(0)
    expect(a.quality.future).toBeGreaterThan(0)
    // The SQL source reads no row from before the window.
    expectSameEvidence(a, b, before('rollback', from))
  })

  for (const [scenario, decision] of [
    ['promote', 'promote'],
    ['rollback', 'rollback']
  ] as const) {
    it(`decides as the file source does (${scenario}): decision, counts, estimates, intervals`, async () => {
      const p = policy(scenario, 'segments: { by: [route], gate: hold }\n')
      const { sql, file } = sources(p, scenario)
      const run = (source: SqlSource | FileSource) =>
        // replay: as `--now`, records after now are expected (the scenario goes on past it).
        evaluate({
          policy: p,
          policyHash: 'sha256:test',
          source,
          now: T + HOUR,
          since: T,
          replay: true
        })
      const [a, b] = await Promise.all([run(sql), run(file)])
      expect(a.record.decision, a.record.reasons.join('; ')).toBe(decision)
      expectSameDecision(a.record, b.record)
    })
  }

  it('finds the first canary record as the file source does', async () => {
    const { sql, file } = sources(policy('promote'), 'promote')
    const until = T + HOUR
    const first = await sql.firstCanaryTime(until)
    expect(first).toBeGreaterThanOrEqual(T)
    expect(first).toBe(await file.firstCanaryTime(until))
  })

  return { server, records, dir, policy, policyText }
}
