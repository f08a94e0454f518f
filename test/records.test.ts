import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../src/policy/types.js'
import { compileMetricValue } from '../src/records/fields.js'
import {
  createNormalizer,
  errorClass,
  isRequestRecord,
  type NormalizeResult
} from '../src/records/normalize.js'
import { computeCost, computeUncachedCost } from '../src/records/pricing.js'
import type { RequestRecord } from '../src/records/record.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const TS = '2026-11-02T08:00:00.000Z'
const TS_MS = Date.UTC(2026, 10, 2, 8, 0, 0)
const normalize = createNormalizer(testPolicy())

function record(raw: Record<string, unknown>): RequestRecord {
  const result: NormalizeResult = normalize({ ts: TS, arm: 'stable', ...raw })
  if (!isRequestRecord(result)) throw new Error(`not a record: ${JSON.stringify(result)}`)
  return result
}

const PRICING = {
  'gpt-4o-2024-08-06': { input: 2.5, cacheRead: 1.25, output: 10 },
  'claude-sonnet-4': { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 }
}

describe('createNormalizer: timestamps and arms', () => {
  it('reads ts, timestamp or start_time as ISO-8601, epoch ms or epoch seconds', () => {
    for (const raw of [
      { ts: TS },
      { timestamp: TS },
      { start_time: TS },
      { ts: TS_MS },
      { ts: TS_MS / 1000 },
      { ts: String(TS_MS) },
      { ts: '2026-11-02T09:00:00+01:00' },
      { ts: '2026-11-02T08:00:00' }
    ]) {
      expect(record({ ts: undefined, ...raw }).ts).toBe(TS_MS)
    }
  })

  it('reports a missing or unreadable timestamp as malformed', () => {
    expect(normalize({ arm: 'stable' })).toEqual({
      malformed: 'no timestamp (ts, timestamp or start_time)',
      missing: 'timestamp'
    })
    expect(normalize({ ts: 'yesterday-ish', arm: 'stable' })).toEqual({
      malformed: 'invalid timestamp'
    })
    expect(normalize({ ts: '2026-13-02T08:00:00Z', arm: 'stable' })).toEqual({
      malformed: 'invalid timestamp'
    })
    expect(normalize({ ts: true, arm: 'stable' })).toEqual({ malformed: 'invalid timestamp' })
  })

  it('maps arm labels and reports the others, and a missing arm field', () => {
    expect(record({ arm: 'stable' }).arm).toBe('baseline')
    expect(record({ arm: 'candidate' }).arm).toBe('canary')
    expect(normalize({ ts: TS, arm: 'shadow' })).toEqual({ unmatchedArm: 'shadow' })
    expect(normalize({ ts: TS })).toEqual({ malformed: 'no arm field "arm"', missing: 'arm' })
    const numeric = createNormalizer(
      testPolicy({ arms: { field: 'variant', baseline: ['0'], canary: ['1'] } })
    )
    expect((numeric({ ts: TS, variant: 1 }) as RequestRecord).arm).toBe('canary')
  })
})

