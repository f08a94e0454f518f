/**
 * The one description of what the SQL sources compute, written against the sketch types so that
 * the compiler points here when they change: each field of RatioMoments, RepricingSums and the
 * counting part of CacheSums as a product of per-row (or per-cluster) terms, and the quantile
 * sketch's bucket index. The query builder (evidenceQuery.ts) renders SQL from these tables and
 * the row reader (evidenceRows.ts) files the returned numbers back by the same tables, so a new
 * moment or a changed bucket mapping is one line here.
 */
import type { CacheSums, RepricingSums } from '../../sketch/evidence.js'
import { DEFAULT_RELATIVE_ACCURACY } from '../../sketch/quantileSketch.js'
import type { RatioMoments } from '../../sketch/types.js'

/** A product of named terms with their powers; {} is a count. */
export type Monomial = Readonly<Record<string, number>>

/** Each RatioMoments field is the sum over clusters of this product of the cluster's x and y. */
export const MOMENTS = {
  n: {},
  sx: { x: 1 },
  sy: { y: 1 },
  sxx: { x: 2 },
  syy: { y: 2 },
  sxy: { x: 1, y: 1 },
  // The third-order sums the estimator's skewness needs (src/stats/clt.ts).
  sxxx: { x: 3 },
  sxxy: { x: 2, y: 1 },
  sxyy: { x: 1, y: 2 },
  syyy: { y: 3 }
} as const satisfies Record<keyof RatioMoments, Monomial>

/** RepricingSums over the priced requests: u uncached cost, d what all-cached input would save, c observed cost. */
export const REPRICING = {
  n: {},
  su: { u: 1 },
  sd: { d: 1 },
  suu: { u: 2 },
  sdd: { d: 2 },
  sud: { u: 1, d: 1 },
  sc: { c: 1 },
  scc: { c: 2 }
} as const satisfies Record<keyof RepricingSums, Monomial>

/** The plain sums of CacheSums: which requests they count (`over`) and what they add up (`sum`, else a count). */
export type CacheCountKey = Exclude<keyof CacheSums, 'latency' | 'ttft' | 'repricing'>
export const CACHE_COUNTS = {
  requests: { over: 'counted' },
  hits: { over: 'hit' },
  reported: { over: 'reported' },
  inputTokens: { over: 'counted', sum: 'input' },
  cacheReadTokens: { over: 'counted', sum: 'cached' },
  priced: { over: 'priced' },
  cost: { over: 'priced', sum: 'cost' },
  costUncached: { over: 'priced', sum: 'uncached' },
  inputAtInputPrice: { over: 'priced', sum: 'atInput' },
  inputAtCacheReadPrice: { over: 'priced', sum: 'atCacheRead' }
} as const satisfies Record<CacheCountKey, { over: string; sum?: string }>

export const MOMENT_KEYS = Object.keys(MOMENTS) as (keyof RatioMoments)[]
export const REPRICING_KEYS = Object.keys(REPRICING) as (keyof RepricingSums)[]
export const CACHE_COUNT_KEYS = Object.keys(CACHE_COUNTS) as CacheCountKey[]

/**
 * The quantile sketch's bucket index of a value v > 0 (of |v| for v < 0), as in
 * src/sketch/quantileSketch.ts: ceil(ln(v) / ln(gamma)), gamma = (1 + alpha) / (1 - alpha)
 * (DDSketch, Masson, Rim & Lee, VLDB 2019). The multiplier crosses to the server as the same
 * double; test/sql-policy.test.ts checks this against the sketch the evidence builder makes.
 */
export const QUANTILE_INDEX = {
  alpha: DEFAULT_RELATIVE_ACCURACY,
  multiplier: 1 / Math.log((1 + DEFAULT_RELATIVE_ACCURACY) / (1 - DEFAULT_RELATIVE_ACCURACY)),
  /** SQL of the index, given SQL of ln(|v|) and of the multiplier. */
  sql: (lnAbs: string, multiplier: string): string => `ceil(${lnAbs} * ${multiplier})`,
  js(v: number): number {
    return Math.ceil(Math.log(Math.abs(v)) * this.multiplier)
  }
}

/** SQL of a monomial over the given term expressions: `x * x * y`, or `1` for a count. */
export function product(monomial: Monomial, terms: Readonly<Record<string, string>>): string {
  const factors: string[] = []
  for (const [name, power] of Object.entries(monomial)) {
    const term = terms[name]
    if (term === undefined) throw new Error(`no SQL term for ${name}`)
    for (let i = 0; i < power; i++) factors.push(term)
  }
  return factors.length === 0 ? '1' : factors.join(' * ')
}
