import { binaryMetric, metricRange, type ValueRange } from '../policy/bounds.js'
import type { MetricSpec, Tolerance } from '../policy/types.js'
import { HistogramQuantiles } from '../sketch/histogram.js'
import { QuantileSketch } from '../sketch/quantileSketch.js'
import type { MetricSketch } from '../sketch/types.js'
import { armSkewness, MAX_SKEWNESS, sharedSkewness } from '../stats/clt.js'
import {
  boundedContrastCS,
  boundedCS,
  boundedRatioCS,
  JointRegion,
  type BoundedArm
} from '../stats/cs/bernstein.js'
import {
  bettingContrastCS,
  bettingCS,
  bettingRatioCS,
  BettingRegion,
  binaryArm,
  type DiscreteArm
} from '../stats/cs/betting.js'
import { quantileCS, quantileDifferenceCS } from '../stats/cs/quantile.js'
import { ratioCS, ratioDifferenceCS } from '../stats/cs/ratio.js'
import {
  type DesignEffect,
  type DifferenceInterval,
  type QuantileSketchLike,
  type Side
} from '../stats/cs/types.js'
import { mixtureRho } from '../stats/cs/mixture.js'
import { normalQuantile } from '../stats/normal.js'
import { samplesToDecide } from '../stats/projection.js'
import { rankDesignEffect } from './designEffect.js'
import { projectNeeded, type ArmFactors, type Growth } from './projection.js'
import type { LimitResult, MetricResult, MetricWhy, Verdict } from './types.js'
import {
  adjustedComparison,
  NONASYMPTOTIC_SHARE,
  type AdjustedComparison
} from './varianceReduction.js'
import type { PreExposureQuality } from '../sketch/evidence.js'

export interface CompareContext {
  /**
   * This metric's share of the error budget for its fail side, and for everything else that
   * rolls back (the step's, split over the family).
   */
  alpha: number
  /**
   * The alpha of its pass side (default `alpha`): the sequence's whole pass alpha, since a
   * promotion needs every gating metric to pass (stats/alphaSpending.ts, the intersection-union
   * test).
   */
  passAlpha?: number
  /**
   * Sample sizes (per arm, and both together) at which the confidence sequences are tightest, in
   * the sequences' own time: clusters (units when records carry one), requests otherwise.
   */
  tStar: { baseline: number; canary: number; total: number }
  /**
   * The same in requests, for the quantiles' rank sequences, whose time is requests (over the
   * design effect); default `tStar`.
   */
  tStarRequests?: { baseline: number; canary: number; total: number }
  /**
   * t* of the fail side (a rollback), in the sequences' own time: where the earliest rollbacks
   * can be decided, the minimum sample (a clear regression should be caught at once); default
   * `tStar`. `tStar` and `tStarRequests` are then the pass side's.
   */
  failTStar?: { baseline: number; canary: number; total: number }
  /** The same in requests, for the quantiles; default `failTStar`. */
  failTStarRequests?: { baseline: number; canary: number; total: number }
  /** Per arm, before any verdict: units when records carry one, requests otherwise. */
  minSamples: number
  /** Canary requests in the window, and per second, for turning samples into requests and time. */
  canaryRequests: number
  canaryRate: number
  /** What the source found before the rollout began (varianceReduction's lookback), if it read it. */
  preExposure?: PreExposureQuality
  /**
   * Optional, by metric name: the design effect of data that carry no unit while the arms are
   * assigned per unit (analysis/aggregateDesignEffect.ts).
   */
  designEffects?: Record<string, AggregateDesignEffect>
  /** Optional: how the window's traffic grows, for projections (analysis/projection.ts). */
  growth?: Growth
  /**
   * false: no projection for inconclusive metrics (`needed`), where nobody reads it (segments,
   * the A/A halves, simulations of the intervals alone). Default true.
   */
  project?: boolean
  /**
   * 'both': the interval is read at both ends at once (the A/A halves' check), so it is the
   * two-sided sequence at `alpha`. Default: each end is one decision's (a promotion reads the
   * harm's upper end, a rollback its lower end), each from a one-sided sequence valid alone at
   * its own alpha, about as narrow as a two-sided one at twice the alpha.
   */
  ends?: 'both'
  /** Set by compareMetric: the one end the intervals of this context are for. */
  side?: Side
}

/**
 * The design effect of aggregated per-request data whose arms are assigned per unit
 * (analysis/aggregateDesignEffect.ts): per arm (>= 1) when the policy declares one (the larger of
 * it and what the time buckets show), or unknown, with what the buckets show as a floor.
 */
export type AggregateDesignEffect =
  | {
      baseline: number
      canary: number
      source: 'declared'
      /** Time buckets per arm the floor was measured over. */
      buckets: number
    }
  | { unknown: true; atLeast: number; buckets: number }

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

/** The fixed-time z for 95%, to express an interval's width as a standard error. */
const Z_95 = normalQuantile(0.975)

/**
 * Compare one metric between the arms: a confidence sequence for the change, then the verdict of
 * DESIGN.md: pass when the whole interval is better than the tolerance, fail when it is wholly
 * beyond it (or beyond the stricter `rollbackAt`), else inconclusive with a projection.
 *
 * Which sequence (methodOf): a quantile's rank CS (stats/cs/quantile.ts); a bounded metric's
 * nonasymptotic empirical-Bernstein CS (stats/cs/bernstein.ts); an unbounded mean's or ratio's
 * asymptotic CS (stats/cs/ratio.ts), trusted only from the minimum sample counted in units and
 * once the estimator's skewness is small (stats/clt.ts). Until an interval can be trusted it is
 * reported as unbounded, with the reason (`why`).
 */
