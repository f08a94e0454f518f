/**
 * `npm run bench:cold-start`: how long the committed bundles take to start, as a ratio to `node -e
 * 0` measured in the same run, interleaved (each round runs every subject once, in turn), medians
 * over BENCH_RUNS rounds: wall time, and the CPU time the process used (user + system, all its
 * threads, read at exit), which a busy machine disturbs less. Every subject runs with the same
 * environment, without NODE_OPTIONS and NODE_EXTRA_CA_CERTS (which add their own cost to every
 * start, and are not set on GitHub's runners). Prints ratios, never asserts a time.
 *
 * The Action's entry with no inputs is the measure of issue 15 (target: at most 2x): it loads
 * what every run loads (@actions/core, the engine, the policy parser) and stops at the first
 * input check; the judge's openai client, the sources, the GitHub client and undici are loaded
 * only by the runs that use them. The whole Action run on a small log (a file state, no token) is
 * shown beside it.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NO_EFFECT, traffic } from '../examples/generate-traffic.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const RUNS = Number(process.env.BENCH_RUNS ?? 21)
const dist = (file: string) => join(root, 'dist', file)

// A small rollout for the whole-run subject: 2,000 records, a file state, no GitHub token.
const work = mkdtempSync(join(tmpdir(), 'rollout-gate-cold-'))
mkdirSync(join(work, 'traffic'))
writeFileSync(
  join(work, 'policy.yml'),
  `version: 1
rollout: { name: cold-start, steps: [50, 100], minDuration: 30m, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: 'traffic/*.jsonl' }
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 3% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
`
)
const start = Date.parse('2026-11-02T08:00:00Z')
writeFileSync(
  join(work, 'traffic', 'calls.jsonl'),
  [
    ...traffic({
      seed: 1,
      start,
      rate: 2,
      count: 2000,
      canaryWeight: 50,
      users: 500,
      effect: NO_EFFECT
    })
  ]
    .map(r => JSON.stringify(r))
    .join('\n') + '\n'
)
// One environment for all: this one, less what adds a cost to every start, plus where the
// measuring hook (loaded with -r by every subject, the baseline too) writes the CPU time.
const cpuFile = join(work, 'cpu-ms')
const hook = join(work, 'cpu-at-exit.cjs')
writeFileSync(
  hook,
  "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(process.env.COLD_START_CPU_FILE, String((u.user + u.system) / 1000)) })\n"
)
const { NODE_OPTIONS: _o, NODE_EXTRA_CA_CERTS: _c, ...inherited } = process.env
const baseEnv: NodeJS.ProcessEnv = {
  ...inherited,
  COLD_START_CPU_FILE: cpuFile,
  RUNNER_TEMP: work,
  GITHUB_OUTPUT: join(work, 'output')
}
for (const key of Object.keys(baseEnv)) if (key.startsWith('INPUT_')) delete baseEnv[key]
const actionEnv = (inputs: Record<string, string>) => ({
  ...baseEnv,
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
})
writeFileSync(join(work, 'output'), '')

interface Subject {
  name: string
  args: string[]
  env?: NodeJS.ProcessEnv
}

const subjects: Subject[] = [
  { name: 'node -e 0 (the baseline)', args: ['-e', '0'] },
  {
    name: 'node dist/index.js (the Action, no inputs)',
    args: [dist('index.js')],
    env: actionEnv({})
  },
  {
    // What a run loads before its first read: the engine and the policy parser.
    name: 'the Action up to its policy (a missing file)',
    args: [dist('index.js')],
    env: actionEnv({ policy: 'no-such-policy.yml' })
  },
  { name: 'node dist/cli.js --version', args: [dist('cli.js'), '--version'] },
  { name: 'node dist/cli.js evaluate --help', args: [dist('cli.js'), 'evaluate', '--help'] },
  {
    name: "import('ai-rollout-gate') (dist/lib.js)",
    args: ['--input-type=module', '-e', `await import(${JSON.stringify(dist('lib.js'))})`]
  },
  {
    name: 'the Action: a whole evaluation of 2,000 records',
    args: [dist('index.js')],
    env: actionEnv({
      policy: 'policy.yml',
      'state-file': join(work, 'state.json'),
      now: '2026-11-02T08:17:00Z',
      'dry-run': 'true'
    })
  }
]

const times = subjects.map(() => [] as number[])
const cpu = subjects.map(() => [] as number[])
for (let round = 0; round < RUNS; round++) {
  subjects.forEach((s, i) => {
    const started = process.hrtime.bigint()
    const r = spawnSync(process.execPath, ['-r', hook, ...s.args], {
      cwd: work,
      env: s.env ?? baseEnv,
      stdio: 'ignore'
    })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    // The Action without a policy fails its step (exit 1), as it should; the rest succeed.
    if (r.status !== 0 && !((i === 1 || i === 2) && r.status === 1)) {
      throw new Error(`${s.name} exited ${r.status}`)
    }
    times[i]!.push(ms)
    cpu[i]!.push(Number(readFileSync(cpuFile, 'utf8')))
  })
}
rmSync(work, { recursive: true, force: true })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const base = median(times[0]!)
const baseCpu = median(cpu[0]!)
console.log(
  `Cold start on node ${process.version}, medians of ${RUNS} interleaved runs, as ratios to node -e 0:\n`
)
const width = Math.max(...subjects.map(s => s.name.length))
console.log(`  ${''.padEnd(width)}      wall  ratio       CPU  ratio`)
subjects.forEach((s, i) => {
  const ms = median(times[i]!)
  const c = median(cpu[i]!)
  console.log(
    `  ${s.name.padEnd(width)}  ${ms.toFixed(0).padStart(5)} ms  ${(ms / base).toFixed(2)}x  ${c.toFixed(0).padStart(5)} ms  ${(c / baseCpu).toFixed(2)}x`
  )
})
const action = median(times[1]!) / base
console.log(
  `\nThe Action's cold start (no inputs): ${action.toFixed(2)}x node -e 0 in wall time (target: at most 2x) ${action <= 2 ? 'ok' : 'OVER'}`
)
