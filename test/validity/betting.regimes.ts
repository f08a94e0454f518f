/**
 * Regimes of the validity suite for the betting confidence sequences (src/stats/cs/betting.ts)
 * and the one-sided bounds a decision reads (src/stats/cs/bernstein.ts, `side`): 0/1 rates and
 * the judge's five-level pair scores, through compareMetric as the gate computes them.
 *
 * A bounded metric's interval is now two one-sided bounds, the pass side at the pass alpha and
 * the fail side at the fail alpha, each valid alone at its alpha. So each side's misses are
 * counted on their own (the interval's lower end above the truth at any look; its upper end
 * below it), and a regime's miss rate is its worse side's; a one-sided regime counts one side.
 */
import type { MetricResult } from '../../src/analysis/types.js'
import { sketches, type Scored } from '../../src/judge/fold.js'
import type { MetricSpec } from '../../src/policy/types.js'
import { decisionGrade, gateResult, metricSpec, type GateOptions } from './gate.js'
import { PAIRWISE_JUDGE } from './means.regimes.js'
import { HOLDS, LOOKS, type Regime } from './regime.js'
import { mulberry32, requests, UserPopulation, type Draw, type Stream } from './streams.js'

const ALPHA = 0.05
const MIN_SAMPLES = 300

type Sides = 'both' | 'lower' | 'upper'

/**
 * `replicates` seeded replicates of 60 looks; per side, the replicates whose bound on that side
 * excluded the truth at a decision-grade look. The miss count is the worse counted side's.
 */
function sided(
  replicates: number,
  seed: number,
  o: {
    spec: MetricSpec
    truth: number
    gate: GateOptions
    stream: (rand: () => number) => Stream
    sides: Sides
  }
): { misses: number; replicates: number; note: string } {
  let below = 0
  let above = 0
  let decided = 0
  let method = ''
  const minSamples = o.spec.minSamples ?? o.gate.minSamples
  for (let i = 0; i < replicates; i++) {
    const rand = mulberry32(seed + i)
    const stream = o.stream(rand)
    let lowMiss = false
    let highMiss = false
    for (let look = 1; look <= LOOKS; look++) {
      const { baseline, canary } = stream.look(rand)
      const r: MetricResult = gateResult(o.spec, baseline, canary, o.gate)
      method = r.method
      if (!decisionGrade(r, minSamples, o.spec.reference !== undefined)) continue
      decided++
      if (r.delta.lower > o.truth) lowMiss = true
      if (r.delta.upper < o.truth) highMiss = true
    }
    if (lowMiss) below++
    if (highMiss) above++
  }
  const misses = o.sides === 'lower' ? below : o.sides === 'upper' ? above : Math.max(below, above)
  const share = decided / (replicates * LOOKS)
  const where = `lower bound above the truth in ${below}, upper bound below it in ${above} of ${replicates}${o.sides === 'both' ? '' : ` (${o.sides} side counted)`}; decision-grade intervals at ${(100 * share).toFixed(0)}% of looks; method: ${method}`
  return { misses, replicates, note: share < 0.5 ? `${HOLDS} ${where}` : where }
}

const bernoulli =
  (p: number): Draw =>
  rand =>
    rand() < p ? 1 : 0

const rate = (tolerance: { value: number; relative: boolean }) =>
  metricSpec({ name: 'error rate', from: 'error', kind: 'rate', better: 'lower', tolerance })

/** A rate regime on independent requests. */
function rateRegime(o: {
  id: string
  description: string
  p: { baseline: number; canary: number }
  tolerance: { value: number; relative: boolean }
  perLook: number
  canaryPercent: number
  sides: Sides
  fast: number
}): Regime {
  const { baseline, canary } = o.p
  const truth = o.tolerance.relative ? canary / baseline - 1 : canary - baseline
  return {
    id: o.id,
    description: o.description,
    alpha: ALPHA,
    fast: o.fast,
    full: 500,
    run: (replicates, seed) =>
      sided(replicates, seed, {
        spec: rate(o.tolerance),
        truth,
        sides: o.sides,
        gate: { alpha: ALPHA, canaryWeight: o.canaryPercent, minSamples: MIN_SAMPLES },
        stream: requests(bernoulli(baseline), bernoulli(canary), o.perLook, o.canaryPercent / 100)
      })
  }
}

