/**
 * Sequential sample-ratio-mismatch (SRM) test: is the traffic split the one the step asked for?
 *
 * Lindon & Malek, "Anytime-valid inference for multinomial count data", NeurIPS 2022. Under the
 * null the arm counts are multinomial with the expected probabilities theta0; the alternative
 * mixes the multinomial over a Dirichlet(alpha0) prior. The Bayes factor
 *   BF = [B(alpha0 + counts) / B(alpha0)] / prod_i theta0_i^counts_i
 * (B the multivariate beta function; the multinomial coefficient cancels) is a nonnegative
 * martingale under the null, so by Ville's inequality P(exists t: BF_t >= 1 / alpha) <= alpha and
 * p = min(1, 1 / BF) is a valid p-value at any look, however often the gate looks.
 * With two arms the Dirichlet-multinomial is the beta-binomial.
 */

import { lgamma } from './lgamma.js'

/**
 * Prior concentration: alpha0 = 100 * theta0, the prior centred on the expected split with the
 * weight of 100 units. This is the default of Lindon's reference implementation of the paper
 * (gist michaellindon/5ce04c744d20755c3f653fbb58c2f4dd, `dirichlet_alpha = 100 *
 * assignment_probabilities`; also the default k = 100 of his `savvi` package). A weaker prior
 * reacts faster to gross mismatches in small samples (a broken router), a much stronger one
 * (Optimizely's `ssrm` uses 10000) only pays off for tiny imbalances in millions of units.
 */
const PRIOR_CONCENTRATION = 100

export interface SampleRatioResult {
  /** canary / (baseline + canary); NaN before any unit has arrived. */
  observedShare: number
  expectedShare: number
  /** log of the Bayes factor against the expected split (0 with no data). */
  logBayesFactor: number
  /** Anytime-valid p-value min(1, 1 / BF). */
  pValue: number
  mismatch: boolean
}

/** log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b). */
function logBeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b)
}

/** x log p, with 0 log 0 = 0. */
function xLogP(x: number, p: number): number {
  return x === 0 ? 0 : x * Math.log(p)
}

/**
 * Anytime-valid SRM test of the observed arm counts (units when records carry one) against the
 * expected canary share of the step. Stateless: call it with the cumulative counts of the step.
 */
export function sampleRatioTest(
  counts: { baseline: number; canary: number },
  expectedCanaryShare: number,
  alpha: number
): SampleRatioResult {
  if (!(expectedCanaryShare > 0 && expectedCanaryShare < 1)) {
    throw new RangeError(`expectedCanaryShare must be in (0, 1), got ${expectedCanaryShare}`)
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
  const { baseline, canary } = counts
  if (!(baseline >= 0 && canary >= 0 && Number.isFinite(baseline + canary))) {
    throw new RangeError(`counts must be finite and non-negative, got ${baseline}, ${canary}`)
  }
  const n = baseline + canary
  const priorCanary = PRIOR_CONCENTRATION * expectedCanaryShare
  const priorBaseline = PRIOR_CONCENTRATION * (1 - expectedCanaryShare)
  const logMarginalAlternative =
    logBeta(priorCanary + canary, priorBaseline + baseline) - logBeta(priorCanary, priorBaseline)
  const logLikelihoodNull =
    xLogP(canary, expectedCanaryShare) + xLogP(baseline, 1 - expectedCanaryShare)
  const logBayesFactor = n === 0 ? 0 : logMarginalAlternative - logLikelihoodNull
  const pValue = Math.min(1, Math.exp(-logBayesFactor))
  return {
    observedShare: n > 0 ? canary / n : NaN,
    expectedShare: expectedCanaryShare,
    logBayesFactor,
    pValue,
    mismatch: pValue <= alpha
  }
}
