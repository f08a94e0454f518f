/**
 * A loopback stand-in for Langfuse's public API (node:http on 127.0.0.1, port 0), serving the two
 * read endpoints the Langfuse source uses, shaped by Langfuse's published API definition (the Fern
 * definition, as generated into @langfuse/core's types: the objects below are typed with them, so
 * `tsc` checks every field name against the definition):
 *   GET /api/public/v2/observations  (ObservationsV2Response; cursor pagination, limit <= 1000,
 *       field groups, fromStartTime / toStartTime / type / name / environment filters; metadata
 *       values over 200 characters cut unless their key is in `expandMetadata`)
 *   GET /api/public/v3/scores        (GetScoresV3Response; base64url cursor pagination, limit
 *       <= 100, field groups details / subject / annotation, comma-separated name and
 *       environment filters, fromTimestamp inclusive / toTimestamp exclusive)
 * The deprecated GET /api/public/v2/scores answers 404, as on self-hosted Langfuse v4.
 * Basic auth. Faults (status, Retry-After, garbage, a dropped connection) can be queued.
 */
import type {
  GetScoresV3Response,
  ObservationsV2Response,
  ObservationV2,
  ScoreV3
} from '@langfuse/core'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type { ObservationV2, ScoreV3 }

export interface Fault {
  /** Only requests to this endpoint ('observations' or 'scores'); default: any. */
  endpoint?: 'observations' | 'scores'
  status?: number
  headers?: Record<string, string>
  body?: string
  /** Close the socket without an answer. */
  drop?: boolean
}

/** Field groups of the v2 observations endpoint (definition: GetObservationsV2Request.fields). */
const GROUPS: Record<string, (keyof ObservationV2)[]> = {
  basic: [
    'name',
    'level',
    'statusMessage',
    'version',
    'environment',
    'bookmarked',
    'public',
    'userId',
    'sessionId',
    'isRootObservation'
  ],
  time: ['completionStartTime', 'createdAt', 'updatedAt'],
  io: ['input', 'output'],
  metadata: ['metadata'],
  model: [
    'model',
    'internalModelId',
    'modelParameters',
    'modelId',
    'inputPrice',
    'outputPrice',
    'totalPrice'
  ],
  usage: ['usageDetails', 'costDetails', 'totalCost', 'usagePricingTierName'],
  prompt: ['promptId', 'promptName', 'promptVersion'],
  metrics: ['latency', 'timeToFirstToken'],
  trace_context: ['tags', 'release', 'traceName']
}
const CORE: (keyof ObservationV2)[] = [
  'id',
  'traceId',
  'startTime',
  'endTime',
  'projectId',
  'parentObservationId',
  'type'
]
/** Score fields always returned (GetScoresV3Request: "core fields"), then the optional groups. */
const SCORE_CORE: string[] = [
  'id',
  'projectId',
  'name',
  'value',
  'dataType',
  'source',
  'timestamp',
  'environment',
  'createdAt',
  'updatedAt'
]
const SCORE_GROUPS: Record<string, string[]> = {
  details: ['comment', 'configId', 'metadata'],
  subject: ['subject'],
  annotation: ['authorUserId', 'queueId']
}
/** Metadata values longer than this are cut unless expanded (GetObservationsV2Request.expandMetadata). */
const METADATA_CHARS = 200

/** Null unless the `model` group is requested (definition of ObservationV2). */
const NULL_UNLESS_MODEL: (keyof ObservationV2)[] = [
  'modelId',
  'inputPrice',
  'outputPrice',
  'totalPrice'
]

