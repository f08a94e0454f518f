/**
 * The evidence the staging checks need (issue 5), checked against values computed independently
 * from the raw rows: the A/A halves of the baseline and the prompt-cache sums. Then the A/A
 * check's error rate on clean data, by seeded simulation.
 */
import { emptyQuality } from '../src/sketch/evidence.js'
import { describe, expect, it } from 'vitest'
import { traffic, NO_EFFECT } from '../examples/generate-traffic.js'
import { analyze } from '../src/analysis/analyze.js'
import { studentQuantile, trend } from '../src/analysis/cacheCheck.js'
import { modelCheck } from '../src/analysis/modelCheck.js'
import { emptyCacheSums } from '../src/sketch/cacheSums.js'
import type { Policy } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import { EvidenceBuilder } from '../src/sketch/evidenceBuilder.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { TOTAL_SEGMENT, type Evidence } from '../src/sketch/evidence.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const MINUTE = 60_000
const FROM = Date.UTC(2026, 10, 2, 8, 0, 0)

function build(policy: Policy, rows: Record<string, unknown>[], to: number): Evidence {
  const builder = new EvidenceBuilder({ policy, window: { from: FROM, to }, now: to, source: 't' })
  const normalize = createNormalizer(policy)
  for (const raw of rows) {
    builder.line()
    const r = normalize(raw)
    if (isRequestRecord(r)) builder.add(r)
  }
  return builder.finish()
}

function rows(count: number, seed: number, weight = 50): Record<string, unknown>[] {
  return [
    ...traffic({
      seed,
      start: FROM,
      rate: 20,
      count,
      canaryWeight: weight,
      users: 3000,
      effect: NO_EFFECT
    })
  ]
}

/** The documented split, written out again: salted FNV-1a, murmur3 fmix32, low bit. */
function half(unit: string): number {
  let h = (0x811c9dc5 ^ 0x5bd1e995) >>> 0
  for (const ch of unit) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 16777619) >>> 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) & 1
}

const baselineTotals = (e: Evidence) =>
  e.cells.filter(c => c.arm === 'baseline' && c.segment === TOTAL_SEGMENT)

