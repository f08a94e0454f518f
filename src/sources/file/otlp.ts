/**
 * OTLP/JSON trace exports (the OpenTelemetry protocol's JSON encoding, as the Collector's file
 * exporter writes it: one ExportTraceServiceRequest per line, or one per file). Each span that
 * carries a `gen_ai.*` attribute (OpenTelemetry GenAI semantic conventions) is one LLM call.
 */
import { LazyText } from '../textSample.js'

interface KeyValue {
  key?: unknown
  value?: unknown
}

/** STATUS_CODE_ERROR in opentelemetry/proto/trace/v1/trace.proto; JSON encodes enums as integers. */
const STATUS_CODE_ERROR = 2

export function isOtlpDocument(value: object): boolean {
  return (value as { resourceSpans?: unknown }).resourceSpans !== undefined
}

/**
 * Calls `emit` with a raw row per GenAI span of an OTLP document: the span's attributes, then its
 * resource's for keys the span lacks, as flat dotted keys; `ts` (ms) from startTimeUnixNano,
 * `latency_ms` from end - start, and `error` from the span status (STATUS_CODE_ERROR: the
 * `error.type` attribute, else 'server'; otherwise null).
 */
export function forEachGenAiSpan(
  document: object,
  emit: (raw: Record<string, unknown>) => void,
  /** Also map the message content to `input` / `output` (only a judge reads them). */
  withContent = false
): void {
  for (const resourceSpans of arrayOf((document as Record<string, unknown>).resourceSpans)) {
    const resource = attributes(field(field(resourceSpans, 'resource'), 'attributes'))
    // scopeSpans since OTLP 0.15; instrumentationLibrarySpans before it.
    const scopes = [
      ...arrayOf(field(resourceSpans, 'scopeSpans')),
      ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
    ]
    for (const scope of scopes) {
      for (const span of arrayOf(field(scope, 'spans'))) {
        const own = attributes(field(span, 'attributes'))
        if (!Object.keys(own).some(key => key.startsWith('gen_ai.'))) continue
        emit(spanRow(span, own, resource, withContent))
      }
    }
  }
}

function spanRow(
  span: unknown,
  own: Record<string, unknown>,
  resource: Record<string, unknown>,
  withContent: boolean
): Record<string, unknown> {
  const row: Record<string, unknown> = { ...resource, ...own }
  const start = nanos(field(span, 'startTimeUnixNano'))
  const end = nanos(field(span, 'endTimeUnixNano'))
  if (start !== undefined) row.ts = Number(start) / 1e6
  if (start !== undefined && end !== undefined && end >= start && row.latency_ms === undefined) {
    row.latency_ms = Number(end - start) / 1e6
  }
  if (withContent && row.input === undefined) row.input = content(span, own, 'input')
  if (withContent && row.output === undefined) row.output = content(span, own, 'output')
  const code = field(field(span, 'status'), 'code')
  const failed = code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR'
  const errorType = own['error.type']
  row.error = failed || errorType !== undefined ? (errorType ?? 'server') : null
  return row
}

/**
 * The prompt or the answer of a GenAI span, for the judge, rendered only when read (LazyText).
 * Semantic conventions v1.37+ put the messages in `gen_ai.input.messages` / `gen_ai.output.messages`
 * (JSON schemas gen-ai-input-messages.json / gen-ai-output-messages.json: `[{ role, parts: [{ type:
 * 'text', content }, ...] }]`), structured or as a JSON string, on the span or on its
 * `gen_ai.client.inference.operation.details` event; up to v1.27 the `gen_ai.content.prompt` /
 * `gen_ai.content.completion` events carried `gen_ai.prompt` / `gen_ai.completion`. The span's own
 * attributes win over its events. `gen_ai.system_instructions` is left out of the input: the same
 * question under a changed system prompt is still the same input to compare the arms on.
 */
