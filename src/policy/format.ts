import type { MetricSpec } from './types.js'

/**
 * Formatting of a metric's values and changes in its own unit, shared by the checks, the decision
 * reasons and the reports (it sits with the policy, below all of them). Pure; English, thousands
 * with commas.
 */

/** What a formatter needs to know of a metric. */
export type MetricUnitOf = Pick<MetricSpec, 'from' | 'kind'>

export const int = (n: number): string => Math.round(n).toLocaleString('en-US')

export function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${String(m % 60).padStart(2, '0')}m`
  return `${Math.round(h / 24)}d`
}

/** "roughly 3 h": a projection is an order of magnitude, not a promise. */
export function roughDuration(seconds: number): string {
  if (seconds < 90) return 'about a minute'
  if (seconds < 5400) return `roughly ${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `roughly ${Math.round(seconds / 3600)} h`
  return `roughly ${Math.round(seconds / 86400)} days`
}

/** About 2 significant figures for a sample projection: "about 2,400". */
export function roughCount(n: number): string {
  if (n < 100) return int(n)
  const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1)
  return int(Math.ceil(n / magnitude) * magnitude)
}

type Unit = 'ms' | 'usd' | 'share' | 'tokens' | 'plain'

function unitOf(m: MetricUnitOf): Unit {
  if (m.kind === 'rate') return 'share'
  if (m.kind !== 'ratio' && /(^|_)ms$|latency|ttft|duration/.test(m.from)) return 'ms'
  if (/^cost/.test(m.from)) return 'usd'
  if (/tokens$/.test(m.from) && m.kind !== 'ratio') return 'tokens'
  return 'plain'
}

function sig(v: number, digits = 3): string {
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 1000) return int(v)
  return Number(v.toPrecision(digits)).toString()
}

/** A level of the metric (a baseline or canary value) in its own unit. */
export function value(m: MetricUnitOf, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a'
  switch (unitOf(m)) {
    case 'ms':
      return v >= 1000 ? `${sig(v / 1000)} s` : `${sig(v)} ms`
    case 'usd':
      return `$${sig(v)}`
    case 'share':
      return `${sig(v * 100)}%`
    case 'tokens':
      return `${sig(v)} tok`
    default:
      return sig(v)
  }
}

/** A change: relative as a signed percent, absolute in the unit (points for rates). */
export function change(m: MetricUnitOf, v: number, relative: boolean): string {
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞'
  const sign = v > 0 ? '+' : v < 0 ? '−' : '±'
  const a = Math.abs(v)
  if (relative) return `${sign}${sig(a * 100, 2)}%`
  if (unitOf(m) === 'share') return `${sign}${sig(a * 100, 2)}pp`
  return `${sign}${value(m, a)}`
}

/** What the interval formatters need of a metric result. */
export interface MetricChange extends MetricUnitOf {
  delta: { estimate: number; lower: number; upper: number; relative: boolean }
  tolerance: number
}

/** "+12% (+4.1% to +20%)" */
export function deltaWithInterval(m: MetricChange): string {
  const d = m.delta
  if (!Number.isFinite(d.estimate)) return 'n/a'
  return `${change(m, d.estimate, d.relative)} (${change(m, d.lower, d.relative)} to ${change(m, d.upper, d.relative)})`
}

export function toleranceText(m: MetricChange): string {
  return change(m, m.tolerance, m.delta.relative)
}

/**
 * How a change is shown as a number on a chart axis, as the tables write it: relative changes
 * and rates in points (×100, `%` or `pp`), other absolute changes in the metric's unit.
 */
export function changeScale(m: MetricUnitOf, relative: boolean): { scale: number; unit: string } {
  if (relative) return { scale: 100, unit: '%' }
  switch (unitOf(m)) {
    case 'share':
      return { scale: 100, unit: 'pp' }
    case 'ms':
      return { scale: 1, unit: 'ms' }
    case 'usd':
      return { scale: 1, unit: 'USD' }
    case 'tokens':
      return { scale: 1, unit: 'tokens' }
    default:
      return { scale: 1, unit: '' }
  }
}
