/**
 * When the asymptotic confidence sequence of an unbounded mean (src/stats/cs/ratio.ts) can be
 * trusted. Its validity rests on the central limit theorem for the estimator (Waudby-Smith et
 * al., Ann. Statist. 52 (2024): a CS that is valid as the sample grows), and heavy tails make
 * "large" very large: the issue's lognormal(sigma 2) mean at a 5% canary missed in 15.9% of runs
 * at a 5% level. Three guards, all in the CS's own time (clusters: units when records carry one):
 *
 * - a minimum number of clusters per arm (`rollout.minSamples`, in units when records carry a
 *   unit), since requests of one user are one observation of the user's level
 *   (analysis/compareMetric.ts);
 * - each arm's variance at least what the other arm's relative spread gives it
 *   (ratio.ts, sharedSpread): the small arm has not yet seen the rare large values of a shared
 *   heavy tail, so its own variance is too small exactly when its mean is too low;
 * - the skewness of the estimator at most 0.2: Cochran's rule n > 25 G1^2 for a mean of n values
 *   with skewness G1 (Cochran, Sampling Techniques, 3rd ed., 1977, Section 2.15), written on the
 *   estimator, whose skewness is G1 / sqrt(n); the first Edgeworth term of the error of a normal
 *   interval is proportional to it (Hall, The Bootstrap and Edgeworth Expansion, 1992, Section
 *   2.4). Kohavi, Deng, Longbotham & Xu ("Seven rules of thumb for web site experimenters", KDD
 *   2014, Rule #7) use the stricter n > 355 s^2 to keep a fixed 95% interval's tails within 10%;
 *   the sequence's boundary is wider than a fixed interval's, and the validity suite
 *   (docs/validity.md) measures what the rule achieves with the other two guards.
 *   Written on the estimator, the rule covers a two-arm contrast with unequal arms and clusters
 *   of any size: skew(R_c - kappa R_b) = (k3_c - kappa^3 k3_b) / (V_c + kappa^2 V_b)^{3/2}, with,
 *   per arm, the ratio estimator's variance V = sum d_u^2 / (sum y)^2 and third cumulant
 *   k3 = sum d_u^3 / (sum y)^3 to first order, d_u = x_u - R y_u the cluster residuals (the delta
 *   method, as for the variance; Deng, Knoblich & Lu, KDD 2018). Since the sample skewness
 *   understates a heavy tail's most where the sample is small, each arm is lent the larger of the
 *   two arms' skewness per cluster (sharedSkewness).
 */
import type { RatioMoments } from '../sketch/types.js'

/** The largest estimator skewness trusted: 1 / sqrt(25) (Cochran's n > 25 G1^2). */
export const MAX_SKEWNESS = 0.2

interface ArmCumulants {
  /** Variance and third cumulant of the ratio estimator (first order). */
  variance: number
  third: number
}

/** The residuals' second and third sums from the moments, or undefined without third-order sums. */
function armCumulants(m: RatioMoments): ArmCumulants | undefined {
  const { sxxx, sxxy, sxyy, syyy } = m
  if (sxxx === undefined || sxxy === undefined || sxyy === undefined || syyy === undefined) {
    return undefined
  }
  if (!(m.n >= 2 && m.sy > 0)) return undefined
  const r = m.sx / m.sy
  // sum (x - r y)^2 and sum (x - r y)^3, expanded in the moments.
  const d2 = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy)
  const d3 = sxxx - 3 * r * sxxy + 3 * r * r * sxyy - r * r * r * syyy
  const sy2 = m.sy * m.sy
  return { variance: d2 / sy2, third: d3 / (sy2 * m.sy) }
}

/**
 * Skewness of the estimator of R_c - kappa R_b, or undefined when a side lacks the third-order
 * sums (the rule is then not applied) or has no variance.
 */
export function contrastSkewness(
  baseline: RatioMoments,
  canary: RatioMoments,
  kappa: number
): number | undefined {
  const k = contrastCumulants(baseline, canary, kappa)
  return k && (k.c.third - kappa ** 3 * k.b.third) / k.variance ** 1.5
}

/** Both arms' cumulants and the contrast's variance, or undefined (no third-order sums, no variance). */
function contrastCumulants(
  baseline: RatioMoments,
  canary: RatioMoments,
  kappa: number
): { b: ArmCumulants; c: ArmCumulants; variance: number } | undefined {
  const b = armCumulants(baseline)
  const c = armCumulants(canary)
  if (!b || !c) return undefined
  const variance = c.variance + kappa * kappa * b.variance
  return variance > 0 ? { b, c, variance } : undefined
}

/**
 * A bound on the skewness of the estimator of R_c - kappa R_b that lends each arm the larger of
 * the two arms' standardized skewness per cluster, g = max(|g_b|, |g_c|): the arm with more
 * clusters (the baseline at a small step) has seen more of a shared heavy tail, and the sample
 * skewness of the small arm understates it most when it matters. With each arm's estimator
 * skewness g / sqrt(n) and third cumulant g V^{3/2} / sqrt(n), the contrast's is at most
 * g (V_c^{3/2} / sqrt(n_c) + |kappa|^3 V_b^{3/2} / sqrt(n_b)) / (V_c + kappa^2 V_b)^{3/2}.
 */
export function sharedSkewness(
  baseline: RatioMoments,
  canary: RatioMoments,
  kappa: number
): number | undefined {
  const k = contrastCumulants(baseline, canary, kappa)
  if (!k) return undefined
  const { b, c, variance } = k
  const g = (a: ArmCumulants, n: number) =>
    a.variance > 0 ? (Math.abs(a.third) / a.variance ** 1.5) * Math.sqrt(n) : 0
  const shared = Math.max(g(b, baseline.n), g(c, canary.n))
  const term = (a: ArmCumulants, n: number) => a.variance ** 1.5 / Math.sqrt(n)
  return (
    (shared * (term(c, canary.n) + Math.abs(kappa) ** 3 * term(b, baseline.n))) / variance ** 1.5
  )
}

/** Skewness of one arm's ratio estimator (a canary `limit`), or undefined. */
export function armSkewness(m: RatioMoments): number | undefined {
  const a = armCumulants(m)
  if (!a || !(a.variance > 0)) return undefined
  return a.third / a.variance ** 1.5
}
