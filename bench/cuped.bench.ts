/**
 * `npm run bench:cuped`: variance reduction (CUPED) on the demo's traffic. Generates the demo's
 * promote scenario (examples/demo.ts: seed 7, 12 requests/s, a 5% canary of 40,000 users) with
 * a pre-rollout period before it, with the generator's users as they are and with persistent
 * per-user latency and output levels, then evaluates the example policy (plus a mean latency) with
 * and without `varianceReduction`, interleaved. Prints, per metric, the variance reduction, the
 * covariates and the units with pre-exposure data, the interval's width against the unadjusted
 * one, and the cost of reading the lookback and the covariates (median wall-time ratio).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, writeTraffic } from '../examples/generate-traffic.js'
import type { MetricResult } from '../src/analysis/types.js'
import { evaluate } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import type { ParallelOptions } from '../src/sources/file/parallelReader.js'
import { bundleFileWorker } from './bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
/** BENCH_ONLY=reduction|speed|cost runs one part. */
const ONLY = process.env.BENCH_ONLY
const part = (name: string) => ONLY === undefined || ONLY === name
const COUNT = 200_000
const RATE = 12
/** As long a history before the rollout as the demo's own traffic (4.6 hours). */
const HISTORY = 200_000
const HOUR = 3_600_000

const VARIANTS = {
  demo: { about: "the demo's users (quality has a small per-user level, nothing else)" },
  levels: {
    about: 'the demo with persistent per-user levels (latency sigma 0.5, output tokens 0.4)',
    userLevels: { latency: 0.5, output: 0.4 }
  }
} as const

async function trafficFile(variant: keyof typeof VARIANTS): Promise<string> {
  const path = join(here, '.data', `cuped-${variant}.jsonl`)
  if (existsSync(path)) return path
  mkdirSync(dirname(path), { recursive: true })
  const v = VARIANTS[variant]
  await writeTraffic(path, {
    seed: 7,
    start: DEMO_START,
    rate: RATE,
    count: COUNT,
    canaryWeight: 5,
    users: 40_000,
    effect: SCENARIOS.promote!,
    preRollout: { count: HISTORY },
    ...('userLevels' in v && { userLevels: v.userLevels })
  })
  return path
}

const example = readFileSync(join(here, '..', 'examples', 'rollout-policy.yml'), 'utf8').replace(
  'metrics:\n',
  'metrics:\n  - { name: mean latency, from: latency_ms, kind: mean, better: lower, tolerance: 5%, mode: report }\n'
)
const CUPED = 'varianceReduction: { lookback: 1d, covariates: [input_tokens, route] }\n'

