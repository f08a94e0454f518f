import type { Policy } from '../policy/types.js'
import { DEFAULT_MAX_AGE_MS, TOTAL_SEGMENT, type Evidence } from '../sketch/evidence.js'
import { sampleRatioTest } from '../stats/sampleRatio.js'
import { duration, int } from '../policy/format.js'
import { didYouMeanFields, suggestFields } from '../policy/suggest.js'
import type { ArmSummary, Check } from './types.js'

type Arms = { baseline: ArmSummary; canary: ArmSummary }

/**
 * Checks on the evidence before any comparison is trusted (DESIGN.md, principle 3: missing,
 * partial or malformed data never promotes). A `block` holds the rollout.
 */
export function evidenceChecks(
  policy: Policy,
  evidence: Evidence,
  arms: Arms,
  canaryWeight: number,
  replay: boolean
): Check[] {
  return [
    armsCheck(policy, evidence, arms),
    sampleSizeCheck(policy, arms, evidence.unitLevel),
    trafficSplitCheck(policy, evidence, arms, canaryWeight),
    freshnessCheck(evidence),
    dataQualityCheck(policy, evidence, replay)
  ]
}

function armsCheck(policy: Policy, evidence: Evidence, arms: Arms): Check {
  const missing = (['baseline', 'canary'] as const).filter(a => arms[a].requests === 0)
  if (missing.length === 0) return { name: 'arms', status: 'ok', detail: 'both arms have traffic' }
  const seen = Object.entries(evidence.quality.unmatchedArms)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([v, n]) => `"${v}" (${n})`)
  const labels = missing.map(a => `${a} [${policy.arms[a].map(v => `"${v}"`).join(', ')}]`)
  const hint =
    seen.length > 0
      ? `; field "${policy.arms.field}" holds other values: ${seen.join(', ')}. Check arms.${missing[0]} in the policy`
      : evidence.quality.records === 0
        ? '; no record at all is in the window'
        : ''
  return {
    name: 'arms',
    status: 'block',
    detail: `no records in the window for ${labels.join(' and ')}${hint}`
  }
}

/** The minimum sample per arm, in units when records carry one (they are what a verdict counts). */
function sampleSizeCheck(policy: Policy, arms: Arms, unitLevel: boolean): Check {
  const min = policy.rollout.minSamples
  const by = unitLevel ? 'units' : 'requests'
  const detail = `baseline ${int(arms.baseline[by])}, canary ${int(arms.canary[by])} ${by} (minimum ${int(min)} per arm)`
  const ok = arms.baseline[by] >= min && arms.canary[by] >= min
  return { name: 'sample-size', status: ok ? 'ok' : 'block', detail }
}

/**
 * Sequential sample-ratio test (Lindon & Malek 2022) against the step's expected split, counted in
 * units when records carry one, since assignment is per unit.
 *
 * Aggregated sources (Prometheus) count requests only. With arms assigned per request
 * (`arms.assignment: request`), those are the test's trials. With arms assigned per user, the
 * requests of one user all land in its arm, so the request counts are overdispersed: the test runs
 * on counts divided by the design effect of the request counts (Cochran, Sampling Techniques,
 * 1977, Section 9A on cluster sampling: an effective sample size n / deff), the larger of the
 * declared `arms.designEffect` and the overdispersion of the canary's share across time buckets
 * (splitDispersion). Without a declared one, the buckets only bound it from below (users who
 * return across the whole window are invisible to them), so a mismatch only warns.
 */
function trafficSplitCheck(
  policy: Policy,
  evidence: Evidence,
  arms: Arms,
  canaryWeight: number
): Check {
  const name = 'traffic-split'
  const by = evidence.unitLevel ? 'units' : 'requests'
  const raw = { baseline: arms.baseline[by], canary: arms.canary[by] }
  if (canaryWeight >= 100 || raw.baseline + raw.canary === 0) {
    return { name, status: 'ok', detail: 'not tested: no split to compare' }
  }
  const clustered = evidence.aggregated === true && policy.arms.assignment !== 'request'
  const declared = policy.arms.designEffect
  const deff = clustered ? Math.max(declared ?? 1, splitDispersion(evidence)) : 1
  const counts = { baseline: raw.baseline / deff, canary: raw.canary / deff }
  const srt = sampleRatioTest(counts, canaryWeight / 100, policy.trafficSplit.alpha)
  const widened =
    deff > 1
      ? `, counts divided by the design effect ${deff.toFixed(1)} of requests assigned per user`
      : ''
  const observed = `canary ${pct(srt.observedShare)} of ${by} (${int(raw.canary)} of ${int(raw.baseline + raw.canary)}), expected ${pct(srt.expectedShare)}${widened}`
  if (!srt.mismatch) return { name, status: 'ok', detail: observed }
  if (clustered && declared === undefined) {
    return {
      name,
      status: 'warn',
      detail: `the canary's share of requests is off (${observed}, anytime p = ${srt.pValue.toExponential(1)}), but the arms are assigned per user and this source keeps no users, so requests are not independent trials; declare arms.designEffect for this to block`
    }
  }
  return {
    name,
    status: 'block',
    detail: `sample ratio mismatch: ${observed}, anytime p = ${srt.pValue.toExponential(1)}; the arms are not the split the step assigns, so the comparison may be biased`
  }
}

