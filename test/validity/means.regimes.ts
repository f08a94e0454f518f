/**
 * Regimes of the validity suite for means, rates and bounded scores (issue 12's table): the
 * interval the gate decides on, compareMetric's `delta`, checked against the truth at each of 60
 * looks, at a per-metric alpha of 5%. A look counts only when the gate would decide on it (both
 * arms at the minimum sample, a finite interval).
 */
import type { MetricResult } from '../../src/analysis/types.js'
import type { MetricSpec } from '../../src/policy/types.js'
import type { Side } from '../../src/stats/cs/types.js'
import { decisionGrade, gateResult, holds, metricSpec, type GateOptions } from './gate.js'
import { HOLDS, LOOKS, type Regime } from './regime.js'
import {
  mulberry32,
  normal,
  RequestArm,
  requests,
  UserPopulation,
  type Draw,
  type Stream
} from './streams.js'
import { addCluster, emptyMoments } from '../../src/sketch/moments.js'
import { sketches, type Scored } from '../../src/judge/fold.js'

const ALPHA = 0.05
const MIN_SAMPLES = 300

/**
 * Runs `replicates` replicates of 60 looks (replicate i seeded with seed + i) and counts those
 * whose decision-grade interval excluded `truth` at any look. The note gives the share of looks
 * at which the gate had a decision-grade interval; below half, the gate holds in this regime.
 */
export function sequential(
  replicates: number,
  seed: number,
  o: {
    spec: MetricSpec
    truth: number
    gate: GateOptions
    stream: (rand: () => number) => Stream
  }
): { misses: number; replicates: number; note: string } {
  let misses = 0
  let decided = 0
  let method = ''

  const firstLooks: number[] = []
  const minSamples = o.spec.minSamples ?? o.gate.minSamples
  for (let i = 0; i < replicates; i++) {
    const rand = mulberry32(seed + i)
    const stream = o.stream(rand)
    let missed = false
    let first = 0
    for (let look = 1; look <= LOOKS; look++) {
      const { baseline, canary } = stream.look(rand)
      const r: MetricResult = gateResult(o.spec, baseline, canary, o.gate)
      method = r.method
      if (!decisionGrade(r, minSamples, o.spec.reference !== undefined)) continue
      decided++
      if (first === 0) first = look
      if (!holds(r.delta, o.truth, o.gate.side)) missed = true
    }
    if (missed) misses++
    if (first > 0) firstLooks.push(first)
  }
  const share = decided / (replicates * LOOKS)
  firstLooks.sort((a, b) => a - b)
  const median = firstLooks[Math.floor(firstLooks.length / 2)]
  const where = `decision-grade intervals at ${(100 * share).toFixed(0)}% of looks${median !== undefined ? `, from look ${median} (median)` : ', never'}; method: ${method}`
  return { misses, replicates, note: share < 0.5 ? `${HOLDS} ${where}` : where }
}

/** Users of very unequal activity (1-200 requests each), assigned per user, with their own level. */
function users(
  opts: { users: number; share: number; level: Draw; sessionLooks?: number },
  value: (level: number, canary: boolean, rand: () => number) => number
) {
  return (rand: () => number): Stream => {
    const p = new UserPopulation(
      rand,
      {
        users: opts.users,
        canaryShare: opts.share,
        looks: LOOKS,
        maxRequests: 200,
        level: opts.level,
        ...(opts.sessionLooks !== undefined && { sessionLooks: opts.sessionLooks })
      },
      value
    )
    return {
      look(r) {
        p.step(r)
        return { baseline: p.sketch('baseline'), canary: p.sketch('canary') }
      }
    }
  }
}

const lognormal =
  (sigma: number, scale = 1): Draw =>
  rand =>
    scale * Math.exp(sigma * normal(rand))

const bernoulli =
  (p: number): Draw =>
  rand =>
    rand() < p ? 1 : 0

const clip01 = (v: number) => Math.min(1, Math.max(0, v))