/** One evaluation; `parallel`: the file parsed by a worker thread as the CLI does, else on this thread. */
async function run(path: string, cuped: boolean, now: number, parallel: ParallelOptions | false) {
  const policy = parsePolicy(
    example.replace("path: 'traffic/promote.jsonl'", `path: '${path}'`) + (cuped ? CUPED : ''),
    join(here, 'cuped-policy.yml')
  )
  const source = new FileSource({
    patterns: [path],
    baseDir: here,
    format: 'auto',
    policy,
    parallel
  })
  const started = performance.now()
  const cpu = process.cpuUsage()
  const outcome = await evaluate({
    policy,
    policyHash: 'bench',
    source,
    now,
    since: DEMO_START,
    replay: true,
    dryRun: true
  })
  const used = process.cpuUsage(cpu)
  // CPU time of this process (its worker threads included): less sensitive than wall time to the
  // other processes on a shared machine.
  const cpuMs = (used.user + used.system) / 1000
  return { ms: performance.now() - started, cpuMs, record: outcome.record }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`
const width = (m: MetricResult) => m.delta.upper - m.delta.lower

for (const variant of part('reduction')
  ? (Object.keys(VARIANTS) as (keyof typeof VARIANTS)[])
  : []) {
  const path = await trafficFile(variant)
  for (const hours of [1, 3]) {
    const now = DEMO_START + hours * HOUR
    const plain = (await run(path, false, now, false)).record.metrics
    const cuped = (await run(path, true, now, false)).record.metrics
    console.log(`\n${VARIANTS[variant].about}; ${hours} h into the rollout:`)
    console.log(
      `${'metric'.padEnd(20)}${'variance'.padStart(9)}${'width'.padStart(8)}  units with history   covariates`
    )
    for (const m of cuped) {
      const vr = m.varianceReduction
      if (!vr) continue
      const before = plain.find(p => p.name === m.name)!
      // The unadjusted interval may still be held (too skewed) where the adjusted one is not.
      const ratio = !vr.used
        ? 'x1.00'
        : Number.isFinite(width(before))
          ? `x${(width(m) / width(before)).toFixed(2)}`
          : 'held'
      const units = vr.units.baseline + vr.units.canary
      const history = vr.preExposureUnits.baseline + vr.preExposureUnits.canary
      const fields = [...new Set(vr.covariates.map(c => c.split('=')[0]))].join(', ')
      const count = `${history.toLocaleString('en-US')} of ${units.toLocaleString('en-US')}`
      console.log(
        `${m.name.padEnd(20)}${`-${pct(vr.varianceReduction)}`.padStart(9)}${ratio.padStart(8)}  ${count.padEnd(20)}${vr.used ? fields : `unadjusted: ${vr.reason}`}`
      )
    }
  }
}

// Decision speed: looks every 10 minutes from minute 20 (as the issue's speed target), with and
// without the adjustment; per metric, the first look at which its verdict is no longer
// inconclusive, and the gate's decision then. Only metrics that gate (or report) with
// varianceReduction are listed; their unadjusted twin is the same metric in the plain run.
const LOOKS = Array.from({ length: 17 }, (_, i) => 20 + 10 * i)
const metricNames = parsePolicy(example, join(here, 'example.yml')).metrics.map(m => m.name)
for (const variant of part('speed') ? (Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) : []) {
  const path = await trafficFile(variant)
  const first = { plain: new Map<string, string>(), cuped: new Map<string, string>() }
  const decided = { plain: '', cuped: '' }
  for (const minute of LOOKS) {
    const now = DEMO_START + minute * 60_000
    for (const arm of ['plain', 'cuped'] as const) {
      const record = (await run(path, arm === 'cuped', now, false)).record
      for (const m of record.metrics) {
        if (m.verdict !== 'inconclusive' && !first[arm].has(m.name)) {
          const canary = m.n.canary.toLocaleString('en-US')
          first[arm].set(m.name, `${m.verdict} at ${minute} min (${canary})`)
        }
      }
      if (!decided[arm] && record.decision !== 'hold')
        decided[arm] = `${record.decision} at ${minute} min`
    }
  }
  console.log(
    `\ndecision speed, ${VARIANTS[variant].about} (looks every 10 min from 20 to ${LOOKS.at(-1)}; canary requests then):`
  )
  console.log(`${'metric'.padEnd(20)}${'without'.padEnd(36)}with varianceReduction`)
  for (const name of metricNames) {
    console.log(
      `${name.padEnd(20)}${(first.plain.get(name) ?? 'open').padEnd(36)}${first.cuped.get(name) ?? 'open'}`
    )
  }
  console.log(
    `${'the gate'.padEnd(20)}${(decided.plain || 'hold').padEnd(36)}${decided.cuped || 'hold'}`
  )
}

// The cost of reading the lookback and the covariates: evaluate with and without, interleaved so
// the machine's drift (it is shared and noisy) hits both alike, on one thread and with a worker.
if (part('cost')) {
  const worker = await bundleFileWorker(join(here, '.data'))
  const path = await trafficFile('levels')
  const now = DEMO_START + 3 * HOUR
  console.log(
    `\ncost: evaluate 3 h into the rollout (${COUNT.toLocaleString('en-US')} requests after the start, ${HISTORY.toLocaleString('en-US')} before), with / without ${CUPED.trim()}, ${RUNS} runs each:`
  )
  for (const [label, parallel] of [
    ['one thread', false],
    ['a parsing worker', { script: worker, workers: 1, chunkBytes: 2 << 20, minFileBytes: 0 }]
  ] as const) {
    const without: { ms: number; cpuMs: number }[] = []
    const withCuped: { ms: number; cpuMs: number }[] = []
    for (let i = 0; i < RUNS; i++) {
      without.push(await run(path, false, now, parallel))
      withCuped.push(await run(path, true, now, parallel))
    }
    for (const key of ['ms', 'cpuMs'] as const) {
      const a = median(withCuped.map(r => r[key]))
      const b = median(without.map(r => r[key]))
      const paired = median(withCuped.map((r, i) => r[key] / without[i]![key]))
      console.log(
        `${label.padEnd(18)} ${key === 'ms' ? 'wall' : 'CPU '} median ${a.toFixed(0)} / ${b.toFixed(0)} ms: ratio ${(a / b).toFixed(2)} (paired ${paired.toFixed(2)})`
      )
    }
  }
}
