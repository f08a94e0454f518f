/**
 * An anytime-valid one-sided test of a Bernoulli rate: after k successes in n trials, the
 * e-value of the uniform mixture of likelihood ratios against the boundary rate p0,
 *
 *   above (H0: p <= p0):  E = 1 / (1 - p0) * integral_{p0}^{1} (p / p0)^k ((1 - p) / (1 - p0))^(n - k) dp
 *   below (H0: p >= p0):  E = 1 / p0       * integral_{0}^{p0} (p / p0)^k ((1 - p) / (1 - p0))^(n - k) dp
 *
 * For each fixed alternative p1 >= p0 the likelihood ratio is a nonnegative supermartingale under
 * every p <= p0 (its expected factor p p1 / p0 + (1 - p)(1 - p1) / (1 - p0) grows with p and is 1
 * at p0), and so is their mixture over a fixed prior (Robbins, "Statistical methods related to the
 * law of the iterated logarithm", Ann. Math. Stat. 41, 1970). By Ville's inequality (Ville,
 * "Etude critique de la notion de collectif", 1939) P(exists n: E_n >= 1 / alpha) <= alpha under
 * H0, so the test may be looked at after every trial (Ramdas, Grunwald, Vovk & Shafer,
 * "Game-theoretic statistics and safe anytime-valid inference", Statistical Science 38, 2023).
 *
 * The integrals are incomplete beta functions with integer arguments:
 * integral_0^x p^k (1 - p)^(n - k) dp = B(k + 1, n - k + 1) P(Binomial(n + 1, x) >= k + 1), and
 * integral_x^1 of the same is B(k + 1, n - k + 1) P(Binomial(n + 1, x) <= k).
 */
import { lgamma } from './lgamma.js'

export type Side = 'above' | 'below'

/** log E after k successes in n trials; 0 before any trial. */
export function logMixtureEValue(k: number, n: number, p0: number, side: Side): number {
  if (!(p0 > 0 && p0 < 1)) throw new RangeError(`p0 must be in (0, 1), got ${p0}`)
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n)) {
    throw new RangeError(`need integers 0 <= k <= n, got k = ${k}, n = ${n}`)
  }
  if (n === 0) return 0
  const logBeta = lgamma(k + 1) + lgamma(n - k + 1) - lgamma(n + 2)
  // Each tail summed on its own (not as 1 minus the other), so a tail near 0 keeps its digits.
  const logPart =
    side === 'above'
      ? logBinomialRange(n + 1, p0, 0, k) - Math.log(1 - p0) // over [p0, 1], prior 1 / (1 - p0)
      : logBinomialRange(n + 1, p0, k + 1, n + 1) - Math.log(p0) // over [0, p0], prior 1 / p0
  return logBeta + logPart - k * Math.log(p0) - (n - k) * Math.log(1 - p0)
}

/** The test rejects H0 once E >= 1 / alpha. */
export function rejects(k: number, n: number, p0: number, side: Side, alpha: number): boolean {
  return logMixtureEValue(k, n, p0, side) >= -Math.log(alpha)
}

/** log P(from <= Binomial(n, p) <= to), summed in log space. */
function logBinomialRange(n: number, p: number, from: number, to: number): number {
  if (from > to) return -Infinity
  const lp = Math.log(p)
  const lq = Math.log1p(-p)
  const terms: number[] = []
  for (let j = from; j <= to; j++) {
    terms.push(lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1) + j * lp + (n - j) * lq)
  }
  const max = Math.max(...terms)
  const sum = terms.reduce((t, x) => t + Math.exp(x - max), 0)
  return Math.min(0, max + Math.log(sum))
}
