/**
 * One measurement of bench/backtest.bench.ts in a fresh process: `evaluate` (one evaluation over
 * the whole file, as `npm run bench` measures it) or `backtest POLICY` (every 15 minutes over the
 * file, as `rollout-gate backtest` runs it, rendering included). Prints {ms, rssMb, looks} last.
 */
import { backtest } from '../src/backtest/backtest.js'
import { backtestText } from '../src/backtest/render.js'
import { evaluate } from '../src/evaluate.js'
import { loadPolicyFile, sourceFor } from '../src/policyFile.js'
import { readLogs } from '../src/replay/read.js'
import { ReplaySource } from '../src/replay/replaySource.js'
import { FileSource } from '../src/sources/file/fileSource.js'

const [mode, file, policyPath, fromText, toText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string
]
const from = Date.parse(fromText)
const to = Date.parse(toText)
const EVERY = 15 * 60_000
const started = performance.now()
const loaded = await loadPolicyFile(policyPath)
const source = await sourceFor(loaded, [file])
let looks = 1
if (mode === 'evaluate') {
  const outcome = await evaluate({
    policy: loaded.policy,
    policyHash: loaded.hash,
    source,
    since: from,
    now: to
  })
  if (!outcome.record.dataQuality?.records) throw new Error('no records evaluated')
} else {
  const logs = await readLogs(source as FileSource, loaded.policy)
  const replay = new ReplaySource(logs, loaded.policy, source.describe())
  const instants: number[] = []
  for (let t = from; t <= to; t += EVERY) instants.push(t)
  const result = await backtest({
    policy: loaded.policy,
    policyHash: loaded.hash,
    source: replay,
    looks: instants,
    decisionOnly: true // as the command runs it
  })
  backtestText(result, { policy: loaded.policy, every: EVERY, source: source.describe() })
  looks = result.looks.length
  replay.close()
  logs.store.close()
}
const ms = performance.now() - started
const rssMb = process.resourceUsage().maxRSS / 1024
console.log(JSON.stringify({ ms, rssMb, looks }))
