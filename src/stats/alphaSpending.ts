/**
 * Splitting the family-wise error budget across the gating metrics (DESIGN.md: "Error budget:
 * 1 - confidence, split across the gating metrics").
 */

/**
 * Bonferroni split: each of k confidence sequences at alpha / k. By the union bound the chance
 * that any of them ever misses is at most alpha, at every look and under any dependence between
 * the metrics (Bonferroni 1936; for confidence sequences, Howard et al. 2021 note that the union
 * bound applies to the time-uniform events as they are).
 */
export function bonferroni(alpha: number, k: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer >= 1, got ${k}`)
  return alpha / k
}
