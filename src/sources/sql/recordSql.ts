/**
 * The canonical request record and the metric readers, in SQL: the two inner levels of the
 * evidence query. Level 1 reads each canonical field from its column(s) as src/records/normalize.ts
 * reads it from a JSON line (aliases in the same order, units converted); level 2 derives what the
 * EvidenceBuilder files per record: the arm, the time bucket, the A/A half, each metric's (x, y)
 * or invalid-value key as src/records/fields.ts reads them, the quantile bucket, and the terms of
 * the prompt-cache sums as src/sketch/cacheSums.ts adds them.
 */
import type { MetricSpec, Policy } from '../../policy/types.js'
import { canonicalName } from '../../records/fields.js'
import { NO_VALUE } from '../../sketch/evidenceBuilder.js'
import type { Dialect } from './dialect.js'
import type { FieldResolver, Resolved } from './fieldResolver.js'
import { QUANTILE_INDEX } from './sketchLayout.js'
import { ValueReader, type SqlValue } from './values.js'

export interface RecordSqlInput {
  d: Dialect
  policy: Policy
  resolver: FieldResolver
  /** Half-open [from, to), epoch ms. */
  window: { from: number; to: number }
  now: number
}

/** Arm codes of level 2's `a`: the arms, and why a row is not a record. */
export const ARM_CODE = { baseline: 0, canary: 1, noArm: -1, unmatched: -2 } as const
/** Bucket codes of level 2's `k` besides bucket indices (>= 0). */
export const WINDOW_CODE = { after: -1, future: -2, before: -3 } as const

/** Level-2 names of the prompt-cache terms (sketchLayout.ts CACHE_COUNTS and REPRICING name them). */
export const CACHE_TERMS = {
  seen: 'c_seen',
  counted: 'c_counted',
  hit: 'c_hit',
  /** Counted requests whose record carried a cache-read token count (0 included). */
  reported: 'c_rep',
  priced: 'c_priced',
  input: 'c_input',
  cached: 'c_cached',
  cost: 'c_cost',
  uncached: 'c_unc',
  atInput: 'c_ai',
  atCacheRead: 'c_acr',
  u: 'c_unc',
  d: 'c_d',
  c: 'c_cost',
  /** Latency and time to first token of the counted requests, split by cache hit and miss. */
  latencyHit: 'c_lat_h',
  latencyMiss: 'c_lat_m',
  ttftHit: 'c_ttft_h',
  ttftMiss: 'c_ttft_m'
} as const

/**
 * Levels of named columns, each a subquery of the next, so that each is computed once per row:
 * v the values read from the source's row, r the canonical record, p the arm and the priced cost,
 * m the window, bucket, A/A half and metric values, c what the aggregates read (quantile buckets,
 * the requests without a unit, the prompt-cache terms).
 */
export interface RecordSql {
  /** Each value read from the source's row, once (FieldResolver.extracted). */
  level0: [string, string][]
  /** The WHERE of level 1: the timestamp read against the window, when no column can be compared. */
  whereRead: string[]
  level1: [string, string][]
  level2: [string, string][]
  level3: [string, string][]
  level4: [string, string][]
  /** The WHERE of level 0: the time column against the window in its own type (sargable). */
  where: string[]
  /**
   * Per metric, level-3 names: x and y (NULL unless the record has a usable value; y is 1 but for
   * ratios), and `alone` x and y of a record without a unit (a cluster of its own); `ratio` when
   * y is the metric's own `per` field.
   */
  metrics: { x: string; y: string; xAlone: string; yAlone: string; ratio: boolean }[]
  /** Per quantile metric: its index and the level-2 names of the value's sign ('p', 'n', 'z') and bucket index. */
  quantiles: { metric: number; sign: string; index: string }[]
  /** Level-2 names of the segment values. */
  dims: string[]
  /** Invalid-value keys over level-2 names: a record counts each distinct key once. */
  invalid: string[]
  /** Fields the policy needs that nothing in the table holds: the evaluation cannot run. */
  missing: string[]
}

/** One metric value read: `value` NULL unless usable, `key` the invalid-value key (NULL unless invalid). */
interface Read {
  value: string
  key: string
  /** A ratio's denominator (y); 1 for the other kinds. */
  per?: string
}