export function compareMetric(
  spec: MetricSpec,
  baseline: MetricSketch,
  canary: MetricSketch,
  context: CompareContext,
  /** The canary's value from a raw query, for the limit only (Evidence.limitValues). */
  limitValue?: number
): MetricResult {
  // A metric may need its own minimum sample (the judge's, which samples far fewer outputs). Its
  // time is its own sample, not the traffic: its sequences keep the t* of the minimum sample.
  const ctx = spec.minSamples === undefined ? context : ownSample(context, spec.minSamples)
  // The pass side at its own alpha (a promotion needs every metric to pass: the step's whole
  // budget, stats/alphaSpending.ts), the fail side at the family's split; one interval when equal.
  // Each end from its own one-sided sequence (CompareContext.ends).
  const passCtx = passContext(ctx, spec.better)
  const failCtx = failContext(ctx, spec.better)
  // Variance reduction (CUPED): the regression-adjusted sequence, for a metric that asks for it.
  const adjusted = adjustedComparison(spec, baseline, canary, passCtx)
  const failAdjusted =
    passCtx === failCtx ? adjusted : adjustedComparison(spec, baseline, canary, failCtx)
  const evaluated = differenceInterval(spec, baseline, canary, spec.tolerance, passCtx, adjusted)
  const failAt = spec.rollbackAt ?? spec.tolerance
  const atFailLevel = (tolerance: Tolerance): DifferenceInterval =>
    passCtx === failCtx && tolerance.relative === spec.tolerance.relative
      ? evaluated.interval
      : differenceInterval(spec, baseline, canary, tolerance, failCtx, failAdjusted).interval
  // The interval shown is the one decided on: its pass side at the pass alpha, the other at the
  // fail alpha (on the tolerance's scale).
  const interval = decisionInterval(evaluated.interval, atFailLevel(spec.tolerance), spec.better)
  const harm = toHarm(interval, spec.better)
  const failHarm =
    failAt.relative === spec.tolerance.relative ? harm : toHarm(atFailLevel(failAt), spec.better)
  const n = { baseline: baseline.requests, canary: canary.requests }
  const units = { baseline: unitsOf(baseline), canary: unitsOf(canary) }
  const clustered = units.baseline < n.baseline || units.canary < n.canary
  // The reference arm of a one-sample comparison (the judge's pairwise win rate) needs no sample.
  const oneSample = spec.reference !== undefined
  const enough = (oneSample || units.baseline >= ctx.minSamples) && units.canary >= ctx.minSamples

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
    ...(clustered && { units }),
    alpha: ctx.alpha,
    ...(passCtx.alpha !== ctx.alpha && { passAlpha: passCtx.alpha }),
    reason: '',
    why: { code: 'inconclusive', beyondTolerance: false },
    method: evaluated.method,
    ...(evaluated.validity && { validity: evaluated.validity }),
    ...(adjusted && { varianceReduction: adjusted.result(evaluated.adjustment ?? 'used') })
  }
  if (spec.limit !== undefined) {
    result.limit =
      limitValue === undefined
        ? limitResult(spec, spec.limit, canary, failCtx)
        : queryLimit(spec, spec.limit, limitValue)
  }
  if (units.baseline >= ctx.minSamples && !oneSample) {
    const own = armInterval(spec, baseline, ctx, 'baseline')
    if (Number.isFinite(own.lower) && Number.isFinite(own.upper)) {
      result.baselineInterval = { lower: own.lower, upper: own.upper }
    }
  }
  result.why = whyOf(result, {
    enough,
    minSamples: ctx.minSamples,
    units: clustered,
    have: oneSample ? { ...units, baseline: ctx.minSamples } : units,
    blocked: evaluated.blocked,
    beyondTolerance: harm.lower > spec.tolerance.value
  })
  if (verdict === 'inconclusive' && enough && (baseline.histogram || canary.histogram)) {
    if (bucketResolution(spec, baseline, canary, ctx)) result.why = { code: 'bucket-resolution' }
  }
  if (verdict === 'inconclusive' && ctx.project !== false) {
    const now = { harm, t: interval.t }
    const vr = result.varianceReduction
    const adjustedView =
      vr?.used && vr.varianceReduction !== null
        ? {
            estimate: harm.estimate,
            failEstimate: failHarm.estimate,
            scale: Math.sqrt(Math.max(0, 1 - vr.varianceReduction))
          }
        : adjusted?.available
          ? ('held' as const)
          : undefined
    result.needed = projectNeeded({
      why: result.why,
      units,
      requests: n,
      canaryRate: ctx.canaryRate,
      canaryRequests: ctx.canaryRequests,
      ...(ctx.growth && { growth: ctx.growth }),
      decisiveAt: f => decisiveAt(spec, baseline, canary, ctx, failAt, now, f, adjustedView)
    })
  }
  result.reason = reasonText(result.why)
  return result
}

/**
 * A bounded mean's interval: its nonasymptotic sequence, and with variance reduction (adjusted
 * moments and a covariate to use: AdjustedComparison.available) that sequence at
 * NONASYMPTOTIC_SHARE of the alpha intersected with the regression-adjusted one at the rest
 * (analysis/varianceReduction.ts): each misses with at most its own alpha, so the intersection
 * with at most their sum. The adjusted one is used under an unbounded mean's guards (the skewness
 * of the adjusted estimator, else of the unadjusted one, defined and small; a constant sample has
 * none), else the nonasymptotic one decides alone. `projected`: 'held' projects a metric whose
 * adjustment is available but not in use (the nonasymptotic sequence alone, at its share).
 */
