import type { Policy } from '../policy/types.js'
import { compileMetricValue, type MetricValueReader } from '../records/fields.js'
import type { RequestRecord } from '../records/record.js'
import { dimensionValue } from '../sketch/evidenceBuilder.js'
import { hashUnit, type UnitKey } from '../sketch/unitIndex.js'

/**
 * A request record reduced to what the evidence of any window needs, as one fixed-size binary
 * row: `backtest` and `plan` read the logs once into rows (rowStore.ts) and build the evidence of
 * every look from them (windowEvidence.ts), so no look reads a file again and memory holds rows
 * in a bounded buffer, never record objects.
 *
 * A row holds what EvidenceBuilder.add reads of a record: the time, the arm, the unit's 64-bit
 * hash, the segment key, the served model key, the error class, the fallback flag, each metric's
 * value (or the key of the invalid value it had), and the fields of the prompt-cache sums
 * (tokens, latency, time to first token, billed cost), each with a flag saying it was present.
 * Strings (segment keys, model keys, error classes, invalid-value keys) are interned: the row
 * holds their number.
 *
 * Layout (byte offsets; `f64` fields 8-aligned):
 *   0 ts f64 | 8 flags i32 | 12 h1 i32 | 16 h2 i32 | 20 segment i32 | 24 model key i32 |
 *   28 error i32 | 32.. one status byte per metric (0 none, 1 value, 2 + k: invalid key k) |
 *   then per metric x f64 (and y f64 for a ratio) | then the cache fields, f64 each.
 */
export const F_CANARY = 1
export const F_UNIT = 2
export const F_FALLBACK = 4
/** Cache fields present: bit CACHE_FLAG << i for CACHE_FIELDS[i]. */
const CACHE_FLAG = 8

/** The record fields the prompt-cache sums read (sketch/cacheSums.ts, records/pricing.ts). */
export const CACHE_FIELDS = [
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'output_tokens',
  'latency_ms',
  'ttft_ms',
  'cost_usd'
] as const satisfies readonly (keyof RequestRecord)[]

/** Index of `input_tokens` in CACHE_FIELDS: its presence decides whether a row has cache sums. */
export const INPUT_TOKENS = 0

/** Status byte of a metric in a row. */
export const NO_VALUE_STATUS = 0
export const VALUE_STATUS = 1
const INVALID_BASE = 2
/** Distinct invalid-value keys a row can name; later ones share the last key. */
const MAX_INVALID_IDS = 255 - INVALID_BASE

/** Strings to small integers and back; past `cap` distinct strings, every new one gets `overflow`. */
export class Interner {
  private readonly ids = new Map<string, number>()
  readonly values: string[] = []

  constructor(
    private readonly cap: number,
    /** The string the ids past the cap stand for. */
    private readonly overflow: string
  ) {}

  id(value: string): number {
    const known = this.ids.get(value)
    if (known !== undefined) return known
    if (this.values.length >= this.cap && value !== this.overflow) return this.id(this.overflow)
    const id = this.values.length
    this.ids.set(value, id)
    this.values.push(value)
    return id
  }

  value(id: number): string {
    return this.values[id] as string
  }

  /** True once new strings get the overflow id. */
  get full(): boolean {
    return this.values.length >= this.cap
  }
}

/** Byte offsets of a policy's row fields, and the row size. */
export class RowLayout {
  static readonly TS = 0
  static readonly FLAGS = 8
  static readonly H1 = 12
  static readonly H2 = 16
  static readonly SEGMENT = 20
  static readonly MODEL = 24
  static readonly ERROR = 28
  static readonly STATUS = 32
  /** Number of metrics (policy order). */
  readonly metrics: number
  readonly ratio: boolean[]
  /** Byte offset of metric i's x, and of its y (-1: y = 1). */
  readonly xAt: Int32Array
  readonly yAt: Int32Array
  /** Byte offset of CACHE_FIELDS[0]; field i is 8 i further. */
  readonly cacheAt: number
  /** Bytes per row, a multiple of 8. */
  readonly stride: number

