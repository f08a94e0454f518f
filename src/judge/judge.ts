import { createHash } from 'node:crypto'
import { metricAlpha, tStar } from '../analysis/analyze.js'
import { compareMetric, type CompareContext } from '../analysis/compareMetric.js'
import type { Analysis } from '../analysis/types.js'
import type { JudgeCacheEntry, JudgeCacheState } from '../decide/types.js'
import type { JudgeSpec, MetricSpec, Policy } from '../policy/types.js'
import type { Arm } from '../records/record.js'
import { addCluster, emptyMoments } from '../sketch/moments.js'
import type { MetricSketch } from '../sketch/types.js'
import { TOTAL_SEGMENT, type Cell, type Evidence, type TextSample } from '../sketch/evidence.js'
import { JudgeCallError, type ChatClient } from './client.js'
import { cohenKappa, lengthAdjustedDifference, modelFamily } from './health.js'
import {
  addressesEvaluator,
  neutralise,
  PAIRWISE_SCHEMA,
  pairwiseMessages,
  parseGrade,
  parseWinner,
  POINTWISE_SCHEMA,
  pointwiseMessages,
  redactor
} from './prompt.js'
import type { JudgeSummary } from '../analysis/types.js'

/**
 * The LLM judge: grades sampled outputs and folds the scores into the evidence as the policy's
 * judge metric (`from: judge`), so analysis and decide() treat it like any other metric.
 * Sequential: it judges in batches and stops as soon as the judge metric is decisive for this step
 * (the confidence sequences are valid at every look, so stopping early is sound), or when the
 * budget in calls or USD is spent (the metric then stays inconclusive, with that reason).
 */
export interface Judge {
  run(input: JudgeInput): Promise<JudgeOutcome>
}

export interface JudgeInput {
  policy: Policy
  evidence: Evidence
  /** The step's canary share, percent (for the confidence sequences' tuning, as in analyze). */
  canaryWeight: number
  /** The step's share of the rollout's error budget, as analyze gets it (AnalyzeOptions). */
  stepAlpha?: number
  cache?: JudgeCacheState
}

export interface JudgeOutcome {
  /** The evidence with the judge metric filled in. */
  evidence: Evidence
  cache: JudgeCacheState
  summary: JudgeSummary
  /** Adds the judge's reasons and health to the analysis of that evidence. */
  annotate(analysis: Analysis): void
}

export interface JudgeOptions {
  /** Human labels by record id: a grade 1..5 (pointwise) or canary|baseline|tie (pairwise). */
  labels?: Map<string, string>
  /** Problems found before the run (an unreadable labels file), shown with the judge's health. */
  warnings?: string[]
}

/** A judge that cannot run (no API key): the metric stays inconclusive with this reason. */
export function unavailableJudge(spec: JudgeSpec, reason: string): Judge {
  return {
    run: ({ policy, evidence, cache }) => {
      const summary = emptySummary(spec, evidence.texts ?? [])
      summary.warnings.push(reason)
      const metric = policy.metrics.find(m => m.from === 'judge')
      const cleared = withJudgeMetric(evidence, metric, [], spec.mode)
      return Promise.resolve(outcome(policy, cleared, cache ?? emptyCache(spec), summary, reason))
    }
  }
}

export function createJudge(spec: JudgeSpec, client: ChatClient, opts: JudgeOptions = {}): Judge {
  return { run: input => new JudgeRun(spec, client, input, opts).run() }
}

type Verdict = 'A' | 'B' | 'tie'

interface Scored {
  arm: Arm
  unit?: string
  s: number
  /** Pointwise: the judged output's length, characters. */
  len?: number
}

/** One pairwise comparison: the canary and baseline answers to the same input. */
interface Pair {
  canary: TextSample
  baseline: TextSample
}

