/**
 * The quantile confidence sequences as they were on main before issue 12 (095ba11), kept callable
 * so that the width bench (quantileWidth.bench.ts) and the validity regimes
 * (test/validity/quantile.regimes.ts, "before") can measure old against new in the same run.
 * Not used by the gate.
 *
 * One arm: a normal mixture on the rank count with variance q (1 - q) (invalid for q != 1/2 at
 * small n), widened by the square root of the design effect of the metric's mean. Two arms: each
 * arm's CS at alpha / 2, intervals subtracted.
 */
import { csRadius, mixtureRho } from '../src/stats/cs/mixture.js'
import type { DifferenceInterval, Interval, QuantileSketchLike } from '../src/stats/cs/types.js'
import type { MetricSketch, QuantileSketchData } from '../src/sketch/types.js'

function trueValueRange(value: number, a: number): { low: number; high: number } {
  if (value >= 0) return { low: value / (1 + a), high: value / (1 - a) }
  return { low: value / (1 - a), high: value / (1 + a) }
}

export function legacyQuantileCS(
  sketch: QuantileSketchLike,
  q: number,
  alpha: number,
  tStar: number,
  designEffect = 1
): Interval {
  const rho = mixtureRho(alpha, tStar)
  const n = sketch.count
  if (!(n >= 1)) return { estimate: NaN, lower: -Infinity, upper: Infinity }
  const r =
    n * csRadius(n, Math.sqrt(q * (1 - q)), alpha, rho) * Math.sqrt(Math.max(1, designEffect))
  const lowerRank = Math.ceil(n * q - r)
  const upperRank = Math.floor(n * q + r) + 1
  const a = sketch.relativeAccuracy
  const range = (rank: number) =>
    sketch.rangeAtRank?.(rank) ?? trueValueRange(sketch.valueAtRank(rank), a)
  const lower = lowerRank >= 1 ? range(lowerRank).low : -Infinity
  const upper = upperRank <= n ? range(upperRank).high : Infinity
  return { estimate: sketch.valueAtRank(Math.max(1, Math.ceil(n * q))), lower, upper }
}

function relativeBounds(c: Interval, b: Interval): { lower: number; upper: number } {
  if (!(b.upper > 0)) return { lower: -Infinity, upper: Infinity }
  const lower =
    c.lower >= 0 ? c.lower / b.upper - 1 : b.lower > 0 ? c.lower / b.lower - 1 : -Infinity
  const upper = b.lower > 0 ? (c.upper >= 0 ? c.upper / b.lower : c.upper / b.upper) - 1 : Infinity
  return { lower, upper }
}

export function legacyQuantileDifferenceCS(
  baseline: QuantileSketchLike,
  canary: QuantileSketchLike,
  q: number,
  alpha: number,
  opts: {
    relative: boolean
    tStar: { baseline: number; canary: number }
    designEffect?: { baseline: number; canary: number }
  }
): Pick<DifferenceInterval, 'estimate' | 'lower' | 'upper'> {
  const deff = opts.designEffect ?? { baseline: 1, canary: 1 }
  const b = legacyQuantileCS(baseline, q, alpha / 2, opts.tStar.baseline, deff.baseline)
  const c = legacyQuantileCS(canary, q, alpha / 2, opts.tStar.canary, deff.canary)
  const bounds = opts.relative
    ? relativeBounds(c, b)
    : { lower: c.lower - b.upper, upper: c.upper - b.lower }
  const estimate = opts.relative ? c.estimate / b.estimate - 1 : c.estimate - b.estimate
  return { estimate, ...bounds }
}

/** main's design effect: that of the metric's mean (per-unit moments against sketched values). */
export function legacyDesignEffect(m: MetricSketch): number {
  const { moments: c, quantiles, requests } = m
  if (!quantiles || c.n >= requests || c.n < 2 || !(c.sy > 0)) return 1
  const independent = perRequestVariance(quantiles)
  if (!(independent > 0)) return 1
  const r = c.sx / c.sy
  const ybar = c.sy / c.n
  const residual = Math.max(0, c.sxx - 2 * r * c.sxy + r * r * c.syy)
  const clusteredVarOfMean = residual / (c.n * (c.n - 1) * ybar * ybar)
  const deff = clusteredVarOfMean / (independent / quantiles.count)
  return Number.isFinite(deff) ? Math.max(1, deff) : 1
}

function perRequestVariance(d: QuantileSketchData): number {
  const gamma = (1 + d.alpha) / (1 - d.alpha)
  const value = (i: number) => (2 * gamma ** i) / (gamma + 1)
  let n = d.zeros
  let sum = 0
  let sumSq = 0
  const each = (counts: number[], offset: number, sign: number) => {
    let i = offset
    for (const k of counts) {
      if (k < 0) {
        i -= k
        continue
      }
      const v = sign * value(i++)
      n += k
      sum += v * k
      sumSq += v * v * k
    }
  }
  each(d.positive.counts, d.positive.offset, 1)
  each(d.negative.counts, d.negative.offset, -1)
  if (n < 2) return 0
  return (sumSq - (sum * sum) / n) / (n - 1)
}

/**
 * main's quantile sketch store, reduced to what the bench measures (adding values): dense counts
 * capped at 2048 buckets, the lowest collapsed into the lowest kept one, the array reallocated
 * whenever a value falls outside it (every value, once past the cap).
 */
export class LegacyQuantileSketch {
  private counts: Float64Array = new Float64Array(0)
  private offset = 0
  private minIndex = Infinity
  private maxIndex = -Infinity
  private total = 0
  private readonly multiplier = 1 / Math.log(1.01 / 0.99)
  constructor(private readonly maxBuckets = 2048) {}

  add(v: number): void {
    let index = Math.ceil(Math.log(v) * this.multiplier)
    let slot = index - this.offset
    if (slot < 0 || slot >= this.counts.length) {
      index = this.grow(index)
      slot = index - this.offset
    }
    this.counts[slot] = (this.counts[slot] as number) + 1
    if (index < this.minIndex) this.minIndex = index
    if (index > this.maxIndex) this.maxIndex = index
    this.total += 1
  }

  private grow(index: number): number {
    const hi = Math.max(this.maxIndex, index)
    const lo = Math.max(Math.min(this.minIndex, index), hi - this.maxBuckets + 1)
    const span = hi - lo + 1
    const capacity = Math.min(this.maxBuckets, Math.max(64, 2 ** Math.ceil(Math.log2(2 * span))))
    const offset = lo - Math.floor((capacity - span) / 2)
    const counts = new Float64Array(capacity)
    for (let j = this.minIndex; j <= this.maxIndex; j++) {
      const c = this.counts[j - this.offset] as number
      if (c > 0) {
        const kept = Math.max(j, lo) - offset
        counts[kept] = (counts[kept] as number) + c
      }
    }
    if (this.total > 0) this.minIndex = Math.max(this.minIndex, lo)
    this.counts = counts
    this.offset = offset
    return Math.max(index, lo)
  }
}
