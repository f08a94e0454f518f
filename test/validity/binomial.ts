/**
 * The exact (Clopper-Pearson) 95% interval of a binomial proportion, for printing a simulated miss
 * rate with its uncertainty: the p at which P(X >= x) and P(X <= x) are 2.5%, by bisection on the
 * binomial distribution (Clopper & Pearson, Biometrika 26, 1934).
 */
import { lgamma } from '../../src/stats/lgamma.js'

function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0
  if (x >= n) return 1
  let sum = 0
  for (let k = 0; k <= x; k++) {
    const logPmf =
      lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p)
    sum += Math.exp(logPmf)
  }
  return Math.min(1, sum)
}

/** The p in (0, 1) where the monotone f crosses `target` (bisection). */
function solve(f: (p: number) => number, target: number, increasing: boolean): number {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (f(mid) < target === increasing) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

export function clopperPearson(x: number, n: number): { lower: number; upper: number } {
  // P(X >= x | p) grows with p; P(X <= x | p) falls.
  const lower = x === 0 ? 0 : solve(p => 1 - binomialCdf(x - 1, n, p), 0.025, true)
  const upper = x === n ? 1 : solve(p => binomialCdf(x, n, p), 0.025, false)
  return { lower, upper }
}

/** `3/60 = 5.0% [1.0%, 13.9%]`. */
export function rateText(misses: number, replicates: number): string {
  const { lower, upper } = clopperPearson(misses, replicates)
  const pct = (p: number) => `${(100 * p).toFixed(1)}%`
  return `${misses}/${replicates} = ${pct(misses / replicates)} [${pct(lower)}, ${pct(upper)}]`
}