class JudgeRun {
  private readonly summary: JudgeSummary
  /** Insertion-ordered (oldest first), so the bounded cache keeps the newest. */
  private readonly entries = new Map<string, { s: number; f?: 1 }>()
  private readonly cacheKey: string
  private readonly metric: MetricSpec
  private readonly ctx: CompareContext
  private readonly redact: (t: string) => string
  private readonly served = new Set<string>()
  private calls = 0
  private usd = 0
  private reserved = 0
  private budgetStop: JudgeSummary['stopped'] | undefined
  /** Fresh judgements (not cached), for the re-judged subsample. */
  private readonly fresh: { key: string; again: () => Promise<string | undefined> }[] = []
  private readonly firstAnswers = new Map<string, string>()
  /** Pairwise: the canary's score from the canary-first order alone, per fresh pair. */
  private readonly oneOrder: number[] = []
  /** Pairwise: the pairs of this sample (cached or not), for the health figures. */
  private pairs: Pair[] = []

  constructor(
    private readonly spec: JudgeSpec,
    private readonly client: ChatClient,
    private readonly input: JudgeInput,
    private readonly opts: JudgeOptions
  ) {
    const texts = input.evidence.texts ?? []
    this.summary = emptySummary(spec, texts)
    this.summary.warnings.push(...(opts.warnings ?? []))
    this.cacheKey = cacheKeyOf(spec)
    if (input.cache?.key === this.cacheKey) {
      for (const { k, s, f } of input.cache.entries) this.entries.set(k, f ? { s, f } : { s })
    }
    const metric = input.policy.metrics.find(m => m.from === 'judge')
    if (!metric) throw new Error('the policy has a judge but no judge metric')
    this.metric = metric
    const policy = input.policy
    this.ctx = {
      alpha: metricAlpha(policy, input.stepAlpha),
      tStar: tStar(policy.rollout.minSamples, input.canaryWeight),
      minSamples: policy.rollout.minSamples,
      canaryRequests: 0,
      canaryRate: 0
    }
    this.redact = redactor(spec.redact)
  }

  async run(): Promise<JudgeOutcome> {
    const texts = this.input.evidence.texts ?? []
    const shadows = this.spec.mode === 'pairwise'
    this.summary.flagged = texts.reduce(
      (n, t) =>
        n +
        Number(addressesEvaluator(t.output)) +
        Number(shadows && t.shadowOutput !== undefined && addressesEvaluator(t.shadowOutput)),
      0
    )
    const scored =
      this.spec.mode === 'pairwise' ? await this.pairwise(texts) : await this.pointwise(texts)
    await this.recheck()
    this.health(texts, scored)
    const s = this.summary
    s.calls = this.calls
    // Without usage for some calls the spend is an estimate, not a figure: unknown.
    s.usd = this.spec.prices && !s.callsWithoutUsage ? round6(this.usd) : null
    s.servedModels = [...this.served].sort()
    const reason = stopReason(s)
    return outcome(
      this.input.policy,
      withJudgeMetric(this.input.evidence, this.metric, scored, this.spec.mode),
      { key: this.cacheKey, entries: bounded(this.entries, this.spec.cacheSize) },
      s,
      reason
    )
  }

  // ---- pointwise ----

  private async pointwise(texts: TextSample[]): Promise<Scored[]> {
    const scored: Scored[] = []
    const score = (t: TextSample, s: number): void => {
      scored.push({
        arm: t.arm,
        s,
        len: t.output.length,
        ...(t.unit !== undefined && { unit: t.unit })
      })
    }
    const pending: TextSample[] = []
    for (const t of texts) {
      const hit = this.cached(textKey(t))
      if (hit) score(t, hit.s)
      else pending.push(t)
    }
    const next = { baseline: 0, canary: 0 }
    const left = (arm: Arm) => pending.filter(t => t.arm === arm)
    const todo = { baseline: left('baseline'), canary: left('canary') }
    while (!this.decisive(scored)) {
      const batch = (['baseline', 'canary'] as const).flatMap(arm => {
        const items = todo[arm].slice(next[arm], next[arm] + this.spec.batch)
        next[arm] += items.length
        return items
      })
      if (batch.length === 0) return this.stop(scored, 'sample-exhausted')
      const results = await this.pool(batch, t => this.gradeOne(t))
      results.forEach((s, i) => {
        const t = batch[i]
        if (t && typeof s === 'number') {
          score(t, s)
          this.entries.set(textKey(t), { s })
        }
      })
      // A budget spent mid-batch still lets the batch decide (the loop condition looks first).
      if (this.budgetStop && !this.decisive(scored)) return this.stop(scored, this.budgetStop)
      if (results.every(r => r === FAILED)) return this.stop(scored, 'api-failing')
      if (this.unusable()) return this.stop(scored, 'unusable-answers')
    }
    return this.stop(scored, 'decisive')
  }