function boundedDifference(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  relative: boolean,
  range: ValueRange,
  ctx: CompareContext,
  validity: NonNullable<MetricResult['validity']>,
  inflation?: { baseline: number; canary: number },
  adjusted?: AdjustedComparison,
  projected?: 'held'
): Evaluated {
  const split = adjusted?.available === true || projected === 'held'
  const ownCtx = split ? { ...ctx, alpha: ctx.alpha * NONASYMPTOTIC_SHARE } : ctx
  const own = boundedInterval(spec, b, c, relative, range, ownCtx, inflation, ctx.side)
  const method = methodOf(spec, { relative, histogram: false, betting: own.betting === true })
  const atShare = split ? `, at ${NONASYMPTOTIC_SHARE} of the alpha` : ''
  const alone: Evaluated = { interval: own, method: method + atShare + endsOf(ctx), validity }
  if (!adjusted?.available) return alone
  const regressionAdjusted = adjusted.interval(relative)
  if (!regressionAdjusted) return alone
  const kappa = relative && own.estimate > -1 ? 1 + own.estimate : 1
  const skewness = adjusted.skewness(relative) ?? sharedSkewness(b.moments, c.moments, kappa)
  if (skewness === undefined || Math.abs(skewness) > MAX_SKEWNESS) {
    return { ...alone, adjustment: 'skewed' }
  }
  const both = intersection(own, regressionAdjusted)
  if (!both) return { ...alone, adjustment: 'disjoint' }
  const cuped = adjustedMethod(adjusted.result('used').covariates, true, relative)
  return {
    interval: both,
    method: `${method}${atShare}, intersected with the ${cuped} at the rest${endsOf(ctx)}`,
    validity: { ...validity, skewness, maxSkewness: MAX_SKEWNESS }
  }
}

/**
 * Two intervals for one change, both valid: where they agree, with the second's estimate (kept
 * inside); undefined when they do not overlap (one of them missed).
 */
function intersection(
  own: DifferenceInterval,
  other: DifferenceInterval
): DifferenceInterval | undefined {
  const lower = Math.max(own.lower, other.lower)
  const upper = Math.min(own.upper, other.upper)
  if (!(lower <= upper)) return undefined
  const centre = Number.isFinite(other.estimate) ? other.estimate : own.estimate
  const estimate = Math.min(upper, Math.max(lower, centre))
  return { ...other, estimate, lower, upper, se: seOf(estimate, lower, upper) }
}

/** Clusters of an arm: units when the moments are clustered by unit, else requests. */
function unitsOf(m: MetricSketch): number {
  return m.moments.n > 0 ? Math.min(m.moments.n, m.requests) : m.requests
}

/** The context of a metric with its own minimum sample: t* planned from traffic does not apply. */
function ownSample(ctx: CompareContext, minSamples: number): CompareContext {
  const { tStarRequests: _traffic, failTStarRequests: _failTraffic, ...rest } = ctx
  return { ...rest, minSamples, tStar: ctx.failTStar ?? ctx.tStar }
}

/** The method's words for an interval whose ends come from one-sided sequences. */
const endsOf = (ctx: CompareContext): string =>
  ctx.side ? '; each end one-sided, valid alone at its own alpha (one-sided mixtures)' : ''

/** The t* of a metric's sequences: in requests for a quantile's rank CS, else in units. */
function tStarOf(spec: MetricSpec, ctx: CompareContext): CompareContext['tStar'] {
  return spec.kind === 'quantile' ? (ctx.tStarRequests ?? ctx.tStar) : ctx.tStar
}

/** The end of canary - baseline that passes: the harm's upper end. */
const passSide = (better: 'higher' | 'lower'): Side => (better === 'lower' ? 'upper' : 'lower')

/**
 * The context of a metric's pass side: `passAlpha` as its alpha, and its end alone unless both
 * ends are read (the same object when nothing differs).
 */
function passContext(ctx: CompareContext, better: 'higher' | 'lower'): CompareContext {
  const alpha = ctx.passAlpha ?? ctx.alpha
  if (ctx.ends === 'both') return alpha === ctx.alpha ? ctx : { ...ctx, alpha }
  return { ...ctx, alpha, side: passSide(better) }
}

/** The context of a metric's fail side: its end alone unless both ends are read. */
function failContext(ctx: CompareContext, better: 'higher' | 'lower'): CompareContext {
  if (ctx.ends === 'both') return ctx
  const side: Side = passSide(better) === 'upper' ? 'lower' : 'upper'
  const t = ctx.failTStar
  if (!t) return { ...ctx, side }
  return { ...ctx, side, tStar: t, tStarRequests: ctx.failTStarRequests ?? t }
}

/**
 * The interval a verdict is decided on: the side that passes (the upper end on the harm scale)
 * from the pass-level interval, the side that fails from the fail-level one; its standard error
 * (a width's fixed-time equivalent for quantiles) from the two ends together.
 */
function decisionInterval(
  pass: DifferenceInterval,
  fail: DifferenceInterval,
  better: 'higher' | 'lower'
): DifferenceInterval {
  if (pass === fail) return pass
  const merged =
    better === 'lower' ? { ...pass, lower: fail.lower } : { ...pass, upper: fail.upper }
  if (Number.isFinite(pass.se) || !Number.isFinite(fail.se)) return merged
  const width = merged.upper - merged.lower
  return { ...merged, se: Number.isFinite(width) ? width / (2 * Z_95) : fail.se }
}

interface Evaluated {
  interval: DifferenceInterval
  method: string
  /** Set when the interval cannot be trusted yet; the interval is then unbounded. */
  blocked?: MetricWhy
  validity?: MetricResult['validity']
  /**
   * For a metric with variance reduction, where its adjusted sequence was not used, why: the
   * metric's interval is held ('held'); a bounded mean's adjusted estimator is too skewed yet
   * ('skewed') or its interval disagrees with the nonasymptotic one ('disjoint'), which then
   * decides alone.
   */
  adjustment?: 'held' | 'skewed' | 'disjoint'
}

