import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { bundleFileWorker } from '../../bench/bundle.js'

let bundled: Promise<string> | undefined
let dir: string | undefined
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/**
 * The file source's parsing worker bundled from src (as rollup bundles dist/fileWorker.js), so
 * tests run the parallel reader on the current sources: vitest's transforms do not reach worker
 * threads. Built once per test file, and removed after its tests.
 */
export function fileWorkerScript(): Promise<string> {
  bundled ??= bundleFileWorker((dir = mkdtempSync(join(tmpdir(), 'rollout-gate-worker-'))))
  return bundled
}
