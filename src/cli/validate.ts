import { loadPolicyFile } from '../policyFile.js'
import { SourceError } from '../sources/source.js'
import { UsageError } from '../errors.js'
import { policyReport, validateData, validationText } from '../validate.js'
import { EXIT_OK, EXIT_USAGE } from './exit.js'
import { flag, list, required, stderrLog, text } from './common.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate validate`: the policy, and with --records, the data against it. */
export async function runValidate(values: Values, io: Io): Promise<number> {
  const loaded = await loadPolicyFile(required(values, 'policy'))
  const records = list(values, 'records')
  const log = flag(values, 'verbose') ? stderrLog(io) : undefined
  let report
  try {
    log?.phase('Source')
    report =
      records.length > 0 ? await validateData({ loaded, records }) : policyReport(loaded.policy)
  } catch (e) {
    // Records that match nothing, or cannot be read at all: a clear error, not a hold.
    if (e instanceof SourceError) throw new UsageError(e.message)
    throw e
  }
  io.out(
    text(values, 'format') === 'json'
      ? JSON.stringify(report, null, 2) + '\n'
      : validationText(report)
  )
  return report.ok ? EXIT_OK : EXIT_USAGE
}
