/**
 * Health: the checks a judge must pass before its metric may decide (JudgeSummary.health), and the
 * biases its judgements show. Control checks use an anytime-valid test (stats/bernoulliTest.ts),
 * since they are looked at after every batch and at every evaluation.
 */
import type { JudgeHealthCheck } from '../analysis/types.js'
import { rejects } from '../stats/bernoulliTest.js'

/** Control calls: the right answer, the wrong one, and ties (which are right for `identical`). */
export interface ControlTally {
  right: number
  wrong: number
  ties: number
}

/** Ties a judge choosing at random among A, B and tie gives an identical pair. */
export const IDENTICAL_CHANCE = 1 / 3
/** The share of decided calls a judge blind to the degradation gets right. */
export const DEGRADED_CHANCE = 1 / 2
/** Fewest pairs before the flip rate, and labelled items before kappa, count. */
const MIN_FLIP_PAIRS = 10
export const MIN_KAPPA_ITEMS = 10
/** A degraded control tied this often (of at least this many calls) shows a judge blind to it. */
const BLIND_TIES = { share: 0.9, calls: 16 }

/**
 * An answer against itself: each call must answer "tie". Passed once the share of ties is shown
 * above 1/3 (a judge choosing at random), failed once it is shown below.
 */
export function identicalCheck(t: ControlTally, alpha: number): JudgeHealthCheck {
  const n = t.right + t.wrong
  const base = {
    name: 'identical',
    right: t.right,
    wrong: t.wrong,
    threshold: IDENTICAL_CHANCE,
    alpha
  } as const
  if (rejects(t.right, n, IDENTICAL_CHANCE, 'above', alpha)) return { ...base, status: 'passed' }
  if (rejects(t.right, n, IDENTICAL_CHANCE, 'below', alpha)) return { ...base, status: 'failed' }
  return { ...base, status: 'pending' }
}

/**
 * An answer against a copy of itself with its facts shuffled or its words scrambled (the same
 * length; pairwise, each order a call), or graded
 * after the copy (pointwise): the original must win. Passed once it wins more than half the calls
 * that name a winner, with confidence; failed once it is shown to win at most half, or when the
 * judge ties nearly every such call (it cannot tell the copy from the original).
 */
export function degradedCheck(t: ControlTally, alpha: number): JudgeHealthCheck {
  const decided = t.right + t.wrong
  const base = {
    name: 'degraded',
    right: t.right,
    wrong: t.wrong,
    ties: t.ties,
    threshold: DEGRADED_CHANCE,
    alpha
  } as const
  if (rejects(t.right, decided, DEGRADED_CHANCE, 'above', alpha))
    return { ...base, status: 'passed' }
  const all = decided + t.ties
  const blind = all >= BLIND_TIES.calls && t.ties >= BLIND_TIES.share * all
  if (blind || rejects(t.right, decided, DEGRADED_CHANCE, 'below', alpha)) {
    return { ...base, status: 'failed' }
  }
  return { ...base, status: 'pending' }
}

/**
 * Pairwise: the share of pairs whose two orders got different verdicts. Failed once it is shown
 * above the policy's maximum (anytime-valid, so a noisy start does not fail a sound judge);
 * passed from 10 pairs on otherwise.
 */
export function flipCheck(
  flips: number,
  pairs: number,
  max: number,
  alpha: number
): JudgeHealthCheck {
  const base = { name: 'flip-rate', items: pairs, threshold: max, alpha } as const
  const value = pairs > 0 ? flips / pairs : undefined
  const shown = max >= 1 ? false : max <= 0 ? flips > 0 : rejects(flips, pairs, max, 'above', alpha)
  const status = shown ? 'failed' : pairs >= MIN_FLIP_PAIRS ? 'passed' : 'pending'
  return { ...base, status, ...(value !== undefined && { value }) }
}

/**
 * Agreement with the human labels (Cohen's kappa) over at least 10 labelled items: passed at or
 * above the policy's minimum, failed below. With fewer, pending while labelled items in the sample
 * are still unjudged, else unmeasured (reported, not blocking).
 */