  private async gradeOne(t: TextSample): Promise<number | undefined | typeof FAILED> {
    const prepared = {
      input: neutralise(this.redact(t.input), this.spec.maxChars),
      output: neutralise(this.redact(t.output), this.spec.maxChars)
    }
    const ask = async () => {
      const content = await this.call(pointwiseMessages(this.spec, prepared), POINTWISE_SCHEMA)
      if (content === FAILED || content === undefined) return content
      const s = parseGrade(content)
      if (s === undefined) this.summary.parseFailures++
      return s
    }
    const s = await ask()
    if (typeof s === 'number') {
      this.firstAnswers.set(textKey(t), String(s))
      this.fresh.push({
        key: textKey(t),
        again: async () => {
          const again = await ask()
          return typeof again === 'number' ? String(again) : undefined
        }
      })
    }
    return s
  }

  // ---- pairwise ----

  private async pairwise(texts: TextSample[]): Promise<Scored[]> {
    const pairs = pairsOf(texts)
    this.pairs = pairs
    const scored: Scored[] = []
    const add = (p: Pair, s: number) =>
      scored.push({ arm: 'canary', s, ...(p.canary.unit !== undefined && { unit: p.canary.unit }) })
    const pending: Pair[] = []
    for (const p of pairs) {
      const hit = this.cached(pairKey(p))
      if (hit) add(p, hit.s)
      else pending.push(p)
    }
    let next = 0
    while (!this.decisive(scored)) {
      const batch = pending.slice(next, next + this.spec.batch)
      next += batch.length
      if (batch.length === 0) return this.stop(scored, 'sample-exhausted')
      const results = await this.pool(batch, p => this.comparePair(p))
      results.forEach((r, i) => {
        const p = batch[i]
        if (p && r !== undefined && r !== FAILED) {
          add(p, r.s)
          this.entries.set(pairKey(p), r.flip ? { s: r.s, f: 1 } : { s: r.s })
        }
      })
      // A budget spent mid-batch still lets the batch decide (the loop condition looks first).
      if (this.budgetStop && !this.decisive(scored)) return this.stop(scored, this.budgetStop)
      if (results.every(r => r === FAILED)) return this.stop(scored, 'api-failing')
      if (this.unusable()) return this.stop(scored, 'unusable-answers')
    }
    return this.stop(scored, 'decisive')
  }

  /** Both orders; agreeing verdicts stand, disagreeing ones are a tie (a flip). */
  private async comparePair(
    p: Pair
  ): Promise<{ s: number; flip: boolean } | undefined | typeof FAILED> {
    const input = neutralise(this.redact(p.canary.input), this.spec.maxChars)
    const c = neutralise(this.redact(p.canary.output), this.spec.maxChars)
    const b = neutralise(this.redact(p.baseline.output), this.spec.maxChars)
    const ask = async (first: string, second: string) => {
      const content = await this.call(
        pairwiseMessages(this.spec, input, first, second),
        PAIRWISE_SCHEMA
      )
      if (content === FAILED || content === undefined) return content
      const w = parseWinner(content)
      if (w === undefined) this.summary.parseFailures++
      return w
    }
    // One after the other: `concurrency` counts calls, and a failed first order saves the second.
    const canaryFirst = await ask(c, b)
    if (canaryFirst === FAILED || canaryFirst === undefined) return canaryFirst
    const baselineFirst = await ask(b, c)
    if (baselineFirst === FAILED || baselineFirst === undefined) return baselineFirst
    const s1 = canaryScore(canaryFirst, 'A')
    const s2 = canaryScore(baselineFirst, 'B')
    this.oneOrder.push(s1)
    const key = pairKey(p)
    this.firstAnswers.set(key, canaryFirst)
    this.fresh.push({
      key,
      again: async () => {
        const w = await ask(c, b)
        return w === FAILED ? undefined : w
      }
    })
    return s1 === s2 ? { s: s1, flip: false } : { s: 0.5, flip: true }
  }

