/**
 * Cases of `npm run bench:stats` (bench/stats.bench.ts) for means, rates and bounded scores: each
 * confidence sequence's half-width at the sample where decisions are expected, against the
 * fixed-sample interval at the same n and the same alpha (z_{1 - alpha/2} times the standard
 * error). Another file `bench/*.cases.ts` exporting `cases: BenchCase[]` adds its rows.
 */
import { tStar } from '../src/analysis/analyze.js'
import {
  boundedContrastCS,
  boundedCS,
  boundedRatioCS,
  JointRegion,
  type BoundedArm
} from '../src/stats/cs/bernstein.js'
import { ratioDifferenceCS } from '../src/stats/cs/ratio.js'
import { normalQuantile } from '../src/stats/normal.js'
import type { RatioMoments } from '../src/sketch/types.js'

export interface BenchCase {
  id: string
  description: string
  /** Half-widths of the CS and of the fixed-n interval at the same n and alpha, and that n. */
  run(): { cs: number; fixed: number; n: string }
}

/** One gating metric's alpha in the speed simulation's policy: 5% over 4 steps, 4 metrics. */
export const ALPHA = ((0.05 / 4) * 0.9) / 4

const z = (alpha: number) => normalQuantile(1 - alpha / 2)

/** Exact moments of n clusters of one request with mean m and sd s (the data's own). */
function moments(n: number, m: number, s: number): RatioMoments {
  const sxx = n * (s * s + m * m)
  return { n, sx: n * m, sy: n, sxx, syy: n, sxy: n * m }
}

const arm = (n: number, m: number, s: number): BoundedArm => ({
  n,
  sum: n * m,
  squares: n * (s * s + m * m),
  designEffect: 1
})

/** A two-arm case at a 25% step where the canary has `nc` requests. */
function share(nc: number, canaryPercent = 25) {
  const nb = Math.round((nc * (100 - canaryPercent)) / canaryPercent)
  const t = tStar(300, canaryPercent)
  return { nb, nc, t }
}

function meanCase(nc: number, sd: number): BenchCase {
  return {
    id: `mean-asymptotic-n${nc}`,
    description: `asymptotic CS, absolute difference of means (sd ${sd}), 25% canary`,
    run() {
      const { nb, t } = share(nc)
      const d = ratioDifferenceCS(moments(nb, 1, sd), moments(nc, 1, sd), ALPHA, {
        relative: false,
        tStar: t.total
      })
      const se = sd * Math.sqrt(1 / nb + 1 / nc)
      return { cs: (d.upper - d.lower) / 2, fixed: z(ALPHA) * se, n: `${nc} + ${nb}` }
    }
  }
}

function boundedCase(
  nc: number,
  m: number,
  sd: number,
  relative: boolean,
  label: string
): BenchCase {
  return {
    id: `${label}-n${nc}${relative ? '-relative' : ''}`,
    description: `empirical-Bernstein CS, ${relative ? 'relative (Fieller)' : 'absolute'} change of a mean in [0, 1] (mean ${m}, sd ${sd}), 25% canary`,
    run() {
      const { nb, t } = share(nc)
      const region = new JointRegion(arm(nb, m, sd), arm(nc, m, sd), { lo: 0, hi: 1 }, ALPHA, {
        baseline: { tStar: t.baseline },
        canary: { tStar: t.canary }
      })
      const d = relative ? boundedRatioCS(region) : boundedContrastCS(region, 1)
      const se = (sd * Math.sqrt(1 / nb + 1 / nc)) / (relative ? m : 1)
      return { cs: (d.upper - d.lower) / 2, fixed: z(ALPHA) * se, n: `${nc} + ${nb}` }
    }
  }
}

function oneSampleCase(n: number, m: number, sd: number): BenchCase {
  return {
    id: `judge-pairwise-n${n}`,
    description: `empirical-Bernstein CS of one arm's mean against a fixed reference (mean ${m}, sd ${sd})`,
    run() {
      const cs = boundedCS(arm(n, m, sd), { lo: 0, hi: 1 }, ALPHA, { tStar: 300 })
      return { cs: (cs.upper - cs.lower) / 2, fixed: (z(ALPHA) * sd) / Math.sqrt(n), n: `${n}` }
    }
  }
}

export const cases: BenchCase[] = [
  meanCase(300, 1),
  meanCase(3000, 1),
  meanCase(30_000, 1),
  boundedCase(300, 0.78, 0.15, false, 'score'),
  boundedCase(3000, 0.78, 0.15, false, 'score'),
  boundedCase(3000, 0.78, 0.15, true, 'score'),
  boundedCase(30_000, 0.78, 0.15, true, 'score'),
  boundedCase(3000, 0.01, Math.sqrt(0.01 * 0.99), false, 'rate-1pct'),
  boundedCase(30_000, 0.01, Math.sqrt(0.01 * 0.99), false, 'rate-1pct'),
  oneSampleCase(200, 0.5, 0.35)
]
