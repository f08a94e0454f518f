/**
 * The validity suite, fast: every regime of test/validity/*.regimes.ts at its `fast` replicates,
 * printing the observed time-uniform miss rate with its Clopper-Pearson 95% interval. A regime
 * fails here only when its interval lies wholly above alpha; `npm run validate:stats` runs the
 * full replicates and applies the real criterion (docs/validity.md).
 */
import { describe, expect, it } from 'vitest'
import { loadRegimes } from './load.js'
import { fastOk, judge, outcomeLine } from './regime.js'

const regimes = await loadRegimes()

describe('validity suite (fast)', () => {
  for (const regime of regimes) {
    it(`${regime.id}: miss rate not above ${regime.alpha}`, () => {
      const outcome = judge(regime, regime.run(regime.fast, 1_000_003))
      console.log(outcomeLine(outcome))
      expect(outcome.replicates).toBe(regime.fast)
      expect(fastOk(outcome)).toBe(true)
    })
  }
})
