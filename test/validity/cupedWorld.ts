/**
 * A seeded world for the validity of the regression-adjusted (CUPED) confidence sequence
 * (src/stats/cs/regressionAdjusted.ts): users assigned to the arms at random, each with a
 * persistent level and an activity of 1 to `maxRequests` requests over the step, observed at
 * `looks` evenly spaced looks, with a pre-exposure period (every user on the baseline) before.
 * Per request: level * lognormal(requestSigma) noise * the canary's effect, optionally times a
 * request covariate's effect. Reduced the way the file source reduces records (per-unit sums into
 * the RatioMoments and AdjustedMoments of each arm's sketch), and judged by the gate itself
 * (compareMetric through ./gate.ts, with its minimum sample in units and its skewness guard) for a
 * mean metric with `varianceReduction` and for the same metric without it.
 */
import { mulberry32, normal } from '../../examples/generate-traffic.js'
import type { MetricResult } from '../../src/analysis/types.js'
import type { MetricSpec } from '../../src/policy/types.js'
import { addAdjustedCluster, emptyAdjusted } from '../../src/sketch/adjustedMoments.js'
import { addCluster, emptyMoments } from '../../src/sketch/moments.js'
import type { AdjustedMoments, RatioMoments } from '../../src/sketch/types.js'
import { decisionGrade, gateResult, metricSpec, misses, type GateOptions } from './gate.js'

export interface CupedWorld {
  /** Canary share of users. */
  canaryShare: number
  users: number
  /** Requests per user over the whole step: log-uniform from 1 to this. */
  maxRequests: number
  /** Sigma of the users' lognormal levels (the per-user effect CUPED removes). */
  userSigma: number
  /** Sigma of the per-request lognormal noise (heavy tails). */
  requestSigma: number
  /** The canary's true relative change: every canary request times (1 + effect). */
  effect: number
  /** Pre-exposure activity relative to the step's (a lookback as long as the step: 1). */
  preRatio: number
  /**
   * false: the pre-exposure level is a fresh draw, unrelated to the user's level in the step (a
   * covariate that explains nothing).
   */
  persistentLevel: boolean
  /**
   * A request covariate z ~ N(0, 1) declared unaffected, multiplying the request's value by
   * exp(strength z - strength^2 / 2); 0 or absent: none.
   */
  requestCovariate?: number
  /**
   * A bounded score in [0, 1] instead of lognormal values (the metric is then a mean of `score`,
   * with its nonasymptotic sequence beside the adjusted one): each user's level N(mean, userSd),
   * each request's score clipped to [0, 0.95] around it (requestSd), times the canary's
   * (1 + effect); with `ties`, that share of requests score exactly 0.5 whoever sends them (a
   * judge that mostly answers "tie"), the rest 0 or 0.95 at the user's level.
   */
  score?: { mean: number; userSd: number; requestSd: number; ties?: number }
  looks: number
  alpha: number
  /** The gate's minimum sample per arm, in units (rollout.minSamples): looks before it hold. */
  minCanaryUnits: number
  /**
   * The relative tolerance the gate decides against (larger is worse): it promotes at the first
   * look whose upper bound is below it, rolls back at the first whose lower bound is above it.
   */
  tolerance: number
}

/** When a sequence first decided in a replicate: the look (0-based) and the canary's units then. */
export interface Decision {
  look: number
  canaryUnits: number
  verdict: 'promote' | 'rollback'
}

export interface WorldOutcome {
  misses: number
  unadjustedMisses: number
  replicates: number
  /** Mean over replicates, at the last look: adjusted / unadjusted relative half-width, and the variance reduction. */
  widthRatio: number
  varianceReduction: number
  /** Replicates where the adjusted CS was not used at the last look. */
  fellBack: number
  /**
   * Looks past the minimum sample at which the gate had no interval (its skewness guard held),
   * over all such looks: with and without the adjustment (the same guard, so the same looks).
   */
  heldShare: number
  /** Canary units at each missed replicate's first miss. */
  missedAt: number[]
  /**
   * Per replicate, the first decision against `tolerance` of the sequence the gate uses (adjusted,
   * or unadjusted where it falls back) and of the unadjusted one on the same data (undefined: no
   * decision by the last look).
   */
  decided: (Decision | undefined)[]
  decidedUnadjusted: (Decision | undefined)[]
}

function poisson(random: () => number, mean: number): number {
  // Knuth's multiplication method: means here are a few requests per look.
  const limit = Math.exp(-mean)
  let k = 0
  let p = random()
  while (p > limit) {
    k++
    p *= random()
  }
  return k
}

/**
 * Runs `replicates` seeded replicates of the world; misses are of the relative CS at the true
 * change, decisions against the world's tolerance (the time and users to decide, with and without
 * the adjustment).
 */
