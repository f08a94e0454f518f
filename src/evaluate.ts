import { analyze } from './analysis/analyze.js'
import { driftCheck } from './analysis/driftCheck.js'
import { peakLoadCheck } from './analysis/peakLoad.js'
import type { Analysis } from './analysis/types.js'
import { decide, manualDecision, weightAt } from './decide/decide.js'
import { commandRefusal, initialState, nextState, rolloutStartedAt } from './decide/state.js'
import type { Decision, JudgeCacheState, ManualCommand, RolloutState } from './decide/types.js'
import { UsageError } from './errors.js'
import { judgeFromPolicy, type Judge } from './judge/index.js'
import type { Policy } from './policy/types.js'
import { duration } from './policy/format.js'
import { renderMarkdown } from './report/markdown.js'
import { moves } from './actuators/actuator.js'
import { decisionRecord, type AppliedAction, type DecisionRecord } from './report/record.js'
import { renderText } from './report/text.js'
import { emptyQuality, type DataQuality, type Evidence } from './sketch/evidence.js'
import { type Source } from './sources/source.js'
import type { StateStore } from './state/store.js'

/**
 * The one orchestration behind both front doors (the Action and the CLI): state -> evidence ->
 * analysis -> decision -> next state -> report. Everything it touches comes in through `deps`,
 * so tests drive it with real files and a fixed `now`.
 */
export interface EvaluateDeps {
  policy: Policy
  policyHash: string
  source: Source
  /** Omit to evaluate without remembering (no state: the first step). */
  store?: StateStore
  now: number
  /** When the first step began, if there is no state; default: the earliest canary record. */
  since?: number
  /** Decide and report, but do not save the state. */
  dryRun?: boolean
  /** `now` was given (--now): records after it are ignored as expected, not reported as skew. */
  replay?: boolean
  /** What is rolled out; default the policy's canary arm values. A new version restarts the rollout. */
  canaryVersion?: string
  /** The pull request to remember in the state (the Action finds it). */
  pullRequest?: number
  /**
   * Apply the decision (actuators) before the state is saved. When one fails, a decision that moves
   * the canary is not saved: the state stays where the world is, and the next run tries again.
   */
  apply?: (record: DecisionRecord) => Promise<AppliedAction[]>
  /** The LLM judge, when the policy has one; default: the policy's, through the openai client. */
  judge?: Judge
}

export interface Outcome {
  record: DecisionRecord
  state: RolloutState
  markdown: string
  text: string
}

export async function evaluate(deps: EvaluateDeps): Promise<Outcome> {
  const { policy, source, now } = deps
  const stored = await deps.store?.load()
  const restarted = stored !== undefined && restart(stored, deps)
  const loaded = restarted ? undefined : stored
  // A restarted rollout's first step begins now: earlier canary records belong to the old version.
  const start = loaded
    ? undefined
    : (deps.since ?? (restarted ? now : await firstCanary(source, now)))
  const state = loaded ?? { ...initialState(policy, start ?? now), revision: stored?.revision ?? 0 }
  // No state and no canary yet: the step starts now, but the report still shows all data so far,
  // so a canary label that matches nothing is visible at once.
  const windowFrom = loaded || start !== undefined ? undefined : 0
  const collected =
    state.status === 'running' || state.status === 'paused'
      ? await collectEvidence(
          policy,
          state,
          source,
          now,
          deps.replay ?? false,
          windowFrom,
          judgeOf(deps, state)
        )
      : undefined
  const analysis = collected?.analysis
  if (analysis && loaded?.policyHash && loaded.policyHash !== deps.policyHash) {
    analysis.checks.push({
      name: 'policy',
      status: 'warn',
      detail: `the policy changed since this rollout's state was written (${loaded.policyHash} -> ${deps.policyHash})`
    })
  }
  if (analysis && state.baselineAtStart) {
    analysis.checks.push(driftCheck(policy, analysis.metrics, state.baselineAtStart))
  }
  if (analysis && policy.rollout.minPeakLoad !== undefined) {
    analysis.checks.push(
      peakLoadCheck(policy.rollout.minPeakLoad, analysis.peakLoad, state.peakLoad)
    )
  }
  // A complete or rolled-back rollout is decided by its status alone.
  const decision = decide(policy, state, analysis ?? emptyAnalysis(now), now)
  const judgeCache = collected?.judgeCache
  const kept = judgeCache ? { ...state, judgeCache } : state
  return finish(deps, kept, stored?.revision, decision, analysis, collected?.quality)
}

const canaryVersion = (deps: Pick<EvaluateDeps, 'policy' | 'canaryVersion'>): string =>
  deps.canaryVersion ?? deps.policy.arms.canary.join(',')

