import type { Policy } from '../policy/types.js'
import { OTHER_SEGMENT } from '../sketch/evidenceBuilder.js'
import { mergeCells, type CellTotals } from '../sketch/metricSketch.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import { csRadius, mixtureRho } from '../stats/cs/mixture.js'
import { ratioCS, ratioDifferenceCS } from '../stats/cs/ratio.js'
import { sampleRatioTest } from '../stats/sampleRatio.js'
import { change } from '../policy/format.js'
import type { CompareContext } from './compareMetric.js'
import type { Check, MetricResult, Verdict } from './types.js'

/**
 * Coverage (issue 5, check 2): is the canary answering the same questions as the baseline? With
 * `segments.by`, each segment's canary share is tested against the canary's share of all traffic
 * with the sequential sample-ratio test of Lindon & Malek (2022), in units when records carry them,
 * at `trafficSplit.alpha` split over the segments (Bonferroni). The overall share is estimated
 * from all segments together, which is far more precise than any one segment's, so using it as
 * the expected share changes the test's level only negligibly.
 *
 * When a segment's share differs, the aggregate comparison is confounded by the mix (a canary
 * that gets more easy questions looks faster and cheaper). Then each mean, rate or ratio metric is
 * post-stratified: the per-segment differences d_s weighted by the baseline's mix w_s,
 * D = sum w_s d_s with Var D = sum w_s^2 Var d_s (segments are independent samples; Cochran,
 * Sampling Techniques, 3rd ed., 1977, Section 5A.9 on post-stratification), relative changes by
 * the delta method over the baseline's level, and the same normal-mixture confidence sequence
 * (Waudby-Smith et al. 2024) at the metric's error rate. That estimate replaces the aggregate
 * one, with its verdict, and the metric's method says so. Quantile metrics keep the aggregate.
 */
export function coverageCheck(
  policy: Policy,
  unitLevel: boolean,
  segments: SegmentTotals[],
  metrics: MetricResult[],
  ctx: CompareContext,
  canaryWeight: number
): Check {
  const name = 'segment-mix'
  if (!policy.segments) return { name, status: 'ok', detail: 'no segments in the policy' }
  const by = unitLevel ? 'units' : 'requests'
  const count = (t: CellTotals) => (by === 'units' ? t.units : t.requests)
  const total = { baseline: 0, canary: 0 }
  for (const s of segments) {
    total.baseline += count(s.baseline)
    total.canary += count(s.canary)
  }
  const all = total.baseline + total.canary
  if (segments.length < 2 || total.canary === 0 || total.baseline === 0 || canaryWeight >= 100) {
    return { name, status: 'ok', detail: 'not tested: fewer than two segments or one arm empty' }
  }
  const share = total.canary / all
  const alpha = policy.trafficSplit.alpha / segments.length
  const skewed = segments
    .map(s => {
      const counts = { baseline: count(s.baseline), canary: count(s.canary) }
      return { s, counts, srt: sampleRatioTest(counts, share, alpha) }
    })
    .filter(x => x.srt.mismatch)
    .sort((a, b) => a.srt.pValue - b.srt.pValue)
  if (skewed.length === 0) {
    return {
      name,
      status: 'ok',
      detail: `the canary's mix of ${segments.length} segments matches the baseline's (${by})`
    }
  }
  const shown = skewed.slice(0, 3).map(({ s, counts }) => {
    const c = counts.canary / total.canary
    const b = counts.baseline / total.baseline
    return `${s.key} is ${pct(c)} of the canary's ${by} vs ${pct(b)} of the baseline's`
  })
  const adjusted = postStratify(policy, segments, metrics, ctx)
  const used =
    adjusted.length > 0
      ? `; the aggregate comparison is confounded by the mix, so ${adjusted.join(', ')} use the post-stratified estimate (segment differences weighted by the baseline's mix)`
      : ''
  return {
    name,
    status: 'warn',
    detail: `the canary's mix of segments differs from the baseline's (${skewed.length} of ${segments.length} segments): ${shown.join('; ')}${used}`
  }
}

export interface SegmentTotals {
  key: string
  baseline: CellTotals
  canary: CellTotals
}

/**
 * Each segment's cells merged, per arm, sorted by key. Past MAX_SEGMENTS_PER_ARM each arm pools
 * the rest as it meets them, so the two arms' OTHER_SEGMENT hold different segments: comparing
 * them would be comparing unlike traffic, so it is left out. `sketches: false` leaves out the
 * quantile sketches and rank sums, for the segment-mix check alone (its counts and moments).
 */
