/**
 * Traffic whose answers carry their own truth, for the scripted judge (test/helpers/judgeServer.ts):
 * the input asks for the four values of a case, and an answer of grade g states g - 1 of them
 * right (the others wrong), with neutral filler sentences between the facts to set its length
 * without changing its quality. Truncating an answer drops facts; shuffling its numbers breaks
 * them: a judge that reads content sees both copies as worse.
 */

/** The k-th value (1..4) of case c: what a right answer states. */
export function expectedValue(c: number, k: number): number {
  return ((c * 31 + k * 17) % 89) + 10
}

const FILLER = [
  'Please let me know if anything else would help.',
  'I have double-checked the figures against the records we keep.',
  'These numbers come from the latest report on this case.',
  'Feel free to reach out again with any follow-up question.',
  'Each value is listed in the order you asked for it.',
  'The same figures appear in the summary sent last week.'
]

/** The question about case c. */
export const question = (c: number): string => `What are the four values of case ${c}?`

/**
 * An answer about case c of grade 1..5 (grade - 1 facts right), about `chars` characters long at
 * least (filler between the facts), and an optional tag to tell two answers apart.
 */
export function answer(c: number, grade: number, chars = 0, tag = ''): string {
  const facts = [1, 2, 3, 4].map(k => {
    const v = k < grade ? expectedValue(c, k) : expectedValue(c, k) + 1
    return `Value ${k} of case ${c} is ${v}.`
  })
  const base = facts.join(' ').length + tag.length
  const filler: string[] = []
  let length = base
  for (let i = 0; length < chars; i++) {
    const f = FILLER[(c + i) % FILLER.length] as string
    filler.push(f)
    length += f.length + 1
  }
  // Filler spread between the facts, so a truncated copy loses facts, not only filler.
  const parts: string[] = []
  facts.forEach((f, i) => {
    parts.push(f)
    const share = filler.slice(
      Math.floor((i * filler.length) / 4),
      Math.floor(((i + 1) * filler.length) / 4)
    )
    parts.push(...share)
  })
  return `${tag ? `${tag} ` : ''}${parts.join(' ')}`
}

/** A seeded uniform generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
