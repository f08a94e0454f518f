import { loadPolicyFile } from '../policyFile.js'
import { statusReport } from '../report/status.js'
import { FileStateStore } from '../state/fileStore.js'
import { EXIT_OK } from './exit.js'
import { instant, required, text } from './common.js'
import type { Io, Values } from './registry.js'

/** `rollout-gate status`: the stored state, as a person reads it. */
export async function runStatus(values: Values, io: Io): Promise<number> {
  const loaded = await loadPolicyFile(required(values, 'policy'))
  const store = new FileStateStore(required(values, 'state'), loaded.policy.rollout.name)
  const state = await store.load()
  const nowText = text(values, 'now')
  const now = nowText !== undefined ? instant('--now', nowText) : io.clock()
  const format = text(values, 'format') ?? 'text'
  if (format === 'json') io.out(JSON.stringify(state ?? null, null, 2) + '\n')
  else {
    const report = statusReport(loaded.policy, state, now)
    io.out(format === 'markdown' ? report.markdown : report.text)
  }
  return EXIT_OK
}