  // ---- shared ----

  /** A cached judgement, moved to the newest end so the bounded cache keeps what is in use. */
  private cached(key: string): { s: number; f?: 1 } | undefined {
    const hit = this.entries.get(key)
    if (!hit) return undefined
    this.summary.cacheHits++
    this.entries.delete(key)
    this.entries.set(key, hit)
    return hit
  }

  /**
   * The judge's answers are not worth paying for: at least UNUSABLE_MIN answers came back, and
   * more than half could not be used (did not follow the schema, or refused).
   */
  private unusable(): boolean {
    const s = this.summary
    const bad = s.parseFailures + (s.refusals ?? 0)
    const answered = this.calls - Object.values(s.errors).reduce((n, k) => n + k, 0)
    return bad >= UNUSABLE_MIN && bad > answered / 2
  }

  /** The judge metric's verdict on what is scored so far, as analyze() will compute it. */
  private decisive(scored: Scored[]): boolean {
    const { baseline, canary } = sketches(scored, this.spec.mode, this.input.evidence.unitLevel)
    return compareMetric(this.metric, baseline, canary, this.ctx).verdict !== 'inconclusive'
  }

  private stop(scored: Scored[], why: JudgeSummary['stopped']): Scored[] {
    this.summary.stopped = why
    return scored
  }

  /**
   * One call within the budget: undefined when the budget forbids it (and budgetStop says which),
   * FAILED when the API failed after its retries.
   */
  private async call(
    messages: ReturnType<typeof pointwiseMessages>,
    schema: Parameters<ChatClient['complete']>[0]['schema']
  ): Promise<string | undefined | typeof FAILED> {
    // The API stopped reporting usage: a USD budget cannot be kept, so no further call.
    if (this.budgetStop === 'usage-unknown') return undefined
    if (this.calls >= this.spec.budget.calls) {
      this.budgetStop = 'budget-calls'
      return undefined
    }
    const estimate = this.estimate(messages)
    const limit = this.spec.budget.usd
    if (limit !== undefined && this.usd + this.reserved + estimate > limit) {
      this.budgetStop = 'budget-usd'
      return undefined
    }
    this.calls++
    this.reserved += estimate
    try {
      const answer = await this.client.complete({ messages, schema })
      this.served.add(answer.model)
      if (answer.inputTokens === null || answer.outputTokens === null) {
        // No usage: the call's cost is unknown. Counted at the reserved (upper) estimate, but an
        // estimate cannot enforce a dollar budget (the output is unbounded): judging stops.
        this.summary.callsWithoutUsage = (this.summary.callsWithoutUsage ?? 0) + 1
        this.usd += estimate
        if (limit !== undefined) this.budgetStop = 'usage-unknown'
      } else {
        this.usd += this.cost(answer.inputTokens, answer.outputTokens)
        this.observe(messages, answer.inputTokens, answer.outputTokens)
      }
      // A refusal is the model declining the item: missing, but not a schema failure.
      if (answer.refusal !== undefined) {
        this.summary.refusals = (this.summary.refusals ?? 0) + 1
        return undefined
      }
      if (answer.content === null) this.summary.parseFailures++
      return answer.content ?? undefined
    } catch (e) {
      const what = e instanceof JudgeCallError ? e.message : 'failed'
      this.summary.errors[what] = (this.summary.errors[what] ?? 0) + 1
      return FAILED
    } finally {
      this.reserved -= estimate
    }
  }

  /**
   * An upper estimate of a call's cost, reserved before it is made so that concurrent calls cannot
   * overshoot the USD budget: one token per character (English runs about four characters a
   * token) until the API has reported usage, then the highest tokens per character seen, plus 10%.
   */
  private estimate(messages: { content: string }[]): number {
    const chars = messages.reduce((n, m) => n + m.content.length, 0)
    const perChar = this.tokensPerChar === undefined ? 1 : this.tokensPerChar * 1.1
    return this.cost(Math.ceil(chars * perChar), Math.max(50, this.maxOutputTokens))
  }

  private tokensPerChar: number | undefined
  private maxOutputTokens = 0

