import type { Policy, SqlSourceSpec } from '../../policy/types.js'
import { PRESET_TABLES } from '../../policy/sqlSchema.js'
import { FieldCatalog, type FieldsSeen } from '../../records/fieldCatalog.js'
import { fieldSources } from '../../records/fields.js'
import type { Evidence } from '../../sketch/evidence.js'
import { SourceError, type CollectRequest, type Source } from '../source.js'
import { dialectFor, type Dialect } from './dialect.js'
import { evidenceQuery, type EvidenceQuery } from './evidenceQuery.js'
import { EvidenceRows, type EvidenceRow } from './evidenceRows.js'
import { FieldResolver, type TableInfo } from './fieldResolver.js'
import { presetFor, type Preset } from './presets.js'
import { recordSql } from './recordSql.js'
import {
  SqlError,
  messageOf,
  safeTarget,
  type SourceRef,
  type SqlClient,
  type SqlClientOptions
} from './sqlClient.js'

export interface SqlSourceOptions {
  policy: Policy
  /** Where the URL variable (source.urlEnv) is read. */
  env: Record<string, string | undefined>
  /** Test seam: the database client (default: the engine's driver, imported on first use). */
  connect?: (options: SqlClientOptions) => Promise<SqlClient>
  /** First retry delay, ms (default 500; doubles each retry). */
  backoffMs?: number
  /** Sees each evidence query the source sends (SQL and bound values; never the URL). */
  onQuery?: (sql: string, params: unknown[]) => void
}

/** The policy's relative `tls.caFile` is read from the working directory, like `labels`. */
const connectors: Record<SqlSourceSpec['engine'], (o: SqlClientOptions) => Promise<SqlClient>> = {
  // Dynamic imports: `pg` and `@clickhouse/client` load only when a policy reads SQL.
  postgres: async o => new (await import('./postgresClient.js')).PostgresClient(o),
  clickhouse: async o => new (await import('./clickhouseClient.js')).ClickHouseClientAdapter(o)
}

/**
 * Evidence from a PostgreSQL or ClickHouse table of LLM calls (DESIGN.md principle 5: aggregation
 * is pushed down to the engine that holds the data). Each evaluation describes the source (its
 * columns and types, and the server's version: one small query) and sends one query that returns
 * every sketch the evidence needs per arm x segment x time bucket (evidenceQuery.ts), read-only,
 * with a timeout, retried on connection failures. The gate's memory holds the cells, never rows.
 *
 * What it cannot do is a SourceError, which the evaluation turns into a hold with the reason: no
 * URL in the environment, a server down, wrong credentials, a missing table or column (named, with
 * the closest names), a query cancelled or past its timeout.
 */
export class SqlSource implements Source {
  private readonly spec: SqlSourceSpec
  private readonly policy: Policy
  private readonly o: SqlSourceOptions
  private readonly ref: SourceRef

  constructor(o: SqlSourceOptions) {
    const spec = o.policy.source
    if (spec.type !== 'sql') throw new TypeError('SqlSource needs a sql source')
    this.spec = spec
    this.policy = o.policy
    this.o = o
    this.ref =
      spec.query !== undefined
        ? { query: spec.query }
        : { table: spec.table ?? PRESET_TABLES[spec.preset as keyof typeof PRESET_TABLES] }
  }

  describe(): string {
    const url = this.o.env[this.spec.urlEnv]
    const where = url ? safeTarget(url) : `$${this.spec.urlEnv}`
    return `${this.spec.engine} ${where} ${this.where()}`
  }

