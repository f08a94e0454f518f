import type { MetricSpec, Policy } from '../policy/types.js'
import { mergeCells } from '../sketch/metricSketch.js'
import { emptyMoments } from '../sketch/moments.js'
import type { MetricSketch } from '../sketch/types.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import { bonferroni, SEGMENT_SHARE } from '../stats/alphaSpending.js'
import { aggregateDesignEffects } from './aggregateDesignEffect.js'
import type { Growth } from './projection.js'
import { aaCheck } from './aaCheck.js'
import { cacheCheck } from './cacheCheck.js'
import { evidenceChecks } from './checks.js'
import { coverageCheck, segmentTotals, type SegmentTotals } from './coverageCheck.js'
import { baselineMix } from './driftCheck.js'
import { fieldsCheck } from './fieldsCheck.js'
import { loadCheck } from './loadCheck.js'
import { modelCheck } from './modelCheck.js'
import { errorObservabilityCheck, unobservableErrors } from './observability.js'
import { busiestHour } from './peakLoad.js'
import { repricedCost } from './repricedCost.js'
import { compareMetric, type CompareContext } from './compareMetric.js'
import type { Analysis, SegmentResult, StepTStar, Verdict } from './types.js'

const isGating = (m: MetricSpec): boolean => m.mode !== 'report'

/** What analyze() needs to know of the rollout beyond the evidence. */
export interface AnalyzeOptions {
  /**
   * The fail side's share of the rollout's error budget for this step's sequences
   * (stats/alphaSpending.ts, kept in the rollout state); default: the whole budget,
   * 1 - confidence (an evaluation without a rollout state).
   */
  stepAlpha?: number
  /** The pass side's (stats/alphaSpending.ts, sequenceAlphas); default: `stepAlpha`. */
  passAlpha?: number
  /** Milliseconds the step has run (since its start, warm-up included), for projections. */
  stepElapsedMs?: number
  /**
   * Compare the segments when they cannot change the decision (`segments.gate: false`, where
   * they only report). Default true; false for a caller that reads no segment verdict (backtest's
   * timeline), which then gets `segments: []` unless segments gate.
   */
  reportOnlySegments?: boolean
  /**
   * Where this step's sequences are tightest, fixed at an earlier look (the rollout state keeps
   * it); default: planned from this look's traffic (plannedTStar), and returned in the analysis.
   */
  tStar?: StepTStar
}

/**
 * Compare every metric between the arms over the evidence of one step, and run the checks on the
 * evidence itself. `canaryWeight` is the step's canary share in percent (the expected split).
 * `replay`: the evaluation time was given (--now), so records after it are expected, not skew.
 */
