import { applyAll } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import type { ManualCommand } from '../decide/types.js'
import { parseStepWeight } from '../errors.js'
import { command } from '../evaluate.js'
import { loadPolicyFile } from '../policyFile.js'
import type { DecisionRecord } from '../report/record.js'
import { FileStateStore } from '../state/fileStore.js'
import { EXIT_OK } from './exit.js'
import { currentUser, instant, render, required, text, type Format } from './common.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate rollback|promote|pause|resume`: a person's decision. */
export async function runManual(name: ManualCommand, values: Values, io: Io): Promise<number> {
  const weight = text(values, 'weight')
  const toWeight = weight !== undefined ? parseStepWeight(weight, 'usage: --weight') : undefined
  const nowText = text(values, 'now')
  const loaded = await loadPolicyFile(required(values, 'policy'))
  const store = new FileStateStore(required(values, 'state'), loaded.policy.rollout.name)
  const actuators = buildActuators(loaded.policy.actuators ?? [], {
    cwd: process.cwd(),
    env: process.env
  })
  const outcome = await command({
    policy: loaded.policy,
    policyHash: loaded.hash,
    now: nowText !== undefined ? instant('--now', nowText) : io.clock(),
    store,
    command: name,
    actor: text(values, 'actor')?.trim() || currentUser(),
    reason: text(values, 'reason')?.trim() || `${name} requested`,
    ...(toWeight !== undefined && { toWeight }),
    ...(actuators.length > 0 && {
      apply: (record: DecisionRecord) => applyAll(actuators, record, false)
    })
  })
  io.out(render(outcome, (text(values, 'format') ?? 'text') as Format))
  return EXIT_OK
}
