/**
 * Generated traffic in the shapes the presets read: LiteLLM proxy spend logs (its Prisma schema's
 * LiteLLM_SpendLogs, as `prisma migrate` creates it in PostgreSQL) and OpenTelemetry GenAI spans in
 * the Collector ClickHouse exporter's otel_traces (attributes as Nested(keys, values) arrays, the
 * shape an 18.x server can hold), each with the canonical records the file source reads for them.
 */
import { computeCost } from '../../src/records/pricing.js'
import type { Price } from '../../src/policy/types.js'
import type { RequestRecord } from '../../src/records/record.js'
import type { RunningClickHouse } from './clickhouse.js'
import type { RunningPostgres } from './postgres.js'

/** LiteLLM_SpendLogs as Prisma creates it from schema.prisma (BerriAI/litellm). */
export const LITELLM_SPEND_LOGS = `CREATE TABLE "LiteLLM_SpendLogs" (
  "request_id" TEXT NOT NULL,
  "call_type" TEXT NOT NULL,
  "api_key" TEXT NOT NULL DEFAULT '',
  "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
  "total_tokens" INTEGER NOT NULL DEFAULT 0,
  "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
  "completion_tokens" INTEGER NOT NULL DEFAULT 0,
  "startTime" TIMESTAMP(3) NOT NULL,
  "endTime" TIMESTAMP(3) NOT NULL,
  "request_duration_ms" INTEGER,
  "completionStartTime" TIMESTAMP(3),
  "model" TEXT NOT NULL DEFAULT '',
  "model_id" TEXT DEFAULT '',
  "model_group" TEXT DEFAULT '',
  "custom_llm_provider" TEXT DEFAULT '',
  "api_base" TEXT DEFAULT '',
  "user" TEXT DEFAULT '',
  "metadata" JSONB DEFAULT '{}',
  "cache_hit" TEXT DEFAULT '',
  "cache_key" TEXT DEFAULT '',
  "request_tags" JSONB DEFAULT '[]',
  "team_id" TEXT,
  "organization_id" TEXT,
  "end_user" TEXT,
  "requester_ip_address" TEXT,
  "messages" JSONB DEFAULT '{}',
  "response" JSONB DEFAULT '{}',
  "session_id" TEXT,
  "status" TEXT,
  "mcp_namespaced_tool_name" TEXT,
  "agent_id" TEXT,
  "proxy_server_request" JSONB DEFAULT '{}',
  CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs"("startTime")`

const LITELLM_ERRORS: Record<string, { cls: string; code: string }> = {
  rate_limit: { cls: 'RateLimitError', code: '429' },
  timeout: { cls: 'Timeout', code: '408' }
}

/**
 * Loads traffic as LiteLLM writes it: the arm as a `variant:` request tag and as the model group,
 * the route in the request's spend_logs_metadata, cached tokens in the usage object, failures with
 * status `failure` and the exception class, `spend` the call's cost at `pricing`. Every third row
 * lacks request_duration_ms (older proxies), so latency comes from endTime - startTime there;
 * every fifth does not stream (completionStartTime = endTime: no time to first token).
 * Returns the canonical records the file source reads for the same calls.
 */
export async function loadLiteLLM(
  db: RunningPostgres,
  records: Record<string, unknown>[],
  pricing: Record<string, Price>
): Promise<Record<string, unknown>[]> {
  await db.sql(LITELLM_SPEND_LOGS)
  const canonical: Record<string, unknown>[] = []
  let batch: Record<string, unknown>[] = []
  const flush = async () => {
    await db.sql(
      `INSERT INTO "LiteLLM_SpendLogs" SELECT * FROM jsonb_populate_recordset(NULL::"LiteLLM_SpendLogs", $1::jsonb)`,
      [JSON.stringify(batch)]
    )
    batch = []
  }
  for (const [i, r] of records.entries()) {
    const start = Date.parse(r.ts as string)
    const latency = r.latency_ms as number
    const cached = (r.prompt_tokens_details as { cached_tokens: number }).cached_tokens
    const error = r.error as string | null
    const streamed = i % 5 !== 0
    const spend = computeCost(
      {
        ts: start,
        arm: 'baseline',
        error,
        fallback: false,
        model: r.model as string,
        input_tokens: r.prompt_tokens as number,
        cache_read_tokens: cached,
        output_tokens: r.completion_tokens as number,
        raw: {}
      } satisfies RequestRecord,
      pricing
    ) as number
    const iso = (t: number) => new Date(t).toISOString()
    batch.push({
      request_id: `chatcmpl-${i}`,
      call_type: 'acompletion',
      api_key: 'hashed',
      spend,
      total_tokens: (r.prompt_tokens as number) + (r.completion_tokens as number),
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      startTime: iso(start),
      endTime: iso(start + latency),
      request_duration_ms: i % 3 === 0 ? null : latency,
      // Every fifth call does not stream: LiteLLM writes its end as the first chunk's time.
      completionStartTime: iso(streamed ? start + (r.ttft_ms as number) : start + latency),
      model: r.model,
      model_group: r.arm === 'candidate' ? 'support-canary' : 'support',
      end_user: r.user_id,
      user: 'internal-user',
      request_tags: ['team:support', `variant:${r.arm as string}`],
      metadata: {
        spend_logs_metadata: { route: r.route },
        usage_object: {
          prompt_tokens: r.prompt_tokens,
          completion_tokens: r.completion_tokens,
          prompt_tokens_details: { cached_tokens: cached }
        },
        status: error ? 'failure' : 'success',
        ...(error && {
          error_information: {
            error_class: LITELLM_ERRORS[error]?.cls,
            error_code: LITELLM_ERRORS[error]?.code,
            llm_provider: 'openai'
          }
        })
      },
      cache_hit: 'False',
      status: error ? 'failure' : 'success'
    })
    canonical.push({
      ts: r.ts,
      arm: r.arm,
      user_id: r.user_id,
      route: r.route,
      model: r.model,
      latency_ms: latency,
      ...(streamed && (r.ttft_ms as number) < latency && { ttft_ms: r.ttft_ms }),
      prompt_tokens: r.prompt_tokens,
      prompt_tokens_details: { cached_tokens: cached },
      completion_tokens: r.completion_tokens,
      cost_usd: spend,
      error
    })
    if (batch.length === 3000) await flush()
  }
  if (batch.length > 0) await flush()
  return canonical
}

