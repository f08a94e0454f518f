/**
 * A small client of the Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/)
 * over Node's fetch: instant queries (`/api/v1/query`) and range queries (`/api/v1/query_range`),
 * POSTed form-encoded (long selectors never hit a URL length limit). Thanos, Mimir,
 * VictoriaMetrics and Grafana Cloud serve the same API.
 *
 * Retries, with exponential backoff, after a 5xx, a 429 (honouring Retry-After) or a timeout, at
 * most `retries` times. Anything else fails at once. Every failure is a SourceError that says what
 * happened and what to do; headers (which may carry secrets) are never in a message.
 */
import { readFileSync } from 'node:fs'
import { SourceError } from '../source.js'

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix is kept). */
  url: string
  /** Request headers, secrets included; never shown. */
  headers: Record<string, string>
  /** Of one attempt, ms. */
  timeoutMs: number
  retries: number
  tls?: { insecureSkipVerify: boolean; caFile?: string }
  /** First backoff, ms (doubles per retry); tests shorten it. */
  backoffMs?: number
  /** Longest wait a Retry-After may impose, ms. */
  maxRetryAfterMs?: number
}

export interface VectorSample {
  metric: Record<string, string>
  /** [unix seconds, value as a string] */
  value: [number, string]
}

export interface MatrixSeries {
  metric: Record<string, string>
  values: [number, string][]
}

/** Without credentials or query string: what the report may show. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return '(invalid URL)'
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export class PrometheusClient {
  /** Queries sent (not counting retries): the benchmark's figure. */
  queries = 0
  private readonly base: string
  private dispatcher: unknown

  constructor(private readonly opts: PrometheusClientOptions) {
    this.base = opts.url.replace(/\/+$/, '')
  }

  /** Request headers (secrets resolved from the environment by the source); never shown. */
  setHeaders(headers: Record<string, string>): void {
    this.opts.headers = { ...headers }
  }

  /**
   * `warnings`, when given, receives the answer's `warnings` (the API returns data with warnings
   * when something did not stop the query: Thanos and Mimir report a partial response, stores that
   * did not answer, this way). The caller decides; the gate treats them as missing data.
   */
  async instant(query: string, timeMs: number, warnings?: string[]): Promise<VectorSample[]> {
    const data = await this.post('/api/v1/query', { query, time: seconds(timeMs) })
    return parseResult(data, 'vector', this.where(), warnings) as VectorSample[]
  }

  async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    warnings?: string[]
  ): Promise<MatrixSeries[]> {
    const data = await this.post('/api/v1/query_range', {
      query,
      start: seconds(startMs),
      end: seconds(endMs),
      step: seconds(stepMs)
    })
    return parseResult(data, 'matrix', this.where(), warnings) as MatrixSeries[]
  }

  private where(): string {
    return `Prometheus at ${safeUrl(this.opts.url)}`
  }

  private async post(path: string, form: Record<string, string>): Promise<unknown> {
    this.queries++
    const body = new URLSearchParams({
      ...form,
      timeout: `${Math.max(1, Math.floor(this.opts.timeoutMs / 1000))}s`
    }).toString()
    const backoff = this.opts.backoffMs ?? 250
    let last = ''
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1))
      let response: Response
      try {
        response = await fetch(`${this.base}${path}`, {
          method: 'POST',
          headers: {
            ...this.opts.headers,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json'
          },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
          ...(await this.tlsOption())
        } as RequestInit)
      } catch (e) {
        last = networkReason(e, this.opts.timeoutMs)
        continue
      }
      if (response.status === 429 || response.status >= 500) {
        const text = await response.text().catch(() => '')
        last = `HTTP ${response.status}${apiError(text)}`
        const wait = retryAfter(response.headers.get('retry-after'))
        if (wait !== undefined && attempt < this.opts.retries) {
          if (wait > (this.opts.maxRetryAfterMs ?? 30_000)) {
            throw new SourceError(
              `${this.where()} asked to retry after ${Math.round(wait / 1000)}s (${last}), longer than the gate waits; the next run will try again`
            )
          }
          await sleep(wait)
        }
        continue
      }
      const text = await response.text().catch(() => '')
      if (!response.ok) {
        throw new SourceError(
          `${this.where()} refused a query with HTTP ${response.status}${apiError(text)}${response.status === 401 || response.status === 403 ? '; check source.auth and the environment variables it names' : ''}`
        )
      }
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw new SourceError(
          `${this.where()} answered HTTP ${response.status} with something that is not JSON (${text.length} bytes); check source.url points at the Prometheus HTTP API`
        )
      }
    }
    throw new SourceError(
      `${this.where()} did not answer after ${this.opts.retries + 1} attempts (last: ${last}); check that the server is up and source.url, or raise source.timeout`
    )
  }

  /** A dispatcher with the TLS options, only when the policy sets them. */
  private async tlsOption(): Promise<{ dispatcher?: unknown }> {
    const tls = this.opts.tls
    if (!tls || (!tls.insecureSkipVerify && !tls.caFile)) return {}
    if (!this.dispatcher) {
      let ca: string | undefined
      if (tls.caFile) {
        try {
          ca = readFileSync(tls.caFile, 'utf8')
        } catch (e) {
          throw new SourceError(
            `cannot read source.tls.caFile ${tls.caFile}: ${(e as Error).message}`
          )
        }
      }
      const Agent = await fetchAgentClass()
      this.dispatcher = new Agent({
        connect: { rejectUnauthorized: !tls.insecureSkipVerify, ...(ca && { ca }) }
      })
    }
    return { dispatcher: this.dispatcher }
  }
}

