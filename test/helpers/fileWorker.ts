import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleFileWorker } from '../../bench/bundle.js'

let bundled: Promise<string> | undefined

/**
 * The file source's parsing worker bundled from src (as rollup bundles dist/fileWorker.js), so
 * tests run the parallel reader on the current sources: vitest's transforms do not reach worker
 * threads. Built once per test file.
 */
export function fileWorkerScript(): Promise<string> {
  bundled ??= bundleFileWorker(mkdtempSync(join(tmpdir(), 'rollout-gate-worker-')))
  return bundled
}
