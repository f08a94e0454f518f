import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../examples/generate-traffic.js'
import { mergeCells, mergeMetricSketches } from '../src/sketch/metricSketch.js'
import { addCluster, emptyMoments, mergeMoments } from '../src/sketch/moments.js'
import { DEFAULT_RELATIVE_ACCURACY, QuantileSketch } from '../src/sketch/quantileSketch.js'
import type { MetricSketch, RatioMoments } from '../src/sketch/types.js'

/** Lognormal(mu, sigma) draws by Box-Muller. */
function lognormal(n: number, mu: number, sigma: number, seed: number): number[] {
  const rand = mulberry32(seed)
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
    return Math.exp(mu + sigma * z)
  })
}

function sketchOf(values: number[]): QuantileSketch {
  const sketch = new QuantileSketch()
  for (const v of values) sketch.add(v)
  return sketch
}

function momentsOf(pairs: [number, number][]): RatioMoments {
  const m = emptyMoments()
  for (const [x, y] of pairs) addCluster(m, x, y)
  return m
}

/** The exact lower empirical quantile the sketch approximates: sorted[floor(q (n - 1))]. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number
}

/** DDSketch's guarantee (Masson et al. 2019, Theorem 3): |estimate - exact| <= alpha |exact|. */
function expectWithinRelative(estimate: number, exact: number, alpha: number): void {
  expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(alpha * Math.abs(exact) * (1 + 1e-12))
}

// Integers keep float sums exact, so merged and concatenated sketches compare with toEqual.
// Cubes of these stay exact in doubles (the third-order sums), so merges compare exactly.
const pair = fc.tuple(fc.integer({ min: -1e4, max: 1e4 }), fc.integer({ min: 0, max: 1000 }))
const sketchValue = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  fc.double({ min: -1e6, max: -1e-6, noNaN: true })
)

describe('RatioMoments', () => {
  it('adds a cluster to every sum', () => {
    const m = momentsOf([
      [3, 2],
      [5, 1]
    ])
    // By hand: n = 2, sx = 8, sy = 3, sxx = 9 + 25, syy = 4 + 1, sxy = 6 + 5; third order
    // sxxx = 27 + 125, sxxy = 18 + 25, sxyy = 12 + 5, syyy = 8 + 1.
    expect(m).toEqual({
      n: 2,
      sx: 8,
      sy: 3,
      sxx: 34,
      syy: 5,
      sxy: 11,
      sxxx: 152,
      sxxy: 43,
      sxyy: 17,
      syyy: 9
    })
  })

  it('merges associatively and commutatively, as the moments of the concatenated clusters', () => {
    fc.assert(
      fc.property(fc.array(pair), fc.array(pair), fc.array(pair), (a, b, c) => {
        const [ma, mb, mc] = [momentsOf(a), momentsOf(b), momentsOf(c)]
        expect(mergeMoments(ma, mb)).toEqual(mergeMoments(mb, ma))
        expect(mergeMoments(mergeMoments(ma, mb), mc)).toEqual(
          mergeMoments(ma, mergeMoments(mb, mc))
        )
        expect(mergeMoments(mergeMoments(ma, mb), mc)).toEqual(momentsOf([...a, ...b, ...c]))
      })
    )
  })

  it('leaves the third-order sums out of a merge when one side lacks them', () => {
    const full = momentsOf([[3, 2]])
    const second: RatioMoments = { n: 1, sx: 5, sy: 1, sxx: 25, syy: 1, sxy: 5 }
    const merged = mergeMoments(full, second)
    expect(merged).toEqual({ n: 2, sx: 8, sy: 3, sxx: 34, syy: 5, sxy: 11 })
    expect(mergeMoments(full, full).sxxx).toBe(54)
  })

  it('returns a new object and leaves its inputs alone', () => {
    const a = momentsOf([[1, 1]])
    const merged = mergeMoments(a, a)
    expect(merged).not.toBe(a)
    expect(a.n).toBe(1)
  })
})

