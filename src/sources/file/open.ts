import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/** Bytes of decoded content checked for NUL bytes: text files (JSONL, CSV) never contain one. */
export const SNIFF_BYTES = 8192
export const READ_CHUNK_BYTES = 1 << 16
/** The problem of a file with nothing in it: read whole, unlike every other problem. */
export const EMPTY_FILE = 'empty file'

/** A file's decoded bytes as a stream of chunks, or the reason there are none to read. */
export type OpenedFile =
  { chunks: AsyncIterable<Buffer>; problem?: undefined } | { problem: string }

/**
 * Opens a file for streaming: gunzips it when it starts with the gzip magic bytes 1f 8b (RFC 1952,
 * section 2.3.1), whatever its name; strips a UTF-8 byte order mark; and refuses an empty file or a
 * binary one (a NUL byte in the first 8 KiB of decoded content).
 */
export async function openDecoded(path: string): Promise<OpenedFile> {
  const gzip = await startsWithGzipMagic(path)
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })
  const stream: Readable = gzip ? pipeline(file, createGunzip(), () => {}) : file
  const reader = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const head: Buffer[] = []
  let headBytes = 0
  let ended = false
  try {
    while (headBytes < SNIFF_BYTES) {
      const next = await reader.next()
      if (next.done) {
        ended = true
        break
      }
      head.push(next.value)
      headBytes += next.value.length
    }
  } catch (e) {
    stream.destroy()
    throw e
  }
  const first = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head, headBytes)
  const problem =
    headBytes === 0
      ? EMPTY_FILE
      : first.subarray(0, SNIFF_BYTES).includes(0)
        ? 'binary file, not JSONL/CSV'
        : undefined
  if (problem) {
    stream.destroy()
    return { problem }
  }
  const hasBom = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf
  return { chunks: rest(hasBom ? first.subarray(3) : first, ended ? undefined : reader, stream) }
}

async function* rest(
  first: Buffer,
  reader: AsyncIterator<Buffer> | undefined,
  stream: Readable
): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first
    if (!reader) return
    for (;;) {
      const next = await reader.next()
      if (next.done) return
      yield next.value
    }
  } finally {
    // Also reached when the consumer stops early: release the file descriptor.
    stream.destroy()
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const magic = Buffer.alloc(2)
    const { bytesRead } = await handle.read(magic, 0, 2, 0)
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
  } finally {
    await handle.close()
  }
}