/**
 * Overdispersion of the canary's share of requests across time buckets: Pearson's statistic
 * sum (c_b - p n_b)^2 / (n_b p (1 - p)) over its degrees of freedom (the quasi-binomial dispersion,
 * McCullagh & Nelder, Generalized Linear Models, 2nd ed., 1989, Section 4.5), with p the observed
 * share, so that a split that is off shows as a mismatch, not as dispersion. Computed on blocks
 * of 1, 2, 4, ... consecutive buckets while at least 8 blocks remain, and the largest taken (users
 * whose requests span a few buckets show at the larger blocks); at least 1.
 */
function splitDispersion(evidence: Evidence): number {
  const counts = new Map<number, { canary: number; total: number }>()
  for (const c of evidence.cells) {
    if (c.segment !== TOTAL_SEGMENT) continue
    const at = counts.get(c.bucket) ?? { canary: 0, total: 0 }
    at.total += c.requests
    if (c.arm === 'canary') at.canary += c.requests
    counts.set(c.bucket, at)
  }
  const buckets = [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v)
    .filter(v => v.total > 0)
  const all = buckets.reduce((a, v) => a + v.total, 0)
  const share = all > 0 ? buckets.reduce((a, v) => a + v.canary, 0) / all : 0
  if (!(share > 0 && share < 1)) return 1
  let best = 1
  for (let k = 1; buckets.length / k >= 8; k *= 2) {
    let chi2 = 0
    let blocks = 0
    for (let j = 0; j + k <= buckets.length; j += k) {
      let c = 0
      let n = 0
      for (const v of buckets.slice(j, j + k)) {
        c += v.canary
        n += v.total
      }
      chi2 += (c - share * n) ** 2 / (n * share * (1 - share))
      blocks++
    }
    best = Math.max(best, chi2 / (blocks - 1))
  }
  return best
}

/**
 * Stale data never promotes (DESIGN.md, principle 3): when an arm's newest evidence is much older
 * than the evaluation time, the logs stopped arriving (or --now is well past their end), and the
 * bake time counted since then says nothing about the system now.
 */
function freshnessCheck(evidence: Evidence): Check {
  const name = 'freshness'
  // Logs arrive late and unevenly: allow three buckets, 15 minutes, or a fifth of the window.
  const window = evidence.window.to - evidence.window.from
  const allowed = Math.max(3 * evidence.bucketMs, 15 * 60_000, window / 5)
  const stale: string[] = []
  for (const arm of ['baseline', 'canary'] as const) {
    const buckets = evidence.cells.filter(c => c.arm === arm && c.requests > 0).map(c => c.bucket)
    if (buckets.length === 0) continue
    const newest = Math.max(...buckets) + evidence.bucketMs
    const age = evidence.window.to - newest
    if (age > allowed) {
      stale.push(
        `${arm}'s newest records are from before ${new Date(newest).toISOString()}, ${duration(age)} before the evaluation time`
      )
    }
  }
  return stale.length > 0
    ? { name, status: 'block', detail: `${stale.join('; ')}: stale evidence never promotes` }
    : { name, status: 'ok', detail: 'both arms have recent records' }
}