describe('QuantileSketch', () => {
  it('keeps every quantile of lognormal data within its accuracy (0.25%) of the exact one', () => {
    const values = lognormal(20_000, 6.5, 1.2, 42)
    const sketch = sketchOf(values)
    const sorted = [...values].sort((a, b) => a - b)
    expect(sketch.relativeAccuracy).toBe(DEFAULT_RELATIVE_ACCURACY)
    expect(DEFAULT_RELATIVE_ACCURACY).toBe(0.0025)
    expect(sketch.count).toBe(values.length)
    for (let q = 0; q <= 1.0000001; q += 0.005) {
      expectWithinRelative(
        sketch.quantile(Math.min(q, 1)),
        exactQuantile(sorted, Math.min(q, 1)),
        0.01
      )
    }
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999])
      expectWithinRelative(sketch.quantile(q), exactQuantile(sorted, q), DEFAULT_RELATIVE_ACCURACY)
  })

  it('returns the observed min and max exactly', () => {
    const values = lognormal(1000, 0, 2, 7)
    const sketch = sketchOf(values)
    expect(sketch.quantile(0)).toBe(Math.min(...values))
    expect(sketch.quantile(1)).toBe(Math.max(...values))
  })

  it('reads values by 1-based rank, within the accuracy', () => {
    const sketch = sketchOf([5, 1, 3, 2, 4])
    expect(sketch.valueAtRank(1)).toBe(1)
    expectWithinRelative(sketch.valueAtRank(3), 3, 0.01)
    expect(sketch.valueAtRank(5)).toBe(5)
  })

  it('orders negative values, zeros and positive values', () => {
    const values = [-100, -10, -1, 0, 0, 1, 10, 100]
    const sketch = sketchOf(values)
    values.forEach((v, i) => expectWithinRelative(sketch.valueAtRank(i + 1), v, 0.01))
    expect(sketch.toJSON().zeros).toBe(2)
  })

  it('is NaN when empty and refuses values it cannot place', () => {
    const sketch = new QuantileSketch()
    expect(sketch.quantile(0.5)).toBeNaN()
    expect(() => sketch.add(Number.NaN)).toThrow(RangeError)
    expect(() => sketch.add(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(sketch.count).toBe(0)
  })

  it('never collapses: every quantile of data over 600 decades stays within 1%', () => {
    const sketch = new QuantileSketch()
    // 1e-300 .. 1e300 is ~69,000 buckets at 1% accuracy: all are kept (a capped store kept the
    // top 2048 and read the low quantiles 1e6 too high).
    const exponents: number[] = []
    for (let e = -300; e <= 300; e += 0.01) exponents.push(e)
    for (const e of exponents) sketch.add(10 ** e)
    const sorted = exponents.map(e => 10 ** e)
    for (const q of [0, 0.001, 0.01, 0.25, 0.5, 0.99, 1]) {
      expectWithinRelative(sketch.quantile(q), exactQuantile(sorted, q), 0.01)
    }
    const back = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(sketch.toJSON())))
    expect(back.toJSON()).toEqual(sketch.toJSON())
  })

  it('writes a gap in the data as one number, not as its empty buckets', () => {
    // 24 decades apart: ~2,760 empty buckets between the two clusters.
    const sketch = sketchOf([1e-12, 1.1e-12, 1e12, 1.2e12])
    const data = sketch.toJSON()
    expect(data.positive.counts.length).toBeLessThan(30)
    expect(data.positive.counts.some(c => c < -2000)).toBe(true)
    const back = QuantileSketch.fromJSON(data)
    expectWithinRelative(back.valueAtRank(2), 1.1e-12, 0.01)
    expectWithinRelative(back.valueAtRank(3), 1e12, 0.01)
    // Plain dense counts (what a SQL source writes) read the same.
    const dense = QuantileSketch.fromJSON({
      ...data,
      positive: { offset: 0, counts: [0, 2, 0, 0, 1] },
      count: 3,
      zeros: 0,
      negative: { offset: 0, counts: [] },
      min: 1.01,
      max: 1.08
    })
    expect(dense.toJSON().positive).toEqual({ offset: 1, counts: [2, -2, 1] })
  })

  it('brackets every order statistic by its bucket edges, with the ranks it shares', () => {
    const values = [...lognormal(2000, 0, 3, 11), -5, -0.5, -0.49, 0, 0]
    const sketch = sketchOf(values)
    const sorted = [...values].sort((a, b) => a - b)
    sorted.forEach((v, i) => {
      const { low, high } = sketch.rangeAtRank(i + 1)
      expect(low).toBeLessThanOrEqual(v)
      expect(high).toBeGreaterThanOrEqual(v)
      expect(high - low).toBeLessThanOrEqual(0.0205 * Math.abs(v) + 1e-300)
      const { first, last } = sketch.bucketAtRank(i + 1)
      expect(first).toBeLessThanOrEqual(i + 1)
      expect(last).toBeGreaterThanOrEqual(i + 1)
      expect(sketch.rangeAtRank(first).high).toBeGreaterThanOrEqual(sorted[last - 1]!)
    })
  })

  it('keeps every bucket of data over 24 decades (main kept 2048 and collapsed the rest)', () => {
    // The speed of adding such data is in bench/quantileWidth.bench.ts (main: 100x slower).
    const sketch = new QuantileSketch()
    const indices = new Set<number>()
    for (let i = 0; i < 100_000; i++) {
      const v = 10 ** (-12 + (24 * i) / 100_000)
      sketch.add(v)
      indices.add(sketch.indexOf(v))
    }
    const counts = sketch.toJSON().positive.counts
    expect(counts.filter(c => c > 0).length).toBe(indices.size)
    expect(indices.size).toBeGreaterThan(11_000)
  })

  it('serialises to QuantileSketchData and back without loss', () => {
    const sketch = sketchOf([-3, 0, 0.5, 7, 7, 1e4])
    const data = JSON.parse(JSON.stringify(sketch.toJSON()))
    const back = QuantileSketch.fromJSON(data)
    expect(back.toJSON()).toEqual(sketch.toJSON())
    expect(back.quantile(0.5)).toBe(sketch.quantile(0.5))
  })

  it('rejects data whose count does not match its buckets, and merging different accuracies', () => {
    const data = sketchOf([1, 2]).toJSON()
    expect(() => QuantileSketch.fromJSON({ ...data, count: 3 })).toThrow(/count/)
    expect(() => new QuantileSketch(0.01).merge(new QuantileSketch(0.02))).toThrow(/accuracy/)
  })

  it('merges associatively and commutatively, as the sketch of the concatenated data', () => {
    fc.assert(
      fc.property(
        fc.array(sketchValue),
        fc.array(sketchValue),
        fc.array(sketchValue),
        (a, b, c) => {
          const ab = sketchOf(a)
          ab.merge(sketchOf(b))
          const ba = sketchOf(b)
          ba.merge(sketchOf(a))
          expect(ab.toJSON()).toEqual(ba.toJSON())
          const abThenC = sketchOf(a)
          abThenC.merge(sketchOf(b))
          abThenC.merge(sketchOf(c))
          const bc = sketchOf(b)
          bc.merge(sketchOf(c))
          const aThenBc = sketchOf(a)
          aThenBc.merge(bc)
          const all = sketchOf([...a, ...b, ...c])
          expect(abThenC.toJSON()).toEqual(aThenBc.toJSON())
          expect(abThenC.toJSON()).toEqual(all.toJSON())
          expect(abThenC.count).toBe(a.length + b.length + c.length)
          const sorted = [...a, ...b, ...c].sort((x, y) => x - y)
          for (const q of [0, 0.25, 0.5, 0.95, 1]) {
            if (sorted.length > 0)
              expectWithinRelative(abThenC.quantile(q), exactQuantile(sorted, q), 0.01)
          }
        }
      )
    )
  })
})

