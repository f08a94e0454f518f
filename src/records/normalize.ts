import type { Policy } from '../policy/types.js'
import { errorClass } from './errorClass.js'
import { isLiteLlmRow, liteLlmRow } from './litellm.js'
import { flattenPaths } from './path.js'
import { computeCost } from './pricing.js'
import type { Arm, RequestRecord } from './record.js'

export { errorClass }

/** A line that cannot become a record; `malformed` says why, never what the line held. */
export interface Malformed {
  malformed: string
  /** Which required field was missing, for explanations (FieldCatalog.armless, timeless). */
  missing?: 'arm' | 'timestamp'
}

/** A record whose arm label is neither the baseline's nor the canary's. */
export interface UnmatchedArm {
  unmatchedArm: string
}

export type NormalizeResult = RequestRecord | Malformed | UnmatchedArm
export type Normalizer = (raw: Record<string, unknown>) => NormalizeResult

export function isRequestRecord(result: NormalizeResult): result is RequestRecord {
  return (result as RequestRecord).raw !== undefined
}

/**
 * Epoch numbers below 1e11 are read as seconds: 1e11 ms is March 1973, 1e11 s is the year 5138,
 * so no plausible traffic timestamp is ambiguous.
 */
const EPOCH_SECONDS_BELOW = 1e11

/**
 * Compiles the policy into a function from a raw row (a parsed JSONL object, a CSV row, an OTLP
 * span's attributes) to a canonical RequestRecord, resolving the aliases of DESIGN.md ("Canonical
 * request record"). It runs on every line, so every alias is a fixed property read (monomorphic
 * for rows of one shape) and nothing is allocated but the record.
 *
 * Timestamps: an ISO-8601 string (without an offset it is read as UTC, so results do not depend
 * on the machine's time zone), epoch milliseconds, or epoch seconds (numbers below 1e11).
 * A row without `ts` (or `timestamp`, `start_time`) may be one of LiteLLM's spend-log rows or
 * callback payloads, read through litellm.ts. The policy's dotted keys that identify a record (the
 * arm, the unit, segment dimensions) are looked up nested or inside JSON strings too (path.ts),
 * and copied to the flat key so every later reader finds them.
 * Numeric fields keep NaN or negative values as they are: compileMetricValue (fields.ts) rejects
 * them and counts them per field, which it could not do if they were dropped here.
 */
export function createNormalizer(policy: Policy): Normalizer {
  const armField = policy.arms.field
  const noArm: Malformed = { malformed: `no arm field "${armField}"`, missing: 'arm' }
  const arms = armLabels(policy)
  const unitField = policy.arms.unit
  const scoreKeys = policy.metrics.flatMap(m =>
    m.from.startsWith('scores.') ? [{ name: m.from.slice(7), dotted: m.from }] : []
  )
  const pricing = policy.pricing
  const paths = [armField, unitField ?? '', ...(policy.segments?.by ?? [])].filter(
    (key, i, all) => key.includes('.') && all.indexOf(key) === i
  )

  return raw => {
    let ts = timestamp(raw.ts ?? raw.timestamp ?? raw.start_time)
    if (ts === undefined && isLiteLlmRow(raw)) {
      liteLlmRow(raw, timestamp)
      ts = timestamp(raw.ts)
    }
    if (ts === undefined) return NO_TIMESTAMP
    if (paths.length > 0) flattenPaths(raw, paths)
    if (ts !== ts) return INVALID_TIMESTAMP // NaN
    const label = raw[armField]
    if (label === undefined || label === null || label === '') return noArm
    const arm = arms.get(typeof label === 'string' ? label : String(label))
    if (arm === undefined) return { unmatchedArm: String(label) }

    const record: RequestRecord = {
      ts,
      arm,
      unit: idString(
        unitField === undefined ? (raw.unit ?? raw.user_id ?? raw.session_id) : raw[unitField]
      ),
      latency_ms: millis(
        raw.latency_ms ?? raw.duration_ms,
        raw['gen_ai.client.operation.duration']
      ),
      ttft_ms: millis(raw.ttft_ms, raw['gen_ai.response.time_to_first_chunk']),
      input_tokens: inputTokens(raw),
      cache_read_tokens: num(
        raw.cache_read_tokens ??
          child(raw.prompt_tokens_details, 'cached_tokens') ??
          raw['prompt_tokens_details.cached_tokens'] ??
          raw.cache_read_input_tokens ??
          raw['gen_ai.usage.cache_read.input_tokens'] ??
          raw['gen_ai.usage.cache_read_input_tokens']
      ),
      cache_write_tokens: num(
        raw.cache_write_tokens ??
          raw.cache_creation_input_tokens ??
          raw['gen_ai.usage.cache_creation.input_tokens'] ??
          raw['gen_ai.usage.cache_creation_input_tokens']
      ),
      output_tokens: num(
        raw.output_tokens ??
          raw.completion_tokens ??
          raw['gen_ai.usage.output_tokens'] ??
          raw['gen_ai.usage.completion_tokens']
      ),
      // gen_ai.request.model is a last resort: some instrumentations set only the requested model.
      model: idString(raw.model ?? raw['gen_ai.response.model'] ?? raw['gen_ai.request.model']),
      fingerprint: idString(
        raw.fingerprint ??
          raw.system_fingerprint ??
          raw['openai.response.system_fingerprint'] ??
          raw['gen_ai.openai.response.system_fingerprint']
      ),
      error: errorClass(raw.error),
      fallback: flag(raw.fallback),
      cost_usd: num(raw.cost_usd),
      score: num(raw.score ?? raw['gen_ai.evaluation.score.value']),
      scores:
        raw.scores === undefined && scoreKeys.length === 0 ? undefined : scores(raw, scoreKeys),
      feedback: feedback(raw.feedback),
      raw
    }
    if (record.cost_usd === undefined) {
      const cost = computeCost(record, pricing)
      if (typeof cost === 'number') record.cost_usd = cost
    }
    return record
  }
}

