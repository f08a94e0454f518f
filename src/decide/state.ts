import { baselineLevels } from '../analysis/driftCheck.js'
import type { Analysis } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import { parseInstant } from '../policy/units.js'
import { assumedSpent, charged, sequenceAlphas } from '../stats/alphaSpending.js'
import type {
  Decision,
  DesiredState,
  ErrorBudget,
  HistoryEntry,
  ManualCommand,
  RolloutState
} from './types.js'

/** Enough evaluations for a chart of a day at a 15-minute cadence, and a readable audit trail. */
export const HISTORY_LIMIT = 200

export function initialState(policy: Policy, stepStartedAt: number): RolloutState {
  return {
    version: 1,
    rollout: policy.rollout.name,
    revision: 0,
    status: 'running',
    stepIndex: 0,
    stepStartedAt: new Date(stepStartedAt).toISOString(),
    startedAt: new Date(stepStartedAt).toISOString(),
    history: []
  }
}

/**
 * When the rollout's first step began, epoch ms: the state's `startedAt`, or for a state written
 * before it existed, its step's start while at the first step; else unknown.
 */
export function rolloutStartedAt(state: RolloutState): number | undefined {
  const at = state.startedAt ?? (state.stepIndex === 0 ? state.stepStartedAt : undefined)
  return at === undefined ? undefined : Date.parse(at)
}

/**
 * The error-budget ledger for an evaluation of the current step (stats/alphaSpending.ts): the
 * stored one while the step and its window are the same; at a new step the last step's sequences
 * are charged (their fail side when the gate promoted them, `closedBudget`; the larger side when a
 * person moved the step) and the new step's open on what is left. Steps skipped by a manual
 * promotion spend nothing. A window that moved within the step (a resume, a weight applied late)
 * or a new budget (the policy's confidence changed) starts new sequences, as a restart does.
 * Without a ledger, the comparison steps before this one count as promoted by the gate.
 */
export function currentBudget(policy: Policy, state: RolloutState): ErrorBudget {
  const total = 1 - policy.confidence
  const stored = state.errorBudget
  if (stored && stored.step.index === state.stepIndex) {
    const moved =
      stored.step.startedAt !== undefined && stored.step.startedAt !== state.stepStartedAt
    if (moved || stored.total !== total) {
      return restartedBudget(policy, stored, state.stepStartedAt)
    }
    return stored.step.passAlpha !== undefined
      ? stored
      : {
          ...stored,
          step: { ...stored.step, ...alphas(policy, stored.spent, stored.step.restarts) }
        }
  }
  const comparisonSteps = comparisonStepsOf(policy)
  const spent = stored
    ? stored.spent + charged(stored.step, false)
    : assumedSpent({ total, comparisonSteps, stepIndex: state.stepIndex })
  return openedBudget(policy, spent, state.stepIndex, state.stepStartedAt)
}

/** The ledger of step `index`'s first sequences, after the rollout's earlier ones spent `spent`. */
function openedBudget(
  policy: Policy,
  spent: number,
  index: number,
  startedAt: string
): ErrorBudget {
  return {
    total: 1 - policy.confidence,
    spent,
    step: { index, ...alphas(policy, spent, 0), restarts: 0, startedAt }
  }
}

function alphas(policy: Policy, spent: number, restarts: number) {
  const total = 1 - policy.confidence
  return sequenceAlphas({ total, spent, comparisonSteps: comparisonStepsOf(policy), restarts })
}

const comparisonStepsOf = (policy: Policy): number =>
  policy.rollout.steps.filter(w => w < 100).length

/**
 * The ledger of the sequences an evaluation ran: the current one, restarted at `restartAt` when a
 * served model changed inside the step (Analysis.restartAt).
 */
export function evaluatedBudget(
  policy: Policy,
  state: RolloutState,
  restartAt?: number
): ErrorBudget {
  const budget = currentBudget(policy, state)
  return restartAt !== undefined && restartAt > Date.parse(state.stepStartedAt)
    ? restartedBudget(policy, budget, new Date(restartAt).toISOString())
    : budget
}

