import type { Policy } from '../../policy/types.js'
import type { FieldCatalog } from '../../records/fieldCatalog.js'
import { isRequestRecord, type Normalizer } from '../../records/normalize.js'
import type { RequestRecord } from '../../records/record.js'
import { forEachCallSpan, isOtlpDocument, type SpanReadOptions } from './otlp.js'

/**
 * What reading one file feeds: a count per line (CSV row, OTLP span) read, bad lines by number
 * and reason (never their content: it may be production text), unmatched arm labels, records.
 */
export interface RowSink {
  line(): void
  malformed(lineNo: number, reason: string): void
  unmatchedArm(value: string): void
  add(r: RequestRecord): void
  /** An OTLP call span read: its instrumentation scope and whether it failed. */
  call?(scope: string, version: string | undefined, failed: boolean): void
}

/** The OTLP reading options of a policy: the keys inherited from ancestor spans. */
export function spanReadOptions(policy: Policy, withContent: boolean): SpanReadOptions {
  const keys = [policy.arms.field, ...(policy.segments?.by ?? [])]
  if (policy.arms.unit !== undefined) keys.push(policy.arms.unit)
  return { withContent, inherit: [...new Set(keys)] }
}

export const BAD_JSON: unique symbol = Symbol('bad JSON')

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return BAD_JSON
  }
}

/**
 * The raw-row -> record step shared by every format and by the parallel reader's workers, with
 * the per-file counts a file's outcome reports.
 */
export class RowReader {
  lines = 0
  malformed = 0
  /** Spans in OTLP documents, and those that were calls to a model (counted as lines). */
  spans = 0
  calls = 0
  private readonly onCall: RowSink['call']

  constructor(
    private readonly sink: RowSink,
    private readonly normalize: Normalizer,
    /** OTLP: inherited keys, and content mapped to input/output (only when the policy has a judge). */
    private readonly spanOptions: SpanReadOptions,
    /** Notes the fields of every row (DataQuality.fields). */
    private readonly fields?: FieldCatalog
  ) {
    this.onCall = sink.call?.bind(sink)
  }

  countLine(): void {
    this.lines++
    this.sink.line()
  }

  bad(lineNo: number, reason: string): void {
    this.malformed++
    this.sink.malformed(lineNo, reason)
  }

  /** A parsed JSON value: a record, an OTLP export (one line per call span), or malformed. */
  json(value: unknown, lineNo: number, prefix = ''): void {
    if (value === BAD_JSON) {
      this.countLine()
      this.bad(lineNo, `${prefix}bad JSON`)
    } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.countLine()
      this.bad(lineNo, `${prefix}not a JSON object`)
    } else if (isOtlpDocument(value)) {
      let span = 0
      const counts = forEachCallSpan(
        value,
        raw => {
          this.countLine()
          this.row(raw, lineNo, `${prefix}span ${++span}: `)
        },
        this.spanOptions,
        this.onCall
      )
      this.spans += counts.spans
      this.calls += counts.calls
    } else {
      this.countLine()
      this.row(value as Record<string, unknown>, lineNo, prefix)
    }
  }

  row(raw: Record<string, unknown>, lineNo: number, prefix: string): void {
    this.fields?.add(raw)
    const result = this.normalize(raw)
    if (isRequestRecord(result)) this.sink.add(result)
    else if ('unmatchedArm' in result) this.sink.unmatchedArm(result.unmatchedArm)
    else {
      if (result.missing === 'arm') this.fields?.armless(raw)
      else if (result.missing === 'timestamp') this.fields?.timeless(raw)
      this.bad(lineNo, prefix === '' ? result.malformed : `${prefix}${result.malformed}`)
    }
  }
}
