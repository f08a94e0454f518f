/**
 * A rollout step judged by a scripted judge (test/helpers/judgeServer.ts) through the real
 * `openai` client: seeded traffic whose answers carry their truth (test/helpers/judgeTraffic.ts),
 * evaluated every 30 minutes with the rollout state kept between evaluations, until the gate
 * promotes or rolls back, or the step's 6 hours run out (onTimeout: hold). Used by the fast
 * validity test (test/judge-validity.test.ts) and the full tables (`npm run validate:judge`),
 * which also run it against an older source tree (`root`) to compare with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ratioDifferenceCS } from '../../src/stats/cs/ratio.js'
import { normalQuantile } from '../../src/stats/normal.js'
import type { RatioMoments } from '../../src/sketch/types.js'
import { startJudgeServer, type Behaviour } from './judgeServer.js'
import { answer, question, rng } from './judgeTraffic.js'

export interface ArmTruth {
  /** 1..5: 1 + the facts the answer gets right. */
  grade: number
  /** Length of the answer, characters (filler between the facts). */
  chars: number
}

export interface Scenario {
  name: string
  mode: 'pairwise' | 'pointwise'
  behaviour: Behaviour
  /** The truth of input i's answers, drawn with the run's generator. */
  truth(i: number, random: () => number): { baseline: ArmTruth; canary: ArmTruth }
  /** Human labels by canary record id (pairwise) or record id (pointwise). */
  labels?: (i: number) => { id: string; label: string } | undefined
  /** What the gate must (not) do, and the share of runs allowed or required. */
  expect: { decision: 'promote' | 'rollback'; atMost?: number; atLeast?: number }
}

export interface RunResult {
  decision: 'promote' | 'rollback' | 'hold'
  /** Judge calls over the whole step (every evaluation). */
  calls: number
  evaluations: number
  /** Minutes into the step at the decision (or at the step's end). */
  minutes: number
  /** The `judge` check of the last evaluation (words). */
  detail: string
  /** The judge metric's change at the last evaluation (canary minus reference or baseline). */
  change?: { estimate: number; lower: number; upper: number }
  /**
   * A reference, not the gate: what one fixed-sample test of the same judged items at the last
   * evaluation (the decision, or the step's end) decides (fixedSampleDecision).
   */
  fixed?: RunResult['decision']
}

/**
 * One one-sided normal test of the judged items, at the judge metric's own alphas (its pass side
 * at passAlpha, its fail side at alpha), with the cluster-robust (delta-method) standard error of
 * the arms' difference (Deng, Knoblich & Lu, KDD 2018): pairwise, the canary's mean score against
 * the reference arm of 0.5 (which adds no variance); pointwise, canary minus baseline. The judge
 * metric is better higher, with an absolute tolerance: pass when change - z se > -tolerance, fail
 * when change + z se < -tolerance. No price for looking more than once: a target this misses is
 * out of reach of any test at that error rate on those items.
 */
export function fixedSampleDecision(
  arms: { baseline: RatioMoments; canary: RatioMoments },
  tolerance: number,
  alphas: { alpha: number; passAlpha: number }
): RunResult['decision'] {
  if (arms.canary.n < 2 || arms.baseline.n < 1) return 'hold'
  const d = ratioDifferenceCS(arms.baseline, arms.canary, 0.05, { relative: false, tStar: 1000 })
  if (!Number.isFinite(d.se)) return 'hold'
  if (d.estimate - normalQuantile(1 - alphas.passAlpha) * d.se > -tolerance) return 'promote'
  if (d.estimate + normalQuantile(1 - alphas.alpha) * d.se < -tolerance) return 'rollback'
  return 'hold'
}

const T0 = Date.parse('2026-03-01T00:00:00Z')
const SPACING_MS = 15_000 // an input every 15 s in each arm: 240 an hour
const STEP_MINUTES = 360
const LOOK_MINUTES = 30

/** Policy text valid for this tree and for older ones (only keys both accept). */
function policyText(s: Scenario, baseURL: string): string {
  return `version: 1
rollout: { name: judged, steps: [50, 100], minDuration: 30m, maxDuration: 6h, onTimeout: hold, warmup: 0s, minSamples: 50 }
arms: { field: arm, baseline: baseline, canary: canary }
source: { type: file, path: traffic.jsonl }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10%, mode: report }
judge:
  model: gpt-4.1-mini
  baseURL: ${baseURL}
  rubric: States the four values of the case the user asks about, correctly.
  mode: ${s.mode}
  sample: 200
  batch: 20
  budget: { calls: 400 }
  prices: { input: 0.4, output: 1.6 }
  recheck: 0
  cacheSize: 5000
  metric: { tolerance: 0.05, minSamples: 30 }
`
}

