/**
 * How much more data an inconclusive metric needs (DESIGN.md: "Inconclusive metrics report a
 * projection"). A planning figure, not an inference: it assumes the estimate stays where it is
 * and the interval shrinks as the confidence sequence's boundary does.
 */

import { csRadius } from './cs/mixture.js'

/** The largest factor searched; beyond it the answer is Infinity ("not at this traffic"). */
const MAX_FACTOR = 1e6

/**
 * The smallest factor k >= 1 such that, after k times the current sample (t' = k t), the
 * interval would be decisive: pass when upper < passBelow, fail when lower > failAbove (the
 * interval is on a "harm" scale, larger is worse). Each half-width (upper - estimate and
 * estimate - lower, separately) is scaled by csRadius(k t, 1, alpha, rho) / csRadius(t, 1, alpha,
 * rho), which decreases in t, so decisiveness is monotone in k and bisection on log k finds the
 * threshold. Returns 1 when already decisive, Infinity when it never would be: the estimate
 * inside [passBelow, failAbove], an infinite bound, no data (t <= 0), or k beyond 1e6.
 */
export function samplesToDecide(
  interval: { estimate: number; lower: number; upper: number },
  t: number,
  alpha: number,
  rho: number,
  passBelow: number,
  failAbove: number
): number {
  const { estimate, lower, upper } = interval
  const decisive = (lo: number, hi: number): boolean => hi < passBelow || lo > failAbove
  if (decisive(lower, upper)) return 1
  if (![estimate, lower, upper].every(Number.isFinite) || !(t > 0)) return Infinity
  if (estimate >= passBelow && estimate <= failAbove) return Infinity
  const radiusNow = csRadius(t, 1, alpha, rho)
  const decisiveAt = (logK: number): boolean => {
    const shrink = csRadius(Math.exp(logK) * t, 1, alpha, rho) / radiusNow
    return decisive(estimate - (estimate - lower) * shrink, estimate + (upper - estimate) * shrink)
  }
  let lo = 0
  let hi = Math.log(MAX_FACTOR)
  if (!decisiveAt(hi)) return Infinity
  // 60 halvings of [0, log 1e6] locate log k to about 1e-17: k to full double precision.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (decisiveAt(mid)) hi = mid
    else lo = mid
  }
  return Math.exp(hi)
}

/**
 * The first time t in (0, horizon] at which `decisive(t)` holds, for a `decisive` that is
 * monotone in t (more data never makes a confidence sequence less decisive at fixed estimates),
 * to a relative resolution of about 10% (a planning figure): bisection on log t from
 * horizon * 1e-6. Undefined when it does not hold at the horizon.
 */
export function firstDecisive(
  decisive: (t: number) => boolean,
  horizon: number,
  resolution = 0.1
): number | undefined {
  if (!(horizon > 0) || !decisive(horizon)) return undefined
  let lo = Math.log(horizon * 1e-6)
  let hi = Math.log(horizon)
  if (decisive(Math.exp(lo))) return Math.exp(lo)
  while (hi - lo > resolution) {
    const mid = (lo + hi) / 2
    if (decisive(Math.exp(mid))) hi = mid
    else lo = mid
  }
  return Math.exp(hi)
}
