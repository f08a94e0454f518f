import { metricRange } from '../policy/bounds.js'
import type { MetricSpec } from '../policy/types.js'
import type { PreExposureQuality } from '../sketch/evidence.js'
import type { MetricSketch } from '../sketch/types.js'
import {
  PRE_EXPOSURE,
  regressionAdjustedCS,
  type RegressionAdjustment
} from '../stats/cs/regressionAdjusted.js'
import type { DifferenceInterval, Side } from '../stats/cs/types.js'
import type { CovariateLeftOut, VarianceReductionResult } from './types.js'

/**
 * A metric's regression adjustment: the interval on either scale, and what the record says once
 * the comparison knows whether it used it.
 */
export interface AdjustedComparison {
  /** The adjusted sequence for a relative or absolute tolerance; undefined: use the unadjusted one. */
  interval(relative: boolean): DifferenceInterval | undefined
  /** The skewness bound of the adjusted estimator on that scale (undefined: not assessed). */
  skewness(relative: boolean): number | undefined
  /**
   * The record's entry. `applied`: 'used' when the comparison decided on the adjusted sequence,
   * 'held' when its interval is not trusted yet (the adjusted one waits with it); for a bounded
   * mean, whose nonasymptotic sequence then decides alone, 'skewed' when the adjusted estimator
   * is too skewed yet, 'disjoint' when the two intervals do not overlap.
   */
  result(applied: Applied): VarianceReductionResult
  /**
   * Whether there is an adjusted sequence to use: the source gave adjusted moments, and a
   * covariate is left after the checks on the covariates themselves (units with history, none
   * constant, collinear or imbalanced between the arms). None of it reads the metric's values in
   * the window, so a bounded mean's alpha is split between its two sequences exactly when this
   * holds (whether the covariates then explain anything does read them, and does not decide it).
   */
  available: boolean
}

/**
 * A bounded mean with variance reduction keeps its nonasymptotic sequence at this share of its
 * alpha, the regression-adjusted (asymptotic) one gets the rest, and the two are intersected
 * (analysis/compareMetric.ts boundedDifference): by the union bound the intersection misses with
 * at most the sum, and the nonasymptotic one still decides, alone, while the adjusted one is held
 * (a skewed estimator). A tenth: the adjusted one, which decides once it is trusted, is then
 * about 2% wider than at the whole alpha; the nonasymptotic one alone about a fifth wider.
 */
export const NONASYMPTOTIC_SHARE = 0.1

type Applied = 'used' | 'held' | 'skewed' | 'disjoint'

const NOT_APPLIED: Record<Exclude<Applied, 'used'>, VarianceReductionResult['reason']> = {
  held: 'interval-held',
  skewed: 'estimator-skewed',
  disjoint: 'intervals-disagree'
}

export interface AdjustmentContext {
  alpha: number
  tStar: { total: number }
  /** What the source found in the pre-exposure lookback (undefined: none was read). */
  preExposure?: PreExposureQuality
  /** The one end wanted (CompareContext.side). */
  side?: Side
}

/**
 * The regression-adjusted comparison of a metric with `varianceReduction`
 * (src/stats/cs/regressionAdjusted.ts), or undefined for a metric without it. Without adjusted
 * moments in the evidence (a source that cannot give them) the metric is compared unadjusted, and
 * the record says so.
 */
export function adjustedComparison(
  spec: MetricSpec,
  baseline: MetricSketch,
  canary: MetricSketch,
  ctx: AdjustmentContext
): AdjustedComparison | undefined {
  const vr = spec.varianceReduction
  if (!vr) return undefined
  const b = baseline.adjusted
  const c = canary.adjusted
  if (!b || !c) {
    const none = { baseline: 0, canary: 0 }
    const result: VarianceReductionResult = {
      used: false,
      varianceReduction: null,
      covariates: [],
      units: none,
      preExposureUnits: none,
      reason: 'no-data'
    }
    return {
      result: () => result,
      interval: () => undefined,
      skewness: () => undefined,
      available: false
    }
  }
  // A bounded mean's adjusted sequence gets what its nonasymptotic one leaves, and is used even
  // where it explains little or nothing (none of that alpha would go back; its estimate of the
  // variance removed may then be slightly negative): its width then moves smoothly with what the
  // covariates explain, instead of jumping at MIN_REDUCTION.
  const bounded = metricRange(spec) !== undefined
  const alpha = bounded ? ctx.alpha * (1 - NONASYMPTOTIC_SHARE) : ctx.alpha
  const fits = new Map<boolean, RegressionAdjustment>()
  const fit = (relative: boolean): RegressionAdjustment => {
    let f = fits.get(relative)
    if (!f) {
      f = regressionAdjustedCS(b, c, alpha, {
        relative,
        tStar: ctx.tStar.total,
        ...(ctx.side && { side: ctx.side }),
        ...(bounded && { minReduction: -Infinity })
      })
      fits.set(relative, f)
    }
    return f
  }
  const main = fit(spec.tolerance.relative)
  // One level of a categorical covariate is the reference when every level was seen: not news.
  const field = (name: string) => name.split('=')[0]
  const dropped: { covariate: string; why: CovariateLeftOut }[] = main.dropped.filter(
    d =>
      !(
        d.why === 'collinear' &&
        d.covariate.includes('=') &&
        main.covariates.some(c => c.includes('=') && field(c) === field(d.covariate))
      )
  )
  const pre = preExposureLeftOut(vr.lookback, ctx.preExposure, main)
  if (pre) dropped.unshift({ covariate: PRE_EXPOSURE, why: pre })
  const result: VarianceReductionResult = {
    used: main.interval !== undefined,
    varianceReduction: Number.isFinite(main.varianceReduction) ? main.varianceReduction : null,
    covariates: main.covariates,
    units: main.units,
    preExposureUnits: main.covered
  }
  if (main.fallback) result.reason = main.fallback
  if (dropped.length > 0) result.dropped = dropped
  return {
    interval: relative => fit(relative).interval,
    skewness: relative => fit(relative).skewness,
    result: applied =>
      applied === 'used' || !result.used
        ? result
        : { ...result, used: false, reason: NOT_APPLIED[applied] },
    available: main.fallback !== 'no-covariate' && main.fallback !== 'too-few-units'
  }
}

/** Why the metric's own pre-exposure level is not among the covariates, when it was asked for. */
function preExposureLeftOut(
  lookback: number,
  quality: PreExposureQuality | undefined,
  fit: RegressionAdjustment
): CovariateLeftOut | undefined {
  if (lookback <= 0 || fit.covariates.includes(PRE_EXPOSURE)) return undefined
  if (fit.dropped.some(d => d.covariate === PRE_EXPOSURE)) return undefined
  if (!quality) return 'no-lookback'
  if (quality.canaryRecords > 0) return 'lookback-not-clean'
  return fit.covered.baseline + fit.covered.canary === 0 ? 'no-history' : undefined
}
