/**
 * Validity regimes of the regression-adjusted (CUPED) confidence sequence
 * (src/stats/cs/regressionAdjusted.ts): seeded worlds of clustered users (1 to 200 requests each
 * over the step, strong persistent per-user levels), lognormal heavy tails, 5% and 25% canaries,
 * in A/A and at the tolerance boundary, 60 looks at alpha = 0.05. A replicate misses when the
 * sequence the gate decides on (the adjusted one, or the unadjusted one where the adjustment falls
 * back) excludes the true relative change at any look once the canary has the minimum units.
 * The note gives the unadjusted sequence's misses on the same data and the width gain at the last
 * look (adjusted / unadjusted width at the same n), and how soon each sequence decides against
 * the tolerance: the share decided, the median look and canary users (the speed gain).
 */
import { HOLDS, type Regime } from './regime.js'
import { runWorld, type CupedWorld, type Decision } from './cupedWorld.js'

/** Relative tolerance of every regime: the boundary regimes' canary is exactly this much worse. */
const TOLERANCE = 0.05

const BASE: CupedWorld = {
  canaryShare: 0.05,
  users: 10_000,
  maxRequests: 200,
  userSigma: 1,
  requestSigma: 1,
  effect: 0,
  preRatio: 1,
  persistentLevel: true,
  looks: 60,
  alpha: 0.05,
  minCanaryUnits: 30,
  tolerance: TOLERANCE
}

/**
 * How soon a sequence decided: the share of replicates decided by the last look, and the median
 * look (of 60, the step's time) and canary units at the decision over all replicates (an
 * undecided one counts as later than any look).
 */
export function speedText(decisions: (Decision | undefined)[]): string {
  const n = decisions.length
  const done = decisions.filter((d): d is Decision => d !== undefined)
  const pct = `${((100 * done.length) / n).toFixed(0)}%`
  if (2 * done.length <= n) return `decided in ${pct} (median: not within the step)`
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((n - 1) / 2)]!
  const look = median(done.map(d => d.look))
  const units = median(done.map(d => d.canaryUnits))
  const verdicts = new Set(done.map(d => d.verdict))
  return `decided in ${pct} (${[...verdicts].join('/')}), median at look ${look + 1} of 60 with ${units} canary users`
}

