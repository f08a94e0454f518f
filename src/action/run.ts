import * as core from '@actions/core'
import { context } from '@actions/github'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyAll } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import { command, evaluate, type Outcome } from '../evaluate.js'
import { UsageError } from '../errors.js'
import { createGitHub, parseRepo, type GitHub, type Repo } from '../github/client.js'
import { RepoFiles } from '../github/contents.js'
import { findPullRequest } from '../github/pullRequest.js'
import { StickyComment } from '../github/stickyComment.js'
import { PolicyError } from '../policy/types.js'
import { loadPolicyFile, sourceFor, type LoadedPolicy } from '../policyFile.js'
import { commentMarker } from '../report/markdown.js'
import { recordJson } from '../report/record.js'
import { statusText } from '../report/text.js'
import { FileStateStore } from '../state/fileStore.js'
import { GitHubStateStore } from '../state/githubStore.js'
import { StateConflictError, type StateStore } from '../state/store.js'
import { getInputs, type Inputs } from './inputs.js'
import { exportSecrets } from './secrets.js'

/** Runs racing on one rollout: each conflict re-reads the state and decides again. */
const STATE_ATTEMPTS = 6

interface Connection {
  client: GitHub
  repo: Repo
  files: RepoFiles
}

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
    core.setOutput('rollout', loaded.policy.rollout.name)
    if (inputs.command === 'status') {
      const state = await store.load()
      core.info(statusText(loaded.policy, state))
      if (state) core.setOutput('step', String(state.stepIndex + 1))
      return
    }
    const stored = await store.load()
    const pr = github
      ? await findPullRequest(github.client, github.repo, context, {
          ...(inputs.prNumber !== undefined && { input: inputs.prNumber }),
          ...(stored?.pullRequest !== undefined && { state: stored.pullRequest }),
          warn: core.warning
        })
      : undefined
    if (pr) core.info(`Pull request #${pr.number} (from the ${pr.from})`)
    const outcome = await decideWithRetries(inputs, loaded, store, github, pr?.number)
    const failures = await publish(outcome, github, pr?.number)
    const notApplied = outcome.record.applied?.filter(a => !a.ok) ?? []
    if (notApplied.length > 0) {
      failures.push(`not applied: ${notApplied.map(a => `${a.actuator}: ${a.detail}`).join('; ')}`)
    }
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

/**
 * Decide, apply and save; when another run saved the state in between (compare-and-swap), read it
 * again and decide again, a bounded number of times, so concurrent runs make one transition.
 */
async function decideWithRetries(
  inputs: Inputs,
  loaded: LoadedPolicy,
  store: StateStore,
  github: Connection | undefined,
  pullRequest: number | undefined
): Promise<Outcome> {
  const actuators = buildActuators(loaded.policy.actuators ?? [], {
    cwd: process.cwd(),
    env: process.env,
    ...(github && { github: { ...github, sha: context.sha } })
  })
  const common = {
    policy: loaded.policy,
    policyHash: loaded.hash,
    store,
    dryRun: inputs.dryRun,
    ...(inputs.canaryVersion && { canaryVersion: inputs.canaryVersion }),
    ...(pullRequest !== undefined && { pullRequest }),
    ...(actuators.length > 0 && {
      apply: (record: Parameters<typeof applyAll>[1]) => applyAll(actuators, record, inputs.dryRun)
    })
  }
  for (let attempt = 1; ; attempt++) {
    const now = inputs.now ?? Date.now()
    try {
      return inputs.command === 'evaluate'
        ? await evaluate({
            ...common,
            now,
            source: sourceFor(loaded, inputs.records),
            replay: inputs.now !== undefined
          })
        : await command({
            ...common,
            now,
            command: inputs.command as Exclude<Inputs['command'], 'evaluate' | 'status'>,
            actor: inputs.actor,
            reason: inputs.reason || `${inputs.command} requested`,
            ...(inputs.toWeight !== undefined && { toWeight: inputs.toWeight })
          })
    } catch (e) {
      if (!(e instanceof StateConflictError) || attempt >= STATE_ATTEMPTS) throw e
      core.info(
        `The rollout state changed during this run (attempt ${attempt}); deciding again on the new state`
      )
      await new Promise(r => setTimeout(r, 100 + Math.random() * 400 * attempt))
    }
  }
}

/**
 * Outputs, the decision record file, the job summary and the PR comment. A failure to comment
 * never loses the decision (the state is already saved): it is returned for the step to report.
 */
async function publish(
  outcome: Outcome,
  github: Connection | undefined,
  pr: number | undefined
): Promise<string[]> {
  const r = outcome.record
  core.setOutput('decision', r.decision)
  core.setOutput('weight', String(r.next.weight))
  core.setOutput('previous-weight', String(r.step.weight))
  core.setOutput('step', String(r.next.index + 1))
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'rollout-gate-'))
  const path = join(dir, 'decision.json')
  await writeFile(path, recordJson(r) + '\n')
  core.setOutput('report-path', path)
  core.info(outcome.text)
  const failures: string[] = []
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(outcome.markdown).write()
  if (github && pr !== undefined) {
    try {
      const comment = new StickyComment(github.client, github.repo, pr, commentMarker(r.rollout))
      const result = await comment.upsert(outcome.markdown)
      core.setOutput('comment-url', result.url)
      core.info(`PR comment ${result.action}: ${result.url}`)
    } catch (e) {
      failures.push(`the decision (${r.decision}) is saved, but ${(e as Error).message}`)
    }
  } else if (!github) {
    core.info('No GitHub token or repository: the verdict goes to the job summary only.')
  }
  return failures
}
