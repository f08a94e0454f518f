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

type Mode = 'baseline' | 'gate' | 'gate-1'

function runWorker(mode: Mode): Sample {
  const run = spawnSync(process.execPath, [worker, mode, data, String(COUNT)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24
  })
  if (run.status !== 0) throw new Error(`${mode} worker failed:\n${run.stderr}`)
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Sample
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const modes: Mode[] = ['baseline', 'gate', 'gate-1']
const samples: Record<Mode, Sample[]> = { baseline: [], gate: [], 'gate-1': [] }
// Interleaved, so that the machine's drift (it is shared and noisy) hits every mode alike.
for (let i = 0; i < RUNS; i++) for (const mode of modes) samples[mode].push(runWorker(mode))
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d })
const b = median(samples.baseline.map(s => s.ms))
const line = (label: string, mode: Mode) => {
  const ms = median(samples[mode].map(s => s.ms))
  const rss = Math.max(...samples[mode].map(s => s.rssMb))
  // Each run against the bare loop run just before it: robust to drift between runs.
  const paired = median(samples[mode].map((s, i) => s.ms / samples.baseline[i]!.ms))
  const ratios =
    mode === 'baseline' ? '' : `, ratio ${(ms / b).toFixed(2)} (paired ${paired.toFixed(2)})`
  console.log(
    `${label.padEnd(40)} ${fmt(ms).padStart(6)} ms, ${fmt((COUNT / ms) * 1000).padStart(7)} records/s, peak RSS ${fmt(rss)} MB${ratios}`
  )
}
console.log(`\n${fmt(COUNT)} records, ${fmt(mb, 1)} MB of JSONL, median of ${RUNS} runs each`)
line('bare loop (read + split + JSON.parse):', 'baseline')
line('rollout-gate evaluate:', 'gate')
line('rollout-gate evaluate, one thread only:', 'gate-1')
console.log('targets: ratio of rollout-gate evaluate <= 1.5, peak RSS < 200 MB')
