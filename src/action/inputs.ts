import * as core from '@actions/core'
import type { ManualCommand } from '../decide/types.js'
import { UsageError, parseStepWeight } from '../errors.js'
import { planOptions } from '../plan/options.js'
import { parseInstant } from '../policy/units.js'

export type ActionCommand = 'evaluate' | ManualCommand | 'status' | 'plan'

/** The Action's credential inputs (secrets.ts says where each goes). */
export const SECRET_INPUTS = [
  'webhook-secret',
  'prometheus-token',
  'prometheus-password',
  'langfuse-public-key',
  'langfuse-secret-key',
  'database-url',
  'judge-api-key'
] as const
export type SecretInput = (typeof SECRET_INPUTS)[number]

export interface Inputs {
  policy: string
  command: ActionCommand
  reason: string
  /** Empty when not given; `state: github` then fails with a clear message. */
  token: string
  prNumber?: number
  state: 'github' | 'file'
  stateBranch: string
  /** For `state: file`. */
  stateFile: string
  records: string[]
  dryRun: boolean
  /** Write the verdict (or the status) to the job summary; `summary: false` turns it off. */
  summary: boolean
  failOn: 'none' | 'rollback' | 'hold'
  canaryVersion?: string
  /** promote only: the step weight to go to. */
  toWeight?: number
  actor: string
  now?: number
  /** plan only: the schedule, the simulated rollouts per step, the seed. */
  plan: { every: number; replicates: number; seed: number }
  /** Credential inputs, already masked; exported to the variables the policy names. */
  secrets: Partial<Record<SecretInput, string>>
}

const COMMANDS: ActionCommand[] = [
  'evaluate',
  'rollback',
  'promote',
  'pause',
  'resume',
  'status',
  'plan'
]

/**
 * Every input, validated up front; a bad one throws a message naming it (the runner does not
 * enforce `required`). Secrets are masked before anything else can print them.
 */
export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const token = core.getInput('github-token').trim()
  if (token) core.setSecret(token)
  const secrets: Inputs['secrets'] = {}
  for (const input of SECRET_INPUTS) {
    const value = core.getInput(input).trim()
    if (!value) continue
    core.setSecret(value)
    secrets[input] = value
  }
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
  const failOn = oneOf('fail-on', ['none', 'rollback', 'hold'] as const, 'none')
  const stateFile = core.getInput('state-file').trim()
  const state = oneOf('state', ['github', 'file'] as const, stateFile ? 'file' : 'github')
  if (state === 'file' && !stateFile) {
    throw new UsageError('input "state-file" is required with state: file (a JSON file path)')
  }
  const stateBranch = core.getInput('state-branch').trim() || 'rollout-state'
  if (
    !/^(?!\/|.*(\.\.|\/\/|@\{|\.lock$))[\w./-]+$/.test(stateBranch) ||
    stateBranch.endsWith('/')
  ) {
    throw new UsageError(`input "state-branch" is not a valid branch name: "${stateBranch}"`)
  }
  const nowText = core.getInput('now').trim()
  const parsedNow = nowText ? parseInstant(nowText) : undefined
  if (parsedNow && !parsedNow.ok) throw new UsageError(`input "now" ${parsedNow.error}`)
  const now = parsedNow?.value
  const prText = core.getInput('pr-number').trim()
  if (prText && !/^[1-9]\d{0,9}$/.test(prText)) {
    throw new UsageError(`input "pr-number" must be a pull request number, not "${prText}"`)
  }
  const canaryVersion = core.getInput('canary-version').trim()
  const weightText = core.getInput('weight').trim()
  const toWeight = weightText ? parseStepWeight(weightText, 'input "weight"') : undefined
  if (toWeight !== undefined && command !== 'promote') {
    throw new UsageError('input "weight" is only for command promote (promote to that step)')
  }
  const planInputs = {
    every: core.getInput('every').trim(),
    replicates: core.getInput('replicates').trim()
  }
  if (command !== 'plan' && (planInputs.every || planInputs.replicates)) {
    throw new UsageError('inputs "every" and "replicates" are only for command plan')
  }
  const plan = planOptions(
    {
      ...(planInputs.every && { every: planInputs.every }),
      ...(planInputs.replicates && { replicates: planInputs.replicates })
    },
    key => `input "${key}"`
  )
  return {
    policy,
    command,
    plan,
    reason,
    token,
    ...(prText && { prNumber: Number(prText) }),
    state,
    stateBranch,
    stateFile,
    records: core
      .getMultilineInput('records')
      .map(s => s.trim())
      .filter(Boolean),
    dryRun: booleanInput('dry-run'),
    summary: booleanInput('summary', true),
    failOn,
    ...(canaryVersion && { canaryVersion }),
    ...(toWeight !== undefined && { toWeight }),
    actor: env.GITHUB_ACTOR || 'github-actions',
    secrets,
    ...(now !== undefined && { now })
  }
}

function oneOf<const T extends string>(name: string, values: readonly T[], fallback: T): T {
  const v = core.getInput(name).trim() || fallback
  if (!values.includes(v as T)) {
    throw new UsageError(`input "${name}" must be ${values.join(', ')}, not "${v}"`)
  }
  return v as T
}

/** Like core.getBooleanInput, but an absent input is `fallback` and the error names the input. */
function booleanInput(name: string, fallback = false): boolean {
  const v = core.getInput(name).trim().toLowerCase()
  if (v === '') return fallback
  if (v === 'false') return false
  if (v === 'true') return true
  throw new UsageError(`input "${name}" must be true or false, not "${v}"`)
}
