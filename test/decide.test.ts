import { describe, expect, it } from 'vitest'
import { decide, manualDecision } from '../src/decide/decide.js'
import { commandRefusal, initialState, nextState } from '../src/decide/state.js'
import type { RolloutState } from '../src/decide/types.js'
import { analysis, metric, testPolicy } from './helpers/analysis.js'

const T0 = Date.parse('2026-11-02T08:00:00Z')
const H = 3600_000
const policy = testPolicy()
const atStep = (stepIndex: number, over: Partial<RolloutState> = {}): RolloutState => ({
  ...initialState(policy, T0),
  stepIndex,
  ...over
})

describe('decide', () => {
  it('promotes to the next step when every gating metric passes after the bake time', () => {
    const d = decide(policy, atStep(1), analysis(), T0 + H)
    expect(d.action).toBe('promote')
    expect(d.from).toEqual({ index: 1, weight: 5 })
    expect(d.to).toEqual({ index: 2, weight: 25 })
    expect(d.complete).toBe(false)
  })

  it('holds before the minimum duration even when everything passes, and says how long is left', () => {
    const d = decide(policy, atStep(1), analysis(), T0 + 20 * 60_000)
    expect(d.action).toBe('hold')
    expect(d.reasons.join(' ')).toMatch(/bake time: 10m of the 30m minimum/)
  })

  it('rolls back when a gating metric fails, naming it with its interval and tolerance', () => {
    const failing = metric({
      verdict: 'fail',
      delta: { estimate: -0.05, lower: -0.07, upper: -0.03, relative: true }
    })
    const d = decide(policy, atStep(1), analysis({ metrics: [failing] }), T0 + H)
    expect(d.action).toBe('rollback')
    expect(d.to.weight).toBe(0)
    expect(d.reasons[0]).toBe('quality worsened −5% (−7% to −3%), beyond the −2% tolerance')
  })

  it('a failing report-only metric never decides, a failing hold-mode metric only holds', () => {
    const report = metric({ name: 'length', mode: 'report', verdict: 'fail' })
    expect(
      decide(policy, atStep(1), analysis({ metrics: [metric(), report] }), T0 + H).action
    ).toBe('promote')
    const hold = metric({ name: 'tone', mode: 'hold', verdict: 'fail' })
    expect(decide(policy, atStep(1), analysis({ metrics: [metric(), hold] }), T0 + H).action).toBe(
      'hold'
    )
  })

  it('holds an inconclusive metric with the traffic and time it still needs', () => {
    const m = metric({
      name: 'p95 latency',
      verdict: 'inconclusive',
      needed: { samples: 2377, seconds: 10_800 }
    })
    const d = decide(policy, atStep(1), analysis({ metrics: [metric(), m] }), T0 + H)
    expect(d.action).toBe('hold')
    expect(d.reasons).toContain(
      'p95 latency inconclusive: about 2,400 more canary requests, roughly 3 h at current traffic'
    )
    expect(d.needed).toEqual({ samples: 2377, seconds: 10_800 })
  })

  it('a blocking check holds a promotion and turns a comparison failure into a hold', () => {
    const srm = { name: 'traffic-split', status: 'block' as const, detail: 'sample ratio mismatch' }
    const a = analysis({ checks: [srm] })
    expect(decide(policy, atStep(1), a, T0 + H).action).toBe('hold')
    const failing = metric({ verdict: 'fail' })
    const d = decide(policy, atStep(1), analysis({ metrics: [failing], checks: [srm] }), T0 + H)
    expect(d.action).toBe('hold')
    expect(d.reasons[0]).toMatch(
      /^would roll back \(quality .*\), but the evidence is not trustworthy$/
    )
  })

  it('a canary limit breached with confidence rolls back even when the comparison passes', () => {
    const m = metric({
      name: 'error rate',
      kind: 'rate',
      from: 'error',
      better: 'lower',
      limit: { value: 0.02, lower: 0.025, upper: 0.04, breached: true, suspect: false }
    })
    const d = decide(policy, atStep(1), analysis({ metrics: [m] }), T0 + H)
    expect(d.action).toBe('rollback')
    expect(d.reasons[0]).toBe(
      'canary error rate breaches its limit of 2% (canary interval 2.5% to 4%)'
    )
  })

  it('times out after maxDuration: rollback by default, hold when onTimeout is hold', () => {
    const stuck = analysis({ metrics: [metric({ verdict: 'inconclusive' })] })
    expect(decide(policy, atStep(1), stuck, T0 + 13 * H).action).toBe('rollback')
    const patient = testPolicy({ rollout: { ...policy.rollout, onTimeout: 'hold' } })
    const d = decide(patient, atStep(1), stuck, T0 + 13 * H)
    expect(d.action).toBe('hold')
    expect(d.reasons[0]).toMatch(
      /^step 5% ran 13h \(maxDuration 12h\) without a decision; holding \(onTimeout: hold\)$/
    )
  })

  it('a timeout never rolls back on evidence problems (stale, missing or malformed data): it holds', () => {
    const stale = { name: 'freshness', status: 'block' as const, detail: 'stale' }
    const a = analysis({ metrics: [metric({ verdict: 'inconclusive' })], checks: [stale] })
    const d = decide(policy, atStep(1), a, T0 + 13 * H)
    expect(d.action).toBe('hold')
    expect(d.reasons[0]).toMatch(/the evidence has problems, so the timeout does not roll back/)
    const few = { name: 'sample-size', status: 'block' as const, detail: 'canary 12' }
    const starved = analysis({ metrics: [metric({ verdict: 'inconclusive' })], checks: [few] })
    expect(decide(policy, atStep(1), starved, T0 + 13 * H).action).toBe('rollback')
  })

  it('promoting out of the last step below 100% completes the rollout', () => {
    const d = decide(policy, atStep(3), analysis(), T0 + H)
    expect(d).toMatchObject({ action: 'promote', complete: true, to: { weight: 100 } })
  })

  it('a paused rollout holds, with who paused it and why', () => {
    const paused = atStep(1, {
      status: 'paused',
      paused: { at: 'x', actor: 'ana', reason: 'incident' }
    })
    const d = decide(policy, paused, analysis(), T0 + H)
    expect(d.action).toBe('hold')
    expect(d.reasons[0]).toBe('paused by ana at x: incident')
  })
})

