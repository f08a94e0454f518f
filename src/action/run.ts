import * as core from '@actions/core'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { command, evaluate, type Outcome } from '../evaluate.js'
import { PolicyError } from '../policy/types.js'
import { loadPolicyFile, sourceFor } from '../policyFile.js'
import { recordJson } from '../report/record.js'
import { FileStateStore } from '../state/fileStore.js'
import { getInputs } from './inputs.js'

/** The Action: one run, any error turned into a failed step with a message a person can act on. */
export async function run(): Promise<void> {
  try {
    const inputs = getInputs()
    const loaded = await loadPolicyFile(inputs.policy)
    const store = inputs.stateFile
      ? new FileStateStore(inputs.stateFile, loaded.policy.rollout.name)
      : undefined
    const now = inputs.now ?? Date.now()
    if (inputs.command === 'status') {
      const state = await store?.load()
      core.setOutput('rollout', loaded.policy.rollout.name)
      core.info(JSON.stringify(state ?? null, null, 2))
      return
    }
    const common = { policy: loaded.policy, policyHash: loaded.hash, now, ...(store && { store }) }
    const outcome =
      inputs.command === 'evaluate'
        ? await evaluate({
            ...common,
            source: sourceFor(loaded, inputs.records),
            dryRun: inputs.dryRun,
            replay: inputs.now !== undefined
          })
        : await command({
            ...common,
            dryRun: inputs.dryRun,
            command: inputs.command,
            actor: inputs.actor,
            reason: inputs.reason || `${inputs.command} requested`
          })
    await publish(outcome)
    const { decision } = outcome.record
    if (
      (inputs.failOn === 'rollback' && decision === 'rollback') ||
      (inputs.failOn === 'hold' && decision !== 'promote')
    ) {
      core.setFailed(
        `decision is ${decision} (fail-on: ${inputs.failOn}): ${outcome.record.reasons[0] ?? ''}`
      )
    }
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

async function publish(outcome: Outcome): Promise<void> {
  const r = outcome.record
  core.setOutput('decision', r.decision)
  core.setOutput('weight', String(r.next.weight))
  core.setOutput('previous-weight', String(r.step.weight))
  core.setOutput('step', String(r.next.index + 1))
  core.setOutput('rollout', r.rollout)
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'rollout-gate-'))
  const path = join(dir, 'decision.json')
  await writeFile(path, recordJson(r) + '\n')
  core.setOutput('report-path', path)
  core.info(outcome.text)
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(outcome.markdown).write()
}