/** A quality score: N(0.78, 0.15) clipped to [0, 1], times `factor` (<= 1, so still in [0, 1]). */
const score =
  (factor: number): Draw =>
  rand =>
    factor * clip01(0.78 + 0.15 * normal(rand))

const latencySpec = metricSpec({
  name: 'latency',
  from: 'latency_ms',
  kind: 'mean',
  better: 'lower',
  tolerance: { value: 0.1, relative: true }
})
const rateSpec = metricSpec({
  name: 'error rate',
  from: 'error',
  kind: 'rate',
  better: 'lower',
  tolerance: { value: 0.25, relative: true }
})
const scoreSpec = metricSpec({
  name: 'quality',
  from: 'score',
  kind: 'mean',
  better: 'higher',
  tolerance: { value: 0.02, relative: true }
})

/** The id and words of a regime that checks one end (the one-sided sequence a decision reads). */
const sideId = (side?: Side) => (side ? `-${side}-end` : '')
const sideWords = (side?: Side) => (side ? `; its ${side} end alone (one-sided)` : '')

function lognormalRegime(sigma: number, canaryPercent: number, perLook = 600, side?: Side): Regime {
  const truth = 0.05
  return {
    id: `lognormal-s${sigma}-canary${canaryPercent}${sideId(side)}`,
    description: `mean of lognormal(sigma ${sigma}) values, canary ${canaryPercent}% of ${perLook} requests per look, canary 5% higher; relative CS${sideWords(side)}`,
    alpha: ALPHA,
    fast: perLook > 1000 ? 30 : 50,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: latencySpec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: canaryPercent, minSamples: MIN_SAMPLES, side },
        stream: requests(
          lognormal(sigma),
          lognormal(sigma, 1 + truth),
          perLook,
          canaryPercent / 100
        )
      })
  }
}

function clusteredRegime(metric: 'latency' | 'score', canaryPercent: number, side?: Side): Regime {
  const truth = metric === 'latency' ? 0.05 : -0.02
  const population = canaryPercent >= 50 ? 2000 : 20000
  return {
    id: `clustered-${metric}-canary${canaryPercent}${sideId(side)}`,
    description: `${metric === 'latency' ? 'mean latency (user level lognormal(0.8) x request lognormal(1))' : 'mean quality score in [0, 1] (user level N(0.78, 0.12), request noise 0.12)'} of ${population} users with 1-200 requests each, assigned per user, canary ${canaryPercent}%, canary ${metric === 'latency' ? '5% higher' : '2% lower'}; relative CS clustered by user${sideWords(side)}`,
    alpha: ALPHA,
    fast: canaryPercent >= 50 ? 20 : 8,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: metric === 'latency' ? latencySpec : scoreSpec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: canaryPercent, minSamples: MIN_SAMPLES, side },
        stream: users(
          {
            users: population,
            share: canaryPercent / 100,
            level: metric === 'latency' ? lognormal(0.8) : rand => 0.78 + 0.12 * normal(rand)
          },
          metric === 'latency'
            ? (level, canary, rand) => (canary ? 1 + truth : 1) * level * Math.exp(normal(rand))
            : (level, canary, rand) =>
                (canary ? 1 + truth : 1) * clip01(level + 0.12 * normal(rand))
        )
      })
  }
}

/**
 * Users who arrive over the run and send all their requests within a 3-look session, with a
 * strong level of their own: early looks see few users with many requests each, so the minimum
 * sample is reached in requests long before it is in users.
 */
