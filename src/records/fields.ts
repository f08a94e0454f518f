import type { MetricSpec, Price } from '../policy/types.js'
import { computeCost, computeUncachedCost, type CostResult } from './pricing.js'
import { SPAN_CONVENTIONS } from './conventions.js'
import { readPath } from './path.js'
import type { RequestRecord } from './record.js'

/** A value that was present but unusable; `invalid` is `<field>: <why>`, the key counted in DataQuality.invalidValues. */
export interface InvalidValue {
  invalid: string
}

/**
 * One request's contribution to a metric: x over y (y = 1 except for ratios). `undefined` when the
 * record has no value for the field (no score on this record), which is not an error.
 */
export type MetricValue = { x: number; y: number } | InvalidValue | undefined

/** Returns a pair object that is reused by the next call: read it before calling again. */
export type MetricValueReader = (r: RequestRecord) => MetricValue

type FieldValue = number | InvalidValue | undefined
type FieldReader = (r: RequestRecord) => FieldValue

/**
 * The raw keys the normalizer reads for each canonical record field, in the order it tries them
 * (normalize.ts; a test checks that each one alone fills its field). The single list of aliases:
 * span conventions add theirs in conventions.ts (SPAN_CONVENTIONS) and LiteLLM rows in litellm.ts,
 * and fieldAliases() lists all three.
 */
export const RECORD_ALIASES = {
  ts: ['ts', 'timestamp', 'start_time'],
  unit: ['unit', 'user_id', 'session_id'],
  latency_ms: ['latency_ms', 'duration_ms', 'gen_ai.client.operation.duration'],
  ttft_ms: ['ttft_ms', 'gen_ai.response.time_to_first_chunk'],
  input_tokens: [
    'input_tokens',
    'prompt_tokens',
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.prompt_tokens'
  ],
  cache_read_tokens: [
    'cache_read_tokens',
    'prompt_tokens_details.cached_tokens',
    'cache_read_input_tokens',
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens'
  ],
  cache_write_tokens: [
    'cache_write_tokens',
    'cache_creation_input_tokens',
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens'
  ],
  output_tokens: [
    'output_tokens',
    'completion_tokens',
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens'
  ],
  model: ['model', 'gen_ai.response.model', 'gen_ai.request.model'],
  fingerprint: [
    'fingerprint',
    'system_fingerprint',
    'openai.response.system_fingerprint',
    'gen_ai.openai.response.system_fingerprint'
  ],
  error: ['error'],
  fallback: ['fallback'],
  cost_usd: ['cost_usd'],
  score: ['score', 'gen_ai.evaluation.score.value'],
  feedback: ['feedback']
} as const satisfies Partial<Record<keyof RequestRecord, readonly string[]>>

/**
 * Every raw name that can fill a canonical field: the row aliases, the span attributes of each
 * tracing convention (OTLP files), and LiteLLM's fields (when the row is one of LiteLLM's).
 */
export function fieldAliases(field: keyof typeof RECORD_ALIASES): string[] {
  const names = new Set<string>(RECORD_ALIASES[field])
  const target = field === 'unit' ? ['user_id', 'session_id'] : [field]
  for (const tables of Object.values(SPAN_CONVENTIONS)) {
    for (const table of tables) {
      for (const t of target) {
        for (const attr of table[t as keyof typeof table]?.from ?? []) names.add(attr)
      }
    }
  }
  return [...names]
}

/** Metric `from` names that read a canonical field (units already converted). */
const CANONICAL: Record<string, string> = {
  ...aliasesOf('latency_ms'),
  ...aliasesOf('ttft_ms'),
  ...aliasesOf('input_tokens'),
  ...aliasesOf('output_tokens'),
  ...aliasesOf('cache_read_tokens'),
  ...aliasesOf('cache_write_tokens'),
  cost_usd: 'cost',
  'gen_ai.evaluation.score.value': 'score'
}

function aliasesOf(field: keyof typeof RECORD_ALIASES): Record<string, string> {
  return Object.fromEntries(
    RECORD_ALIASES[field].filter(alias => alias !== field).map(alias => [alias, field])
  )
}

