import { mergeCacheSums } from '../sketch/cacheSums.js'
import { TOTAL_SEGMENT, type CacheSums, type Cell, type Evidence } from '../sketch/evidence.js'
import { ratioDifferenceCS } from '../stats/cs/ratio.js'
import { change, int } from '../policy/format.js'
import type { CompareContext } from './compareMetric.js'
import type { CacheReport, CacheState, Check, MetricResult } from './types.js'

/** Fields whose metrics are costs (the cost verdict that holds while the cache warms). */
const COST_FIELDS = new Set(['cost', 'cost_usd'])
const TIME_FIELDS: Record<string, 'latency_ms' | 'ttft_ms'> = {
  latency_ms: 'latency_ms',
  duration_ms: 'latency_ms',
  ttft_ms: 'ttft_ms'
}
/** Buckets with cache data needed before a trend can be told from noise. */
const MIN_TREND_BUCKETS = 4
/** |t| of the slope above which the canary's hit rate is rising, not flat. */
const TREND_T = 2

export interface CacheFinding {
  check: Check
  report?: CacheReport
}

/**
 * Prompt-cache warmth (issue 5, check 1). A new prompt starts with a cold cache; a prompt whose
 * prefix changed (dynamic text moved to the front) may never hit it again. Both make the canary
 * cost more than it will once warm, so the cost is shown three ways: observed; every input token
 * uncached; and the canary's tokens re-priced at the baseline's cache-hit rate (the share of input
 * tokens read from the cache). The canary's hit rate is compared with the baseline's over the
 * window and classified:
 *
 * - matched: in the window's last third the canary's rate is within max(5 points, 10% of the
 *   baseline's) of the baseline's;
 * - warming: below, but the gap (baseline minus canary, per time bucket) is shrinking: its
 *   weighted least-squares slope over time has t < -2 (or there are fewer than 4 buckets to tell);
 * - broken: below and flat.
 *
 * While warming, a cost metric that fails holds instead of rolling back (`holdsBecause`), with the
 * re-priced cost as the projection; so does a latency or TTFT metric whose slowdown does not show
 * within cache hits and within cache misses separately (per-request means, asymptotic CS of
 * Waudby-Smith et al. 2024 at the metric's error rate), since then the cold cache explains it.
 * When broken, the cost verdict stands and the check warns, with what the misses cost per day.
 */
export function cacheCheck(
  evidence: Evidence,
  metrics: MetricResult[],
  ctx: CompareContext,
  requestsPerSecond: number
): CacheFinding {
  const name = 'cache'
  const total = (arm: Cell['arm']) =>
    evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
  const baselineCells = total('baseline')
  const canaryCells = total('canary')
  const b = mergeCacheSums(baselineCells)
  const c = mergeCacheSums(canaryCells)
  if (!b || !c) {
    const some = baselineCells.length + canaryCells.length > 0
    const why = some ? 'not available from this source (no token sums)' : 'no traffic yet'
    return { check: { name, status: 'ok', detail: why } }
  }
  const unreported = cacheUnreported(b, c, metrics)
  if (unreported) return { check: { name, ...unreported } }
  if (b.inputTokens === 0 || c.inputTokens === 0) {
    return { check: { name, status: 'ok', detail: 'no input token counts in an arm' } }
  }
  const rate = (s: CacheSums) => s.cacheReadTokens / s.inputTokens
  const series = bucketSeries(baselineCells, canaryCells)
  const recent = series.slice(-Math.max(1, Math.ceil(series.length / 3)))
  const recentRate = (arm: 'b' | 'c') => {
    const read = recent.reduce((s, p) => s + p[arm].cacheReadTokens, 0)
    const input = recent.reduce((s, p) => s + p[arm].inputTokens, 0)
    return input > 0 ? read / input : NaN
  }
  const hitRate = {
    baseline: rate(b),
    canary: rate(c),
    baselineRecent: recentRate('b'),
    canaryRecent: recentRate('c')
  }
  const margin = Math.max(0.05, 0.1 * hitRate.baselineRecent)
  const slope = gapSlope(series)
  const state: CacheState =
    !(hitRate.canaryRecent < hitRate.baselineRecent - margin) || !(hitRate.baseline > 0)
      ? 'matched'
      : series.length < MIN_TREND_BUCKETS || slope.t < -TREND_T
        ? 'warming'
        : 'broken'

  const perRequest = (usd: number, s: CacheSums) => (s.priced > 0 ? usd / s.priced : null)
  const repriced =
    c.costUncached -
    c.inputAtInputPrice +
    hitRate.baseline * c.inputAtCacheReadPrice +
    (1 - hitRate.baseline) * c.inputAtInputPrice
  const cost = {
    baseline: { observed: perRequest(b.cost, b), uncached: perRequest(b.costUncached, b) },
    canary: {
      observed: perRequest(c.cost, c),
      uncached: perRequest(c.costUncached, c),
      repriced: perRequest(repriced, c)
    }
  }
  const strata = stratumChanges(b, c, ctx)
  const report: CacheReport = { state, hitRate, cost, strata }
  const rates = `canary ${pct(hitRate.canaryRecent)} of input tokens from the prompt cache lately vs baseline ${pct(hitRate.baselineRecent)}`
  const views = costViews(cost)

  if (state === 'matched') {
    return { report, check: { name, status: 'ok', detail: `warm: ${rates}${views}` } }
  }
  if (state === 'warming') {
    const held = holdWhileWarming(metrics, strata, cost)
    const what = held.length > 0 ? `; failing ${held.join(', ')} hold instead of rolling back` : ''
    return {
      report,
      check: {
        name,
        status: 'warn',
        detail: `warming: ${rates}, and rising${what}${views}`
      }
    }
  }
  const extra =
    cost.canary.observed !== null && cost.canary.repriced !== null
      ? (cost.canary.observed - cost.canary.repriced) * requestsPerSecond * 86_400
      : undefined
  if (extra !== undefined) report.extraPerDay = extra
  const perDay =
    extra !== undefined && extra > 0
      ? `; at today's traffic (${int(requestsPerSecond * 86_400)} requests a day), the canary's misses cost about $${money(extra)} a day more than the baseline's hit rate would`
      : ''
  return {
    report,
    check: {
      name,
      status: 'warn',
      detail: `broken: ${rates}, flat after ${series.length} buckets. The prompt's prefix probably changed (dynamic text before the static part defeats prefix caching); the cost verdict stands${perDay}${views}`
    }
  }
}

