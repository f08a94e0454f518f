import { existsSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Policy } from '../../policy/types.js'
import type { ChunkFields, FieldCatalog } from '../../records/fieldCatalog.js'
import type { RequestRecord } from '../../records/record.js'
import type { UnitKey } from '../../sketch/unitIndex.js'
import { createNormalizer, type Normalizer } from '../../records/normalize.js'
import { planChunks, readRangeRows } from './chunks.js'
import { SNIFF_BYTES } from './open.js'
import {
  forEachBatchRecord,
  rawKeysFor,
  transferList,
  type BatchColumns,
  type RecordBatch
} from './recordBatch.js'
import { RowReader, spanReadOptions, type RowSink } from './rowReader.js'

/** How the file source reads large files in parallel (defaultParallelOptions()). */
export interface ParallelOptions {
  /** The bundled worker script (dist/fileWorker.js next to dist/index.js and dist/cli.js). */
  script: string | URL
  workers: number
  chunkBytes: number
  /** Smaller files are read on this thread: starting workers costs more than it saves. */
  minFileBytes: number
}

export interface WorkerSetup {
  policy: Policy
  rawKeys: string[]
  maxLineBytes: number
}

export interface ChunkTask {
  id: number
  path: string
  start: number
  end: number
  /** Bytes to leave out at the start of the file (a UTF-8 byte order mark). */
  skip: number
  /** A batch's arrays, applied and handed back for the worker to fill again. */
  spare?: BatchColumns
  /** Rows whose nested fields to note (what the file may still need: FieldCatalog.nestedRowsLeft). */
  nestedRows: number
}

/** What a worker posts back for a chunk it read. */
export interface ChunkRead {
  task: number
  /** Lines in the range, blank ones included: where the next range's line numbers start. */
  physicalLines: number
  /** Lines (or OTLP spans) read, as RowReader counts them. */
  lines: number
  malformedLines: number[]
  malformedReasons: string[]
  unmatched: string[]
  /** OTLP spans in the chunk, and the calls among them. */
  spans: number
  calls: number
  /** Call spans per instrumentation scope, in first-seen order. */
  scopes: { scope: string; version?: string; calls: number; failed: number }[]
  /** The raw fields the chunk's rows had (FieldCatalog.chunk), merged in file order. */
  fields: ChunkFields
  batch: RecordBatch
  /** The worker's time on the chunk, for sharing the work (ShareOfChunks). */
  ms: number
  error?: undefined
}

export type ChunkResult = ChunkRead | { task: number; error: string }

/** Where a file's chunks go, in file order: the same calls a RowReader makes reading it alone. */
export interface ChunkTarget {
  countLine(): void
  bad(lineNo: number, reason: string): void
  unmatchedArm(value: string): void
  /** `unit`: the unit id's hash, for records parsed by a worker (EvidenceBuilder.add). */
  add(r: RequestRecord, unit?: UnitKey): void
  /** OTLP spans read, and the calls among them. */
  spans(spans: number, calls: number): void
  /** Call spans of one instrumentation scope (EvidenceBuilder.calls). */
  calls(scope: string, version: string | undefined, calls: number, failed: number): void
  /** Where the rows' fields are noted (chunks parsed here), and workers' are merged. */
  fields?: FieldCatalog
}

const DEFAULT_SCRIPT = new URL('./fileWorker.js', import.meta.url)

/**
 * The default: one worker per core but this thread's, up to three (beyond, this thread's own work
 * bounds the gain), 2 MiB chunks, files of 16 MiB or more. Undefined (read sequentially) on one
 * core, or when running from sources without the bundle (tests pass their own script).
 */
export function defaultParallelOptions(): ParallelOptions | undefined {
  const workers = Math.min(availableParallelism() - 1, 3)
  if (workers < 1 || !existsSync(fileURLToPath(DEFAULT_SCRIPT))) return undefined
  return { script: DEFAULT_SCRIPT, workers, chunkBytes: 2 << 20, minFileBytes: 16 << 20 }
}

/**
 * A plain text file of at least `minBytes`: its size and the bytes to skip at its start (a UTF-8
 * byte order mark). Undefined for a file to read on this thread: a small one, a gzipped one, or
 * one that looks binary (openDecoded's test: a NUL byte in the first 8 KiB), which the sequential
 * reader reports as such.
 */
export async function splittable(
  path: string,
  minBytes: number
): Promise<{ size: number; skip: number } | undefined> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    if (size === 0 || size < minBytes) return undefined // an empty file is reported as such
    const head = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined // gzip
    if (head.subarray(0, bytesRead).includes(0)) return undefined
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf
    return { size, skip: bom ? 3 : 0 }
  } finally {
    await handle.close()
  }
}

