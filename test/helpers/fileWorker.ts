import { build } from 'esbuild'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let bundled: Promise<string> | undefined

/**
 * The file source's parsing worker bundled from src (as rollup bundles dist/fileWorker.js), so
 * tests run the parallel reader on the current sources: vitest's transforms do not reach worker
 * threads. Built once per test file.
 */
export function fileWorkerScript(): Promise<string> {
  bundled ??= (async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
    const outfile = join(mkdtempSync(join(tmpdir(), 'rollout-gate-worker-')), 'fileWorker.js')
    await build({
      entryPoints: [join(root, 'src/sources/file/fileWorker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'warning'
    })
    return outfile
  })()
  return bundled
}
