/**
 * The one query an evaluation sends: everything the EvidenceBuilder would compute from the rows,
 * computed where the rows are. Three branches over the window's rows, in one UNION ALL:
 *
 *   t = 1  per (arm, segment, bucket, A/A half): counts, fallbacks, each metric's request count
 *          and the moments of the requests that have no unit, min / max of quantile metrics,
 *          and the prompt-cache sums; plus the rows that are not records (no arm, another arm,
 *          outside the window), for data quality;
 *   t = 2, 3  per (arm[, segment], first bucket[, half]): the per-unit clusters, from a
 *          `GROUP BY unit` inside the query (no unit id leaves the database): units first seen in
 *          the bucket and the moments over the units' sums (t = 2 per segment, t = 3 per arm);
 *   t = 4  keyed counts: served models, error classes, invalid-value keys, unmatched arm labels,
 *          and each quantile metric's sketch as bucket-index counts (sketchLayout.ts QUANTILE_INDEX),
 *          packed into arrays per cell.
 *
 * The numbers come back as a float array per row, in the order of the layouts below, which the
 * row reader (evidenceRows.ts) walks with the same layouts: one description, read and written.
 */
import type { Policy } from '../../policy/types.js'
import { emptyCacheSums } from '../../sketch/cacheSums.js'
import type { CacheSums } from '../../sketch/evidence.js'
import { emptyMoments } from '../../sketch/moments.js'
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
export const ROW = { cell: 1, segmentUnits: 2, armUnits: 3, keyed: 4 } as const
/** Keyed rows' `d` column below 0 (0 and up is a quantile metric's index). */
export const KEY = { model: -1, error: -2, invalid: -3, unmatched: -4 } as const

