/**
 * The `source: { type: sql }` variant of the policy: a PostgreSQL or ClickHouse table (or query)
 * of LLM calls, aggregated where it lives (src/sources/sql/). Credentials are never in the policy:
 * it names the environment variable holding the connection URL. Column mappings are parsed into
 * SqlColumnSpec here and rendered with quoted identifiers by the source, never spliced as SQL.
 */
import {
  INVALID,
  choice,
  didYouMean,
  isMapping,
  list,
  mismatch,
  num,
  obj,
  optional,
  record,
  reject,
  required,
  str,
  withDefault,
  type Checked,
  type Issue,
  type JsonSchema,
  type Node,
  type Path
} from './dsl.js'
import { duration } from './scalars.js'
import type { Policy, SqlColumnSpec, SqlSourceSpec } from './types.js'

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$'

/** The table each preset reads when the policy names none. */
export const PRESET_TABLES: Record<NonNullable<SqlSourceSpec['preset']>, string> = {
  litellm: 'LiteLLM_SpendLogs',
  otel: 'otel_traces'
}
const PRESET_ENGINES: Record<NonNullable<SqlSourceSpec['preset']>, SqlSourceSpec['engine']> = {
  litellm: 'postgres',
  otel: 'clickhouse'
}

const columnRef = (description: string) =>
  str(description, {
    regex: '^[^.\\s"`][^"`]*$',
    hint: 'a column name, or `column.key` for a JSON or Map sub-field (no quotes: the gate quotes names)'
  })

const columnFields = {
  column: optional(
    columnRef(
      'A column, or a JSON / Map sub-field of one (`metadata.route`, `SpanAttributes.gen_ai.request.model`).'
    )
  ),
  scale: optional(
    num('Multiplies the value (0.000001: nanoseconds to milliseconds; 1000: s to ms).', {
      exclusiveMin: 0
    })
  ),
  tagPrefix: optional(
    str(
      'The column is a list of tags (an array, or a JSON array): the value is the first tag starting with this prefix, without it (`variant:`).'
    )
  ),
  between: optional(
    list(
      'Milliseconds from the first timestamp column to the second (e.g. [startTime, endTime]).',
      columnRef('A timestamp column.'),
      2
    )
  )
}
const columnObject = obj('Where a record field is read.', columnFields)

/** A column mapping: a column reference, or a mapping with `column` (+ scale, tagPrefix) or `between`. */
function columnSpecNode(withFirstOf: boolean): Node<SqlColumnSpec> {
  const description =
    'Where the field is read: a column (`end_user`), a JSON or Map sub-field (`metadata.route`), or a mapping: `{ column, scale }`, `{ column, tagPrefix }`, `{ between: [start, end] }`' +
    (withFirstOf ? ', `{ firstOf: [...] }` (the first of them that has a value).' : '.')
  const inner = withFirstOf ? columnSpecNode(false) : undefined
  const firstOf = inner && list('The first of these that has a value.', inner, 2)
  const expects = 'a column name or a mapping'
  return {
    description,
    expects,
    json: (): JsonSchema => ({
      description,
      oneOf: [
        columnRef(description).json(),
        {
          type: 'object',
          properties: {
            ...Object.fromEntries(Object.entries(columnFields).map(([k, f]) => [k, f.node.json()])),
            ...(firstOf && { firstOf: firstOf.json() })
          },
          additionalProperties: false
        }
      ]
    }),
    check(value: unknown, path: Path, issues: Issue[]): Checked<SqlColumnSpec> {
      if (typeof value === 'string') {
        const column = columnRef(description).check(value, path, issues)
        return column === INVALID ? INVALID : { column }
      }
      if (!isMapping(value)) return reject(issues, path, mismatch(expects, value))
      if (firstOf && Object.hasOwn(value, 'firstOf')) {
        const extra = Object.keys(value).filter(k => k !== 'firstOf')
        for (const key of extra) {
          reject(
            issues,
            [...path, key],
            '`firstOf` stands alone; move this key into one of its items',
            'key'
          )
        }
        const items = firstOf.check(value.firstOf, [...path, 'firstOf'], issues)
        return items === INVALID || extra.length > 0 ? INVALID : { firstOf: items }
      }
      const checked = columnObject.check(value, path, issues)
      if (checked === INVALID) return INVALID
      return columnShape(checked, path, issues)
    }
  }
}

function columnShape(
  value: { column?: string; scale?: number; tagPrefix?: string; between?: string[] },
  path: Path,
  issues: Issue[]
): Checked<SqlColumnSpec> {
  const { column, scale, tagPrefix, between } = value
  if ((column === undefined) === (between === undefined)) {
    return reject(
      issues,
      path,
      'give either `column` (a column or sub-field) or `between: [start, end]` (milliseconds between two timestamps)'
    )
  }
  if (between !== undefined) {
    const extra = (['scale', 'tagPrefix'] as const).filter(k => value[k] !== undefined)
    for (const key of extra) {
      reject(issues, [...path, key], `\`${key}\` is only for \`column\`, not \`between\``, 'key')
    }
    if (between.length !== 2) {
      reject(issues, [...path, 'between'], `list exactly two timestamp columns: [start, end]`)
    }
    if (extra.length > 0 || between.length !== 2) return INVALID
    return { between: [between[0] as string, between[1] as string] }
  }
  if (scale !== undefined && tagPrefix !== undefined) {
    return reject(
      issues,
      [...path, 'scale'],
      'a tag (`tagPrefix`) is text: it cannot be scaled',
      'key'
    )
  }
  return {
    column: column as string,
    ...(scale !== undefined && { scale }),
    ...(tagPrefix !== undefined && { tagPrefix })
  }
}

