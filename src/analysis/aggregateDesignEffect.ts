import type { MetricSpec, Policy } from '../policy/types.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import type { MetricSketch } from '../sketch/types.js'
import type { AggregateDesignEffect } from './compareMetric.js'

/**
 * Aggregated sources (Prometheus) sum requests per time bucket and keep no user: their variances
 * are per request. When the arms are assigned per user (`arms.assignment: unit`, the default),
 * requests of one user are not independent, and a per-request variance claims a precision the
 * data do not have (the issue measured the quality interval excluding the truth in 16 of 20
 * clustered runs). The design effect (Kish, Survey Sampling, 1965: the variance of a mean over
 * what independent requests would give) is what is missing.
 *
 * What the buckets can show is a lower bound: the variance of block sums of k consecutive buckets
 * over their per-request variance (batch means; for a rate or mean, the clusters are the blocks),
 * taken at the block size where it is largest with at least MIN_BLOCKS blocks left, catches users
 * whose requests fall within a few buckets (sessions). A user who returns across the whole window
 * adds the same arm to every bucket, which no split of the window into blocks can see (the same
 * offset in each), so the buckets alone never bound the design effect from above. Hence:
 *
 * - `arms.assignment: request`: requests are independent; no design effect.
 * - `arms.designEffect: D`: the larger of D and what the buckets show.
 * - neither: the metric cannot be trusted (inconclusive, with what the buckets show as a floor
 *   and what to declare), since no bound is known.
 *
 * Sources that keep each request (files, Langfuse) are not aggregated: with a unit they cluster by
 * it, and without one their records are taken as independent.
 */
export const MIN_BLOCKS = 8

/** By metric name, for every mean, rate and histogram quantile of aggregated evidence. */
export function aggregateDesignEffects(
  policy: Policy,
  evidence: Evidence
): Record<string, AggregateDesignEffect> | undefined {
  if (!evidence.aggregated || policy.arms.assignment === 'request') return undefined
  const declared = policy.arms.designEffect
  const byArm = (arm: Cell['arm']) =>
    evidence.cells
      .filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
      .sort((a, b) => a.bucket - b.bucket)
  const cells = { baseline: byArm('baseline'), canary: byArm('canary') }
  const out: Record<string, AggregateDesignEffect> = {}
  policy.metrics.forEach((spec, i) => {
    if (spec.kind === 'ratio') return
    const arm = (list: Cell[]) =>
      blockDesignEffect(
        spec,
        list.map(c => c.metrics[i])
      )
    const b = arm(cells.baseline)
    const c = arm(cells.canary)
    const buckets = Math.min(b.buckets, c.buckets)
    const shown = Math.max(b.deff, c.deff)
    if (declared !== undefined) {
      out[spec.name] = {
        baseline: Math.max(declared, b.deff),
        canary: Math.max(declared, c.deff),
        source: 'declared',
        buckets
      }
    } else {
      out[spec.name] = { unknown: true, atLeast: shown, buckets }
    }
  })
  return out
}

/**
 * The largest block design effect over block sizes 1, 2, 4, ... buckets with at least MIN_BLOCKS
 * blocks (1 with fewer buckets), and the number of buckets with data.
 */
function blockDesignEffect(
  spec: MetricSpec,
  sketches: (MetricSketch | undefined)[]
): { deff: number; buckets: number } {
  const points = sketches.map(s => (s ? point(spec, s, sketches) : undefined))
  const used = points.filter((p): p is Point => p !== undefined && p.n > 0)
  let best = 1
  for (let k = 1; used.length / k >= MIN_BLOCKS; k *= 2) {
    const blocks: Point[] = []
    for (let j = 0; j + k <= used.length; j += k) {
      const slice = used.slice(j, j + k)
      blocks.push({
        n: slice.reduce((a, p) => a + p.n, 0),
        x: slice.reduce((a, p) => a + p.x, 0),
        within: slice.reduce((a, p) => a + p.within, 0)
      })
    }
    best = Math.max(best, ratioOfVariances(blocks))
  }
  return { deff: best, buckets: used.length }
}

/** One bucket of one arm: requests, the value sum, and the per-request residual sum of squares. */
interface Point {
  n: number
  x: number
  /** sum over the bucket's requests of (value - overall mean)^2; filled by ratioOfVariances. */
  within: number
}

/**
 * The bucket as a cluster. A mean or rate: its requests and their sum, with the per-request sum
 * of squares in `within` (made residual later). A histogram quantile: the count at or below the
 * bucket edge where the merged histogram's quantile lies (a 0/1 value per request).
 */
function point(spec: MetricSpec, s: MetricSketch, all: (MetricSketch | undefined)[]): Point {
  if (spec.kind === 'quantile') {
    const edge = quantileEdge(all, spec.quantile ?? 0.5)
    if (!s.histogram || edge < 0) return { n: 0, x: 0, within: 0 }
    const n = s.histogram.counts.reduce((a, c) => a + c, 0)
    const below = s.histogram.counts.slice(0, edge + 1).reduce((a, c) => a + c, 0)
    return { n, x: below, within: below }
  }
  const m = s.moments
  return { n: m.sy, x: m.sx, within: m.sxx }
}

/** The histogram bucket index holding the merged quantile, or -1 without histograms. */
function quantileEdge(all: (MetricSketch | undefined)[], q: number): number {
  const histograms = all.map(s => s?.histogram).filter(h => h !== undefined)
  const first = histograms[0]
  if (!first) return -1
  const counts = first.counts.map((_, i) => histograms.reduce((a, h) => a + (h.counts[i] ?? 0), 0))
  const total = counts.reduce((a, c) => a + c, 0)
  let acc = 0
  for (let i = 0; i < counts.length; i++) {
    acc += counts[i]!
    if (acc >= q * total) return i
  }
  return counts.length - 1
}

/**
 * Variance of the clustered mean over the per-request one: with R the overall mean, the cluster
 * residuals sum (x_j - R n_j)^2 J / (J - 1) over the per-request residuals sum (v - R)^2
 * N / (N - 1), the latter from each cluster's sum of squares (sxx - 2 R sx + R^2 n).
 */
function ratioOfVariances(blocks: Point[]): number {
  const N = blocks.reduce((a, p) => a + p.n, 0)
  const J = blocks.length
  if (J < 2 || !(N > 1)) return 1
  const R = blocks.reduce((a, p) => a + p.x, 0) / N
  let clustered = 0
  let perRequest = 0
  for (const p of blocks) {
    clustered += (p.x - R * p.n) ** 2
    perRequest += p.within - 2 * R * p.x + R * R * p.n
  }
  if (!(perRequest > 0)) return 1
  const deff = (clustered * J * (N - 1)) / ((J - 1) * perRequest * N)
  return Number.isFinite(deff) ? Math.max(1, deff) : 1
}
