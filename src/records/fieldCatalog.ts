import type { Policy } from '../policy/types.js'

/**
 * Which raw fields the rows of a read had (DataQuality.fields), so a policy field that never
 * appears can be named with a did-you-mean over the fields that do. Field names only, never
 * values. Bounded, and independent of the order rows are read in, so any split of a file into
 * chunks read on any threads gives the same result as one thread reading it whole.
 */
export interface FieldsSeen {
  /**
   * Field paths seen in rows: top-level keys, and keys of nested objects as dotted paths (not
   * inside arrays, at most MAX_DEPTH deep). The MAX_FIELD_PATHS smallest by (dots, name), sorted
   * that way: the shallow fields a policy names are kept first.
   */
  paths: string[]
  /** More paths were seen than `paths` holds. */
  truncated?: true
  /** In rows without the policy's arm field: top-level fields that held an arm label. */
  armLabelFields?: string[]
  /** In rows without a timestamp: top-level fields that held a date-time or an epoch time. */
  timeFields?: string[]
}

export const MAX_FIELD_PATHS = 256
/** `a.b.c`: fields of objects nested three deep (a whole OpenAI response's `usage` fields). */
const MAX_DEPTH = 3
const MAX_HINT_FIELDS = 10
/** Nodes of the fast path (below); objects past it are walked the slow way, with the same result. */
const MAX_NODES = 512
const MAX_KNOWN_KEYS = 256

/** A date-time as logs write one: `2026-11-02T08:00:00Z`, `2026-11-02 08:00:00.123`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/

/**
 * One level of the rows' structure: the keys of the last object seen at this path (rows of one
 * shape repeat them, and are checked against it without a lookup per key), the keys ever
 * recorded, and the nodes of nested objects.
 */
class ShapeNode {
  last: string[] = []
  readonly known = new Set<string>()
  readonly children = new Map<string, ShapeNode>()
  constructor(
    readonly prefix: string,
    readonly depth: number
  ) {}
}

/**
 * Collects FieldsSeen from raw rows (add), and from other catalogs' results (merge). The set
 * kept is a pure function of the union of the rows' paths: the smallest MAX_FIELD_PATHS by
 * (dots, name) of all seen, whatever the order; likewise the hint fields. Rows of the same shape
 * as the previous one at each level cost a comparison per key.
 */
export class FieldCatalog {
  private readonly paths = new Set<string>()
  /** Once truncated: a path ordered after this one cannot be among the kept ones. */
  private threshold: string | undefined
  private truncated = false
  private readonly root = new ShapeNode('', 1)
  private nodes = 1
  private readonly armLabels: Set<string>
  private readonly armFields = new Set<string>()
  private readonly timeFields = new Set<string>()

  constructor(policy: Pick<Policy, 'arms'>) {
    this.armLabels = new Set([...policy.arms.baseline, ...policy.arms.canary])
  }

  /** A raw row (a JSON object, a CSV row, an OTLP span's attributes). */
  add(raw: Record<string, unknown>): void {
    this.visit(this.root, raw)
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

  /** Another catalog's result (a worker's chunk): the same as having read its rows here. */
  merge(seen: FieldsSeen): void {
    for (const path of seen.paths) this.addPath(path)
    if (seen.truncated) this.truncated = true
    for (const f of seen.armLabelFields ?? []) addCapped(this.armFields, f)
    for (const f of seen.timeFields ?? []) addCapped(this.timeFields, f)
  }

  result(): FieldsSeen {
    const paths = [...this.paths].sort(byDepthThenName)
    const seen: FieldsSeen = { paths: paths.slice(0, MAX_FIELD_PATHS) }
    if (this.truncated || paths.length > MAX_FIELD_PATHS) seen.truncated = true
    if (this.armFields.size > 0) seen.armLabelFields = [...this.armFields].sort()
    if (this.timeFields.size > 0) seen.timeFields = [...this.timeFields].sort()
    return seen
  }

  private visit(node: ShapeNode, obj: Record<string, unknown>): void {
    const last = node.last
    let i = 0
    let same = true
    for (const key in obj) {
      if (same && last[i] !== key) same = false
      i++
      const v = obj[key]
      if (node.depth < MAX_DEPTH && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const child = this.child(node, key)
        if (child) this.visit(child, v as Record<string, unknown>)
        else this.walk(node.prefix + key, v as Record<string, unknown>, node.depth + 1)
      }
    }
    if (same && i === last.length) return
    const keys = Object.keys(obj)
    node.last = keys
    for (const key of keys) {
      if (node.known.has(key)) continue
      if (node.known.size < MAX_KNOWN_KEYS) node.known.add(key)
      this.addPath(node.prefix + key)
    }
  }

  private child(node: ShapeNode, key: string): ShapeNode | undefined {
    const child = node.children.get(key)
    if (child !== undefined || this.nodes >= MAX_NODES) return child
    this.nodes++
    const created = new ShapeNode(`${node.prefix}${key}.`, node.depth + 1)
    node.children.set(key, created)
    return created
  }

  /** The same paths as visit(), without nodes: for structures past MAX_NODES. */
  private walk(prefix: string, obj: Record<string, unknown>, depth: number): void {
    for (const key in obj) {
      const path = `${prefix}.${key}`
      this.addPath(path)
      const v = obj[key]
      if (depth < MAX_DEPTH && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        this.walk(path, v as Record<string, unknown>, depth + 1)
      }
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
