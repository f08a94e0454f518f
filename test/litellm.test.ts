/**
 * LiteLLM's own records read as request records without a mapping: the proxy's spend-log rows
 * (table LiteLLM_SpendLogs, as `row_to_json` exports them and as `\copy ... csv header` does, the
 * `metadata` column then JSON text) and the StandardLoggingPayload its callbacks receive. The rows
 * are built with the column and field names of BerriAI/litellm's schema.prisma and
 * litellm/types/utils.py (src/records/litellm.ts), from a plan whose sums the test knows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Policy } from '../src/policy/types.js'
import { LITELLM_PAYLOAD_FIELDS, LITELLM_SPEND_LOG_COLUMNS } from '../src/records/litellm.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import type { RequestRecord } from '../src/records/record.js'
import { mergeCacheSums } from '../src/sketch/cacheSums.js'
import { TOTAL_SEGMENT, type Cell } from '../src/sketch/evidence.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const root = mkdtempSync(join(tmpdir(), 'rollout-gate-litellm-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0)
const WINDOW = { from: T0, to: T0 + 3_600_000 }
const N = 400

/** The plan: call i of arm (i % 2), 5% of canary and 2.5% of baseline calls failed with a 429, 40% of the rest read from the cache. */
function plan() {
  return Array.from({ length: N }, (_, i) => {
    const arm = i % 2 === 0 ? 'stable' : 'candidate'
    const failed = i % 20 === 7 || i % 40 === 12
    const prompt = failed ? 0 : 1000 + (i % 7) * 100
    const cached = !failed && i % 5 < 2 ? 512 : 0
    const completion = failed ? 0 : 50 + (i % 11)
    const start = T0 + i * 1000
    return { i, arm, failed, prompt, cached, completion, start, latency: 800 + (i % 13) * 10 }
  })
}

/** A LiteLLM_SpendLogs row (schema.prisma), as row_to_json writes it (timestamps without zone). */
function spendLog(p: ReturnType<typeof plan>[number]): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '')
  const usage = {
    prompt_tokens: p.prompt,
    completion_tokens: p.completion,
    total_tokens: p.prompt + p.completion,
    prompt_tokens_details: { cached_tokens: p.cached, audio_tokens: null },
    completion_tokens_details: { reasoning_tokens: 0 }
  }
  return {
    request_id: `chatcmpl-${p.i}`,
    call_type: 'acompletion',
    api_key: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
    spend: p.failed ? 0 : cost(p),
    total_tokens: p.prompt + p.completion,
    prompt_tokens: p.prompt,
    completion_tokens: p.completion,
    startTime: iso(p.start),
    endTime: iso(p.start + p.latency),
    request_duration_ms: p.latency,
    completionStartTime: iso(p.start + p.latency),
    model: 'gpt-4o-2024-08-06',
    model_id: 'deployment-1',
    model_group: 'support-assistant',
    custom_llm_provider: 'openai',
    api_base: 'https://api.openai.com/v1',
    user: 'default_user_id',
    metadata: {
      user_api_key: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
      user_api_key_team_id: 'team-support',
      spend_logs_metadata: { variant: p.arm, route: p.i % 3 === 0 ? 'billing' : 'faq' },
      requester_ip_address: '',
      status: p.failed ? 'failure' : 'success',
      usage_object: p.failed ? null : usage,
      ...(p.failed && {
        error_information: {
          error_code: '429',
          error_class: 'RateLimitError',
          llm_provider: 'openai',
          traceback: '',
          error_message:
            'litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached'
        }
      })
    },
    cache_hit: 'False',
    cache_key: 'Cache OFF',
    request_tags: ['support'],
    team_id: 'team-support',
    organization_id: null,
    end_user: `customer-${p.i % 40}`,
    requester_ip_address: null,
    messages: {},
    response: {},
    session_id: null,
    status: p.failed ? 'failure' : 'success',
    mcp_namespaced_tool_name: null,
    agent_id: null,
    proxy_server_request: {}
  }
}