  private observe(
    messages: { content: string }[],
    inputTokens: number,
    outputTokens: number
  ): void {
    const chars = messages.reduce((n, m) => n + m.content.length, 0)
    if (chars > 0) {
      this.tokensPerChar = Math.max(this.tokensPerChar ?? 0, inputTokens / chars)
    }
    this.maxOutputTokens = Math.max(this.maxOutputTokens, outputTokens)
  }

  private cost(inputTokens: number, outputTokens: number): number {
    const p = this.spec.prices
    return p ? (inputTokens * p.input + outputTokens * p.output) / 1e6 : 0
  }

  private async pool<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length)
    let next = 0
    const worker = async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i] as T)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.spec.concurrency, items.length) }, worker))
    return out
  }

  /** Re-judge a few fresh items (within the budget) to see whether the judge agrees with itself. */
  private async recheck(): Promise<void> {
    const picks = this.fresh.slice(0, this.spec.recheck)
    if (picks.length === 0 || this.budgetStop || this.summary.stopped === 'api-failing') return
    const stopped = this.summary.stopped
    const again = await this.pool(picks, p => p.again())
    this.budgetStop = undefined
    this.summary.stopped = stopped
    let items = 0
    let same = 0
    again.forEach((answer, i) => {
      const first = this.firstAnswers.get(picks[i]?.key ?? '')
      if (answer === undefined || first === undefined) return
      items++
      if (answer === first) same++
    })
    if (items > 0) this.summary.selfAgreement = { items, agreement: same / items }
  }

  private health(texts: TextSample[], scored: Scored[]): void {
    const s = this.summary
    s.judged =
      this.spec.mode === 'pairwise'
        ? { baseline: scored.length, canary: scored.length }
        : {
            baseline: scored.filter(x => x.arm === 'baseline').length,
            canary: scored.filter(x => x.arm === 'canary').length
          }
    // Pairwise: over the judged pairs, which hold the shadow answers too.
    if (this.spec.mode === 'pairwise') this.pairHealth(scored)
    else this.lengthHealth(scored)
    const flipRate = s.flipRate
    if (flipRate !== undefined && flipRate > 0.2) {
      s.warnings.push(
        `the judge changed its verdict when the answers swapped places in ${pct(flipRate)} of pairs (position bias); those count as ties`
      )
    }
    if (s.parseFailures > 0) {
      s.warnings.push(`${s.parseFailures} judge answers did not follow the schema (left out)`)
    }
    if (s.refusals) {
      s.warnings.push(`the judge refused ${s.refusals} items (left out)`)
    }
    if (s.callsWithoutUsage) {
      s.warnings.push(
        `the judge API reported no token usage for ${s.callsWithoutUsage} calls: the cost is unknown`
      )
    }
    if (s.flagged > 0) {
      s.warnings.push(
        `${s.flagged} sampled outputs address the evaluator (possible prompt injection); graded as they are`
      )
    }
    if (s.selfAgreement && s.selfAgreement.agreement < 0.8) {
      s.warnings.push(
        `the judge gave the same answer to only ${pct(s.selfAgreement.agreement)} of ${s.selfAgreement.items} items judged twice`
      )
    }
    const judgeFamily = modelFamily(this.spec.model)
    const armModels = servedModels(this.input.evidence)
    for (const arm of ['baseline', 'canary'] as const) {
      const same = armModels[arm].find(m => judgeFamily && modelFamily(m) === judgeFamily)
      if (same) {
        s.warnings.push(
          `the judge (${this.spec.model}) is of the same model family as the ${arm}'s ${same}: it may prefer its own family's answers`
        )
      }
    }
    this.humanAgreement(texts)
  }

  /** Pointwise: the length difference and the length-adjusted score difference, judged items. */
  private lengthHealth(scored: Scored[]): void {
    const items = scored.map(x => ({ arm: x.arm, s: x.s, len: x.len ?? 0 }))
    const meanLength = (arm: Arm) => mean(items.filter(x => x.arm === arm).map(x => x.len))
    const diff = meanLength('canary') - meanLength('baseline')
    if (Number.isFinite(diff)) this.summary.lengthDifference = Math.round(diff)
    const adjusted = lengthAdjustedDifference(items)
    if (adjusted !== undefined) this.summary.lengthAdjustedDifference = adjusted
  }

  private pairHealth(scored: Scored[]): void {
    const s = this.summary
    const judged = this.pairs
      .map(p => ({ p, e: this.entries.get(pairKey(p)) }))
      .filter((x): x is { p: Pair; e: { s: number; f?: 1 } } => x.e !== undefined)
    if (judged.length > 0) s.flipRate = judged.filter(x => x.e.f === 1).length / judged.length
    if (this.oneOrder.length > 0) s.oneOrderWinRate = mean(this.oneOrder)
    if (scored.length > 0) s.winRate = mean(scored.map(x => x.s))
    // Length-adjusted: the win rate in each stratum (canary longer, or not), averaged.
    const longer: number[] = []
    const notLonger: number[] = []
    if (judged.length > 0) {
      const lengths = judged.map(({ p }) => p.canary.output.length - p.baseline.output.length)
      s.lengthDifference = Math.round(mean(lengths))
    }
    for (const { p, e } of judged) {
      ;(p.canary.output.length > p.baseline.output.length ? longer : notLonger).push(e.s)
    }
    if (longer.length > 0 && notLonger.length > 0) {
      s.lengthAdjustedWinRate = (mean(longer) + mean(notLonger)) / 2
    }
  }

  private humanAgreement(texts: TextSample[]): void {
    const labels = this.opts.labels
    if (!labels || labels.size === 0) return
    const pairs: [string, string][] = []
    // Human labels are by record id; judgements by a hash of the texts.
    const judged =
      this.spec.mode === 'pairwise'
        ? this.pairs.map(p => ({ id: p.canary.id, key: pairKey(p) }))
        : texts.map(t => ({ id: t.id, key: textKey(t) }))
    for (const { id, key } of judged) {
      const e = this.entries.get(key)
      const human = labels.get(id)
      if (human === undefined || e === undefined) continue
      const judge =
        this.spec.mode === 'pairwise'
          ? e.s === 1
            ? 'canary'
            : e.s === 0
              ? 'baseline'
              : 'tie'
          : String(Math.round(e.s * 4) + 1)
      pairs.push([human, judge])
    }
    if (pairs.length === 0) return
    const kappa = cohenKappa(pairs)
    this.summary.humanAgreement = { items: pairs.length, kappa }
    if (kappa < 0.6) {
      this.summary.warnings.push(
        `the judge agrees with the human labels with a Cohen's kappa of ${kappa.toFixed(2)} on ${pairs.length} items (under 0.6: do not trust it alone)`
      )
    }
  }
}

