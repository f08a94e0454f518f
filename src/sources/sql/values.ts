/**
 * SQL for reading one raw value the way the file source reads a JSON value: the conversions of
 * src/records/normalize.ts (num, idString, errorClass, flag, feedback, timestamps) and of the raw
 * field reader in src/records/fields.ts, for each kind of database value (a typed column, a JSON
 * sub-field, a ClickHouse Map value). A value that is present but unreadable becomes NaN, which the
 * metric readers count as invalid, as the file source counts a NaN.
 */
import type { ColumnType, Dialect } from './dialect.js'

/** A value read from a row, before it is given a meaning. */
export interface SqlValue {
  sql: string
  kind: ColumnType['kind'] | 'jsonText'
  /** The column type the value came from (time conversions need it). */
  type: ColumnType
  /** The value in the source row's terms (a column), where `sql` names it in level 0. */
  inner?: string
  /** ClickHouse: level 0's name of the text trimmed (numbers read from text use it). */
  trimmed?: string
}

/** A decimal number as JavaScript's Number() reads one (hexadecimal and `Infinity` aside). */
const NUMBER_TEXT = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$'
/** Error words that mean "no error" (normalize.ts NO_ERROR_WORDS). */
const NO_ERROR_WORDS = ['', 'false', 'null', 'none', 'ok', '0']
/** Epoch numbers below this are seconds (normalize.ts). */
const EPOCH_SECONDS_BELOW = 1e11

export class ValueReader {
  constructor(private readonly d: Dialect) {}

  /** normalize.ts num(): a number; '' is absent; a numeric string its number; anything else NaN. */
  num(v: SqlValue): string {
    return this.number(v, false)
  }

  /** fields.ts rawFieldReader: like num(), but booleans (and 'true' / 'false' text) read as 1 / 0. */
  rawNum(v: SqlValue): string {
    return this.number(v, true)
  }

  /** normalize.ts idString(): text ('' is absent) or a number's digits; anything else absent. */
  id(v: SqlValue): string {
    return this.textual(v, { bools: false, empty: 'null' })
  }

  /** The arm label: any scalar as text ('' is absent), booleans as true / false. */
  label(v: SqlValue): string {
    return this.textual(v, { bools: true, empty: 'null' })
  }

  /** evidenceBuilder.ts dimensionValue(): a scalar as text, else `(none)`. */
  dimension(v: SqlValue, none: string): string {
    return `coalesce(${this.textual(v, { bools: true, empty: 'null' })}, ${this.d.text(none)})`
  }

