/**
 * Regimes of the validity suite for the step's decision over several gating metrics, at the
 * alphas analyze() gives them (stats/alphaSpending.ts): each metric's pass side at the step's
 * whole alpha (a promotion needs every metric to pass: the intersection-union test), its fail side
 * at the step's alpha split over the metrics (a rollback needs only one to fail). A replicate
 * errs when, at any of its looks, the metrics' verdicts would promote a canary that is worse than
 * a tolerance, or roll back one that is not. The worst cases: one metric exactly at its tolerance
 * while the others are clearly better (a promotion then rests on that metric alone), and every
 * metric exactly at its tolerance (each can fail wrongly).
 */
import { metricAlphas, tStar } from '../../src/analysis/analyze.js'
import { compareMetric, type CompareContext } from '../../src/analysis/compareMetric.js'
import type { MetricResult } from '../../src/analysis/types.js'
import { closedBudget, currentBudget, initialState } from '../../src/decide/state.js'
import type { MetricSpec, Policy } from '../../src/policy/types.js'
import { stepAlpha } from '../../src/stats/alphaSpending.js'
import { metricSpec } from './gate.js'
import { LOOKS, type Regime } from './regime.js'
import { mulberry32, normal, RequestArm, type Draw } from './streams.js'

const ALPHA = 0.05
const MIN_SAMPLES = 300
const PER_LOOK = 600
const CANARY_SHARE = 0.25

interface Gauge {
  spec: MetricSpec
  /** A request's value; `change` is the canary's relative (or, for the rate, absolute) change. */
  draw: (change: number) => Draw
}

const GAUGES: Gauge[] = [
  {
    spec: metricSpec({
      name: 'latency',
      kind: 'mean',
      better: 'lower',
      tolerance: { value: 0.1, relative: true }
    }),
    draw: change => rand => (1 + change) * Math.exp(normal(rand))
  },
  {
    spec: metricSpec({
      name: 'quality',
      from: 'score',
      kind: 'mean',
      better: 'higher',
      tolerance: { value: 0.02, relative: true }
    }),
    draw: change => rand => (1 - change) * Math.min(1, Math.max(0, 0.78 + 0.15 * normal(rand)))
  },
  {
    spec: metricSpec({
      name: 'cost',
      from: 'cost',
      kind: 'mean',
      better: 'lower',
      tolerance: { value: 0.05, relative: true }
    }),
    draw: change => rand => (1 + change) * 0.002 * Math.exp(0.5 * normal(rand))
  },
  {
    spec: metricSpec({
      name: 'error rate',
      from: 'error',
      kind: 'rate',
      better: 'lower',
      tolerance: { value: 0.01, relative: false }
    }),
    draw: change => rand => (rand() < 0.02 + change ? 1 : 0)
  }
]

const SPECS = GAUGES.map(g => g.spec)
const POLICY = { metrics: SPECS, confidence: 1 - ALPHA } as Parameters<typeof metricAlphas>[0]

/** A step's comparison context at 25%, but for its alphas. */
const stepContext = () => ({
  tStar: tStar(MIN_SAMPLES, 100 * CANARY_SHARE),
  minSamples: MIN_SAMPLES,
  canaryRequests: 0,
  canaryRate: 1,
  project: false
})

/** One look: PER_LOOK more requests split between the arms, and each metric's verdict. */
function lookAt(
  arms: { baseline: RequestArm; canary: RequestArm }[],
  rand: () => number,
  ctx: CompareContext
): MetricResult['verdict'][] {
  const canary = Math.round(PER_LOOK * CANARY_SHARE)
  return arms.map((a, k) => {
    a.baseline.add(rand, PER_LOOK - canary)
    a.canary.add(rand, canary)
    return compareMetric(SPECS[k]!, a.baseline.sketch(), a.canary.sketch(), ctx).verdict
  })
}

/**
 * Replicates of one step's looks with every metric's canary changed by `changes[i]` (on its
 * harm scale, as a share of its tolerance: 1 = exactly at it, -1 = better by as much), counting
 * those in which the gate would ever have made `wrong` decision.
 */
function decisions(
  replicates: number,
  seed: number,
  changes: number[],
  wrong: 'promote' | 'rollback'
): { misses: number; replicates: number; note: string } {
  const { alpha, passAlpha } = metricAlphas(POLICY)
  const ctx = { ...stepContext(), alpha, passAlpha }
  let misses = 0
  // Looks at which every metric but those at their tolerance passed: the decision rested on those.
  let resting = 0
  for (let i = 0; i < replicates; i++) {
    const rand = mulberry32(seed + i)
    const arms = GAUGES.map((g, k) => ({
      baseline: new RequestArm(g.draw(0)),
      canary: new RequestArm(g.draw(changes[k]! * g.spec.tolerance.value))
    }))
    let erred = false
    for (let look = 1; look <= LOOKS && !erred; look++) {
      const verdicts = lookAt(arms, rand, ctx)
      const promote = verdicts.every(v => v === 'pass')
      const rollback = verdicts.includes('fail')
      if (verdicts.every((v, k) => v === 'pass' || changes[k] === 1)) resting++
      if (wrong === 'promote' ? promote : rollback) erred = true
    }
    if (erred) misses++
  }
  return {
    misses,
    replicates,
    note: `each metric's pass side at alpha ${passAlpha.toPrecision(3)}, its fail side at ${alpha.toPrecision(3)}; the metrics not at their tolerance all passed at ${((100 * resting) / (replicates * LOOKS)).toFixed(0)}% of looks; method: the step's decision over four metrics (intersection-union test for promotions, Berger 1982; Bonferroni for rollbacks)`
  }
}

