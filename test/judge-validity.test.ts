/**
 * The judge a gate can trust, fast: the rows of the table (test/helpers/judgeRollout.ts)
 * run on a few seeds over a whole rollout step each, through the real `openai` client and a
 * scripted loopback judge. The full tables (20 runs a row, before and after, with binomial
 * intervals) are `npm run validate:judge`; docs/judge-validity.md has the last ones.
 */
import { describe, expect, it } from 'vitest'
import { compareMetric } from '../src/analysis/compareMetric.js'
import { sketches } from '../src/judge/fold.js'
import type { MetricSpec } from '../src/policy/types.js'
import {
  SCENARIOS,
  simulate,
  wilson,
  type RunResult,
  type Scenario
} from './helpers/judgeRollout.js'

const ROOT = new URL('..', import.meta.url).pathname
const row = (prefix: string): Scenario => {
  const s = SCENARIOS.find(x => x.name.startsWith(prefix))
  if (!s) throw new Error(`no scenario ${prefix}`)
  return s
}

/**
 * Seeds 1..n of a row, with the rate of `decision` printed with its Wilson 95% interval (the
 * rates of 20 seeds a row are `npm run validate:judge`'s).
 */
async function runs(prefix: string, n: number, decision: RunResult['decision']) {
  const results: RunResult[] = []
  for (let seed = 1; seed <= n; seed++) results.push(await simulate(ROOT, row(prefix), seed))
  const k = results.filter(r => r.decision === decision).length
  const [lo, hi] = wilson(k, n).map(x => `${Math.round(x * 100)}%`)
  console.log(`${prefix}: ${decision} in ${k} of ${n} seeded runs [${lo}, ${hi}]`)
  return { results, k }
}

describe('a judge that ignores content (or reads only the length) never promotes', () => {
  for (const prefix of [
    'ignores content: always "A"',
    'ignores content: always "tie"',
    'ignores content: always grade 3',
    'always "tie", human labels',
    'reads only the length'
  ]) {
    it(prefix, async () => {
      const r = await simulate(ROOT, row(prefix), 1)
      expect(r.decision).toBe('hold')
      // The gate says which health check failed and what it measured.
      expect(r.detail).toMatch(
        /the judge (failed its health checks|has not yet shown it reads the content)/
      )
      expect(r.detail).toMatch(/(of \d+ calls|of \d+ pairs|kappa -?\d\.\d\d on \d+ items)/)
    })
  }
})

// The length-only pairwise row (a judge that prefers the longer answer in 60% of ties) judges
// about 2,000 pairs over a step before it promotes: it is in `npm run validate:judge`, and a
// single evaluation of that judge is in test/judge.test.ts (the bias named, no rollback).
// The bounds are rates over 20 runs (at most 5% wrong decisions, at least 90% right
// ones). A few seeds cannot show a rate of 5% or 90%, but they can refuse what the issue measured
// and anything near it: each test below passes only when every seed decides right, which a gate
// wrong in half of its runs would do by luck with probability 0.5^n (3% at 5 seeds, 0.4% at 8).
describe('a biased judge does not decide for the wrong reason', () => {
  it('position + verbosity bias, equal quality, canary shorter: no rollback in 5 of 5 seeds (the issue: 20 of 20 rolled back)', async () => {
    const { results, k } = await runs('position + verbosity', 5, 'rollback')
    expect(k).toBe(0)
    for (const r of results) expect(r.detail).toMatch(/the judge shows position and length bias/)
  }, 180_000)

  it('pointwise, +1 grade per 200 characters, equal quality, canary shorter: no rollback in 2 of 2 seeds (the issue: 20 of 20)', async () => {
    const { results, k } = await runs('pointwise, +1 grade per 200', 2, 'rollback')
    expect(k).toBe(0)
    for (const r of results) expect(r.detail).toMatch(/the judge shows length bias/)
  }, 180_000)

  it('verbosity bias, canary worse on 40% of inputs but longer: no promotion in 5 of 5 seeds (the issue: 20 of 20 promoted)', async () => {
    const { k } = await runs('verbosity bias; canary worse', 5, 'promote')
    expect(k).toBe(0)
  }, 180_000)
})