type AgentClass = new (options: { connect: Record<string, unknown> }) => unknown

/**
 * The Agent class of the undici inside Node's own fetch, which is the only dispatcher that fetch
 * accepts. undici registers its global dispatcher (an Agent) under this symbol when it loads
 * (Node 18 to 24), so its class is reachable without bundling a second undici (1 MB).
 */
async function fetchAgentClass(): Promise<AgentClass> {
  const key = Symbol.for('undici.globalDispatcher.1')
  const global = globalThis as unknown as Record<symbol, { constructor?: unknown } | undefined>
  if (!global[key]) await fetch('data:,').catch(() => undefined)
  const Agent = global[key]?.constructor
  if (typeof Agent !== 'function') {
    throw new SourceError(
      'source.tls needs the fetch dispatcher of Node.js 18 to 24, which this Node.js does not expose; remove source.tls or run on a supported Node.js'
    )
  }
  return Agent as AgentClass
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3)

function networkReason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return `no answer within ${timeoutMs} ms`
  }
  const code = err.cause?.code
  return code ? `${code}` : (err.cause?.message ?? err.message)
}

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110, 10.2.3). */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined
  const secs = Number(header)
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000)
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** `: <errorType>: <error>` from an API error body, if it is one. */
function apiError(text: string): string {
  try {
    const body = JSON.parse(text) as { errorType?: unknown; error?: unknown }
    if (typeof body.error === 'string') {
      return `: ${typeof body.errorType === 'string' ? `${body.errorType}: ` : ''}${body.error.slice(0, 300)}`
    }
  } catch {
    // not JSON: the status says enough
  }
  return ''
}

/** Warnings kept from one answer, and characters of each: enough to name the problem. */
const MAX_WARNINGS = 3
const MAX_WARNING_CHARS = 300

function parseResult(
  body: unknown,
  resultType: 'vector' | 'matrix',
  where: string,
  warnings?: string[]
): VectorSample[] | MatrixSeries[] {
  const garbage = (what: string) =>
    new SourceError(
      `${where} answered with ${what}, not a Prometheus API ${resultType} result; check source.url points at the Prometheus HTTP API`
    )
  if (typeof body !== 'object' || body === null) throw garbage('a JSON value that is not an object')
  const b = body as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown }
  if (b.status === 'error') {
    throw new SourceError(
      `${where} could not run a query: ${String(b.errorType)}: ${String(b.error)}`
    )
  }
  if (b.status !== 'success') throw garbage('an object without status "success"')
  const said = (body as { warnings?: unknown }).warnings
  if (warnings && Array.isArray(said) && said.length > 0) {
    for (const w of said.slice(0, MAX_WARNINGS)) {
      warnings.push(`${where} answered with a warning: ${String(w).slice(0, MAX_WARNING_CHARS)}`)
    }
    if (said.length > MAX_WARNINGS)
      warnings.push(`${where}: ${said.length - MAX_WARNINGS} more warnings`)
  }
  const data = b.data as { resultType?: unknown; result?: unknown } | undefined
  if (!data || data.resultType !== resultType || !Array.isArray(data.result)) {
    throw garbage(`resultType ${JSON.stringify(data?.resultType ?? null)}`)
  }
  const point = (p: unknown): boolean =>
    Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'string'
  for (const item of data.result as unknown[]) {
    const s = item as { metric?: unknown; value?: unknown; values?: unknown }
    const labelsOk = typeof s.metric === 'object' && s.metric !== null
    const ok =
      resultType === 'vector'
        ? point(s.value)
        : Array.isArray(s.values) && (s.values as unknown[]).every(point)
    if (!labelsOk || !ok) throw garbage('a malformed series')
  }
  return data.result as VectorSample[] | MatrixSeries[]
}
