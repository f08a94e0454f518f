/**
 * `backtest` against the gate itself: over the demo's traffic, the backtest's decision at every
 * scheduled instant is the decision of evaluate --now at that instant with the state file carried
 * from run to run (what a scheduled workflow does), while reading the logs once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  DEMO_START,
  NO_EFFECT,
  SCENARIOS,
  writeTraffic,
  type CanaryEffect,
  type StagingOptions
} from '../examples/generate-traffic.js'
import { backtest, type BacktestResult } from '../src/backtest/backtest.js'
import { evaluate } from '../src/evaluate.js'
import { loadPolicyFile } from '../src/policyFile.js'
import { readLogs } from '../src/replay/read.js'
import { ReplaySource } from '../src/replay/replaySource.js'
import type { DecisionRecord } from '../src/report/record.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { FileStateStore } from '../src/state/fileStore.js'

const MINUTE = 60_000
const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-backtest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Case {
  name: string
  effect: CanaryEffect
  count: number
  staging?: StagingOptions
  /** Changes to examples/rollout-policy.yml. */
  policy?: (text: string) => string
  everyMinutes: number
}

async function run(
  c: Case
): Promise<{ evaluated: DecisionRecord[]; backtested: BacktestResult; lean: BacktestResult }> {
  const file = join(dir, `${c.name}.jsonl`)
  // The demo's traffic (examples/demo.ts): 12 calls per second, 40,000 users, 5% canary.
  await writeTraffic(file, {
    seed: 7,
    start: DEMO_START,
    rate: 12,
    count: c.count,
    canaryWeight: 5,
    users: 40000,
    effect: c.effect,
    ...(c.staging && { staging: c.staging })
  })
  const example = readFileSync(join(import.meta.dirname, '../examples/rollout-policy.yml'), 'utf8')
  const policyPath = join(dir, `${c.name}.policy.yml`)
  writeFileSync(policyPath, (c.policy ?? (t => t))(example))
  const loaded = await loadPolicyFile(policyPath)
  const { policy } = loaded
  const files = () =>
    new FileSource({ patterns: [file], baseDir: dir, format: 'auto', policy, parallel: false })
  const end = DEMO_START + (c.count / 12) * 1000
  const looks: number[] = []
  for (let t = DEMO_START; t <= end; t += c.everyMinutes * MINUTE) looks.push(t)

  // The gate as the scheduled workflow runs it: evaluate --now T --state S, one run per instant.
  const state = new FileStateStore(join(dir, `${c.name}.state.json`), policy.rollout.name)
  const evaluated: DecisionRecord[] = []
  for (const now of looks) {
    const outcome = await evaluate({
      policy,
      policyHash: loaded.hash,
      source: files(),
      store: state,
      now,
      replay: true
    })
    evaluated.push(outcome.record)
    if (outcome.state.status === 'complete' || outcome.state.status === 'rolled-back') break
  }

  const source = files()
  const logs = await readLogs(source, policy, { tempDir: dir })
  const replay = new ReplaySource(logs, policy, source.describe())
  // The command's run (decisionOnly), over the same rows read once.
  const again = new ReplaySource(logs, policy, source.describe())
  try {
    const backtested = await backtest({
      policy,
      policyHash: loaded.hash,
      source: replay,
      looks
    })
    const lean = await backtest({
      policy,
      policyHash: loaded.hash,
      source: again,
      looks,
      decisionOnly: true
    })
    return { evaluated, backtested, lean }
  } finally {
    replay.close()
    again.close()
    logs.store.close()
  }
}

/** What a person reads at each look: the decision, the step, the reasons, the checks, the verdicts. */
const gist = (r: DecisionRecord) => ({
  at: r.evaluatedAt,
  decision: r.decision,
  step: r.step,
  next: r.next,
  status: r.status,
  window: r.window,
  arms: r.arms,
  reasons: r.reasons,
  checks: r.checks.map(c => ({ name: c.name, status: c.status, detail: c.detail })),
  verdicts: r.metrics.map(m => `${m.name}: ${m.verdict}`),
  segments: r.segments.map(s => `${s.segment}: ${s.verdict}`)
})

function expectSame(evaluated: DecisionRecord[], backtested: BacktestResult): void {
  expect(backtested.looks.map(l => gist(l.record))).toEqual(evaluated.map(gist))
  backtested.looks.forEach((look, i) => {
    evaluated[i]!.metrics.forEach((m, j) => {
      const b = look.record.metrics[j]!
      for (const key of ['estimate', 'lower', 'upper'] as const) {
        const [x, y] = [m.delta[key], b.delta[key]]
        const same = Object.is(x, y) || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x))
        expect(same, `look ${i} ${m.name} ${key}: ${y} vs ${x}`).toBe(true)
      }
    })
  })
}

/**
 * The command's backtest (decisionOnly: no report rendered, no comparison of segments that only
 * report) shows exactly what the whole one shows: every look's facts, binding and record but the
 * segments, to the last bit.
 */
function expectSameFacts(full: BacktestResult, lean: BacktestResult): void {
  const facts = (r: BacktestResult) => ({
    ...r,
    looks: r.looks.map(({ record, ...look }) => ({ ...look, record: { ...record, segments: [] } }))
  })
  expect(facts(lean)).toEqual(facts(full))
  expect(lean.looks.every(l => l.record.segments.length === 0)).toBe(true)
  // Not vacuous: the whole backtest compared segments (the policy has segments, gate: false).
  expect(full.looks.some(l => l.record.segments.length > 0)).toBe(true)
}

describe('backtest gives the decisions of evaluate --now at each instant, state carried', () => {
  it('demo traffic, prompt v7 (promote): every look the same, through the promotions', async () => {
    const { evaluated, backtested, lean } = await run({
      name: 'promote',
      effect: SCENARIOS.promote!,
      // 3h20m: with the statistics of issues 12a and 12b (more conservative) the first step
      // promotes at 3h, so a few looks of the next step follow.
      count: 144_000,
      everyMinutes: 10
    })
    expectSame(evaluated, backtested)
    expectSameFacts(backtested, lean)
    const decisions = backtested.looks.map(l => l.decision)
    console.log(`promote: ${decisions.join(' ')}`)
    // Not vacuous: the step promoted, and the next step (25%) holds on the 5% logs' split.
    expect(decisions).toContain('promote')
    expect(backtested.steps.length).toBeGreaterThan(1)
    expect(backtested.steps[0]!.outcome).toBe('promoted')
  })

  it('demo traffic, a worse prompt (rollback): the same looks, up to the rollback', async () => {
    const { evaluated, backtested, lean } = await run({
      name: 'rollback',
      effect: SCENARIOS.rollback!,
      count: 40_000,
      everyMinutes: 5
    })
    expectSame(evaluated, backtested)
    expectSameFacts(backtested, lean)
    expect(backtested.looks.at(-1)?.decision).toBe('rollback')
    expect(backtested.steps.at(-1)?.outcome).toBe('rolled back')
  })

  it('a model change mid-step: the window restarts in both', async () => {
    const { evaluated, backtested, lean } = await run({
      name: 'model-change',
      effect: NO_EFFECT,
      count: 60_000,
      everyMinutes: 15,
      staging: {
        modelChange: { arm: 'canary', at: DEMO_START + 40 * MINUTE, fingerprint: 'fp_c0ffee' }
      },
      policy: t => t.replace('minDuration: 30m', 'minDuration: 2h')
    })
    expectSame(evaluated, backtested)
    expectSameFacts(backtested, lean)
    expect(backtested.looks.some(l => l.record.restartedAt !== undefined)).toBe(true)
  })
})
