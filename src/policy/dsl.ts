/**
 * A tiny schema DSL. Each node both validates a plain value (as read from YAML) and describes itself
 * as JSON Schema (draft 2020-12, https://json-schema.org/draft/2020-12/json-schema-validation), so
 * the validator and the schema editors use cannot drift apart. Validation never throws: it collects
 * every issue it finds and returns INVALID for a node that has any.
 */
import type { Parsed } from './units.js'

export type Path = readonly (string | number)[]
export type JsonSchema = Record<string, unknown>

/** `at`: point at the offending value, at its key, or (for a missing key) at the parent's key. */
export interface Issue {
  path: Path
  message: string
  at: 'value' | 'key' | 'missing'
}

export const INVALID: unique symbol = Symbol('invalid')
export type Checked<T> = T | typeof INVALID

export interface Node<T> {
  readonly description: string
  /** A short phrase for messages: "a number > 0 and <= 100", "one of higher, lower". */
  readonly expects: string
  json(): JsonSchema
  check(value: unknown, path: Path, issues: Issue[]): Checked<T>
}

export type Infer<N> = N extends Node<infer T> ? T : never

function node<T>(
  description: string,
  expects: string,
  json: JsonSchema,
  check: Node<T>['check']
): Node<T> {
  return { description, expects, json: () => ({ description, ...json }), check }
}

/** Fails `issues` with a message at `path` and returns INVALID, for `return reject(...)`. */
export function reject(
  issues: Issue[],
  path: Path,
  message: string,
  at: Issue['at'] = 'value'
): typeof INVALID {
  issues.push({ path, message, at })
  return INVALID
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)'
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`
  }
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'a list'
  return isMapping(value) ? 'a mapping' : 'a value of an unsupported YAML type'
}

/** "expected X, got Y", with the fix when only quoting is wrong. */
export function mismatch(expects: string, value: unknown): string {
  const fix =
    typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && /number|integer/.test(expects)
      ? '; remove the quotes'
      : (typeof value === 'number' || typeof value === 'boolean') && expects.includes('string')
        ? `; quote it: "${value}"`
        : ''
  return `expected ${expects}, got ${describeValue(value)}${fix}`
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
export function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Infinity
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1)
      }
      const row = rows[i]
      if (row) row[j] = best
    }
  }
  return at(a.length, b.length)
}

/** "; did you mean `x`?" when a candidate is a typo away (case-insensitive), else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (word.length > 64) return ''
  const limit = word.length <= 4 ? 1 : 2
  let best: { candidate: string; d: number } | undefined
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d <= limit && (!best || d < best.d)) best = { candidate, d }
  }
  return best ? `; did you mean \`${best.candidate}\`?` : ''
}

/** `metrics[1].tolerance`, `pricing["gpt-4.1"].input`. */
export function formatPath(path: Path): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_][\w-]*$/.test(segment)
          ? `${i === 0 ? '' : '.'}${segment}`
          : `[${JSON.stringify(segment)}]`
    )
    .join('')
}

// ---- scalars ----

export function str(description: string, pattern?: { regex: string; hint: string }): Node<string> {
  const regex = pattern && new RegExp(pattern.regex)
  return node(
    description,
    'a string',
    { type: 'string', minLength: 1, ...(pattern && { pattern: pattern.regex }) },
    (value, path, issues) => {
      if (typeof value !== 'string') return reject(issues, path, mismatch('a string', value))
      if (value === '') return reject(issues, path, 'must not be empty')
      if (regex && pattern && !regex.test(value)) {
        return reject(issues, path, `${JSON.stringify(value)} is not valid: ${pattern.hint}`)
      }
      return value
    }
  )
}

export interface Range {
  min?: number
  max?: number
  exclusiveMin?: number
  exclusiveMax?: number
  integer?: boolean
}