/** Users (1-200 requests each, assigned per user) whose own error rate is 0 or 4x the mean. */
function clusteredRateRegime(): Regime {
  const truth = 0.002
  return {
    id: 'betting-rate-clustered-users-canary50',
    description:
      'error rate clustered by user: 2000 users of 1-200 requests, assigned per user at 50%; a quarter of the users err at 4% (baseline) or 4.8% (canary), the rest never (truth +0.2 points); absolute CS, counts divided by the design effect',
    alpha: ALPHA,
    fast: 6,
    full: 500,
    run: (replicates, seed) =>
      sided(replicates, seed, {
        spec: rate({ value: 0.0025, relative: false }),
        truth,
        sides: 'both',
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: (rand: () => number): Stream => {
          const p = new UserPopulation(
            rand,
            {
              users: 2000,
              canaryShare: 0.5,
              looks: LOOKS,
              maxRequests: 200,
              level: r => (r() < 0.25 ? 1 : 0)
            },
            (level, canary, r) => (r() < level * (canary ? 0.048 : 0.04) ? 1 : 0)
          )
          return {
            look(r) {
              p.step(r)
              return { baseline: p.sketch('baseline'), canary: p.sketch('canary') }
            }
          }
        }
      })
  }
}

/** One order's outcome for the canary: 1 win, 0.5 tie, 0 loss. */
type Order = (rand: () => number, level: number) => number

/**
 * Pair scores as the judge folds them (src/judge/fold.ts, with the value counts): each pair the
 * mean of two orders, so on {0, 1/4, 1/2, 3/4, 1}; `users` pairs a look, each user with
 * `perUser` pairs (1: independent pairs) at its own level.
 */
function judgeStream(o: {
  order: Order
  level: Draw
  perLook: number
  perUser: (rand: () => number) => number
  clustered: boolean
}) {
  return (): Stream => {
    const scored: Scored[] = []
    const unit = { lower: 0, upper: 1 }
    let user = 0
    return {
      look(rand) {
        let made = 0
        while (made < o.perLook) {
          const level = o.level(rand)
          const pairs = Math.min(o.perLook - made, o.perUser(rand))
          for (let j = 0; j < pairs; j++) {
            const s = (o.order(rand, level) + o.order(rand, level)) / 2
            scored.push({ arm: 'canary', s, ...(o.clustered && { unit: `u${user}` }) })
          }
          made += pairs
          user++
        }
        return sketches(scored, 'pairwise', o.clustered, { baseline: unit, canary: unit })
      }
    }
  }
}

/** Win, tie or loss with the given probabilities of win and tie. */
const outcome =
  (win: number, tie: number): Order =>
  rand => {
    const u = rand()
    return u < win ? 1 : u < win + tie ? 0.5 : 0
  }

function judgeRegime(o: {
  id: string
  description: string
  truth: number
  stream: ReturnType<typeof judgeStream>
  fast: number
  sides?: Sides
}): Regime {
  return {
    id: o.id,
    description: o.description,
    alpha: ALPHA,
    fast: o.fast,
    full: 1000,
    run: (replicates, seed) =>
      sided(replicates, seed, {
        spec: PAIRWISE_JUDGE,
        truth: o.truth,
        sides: o.sides ?? 'both',
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: o.stream
      })
  }
}