export function segmentTotals(evidence: Evidence, sketches = true): SegmentTotals[] {
  const byKey = new Map<string, { baseline: Cell[]; canary: Cell[] }>()
  for (const cell of evidence.cells) {
    if (cell.segment === TOTAL_SEGMENT || cell.segment === OTHER_SEGMENT) continue
    let entry = byKey.get(cell.segment)
    if (!entry) byKey.set(cell.segment, (entry = { baseline: [], canary: [] }))
    entry[cell.arm].push(sketches ? cell : withoutSketches(cell))
  }
  return [...byKey]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([key, cells]) => ({
      key,
      baseline: mergeCells(cells.baseline),
      canary: mergeCells(cells.canary)
    }))
}

function withoutSketches(cell: Cell): Cell {
  const metrics = cell.metrics.map(({ quantiles: _q, unitRanks: _r, ...rest }) => rest)
  return { ...cell, metrics }
}

/** Replaces each mean, rate or ratio metric's delta and verdict with the post-stratified ones. */
function postStratify(
  policy: Policy,
  segments: SegmentTotals[],
  metrics: MetricResult[],
  ctx: CompareContext
): string[] {
  const adjusted: string[] = []
  policy.metrics.forEach((spec, i) => {
    const result = metrics[i]
    if (!result || spec.kind === 'quantile') return
    const rate = spec.kind === 'rate'
    const parts = segments
      .map(s => ({ b: s.baseline.metrics[i], c: s.canary.metrics[i] }))
      .filter(p => p.b && p.c && p.b.moments.n >= 2 && p.c.moments.n >= 2)
      .map(p => {
        const d = ratioDifferenceCS(p.b!.moments, p.c!.moments, ctx.alpha, {
          relative: false,
          tStar: ctx.tStar.total,
          bernoulliFloor: rate
        })
        return { weight: p.b!.requests, d, t: d.t }
      })
    const weights = parts.reduce((s, p) => s + p.weight, 0)
    if (parts.length === 0 || !(weights > 0)) return
    let estimate = 0
    let variance = 0
    let t = 0
    let baselineLevel = 0
    for (const p of parts) {
      const w = p.weight / weights
      estimate += w * p.d.estimate
      variance += w * w * p.d.se * p.d.se
      baselineLevel += w * p.d.baseline
      t += p.t
    }
    if (!Number.isFinite(variance)) return
    if (spec.tolerance.relative) {
      // Relative to the baseline's level over the same segments, by the delta method.
      const all = mergeCells(segments.map(s => s.baseline)).metrics[i]
      const b = all ? ratioCS(all.moments, ctx.alpha, { tStar: ctx.tStar.baseline }) : undefined
      if (!(baselineLevel > 0) || !b) return
      const bVar = ((b.upper - b.estimate) / radius(all!.moments.n, ctx)) ** 2
      variance = variance / baselineLevel ** 2 + (estimate ** 2 * bVar) / baselineLevel ** 4
      estimate /= baselineLevel
    }
    const half =
      Math.sqrt(variance) *
      Math.sqrt(t) *
      csRadius(t, 1, ctx.alpha, mixtureRho(ctx.alpha, ctx.tStar.total))
    const lower = estimate - half
    const upper = estimate + half
    const sign = spec.better === 'lower' ? 1 : -1
    const harmLow = sign > 0 ? lower : -upper
    const harmHigh = sign > 0 ? upper : -lower
    const enough = result.n.baseline >= ctx.minSamples && result.n.canary >= ctx.minSamples
    const failAt =
      spec.rollbackAt && spec.rollbackAt.relative === spec.tolerance.relative
        ? spec.rollbackAt.value
        : spec.tolerance.value
    const verdict: Verdict =
      enough && harmHigh < spec.tolerance.value
        ? 'pass'
        : enough && harmLow > failAt
          ? 'fail'
          : 'inconclusive'
    const was = `aggregate ${change(result, result.delta.estimate, result.delta.relative)}`
    result.delta = { estimate, lower, upper, relative: spec.tolerance.relative }
    result.verdict = verdict
    if (verdict !== 'inconclusive') delete result.needed
    result.method = `post-stratified by segment (the baseline's mix), ${result.method}`
    result.reason = `post-stratified, since the canary's segment mix differs (${was}); ${verdict === 'pass' ? 'the whole interval is within the tolerance' : verdict === 'fail' ? 'the whole interval is beyond the tolerance' : 'the interval still crosses the tolerance'}`
    adjusted.push(spec.name)
  })
  return adjusted
}

/** sqrt(n) * csRadius(n, 1, alpha, rho): the CS half-width per unit of standard error. */
const radius = (n: number, ctx: CompareContext): number =>
  Math.sqrt(n) * csRadius(n, 1, ctx.alpha, mixtureRho(ctx.alpha, ctx.tStar.baseline))

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
