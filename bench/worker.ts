/** One benchmark measurement in a fresh process; prints {ms, rssMb, records} as its last line. */
import { createReadStream } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluate } from '../src/evaluate.js'
import { loadPolicyFile, sourceFor } from '../src/policyFile.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { forEachLine } from '../src/sources/file/lines.js'
import { READ_CHUNK_BYTES } from '../src/sources/file/open.js'

const [mode, file, count] = process.argv.slice(2) as [string, string, string]
// Bundled into bench/.data/, so the policy is one folder up.
const here = join(dirname(fileURLToPath(import.meta.url)), '..')
const started = performance.now()
let records = 0

if (mode === 'baseline') {
  await forEachLine(createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }), 1 << 20, line => {
    JSON.parse(line)
    records++
  })
} else {
  const loaded = await loadPolicyFile(join(here, 'bench-policy.yml'))
  // gate: as the CLI reads the file (worker threads); gate-1: on the main thread only.
  const source =
    mode === 'gate-1'
      ? new FileSource({
          patterns: [file],
          baseDir: process.cwd(),
          format: 'auto',
          policy: loaded.policy,
          parallel: false
        })
      : await sourceFor(loaded, [file])
  const outcome = await evaluate({
    policy: loaded.policy,
    policyHash: loaded.hash,
    source,
    since: Date.parse('2026-11-02T08:00:00Z'),
    now: Date.parse('2026-11-02T08:00:00Z') + (Number(count) / 60) * 1000 + 1000
  })
  const quality = outcome.record.dataQuality
  // Every line must become a record, in the window or before it (the warm-up).
  records = (quality?.records ?? 0) + (quality?.outsideWindow ?? 0)
  if (quality?.lines !== Number(count) || records !== Number(count)) {
    throw new Error(`read ${quality?.lines} lines, ${records} records; expected ${count} of each`)
  }
}
const ms = performance.now() - started
const rssMb = process.resourceUsage().maxRSS / 1024
console.log(JSON.stringify({ ms, rssMb, records }))
