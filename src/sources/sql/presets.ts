/**
 * Presets for schemas users already have, as mappings onto the canonical record (under the
 * policy's own `columns`, which win):
 *
 * - `litellm`: LiteLLM proxy's spend logs, table "LiteLLM_SpendLogs" in PostgreSQL (its Prisma
 *   schema, schema.prisma in BerriAI/litellm): "startTime", "endTime", "completionStartTime",
 *   request_duration_ms, model, spend, prompt_tokens, completion_tokens, end_user, status,
 *   metadata (jsonb: usage_object / additional_usage_values with the cache tokens,
 *   error_information with the error class), request_tags (jsonb array), model_group.
 *   The arm is the policy's to say: `columns: { arm: model_group }` or
 *   `columns: { arm: { column: request_tags, tagPrefix: "variant:" } }`.
 * - `otel`: OpenTelemetry GenAI spans in the Collector ClickHouse exporter's `otel_traces`
 *   (Timestamp, Duration in ns, StatusCode, SpanAttributes and ResourceAttributes maps): only
 *   spans with a `gen_ai.*` attribute, every other field read as a span attribute, else a
 *   resource attribute, exactly as the file source reads an OTLP export (src/sources/file/otlp.ts).
 *   The exporter's Map columns need ClickHouse 21.1 or later; older servers (Debian's 18.16) read
 *   the same attributes from Nested(keys, values) arrays when the table has them.
 */
import type { SqlColumnSpec, SqlSourceSpec } from '../../policy/types.js'
import type { ColumnType, Dialect } from './dialect.js'
import type { PresetFields, TableInfo } from './fieldResolver.js'
import type { SqlValue } from './values.js'

export interface Preset extends PresetFields {
  /** An extra condition on the source's rows (level 1's WHERE). */
  where?: string
  /** Why the preset cannot read this table (shown as the source's error). */
  problems: string[]
  /** Notes for the evidence (how the preset read things). */
  notes: string[]
}

export function presetFor(
  name: NonNullable<SqlSourceSpec['preset']>,
  d: Dialect,
  info: TableInfo
): Preset {
  return name === 'litellm' ? litellm(d, info) : otel(d, info)
}

const TEXT = { kind: 'text', name: 'text' } as const

/** LiteLLM exception classes (litellm/exceptions.py) -> the canonical error classes. */
const LITELLM_ERRORS: Record<string, string> = {
  RateLimitError: 'rate_limit',
  Timeout: 'timeout',
  APITimeoutError: 'timeout',
  ContentPolicyViolationError: 'content_filter',
  BadRequestError: 'client',
  AuthenticationError: 'client',
  PermissionDeniedError: 'client',
  NotFoundError: 'client',
  UnprocessableEntityError: 'client',
  ContextWindowExceededError: 'client',
  UnsupportedParamsError: 'client',
  InvalidRequestError: 'client',
  BudgetExceededError: 'client',
  APIConnectionError: 'server',
  APIError: 'server',
  APIResponseValidationError: 'server',
  InternalServerError: 'server',
  ServiceUnavailableError: 'server',
  BadGatewayError: 'server',
  MidStreamFallbackError: 'server'
}

function litellm(d: Dialect, info: TableInfo): Preset {
  const has = (c: string) => info.columns.has(c)
  const problems = ['startTime', 'model']
    .filter(c => !has(c))
    .map(c => `the litellm preset expects column "${c}" of LiteLLM_SpendLogs`)
  const usage = (path: string): SqlColumnSpec[] => [
    { column: `metadata.usage_object.${path}` },
    { column: `metadata.additional_usage_values.${path}` }
  ]
  const columns: Record<string, SqlColumnSpec> = {
    ts: { column: 'startTime' },
    latency_ms: {
      firstOf: [
        ...(has('request_duration_ms') ? [{ column: 'request_duration_ms' }] : []),
        { between: ['startTime', 'endTime'] }
      ]
    },
    // prompt_tokens (OpenAI's convention, cached tokens included) is read as the canonical alias.
    cache_read_tokens: {
      firstOf: [
        ...usage('prompt_tokens_details.cached_tokens'),
        ...usage('cache_read_input_tokens')
      ]
    },
    cache_write_tokens: { firstOf: usage('cache_creation_input_tokens') },
    cost_usd: { column: 'spend' },
    unit: { column: 'end_user' }
  }
  const values: Record<string, SqlValue> = {}
  // LiteLLM sets completionStartTime to endTime for calls that do not stream: a time to first
  // token only when the first chunk came before the end (src/records/litellm.ts, the same rule).
  if (has('startTime') && has('completionStartTime') && has('endTime')) {
    const ms = (c: string) => d.epochMs(d.ident(c), info.columns.get(c) as ColumnType)
    const [start, first, end] = ['startTime', 'completionStartTime', 'endTime'].map(ms)
    values.ttft_ms = {
      sql: `CASE WHEN ${first} >= ${start} AND ${first} < ${end} THEN ${first} - ${start} END`,
      kind: 'number',
      type: { kind: 'number', name: 'double' }
    }
  }
  if (has('metadata') || has('status'))
    values.error = litellmError(d, has('status'), has('metadata'))
  return {
    columns,
    values,
    problems,
    notes: [
      'litellm preset: latency from request_duration_ms or endTime - startTime, cost from spend, errors from status and metadata.error_information'
    ]
  }
}

