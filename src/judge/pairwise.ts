/**
 * Pairwise judging: the canary's and the baseline's answers to the same input, judged in both
 * orders (canary first, then baseline first), each pair scored as the mean of its two orders
 * (judge/scoring.ts), length-controlled (judge/lengthControl.ts), with control pairs mixed in
 * (judge/controls.ts) and the order, flip and label figures for health (judge/health.ts).
 */
import type { JudgeHealthCheck, JudgeSummary } from '../analysis/types.js'
import type { Arm } from '../records/record.js'
import type { TextSample } from '../sketch/evidence.js'
import { itemKey, type Judgement } from './cache.js'
import { FAILED } from './calls.js'
import { degrade, otherDegradation, type Degradation } from './controls.js'
import type { Bounds, Scored } from './fold.js'
import {
  biasSeen,
  cohenKappa,
  degradedCheck,
  flipCheck,
  identicalCheck,
  kappaCheck,
  positionBias,
  type ControlTally
} from './health.js'
import {
  ask,
  type ControlAsk,
  type Judging,
  type JudgingContext,
  type RoundResult
} from './judging.js'
import { adjusted, lengthSlope, pairDesign, type LengthDesign } from './lengthControl.js'
import { PAIRWISE_SCHEMA, pairwiseMessages } from './prompt.js'
import { pairsOf, type Pair } from './sample.js'
import { canaryExpected, canaryScore, readVerdict } from './scoring.js'

interface PairItem {
  pair: Pair
  input: string
  canary: string
  baseline: string
  key: string
  label?: string
}

/** A human label's category for a pair's stated verdicts (the mean of the two orders). */
function verdictLabel(v: readonly number[]): string {
  const m = ((v[0] ?? 0.5) + (v[1] ?? 0.5)) / 2
  return m >= 0.75 ? 'canary' : m <= 0.25 ? 'baseline' : 'tie'
}

export class PairwiseJudging implements Judging {
  private readonly items: PairItem[]
  private readonly design: LengthDesign
  /** Judgements of the consumed prefix, by item index (missing ones absent). */
  private readonly done = new Map<number, Judgement>()
  /** Labelled items judged out of order (for kappa), by index. */
  private readonly early = new Map<number, Judgement>()
  private consumed = 0
  /** Items whose judgement the cache holds (they come first, cachedFirst). */
  private readonly cachedCount: number
  private readonly identical: ControlTally = { right: 0, wrong: 0, ties: 0 }
  private readonly degraded: ControlTally = { right: 0, wrong: 0, ties: 0 }
  private readonly usedIdentical = new Set<string>()
  private readonly usedDegraded = new Set<string>()

