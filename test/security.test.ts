import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { escapeMarkdown } from '../src/report/markdown.js'
import { oneLine } from '../src/report/sanitize.js'
import { T0, cli, cliAsync, tempDir, writePolicy, writeTraffic } from './helpers/cli.js'

/** Hostile input (issue 13): data, files and servers that try to reach the log, the disk or a secret. */

const dirs: string[] = []
const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function project(extra = '') {
  const dir = tempDir()
  dirs.push(dir)
  writePolicy(dir, extra)
  mkdirSync(join(dir, 'traffic'))
  const { end } = writeTraffic(join(dir, 'traffic', 'a.jsonl'), { count: 12_000 })
  return { dir, end }
}

function state(dir: string) {
  writeFileSync(
    join(dir, 'state.json'),
    JSON.stringify({
      version: 1,
      rollout: 'support-assistant',
      revision: 1,
      status: 'running',
      stepIndex: 0,
      stepStartedAt: new Date(T0).toISOString(),
      history: []
    })
  )
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Records whose served model and error class carry a newline and a workflow command, or ANSI. */
function hostileRecords(dir: string) {
  const lines = [1, 2, 3].map(i =>
    JSON.stringify({
      ts: new Date(T0 + 400_000 + i * 1000).toISOString(),
      arm: 'candidate',
      user_id: `h${i}`,
      score: 0.8,
      model: 'gpt-x\n::warning::pwned\u001b[2J',
      // A failed call's model is counted apart (issue 18): one of three fails, so the model shows.
      ...(i === 3 && { error: 'boom\r\n::set-output name=decision::promote' })
    })
  )
  writeFileSync(join(dir, 'traffic', 'hostile.jsonl'), lines.join('\n') + '\n')
}

const commandLines = (out: string) =>
  out.split('\n').filter(l => /^::(warning|set-output|error|add-mask)/.test(l))

describe('workflow-command injection through data', () => {
  it("the CLI's text output never starts a line with data, nor carries terminal escapes", () => {
    const { dir, end } = project()
    hostileRecords(dir)
    const r = cli(['evaluate', '--policy', 'policy.yml', '--now', end], dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('gpt-x\\n::warning::pwned\\u001b[2J')
    expect(commandLines(r.stdout)).toEqual([])
    expect(r.stdout).not.toContain('\u001b')
  })

  it("the Action's log runs no command from data", () => {
    const { dir, end } = project()
    hostileRecords(dir)
    writeFileSync(join(dir, 'out'), '')
    writeFileSync(join(dir, 'summary'), '')
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: join(dir, 'out'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      RUNNER_TEMP: dir,
      INPUT_POLICY: 'policy.yml',
      INPUT_NOW: end,
      'INPUT_STATE-FILE': 'state.json'
    }
    const dist = join(import.meta.dirname, '..', 'dist', 'index.js')
    const r = spawnSync(process.execPath, [dist], { cwd: dir, env, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(commandLines(r.stdout)).toEqual([])
    expect(r.stdout).not.toContain('\u001b')
    // The report's own text sits inside ::stop-commands:: with a one-time token.
    const stop = /^::stop-commands::([0-9a-f]{32})$/m.exec(r.stdout)
    expect(stop).not.toBeNull()
    expect(r.stdout).toContain(`\n::${stop![1]}::`)
  })

  it('oneLine makes every control character visible', () => {
    expect(oneLine('a\nb\r\u001b[31m\u0085\u2028c\td')).toBe('a\\nb\\r\\u001b[31m\\u0085\\u2028c d')
  })
})

describe('git-file stays inside the working tree and never shows a file', () => {
  const gitFile = (file: string) =>
    `actuators:\n  - { type: git-file, file: '${file}', set: [{ path: canary.weight }] }\n`
  const rollback = (dir: string) =>
    cli(
      [
        'rollback',
        '--policy',
        'policy.yml',
        '--state',
        'state.json',
        '--reason',
        'r',
        '--format',
        'json'
      ],
      dir
    )

  it.each(['../outside.yaml', '/etc/hosts', 'config/../../x.yaml'])(
    'refuses %s in the policy (exit 2)',
    file => {
      const { dir } = project(gitFile(file))
      state(dir)
      const r = rollback(dir)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/actuators\[0\]\.file: .*a path inside the repository/)
    }
  )

  it('does not follow a symbolic link out of the working tree', () => {
    const { dir } = project(gitFile('router.yaml'))
    const outside = tempDir()
    dirs.push(outside)
    writeFileSync(join(outside, 'victim.yaml'), 'canary:\n  weight: 50\n')
    symlinkSync(join(outside, 'victim.yaml'), join(dir, 'router.yaml'))
    state(dir)
    const r = rollback(dir)
    expect(r.status).toBe(4)
    expect(JSON.parse(r.stdout).applied[0]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/outside the working directory/)
    })
    expect(readFileSync(join(outside, 'victim.yaml'), 'utf8')).toBe('canary:\n  weight: 50\n')
  })

  it('a file that is not valid YAML is named by line and column, its content never shown', () => {
    const { dir } = project(gitFile('router.yaml'))
    writeFileSync(
      join(dir, 'router.yaml'),
      'db_password: hunter2-very-secret\ncanary: [weight: 5\n'
    )
    state(dir)
    const r = rollback(dir)
    expect(r.status).toBe(4)
    expect(r.stdout).not.toContain('hunter2')
    expect(JSON.parse(r.stdout).applied[0].detail).toMatch(
      /router\.yaml: not valid YAML \(\w+ at line \d+, column \d+\)/
    )
  })
})

describe('webhooks never follow a redirect', () => {
  it.each([302, 307])('a %i is not applied, and the other host receives nothing', async status => {
    const elsewhere: string[] = []
    const other = await listen((req, res) => {
      elsewhere.push(req.method ?? '')
      res.writeHead(200).end()
    })
    const hook = await listen((_req, res) =>
      res.writeHead(status, { location: `${other}/steal` }).end()
    )
    const { dir } = project(`actuators:\n  - { type: webhook, url: '${hook}/hook', retries: 0 }\n`)
    state(dir)
    const r = await cliAsync(
      [
        'rollback',
        '--policy',
        'policy.yml',
        '--state',
        'state.json',
        '--reason',
        'r',
        '--format',
        'json'
      ],
      dir,
      { ROLLOUT_GATE_WEBHOOK_SECRET: 'webhook-signing-key' }
    )
    expect(r.status).toBe(4)
    expect(JSON.parse(r.stdout).applied[0]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(new RegExp(`HTTP ${status}, a redirect \\(not followed`))
    })
    expect(elsewhere).toEqual([])
  })
})