describe('evidence for the staging checks', () => {
  for (const segments of [undefined, { by: ['route', 'language'], gate: false as const }]) {
    it(`splits the baseline into A/A halves by unit hash${segments ? ', with segments' : ''}: per-half sums as computed from the rows`, () => {
      const policy = testPolicy({ segments })
      const data = rows(6000, 5)
      const e = build(policy, data, FROM + 6 * 60 * MINUTE)
      const cells = baselineTotals(e)
      expect(cells.every(c => c.halves !== undefined)).toBe(true)
      const halves = [0, 1].map(h =>
        mergeCells(
          cells.map(c => ({
            requests: 0,
            units: 0,
            models: {},
            errors: {},
            metrics: c.halves![h]!
          }))
        )
      )
      // Quality (metric 0): sum of scores, count of scored requests, distinct units per half.
      for (const h of [0, 1]) {
        const mine = data.filter(
          r => r.arm === 'stable' && half(r.user_id as string) === h && r.score !== undefined
        )
        const q = halves[h]!.metrics[0]!
        expect(q.requests).toBe(mine.length)
        expect(q.moments.sx).toBeCloseTo(
          mine.reduce((s, r) => s + (r.score as number), 0),
          6
        )
        expect(q.moments.n).toBe(new Set(mine.map(r => r.user_id)).size)
      }
      // Every baseline cluster is in exactly one half.
      const total = mergeCells(cells)
      for (let i = 0; i < policy.metrics.length; i++) {
        expect(halves[0]!.metrics[i]!.moments.n + halves[1]!.metrics[i]!.moments.n).toBe(
          total.metrics[i]!.moments.n
        )
        expect(halves[0]!.metrics[i]!.requests + halves[1]!.metrics[i]!.requests).toBe(
          total.metrics[i]!.requests
        )
      }
      expect(e.cells.some(c => c.arm === 'canary' && c.halves)).toBe(false)
    })
  }

  it('splits request-level baselines too (no unit): halves partition the requests', () => {
    const policy = testPolicy({ segments: undefined })
    const data = rows(3000, 6).map(({ user_id: _, ...r }) => r)
    const cells = baselineTotals(build(policy, data, FROM + 6 * 60 * MINUTE))
    const n = (h: number) => cells.reduce((s, c) => s + (c.halves?.[h]?.[1]?.moments.n ?? 0), 0)
    const baseline = data.filter(r => r.arm === 'stable').length
    expect(n(0) + n(1)).toBe(baseline)
    expect(Math.abs(n(0) - n(1))).toBeLessThan(4 * Math.sqrt(baseline))
  })

  it('sums prompt-cache tokens and the cost views per cell, as computed from the rows', () => {
    const policy = testPolicy({ segments: undefined })
    const data = rows(4000, 7)
    const e = build(policy, data, FROM + 6 * 60 * MINUTE)
    const price = { input: 2.5, cacheRead: 1.25, output: 10 }
    for (const [arm, label] of [
      ['baseline', 'stable'],
      ['canary', 'candidate']
    ] as const) {
      const mine = data.filter(r => r.arm === label)
      const cache = e.cells
        .filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
        .map(c => c.cache!)
      const sum = (f: (c: (typeof cache)[0]) => number) => cache.reduce((s, c) => s + f(c), 0)
      const input = (r: Record<string, unknown>) => r.prompt_tokens as number
      const cached = (r: Record<string, unknown>) =>
        (r.prompt_tokens_details as { cached_tokens: number }).cached_tokens
      const output = (r: Record<string, unknown>) => r.completion_tokens as number
      expect(sum(c => c.requests)).toBe(mine.length)
      expect(sum(c => c.hits)).toBe(mine.filter(r => cached(r) > 0).length)
      expect(sum(c => c.inputTokens)).toBe(mine.reduce((s, r) => s + input(r), 0))
      expect(sum(c => c.cacheReadTokens)).toBe(mine.reduce((s, r) => s + cached(r), 0))
      const observed = mine.reduce(
        (s, r) =>
          s +
          ((input(r) - cached(r)) * price.input +
            cached(r) * price.cacheRead +
            output(r) * price.output) /
            1e6,
        0
      )
      const uncached = mine.reduce(
        (s, r) => s + (input(r) * price.input + output(r) * price.output) / 1e6,
        0
      )
      expect(sum(c => c.cost)).toBeCloseTo(observed, 9)
      expect(sum(c => c.costUncached)).toBeCloseTo(uncached, 9)
      expect(sum(c => c.inputAtCacheReadPrice)).toBeCloseTo(
        mine.reduce((s, r) => s + (input(r) * price.cacheRead) / 1e6, 0),
        9
      )
      const hitLatency = mine.filter(r => cached(r) > 0).map(r => r.latency_ms as number)
      expect(sum(c => c.latency.hit.n)).toBe(hitLatency.length)
      expect(sum(c => c.latency.hit.sx)).toBe(hitLatency.reduce((s, v) => s + v, 0))
    }
  })
})

describe('the A/A check on clean data (seeded simulation)', () => {
  it('blocks in no more than 1 - confidence of replicates, and its intervals cover 0', () => {
    // 120 independent A/A streams (both arms the same system), 5 metrics incl. a p95 and a rate.
    const policy = testPolicy({
      segments: undefined,
      rollout: { ...testPolicy().rollout, steps: [50, 100] }
    })
    const replicates = 120
    let blocked = 0
    let missed = 0
    for (let i = 0; i < replicates; i++) {
      const e = build(policy, rows(5000, 90_000 + i), FROM + 6 * 60 * MINUTE)
      const a = analyze(policy, e, 50, true)
      if (a.checks.find(c => c.name === 'a/a')?.status === 'block') blocked++
      // Any gating metric whose A/A interval excludes the true difference 0.
      if (a.metrics.some(m => m.mode !== 'report' && m.aa && (m.aa.lower > 0 || m.aa.upper < 0)))
        missed++
    }
    console.log(`A/A block rate ${blocked}/${replicates}, interval misses 0 in ${missed}`)
    const familyAlpha = 1 - policy.confidence
    expect(blocked / replicates).toBeLessThanOrEqual(familyAlpha)
    // Bonferroni: any of the gating intervals missing 0 at most familyAlpha (plus binomial noise
    // of 2 standard errors at this number of replicates).
    const slack = 2 * Math.sqrt((familyAlpha * (1 - familyAlpha)) / replicates)
    expect(missed / replicates).toBeLessThanOrEqual(familyAlpha + slack)
  })

  it('says "not available from this source" when the evidence has no halves', () => {
    const policy = testPolicy({ segments: undefined, metrics: [metric('q', 'score', 'mean')] })
    const e = build(policy, rows(2000, 3), FROM + 6 * 60 * MINUTE)
    for (const c of e.cells) delete c.halves
    for (const c of e.cells) delete c.cache
    const a = analyze(policy, e, 50, true)
    expect(a.checks.find(c => c.name === 'a/a')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/not available from this source/)
    })
    expect(a.checks.find(c => c.name === 'cache')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/not available from this source/)
    })
  })
})

