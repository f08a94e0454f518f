/**
 * ClickHouse through `@clickhouse/client` (its HTTP interface), loaded only when a policy reads
 * ClickHouse. Every request carries `readonly=1` and, unless the user's profile forbids changing
 * settings, `max_execution_time`; results stream as JSONEachRow. Works with 18.16 (Debian's
 * package): no server-side query parameters (values are escaped literals, dialect.ts), no
 * JSONExtract, no Map type; describe() reports which of these the server has.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import { didYouMean } from '../../policy/dsl.js'
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

/** ClickHouse error codes (src/Common/ErrorCodes.cpp). */
const CODES: Record<number, SqlErrorKind> = {
  60: 'missing-table', // UNKNOWN_TABLE
  81: 'missing-table', // UNKNOWN_DATABASE
  159: 'timeout', // TIMEOUT_EXCEEDED
  192: 'auth', // UNKNOWN_USER
  193: 'auth', // WRONG_PASSWORD
  194: 'auth', // REQUIRED_PASSWORD
  195: 'auth', // IP_ADDRESS_NOT_ALLOWED
  516: 'auth', // AUTHENTICATION_FAILED
  394: 'cancelled', // QUERY_WAS_CANCELLED
  202: 'unavailable', // TOO_MANY_SIMULTANEOUS_QUERIES
  209: 'unavailable', // SOCKET_TIMEOUT
  210: 'unavailable' // NETWORK_ERROR
}
/** READONLY: the user's profile is read-only, so no setting may be changed per query. */
const READONLY = 164

/** Bytes of aggregation or sort state a query keeps in memory before spilling to disk. */
const EXTERNAL_BYTES = 512 << 20

export class ClickHouseClientAdapter implements SqlClient {
  private readonly client: ClickHouseClient
  private readonly deadline: number
  /** Whether the server accepts max_execution_time from us (a read-only profile does not). */
  private settingsAllowed = true

  constructor(private readonly o: SqlClientOptions) {
    this.deadline = Date.now() + o.timeoutMs
    const tls = o.tls
    this.client = createClient({
      url: o.url,
      request_timeout: o.timeoutMs + 1000,
      application: 'ai-rollout-gate',
      compression: { request: false, response: false },
      log: { level: ClickHouseLogLevel.OFF },
      keep_alive: { enabled: false },
      ...(tls?.ca !== undefined &&
        !tls.insecureSkipVerify && { tls: { ca_cert: readFileSync(tls.ca) } }),
      ...(tls?.insecureSkipVerify && {
        http_agent: new Agent({ rejectUnauthorized: false }),
        set_basic_auth_header: true
      })
    })
  }

  async describe(source: SourceRef): Promise<TableInfo> {
    const [meta] = await this.rows<{ v: string; j: string; m: string }>(
      "SELECT version() AS v, countIf(name = 'JSONExtractRaw') AS j, countIf(name = 'mapContains') AS m FROM system.functions"
    )
    const described = 'table' in source ? `TABLE ${quotedTable(source.table)}` : `(${source.query})`
    let columns: { name: string; type: string }[]
    try {
      columns = await this.rows<{ name: string; type: string }>(`DESCRIBE ${described}`)
    } catch (e) {
      if (e instanceof SqlError && e.kind === 'missing-table' && 'table' in source) {
        const tables = await this.rows<{ name: string }>(
          'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name LIMIT 500'
        ).catch(() => [])
        const names = tables.map(t => t.name)
        const hint =
          didYouMean(source.table, names) ||
          (names.length > 0 ? `; tables: ${names.slice(0, 20).join(', ')}` : '')
        throw new SqlError(
          'missing-table',
          `no table ${JSON.stringify(source.table)}${hint} (${e.message})`,
          { cause: e }
        )
      }
      throw e
    }
    return {
      engine: 'clickhouse',
      version: meta?.v ?? '',
      columns: new Map(columns.map(c => [c.name, columnType(c.type)])),
      features: { jsonExtract: Number(meta?.j) > 0, map: Number(meta?.m) > 0 }
    }
  }