describe('createNormalizer: field aliases', () => {
  it('reads the unit from unit, user_id or session_id, or from the policy field', () => {
    expect(record({ unit: 'a' }).unit).toBe('a')
    expect(record({ user_id: 'b' }).unit).toBe('b')
    expect(record({ session_id: 'c' }).unit).toBe('c')
    expect(record({ user_id: 42 }).unit).toBe('42')
    expect(record({}).unit).toBeUndefined()
    const byTenant = createNormalizer(
      testPolicy({
        arms: { field: 'arm', baseline: ['stable'], canary: ['candidate'], unit: 'tenant' }
      })
    )
    expect(
      (byTenant({ ts: TS, arm: 'stable', tenant: 't1', user_id: 'u' }) as RequestRecord).unit
    ).toBe('t1')
  })

  it('reads latency and time to first token in ms, converting OpenTelemetry seconds', () => {
    expect(record({ latency_ms: 812 }).latency_ms).toBe(812)
    expect(record({ duration_ms: 900 }).latency_ms).toBe(900)
    expect(record({ 'gen_ai.client.operation.duration': 1.25 }).latency_ms).toBe(1250)
    expect(record({ ttft_ms: 120 }).ttft_ms).toBe(120)
    expect(record({ 'gen_ai.response.time_to_first_chunk': 0.2 }).ttft_ms).toBe(200)
  })

  it('reads token counts under OpenAI, OpenTelemetry and canonical names', () => {
    const openai = record({
      prompt_tokens: 1200,
      completion_tokens: 300,
      prompt_tokens_details: { cached_tokens: 1024 }
    })
    expect(openai).toMatchObject({
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_tokens: 1024
    })
    expect(record({ 'prompt_tokens_details.cached_tokens': 64 }).cache_read_tokens).toBe(64)
    const otel = record({
      'gen_ai.usage.input_tokens': 500,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 256,
      'gen_ai.usage.cache_creation.input_tokens': 128
    })
    // OpenTelemetry's gen_ai.usage.input_tokens already counts cached tokens: nothing is added.
    expect(otel).toMatchObject({
      input_tokens: 500,
      output_tokens: 50,
      cache_read_tokens: 256,
      cache_write_tokens: 128
    })
    expect(
      record({ input_tokens: 10, output_tokens: 2, cache_read_tokens: 4, cache_write_tokens: 1 })
    ).toMatchObject({
      input_tokens: 10,
      cache_read_tokens: 4,
      cache_write_tokens: 1
    })
  })

  it("adds Anthropic's cache reads and writes to its input_tokens, which exclude them", () => {
    const anthropic = record({
      input_tokens: 200,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 500,
      output_tokens: 80
    })
    expect(anthropic).toMatchObject({
      input_tokens: 3700,
      cache_read_tokens: 3000,
      cache_write_tokens: 500,
      output_tokens: 80
    })
  })

  it('reads model, fingerprint, fallback, billed cost, scores and feedback', () => {
    const r = record({
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      system_fingerprint: 'fp_1',
      fallback: 'true',
      cost_usd: 0.004,
      'gen_ai.evaluation.score.value': 0.8,
      scores: { helpfulness: 0.9, tone: '0.7' },
      feedback: -1
    })
    expect(r).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      fingerprint: 'fp_1',
      fallback: true,
      cost_usd: 0.004,
      score: 0.8,
      scores: { helpfulness: 0.9, tone: 0.7 },
      feedback: -1
    })
    expect(record({ model: 'm', fingerprint: 'f', fallback: false }).fallback).toBe(false)
    expect(record({ feedback: true }).feedback).toBe(1)
  })

  it('reads dotted scores.<name> keys for the scores the policy reads', () => {
    const policy = testPolicy({ metrics: [metric('helpful', 'scores.helpfulness', 'mean')] })
    const r = createNormalizer(policy)({
      ts: TS,
      arm: 'stable',
      'scores.helpfulness': 0.6
    }) as RequestRecord
    expect(r.scores).toEqual({ helpfulness: 0.6 })
  })

  it('normalises errors to a class of the taxonomy, a lower-case name, or null', () => {
    expect([null, undefined, '', false, 0, 'null', 'false', 'None'].map(errorClass)).toEqual(
      Array(8).fill(null)
    )
    expect(errorClass('Rate_Limit')).toBe('rate_limit')
    expect(errorClass(true)).toBe('error')
    expect(errorClass({ type: 'invalid_request_error', message: 'x' })).toBe('client')
    expect(errorClass({ code: 'context_length_exceeded' })).toBe('client')
    // A specific code wins over a generic type (OpenAI's 400 for a content filter).
    expect(errorClass({ type: 'invalid_request_error', code: 'content_filter' })).toBe(
      'content_filter'
    )
    // Anthropic's envelope: the class is the nested error's type.
    expect(errorClass({ type: 'error', error: { type: 'overloaded_error' } })).toBe('server')
    expect(errorClass({ message: 'no class' })).toBe('error')
    expect(errorClass({ message: '429 Rate limit reached for requests' })).toBe('rate_limit')
    expect(errorClass(429)).toBe('rate_limit')
    expect(errorClass('my_own_class')).toBe('my_own_class')
  })

  it('maps provider and SDK error names and HTTP statuses onto the classes', () => {
    const cases: [unknown, string][] = [
      ['RateLimitError', 'rate_limit'],
      ['openai.RateLimitError', 'rate_limit'],
      ['anthropic.RateLimitError', 'rate_limit'],
      ['rate_limit_exceeded', 'rate_limit'],
      ['insufficient_quota', 'rate_limit'],
      ['RESOURCE_EXHAUSTED', 'rate_limit'],
      ['429', 'rate_limit'],
      ['APITimeoutError', 'timeout'],
      ['APIConnectionTimeoutError', 'timeout'],
      ['litellm.Timeout', 'timeout'],
      ['httpx.ReadTimeout', 'timeout'],
      ['DEADLINE_EXCEEDED', 'timeout'],
      [504, 'timeout'],
      ['InternalServerError', 'server'],
      ['overloaded_error', 'server'],
      ['APIConnectionError', 'server'],
      ['ServiceUnavailableError', 'server'],
      [503, 'server'],
      ['BadRequestError', 'client'],
      ['AuthenticationError', 'client'],
      ['NotFoundError', 'client'],
      ['litellm.ContextWindowExceededError', 'client'],
      [400, 'client'],
      ['ContentFilterFinishReasonError', 'content_filter'],
      ['litellm.ContentPolicyViolationError', 'content_filter'],
      ['content_policy_violation', 'content_filter'],
      ['SAFETY', 'content_filter'],
      ['_OTHER', 'error'],
      [{ error_class: 'RateLimitError', error_code: '429', llm_provider: 'openai' }, 'rate_limit']
    ]
    expect(cases.map(([v]) => [v, errorClass(v)])).toEqual(cases)
  })

  it('keeps the raw row for segment dimensions and other fields', () => {
    const r = record({ route: 'faq' })
    expect(r.raw.route).toBe('faq')
  })
})

