import type { Analysis, MetricResult } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import {
  change,
  deltaWithInterval,
  duration,
  roughCount,
  roughDuration,
  toleranceText,
  value
} from '../policy/format.js'
import { recordedWeight } from './state.js'
import type { Decision, ManualCommand, RolloutState } from './types.js'

/** Canary weight at a step index; -1 is "rolled back" (0%). */
export const weightAt = (policy: Policy, index: number): number =>
  index < 0 ? 0 : (policy.rollout.steps[index] ?? 100)

/** Checks whose block means the comparison itself cannot be trusted. */
const UNTRUSTED = new Set(['arms', 'traffic-split', 'data-quality', 'a/a'])

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
  const here = position(policy, state)
  const stay = (action: Decision['action'], reasons: string[], complete = false): Decision => ({
    action,
    from: here,
    to: here,
    complete,
    reasons
  })
  if (state.status === 'complete') return stay('promote', ['the rollout is complete'], true)
  if (state.status === 'rolled-back') {
    return stay('rollback', [
      `the rollout was rolled back; \`resume\` starts it again at the first step`
    ])
  }
  if (state.status === 'paused') {
    const p = state.paused
    return stay('hold', [`paused${p ? ` by ${p.actor} at ${p.at}: ${p.reason}` : ''}`])
  }

  const gating = analysis.metrics.filter(m => m.mode !== 'report')
  const blocks = analysis.checks.filter(c => c.status === 'block')
  const trusted = !blocks.some(c => UNTRUSTED.has(c.name))
  const elapsed = now - Date.parse(state.stepStartedAt)

  // A segment rolls back only through a `gate` metric; `hold` metrics only ever hold.
  const segmentFails = (mode: 'gate' | 'any') =>
    analysis.segments.filter(s =>
      s.metrics.some(m => m.verdict === 'fail' && (mode === 'any' || m.mode === 'gate'))
    )
  const failing = [
    ...gating.filter(m => m.mode === 'gate' && m.limit?.breached).map(limitReason),
    ...gating
      .filter(m => m.mode === 'gate' && m.verdict === 'fail' && m.holdsBecause === undefined)
      .map(failReason),
    ...(policy.segments?.gate === 'rollback'
      ? segmentFails('gate').map(s => `segment ${s.segment} fails`)
      : []),
    ...blocks.filter(c => c.rollsBack).map(c => `${c.name}: ${c.detail}`)
  ]
  if (failing.length > 0 && trusted) return rollback(here, failing)

  const holdReasons = [
    ...(failing.length > 0
      ? [`would roll back (${failing.join('; ')}), but the evidence is not trustworthy`]
      : []),
    ...blocks.filter(c => !c.rollsBack).map(c => `${c.name}: ${c.detail}`),
    ...(gating.length === 0 ? ['no gating metric: every metric is mode: report'] : []),
    ...gating.filter(m => m.mode === 'hold' && m.verdict === 'fail').map(failReason),
    ...gating
      .filter(m => m.mode === 'gate' && m.verdict === 'fail' && m.holdsBecause !== undefined)
      .map(m => `${failReason(m)}; this holds instead of rolling back: ${m.holdsBecause}`),
    ...gating.filter(m => m.verdict === 'inconclusive').map(inconclusiveReason),
    ...gating
      .filter(m => m.limit?.suspect || (m.mode === 'hold' && m.limit?.breached))
      .map(limitReason),
    ...(policy.segments && policy.segments.gate !== false
      ? segmentFails('any')
          .filter(s => !failing.includes(`segment ${s.segment} fails`))
          .map(s => `segment ${s.segment} fails`)
      : [])
  ]
  if (elapsed < policy.rollout.minDuration) {
    holdReasons.push(
      `bake time: ${duration(policy.rollout.minDuration - elapsed)} of the ${duration(policy.rollout.minDuration)} minimum still to go`
    )
  }
  if (holdReasons.length === 0) return promote(policy, state, here, gating.length, elapsed)
  // The timeout ends a step whose metrics stayed undecided on sound evidence. A problem with the
  // evidence itself (no data, stale or malformed data, a broken split) holds: fail closed.
  if (elapsed >= policy.rollout.maxDuration) {
    const ran = `step ${here.weight}% ran ${duration(elapsed)} (maxDuration ${duration(policy.rollout.maxDuration)}) without a decision`
    const evidenceProblem = blocks.some(c => c.name !== 'sample-size')
    if (policy.rollout.onTimeout === 'rollback' && !evidenceProblem) {
      return rollback(here, [ran, ...holdReasons])
    }
    holdReasons.unshift(
      `${ran}; holding (${evidenceProblem ? 'the evidence has problems, so the timeout does not roll back' : 'onTimeout: hold'})`
    )
  }
  const decision = stay('hold', holdReasons)
  const needed = mostNeeded(gating)
  return needed ? { ...decision, needed } : decision
}