describe('credentials never reach a message, a report or the state', () => {
  it.each([
    [
      'a webhook url',
      `actuators:\n  - { type: webhook, url: 'https://ops:pw-s3cret@hooks.example/x' }\n`
    ],
    [
      'a Langfuse baseUrl',
      'source: { type: langfuse, baseUrl: "https://pk:pw-s3cret@cloud.langfuse.com", arm: { from: release } }\n'
    ],
    [
      'a judge baseURL',
      'judge: { model: m, baseURL: "https://u:pw-s3cret@llm.example/v1", rubric: r }\n'
    ]
  ])('%s with user:password@ is refused without echoing the password', (_what, extra) => {
    const { dir } = project()
    const path = join(dir, 'policy.yml')
    const text = readFileSync(path, 'utf8')
    writeFileSync(
      path,
      extra.startsWith('source:') ? text.replace(/^source: .*$/m, extra.trim()) : text + extra
    )
    const r = cli(['evaluate', '--policy', 'policy.yml'], dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/has credentials in it/)
    expect(r.stderr).not.toContain('pw-s3cret')
  })

  it('a Prometheus error that echoes the token is scrubbed from the record, the comment and the state', async () => {
    const token = 's3cr3t-t0ken-Value'
    const prometheus = await listen((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: `invalid bearer token ${req.headers.authorization?.slice(7)}`
        })
      )
    })
    const dir = tempDir()
    dirs.push(dir)
    writeFileSync(
      join(dir, 'policy.yml'),
      `version: 1
rollout: { name: support-assistant, steps: [50, 100], minSamples: 100 }
arms: { field: arm, baseline: stable, canary: candidate, assignment: request }
source:
  type: prometheus
  url: ${prometheus}
  retries: 0
  auth: { bearerTokenEnv: PROM_TOKEN }
  series:
    error rate: { errors: llm_errors_total, total: llm_requests_total }
metrics:
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 1pp }
`
    )
    state(dir)
    const now = new Date(T0 + 3_600_000).toISOString()
    const env = { PROM_TOKEN: token }
    const args = ['evaluate', '--policy', 'policy.yml', '--state', 'state.json', '--now', now]
    for (const format of ['json', 'markdown', 'text']) {
      const r = await cliAsync([...args, '--format', format], dir, env)
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toContain('invalid bearer token ***')
      expect(r.stdout).not.toContain(token)
    }
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toContain(token)
  })
})

describe('bare URLs from data are never autolinked', () => {
  it('the markdown escaper breaks http(s):// and www. with a zero-width space', () => {
    const text = escapeMarkdown('see https://evil.example/login or WWW.evil.example, ftp://x')
    expect(text).not.toMatch(/https?:\/\//)
    expect(text).not.toMatch(/www\./i)
    expect(text).toContain('https:\u200b//evil.example/login')
  })

  it('a served model named like a URL reaches the comment as text', () => {
    const { dir, end } = project()
    writeFileSync(
      join(dir, 'traffic', 'b.jsonl'),
      JSON.stringify({
        ts: new Date(T0 + 400_000).toISOString(),
        arm: 'candidate',
        model: 'https://evil.example/phish'
      }) + '\n'
    )
    const r = cli(['evaluate', '--policy', 'policy.yml', '--now', end, '--format', 'markdown'], dir)
    // Outside the decision record's code block (where GitHub links nothing).
    const prose = r.stdout.split('<details><summary>Decision record')[0]!
    expect(prose).toContain('https:\u200b//evil.example/phish')
    expect(prose).not.toContain('https://evil.example')
  })
})
