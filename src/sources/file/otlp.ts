/**
 * OTLP/JSON trace exports (the OpenTelemetry protocol's JSON encoding, as the Collector's file
 * exporter writes it: one ExportTraceServiceRequest per line, or one per file). Each span that is
 * a call to a model, in any of the tracing conventions records/conventions.ts knows (OpenTelemetry
 * GenAI, OpenLLMetry, OpenInference), is one LLM call; its convention's attributes are mapped to
 * the canonical record's names.
 */
import { messageClass } from '../../records/errorClass.js'
import { applySpanConvention, spanConvention } from '../../records/conventions.js'
import { readPath } from '../../records/path.js'
import { LazyText } from '../textSample.js'

interface KeyValue {
  key?: unknown
  value?: unknown
}

/** STATUS_CODE_ERROR in opentelemetry/proto/trace/v1/trace.proto; JSON encodes enums as integers. */
const STATUS_CODE_ERROR = 2
/** Ancestors followed up from a span, at most (a cycle in broken data ends here). */
const MAX_DEPTH = 64

export function isOtlpDocument(value: object): boolean {
  return (value as { resourceSpans?: unknown }).resourceSpans !== undefined
}

export interface SpanReadOptions {
  /** Also map the message content to `input` / `output` (only a judge reads them). */
  withContent: boolean
  /**
   * Keys the policy identifies a call by (the arm, the unit, segment dimensions): when neither
   * the span nor its resource has one, it is looked up in the span's ancestors within the same
   * document (nearest first), where teams often set it on a root span.
   */
  inherit: readonly string[]
}

/** What a document held: every span, and the calls among them. */
export interface SpanCounts {
  spans: number
  calls: number
}

/**
 * Calls `emit` with a raw row per call span of an OTLP document: the span's attributes, then its
 * resource's for keys the span lacks, then inherited keys from its ancestors, as flat dotted keys;
 * the canonical keys its convention maps; `ts` (ms) from startTimeUnixNano, `latency_ms` from
 * end - start, and `error` from the span status: STATUS_CODE_ERROR (or an `error.type`) is an
 * error named by `error.type`, else by the `exception.type` of its exception event, else by the
 * class of its HTTP status or status message; otherwise null. `onCall` hears each call span's
 * instrumentation scope and whether it failed.
 */
export function forEachCallSpan(
  document: object,
  emit: (raw: Record<string, unknown>) => void,
  opts: SpanReadOptions,
  onCall?: (scope: string, version: string | undefined, failed: boolean) => void
): SpanCounts {
  const counts: SpanCounts = { spans: 0, calls: 0 }
  let ancestry: Ancestry | undefined
  for (const resourceSpans of arrayOf((document as Record<string, unknown>).resourceSpans)) {
    const resource = attributes(field(field(resourceSpans, 'resource'), 'attributes'))
    // scopeSpans since OTLP 0.15; instrumentationLibrarySpans before it.
    const scopes = [
      ...arrayOf(field(resourceSpans, 'scopeSpans')),
      ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
    ]
    for (const scope of scopes) {
      const library = field(scope, 'scope') ?? field(scope, 'instrumentationLibrary')
      const scopeName = stringOr(field(library, 'name'), '(unnamed scope)')
      const scopeVersion = stringOr(field(library, 'version'), undefined)
      for (const span of arrayOf(field(scope, 'spans'))) {
        counts.spans++
        const own = attributes(field(span, 'attributes'))
        const convention = spanConvention(own)
        if (convention === undefined) continue
        counts.calls++
        const row = spanRow(span, own, resource, opts.withContent)
        applySpanConvention(row, convention)
        for (const key of opts.inherit) {
          if (readPath(row, key) !== undefined) continue
          ancestry ??= new Ancestry(document)
          const inherited = ancestry.lookup(span, key)
          if (inherited !== undefined) row[key] = inherited
        }
        onCall?.(scopeName, scopeVersion, row.error !== null)
        emit(row)
      }
    }
  }
  return counts
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
  const status = field(span, 'status')
  const code = field(status, 'code')
  const failed = code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR'
  const errorType = own['error.type']
  row.error = errorType !== undefined ? errorType : failed ? failureName(span, own, status) : null
  return row
}

/**
 * What a failed span says about its failure, for the error taxonomy (records/errorClass.ts): its
 * exception event's `exception.type`, else its HTTP status, else the class of its status message
 * (never the message itself: it may quote a prompt).
 */
function failureName(span: unknown, own: Record<string, unknown>, status: unknown): unknown {
  for (const event of arrayOf(field(span, 'events'))) {
    if (field(event, 'name') !== 'exception') continue
    const type = attributes(field(event, 'attributes'))['exception.type']
    if (typeof type === 'string' && type !== '') return type
  }
  const http = own['http.response.status_code'] ?? own['http.status_code']
  if (typeof http === 'number' && http >= 400) return http
  return messageClass(field(status, 'message'))
}