/** The ledger with the t* this evaluation planned, when the step has none yet (it is kept). */
function withTStar(budget: ErrorBudget, analysis: Analysis | undefined): ErrorBudget {
  const planned = analysis?.tStar
  return budget.step.tStar || !planned
    ? budget
    : { ...budget, step: { ...budget.step, tStar: planned } }
}

/**
 * The ledger after the gate promoted the canary to step `index`, which starts at `startedAt`: the
 * promoted sequences are charged their fail side only (a canary the gate rightly promotes was
 * within tolerance), and the new step's sequences open on what is left.
 */
export function closedBudget(
  policy: Policy,
  budget: ErrorBudget,
  index: number,
  startedAt: string
): ErrorBudget {
  return openedBudget(policy, budget.spent + charged(budget.step, true), index, startedAt)
}

/**
 * The ledger after the step's window started again at `startedAt` (a served model changed, the
 * window moved): the old sequences are charged their larger side, new ones start.
 */
export function restartedBudget(
  policy: Policy,
  budget: ErrorBudget,
  startedAt: string
): ErrorBudget {
  const restarts = budget.step.restarts + 1
  const spent = budget.spent + charged(budget.step, false)
  // New sequences: their t* is planned again from the new window's traffic.
  const { tStar: _old, ...step } = budget.step
  return {
    total: 1 - policy.confidence,
    spent,
    step: { ...step, ...alphas(policy, spent, restarts), restarts, startedAt }
  }
}

/** Why a manual command cannot apply to this state, or undefined when it can. */
export function commandRefusal(state: RolloutState, command: ManualCommand): string | undefined {
  if (command === 'promote' && state.status === 'rolled-back') {
    return 'the rollout was rolled back: `resume` starts it again at the first step'
  }
  if (command === 'promote' && state.status === 'complete') return 'the rollout is already complete'
  if (command === 'pause' && state.status !== 'running') {
    return `only a running rollout can be paused (it is ${state.status})`
  }
  if (command === 'resume' && state.status === 'running') return 'the rollout is not paused'
  if (command === 'resume' && state.status === 'complete') return 'the rollout is already complete'
  return undefined
}

/**
 * The next state after a decision. A promotion starts the next step's clock (and so its fresh
 * confidence sequence, DESIGN.md); a hold changes nothing but the history.
 */
export function nextState(
  state: RolloutState,
  decision: Decision,
  now: number,
  analysis?: Analysis,
  /** The policy, to keep the error-budget ledger (omit: the ledger is left as it is). */
  policy?: Policy
): RolloutState {
  const next = stateAfter(state, decision, now, analysis, policy)
  return { ...next, desired: desiredAfter(state, next, decision, now) }
}

/** Who decides when no person does. */
export const GATE_ACTOR = 'ai-rollout-gate'

/**
 * The desired state after a decision: a new one when the weight or the status changes (or a
 * person commands), else the one already saved, so `at` and `appliedAt` say when this weight was
 * decided and when it was in place everywhere.
 */
function desiredAfter(
  before: RolloutState,
  after: RolloutState,
  decision: Decision,
  now: number
): DesiredState {
  const weight = decision.to.weight
  const kept = before.desired
  if (kept && !decision.manual && kept.weight === weight && kept.status === after.status) {
    return kept
  }
  return {
    weight,
    status: after.status,
    from: decision.from.weight,
    actor: decision.manual?.actor ?? GATE_ACTOR,
    reason: decision.manual?.reason ?? decision.reasons[0] ?? decision.action,
    at: new Date(now).toISOString()
  }
}

