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

/**
 * Pointwise: the canary-minus-baseline score difference adjusted for output length, by analysis
 * of covariance (Fisher, "Statistical Methods for Research Workers", 1932, ch. 49.1): the
 * least-squares coefficient of the arm in `score = a + d * canary + b * length`. By the
 * Frisch-Waugh-Lovell theorem it is the raw difference of mean scores minus the pooled within-arm
 * slope b times the difference of mean lengths, which is what this computes. A judge that rewards
 * length (Dubois et al., "Length-Controlled AlpacaEval", 2024) moves the raw difference, not this
 * one, when both arms' scores follow the same line in length. Undefined when an arm has no item
 * or the lengths do not vary within the arms (length and arm are then not separable).
 */
export function lengthAdjustedDifference(
  items: readonly { arm: 'baseline' | 'canary'; s: number; len: number }[]
): number | undefined {
  const arms = (['baseline', 'canary'] as const).map(arm => {
    const mine = items.filter(x => x.arm === arm)
    const n = mine.length
    const x = mine.reduce((t, i) => t + i.len, 0) / n
    const y = mine.reduce((t, i) => t + i.s, 0) / n
    let sxy = 0
    let sxx = 0
    for (const i of mine) {
      sxy += (i.len - x) * (i.s - y)
      sxx += (i.len - x) ** 2
    }
    return { n, x, y, sxy, sxx }
  })
  const [b, c] = arms
  if (!b || !c || b.n === 0 || c.n === 0) return undefined
  const sxx = b.sxx + c.sxx
  if (sxx === 0) return undefined
  const slope = (b.sxy + c.sxy) / sxx
  return c.y - b.y - slope * (c.x - b.x)
}
