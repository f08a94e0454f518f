import { distance } from './dsl.js'

/**
 * Did-you-mean over field names, for a field the policy reads and the data does not have. Names
 * are compared without case, `_`, `-` and `.` (`startTime` is `start_time`), whole and by their
 * last segment (`usage.completion_tokens` is a `completion_tokens`), and a name that starts with
 * the wanted one counts as close (`latency` -> `latency_ms`).
 */
export function suggestFields(
  wanted: string,
  candidates: readonly string[],
  options: { aliases?: readonly string[]; max?: number } = {}
): string[] {
  const targets = [wanted, ...(options.aliases ?? [])].map(t => ({
    whole: key(t),
    leaf: key(leaf(t))
  }))
  const scored: { candidate: string; score: number }[] = []
  for (const candidate of candidates) {
    if (candidate === wanted) continue
    const whole = key(candidate)
    const last = key(leaf(candidate))
    let best = Infinity
    for (const t of targets) {
      if (t.whole === '') continue
      const limit = t.whole.length <= 4 ? 1 : 2
      const d = Math.min(
        distance(t.whole, whole),
        // The same leaf under another parent: a nested copy of the field (`response.usage.x`).
        t.leaf.length > 3 ? distance(t.leaf, last) + 0.5 : Infinity,
        t.whole.length >= 4 && whole.startsWith(t.whole) ? 1 : Infinity
      )
      if (d <= limit + 0.5) best = Math.min(best, d)
    }
    if (best < Infinity) scored.push({ candidate, score: best })
  }
  scored.sort(
    (a, b) =>
      a.score - b.score ||
      depth(a.candidate) - depth(b.candidate) ||
      (a.candidate < b.candidate ? -1 : 1)
  )
  return scored.slice(0, options.max ?? 3).map(s => s.candidate)
}

/** `did you mean "a" or "b"?`, or '' when there is nothing to suggest. */
export function didYouMeanFields(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return ''
  const quoted = suggestions.map(s => `"${s}"`)
  const last = quoted.pop() as string
  return `did you mean ${quoted.length > 0 ? `${quoted.join(', ')} or ${last}` : last}?`
}

const key = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '')
const leaf = (name: string): string => name.slice(name.lastIndexOf('.') + 1)
const depth = (name: string): number => name.split('.').length