export const sqlSource = obj(
  'LLM calls in a PostgreSQL or ClickHouse table, aggregated in the database (one query per evaluation); presets for LiteLLM spend logs and OpenTelemetry GenAI spans.',
  {
    type: required(choice('Read records from a SQL database.', ['sql'])),
    engine: required(choice('The database engine.', ['postgres', 'clickhouse'])),
    urlEnv: required(
      str(
        'Name of the environment variable holding the connection URL, credentials included (postgres://user:pass@host:5432/db, or http(s)://user:pass@host:8123/db for ClickHouse); never the URL itself.',
        {
          regex: ENV_NAME,
          hint: 'an environment variable name: letters, digits and `_`, not starting with a digit'
        }
      )
    ),
    table: optional(
      str(
        'The table: `name` or `schema.name` (`database.name` in ClickHouse), spelled as in the database.',
        {
          regex: '^[^."`]+(\\.[^."`]+)?$',
          hint: '`name` or `schema.name`, without quotes (the gate quotes names)'
        }
      )
    ),
    query: optional(
      str(
        'A SELECT whose rows are the records, instead of a table (e.g. a join); the gate wraps it as a subquery and adds the time window.'
      )
    ),
    preset: optional(
      choice(
        'A known schema: `litellm` (LiteLLM proxy spend logs in PostgreSQL) or `otel` (OpenTelemetry GenAI spans from the Collector ClickHouse exporter).',
        ['litellm', 'otel']
      )
    ),
    columns: withDefault(
      record(
        'Record field -> where it is read (fields not listed are read from a column of their name, or the preset).',
        columnSpecNode(true)
      ),
      {}
    ),
    tls: optional(
      obj(
        'TLS options (the URL turns TLS on: `sslmode=require` for PostgreSQL, `https://` for ClickHouse).',
        {
          insecureSkipVerify: withDefault(
            choice('Do not verify the server certificate (testing only).', [true, false]),
            false
          ),
          caFile: optional(str('A PEM file of CA certificates to trust.'))
        }
      )
    ),
    timeout: withDefault(
      duration('Timeout of the evaluation query.', { min: 100, max: 30 * 60_000 }),
      '60s'
    ),
    retries: withDefault(
      num('Retries after a connection failure or a server not ready, with backoff.', {
        integer: true,
        min: 0,
        max: 10
      }),
      2
    )
  }
)

/** Canonical record fields and their aliases (DESIGN.md, "Canonical request record"). */
const RECORD_FIELDS = [
  'ts',
  'timestamp',
  'start_time',
  'unit',
  'user_id',
  'session_id',
  'latency_ms',
  'duration_ms',
  'gen_ai.client.operation.duration',
  'ttft_ms',
  'gen_ai.response.time_to_first_chunk',
  'input_tokens',
  'prompt_tokens',
  'gen_ai.usage.input_tokens',
  'cache_read_tokens',
  'prompt_tokens_details.cached_tokens',
  'cache_read_input_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'cache_write_tokens',
  'cache_creation_input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'output_tokens',
  'completion_tokens',
  'gen_ai.usage.output_tokens',
  'model',
  'gen_ai.response.model',
  'gen_ai.request.model',
  'fingerprint',
  'system_fingerprint',
  'error',
  'fallback',
  'cost_usd',
  'score',
  'gen_ai.evaluation.score.value',
  'feedback'
]

/** Cross-field rules of a policy whose source is SQL. */
export function checkSqlPolicy(policy: Policy, issues: Issue[]): Checked<Policy> {
  const spec = policy.source
  if (spec.type !== 'sql') return policy
  const before = issues.length
  const at = (...keys: string[]): Path => ['source', ...keys]
  if (spec.preset && PRESET_ENGINES[spec.preset] !== spec.engine) {
    reject(
      issues,
      at('engine'),
      `preset ${spec.preset} reads ${PRESET_ENGINES[spec.preset]}; set engine: ${PRESET_ENGINES[spec.preset]}`
    )
  }
  if (spec.table !== undefined && spec.query !== undefined) {
    reject(issues, at('query'), 'give `table` or `query`, not both', 'key')
  } else if (spec.table === undefined && spec.query === undefined && !spec.preset) {
    reject(
      issues,
      at('table'),
      'missing `table` (or `query`, or a `preset`): where the records are',
      'missing'
    )
  }
  const known = usedFields(policy)
  for (const key of Object.keys(spec.columns)) {
    if (known.has(key)) continue
    reject(
      issues,
      at('columns', key),
      `${JSON.stringify(key)} is not a field this policy reads${didYouMean(key, [...known]) || ` (the arm field, the unit, a segment, a metric's \`from\` or \`per\`, or a canonical field such as latency_ms)`}`,
      'key'
    )
  }
  return issues.length > before ? INVALID : policy
}

/** Every record field name a column mapping may be given for. */
function usedFields(policy: Policy): Set<string> {
  const fields = new Set(RECORD_FIELDS)
  fields.add(policy.arms.field)
  if (policy.arms.unit) fields.add(policy.arms.unit)
  for (const d of policy.segments?.by ?? []) fields.add(d)
  for (const m of policy.metrics) {
    fields.add(m.from)
    if (m.per) fields.add(m.per)
  }
  return fields
}
