import type { MetricSpec, Tolerance } from '../policy/types.js'
import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch } from '../sketch/types.js'
import {
  mixtureRho,
  quantileCS,
  quantileDifferenceCS,
  ratioCS,
  ratioDifferenceCS,
  type DifferenceInterval
} from '../stats/confidenceSequence.js'
import { samplesToDecide } from '../stats/projection.js'
import { designEffect } from './designEffect.js'
import type { LimitResult, MetricResult, Needed, Verdict } from './types.js'

export interface CompareContext {
  /** This metric's share of the family-wise error budget. */
  alpha: number
  /** Sample sizes (per arm, and both together) at which the confidence sequences are tightest. */
  tStar: { baseline: number; canary: number; total: number }
  /** Per arm, before any verdict. */
  minSamples: number
  /** Canary requests in the window, and per second, for turning samples into requests and time. */
  canaryRequests: number
  canaryRate: number
}

/** An interval on the "harm" scale: larger is worse, whichever way the metric is better. */
interface Harm {
  estimate: number
  lower: number
  upper: number
}

const toHarm = (d: DifferenceInterval, better: 'higher' | 'lower'): Harm =>
  better === 'lower'
    ? { estimate: d.estimate, lower: d.lower, upper: d.upper }
    : { estimate: -d.estimate, lower: -d.upper, upper: -d.lower }

/**
 * Compare one metric between the arms: a confidence sequence for the change, then the verdict of
 * DESIGN.md: pass when the whole interval is better than the tolerance, fail when it is wholly
 * beyond it (or beyond the stricter `rollbackAt`), else inconclusive with a projection.
 */
export function compareMetric(
  spec: MetricSpec,
  baseline: MetricSketch,
  canary: MetricSketch,
  ctx: CompareContext
): MetricResult {
  const interval = differenceInterval(spec, baseline, canary, spec.tolerance, ctx)
  const harm = toHarm(interval, spec.better)
  const failAt = spec.rollbackAt ?? spec.tolerance
  const failHarm =
    failAt.relative === spec.tolerance.relative
      ? harm
      : toHarm(differenceInterval(spec, baseline, canary, failAt, ctx), spec.better)
  const n = { baseline: baseline.requests, canary: canary.requests }
  const enough = n.baseline >= ctx.minSamples && n.canary >= ctx.minSamples

  let verdict: Verdict = 'inconclusive'
  if (enough && harm.upper < spec.tolerance.value) verdict = 'pass'
  else if (enough && failHarm.lower > failAt.value) verdict = 'fail'

  const sign = spec.better === 'lower' ? 1 : -1
  const result: MetricResult = {
    name: spec.name,
    from: spec.from,
    kind: spec.kind,
    ...(spec.quantile !== undefined && { quantile: spec.quantile }),
    better: spec.better,
    mode: spec.mode,
    verdict,
    baseline: finiteOrNull(interval.baseline),
    canary: finiteOrNull(interval.canary),
    delta: {
      estimate: interval.estimate,
      lower: interval.lower,
      upper: interval.upper,
      relative: interval.relative
    },
    tolerance: sign * spec.tolerance.value,
    ...(spec.rollbackAt && { rollbackAt: sign * spec.rollbackAt.value }),
    n,
    alpha: ctx.alpha,
    reason: '',
    method: methodOf(spec, interval)
  }
  if (spec.limit !== undefined) result.limit = limitResult(spec, spec.limit, canary, ctx)
  if (n.baseline >= ctx.minSamples) {
    const own = armInterval(spec, baseline, ctx, ctx.tStar.baseline)
    if (Number.isFinite(own.lower) && Number.isFinite(own.upper)) {
      result.baselineInterval = { lower: own.lower, upper: own.upper }
    }
  }
  if (verdict === 'inconclusive') {
    result.needed = needed(harm, interval.t, n, spec, failAt, ctx)
  }
  result.reason = reasonFor(result, enough, ctx.minSamples, harm.lower > spec.tolerance.value)
  return result
}

function differenceInterval(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  tolerance: Tolerance,
  ctx: CompareContext
): DifferenceInterval {
  const relative = tolerance.relative
  if (spec.kind === 'quantile') {
    return quantileDifferenceCS(sketchOf(b), sketchOf(c), spec.quantile ?? 0.5, ctx.alpha, {
      relative,
      tStar: ctx.tStar,
      designEffect: { baseline: designEffect(b), canary: designEffect(c) }
    })
  }
  return ratioDifferenceCS(b.moments, c.moments, ctx.alpha, {
    relative,
    tStar: ctx.tStar.total,
    bernoulliFloor: spec.kind === 'rate'
  })
}

