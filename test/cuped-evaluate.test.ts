/**
 * Variance reduction end to end: generated traffic with a pre-rollout period and persistent
 * per-user levels, read by the file source, evaluated with and without a state, and reported in
 * the decision record and the markdown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_START, SCENARIOS, writeTraffic } from '../examples/generate-traffic.js'
import { manualDecision } from '../src/decide/decide.js'
import { initialState, nextState, rolloutStartedAt } from '../src/decide/state.js'
import type { RolloutState } from '../src/decide/types.js'
import { evaluate } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { Policy } from '../src/policy/types.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { FileStateStore } from '../src/state/fileStore.js'
import type { MetricResult } from '../src/analysis/types.js'
import { SCENARIOS as SPEED_SCENARIOS, simulateStep } from './validity/speed.js'

const HOUR = 3_600_000
const root = mkdtempSync(join(tmpdir(), 'rollout-gate-cuped-'))
const traffic = join(root, 'traffic.jsonl')
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeAll(async () => {
  // Two hours of everyone on the baseline, then a 25% canary.
  await writeTraffic(traffic, {
    seed: 4,
    start: DEMO_START,
    rate: 6,
    count: 6 * 7200,
    canaryWeight: 25,
    users: 6000,
    effect: SCENARIOS.promote!,
    userLevels: { latency: 0.6, output: 0.5 },
    preRollout: { count: 6 * 7200 }
  })
})

const POLICY = `version: 1
rollout: { name: cuped, steps: [25, 100], minDuration: 30m, warmup: 5m, minSamples: 300 }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: traffic.jsonl }
metrics:
  - { name: mean latency, from: latency_ms, kind: mean, better: lower, tolerance: 5% }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 10% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`

const policyOf = (extra = ''): Policy => parsePolicy(POLICY + extra, join(root, 'policy.yml'))

async function run(policy: Policy, state?: RolloutState) {
  const source = new FileSource({
    patterns: [traffic],
    baseDir: root,
    format: 'auto',
    policy,
    parallel: false
  })
  let store: FileStateStore | undefined
  if (state) {
    const path = join(root, `state-${Math.random().toString(36).slice(2)}.json`)
    writeFileSync(path, JSON.stringify(state))
    store = new FileStateStore(path, policy.rollout.name)
  }
  return evaluate({
    policy,
    policyHash: 'test',
    source,
    now: DEMO_START + 2 * HOUR,
    since: DEMO_START,
    replay: true,
    dryRun: true,
    ...(store && { store })
  })
}

const metric = (metrics: MetricResult[], name: string): MetricResult => {
  const m = metrics.find(x => x.name === name)
  if (!m) throw new Error(`no metric ${name}`)
  return m
}
const width = (m: MetricResult) => m.delta.upper - m.delta.lower

describe('variance reduction, end to end', () => {
  it("adjusts for each user's pre-rollout level and reports it per metric", async () => {
    const plain = (await run(policyOf())).record
    const cuped = (
      await run(policyOf('varianceReduction: { lookback: 1d, covariates: [route] }\n'))
    ).record
    const latency = metric(cuped.metrics, 'mean latency')
    expect(latency.varianceReduction).toMatchObject({
      used: true,
      covariates: ['pre-exposure level', 'route=faq', 'route=troubleshoot', 'route=billing'],
      units: { baseline: expect.any(Number), canary: expect.any(Number) }
    })
    const vr = latency.varianceReduction!
    expect(vr.varianceReduction).toBeGreaterThan(0.3)
    expect(vr.preExposureUnits.baseline).toBeGreaterThan(0.5 * vr.units.baseline)
    expect(vr.preExposureUnits.canary).toBeGreaterThan(0.5 * vr.units.canary)
    expect(latency.method).toMatch(
      /^regression-adjusted \(CUPED\) asymptotic CS on pre-exposure level, route, clustered by unit/
    )
    // The per-user levels it removes are also what skews the unadjusted estimator: here the
    // unadjusted interval is not trusted yet (skewness above 0.2), the adjusted one is.
    const unadjusted = metric(plain.metrics, 'mean latency')
    expect(unadjusted.why).toMatchObject({ code: 'too-skewed' })
    expect(width(unadjusted)).toBe(Infinity)
    expect(unadjusted.validity!.skewness!).toBeGreaterThan(0.2)
    expect(latency.validity!.skewness!).toBeLessThan(0.2)
    expect(latency.validity!.skewness!).toBeLessThan(unadjusted.validity!.skewness! / 4)
    expect(Number.isFinite(width(latency))).toBe(true)
    // Quantiles are not adjusted; the record of a metric without it is unchanged.
    expect(metric(cuped.metrics, 'p95 latency')).toEqual(metric(plain.metrics, 'p95 latency'))
    expect(metric(plain.metrics, 'mean latency').varianceReduction).toBeUndefined()
    expect(cuped.dataQuality?.preExposure).toMatchObject({
      window: { from: new Date(DEMO_START - 24 * HOUR).getTime(), to: DEMO_START },
      canaryRecords: 0
    })
    expect(cuped.dataQuality!.preExposure!.records).toBeGreaterThan(30_000)
  })

  it("narrows a score's interval: its nonasymptotic sequence at a tenth of alpha, intersected with the adjusted one", async () => {
    const quality =
      '  - { name: quality, from: score, kind: mean, better: higher, tolerance: 2% }\n'
    const withQuality = (extra = '') =>
      parsePolicy(POLICY.replace('pricing:', `${quality}pricing:`) + extra, join(root, 'q.yml'))
    const plain = metric((await run(withQuality())).record.metrics, 'quality')
    const cuped = metric(
      (await run(withQuality('varianceReduction: { lookback: 1d }\n'))).record.metrics,
      'quality'
    )
    expect(plain.method).toMatch(/^nonasymptotic empirical-Bernstein CS for a mean in \[0, 1\]/)
    expect(cuped.method).toMatch(
      /^nonasymptotic empirical-Bernstein CS for a mean in \[0, 1\].*, at 0\.1 of the alpha, intersected with the regression-adjusted \(CUPED\) asymptotic CS on pre-exposure level/
    )
    expect(cuped.varianceReduction).toMatchObject({
      used: true,
      covariates: ['pre-exposure level']
    })
    expect(cuped.varianceReduction!.varianceReduction).toBeGreaterThan(0.01)
    expect(cuped.validity!.skewness!).toBeLessThan(0.2)
    // Little of this score's variance is per user (3%), but the adjusted sequence is asymptotic.
    expect(width(cuped)).toBeLessThan(0.9 * width(plain))
    // The same point estimate's neighbourhood: the adjusted estimate lies inside both intervals.
    expect(cuped.delta.estimate).toBeGreaterThan(plain.delta.lower)
    expect(cuped.delta.estimate).toBeLessThan(plain.delta.upper)
  })

  it('reads the lookback before the rollout began, from the state, at any step', async () => {
    const policy = policyOf('varianceReduction: { lookback: 1d }\n')
    // At the second step, which began an hour in: the lookback still ends at the rollout's start.
    const state: RolloutState = {
      ...initialState(policy, DEMO_START),
      stepIndex: 1,
      stepStartedAt: new Date(DEMO_START + HOUR).toISOString()
    }
    const later = (await run(policy, state)).record
    expect(later.dataQuality?.preExposure?.window.to).toBe(DEMO_START)
    expect(metric(later.metrics, 'mean latency').varianceReduction?.used).toBe(true)
    // A state written before `startedAt` existed, past its first step: the start is unknown.
    const { startedAt: _, ...legacy } = state
    const old = (await run(policy, legacy)).record
    expect(old.dataQuality?.preExposure).toBeUndefined()
    expect(metric(old.metrics, 'mean latency').varianceReduction).toMatchObject({
      used: false,
      reason: 'no-covariate',
      dropped: [{ covariate: 'pre-exposure level', why: 'no-lookback' }]
    })
  })

  it('does not use a lookback that saw the canary: the rollout started earlier than stated', async () => {
    const policy = policyOf('varianceReduction: { lookback: 1d }\n')
    const source = new FileSource({
      patterns: [traffic],
      baseDir: root,
      format: 'auto',
      policy,
      parallel: false
    })
    const record = (
      await evaluate({
        policy,
        policyHash: 'test',
        source,
        now: DEMO_START + 2 * HOUR,
        since: DEMO_START + HOUR,
        replay: true,
        dryRun: true
      })
    ).record
    expect(record.dataQuality?.preExposure?.canaryRecords).toBeGreaterThan(0)
    expect(metric(record.metrics, 'mean latency').varianceReduction).toMatchObject({
      used: false,
      dropped: [{ covariate: 'pre-exposure level', why: 'lookback-not-clean' }]
    })
  })

  it('says so in the markdown and the text', async () => {
    const outcome = await run(
      policyOf('varianceReduction: { lookback: 1d, covariates: [route] }\n')
    )
    expect(outcome.markdown).toMatch(
      /CUPED −\d+% variance \(pre-exposure level, route; [\d,]+ of [\d,]+ units with history\)/
    )
    expect(outcome.text).toMatch(/CUPED −\d+% variance/)
    expect(outcome.state.startedAt).toBe(new Date(DEMO_START).toISOString())
  })

  it("keeps the rollout's start in the state: set at the first step, again when a rolled-back rollout resumes", () => {
    const policy = policyOf()
    const started = initialState(policy, DEMO_START)
    expect(rolloutStartedAt(started)).toBe(DEMO_START)
    const later = {
      ...started,
      stepIndex: 2,
      stepStartedAt: new Date(DEMO_START + 5 * HOUR).toISOString()
    }
    expect(rolloutStartedAt(later)).toBe(DEMO_START)
    // Without `startedAt` (an older state): known at the first step only.
    const { startedAt: _, ...legacy } = later
    expect(rolloutStartedAt(legacy)).toBeUndefined()
    expect(rolloutStartedAt({ ...legacy, stepIndex: 0 })).toBe(DEMO_START + 5 * HOUR)
    const rolledBack: RolloutState = { ...later, status: 'rolled-back', stepIndex: -1 }
    const resumeAt = DEMO_START + 9 * HOUR
    const resumed = nextState(
      rolledBack,
      manualDecision(policy, rolledBack, 'resume', 'ana', 'fixed'),
      resumeAt
    )
    expect(resumed.startedAt).toBe(new Date(resumeAt).toISOString())
  })
})

describe('variance reduction on the speed traffic (test/validity/speed.ts)', () => {
  it("promotes a 0.7% quality drop inside a 2% tolerance by minute 120 with 6 hours of users' history, where without it the score holds", async () => {
    const scenario = SPEED_SCENARIOS.find(s => s.id === 'quality-0.7')!
    for (const seed of [7000, 7005]) {
      const without = await simulateStep(scenario, seed)
      const withHistory = await simulateStep(scenario, seed, { lookback: 360 })
      expect(without.every(l => l.action === 'hold')).toBe(true)
      const last = without.at(-1)!
      expect(last.metrics.find(m => m.name === 'quality')!.verdict).toBe('inconclusive')
      const promoted = withHistory.find(l => l.action !== 'hold')
      expect(promoted).toMatchObject({ action: 'promote' })
      expect(promoted!.minute).toBeLessThanOrEqual(120)
    }
  })
})
