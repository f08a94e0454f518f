import type { MetricSpec } from '../policy/types.js'
import { mergeCacheSums } from '../sketch/cacheSums.js'
import type { MetricSketch, RatioMoments } from '../sketch/types.js'
import { TOTAL_SEGMENT, type Evidence, type RepricingSums } from '../sketch/evidence.js'
import { change } from '../policy/format.js'
import { compareMetric, type CompareContext } from './compareMetric.js'
import type { MetricResult } from './types.js'

/**
 * `gateOn: repriced` (issue 5, check 1): the cost metric's verdict on the canary's cost re-priced
 * at the baseline's prompt-cache hit rate h (the share of the baseline's input tokens read from the
 * cache), for a canary whose small share keeps a shared prefix colder than the baseline's.
 *
 * Re-pricing is a deterministic, linear transform of each request's tokens: u - h d, where u is
 * the request's cost with every input token uncached and d what reading all its input from the
 * cache would save (CacheSums.repricing). So the re-priced per-request costs have exact moments
 * (sum u - h sum d; sum u^2 - 2 h sum ud + h^2 sum d^2), and they are compared with the
 * baseline's observed cost by the same confidence sequence as the observed cost. h is taken as
 * known: it rests on the baseline's tokens, usually far more than the canary's. When requests are
 * clustered by unit, the re-priced variance is widened by the observed cost's design effect
 * (clustered over per-request variance of the canary's mean), assuming re-pricing does not change
 * how a unit's requests hang together.
 *
 * Returns the result to use, or the observed one with a note when the source gives no token sums.
 */
export function repricedCost(
  spec: MetricSpec,
  observed: MetricResult,
  baseline: MetricSketch,
  canary: MetricSketch,
  evidence: Evidence,
  ctx: CompareContext
): MetricResult {
  const sums = (arm: 'baseline' | 'canary') =>
    mergeCacheSums(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT))
  const b = sums('baseline')
  const r = sums('canary')?.repricing
  if (!b || !(b.inputTokens > 0) || !r || r.n < 2) {
    return {
      ...observed,
      reason: `${observed.reason}; gated on the observed cost: no priced token counts to re-price (gateOn: repriced)`
    }
  }
  const h = b.cacheReadTokens / b.inputTokens
  const deff = designEffectOf(canary.moments, r)
  const result = compareMetric(
    spec,
    baseline,
    { moments: repricedMoments(r, h, deff), requests: r.n },
    ctx
  )
  const observedChange = Number.isFinite(observed.delta.estimate)
    ? `; observed ${change(observed, observed.delta.estimate, observed.delta.relative)}`
    : ''
  const widened =
    deff > 1 ? `, widened by the observed cost's design effect ${deff.toFixed(2)}` : ''
  return {
    ...result,
    ...(observed.limit && { limit: observed.limit }),
    ...(observed.baselineInterval && { baselineInterval: observed.baselineInterval }),
    observed: observed.delta,
    reason: `re-priced at the baseline's cache-hit rate (${(h * 100).toFixed(1)}%): ${result.reason}${observedChange}`,
    method: `${result.method}; the canary's per-request cost re-priced at the baseline's cache-hit rate${widened}`
  }
}

/**
 * Per-request moments (one cluster per request, y = 1) of u - h d, with the residual sum of squares
 * multiplied by `deff` (the mean is unchanged, its variance scaled by deff).
 */
export function repricedMoments(r: RepricingSums, h: number, deff = 1): RatioMoments {
  const sx = r.su - h * r.sd
  const sxx = r.suu - 2 * h * r.sud + h * h * r.sdd
  const mean2 = (sx * sx) / r.n
  return {
    n: r.n,
    sx,
    sy: r.n,
    sxx: mean2 + deff * Math.max(0, sxx - mean2),
    syy: r.n,
    sxy: sx
  }
}

/**
 * Var(mean) from the clustered moments of the observed cost over Var(mean) from its per-request
 * sums, at least 1; 1 when the moments are per request.
 */
function designEffectOf(m: RatioMoments, r: RepricingSums): number {
  if (m.n >= r.n || m.n < 2 || !(m.sy > 0)) return 1
  const ratio = m.sx / m.sy
  const ybar = m.sy / m.n
  const residual = Math.max(0, m.sxx - 2 * ratio * m.sxy + ratio * ratio * m.syy)
  const clustered = residual / (m.n * (m.n - 1) * ybar * ybar)
  const independent = Math.max(0, r.scc - (r.sc * r.sc) / r.n) / (r.n - 1) / r.n
  const deff = clustered / independent
  return Number.isFinite(deff) ? Math.max(1, deff) : 1
}
