import type { Check, MetricResult } from '../analysis/types.js'
import type { Action, RolloutState } from '../decide/types.js'
import { evaluate } from '../evaluate.js'
import { unavailableJudge } from '../judge/run.js'
import type { Policy } from '../policy/types.js'
import type { DecisionRecord } from '../report/record.js'
import type { Source } from '../sources/source.js'
import { MemoryStateStore } from '../state/memoryStore.js'

/**
 * `rollout-gate backtest`: what the gate would have done over logs of a past or ongoing rollout.
 * The gate runs at every scheduled instant exactly as the scheduled workflow would: the real
 * evaluate(), with the rollout state carried from look to look (in memory, never written), so
 * promotions move the step and restart its window, a model change restarts it, the bake time,
 * the timeout and the drift and peak-load checks all apply. Only the evidence differs in how it
 * is made: from logs read once (replay/replaySource.ts) instead of a read per look. Actuators are
 * never applied, no state file is written, and the judge is not called (its metric stays empty).
 */
export interface BacktestOptions {
  policy: Policy
  policyHash: string
  /** The logs: a ReplaySource for files; any other source is collected at every look. */
  source: Source
  /** The evaluation instants, increasing (epoch ms). */
  looks: number[]
  /** When the first step began, as `evaluate --since` (default: the earliest canary record). */
  since?: number
  /**
   * Each look's record without what the timeline never shows and no decision reads (evaluate's
   * `decisionOnly`: segments that only report are not compared, no report is rendered); the
   * command's output is the same. Default false: each look's whole record, as evaluate --now.
   */
  decisionOnly?: boolean
}

/** One gating metric at a look, in the decision record's terms (relative: a fraction). */
export interface LookMetric {
  name: string
  verdict: MetricResult['verdict']
  estimate: number
  lower: number
  upper: number
  /** Signed in the metric's worse direction, like MetricResult.tolerance. */
  tolerance: number
  relative: boolean
}

/** What keeps the look where it is: the metric (or check) the decision turned on. */
export type Binding =
  | { kind: 'metric'; metric: string }
  | { kind: 'check'; check: string; detail: string }
  | { kind: 'time'; detail: string }

export interface Look {
  at: number
  /** When the evaluated step's clock started. */
  stepStartedAt: number
  decision: Action
  /** The step the look evaluated, and where the decision sent the rollout. */
  step: { index: number; weight: number }
  next: { index: number; weight: number }
  status: RolloutState['status']
  window: { from: number; to: number } | null
  arms: { baseline: number; canary: number }
  metrics: LookMetric[]
  binding?: Binding
  blocks: string[]
  reasons: string[]
  /** The full decision record (for --format json and for tests). */
  record: DecisionRecord
}

export interface StepOutcome {
  index: number
  weight: number
  /** When the step's clock started (the state's stepStartedAt when it was first evaluated). */
  startedAt: number
  endedAt?: number
  outcome: 'promoted' | 'rolled back' | 'completed' | 'still running'
  looks: number
  /** Why it ended (the decision's first reason), or what it was waiting for at the last look. */
  reason: string
}

export interface BacktestResult {
  rollout: string
  looks: Look[]
  steps: StepOutcome[]
  /** Looks left after the rollout completed or rolled back (they would only repeat it). */
  after: number
}

export async function backtest(opts: BacktestOptions): Promise<BacktestResult> {
  const { policy } = opts
  const store = new MemoryStateStore(`backtest of ${policy.rollout.name}`)
  const judge = policy.judge
    ? unavailableJudge(
        policy.judge,
        'the judge does not run in a backtest (it would grade past traffic with live model calls); its metric has no values'
      )
    : undefined
  const looks: Look[] = []
  let after = 0
  for (const [i, now] of opts.looks.entries()) {
    // The step this look evaluates began when the carried state says (before the first save: as
    // evaluate() starts it, at --since or the earliest canary record).
    const before = await store.load()
    const stepStartedAt = before
      ? Date.parse(before.stepStartedAt)
      : (opts.since ?? (await opts.source.firstCanaryTime(now)) ?? now)
    const outcome = await evaluate({
      policy,
      policyHash: opts.policyHash,
      source: opts.source,
      store,
      now,
      replay: true,
      ...(opts.decisionOnly && { decisionOnly: true }),
      ...(opts.since !== undefined && { since: opts.since }),
      ...(judge && { judge })
    })
    looks.push(lookOf(outcome.record, outcome.state, now, stepStartedAt))
    if (outcome.state.status === 'complete' || outcome.state.status === 'rolled-back') {
      after = opts.looks.length - i - 1
      break
    }
  }
  return { rollout: policy.rollout.name, looks, steps: stepsOf(looks), after }
}