export function analyze(
  policy: Policy,
  evidence: Evidence,
  canaryWeight: number,
  replay = false,
  options: AnalyzeOptions = {}
): Analysis {
  const total = (arm: Cell['arm']) =>
    mergeCells(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT))
  const baseline = total('baseline')
  const canary = total('canary')
  const seconds = Math.max(1, (evidence.window.to - evidence.window.from) / 1000)
  const canaryRate = canary.requests / seconds

  const stepAlpha = options.stepAlpha ?? 1 - policy.confidence
  const segmentsRollBack = policy.segments?.gate === 'rollback'
  const { alpha, passAlpha } = metricAlphas(policy, stepAlpha, options.passAlpha)
  const designEffects = aggregateDesignEffects(policy, evidence)
  const planned =
    options.tStar ??
    plannedTStar(policy, { baseline, canary }, evidence.window.to - evidence.window.from)
  const floor = tStar(policy.rollout.minSamples, canaryWeight)
  const ctx: CompareContext = {
    alpha,
    passAlpha,
    tStar: planned ? atLeast(planned.units, floor) : floor,
    ...(planned && {
      tStarRequests: atLeast(planned.requests, floor),
      failTStar: floor,
      failTStarRequests: inRequests(floor, planned.requestsPerUnit)
    }),
    minSamples: policy.rollout.minSamples,
    canaryRequests: canary.requests,
    canaryRate,
    growth: growthOf(policy, evidence, options.stepElapsedMs),
    ...(designEffects && { designEffects }),
    ...(evidence.quality.preExposure && { preExposure: evidence.quality.preExposure })
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
  // Each segment's cells merged once, for the segment comparisons and the segment-mix check
  // (which needs no quantile sketch: without comparisons, they are not merged).
  const compared =
    policy.segments && (policy.segments.gate !== false || options.reportOnlySegments !== false)
  const bySegment = policy.segments ? segmentTotals(evidence, compared) : []
  const segmentAlpha = segmentsRollBack ? stepAlpha * SEGMENT_SHARE : 1 - policy.confidence
  const segments = compared ? compareSegments(policy, bySegment, ctx, segmentAlpha) : []
  const arms = {
    baseline: { requests: baseline.requests, units: baseline.units },
    canary: { requests: canary.requests, units: canary.units }
  }
  const checks = evidenceChecks(policy, evidence, arms, canaryWeight, replay)
  const valueCounts = policy.metrics.map(
    (_, i) => metricAt(baseline.metrics, i).requests + metricAt(canary.metrics, i).requests
  )
  const fields = fieldsCheck(policy, evidence, valueCounts)
  if (fields) checks.push(fields)
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
    loadCheck(policy, evidence, ctx, blindToErrors !== undefined, { baseline, canary })
  )
  if (blindToErrors !== undefined) checks.push(errorObservabilityCheck(metrics, blindToErrors))
  const analysis: Analysis = {
    window: evidence.window,
    arms,
    unitLevel: evidence.unitLevel,
    metrics,
    segments,
    checks,
    canaryRate,
    ...(planned && { tStar: planned }),
    errorBudget: {
      total: 1 - policy.confidence,
      step: stepAlpha,
      perMetric: alpha,
      pass: passAlpha,
      segments: segmentsRollBack ? 'shared' : policy.segments ? 'separate' : 'none'
    }
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
 * Each gating metric's alpha for its fail side (a rollback) in a step whose sequences' fail side
 * has `stepAlpha` of the rollout's budget (default: the whole budget, 1 - confidence): segments
 * that can roll back take their share first (stats/alphaSpending.ts), the rest is split over the
 * family (Bonferroni). Each metric's pass side runs at the whole `passAlpha` (default
 * `stepAlpha`): a promotion needs every gating metric to pass (the intersection-union test of
 * stats/alphaSpending.ts), and segments only fail.
 */
export function metricAlphas(
  policy: Policy,
  stepAlpha = 1 - policy.confidence,
  passAlpha = stepAlpha
): { alpha: number; passAlpha: number } {
  const armsAlpha =
    policy.segments?.gate === 'rollback' ? stepAlpha * (1 - SEGMENT_SHARE) : stepAlpha
  return { alpha: bonferroni(armsAlpha, familySize(policy.metrics)), passAlpha }
}

/**
 * The family a rollback's side is split over: each metric whose fail rolls back (`mode: gate`),
 * plus each canary `limit` on one, since a limit is a test of its own (Bonferroni over all of
 * them). A `mode: hold` metric's fail only holds, and a report-only metric never decides: both
 * are shown at the same level but do not widen the others (a hold one still needs its pass).
 */
export function familySize(metrics: MetricSpec[]): number {
  const rollingBack = metrics.filter(m => m.mode === 'gate')
  return Math.max(1, rollingBack.length + rollingBack.filter(m => m.limit !== undefined).length)
}

/**
 * Confidence sequences are tightest around the sample size where decisions are expected
 * (Waudby-Smith et al. 2024 choose rho for such a t*): when the canary reaches the minimum sample
 * at this step's split, and the baseline has its share of the same traffic. In the sequences' own
 * time: clusters, so units when records carry one (minSamples counts units then).
 */
export function tStar(minSamples: number, canaryWeight: number): CompareContext['tStar'] {
  const share = Math.min(Math.max(canaryWeight / 100, 0.001), 0.999)
  const canary = Math.max(30, minSamples)
  const baseline = Math.max(30, Math.round((canary * (1 - share)) / share))
  return { baseline, canary, total: baseline + canary }
}

/**
 * Where a step's sequences should be tightest: the traffic expected by the middle of the step's
 * life on a log scale, sqrt(minDuration x maxDuration) (2.4 hours with the defaults: a good canary
 * promotes past minDuration and before maxDuration), projected from this look's window at its
 * rate. A mixture is tightest near its t* and widens slowly away from it (log(t / t*) / 2 in the
 * boundary's level); tuned at the minimum sample, as before, the width at 50 times that sample is
 * about 8% above the optimum. Requests grow with time; units (users) grow slower, as they return,
 * so they are projected by the square root of the time factor, between no growth and linear.
 *
 * That is the end a promotion reads. A rollback's end stays tuned at the minimum sample, where
 * the earliest rollbacks can be decided (a clear regression should be caught at once; in
 * requests for the quantiles, at the requests per unit seen when planned).
 *
 * Valid: the mixture depends on counts only, not on any value (arrivals are independent of the
 * metric values given the arm, which every sequence here assumes), and the rollout state keeps it
 * for the step's later looks, so all of them read one mixture (Ville's inequality over one
 * martingale). Undefined while an arm has no traffic: no verdict can be given then.
 */
