import type { JudgeSpec } from '../policy/types.js'
import type { Judge } from './run.js'

/**
 * The policy's judge (judgeFromPolicy), whose code (and the `openai` client) is loaded on its
 * first run only: a policy without a judge, or a paused rollout, never loads it.
 */
export function lazyJudge(spec: JudgeSpec, env: Record<string, string | undefined>): Judge {
  let judge: Promise<Judge> | undefined
  return {
    run: async input => {
      judge ??= import('./index.js').then(m => m.judgeFromPolicy(spec, env))
      return (await judge).run(input)
    }
  }
}
