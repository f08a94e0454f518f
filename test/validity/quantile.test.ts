/**
 * Runs the quantile validity regimes (quantile.regimes.ts) at their `fast` replicates and prints
 * each observed miss rate with its binomial 95% interval. A stand-in until the validity suite's
 * runner (track 12a) globs test/validity/*.regimes.ts; the lead removes it at the merge.
 *
 * VALIDITY=full runs `full` replicates; VALIDITY_METHOD=main runs main's method (before issue 12);
 * VALIDITY_ONLY=text runs the regimes whose id contains it.
 */
import { describe, expect, it } from 'vitest'
import { normalQuantile } from '../../src/stats/normal.js'
import { quantileRegimes, type Method } from './quantile.regimes.js'

/** Wilson score interval (Wilson, JASA 22 (1927) 209-212) for k misses in n, 95%. */
function wilson(k: number, n: number): { lower: number; upper: number } {
  const z = normalQuantile(0.975)
  const p = k / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) }
}

const full = process.env.VALIDITY === 'full'
const method = (process.env.VALIDITY_METHOD ?? 'current') as Method
const only = process.env.VALIDITY_ONLY ?? ''
const pct = (x: number) => `${(100 * x).toFixed(1)}%`

describe(`quantile validity regimes (${method}, ${full ? 'full' : 'fast'})`, () => {
  quantileRegimes(method).forEach((regime, i) => {
    if (!regime.id.includes(only)) return
    it(regime.id, { timeout: full ? 3_600_000 : 120_000 }, () => {
      const replicates = full ? regime.full : regime.fast
      const { misses } = regime.run(replicates, 12_000 + 97 * i)
      const ci = wilson(misses, replicates)
      const rate = misses / replicates
      console.log(
        `| ${regime.id} | ${pct(regime.alpha)} | ${misses}/${replicates} = ${pct(rate)} | [${pct(ci.lower)}, ${pct(ci.upper)}] |`
      )
      // Fast: only an observed rate clearly above alpha fails (its interval wholly above it).
      // Full: the contract, a rate at most alpha with an upper bound at most alpha + 1.5 points.
      if (method !== 'current') return
      if (full) {
        expect(rate).toBeLessThanOrEqual(regime.alpha)
        expect(ci.upper).toBeLessThanOrEqual(regime.alpha + 0.015)
      } else {
        expect(ci.lower).toBeLessThanOrEqual(regime.alpha)
      }
    })
  })
})
