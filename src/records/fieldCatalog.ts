import type { Policy } from '../policy/types.js'

/**
 * Which raw fields the rows of a read had (DataQuality.fields), so a policy field that never
 * appears can be named with a did-you-mean over the fields that do. Field names only, never
 * values. Bounded, and the same however a file is split into chunks read on any threads.
 */
export interface FieldsSeen {
  /**
   * Field paths seen: every row's top-level keys, and the keys of nested objects (as dotted
   * paths, at most three deep, not inside arrays) in the first NESTED_ROWS rows of each file. The
   * MAX_FIELD_PATHS smallest by (dots, name), sorted that way: the shallow fields a policy names
   * are kept first.
   */
  paths: string[]
  /** More paths were seen than `paths` holds. */
  truncated?: true
  /** In rows without the policy's arm field: top-level fields that held an arm label. */
  armLabelFields?: string[]
  /** In rows without a timestamp: top-level fields that held a date-time or an epoch time. */
  timeFields?: string[]
}

/** What a parsing worker notes about one chunk, for the reading thread's catalog (merge). */
export interface ChunkFields {
  /** The chunk's top-level keys and hint fields (order-free: merged as a union). */
  seen: FieldsSeen
  /**
   * For the chunk's first NESTED_ROWS rows, in order: the nested paths each row had that no
   * earlier row of the chunk had. The reading thread takes as many rows as its file still walks.
   */
  nestedByRow: string[][]
}

export const MAX_FIELD_PATHS = 256
/** Rows per file whose nested objects are walked (a value read per key: too slow for every row). */
export const NESTED_ROWS = 2000
/** `a.b.c`: fields of objects nested three deep (a whole OpenAI response's `usage` fields). */
const MAX_DEPTH = 3
const MAX_HINT_FIELDS = 10
/** Distinct row shapes remembered; a row of a remembered shape costs a comparison per key. */
const MAX_SHAPES = 16
/** Top-level keys remembered as recorded; past it, each new shape's keys go to addPath. */
const MAX_KNOWN_KEYS = 4096
/** Nested paths walked per row. */
const MAX_ROW_PATHS = 64

/** A date-time as logs write one: `2026-11-02T08:00:00Z`, `2026-11-02 08:00:00.123`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/

/**
 * Collects FieldsSeen from raw rows (add), file by file (beginFile), and from workers' chunks
 * (mergeChunk). Top-level keys are noted for every row, without reading a value: rows of a shape
 * seen recently (the same keys in the same order) cost a comparison per key. Nested objects are
 * walked for the first NESTED_ROWS rows of each file. The kept set is the smallest
 * MAX_FIELD_PATHS of all paths noted, by (dots, name), so it does not depend on the order paths
 * arrive in.
 */
export class FieldCatalog {
  private readonly paths = new Set<string>()
  /** Once truncated: a path ordered after this one cannot be among the kept ones. */
  private threshold: string | undefined
  private truncated = false
  private readonly shapes: string[][] = []
  private readonly scratch: string[] = []
  private readonly known = new Set<string>()
  /** Rows of the current file whose nested objects were walked. */
  private nestedRows = 0
  /** For a worker's chunk (chunk()): each walked row's new nested paths. */
  private readonly nestedByRow: string[][] | undefined
  private readonly chunkNested = new Set<string>()
  private readonly armLabels: Set<string>
  private readonly armFields = new Set<string>()
  private readonly timeFields = new Set<string>()

  /** Rows per file whose nested objects are walked. */
  private readonly nestedLimit: number

  /**
   * `chunk`: a worker's catalog of one chunk (see chunk()), walking the nested objects of at most
   * `nestedRows` rows: what the file may still need (nestedRowsLeft of the reading thread's).
   */
  constructor(
    policy: Pick<Policy, 'arms'>,
    options: { chunk?: boolean; nestedRows?: number } = {}
  ) {
    this.armLabels = new Set([...policy.arms.baseline, ...policy.arms.canary])
    if (options.chunk) this.nestedByRow = []
    this.nestedLimit = Math.min(NESTED_ROWS, options.nestedRows ?? NESTED_ROWS)
  }

  /** Rows of the current file whose nested objects are still to be walked. */
  nestedRowsLeft(): number {
    return Math.max(0, this.nestedLimit - this.nestedRows)
  }

  /** The next rows are a new file's: its first NESTED_ROWS rows are walked. */
  beginFile(): void {
    this.nestedRows = 0
  }

  /** A raw row (a JSON object, a CSV row, an OTLP span's attributes). */
  add(raw: Record<string, unknown>): void {
    const scratch = this.scratch
    let n = 0
    for (const key in raw) scratch[n++] = key
    if (!this.knownShape(n)) this.newShape(n)
    if (this.nestedRows < this.nestedLimit) {
      this.nestedRows++
      const nested = this.nestedByRow
      if (!nested) {
        this.walk('', raw, 1, { left: MAX_ROW_PATHS }, path => this.addPath(path))
        return
      }
      // A worker's chunk: its rows' nested paths go to nestedByRow only, since the reading
      // thread takes only as many rows as its file still walks.
      const found: string[] = []
      this.walk('', raw, 1, { left: MAX_ROW_PATHS }, path => {
        if (this.chunkNested.has(path)) return
        this.chunkNested.add(path)
        found.push(path)
      })
      nested.push(found)
    }
  }