export const regimes: Regime[] = [
  {
    id: 'decision-promote-one-metric-at-tolerance',
    description: `four gating metrics (mean latency, quality score, mean cost, error rate; ${PER_LOOK} requests per look, canary ${100 * CANARY_SHARE}%): latency exactly at its 10% tolerance, the other three better by their tolerance; a miss is a promotion at any look`,
    alpha: ALPHA,
    fast: 40,
    full: 500,
    run: (replicates, seed) => decisions(replicates, seed, [1, -1, -1, -1], 'promote')
  },
  {
    id: 'decision-rollback-all-at-tolerance',
    description: `the same four metrics, each exactly at its tolerance (still acceptable); a miss is a rollback at any look`,
    alpha: ALPHA,
    fast: 40,
    full: 500,
    run: (replicates, seed) => decisions(replicates, seed, [1, 1, 1, 1], 'rollback')
  },
  {
    id: 'decision-rollout-worse-from-step-3',
    description: `a whole rollout (steps 1, 5, 25, 50, 100) with the same four metrics, each step's traffic as at 25%: every metric better by half its tolerance at 1% and 5%, then latency at its tolerance and the others better from 25% on; a miss is a rollback at 1% or 5%, or a promotion at 25% or 50%`,
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) => rollouts(replicates, seed, 2)
  },
  {
    id: 'decision-rollout-worse-at-every-step',
    description: `the same rollout with latency at its tolerance and the others better by theirs at every step; a miss is a promotion at any step`,
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) => rollouts(replicates, seed, 0)
  }
]

/** A rollout's steps (four compare the arms) and budget, for its ledger (decide/state.ts). */
const ROLLOUT = {
  ...POLICY,
  rollout: { steps: [1, 5, 25, 50, 100] }
} as unknown as Policy

/**
 * Replicates of a whole rollout through its four comparison steps, each step's alphas from the
 * rollout's ledger as the gate's own promotions charge it (decide/state.ts, stats/alphaSpending.ts:
 * each step's fail side a quarter of the budget, its pass side what the steps before left), each
 * step a fresh sequence on traffic as at 25%. Before step `worseFrom` every metric is better by
 * half its tolerance (a rollback is a miss), from it on latency is at its tolerance and the others
 * better by theirs (a promotion is a miss: the canary is worse in the limit from above). A step
 * undecided after LOOKS looks holds, and the rollout stops there.
 */
function rollouts(
  replicates: number,
  seed: number,
  worseFrom: number
): { misses: number; replicates: number; note: string } {
  let misses = 0
  const reached = [0, 0, 0, 0]
  const passAt: string[] = []
  for (let i = 0; i < replicates; i++) {
    const rand = mulberry32(seed + i)
    let budget = currentBudget(ROLLOUT, initialState(ROLLOUT, 0))
    rollout: for (let step = 0; step < 4; step++) {
      reached[step]!++
      const worse = step >= worseFrom
      const changes = worse ? [1, -1, -1, -1] : [-0.5, -0.5, -0.5, -0.5]
      const { alpha, passAlpha } = metricAlphas(ROLLOUT, budget.step.alpha, budget.step.passAlpha)
      passAt[step] ??= `${passAlpha.toPrecision(3)} at ${ROLLOUT.rollout.steps[step]}%`
      const ctx = { ...stepContext(), alpha, passAlpha }
      const arms = GAUGES.map((g, k) => ({
        baseline: new RequestArm(g.draw(0)),
        canary: new RequestArm(g.draw(changes[k]! * g.spec.tolerance.value))
      }))
      for (let look = 1; look <= LOOKS; look++) {
        const verdicts = lookAt(arms, rand, ctx)
        if (verdicts.includes('fail')) {
          if (!worse) misses++
          break rollout
        }
        if (verdicts.every(v => v === 'pass')) {
          if (worse) {
            misses++
            break rollout
          }
          budget = closedBudget(ROLLOUT, budget, step + 1, budget.step.startedAt!)
          continue rollout
        }
      }
      break
    }
  }
  return {
    misses,
    replicates,
    note: `pass sides at alpha ${passAt.join(', ')} (the steps reached), fail sides at ${metricAlphas(ROLLOUT, stepAlpha({ total: ALPHA, comparisonSteps: 4, restarts: 0 })).alpha.toPrecision(3)} per metric; steps reached by ${reached.join(', ')} of ${replicates} rollouts; method: one budget over the rollout (fixed-sequence promotions, Maurer, Hothorn & Lehmacher 1995; Lan-DeMets spending of rollbacks)`
  }
}
