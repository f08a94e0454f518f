import { tmpdir } from 'node:os'
import { UsageError } from '../errors.js'
import type { Policy } from '../policy/types.js'
import { FieldCatalog } from '../records/fieldCatalog.js'
import type { RequestRecord } from '../records/record.js'
import type { DataQuality } from '../sketch/evidence.js'
import { EvidenceBuilder } from '../sketch/evidenceBuilder.js'
import type { UnitKey } from '../sketch/unitIndex.js'
import type { FileSource } from '../sources/file/fileSource.js'
import { RowStore } from './rowStore.js'
import { RowEncoder } from './rows.js'

/** Logs read once into rows (rows.ts, rowStore.ts), for every look of a backtest or a plan. */
export interface Logs {
  store: RowStore
  encoder: RowEncoder
  /**
   * What the read found, as a collect() of the same files reports it whatever the window: lines,
   * malformed lines (with samples), unmatched arm labels, the files, the instrumentation scopes.
   * The window's own counts (records, outside the window, future, invalid values) are per look.
   */
  quality: DataQuality
  /** Records of the two arms, and of the canary. */
  records: number
  canaryRecords: number
  /** Earliest and latest record time, and the earliest canary record time (epoch ms). */
  first?: number
  last?: number
  firstCanary?: number
}

export interface ReadOptions {
  /** Bytes of rows held in memory before sorted runs spill to disk (RowStore). */
  memoryBytes?: number
  tempDir?: string
}

/**
 * Reads every file of the source once into a RowStore (sorted by time, spilling to a temporary
 * folder past the memory budget). The caller closes `store` (it removes the spilled runs).
 * Throws SourceError like collect() when nothing can be read.
 */
export async function readLogs(
  source: FileSource,
  policy: Policy,
  options: ReadOptions = {}
): Promise<Logs> {
  refuseVarianceReduction(policy)
  const encoder = new RowEncoder(policy)
  const store = new RowStore(encoder.layout.stride, {
    tempDir: options.tempDir ?? tmpdir(),
    ...(options.memoryBytes !== undefined && { memoryBytes: options.memoryBytes })
  })
  // The builder counts lines, malformed lines, arms and files exactly as a collect() would; it
  // never sees a record (its window is empty), so its evidence is only that data quality.
  const counter = new EvidenceBuilder({
    policy,
    window: { from: 0, to: 0 },
    now: 0,
    source: source.describe()
  })
  const logs: Omit<Logs, 'quality'> = { store, encoder, records: 0, canaryRecords: 0 }
  const fields = new FieldCatalog(policy)
  try {
    await source.read(
      {
        line: () => counter.line(),
        malformed: (where, reason) => counter.malformed(where, reason),
        unmatchedArm: value => counter.unmatchedArm(value),
        fileDone: (path, lines, malformed, problem) =>
          counter.fileDone(path, lines, malformed, problem),
        calls: (scope, version, calls, failed) => counter.calls(scope, version, calls, failed),
        add: (r: RequestRecord, unit?: UnitKey) => {
          const { buffer, at } = store.append()
          encoder.encode(r, unit, buffer, at)
          logs.records++
          if (logs.first === undefined || r.ts < logs.first) logs.first = r.ts
          if (logs.last === undefined || r.ts > logs.last) logs.last = r.ts
          if (r.arm === 'canary') {
            logs.canaryRecords++
            if (logs.firstCanary === undefined || r.ts < logs.firstCanary) logs.firstCanary = r.ts
          }
        }
      },
      fields
    )
    counter.fieldsSeen(fields.result())
  } catch (e) {
    store.close()
    throw e
  }
  store.finish()
  const { quality } = counter.finish()
  return { ...logs, quality }
}

/**
 * The rows keep neither the units' pre-exposure records nor the request covariates, so the window
 * evidence (windowEvidence.ts) has no regression-adjusted moments (MetricSketch.adjusted): a plan
 * or backtest of a policy with variance reduction would decide otherwise than the gate. Refused
 * (exit 2) until the replay carries them.
 */
function refuseVarianceReduction(policy: Policy): void {
  const adjusted = policy.metrics.filter(m => m.varianceReduction).map(m => m.name)
  if (adjusted.length === 0) return
  throw new UsageError(
    `plan and backtest cannot replay variance reduction (CUPED) yet, and the policy's ${adjusted.map(n => `'${n}'`).join(', ')} ${adjusted.length === 1 ? 'metric has' : 'metrics have'} it (the policy's or the metric's varianceReduction); run them on a copy of the policy without varianceReduction (or with varianceReduction: false on those metrics), knowing the gate's adjusted comparisons are narrower`
  )
}
