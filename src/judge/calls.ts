/**
 * Calling: every judge call goes through one Caller, which enforces the budget (per evaluation and
 * per step, in calls and USD), accounts what was spent (calls, input and output tokens, USD, and
 * "unknown" when the endpoint reports no usage), and keeps the calls in flight under
 * `concurrency`. A USD budget is never overshot: each call reserves an upper estimate of its cost
 * before it is made. An answer without usage makes the cost unknown: it counts at its estimate,
 * and under a USD budget judging stops (`usage-unknown`), since an estimate cannot enforce a
 * dollar limit (the output is unbounded).
 */
import type { JudgeStepSpend } from '../decide/types.js'
import type { JudgeSpec } from '../policy/types.js'
import { JudgeCallError, type ChatAnswer, type ChatClient } from './client.js'
import type { ChatMessage } from './prompt.js'

export const FAILED: unique symbol = Symbol('failed')

export type BudgetStop =
  'budget-calls' | 'budget-usd' | 'budget-step-calls' | 'budget-step-usd' | 'usage-unknown'

/** What an evaluation (or a step) spent on the judge; null: not known (no usage reported). */
export interface Spend {
  calls: number
  inputTokens: number | null
  outputTokens: number | null
  /** null without prices, or once a call's usage was missing. */
  usd: number | null
  /** With prices: the USD spent at most (a call without usage counts at its upper estimate). */
  usdAtMost: number | null
}

type Schema = Parameters<ChatClient['complete']>[0]['schema']

export class Caller {
  /** Set once a budget refused a call: which one. */
  budgetStop: BudgetStop | undefined
  readonly errors: Record<string, number> = {}
  readonly served = new Set<string>()
  /** Whether token log probabilities are asked for; `rejected` once the endpoint refused them. */
  logprobs: 'off' | 'on' | 'rejected'
  /** Answers that came with log probabilities. */
  withLogprobs = 0
  /** Answers without token usage (their cost unknown). */
  withoutUsage = 0
  private calls = 0
  private inputTokens: number | null = 0
  private outputTokens: number | null = 0
  private usdKnown = 0
  private usdUnknown = false
  private usdUpper = 0
  private reserved = 0
  private readonly inflight = new Set<Promise<unknown>>()
  private tokensPerChar: number | undefined
  private maxOutputTokens = 0

  constructor(
    private readonly spec: JudgeSpec,
    private readonly client: ChatClient,
    private readonly stepBefore: JudgeStepSpend
  ) {
    this.logprobs = spec.logprobs ? 'on' : 'off'
  }

  /**
   * One call within the budget: the answer; undefined when a budget forbids it (budgetStop says
   * which); FAILED when the API failed after its retries.
   */
  async ask(
    messages: ChatMessage[],
    schema: Schema
  ): Promise<ChatAnswer | undefined | typeof FAILED> {
    // The API stopped reporting usage under a USD budget: no further call.
    if (this.budgetStop === 'usage-unknown') return undefined
    let estimate = this.estimate(messages)
    for (;;) {
      const refusal = this.refusal(estimate, this.reserved)
      if (!refusal) break
      // Refused only for what calls in flight have reserved: wait for one to settle (its real
      // cost is usually far below its reservation), then look again.
      if (this.inflight.size === 0 || this.refusal(estimate, 0)) {
        this.budgetStop = refusal
        return undefined
      }
      await Promise.race(this.inflight)
      estimate = this.estimate(messages)
    }
    this.calls++
    this.reserved += estimate
    const call = this.complete(messages, schema)
    const settled = call.then(
      () => undefined,
      () => undefined
    )
    this.inflight.add(settled)
    try {
      const answer = await call
      this.account(messages, answer, estimate)
      return answer
    } catch (e) {
      const what = e instanceof JudgeCallError ? e.message : 'failed'
      this.errors[what] = (this.errors[what] ?? 0) + 1
      // A failed call may still have been billed: count it at its estimate, as unknown.
      this.usdUpper += estimate
      return FAILED
    } finally {
      this.reserved -= estimate
      this.inflight.delete(settled)
    }
  }

  /** The endpoint refused `logprobs` (HTTP 400): ask once more without, and from then on. */
  private async complete(messages: ChatMessage[], schema: Schema): Promise<ChatAnswer> {
    if (this.logprobs !== 'on') return this.client.complete({ messages, schema })
    try {
      return await this.client.complete({ messages, schema, logprobs: true })
    } catch (e) {
      if (!(e instanceof JudgeCallError) || e.message !== 'HTTP 400') throw e
      const answer = await this.client.complete({ messages, schema })
      this.logprobs = 'rejected'
      return answer
    }
  }