function sessionsRegime(metric: 'latency' | 'score'): Regime {
  const truth = metric === 'latency' ? 0.05 : -0.02
  return {
    id: `clustered-sessions-${metric}-canary50`,
    description: `${metric === 'latency' ? 'mean latency (user level lognormal(1.2) x request lognormal(1))' : 'mean quality score in [0, 1] (user level N(0.78, 0.15), request noise 0.1)'} of 2000 users with 1-200 requests each, all within a 3-look session starting at a random look, assigned per user at 50%, canary ${metric === 'latency' ? '5% higher' : '2% lower'}; relative CS clustered by user`,
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: metric === 'latency' ? latencySpec : scoreSpec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: users(
          {
            users: 2000,
            share: 0.5,
            sessionLooks: 3,
            level: metric === 'latency' ? lognormal(1.2) : rand => 0.78 + 0.15 * normal(rand)
          },
          metric === 'latency'
            ? (level, canary, rand) => (canary ? 1 + truth : 1) * level * Math.exp(normal(rand))
            : (level, canary, rand) => (canary ? 1 + truth : 1) * clip01(level + 0.1 * normal(rand))
        )
      })
  }
}

/** The judge's pairwise metric: its win rate against the fixed reference 0.5, absolute. */
export const PAIRWISE_JUDGE = metricSpec({
  name: 'judge',
  from: 'judge',
  kind: 'mean',
  better: 'higher',
  tolerance: { value: 0.05, relative: false },
  minSamples: 30,
  totalOnly: true,
  reference: 0.5
} as Partial<MetricSpec> & Pick<MetricSpec, 'tolerance' | 'kind'>)

/**
 * A pairwise judge that answers "tie" (0.5) 97% of the time and "baseline better" (0) 3%: the
 * canary's win rate is 0.485 against the fixed reference 0.5, which the judge encodes as a
 * zero-variance baseline of two clusters at 0.5. Runs of ties give a zero sample variance.
 */
function pairwiseJudgeRegime(): Regime {
  const truth = -0.015
  const spec = PAIRWISE_JUDGE
  return {
    id: 'judge-pairwise-mostly-ties',
    description:
      'pairwise judge win rate against the reference 0.5: 97% ties, 3% losses (truth -0.015), 10 pairs per look; near-zero sample variance',
    alpha: ALPHA,
    fast: 200,
    full: 1000,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: () => {
          const c = new RequestArm(rand => (rand() < 0.03 ? 0 : 0.5))
          const reference = emptyMoments()
          addCluster(reference, 0.5, 1)
          addCluster(reference, 0.5, 1)
          return {
            look(rand) {
              c.add(rand, 10)
              const canary = c.sketch()
              return { baseline: { moments: reference, requests: canary.requests }, canary }
            }
          }
        }
      })
  }
}

/** A pointwise judge whose baseline scores are all 0.8 and the canary's 0.8 but 3% at 0.3. */
function pointwiseJudgeRegime(): Regime {
  const truth = -0.015
  const spec = metricSpec({
    name: 'judge',
    from: 'judge',
    kind: 'mean',
    better: 'higher',
    tolerance: { value: 0.05, relative: false },
    minSamples: 30,
    totalOnly: true
  })
  return {
    id: 'judge-pointwise-near-constant',
    before: 'a zero-variance score passed at 30 pairs',
    description:
      'pointwise judge scores: baseline always 0.8, canary 0.8 except 3% at 0.3 (truth -0.015), 10 per arm per look; zero sample variance until the first low score',
    alpha: ALPHA,
    fast: 60,
    full: 1000,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: requests(
          () => 0.8,
          rand => (rand() < 0.03 ? 0.3 : 0.8),
          20,
          0.5
        )
      })
  }
}

/**
 * The judge's pairwise win rate as the judge folds it (src/judge/fold.ts): pair scores, each the
 * mean of two orders, clustered by user, whose pairs share the user's level (0.275 or 0.575, so
 * the canary's win rate is 0.425, 0.075 under the reference 0.5; an intra-user correlation of
 * about 0.2), 2 to 4 pairs a user, 5 users a look. The interval must cover the truth with the
 * design effect estimated from the clusters and the per-pair sum of squares the fold keeps.
 */
