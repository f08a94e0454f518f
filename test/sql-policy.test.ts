/**
 * The SQL source without a server: its policy section (validation, messages, JSON Schema), the
 * SQL it writes for schemas an 18.x ClickHouse cannot hold (Map, DateTime64), and the one
 * description of the sketch fields and bucket mapping checked against the sketch code itself.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'

import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { exportSecrets } from '../src/action/secrets.js'
import { parsePolicy } from '../src/policy/parse.js'
import { policyJsonSchema } from '../src/policy/schema.js'
import { PolicyError } from '../src/policy/types.js'
import { emptyCacheSums } from '../src/sketch/cacheSums.js'
import { emptyMoments } from '../src/sketch/moments.js'
import { QuantileSketch } from '../src/sketch/quantileSketch.js'
import { columnType } from '../src/sources/sql/clickhouseClient.js'
import { ClickHouseDialect, PostgresDialect } from '../src/sources/sql/dialect.js'
import type { TableInfo } from '../src/sources/sql/fieldResolver.js'
import {
  CACHE_COUNT_KEYS,
  MOMENT_KEYS,
  QUANTILE_INDEX,
  REPRICING_KEYS
} from '../src/sources/sql/sketchLayout.js'
import { SqlSource } from '../src/sources/sql/sqlSource.js'

const policy = (source: string, extra = '') => `version: 1
rollout: { name: r }
arms: { field: arm, baseline: stable, canary: candidate }
source: ${source}
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: errors, from: error, kind: rate, better: lower, tolerance: 1pp }
${extra}`

const issues = (text: string): string[] => {
  try {
    parsePolicy(text, 'p.yml')
  } catch (e) {
    if (e instanceof PolicyError) return e.issues.map(i => `${i.path}: ${i.message}`)
    throw e
  }
  return []
}

const EXAMPLES = ['examples/sql/litellm-policy.yml', 'examples/sql/otel-policy.yml']

describe('policy: source type sql', () => {
  it('parses, with defaults, every form of column mapping', () => {
    const p = parsePolicy(
      policy(`
  type: sql
  engine: postgres
  urlEnv: DB_URL
  table: public.llm_calls
  columns:
    ts: created_at
    unit: metadata.user
    latency_ms: { column: duration_s, scale: 1000 }
    ttft_ms: { between: [created_at, first_token_at] }
    arm: { column: tags, tagPrefix: 'variant:' }
    model: { firstOf: [served_model, { column: request.model }] }`),
      'p.yml'
    )
    expect(p.source).toEqual({
      type: 'sql',
      engine: 'postgres',
      urlEnv: 'DB_URL',
      table: 'public.llm_calls',
      columns: {
        ts: { column: 'created_at' },
        unit: { column: 'metadata.user' },
        latency_ms: { column: 'duration_s', scale: 1000 },
        ttft_ms: { between: ['created_at', 'first_token_at'] },
        arm: { column: 'tags', tagPrefix: 'variant:' },
        model: { firstOf: [{ column: 'served_model' }, { column: 'request.model' }] }
      },
      timeout: 60_000,
      retries: 2
    })
  })

  it('the examples parse and the JSON Schema accepts them', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })

    const validate = ajv.compile(policyJsonSchema())
    for (const file of EXAMPLES) {
      const text = readFileSync(file, 'utf8')
      expect(() => parsePolicy(text, file)).not.toThrow()
      expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true)
    }
  })

  it.each([
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, query: "SELECT 1" }',
      'source.query: give `table` or `query`, not both'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U }',
      'source.table: missing `table` (or `query`, or a `preset`): where the records are'
    ],
    [
      '{ type: sql, engine: clickhouse, urlEnv: U, preset: litellm }',
      'source.engine: preset litellm reads postgres; set engine: postgres'
    ],
    [
      '{ type: sql, engine: mysql, urlEnv: U, table: t }',
      'source.engine: expected one of postgres, clickhouse, got the string "mysql"'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: "postgres://u:p@h/db", table: t }',
      'source.urlEnv: "postgres://u:p@h/db" is not valid: an environment variable name: letters, digits and `_`, not starting with a digit'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: \'"LiteLLM_SpendLogs"\' }',
      'source.table: "\\"LiteLLM_SpendLogs\\"" is not valid: `name` or `schema.name`, without quotes (the gate quotes names)'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { latencyms: x } }',
      'source.columns.latencyms: "latencyms" is not a field this policy reads; did you mean `latency_ms`?'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { ttft_ms: { between: [a, b, c] } } }',
      'source.columns.ttft_ms.between: list exactly two timestamp columns: [start, end]'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { arm: { column: tags, tagPrefix: "v:", scale: 2 } } }',
      'source.columns.arm.scale: a tag (`tagPrefix`) is text: it cannot be scaled'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { latency_ms: {} } }',
      'source.columns.latency_ms: give either `column` (a column or sub-field) or `between: [start, end]` (milliseconds between two timestamps)'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { latency_ms: { colum: x } } }',
      'source.columns.latency_ms.colum: unknown key `colum`; did you mean `column`?'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, columns: { latency_ms: "\\"ms\\"" } }',
      'source.columns.latency_ms: "\\"ms\\"" is not valid: a column name, or `column.key` for a JSON or Map sub-field (no quotes: the gate quotes names)'
    ],
    [
      '{ type: sql, engine: postgres, urlEnv: U, table: t, timeout: 1h }',
      'source.timeout: must be between 100ms and 30m; got 1h'
    ]
  ])('%s', (source, message) => {
    expect(issues(policy(source))).toContain(message)
  })
})

/** What describe() would find on a current ClickHouse holding the exporter's table. */
const MODERN_OTEL: TableInfo = {
  engine: 'clickhouse',
  version: '24.8.4.13',
  features: { jsonExtract: true, map: true },
  columns: new Map(
    [
      ['Timestamp', 'DateTime64(9)'],
      ['ServiceName', 'LowCardinality(String)'],
      ['SpanName', 'LowCardinality(String)'],
      ['ResourceAttributes', 'Map(LowCardinality(String), String)'],
      ['SpanAttributes', 'Map(LowCardinality(String), String)'],
      ['Duration', 'UInt64'],
      ['StatusCode', 'LowCardinality(String)']
    ].map(([name, type]) => [name as string, columnType(type as string)])
  )
}

