import type { Analysis, MetricResult } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import {
  deltaWithInterval,
  duration,
  roughCount,
  roughDuration,
  toleranceText,
  value
} from '../report/format.js'
import type { Decision, ManualCommand, RolloutState } from './types.js'

/** Canary weight at a step index; -1 is "rolled back" (0%). */
export const weightAt = (policy: Policy, index: number): number =>
  index < 0 ? 0 : (policy.rollout.steps[index] ?? 100)

/** Checks whose block means the comparison itself cannot be trusted. */
const UNTRUSTED = new Set(['arms', 'traffic-split', 'data-quality'])

/**
 * The step state machine (DESIGN.md, "Decision"). Pure: the evaluation time is passed in.
 * rollback: a gating metric fails, a canary limit is breached with confidence, or the step timed
 * out with onTimeout: rollback. promote: every gating metric passes, both arms have the minimum
 * sample, the bake time has passed and no check blocks. hold: anything else, with what is needed.
 */
export function decide(
  policy: Policy,
  state: RolloutState,
  analysis: Analysis,
  now: number
): Decision {
  const here = { index: state.stepIndex, weight: weightAt(policy, state.stepIndex) }
  const stay = (action: Decision['action'], reasons: string[], complete = false): Decision => ({
    action,
    from: here,
    to: here,
    complete,
    reasons
  })
  if (state.status === 'complete') return stay('promote', ['the rollout is complete'], true)
  if (state.status === 'rolled-back') {
    return {
      ...stay('rollback', [
        `the rollout was rolled back; \`resume\` starts it again at the first step`
      ]),
      to: { index: -1, weight: 0 }
    }
  }
  if (state.status === 'paused') {
    const p = state.paused
    return stay('hold', [`paused${p ? ` by ${p.actor} at ${p.at}: ${p.reason}` : ''}`])
  }

  const gating = analysis.metrics.filter(m => m.mode !== 'report')
  const blocks = analysis.checks.filter(c => c.status === 'block')
  const untrusted = blocks.filter(c => UNTRUSTED.has(c.name))
  const elapsed = now - Date.parse(state.stepStartedAt)

  const breached = gating.filter(m => m.mode === 'gate' && m.limit?.breached)
  const failed = gating.filter(m => m.mode === 'gate' && m.verdict === 'fail')
  const failedSegments =
    policy.segments?.gate === 'rollback' ? analysis.segments.filter(s => s.verdict === 'fail') : []
  const rollbackReasons = [
    ...breached.map(limitReason),
    ...(untrusted.length === 0
      ? [...failed.map(failReason), ...failedSegments.map(s => `segment ${s.segment} fails`)]
      : [])
  ]
  if (rollbackReasons.length > 0) return rollback(here, rollbackReasons)
  if (elapsed >= policy.rollout.maxDuration && policy.rollout.onTimeout === 'rollback') {
    return rollback(here, [
      `step ${here.weight}% ran ${duration(elapsed)} (maxDuration ${duration(policy.rollout.maxDuration)}) without a decision`
    ])
  }

  const holdReasons = [
    ...untrusted
      .filter(() => failed.length + failedSegments.length > 0)
      .map(
        c =>
          `${failed.map(m => m.name).join(', ') || 'a segment'} would roll back, but the evidence is not trustworthy (${c.name})`
      ),
    ...blocks.map(c => `${c.name}: ${c.detail}`),
    ...gating.filter(m => m.mode === 'hold' && m.verdict === 'fail').map(failReason),
    ...gating.filter(m => m.verdict === 'inconclusive').map(inconclusiveReason),
    ...gating
      .filter(m => m.limit?.suspect || (m.mode === 'hold' && m.limit?.breached))
      .map(limitReason),
    ...(policy.segments && policy.segments.gate !== false
      ? analysis.segments.filter(s => s.verdict === 'fail').map(s => `segment ${s.segment} fails`)
      : [])
  ]
  if (elapsed < policy.rollout.minDuration) {
    holdReasons.push(
      `bake time: ${duration(policy.rollout.minDuration - elapsed)} of the ${duration(policy.rollout.minDuration)} minimum still to go`
    )
  }
  if (elapsed >= policy.rollout.maxDuration) {
    holdReasons.unshift(
      `step ${here.weight}% ran past its maxDuration (${duration(policy.rollout.maxDuration)}); holding (onTimeout: hold)`
    )
  }
  if (holdReasons.length > 0) {
    const decision = stay('hold', holdReasons)
    const needed = mostNeeded(gating)
    return needed ? { ...decision, needed } : decision
  }
  const next = state.stepIndex + 1
  const complete = next >= policy.rollout.steps.length || weightAt(policy, next) >= 100
  return {
    action: 'promote',
    from: here,
    to: {
      index: complete ? policy.rollout.steps.length - 1 : next,
      weight: complete ? 100 : weightAt(policy, next)
    },
    complete,
    reasons: [
      `all ${gating.length} gating metrics are within tolerance after ${duration(elapsed)} at ${here.weight}%`
    ]
  }
}

