/**
 * Grades sampled production outputs when records carry no quality score (a later issue builds it
 * on the openai client). The scores it returns are folded into the evidence as a metric like any
 * other, so the decision logic does not change. Texts are data: never logged, never posted.
 */
export interface Judge {
  readonly model: string
  grade(samples: JudgeSample[], budget: JudgeBudget): Promise<JudgeResult>
}

export interface JudgeSample {
  id: string
  arm: 'baseline' | 'canary'
  input: string
  output: string
}

export interface JudgeBudget {
  maxCalls: number
  maxUsd: number
}

export interface JudgeResult {
  /** Record id -> score in [0, 1]; a sample the judge could not grade is absent, never a default. */
  scores: Map<string, number>
  calls: number
  usd: number
}
