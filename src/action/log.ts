import * as core from '@actions/core'
import { progressPrinter, type Phase, type RunLog } from '../log.js'

/**
 * The Action's log: a group per phase (core.startGroup, folded in the job log), progress of long
 * reads every 15 s, and debug detail (core.debug: shown when the run has step debug logging on,
 * ACTIONS_STEP_DEBUG).
 */
export class ActionLog implements RunLog {
  private open = false

  readonly info = (message: string): void => core.info(message)
  readonly debug = (message: string): void => core.debug(message)
  readonly progress = progressPrinter(
    line => core.info(line),
    () => Date.now(),
    15_000
  )

  phase(name: Phase): void {
    this.end()
    core.startGroup(name)
    this.open = true
  }

  /** Closes the open group, before the run's last words (they belong outside every group). */
  end(): void {
    if (this.open) core.endGroup()
    this.open = false
  }
}
