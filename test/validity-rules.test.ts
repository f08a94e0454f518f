/**
 * The rules that decide when an interval can be trusted and how the rollout's error budget is
 * spent: the skewness of the estimator (src/stats/clt.ts), the rollout's budget ledger
 * (stats/alphaSpending.ts, decide/state.ts), the design effect of aggregated data and its split
 * test (analysis/aggregateDesignEffect.ts, analysis/checks.ts), and the projections' codes.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { analyze, plannedTStar } from '../src/analysis/analyze.js'
import { compareMetric, type CompareContext } from '../src/analysis/compareMetric.js'
import {
  checkState,
  closedBudget,
  currentBudget,
  initialState,
  nextState,
  restartedBudget
} from '../src/decide/state.js'
import type { Decision, RolloutState } from '../src/decide/types.js'
import type { Policy } from '../src/policy/types.js'
import { budgetText } from '../src/report/budget.js'
import { decisionRecord } from '../src/report/record.js'
import { emptyQuality, TOTAL_SEGMENT, type Cell, type Evidence } from '../src/sketch/evidence.js'
import { addAdjustedCluster, emptyAdjusted } from '../src/sketch/adjustedMoments.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import type { MetricSketch, RatioMoments } from '../src/sketch/types.js'
import { RESTART_SHARE, sequenceAlphas, stepAlpha } from '../src/stats/alphaSpending.js'
import { armSkewness, contrastSkewness, MAX_SKEWNESS, sharedSkewness } from '../src/stats/clt.js'
import { testPolicy } from './helpers/analysis.js'
import { gateResult, metricSpec } from './validity/gate.js'

const momentsOf = (clusters: [number, number][]): RatioMoments => {
  const m = emptyMoments()
  for (const [x, y] of clusters) addCluster(m, x, y)
  return m
}

describe('the skewness of the estimator (clt.ts)', () => {
  it('matches a direct computation from the cluster residuals', () => {
    const b: [number, number][] = [
      [3, 2],
      [5, 3],
      [1, 1],
      [14, 4],
      [2, 1]
    ]
    const c: [number, number][] = [
      [6, 3],
      [2, 1],
      [25, 2],
      [9, 4]
    ]
    const arm = (cl: [number, number][]) => {
      const r = cl.reduce((a, [x]) => a + x, 0) / cl.reduce((a, [, y]) => a + y, 0)
      const sy = cl.reduce((a, [, y]) => a + y, 0)
      const d = cl.map(([x, y]) => x - r * y)
      return {
        v: d.reduce((a, e) => a + e * e, 0) / sy ** 2,
        k3: d.reduce((a, e) => a + e ** 3, 0) / sy ** 3
      }
    }
    const ab = arm(b)
    const ac = arm(c)
    const kappa = 1.1
    const expected = (ac.k3 - kappa ** 3 * ab.k3) / (ac.v + kappa ** 2 * ab.v) ** 1.5
    expect(contrastSkewness(momentsOf(b), momentsOf(c), kappa)).toBeCloseTo(expected, 10)
    expect(armSkewness(momentsOf(c))).toBeCloseTo(ac.k3 / ac.v ** 1.5, 10)
  })

  it("is g / sqrt(n) for a mean of n values with skewness g (Cochran's rule on the estimator)", () => {
    const rand = mulberry32(2)
    const values = Array.from({ length: 20_000 }, () => Math.exp(normal(rand)))
    const m = momentsOf(values.map(v => [v, 1]))
    const mean = values.reduce((a, v) => a + v, 0) / values.length
    const m2 = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length
    const m3 = values.reduce((a, v) => a + (v - mean) ** 3, 0) / values.length
    const g = m3 / m2 ** 1.5
    expect(armSkewness(m)).toBeCloseTo(g / Math.sqrt(values.length), 10)
    expect(MAX_SKEWNESS).toBe(0.2)
  })

  it('lends the small arm the large arm\u2019s skewness, and needs the third-order sums', () => {
    const rand = mulberry32(4)
    const draw = (n: number) =>
      momentsOf(Array.from({ length: n }, () => [Math.exp(1.5 * normal(rand)), 1]))
    // A small canary that saw no rare large value looks mild on its own.
    const canary = momentsOf(Array.from({ length: 200 }, (_, i) => [1 + (i % 3), 1]))
    const baseline = draw(50_000)
    expect(Math.abs(contrastSkewness(baseline, canary, 1)!)).toBeLessThan(0.2)
    expect(sharedSkewness(baseline, canary, 1)!).toBeGreaterThan(0.5)
    const noThird: RatioMoments = { n: 3, sx: 3, sy: 3, sxx: 5, syy: 3, sxy: 3 }
    expect(sharedSkewness(baseline, noThird, 1)).toBeUndefined()
  })

  it('holds an unbounded mean, with the reason, until its skewness is small', () => {
    const rand = mulberry32(6)
    const sketch = (n: number, sigma: number): MetricSketch => {
      const m = emptyMoments()
      for (let i = 0; i < n; i++) addCluster(m, Math.exp(sigma * normal(rand)), 1)
      return { moments: m, requests: n }
    }
    const spec = testPolicy().metrics[0]!
    const latency = { ...spec, name: 'cost', from: 'cost', better: 'lower' as const }
    const ctx: CompareContext = {
      alpha: 0.05,
      tStar: { baseline: 3000, canary: 300, total: 3300 },
      minSamples: 300,
      canaryRequests: 400,
      canaryRate: 1,
      project: false
    }
    const heavy = compareMetric(latency, sketch(40_000, 2), sketch(400, 2), ctx)
    expect(heavy.why?.code).toBe('too-skewed')
    expect([heavy.delta.lower, heavy.delta.upper]).toEqual([-Infinity, Infinity])
    expect(heavy.reason).toMatch(/^too skewed for a valid interval yet/)
    expect(heavy.validity?.skewness).toBeGreaterThan(MAX_SKEWNESS)
    const mild = compareMetric(latency, sketch(40_000, 0.3), sketch(4000, 0.3), ctx)
    expect(Number.isFinite(mild.delta.upper)).toBe(true)
    expect(mild.method).toMatch(/skewness below 0.2 \(Cochran 1977\)/)
  })
})

describe('a bounded score with variance reduction', () => {
  // Users of 1-4 requests, each with a pre-exposure record; `value` gives a request's score.
  const arms = (value: (user: number, request: number) => number): MetricSketch[] =>
    [0, 1].map(arm => {
      const moments = emptyMoments()
      const adjusted = emptyAdjusted([])
      let squares = 0
      for (let u = 0; u < 600; u++) {
        const requests = 1 + (u % 4)
        let x = 0
        for (let r = 0; r < requests; r++) {
          const v = value(2 * u + arm, r)
          x += v
          squares += v * v
        }
        addCluster(moments, x, requests)
        addAdjustedCluster(adjusted, [x, requests, value(2 * u + arm, -1), 1, requests])
      }
      return { moments, requests: moments.sy, requestSquares: squares, adjusted }
    })
  const spec = metricSpec({
    kind: 'mean',
    from: 'score',
    tolerance: { value: 0.05, relative: true },
    varianceReduction: { lookback: 86_400_000, covariates: [] }
  })
  const { varianceReduction: _, ...plainSpec } = spec
  const gate = { alpha: 0.05, canaryWeight: 50, minSamples: 300 }
  const clip = (v: number) => Math.min(1, Math.max(0, v))
  /** Users with levels N(0.6, sd); `value` gives a request's score (r < 0: its history) from a normal draw. */
  const withLevels = (
    seed: number,
    sd: number,
    value: (level: number, request: number, noise: number) => number
  ) => {
    const rand = mulberry32(seed)
    const levels = Array.from({ length: 1200 }, () => 0.6 + sd * normal(rand))
    const [b, c] = arms((user, r) => value(levels[user]!, r, normal(rand)))
    return { cuped: gateResult(spec, b!, c!, gate), plain: gateResult(plainSpec, b!, c!, gate) }
  }

  it('keeps a constant sample wide: with a constant history there is no covariate and the score keeps its whole alpha; with a varying one, nothing to explain and a tenth', () => {
    const [b, c] = arms(() => 0.5)
    const cuped = gateResult(spec, b!, c!, gate)
    const plain = gateResult(plainSpec, b!, c!, gate)
    // A constant pre-exposure level is dropped: no covariate is left, nothing is split.
    expect(cuped.varianceReduction).toMatchObject({ used: false, reason: 'no-covariate' })
    expect(cuped.method).toBe(plain.method)
    expect(cuped.delta).toEqual(plain.delta)
    // A zero-variance asymptotic interval would be a point; the nonasymptotic one is a few percent.
    expect(plain.delta.upper - plain.delta.lower).toBeGreaterThan(0.02)
    // A history that varies is a covariate (whether it explains anything reads the window's
    // values, so the alpha is split either way): the window's constant scores leave nothing to
    // explain, and the nonasymptotic sequence decides alone at a tenth of the alpha.
    const rand = mulberry32(9)
    const [hb, hc] = arms((_, r) => (r < 0 ? rand() : 0.5))
    const history = gateResult(spec, hb!, hc!, gate)
    expect(history.varianceReduction).toMatchObject({ used: false, reason: 'explains-nothing' })
    expect(history.method).toMatch(
      /^nonasymptotic empirical-Bernstein CS .*, at 0\.1 of the alpha$/
    )
    expect(history.delta.upper - history.delta.lower).toBeGreaterThan(
      plain.delta.upper - plain.delta.lower
    )
  })

  it('uses the adjusted sequence of a score even where its covariate explains under 1% (no jump in width there)', () => {
    // A history that mostly misses the user's level.
    const { cuped, plain } = withLevels(11, 0.05, (level, r, noise) =>
      r < 0 ? level + 0.6 * noise : clip(level + 0.15 * noise)
    )
    const vr = cuped.varianceReduction!
    expect(vr.varianceReduction!).toBeGreaterThanOrEqual(0)
    expect(vr.varianceReduction!).toBeLessThan(0.01)
    expect(vr.used).toBe(true)
    expect(cuped.delta.upper - cuped.delta.lower).toBeLessThan(
      plain.delta.upper - plain.delta.lower
    )
  })

  it("intersects the two where users' levels carry over: less than half the nonasymptotic width", () => {
    const { cuped, plain } = withLevels(5, 0.15, (level, r, noise) =>
      clip(level + (r < 0 ? 0.02 : 0.05) * noise)
    )
    expect(cuped.varianceReduction).toMatchObject({ used: true })
    expect(cuped.varianceReduction!.varianceReduction).toBeGreaterThan(0.5)
    expect(cuped.method).toMatch(/at 0\.1 of the alpha, intersected with the regression-adjusted/)
    expect(cuped.delta.upper - cuped.delta.lower).toBeLessThan(
      0.5 * (plain.delta.upper - plain.delta.lower)
    )
  })
})

