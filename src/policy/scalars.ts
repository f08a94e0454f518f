/**
 * The policy's scalars with their own syntax (durations, amounts, limits, metric kinds), as DSL
 * nodes: each pairs a strict parser from ./units.ts with the JSON Schema pattern of the same syntax.
 */
import { didYouMean, mismatch, scalar, type Node } from './dsl.js'
import type { MetricSpec } from './types.js'
import {
  DECIMAL,
  DURATION_PATTERN,
  fail,
  formatDuration,
  ok,
  parseAmount,
  parseDuration,
  parsePercent,
  type Amount,
  type Parsed
} from './units.js'

export function duration(
  description: string,
  bounds: { min?: number; max?: number } = {}
): Node<number> {
  const expects = 'a duration like 30s, 30m, 12h, 2d, 1h30m or 500ms'
  const json = { type: 'string', minLength: 1, pattern: DURATION_PATTERN }
  return scalar(description, expects, json, value => {
    if (typeof value === 'number') return parseDuration(String(value))
    if (typeof value !== 'string') return fail(mismatch(expects, value))
    const parsed = parseDuration(value)
    // No duration in a policy needs ten years; longer ones only overflow the times they shift.
    const { min = 0, max = 3650 * 86_400_000 } = bounds
    if (!parsed.ok || (parsed.value >= min && parsed.value <= max)) return parsed
    return fail(`must be between ${formatDuration(min)} and ${formatDuration(max)}; got ${value}`)
  })
}

/** Percentages from 0% to 100%, as a pattern, so the schema rejects `150%` like the validator. */
const PERCENT_0_100 = String.raw`^(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)%$`

/** A proportion: `1%` or a number in [0, 1]. */
export function fraction(description: string): Node<number> {
  const expects = 'a percentage like 1% or a number from 0 to 1'
  const json = {
    oneOf: [
      { type: 'number', minimum: 0, maximum: 1 },
      { type: 'string', pattern: PERCENT_0_100 }
    ]
  }
  return scalar(description, expects, json, value => {
    const parsed =
      typeof value === 'string'
        ? parsePercent(value)
        : typeof value === 'number'
          ? ok(value)
          : undefined
    if (parsed?.ok && parsed.value >= 0 && parsed.value <= 1) return parsed
    return fail(parsed && !parsed.ok ? parsed.error : mismatch(expects, value))
  })
}

const NEGATIVE_TOLERANCE =
  'tolerance is the worst acceptable change, a non-negative amount; `better` gives its direction'

/** `5%` (relative), `0.5pp` (absolute, rates) or a non-negative number (absolute). */
export function amount(description: string): Node<Amount> {
  const expects = 'a change like 5%, 0.5pp or 0.02'
  const json = {
    oneOf: [
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: `^${DECIMAL}(?:%|pp)?$` }
    ]
  }
  return scalar(description, expects, json, value => {
    const parsed: Parsed<Amount> =
      typeof value === 'number' && Number.isFinite(value)
        ? ok({ value, unit: '' })
        : typeof value === 'string'
          ? parseAmount(value)
          : fail(mismatch(expects, value))
    return parsed.ok && parsed.value.value < 0 ? fail(NEGATIVE_TOLERANCE) : parsed
  })
}

/** An SLO: for rates `2%` or 0.02; for other kinds a number in the metric's unit. */
export const limit = scalar(
  'An absolute SLO on the canary alone, in the metric unit; for a rate a proportion such as 2% or 0.02.',
  'a number like 0.02, or a percentage like 2% for a rate',
  {
    oneOf: [
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: PERCENT_0_100 }
    ]
  },
  (value): Parsed<Amount> => {
    if (typeof value === 'number' && Number.isFinite(value)) {
      return value >= 0
        ? ok({ value, unit: '' })
        : fail('a limit is a non-negative amount; `better` gives its direction')
    }
    if (typeof value !== 'string')
      return fail(mismatch('a number like 0.02, or a percentage like 2%', value))
    const parsed = parsePercent(value)
    if (!parsed.ok) return fail(`${parsed.error}, or give a plain number in the metric's unit`)
    if (parsed.value < 0 || parsed.value > 1)
      return fail(`a percentage limit must be from 0% to 100%; got ${value}`)
    return ok({ value: parsed.value, unit: '%' })
  }
)

const NAMED_KINDS = ['mean', 'rate', 'ratio', 'p50', 'p90', 'p95', 'p99']
/** `p` then a percentile strictly between 0 and 100: p50, p99.9, p0.1. */
const QUANTILE_PATTERN = String.raw`^p(?:[1-9]\d?(?:\.\d+)?|0\.\d*[1-9]\d*)$`
const QUANTILE = new RegExp(QUANTILE_PATTERN)

export type Kind = Pick<MetricSpec, 'kind' | 'quantile'>

export const metricKind = scalar(
  'mean, rate (a proportion), ratio (sum over sum, needs `per`), or a quantile p50, p90, p95, p99, p99.9 ...',
  `one of ${NAMED_KINDS.join(', ')} or p<percentile> like p99.9`,
  { anyOf: [{ enum: NAMED_KINDS }, { type: 'string', pattern: QUANTILE_PATTERN }] },
  (value): Parsed<Kind> => {
    if (value === 'mean' || value === 'rate' || value === 'ratio') return ok({ kind: value })
    if (typeof value === 'string' && QUANTILE.test(value)) {
      return ok({ kind: 'quantile', quantile: Number(`${value.slice(1)}e-2`) })
    }
    const hint = typeof value === 'string' ? didYouMean(value, NAMED_KINDS) : ''
    return fail(
      `unknown metric kind ${JSON.stringify(value)}; valid kinds: ${NAMED_KINDS.join(', ')}, or p<percentile> like p99.9${hint}`
    )
  }
)

export const version = scalar(
  'Policy format version; this release reads version 1.',
  'the number 1',
  { const: 1 },
  (value): Parsed<1> =>
    value === 1
      ? ok(1)
      : fail(
          `unsupported version ${JSON.stringify(value)}: this release reads version 1 policies; set version: 1`
        )
)

/** `scheme://user:password@` -> `scheme://***@`: what a message may quote of a URL. */
export const withoutCredentials = (text: string): string =>
  text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@')

/**
 * An http(s) URL without credentials: a user or password in a URL ends up in logs, messages and
 * reports (and is sent to wherever the URL redirects), so the policy names them through
 * environment variables instead. Messages never quote the credentials.
 */
export function httpUrl(description: string, instead: string): Node<string> {
  const expects = 'an http:// or https:// URL'
  const json = { type: 'string', minLength: 1, pattern: '^https?://[^\\s/?#@]+([/?#][^\\s]*)?$' }
  return scalar(description, expects, json, value => {
    if (typeof value !== 'string') return fail(mismatch(expects, value))
    const shown = JSON.stringify(withoutCredentials(value).slice(0, 200))
    const url = /^https?:\/\/\S+$/i.test(value) && URL.canParse(value) ? new URL(value) : undefined
    if (!url || !/^https?:$/.test(url.protocol)) return fail(`${shown} is not ${expects}`)
    if (url.username || url.password || /^https?:\/\/[^/?#]*@/i.test(value)) {
      return fail(
        `${shown} has credentials in it (user:password@), which would show in logs and reports; ${instead}`
      )
    }
    return ok(value)
  })
}
