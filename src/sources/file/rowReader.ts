import type { FieldCatalog } from '../../records/fieldCatalog.js'
import { isRequestRecord, type Normalizer } from '../../records/normalize.js'
import type { RequestRecord } from '../../records/record.js'
import { forEachGenAiSpan, isOtlpDocument } from './otlp.js'

/**
 * What reading one file feeds: a count per line (CSV row, OTLP span) read, bad lines by number
 * and reason (never their content: it may be production text), unmatched arm labels, records.
 */
export interface RowSink {
  line(): void
  malformed(lineNo: number, reason: string): void
  unmatchedArm(value: string): void
  add(r: RequestRecord): void
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

  constructor(
    private readonly sink: RowSink,
    private readonly normalize: Normalizer,
    /** OTLP message content mapped to input/output: only when the policy has a judge. */
    private readonly withContent: boolean,
    /** Notes the fields of every row (DataQuality.fields). */
    private readonly fields?: FieldCatalog
  ) {}

  countLine(): void {
    this.lines++
    this.sink.line()
  }

  bad(lineNo: number, reason: string): void {
    this.malformed++
    this.sink.malformed(lineNo, reason)
  }

  /** A parsed JSON value: a record, an OTLP export (one line per GenAI span), or malformed. */
  json(value: unknown, lineNo: number, prefix = ''): void {
    if (value === BAD_JSON) {
      this.countLine()
      this.bad(lineNo, `${prefix}bad JSON`)
    } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.countLine()
      this.bad(lineNo, `${prefix}not a JSON object`)
    } else if (isOtlpDocument(value)) {
      let span = 0
      forEachGenAiSpan(
        value,
        raw => {
          this.countLine()
          this.row(raw, lineNo, `${prefix}span ${++span}: `)
        },
        this.withContent
      )
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
