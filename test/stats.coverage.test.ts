/**
 * Seeded simulations: do the confidence sequences cover at every look, and does the SRM test
 * keep its false-alarm rate under repeated looks? Each replicate looks 20 times at growing data
 * and counts as a miss if any look misses. Observed rates are printed.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { quantileCS, quantileDifferenceCS } from '../src/stats/cs/quantile.js'
import { ratioDifferenceCS } from '../src/stats/cs/ratio.js'
import { type QuantileSketchLike } from '../src/stats/cs/types.js'
import { sampleRatioTest } from '../src/stats/sampleRatio.js'
import type { RatioMoments } from '../src/sketch/types.js'

const ALPHA = 0.05
const SLACK = 0.03
const REPLICATES = 400
const LOOKS = 20

function exponential(random: () => number, rate: number): number {
  return -Math.log(1 - random()) / rate
}

/** An exact sketch over the values seen so far. */
function exactSketch(values: number[], distortion = 1): QuantileSketchLike {
  const sorted = Float64Array.from(values).sort()
  return {
    count: sorted.length,
    valueAtRank: rank => sorted[rank - 1]! * distortion,
    relativeAccuracy: distortion - 1
  }
}

function report(name: string, misses: number, replicates: number): number {
  const rate = misses / replicates
  console.log(`${name}: ${misses}/${replicates} = ${rate.toFixed(4)}`)
  return rate
}

