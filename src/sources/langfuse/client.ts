/**
 * A small client for the two read endpoints of Langfuse's public API the gate needs, on Node's
 * fetch. Definitions followed (Langfuse's Fern API definition, as published in @langfuse/core's
 * generated types, `ObservationsV2Response`, `GetScoresV3Response`):
 *   GET /api/public/v2/observations  cursor pagination: `limit` (at most 1000), `cursor`;
 *       response `{ data: ObservationV2[], meta: { cursor? } }`, no cursor on the last page.
 *   GET /api/public/v3/scores        cursor pagination: `limit` (at most 100), `cursor`
 *       (base64url); response `{ data: ScoreV3[], meta: { limit, cursor? } }`. It replaces
 *       GET /api/public/v2/scores, which the definition marks deprecated (unavailable on
 *       self-hosted v4, removed from Langfuse Cloud on 2026-11-16).
 * Auth is HTTP Basic with the public key as user and the secret key as password. The keys never
 * appear in a message, an error or describe(): only the host does.
 */
import { SourceError } from '../source.js'

export type Fetch = typeof globalThis.fetch
export type Sleep = (ms: number) => Promise<void>

export interface LangfuseClientOptions {
  baseUrl: string
  publicKey: string
  secretKey: string
  /** Per request, ms. */
  timeoutMs: number
  /** Retries after a 429, a 5xx, a timeout or a network error. */
  retries: number
  fetch?: Fetch
  sleep?: Sleep
  /** A Retry-After longer than this is not waited for: the source gives up (default 120 s). */
  maxRetryAfterMs?: number
  /** First backoff delay, doubled on each retry, with jitter (default 500 ms, at most 10 s). */
  backoffMs?: number
}

export type Query = Record<string, string | number | string[] | undefined>

export interface ObservationPage {
  data: Record<string, unknown>[]
  cursor: string | undefined
}

export interface ClientStats {
  requests: number
  retries: number
  /** Total ms waited before retries (Retry-After and backoff). */
  waitedMs: number
}

const MAX_BACKOFF_MS = 10_000
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504])

export class LangfuseClient {
  readonly origin: string
  readonly stats: ClientStats = { requests: 0, retries: 0, waitedMs: 0 }
  private readonly apiBase: string
  private readonly authorization: string
  private readonly opts: LangfuseClientOptions
  private readonly fetch: Fetch
  private readonly sleep: Sleep

