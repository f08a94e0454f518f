import { constants } from 'node:fs'
import { open, readFile, realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
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

/**
 * The working tree: the CLI sets the weight in the file; committing it is the user's step. The
 * file must be inside the working directory by its real path (symbolic links resolved), so a
 * policy cannot make the gate read or write anything outside it (`../x`, `/etc/...`, a link).
 */
export function localAccess(cwd: string): FileAccess {
  return {
    describe: path => path,
    read: async path => {
      const real = await confined(cwd, path)
      return real === undefined ? undefined : { text: await readFile(real, 'utf8') }
    },
    write: async (path, text) => {
      const real = await confined(cwd, path)
      if (real === undefined) throw new Error(`${path} does not exist any more`)
      // O_NOFOLLOW: a link swapped in since the check is refused, not followed.
      const file = await open(real, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW)
      try {
        await file.writeFile(text, 'utf8')
      } finally {
        await file.close()
      }
    }
  }
}

/** The real path of `path` under `cwd`, undefined when it does not exist; throws when outside. */
async function confined(cwd: string, path: string): Promise<string | undefined> {
  const outside = () =>
    new Error(
      `${path} is outside the working directory; the git-file actuator only edits files inside it (fix actuators[].file)`
    )
  if (isAbsolute(path)) throw outside()
  const root = await realpath(cwd)
  if (!inside(root, resolve(root, path))) throw outside()
  let real: string
  try {
    real = await realpath(resolve(root, path))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  if (!inside(root, real)) throw outside()
  return real
}

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}