describe('one error budget for the rollout', () => {
  const policy = testPolicy() // steps 1, 5, 25, 50, 100: four steps compare the arms

  it('spends the budget evenly over the comparison steps, and a restart splits a step again', () => {
    expect(stepAlpha({ total: 0.05, comparisonSteps: 4, restarts: 0 })).toBeCloseTo(
      0.0125 * (1 - RESTART_SHARE),
      15
    )
    let total = 0
    for (let r = 0; r < 50; r++)
      total += stepAlpha({ total: 0.05, comparisonSteps: 4, restarts: r })
    expect(total).toBeLessThanOrEqual(0.0125 + 1e-15)
  })

  it('keeps the ledger in the state: a gate promotion charges the fail side, a person’s the larger', () => {
    const s0 = initialState(policy, 0)
    const b0 = currentBudget(policy, s0)
    expect(b0.total).toBeCloseTo(0.05, 15)
    expect(b0.spent).toBe(0)
    expect(b0.step.index).toBe(0)
    expect(b0.step.alpha).toBeCloseTo(0.01125, 15)
    expect(b0.step.passAlpha).toBeCloseTo(0.045, 15)
    expect(b0.step.restarts).toBe(0)
    const analysis = analyze(policy, emptyEvidence(), 1)
    // The gate promotes from 1% to 5%: only the fail side is charged, the pass side gets the rest.
    const s1 = nextState(s0, stepDecision('promote', 0, 1), 1000, analysis, policy)
    const b1 = currentBudget(policy, s1)
    expect(s1.errorBudget).toEqual(b1)
    expect(b1.spent).toBeCloseTo(0.01125, 15)
    expect(b1.step).toMatchObject({ index: 1, restarts: 0 })
    expect(b1.step.alpha).toBeCloseTo(0.01125, 15)
    expect(b1.step.passAlpha).toBeCloseTo(0.9 * 0.03875, 15)
    // A person promotes (skipping 25%): the step's sequences are charged their larger side.
    const person = { command: 'promote' as const, actor: 'ana', reason: 'looks fine' }
    const s2 = nextState(s1, stepDecision('promote', 1, 3, person), 2000, analysis, policy)
    const b2 = currentBudget(policy, s2)
    expect(b2.spent).toBeCloseTo(0.01125 + 0.9 * 0.03875, 15)
    expect(b2.step.index).toBe(3)
    expect(b2.step.passAlpha).toBeCloseTo(0.9 * (0.05 - b2.spent), 15)
    expect(b2.step.alpha).toBeCloseTo(Math.min(0.01125, b2.step.passAlpha!), 15)
    // A restart charges the larger side too, and splits the fail side again.
    const restarted = restartedBudget(policy, b1, new Date(5000).toISOString())
    expect(restarted.spent).toBeCloseTo(0.01125 + 0.9 * 0.03875, 15)
    expect(restarted.step.passAlpha).toBeCloseTo(0.9 * 0.1 * 0.03875, 15)
    expect(restarted.step.alpha).toBeCloseTo(0.01125 * RESTART_SHARE, 15)
    // Without a ledger, the comparison steps before count as promoted by the gate.
    const b3 = currentBudget(policy, { ...s0, stepIndex: 2 })
    expect(b3.spent).toBeCloseTo(0.0225, 15)
    expect(b3.step.passAlpha).toBeCloseTo(0.02475, 15)
  })

  it('never lets a rollout’s path spend more than its budget, whatever each step’s truth', () => {
    // Every path of gate promotions, restarts and a person's promotions (up to 6 sequences): the
    // sum of the alphas a wrong decision could have along it (the fail side of a sequence the
    // gate promoted, the larger side of any other, the last one's too) stays within the budget.
    type Event = 'gate' | 'restart' | 'person'
    const paths = (n: number): Event[][] =>
      n === 0
        ? [[]]
        : paths(n - 1).flatMap(p => [
            p,
            ...(['gate', 'restart', 'person'] as const).map(e => [...p, e])
          ])
    const larger = (b: ReturnType<typeof currentBudget>) =>
      Math.max(b.step.alpha, b.step.passAlpha!)
    let checked = 0
    for (const path of paths(6)) {
      let budget = currentBudget(policy, initialState(policy, 0))
      let worst = 0
      for (const event of path) {
        const index = budget.step.index + 1
        // Past the last comparison step (50%) the rollout is complete: no sequence runs.
        if (event !== 'restart' && index > 3) break
        worst += event === 'gate' ? budget.step.alpha : larger(budget)
        const at = new Date(0).toISOString()
        if (event === 'restart') budget = restartedBudget(policy, budget, at)
        else if (event === 'gate') budget = closedBudget(policy, budget, index, at)
        else {
          const moved = { ...initialState(policy, 0), stepIndex: index, errorBudget: budget }
          budget = currentBudget(policy, moved)
        }
      }
      worst += larger(budget)
      expect(worst).toBeLessThanOrEqual(0.05 + 1e-15)
      checked++
    }
    expect(checked).toBeGreaterThan(1000)
  })

  it('charges a restart and then the new window’s promotion when both happen at one look', () => {
    const s0 = initialState(policy, 0)
    const b0 = currentBudget(policy, s0)
    const analysis = { ...analyze(policy, emptyEvidence(), 1), restartAt: 60_000 }
    const promote = stepDecision('promote', 0, 1)
    const s1 = nextState(s0, promote, 120_000, analysis, policy)
    // The first window's sequences: their larger side; the restarted window's: its fail side.
    const restarted = sequenceAlphas({ total: 0.05, spent: 0.045, comparisonSteps: 4, restarts: 1 })
    expect(s1.errorBudget!.spent).toBeCloseTo(b0.step.passAlpha! + restarted.alpha, 15)
    expect(s1.errorBudget!.step).toMatchObject({ index: 1, restarts: 0 })
  })

  it('starts new sequences when the window moves inside a step, or the budget changes', () => {
    const s0 = initialState(policy, 0)
    const b0 = currentBudget(policy, s0)
    const stored = { ...s0, errorBudget: b0 }
    expect(currentBudget(policy, stored)).toBe(b0)
    // A resume (or a weight applied late) moved the step's start: the old sequences are charged.
    const moved = currentBudget(policy, {
      ...stored,
      stepStartedAt: new Date(600_000).toISOString()
    })
    expect(moved.spent).toBeCloseTo(b0.step.passAlpha!, 15)
    expect(moved.step).toMatchObject({ restarts: 1, startedAt: new Date(600_000).toISOString() })
    // The policy's confidence changed: the same.
    const stricter = currentBudget({ ...policy, confidence: 0.99 }, stored)
    expect(stricter.total).toBeCloseTo(0.01, 15)
    expect(stricter.step.passAlpha).toBeCloseTo(0.9 * 1e-9, 20)
    // Hundreds of restarts never give an alpha of 0.
    expect(
      sequenceAlphas({ total: 0.05, spent: 0, comparisonSteps: 4, restarts: 400 }).alpha
    ).toBeGreaterThan(0)
  })

  it('says it in plain words in the report', () => {
    const analysis = analyze(policy, emptyEvidence(), 1, false, {
      stepAlpha: 0.01125,
      passAlpha: 0.02475
    })
    analysis.errorBudget!.spent = 0.0225
    const record = decisionRecord({
      policy,
      policyHash: 'sha256:x',
      decision: stepDecision('hold', 2, 2),
      state: initialState(policy, 0),
      now: 0,
      analysis
    })
    expect(record.errorBudget).toMatchObject({ step: 0.01125, pass: 0.02475, spent: 0.0225 })
    expect(record.errorBudget?.total).toBeCloseTo(0.05, 15)
    expect(budgetText(record)).toMatch(
      /^At most a 5% chance over the whole rollout that the gate promotes a canary worse than a tolerance or rolls back one that is not: a rollback ends the rollout, so each step’s rollbacks get at most an even share, and a canary reaches a step only by passing every step before, so its promotion here is tested at 90% of what is left \(the rest is kept for a restart\), 2.48% \(the rollout's earlier sequences spent 2.25%\), each gating metric at all of it \(a promotion needs every one to pass\); a rollback needs only one gating metric to fail, so this step’s rollback side, 1.13%, is split, 0.56% per metric\./
    )
  })

  it('gives segments that can roll back a share of the step; segments that only hold spend none', () => {
    const rollback = analyze(
      { ...policy, segments: { by: ['route'], gate: 'rollback' } },
      emptyEvidence(),
      1,
      false,
      { stepAlpha: 0.01 }
    )
    expect(rollback.errorBudget).toMatchObject({
      segments: 'shared',
      perMetric: (0.01 * 0.8) / 2,
      pass: 0.01
    })
    const hold = analyze(
      { ...policy, segments: { by: ['route'], gate: 'hold' } },
      emptyEvidence(),
      1,
      false,
      {
        stepAlpha: 0.01
      }
    )
    expect(hold.errorBudget).toMatchObject({
      segments: 'separate',
      perMetric: 0.01 / 2,
      pass: 0.01
    })
  })

  it('tests each metric’s pass side at the step’s whole alpha, its fail side at the split', () => {
    const rand = mulberry32(12)
    const sketch = (n: number, scale: number): MetricSketch => {
      const m = emptyMoments()
      for (let i = 0; i < n; i++) addCluster(m, scale * Math.exp(0.5 * normal(rand)), 1)
      return { moments: m, requests: n }
    }
    const spec = testPolicy().metrics[0]!
    const base = { tStar: { baseline: 3000, canary: 1000, total: 4000 }, minSamples: 300 }
    const ctx = { ...base, canaryRequests: 1000, canaryRate: 1, project: false }
    for (const better of ['lower', 'higher'] as const) {
      const cost = { ...spec, name: 'cost', from: 'cost', kind: 'mean' as const, better }
      const [b, c] = [sketch(3000, 1), sketch(1000, 1.02)]
      const split = compareMetric(cost, b, c, { ...ctx, alpha: 0.0125, passAlpha: 0.05 })
      const whole = compareMetric(cost, b, c, { ...ctx, alpha: 0.05 })
      const narrow = compareMetric(cost, b, c, { ...ctx, alpha: 0.0125 })
      // The pass side (the upper end of the harm) from the whole alpha, the other from the split.
      const passSide = better === 'lower' ? 'upper' : 'lower'
      const failSide = better === 'lower' ? 'lower' : 'upper'
      expect(split.delta[passSide]).toBe(whole.delta[passSide])
      expect(split.delta[failSide]).toBe(narrow.delta[failSide])
      expect(split).toMatchObject({ alpha: 0.0125, passAlpha: 0.05 })
      const reach = (r: typeof split) => Math.abs(r.delta[passSide] - r.delta.estimate)
      expect(reach(split)).toBeLessThan(reach(narrow))
    }
  })
})

describe("where a step's sequences are tightest (t*)", () => {
  const policy = testPolicy() // minDuration 30m, maxDuration 12h, warm-up as the helper sets it
  const r = policy.rollout
  const arms = {
    baseline: { requests: 4500, units: 1200 },
    canary: { requests: 1500, units: 400 }
  }
  const windowMs = 15 * 60_000

  it("is planned from the look's traffic at sqrt(minDuration x maxDuration), units growing slower", () => {
    const factor = (Math.sqrt(r.minDuration * r.maxDuration) - r.warmup) / windowMs
    const t = plannedTStar(policy, arms, windowMs)!
    expect(t.requests.canary).toBe(Math.round(1500 * factor))
    expect(t.requests.baseline).toBe(Math.round(4500 * factor))
    expect(t.units.canary).toBe(Math.round(400 * Math.sqrt(factor)))
    // Without units the sequences count requests, which grow with time.
    const noUnits = plannedTStar(
      policy,
      { baseline: { requests: 4500, units: 0 }, canary: { requests: 1500, units: 0 } },
      windowMs
    )!
    expect(noUnits.units).toEqual(noUnits.requests)
    // No traffic in an arm: nothing to plan from (no verdict is possible then).
    expect(plannedTStar(policy, { ...arms, canary: { requests: 0, units: 0 } }, windowMs)).toBe(
      undefined
    )
  })

  it('is fixed at the first look with traffic and kept for the step; a restart plans it again', () => {
    const s0 = initialState(policy, 0)
    const hold = stepDecision('hold', 0, 0)
    const first = {
      ...analyze(policy, emptyEvidence(), 1),
      tStar: plannedTStar(policy, arms, windowMs)!
    }
    const s1 = nextState(s0, hold, 1000, first, policy)
    expect(s1.errorBudget?.step.tStar).toEqual(first.tStar)
    // A later look's own plan does not replace it.
    const later = { ...first, tStar: plannedTStar(policy, arms, 4 * windowMs)! }
    expect(nextState(s1, hold, 2000, later, policy).errorBudget?.step.tStar).toEqual(first.tStar)
    // analyze() uses the stored one, and says so.
    expect(analyze(policy, emptyEvidence(), 1, false, { tStar: first.tStar }).tStar).toEqual(
      first.tStar
    )
    expect(restartedBudget(policy, s1.errorBudget!, s1.stepStartedAt).step.tStar).toBeUndefined()
  })

  it('a malformed stored t* is left out with a message, never used', () => {
    const s = initialState(policy, 0)
    const bad = {
      ...s,
      errorBudget: {
        total: 0.05,
        spent: 0,
        step: { index: 0, alpha: 0.01, restarts: 0, tStar: { units: { baseline: 'x' } } }
      }
    } as unknown as RolloutState
    const checked = checkState(policy, bad)
    expect(checked.state.errorBudget?.step).toEqual({ index: 0, alpha: 0.01, restarts: 0 })
    expect(checked.ignored.join('\n')).toMatch(/errorBudget\.step\.tStar is not/)
  })

  it('a malformed ledger is left out with a message; the steps before count as promoted by the gate', () => {
    const s = { ...initialState(policy, 0), stepIndex: 2 }
    const bad = {
      ...s,
      errorBudget: { total: 0.05, spent: 'all', step: { index: 2, alpha: 0.01, restarts: 0 } }
    } as unknown as RolloutState
    const checked = checkState(policy, bad)
    expect(checked.state.errorBudget).toBeUndefined()
    expect(checked.ignored.join('\n')).toMatch(
      /errorBudget is not .* in range; left out \(the comparison steps before this one count as promoted by the gate\)/
    )
    expect(currentBudget(policy, checked.state).spent).toBeCloseTo(0.0225, 15)
  })
})

/** The gate's decision (or a person's, with `manual`) from step `from` to step `to` of testPolicy(). */
function stepDecision(
  action: Decision['action'],
  from: number,
  to: number,
  manual?: Decision['manual']
): Decision {
  const steps = testPolicy().rollout.steps
  return {
    action,
    from: { index: from, weight: steps[from]! },
    to: { index: to, weight: steps[to]! },
    complete: false,
    reasons: [],
    ...(manual && { manual })
  }
}

function emptyEvidence(): Evidence {
  return {
    source: 'test',
    window: { from: 0, to: 1000 },
    bucketMs: 300_000,
    metrics: [],
    unitLevel: false,
    cells: [],
    quality: emptyQuality()
  }
}

describe('aggregated sources: requests of per-user arms', () => {
  /** Per-bucket cells of a mean metric, as PrometheusSource builds them, for users assigned per user. */
  function evidence(
    opts: { share: number; declared?: number },
    seed = 1
  ): { policy: Policy; evidence: Evidence } {
    const rand = mulberry32(seed)
    const base = testPolicy()
    const policy: Policy = {
      ...base,
      arms: { ...base.arms, ...(opts.declared !== undefined && { designEffect: opts.declared }) },
      trafficSplit: { alpha: 0.05 },
      metrics: [{ ...base.metrics[0]!, name: 'quality' }]
    }
    // 400 users, each with its own level, active in bursts of a few buckets.
    const users = Array.from({ length: 400 }, () => ({
      canary: rand() < opts.share,
      level: 0.78 + 0.1 * normal(rand),
      start: Math.floor(rand() * 40)
    }))
    const cells: Cell[] = []
    for (let b = 0; b < 48; b++) {
      for (const arm of ['baseline', 'canary'] as const) {
        let n = 0
        let sx = 0
        let sxx = 0
        for (const u of users) {
          if (u.canary !== (arm === 'canary') || b < u.start || b >= u.start + 6) continue
          for (let r = 0; r < 5; r++) {
            const x = Math.min(1, Math.max(0, u.level + 0.1 * normal(rand)))
            n++
            sx += x
            sxx += x * x
          }
        }
        cells.push({
          arm,
          segment: TOTAL_SEGMENT,
          bucket: b * 300_000,
          requests: n,
          units: 0,
          metrics: [{ moments: { n, sx, sy: n, syy: n, sxy: sx, sxx }, requests: n }],
          models: {},
          errors: {}
        })
      }
    }
    return {
      policy,
      evidence: {
        source: 'prometheus (test)',
        window: { from: 0, to: 48 * 300_000 },
        bucketMs: 300_000,
        metrics: ['quality'],
        unitLevel: false,
        aggregated: true,
        cells,
        quality: { ...emptyQuality(), lines: 1, records: 1 }
      }
    }
  }

  it('holds every metric, naming what to declare, when the policy does not say how arms are assigned', () => {
    const { policy, evidence: e } = evidence({ share: 0.5 })
    const a = analyze(policy, e, 50)
    const q = a.metrics[0]!
    expect(q.why).toMatchObject({ code: 'design-effect-unknown' })
    expect((q.why as { atLeast: number }).atLeast).toBeGreaterThan(2)
    expect(q.reason).toMatch(/declare arms.designEffect, or arms.assignment: request/)
    expect([q.delta.lower, q.delta.upper]).toEqual([-Infinity, Infinity])
  })

  it('widens by the larger of the declared design effect and what the buckets show', () => {
    const { policy, evidence: e } = evidence({ share: 0.5, declared: 1 })
    const shown = analyze(policy, e, 50).metrics[0]!
    expect(shown.validity?.designEffect?.source).toBe('declared')
    expect(shown.validity?.designEffect?.canary).toBeGreaterThan(2)
    const { policy: p20 } = evidence({ share: 0.5, declared: 20 })
    const declared = analyze(p20, e, 50).metrics[0]!
    expect(declared.validity?.designEffect).toMatchObject({ baseline: 20, canary: 20 })
    const width = (m: typeof shown) => m.delta.upper - m.delta.lower
    expect(width(declared)).toBeGreaterThan(width(shown))
    const request = analyze({ ...policy, arms: { ...policy.arms, assignment: 'request' } }, e, 50)
    expect(request.metrics[0]!.validity?.designEffect).toBeUndefined()
    expect(width(request.metrics[0]!)).toBeLessThan(width(shown))
  })

  it('tests the split on counts divided by the design effect; without a declared one, a mismatch only warns', () => {
    const { policy, evidence: e } = evidence({ share: 0.5 })
    // The step asks for 35%: the users' 50% is a real mismatch.
    const warned = analyze(policy, e, 35).checks.find(c => c.name === 'traffic-split')!
    expect(warned.status).toBe('warn')
    expect(warned.detail).toMatch(/declare arms.designEffect for this to block/)
    const { policy: declared } = evidence({ share: 0.5, declared: 4 })
    const blocked = analyze(declared, e, 35).checks.find(c => c.name === 'traffic-split')!
    expect(blocked.status).toBe('block')
    expect(blocked.detail).toMatch(/counts divided by the design effect/)
  })
})

describe('projections: when more traffic will not settle it soon', () => {
  const spec = testPolicy().metrics[0]! // quality, higher, 2%
  const ctx: CompareContext = {
    alpha: 0.05,
    tStar: { baseline: 300, canary: 300, total: 600 },
    minSamples: 300,
    canaryRequests: 2000,
    canaryRate: 1
  }
  /** The same seeded scores for every arm, times `factor`: the means differ by exactly it. */
  const scores = (n: number, factor: number, seed: number): MetricSketch => {
    const rand = mulberry32(seed)
    const m = emptyMoments()
    let sq = 0
    for (let i = 0; i < n; i++) {
      const x = factor * Math.min(1, Math.max(0, 0.78 + 0.12 * normal(rand)))
      addCluster(m, x, 1)
      sq += x * x
    }
    return { moments: m, requests: n, requestSquares: sq }
  }

  it('gives a time when the interval will decide at this estimate', () => {
    const r = compareMetric(spec, scores(1800, 1, 1), scores(600, 1, 1), ctx)
    expect(r.verdict).toBe('inconclusive')
    expect(r.needed?.seconds).toBeGreaterThan(0)
    expect(r.needed?.code).toBeUndefined()
  })

  it('says "not soon" at the tolerance, and "not within this step" past maxDuration', () => {
    // The canary is 2% worse: the estimate sits on the tolerance.
    const at = compareMetric(spec, scores(600, 1, 1), scores(600, 0.98, 1), ctx)
    expect(at.needed).toMatchObject({ samples: null, seconds: null, code: 'at-tolerance' })
    const late = compareMetric(spec, scores(1800, 1, 1), scores(600, 1, 1), {
      ...ctx,
      growth: {
        seconds: 2000,
        baseline: { requestsPerSecond: 3, units: 0, newUnitsPerSecond: 0 },
        canary: { requestsPerSecond: 1, units: 0, newUnitsPerSecond: 0 },
        remainingSeconds: 60
      }
    })
    expect(late.needed).toMatchObject({ samples: null, code: 'beyond-step' })
  })

  /**
   * `users` users with `perUser` requests each: a level of their own (spread `between`) plus
   * request noise (spread `within`), so the intra-user correlation is between^2 / (between^2 +
   * within^2) (Kish 1965, Section 5.4).
   */
  const clustered = (
    users: number,
    perUser: number,
    between: number,
    within: number,
    seed: number
  ) => {
    const rand = mulberry32(seed)
    const m = emptyMoments()
    let sq = 0
    for (let u = 0; u < users; u++) {
      const level = 0.78 + between * normal(rand)
      let sum = 0
      for (let i = 0; i < perUser; i++) {
        const x = Math.min(1, Math.max(0, level + within * normal(rand)))
        sum += x
        sq += x * x
      }
      addCluster(m, sum, perUser)
    }
    return { moments: m, requests: users * perUser, requestSquares: sq } satisfies MetricSketch
  }
  const sameUsers = (requests: number, units: number) => ({
    seconds: 3600,
    baseline: { requestsPerSecond: requests / 3600, units, newUnitsPerSecond: 0 },
    canary: { requestsPerSecond: requests / 3600, units, newUnitsPerSecond: 0 }
  })

  it('grows a clustered metric by its design effect: more requests from the same users help only as far as the users differ', () => {
    // Nearly independent requests (users barely differ): more requests from the same 400 users settle it.
    const loose = compareMetric(
      spec,
      clustered(400, 3, 0.005, 0.15, 1),
      clustered(400, 3, 0.005, 0.15, 2),
      { ...ctx, growth: sameUsers(1200, 400) }
    )
    expect(loose.verdict).toBe('inconclusive')
    expect(loose.needed?.seconds).toBeGreaterThan(0)
    // Users who differ much more than their requests do: the between-user spread of 400 users
    // stays, so more of their requests cannot settle it; new users would.
    const tight = compareMetric(
      spec,
      clustered(400, 3, 0.15, 0.005, 1),
      clustered(400, 3, 0.15, 0.005, 2),
      { ...ctx, growth: sameUsers(1200, 400) }
    )
    expect(tight.verdict).toBe('inconclusive')
    expect(tight.needed).toMatchObject({ samples: null, seconds: null })
    const arriving = compareMetric(
      spec,
      clustered(400, 3, 0.15, 0.005, 1),
      clustered(400, 3, 0.15, 0.005, 2),
      {
        ...ctx,
        growth: {
          seconds: 3600,
          baseline: { requestsPerSecond: 1200 / 3600, units: 400, newUnitsPerSecond: 400 / 3600 },
          canary: { requestsPerSecond: 1200 / 3600, units: 400, newUnitsPerSecond: 400 / 3600 }
        }
      }
    )
    expect(arriving.needed?.seconds).toBeGreaterThan(0)
  })
})
