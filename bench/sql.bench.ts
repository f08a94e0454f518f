/**
 * `npm run bench:sql`: 10,000,000 LLM calls in PostgreSQL and in ClickHouse (throwaway servers,
 * Debian's packages), one evaluation of the bench policy (5 metrics, a p95, 2 segment dimensions,
 * per-user clustering) over each, and over the same rows exported as JSONL for the file source:
 * wall time and the gate's peak RSS, each in a fresh process, runs interleaved (the machine is
 * shared and noisy), medians and ratios against the file source. Prints figures, asserts none
 * but that the three read the same records and reach the same decision.
 *
 * The rows are generated inside PostgreSQL (bench/sqlTraffic.ts: the distribution of
 * examples/generate-traffic.ts, from hashes of the row number), then copied out as TSV for
 * ClickHouse and as JSONL for the file source. BENCH_SQL_ROWS (default 10,000,000) and
 * BENCH_RUNS (default 3) change the size and the repetitions; BENCH_SQL_RATE (default 60 a
 * second) the rate, so that more rows can fill the same window (the same buckets and cells: the
 * gate's memory with a SQL source should not change).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, createReadStream, mkdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START } from '../examples/generate-traffic.js'
import { clickhouseAvailable, startClickHouse } from '../test/helpers/clickhouse.js'
import { postgresAvailable, startPostgres } from '../test/helpers/postgres.js'
import { CH_TRAFFIC, PG_TRAFFIC } from '../test/helpers/sqlTraffic.js'
import { bundleFileWorker, bundleWorker } from './bundle.js'
import { RATE, generateTraffic } from './sqlTraffic.js'

const here = dirname(fileURLToPath(import.meta.url))
const ROWS = Number(process.env.BENCH_SQL_ROWS ?? 10_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const RATE_PER_S = Number(process.env.BENCH_SQL_RATE ?? RATE)
const CANARY_WEIGHT = 5
const start = DEMO_START
const end = start + (ROWS / RATE_PER_S) * 1000 + 1000

if (!postgresAvailable() || !clickhouseAvailable()) process.exit(1)

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d })
const step = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
  const t = performance.now()
  const out = await f()
  console.log(`${label}: ${fmt((performance.now() - t) / 1000, 1)} s`)
  return out
}

const dir = join(here, '.data', `sql-${ROWS}`)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
// PostgreSQL writes the exports (COPY ... TO a file runs as its own user).
chmodSync(dir, 0o777)
const jsonl = join(dir, 'traffic.jsonl')
const tsv = join(dir, 'traffic.tsv')

const pg = await startPostgres()
const ch = await startClickHouse()
try {
  console.log(`${fmt(ROWS)} rows, ${RATE_PER_S} per second from ${new Date(start).toISOString()}`)
  await pg.sql(PG_TRAFFIC)
  await step('PostgreSQL: generate the rows in SQL', () =>
    pg.sql(generateTraffic(ROWS, new Date(start).toISOString(), CANARY_WEIGHT, RATE_PER_S))
  )
  await step('PostgreSQL: index on ts, VACUUM ANALYZE', async () => {
    await pg.sql('CREATE INDEX traffic_ts ON traffic (ts)')
    await pg.sql('VACUUM ANALYZE traffic')
  })
  const iso = `to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
  await step('export JSONL for the file source', () =>
    pg.sql(`COPY (SELECT json_build_object('ts', ${iso}, 'arm', arm, 'user_id', user_id, 'route', route,
      'language', language, 'model', model, 'system_fingerprint', system_fingerprint, 'latency_ms', latency_ms,
      'ttft_ms', ttft_ms, 'prompt_tokens', prompt_tokens, 'prompt_tokens_details', prompt_tokens_details,
      'completion_tokens', completion_tokens, 'error', error, 'score', score)::text
      FROM traffic ORDER BY ts) TO '${jsonl}'`)
  )
  await step('export TSV for ClickHouse', () =>
    pg.sql(`COPY (SELECT floor(extract(epoch FROM ts))::int8, (extract(epoch FROM ts) * 1000)::int8, arm, user_id,
      route, language, model, system_fingerprint, latency_ms, ttft_ms, prompt_tokens, prompt_tokens_details::text,
      completion_tokens, error, score FROM traffic ORDER BY ts) TO '${tsv}'`)
  )
  await ch.sql(CH_TRAFFIC)
  await step('ClickHouse: load the TSV', async () => {
    const r = await fetch(
      `http://127.0.0.1:${ch.httpPort}/?query=${encodeURIComponent('INSERT INTO traffic FORMAT TabSeparated')}`,
      { method: 'POST', body: createReadStream(tsv), duplex: 'half' } as unknown as RequestInit
    )
    if (!r.ok) throw new Error(`ClickHouse: ${await r.text()}`)
  })
  rmSync(tsv)
  console.log(`JSONL: ${fmt(statSync(jsonl).size / 1e6)} MB`)

  // Plain node on a bundle, as users run dist/: no TypeScript loader in the measured process.
  const worker = await bundleWorker(here, 'sql-worker')
  await bundleFileWorker(dirname(worker))
  type Mode = 'file' | 'postgres' | 'clickhouse'
  const targets: Record<Mode, string> = { file: jsonl, postgres: pg.url, clickhouse: ch.url }
  interface Sample {
    ms: number
    rssMb: number
    records: number
    decision: string
    arms: unknown
    metrics: unknown
    problems: string[]
  }
  const run = (mode: Mode): Sample => {
    const r = spawnSync(
      process.execPath,
      [worker, mode, targets[mode], String(start), String(end)],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24
      }
    )
    if (r.status !== 0) throw new Error(`${mode} worker failed:\n${r.stderr}`)
    return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Sample
  }
  const modes: Mode[] = ['file', 'postgres', 'clickhouse']
  const samples: Record<Mode, Sample[]> = { file: [], postgres: [], clickhouse: [] }
  for (let i = 0; i < RUNS; i++) {
    for (const mode of modes) {
      const s = run(mode)
      samples[mode].push(s)
      console.log(`  run ${i + 1} ${mode}: ${fmt(s.ms)} ms, ${fmt(s.rssMb)} MB, ${s.decision}`)
    }
  }
  const first = samples.file[0] as Sample
  for (const mode of modes) {
    const s = samples[mode][0] as Sample
    if (s.records !== first.records || s.decision !== first.decision) {
      throw new Error(
        `${mode} read ${s.records} records (${s.decision}); the file source ${first.records} (${first.decision})${s.problems.length > 0 ? `; ${mode} said: ${s.problems.join('; ')}` : ''}`
      )
    }
    if (JSON.stringify(s.arms) !== JSON.stringify(first.arms)) {
      throw new Error(
        `${mode} counts ${JSON.stringify(s.arms)}, the file source ${JSON.stringify(first.arms)}`
      )
    }
  }
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const fileMs = median(samples.file.map(s => s.ms))
  console.log(
    `\n${fmt(ROWS)} rows (${fmt(first.records)} in the window), decision ${first.decision}, median of ${RUNS} runs each\n`
  )
  console.log('| source | one evaluation | ratio to the file source | gate peak RSS |')
  console.log('|---|---|---|---|')
  const labels: Record<Mode, string> = {
    file: 'file source (JSONL, worker threads)',
    postgres: 'PostgreSQL 15 (sql source)',
    clickhouse: 'ClickHouse 18.16 (sql source)'
  }
  for (const mode of modes) {
    const ms = median(samples[mode].map(s => s.ms))
    const rss = Math.max(...samples[mode].map(s => s.rssMb))
    console.log(
      `| ${labels[mode]} | ${fmt(ms / 1000, 1)} s | ${(ms / fileMs).toFixed(2)} | ${fmt(rss)} MB |`
    )
  }
} finally {
  await pg.stop()
  await ch.stop()
  rmSync(dir, { recursive: true, force: true })
}
