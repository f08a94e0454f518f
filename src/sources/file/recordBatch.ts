import type { Policy } from '../../policy/types.js'
import { rawKeysRead } from '../../records/fields.js'
import type { RequestRecord } from '../../records/record.js'
import { hashUnit, type UnitKey } from '../../sketch/unitIndex.js'

/**
 * Records in columns, for handing from a parsing worker to the thread that builds the evidence:
 * typed arrays move between threads without a copy, where structured-cloning a record object per
 * line would cost about as much as the JSON.parse it saves. A record keeps only the raw keys the
 * evidence reads (segment dimensions, metric fields without a canonical name), never the rest of
 * the line, and its unit as the id's hash (hashUnit, computed here in the worker), not the id.
 *
 * Strings travel as one JSON text, not as a cloned array: JSON.parse internalizes short strings
 * (V8's JsonParser), so the unit ids it returns are found in the builder's unit table at pointer
 * speed, where each cloned string must first be hashed and looked up in the string table (three
 * times slower per record, measured). Other values (numbers, which may be NaN; objects) are
 * cloned.
 */
export interface RecordBatch {
  count: number
  /** NUMBERS presence bits (ts always present), then CANARY, FALLBACK, UNIT. */
  flags: Uint16Array<ArrayBuffer>
  numbers: Float64Array<ArrayBuffer>
  /** Per record with UNIT: its id's hash, h1 then h2. */
  units: Int32Array<ArrayBuffer>
  /**
   * Per record: REFS then one per raw key. i >= 0 is strings[i], -1 undefined, -2 - i others[i].
   */
  refs: Int32Array<ArrayBuffer>
  /** JSON array of strings. */
  strings: string
  others: unknown[]
}

const NUMBERS = [
  'ts',
  'latency_ms',
  'ttft_ms',
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'output_tokens',
  'cost_usd',
  'score',
  'feedback'
] as const satisfies readonly (keyof RequestRecord)[]
const REFS = [
  'model',
  'fingerprint',
  'error',
  'scores'
] as const satisfies readonly (keyof RequestRecord)[]
const CANARY = 1 << NUMBERS.length
const FALLBACK = CANARY << 1
const UNIT = FALLBACK << 1

/** The raw keys the evidence reads for this policy: segment dimensions and raw metric fields. */
export function rawKeysFor(policy: Policy): string[] {
  const keys = new Set(policy.segments?.by ?? [])
  for (const m of policy.metrics) {
    for (const key of rawKeysRead(m.from)) keys.add(key)
    if (m.per !== undefined) for (const key of rawKeysRead(m.per)) keys.add(key)
    for (const c of m.varianceReduction?.covariates ?? []) {
      // A categorical covariate is read from the raw row by its name (CovariateCollector).
      const read = c.type === 'categorical' ? [c.field] : rawKeysRead(c.field)
      for (const key of read) keys.add(key)
    }
  }
  return [...keys]
}

export type BatchColumns = Pick<RecordBatch, 'flags' | 'numbers' | 'units' | 'refs'>

/** The buffers to transfer (not copy) with a postMessage of these columns. */
export function transferList(columns: BatchColumns): ArrayBuffer[] {
  return [columns.flags.buffer, columns.numbers.buffer, columns.units.buffer, columns.refs.buffer]
}

/**
 * Fills a RecordBatch one record at a time (in a worker). A taken batch's arrays are handed over
 * whole (the receiver reads `count` records) and come back through recycle(), so a worker cycles
 * through a few sets of arrays instead of leaving one per batch for the garbage collector.
 */
export class RecordBatchWriter {
  private count = 0
  private columns: BatchColumns
  private readonly spare: BatchColumns[] = []
  private strings: string[] = []
  private others: unknown[] = []
  /** Repeated strings (models, segment values) are stored once per batch. */
  private readonly index = new Map<string, number>()
  private readonly width: number
  private readonly unitKey: UnitKey = { h1: 0, h2: 0 }

  constructor(private readonly rawKeys: readonly string[]) {
    this.width = REFS.length + rawKeys.length
    this.columns = this.allocate(1 << 13)
  }

  add(r: RequestRecord): void {
    if (this.count === this.columns.flags.length) this.grow()
    const { flags, numbers, units, refs } = this.columns
    const i = this.count++
    let f = r.arm === 'canary' ? CANARY : 0
    if (r.fallback) f |= FALLBACK
    if (r.unit !== undefined) {
      f |= UNIT
      hashUnit(r.unit, this.unitKey)
      units[2 * i] = this.unitKey.h1
      units[2 * i + 1] = this.unitKey.h2
    }
    // Field by field, as forEachBatchRecord reads them (a loop over names was a keyed load each).
    const at = i * NUMBERS.length
    numbers[at] = r.ts
    f |= this.number(numbers, at + 1, r.latency_ms, 2)
    f |= this.number(numbers, at + 2, r.ttft_ms, 4)
    f |= this.number(numbers, at + 3, r.input_tokens, 8)
    f |= this.number(numbers, at + 4, r.cache_read_tokens, 16)
    f |= this.number(numbers, at + 5, r.cache_write_tokens, 32)
    f |= this.number(numbers, at + 6, r.output_tokens, 64)
    f |= this.number(numbers, at + 7, r.cost_usd, 128)
    f |= this.number(numbers, at + 8, r.score, 256)
    f |= this.number(numbers, at + 9, r.feedback, 512)
    flags[i] = f
    const ref = i * this.width
    refs[ref] = this.ref(r.model)
    refs[ref + 1] = this.ref(r.fingerprint)
    refs[ref + 2] = this.ref(r.error ?? undefined)
    refs[ref + 3] = this.ref(r.scores)
    for (let j = 0; j < this.rawKeys.length; j++) {
      const key = this.rawKeys[j] as string
      refs[ref + REFS.length + j] = Object.hasOwn(r.raw, key) ? this.ref(r.raw[key]) : -1
    }
  }

