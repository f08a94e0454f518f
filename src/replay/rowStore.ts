import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { rowBuffer, type RowBuffer } from './rows.js'

/**
 * The rows of the logs (rows.ts), handed back in time order from any instant: an external merge
 * sort with a fixed memory budget (Knuth, TAOCP vol. 3, 5.4: sorted runs, then a k-way merge
 * through a heap). Rows are appended in file order into blocks; when the blocks reach the budget
 * they are sorted by time (stable) and written to a temporary file as one run, and the memory is
 * reused. `finish()` sorts the last run in memory. A cursor merges the runs, so memory stays the
 * budget plus one read buffer per run, whatever the number of records; logs that fit the budget
 * never touch the disk. Logs are usually time-ordered already, and then a run costs one check.
 */
export interface RowStoreOptions {
  /** Bytes of rows held in memory before a run is written to disk (default 64 MiB). */
  memoryBytes?: number
  /** Where a temporary folder for the runs is made (and removed by close()); default os.tmpdir(). */
  tempDir: string
}

const BLOCK_ROWS = 8192
/** Rows read at a time from a spilled run. */
const READ_ROWS = 2048
export const DEFAULT_MEMORY_BYTES = 64 << 20

/** A position in the time-ordered rows: the current row is `buffer` at byte offset `at`. */
export interface RowCursor {
  /** False once past the last row (then the other fields are stale). */
  readonly valid: boolean
  readonly ts: number
  readonly buffer: RowBuffer
  readonly at: number
  advance(): void
  /** Releases the cursor's files (RowStore.close() releases every cursor's too). */
  close(): void
}

interface Run extends RowCursor {
  /** Moves to the first row with ts >= from. */
  seek(from: number): void
}

export class RowStore {
  readonly stride: number
  private readonly memoryBytes: number
  private readonly tempRoot: string
  private tempDir: string | undefined
  private blocks: RowBuffer[] = []
  private count = 0
  private readonly spilled: { path: string; rows: number }[] = []
  private last: { blocks: RowBuffer[]; rows: number; order: Uint32Array | undefined } | undefined
  private readonly open = new Set<Run>()
  /** Rows appended, in every run. */
  total = 0

  constructor(stride: number, options: RowStoreOptions) {
    this.stride = stride
    this.memoryBytes = Math.max(stride * BLOCK_ROWS, options.memoryBytes ?? DEFAULT_MEMORY_BYTES)
    this.tempRoot = options.tempDir
  }

  /** Room for one more row: encode it into `buffer` at byte offset `at`. */
  append(): { buffer: RowBuffer; at: number } {
    if (this.last) throw new Error('RowStore.append after finish()')
    if (this.count * this.stride >= this.memoryBytes) this.spill()
    const block = Math.floor(this.count / BLOCK_ROWS)
    const buffer = (this.blocks[block] ??= rowBuffer(BLOCK_ROWS * this.stride))
    const at = (this.count % BLOCK_ROWS) * this.stride
    this.count++
    this.total++
    return { buffer, at }
  }

  /** Runs written to disk so far (for tests and the report). */
  get runsOnDisk(): number {
    return this.spilled.length
  }

  /** No more rows: the last run is sorted and kept in memory. */
  finish(): void {
    if (this.last) return
    this.last = { blocks: this.blocks, rows: this.count, order: this.sortOrder() }
    this.blocks = []
    this.count = 0
  }

  /** The rows with ts >= from, in time order (rows with equal times in the order appended). */
  cursor(from = -Infinity): RowCursor {
    this.finish()
    const runs: Run[] = this.spilled.map(s => new DiskRun(s.path, s.rows, this.stride))
    const last = this.last as NonNullable<RowStore['last']>
    if (last.rows > 0) runs.push(new MemoryRun(last.blocks, last.rows, last.order, this.stride))
    for (const run of runs) {
      run.seek(from)
      this.open.add(run)
    }
    return runs.length === 1 ? (runs[0] as Run) : new Merge(runs)
  }