function dataQualityCheck(policy: Policy, evidence: Evidence, replay: boolean): Check {
  const q = evidence.quality
  const max = policy.dataQuality.maxMalformed
  const problems: string[] = []
  const warnings: string[] = []
  const malformedShare = q.lines > 0 ? q.malformed / q.lines : 0
  if (malformedShare > max) {
    problems.push(
      `${int(q.malformed)} of ${int(q.lines)} lines malformed (${pct(malformedShare)} > ${pct(max)})${malformedReasons(policy, q)}`
    )
  } else if (q.malformed > 0) {
    warnings.push(
      `${int(q.malformed)} of ${int(q.lines)} lines malformed${malformedReasons(policy, q)}`
    )
  }
  for (const [key, count] of Object.entries(q.invalidValues)) {
    const share = q.records > 0 ? count / q.records : 1
    const [field, why] = key.split(/: (.*)/s)
    const text = `${int(count)} invalid ${field} values${why ? ` (${why})` : ''}`
    if (share > max) problems.push(`${text} (${pct(share)} of records > ${pct(max)})`)
    else warnings.push(text)
  }
  const notes: string[] = []
  if (q.future > 0 && replay) {
    // --now replays the log as of that instant: later records are expected, and ignored.
    notes.push(`${int(q.future)} records after the evaluation time ignored`)
  } else if (q.future > 0) {
    const text = `${int(q.future)} records are timestamped after the evaluation time (clock skew between the log writer and this machine?)`
    if (q.lines > 0 && q.future / q.lines > max) problems.push(text)
    else warnings.push(text)
  }
  for (const f of q.files) {
    if (!f.problem) continue
    // Evidence read in part never promotes (DESIGN.md principle 3): the rest may hold the harm.
    if (f.incomplete) problems.push(`${f.path} was not read to its end: ${f.problem}`)
    else warnings.push(`${f.path}: ${f.problem}`)
  }
  // In a replay (--now) records after the evaluation time are the rest of the log, not a clock.
  const far = (q.farOutside ?? 0) + (replay ? 0 : (q.farFuture ?? 0))
  if (far > 0) {
    const maxAge = duration(policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS)
    const where = [
      ...(q.farOutside ? [`more than ${maxAge} before the window`] : []),
      ...(!replay && q.farFuture ? [`more than ${maxAge} after the evaluation time`] : [])
    ].join(' or ')
    problems.push(
      `${int(far)} records are dated ${where} (${(q.farOutsideSamples ?? []).join('; ')}): a log writer's clock is wrong (or epoch seconds were read as milliseconds). They are left out, never the step's clock; fix or remove them, or raise dataQuality.maxAge if the files hold older history on purpose`
    )
  }
  problems.push(...(q.problems ?? []))
  warnings.push(...(q.warnings ?? []))
  notes.push(...(q.notes ?? []))
  if (problems.length > 0) {
    return { name: 'data-quality', status: 'block', detail: [...problems, ...warnings].join('; ') }
  }
  if (warnings.length > 0) {
    return { name: 'data-quality', status: 'warn', detail: [...warnings, ...notes].join('; ') }
  }
  const clean = `${int(q.lines)} lines, none malformed`
  return { name: 'data-quality', status: 'ok', detail: [clean, ...notes].join('; ') }
}

const TOP_REASONS = 3

/**
 * `: no arm field "variant" (60,000 lines, first at traffic/a.jsonl:1; field "arm" holds the arm
 * labels: set arms.field to it)`: the most frequent reasons, with what the data has instead.
 */
export function malformedReasons(policy: Policy, q: Evidence['quality']): string {
  const reasons = Object.entries(q.malformedReasons ?? {})
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, TOP_REASONS)
  if (reasons.length === 0) return ''
  const parts = reasons.map(([reason, { count, first }]) => {
    const hint = reasonHint(policy, q, reason)
    return `${reason} (${int(count)} ${count === 1 ? 'line' : 'lines'}, first at ${first}${hint ? `; ${hint}` : ''})`
  })
  const more = Object.keys(q.malformedReasons ?? {}).length - reasons.length
  return `: ${parts.join('; ')}${more > 0 ? `; and ${more} more reason${more === 1 ? '' : 's'}` : ''}`
}

/** What the rows have instead of a missing arm field or timestamp. */
function reasonHint(policy: Policy, q: Evidence['quality'], reason: string): string {
  const fields = q.fields
  if (!fields) return ''
  if (reason.startsWith('no arm field')) {
    const holders = fields.armLabelFields ?? []
    if (holders.length > 0) {
      return `${quoteList(holders)} ${holders.length === 1 ? 'holds' : 'hold'} the arm labels: set arms.field to ${holders.length === 1 ? 'it' : 'one of them'}`
    }
    const similar = didYouMeanFields(suggestFields(policy.arms.field, fields.paths))
    return similar ? `${similar} (arms.field in the policy)` : ''
  }
  if (reason.startsWith('no timestamp')) {
    // Those named like a start time first (startTime before endTime).
    const times = fields.timeFields ?? []
    const named = suggestFields('ts', times.length > 0 ? times : fields.paths, {
      aliases: TIME_NAMES,
      max: 10
    })
    const holders = [...named, ...times.filter(t => !named.includes(t))]
    if (holders.length === 0) return ''
    return `${quoteList(holders)} ${holders.length === 1 ? 'holds a time' : 'hold times'}: write the request's start time as ts (or timestamp, start_time)`
  }
  return ''
}

const TIME_NAMES = ['timestamp', 'start_time', 'time', 'created_at']

const quoteList = (names: string[]): string =>
  names.length === 1 ? `field "${names[0]}"` : `fields ${names.map(n => `"${n}"`).join(', ')}`

const pct = (x: number): string => {
  const v = x * 100
  const digits = v !== 0 && Math.abs(v) < 1 ? 2 : 1
  return `${v.toFixed(digits)}%`
}