interface Engine {
  evaluate: (deps: Record<string, unknown>) => Promise<{
    record: { decision: string; checks: { name: string; detail: string }[] }
  }>
  parsePolicy: (text: string, file: string) => { judge?: unknown }
  FileSource: new (opts: Record<string, unknown>) => unknown
  FileStateStore: new (path: string, name: string) => unknown
  createJudge: (spec: unknown, client: unknown, opts?: unknown) => unknown
  openaiChatClient: (spec: unknown, key: string) => unknown
  readLabels: (path: string) => { labels: Map<string, string> }
}

const engines = new Map<string, Promise<Engine>>()

/** The engine's entry points from a source tree (this one, or an older checkout). */
function engine(root: string): Promise<Engine> {
  let e = engines.get(root)
  if (!e) {
    const load = (path: string) =>
      import(pathToFileURL(join(root, path)).href) as Promise<Record<string, unknown>>
    e = Promise.all([
      load('src/evaluate.ts'),
      load('src/policy/parse.ts'),
      load('src/sources/file/fileSource.ts'),
      load('src/state/fileStore.ts'),
      load('src/judge/index.ts'),
      load('src/judge/client.ts'),
      load('src/judge/labels.ts')
    ]).then(([ev, parse, fs, store, judge, client, labels]) => ({
      evaluate: ev!.evaluate as Engine['evaluate'],
      parsePolicy: parse!.parsePolicy as Engine['parsePolicy'],
      FileSource: fs!.FileSource as Engine['FileSource'],
      FileStateStore: store!.FileStateStore as Engine['FileStateStore'],
      createJudge: judge!.createJudge as Engine['createJudge'],
      openaiChatClient: client!.openaiChatClient as Engine['openaiChatClient'],
      readLabels: labels!.readLabels as Engine['readLabels']
    }))
    engines.set(root, e)
  }
  return e
}

