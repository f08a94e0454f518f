import { normalCdf } from '../normal.js'

/**
 * Confidence sequences (CS): intervals valid at every look simultaneously, so the gate may look
 * as often as it likes (DESIGN.md, "Statistics contract").
 *
 * The sequences in this folder build on the two-sided normal-mixture boundary of Robbins (1970), in the form of
 * Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Annals of Statistics 49 (2021): for a sum S_t of t terms with variance sigma^2 each,
 * P(exists t: |S_t| >= sigma * sqrt(2 (t rho^2 + 1) / rho^2 * log(sqrt(t rho^2 + 1) / alpha)))
 * <= alpha. Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and
 * asymptotic confidence sequences", Annals of Statistics 52 (2024), Section 2, show that the same
 * boundary with the empirical variance is an asymptotic CS for any i.i.d. mean with a finite
 * variance, and (their section on randomized experiments) for the average treatment effect
 * through its inverse-propensity-weighted influence function.
 */

function assertAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
}

function assertTStar(tStar: number): void {
  if (!(tStar > 0 && Number.isFinite(tStar))) {
    throw new RangeError(`tStar must be a positive number, got ${tStar}`)
  }
}

/**
 * The mixture parameter rho that makes the two-sided normal-mixture boundary (csRadius) tightest
 * at t = tStar. With u = tStar rho^2, the radius at tStar is proportional to
 * (1 + 1/u) (log(1 + u) / 2 - log alpha), whose minimum solves u = log(1 + u) - 2 log alpha.
 * Howard et al. (2021) and Waudby-Smith et al. (2024) give the closed-form approximation
 * u = -2 log alpha + log(1 - 2 log alpha) (one fixed-point step from u = -2 log alpha); we start
 * Newton's method there and return the exact minimiser (they differ by about 3%).
 */
export function mixtureRho(alpha: number, tStar: number): number {
  assertAlpha(alpha)
  assertTStar(tStar)
  const c = -2 * Math.log(alpha)
  let u = c + Math.log(1 + c)
  for (let i = 0; i < 50; i++) {
    // Newton on h(u) = u - log(1 + u) - c, h'(u) = u / (1 + u); h is convex and increasing.
    const step = ((u - Math.log1p(u) - c) * (1 + u)) / u
    u -= step
    if (Math.abs(step) <= 1e-15 * u) break
  }
  return Math.sqrt(u / tStar)
}

/**
 * Half-width of the normal-mixture CS for a mean after t observations of standard deviation
 * sigma: sigma * sqrt(2 (t rho^2 + 1) / (t^2 rho^2) * log(sqrt(t rho^2 + 1) / alpha)), valid at
 * every t simultaneously (Howard et al. 2021, normal mixture; Waudby-Smith et al. 2024, the
 * Gaussian-mixture asymptotic CS). Infinity before the first observation.
 */
export function csRadius(t: number, sigma: number, alpha: number, rho: number): number {
  assertAlpha(alpha)
  if (!(t > 0)) return Infinity
  if (sigma === 0) return 0
  const v = t * rho * rho + 1
  return sigma * Math.sqrt(((2 * v) / (t * t * rho * rho)) * Math.log(Math.sqrt(v) / alpha))
}

/**
 * The boundary's multiplier of the standard error after t observations: the half-width of the
 * normal-mixture CS is se * boundaryMultiplier(...), with se the standard error of the estimate.
 * Two-sided: sqrt(t) * csRadius(t, 1, alpha, rho) with rho tuned at tStar (mixtureRho).
 *
 * One side (`oneSided`): the one-sided normal mixture of Howard et al. (2021), the prior on the
 * slope restricted to one side (a half-normal): with u = t rho^2 and x the standardised sum,
 *   log M = log 2 - log(1 + u) / 2 + x^2 / 2 + log Phi(x)
 * (confseq's OneSidedNormalMixture::log_superMG, in the variance time v = t, rho^2 the prior's
 * precision per observation), a nonnegative martingale, so its end is valid alone at alpha
 * (Ville). The multiplier is x sqrt(1 + 1/u) for the x with log M = log(1 / alpha), about the
 * two-sided one at 2 alpha; rho is tuned as the two-sided mixture at 2 alpha (confseq's
 * OneSidedNormalMixture::best_rho). As an asymptotic CS (Waudby-Smith et al. 2024) the same
 * reading of the estimator's standard error applies.
 */
export function boundaryMultiplier(
  t: number,
  alpha: number,
  tStar: number,
  oneSided = false
): number {
  assertAlpha(alpha)
  if (!(t > 0)) return Infinity
  if (!oneSided) return Math.sqrt(t) * csRadius(t, 1, alpha, mixtureRho(alpha, tStar))
  const rho = mixtureRho(Math.min(0.5, 2 * alpha), tStar)
  const u = t * rho * rho
  // Solve x^2 / 2 + log Phi(x) = c, increasing in x (its derivative x + phi(x) / Phi(x) > 0).
  const c = -Math.log(2 * alpha) + Math.log1p(u) / 2
  const f = (x: number) => (x * x) / 2 + Math.log(normalCdf(x)) - c
  let lo = 0
  let hi = Math.sqrt(2 * Math.max(c, 0)) + 2
  while (f(hi) < 0) hi *= 2
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2
    if (f(mid) < 0) lo = mid
    else hi = mid
  }
  return hi * Math.sqrt(1 + 1 / u)
}