const NO_TIMESTAMP: Malformed = {
  malformed: 'no timestamp (ts, timestamp or start_time)',
  missing: 'timestamp'
}
const INVALID_TIMESTAMP: Malformed = { malformed: 'invalid timestamp' }

function armLabels(policy: Policy): Map<string, Arm> {
  const arms = new Map<string, Arm>()
  for (const label of policy.arms.baseline) arms.set(label, 'baseline')
  for (const label of policy.arms.canary) arms.set(label, 'canary')
  return arms
}

/**
 * Anthropic's `input_tokens` excludes cached tokens (it reports them as cache_read_input_tokens and
 * cache_creation_input_tokens); OpenAI's prompt_tokens and OpenTelemetry's
 * gen_ai.usage.input_tokens include them. Canonical input_tokens counts all input.
 */
function inputTokens(raw: Record<string, unknown>): number | undefined {
  const input = raw.input_tokens
  if (input !== undefined && input !== null) {
    const read = raw.cache_read_input_tokens
    const write = raw.cache_creation_input_tokens
    const own = num(input)
    if (own === undefined || (read == null && write == null)) return own
    return own + (num(read) ?? 0) + (num(write) ?? 0)
  }
  return num(
    raw.prompt_tokens ?? raw['gen_ai.usage.input_tokens'] ?? raw['gen_ai.usage.prompt_tokens']
  )
}

/** undefined when absent; NaN when present but not a number (counted as invalid downstream). */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v.trim() === '' ? undefined : Number(v)
  return NaN
}

/** A duration in ms, or else one in seconds (the OpenTelemetry unit) converted to ms. */
function millis(ms: unknown, seconds: unknown): number | undefined {
  const value = num(ms)
  if (value !== undefined) return value
  const s = num(seconds)
  return s === undefined ? undefined : s * 1000
}

function child(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined
}

function idString(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return undefined
}

function flag(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === 'TRUE' || v === 'True' || v === '1'
}

/** Feedback is +1 / -1; booleans are read as thumbs up / down. Anything else is kept for fields.ts to reject. */
function feedback(v: unknown): number | undefined {
  if (v === true) return 1
  if (v === false) return -1
  return num(v)
}

/**
 * Scores from a nested `scores` object, plus dotted `scores.<name>` keys (CSV headers, OTLP
 * attributes) for the names the policy's metrics read, plus an OpenTelemetry evaluation
 * (`gen_ai.evaluation.name` with `gen_ai.evaluation.score.value`).
 */
