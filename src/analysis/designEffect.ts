import type { MetricSketch, QuantileSketchData } from '../sketch/types.js'

/**
 * The design effect of clustering (Kish, Survey Sampling, 1965): how much larger the variance of
 * the metric's mean is when requests are grouped by user than if they were independent,
 * Var_clustered / Var_independent, at least 1. The quantile confidence sequence assumes
 * independent requests, so it is widened by this factor: heavy users whose requests are all slow
 * (long prompts, a slow region) must not read as a canary effect. The independent variance comes
 * from the per-request values in the quantile sketch (each bucket at its representative value, so
 * within the sketch's relative accuracy); the clustered one from the per-unit moments by the delta
 * method. 1 when the moments are not clustered (one cluster per request).
 */
export function designEffect(m: MetricSketch): number {
  const { moments: c, quantiles, requests } = m
  if (!quantiles || c.n >= requests || c.n < 2 || !(c.sy > 0)) return 1
  const independent = perRequestVariance(quantiles)
  if (!(independent > 0)) return 1
  const r = c.sx / c.sy
  const ybar = c.sy / c.n
  const residual = Math.max(0, c.sxx - 2 * r * c.sxy + r * r * c.syy)
  const clusteredVarOfMean = residual / (c.n * (c.n - 1) * ybar * ybar)
  const independentVarOfMean = independent / quantiles.count
  const deff = clusteredVarOfMean / independentVarOfMean
  return Number.isFinite(deff) ? Math.max(1, deff) : 1
}

/** Sample variance of the sketched values, each bucket at DDSketch's representative 2 g^i / (g + 1). */
function perRequestVariance(d: QuantileSketchData): number {
  const gamma = (1 + d.alpha) / (1 - d.alpha)
  const value = (i: number) => (2 * gamma ** i) / (gamma + 1)
  let n = d.zeros
  let sum = 0
  let sumSq = 0
  const add = (v: number, k: number) => {
    n += k
    sum += v * k
    sumSq += v * v * k
  }
  d.positive.counts.forEach((k, i) => add(value(d.positive.offset + i), k))
  d.negative.counts.forEach((k, i) => add(-value(d.negative.offset + i), k))
  if (n < 2) return 0
  return (sumSq - (sum * sum) / n) / (n - 1)
}
