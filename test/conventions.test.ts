import { describe, expect, it } from 'vitest'
import { unobservableErrors } from '../src/analysis/observability.js'
import { applySpanConvention, spanConvention } from '../src/records/conventions.js'
import { fieldAliases, RECORD_ALIASES, rawKeysRead } from '../src/records/fields.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import { flattenPaths, readPath } from '../src/records/path.js'
import type { RequestRecord } from '../src/records/record.js'
import { emptyQuality, type Evidence, type InstrumentationCount } from '../src/sketch/evidence.js'
import { testPolicy } from './fixtures/records/policy.js'

const TS = '2026-11-02T08:00:00.000Z'

describe('the alias table (RECORD_ALIASES) is what the normalizer reads', () => {
  const normalize = createNormalizer(testPolicy({ segments: undefined }))
  const values: Record<string, unknown> = {
    unit: 'u-1',
    latency_ms: 1200,
    ttft_ms: 300,
    input_tokens: 900,
    cache_read_tokens: 256,
    cache_write_tokens: 64,
    output_tokens: 80,
    model: 'gpt-4o-2024-08-06',
    fingerprint: 'fp_1',
    error: 'timeout',
    fallback: true,
    cost_usd: 0.01,
    score: 0.7,
    feedback: 1
  }
  const SECONDS = new Set([
    'gen_ai.client.operation.duration',
    'gen_ai.response.time_to_first_chunk'
  ])
  for (const [field, aliases] of Object.entries(RECORD_ALIASES)) {
    if (field === 'ts') continue
    for (const alias of aliases) {
      it(`${alias} alone fills ${field}`, () => {
        const v = values[field]
        const raw: Record<string, unknown> = { ts: TS, arm: 'stable' }
        if (alias.includes('.') && !alias.startsWith('gen_ai.') && !alias.startsWith('openai.')) {
          // A nested path (prompt_tokens_details.cached_tokens), as JSON has it.
          const [head, rest] = alias.split('.') as [string, string]
          raw[head] = { [rest]: v }
        } else raw[alias] = SECONDS.has(alias) ? (v as number) / 1000 : v
        const r = normalize(raw)
        expect(isRequestRecord(r)).toBe(true)
        const key = field as keyof RequestRecord
        expect((r as RequestRecord)[key]).toEqual(v)
      })
    }
  }

  it('lists every name that can fill a field, span conventions included', () => {
    expect(fieldAliases('input_tokens')).toEqual(
      expect.arrayContaining([
        'prompt_tokens',
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.prompt_tokens',
        'llm.usage.prompt_tokens',
        'llm.token_count.prompt'
      ])
    )
    expect(fieldAliases('cache_read_tokens')).toEqual(
      expect.arrayContaining([
        'gen_ai.usage.cache_read.input_tokens',
        'gen_ai.usage.cache_read_input_tokens',
        'llm.token_count.prompt_details.cache_read'
      ])
    )
    expect(fieldAliases('unit')).toEqual(
      expect.arrayContaining(['user_id', 'user.id', 'session.id'])
    )
  })
})

describe('paths into nested objects and JSON strings', () => {
  it('reads a flat key first, then nested objects and JSON strings, longest prefix first', () => {
    const row = {
      'metadata.arm': 'flat',
      metadata: '{"arm":"json","route":"faq","deep":{"x":1}}',
      'a.b': { c: 2 },
      a: { b: { c: 3 } },
      tags: '["not", "an", "object"]'
    }
    expect(readPath(row, 'metadata.arm')).toBe('flat')
    expect(readPath(row, 'metadata.route')).toBe('faq')
    expect(readPath(row, 'metadata.deep.x')).toBe(1)
    expect(readPath(row, 'a.b.c')).toBe(2)
    expect(readPath(row, 'tags.0')).toBeUndefined()
    expect(readPath(row, 'metadata.missing')).toBeUndefined()
    const copy: Record<string, unknown> = { ...row }
    flattenPaths(copy, ['metadata.route', 'metadata.arm', 'plain'])
    expect(copy['metadata.route']).toBe('faq')
    expect(copy['metadata.arm']).toBe('flat')
  })

  it('a metric on a dotted field ships each prefix to the parallel reader', () => {
    expect(rawKeysRead('metadata.tool.depth')).toEqual([
      'metadata.tool.depth',
      'metadata.tool',
      'metadata'
    ])
    expect(rawKeysRead('latency_ms')).toEqual([])
  })

  it('reads the arm from a key inside a JSON-string attribute', () => {
    const normalize = createNormalizer(
      testPolicy({
        arms: { field: 'metadata.variant', baseline: ['a'], canary: ['b'] },
        segments: { by: ['metadata.route'], gate: false }
      })
    )
    const r = normalize({ ts: TS, metadata: '{"variant":"b","route":"billing"}' }) as RequestRecord
    expect(r.arm).toBe('canary')
    expect(r.raw['metadata.route']).toBe('billing')
  })
})

