/**
 * Prints the query a policy's SQL source sends, with its bound values, without running it: for a
 * DBA to review (or EXPLAIN) before granting the gate a read-only role. It connects once to read
 * the source's column types (the same `SELECT * ... LIMIT 0` / DESCRIBE the gate runs), from the
 * URL in the variable the policy names.
 *
 *   LITELLM_DATABASE_URL=postgres://... node --import tsx examples/sql/print-query.ts \
 *     --policy examples/sql/litellm-policy.yml [--from ISO-8601] [--to ISO-8601]
 *
 * Without a database (--offline), it prints the query for the preset's documented schema:
 * LiteLLM_SpendLogs (Prisma) or the Collector exporter's otel_traces on a ClickHouse with Map.
 */
import { parseArgs } from 'node:util'
import { loadPolicyFile } from '../../src/policyFile.js'
import type { SqlSourceSpec } from '../../src/policy/types.js'
import type { TableInfo } from '../../src/sources/sql/fieldResolver.js'
import { SqlSource } from '../../src/sources/sql/sqlSource.js'
import { PRESET_TABLES } from './presetTables.js'

const { values } = parseArgs({
  options: {
    policy: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    offline: { type: 'boolean', default: false }
  }
})
if (!values.policy)
  throw new Error('usage: print-query.ts --policy FILE [--from T --to T] [--offline]')
const loaded = await loadPolicyFile(values.policy)
const spec = loaded.policy.source as SqlSourceSpec
if (spec.type !== 'sql') throw new Error(`${values.policy}: not a sql source`)
const to = values.to ? Date.parse(values.to) : Date.now()
const from = values.from ? Date.parse(values.from) : to - 3_600_000

let info: TableInfo
const source = new SqlSource({ policy: loaded.policy, env: process.env })
if (values.offline) {
  const known = spec.preset && PRESET_TABLES[spec.preset]
  if (!known) throw new Error('--offline knows the presets only (litellm, otel)')
  info = known
} else {
  const url = process.env[spec.urlEnv]
  if (!url) throw new Error(`set ${spec.urlEnv} to the connection URL`)
  const client =
    spec.engine === 'postgres'
      ? new (await import('../../src/sources/sql/postgresClient.js')).PostgresClient({
          url,
          timeoutMs: 30_000
        })
      : new (await import('../../src/sources/sql/clickhouseClient.js')).ClickHouseClientAdapter({
          url,
          timeoutMs: 30_000
        })
  try {
    const ref =
      spec.query !== undefined
        ? { query: spec.query }
        : { table: spec.table ?? (spec.preset === 'otel' ? 'otel_traces' : 'LiteLLM_SpendLogs') }
    info = await client.describe(ref)
  } finally {
    await client.close()
  }
}
const { query } = source.plan(info, { from, to }, to)
console.log(query.sql)
if (query.params.length > 0) {
  console.log('\n-- bound values:')
  query.params.forEach((p, i) => console.log(`-- $${i + 1} = ${JSON.stringify(p)}`))
}
