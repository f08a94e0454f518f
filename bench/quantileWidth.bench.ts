/**
 * `npm run bench:quantile-width`: the width of the quantile-difference confidence sequence as a
 * ratio to a fixed-n interval at the same sample sizes, for p50 / p95 / p99, canary shares 50 / 25
 * / 5 / 1 %, relative and absolute:
 * - before: main's method (each arm's normal-mixture CS at alpha / 2, intervals subtracted:
 *   bench/quantileLegacy.ts) on main's 1% sketch;
 * - joint, 1% sketch: the joint beta-binomial region (src/stats/cs/quantile.ts) on the same sketch,
 *   the construction's own gain;
 * - after: the joint region on the sketch at today's accuracy (0.25%).
 * Then the cost of adding values to the quantile sketch when data spans 24 decades, against 2,
 * for main's capped store and the paged one.
 *
 * Setup: A/A traffic, log-normal(0, 1) values (latency-like), at the expected decision time: the
 * canary sample at which the fixed-n 1 - alpha interval of the relative difference has half-width
 * 5% (half a 10% tolerance; `--halfwidth`, or a fixed `--canary N`), the baseline at its share of
 * the same traffic. Every CS is tuned to be tightest there (t* = n). alpha = 0.0125 (95% over
 * four gating metrics, the setup) and 0.05, or `--alpha`. Medians over `--replicates`
 * (default 25) seeded replicates, the same data for every method.
 *
 * The fixed-n comparators (1 - alpha, two-sided, on the same data):
 * - oracle (every column but one): the normal interval for the difference of sample quantiles
 *   with each arm's asymptotic variance q (1 - q) / (n f(Q)^2) at the true density (Serfling,
 *   Approximation Theorems of Mathematical Statistics, 1980, Section 2.3.3, Theorem B), the
 *   relative one by the delta method: 2 z sqrt(v_b + v_c), over Q when relative (A/A). No sketch.
 * - rank ("after / rank"): each arm's distribution-free order-statistic interval at the binomial
 *   ranks n q -+ z sqrt(n q (1 - q)), read from the same sketch (to bucket edges), turned into a
 *   standard error (its width / 2z) and combined in quadrature, as Price & Bonett, "Distribution-
 *   free confidence intervals for difference and ratio of medians", J. Stat. Comput. Simul. 72
 *   (2002) do for medians: the construction alone, at the same sketch resolution.
 * "band" is a whole-distribution confidence band in the style Netflix uses for canaries (Lindon,
 * Sanden & Shirikian, KDD 2022: time-uniform bands on each arm's distribution), built here from
 * Howard & Ramdas's bound uniform over all quantiles and time (Bernoulli 2022, Theorem 2;
 * A = 0.85, t_min = 30), at alpha / 2 per arm, intervals subtracted: what a comparison pays to
 * hold for every quantile at once (Infinity: the band reaches past the data at p99).
 */
import { mulberry32, normal } from '../examples/generate-traffic.js'
import { DEFAULT_RELATIVE_ACCURACY, QuantileSketch } from '../src/sketch/quantileSketch.js'
import { quantileDifferenceCS } from '../src/stats/cs/quantile.js'
import { normalQuantile } from '../src/stats/normal.js'
import { LegacyQuantileSketch, legacyQuantileDifferenceCS } from './quantileLegacy.js'

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const CANARY = arg('canary', 0)
const HALF_WIDTH = arg('halfwidth', 0.05)
const ALPHAS = process.argv.includes('--alpha') ? [arg('alpha', 0.05)] : [0.0125, 0.05]
const REPLICATES = arg('replicates', 25)
const ACCURACY = arg('accuracy', DEFAULT_RELATIVE_ACCURACY)
/** main's sketch accuracy, for the "before" column. */
const MAIN_ACCURACY = 0.01
const SIGMA = 1

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Howard & Ramdas (2022), Theorem 2: A sqrt((log(1 + log(t / t_min)) + C) / t), C for alpha. */
function lilRadius(t: number, alpha: number, tMin = 30, A = 0.85): number {
  // The crossing probability of Theorem 2 for (C, eta), minimised over eta, equals alpha.
  const error = (C: number, eta: number): number => {
    const g2 = (2 / eta) * (A - Math.sqrt((2 * (eta - 1)) / C)) ** 2
    return g2 <= 1 ? Infinity : 4 * Math.exp(-g2 * C) * (1 + 1 / ((g2 - 1) * Math.log(eta)))
  }
  const best = (C: number): number => {
    // eta ranges over (1, eta_max], sqrt(eta / 2) + sqrt(2 (eta - 1) / C) = A at eta_max.
    let lo = 1
    let hi = 2 * A * A
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2
      if (Math.sqrt(mid / 2) + Math.sqrt((2 * (mid - 1)) / C) < A) lo = mid
      else hi = mid
    }
    let min = Infinity
    for (let k = 1; k <= 400; k++) min = Math.min(min, error(C, 1 + ((lo - 1) * k) / 400))
    return min
  }
  let lo = 0.1
  let hi = 100
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (best(mid) > alpha) lo = mid
    else hi = mid
  }
  return A * Math.sqrt((Math.log(1 + Math.log(t / tMin)) + hi) / t)
}

