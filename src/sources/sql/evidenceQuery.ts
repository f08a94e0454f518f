/**
 * The one query an evaluation sends: everything the EvidenceBuilder would compute from the rows,
 * computed where the rows are. Three branches over the window's rows, in one UNION ALL:
 *
 *   t = 1  per (arm, segment, bucket, A/A half, served model, error class, invalid-value keys,
 *          unmatched arm label): counts, fallbacks, each metric's request count and the moments
 *          of the requests that have no unit, min / max of quantile metrics, and the prompt-cache
 *          sums; the rows that are not records (no arm, another arm, outside the window) too;
 *   t = 2, 3  per (arm[, segment], first bucket[, half]): the per-unit clusters, from a
 *          `GROUP BY unit` inside the query (no unit id leaves the database): units first seen in
 *          the bucket and the moments over the units' sums (t = 2 per segment, t = 3 per arm);
 *   t = 4  each quantile metric's sketch as bucket-index counts (sketchLayout.ts QUANTILE_INDEX),
 *          per (arm, segment, bucket, half, sign), packed into arrays (w the indices, v the counts);
 *   t = 5, 6  each quantile metric's per-unit rank sums (MetricSketch.unitRanks, the coarse grid
 *          of src/sketch/unitRanks.ts), from a `GROUP BY unit` inside: per (arm[, segment], first
 *          bucket[, half]) and coarse bin, the units' requests, squares and cross terms (t = 5 per
 *          segment, t = 6 per arm), packed into arrays (w the bins, v the three sums in turn).
 *
 * The numbers come back as a float array per row, in the order of the layouts below, which the
 * row reader (evidenceRows.ts) walks with the same layouts: one description, read and written.
 * Aggregates take no FILTER: a term is NULL where it does not count (recordSql.ts), and NULLs are
 * skipped, which costs the database nothing per row; identical aggregates are computed once.
 */
import type { Policy } from '../../policy/types.js'
import { emptyCacheSums } from '../../sketch/cacheSums.js'
import type { CacheSums } from '../../sketch/evidence.js'
import { emptyMoments } from '../../sketch/moments.js'
import { NON_POSITIVE_BIN, RANK_STEP } from '../../sketch/unitRanks.js'
import type { RatioMoments } from '../../sketch/types.js'
import type { Dialect } from './dialect.js'
import { CACHE_TERMS, type RecordSql } from './recordSql.js'
import {
  CACHE_COUNTS,
  CACHE_COUNT_KEYS,
  MOMENTS,
  MOMENT_KEYS,
  REPRICING,
  REPRICING_KEYS,
  product,
  type Monomial
} from './sketchLayout.js'

/** Row types (the `t` column). */
export const ROW = {
  cell: 1,
  segmentUnits: 2,
  armUnits: 3,
  quantile: 4,
  segmentRanks: 5,
  armRanks: 6
} as const

/** What one t = 1 row adds to a cell (or to an A/A half). */
export interface CellPart {
  requests: number
  fallbacks: number
  /** Earliest timestamp in the part: segments beyond the cap are the latest first seen. */
  firstTs: number
  metrics: {
    requests: number
    /** Sum over requests of the value squared (MetricSketch.requestSquares). */
    squares: number
    moments: RatioMoments
    min: number
    max: number
  }[]
  /** Requests that carried input tokens (a cell has cache sums when any did). */
  cacheSeen: number
  cache: CacheSums
}

/** What one t = 2 / 3 row adds: units first seen in the bucket, and their clusters per metric. */
export interface UnitPart {
  units: number
  moments: RatioMoments[]
}

export interface Slot<P> {
  sql: string
  apply(part: P, value: number): void
}

export interface EvidenceQuery {
  sql: string
  params: unknown[]
  cellLayout: Slot<CellPart>[]
  unitLayout: Slot<UnitPart>[]
  /** Segment columns (s0, s1, ...) in the result, in `segments.by` order. */
  dims: number
  newCellPart(): CellPart
  newUnitPart(): UnitPart
}

