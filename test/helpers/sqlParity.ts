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
import { expectSameDecision, expectSameEvidence, parityDifferences } from './sqlTraffic.js'

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

export type Scenario = 'promote' | 'rollback' | 'dirty'

export function scenarioRecords(name: Scenario): Record<string, unknown>[] {
  if (name === 'dirty') return dirtyRecords(scenarioRecords('promote'))
  return [
    ...traffic({
      seed: name === 'promote' ? 21 : 22,
      start: T,
      // The promote scenario at 8 requests a second over 30,000 users: an hour of it is enough for
      // every gating metric at the first step's share of the error budget, the p95 included under
      // the correlated-units design effect the SQL source gets without per-unit rank sums.
      rate: name === 'promote' ? 8 : 4,
      count: (name === 'promote' ? 8 : 4) * 3600,
      canaryWeight: 20,
      users: name === 'promote' ? 30000 : 3000,
      effect: SCENARIOS[name]!
    })
  ]
}

/**
 * The promote scenario with data problems every few rows, each a kind the sources count apart: an
 * arm neither arm names, negative latency, time to first token and token counts, a score outside
 * [0, 1], missing values (latency, score, user, model), more cached tokens than input tokens (a
 * cost that cannot be priced) and an error with an odd class name.
 */
export function dirtyRecords(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.map((r, i) => {
    const d: Record<string, unknown> = { ...r }
    if (i % 97 === 0) d.arm = i % 2 ? 'shadow' : 'Candidate '
    if (i % 89 === 0) d.latency_ms = -Number(r.latency_ms ?? 1)
    if (i % 83 === 0) d.latency_ms = null
    if (i % 79 === 0 && typeof r.score === 'number') d.score = 1 + r.score
    if (i % 73 === 0) d.score = null
    if (i % 71 === 0) d.prompt_tokens = -5
    if (i % 67 === 0) d.user_id = null
    if (i % 61 === 0) d.ttft_ms = -1
    if (i % 59 === 0) d.model = null
    if (i % 53 === 0) d.completion_tokens = null
    if (i % 47 === 0) d.prompt_tokens_details = { cached_tokens: Number(r.prompt_tokens ?? 0) + 10 }
    if (i % 43 === 0) d.error = 'Weird\tError: 500 | <b>'
    return d
  })
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
  const records = {
    promote: scenarioRecords('promote'),
    rollback: scenarioRecords('rollback'),
    dirty: scenarioRecords('dirty')
  }
  const server: { url: string; stop?: () => Promise<void> } = { url: '' }

  beforeAll(async () => {
    const started = await o.start()
    Object.assign(server, started)
    for (const name of ['promote', 'rollback', 'dirty'] as const) {
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
    // Per-unit rank sums of the p95, in the cells and in the baseline's A/A halves.
    expect(a.cells.filter(c => c.metrics[1]?.unitRanks).length).toBeGreaterThan(20)
    expect(a.cells.some(c => c.halves?.[0][1]?.unitRanks)).toBe(true)
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

  it('counts the data problems the file source counts: unmatched arms, invalid and missing values', async () => {
    // A mean with a declared range is bounded: a value outside it is invalid, in SQL as in files.
    const bounded = parsePolicy(
      policyText('dirty', 'segments: { by: [route] }\n').replace(
        'metrics:\n',
        'metrics:\n  - { name: bounded latency, from: latency_ms, kind: mean, better: lower, tolerance: 10%, range: [0, 10000], mode: report }\n'
      ),
      'parity.yml'
    )
    const { sql, file } = sources(bounded, 'dirty')
    const window = { from: T, to: T + HOUR + 1 }
    const [a, b] = await Promise.all([
      sql.collect({ window, now: window.to }),
      file.collect({ window, now: window.to })
    ])
    expect(Object.keys(a.quality.unmatchedArms).sort()).toEqual(['Candidate ', 'shadow'])
    expect(Object.keys(a.quality.invalidValues)).toEqual(
      expect.arrayContaining([
        'latency_ms: negative or not a finite number',
        'score: outside [0, 1] or not a number',
        'cost: cache tokens exceed input tokens',
        'cost: no model to look up in policy.pricing',
        "latency_ms: outside the metric's range [0, 10000]"
      ])
    )
    expectSameEvidence(a, b)
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
      const seen = expectSameDecision(a.record, b.record)
      console.log(
        `${o.engine} ${scenario}, largest relative difference SQL vs file: ${parityDifferences(a.record, seen)}`
      )
    })
  }

  it('with varianceReduction, compares the metric unadjusted (no per-unit pre-exposure data in SQL) and says so', async () => {
    const text = policyText('promote').replace(
      'tolerance: 5% }',
      'tolerance: 5%, varianceReduction: { lookback: 1d } }'
    )
    const adjusted = parsePolicy(text, 'parity.yml')
    const plain = policy('promote')
    const run = (p: Policy, source: SqlSource | FileSource) =>
      evaluate({
        policy: p,
        policyHash: 'sha256:test',
        source,
        now: T + HOUR,
        since: T,
        replay: true
      })
    const [a, b] = await Promise.all([
      run(adjusted, sources(adjusted, 'promote').sql),
      run(plain, sources(plain, 'promote').file)
    ])
    const cost = a.record.metrics.find(m => m.name === 'cost per request')
    expect(cost?.varianceReduction).toMatchObject({ used: false, reason: 'no-data' })
    // Otherwise the decision of the same policy without varianceReduction, on the file source.
    delete cost?.varianceReduction
    expectSameDecision(a.record, b.record)
  })

  it('finds the first canary record as the file source does', async () => {
    const { sql, file } = sources(policy('promote'), 'promote')
    const until = T + HOUR
    const first = await sql.firstCanaryTime(until)
    expect(first).toBeGreaterThanOrEqual(T)
    expect(first).toBe(await file.firstCanaryTime(until))
  })

  return { server, records, dir, policy, policyText }
}
