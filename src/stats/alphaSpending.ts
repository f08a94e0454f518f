/**
 * Splitting the family-wise error budget across the gating metrics (DESIGN.md: "Error budget:
 * 1 - confidence, split across the gating metrics").
 *
 * Only a rollback's side is split. A canary is good when every gating metric is within its
 * tolerance, bad when one is beyond it. A rollback needs only one metric to fail, so on a good
 * canary the chance of a wrong rollback is at most the sum of the metrics' fail-side alphas: each
 * gets the step's fail alpha over the family (Bonferroni, below). A promotion needs every metric
 * to pass, so on a bad canary it needs the bad metric's own pass, whose chance is at most that
 * metric's pass-side alpha: each pass is tested at the sequence's whole pass alpha, with no
 * split. This is the intersection-union test (Berger, "Multiparameter hypothesis testing and
 * acceptance sampling", Technometrics 24 (1982); Berger & Hsu, Statistical Science 11 (1996),
 * Section 3), the reason co-primary endpoints that must all succeed need no multiplicity
 * adjustment. Each side is a one-sided confidence sequence, valid alone at its own alpha at every
 * look, so at any truth the step errs with probability at most the alpha of the side that truth
 * can err on.
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
 * 1 - confidence over all of the rollout's steps, not per step, and whatever the canary's truth at
 * each step (it may differ between steps: a change that only hurts under load).
 *
 * Each step (and each restart of a step's evidence) runs fresh confidence sequences, each side
 * valid alone at its alpha at every look; the rollout spends their alphas as a ledger. The two
 * sides are spent differently, because a rollout moves on only through a promotion:
 *
 * - A rollback ends the rollout, so wrong rollbacks at different steps are disjoint events and
 *   their alphas add up: the fail side is spent evenly over the steps that compare the arms
 *   (weight below 100%), a fixed, policy-given schedule (an alpha-spending plan in the sense of
 *   Lan & DeMets, Biometrika 70 (1983), with the steps as its looks; `stepAlpha`).
 * - Promotions are nested: a canary reaches a step only by being promoted at every step before.
 *   This is the fixed-sequence procedure for a-priori ordered hypotheses (Maurer, Hothorn &
 *   Lehmacher, 1995; Westfall & Krishen, J. Statistical Planning and Inference 99 (2001)): each
 *   step's "the canary is worse than a tolerance here" is tested only after the step before was
 *   rejected (promoted), so each can be tested at all of what is left of the budget, not at a
 *   share of it (`sequenceAlphas`).
 *
 * The proof is a ledger. Take the sequences a rollout runs, in order; the chance of a wrong
 * decision is at most the sum, along the rollout's path, of each sequence's alpha on the side
 * its truth can err on (the fail side where the canary is within every tolerance, the pass side
 * where it is not; never both). A sequence the rollout leaves without an error was either
 * promoted by the gate (so its canary was within tolerance: its fail alpha is charged to the
 * ledger) or left otherwise, by a restart or a person (its truth is unknown: the larger of its
 * two alphas is charged, `charged`). Each new sequence's sides are at most (1 - RESTART_SHARE)
 * of what the ledger has left, so the path's sum never exceeds the budget. Along the path the
 * gate takes when it is right, steps 1, 5, 25, 50 of a 5% budget give the pass side 4.5%, 3.5%,
 * 2.5%, 1.5% and the fail side 1.125% at each step; the last comparison step's pass side is never
 * below its fail side.
 *
 * A step's evidence can restart (a served model changed, evaluate.ts): the restarted sequence is
 * a new one, charged as above; its fail side gets RESTART_SHARE of what the step's had, so a
 * step's fail sides never add up to more than its share.
 */
export const RESTART_SHARE = 0.1

/**
 * With `segments.gate: rollback`, a failing segment rolls the canary back, so the segments'
 * sequences are part of the budget: they get this share of each step's fail side (split over
 * segments and metrics), the whole arms the rest. Segments that can only hold spend none: a hold
 * is never a wrong promotion or rollback.
 */
export const SEGMENT_SHARE = 0.2

/**
 * The fail side's schedule: the alpha of the fail side of step `stepIndex`'s sequences after
 * `restarts` restarts of its evidence, an even share of the budget over the comparison steps.
 */
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

/**
 * Below this, what is left of the budget, and a fail side's alpha, are taken as this (a policy
 * whose confidence was raised mid-rollout above what its earlier steps had spent; hundreds of
 * restarts): the sequences are then so wide that the gate holds, and the excess over the budget
 * is negligible.
 */
const LEFT_FLOOR = 1e-9

/** The alphas of a new sequence: its fail side (a rollback) and its pass side (a promotion). */
export function sequenceAlphas(o: {
  total: number
  /** What the rollout's earlier sequences were charged (`charged`). */
  spent: number
  comparisonSteps: number
  restarts: number
}): { alpha: number; passAlpha: number } {
  const passAlpha = (1 - RESTART_SHARE) * Math.max(LEFT_FLOOR, o.total - o.spent)
  return { alpha: Math.max(LEFT_FLOOR, Math.min(stepAlpha(o), passAlpha)), passAlpha }
}

/**
 * What a sequence is charged when the rollout leaves it: its fail side's alpha when the gate
 * promoted it (a wrong promotion is already an error, so the path goes on only from a canary
 * within tolerance), else the larger of its two sides. A ledger written before the pass side had
 * its own alpha (`passAlpha` absent) ran both sides at `alpha`.
 */
export function charged(
  step: { alpha: number; passAlpha?: number },
  promotedByGate: boolean
): number {
  return promotedByGate ? step.alpha : Math.max(step.alpha, step.passAlpha ?? step.alpha)
}

/**
 * What a rollout that has no ledger at step `stepIndex` is taken to have spent: the fail sides of
 * the comparison steps before it, as if the gate had promoted each (a state written before the
 * ledger existed, or a simulation of one step).
 */
export function assumedSpent(o: {
  total: number
  comparisonSteps: number
  stepIndex: number
}): number {
  const before = Math.min(o.stepIndex, o.comparisonSteps)
  return before * stepAlpha({ ...o, restarts: 0 })
}
