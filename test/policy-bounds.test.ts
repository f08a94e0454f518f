/**
 * The policy keys of bounded metrics and of aggregated data (issue 12): `range: [lo, hi]` on a
 * mean, the judge's pairwise reference, and `arms.assignment` / `arms.designEffect`.
 */
import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../src/policy/parse.js'
import { PolicyError } from '../src/policy/types.js'
import { compileMetricValue } from '../src/records/fields.js'
import type { RequestRecord } from '../src/records/record.js'

const policy = (metric: string, arms = 'arms: { baseline: a, canary: b }') => `version: 1
rollout: { name: r }
${arms}
source: { type: file, path: x.jsonl }
metrics:
  - ${metric}
`

const issues = (text: string): string[] => {
  try {
    parsePolicy(text, 'p.yml')
  } catch (e) {
    if (e instanceof PolicyError) return e.issues.map(i => `${i.line} ${i.path}: ${i.message}`)
    throw e
  }
  return []
}

describe('range: [lo, hi]', () => {
  it('makes a mean bounded, in the metric unit', () => {
    const p = parsePolicy(
      policy(
        '{ name: rating, from: rating, kind: mean, better: higher, tolerance: 0.2, range: [1, 5] }'
      ),
      'p.yml'
    )
    expect(p.metrics[0]?.range).toEqual({ lo: 1, hi: 5 })
  })

  it('names each mistake with where it is', () => {
    expect(
      issues(
        policy('{ name: e, from: error, kind: rate, better: lower, tolerance: 1pp, range: [0, 1] }')
      )
    ).toEqual(['6 metrics[0].range: a rate is a proportion in [0, 1] already; remove `range`'])
    expect(
      issues(
        policy(
          '{ name: r, from: rating, kind: mean, better: higher, tolerance: 0.2, range: [5, 1] }'
        )
      )
    ).toEqual([
      '6 metrics[0].range: range is [lo, hi] with lo < hi, the smallest and largest value the metric can take; got [5,1]'
    ])
    expect(
      issues(
        policy(
          '{ name: r, from: rating, kind: mean, better: higher, tolerance: 0.2, range: [1, 5], limit: 6 }'
        )
      )
    ).toEqual(['6 metrics[0].range: the limit 6 is outside the range [1, 5]'])
    expect(
      issues(
        policy(
          '{ name: l, from: latency_ms, kind: p95, better: lower, tolerance: 10%, range: [0, 1000] }'
        )
      )
    ).toEqual([
      '6 metrics[0].range: `range` is for kind mean (the values of a bounded mean); a quantile metric does not take one, remove it'
    ])
  })

  it('makes values outside the range invalid, never clipped', () => {
    const p = parsePolicy(
      policy(
        '{ name: rating, from: rating, kind: mean, better: higher, tolerance: 0.2, range: [1, 5] }'
      ),
      'p.yml'
    )
    const read = compileMetricValue(p.metrics[0]!, {})
    const record = (rating: number): RequestRecord => ({
      ts: 0,
      arm: 'canary',
      error: null,
      fallback: false,
      raw: { rating }
    })
    expect(read(record(4))).toEqual({ x: 4, y: 1 })
    expect(read(record(7))).toEqual({ invalid: "rating: outside the metric's range [1, 5]" })
  })
})

describe('the judge metric', () => {
  const judge = (mode: string) => `version: 1
rollout: { name: r }
arms: { baseline: a, canary: b }
source: { type: file, path: x.jsonl }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10% }
judge: { model: m, rubric: good, mode: ${mode} }
`
  it('compares a pairwise win rate with the fixed reference 0.5; pointwise with the baseline', () => {
    const pairwise = parsePolicy(judge('pairwise'), 'p.yml').metrics.find(m => m.from === 'judge')
    expect(pairwise?.reference).toBe(0.5)
    const pointwise = parsePolicy(judge('pointwise'), 'p.yml').metrics.find(m => m.from === 'judge')
    expect(pointwise?.reference).toBeUndefined()
  })
})

describe('arms.assignment and arms.designEffect', () => {
  it('are optional for records that carry their own detail, and validated', () => {
    const metric = '{ name: l, from: latency_ms, kind: mean, better: lower, tolerance: 10% }'
    expect(parsePolicy(policy(metric), 'p.yml').arms.assignment).toBeUndefined()
    expect(
      parsePolicy(policy(metric, 'arms: { baseline: a, canary: b, assignment: request }'), 'p.yml')
        .arms.assignment
    ).toBe('request')
    expect(
      issues(policy(metric, 'arms: { baseline: a, canary: b, assignment: session }'))[0]
    ).toMatch(/arms.assignment: .*unit, request/)
  })
})