describe('a correct judge at q = 0.6 decides', () => {
  // Rolled back within the step in 60% of runs on this tree (npm run validate:judge): the
  // canary's win rate on the judge's scale is about 0.425, 0.025 past the tolerance, and the
  // step's 1,440 pairs are about what the nonasymptotic CS needs to show that (docs/judge-validity.md).
  it('a worse canary: never promoted', async () => {
    const r = await simulate(ROOT, row('correct judge, q = 0.6, canary worse'), 1)
    expect(r.decision).not.toBe('promote')
  })

  it('an equal canary: promoted in 8 of 8 seeds, never rolled back', async () => {
    const { results, k } = await runs('correct judge, q = 0.6, canary equal', 8, 'promote')
    expect(k).toBe(8)
    expect(results.every(r => r.minutes <= 240)).toBe(true)
  }, 180_000)
})

describe('the judge metric as the analysis sees it', () => {
  const spec: MetricSpec = {
    name: 'judge',
    from: 'judge',
    kind: 'mean',
    better: 'higher',
    tolerance: { value: 0.05, relative: false },
    mode: 'gate',
    path: 'judge.metric',
    minSamples: 30,
    totalOnly: true
  }
  const unit = { lower: 0, upper: 1 }
  const ctx = {
    alpha: 0.05,
    tStar: { baseline: 100, canary: 100, total: 200 },
    minSamples: 30,
    canaryRequests: 0,
    canaryRate: 0
  }

  it('reaches it as bounded per-pair scores with pairs as counts (the reference 0.5 in the same clusters)', () => {
    const scored = [0, 0.25, 0.5, 0.75, 1, 0.75].map((s, i) => ({
      arm: 'canary' as const,
      s,
      unit: `u${i % 4}`
    }))
    const { baseline, canary } = sketches(scored, 'pairwise', true, {
      baseline: unit,
      canary: unit
    })
    expect(canary.requests).toBe(6)
    expect(baseline.requests).toBe(6)
    expect(canary.moments.n).toBe(4) // four users
    expect(baseline.moments.n).toBe(4)
    expect(canary.moments.sx / canary.moments.sy).toBeCloseTo(3.25 / 6, 12)
    expect(baseline.moments.sx / baseline.moments.sy).toBe(0.5)
    // The per-pair sum of squares, so the bounded CS sees the scores' own spread.
    expect(canary.requestSquares).toBeCloseTo(0 + 0.0625 + 0.25 + 0.5625 + 1 + 0.5625, 12)
    expect(baseline.requestSquares).toBe(0.25 * 6)
    expect(canary.bounds).toBeUndefined() // [0, 1]: no bounds needed
    const lc = sketches(scored, 'pairwise', false, {
      baseline: unit,
      canary: { lower: -0.5, upper: 1.5 }
    })
    expect(lc.canary.bounds).toEqual({ lower: -0.5, upper: 1.5 })
  })

  // Without the per-pair sum of squares, clustered pairs (a user with two) leave the bounded CS
  // the spread a Bernoulli variable may have (x^2 <= x on [0, 1]), about three times that of
  // pair scores: the interval widened by 1.7 once users had a second pair, late in a step.
  it('pairs of one user keep the interval of the scores spread, not a Bernoulli bound', () => {
    const pattern = [0.25, 0.5, 0.75, 0.5, 0.25, 0.5]
    const scored = Array.from({ length: 1000 }, (_, i) => ({
      arm: 'canary' as const,
      s: pattern[i % pattern.length]!,
      unit: `u${i % 599}`
    }))
    const width = (unitLevel: boolean) => {
      const { baseline, canary } = sketches(scored, 'pairwise', unitLevel, {
        baseline: unit,
        canary: unit
      })
      const r = compareMetric(spec, baseline, canary, ctx)
      return r.delta.upper - r.delta.lower
    }
    expect(width(true) / width(false)).toBeLessThan(1.15)
  })

  // The statistics issue (12a) replaces the confidence sequence of bounded metrics (the judge's
  // included) with a nonasymptotic one built from the sketch's sufficient statistics; until it is
  // merged, the asymptotic CS gives a judge that always ties a zero-width interval at 30 pairs.
  it('a zero-variance judge (always tie) gets a wide interval at a small sample', () => {
    const scored = Array.from({ length: 30 }, () => ({ arm: 'canary' as const, s: 0.5 }))
    const { baseline, canary } = sketches(scored, 'pairwise', false, {
      baseline: unit,
      canary: unit
    })
    const r = compareMetric(spec, baseline, canary, ctx)
    expect(r.delta.upper - r.delta.lower).toBeGreaterThan(0.1)
    expect(r.verdict).toBe('inconclusive')
  })
})
