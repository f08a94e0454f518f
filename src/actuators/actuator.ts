import type { DecisionRecord } from '../report/record.js'

/**
 * Applies a decision to the world: moves a traffic weight in a config file, calls a webhook,
 * dispatches a workflow. Each is optional and configured in the policy (a later issue builds
 * git-file, webhook and workflow-dispatch). `apply` must be idempotent: the same record applied
 * twice leaves the world as applying it once, so a retried run is safe.
 */
export interface Actuator {
  readonly name: string
  apply(record: DecisionRecord, options: { dryRun: boolean }): Promise<ActuatorResult>
}

export interface ActuatorResult {
  actuator: string
  /** What changed, for the report ("set litellm_params.weight to 25 in router.yaml"). */
  detail: string
  changed: boolean
}