/** A StandardLoggingPayload (litellm/types/utils.py): times in epoch seconds. */
function payload(p: ReturnType<typeof plan>[number]): Record<string, unknown> {
  const usage = {
    prompt_tokens: p.prompt,
    completion_tokens: p.completion,
    total_tokens: p.prompt + p.completion,
    prompt_tokens_details: { cached_tokens: p.cached }
  }
  const streamed = p.i % 4 === 0
  return {
    id: `chatcmpl-${p.i}`,
    trace_id: `trace-${p.i}`,
    call_type: 'acompletion',
    stream: streamed,
    response_cost: p.failed ? 0 : cost(p),
    status: p.failed ? 'failure' : 'success',
    custom_llm_provider: 'openai',
    total_tokens: p.prompt + p.completion,
    prompt_tokens: p.prompt,
    completion_tokens: p.completion,
    startTime: p.start / 1000,
    endTime: (p.start + p.latency) / 1000,
    completionStartTime: (p.start + (streamed ? 200 : p.latency)) / 1000,
    response_time: p.latency / 1000,
    model: 'gpt-4o-2024-08-06',
    model_id: 'deployment-1',
    model_group: p.arm === 'stable' ? 'support-assistant' : 'support-assistant-canary',
    api_base: 'https://api.openai.com/v1',
    metadata: {
      user_api_key_hash: 'hash',
      user_api_key_team_id: 'team-support',
      spend_logs_metadata: null,
      requester_ip_address: null,
      usage_object: p.failed ? null : usage
    },
    cache_hit: null,
    cache_key: null,
    saved_cache_cost: 0,
    request_tags: [],
    end_user: `customer-${p.i % 40}`,
    requester_ip_address: null,
    messages: null,
    response: p.failed ? null : { id: `chatcmpl-${p.i}`, system_fingerprint: 'fp_abc123' },
    error_str: p.failed ? 'litellm.RateLimitError: RateLimitError: OpenAIException' : null,
    error_information: p.failed
      ? { error_code: '429', error_class: 'RateLimitError', llm_provider: 'openai' }
      : null,
    model_parameters: {},
    hidden_params: {
      model_id: 'deployment-1',
      cache_key: null,
      api_base: null,
      response_cost: null
    }
  }
}

function cost(p: ReturnType<typeof plan>[number]): number {
  return ((p.prompt - p.cached) * 2.5 + p.cached * 1.25 + p.completion * 10) / 1e6
}

function policy(overrides: Partial<Policy> = {}): Policy {
  return testPolicy({
    rollout: { ...testPolicy().rollout, minSamples: 100 },
    arms: {
      field: 'metadata.spend_logs_metadata.variant',
      baseline: ['stable'],
      canary: ['candidate']
    },
    metrics: [
      metric('error rate', 'error', 'rate'),
      metric('input tokens', 'input_tokens', 'mean', { mode: 'report' }),
      metric('cost per request', 'cost', 'mean'),
      metric('latency', 'latency_ms', 'mean'),
      metric('ttft', 'ttft_ms', 'mean', { mode: 'report' })
    ],
    segments: { by: ['metadata.spend_logs_metadata.route'], gate: false },
    ...overrides
  })
}

async function collect(file: string, p: Policy) {
  return new FileSource({
    patterns: [file],
    baseDir: root,
    format: 'auto',
    policy: p,
    parallel: false
  }).collect({ window: WINDOW, now: WINDOW.to })
}

function expectTruth(cells: Cell[], arm: string, opts: { ttft: boolean }) {
  const rows = plan().filter(p => p.arm === arm)
  const ok = rows.filter(p => !p.failed)
  const totals = mergeCells(cells)
  expect(totals.requests).toBe(rows.length)
  expect(totals.errors).toEqual({ rate_limit: rows.length - ok.length })
  expect(totals.metrics[1]!.moments.sx).toBe(rows.reduce((s, p) => s + p.prompt, 0))
  expect(totals.metrics[2]!.moments.sx).toBeCloseTo(
    ok.reduce((s, p) => s + cost(p), 0),
    12
  )
  expect(totals.metrics[3]!.moments.sx).toBe(rows.reduce((s, p) => s + p.latency, 0))
  const streamed = rows.filter(p => p.i % 4 === 0)
  expect(totals.metrics[4]!.requests).toBe(opts.ttft ? streamed.length : 0)
  expect(mergeCacheSums(cells)).toMatchObject({
    reported: ok.length,
    hits: ok.filter(p => p.cached > 0).length,
    cacheReadTokens: ok.reduce((s, p) => s + p.cached, 0)
  })
  expect(totals.units).toBe(new Set(rows.map(p => p.i % 40)).size)
}

