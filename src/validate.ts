import { malformedReasons } from './analysis/checks.js'
import { int } from './policy/format.js'
import { didYouMeanFields, suggestFields } from './policy/suggest.js'
import type { Policy } from './policy/types.js'
import { sourceFor, type LoadedPolicy } from './policyFile.js'
import { fieldSources } from './records/fields.js'
import { TOTAL_SEGMENT, type Evidence } from './sketch/evidence.js'
import { OTHER_MODELS } from './sketch/metricSketch.js'

/** One thing `validate` checked: an error makes the policy unfit for the data (exit 2). */
export interface Finding {
  level: 'ok' | 'warn' | 'error'
  /** What was checked: `lines`, `arms`, `metric p95 latency`, `segments`, `unit`, `pricing`. */
  subject: string
  message: string
}

export interface ValidationReport {
  /** No finding is an error. */
  ok: boolean
  rollout: string
  /** What the records held (absent when only the policy was checked). */
  data?: {
    source: string
    lines: number
    records: number
    baseline: number
    canary: number
    malformed: number
  }
  findings: Finding[]
}

/** The policy's own checks passed (it parsed): the report for a policy without data. */
export function policyReport(policy: Policy): ValidationReport {
  const metrics = policy.metrics.length
  return {
    ok: true,
    rollout: policy.rollout.name,
    findings: [
      {
        level: 'ok',
        subject: 'policy',
        message: `valid: rollout "${policy.rollout.name}", ${policy.rollout.steps.length} steps, ${metrics} metric${metrics === 1 ? '' : 's'}`
      }
    ]
  }
}

/** Validation reads all of time in buckets of 35 years: only counts matter, not their course. */
const ALL_TIME_BUCKET = 2 ** 40

/**
 * Reads every record of `records` (files, as the CLI's --records; default the policy's own
 * source), whatever its time, and checks that the data carries what the policy reads: a
 * timestamp and the arm field on each line, records for both arms, values for every metric's
 * fields in both arms, the segment dimensions and unit field, and prices for the models served.
 * Each problem names the field the data has instead when one looks like it. Throws what the
 * source throws when it cannot read at all (no file matches: SourceError).
 */
export async function validateData(input: {
  loaded: LoadedPolicy
  records?: string[]
}): Promise<ValidationReport> {
  const { policy } = input.loaded
  const source = await sourceFor(
    { ...input.loaded, policy: { ...policy, bucket: ALL_TIME_BUCKET } },
    input.records
  )
  const all = { from: 0, to: Number.MAX_SAFE_INTEGER }
  const evidence = await source.collect({ window: all, now: all.to })
  const arms = armTotals(evidence, policy.metrics.length)
  const q = evidence.quality
  const findings: Finding[] = [...policyReport(policy).findings]
  findings.push(linesFinding(policy, evidence))
  findings.push(armsFinding(policy, evidence, arms))
  policy.metrics.forEach((spec, i) => {
    if (spec.from === 'judge') {
      findings.push({
        level: 'ok',
        subject: `metric ${spec.name}`,
        message: 'graded by the judge (no field to check)'
      })
      return
    }
    findings.push(
      metricFinding(
        policy,
        evidence,
        spec,
        arms.baseline.values[i] ?? 0,
        arms.canary.values[i] ?? 0
      )
    )
  })
  findings.push(...dimensionFindings(policy, evidence))
  const pricing = pricingFinding(policy, evidence)
  if (pricing) findings.push(pricing)
  return {
    ok: findings.every(f => f.level !== 'error'),
    rollout: policy.rollout.name,
    data: {
      source: source.describe(),
      lines: q.lines,
      records: q.records,
      baseline: arms.baseline.requests,
      canary: arms.canary.requests,
      malformed: q.malformed
    },
    findings
  }
}

interface ArmTotal {
  requests: number
  /** Values per metric (policy order). */
  values: number[]
}

function armTotals(evidence: Evidence, metrics: number): { baseline: ArmTotal; canary: ArmTotal } {
  const total = (): ArmTotal => ({ requests: 0, values: new Array<number>(metrics).fill(0) })
  const arms = { baseline: total(), canary: total() }
  for (const cell of evidence.cells) {
    if (cell.segment !== TOTAL_SEGMENT) continue
    const arm = arms[cell.arm]
    arm.requests += cell.requests
    cell.metrics.forEach((m, i) => (arm.values[i] = (arm.values[i] ?? 0) + m.requests))
  }
  return arms
}

