import { UsageError } from '../errors.js'
import type { LoadedPolicy } from '../policyFile.js'
import { sourceFor } from '../policyFile.js'
import { readLogs } from '../replay/read.js'
import { FileSource } from '../sources/file/fileSource.js'
import { SourceError } from '../sources/source.js'
import { plan, type PlanResult } from './plan.js'

export interface PlanRunOptions {
  /** Record files or globs; empty: the policy's file source. */
  records: string[]
  every: number
  replicates: number
  seed: number
}

/**
 * `plan` as the CLI and the Action run it: the history read once from files (the policy's file
 * source or `records`), then every step simulated. A history that cannot be read, or with no
 * baseline records, is a usage problem (exit 2).
 */
export async function planFromFiles(
  loaded: LoadedPolicy,
  opts: PlanRunOptions
): Promise<PlanResult> {
  const { policy } = loaded
  const source = await sourceFor(loaded, opts.records)
  if (!(source instanceof FileSource)) {
    throw new UsageError(
      `usage: plan reads a history of records from files (--records, or a policy source of type file), not ${source.describe()}; export a few days of the baseline's traffic to JSONL and give it as the records`
    )
  }
  const logs = await readLogs(source, policy).catch((e: unknown) => {
    if (e instanceof SourceError) throw new UsageError(e.message)
    throw e
  })
  try {
    const baseline = logs.records - logs.canaryRecords
    if (baseline < 2) {
      throw new UsageError(
        `usage: the history holds ${baseline} baseline records; plan needs the baseline's recent traffic (check the records and the policy's arms)`
      )
    }
    return await plan({
      policy,
      logs,
      every: opts.every,
      replicates: opts.replicates,
      seed: opts.seed
    })
  } finally {
    logs.store.close()
  }
}
