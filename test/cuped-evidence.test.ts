/**
 * What the evidence holds for variance reduction (CovariateCollector in the EvidenceBuilder): each
 * unit's pre-exposure sums from the lookback before the rollout's first step, its request
 * covariates in the window, and the rules for which records count as pre-exposure.
 */
import { describe, expect, it } from 'vitest'
import type { Policy, VarianceReductionSpec } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import { productIndex } from '../src/sketch/adjustedMoments.js'
import { MAX_COVARIATE_LEVELS } from '../src/sketch/covariates.js'
import { TOTAL_SEGMENT, type Evidence } from '../src/sketch/evidence.js'
import { EvidenceBuilder } from '../src/sketch/evidenceBuilder.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import type { AdjustedMoments } from '../src/sketch/types.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** The rollout's first step began at START; this look's window is a later step's. */
const START = Date.UTC(2026, 10, 2, 8, 0, 0)
const FROM = START + 2 * HOUR
const TO = FROM + HOUR
const at = (t: number) => new Date(t).toISOString()

const VR: VarianceReductionSpec = {
  lookback: 24 * HOUR,
  covariates: [
    { field: 'input_tokens', type: 'numeric' },
    { field: 'route', type: 'categorical' }
  ]
}

function policyWith(overrides: Partial<Policy> = {}): Policy {
  return testPolicy({
    metrics: [
      metric('mean latency', 'latency_ms', 'mean', { varianceReduction: VR }),
      metric('quality', 'score', 'mean', {
        better: 'higher',
        varianceReduction: { lookback: HOUR, covariates: [] }
      }),
      metric('p95 latency', 'latency_ms', 'quantile', { quantile: 0.95 })
    ],
    segments: undefined,
    ...overrides
  })
}

function build(policy: Policy, rows: Record<string, unknown>[], started = START): Evidence {
  const builder = new EvidenceBuilder({
    policy,
    window: { from: FROM, to: TO },
    now: TO,
    source: 'test',
    rolloutStartedAt: started
  })
  const normalize = createNormalizer(policy)
  for (const raw of rows) {
    builder.line()
    const r = normalize(raw)
    if (isRequestRecord(r)) builder.add(r)
  }
  return builder.finish()
}

const adjustedOf = (e: Evidence, arm: 'baseline' | 'canary', metric = 0): AdjustedMoments => {
  const total = mergeCells(e.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT))
  const a = total.metrics[metric]?.adjusted
  if (!a) throw new Error(`no adjusted moments for ${arm}`)
  return a
}

/**
 * The moments of the given cluster vectors, for comparing with what the builder made; with their
 * third-order sums unless a request without a unit is among them (those carry none).
 */
function expected(covariates: string[], vectors: number[][], cubes = true): AdjustedMoments {
  const d = 5 + covariates.length
  const products = new Array<number>((d * (d + 1)) / 2).fill(0)
  const third: number[] = []
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++)
      for (let l = j; l < d; l++) third.push(vectors.reduce((s, v) => s + v[i]! * v[j]! * v[l]!, 0))
  for (const v of vectors) {
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) products[productIndex(i, j, d)]! += v[i]! * v[j]!
  }
  return {
    covariates,
    n: vectors.length,
    covered: vectors.filter(v => v[3]! > 0).length,
    sums: Array.from({ length: d }, (_, i) => vectors.reduce((s, v) => s + v[i]!, 0)),
    products,
    ...(cubes && { cubes: third })
  }
}

const ROWS: Record<string, unknown>[] = [
  // Unit a (baseline): two window requests, two pre-exposure ones (one before its window ones in
  // the file, one after), one before the lookback and one in an earlier step: neither counts.
  { ts: at(START - 3 * HOUR), arm: 'stable', user_id: 'a', latency_ms: 50, score: 0.5 },
  {
    ts: at(FROM + MINUTE),
    arm: 'stable',
    user_id: 'a',
    latency_ms: 100,
    input_tokens: 10,
    route: 'faq',
    score: 0.9
  },
  {
    ts: at(FROM + 7 * MINUTE),
    arm: 'stable',
    user_id: 'a',
    latency_ms: 300,
    input_tokens: 30,
    route: 'billing'
  },
  { ts: at(START - 30 * MINUTE), arm: 'stable', user_id: 'a', latency_ms: 70, score: 0.7 },
  { ts: at(START - 25 * HOUR), arm: 'stable', user_id: 'a', latency_ms: 999 },
  { ts: at(START + 30 * MINUTE), arm: 'stable', user_id: 'a', latency_ms: 999 },
  // Unit b: in the canary now; its baseline records before the rollout are its pre-exposure level.
  {
    ts: at(FROM + 2 * MINUTE),
    arm: 'candidate',
    user_id: 'b',
    latency_ms: 200,
    input_tokens: 5,
    route: 'faq'
  },
  { ts: at(START - 5 * MINUTE), arm: 'stable', user_id: 'b', latency_ms: 80 },
  // Unit c: in the canary since an earlier step: those records are exposure, never pre-exposure.
  { ts: at(START + 10 * MINUTE), arm: 'candidate', user_id: 'c', latency_ms: 5000 },
  {
    ts: at(FROM + 3 * MINUTE),
    arm: 'candidate',
    user_id: 'c',
    latency_ms: 250,
    input_tokens: 8,
    route: 'chat'
  },
  // A request without a unit: a cluster of its own, with no history.
  { ts: at(FROM + 4 * MINUTE), arm: 'candidate', latency_ms: 400, input_tokens: 7, route: 'faq' },
  // Unit d: history only (not in this window).
  { ts: at(START - 2 * HOUR), arm: 'stable', user_id: 'd', latency_ms: 60 }
]

