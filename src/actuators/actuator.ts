import type { AppliedAction, DecisionRecord } from '../report/record.js'

/**
 * Applies a decision to the world: moves a traffic weight in a config file, calls a webhook,
 * dispatches a workflow, mirrors a deployment status. Each is optional and configured in the
 * policy's `actuators`. `apply` must be idempotent (the same record applied twice leaves the world
 * as applying it once), so a retried run is safe. It throws when the change was not applied.
 */
export interface Actuator {
  readonly name: string
  apply(record: DecisionRecord, options: { dryRun: boolean }): Promise<Omit<AppliedAction, 'ok'>>
}

/** Whether the decision moves the canary (or is a person's command): what `on: change` waits for. */
export const moves = (r: DecisionRecord): boolean =>
  r.step.weight !== r.next.weight || r.manual !== undefined

/**
 * Run every actuator in order; one that throws is recorded as not applied and the rest still run
 * (a deployment status should mirror the decision even when a webhook is down).
 */
export async function applyAll(
  actuators: Actuator[],
  record: DecisionRecord,
  dryRun: boolean
): Promise<AppliedAction[]> {
  const results: AppliedAction[] = []
  for (const actuator of actuators) {
    try {
      results.push({ ok: true, ...(await actuator.apply(record, { dryRun })) })
    } catch (e) {
      results.push({
        actuator: actuator.name,
        ok: false,
        changed: false,
        detail: (e as Error).message
      })
    }
  }
  return results
}