function differenceInterval(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  tolerance: Tolerance,
  ctx: CompareContext,
  adjusted?: AdjustedComparison,
  /**
   * A projection (decisiveAt) of a metric with variance reduction: 'adjusted' when its adjusted
   * sequence is in use (a bounded mean's asymptotic sequence stands for it), 'held' when it is
   * available but not in use (a bounded mean's nonasymptotic sequence at its share).
   */
  projected?: 'adjusted' | 'held'
): Evaluated {
  const relative = tolerance.relative
  const aggregate = ctx.designEffects?.[spec.name]
  if (spec.kind === 'quantile') {
    const base = quantileArm(b)
    const can = quantileArm(c)
    const deff =
      aggregate && !('unknown' in aggregate)
        ? { baseline: aggregate.baseline, canary: aggregate.canary }
        : { baseline: base.designEffect, canary: can.designEffect }
    return {
      interval: quantileDifferenceCS(base.sketch, can.sketch, spec.quantile ?? 0.5, ctx.alpha, {
        relative,
        tStar: tStarOf(spec, ctx),
        designEffect: deff,
        ...(ctx.side && { side: ctx.side })
      }),
      method: methodOf(spec, { relative, histogram: !!(b.histogram || c.histogram) }) + endsOf(ctx)
    }
  }
  if (aggregate && 'unknown' in aggregate) {
    return {
      interval: unbounded(relative, b, c),
      method: methodOf(spec, { relative, histogram: !!(b.histogram || c.histogram) }),
      blocked: { code: 'design-effect-unknown', atLeast: aggregate.atLeast }
    }
  }
  const inflation = aggregate
    ? { baseline: aggregate.baseline, canary: aggregate.canary }
    : undefined
  const validity: NonNullable<MetricResult['validity']> = {}
  if (inflation) validity.designEffect = { ...inflation, source: aggregate!.source }
  const range = projected === 'adjusted' ? undefined : sketchRange(metricRange(spec), b, c)
  if (range) {
    const held = projected === 'held' ? projected : undefined
    return boundedDifference(spec, b, c, relative, range, ctx, validity, inflation, adjusted, held)
  }
  const interval = ratioDifferenceCS(b.moments, c.moments, ctx.alpha, {
    relative,
    tStar: ctx.tStar.total,
    ...(inflation && { designEffect: inflation }),
    sharedSpread: true,
    ...(ctx.side && { side: ctx.side })
  })
  const kappa = relative && interval.estimate > -1 ? 1 + interval.estimate : 1
  // Variance reduction: the regression-adjusted sequence replaces the unadjusted one, under the
  // same guards, with the skewness rule applied to the adjusted estimator (its per-unit residual
  // is what the normal approximation is about; without third moments, the unadjusted one's).
  const regressionAdjusted = adjusted?.interval(relative)
  const plainSkewness = sharedSkewness(b.moments, c.moments, kappa)
  const skewness = regressionAdjusted
    ? (adjusted!.skewness(relative) ?? plainSkewness)
    : plainSkewness
  const method = methodOf(spec, {
    relative,
    histogram: false,
    skewness: skewness !== undefined,
    ...(regressionAdjusted && { adjustedFor: adjusted!.result('used').covariates })
  })
  if (skewness !== undefined) {
    validity.skewness = skewness
    validity.maxSkewness = MAX_SKEWNESS
    if (Math.abs(skewness) > MAX_SKEWNESS) {
      return {
        interval: { ...interval, lower: -Infinity, upper: Infinity },
        method,
        validity,
        blocked: { code: 'too-skewed', skewness, maxSkewness: MAX_SKEWNESS },
        ...(adjusted && { adjustment: 'held' as const })
      }
    }
  }
  const described = method + endsOf(ctx)
  if (regressionAdjusted) return { interval: regressionAdjusted, method: described, validity }
  return { interval, method: described, validity }
}

function unbounded(relative: boolean, b: MetricSketch, c: MetricSketch): DifferenceInterval {
  const rb = b.moments.sy > 0 ? b.moments.sx / b.moments.sy : NaN
  const rc = c.moments.sy > 0 ? c.moments.sx / c.moments.sy : NaN
  return {
    estimate: relative ? rc / rb - 1 : rc - rb,
    lower: -Infinity,
    upper: Infinity,
    baseline: rb,
    canary: rc,
    se: Infinity,
    t: b.moments.n + c.moments.n,
    relative
  }
}

/**
 * A bounded metric's range widened to the bounds its sketches carry: the judge's length-adjusted
 * scores (judge/lengthControl.ts) can lie outside [0, 1], within bounds the judge computes.
 */
function sketchRange(
  range: ValueRange | undefined,
  ...arms: MetricSketch[]
): ValueRange | undefined {
  if (!range) return undefined
  let { lo, hi } = range
  for (const arm of arms) {
    if (!arm.bounds) continue
    lo = Math.min(lo, arm.bounds.lower)
    hi = Math.max(hi, arm.bounds.upper)
  }
  return { lo, hi }
}

/**
 * The bounded arm of a sketch: requests, the sum, the per-request sum of squares, and the design
 * effect of clustering: the cluster residual sum of squares over the per-request one, at least 1
 * (the variance a clustered mean really has, over what independent requests would give). Without
 * the per-request sum of squares of clustered moments, its upper bound for values in [lo, hi]:
 * x^2 <= (lo + hi) x - lo hi.
 */
function boundedArm(m: MetricSketch, range: ValueRange, inflation = 1): BoundedArm {
  const mo = m.moments
  const n = Math.max(m.requests, mo.sy)
  const perRequest = mo.n === n && mo.syy === mo.sy
  const bound = (range.lo + range.hi) * mo.sx - n * range.lo * range.hi
  const squares = m.requestSquares ?? (perRequest ? mo.sxx : bound)
  let deff = Math.max(1, inflation)
  if (!perRequest && mo.n >= 2 && mo.sy > 0) {
    const r = mo.sx / mo.sy
    const clusterSS = Math.max(0, mo.sxx - 2 * r * mo.sxy + r * r * mo.syy)
    const requestSS = Math.max(0, squares - (mo.sx * mo.sx) / n)
    if (requestSS > 0) deff = Math.max(deff, clusterSS / requestSS)
    else if (clusterSS > 0) deff = Infinity
  }
  return { n, sum: mo.sx, squares, designEffect: Number.isFinite(deff) ? deff : 1e12 }
}