export class LangfuseStandIn {
  readonly faults: Fault[] = []
  /** Requests served, by endpoint, and the query of each (the last 100). */
  readonly counts = { observations: 0, scores: 0, unauthorized: 0 }
  readonly queries: { endpoint: string; query: URLSearchParams }[] = []
  url = ''
  /** Keep each answer's text by URL and serve it again (the benchmark: time the client, not this). */
  cacheResponses = false
  private readonly responses = new Map<string, string>()
  private server: Server | undefined
  private readonly observations: ObservationV2[]
  private readonly startMs: number[]
  private readonly filtered = new Map<string, ObservationV2[]>()
  private readonly filteredScores = new Map<string, ScoreV3[]>()

  constructor(
    observations: ObservationV2[],
    private readonly scores: ScoreV3[] = [],
    private readonly keys = { publicKey: 'pk-lf-test', secretKey: 'sk-lf-test' }
  ) {
    // Newest first, as a log store would; the source must not depend on the order.
    this.observations = [...observations].sort((a, b) => b.startTime.localeCompare(a.startTime))
    this.startMs = this.observations.map(o => Date.parse(o.startTime))
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res))
    this.server.keepAliveTimeout = 5000
    await new Promise<void>(resolve => this.server?.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
    return this.url
  }

  async close(): Promise<void> {
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const endpoint =
      url.pathname === '/api/public/v2/observations'
        ? 'observations'
        : url.pathname === '/api/public/v3/scores'
          ? 'scores'
          : undefined
    if (req.method !== 'GET' || endpoint === undefined)
      return json(res, 404, { message: `${url.pathname} not found` })
    const expected = `Basic ${Buffer.from(`${this.keys.publicKey}:${this.keys.secretKey}`).toString('base64')}`
    if (req.headers.authorization !== expected) {
      this.counts.unauthorized++
      return json(res, 401, { message: 'Invalid credentials' })
    }
    this.counts[endpoint]++
    this.queries.push({ endpoint, query: url.searchParams })
    if (this.queries.length > 100) this.queries.shift()
    const i = this.faults.findIndex(f => f.endpoint === undefined || f.endpoint === endpoint)
    if (i >= 0) {
      const [fault] = this.faults.splice(i, 1)
      if (fault?.drop) return void req.socket.destroy()
      res.writeHead(fault?.status ?? 200, { 'content-type': 'text/html', ...fault?.headers })
      return void res.end(fault?.body ?? '')
    }
    const cached = this.responses.get(`${endpoint}${url.search}`)
    if (cached !== undefined) return void send(res, 200, cached)
    const body =
      endpoint === 'observations'
        ? this.serveObservations(url.searchParams)
        : this.serveScores(url.searchParams)
    const text = JSON.stringify(body.json)
    if (this.cacheResponses && body.status === 200)
      this.responses.set(`${endpoint}${url.search}`, text)
    send(res, body.status, text)
  }

  private serveObservations(q: URLSearchParams): Answer {
    const limit = Number(q.get('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return { status: 400, json: { message: 'limit must be between 1 and 1000' } }
    const groups = new Set((q.get('fields') ?? 'core,basic').split(',').map(s => s.trim()))
    const unknown = [...groups].filter(g => g !== 'core' && !(g in GROUPS))
    if (unknown.length > 0)
      return { status: 400, json: { message: `Invalid field groups: ${unknown.join(', ')}` } }
    const expand = new Set((q.get('expandMetadata') ?? '').split(',').filter(Boolean))
    const all = this.matching(q)
    const cursor = q.get('cursor')
    const offset =
      cursor === null
        ? 0
        : (JSON.parse(Buffer.from(cursor, 'base64').toString()) as { offset: number }).offset
    const page = all.slice(offset, offset + limit).map(o => project(o, groups, expand))
    const next =
      offset + limit < all.length
        ? Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64')
        : undefined
    const body: ObservationsV2Response = {
      data: page,
      meta: next === undefined ? {} : { cursor: next }
    }
    return { status: 200, json: body }
  }

  private matching(q: URLSearchParams): ObservationV2[] {
    const key = ['fromStartTime', 'toStartTime', 'type', 'name', 'version', 'userId']
      .map(k => q.get(k) ?? '')
      .concat(q.getAll('environment'))
      .join('\u0000')
    let found = this.filtered.get(key)
    if (found) return found
    const from = q.get('fromStartTime')
    const to = q.get('toStartTime')
    const fromMs = from === null ? -Infinity : Date.parse(from)
    const toMs = to === null ? Infinity : Date.parse(to)
    const envs = q.getAll('environment')
    const eq = (k: 'type' | 'name' | 'version' | 'userId', o: ObservationV2) => {
      const want = q.get(k)
      return want === null || o[k] === want
    }
    found = this.observations.filter((o, i) => {
      const t = this.startMs[i] as number
      return (
        t >= fromMs &&
        t < toMs &&
        eq('type', o) &&
        eq('name', o) &&
        eq('version', o) &&
        eq('userId', o) &&
        (envs.length === 0 || envs.includes(o.environment ?? 'default'))
      )
    })
    this.filtered.set(key, found)
    return found
  }

  private serveScores(q: URLSearchParams): Answer {
    const limit = Number(q.get('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return { status: 400, json: { message: 'limit must be between 1 and 100' } }
    const groups = (q.get('fields') ?? '').split(',').filter(Boolean)
    const unknown = groups.filter(g => !(g in SCORE_GROUPS))
    if (unknown.length > 0)
      return { status: 400, json: { message: `Invalid field groups: ${unknown.join(', ')}` } }
    const list = (k: string) => (q.get(k) ?? '').split(',').filter(Boolean)
    const names = list('name')
    const envs = list('environment')
    const from = q.get('fromTimestamp')
    const to = q.get('toTimestamp')
    const key = [names.join(','), envs.join(','), from, to].join('\u0000')
    let all = this.filteredScores.get(key)
    if (all === undefined) {
      const fromMs = from === null ? -Infinity : Date.parse(from)
      const toMs = to === null ? Infinity : Date.parse(to)
      all = this.scores.filter(s => {
        const t = Date.parse(s.timestamp)
        return (
          (names.length === 0 || names.includes(s.name)) &&
          (envs.length === 0 || envs.includes(s.environment)) &&
          t >= fromMs &&
          t < toMs
        )
      })
      this.filteredScores.set(key, all)
    }
    const cursor = q.get('cursor')
    const offset =
      cursor === null
        ? 0
        : (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { offset: number }).offset
    const fields = [...SCORE_CORE, ...groups.flatMap(g => SCORE_GROUPS[g] ?? [])]
    const data = all.slice(offset, offset + limit).map(s => pick(s, fields))
    const next =
      offset + limit < all.length
        ? Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64url')
        : undefined
    const body: GetScoresV3Response = {
      data,
      meta: next === undefined ? { limit } : { limit, cursor: next }
    }
    return { status: 200, json: body }
  }
}

interface Answer {
  status: number
  json: unknown
}

function project(o: ObservationV2, groups: Set<string>, expand: Set<string>): ObservationV2 {
  const out: Record<string, unknown> = {}
  for (const k of CORE) out[k] = o[k]
  for (const k of NULL_UNLESS_MODEL) out[k] = null
  for (const g of groups) for (const k of GROUPS[g] ?? []) if (o[k] !== undefined) out[k] = o[k]
  if (isRecord(out.metadata)) {
    const metadata: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(out.metadata)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value)
      metadata[key] =
        expand.has(key) || text.length <= METADATA_CHARS ? value : text.slice(0, METADATA_CHARS)
    }
    out.metadata = metadata
  }
  return out as unknown as ObservationV2
}

function pick(s: ScoreV3, fields: string[]): ScoreV3 {
  const out: Record<string, unknown> = {}
  for (const k of fields)
    if ((s as unknown as Record<string, unknown>)[k] !== undefined)
      out[k] = (s as unknown as Record<string, unknown>)[k]
  return out as unknown as ScoreV3
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body))
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(text)
}