function scores(
  raw: Record<string, unknown>,
  dottedKeys: { name: string; dotted: string }[]
): Record<string, number> | undefined {
  let out: Record<string, number> | undefined
  const nested = raw.scores
  if (typeof nested === 'object' && nested !== null) {
    for (const name of Object.keys(nested)) {
      const v = num((nested as Record<string, unknown>)[name])
      if (v !== undefined) (out ??= {})[name] = v
    }
  }
  for (const { name, dotted } of dottedKeys) {
    if (out?.[name] !== undefined) continue
    const v = num(raw[dotted])
    if (v !== undefined) (out ??= {})[name] = v
  }
  const evaluation = raw['gen_ai.evaluation.name']
  if (typeof evaluation === 'string' && out?.[evaluation] === undefined) {
    const v = num(raw['gen_ai.evaluation.score.value'])
    if (v !== undefined) (out ??= {})[evaluation] = v
  }
  return out
}

/** Epoch ms, NaN when present but unreadable, undefined when absent. */
function timestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return epochMillis(v)
  if (typeof v === 'string') {
    if (v === '') return undefined
    const iso = parseIsoUtc(v)
    if (iso === iso) return iso
    const n = Number(v)
    return n === n ? epochMillis(n) : Date.parse(v)
  }
  if (v === undefined || v === null) return undefined
  return NaN
}

/** The largest epoch ms a Date can hold (ECMA-262, 21.4.1.1): beyond it no time can be shown. */
const MAX_EPOCH_MS = 8.64e15

function epochMillis(n: number): number {
  if (!Number.isFinite(n)) return NaN
  const ms = n < EPOCH_SECONDS_BELOW ? n * 1000 : n
  return Math.abs(ms) <= MAX_EPOCH_MS ? ms : NaN
}

/** The char codes of the minute (first 16 characters) of the last timestamp parsed, and its epoch ms. */
const lastMinute = new Int32Array(16).fill(-1)
let lastMinuteMs = 0

/**
 * Fast path for the usual RFC 3339 shape, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|+HHMM]`, read by
 * char codes (several times faster than Date.parse; UTC when there is no offset). NaN for anything
 * else, which the caller hands to Date.parse.
 */
function parseIsoUtc(s: string): number {
  const n = s.length
  if (n < 16) return NaN
  // Logs come in time order: most timestamps share the previous one's minute. (Comparing char
  // codes measured faster than s.startsWith or re-parsing the date.)
  if (!sameMinute(s)) {
    const minute = parseMinute(s)
    if (minute !== minute) return NaN
    for (let j = 0; j < 16; j++) lastMinute[j] = s.charCodeAt(j)
    lastMinuteMs = minute
  }
  let i = 16
  let second = 0
  let ms = 0
  if (s.charCodeAt(i) === 58) {
    second = digits2(s, 17)
    i = 19
    if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
      // Any number of fraction digits; those past milliseconds are kept as a fraction of a ms.
      i++
      let scale = 100
      const start = i
      for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) {
        ms += (c - 48) * scale
        scale /= 10
      }
      if (i === start) return NaN
    }
  }
  let offsetMinutes = 0
  if (i < n) {
    const zone = s.charCodeAt(i)
    if (zone === 90 || zone === 122) {
      i++ // 'Z', 'z'
    } else if (zone === 43 || zone === 45) {
      const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0
      const hours = digits2(s, i + 1)
      const minutes = digits2(s, i + 3 + colon)
      offsetMinutes = (zone === 45 ? -1 : 1) * (hours * 60 + minutes)
      i += 5 + colon
    } else {
      return NaN
    }
  }
  // NaN fails every comparison, so a non-digit anywhere ends here.
  if (!(i === n && second <= 60 && offsetMinutes === offsetMinutes)) return NaN
  return lastMinuteMs + (second - offsetMinutes * 60) * 1000 + ms
}

function sameMinute(s: string): boolean {
  for (let j = 0; j < 16; j++) if (s.charCodeAt(j) !== lastMinute[j]) return false
  return true
}

/** Epoch ms of the minute `YYYY-MM-DDTHH:MM` that starts s (no offset applied), or NaN. */
function parseMinute(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58) return NaN
  const sep = s.charCodeAt(10)
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN // 'T', 't', ' '
  const year = digits4(s, 0)
  const month = digits2(s, 5)
  const day = digits2(s, 8)
  const hour = digits2(s, 11)
  const minute = digits2(s, 14)
  const valid =
    year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59
  if (!valid) return NaN
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date: Howard Hinnant's days_from_civil
 * ("chrono-Compatible Low-Level Date Algorithms"), pure arithmetic where Date.UTC is a slow builtin.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

function digits2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48
  const b = s.charCodeAt(at + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN
}

function digits4(s: string, at: number): number {
  const high = digits2(s, at)
  const low = digits2(s, at + 2)
  return high * 100 + low
}
