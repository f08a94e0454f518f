/**
 * How tracing conventions name an LLM call's fields, mapped onto the canonical record
 * (DESIGN.md). A span's convention is chosen by what it carries (spanConvention); its table gives,
 * per canonical field, the attributes to read, the first present winning. Checked against:
 *
 * - OpenTelemetry GenAI semantic conventions (open-telemetry/semantic-conventions up to v1.60,
 *   where `gen_ai.*` moved to open-telemetry/semantic-conventions-genai): the registry
 *   (`docs/registry/attributes/gen-ai.md`, `openai.md`) and `model/gen-ai/deprecated`; as emitted
 *   by @opentelemetry/instrumentation-openai 0.21.0.
 * - Its previous names: `gen_ai.usage.prompt_tokens` / `completion_tokens` (to v1.26),
 *   `gen_ai.openai.response.system_fingerprint` (to v1.36, now `openai.response.system_fingerprint`).
 * - OpenLLMetry (traceloop/openllmetry `opentelemetry-semantic-conventions-ai` 0.5 and its
 *   MIGRATION.md; traceloop/openllmetry-js `@traceloop/ai-semantic-conventions` 0.27): the
 *   underscore cache names `gen_ai.usage.cache_read_input_tokens` /
 *   `gen_ai.usage.cache_creation_input_tokens`, `gen_ai.openai.system_fingerprint`, and the `llm.*`
 *   names it used before April 2024 (`llm.usage.prompt_tokens`, `llm.response.model`); as emitted
 *   by @traceloop/instrumentation-openai 0.22.5 and 0.27.0.
 * - OpenInference (Arize-ai/openinference `spec/semantic_conventions.md`, `spec/llm_spans.md`):
 *   `llm.token_count.*`, `llm.model_name` (the served model when known, else the requested one),
 *   `llm.cost.total`, `user.id`, `session.id`, `metadata` (a JSON string); as emitted by
 *   @arizeai/openinference-instrumentation-openai 4.2.7.
 *
 * Token counts are read as the conventions define them: input tokens include cached ones
 * (OpenTelemetry: "SHOULD include all types of input tokens, including cached tokens"; OpenInference
 * and OpenLLMetry record OpenAI's `prompt_tokens`, which does).
 */
export type Convention = 'otel-genai' | 'openllmetry' | 'openinference'

/** Canonical record keys a span convention fills (the normalizer reads them like any row's). */
type Target =
  | 'input_tokens'
  | 'output_tokens'
  | 'cache_read_tokens'
  | 'cache_write_tokens'
  | 'model'
  | 'fingerprint'
  | 'ttft_ms'
  | 'cost_usd'
  | 'user_id'
  | 'session_id'

interface Mapping {
  /** Attributes to read, in order; the first present wins. */
  from: readonly string[]
  /** Multiply by this (seconds to milliseconds). */
  scale?: number
}

/** OpenTelemetry GenAI, current names (semantic-conventions-genai; v1.37+ in the main repo). */
const OTEL_GENAI: Partial<Record<Target, Mapping>> = {
  input_tokens: { from: ['gen_ai.usage.input_tokens'] },
  output_tokens: { from: ['gen_ai.usage.output_tokens'] },
  cache_read_tokens: { from: ['gen_ai.usage.cache_read.input_tokens'] },
  cache_write_tokens: { from: ['gen_ai.usage.cache_creation.input_tokens'] },
  // gen_ai.request.model last: a failed call has no response (the model check leaves it out).
  model: { from: ['gen_ai.response.model', 'gen_ai.request.model'] },
  fingerprint: { from: ['openai.response.system_fingerprint'] },
  ttft_ms: { from: ['gen_ai.response.time_to_first_chunk'], scale: 1000 },
  user_id: { from: ['user.id', 'enduser.id'] },
  session_id: { from: ['session.id', 'gen_ai.conversation.id'] }
}

/** OpenTelemetry GenAI, names of v1.36 and before (deprecated, still emitted). */
const OTEL_GENAI_PREVIOUS: Partial<Record<Target, Mapping>> = {
  input_tokens: { from: ['gen_ai.usage.prompt_tokens'] },
  output_tokens: { from: ['gen_ai.usage.completion_tokens'] },
  fingerprint: { from: ['gen_ai.openai.response.system_fingerprint'] }
}

/** OpenLLMetry's own names (Traceloop), on top of the OpenTelemetry ones it shares. */
const OPENLLMETRY: Partial<Record<Target, Mapping>> = {
  input_tokens: { from: ['llm.usage.prompt_tokens'] },
  output_tokens: { from: ['llm.usage.completion_tokens'] },
  cache_read_tokens: { from: ['gen_ai.usage.cache_read_input_tokens'] },
  cache_write_tokens: { from: ['gen_ai.usage.cache_creation_input_tokens'] },
  model: { from: ['llm.response.model', 'llm.request.model'] },
  fingerprint: { from: ['gen_ai.openai.system_fingerprint'] }
}

const OPENINFERENCE: Partial<Record<Target, Mapping>> = {
  input_tokens: { from: ['llm.token_count.prompt'] },
  output_tokens: { from: ['llm.token_count.completion'] },
  cache_read_tokens: { from: ['llm.token_count.prompt_details.cache_read'] },
  cache_write_tokens: { from: ['llm.token_count.prompt_details.cache_write'] },
  model: { from: ['llm.response.model_name', 'llm.model_name', 'llm.request.model_name'] },
  cost_usd: { from: ['llm.cost.total'] },
  user_id: { from: ['user.id'] },
  session_id: { from: ['session.id'] }
}

