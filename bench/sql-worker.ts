/**
 * One `npm run bench:sql` measurement in a fresh process: evaluates the bench policy over
 * PostgreSQL, ClickHouse or the same rows as JSONL, and prints {ms, rssMb, records, decision} as
 * its last line. Bundled with esbuild (bench/bundle.ts) and run with plain node.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluate } from '../src/evaluate.js'
import { loadPolicyFile, sourceFor } from '../src/policyFile.js'
import type { Policy } from '../src/policy/types.js'
import { SqlSource } from '../src/sources/sql/sqlSource.js'

const [mode, target, start, end] = process.argv.slice(2) as [string, string, string, string]
// Bundled into bench/.data/, so the policy is one folder up.
const here = join(dirname(fileURLToPath(import.meta.url)), '..')
const loaded = await loadPolicyFile(join(here, 'bench-policy.yml'))
const started = performance.now()

const sqlPolicy = (engine: 'postgres' | 'clickhouse'): Policy => ({
  ...loaded.policy,
  source: {
    type: 'sql',
    engine,
    urlEnv: 'BENCH_DATABASE_URL',
    table: 'traffic',
    columns: engine === 'clickhouse' ? { ts: { column: 'ts_ms' } } : {},
    timeout: 3_600_000,
    retries: 0
  }
})

const policy = mode === 'file' ? loaded.policy : sqlPolicy(mode as 'postgres' | 'clickhouse')
const source =
  mode === 'file'
    ? await sourceFor(loaded, [target])
    : new SqlSource({ policy, env: { BENCH_DATABASE_URL: target } })
const outcome = await evaluate({
  policy,
  policyHash: loaded.hash,
  source,
  since: Number(start),
  now: Number(end)
})
const quality = outcome.record.dataQuality
const ms = performance.now() - started
/**
 * This process's peak RSS: VmHWM of its own address space. Not getrusage's maxRSS, which on Linux
 * keeps the high-water mark of the address space the process was forked with: that of the bench,
 * which holds the generated rows' exports.
 */
function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024
}
const rssMb = peakRssMb()
console.log(
  JSON.stringify({
    ms,
    rssMb,
    records: quality?.records ?? 0,
    decision: outcome.record.decision,
    arms: outcome.record.arms,
    metrics: outcome.record.metrics.map(m => [
      m.name,
      m.baseline,
      m.canary,
      m.delta.lower,
      m.delta.upper
    ]),
    problems: outcome.record.checks.filter(c => c.status === 'block').map(c => c.detail)
  })
)