describe('the otel preset on a ClickHouse with Map and DateTime64 (not runnable on 18.16)', () => {
  const p = parsePolicy(readFileSync('examples/sql/otel-policy.yml', 'utf8'), 'otel.yml')
  const plan = new SqlSource({ policy: p, env: {} }).plan(
    MODERN_OTEL,
    { from: Date.parse('2026-11-02T08:00:00Z'), to: Date.parse('2026-11-02T09:00:00Z') },
    Date.parse('2026-11-02T09:00:00Z')
  )
  const sql = plan.query.sql

  it('reads span attributes from the Map, then resource attributes', () => {
    expect(sql).toContain("`SpanAttributes`['gen_ai.usage.output_tokens']")
    expect(sql).toContain("`ResourceAttributes`['service.version']")
    expect(sql).toContain("`SpanAttributes`['enduser.id']")
  })

  it('keeps GenAI spans only, and compares the window in DateTime64', () => {
    expect(sql).toContain("arrayExists(k -> startsWith(k, 'gen_ai.'), mapKeys(`SpanAttributes`))")
    expect(sql).toContain("`Timestamp` >= toDateTime64('2026-11-02 08:00:00.000', 3, 'UTC')")
    expect(sql).toMatch(/toUnixTimestamp64Nano\(v\.v\d+\)/)
    expect(sql).toContain('toFloat64(`Duration`) / 1e6')
  })

  it('inlines every value as an escaped literal (no server-side parameters before 19.x)', () => {
    expect(plan.query.params).toEqual([])
    expect(sql).toContain("IN ('1.42.0')")
  })
})

describe("the Action's database-url input", () => {
  it('goes to the variable source.urlEnv names; unused without a sql source', () => {
    const url = 'postgres://gate:s3cret@db:5432/litellm'
    const env: Record<string, string | undefined> = {}
    const sql = parsePolicy(readFileSync(EXAMPLES[0] as string, 'utf8'), 'p.yml')
    expect(exportSecrets({ 'database-url': url }, sql, env)).toEqual({ unused: [] })
    expect(env).toEqual({ LITELLM_DATABASE_URL: url })
    const file = parsePolicy(policy("{ type: file, path: 'x.jsonl' }"), 'p.yml')
    expect(exportSecrets({ 'database-url': url }, file, {})).toEqual({ unused: ['database-url'] })
  })
})

describe('SQL text', () => {
  it('PostgreSQL binds values in order of use; a value built but left out binds nothing', () => {
    const d = new PostgresDialect()
    const unused = d.text('never used')
    void unused
    const a = d.text("o'brien")
    const b = d.number(0.1)
    const { sql, params } = d.finalize(`SELECT ${b}, ${a}, ${b}`)
    expect(sql).toBe('SELECT $1::float8, $2::text, $1::float8')
    expect(params).toEqual(['0.1', "o'brien"])
  })

  it('ClickHouse escapes quotes, backslashes and control characters; quotes names', () => {
    const d = new ClickHouseDialect()
    expect(d.text("it's \\ a\u0001 tab\t")).toBe("'it\\'s \\\\ a\\x01 tab\\x09'")
    expect(d.ident('odd`name\\')).toBe('`odd\\`name\\\\`')
    expect(new PostgresDialect().ident('odd"name')).toBe('"odd""name"')
    expect(() => d.number(Infinity)).toThrow(RangeError)
  })
})

describe('the sketch layout (sketchLayout.ts) against the sketch code', () => {
  it('names every field of RatioMoments, RepricingSums and the counts of CacheSums', () => {
    expect(MOMENT_KEYS.sort()).toEqual(Object.keys(emptyMoments()).sort())
    const cache = emptyCacheSums()
    expect(REPRICING_KEYS.sort()).toEqual(Object.keys(cache.repricing ?? {}).sort())
    const counts = Object.keys(cache).filter(k => !['latency', 'ttft', 'repricing'].includes(k))
    expect([...CACHE_COUNT_KEYS].sort()).toEqual(counts.sort())
  })

  it('maps a value to the bucket QuantileSketch files it in', () => {
    const values = [
      1e-9,
      0.001,
      0.5,
      1,
      1.01,
      2,
      3.845,
      99.5,
      100,
      1000,
      1234.5678,
      30000,
      2 ** 40,
      1e15
    ]
    for (let i = 1; i < 2000; i++) values.push(i, i * 0.37, Math.exp(i / 50))
    // The sketch the evidence builder makes (its defaults), so a change of the sketch's accuracy
    // or mapping shows here, not as quantile intervals that differ between sources.
    expect(new QuantileSketch().relativeAccuracy).toBe(QUANTILE_INDEX.alpha)
    for (const v of values) {
      for (const sign of [1, -1]) {
        const sketch = new QuantileSketch()
        sketch.add(sign * v)
        const data = sketch.toJSON()
        const store = sign > 0 ? data.positive : data.negative
        expect(store.offset, `${sign * v}`).toBe(QUANTILE_INDEX.js(sign * v))
      }
    }
  })
})
