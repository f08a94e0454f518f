/**
 * A seeded world for the validity of the regression-adjusted (CUPED) confidence sequence
 * (src/stats/cs/regressionAdjusted.ts): users assigned to the arms at random, each with a
 * persistent level and an activity of 1 to `maxRequests` requests over the step, observed at
 * `looks` evenly spaced looks, with a pre-exposure period (every user on the baseline) before.
 * Per request: level * lognormal(requestSigma) noise * the canary's effect, optionally times a
 * request covariate's effect. Reduced the way the file source reduces records: per-unit sums into
 * AdjustedMoments (adjusted CS) and RatioMoments (the unadjusted CS, src/stats/cs/ratio.ts).
 */
import { mulberry32, normal } from '../../examples/generate-traffic.js'
import { addAdjustedCluster, emptyAdjusted } from '../../src/sketch/adjustedMoments.js'
import { addCluster, emptyMoments } from '../../src/sketch/moments.js'
import type { AdjustedMoments, RatioMoments } from '../../src/sketch/types.js'
import { ratioDifferenceCS } from '../../src/stats/cs/ratio.js'
import { regressionAdjustedCS } from '../../src/stats/cs/regressionAdjusted.js'

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
  looks: number
  alpha: number
  /** A look counts once the canary has this many units (the minimum sample, in units). */
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
    missedAt: [],
    decided: [],
    decidedUnadjusted: []
  }
  const random = mulberry32(seed)
  const covariates = w.requestCovariate ? ['z'] : []
  const d = 5 + covariates.length
  const tStar = Math.round(w.users / 2)
  for (let rep = 0; rep < replicates; rep++) {
    const world = drawUsers(w, random)
    const adjusted = [emptyAdjusted(covariates), emptyAdjusted(covariates)]
    const moments = [emptyMoments(), emptyMoments()]
    const before = new Float64Array(d)
    const after = new Float64Array(d)
    let missed = false
    let missedUnadjusted = false
    let decided: Decision | undefined
    let decidedUnadjusted: Decision | undefined
    const decide = (i: { lower: number; upper: number }, look: number, units: number) =>
      i.upper < w.tolerance
        ? { look, canaryUnits: units, verdict: 'promote' as const }
        : i.lower > w.tolerance
          ? { look, canaryUnits: units, verdict: 'rollback' as const }
          : undefined
    for (let look = 0; look < w.looks; look++) {
      // Each user with requests at this look: its cluster's old vector out, its new one in.
      for (let e = world.lookStart[look]!; e < world.lookStart[look + 1]!; e++) {
        const i = world.eventUser[e]!
        const arm = world.canary[i]!
        const had = world.sums[3 * i + 1]! > 0
        if (had) fill(before, world, i)
        world.sums[3 * i] = world.sums[3 * i]! + world.eventValue[e]!
        world.sums[3 * i + 1] = world.sums[3 * i + 1]! + 1
        world.sums[3 * i + 2] = world.sums[3 * i + 2]! + world.eventZ[e]!
        fill(after, world, i)
        replaceCluster(adjusted[arm]!, moments[arm]!, had ? before : undefined, after)
      }
      if (moments[1]!.n < w.minCanaryUnits) continue
      const opts = { relative: true, tStar }
      const a = regressionAdjustedCS(adjusted[0]!, adjusted[1]!, w.alpha, opts)
      const plain = ratioDifferenceCS(moments[0]!, moments[1]!, w.alpha, opts)
      const shown = a.interval ?? plain
      if (!missed && !(shown.lower <= w.effect && w.effect <= shown.upper)) {
        missed = true
        out.missedAt.push(moments[1]!.n * (a.interval ? 1 : -1))
      }
      if (!(plain.lower <= w.effect && w.effect <= plain.upper)) missedUnadjusted = true
      decided ??= decide(shown, look, moments[1]!.n)
      decidedUnadjusted ??= decide(plain, look, moments[1]!.n)
      if (look === w.looks - 1) {
        out.widthRatio += (shown.upper - shown.lower) / (plain.upper - plain.lower) / replicates
        out.varianceReduction += (a.varianceReduction || 0) / replicates
        if (!a.interval) out.fellBack++
      }
    }
    if (missed) out.misses++
    if (missedUnadjusted) out.unadjustedMisses++
    out.decided.push(decided)
    out.decidedUnadjusted.push(decidedUnadjusted)
  }
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
  let total = 0
  for (let i = 0; i < u; i++) {
    const rate = Math.exp(random() * Math.log(w.maxRequests))
    level[i] = Math.exp(w.userSigma * normal(random))
    canary[i] = random() < w.canaryShare ? 1 : 0
    // The pre-exposure period: every user on the baseline, at its own level (or a fresh one).
    const preLevel = w.persistentLevel ? level[i]! : Math.exp(w.userSigma * normal(random))
    const m = poisson(random, rate * w.preRatio)
    let x = 0
    for (let r = 0; r < m; r++) x += preLevel * noise(w.requestSigma)
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
      let v = level[i]! * noise(w.requestSigma) * lift
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
}

function removeCluster(m: RatioMoments, x: number, y: number): void {
  m.n -= 1
  m.sx -= x
  m.sy -= y
  m.sxx -= x * x
  m.syy -= y * y
  m.sxy -= x * y
}