  /** The batch so far; its arrays are the receiver's until recycle() gives them back. */
  take(): RecordBatch {
    const { flags, numbers, units, refs } = this.columns
    const batch: RecordBatch = {
      count: this.count,
      flags,
      numbers,
      units,
      refs,
      strings: JSON.stringify(this.strings),
      others: this.others
    }
    this.columns = this.spare.pop() ?? this.allocate(this.columns.flags.length)
    this.count = 0
    this.strings = []
    this.others = []
    this.index.clear()
    return batch
  }

  recycle({ flags, numbers, units, refs }: BatchColumns): void {
    if (flags.length >= this.columns.flags.length) this.spare.push({ flags, numbers, units, refs })
  }

  private number(numbers: Float64Array, at: number, v: number | undefined, bit: number): number {
    if (v === undefined) return 0
    numbers[at] = v
    return bit
  }

  private ref(v: unknown): number {
    if (v === undefined) return -1
    if (typeof v !== 'string') return -2 - (this.others.push(v) - 1)
    let at = this.index.get(v)
    if (at === undefined) {
      at = this.strings.push(v) - 1
      this.index.set(v, at)
    }
    return at
  }

  private allocate(records: number): BatchColumns {
    return {
      flags: new Uint16Array(records),
      numbers: new Float64Array(records * NUMBERS.length),
      units: new Int32Array(records * 2),
      refs: new Int32Array(records * this.width)
    }
  }

  private grow(): void {
    const bigger = this.allocate(this.columns.flags.length * 2)
    bigger.flags.set(this.columns.flags)
    bigger.numbers.set(this.columns.numbers)
    bigger.units.set(this.columns.units)
    bigger.refs.set(this.columns.refs)
    this.columns = bigger
    this.spare.length = 0
  }
}

/**
 * Calls `add` with each record of a batch, in the normalizer's shape, and its unit's hash (the id
 * itself stays in the worker: `unit` is undefined). The same record object (and raw row, whose
 * absent keys hold undefined) and the same key are refilled for every record, so `add` must not
 * keep them: EvidenceBuilder.add and firstCanaryTime's sink only read them. Allocating objects
 * per record here cost more than the whole rest of this loop.
 */
export function forEachBatchRecord(
  batch: RecordBatch,
  rawKeys: readonly string[],
  add: (r: RequestRecord, unit: UnitKey | undefined) => void
): void {
  const { flags, numbers, units, refs, others } = batch
  const strings = JSON.parse(batch.strings) as string[]
  const value = (at: number): unknown =>
    at >= 0 ? strings[at] : at === -1 ? undefined : others[-2 - at]
  const raw: Record<string, unknown> = {}
  for (const key of rawKeys) raw[key] = undefined
  const r: RequestRecord = {
    ts: 0,
    arm: 'baseline',
    unit: undefined,
    latency_ms: undefined,
    ttft_ms: undefined,
    input_tokens: undefined,
    cache_read_tokens: undefined,
    cache_write_tokens: undefined,
    output_tokens: undefined,
    model: undefined,
    fingerprint: undefined,
    error: null,
    fallback: false,
    cost_usd: undefined,
    score: undefined,
    scores: undefined,
    feedback: undefined,
    raw
  }
  const key: UnitKey = { h1: 0, h2: 0 }
  const width = REFS.length + rawKeys.length
  const count = NUMBERS.length
  for (let i = 0; i < batch.count; i++) {
    const f = flags[i] as number
    const at = i * count
    const ref = i * width
    for (let j = 0; j < rawKeys.length; j++) {
      raw[rawKeys[j] as string] = value(refs[ref + REFS.length + j] as number)
    }
    r.ts = numbers[at] as number
    r.arm = f & CANARY ? 'canary' : 'baseline'
    r.latency_ms = f & 2 ? numbers[at + 1] : undefined
    r.ttft_ms = f & 4 ? numbers[at + 2] : undefined
    r.input_tokens = f & 8 ? numbers[at + 3] : undefined
    r.cache_read_tokens = f & 16 ? numbers[at + 4] : undefined
    r.cache_write_tokens = f & 32 ? numbers[at + 5] : undefined
    r.output_tokens = f & 64 ? numbers[at + 6] : undefined
    r.model = value(refs[ref] as number) as string | undefined
    r.fingerprint = value(refs[ref + 1] as number) as string | undefined
    r.error = (value(refs[ref + 2] as number) as string | undefined) ?? null
    r.fallback = (f & FALLBACK) !== 0
    r.cost_usd = f & 128 ? numbers[at + 7] : undefined
    r.score = f & 256 ? numbers[at + 8] : undefined
    r.scores = value(refs[ref + 3] as number) as Record<string, number> | undefined
    r.feedback = f & 512 ? numbers[at + 9] : undefined
    if (f & UNIT) {
      key.h1 = units[2 * i] as number
      key.h2 = units[2 * i + 1] as number
      add(r, key)
    } else add(r, undefined)
  }
}
