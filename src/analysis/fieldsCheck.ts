import { int } from '../policy/format.js'
import { didYouMeanFields, suggestFields } from '../policy/suggest.js'
import type { MetricMode, Policy } from '../policy/types.js'
import { fieldSources } from '../records/fields.js'
import type { Evidence } from '../sketch/evidence.js'
import type { Check } from './types.js'

/** A field the policy reads that the window's records give no value for. */
export interface MissingField {
  /** Where the policy names it: `metrics[1].from`, `segments.by[0]`, `arms.unit`. */
  path: string
  field: string
  /** The metric that reads it (metric fields only), and its mode. */
  metric?: { name: string; mode: MetricMode }
  /**
   * `absent`: no row read has the field (nor an alias of it); `empty`: rows have it, but none in
   * the window with a value; `unknown`: not among the fields kept (FieldsSeen.truncated).
   */
  seen: 'absent' | 'empty' | 'unknown'
  /** Fields that do appear and look like the one meant. */
  suggestions: string[]
}

/**
 * The fields the policy reads (metrics' `from` and `per`, segment dimensions, the unit field)
 * that the evidence has no value for, with the data's own field names to suggest. Needs the
 * source's FieldsSeen (files, Langfuse); empty without it (Prometheus) or without records.
 * `valueCounts[i]`: values of policy.metrics[i] in the window, both arms.
 */
export function missingFields(
  policy: Policy,
  evidence: Evidence,
  valueCounts: readonly number[]
): MissingField[] {
  const fields = evidence.quality.fields
  if (!fields || evidence.quality.records === 0) return []
  const seen = new Set(fields.paths)
  const invalid = Object.keys(evidence.quality.invalidValues)
  const hasInvalid = (field: string) => invalid.some(k => k.startsWith(`${field}: `))
  const status = (paths: readonly string[]): MissingField['seen'] =>
    paths.some(p => seen.has(p)) ? 'empty' : fields.truncated ? 'unknown' : 'absent'
  const missing: MissingField[] = []
  policy.metrics.forEach((spec, i) => {
    if (spec.from === 'judge' || (valueCounts[i] ?? 0) > 0) return
    for (const [role, field] of [
      ['from', spec.from],
      ['per', spec.per]
    ] as const) {
      if (field === undefined || hasInvalid(field)) continue
      const sources = fieldSources(field)
      if (sources.always) continue
      const how = status(sources.paths)
      // A ratio with both fields present but never together is reported at `from` only.
      if (role === 'per' && how === 'empty') continue
      missing.push({
        path: `${spec.path}.${role}`,
        field,
        metric: { name: spec.name, mode: spec.mode },
        seen: how,
        suggestions: suggestFields(field, fields.paths, { aliases: sources.paths })
      })
    }
  })
  policy.segments?.by.forEach((dimension, i) => {
    if (seen.has(dimension)) return
    missing.push({
      path: `segments.by[${i}]`,
      field: dimension,
      seen: fields.truncated ? 'unknown' : 'absent',
      suggestions: suggestFields(dimension, fields.paths)
    })
  })
  const unit = policy.arms.unit
  if (unit !== undefined && !evidence.unitLevel && !seen.has(unit)) {
    missing.push({
      path: 'arms.unit',
      field: unit,
      seen: fields.truncated ? 'unknown' : 'absent',
      suggestions: suggestFields(unit, fields.paths, { aliases: ['user_id', 'session_id'] })
    })
  }
  return missing
}

/** One sentence per missing field: what, where in the policy, and the fields that look like it. */
export function describeMissing(m: MissingField, records: number): string {
  const who = m.metric
    ? `metric "${m.metric.name}" reads "${m.field}"`
    : m.path === 'arms.unit'
      ? `the unit field "${m.field}"`
      : `segment dimension "${m.field}"`
  const what =
    m.seen === 'absent'
      ? `, which no record has`
      : m.seen === 'empty'
        ? `: the field appears, but none of the ${int(records)} records in the window has a value for it`
        : `, which is not among the fields seen`
  const hint = didYouMeanFields(m.suggestions)
  return `${who}${what}${hint ? ` (${hint} fix ${m.path} in the policy)` : ` (check ${m.path} in the policy)`}`
}

/**
 * `fields`: blocks when a gating metric reads a field no record has (it could only ever be
 * inconclusive: a misspelt `from` would hold the rollout forever with "needs more samples"),
 * warns for report-only metrics, segment dimensions and the unit field, and for fields present
 * but without a value in the window. Undefined when the source does not say which fields it saw.
 */
export function fieldsCheck(
  policy: Policy,
  evidence: Evidence,
  valueCounts: readonly number[]
): Check | undefined {
  const fields = evidence.quality.fields
  if (!fields || evidence.quality.records === 0) return undefined
  const missing = missingFields(policy, evidence, valueCounts)
  if (missing.length === 0) {
    return {
      name: 'fields',
      status: 'ok',
      detail: `every field the policy reads appears in the data (${int(fields.paths.length)}${fields.truncated ? '+' : ''} fields seen)`
    }
  }
  const blocks = missing.some(m => m.seen === 'absent' && m.metric && m.metric.mode !== 'report')
  return {
    name: 'fields',
    status: blocks ? 'block' : 'warn',
    detail: missing.map(m => describeMissing(m, evidence.quality.records)).join('; ')
  }
}
