import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../examples/generate-traffic.js'
import { tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

const ACTION = join(import.meta.dirname, '..', 'dist', 'index.js')

/** Run the committed Action bundle as the runner does: inputs as INPUT_* variables, files for outputs. */
function runAction(cwd: string, inputs: Record<string, string>) {
  const outputFile = join(cwd, 'github-output')
  const summaryFile = join(cwd, 'step-summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: cwd,
    GITHUB_ACTOR: 'octocat'
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  const r = spawnSync(process.execPath, [ACTION], { cwd, env, encoding: 'utf8' })
  return {
    status: r.status,
    stdout: r.stdout,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  }
}

/** The runner's GITHUB_OUTPUT file format: name<<DELIMITER, value lines, DELIMITER. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!
  return out
}

describe('the Action (dist/index.js)', () => {
  it('evaluates, sets its outputs, writes the decision record and the job summary', () => {
    const dir = tempDir()
    writePolicy(dir)
    mkdirSync(join(dir, 'traffic'))
    const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), {
      count: 60_000,
      effect: SCENARIOS.rollback,
      seed: 11
    })
    const r = runAction(dir, { policy: 'policy.yml', now: end, 'state-file': 'state.json' })
    expect(r.status).toBe(0)
    expect(r.outputs).toMatchObject({
      decision: 'rollback',
      weight: '0',
      'previous-weight': '50',
      rollout: 'support-assistant'
    })
    const record = JSON.parse(readFileSync(r.outputs['report-path']!, 'utf8'))
    expect(record.decision).toBe('rollback')
    expect(r.summary).toMatch(/### ⏪ Roll back `support-assistant`: 50% → 0%/)
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).status).toBe('rolled-back')
  })

  it('a manual rollback from workflow_dispatch records the actor, with no source needed', () => {
    const dir = tempDir()
    writePolicy(dir)
    const r = runAction(dir, {
      policy: 'policy.yml',
      command: 'rollback',
      reason: 'support tickets spiking',
      'state-file': 'state.json'
    })
    expect(r.status).toBe(0)
    expect(r.outputs.decision).toBe('rollback')
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))
    expect(state.history[0]).toMatchObject({ actor: 'octocat', manual: true, action: 'rollback' })
  })

  it('fails the step with annotations on the policy file for a bad policy', () => {
    const dir = tempDir()
    writePolicy(dir, 'confidnce: 0.9\n')
    const r = runAction(dir, { policy: 'policy.yml' })
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(
      '::error title=rollout policy,file=policy.yml,line=17,col=1::confidnce: unknown key'
    )
  })

  it('validates inputs up front, naming the input', () => {
    const dir = tempDir()
    writePolicy(dir)
    const r = runAction(dir, { policy: 'policy.yml', command: 'deploy' })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/::error::input "command" must be one of evaluate, rollback/)
    const reason = runAction(dir, { policy: 'policy.yml', command: 'pause' })
    expect(reason.stdout).toMatch(/input "reason" is required for command pause/)
  })

  it('fail-on: rollback turns a rollback into a failed step', () => {
    const dir = tempDir()
    writePolicy(dir)
    const r = runAction(dir, {
      policy: 'policy.yml',
      command: 'rollback',
      reason: 'x',
      'fail-on': 'rollback',
      'state-file': 'state.json'
    })
    expect(r.status).toBe(1)
    expect(r.outputs.decision).toBe('rollback')
  })

  it('groups its log by phase, with debug detail, and ends with the verdict outside any group', () => {
    const dir = tempDir()
    writePolicy(dir)
    mkdirSync(join(dir, 'traffic'))
    const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), {
      count: 20_000,
      effect: SCENARIOS.promote,
      seed: 7
    })
    const r = runAction(dir, { policy: 'policy.yml', now: end, 'state-file': 'state.json' })
    expect(r.status).toBe(0)
    const groups = [...r.stdout.matchAll(/^::group::(.*)$/gm)].map(m => m[1])
    expect(groups).toEqual(['Policy', 'GitHub', 'State', 'Source', 'Analysis', 'GitHub'])
    expect(r.stdout.match(/^::endgroup::$/gm)).toHaveLength(groups.length)
    expect(r.stdout).toContain('Reading files traffic/*.jsonl')
    expect(r.stdout).toMatch(/^20,000 lines read, [\d,]+ records in the window, 0 malformed/m)
    expect(r.stdout).toMatch(/^::debug::metric quality: pass; n \d+\/\d+; change /m)
    expect(r.stdout).toMatch(/^::debug::check traffic-split: ok$/m)
    // The verdict comes last, outside the groups, so it shows without unfolding anything.
    const afterGroups = r.stdout.slice(r.stdout.lastIndexOf('::endgroup::'))
    expect(afterGroups).toMatch(
      /⏸️ Hold `support-assistant` at 50%\n.*\n\n {2}- bake time: 13m of the 30m minimum still to go/
    )
  })

  it('summary: false writes no job summary, and still sets the outputs', () => {
    const dir = tempDir()
    writePolicy(dir)
    const r = runAction(dir, {
      policy: 'policy.yml',
      command: 'pause',
      reason: 'evals pending',
      'state-file': 'state.json',
      summary: 'false'
    })
    expect(r.status).toBe(0)
    expect(r.outputs.decision).toBe('hold')
    expect(r.summary).toBe('')
    expect(runAction(dir, { policy: 'policy.yml', summary: 'nope' }).stdout).toContain(
      'input "summary" must be true or false, not "nope"'
    )
  })

  it('status writes where the rollout stands to the job summary: verdict, step, history', () => {
    const dir = tempDir()
    writePolicy(dir)
    const common = { policy: 'policy.yml', 'state-file': 'state.json' }
    runAction(dir, {
      ...common,
      command: 'pause',
      reason: 'evals pending',
      now: '2026-11-02T09:00:00Z'
    })
    const r = runAction(dir, { ...common, command: 'status', now: '2026-11-02T09:30:00Z' })
    expect(r.status).toBe(0)
    expect(r.outputs).toMatchObject({ step: '1', weight: '50', rollout: 'support-assistant' })
    expect(r.summary).toContain('### `support-assistant`: paused at step 1 of 2 (50%)')
    expect(r.summary).toContain('- paused by octocat at 2026-11-02T09:00:00.000Z: evals pending')
    expect(r.summary).toContain(
      '| 2026-11-02T09:00:00.000Z | pause | 50% → 50% | octocat | evals pending |'
    )
    expect(r.stdout).toContain('support-assistant: paused at step 1 of 2 (50%)')
  })
})
