import { baselineLevels } from '../analysis/driftCheck.js'
import type { Analysis } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import { stepAlpha } from '../stats/alphaSpending.js'
import type { Decision, ErrorBudget, HistoryEntry, ManualCommand, RolloutState } from './types.js'

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
    history: []
  }
}

/**
 * The error-budget ledger for an evaluation of the current step (stats/alphaSpending.ts): the
 * stored one while the step is the same; at a new step, the last step's alpha joins what was
 * spent and the new step gets its share (steps skipped by a manual promotion spend nothing).
 */
export function currentBudget(policy: Policy, state: RolloutState): ErrorBudget {
  const total = 1 - policy.confidence
  const comparisonSteps = policy.rollout.steps.filter(w => w < 100).length
  const stored = state.errorBudget
  if (stored && stored.step.index === state.stepIndex) {
    return stored.total === total
      ? stored
      : {
          ...stored,
          total,
          step: {
            ...stored.step,
            alpha: stepAlpha({ total, comparisonSteps, restarts: stored.step.restarts })
          }
        }
  }
  return {
    total,
    spent: stored ? stored.spent + stored.step.alpha : 0,
    step: {
      index: state.stepIndex,
      alpha: stepAlpha({ total, comparisonSteps, restarts: 0 }),
      restarts: 0
    }
  }
}

/** The ledger after the step's evidence restarted: the old sequences are spent, new ones start. */
export function restartedBudget(policy: Policy, budget: ErrorBudget): ErrorBudget {
  const restarts = budget.step.restarts + 1
  const comparisonSteps = policy.rollout.steps.filter(w => w < 100).length
  return {
    ...budget,
    spent: budget.spent + budget.step.alpha,
    step: {
      ...budget.step,
      alpha: stepAlpha({ total: budget.total, comparisonSteps, restarts }),
      restarts
    }
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
  const at = new Date(now).toISOString()
  const command = decision.manual?.command
  const moved = decision.to.index !== decision.from.index
  const next: RolloutState = {
    ...state,
    revision: state.revision + 1,
    history: [...state.history, historyEntry(decision, at, analysis)].slice(-HISTORY_LIMIT)
  }
  // The ledger of the sequences this evaluation ran (a step that was evaluated has spent its alpha).
  const budget =
    policy && analysis && state.status === 'running' ? currentBudget(policy, state) : undefined
  if (budget) next.errorBudget = budget
  // The baseline's levels at the rollout's start, once they rest on the minimum sample.
  const levels = !state.baselineAtStart && analysis ? baselineLevels(analysis.metrics) : undefined
  if (levels) next.baselineAtStart = { at, levels }
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
      return { ...fresh, status: 'running', stepIndex: 0, stepStartedAt: at }
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
    return { ...next, stepIndex: decision.to.index, stepStartedAt: at }
  }
  // A served model changed inside the step: its evidence starts again at the change.
  const restartAt = analysis?.restartAt
  if (decision.action === 'hold' && restartAt !== undefined && !command) {
    const started = Date.parse(state.stepStartedAt)
    if (restartAt > started) {
      const restarted = { ...next, stepStartedAt: new Date(restartAt).toISOString() }
      if (policy && next.errorBudget)
        restarted.errorBudget = restartedBudget(policy, next.errorBudget)
      return restarted
    }
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
