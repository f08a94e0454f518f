/**
 * What differs between PostgreSQL and ClickHouse in the SQL the gate writes: quoting, how values
 * reach the server (bound parameters in PostgreSQL; escaped literals in ClickHouse, whose 18.x
 * servers have no server-side parameters), casts, conditional aggregates, hashing and JSON access.
 * Every identifier goes through `ident` and every value through `value`/`text`/`number`: nothing
 * from the policy is ever spliced into the SQL text as it is.
 */

export type Engine = 'postgres' | 'clickhouse'

export abstract class Dialect {
  abstract readonly engine: Engine
  /**
   * The statement to send: the SQL text and, in PostgreSQL, its bound values in $1.. order. Values
   * are numbered here, in order of appearance, so a fragment built but left out binds nothing.
   */
  abstract finalize(sql: string): { sql: string; params: unknown[] }

  /** A quoted identifier (a column, table or alias name). */
  abstract ident(name: string): string
  /** A text value. */
  abstract text(value: string): string
  /** A finite number. */
  abstract number(value: number): string
  /** A list of text values, as an array. */
  abstract textArray(values: string[]): string
  /** `x` as a double (NULL stays NULL). */
  abstract float(x: string): string
  /**
   * Trimmed text that may hold a decimal number, as a double, NULL when it does not (ClickHouse
   * evaluates every branch of a CASE: this must never raise an error).
   */
  abstract parseNumber(trimmed: string): string
  /** `x` as text (NULL stays NULL). */
  abstract toText(x: string): string
  abstract nullFloat(): string
  abstract nullText(): string
  abstract nan(): string
  abstract infinity(): string
  abstract isNaN(x: string): string
  /** A condition as 0/1 (for sums of flags). */
  abstract flag(cond: string): string
  /** A condition usable in WHERE / CASE from a boolean-ish column (bool in PostgreSQL, UInt8 in ClickHouse). */
  abstract truthy(x: string): string
  abstract countIf(cond: string): string
  /** sum(x) over the rows where `cond` holds; 0 over none. */
  abstract sumIf(x: string, cond: string): string
  /** sum(x) ignoring NULLs; 0 over none. */
  abstract sum(x: string): string
  /** min / max ignoring NULLs; 0 over none. */
  abstract min(x: string): string
  abstract max(x: string): string
  /** An array of doubles from scalar expressions. */
  abstract floatArray(items: string[]): string
  abstract concat(parts: string[]): string
  abstract regexMatch(x: string, regex: string): string
  /** x without leading and trailing white space. */
  abstract trim(x: string): string
  /** CASE WHEN c1 THEN v1 ... ELSE otherwise END. */
  cases(branches: [string, string][], otherwise: string): string {
    return `CASE ${branches.map(([c, v]) => `WHEN ${c} THEN ${v}`).join(' ')} ELSE ${otherwise} END`
  }
  /** ln(x) for x > 0. */
  abstract ln(x: string): string
  /**
   * The A/A half (0 or 1) of a unit id (text), and of a request without one, by a hash of its
   * timestamp (ms): the engine's own hash functions.
   */
  abstract halfOfText(x: string): string
  abstract halfOfNumber(x: string): string
  /** The name of the hash the A/A halves use, for the evidence's notes. */
  abstract readonly halfHash: string
  /**
   * In PostgreSQL, a column that keeps a subquery from being flattened into its parent (which
   * would evaluate each of its expressions once per reference): a volatile function in its select
   * list. Unlike `OFFSET 0` it leaves the plan parallel-safe (clock_timestamp() is). '' elsewhere.
   */
  abstract fence(): string
  /** `SELECT ... FROM t WHERE ...` of the time bounds: the column against a window edge in its own type. */
  abstract timeBound(column: string, type: ColumnType, ms: number, op: '>=' | '<'): string
  /** Epoch milliseconds (a double) of a time-typed value. */
  abstract epochMs(x: string, type: ColumnType): string
}

/** What the gate needs to know of a column's database type. */
export interface ColumnType {
  kind: 'text' | 'number' | 'bool' | 'time' | 'json' | 'array' | 'map' | 'interval' | 'other'
  /** The type as the database names it, for messages. */
  name: string
  /** ClickHouse DateTime64 precision (digits after the second). */
  precision?: number
  /** A ClickHouse Nested column's `keys`/`values` pair, read like a Map. */
  nested?: { keys: string; values: string }
}

export class PostgresDialect extends Dialect {
  readonly engine = 'postgres' as const
  readonly halfHash =
    "PostgreSQL's hashtext() of the unit id (hashint8() of the microsecond timestamp for requests without one)"