describe('coverage of the mean-difference CS at every look', () => {
  it('covers the absolute and relative difference of two normal arms (25% canary)', () => {
    const random = mulberry32(20240601)
    const trueBaseline = 10
    const trueCanary = 10.5
    let missAbsolute = 0
    let missRelative = 0
    for (let rep = 0; rep < REPLICATES; rep++) {
      const baseline = emptyMoments()
      const canary = emptyMoments()
      let coveredAbsolute = true
      let coveredRelative = true
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 90; i++) addCluster(baseline, trueBaseline + 2 * normal(random), 1)
        for (let i = 0; i < 30; i++) addCluster(canary, trueCanary + 3 * normal(random), 1)
        const abs = ratioDifferenceCS(baseline, canary, ALPHA, { relative: false, tStar: 1000 })
        const rel = ratioDifferenceCS(baseline, canary, ALPHA, { relative: true, tStar: 1000 })
        const trueAbs = trueCanary - trueBaseline
        const trueRel = trueCanary / trueBaseline - 1
        if (!(abs.lower <= trueAbs && trueAbs <= abs.upper)) coveredAbsolute = false
        if (!(rel.lower <= trueRel && trueRel <= rel.upper)) coveredRelative = false
      }
      if (!coveredAbsolute) missAbsolute++
      if (!coveredRelative) missRelative++
    }
    expect(
      report('mean difference, absolute, miscoverage', missAbsolute, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
    expect(
      report('mean difference, relative, miscoverage', missRelative, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
  })

  it('covers a difference of per-request means clustered by user (correlated requests)', () => {
    const random = mulberry32(7)
    // Each user has 1..6 requests sharing a user effect; the per-request mean is mu.
    const addUser = (m: RatioMoments, mu: number) => {
      const requests = 1 + Math.floor(random() * 6)
      const userEffect = 2 * normal(random)
      let sum = 0
      for (let r = 0; r < requests; r++) sum += mu + userEffect + normal(random)
      addCluster(m, sum, requests)
    }
    let misses = 0
    for (let rep = 0; rep < REPLICATES; rep++) {
      const baseline = emptyMoments()
      const canary = emptyMoments()
      let covered = true
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 50; i++) addUser(baseline, 5)
        for (let i = 0; i < 50; i++) addUser(canary, 5.2)
        const d = ratioDifferenceCS(baseline, canary, ALPHA, { relative: false, tStar: 1000 })
        if (!(d.lower <= 0.2 && 0.2 <= d.upper)) covered = false
      }
      if (!covered) misses++
    }
    expect(
      report('clustered ratio difference, miscoverage', misses, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
  })
})

describe('coverage of the quantile CS at every look', () => {
  const q = 0.9
  const trueQuantile = (rate: number) => Math.log(10) / rate // exponential: -log(1 - q) / rate

  it('covers the 0.9-quantile of exponential data, exact and through a biased sketch', () => {
    const random = mulberry32(99)
    let missExact = 0
    let missSketch = 0
    for (let rep = 0; rep < REPLICATES; rep++) {
      const values: number[] = []
      let coveredExact = true
      let coveredSketch = true
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 50; i++) values.push(exponential(random, 1))
        const exact = quantileCS(exactSketch(values), q, ALPHA, 500)
        // A sketch that reads every value 2% high, and says so through its accuracy.
        const biased = quantileCS(exactSketch(values, 1.02), q, ALPHA, 500)
        const truth = trueQuantile(1)
        if (!(exact.lower <= truth && truth <= exact.upper)) coveredExact = false
        if (!(biased.lower <= truth && truth <= biased.upper)) coveredSketch = false
      }
      if (!coveredExact) missExact++
      if (!coveredSketch) missSketch++
    }
    expect(
      report('quantile, exact sketch, miscoverage', missExact, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
    expect(
      report('quantile, biased sketch, miscoverage', missSketch, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
  })

  it('covers the difference of the 0.9-quantiles of two arms, absolute and relative', () => {
    const random = mulberry32(4242)
    const truthAbs = trueQuantile(0.8) - trueQuantile(1)
    const truthRel = 1 / 0.8 - 1
    let missAbs = 0
    let missRel = 0
    for (let rep = 0; rep < REPLICATES; rep++) {
      const baseline: number[] = []
      const canary: number[] = []
      let coveredAbs = true
      let coveredRel = true
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 40; i++) baseline.push(exponential(random, 1))
        for (let i = 0; i < 40; i++) canary.push(exponential(random, 0.8))
        const b = exactSketch(baseline)
        const c = exactSketch(canary)
        const abs = quantileDifferenceCS(b, c, q, ALPHA, {
          relative: false,
          tStar: { baseline: 500, canary: 500 }
        })
        const rel = quantileDifferenceCS(b, c, q, ALPHA, {
          relative: true,
          tStar: { baseline: 500, canary: 500 }
        })
        if (!(abs.lower <= truthAbs && truthAbs <= abs.upper)) coveredAbs = false
        if (!(rel.lower <= truthRel && truthRel <= rel.upper)) coveredRel = false
      }
      if (!coveredAbs) missAbs++
      if (!coveredRel) missRel++
    }
    expect(
      report('quantile difference, absolute, miscoverage', missAbs, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
    expect(
      report('quantile difference, relative, miscoverage', missRel, REPLICATES)
    ).toBeLessThanOrEqual(ALPHA + SLACK)
  })
})

describe('sequential sample-ratio test', () => {
  /** Adds `units` Bernoulli(share) assignments to the counts. */
  function assign(
    counts: { baseline: number; canary: number },
    units: number,
    share: number,
    random: () => number
  ): void {
    for (let i = 0; i < units; i++) {
      if (random() < share) counts.canary++
      else counts.baseline++
    }
  }

  it('keeps its false-alarm rate under 20 looks when the split is right', () => {
    const random = mulberry32(12345)
    let alarms = 0
    for (let rep = 0; rep < REPLICATES; rep++) {
      const counts = { baseline: 0, canary: 0 }
      let alarmed = false
      for (let look = 0; look < LOOKS; look++) {
        assign(counts, 500, 0.2, random)
        if (sampleRatioTest(counts, 0.2, ALPHA).mismatch) alarmed = true
      }
      if (alarmed) alarms++
    }
    expect(report('SRM false alarms under the null', alarms, REPLICATES)).toBeLessThanOrEqual(
      ALPHA + SLACK
    )
  })

  it('detects a 10% relative imbalance at 20000 units', () => {
    const random = mulberry32(777)
    const replicates = 200
    let detected = 0
    for (let rep = 0; rep < replicates; rep++) {
      const counts = { baseline: 0, canary: 0 }
      // The step asks for 25% canary; the router sends 27.5%.
      assign(counts, 20000, 0.275, random)
      if (sampleRatioTest(counts, 0.25, ALPHA).mismatch) detected++
    }
    expect(
      report('SRM power, 25% expected vs 27.5% observed, n = 20000', detected, replicates)
    ).toBeGreaterThanOrEqual(0.95)
  })
})