describe('state transitions', () => {
  it('a promotion starts the next step clock; a hold keeps it', () => {
    const s = atStep(1)
    const promoted = nextState(s, decide(policy, s, analysis(), T0 + H), T0 + H)
    expect(promoted).toMatchObject({
      stepIndex: 2,
      stepStartedAt: new Date(T0 + H).toISOString(),
      revision: 1
    })
    const held = nextState(s, decide(policy, s, analysis(), T0 + 60_000), T0 + 60_000)
    expect(held.stepStartedAt).toBe(s.stepStartedAt)
    expect(held.history.at(-1)).toMatchObject({ action: 'hold', from: 5, to: 5, manual: false })
  })

  it('manual commands are recorded with actor and reason, and resume restarts a rolled-back rollout', () => {
    const s = atStep(2)
    const rb = manualDecision(policy, s, 'rollback', 'ana', 'answers got worse')
    const rolledBack = nextState(s, rb, T0 + H)
    expect(rolledBack.status).toBe('rolled-back')
    expect(rolledBack.history.at(-1)).toMatchObject({
      action: 'rollback',
      actor: 'ana',
      reason: 'rollback by ana: answers got worse',
      manual: true
    })
    expect(commandRefusal(rolledBack, 'promote')).toMatch(/resume/)
    // Once rolled back the canary is at 0%: evaluating, or rolling back again, moves nothing.
    const again = manualDecision(policy, rolledBack, 'rollback', 'bo', 'still bad')
    expect([again.from.weight, again.to.weight]).toEqual([0, 0])
    const evaluated = decide(policy, rolledBack, analysis(), T0 + 2 * H)
    expect(evaluated).toMatchObject({ action: 'rollback', from: { weight: 0 }, to: { weight: 0 } })
    const resumed = nextState(
      rolledBack,
      manualDecision(policy, rolledBack, 'resume', 'ana', 'fixed'),
      T0 + 2 * H
    )
    expect(resumed).toMatchObject({
      status: 'running',
      stepIndex: 0,
      stepStartedAt: new Date(T0 + 2 * H).toISOString()
    })
  })

  it('pause then evaluate holds; resume continues the same step, the pause not counted', () => {
    const s = atStep(1)
    const paused = nextState(s, manualDecision(policy, s, 'pause', 'bo', 'holiday freeze'), T0)
    expect(paused).toMatchObject({
      status: 'paused',
      paused: { actor: 'bo', reason: 'holiday freeze' }
    })
    expect(commandRefusal(paused, 'pause')).toBeDefined()
    const resumed = nextState(paused, manualDecision(policy, paused, 'resume', 'bo', 'go'), T0 + H)
    // Paused at T0 for an hour: the step's clock moves an hour later.
    expect(resumed).toMatchObject({
      status: 'running',
      stepIndex: 1,
      stepStartedAt: new Date(T0 + H).toISOString()
    })
    expect(resumed.paused).toBeUndefined()
  })

  it('promotes a passing step even after maxDuration; the timeout only ends a hold', () => {
    expect(decide(policy, atStep(1), analysis(), T0 + 13 * H).action).toBe('promote')
    const patient = testPolicy({ rollout: { ...policy.rollout, onTimeout: 'hold' } })
    expect(decide(patient, atStep(1), analysis(), T0 + 13 * H).action).toBe('promote')
  })

  it('a limit breach on untrusted evidence holds; segments roll back only through gate metrics', () => {
    const m = metric({
      limit: { value: 0.5, lower: 0.1, upper: 0.2, breached: true, suspect: false }
    })
    const srm = { name: 'traffic-split', status: 'block' as const, detail: 'mismatch' }
    expect(
      decide(policy, atStep(1), analysis({ metrics: [m], checks: [srm] }), T0 + H).action
    ).toBe('hold')
    const segPolicy = testPolicy({ segments: { by: ['route'], gate: 'rollback' } })
    const segment = (mode: 'gate' | 'hold') => ({
      segment: 'route=faq',
      verdict: 'fail' as const,
      metrics: [{ ...metric({ verdict: 'fail', mode }), name: 'length' }]
    })
    expect(
      decide(segPolicy, atStep(1), analysis({ segments: [segment('hold')] }), T0 + H).action
    ).toBe('hold')
    expect(
      decide(segPolicy, atStep(1), analysis({ segments: [segment('gate')] }), T0 + H).action
    ).toBe('rollback')
  })

  it('keeps a bounded history', () => {
    let s = atStep(1)
    for (let i = 0; i < 250; i++) s = nextState(s, decide(policy, s, analysis(), T0), T0)
    expect(s.history).toHaveLength(200)
    expect(s.revision).toBe(250)
  })
})