function promote(
  policy: Policy,
  state: RolloutState,
  here: Decision['from'],
  gating: number,
  elapsed: number
): Decision {
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
      `all ${gating} gating metrics are within tolerance after ${duration(elapsed)} at ${here.weight}%`
    ]
  }
}

/** Where the canary is now: a rolled-back rollout is at 0%, off every step. */
function position(policy: Policy, state: RolloutState): Decision['from'] {
  if (state.status === 'rolled-back') return ROLLED_BACK
  const weight = weightAt(policy, state.stepIndex)
  // A state whose step the policy no longer has (checkState) is where it was last decided.
  const recorded = state.status === 'complete' ? undefined : recordedWeight(state)
  return { index: state.stepIndex, weight: recorded ?? weight }
}

const ROLLED_BACK = { index: -1, weight: 0 }

const rollback = (here: Decision['from'], reasons: string[]): Decision => ({
  action: 'rollback',
  from: here,
  to: ROLLED_BACK,
  complete: false,
  reasons
})

function failReason(m: MetricResult): string {
  const verb = (m.better === 'lower') === m.delta.estimate > 0 ? 'worsened' : 'changed'
  const line =
    m.rollbackAt !== undefined
      ? `the ${change(m, m.rollbackAt, m.delta.relative)} rollback threshold`
      : `the ${toleranceText(m)} tolerance`
  return `${m.name} ${verb} ${deltaWithInterval(m)}, beyond ${line}`
}

function limitReason(m: MetricResult): string {
  const l = m.limit
  if (!l) return ''
  const sure = l.breached ? 'breaches' : 'may breach'
  return `canary ${m.name} ${sure} its limit of ${value(m, l.value)} (canary interval ${value(m, l.lower)} to ${value(m, l.upper)})`
}

function inconclusiveReason(m: MetricResult): string {
  const n = m.needed
  const code = m.why?.code
  // A reason the interval cannot be trusted yet comes first: it says what is missing.
  const held = code === 'below-minimum' || code === 'too-skewed' || code === 'design-effect-unknown'
  if (held && (!n || n.samples === null)) return `${m.name} inconclusive: ${m.reason}`
  if (m.delta.relative && m.baseline === 0) return `${m.name} inconclusive: ${m.reason}`
  if (n?.code === 'resolution' || code === 'bucket-resolution') {
    return `${m.name} inconclusive: ${m.reason}`
  }
  if (!n || n.samples === null) {
    return n?.code === 'beyond-step'
      ? `${m.name} inconclusive: more traffic will not settle it within this step at these estimates`
      : `${m.name} inconclusive: the estimate sits at the tolerance, more traffic will not settle it soon`
  }
  if (n.samples === 0) return `${m.name} inconclusive: ${m.reason}`
  const time = n.seconds !== null ? `, ${roughDuration(n.seconds)} at current traffic` : ''
  const why = held ? ` (${m.reason})` : ''
  return `${m.name} inconclusive: about ${roughCount(n.samples)} more canary requests${time}${why}`
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
  reason: string,
  /** promote only: the step index to go to (default the next one). */
  toIndex = state.stepIndex + 1
): Decision {
  const here = position(policy, state)
  const manual = { command, actor, reason }
  const why = `${command} by ${actor}: ${reason}`
  switch (command) {
    case 'rollback':
      return { ...rollback(here, [why]), manual }
    case 'promote': {
      const next = toIndex
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
