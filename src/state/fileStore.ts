import { readFile, rename, writeFile, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { RolloutState } from '../decide/types.js'
import { StateConflictError, StateError, parseState, type StateStore } from './store.js'

/** A local JSON file, written atomically (write a temporary file, then rename over the old one). */
export class FileStateStore implements StateStore {
  constructor(
    private readonly path: string,
    private readonly rollout: string
  ) {}

  describe(): string {
    return this.path
  }

  async load(): Promise<RolloutState | undefined> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new StateError(`cannot read state file ${this.path}: ${(e as Error).message}`)
    }
    if (text.trim() === '') {
      throw new StateError(
        `state file ${this.path} is empty; delete it to start the rollout again at its first step`
      )
    }
    return parseState(text, `state file ${this.path}`, this.rollout)
  }

  async save(state: RolloutState, expectedRevision: number | undefined): Promise<void> {
    const current = await this.load()
    if (current?.revision !== expectedRevision) {
      throw new StateConflictError(`state file ${this.path}`, expectedRevision, current?.revision)
    }
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`)
    try {
      await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', 'utf8')
      await rename(tmp, this.path)
    } catch (e) {
      await unlink(tmp).catch(() => undefined)
      throw new StateError(`cannot write state file ${this.path}: ${(e as Error).message}`)
    }
  }
}