export const regimes: Regime[] = [
  rateRegime({
    id: 'betting-bernoulli-p0.005-absolute-canary5',
    description:
      'error rate 0.5% in the baseline, 0.6% in the canary (truth +0.1 point), 3000 requests per look at 5%; absolute CS by betting, each side counted',
    p: { baseline: 0.005, canary: 0.006 },
    tolerance: { value: 0.001, relative: false },
    perLook: 3000,
    canaryPercent: 5,
    sides: 'both',
    fast: 8
  }),
  rateRegime({
    id: 'betting-bernoulli-p0.005-relative-canary5',
    description:
      'error rate 0.5% in the baseline, 0.6% in the canary (truth +20%), 3000 requests per look at 5%; relative (Fieller) CS by betting, each side counted',
    p: { baseline: 0.005, canary: 0.006 },
    tolerance: { value: 0.2, relative: true },
    perLook: 3000,
    canaryPercent: 5,
    sides: 'both',
    fast: 8
  }),
  rateRegime({
    id: 'betting-bernoulli-p0.05-boundary-canary50',
    description:
      'error rate 5% in the baseline, 6% in the canary, exactly at the 1-point tolerance, 600 requests per look at 50%; absolute CS by betting, each side counted',
    p: { baseline: 0.05, canary: 0.06 },
    tolerance: { value: 0.01, relative: false },
    perLook: 600,
    canaryPercent: 50,
    sides: 'both',
    fast: 8
  }),
  rateRegime({
    id: 'betting-bernoulli-pass-side-at-tolerance',
    description:
      'the pass side alone (a wrong promotion): error rate 2% against 2.5% in the canary, exactly at the +25% tolerance, 1200 requests per look at 25%; the upper bound of the relative CS must stay above the truth',
    p: { baseline: 0.02, canary: 0.025 },
    tolerance: { value: 0.25, relative: true },
    perLook: 1200,
    canaryPercent: 25,
    sides: 'upper',
    fast: 8
  }),
  rateRegime({
    id: 'betting-bernoulli-fail-side-at-tolerance',
    description:
      'the fail side alone (a wrong rollback): error rate 2% against 2.5% in the canary, exactly at the +0.5-point tolerance, 1200 requests per look at 25%; the lower bound of the absolute CS must stay below the truth',
    p: { baseline: 0.02, canary: 0.025 },
    tolerance: { value: 0.005, relative: false },
    perLook: 1200,
    canaryPercent: 25,
    sides: 'lower',
    fast: 8
  }),
  clusteredRateRegime(),
  judgeRegime({
    id: 'betting-judge-5level-worse',
    description:
      'pairwise judge pair scores on {0, 1/4, 1/2, 3/4, 1} (each order: canary wins 30%, ties 25%, loses 45%; truth -0.075), 10 independent pairs per look; betting CS from the counts, each side counted',
    truth: -0.075,
    stream: judgeStream({
      order: outcome(0.3, 0.25),
      level: () => 0,
      perLook: 10,
      perUser: () => 1,
      clustered: false
    }),
    fast: 100
  }),
  judgeRegime({
    id: 'betting-judge-5level-near-constant',
    description:
      'pairwise judge pair scores, near constant: each order a tie 98.5% of the time, a loss 1.5% (truth -0.0075), 10 pairs per look; zero sample variance until the first loss',
    truth: -0.0075,
    stream: judgeStream({
      order: outcome(0, 0.985),
      level: () => 0,
      perLook: 10,
      perUser: () => 1,
      clustered: false
    }),
    fast: 100
  }),
  judgeRegime({
    id: 'betting-judge-5level-clustered-users',
    description:
      "pairwise judge pair scores clustered by user: each user's 2-4 pairs share a win probability of 0.175 or 0.475 per order (ties 20%; truth -0.075), 10 pairs per look; counts divided by the design effect",
    truth: -0.075,
    stream: judgeStream({
      order: (rand, level) => {
        const u = rand()
        return u < level ? 1 : u < level + 0.2 ? 0.5 : 0
      },
      level: rand => (rand() < 0.5 ? 0.175 : 0.475),
      perLook: 10,
      perUser: rand => 2 + Math.floor(rand() * 3),
      clustered: true
    }),
    fast: 100
  }),
  judgeRegime({
    id: 'betting-judge-pass-side-at-tolerance',
    description:
      'the pass side alone (a wrong promotion): pair scores with each order won 22.5%, tied 45% (truth -0.05, exactly at the tolerance), 10 pairs per look; the lower bound must stay below the truth',
    truth: -0.05,
    stream: judgeStream({
      order: outcome(0.225, 0.45),
      level: () => 0,
      perLook: 10,
      perUser: () => 1,
      clustered: false
    }),
    fast: 100,
    sides: 'lower'
  })
]