  constructor(policy: Policy) {
    this.metrics = policy.metrics.length
    this.ratio = policy.metrics.map(m => m.kind === 'ratio')
    let at = align8(RowLayout.STATUS + this.metrics)
    this.xAt = new Int32Array(this.metrics)
    this.yAt = new Int32Array(this.metrics).fill(-1)
    for (let i = 0; i < this.metrics; i++) {
      this.xAt[i] = at
      at += 8
      if (this.ratio[i]) {
        this.yAt[i] = at
        at += 8
      }
    }
    this.cacheAt = at
    this.stride = at + 8 * CACHE_FIELDS.length
  }
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8

/** Typed views of a buffer of rows. */
export interface RowBuffer {
  bytes: Uint8Array
  f64: Float64Array
  i32: Int32Array
}

export function rowBuffer(bytes: number): RowBuffer {
  const buffer = new ArrayBuffer(bytes)
  return {
    bytes: new Uint8Array(buffer),
    f64: new Float64Array(buffer),
    i32: new Int32Array(buffer)
  }
}

/** Reads the fields of the row at byte offset `at` of `b` (the accumulators' one way in). */
export class RowReader {
  constructor(readonly layout: RowLayout) {}

  ts(b: RowBuffer, at: number): number {
    return b.f64[at / 8] as number
  }

  flags(b: RowBuffer, at: number): number {
    return b.i32[(at + RowLayout.FLAGS) / 4] as number
  }

  int(b: RowBuffer, at: number, field: number): number {
    return b.i32[(at + field) / 4] as number
  }

  status(b: RowBuffer, at: number, metric: number): number {
    return b.bytes[at + RowLayout.STATUS + metric] as number
  }

  x(b: RowBuffer, at: number, metric: number): number {
    return b.f64[(at + (this.layout.xAt[metric] as number)) / 8] as number
  }

  /** y of a ratio metric, else 1. */
  y(b: RowBuffer, at: number, metric: number): number {
    const y0 = this.layout.yAt[metric] as number
    return y0 < 0 ? 1 : (b.f64[(at + y0) / 8] as number)
  }

  /** CACHE_FIELDS[field], or undefined when the record did not have it. */
  cache(b: RowBuffer, at: number, field: number): number | undefined {
    if ((this.flags(b, at) & (CACHE_FLAG << field)) === 0) return undefined
    return b.f64[(at + this.layout.cacheAt + 8 * field) / 8] as number
  }
}

/** The invalid-value key index a status byte names, or -1 when it is a value or none. */
export const invalidKeyOf = (status: number): number =>
  status >= INVALID_BASE ? status - INVALID_BASE : -1

/**
 * Writes records as rows: reads each metric's value with the evaluation's own readers
 * (records/fields.ts) and the segment key as EvidenceBuilder does, and interns the strings.
 */
export class RowEncoder {
  readonly layout: RowLayout
  readonly reader: RowReader
  /** Segment keys, `dim=value|dim=value` in the policy's `segments.by` order. */
  readonly segments = new Interner(10_000, '(other)')
  /** `model` or `model#fingerprint`, as Cell.models counts them; `modelOf` has the model alone. */
  readonly modelKeys = new Interner(1_000, 'other')
  readonly modelOf: (string | undefined)[] = []
  readonly errors = new Interner(1_000, '(other)')
  readonly invalidKeys = new Interner(MAX_INVALID_IDS, '(other)')
  /** Smallest and largest valid value of each metric (to tell bounded scores; plan.ts). */
  readonly min: Float64Array
  readonly max: Float64Array
  private readonly readers: MetricValueReader[]
  private readonly dimensions: string[]
  private readonly unitKey: UnitKey = { h1: 0, h2: 0 }