  /** Closes every cursor's files and removes the spilled runs. */
  close(): void {
    for (const run of this.open) run.close()
    this.open.clear()
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true })
    this.tempDir = undefined
  }

  /** The current run's rows in time order (stable), or undefined when they already are. */
  private sortOrder(): Uint32Array | undefined {
    const n = this.count
    const ts = new Float64Array(n)
    let sorted = true
    for (let i = 0; i < n; i++) {
      const block = this.blocks[Math.floor(i / BLOCK_ROWS)] as RowBuffer
      ts[i] = block.f64[((i % BLOCK_ROWS) * this.stride) / 8] as number
      if (i > 0 && (ts[i] as number) < (ts[i - 1] as number)) sorted = false
    }
    return sorted ? undefined : stableOrder(ts)
  }

  /** Sorts the rows in memory and writes them to a new run file. */
  private spill(): void {
    const order = this.sortOrder()
    this.tempDir ??= mkdtempSync(join(this.tempRoot, 'rollout-gate-rows-'))
    const path = join(this.tempDir, `run-${this.spilled.length}.bin`)
    const fd = openSync(path, 'w')
    try {
      const out = new Uint8Array(BLOCK_ROWS * this.stride)
      for (let start = 0; start < this.count; start += BLOCK_ROWS) {
        const end = Math.min(this.count, start + BLOCK_ROWS)
        for (let i = start; i < end; i++) {
          const row = order ? (order[i] as number) : i
          const block = this.blocks[Math.floor(row / BLOCK_ROWS)] as RowBuffer
          const from = (row % BLOCK_ROWS) * this.stride
          out.set(block.bytes.subarray(from, from + this.stride), (i - start) * this.stride)
        }
        writeSync(fd, out, 0, (end - start) * this.stride)
      }
    } finally {
      closeSync(fd)
    }
    this.spilled.push({ path, rows: this.count })
    this.count = 0
  }
}

/**
 * The permutation that sorts `ts` stably. Integer times (epoch ms) over a range r with r * n <
 * 2^53 are packed with their index into one float64, (t - min) * n + i, which the engine's own
 * numeric sort orders exactly; anything else falls back to a comparison sort.
 */
export function stableOrder(ts: Float64Array): Uint32Array {
  const n = ts.length
  let min = Infinity
  let max = -Infinity
  let integers = true
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number
    if (t < min) min = t
    if (t > max) max = t
    if (!Number.isInteger(t)) integers = false
  }
  const order = new Uint32Array(n)
  if (integers && (max - min + 1) * n < 2 ** 53) {
    const keys = new Float64Array(n)
    for (let i = 0; i < n; i++) keys[i] = ((ts[i] as number) - min) * n + i
    keys.sort()
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number
      order[i] = k - Math.floor(k / n) * n
    }
    return order
  }
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b)
  return order
}

/** The last run, in memory: its blocks through the sort order. */
class MemoryRun implements Run {
  valid = false
  ts = 0
  buffer: RowBuffer
  at = 0
  private index = 0

  constructor(
    private readonly blocks: RowBuffer[],
    private readonly rows: number,
    private readonly order: Uint32Array | undefined,
    private readonly stride: number
  ) {
    this.buffer = blocks[0] as RowBuffer
  }

  seek(from: number): void {
    // The first index whose row is at or after `from`.
    let lo = 0
    let hi = this.rows
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.tsAt(mid) < from) lo = mid + 1
      else hi = mid
    }
    this.index = lo
    this.load()
  }

  advance(): void {
    this.index++
    this.load()
  }

  close(): void {}

  private row(index: number): number {
    return this.order ? (this.order[index] as number) : index
  }

  private tsAt(index: number): number {
    const row = this.row(index)
    const block = this.blocks[Math.floor(row / BLOCK_ROWS)] as RowBuffer
    return block.f64[((row % BLOCK_ROWS) * this.stride) / 8] as number
  }

  private load(): void {
    this.valid = this.index < this.rows
    if (!this.valid) return
    const row = this.row(this.index)
    this.buffer = this.blocks[Math.floor(row / BLOCK_ROWS)] as RowBuffer
    this.at = (row % BLOCK_ROWS) * this.stride
    this.ts = this.buffer.f64[this.at / 8] as number
  }
}

