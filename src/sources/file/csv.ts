import { pipeline, Readable } from 'node:stream'
import type { CastingContext } from 'csv-parse'
import { describeBytes } from './lines.js'

/** A plain decimal number without leading zeros (so ids like `00123` stay strings). */
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/**
 * Reads CSV rows as raw records keyed by the header row (csv-parse, streaming). Numeric-looking
 * cells become numbers and empty cells are missing, as in JSON. A row that cannot be parsed
 * (an unclosed quote, a row over `maxRowBytes`) is reported to `onBadRow` with its line, and
 * parsing goes on. The parser is loaded with the first CSV file (most logs are JSONL).
 */
export async function forEachCsvRow(
  chunks: AsyncIterable<Buffer>,
  maxRowBytes: number,
  onRow: (row: Record<string, unknown>, lineNo: number) => void,
  onBadRow: (lineNo: number, reason: string) => void
): Promise<void> {
  const { parse } = await import('csv-parse')
  const parser = parse({
    columns: true,
    bom: true,
    cast: castCell,
    info: true,
    max_record_size: maxRowBytes,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: err => {
      if (err)
        onBadRow(typeof err.lines === 'number' ? err.lines : 0, csvReason(err.code, maxRowBytes))
      return undefined
    }
  })
  // pipeline, not pipe: a read error (a corrupt gzip) must reach the loop below, not vanish.
  const rows = pipeline(Readable.from(chunks), parser, () => {})
  for await (const { info, record } of rows as AsyncIterable<{
    info: { lines: number }
    record: Record<string, unknown>
  }>) {
    onRow(record, info.lines)
  }
}

function castCell(value: string, context: CastingContext): unknown {
  if (context.header) return value
  if (value === '') return undefined
  return NUMERIC.test(value) ? Number(value) : value
}

/** The parser's error code in words; its message would quote the row, which may hold production text. */
function csvReason(code: string, maxRowBytes: number): string {
  switch (code) {
    case 'CSV_MAX_RECORD_SIZE':
      return `row too long (> ${describeBytes(maxRowBytes)})`
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unclosed quote'
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'misplaced quote'
    default:
      return `bad CSV row (${code})`
  }
}
