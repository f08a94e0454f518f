/**
 * One Langfuse benchmark measurement in a fresh process: `rollout-gate evaluate` with the example
 * Langfuse policy against the stand-in at argv[2]; prints one JSON line of figures.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluate } from '../src/evaluate.js'
import { loadPolicyFile } from '../src/policyFile.js'
import { LangfuseSource } from '../src/sources/langfuse/langfuseSource.js'

const [url, since, now] = process.argv.slice(2) as [string, string, string]
// Bundled into bench/.data/, so the examples are two folders up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const started = performance.now()
const loaded = await loadPolicyFile(join(root, 'examples', 'langfuse', 'rollout-policy.yml'))
const { policy } = loaded
if (policy.source.type !== 'langfuse') throw new Error('the example policy is not a Langfuse one')
const source = new LangfuseSource({ spec: { ...policy.source, baseUrl: url }, policy })
const outcome = await evaluate({
  policy,
  policyHash: loaded.hash,
  source,
  since: Number(since),
  now: Number(now)
})
const ms = performance.now() - started
const check = outcome.record.checks.find(c => c.name === 'source')
if (check) throw new Error(check.detail)
console.log(
  JSON.stringify({
    ms,
    rssMb: process.resourceUsage().maxRSS / 1024,
    observations: outcome.record.dataQuality?.lines ?? 0,
    decision: outcome.record.decision,
    ...source.lastRead
  })
)
