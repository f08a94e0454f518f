import type { RolloutState } from '../decide/types.js'
import { StateConflictError, type StateStore } from './store.js'

/**
 * A rollout state held in memory for the length of one process: `backtest` carries it from look
 * to look as a scheduled workflow carries its state file, and nothing is ever written. Saved as
 * JSON text, as the file store does, so a look reads exactly what a state file would give back.
 */
export class MemoryStateStore implements StateStore {
  private text: string | undefined
  private revision: number | undefined

  constructor(private readonly name = 'memory') {}

  describe(): string {
    return this.name
  }

  load(): Promise<RolloutState | undefined> {
    return Promise.resolve(
      this.text === undefined ? undefined : (JSON.parse(this.text) as RolloutState)
    )
  }

  save(state: RolloutState, expectedRevision: number | undefined): Promise<void> {
    if (this.revision !== expectedRevision) {
      return Promise.reject(new StateConflictError(this.name, expectedRevision, this.revision))
    }
    this.text = JSON.stringify(state)
    this.revision = state.revision
    return Promise.resolve()
  }
}