export function num(description: string, range: Range = {}): Node<number> {
  const { min, max, exclusiveMin, exclusiveMax, integer } = range
  const bounds: [string, (v: number) => boolean][] = []
  if (min !== undefined) bounds.push([`>= ${min}`, v => v >= min])
  if (exclusiveMin !== undefined) bounds.push([`> ${exclusiveMin}`, v => v > exclusiveMin])
  if (max !== undefined) bounds.push([`<= ${max}`, v => v <= max])
  if (exclusiveMax !== undefined) bounds.push([`< ${exclusiveMax}`, v => v < exclusiveMax])
  const expects = `${integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.map(([text]) => text).join(' and ')}` : ''}`
  const json = {
    type: integer ? 'integer' : 'number',
    ...(min !== undefined && { minimum: min }),
    ...(exclusiveMin !== undefined && { exclusiveMinimum: exclusiveMin }),
    ...(max !== undefined && { maximum: max }),
    ...(exclusiveMax !== undefined && { exclusiveMaximum: exclusiveMax })
  }
  return node(description, expects, json, (value, path, issues) => {
    const fits =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      bounds.every(([, test]) => test(value))
    return fits ? value : reject(issues, path, mismatch(expects, value))
  })
}

/** One of a fixed set of values (an enum). */
export function choice<const V extends string | number | boolean>(
  description: string,
  values: readonly V[]
): Node<V> {
  const expects = values.length === 1 ? String(values[0]) : `one of ${values.join(', ')}`
  return node(description, expects, { enum: values }, (value, path, issues) => {
    const found = values.find(v => v === value)
    if (found !== undefined) return found
    const hint = typeof value === 'string' ? didYouMean(value, values.map(String)) : ''
    return reject(issues, path, `${mismatch(expects, value)}${hint}`)
  })
}

/** A scalar with its own syntax: the parser sees the raw value (any type) and explains failures. */
export function scalar<T>(
  description: string,
  expects: string,
  json: JsonSchema,
  parse: (value: unknown) => Parsed<T>
): Node<T> {
  return node(description, expects, json, (value, path, issues) => {
    const parsed = parse(value)
    return parsed.ok ? parsed.value : reject(issues, path, parsed.error)
  })
}

// ---- collections ----

function checkItems<T>(items: unknown[], item: Node<T>, path: Path, issues: Issue[]): Checked<T[]> {
  const out = items.map((value, i) => item.check(value, [...path, i], issues))
  return out.some(v => v === INVALID) ? INVALID : (out as T[])
}

export function list<T>(description: string, item: Node<T>, minItems = 0): Node<T[]> {
  const expects = 'a list'
  const json = { type: 'array', items: item.json(), ...(minItems > 0 && { minItems }) }
  return node(description, expects, json, (value, path, issues) => {
    if (!Array.isArray(value)) return reject(issues, path, mismatch(expects, value))
    if (value.length < minItems) {
      return reject(
        issues,
        path,
        `has ${value.length} items; list at least ${minItems}. ${description}`
      )
    }
    return checkItems(value, item, path, issues)
  })
}

/** One item or a non-empty list of them; always a list after validation. */
export function oneOrMany<T>(description: string, item: Node<T>): Node<T[]> {
  const expects = `${item.expects} or a list of them`
  const json = { oneOf: [item.json(), { type: 'array', items: item.json(), minItems: 1 }] }
  return node(description, expects, json, (value, path, issues) => {
    if (!Array.isArray(value)) {
      const one = item.check(value, path, issues)
      return one === INVALID ? INVALID : [one]
    }
    if (value.length === 0)
      return reject(issues, path, `is empty; list at least one. ${description}`)
    return checkItems(value, item, path, issues)
  })
}

/** A mapping from free keys (e.g. model ids) to values of one shape. */
export function record<T>(description: string, values: Node<T>): Node<Record<string, T>> {
  const expects = 'a mapping of names to values'
  const json = { type: 'object', additionalProperties: values.json() }
  return node(description, expects, json, (value, path, issues) => {
    if (!isMapping(value)) return reject(issues, path, mismatch(expects, value))
    const entries = Object.entries(value).map(([key, v]) => [
      key,
      values.check(v, [...path, key], issues)
    ])
    return entries.some(([, v]) => v === INVALID) ? INVALID : Object.fromEntries(entries)
  })
}

// ---- objects ----

type Mode = 'required' | 'optional' | 'default'
export interface Field<T, M extends Mode = Mode> {
  node: Node<T>
  mode: M
  /** For mode 'default': written as in YAML (`'30m'`), so it is parsed like user input. */
  fallback?: unknown
}
export const required = <T>(node: Node<T>): Field<T, 'required'> => ({ node, mode: 'required' })
export const optional = <T>(node: Node<T>): Field<T, 'optional'> => ({ node, mode: 'optional' })
export const withDefault = <T>(node: Node<T>, fallback: unknown): Field<T, 'default'> => ({
  node,
  mode: 'default',
  fallback
})

type Fields = Record<string, Field<unknown>>
type FieldValue<F> = F extends Field<infer T> ? T : never
type Optional<F extends Fields> = {
  [K in keyof F]: F[K]['mode'] extends 'optional' ? K : never
}[keyof F]
export type Shape<F extends Fields> = { [K in Exclude<keyof F, Optional<F>>]: FieldValue<F[K]> } & {
  [K in Optional<F>]?: FieldValue<F[K]>
}

function unknownKey(key: string, known: string[]): string {
  const hint = didYouMean(key, known)
  return `unknown key \`${key}\`${hint || `; remove it, or use one of: ${known.join(', ')}`}`
}

