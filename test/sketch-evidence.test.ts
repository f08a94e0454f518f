import { describe, expect, it } from 'vitest'
import type { Policy } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import {
  EvidenceBuilder,
  MAX_SEGMENTS_PER_ARM,
  OTHER_SEGMENT
} from '../src/sketch/evidenceBuilder.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../src/sketch/evidence.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const MINUTE = 60_000
const FROM = Date.UTC(2026, 10, 2, 8, 0, 0)
const TO = FROM + 60 * MINUTE
const at = (minutes: number) => new Date(FROM + minutes * MINUTE).toISOString()

/** Latency only, so the numbers below are easy to follow by hand. */
const latencyPolicy = (overrides: Partial<Policy> = {}) =>
  testPolicy({
    metrics: [
      metric('mean latency', 'latency_ms', 'mean'),
      metric('p50 latency', 'latency_ms', 'quantile', { quantile: 0.5 })
    ],
    segments: undefined,
    ...overrides
  })

function build(policy: Policy, rows: Record<string, unknown>[], now = TO): Evidence {
  const builder = new EvidenceBuilder({
    policy,
    window: { from: FROM, to: TO },
    now,
    source: 'test'
  })
  const normalize = createNormalizer(policy)
  rows.forEach((raw, i) => {
    builder.line()
    const r = normalize(raw)
    if (isRequestRecord(r)) builder.add(r)
    else if ('unmatchedArm' in r) builder.unmatchedArm(r.unmatchedArm)
    else builder.malformed(`rows:${i + 1}`, r.malformed)
  })
  return builder.finish()
}

const cellsOf = (e: Evidence, arm: Cell['arm'], segment = TOTAL_SEGMENT) =>
  e.cells.filter(c => c.arm === arm && c.segment === segment)

function moments(clusters: [number, number][]) {
  const m = emptyMoments()
  for (const [x, y] of clusters) addCluster(m, x, y)
  return m
}