/** The tables each convention reads, in order (an earlier table's attribute wins). */
export const SPAN_CONVENTIONS: Record<Convention, readonly Partial<Record<Target, Mapping>>[]> = {
  'otel-genai': [OTEL_GENAI, OTEL_GENAI_PREVIOUS, OPENLLMETRY],
  openllmetry: [OTEL_GENAI, OTEL_GENAI_PREVIOUS, OPENLLMETRY],
  openinference: [OPENINFERENCE]
}

/** GenAI operations that are not a call to a model (agents, tools, workflows, retrieval). */
const NOT_CALLS = new Set([
  'invoke_agent',
  'create_agent',
  'execute_tool',
  'invoke_workflow',
  'retrieval',
  'guardrail.run',
  'guard'
])
/** OpenLLMetry's workflow spans (traceloop.span.kind) around the calls. */
const TRACELOOP_NOT_CALLS = new Set(['workflow', 'task', 'agent', 'tool'])
/** OpenInference span kinds that are calls to a model. */
const OPENINFERENCE_CALLS = new Set(['LLM', 'EMBEDDING'])
/** Attributes only OpenLLMetry writes (besides `traceloop.*`). */
const OPENLLMETRY_MARKS = [
  'llm.request.type',
  'llm.usage.total_tokens',
  'gen_ai.usage.prompt_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.vendor'
]

/**
 * The convention of a span that is one call to a model, from its own attributes; undefined for
 * any other span (an agent, a tool, a workflow step, a retrieval, a plain HTTP or DB span).
 * OpenInference: `openinference.span.kind` LLM or EMBEDDING. OpenTelemetry GenAI and OpenLLMetry:
 * a `gen_ai.*` attribute (or OpenLLMetry's older `llm.*` ones), unless `gen_ai.operation.name`
 * (or `llm.request.type`) names an agent, tool, workflow or retrieval step.
 */
export function spanConvention(attrs: Record<string, unknown>): Convention | undefined {
  const kind = attrs['openinference.span.kind']
  if (kind !== undefined) {
    return typeof kind === 'string' && OPENINFERENCE_CALLS.has(kind.toUpperCase())
      ? 'openinference'
      : undefined
  }
  let genAi = false
  let traceloop = false
  for (const key in attrs) {
    if (key.startsWith('gen_ai.')) genAi = true
    else if (key.startsWith('traceloop.')) traceloop = true
    else if (key.startsWith('llm.')) genAi = true
  }
  if (!genAi) return undefined
  const operation = attrs['gen_ai.operation.name'] ?? attrs['llm.request.type']
  if (typeof operation === 'string' && NOT_CALLS.has(operation)) return undefined
  const step = attrs['traceloop.span.kind']
  if (typeof step === 'string' && TRACELOOP_NOT_CALLS.has(step)) return undefined
  return traceloop || OPENLLMETRY_MARKS.some(k => attrs[k] !== undefined)
    ? 'openllmetry'
    : 'otel-genai'
}

/**
 * Writes the canonical keys the span's convention maps (input_tokens, model, ...) into `row`,
 * where the row does not have them already (an attribute named like the canonical field wins).
 * OpenInference spans carry no fingerprint attribute; the OpenAI answer in `output.value` (JSON)
 * does, and is read for it.
 */
export function applySpanConvention(row: Record<string, unknown>, convention: Convention): void {
  for (const table of SPAN_CONVENTIONS[convention]) {
    for (const target in table) {
      if (row[target] !== undefined) continue
      const mapping = table[target as Target] as Mapping
      for (const attr of mapping.from) {
        const v = row[attr]
        if (v === undefined || v === null || v === '') continue
        row[target] = mapping.scale !== undefined && typeof v === 'number' ? v * mapping.scale : v
        break
      }
    }
  }
  if (convention === 'openinference' && row.fingerprint === undefined) {
    const fingerprint = jsonStringField(row['output.value'], 'system_fingerprint')
    if (fingerprint !== undefined) row.fingerprint = fingerprint
  }
}

/** A top-level string field of a JSON text, found without parsing the whole text. */
function jsonStringField(text: unknown, key: string): string | undefined {
  if (typeof text !== 'string' || !text.includes(`"${key}"`)) return undefined
  const match = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(text)
  return match?.[1]
}

/**
 * Instrumentation libraries whose behaviour the gate knows, by their OTLP instrumentation scope
 * name. `failedCalls: false`: the library emits no span for a call that failed (it ends the span
 * only when the answer arrives), so an error rate is not observable from its traces. Verified by
 * scripts/make-instrumentation-fixtures.ts against the versions listed.
 */
export interface KnownInstrumentation {
  scope: string
  convention: Convention
  failedCalls: boolean
  checked: string
}

export const KNOWN_INSTRUMENTATIONS: readonly KnownInstrumentation[] = [
  {
    scope: '@opentelemetry/instrumentation-openai',
    convention: 'otel-genai',
    failedCalls: true,
    checked: '0.21.0'
  },
  {
    scope: '@traceloop/instrumentation-openai',
    convention: 'openllmetry',
    failedCalls: false,
    checked: '0.22.5, 0.27.0'
  },
  {
    scope: '@arizeai/openinference-instrumentation-openai',
    convention: 'openinference',
    failedCalls: false,
    checked: '4.2.7'
  }
]

export function knownInstrumentation(scope: string): KnownInstrumentation | undefined {
  return KNOWN_INSTRUMENTATIONS.find(k => k.scope === scope)
}
