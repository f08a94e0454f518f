/**
 * What makes backtest's looks fast gives the sums a merge from scratch gives, to the last bit.
 *
 * mergeCells and mergeCacheSums resume from the running totals of an earlier merge whose list
 * started with the same cells (backtest's looks: a window's past buckets are the same objects from
 * look to look). The result must be what a merge from scratch gives, to the last bit, whatever
 * lists follow: growing ones, shorter ones, ones that share only their first cell, the same list
 * again, cells with sketches; and a caller changing a result must not reach a later merge.
 */
import { describe, expect, it } from 'vitest'
import { addCacheRequest, emptyCacheSums, mergeCacheSums } from '../src/sketch/cacheSums.js'
import type { Cell } from '../src/sketch/evidence.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import { QuantileSketch } from '../src/sketch/quantileSketch.js'
import { growUnit, RankSumsAccumulator, UnitBins, UnitRankBins } from '../src/sketch/unitRanks.js'
import type { MetricSketch } from '../src/sketch/types.js'

/** mulberry32: a small seeded generator, so a failure replays. */
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

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude', 'llama']
const ERRORS = ['rate_limit', 'timeout', 'server']

/** A bucket cell: counts, models, errors and cache sums; metric sketches with values or not. */
function cell(random: () => number, k: number, withValues: boolean, sketch = false): Cell {
  const requests = 1 + Math.floor(random() * 50)
  const models: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const cache = emptyCacheSums()
  for (let r = 0; r < requests; r++) {
    const model = MODELS[Math.floor(random() * MODELS.length)] as string
    models[model] = (models[model] ?? 0) + 1
    if (random() < 0.1) {
      const e = ERRORS[Math.floor(random() * ERRORS.length)] as string
      errors[e] = (errors[e] ?? 0) + 1
    }
    const input = Math.floor(random() * 4000)
    addCacheRequest(
      cache,
      {
        ts: k,
        arm: 'baseline',
        error: null,
        fallback: false,
        raw: {},
        input_tokens: input,
        cache_read_tokens: random() < 0.5 ? Math.floor(input * random()) : 0,
        output_tokens: Math.floor(random() * 500),
        latency_ms: 100 + random() * 5000,
        ttft_ms: 50 + random() * 500,
        model
      } as never,
      input,
      { [model]: { input: 2.5, cacheRead: 1.25, output: 10 } }
    )
  }
  const metrics: MetricSketch[] = [0, 1, 2].map(i => {
    const moments = emptyMoments()
    const m: MetricSketch = { moments, requests: 0, requestSquares: 0 }
    if (!withValues) return m
    const q = sketch && i === 1 ? new QuantileSketch() : undefined
    for (let r = 0; r < requests; r++) {
      const x = i === 0 ? random() : Math.exp(3 * random())
      addCluster(moments, x, 1)
      m.requests++
      m.requestSquares! += x * x
      q?.add(x)
    }
    if (q) m.quantiles = q.toJSON()
    return m
  })
  return {
    arm: 'baseline',
    segment: '*',
    bucket: k * 300_000,
    requests,
    units: Math.floor(requests / 3),
    metrics,
    models,
    errors,
    fallbacks: 0,
    cache
  }
}

/** The same cells as new objects: a merge that cannot resume from anything. */
const fresh = (cells: Cell[]): Cell[] => structuredClone(cells)

