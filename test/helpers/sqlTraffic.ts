/**
 * Generated traffic (examples/generate-traffic.ts) loaded into PostgreSQL and ClickHouse tables
 * with the canonical column names, and the comparisons the SQL source tests make with the file
 * source on the same records.
 */
import { expect } from 'vitest'
import type { DecisionRecord } from '../../src/report/record.js'
import type { Cell, Evidence } from '../../src/sketch/evidence.js'
import type { MetricSketch, RatioMoments } from '../../src/sketch/types.js'
import type { RunningClickHouse } from './clickhouse.js'
import type { RunningPostgres } from './postgres.js'

export const PG_TRAFFIC = `CREATE TABLE IF NOT EXISTS traffic (
  ts timestamptz NOT NULL,
  arm text,
  user_id text,
  route text,
  language text,
  model text,
  system_fingerprint text,
  latency_ms double precision,
  ttft_ms double precision,
  prompt_tokens integer,
  prompt_tokens_details jsonb,
  completion_tokens integer,
  error text,
  score double precision
)`

/** Columns of the generator's records, in table order. */
const COLUMNS = [
  'ts',
  'arm',
  'user_id',
  'route',
  'language',
  'model',
  'system_fingerprint',
  'latency_ms',
  'ttft_ms',
  'prompt_tokens',
  'prompt_tokens_details',
  'completion_tokens',
  'error',
  'score'
] as const