describe('pre-exposure data and request covariates in the evidence', () => {
  it("holds each unit's window sums, its pre-exposure sums and its request covariates", () => {
    const e = build(policyWith(), ROWS)
    const names = ['input_tokens', 'route=faq', 'route=billing', 'route=chat']
    // v = (x, y, pre.x, pre.y, requests, input_tokens, faq, billing, chat)
    expect(adjustedOf(e, 'baseline')).toEqual(
      expected(names, [[400, 2, 50 + 70, 2, 2, 40, 1, 1, 0]])
    )
    expect(adjustedOf(e, 'canary')).toEqual(
      expected(
        names,
        [
          [200, 1, 80, 1, 1, 5, 1, 0, 0],
          [250, 1, 0, 0, 1, 8, 0, 0, 1],
          [400, 1, 0, 0, 1, 7, 1, 0, 0]
        ],
        false
      )
    )
    expect(e.quality.preExposure).toEqual({
      window: { from: START - 24 * HOUR, to: START },
      records: 4,
      units: 3,
      canaryRecords: 0
    })
    // Used as covariate data, not counted as outside the window: the record 25 h before the
    // start, and the two between the start and this step's window.
    expect(e.quality.outsideWindow).toBe(3)
  })

  it("reads each metric's own lookback: quality's is one hour", () => {
    const e = build(policyWith(), ROWS)
    // Unit a's quality: one score in the window (0.9); of its scores before the start, only the
    // one 30 minutes before is within quality's one-hour lookback.
    expect(adjustedOf(e, 'baseline', 1)).toEqual(expected([], [[0.9, 1, 0.7, 1, 2]]))
    expect(e.cells.every(c => c.metrics[2]?.adjusted === undefined)).toBe(true)
  })

  it('uses no pre-exposure data at all when the canary was served in the lookback', () => {
    const rows = [
      ...ROWS,
      { ts: at(START - 10 * MINUTE), arm: 'candidate', user_id: 'z', latency_ms: 1 }
    ]
    const e = build(policyWith(), rows)
    expect(e.quality.preExposure).toMatchObject({
      canaryRecords: 1,
      lastCanary: START - 10 * MINUTE
    })
    expect(adjustedOf(e, 'baseline').covered).toBe(0)
    expect(adjustedOf(e, 'canary').covered).toBe(0)
    expect(adjustedOf(e, 'baseline').sums.slice(2, 4)).toEqual([0, 0])
  })

  it('reads no lookback without the rollout start, and then counts those records as outside', () => {
    const builder = new EvidenceBuilder({
      policy: policyWith(),
      window: { from: FROM, to: TO },
      now: TO,
      source: 'test'
    })
    const normalize = createNormalizer(policyWith())
    for (const raw of ROWS) {
      const r = normalize(raw)
      if (isRequestRecord(r)) builder.add(r)
    }
    const e = builder.finish()
    expect(e.quality.preExposure).toBeUndefined()
    expect(e.quality.outsideWindow).toBe(7)
    expect(adjustedOf(e, 'baseline').covered).toBe(0)
  })

  it('gives the same moments with segments as without', () => {
    const plain = build(policyWith(), ROWS)
    const segmented = build(policyWith({ segments: { by: ['route'], gate: false } }), ROWS)
    for (const arm of ['baseline', 'canary'] as const) {
      expect(adjustedOf(segmented, arm)).toEqual(adjustedOf(plain, arm))
    }
    // Only the total cells carry them.
    expect(
      segmented.cells.filter(c => c.segment !== TOTAL_SEGMENT).some(c => c.metrics[0]?.adjusted)
    ).toBe(false)
  })

  it(`keeps an indicator for the first ${MAX_COVARIATE_LEVELS} values of a categorical covariate`, () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({
      ts: at(FROM + i * MINUTE),
      arm: 'stable',
      user_id: `u${i}`,
      latency_ms: 100 + i,
      route: `r${i}`
    }))
    const a = adjustedOf(build(policyWith(), rows), 'baseline')
    expect(a.covariates).toEqual([
      'input_tokens',
      ...Array.from({ length: MAX_COVARIATE_LEVELS }, (_, i) => `route=r${i}`)
    ])
    expect(a.n).toBe(12)
  })
})
