/**
 * The small interface the SQL source needs from a database client, and the errors it tells apart.
 * The drivers (postgresClient.ts with `pg`, clickhouseClient.ts with `@clickhouse/client`) are
 * loaded with a dynamic import, only when a policy reads SQL.
 */
import type { TableInfo } from './fieldResolver.js'

export interface SqlClientOptions {
  /** The connection URL, credentials included: never printed. */
  url: string
  /** Of the whole evaluation (connect, describe, query), ms; also the server-side limit. */
  timeoutMs: number
  tls?: { insecureSkipVerify: boolean; ca?: string }
}

/** Where the records are: a table (`name` or `schema.name`) or a query. */
export type SourceRef = { table: string } | { query: string }

export interface SqlClient {
  /** The server's version, the source's columns and their types, and the engine's features. */
  describe(source: SourceRef): Promise<TableInfo>
  /** Runs a read-only query and calls `row` with each row, as the driver parses it. */
  stream(sql: string, params: unknown[], row: (row: Record<string, unknown>) => void): Promise<void>
  close(): Promise<void>
}

export type SqlErrorKind =
  'connect' | 'auth' | 'timeout' | 'cancelled' | 'missing-table' | 'query' | 'unavailable'

/** A database failure, classified: `connect` and `unavailable` are worth a retry. */
export class SqlError extends Error {
  constructor(
    readonly kind: SqlErrorKind,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'SqlError'
  }

  get transient(): boolean {
    return this.kind === 'connect' || this.kind === 'unavailable'
  }
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** `host:port/database` of a connection URL, without credentials or parameters, for messages. */
export function safeTarget(url: string): string {
  try {
    const u = new URL(url)
    const db = u.pathname.replace(/^\//, '')
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${db ? `/${db}` : ''}`
  } catch {
    return '(unparsable URL)'
  }
}
