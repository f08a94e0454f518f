import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GitHubStandIn } from './githubStandIn.js'

export const ACTION = join(import.meta.dirname, '..', '..', 'dist', 'index.js')
export const SHA = 'c0ffee'.padEnd(40, '0')

export interface Run {
  status: number | null
  stdout: string
  outputs: Record<string, string>
  summary: string
}

/** Run dist/index.js as the runner does, against the stand-in, without blocking its event loop. */
export async function runAction(
  gh: GitHubStandIn,
  dir: string,
  inputs: Record<string, string>,
  event: { name: string; payload: object } = { name: 'schedule', payload: {} }
): Promise<Run> {
  const id = Math.random().toString(36).slice(2)
  const files = {
    output: join(dir, `output-${id}`),
    summary: join(dir, `summary-${id}`),
    event: join(dir, `event-${id}.json`)
  }
  writeFileSync(files.output, '')
  writeFileSync(files.summary, '')
  writeFileSync(files.event, JSON.stringify(event.payload))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_API_URL: gh.url,
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_SHA: SHA,
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: dir,
    'INPUT_GITHUB-TOKEN': 'ghs_loopbacktoken123'
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  const child = spawn(process.execPath, [ACTION], { cwd: dir, env })
  let stdout = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stdout += d))
  const status = await new Promise<number | null>(r => child.on('close', r))
  const outputs: Record<string, string> = {}
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of readFileSync(files.output, 'utf8').matchAll(re)) outputs[m[1]!] = m[3]!
  return { status, stdout, outputs, summary: readFileSync(files.summary, 'utf8') }
}
