/**
 * The evidence `backtest` and `plan` build incrementally from rows (src/replay/) against the
 * EvidenceBuilder's over the same window of the same files: the analysis of both must agree on
 * every verdict, interval, check and count, whatever the order of the records in the files and
 * whether the rows fit in memory or spill to disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { mulberry32, traffic } from '../examples/generate-traffic.js'
import { analyze } from '../src/analysis/analyze.js'
import type { Analysis } from '../src/analysis/types.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { Policy } from '../src/policy/types.js'
import { readLogs } from '../src/replay/read.js'
import { ReplaySource } from '../src/replay/replaySource.js'
import { stableOrder } from '../src/replay/rowStore.js'
import { TOTAL_SEGMENT, type Evidence } from '../src/sketch/evidence.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { FileSource } from '../src/sources/file/fileSource.js'

const T0 = Date.parse('2026-11-02T08:00:00Z')
const MINUTE = 60_000
const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-replay-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const POLICY = `version: 1
rollout: { name: replay, steps: [10, 50, 100], minDuration: 20m, minSamples: 200, warmup: 5m, minPeakLoad: 0.5 }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: 'traffic.jsonl' }
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 3% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost, from: cost, kind: mean, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp, limit: 5% }
  - { name: tokens per input, from: output_tokens, per: input_tokens, kind: ratio, better: lower, tolerance: 10% }
segments: { by: [route, language], gate: hold }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`

/** Generated logs with the rough edges of real ones: requests without a user, bad values, bad lines. */
function lines(count: number, seed: number): string[] {
  const rand = mulberry32(seed + 1000)
  const out: string[] = []
  for (const r of traffic({
    seed,
    start: T0,
    rate: 10,
    count,
    canaryWeight: 10,
    users: 3000,
    effect: { latency: 1.05, score: -0.01, outputTokens: 1, errors: 1.5 },
    staging: {
      canaryCache: { start: 0.2, warmMinutes: 30 },
      modelChange: { arm: 'canary', at: T0 + 32 * MINUTE, fingerprint: 'fp_new' }
    }
  })) {
    const u = rand()
    if (u < 0.05) delete r.user_id
    else if (u < 0.06) r.latency_ms = -5
    else if (u < 0.065) r.score = 3
    out.push(JSON.stringify(r))
    if (u > 0.998) out.push('{not json')
  }
  return out
}

function policyFor(path: string): Policy {
  return parsePolicy(POLICY.replace('traffic.jsonl', path), join(dir, 'policy.yml'))
}

async function both(file: string, windows: [number, number][], memoryBytes?: number) {
  const policy = policyFor(file)
  const files = new FileSource({
    patterns: [file],
    baseDir: dir,
    format: 'auto',
    policy,
    parallel: false
  })
  const logs = await readLogs(files, policy, {
    tempDir: dir,
    ...(memoryBytes !== undefined && { memoryBytes })
  })
  const replay = new ReplaySource(logs, policy, files.describe())
  const pairs: { builder: Evidence; replay: Evidence }[] = []
  try {
    for (const [from, to] of windows) {
      const request = { window: { from, to }, now: to }
      pairs.push({ builder: await files.collect(request), replay: await replay.collect(request) })
    }
  } finally {
    replay.close()
  }
  const runs = logs.store.runsOnDisk
  logs.store.close()
  return { policy, pairs, runs }
}

const close = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/**
 * `sorted`: otherwise requests without a unit fall in the A/A halves by their order (as in the
 * builder, by their order in the files), so the a/a check's noise differs a little.
 */
function expectSameAnalysis(a: Analysis, b: Analysis, sorted: boolean): void {
  expect(b.arms).toEqual(a.arms)
  const checks = (x: Analysis) => x.checks.filter(c => sorted || c.name !== 'a/a')
  expect(checks(b)).toEqual(checks(a))
  expect(b.restartAt).toEqual(a.restartAt)
  expect(b.peakLoad).toEqual(a.peakLoad)
  expect(b.unitLevel).toBe(a.unitLevel)
  a.metrics.forEach((m, i) => {
    const r = b.metrics[i]!
    expect(r.verdict).toBe(m.verdict)
    expect(r.n).toEqual(m.n)
    expect(r.reason).toBe(m.reason)
    for (const key of ['estimate', 'lower', 'upper'] as const) {
      expect(close(r.delta[key], m.delta[key]), `${m.name} ${key}`).toBe(true)
    }
  })
  expect(b.segments.map(s => [s.segment, s.verdict])).toEqual(
    a.segments.map(s => [s.segment, s.verdict])
  )
}

/** Numbers equal up to the rounding of sums added in another order; everything else equal. */
function expectClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(close(actual, expected), `${path}: ${actual} vs ${expected}`).toBe(true)
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort())
    for (const [k, v] of Object.entries(expected)) {
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
    }
  } else expect(actual, path).toEqual(expected)
}

