import type {
  Analysis,
  CacheReport,
  Check,
  MetricResult,
  SegmentResult
} from '../analysis/types.js'
import type { Decision, RolloutState } from '../decide/types.js'
import type { JudgeSummary } from '../analysis/types.js'
import type { Policy } from '../policy/types.js'
import type { DataQuality } from '../sketch/evidence.js'

/**
 * The JSON decision record (DESIGN.md, "CLI"): everything needed to re-derive the verdict.
 * Non-finite numbers (an interval with no data yet) serialise as null.
 */
export interface DecisionRecord {
  decision: Decision['action']
  rollout: string
  status: RolloutState['status']
  step: { index: number; weight: number }
  next: { index: number; weight: number }
  complete: boolean
  steps: number[]
  evaluatedAt: string
  window: { from: string; to: string } | null
  policy: { hash: string; confidence: number }
  source: string | null
  arms: { baseline: { n: number; units: number }; canary: { n: number; units: number } }
  metrics: MetricResult[]
  segments: SegmentResult[]
  checks: Check[]
  reasons: string[]
  needed?: Decision['needed']
  manual?: Decision['manual']
  /** Prompt-cache warmth and the three cost views (the `cache` check), when the source has them. */
  cache?: CacheReport
  /** A served model changed inside the step: its window restarted at this time. */
  restartedAt?: string
  dataQuality?: Omit<DataQuality, 'files'> & { files: DataQuality['files'] }
  /** The LLM judge: model, served model ids, rubric hash, calls, USD and health (no text). */
  judge?: JudgeSummary
  /** What the actuators did with this decision (absent when none are configured). */
  applied?: AppliedAction[]
  /**
   * The rollout's error budget as this evaluation spent it (Analysis.errorBudget): the whole
   * budget, this step's share, each gating metric's, what earlier steps spent, how segments share.
   */
  errorBudget?: NonNullable<Analysis['errorBudget']>
}

/** One actuator's result: `ok: false` means the change was not applied (and the state did not move). */
export interface AppliedAction {
  actuator: string
  ok: boolean
  changed: boolean
  detail: string
}

export interface RecordInput {
  policy: Policy
  policyHash: string
  decision: Decision
  /** The state after the decision was applied. */
  state: RolloutState
  now: number
  analysis?: Analysis
  source?: string
  quality?: DataQuality
}

export function decisionRecord(input: RecordInput): DecisionRecord {
  const { policy, decision, analysis } = input
  const iso = (t: number) => new Date(t).toISOString()
  const record: DecisionRecord = {
    decision: decision.action,
    rollout: policy.rollout.name,
    status: input.state.status,
    step: decision.from,
    next: decision.to,
    complete: decision.complete,
    steps: policy.rollout.steps,
    evaluatedAt: iso(input.now),
    window: analysis ? { from: iso(analysis.window.from), to: iso(analysis.window.to) } : null,
    policy: { hash: input.policyHash, confidence: policy.confidence },
    source: input.source ?? null,
    arms: {
      baseline: {
        n: analysis?.arms.baseline.requests ?? 0,
        units: analysis?.arms.baseline.units ?? 0
      },
      canary: { n: analysis?.arms.canary.requests ?? 0, units: analysis?.arms.canary.units ?? 0 }
    },
    metrics: analysis?.metrics ?? [],
    segments: analysis?.segments ?? [],
    checks: analysis?.checks ?? [],
    reasons: decision.reasons
  }
  if (decision.needed) record.needed = decision.needed
  if (decision.manual) record.manual = decision.manual
  if (analysis?.cache) record.cache = analysis.cache
  if (analysis?.restartAt !== undefined) record.restartedAt = iso(analysis.restartAt)
  if (input.quality) record.dataQuality = input.quality
  if (analysis?.judge) record.judge = analysis.judge
  if (analysis?.errorBudget) record.errorBudget = analysis.errorBudget
  return record
}

/** The record as JSON text: Infinity and NaN become null, as JSON requires. */
export const recordJson = (r: DecisionRecord): string => JSON.stringify(r, null, 2)