describe('EvidenceBuilder', () => {
  it('files records into (arm, total segment, bucket) cells, one cluster per request without units', () => {
    const e = build(latencyPolicy(), [
      { ts: at(1), arm: 'stable', latency_ms: 100 },
      { ts: at(2), arm: 'stable', latency_ms: 300 },
      { ts: at(7), arm: 'stable', latency_ms: 200 },
      { ts: at(3), arm: 'candidate', latency_ms: 50 }
    ])
    expect(e.metrics).toEqual(['mean latency', 'p50 latency'])
    expect(e.bucketMs).toBe(5 * MINUTE)
    expect(e.unitLevel).toBe(false)
    const baseline = cellsOf(e, 'baseline')
    expect(baseline.map(c => [c.bucket, c.requests])).toEqual([
      [FROM, 2],
      [FROM + 5 * MINUTE, 1]
    ])
    expect(baseline[0]!.metrics[0]!.moments).toEqual(
      moments([
        [100, 1],
        [300, 1]
      ])
    )
    expect(baseline[0]!.metrics[0]!.quantiles).toBeUndefined()
    expect(baseline[0]!.metrics[1]!.quantiles?.count).toBe(2)
    expect(cellsOf(e, 'canary')[0]!.metrics[0]!.moments).toEqual(moments([[50, 1]]))
    expect(e.quality.records).toBe(4)
  })

  it('counts a unit spanning two buckets once, as one cluster in the bucket where it was first seen', () => {
    const e = build(latencyPolicy(), [
      { ts: at(1), arm: 'stable', user_id: 'u1', latency_ms: 100 },
      { ts: at(2), arm: 'stable', user_id: 'u2', latency_ms: 10 },
      { ts: at(6), arm: 'stable', user_id: 'u1', latency_ms: 300 },
      { ts: at(7), arm: 'stable', user_id: 'u3', latency_ms: 40 }
    ])
    expect(e.unitLevel).toBe(true)
    const [first, second] = cellsOf(e, 'baseline')
    expect([first!.requests, first!.units, second!.requests, second!.units]).toEqual([2, 2, 2, 1])
    // u1's cluster (100 + 300 over 2 requests) and u2's land in the first bucket; u3's in the second.
    expect(first!.metrics[0]!.moments).toEqual(
      moments([
        [400, 2],
        [10, 1]
      ])
    )
    expect(second!.metrics[0]!.moments).toEqual(moments([[40, 1]]))
    // Quantile sketches stay per request, in the bucket of the request.
    expect(first!.metrics[1]!.quantiles?.count).toBe(2)
    expect(first!.metrics[0]!.requests).toBe(2)
    const merged = mergeCells(cellsOf(e, 'baseline'))
    expect(merged.units).toBe(3)
    expect(merged.metrics[0]!.moments.n).toBe(3)
  })

  it('segments by the policy dimensions, clustering units per segment, and totals = merged segments', () => {
    const policy = latencyPolicy({ segments: { by: ['route', 'language'], gate: false } })
    const e = build(policy, [
      { ts: at(1), arm: 'stable', user_id: 'u1', route: 'faq', language: 'en', latency_ms: 100 },
      {
        ts: at(2),
        arm: 'stable',
        user_id: 'u1',
        route: 'billing',
        language: 'en',
        latency_ms: 200
      },
      { ts: at(6), arm: 'stable', user_id: 'u1', route: 'faq', language: 'en', latency_ms: 300 },
      { ts: at(6), arm: 'stable', user_id: 'u2', route: 'faq', latency_ms: 5 },
      { ts: at(8), arm: 'stable', route: 'faq', language: 'en', latency_ms: 7 }
    ])
    const segments = [...new Set(e.cells.map(c => c.segment))]
    expect(segments).toEqual([
      TOTAL_SEGMENT,
      'route=billing|language=en',
      'route=faq|language=(none)',
      'route=faq|language=en'
    ])
    const faqEn = cellsOf(e, 'baseline', 'route=faq|language=en')
    // u1 in faq/en: 100 + 300 in its first bucket; the unit-less request is its own cluster.
    expect(faqEn.map(c => [c.requests, c.units])).toEqual([
      [1, 1],
      [2, 0]
    ])
    expect(faqEn[0]!.metrics[0]!.moments).toEqual(moments([[400, 2]]))
    expect(faqEn[1]!.metrics[0]!.moments).toEqual(moments([[7, 1]]))
    const total = cellsOf(e, 'baseline')
    expect(total.map(c => [c.requests, c.units])).toEqual([
      [2, 1],
      [3, 1]
    ])
    // In the total, u1 is one cluster over all its segments: 100 + 200 + 300 over 3 requests.
    expect(total[0]!.metrics[0]!.moments).toEqual(moments([[600, 3]]))
    expect(total[1]!.metrics[0]!.moments).toEqual(
      moments([
        [5, 1],
        [7, 1]
      ])
    )
    expect(total[0]!.metrics[1]!.quantiles?.count).toBe(2)
    expect(total[1]!.metrics[1]!.quantiles?.count).toBe(3)
  })

  it(`keeps at most ${MAX_SEGMENTS_PER_ARM} segment keys per arm, then files into ${OTHER_SEGMENT}`, () => {
    const policy = latencyPolicy({ segments: { by: ['route'], gate: false } })
    const rows = Array.from({ length: 60 }, (_, i) => ({
      ts: at(1),
      arm: 'stable',
      route: `r${i}`,
      latency_ms: 1
    }))
    const e = build(policy, rows)
    const keys = new Set(e.cells.filter(c => c.segment !== TOTAL_SEGMENT).map(c => c.segment))
    expect(keys.size).toBe(MAX_SEGMENTS_PER_ARM + 1)
    expect(cellsOf(e, 'baseline', OTHER_SEGMENT)[0]!.requests).toBe(10)
    expect(cellsOf(e, 'baseline')[0]!.requests).toBe(60)
  })

  it('counts future records, records outside the window, unmatched arms and malformed rows', () => {
    const e = build(
      latencyPolicy(),
      [
        { ts: at(1), arm: 'stable', latency_ms: 1 },
        { ts: at(-1), arm: 'stable', latency_ms: 1 },
        { ts: at(60), arm: 'stable', latency_ms: 1 },
        { ts: at(45), arm: 'stable', latency_ms: 1 },
        { ts: at(2), arm: 'shadow', latency_ms: 1 },
        { ts: at(2), latency_ms: 1 }
      ],
      FROM + 30 * MINUTE
    )
    expect(e.quality).toMatchObject({
      lines: 6,
      records: 1,
      future: 2,
      outsideWindow: 1,
      unmatchedArms: { shadow: 1 },
      malformed: 1,
      malformedSamples: ['rows:6: no arm field "arm"']
    })
  })

  it('counts invalid values per field, once per record, and never uses them', () => {
    const e = build(latencyPolicy(), [
      { ts: at(1), arm: 'stable', latency_ms: 'NaN' },
      { ts: at(1), arm: 'stable', latency_ms: -3 },
      { ts: at(1), arm: 'stable', latency_ms: 20 }
    ])
    // Both metrics read latency_ms: each bad record is counted once, not twice.
    expect(e.quality.invalidValues).toEqual({ 'latency_ms: negative or not a finite number': 2 })
    const cell = cellsOf(e, 'baseline')[0]!
    expect(cell.requests).toBe(3)
    expect(cell.metrics[0]!.requests).toBe(1)
    expect(cell.metrics[0]!.moments.sx).toBe(20)
  })

  it('counts models (with fingerprints) and error classes per cell', () => {
    const e = build(testPolicy({ segments: undefined }), [
      { ts: at(1), arm: 'stable', model: 'gpt-4o', system_fingerprint: 'fp_1', error: 'timeout' },
      { ts: at(1), arm: 'stable', model: 'gpt-4o', system_fingerprint: 'fp_1' },
      { ts: at(1), arm: 'stable', model: 'gpt-4o-mini', error: { type: 'rate_limit' } }
    ])
    const cell = cellsOf(e, 'baseline')[0]!
    // A failed call served nothing: its model is counted apart.
    expect(cell.models).toEqual({ 'gpt-4o#fp_1': 1 })
    expect(cell.failedModels).toEqual({ 'gpt-4o#fp_1': 1, 'gpt-4o-mini': 1 })
    expect(cell.errors).toEqual({ timeout: 1, rate_limit: 1 })
  })

  it('clusters ratio metrics by unit with their own y sums', () => {
    const policy = latencyPolicy({
      metrics: [metric('cost per output token', 'cost_usd', 'ratio', { per: 'output_tokens' })]
    })
    const e = build(policy, [
      { ts: at(1), arm: 'canary', user_id: 'u', cost_usd: 0.5, output_tokens: 100, arm_: 1 },
      { ts: at(2), arm: 'candidate', user_id: 'u', cost_usd: 0.25, output_tokens: 0 },
      { ts: at(3), arm: 'candidate', user_id: 'v', cost_usd: 0.1, output_tokens: 10 }
    ])
    const cell = cellsOf(e, 'canary')[0]!
    expect(cell.metrics[0]!.moments).toEqual(
      moments([
        [0.25, 0],
        [0.1, 10]
      ])
    )
    expect(e.quality.unmatchedArms).toEqual({ canary: 1 })
  })
})
