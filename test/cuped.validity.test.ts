/**
 * The fast version of the CUPED validity regimes (test/validity/cuped.regimes.ts): each regime's
 * time-uniform miss rate over a few seeded replicates, printed with its exact binomial 95%
 * interval. A regime fails when even the interval's lower bound is above alpha (a sequence that
 * misses far more often than it may). `npm run validate:cuped` runs the full 500 replicates.
 */
import { describe, expect, it } from 'vitest'
import { regimes } from './validity/cuped.regimes.js'
import { clopperPearson, rateText } from './validity/binomial.js'

describe('CUPED confidence sequence: time-uniform miss rate (fast)', () => {
  for (const regime of regimes) {
    it(regime.id, () => {
      const r = regime.run(regime.fast, 20_261_102)
      console.log(`${regime.id}: ${rateText(r.misses, r.replicates)}; ${r.note ?? ''}`)
      expect(r.replicates).toBe(regime.fast)
      expect(clopperPearson(r.misses, r.replicates).lower).toBeLessThanOrEqual(regime.alpha)
    })
  }
})
