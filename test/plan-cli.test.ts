/**
 * `rollout-gate plan` through the real binary: usage errors exit 2 with a message that says what
 * to do; a run on a generated history prints every step with its simulated outcomes, a table and
 * a chart (markdown), the whole result (json), and for a step that would not decide, the changes
 * that would make it decide, each with its new time.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, tempDir, writeTraffic } from './helpers/cli.js'

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(join(dir, 'traffic'))
// About 3 hours of the baseline's traffic (4 calls per second), no canary.
writeTraffic(join(dir, 'traffic', 'history.jsonl'), { count: 40_000, weight: 0, rate: 4 })
writeFileSync(
  join(dir, 'policy.yml'),
  `version: 1
rollout: { name: support-assistant, steps: [1, 50, 100], minDuration: 30m, maxDuration: 2h, minSamples: 200, warmup: 0m }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: 'traffic/*.jsonl' }
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 5% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 15% }
  - { name: output length, from: completion_tokens, kind: mean, better: lower, tolerance: 15%, mode: report }
`
)

describe('rollout-gate plan', () => {
  it('usage: help, a missing policy, bad flags (exit 2, what to do)', () => {
    const help = cli(['plan', '--help'], dir)
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('rollout-gate plan --policy FILE')
    const missing = cli(['plan'], dir)
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('plan needs --policy FILE')
    const few = cli(['plan', '--policy', 'policy.yml', '--replicates', '3'], dir)
    expect(few.status).toBe(2)
    expect(few.stderr).toContain('--replicates must be a whole number from 10 to 1000, not "3"')
    const every = cli(['plan', '--policy', 'policy.yml', '--every', 'soon'], dir)
    expect(every.status).toBe(2)
    expect(every.stderr).toContain('--every must be a duration')
    const none = cli(['plan', '--policy', 'policy.yml', '--records', 'nothing/*.jsonl'], dir)
    expect(none.status).toBe(2)
    // The replay has no pre-exposure data: a policy with variance reduction is refused, not
    // planned or backtested as if unadjusted.
    const adjusted = readFileSync(join(dir, 'policy.yml'), 'utf8').replace(
      'metrics:',
      'varianceReduction: { lookback: 1d }\nmetrics:'
    )
    writeFileSync(join(dir, 'cuped.yml'), adjusted)
    for (const command of ['plan', 'backtest']) {
      const cuped = cli([command, '--policy', 'cuped.yml'], dir)
      expect(cuped.status, command).toBe(2)
      expect(cuped.stderr).toContain('cannot replay variance reduction (CUPED) yet')
      expect(cuped.stderr).toContain("'quality', 'output length' metrics have it")
    }
  })

  it('json: every step simulated, the small step undecided with changes that decide it', () => {
    const r = cli(['plan', '--policy', 'policy.yml', '--replicates', '10', '--format', 'json'], dir)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const plan = JSON.parse(r.stdout)
    expect(plan.history.records).toBe(40_000)
    expect(plan.steps.map((s: { weight: number }) => s.weight)).toEqual([1, 50])
    const [small, large] = plan.steps
    expect(small.equal.runs).toBe(10)
    // The report-only metric is not gating: it has no scenarios.
    expect(small.metrics.map((m: { name: string }) => m.name)).toEqual(['quality', 'p95 latency'])
    // At 1% of 4 calls per second, two hours cannot decide; at 50% they do.
    expect(small.decides).toBe(false)
    expect(small.equal.holding).toBeGreaterThan(0.5)
    expect(large.decides).toBe(true)
    expect(large.equal.promoted.median).toBeGreaterThanOrEqual(30 * 60_000)
    // A canary at twice a tolerance rolls back at 50%.
    const twice = large.metrics.find((m: { name: string }) => m.name === 'quality').twice
    expect(twice.rolledBack.share).toBeGreaterThan(0.5)
    const changes = plan.suggestions.map((s: { change: string }) => s.change)
    expect(
      changes.some((c: string) => c.startsWith('maxDuration') || c.startsWith('a longer step'))
    ).toBe(true)
    expect(changes.some((c: string) => c.startsWith('step 1% →'))).toBe(true)
    for (const s of plan.suggestions) expect(s.outcome ?? s.projected).toBeDefined()
    // A larger step is simulated as a step of that weight: the gate expects that split.
    const bindings = [
      ...plan.steps.map((s: { equal: { binding?: { name: string } } }) => s.equal.binding?.name),
      ...plan.suggestions.map(
        (s: { outcome?: { binding?: { name: string } } }) => s.outcome?.binding?.name
      )
    ]
    expect(bindings).not.toContain('check:traffic-split')
  })

  it('markdown: the table and the chart', () => {
    const r = cli(
      ['plan', '--policy', 'policy.yml', '--replicates', '10', '--format', 'markdown'],
      dir
    )
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('### Plan of `support-assistant`')
    expect(r.stdout).toContain('| step | time to promote an equal canary (median · p90) |')
    expect(r.stdout).toContain('```mermaid\nxychart-beta')
    expect(r.stdout).toContain('What would make the undecided steps decide')
  })

  it("the Action's command: plan writes the job summary and lists the undecided steps", () => {
    const output = join(dir, 'github-output')
    const summary = join(dir, 'step-summary')
    writeFileSync(output, '')
    writeFileSync(summary, '')
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'index.js')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: dir,
        INPUT_POLICY: 'policy.yml',
        INPUT_COMMAND: 'plan',
        INPUT_REPLICATES: '10',
        INPUT_EVERY: '15m'
      }
    })
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toContain('Per step (an equal canary')
    expect(readFileSync(summary, 'utf8')).toContain('### Plan of `support-assistant`')
    expect(readFileSync(output, 'utf8')).toMatch(/^undecided-steps<<\S+\n1%\n/m)
    const bad = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'index.js')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        INPUT_POLICY: 'policy.yml',
        INPUT_REPLICATES: '20'
      }
    })
    expect(bad.status).toBe(1)
    expect(bad.stdout).toContain('inputs "every" and "replicates" are only for command plan')
  })
})