export interface EvidenceQueryInput {
  d: Dialect
  policy: Policy
  /** The FROM item: a quoted table, or `(query)`. */
  from: string
  records: RecordSql
}

export function evidenceQuery(input: EvidenceQueryInput): EvidenceQuery {
  const { d, policy, records } = input
  const metricCount = policy.metrics.length
  const quantile = policy.metrics.map(m => m.kind === 'quantile')
  const cellLayout = cellSlots(d, records, quantile)
  const unitLayout = unitSlots(d, records)
  // PostgreSQL names the per-row subquery once (a CTE it inlines where it is read, NOT
  // MATERIALIZED); ClickHouse 18.x has no CTEs of queries, so the text is repeated there.
  const calls = baseQuery(d, input.from, records)
  const pg = d.engine === 'postgres'
  const base = pg ? 'calls AS c' : `${calls} AS c`
  const units = unitBranches(d, base, records, unitLayout)
  const ranks = rankBranches(d, base, records)
  const branches = [
    cellBranch(d, base, records, cellLayout),
    ...units.branches,
    quantileBranch(d, base, records),
    ...ranks.branches
  ].filter((b): b is string => b !== undefined)
  const body = branches.join('\nUNION ALL\n')
  const ctes = [
    ...(pg ? [`calls AS NOT MATERIALIZED ${calls}`] : []),
    ...(units.with ? [units.with] : []),
    ...(ranks.with ? [ranks.with] : [])
  ]
  const { sql, params } = d.finalize(ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n${body}` : body)
  return {
    sql,
    params,
    cellLayout,
    unitLayout,
    dims: records.dims.length,
    newCellPart: () => ({
      requests: 0,
      fallbacks: 0,
      firstTs: Infinity,
      metrics: Array.from({ length: metricCount }, () => ({
        requests: 0,
        squares: 0,
        moments: emptyMoments(),
        min: Infinity,
        max: -Infinity
      })),
      cacheSeen: 0,
      cache: emptyCacheSums()
    }),
    newUnitPart: () => ({ units: 0, moments: Array.from({ length: metricCount }, emptyMoments) })
  }
}

/** Levels 0 to 3 (recordSql.ts) as a subquery: one row per row of the source in the read range. */
function baseQuery(d: Dialect, from: string, records: RecordSql): string {
  const fence = d.fence()
  const list = (items: [string, string][]) =>
    [...items.map(([alias, sql]) => `${sql} AS ${alias}`), ...(fence ? [fence] : [])].join(
      ',\n          '
    ) || '1 AS one'
  const where = (conditions: string[]) =>
    conditions.length > 0 ? `\n          WHERE ${conditions.join('\n            AND ')}` : ''
  return `(SELECT ${list(records.level4)}
  FROM (SELECT ${list(records.level3)}
    FROM (SELECT ${list(records.level2)}
      FROM (SELECT ${list(records.level1)}
        FROM (SELECT ${list(records.level0)}
          FROM ${from} AS src${where(records.where)}) AS v${where(records.whereRead)}) AS r) AS p) AS m)`
}

/** The t = 1 layout: requests, fallbacks, first ts, per metric counts and no-unit moments, min / max, cache. */
function cellSlots(d: Dialect, records: RecordSql, quantile: boolean[]): Slot<CellPart>[] {
  const slots: Slot<CellPart>[] = [
    { sql: 'count(*)', apply: (p, v) => (p.requests = v) },
    { sql: d.sum('fb'), apply: (p, v) => (p.fallbacks = v) },
    { sql: d.min('ts'), apply: (p, v) => (p.firstTs = v) }
  ]
  records.metrics.forEach((m, i) => {
    const metric = (p: CellPart) => p.metrics[i] as CellPart['metrics'][number]
    slots.push({ sql: `count(${m.x})`, apply: (p, v) => (metric(p).requests = v) })
    slots.push({ sql: d.sum(`${m.x} * ${m.x}`), apply: (p, v) => (metric(p).squares = v) })
    // Requests without a unit are clusters of their own; units are clustered in t = 2 / 3.
    const terms = { x: m.xAlone, y: m.ratio ? m.yAlone : '1' }
    for (const key of MOMENT_KEYS) {
      slots.push({
        sql: moment(d, MOMENTS[key], terms, m.xAlone),
        apply: (p, v) => (metric(p).moments[key] = v)
      })
    }
    if (quantile[i]) {
      slots.push({ sql: d.min(m.x), apply: (p, v) => (metric(p).min = v) })
      slots.push({ sql: d.max(m.x), apply: (p, v) => (metric(p).max = v) })
    }
  })
  const t = CACHE_TERMS
  slots.push({ sql: d.sum(t.seen), apply: (p, v) => (p.cacheSeen = v) })
  for (const key of CACHE_COUNT_KEYS) {
    const spec: { over: keyof typeof CACHE_TERMS; sum?: keyof typeof CACHE_TERMS } =
      CACHE_COUNTS[key]
    // A summed term is NULL outside its `over` set (recordSql.ts), so a plain sum is over it.
    slots.push({
      sql: spec.sum ? d.sum(t[spec.sum]) : d.sum(t[spec.over]),
      apply: (p, v) => (p.cache[key] = v)
    })
  }
  const split = [
    ['latency', 'hit', t.latencyHit],
    ['latency', 'miss', t.latencyMiss],
    ['ttft', 'hit', t.ttftHit],
    ['ttft', 'miss', t.ttftMiss]
  ] as const
  for (const [which, part, column] of split) {
    for (const key of MOMENT_KEYS) {
      slots.push({
        sql: moment(d, MOMENTS[key], { x: column, y: '1' }, column),
        apply: (p, v) => (p.cache[which][part][key] = v)
      })
    }
  }
  for (const key of REPRICING_KEYS) {
    slots.push({
      sql: moment(d, REPRICING[key], { u: t.u, d: t.d, c: t.c }, t.u),
      apply: (p, v) => {
        const repricing = p.cache.repricing as NonNullable<CacheSums['repricing']>
        repricing[key] = v
      }
    })
  }
  return slots
}

/** The t = 2 / 3 layout: units, then per metric the moments over the units' (x, y) sums. */
function unitSlots(d: Dialect, records: RecordSql): Slot<UnitPart>[] {
  const slots: Slot<UnitPart>[] = [{ sql: 'count(*)', apply: (p, v) => (p.units = v) }]
  records.metrics.forEach((_, i) => {
    // sx, sy: a unit's sums, NULL for a unit without a value for the metric.
    for (const key of MOMENT_KEYS) {
      slots.push({
        sql: moment(d, MOMENTS[key], { x: `sx${i}`, y: `sy${i}` }, `sx${i}`),
        apply: (p, v) => ((p.moments[i] as RatioMoments)[key] = v)
      })
    }
  })
  return slots
}

/**
 * The aggregate of one sketch field: the sum of its product of terms over the rows where
 * `member` (a term NULL outside the set) is not NULL, or their count. A term '1' drops out, so
 * sy, syy and sxy of a mean are count(x), count(x) and sum(x): the same aggregates as n and sx.
 */
function moment(
  d: Dialect,
  monomial: Monomial,
  terms: Record<string, string>,
  member: string
): string {
  const factors = Object.fromEntries(
    Object.entries(monomial).filter(([name]) => terms[name] !== '1')
  )
  return Object.keys(factors).length === 0 ? `count(${member})` : d.sum(product(factors, terms))
}

/** The columns every branch returns: t, a, s0.., k, h, d, key, mk, err, lbl, inv, v, w. */
interface RowColumns {
  t: string
  a: string
  s: string[]
  k: string
  h: string
  /** t = 4: the quantile metric's index; `key` its sign ('p', 'n', 'z'). */
  d?: string
  key?: string
  /** t = 1: the served model, error class, unmatched label, and invalid-value keys. */
  mk?: string
  err?: string
  lbl?: string
  inv?: string[]
  v: string
  w?: string
}

function row(d: Dialect, c: RowColumns): string {
  const pg = d.engine === 'postgres'
  const int = (x: string) => (pg ? `(${x})::int8` : `toInt64(${x})`)
  const text = (x: string | undefined) =>
    x === undefined ? "''" : pg ? `coalesce((${x})::text, '')` : `toString(ifNull(${x}, ''))`
  const floats = (x: string) => (pg ? `(${x})::float8[]` : `arrayMap(z -> toFloat64(z), ${x})`)
  const texts = (xs: string[]) =>
    pg
      ? xs.length === 0
        ? "'{}'::text[]"
        : `ARRAY[${xs.map(x => `(${x})::text`).join(', ')}]::text[]`
      : xs.length === 0
        ? 'emptyArrayString()'
        : `[${xs.map(x => `toString(ifNull(${x}, ''))`).join(', ')}]`
  return [
    `${int(c.t)} AS t`,
    `${int(c.a)} AS a`,
    ...c.s.map((s, j) => `${text(s)} AS s${j}`),
    `${int(c.k)} AS k`,
    `${int(c.h)} AS h`,
    `${int(c.d ?? '0')} AS d`,
    `${text(c.key)} AS key`,
    `${text(c.mk)} AS mk`,
    `${text(c.err)} AS err`,
    `${text(c.lbl)} AS lbl`,
    `${texts(c.inv ?? [])} AS inv`,
    `${floats(c.v)} AS v`,
    `${floats(c.w ?? d.floatArray([]))} AS w`
  ].join(', ')
}

/** The columns of a row about units, per (arm[, segment `s`], first bucket k0, half hh). */
function unitsRow(
  d: Dialect,
  t: number,
  s: string[],
  dims: string[],
  rest: Pick<RowColumns, 'd' | 'v' | 'w'>
): string {
  const segments = s.length > 0 ? s : dims.map(() => "''")
  return row(d, { t: String(t), a: 'a', s: segments, k: 'k0', h: 'hh', ...rest })
}

function cellBranch(
  d: Dialect,
  base: string,
  records: RecordSql,
  layout: Slot<CellPart>[]
): string {
  const dims = records.dims
  const inv = records.invalid
  const group = ['a', ...dims, 'k', 'h', 'mk', 'err', 'lbl', ...inv]
  const cols = row(d, {
    t: String(ROW.cell),
    a: 'a',
    s: dims,
    k: 'k',
    h: 'h',
    mk: 'mk',
    err: 'err',
    lbl: 'lbl',
    inv,
    v: d.floatArray(layout.map(s => s.sql))
  })
  return `SELECT ${cols}\nFROM ${base}\nGROUP BY ${group.join(', ')}`
}

/**
 * Per-unit sums (a `GROUP BY unit` in the database), then the clusters per first bucket: per
 * (arm, segment, unit) first, and per (arm, unit) from those (a unit's sums over its segments).
 * PostgreSQL computes the per-(arm, segment, unit) sums once, as a CTE both groupings read;
 * ClickHouse (no CTEs of queries in 18.x) scans twice, which costs it little.
 */
function unitBranches(
  d: Dialect,
  base: string,
  records: RecordSql,
  layout: Slot<UnitPart>[]
): { with?: string; branches: string[] } {
  const dims = records.dims
  const ms = records.metrics.map((m, i) => ({ ...m, i }))
  const v = d.floatArray(layout.map(s => s.sql))
  /** Per-unit sums over `from`, grouped by `keys`: first bucket, count, sum of x (and of y). */
  const sums = (from: string, keys: string[], fromUnits: boolean) => {
    const cols = ms.flatMap(m =>
      fromUnits
        ? [
            `sum(n${m.i}) AS n${m.i}`,
            `sum(xs${m.i}) AS xs${m.i}`,
            ...(m.ratio ? [`sum(ys${m.i}) AS ys${m.i}`] : [])
          ]
        : [
            `${d.float(`count(${m.x})`)} AS n${m.i}`,
            `sum(${m.x}) AS xs${m.i}`,
            ...(m.ratio ? [`sum(${m.y}) AS ys${m.i}`] : [])
          ]
    )
    const where = fromUnits ? '' : '\n  WHERE w = 1 AND u IS NOT NULL'
    return `SELECT ${keys.join(', ')}, min(${fromUnits ? 'k0' : 'k'}) AS k0, ${cols.join(', ')}\n  FROM ${from}${where}\n  GROUP BY ${keys.join(', ')}`
  }
  /** Clusters per (arm[, segment], first bucket, half) of the units in `units`. */
  const clusters = (units: string, t: number, s: string[], hh: string) => {
    const unitCols = ms.map(
      m =>
        `CASE WHEN n${m.i} > 0 THEN xs${m.i} END AS sx${m.i}, CASE WHEN n${m.i} > 0 THEN ${m.ratio ? `ys${m.i}` : `n${m.i}`} END AS sy${m.i}`
    )
    const inner = `SELECT a, ${s.map(x => `${x}, `).join('')}k0, ${hh} AS hh, ${unitCols.join(', ')}\n  FROM (${units}) AS su`
    const cols = unitsRow(d, t, s, dims, { v })
    return `SELECT ${cols}\nFROM (${inner}) AS g\nGROUP BY a, ${s.map(x => `${x}, `).join('')}k0, hh`
  }
  const half = `CASE WHEN a = 0 THEN ${d.halfOfText('u')} ELSE 0 END`
  if (dims.length === 0) {
    return { branches: [clusters(sums(base, ['a', 'u'], false), ROW.armUnits, [], half)] }
  }
  const perSegment = sums(base, ['a', ...dims, 'u'], false)
  const shared = d.engine === 'postgres' ? 'unit_segments' : `(${perSegment}) AS us`
  return {
    ...(d.engine === 'postgres' && { with: `unit_segments AS (${perSegment})` }),
    branches: [
      clusters(sums(shared, ['a', 'u'], true), ROW.armUnits, [], half),
      clusters(`SELECT * FROM ${shared}`, ROW.segmentUnits, dims, '0')
    ]
  }
}

/**
 * Each window record's quantile entries: one per quantile metric, with the metric's index (ed),
 * the value's sign (ek: 'p', 'n', 'z', NULL without a value) and its bucket index (ei), from the
 * rows of `base` where `where` holds. One quantile metric reads the row's columns as they are;
 * several make one entry per metric and row (a LATERAL VALUES list, or an ARRAY JOIN of tuples).
 */
function quantileEntries(
  d: Dialect,
  base: string,
  records: RecordSql,
  where: string
): { from: string; ed: string; ek: string; ei: string } {
  const q = records.quantiles
  const pg = d.engine === 'postgres'
  const int = (x: string) => (pg ? `(${x})::int8` : `toInt64(${x})`)
  if (q.length === 1) {
    const only = q[0] as RecordSql['quantiles'][number]
    return {
      from: `${base}\n  WHERE ${where}`,
      ed: int(String(only.metric)),
      ek: only.sign,
      ei: only.index
    }
  }
  if (pg) {
    const values = q.map(e => `(${int(String(e.metric))}, ${e.sign}, ${e.index})`).join(', ')
    return {
      from: `${base}\n  CROSS JOIN LATERAL (VALUES ${values}) AS e(ed, ek, ei)\n  WHERE ${where}`,
      ed: 'ed',
      ek: 'ek',
      ei: 'ei'
    }
  }
  const tuples = q
    .map(
      e => `tuple(${int(String(e.metric))}, CAST(${e.sign} AS Nullable(String)), ${int(e.index)})`
    )
    .join(', ')
  return {
    from: `${base}\n  ARRAY JOIN [${tuples}] AS e\n  WHERE ${where}`,
    ed: 'e.1',
    ek: 'e.2',
    ei: 'e.3'
  }
}

/**
 * The quantile sketches: each window record's bucket index of each quantile metric, counted per
 * (arm, segment, bucket, half, metric, sign) and packed into arrays (w the indices, v the counts).
 */
function quantileBranch(d: Dialect, base: string, records: RecordSql): string | undefined {
  if (records.quantiles.length === 0) return undefined
  const dims = records.dims
  const e = quantileEntries(d, base, records, 'w = 1')
  const keys = ['a', ...dims, 'k', 'h']
  const counted = `SELECT ${keys.join(', ')}, ${e.ed} AS ed, ${e.ek} AS ek, ${e.ei} AS ei, ${d.engine === 'postgres' ? 'count(*)' : 'count()'} AS n
  FROM ${e.from} AND ${e.ek} IS NOT NULL
  GROUP BY ${keys.join(', ')}, ${e.ed}, ${e.ek}, ${e.ei}`
  const packed =
    d.engine === 'postgres'
      ? // Unordered (no sort): one Agg node advances both on each row, so they stay aligned.
        { v: 'array_agg(n)', w: 'array_agg(ei)' }
      : { v: 'groupArray(n)', w: 'groupArray(ei)' }
  const cols = row(d, {
    t: String(ROW.quantile),
    a: 'a',
    s: dims,
    k: 'k',
    h: 'h',
    d: 'ed',
    key: 'ek',
    v: packed.v,
    w: packed.w
  })
  return `SELECT ${cols}\nFROM (${counted}) AS e2\nGROUP BY a, ${dims.map(s => `${s}, `).join('')}k, h, ed, ek`
}

/** The bin of a record without a value for the metric: counted 0, it only carries the unit's first bucket. */
const NO_VALUE_BIN = 2 * NON_POSITIVE_BIN

/**
 * The per-unit rank sums of the quantile metrics (src/sketch/unitRanks.ts), computed as the
 * EvidenceBuilder computes them from its per-unit tables, with no unit id leaving the database:
 *
 *  1. per (arm, segment, unit, metric, coarse bin) the unit's requests in the bin (`unit_bins`;
 *     coarse bin ceil(i / RANK_STEP) of the sketch's bucket index i, NON_POSITIVE_BIN for values
 *     <= 0) and the unit's first bucket; a record without a value for the metric is an entry of
 *     count 0 in NO_VALUE_BIN, so the first bucket is that of any of the unit's records;
 *  2. per unit (per arm and segment for t = 5; summed over its segments, per arm, for t = 6): the
 *     first bucket, and for each bin its running count `after` = c(e_j) and the metric's total n;
 *     PostgreSQL with window functions, ClickHouse (18.x has none) over the unit's entries as
 *     arrays (groupArray, then an ARRAY JOIN with the sums of arrayMap over the same arrays);
 *  3. per (arm[, segment], first bucket[, half], metric, bin): counts = sum of the unit's
 *     requests in the bin, squares = sum of after^2 - (after - c)^2, cross = sum of c * n, sums
 *     of integers (exact), packed per metric into arrays.
 */
function rankBranches(
  d: Dialect,
  base: string,
  records: RecordSql
): { with?: string; branches: string[] } {
  if (records.quantiles.length === 0) return { branches: [] }
  const pg = d.engine === 'postgres'
  const dims = records.dims
  const e = quantileEntries(d, base, records, 'w = 1 AND u IS NOT NULL')
  const int = (x: string) => (pg ? `(${x})::int8` : `toInt64(${x})`)
  const bin = `CASE WHEN ${e.ek} IS NULL THEN ${NO_VALUE_BIN} WHEN ${e.ek} = 'p' THEN ${int(`ceil(${pg ? `(${e.ei})::float8` : e.ei} / ${RANK_STEP})`)} ELSE ${NON_POSITIVE_BIN} END`
  const segmentKeys = ['a', ...dims, 'u']
  const unitBins = `SELECT ${segmentKeys.join(', ')}, rd, rb, CASE WHEN rb = ${NO_VALUE_BIN} THEN 0 ELSE ${pg ? 'count(*)' : 'count()'} END AS rc, min(k) AS rkm
  FROM (SELECT ${segmentKeys.join(', ')}, k, ${e.ed} AS rd, ${int(bin)} AS rb
  FROM ${e.from}) AS ue
  GROUP BY ${segmentKeys.join(', ')}, rd, rb`
  const shared = pg ? 'unit_bins' : `(${unitBins}) AS ub`
  // A unit's entries over its segments (new names: ClickHouse's aliases are visible in the whole
  // SELECT, so `sum(rc) AS rc` would read itself).
  const armBins = `(SELECT a, u, rd, rb, sum(rc) AS ra, min(rkm) AS rka FROM ${shared} GROUP BY a, u, rd, rb) AS ua`
  /** Step 2: per unit of `keys`, its entries with k0, the running count (raf) and the total (rn). */
  const perUnit = (from: string, keys: string[], count: string, first: string): string => {
    const list = keys.join(', ')
    if (pg) {
      // The partitions only group equal values: byte order (COLLATE "C") sorts text without the
      // database's collation rules, much faster under a linguistic one, to the same groups.
      const unit = keys.map(k => (k === 'a' ? k : `${k} COLLATE "C"`)).join(', ')
      return `SELECT ${list}, rd, rb, ${count} AS rc, min(${first}) OVER (PARTITION BY ${unit}) AS k0,
    sum(${count}) OVER (PARTITION BY ${unit}, rd ORDER BY rb) AS raf,
    sum(${count}) OVER (PARTITION BY ${unit}, rd) AS rn
  FROM ${from}`
    }
    return `SELECT ${list}, k0, ed1 AS rd, eb1 AS rb, ec1 AS rc,
    arraySum(arrayMap((x, y, z) -> if(x = ed1 AND y <= eb1, z, 0), eds, ebs, ecs)) AS raf,
    arraySum(arrayMap((x, z) -> if(x = ed1, z, 0), eds, ecs)) AS rn
  FROM (SELECT ${list}, min(${first}) AS k0, groupArray(rd) AS eds, groupArray(rb) AS ebs, groupArray(${count}) AS ecs
    FROM ${from}
    GROUP BY ${list}) AS ug
  ARRAY JOIN eds AS ed1, ebs AS eb1, ecs AS ec1`
  }
  /** Steps 2 and 3 for the units in `from`, as rows of type t. */
  const branch = (
    from: string,
    [count, first]: [string, string],
    t: number,
    s: string[],
    hh: string
  ): string => {
    const keys = ['a', ...s]
    const float = (x: string) => (pg ? x : `toFloat64(${x})`)
    const sums = `SELECT ${keys.join(', ')}, k0, ${hh} AS hh, rd, rb, ${float('sum(rc)')} AS sc, ${float('sum(raf * raf - (raf - rc) * (raf - rc))')} AS sq, ${float('sum(rc * rn)')} AS sx
  FROM (${perUnit(from, [...keys, 'u'], count, first)}) AS pu
  WHERE rb != ${NO_VALUE_BIN}
  GROUP BY ${keys.join(', ')}, k0, hh, rd, rb`
    const cols = unitsRow(d, t, s, dims, {
      d: 'rd',
      // Unordered: one aggregate node advances every array on each row, so they stay aligned.
      v: pg
        ? 'array_agg(sc) || array_agg(sq) || array_agg(sx)'
        : 'arrayConcat(groupArray(sc), groupArray(sq), groupArray(sx))',
      w: pg ? 'array_agg(rb)' : 'groupArray(rb)'
    })
    return `SELECT ${cols}\nFROM (${sums}) AS rs\nGROUP BY ${keys.join(', ')}, k0, hh, rd`
  }
  const half = `CASE WHEN a = 0 THEN ${d.halfOfText('u')} ELSE 0 END`
  const branches =
    dims.length === 0
      ? [branch(shared, ['rc', 'rkm'], ROW.armRanks, [], half)]
      : [
          branch(armBins, ['ra', 'rka'], ROW.armRanks, [], half),
          branch(shared, ['rc', 'rkm'], ROW.segmentRanks, dims, '0')
        ]
  return { ...(pg && { with: `unit_bins AS (${unitBins})` }), branches }
}
