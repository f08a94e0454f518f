import * as core from '@actions/core'
import type { ManualCommand } from '../decide/types.js'
import { UsageError } from '../errors.js'

export type ActionCommand = 'evaluate' | ManualCommand | 'status'

export interface Inputs {
  policy: string
  command: ActionCommand
  reason: string
  /** Local state file; empty: evaluate without remembering. */
  stateFile: string
  records: string[]
  dryRun: boolean
  failOn: 'none' | 'rollback' | 'hold'
  actor: string
  now?: number
}

const COMMANDS: ActionCommand[] = ['evaluate', 'rollback', 'promote', 'pause', 'resume', 'status']

/**
 * Every input, validated up front; a bad one throws a message naming it (the runner does not
 * enforce `required`).
 */
export function getInputs(): Inputs {
  const policy = core.getInput('policy').trim()
  if (!policy)
    throw new UsageError('input "policy" is required: the path of the rollout policy YAML')
  const command = (core.getInput('command').trim() || 'evaluate') as ActionCommand
  if (!COMMANDS.includes(command)) {
    throw new UsageError(`input "command" must be one of ${COMMANDS.join(', ')}, not "${command}"`)
  }
  const reason = core.getInput('reason').trim()
  if ((command === 'rollback' || command === 'promote' || command === 'pause') && !reason) {
    throw new UsageError(
      `input "reason" is required for command ${command}: it is recorded with the decision`
    )
  }
  const failOn = (core.getInput('fail-on').trim() || 'none') as Inputs['failOn']
  if (!['none', 'rollback', 'hold'].includes(failOn)) {
    throw new UsageError(`input "fail-on" must be none, rollback or hold, not "${failOn}"`)
  }
  const nowText = core.getInput('now').trim()
  const now = nowText ? Date.parse(nowText) : undefined
  if (now !== undefined && Number.isNaN(now)) {
    throw new UsageError(`input "now" must be an ISO-8601 instant, not "${nowText}"`)
  }
  return {
    policy,
    command,
    reason,
    stateFile: core.getInput('state-file').trim(),
    records: core
      .getMultilineInput('records')
      .map(s => s.trim())
      .filter(Boolean),
    dryRun: booleanInput('dry-run'),
    failOn,
    actor: process.env.GITHUB_ACTOR || 'github-actions',
    ...(now !== undefined && { now })
  }
}

/** Like core.getBooleanInput, but an absent input is false and the error names the input. */
function booleanInput(name: string): boolean {
  const v = core.getInput(name).trim().toLowerCase()
  if (v === '' || v === 'false') return false
  if (v === 'true') return true
  throw new UsageError(`input "${name}" must be true or false, not "${v}"`)
}
