import type { JudgeSpec } from '../policy/types.js'
import { openaiChatClient } from './client.js'
import { createJudge, unavailableJudge, type Judge } from './run.js'
import { readLabels } from './labels.js'

/**
 * The judge the policy configures, through the `openai` client, with the API key from the
 * environment variable it names (the Action maps its input to it). Without a key the judge does
 * not run, and the judge metric stays inconclusive with that reason (fail closed).
 */
export function judgeFromPolicy(spec: JudgeSpec, env: Record<string, string | undefined>): Judge {
  const apiKey = env[spec.apiKeyEnv]
  if (!apiKey) {
    return unavailableJudge(
      spec,
      `the judge did not run: the environment variable ${spec.apiKeyEnv} (the judge's API key) is not set`
    )
  }
  const labels = spec.labels === undefined ? undefined : readLabels(spec.labels)
  return createJudge(spec, openaiChatClient(spec, apiKey), {
    ...(labels && { labels: labels.labels }),
    ...(labels?.problem !== undefined && { warnings: [labels.problem] })
  })
}

export { createJudge, type Judge } from './run.js'
export { judgeSampleSize } from './sample.js'
