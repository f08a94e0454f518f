/**
 * `npm run demo`: generate two days of gateway logs (seeded), then run the real CLI bundle on each:
 * one rollout the gate must promote, one it must roll back. Prints each verdict and the markdown
 * that becomes the PR comment.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, writeTraffic } from './generate-traffic.js'

const here = dirname(fileURLToPath(import.meta.url))
const cli = join(here, '..', 'bin', 'rollout-gate.js')
const policy = join(here, 'rollout-policy.yml')
mkdirSync(join(here, 'traffic'), { recursive: true })

const COUNT = 200_000
const RATE = 12 // requests per second, both arms
// A few minutes after the last call (arrivals are random, so the exact end varies by seconds).
const now = new Date(DEMO_START + (COUNT / RATE) * 1000 + 5 * 60_000).toISOString()

for (const scenario of ['promote', 'rollback'] as const) {
  const file = join(here, 'traffic', `${scenario}.jsonl`)
  await writeTraffic(file, {
    seed: scenario === 'promote' ? 7 : 11,
    start: DEMO_START,
    rate: RATE,
    count: COUNT,
    canaryWeight: 5,
    users: 40000,
    effect: SCENARIOS[scenario]!
  })
  const args = ['evaluate', '--policy', policy, '--records', file, '--now', now]
  console.log(
    `\n=== scenario "${scenario}": rollout-gate ${args.slice(0, 3).join(' ')} --records examples/traffic/${scenario}.jsonl --now ${now}\n`
  )
  for (const format of ['text', 'markdown']) {
    const run = spawnSync(process.execPath, [cli, ...args, '--format', format], {
      encoding: 'utf8'
    })
    process.stdout.write(run.stdout)
    process.stderr.write(run.stderr)
    if (run.status !== 0) process.exit(run.status ?? 1)
    if (format === 'text') console.log('--- the PR comment (markdown) ---\n')
  }
}
