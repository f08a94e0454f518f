/**
 * Where each record field is read in a table: the policy's `columns` mapping (over the preset's),
 * else a column of the field's name, else a JSON / Map sub-field (`metadata.route` is key `route`
 * of column `metadata`), else the preset's own lookup (OpenTelemetry span attributes). Mapped
 * columns that do not exist are reported with the closest column names.
 */
import { didYouMean } from '../../policy/dsl.js'
import type { SqlColumnSpec } from '../../policy/types.js'
import type { ColumnType, Dialect, Engine } from './dialect.js'
import { ValueReader, type SqlValue } from './values.js'

/** What the gate learned of the source before querying it (one small query, cached per source). */
export interface TableInfo {
  engine: Engine
  /** The server's version string. */
  version: string
  /** Column name -> type, in the table's order. */
  columns: Map<string, ColumnType>
  /** ClickHouse: JSONExtract* (19.x+) and the Map type (21.x+); both false on 18.16. */
  features: { jsonExtract: boolean; map: boolean }
}

/** A field read from one place, or from the first of several that has a value. */
export type Resolved = SqlValue[]

/** What a preset adds to the resolution: computed fields, default mappings, a lookup of the rest. */
export interface PresetFields {
  /** Fields a preset computes (e.g. the error class from a status and an error object). */
  values?: Readonly<Record<string, SqlValue>>
  /** Default mappings, under the policy's `columns`. */
  columns?: Readonly<Record<string, SqlColumnSpec>>
  /** A lookup of fields no column holds (e.g. OpenTelemetry span and resource attributes). */
  fallback?: (name: string) => SqlValue | undefined
}

export class FieldResolver {
  /** Problems with the mapping (a column that does not exist, a tag list that is not a list). */
  readonly errors: string[] = []
  /**
   * Level 0 of the query: each value read from the source's row, once (`v0`, `v1`, ...). The
   * conversions above it read a value several times, so they name it rather than repeat it: a
   * smaller query, and each JSON path or attribute lookup evaluated once per row.
   */
  readonly extracted: [string, string][] = []
  private readonly read: ValueReader

  constructor(
    private readonly d: Dialect,
    private readonly table: TableInfo,
    /** The policy's `source.columns`. */
    private readonly columns: Readonly<Record<string, SqlColumnSpec>>,
    private readonly where: string,
    private readonly preset: PresetFields = {}
  ) {
    this.read = new ValueReader(d)
  }

  /** Whether the policy or the preset says where this field is. */
  mapped(name: string): boolean {
    return (
      Object.hasOwn(this.columns, name) ||
      Object.hasOwn(this.preset.values ?? {}, name) ||
      Object.hasOwn(this.preset.columns ?? {}, name)
    )
  }

  /**
   * The field's value(s), or undefined when nothing holds it: the policy's mapping, the preset's
   * computed value or mapping, a column of that name, a sub-field of a column, the preset's lookup.
   */
  field(name: string): Resolved | undefined {
    const mapping = Object.hasOwn(this.columns, name)
      ? (this.columns[name] as SqlColumnSpec)
      : undefined
    if (mapping) return this.nonEmpty(this.spec(mapping, `source.columns.${name}`))
    const computed = this.preset.values?.[name]
    if (computed) return [this.leaf(computed)]
    const preset = this.preset.columns?.[name]
    if (preset) return this.nonEmpty(this.spec(preset, `the preset's ${name}`, false))
    const value = this.reference(name) ?? this.leafOf(this.preset.fallback?.(name))
    return value ? [value] : undefined
  }

  private nonEmpty(values: SqlValue[]): Resolved | undefined {
    return values.length > 0 ? values : undefined
  }

  /**
   * The values of `names` (a field and its aliases, in the normaliser's order) that resolve, in
   * order: the first with a value wins, row by row. When the policy or the preset maps any of
   * them, only the mapped ones count (a mapping says where the field is).
   */
  firstOf(names: readonly string[]): Resolved | undefined {
    const mapped = names.filter(n => this.mapped(n))
    const out = (mapped.length > 0 ? mapped : names).flatMap(n => this.field(n) ?? [])
    return out.length > 0 ? out : undefined
  }

