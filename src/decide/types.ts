import type { BaselineLevels, StepTStar } from '../analysis/types.js'

export type Action = 'promote' | 'hold' | 'rollback'
export type ManualCommand = 'rollback' | 'promote' | 'pause' | 'resume'
export type RolloutStatus = 'running' | 'paused' | 'complete' | 'rolled-back'

/** One entry of the rollout's audit trail; bounded (HISTORY_LIMIT) so the state stays small. */
export interface HistoryEntry {
  /** ISO-8601. */
  at: string
  action: Action | 'pause' | 'resume'
  /** Canary weight before and after, percent. */
  from: number
  to: number
  manual: boolean
  actor?: string
  reason: string
  /** Gating metrics at this evaluation, for charts of the change over the rollout. */
  metrics?: { name: string; estimate: number; lower: number; upper: number; verdict: string }[]
}

/**
 * The durable state of one rollout (stored by a StateStore). `revision` increments on every save;
 * stores use it as compare-and-swap so two concurrent runs cannot both move the rollout.
 */
export interface RolloutState {
  version: 1
  rollout: string
  revision: number
  status: RolloutStatus
  stepIndex: number
  /** ISO-8601: when the current step began (its clock, its fresh confidence sequence). */
  stepStartedAt: string
  /**
   * ISO-8601: when the rollout's first step began (again after a resume from a rollback). Records
   * before it are the pre-exposure data of `varianceReduction`. Absent in states written before
   * it existed: then known only while the rollout is at its first step.
   */
  startedAt?: string
  policyHash?: string
  /** What is being rolled out (the canary-version input, or the policy's canary arm values); a new one restarts the rollout. */
  canaryVersion?: string
  /** The pull request the verdicts are posted on, so scheduled runs find it again. */
  pullRequest?: number
  paused?: { at: string; actor: string; reason: string }
  history: HistoryEntry[]
  /** Optional: the judge's cache (src/judge), so a rerun does not pay twice for a judgement. */
  judgeCache?: JudgeCacheState
  /**
   * The baseline's level of each metric at the rollout's first evaluation with the minimum sample
   * (metric name -> level), to report when the baseline itself moves (analysis/driftCheck.ts).
   */
  baselineAtStart?: BaselineLevels
  /**
   * With `rollout.minPeakLoad`: the busiest hour of traffic (both arms, requests per hour) any
   * evaluation of this rollout has seen, and when it began (analysis/peakLoad.ts).
   */
  peakLoad?: { at: string; perHour: number }
  /**
   * The decision the world must converge to (DESIGN.md principle 8), saved before any actuator
   * runs: every run applies it again to the actuators that have not applied it (`applied`), so a
   * failed actuator is retried and a rollback or a pause holds whatever an actuator does.
   */
  desired?: DesiredState
  /** Actuator name -> the canary weight it last applied, and when (the reconciliation's record). */
  applied?: Record<string, { weight: number; status?: RolloutStatus; at: string }>
  /**
   * The sticky PR comment of this rollout: its id, pull request and author, so it is found again
   * whatever the token (an installation token cannot ask GitHub who it is).
   */
  comment?: { pullRequest: number; id: number; author: string }
  /**
   * The rollout's error budget (stats/alphaSpending.ts): what earlier confidence sequences spent,
   * and the current step's sequences (its index, their alpha, how often its evidence restarted).
   * Absent before the first evaluation of a rollout.
   */
  errorBudget?: ErrorBudget
}

/** What the rollout should look like now: the canary weight, the status, who decided and why. */
export interface DesiredState {
  /** Canary weight, percent (0 after a rollback, 100 when complete). */
  weight: number
  status: RolloutStatus
  /** Who decided: a person's login, or `ai-rollout-gate` for an evaluation. */
  actor: string
  reason: string
  /** ISO-8601: when it was decided. */
  at: string
  /** The canary weight before this decision. */
  from?: number
  /** ISO-8601: when every actuator had applied it; absent while one has not. */
  appliedAt?: string
}

/** The error-budget ledger of a rollout (RolloutState.errorBudget). */
export interface ErrorBudget {
  /** 1 - confidence: the budget of the whole rollout. */
  total: number
  /** What the confidence sequences the rollout ran before the current one were charged. */
  spent: number
  /**
   * The current step's sequences; `tStar`, where they are tightest, fixed at the step's first look
   * with traffic in both arms (analysis/analyze.ts, plannedTStar), so all its looks read one
   * mixture.
   */
  step: {
    index: number
    /** The fail side's alpha (a rollback), before its split over the gating metrics. */
    alpha: number
    /**
     * The pass side's alpha (a promotion; stats/alphaSpending.ts, sequenceAlphas); absent in a
     * ledger written before it had its own, whose pass side ran at `alpha`.
     */
    passAlpha?: number
    restarts: number
    /**
     * The step start (RolloutState.stepStartedAt) the sequences' window runs from; when the state's
     * moves (a resume, a weight applied late), the window is a new one and its sequences new
     * spending. Absent in a ledger written before it was kept.
     */
    startedAt?: string
    tStar?: StepTStar
  }
}

/**
 * The judge's memory across evaluations (src/judge/cache.ts): judgements keyed by a hash of the
 * texts judged, the judge's prompt and its model (`k`), valid for one judge configuration (`key`;
 * a change empties it), oldest first, bounded by the policy's `judge.cacheSize`; and what the
 * current step has spent on the judge.
 */
export interface JudgeCacheState {
  key: string
  entries: JudgeCacheEntry[]
  /** The judge's spend over the evaluations of the current step (a new step starts it again). */
  step?: JudgeStepSpend
}

export interface JudgeCacheEntry {
  k: string
  /**
   * The score in [0, 1]: pairwise the canary's, the mean of its two orders (probability-weighted
   * when the endpoint gave logprobs); pointwise the grade's.
   */
  s: number
  /**
   * What the judge stated: pairwise the canary's score in each order (canary first, then
   * baseline first: 1 win, 0.5 tie, 0 loss); pointwise the stated grade's score.
   */
  v?: number[]
}

export interface JudgeStepSpend {
  /** The step's start (RolloutState.stepStartedAt) this spend belongs to. */
  startedAt: string
  looks: number
  calls: number
  /** null once an answer came without usage: the step's tokens and USD are then unknown. */
  inputTokens: number | null
  outputTokens: number | null
  usd: number | null
  /** With prices: the USD spent at most (an answer without usage counts at its upper estimate). */
  usdAtMost?: number
}

export interface Decision {
  action: Action
  /** Where the canary was and where it goes (0 after a rollback, 100 when complete). */
  from: { index: number; weight: number }
  to: { index: number; weight: number }
  /** The rollout has reached 100% (or stays there). */
  complete: boolean
  /** Why, most important first; each a sentence a person can act on. */
  reasons: string[]
  /** For a hold: the longest the evidence still needs, when it can be projected. */
  needed?: { samples: number | null; seconds: number | null }
  manual?: { command: ManualCommand; actor: string; reason: string }
}