const ABSENT = (d: Dialect): Read => ({ value: d.nullFloat(), key: d.nullText() })

export function recordSql(input: RecordSqlInput): RecordSql {
  return new RecordSqlBuilder(input).build()
}

class RecordSqlBuilder {
  private readonly d: Dialect
  private readonly read: ValueReader
  private readonly level1: [string, string][] = []
  private readonly level2: [string, string][] = []
  private readonly level3: [string, string][] = []
  private readonly level4: [string, string][] = []
  private readonly missing: string[] = []
  private readonly where: string[] = []
  private readonly whereRead: string[] = []
  /** Level-1 names of raw (non-canonical) fields metrics read, by field name. */
  private readonly rawFields = new Map<string, string>()
  private readonly scoreFields = new Map<string, string>()
  /** Level-1 names that some column feeds (the others are constant NULL). */
  private readonly present = new Set<string>()

  constructor(private readonly input: RecordSqlInput) {
    this.d = input.d
    this.read = new ValueReader(input.d)
  }

  build(): RecordSql {
    const { policy } = this.input
    this.canonical()
    const dims = (policy.segments?.by ?? []).map((dimension, j) => {
      const values = this.input.resolver.field(dimension)
      if (!values) this.missing.push(`segment dimension ${JSON.stringify(dimension)} (segments.by)`)
      this.one(`r_d${j}`, values, v => this.read.dimension(v, NO_VALUE), this.d.text(NO_VALUE))
      return `s${j}`
    })
    const reads = policy.metrics.map(m => this.metric(m))
    this.derived(dims, reads)
    return {
      level0: this.input.resolver.extracted,
      whereRead: this.whereRead,
      level1: this.level1,
      level2: this.level2,
      level3: this.level3,
      level4: this.level4,
      where: this.where,
      metrics: reads.map((_, i) => ({
        x: `x${i}`,
        y: `y${i}`,
        xAlone: `xa${i}`,
        yAlone: `ya${i}`,
        ratio: policy.metrics[i]?.kind === 'ratio'
      })),
      quantiles: policy.metrics.flatMap((m, i) =>
        m.kind === 'quantile' ? [{ metric: i, sign: `qs${i}`, index: `qi${i}` }] : []
      ),
      dims,
      invalid: this.invalidKeys(reads),
      missing: this.missing
    }
  }

