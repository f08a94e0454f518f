/**
 * `npm run bench`: evaluate 1,000,000 generated records and compare with a bare Node loop that only
 * reads the same file with the same line splitter and JSON.parse-s each line, measured in the same
 * run, each in a fresh child process (so peak RSS is each one's own). Prints ratios, never asserts
 * a time: these machines are noisy.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, writeTraffic } from '../examples/generate-traffic.js'
import { bundleFileWorker, bundleWorker } from './bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const COUNT = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const data = join(here, '.data', `traffic-${COUNT}.jsonl`)

if (!existsSync(data)) {
  mkdirSync(dirname(data), { recursive: true })
  console.log(`generating ${COUNT.toLocaleString('en-US')} records -> ${data}`)
  await writeTraffic(data, {
    seed: 3,
    start: DEMO_START,
    rate: 60,
    count: COUNT,
    canaryWeight: 5,
    users: 200_000,
    effect: SCENARIOS.promote!
  })
}
const mb = statSync(data).size / 1e6

// Both measurements run one bundle with plain node, as users run dist/cli.js: no TypeScript loader
// (whose module-hook thread alone adds tens of MB of RSS to each process).
const worker = await bundleWorker(here, 'worker')
await bundleFileWorker(dirname(worker))

interface Sample {
  ms: number
  rssMb: number
  records: number
}

function runWorker(mode: 'baseline' | 'gate'): Sample {
  const run = spawnSync(process.execPath, [worker, mode, data, String(COUNT)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24
  })
  if (run.status !== 0) throw new Error(`${mode} worker failed:\n${run.stderr}`)
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Sample
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const baseline: Sample[] = []
const gate: Sample[] = []
for (let i = 0; i < RUNS; i++) {
  baseline.push(runWorker('baseline'))
  gate.push(runWorker('gate'))
}
const b = median(baseline.map(s => s.ms))
const g = median(gate.map(s => s.ms))
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d })
console.log(`\n${fmt(COUNT)} records, ${fmt(mb, 1)} MB of JSONL, median of ${RUNS} runs each`)
console.log(
  `bare loop (read + split + JSON.parse): ${fmt(b)} ms, ${fmt((COUNT / b) * 1000)} records/s, peak RSS ${fmt(Math.max(...baseline.map(s => s.rssMb)))} MB`
)
console.log(
  `rollout-gate evaluate:                 ${fmt(g)} ms, ${fmt((COUNT / g) * 1000)} records/s, peak RSS ${fmt(Math.max(...gate.map(s => s.rssMb)))} MB`
)
console.log(
  `ratio gate / bare loop: ${(g / b).toFixed(2)} (target <= 1.5); peak RSS target < 200 MB`
)