/** A sorted run on disk, read READ_ROWS rows at a time. */
class DiskRun implements Run {
  valid = false
  ts = 0
  readonly buffer: RowBuffer
  at = 0
  private fd: number | undefined
  private index = 0
  /** Index of the first row in the buffer, and how many it holds. */
  private start = 0
  private held = 0
  private readonly probe = rowBuffer(8)

  constructor(
    path: string,
    private readonly rows: number,
    private readonly stride: number
  ) {
    this.fd = openSync(path, 'r')
    this.buffer = rowBuffer(READ_ROWS * stride)
  }

  seek(from: number): void {
    let lo = 0
    let hi = this.rows
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      readSync(this.fdOpen(), this.probe.bytes, 0, 8, mid * this.stride)
      if ((this.probe.f64[0] as number) < from) lo = mid + 1
      else hi = mid
    }
    this.index = lo
    this.held = 0
    this.load()
  }

  advance(): void {
    this.index++
    this.load()
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  private fdOpen(): number {
    if (this.fd === undefined) throw new Error('RowStore: a cursor was used after close()')
    return this.fd
  }

  private load(): void {
    this.valid = this.index < this.rows
    if (!this.valid) return
    if (this.index < this.start || this.index >= this.start + this.held) {
      this.start = this.index
      this.held = Math.min(READ_ROWS, this.rows - this.index)
      const bytes = this.held * this.stride
      let read = 0
      while (read < bytes) {
        const n = readSync(
          this.fdOpen(),
          this.buffer.bytes,
          read,
          bytes - read,
          this.start * this.stride + read
        )
        if (n === 0) throw new Error('RowStore: a spilled run is shorter than written')
        read += n
      }
    }
    this.at = (this.index - this.start) * this.stride
    this.ts = this.buffer.f64[this.at / 8] as number
  }
}

/** Runs merged by time through a binary heap; equal times come from the earlier run first. */
class Merge implements RowCursor {
  valid = false
  ts = 0
  buffer: RowBuffer
  at = 0
  /** Heap of run indices, ordered by (ts, run index). */
  private readonly heap: number[] = []

  constructor(private readonly runs: Run[]) {
    this.buffer = (runs[0] as Run).buffer
    runs.forEach((run, i) => {
      if (run.valid) this.push(i)
    })
    this.current()
  }

  close(): void {
    for (const run of this.runs) run.close()
  }

  advance(): void {
    const top = this.heap[0] as number
    const run = this.runs[top] as Run
    run.advance()
    if (run.valid) this.siftDown(0)
    else {
      const last = this.heap.pop() as number
      if (this.heap.length > 0) {
        this.heap[0] = last
        this.siftDown(0)
      }
    }
    this.current()
  }

  private current(): void {
    this.valid = this.heap.length > 0
    if (!this.valid) return
    const run = this.runs[this.heap[0] as number] as Run
    this.buffer = run.buffer
    this.at = run.at
    this.ts = run.ts
  }

  private less(a: number, b: number): boolean {
    const ta = (this.runs[a] as Run).ts
    const tb = (this.runs[b] as Run).ts
    return ta < tb || (ta === tb && a < b)
  }

  private push(run: number): void {
    const heap = this.heap
    heap.push(run)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(heap[i] as number, heap[parent] as number)) break
      ;[heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number]
      i = parent
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && this.less(heap[l] as number, heap[m] as number)) m = l
      if (r < heap.length && this.less(heap[r] as number, heap[m] as number)) m = r
      if (m === i) return
      ;[heap[i], heap[m]] = [heap[m] as number, heap[i] as number]
      i = m
    }
  }
}