describe('computeCost', () => {
  it('prices uncached input, cache reads, cache writes and output separately', () => {
    const r = record({
      model: 'claude-sonnet-4',
      input_tokens: 200,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 500,
      output_tokens: 80
    })
    // By hand: (200 * 3 + 3000 * 0.3 + 500 * 3.75 + 80 * 15) / 1e6 = (600 + 900 + 1875 + 1200) / 1e6.
    expect(computeCost({ ...r, cost_usd: undefined }, PRICING)).toBeCloseTo(4575e-6, 12)
    // Every input token at the uncached price: (3700 * 3 + 80 * 15) / 1e6.
    expect(computeUncachedCost(r, PRICING)).toBeCloseTo(12300e-6, 12)
  })

  it('defaults cache prices to the input price', () => {
    const r = {
      ...record({
        model: 'm',
        input_tokens: 100,
        cache_read_tokens: 40,
        cache_write_tokens: 10,
        output_tokens: 5
      }),
      cost_usd: undefined
    }
    expect(computeCost(r, { m: { input: 2, output: 8 } })).toBeCloseTo((100 * 2 + 5 * 8) / 1e6, 12)
  })

  it('keeps a billed cost, and fills cost_usd from tokens when there is none', () => {
    expect(
      computeCost(
        record({ model: 'gpt-4o-2024-08-06', prompt_tokens: 1000, cost_usd: 0.5 }),
        PRICING
      )
    ).toBe(0.5)
    const computed = record({
      model: 'gpt-4o-2024-08-06',
      prompt_tokens: 1000,
      prompt_tokens_details: { cached_tokens: 600 },
      completion_tokens: 100
    })
    // (400 * 2.5 + 600 * 1.25 + 100 * 10) / 1e6
    expect(computed.cost_usd).toBeCloseTo(2750e-6, 12)
  })

  it('says why tokens cannot be priced', () => {
    const r = { ...record({ model: 'gpt-5', input_tokens: 10 }), cost_usd: undefined }
    expect(computeCost(r, PRICING)).toEqual({
      invalid: 'no price for model "gpt-5" in policy.pricing'
    })
    expect(computeCost({ ...r, model: undefined }, PRICING)).toEqual({
      invalid: 'no model to look up in policy.pricing'
    })
    expect(computeCost({ ...r, model: 'constructor' }, PRICING)).toEqual({
      invalid: 'no price for model "constructor" in policy.pricing'
    })
    expect(computeCost(record({}), PRICING)).toBeUndefined()
  })
})

