/**
 * LiteLLM's own records, read as request records without a mapping: the proxy's spend-log rows
 * (table `LiteLLM_SpendLogs`, exported as JSONL or CSV, or read from PostgreSQL) and the callback
 * payload every logging integration receives (`StandardLoggingPayload`, in a custom callback's
 * `kwargs["standard_logging_object"]` or a generic logger's JSON). Field names checked against
 * BerriAI/litellm: `schema.prisma` (model LiteLLM_SpendLogs), `litellm/proxy/_types.py`
 * (SpendLogsMetadata, SpendLogsPayload) and `litellm/types/utils.py` (StandardLoggingPayload,
 * StandardLoggingPayloadErrorInformation, StandardLoggingHiddenParams).
 *
 * The one place these names live: the file source reads them here (liteLlmRow), and a SQL preset
 * for the spend-log table can select LITELLM_SPEND_LOG_COLUMNS and hand the rows to the same
 * normalizer.
 */
import { asObject } from './path.js'

/** Columns of LiteLLM_SpendLogs the gate reads (schema.prisma). */
export const LITELLM_SPEND_LOG_COLUMNS = [
  'request_id',
  'call_type',
  'startTime',
  'endTime',
  'completionStartTime',
  'request_duration_ms',
  'model',
  'model_group',
  'model_id',
  'custom_llm_provider',
  'api_base',
  'spend',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cache_hit',
  'metadata',
  'request_tags',
  'team_id',
  'end_user',
  'session_id',
  'status',
  'response'
] as const

/** Fields of StandardLoggingPayload the gate reads (litellm/types/utils.py). */
export const LITELLM_PAYLOAD_FIELDS = [
  'id',
  'trace_id',
  'call_type',
  'stream',
  'startTime',
  'endTime',
  'completionStartTime',
  'response_time',
  'model',
  'model_group',
  'model_id',
  'custom_llm_provider',
  'response_cost',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cache_hit',
  'metadata',
  'request_tags',
  'end_user',
  'status',
  'error_str',
  'error_information',
  'hidden_params',
  'response'
] as const

/**
 * How each canonical field is read from a LiteLLM row (for the README and for a field check):
 * `metadata.usage_object` is SpendLogsMetadata's and StandardLoggingMetadata's usage (OpenAI's
 * shape, plus Anthropic's cache counts); `additional_usage_values` the older spend-log home of
 * the cache counts.
 */
export const LITELLM_FIELD_SOURCES: Record<string, string> = {
  ts: 'startTime (DateTime in the table, epoch seconds in the payload)',
  latency_ms: 'request_duration_ms, else endTime - startTime, else response_time (s)',
  ttft_ms: 'completionStartTime - startTime, when before endTime (a streamed answer)',
  input_tokens: 'prompt_tokens (cached tokens included, as LiteLLM normalises every provider)',
  output_tokens: 'completion_tokens',
  cache_read_tokens:
    'metadata.usage_object (or hidden_params.usage_object, metadata.additional_usage_values): prompt_tokens_details.cached_tokens, else cache_read_input_tokens',
  cache_write_tokens:
    'the same objects: cache_creation_input_tokens, else prompt_tokens_details.cache_creation_tokens',
  model: 'model (the deployment that served the call; model_group is the public name)',
  fingerprint: 'response.system_fingerprint (only when the proxy stores responses)',
  cost_usd: 'spend (table) or response_cost (payload)',
  error:
    "status 'failure': error_information (error_class, else error_code), else the class of error_str",
  unit: 'end_user, else session_id'
}

/**
 * Whether a row without the canonical `ts` is one of LiteLLM's: `startTime` with a spend-log or
 * payload field beside it.
 */
export function isLiteLlmRow(raw: Record<string, unknown>): boolean {
  return (
    raw.startTime !== undefined &&
    (raw.spend !== undefined ||
      raw.response_cost !== undefined ||
      raw.model_group !== undefined ||
      raw.call_type !== undefined)
  )
}

/**
 * Adds the canonical keys of a LiteLLM row (see LITELLM_FIELD_SOURCES) where the row lacks them;
 * `time` reads a timestamp as epoch ms (the normalizer's parser). The row is changed in place and
 * keeps every original field for segments (`model_group`, `metadata.*`, `request_tags`, ...).
 */
export function liteLlmRow(
  raw: Record<string, unknown>,
  time: (v: unknown) => number | undefined
): void {
  const start = time(raw.startTime)
  const end = time(raw.endTime)
  const first = time(raw.completionStartTime)
  set(raw, 'ts', raw.startTime)
  const duration = raw.request_duration_ms
  if (typeof duration === 'number' && duration >= 0) set(raw, 'latency_ms', duration)
  else if (ok(start) && ok(end) && end >= start) set(raw, 'latency_ms', end - start)
  else if (typeof raw.response_time === 'number') set(raw, 'latency_ms', raw.response_time * 1000)
  if (ok(start) && ok(first) && ok(end) && first >= start && first < end) {
    set(raw, 'ttft_ms', first - start)
  }
  set(raw, 'cost_usd', raw.spend ?? raw.response_cost)
  const metadata = asObject(raw.metadata)
  const hidden = asObject(raw.hidden_params)
  const usages = [
    asObject(metadata?.usage_object),
    asObject(hidden?.usage_object),
    asObject(metadata?.additional_usage_values)
  ]
  for (const usage of usages) {
    if (usage === undefined) continue
    const details = asObject(usage.prompt_tokens_details)
    set(raw, 'cache_read_tokens', details?.cached_tokens ?? usage.cache_read_input_tokens)
    set(
      raw,
      'cache_write_tokens',
      usage.cache_creation_input_tokens ?? details?.cache_creation_tokens
    )
  }
  set(raw, 'fingerprint', asObject(raw.response)?.system_fingerprint)
  set(raw, 'user_id', raw.end_user)
  if (raw.status === 'failure' && raw.error === undefined) {
    const info = asObject(raw.error_information) ?? asObject(metadata?.error_information)
    raw.error = info ?? (typeof raw.error_str === 'string' ? { message: raw.error_str } : true)
  }
}

function set(raw: Record<string, unknown>, key: string, value: unknown): void {
  if (raw[key] === undefined && value !== undefined && value !== null && value !== '') {
    raw[key] = value
  }
}

const ok = (v: number | undefined): v is number => v !== undefined && v === v
