/**
 * A real Prometheus for the tests and the benchmark: backfill OpenMetrics text with promtool,
 * then run `prometheus` on a free loopback port on that data. Needs Debian's `prometheus` package
 * (`apt-get install -y prometheus`, which brings promtool); `.ci/run` installs it and sets
 * REQUIRE_PROMETHEUS=1, so that a missing server fails CI instead of skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

export interface RunningPrometheus {
  url: string
  stop(): Promise<void>
}

const has = (bin: string) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0

/**
 * Whether prometheus and promtool are installed. When they are not: with REQUIRE_PROMETHEUS set,
 * an error (CI must not pass on a skip); without it, a loud warning, and false (the caller skips).
 */
export function prometheusAvailable(): boolean {
  if (has('prometheus') && has('promtool')) return true
  const message =
    'prometheus/promtool not found: the tests against a real Prometheus are SKIPPED. Install them with `apt-get install -y prometheus` (Debian/Ubuntu) to run them.'
  if (process.env.REQUIRE_PROMETHEUS) {
    throw new Error(`${message} REQUIRE_PROMETHEUS is set, so this is a failure.`)
  }
  console.warn(`\n\u001b[33m⚠⚠⚠ ${message} ⚠⚠⚠\u001b[0m\n`)
  return false
}

/** Backfills `openMetricsFile` into `dir/data` (blocks of up to `maxBlock`, e.g. '24h'). */
export function backfill(openMetricsFile: string, dir: string, maxBlock = '2h'): void {
  const data = join(dir, 'data')
  mkdirSync(data, { recursive: true })
  const r = spawnSync(
    'promtool',
    [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      `--max-block-duration=${maxBlock}`,
      openMetricsFile,
      data
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 }
  )
  if (r.status !== 0) throw new Error(`promtool failed (${r.status}): ${r.stderr || r.stdout}`)
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Starts prometheus on the backfilled `dir/data`; resolves when it is ready to answer queries. */
export async function startPrometheus(dir: string): Promise<RunningPrometheus> {
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n')
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      // The scenario's data is in the past: keep all of it.
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--query.lookback-delta=5m'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  let log = ''
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`)
    try {
      const r = await fetch(`${url}/-/ready`)
      if (r.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`prometheus did not become ready in 30 s: ${log}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
    }
  }
}