  /** Level 1: the canonical fields (normalize.ts), each from the first alias a column holds. */
  private canonical(): void {
    const { d, read } = this
    const { policy, resolver } = this.input
    const r = (names: readonly string[]) => resolver.firstOf(names)

    const ts = r(['ts', 'timestamp', 'start_time'])
    if (!ts)
      this.missing.push(
        'the timestamp (`ts`, `timestamp` or `start_time`; map one under source.columns)'
      )
    for (const v of ts ?? []) {
      if (v.kind === 'text' || v.kind === 'other') {
        this.missing.push(
          `the timestamp: ${v.type.name} is not a time type; use a timestamp or epoch-number column`
        )
      }
    }
    this.one('r_ts', ts, v => read.timestamp(v), d.nullFloat())
    // Rows before the window are not read (nor those more than FUTURE_LOOKAHEAD after now): a
    // time-typed column is compared in its own type, so the database can use its index or its
    // partitions; otherwise the value read is compared.
    const { from } = this.input.window
    const until = this.input.now + FUTURE_LOOKAHEAD
    const only = ts?.length === 1 ? ts[0] : undefined
    const column = only?.inner
    const bounds =
      only?.kind === 'time' && column
        ? [d.timeBound(column, only.type, from, '>='), d.timeBound(column, only.type, until, '<')]
        : []
    if (bounds.length === 2 && bounds.every(b => b !== '')) this.where.push(...bounds)
    else if (ts) {
      const value = this.level1.find(([alias]) => alias === 'r_ts')?.[1] as string
      this.whereRead.push(`${value} >= ${d.number(from)}`, `${value} < ${d.number(until)}`)
    }

    const arm = resolver.field(policy.arms.field)
    if (!arm) this.missing.push(`the arm field ${JSON.stringify(policy.arms.field)} (arms.field)`)
    this.one('r_lbl', arm, v => read.label(v), d.nullText())

    const unitNames =
      policy.arms.unit === undefined ? ['unit', 'user_id', 'session_id'] : [policy.arms.unit]
    const unit = r(unitNames)
    if (!unit && policy.arms.unit !== undefined && resolver.mapped(policy.arms.unit)) {
      this.missing.push(`the unit field ${JSON.stringify(policy.arms.unit)} (arms.unit)`)
    }
    this.one('r_u', unit, v => read.id(v), d.nullText())

    const millis = (alias: string, ms: string[], seconds: string[]) => {
      const a = r(ms)
      const b = r(seconds)
      const parts = [
        ...(a ?? []).map(v => read.num(v)),
        ...(b ?? []).map(v => `(${read.num(v)}) * 1000`)
      ]
      if (parts.length > 0) this.present.add(alias)
      this.level1.push([alias, this.coalesce(parts, d.nullFloat())])
    }
    millis('r_lat', ['latency_ms', 'duration_ms'], ['gen_ai.client.operation.duration'])
    millis('r_ttft', ['ttft_ms'], ['gen_ai.response.time_to_first_chunk'])
    this.inputTokens()
    const num = (alias: string, names: string[]) =>
      this.one(alias, r(names), v => read.num(v), d.nullFloat())
    num('r_cr', [
      'cache_read_tokens',
      'prompt_tokens_details.cached_tokens',
      'cache_read_input_tokens',
      'gen_ai.usage.cache_read.input_tokens'
    ])
    num('r_cw', [
      'cache_write_tokens',
      'cache_creation_input_tokens',
      'gen_ai.usage.cache_creation.input_tokens'
    ])
    num('r_out', ['output_tokens', 'completion_tokens', 'gen_ai.usage.output_tokens'])
    this.one(
      'r_model',
      r(['model', 'gen_ai.response.model', 'gen_ai.request.model']),
      v => read.id(v),
      d.nullText()
    )
    this.one('r_fp', r(['fingerprint', 'system_fingerprint']), v => read.id(v), d.nullText())
    this.one('r_err', r(['error']), v => read.error(v), d.nullText())
    this.one('r_fb', r(['fallback']), v => read.flag(v), d.engine === 'postgres' ? 'false' : '0')
    // `cost` maps like its alias cost_usd (the billed cost of the call).
    num('r_cost', ['cost_usd', 'cost'])
    num('r_score', ['score', 'gen_ai.evaluation.score.value'])
    this.one('r_fbk', r(['feedback']), v => read.feedback(v), d.nullFloat())
  }

  /** normalize.ts inputTokens(): Anthropic's input_tokens plus its cache reads and writes, else prompt_tokens. */
  private inputTokens(): void {
    const { d, read } = this
    const r = (names: string[]) => this.input.resolver.firstOf(names)
    const num = (v: Resolved | undefined) =>
      this.coalesce(
        (v ?? []).map(x => read.num(x)),
        d.nullFloat()
      )
    const own = r(['input_tokens'])
    const prompt = r(['prompt_tokens', 'gen_ai.usage.input_tokens'])
    const openai = num(prompt)
    if (own || prompt) this.present.add('r_in')
    if (!own) {
      this.level1.push(['r_in', openai])
      return
    }
    const reads = r(['cache_read_input_tokens'])
    const writes = r(['cache_creation_input_tokens'])
    const withCache =
      reads || writes
        ? `CASE WHEN ${num(reads)} IS NULL AND ${num(writes)} IS NULL THEN ${num(own)} ELSE ${num(own)} + coalesce(${num(reads)}, 0) + coalesce(${num(writes)}, 0) END`
        : num(own)
    this.level1.push([
      'r_in',
      `CASE WHEN ${num(own)} IS NOT NULL THEN ${withCache} ELSE ${openai} END`
    ])
  }

  /** A level-1 column: the first of the field's values, each read by `f`. */
  private one(
    alias: string,
    values: Resolved | undefined,
    f: (v: SqlValue) => string,
    absent: string
  ): void {
    if (values && values.length > 0) this.present.add(alias)
    this.level1.push([alias, this.coalesce((values ?? []).map(f), absent)])
  }

  private coalesce(parts: string[], absent: string): string {
    if (parts.length === 0) return absent
    return parts.length === 1 ? (parts[0] as string) : `coalesce(${parts.join(', ')})`
  }

