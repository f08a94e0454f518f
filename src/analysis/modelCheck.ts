import type { Policy } from '../policy/types.js'
import { OTHER_MODELS } from '../sketch/metricSketch.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import type { Check } from './types.js'

/** A model key below this share of an arm's requests before a change counts as new after it. */
const NEW_BEFORE = 0.05

export interface ModelFinding {
  check: Check
  /** When a served model changed inside the window (the start of the first bucket after it). */
  changedAt?: number
}

/**
 * Silent model updates (issue 5, check 4). `Cell.models` counts requests per served
 * `model#fingerprint` and time bucket. In each arm, a change is a key that serves most requests in
 * every bucket from some bucket on, after serving under 5% of them in every bucket before, where
 * another key served most: a new snapshot behind an alias, or a new backend fingerprint. Evidence
 * from before it no longer describes the system, so the step restarts at the change (evaluate.ts)
 * and holds. Models a policy does not expect (`models.canary` / `models.baseline`) are named, with
 * their share, whether a gateway fallback or an alias resolving elsewhere served them.
 */
export function modelCheck(policy: Policy, evidence: Evidence): ModelFinding {
  const name = 'model'
  const cells = evidence.cells.filter(c => c.segment === TOTAL_SEGMENT)
  if (cells.length === 0) return { check: { name, status: 'ok', detail: 'no traffic yet' } }
  const failed = failedCalls(cells)
  if (cells.every(c => Object.keys(c.models).length === 0)) {
    const why = failed > 0 ? `only failed calls carry a model${failedNote(failed)}` : 'no models'
    return { check: { name, status: 'ok', detail: `not available from this source (${why})` } }
  }
  const changes: { arm: Cell['arm']; at: number; from: string; to: string }[] = []
  const unexpected: string[] = []
  const served: string[] = []
  for (const arm of ['baseline', 'canary'] as const) {
    const buckets = cells.filter(c => c.arm === arm).sort((a, b) => a.bucket - b.bucket)
    const change = changeIn(buckets)
    if (change) changes.push({ arm, ...change })
    const totals = new Map<string, number>()
    let requests = 0
    for (const cell of buckets) {
      for (const [key, n] of Object.entries(cell.models)) {
        totals.set(key, (totals.get(key) ?? 0) + n)
        requests += n
      }
    }
    const ranked = [...totals].sort((a, b) => b[1] - a[1])
    if (ranked.length > 0) {
      served.push(
        `${arm}: ${ranked
          .slice(0, 3)
          .map(([key, n]) => `${key} ${share(n, requests)}`)
          .join(', ')}`
      )
    }
    const expected = policy.models?.[arm]
    if (!expected) continue
    for (const [key, n] of ranked) {
      const model = key.split('#')[0] as string
      if (key !== OTHER_MODELS && expected.includes(model)) continue
      unexpected.push(
        `${arm} served by ${key === OTHER_MODELS ? 'other models' : model} in ${share(n, requests)} of its requests (expected ${expected.join(' or ')})`
      )
    }
  }
  if (changes.length > 0) {
    const at = Math.min(...changes.map(c => c.at))
    const text = changes
      .map(c => `${c.arm}'s served model changed from ${c.from} to ${c.to} at about ${iso(c.at)}`)
      .join('; ')
    return {
      changedAt: at,
      check: {
        name,
        status: 'block',
        detail: `${text}: evidence from before the change no longer describes the system, so the step's window restarts there`
      }
    }
  }
  const notes = failedNote(failed) + fingerprintNote(cells)
  if (unexpected.length > 0) {
    return { check: { name, status: 'warn', detail: unexpected.join('; ') + notes } }
  }
  return {
    check: { name, status: 'ok', detail: `no change in the window; ${served.join('; ')}${notes}` }
  }
}

/** Failed calls with a model key (Cell.failedModels): they served nothing, so none is counted. */
function failedCalls(cells: Cell[]): number {
  let n = 0
  for (const cell of cells) for (const count of Object.values(cell.failedModels ?? {})) n += count
  return n
}

function failedNote(failed: number): string {
  return failed > 0
    ? `; ${failed} failed calls not counted as served (a failed call carries the requested model, not the one that would have served it)`
    : ''
}

/** Without any `model#fingerprint` key, a backend change behind the same model id cannot show. */
function fingerprintNote(cells: Cell[]): string {
  const any = cells.some(c => Object.keys(c.models).some(key => key.includes('#')))
  return any ? '' : '; backend fingerprints: not available from this source'
}

/** The change in one arm's buckets (time order), if any. */
function changeIn(buckets: Cell[]): { at: number; from: string; to: string } | undefined {
  const withModels = buckets.filter(c => Object.keys(c.models).length > 0)
  const last = withModels.at(-1)
  if (!last || withModels.length < 2) return undefined
  const latest = dominant(last.models)
  if (latest === undefined || latest === OTHER_MODELS) return undefined
  let first = withModels.length - 1
  while (first > 0 && dominant((withModels[first - 1] as Cell).models) === latest) first--
  if (first === 0) return undefined
  const before = withModels.slice(0, first)
  const newBefore = before.every(c => (c.models[latest] ?? 0) < NEW_BEFORE * total(c.models))
  if (!newBefore) return undefined
  const previous = dominant((withModels[first - 1] as Cell).models)
  if (previous === undefined) return undefined
  return { at: (withModels[first] as Cell).bucket, from: previous, to: latest }
}

/** The key serving more than half the requests, if one does. */
function dominant(models: Record<string, number>): string | undefined {
  const all = total(models)
  for (const [key, n] of Object.entries(models)) if (n > all / 2) return key
  return undefined
}

const total = (models: Record<string, number>): number =>
  Object.values(models).reduce((a, b) => a + b, 0)
const share = (n: number, of: number): string => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`
const iso = (t: number): string => new Date(t).toISOString()
