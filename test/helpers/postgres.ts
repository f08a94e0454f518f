/**
 * A throwaway PostgreSQL for the tests and the benchmark: `initdb` into a temp folder and
 * `postgres -k <folder> -p <free port> -c listen_addresses=127.0.0.1`, from Debian's `postgresql`
 * package (/usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root: as root, the data
 * folder is given to the `postgres` user and both commands run as it (runuser). `.ci/run` installs
 * the package and sets REQUIRE_POSTGRES=1, so that a missing server fails CI instead of skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './prometheus.js'
import { watchdog } from './watchdog.js'

export interface RunningPostgres {
  /** postgres://gate:<password>@127.0.0.1:<port>/postgres */
  url: string
  port: number
  password: string
  /** Runs SQL as the superuser (for loading data and for faults). */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[]
  ): Promise<T[]>
  stop(): Promise<void>
}

/** The folder of initdb and postgres: $PG_BIN, the newest /usr/lib/postgresql/<v>/bin, or PATH. */
function binDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter(v => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return join(root, versions[0], 'bin')
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' })
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined
}

/**
 * Whether PostgreSQL's server binaries are installed. When they are not: with REQUIRE_POSTGRES set,
 * an error (CI must not pass on a skip); without it, a loud warning, and false (the caller skips).
 */
export function postgresAvailable(): boolean {
  const bin = binDir()
  if (bin && existsSync(join(bin, 'postgres'))) return true
  const message =
    'PostgreSQL (initdb, postgres) not found: the tests against a real PostgreSQL are SKIPPED. Install it with `apt-get install -y postgresql` (Debian/Ubuntu) to run them.'
  if (process.env.REQUIRE_POSTGRES) {
    throw new Error(`${message} REQUIRE_POSTGRES is set, so this is a failure.`)
  }
  console.warn(`\n\u001b[33m⚠⚠⚠ ${message} ⚠⚠⚠\u001b[0m\n`)
  return false
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
function asOwner(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args]
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = binDir() as string
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-pg-'))
  const password = `pw-${Math.random().toString(36).slice(2)}`
  writeFileSync(join(dir, 'pwfile'), `${password}\n`)
  if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres', dir])
  const init = spawnSync(
    ...asOwner(join(bin, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-U',
      'gate',
      `--pwfile=${join(dir, 'pwfile')}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync'
    ]),
    { encoding: 'utf8' }
  )
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`)
  }
  const port = await freePort()
  const child: ChildProcess = spawn(
    ...asOwner(join(bin, 'postgres'), [
      '-D',
      join(dir, 'data'),
      '-k',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=30'
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  // runuser passes SIGINT on to postgres (a fast shutdown)
  const guard = watchdog(child.pid ?? 0, 'INT', dir)
  let log = ''
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const url = `postgres://gate:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) {
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`postgres exited: ${log}`)
    }
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.end()
      break
    } catch {
      await client.end().catch(() => {})
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`postgres did not accept connections in 30 s: ${log}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  admin.on('error', () => {})
  return {
    url,
    port,
    password,
    async sql<T extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]> {
      return (await admin.query<T>(text, params)).rows
    },
    async stop() {
      await admin.end().catch(() => {})
      if (child.exitCode === null) {
        child.kill('SIGINT') // fast shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      guard.cancel()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