  private refusal(estimate: number, reserved: number): BudgetStop | undefined {
    const { calls, usd, stepCalls, stepUsd } = this.spec.budget
    if (this.calls >= calls) return 'budget-calls'
    if (stepCalls !== undefined && this.stepBefore.calls + this.calls >= stepCalls) {
      return 'budget-step-calls'
    }
    const committed = this.usdUpper + reserved + estimate
    if (usd !== undefined && committed > usd) return 'budget-usd'
    const before = this.stepBefore.usdAtMost ?? this.stepBefore.usd ?? 0
    if (stepUsd !== undefined && before + committed > stepUsd) return 'budget-step-usd'
    return undefined
  }

  private account(messages: ChatMessage[], answer: ChatAnswer, estimate: number): void {
    this.served.add(answer.model)
    if (answer.logprobs && answer.logprobs.length > 0) this.withLogprobs++
    const { inputTokens, outputTokens } = answer
    if (inputTokens === null || outputTokens === null) {
      this.withoutUsage++
      this.usdUnknown = true
      this.usdUpper += estimate
      const { usd, stepUsd } = this.spec.budget
      if (usd !== undefined || stepUsd !== undefined) this.budgetStop = 'usage-unknown'
    } else {
      const cost = this.cost(inputTokens, outputTokens)
      this.usdKnown += cost
      this.usdUpper += cost
      const chars = messages.reduce((n, m) => n + m.content.length, 0)
      if (chars > 0) this.tokensPerChar = Math.max(this.tokensPerChar ?? 0, inputTokens / chars)
      this.maxOutputTokens = Math.max(this.maxOutputTokens, outputTokens)
    }
    this.inputTokens =
      this.inputTokens === null || inputTokens === null ? null : this.inputTokens + inputTokens
    this.outputTokens =
      this.outputTokens === null || outputTokens === null ? null : this.outputTokens + outputTokens
  }

  /**
   * An upper estimate of a call's cost, reserved before it is made: one token per character
   * (English runs about four characters a token) until the API has reported usage, then the
   * highest tokens per character seen, plus 10%; output 300 tokens (the feedback the prompt asks
   * for comes before the verdict) until usage is reported, then the most seen, plus 10%.
   */
  private estimate(messages: ChatMessage[]): number {
    const chars = messages.reduce((n, m) => n + m.content.length, 0)
    const perChar = this.tokensPerChar === undefined ? 1 : this.tokensPerChar * 1.1
    const output = this.maxOutputTokens > 0 ? Math.ceil(this.maxOutputTokens * 1.1) : 300
    return this.cost(Math.ceil(chars * perChar), output)
  }

  private cost(inputTokens: number, outputTokens: number): number {
    const p = this.spec.prices
    return p ? (inputTokens * p.input + outputTokens * p.output) / 1e6 : 0
  }

  /** This evaluation's spend so far. */
  spend(): Spend {
    const priced = this.spec.prices !== undefined
    return {
      calls: this.calls,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      usd: priced && !this.usdUnknown ? round6(this.usdKnown) : null,
      usdAtMost: priced ? round6(this.usdUpper) : null
    }
  }

  /** The step's spend with this evaluation's added. */
  stepSpend(): JudgeStepSpend {
    const look = this.spend()
    const b = this.stepBefore
    const add = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y)
    const usd = add(b.usd, look.usd)
    const atMost = add(b.usdAtMost ?? b.usd, look.usdAtMost)
    return {
      startedAt: b.startedAt,
      looks: b.looks + 1,
      calls: b.calls + look.calls,
      inputTokens: add(b.inputTokens, look.inputTokens),
      outputTokens: add(b.outputTokens, look.outputTokens),
      usd: usd === null ? null : round6(usd),
      ...(atMost !== null && { usdAtMost: round6(atMost) })
    }
  }

  /** Mean USD per call so far (null when unknown), for the projection. */
  usdPerCall(): number | null {
    const s = this.spend()
    const usd = s.usd ?? s.usdAtMost
    return usd === null || s.calls === 0 ? null : usd / s.calls
  }

  /** Run `f` over the items with at most `concurrency` in flight; results in item order. */
  async pool<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length)
    let next = 0
    const worker = async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i] as T)
      }
    }
    const n = Math.min(this.spec.concurrency, items.length)
    await Promise.all(Array.from({ length: n }, worker))
    return out
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6
