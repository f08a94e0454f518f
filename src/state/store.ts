import type { RolloutState } from '../decide/types.js'

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
  constructor(message: string) {
    super(message)
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

/** Validate a parsed state document for `rollout`; throws StateError naming `where`. */
export function parseState(text: string, where: string, rollout: string): RolloutState {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new StateError(
      `${where} is not valid JSON (${(e as Error).message}); restore it from version control, or delete it to start the rollout again at its first step`
    )
  }
  const s = doc as Partial<RolloutState> | null
  const problems: string[] = []
  if (typeof s !== 'object' || s === null || Array.isArray(s)) problems.push('not an object')
  else {
    if (s.version !== 1) problems.push(`version is ${JSON.stringify(s.version)}, expected 1`)
    if (typeof s.rollout !== 'string') problems.push('rollout is missing')
    if (typeof s.revision !== 'number' || !Number.isInteger(s.revision))
      problems.push('revision is not an integer')
    if (!['running', 'paused', 'complete', 'rolled-back'].includes(s.status as string))
      problems.push(`status ${JSON.stringify(s.status)} is unknown`)
    if (typeof s.stepIndex !== 'number' || !Number.isInteger(s.stepIndex) || s.stepIndex < 0)
      problems.push('stepIndex is not a non-negative integer')
    if (typeof s.stepStartedAt !== 'string' || Number.isNaN(Date.parse(s.stepStartedAt)))
      problems.push('stepStartedAt is not an ISO-8601 time')
    if (!Array.isArray(s.history)) problems.push('history is not a list')
    if (
      s.startedAt !== undefined &&
      (typeof s.startedAt !== 'string' || Number.isNaN(Date.parse(s.startedAt)))
    )
      problems.push('startedAt is not an ISO-8601 time')
  }
  if (problems.length > 0) {
    throw new StateError(
      `${where} is not a rollout state: ${problems.join('; ')}. Delete it to start the rollout again at its first step`
    )
  }
  const state = s as RolloutState
  if (state.rollout !== rollout) {
    throw new StateError(
      `${where} belongs to rollout "${state.rollout}", not "${rollout}" (policy rollout.name); use a separate --state file per rollout`
    )
  }
  return state
}