describe('MetricSketch', () => {
  // Up to 10,000: every sum up to the third-order ones (sxxx) stays an integer below 2^53, so
  // merging is exact and equality is the right test (at 100,000, cubes round in any order).
  const sketchValues = fc.array(fc.integer({ min: 1, max: 10_000 }))

  function metricSketchOf(values: number[], withQuantiles: boolean): MetricSketch {
    const sketch: MetricSketch = {
      moments: momentsOf(values.map(v => [v, 1])),
      requests: values.length
    }
    if (withQuantiles) sketch.quantiles = sketchOf(values).toJSON()
    return sketch
  }

  it('merges associatively and commutatively, as the sketch of the concatenated requests', () => {
    fc.assert(
      fc.property(sketchValues, sketchValues, sketchValues, fc.boolean(), (a, b, c, q) => {
        const [sa, sb, sc] = [metricSketchOf(a, q), metricSketchOf(b, q), metricSketchOf(c, q)]
        expect(mergeMetricSketches(sa, sb)).toEqual(mergeMetricSketches(sb, sa))
        const left = mergeMetricSketches(mergeMetricSketches(sa, sb), sc)
        expect(left).toEqual(mergeMetricSketches(sa, mergeMetricSketches(sb, sc)))
        expect(left).toEqual(metricSketchOf([...a, ...b, ...c], q))
      })
    )
  })

  it('merges cells: requests, units, metrics, models and errors add up', () => {
    const cell = (values: number[], units: number, model: string) => ({
      requests: values.length,
      units,
      metrics: [metricSketchOf(values, true)],
      models: { [model]: values.length },
      errors: { timeout: 1 }
    })
    const merged = mergeCells([
      cell([1, 2], 2, 'gpt-4o'),
      cell([3], 1, 'gpt-4o'),
      cell([4, 5], 1, 'o3')
    ])
    expect(merged.requests).toBe(5)
    expect(merged.units).toBe(4)
    expect(merged.models).toEqual({ 'gpt-4o': 3, o3: 2 })
    expect(merged.errors).toEqual({ timeout: 3 })
    expect(merged.metrics).toEqual([metricSketchOf([1, 2, 3, 4, 5], true)])
    expect(mergeCells([])).toEqual({ requests: 0, units: 0, metrics: [], models: {}, errors: {} })
  })

  it('keeps the 20 most frequent models and sums the rest under "other"', () => {
    const cells = Array.from({ length: 25 }, (_, i) => ({
      requests: i + 1,
      units: 0,
      metrics: [],
      models: { [`model-${String(i).padStart(2, '0')}`]: i + 1 },
      errors: {}
    }))
    const { models } = mergeCells(cells)
    expect(Object.keys(models)).toHaveLength(21)
    // The five least frequent are model-00..04 with 1 + 2 + 3 + 4 + 5 = 15 requests.
    expect(models.other).toBe(15)
    expect(models['model-24']).toBe(25)
  })
})
