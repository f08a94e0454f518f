/**
 * Splitting the family-wise error budget across the gating metrics (DESIGN.md: "Error budget:
 * 1 - confidence, split across the gating metrics").
 *
 * Only a rollback's side is split. A canary is good when every gating metric is within its
 * tolerance, bad when one is beyond it. A rollback needs only one metric to fail, so on a good
 * canary the chance of a wrong rollback is at most the sum of the metrics' fail-side alphas: each
 * gets the step's alpha over the family (Bonferroni, below). A promotion needs every metric to
 * pass, so on a bad canary it needs the bad metric's own pass, whose chance is at most that
 * metric's pass-side alpha: each pass is tested at the step's whole alpha, with no split. This is
 * the intersection-union test (Berger, "Multiparameter hypothesis testing and acceptance
 * sampling", Technometrics 24 (1982); Berger & Hsu, Statistical Science 11 (1996), Section 3),
 * the reason co-primary endpoints that must all succeed need no multiplicity adjustment. Both
 * sides come from two-sided confidence sequences (each side valid alone at the sequence's alpha,
 * at every look), so at any truth the step errs with probability at most its alpha.
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

/**
 * One error budget for the whole rollout (DESIGN.md, "Error budget"): the chance that the gate
 * ever promotes a canary worse than a tolerance, or rolls back one that is not, is at most
 * 1 - confidence over all of the rollout's steps, not per step. Each step starts fresh confidence
 * sequences (its split changes), so the union bound over the sequences the rollout runs applies
 * (Bonferroni; each sequence is valid at every look of its step): their alphas must add up to at
 * most the budget.
 *
 * The budget is spent evenly over the steps that compare the arms (weight below 100%): a fixed,
 * policy-given schedule, so a step's alpha never depends on the data (an alpha-spending plan in
 * the sense of Lan & DeMets, Biometrika 70 (1983), with the steps as its looks). A step's
 * evidence can restart (a served model changed, evaluate.ts): the restarted sequence is a new one,
 * so the step's share is split again, RESTART_SHARE of what is left each time: the first sequence
 * of a step gets (1 - RESTART_SHARE) of its share, the next (1 - RESTART_SHARE) RESTART_SHARE,
 * and so on, which never adds up to more than the share.
 */
export const RESTART_SHARE = 0.1

/**
 * With `segments.gate: rollback`, a failing segment rolls the canary back, so the segments'
 * sequences are part of the budget: they get this share of each step's alpha (split over
 * segments and metrics), the whole arms the rest. Segments that can only hold spend none: a hold
 * is never a wrong promotion or rollback.
 */
export const SEGMENT_SHARE = 0.2

/** The alpha of the confidence sequences of step `stepIndex` after `restarts` restarts of its evidence. */
export function stepAlpha(o: {
  /** 1 - confidence. */
  total: number
  /** Steps that compare the arms (weight below 100%). */
  comparisonSteps: number
  restarts: number
}): number {
  const share = o.total / Math.max(1, o.comparisonSteps)
  return share * (1 - RESTART_SHARE) * RESTART_SHARE ** Math.max(0, o.restarts)
}
