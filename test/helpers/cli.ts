import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import {
  traffic,
  type CanaryEffect,
  NO_EFFECT,
  type StagingOptions
} from '../../examples/generate-traffic.js'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rollout-gate.js')
export const T0 = Date.parse('2026-11-02T08:00:00Z')

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Run the real binary (bin/rollout-gate.js -> the committed dist/cli.js) in `cwd`. */
export function cli(args: string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Directories made by tempDir in this test file, removed after its tests. */
const made: string[] = []
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh directory under the OS temp dir, removed after the test file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-test-'))
  made.push(dir)
  return dir
}

/** A policy for tests: a 50/50 first step so small files carry enough evidence. */
export function writePolicy(dir: string, extra = '', steps = '[50, 100]'): string {
  const path = join(dir, 'policy.yml')
  writeFileSync(
    path,
    `version: 1
rollout:
  name: support-assistant
  steps: ${steps}
  minDuration: 30m
  minSamples: 300
  warmup: 5m
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: 'traffic/*.jsonl' }
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 3% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp, limit: 5% }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
${extra}`
  )
  return path
}

/** Generated gateway logs: `count` calls at 20/s from T0, split `weight`% to the canary by user. */
export function writeTraffic(
  path: string,
  opts: {
    count: number
    weight?: number
    effect?: CanaryEffect
    seed?: number
    staging?: StagingOptions
    /** Epoch ms of the first call (default T0) and calls per second (default 20). */
    start?: number
    rate?: number
  }
): { end: string } {
  let text = ''
  let last = opts.start ?? T0
  for (const r of traffic({
    seed: opts.seed ?? 1,
    start: opts.start ?? T0,
    rate: opts.rate ?? 20,
    count: opts.count,
    canaryWeight: opts.weight ?? 50,
    users: 20000,
    effect: opts.effect ?? NO_EFFECT,
    ...(opts.staging && { staging: opts.staging })
  })) {
    text += JSON.stringify(r) + '\n'
    last = Date.parse(r.ts as string)
  }
  writeFileSync(path, text)
  return { end: new Date(last + 1000).toISOString() }
}

/**
 * Run the real binary without blocking this process, so a loopback server in the test (a webhook
 * receiver) can answer it. `env` is added to this process's environment.
 */
export function cliAsync(
  args: string[],
  cwd: string,
  env: Record<string, string> = {}
): Promise<CliResult> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0
        resolve({ status, stdout, stderr })
      }
    )
  })
}
