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
})