/**
 * The arm as counts per value, when its sketch determines them: the judge's value counts
 * (MetricSketch.levels, when they add up to its requests), or a 0/1 metric's requests and sum.
 * With the bounded arm's design effect (stats/cs/betting.ts divides the counts by it).
 */
function discreteArm(spec: MetricSpec, m: MetricSketch, arm: BoundedArm): DiscreteArm | undefined {
  const levels = m.levels
  if (levels) {
    const total = levels.counts.reduce((a, b) => a + b, 0)
    if (Math.abs(total - m.requests) <= 1e-9 * Math.max(1, m.requests)) {
      return { values: levels.values, counts: levels.counts, designEffect: arm.designEffect }
    }
  }
  if (binaryMetric(spec) && !m.bounds) return binaryArm(arm.n, arm.sum, arm.designEffect)
  return undefined
}

/**
 * A bounded metric's interval (stats/cs/bernstein.ts, or stats/cs/betting.ts when both arms'
 * values are counts per level: a 0/1 metric, the judge's scores): the joint region of both arms projected on
 * the change, absolute or (Fieller) relative; or, for a fixed reference (the judge's pairwise win
 * rate against 0.5), the canary's own CS minus the reference. With `side` (on the returned
 * interval's scale: canary - baseline, canary / baseline - 1, or canary - reference), only that
 * bound, valid alone at ctx.alpha; the other is infinite.
 */
export function boundedInterval(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  relative: boolean,
  range: ValueRange,
  ctx: CompareContext,
  inflation?: { baseline: number; canary: number },
  side?: Side
): DifferenceInterval & { betting?: true } {
  const canary = boundedArm(c, range, inflation?.canary)
  const discrete = discreteArm(spec, c, canary)
  if (spec.reference !== undefined) {
    const tuning = { tStar: ctx.tStar.canary }
    const cs = discrete
      ? bettingCS(discrete, range, ctx.alpha, tuning, side)
      : boundedCS(canary, range, ctx.alpha, tuning, side)
    const ref = spec.reference
    const lower = relative ? cs.lower / ref - 1 : cs.lower - ref
    const upper = relative ? cs.upper / ref - 1 : cs.upper - ref
    const estimate = relative ? cs.estimate / ref - 1 : cs.estimate - ref
    return {
      estimate,
      ...(canary.n > 0 ? { lower, upper } : { lower: -Infinity, upper: Infinity }),
      baseline: ref,
      canary: cs.estimate,
      se: canary.n > 0 ? seOf(estimate, lower, upper) : Infinity,
      t: canary.n,
      relative,
      ...(discrete && { betting: true as const })
    }
  }
  const baseline = boundedArm(b, range, inflation?.baseline)
  const bDiscrete = discreteArm(spec, b, baseline)
  const tuning = { baseline: { tStar: ctx.tStar.baseline }, canary: { tStar: ctx.tStar.canary } }
  // The Fieller ratio by betting needs nonnegative values (a rate's, a score's).
  const betting = !!(discrete && bDiscrete && (!relative || range.lo >= 0))
  let d: { estimate: number; lower: number; upper: number }
  if (betting) {
    const bet = new BettingRegion(bDiscrete!, discrete!, range, ctx.alpha, tuning, side)
    d = relative ? bettingRatioCS(bet) : bettingContrastCS(bet, 1)
  } else {
    const region = new JointRegion(baseline, canary, range, ctx.alpha, tuning, side)
    d = relative ? boundedRatioCS(region) : boundedContrastCS(region, 1)
  }
  return {
    ...d,
    baseline: baseline.n > 0 ? baseline.sum / baseline.n : NaN,
    canary: canary.n > 0 ? canary.sum / canary.n : NaN,
    se: seOf(d.estimate, d.lower, d.upper),
    t: baseline.n + canary.n,
    relative,
    ...(betting && { betting: true as const })
  }
}

/**
 * An interval's width as a standard error (at 95%): its half-width, or, for a one-sided interval,
 * its finite side's distance from the estimate.
 */
function seOf(estimate: number, lower: number, upper: number): number {
  if (Number.isFinite(lower) && Number.isFinite(upper)) return (upper - lower) / (2 * Z_95)
  const d = Number.isFinite(lower) ? estimate - lower : upper - estimate
  return Number.isFinite(d) ? Math.max(0, d) / Z_95 : Infinity
}

/**
 * The arm's sketch grown by `f`: clusters times f.units, requests times f.requests, at the same
 * estimate and per-request spread. More requests from the same users make each unit's sum larger
 * and its requests more of the unit's own level: Kish's design effect D = 1 + (m - 1) ICC
 * (Survey Sampling, 1965, Section 5.4) grows with m, the units' request count weighted by requests
 * (syy / sy), by p = f.requests / f.units, with the intra-unit correlation ICC = (D - 1) / (m - 1)
 * read from the sketch now (D the cluster residual sum of squares over the per-request one). The
 * grown moments carry the residual sum of squares D' times the grown per-request one; their
 * other sums scale with the cluster sizes. Per-request sketches grow by f.requests throughout.
 */