interface Row {
  q: number
  share: number
  relative: boolean
  before: number[]
  afterMain: number[]
  after: number[]
  afterRank: number[]
  band: number[]
  /** One end alone (the upper, as a promotion reads it) over the fixed-n one-sided reach. */
  oneEnd: number[]
  nc?: number
}

function rankInterval(s: QuantileSketch, q: number, z: number): { low: number; high: number } {
  const n = s.count
  const r = z * Math.sqrt(n * q * (1 - q))
  return {
    low: s.rangeAtRank(Math.max(1, Math.floor(n * q - r))).low,
    high: s.rangeAtRank(Math.min(n, Math.ceil(n * q + r) + 1)).high
  }
}

function widths(alpha: number): Row[] {
  const z = normalQuantile(1 - alpha / 2)
  const rows: Row[] = []
  for (const q of [0.5, 0.95, 0.99]) {
    for (const share of [0.5, 0.25, 0.05, 0.01]) {
      const Q = Math.exp(SIGMA * normalQuantile(q))
      const density = Math.exp(-0.5 * normalQuantile(q) ** 2) / Math.sqrt(2 * Math.PI) / (SIGMA * Q)
      const v = (n: number) => (q * (1 - q)) / (n * density * density)
      // The expected decision time: where the fixed-n relative half-width is HALF_WIDTH, i.e.
      // z sqrt(v(n_c) + v(n_c (1 - share) / share)) / Q = HALF_WIDTH, unless --canary is given.
      const perCanary = ((q * (1 - q)) / (density * density * Q * Q)) * (1 + share / (1 - share))
      const nc = CANARY || Math.round((z * z * perCanary) / (HALF_WIDTH * HALF_WIDTH))
      const nb = Math.round((nc * (1 - share)) / share)
      const oracle = 2 * z * Math.sqrt(v(nb) + v(nc))
      const bandB = lilRadius(nb, alpha / 2)
      const bandC = lilRadius(nc, alpha / 2)
      const row = (relative: boolean): Row => ({
        q,
        share,
        relative,
        before: [],
        afterMain: [],
        after: [],
        afterRank: [],
        band: [],
        oneEnd: []
      })
      const rel = row(true)
      const abs = row(false)
      const rand = mulberry32(Math.round(q * 1000) * 100 + share * 100)
      for (let rep = 0; rep < REPLICATES; rep++) {
        // The same data in a sketch at this accuracy and in one at main's 1%.
        const b = new QuantileSketch(ACCURACY)
        const c = new QuantileSketch(ACCURACY)
        const b1 = new QuantileSketch(MAIN_ACCURACY)
        const c1 = new QuantileSketch(MAIN_ACCURACY)
        for (let i = 0; i < nb; i++) {
          const v = Math.exp(SIGMA * normal(rand))
          b.add(v)
          b1.add(v)
        }
        for (let i = 0; i < nc; i++) {
          const v = Math.exp(SIGMA * normal(rand))
          c.add(v)
          c1.add(v)
        }
        const rb = rankInterval(b, q, z)
        const rc = rankInterval(c, q, z)
        const qb = b.valueAtRank(Math.ceil(nb * q))
        const qc = c.valueAtRank(Math.ceil(nc * q))
        const seB = (rb.high - rb.low) / (2 * z)
        const seC = (rc.high - rc.low) / (2 * z)
        // Beyond the data (q + eps > 1), the band does not bound the quantile at all.
        const band = (s: QuantileSketch, eps: number) => ({
          low: q - eps > 0 ? s.rangeAtRank(Math.floor(s.count * (q - eps))).low : -Infinity,
          high: q + eps < 1 ? s.rangeAtRank(Math.ceil(s.count * (q + eps)) + 1).high : Infinity
        })
        const bb = band(b, bandB)
        const bc = band(c, bandC)
        for (const row of [rel, abs]) {
          const tStar = { baseline: nb, canary: nc }
          const after = quantileDifferenceCS(b, c, q, alpha, { relative: row.relative, tStar })
          const before = legacyQuantileDifferenceCS(b1, c1, q, alpha, {
            relative: row.relative,
            tStar
          })
          const afterMain = quantileDifferenceCS(b1, c1, q, alpha, {
            relative: row.relative,
            tStar
          })
          const fixed = row.relative ? oracle / Q : oracle
          const rankFixed = row.relative
            ? 2 * z * (qc / qb) * Math.sqrt((seC / qc) ** 2 + (seB / qb) ** 2)
            : 2 * z * Math.sqrt(seB * seB + seC * seC)
          const bandWidth = row.relative
            ? bc.high / bb.low - bc.low / bb.high
            : bc.high - bc.low + bb.high - bb.low
          row.after.push((after.upper - after.lower) / fixed)
          row.before.push((before.upper - before.lower) / fixed)
          row.afterMain.push((afterMain.upper - afterMain.lower) / fixed)
          row.afterRank.push((after.upper - after.lower) / rankFixed)
          row.band.push(bandWidth / fixed)
          // The fixed-n one-sided reach: z_(1 - alpha) standard errors (fixed / 2z is one).
          const up = quantileDifferenceCS(b, c, q, alpha, {
            relative: row.relative,
            tStar,
            side: 'upper'
          })
          const oneSidedReach = (normalQuantile(1 - alpha) * fixed) / (2 * z)
          row.oneEnd.push((up.upper - up.estimate) / oneSidedReach)
        }
      }
      rel.nc = abs.nc = nc
      rows.push(rel, abs)
    }
  }
  return rows
}

