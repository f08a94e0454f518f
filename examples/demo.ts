/**
 * `npm run demo`: generate two days of gateway logs (seeded), then run the real CLI bundle on each:
 * one rollout the gate must promote, one it must roll back. Prints each verdict with its table of
 * metrics and checks; `--verbose` adds the markdown that becomes the PR comment.
 *
 * `npm run demo -- --list` lists the scenarios of the staging checks too (cache warmth, coverage,
 * nondeterminism, silent model updates, load); `npm run demo -- <name> ...` runs those.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEMO_START,
  NO_EFFECT,
  SCENARIOS,
  writeTraffic,
  type CanaryEffect,
  type StagingOptions
} from './generate-traffic.js'

const here = dirname(fileURLToPath(import.meta.url))
const cli = join(here, '..', 'bin', 'rollout-gate.js')
const examplePolicy = join(here, 'rollout-policy.yml')
mkdirSync(join(here, 'traffic'), { recursive: true })

const COUNT = 200_000
const RATE = 12 // requests per second, both arms
const HOUR = 3_600_000

interface Scenario {
  about: string
  seed: number
  effect?: CanaryEffect
  staging?: StagingOptions
  /** The canary's real share of users, percent (the policy's first step is 5%). */
  weight?: number
  /** Evaluate this long after the first record; default a few minutes after the last. */
  at?: number
  /** Earlier evaluations (ms after the first record) with a state file, before the one shown. */
  before?: number[]
  /** Changes to the example policy. */
  policy?: (text: string) => string
}

const DEMOS: Record<string, Scenario> = {
  promote: { about: 'prompt v7 is a little faster and terser, and as good: promote', seed: 7 },
  rollback: {
    about: 'prompt v7 is 35% slower, longer and worse: roll back',
    seed: 11,
    effect: SCENARIOS.rollback!
  },
  'aa-tenants': {
    about:
      'three tenants carry 97% of the traffic: the baseline disagrees with itself (a/a blocks)',
    seed: 21,
    staging: { tenants: { count: 3, share: 0.97, scoreSpread: 0.3 } }
  },
  'cache-warming': {
    about: "the canary's prompt cache starts cold and warms: cache warming, no rollback",
    seed: 22,
    staging: { canaryCache: { start: 0, warmMinutes: 60 } },
    at: 1.5 * HOUR
  },
  'cache-broken': {
    about: 'a prompt prefix change defeats caching: cache broken, cost explained per day',
    seed: 23,
    staging: { canaryCache: { start: 0.05 } }
  },
  'cache-repriced': {
    about:
      'the same broken cache, with gateOn: repriced on cost: gated on the re-priced cost, no rollback for cost',
    seed: 23,
    staging: { canaryCache: { start: 0.05 } },
    policy: p =>
      p.replace(
        'better: lower, tolerance: 5% }',
        'better: lower, tolerance: 5%, gateOn: repriced }'
      )
  },
  'model-change': {
    about: "the canary's backend fingerprint changes mid-step: window restarted, hold",
    seed: 24,
    staging: {
      modelChange: { arm: 'canary', at: DEMO_START + 3 * HOUR, fingerprint: 'fp_c0ffee' }
    },
    at: 3.5 * HOUR
  },
  'segment-loss': {
    about: 'smalltalk (10% of traffic) loses 20 points of quality: the segment holds the rollout',
    seed: 25,
    staging: { segmentScore: { route: 'smalltalk', score: -0.2 } },
    policy: p => p.replace('gate: false', 'gate: hold')
  },
  'mix-skew': {
    about:
      'the canary gets 3x the easy smalltalk queries: segment-mix warns, estimates post-stratified',
    seed: 26,
    staging: { canaryRouteBoost: { route: 'smalltalk', factor: 3 } }
  },
  'rate-limit-storm': {
    about: 'the canary hits its own quota, 5% of calls get a 429: the load check rolls back',
    seed: 27,
    staging: { canaryRateLimit: 0.05 }
  },
  'baseline-drift': {
    about:
      "the provider's model drifts under both arms (quality -0.1 after 1 h): reported, no rollback",
    seed: 29,
    staging: { drift: { at: DEMO_START + HOUR, score: -0.1 } },
    before: [0.4 * HOUR],
    at: 3 * HOUR
  },
  'short-share': {
    about: 'the canary gets 3% of users instead of 5%: the traffic-split test holds',
    seed: 28,
    weight: 3
  }
}

const verbose = process.argv.includes('--verbose') || process.argv.includes('-v')
const args = process.argv.slice(2).filter(a => a !== '--verbose' && a !== '-v')
if (args.includes('--list')) {
  for (const [name, s] of Object.entries(DEMOS)) console.log(`${name.padEnd(18)} ${s.about}`)
  process.exit(0)
}
const unknown = args.filter(a => !Object.hasOwn(DEMOS, a))
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; \`npm run demo -- --list\` lists them`)
  process.exit(2)
}

for (const name of args.length > 0 ? args : ['promote', 'rollback']) {
  const s = DEMOS[name]!
  const file = join(here, 'traffic', `${name}.jsonl`)
  await writeTraffic(file, {
    seed: s.seed,
    start: DEMO_START,
    rate: RATE,
    count: COUNT,
    canaryWeight: s.weight ?? 5,
    users: 40000,
    effect: s.effect ?? (name === 'promote' ? SCENARIOS.promote! : NO_EFFECT),
    ...(s.staging && { staging: s.staging })
  })
  let policy = examplePolicy
  if (s.policy) {
    policy = join(here, 'traffic', `${name}.policy.yml`)
    writeFileSync(policy, s.policy(readFileSync(examplePolicy, 'utf8')))
  }
  // A few minutes after the last call (arrivals are random, so the exact end varies by seconds).
  const now = new Date(DEMO_START + (s.at ?? (COUNT / RATE) * 1000 + 5 * 60_000)).toISOString()
  const args = ['evaluate', '--policy', policy, '--records', file, '--now', now]
  if (s.before) {
    // Earlier runs remember the rollout (its step clock, the baseline's first levels) in a state.
    const state = join(here, 'traffic', `${name}.state.json`)
    rmSync(state, { force: true })
    args.push('--state', state)
    for (const at of s.before) {
      const earlier = new Date(DEMO_START + at).toISOString()
      const run = spawnSync(
        process.execPath,
        [cli, ...args.slice(0, -4), '--now', earlier, '--state', state],
        { encoding: 'utf8' }
      )
      if (run.status !== 0) process.exit(run.status ?? 1)
    }
    args.push('--dry-run')
  }
  console.log(
    `\n=== scenario "${name}": ${s.about}\n    rollout-gate evaluate --records examples/traffic/${name}.jsonl --now ${now}\n`
  )
  for (const format of verbose ? ['text', 'markdown'] : ['text']) {
    const run = spawnSync(process.execPath, [cli, ...args, '--format', format], {
      encoding: 'utf8'
    })
    process.stdout.write(run.stdout)
    process.stderr.write(run.stderr)
    if (run.status !== 0) process.exit(run.status ?? 1)
    if (format === 'text' && verbose) console.log('--- the PR comment (markdown) ---\n')
  }
}