  ident(name: string): string {
    return `"${name.replaceAll('"', '""')}"`
  }
  /** Values by token: `\u0000<n>\u0000` in the SQL until finalize() numbers the ones used. */
  private readonly values: unknown[] = []

  private bind(value: unknown, cast: string): string {
    this.values.push(value)
    return `\u0000${this.values.length - 1}\u0000::${cast}`
  }

  finalize(sql: string): { sql: string; params: unknown[] } {
    const params: unknown[] = []
    const numbers = new Map<string, number>()
    // NUL cannot occur in PostgreSQL query text, so no user text (a source.query) looks like a token.
    // eslint-disable-next-line no-control-regex
    const text = sql.replace(/\u0000(\d+)\u0000/g, (_, token: string) => {
      let n = numbers.get(token)
      if (n === undefined) {
        params.push(this.values[Number(token)])
        numbers.set(token, (n = params.length))
      }
      return `$${n}`
    })
    return { sql: text, params }
  }
  text(value: string): string {
    return this.bind(value, 'text')
  }
  number(value: number): string {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
    // Bound as text so the exact double reaches the server (float8in parses it exactly).
    return this.bind(String(value), 'float8')
  }
  textArray(values: string[]): string {
    return this.bind(values, 'text[]')
  }
  float(x: string): string {
    return `(${x})::float8`
  }
  parseNumber(trimmed: string): string {
    return `(${trimmed})::float8`
  }
  toText(x: string): string {
    return `(${x})::text`
  }
  nullFloat(): string {
    return 'NULL::float8'
  }
  nullText(): string {
    return 'NULL::text'
  }
  nan(): string {
    return "'NaN'::float8"
  }
  infinity(): string {
    return "'Infinity'::float8"
  }
  isNaN(x: string): string {
    return `(${x}) = 'NaN'::float8`
  }
  flag(cond: string): string {
    return `(CASE WHEN ${cond} THEN 1 ELSE 0 END)`
  }
  truthy(x: string): string {
    return `(${x})`
  }
  countIf(cond: string): string {
    return `count(*) FILTER (WHERE ${cond})`
  }
  sumIf(x: string, cond: string): string {
    return `coalesce(sum(${x}) FILTER (WHERE ${cond}), 0)`
  }
  sum(x: string): string {
    return `coalesce(sum(${x}), 0)`
  }
  min(x: string): string {
    return `coalesce(min(${x}), 0)`
  }
  max(x: string): string {
    return `coalesce(max(${x}), 0)`
  }
  floatArray(items: string[]): string {
    return items.length === 0 ? "'{}'::float8[]" : `ARRAY[${items.join(', ')}]::float8[]`
  }
  concat(parts: string[]): string {
    return `(${parts.join(' || ')})`
  }
  regexMatch(x: string, regex: string): string {
    return `(${x}) ~ ${this.text(regex)}`
  }
  trim(x: string): string {
    return `btrim(${x}, E' \\t\\n\\r\\f\\x0B')`
  }
  ln(x: string): string {
    return `ln(${x})`
  }
  halfOfText(x: string): string {
    return `(hashtext(${x}) & 1)`
  }
  halfOfNumber(x: string): string {
    return `(hashint8(floor((${x}) * 1000)::int8) & 1)`
  }
  fence(): string {
    return 'clock_timestamp() AS fence'
  }
  timeBound(column: string, type: ColumnType, ms: number, op: '>=' | '<'): string {
    // timestamp and timestamptz keep microseconds: a millisecond edge is exact. A `timestamp`
    // without a zone is read as UTC (a zone in the literal is ignored for it).
    if (type.kind !== 'time' || (type.name !== 'timestamp' && type.name !== 'timestamptz'))
      return ''
    // to_timestamp(double) and AT TIME ZONE are immutable, so the edge folds to a constant (a
    // text cast to timestamptz is only stable: it would be parsed again on every row).
    const edge = `to_timestamp(${this.number(ms)} / 1000)`
    return `${column} ${op} ${type.name === 'timestamp' ? `(${edge} AT TIME ZONE 'UTC')` : edge}`
  }
  epochMs(x: string, _type: ColumnType): string {
    // extract(epoch ...) is numeric (exact) in PostgreSQL 14+; `timestamp` without a zone reads as UTC.
    return `(extract(epoch from ${x}) * 1000)::float8`
  }
}

export class ClickHouseDialect extends Dialect {
  readonly engine = 'clickhouse' as const

  finalize(sql: string): { sql: string; params: unknown[] } {
    return { sql, params: [] }
  }
  readonly halfHash =
    "ClickHouse's cityHash64() of the unit id (intHash64() of the microsecond timestamp for requests without one)"

