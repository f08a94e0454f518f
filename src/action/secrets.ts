import { WEBHOOK_SECRET_ENV } from '../actuators/build.js'
import type { Policy } from '../policy/types.js'
import { SECRET_INPUTS, type SecretInput } from './inputs.js'

export { SECRET_INPUTS, type SecretInput } from './inputs.js'

/**
 * Where each credential input goes: the environment variables the policy names for it (a policy
 * names variables, never the secrets). An input no part of the policy uses goes nowhere, and
 * `unused` says so, since it is usually a mistake (a source type changed, a judge removed).
 */
export function exportSecrets(
  given: Partial<Record<SecretInput, string>>,
  policy: Policy,
  env: Record<string, string | undefined>
): { unused: SecretInput[] } {
  const src = policy.source
  const targets: Record<SecretInput, (string | undefined)[]> = {
    'webhook-secret': (policy.actuators ?? []).flatMap(a =>
      a.type === 'webhook' ? [a.secretEnv ?? WEBHOOK_SECRET_ENV] : []
    ),
    'prometheus-token': src.type === 'prometheus' ? [src.auth?.bearerTokenEnv] : [],
    'prometheus-password': src.type === 'prometheus' ? [src.auth?.basic?.passwordEnv] : [],
    'langfuse-public-key': src.type === 'langfuse' ? [src.publicKeyEnv] : [],
    'langfuse-secret-key': src.type === 'langfuse' ? [src.secretKeyEnv] : [],
    'database-url': src.type === 'sql' ? [src.urlEnv] : [],
    'judge-api-key': policy.judge ? [policy.judge.apiKeyEnv] : []
  }
  const unused: SecretInput[] = []
  for (const input of SECRET_INPUTS) {
    const value = given[input]
    if (value === undefined) continue
    const names = targets[input].filter((n): n is string => n !== undefined)
    if (names.length === 0) unused.push(input)
    for (const name of names) env[name] = value
  }
  return { unused }
}