  /** A metric's value reader (fields.ts compileMetricValue). */
  private metric(spec: MetricSpec): Read {
    const from = this.field(spec.from, spec)
    if (spec.kind === 'ratio') {
      const per = this.field(spec.per as string, spec)
      return {
        value: `CASE WHEN ${from.value} IS NOT NULL AND ${per.value} IS NOT NULL THEN ${from.value} END`,
        key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL THEN ${per.key} END`,
        per: `CASE WHEN ${from.value} IS NOT NULL AND ${per.value} IS NOT NULL THEN ${per.value} END`
      }
    }
    if (spec.range) return this.inRange(spec, from, spec.range)
    if (spec.kind !== 'rate') return from
    const d = this.d
    if (canonicalName(spec.from) === 'feedback') {
      return {
        value: `CASE WHEN ${from.value} IS NOT NULL THEN (CASE WHEN ${from.value} = 1 THEN 1 ELSE 0 END) END`,
        key: from.key
      }
    }
    const binary = `${from.value} IN (0, 1)`
    return {
      value: `CASE WHEN ${binary} THEN ${from.value} END`,
      key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL AND NOT (${binary}) THEN ${d.text(`${spec.from}: not 0 or 1, as a rate needs`)} END`
    }
  }

  /**
   * fields.ts rangeReader: a metric with a declared `range` is bounded, so a value outside
   * [lo, hi] is invalid (counted under the same key the file source uses, never used), not clipped.
   */
  private inRange(spec: MetricSpec, from: Read, range: { lo: number; hi: number }): Read {
    const d = this.d
    const inside = `${from.value} >= ${d.number(range.lo)} AND ${from.value} <= ${d.number(range.hi)}`
    const why = d.text(`${spec.from}: outside the metric's range [${range.lo}, ${range.hi}]`)
    return {
      value: `CASE WHEN ${inside} THEN ${from.value} END`,
      key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL AND NOT (${inside}) THEN ${why} END`
    }
  }

  /** fields.ts fieldReader: a canonical field (aliases resolved) or a raw one. */
  private field(field: string, spec: MetricSpec): Read {
    const d = this.d
    const name = canonicalName(field)
    const inf = d.infinity()
    const bad = (why: string) => d.text(`${field}: ${why}`)
    const nonNegative = (v: string): Read => ({
      value: `CASE WHEN ${v} >= 0 AND ${v} < ${inf} THEN ${v} END`,
      key: `CASE WHEN ${v} IS NOT NULL AND NOT (${v} >= 0 AND ${v} < ${inf}) THEN ${bad('negative or not a finite number')} END`
    })
    const unitInterval = (v: string): Read => ({
      value: `CASE WHEN ${v} >= 0 AND ${v} <= 1 THEN ${v} END`,
      key: `CASE WHEN ${v} IS NOT NULL AND NOT (${v} >= 0 AND ${v} <= 1) THEN ${bad('outside [0, 1] or not a number')} END`
    })
    const canonicalColumn: Record<string, string> = {
      latency_ms: 'r_lat',
      ttft_ms: 'r_ttft',
      input_tokens: 'r_in',
      output_tokens: 'r_out',
      cache_read_tokens: 'r_cr',
      cache_write_tokens: 'r_cw'
    }
    const column = canonicalColumn[name]
    if (column) {
      this.needs(column, spec, field)
      return nonNegative(`p.${column}`)
    }
    switch (name) {
      case 'cost':
      case 'cost_uncached':
        return this.costRead(field, name === 'cost')
      case 'cache_hit': {
        const cr = nonNegative('p.r_cr')
        return {
          value: `CASE WHEN ${cr.value} IS NOT NULL THEN (CASE WHEN p.r_cr > 0 THEN 1 ELSE 0 END) END`,
          key: cr.key
        }
      }
      case 'error':
        this.needs('r_err', spec, field)
        return { value: 'CASE WHEN p.r_err IS NULL THEN 0 ELSE 1 END', key: d.nullText() }
      case 'fallback':
        this.needs('r_fb', spec, field)
        return {
          value: d.flag(d.engine === 'postgres' ? 'p.r_fb' : 'p.r_fb != 0'),
          key: d.nullText()
        }
      case 'feedback':
        this.needs('r_fbk', spec, field)
        return {
          value: 'CASE WHEN p.r_fbk IN (1, -1) THEN p.r_fbk END',
          key: `CASE WHEN p.r_fbk IS NOT NULL AND NOT (p.r_fbk IN (1, -1)) THEN ${bad('not +1 or -1')} END`
        }
      case 'score':
        this.needs('r_score', spec, field)
        return unitInterval('p.r_score')
    }
    if (name.startsWith('error.')) {
      this.needs('r_err', spec, field)
      const cls = d.text(name.slice('error.'.length).toLowerCase())
      return { value: `CASE WHEN p.r_err = ${cls} THEN 1 ELSE 0 END`, key: d.nullText() }
    }
    if (name.startsWith('scores.')) return unitInterval(`p.${this.score(name, spec)}`)
    if (field === 'judge') return ABSENT(d)
    const raw = this.raw(field, spec)
    return {
      value: `CASE WHEN ${raw} > -${inf} AND ${raw} < ${inf} THEN ${raw} END`,
      key: `CASE WHEN ${raw} IS NOT NULL AND NOT (${raw} > -${inf} AND ${raw} < ${inf}) THEN ${bad('not a finite number')} END`
    }
  }

  private needs(alias: string, spec: MetricSpec, field: string): void {
    if (!this.present.has(alias)) {
      this.missing.push(`${spec.path} reads ${JSON.stringify(field)}, which no column holds`)
    }
  }

  /** `scores.<name>`: a nested scores object, a `scores.<name>` column, or an OpenTelemetry evaluation. */
  private score(name: string, spec: MetricSpec): string {
    const known = this.scoreFields.get(name)
    if (known) return known
    const alias = `r_sc${this.scoreFields.size}`
    this.scoreFields.set(name, alias)
    const { resolver } = this.input
    const parts = (resolver.field(name) ?? []).map(v => this.read.num(v))
    const evalName = resolver.field('gen_ai.evaluation.name')
    const evalScore = resolver.field('gen_ai.evaluation.score.value')
    if (evalName && evalScore) {
      const label = this.coalesce(
        evalName.map(v => this.read.id(v)),
        this.d.nullText()
      )
      const value = this.coalesce(
        evalScore.map(v => this.read.num(v)),
        this.d.nullFloat()
      )
      parts.push(
        `CASE WHEN ${label} = ${this.d.text(name.slice('scores.'.length))} THEN ${value} END`
      )
    }
    if (parts.length === 0)
      this.missing.push(`${spec.path} reads ${JSON.stringify(name)}, which no column holds`)
    this.level1.push([alias, this.coalesce(parts, this.d.nullFloat())])
    return alias
  }

  /** A raw (non-canonical) numeric field (fields.ts rawFieldReader). */
  private raw(field: string, spec: MetricSpec): string {
    const known = this.rawFields.get(field)
    if (known) return `p.${known}`
    const alias = `r_f${this.rawFields.size}`
    this.rawFields.set(field, alias)
    const values = this.input.resolver.field(field)
    if (!values)
      this.missing.push(`${spec.path} reads ${JSON.stringify(field)}, which no column holds`)
    this.one(alias, values, v => this.read.rawNum(v), this.d.nullFloat())
    return `p.${alias}`
  }

  /**
   * pricing.ts computeCost (observed: the billed cost_usd, else tokens at the policy's prices) or
   * computeUncachedCost, read as costReader does: level 2 computed the cost and why it could not.
   */
  private costRead(field: string, observed: boolean): Read {
    const d = this.d
    const inf = d.infinity()
    const bad = (why: string) => d.text(`${field}: ${why}`)
    const finite = (v: string) => `${v} >= 0 AND ${v} < ${inf}`
    const [computed, reason] = observed ? ['p.c_comp', 'p.c_reason'] : ['p.u_comp', 'p.u_reason']
    const value = observed ? `coalesce(p.r_cost, ${computed})` : computed
    const tokens = 'p.r_in IS NOT NULL OR p.r_out IS NOT NULL'
    const whyComputed = `CASE WHEN ${reason} IS NOT NULL THEN ${d.concat([d.text(`${field}: `), reason])} WHEN NOT (${finite(computed)}) THEN ${bad('negative or not a finite number')} END`
    return {
      value: `CASE WHEN ${finite(value)} THEN ${value} END`,
      key: observed
        ? `CASE WHEN p.r_cost IS NOT NULL THEN (CASE WHEN NOT (${finite('p.r_cost')}) THEN ${bad('negative or not a finite number')} END) WHEN ${tokens} THEN ${whyComputed} END`
        : `CASE WHEN ${tokens} THEN ${whyComputed} END`
    }
  }

  /** The policy's prices by model, as CASE expressions on the record's model. */
  private prices(): Prices {
    const d = this.d
    const models = Object.keys(this.input.policy.pricing)
    const caseOf = (pick: (m: string) => number) =>
      models.length === 0
        ? d.nullFloat()
        : // The searched form: ClickHouse 18.x answers NULL to `CASE x WHEN ...`.
          `(CASE ${models.map(m => `WHEN r.r_model = ${d.text(m)} THEN ${d.number(pick(m))}`).join(' ')} END)`
    const price = (m: string) =>
      this.input.policy.pricing[m] as NonNullable<Policy['pricing'][string]>
    return {
      has:
        models.length === 0
          ? '1 = 0'
          : `(r.r_model IS NOT NULL AND r.r_model IN (${models.map(m => d.text(m)).join(', ')}))`,
      input: caseOf(m => price(m).input),
      output: caseOf(m => price(m).output),
      cacheRead: caseOf(m => price(m).cacheRead ?? price(m).input),
      cacheWrite: caseOf(m => price(m).cacheWrite ?? price(m).input)
    }
  }

  /**
   * Level 2 (p): the canonical fields passed on, the arm code, window, bucket and A/A half, the
   * model key, and each priced cost with why it could not be priced. Level 3 (c): what the
   * aggregates read.
   */
  private derived(dims: string[], reads: Read[]): void {
    const d = this.d
    const { policy, window, now } = this.input
    const bucket = policy.bucket
    const labels = (values: string[]) => values.map(v => d.text(v)).join(', ')
    const a = `CASE WHEN r.r_lbl IS NULL THEN ${ARM_CODE.noArm} WHEN r.r_lbl IN (${labels(policy.arms.baseline)}) THEN ${ARM_CODE.baseline} WHEN r.r_lbl IN (${labels(policy.arms.canary)}) THEN ${ARM_CODE.canary} ELSE ${ARM_CODE.unmatched} END`
    const two = (alias: string, sql: string) => this.level2.push([alias, sql])
    two('a', this.int(a))
    for (const [alias] of this.level1) two(alias, `r.${alias}`)
    this.pricedCosts(two)

    const ts = 'p.r_ts'
    const k = `CASE WHEN p.a < 0 THEN 0 WHEN ${ts} > ${d.number(now)} THEN ${WINDOW_CODE.future} WHEN ${ts} < ${d.number(window.from)} THEN ${WINDOW_CODE.before} WHEN ${ts} >= ${d.number(window.to)} THEN ${WINDOW_CODE.after} ELSE floor((${ts} - ${d.number(window.from)}) / ${d.number(bucket)}) END`
    const half = `CASE WHEN p.a = ${ARM_CODE.baseline} THEN (CASE WHEN p.r_u IS NULL THEN ${d.halfOfNumber(ts)} ELSE ${d.halfOfText('p.r_u')} END) ELSE 0 END`
    const inWindow = `(p.a >= 0 AND ${ts} >= ${d.number(window.from)} AND ${ts} < ${d.number(window.to)} AND ${ts} <= ${d.number(now)})`
    // Level 3 (m): what a record is (arm, bucket, half, keys) and its metric values, each once.
    const three = (alias: string, sql: string) => this.level3.push([alias, sql])
    three('a', 'p.a')
    three('k', this.int(k))
    three('h', this.int(half))
    three('w', d.flag(inWindow))
    three('ts', 'p.r_ts')
    three('u', 'p.r_u')
    three('lbl', `CASE WHEN p.a = ${ARM_CODE.unmatched} THEN p.r_lbl END`)
    dims.forEach((alias, j) => three(alias, `CASE WHEN p.a >= 0 THEN p.r_d${j} ELSE '' END`))
    // The served model (`model#fingerprint`) and error class of the window's records (cell keys).
    three(
      'mk',
      `CASE WHEN NOT ${inWindow} OR p.r_model IS NULL THEN ${d.nullText()} WHEN p.r_fp IS NULL THEN p.r_model ELSE ${d.concat(['p.r_model', "'#'", 'p.r_fp'])} END`
    )
    three('err', `CASE WHEN ${inWindow} THEN p.r_err END`)
    three('fb', d.flag(d.engine === 'postgres' ? 'p.r_fb' : 'p.r_fb != 0'))
    reads.forEach((read, i) => {
      three(`x${i}`, read.value)
      if (read.per) three(`y${i}`, read.per)
      three(`e${i}`, `CASE WHEN ${inWindow} THEN ${read.key} END`)
    })
    this.cacheBase(three)

    // Level 4 (c): what the aggregates read, from level 3's names.
    const four = (alias: string, sql: string) => this.level4.push([alias, sql])
    for (const alias of ['a', 'k', 'h', 'w', 'ts', 'u', 'lbl', ...dims, 'mk', 'err', 'fb']) {
      four(alias, `m.${alias}`)
    }
    reads.forEach((read, i) => {
      const x = `m.x${i}`
      four(`x${i}`, x)
      four(`y${i}`, read.per ? `m.y${i}` : `CASE WHEN ${x} IS NOT NULL THEN ${d.float('1')} END`)
      four(`xa${i}`, `CASE WHEN m.u IS NULL THEN ${x} END`)
      if (read.per) four(`ya${i}`, `CASE WHEN m.u IS NULL THEN m.y${i} END`)
      four(`e${i}`, `m.e${i}`)
      if (policy.metrics[i]?.kind !== 'quantile') return
      four(
        `qs${i}`,
        `CASE WHEN ${x} > 0 THEN 'p' WHEN ${x} < 0 THEN 'n' WHEN ${x} = 0 THEN 'z' END`
      )
      const lnAbs = d.ln(`abs(${x})`)
      four(
        `qi${i}`,
        this.int(
          `CASE WHEN ${x} > 0 OR ${x} < 0 THEN ${QUANTILE_INDEX.sql(lnAbs, d.number(QUANTILE_INDEX.multiplier))} ELSE 0 END`
        )
      )
    })
    this.cacheTerms(four)
  }

  /**
   * Level 2's prices (p_has, p_in, p_out, p_cr, p_cw) and costs: c_comp what pricing.ts
   * computeCost gives from tokens (NULL when it cannot), c_reason why not; u_comp and u_reason
   * the same for computeUncachedCost. The arithmetic is computeCost's, operation for operation,
   * so the doubles are the same.
   */
  private pricedCosts(two: (alias: string, sql: string) => void): void {
    const d = this.d
    const p = this.prices()
    two('p_has', d.flag(p.has))
    two('p_in', p.input)
    two('p_out', p.output)
    two('p_cr', p.cacheRead)
    two('p_cw', p.cacheWrite)
    const noPrice = `CASE WHEN r.r_model IS NULL THEN ${d.text('no model to look up in policy.pricing')} ELSE ${d.concat([d.text('no price for model "'), 'r.r_model', d.text('" in policy.pricing')])} END`
    const uncachedInput = '(coalesce(r.r_in, 0) - coalesce(r.r_cr, 0) - coalesce(r.r_cw, 0))'
    const tokens = '(r.r_in IS NOT NULL OR r.r_out IS NOT NULL)'
    two(
      'c_comp',
      `CASE WHEN ${tokens} AND ${p.has} AND NOT (${uncachedInput} < 0) THEN (${uncachedInput} * ${p.input} + coalesce(r.r_cr, 0) * ${p.cacheRead} + coalesce(r.r_cw, 0) * ${p.cacheWrite} + coalesce(r.r_out, 0) * ${p.output}) / 1000000 END`
    )
    two(
      'c_reason',
      `CASE WHEN NOT (${p.has}) THEN ${noPrice} WHEN ${uncachedInput} < 0 THEN ${d.text('cache tokens exceed input tokens')} END`
    )
    two(
      'u_comp',
      `CASE WHEN ${tokens} AND ${p.has} THEN (coalesce(r.r_in, 0) * ${p.input} + coalesce(r.r_out, 0) * ${p.output}) / 1000000 END`
    )
    two('u_reason', `CASE WHEN NOT (${p.has}) THEN ${noPrice} END`)
  }

  private int(sql: string): string {
    return this.d.engine === 'postgres' ? `(${sql})::int8` : `toInt64(${sql})`
  }

  /**
   * Level 3's part of cacheSums.ts addCacheRequest: whether the request counts (input tokens, a
   * cached count between 0 and them), hits the cache, is priced (a price and a usable cost).
   */
  private cacheBase(three: (alias: string, sql: string) => void): void {
    const d = this.d
    const inf = d.infinity()
    const cached = 'coalesce(p.r_cr, 0)'
    const counted = `(p.r_in >= 0 AND p.r_in < ${inf} AND ${cached} >= 0 AND ${cached} <= p.r_in)`
    const cost = 'coalesce(p.r_cost, p.c_comp)'
    three('cn', d.flag(counted))
    three('hit', d.flag(`${counted} AND ${cached} > 0`))
    three('pr', d.flag(`${counted} AND p.p_has = 1 AND ${cost} >= 0 AND ${cost} < ${inf}`))
    three('cost', cost)
    for (const name of ['r_in', 'r_cr', 'r_out', 'r_lat', 'r_ttft', 'p_in', 'p_cr', 'p_out']) {
      three(name, `p.${name}`)
    }
  }

  /** cacheSums.ts addCacheRequest, term by term (CACHE_TERMS names them), from level 3. */
  private cacheTerms(four: (alias: string, sql: string) => void): void {
    const d = this.d
    const inf = d.infinity()
    const counted = 'm.cn = 1'
    const priced = 'm.pr = 1'
    const atInput = '(m.r_in * m.p_in) / 1000000'
    const atCacheRead = '(m.r_in * m.p_cr) / 1000000'
    const t = CACHE_TERMS
    four(t.seen, d.flag('m.r_in IS NOT NULL'))
    four(t.counted, 'm.cn')
    four(t.hit, 'm.hit')
    four(t.reported, `CASE WHEN ${counted} AND m.r_cr IS NOT NULL THEN 1 ELSE 0 END`)
    four(t.priced, 'm.pr')
    four(t.input, `CASE WHEN ${counted} THEN m.r_in END`)
    four(t.cached, `CASE WHEN ${counted} THEN coalesce(m.r_cr, 0) END`)
    four(t.cost, `CASE WHEN ${priced} THEN m.cost END`)
    four(
      t.uncached,
      `CASE WHEN ${priced} THEN ${atInput} + (coalesce(m.r_out, 0) * m.p_out) / 1000000 END`
    )
    four(t.atInput, `CASE WHEN ${priced} THEN ${atInput} END`)
    four(t.atCacheRead, `CASE WHEN ${priced} THEN ${atCacheRead} END`)
    four(t.d, `CASE WHEN ${priced} THEN ${atInput} - ${atCacheRead} END`)
    const valid = (v: string) => `${v} >= 0 AND ${v} < ${inf}`
    for (const [hitName, missName, v] of [
      [t.latencyHit, t.latencyMiss, 'm.r_lat'],
      [t.ttftHit, t.ttftMiss, 'm.r_ttft']
    ] as const) {
      four(hitName, `CASE WHEN ${counted} AND m.hit = 1 AND ${valid(v)} THEN ${v} END`)
      four(missName, `CASE WHEN ${counted} AND m.hit = 0 AND ${valid(v)} THEN ${v} END`)
    }
  }

  /**
   * Level-2 names of the invalid-value keys, one per distinct reader: a record counts a key once
   * however many metrics read the field (evidenceBuilder.ts readValues), so a later key that equals
   * an earlier one on the same row is dropped.
   */
  private invalidKeys(reads: Read[]): string[] {
    const d = this.d
    const distinct: number[] = []
    reads.forEach((read, i) => {
      if (read.key === d.nullText()) return
      if (distinct.some(j => (reads[j] as Read).key === read.key)) return
      distinct.push(i)
    })
    return distinct.map((i, n) => {
      const earlier = distinct.slice(0, n)
      if (earlier.length === 0) return `e${i}`
      const differs = earlier.map(j => `(e${j} IS NULL OR e${j} != e${i})`).join(' AND ')
      return `CASE WHEN ${differs} THEN e${i} END`
    })
  }
}

/** How far past `now` rows are read to count clock skew ("future" records): an hour. */
export const FUTURE_LOOKAHEAD = 3_600_000

interface Prices {
  has: string
  input: string
  output: string
  cacheRead: string
  cacheWrite: string
}
