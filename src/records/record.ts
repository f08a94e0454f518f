/**
 * The canonical request record (DESIGN.md): one LLM call, after field aliases are resolved and
 * units normalised (times in ms, `input_tokens` counts all input, cached tokens included).
 * Sources turn their raw rows into this shape; nothing downstream sees a raw alias.
 */
export type Arm = 'baseline' | 'canary'

export interface RequestRecord {
  /** Start time, epoch milliseconds. */
  ts: number
  arm: Arm
  unit?: string
  latency_ms?: number
  ttft_ms?: number
  input_tokens?: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  output_tokens?: number
  model?: string
  fingerprint?: string
  /** null, or a class: rate_limit, timeout, server, client, content_filter (or another string). */
  error: string | null
  fallback: boolean
  /** Billed cost when the record had one; otherwise computed from tokens and the policy's prices. */
  cost_usd?: number
  score?: number
  scores?: Record<string, number>
  feedback?: number
  /** The raw row, for segment dimensions and any other field a metric names. Never logged. */
  raw: Record<string, unknown>
}