describe('model changes and cache trends from cells', () => {
  const cell = (arm: 'baseline' | 'canary', minute: number, models: Record<string, number>) => ({
    arm,
    segment: TOTAL_SEGMENT,
    bucket: FROM + minute * MINUTE,
    requests: Object.values(models).reduce((a, b) => a + b, 0),
    units: 0,
    metrics: [],
    models,
    errors: {}
  })
  const evidenceOf = (cells: ReturnType<typeof cell>[]): Evidence => ({
    source: 't',
    window: { from: FROM, to: FROM + 60 * MINUTE },
    bucketMs: 5 * MINUTE,
    metrics: [],
    unitLevel: false,
    cells,
    quality: emptyQuality()
  })

  it('a gateway that mixes two models all along is not a change; a takeover is, at its bucket', () => {
    const policy = testPolicy()
    const mixed = [0, 5, 10, 15, 20].map((m, i) =>
      cell('canary', m, { a: 50 + (i % 2 ? 3 : -3), b: 50 - (i % 2 ? 3 : -3) })
    )
    expect(modelCheck(policy, evidenceOf(mixed)).changedAt).toBeUndefined()
    const takeover = [0, 5, 10, 15, 20].map(m =>
      cell('canary', m, m < 15 ? { 'a#fp1': 100, 'a#fp2': 1 } : { 'a#fp1': 2, 'a#fp2': 98 })
    )
    const found = modelCheck(policy, evidenceOf(takeover))
    expect(found.changedAt).toBe(FROM + 15 * MINUTE)
    expect(found.check.status).toBe('block')
    expect(found.check.detail).toMatch(
      /^canary's served model changed from a#fp1 to a#fp2 at about/
    )
  })

  it("the warming trend is the weighted least-squares slope of the canary's rate (exact on a line)", () => {
    // canary rate = 0.1 + 0.1 t (t in hours) with unequal weights: slope 0.1 exactly, residuals 0.
    const points = [0, 1, 2, 3, 4].map(h => {
      const c = 1000 * (h + 1)
      const canaryRate = 0.1 + 0.1 * h
      return {
        t: h,
        b: { ...emptyCacheSums(), inputTokens: 1000, cacheReadTokens: 600 },
        c: { ...emptyCacheSums(), inputTokens: c, cacheReadTokens: Math.round(canaryRate * c) }
      }
    })
    const fit = trend(points, p => p.c.cacheReadTokens / p.c.inputTokens)
    expect(fit.slope).toBeCloseTo(0.1, 12)
    expect(fit.se).toBeLessThan(1e-9)
  })

  it("Student's t quantiles: exact for 1 and 2 degrees of freedom, Cornish-Fisher beyond", () => {
    // Tables (e.g. Abramowitz & Stegun, Table 26.10): t(0.975) for 1, 2, 4, 10, 30 df.
    expect(studentQuantile(0.975, 1)).toBeCloseTo(12.706, 3)
    expect(studentQuantile(0.975, 2)).toBeCloseTo(4.303, 3)
    expect(studentQuantile(0.975, 4)).toBeCloseTo(2.776, 2)
    expect(studentQuantile(0.95, 10)).toBeCloseTo(1.812, 3)
    expect(studentQuantile(0.95, 30)).toBeCloseTo(1.697, 3)
  })
})