/** otel_traces as the exporter's schema, with the attribute maps as Nested arrays (ClickHouse 18.x). */
export const OTEL_TRACES = `CREATE TABLE otel_traces (
  Timestamp DateTime,
  TraceId String,
  SpanId String,
  ParentSpanId String,
  SpanName String,
  SpanKind String,
  ServiceName String,
  ResourceAttributes Nested(keys String, values String),
  SpanAttributes Nested(keys String, values String),
  Duration UInt64,
  StatusCode String,
  StatusMessage String
) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, Timestamp)`

/**
 * Loads traffic as GenAI spans: the arm as the resource's service.version, usage and models as
 * gen_ai.* span attributes (strings, as the exporter writes every attribute), the time to first
 * chunk in seconds, errors as StatusCode Error with error.type; plus one HTTP span per ten calls,
 * which the preset must leave out. Timestamps are whole seconds (an 18.x DateTime). Returns the
 * canonical records the file source reads for the same spans (what otlp.ts makes of them).
 */
export async function loadOtel(
  db: RunningClickHouse,
  records: Record<string, unknown>[]
): Promise<Record<string, unknown>[]> {
  await db.sql(OTEL_TRACES)
  const canonical: Record<string, unknown>[] = []
  const lines: string[] = []
  records.forEach((r, i) => {
    const seconds = Math.floor(Date.parse(r.ts as string) / 1000)
    const cached = (r.prompt_tokens_details as { cached_tokens: number }).cached_tokens
    const ttftSeconds = String((r.ttft_ms as number) / 1000)
    const error = r.error as string | null
    const attrs: Record<string, string> = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': r.model as string,
      'gen_ai.usage.input_tokens': String(r.prompt_tokens),
      'gen_ai.usage.output_tokens': String(r.completion_tokens),
      'gen_ai.usage.cache_read.input_tokens': String(cached),
      'gen_ai.response.time_to_first_chunk': ttftSeconds,
      user_id: r.user_id as string,
      route: r.route as string,
      ...(error && { 'error.type': error })
    }
    const resource = { 'service.name': 'support-assistant', 'service.version': r.arm as string }
    lines.push(
      JSON.stringify({
        Timestamp: seconds,
        TraceId: `t${i}`,
        SpanId: `s${i}`,
        ParentSpanId: '',
        SpanName: 'chat gpt-4o',
        SpanKind: 'Client',
        ServiceName: 'support-assistant',
        'ResourceAttributes.keys': Object.keys(resource),
        'ResourceAttributes.values': Object.values(resource),
        'SpanAttributes.keys': Object.keys(attrs),
        'SpanAttributes.values': Object.values(attrs),
        Duration: (r.latency_ms as number) * 1_000_000,
        StatusCode: error ? 'Error' : 'Ok',
        StatusMessage: ''
      })
    )
    if (i % 10 === 0) {
      lines.push(
        JSON.stringify({
          Timestamp: seconds,
          TraceId: `t${i}`,
          SpanId: `h${i}`,
          ParentSpanId: '',
          SpanName: 'POST /chat',
          SpanKind: 'Server',
          ServiceName: 'support-assistant',
          'ResourceAttributes.keys': Object.keys(resource),
          'ResourceAttributes.values': Object.values(resource),
          'SpanAttributes.keys': ['http.route'],
          'SpanAttributes.values': ['/chat'],
          Duration: 5_000_000_000,
          StatusCode: 'Error',
          StatusMessage: ''
        })
      )
    }
    canonical.push({
      ts: seconds * 1000,
      ...resource,
      ...attrs,
      latency_ms: r.latency_ms,
      error: error ?? null
    })
  })
  for (let i = 0; i < lines.length; i += 20000) {
    await db.sql('INSERT INTO otel_traces FORMAT JSONEachRow', lines.slice(i, i + 20000).join('\n'))
  }
  return canonical
}
