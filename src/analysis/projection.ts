/**
 * How much longer an inconclusive metric needs (DESIGN.md: "Inconclusive metrics report a
 * projection"), projected with the sequence's real shrinkage: the confidence sequence itself is
 * recomputed on sketches grown to a future time (compareMetric's decisiveAt), so its log factor,
 * its range term and its validity rules (minimum units, skewness) are those it will have then,
 * at the same estimates. Growth follows the window's own traffic: requests at their rate, units at
 * the rate new units arrived lately, which falls as the same users come back. More requests from
 * the same users grow each unit's sums, and so the variance per unit (the design effect of more
 * requests from the same users): precision then grows with units, not requests. The step's error
 * budget is fixed when the step starts (stats/alphaSpending.ts), so it is the same then as now.
 *
 * When the metric would not decide before the step runs out (`rollout.maxDuration`), or never at
 * these estimates (one sitting at the tolerance), the projection says so instead of a number:
 * more traffic will not settle it soon.
 */
import { firstDecisive } from '../stats/projection.js'
import type { MetricWhy, Needed } from './types.js'

/** How the window's traffic grows, per arm, from its cells (analysis/analyze.ts). */
export interface Growth {
  /** The window's length so far, seconds. */
  seconds: number
  baseline: ArmGrowth
  canary: ArmGrowth
  /** Seconds the step has left before its maxDuration; undefined when unknown. */
  remainingSeconds?: number
}

export interface ArmGrowth {
  requestsPerSecond: number
  /** Distinct units in the window so far (0 without units). */
  units: number
  /** Units first seen per second over the last third of the window (0 without units). */
  newUnitsPerSecond: number
}

/** Growth factors of each arm: clusters (units) and requests. */
export interface ArmFactors {
  baseline: { units: number; requests: number }
  canary: { units: number; requests: number }
}

/** When nothing says how long the step has left: a month. */
const HORIZON = 30 * 86_400
/** How far beyond the horizon "never at these estimates" is checked. */
const NEVER = 1e4

export function projectNeeded(o: {
  why: MetricWhy
  units: { baseline: number; canary: number }
  requests: { baseline: number; canary: number }
  canaryRate: number
  canaryRequests: number
  growth?: Growth
  decisiveAt: (factors: ArmFactors) => boolean
}): Needed {
  const code = o.why.code
  if (code === 'bucket-resolution') return { samples: null, seconds: null, code: 'resolution' }
  if (code === 'relative-undefined' || code === 'no-values' || code === 'design-effect-unknown') {
    return { samples: null, seconds: null }
  }
  const g = o.growth ?? assumedGrowth(o)
  if (!(g.seconds > 0) || !(o.requests.canary > 0)) return { samples: null, seconds: null }
  const factors = (dt: number): ArmFactors => ({
    baseline: armFactors(g.baseline, g.seconds, dt),
    canary: armFactors(g.canary, g.seconds, dt)
  })
  const decisive = (dt: number) => o.decisiveAt(factors(dt))
  const horizon = g.remainingSeconds ?? HORIZON
  const dt = firstDecisive(decisive, Math.max(1, horizon))
  if (dt === undefined) {
    const settles = decisive(Math.max(g.seconds, horizon) * NEVER)
    return { samples: null, seconds: null, code: settles ? 'beyond-step' : 'at-tolerance' }
  }
  // All canary requests, not only those carrying this metric's value (a score on a third of them).
  const rate = o.growth ? g.canary.requestsPerSecond : o.canaryRate
  const samples = Math.ceil(dt * rate)
  const seconds = rate > 0 ? Math.ceil(samples / rate) : Math.ceil(dt)
  return code === 'below-minimum' ? { samples, seconds, code: 'minimum' } : { samples, seconds }
}

/** Without the window's cells: requests at the canary's rate, units in proportion to requests. */
function assumedGrowth(o: {
  requests: { baseline: number; canary: number }
  units: { baseline: number; canary: number }
  canaryRate: number
  canaryRequests: number
}): Growth {
  const seconds = o.canaryRate > 0 ? o.canaryRequests / o.canaryRate : 0
  const arm = (requests: number, units: number): ArmGrowth => ({
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    units,
    newUnitsPerSecond: seconds > 0 ? units / seconds : 0
  })
  return {
    seconds,
    baseline: arm(o.requests.baseline, o.units.baseline),
    canary: arm(o.requests.canary, o.units.canary)
  }
}

/**
 * An arm's growth after dt more seconds: requests by (T + dt) / T (at the window's rate), units by
 * the rate new ones arrived lately (at most as fast as requests); without units, as requests.
 */
function armFactors(
  g: ArmGrowth,
  seconds: number,
  dt: number
): { units: number; requests: number } {
  const r = 1 + dt / seconds
  if (!(g.units > 0)) return { units: r, requests: r }
  const u = (g.units + g.newUnitsPerSecond * dt) / g.units
  return { units: Math.min(u, r), requests: r }
}
