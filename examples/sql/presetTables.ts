/**
 * The presets' tables as their projects create them, as the gate's describe() reads them: for
 * printing (and testing) the exact query without a database (print-query.ts --offline).
 */
import { columnType } from '../../src/sources/sql/clickhouseClient.js'
import type { ColumnType } from '../../src/sources/sql/dialect.js'
import type { TableInfo } from '../../src/sources/sql/fieldResolver.js'

const PG = (name: string, kind: ColumnType['kind']): ColumnType => ({ kind, name })

export const PRESET_TABLES: Record<'litellm' | 'otel', TableInfo> = {
  litellm: {
    engine: 'postgres',
    version: 'PostgreSQL 15',
    features: { jsonExtract: true, map: false },
    columns: new Map(
      (
        [
          ['request_id', 'text', 'text'],
          ['call_type', 'text', 'text'],
          ['api_key', 'text', 'text'],
          ['spend', 'float8', 'number'],
          ['total_tokens', 'int4', 'number'],
          ['prompt_tokens', 'int4', 'number'],
          ['completion_tokens', 'int4', 'number'],
          ['startTime', 'timestamp', 'time'],
          ['endTime', 'timestamp', 'time'],
          ['request_duration_ms', 'int4', 'number'],
          ['completionStartTime', 'timestamp', 'time'],
          ['model', 'text', 'text'],
          ['model_group', 'text', 'text'],
          ['user', 'text', 'text'],
          ['metadata', 'jsonb', 'json'],
          ['cache_hit', 'text', 'text'],
          ['request_tags', 'jsonb', 'json'],
          ['end_user', 'text', 'text'],
          ['session_id', 'text', 'text'],
          ['status', 'text', 'text']
        ] as const
      ).map(([n, t, k]) => [n, PG(t, k)])
    )
  },
  otel: {
    engine: 'clickhouse',
    version: '24.8',
    features: { jsonExtract: true, map: true },
    columns: new Map(
      [
        ['Timestamp', 'DateTime64(9)'],
        ['TraceId', 'String'],
        ['SpanId', 'String'],
        ['SpanName', 'LowCardinality(String)'],
        ['ServiceName', 'LowCardinality(String)'],
        ['ResourceAttributes', 'Map(LowCardinality(String), String)'],
        ['SpanAttributes', 'Map(LowCardinality(String), String)'],
        ['Duration', 'UInt64'],
        ['StatusCode', 'LowCardinality(String)']
      ].map(([n, t]) => [n as string, columnType(t as string)])
    )
  }
}
