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
import { SCENARIOS, simulate, type Scenario } from './helpers/judgeRollout.js'

const ROOT = new URL('..', import.meta.url).pathname
const row = (prefix: string): Scenario => {
  const s = SCENARIOS.find(x => x.name.startsWith(prefix))
  if (!s) throw new Error(`no scenario ${prefix}`)
  return s
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
describe('a biased judge does not decide for the wrong reason', () => {
  it('position + verbosity bias, equal quality, canary shorter: no rollback', async () => {
    const r = await simulate(ROOT, row('position + verbosity'), 1)
    expect(r.decision).not.toBe('rollback')
    expect(r.detail).toMatch(/the judge shows position and length bias/)
  })

  it('pointwise, +1 grade per 200 characters, equal quality, canary shorter: no rollback', async () => {
    const r = await simulate(ROOT, row('pointwise, +1 grade per 200'), 1)
    expect(r.decision).not.toBe('rollback')
    expect(r.detail).toMatch(/the judge shows length bias/)
  })

  it('verbosity bias, canary worse on 40% of inputs but longer: no promotion', async () => {
    const r = await simulate(ROOT, row('verbosity bias; canary worse'), 1)
    expect(r.decision).not.toBe('promote')
  })
})

describe('a correct judge at q = 0.6 decides', () => {
  it('a worse canary: never promoted (how often it is rolled back within the step: npm run validate:judge)', async () => {
    const r = await simulate(ROOT, row('correct judge, q = 0.6, canary worse'), 1)
    expect(r.decision).not.toBe('promote')
  })

  it('an equal canary: promote', async () => {
    const r = await simulate(ROOT, row('correct judge, q = 0.6, canary equal'), 1)
    expect(r.decision).toBe('promote')
  })
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
    expect(canary.bounds).toBeUndefined() // [0, 1]: no bounds needed
    const lc = sketches(scored, 'pairwise', false, {
      baseline: unit,
      canary: { lower: -0.5, upper: 1.5 }
    })
    expect(lc.canary.bounds).toEqual({ lower: -0.5, upper: 1.5 })
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