  async collect(request: CollectRequest): Promise<Evidence> {
    return this.withClient(async (client, info) => {
      const plan = this.plan(info, request.window, request.now)
      this.o.onQuery?.(plan.query.sql, plan.query.params)
      const rows = new EvidenceRows({
        policy: this.policy,
        query: plan.query,
        window: request.window,
        source: this.describe(),
        where: this.where(),
        halfHash: plan.d.halfHash
      })
      const dims = plan.query.dims
      // A failure while filing a row is the gate's own bug, not the database's: it must not turn
      // into a hold that hides it.
      let bug: { error: unknown } | undefined
      await client
        .stream(plan.query.sql, plan.query.params, r => {
          try {
            rows.add(parseRow(r, dims))
          } catch (error) {
            bug = { error }
            throw error
          }
        })
        .catch((e: unknown) => {
          throw bug ? new BugInRows(bug.error) : e
        })
      const evidence = rows.finish()
      evidence.quality.fields = plan.fields
      if (plan.preset?.notes.length) {
        evidence.quality.notes = [...(evidence.quality.notes ?? []), ...plan.preset.notes]
      }
      return evidence
    })
  }

  /** Earliest canary record within one maxDuration before `until` (a step never lasts longer). */
  async firstCanaryTime(until: number): Promise<number | undefined> {
    return this.withClient(async (client, info) => {
      const plan = this.plan(
        info,
        { from: until - this.policy.rollout.maxDuration, to: until + 1 },
        until
      )
      const { d, records } = plan
      const level1 = records.level1.filter(([alias]) => alias === 'r_ts' || alias === 'r_lbl')
      const canary = this.policy.arms.canary.map(v => d.text(v)).join(', ')
      const list = (items: [string, string][]) => items.map(([a, s]) => `${s} AS ${a}`).join(', ')
      const where = (c: string[]) => (c.length > 0 ? ` WHERE ${c.join(' AND ')}` : '')
      const sql = `SELECT min(r_ts) AS first FROM (SELECT ${list(level1)} FROM (SELECT ${list(records.level0)} FROM ${plan.from} AS src${where(records.where)}) AS v${where(records.whereRead)}) AS r WHERE r_lbl IN (${canary}) AND r_ts <= ${d.number(until)}`
      let first: number | undefined
      const statement = d.finalize(sql)
      await client.stream(statement.sql, statement.params, r => {
        const v = r.first
        first = v === null || v === undefined ? undefined : Number(v)
      })
      return first !== undefined && Number.isFinite(first) ? first : undefined
    })
  }

  /** The evidence query for a window, given what describe() found (exposed for the README and tests). */
  plan(info: TableInfo, window: { from: number; to: number }, now: number) {
    const d = dialectFor(this.spec.engine)
    const preset = this.spec.preset ? presetFor(this.spec.preset, d, info) : undefined
    const resolver = new FieldResolver(d, info, this.spec.columns, this.where(), preset)
    const records = recordSql({ d, policy: this.policy, resolver, window, now })
    if (preset?.where) records.where.push(preset.where)
    // A mapping that names no column is the cause of the fields it leaves unread: report it alone.
    const problems = [
      ...(preset?.problems ?? []),
      ...(resolver.errors.length > 0 ? resolver.errors : records.missing)
    ]
    if (problems.length > 0) {
      throw new SourceError(
        `cannot read the records from ${this.where()}: ${problems.join('; ')}. Map the fields under source.columns (a column, \`column.key\` for a JSON or Map sub-field).`
      )
    }
    const from = this.from(d)
    const query: EvidenceQuery = evidenceQuery({ d, policy: this.policy, from, records })
    // A resolver of its own: resolving fields registers the values the query reads.
    const fields = fieldsSeen(
      this.policy,
      new FieldResolver(d, info, this.spec.columns, this.where(), preset),
      info
    )
    return { d, records, query, from, preset, fields }
  }