/**
 * Parallel reading of large plain JSONL files, with a pool of parsing workers started on first use
 * for one read of a set of files. JSON.parse is most of the cost of reading a log, so worker
 * threads parse byte ranges (chunks) of the file while this thread builds the evidence from their
 * records. Chunks are applied strictly in file order (a result that arrives early waits), so the
 * evidence is the same, to the last bit of every floating-point sum, as a sequential read's,
 * whoever parsed which chunk; line numbers in messages are the file's own.
 *
 * This thread also parses a share of the chunks itself (ShareOfChunks), and any chunk it needs
 * while every worker is busy: on two cores (one worker) that keeps both busy, and the share adapts
 * to the policy's cost of building evidence against the cost of parsing, with no tuning.
 */
export class ParallelReader {
  private workers: Worker[] = []
  private readonly outstanding: number[] = []
  private readonly spare: BatchColumns[] = []
  private readonly waiting = new Map<
    number,
    { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }
  >()
  private nextTask = 0
  /** A worker failed: no more chunks are sent out. */
  private failed = false
  private readonly share: ShareOfChunks
  private readonly normalize: Normalizer
  private readonly rawKeys: string[]
  /** For the chunks parsed here, one after another. */
  private readonly readBuffer = Buffer.allocUnsafe(1 << 20)

  constructor(
    private readonly opts: ParallelOptions,
    private readonly setup: Omit<WorkerSetup, 'rawKeys'>
  ) {
    if (!(opts.chunkBytes > 0 && opts.workers >= 1)) {
      throw new RangeError('parallel reading needs chunkBytes > 0 and at least one worker')
    }
    this.normalize = createNormalizer(setup.policy)
    this.rawKeys = rawKeysFor(setup.policy)
    this.share = new ShareOfChunks(opts.workers)
  }

  get minFileBytes(): number {
    return this.opts.minFileBytes
  }

  /**
   * Reads one file's chunks into `target`, in file order. When a worker fails (it crashed, or
   * could not start), the chunks it owed are parsed here instead: the evidence is still complete,
   * and a chunk that cannot be read on this thread either fails the file as a sequential read
   * would.
   */
  async read(path: string, size: number, skip: number, target: ChunkTarget): Promise<void> {
    this.start()
    const chunks = planChunks(size, this.opts.chunkBytes).map(c => ({ ...c, path, skip }))
    // At most three chunks queued per worker (it keeps busy while this thread parses one), and
    // at most six per worker sent and not yet applied.
    const queued = 3 * this.workers.length
    const requested = new Map<number, Promise<ChunkResult>>()
    let next = 0
    let lineOffset = 0
    for (let j = 0; j < chunks.length; j++) {
      for (; next < chunks.length && this.busy() < queued && requested.size < 2 * queued; next++) {
        if (this.failed || next === 0 || this.share.parseHere(next)) continue
        requested.set(next, this.request(chunks[next]!, target.fields?.nestedRowsLeft() ?? 0))
      }
      const result = requested.get(j)
      requested.delete(j)
      const read = await result?.catch((e: Error) => ({ task: -1, error: e.message }))
      if (read?.error !== undefined) this.failed = true
      // Not sent out (this thread's share, or every worker was busy), or failed: parsed here.
      if (read === undefined || read.error !== undefined) {
        next = Math.max(next, j + 1)
        const started = performance.now()
        lineOffset += await this.readHere(chunks[j]!, lineOffset, target)
        this.share.parsedHere(performance.now() - started)
        continue
      }
      const started = performance.now()
      lineOffset += applyChunk(read, lineOffset, this.rawKeys, target)
      this.share.applied(performance.now() - started, read.ms)
      const { flags, numbers, units, refs } = read.batch
      this.spare.push({ flags, numbers, units, refs })
    }
  }

  async close(): Promise<void> {
    const workers = this.workers
    this.workers = []
    await Promise.all(workers.map(w => w.terminate()))
  }

  /** A chunk parsed on this thread, straight into `target` (no columns to fill and read). */
  private async readHere(
    chunk: Omit<ChunkTask, 'id' | 'nestedRows'>,
    lineOffset: number,
    target: ChunkTarget
  ): Promise<number> {
    const sink: RowSink = {
      line: () => target.countLine(),
      malformed: (lineNo, reason) => target.bad(lineOffset + lineNo, reason),
      unmatchedArm: value => target.unmatchedArm(value),
      add: r => target.add(r),
      call: (scope, version, failed) => target.calls(scope, version, 1, failed ? 1 : 0)
    }
    const rows = new RowReader(
      sink,
      this.normalize,
      spanReadOptions(this.setup.policy, false),
      target.fields
    )
    const lines = await readRangeRows(chunk, this.setup.maxLineBytes, rows, this.readBuffer)
    target.spans(rows.spans, rows.calls)
    return lines
  }

