/**
 * PostgreSQL through `pg` (node-postgres), loaded only when a policy reads PostgreSQL. Each call
 * runs in one READ ONLY transaction with a statement timeout (and UTC as the session time zone),
 * on one connection.
 */
import pg from 'pg'
import { readFileSync } from 'node:fs'
import type { ColumnType } from './dialect.js'
import type { TableInfo } from './fieldResolver.js'
import {
  SqlError,
  messageOf,
  type SourceRef,
  type SqlClient,
  type SqlClientOptions,
  type SqlErrorKind
} from './sqlClient.js'

/** SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const SQLSTATE: [RegExp, SqlErrorKind][] = [
  [/^28/, 'auth'], // invalid authorization specification (28000, 28P01)
  [/^3D000$/, 'auth'], // invalid catalog name: the database in the URL does not exist
  [/^57014$/, 'cancelled'], // query_canceled (statement_timeout says so in its message)
  [/^42P01$/, 'missing-table'], // undefined_table
  [/^(08|53|57P0[123])/, 'unavailable'] // connection exception, insufficient resources, shutdown
]

export class PostgresClient implements SqlClient {
  private client: pg.Client | undefined
  private readonly deadline: number

  constructor(private readonly o: SqlClientOptions) {
    this.deadline = Date.now() + o.timeoutMs
  }

  async describe(source: SourceRef): Promise<TableInfo> {
    return this.inTransaction(async client => {
      const from = 'table' in source ? quotedTable(source.table) : `(${source.query})`
      let fields: pg.FieldDef[]
      try {
        fields = (await client.query(`SELECT * FROM ${from} AS src LIMIT 0`)).fields
      } catch (e) {
        const error = this.classify(e)
        if (error.kind === 'missing-table' && 'table' in source) {
          throw new SqlError('missing-table', await this.missingTable(client, source.table), {
            cause: e
          })
        }
        throw error
      }
      const oids = [...new Set(fields.map(f => f.dataTypeID))]
      const types = await client.query<{
        oid: number
        typname: string
        typcategory: string
        version: string
      }>(
        'SELECT oid::int AS oid, typname, typcategory, version() AS version FROM pg_type WHERE oid = ANY($1::oid[])',
        [oids]
      )
      const byOid = new Map(types.rows.map(t => [t.oid, t]))
      const version =
        types.rows[0]?.version ??
        (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ??
        ''
      const columns = new Map<string, ColumnType>()
      for (const f of fields) {
        const t = byOid.get(f.dataTypeID)
        columns.set(f.name, columnType(t?.typname ?? String(f.dataTypeID), t?.typcategory ?? 'X'))
      }
      return { engine: 'postgres', version, columns, features: { jsonExtract: true, map: false } }
    })
  }

  /**
   * One plain query whose rows are filed as they arrive: a Query with a `row` listener and no
   * callback, which node-postgres does not accumulate, so the gate holds one row at a time
   * (parsed from the socket's current chunk; the socket's flow control paces the server). Not a
   * cursor: PostgreSQL never runs a cursor's query, nor an Execute with a row limit (pg-cursor's
   * FETCH in batches), with parallel workers (PostgreSQL 15 manual, 15.2 "When Can Parallel
   * Query Be Used?"), and this query scans the whole window.
   */
  async stream(
    sql: string,
    params: unknown[],
    row: (row: Record<string, unknown>) => void
  ): Promise<void> {
    await this.inTransaction(async client => {
      const query = new pg.Query<Record<string, unknown>>(sql, params)
      const done = new Promise<void>((resolve, reject) => {
        // A row that cannot be filed stops the filing; the error is given once the server is done.
        let failed: { error: unknown } | undefined
        query.on('row', (r: Record<string, unknown>) => {
          if (failed) return
          try {
            row(r)
          } catch (error) {
            failed = { error }
          }
        })
        query.on('error', reject)
        query.on('end', () => (failed ? reject(failed.error) : resolve()))
      })
      client.query(query)
      await this.withDeadline(done)
    })
  }

  async close(): Promise<void> {
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client
    const remaining = Math.max(100, this.deadline - Date.now())
    const client = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: remaining,
      application_name: 'ai-rollout-gate',
      ...(this.o.tls && {
        ssl: {
          rejectUnauthorized: !this.o.tls.insecureSkipVerify,
          ...(this.o.tls.ca !== undefined && { ca: readFileSync(this.o.tls.ca, 'utf8') })
        }
      })
    })
    // A connection that drops between queries: the next query fails with the reason.
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (e) {
      await client.end().catch(() => {})
      throw this.classify(e)
    }
    this.client = client
    return client
  }

  /** `f` in a READ ONLY transaction whose statements stop at the deadline, server side too. */
  private async inTransaction<T>(f: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.connection()
    const ms = Math.max(1, Math.floor(this.deadline - Date.now()))
    try {
      await this.withDeadline(
        client.query(
          // enable_sort off: the gate's GROUP BYs have few groups (cells, units), which hashing
          // aggregates in one pass where the planner, blind to that, would sort every row.
          `BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${ms}; SET LOCAL TIME ZONE 'UTC'; SET LOCAL enable_sort = off; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`
        )
      )
      const result = await f(client)
      await this.withDeadline(client.query('COMMIT'))
      return result
    } catch (e) {
      if (this.client === client) await client.query('ROLLBACK').catch(() => {})
      throw e instanceof SqlError ? e : this.classify(e)
    }
  }

  /** The client-side guard: past the deadline the connection is dropped (the server stops too). */
  private async withDeadline<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const client = this.client
          this.client = undefined
          void client?.end().catch(() => {})
          reject(
            new SqlError('timeout', `no answer within ${this.o.timeoutMs} ms (source.timeout)`)
          )
        },
        Math.max(1, this.deadline - Date.now() + 1000)
      )
    })
    try {
      return await Promise.race([p, expired])
    } finally {
      clearTimeout(timer)
    }
  }

  private classify(e: unknown): SqlError {
    if (e instanceof SqlError) return e
    const code = (e as { code?: unknown }).code
    const message = messageOf(e)
    if (typeof code === 'string') {
      if (code === '57014' && /statement timeout/i.test(message)) {
        return new SqlError(
          'timeout',
          `the query ran past source.timeout (${this.o.timeoutMs} ms): ${message}`,
          { cause: e }
        )
      }
      for (const [pattern, kind] of SQLSTATE) {
        if (pattern.test(code))
          return new SqlError(kind, `${message} (SQLSTATE ${code})`, { cause: e })
      }
      if (/^E[A-Z]+$/.test(code)) return new SqlError('connect', message, { cause: e })
      return new SqlError('query', `${message} (SQLSTATE ${code})`, { cause: e })
    }
    if (/timeout|terminated|ECONNRESET|Connection terminated/i.test(message)) {
      return new SqlError(/timeout/i.test(message) ? 'timeout' : 'connect', message, { cause: e })
    }
    return new SqlError('query', message, { cause: e })
  }

  /** The message for a table that does not exist, with the closest names the database has. */
  private async missingTable(client: pg.Client, table: string): Promise<string> {
    await client.query('ROLLBACK').catch(() => {})
    await client.query('BEGIN READ ONLY').catch(() => {})
    const tables = await client
      .query<{ name: string }>(
        "SELECT CASE WHEN table_schema = current_schema() THEN table_name ELSE table_schema || '.' || table_name END AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 500"
      )
      .then(r => r.rows.map(t => t.name))
      .catch(() => [])
    return `no table ${JSON.stringify(table)}${closest(table, tables)}`
  }
}

