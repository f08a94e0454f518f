/**
 * The judge endpoint when it misbehaves (issue 13): a huge retry-after, answers without usage,
 * answers that never parse, refusals, and texts that changed under the same record ids. Through
 * the real `openai` client against the loopback Chat Completions stand-in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { evaluate, type Outcome } from '../src/evaluate.js'
import { openaiChatClient } from '../src/judge/client.js'
import { createJudge } from '../src/judge/run.js'
import { parsePolicy } from '../src/policy/parse.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { FileStateStore } from '../src/state/fileStore.js'
import { startJudgeServer, type JudgeServer, type ServerOptions } from './helpers/judgeServer.js'

const T0 = Date.parse('2026-03-01T00:00:00Z')
const NOW = T0 + 67 * 60_000

const dirs: string[] = []
const servers: JudgeServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** 200 records per arm; record i's output carries grade `grade(arm, i)` (the stand-in reads it). */
function traffic(grade: (arm: string, i: number) => number, extra = '', dir?: string): string {
  const at = dir ?? mkdtempSync(join(tmpdir(), 'judge-endpoint-'))
  if (!dir) dirs.push(at)
  const lines: string[] = []
  for (let i = 0; i < 200; i++) {
    for (const arm of ['baseline', 'canary']) {
      lines.push(
        JSON.stringify({
          id: `${arm}-${i}`,
          ts: T0 + i * 20_000 + (arm === 'canary' ? 1 : 0),
          arm,
          user_id: `u${i}`,
          latency_ms: 500,
          input: `question ${i}`,
          output: `answer ${arm} ${i} [q=${grade(arm, i)}]${extra}`
        })
      )
    }
  }
  writeFileSync(join(at, 'traffic.jsonl'), lines.join('\n') + '\n')
  return at
}

async function judged(
  dir: string,
  judge: string,
  server: ServerOptions = {},
  statePath?: string
): Promise<{ outcome: Outcome; server: JudgeServer; ms: number }> {
  const srv = await startJudgeServer(server)
  servers.push(srv)
  const policy = parsePolicy(
    `version: 1
rollout: { name: judged, steps: [50, 100], minDuration: 30m, warmup: 0s, minSamples: 100 }
arms: { field: arm, baseline: baseline, canary: canary }
source: { type: file, path: traffic.jsonl }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10%, mode: report }
judge:
  model: gpt-4.1-mini
  rubric: Correct, complete and polite.
  sample: 150
  batch: 15
  recheck: 0
  metric: { tolerance: 0.1 }
  baseURL: ${srv.baseURL}
${judge
  .trim()
  .split('\n')
  .map(l => `  ${l}`)
  .join('\n')}
`,
    'policy.yaml'
  )
  const spec = policy.judge!
  const source = new FileSource({
    patterns: ['traffic.jsonl'],
    baseDir: dir,
    format: 'auto',
    policy
  })
  const started = performance.now()
  const outcome = await evaluate({
    policy,
    policyHash: 'sha256:test',
    source,
    now: NOW,
    since: T0,
    judge: createJudge(spec, openaiChatClient(spec, 'sk-test-not-a-real-key-000000')),
    ...(statePath && { store: new FileStateStore(statePath, 'judged') })
  })
  return { outcome, server: srv, ms: performance.now() - started }
}

describe('the judge endpoint', () => {
  it('a retry-after of 200 s is not waited for: the call fails at once, the evaluation ends long before its deadline', async () => {
    const dir = traffic(() => 4)
    const { outcome, ms } = await judged(dir, 'timeout: 5s\nmaxRetries: 1', {
      rateLimited: { requests: 100_000, retryAfter: '200' }
    })
    expect(ms).toBeLessThan(20_000)
    expect(outcome.record.judge?.stopped).toBe('api-failing')
    expect(outcome.record.judge?.errors['HTTP 429']).toBeGreaterThan(0)
    expect(outcome.record.decision).toBe('hold')
  }, 60_000)

  it('a short retry-after is honoured within the deadline', async () => {
    const dir = traffic(() => 4)
    const { outcome, server } = await judged(dir, 'concurrency: 1', {
      rateLimited: { requests: 1, retryAfter: '1' }
    })
    expect(server.times[1]! - server.times[0]!).toBeGreaterThanOrEqual(900)
    expect(outcome.record.judge?.errors).toEqual({})
  })

  it('answers without usage: the cost is unknown, and a USD budget stops judging rather than going unenforced', async () => {
    const dir = traffic(() => 4)
    const { outcome, server } = await judged(
      dir,
      'prices: { input: 0.4, output: 1.6 }\nbudget: { usd: 0.5 }\nconcurrency: 1',
      { noUsage: true }
    )
    const j = outcome.record.judge!
    expect(j.stopped).toBe('usage-unknown')
    expect(j.usd).toBeNull()
    expect(j.callsWithoutUsage).toBe(server.bodies.length)
    expect(server.bodies.length).toBeLessThanOrEqual(30) // one batch, not the whole sample
    expect(j.warnings.join(' ')).toMatch(/no token usage for \d+ calls: the cost is unknown/)
    const metric = outcome.record.metrics.find(m => m.from === 'judge')
    expect(metric?.verdict).toBe('inconclusive')
    expect(metric?.reason).toMatch(/without token usage, so the USD budget cannot be enforced/)
  })

  it('answers that never parse stop judging early', async () => {
    const dir = traffic(() => 4, ' [bad-json]')
    const { outcome, server } = await judged(dir, 'budget: { calls: 400 }')
    expect(outcome.record.judge?.stopped).toBe('unusable-answers')
    expect(server.bodies.length).toBeLessThanOrEqual(30)
    expect(outcome.record.metrics.find(m => m.from === 'judge')?.verdict).toBe('inconclusive')
  })

  it('refusals are counted as refusals, not as schema failures', async () => {
    const dir = traffic(() => 4)
    const { outcome, server } = await judged(dir, '', { refuse: true })
    const j = outcome.record.judge!
    expect(j.parseFailures).toBe(0)
    expect(j.refusals).toBe(server.bodies.length)
    expect(j.stopped).toBe('unusable-answers')
    expect(j.warnings.join(' ')).toMatch(/the judge refused \d+ items/)
  })

  it('the judgement cache is keyed by the texts: changed texts under the same ids are judged again', async () => {
    const dir = traffic(() => 4)
    const state = join(dir, 'state.json')
    const first = await judged(dir, 'budget: { calls: 30 }', {}, state)
    expect(first.outcome.record.judge?.calls).toBe(30)
    // The same record ids, now with worse canary answers.
    traffic((arm, i) => (arm === 'canary' ? 1 + (i % 2) : 4), '', dir)
    const second = await judged(dir, 'budget: { calls: 30 }', {}, state)
    const j = second.outcome.record.judge!
    // Only the unchanged baseline texts come from the cache; no canary verdict is reused.
    expect(j.cacheHits).toBe(15)
    expect(j.calls).toBe(30)
    // Unchanged texts are still found: a third run on the same texts pays nothing new for them.
    const third = await judged(dir, 'budget: { calls: 30 }', {}, state)
    expect(third.outcome.record.judge?.cacheHits).toBeGreaterThanOrEqual(30)
  })
})