function clusteredJudgeRegime(): Regime {
  const truth = -0.075
  const spec = PAIRWISE_JUDGE
  const unit = { lower: 0, upper: 1 }
  return {
    id: 'judge-pairwise-clustered-users',
    description:
      "pairwise judge win rate folded by the judge, clustered by user: each user's 2-4 pairs share a level of 0.275 or 0.575 (truth -0.075), 5 users per look",
    alpha: ALPHA,
    fast: 200,
    full: 1000,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec,
        truth,
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: () => {
          const scored: Scored[] = []
          let user = 0
          return {
            look(rand) {
              for (let k = 0; k < 5; k++, user++) {
                const level = rand() < 0.5 ? 0.275 : 0.575
                const pairs = 2 + Math.floor(rand() * 3)
                for (let j = 0; j < pairs; j++) {
                  const s = ((rand() < level ? 1 : 0) + (rand() < level ? 1 : 0)) / 2
                  scored.push({ arm: 'canary', s, unit: `u${user}` })
                }
              }
              const { baseline, canary } = sketches(scored, 'pairwise', true, {
                baseline: unit,
                canary: unit
              })
              return { baseline, canary }
            }
          }
        }
      })
  }
}

export const regimes: Regime[] = [
  { ...lognormalRegime(1.5, 50), before: '0.7%' },
  { ...lognormalRegime(1.5, 5), before: '8.0% (22% counting looks from n = 30)' },
  { ...lognormalRegime(2, 5), before: '15.9%' },
  lognormalRegime(1, 1, 3000),
  {
    id: 'bernoulli-p0.005-relative-canary50',
    before: '11.4%',
    description:
      'error rate 0.5% in the baseline, 0.6% in the canary (truth +20%), 600 requests per look at 50%; relative CS',
    alpha: ALPHA,
    fast: 30,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: rateSpec,
        truth: 0.2,
        gate: { alpha: ALPHA, canaryWeight: 50, minSamples: MIN_SAMPLES },
        stream: requests(bernoulli(0.005), bernoulli(0.006), 600, 0.5)
      })
  },
  {
    id: 'bernoulli-p0.005-relative-canary5',
    description:
      'error rate 0.5% in the baseline, 0.6% in the canary (truth +20%), 3000 requests per look at 5%; relative CS',
    alpha: ALPHA,
    fast: 40,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: rateSpec,
        truth: 0.2,
        gate: { alpha: ALPHA, canaryWeight: 5, minSamples: MIN_SAMPLES },
        stream: requests(bernoulli(0.005), bernoulli(0.006), 3000, 0.05)
      })
  },
  { ...clusteredRegime('latency', 50), before: '18.0% (clustered users, 50%)' },
  {
    ...clusteredRegime('latency', 5),
    before: '34.8% (13.0% counting only looks with >= 1,000 canary users)'
  },
  clusteredRegime('score', 50),
  clusteredRegime('score', 5),
  sessionsRegime('latency'),
  sessionsRegime('score'),
  {
    id: 'score-canary1',
    description:
      'quality score N(0.78, 0.15) clipped to [0, 1], canary 2% lower, 1% canary of 3000 requests per look; relative CS',
    alpha: ALPHA,
    fast: 30,
    full: 500,
    run: (replicates, seed) =>
      sequential(replicates, seed, {
        spec: scoreSpec,
        truth: -0.02,
        gate: { alpha: ALPHA, canaryWeight: 1, minSamples: MIN_SAMPLES },
        stream: requests(score(1), score(0.98), 3000, 0.01)
      })
  },
  pairwiseJudgeRegime(),
  pointwiseJudgeRegime(),
  clusteredJudgeRegime(),
  // One end alone, from the one-sided sequence a decision reads (mixture.ts, boundaryMultiplier):
  // a latency's promotion reads the upper end, its rollback the lower end.
  lognormalRegime(1.5, 50, 600, 'upper'),
  lognormalRegime(1.5, 5, 600, 'upper'),
  lognormalRegime(1, 1, 3000, 'lower'),
  clusteredRegime('latency', 50, 'lower'),
  clusteredRegime('latency', 5, 'upper')
]