function closest(name: string, names: string[]): string {
  const lower = name.toLowerCase()
  const exact = names.find(n => n.toLowerCase() === lower)
  if (exact) return `; did you mean \`${exact}\` (names are case-sensitive)?`
  const near = names
    .map(n => ({ n, d: editDistance(lower, n.toLowerCase()) }))
    .filter(x => x.d <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.d - b.d)[0]
  if (near) return `; did you mean \`${near.n}\`?`
  return names.length > 0
    ? `; tables: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}`
    : ''
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    prev = row
  }
  return prev[b.length] as number
}

/** `name` or `schema.name`, each part quoted. */
export function quotedTable(table: string): string {
  return table
    .split('.')
    .map(p => `"${p.replaceAll('"', '""')}"`)
    .join('.')
}

/** A PostgreSQL type (pg_type name and category) as the gate reads it. */
function columnType(name: string, category: string): ColumnType {
  if (name === 'json' || name === 'jsonb') return { kind: 'json', name }
  if (name === 'bool') return { kind: 'bool', name }
  if (name === 'timestamptz' || name === 'timestamp' || name === 'date')
    return { kind: 'time', name }
  if (name === 'interval') return { kind: 'interval', name }
  switch (category) {
    case 'N':
      return { kind: 'number', name }
    case 'S':
      return { kind: 'text', name }
    case 'A':
      return { kind: 'array', name }
    case 'D':
      return { kind: 'time', name }
    default:
      return { kind: 'other', name }
  }
}