  /** Column names, for messages. */
  columnNames(): string[] {
    return [...this.table.columns.keys()]
  }

  /** A mapping's value(s); a missing column is an error (`strict`, the policy's) or skipped (a preset's). */
  private spec(spec: SqlColumnSpec, key: string, strict = true): SqlValue[] {
    if ('firstOf' in spec) {
      return spec.firstOf.flatMap((s, i) => this.spec(s, `${key}.firstOf[${i}]`, strict))
    }
    const column = (ref: string) =>
      strict
        ? this.required(ref, key)
        : (this.reference(ref) ?? this.leafOf(this.preset.fallback?.(ref)))
    if ('between' in spec) {
      const [start, end] = spec.between.map(column)
      if (!start || !end) return []
      const sql = `(${this.read.timestamp(end)} - ${this.read.timestamp(start)})`
      return [{ sql, kind: 'number', type: NUMBER }]
    }
    const value = column(spec.column)
    if (!value) return []
    if (spec.tagPrefix !== undefined) {
      const tag = this.tag(value, spec.tagPrefix, key)
      return tag ? [tag] : []
    }
    if (spec.scale !== undefined) {
      const sql = `(${this.read.num(value)} * ${this.d.number(spec.scale)})`
      return [{ sql, kind: 'number', type: NUMBER }]
    }
    return [value]
  }

  /** A column (or sub-field), or what the preset's lookup finds under that name (an attribute). */
  private required(ref: string, key: string): SqlValue | undefined {
    const value = this.reference(ref) ?? this.leafOf(this.preset.fallback?.(ref))
    if (value) return value
    const names = this.columnNames()
    const hint =
      closestName(ref, names) ||
      `; its columns: ${names.slice(0, 40).join(', ')}${names.length > 40 ? ', ...' : ''}`
    this.errors.push(`${key}: no column ${JSON.stringify(ref)} in ${this.where}${hint}`)
    return undefined
  }

  /** A column, or a sub-field of the longest column-name prefix of a dotted reference. */
  private reference(ref: string): SqlValue | undefined {
    return this.leafOf(this.source(ref))
  }

  /** A value of the source's row, named in level 0; `inner` keeps its SQL in the source's terms. */
  private leaf(v: SqlValue): SqlValue {
    if (v.kind === 'map') return v
    const name = this.extract(v.sql)
    // ClickHouse 18.x has no trim function: a regular expression trims, once, here.
    const trimmed =
      this.d.engine === 'clickhouse' && (v.kind === 'text' || v.kind === 'jsonText')
        ? `v.${this.extract(this.d.trim(v.sql))}`
        : undefined
    return { ...v, sql: `v.${name}`, inner: v.sql, ...(trimmed && { trimmed }) }
  }

  /** Level 0's name for a value of the source's row (the same SQL gets one name). */
  private extract(sql: string): string {
    let found = this.extracted.find(([, known]) => known === sql)
    if (!found) {
      found = [`v${this.extracted.length}`, sql]
      this.extracted.push(found)
    }
    return found[0]
  }

  private leafOf(v: SqlValue | undefined): SqlValue | undefined {
    return v && this.leaf(v)
  }

  private source(ref: string): SqlValue | undefined {
    const columns = this.table.columns
    const whole = columns.get(ref)
    if (whole) return this.column(ref, whole)
    const nested = this.nested(ref)
    if (nested) return { sql: ref, kind: 'map', type: nested }
    const parts = ref.split('.')
    for (let i = parts.length - 1; i >= 1; i--) {
      const column = parts.slice(0, i).join('.')
      const type = columns.get(column) ?? this.nested(column)
      if (type) return this.subField(column, type, parts.slice(i))
    }
    return undefined
  }

  private column(name: string, type: ColumnType): SqlValue {
    return { sql: this.d.ident(name), kind: type.kind, type }
  }

  /** A ClickHouse Nested column `name` (`name.keys` and `name.values` arrays), read like a Map. */
  private nested(name: string): ColumnType | undefined {
    if (this.table.engine !== 'clickhouse') return undefined
    const keys = this.table.columns.get(`${name}.keys`)
    const values = this.table.columns.get(`${name}.values`)
    if (keys?.kind !== 'array' || values?.kind !== 'array') return undefined
    return {
      kind: 'map',
      name: `Nested(keys, values)`,
      nested: { keys: `${name}.keys`, values: `${name}.values` }
    }
  }

