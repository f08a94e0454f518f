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
  /** The model id the API says served the call. */
  model: string
  /** From the answer's `usage`; null when the endpoint reports none (the cost is then unknown). */
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

/**
 * The judge's calls through the official `openai` client: its retries (429 and 5xx, honouring
 * retry-after and retry-after-ms) and timeout, with one deadline over all attempts so a huge
 * retry-after cannot stall the gate. Errors carry the HTTP status only: never the key, never text.
 */
export function openaiChatClient(spec: JudgeSpec, apiKey: string): ChatClient {
  const client = new OpenAI({
    apiKey,
    ...(spec.baseURL !== undefined && { baseURL: spec.baseURL }),
    timeout: spec.timeout,
    maxRetries: spec.maxRetries,
    logLevel: 'off'
  })
  const deadline = spec.timeout * (spec.maxRetries + 1) + MAX_WAIT_MS
  return {
    async complete({ messages, schema, logprobs }) {
      try {
        const response = await client.chat.completions.create(
          {
            model: spec.model,
            messages,
            temperature: 0,
            response_format: { type: 'json_schema', json_schema: schema },
            ...(logprobs && { logprobs: true, top_logprobs: TOP_LOGPROBS })
          },
          { signal: AbortSignal.timeout(deadline) }
        )
        const choice = response.choices[0]
        const tokens = choice?.logprobs?.content
        return {
          content: choice?.message.content ?? null,
          model: response.model,
          inputTokens: usageCount(response.usage?.prompt_tokens),
          outputTokens: usageCount(response.usage?.completion_tokens),
          ...(tokens && {
            logprobs: tokens.map(t => ({
              token: t.token,
              top: (t.top_logprobs ?? []).map(a => ({ token: a.token, logprob: a.logprob }))
            }))
          })
        }
      } catch (e) {
        throw new JudgeCallError(describeFailure(e))
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

/** A token count the endpoint reported, or null (absent, or not a count). */
const usageCount = (n: number | undefined): number | null =>
  typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null

function describeFailure(e: unknown): string {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return 'timeout'
  if (e instanceof OpenAI.APIUserAbortError) return 'timeout'
  if (e instanceof OpenAI.APIConnectionError) return 'connection failed'
  if (e instanceof OpenAI.APIError && e.status !== undefined) return `HTTP ${e.status}`
  return 'failed'
}
