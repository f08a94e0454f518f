/**
 * Regimes of an aggregating source (Prometheus): arms assigned per user, but the data are
 * per-request counters summed per time bucket, with no user in them. The gate must not claim
 * request-level precision there (issue 12): its quality interval, and its traffic-split test, are
 * run through analyze() on evidence shaped as PrometheusSource builds it (one cell per arm and
 * bucket; a mean from sum, count and sum of squares; unitLevel false).
 */
import type { StepTStar } from '../../src/analysis/types.js'
import { analyze } from '../../src/analysis/analyze.js'
import type { Policy } from '../../src/policy/types.js'
import { emptyQuality, TOTAL_SEGMENT, type Cell, type Evidence } from '../../src/sketch/evidence.js'
import type { MetricSketch } from '../../src/sketch/types.js'
import { testPolicy } from '../helpers/analysis.js'
import { HOLDS, LOOKS, type Regime } from './regime.js'
import { binomial, mulberry32, normal, UserPopulation, type PeriodTotals } from './streams.js'

const ALPHA = 0.05
const BUCKET = 5 * 60_000

function policy(designEffect?: number, assignment?: 'request'): Policy {
  const base = testPolicy()
  return {
    ...base,
    arms: {
      ...base.arms,
      ...(designEffect !== undefined && { designEffect }),
      ...(assignment && { assignment })
    },
    rollout: { ...base.rollout, minSamples: 300 },
    confidence: 1 - ALPHA,
    trafficSplit: { alpha: ALPHA },
    bucket: BUCKET,
    metrics: [
      {
        name: 'quality',
        from: 'score',
        kind: 'mean',
        better: 'higher',
        tolerance: { value: 0.02, relative: true },
        mode: 'gate',
        path: 'metrics[0]'
      }
    ]
  }
}

/** A cell as PrometheusSource builds it from sum, count and sum-of-squares counters. */
function cell(arm: 'baseline' | 'canary', bucket: number, t: PeriodTotals): Cell {
  const n = t.requests
  const sketch: MetricSketch = {
    moments: { n, sx: t.sum, sy: n, syy: n, sxy: t.sum, sxx: t.squares },
    requests: n
  }
  return {
    arm,
    segment: TOTAL_SEGMENT,
    bucket,
    requests: n,
    units: 0,
    metrics: [sketch],
    models: {},
    errors: {}
  }
}

const clip01 = (v: number) => Math.min(1, Math.max(0, v))

/** One 5-minute bucket of per-request counters, per arm. */
type Bucket = { baseline: PeriodTotals; canary: PeriodTotals }
type Check = (a: ReturnType<typeof analyze>) => { decided: boolean; miss: boolean }

/**
 * `replicates` replicates of LOOKS looks: each look adds a bucket from the replicate's `buckets`
 * (seeded with seed + i) and runs analyze() on the evidence so far, shaped as PrometheusSource
 * builds it; `check` says whether the analysis at a look misses (and whether it decided at all).
 */
function simulate(
  replicates: number,
  seed: number,
  o: {
    policy: Policy
    share: number
    buckets: (rand: () => number) => () => Bucket
    check: Check
    /** What is tested, when not the quality metric's interval. */
    method?: string
    /** What the note says was declared. */
    declared: string
  }
): { misses: number; replicates: number; note: string } {
  let misses = 0
  let decided = 0
  let method = ''
  for (let i = 0; i < replicates; i++) {
    const rand = mulberry32(seed + i)
    const next = o.buckets(rand)
    const cells: Cell[] = []
    let missed = false
    // Planned at the first look and kept for the others, as the rollout state keeps it.
    let tStar: StepTStar | undefined
    for (let look = 1; look <= LOOKS; look++) {
      const served = next()
      const bucket = (look - 1) * BUCKET
      cells.push(cell('baseline', bucket, served.baseline), cell('canary', bucket, served.canary))
      const evidence: Evidence = {
        source: 'prometheus (simulated)',
        window: { from: 0, to: look * BUCKET },
        bucketMs: BUCKET,
        metrics: ['quality'],
        unitLevel: false,
        aggregated: true,
        cells: [...cells],
        quality: { ...emptyQuality(), records: 1, lines: 1 }
      }
      const analysis = analyze(o.policy, evidence, 100 * o.share, false, tStar ? { tStar } : {})
      tStar ??= analysis.tStar
      method = o.method ?? analysis.metrics[0]?.method ?? method
      const c = o.check(analysis)
      if (c.decided) decided++
      if (c.miss) missed = true
    }
    if (missed) misses++
  }
  const share = decided / (replicates * LOOKS)
  const where = `decided at ${(100 * share).toFixed(0)}% of looks${o.declared}; method: ${method}`
  return { misses, replicates, note: share < 0.5 ? `${HOLDS} ${where}` : where }
}

