import type { Side } from '../../src/stats/cs/types.js'
/**
 * The gate's interval for one metric, as analyze() computes it (compareMetric with the context
 * analyze builds), for the validity regimes: a regime feeds both arms' sketches at each look and
 * checks the truth against the interval the gate would decide on.
 */
import { tStar } from '../../src/analysis/analyze.js'
import { compareMetric, type CompareContext } from '../../src/analysis/compareMetric.js'
import type { MetricResult } from '../../src/analysis/types.js'
import type { MetricSpec, Tolerance } from '../../src/policy/types.js'
import type { MetricSketch } from '../../src/sketch/types.js'

export interface GateOptions {
  alpha: number
  /** The step's canary share, percent. */
  canaryWeight: number
  /** rollout.minSamples: per arm, in units when records carry one. */
  minSamples: number
  /**
   * The end of the interval a regime checks, each end then from its one-sided sequence as the
   * gate decides on it (CompareContext.ends). Without it, the two-sided sequence at alpha, checked
   * at both ends.
   */
  side?: Side
}

export function metricSpec(
  overrides: Partial<MetricSpec> & { tolerance: Tolerance; kind: MetricSpec['kind'] }
): MetricSpec {
  return {
    name: 'metric',
    from: 'latency_ms',
    better: 'lower',
    mode: 'gate',
    path: 'metrics[0]',
    ...overrides
  }
}

export function gateResult(
  spec: MetricSpec,
  baseline: MetricSketch,
  canary: MetricSketch,
  o: GateOptions
): MetricResult {
  const ctx: CompareContext = {
    alpha: o.alpha,
    tStar: tStar(o.minSamples, o.canaryWeight),
    minSamples: o.minSamples,
    canaryRequests: canary.requests,
    canaryRate: 1,
    project: false,
    ...(o.side === undefined && { ends: 'both' })
  } as CompareContext
  return compareMetric(spec, baseline, canary, ctx)
}

/**
 * Whether the gate decides on this interval at this look: both arms have the minimum sample (in
 * units when the result has them, as the gate counts it) and the bounds are finite (the gate gives
 * an unbounded interval while it is not yet valid). A one-sample comparison against a fixed
 * reference (`oneSample`, the judge's pairwise win rate) has no baseline arm to count.
 */
export function decisionGrade(r: MetricResult, minSamples: number, oneSample = false): boolean {
  const n = r.units ?? r.n
  return (
    (oneSample || n.baseline >= minSamples) &&
    n.canary >= minSamples &&
    Number.isFinite(r.delta.lower) &&
    Number.isFinite(r.delta.upper)
  )
}

/** The truth (a change, in the metric's delta terms) is outside a decision-grade interval. */
export function misses(
  r: MetricResult,
  truth: number,
  minSamples: number,
  oneSample = false,
  side?: Side
): boolean {
  return decisionGrade(r, minSamples, oneSample) && !holds(r.delta, truth, side)
}

/** Whether the interval holds the truth: at its one end when `side` is given. */
export const holds = (d: { lower: number; upper: number }, truth: number, side?: Side): boolean =>
  (side === 'upper' || d.lower <= truth) && (side === 'lower' || truth <= d.upper)
