/**
 * What the pairwise and pointwise judging share: the call path (budget, cache, answer reading),
 * the design of the length control, the control items, and the per-round bookkeeping that the
 * sequential loop in run.ts drives. Each mode (pairwise.ts, pointwise.ts) is a `Judging`.
 */
import type { JudgeHealthCheck, JudgeSummary } from '../analysis/types.js'
import type { JudgeSpec } from '../policy/types.js'
import type { Arm } from '../records/record.js'
import { FAILED, type Caller } from './calls.js'
import type { JudgementCache } from './cache.js'
import type { Degradation } from './controls.js'
import type { Bounds, Scored } from './fold.js'
import type { ChatMessage } from './prompt.js'
import type { ChatAnswer, ChatClient } from './client.js'

/** Control items a round asks for, by kind. */
export interface ControlAsk {
  identical: number
  degraded: number
}

/** What one round did. */
export interface RoundResult {
  /** Real items taken from the sample this round (judged, cached or missing). */
  taken: number
  /** Controls judged this round (cached or not). */
  controls: number
  /** Calls attempted this round, and how many failed after their retries. */
  attempted: number
  failed: number
}

/** A judgement that can be asked for again, to measure self-agreement. */
export interface Recheck {
  /** The stated answer the first time. */
  first: string
  again(): Promise<string | undefined>
}

/** The shared state of one evaluation's judging. */
export interface JudgingContext {
  spec: JudgeSpec
  caller: Caller
  cache: JudgementCache
  /** judgeKey(spec): part of every item's cache key. */
  judgeKey: string
  /** Redact, neutralise and cut a production text as it will be sent. */
  prepare(text: string): string
  /** Human labels by record id. */
  labels?: Map<string, string>
  /** Answers that did not follow the schema. */
  parseFailures: number
  /** Answers that were the model's refusal (`message.refusal`): missing, not schema failures. */
  refusals: number
  /** Fresh (not cached) judgements, for the recheck. */
  fresh: Recheck[]
  /** Calls attempted and failed since the round began. */
  attempted: number
  failed: number
}

/** One call through the budget; counts attempts, failures, refusals and schema failures. */
export async function ask<T>(
  ctx: JudgingContext,
  messages: ChatMessage[],
  schema: Parameters<ChatClient['complete']>[0]['schema'],
  read: (answer: ChatAnswer) => T | undefined
): Promise<T | undefined | typeof FAILED> {
  const answer = await ctx.caller.ask(messages, schema)
  if (answer === undefined) return undefined
  ctx.attempted++
  if (answer === FAILED) {
    ctx.failed++
    return FAILED
  }
  if (answer.refusal !== undefined) {
    ctx.refusals++
    return undefined
  }
  const value = read(answer)
  if (value === undefined) ctx.parseFailures++
  return value
}

/** A mode's judging, driven round by round by run.ts. */
export interface Judging {
  /** Judge the labelled items in the sample first (for kappa), at most `cap`. */
  judgeLabelled(cap: number): Promise<void>
  /** Take the next batch of real items (when `real`) and judge it, then the controls asked. */
  round(real: boolean, controls: ControlAsk, degradation: Degradation): Promise<RoundResult>
  /** The judged items the metric uses (the consumed prefix of the sample), scores adjusted. */
  scored(): Scored[]
  /** Bounds of the adjusted scores, per arm. */
  bounds(): Record<Arm, Bounds>
  /** Items judged in the metric, per arm (pairwise: pairs, in both fields). */
  judged(): { baseline: number; canary: number }
  /** Unjudged items left in the sample (pairs, or outputs of the arm with fewer left). */
  remaining(): number
  /** No real item is left in the sample. */
  exhausted(): boolean
  /** Length control is on and the arms barely overlap in length: it cannot separate them. */
  confounded(): boolean
  /** The checks on controls, flips and labels. */
  health(): JudgeHealthCheck[]
  /** Facts for the summary: win rates, order and length figures, biases, human agreement. */
  facts(): Partial<JudgeSummary>
  /** Items sampled per arm, and the items the sample could pair or grade. */
  sampled(): { baseline: number; canary: number }
}