/**
 * Not available: no request of an arm carried a cache-read token count (the source, or the
 * instrumentation that wrote it, does not report cache reads), which is not a cold cache. The
 * hit rates cannot be compared, and a cost computed from tokens prices every input token as
 * uncached: the cost metrics say so (a caveat), and the check warns when there is one.
 */
function cacheUnreported(
  b: CacheSums,
  c: CacheSums,
  metrics: MetricResult[]
): Pick<Check, 'status' | 'detail'> | undefined {
  const silent = (['baseline', 'canary'] as const).filter(
    arm => (arm === 'baseline' ? b : c).reported === 0
  )
  if (silent.length === 0) return undefined
  const which = silent.length === 2 ? 'no request' : `no ${silent[0]} request`
  const costs = metrics.filter(m => COST_FIELDS.has(m.from))
  for (const m of costs) {
    ;(m.caveats ??= []).push(
      `priced as if no input token was read from the prompt cache: ${which} reported cached tokens`
    )
  }
  const priced =
    costs.length > 0
      ? `; the cost (${costs.map(m => m.name).join(', ')}) is priced as if no input token was read from the cache, which overstates it where the provider did cache, and can bias the comparison when the arms' cache use differs`
      : ''
  if (silent.length === 1) {
    // Some instrumentations write the count only when it is not 0: a canary that never hits the
    // cache (a changed prompt prefix) looks the same. Warn either way.
    const other = silent[0] === 'baseline' ? c : b
    return {
      status: 'warn',
      detail: `not available for the ${silent[0]}: ${which} reported cached input tokens while ${other.reported} of the other arm's did; either its prompt cache is never hit (a changed prompt prefix?) or its instrumentation leaves out zero counts${priced}`
    }
  }
  return {
    status: costs.length > 0 ? 'warn' : 'ok',
    detail: `not available: ${which} in the window reported cached input tokens (the source or its instrumentation does not record them), so a cold cache cannot be told from a warm one${priced}`
  }
}

interface BucketPoint {
  /** Bucket start, hours from the first. */
  t: number
  b: CacheSums
  c: CacheSums
}

/** Buckets where both arms have input tokens, in time order. */
function bucketSeries(baseline: Cell[], canary: Cell[]): BucketPoint[] {
  const byBucket = new Map<number, CacheSums>()
  for (const cell of baseline) if (cell.cache) byBucket.set(cell.bucket, cell.cache)
  const points: BucketPoint[] = []
  for (const cell of canary) {
    const b = byBucket.get(cell.bucket)
    if (!cell.cache || !b || b.inputTokens === 0 || cell.cache.inputTokens === 0) continue
    points.push({ t: cell.bucket / 3_600_000, b, c: cell.cache })
  }
  points.sort((x, y) => x.t - y.t)
  return points
}

