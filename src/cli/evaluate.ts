import { decideAgainOnConflict, evaluate } from '../evaluate.js'
import { knownSecrets, loadPolicyFile, sourceFor } from '../policyFile.js'
import { memoizedSource } from '../sources/source.js'
import { FileStateStore } from '../state/fileStore.js'
import { actuate } from './actuate.js'
import { EXIT_FAIL_ON, EXIT_NOT_APPLIED, EXIT_OK, STATE_ATTEMPTS } from './exit.js'
import { flag, instant, list, render, required, stderrLog, text, type Format } from './common.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate evaluate`. */
export async function runEvaluate(values: Values, io: Io): Promise<number> {
  const since = text(values, 'since')
  const nowText = text(values, 'now')
  const failOn = text(values, 'fail-on') ?? 'none'
  const dryRun = flag(values, 'dry-run')
  const log = flag(values, 'verbose') ? stderrLog(io) : undefined
  log?.phase('Policy')
  const loaded = await loadPolicyFile(required(values, 'policy'))
  log?.info(`${loaded.path} (${loaded.hash}): rollout "${loaded.policy.rollout.name}"`)
  const statePath = text(values, 'state')
  const store = statePath ? new FileStateStore(statePath, loaded.policy.rollout.name) : undefined
  const apply = actuate(loaded.policy, { cwd: io.cwd ?? process.cwd(), dryRun, log })
  const now = nowText !== undefined ? instant('--now', nowText) : io.clock()
  const source = memoizedSource(await sourceFor(loaded, list(values, 'records')))
  // Another process saved the state first (its compare-and-swap won): decide again on its state.
  const outcome = await decideAgainOnConflict(
    () =>
      evaluate({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now,
        source,
        dryRun,
        replay: nowText !== undefined,
        secrets: knownSecrets(loaded.policy, process.env),
        ...(since !== undefined && { since: instant('--since', since) }),
        ...(store && { store }),
        ...(log && { log }),
        ...(apply && { apply })
      }),
    { attempts: STATE_ATTEMPTS }
  )
  io.out(render(outcome, (text(values, 'format') ?? 'text') as Format))
  // Decided (and saved), but an actuator has not applied it yet: say so to scripts too.
  if (outcome.record.applied?.some(a => !a.ok)) return EXIT_NOT_APPLIED
  const { decision, reasons } = outcome.record
  if (
    (failOn === 'rollback' && decision === 'rollback') ||
    (failOn === 'hold' && decision !== 'promote')
  ) {
    io.err(`rollout-gate: the decision is ${decision} (--fail-on ${failOn}): ${reasons[0] ?? ''}\n`)
    return EXIT_FAIL_ON
  }
  return EXIT_OK
}