export function kappaCheck(
  pairs: readonly (readonly [string, string])[],
  minKappa: number,
  unjudgedLabelled: number
): JudgeHealthCheck {
  const items = pairs.length
  const value = items > 0 ? cohenKappa(pairs) : undefined
  const base = {
    name: 'kappa',
    items,
    threshold: minKappa,
    ...(value !== undefined && { value })
  } as const
  if (items >= MIN_KAPPA_ITEMS && value !== undefined) {
    return { ...base, status: value >= minKappa ? 'passed' : 'failed' }
  }
  return { ...base, status: unjudgedLabelled > 0 ? 'pending' : 'unmeasured' }
}

/** The judge metric may decide: no check failed or pending. */
export const healthy = (checks: readonly JudgeHealthCheck[]): boolean =>
  checks.every(c => c.status === 'passed' || c.status === 'unmeasured')

/** z of a two-sided 99% normal interval: the bar for naming a bias in the report. */
const Z99 = 2.5758293035489004

/**
 * Pairwise position bias: per pair, the canary's stated score when shown first minus when shown
 * second; their mean with a 99% normal-approximation interval (a description, not a gate: both
 * orders are averaged, so the bias does not move the judge metric).
 */
export function positionBias(
  diffs: readonly number[]
): { estimate: number; lower: number; upper: number } | undefined {
  const n = diffs.length
  if (n < 2) return undefined
  const m = diffs.reduce((a, b) => a + b, 0) / n
  const v = diffs.reduce((a, d) => a + (d - m) ** 2, 0) / (n - 1)
  const h = Z99 * Math.sqrt(v / n)
  return { estimate: m, lower: m - h, upper: m + h }
}

/** A bias is named when its 99% interval excludes 0 and it moves scores by at least 0.05. */
export function biasSeen(estimate: number, se: number): boolean {
  return Math.abs(estimate) >= 0.05 && Math.abs(estimate) > Z99 * se
}

/**
 * Cohen's kappa for two raters over nominal categories: (po - pe) / (1 - pe), where po is the
 * observed agreement and pe the agreement expected by chance from each rater's own marginals
 * (Cohen, "A coefficient of agreement for nominal scales", 1960). 1 when both agree perfectly and
 * pe = 1 (a single category), since there is then no disagreement to explain.
 */
export function cohenKappa(pairs: readonly (readonly [string, string])[]): number {
  const n = pairs.length
  if (n === 0) return NaN
  const first = new Map<string, number>()
  const second = new Map<string, number>()
  let agree = 0
  for (const [a, b] of pairs) {
    if (a === b) agree++
    first.set(a, (first.get(a) ?? 0) + 1)
    second.set(b, (second.get(b) ?? 0) + 1)
  }
  const po = agree / n
  let pe = 0
  for (const [category, count] of first) pe += (count / n) * ((second.get(category) ?? 0) / n)
  return pe === 1 ? 1 : (po - pe) / (1 - pe)
}

/** Model id prefixes by vendor family, for the self-preference warning. */
const FAMILIES: [RegExp, string][] = [
  [/^(?:gpt|o[1-9]|chatgpt|text-davinci|davinci)/, 'openai'],
  [/^claude/, 'anthropic'],
  [/^(?:gemini|gemma|palm)/, 'google'],
  [/^(?:llama|meta-llama)/, 'meta'],
  [/^(?:mistral|mixtral|codestral|ministral|magistral)/, 'mistral'],
  [/^qwen/, 'qwen'],
  [/^deepseek/, 'deepseek'],
  [/^(?:command|c4ai)/, 'cohere'],
  [/^grok/, 'xai'],
  [/^phi/, 'microsoft']
]

/** The vendor family of a model id (`openai/gpt-4o`, `azure/gpt-4o-mini`, `claude-3-5-sonnet`). */
export function modelFamily(model: string): string | undefined {
  const id = (model.toLowerCase().split('/').pop() ?? '').trim()
  return FAMILIES.find(([re]) => re.test(id))?.[1]
}