function linesFinding(policy: Policy, evidence: Evidence): Finding {
  const q = evidence.quality
  const subject = 'lines'
  if (q.lines === 0) {
    return { level: 'error', subject, message: `no lines could be read from ${evidence.source}` }
  }
  if (q.malformed === 0) {
    return { level: 'ok', subject, message: `${int(q.lines)} lines, none malformed` }
  }
  const share = q.malformed / q.lines
  return {
    level: share > policy.dataQuality.maxMalformed ? 'error' : 'warn',
    subject,
    message: `${int(q.malformed)} of ${int(q.lines)} lines malformed${malformedReasons(policy, q)}`
  }
}

function armsFinding(
  policy: Policy,
  evidence: Evidence,
  arms: { baseline: ArmTotal; canary: ArmTotal }
): Finding {
  const counts = `baseline ${int(arms.baseline.requests)}, canary ${int(arms.canary.requests)} records`
  const missing = (['baseline', 'canary'] as const).filter(a => arms[a].requests === 0)
  if (missing.length === 0) {
    return { level: 'ok', subject: 'arms', message: `field "${policy.arms.field}": ${counts}` }
  }
  const labels = [...policy.arms.baseline, ...policy.arms.canary]
  const others = Object.entries(evidence.quality.unmatchedArms)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([value, n]) => {
      const like = suggestFields(value, labels, { max: 1 })
      return `"${value}" (${int(n)}${like[0] ? `, did you mean "${like[0]}"?` : ''})`
    })
  const which = missing.map(a => `${a} [${policy.arms[a].map(v => `"${v}"`).join(', ')}]`)
  return {
    level: 'error',
    subject: 'arms',
    message: `no records for ${which.join(' or ')} (${counts})${others.length > 0 ? `; field "${policy.arms.field}" holds ${others.join(', ')}: check arms.${missing[0]} in the policy` : ''}`
  }
}

function metricFinding(
  policy: Policy,
  evidence: Evidence,
  spec: Policy['metrics'][number],
  baseline: number,
  canary: number
): Finding {
  const subject = `metric ${spec.name}`
  const fields = evidence.quality.fields
  const seen = new Set(fields?.paths ?? [])
  const invalid = Object.entries(evidence.quality.invalidValues).filter(([k]) =>
    [spec.from, spec.per].some(f => f !== undefined && k.startsWith(`${f}: `))
  )
  const reads = spec.per === undefined ? `"${spec.from}"` : `"${spec.from}" per "${spec.per}"`
  for (const [role, field] of [
    ['from', spec.from],
    ['per', spec.per]
  ] as const) {
    if (field === undefined) continue
    const sources = fieldSources(field)
    if (sources.always || !fields || sources.paths.some(p => seen.has(p))) continue
    const hint = didYouMeanFields(suggestFields(field, fields.paths, { aliases: sources.paths }))
    const also =
      sources.paths.length > 1 ? ` (nor ${sources.paths.filter(p => p !== field).join(', ')})` : ''
    return {
      level: spec.mode === 'report' ? 'warn' : 'error',
      subject,
      message: `reads "${field}", which no line has${also}${fields.truncated ? ' among the fields kept' : ''}${hint ? `: ${hint} fix ${spec.path}.${role}` : `: check ${spec.path}.${role}`}`
    }
  }
  const invalidText = invalid.map(([k, n]) => `${int(n)} ${k}`).join('; ')
  const records = evidence.quality.records
  if (records === 0) {
    return {
      level: 'warn',
      subject,
      message: `reads ${reads}: values not checked, since no line is a record of either arm`
    }
  }
  if (fieldSources(spec.from).always) {
    return { level: 'ok', subject, message: `reads ${reads}: every record has a value` }
  }
  if (baseline + canary === 0) {
    return {
      level: spec.mode === 'report' ? 'warn' : 'error',
      subject,
      message: `reads ${reads}: the field appears, but no record has a usable value${invalidText ? ` (${invalidText})` : ''}`
    }
  }
  const counts = `baseline ${int(baseline)}, canary ${int(canary)} values`
  const empty = (['baseline', 'canary'] as const).filter(
    a => (a === 'baseline' ? baseline : canary) === 0
  )
  if (empty.length > 0) {
    return {
      level: 'warn',
      subject,
      message: `reads ${reads}: ${counts}; no ${empty[0]} record has a value${invalidText ? ` (${invalidText})` : ''}`
    }
  }
  return {
    level: invalid.length > 0 ? 'warn' : 'ok',
    subject,
    message: `reads ${reads}: ${counts}${invalidText ? `; ${invalidText}` : ''}`
  }
}

