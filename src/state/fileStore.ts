import { randomBytes } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { RolloutState } from '../decide/types.js'
import { StateConflictError, StateError, parseState, type StateStore } from './store.js'

/** How long a save waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 15_000
/** A lock older than this is left over from a process that died mid-save (a save takes ms). */
const STALE_LOCK_MS = 60_000

interface LockOwner {
  pid: number
  host: string
  at: string
  nonce: string
}

/**
 * A local JSON file. `save` is an atomic compare-and-swap: it takes an exclusive lock file
 * (`<file>.lock`, created with O_CREAT|O_EXCL, so only one process can hold it), checks the
 * revision, writes a temporary file, flushes it to disk and renames it over the old one, then
 * releases the lock. Without the lock, two processes could both pass the revision check and the
 * later rename would silently overwrite the earlier one's transition. A lock left by a process
 * that died (same host, no such process, or older than a minute) is broken.
 */
export class FileStateStore implements StateStore {
  private readonly lockPath: string

  constructor(
    private readonly path: string,
    private readonly rollout: string,
    private readonly sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
  ) {
    this.lockPath = `${path}.lock`
  }

  describe(): string {
    return this.path
  }

  async load(): Promise<RolloutState | undefined> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new StateError(`cannot read state file ${this.path}: ${(e as Error).message}`, {
        cause: e
      })
    }
    if (text.trim() === '') {
      throw new StateError(
        `state file ${this.path} is empty; delete it to start the rollout again at its first step`
      )
    }
    return parseState(text, `state file ${this.path}`, this.rollout)
  }

  async save(state: RolloutState, expectedRevision: number | undefined): Promise<void> {
    const owner = await this.lock()
    try {
      const current = await this.load()
      if (current?.revision !== expectedRevision) {
        throw new StateConflictError(`state file ${this.path}`, expectedRevision, current?.revision)
      }
      await this.replace(JSON.stringify(state, null, 2) + '\n')
    } finally {
      await this.unlock(owner)
    }
  }

  /** Write a temporary file, flush it, and rename it over the state: readers see old or new. */
  private async replace(text: string): Promise<void> {
    const tmp = join(
      dirname(this.path),
      `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    )
    try {
      const file = await open(tmp, 'wx')
      try {
        await file.writeFile(text, 'utf8')
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(tmp, this.path)
    } catch (e) {
      await unlink(tmp).catch(() => undefined)
      throw new StateError(`cannot write state file ${this.path}: ${(e as Error).message}`, {
        cause: e
      })
    }
  }

  private async lock(): Promise<LockOwner> {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      at: new Date().toISOString(),
      nonce: randomBytes(8).toString('hex')
    }
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        const file = await open(this.lockPath, 'wx')
        try {
          await file.writeFile(JSON.stringify(owner) + '\n', 'utf8')
        } finally {
          await file.close()
        }
        return owner
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code !== 'EEXIST') {
          throw new StateError(
            `cannot lock state file ${this.path} (${this.lockPath}): ${(e as Error).message}`,
            { cause: e }
          )
        }
      }
      const held = await this.readLock()
      if (held && (await this.stale(held))) {
        await this.breakLock(held)
        continue
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        const who = held
          ? ` by process ${held.owner.pid} on ${held.owner.host} since ${held.owner.at}`
          : ''
        throw new StateError(
          `state file ${this.path} is locked${who}; if no rollout-gate is running on it, delete ${this.lockPath} and run again`
        )
      }
      await this.sleep(Math.min(500, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()))
    }
  }

  private async readLock(): Promise<{ owner: LockOwner; mtimeMs: number } | undefined> {
    try {
      const [text, info] = await Promise.all([readFile(this.lockPath, 'utf8'), stat(this.lockPath)])
      const owner = JSON.parse(text) as LockOwner
      return { owner, mtimeMs: info.mtimeMs }
    } catch {
      // Gone (released meanwhile), or not written yet by its creator: look again.
      return undefined
    }
  }

  private async stale(held: { owner: LockOwner; mtimeMs: number }): Promise<boolean> {
    if (Date.now() - held.mtimeMs > STALE_LOCK_MS) return true
    if (held.owner.host !== hostname() || typeof held.owner.pid !== 'number') return false
    try {
      process.kill(held.owner.pid, 0)
      return false
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH'
    }
  }

  /** Removes a dead process's lock, unless another process has taken a new one meanwhile. */
  private async breakLock(held: { owner: LockOwner }): Promise<void> {
    const now = await this.readLock()
    if (now?.owner.nonce === held.owner.nonce) await unlink(this.lockPath).catch(() => undefined)
  }

  private async unlock(owner: LockOwner): Promise<void> {
    const held = await this.readLock()
    if (held?.owner.nonce === owner.nonce) await unlink(this.lockPath).catch(() => undefined)
  }
}
