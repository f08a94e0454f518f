import type { Price } from '../policy/types.js'
import { computeCost, priceOf } from '../records/pricing.js'
import type { RequestRecord } from '../records/record.js'
import type { CacheSums, RepricingSums } from './evidence.js'
import { addCluster, addMoments, emptyMoments } from './moments.js'

export function emptyCacheSums(): CacheSums {
  return {
    requests: 0,
    hits: 0,
    reported: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    priced: 0,
    cost: 0,
    costUncached: 0,
    inputAtInputPrice: 0,
    inputAtCacheReadPrice: 0,
    latency: { hit: emptyMoments(), miss: emptyMoments() },
    ttft: { hit: emptyMoments(), miss: emptyMoments() },
    repricing: { n: 0, su: 0, sd: 0, suu: 0, sdd: 0, sud: 0, sc: 0, scc: 0 }
  }
}

/**
 * Adds one request that has `input_tokens` (the caller checks). Tokens that are negative or not
 * finite are skipped here: the metric readers count them as invalid values.
 */
export function addCacheRequest(
  c: CacheSums,
  r: RequestRecord,
  input: number,
  pricing: Record<string, Price>
): void {
  const cached = r.cache_read_tokens ?? 0
  if (!(input >= 0 && input < Infinity && cached >= 0 && cached <= input)) return
  const hit = cached > 0
  c.requests++
  if (hit) c.hits++
  if (r.cache_read_tokens !== undefined && c.reported !== undefined) c.reported++
  c.inputTokens += input
  c.cacheReadTokens += cached
  const latency = r.latency_ms
  if (latency !== undefined && latency >= 0 && latency < Infinity) {
    addCluster(hit ? c.latency.hit : c.latency.miss, latency, 1)
  }
  const ttft = r.ttft_ms
  if (ttft !== undefined && ttft >= 0 && ttft < Infinity) {
    addCluster(hit ? c.ttft.hit : c.ttft.miss, ttft, 1)
  }
  const price = priceOf(r.model, pricing)
  if (typeof price === 'string') return
  const cost = computeCost(r, pricing)
  if (typeof cost !== 'number' || !(cost >= 0 && cost < Infinity)) return
  const atInput = (input * price.input) / 1e6
  const atCacheRead = (input * (price.cacheRead ?? price.input)) / 1e6
  const uncached = atInput + ((r.output_tokens ?? 0) * price.output) / 1e6
  c.priced++
  c.cost += cost
  c.costUncached += uncached
  c.inputAtInputPrice += atInput
  c.inputAtCacheReadPrice += atCacheRead
  if (c.repricing) addRepricing(c.repricing, uncached, atInput - atCacheRead, cost)
}

function addRepricing(s: RepricingSums, u: number, d: number, c: number): void {
  s.n++
  s.su += u
  s.sd += d
  s.suu += u * u
  s.sdd += d * d
  s.sud += u * d
  s.sc += c
  s.scc += c * c
}

/** Adds `from` into `into`, in place (cache sums merge by addition). */
export function addCacheSums(into: CacheSums, from: CacheSums): void {
  for (const key of COUNT_KEYS) into[key] += from[key]
  // Unknown on either side (evidence from before it was counted) is unknown in the sum.
  if (into.reported !== undefined && from.reported !== undefined) into.reported += from.reported
  else delete into.reported
  addMoments(into.latency.hit, from.latency.hit)
  addMoments(into.latency.miss, from.latency.miss)
  addMoments(into.ttft.hit, from.ttft.hit)
  addMoments(into.ttft.miss, from.ttft.miss)
  if (into.repricing && from.repricing) {
    const a = into.repricing
    const b = from.repricing
    for (const key of REPRICING_KEYS) a[key] += b[key]
  } else delete into.repricing
}

const COUNT_KEYS = [
  'requests',
  'hits',
  'inputTokens',
  'cacheReadTokens',
  'priced',
  'cost',
  'costUncached',
  'inputAtInputPrice',
  'inputAtCacheReadPrice'
] as const satisfies readonly (keyof CacheSums)[]

const REPRICING_KEYS = [
  'n',
  'su',
  'sd',
  'suu',
  'sdd',
  'sud',
  'sc',
  'scc'
] as const satisfies readonly (keyof RepricingSums)[]

/**
 * The cache sums of a set of cells; undefined when none has any (the source does not give them).
 * A list that starts with the same cells (by identity) as an earlier merge's resumes from that
 * merge's running sums (`prefixes`): the same additions in the same order, the same result.
 */
export function mergeCacheSums(cells: readonly { cache?: CacheSums }[]): CacheSums | undefined {
  let total: CacheSums | undefined
  let start = 0
  const first = cells[0]
  const known = first && prefixes.get(first)
  if (known && startsWith(cells, known.cells)) {
    total = known.total && copyCacheSums(known.total)
    start = known.cells.length
  }
  for (let j = start; j < cells.length; j++) {
    const cell = cells[j] as { cache?: CacheSums }
    if (first && j === cells.length - 1 && j > start) {
      // The sums before the last cell: a later merge of these cells and more resumes here.
      prefixes.set(first, { cells: cells.slice(0, j), total: total && copyCacheSums(total) })
    }
    if (!cell.cache) continue
    total ??= emptyCacheSums()
    addCacheSums(total, cell.cache)
  }
  return total
}

/**
 * mergeCacheSums' running sums before the last cell of the lists it merged, keyed by their first
 * cell: backtest merges, at every look, the window's time buckets, whose past ones are the same
 * Cell objects from look to look (src/replay/windowEvidence.ts), so each look adds only the
 * buckets since the last instead of the whole window again. Identity is a sound key because a
 * Cell is never changed once handed out; a WeakMap, so the sums go with their cells.
 */
const prefixes = new WeakMap<object, { cells: readonly object[]; total: CacheSums | undefined }>()

function startsWith(cells: readonly object[], prefix: readonly object[]): boolean {
  if (prefix.length > cells.length) return false
  for (let j = 0; j < prefix.length; j++) if (prefix[j] !== cells[j]) return false
  return true
}

/** A deep copy (addCacheSums changes its target's moments in place). */
export function copyCacheSums(c: CacheSums): CacheSums {
  const copy: CacheSums = {
    ...c,
    latency: { hit: { ...c.latency.hit }, miss: { ...c.latency.miss } },
    ttft: { hit: { ...c.ttft.hit }, miss: { ...c.ttft.miss } }
  }
  if (c.repricing) copy.repricing = { ...c.repricing }
  return copy
}
