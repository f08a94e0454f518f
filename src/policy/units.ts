/**
 * Strict parsers for the policy's scalar syntax: durations, percentages, percentage points and plain
 * numbers. They never throw: each returns the value or a message saying what is wrong and how to
 * write it. The patterns are exported so the JSON Schema uses the very same syntax.
 */

/** The value, or a message for the user. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
export const fail = (error: string): Parsed<never> => ({ ok: false, error })

/** An unsigned decimal: digits, then an optional fraction (`5`, `0.5`; not `.5`, `5.`, `1e3`). */
export const DECIMAL = String.raw`\d+(?:\.\d+)?`

const SIGNED = new RegExp(`^-?${DECIMAL}$`)
const PERCENT = new RegExp(`^(-?${DECIMAL})%$`)
const POINTS = new RegExp(`^(-?${DECIMAL})pp$`)

const DURATION_UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1]
] as const

/**
 * A duration: one or more `<decimal><unit>` parts, largest unit first, each unit at most once
 * (`30s`, `12h`, `1h30m`, `500ms`). Matches the empty string too: pair it with a non-empty check.
 */
export const DURATION_PATTERN = `^${DURATION_UNITS.map(([unit]) => `(?:(${DECIMAL})${unit})?`).join('')}$`
const DURATION = new RegExp(DURATION_PATTERN)

const quoted = (text: string): string =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)

/** Scales a decimal string by 10^-2 without the rounding error of dividing by 100 (`1.1` -> 0.011). */
const hundredth = (decimal: string): number => Number(`${decimal}e-2`)

function finite(value: number, text: string): Parsed<number> {
  return Number.isFinite(value) ? ok(value) : fail(`${quoted(text)} is too large`)
}

/** `30s`, `30m`, `12h`, `2d`, `1h30m`, `500ms` -> milliseconds. */
export function parseDuration(text: string): Parsed<number> {
  const match = text === '' ? null : DURATION.exec(text)
  if (match) {
    const ms = DURATION_UNITS.reduce(
      (sum, [, size], i) => sum + Number(match[i + 1] ?? 0) * size,
      0
    )
    return finite(ms, text)
  }
  const example = 'like 30s, 30m, 12h, 2d, 1h30m or 500ms'
  if (text.trim().startsWith('-')) return fail(`a duration cannot be negative: ${quoted(text)}`)
  if (SIGNED.test(text)) return fail(`${quoted(text)} needs a unit (d, h, m, s or ms), ${example}`)
  if (/\s/.test(text))
    return fail(`${quoted(text)} is not a duration: write it without spaces, ${example}`)
  return fail(
    `${quoted(text)} is not a duration: write numbers with units (d, h, m, s, ms), largest first, ${example}`
  )
}

/** `5%` -> 0.05, `0.5%` -> 0.005. Reads a sign, so callers can explain why a negative is wrong. */
export function parsePercent(text: string): Parsed<number> {
  const match = PERCENT.exec(text)
  if (!match?.[1])
    return fail(`${quoted(text)} is not a percentage: write a number and %, like 5% or 0.5%`)
  return finite(hundredth(match[1]), text)
}

/** Percentage points, for differences of rates: `0.5pp` -> 0.005. */
export function parsePoints(text: string): Parsed<number> {
  const match = POINTS.exec(text)
  if (!match?.[1])
    return fail(`${quoted(text)} is not in percentage points: write a number and pp, like 0.5pp`)
  return finite(hundredth(match[1]), text)
}

/** A plain decimal number written as text: `0.02`, `-3`, `15`. */
export function parseNumber(text: string): Parsed<number> {
  if (!SIGNED.test(text))
    return fail(`${quoted(text)} is not a number: write digits, like 0.02 or 15`)
  return finite(Number(text), text)
}

/** A change or threshold as written: relative (`%`), in percentage points (`pp`) or plain. */
export interface Amount {
  /** `%` and `pp` are already fractions (`5%` -> 0.05). */
  value: number
  unit: '%' | 'pp' | ''
}

/** `5%`, `0.5pp`, `0.02` (as text) -> an Amount. */
export function parseAmount(text: string): Parsed<Amount> {
  const unit = text.endsWith('%') ? '%' : text.endsWith('pp') ? 'pp' : ''
  const parsed =
    unit === '%' ? parsePercent(text) : unit === 'pp' ? parsePoints(text) : parseNumber(text)
  if (parsed.ok) return ok({ value: parsed.value, unit })
  return fail(
    `${quoted(text)} is not an amount: write a percentage (5%), percentage points (0.5pp) or a number (0.02)`
  )
}

/** Milliseconds -> the shortest duration text that parses back to it (`5400000` -> `1h30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = ms
  let text = ''
  for (const [unit, size] of DURATION_UNITS) {
    const whole = unit === 'ms' ? rest : Math.floor(rest / size)
    if (whole > 0) text += `${whole}${unit}`
    rest -= whole * size
  }
  return text
}

/** Days in each month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * `2026-11-26`, `2026-11-26T14:00Z`, `2026-11-26T14:00:00.5+01:00` (RFC 3339 / ISO-8601 extended
 * form): a date, or a date and time with an explicit zone, so nothing depends on the machine's
 * time zone. Strict where Date.parse is lenient: `2026-02-30`, `24:00`, `March 5` and times
 * without a zone are refused, not rolled over or guessed.
 */
export function parseInstant(text: string): Parsed<number> {
  const expected = `must be an ISO-8601 instant such as 2026-11-26T14:00:00Z or 2026-11-26, not ${quoted(text)}`
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):(\d{2})))?$/.exec(
      text
    )
  if (!m) return fail(expected)
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days =
    month >= 1 && month <= 12 ? MONTH_DAYS[month - 1]! + (month === 2 && leap ? 1 : 0) : 0
  if (day < 1 || day > days) return fail(`${expected} (there is no such day)`)
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) {
    return fail(`${expected} (there is no such time of day)`)
  }
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s))
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
  const date = new Date(utc)
  date.setUTCFullYear(year)
  const ms = date.getTime() + Number(frac.padEnd(3, '0').slice(0, 3)) - offset
  return Number.isFinite(ms) ? ok(ms) : fail(expected)
}