/** A different canary than the stored state's is a new rollout: it starts again at the first step. */
function restart(
  state: RolloutState,
  deps: Pick<EvaluateDeps, 'policy' | 'canaryVersion'>
): boolean {
  return state.canaryVersion !== undefined && state.canaryVersion !== canaryVersion(deps)
}

/** The judge, if the policy has one; a paused rollout holds anyway, so it pays for no calls. */
const judgeOf = (deps: EvaluateDeps, state: RolloutState): Judge | undefined =>
  deps.policy.judge && state.status === 'running'
    ? (deps.judge ?? judgeFromPolicy(deps.policy.judge, process.env))
    : undefined

/** A person's command: no evidence is collected, so a source that is down cannot block it. */
export async function command(
  deps: Omit<EvaluateDeps, 'source' | 'since'> & {
    command: ManualCommand
    actor: string
    reason: string
    /** promote only: go straight to this step's weight (percent) instead of the next step. */
    toWeight?: number
  }
): Promise<Outcome> {
  const loaded = await deps.store?.load()
  const state = loaded ?? initialState(deps.policy, deps.now)
  const refusal = commandRefusal(state, deps.command) ?? targetRefusal(deps, state)
  if (refusal)
    throw new UsageError(`cannot ${deps.command} rollout "${deps.policy.rollout.name}": ${refusal}`)
  const { steps } = deps.policy.rollout
  const toIndex = deps.toWeight !== undefined ? steps.indexOf(deps.toWeight) : undefined
  const decision = manualDecision(
    deps.policy,
    state,
    deps.command,
    deps.actor,
    deps.reason,
    toIndex
  )
  return finish(deps, state, loaded?.revision, decision)
}

/** Why `promote to W%` cannot apply: W must be a later step of the policy. */
function targetRefusal(
  deps: { policy: Policy; command: ManualCommand; toWeight?: number },
  state: RolloutState
): string | undefined {
  if (deps.toWeight === undefined) return undefined
  const { steps } = deps.policy.rollout
  if (deps.command !== 'promote') return 'a target weight is only for promote'
  const index = steps.indexOf(deps.toWeight)
  if (index < 0) return `${deps.toWeight}% is not a step of this rollout (${steps.join('%, ')}%)`
  if (index <= state.stepIndex) {
    return `the canary is already at ${steps[state.stepIndex]}%; promote only moves forward (use rollback to go back)`
  }
  return undefined
}

async function finish(
  deps: Pick<
    EvaluateDeps,
    'policy' | 'policyHash' | 'store' | 'now' | 'dryRun' | 'canaryVersion' | 'pullRequest' | 'apply'
  > & {
    source?: Source
  },
  state: RolloutState,
  loadedRevision: number | undefined,
  decision: Decision,
  analysis?: Analysis,
  quality?: DataQuality
): Promise<Outcome> {
  const next: RolloutState = {
    ...nextState(state, decision, deps.now, analysis),
    policyHash: deps.policyHash,
    canaryVersion: canaryVersion(deps),
    ...(deps.pullRequest !== undefined && { pullRequest: deps.pullRequest })
  }
  const record = decisionRecord({
    policy: deps.policy,
    policyHash: deps.policyHash,
    decision,
    state: next,
    now: deps.now,
    ...(analysis && { analysis }),
    ...(deps.source && { source: deps.source.describe() }),
    ...(quality && { quality })
  })
  let saved = true
  if (deps.apply) {
    record.applied = await deps.apply(record)
    const failed = record.applied.filter(a => !a.ok)
    if (failed.length > 0 && moves(record)) {
      saved = false
      record.reasons.unshift(
        `Not applied: ${failed.map(a => `${a.actuator}: ${a.detail}`).join('; ')}. The rollout stays at ${record.step.weight}%; the next run decides again.`
      )
    }
  }
  if (deps.store && !deps.dryRun && saved) await deps.store.save(next, loadedRevision)
  const markdown = renderMarkdown(record, { history: next.history })
  return { record, state: saved ? next : state, markdown, text: renderText(record) }
}

async function firstCanary(source: Source, now: number): Promise<number | undefined> {
  try {
    return await source.firstCanaryTime(now)
  } catch {
    return undefined // collect() reports the same problem as a hold, with its reason
  }
}

/**
 * Evidence for the current step: from the step's start plus the warm-up, to now. Any failure of
 * the source is a hold with the reason (DESIGN.md: fail closed), never a crash.
 */
