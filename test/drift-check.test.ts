/**
 * baseline-drift tells a shift of the traffic mix from a model change (issue 13): an A/A whose
 * traffic moves from long prompts to short ones moves the baseline's cost and latency, and must
 * not be blamed on the provider; the same move within each kind of request is a model change.
 * By seeded simulation, with each rate printed with its 95% Wilson interval.
 */
import { describe, expect, it } from 'vitest'
import { analyze } from '../src/analysis/analyze.js'
import { baselineLevels, driftCheck } from '../src/analysis/driftCheck.js'
import type { BaselineLevels } from '../src/analysis/types.js'
import type { Policy } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import { EvidenceBuilder } from '../src/sketch/evidenceBuilder.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 2, 8)

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Long prompts (about 20k input tokens) are slower and dearer than short ones (about 4k). */
const STRATA = {
  long: { tokens: 20_000, latency: 8000, cost: 0.05 },
  short: { tokens: 4000, latency: 2500, cost: 0.012 }
} as const

/** An hour of both arms (50/50 by user); `longShare` of requests are long; `model` scales both. */
function hour(policy: Policy, from: number, longShare: number, seed: number, model = 1) {
  const rand = rng(seed)
  const builder = new EvidenceBuilder({
    policy,
    window: { from, to: from + HOUR },
    now: from + HOUR,
    source: 'simulated'
  })
  const normalize = createNormalizer(policy)
  for (let i = 0; i < 6000; i++) {
    const route = rand() < longShare ? 'long' : 'short'
    const s = STRATA[route]
    const noise = () => Math.exp(0.3 * (rand() + rand() + rand() - 1.5))
    const user = `u${Math.floor(rand() * 3000)}`
    const raw = {
      ts: new Date(from + (i / 6000) * HOUR).toISOString(),
      arm: Number(user.slice(1)) % 2 ? 'candidate' : 'stable',
      user_id: user,
      route,
      input_tokens: Math.round(s.tokens * noise()),
      latency_ms: s.latency * model * noise(),
      cost_usd: s.cost * model * noise()
    }
    builder.line()
    const r = normalize(raw)
    if (isRequestRecord(r)) builder.add(r)
  }
  return analyze(policy, builder.finish(), 50)
}

function policyWith(segments: boolean): Policy {
  return testPolicy({
    metrics: [
      metric('mean latency', 'latency_ms', 'mean', { tolerance: { value: 0.1, relative: true } }),
      metric('cost per request', 'cost', 'mean', { tolerance: { value: 0.1, relative: true } })
    ],
    ...(segments ? { segments: { by: ['route'], gate: false } } : { segments: undefined })
  })
}

function drift(policy: Policy, startLong: number, nowLong: number, model: number, seed: number) {
  const first = hour(policy, T0, startLong, seed)
  const levels = baselineLevels(first.metrics)!
  const start: BaselineLevels = {
    at: new Date(T0 + HOUR).toISOString(),
    levels,
    ...(first.baselineMix && { mix: first.baselineMix })
  }
  const later = hour(policy, T0 + 24 * HOUR, nowLong, seed + 1, model)
  return driftCheck(policy, later.metrics, start, later.baselineMix)
}

function rate(label: string, hits: number, n: number): number {
  const z = 1.96
  const p = hits / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  console.log(
    `${label}: ${hits}/${n} = ${(100 * p).toFixed(1)}% (95% CI ${(100 * Math.max(0, centre - half)).toFixed(1)}% to ${(100 * (centre + half)).toFixed(1)}%)`
  )
  return p
}

const RUNS = 8

describe('baseline-drift separates a traffic-mix shift from a model change', () => {
  for (const segments of [true, false]) {
    const how = segments ? 'within segments' : 'by the mean input tokens'
    it(`an A/A whose traffic moved from long to short prompts is not blamed on the provider (${how})`, () => {
      const policy = policyWith(segments)
      const checks = Array.from({ length: RUNS }, (_, i) => drift(policy, 0.8, 0.3, 1, 100 + 2 * i))
      const blamed = checks.filter(c => /provider may have changed/.test(c.detail)).length
      rate(`mix shift blamed on the provider (${how})`, blamed, RUNS)
      expect(blamed).toBe(0)
      // Each says the baseline moved, and why.
      for (const c of checks) {
        expect(c.status).toBe('ok')
        expect(c.detail).toMatch(/the baseline moved with its traffic mix/)
      }
      if (!segments) expect(checks[0]!.detail).toMatch(/mean input 1[67]\.\dk → [89]\.\dk tokens/)
    })

    it(`the same move within every kind of request is still a model change (${how})`, () => {
      const policy = policyWith(segments)
      const checks = Array.from({ length: RUNS }, (_, i) =>
        drift(policy, 0.5, 0.5, 1.3, 300 + 2 * i)
      )
      const found = checks.filter(
        c => c.status === 'warn' && /provider may have changed/.test(c.detail)
      ).length
      rate(`model change found (${how})`, found, RUNS)
      expect(found).toBe(RUNS)
    })
  }
})