  /** A row without the arm field: which of its fields hold an arm label (a misnamed arm field). */
  armless(raw: Record<string, unknown>): void {
    for (const key in raw) {
      const v = raw[key]
      const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
      if (text !== undefined && this.armLabels.has(text)) addCapped(this.armFields, key)
    }
  }

  /** A row without a timestamp: which of its fields hold a time (a misnamed timestamp). */
  timeless(raw: Record<string, unknown>): void {
    for (const key in raw) {
      const v = raw[key]
      if (typeof v === 'string' ? DATE_TIME.test(v) : typeof v === 'number' && isEpoch(v)) {
        addCapped(this.timeFields, key)
      }
    }
  }

  /** What a worker noted about its chunk (a catalog made with `chunk: true`). */
  chunk(): ChunkFields {
    return { seen: this.result(), nestedByRow: this.nestedByRow ?? [] }
  }

  /** A worker's chunk of the current file: the same as having read its rows here. */
  mergeChunk(chunk: ChunkFields): void {
    for (const path of chunk.seen.paths) this.addPath(path)
    if (chunk.seen.truncated) this.truncated = true
    for (const f of chunk.seen.armLabelFields ?? []) addCapped(this.armFields, f)
    for (const f of chunk.seen.timeFields ?? []) addCapped(this.timeFields, f)
    for (const row of chunk.nestedByRow) {
      if (this.nestedRows >= NESTED_ROWS) break
      this.nestedRows++
      for (const path of row) this.addPath(path)
    }
  }

  result(): FieldsSeen {
    const paths = [...this.paths].sort(byDepthThenName)
    const seen: FieldsSeen = { paths: paths.slice(0, MAX_FIELD_PATHS) }
    if (this.truncated || paths.length > MAX_FIELD_PATHS) seen.truncated = true
    if (this.armFields.size > 0) seen.armLabelFields = [...this.armFields].sort()
    if (this.timeFields.size > 0) seen.timeFields = [...this.timeFields].sort()
    return seen
  }

  /** Whether the n keys in scratch are a remembered shape. */
  private knownShape(n: number): boolean {
    const scratch = this.scratch
    for (const shape of this.shapes) {
      if (shape.length !== n) continue
      let i = 0
      while (i < n && shape[i] === scratch[i]) i++
      if (i === n) return true
    }
    return false
  }

  private newShape(n: number): void {
    const keys = this.scratch.slice(0, n)
    if (this.shapes.length >= MAX_SHAPES) this.shapes.shift()
    this.shapes.push(keys)
    for (const key of keys) {
      if (this.known.has(key)) continue
      if (this.known.size < MAX_KNOWN_KEYS) this.known.add(key)
      this.addPath(key)
    }
  }

  /**
   * The nested paths under `obj` (at `prefix`), at most `budget.left` of them per row (the same
   * rows give the same paths however the file is split).
   */
  private walk(
    prefix: string,
    obj: Record<string, unknown>,
    depth: number,
    budget: { left: number },
    note: (path: string) => void
  ): void {
    if (depth >= MAX_DEPTH) return
    for (const key in obj) {
      const v = obj[key]
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue
      const path = prefix + key
      for (const child in v as Record<string, unknown>) {
        if (budget.left-- <= 0) return
        note(`${path}.${child}`)
      }
      this.walk(`${path}.`, v as Record<string, unknown>, depth + 1, budget, note)
    }
  }

  private addPath(path: string): void {
    if (this.paths.has(path)) return
    if (this.threshold !== undefined && byDepthThenName(path, this.threshold) > 0) return
    this.paths.add(path)
    if (this.paths.size <= 2 * MAX_FIELD_PATHS) return
    // Keep the smallest MAX_FIELD_PATHS: nothing dropped here can be among the final ones.
    const kept = [...this.paths].sort(byDepthThenName).slice(0, MAX_FIELD_PATHS)
    this.paths.clear()
    for (const p of kept) this.paths.add(p)
    this.threshold = kept[kept.length - 1]
    this.truncated = true
  }
}

const dots = (path: string): number => {
  let n = 0
  for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) n++
  return n
}

function byDepthThenName(a: string, b: string): number {
  return dots(a) - dots(b) || (a < b ? -1 : a > b ? 1 : 0)
}

/** The alphabetically first MAX_HINT_FIELDS: also the same whatever the order. */
function addCapped(set: Set<string>, key: string): void {
  if (set.has(key)) return
  set.add(key)
  if (set.size <= MAX_HINT_FIELDS) return
  const last = [...set].sort().at(-1) as string
  set.delete(last)
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds between 2001 and 2286. */
function isEpoch(v: number): boolean {
  const a = Math.abs(v)
  return (a >= 1e9 && a < 1e10) || (a >= 1e12 && a < 1e13) || (a >= 1e15 && a < 1e16) || a >= 1e18
}
