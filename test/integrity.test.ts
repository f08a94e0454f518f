import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NO_EFFECT, SCENARIOS, traffic } from '../examples/generate-traffic.js'
import type { RolloutState } from '../src/decide/types.js'
import { main } from '../src/cli/main.js'
import { FileStateStore } from '../src/state/fileStore.js'
import { StateConflictError } from '../src/state/store.js'
import { T0, cli, cliAsync, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

/**
 * Fail closed (issue 13): bad timestamps, partial files, a state that does not fit the policy and
 * racing commands never promote, never roll back by accident, and never lose a write.
 */

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function project(policyExtra = '', steps = '[50, 100]'): string {
  const dir = tempDir()
  dirs.push(dir)
  writePolicy(dir, policyExtra, steps)
  mkdirSync(join(dir, 'traffic'))
  return dir
}

function writeState(dir: string, over: Partial<RolloutState> & Record<string, unknown> = {}) {
  const state = {
    version: 1,
    rollout: 'support-assistant',
    revision: 4,
    status: 'running',
    stepIndex: 0,
    stepStartedAt: new Date(T0).toISOString(),
    history: [],
    ...over
  }
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state))
}

const stateOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RolloutState
const record = (stdout: string) =>
  JSON.parse(stdout) as {
    decision: string
    checks: { name: string; status: string; detail: string }[]
    reasons: string[]
  }
const check = (stdout: string, name: string) => record(stdout).checks.find(c => c.name === name)

describe('records far outside the window are data quality, never the step clock', () => {
  it('three canary records stamped 1970 neither start the step nor time it out: they block, named', () => {
    const dir = project()
    const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 12_000 })
    const stray = [1, 2, 3].map(s =>
      JSON.stringify({ ts: `1970-01-01T00:00:0${s}Z`, arm: 'candidate', user_id: 'u1', score: 1 })
    )
    writeFileSync(join(dir, 'traffic', 'b.jsonl'), stray.join('\n') + '\n')
    const r = cli(
      [
        'evaluate',
        '--policy',
        'policy.yml',
        '--state',
        'state.json',
        '--now',
        end,
        '--format',
        'json'
      ],
      dir
    )
    expect(r.status).toBe(0)
    expect(record(r.stdout).decision).toBe('hold')
    const quality = check(r.stdout, 'data-quality')
    expect(quality?.status).toBe('block')
    expect(quality?.detail).toMatch(
      /3 records are dated more than 7d before the window \(traffic\/b\.jsonl: 3 dated 1970-01-01T00:00:01\.000Z to 1970-01-01T00:00:03\.000Z\)/
    )
    // The step began with the real canary traffic, not in 1970.
    const state = stateOf(dir)
    expect(state.status).toBe('running')
    expect(Date.parse(state.stepStartedAt)).toBeGreaterThanOrEqual(T0)
    expect(record(r.stdout).reasons.join(' ')).not.toMatch(/ran \d+d/)
  })
})

describe('records far in the future', () => {
  it('block when the clock is the evaluation time, and are the rest of the log in a replay', async () => {
    const dir = project()
    const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 12_000 })
    writeFileSync(
      join(dir, 'traffic', 'b.jsonl'),
      JSON.stringify({ ts: '2099-01-01T00:00:00Z', arm: 'candidate', user_id: 'u1', score: 1 }) +
        '\n'
    )
    const run = async (args: string[]) => {
      let out = ''
      const status = await main(
        ['evaluate', '--policy', join(dir, 'policy.yml'), '--format', 'json', ...args],
        { out: s => void (out += s), err: () => undefined, clock: () => Date.parse(end) }
      )
      return { status, out }
    }
    const live = await run([])
    expect(live.status).toBe(0)
    expect(check(live.out, 'data-quality')).toMatchObject({
      status: 'block',
      detail: expect.stringMatching(
        /1 records are dated more than 7d after the evaluation time \(.*2099-01-01/
      )
    })
    const replay = await run(['--now', end])
    expect(check(replay.out, 'data-quality')?.detail ?? '').not.toMatch(/dated more than 7d after/)
  })
})

