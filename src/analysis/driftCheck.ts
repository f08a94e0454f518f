import type { Policy } from '../policy/types.js'
import { change, value } from '../policy/format.js'
import type { BaselineLevels, Check, MetricResult } from './types.js'

/**
 * Baseline drift (issue 5, check 4): the provider can change the model under both arms. The
 * comparison with the concurrent baseline stays valid (the drift cancels), so this never rolls
 * back; it reports when the baseline's level of a metric has moved beyond the metric's tolerance
 * since the rollout's first evaluation with the minimum sample (RolloutState.baselineAtStart):
 * the stored level is outside the baseline's own confidence sequence now (anytime-valid, at the
 * metric's error rate), and the change from it exceeds the tolerance.
 */
export function driftCheck(policy: Policy, metrics: MetricResult[], start: BaselineLevels): Check {
  const name = 'baseline-drift'
  const moved: string[] = []
  for (const spec of policy.metrics) {
    const m = metrics.find(r => r.name === spec.name)
    const before = start.levels[spec.name]
    if (!m || before === undefined || m.baseline === null || !m.baselineInterval) continue
    const { lower, upper } = m.baselineInterval
    if (before >= lower && before <= upper) continue
    const shift = spec.tolerance.relative
      ? before !== 0
        ? m.baseline / before - 1
        : NaN
      : m.baseline - before
    if (!(Math.abs(shift) > spec.tolerance.value)) continue
    moved.push(
      `${spec.name} ${value(m, before)} → ${value(m, m.baseline)} (${change(m, shift, spec.tolerance.relative)}, beyond its ${change(m, spec.tolerance.value, spec.tolerance.relative).replace('+', '±')} tolerance)`
    )
  }
  if (moved.length === 0) {
    return { name, status: 'ok', detail: `the baseline has held its levels since ${start.at}` }
  }
  return {
    name,
    status: 'warn',
    detail: `the baseline itself moved since the rollout began (${start.at}): ${moved.join('; ')}. The provider may have changed the model under both arms; the comparison with the concurrent baseline stays valid`
  }
}

/**
 * The baseline levels to remember at the rollout's start: metrics with the minimum sample (only
 * those have a `baselineInterval`, compareMetric.ts).
 */
export function baselineLevels(metrics: MetricResult[]): Record<string, number> | undefined {
  const levels: Record<string, number> = {}
  for (const m of metrics) {
    if (m.baseline !== null && m.baselineInterval) {
      levels[m.name] = m.baseline
    }
  }
  return Object.keys(levels).length > 0 ? levels : undefined
}
