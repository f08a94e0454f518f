import { applyAll, type ApplyContext } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import type { RunLog } from '../log.js'
import type { Policy } from '../policy/types.js'
import type { AppliedAction, DecisionRecord } from '../report/record.js'

/**
 * The policy's actuators as the engine's `apply` (undefined without any): each run applies the
 * saved decision again to an actuator that has not applied it yet (`lastApplied`), in the working
 * tree `cwd` (git-file actuators are confined to it).
 */
export function actuate(
  policy: Policy,
  { cwd, dryRun, log }: { cwd: string; dryRun: boolean; log?: RunLog | undefined }
):
  | ((record: DecisionRecord, lastApplied: ApplyContext['lastApplied']) => Promise<AppliedAction[]>)
  | undefined {
  const actuators = buildActuators(policy.actuators ?? [], { cwd, env: process.env })
  if (actuators.length === 0) return undefined
  return async (record, lastApplied) => {
    log?.phase('Actuators')
    const applied = await applyAll(actuators, record, {
      dryRun,
      ...(lastApplied && { lastApplied })
    })
    for (const a of applied) log?.info(`${a.actuator}: ${a.ok ? 'ok' : 'failed'}`)
    return applied
  }
}