/**
 * Users with 1-200 requests each and their own quality level, assigned per user at `share`;
 * each look adds a 5-minute bucket of their per-request counters.
 */
function run(
  replicates: number,
  seed: number,
  o: {
    users: number
    share: number
    factor: number
    /** Declare arms.designEffect as measured once on a pilot population's logs (with users). */
    declare: boolean
    method?: string
    check: Check
  }
): { misses: number; replicates: number; note: string } {
  const p = policy(o.declare ? pilotDesignEffect(o.users, o.share) : undefined)
  const declared = p.arms.designEffect
  return simulate(replicates, seed, {
    policy: p,
    share: o.share,
    check: o.check,
    ...(o.method && { method: o.method }),
    declared: declared ? `; arms.designEffect ${declared.toFixed(1)} declared` : '',
    buckets: rand => {
      const population = new UserPopulation(
        rand,
        {
          users: o.users,
          canaryShare: o.share,
          looks: LOOKS,
          maxRequests: 200,
          level: r => 0.78 + 0.12 * normal(r)
        },
        (level, canary, r) => (canary ? o.factor : 1) * clip01(level + 0.12 * normal(r))
      )
      return () => population.step(rand)
    }
  })
}

/**
 * Each request assigned on its own (`arms.assignment: request`, declared): `perLook` requests per
 * 5-minute bucket, a Binomial(perLook, share) of them canary, each with an independent quality
 * score N(0.78, 0.17) clipped to [0, 1] (times `factor` on the canary).
 */
function runRequests(
  replicates: number,
  seed: number,
  o: { perLook: number; share: number; factor: number; method?: string; check: Check }
): { misses: number; replicates: number; note: string } {
  const totals = (rand: () => number, n: number, factor: number): PeriodTotals => {
    let sum = 0
    let squares = 0
    for (let i = 0; i < n; i++) {
      const x = factor * clip01(0.78 + 0.17 * normal(rand))
      sum += x
      squares += x * x
    }
    return { requests: n, sum, squares }
  }
  return simulate(replicates, seed, {
    policy: policy(undefined, 'request'),
    share: o.share,
    check: o.check,
    ...(o.method && { method: o.method }),
    declared: '; arms.assignment: request declared',
    buckets: rand => () => {
      const canary = binomial(rand, o.perLook, o.share)
      return {
        baseline: totals(rand, o.perLook - canary, 1),
        canary: totals(rand, canary, o.factor)
      }
    }
  })
}

/**
 * What a user would declare: requests per user weighted by requests, sum m^2 / sum m, over a
 * whole step, measured once on logs that carry the user (a pilot population of another seed).
 */
function pilotDesignEffect(users: number, share: number): number {
  const rand = mulberry32(424242)
  const pilot = new UserPopulation(
    rand,
    { users, canaryShare: share, looks: LOOKS, maxRequests: 200, level: () => 0.78 },
    () => 0.78
  )
  for (let look = 1; look <= LOOKS; look++) pilot.step(rand)
  return pilot.requestsPerUserWeighted()
}

