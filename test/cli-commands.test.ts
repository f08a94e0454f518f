import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../examples/generate-traffic.js'
import { cli, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

const packageVersion = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')
).version as string

const dirs: string[] = []
afterAll(() => dirs.forEach(d => rmSync(d, { recursive: true, force: true })))

/** A folder with the test policy and generated traffic in traffic/calls.jsonl. */
function scenario(effect = SCENARIOS.promote, count = 60_000, seed = 7) {
  const dir = tempDir()
  dirs.push(dir)
  writePolicy(dir)
  mkdirSync(join(dir, 'traffic'))
  const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), { count, effect, seed })
  return { dir, end }
}

/** The test policy with one line changed. */
function variant(dir: string, name: string, from: string, to: string): string {
  const text = readFileSync(join(dir, 'policy.yml'), 'utf8')
  expect(text).toContain(from)
  writeFileSync(join(dir, name), text.replace(from, to))
  return name
}

describe('the CLI as people expect it', () => {
  let good: { dir: string; end: string }
  let bad: { dir: string; end: string }
  beforeAll(() => {
    good = scenario(SCENARIOS.promote, 60_000, 7)
    bad = scenario(SCENARIOS.rollback, 60_000, 11)
  })

  it('--version prints the package version', () => {
    for (const flag of ['--version', '-V']) {
      const r = cli([flag], good.dir)
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(`${packageVersion}\n`)
    }
  })

  it("COMMAND --help prints that command's usage, options and exit statuses", () => {
    const r = cli(['evaluate', '--help'], good.dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^rollout-gate evaluate: collect the current step's evidence/)
    expect(r.stdout).toMatch(
      /\n {2}--fail-on rollback\|hold +exit 3 when the decision is a rollback/
    )
    expect(r.stdout).toContain('  3  with --fail-on: the decision matched it')
    expect(r.stdout).not.toContain('rollout-gate status')
    expect(cli(['help', 'validate'], good.dir).stdout).toMatch(/^rollout-gate validate: /)
    expect(cli(['status', '-h'], good.dir).stdout).toMatch(/^rollout-gate status: /)
  })

  it('without a command: the help on stderr, exit 2', () => {
    const r = cli([], good.dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('rollout-gate evaluate --policy FILE')
    expect(r.stdout).toBe('')
  })

  it('did-you-mean for options, commands and values; options of another command say whose', () => {
    const cases: [string[], string][] = [
      [
        ['evaluate', '--polcy', 'policy.yml'],
        'rollout-gate: usage: unknown option --polcy for evaluate; did you mean --policy?\nRun `rollout-gate evaluate --help` for usage.\n'
      ],
      [
        ['evaluate', '--policy', 'policy.yml', '--reason', 'x'],
        'rollout-gate: usage: --reason is not an option of evaluate: it is for rollback, promote, pause and resume\n'
      ],
      [
        [
          'rollback',
          '--policy',
          'policy.yml',
          '--state',
          's.json',
          '--reason',
          'x',
          '--weight',
          '5'
        ],
        'rollout-gate: usage: --weight is not an option of rollback: it is for promote\n'
      ],
      [
        ['evalute', '--policy', 'policy.yml'],
        'rollout-gate: usage: unknown command "evalute"; did you mean evaluate?'
      ],
      [
        ['evaluate', '--policy', 'policy.yml', '--format', 'jsn'],
        'rollout-gate: usage: --format must be text, json or markdown, not "jsn"; did you mean json?\n'
      ],
      [['evaluate', '--policy'], 'rollout-gate: usage: --policy needs a value (FILE)\n'],
      [
        ['pause', '--policy', 'policy.yml', '--state', 's.json'],
        'rollout-gate: usage: pause needs --reason TEXT\n'
      ],
      [['--policy', 'policy.yml', 'evaluate'], 'rollout-gate: usage: the command comes first']
    ]
    for (const [args, message] of cases) {
      const r = cli(args, good.dir)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.startsWith(message), `${args.join(' ')}: ${r.stderr}`).toBe(true)
    }
  })

  it('--fail-on: exit 3 when the decision matches, with the verdict printed as usual', () => {
    const evaluate = (s: { dir: string; end: string }, failOn: string, now = s.end) =>
      cli(
        [
          'evaluate',
          '--policy',
          'policy.yml',
          '--now',
          now,
          '--format',
          'json',
          '--fail-on',
          failOn
        ],
        s.dir
      )
    const rolledBack = evaluate(bad, 'rollback')
    expect(rolledBack.status).toBe(3)
    expect(JSON.parse(rolledBack.stdout).decision).toBe('rollback')
    expect(rolledBack.stderr).toMatch(
      /^rollout-gate: the decision is rollback \(--fail-on rollback\): /
    )
    expect(evaluate(bad, 'hold').status).toBe(3)
    expect(evaluate(bad, 'none').status).toBe(0)
    expect(evaluate(good, 'hold').status).toBe(0)
    // Ten minutes in: still baking, a hold; it fails `hold`, not `rollback`.
    const early = '2026-11-02T08:10:00Z'
    const held = evaluate(good, 'hold', early)
    expect(JSON.parse(held.stdout).decision).toBe('hold')
    expect(held.status).toBe(3)
    expect(evaluate(good, 'rollback', early).status).toBe(0)
  })

  it('--verbose tells the phases on stderr, and keeps stdout for the verdict', () => {
    const r = cli(
      ['evaluate', '--policy', 'policy.yml', '--now', good.end, '--format', 'json', '-v'],
      good.dir
    )
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).decision).toBe('promote')
    for (const line of ['== Policy', '== State', '== Source', '== Analysis']) {
      expect(r.stderr).toContain(`${line}\n`)
    }
    expect(r.stderr).toContain('   Reading files traffic/*.jsonl\n')
    expect(r.stderr).toMatch(/ {3}60,000 lines read, [\d,]+ records in the window, 0 malformed/)
    expect(r.stderr).toContain('   Decision: promote (50% -> 100%)\n')
    expect(r.stderr).toMatch(/ {3}\. metric quality: pass; n /)
  })

  describe('validate', () => {
    it('a policy alone: valid, exit 0', () => {
      const r = cli(['validate', '--policy', 'policy.yml'], good.dir)
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(
        '[ok]    policy: valid: rollout "support-assistant", 2 steps, 4 metrics\n\nThe policy is valid.\n'
      )
    })

    it('records that carry every field: exit 0, with the counts', () => {
      const r = cli(
        ['validate', '--policy', 'policy.yml', '--records', 'traffic/*.jsonl'],
        good.dir
      )
      expect(r.status).toBe(0)
      expect(r.stdout).toMatch(
        /^files traffic\/\*\.jsonl: 60,000 lines, 60,000 records \(baseline [\d,]+, canary [\d,]+\), 0 malformed\n/
      )
      expect(r.stdout).toMatch(
        /\[ok\] {4}metric p95 latency: reads "latency_ms": baseline [\d,]+, canary [\d,]+ values\n/
      )
      expect(r.stdout).toContain(
        '[ok]    pricing: every model served has a price (gpt-4o-2024-08-06)\n'
      )
      expect(r.stdout).toMatch(/\nThe policy fits the data\.\n$/)
    })

    it('a misspelt metric field, an unknown price and a misnamed arm field: exit 2, each explained', () => {
      const typo = variant(good.dir, 'typo.yml', 'from: latency_ms', 'from: latency')
      const r = cli(['validate', '--policy', typo, '--records', 'traffic/*.jsonl'], good.dir)
      expect(r.status).toBe(2)
      expect(r.stdout).toContain(
        '[error] metric p95 latency: reads "latency", which no line has: did you mean "latency_ms"? fix metrics[1].from\n'
      )
      expect(r.stdout).toMatch(/\n1 problem: the policy does not fit this data\.\n$/)

      const price = variant(good.dir, 'price.yml', 'gpt-4o-2024-08-06:', 'gpt-4o-2024-05-13:')
      const p = cli(['validate', '--policy', price, '--records', 'traffic/*.jsonl'], good.dir)
      expect(p.status).toBe(2)
      expect(p.stdout).toMatch(
        /\[error\] pricing: no price for model "gpt-4o-2024-08-06" in policy\.pricing \([\d,]+ records\): add them to pricing \(USD per 1M tokens\), or log cost_usd; priced but never served: "gpt-4o-2024-05-13" \(did you mean "gpt-4o-2024-08-06"\?\)\n/
      )

      const arm = variant(good.dir, 'arm.yml', 'field: arm,', 'field: variant,')
      const a = cli(
        ['validate', '--policy', arm, '--records', 'traffic/*.jsonl', '--format', 'json'],
        good.dir
      )
      expect(a.status).toBe(2)
      const report = JSON.parse(a.stdout)
      expect(report.ok).toBe(false)
      expect(report.findings).toContainEqual({
        level: 'error',
        subject: 'lines',
        message:
          '60,000 of 60,000 lines malformed: no arm field "variant" (60,000 lines, first at traffic/calls.jsonl:1; field "arm" holds the arm labels: set arms.field to it)'
      })
    })

    it('records that match nothing: a clear error, exit 2 (evaluate would hold)', () => {
      const r = cli(['validate', '--policy', 'policy.yml', '--records', 'logs/*.jsonl'], good.dir)
      expect(r.status).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(
        /^rollout-gate: no file matches "logs\/\*\.jsonl" \(searched in .*\); check source\.path in the policy, or the --records \/ records paths\n$/
      )
    })
  })

  it('status: the verdict, the step against its bake time, and the history with who did what', () => {
    const state = join(good.dir, 'state.json')
    const run = (...args: string[]) =>
      cli([...args, '--policy', 'policy.yml', '--state', state], good.dir)
    expect(run('evaluate', '--now', '2026-11-02T08:20:00Z').status).toBe(0)
    expect(
      run(
        'pause',
        '--now',
        '2026-11-02T08:21:00Z',
        '--reason',
        'waiting for evals',
        '--actor',
        'ana'
      ).status
    ).toBe(0)
    expect(run('resume', '--now', '2026-11-02T08:31:00Z', '--actor', 'bo').status).toBe(0)
    const r = run('status', '--now', '2026-11-02T08:41:00Z')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(
      [
        'support-assistant: running at step 1 of 2 (50%)',
        '  [50%] → 100%',
        '  step began 2026-11-02T08:10:00.001Z, 31m ago; bake time 30m (baked), limit 12h (then rollback)',
        '  last verdict 2026-11-02T08:31:00.000Z: resume by bo: resume requested',
        '  state revision 3',
        '',
        'History (2 transitions):',
        '  2026-11-02T08:21:00.000Z  pause     50% -> 50%   by ana: waiting for evals',
        '  2026-11-02T08:31:00.000Z  resume    50% -> 50%   by bo: resume requested',
        ''
      ].join('\n')
    )
    const md = run('status', '--now', '2026-11-02T08:41:00Z', '--format', 'markdown').stdout
    expect(md).toMatch(
      /^### `support-assistant`: running at step 1 of 2 \(50%\)\n\n\*\*50%\*\* → 100%\n/
    )
    expect(md).toContain(
      '| 2026-11-02T08:21:00.000Z | pause | 50% → 50% | ana | waiting for evals |'
    )
  })
})