function grown(m: MetricSketch, f: { units: number; requests: number }): MetricSketch {
  const mo = m.moments
  const scaleAll = (k: number): MetricSketch => {
    const out: MetricSketch = {
      moments: {
        n: mo.n * k,
        sx: mo.sx * k,
        sy: mo.sy * k,
        sxx: mo.sxx * k,
        syy: mo.syy * k,
        sxy: mo.sxy * k,
        ...(mo.sxxx !== undefined && {
          sxxx: mo.sxxx * k,
          sxxy: (mo.sxxy ?? 0) * k,
          sxyy: (mo.sxyy ?? 0) * k,
          syyy: (mo.syyy ?? 0) * k
        })
      },
      requests: m.requests * k
    }
    if (m.requestSquares !== undefined) out.requestSquares = m.requestSquares * k
    if (m.levels) out.levels = scaledLevels(m, k)
    return out
  }
  if (mo.n >= m.requests || !(mo.sy > 0) || !(mo.n >= 2)) return scaleAll(f.requests)
  const p = Math.max(1, f.requests / f.units)
  const r = mo.sx / mo.sy
  const clusterSS = Math.max(0, mo.sxx - 2 * r * mo.sxy + r * r * mo.syy)
  const n = Math.max(m.requests, mo.sy)
  const requestSS =
    m.requestSquares !== undefined ? Math.max(0, m.requestSquares - (mo.sx * mo.sx) / n) : NaN
  const weighted = mo.syy / mo.sy
  // Without the per-request sum of squares, each unit's variance grows with its size squared.
  const icc =
    requestSS > 0 && weighted > 1
      ? Math.min(1, Math.max(0, (clusterSS / requestSS - 1) / (weighted - 1)))
      : 1
  const designEffect = (size: number) => 1 + (size - 1) * icc
  const grownSS =
    requestSS > 0
      ? designEffect(weighted * p) * requestSS * f.requests
      : clusterSS * f.units * p * p
  const k2 = f.units * p * p
  const k3 = k2 * p
  const sxy = mo.sxy * k2
  const syy = mo.syy * k2
  const out: MetricSketch = {
    moments: {
      n: mo.n * f.units,
      sx: mo.sx * f.requests,
      sy: mo.sy * f.requests,
      sxx: grownSS + 2 * r * sxy - r * r * syy,
      syy,
      sxy,
      ...(mo.sxxx !== undefined && {
        sxxx: mo.sxxx * k3,
        sxxy: (mo.sxxy ?? 0) * k3,
        sxyy: (mo.sxyy ?? 0) * k3,
        syyy: (mo.syyy ?? 0) * k3
      })
    },
    requests: m.requests * f.requests
  }
  if (m.requestSquares !== undefined) out.requestSquares = m.requestSquares * f.requests
  if (m.levels) out.levels = scaledLevels(m, f.requests)
  return out
}

/** The value counts of a grown sketch: each count times the growth of the requests. */
function scaledLevels(m: MetricSketch, k: number): NonNullable<MetricSketch['levels']> {
  return { values: m.levels!.values, counts: m.levels!.counts.map(c => c * k) }
}

/**
 * Whether the metric would be decisive (pass or fail, on enough units) after each arm grew by its
 * factors, at the same estimates. Quantiles keep no moments to grow: their interval's half-widths
 * shrink as the rank boundary does with the canary's requests (stats/projection.ts).
 */
function decisiveAt(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  ctx: CompareContext,
  failAt: Tolerance,
  now: { harm: Harm; t: number },
  f: ArmFactors,
  /** The adjusted sequence in use, or 'held': available but not in use (see differenceInterval). */
  adjusted?: { estimate: number; failEstimate: number; scale: number } | 'held'
): boolean {
  const enough =
    (spec.reference !== undefined || unitsOf(b) * f.baseline.units >= ctx.minSamples) &&
    unitsOf(c) * f.canary.units >= ctx.minSamples
  if (!enough) return false
  if (spec.kind === 'quantile') {
    const k = f.canary.requests
    return (
      samplesToDecide(
        now.harm,
        now.t,
        ctx.alpha,
        mixtureRho(ctx.alpha, tStarOf(spec, ctx).total),
        spec.tolerance.value,
        failAt.value
      ) <= k
    )
  }
  const gb = grown(b, f.baseline)
  const gc = grown(c, f.canary)
  // With variance reduction in use, the grown unadjusted interval is moved to the adjusted
  // estimate and narrowed by the reduction seen now (sqrt(1 - reduction): the two sequences share
  // their boundary, ../stats/cs/regressionAdjusted.ts), its guards (skewness) still applying. A
  // bounded mean's is then its asymptotic sequence (the adjusted one decides once trusted); held,
  // its nonasymptotic one at its share.
  const inUse = adjusted === 'held' ? undefined : adjusted
  const projected = adjusted === 'held' ? adjusted : inUse && ('adjusted' as const)
  const view = (h: Harm, estimate: number | undefined): Harm =>
    inUse && estimate !== undefined && Number.isFinite(h.estimate)
      ? {
          estimate,
          lower: Number.isFinite(h.lower)
            ? estimate - (h.estimate - h.lower) * inUse.scale
            : h.lower,
          upper: Number.isFinite(h.upper)
            ? estimate + (h.upper - h.estimate) * inUse.scale
            : h.upper
        }
      : h
  const passCtx = passContext(ctx, spec.better)
  const failCtx = failContext(ctx, spec.better)
  const harm = view(
    toHarm(
      differenceInterval(spec, gb, gc, spec.tolerance, passCtx, undefined, projected).interval,
      spec.better
    ),
    inUse?.estimate
  )
  if (harm.upper < spec.tolerance.value) return true
  const sameScale = failAt.relative === spec.tolerance.relative
  // A fail needs the whole interval beyond failAt, so at least the estimate.
  if (sameScale && !(harm.estimate > failAt.value)) return false
  const fail =
    sameScale && passCtx === failCtx
      ? harm
      : view(
          toHarm(
            differenceInterval(spec, gb, gc, failAt, failCtx, undefined, projected).interval,
            spec.better
          ),
          inUse?.failEstimate
        )
  return fail.lower > failAt.value
}

