import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { WEBHOOK_SECRET_ENV } from './actuators/build.js'
import { UsageError } from './errors.js'
import { parsePolicy } from './policy/parse.js'
import type { Policy } from './policy/types.js'
import type { Source } from './sources/source.js'

export interface LoadedPolicy {
  policy: Policy
  /** `sha256:` and the first 16 hex digits of the file's bytes: names the exact policy a verdict used. */
  hash: string
  path: string
}

/** Read and validate a policy file. Throws UsageError (unreadable) or PolicyError (invalid). */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UsageError(
      code === 'ENOENT'
        ? `policy file ${path} does not exist; pass the path of your rollout policy YAML with --policy`
        : `cannot read policy file ${path}: ${(e as Error).message}`
    )
  }
  const policy = parsePolicy(text, path)
  const hash = `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`
  return { policy, hash, path }
}

/**
 * The evidence source the policy names. `records` (CLI --records, Action input) overrides the
 * policy's source with files; those are relative to the working directory, the policy's own to its
 * folder. Each source's code is loaded only when a policy uses it (dist/ is code-split).
 */
export async function sourceFor(loaded: LoadedPolicy, records?: string[]): Promise<Source> {
  const { policy } = loaded
  const spec = policy.source
  if (records && records.length > 0) {
    const { FileSource } = await import('./sources/file/fileSource.js')
    return new FileSource({
      patterns: records,
      baseDir: process.cwd(),
      format: spec.type === 'file' ? spec.format : 'auto',
      policy
    })
  }
  if (spec.type === 'langfuse') {
    const { LangfuseSource } = await import('./sources/langfuse/langfuseSource.js')
    return new LangfuseSource({ spec, policy })
  }
  if (spec.type === 'prometheus') {
    const { PrometheusSource } = await import('./sources/prometheus/prometheusSource.js')
    return new PrometheusSource({ policy, env: process.env })
  }
  if (spec.type === 'sql') {
    const { SqlSource } = await import('./sources/sql/sqlSource.js')
    return new SqlSource({ policy, env: process.env })
  }
  const { FileSource } = await import('./sources/file/fileSource.js')
  return new FileSource({
    patterns: spec.path,
    baseDir: dirname(resolve(loaded.path)),
    format: spec.format,
    policy
  })
}

/**
 * The secret values this policy can reach: every environment variable a `*Env` key names (the
 * Prometheus token and password, the Langfuse keys, the judge's API key, a webhook's secret), the
 * default webhook secret, and the basic-auth header value built from a user and a password. They
 * are scrubbed from any text a server sends back before it is shown or saved.
 */
export function knownSecrets(policy: Policy, env: Record<string, string | undefined>): string[] {
  const found = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (/Env$/.test(key) && typeof value === 'string') {
          const secret = env[value]
          if (secret) found.add(secret)
        } else walk(value)
      }
    }
  }
  walk(policy)
  const webhook = env[WEBHOOK_SECRET_ENV]
  if (webhook && policy.actuators?.some(a => a.type === 'webhook')) found.add(webhook)
  const src = policy.source
  if (src.type === 'prometheus') {
    for (const envName of Object.values(src.headersFromEnv)) {
      const v = env[envName]
      if (v) found.add(v)
    }
    const basic = src.auth?.basic
    const password = basic && env[basic.passwordEnv]
    if (basic && password) found.add(`${basic.user}:${password}`)
  }
  return [...found]
}
