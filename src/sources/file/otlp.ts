/**
 * OTLP/JSON trace exports (the OpenTelemetry protocol's JSON encoding, as the Collector's file
 * exporter writes it: one ExportTraceServiceRequest per line, or one per file). Each span that
 * carries a `gen_ai.*` attribute (OpenTelemetry GenAI semantic conventions) is one LLM call.
 */

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
  emit: (raw: Record<string, unknown>) => void
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
        emit(spanRow(span, own, resource))
      }
    }
  }
}

function spanRow(
  span: unknown,
  own: Record<string, unknown>,
  resource: Record<string, unknown>
): Record<string, unknown> {
  const row: Record<string, unknown> = { ...resource, ...own }
  const start = nanos(field(span, 'startTimeUnixNano'))
  const end = nanos(field(span, 'endTimeUnixNano'))
  if (start !== undefined) row.ts = Number(start) / 1e6
  if (start !== undefined && end !== undefined && end >= start && row.latency_ms === undefined) {
    row.latency_ms = Number(end - start) / 1e6
  }
  const code = field(field(span, 'status'), 'code')
  const failed = code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR'
  const errorType = own['error.type']
  row.error = failed || errorType !== undefined ? (errorType ?? 'server') : null
  return row
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