/** A mapping with known keys; any other key is an error (`additionalProperties: false`). */
export function obj<F extends Fields>(description: string, fields: F): Node<Shape<F>> {
  const names = Object.keys(fields)
  const json = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(fields).map(([key, field]) => [
        key,
        field.mode === 'default'
          ? { ...field.node.json(), default: field.fallback }
          : field.node.json()
      ])
    ),
    required: names.filter(key => fields[key]?.mode === 'required'),
    additionalProperties: false
  }
  return node(description, 'a mapping', json, (value, path, issues) => {
    if (!isMapping(value))
      return reject(issues, path, mismatch('a mapping (key: value lines)', value))
    const unknown = Object.keys(value).filter(key => !Object.hasOwn(fields, key))
    for (const key of unknown) reject(issues, [...path, key], unknownKey(key, names), 'key')
    let valid = unknown.length === 0
    const entries: [string, unknown][] = []
    for (const [key, field] of Object.entries(fields)) {
      // Only an absent key takes the default: an explicit null (`warmup:`) is an error, as in the schema.
      const given = Object.hasOwn(value, key) ? value[key] : undefined
      if (given === undefined && field.mode === 'optional') continue
      if (given === undefined && field.mode === 'required') {
        const message = `missing required key \`${key}\` (${field.node.expects}). ${field.node.description}`
        reject(issues, [...path, key], message, 'missing')
        valid = false
        continue
      }
      const checked = field.node.check(
        given === undefined ? field.fallback : given,
        [...path, key],
        issues
      )
      if (checked === INVALID) valid = false
      else entries.push([key, checked])
    }
    return valid ? (Object.fromEntries(entries) as Shape<F>) : INVALID
  })
}

/**
 * Mappings told apart by a tag key (`type: file`), as JSON Schema `oneOf`. Each variant is an obj
 * that declares the tag itself, so new source types are one more entry.
 */
export function union<V extends Record<string, Node<unknown>>>(
  description: string,
  tag: string,
  variants: V
): Node<Infer<V[keyof V]>> {
  const names = Object.keys(variants)
  const json = {
    type: 'object',
    required: [tag],
    oneOf: Object.values(variants).map(v => v.json())
  }
  return node(description, 'a mapping', json, (value, path, issues) => {
    if (!isMapping(value))
      return reject(issues, path, mismatch('a mapping (key: value lines)', value))
    const given = Object.hasOwn(value, tag) ? value[tag] : undefined
    if (given === undefined) {
      const message = `missing required key \`${tag}\` (one of ${names.join(', ')}). ${description}`
      return reject(issues, [...path, tag], message, 'missing')
    }
    const variant =
      typeof given === 'string' && Object.hasOwn(variants, given) ? variants[given] : undefined
    if (!variant) {
      const message =
        typeof given === 'string'
          ? `unknown ${tag} ${JSON.stringify(given)}; valid ${tag}s: ${names.join(', ')}${didYouMean(given, names)}`
          : mismatch(`one of ${names.join(', ')}`, given)
      return reject(issues, [...path, tag], message)
    }
    return variant.check(value, path, issues) as Checked<Infer<V[keyof V]>>
  })
}

/** Cross-field rules and the final shape: `f` runs only on a valid value and reports its own issues. */
export function refine<T, U>(
  inner: Node<T>,
  f: (value: T, path: Path, issues: Issue[]) => Checked<U>
): Node<U> {
  return {
    description: inner.description,
    expects: inner.expects,
    json: () => inner.json(),
    check: (value, path, issues) => {
      const checked = inner.check(value, path, issues)
      return checked === INVALID ? INVALID : f(checked, path, issues)
    }
  }
}