/**
 * Compiles a metric into a reader of one record's (x, y): for mean, rate and quantile metrics
 * x = the value and y = 1; for ratio metrics x = the `from` field and y = the `per` field. Values
 * that are present but unusable (NaN, Infinity, negative latency, tokens or cost, a score outside
 * [0, 1], a non-numeric string, a rate value other than 0/1) come back as InvalidValue and are
 * never used. A rate reads feedback +1 as 1 and -1 as 0.
 */
export function compileMetricValue(
  spec: MetricSpec,
  pricing: Record<string, Price>
): MetricValueReader {
  const pair = { x: 0, y: 1 }
  const from = fieldReader(spec.from, pricing)
  if (spec.kind === 'ratio') {
    if (spec.per === undefined) throw new Error(`${spec.path}: a ratio metric needs \`per\``)
    const per = fieldReader(spec.per, pricing)
    return r => {
      const x = from(r)
      if (typeof x !== 'number') return x
      const y = per(r)
      if (typeof y !== 'number') return y
      pair.x = x
      pair.y = y
      return pair
    }
  }
  const base = spec.kind === 'rate' ? rateReader(spec.from, from) : from
  const read = spec.range ? rangeReader(spec.from, spec.range, base) : base
  return r => {
    const x = read(r)
    if (typeof x !== 'number') return x
    pair.x = x
    return pair
  }
}

function rateReader(field: string, read: FieldReader): FieldReader {
  const notBinary: InvalidValue = { invalid: `${field}: not 0 or 1, as a rate needs` }
  const isFeedback = canonicalName(field) === 'feedback'
  return r => {
    const v = read(r)
    if (typeof v !== 'number') return v
    if (isFeedback) return v === 1 ? 1 : 0
    return v === 0 || v === 1 ? v : notBinary
  }
}

/**
 * A metric with a declared `range` is bounded: its confidence sequence relies on every value lying
 * in [lo, hi], so one outside is invalid (counted, never used), not clipped.
 */
function rangeReader(
  field: string,
  range: { lo: number; hi: number },
  read: FieldReader
): FieldReader {
  const outside: InvalidValue = {
    invalid: `${field}: outside the metric's range [${range.lo}, ${range.hi}]`
  }
  return r => {
    const v = read(r)
    if (typeof v !== 'number') return v
    return v >= range.lo && v <= range.hi ? v : outside
  }
}

/** The canonical record field an alias names (`duration_ms` -> `latency_ms`); other names as they are. */
export function canonicalName(field: string): string {
  return Object.hasOwn(CANONICAL, field) ? (CANONICAL[field] as string) : field
}

/**
 * The raw-row keys a metric field reads (rawFieldReader, readPath): the flat key and, for a dotted
 * path, each of its prefixes (`a.b.c`, `a.b`, `a`), any of which may hold the rest nested or as
 * JSON. Empty for fields read from the record itself. The parallel file reader ships only these
 * keys.
 */
export function rawKeysRead(field: string): string[] {
  if (recordFieldReader(field, {}) !== undefined) return []
  const keys = [field]
  for (let dot = field.lastIndexOf('.'); dot > 0; dot = field.lastIndexOf('.', dot - 1)) {
    keys.push(field.slice(0, dot))
  }
  return keys
}

function fieldReader(field: string, pricing: Record<string, Price>): FieldReader {
  return recordFieldReader(field, pricing) ?? rawFieldReader(field)
}

