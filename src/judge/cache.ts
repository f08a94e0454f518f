/**
 * The judge's memory across evaluations, kept in the rollout state: judgements keyed by a hash of
 * exactly what the judge was shown (the texts after redaction and cutting, which texts and in which
 * roles) together with the judge's prompt and model, so changed texts under an old record id are
 * judged again and a changed rubric or model starts afresh; and the spend of the current step.
 */
import { createHash } from 'node:crypto'
import type { JudgeCacheEntry, JudgeCacheState, JudgeStepSpend } from '../decide/types.js'
import type { JudgeSpec } from '../policy/types.js'
import { PROMPT_VERSION } from './prompt.js'

export function rubricHash(rubric: string): string {
  return `sha256:${createHash('sha256').update(rubric).digest('hex').slice(0, 16)}`
}

/**
 * The judge configuration a judgement is valid for: prompt version, mode, model, and a hash of
 * everything else that changes what the judge is asked or how its answer is read.
 */
export function judgeKey(spec: JudgeSpec): string {
  const asked = JSON.stringify([spec.rubric, spec.levels, spec.logprobs])
  const h = createHash('sha256').update(asked).digest('hex').slice(0, 16)
  return `${PROMPT_VERSION}:${spec.mode}:${spec.model}:sha256:${h}`
}

/** What a judgement is of: a real item, or a control (judge/controls.ts). */
export type ItemKind = 'item' | 'identical' | 'shuffled' | 'scrambled'

/**
 * The key of one judgement: a hash of the judge key, the item's kind and the texts as sent (the
 * input, then the answers: pairwise canary then baseline, pointwise the one output). 96 bits.
 */
export function itemKey(judge: string, kind: ItemKind, texts: readonly string[]): string {
  const h = createHash('sha256')
  h.update(judge)
  for (const part of [kind, ...texts]) h.update('\u0000').update(part)
  return h.digest('hex').slice(0, 24)
}

/** A judgement as kept: the score, and what the judge stated (see JudgeCacheEntry). */
export interface Judgement {
  s: number
  v: number[]
}

/**
 * The judgements of an evaluation: those the state brought (for this judge key), then the new
 * ones, oldest first, so the bounded cache written back keeps the newest and those in use.
 */
export class JudgementCache {
  private readonly entries = new Map<string, Judgement>()
  hits = 0

  constructor(
    readonly key: string,
    state: JudgeCacheState | undefined
  ) {
    if (state?.key !== key || !Array.isArray(state.entries)) return
    for (const e of state.entries) {
      const j = validEntry(e)
      if (j) this.entries.set(e.k, j)
    }
  }

  /** A judgement, moved to the newest end; counted as a hit. */
  take(k: string): Judgement | undefined {
    const hit = this.entries.get(k)
    if (!hit) return undefined
    this.hits++
    this.entries.delete(k)
    this.entries.set(k, hit)
    return hit
  }

  /** A judgement without moving it or counting a hit. */
  peek(k: string): Judgement | undefined {
    return this.entries.get(k)
  }

  put(k: string, j: Judgement): void {
    this.entries.delete(k)
    this.entries.set(k, j)
  }

  /** The newest `size` entries, oldest first, for the state. */
  toState(size: number, step: JudgeStepSpend): JudgeCacheState {
    const all = [...this.entries].map(([k, j]): JudgeCacheEntry => ({ k, s: j.s, v: j.v }))
    return { key: this.key, entries: all.slice(Math.max(0, all.length - size)), step }
  }
}

/** A state entry as a judgement, or undefined when the state holds something else. */
function validEntry(e: unknown): Judgement | undefined {
  if (typeof e !== 'object' || e === null) return undefined
  const { k, s, v } = e as Partial<JudgeCacheEntry>
  const unit = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1
  if (typeof k !== 'string' || !unit(s) || !Array.isArray(v) || !v.every(unit)) return undefined
  return { s, v: [...v] }
}

/** The spend this step has had before this evaluation (zero when the step is new). */
export function stepSpendBefore(
  state: JudgeCacheState | undefined,
  stepStartedAt: string | undefined
): JudgeStepSpend {
  const s = state?.step
  if (s && s.startedAt === stepStartedAt && validSpend(s)) return s
  return {
    startedAt: stepStartedAt ?? '',
    looks: 0,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    usd: 0,
    usdAtMost: 0
  }
}

function validSpend(s: JudgeStepSpend): boolean {
  const count = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0
  const maybe = (x: unknown) => x === null || count(x)
  return (
    count(s.looks) &&
    count(s.calls) &&
    maybe(s.inputTokens) &&
    maybe(s.outputTokens) &&
    maybe(s.usd)
  )
}
