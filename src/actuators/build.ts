import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { GitHub, Repo } from '../github/client.js'
import type { RepoFiles } from '../github/contents.js'
import type { ActuatorSpec } from '../policy/types.js'
import type { Actuator } from './actuator.js'
import { GitFileActuator, type FileAccess } from './gitFile.js'
import { DeploymentActuator, WorkflowDispatchActuator } from './githubActuators.js'
import { WebhookActuator } from './webhook.js'

/** The environment variable the Action's `webhook-secret` input fills. */
export const WEBHOOK_SECRET_ENV = 'ROLLOUT_GATE_WEBHOOK_SECRET'

/** What the actuators can reach: GitHub in the Action; only the disk and the network in the CLI. */
export interface ActuatorEnv {
  github?: { client: GitHub; repo: Repo; files: RepoFiles; sha: string }
  /** Root for git-file paths when there is no GitHub (the CLI edits the working tree). */
  cwd: string
  env: Record<string, string | undefined>
}

export function buildActuators(specs: ActuatorSpec[], ctx: ActuatorEnv): Actuator[] {
  return specs.map(spec => {
    switch (spec.type) {
      case 'webhook':
        return new WebhookActuator(spec, ctx.env[spec.secretEnv ?? WEBHOOK_SECRET_ENV])
      case 'git-file':
        return new GitFileActuator(
          spec,
          ctx.github ? repoAccess(ctx.github.files, spec.branch) : localAccess(ctx.cwd)
        )
      case 'workflow-dispatch':
        return ctx.github
          ? new WorkflowDispatchActuator(spec, ctx.github.client, ctx.github.repo, () =>
              ctx.github!.files.defaultBranch()
            )
          : needsGitHub(spec)
      case 'deployment':
        return ctx.github
          ? new DeploymentActuator(spec, ctx.github.client, ctx.github.repo, ctx.github.sha)
          : needsGitHub(spec)
    }
  })
}

/** Outside the Action a GitHub actuator does nothing, and says so. */
function needsGitHub(spec: ActuatorSpec): Actuator {
  const name = spec.type
  return {
    name,
    apply: async () => ({
      actuator: name,
      changed: false,
      detail: 'skipped: runs only in the Action'
    })
  }
}

function repoAccess(files: RepoFiles, branch: string | undefined): FileAccess {
  let resolved: string | undefined = branch
  const on = async () => (resolved ??= await files.defaultBranch())
  return {
    describe: path => `${path}${branch ? ` on ${branch}` : ''}`,
    read: async path => files.read(path, await on()),
    write: async (path, text, sha, message) => {
      await files.write(path, await on(), text, sha, message)
    }
  }
}

/** The working tree: the CLI sets the weight in the file; committing it is the user's step. */
function localAccess(cwd: string): FileAccess {
  return {
    describe: path => path,
    read: async path => {
      try {
        return { text: await readFile(resolve(cwd, path), 'utf8') }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw e
      }
    },
    write: async (path, text) => writeFile(resolve(cwd, path), text, 'utf8')
  }
}