/** A reader of a canonical record field (aliases resolved), or undefined for a raw-row field. */
function recordFieldReader(field: string, pricing: Record<string, Price>): FieldReader | undefined {
  const name = canonicalName(field)
  const negative: InvalidValue = { invalid: `${field}: negative or not a finite number` }
  const nonNegative = (v: number | undefined): FieldValue =>
    v === undefined ? undefined : v >= 0 && v < Infinity ? v : negative
  switch (name) {
    case 'latency_ms':
      return r => nonNegative(r.latency_ms)
    case 'ttft_ms':
      return r => nonNegative(r.ttft_ms)
    case 'input_tokens':
      return r => nonNegative(r.input_tokens)
    case 'output_tokens':
      return r => nonNegative(r.output_tokens)
    case 'cache_read_tokens':
      return r => nonNegative(r.cache_read_tokens)
    case 'cache_write_tokens':
      return r => nonNegative(r.cache_write_tokens)
    case 'cost':
      return costReader(field, negative, r => computeCost(r, pricing))
    case 'cost_uncached':
      return costReader(field, negative, r => computeUncachedCost(r, pricing))
    case 'cache_hit':
      return r => {
        const read = nonNegative(r.cache_read_tokens)
        return typeof read === 'number' ? (read > 0 ? 1 : 0) : read
      }
    case 'error':
      return r => (r.error === null ? 0 : 1)
    case 'fallback':
      return r => (r.fallback ? 1 : 0)
    case 'feedback': {
      const notFeedback: InvalidValue = { invalid: `${field}: not +1 or -1` }
      return r => {
        const v = r.feedback
        return v === undefined ? undefined : v === 1 || v === -1 ? v : notFeedback
      }
    }
    case 'score':
      return unitIntervalReader(field, r => r.score)
  }
  if (name.startsWith('error.')) {
    const cls = name.slice('error.'.length).toLowerCase()
    return r => (r.error === cls ? 1 : 0)
  }
  if (name.startsWith('scores.')) {
    const score = name.slice('scores.'.length)
    return unitIntervalReader(field, r => r.scores?.[score])
  }
  return undefined
}

function costReader(
  field: string,
  negative: InvalidValue,
  cost: (r: RequestRecord) => CostResult
): FieldReader {
  return r => {
    const c = cost(r)
    if (c === undefined) return undefined
    if (typeof c !== 'number') return { invalid: `${field}: ${c.invalid}` }
    return c >= 0 && c < Infinity ? c : negative
  }
}

function unitIntervalReader(
  field: string,
  get: (r: RequestRecord) => number | undefined
): FieldReader {
  const outside: InvalidValue = { invalid: `${field}: outside [0, 1] or not a number` }
  return r => {
    const v = get(r)
    return v === undefined ? undefined : v >= 0 && v <= 1 ? v : outside
  }
}

/**
 * Any other field of the raw row: a flat key first (`a.b` as one key, as CSV headers and OTLP
 * attributes have it), else a path into nested objects or JSON strings (readPath). Booleans read as 1 / 0; numeric strings
 * as numbers; negative values are allowed (the field's meaning is the user's).
 */
function rawFieldReader(field: string): FieldReader {
  const dotted = field.includes('.')
  const notNumber: InvalidValue = { invalid: `${field}: not a finite number` }
  return r => {
    // An own key holding undefined counts as absent (the parallel reader's reused raw row).
    const flat = Object.hasOwn(r.raw, field) ? r.raw[field] : undefined
    const v = flat !== undefined ? flat : dotted ? readPath(r.raw, field) : undefined
    if (typeof v === 'number') return Number.isFinite(v) ? v : notNumber
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v === 'boolean') return v ? 1 : 0
    if (typeof v === 'string') {
      // CSV cells arrive as text: a boolean column reads as a 0/1 rate.
      const word = v.trim().toLowerCase()
      if (word === 'true' || word === 'false') return word === 'true' ? 1 : 0
      const n = Number(v)
      return v.trim() !== '' && Number.isFinite(n) ? n : notNumber
    }
    return notNumber
  }
}
/**
 * The raw fields a policy field's values come from, for telling a field the data never has
 * (analysis/fieldsCheck.ts): a canonical field's name and every alias (fieldAliases), any other
 * field itself. `always` for fields every record has a value for (`error`, `fallback`); `priced`
 * for costs, which are also computed from tokens at the policy's prices.
 */
export function fieldSources(field: string): {
  paths: readonly string[]
  always?: true
  priced?: true
} {
  const name = canonicalName(field)
  if (name === 'error' || name === 'fallback' || name.startsWith('error.')) {
    return { paths: [], always: true }
  }
  if (name === 'cost') return { paths: ['cost_usd', ...fieldAliases('input_tokens')], priced: true }
  if (name === 'cost_uncached') return { paths: fieldAliases('input_tokens'), priced: true }
  if (name === 'cache_hit') return { paths: fieldAliases('cache_read_tokens') }
  if (name.startsWith('scores.')) return { paths: [name, ...fieldAliases('score')] }
  return {
    paths: Object.hasOwn(RECORD_ALIASES, name)
      ? fieldAliases(name as keyof typeof RECORD_ALIASES)
      : [field]
  }
}