describe('compileMetricValue', () => {
  const read = (spec: MetricSpec, raw: Record<string, unknown>) => {
    const v = compileMetricValue(spec, PRICING)(record(raw))
    return v && 'x' in v ? { x: v.x, y: v.y } : v
  }
  const mean = (from: string) => metric(from, from, 'mean')
  const rate = (from: string) => metric(from, from, 'rate')

  it('reads a value with y = 1 for mean, rate and quantile metrics', () => {
    expect(read(mean('latency_ms'), { latency_ms: 900 })).toEqual({ x: 900, y: 1 })
    expect(
      read(metric('p95', 'latency_ms', 'quantile', { quantile: 0.95 }), { duration_ms: 5 })
    ).toEqual({ x: 5, y: 1 })
    expect(read(mean('output_tokens'), { completion_tokens: 7 })).toEqual({ x: 7, y: 1 })
    expect(read(mean('cache_read_tokens'), { cache_read_input_tokens: 3 })).toEqual({ x: 3, y: 1 })
  })

  it('reads ratios as sum(from) over sum(per)', () => {
    const spec = metric('cost per 1k output', 'cost_usd', 'ratio', { per: 'output_tokens' })
    expect(read(spec, { cost_usd: 0.02, output_tokens: 400 })).toEqual({ x: 0.02, y: 400 })
    expect(read(spec, { cost_usd: 0.02 })).toBeUndefined()
  })

  it('reads errors, error classes, fallbacks and cache hits as 0/1', () => {
    expect(read(rate('error'), { error: 'timeout' })).toEqual({ x: 1, y: 1 })
    expect(read(rate('error'), { error: null })).toEqual({ x: 0, y: 1 })
    expect(read(rate('error.rate_limit'), { error: 'rate_limit' })).toEqual({ x: 1, y: 1 })
    expect(read(rate('error.rate_limit'), { error: 'timeout' })).toEqual({ x: 0, y: 1 })
    expect(read(rate('fallback'), { fallback: true })).toEqual({ x: 1, y: 1 })
    expect(read(rate('cache_hit'), { prompt_tokens_details: { cached_tokens: 10 } })).toEqual({
      x: 1,
      y: 1
    })
    expect(read(rate('cache_hit'), { prompt_tokens_details: { cached_tokens: 0 } })).toEqual({
      x: 0,
      y: 1
    })
    expect(read(rate('cache_hit'), {})).toBeUndefined()
  })

  it('reads feedback as +1 / -1, and as 1 / 0 for a rate', () => {
    expect(read(mean('feedback'), { feedback: -1 })).toEqual({ x: -1, y: 1 })
    expect(read(rate('feedback'), { feedback: -1 })).toEqual({ x: 0, y: 1 })
    expect(read(rate('feedback'), { feedback: 1 })).toEqual({ x: 1, y: 1 })
    expect(read(rate('feedback'), { feedback: 3 })).toEqual({ invalid: 'feedback: not +1 or -1' })
  })

  it('reads cost (billed or computed) and the all-uncached cost', () => {
    expect(read(mean('cost'), { cost_usd: 0.25 })).toEqual({ x: 0.25, y: 1 })
    const tokens = {
      model: 'gpt-4o-2024-08-06',
      prompt_tokens: 1000,
      prompt_tokens_details: { cached_tokens: 1000 }
    }
    // Cached: 1000 * 1.25 / 1e6; uncached: 1000 * 2.5 / 1e6.
    expect(read(mean('cost'), tokens)).toEqual({ x: 1.25e-3, y: 1 })
    expect(read(mean('cost_uncached'), tokens)).toEqual({ x: 2.5e-3, y: 1 })
    expect(read(mean('cost'), { model: 'gpt-5', prompt_tokens: 10 })).toEqual({
      invalid: 'cost: no price for model "gpt-5" in policy.pricing'
    })
  })

  it('reads scores and any other numeric field, dotted paths included', () => {
    expect(read(mean('score'), { score: 0.75 })).toEqual({ x: 0.75, y: 1 })
    expect(read(mean('scores.helpfulness'), { scores: { helpfulness: 0.5 } })).toEqual({
      x: 0.5,
      y: 1
    })
    expect(read(mean('retrieval.hits'), { retrieval: { hits: 4 } })).toEqual({ x: 4, y: 1 })
    expect(read(mean('retrieval.hits'), { 'retrieval.hits': 3 })).toEqual({ x: 3, y: 1 })
    expect(read(rate('resolved'), { resolved: true })).toEqual({ x: 1, y: 1 })
    expect(read(mean('delta'), { delta: -2 })).toEqual({ x: -2, y: 1 })
  })

  it('treats a missing value as missing, not as an error', () => {
    expect(read(mean('score'), {})).toBeUndefined()
    expect(read(mean('latency_ms'), { latency_ms: null })).toBeUndefined()
    expect(read(mean('retrieval.hits'), {})).toBeUndefined()
  })

  it('rejects NaN, infinite, negative, out-of-range and non-numeric values, naming the field', () => {
    expect(read(mean('latency_ms'), { latency_ms: 'NaN' })).toEqual({
      invalid: 'latency_ms: negative or not a finite number'
    })
    expect(read(mean('latency_ms'), { latency_ms: -5 })).toEqual({
      invalid: 'latency_ms: negative or not a finite number'
    })
    expect(read(mean('latency_ms'), { latency_ms: 'slow' })).toEqual({
      invalid: 'latency_ms: negative or not a finite number'
    })
    expect(read(mean('output_tokens'), { output_tokens: -1 })).toEqual({
      invalid: 'output_tokens: negative or not a finite number'
    })
    expect(read(mean('cost'), { cost_usd: -0.1 })).toEqual({
      invalid: 'cost: negative or not a finite number'
    })
    expect(read(mean('score'), { score: 1.5 })).toEqual({
      invalid: 'score: outside [0, 1] or not a number'
    })
    expect(read(mean('score'), { score: 'good' })).toEqual({
      invalid: 'score: outside [0, 1] or not a number'
    })
    expect(read(mean('retrieval.hits'), { retrieval: { hits: 'many' } })).toEqual({
      invalid: 'retrieval.hits: not a finite number'
    })
    expect(read(rate('resolved'), { resolved: 2 })).toEqual({
      invalid: 'resolved: not 0 or 1, as a rate needs'
    })
  })
})
