import type { MetricSpec } from './types.js'

/** A metric's values all lie in [lo, hi]. */
export interface ValueRange {
  lo: number
  hi: number
}

const UNIT: ValueRange = { lo: 0, hi: 1 }

/**
 * The range a metric's per-request values are known to lie in, or undefined for an unbounded
 * one (latency, cost, tokens). A bounded metric gets a nonasymptotic confidence sequence
 * (src/stats/cs/bernstein.ts), so a small or zero-variance sample never gives a narrow interval
 * (with variance reduction, a score's is intersected with the adjusted one, under its guards:
 * analysis/compareMetric.ts).
 *
 * Bounded: a rate (0/1); a mean of a score (`score`, `scores.<name>`, the judge's `judge`) in
 * [0, 1], as the record readers enforce; a mean of a 0/1 field (`error`, `error.<class>`,
 * `fallback`, `cache_hit`); `feedback` in [-1, 1]; and any mean with a declared `range`, whose
 * values outside it the readers reject as invalid. Ratios and quantiles are not means of bounded
 * values.
 */
export function metricRange(
  spec: Pick<MetricSpec, 'kind' | 'from' | 'range'>
): ValueRange | undefined {
  if (spec.kind === 'rate') return UNIT
  if (spec.kind !== 'mean') return undefined
  if (spec.range) return spec.range
  const from = spec.from === 'gen_ai.evaluation.score.value' ? 'score' : spec.from
  if (from === 'feedback') return { lo: -1, hi: 1 }
  if (
    from === 'score' ||
    from.startsWith('scores.') ||
    from === 'judge' ||
    from === 'error' ||
    from.startsWith('error.') ||
    from === 'fallback' ||
    from === 'cache_hit'
  ) {
    return UNIT
  }
  return undefined
}

/**
 * Whether every per-request value of the metric is 0 or 1 (a rate, or a mean of a 0/1 field:
 * `error`, `error.<class>`, `fallback`, `cache_hit`): the counts of its two levels are then its
 * requests and its sum, and the betting CS applies (src/stats/cs/betting.ts).
 */
export function binaryMetric(spec: Pick<MetricSpec, 'kind' | 'from' | 'range'>): boolean {
  if (spec.kind === 'rate') return true
  if (spec.kind !== 'mean' || spec.range) return false
  const from = spec.from
  return (
    from === 'error' || from.startsWith('error.') || from === 'fallback' || from === 'cache_hit'
  )
}