const sketchOf = (m: MetricSketch, interpolate = false): QuantileSketchLike => {
  if (m.histogram) {
    const h = new HistogramQuantiles(m.histogram)
    return interpolate ? h.interpolated() : h
  }
  return m.quantiles ? QuantileSketch.fromJSON(m.quantiles) : new QuantileSketch()
}

/**
 * One arm of a quantile comparison: its sketch, and the design effect of clustering on its rank
 * counts from its per-unit rank sums (designEffect.ts; 1 for a histogram or unclustered data).
 */
function quantileArm(m: MetricSketch): { sketch: QuantileSketchLike; designEffect: DesignEffect } {
  if (m.histogram || !m.quantiles) return { sketch: sketchOf(m), designEffect: 1 }
  const sketch = QuantileSketch.fromJSON(m.quantiles)
  return { sketch, designEffect: rankDesignEffect(m, sketch) }
}

/**
 * A quantile read from histogram buckets is widened to the bucket edges (the order statistic is
 * only known to lie in its bucket), so the buckets, not the amount of data, can be what keeps a
 * metric inconclusive. Two ways, said in the reason:
 * - the floor: with unlimited traffic the interval shrinks to the buckets holding each arm's
 *   quantile, [c_low - b_high, c_high - b_low] (relative: c_low / b_high - 1 .. c_high / b_low - 1).
 *   When that floor still crosses the tolerance, no amount of traffic can decide the metric.
 * - the interval read at interpolated values (what finer buckets would give) is decisive while
 *   the one widened to the edges is not.
 */
function bucketResolution(
  spec: MetricSpec,
  b: MetricSketch,
  c: MetricSketch,
  ctx: CompareContext
): boolean {
  if (spec.kind !== 'quantile') return false
  const q = spec.quantile ?? 0.5
  const tolerance = spec.tolerance
  const decisive = (d: DifferenceInterval) => {
    const harm = toHarm(d, spec.better)
    return harm.upper < tolerance.value || harm.lower > tolerance.value
  }
  const at = (s: QuantileSketchLike) => s.rangeAtRank?.(Math.max(1, Math.ceil(s.count * q)))
  const bBucket = at(sketchOf(b))
  const cBucket = at(sketchOf(c))
  if (bBucket && cBucket && !decisive(quantileFloor(bBucket, cBucket, tolerance.relative))) {
    return true
  }
  const d = quantileDifferenceCS(sketchOf(b, true), sketchOf(c, true), q, ctx.alpha, {
    relative: tolerance.relative,
    tStar: tStarOf(spec, ctx)
  })
  return decisive(d)
}

/** The interval a quantile difference tends to with unlimited traffic: the quantiles' buckets. */
function quantileFloor(
  b: { low: number; high: number },
  c: { low: number; high: number },
  relative: boolean
): DifferenceInterval {
  const bounds = relative
    ? b.low > 0
      ? { lower: c.low / b.high - 1, upper: c.high / b.low - 1 }
      : { lower: -Infinity, upper: Infinity }
    : { lower: c.low - b.high, upper: c.high - b.low }
  return { estimate: NaN, ...bounds, baseline: NaN, canary: NaN, se: Infinity, t: 0, relative }
}