describe('a file that could not be read to its end blocks promotion', () => {
  let end: string
  let dir: string
  beforeAll(() => {
    dir = project()
    end = writeTraffic(join(dir, 'traffic', 'a.jsonl'), {
      count: 60_000,
      effect: SCENARIOS.promote,
      seed: 7
    }).end
  })
  const evaluate = (extra: string[] = []) => {
    writeState(dir)
    return cli(
      [
        'evaluate',
        '--policy',
        'policy.yml',
        '--state',
        'state.json',
        '--now',
        end,
        '--format',
        'json',
        ...extra
      ],
      dir
    )
  }

  it('promotes on the good file alone (the control)', () => {
    expect(record(evaluate().stdout).decision).toBe('promote')
  })

  it('holds when a truncated gzip lies beside it', () => {
    const lines = [
      ...traffic({
        seed: 3,
        start: T0,
        rate: 20,
        count: 3000,
        canaryWeight: 50,
        users: 2000,
        effect: NO_EFFECT
      })
    ]
    const gz = gzipSync(lines.map(r => JSON.stringify(r)).join('\n') + '\n')
    writeFileSync(join(dir, 'traffic', 'b.jsonl'), gz.subarray(0, Math.floor(gz.length / 2)))
    try {
      const r = evaluate()
      expect(r.status).toBe(0)
      expect(record(r.stdout).decision).toBe('hold')
      expect(check(r.stdout, 'data-quality')).toMatchObject({
        status: 'block',
        detail: expect.stringMatching(
          /traffic\/b\.jsonl was not read to its end: .*unexpected end of file/
        )
      })
    } finally {
      rmSync(join(dir, 'traffic', 'b.jsonl'))
    }
  })

  it('holds when an unclosed CSV quote 5,000 rows from the end swallows the rest', () => {
    const rows = [
      ...traffic({
        seed: 5,
        start: T0,
        rate: 20,
        count: 8000,
        canaryWeight: 50,
        users: 2000,
        effect: NO_EFFECT
      })
    ]
    const cols = ['ts', 'arm', 'user_id', 'score', 'latency_ms']
    const csv = [cols.join(',')]
    rows.forEach((r, i) => {
      const cells = cols.map(c => String((r as Record<string, unknown>)[c] ?? ''))
      if (i === rows.length - 5000) cells[1] = `"${cells[1]}`
      csv.push(cells.join(','))
    })
    writeFileSync(join(dir, 'extra.csv'), csv.join('\n') + '\n')
    try {
      const r = evaluate(['--records', 'traffic/a.jsonl', '--records', 'extra.csv'])
      expect(record(r.stdout).decision).toBe('hold')
      expect(check(r.stdout, 'data-quality')).toMatchObject({
        status: 'block',
        detail: expect.stringMatching(/extra\.csv was not read to its end: an unclosed quote/)
      })
    } finally {
      rmSync(join(dir, 'extra.csv'))
    }
  })
})

describe('a state whose step is not in the policy', () => {
  const router = (dir: string) => readFileSync(join(dir, 'router.yaml'), 'utf8')
  function setUp() {
    const dir = project(
      'actuators:\n  - { type: git-file, file: router.yaml, set: [{ path: canary.weight }] }\n',
      '[1, 5, 25, 50, 100]'
    )
    writeFileSync(join(dir, 'router.yaml'), 'canary:\n  weight: 25\n')
    writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 500 })
    writeState(dir, { stepIndex: 99 })
    return dir
  }

  it('is refused (exit 2) with what to do, and nothing is applied', () => {
    const dir = setUp()
    const r = cli(['evaluate', '--policy', 'policy.yml', '--state', 'state.json'], dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(
      /the rollout state is at step 100, but the policy's rollout.steps \[1, 5, 25, 50, 100\] have 5/
    )
    expect(r.stderr).toMatch(/promote --weight/)
    expect(router(dir)).toBe('canary:\n  weight: 25\n')
    expect(stateOf(dir).revision).toBe(4)
    for (const command of ['pause', 'resume']) {
      const refused = cli(
        [command, '--policy', 'policy.yml', '--state', 'state.json', '--reason', 'x'],
        dir
      )
      expect(refused.status, refused.stderr).toBe(2)
    }
  })

  it('is migrated explicitly by promoting to a step of the policy, or rolled back', () => {
    const dir = setUp()
    const moved = cli(
      [
        'promote',
        '--policy',
        'policy.yml',
        '--state',
        'state.json',
        '--weight',
        '25',
        '--reason',
        'steps changed'
      ],
      dir
    )
    expect(moved.status, moved.stderr).toBe(0)
    expect(stateOf(dir)).toMatchObject({ stepIndex: 2, desired: { weight: 25 } })
    expect(router(dir)).toBe('canary:\n  weight: 25\n')
    writeState(dir, { stepIndex: 99 })
    const back = cli(
      ['rollback', '--policy', 'policy.yml', '--state', 'state.json', '--reason', 'unsure'],
      dir
    )
    expect(back.status, back.stderr).toBe(0)
    expect(stateOf(dir).status).toBe('rolled-back')
    expect(router(dir)).toBe('canary:\n  weight: 0\n')
  })
})

