import type { MetricSpec, Policy } from '../policy/types.js'
import { mergeCells } from '../sketch/metricSketch.js'
import { emptyMoments } from '../sketch/moments.js'
import type { MetricSketch } from '../sketch/types.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import { bonferroni } from '../stats/alphaSpending.js'
import { aaCheck } from './aaCheck.js'
import { cacheCheck } from './cacheCheck.js'
import { evidenceChecks } from './checks.js'
import { coverageCheck, segmentTotals, type SegmentTotals } from './coverageCheck.js'
import { baselineMix } from './driftCheck.js'
import { loadCheck } from './loadCheck.js'
import { modelCheck } from './modelCheck.js'
import { errorObservabilityCheck, unobservableErrors } from './observability.js'
import { busiestHour } from './peakLoad.js'
import { repricedCost } from './repricedCost.js'
import { compareMetric, type CompareContext } from './compareMetric.js'
import type { Analysis, SegmentResult, Verdict } from './types.js'

const isGating = (m: MetricSpec): boolean => m.mode !== 'report'

/**
 * Compare every metric between the arms over the evidence of one step, and run the checks on the
 * evidence itself. `canaryWeight` is the step's canary share in percent (the expected split).
 * `replay`: the evaluation time was given (--now), so records after it are expected, not skew.
 */
export function analyze(
  policy: Policy,
  evidence: Evidence,
  canaryWeight: number,
  replay = false
): Analysis {
  const total = (arm: Cell['arm']) =>
    mergeCells(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT))
  const baseline = total('baseline')
  const canary = total('canary')
  const seconds = Math.max(1, (evidence.window.to - evidence.window.from) / 1000)
  const canaryRate = canary.requests / seconds

  const familyAlpha = 1 - policy.confidence
  const alpha = bonferroni(familyAlpha, familySize(policy.metrics))
  const ctx: CompareContext = {
    alpha,
    tStar: tStar(policy.rollout.minSamples, canaryWeight),
    minSamples: policy.rollout.minSamples,
    canaryRequests: canary.requests,
    canaryRate
  }
  const metrics = policy.metrics.map((spec, i) =>
    compareMetric(
      spec,
      metricAt(baseline.metrics, i),
      metricAt(canary.metrics, i),
      ctx,
      evidence.limitValues?.[spec.name]
    )
  )
  // Each segment's cells merged once, for the segment comparisons and the segment-mix check.
  const bySegment = policy.segments ? segmentTotals(evidence) : []
  const segments = policy.segments ? compareSegments(policy, bySegment, ctx, familyAlpha) : []
  const arms = {
    baseline: { requests: baseline.requests, units: baseline.units },
    canary: { requests: canary.requests, units: canary.units }
  }
  const checks = evidenceChecks(policy, evidence, arms, canaryWeight, replay)
  // The checks for the ways staging lies (issue 5): each adds a check, and may mark metrics. The
  // segment mix first (it may replace estimates), then the cache (it may turn fails into holds).
  if (policy.segments) {
    checks.push(coverageCheck(policy, evidence.unitLevel, bySegment, metrics, ctx, canaryWeight))
  }
  policy.metrics.forEach((spec, i) => {
    const observed = metrics[i]
    if (spec.gateOn !== 'repriced' || !observed) return
    const b = metricAt(baseline.metrics, i)
    metrics[i] = repricedCost(spec, observed, b, metricAt(canary.metrics, i), evidence, ctx)
  })
  const cache = cacheCheck(evidence, metrics, ctx, (baseline.requests + canary.requests) / seconds)
  const model = modelCheck(policy, evidence)
  const blindToErrors = unobservableErrors(evidence)
  checks.push(
    aaCheck(policy, evidence, metrics, ctx),
    cache.check,
    model.check,
    loadCheck(policy, evidence, ctx, blindToErrors !== undefined)
  )
  if (blindToErrors !== undefined) checks.push(errorObservabilityCheck(metrics, blindToErrors))
  const analysis: Analysis = {
    window: evidence.window,
    arms,
    unitLevel: evidence.unitLevel,
    metrics,
    segments,
    checks,
    canaryRate
  }
  if (cache.report) analysis.cache = cache.report
  const mix = baselineMix(policy, evidence)
  if (mix) analysis.baselineMix = mix
  const peak = policy.rollout.minPeakLoad !== undefined ? busiestHour(evidence) : undefined
  if (peak) analysis.peakLoad = peak
  if (model.changedAt !== undefined) analysis.restartAt = model.changedAt
  return analysis
}

/**
 * The family of the error budget: each gating metric, plus each canary `limit` on one, since a
 * limit is a test of its own (Bonferroni over all of them). Report-only metrics are shown at the
 * same level but do not widen the gating ones.
 */
export function familySize(metrics: MetricSpec[]): number {
  const gating = metrics.filter(isGating)
  return Math.max(1, gating.length + gating.filter(m => m.limit !== undefined).length)
}

/**
 * Confidence sequences are tightest around the sample size where decisions are expected
 * (Waudby-Smith et al. 2024 choose rho for such a t*): when the canary reaches the minimum sample
 * at this step's split, and the baseline has its share of the same traffic.
 */
export function tStar(minSamples: number, canaryWeight: number): CompareContext['tStar'] {
  const share = Math.min(Math.max(canaryWeight / 100, 0.001), 0.999)
  const canary = Math.max(30, minSamples)
  const baseline = Math.max(30, Math.round((canary * (1 - share)) / share))
  return { baseline, canary, total: baseline + canary }
}

/**
 * Every segment is compared as its own family (DESIGN.md: segments are a separate family), with
 * the segment budget split over segments and gating metrics.
 */
function compareSegments(
  policy: Policy,
  segmentTotals: SegmentTotals[],
  ctx: CompareContext,
  familyAlpha: number
): SegmentResult[] {
  const gating = policy.metrics
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => isGating(m) && !m.totalOnly)
  if (segmentTotals.length === 0 || gating.length === 0) return []
  const alpha = bonferroni(familyAlpha, segmentTotals.length * gating.length)
  const segCtx = { ...ctx, alpha }
  return segmentTotals.map(({ key: segment, baseline: b, canary: c }) => {
    const metrics = gating.map(({ m, i }) => {
      const r = compareMetric(
        { ...m, limit: undefined },
        metricAt(b.metrics, i),
        metricAt(c.metrics, i),
        segCtx
      )
      return {
        name: r.name,
        mode: r.mode,
        verdict: r.verdict,
        delta: r.delta,
        n: r.n,
        reason: r.reason
      }
    })
    return { segment, verdict: worstVerdict(metrics.map(m => m.verdict)), metrics }
  })
}

function worstVerdict(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail'
  if (verdicts.includes('inconclusive') || verdicts.length === 0) return 'inconclusive'
  return 'pass'
}

const EMPTY: MetricSketch = { moments: emptyMoments(), requests: 0 }
const metricAt = (list: MetricSketch[], i: number): MetricSketch => list[i] ?? EMPTY
