import { analyze, type AnalyzeOptions } from './analysis/analyze.js'
import { driftCheck } from './analysis/driftCheck.js'
import { peakLoadCheck } from './analysis/peakLoad.js'
import type { Analysis } from './analysis/types.js'
import { decide, manualDecision, weightAt } from './decide/decide.js'
import {
  checkState,
  commandRefusal,
  currentBudget,
  evaluatedBudget,
  initialState,
  nextState,
  restartedBudget,
  rolloutStartedAt
} from './decide/state.js'
import type { Decision, JudgeCacheState, ManualCommand, RolloutState } from './decide/types.js'
import { UsageError } from './errors.js'
import type { Judge } from './judge/run.js'
import { lazyJudge } from './judge/lazy.js'
import { judgeSampleSize } from './judge/sample.js'
import type { Policy } from './policy/types.js'
import { duration } from './policy/format.js'
import { renderMarkdown } from './report/markdown.js'
import type { LastApplied } from './actuators/actuator.js'
import { decisionRecord, type AppliedAction, type DecisionRecord } from './report/record.js'
import { scrubDeep, secretScrubber } from './report/sanitize.js'
import { renderText } from './report/text.js'
import { emptyQuality, type DataQuality, type Evidence } from './sketch/evidence.js'
import { logAnalysis, loggedJudge, loggedSource, QUIET, type RunLog } from './log.js'
import { type Source } from './sources/source.js'
import { StateConflictError, StateError, updateState, type StateStore } from './state/store.js'

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
   * Apply the decision (the actuators). Called after the decision is saved (DESIGN.md principle
   * 8), with what each actuator last applied, so one that an earlier run could not reach is
   * applied again: the world converges to the saved decision, whatever an actuator does.
   */
  apply?: (
    record: DecisionRecord,
    lastApplied: (actuator: string) => LastApplied | undefined
  ) => Promise<AppliedAction[]>
  /** The LLM judge, when the policy has one; default: the policy's, through the openai client. */
  judge?: Judge
  /** Secret values (tokens, passwords, keys): scrubbed from the record, the reports and the state. */
  secrets?: readonly string[]
  /** Where the run tells what it does, phase by phase (default: nowhere). */
  log?: RunLog
  /**
   * The caller reads the decision record only (backtest, at every look): the reports are not
   * rendered (`markdown` and `text` are empty), and segments that cannot change the decision
   * (`segments.gate: false`) are not compared (the record's `segments` is then empty). The
   * decision, the reasons, the checks and the metrics are the same.
   */
  decisionOnly?: boolean
}

export interface Outcome {
  record: DecisionRecord
  state: RolloutState
  markdown: string
  text: string
}

export async function evaluate(deps: EvaluateDeps): Promise<Outcome> {
  const { policy, now } = deps
  const log = deps.log ?? QUIET
  const source = deps.log ? loggedSource(deps.source, log, () => performance.now()) : deps.source
  log.phase('State')
  const stored = await deps.store?.load()
  log.info(
    stored
      ? `${deps.store?.describe()}: revision ${stored.revision}, ${stored.status} at step ${stored.stepIndex + 1}`
      : deps.store
        ? `${deps.store.describe()}: no state yet, the rollout starts at its first step`
        : 'No state: the rollout is evaluated as at its first step'
  )
  const restarted = stored !== undefined && restart(stored, deps)
  const checked = stored && !restarted ? checkState(policy, stored) : undefined
  if (checked?.stepProblem) throw new StateError(checked.stepProblem)
  const loaded = checked?.state
  // A restarted rollout's first step begins now: earlier canary records belong to the old version.
  const start = loaded
    ? undefined
    : (deps.since ?? (restarted ? now : await firstCanary(source, now)))
  const state = loaded ?? {
    ...initialState(policy, start ?? now),
    revision: stored?.revision ?? 0,
    // A new rollout on the same pull request keeps editing the same comment.
    ...(stored?.comment && { comment: stored.comment })
  }
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
          judgeOf(deps, state),
          deps.decisionOnly
        )
      : undefined
  const analysis = collected?.analysis
  // What earlier sequences of this rollout spent, for the report's plain words on the budget.
  if (analysis?.errorBudget) {
    analysis.errorBudget.spent = evaluatedBudget(policy, state, analysis.restartAt).spent
  }
  if (analysis && loaded?.policyHash && loaded.policyHash !== deps.policyHash) {
    analysis.checks.push({
      name: 'policy',
      status: 'warn',
      detail: `the policy changed since this rollout's state was written (${loaded.policyHash} -> ${deps.policyHash})`
    })
  }
  if (analysis && checked && checked.ignored.length > 0) {
    analysis.checks.push({
      name: 'state',
      status: 'warn',
      detail: `the stored rollout state had invalid fields: ${checked.ignored.join('; ')}`
    })
  }
  if (analysis && state.baselineAtStart) {
    analysis.checks.push(
      driftCheck(policy, analysis.metrics, state.baselineAtStart, analysis.baselineMix)
    )
  }
  if (analysis && policy.rollout.minPeakLoad !== undefined) {
    analysis.checks.push(
      peakLoadCheck(policy.rollout.minPeakLoad, analysis.peakLoad, state.peakLoad)
    )
  }
  if (analysis) logAnalysis(log, analysis)
  // A complete or rolled-back rollout is decided by its status alone.
  const decision = decide(policy, state, analysis ?? emptyAnalysis(now), now)
  log.info(`Decision: ${decision.action} (${decision.from.weight}% -> ${decision.to.weight}%)`)
  const judgeCache = collected?.judgeCache
  const kept = judgeCache ? { ...state, judgeCache } : state
  return finish(deps, kept, stored?.revision, decision, analysis, collected?.quality)
}

