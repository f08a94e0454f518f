/**
 * A throwaway ClickHouse for the tests and the benchmark: `clickhouse-server --config-file` with a
 * generated minimal configuration (HTTP and native ports free on 127.0.0.1, every path in a temp
 * folder, a `gate` user with a password and a read-only `viewer`), from Debian's
 * `clickhouse-server` package (18.16). `.ci/run` installs the package and sets
 * REQUIRE_CLICKHOUSE=1, so that a missing server fails CI instead of skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './prometheus.js'
import { watchdog } from './watchdog.js'

export interface RunningClickHouse {
  /** http://gate:<password>@127.0.0.1:<port> */
  url: string
  /** The same server, as a user whose profile is read-only (it may change no setting). */
  viewerUrl: string
  httpPort: number
  password: string
  /** Runs SQL as the default user over HTTP; returns the response text. */
  sql(text: string, body?: string): Promise<string>
  stop(): Promise<void>
}

function serverBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) {
    if (existsSync(candidate)) return candidate
  }
  const which = spawnSync('sh', ['-c', 'command -v clickhouse-server'], { encoding: 'utf8' })
  return which.status === 0 ? which.stdout.trim() : undefined
}

/**
 * Whether clickhouse-server is installed. When it is not: with REQUIRE_CLICKHOUSE set, an error
 * (CI must not pass on a skip); without it, a loud warning, and false (the caller skips).
 */
export function clickhouseAvailable(): boolean {
  if (serverBinary()) return true
  const message =
    'clickhouse-server not found: the tests against a real ClickHouse are SKIPPED. Install it with `apt-get install -y clickhouse-server` (Debian/Ubuntu) to run them.'
  if (process.env.REQUIRE_CLICKHOUSE) {
    throw new Error(`${message} REQUIRE_CLICKHOUSE is set, so this is a failure.`)
  }
  console.warn(`\n\u001b[33m⚠⚠⚠ ${message} ⚠⚠⚠\u001b[0m\n`)
  return false
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export async function startClickHouse(): Promise<RunningClickHouse> {
  const bin = serverBinary() as string
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-ch-'))
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub))
  const [httpPort, tcpPort] = [await freePort(), await freePort()]
  const password = `pw-${Math.random().toString(36).slice(2)}`
  writeFileSync(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${xml(dir)}/server.log</log><errorlog>${xml(dir)}/server.err.log</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${xml(dir)}/data/</path>
  <tmp_path>${xml(dir)}/tmp/</tmp_path>
  <user_files_path>${xml(dir)}/user_files/</user_files_path>
  <format_schema_path>${xml(dir)}/format_schemas/</format_schema_path>
  <users_config>${xml(dir)}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
`
  )
  const user = (name: string, profile: string, pw: string) =>
    `<${name}><password>${xml(pw)}</password><networks><ip>127.0.0.1</ip></networks><profile>${profile}</profile><quota>default</quota></${name}>`
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>4000000000</max_memory_usage></default>
    <readonly><readonly>1</readonly></readonly>
  </profiles>
  <users>${user('default', 'default', '')}${user('gate', 'default', password)}${user('viewer', 'readonly', password)}</users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`
  )
  const child: ChildProcess = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: dir
  })
  const guard = watchdog(child.pid ?? 0, 'TERM', dir)
  let log = ''
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${httpPort}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) {
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`clickhouse-server exited: ${log}`)
    }
    try {
      const r = await fetch(`${base}/ping`)
      if (r.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`clickhouse-server did not answer in 60 s: ${log}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    url: `http://gate:${encodeURIComponent(password)}@127.0.0.1:${httpPort}`,
    viewerUrl: `http://viewer:${encodeURIComponent(password)}@127.0.0.1:${httpPort}`,
    httpPort,
    password,
    async sql(text: string, body?: string): Promise<string> {
      const r = await fetch(
        body === undefined ? base : `${base}/?query=${encodeURIComponent(text)}`,
        { method: 'POST', body: body ?? text }
      )
      const out = await r.text()
      if (!r.ok) throw new Error(`ClickHouse: ${out}`)
      return out
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
