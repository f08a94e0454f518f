import * as core from '@actions/core'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyAll, type ApplyContext } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import type { ManualCommand, RolloutState } from '../decide/types.js'
import { command, decideAgainOnConflict, evaluate, type Outcome } from '../evaluate.js'
import type { GitHub, Repo } from '../github/client.js'
import type { RepoFiles } from '../github/contents.js'
import { StickyComment } from '../github/stickyComment.js'
import { knownSecrets, sourceFor, type LoadedPolicy } from '../policyFile.js'
import { commentMarker } from '../report/markdown.js'
import { recordJson } from '../report/record.js'
import { oneLine } from '../report/sanitize.js'
import { memoizedSource } from '../sources/source.js'
import { updateState, type StateStore } from '../state/store.js'
import type { Inputs } from './inputs.js'
import { logLine, type ActionLog } from './log.js'

/** Runs racing on one rollout: each conflict re-reads the state and decides again. */
const STATE_ATTEMPTS = 12

export interface Connection {
  client: GitHub
  repo: Repo
  files: RepoFiles
  /** The commit the workflow runs on (the deployment actuator's ref). */
  sha: string
}

/** What every path of a run shares once the inputs and the policy are read. */
export interface RunContext {
  inputs: Inputs
  loaded: LoadedPolicy
  store: StateStore
  github: Connection | undefined
  log: ActionLog
}

/** What to do: evaluate, or a person's command (from workflow_dispatch or a PR comment). */
export type Request =
  | { command: 'evaluate' }
  | { command: ManualCommand; actor: string; reason: string; toWeight?: number }

/**
 * Decide, apply and save; when another run saved the state in between (compare-and-swap), read it
 * again and decide again, a bounded number of times, so concurrent runs make one transition.
 */
export async function decideWithRetries(
  { inputs, loaded, store, github, log }: RunContext,
  request: Request,
  pullRequest: number | undefined
): Promise<Outcome> {
  const actuators = buildActuators(loaded.policy.actuators ?? [], {
    cwd: process.cwd(),
    env: process.env,
    ...(github && { github })
  })
  const common = {
    policy: loaded.policy,
    policyHash: loaded.hash,
    store,
    dryRun: inputs.dryRun,
    log,
    // Scrubbed from anything a server sends back before it is posted or saved (the log masks them).
    secrets: [
      ...knownSecrets(loaded.policy, process.env),
      ...(inputs.token ? [inputs.token] : []),
      ...Object.values(inputs.secrets)
    ],
    ...(inputs.canaryVersion && { canaryVersion: inputs.canaryVersion }),
    ...(pullRequest !== undefined && { pullRequest }),
    ...(actuators.length > 0 && {
      apply: async (
        record: Parameters<typeof applyAll>[1],
        lastApplied: ApplyContext['lastApplied']
      ) => {
        log.phase('Actuators')
        const applied = await applyAll(actuators, record, {
          dryRun: inputs.dryRun,
          ...(lastApplied && { lastApplied })
        })
        for (const a of applied) {
          logLine(`${a.actuator}: ${a.ok ? (a.changed ? 'applied' : 'unchanged') : 'FAILED'}`)
          core.debug(oneLine(`${a.actuator}: ${a.detail}`))
        }
        return applied
      }
    })
  }
  // One instant and one read of the evidence for all attempts: a retry after a conflict only
  // re-reads the state and decides again, so racing runs settle quickly.
  const now = inputs.now ?? Date.now()
  let decideOnce: () => Promise<Outcome>
  if (request.command === 'evaluate') {
    const source = memoizedSource(await sourceFor(loaded, inputs.records))
    decideOnce = () => evaluate({ ...common, now, source, replay: inputs.now !== undefined })
  } else {
    decideOnce = () => command({ ...common, ...request, now })
  }
  return decideAgainOnConflict(decideOnce, {
    attempts: STATE_ATTEMPTS,
    onRetry: attempt =>
      core.info(
        `The rollout state changed during this run (attempt ${attempt}); deciding again on the new state`
      )
  })
}

/**
 * Outputs, the decision record file, the job summary and the PR comment. A failure to comment
 * never loses the decision (the state is already saved): it is returned for the step to report.
 */
export async function publish(
  outcome: Outcome,
  { github, inputs, log }: Pick<RunContext, 'github' | 'inputs' | 'log'>,
  pr: number | undefined,
  /** Where the comment's id is kept for the next run; undefined on a dry run (nothing is saved). */
  store?: StateStore
): Promise<string[]> {
  log.phase('GitHub')
  const r = outcome.record
  core.setOutput('decision', r.decision)
  core.setOutput('weight', String(r.next.weight))
  core.setOutput('previous-weight', String(r.step.weight))
  core.setOutput('step', String(r.next.index + 1))
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'rollout-gate-'))
  const path = join(dir, 'decision.json')
  await writeFile(path, recordJson(r) + '\n')
  core.setOutput('report-path', path)
  core.info(`Decision record: ${path}`)
  const failures: string[] = []
  if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(outcome.markdown).write()
    core.info('Job summary written')
  }
  if (github && pr !== undefined) {
    try {
      const comment = new StickyComment(github.client, github.repo, pr, commentMarker(r.rollout))
      const kept = outcome.state.comment
      const known = kept?.pullRequest === pr ? { id: kept.id, author: kept.author } : undefined
      const result = await comment.upsert(outcome.markdown, known)
      core.setOutput('comment-url', result.url)
      logLine(`PR comment ${result.action}: ${result.url}`)
      if (store && (known?.id !== result.id || known.author !== result.author)) {
        await rememberComment(store, { pullRequest: pr, id: result.id, author: result.author })
      }
    } catch (e) {
      failures.push(`the decision (${r.decision}) is saved, but ${(e as Error).message}`)
    }
  } else if (!github) {
    core.info('No GitHub token or repository: the verdict goes to the job summary only.')
  }
  return failures
}

/**
 * Keeps the comment's id and author in the rollout state, so the next run edits it whatever the
 * token (a GitHub App's installation token cannot learn its own login). A failure here only means
 * the next run looks the comment up by its marker: it is logged, never fails the step.
 */
async function rememberComment(
  store: StateStore,
  comment: NonNullable<RolloutState['comment']>
): Promise<void> {
  try {
    await updateState(store, state =>
      state.comment?.id === comment.id && state.comment.author === comment.author
        ? undefined
        : { ...state, comment }
    )
  } catch (e) {
    logLine(`Could not keep the comment's id in the rollout state: ${(e as Error).message}`)
  }
}

/** Actuators that failed: the decision was not applied, and the step must say so. */
export function notApplied(outcome: Outcome): string[] {
  const failed = outcome.record.applied?.filter(a => !a.ok) ?? []
  return failed.length > 0
    ? [
        `not yet applied: ${failed.map(a => `${a.actuator}: ${a.detail}`).join('; ')} (the decision is saved and stands; the next run applies it again)`
      ]
    : []
}