/**
 * Runs `decide` again when another run saved the rollout's state first (the compare-and-swap
 * refused this run's save before anything was applied), a bounded number of times, so racing
 * runs make one transition and no run reports a decision whose save was lost.
 */
export async function decideAgainOnConflict<T>(
  decide: () => Promise<T>,
  options: { attempts: number; onRetry?: (attempt: number) => void }
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await decide()
    } catch (e) {
      if (!(e instanceof StateConflictError) || attempt >= options.attempts) throw e
      options.onRetry?.(attempt)
      await new Promise(r => setTimeout(r, 50 + Math.random() * 200 * attempt))
    }
  }
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
function judgeOf(deps: EvaluateDeps, state: RolloutState): Judge | undefined {
  if (!deps.policy.judge || state.status !== 'running') return undefined
  const judge = deps.judge ?? lazyJudge(deps.policy.judge, process.env)
  return deps.log ? loggedJudge(judge, deps.log) : judge
}

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
  const checked = loaded ? checkState(deps.policy, loaded) : undefined
  const state = checked?.state ?? initialState(deps.policy, deps.now)
  // A state whose step the policy does not have: only a rollback, or an explicit promotion to a
  // step of this policy (the migration), may go on.
  const migrating = checked?.stepProblem !== undefined
  if (migrating && deps.command !== 'rollback' && deps.toWeight === undefined) {
    throw new StateError(`cannot ${deps.command}: ${checked?.stepProblem}`)
  }
  const refusal = commandRefusal(state, deps.command) ?? targetRefusal(deps, state, migrating)
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
  state: RolloutState,
  /** The state's step is not one of this policy's: any step of the policy may be the target. */
  migrating: boolean
): string | undefined {
  if (deps.toWeight === undefined) return undefined
  const { steps } = deps.policy.rollout
  if (deps.command !== 'promote') return 'a target weight is only for promote'
  const index = steps.indexOf(deps.toWeight)
  if (index < 0) return `${deps.toWeight}% is not a step of this rollout (${steps.join('%, ')}%)`
  if (index <= state.stepIndex && !migrating) {
    return `the canary is already at ${steps[state.stepIndex]}%; promote only moves forward (use rollback to go back)`
  }
  return undefined
}