export function runWorld(w: CupedWorld, replicates: number, seed: number): WorldOutcome {
  const out: WorldOutcome = {
    misses: 0,
    unadjustedMisses: 0,
    replicates,
    widthRatio: 0,
    varianceReduction: 0,
    fellBack: 0,
    heldShare: 0,
    missedAt: [],
    decided: [],
    decidedUnadjusted: []
  }
  const random = mulberry32(seed)
  const covariates = w.requestCovariate ? ['z'] : []
  const d = 5 + covariates.length
  const plainSpec = metricSpec({
    kind: 'mean',
    ...(w.score && { from: 'score' }),
    tolerance: { value: w.tolerance, relative: true }
  })
  const cupedSpec: MetricSpec = {
    ...plainSpec,
    varianceReduction: {
      lookback: 86_400_000,
      covariates: covariates.map(field => ({ field, type: 'numeric' as const }))
    }
  }
  const gate: GateOptions = {
    alpha: w.alpha,
    canaryWeight: 100 * w.canaryShare,
    minSamples: w.minCanaryUnits
  }
  let pastMinimum = 0
  let held = 0
  for (let rep = 0; rep < replicates; rep++) {
    const world = drawUsers(w, random)
    const adjusted = [emptyAdjusted(covariates), emptyAdjusted(covariates)]
    const moments = [emptyMoments(), emptyMoments()]
    // Per-request sums of squares (a bounded mean's sequence reads them).
    const squares = [0, 0]
    const before = new Float64Array(d)
    const after = new Float64Array(d)
    let missed = false
    let missedUnadjusted = false
    let decided: Decision | undefined
    let decidedUnadjusted: Decision | undefined
    // The gate's own verdict against the tolerance (pass: promote, fail: roll back).
    const decide = (r: MetricResult, look: number, units: number): Decision | undefined =>
      r.verdict === 'pass'
        ? { look, canaryUnits: units, verdict: 'promote' }
        : r.verdict === 'fail'
          ? { look, canaryUnits: units, verdict: 'rollback' }
          : undefined
    for (let look = 0; look < w.looks; look++) {
      // Each user with requests at this look: its cluster's old vector out, its new one in.
      for (let e = world.lookStart[look]!; e < world.lookStart[look + 1]!; e++) {
        const i = world.eventUser[e]!
        const arm = world.canary[i]!
        const had = world.sums[3 * i + 1]! > 0
        if (had) fill(before, world, i)
        world.sums[3 * i] = world.sums[3 * i]! + world.eventValue[e]!
        squares[arm] = squares[arm]! + world.eventValue[e]! ** 2
        world.sums[3 * i + 1] = world.sums[3 * i + 1]! + 1
        world.sums[3 * i + 2] = world.sums[3 * i + 2]! + world.eventZ[e]!
        fill(after, world, i)
        replaceCluster(adjusted[arm]!, moments[arm]!, had ? before : undefined, after)
      }
      if (moments[1]!.n < w.minCanaryUnits) continue
      const sketch = (arm: number, cuped: boolean) => ({
        moments: moments[arm]!,
        requests: moments[arm]!.sy,
        ...(w.score && { requestSquares: squares[arm]! }),
        ...(cuped && { adjusted: adjusted[arm]! })
      })
      const a = gateResult(cupedSpec, sketch(0, true), sketch(1, true), gate)
      const plain = gateResult(plainSpec, sketch(0, false), sketch(1, false), gate)
      pastMinimum++
      if (!decisionGrade(a, w.minCanaryUnits)) held++
      const used = a.varianceReduction?.used === true
      if (!missed && misses(a, w.effect, w.minCanaryUnits)) {
        missed = true
        out.missedAt.push(moments[1]!.n * (used ? 1 : -1))
      }
      if (misses(plain, w.effect, w.minCanaryUnits)) missedUnadjusted = true
      decided ??= decide(a, look, moments[1]!.n)
      decidedUnadjusted ??= decide(plain, look, moments[1]!.n)
      if (look === w.looks - 1) {
        const width = (r: MetricResult) => r.delta.upper - r.delta.lower
        const ratio = width(a) / width(plain)
        out.widthRatio += (Number.isFinite(ratio) ? ratio : 1) / replicates
        out.varianceReduction += (a.varianceReduction?.varianceReduction ?? 0) / replicates
        if (!used) out.fellBack++
      }
    }
    if (missed) out.misses++
    if (missedUnadjusted) out.unadjustedMisses++
    out.decided.push(decided)
    out.decidedUnadjusted.push(decidedUnadjusted)
  }
  out.heldShare = pastMinimum > 0 ? held / pastMinimum : 0
  return out
}

interface Users {
  canary: Uint8Array
  pre: Float64Array
  /** Per user: the window's value sum, requests, covariate sum. */
  sums: Float64Array
  /** Requests sorted by look: events lookStart[k] .. lookStart[k + 1] - 1 arrive at look k. */
  lookStart: Int32Array
  eventUser: Int32Array
  eventValue: Float64Array
  eventZ: Float64Array
  covariates: boolean
}

