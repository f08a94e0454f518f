import OpenAI from 'openai'
import type { JudgeSpec } from '../policy/types.js'
import type { ChatMessage } from './prompt.js'

/** One structured-output chat completion; what the judge needs from an OpenAI-compatible API. */
export interface ChatClient {
  complete(request: {
    messages: ChatMessage[]
    schema: { name: string; strict: boolean; schema: Record<string, unknown> }
    /** Ask for each output token's log probability and its most likely alternatives. */
    logprobs?: boolean
  }): Promise<ChatAnswer>
}

export interface ChatAnswer {
  content: string | null
  /** The model's refusal (structured outputs' `message.refusal`), when it declined to answer. */
  refusal?: string
  /** The model id the API says served the call. */
  model: string
  /** Tokens the API reported in `usage`; null when the answer had no usage (the cost is unknown). */
  inputTokens: number | null
  outputTokens: number | null
  /** The content's tokens with their most likely alternatives, when asked for and returned. */
  logprobs?: TokenLogprob[]
}

/** One output token and the most likely tokens at its position (`top_logprobs`). */
export interface TokenLogprob {
  token: string
  top: { token: string; logprob: number }[]
}

/** Alternatives asked for at each position: enough for the five grades, or A, B and tie. */
const TOP_LOGPROBS = 5

/** The longest retry-after the judge waits for; a longer one ends the call (the sample is missing). */
const MAX_WAIT_MS = 120_000

/** Test seams: the clock and the sleep the retries use. */
export interface ClientOptions {
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/**
 * The judge's calls through the official `openai` client, with the retries done here rather than
 * by the client: it honours any `retry-after` by sleeping through it, deaf to the abort signal, so
 * a 429 with `retry-after: 600` held an evaluation for ten minutes. Each call has one deadline
 * over all its attempts, `timeout * (maxRetries + 1) + 120 s`: a retry (429, 408, 409, 5xx, a
 * network error or a timeout, after `retry-after-ms`, `retry-after` or an exponential backoff) is
 * only made when its wait ends before the deadline, and each attempt's own timeout is cut to the
 * time left. Errors carry the HTTP status only: never the key, never text.
 */
export function openaiChatClient(
  spec: JudgeSpec,
  apiKey: string,
  options: ClientOptions = {}
): ChatClient {
  const client = new OpenAI({
    apiKey,
    ...(spec.baseURL !== undefined && { baseURL: spec.baseURL }),
    timeout: spec.timeout,
    maxRetries: 0,
    logLevel: 'off'
  })
  const now = options.now ?? (() => Date.now())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)))
  const budget = spec.timeout * (spec.maxRetries + 1) + MAX_WAIT_MS
  return {
    async complete({ messages, schema, logprobs }) {
      const deadline = now() + budget
      for (let attempt = 0; ; attempt++) {
        const left = deadline - now()
        if (left <= 0) throw new JudgeCallError('timeout')
        try {
          const response = await client.chat.completions.create(
            {
              model: spec.model,
              messages,
              temperature: 0,
              response_format: { type: 'json_schema', json_schema: schema },
              ...(logprobs && { logprobs: true, top_logprobs: TOP_LOGPROBS })
            },
            {
              timeout: Math.max(1, Math.min(spec.timeout, left)),
              signal: AbortSignal.timeout(left)
            }
          )
          const choice = response.choices[0]
          const message = choice?.message
          const tokens = choice?.logprobs?.content
          return {
            content: message?.content ?? null,
            ...(message?.refusal && { refusal: message.refusal }),
            model: response.model,
            inputTokens: count(response.usage?.prompt_tokens),
            outputTokens: count(response.usage?.completion_tokens),
            ...(tokens && {
              logprobs: tokens.map(t => ({
                token: t.token,
                top: (t.top_logprobs ?? []).map(a => ({ token: a.token, logprob: a.logprob }))
              }))
            })
          }
        } catch (e) {
          const failure = describeFailure(e)
          if (!retryable(e) || attempt >= spec.maxRetries) throw new JudgeCallError(failure)
          const wait = retryAfter(e, now()) ?? backoff(attempt)
          // A wait past the deadline (or past the longest honoured) ends the call now.
          if (wait > MAX_WAIT_MS || now() + wait >= deadline) throw new JudgeCallError(failure)
          await sleep(wait)
        }
      }
    }
  }
}

export class JudgeCallError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JudgeCallError'
  }
}

const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null

function describeFailure(e: unknown): string {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return 'timeout'
  if (e instanceof OpenAI.APIUserAbortError) return 'timeout'
  if (e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError'))
    return 'timeout'
  if (e instanceof OpenAI.APIConnectionError) return 'connection failed'
  if (e instanceof OpenAI.APIError && e.status !== undefined) return `HTTP ${e.status}`
  return 'failed'
}

/** What openai-node itself retries: timeouts, connection errors, 408, 409, 429 and 5xx. */
function retryable(e: unknown): boolean {
  if (e instanceof OpenAI.APIUserAbortError) return false // the deadline's own signal
  if (e instanceof OpenAI.APIConnectionError) return true // includes its timeout error
  if (!(e instanceof OpenAI.APIError) || e.status === undefined) return false
  return e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500
}

/** `retry-after-ms`, then `retry-after` in seconds or as an HTTP date (RFC 9110, 10.2.3). */
function retryAfter(e: unknown, now: number): number | undefined {
  const headers = e instanceof OpenAI.APIError ? e.headers : undefined
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '')
  if (Number.isFinite(ms) && ms >= 0) return ms
  const text = headers?.get('retry-after')
  if (!text) return undefined
  const seconds = Number(text)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(text)
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined
}

/** 0.5 s doubling per attempt, at most 8 s, with up to 25% jitter (as openai-node does). */
const backoff = (attempt: number): number =>
  Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25)