  /** normalize.ts flag(): true, 1, 'true', 'TRUE', 'True' or '1'. */
  flag(v: SqlValue): string {
    const d = this.d
    const words = (x: string) =>
      `${x} IN (${['true', 'TRUE', 'True', '1'].map(w => d.text(w)).join(', ')})`
    switch (v.kind) {
      case 'bool':
        return `coalesce(${d.truthy(v.sql)}, ${this.no()})`
      case 'number':
        return `coalesce(${v.sql} = 1, ${this.no()})`
      case 'json':
        return `coalesce(CASE jsonb_typeof(${v.sql}) WHEN 'boolean' THEN (${v.sql})::boolean WHEN 'number' THEN (${v.sql} #>> '{}')::float8 = 1 WHEN 'string' THEN ${words(`(${v.sql} #>> '{}')`)} ELSE false END, false)`
      case 'jsonText':
        return `coalesce(${v.sql} IN ('true', '1', '1.0', '"true"', '"TRUE"', '"True"', '"1"'), 0)`
      default:
        return `coalesce(${words(d.toText(v.sql))}, ${this.no()})`
    }
  }

  /** normalize.ts errorClass(): the class in lower case, or NULL for none. */
  error(v: SqlValue): string {
    const d = this.d
    const fromText = (x: string) =>
      `CASE WHEN lower(${x}) IN (${NO_ERROR_WORDS.map(w => d.text(w)).join(', ')}) THEN ${d.nullText()} ELSE lower(${x}) END`
    switch (v.kind) {
      case 'bool':
        return `CASE WHEN ${d.truthy(v.sql)} THEN ${d.text('error')} ELSE ${d.nullText()} END`
      case 'number':
        return `CASE WHEN ${v.sql} = 0 THEN ${d.nullText()} ELSE ${this.numberText(v.sql)} END`
      case 'json': {
        const x = v.sql
        return `CASE jsonb_typeof(${x}) WHEN 'string' THEN ${fromText(`(${x} #>> '{}')`)} WHEN 'number' THEN CASE WHEN (${x} #>> '{}')::float8 = 0 THEN NULL ELSE (${x} #>> '{}') END WHEN 'boolean' THEN CASE WHEN (${x})::boolean THEN 'error' END WHEN 'object' THEN lower(coalesce(CASE WHEN jsonb_typeof(${x} -> 'type') IN ('string', 'number') THEN ${x} ->> 'type' END, CASE WHEN jsonb_typeof(${x} -> 'code') IN ('string', 'number') THEN ${x} ->> 'code' END, 'error')) WHEN 'array' THEN 'error' END`
      }
      case 'jsonText': {
        const x = v.sql
        return `multiIf(${x} = '' OR ${x} = 'null' OR ${x} = 'false' OR ${x} = '0', ${d.nullText()}, ${x} = 'true', 'error', startsWith(${x}, '"'), ${fromText(`visitParamExtractString(concat('{"v":', ${x}, '}'), 'v')`)}, startsWith(${x}, '{'), lower(multiIf(visitParamHas(${x}, 'type'), visitParamExtractString(${x}, 'type'), visitParamHas(${x}, 'code'), visitParamExtractRaw(${x}, 'code'), 'error')), startsWith(${x}, '['), 'error', ${x})`
      }
      default:
        return fromText(d.toText(v.sql))
    }
  }

  /** normalize.ts feedback(): true / false as +1 / -1, else num(). */
  feedback(v: SqlValue): string {
    const d = this.d
    if (v.kind === 'bool') return `CASE WHEN ${d.truthy(v.sql)} THEN 1 ELSE -1 END`
    if (v.kind === 'json') {
      return `CASE WHEN jsonb_typeof(${v.sql}) = 'boolean' THEN CASE WHEN (${v.sql})::boolean THEN 1 ELSE -1 END::float8 ELSE ${this.num(v)} END`
    }
    if (v.kind === 'jsonText') {
      return `multiIf(${v.sql} = 'true', 1., ${v.sql} = 'false', -1., ${this.num(v)})`
    }
    return this.num(v)
  }

  /** Epoch ms: a timestamp column, or a number (seconds below 1e11, else ms); NaN when unreadable. */
  timestamp(v: SqlValue): string {
    const d = this.d
    if (v.kind === 'time') return d.epochMs(v.sql, v.type)
    const n = this.num(v)
    return `CASE WHEN ${n} < ${EPOCH_SECONDS_BELOW} THEN ${n} * 1000 ELSE ${n} END`
  }

  /** A number as text the way JavaScript's String() writes it (PostgreSQL and ClickHouse agree for the usual values). */
  private numberText(x: string): string {
    return this.d.toText(this.d.float(x))
  }

  private no(): string {
    return this.d.engine === 'postgres' ? 'false' : '0'
  }

  private number(v: SqlValue, bools: boolean): string {
    const d = this.d
    const nan = d.nan()
    const fromText = (x: string) => {
      const t = x === v.sql && v.trimmed ? v.trimmed : d.trim(x)
      const words = bools
        ? [
            [`lower(${t}) = ${d.text('true')}`, '1'],
            [`lower(${t}) = ${d.text('false')}`, '0']
          ]
        : []
      return d.cases(
        [
          [`${x} IS NULL OR ${t} = ''`, d.nullFloat()],
          [d.regexMatch(x, NUMBER_TEXT), d.parseNumber(t)],
          ...(words as [string, string][])
        ],
        nan
      )
    }
    switch (v.kind) {
      case 'number':
        return d.float(v.sql)
      case 'text':
        return fromText(v.sql)
      case 'interval':
        return d.epochMs(v.sql, v.type)
      case 'bool':
        return bools
          ? `CASE WHEN ${d.truthy(v.sql)} THEN 1. WHEN NOT ${d.truthy(v.sql)} THEN 0. END`
          : `CASE WHEN ${v.sql} IS NOT NULL THEN ${nan} END`
      case 'json': {
        const x = v.sql
        const scalar = `(${x} #>> '{}')`
        return `CASE WHEN ${x} IS NULL THEN NULL::float8 WHEN jsonb_typeof(${x}) = 'number' THEN ${scalar}::float8 WHEN jsonb_typeof(${x}) = 'string' THEN ${fromText(scalar)} WHEN jsonb_typeof(${x}) = 'null' THEN NULL${bools ? ` WHEN jsonb_typeof(${x}) = 'boolean' THEN CASE WHEN (${x})::boolean THEN 1 ELSE 0 END` : ''} ELSE ${nan} END`
      }
      case 'jsonText': {
        const x = v.sql
        return `multiIf(${x} = '' OR ${x} = 'null', ${d.nullFloat()}, startsWith(${x}, '"'), ${fromText(`visitParamExtractString(concat('{"v":', ${x}, '}'), 'v')`)}, ${x} = 'true', ${bools ? '1.' : nan}, ${x} = 'false', ${bools ? '0.' : nan}, startsWith(${x}, '{') OR startsWith(${x}, '['), ${nan}, ifNull(toFloat64OrNull(${x}), ${nan}))`
      }
      case 'time':
      case 'array':
      case 'map':
        return `CASE WHEN ${v.sql} IS NOT NULL THEN ${nan} END`
      default:
        return fromText(d.toText(v.sql))
    }
  }

  private textual(v: SqlValue, o: { bools: boolean; empty: 'null' }): string {
    const d = this.d
    void o.empty
    switch (v.kind) {
      case 'text':
        return `nullif(${v.sql}, '')`
      case 'number':
        return this.numberText(v.sql)
      case 'bool':
        return o.bools
          ? `CASE WHEN ${d.truthy(v.sql)} THEN ${d.text('true')} WHEN NOT ${d.truthy(v.sql)} THEN ${d.text('false')} END`
          : d.nullText()
      case 'json':
        return `CASE jsonb_typeof(${v.sql}) WHEN 'string' THEN nullif(${v.sql} #>> '{}', '') WHEN 'number' THEN ((${v.sql} #>> '{}')::float8)::text${o.bools ? ` WHEN 'boolean' THEN ${v.sql} #>> '{}'` : ''} END`
      case 'jsonText':
        return `multiIf(startsWith(${v.sql}, '"'), nullif(visitParamExtractString(concat('{"v":', ${v.sql}, '}'), 'v'), ''), ${o.bools ? `${v.sql} IN ('true', 'false'), ${v.sql}, ` : ''}${d.regexMatch(v.sql, NUMBER_TEXT)}, toString(toFloat64OrNull(${v.sql})), ${d.nullText()})`
      case 'time':
      case 'array':
      case 'map':
        return d.nullText()
      default:
        return `nullif(${d.toText(v.sql)}, '')`
    }
  }
}