/** Draws the users, their pre-exposure sums and every request of the step, sorted by look. */
function drawUsers(w: CupedWorld, random: () => number): Users {
  const u = w.users
  const canary = new Uint8Array(u)
  const pre = new Float64Array(2 * u)
  const counts = new Int32Array(u)
  const level = new Float64Array(u)
  const noise = (s: number) => Math.exp(s * normal(random) - (s * s) / 2)
  const sc = w.score
  const drawLevel = () =>
    sc ? sc.mean + sc.userSd * normal(random) : Math.exp(w.userSigma * normal(random))
  // One request's value at a level, before the canary's effect.
  const drawValue = (lvl: number): number => {
    if (!sc) return lvl * noise(w.requestSigma)
    if (sc.ties !== undefined) {
      if (random() < sc.ties) return 0.5
      return random() < lvl ? 0.95 : 0
    }
    return Math.min(0.95, Math.max(0, lvl + sc.requestSd * normal(random)))
  }
  let total = 0
  for (let i = 0; i < u; i++) {
    const rate = Math.exp(random() * Math.log(w.maxRequests))
    level[i] = drawLevel()
    canary[i] = random() < w.canaryShare ? 1 : 0
    // The pre-exposure period: every user on the baseline, at its own level (or a fresh one).
    const preLevel = w.persistentLevel ? level[i]! : drawLevel()
    const m = poisson(random, rate * w.preRatio)
    let x = 0
    for (let r = 0; r < m; r++) x += drawValue(preLevel)
    pre[2 * i] = x
    pre[2 * i + 1] = m
    counts[i] = poisson(random, rate)
    total += counts[i]!
  }
  const look = new Int32Array(total)
  const user = new Int32Array(total)
  const value = new Float64Array(total)
  const zs = new Float64Array(total)
  const lookStart = new Int32Array(w.looks + 1)
  let e = 0
  for (let i = 0; i < u; i++) {
    const lift = canary[i] ? 1 + w.effect : 1
    for (let r = 0; r < counts[i]!; r++, e++) {
      let v = drawValue(level[i]!) * lift
      if (w.requestCovariate) {
        const z = normal(random)
        const s = w.requestCovariate
        v *= Math.exp(s * z - (s * s) / 2)
        zs[e] = z
      }
      look[e] = Math.floor(random() * w.looks)
      user[e] = i
      value[e] = v
      lookStart[look[e]! + 1]!++
    }
  }
  for (let k = 0; k < w.looks; k++) lookStart[k + 1] = lookStart[k + 1]! + lookStart[k]!
  // Counting sort by look.
  const at = lookStart.slice(0, w.looks)
  const eventUser = new Int32Array(total)
  const eventValue = new Float64Array(total)
  const eventZ = new Float64Array(total)
  for (let j = 0; j < total; j++) {
    const p = at[look[j]!]!++
    eventUser[p] = user[j]!
    eventValue[p] = value[j]!
    eventZ[p] = zs[j]!
  }
  return {
    canary,
    pre,
    sums: new Float64Array(3 * u),
    lookStart,
    eventUser,
    eventValue,
    eventZ,
    covariates: w.requestCovariate !== undefined && w.requestCovariate !== 0
  }
}

/** The cluster vector v = (x, y, pre.x, pre.y, requests, z) of user i. */
function fill(v: Float64Array, world: Users, i: number): void {
  v[0] = world.sums[3 * i]!
  v[1] = world.sums[3 * i + 1]!
  v[2] = world.pre[2 * i]!
  v[3] = world.pre[2 * i + 1]!
  v[4] = world.sums[3 * i + 1]!
  if (world.covariates) v[5] = world.sums[3 * i + 2]!
}

/** Replaces a cluster's contribution (old vector, if it had one) by its new vector. */
function replaceCluster(
  adjusted: AdjustedMoments,
  moments: RatioMoments,
  before: Float64Array | undefined,
  after: Float64Array
): void {
  if (before) {
    removeAdjustedCluster(adjusted, before)
    removeCluster(moments, before[0]!, before[1]!)
  }
  addAdjustedCluster(adjusted, after)
  addCluster(moments, after[0]!, after[1]!)
}

function removeAdjustedCluster(m: AdjustedMoments, v: Float64Array): void {
  const d = v.length
  m.n -= 1
  if (v[3]! > 0) m.covered -= 1
  let p = 0
  for (let i = 0; i < d; i++) {
    m.sums[i] = m.sums[i]! - v[i]!
    for (let j = i; j < d; j++) m.products[p] = m.products[p++]! - v[i]! * v[j]!
  }
  const cubes = m.cubes
  if (!cubes) return
  let q = 0
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      for (let l = j; l < d; l++) cubes[q] = cubes[q++]! - v[i]! * v[j]! * v[l]!
    }
  }
}

function removeCluster(m: RatioMoments, x: number, y: number): void {
  m.n -= 1
  m.sx -= x
  m.sy -= y
  m.sxx -= x * x
  m.syy -= y * y
  m.sxy -= x * y
  if (m.sxxx !== undefined) {
    m.sxxx -= x * x * x
    m.sxxy = (m.sxxy ?? 0) - x * x * y
    m.sxyy = (m.sxyy ?? 0) - x * y * y
    m.syyy = (m.syyy ?? 0) - y * y * y
  }
}