  constructor(policy: Policy) {
    this.layout = new RowLayout(policy)
    this.reader = new RowReader(this.layout)
    this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing))
    this.dimensions = policy.segments?.by ?? []
    this.min = new Float64Array(this.layout.metrics).fill(Infinity)
    this.max = new Float64Array(this.layout.metrics).fill(-Infinity)
  }

  /** Writes `r` at byte offset `at` of `b`. `unit`: the unit's hash when a worker computed it. */
  encode(r: RequestRecord, unit: UnitKey | undefined, b: RowBuffer, at: number): void {
    const { layout } = this
    b.bytes.fill(0, at, at + layout.stride)
    b.f64[at / 8] = r.ts
    let flags = r.arm === 'canary' ? F_CANARY : 0
    const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey))
    if (key !== undefined) {
      flags |= F_UNIT
      b.i32[(at + RowLayout.H1) / 4] = key.h1
      b.i32[(at + RowLayout.H2) / 4] = key.h2
    }
    if (r.fallback) flags |= F_FALLBACK
    b.i32[(at + RowLayout.SEGMENT) / 4] = this.dimensions.length > 0 ? this.segmentId(r.raw) : -1
    b.i32[(at + RowLayout.MODEL) / 4] =
      r.model === undefined ? -1 : this.modelKeyId(r.model, r.fingerprint)
    b.i32[(at + RowLayout.ERROR) / 4] = r.error === null ? -1 : this.errors.id(r.error)
    for (let i = 0; i < layout.metrics; i++) {
      const v = (this.readers[i] as MetricValueReader)(r)
      if (v === undefined) continue
      if ('invalid' in v) {
        b.bytes[at + RowLayout.STATUS + i] = INVALID_BASE + this.invalidKeys.id(v.invalid)
        continue
      }
      b.bytes[at + RowLayout.STATUS + i] = VALUE_STATUS
      b.f64[(at + (layout.xAt[i] as number)) / 8] = v.x
      const y0 = layout.yAt[i] as number
      if (y0 >= 0) b.f64[(at + y0) / 8] = v.y
      if (v.x < (this.min[i] as number)) this.min[i] = v.x
      if (v.x > (this.max[i] as number)) this.max[i] = v.x
    }
    for (let f = 0; f < CACHE_FIELDS.length; f++) {
      const value = r[CACHE_FIELDS[f] as (typeof CACHE_FIELDS)[number]]
      if (value === undefined) continue
      flags |= CACHE_FLAG << f
      b.f64[(at + layout.cacheAt + 8 * f) / 8] = value
    }
    b.i32[(at + RowLayout.FLAGS) / 4] = flags
  }

  /** Segment key ids by dimension value, one level per dimension: no string built per record. */
  private readonly segmentTrie = new Map<string, unknown>()

  private segmentId(raw: Record<string, unknown>): number {
    const dims = this.dimensions
    let node = this.segmentTrie
    for (let d = 0; d < dims.length - 1; d++) {
      const value = dimensionValue(raw[dims[d] as string])
      let next = node.get(value) as Map<string, unknown> | undefined
      if (!next) node.set(value, (next = new Map()))
      node = next
    }
    const value = dimensionValue(raw[dims[dims.length - 1] as string])
    let id = node.get(value) as number | undefined
    if (id === undefined) {
      const key = dims.map(d => `${d}=${dimensionValue(raw[d])}`).join('|')
      id = this.segments.id(key)
      // Past the cap every new key is the overflow: remembering them would grow without bound.
      if (!this.segments.full) node.set(value, id)
    }
    return id
  }

  private lastModel: string | undefined
  private lastFingerprint: string | undefined
  private lastModelId = -1

  private modelKeyId(model: string, fingerprint: string | undefined): number {
    if (model === this.lastModel && fingerprint === this.lastFingerprint) return this.lastModelId
    const id = this.modelKeys.id(fingerprint === undefined ? model : `${model}#${fingerprint}`)
    this.modelOf[id] ??= model
    this.lastModel = model
    this.lastFingerprint = fingerprint
    this.lastModelId = id
    return id
  }
}
