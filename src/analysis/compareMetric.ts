import type { MetricSpec, Tolerance } from '../policy/types.js'
import { HistogramQuantiles } from '../sketch/histogram.js'
import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch } from '../sketch/types.js'
import { mixtureRho } from '../stats/cs/mixture.js'
import { quantileCS, quantileDifferenceCS } from '../stats/cs/quantile.js'
import { ratioCS, ratioDifferenceCS } from '../stats/cs/ratio.js'
import { type DifferenceInterval, type QuantileSketchLike } from '../stats/cs/types.js'
import { samplesToDecide } from '../stats/projection.js'
import { designEffect } from './designEffect.js'
import { adjustedComparison, type AdjustedComparison } from './varianceReduction.js'
import type { PreExposureQuality } from '../sketch/evidence.js'
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
  /** What the source found before the rollout began (varianceReduction's lookback), if it read it. */
  preExposure?: PreExposureQuality
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
  context: CompareContext,
  /** The canary's value from a raw query, for the limit only (Evidence.limitValues). */
  limitValue?: number
): MetricResult {
  // A metric may need its own minimum sample (the judge's, which samples far fewer outputs).
  const ctx = spec.minSamples === undefined ? context : { ...context, minSamples: spec.minSamples }
  // Variance reduction (CUPED): the regression-adjusted sequence, for a metric that asks for it.
  const adjusted = adjustedComparison(spec, baseline, canary, ctx)
  const interval = differenceInterval(spec, baseline, canary, spec.tolerance, ctx, adjusted)
  const harm = toHarm(interval, spec.better)
  const failAt = spec.rollbackAt ?? spec.tolerance
  const failHarm =
    failAt.relative === spec.tolerance.relative
      ? harm
      : toHarm(differenceInterval(spec, baseline, canary, failAt, ctx, adjusted), spec.better)
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
    method: methodOf(spec, {
      relative: interval.relative,
      histogram: !!(baseline.histogram || canary.histogram),
      ...(adjusted?.result.used && { adjustedFor: adjusted.result.covariates })
    }),
    ...(adjusted && { varianceReduction: adjusted.result })
  }
  if (spec.limit !== undefined) {
    result.limit =
      limitValue === undefined
        ? limitResult(spec, spec.limit, canary, ctx)
        : queryLimit(spec, spec.limit, limitValue)
  }
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
  if (verdict === 'inconclusive' && enough && (baseline.histogram || canary.histogram)) {
    const resolution = bucketResolution(spec, baseline, canary, ctx)
    if (resolution) {
      // More traffic narrows the ranks, not the buckets: say what would settle it instead.
      result.reason = resolution
      result.needed = { samples: 0, seconds: 0 }
    }
  }
  return result
}

function differenceInterval(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  tolerance: Tolerance,
  ctx: CompareContext,
  adjusted?: AdjustedComparison
): DifferenceInterval {
  const relative = tolerance.relative
  const regressionAdjusted = adjusted?.interval(relative)
  if (regressionAdjusted) return regressionAdjusted
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

const sketchOf = (m: MetricSketch, interpolate = false): QuantileSketchLike => {
  if (m.histogram) {
    const h = new HistogramQuantiles(m.histogram)
    return interpolate ? h.interpolated() : h
  }
  return m.quantiles ? QuantileSketch.fromJSON(m.quantiles) : new QuantileSketch()
}

/**
 * A quantile read from histogram buckets is widened to the bucket edges. When the interval read
 * at interpolated values (what finer buckets would give) is decisive but the widened one is not,
 * the bucket resolution, not the amount of data, is what keeps the metric inconclusive: say so.
 */
function bucketResolution(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  ctx: CompareContext
): string | undefined {
  if (spec.kind !== 'quantile') return undefined
  const d = quantileDifferenceCS(
    sketchOf(b, true),
    sketchOf(c, true),
    spec.quantile ?? 0.5,
    ctx.alpha,
    { relative: spec.tolerance.relative, tStar: ctx.tStar }
  )
  const harm = toHarm(d, spec.better)
  const decisive = harm.upper < spec.tolerance.value || harm.lower > spec.tolerance.value
  return decisive
    ? 'bucket resolution, not data, keeps this inconclusive: the interval, widened to the histogram bucket edges, crosses the tolerance; finer buckets around this quantile would decide it'
    : undefined
}

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

/** A limit read from a raw query: one number, no interval, so beyond the limit only holds. */
function queryLimit(spec: MetricSpec, limit: number, value: number): LimitResult {
  const worse = spec.better === 'lower' ? value > limit : value < limit
  return { value: limit, lower: value, upper: value, breached: false, suspect: worse, query: true }
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

function methodOf(
  spec: MetricSpec,
  d: { relative: boolean; histogram: boolean; adjustedFor?: string[] }
): string {
  if (d.adjustedFor) {
    return `regression-adjusted (CUPED) asymptotic CS on ${d.adjustedFor.join(', ')} (Lindon, Ham, Tingley & Bojinov 2022), ${d.relative ? 'relative (Fieller)' : 'absolute'}`
  }
  const scale = d.relative ? 'relative (delta method)' : 'absolute'
  if (spec.kind === 'quantile' && d.histogram) {
    return `quantile-difference CS from each arm's quantile CS at alpha/2 (normal mixture on ranks, Howard & Ramdas 2022), read from histogram buckets and widened to the bucket edges, ${scale}`
  }
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
