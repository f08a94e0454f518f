import type { RolloutState } from '../decide/types.js'
import { ContentConflictError, type RepoFiles } from '../github/contents.js'
import { StateConflictError, parseState, type StateStore } from './store.js'

/**
 * The rollout state as a JSON document on a dedicated branch (`rollouts/<name>.json`), written with
 * the contents API. The blob sha read by `load` is the compare-and-swap token of `save`: when
 * another run wrote in between, GitHub refuses the write and `save` throws StateConflictError, so
 * the caller re-reads and decides again instead of overwriting that run's transition.
 */
export class GitHubStateStore implements StateStore {
  private readonly path: string
  /** The blob read by the last `load` (undefined: there was no document). */
  private sha: string | undefined

  constructor(
    private readonly files: RepoFiles,
    private readonly branch: string,
    private readonly rollout: string
  ) {
    this.path = `rollouts/${rollout}.json`
  }

  describe(): string {
    return `${this.path} on branch ${this.branch}`
  }

  async load(): Promise<RolloutState | undefined> {
    const file = await this.files.read(this.path, this.branch)
    this.sha = file?.sha
    if (!file) return undefined
    return parseState(file.text, `rollout state ${this.describe()}`, this.rollout)
  }

  async save(state: RolloutState, expectedRevision: number | undefined): Promise<void> {
    if (this.sha === undefined && !(await this.files.hasBranch(this.branch))) {
      await this.files.createBranch(this.branch)
    }
    const last = state.history.at(-1)
    const what = last ? `${last.action} ${last.from}% → ${last.to}%` : state.status
    try {
      const { sha } = await this.files.write(
        this.path,
        this.branch,
        JSON.stringify(state, null, 2) + '\n',
        this.sha,
        `rollout ${this.rollout}: ${what} (revision ${state.revision})`
      )
      this.sha = sha
    } catch (e) {
      if (e instanceof ContentConflictError) {
        throw new StateConflictError(
          `rollout state ${this.describe()}`,
          expectedRevision,
          undefined
        )
      }
      throw e
    }
  }
}
