import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { oneLine } from '../report/sanitize.js'

import { progressPrinter, type Phase, type RunLog } from '../log.js'

/**
 * Writes text that carries data (model names, segment values, error classes, servers' answers)
 * to the job log so that none of it can run as a workflow command: every line has its control
 * characters neutralised (report/sanitize.ts), and the block is wrapped in `::stop-commands::`
 * with a one-time token, so the runner processes no `::command::` in it at all
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands).
 */
export function logUntrusted(text: string): void {
  const token = randomBytes(16).toString('hex')
  core.info(`::stop-commands::${token}`)
  try {
    for (const line of text.replace(/\n$/, '').split('\n')) core.info(oneLine(line))
  } finally {
    core.info(`::${token}::`)
  }
}

/** One line of the log with data in it: its control characters neutralised. */
export const logLine = (text: string): void => core.info(oneLine(text))

/**
 * The Action's log: a group per phase (core.startGroup, folded in the job log), progress of long
 * reads every 15 s, and debug detail (core.debug: shown when the run has step debug logging on,
 * ACTIONS_STEP_DEBUG).
 */
export class ActionLog implements RunLog {
  private open = false

  readonly info = (message: string): void => core.info(oneLine(message))
  readonly debug = (message: string): void => core.debug(oneLine(message))
  readonly progress = progressPrinter(
    line => core.info(oneLine(line)),
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
