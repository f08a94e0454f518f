/**
 * A loopback stand-in for the OpenAI Chat Completions API (POST /v1/chat/completions with
 * `response_format: { type: 'json_schema' }`, optional `logprobs` / `top_logprobs`), for driving
 * the real `openai` client with a judge whose behaviour is scripted, so each test knows the truth.
 *
 * The truth of a response is read from its content (test/helpers/judgeTraffic.ts writes it): each
 * sentence "Value k of case C is V." is a fact, right when C is the case the user input asks about
 * and V its k-th value; grade = 1 + the right facts (at most 5). A truncated copy loses facts, a
 * copy with its numbers shuffled gets them wrong, so a judge that reads content sees both as
 * worse. Responses without facts may carry a `[q=N]` marker (grade N); else grade 3. Pairwise, the
 * response with the higher grade wins and equal grades tie.
 *
 * Scripted behaviour (ServerOptions.behaviour), applied in this order to the distribution over the
 * verdicts (A, B, tie) or grades (1..5), from which the stated answer is drawn with a seeded
 * generator: the truth; `preferLonger` (in a true tie, that share goes to the longer response);
 * `gradePerChars` (pointwise: +1 grade per that many characters of the response, at most 5);
 * `accuracy` q (the answer keeps probability q, the rest is spread over the other answers);
 * `preferFirst` (that share goes to "A" whatever the texts); `constant` (always that answer);
 * `byLength` (the length is the truth: the longer response wins, grade 1 + characters / 150). With
 * `logprobs` asked for, the answer token's `top_logprobs` are that distribution.
 * Markers that change the transport: `[bad-json]` (answers prose), `[hang]` (never answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expectedValue } from './judgeTraffic.js'

export interface Behaviour {
  accuracy?: number
  /** What a wrong answer (1 - accuracy) is: spread over the others (default), or always a tie. */
  unsure?: 'spread' | 'tie'
  /**
   * Spread of the judge's confidence from request to request: the distribution a request's
   * answer is drawn from (and its logprobs) is softmax(log d + sigma * N(0, 1)) per answer.
   */
  sigma?: number
  preferFirst?: number
  preferLonger?: number
  gradePerChars?: number
  constant?: 'A' | 'B' | 'tie' | 1 | 2 | 3 | 4 | 5
  /** Reads only the length: the longer response wins (equal lengths tie); grade 1 + length / 150. */
  byLength?: boolean
}

export interface ServerOptions {
  behaviour?: Behaviour
  /** Seeds the draws (with each request's body and how often it was seen). */
  seed?: number
  /** Share of pairwise requests answered "A" whatever the texts (a position bias). */
  preferFirst?: number
  /** Answer the first N requests with 429 and this retry-after (seconds). */
  rateLimited?: { requests: number; retryAfter: string }
  /** Answer the first N requests with 500. */
  failing?: number
  servedModel?: string
  /** Leave `usage` out of every answer (an endpoint that reports none): the cost is unknown. */
  noUsage?: boolean
  /** Answer 400 to any request asking for `logprobs` (OpenAI's reasoning models do). */
  rejectLogprobs?: boolean
  /** Return no `logprobs` even when asked. */
  noLogprobs?: boolean
  /** Refuse every request (structured outputs' `message.refusal`, content null). */
  refuse?: boolean
}

export interface JudgeServer {
  baseURL: string
  /** Raw request bodies, in arrival order. */
  bodies: string[]
  /** Arrival times, ms. */
  times: number[]
  /** Tokens reported in `usage`, summed: input ~ characters / 4 of the messages, output ~ / 4 of the answer. */
  tokens: { input: number; output: number }
  close(): Promise<void>
}

type Verdict = 'A' | 'B' | 'tie'
const VERDICTS: Verdict[] = ['A', 'B', 'tie']
const GRADES = ['1', '2', '3', '4', '5']