describe('the file state store under concurrency: no run reports a write that was lost', () => {
  it('ten saves racing from the same revision: exactly one lands, the others conflict', async () => {
    const dir = project()
    writeState(dir)
    const path = join(dir, 'state.json')
    const saves = Array.from({ length: 10 }, (_, i) => {
      const store = new FileStateStore(path, 'support-assistant')
      const next = { ...stateOf(dir), revision: 5, policyHash: `writer-${i}` }
      return store.save(next, 4).then(
        () => `writer-${i}`,
        (e: unknown) => e
      )
    })
    const outcomes = await Promise.all(saves)
    const won = outcomes.filter((o): o is string => typeof o === 'string')
    expect(won).toHaveLength(1)
    for (const lost of outcomes.filter(o => typeof o !== 'string')) {
      expect(lost).toBeInstanceOf(StateConflictError)
    }
    expect(stateOf(dir).policyHash).toBe(won[0])
  })

  const run = (dir: string, args: string[]) =>
    cliAsync([...args, '--policy', 'policy.yml', '--state', 'state.json'], dir)

  it('a lock left by a process that died is broken; a live one is waited for', async () => {
    const dir = project()
    writeState(dir)
    const path = join(dir, 'state.json')
    const dead = {
      pid: 2 ** 22 + 12345,
      host: hostname(),
      at: new Date().toISOString(),
      nonce: 'x'
    }
    writeFileSync(`${path}.lock`, JSON.stringify(dead))
    const store = new FileStateStore(path, 'support-assistant')
    await store.save({ ...stateOf(dir), revision: 5 }, 4)
    expect(stateOf(dir).revision).toBe(5)
    expect(existsSync(`${path}.lock`)).toBe(false)
    // A live holder (this process): the save waits until it lets go.
    const live = { pid: process.pid, host: hostname(), at: new Date().toISOString(), nonce: 'y' }
    writeFileSync(`${path}.lock`, JSON.stringify(live))
    setTimeout(() => rmSync(`${path}.lock`), 300)
    await store.save({ ...stateOf(dir), revision: 6 }, 5)
    expect(stateOf(dir).revision).toBe(6)
  })

  it('racing pauses: exactly one succeeds, the others are refused on the state it wrote', async () => {
    const dir = project()
    writeState(dir)
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(i => run(dir, ['pause', '--reason', `freeze ${i}`]))
    )
    const ok = results.filter(r => r.status === 0)
    expect(ok).toHaveLength(1)
    for (const r of results.filter(r => r.status !== 0)) {
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/only a running rollout can be paused \(it is paused\)/)
    }
    const history = stateOf(dir).history
    expect(history).toHaveLength(1)
    expect(ok[0]!.stdout).toContain(history[0]!.reason.replace('pause by ', '').split(': ')[1]!)
  })

  it('racing rollbacks: every run that exits 0 is in the history', async () => {
    const dir = project()
    writeState(dir)
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(i => run(dir, ['rollback', '--reason', `reason ${i}`]))
    )
    const reasons = stateOf(dir).history.map(h => h.reason)
    results.forEach((r, i) => {
      if (r.status === 0)
        expect(reasons).toContain(`rollback by ${reasonActor(r.stdout)}: reason ${i + 1}`)
      else expect(r.status).toBe(2)
    })
    expect(results.filter(r => r.status === 0).length).toBe(reasons.length)
  })
})

/** The actor a command's text output names (`... by <actor>: ...`). */
const reasonActor = (stdout: string) => /- rollback by (.+?): reason/.exec(stdout)?.[1] ?? ''