  /** Connects (with retries on connection failures), describes the source, and runs `f`. */
  private async withClient<T>(f: (client: SqlClient, info: TableInfo) => Promise<T>): Promise<T> {
    const url = this.o.env[this.spec.urlEnv]
    if (!url) {
      throw new SourceError(
        `environment variable ${this.spec.urlEnv} (source.urlEnv) is not set: it must hold the ${this.spec.engine} connection URL; in the Action, pass it as the database-url input`
      )
    }
    const connect = this.o.connect ?? connectors[this.spec.engine]
    const tls = this.spec.tls && {
      insecureSkipVerify: this.spec.tls.insecureSkipVerify,
      ...(this.spec.tls.caFile !== undefined && { ca: this.spec.tls.caFile })
    }
    let attempt = 0
    for (;;) {
      let client: SqlClient | undefined
      try {
        client = await connect({ url, timeoutMs: this.spec.timeout, ...(tls && { tls }) })
        const info = await client.describe(this.ref)
        return await f(client, info)
      } catch (e) {
        if (e instanceof SourceError) throw e
        if (e instanceof BugInRows) throw e.cause
        const error = e instanceof SqlError ? e : new SqlError('query', messageOf(e), { cause: e })
        if (error.transient && attempt < this.spec.retries) {
          await sleep((this.o.backoffMs ?? 500) * 2 ** attempt++)
          continue
        }
        throw new SourceError(this.explain(error, attempt))
      } finally {
        await client?.close()
      }
    }
  }

  private explain(e: SqlError, retries: number): string {
    const target = this.describe()
    const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''
    switch (e.kind) {
      case 'connect':
      case 'unavailable':
        return `cannot reach ${target}${after}: ${e.message}`
      case 'auth':
        return `${target} refused the credentials in ${this.spec.urlEnv}: ${e.message}`
      case 'timeout':
        return `${target}: the query did not finish within ${this.spec.timeout / 1000}s (source.timeout): ${e.message}`
      case 'cancelled':
        return `${target}: the query was cancelled on the server: ${e.message}`
      case 'missing-table':
        return `${target}: ${e.message}; check source.table`
      default:
        return `${target}: the query failed: ${e.message}`
    }
  }

  private where(): string {
    return 'table' in this.ref ? `table ${JSON.stringify(this.ref.table)}` : 'source.query'
  }

  private from(d: Dialect): string {
    if ('query' in this.ref) return `(${this.ref.query})`
    return this.ref.table
      .split('.')
      .map(p => d.ident(p))
      .join('.')
  }
}

/**
 * The fields the source's rows have, for the fields check (analysis/fieldsCheck.ts): its columns,
 * and each field the policy reads (a metric's `from` and `per` with their aliases, a segment
 * dimension, the unit) that a column, a mapping or the preset gives. A field nothing gives stops
 * the evaluation before the query (plan()), so the check here finds the fields that are there but
 * have no value in the window, and suggests the columns.
 */
function fieldsSeen(policy: Policy, resolver: FieldResolver, info: TableInfo): FieldsSeen {
  const read = new Set<string>([
    ...policy.metrics.flatMap(m =>
      [m.from, m.per].flatMap(f => (f === undefined ? [] : [f, ...fieldSources(f).paths]))
    ),
    ...(policy.segments?.by ?? []),
    ...(policy.arms.unit === undefined ? ['unit', 'user_id', 'session_id'] : [policy.arms.unit])
  ])
  const row: Record<string, true> = {}
  for (const column of info.columns.keys()) row[column] = true
  for (const field of read) if (resolver.field(field)) row[field] = true
  const catalog = new FieldCatalog(policy)
  catalog.add(row)
  return catalog.result()
}

/** A row as a driver parses it (64-bit integers as strings) -> numbers and strings. */
function parseRow(r: Record<string, unknown>, dims: number): EvidenceRow {
  const numbers = (x: unknown) => (Array.isArray(x) ? x.map(Number) : [])
  return {
    t: Number(r.t),
    a: Number(r.a),
    s: Array.from({ length: dims }, (_, j) => String(r[`s${j}`] ?? '')),
    k: Number(r.k),
    h: Number(r.h),
    d: Number(r.d),
    key: String(r.key ?? ''),
    mk: String(r.mk ?? ''),
    err: String(r.err ?? ''),
    lbl: String(r.lbl ?? ''),
    inv: Array.isArray(r.inv) ? r.inv.map(x => String(x ?? '')) : [],
    v: numbers(r.v),
    w: numbers(r.w)
  }
}

/** Carries an exception thrown while filing a row past the driver, which would classify it. */
class BugInRows extends Error {
  constructor(cause: unknown) {
    super('a row could not be filed', { cause })
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export type { Preset }