export async function loadPostgres(
  db: RunningPostgres,
  records: Iterable<Record<string, unknown>>,
  table = 'traffic'
): Promise<number> {
  await db.sql(PG_TRAFFIC.replace('traffic', table))
  let batch: Record<string, unknown>[] = []
  let n = 0
  const flush = async () => {
    if (batch.length === 0) return
    await db.sql(
      `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
      [JSON.stringify(batch)]
    )
    batch = []
  }
  for (const r of records) {
    batch.push(Object.fromEntries(COLUMNS.map(c => [c, r[c] ?? null])))
    n++
    if (batch.length === 5000) await flush()
  }
  await flush()
  return n
}

/**
 * ClickHouse 18.16 has no DateTime64: `ts` keeps the second (DateTime), `ts_ms` the exact epoch
 * milliseconds the parity tests map `ts` to. prompt_tokens_details is JSON text.
 */
export const CH_TRAFFIC = `CREATE TABLE IF NOT EXISTS traffic (
  ts DateTime,
  ts_ms UInt64,
  arm String,
  user_id Nullable(String),
  route String,
  language String,
  model Nullable(String),
  system_fingerprint Nullable(String),
  latency_ms Nullable(Float64),
  ttft_ms Nullable(Float64),
  prompt_tokens Nullable(Int32),
  prompt_tokens_details Nullable(String),
  completion_tokens Nullable(Int32),
  error Nullable(String),
  score Nullable(Float64)
) ENGINE = MergeTree ORDER BY ts`

export async function loadClickHouse(
  db: RunningClickHouse,
  records: Iterable<Record<string, unknown>>,
  table = 'traffic'
): Promise<number> {
  await db.sql(CH_TRAFFIC.replace('traffic', table))
  let lines: string[] = []
  let n = 0
  const flush = async () => {
    if (lines.length === 0) return
    await db.sql(`INSERT INTO ${table} FORMAT JSONEachRow`, lines.join('\n'))
    lines = []
  }
  for (const r of records) {
    const ms = Date.parse(r.ts as string)
    const row: Record<string, unknown> = Object.fromEntries(COLUMNS.map(c => [c, r[c] ?? null]))
    row.ts = Math.floor(ms / 1000)
    row.ts_ms = ms
    row.prompt_tokens_details =
      r.prompt_tokens_details === undefined ? null : JSON.stringify(r.prompt_tokens_details)
    lines.push(JSON.stringify(row))
    n++
    if (lines.length === 20000) await flush()
  }
  await flush()
  return n
}

/** |a - b| over the larger magnitude (0 when equal). */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12)
}

/** Relative closeness of two numbers (absolute near 0). */
export function close(a: number, b: number, rel = 1e-9): boolean {
  if (a === b) return true
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Object.is(a, b)
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12)
}

function expectMoments(a: RatioMoments, b: RatioMoments, where: string): void {
  expect(a.n, `${where} n`).toBe(b.n)
  for (const key of Object.keys(b) as (keyof RatioMoments)[]) {
    if (!close(a[key] as number, b[key] as number))
      expect.fail(`${where} ${key}: ${a[key]} vs ${b[key]}`)
  }
}

function expectSketch(a: MetricSketch, b: MetricSketch, where: string): void {
  expect(a.requests, `${where} requests`).toBe(b.requests)
  expectMoments(a.moments, b.moments, `${where} moments`)
  expect(a.quantiles, `${where} quantiles`).toEqual(b.quantiles)
  expect(a.requestSquares, `${where} requestSquares`).toBeDefined()
  if (!close(a.requestSquares as number, b.requestSquares as number))
    expect.fail(`${where} requestSquares: ${a.requestSquares} vs ${b.requestSquares}`)
  // Per-unit rank sums: sums of integers, so equal exactly (the quantile's design effect).
  expect(a.unitRanks, `${where} unitRanks`).toEqual(b.unitRanks)
}

/**
 * The SQL source's evidence against the file source's on the same records: the same cells in the
 * same order with identical counts, moments within 1e-9 relative, identical quantile sketches,
 * cache sums and data quality. The A/A halves may differ (each source splits by its own hash):
 * they must each add up to the cell.
 */
export function expectSameEvidence(
  sql: Evidence,
  file: Evidence,
  /** Records before the window: the file source reads them, the SQL source leaves them in the database. */
  before = 0
): void {
  expect(sql.metrics).toEqual(file.metrics)
  expect(sql.unitLevel).toBe(file.unitLevel)
  expect(sql.window).toEqual(file.window)
  const key = (c: Cell) => `${c.arm} ${c.segment} ${c.bucket}`
  expect(sql.cells.map(key)).toEqual(file.cells.map(key))
  sql.cells.forEach((s, i) => {
    const f = file.cells[i] as Cell
    const where = key(s)
    expect(s.requests, `${where} requests`).toBe(f.requests)
    expect(s.units, `${where} units`).toBe(f.units)
    expect(s.fallbacks, `${where} fallbacks`).toBe(f.fallbacks)
    expect(s.models, `${where} models`).toEqual(f.models)
    expect(s.failedModels, `${where} failed models`).toEqual(f.failedModels)
    expect(s.errors, `${where} errors`).toEqual(f.errors)
    s.metrics.forEach((m, j) =>
      expectSketch(m, f.metrics[j] as MetricSketch, `${where} metric ${j}`)
    )
    expect(Boolean(s.cache), `${where} cache`).toBe(Boolean(f.cache))
    if (s.cache && f.cache) {
      const { latency, ttft, repricing, ...counts } = s.cache
      const { latency: fl, ttft: ft, repricing: fr, ...fcounts } = f.cache
      for (const [k, v] of Object.entries(counts)) {
        if (!close(v, fcounts[k as keyof typeof fcounts] as number)) {
          expect.fail(`${where} cache.${k}: ${v} vs ${fcounts[k as keyof typeof fcounts]}`)
        }
      }
      expectMoments(latency.hit, fl.hit, `${where} cache.latency.hit`)
      expectMoments(latency.miss, fl.miss, `${where} cache.latency.miss`)
      expectMoments(ttft.hit, ft.hit, `${where} cache.ttft.hit`)
      expectMoments(ttft.miss, ft.miss, `${where} cache.ttft.miss`)
      for (const [k, v] of Object.entries(repricing ?? {})) {
        const other = (fr as unknown as Record<string, number>)[k] as number
        if (!close(v, other)) expect.fail(`${where} cache.repricing.${k}: ${v} vs ${other}`)
      }
    }
    expect(Boolean(s.halves), `${where} halves`).toBe(Boolean(f.halves))
    if (s.halves) {
      s.metrics.forEach((m, j) => {
        const [h0, h1] = s.halves as [MetricSketch[], MetricSketch[]]
        expect((h0[j] as MetricSketch).requests + (h1[j] as MetricSketch).requests).toBe(m.requests)
        expect((h0[j] as MetricSketch).moments.n + (h1[j] as MetricSketch).moments.n).toBe(
          m.moments.n
        )
      })
    }
  })
  // `fields` (the raw keys rows had) is for sources that read rows: the SQL source names a
  // missing column, with a did-you-mean, before it queries.
  const { files, malformedSamples, notes, fields: _sf, ...quality } = sql.quality
  const { files: ff, malformedSamples: fm, notes: fn, fields: _ff, ...fileQuality } = file.quality
  void files
  void malformedSamples
  void notes
  void ff
  void fm
  void fn
  expect(quality).toEqual({
    ...fileQuality,
    lines: fileQuality.lines - before,
    outsideWindow: fileQuality.outsideWindow - before
  })
}

/**
 * Deep equality with numbers equal to `rel` relative (strings, booleans, nulls, shapes exact),
 * skipping the keys in `skip` at any depth.
 */
export function expectClose(
  a: unknown,
  b: unknown,
  where = '',
  skip: string[] = [],
  rel = 1e-9,
  /** When given: each number's relative difference, by its path. */
  seen?: Map<string, number>
): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (!close(a, b, rel)) expect.fail(`${where}: ${a} vs ${b}`)
    seen?.set(where, relativeDifference(a, b))
    return
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    expect(a.length, `${where} length`).toBe(b.length)
    a.forEach((x, i) => expectClose(x, b[i], `${where}[${i}]`, skip, rel, seen))
    return
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter(k => !skip.includes(k)))
    for (const k of keys) {
      expectClose(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${where}.${k}`,
        skip,
        rel,
        seen
      )
    }
    return
  }
  expect(a, where).toEqual(b)
}

