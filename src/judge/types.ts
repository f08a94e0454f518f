/**
 * What the decision record says about the judge (DESIGN.md principle 7): which model, which
 * rubric, what it cost, and its health. Aggregates only: no production text ever.
 */
export interface JudgeSummary {
  model: string
  /** Model ids the API said served the calls. */
  servedModels: string[]
  /** `sha256:` and 16 hex digits of the rubric. */
  rubricHash: string
  mode: 'pointwise' | 'pairwise'
  /** Texts the source sampled, per arm. */
  sampled: { baseline: number; canary: number }
  /** Judgements in the metric: outputs per arm (pointwise), or pairs (pairwise, both fields). */
  judged: { baseline: number; canary: number }
  calls: number
  /** null without `prices`. */
  usd: number | null
  cacheHits: number
  /** Why judging stopped. */
  stopped:
    'decisive' | 'sample-exhausted' | 'budget-calls' | 'budget-usd' | 'api-failing' | 'not-run'
  /** Answers that did not follow the schema: missing, never a score. */
  parseFailures: number
  /** Calls that failed after retries (HTTP status classes, timeouts). */
  errors: Record<string, number>
  /** Sampled outputs that address the evaluator (prompt injection), and were graded as they are. */
  flagged: number
  /** Pairwise: share of pairs whose two orders disagreed (then a tie). */
  flipRate?: number
  /** Pairwise: canary win rate from the canary-first order alone, to show the position bias. */
  oneOrderWinRate?: number
  winRate?: number
  /** Pairwise: mean of the win rates where the canary's answer is longer and where it is not. */
  lengthAdjustedWinRate?: number
  /** Mean output length, characters: canary minus baseline (over judged items). */
  lengthDifference?: number
  /**
   * Pointwise: the canary-minus-baseline mean score after regressing the score on output length
   * (ANCOVA, a common slope in both arms); compare with the judge metric's raw difference.
   */
  lengthAdjustedDifference?: number
  /** Items judged twice, and the share that got the same answer. */
  selfAgreement?: { items: number; agreement: number }
  /** Agreement with human labels (Cohen's kappa), when a labels file is given. */
  humanAgreement?: { items: number; kappa: number }
  warnings: string[]
}