const FAILED: unique symbol = Symbol('failed')

/** Unusable answers (unparseable or refused) before judging may stop for them. */
const UNUSABLE_MIN = 8

const canaryScore = (w: Verdict, canaryAt: 'A' | 'B'): number =>
  w === 'tie' ? 0.5 : w === canaryAt ? 1 : 0

/**
 * The cache key of a judgement: a hash of the texts judged (the input and the output; pairwise,
 * the input and both answers in canary-baseline order), never the record id, so a record whose
 * texts changed under the same id is judged again. SHA-256, 96 bits kept.
 */
const hashOf = (...texts: string[]): string => {
  const h = createHash('sha256')
  for (const t of texts) h.update(`${t.length}:`).update(t)
  return h.digest('hex').slice(0, 24)
}
const textKey = (t: TextSample): string => hashOf(t.input, t.output)
const pairKey = (p: Pair): string => hashOf(p.canary.input, p.canary.output, p.baseline.output)

/**
 * The pairs to compare, in sample order. A record carrying `shadow_output` (shadow traffic) is a
 * pair on its own: its `output` is its arm's answer and `shadowOutput` the other arm's answer to
 * the same input, so the two texts share the record's id and unit. The other texts pair a canary
 * and a baseline answer whose inputs have the same hash, leaving out inputs a shadow pair already
 * covers (an input is compared once).
 */
