/**
 * A loopback stand-in for the OpenAI Chat Completions API (POST /v1/chat/completions with
 * `response_format: { type: 'json_schema' }`), for driving the real `openai` client. It grades from
 * hidden markers in the texts, so each test knows the truth: an output carrying `[q=N]` has grade N
 * (1..5); in a pairwise request the response with the higher grade wins, equal grades tie.
 * Markers that change its behaviour: `[bad-json]` (answers prose), `[hang]` (never answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ServerOptions {
  /** Share of pairwise requests answered "A" whatever the texts (a position bias), by hash. */
  preferFirst?: number
  /** Answer the first N requests with 429 and this retry-after (seconds). */
  rateLimited?: { requests: number; retryAfter: string }
  /** Answer the first N requests with 500. */
  failing?: number
  servedModel?: string
  /** Answer without `usage` (some OpenAI-compatible servers do): the cost is unknown. */
  noUsage?: boolean
  /** Refuse every request (structured outputs' `message.refusal`, content null). */
  refuse?: boolean
}

export interface JudgeServer {
  baseURL: string
  /** Raw request bodies, in arrival order. */
  bodies: string[]
  /** Arrival times, ms. */
  times: number[]
  /** Tokens reported in `usage`, summed: input ~ characters / 4 of the messages, output 10. */
  tokens: { input: number; output: number }
  close(): Promise<void>
}

export async function startJudgeServer(opts: ServerOptions = {}): Promise<JudgeServer> {
  const bodies: string[] = []
  const times: number[] = []
  const tokens = { input: 0, output: 0 }
  const hanging: ServerResponse[] = []
  let seen = 0
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      bodies.push(body)
      times.push(performance.now())
      const n = seen++
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
      }
      const user = request.messages.find(m => m.role === 'user')?.content ?? ''
      if (user.includes('[hang]')) {
        hanging.push(res)
        return
      }
      const content = opts.refuse
        ? null
        : user.includes('[bad-json]')
          ? 'I would say this is quite good.'
          : request.response_format?.json_schema?.name === 'verdict'
            ? JSON.stringify({ winner: pairwise(user, opts.preferFirst ?? 0) })
            : JSON.stringify({ grade: gradeOf(section(user, 'RESPONSE')) })
      const promptTokens = Math.ceil(request.messages.reduce((n, m) => n + m.content.length, 0) / 4)
      tokens.input += promptTokens
      tokens.output += 10
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
            logprobs: null
          }
        ],
        ...(!opts.noUsage && {
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: 10,
            total_tokens: promptTokens + 10
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
  return start < 0 || end < 0 ? '' : text.slice(start, end)
}

function gradeOf(text: string): number {
  const m = /\[q=([1-5])\]/.exec(text)
  return m ? Number(m[1]) : 3
}

function pairwise(user: string, preferFirst: number): 'A' | 'B' | 'tie' {
  // A deterministic "random" position bias: a hash of the request picks the biased ones.
  let h = 0x811c9dc5
  for (let i = 0; i < user.length; i++) h = Math.imul(h ^ user.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ (h >>> 12) // mix the low bits
  if (((h >>> 0) % 1000) / 1000 < preferFirst) return 'A'
  const a = gradeOf(section(user, 'RESPONSE_A'))
  const b = gradeOf(section(user, 'RESPONSE_B'))
  return a > b ? 'A' : b > a ? 'B' : 'tie'
}
