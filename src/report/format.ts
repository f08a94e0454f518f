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