/** An SLO on the canary alone: breached when its whole interval is on the wrong side. */
function limitResult(
  spec: MetricSpec,
  limit: number,
  canary: MetricSketch,
  ctx: CompareContext
): LimitResult {
  // A breach reads one bound only (ctx.side, the fail side's: the canary's lower bound when lower
  // is better), one-sided at alpha for a bounded metric. The other bound, only shown, is the
  // two-sided sequence's.
  const one = armInterval(spec, canary, ctx, 'canary')
  const both =
    Number.isFinite(one.lower) && Number.isFinite(one.upper)
      ? one
      : armInterval(spec, canary, { ...ctx, side: undefined }, 'canary')
  const ci = spec.better === 'lower' ? { ...both, lower: one.lower } : { ...both, upper: one.upper }
  const worse = (v: number) => (spec.better === 'lower' ? v > limit : v < limit)
  const enough = unitsOf(canary) >= ctx.minSamples
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

/**
 * One arm's own confidence sequence for the metric (a limit, or the baseline's drift): the
 * quantile CS, the bounded CS, or the asymptotic CS once its skewness allows (else unbounded).
 * `side`: only that bound is needed (a limit's breach); the bounded CS then computes it alone,
 * valid at ctx.alpha, and the other bound is infinite. The other sequences stay two-sided.
 */
function armInterval(
  spec: MetricSpec,
  arm: MetricSketch,
  ctx: CompareContext,
  which: 'baseline' | 'canary'
): { estimate: number; lower: number; upper: number } {
  const tStar = tStarOf(spec, ctx)[which]
  if (spec.kind === 'quantile') {
    const q = quantileArm(arm)
    return quantileCS(q.sketch, spec.quantile ?? 0.5, ctx.alpha, tStar, q.designEffect)
  }
  const range = sketchRange(metricRange(spec), arm)
  if (range) {
    const bounded = boundedArm(arm, range)
    const discrete = discreteArm(spec, arm, bounded)
    return discrete
      ? bettingCS(discrete, range, ctx.alpha, { tStar }, ctx.side)
      : boundedCS(bounded, range, ctx.alpha, { tStar }, ctx.side)
  }
  const ci = ratioCS(arm.moments, ctx.alpha, { tStar })
  const skew = armSkewness(arm.moments)
  return skew !== undefined && Math.abs(skew) > MAX_SKEWNESS
    ? { estimate: ci.estimate, lower: -Infinity, upper: Infinity }
    : ci
}

/** The regression-adjusted sequence's words, for the decision record. */
function adjustedMethod(covariates: string[], skewness: boolean, relative: boolean): string {
  const names = [...new Set(covariates.map(c => c.split('=')[0]))].join(', ')
  const trusted = skewness
    ? 'trusted from the minimum sample in units and an adjusted estimator skewness below 0.2 (Cochran 1977)'
    : 'trusted from the minimum sample in units (skewness not assessed: the source gives no third moments)'
  return `regression-adjusted (CUPED) asymptotic CS on ${names}, clustered by unit (Lindon, Ham, Tingley & Bojinov 2022; Deng et al. 2013), ${trusted}, ${relative ? 'relative (Fieller)' : 'absolute'}`
}

/** Which confidence sequence, with its reference, for the decision record. */
function methodOf(
  spec: MetricSpec,
  d: {
    relative: boolean
    histogram: boolean
    skewness?: boolean
    adjustedFor?: string[]
    betting?: boolean
  }
): string {
  if (spec.kind === 'quantile') {
    const scale = d.relative ? 'relative (c / b - 1 over the joint region)' : 'absolute'
    const read = d.histogram
      ? 'read from histogram buckets and widened to the bucket edges'
      : 'read to the sketch bucket edges, counts divided by the per-user design effect of the rank'
    return `quantile-difference CS: the joint region of both arms' beta-binomial mixtures on ranks (Howard & Ramdas 2022), ${read}, ${scale}`
  }
  const scale = d.relative
    ? 'relative (Fieller: the linear contrast canary - (1 + r) baseline, inverted)'
    : 'absolute'
  if (d.betting) {
    const against =
      spec.reference !== undefined
        ? `the canary's mean against the fixed reference ${spec.reference}`
        : "both arms' capitals joined"
    return `nonasymptotic betting CS from the counts of each value (grid-Kelly capital, Waudby-Smith & Ramdas 2024), ${against}, ${scale}`
  }
  if (spec.reference !== undefined) {
    return `nonasymptotic empirical-Bernstein CS of the canary's mean against the fixed reference ${spec.reference} (Howard et al. 2021; Waudby-Smith & Ramdas 2024), ${scale}`
  }
  const range = metricRange(spec)
  if (range) {
    return `nonasymptotic empirical-Bernstein CS for a mean in [${range.lo}, ${range.hi}], both arms' supermartingales joined (Howard et al. 2021; Waudby-Smith & Ramdas 2024; Fan, Grama & Liu 2015), ${scale}`
  }
  if (d.adjustedFor) return adjustedMethod(d.adjustedFor, d.skewness === true, d.relative)
  const base =
    spec.kind === 'ratio' ? 'asymptotic CS for a ratio of sums' : 'asymptotic CS for a mean'
  const spread = "each arm's variance at least the other's relative spread"
  const trusted = d.skewness
    ? `, ${spread}, trusted from the minimum sample in units and an estimator skewness below 0.2 (Cochran 1977)`
    : `, ${spread}, trusted from the minimum sample in units (skewness not assessed: the source gives no third moments)`
  return `${base} (Waudby-Smith et al. 2024)${trusted}, ${scale}`
}

/** The verdict's reason as a fact (report/ words it). */
function whyOf(
  r: MetricResult,
  o: {
    enough: boolean
    minSamples: number
    units: boolean
    have: { baseline: number; canary: number }
    blocked?: MetricWhy
    beyondTolerance: boolean
  }
): MetricWhy {
  if (!o.enough) {
    return {
      code: 'below-minimum',
      unit: o.units ? 'units' : 'requests',
      minimum: o.minSamples,
      baseline: o.have.baseline,
      canary: o.have.canary
    }
  }
  if (o.blocked) return o.blocked
  if (r.delta.relative && r.baseline === 0) return { code: 'relative-undefined' }
  if (!Number.isFinite(r.delta.estimate)) return { code: 'no-values' }
  switch (r.verdict) {
    case 'pass':
      return { code: 'pass' }
    case 'fail':
      return { code: 'fail', beyond: r.rollbackAt !== undefined ? 'rollbackAt' : 'tolerance' }
    default:
      return {
        code: 'inconclusive',
        beyondTolerance: r.rollbackAt !== undefined && o.beyondTolerance
      }
  }
}

/**
 * The one-line reason of a metric's verdict (MetricResult.reason), from its fact. Kept in the
 * result for the decision's own sentences and for the checks that quote it (repriced cost, the
 * segment mix, the judge).
 */
export function reasonText(why: MetricWhy): string {
  switch (why.code) {
    case 'below-minimum':
      return why.unit === 'units'
        ? `too few users for a valid interval: needs ${why.minimum} units per arm (baseline ${why.baseline}, canary ${why.canary})`
        : `needs ${why.minimum} requests per arm (baseline ${why.baseline}, canary ${why.canary})`
    case 'too-skewed':
      return `too skewed for a valid interval yet: the estimate's skewness is ${why.skewness.toFixed(3)}, above ${why.maxSkewness.toFixed(3)} (a heavy tail needs more data before the interval can be trusted)`
    case 'design-effect-unknown':
      return `the source sums requests without users while the arms are assigned per user, so how much a user's requests hang together is unknown (the time buckets show a design effect of at least ${why.atLeast.toFixed(1)}); declare arms.designEffect, or arms.assignment: request if each request is assigned on its own`
    case 'relative-undefined':
      return 'the baseline is 0, so a relative change is undefined; give this metric an absolute tolerance'
    case 'no-values':
      return 'no usable values to compare'
    case 'bucket-resolution':
      return 'bucket resolution, not data, keeps this inconclusive: the interval, widened to the histogram bucket edges, crosses the tolerance; finer buckets around this quantile would decide it'
    case 'pass':
      return 'the whole interval is within the tolerance'
    case 'fail':
      return why.beyond === 'rollbackAt'
        ? 'the whole interval is beyond the rollback threshold'
        : 'the whole interval is beyond the tolerance'
    case 'inconclusive':
      return why.beyondTolerance
        ? 'the interval is beyond the tolerance but not wholly beyond the rollback threshold'
        : 'the interval still crosses the tolerance'
  }
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null)
