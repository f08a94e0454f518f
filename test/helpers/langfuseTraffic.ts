/**
 * The generated gateway logs of examples/generate-traffic.ts as Langfuse would hold them: one
 * GENERATION observation per call (in its own trace) and a NUMERIC `quality` score per scored call,
 * typed with Langfuse's API definition (@langfuse/core). Cost details as Langfuse computes them
 * from its model prices, here the same prices as the test policy (USD per token).
 */
import type { ObservationV2, ScoreV3 } from './langfuseStandIn.js'

const PRICE = { input: 2.5e-6, cacheRead: 1.25e-6, output: 10e-6 }

const STATUS: Record<string, string> = {
  rate_limit: '429 Too Many Requests: Rate limit reached for requests',
  timeout: 'Request timed out after 30000 ms'
}

export function toLangfuse(
  r: Record<string, unknown>,
  i: number
): { observation: ObservationV2; score?: ScoreV3 } {
  const start = Date.parse(r.ts as string)
  const latency = r.latency_ms as number
  const ttft = r.ttft_ms as number
  const prompt = r.prompt_tokens as number
  const cached = (r.prompt_tokens_details as { cached_tokens: number }).cached_tokens
  const output = r.completion_tokens as number
  const arm = r.arm as string
  const error = r.error as string | null
  const id = `obs-${i}`
  const traceId = `trace-${i}`
  const cost = {
    input: (prompt - cached) * PRICE.input,
    input_cached_tokens: cached * PRICE.cacheRead,
    output: output * PRICE.output
  }
  const totalCost = cost.input + cost.input_cached_tokens + cost.output
  const iso = (ms: number) => new Date(ms).toISOString()
  const observation: ObservationV2 = {
    id,
    traceId,
    startTime: iso(start),
    endTime: iso(start + latency),
    projectId: 'project-1',
    parentObservationId: null,
    type: 'GENERATION',
    name: 'chat-completion',
    level: error ? 'ERROR' : 'DEFAULT',
    statusMessage: error ? (STATUS[error] ?? error) : null,
    version: arm === 'candidate' ? 'v8' : 'v7',
    environment: 'production',
    userId: r.user_id as string,
    sessionId: null,
    completionStartTime: iso(start + ttft),
    createdAt: iso(start + latency),
    updatedAt: iso(start + latency),
    input: `question ${i}`,
    output: error ? null : `answer ${i}`,
    metadata: { route: r.route, language: r.language, variant: arm },
    model: r.model as string,
    modelId: null,
    inputPrice: null,
    outputPrice: null,
    totalPrice: null,
    usageDetails: {
      input: prompt - cached,
      input_cached_tokens: cached,
      output,
      total: prompt + output
    },
    costDetails: { ...cost, total: totalCost },
    totalCost,
    promptName: 'support-assistant',
    promptVersion: arm === 'candidate' ? 8 : 7,
    latency: latency / 1000,
    timeToFirstToken: ttft / 1000,
    traceName: 'support-chat',
    tags: ['support', `variant:${arm}`],
    release: arm
  }
  if (typeof r.score !== 'number') return { observation }
  const at = iso(start + latency + 2000)
  const score: ScoreV3 = {
    dataType: 'NUMERIC',
    id: `score-${i}`,
    projectId: 'project-1',
    name: 'quality',
    source: 'EVAL',
    timestamp: at,
    createdAt: at,
    updatedAt: at,
    authorUserId: null,
    comment: null,
    configId: null,
    queueId: null,
    environment: 'production',
    subject: { kind: 'observation', id, traceId },
    value: r.score
  }
  return { observation, score }
}

/** All observations and scores of a generated traffic stream. */
export function langfuseData(records: Iterable<Record<string, unknown>>): {
  observations: ObservationV2[]
  scores: ScoreV3[]
} {
  const observations: ObservationV2[] = []
  const scores: ScoreV3[] = []
  let i = 0
  for (const r of records) {
    const { observation, score } = toLangfuse(r, i++)
    observations.push(observation)
    if (score) scores.push(score)
  }
  return { observations, scores }
}