  ident(name: string): string {
    return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``
  }
  text(value: string): string {
    // ClickHouse string literals: backslash escapes (https://clickhouse.com/docs/en/sql-reference/syntax#string).
    let out = "'"
    for (const ch of value) {
      const code = ch.codePointAt(0) as number
      if (ch === '\\') out += '\\\\'
      else if (ch === "'") out += "\\'"
      else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
      else out += ch
    }
    return `${out}'`
  }
  number(value: number): string {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
    // JavaScript's shortest round-trip form; ClickHouse parses it back to the same double.
    return `toFloat64(${String(value)})`
  }
  textArray(values: string[]): string {
    return values.length === 0
      ? 'emptyArrayString()'
      : `[${values.map(v => this.text(v)).join(', ')}]`
  }
  float(x: string): string {
    return `toFloat64(${x})`
  }
  parseNumber(trimmed: string): string {
    // 18.x parses decimals inexactly ('3.845' -> 3.8449999999999998). A plain decimal of at most
    // 15 characters is its digits as an integer over a power of ten: one correctly rounded
    // division, the double JavaScript's Number() gives. Anything else goes to the server's parser.
    const t = trimmed
    const plain = `length(${t}) <= 15 AND match(${t}, ${this.text('^[-+]?[0-9]+([.][0-9]+)?$')})`
    const scale = `if(position(${t}, '.') > 0, length(${t}) - position(${t}, '.'), 0)`
    return `multiIf(${plain}, toFloat64(toInt64OrNull(replaceOne(${t}, '.', ''))) / toFloat64(intExp10(${scale})), toFloat64OrNull(${t}))`
  }
  toText(x: string): string {
    return `toString(${x})`
  }
  nullFloat(): string {
    return 'CAST(NULL AS Nullable(Float64))'
  }
  nullText(): string {
    return 'CAST(NULL AS Nullable(String))'
  }
  nan(): string {
    return 'nan'
  }
  infinity(): string {
    return 'inf'
  }
  isNaN(x: string): string {
    return `isNaN(${x})`
  }
  flag(cond: string): string {
    return `(CASE WHEN ${cond} THEN 1 ELSE 0 END)`
  }
  truthy(x: string): string {
    return `(${x} != 0)`
  }
  countIf(cond: string): string {
    return `countIf(ifNull(${cond}, 0))`
  }
  sumIf(x: string, cond: string): string {
    return `sumIf(ifNull(${x}, 0), ifNull(${cond}, 0))`
  }
  sum(x: string): string {
    return `sum(ifNull(${x}, 0))`
  }
  min(x: string): string {
    return `ifNull(min(${x}), 0)`
  }
  max(x: string): string {
    return `ifNull(max(${x}), 0)`
  }
  floatArray(items: string[]): string {
    return items.length === 0
      ? 'emptyArrayFloat64()'
      : `[${items.map(i => `toFloat64(${i})`).join(', ')}]`
  }
  concat(parts: string[]): string {
    return `concat(${parts.join(', ')})`
  }
  regexMatch(x: string, regex: string): string {
    return `match(${x}, ${this.text(regex)})`
  }
  trim(x: string): string {
    return `replaceRegexpAll(${x}, ${this.text('^\\s+|\\s+$')}, '')`
  }
  ln(x: string): string {
    return `log(${x})`
  }
  halfOfText(x: string): string {
    return `toInt64(cityHash64(${x}) % 2)`
  }
  halfOfNumber(x: string): string {
    return `toInt64(intHash64(toInt64(floor((${x}) * 1000))) % 2)`
  }
  fence(): string {
    return ''
  }
  timeBound(column: string, type: ColumnType, ms: number, op: '>=' | '<'): string {
    if (type.kind !== 'time') return ''
    // Rounded outward to the column's resolution; the exact window is applied to the value.
    if (type.precision !== undefined) {
      const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
      return `${column} ${op} toDateTime64(${this.text(iso)}, 3, 'UTC')`
    }
    if (type.name.startsWith('Date') && !type.name.startsWith('DateTime')) {
      const day = new Date(ms).toISOString().slice(0, 10)
      return `${column} ${op} toDate(${this.text(day)})`
    }
    const seconds = op === '>=' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000)
    return `${column} ${op} toDateTime(${seconds})`
  }
  epochMs(x: string, type: ColumnType): string {
    if (type.precision !== undefined) return `(toFloat64(toUnixTimestamp64Nano(${x})) / 1e6)`
    if (type.name.startsWith('Date') && !type.name.startsWith('DateTime')) {
      return `(toFloat64(toUInt32(toDateTime(${x}))) * 1000)`
    }
    return `(toFloat64(toUInt32(${x})) * 1000)`
  }
}

export function dialectFor(engine: Engine): Dialect {
  return engine === 'postgres' ? new PostgresDialect() : new ClickHouseDialect()
}