const qualityCheck = (a: ReturnType<typeof analyze>) => {
  const m = a.metrics[0]
  if (!m) return { decided: false, miss: false }
  const decided =
    m.n.baseline >= 300 &&
    m.n.canary >= 300 &&
    Number.isFinite(m.delta.lower) &&
    Number.isFinite(m.delta.upper)
  return { decided, miss: decided && !(m.delta.lower <= -0.02 && -0.02 <= m.delta.upper) }
}

const SPLIT =
  'sequential sample-ratio test (Lindon & Malek 2022) on request counts divided by the design effect of per-user arms; a mismatch blocks only with a declared design effect'

const splitCheck = (a: ReturnType<typeof analyze>) => {
  const split = a.checks.find(c => c.name === 'traffic-split')
  const tested = split !== undefined && !split.detail.startsWith('not tested')
  return { decided: tested, miss: split?.status === 'block' }
}

export const regimes: Regime[] = [
  {
    id: 'prometheus-clustered-quality',
    before: 'interval excluded the truth in 16/20 runs',
    description:
      'mean quality from Prometheus counters (sum, count, sum of squares per 5-minute bucket) of 2000 users with 1-200 requests each and their own level, assigned per user at 50%, canary 2% lower, no design effect declared; relative CS',
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) =>
      run(replicates, seed, {
        users: 2000,
        share: 0.5,
        factor: 0.98,
        declare: false,
        check: qualityCheck
      })
  },
  {
    id: 'prometheus-clustered-quality-declared',
    description:
      "the same, with arms.designEffect declared as requests per user weighted by requests (sum m^2 / sum m), measured once on a pilot population's logs",
    alpha: ALPHA,
    fast: 8,
    full: 500,
    run: (replicates, seed) =>
      run(replicates, seed, {
        users: 2000,
        share: 0.5,
        factor: 0.98,
        declare: true,
        check: qualityCheck
      })
  },
  {
    id: 'prometheus-split-aa-clustered',
    before: 'false alarms in 16/20 runs',
    description:
      'traffic-split test on Prometheus request counters per 5-minute bucket, 2000 users with 1-200 requests each assigned per user at 25% (A/A: the split is right), no design effect declared; a miss is a false sample-ratio block',
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) =>
      run(replicates, seed, {
        users: 2000,
        share: 0.25,
        factor: 1,
        declare: false,
        check: splitCheck,
        method: SPLIT
      })
  },
  {
    id: 'prometheus-split-aa-declared',
    description:
      'the same A/A split test with arms.designEffect declared (requests per user weighted by requests, from a pilot population); a miss is a false sample-ratio block',
    alpha: ALPHA,
    fast: 8,
    full: 500,
    run: (replicates, seed) =>
      run(replicates, seed, {
        users: 2000,
        share: 0.25,
        factor: 1,
        declare: true,
        check: splitCheck,
        method: SPLIT
      })
  },
  {
    id: 'prometheus-split-aa-request',
    description:
      'traffic-split test on Prometheus request counters per 5-minute bucket, 400 requests each, every request assigned on its own at 25% (arms.assignment: request declared; A/A); a miss is a false sample-ratio block',
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) =>
      runRequests(replicates, seed, {
        perLook: 400,
        share: 0.25,
        factor: 1,
        check: splitCheck,
        method: 'sequential sample-ratio test (Lindon & Malek 2022) on request counts'
      })
  },
  {
    id: 'prometheus-request-quality',
    description:
      'mean quality score from Prometheus sum, count and sum-of-squares counters per 5-minute bucket, 400 requests each, every request assigned on its own at 25% (arms.assignment: request declared), canary 2% lower; relative CS',
    alpha: ALPHA,
    fast: 20,
    full: 500,
    run: (replicates, seed) =>
      runRequests(replicates, seed, {
        perLook: 400,
        share: 0.25,
        factor: 0.98,
        check: qualityCheck
      })
  }
]
