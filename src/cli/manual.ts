import type { ManualCommand } from '../decide/types.js'
import { parseStepWeight } from '../errors.js'
import { command, decideAgainOnConflict } from '../evaluate.js'
import { knownSecrets, loadPolicyFile } from '../policyFile.js'
import { FileStateStore } from '../state/fileStore.js'
import { actuate } from './actuate.js'
import { EXIT_NOT_APPLIED, EXIT_OK, STATE_ATTEMPTS } from './exit.js'
import { currentUser, instant, render, required, text, type Format } from './common.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate rollback|promote|pause|resume`: a person's decision. */
export async function runManual(name: ManualCommand, values: Values, io: Io): Promise<number> {
  const weight = text(values, 'weight')
  const toWeight = weight !== undefined ? parseStepWeight(weight, 'usage: --weight') : undefined
  const nowText = text(values, 'now')
  const loaded = await loadPolicyFile(required(values, 'policy'))
  const store = new FileStateStore(required(values, 'state'), loaded.policy.rollout.name)
  const apply = actuate(loaded.policy, { cwd: io.cwd ?? process.cwd(), dryRun: false })
  const now = nowText !== undefined ? instant('--now', nowText) : io.clock()
  const outcome = await decideAgainOnConflict(
    () =>
      command({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now,
        store,
        secrets: knownSecrets(loaded.policy, process.env),
        command: name,
        actor: text(values, 'actor')?.trim() || currentUser(),
        reason: text(values, 'reason')?.trim() || `${name} requested`,
        ...(toWeight !== undefined && { toWeight }),
        ...(apply && { apply })
      }),
    { attempts: STATE_ATTEMPTS }
  )
  io.out(render(outcome, (text(values, 'format') ?? 'text') as Format))
  return outcome.record.applied?.some(a => !a.ok) ? EXIT_NOT_APPLIED : EXIT_OK
}
