import type { RolloutStatus } from '../decide/types.js'
import type { AppliedAction, DecisionRecord } from '../report/record.js'

/**
 * Applies a decision to the world: moves a traffic weight in a config file, calls a webhook,
 * dispatches a workflow, mirrors a deployment status. Each is optional and configured in the
 * policy's `actuators`. `apply` must be idempotent (the same record applied twice leaves the world
 * as applying it once), so a retried run is safe. It throws when the change was not applied.
 */
export interface Actuator {
  readonly name: string
  apply(record: DecisionRecord, options: ActuatorOptions): Promise<Omit<AppliedAction, 'ok'>>
}

export interface ActuatorOptions {
  dryRun: boolean
  /**
   * This actuator has not applied the saved decision yet (an earlier run failed, or it is new):
   * apply it now even when this run's decision does not change the weight (`on: change`).
   */
  reconcile?: boolean
}

/** What an actuator last applied (RolloutState.applied), as the reconciliation compares it. */
export interface LastApplied {
  weight: number
  status?: RolloutStatus
}

export interface ApplyContext {
  dryRun: boolean
  /**
   * What each actuator last applied; undefined when it never applied anything (or nobody knows),
   * so it is applied again. Omitted: every actuator is taken to be in place.
   */
  lastApplied?: (actuator: string) => LastApplied | undefined
}

/** Whether the decision moves the canary (or is a person's command): what `on: change` waits for. */
export const moves = (r: DecisionRecord): boolean =>
  r.step.weight !== r.next.weight || r.manual !== undefined

/** Whether an actuator that last applied `last` must apply this record (GitOps: converge). */
export const lags = (last: LastApplied | undefined, r: DecisionRecord): boolean =>
  last === undefined ||
  last.weight !== r.next.weight ||
  (last.status !== undefined && last.status !== r.status)

/**
 * Run every actuator in order; one that throws is recorded as not applied and the rest still run
 * (a deployment status should mirror the decision even when a webhook is down).
 */
export async function applyAll(
  actuators: Actuator[],
  record: DecisionRecord,
  { dryRun, lastApplied }: ApplyContext
): Promise<AppliedAction[]> {
  const results: AppliedAction[] = []
  for (const actuator of actuators) {
    const reconcile = lastApplied !== undefined && lags(lastApplied(actuator.name), record)
    try {
      results.push({ ok: true, ...(await actuator.apply(record, { dryRun, reconcile })) })
    } catch (e) {
      results.push({
        actuator: actuator.name,
        ok: false,
        changed: false,
        detail: e instanceof Error ? e.message : String(e)
      })
    }
  }
  return results
}