function stateAfter(
  state: RolloutState,
  decision: Decision,
  now: number,
  analysis?: Analysis,
  policy?: Policy
): RolloutState {
  const at = new Date(now).toISOString()
  const command = decision.manual?.command
  const moved = decision.to.index !== decision.from.index
  const next: RolloutState = {
    ...state,
    revision: state.revision + 1,
    history: [...state.history, historyEntry(decision, at, analysis)].slice(-HISTORY_LIMIT)
  }
  // The ledger of the sequences this evaluation ran (a step that was evaluated has spent its
  // alpha); a served model that changed inside the step restarted them at the change, whatever
  // was decided on the new window.
  const restartAt = analysis?.restartAt
  const restarting =
    restartAt !== undefined && !command && restartAt > Date.parse(state.stepStartedAt)
  const budget =
    policy && analysis && state.status === 'running'
      ? evaluatedBudget(policy, state, restarting ? restartAt : undefined)
      : undefined
  if (budget) next.errorBudget = withTStar(budget, analysis)
  // The baseline's levels at the rollout's start, once they rest on the minimum sample.
  const levels = !state.baselineAtStart && analysis ? baselineLevels(analysis.metrics) : undefined
  if (levels) {
    const mix = analysis?.baselineMix
    next.baselineAtStart = { at, levels, ...(mix && { mix }) }
  }
  // The busiest hour so far, for the next steps' minPeakLoad.
  const peak = analysis?.peakLoad
  if (peak && !(peak.perHour <= (state.peakLoad?.perHour ?? 0))) {
    next.peakLoad = { at: new Date(peak.at).toISOString(), perHour: peak.perHour }
  }
  if (command === 'pause' && decision.manual) {
    return {
      ...next,
      status: 'paused',
      paused: { at, actor: decision.manual.actor, reason: decision.manual.reason }
    }
  }
  if (command === 'resume') {
    const { paused, ...rest } = next
    if (state.status === 'rolled-back') {
      // A resumed rollout is a new attempt of a person's choosing: its budget starts again.
      const { errorBudget: _spent, ...fresh } = rest
      return { ...fresh, status: 'running', stepIndex: 0, stepStartedAt: at, startedAt: at }
    }
    // The pause does not count towards the step's bake time or its maxDuration.
    const pausedFor = paused ? Math.max(0, now - Date.parse(paused.at)) : 0
    const stepStartedAt = new Date(Date.parse(state.stepStartedAt) + pausedFor).toISOString()
    return { ...rest, status: 'running', stepStartedAt }
  }
  if (decision.action === 'rollback') return { ...next, status: 'rolled-back' }
  if (decision.action === 'promote' && decision.complete) {
    return { ...next, status: 'complete', stepIndex: decision.to.index }
  }
  if (decision.action === 'promote' && moved) {
    const moving = { ...next, stepIndex: decision.to.index, stepStartedAt: at }
    // The gate's own promotion charges only the fail side (stats/alphaSpending.ts).
    if (policy && next.errorBudget && !decision.manual)
      moving.errorBudget = closedBudget(policy, next.errorBudget, decision.to.index, at)
    return moving
  }
  // A served model changed inside the step: its evidence starts again at the change (the ledger
  // restarted above; the analysis is the restarted window's, so its t* is the new sequences').
  if (decision.action === 'hold' && restarting) {
    return { ...next, stepStartedAt: new Date(restartAt).toISOString() }
  }
  return next
}

function historyEntry(decision: Decision, at: string, analysis?: Analysis): HistoryEntry {
  const m = decision.manual
  const entry: HistoryEntry = {
    at,
    action: m && (m.command === 'pause' || m.command === 'resume') ? m.command : decision.action,
    from: decision.from.weight,
    to: decision.to.weight,
    manual: m !== undefined,
    reason: decision.reasons[0] ?? ''
  }
  if (m) entry.actor = m.actor
  if (analysis) {
    entry.metrics = analysis.metrics
      .filter(r => r.mode !== 'report' && Number.isFinite(r.delta.estimate))
      .map(r => ({
        name: r.name,
        estimate: r.delta.estimate,
        lower: r.delta.lower,
        upper: r.delta.upper,
        verdict: r.verdict
      }))
  }
  return entry
}

/** What checkState found: the state to decide on, what of it was left out, why it cannot go on. */
export interface CheckedState {
  state: RolloutState
  /** Invalid caches and records left out of the state (each a sentence). */
  ignored: string[]
  /**
   * Set when the state's step is not a step of this policy (the steps changed mid-rollout): only a
   * rollback, or a promotion to a named step of this policy (`promote --weight`), may go on.
   */
  stepProblem?: string
}

