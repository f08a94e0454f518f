import * as core from '@actions/core'
import { UsageError } from '../errors.js'
import { RepoFiles } from '../github/contents.js'
import { findPullRequest } from '../github/pullRequest.js'
import { loadPolicyFile, type LoadedPolicy } from '../policyFile.js'
import { oneLine } from '../report/sanitize.js'
import { statusReport } from '../report/status.js'
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
import type { Inputs } from './inputs.js'
import { logLine, logUntrusted, type ActionLog } from './log.js'
import { exportSecrets } from './secrets.js'

/** A run whose inputs are valid: the policy, then the command (run.ts reports any error). */
export async function execute(inputs: Inputs, log: ActionLog): Promise<void> {
  const loaded = await loadPolicyFile(inputs.policy)
  const { policy } = loaded
  core.info(
    `${loaded.path} (${loaded.hash}): rollout "${policy.rollout.name}", steps ${policy.rollout.steps.join('% ')}%, ${policy.metrics.length} metrics, source ${policy.source.type}`
  )
  core.debug(`command ${inputs.command}, state ${inputs.state}, dry-run ${inputs.dryRun}`)
  for (const m of policy.metrics) {
    core.debug(`metric ${m.name}: ${m.kind} of ${m.from}, ${m.better} is better, mode ${m.mode}`)
  }
  const { unused } = exportSecrets(inputs.secrets, policy, process.env)
  for (const input of unused) {
    core.warning(`input "${input}" is set, but the policy has nothing that uses it`)
  }
  maskPolicySecrets(policy)
  // The GitHub client (octokit) is loaded once the inputs and the policy are known good.
  const { context } = await import('@actions/github')
  const github = await connect(inputs, context.sha)
  const store = stateStore(inputs, loaded, github)
  const ctx: RunContext = { inputs, loaded, store, github, log }
  core.setOutput('rollout', policy.rollout.name)
  if (context.eventName === 'issue_comment') {
    await runChatCommand(ctx, context.payload)
    log.end()
    return
  }
  if (inputs.command === 'status') {
    log.phase('State')
    const state = await store.load()
    const report = statusReport(policy, state, inputs.now ?? Date.now())
    if (state) {
      core.setOutput('step', String(state.stepIndex + 1))
      core.setOutput(
        'weight',
        String(state.stepIndex < 0 ? 0 : policy.rollout.steps[state.stepIndex])
      )
    }
    if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(report.markdown).write()
    }
    log.end()
    logUntrusted(report.text)
    return
  }
  log.phase('GitHub')
  const pr = github
    ? await findPullRequest(github.client, github.repo, context, {
        ...(inputs.prNumber !== undefined && { input: inputs.prNumber }),
        state: async () => (await store.load())?.pullRequest,
        warn: core.warning
      })
    : undefined
  logLine(pr ? `Pull request #${pr.number} (from the ${pr.from})` : 'No pull request to comment on')
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
    ...(await publish(outcome, ctx, pr?.number, inputs.dryRun ? undefined : store)),
    ...notApplied(outcome)
  ]
  log.end()
  logUntrusted(outcome.text)
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

async function connect(inputs: Inputs, sha: string): Promise<Connection | undefined> {
  if (!inputs.token) return undefined
  const { createGitHub, parseRepo } = await import('../github/client.js')
  const repo = parseRepo(process.env.GITHUB_REPOSITORY)
  if (!repo) return undefined
  const client = createGitHub(inputs.token, { warning: message => core.warning(message) })
  return { client, repo, files: new RepoFiles(client, repo), sha }
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
