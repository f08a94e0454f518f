/**
 * One Langfuse observation (ObservationV2 of the public API) -> a raw row in the canonical record's
 * field names (DESIGN.md), which createNormalizer then turns into a RequestRecord exactly as it
 * does for a JSONL line. Units: Langfuse's `latency` and `timeToFirstToken` are seconds; the row
 * carries milliseconds, computed from the start, end and completion-start timestamps when present.
 */
import type { LangfuseArmSpec } from '../../policy/types.js'
import { messageClass } from '../../records/errorClass.js'
import { isObject } from './client.js'

/** The field groups of GET /api/public/v2/observations this mapping reads. */
export const OBSERVATION_FIELDS = [
  'core',
  'basic',
  'time',
  'usage',
  'model',
  'prompt',
  'metrics',
  'metadata',
  'trace_context'
]

/** Joined scores: the record field (`score`, `scores.<name>`, `feedback`) -> value, or undefined. */
export type ScoreLookup = (
  observationId: string,
  traceId: string | undefined,
  sessionId: string | undefined
) => ScoreValues | undefined
export type ScoreValues = Map<string, number>

export type Mapped = { raw: Record<string, unknown> } | { malformed: string }

/** Compiles the arm lookup once; `labels` are the arm values the policy lists (for tags). */
export function observationMapper(
  arm: LangfuseArmSpec,
  armField: string,
  labels: ReadonlySet<string>
): (o: Record<string, unknown>, scores: ScoreLookup) => Mapped {
  const armOf = armReader(arm, labels)
  return (o, scores) => {
    const id = o.id
    const start = o.startTime
    if (typeof id !== 'string' || typeof start !== 'string')
      return { malformed: 'no id or startTime' }
    const label = armOf(o)
    if (typeof label !== 'string') return label
    const startMs = Date.parse(start)
    const traceId = typeof o.traceId === 'string' ? o.traceId : undefined
    const raw: Record<string, unknown> = {
      ts: start,
      [armField]: label,
      user_id: o.userId ?? undefined,
      session_id: o.sessionId ?? undefined,
      latency_ms: span(startMs, o.endTime) ?? seconds(o.latency),
      ttft_ms: span(startMs, o.completionStartTime) ?? seconds(o.timeToFirstToken),
      model: o.model ?? o.providedModelName ?? undefined,
      error: o.level === 'ERROR' ? errorClassOf(o.statusMessage) : null,
      cost_usd: costOf(o.totalCost, o.costDetails),
      id,
      traceId,
      userId: o.userId,
      sessionId: o.sessionId,
      name: o.name,
      traceName: o.traceName,
      environment: o.environment,
      version: o.version,
      release: o.release,
      promptName: o.promptName,
      promptVersion: o.promptVersion,
      level: o.level,
      tags: o.tags
    }
    addUsage(raw, o.usageDetails)
    const metadata = o.metadata
    if (isObject(metadata)) {
      raw.metadata = metadata
      // Flat `metadata.<key>` too, so a segment dimension can name a metadata key.
      for (const [key, value] of Object.entries(metadata)) {
        if (typeof value !== 'object' || value === null) raw[`metadata.${key}`] = value
      }
    }
    const joined = scores(id, traceId, typeof o.sessionId === 'string' ? o.sessionId : undefined)
    if (joined) {
      for (const [field, value] of joined) {
        if (field.startsWith('scores.')) {
          ;((raw.scores ??= {}) as Record<string, number>)[field.slice(7)] = value
        } else raw[field] = value
      }
    }
    return { raw }
  }
}

/** The arm label of an observation, or why there is none. */
function armReader(
  arm: LangfuseArmSpec,
  labels: ReadonlySet<string>
): (o: Record<string, unknown>) => string | { malformed: string } {
  const missing = (what: string) => ({ malformed: `no ${what} (the arm)` })
  switch (arm.from) {
    case 'release':
    case 'version':
    case 'promptVersion': {
      const key = arm.from
      const none = missing(key)
      return o => label(o[key]) ?? none
    }
    case 'metadata': {
      const none = missing(`metadata key "${arm.key}"`)
      return o => (isObject(o.metadata) ? label(o.metadata[arm.key]) : undefined) ?? none
    }
    case 'tag': {
      const prefix = arm.prefix
      const none = missing(prefix === undefined ? 'arm tag' : `tag starting with "${prefix}"`)
      const both = { malformed: 'tags name more than one arm value' }
      return o => {
        const tags = o.tags
        if (!Array.isArray(tags)) return none
        let found: string | undefined
        for (const tag of tags) {
          if (typeof tag !== 'string') continue
          const value =
            prefix === undefined
              ? labels.has(tag)
                ? tag
                : undefined
              : tag.startsWith(prefix)
                ? tag.slice(prefix.length)
                : undefined
          if (value === undefined || value === found) continue
          if (found !== undefined) return both
          found = value
        }
        return found ?? none
      }
    }
  }
}

function label(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

/** ms from the start to an ISO timestamp, or undefined. */
function span(startMs: number, end: unknown): number | undefined {
  if (typeof end !== 'string' || end === '') return undefined
  const ms = Date.parse(end) - startMs
  return Number.isNaN(ms) ? undefined : ms
}

function seconds(v: unknown): number | undefined {
  return typeof v === 'number' ? v * 1000 : undefined
}

/**
 * Token counts from `usageDetails`, whose keys are free-form per provider. Langfuse's convention
 * (its UI sums them so): every key containing `input` is input, every key containing `output` is
 * output; `total` is neither. So OpenAI's `input` (uncached) + `input_cached_tokens` and
 * Anthropic's `input` + `input_cache_read` + `input_cache_creation` both add up to all input,
 * cached included, as the canonical `input_tokens` counts it.
 */
function addUsage(raw: Record<string, unknown>, usage: unknown): void {
  if (!isObject(usage)) return
  let input: number | undefined
  let output: number | undefined
  let cacheRead: number | undefined
  let cacheWrite: number | undefined
  for (const [key, value] of Object.entries(usage)) {
    if (typeof value !== 'number') continue
    const k = key.toLowerCase()
    if (k.includes('input')) {
      input = (input ?? 0) + value
      if (k.includes('cache_read') || k.includes('cached')) cacheRead = (cacheRead ?? 0) + value
      else if (k.includes('cache_creation') || k.includes('cache_write'))
        cacheWrite = (cacheWrite ?? 0) + value
    } else if (k.includes('output')) output = (output ?? 0) + value
  }
  raw.input_tokens = input
  raw.output_tokens = output
  raw.cache_read_tokens = cacheRead
  raw.cache_write_tokens = cacheWrite
}

/** Billed cost: `totalCost`, else `costDetails.total`, else the sum of the cost details. */
function costOf(total: unknown, details: unknown): number | undefined {
  if (typeof total === 'number') return total
  if (!isObject(details)) return undefined
  if (typeof details.total === 'number') return details.total
  let sum: number | undefined
  for (const value of Object.values(details))
    if (typeof value === 'number') sum = (sum ?? 0) + value
  return sum
}

/**
 * An ERROR observation's class from its status message, by its leading HTTP status or keywords
 * (records/errorClass.ts): the message itself is free text (it may quote a prompt) and never
 * becomes part of the evidence.
 */
export function errorClassOf(statusMessage: unknown): string {
  return messageClass(statusMessage)
}