  constructor(opts: LangfuseClientOptions) {
    this.opts = opts
    this.apiBase = `${opts.baseUrl.replace(/\/+$/, '')}/api/public`
    this.origin = displayHost(opts.baseUrl)
    this.authorization = `Basic ${Buffer.from(`${opts.publicKey}:${opts.secretKey}`).toString('base64')}`
    this.fetch = opts.fetch ?? globalThis.fetch
    this.sleep = opts.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)))
  }

  /**
   * Observation pages, in the server's order, following `meta.cursor` to the end. The next page is
   * requested as soon as the current one has arrived, so the caller works while it travels.
   */
  observations(query: Query): AsyncGenerator<ObservationPage> {
    return this.cursorPages('v2/observations', query)
  }

  /** Score pages of the v3 scores API (ScoreV3, polymorphic `value`), to the last cursor. */
  async *scores(query: Query): AsyncGenerator<Record<string, unknown>[]> {
    for await (const page of this.cursorPages('v3/scores', query)) yield page.data
  }

  private async *cursorPages(path: ApiPath, query: Query): AsyncGenerator<ObservationPage> {
    const get = (cursor?: string) => {
      const p = this.getJson(path, { ...query, cursor }).then(body => this.cursorPage(path, body))
      p.catch(() => undefined) // handled when awaited; never an unhandled rejection meanwhile
      return p
    }
    let pending = get()
    const seen = new Set<string>()
    for (;;) {
      const page = await pending
      const cursor = page.cursor
      if (cursor !== undefined) {
        if (seen.has(cursor)) {
          throw new SourceError(
            `Langfuse at ${this.origin} returned the same page cursor twice (GET /api/public/${path}): stopped reading to avoid a loop`
          )
        }
        seen.add(cursor)
        pending = get(cursor)
      }
      yield page
      if (cursor === undefined) return
    }
  }

  private cursorPage(path: ApiPath, body: Record<string, unknown>): ObservationPage {
    const { data, meta } = body
    if (!Array.isArray(data) || !isObject(meta)) {
      throw new SourceError(
        `Langfuse at ${this.origin} answered GET /api/public/${path} without a data list and meta: not ${API[path].name}; check source.baseUrl and the Langfuse version (${API[path].needs})`
      )
    }
    const cursor = typeof meta.cursor === 'string' && meta.cursor !== '' ? meta.cursor : undefined
    return { data: data.filter(isObject), cursor }
  }

  private async getJson(path: ApiPath, query: Query): Promise<Record<string, unknown>> {
    const url = new URL(`${this.apiBase}/${path}`)
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, v)
      else url.searchParams.set(key, String(value))
    }
    const what = `GET /api/public/${path}`
    let problem = ''
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++
      this.stats.requests++
      let response: Response
      let text: string
      try {
        response = await this.fetch(url, {
          headers: { authorization: this.authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(this.opts.timeoutMs)
        })
        text = await response.text()
      } catch (e) {
        problem = networkProblem(e, this.opts.timeoutMs)
        await this.retryOrThrow(attempt, what, problem, undefined)
        continue
      }
      if (response.ok) return this.parse(text, what, response.headers.get('content-type'))
      problem = `HTTP ${response.status}`
      if (response.status === 401 || response.status === 403) {
        throw new SourceError(
          `Langfuse at ${this.origin} refused the API keys (${what}: HTTP ${response.status}): check that the environment variables named by source.publicKeyEnv and source.secretKeyEnv hold this project's public and secret key`
        )
      }
      if (response.status === 404) {
        throw new SourceError(
          `Langfuse at ${this.origin} has no ${API[path].name} (${what}: HTTP 404${serverMessage(text)}); ${API[path].needs}: check source.baseUrl (the host, without /api) and the Langfuse version`
        )
      }
      if (!RETRYABLE.has(response.status)) {
        throw new SourceError(
          `Langfuse at ${this.origin} rejected ${what} with HTTP ${response.status}${serverMessage(text)}; check source.baseUrl and the Langfuse version (${API[path].needs})`
        )
      }
      const retryAfter =
        response.status === 429 || response.status === 503
          ? retryAfterMs(response.headers.get('retry-after'))
          : undefined
      await this.retryOrThrow(attempt, what, problem, retryAfter)
    }
  }

  private async retryOrThrow(
    attempt: number,
    what: string,
    problem: string,
    retryAfter: number | undefined
  ): Promise<void> {
    const maxRetryAfter = this.opts.maxRetryAfterMs ?? 120_000
    if (retryAfter !== undefined && retryAfter > maxRetryAfter) {
      throw new SourceError(
        `Langfuse at ${this.origin} is rate limiting (${what}: ${problem}) and asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than ${maxRetryAfter / 1000} s; try again later`
      )
    }
    if (attempt >= this.opts.retries) {
      throw new SourceError(
        `Langfuse at ${this.origin} did not answer ${what}: ${problem} (${attempt + 1} attempts); check that it is up and that source.baseUrl is right`
      )
    }
    const base = this.opts.backoffMs ?? 500
    const backoff = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt) * (0.5 + Math.random() / 2)
    const wait = retryAfter ?? backoff
    this.stats.waitedMs += wait
    await this.sleep(wait)
  }

  private parse(text: string, what: string, contentType: string | null): Record<string, unknown> {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw this.notTheApi(
        what,
        `the answer is not JSON (${text.length} characters${contentType ? `, ${contentType.split(';')[0]}` : ''})`
      )
    }
    if (!isObject(body)) throw this.notTheApi(what, 'the answer is not a JSON object')
    return body
  }

  notTheApi(what: string, why: string): SourceError {
    return new SourceError(
      `Langfuse at ${this.origin} answered ${what} with something that is not the Langfuse API: ${why}; check source.baseUrl (the host, without /api)`
    )
  }
}

type ApiPath = 'v2/observations' | 'v3/scores'

/** What each endpoint is called in messages, and what serves it. */
const API: Record<ApiPath, { name: string; needs: string }> = {
  'v2/observations': {
    name: 'v2 observations API',
    needs: 'the v2 observations API needs Langfuse Cloud or self-hosted Langfuse v4+'
  },
  'v3/scores': {
    name: 'v3 scores API',
    needs:
      'the v3 scores API (which replaces the deprecated v2 one) needs Langfuse Cloud or a self-hosted Langfuse that has it (v4+)'
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Retry-After: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function networkProblem(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string } }
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s (source.timeout)`
  const code = err.cause?.code
  return code ? `network error ${code}` : `network error (${err.message ?? 'unknown'})`
}

/** The `message` of a JSON error body, short and on one line; nothing else of the body. */
function serverMessage(text: string): string {
  try {
    const body: unknown = JSON.parse(text)
    if (isObject(body) && typeof body.message === 'string') {
      return `: ${body.message.replace(/\s+/g, ' ').slice(0, 200)}`
    }
  } catch {
    // not JSON: say nothing of it
  }
  return ''
}

/** scheme://host[:port][/path], never userinfo. */
export function displayHost(baseUrl: string): string {
  try {
    const url = new URL(baseUrl)
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    return '(invalid source.baseUrl)'
  }
}