/** What one t = 1 row adds to a cell (or to an A/A half). */
export interface CellPart {
  requests: number
  fallbacks: number
  /** Earliest timestamp in the part: segments beyond the cap are the latest first seen. */
  firstTs: number
  metrics: { requests: number; moments: RatioMoments; min: number; max: number }[]
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
  const unitLayout = unitSlots(d, metricCount)
  const base = baseQuery(d, input.from, records)
  const dims = records.dims
  const branches = [
    cellBranch(d, base, dims, cellLayout),
    ...unitBranches(d, base, dims, metricCount, unitLayout),
    keyedBranch(d, base, dims, records)
  ]
  const { sql, params } = d.finalize(branches.join('\nUNION ALL\n'))
  return {
    sql,
    params,
    cellLayout,
    unitLayout,
    dims: dims.length,
    newCellPart: () => ({
      requests: 0,
      fallbacks: 0,
      firstTs: Infinity,
      metrics: Array.from({ length: metricCount }, () => ({
        requests: 0,
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

/** Levels 1 to 3 (recordSql.ts) as a subquery: one row per row of the source in the read range. */
function baseQuery(d: Dialect, from: string, records: RecordSql): string {
  const list = (items: [string, string][]) =>
    items.map(([alias, sql]) => `${sql} AS ${alias}`).join(',\n        ')
  const where =
    records.where.length > 0 ? `\n        WHERE ${records.where.join('\n          AND ')}` : ''
  return `(SELECT ${list(records.level3)}
    FROM (SELECT ${list(records.level2)}
      FROM (SELECT ${list(records.level1)}
        FROM ${from} AS src${where} ${d.fence()}) AS r ${d.fence()}) AS p ${d.fence()}) AS c`
}

/** The t = 1 layout: requests, fallbacks, first ts, per metric counts and no-unit moments, min / max, cache. */
function cellSlots(d: Dialect, records: RecordSql, quantile: boolean[]): Slot<CellPart>[] {
  const slots: Slot<CellPart>[] = [
    { sql: 'count(*)', apply: (p, v) => (p.requests = v) },
    { sql: d.sum('fb'), apply: (p, v) => (p.fallbacks = v) },
    { sql: d.min('ts'), apply: (p, v) => (p.firstTs = v) }
  ]
  records.metrics.forEach(({ x, y }, i) => {
    const metric = (p: CellPart) => p.metrics[i] as CellPart['metrics'][number]
    slots.push({ sql: `count(${x})`, apply: (p, v) => (metric(p).requests = v) })
    // Requests without a unit are clusters of their own; units are clustered in t = 2 / 3.
    const alone = `u IS NULL AND ${x} IS NOT NULL`
    for (const key of MOMENT_KEYS) {
      slots.push({
        sql: sumOf(d, MOMENTS[key], { x, y }, alone),
        apply: (p, v) => (metric(p).moments[key] = v)
      })
    }
    if (quantile[i]) {
      slots.push({ sql: d.min(x), apply: (p, v) => (metric(p).min = v) })
      slots.push({ sql: d.max(x), apply: (p, v) => (metric(p).max = v) })
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
  for (const which of ['latency', 'ttft'] as const) {
    for (const hit of [true, false]) {
      const over = `${t[which]} IS NOT NULL AND ${t.hit} = ${hit ? 1 : 0}`
      for (const key of MOMENT_KEYS) {
        slots.push({
          sql: sumOf(d, MOMENTS[key], { x: t[which], y: '1' }, over),
          apply: (p, v) => (p.cache[which][hit ? 'hit' : 'miss'][key] = v)
        })
      }
    }
  }
  for (const key of REPRICING_KEYS) {
    slots.push({
      sql: sumOf(d, REPRICING[key], { u: t.u, d: t.d, c: t.c }, `${t.priced} = 1`),
      apply: (p, v) => {
        const repricing = p.cache.repricing as NonNullable<CacheSums['repricing']>
        repricing[key] = v
      }
    })
  }
  return slots
}

/** The t = 2 / 3 layout: units, then per metric the moments over the units' (x, y) sums. */
function unitSlots(d: Dialect, metricCount: number): Slot<UnitPart>[] {
  const slots: Slot<UnitPart>[] = [{ sql: 'count(*)', apply: (p, v) => (p.units = v) }]
  for (let i = 0; i < metricCount; i++) {
    for (const key of MOMENT_KEYS) {
      slots.push({
        sql: sumOf(d, MOMENTS[key], { x: `sx${i}`, y: `sy${i}` }, `n${i} > 0`),
        apply: (p, v) => ((p.moments[i] as RatioMoments)[key] = v)
      })
    }
  }
  return slots
}

function sumOf(
  d: Dialect,
  monomial: Monomial,
  terms: Record<string, string>,
  over: string
): string {
  return Object.keys(monomial).length === 0
    ? d.countIf(over)
    : d.sumIf(product(monomial, terms), over)
}

/** The common columns of every branch: t, a, s0.., k, h, d, key, v, w. */
function row(
  d: Dialect,
  cols: {
    t: string
    a: string
    s: string[]
    k: string
    h: string
    d: string
    key: string
    v: string
    w: string
  }
): string {
  const int = (x: string) => (d.engine === 'postgres' ? `(${x})::int8` : `toInt64(${x})`)
  const text = (x: string) =>
    d.engine === 'postgres' ? `(${x})::text` : `toString(ifNull(${x}, ''))`
  const floats = (x: string) =>
    d.engine === 'postgres' ? `(${x})::float8[]` : `arrayMap(z -> toFloat64(z), ${x})`
  return [
    `${int(cols.t)} AS t`,
    `${int(cols.a)} AS a`,
    ...cols.s.map((s, j) => `${text(s)} AS s${j}`),
    `${int(cols.k)} AS k`,
    `${int(cols.h)} AS h`,
    `${int(cols.d)} AS d`,
    `${text(cols.key)} AS key`,
    `${floats(cols.v)} AS v`,
    `${floats(cols.w)} AS w`
  ].join(', ')
}

function cellBranch(d: Dialect, base: string, dims: string[], layout: Slot<CellPart>[]): string {
  const group = ['a', ...dims, 'k', 'h'].join(', ')
  const cols = row(d, {
    t: String(ROW.cell),
    a: 'a',
    s: dims,
    k: 'k',
    h: 'h',
    d: '0',
    key: "''",
    v: d.floatArray(layout.map(s => s.sql)),
    w: d.floatArray([])
  })
  return `SELECT ${cols}\nFROM ${base}\nGROUP BY ${group}`
}

/**
 * Per-unit sums (a `GROUP BY unit` in the database), then the clusters per first bucket. With
 * segments, PostgreSQL computes the arm-level and segment-level unit sums in one pass (GROUPING
 * SETS); ClickHouse 18.x has no grouping sets, so it runs the two groupings as two branches.
 */
function unitBranches(
  d: Dialect,
  base: string,
  dims: string[],
  metricCount: number,
  layout: Slot<UnitPart>[]
): string[] {
  const sums = Array.from({ length: metricCount }, (_, i) => [
    `count(x${i}) AS n${i}`,
    `${d.sum(`x${i}`)} AS sx${i}`,
    `${d.sum(`y${i}`)} AS sy${i}`
  ]).flat()
  const v = d.floatArray(layout.map(s => s.sql))
  const where = 'WHERE w = 1 AND u IS NOT NULL'
  /** Clusters per (arm[, segment], first bucket, half) from per-unit sums `inner`. */
  const clusters = (inner: string, t: string, s: string[], segmented: boolean) => {
    const group = ['a', ...(segmented ? s : []), 'k0', 'hh', ...(t === 't' ? ['t'] : [])]
    const cols = row(d, {
      t,
      a: 'a',
      s,
      k: 'k0',
      h: 'hh',
      d: '0',
      key: "''",
      v,
      w: d.floatArray([])
    })
    return `SELECT ${cols}\nFROM (${inner}) AS g\nGROUP BY ${group.join(', ')}`
  }
  const half = `CASE WHEN a = 0 THEN ${d.halfOfText('u')} ELSE 0 END`
  const perUnit = (keys: string[], hh: string, extra = '') =>
    `SELECT ${[...keys, extra].filter(Boolean).join(', ')}, min(k) AS k0, ${hh} AS hh, ${sums.join(', ')}\n  FROM ${base}\n  ${where}`
  if (dims.length === 0) {
    return [
      clusters(`${perUnit(['a', 'u'], half)}\n  GROUP BY a, u`, String(ROW.armUnits), [], false)
    ]
  }
  if (d.engine === 'postgres') {
    const total = `GROUPING(${dims.join(', ')}) > 0`
    const keys = ['a', ...dims.map(s => `coalesce(${s}, '') AS ${s}`)]
    const t = `CASE WHEN ${total} THEN ${ROW.armUnits} ELSE ${ROW.segmentUnits} END AS t`
    const inner = `${perUnit(keys, `CASE WHEN ${total} THEN ${half} ELSE 0 END`, t)}\n  GROUP BY GROUPING SETS ((a, u), (a, ${dims.join(', ')}, u))`
    return [clusters(inner, 't', dims, true)]
  }
  const arm = `${perUnit(['a', 'u'], half)}\n  GROUP BY a, u`
  const segment = `${perUnit(['a', ...dims, 'u'], '0')}\n  GROUP BY a, ${dims.join(', ')}, u`
  return [
    clusters(
      arm,
      String(ROW.armUnits),
      dims.map(() => "''"),
      false
    ),
    clusters(segment, String(ROW.segmentUnits), dims, true)
  ]
}

/**
 * Keyed counts. Each row yields entries (kind, key, index, half): its model, its error class, its
 * invalid-value keys, its label when it matched no arm, and a bucket of each quantile metric; the
 * entries are counted per cell (per half for quantiles; over everything for invalid keys and
 * labels) and packed into arrays per (cell, kind, key): w the indices, v the counts.
 */
function keyedBranch(d: Dialect, base: string, dims: string[], records: RecordSql): string {
  const text = (x: string) =>
    d.engine === 'postgres' ? `(${x})::text` : `CAST(${x} AS Nullable(String))`
  const int = (x: string) => (d.engine === 'postgres' ? `(${x})::int8` : `toInt64(${x})`)
  const inWindow = (x: string) => `CASE WHEN w = 1 THEN ${x} END`
  const entries: [string, string, string, string][] = [
    [String(KEY.model), inWindow('mk'), '0', '0'],
    [String(KEY.error), inWindow('err'), '0', '0'],
    ...records.invalid.map((e): [string, string, string, string] => [
      String(KEY.invalid),
      inWindow(e),
      '0',
      '0'
    ]),
    [String(KEY.unmatched), `CASE WHEN a = ${-2} THEN lbl END`, '0', '0'],
    ...records.quantiles.map((q): [string, string, string, string] => [
      String(q.metric),
      inWindow(q.sign),
      q.index,
      'h'
    ])
  ]
  const global = `ed <= ${KEY.invalid}`
  const ga = `CASE WHEN ${global} THEN 0 ELSE a END`
  const gs = dims.map(s => `CASE WHEN ${global} THEN '' ELSE ${s} END`)
  const gk = `CASE WHEN ${global} THEN 0 ELSE k END`
  const group = [ga, ...gs, gk, 'eh', 'ed', 'ek', 'ei']
  const counted =
    d.engine === 'postgres'
      ? `SELECT ${ga} AS ga, ${gs.map((s, j) => `${s} AS gs${j}, `).join('')}${gk} AS gk, eh, ed, ek, ei, count(*) AS n
  FROM ${base}
  CROSS JOIN LATERAL (VALUES ${entries.map(([kind, key, index, half]) => `(${int(kind)}, ${text(key)}, ${int(index)}, ${int(half)})`).join(', ')}) AS e(ed, ek, ei, eh)
  WHERE ek IS NOT NULL
  GROUP BY ${group.join(', ')}`
      : `SELECT ${ga} AS ga, ${gs.map((s, j) => `${s} AS gs${j}, `).join('')}${gk} AS gk, e.4 AS eh, e.1 AS ed, e.2 AS ek, e.3 AS ei, count() AS n
  FROM ${base}
  ARRAY JOIN [${entries.map(([kind, key, index, half]) => `tuple(${int(kind)}, ${text(key)}, ${int(index)}, ${int(half)})`).join(', ')}] AS e
  WHERE e.2 IS NOT NULL
  GROUP BY ga, ${gs.map((_, j) => `gs${j}, `).join('')}gk, eh, ed, ek, ei`
  const packed =
    d.engine === 'postgres'
      ? { v: 'array_agg(n ORDER BY ei)', w: 'array_agg(ei ORDER BY ei)' }
      : { v: 'groupArray(n)', w: 'groupArray(ei)' }
  const cols = row(d, {
    t: String(ROW.keyed),
    a: 'ga',
    s: dims.map((_, j) => `gs${j}`),
    k: 'gk',
    h: 'eh',
    d: 'ed',
    key: 'ek',
    v: packed.v,
    w: packed.w
  })
  return `SELECT ${cols}\nFROM (${counted}) AS e2\nGROUP BY ga, ${dims.map((_, j) => `gs${j}, `).join('')}gk, eh, ed, ek`
}