/**
 * The decision records of the SQL and the file source on the same records: the same decision,
 * counts, estimates and intervals (to 1e-9 relative), checks and reasons. Left out: the A/A
 * comparison (each source splits the baseline by its own hash), the data-quality check's wording
 * (lines read: the SQL source leaves rows before the window in the database), and the source.
 */
export function expectSameDecision(sql: DecisionRecord, file: DecisionRecord): Map<string, number> {
  const seen = new Map<string, number>()
  expect(sql.decision).toBe(file.decision)
  // The fields check: the same status; its wording names the fields seen, which differ (the SQL
  // source sees the table's columns and the fields they give, the file source every key and
  // nested path of its rows).
  const checks = (r: DecisionRecord) =>
    r.checks
      .filter(c => c.name !== 'a/a')
      .map(c => (c.name === 'data-quality' || c.name === 'fields' ? { ...c, detail: '' } : c))
  expectClose(checks(sql), checks(file), 'checks', [], 1e-9, seen)
  const { checks: _a, source: _b, dataQuality: _c, ...rest } = sql
  const { checks: _d, source: _e, dataQuality: _f, ...fileRest } = file
  expectClose(rest, fileRest, 'record', ['aa', 'reasons'], 1e-9, seen)
  expect(sql.reasons.filter(r => !/A\/A/.test(r))).toEqual(
    file.reasons.filter(r => !/A\/A/.test(r))
  )
  return seen
}

/**
 * The largest relative difference of the decision's numbers, from expectSameDecision's map: per
 * quantile metric (its estimate, interval, counts, design-effect inputs) and over all the rest.
 */
export function parityDifferences(record: DecisionRecord, seen: Map<string, number>): string {
  const groups = new Map<string, { max: number; at: string; count: number }>()
  for (const [path, diff] of seen) {
    const m = /^record\.metrics\[(\d+)\]\.(.*)$/.exec(path)
    const metric = m ? record.metrics[Number(m[1])] : undefined
    const name = metric?.kind === 'quantile' ? metric.name : 'everything else'
    const g = groups.get(name) ?? { max: 0, at: '', count: 0 }
    g.count++
    if (diff >= g.max) Object.assign(g, { max: diff, at: m?.[2] ?? path })
    groups.set(name, g)
  }
  return [...groups]
    .map(([name, g]) => `${name}: ${g.max.toExponential(1)} (${g.at}, of ${g.count} numbers)`)
    .join('; ')
}