const rollback = (here: Decision['from'], reasons: string[]): Decision => ({
  action: 'rollback',
  from: here,
  to: { index: -1, weight: 0 },
  complete: false,
  reasons
})

function failReason(m: MetricResult): string {
  const verb = (m.better === 'lower') === m.delta.estimate > 0 ? 'worsened' : 'changed'
  return `${m.name} ${verb} ${deltaWithInterval(m)}, beyond the ${toleranceText(m)} tolerance`
}

function limitReason(m: MetricResult): string {
  const l = m.limit
  if (!l) return ''
  const sure = l.breached ? 'breaches' : 'may breach'
  return `canary ${m.name} ${sure} its limit of ${value(m, l.value)} (canary interval ${value(m, l.lower)} to ${value(m, l.upper)})`
}

function inconclusiveReason(m: MetricResult): string {
  const n = m.needed
  if (!n || n.samples === null) {
    return `${m.name} inconclusive: the estimate sits at the tolerance, more traffic may not settle it`
  }
  if (n.samples === 0) return `${m.name} inconclusive: ${m.reason}`
  const time = n.seconds !== null ? `, ${roughDuration(n.seconds)} at current traffic` : ''
  return `${m.name} inconclusive: about ${roughCount(n.samples)} more canary requests${time}`
}

/** The slowest inconclusive gating metric decides how long the hold lasts. */
function mostNeeded(gating: MetricResult[]): Decision['needed'] | undefined {
  const needs = gating.filter(m => m.verdict === 'inconclusive').map(m => m.needed)
  if (needs.length === 0) return undefined
  if (needs.some(n => !n || n.samples === null)) return { samples: null, seconds: null }
  const worst = needs.reduce((a, b) => ((b?.samples ?? 0) > (a?.samples ?? 0) ? b : a))
  return worst ? { samples: worst.samples, seconds: worst.seconds } : undefined
}

/**
 * A person's command overrides the analysis (DESIGN.md: recorded with the actor and the reason).
 * It never needs evidence, so a source that is down cannot block a rollback.
 */
export function manualDecision(
  policy: Policy,
  state: RolloutState,
  command: ManualCommand,
  actor: string,
  reason: string
): Decision {
  const here = { index: state.stepIndex, weight: weightAt(policy, state.stepIndex) }
  const manual = { command, actor, reason }
  const why = `${command} by ${actor}: ${reason}`
  switch (command) {
    case 'rollback':
      return { ...rollback(here, [why]), manual }
    case 'promote': {
      const next = state.stepIndex + 1
      const complete = next >= policy.rollout.steps.length || weightAt(policy, next) >= 100
      const to = complete
        ? { index: policy.rollout.steps.length - 1, weight: 100 }
        : { index: next, weight: weightAt(policy, next) }
      return { action: 'promote', from: here, to, complete, reasons: [why], manual }
    }
    case 'pause':
      return { action: 'hold', from: here, to: here, complete: false, reasons: [why], manual }
    case 'resume': {
      // Resuming a rolled-back rollout starts it again at the first step.
      const to = state.status === 'rolled-back' ? { index: 0, weight: weightAt(policy, 0) } : here
      return { action: 'hold', from: here, to, complete: false, reasons: [why], manual }
    }
  }
}
