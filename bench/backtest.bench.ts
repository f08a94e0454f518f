/**
 * `npm run bench:backtest`: a week of 15-minute looks (672) over 1,000,000 generated records,
 * against one evaluation of the same file, each in a fresh process from one bundle (as users run
 * dist/cli.js), interleaved, medians of BENCH_RUNS. Prints ratios, never asserts a time.
 *
 * The logs: a week of a 5% canary (1.65 calls per second, 200,000 users of unequal activity).
 * Two policies, the benchmark's own (bench/bench-policy.yml) in two variants:
 *   - whole week: maxDuration 8d, onTimeout hold. The 5% step promotes after about 15 h, and the
 *     25% step then holds for the rest of the week on the logs' 5% split: every one of the 672
 *     looks runs a full evaluation, over a window that grows to six days (the worst case: a
 *     window's analysis grows with its length);
 *   - the same with `segments.gate: hold`: segments then decide too, so every look compares
 *     each segment (a backtest skips them when they only report, as written);
 *   - as written (maxDuration 12h, onTimeout rollback): the step times out at 12 h and the
 *     rollout ends (49 looks; the later ones would only repeat the rollback).
 * "one evaluation" is evaluate over the whole week (the window `npm run bench` uses).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, writeTraffic } from '../examples/generate-traffic.js'
import { bundleFileWorker, bundleWorker } from './bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const COUNT = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const WEEK = 7 * 24 * 3600_000
const data = join(here, '.data', `week-${COUNT}.jsonl`)

if (!existsSync(data)) {
  mkdirSync(dirname(data), { recursive: true })
  console.log(`generating ${COUNT.toLocaleString('en-US')} records over a week -> ${data}`)
  await writeTraffic(data, {
    seed: 3,
    start: DEMO_START,
    rate: COUNT / (WEEK / 1000),
    count: COUNT,
    canaryWeight: 5,
    users: 200_000,
    effect: SCENARIOS.promote!
  })
}
const policy = join(here, 'bench-policy.yml')
const wholeWeek = join(here, '.data', 'bench-policy-week.yml')
writeFileSync(
  wholeWeek,
  readFileSync(policy, 'utf8')
    .replace('maxDuration: 12h', 'maxDuration: 8d')
    .replace('onTimeout: rollback', 'onTimeout: hold')
)
// The same week with segments that gate (hold): every look compares every segment too, which
// a backtest skips when segments only report (gate: false, as written): their verdicts change no
// decision and the timeline does not show them.
const segmentsGate = join(here, '.data', 'bench-policy-week-segments.yml')
writeFileSync(
  segmentsGate,
  readFileSync(wholeWeek, 'utf8').replace(
    'segments: { by: [route, language], gate: false }',
    'segments: { by: [route, language], gate: hold }'
  )
)
const mb = statSync(data).size / 1e6
const worker = await bundleWorker(here, 'backtest-worker')
await bundleFileWorker(dirname(worker))

interface Sample {
  ms: number
  rssMb: number
  looks: number
}
type Mode = 'evaluate' | 'backtest week' | 'backtest week, segments gate' | 'backtest as written'
const MODES: Record<Mode, [string, string]> = {
  evaluate: ['evaluate', policy],
  'backtest week': ['backtest', wholeWeek],
  'backtest week, segments gate': ['backtest', segmentsGate],
  'backtest as written': ['backtest', policy]
}
const from = new Date(DEMO_START).toISOString()
const to = new Date(DEMO_START + WEEK - 15 * 60_000).toISOString()

function run(mode: Mode): Sample {
  const [kind, policyPath] = MODES[mode]
  const r = spawnSync(process.execPath, [worker, kind, data, policyPath, from, to], {
    encoding: 'utf8',
    maxBuffer: 1 << 24
  })
  if (r.status !== 0) throw new Error(`${mode} failed:\n${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Sample
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const modes = Object.keys(MODES) as Mode[]
const samples = Object.fromEntries(modes.map(m => [m, [] as Sample[]])) as Record<Mode, Sample[]>
// Interleaved, so that the machine's drift (it is shared and noisy) hits every mode alike.
for (let i = 0; i < RUNS; i++) for (const mode of modes) samples[mode].push(run(mode))
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d })
const base = median(samples.evaluate.map(s => s.ms))
console.log(
  `\n${fmt(COUNT)} records over a week, ${fmt(mb, 1)} MB of JSONL, median of ${RUNS} runs each`
)
for (const mode of modes) {
  const ms = median(samples[mode].map(s => s.ms))
  const rss = Math.max(...samples[mode].map(s => s.rssMb))
  const paired = median(samples[mode].map((s, i) => s.ms / samples.evaluate[i]!.ms))
  const ratio =
    mode === 'evaluate' ? '' : `, ratio ${(ms / base).toFixed(2)} (paired ${paired.toFixed(2)})`
  const looks = mode === 'evaluate' ? 'one evaluation' : `${samples[mode][0]!.looks} looks`
  console.log(
    `${`rollout-gate ${mode}:`.padEnd(44)} ${fmt(ms).padStart(7)} ms, ${looks.padEnd(15)} peak RSS ${fmt(rss)} MB${ratio}`
  )
}
console.log('target: backtest week (672 looks) < 3x one evaluation')