function pairsOf(texts: TextSample[]): Pair[] {
  const pairs: Pair[] = []
  const shadowed = new Set<string>()
  for (const t of texts) {
    if (t.shadowOutput === undefined) continue
    const { shadowOutput, ...served } = t
    const other: TextSample = {
      ...served,
      arm: t.arm === 'canary' ? 'baseline' : 'canary',
      output: shadowOutput
    }
    delete other.model // the record's model served its own arm, not the shadow
    pairs.push(
      t.arm === 'canary' ? { canary: served, baseline: other } : { canary: other, baseline: served }
    )
    shadowed.add(t.inputHash)
  }
  const baselineByInput = new Map<string, TextSample>()
  for (const t of texts) {
    if (t.arm === 'baseline' && t.shadowOutput === undefined) baselineByInput.set(t.inputHash, t)
  }
  for (const t of texts) {
    if (t.arm !== 'canary' || t.shadowOutput !== undefined || shadowed.has(t.inputHash)) continue
    const b = baselineByInput.get(t.inputHash)
    if (b) pairs.push({ canary: t, baseline: b })
  }
  return pairs
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const pct = (x: number): string => `${Math.round(x * 100)}%`
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

export function rubricHash(rubric: string): string {
  return `sha256:${createHash('sha256').update(rubric).digest('hex').slice(0, 16)}`
}

function cacheKeyOf(spec: JudgeSpec): string {
  // v2: entries are keyed by a hash of the texts; older caches (by record id) are dropped.
  return `v2:${spec.mode}:${spec.model}:${rubricHash(spec.rubric)}`
}

function emptyCache(spec: JudgeSpec): JudgeCacheState {
  return { key: cacheKeyOf(spec), entries: [] }
}

/** The newest `size` entries, oldest first. */
function bounded(entries: Map<string, { s: number; f?: 1 }>, size: number): JudgeCacheEntry[] {
  const all = [...entries].map(([k, e]): JudgeCacheEntry => ({ k, ...e }))
  return all.slice(Math.max(0, all.length - size))
}

function emptySummary(spec: JudgeSpec, texts: TextSample[]): JudgeSummary {
  return {
    model: spec.model,
    servedModels: [],
    rubricHash: rubricHash(spec.rubric),
    mode: spec.mode,
    sampled: {
      baseline: texts.filter(t => t.arm === 'baseline').length,
      canary: texts.filter(t => t.arm === 'canary').length
    },
    judged: { baseline: 0, canary: 0 },
    calls: 0,
    usd: spec.prices ? 0 : null,
    cacheHits: 0,
    stopped: 'not-run',
    parseFailures: 0,
    errors: {},
    flagged: 0,
    warnings: []
  }
}

function stopReason(s: JudgeSummary): string | undefined {
  switch (s.stopped) {
    case 'budget-calls':
      return `the judge's call budget is spent (${s.calls} calls)`
    case 'budget-usd':
      return `the judge's USD budget is spent ($${(s.usd ?? 0).toFixed(4)})`
    case 'usage-unknown':
      return `the judge API answered without token usage, so the USD budget cannot be enforced: judging stopped after ${s.calls} calls`
    case 'unusable-answers':
      return `the judge's answers are unusable (${s.parseFailures} did not follow the schema, ${s.refusals ?? 0} refused, of ${s.calls} calls): judging stopped`
    case 'api-failing':
      return `the judge API is failing (${Object.entries(s.errors)
        .map(([k, n]) => `${k} x${n}`)
        .join(', ')})`
    case 'sample-exhausted':
      if (s.sampled.baseline + s.sampled.canary === 0) {
        return 'the source gave the judge no texts (records need `input` and `output` fields)'
      }
      if (s.mode === 'pairwise' && s.judged.canary === 0 && s.cacheHits === 0 && s.calls === 0) {
        return 'no sampled canary and baseline answers share an input and no record carries a `shadow_output`, so there is no pair to compare'
      }
      return `every sampled ${s.mode === 'pairwise' ? 'pair' : 'output'} is judged (${s.judged.canary} canary)`
    default:
      return undefined
  }
}

/** Served models of each arm in the evidence (total segment), most requests first. */
function servedModels(evidence: Evidence): Record<Arm, string[]> {
  const of = (arm: Arm) => {
    const counts = new Map<string, number>()
    for (const c of evidence.cells) {
      if (c.arm !== arm || c.segment !== TOTAL_SEGMENT) continue
      for (const [m, n] of Object.entries(c.models)) {
        const model = m.split('#')[0] ?? m
        counts.set(model, (counts.get(model) ?? 0) + n)
      }
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([m]) => m)
  }
  return { baseline: of('baseline'), canary: of('canary') }
}

/**
 * Scores as the judge metric's sketches. Clustered by unit when the evidence is (requests of one
 * user are correlated). Pairwise: a one-sample problem, the canary's win rate against the fixed
 * reference 0.5, which is encoded as a zero-variance baseline of two clusters (the least the
 * interval needs) while `requests` counts the pairs for the minimum-sample rule.
 */
function sketches(
  scored: Scored[],
  mode: JudgeSpec['mode'],
  unitLevel: boolean
): Record<Arm, MetricSketch> {
  const arm = (a: Arm): MetricSketch => {
    const mine = scored.filter(x => x.arm === a)
    const moments = emptyMoments()
    if (unitLevel) {
      const byUnit = new Map<string, { x: number; y: number }>()
      mine.forEach((x, i) => {
        const key = x.unit ?? `#${i}`
        const u = byUnit.get(key) ?? { x: 0, y: 0 }
        u.x += x.s
        u.y += 1
        byUnit.set(key, u)
      })
      for (const u of byUnit.values()) addCluster(moments, u.x, u.y)
    } else for (const x of mine) addCluster(moments, x.s, 1)
    return { moments, requests: mine.length }
  }
  const canary = arm('canary')
  if (mode === 'pointwise') return { baseline: arm('baseline'), canary }
  const reference = emptyMoments()
  addCluster(reference, 0.5, 1)
  addCluster(reference, 0.5, 1)
  return { baseline: { moments: reference, requests: canary.requests }, canary }
}

/**
 * The evidence with the judge metric's sketches in each arm's first total-segment cell, and empty
 * everywhere else: whatever the source read for `judge` (a field of that name) is not a judgement.
 */
function withJudgeMetric(
  evidence: Evidence,
  metric: MetricSpec | undefined,
  scored: Scored[],
  mode: JudgeSpec['mode']
): Evidence {
  const index = metric ? evidence.metrics.indexOf(metric.name) : -1
  if (index < 0) return evidence
  const bySketch = sketches(scored, mode, evidence.unitLevel)
  const first = new Map<Arm, Cell>()
  for (const cell of evidence.cells) {
    const before = first.get(cell.arm)
    if (cell.segment === TOTAL_SEGMENT && (!before || cell.bucket < before.bucket)) {
      first.set(cell.arm, cell)
    }
  }
  const cells = evidence.cells.map(cell => {
    const metrics = [...cell.metrics]
    metrics[index] =
      first.get(cell.arm) === cell ? bySketch[cell.arm] : { moments: emptyMoments(), requests: 0 }
    return { ...cell, metrics }
  })
  return { ...evidence, cells }
}

function outcome(
  policy: Policy,
  evidence: Evidence,
  cache: JudgeCacheState,
  summary: JudgeSummary,
  reason: string | undefined
): JudgeOutcome {
  const name = policy.metrics.find(m => m.from === 'judge')?.name
  return {
    evidence,
    cache,
    summary,
    annotate(analysis) {
      analysis.judge = summary
      const result = analysis.metrics.find(m => m.name === name)
      if (result && result.verdict === 'inconclusive' && reason) {
        result.reason = `${reason}; ${result.reason}`
      }
      analysis.checks.push({
        name: 'judge',
        status: summary.warnings.length > 0 ? 'warn' : 'ok',
        detail: healthLine(summary)
      })
    }
  }
}

function healthLine(s: JudgeSummary): string {
  const parts = [
    `${s.model}, ${s.mode}, ${s.calls} calls${s.usd !== null ? `, $${s.usd.toFixed(4)}` : ''}, ${s.cacheHits} cached, stopped: ${s.stopped}`
  ]
  if (s.flipRate !== undefined) parts.push(`flip rate ${pct(s.flipRate)}`)
  parts.push(...s.warnings)
  return parts.join('; ')
}
