/**
 * Sampling: which texts the judge sees, in which order, and how large a sample a look keeps.
 *
 * The source keeps a seeded bottom-k sample of texts per arm (src/sources/textSample.ts), in
 * priority order; the judge takes items in that order, so the judged items are a uniformly random
 * subset of the sample, and a larger sample begins with the smaller one (the first k of a
 * bottom-K sample are its bottom-k). No fixed cap per step: a look keeps at least `sample` texts
 * per arm, and more when the judge has already judged more at this step (its cache) or the
 * look's budget can pay for more, up to what the cache can remember.
 */
import type { JudgeCacheState } from '../decide/types.js'
import type { JudgeSpec } from '../policy/types.js'
import type { Arm } from '../records/record.js'
import type { TextSample } from '../sketch/evidence.js'

/** One pairwise comparison: the canary and baseline answers to the same input. */
export interface Pair {
  canary: TextSample
  baseline: TextSample
}

/** The most texts per arm a look keeps, whatever the budget (memory). */
export const MAX_SAMPLE = 20_000

/**
 * Texts per arm the source keeps at this look: at least `sample`; enough for what this step has
 * judged so far (the cache) plus what this look's budget can pay for; at most what the cache can
 * remember besides this look's new judgements.
 */
export function judgeSampleSize(spec: JudgeSpec, cache: JudgeCacheState | undefined): number {
  const perItem = 2 // pairwise: two orders a pair; pointwise: one output of each arm
  const affordable = Math.ceil(spec.budget.calls / perItem)
  const cached = Array.isArray(cache?.entries) ? cache.entries.length : 0
  const wanted = Math.max(spec.sample, cached + affordable)
  return Math.min(wanted, spec.cacheSize + affordable, MAX_SAMPLE)
}

/**
 * The pairs to compare, in sample order (each kind in its own order, interleaved). A record carrying `shadow_output` (shadow traffic) is a
 * pair on its own: its `output` is its arm's answer and `shadowOutput` the other arm's answer to
 * the same input, so the two texts share the record's id and unit. The other texts pair a canary
 * and a baseline answer whose inputs have the same hash, leaving out inputs a shadow pair already
 * covers (an input is compared once).
 */
export function pairsOf(texts: readonly TextSample[]): Pair[] {
  const shadow: Record<Arm, Pair[]> = { baseline: [], canary: [] }
  const shadowed = new Set<string>()
  for (const t of texts) {
    if (t.shadowOutput === undefined) continue
    const { shadowOutput, ...served } = t
    const other: TextSample = {
      ...served,
      arm: t.arm === 'canary' ? 'baseline' : 'canary',
      output: shadowOutput
    }
    delete other.model // the record's model served its own arm, not the shadow
    shadow[t.arm].push(
      t.arm === 'canary' ? { canary: served, baseline: other } : { canary: other, baseline: served }
    )
    shadowed.add(t.inputHash)
  }
  const baselineByInput = new Map<string, TextSample>()
  for (const t of texts) {
    if (t.arm === 'baseline' && t.shadowOutput === undefined) baselineByInput.set(t.inputHash, t)
  }
  const matched: Pair[] = []
  for (const t of texts) {
    if (t.arm !== 'canary' || t.shadowOutput !== undefined || shadowed.has(t.inputHash)) continue
    const b = baselineByInput.get(t.inputHash)
    if (b) matched.push({ canary: t, baseline: b })
  }
  return interleave([shadow.baseline, shadow.canary, matched])
}

/**
 * Lists in priority order merged by taking one of each in turn, so the first pairs judged come
 * from every kind (shadow pairs of either arm's records, matched inputs) alike.
 */
function interleave<T>(lists: readonly T[][]): T[] {
  const out: T[] = []
  for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) {
    for (const l of lists) {
      const x = l[i]
      if (x !== undefined) out.push(x)
    }
  }
  return out
}

/** The median of some lengths (0 when there are none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