/**
 * Weighted least-squares slope of the per-bucket gap (baseline rate minus canary rate) over time,
 * weights the canary's input tokens, with its t statistic from the weighted residual variance.
 */
export function gapSlope(points: BucketPoint[]): { slope: number; t: number } {
  const n = points.length
  if (n < 3) return { slope: NaN, t: NaN }
  let sw = 0
  let st = 0
  let sy = 0
  for (const p of points) {
    const w = p.c.inputTokens
    sw += w
    st += w * p.t
    sy += w * gap(p)
  }
  const tBar = st / sw
  const yBar = sy / sw
  let stt = 0
  let sty = 0
  for (const p of points) {
    const w = p.c.inputTokens
    stt += w * (p.t - tBar) ** 2
    sty += w * (p.t - tBar) * (gap(p) - yBar)
  }
  if (!(stt > 0)) return { slope: NaN, t: NaN }
  const slope = sty / stt
  let rss = 0
  for (const p of points) {
    const w = p.c.inputTokens
    rss += w * (gap(p) - yBar - slope * (p.t - tBar)) ** 2
  }
  const se = Math.sqrt(rss / (n - 2) / stt)
  return { slope, t: se > 0 ? slope / se : slope < 0 ? -Infinity : Infinity }
}

const gap = (p: BucketPoint): number =>
  p.b.cacheReadTokens / p.b.inputTokens - p.c.cacheReadTokens / p.c.inputTokens

function stratumChanges(b: CacheSums, c: CacheSums, ctx: CompareContext): CacheReport['strata'] {
  const out: CacheReport['strata'] = []
  for (const metric of ['latency_ms', 'ttft_ms'] as const) {
    const field = metric === 'latency_ms' ? 'latency' : 'ttft'
    for (const stratum of ['hit', 'miss'] as const) {
      const bm = b[field][stratum]
      const cm = c[field][stratum]
      if (bm.n < 2 || cm.n < 2) continue
      const d = ratioDifferenceCS(bm, cm, ctx.alpha, { relative: true, tStar: ctx.tStar.total })
      out.push({ metric, stratum, estimate: d.estimate, lower: d.lower, upper: d.upper })
    }
  }
  return out
}

/**
 * Marks the failing gate metrics a warming cache explains (they hold), and returns their names.
 * A latency or TTFT metric qualifies only when its relative tolerance is not exceeded with
 * confidence within either stratum.
 */
function holdWhileWarming(
  metrics: MetricResult[],
  strata: CacheReport['strata'],
  cost: CacheReport['cost']
): string[] {
  const held: string[] = []
  for (const m of metrics) {
    if (m.verdict !== 'fail' || m.mode !== 'gate') continue
    // Already re-priced at the baseline's hit rate (gateOn: repriced): a cold cache cannot explain it.
    if (COST_FIELDS.has(m.from) && m.observed === undefined) {
      const r = cost.canary.repriced
      const base = cost.baseline.observed
      const projection =
        r !== null && base !== null && base > 0
          ? `; re-priced at the baseline's cache-hit rate the canary costs $${money(r)} per request (${change(m, r / base - 1, true)} vs the baseline)`
          : ''
      m.holdsBecause = `the canary's prompt cache is still warming${projection}`
      held.push(m.name)
      continue
    }
    if (COST_FIELDS.has(m.from)) continue
    const field = TIME_FIELDS[m.from]
    if (!field || !m.delta.relative || m.better !== 'lower') continue
    const within = strata.filter(s => s.metric === field)
    if (within.length === 2 && within.every(s => !(s.lower > Math.abs(m.tolerance)))) {
      m.holdsBecause = `the canary's prompt cache is still warming, and within cache hits and within misses ${field} is not slower beyond the tolerance`
      held.push(m.name)
    }
  }
  return held
}

function costViews(cost: CacheReport['cost']): string {
  const { baseline: b, canary: c } = cost
  if (b.observed === null || c.observed === null) return ''
  const f = (v: number | null) => (v === null ? 'n/a' : `$${money(v)}`)
  return `. Cost per request: baseline ${f(b.observed)} (all input uncached ${f(b.uncached)}); canary ${f(c.observed)} (uncached ${f(c.uncached)}, at the baseline's hit rate ${f(c.repriced)})`
}

const money = (v: number): string => (v >= 100 ? int(v) : Number(v.toPrecision(3)).toString())
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a')