describe('merges resume from an earlier merge of the same first cells, with the same result', () => {
  it('a growing window, as backtest looks at it: past buckets kept, the newest made anew', () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed)
      const past: Cell[] = []
      for (let look = 0; look < 60; look++) {
        // Some looks close a bucket (it joins the past, as a new object), some do not.
        if (random() < 0.6) past.push(cell(random, past.length, false))
        const newest = cell(random, past.length, true, seed === 3)
        const list = [...past, newest]
        expect(mergeCells(list)).toEqual(mergeCells(fresh(list)))
        expect(mergeCacheSums(list)).toEqual(mergeCacheSums(fresh(list)))
        // The same list twice in one look (analyze, then a check), and its prefix alone.
        expect(mergeCells(list)).toEqual(mergeCells(fresh(list)))
        expect(mergeCells(past)).toEqual(mergeCells(fresh(past)))
        expect(mergeCacheSums(past)).toEqual(mergeCacheSums(fresh(past)))
      }
    }
  })

  it('lists that share only their first cells, shorter lists, and cells with sketches', () => {
    const random = rng(11)
    const cells = Array.from({ length: 40 }, (_, k) => cell(random, k, random() < 0.3, true))
    const lists = [
      cells.slice(0, 30),
      cells.slice(0, 10),
      [...cells.slice(0, 5), ...cells.slice(20, 30)],
      cells.slice(0, 35),
      cells,
      cells.slice(0, 1),
      [cells[0] as Cell, cell(random, 99, true)],
      cells
    ]
    for (const list of lists) {
      expect(mergeCells(list)).toEqual(mergeCells(fresh(list)))
      expect(mergeCacheSums(list)).toEqual(mergeCacheSums(fresh(list)))
    }
  })

  it('resumes indeed: a cell changed after it was merged (which no source does) is not seen again', () => {
    const random = rng(8)
    const cells = Array.from({ length: 10 }, (_, k) => cell(random, k, false))
    const before = mergeCells(cells).requests
    const cacheBefore = mergeCacheSums(cells)!.requests
    cells[3]!.requests += 1000
    cells[3]!.cache!.requests += 1000
    const grown = [...cells, cell(random, 10, true)]
    const added = grown[10]!
    expect(mergeCells(grown).requests).toBe(before + added.requests)
    expect(mergeCacheSums(grown)!.requests).toBe(cacheBefore + added.cache!.requests)
  })

  it('changing what a merge returned does not change a later merge', () => {
    const random = rng(5)
    const cells = Array.from({ length: 20 }, (_, k) => cell(random, k, false))
    const expected = mergeCells(fresh(cells))
    const expectedCache = mergeCacheSums(fresh(cells))
    for (let round = 0; round < 3; round++) {
      const merged = mergeCells(cells)
      expect(merged).toEqual(expected)
      merged.models['gpt-4o'] = -1
      merged.errors.timeout = -1
      merged.metrics[0]!.moments.n = -1
      merged.metrics[0]!.moments.sx = -1
      const cache = mergeCacheSums(cells)!
      expect(cache).toEqual(expectedCache)
      cache.requests = -1
      cache.latency.hit.n = -1
      // The prefix alone too (no cell after it).
      const prefix = mergeCells(cells.slice(0, 19))
      prefix.metrics[1]!.moments.n = -1
      mergeCacheSums(cells.slice(0, 19))!.ttft.miss.n = -1
    }
  })
})

describe('growUnit keeps the rank sums of growing units equal to adding the units at the end', () => {
  it('random units, bins and orders, with a second accumulator (an A/A half)', () => {
    for (const seed of [21, 22, 23]) {
      const random = rng(seed)
      const bins = new UnitRankBins()
      const scratch = new UnitBins()
      const grown = new RankSumsAccumulator()
      const half = new RankSumsAccumulator()
      const units: Map<number, number>[] = Array.from({ length: 300 }, () => new Map())
      for (let r = 0; r < 20_000; r++) {
        // Heavy and light units; bins spread and clustered, as latencies are.
        const slot = Math.floor(300 * random() ** 2)
        const bin = Math.floor(40 * random() * random()) - 5
        growUnit(bins, slot, 1, bin, scratch, grown, slot % 2 === 0 ? half : undefined)
        const unit = units[slot] as Map<number, number>
        unit.set(bin, (unit.get(bin) ?? 0) + 1)
        if (r % 5000 === 4999) {
          const whole = new RankSumsAccumulator()
          const wholeHalf = new RankSumsAccumulator()
          units.forEach((u, s) => {
            const b = new UnitBins()
            for (const [k, n] of u) b.add(k, n)
            whole.addUnit(b)
            if (s % 2 === 0) wholeHalf.addUnit(b)
          })
          expect(grown.toJSON()).toEqual(whole.toJSON())
          expect(half.toJSON()).toEqual(wholeHalf.toJSON())
        }
      }
    }
  })
})
