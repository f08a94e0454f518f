import { applyAll } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import { evaluate } from '../evaluate.js'
import { loadPolicyFile, sourceFor } from '../policyFile.js'
import type { DecisionRecord } from '../report/record.js'
import { FileStateStore } from '../state/fileStore.js'
import { EXIT_FAIL_ON, EXIT_OK } from './exit.js'
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
  const actuators = buildActuators(loaded.policy.actuators ?? [], {
    cwd: process.cwd(),
    env: process.env
  })
  const outcome = await evaluate({
    policy: loaded.policy,
    policyHash: loaded.hash,
    now: nowText !== undefined ? instant('--now', nowText) : io.clock(),
    source: await sourceFor(loaded, list(values, 'records')),
    dryRun,
    replay: nowText !== undefined,
    ...(since !== undefined && { since: instant('--since', since) }),
    ...(store && { store }),
    ...(log && { log }),
    ...(actuators.length > 0 && {
      apply: async (record: DecisionRecord) => {
        log?.phase('Actuators')
        const applied = await applyAll(actuators, record, dryRun)
        for (const a of applied) log?.info(`${a.actuator}: ${a.ok ? 'ok' : 'failed'}`)
        return applied
      }
    })
  })
  io.out(render(outcome, (text(values, 'format') ?? 'text') as Format))
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
