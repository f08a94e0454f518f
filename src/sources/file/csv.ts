import { pipeline, Readable } from 'node:stream'
import type { CastingContext } from 'csv-parse'
import { describeBytes } from './lines.js'

/** A plain decimal number without leading zeros (so ids like `00123` stay strings). */
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/**
 * Reads CSV rows as raw records keyed by the header row (csv-parse, streaming). Numeric-looking
 * cells become numbers and empty cells are missing, as in JSON. A row that cannot be parsed
 * (an unclosed quote, a row over `maxRowBytes`) is reported to `onBadRow` with its line. The
 * parser is loaded with the first CSV file (most logs are JSONL).
 *
 * Returns why the file was not read to its end, if it was not: an unclosed quote makes the rest
 * of the file one field, and after a row over the size limit csv-parse reads nothing more, so the
 * rows after it are lost. Lines with content after the parser's last row or error tell it.
 */
export async function forEachCsvRow(
  chunks: AsyncIterable<Buffer>,
  maxRowBytes: number,
  onRow: (row: Record<string, unknown>, lineNo: number) => void,
  onBadRow: (lineNo: number, reason: string) => void
): Promise<string | undefined> {
  const { parse } = await import('csv-parse')
  let reached = 0
  let unclosed: number | undefined
  const lines = lineCounter()
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
      if (!err) return undefined
      const lineNo = typeof err.lines === 'number' ? err.lines : 0
      reached = Math.max(reached, lineNo)
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') unclosed = lineNo
      onBadRow(lineNo, csvReason(err.code, maxRowBytes))
      return undefined
    }
  })
  // pipeline, not pipe: a read error (a corrupt gzip) must reach the loop below, not vanish.
  const rows = pipeline(Readable.from(lines.count(chunks)), parser, () => {})
  for await (const { info, record } of rows as AsyncIterable<{
    info: { lines: number }
    record: Record<string, unknown>
  }>) {
    reached = Math.max(reached, info.lines)
    onRow(record, info.lines)
  }
  if (unclosed !== undefined) {
    return `an unclosed quote made the rest of the file one field (reported at line ${unclosed}); the rows after the quote were not read`
  }
  const last = lines.lastWithContent()
  if (last > reached) {
    return `the CSV parser stopped after line ${reached} (a malformed row); lines ${reached + 1} to ${last} were not read`
  }
  return undefined
}

/** Counts the lines of a byte stream as it passes, and the last one with non-blank content. */
function lineCounter() {
  let line = 1
  let lastContent = 0
  return {
    async *count(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i] as number
          if (b === 10) line++
          else if (b !== 13 && b !== 32 && b !== 9) lastContent = line
        }
        yield chunk
      }
    },
    lastWithContent: () => lastContent
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