function content(
  span: unknown,
  own: Record<string, unknown>,
  which: 'input' | 'output'
): LazyText | undefined {
  const key = which === 'input' ? 'gen_ai.input.messages' : 'gen_ai.output.messages'
  const legacy = which === 'input' ? 'gen_ai.prompt' : 'gen_ai.completion'
  const events = arrayOf(field(span, 'events'))
  // `own` lacks structured values (arrays, key-value lists): look at the span's list for those.
  const onSpan =
    own[key] !== undefined ||
    own[legacy] !== undefined ||
    (arrayOf(field(span, 'attributes')) as KeyValue[]).some(kv => kv?.key === key)
  if (!onSpan && events.length === 0) return undefined
  return new LazyText(() => {
    const lists = [
      rawAttributes(field(span, 'attributes')),
      ...events.map(e => rawAttributes(field(e, 'attributes')))
    ]
    for (const attrs of lists) {
      const messages = attrs.get(key)
      if (messages !== undefined) return renderMessages(decoded(messages), which)
      const old = anyValue(attrs.get(legacy))
      if (typeof old === 'string' && old !== '') return old
    }
    return undefined
  })
}

function rawAttributes(list: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const kv of arrayOf(list) as KeyValue[]) {
    if (typeof kv?.key === 'string') out.set(kv.key, kv.value)
  }
  return out
}

/** A whole AnyValue as plain JSON (arrays and key-value lists too); a JSON string is parsed. */
function decoded(v: unknown): unknown {
  const any = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>
  if (any.arrayValue !== undefined) return arrayOf(field(any.arrayValue, 'values')).map(decoded)
  if (any.kvlistValue !== undefined) {
    const out: Record<string, unknown> = {}
    for (const kv of arrayOf(field(any.kvlistValue, 'values')) as KeyValue[]) {
      if (typeof kv?.key === 'string') out[kv.key] = decoded(kv.value)
    }
    return out
  }
  const value = anyValue(v)
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value // plain text
  }
}

/**
 * Messages as text: the input's messages one per line, `role: text` (a lone message as its text
 * alone); the output's first message (the first choice). Non-text parts are named in brackets.
 */
function renderMessages(messages: unknown, which: 'input' | 'output'): string | undefined {
  if (typeof messages === 'string') return messages
  if (!Array.isArray(messages)) return undefined
  const texts = messages.map(m => ({ role: field(m, 'role'), text: messageText(m) }))
  if (which === 'output' || texts.length === 1) return texts[0]?.text
  return texts.map(t => `${typeof t.role === 'string' ? t.role : 'message'}: ${t.text}`).join('\n')
}

function messageText(message: unknown): string {
  const plain = field(message, 'content')
  if (typeof plain === 'string') return plain
  return arrayOf(field(message, 'parts'))
    .map(part => {
      const type = field(part, 'type')
      const text = field(part, 'content')
      if (type === 'text' && typeof text === 'string') return text
      if (type === 'tool_call') {
        return `[tool call ${String(field(part, 'name'))} ${JSON.stringify(field(part, 'arguments') ?? null)}]`
      }
      if (type === 'tool_call_response') {
        return `[tool result ${JSON.stringify(field(part, 'result') ?? null)}]`
      }
      return `[${typeof type === 'string' ? type : 'part'}]`
    })
    .join('\n')
}

/** KeyValue list -> flat record, values from AnyValue (common/v1/common.proto). */
function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const kv of arrayOf(list) as KeyValue[]) {
    if (typeof kv?.key !== 'string') continue
    const value = anyValue(kv.value)
    if (value !== undefined) out[kv.key] = value
  }
  return out
}

function anyValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return undefined
  const any = v as Record<string, unknown>
  if (any.stringValue !== undefined) return any.stringValue
  // int64 is a decimal string in the JSON encoding; some exporters write a number.
  if (any.intValue !== undefined) return Number(any.intValue)
  if (any.doubleValue !== undefined) return Number(any.doubleValue)
  if (any.boolValue !== undefined) return any.boolValue
  return undefined
}

function nanos(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.round(v)) : undefined
  if (typeof v !== 'string' || v === '') return undefined
  try {
    return BigInt(v)
  } catch {
    return undefined
  }
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}
