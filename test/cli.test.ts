import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../examples/generate-traffic.js'
import { T0, cli, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

/** One folder per scenario: a policy, a traffic/ folder, and the instant just after the traffic. */
function scenario(effect = SCENARIOS.aa!, count = 60_000, seed = 1) {
  const dir = tempDir()
  writePolicy(dir)
  mkdirSync(join(dir, 'traffic'))
  const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), { count, effect, seed })
  return { dir, end }
}

const json = (stdout: string) => JSON.parse(stdout)

describe('rollout-gate CLI (spawned binary)', () => {
  let good: { dir: string; end: string }
  let bad: { dir: string; end: string }
  beforeAll(() => {
    good = scenario(SCENARIOS.promote, 60_000, 7)
    bad = scenario(SCENARIOS.rollback, 60_000, 11)
  })

  it('--help prints the usage and exits 0', () => {
    const r = cli(['--help'], good.dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/rollout-gate evaluate --policy FILE/)
  })

  it('promotes a good canary and prints the decision record of DESIGN.md', () => {
    const r = cli(
      ['evaluate', '--policy', 'policy.yml', '--now', good.end, '--format', 'json'],
      good.dir
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const rec = json(r.stdout)
    expect(rec).toMatchObject({
      decision: 'promote',
      rollout: 'support-assistant',
      step: { index: 0, weight: 50 },
      next: { weight: 100 },
      complete: true
    })
    expect(rec.arms.canary.n).toBeGreaterThan(20_000)
    expect(rec.metrics.map((m: { name: string }) => m.name)).toEqual([
      'quality',
      'p95 latency',
      'cost per request',
      'error rate'
    ])
    for (const m of rec.metrics) {
      expect(m.verdict).toBe('pass')
      expect(m.delta.lower).toBeLessThan(m.delta.upper)
    }
    expect(
      rec.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`)
    ).toEqual([
      'arms:ok',
      'sample-size:ok',
      'traffic-split:ok',
      'freshness:ok',
      'data-quality:ok',
      'fields:ok',
      'a/a:ok',
      'cache:ok',
      'model:ok',
      'load:ok'
    ])
  })

  it('rolls back a canary that is slower and worse, naming the failing metrics', () => {
    const r = cli(
      ['evaluate', '--policy', 'policy.yml', '--now', bad.end, '--format', 'json'],
      bad.dir
    )
    expect(r.status).toBe(0)
    const rec = json(r.stdout)
    expect(rec.decision).toBe('rollback')
    expect(rec.next.weight).toBe(0)
    const failed = rec.metrics
      .filter((m: { verdict: string }) => m.verdict === 'fail')
      .map((m: { name: string }) => m.name)
    expect(failed).toEqual(expect.arrayContaining(['quality', 'p95 latency', 'cost per request']))
    expect(rec.reasons.join('\n')).toMatch(/p95 latency worsened \+\d+%/)
  })

  it('reads a large log on worker threads to exactly the verdict one thread reads', () => {
    // Over 16 MiB of plain JSONL is parsed by dist/fileWorker.js; the same lines gzipped are read
    // on the main thread. The decision records must agree to the last digit.
    const log = join(good.dir, 'traffic', 'calls.jsonl')
    expect(statSync(log).size).toBeGreaterThan(16 << 20)
    mkdirSync(join(good.dir, 'gz'), { recursive: true })
    writeFileSync(join(good.dir, 'gz', 'calls.jsonl.gz'), gzipSync(readFileSync(log)))
    const run = (records: string) => {
      const r = cli(
        [
          'evaluate',
          '--policy',
          'policy.yml',
          '--now',
          good.end,
          '--format',
          'json',
          '--records',
          records
        ],
        good.dir
      )
      expect(r.stderr).toBe('')
      return json(r.stdout.replaceAll(records, 'LOG'))
    }
    const parallel = run('traffic/calls.jsonl')
    expect(parallel.decision).toBe('promote')
    expect(run('gz/calls.jsonl.gz')).toEqual(parallel)
  })

  it('prints the PR comment as markdown', () => {
    const r = cli(
      ['evaluate', '--policy', 'policy.yml', '--now', bad.end, '--format', 'markdown'],
      bad.dir
    )
    expect(r.stdout).toMatch(
      /^<!-- ai-rollout-gate:support-assistant -->\n### ⏪ Roll back `support-assistant`: 50% → 0%/
    )
    expect(r.stdout).toContain(
      '| metric | baseline | canary | change (interval) | tolerance | verdict |'
    )
  })

  it('promote --weight goes straight to a later step; a weight that is no step is refused', () => {
    const dir = tempDir()
    writePolicy(dir, '', '[5, 25, 50, 100]')
    const promote = (w: string) =>
      cli(
        ['promote', '--policy', 'policy.yml', '--state', 's.json', '--reason', 'ok', '--weight', w],
        dir
      )
    const to50 = promote('50%')
    expect(to50.status, to50.stderr).toBe(0)
    expect(to50.stdout).toMatch(/Promoted `support-assistant` by hand: 5% → 50%/)
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).stepIndex).toBe(2)
    const to30 = promote('30')
    expect(to30.status).toBe(2)
    expect(to30.stderr).toMatch(/30% is not a step of this rollout \(5%, 25%, 50%, 100%\)/)
    const back = promote('25')
    expect(back.stderr).toMatch(/already at 50%; promote only moves forward/)
  })

  it('holds early in a step and says what is still needed', () => {
    const early = new Date(T0 + 20 * 60_000).toISOString()
    const r = cli(['evaluate', '--policy', 'policy.yml', '--now', early], good.dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^⏸️ Hold `support-assistant` at 50%/)
    expect(r.stdout).toMatch(/bake time: 10m of the 30m minimum still to go/)
  })

  it('keeps state across runs: a promotion starts the next step, commands are recorded', () => {
    const dir = scenario(SCENARIOS.promote, 60_000, 7).dir
    writePolicy(dir, '', '[10, 50, 100]')
    const state = join(dir, 'state.json')
    // The traffic is a 50/50 split, so at the 10% step the sample-ratio test must hold.
    const first = json(
      cli(
        [
          'evaluate',
          '--policy',
          'policy.yml',
          '--state',
          state,
          '--now',
          good.end,
          '--format',
          'json'
        ],
        dir
      ).stdout
    )
    expect(first.decision).toBe('hold')
    expect(first.checks.find((c: { name: string }) => c.name === 'traffic-split').status).toBe(
      'block'
    )
    const saved = JSON.parse(readFileSync(state, 'utf8'))
    expect(saved).toMatchObject({
      rollout: 'support-assistant',
      revision: 1,
      stepIndex: 0,
      status: 'running'
    })

    const pause = cli(
      [
        'pause',
        '--policy',
        'policy.yml',
        '--state',
        state,
        '--reason',
        'holiday freeze',
        '--actor',
        'ana'
      ],
      dir
    )
    expect(pause.status).toBe(0)
    const paused = json(
      cli(
        [
          'evaluate',
          '--policy',
          'policy.yml',
          '--state',
          state,
          '--now',
          good.end,
          '--format',
          'json'
        ],
        dir
      ).stdout
    )
    expect(paused.reasons[0]).toMatch(/^paused by ana at .*: holiday freeze$/)
    expect(
      cli(['pause', '--policy', 'policy.yml', '--state', state, '--reason', 'again'], dir).status
    ).toBe(2)

    const rb = json(
      cli(
        [
          'rollback',
          '--policy',
          'policy.yml',
          '--state',
          state,
          '--reason',
          'answers got worse',
          '--actor',
          'ana',
          '--format',
          'json'
        ],
        dir
      ).stdout
    )
    expect(rb).toMatchObject({
      decision: 'rollback',
      next: { weight: 0 },
      manual: { command: 'rollback', actor: 'ana', reason: 'answers got worse' }
    })
    const status = cli(
      ['status', '--policy', 'policy.yml', '--state', state, '--format', 'json'],
      dir
    )
    const s = json(status.stdout)
    expect(s.status).toBe('rolled-back')
    expect(s.history.map((h: { action: string }) => h.action)).toEqual([
      'hold',
      'pause',
      'hold',
      'rollback'
    ])
  })

  describe('bad input: a clear message and exit 2 (policy, usage) or a hold (data), never a crash', () => {
    const evaluate = (dir: string, ...more: string[]) =>
      cli(
        [
          'evaluate',
          '--policy',
          'policy.yml',
          '--now',
          '2026-11-02T09:30:00Z',
          '--format',
          'json',
          ...more
        ],
        dir
      )

    it('a missing policy file', () => {
      const r = cli(['evaluate', '--policy', 'nope.yml'], tempDir())
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/policy file nope\.yml does not exist/)
    })

    it('an empty policy file and a YAML syntax error name file:line:col', () => {
      const dir = tempDir()
      writeFileSync(join(dir, 'policy.yml'), '')
      const empty = evaluate(dir)
      expect(empty.status).toBe(2)
      expect(empty.stderr).toMatch(/policy\.yml:\d+:\d+: .*empty/)
      writeFileSync(join(dir, 'policy.yml'), 'version: 1\nrollout:\n  name: [unclosed\n')
      const broken = evaluate(dir)
      expect(broken.status).toBe(2)
      expect(broken.stderr).toMatch(/policy\.yml:\d+:\d+:/)
    })

    it('an unknown key gets a did-you-mean with its position', () => {
      const dir = tempDir()
      writePolicy(dir, 'confidnce: 0.9\n')
      const r = evaluate(dir)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/policy\.yml:17:1: .*confidnce.*did you mean `confidence`/)
    })

    it('usage errors: unknown command, bad --now, missing --reason', () => {
      const dir = tempDir()
      writePolicy(dir)
      expect(cli(['deploy', '--policy', 'policy.yml'], dir)).toMatchObject({ status: 2 })
      const now = cli(['evaluate', '--policy', 'policy.yml', '--now', 'yesterday'], dir)
      expect(now.status).toBe(2)
      expect(now.stderr).toMatch(/--now must be an ISO-8601 instant/)
      const reason = cli(['rollback', '--policy', 'policy.yml', '--state', 's.json'], dir)
      expect(reason.status).toBe(2)
      expect(reason.stderr).toMatch(/rollback needs --reason/)
    })

    it('record files that do not exist hold, naming the pattern', () => {
      const dir = tempDir()
      writePolicy(dir)
      const r = evaluate(dir)
      expect(r.status).toBe(0)
      const rec = json(r.stdout)
      expect(rec.decision).toBe('hold')
      expect(rec.checks[0]).toMatchObject({ name: 'source', status: 'block' })
      expect(rec.checks[0].detail).toMatch(/traffic\/\*\.jsonl/)
    })

    it('an empty file and a binary file hold', () => {
      for (const content of [
        Buffer.alloc(0),
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3])
      ]) {
        const dir = tempDir()
        writePolicy(dir)
        mkdirSync(join(dir, 'traffic'))
        writeFileSync(join(dir, 'traffic', 'x.jsonl'), content)
        const rec = json(evaluate(dir).stdout)
        expect(rec.decision).toBe('hold')
        expect(rec.checks.some((c: { status: string }) => c.status === 'block')).toBe(true)
      }
    })

    it('only one arm, or an arm label that matches nothing, holds and shows the labels seen', () => {
      const dir = tempDir()
      writePolicy(dir)
      mkdirSync(join(dir, 'traffic'))
      writeTraffic(join(dir, 'traffic', 'calls.jsonl'), { count: 20_000 })
      const renamed = readFileSync(join(dir, 'traffic', 'calls.jsonl'), 'utf8').replaceAll(
        '"candidate"',
        '"cand"'
      )
      writeFileSync(join(dir, 'traffic', 'calls.jsonl'), renamed)
      const rec = json(evaluate(dir).stdout)
      expect(rec.decision).toBe('hold')
      const arms = rec.checks.find((c: { name: string }) => c.name === 'arms')
      expect(arms.status).toBe('block')
      expect(arms.detail).toMatch(/canary \["candidate"\].*"cand" \(\d+\)/)
    })

    it('--now before every record holds: nothing is in the window', () => {
      const rec = json(
        cli(
          [
            'evaluate',
            '--policy',
            'policy.yml',
            '--now',
            '2026-11-01T00:00:00Z',
            '--since',
            '2026-10-31T23:00:00Z',
            '--format',
            'json'
          ],
          good.dir
        ).stdout
      )
      expect(rec.decision).toBe('hold')
      expect(rec.arms).toEqual({ baseline: { n: 0, units: 0 }, canary: { n: 0, units: 0 } })
      expect(rec.dataQuality.future).toBe(60_000)
    })

    it('NaN and negative latencies are counted, not used; too many of them block promotion', () => {
      const dir = tempDir()
      writePolicy(dir)
      mkdirSync(join(dir, 'traffic'))
      const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), {
        count: 60_000,
        effect: SCENARIOS.promote,
        seed: 7
      })
      const lines = readFileSync(join(dir, 'traffic', 'calls.jsonl'), 'utf8').split('\n')
      const broken = lines.map((l, i) =>
        i % 40 === 0 && l
          ? l.replace(/"latency_ms":\d+/, i % 80 ? '"latency_ms":-5' : '"latency_ms":"NaN"')
          : l
      )
      writeFileSync(join(dir, 'traffic', 'calls.jsonl'), broken.join('\n'))
      const rec = json(
        cli(['evaluate', '--policy', 'policy.yml', '--now', end, '--format', 'json'], dir).stdout
      )
      expect(rec.decision).toBe('hold')
      const dq = rec.checks.find((c: { name: string }) => c.name === 'data-quality')
      expect(dq.status).toBe('block')
      expect(dq.detail).toMatch(
        /\d+ invalid latency_ms values \(negative or not a finite number\) \(2\.\d% of records > 1\.0%\)/
      )
    })

    it('malformed lines are counted and sampled by file:line, never by content; many block promotion', () => {
      const dir = tempDir()
      writePolicy(dir)
      mkdirSync(join(dir, 'traffic'))
      const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), {
        count: 60_000,
        effect: SCENARIOS.promote,
        seed: 7
      })
      const lines = readFileSync(join(dir, 'traffic', 'calls.jsonl'), 'utf8').split('\n')
      const broken = lines.map((l, i) => (i % 50 === 3 && l ? l.slice(0, 40) + 'SECRET-PROMPT' : l))
      writeFileSync(join(dir, 'traffic', 'calls.jsonl'), broken.join('\n'))
      const r = cli(['evaluate', '--policy', 'policy.yml', '--now', end, '--format', 'json'], dir)
      const rec = json(r.stdout)
      expect(rec.decision).toBe('hold')
      expect(rec.dataQuality.malformed).toBe(1200)
      expect(rec.dataQuality.malformedSamples[0]).toMatch(/calls\.jsonl:4: /)
      expect(r.stdout).not.toContain('SECRET-PROMPT')
    })

    it('records after --now are ignored as a replay; past the real clock they are skew and hold', () => {
      const dir = tempDir()
      writePolicy(dir)
      mkdirSync(join(dir, 'traffic'))
      const file = join(dir, 'traffic', 'calls.jsonl')
      writeTraffic(file, { count: 20_000 })
      const args = ['evaluate', '--policy', 'policy.yml', '--since', '2026-11-02T08:00:00Z']
      const replay = json(
        cli([...args, '--now', '2026-11-02T08:10:00Z', '--format', 'json'], dir).stdout
      )
      expect(replay.dataQuality.future).toBeGreaterThan(0)
      const dq = replay.checks.find((c: { name: string }) => c.name === 'data-quality')
      expect(dq).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/records after the evaluation time ignored/)
      })
      // Stamp a tenth of the calls in 2099: with the real clock as now, that is skew. (The step
      // began weeks before the real clock, so let it outlive maxDuration without rolling back.)
      const policy = join(dir, 'policy.yml')
      writeFileSync(
        policy,
        readFileSync(policy, 'utf8').replace('warmup: 5m', 'warmup: 5m\n  onTimeout: hold')
      )
      const lines = readFileSync(file, 'utf8').split('\n')
      writeFileSync(
        file,
        lines.map((l, i) => (i % 10 === 0 ? l.replace('"ts":"2026', '"ts":"2099') : l)).join('\n')
      )
      const skewed = json(cli([...args, '--format', 'json'], dir).stdout)
      expect(skewed.decision).toBe('hold')
      const skew = skewed.checks.find((c: { name: string }) => c.name === 'data-quality')
      expect(skew.status).toBe('block')
      expect(skew.detail).toMatch(
        /2,000 records are timestamped after the evaluation time \(clock skew/
      )
    })

    it('stale evidence holds: --now long after the last record never promotes', () => {
      const later = new Date(Date.parse(good.end) + 6 * 3600_000).toISOString()
      const rec = json(
        cli(['evaluate', '--policy', 'policy.yml', '--now', later, '--format', 'json'], good.dir)
          .stdout
      )
      expect(rec.decision).toBe('hold')
      const fresh = rec.checks.find((c: { name: string }) => c.name === 'freshness')
      expect(fresh.status).toBe('block')
      expect(fresh.detail).toMatch(
        /canary's newest records are from before .*, \dh\d*m? before the evaluation time/
      )
    })

    it('a boolean CSV column works as a rate metric', () => {
      const dir = tempDir()
      writePolicy(dir, '', '[50, 100]')
      const policy = join(dir, 'policy.yml')
      const text = readFileSync(policy, 'utf8')
        .replace("path: 'traffic/*.jsonl'", "path: 'traffic/*.csv'")
        .replace(
          /metrics:\n( {2}- .*\n)+/,
          'metrics:\n  - { name: resolved, from: resolved, kind: rate, better: higher, tolerance: 5pp }\n'
        )
      writeFileSync(policy, text)
      mkdirSync(join(dir, 'traffic'))
      const rows = ['ts,arm,user_id,resolved']
      for (let i = 0; i < 4000; i++) {
        const ts = new Date(T0 + i * 1000).toISOString()
        rows.push(`${ts},${i % 2 ? 'candidate' : 'stable'},u${i},${i % 5 ? 'true' : 'FALSE'}`)
      }
      writeFileSync(join(dir, 'traffic', 'calls.csv'), rows.join('\n') + '\n')
      const rec = json(
        cli(
          [
            'evaluate',
            '--policy',
            'policy.yml',
            '--now',
            new Date(T0 + 4001_000).toISOString(),
            '--format',
            'json'
          ],
          dir
        ).stdout
      )
      expect(rec.metrics[0]).toMatchObject({
        name: 'resolved',
        verdict: 'pass',
        baseline: expect.closeTo(0.8, 2),
        canary: expect.closeTo(0.8, 2)
      })
      expect(rec.decision).toBe('promote')
    })

    it('a corrupt state file, or one of another rollout, is exit 2 and left untouched', () => {
      const dir = tempDir()
      writePolicy(dir)
      writeFileSync(join(dir, 'state.json'), '{"version":1,')
      const corrupt = evaluate(dir, '--state', 'state.json')
      expect(corrupt.status).toBe(2)
      expect(corrupt.stderr).toMatch(/state file state\.json is not valid JSON/)
      expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"version":1,')
      const other = {
        version: 1,
        rollout: 'billing-bot',
        revision: 3,
        status: 'running',
        stepIndex: 0,
        stepStartedAt: '2026-11-02T08:00:00Z',
        history: []
      }
      writeFileSync(join(dir, 'state.json'), JSON.stringify(other))
      const foreign = evaluate(dir, '--state', 'state.json')
      expect(foreign.status).toBe(2)
      expect(foreign.stderr).toMatch(/belongs to rollout "billing-bot", not "support-assistant"/)
    })
  })
})