/**
 * The spans of one document by id, for ancestor lookups: built on the first lookup, once per
 * document. A span's parent is found only in the same document (an export batch may hold a part
 * of a trace only; a key set on a parent exported in another batch is not found).
 */
class Ancestry {
  private readonly spans = new Map<string, { parent: string; attributes: unknown }>()

  constructor(document: object) {
    for (const resourceSpans of arrayOf((document as Record<string, unknown>).resourceSpans)) {
      const scopes = [
        ...arrayOf(field(resourceSpans, 'scopeSpans')),
        ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
      ]
      for (const scope of scopes) {
        for (const span of arrayOf(field(scope, 'spans'))) {
          const id = spanKey(field(span, 'traceId'), field(span, 'spanId'))
          if (id === undefined) continue
          const parent = spanKey(field(span, 'traceId'), field(span, 'parentSpanId')) ?? ''
          this.spans.set(id, { parent, attributes: field(span, 'attributes') })
        }
      }
    }
  }

  /** The nearest ancestor's value for `key` (flat, nested or in a JSON string attribute). */
  lookup(span: unknown, key: string): unknown {
    let id = spanKey(field(span, 'traceId'), field(span, 'parentSpanId'))
    for (let depth = 0; id !== undefined && depth < MAX_DEPTH; depth++) {
      const ancestor = this.spans.get(id)
      if (ancestor === undefined) return undefined
      const value = readPath(attributes(ancestor.attributes), key)
      if (value !== undefined) return value
      id = ancestor.parent === '' ? undefined : ancestor.parent
    }
    return undefined
  }
}

function spanKey(traceId: unknown, spanId: unknown): string | undefined {
  return typeof spanId === 'string' && spanId !== '' && !/^0+$/.test(spanId)
    ? `${typeof traceId === 'string' ? traceId : ''}/${spanId}`
    : undefined
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
  if (own['openinference.span.kind'] !== undefined || own[`${legacy}.0.content`] !== undefined) {
    return indexedContent(own, which)
  }
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

/**
 * Messages flattened into indexed attributes: OpenInference's `llm.input_messages.<i>.message.role`
 * and `.content` (else `input.value` / `output.value`), OpenLLMetry's before semantic conventions
 * v1.37 `gen_ai.prompt.<i>.role` / `.content` and `gen_ai.completion.<i>.content`. The input
 * without system messages; the output's first message.
 */
function indexedContent(
  own: Record<string, unknown>,
  which: 'input' | 'output'
): LazyText | undefined {
  const openInference = own['openinference.span.kind'] !== undefined
  const prefix = openInference
    ? which === 'input'
      ? 'llm.input_messages.'
      : 'llm.output_messages.'
    : which === 'input'
      ? 'gen_ai.prompt.'
      : 'gen_ai.completion.'
  const inner = openInference ? '.message.' : '.'
  const plain = openInference ? own[which === 'input' ? 'input.value' : 'output.value'] : undefined
  if (own[`${prefix}0${inner}content`] === undefined && typeof plain !== 'string') return undefined
  return new LazyText(() => {
    const texts: { role: unknown; text: string }[] = []
    for (let i = 0; ; i++) {
      const text = own[`${prefix}${i}${inner}content`]
      if (typeof text !== 'string') break
      texts.push({ role: own[`${prefix}${i}${inner}role`], text })
      if (which === 'output') break
    }
    if (texts.length === 0) return typeof plain === 'string' ? plain : undefined
    const conversation = texts.filter(t => t.role !== 'system')
    if (which === 'output' || conversation.length === 1) return conversation[0]?.text
    return conversation
      .map(t => `${typeof t.role === 'string' ? t.role : 'message'}: ${t.text}`)
      .join('\n')
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
 * Messages as text: the input's messages but the system ones, one per line, `role: text` (a lone message as its text
 * alone); the output's first message (the first choice). Non-text parts are named in brackets.
 */
function renderMessages(messages: unknown, which: 'input' | 'output'): string | undefined {
  if (typeof messages === 'string') return messages
  if (!Array.isArray(messages)) return undefined
  // A system message in the input is the system prompt (as gen_ai.system_instructions): left out.
  const texts = messages
    .filter(m => which === 'output' || field(m, 'role') !== 'system')
    .map(m => ({ role: field(m, 'role'), text: messageText(m) }))
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

function stringOr<T>(v: unknown, otherwise: T): string | T {
  return typeof v === 'string' && v !== '' ? v : otherwise
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}