describe('LiteLLM spend-log rows', () => {
  it('every column the gate reads is a column of LiteLLM_SpendLogs, and a row uses only those', () => {
    const row = spendLog(plan()[0]!)
    for (const column of LITELLM_SPEND_LOG_COLUMNS) expect(row).toHaveProperty(column)
  })

  it('as JSONL (row_to_json): tokens, cached tokens, spend, latency, errors, users, the arm inside metadata', async () => {
    writeFileSync(
      join(root, 'spend.jsonl'),
      plan()
        .map(p => JSON.stringify(spendLog(p)))
        .join('\n')
    )
    const e = await collect('spend.jsonl', policy())
    expect(e.quality).toMatchObject({ records: N, malformed: 0 })
    for (const arm of ['stable', 'candidate']) {
      const cells = e.cells.filter(
        c => c.arm === (arm === 'stable' ? 'baseline' : 'canary') && c.segment === TOTAL_SEGMENT
      )
      expectTruth(cells, arm, { ttft: false })
      // Failed calls served nothing: their model is kept apart.
      const failed = plan().filter(p => p.arm === arm && p.failed).length
      expect(mergeCells(cells).models).toEqual({ 'gpt-4o-2024-08-06': N / 2 - failed })
    }
    expect(new Set(e.cells.map(c => c.segment))).toEqual(
      new Set([
        TOTAL_SEGMENT,
        'metadata.spend_logs_metadata.route=billing',
        'metadata.spend_logs_metadata.route=faq'
      ])
    )
  })

  it('as CSV (\\copy ... csv header): metadata is JSON text, read the same', async () => {
    const rows = plan().map(spendLog)
    const columns = Object.keys(rows[0]!)
    const cell = (v: unknown) => {
      if (v === null || v === undefined) return ''
      const text =
        typeof v === 'object'
          ? JSON.stringify(v)
          : typeof v === 'string' && /T\d\d:/.test(v)
            ? v.replace('T', ' ')
            : String(v)
      return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
    }
    const csv = [columns.join(','), ...rows.map(r => columns.map(c => cell(r[c])).join(','))]
    writeFileSync(join(root, 'spend.csv'), csv.join('\n') + '\n')
    const e = await collect('spend.csv', policy())
    expect(e.quality).toMatchObject({ records: N, malformed: 0 })
    for (const arm of ['stable', 'candidate']) {
      const cells = e.cells.filter(
        c => c.arm === (arm === 'stable' ? 'baseline' : 'canary') && c.segment === TOTAL_SEGMENT
      )
      expectTruth(cells, arm, { ttft: false })
    }
  })
})

describe('LiteLLM StandardLoggingPayload', () => {
  it('every field the gate reads is a StandardLoggingPayload field', () => {
    const row = payload(plan()[0]!)
    for (const field of LITELLM_PAYLOAD_FIELDS) expect(row).toHaveProperty(field)
  })

  it('reads the callback payloads: epoch-second times, TTFT of streamed answers, model_group as the arm', async () => {
    writeFileSync(
      join(root, 'payloads.jsonl'),
      plan()
        .map(p => JSON.stringify(payload(p)))
        .join('\n')
    )
    const p = policy({
      arms: {
        field: 'model_group',
        baseline: ['support-assistant'],
        canary: ['support-assistant-canary']
      },
      segments: undefined
    })
    const e = await collect('payloads.jsonl', p)
    expect(e.quality).toMatchObject({ records: N, malformed: 0 })
    for (const arm of ['stable', 'candidate']) {
      const cells = e.cells.filter(
        c => c.arm === (arm === 'stable' ? 'baseline' : 'canary') && c.segment === TOTAL_SEGMENT
      )
      expectTruth(cells, arm, { ttft: true })
      const failed = plan().filter(q => q.arm === arm && q.failed).length
      expect(mergeCells(cells).models).toEqual({
        'gpt-4o-2024-08-06#fp_abc123': N / 2 - failed
      })
    }
  })

  it('maps one payload field by field', () => {
    const normalize = createNormalizer(
      policy({
        arms: {
          field: 'model_group',
          baseline: ['support-assistant'],
          canary: ['support-assistant-canary']
        },
        segments: undefined
      })
    )
    const streamed = payload(plan()[4]!)
    const r = normalize(streamed)
    expect(isRequestRecord(r)).toBe(true)
    expect(r).toMatchObject({
      ts: T0 + 4000,
      arm: 'baseline',
      unit: 'customer-4',
      latency_ms: 800 + 4 * 10,
      ttft_ms: 200,
      input_tokens: 1400,
      cache_read_tokens: 0,
      output_tokens: 54,
      model: 'gpt-4o-2024-08-06',
      fingerprint: 'fp_abc123',
      error: null
    } satisfies Partial<RequestRecord>)
    const failed = normalize(payload(plan()[7]!)) as RequestRecord
    expect(failed.error).toBe('rate_limit')
  })
})
