import { mergeCacheSums } from '../sketch/cacheSums.js'
import { TOTAL_SEGMENT, type CacheSums, type Cell, type Evidence } from '../sketch/evidence.js'
import { normalQuantile } from '../stats/normal.js'
import { ratioCS, ratioDifferenceCS } from '../stats/cs/ratio.js'
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
/** Buckets with cache data needed before a flat canary rate is called broken. */
const MIN_TREND_BUCKETS = 6
/** A canary that has read nothing from the cache over this many buckets and requests is broken. */
const MIN_COLD_BUCKETS = 3
const MIN_COLD_REQUESTS = 200
/** One-sided level of the trend test: a rise is shown when the slope's 95% lower bound is > 0. */
const TREND_LEVEL = 0.95

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
 * - matched: the canary is not shown to read less from the cache than the baseline by more than
 *   max(5 points, 10% of the baseline's rate): the confidence sequence of the difference of the
 *   two rates, paired by time bucket (rateGap: a cache shared by both arms, whose hits come and
 *   go in bursts, is not read as a difference), reaches 0, or its estimate is within that margin;
 * - warming: shown below, the canary reads from the cache, and its rate is shown to rise beyond
 *   what the level of a shared cache explains: in the weighted least-squares fit of the canary's
 *   per-bucket rate on time and on the baseline's rate (the shared level), the time coefficient
 *   is above 0 at 95% (Student t, n - 3 degrees of freedom);
 * - broken: shown below, with enough buckets (6) to see a trend, and not closing: even at the
 *   fastest rise that coefficient's interval allows, the gap at the window's end would not close
 *   within two more windows as long as this one (a canary that reads nothing never closes it; one
 *   that has read nothing at all over 3 buckets and 200 requests is broken without a trend);
 * - undetermined: shown below, but too early to tell warming from broken.
 *
 * While warming (or undetermined), a cost metric that fails holds instead of rolling back (`holdsBecause`), with the
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
  const margin = Math.max(0.05, 0.1 * hitRate.baseline)
  const gap = rateGap(series, ctx)
  const state = classify(gap, margin, series, hitRate.baseline > 0)

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
  const report: CacheReport = {
    state,
    hitRate,
    cost,
    strata,
    difference: { estimate: gap.estimate, lower: gap.lower, upper: gap.upper }
  }
  const rates = `canary ${pct(hitRate.canaryRecent)} of input tokens from the prompt cache lately vs baseline ${pct(hitRate.baselineRecent)}`
  const overall = `over the window ${pct(hitRate.canary)} vs ${pct(hitRate.baseline)}, paired by time bucket ${points(gap.estimate)} (${points(gap.lower)} to ${points(gap.upper)})`
  const views = costViews(cost)

  if (state === 'matched') {
    const shown = gap.upper < 0 ? ', within the margin' : ', no difference shown'
    return {
      report,
      check: { name, status: 'ok', detail: `warm: ${rates}; ${overall}${shown}${views}` }
    }
  }
  if (state === 'warming' || state === 'undetermined') {
    const held = holdWhileWarming(metrics, strata, cost)
    const what = held.length > 0 ? `; failing ${held.join(', ')} hold instead of rolling back` : ''
    const how =
      state === 'warming'
        ? 'and rising'
        : `below the baseline's, and too early to tell a warming cache from a broken prefix (${series.length} buckets)`
    return {
      report,
      check: {
        name,
        status: 'warn',
        detail: `${state}: ${rates}; ${overall}, ${how}${what}${views}`
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
      detail: `broken: ${rates}; ${overall}, and not rising after ${series.length} buckets. The prompt's prefix probably changed (dynamic text before the static part defeats prefix caching); the cost verdict stands${perDay}${views}`
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
 * The confidence sequence of canary minus baseline share of input tokens read from the cache,
 * paired by time bucket: d_k = canary rate - baseline rate in bucket k, averaged with the canary's
 * input tokens as weights. Pairing is what a shared cache needs: its level comes and goes for
 * both arms at once (bursts of a prompt), which cancels in d_k but would swamp two independent
 * arm estimates. The weighted mean is a ratio estimator over the buckets as clusters, with the
 * asymptotic CS of Waudby-Smith et al. 2024 (stats/cs/ratio.ts, ratioCS), at the metrics' error
 * rate.
 */
function rateGap(series: BucketPoint[], ctx: CompareContext) {
  const m = { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }
  const scale = series.reduce((sum, p) => sum + p.c.inputTokens, 0) / Math.max(1, series.length)
  for (const p of series) {
    const w = p.c.inputTokens / scale
    const x = w * (rate(p.c) - rate(p.b))
    m.n++
    m.sx += x
    m.sy += w
    m.sxx += x * x
    m.syy += w * w
    m.sxy += x * w
  }
  return ratioCS(m, ctx.alpha, { tStar: Math.max(2 * MIN_TREND_BUCKETS, series.length) })
}

/** Which of the four states the evidence shows (see cacheCheck). */
function classify(
  gap: { estimate: number; upper: number },
  margin: number,
  series: BucketPoint[],
  baselineReads: boolean
): CacheState {
  const below = baselineReads && gap.upper < 0 && gap.estimate < -margin
  if (!below) return 'matched'
  const reads = series.some(p => p.c.cacheReadTokens > 0)
  const rise = riseBeyondShared(series)
  const t = studentQuantile(TREND_LEVEL, series.length - 3)
  if (reads && rise.slope - t * rise.se > 0) return 'warming'
  // A prompt cache serves a prefix from its second request on: hundreds of canary requests over
  // several buckets without a single token read from it is a prefix that defeats the cache.
  const canaryRequests = series.reduce((sum, p) => sum + p.c.requests, 0)
  if (!reads && series.length >= MIN_COLD_BUCKETS && canaryRequests >= MIN_COLD_REQUESTS) {
    return 'broken'
  }
  if (series.length < MIN_TREND_BUCKETS) return 'undetermined'
  // Broken only when even the fastest rise the interval allows would leave the gap (fitted at
  // the window's end) open after two more windows as long as this one.
  const end = trend(series, p => rate(p.b) - rate(p.c)).end
  const span = (series.at(-1)?.t ?? 0) - (series[0]?.t ?? 0)
  const fastest = reads ? Math.max(0, rise.slope + t * rise.se) : 0
  return fastest * 2 * Math.max(span, 1e-9) < end ? 'broken' : 'undetermined'
}

const rate = (s: CacheSums): number => s.cacheReadTokens / s.inputTokens

/**
 * The canary's rise (cache-hit rate per hour) beyond the shared cache's level: the time
 * coefficient of the weighted least-squares fit c_k = a + b t_k + g s_k + e_k, with c_k the
 * canary's rate, s_k the baseline's (the level both arms see), weights the canary's input tokens;
 * its standard error from the residual variance with n - 3 degrees of freedom and the inverse of
 * the normal equations (X'WX)^-1 (any regression text, e.g. Weisberg, Applied Linear Regression,
 * 4th ed., 2014, sections 3.4 and 7.1).
 */
export function riseBeyondShared(points: BucketPoint[]): { slope: number; se: number } {
  const n = points.length
  if (n < 4) return { slope: NaN, se: Infinity }
  // Centre the regressors (weighted), so the intercept drops out of the 2 x 2 system.
  let sw = 0
  let st = 0
  let ss = 0
  let sc = 0
  for (const p of points) {
    const w = p.c.inputTokens
    sw += w
    st += w * p.t
    ss += w * rate(p.b)
    sc += w * rate(p.c)
  }
  const [tBar, sBar, cBar] = [st / sw, ss / sw, sc / sw]
  let tt = 0
  let tsx = 0
  let sss = 0
  let tc = 0
  let sC = 0
  for (const p of points) {
    const w = p.c.inputTokens
    const dt = p.t - tBar
    const ds = rate(p.b) - sBar
    const dc = rate(p.c) - cBar
    tt += w * dt * dt
    tsx += w * dt * ds
    sss += w * ds * ds
    tc += w * dt * dc
    sC += w * ds * dc
  }
  const det = tt * sss - tsx * tsx
  if (!(det > 1e-12 * tt * sss) || !(tt > 0)) return { slope: NaN, se: Infinity }
  const b = (sss * tc - tsx * sC) / det
  const g = (tt * sC - tsx * tc) / det
  let rss = 0
  for (const p of points) {
    const e = rate(p.c) - cBar - b * (p.t - tBar) - g * (rate(p.b) - sBar)
    rss += p.c.inputTokens * e * e
  }
  // Var(b) = sigma^2 [(X'WX)^-1]_tt = sigma^2 sss / det.
  return { slope: b, se: Math.sqrt(((rss / (n - 3)) * sss) / det) }
}

/**
 * Weighted least-squares slope (per hour) of y over the buckets' time, weights the canary's input
 * tokens, with its standard error from the weighted residual variance (n - 2 degrees of freedom).
 */
export function trend(
  points: BucketPoint[],
  y: (p: BucketPoint) => number
): { slope: number; se: number; end: number } {
  const n = points.length
  if (n < 3) return { slope: NaN, se: Infinity, end: NaN }
  let sw = 0
  let st = 0
  let sy = 0
  for (const p of points) {
    const w = p.c.inputTokens
    sw += w
    st += w * p.t
    sy += w * y(p)
  }
  const tBar = st / sw
  const yBar = sy / sw
  let stt = 0
  let sty = 0
  for (const p of points) {
    const w = p.c.inputTokens
    stt += w * (p.t - tBar) ** 2
    sty += w * (p.t - tBar) * (y(p) - yBar)
  }
  if (!(stt > 0)) return { slope: NaN, se: Infinity, end: NaN }
  const slope = sty / stt
  let rss = 0
  for (const p of points) rss += p.c.inputTokens * (y(p) - yBar - slope * (p.t - tBar)) ** 2
  const last = points.at(-1)?.t ?? tBar
  return { slope, se: Math.sqrt(rss / (n - 2) / stt), end: yBar + slope * (last - tBar) }
}

/**
 * The p-quantile of Student's t with df degrees of freedom: exact for 1 and 2, else the
 * Cornish-Fisher expansion in 1/df around the normal quantile (Abramowitz & Stegun, Handbook of
 * Mathematical Functions, 1964, eq. 26.7.5; error under 1e-3 from df = 3).
 */
export function studentQuantile(p: number, df: number): number {
  if (!(df >= 1)) return Infinity
  if (df === 1) return Math.tan(Math.PI * (p - 0.5))
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p))
  const z = normalQuantile(p)
  const z2 = z * z
  const g1 = (z * (z2 + 1)) / 4
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4
}

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
const points = (x: number): string =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}pp` : 'unbounded'
