/**
 * Seeded simulations of the whole decision (analyze + decide) on streams with a known truth:
 * the error and power a user of the gate actually gets, at 20 looks on growing data.
 *
 * Streams (test/helpers/simulate.ts): quality scores N(0.78, 0.12) clipped to [0, 1], latency
 * lognormal with median 800 ms and sigma 0.5, exactly equal arms at a 50/50 step (so the
 * traffic-split check never blocks), 1500 new requests per arm per look: 30 000 per arm by the
 * 20th look. That size is set by the p95 latency metric: with sigma 0.5 and a 10% tolerance, the
 * two arms' p95 confidence sequences at alpha / 4 each, plus the sketch's 1% accuracy, need about
 * 25 000 requests per arm before equal arms reliably pass.
 */
import { describe, expect, it } from 'vitest'
import type { Action } from '../src/decide/types.js'
import {
  NO_CHANGE,
  simulateStep,
  simulationPolicy,
  type CanaryChange,
  type LookPlan
} from './helpers/simulate.js'

const REPLICATES = 400
const PLAN: LookPlan = { looks: 20, requestsPerLook: 1500, lookEveryMs: 15 * 60_000 }
const policy = simulationPolicy()

const UNTIL_ROLLBACK: ReadonlySet<Action> = new Set(['rollback'])
const UNTIL_DECISIVE: ReadonlySet<Action> = new Set(['promote', 'rollback'])

/** Replicate i of a scenario uses seed `seedBase + i`; each scenario has its own seeds. */
function replicates(
  seedBase: number,
  change: CanaryChange,
  stopOn: ReadonlySet<Action>,
  plan: LookPlan = PLAN,
  count = REPLICATES
): Action[][] {
  return Array.from({ length: count }, (_, i) =>
    simulateStep(policy, seedBase + i, change, plan, stopOn)
  )
}

function rate(label: string, runs: Action[][], hit: (actions: Action[]) => boolean): number {
  const hits = runs.filter(hit).length
  const share = hits / runs.length
  console.log(`${label} ${share.toFixed(4)} (${hits}/${runs.length})`)
  return share
}

const rolledBack = (actions: Action[]) => actions.includes('rollback')
const meanLooks = (runs: Action[][]) => runs.reduce((sum, a) => sum + a.length, 0) / runs.length

describe('simulated rollouts through analyze + decide', () => {
  it('A/A: rolls back in at most 1% of 400 replicates over 20 looks', () => {
    // The gate keeps looking after a promote here (stricter than a real rollout, which leaves the
    // step): a rollback at any of the 20 looks counts.
    const runs = replicates(10_000, NO_CHANGE, UNTIL_ROLLBACK)
    expect(rate('A/A rollback rate', runs, rolledBack)).toBeLessThanOrEqual(0.01)
  })

  it('rolls back a 30% p95 latency regression in at least 95% of replicates', () => {
    const runs = replicates(20_000, { score: 1, latency: 1.3 }, UNTIL_ROLLBACK)
    const share = rate('p95 +30% rollback rate', runs, rolledBack)
    console.log(`p95 +30% mean looks to rollback ${meanLooks(runs).toFixed(2)}`)
    expect(share).toBeGreaterThanOrEqual(0.95)
  })

  it('promotes a 0.5% quality drop inside a 3% tolerance in at least 90% of replicates', () => {
    // The first decisive look decides; a replicate that only ever holds is not a promotion.
    const runs = replicates(30_000, { score: 0.995, latency: 1 }, UNTIL_DECISIVE)
    const share = rate('quality -0.5% promote rate', runs, a => a.at(-1) === 'promote')
    rate('quality -0.5% rollback rate', runs, rolledBack)
    console.log(`quality -0.5% mean looks to decide ${meanLooks(runs).toFixed(2)}`)
    expect(share).toBeGreaterThanOrEqual(0.9)
  })

  it('rolls back a 20% quality drop at the first look', () => {
    const runs = replicates(40_000, { score: 0.8, latency: 1 }, UNTIL_ROLLBACK, PLAN, 50)
    expect(runs.every(a => a.length === 1 && a[0] === 'rollback')).toBe(true)
  })

  it('A/A from below the minimum sample: every look decides, and the stream ends in promote or hold', () => {
    // 60 requests per arm per look: the first look is below minSamples (100), where intervals
    // are unbounded; the gate must hold there and never roll back an A/A stream.
    const small: LookPlan = { looks: 20, requestsPerLook: 60, lookEveryMs: 15 * 60_000 }
    const runs = replicates(50_000, NO_CHANGE, UNTIL_ROLLBACK, small, 50)
    expect(runs.every(a => a.length === small.looks && a[0] === 'hold')).toBe(true)
    expect(runs.every(a => a.at(-1) === 'promote' || a.at(-1) === 'hold')).toBe(true)
  })
})
