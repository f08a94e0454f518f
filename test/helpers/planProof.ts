/**
 * The proof of `plan` (issue 16): on generated traffic with a known truth (a canary equal to the
 * baseline), plan's predicted median time to promote, from a history of baseline-only traffic, is
 * compared with the median time observed by running the real evaluations (backtest: evaluate()
 * at every scheduled instant, the state carried) over rollouts generated with fresh seeds.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEMO_START, NO_EFFECT, writeTraffic } from '../../examples/generate-traffic.js'
import { backtest } from '../../src/backtest/backtest.js'
import { plan } from '../../src/plan/plan.js'
import { loadPolicyFile, type LoadedPolicy } from '../../src/policyFile.js'
import { readLogs } from '../../src/replay/read.js'
import { ReplaySource } from '../../src/replay/replaySource.js'
import { FileSource } from '../../src/sources/file/fileSource.js'

const HOUR = 3600_000

export interface ProofCase {
  name: string
  /** The policy's YAML (one step before 100%, no segments). */
  policy: string
  /** Requests per second, both arms; users as the demo's generator makes them. */
  rate: number
  users: number
  /** Hours of history plan reads. */
  historyHours: number
  /** Hours each observed rollout runs at most (its looks). */
  horizonHours: number
  every: number
}

export interface ProofResult {
  name: string
  predicted: { median: number | null; p90: number | null; share: number }
  observed: { times: number[]; median: number | null; promoted: number; runs: number }
  /** predicted median / observed median. */
  ratio: number
}

async function policyOf(dir: string, c: ProofCase): Promise<LoadedPolicy> {
  const path = join(dir, `${c.name}.policy.yml`)
  writeFileSync(path, c.policy)
  return loadPolicyFile(path)
}

const files = (dir: string, file: string, loaded: LoadedPolicy) =>
  new FileSource({
    patterns: [file],
    baseDir: dir,
    format: 'auto',
    policy: loaded.policy,
    parallel: false
  })

/** Plan's prediction for the first step, from a baseline-only history (seed `seed`). */
export async function predict(
  dir: string,
  c: ProofCase,
  opts: { seed: number; replicates: number }
): Promise<ProofResult['predicted']> {
  const loaded = await policyOf(dir, c)
  const file = join(dir, `${c.name}.history.jsonl`)
  await writeTraffic(file, {
    seed: opts.seed,
    start: DEMO_START - 7 * 24 * HOUR,
    rate: c.rate,
    count: Math.round(c.rate * c.historyHours * 3600),
    canaryWeight: 0,
    users: c.users,
    effect: NO_EFFECT
  })
  const logs = await readLogs(files(dir, file, loaded), loaded.policy, { tempDir: dir })
  try {
    const result = await plan({
      policy: loaded.policy,
      logs,
      every: c.every,
      replicates: opts.replicates,
      seed: opts.seed
    })
    const step = result.steps[0]
    if (!step) throw new Error(`${c.name}: the plan has no step`)
    return { ...step.equal.promoted }
  } finally {
    logs.store.close()
  }
}

/**
 * One rollout of an equal canary at the policy's first weight, generated with `seed`, judged by
 * the real evaluations at every `every`: the time its first step promoted (null: not within
 * the horizon).
 */
export async function observe(dir: string, c: ProofCase, seed: number): Promise<number | null> {
  const loaded = await policyOf(dir, c)
  const { policy } = loaded
  const weight = policy.rollout.steps[0] as number
  const file = join(dir, `${c.name}.rollout-${seed}.jsonl`)
  await writeTraffic(file, {
    seed,
    start: DEMO_START,
    rate: c.rate,
    count: Math.round(c.rate * c.horizonHours * 3600),
    canaryWeight: weight,
    // Each rollout its own canary users, as a flag service salts its hash with the flag's key.
    assignmentSalt: `rollout-${seed}:`,
    users: c.users,
    effect: NO_EFFECT
  })
  const source = files(dir, file, loaded)
  const logs = await readLogs(source, policy, { tempDir: dir })
  const replay = new ReplaySource(logs, policy, source.describe())
  try {
    const looks: number[] = []
    for (let t = DEMO_START + c.every; t <= DEMO_START + c.horizonHours * HOUR; t += c.every) {
      looks.push(t)
    }
    const result = await backtest({
      policy,
      policyHash: loaded.hash,
      source: replay,
      looks,
      since: DEMO_START,
      decisionOnly: true
    })
    const first = result.steps[0]
    return first?.outcome === 'promoted' || first?.outcome === 'completed'
      ? (first.endedAt as number) - first.startedAt
      : null
  } finally {
    replay.close()
    logs.store.close()
  }
}

/** The median of the times, the runs that never promoted counted as the latest. */
export function medianTime(times: (number | null)[]): number | null {
  const sorted = times.map(t => (t === null ? Infinity : t)).sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return null
  const m =
    n % 2
      ? (sorted[(n - 1) / 2] as number)
      : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2
  return Number.isFinite(m) ? m : null
}

export async function prove(
  dir: string,
  c: ProofCase,
  opts: { historySeed: number; replicates: number; seeds: number[] }
): Promise<ProofResult> {
  const predicted = await predict(dir, c, { seed: opts.historySeed, replicates: opts.replicates })
  const times: (number | null)[] = []
  for (const seed of opts.seeds) times.push(await observe(dir, c, seed))
  const median = medianTime(times)
  const promoted = times.filter(t => t !== null) as number[]
  return {
    name: c.name,
    predicted,
    observed: { times: promoted, median, promoted: promoted.length, runs: times.length },
    ratio: predicted.median !== null && median !== null ? predicted.median / median : NaN
  }
}