const sketchOf = (m: MetricSketch): QuantileSketch =>
  m.quantiles ? QuantileSketch.fromJSON(m.quantiles) : new QuantileSketch()

/** An SLO on the canary alone: breached when its whole interval is on the wrong side. */
function limitResult(
  spec: MetricSpec,
  limit: number,
  canary: MetricSketch,
  ctx: CompareContext
): LimitResult {
  const ci = armInterval(spec, canary, ctx, ctx.tStar.canary)
  const worse = (v: number) => (spec.better === 'lower' ? v > limit : v < limit)
  const enough = canary.requests >= ctx.minSamples
  const breached = enough && worse(spec.better === 'lower' ? ci.lower : ci.upper)
  return {
    value: limit,
    lower: ci.lower,
    upper: ci.upper,
    breached,
    suspect: !breached && Number.isFinite(ci.estimate) && worse(ci.estimate)
  }
}

/** One arm's own confidence sequence for the metric (a limit, or the baseline's drift). */
function armInterval(
  spec: MetricSpec,
  arm: MetricSketch,
  ctx: CompareContext,
  tStar: number
): { estimate: number; lower: number; upper: number } {
  return spec.kind === 'quantile'
    ? quantileCS(sketchOf(arm), spec.quantile ?? 0.5, ctx.alpha, tStar, designEffect(arm))
    : ratioCS(arm.moments, ctx.alpha, { tStar, bernoulliFloor: spec.kind === 'rate' })
}

function needed(
  harm: Harm,
  t: number,
  n: { baseline: number; canary: number },
  spec: MetricSpec,
  failAt: Tolerance,
  ctx: CompareContext
): Needed {
  const belowMinimum = Math.max(0, ctx.minSamples - n.canary)
  const rho = mixtureRho(ctx.alpha, ctx.tStar.total)
  const k =
    t > 0 && n.canary > 0
      ? samplesToDecide(harm, t, ctx.alpha, rho, spec.tolerance.value, failAt.value)
      : Infinity
  const values = Number.isFinite(k)
    ? Math.max(belowMinimum, Math.ceil((k - 1) * n.canary))
    : belowMinimum > 0
      ? belowMinimum
      : null
  // Values are what the interval counts; people count requests. A score on a third of the
  // requests needs three requests per value.
  const perValue = n.canary > 0 ? Math.max(1, ctx.canaryRequests / n.canary) : 1
  const samples = values === null ? null : Math.ceil(values * perValue)
  const seconds =
    samples !== null && ctx.canaryRate > 0 ? Math.ceil(samples / ctx.canaryRate) : null
  return { samples, seconds }
}

function methodOf(spec: MetricSpec, d: DifferenceInterval): string {
  const scale = d.relative ? 'relative (delta method)' : 'absolute'
  if (spec.kind === 'quantile') {
    return `quantile-difference CS from each arm's quantile CS at alpha/2 (normal mixture on ranks, Howard & Ramdas 2022; widened by the per-user design effect), ${scale}`
  }
  const base =
    spec.kind === 'rate'
      ? 'asymptotic CS with Bernoulli variance floor'
      : spec.kind === 'ratio'
        ? 'asymptotic CS for a ratio of sums'
        : 'asymptotic CS for a mean'
  return `${base} (Waudby-Smith et al. 2024), ${scale}`
}

function reasonFor(
  r: MetricResult,
  enough: boolean,
  minSamples: number,
  beyondTolerance: boolean
): string {
  if (!enough) {
    return `needs ${minSamples} requests per arm (baseline ${r.n.baseline}, canary ${r.n.canary})`
  }
  if (r.delta.relative && r.baseline === 0) {
    return 'the baseline is 0, so a relative change is undefined; give this metric an absolute tolerance'
  }
  if (!Number.isFinite(r.delta.estimate)) return 'no usable values to compare'
  switch (r.verdict) {
    case 'pass':
      return 'the whole interval is within the tolerance'
    case 'fail':
      return r.rollbackAt !== undefined
        ? 'the whole interval is beyond the rollback threshold'
        : 'the whole interval is beyond the tolerance'
    default:
      return r.rollbackAt !== undefined && beyondTolerance
        ? 'the interval is beyond the tolerance but not wholly beyond the rollback threshold'
        : 'the interval still crosses the tolerance'
  }
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null)