async function collectEvidence(
  policy: Policy,
  state: RolloutState,
  source: Source,
  now: number,
  replay: boolean,
  windowFrom = Date.parse(state.stepStartedAt) + policy.rollout.warmup,
  judge?: Judge
): Promise<{ analysis: Analysis; quality?: DataQuality; judgeCache?: JudgeCacheState }> {
  const weight = weightAt(policy, state.stepIndex)
  const from = windowFrom
  if (now <= from) {
    const analysis = analyze(policy, emptyEvidence(source, now, now), weight)
    analysis.checks.unshift({
      name: 'warm-up',
      status: 'block',
      detail: `the step began at ${state.stepStartedAt}; its first ${policy.rollout.warmup / 60000}m are excluded, so evidence starts at ${new Date(from).toISOString()}`
    })
    return { analysis }
  }
  // Metrics with variance reduction read each unit's records from before the rollout began.
  const startedAt = from > 0 ? lookbackEnd(policy, state) : undefined
  const pre = startedAt === undefined ? {} : { rolloutStartedAt: startedAt }
  try {
    const evidence = await source.collect({ window: { from, to: now }, now, ...pre })
    const unjudged = analyze(policy, evidence, weight, replay)
    if (unjudged.restartAt !== undefined && unjudged.restartAt > from) {
      // A served model changed: the step restarts there, and the judge waits for that window.
      return await restartAtModelChange(policy, unjudged, source, now, weight, replay, pre)
    }
    // The judge (optional) grades sampled texts into its metric, then the analysis is redone.
    const cache = state.judgeCache
    const judged = await judge?.run({
      policy,
      evidence,
      canaryWeight: weight,
      ...(cache && { cache })
    })
    if (!judged) return { analysis: unjudged, quality: evidence.quality }
    const analysis = analyze(policy, judged.evidence, weight, replay)
    judged.annotate(analysis)
    return { analysis, quality: evidence.quality, judgeCache: judged.cache }
  } catch (e) {
    const analysis = analyze(policy, emptyEvidence(source, from, now), weight)
    analysis.checks.unshift({ name: 'source', status: 'block', detail: (e as Error).message })
    return { analysis }
  }
}

/**
 * A served model changed inside the window (analysis/modelCheck.ts): evidence from before the
 * change no longer describes the system, so the window starts again at the change (plus the
 * warm-up), and the step holds until it has baked that long again. The state's step clock moves
 * to the change too (decide/state.ts), so later runs start there.
 */
async function restartAtModelChange(
  policy: Policy,
  before: Analysis,
  source: Source,
  now: number,
  weight: number,
  replay: boolean,
  pre: { rolloutStartedAt?: number }
): Promise<{ analysis: Analysis; quality?: DataQuality }> {
  const restartAt = before.restartAt as number
  const from = restartAt + policy.rollout.warmup
  const change = before.checks.find(c => c.name === 'model')?.detail ?? 'a served model changed'
  const baked = now - restartAt >= policy.rollout.minDuration
  const evidence =
    now > from
      ? await source.collect({ window: { from, to: now }, now, ...pre })
      : emptyEvidence(source, now, now)
  const analysis = analyze(policy, evidence, weight, replay)
  const model = {
    name: 'model',
    status: baked ? ('warn' as const) : ('block' as const),
    detail: `${change}; evidence now starts at ${new Date(from).toISOString()}${baked ? '' : `, and the step holds until it has baked ${duration(policy.rollout.minDuration)} since the change`}`
  }
  const at = analysis.checks.findIndex(c => c.name === 'model')
  // A second change inside the new window keeps its own (later) block.
  if (at >= 0 && analysis.restartAt === undefined) analysis.checks[at] = model
  analysis.restartAt ??= restartAt
  return { analysis, quality: evidence.quality }
}

/** The rollout's start, when a metric reads a pre-exposure lookback before it. */
function lookbackEnd(policy: Policy, state: RolloutState): number | undefined {
  const lookback = policy.metrics.some(m => (m.varianceReduction?.lookback ?? 0) > 0)
  return lookback ? rolloutStartedAt(state) : undefined
}

function emptyEvidence(source: Source, from: number, to: number): Evidence {
  return {
    source: source.describe(),
    window: { from, to },
    bucketMs: 0,
    metrics: [],
    unitLevel: false,
    cells: [],
    quality: emptyQuality()
  }
}

function emptyAnalysis(now: number): Analysis {
  const arm = { requests: 0, units: 0 }
  return {
    window: { from: now, to: now },
    arms: { baseline: arm, canary: arm },
    unitLevel: false,
    metrics: [],
    segments: [],
    checks: [],
    canaryRate: 0
  }
}
