import type { RolloutState } from '../decide/types.js'
import { parseInstant } from '../policy/units.js'

/**
 * Where a rollout's state lives between runs. `save` is a compare-and-swap on `revision`: it fails
 * with StateConflictError when another run saved since `load`, so two concurrent runs cannot both
 * move the rollout. Implementations: FileStateStore (CLI); a branch on GitHub (the Action, later).
 */
export interface StateStore {
  describe(): string
  load(): Promise<RolloutState | undefined>
  /** `expectedRevision`: the revision that was loaded (undefined when there was no state). */
  save(state: RolloutState, expectedRevision: number | undefined): Promise<void>
}

/** The stored state is unreadable or belongs to something else; the message says what to do. */
export class StateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StateError'
  }
}

export class StateConflictError extends StateError {
  constructor(where: string, expected: number | undefined, found: number | 'another' | undefined) {
    super(
      `${where} changed while this run was deciding (expected revision ${expected ?? 'none'}, found ${found ?? 'none'}); run again to decide on the new state`
    )
    this.name = 'StateConflictError'
  }
}

/** Attempts of updateState when other runs keep saving in between. */
const UPDATE_ATTEMPTS = 6

/**
 * Re-reads the state, changes it with `change` and saves it with compare-and-swap, again on a
 * conflict (a bounded number of times). For bookkeeping that must not undo another run's
 * decision (what the actuators applied, the comment's id): `change` sees the newest state and
 * returns undefined when there is nothing to write. Returns the state saved, or undefined.
 */
export async function updateState(
  store: StateStore,
  change: (state: RolloutState) => RolloutState | undefined
): Promise<RolloutState | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.load()
    if (!current) return undefined
    const changed = change(current)
    if (!changed) return undefined
    const next = { ...changed, revision: current.revision + 1 }
    try {
      await store.save(next, current.revision)
      return next
    } catch (e) {
      if (!(e instanceof StateConflictError) || attempt >= UPDATE_ATTEMPTS) throw e
    }
  }
}

const STATUSES = ['running', 'paused', 'complete', 'rolled-back']

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A strict ISO-8601 instant (the states this tool writes), so no time computed from it overflows. */
export const isInstant = (v: unknown): v is string => typeof v === 'string' && parseInstant(v).ok

/**
 * Validate a parsed state document for `rollout`; throws StateError naming `where` and the field.
 * The fields a decision rests on (status, step, its start, the revision, the pause) must be valid;
 * caches and records the state can do without (baselineAtStart, peakLoad, judgeCache, applied,
 * ...) are checked by checkState (decide/state.ts), which leaves invalid ones out.
 */
export function parseState(text: string, where: string, rollout: string): RolloutState {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new StateError(
      `${where} is not valid JSON (${(e as Error).message}); restore it from version control, or delete it to start the rollout again at its first step`,
      { cause: e }
    )
  }
  const problems: string[] = []
  if (!isObject(doc)) problems.push('not an object')
  else {
    const s = doc
    if (s.version !== 1) problems.push(`version is ${JSON.stringify(s.version)}, expected 1`)
    if (typeof s.rollout !== 'string') problems.push('rollout is missing')
    if (!Number.isSafeInteger(s.revision) || (s.revision as number) < 0)
      problems.push('revision is not a non-negative integer')
    if (!STATUSES.includes(s.status as string))
      problems.push(`status ${JSON.stringify(s.status)} is unknown`)
    if (!Number.isSafeInteger(s.stepIndex) || (s.stepIndex as number) < 0)
      problems.push('stepIndex is not a non-negative integer')
    if (!isInstant(s.stepStartedAt))
      problems.push('stepStartedAt is not an ISO-8601 time such as 2026-11-02T08:00:00.000Z')
    if (!Array.isArray(s.history)) problems.push('history is not a list')
    if (s.policyHash !== undefined && typeof s.policyHash !== 'string')
      problems.push('policyHash is not a string')
    if (s.canaryVersion !== undefined && typeof s.canaryVersion !== 'string')
      problems.push('canaryVersion is not a string')
    if (
      s.pullRequest !== undefined &&
      !(Number.isSafeInteger(s.pullRequest) && (s.pullRequest as number) > 0)
    )
      problems.push('pullRequest is not a pull request number')
    if (s.status === 'paused' && s.paused !== undefined) {
      const p = s.paused
      if (
        !isObject(p) ||
        !isInstant(p.at) ||
        typeof p.actor !== 'string' ||
        typeof p.reason !== 'string'
      )
        problems.push('paused is not { at, actor, reason }')
    }
    if (
      s.startedAt !== undefined &&
      (typeof s.startedAt !== 'string' || Number.isNaN(Date.parse(s.startedAt)))
    )
      problems.push('startedAt is not an ISO-8601 time')
  }
  if (problems.length > 0) {
    throw new StateError(
      `${where} is not a rollout state: ${problems.join('; ')}. Restore it from version control, or delete it to start the rollout again at its first step`
    )
  }
  const state = doc as unknown as RolloutState
  if (state.rollout !== rollout) {
    throw new StateError(
      `${where} belongs to rollout "${state.rollout}", not "${rollout}" (policy rollout.name); use a separate --state file per rollout`
    )
  }
  return state
}
