import * as core from '@actions/core'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyAll } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import type { ManualCommand } from '../decide/types.js'
import { command, evaluate, type Outcome } from '../evaluate.js'
import type { GitHub, Repo } from '../github/client.js'
import type { RepoFiles } from '../github/contents.js'
import { StickyComment } from '../github/stickyComment.js'
import { sourceFor, type LoadedPolicy } from '../policyFile.js'
import { commentMarker } from '../report/markdown.js'
import { recordJson } from '../report/record.js'
import type { Evidence } from '../sketch/evidence.js'
import type { Source } from '../sources/source.js'
import { StateConflictError, type StateStore } from '../state/store.js'
import type { Inputs } from './inputs.js'
import type { ActionLog } from './log.js'

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
    ...(inputs.canaryVersion && { canaryVersion: inputs.canaryVersion }),
    ...(pullRequest !== undefined && { pullRequest }),
    ...(actuators.length > 0 && {
      apply: async (record: Parameters<typeof applyAll>[1]) => {
        log.phase('Actuators')
        const applied = await applyAll(actuators, record, inputs.dryRun)
        for (const a of applied) {
          core.info(`${a.actuator}: ${a.ok ? (a.changed ? 'applied' : 'unchanged') : 'FAILED'}`)
          core.debug(`${a.actuator}: ${a.detail}`)
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
    const source = memoized(await sourceFor(loaded, inputs.records))
    decideOnce = () => evaluate({ ...common, now, source, replay: inputs.now !== undefined })
  } else {
    decideOnce = () => command({ ...common, ...request, now })
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await decideOnce()
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
export async function publish(
  outcome: Outcome,
  { github, inputs, log }: Pick<RunContext, 'github' | 'inputs' | 'log'>,
  pr: number | undefined
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

/** Actuators that failed: the decision was not applied, and the step must say so. */
export function notApplied(outcome: Outcome): string[] {
  const failed = outcome.record.applied?.filter(a => !a.ok) ?? []
  return failed.length > 0
    ? [`not applied: ${failed.map(a => `${a.actuator}: ${a.detail}`).join('; ')}`]
    : []
}

/** The same window collected twice (a retry on the same step) is read once. */
function memoized(source: Source): Source {
  const collected = new Map<string, Promise<Evidence>>()
  let first: Promise<number | undefined> | undefined
  return {
    describe: () => source.describe(),
    collect: request => {
      const key = `${request.window.from}:${request.window.to}:${request.now}`
      let evidence = collected.get(key)
      if (!evidence) collected.set(key, (evidence = source.collect(request)))
      return evidence
    },
    firstCanaryTime: until => (first ??= source.firstCanaryTime(until))
  }
}
