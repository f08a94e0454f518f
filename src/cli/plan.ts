import { planOptions } from '../plan/options.js'
import { planFromFiles } from '../plan/run.js'
import { planJson, planMarkdown, planText } from '../plan/render.js'
import { loadPolicyFile } from '../policyFile.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate plan ...` (options parsed by the registry, commands.ts); the exit status. */
export async function runPlan(values: Values, io: Io): Promise<number> {
  const str = (name: string) => values[name] as string | undefined
  const options = planOptions(
    { every: str('every'), replicates: str('replicates'), seed: str('seed') },
    key => `usage: --${key}`
  )
  const loaded = await loadPolicyFile(str('policy') as string)
  const result = await planFromFiles(loaded, {
    records: (values.records as string[] | undefined) ?? [],
    ...options
  })
  const format = str('format') ?? 'text'
  io.out(
    format === 'json'
      ? planJson(result)
      : format === 'markdown'
        ? planMarkdown(result)
        : planText(result)
  )
  return 0
}
