import OpenAI from 'openai'
import type { JudgeSpec } from '../policy/types.js'
import type { ChatMessage } from './prompt.js'

/** One structured-output chat completion; what the judge needs from an OpenAI-compatible API. */
export interface ChatClient {
  complete(request: {
    messages: ChatMessage[]
    schema: { name: string; strict: boolean; schema: Record<string, unknown> }
  }): Promise<ChatAnswer>
}

export interface ChatAnswer {
  content: string | null
  /** The model id the API says served the call. */
  model: string
  inputTokens: number
  outputTokens: number
}

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
    async complete({ messages, schema }) {
      try {
        const response = await client.chat.completions.create(
          {
            model: spec.model,
            messages,
            temperature: 0,
            response_format: { type: 'json_schema', json_schema: schema }
          },
          { signal: AbortSignal.timeout(deadline) }
        )
        return {
          content: response.choices[0]?.message.content ?? null,
          model: response.model,
          inputTokens: response.usage?.prompt_tokens ?? 0,
          outputTokens: response.usage?.completion_tokens ?? 0
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

function describeFailure(e: unknown): string {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return 'timeout'
  if (e instanceof OpenAI.APIUserAbortError) return 'timeout'
  if (e instanceof OpenAI.APIConnectionError) return 'connection failed'
  if (e instanceof OpenAI.APIError && e.status !== undefined) return `HTTP ${e.status}`
  return 'failed'
}
