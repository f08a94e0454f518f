import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { getInputs } from '../src/action/inputs.js'
import { main } from '../src/cli/main.js'
import { UsageError } from '../src/errors.js'
import { T0, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

/** Exit 1 is for bugs only (issue 13): each of these once crashed, or was accepted when wrong. */

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function project(extra = '', replace: [string, string][] = []) {
  const dir = tempDir()
  dirs.push(dir)
  const policy = writePolicy(dir, extra)
  let text = readFileSync(policy, 'utf8')
  for (const [from, to] of replace) text = text.replace(from, to)
  writeFileSync(policy, text)
  mkdirSync(join(dir, 'traffic'))
  const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 12_000 })
  return { dir, policy, end, state: join(dir, 'state.json') }
}

async function run(argv: string[]) {
  let out = ''
  let err = ''
  const status = await main(argv, {
    out: s => void (out += s),
    err: s => void (err += s),
    clock: () => T0 + 3_600_000
  })
  return { status, out, err }
}

const evaluate = (p: { policy: string; end: string }, ...extra: string[]) =>
  run(['evaluate', '--policy', p.policy, '--now', p.end, '--format', 'json', ...extra])

describe('inputs that crashed the CLI exit 0 or 2, never 1', () => {
  it('minSamples: 1e308 is a policy error (exit 2)', async () => {
    const p = project('', [['minSamples: 300', 'minSamples: 1e308']])
    const r = await evaluate(p)
    expect(r.status).toBe(2)
    expect(r.err).toMatch(/rollout\.minSamples: expected an integer >= 1 and <= 1000000000/)
  })

  it('a record with ts: -1e15 is an invalid timestamp, counted as malformed', async () => {
    const p = project()
    writeFileSync(join(p.dir, 'traffic', 'b.jsonl'), '{"ts":-1e15,"arm":"candidate","score":1}\n')
    const r = await evaluate(p)
    expect(r.status, r.err).toBe(0)
    expect(JSON.parse(r.out).dataQuality.malformedSamples).toContain(
      'traffic/b.jsonl:1: invalid timestamp'
    )
  })

  it('a state whose stepStartedAt is the last instant a Date can hold is refused (exit 2)', async () => {
    const p = project()
    writeFileSync(
      p.state,
      JSON.stringify({
        version: 1,
        rollout: 'support-assistant',
        revision: 1,
        status: 'running',
        stepIndex: 0,
        stepStartedAt: '+275760-09-13T00:00:00.000Z',
        history: []
      })
    )
    const r = await evaluate(p, '--state', p.state)
    expect(r.status).toBe(2)
    expect(r.err).toMatch(/stepStartedAt is not an ISO-8601 time/)
  })

  it('a garbage baselineAtStart is left out with a warning, and the next state is clean', async () => {
    const p = project()
    writeFileSync(
      p.state,
      JSON.stringify({
        version: 1,
        rollout: 'support-assistant',
        revision: 1,
        status: 'running',
        stepIndex: 0,
        stepStartedAt: new Date(T0).toISOString(),
        history: [],
        baselineAtStart: { at: 'yesterday', levels: { quality: 'high' } }
      })
    )
    const r = await evaluate(p, '--state', p.state)
    expect(r.status, r.err).toBe(0)
    const check = JSON.parse(r.out).checks.find((c: { name: string }) => c.name === 'state')
    expect(check).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/baselineAtStart/)
    })
    const saved = JSON.parse(readFileSync(p.state, 'utf8'))
    expect(saved.baselineAtStart?.at).not.toBe('yesterday')
  })

  it('minPeakLoad with an evaluation inside the warm-up', async () => {
    const p = project('', [['warmup: 5m', 'warmup: 5m\n  minPeakLoad: 50%']])
    const inside = new Date(T0 + 60_000).toISOString()
    const r = await run([
      'evaluate',
      '--policy',
      p.policy,
      '--since',
      new Date(T0).toISOString(),
      '--now',
      inside
    ])
    expect(r.status, r.err).toBe(0)
    expect(r.out).toMatch(/warm-up/)
  })

  it('minPeakLoad with a source that cannot be read holds', async () => {
    const p = project('', [['warmup: 5m', 'warmup: 5m\n  minPeakLoad: 50%']])
    const r = await evaluate(p, '--records', join(p.dir, 'nothing-here', '*.jsonl'))
    expect(r.status, r.err).toBe(0)
    expect(JSON.parse(r.out).decision).toBe('hold')
  })
})

describe('times are strict ISO-8601', () => {
  it.each([
    ['--now', '2026-02-30', /no such day/],
    ['--now', '2026-11-02T24:00:00Z', /no such time of day/],
    ['--since', 'March 5', /must be an ISO-8601 instant/],
    ['--now', '2026-11-02T10:00:00', /must be an ISO-8601 instant/]
  ])('%s %s is a usage error (exit 2)', async (flag, value, message) => {
    const p = project()
    const r = await run(['evaluate', '--policy', p.policy, flag, value])
    expect(r.status).toBe(2)
    expect(r.err).toMatch(message)
  })

  describe("the Action's now input", () => {
    const saved = { ...process.env }
    afterEach(() => {
      process.env = { ...saved }
    })

    it.each(['March 5', '2026-02-30', '2026-11-02 10:00'])('%j is refused', now => {
      process.env.INPUT_POLICY = 'policy.yml'
      process.env.INPUT_NOW = now
      expect(() => getInputs()).toThrow(UsageError)
      expect(() => getInputs()).toThrow(/input "now" must be an ISO-8601 instant/)
    })

    it('an instant with a zone is read exactly', () => {
      process.env.INPUT_POLICY = 'policy.yml'
      process.env.INPUT_NOW = '2026-11-02T10:00:00+01:00'
      expect(getInputs().now).toBe(Date.parse('2026-11-02T09:00:00Z'))
    })
  })
})
