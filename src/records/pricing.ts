import type { Price } from '../policy/types.js'
import type { RequestRecord } from './record.js'

/** A cost in USD, nothing to price (no tokens), or why the tokens could not be priced. */
export type CostResult = number | undefined | { invalid: string }

/**
 * The record's cost: its billed `cost_usd` when present, else its tokens at the policy's prices
 * (USD per 1M tokens). Cache reads and writes are priced at `cacheRead` / `cacheWrite` (each
 * defaulting to `input`); the rest of the input, input_tokens - cache reads - cache writes, at
 * `input` (input_tokens counts all input, cached included: src/records/record.ts).
 */
export function computeCost(r: RequestRecord, pricing: Record<string, Price>): CostResult {
  if (r.cost_usd !== undefined) return r.cost_usd
  if (r.input_tokens === undefined && r.output_tokens === undefined) return undefined
  const price = priceOf(r.model, pricing)
  if (typeof price === 'string') return { invalid: price }
  const input = r.input_tokens ?? 0
  const cacheRead = r.cache_read_tokens ?? 0
  const cacheWrite = r.cache_write_tokens ?? 0
  const uncachedInput = input - cacheRead - cacheWrite
  if (uncachedInput < 0) return { invalid: 'cache tokens exceed input tokens' }
  return (
    (uncachedInput * price.input +
      cacheRead * (price.cacheRead ?? price.input) +
      cacheWrite * (price.cacheWrite ?? price.input) +
      (r.output_tokens ?? 0) * price.output) /
    1e6
  )
}

/**
 * What the record would have cost with no prompt cache: every input token at the uncached
 * `input` price, whatever was billed. The gap to computeCost is what caching saved.
 */
export function computeUncachedCost(r: RequestRecord, pricing: Record<string, Price>): CostResult {
  if (r.input_tokens === undefined && r.output_tokens === undefined) return undefined
  const price = priceOf(r.model, pricing)
  if (typeof price === 'string') return { invalid: price }
  return ((r.input_tokens ?? 0) * price.input + (r.output_tokens ?? 0) * price.output) / 1e6
}

/** The last lookup: records mostly repeat one model, and comparing strings beats hashing them. */
let lastPricing: Record<string, Price> | undefined
let lastModel: string | undefined
let lastPrice: Price | string = ''

/** The model's price, or why there is none. Own keys only: a model named `constructor` has no price. */
export function priceOf(model: string | undefined, pricing: Record<string, Price>): Price | string {
  if (model === undefined) return 'no model to look up in policy.pricing'
  if (model !== lastModel || pricing !== lastPricing) {
    const price = Object.hasOwn(pricing, model) ? pricing[model] : undefined
    lastPricing = pricing
    lastModel = model
    lastPrice = price ?? `no price for model "${model}" in policy.pricing`
  }
  return lastPrice
}
