import type { Policy } from '../policy/types.js'
import { DEFAULT_MAX_AGE_MS, type Evidence } from '../sketch/evidence.js'
import { sampleRatioTest } from '../stats/sampleRatio.js'
import { duration, int } from '../policy/format.js'
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
    sampleSizeCheck(policy, arms),
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

function sampleSizeCheck(policy: Policy, arms: Arms): Check {
  const min = policy.rollout.minSamples
  const detail = `baseline ${int(arms.baseline.requests)}, canary ${int(arms.canary.requests)} requests (minimum ${int(min)} per arm)`
  const ok = arms.baseline.requests >= min && arms.canary.requests >= min
  return { name: 'sample-size', status: ok ? 'ok' : 'block', detail }
}

/**
 * Sequential sample-ratio test (Lindon & Malek 2022) against the step's expected split, counted in
 * units when records carry one, since assignment is per unit.
 */
function trafficSplitCheck(
  policy: Policy,
  evidence: Evidence,
  arms: Arms,
  canaryWeight: number
): Check {
  const name = 'traffic-split'
  const by = evidence.unitLevel ? 'units' : 'requests'
  const counts = { baseline: arms.baseline[by], canary: arms.canary[by] }
  if (canaryWeight >= 100 || counts.baseline + counts.canary === 0) {
    return { name, status: 'ok', detail: 'not tested: no split to compare' }
  }
  const srt = sampleRatioTest(counts, canaryWeight / 100, policy.trafficSplit.alpha)
  const observed = `canary ${pct(srt.observedShare)} of ${by} (${int(counts.canary)} of ${int(counts.baseline + counts.canary)}), expected ${pct(srt.expectedShare)}`
  return srt.mismatch
    ? {
        name,
        status: 'block',
        detail: `sample ratio mismatch: ${observed}, anytime p = ${srt.pValue.toExponential(1)}; the arms are not the split the step assigns, so the comparison may be biased`
      }
    : { name, status: 'ok', detail: observed }
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
      `${int(q.malformed)} of ${int(q.lines)} lines malformed (${pct(malformedShare)} > ${pct(max)})`
    )
  } else if (q.malformed > 0) {
    warnings.push(`${int(q.malformed)} of ${int(q.lines)} lines malformed`)
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

const pct = (x: number): string => {
  const v = x * 100
  const digits = v !== 0 && Math.abs(v) < 1 ? 2 : 1
  return `${v.toFixed(digits)}%`
}
