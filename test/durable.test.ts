import { createServer, type Server } from 'node:http'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { evaluate } from '../src/evaluate.js'
import type { RolloutState } from '../src/decide/types.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { FileStateStore } from '../src/state/fileStore.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { AppliedAction } from '../src/report/record.js'
import { T0, cliAsync, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

/**
 * DESIGN.md principle 8: the decision is saved before anything is applied, every run reconciles
 * the actuators toward it, and a rollback or a pause holds whatever an actuator does.
 */

const dirs: string[] = []
const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A webhook receiver whose answer the test switches; it records every delivery. */
async function receiver() {
  const hook = { status: 500, seen: [] as { decision: string; weight: number }[] }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', d => (body += d))
    req.on('end', () => {
      const record = JSON.parse(body) as { decision: string; next: { weight: number } }
      hook.seen.push({ decision: record.decision, weight: record.next.weight })
      res.writeHead(hook.status).end()
    })
  })
  servers.push(server)
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return { hook, url }
}

function project(): string {
  const dir = tempDir()
  dirs.push(dir)
  mkdirSync(join(dir, 'traffic'))
  return dir
}

function rolloutAt50(dir: string): string {
  const state: RolloutState = {
    version: 1,
    rollout: 'support-assistant',
    revision: 3,
    status: 'running',
    stepIndex: 0,
    stepStartedAt: new Date(T0).toISOString(),
    history: []
  }
  const path = join(dir, 'state.json')
  writeFileSync(path, JSON.stringify(state))
  return path
}

const weightIn = (dir: string) =>
  Number(/weight: (\d+)/.exec(readFileSync(join(dir, 'router.yaml'), 'utf8'))?.[1])
const stateIn = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RolloutState

describe('a decision is durable: saved first, then applied, then reconciled every run', () => {
  it('a manual rollback with a failing webhook stays rolled back, says what is not applied, and is retried until applied', async () => {
    const dir = project()
    const { hook, url } = await receiver()
    writePolicy(
      dir,
      `actuators:
  - { type: git-file, file: router.yaml, set: [{ path: canary.weight }] }
  - { type: webhook, url: '${url}', retries: 0, timeout: 5s }
`
    )
    writeFileSync(join(dir, 'router.yaml'), 'canary:\n  weight: 50 # the canary share\n')
    const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 4000 })
    const state = rolloutAt50(dir)

    const rollback = await cliAsync(
      ['rollback', '--policy', 'policy.yml', '--state', state, '--reason', 'answers got worse'],
      dir
    )
    // Decided and saved, applied to the file, not to the webhook: no success is claimed.
    expect(rollback.status).toBe(4)
    expect(rollback.stdout).toContain('not yet applied everywhere')
    expect(rollback.stdout).toMatch(
      /Not yet applied to webhook http:\/\/127\.0\.0\.1:\d+: .*HTTP 500/
    )
    expect(stateIn(state)).toMatchObject({
      status: 'rolled-back',
      desired: { weight: 0, status: 'rolled-back', reason: 'answers got worse' }
    })
    expect(stateIn(state).desired?.appliedAt).toBeUndefined()
    expect(weightIn(dir)).toBe(0)

    // The next scheduled evaluation, webhook still down: the rollback holds, the file stays at 0.
    const again = await cliAsync(
      ['evaluate', '--policy', 'policy.yml', '--state', state, '--now', end],
      dir
    )
    expect(again.status).toBe(4)
    expect(again.stdout).toMatch(/is rolled back: the canary is at 0%/)
    expect(stateIn(state).status).toBe('rolled-back')
    expect(weightIn(dir)).toBe(0)

    // The webhook is back: the next run delivers the rollback (weight 0) and records it.
    hook.status = 200
    const healed = await cliAsync(
      ['evaluate', '--policy', 'policy.yml', '--state', state, '--now', end],
      dir
    )
    expect(healed.status).toBe(0)
    expect(hook.seen.at(-1)).toEqual({ decision: 'rollback', weight: 0 })
    const final = stateIn(state)
    expect(final.status).toBe('rolled-back')
    expect(final.desired?.appliedAt).toBeDefined()
    expect(Object.values(final.applied ?? {}).map(a => a.weight)).toEqual([0, 0])
    expect(weightIn(dir)).toBe(0)

    // Applied everywhere: the next hold calls nobody again (on: change).
    const calls = hook.seen.length
    const quiet = await cliAsync(
      ['evaluate', '--policy', 'policy.yml', '--state', state, '--now', end],
      dir
    )
    expect(quiet.status).toBe(0)
    expect(hook.seen).toHaveLength(calls)
  })

  it('a pause holds while the webhook that should hear of it is down', async () => {
    const dir = project()
    const { url } = await receiver()
    writePolicy(dir, `actuators:\n  - { type: webhook, url: '${url}', retries: 0 }\n`)
    const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 4000 })
    const state = rolloutAt50(dir)
    const pause = await cliAsync(
      ['pause', '--policy', 'policy.yml', '--state', state, '--reason', 'holiday freeze'],
      dir
    )
    expect(pause.status).toBe(4)
    expect(stateIn(state).status).toBe('paused')
    const evaluated = await cliAsync(
      ['evaluate', '--policy', 'policy.yml', '--state', state, '--now', end],
      dir
    )
    expect(evaluated.stdout).toMatch(/paused by .*: holiday freeze/)
    expect(stateIn(state).status).toBe('paused')
  })

  it('a promotion that reaches every actuator only in a later run starts its step then', async () => {
    const dir = project()
    const policy = parsePolicy(
      readFileSync(writePolicy(dir, '', '[50, 75, 100]'), 'utf8'),
      'policy.yml'
    )
    // Enough traffic for every gating metric to pass at the step's share of the error budget.
    const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 90_000 })
    const path = rolloutAt50(dir)
    const store = new FileStateStore(path, policy.rollout.name)
    const source = new FileSource({
      patterns: ['traffic/*.jsonl'],
      baseDir: dir,
      format: 'auto',
      policy,
      parallel: false
    })
    let up = false
    const apply = async (): Promise<AppliedAction[]> => [
      { actuator: 'router', ok: up, changed: up, detail: up ? 'set' : 'router API down' }
    ]
    const now = Date.parse(end)
    const deps = { policy, policyHash: 'sha256:test', source, store, apply }
    const first = await evaluate({ ...deps, now })
    expect(first.record.decision).toBe('promote')
    expect(first.record.reasons[0]).toMatch(/^Not yet applied to router: router API down/)
    expect(stateIn(path)).toMatchObject({ stepIndex: 1, desired: { weight: 75, from: 50 } })
    up = true
    const later = now + 3_600_000
    await evaluate({ ...deps, now: later })
    const s = stateIn(path)
    expect(s.desired?.appliedAt).toBe(new Date(later).toISOString())
    // The traffic before the router moved was still at 50%: the 75% step starts when it moved.
    expect(s.stepStartedAt).toBe(new Date(later).toISOString())
  })
})