  private subField(column: string, type: ColumnType, path: string[]): SqlValue | undefined {
    const d = this.d
    if (d.engine === 'postgres') {
      if (type.kind !== 'json' && type.kind !== 'text') return undefined
      const json = type.name === 'jsonb' ? d.ident(column) : `(${d.ident(column)})::jsonb`
      // `->` key by key: text keys fold to constants (a text[] path is parsed again on every row).
      const steps = path.map(key => ` -> ${d.text(key)}`).join('')
      return { sql: `(${json}${steps})`, kind: 'json', type }
    }
    const key = d.text(path.join('.'))
    if (type.nested) {
      const value = `arrayElement(${d.ident(type.nested.values)}, indexOf(${d.ident(type.nested.keys)}, ${key}))`
      return { sql: `nullif(${value}, '')`, kind: 'text', type: TEXT }
    }
    if (type.kind === 'map')
      return { sql: `nullif(${d.ident(column)}[${key}], '')`, kind: 'text', type: TEXT }
    if (type.kind !== 'text') return undefined
    // 18.x has only the simpleJSON functions (visitParam*), which keep white space around a value.
    const raw = this.table.features.jsonExtract
      ? `JSONExtractRaw(${d.ident(column)}, ${path.map(p => d.text(p)).join(', ')})`
      : path.reduce(
          (acc, p) => d.trim(`visitParamExtractRaw(${acc}, ${d.text(p)})`),
          d.ident(column)
        )
    return { sql: raw, kind: 'jsonText', type }
  }

  /** The first element of a tag list that starts with `prefix`, without it. */
  private tag(list: SqlValue, prefix: string, key: string): SqlValue | undefined {
    const d = this.d
    const p = d.text(prefix)
    if (d.engine === 'postgres') {
      const elements =
        list.kind === 'array'
          ? `unnest(${list.sql})`
          : list.kind === 'json'
            ? `jsonb_array_elements_text(CASE WHEN jsonb_typeof(${list.sql}) = 'array' THEN ${list.sql} END)`
            : undefined
      if (!elements) return this.notTags(key, list)
      return {
        sql: `(SELECT nullif(substr(t, length(${p}) + 1), '') FROM ${elements} AS t WHERE left(t, length(${p})) = ${p} LIMIT 1)`,
        kind: 'text',
        type: TEXT
      }
    }
    if (list.kind !== 'array') return this.notTags(key, list)
    return {
      sql: `nullif(substring(arrayFirst(t -> startsWith(t, ${p}), ${list.sql}), length(${p}) + 1), '')`,
      kind: 'text',
      type: TEXT
    }
  }

  private notTags(key: string, list: SqlValue): undefined {
    this.errors.push(
      `${key}: tagPrefix needs a list of tags (an array${this.d.engine === 'postgres' ? ' or a JSON array' : ''}); this column is ${list.type.name}`
    )
    return undefined
  }
}

const NUMBER: ColumnType = { kind: 'number', name: 'double' }
const TEXT: ColumnType = { kind: 'text', name: 'text' }

/**
 * "; did you mean `x`?" for a column name: the same name in another case (names are quoted, so
 * case-sensitive), a typo away, or one that contains the name or its head (`latency` ->
 * `latency_ms`); '' when nothing is close.
 */
export function closestName(ref: string, names: readonly string[]): string {
  const head = ref.split('.')[0] as string
  const lower = ref.toLowerCase()
  const sameCase = names.find(
    n => n.toLowerCase() === lower || n.toLowerCase() === head.toLowerCase()
  )
  if (sameCase) return `; did you mean \`${sameCase}\` (names are case-sensitive)?`
  const typo = didYouMean(ref, names) || didYouMean(head, names)
  if (typo) return typo
  const contains = names.filter(
    n => n.toLowerCase().includes(head.toLowerCase()) && head.length >= 3
  )
  return contains.length > 0
    ? `; did you mean ${contains
        .slice(0, 3)
        .map(n => `\`${n}\``)
        .join(' or ')}?`
    : ''
}