function dimensionFindings(policy: Policy, evidence: Evidence): Finding[] {
  const fields = evidence.quality.fields
  if (!fields) return []
  const seen = new Set(fields.paths)
  const findings: Finding[] = []
  const check = (subject: string, field: string, path: string, aliases: string[] = []) => {
    if (seen.has(field)) {
      findings.push({ level: 'ok', subject, message: `field "${field}" appears` })
      return
    }
    const hint = didYouMeanFields(suggestFields(field, fields.paths, { aliases }))
    findings.push({
      level: 'warn',
      subject,
      message: `field "${field}" appears in no line${hint ? `: ${hint} fix ${path}` : `: check ${path}`}`
    })
  }
  policy.segments?.by.forEach((d, i) => check('segments', d, `segments.by[${i}]`))
  if (policy.arms.unit !== undefined) {
    check('unit', policy.arms.unit, 'arms.unit', ['user_id', 'session_id'])
  }
  return findings
}

/**
 * Every model served must have a price when a metric reads a cost computed from tokens (an
 * unpriced one shows as invalid `cost` values); a price for a model the data never names is
 * likely a misspelt model id.
 */
function pricingFinding(policy: Policy, evidence: Evidence): Finding | undefined {
  const costs = policy.metrics.some(m => fieldSources(m.from).priced)
  const priced = Object.keys(policy.pricing)
  if (!costs && priced.length === 0) return undefined
  const models = new Set<string>()
  for (const cell of evidence.cells) {
    for (const key of Object.keys(cell.models)) {
      if (key !== OTHER_MODELS) models.add(key.split('#')[0] as string)
    }
  }
  const seen = [...models].sort()
  const unpriced = Object.entries(evidence.quality.invalidValues).filter(([k]) =>
    /^cost(_uncached)?: no price for model/.test(k)
  )
  const unused = priced.filter(p => !models.has(p))
  const unusedText = unused.map(p => {
    const like = closestModel(p, seen)
    return `"${p}"${like ? ` (did you mean "${like}"?)` : ''}`
  })
  if (unpriced.length > 0) {
    return {
      level: 'error',
      subject: 'pricing',
      message: `${unpriced.map(([k, n]) => `${k.replace(/^[^:]*: /, '')} (${int(n)} records)`).join('; ')}: add them to pricing (USD per 1M tokens), or log cost_usd${unusedText.length > 0 ? `; priced but never served: ${unusedText.join(', ')}` : ''}`
    }
  }
  if (unused.length > 0 && seen.length > 0) {
    return {
      level: 'warn',
      subject: 'pricing',
      message: `priced but never served: ${unusedText.join(', ')}; models in the data: ${seen.slice(0, 10).join(', ')}`
    }
  }
  return {
    level: 'ok',
    subject: 'pricing',
    message:
      seen.length > 0
        ? `every model served has a price (${seen.slice(0, 10).join(', ')})`
        : evidence.quality.records === 0
          ? 'not checked: no record of either arm'
          : 'no record names its model'
  }
}

/**
 * The served model a priced one most likely meant: a typo away, or the longest shared prefix of
 * at least 6 characters (`gpt-4o-2024-05-13` -> `gpt-4o-2024-08-06`, another snapshot).
 */
function closestModel(priced: string, served: string[]): string | undefined {
  const typo = suggestFields(priced, served, { max: 1 })[0]
  if (typo) return typo
  let best: { model: string; shared: number } | undefined
  for (const model of served) {
    let shared = 0
    while (shared < Math.min(model.length, priced.length) && model[shared] === priced[shared])
      shared++
    if (shared >= 6 && (!best || shared > best.shared)) best = { model, shared }
  }
  return best?.model
}

/** The report as text: one line per finding, then a count. */
export function validationText(report: ValidationReport): string {
  const mark = { ok: '[ok]   ', warn: '[warn] ', error: '[error]' } as const
  const lines: string[] = []
  if (report.data) {
    const d = report.data
    lines.push(
      `${d.source}: ${int(d.lines)} lines, ${int(d.records)} records (baseline ${int(d.baseline)}, canary ${int(d.canary)}), ${int(d.malformed)} malformed`,
      ''
    )
  }
  for (const f of report.findings) lines.push(`${mark[f.level]} ${f.subject}: ${f.message}`)
  const errors = report.findings.filter(f => f.level === 'error').length
  const warnings = report.findings.filter(f => f.level === 'warn').length
  lines.push(
    '',
    errors > 0
      ? `${errors} problem${errors === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}: the policy does not fit this data.`
      : warnings > 0
        ? `No problem, ${warnings} warning${warnings === 1 ? '' : 's'}.`
        : report.data
          ? 'The policy fits the data.'
          : 'The policy is valid.'
  )
  return lines.join('\n') + '\n'
}