export async function startJudgeServer(opts: ServerOptions = {}): Promise<JudgeServer> {
  const bodies: string[] = []
  const times: number[] = []
  const tokens = { input: 0, output: 0 }
  const hanging: ServerResponse[] = []
  const seen = new Map<string, number>()
  const behaviour: Behaviour = {
    ...opts.behaviour,
    ...(opts.preferFirst !== undefined && { preferFirst: opts.preferFirst })
  }
  let count = 0
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      bodies.push(body)
      times.push(performance.now())
      const n = count++
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        return send(res, 404, { error: { message: 'not found' } })
      }
      if (opts.rateLimited && n < opts.rateLimited.requests) {
        res.setHeader('retry-after', opts.rateLimited.retryAfter)
        return send(res, 429, { error: { message: 'rate limited', type: 'rate_limit' } })
      }
      if (opts.failing !== undefined && n < opts.failing) {
        return send(res, 500, { error: { message: 'boom' } })
      }
      const request = JSON.parse(body) as {
        model: string
        messages: { role: string; content: string }[]
        response_format?: { type: string; json_schema?: { name: string } }
        logprobs?: boolean
        top_logprobs?: number
      }
      if (request.logprobs && opts.rejectLogprobs) {
        return send(res, 400, {
          error: {
            message: 'logprobs is not supported with this model',
            type: 'invalid_request_error'
          }
        })
      }
      const user = request.messages.find(m => m.role === 'user')?.content ?? ''
      if (user.includes('[hang]')) {
        hanging.push(res)
        return
      }
      const occurrence = seen.get(body) ?? 0
      seen.set(body, occurrence + 1)
      const random = rng(hash(`${opts.seed ?? 0}\u0000${occurrence}\u0000${body}`))
      const pairwise = request.response_format?.json_schema?.name === 'verdict'
      const key = pairwise ? 'winner' : 'grade'
      const base = pairwise
        ? verdictDistribution(user, behaviour)
        : gradeDistribution(user, behaviour)
      const dist = behaviour.sigma ? perturb(base, behaviour.sigma, random) : base
      const values = pairwise ? VERDICTS : GRADES
      const stated = values[draw(dist, random)] as string
      const feedback = 'The response was compared with the criteria.'
      const valueJson = pairwise ? JSON.stringify(stated) : stated
      const content = opts.refuse
        ? null
        : user.includes('[bad-json]')
          ? 'I would say this is quite good.'
          : `{"feedback":${JSON.stringify(feedback)},"${key}":${valueJson}}`
      const promptTokens = Math.ceil(request.messages.reduce((t, m) => t + m.content.length, 0) / 4)
      const completionTokens = Math.ceil((content ?? '').length / 4)
      if (!opts.noUsage) {
        tokens.input += promptTokens
        tokens.output += completionTokens
      }
      const wantLogprobs = request.logprobs === true && !opts.noLogprobs && content !== null
      send(res, 200, {
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: opts.servedModel ?? `${request.model}-2025-01-01`,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content,
              refusal: opts.refuse ? 'I cannot help with grading this content.' : null
            },
            finish_reason: 'stop',
            logprobs:
              wantLogprobs && !user.includes('[bad-json]')
                ? {
                    content: tokensOf(content ?? '', key, dist, values, request.top_logprobs ?? 0),
                    refusal: null
                  }
                : null
          }
        ],
        ...(!opts.noUsage && {
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens
          }
        })
      })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    bodies,
    times,
    tokens,
    close: () =>
      new Promise(resolve => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function section(text: string, name: string): string {
  const start = text.indexOf(`<<<BEGIN ${name}>>>`)
  const end = text.indexOf(`<<<END ${name}>>>`)
  return start < 0 || end < 0 ? '' : text.slice(start + `<<<BEGIN ${name}>>>`.length, end)
}

/**
 * The grade the content earns: when the input asks about a case, 1 + the facts it states right
 * (at most 5; none right, or none stated, is 1); else a `[q=N]` marker; else 3.
 */
export function gradeOf(response: string, input: string): number {
  const facts = [...response.matchAll(/Value (\d+) of case (\d+) is (\d+)\./g)]
  const question = /values of case (\d+)/.exec(input)
  if (question || facts.length > 0) {
    const asked = Number(question?.[1] ?? -1)
    const right = new Set<number>()
    for (const [, k, c, v] of facts) {
      if (Number(c) === asked && Number(v) === expectedValue(asked, Number(k))) right.add(Number(k))
    }
    return Math.min(5, 1 + right.size)
  }
  const m = /\[q=([1-5])\]/.exec(response)
  return m ? Number(m[1]) : 3
}

function verdictDistribution(user: string, b: Behaviour): number[] {
  if (b.constant !== undefined) return onehot(VERDICTS.indexOf(b.constant as Verdict), 3, 0.98)
  const input = section(user, 'USER_INPUT')
  const ra = section(user, 'RESPONSE_A')
  const rb = section(user, 'RESPONSE_B')
  const a = b.byLength ? ra.trim().length : gradeOf(ra, input)
  const c = b.byLength ? rb.trim().length : gradeOf(rb, input)
  let d = onehot(a > c ? 0 : c > a ? 1 : 2, 3)
  if (a === c && b.preferLonger && ra.trim().length !== rb.trim().length) {
    const longer = ra.trim().length > rb.trim().length ? 0 : 1
    d = [0, 0, 1 - b.preferLonger]
    d[longer] = b.preferLonger
  }
  if (b.accuracy !== undefined)
    d = b.unsure === 'tie' ? unsure(d, b.accuracy, 2) : blur(d, b.accuracy)
  if (b.preferFirst) d = d.map((p, i) => p * (1 - b.preferFirst!) + (i === 0 ? b.preferFirst! : 0))
  return d
}

function gradeDistribution(user: string, b: Behaviour): number[] {
  if (b.constant !== undefined) return onehot(Number(b.constant) - 1, 5, 0.98)
  const input = section(user, 'USER_INPUT')
  const response = section(user, 'RESPONSE')
  let g = b.byLength
    ? Math.min(5, 1 + Math.floor(response.trim().length / 150))
    : gradeOf(response, input)
  if (b.gradePerChars) g = Math.min(5, g + Math.floor(response.trim().length / b.gradePerChars))
  let d = onehot(g - 1, 5)
  if (b.accuracy !== undefined) d = blur(d, b.accuracy)
  return d
}

function onehot(i: number, n: number, p = 1): number[] {
  return Array.from({ length: n }, (_, j) => (j === i ? p : (1 - p) / (n - 1)))
}

/** Keep q of each answer's probability and give the rest to one answer (a tie). */
function unsure(d: number[], q: number, tie: number): number[] {
  return d.map((p, i) => q * p + (i === tie ? 1 - q : 0))
}

/** The distribution with log-normal noise on each answer, renormalised (zero stays zero). */
function perturb(d: number[], sigma: number, random: () => number): number[] {
  const w = d.map(p => (p > 0 ? p * Math.exp(sigma * gaussian(random)) : 0))
  const total = w.reduce((a, b) => a + b, 0)
  return w.map(x => x / total)
}

/** A standard normal draw (Box-Muller). */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** Keep q of each answer's probability and spread the rest evenly over the other answers. */
function blur(d: number[], q: number): number[] {
  const n = d.length
  return d.map((_, i) => d.reduce((t, p, j) => t + (i === j ? q * p : ((1 - q) * p) / (n - 1)), 0))
}

function draw(d: number[], random: () => number): number {
  let u = random()
  for (let i = 0; i < d.length; i++) {
    u -= d[i] ?? 0
    if (u < 0) return i
  }
  return d.length - 1
}

/**
 * The content as tokens the way a tokenizer might cut JSON (the value after `":` is a token of its
 * own, a verdict's opening quote stays with the `":`), each with alternatives: the answer token's
 * are the judge's distribution over the answers, the other tokens are certain.
 */
function tokensOf(content: string, key: string, dist: number[], values: string[], top: number) {
  const marker = `"${key}":${key === 'winner' ? '"' : ''}`
  const at = content.indexOf(marker) + marker.length
  const value =
    key === 'winner' ? (/^(A|B|tie)/.exec(content.slice(at))?.[1] ?? '') : content.charAt(at)
  const pieces = [
    ...splitWords(content.slice(0, at)),
    value,
    ...splitWords(content.slice(at + value.length))
  ]
  return pieces.map(token => {
    const certain = [{ token, logprob: 0, bytes: null }]
    if (token !== value || top === 0)
      return { token, logprob: 0, bytes: null, top_logprobs: top ? certain : [] }
    const alternatives = values
      .map((v, i) => ({ token: v, logprob: Math.log(Math.max(dist[i] ?? 0, 1e-9)), bytes: null }))
      .sort((x, y) => y.logprob - x.logprob)
      .slice(0, top)
    const own = alternatives.find(a => a.token === token)?.logprob ?? Math.log(1e-9)
    return { token, logprob: own, bytes: null, top_logprobs: alternatives }
  })
}

function splitWords(s: string): string[] {
  return s.match(/\s*[^\s]+|\s+/g) ?? []
}

function hash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return (h ^ (h >>> 15)) >>> 0
}

/** mulberry32. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
