/**
 * `npm run bench:langfuse`: the Langfuse source against the loopback stand-in serving 200,000
 * generated observations (and their quality scores). The stand-in runs in this process; each
 * evaluation runs in a fresh child process (one esbuild bundle with plain node, as users run
 * dist/cli.js), so its peak RSS is its own. Prints figures, asserts no time.
 */
import { spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { LangfuseStandIn } from '../test/helpers/langfuseStandIn.js'
import { langfuseData } from '../test/helpers/langfuseTraffic.js'
import { bundleWorker } from './bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const COUNT = Number(process.env.BENCH_OBSERVATIONS ?? 200_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const RATE = 60
const KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' }

const data = langfuseData(
  traffic({
    seed: 3,
    start: DEMO_START,
    rate: RATE,
    count: COUNT,
    canaryWeight: 5,
    users: 200_000,
    effect: SCENARIOS.promote!
  })
)
const last = data.observations.reduce((m, o) => Math.max(m, Date.parse(o.startTime)), 0)
const standIn = new LangfuseStandIn(data.observations, data.scores, KEYS)
standIn.cacheResponses = true
const url = await standIn.start()

const worker = await bundleWorker(here, 'langfuse-worker')

interface Sample {
  ms: number
  rssMb: number
  observations: number
  decision: string
  observationPages: number
  scorePages: number
  requests: number
  retries: number
}

/** BENCH_PROFILE=DIR writes a CPU profile of each run there. */
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE]
  : []

/** Asynchronous, so this process keeps serving the stand-in while the child runs. */
function runWorker(): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...profile, worker, url, String(DEMO_START), String(last + 1000)],
      {
        env: {
          ...process.env,
          LANGFUSE_PUBLIC_KEY: KEYS.publicKey,
          LANGFUSE_SECRET_KEY: KEYS.secretKey
        }
      }
    )
    let out = ''
    let err = ''
    child.stdout.on('data', d => (out += d))
    child.stderr.on('data', d => (err += d))
    child.on('close', code => {
      if (code !== 0) reject(new Error(`worker failed:\n${err}`))
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Sample)
    })
  })
}

// A first run renders every page once; the measured runs get them pre-rendered, so the figures
// are the gate's own time and memory, not the stand-in's JSON rendering.
const warmUp = await runWorker()
const samples: Sample[] = []
for (let i = 0; i < RUNS; i++) samples.push(await runWorker())
await standIn.close()

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d })
const s = samples[0]!
const ms = median(samples.map(x => x.ms))
console.log(
  `\n${fmt(COUNT)} observations, ${fmt(data.scores.length)} scores on the stand-in; median of ${RUNS} runs`
)
console.log(
  `read: ${fmt(s.observations)} observations in ${s.observationPages} pages of up to 1,000, ${s.scorePages} score pages of 100, ${s.requests} requests (${s.retries} retries)`
)
console.log(
  `wall time of one evaluation: ${fmt(ms)} ms (${fmt((s.observations / ms) * 1000)} observations/s), decision ${s.decision}`
)
console.log(
  `peak RSS: ${fmt(Math.max(...samples.map(x => x.rssMb)))} MB (target < 200 MB); runs: ${samples.map(x => fmt(x.ms)).join(', ')} ms`
)
console.log(
  `first run, the stand-in rendering each page as it goes: ${fmt(warmUp.ms)} ms, peak RSS ${fmt(warmUp.rssMb)} MB`
)