function regime(
  id: string,
  description: string,
  world: Partial<CupedWorld>,
  replicates: { fast?: number; full?: number } = {}
): Regime {
  const w = { ...BASE, ...world }
  return {
    id,
    description,
    alpha: w.alpha,
    fast: replicates.fast ?? 6,
    full: replicates.full ?? 500,
    run(replicates, seed) {
      const r = runWorld(w, replicates, seed)
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`
      // Below half the looks with an interval, the gate holds in this regime (./regime.ts).
      const holds =
        r.heldShare > 0.5 ? `${HOLDS} no interval at ${pct(r.heldShare)} of looks; ` : ''
      const held = !holds && r.heldShare > 0 ? `, no interval at ${pct(r.heldShare)} of looks` : ''
      return {
        misses: r.misses,
        replicates: r.replicates,
        note:
          `${holds}without the adjustment ${r.unadjustedMisses}/${r.replicates}; at the last look variance -${pct(r.varianceReduction)}, ` +
          `width x${r.widthRatio.toFixed(2)} of the unadjusted` +
          (r.fellBack > 0 ? `, unadjusted in ${r.fellBack} replicates` : '') +
          held +
          `; against the ${pct(w.tolerance)} tolerance CUPED ${speedText(r.decided)}, unadjusted ${speedText(r.decidedUnadjusted)}; ` +
          (w.score
            ? "method: the score's nonasymptotic empirical-Bernstein CS at a tenth of alpha intersected with the regression-adjusted (CUPED) asymptotic CS at the rest (Lindon, Ham, Tingley & Bojinov 2022)"
            : 'method: regression-adjusted (CUPED) asymptotic CS (Lindon, Ham, Tingley & Bojinov 2022)')
      }
    }
  }
}

export const regimes: Regime[] = [
  regime(
    'cuped-aa-clustered-lognormal-s1-canary5',
    'CUPED, A/A, 5% canary, users of 1-200 requests with lognormal levels (sigma 1), lognormal requests (sigma 1), from 30 canary users',
    {},
    { full: 1000 }
  ),
  regime(
    'cuped-aa-clustered-lognormal-s1-canary25',
    'CUPED, A/A, 25% canary, the same users and tails',
    { canaryShare: 0.25 }
  ),
  regime(
    'cuped-boundary-clustered-lognormal-s1-canary5',
    'CUPED, canary 5% worse (at a 5% tolerance), 5% canary, the same users and tails',
    { effect: TOLERANCE },
    { full: 1000 }
  ),
  regime(
    'cuped-boundary-clustered-lognormal-s1-canary25',
    'CUPED, canary 5% worse (at a 5% tolerance), 25% canary, the same users and tails',
    { effect: TOLERANCE, canaryShare: 0.25 }
  ),
  regime(
    'cuped-boundary-request-covariate-canary25',
    'CUPED with a request covariate (lognormal effect 0.8) besides the pre-exposure level, canary 5% worse, 25% canary',
    { effect: TOLERANCE, canaryShare: 0.25, requestCovariate: 0.8 }
  ),
  regime(
    'cuped-aa-useless-covariate-canary25',
    'CUPED whose pre-exposure level is unrelated to the step (it mostly falls back to the unadjusted sequence: switching must add no misses), A/A, 25% canary',
    { persistentLevel: false, canaryShare: 0.25 }
  ),
  regime(
    'cuped-boundary-lognormal-s1.5-canary25',
    'CUPED, heavier requests (lognormal sigma 1.5), canary 5% worse, 25% canary, from 30 canary users',
    { effect: TOLERANCE, requestSigma: 1.5, canaryShare: 0.25 }
  ),
  regime(
    'cuped-score-aa-clustered-canary5',
    'CUPED on a bounded score (users N(0.6, 0.1), requests +-0.15 clipped), A/A, 5% canary, users of 1-200 requests: its nonasymptotic sequence at a tenth of alpha intersected with the adjusted one',
    { score: { mean: 0.6, userSd: 0.1, requestSd: 0.15 } }
  ),
  regime(
    'cuped-score-boundary-clustered-canary25',
    'CUPED on a bounded score, canary 5% higher (at a 5% tolerance), 25% canary, the same users',
    { score: { mean: 0.6, userSd: 0.1, requestSd: 0.15 }, effect: TOLERANCE, canaryShare: 0.25 }
  ),
  regime(
    'cuped-score-boundary-clustered-canary5',
    'CUPED on a bounded score, canary 5% higher (at a 5% tolerance), 5% canary, the same users',
    { score: { mean: 0.6, userSd: 0.1, requestSd: 0.15 }, effect: TOLERANCE }
  ),
  regime(
    'cuped-score-boundary-clustered-canary1',
    'CUPED on a bounded score, canary 5% higher (at a 5% tolerance), 1% canary of 20,000 users (about 200 canary users by the end), from 30 canary users',
    {
      score: { mean: 0.6, userSd: 0.1, requestSd: 0.15 },
      effect: TOLERANCE,
      canaryShare: 0.01,
      users: 20_000
    }
  ),
  regime(
    'cuped-score-boundary-useless-covariate-canary25',
    'CUPED on a bounded score whose pre-exposure level is unrelated to the step (the adjusted sequence, explaining about nothing, is still used beside the nonasymptotic one), canary 5% higher, 25% canary',
    {
      score: { mean: 0.6, userSd: 0.1, requestSd: 0.15 },
      persistentLevel: false,
      effect: TOLERANCE,
      canaryShare: 0.25
    }
  ),
  regime(
    'cuped-score-near-constant-canary25',
    "CUPED on a score that is 0.5 (a tie) for 98.5% of requests, else 0 or 0.95 at the user's level, canary 5% higher, 25% canary: a near-constant sample, where the adjusted sequence is used only as far as its estimator's skewness allows",
    {
      score: { mean: 0.5, userSd: 0.2, requestSd: 0, ties: 0.985 },
      effect: TOLERANCE,
      canaryShare: 0.25
    }
  ),
  regime(
    'cuped-boundary-lognormal-s1.5-canary5',
    'CUPED, heavier requests (lognormal sigma 1.5), canary 5% worse, 5% canary of 20,000 users, from 500 canary users',
    { effect: TOLERANCE, requestSigma: 1.5, users: 20_000, minCanaryUnits: 500 },
    { fast: 3 }
  )
]