  constructor(
    private readonly ctx: JudgingContext,
    private readonly texts: readonly TextSample[]
  ) {
    this.items = cachedFirst(
      ctx,
      pairsOf(texts).map(pair => {
        const input = ctx.prepare(pair.canary.input)
        const canary = ctx.prepare(pair.canary.output)
        const baseline = ctx.prepare(pair.baseline.output)
        const label = ctx.labels?.get(pair.canary.id)
        return {
          pair,
          input,
          canary,
          baseline,
          key: itemKey(ctx.judgeKey, 'item', [input, canary, baseline]),
          ...(label !== undefined && { label })
        }
      })
    )
    this.cachedCount = this.items.filter(i => ctx.cache.peek(i.key) !== undefined).length
    const lengths = this.items.flatMap(i => [i.canary.length, i.baseline.length])
    this.design = pairDesign(
      this.items.map(i => i.canary.length - i.baseline.length),
      ctx.spec.lengthControl,
      lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length)
    )
  }

  sampled(): { baseline: number; canary: number } {
    const n = (arm: Arm) => this.texts.filter(t => t.arm === arm).length
    return { baseline: n('baseline'), canary: n('canary') }
  }

  async judgeLabelled(cap: number): Promise<void> {
    const labelled = this.items
      .map((item, i) => ({ item, i }))
      .filter(({ item }) => item.label !== undefined)
      .slice(0, cap)
    const results = await this.ctx.caller.pool(labelled, ({ item }) => this.judgePair(item))
    results.forEach((r, n) => {
      const i = labelled[n]?.i
      if (i !== undefined && r !== undefined && r !== FAILED) this.early.set(i, r)
    })
  }

  async round(real: boolean, controls: ControlAsk, degradation: Degradation): Promise<RoundResult> {
    this.ctx.attempted = 0
    this.ctx.failed = 0
    let taken = 0
    if (real) {
      const from = this.consumed
      // The first batch is every judgement the cache holds: what earlier evaluations of the
      // step judged is in the metric from the start, so the judged sample only grows from one
      // evaluation to the next (a sequence re-run from a few pairs at each evaluation would look
      // at small samples again and again, which no confidence sequence covers). It is that alone,
      // no new pair: its controls (cached too) show whether the judge still fails its health
      // checks before anything is spent on new pairs.
      const size = from === 0 && this.cachedCount > 0 ? this.cachedCount : this.ctx.spec.batch
      const batch = this.items.slice(from, from + size)
      this.consumed += batch.length
      taken = batch.length
      const indices = batch.map((_, n) => from + n)
      const results = await this.ctx.caller.pool(indices, i => {
        const early = this.early.get(i)
        const item = this.items[i] as PairItem
        return early ? Promise.resolve(early) : this.judgePair(item)
      })
      results.forEach((r, n) => {
        if (r !== undefined && r !== FAILED) this.done.set(from + n, r)
      })
    }
    const judgedControls = await this.controls(controls, degradation)
    return {
      taken,
      controls: judgedControls,
      attempted: this.ctx.attempted,
      failed: this.ctx.failed
    }
  }

  /** Both orders of a pair; the cached judgement when there is one. */
  private async judgePair(item: PairItem): Promise<Judgement | undefined | typeof FAILED> {
    const hit = this.ctx.cache.take(item.key)
    if (hit) return hit
    const order = async (first: string, second: string) =>
      ask(
        this.ctx,
        pairwiseMessages(this.ctx.spec, item.input, first, second),
        PAIRWISE_SCHEMA,
        a => readVerdict(a.content, a.logprobs)
      )
    // One after the other: `concurrency` counts calls, and a failed first order saves the second.
    const canaryFirst = await order(item.canary, item.baseline)
    if (canaryFirst === FAILED || canaryFirst === undefined) return canaryFirst
    const baselineFirst = await order(item.baseline, item.canary)
    if (baselineFirst === FAILED || baselineFirst === undefined) return baselineFirst
    const s = (canaryExpected(canaryFirst, 'A') + canaryExpected(baselineFirst, 'B')) / 2
    const v = [canaryScore(canaryFirst.stated, 'A'), canaryScore(baselineFirst.stated, 'B')]
    const judgement = { s, v }
    this.ctx.cache.put(item.key, judgement)
    this.ctx.fresh.push({
      first: canaryFirst.stated,
      again: async () => {
        const r = await order(item.canary, item.baseline)
        return r === FAILED || r === undefined ? undefined : r.stated
      }
    })
    return judgement
  }

  /**
   * Control pairs from answers already judged: any answer against itself (one call: both orders
   * are the same request); the answers that won most clearly against a degraded copy (both
   * orders). Each answer serves once per kind; their judgements are cached like any other.
   */
  private async controls(ask_: ControlAsk, degradation: Degradation): Promise<number> {
    const sources = this.controlSources()
    const identical = sources.filter(a => !this.usedIdentical.has(a.text)).slice(0, ask_.identical)
    const degraded: { input: string; text: string; copy: string; kind: Degradation }[] = []
    let k = 0
    for (const a of sources) {
      if (degraded.length >= ask_.degraded) break
      if (this.usedDegraded.has(a.text)) continue
      const wanted: Degradation = k % 2 === 0 ? degradation : otherDegradation(degradation)
      const copy = degrade(a.text, wanted)
      this.usedDegraded.add(a.text)
      if (!copy) continue
      k++
      degraded.push({ input: a.input, text: a.text, copy: copy.text, kind: copy.kind })
    }
    for (const a of identical) this.usedIdentical.add(a.text)
    const jobs: (() => Promise<unknown>)[] = [
      ...identical.map(a => () => this.identicalControl(a.input, a.text)),
      ...degraded.map(d => () => this.degradedControl(d.input, d.text, d.copy, d.kind))
    ]
    await this.ctx.caller.pool(jobs, job => job())
    return jobs.length
  }

  /**
   * Judged answers to degrade or repeat, the likeliest good ones first: the winners of pairs
   * whose two orders both named them, then of pairs one order named, then the longer answer of a
   * tie (a degraded copy of a poor answer may truly be as poor, so it would prove nothing).
   */
  private controlSources(): { input: string; text: string }[] {
    const ranked: { input: string; text: string; rank: number; at: number }[] = []
    for (const [i, j] of this.done) {
      const item = this.items[i]
      if (!item) continue
      const [first = 0.5, second = 0.5] = j.v
      const wins =
        (first > 0.5 ? 1 : first < 0.5 ? -1 : 0) + (second > 0.5 ? 1 : second < 0.5 ? -1 : 0)
      const text =
        wins > 0 || (wins === 0 && j.s > 0.5)
          ? item.canary
          : wins < 0 || j.s < 0.5
            ? item.baseline
            : item.canary.length >= item.baseline.length
              ? item.canary
              : item.baseline
      ranked.push({ input: item.input, text, rank: Math.abs(wins), at: i })
    }
    return ranked.sort((a, b) => b.rank - a.rank || a.at - b.at)
  }

  private async identicalControl(input: string, text: string): Promise<void> {
    const key = itemKey(this.ctx.judgeKey, 'identical', [input, text])
    let j = this.ctx.cache.take(key)
    if (!j) {
      const r = await ask(
        this.ctx,
        pairwiseMessages(this.ctx.spec, input, text, text),
        PAIRWISE_SCHEMA,
        a => readVerdict(a.content, a.logprobs)
      )
      if (r === undefined || r === FAILED) return
      j = { s: canaryExpected(r, 'A'), v: [canaryScore(r.stated, 'A')] }
      this.ctx.cache.put(key, j)
    }
    if (j.v[0] === 0.5) this.identical.right++
    else this.identical.wrong++
  }

  /** The original against its degraded copy, in both orders; each order a call for the tally. */
  private async degradedControl(
    input: string,
    original: string,
    copy: string,
    kind: Degradation
  ): Promise<void> {
    const key = itemKey(this.ctx.judgeKey, kind, [input, original, copy])
    let j = this.ctx.cache.take(key)
    if (!j) {
      const order = (first: string, second: string) =>
        ask(this.ctx, pairwiseMessages(this.ctx.spec, input, first, second), PAIRWISE_SCHEMA, a =>
          readVerdict(a.content, a.logprobs)
        )
      const originalFirst = await order(original, copy)
      if (originalFirst === undefined || originalFirst === FAILED) return
      const copyFirst = await order(copy, original)
      if (copyFirst === undefined || copyFirst === FAILED) return
      const v = [canaryScore(originalFirst.stated, 'A'), canaryScore(copyFirst.stated, 'B')]
      j = { s: (v[0]! + v[1]!) / 2, v }
      this.ctx.cache.put(key, j)
    }
    for (const score of j.v) {
      if (score === 1) this.degraded.right++
      else if (score === 0) this.degraded.wrong++
      else this.degraded.ties++
    }
  }

  scored(): Scored[] {
    const out: Scored[] = []
    for (const [i, j] of [...this.done].sort((a, b) => a[0] - b[0])) {
      const item = this.items[i]
      if (!item) continue
      const unit = item.pair.canary.unit
      out.push({
        arm: 'canary',
        s: adjusted(this.design.m[i] ?? 1, j.s),
        ...(unit !== undefined && { unit })
      })
    }
    return out
  }

  bounds(): Record<Arm, Bounds> {
    return { baseline: { lower: 0, upper: 1 }, canary: this.design.bounds }
  }

  judged(): { baseline: number; canary: number } {
    return { baseline: this.done.size, canary: this.done.size }
  }

  remaining(): number {
    return this.items.length - this.consumed
  }

  exhausted(): boolean {
    return this.consumed >= this.items.length
  }

  pairCount(): number {
    return this.items.length
  }

  health(): JudgeHealthCheck[] {
    const { alpha, maxFlipRate, minKappa } = this.ctx.spec.health
    const judged = [...this.done.values()]
    const flips = judged.filter(j => j.v[0] !== j.v[1]).length
    const checks = [
      identicalCheck(this.identical, alpha),
      degradedCheck(this.degraded, alpha),
      flipCheck(flips, judged.length, maxFlipRate, alpha)
    ]
    const labels = this.ctx.labels
    if (labels && labels.size > 0 && this.items.some(i => i.label !== undefined)) {
      const { pairs, unjudged } = this.humanPairs()
      checks.push(kappaCheck(pairs, minKappa, unjudged))
    }
    return checks
  }

  private humanPairs(): { pairs: [string, string][]; unjudged: number } {
    const pairs: [string, string][] = []
    let unjudged = 0
    this.items.forEach((item, i) => {
      if (item.label === undefined) return
      const j = this.done.get(i) ?? this.early.get(i)
      if (j) pairs.push([item.label, verdictLabel(j.v)])
      else unjudged++
    })
    return { pairs, unjudged }
  }

  facts(): Partial<JudgeSummary> {
    const diffs = this.items.map(i => i.canary.length - i.baseline.length)
    const entries = [...this.done].sort((a, b) => a[0] - b[0])
    const judged = entries.map(([, j]) => j)
    const slope = lengthSlope([
      { x: entries.map(([i]) => this.design.x[i] ?? 0), s: judged.map(j => j.s) }
    ])
    const { enabled, maxInflation } = this.ctx.spec.lengthControl
    const facts: Partial<JudgeSummary> = {
      biases: [],
      length: {
        adjusted: enabled,
        inflation: this.design.inflation,
        maxInflation,
        confounded: this.confounded(),
        bounds: this.design.bounds,
        ...(diffs.length > 0 && { canaryShorter: diffs.filter(d => d < 0).length / diffs.length }),
        ...(slope && { slope })
      }
    }
    const { pairs } = this.humanPairs()
    if (pairs.length > 0) facts.humanAgreement = { items: pairs.length, kappa: cohenKappa(pairs) }
    if (judged.length === 0) return facts
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const position = positionBias(judged.map(j => (j.v[0] ?? 0.5) - (j.v[1] ?? 0.5)))
    const biases: JudgeSummary['biases'] = []
    if (
      position &&
      (position.lower > 0 || position.upper < 0) &&
      Math.abs(position.estimate) >= 0.05
    ) {
      biases.push('position')
    }
    if (slope && biasSeen(slope.estimate, slope.se)) biases.push('length')
    const lengthOf = (i: number) =>
      (this.items[i]?.canary.length ?? 0) - (this.items[i]?.baseline.length ?? 0)
    return {
      ...facts,
      biases,
      flipRate: judged.filter(j => j.v[0] !== j.v[1]).length / judged.length,
      oneOrderWinRate: mean(judged.map(j => j.v[0] ?? 0.5)),
      winRate: mean(judged.map(j => j.s)),
      lengthAdjustedWinRate: mean(this.scored().map(x => x.s)),
      lengthDifference: Math.round(mean(entries.map(([i]) => lengthOf(i)))),
      ...(position && { positionBias: position })
    }
  }

  /** Length figures even before anything is judged (the design is known from the sample). */
  confounded(): boolean {
    return (
      this.ctx.spec.lengthControl.enabled &&
      this.design.inflation > this.ctx.spec.lengthControl.maxInflation
    )
  }
}

/**
 * The items whose judgement the cache holds first (judged at earlier evaluations of the step),
 * then the others, each in sample order: the judged set only grows from one evaluation to the
 * next, even when the growing window reorders the sample.
 */
export function cachedFirst<T extends { key: string }>(ctx: JudgingContext, items: T[]): T[] {
  const cached = items.filter(i => ctx.cache.peek(i.key) !== undefined)
  return cached.length === 0
    ? items
    : [...cached, ...items.filter(i => ctx.cache.peek(i.key) === undefined)]
}
