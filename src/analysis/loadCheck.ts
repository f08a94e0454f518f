import type { Policy } from '../policy/types.js'
import { mergeCells, type CellTotals } from '../sketch/metricSketch.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import { bonferroni } from '../stats/alphaSpending.js'
import { ratioDifferenceCS } from '../stats/cs/ratio.js'
import type { CompareContext } from './compareMetric.js'
import type { Check } from './types.js'

/** Canary minus baseline, in points, beyond which a load symptom rolls back. */
export const LOAD_TOLERANCE = 0.01

const GUARDS = [
  { key: 'rate_limit', label: 'rate limits (429)' },
  { key: 'timeout', label: 'timeouts' },
  { key: 'fallback', label: 'fallbacks' }
] as const

/**
 * Load (issue 5, check 5): rate limits, timeouts and fallbacks only show under real load, and a
 * canary on another model or provider can hit its own quota. Their rates are compared per arm as
 * guard metrics on every rollout, whatever the policy's metrics: the absolute difference of the
 * per-request rates (Cell.errors, Cell.fallbacks: a request served by a fallback counts in the arm
 * that sent it), with the asymptotic confidence sequence with the Bernoulli variance floor
 * (Waudby-Smith et al. 2024) at (1 - confidence) split over the three (their own family, like the
 * segments). A canary worse by more than 1 point with confidence rolls back (`rollsBack`); when
 * the interval only may exceed it, the check warns.
 */
export function loadCheck(
  policy: Policy,
  evidence: Evidence,
  ctx: CompareContext,
  /** Set when errors are not observable from the source (observability.ts): the error guards are skipped. */
  errorsUnobservable = false,
  /** Each arm's total segment's cells merged, when the caller has them (analyze does). */
  merged?: { baseline: CellTotals; canary: CellTotals }
): Check {
  const name = 'load'
  const total = (arm: Cell['arm']) =>
    evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
  const b = total('baseline')
  const c = total('canary')
  const alpha = bonferroni(1 - policy.confidence, GUARDS.length)
  const failing: string[] = []
  const suspect: string[] = []
  const shown: string[] = []
  const hasFallbacks = [...b, ...c].some(cell => cell.fallbacks !== undefined)
  const bTotals = merged?.baseline ?? mergeCells(b)
  const cTotals = merged?.canary ?? mergeCells(c)
  // No data is not 0%: a source that cannot tell error classes, or a window with no traffic.
  const classes = evidence.errorClasses !== false
  if (bTotals.requests === 0 || cTotals.requests === 0) {
    return { name, status: 'ok', detail: 'not available: an arm has no traffic in the window' }
  }
  if (!classes && !hasFallbacks) {
    return {
      name,
      status: 'ok',
      detail: `not available: ${evidence.source} reports no error classes (rate limits, timeouts) or fallbacks`
    }
  }
  for (const guard of GUARDS) {
    if (guard.key === 'fallback' && !hasFallbacks) continue
    if (guard.key !== 'fallback' && (errorsUnobservable || !classes)) continue
    const count = (cells: Cell[], totals: ReturnType<typeof mergeCells>) =>
      guard.key === 'fallback'
        ? cells.reduce((s, cell) => s + (cell.fallbacks ?? 0), 0)
        : (totals.errors[guard.key] ?? 0)
    const moments = (k: number, n: number) => ({ n, sx: k, sy: n, sxx: k, syy: n, sxy: k })
    const bn = bTotals.requests
    const cn = cTotals.requests
    if (bn < ctx.minSamples || cn < ctx.minSamples) continue
    const bk = count(b, bTotals)
    const ck = count(c, cTotals)
    const d = ratioDifferenceCS(moments(bk, bn), moments(ck, cn), alpha, {
      relative: false,
      tStar: ctx.tStar.total,
      bernoulliFloor: true
    })
    const line = `${guard.label} canary ${pct(ck / cn)} vs baseline ${pct(bk / bn)} (${pts(d.lower)} to ${pts(d.upper)})`
    shown.push(line)
    if (d.lower > LOAD_TOLERANCE) failing.push(line)
    else if (d.upper > LOAD_TOLERANCE && d.estimate > LOAD_TOLERANCE) suspect.push(line)
  }
  const blind = errorsUnobservable
    ? 'rate limits and timeouts not observable from this source (see the errors check)'
    : undefined
  if (shown.length === 0) {
    return { name, status: 'ok', detail: blind ?? 'not tested yet: below the minimum sample' }
  }
  if (blind) shown.push(blind)
  if (failing.length > 0) {
    return {
      name,
      status: 'block',
      rollsBack: true,
      detail: `the canary is worse under load by more than ${pts(LOAD_TOLERANCE).slice(1)}: ${failing.join('; ')} (its own quota or provider?)`
    }
  }
  if (suspect.length > 0) {
    return { name, status: 'warn', detail: `may be worse under load: ${suspect.join('; ')}` }
  }
  return { name, status: 'ok', detail: shown.join('; ') }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`
const pts = (x: number): string =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}pp` : 'n/a'
