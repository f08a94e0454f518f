import * as core from '@actions/core'
import { UsageError } from '../errors.js'
import { RepoFiles } from '../github/contents.js'
import { findPullRequest } from '../github/pullRequest.js'
import { PolicyError } from '../policy/types.js'
import { loadPolicyFile, type LoadedPolicy } from '../policyFile.js'
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
import { getInputs, type Inputs } from './inputs.js'
import { ActionLog } from './log.js'
import { exportSecrets } from './secrets.js'

/**
 * The Action: one run, any error turned into a failed step with a message a person can act on.
 * The log has a group per phase (policy, state, source, judge, analysis, actuators, GitHub) and
 * ends, outside any group, with the verdict.
 */
export async function run(): Promise<void> {
  const log = new ActionLog()
  try {
    log.phase('Policy')
    const inputs = getInputs()
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
      core.info(report.text)
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
    core.info(
      pr ? `Pull request #${pr.number} (from the ${pr.from})` : 'No pull request to comment on'
    )
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
    const failures = [...(await publish(outcome, ctx, pr?.number)), ...notApplied(outcome)]
    log.end()
    core.info(outcome.text)
    const { decision } = outcome.record
    if (
      (inputs.failOn === 'rollback' && decision === 'rollback') ||
      (inputs.failOn === 'hold' && decision !== 'promote')
    ) {
      failures.push(
        `decision is ${decision} (fail-on: ${inputs.failOn}): ${outcome.record.reasons[0] ?? ''}`
      )
    }
    if (failures.length > 0) core.setFailed(failures.join('\n'))
  } catch (e) {
    log.end()
    if (e instanceof PolicyError) {
      for (const issue of e.issues) {
        core.error(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`, {
          title: 'rollout policy',
          file: issue.file,
          ...(issue.line > 0 && { startLine: issue.line, startColumn: issue.col })
        })
      }
    }
    core.setFailed((e as Error).message)
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

async function connect(inputs: Inputs, sha: string): Promise<Connection | undefined> {
  if (!inputs.token) return undefined
  const { createGitHub, parseRepo } = await import('../github/client.js')
  const repo = parseRepo(process.env.GITHUB_REPOSITORY)
  if (!repo) return undefined
  const client = createGitHub(inputs.token, core)
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
