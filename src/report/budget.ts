import type { MetricResult } from '../analysis/types.js'
import { RESTART_SHARE } from '../stats/alphaSpending.js'
import type { DecisionRecord } from './record.js'

/** A probability as a percentage for people: 5%, 1.25%, 0.31%. */
const pct = (p: number): string => {
  const v = p * 100
  return `${v >= 1 ? Number(v.toFixed(2)) : Number(v.toPrecision(2))}%`
}

/**
 * The error budget in plain words (stats/alphaSpending.ts): what "at most 5%" means for the
 * whole rollout, what this step spends, and how segments share it.
 */
export function budgetText(r: DecisionRecord): string {
  const b = r.errorBudget
  if (!b) {
    return `${Math.round(r.policy.confidence * 100)}% family-wise anytime-valid confidence sequences; a metric passes only when its whole interval is within the tolerance.`
  }
  const spent =
    b.spent !== undefined && b.spent > 0
      ? ` (the rollout's earlier sequences spent ${pct(b.spent)})`
      : ''
  const segments =
    b.segments === 'shared'
      ? ' Failing segments roll back too, so they share the rollback side.'
      : b.segments === 'separate'
        ? ` Segments are compared apart, at ${pct(b.total)} each step, and can only hold, so they spend none of it.`
        : ''
  const pass = b.pass ?? b.step
  const rollback = `a rollback needs only one gating metric to fail, so this step’s rollback side, ${pct(b.step)}, is split, ${pct(b.perMetric)} per metric`
  const sides =
    pass === b.step
      ? `this step’s confidence sequences use ${pct(b.step)} of it: a promotion needs every gating metric to pass, so each is tested at all of it; ${rollback}`
      : `a rollback ends the rollout, so each step’s rollbacks get at most an even share, and a canary reaches a step only by passing every step before, so its promotion here is tested at ${pct(1 - RESTART_SHARE)} of what is left (the rest is kept for a restart), ${pct(pass)}${spent}, each gating metric at all of it (a promotion needs every one to pass); ${rollback}`
  return `At most a ${pct(b.total)} chance over the whole rollout that the gate promotes a canary worse than a tolerance or rolls back one that is not: ${sides}${pass === b.step ? spent : ''}.${segments} Each end of an interval is a bound valid on its own however often the gate looks; a metric passes only when its whole interval is within the tolerance.`
}

/**
 * Why a metric has no interval yet, in a few words for its table cell (MetricResult.why), or ''
 * when it has one.
 */
export function heldText(m: MetricResult): string {
  const why = m.why
  switch (why?.code) {
    case 'below-minimum':
      return why.unit === 'units'
        ? `too few users for a valid interval (${Math.min(why.baseline, why.canary)} of ${why.minimum})`
        : `too few requests for a verdict (${Math.min(why.baseline, why.canary)} of ${why.minimum})`
    case 'too-skewed':
      return 'too skewed for a valid interval yet'
    case 'design-effect-unknown':
      return 'per-user arms, but the data have no users: declare arms.designEffect'
    default:
      return ''
  }
}
