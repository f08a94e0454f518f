import type { GitHub, Repo } from '../github/client.js'
import { explainGitHubError } from '../github/errors.js'
import type { ActuatorSpec } from '../policy/types.js'
import type { DecisionRecord } from '../report/record.js'
import { moves, type Actuator, type ActuatorOptions } from './actuator.js'

type DispatchSpec = Extract<ActuatorSpec, { type: 'workflow-dispatch' }>
type DeploymentSpec = Extract<ActuatorSpec, { type: 'deployment' }>

/**
 * Starts a deploy workflow with the decision as inputs. Events made with the workflow's
 * GITHUB_TOKEN start no other workflow, workflow_dispatch being the exception
 * (https://docs.github.com/en/actions/using-workflows/triggering-a-workflow#triggering-a-workflow-from-a-workflow).
 */
export class WorkflowDispatchActuator implements Actuator {
  readonly name: string

  constructor(
    private readonly spec: DispatchSpec,
    private readonly github: GitHub,
    private readonly repo: Repo,
    private readonly defaultRef: () => Promise<string>
  ) {
    this.name = `workflow-dispatch ${spec.workflow}`
  }

  async apply(record: DecisionRecord, { dryRun, reconcile }: ActuatorOptions) {
    if (this.spec.on === 'change' && !moves(record) && !reconcile) {
      return {
        actuator: this.name,
        changed: false,
        detail: 'not dispatched: the weight did not change'
      }
    }
    const ref = this.spec.ref ?? (await this.defaultRef())
    const inputs = {
      ...this.spec.inputs,
      decision: record.decision,
      weight: String(record.next.weight),
      rollout: record.rollout
    }
    const what = `${this.spec.workflow} on ${ref} with weight ${inputs.weight}`
    if (dryRun)
      return { actuator: this.name, changed: false, detail: `dry run: would dispatch ${what}` }
    try {
      await this.github.rest.actions.createWorkflowDispatch({
        ...this.repo,
        workflow_id: this.spec.workflow,
        ref,
        inputs
      })
    } catch (e) {
      throw explainGitHubError(e, `dispatch workflow ${this.spec.workflow}`, 'actions: write')
    }
    return { actuator: this.name, changed: true, detail: `dispatched ${what}` }
  }
}

/** GitHub limits a deployment status description to 140 characters. */
const DESCRIPTION_LIMIT = 140

/**
 * Mirrors every decision as a deployment status on an environment: in_progress while the rollout
 * runs, success when it completes, failure on a rollback. One deployment per rollout and canary
 * (its `task` names the rollout), so the environment's history reads as one rollout.
 */
export class DeploymentActuator implements Actuator {
  readonly name: string

  constructor(
    private readonly spec: DeploymentSpec,
    private readonly github: GitHub,
    private readonly repo: Repo,
    private readonly sha: string
  ) {
    this.name = `deployment ${spec.environment}`
  }

  async apply(record: DecisionRecord, { dryRun }: ActuatorOptions) {
    const state =
      record.decision === 'rollback'
        ? 'failure'
        : record.complete && record.decision === 'promote'
          ? 'success'
          : record.manual?.command === 'pause'
            ? 'queued'
            : 'in_progress'
    const description = deploymentDescription(record)
    if (dryRun) {
      return {
        actuator: this.name,
        changed: false,
        detail: `dry run: would set ${state}: ${description}`
      }
    }
    try {
      const id = await this.deploymentId(record)
      await this.github.rest.repos.createDeploymentStatus({
        ...this.repo,
        deployment_id: id,
        state,
        description,
        environment: this.spec.environment,
        ...(process.env.GITHUB_SERVER_URL &&
          process.env.GITHUB_RUN_ID && {
            log_url: `${process.env.GITHUB_SERVER_URL}/${this.repo.owner}/${this.repo.repo}/actions/runs/${process.env.GITHUB_RUN_ID}`
          })
      })
      return { actuator: this.name, changed: true, detail: `${state}: ${description}` }
    } catch (e) {
      throw explainGitHubError(
        e,
        `set a deployment status on ${this.spec.environment}`,
        'deployments: write'
      )
    }
  }

  private async deploymentId(record: DecisionRecord): Promise<number> {
    const task = `rollout:${record.rollout}`
    const { data } = await this.github.rest.repos.listDeployments({
      ...this.repo,
      environment: this.spec.environment,
      task,
      sha: this.sha,
      per_page: 1
    })
    const existing = data[0]
    if (existing) return existing.id
    const created = await this.github.rest.repos.createDeployment({
      ...this.repo,
      ref: this.sha,
      task,
      environment: this.spec.environment,
      auto_merge: false,
      required_contexts: [],
      description: `ai-rollout-gate: ${record.rollout}`.slice(0, DESCRIPTION_LIMIT),
      payload: { rollout: record.rollout, steps: record.steps }
    })
    if (!('id' in created.data))
      throw new Error(created.data.message ?? 'GitHub did not create the deployment')
    return created.data.id
  }
}

export function deploymentDescription(r: DecisionRecord): string {
  const text = `${r.decision} ${r.step.weight}% → ${r.next.weight}%: ${r.reasons[0] ?? ''}`
  return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`
}