  async stream(
    sql: string,
    _params: unknown[],
    row: (row: Record<string, unknown>) => void
  ): Promise<void> {
    await this.query(sql, async result => {
      for await (const rows of result.stream()) {
        for (const r of rows as { json<T>(): T }[]) row(r.json<Record<string, unknown>>())
      }
    })
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {})
  }

  private async rows<T>(sql: string): Promise<T[]> {
    const out: T[] = []
    await this.stream(sql, [], r => out.push(r as T))
    return out
  }

  private async query(
    sql: string,
    read: (result: Awaited<ReturnType<ClickHouseClient['query']>>) => Promise<void>
  ): Promise<void> {
    const remaining = this.deadline - Date.now()
    if (remaining <= 0)
      throw new SqlError('timeout', `no answer within ${this.o.timeoutMs} ms (source.timeout)`)
    const abort = new AbortController()
    // Named, so that a DBA finds the gate's queries in system.processes and system.query_log.
    const queryId = `ai-rollout-gate-${randomUUID()}`
    let killed: Promise<void> | undefined
    const timer = setTimeout(() => {
      abort.abort()
      // Servers before 21.x keep running a query whose client went away: stop it.
      killed = this.kill(queryId)
    }, remaining + 1000)
    const settings: Record<string, string | number> = { readonly: '1' }
    if (this.settingsAllowed) {
      settings.max_execution_time = Math.max(1, Math.ceil(remaining / 1000))
      // The evidence query of a large policy can pass the default 256 KiB.
      settings.max_query_size = 4 << 20
      // The per-user levels (rank sums, clusters) group by unit: past a few hundred MB, let the
      // server spill those aggregations and sorts to disk instead of failing the query with
      // MEMORY_LIMIT_EXCEEDED (code 241; the default max_memory_usage is 10 GB).
      settings.max_bytes_before_external_group_by = EXTERNAL_BYTES
      settings.max_bytes_before_external_sort = EXTERNAL_BYTES
    }
    try {
      const result = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        query_id: queryId,
        clickhouse_settings: settings as never,
        abort_signal: abort.signal
      })
      await read(result)
    } catch (e) {
      await killed
      const error = this.classify(e, abort.signal.aborted)
      if (
        error.code === READONLY &&
        this.settingsAllowed &&
        /Cannot (override|modify) setting/i.test(error.message)
      ) {
        // A read-only profile: send only readonly=1, and rely on the client-side timeout.
        this.settingsAllowed = false
        clearTimeout(timer)
        return this.query(sql, read)
      }
      throw error.sqlError
    } finally {
      clearTimeout(timer)
    }
  }

  /** Best effort: KILL QUERY is allowed to a read-only user, for its own queries. */
  private async kill(queryId: string): Promise<void> {
    await this.client
      .command({
        query: `KILL QUERY WHERE query_id = '${queryId}' ASYNC`,
        clickhouse_settings: { readonly: '1' } as never
      })
      .catch(() => {})
  }

  private classify(
    e: unknown,
    aborted: boolean
  ): { code?: number; message: string; sqlError: SqlError } {
    const message = messageOf(e)
    if (aborted) {
      return {
        message,
        sqlError: new SqlError(
          'timeout',
          `no answer within ${this.o.timeoutMs} ms (source.timeout)`,
          { cause: e }
        )
      }
    }
    const code = Number(/Code: (\d+)/.exec(message)?.[1] ?? (e as { code?: unknown }).code)
    const text = message
      .replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, '')
      .replace(/, e\.what\(\) = DB::Exception\s*$/, '')
    if (Number.isInteger(code) && code > 0) {
      const kind = CODES[code] ?? 'query'
      return {
        code,
        message: text,
        sqlError: new SqlError(kind, `${text} (ClickHouse code ${code})`, { cause: e })
      }
    }
    const errno = (e as { code?: unknown }).code
    if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
      return { message, sqlError: new SqlError('connect', message, { cause: e }) }
    }
    if (/socket hang up|ECONNRESET|ECONNREFUSED|Timeout error/i.test(message)) {
      return {
        message,
        sqlError: new SqlError(/Timeout/i.test(message) ? 'timeout' : 'connect', message, {
          cause: e
        })
      }
    }
    return { message, sqlError: new SqlError('query', message, { cause: e }) }
  }
}

/** `name` or `database.name`, each part quoted. */
export function quotedTable(table: string): string {
  return table
    .split('.')
    .map(p => `\`${p.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``)
    .join('.')
}

/** A ClickHouse type as the gate reads it (Nullable and LowCardinality unwrapped). */
export function columnType(name: string): ColumnType {
  let t = name
  for (;;) {
    const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t)
    if (!inner) break
    t = inner[1] as string
  }
  if (/^(U?Int\d+|Float\d+|Decimal)/.test(t)) return { kind: 'number', name }
  if (/^(String|FixedString|UUID|Enum)/.test(t)) return { kind: 'text', name }
  if (t === 'Bool') return { kind: 'bool', name }
  const dt64 = /^DateTime64\((\d+)/.exec(t)
  if (dt64) return { kind: 'time', name, precision: Number(dt64[1]) }
  if (/^(DateTime|Date)/.test(t)) return { kind: 'time', name }
  if (t.startsWith('Array(')) return { kind: 'array', name }
  if (t.startsWith('Map(')) return { kind: 'map', name }
  return { kind: 'other', name }
}