/**
 * `sorted`: the files are in time order. Otherwise the builder counts a unit in the bucket of its
 * first record in the files, the replay in the bucket of its earliest record: the same units
 * over the window, in other buckets.
 */
function expectSameTotals(a: Evidence, b: Evidence, sorted: boolean): void {
  expect(b.quality).toEqual(a.quality)
  expect(b.window).toEqual(a.window)
  const keys = new Set(a.cells.map(c => `${c.arm}|${c.segment}`))
  expect(new Set(b.cells.map(c => `${c.arm}|${c.segment}`))).toEqual(keys)
  for (const key of keys) {
    const of = (e: Evidence) => mergeCells(e.cells.filter(c => `${c.arm}|${c.segment}` === key))
    const [x, y] = [of(a), of(b)]
    expect(y.requests).toBe(x.requests)
    expect(y.units).toBe(x.units)
    expect(y.models).toEqual(x.models)
    expect(y.errors).toEqual(x.errors)
    x.metrics.forEach((m, i) => {
      const n = y.metrics[i]!
      expect(n.requests).toBe(m.requests)
      expect(n.moments.n).toBe(m.moments.n)
      for (const k of ['sx', 'sy', 'sxx', 'syy', 'sxy'] as const) {
        expect(close(n.moments[k], m.moments[k]), `${key} metric ${i} ${k}`).toBe(true)
      }
      expect(n.quantiles).toEqual(m.quantiles)
    })
  }
  // The checks' per-bucket counts: the total segment's cells bucket by bucket.
  for (const arm of ['baseline', 'canary'] as const) {
    const buckets = (e: Evidence) =>
      e.cells
        .filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
        .map(c => ({
          bucket: c.bucket,
          requests: c.requests,
          ...(sorted && { units: c.units }),
          models: c.models,
          errors: c.errors,
          failedModels: c.failedModels,
          fallbacks: c.fallbacks,
          cache: c.cache
        }))
    expectClose(buckets(b), buckets(a), arm)
  }
}

describe('incremental window evidence (src/replay) against the EvidenceBuilder', () => {
  const text = lines(40_000, 3)
  writeFileSync(join(dir, 'sorted.jsonl'), text.join('\n') + '\n')
  // The same lines in another order: two interleaved halves, as two hosts' logs concatenated.
  const shuffled = [...text.filter((_, i) => i % 2 === 0), ...text.filter((_, i) => i % 2 === 1)]
  writeFileSync(join(dir, 'shuffled.jsonl'), shuffled.join('\n') + '\n')
  const from = T0 + 7 * MINUTE
  // Growing windows of one step, then a later start (a promotion), then one from 0 (no state).
  const windows: [number, number][] = [
    [from, from + 13 * MINUTE],
    [from, from + 31 * MINUTE],
    [from, from + 44 * MINUTE + 17],
    [from, from + 62 * MINUTE],
    [T0 + 35 * MINUTE, T0 + 63 * MINUTE],
    [T0 + 35 * MINUTE, T0 + 66 * MINUTE],
    [0, T0 + 20 * MINUTE]
  ]

  it('gives the same analysis at every look, in memory', async () => {
    const { policy, pairs, runs } = await both('sorted.jsonl', windows)
    expect(runs).toBe(0)
    for (const { builder, replay } of pairs) {
      expectSameTotals(builder, replay, true)
      expectSameAnalysis(
        analyze(policy, builder, 10, true),
        analyze(policy, replay, 10, true),
        true
      )
    }
    // The model change and the segments are exercised, not vacuous.
    const last = analyze(policy, pairs[3]!.replay, 10, true)
    expect(last.restartAt).toBeDefined()
    expect(last.segments.length).toBeGreaterThan(10)
  })

  it('gives the same analysis from unsorted files spilled to disk in sorted runs', async () => {
    const { policy, pairs, runs } = await both('shuffled.jsonl', windows, 1 << 20)
    expect(runs).toBeGreaterThan(2)
    for (const { builder, replay } of pairs) {
      expectSameTotals(builder, replay, false)
      expectSameAnalysis(
        analyze(policy, builder, 10, true),
        analyze(policy, replay, 10, true),
        false
      )
    }
  })

  it('sorts times stably, packed or by comparison', () => {
    const rand = mulberry32(9)
    for (const integers of [true, false]) {
      const ts = Float64Array.from({ length: 5000 }, () => {
        const t = T0 + Math.floor(rand() * 50) * 1000
        return integers ? t : t + 0.5
      })
      const order = stableOrder(ts)
      for (let i = 1; i < order.length; i++) {
        const [a, b] = [order[i - 1]!, order[i]!]
        expect(ts[a]! < ts[b]! || (ts[a] === ts[b] && a < b)).toBe(true)
      }
    }
  })
})
