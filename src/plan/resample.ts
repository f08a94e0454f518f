import type { MetricSpec } from '../policy/types.js'
import { fmix32 } from '../sketch/unitIndex.js'

/**
 * The random parts of `plan`'s simulation, counter-based so that every replicate is reproducible
 * from its seed and every scenario of a replicate sees the same users (common random numbers):
 * a uniform number is the murmur3 finaliser of its coordinates (row, copy, replicate, purpose).
 */
export function uniform(a: number, b: number, c: number): number {
  const h = fmix32(fmix32(fmix32(a ^ 0x9e3779b9) ^ b) ^ Math.imul(c, 0x85ebca6b))
  return (h >>> 0) / 4294967296
}

/** Cumulative Poisson(1) probabilities: P(K <= k) for k = 0..9. */
const POISSON_1 = (() => {
  const out: number[] = []
  let p = Math.exp(-1)
  let sum = 0
  for (let k = 0; k < 10; k++) {
    sum += p
    out.push(sum)
    p /= k + 1
  }
  return out
})()

/**
 * How many times a unit appears in a bootstrap resample, drawn Poisson(1): the Poisson bootstrap
 * (Hanley & MacGibbon, "Creating non-parametric bootstrap samples using Poisson frequencies",
 * Computer Methods and Programs in Biomedicine 2006; Chamandy et al., "Estimating uncertainty for
 * massive data streams", Google 2012), which resamples a stream unit by unit without knowing the
 * number of units in advance: each unit's count is independent, as a multinomial's nearly are.
 */
export function poissonCopies(u: number): number {
  let k = 0
  while (k < POISSON_1.length && u >= (POISSON_1[k] as number)) k++
  return k
}

/**
 * How a scenario's canary is made from a baseline value of one metric: x' = a x + b (+ c y for a
 * ratio's absolute shift), clipped at 0 when `floor`; or, for a rate, each 0 turned into 1 (or 1
 * into 0) with probability `flip`. Chosen so the canary's level moves by exactly the shift while
 * its values stay in their range (a latency stays positive, a score in [0, 1], a rate 0 or 1).
 */
export type Shift =
  | { metric: number; kind: 'linear'; a: number; b: number; c: number; floor: boolean }
  | { metric: number; kind: 'flip'; from: 0 | 1; p: number }

/** What plan knows of a metric's values in the history. */
export interface MetricLevel {
  /** Sum of x over sum of y: the mean, the rate or the ratio. */
  mean: number
  min: number
  max: number
}

/**
 * The canary of `spec` moved by `times` its tolerance in its worse direction (0.5: half the
 * tolerance, 1: at it, 2: twice it). `level` is the history's. How each kind is moved:
 *  - a rate: worse by d points (d = the tolerance, or tolerance x rate when relative): each 0
 *    becomes 1 with probability d / (1 - p) (or each 1 becomes 0 with d / p when higher is
 *    better), so the rate moves by d in expectation and values stay 0 or 1;
 *  - a metric whose history stays in [0, 1] (a score): a linear map towards the bound,
 *    x (1 - d/mean) or 1 - (1 - x)(1 - d/(1 - mean)), which moves the mean by exactly d and stays
 *    in [0, 1];
 *  - any other (latency, cost, tokens; a quantile or a ratio): relative tolerances multiply every
 *    value by 1 +/- times x tolerance, which moves the mean and every quantile by exactly that
 *    share (a slower model is slower everywhere); absolute ones add the shift (a ratio: shift x
 *    its denominator), clipped at 0 when it lowers values (a quantile above the shift moves by
 *    exactly it).
 * Undefined when the shift cannot be made (a rate already at its bound, a bound too close).
 */
export function shiftFor(
  spec: MetricSpec,
  metric: number,
  level: MetricLevel,
  times: number
): Shift | undefined {
  const worseUp = spec.better === 'lower'
  const { value, relative } = spec.tolerance
  const mean = level.mean
  if (spec.kind === 'rate') {
    const d = times * (relative ? value * mean : value)
    const room = worseUp ? 1 - mean : mean
    if (!(room > 0) || d > room) return undefined
    return { metric, kind: 'flip', from: worseUp ? 0 : 1, p: d / room }
  }
  const bounded = level.min >= 0 && level.max <= 1 && spec.kind === 'mean'
  if (bounded) {
    const d = times * (relative ? value * mean : value)
    if (worseUp) {
      if (!(1 - mean > d)) return undefined
      const k = 1 - d / (1 - mean)
      return { metric, kind: 'linear', a: k, b: 1 - k, c: 0, floor: false }
    }
    if (!(mean > d)) return undefined
    return { metric, kind: 'linear', a: 1 - d / mean, b: 0, c: 0, floor: false }
  }
  if (relative) {
    const a = worseUp ? 1 + times * value : 1 - times * value
    return a > 0 ? { metric, kind: 'linear', a, b: 0, c: 0, floor: false } : undefined
  }
  const d = (worseUp ? 1 : -1) * times * value
  return spec.kind === 'ratio'
    ? { metric, kind: 'linear', a: 1, b: 0, c: d, floor: d < 0 }
    : { metric, kind: 'linear', a: 1, b: d, c: 0, floor: d < 0 }
}

/** Applies a linear shift to one value (x over y). */
export function shifted(s: Extract<Shift, { kind: 'linear' }>, x: number, y: number): number {
  const v = s.a * x + s.b + s.c * y
  return s.floor && v < 0 ? 0 : v
}