describe('span conventions: which spans are calls, and their fields', () => {
  it('chooses the convention by what the span carries', () => {
    expect(spanConvention({ 'openinference.span.kind': 'LLM' })).toBe('openinference')
    expect(spanConvention({ 'openinference.span.kind': 'EMBEDDING' })).toBe('openinference')
    expect(spanConvention({ 'openinference.span.kind': 'CHAIN', 'llm.model_name': 'x' })).toBe(
      undefined
    )
    expect(spanConvention({ 'gen_ai.operation.name': 'chat' })).toBe('otel-genai')
    expect(spanConvention({ 'gen_ai.usage.prompt_tokens': 3, 'llm.request.type': 'chat' })).toBe(
      'openllmetry'
    )
    expect(spanConvention({ 'llm.usage.prompt_tokens': 3, 'llm.vendor': 'OpenAI' })).toBe(
      'openllmetry'
    )
    // Agents, tools, workflows and retrieval are not calls to a model.
    for (const op of ['invoke_agent', 'execute_tool', 'create_agent', 'retrieval']) {
      expect(spanConvention({ 'gen_ai.operation.name': op, 'gen_ai.agent.name': 'a' })).toBe(
        undefined
      )
    }
    expect(spanConvention({ 'traceloop.span.kind': 'workflow', 'gen_ai.request.model': 'x' })).toBe(
      undefined
    )
    expect(spanConvention({ 'http.method': 'GET' })).toBe(undefined)
  })

  it('maps each convention to canonical keys; an attribute named like the field wins', () => {
    const otel: Record<string, unknown> = {
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 64,
      'gen_ai.response.model': 'm-1',
      'gen_ai.request.model': 'm',
      'openai.response.system_fingerprint': 'fp',
      'gen_ai.response.time_to_first_chunk': 0.25
    }
    applySpanConvention(otel, 'otel-genai')
    expect(otel).toMatchObject({
      input_tokens: 100,
      output_tokens: 20,
      cache_read_tokens: 64,
      model: 'm-1',
      fingerprint: 'fp',
      ttft_ms: 250
    })
    const old: Record<string, unknown> = {
      'gen_ai.usage.prompt_tokens': 7,
      'gen_ai.usage.completion_tokens': 3,
      'gen_ai.usage.cache_read_input_tokens': 2,
      'gen_ai.openai.system_fingerprint': 'fp_old',
      input_tokens: 9
    }
    applySpanConvention(old, 'openllmetry')
    expect(old).toMatchObject({
      input_tokens: 9,
      output_tokens: 3,
      cache_read_tokens: 2,
      fingerprint: 'fp_old'
    })
    const oi: Record<string, unknown> = {
      'llm.token_count.prompt': 50,
      'llm.token_count.completion': 5,
      'llm.token_count.prompt_details.cache_read': 0,
      'llm.model_name': 'gpt-4o-2024-08-06',
      'llm.cost.total': 0.002,
      'user.id': 'u-9',
      'session.id': 's-1',
      'output.value': '{"id":"x","model":"gpt-4o","system_fingerprint":"fp_oi","choices":[]}'
    }
    applySpanConvention(oi, 'openinference')
    expect(oi).toMatchObject({
      input_tokens: 50,
      output_tokens: 5,
      cache_read_tokens: 0,
      model: 'gpt-4o-2024-08-06',
      cost_usd: 0.002,
      user_id: 'u-9',
      session_id: 's-1',
      fingerprint: 'fp_oi'
    })
  })
})

describe('errors not observable from a source', () => {
  const evidence = (instrumentation: InstrumentationCount[]) =>
    ({ quality: { ...emptyQuality(), instrumentation } }) as Evidence
  const traceloop = { scope: '@traceloop/instrumentation-openai', version: '0.27.0' }

  it('only when every call span came from a library that writes none for a failed call, and none failed', () => {
    expect(unobservableErrors(evidence([{ ...traceloop, calls: 10, failed: 0 }]))).toMatch(
      /the error rate is not observable from this source/
    )
    // One failed span shows this library version does write them.
    expect(unobservableErrors(evidence([{ ...traceloop, calls: 10, failed: 1 }]))).toBeUndefined()
    // Calls traced by a library that records failures too: their errors are seen.
    expect(
      unobservableErrors(
        evidence([
          { ...traceloop, calls: 10, failed: 0 },
          { scope: '@opentelemetry/instrumentation-openai', calls: 5, failed: 0 }
        ])
      )
    ).toBeUndefined()
    // An unknown library: the gate cannot tell, and says nothing.
    expect(
      unobservableErrors(evidence([{ scope: 'my-own-tracer', calls: 10, failed: 0 }]))
    ).toBeUndefined()
    expect(unobservableErrors(evidence([]))).toBeUndefined()
  })
})
