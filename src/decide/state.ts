import { baselineLevels } from '../analysis/driftCheck.js'
import type { Analysis } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import type { Decision, HistoryEntry, ManualCommand, RolloutState } from './types.js'

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
  analysis?: Analysis
): RolloutState {
  const at = new Date(now).toISOString()
  const command = decision.manual?.command
  const moved = decision.to.index !== decision.from.index
  const next: RolloutState = {
    ...state,
    revision: state.revision + 1,
    history: [...state.history, historyEntry(decision, at, analysis)].slice(-HISTORY_LIMIT)
  }
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
      return { ...rest, status: 'running', stepIndex: 0, stepStartedAt: at, startedAt: at }
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
    if (restartAt > started) return { ...next, stepStartedAt: new Date(restartAt).toISOString() }
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