function lookOf(
  record: DecisionRecord,
  state: RolloutState,
  at: number,
  stepStartedAt: number
): Look {
  const gating = record.metrics.filter(m => m.mode !== 'report')
  const window = record.window
    ? { from: Date.parse(record.window.from), to: Date.parse(record.window.to) }
    : null
  const look: Look = {
    at,
    stepStartedAt,
    decision: record.decision,
    step: record.step,
    next: record.next,
    status: state.status,
    window,
    arms: { baseline: record.arms.baseline.n, canary: record.arms.canary.n },
    metrics: gating.map(m => ({
      name: m.name,
      verdict: m.verdict,
      estimate: m.delta.estimate,
      lower: m.delta.lower,
      upper: m.delta.upper,
      tolerance: m.tolerance,
      relative: m.delta.relative
    })),
    blocks: record.checks.filter(c => c.status === 'block').map(c => c.name),
    reasons: record.reasons,
    record
  }
  const binding = bindingOf(record.decision, gating, record.checks, record.reasons)
  if (binding) look.binding = binding
  return look
}

/**
 * The metric the decision turned on: for a rollback the first failing gating metric; for a hold
 * a blocking check first (it overrides the metrics), else the undecided metric that needs the
 * most traffic; for a promotion the metric that passed with the least room under its tolerance.
 */
export function bindingOf(
  decision: Action,
  gating: MetricResult[],
  checks: Check[],
  reasons: string[]
): Binding | undefined {
  if (decision === 'rollback') {
    const failed = gating.find(m => m.verdict === 'fail' || m.limit?.breached)
    if (failed) return { kind: 'metric', metric: failed.name }
    const check = checks.find(c => c.status === 'block' && c.rollsBack)
    if (check) return { kind: 'check', check: check.name, detail: check.detail }
    return { kind: 'time', detail: reasons[0] ?? '' }
  }
  if (decision === 'hold') {
    const block = checks.find(c => c.status === 'block' && c.name !== 'sample-size')
    if (block) return { kind: 'check', check: block.name, detail: block.detail }
    const open = gating.filter(m => m.verdict !== 'pass')
    if (open.length === 0) {
      return reasons.length > 0 ? { kind: 'time', detail: reasons.at(-1) ?? '' } : undefined
    }
    const need = (m: MetricResult) => m.needed?.samples ?? Infinity
    const slowest = open.reduce((a, b) => (need(b) > need(a) ? b : a))
    return { kind: 'metric', metric: slowest.name }
  }
  if (gating.length === 0) return undefined
  const room = (m: MetricResult) => Math.abs(m.tolerance) - harmUpper(m)
  const tightest = gating.reduce((a, b) => (room(b) < room(a) ? b : a))
  return { kind: 'metric', metric: tightest.name }
}

/** The interval's worst end in the metric's "worse" direction (as a positive harm). */
function harmUpper(m: MetricResult): number {
  return m.tolerance >= 0 ? m.delta.upper : -m.delta.lower
}

/** The steps the looks went through, with when and how each ended. */
function stepsOf(looks: Look[]): StepOutcome[] {
  const steps: StepOutcome[] = []
  let current: StepOutcome | undefined
  for (const look of looks) {
    if (!current || current.index !== look.step.index || current.endedAt !== undefined) {
      current = {
        index: look.step.index,
        weight: look.step.weight,
        startedAt: look.stepStartedAt,
        outcome: 'still running',
        looks: 0,
        reason: ''
      }
      steps.push(current)
    }
    current.looks++
    current.reason = look.reasons[0] ?? ''
    if (look.decision === 'promote' && look.next.index !== look.step.index) {
      current.endedAt = look.at
      current.outcome = 'promoted'
    } else if (look.decision === 'promote' && look.status === 'complete') {
      current.endedAt = look.at
      current.outcome = 'completed'
    } else if (look.decision === 'rollback') {
      current.endedAt = look.at
      current.outcome = 'rolled back'
    }
  }
  return steps
}