/** One seeded run of a scenario on the engine at `root`. */
export async function simulate(root: string, s: Scenario, seed: number): Promise<RunResult> {
  const e = await engine(root)
  const dir = mkdtempSync(join(tmpdir(), 'judge-rollout-'))
  const server = await startJudgeServer({ behaviour: s.behaviour, seed })
  try {
    const random = rng(seed * 7919 + s.name.length)
    const inputs = (STEP_MINUTES * 60_000) / SPACING_MS
    const lines: string[] = []
    const labels: string[] = []
    for (let i = 0; i < inputs; i++) {
      const t = s.truth(i, random)
      for (const arm of ['baseline', 'canary'] as const) {
        lines.push(
          JSON.stringify({
            id: `${arm}-${i}`,
            ts: T0 + i * SPACING_MS + (arm === 'canary' ? 1 : 0),
            arm,
            user_id: `u${i % 997}`,
            latency_ms: 500,
            model: arm === 'canary' ? 'canary-model' : 'baseline-model',
            input: question(i),
            output: answer(i, t[arm].grade, t[arm].chars)
          })
        )
      }
      const label = s.labels?.(i)
      if (label) labels.push(JSON.stringify(label))
    }
    writeFileSync(join(dir, 'traffic.jsonl'), lines.join('\n') + '\n')
    const labelsPath = labels.length > 0 ? join(dir, 'labels.jsonl') : undefined
    if (labelsPath) writeFileSync(labelsPath, labels.join('\n') + '\n')
    const policy = e.parsePolicy(policyText(s, server.baseURL), join(dir, 'policy.yaml'))
    const store = new e.FileStateStore(join(dir, 'state.json'), 'judged')
    let result: RunResult = { decision: 'hold', calls: 0, evaluations: 0, minutes: 0, detail: '' }
    // The judge metric's moments per arm as the judge hands them to the analysis (for the
    // fixed-sample reference).
    let judged: { baseline: RatioMoments; canary: RatioMoments } | undefined
    for (let minute = LOOK_MINUTES; minute <= STEP_MINUTES; minute += LOOK_MINUTES) {
      const source = new e.FileSource({
        patterns: ['traffic.jsonl'],
        baseDir: dir,
        format: 'auto',
        policy
      })
      const inner = e.createJudge(
        policy.judge,
        e.openaiChatClient(policy.judge, 'sk-test-not-a-real-key-000000'),
        labelsPath ? { labels: e.readLabels(labelsPath).labels } : {}
      ) as { run: (input: unknown) => Promise<{ evidence: JudgedEvidence }> }
      const judge = {
        run: async (input: unknown) => {
          const out = await inner.run(input)
          judged = judgeMoments(out.evidence) ?? judged
          return out
        }
      }
      const outcome = await e.evaluate({
        policy,
        policyHash: 'sha256:validate',
        replay: true,
        source,
        store,
        now: T0 + minute * 60_000,
        since: T0,
        judge
      })
      const decision = outcome.record.decision as RunResult['decision']
      if (process.env.JUDGE_ROLLOUT_DEBUG) {
        const r = outcome.record as unknown as {
          metrics: {
            from: string
            canary: number
            delta: { lower: number; upper: number }
            n: unknown
          }[]
          judge?: {
            judged: unknown
            sampled: unknown
            stopped: string
            calls: number
            health: { name: string; status: string }[]
          }
        }
        const m = r.metrics.find(x => x.from === 'judge')
        console.log(
          minute,
          decision,
          JSON.stringify({
            canary: m?.canary,
            lower: m?.delta.lower,
            upper: m?.delta.upper,
            n: m?.n
          }),
          JSON.stringify({
            judged: r.judge?.judged,
            sampled: r.judge?.sampled,
            stopped: r.judge?.stopped,
            calls: r.judge?.calls
          }),
          r.judge?.health?.map(c => `${c.name}:${c.status}`).join(' '),
          JSON.stringify((outcome.record as unknown as { reasons: string[] }).reasons).slice(0, 400)
        )
      }
      const metric = (
        outcome.record as unknown as {
          metrics?: {
            from?: string
            delta?: { estimate: number; lower: number; upper: number }
            alpha?: number
            passAlpha?: number
          }[]
        }
      ).metrics?.find(m => m.from === 'judge')
      const alpha = metric?.alpha
      const fixed =
        judged && alpha !== undefined
          ? fixedSampleDecision(judged, 0.05, { alpha, passAlpha: metric?.passAlpha ?? alpha })
          : undefined
      result = {
        decision,
        calls: server.bodies.length,
        evaluations: result.evaluations + 1,
        minutes: minute,
        detail: outcome.record.checks.find(c => c.name === 'judge')?.detail ?? '',
        ...(fixed && { fixed }),
        ...(metric?.delta && {
          change: {
            estimate: metric.delta.estimate,
            lower: metric.delta.lower,
            upper: metric.delta.upper
          }
        })
      }
      if (decision !== 'hold') break
    }
    return result
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What the judge's outcome evidence looks like here: the metric names and each cell's sketches. */
interface JudgedEvidence {
  metrics: string[]
  cells: { arm: string; segment: string; metrics: { moments: RatioMoments; requests: number }[] }[]
}

/** The judge metric's moments per arm in the judged evidence (the cells that hold them). */
function judgeMoments(
  evidence: JudgedEvidence
): { baseline: RatioMoments; canary: RatioMoments } | undefined {
  if (!Array.isArray(evidence?.metrics)) return undefined
  const i = evidence.metrics.indexOf('judge')
  if (i < 0) return undefined
  const of = (arm: string) =>
    evidence.cells.find(c => c.arm === arm && (c.metrics[i]?.requests ?? 0) > 0)?.metrics[i]
      ?.moments
  const baseline = of('baseline')
  const canary = of('canary')
  return baseline && canary ? { baseline, canary } : undefined
}

const uniform = (random: () => number, lo: number, hi: number) =>
  lo + Math.floor(random() * (hi - lo + 1))

/** The rows of the table, as scenarios. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'ignores content: always "A" (canary much worse)',
    mode: 'pairwise',
    behaviour: { constant: 'A' },
    truth: (_i, r) => ({
      baseline: { grade: 5, chars: uniform(r, 200, 600) },
      canary: { grade: 2, chars: uniform(r, 200, 600) }
    }),
    expect: { decision: 'promote', atMost: 0 }
  },
  {
    name: 'ignores content: always "tie" (canary much worse)',
    mode: 'pairwise',
    behaviour: { constant: 'tie' },
    truth: (_i, r) => ({
      baseline: { grade: 5, chars: uniform(r, 200, 600) },
      canary: { grade: 2, chars: uniform(r, 200, 600) }
    }),
    expect: { decision: 'promote', atMost: 0 }
  },
  {
    name: 'ignores content: always grade 3, pointwise (canary much worse)',
    mode: 'pointwise',
    behaviour: { constant: 3 },
    truth: (_i, r) => ({
      baseline: { grade: 5, chars: uniform(r, 200, 600) },
      canary: { grade: 2, chars: uniform(r, 200, 600) }
    }),
    expect: { decision: 'promote', atMost: 0 }
  },
  {
    name: 'always "tie", human labels say the baseline wins every pair',
    mode: 'pairwise',
    behaviour: { constant: 'tie' },
    truth: (_i, r) => ({
      baseline: { grade: 5, chars: uniform(r, 200, 600) },
      canary: { grade: 2, chars: uniform(r, 200, 600) }
    }),
    labels: i => (i < 400 ? { id: `canary-${i}`, label: 'baseline' } : undefined),
    expect: { decision: 'promote', atMost: 0 }
  },
  {
    name: 'reads only the length (canary much worse, lengths alike)',
    mode: 'pairwise',
    behaviour: { byLength: true },
    truth: (_i, r) => ({
      baseline: { grade: 5, chars: uniform(r, 200, 600) },
      canary: { grade: 2, chars: uniform(r, 200, 600) }
    }),
    expect: { decision: 'promote', atMost: 0 }
  },
  {
    name: 'prefers the longer answer in 60% of ties (equal quality, canary shorter)',
    mode: 'pairwise',
    behaviour: { preferLonger: 0.6 },
    truth: (_i, r) => {
      const grade = uniform(r, 3, 5)
      return {
        baseline: { grade, chars: uniform(r, 350, 750) },
        canary: { grade, chars: uniform(r, 150, 550) }
      }
    },
    expect: { decision: 'rollback', atMost: 0.05 }
  },
  {
    name: 'position + verbosity bias (equal quality, canary shorter)',
    mode: 'pairwise',
    behaviour: { preferLonger: 0.6, preferFirst: 0.3 },
    truth: (_i, r) => {
      const grade = uniform(r, 3, 5)
      return {
        baseline: { grade, chars: uniform(r, 350, 750) },
        canary: { grade, chars: uniform(r, 150, 550) }
      }
    },
    expect: { decision: 'rollback', atMost: 0.05 }
  },
  {
    name: 'verbosity bias; canary worse on 40% of inputs but longer',
    mode: 'pairwise',
    behaviour: { preferLonger: 0.6 },
    truth: (_i, r) => {
      const worse = r() < 0.4
      return {
        baseline: { grade: 4, chars: uniform(r, 150, 550) },
        canary: { grade: worse ? 2 : 4, chars: uniform(r, 350, 750) }
      }
    },
    expect: { decision: 'promote', atMost: 0.05 }
  },
  {
    name: 'pointwise, +1 grade per 200 characters (equal quality, canary shorter)',
    mode: 'pointwise',
    behaviour: { gradePerChars: 200 },
    truth: (_i, r) => {
      const grade = uniform(r, 2, 3)
      return {
        baseline: { grade, chars: uniform(r, 300, 700) },
        canary: { grade, chars: uniform(r, 100, 500) }
      }
    },
    expect: { decision: 'rollback', atMost: 0.05 }
  },
  {
    name: 'correct judge, q = 0.6, canary worse (win rate 0.35)',
    mode: 'pairwise',
    behaviour: { accuracy: 0.6, unsure: 'tie', sigma: 1 },
    truth: (_i, r) => {
      // Baseline 2..5; the canary one grade lower on 60% of inputs: a win rate of about 0.35.
      const b = uniform(r, 2, 5)
      const c = Math.max(1, uniform(r, 2, 5) - (r() < 0.6 ? 1 : 0))
      return {
        baseline: { grade: b, chars: uniform(r, 250, 650) },
        canary: { grade: c, chars: uniform(r, 250, 650) }
      }
    },
    expect: { decision: 'rollback', atLeast: 0.9 }
  },
  {
    name: 'correct judge, q = 0.6, canary equal',
    mode: 'pairwise',
    behaviour: { accuracy: 0.6, unsure: 'tie', sigma: 1 },
    truth: (_i, r) => ({
      baseline: { grade: uniform(r, 2, 5), chars: uniform(r, 250, 650) },
      canary: { grade: uniform(r, 2, 5), chars: uniform(r, 250, 650) }
    }),
    expect: { decision: 'promote', atLeast: 0.9 }
  }
]

/** Wilson score interval for k of n, 95%. */
export function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054
  const p = k / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}