/** Median ms to add `values` to a fresh sketch, interleaving the four cases, `rounds` times. */
function addCost(rounds = 7): void {
  const n = 200_000
  const narrow = Array.from({ length: n }, (_, i) => 10 ** (1 + (2 * ((i * 7919) % n)) / n))
  const wide = Array.from({ length: n }, (_, i) => 10 ** (-12 + (24 * ((i * 7919) % n)) / n))
  const cases = {
    'main, 2 decades': () => new LegacyQuantileSketch(),
    'main, 24 decades': () => new LegacyQuantileSketch(),
    'paged, 2 decades': () => new QuantileSketch(),
    'paged, 24 decades': () => new QuantileSketch()
  }
  const times: Record<string, number[]> = {}
  for (let r = 0; r < rounds; r++) {
    for (const [name, make] of Object.entries(cases)) {
      const values = name.endsWith('24 decades') ? wide : narrow
      const sketch = make()
      const t0 = performance.now()
      for (const v of values) sketch.add(v)
      ;(times[name] ??= []).push(performance.now() - t0)
    }
  }
  const m = (name: string) => median(times[name] as number[])
  console.log(`\nAdding ${n.toLocaleString('en')} values (median of ${rounds} interleaved rounds):`)
  console.log('| store | 24 decades / 2 decades |')
  console.log('|---|---|')
  console.log(
    `| main (2048-bucket cap, collapsing) | ${(m('main, 24 decades') / m('main, 2 decades')).toFixed(2)}x |`
  )
  console.log(
    `| paged (unbounded) | ${(m('paged, 24 decades') / m('paged, 2 decades')).toFixed(2)}x |`
  )
  console.log(
    `paged / main at 2 decades: ${(m('paged, 2 decades') / m('main, 2 decades')).toFixed(2)}x`
  )
}

const f = (xs: number[]) => median(xs).toFixed(2)
const when = CANARY
  ? `canary n = ${CANARY}`
  : `at the expected decision time (fixed-n relative half-width ${HALF_WIDTH})`
for (const alpha of ALPHAS) {
  console.log(
    `\nQuantile-difference width / fixed-n width, A/A log-normal(0, ${SIGMA}), ${when}, alpha = ${alpha}, median of ${REPLICATES}`
  )
  console.log(
    `| quantile | canary | n canary | scale | before: main, 1% sketch | joint, 1% sketch | after: joint, ${ACCURACY * 100}% sketch | after / rank | band | one end, one-sided |`
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const r of widths(alpha)) {
    console.log(
      `| p${Math.round(r.q * 100)} | ${Math.round(r.share * 100)}% | ${r.nc} | ${r.relative ? 'relative' : 'absolute'} | ${f(r.before)} | ${f(r.afterMain)} | **${f(r.after)}** | ${f(r.afterRank)} | ${f(r.band)} | **${f(r.oneEnd)}** |`
    )
  }
}
console.log(
  'Columns but "after / rank": width / the oracle fixed-n interval; "after / rank": width / the order-statistic fixed-n interval on the same sketch; band: a whole-distribution band, intervals subtracted; one end: the upper end of the one-sided region (side: upper, what a promotion reads) from the estimate, over the oracle one-sided reach z_(1 - alpha) se.'
)
addCost()