  /** Chunks sent to workers and not posted back yet. */
  private busy(): number {
    return this.outstanding.reduce((a, b) => a + b, 0)
  }

  /** Sends a chunk to the least busy worker; resolves with what it posts back. */
  private request(
    chunk: Omit<ChunkTask, 'id' | 'nestedRows'>,
    nestedRows: number
  ): Promise<ChunkResult> {
    const w = this.outstanding.indexOf(Math.min(...this.outstanding))
    const task: ChunkTask = { ...chunk, id: this.nextTask++, nestedRows }
    const spare = this.spare.pop()
    if (spare) task.spare = spare
    this.outstanding[w]!++
    const result = new Promise<ChunkResult>((resolve, reject) =>
      this.waiting.set(task.id, { resolve, reject })
    )
    // Awaited in file order; a failure meanwhile must not count as an unhandled rejection.
    result.catch(() => {})
    this.workers[w]!.postMessage(task, spare ? transferList(spare) : [])
    return result
  }

  private start(): void {
    if (this.workers.length > 0 || this.failed) return
    const workerData: WorkerSetup = { ...this.setup, rawKeys: this.rawKeys }
    // A worker's garbage is short-lived parse output: a young generation of 2 MB rather than the
    // default 32 MB costs a few percent of its time in collections and saves ~25 MB per worker
    // (measured with npm run bench).
    const resourceLimits = { maxYoungGenerationSizeMb: 2 }
    for (let i = 0; i < this.opts.workers; i++) {
      let worker: Worker
      try {
        worker = new Worker(this.opts.script, { workerData, resourceLimits })
      } catch {
        // A script path or setup a worker cannot take: everything is parsed on this thread.
        this.failed = true
        return
      }
      this.outstanding.push(0)
      worker.on('message', (result: ChunkResult) => {
        this.outstanding[i]!--
        this.waiting.get(result.task)?.resolve(result)
        this.waiting.delete(result.task)
      })
      worker.on('error', e => this.failAll(new Error(`file reader worker: ${e.message}`)))
      worker.on('messageerror', e => this.failAll(new Error(`file reader worker: ${e.message}`)))
      // After close() nothing waits; before, any exit leaves its chunks unanswered.
      worker.on('exit', code => this.failAll(new Error(`file reader worker exited (${code})`)))
      this.workers.push(worker)
    }
  }

  private failAll(error: Error): void {
    this.failed = true
    for (const { reject } of this.waiting.values()) reject(error)
    this.waiting.clear()
  }
}

/**
 * Which chunks this thread parses itself: the share f that makes it finish with the workers. Per
 * chunk this thread spends H parsing one itself or A applying a worker's, and W workers parse one
 * every T / W, so f H + (1 - f) A = (1 - f) T / W gives f = (T / W - A) / (H - A + T / W),
 * from the mean times measured so far (a third until both kinds have been timed). The evidence
 * does not depend on it: chunks are applied in file order whoever parsed them.
 */
class ShareOfChunks {
  private here = { n: 0, ms: 0 }
  private applying = { n: 0, ms: 0, workerMs: 0 }
  private assigned = 0

  constructor(private readonly workers: number) {}

  parsedHere(ms: number): void {
    this.here.n++
    this.here.ms += ms
  }

  applied(ms: number, workerMs: number): void {
    this.applying.n++
    this.applying.ms += ms
    this.applying.workerMs += workerMs
  }

  /** Whether chunk `index` (not the first) goes to this thread. */
  parseHere(index: number): boolean {
    const take = (this.assigned + 1) / index <= this.fraction()
    if (take) this.assigned++
    return take
  }

  private fraction(): number {
    if (this.here.n === 0 || this.applying.n === 0) return 1 / 3
    const h = this.here.ms / this.here.n
    const a = this.applying.ms / this.applying.n
    const t = this.applying.workerMs / this.applying.n / this.workers
    return Math.min(1, Math.max(0, (t - a) / (h - a + t)))
  }
}

/** Applies one chunk's lines, problems and records; returns its physical line count. */
function applyChunk(
  r: ChunkRead,
  lineOffset: number,
  rawKeys: readonly string[],
  target: ChunkTarget
): number {
  for (let i = 0; i < r.lines; i++) target.countLine()
  r.malformedLines.forEach((lineNo, i) =>
    target.bad(lineOffset + lineNo, r.malformedReasons[i] as string)
  )
  for (const value of r.unmatched) target.unmatchedArm(value)
  // Scope counts before the records, as a one-thread read hears each span before its record.
  for (const s of r.scopes) target.calls(s.scope, s.version, s.calls, s.failed)
  target.spans(r.spans, r.calls)
  target.fields?.mergeChunk(r.fields)
  forEachBatchRecord(r.batch, rawKeys, (record, unit) => target.add(record, unit))
  return r.physicalLines
}
