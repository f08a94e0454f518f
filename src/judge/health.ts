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