export function plannedTStar(
  policy: Policy,
  arms: {
    baseline: { requests: number; units: number }
    canary: { requests: number; units: number }
  },
  windowMs: number
): StepTStar | undefined {
  const { baseline, canary } = arms
  if (!(windowMs > 0 && baseline.requests > 0 && canary.requests > 0)) return undefined
  const r = policy.rollout
  const horizon = Math.sqrt(r.minDuration * r.maxDuration) - r.warmup
  const factor = Math.max(1, horizon / windowMs)
  // Without units, the sequences count requests, which grow with time.
  const units = (arm: { requests: number; units: number }) =>
    Math.round(arm.units > 0 ? arm.units * Math.sqrt(factor) : arm.requests * factor)
  const perUnit = (arm: { requests: number; units: number }) =>
    arm.units > 0 ? arm.requests / arm.units : 1
  return {
    units: { baseline: units(baseline), canary: units(canary) },
    requests: {
      baseline: Math.round(baseline.requests * factor),
      canary: Math.round(canary.requests * factor)
    },
    requestsPerUnit: { baseline: perUnit(baseline), canary: perUnit(canary) }
  }
}

/** A t* in units counted in requests at the planned requests per unit. */
function inRequests(
  t: CompareContext['tStar'],
  perUnit: StepTStar['requestsPerUnit']
): CompareContext['tStar'] {
  const baseline = Math.round(t.baseline * Math.max(1, perUnit.baseline))
  const canary = Math.round(t.canary * Math.max(1, perUnit.canary))
  return { baseline, canary, total: baseline + canary }
}

/** Per arm the larger of the two, and their total. */
function atLeast(
  t: { baseline: number; canary: number },
  floor: CompareContext['tStar']
): CompareContext['tStar'] {
  const baseline = Math.max(t.baseline, floor.baseline)
  const canary = Math.max(t.canary, floor.canary)
  return { baseline, canary, total: baseline + canary }
}

/**
 * Every segment is compared at `familyAlpha` split over segments and gating metrics: with
 * `segments.gate: rollback` a share of the step's budget (a failing segment rolls back, so its
 * errors count against the rollout's budget), else a separate family at 1 - confidence (a segment
 * that can only hold never makes a wrong promotion or rollback).
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
  const segCtx = { ...ctx, alpha, passAlpha: alpha, project: false }
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

/**
 * How the window's traffic grows (analysis/projection.ts): per arm, requests per second over the
 * window, and units first seen per second over its last third (0 without units: then requests
 * are the clusters); and what is left of the step before maxDuration.
 */
function growthOf(policy: Policy, evidence: Evidence, stepElapsedMs?: number): Growth | undefined {
  const { from, to } = evidence.window
  const seconds = (to - from) / 1000
  if (!(seconds > 0)) return undefined
  const recentFrom = to - (to - from) / 3
  const arm = (a: Cell['arm']) => {
    const cells = evidence.cells.filter(c => c.arm === a && c.segment === TOTAL_SEGMENT)
    const requests = cells.reduce((n, c) => n + c.requests, 0)
    const recent = cells.filter(c => c.bucket + evidence.bucketMs / 2 >= recentFrom)
    const recentSeconds = Math.max(1, (to - Math.max(from, recentFrom)) / 1000)
    const newUnits = recent.reduce((n, c) => n + c.units, 0)
    return {
      requestsPerSecond: requests / seconds,
      units: evidence.unitLevel ? cells.reduce((n, c) => n + c.units, 0) : 0,
      newUnitsPerSecond: evidence.unitLevel ? newUnits / recentSeconds : 0
    }
  }
  const elapsed = stepElapsedMs ?? to - from
  return {
    seconds,
    baseline: arm('baseline'),
    canary: arm('canary'),
    remainingSeconds: Math.max(0, (policy.rollout.maxDuration - elapsed) / 1000)
  }
}

const EMPTY: MetricSketch = { moments: emptyMoments(), requests: 0 }
const metricAt = (list: MetricSketch[], i: number): MetricSketch => list[i] ?? EMPTY