/**
 * The stored state checked against the policy (the document's own shape is checked when it is
 * read, state/store.ts). Caches the rollout can do without (baselineAtStart, peakLoad, judgeCache,
 * applied, comment, desired) and malformed history entries are left out, each named in `ignored`,
 * so a bad one can never crash or steer a run; the next save drops them. A running or paused
 * rollout whose step the policy does not have gets a `stepProblem`.
 */
export function checkState(policy: Policy, stored: RolloutState): CheckedState {
  const ignored: string[] = []
  const state: RolloutState = { ...stored }
  const drop = <K extends keyof RolloutState>(
    key: K,
    valid: boolean,
    what: string,
    then = 'it is measured again'
  ): void => {
    if (state[key] === undefined || valid) return
    delete state[key]
    ignored.push(`${String(key)} ${what}; left out (${then})`)
  }
  const b = state.baselineAtStart as unknown
  drop(
    'baselineAtStart',
    isRecord(b) &&
      isInstant(b.at) &&
      isRecord(b.levels) &&
      Object.values(b.levels).every(isFiniteNumber) &&
      (b.mix === undefined || isMix(b.mix)),
    'is not { at, levels: { metric: number }, mix? }'
  )
  drop(
    'errorBudget',
    isLedger(state.errorBudget),
    'is not { total, spent, step: { index, alpha, passAlpha?, restarts, startedAt? } } in range',
    'the comparison steps before this one count as promoted by the gate'
  )
  const t = state.errorBudget?.step?.tStar as unknown
  if (t !== undefined && !isTStar(t)) {
    const { tStar: _bad, ...step } = state.errorBudget!.step
    state.errorBudget = { ...state.errorBudget!, step }
    ignored.push(
      'errorBudget.step.tStar is not { units, requests, requestsPerUnit: { baseline, canary } } of positive numbers; left out (it is planned again)'
    )
  }
  const p = state.peakLoad as unknown
  drop(
    'peakLoad',
    isRecord(p) && isInstant(p.at) && isFiniteNumber(p.perHour) && (p.perHour as number) >= 0,
    'is not { at, perHour }'
  )
  const j = state.judgeCache as unknown
  drop(
    'judgeCache',
    isRecord(j) &&
      typeof j.key === 'string' &&
      Array.isArray(j.entries) &&
      j.entries.every(
        e =>
          isRecord(e) &&
          typeof e.k === 'string' &&
          isFiniteNumber(e.s) &&
          (e.s as number) >= 0 &&
          (e.s as number) <= 1 &&
          (e.f === undefined || e.f === 1)
      ),
    'is not { key, entries: [{ k, s }] }'
  )
  const d = state.desired as unknown
  drop(
    'desired',
    isRecord(d) &&
      isFiniteNumber(d.weight) &&
      (d.weight as number) >= 0 &&
      (d.weight as number) <= 100 &&
      ['running', 'paused', 'complete', 'rolled-back'].includes(d.status as string) &&
      typeof d.actor === 'string' &&
      typeof d.reason === 'string' &&
      isInstant(d.at) &&
      (d.appliedAt === undefined || isInstant(d.appliedAt)),
    'is not { weight, status, actor, reason, at }'
  )
  const a = state.applied as unknown
  drop(
    'applied',
    isRecord(a) &&
      Object.values(a).every(
        v => isRecord(v) && isFiniteNumber(v.weight) && typeof v.at === 'string'
      ),
    'is not { actuator: { weight, at } }'
  )
  const c = state.comment as unknown
  drop(
    'comment',
    isRecord(c) &&
      Number.isSafeInteger(c.pullRequest) &&
      Number.isSafeInteger(c.id) &&
      typeof c.author === 'string',
    'is not { pullRequest, id, author }'
  )
  if (state.status === 'paused')
    drop('paused', isRecord(state.paused), 'is not { at, actor, reason }')
  const history = state.history.filter(isHistoryEntry)
  if (history.length < state.history.length) {
    ignored.push(`${state.history.length - history.length} malformed history entries left out`)
    state.history = history
  }
  const problem = stepProblem(policy, state)
  return problem ? { state, ignored, stepProblem: problem } : { state, ignored }
}

