import type { MetricResult } from '../analysis/types.js'
import { change } from '../policy/format.js'

export {
  change,
  deltaWithInterval,
  duration,
  int,
  roughCount,
  roughDuration,
  toleranceText,
  value
} from '../policy/format.js'

/** Formatting of a metric result (its change with the interval, the tolerance, the A/A noise). */

/** The metric's run-to-run noise from the A/A check: "A/A ±1.2%", or '' when not measured. */
export function noiseText(m: MetricResult): string {
  return m.aa ? `A/A ±${change(m, m.aa.noise, m.delta.relative).slice(1)}` : ''
}

const NOT_USED = {
  'no-data': 'the source gives no per-unit data',
  'too-few-units': 'too few units',
  'no-covariate': 'no usable covariate',
  'explains-nothing': 'the covariates explain nothing',
  'interval-held': 'the interval is not trusted yet',
  'estimator-skewed':
    'the adjusted estimator is too skewed yet; the nonasymptotic interval decides',
  'intervals-disagree': 'it disagrees with the nonasymptotic interval, which decides'
} as const

/**
 * The metric's variance reduction (CUPED): "CUPED -43% variance (pre-exposure level; 1,234 of
 * 2,000 units with history)", "unadjusted: the covariates explain nothing", or '' without it.
 */
export function varianceText(m: MetricResult): string {
  const vr = m.varianceReduction
  if (!vr) return ''
  if (!vr.used) return `unadjusted: ${NOT_USED[vr.reason ?? 'no-covariate']}`
  const pct = Math.round((vr.varianceReduction ?? 0) * 100)
  const units = vr.units.baseline + vr.units.canary
  const history = vr.preExposureUnits.baseline + vr.preExposureUnits.canary
  const covered = vr.covariates.includes('pre-exposure level')
    ? `; ${history.toLocaleString('en-US')} of ${units.toLocaleString('en-US')} units with history`
    : ''
  // A categorical covariate's levels (`route=faq`, `route=billing`) read as their field.
  const names = [...new Set(vr.covariates.map(c => c.split('=')[0]))]
  // A score's adjusted sequence is used even where it removes nothing (its estimate a little below 0).
  const change = pct < 0 ? `+${-pct}` : `−${pct}`
  return `CUPED ${change}% variance (${names.join(', ')}${covered})`
}
