/**
 * Scoring: what one judge answer is worth, in [0, 1].
 *
 * Pointwise: grade g in 1..5 is (g - 1) / 4. Pairwise: the canary's score in one order is 1 when
 * it wins, 0.5 for a tie and 0 when it loses, and a pair's score is the mean of its two orders
 * (canary first, then baseline first): 0, 0.25, 0.5, 0.75 or 1. Averaging both orders cancels a
 * position bias in expectation and keeps every order's evidence; calling a disagreement a tie
 * (the earlier rule) threw away the agreeing half, which shrinks the effect of a judge that is
 * right with probability q from about q to about q^2 when it otherwise ties.
 *
 * When the endpoint returns token log probabilities, the grade or the verdict is weighted by the
 * probabilities of its alternatives at the position where the answer states it (G-Eval: Liu et
 * al., "G-Eval: NLG Evaluation using GPT-4 with Better Human Alignment", EMNLP 2023, section 2.3:
 * score = sum_i p(s_i) s_i over the possible scores, normalised over them). AlpacaEval 2 reads its
 * pairwise preference the same way, from the probability of each verdict token.
 */
import type { TokenLogprob } from './client.js'
import { parseGrade, parseWinner } from './prompt.js'

export type Verdict = 'A' | 'B' | 'tie'

/** One answer read: the stated value, and the probability-weighted score when logprobs allowed it. */
export interface GradeReading {
  /** The stated grade as a score in [0, 1]. */
  stated: number
  /** The score to use: probability-weighted when available, else `stated`. */
  score: number
  weighted: boolean
}

export interface VerdictReading {
  stated: Verdict
  /** P(A), P(B), P(tie) normalised over the three; absent without logprobs. */
  probabilities?: Record<Verdict, number>
}

/** The least probability mass the recognised alternatives must carry to be trusted. */
const MIN_MASS = 0.5

export function readGrade(
  content: string | null | undefined,
  logprobs?: TokenLogprob[]
): GradeReading | undefined {
  const stated = parseGrade(content)
  if (stated === undefined || content == null) return undefined
  const dist = logprobs && valueDistribution(content, 'grade', logprobs, GRADE_OF)
  if (!dist) return { stated, score: stated, weighted: false }
  let score = 0
  for (const [grade, p] of dist) score += p * ((Number(grade) - 1) / 4)
  return { stated, score, weighted: true }
}

export function readVerdict(
  content: string | null | undefined,
  logprobs?: TokenLogprob[]
): VerdictReading | undefined {
  const stated = parseWinner(content)
  if (stated === undefined || content == null) return undefined
  const dist = logprobs && valueDistribution(content, 'winner', logprobs, VERDICT_OF)
  if (!dist) return { stated }
  const p = (v: Verdict) => dist.get(v) ?? 0
  return { stated, probabilities: { A: p('A'), B: p('B'), tie: p('tie') } }
}

/** The canary's score in one order from a verdict: win 1, tie 0.5, loss 0. */
export function canaryScore(verdict: Verdict, canaryAt: 'A' | 'B'): number {
  return verdict === 'tie' ? 0.5 : verdict === canaryAt ? 1 : 0
}

/** The canary's expected score in one order under the verdict probabilities (or the stated one). */
export function canaryExpected(reading: VerdictReading, canaryAt: 'A' | 'B'): number {
  const p = reading.probabilities
  if (!p) return canaryScore(reading.stated, canaryAt)
  return (canaryAt === 'A' ? p.A : p.B) + 0.5 * p.tie
}

/** Parse the value a token alternative starts (after any `":` and quotes the token carries). */
const GRADE_OF = (token: string): string | undefined => {
  const m = /^[\s":]*([1-5])(?![0-9])/.exec(token)
  return m?.[1]
}

const VERDICT_OF = (token: string): Verdict | undefined => {
  const m = /^[\s":]*([AB]|t(?:i(?:e)?)?)(?!\w)/.exec(token)
  if (!m?.[1]) return undefined
  return m[1] === 'A' || m[1] === 'B' ? m[1] : 'tie'
}

/**
 * The distribution of a JSON value over its alternatives, from the token where the content states
 * it: the token covering the value's first character, its top alternatives read by `valueOf`,
 * probabilities summed per value and normalised over the recognised ones. Undefined when the
 * position cannot be found, the token there does not state the value, or the recognised
 * alternatives carry under half the probability (the reading would be a guess).
 */
export function valueDistribution<V extends string>(
  content: string,
  key: string,
  tokens: TokenLogprob[],
  valueOf: (token: string) => V | undefined
): Map<V, number> | undefined {
  const m = new RegExp(`"${key}"\\s*:\\s*"?`).exec(content)
  if (!m) return undefined
  const at = m.index + m[0].length
  let offset = 0
  for (const t of tokens) {
    const end = offset + t.token.length
    if (end > at) {
      // The token holding the value's first character; what it carries before the value (a `":`
      // merged into it) is skipped by valueOf in its alternatives.
      if (valueOf(t.token.slice(at - offset)) === undefined) return undefined
      return distribution(t, valueOf)
    }
    offset = end
  }
  return undefined
}

function distribution<V extends string>(
  t: TokenLogprob,
  valueOf: (token: string) => V | undefined
): Map<V, number> | undefined {
  const mass = new Map<V, number>()
  let total = 0
  for (const alt of t.top) {
    const v = valueOf(alt.token)
    if (v === undefined || !Number.isFinite(alt.logprob)) continue
    const p = Math.exp(alt.logprob)
    mass.set(v, (mass.get(v) ?? 0) + p)
    total += p
  }
  if (total < MIN_MASS) return undefined
  for (const [v, p] of mass) mass.set(v, p / total)
  return mass
}