/** The error class of a spend-log row: NULL on success, the canonical class of the exception otherwise. */
function litellmError(d: Dialect, status: boolean, metadata: boolean): SqlValue {
  const m = d.ident('metadata')
  const failed = [
    ...(status ? [`${d.ident('status')} = 'failure'`] : []),
    ...(metadata
      ? [`${m} #>> '{status}' = 'failure'`, `jsonb_typeof(${m} -> 'error_information') = 'object'`]
      : [])
  ].join(' OR ')
  const cls = metadata ? `(${m} #>> '{error_information,error_class}')` : 'NULL::text'
  const code = metadata ? `(${m} #>> '{error_information,error_code}')` : 'NULL::text'
  const known = Object.entries(LITELLM_ERRORS)
    .map(([name, canonical]) => `WHEN ${d.text(name)} THEN ${d.text(canonical)}`)
    .join(' ')
  const byCode = `CASE WHEN ${code} = '429' THEN 'rate_limit' WHEN ${code} = '408' THEN 'timeout' WHEN ${code} ~ '^4[0-9][0-9]$' THEN 'client' WHEN ${code} ~ '^5[0-9][0-9]$' THEN 'server' END`
  return {
    sql: `CASE WHEN ${failed} THEN coalesce(CASE ${cls} ${known} END, ${byCode}, nullif(lower(${cls}), ''), 'server') END`,
    kind: 'text',
    type: TEXT
  }
}

function otel(d: Dialect, info: TableInfo): Preset {
  const problems: string[] = []
  const attrs = (column: string): ((key: string) => string) | undefined => {
    const type = info.columns.get(column)
    if (type?.kind === 'map') return key => `${d.ident(column)}[${d.text(key)}]`
    const keys = info.columns.get(`${column}.keys`)
    const values = info.columns.get(`${column}.values`)
    if (keys?.kind === 'array' && values?.kind === 'array') {
      return key =>
        `arrayElement(${d.ident(`${column}.values`)}, indexOf(${d.ident(`${column}.keys`)}, ${d.text(key)}))`
    }
    return undefined
  }
  const span = attrs('SpanAttributes')
  const resource = attrs('ResourceAttributes')
  if (!span) {
    const map = info.features.map
      ? ''
      : ` (this server, ClickHouse ${info.version}, has no Map type: the Collector's exporter needs 21.1 or later; on an older server store the attributes as Nested(keys String, values String))`
    problems.push(
      `the otel preset reads span attributes from column SpanAttributes, a Map or Nested(keys, values)${map}`
    )
  }
  for (const c of ['Timestamp', 'Duration']) {
    if (!info.columns.has(c))
      problems.push(`the otel preset expects column ${c} of the exporter's otel_traces`)
  }
  const attribute = (key: string): string => {
    const own = span ? `nullif(${span(key)}, '')` : d.nullText()
    return resource ? `coalesce(${own}, nullif(${resource(key)}, ''))` : own
  }
  const keys =
    info.columns.get('SpanAttributes')?.kind === 'map'
      ? `mapKeys(${d.ident('SpanAttributes')})`
      : d.ident('SpanAttributes.keys')
  const status = info.columns.has('StatusCode')
    ? `${d.ident('StatusCode')} IN ('Error', 'STATUS_CODE_ERROR')`
    : '0'
  const errorType = attribute('error.type')
  const duration = info.columns.has('Duration')
    ? `toFloat64(${d.ident('Duration')}) / 1e6`
    : d.nullFloat()
  const values: Record<string, SqlValue> = {
    // otlp.ts: an attribute latency_ms wins over the span's end - start.
    latency_ms: {
      sql: `coalesce(${d.parseNumber(d.trim(attribute('latency_ms')))}, ${duration})`,
      kind: 'number',
      type: { kind: 'number', name: 'Float64' }
    },
    error: {
      sql: `CASE WHEN ${status} OR ${errorType} IS NOT NULL THEN coalesce(${errorType}, 'server') END`,
      kind: 'text',
      type: TEXT
    }
  }
  return {
    columns: { ts: { column: 'Timestamp' } },
    values,
    fallback: name => ({ sql: attribute(name), kind: 'text', type: TEXT }),
    ...(span && { where: `arrayExists(k -> startsWith(k, 'gen_ai.'), ${keys})` }),
    problems,
    notes: [
      'otel preset: spans with a gen_ai.* attribute; fields from span attributes, then resource attributes'
    ]
  }
}
