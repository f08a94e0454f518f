import { it } from 'vitest'
import { writeFileSync, readFileSync } from 'node:fs'
import { startPostgres } from '../helpers/postgres.js'
import { PG_TRAFFIC } from '../helpers/sqlTraffic.js'
import { generateTraffic } from '../../bench/sqlTraffic.js'
import { parsePolicy } from '../../src/policy/parse.js'
import { SqlSource } from '../../src/sources/sql/sqlSource.js'
const N = Number(process.env.ROWS ?? 1_000_000)
it('prof', async () => {
  const db = await startPostgres()
  await db.sql(PG_TRAFFIC)
  await db.sql("CREATE INDEX ON traffic (ts)")
  let t = Date.now()
  await db.sql(generateTraffic(N, '2026-11-02T08:00:00Z', 5))
  await db.sql('VACUUM ANALYZE traffic')
  console.log('gen', Date.now() - t)
  const policy = parsePolicy(readFileSync('bench/bench-policy.yml', 'utf8').replace("source: { type: file, path: 'unused.jsonl' }", 'source: { type: sql, engine: postgres, urlEnv: U, table: traffic, timeout: 30m }'), 'p.yml')
  let sql = '', params: unknown[] = []
  const s = new SqlSource({ policy, env: { U: db.url }, onQuery: (q, p) => { sql = q; params = p } })
  const from = Date.parse('2026-11-02T08:00:00Z'), to = from + N / 60 * 1000 + 1000
  t = Date.now()
  const ev = await s.collect({ window: { from, to }, now: to })
  console.log('collect', Date.now() - t, 'cells', ev.cells.length, 'records', ev.quality.records)
  writeFileSync('/tmp/query.sql', sql)
  if (process.env.EXPLAIN) {
    await db.sql("BEGIN")
    await db.sql("SET LOCAL enable_sort = off")
    await db.sql("SET LOCAL work_mem = '64MB'")
    const branchA = sql.split('\nUNION ALL\n')[0] as string
    const used = new Set([...branchA.matchAll(/\$(\d+)/g)].map(m => Number(m[1])))
    const max = Math.max(...used)
    let t2 = Date.now()
    const rowsA = await db.sql('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ' + branchA, params.slice(0, max))
    console.log('branch A', Date.now() - t2)
    writeFileSync('/tmp/explainA.txt', rowsA.map((r: any) => r['QUERY PLAN']).join('\n'))
    t2 = Date.now()
    await db.sql('SELECT count(*) FROM traffic')
    console.log('count', Date.now() - t2)
    const rows = await db.sql('EXPLAIN (ANALYZE, COSTS OFF) ' + sql, params)
    await db.sql("COMMIT")
    writeFileSync('/tmp/explain.txt', rows.map((r: any) => r['QUERY PLAN']).join('\n'))
  }
  await db.stop()
}, 3600000)
