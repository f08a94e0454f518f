import { open } from 'node:fs/promises'
import { describeBytes, forEachLine } from './lines.js'
import { parseJson, type RowReader } from './rowReader.js'

/** Byte ranges [start, end) of about `chunkBytes` each that cover a file of `size` bytes. */
export function planChunks(size: number, chunkBytes: number): { start: number; end: number }[] {
  const chunks: { start: number; end: number }[] = []
  for (let start = 0; start < size; start += chunkBytes) {
    chunks.push({ start, end: Math.min(size, start + chunkBytes) })
  }
  return chunks
}

/**
 * The bytes of the lines that start in [start, end) of a file: a line belongs to the range its
 * first byte is in, so a set of ranges that tile the file reads every line exactly once. The
 * range's first line is found by skipping through the first '\n' at or after start - 1 (unless
 * start is 0); its last line is read past `end` up to its '\n'. `skip` bytes at the very start of
 * the file (a byte order mark) are left out. Reads go into `buf`, so each chunk yielded is
 * overwritten by the next read: forEachLine copies what it keeps, and a caller reading range after
 * range passes the same buffer (no megabyte of garbage per range).
 */
export async function* lineAlignedRange(
  path: string,
  start: number,
  end: number,
  skip = 0,
  buf: Buffer = Buffer.allocUnsafe(1 << 20)
): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r')
  const readBytes = buf.length
  try {
    let pos = start === 0 ? skip : start - 1
    let aligned = start === 0
    for (;;) {
      // Still inside a line that began before the range, and past its last byte: the range holds
      // no line start. (Reading on to that line's end would make a line spanning many ranges
      // cost quadratic time.)
      if (!aligned && pos >= end - 1) return
      const { bytesRead } = await handle.read(buf, 0, readBytes, pos)
      if (bytesRead === 0) return
      const bytes = buf.subarray(0, bytesRead)
      let from = 0
      if (!aligned) {
        const nl = bytes.indexOf(10)
        if (nl === -1) {
          pos += bytesRead
          continue
        }
        // The first line of this range starts after that '\n', unless it starts at `end` or later.
        if (pos + nl + 1 >= end) return
        aligned = true
        from = nl + 1
      }
      // The last line ends at the first '\n' at or after end - 1 (a line starting at `end` is the
      // next range's).
      const last = bytes.indexOf(10, Math.max(from, end - 1 - pos))
      if (last !== -1) {
        yield bytes.subarray(from, last + 1)
        return
      }
      yield bytes.subarray(from)
      pos += bytesRead
    }
  } finally {
    await handle.close()
  }
}

/**
 * Reads the lines of one range into `rows`, as the sequential JSONL reader does with a whole
 * file (line numbers count from the range's first line), through the reusable read buffer `buf`.
 * Returns the range's physical lines.
 */
export async function readRangeRows(
  range: { path: string; start: number; end: number; skip: number },
  maxLineBytes: number,
  rows: RowReader,
  buf: Buffer
): Promise<number> {
  const tooLong = `line too long (> ${describeBytes(maxLineBytes)})`
  return forEachLine(
    lineAlignedRange(range.path, range.start, range.end, range.skip, buf),
    maxLineBytes,
    (text, lineNo) => rows.json(parseJson(text), lineNo),
    lineNo => {
      rows.countLine()
      rows.bad(lineNo, tooLong)
    }
  )
}
