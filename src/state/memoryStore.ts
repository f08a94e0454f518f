import type { RolloutState } from '../decide/types.js'
import { StateConflictError, type StateStore } from './store.js'

/**
 * A rollout state held in memory for the length of one process: `backtest` carries it from look
 * to look as a scheduled workflow carries its state file, and nothing is ever written. Saved
 * through JSON, as the file store does, so a look reads exactly what a state file would give back
 * (an unbounded interval in the history comes back as null, as from a file).
 */
export class MemoryStateStore implements StateStore {
  private state: RolloutState | undefined
  private revision: number | undefined

  constructor(private readonly name = 'memory') {}

  describe(): string {
    return this.name
  }

  /** The saved state; the same object until the next save (evaluate() never changes a loaded state). */
  load(): Promise<RolloutState | undefined> {
    return Promise.resolve(this.state)
  }

  save(state: RolloutState, expectedRevision: number | undefined): Promise<void> {
    if (this.revision !== expectedRevision) {
      return Promise.reject(new StateConflictError(this.name, expectedRevision, this.revision))
    }
    this.state = JSON.parse(JSON.stringify(state)) as RolloutState
    this.revision = state.revision
    return Promise.resolve()
  }
}
