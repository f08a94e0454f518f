/**
 * The JSONL line splitter: splits a byte stream on '\n' (dropping a trailing '\r') and hands each
 * non-empty line to a callback as a string. Synchronous callbacks over whole chunks, found with
 * Buffer.indexOf (memchr), cost far less per line than readline or an async generator, which would
 * allocate a promise per line. Splitting bytes, not decoded text, is safe: in UTF-8 the byte 0x0A
 * only ever encodes '\n'.
 *
 * A line longer than `maxLineBytes` is never held whole: once its bytes pass the limit they are
 * dropped as they arrive and the line is reported to `onTooLong`, so memory stays at a chunk plus
 * the limit whatever the input holds.
 */
export type LineCallback = (line: string, lineNo: number) => void

/** Resolves to the number of physical lines, blank ones included (so lineNo matches an editor's). */
export async function forEachLine(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
  onLine: LineCallback,
  onTooLong: (lineNo: number) => void = () => {}
): Promise<number> {
  let lineNo = 0
  /** Bytes of a line that started in an earlier chunk. */
  let pending: Buffer[] = []
  let pendingBytes = 0
  /** The current line passed the limit: drop bytes until its '\n'. */
  let skipping = false

  const emit = (buf: Buffer, start: number, end: number): void => {
    if (end > start && buf[end - 1] === 13) end--
    if (end > start) onLine(buf.toString('utf8', start, end), lineNo)
  }

  for await (const chunk of chunks) {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    let nl: number
    while ((nl = buf.indexOf(10, start)) !== -1) {
      lineNo++
      const bytes = pendingBytes + (nl - start)
      if (skipping || bytes > maxLineBytes) {
        onTooLong(lineNo)
      } else if (pendingBytes > 0) {
        pending.push(buf.subarray(start, nl))
        emit(Buffer.concat(pending, bytes), 0, bytes)
      } else {
        emit(buf, start, nl)
      }
      skipping = false
      pending = []
      pendingBytes = 0
      start = nl + 1
    }
    if (start < buf.length && !skipping) {
      if (pendingBytes + (buf.length - start) > maxLineBytes) {
        skipping = true
        pending = []
        pendingBytes = 0
      } else {
        // A copy: the source may reuse its buffer for the next chunk (lineAlignedRange does).
        pending.push(Buffer.from(buf.subarray(start)))
        pendingBytes += buf.length - start
      }
    }
  }
  if (skipping) {
    lineNo++
    onTooLong(lineNo)
  } else if (pendingBytes > 0) {
    lineNo++
    emit(Buffer.concat(pending, pendingBytes), 0, pendingBytes)
  }
  return lineNo
}

/** `1 MiB`, `64 KiB`, `300 bytes`: for messages about size limits. */
export function describeBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`
  return `${n} bytes`
}