async function finish(
  deps: Pick<
    EvaluateDeps,
    | 'policy'
    | 'policyHash'
    | 'store'
    | 'now'
    | 'dryRun'
    | 'canaryVersion'
    | 'pullRequest'
    | 'apply'
    | 'secrets'
    | 'log'
    | 'decisionOnly'
  > & {
    source?: Source
  },
  state: RolloutState,
  loadedRevision: number | undefined,
  decided: Decision,
  analyzed?: Analysis,
  read?: DataQuality
): Promise<Outcome> {
  // Servers' answers (quoted in checks and reasons) may echo a credential: never saved or shown.
  const scrub = secretScrubber(deps.secrets ?? [])
  const decision = scrubDeep(decided, scrub)
  const analysis = analyzed && scrubDeep(analyzed, scrub)
  const quality = read && scrubDeep(read, scrub)
  const next: RolloutState = {
    ...nextState(state, decision, deps.now, analysis, deps.policy),
    policyHash: deps.policyHash,
    canaryVersion: canaryVersion(deps),
    ...(deps.pullRequest !== undefined && { pullRequest: deps.pullRequest })
  }
  // With nothing to apply, the decision is in place as soon as it is made.
  if (!deps.apply && next.desired && !next.desired.appliedAt) {
    next.desired = { ...next.desired, appliedAt: next.desired.at }
  }
  const store = deps.dryRun ? undefined : deps.store
  // DESIGN.md principle 8: the decision is saved before anything is applied. A conflict here (a
  // run that saved first) throws before any actuator ran, so the caller can decide again.
  if (store) {
    await store.save(next, loadedRevision)
    deps.log?.info(`State saved to ${store.describe()} (revision ${next.revision})`)
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
  let final = next
  if (deps.apply) {
    const known = state.applied
    // A state from before actuators were tracked: the world is where that state was.
    const assumed: LastApplied = { weight: decision.from.weight, status: state.status }
    const applied = scrubDeep(
      await deps.apply(record, name => (known ? known[name] : assumed)),
      scrub
    )
    record.applied = applied
    const settled = withApplied(next, applied, record, deps.now)
    let unrecorded: string | undefined
    if (store) {
      try {
        final = (await saveApplied(store, next, settled, record)) ?? next
      } catch (e) {
        // The decision itself is saved; the next run finds the actuators lagging and applies again.
        unrecorded = scrub(e instanceof Error ? e.message : String(e))
      }
    } else if (!deps.dryRun) {
      final = settled
    }
    const failed = applied.filter(a => !a.ok)
    if (failed.length > 0) record.reasons.unshift(notYetApplied(failed, record, deps))
    if (unrecorded !== undefined) {
      record.reasons.push(
        `What the actuators did could not be recorded in the state (${unrecorded}); the next run checks them again.`
      )
    }
  }
  if (deps.decisionOnly) return { record, state: final, markdown: '', text: '' }
  const markdown = renderMarkdown(record, { history: final.history })
  return { record, state: final, markdown, text: renderText(record) }
}

/** The reason that leads a record when an actuator did not apply the decision. */
function notYetApplied(
  failed: AppliedAction[],
  record: DecisionRecord,
  deps: Pick<EvaluateDeps, 'store' | 'dryRun'>
): string {
  const what = failed.map(a => `${a.actuator}: ${a.detail}`).join('; ')
  const target = `${record.next.weight}% (${record.status})`
  if (deps.dryRun) return `Would not apply to ${what} (dry run: nothing was applied or saved).`
  if (!deps.store) {
    return `Not applied to ${what}. The decision (${target}) is not saved anywhere (no state): run again with --state to have it retried.`
  }
  return `Not yet applied to ${what}. The decision (${target}) is saved and stands; every run applies it again until it is in place.`
}

/**
 * The state once the actuators ran: what each applied (the reconciliation's record, for the
 * actuators configured now), and, once every one has applied the saved decision, when. A move
 * that only reached every actuator in a later run starts the step's clock then: the traffic before
 * was still at the old weight.
 */
function withApplied(
  state: RolloutState,
  results: AppliedAction[],
  record: DecisionRecord,
  now: number
): RolloutState {
  const at = new Date(now).toISOString()
  const applied: NonNullable<RolloutState['applied']> = {}
  for (const r of results) {
    const before = state.applied?.[r.actuator]
    if (r.ok) applied[r.actuator] = { weight: record.next.weight, status: record.status, at }
    else if (before) applied[r.actuator] = before
  }
  let { desired, stepStartedAt } = state
  if (desired && !desired.appliedAt && results.every(r => r.ok)) {
    const moved = desired.from !== undefined && desired.from !== desired.weight
    if (moved && state.status === 'running' && desired.at !== at) stepStartedAt = at
    desired = { ...desired, appliedAt: at }
  }
  return {
    ...state,
    applied,
    stepStartedAt,
    ...(desired && { desired })
  }
}

/**
 * Records what the actuators applied, with compare-and-swap on the state this run saved. When
 * another run saved in between, its decision stands: what this run applied is merged into its
 * state if it is the same decision, else the actuators this run touched are marked unknown, so
 * the next run applies the newer decision to them again (this run's may have landed after it).
 */
async function saveApplied(
  store: StateStore,
  saved: RolloutState,
  settled: RolloutState,
  record: DecisionRecord
): Promise<RolloutState | undefined> {
  if (JSON.stringify(settled) === JSON.stringify(saved)) return saved
  const next = { ...settled, revision: saved.revision + 1 }
  try {
    await store.save(next, saved.revision)
    return next
  } catch (e) {
    if (!(e instanceof StateConflictError)) throw e
  }
  return updateState(store, latest => {
    const same =
      latest.desired?.at === saved.desired?.at && latest.desired?.weight === saved.desired?.weight
    const applied = { ...(latest.applied ?? {}) }
    let changed = false
    for (const [name, entry] of Object.entries(settled.applied ?? {})) {
      if (entry.at !== record.evaluatedAt) continue // not applied by this run
      if (same) applied[name] = entry
      else if (latest.desired && entry.weight !== latest.desired.weight) delete applied[name]
      else continue
      changed = true
    }
    return changed ? { ...latest, applied } : undefined
  })
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
  judge?: Judge,
  decisionOnly = false
): Promise<{ analysis: Analysis; quality?: DataQuality; judgeCache?: JudgeCacheState }> {
  const weight = weightAt(policy, state.stepIndex)
  const from = windowFrom
  // This step's share of the rollout's error budget, and how long it has run (projections).
  const budget = currentBudget(policy, state)
  const options = {
    stepAlpha: budget.step.alpha,
    ...(budget.step.passAlpha !== undefined && { passAlpha: budget.step.passAlpha }),
    stepElapsedMs: now - Date.parse(state.stepStartedAt),
    // Where the step's sequences are tightest, once planned (kept by nextState).
    ...(budget.step.tStar && { tStar: budget.step.tStar }),
    ...(decisionOnly && { reportOnlySegments: false })
  }
  if (now <= from) {
    const analysis = analyze(policy, emptyEvidence(source, now, now), weight, false, options)
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
    const judgeSample = policy.judge && judgeSampleSize(policy.judge, state.judgeCache)
    const evidence = await source.collect({
      window: { from, to: now },
      now,
      ...pre,
      ...(judgeSample && { judgeSample })
    })
    const unjudged = analyze(policy, evidence, weight, replay, options)
    if (unjudged.restartAt !== undefined && unjudged.restartAt > from) {
      // A served model changed: the step restarts there, and the judge waits for that window.
      // Its new sequences are new spending of the budget.
      const { step } = restartedBudget(policy, budget, new Date(unjudged.restartAt).toISOString())
      const restarted = {
        stepAlpha: step.alpha,
        ...(step.passAlpha !== undefined && { passAlpha: step.passAlpha }),
        stepElapsedMs: now - unjudged.restartAt,
        ...(decisionOnly && { reportOnlySegments: false })
      }
      return await restartAtModelChange(policy, unjudged, source, now, weight, replay, {
        ...restarted,
        pre
      })
    }
    // The judge (optional) grades sampled texts into its metric, then the analysis is redone.
    const cache = state.judgeCache
    const judged = await judge?.run({
      policy,
      evidence,
      canaryWeight: weight,
      stepAlpha: options.stepAlpha,
      ...(options.passAlpha !== undefined && { passAlpha: options.passAlpha }),
      stepStartedAt: state.stepStartedAt,
      ...(cache && { cache }),
      ...(judgeSample && { sampleSize: judgeSample })
    })
    if (!judged) return { analysis: unjudged, quality: evidence.quality }
    const analysis = analyze(policy, judged.evidence, weight, replay, options)
    judged.annotate(analysis)
    return { analysis, quality: evidence.quality, judgeCache: judged.cache }
  } catch (e) {
    const analysis = analyze(policy, emptyEvidence(source, from, now), weight, false, options)
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
  { pre, ...options }: AnalyzeOptions & { pre: { rolloutStartedAt?: number } }
): Promise<{ analysis: Analysis; quality?: DataQuality }> {
  const restartAt = before.restartAt as number
  const from = restartAt + policy.rollout.warmup
  const change = before.checks.find(c => c.name === 'model')?.detail ?? 'a served model changed'
  const baked = now - restartAt >= policy.rollout.minDuration
  const evidence =
    now > from
      ? await source.collect({ window: { from, to: now }, now, ...pre })
      : emptyEvidence(source, now, now)
  const analysis = analyze(policy, evidence, weight, replay, options)
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