/**
 * The canary weight the state was last decided at: the saved decision's, else the last history
 * entry's. Undefined for a rollout that has not decided anything yet.
 */
export function recordedWeight(state: RolloutState): number | undefined {
  return state.desired?.weight ?? state.history.at(-1)?.to
}

/** Why a running or paused rollout's step does not fit this policy's steps, if it does not. */
function stepProblem(policy: Policy, state: RolloutState): string | undefined {
  if (state.status !== 'running' && state.status !== 'paused') return undefined
  const steps = policy.rollout.steps
  const weight = steps[state.stepIndex]
  const recorded = recordedWeight(state)
  const was = recorded !== undefined ? ` at ${recorded}%` : ''
  if (weight !== undefined && (recorded === undefined || recorded === weight)) return undefined
  const listed = `[${steps.join(', ')}]`
  const where =
    weight === undefined
      ? `is at step ${state.stepIndex + 1}${was}, but the policy's rollout.steps ${listed} have ${steps.length}`
      : `is at step ${state.stepIndex + 1}${was}, but that step of the policy's rollout.steps ${listed} is ${weight}%`
  return `the rollout state ${where} (were the steps changed mid-rollout?). Nothing was changed. Restore the steps, or move the rollout explicitly: promote to a step of this policy (\`promote --weight ${steps[Math.min(state.stepIndex, steps.length - 1)]}\`, or the Action's \`weight\` input), or roll back`
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v)

const isMix = (v: unknown): boolean =>
  isRecord(v) &&
  (v.inputTokens === undefined || isFiniteNumber(v.inputTokens)) &&
  (v.segments === undefined ||
    (isRecord(v.segments) &&
      Object.values(v.segments).every(
        s =>
          isRecord(s) &&
          isFiniteNumber(s.share) &&
          isRecord(s.levels) &&
          Object.values(s.levels).every(isFiniteNumber)
      )))

const isInstant = (v: unknown): boolean => typeof v === 'string' && parseInstant(v).ok

function isHistoryEntry(e: unknown): e is HistoryEntry {
  return (
    isRecord(e) &&
    isInstant(e.at) &&
    typeof e.action === 'string' &&
    isFiniteNumber(e.from) &&
    isFiniteNumber(e.to) &&
    typeof e.reason === 'string' &&
    (e.metrics === undefined ||
      (Array.isArray(e.metrics) &&
        e.metrics.every(
          m =>
            isRecord(m) &&
            typeof m.name === 'string' &&
            // Unbounded ends are written as null (JSON has no Infinity).
            [m.estimate, m.lower, m.upper].every(v => typeof v === 'number' || v === null)
        )))
  )
}

const isArmCounts = (v: unknown): boolean =>
  isRecord(v) && [v.baseline, v.canary].every(x => isFiniteNumber(x) && (x as number) > 0)

/** A stored StepTStar: positive finite counts per arm, in units and in requests. */
const isAlpha = (v: unknown): boolean => isFiniteNumber(v) && (v as number) > 0 && (v as number) < 1
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0

const isLedger = (v: unknown): boolean =>
  isRecord(v) &&
  isAlpha(v.total) &&
  isFiniteNumber(v.spent) &&
  (v.spent as number) >= 0 &&
  isRecord(v.step) &&
  isCount(v.step.index) &&
  isAlpha(v.step.alpha) &&
  (v.step.passAlpha === undefined || isAlpha(v.step.passAlpha)) &&
  isCount(v.step.restarts) &&
  (v.step.startedAt === undefined || isInstant(v.step.startedAt))

const isTStar = (v: unknown): boolean =>
  isRecord(v) && isArmCounts(v.units) && isArmCounts(v.requests) && isArmCounts(v.requestsPerUnit)
