/**
 * Control items: judgements whose right answer is known, mixed into the judge's batches to test
 * that it reads content (judge/health.ts). An answer against itself must tie; an answer against a
 * degraded copy of itself must win. The copies keep the answer's length exactly (its facts
 * swapped around, or the words of each sentence reversed), so only reading the content tells them
 * apart: a truncated copy would be shorter, and a judge that only ever prefers the longer answer
 * would pass it. A judge that answers "A", "tie" or grade 3 whatever it is shown, or that reads
 * only the length, fails them.
 */

/** Answers shorter than this many words are not degraded (too little to shuffle). */
export const MIN_CONTROL_WORDS = 12

export type Degradation = 'shuffled' | 'scrambled'

const words = (text: string): number => [...text.matchAll(/\S+/g)].length

/**
 * The words of each sentence in reverse order, its final punctuation kept at its end, separators
 * in place: the same characters, the same length, no longer saying anything (and no sentence of
 * the answer survives, as it could if the words were only rotated). Undefined when the answer is
 * too short.
 */
export function scramble(text: string): string | undefined {
  if (words(text) < MIN_CONTROL_WORDS) return undefined
  const out = text
    .split(/(?<=[.!?])(\s+)/)
    .map(part => {
      const tokens = part.split(/(\s+)/)
      const ws = tokens.filter((_, i) => i % 2 === 0)
      if (ws.filter(w => w !== '').length < 3) return part
      const last = ws.length - 1
      const end = /[.!?]+$/.exec(ws[last] ?? '')?.[0] ?? ''
      const bare = [
        ...ws.slice(0, last),
        (ws[last] ?? '').slice(0, (ws[last] ?? '').length - end.length)
      ]
      const reversed = bare.reverse()
      reversed[last] = `${reversed[last] ?? ''}${end}`
      return tokens.map((t, i) => (i % 2 === 0 ? (reversed[i / 2] as string) : t)).join('')
    })
    .join('')
  return out === text ? undefined : out
}

const NUMBER = /\d+(?:[.,]\d+)*/g
/** A capitalised word that does not start a sentence: a name, a product, a place. */
const NAME = /(?<![.!?:]\s+|^)\b[A-Z][a-zA-Z]{2,}\b/g

/**
 * The answer with its facts swapped among themselves, each for another of the same length (so
 * the copy is exactly as long): in the largest group of distinct numbers of one length (the
 * longer numbers on a tie), each is replaced by the next (a cyclic shift, so every one of them
 * changes); without such a group, the same with its names (capitalised words inside sentences).
 * One group only: shifting two groups that appear in step (keys and their values, "Value 1 is 45.
 * Value 2 is 67.") would move each value along with its key and leave every statement true.
 * Undefined when no group has two distinct facts, or the answer is too short.
 */
export function shuffleFacts(text: string): string | undefined {
  if (words(text) < MIN_CONTROL_WORDS) return undefined
  for (const pattern of [NUMBER, NAME]) {
    const byLength = new Map<number, string[]>()
    for (const m of text.matchAll(pattern)) {
      const group = byLength.get(m[0].length) ?? []
      if (!group.includes(m[0])) group.push(m[0])
      byLength.set(m[0].length, group)
    }
    let chosen: { length: number; group: string[] } | undefined
    for (const [length, group] of byLength) {
      if (group.length < 2) continue
      const better =
        !chosen ||
        group.length > chosen.group.length ||
        (group.length === chosen.group.length && length > chosen.length)
      if (better) chosen = { length, group }
    }
    if (chosen) {
      const { group } = chosen
      const next = new Map(group.map((v, i) => [v, group[(i + 1) % group.length] as string]))
      return text.replace(pattern, v => next.get(v) ?? v)
    }
  }
  return undefined
}

/** The degraded copy of an answer: the wanted kind, else the other; undefined if neither applies. */
export function degrade(
  text: string,
  wanted: Degradation
): { kind: Degradation; text: string } | undefined {
  const order: Degradation[] =
    wanted === 'shuffled' ? ['shuffled', 'scrambled'] : ['scrambled', 'shuffled']
  for (const kind of order) {
    const out = kind === 'shuffled' ? shuffleFacts(text) : scramble(text)
    if (out !== undefined && out !== text) return { kind, text: out }
  }
  return undefined
}

/** The other kind, to alternate between them. */
export const otherDegradation = (d: Degradation): Degradation =>
  d === 'shuffled' ? 'scrambled' : 'shuffled'
