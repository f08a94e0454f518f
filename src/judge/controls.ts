/**
 * Control items: judgements whose right answer is known, mixed into the judge's batches to test
 * that it reads content (judge/health.ts). An answer against itself must tie; an answer against a
 * degraded copy of itself (truncated, or with its facts shuffled) must win. A judge that answers
 * "A", "tie" or grade 3 whatever it is shown fails them.
 */

/** Answers shorter than this many words are not degraded (too little to cut or shuffle). */
export const MIN_CONTROL_WORDS = 12

/** Share of the words a truncated copy keeps. */
const KEEP = 0.4

export type Degradation = 'truncated' | 'shuffled'

/**
 * The first 40% of the words, cut off mid-answer (no ellipsis, so the judge sees an answer that
 * stops); undefined when the answer is too short to degrade.
 */
export function truncate(text: string): string | undefined {
  const words = [...text.matchAll(/\S+/g)]
  if (words.length < MIN_CONTROL_WORDS) return undefined
  const last = words[Math.max(2, Math.ceil(words.length * KEEP)) - 1]
  if (!last) return undefined
  return text.slice(0, (last.index ?? 0) + last[0].length)
}

const NUMBER = /\d+(?:[.,]\d+)*/g
/** A capitalised word that does not start a sentence: a name, a product, a place. */
const NAME = /(?<![.!?:]\s+|^)\b[A-Z][a-zA-Z]{2,}\b/g

/**
 * The answer with its facts swapped among themselves: each distinct number is replaced by the
 * next distinct number of the answer (a cyclic shift, so every one changes), or, with fewer than
 * two distinct numbers, the same with its names (capitalised words inside sentences). Undefined
 * when the answer has fewer than two distinct facts of either kind, or is too short.
 */
export function shuffleFacts(text: string): string | undefined {
  if ([...text.matchAll(/\S+/g)].length < MIN_CONTROL_WORDS) return undefined
  for (const pattern of [NUMBER, NAME]) {
    const distinct = [...new Set([...text.matchAll(pattern)].map(m => m[0]))]
    if (distinct.length < 2) continue
    const next = new Map(distinct.map((v, i) => [v, distinct[(i + 1) % distinct.length] as string]))
    return text.replace(pattern, v => next.get(v) ?? v)
  }
  return undefined
}

/** The degraded copy of an answer: the wanted kind, else the other; undefined if neither applies. */
export function degrade(
  text: string,
  wanted: Degradation
): { kind: Degradation; text: string } | undefined {
  const order: Degradation[] = wanted === 'shuffled' ? ['shuffled', 'truncated'] : ['truncated']
  for (const kind of order) {
    const out = kind === 'shuffled' ? shuffleFacts(text) : truncate(text)
    if (out !== undefined && out !== text) return { kind, text: out }
  }
  return undefined
}
