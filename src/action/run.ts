import * as core from '@actions/core'
import { context } from '@actions/github'
import { UsageError } from '../errors.js'
import { createGitHub, parseRepo } from '../github/client.js'
import { RepoFiles } from '../github/contents.js'
import { findPullRequest } from '../github/pullRequest.js'
import { PolicyError } from '../policy/types.js'
import { loadPolicyFile, type LoadedPolicy } from '../policyFile.js'
import { statusText } from '../report/text.js'
import { FileStateStore } from '../state/fileStore.js'
import { GitHubStateStore } from '../state/githubStore.js'
import type { StateStore } from '../state/store.js'
import { runChatCommand } from './chatops.js'
import {
  decideWithRetries,
  notApplied,
  publish,
  type Connection,
  type Request,
  type RunContext
} from './decision.js'
import { getInputs, type Inputs } from './inputs.js'
import { logLine } from './log.js'
import { exportSecrets } from './secrets.js'
import { oneLine } from '../report/sanitize.js'

/** The Action: one run, any error turned into a failed step with a message a person can act on. */
export async function run(): Promise<void> {
  try {
    const inputs = getInputs()
    const loaded = await loadPolicyFile(inputs.policy)
    const { unused } = exportSecrets(inputs.secrets, loaded.policy, process.env)
    for (const input of unused) {
      core.warning(`input "${input}" is set, but the policy has nothing that uses it`)
    }
    maskPolicySecrets(loaded.policy)
    const github = connect(inputs)
    const store = stateStore(inputs, loaded, github)
    const ctx: RunContext = { inputs, loaded, store, github }
    core.setOutput('rollout', loaded.policy.rollout.name)
    if (context.eventName === 'issue_comment') {
      await runChatCommand(ctx, context.payload)
      return
    }
    if (inputs.command === 'status') {
      const state = await store.load()
      logLine(statusText(loaded.policy, state))
      if (state) core.setOutput('step', String(state.stepIndex + 1))
      return
    }
    const pr = github
      ? await findPullRequest(github.client, github.repo, context, {
          ...(inputs.prNumber !== undefined && { input: inputs.prNumber }),
          state: async () => (await store.load())?.pullRequest,
          warn: core.warning
        })
      : undefined
    if (pr) core.info(`Pull request #${pr.number} (from the ${pr.from})`)
    const request: Request =
      inputs.command === 'evaluate'
        ? { command: 'evaluate' }
        : {
            command: inputs.command,
            actor: inputs.actor,
            reason: inputs.reason || `${inputs.command} requested`,
            ...(inputs.toWeight !== undefined && { toWeight: inputs.toWeight })
          }
    const outcome = await decideWithRetries(ctx, request, pr?.number)
    const failures = [
      ...(await publish(outcome, github, pr?.number, inputs.dryRun ? undefined : store)),
      ...notApplied(outcome)
    ]
    const { decision } = outcome.record
    if (
      (inputs.failOn === 'rollback' && decision === 'rollback') ||
      (inputs.failOn === 'hold' && decision !== 'promote')
    ) {
      failures.push(
        `decision is ${decision} (fail-on: ${inputs.failOn}): ${outcome.record.reasons[0] ?? ''}`
      )
    }
    if (failures.length > 0) core.setFailed(failures.map(oneLine).join('\n'))
  } catch (e) {
    if (e instanceof PolicyError) {
      for (const issue of e.issues) {
        core.error(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`, {
          title: 'rollout policy',
          file: issue.file,
          ...(issue.line > 0 && { startLine: issue.line, startColumn: issue.col })
        })
      }
    }
    const message = e instanceof Error ? e.message : String(e)
    core.setFailed(message.split('\n').map(oneLine).join('\n'))
  }
}

/**
 * The policy names the environment variables that hold credentials (`secretKeyEnv`, `tokenEnv`,
 * `secretEnv`, ...), never the credentials themselves; mask every such variable's value, however
 * it was set (an input, or `env:` in the workflow).
 */
function maskPolicySecrets(node: unknown): void {
  if (Array.isArray(node)) node.forEach(maskPolicySecrets)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (/Env$/.test(key) && typeof value === 'string' && process.env[value]) {
        core.setSecret(process.env[value])
      } else maskPolicySecrets(value)
    }
  }
}

function connect(inputs: Inputs): Connection | undefined {
  const repo = parseRepo(process.env.GITHUB_REPOSITORY)
  if (!inputs.token || !repo) return undefined
  const client = createGitHub(inputs.token, core)
  return { client, repo, files: new RepoFiles(client, repo) }
}

function stateStore(
  inputs: Inputs,
  loaded: LoadedPolicy,
  github: Connection | undefined
): StateStore {
  const name = loaded.policy.rollout.name
  if (inputs.state === 'file') return new FileStateStore(inputs.stateFile, name)
  if (!github) {
    throw new UsageError(
      'state: github needs the input "github-token" (default: the workflow token) and GITHUB_REPOSITORY (set on a runner); outside GitHub Actions use state: file with state-file'
    )
  }
  return new GitHubStateStore(github.files, inputs.stateBranch, name)
}
