/**
 * The LLM judge: grades sampled outputs and folds the scores into the evidence as the policy's
 * judge metric (`from: judge`), so analysis and decide() treat it like any other metric.
 *
 * Sequential: it judges round by round (a batch of real items, with control items mixed in) and
 * stops as soon as the judge metric is decisive for this step and the judge's health checks have
 * passed (the confidence sequences and the health tests are valid at every look, so stopping early
 * is sound); or when a health check fails, when length and quality cannot be separated, when the
 * sample is spent, or when the budget is (the metric then stays inconclusive, with that reason).
 * A judge whose health has not passed cannot make its metric pass or fail: the gate holds.
 */
import { metricAlphas, tStar } from '../analysis/analyze.js'
import { compareMetric, type CompareContext } from '../analysis/compareMetric.js'
import type { Analysis, JudgeProjection, JudgeSummary, MetricResult } from '../analysis/types.js'
import type { JudgeCacheState } from '../decide/types.js'
import type { JudgeSpec, MetricSpec, Policy } from '../policy/types.js'
import { judgeWarnings, stopReason } from '../report/judge.js'
import type { Evidence, TextSample } from '../sketch/evidence.js'
import { JudgementCache, judgeKey, stepSpendBefore } from './cache.js'
import { Caller, type BudgetStop } from './calls.js'
import type { ChatClient } from './client.js'
import { otherDegradation, type Degradation } from './controls.js'
import { sketches, withJudgeMetric } from './fold.js'
import { healthy, modelFamily } from './health.js'
import type { ControlAsk, Judging, JudgingContext } from './judging.js'
import { PairwiseJudging } from './pairwise.js'
import { emptySummary, outcome, requestsPerItem, servedModels } from './outcome.js'
import { PointwiseJudging } from './pointwise.js'
import { addressesEvaluator, neutralise, redactor } from './prompt.js'

export interface Judge {
  run(input: JudgeInput): Promise<JudgeOutcome>
}

export interface JudgeInput {
  policy: Policy
  evidence: Evidence
  /** The step's canary share, percent (for the confidence sequences' tuning, as in analyze). */
  canaryWeight: number
  /** The step's fail and pass sides' alphas, as analyze gets them (AnalyzeOptions). */
  stepAlpha?: number
  passAlpha?: number
  cache?: JudgeCacheState
  /** When the current step began (RolloutState.stepStartedAt): the step's spend is keyed by it. */
  stepStartedAt?: string
  /** Texts per arm the source was asked to keep (judge/sample.ts), to tell a full sample. */
  sampleSize?: number
}

export interface JudgeOutcome {
  /** The evidence with the judge metric filled in. */
  evidence: Evidence
  cache: JudgeCacheState
  summary: JudgeSummary
  /** Adds the judge's reasons, health and projection to the analysis of that evidence. */
  annotate(analysis: Analysis): void
}

export interface JudgeOptions {
  /** Human labels by record id: a grade 1..5 (pointwise) or canary|baseline|tie (pairwise). */
  labels?: Map<string, string>
  /** Problems found before the run (an unreadable labels file), shown with the judge's health. */
  warnings?: string[]
}

type Stop = JudgeSummary['stopped']

/** Labelled items judged ahead of their turn per evaluation, for the agreement with people. */
const LABELLED_FIRST = 40
/** Controls in the first round: enough for a sound judge to pass its control tests at once. */
const FIRST_CONTROLS: Record<JudgeSpec['mode'], ControlAsk> = {
  pairwise: { identical: 4, degraded: 4 },
  pointwise: { identical: 0, degraded: 6 }
}
/** Controls per round once only the health checks are still open, and such rounds per evaluation. */
const HEALTH_ROUND = 4
const HEALTH_ROUNDS = 3
/** Unusable answers (unparseable or refused) before judging may stop for them. */
const UNUSABLE_MIN = 8

/** A judge that cannot run (no API key): the metric stays inconclusive with this reason. */
export function unavailableJudge(spec: JudgeSpec, reason: string): Judge {
  return {
    run: ({ policy, evidence, cache, stepStartedAt }) => {
      const texts = evidence.texts ?? []
      const step = stepSpendBefore(cache, stepStartedAt)
      const summary = emptySummary(spec, texts, step)
      summary.warnings.push(reason)
      const metric = policy.metrics.find(m => m.from === 'judge')
      const unit = { lower: 0, upper: 1 }
      const cleared = withJudgeMetric(
        evidence,
        metric,
        sketches([], spec.mode, evidence.unitLevel, { baseline: unit, canary: unit })
      )
      const kept = cache ?? { key: judgeKey(spec), entries: [] }
      return Promise.resolve(outcome(policy, cleared, kept, summary, { reason }))
    }
  }
}

export function createJudge(spec: JudgeSpec, client: ChatClient, opts: JudgeOptions = {}): Judge {
  return { run: input => new JudgeRun(spec, client, input, opts).run() }
}

class JudgeRun {
  private readonly metric: MetricSpec
  private readonly ctx: CompareContext
  private readonly judging: JudgingContext

  constructor(
    private readonly spec: JudgeSpec,
    client: ChatClient,
    private readonly input: JudgeInput,
    private readonly opts: JudgeOptions
  ) {
    const metric = input.policy.metrics.find(m => m.from === 'judge')
    if (!metric) throw new Error('the policy has a judge but no judge metric')
    this.metric = metric
    const policy = input.policy
    this.ctx = {
      ...metricAlphas(policy, input.stepAlpha, input.passAlpha),
      tStar: tStar(policy.rollout.minSamples, input.canaryWeight),
      minSamples: policy.rollout.minSamples,
      canaryRequests: 0,
      canaryRate: 0
    }
    const key = judgeKey(spec)
    const redact = redactor(spec.redact)
    this.judging = {
      spec,
      caller: new Caller(spec, client, stepSpendBefore(input.cache, input.stepStartedAt)),
      cache: new JudgementCache(key, input.cache),
      judgeKey: key,
      prepare: text => neutralise(redact(text), spec.maxChars),
      ...(opts.labels && opts.labels.size > 0 && { labels: opts.labels }),
      parseFailures: 0,
      refusals: 0,
      fresh: [],
      attempted: 0,
      failed: 0
    }
  }

  async run(): Promise<JudgeOutcome> {
    const texts = this.input.evidence.texts ?? []
    const judging: Judging =
      this.spec.mode === 'pairwise'
        ? new PairwiseJudging(this.judging, texts)
        : new PointwiseJudging(this.judging, texts)
    if (this.judging.labels) await judging.judgeLabelled(LABELLED_FIRST)
    const stopped = await this.loop(judging)
    const selfAgreement = stopped === 'api-failing' ? undefined : await this.recheck()
    const summary = this.summarise(texts, judging, stopped, selfAgreement)
    const evidence = withJudgeMetric(
      this.input.evidence,
      this.metric,
      sketches(judging.scored(), this.spec.mode, this.input.evidence.unitLevel, judging.bounds())
    )
    const cache = this.judging.cache.toState(this.spec.cacheSize, this.judging.caller.stepSpend())
    return outcome(this.input.policy, evidence, cache, summary, {
      reason: stopReason(summary),
      requestsPerItem: requestsPerItem(this.input.evidence, judging, this.spec.mode)
    })
  }

  /** Rounds until the metric decides with a healthy judge, or something stops it. */
  private async loop(judging: Judging): Promise<Stop> {
    const minSamples = this.metric.minSamples ?? this.ctx.minSamples
    let degradation: Degradation = 'shuffled'
    let healthRounds = 0
    let controlsExhausted = false
    for (let round = 0; ; round++) {
      const checks = judging.health()
      if (checks.some(c => c.status === 'failed')) return 'health-failed'
      const decided = this.verdict(judging) !== 'inconclusive'
      const enough = Math.min(...Object.values(judging.judged())) >= minSamples
      const confounded = judging.confounded()
      if (decided && healthy(checks)) return 'decisive'
      if (confounded && (enough || judging.exhausted()) && round > 0) return 'length-confounded'
      const pending = new Set(checks.filter(c => c.status === 'pending').map(c => c.name))
      // Control checks still open after the first round get control rounds before more pairs
      // are judged: a judge that fails them (one blind to content ties every degraded copy)
      // then costs a few control calls, not a batch of pairs per round until it shows. After
      // HEALTH_ROUNDS such rounds, or when no answer is left to make controls from, pairs are
      // judged again, with the controls of each batch.
      const controlsFirst =
        round > 0 &&
        !controlsExhausted &&
        healthRounds < HEALTH_ROUNDS &&
        (pending.has('identical') || pending.has('degraded'))
      const real =
        !controlsFirst &&
        !judging.exhausted() &&
        (!(decided || (confounded && enough)) || pending.has('flip-rate'))
      const controls =
        round === 0
          ? FIRST_CONTROLS[this.spec.mode]
          : real
            ? this.perBatch(round)
            : {
                identical: pending.has('identical') ? HEALTH_ROUND : 0,
                degraded: pending.has('degraded') ? HEALTH_ROUND : 0
              }
      if (!real && controls.identical + controls.degraded === 0) return 'sample-exhausted'
      // Health that stays open after a few rounds of new control calls waits for the next
      // evaluation, rather than spend this one's budget on controls alone (rounds that only
      // found controls in the cache, judged at earlier evaluations, cost nothing and do not count).
      if (!real && !controlsFirst && round > 0 && healthRounds >= HEALTH_ROUNDS) {
        return 'health-pending'
      }
      const result = await judging.round(real, controls, degradation)
      if (!real && result.attempted > 0) healthRounds++
      if (controlsFirst && result.controls === 0) {
        controlsExhausted = true
        continue
      }
      degradation = otherDegradation(degradation)
      const budget: BudgetStop | undefined = this.judging.caller.budgetStop
      if (budget)
        return this.verdict(judging) !== 'inconclusive' && healthy(judging.health())
          ? 'decisive'
          : budget
      if (result.attempted > 0 && result.failed === result.attempted) return 'api-failing'
      if (this.unusable()) return 'unusable-answers'
      if (result.taken + result.controls === 0) return 'sample-exhausted'
    }
  }

  /**
   * The judge's answers are not worth paying for: at least UNUSABLE_MIN answers came back
   * unusable (not following the schema, or refused), more than half of those answered.
   */
  private unusable(): boolean {
    const bad = this.judging.parseFailures + this.judging.refusals
    const caller = this.judging.caller
    const failed = Object.values(caller.errors).reduce((n, k) => n + k, 0)
    return bad >= UNUSABLE_MIN && bad > (caller.spend().calls - failed) / 2
  }

  /** The policy's controls per batch, pairwise about a third of them identical pairs. */
  private perBatch(round: number): ControlAsk {
    const c = this.spec.health.controls
    if (this.spec.mode === 'pointwise') return { identical: 0, degraded: c }
    if (c === 1)
      return round % 3 === 0 ? { identical: 1, degraded: 0 } : { identical: 0, degraded: 1 }
    const identical = Math.max(1, Math.round(c / 3))
    return { identical, degraded: c - identical }
  }

  /** The judge metric's verdict on what is judged so far, as analyze() will compute it. */
  private verdict(judging: Judging): MetricResult['verdict'] {
    return this.compare(judging, this.ctx).verdict
  }

  private compare(judging: Judging, ctx: CompareContext): MetricResult {
    const { baseline, canary } = sketches(
      judging.scored(),
      this.spec.mode,
      this.input.evidence.unitLevel,
      judging.bounds()
    )
    return compareMetric(this.metric, baseline, canary, ctx)
  }

  /** Re-judge a few fresh items (within the budget) to see whether the judge agrees with itself. */
  private async recheck(): Promise<JudgeSummary['selfAgreement']> {
    const caller = this.judging.caller
    const picks = this.judging.fresh.slice(0, this.spec.recheck)
    if (picks.length === 0 || caller.budgetStop) return undefined
    const again = await caller.pool(picks, p => p.again())
    caller.budgetStop = undefined
    let items = 0
    let same = 0
    again.forEach((answer, i) => {
      const first = picks[i]?.first
      if (answer === undefined || first === undefined) return
      items++
      if (answer === first) same++
    })
    return items > 0 ? { items, agreement: same / items } : undefined
  }

  private summarise(
    texts: readonly TextSample[],
    judging: Judging,
    stopped: Stop,
    selfAgreement: JudgeSummary['selfAgreement']
  ): JudgeSummary {
    const caller = this.judging.caller
    const step = caller.stepSpend()
    const s = emptySummary(this.spec, texts, step)
    const look = caller.spend()
    const checks = judging.health()
    Object.assign(s, judging.facts())
    s.sampled = judging.sampled()
    s.judged = judging.judged()
    s.calls = look.calls
    s.usd = look.usd
    s.cost.look = {
      calls: look.calls,
      inputTokens: look.inputTokens,
      outputTokens: look.outputTokens,
      usd: look.usd
    }
    s.cacheHits = this.judging.cache.hits
    s.stopped = stopped
    s.parseFailures = this.judging.parseFailures
    if (this.judging.refusals > 0) s.refusals = this.judging.refusals
    if (caller.withoutUsage > 0) s.callsWithoutUsage = caller.withoutUsage
    s.errors = { ...caller.errors }
    s.servedModels = [...caller.served].sort()
    s.flagged = texts.reduce(
      (n, t) =>
        n +
        Number(addressesEvaluator(t.output)) +
        Number(
          this.spec.mode === 'pairwise' &&
            t.shadowOutput !== undefined &&
            addressesEvaluator(t.shadowOutput)
        ),
      0
    )
    s.logprobs =
      caller.withLogprobs > 0
        ? 'used'
        : caller.logprobs === 'rejected'
          ? 'rejected'
          : this.spec.logprobs
            ? 'not-returned'
            : 'off'
    s.health = checks
    s.healthy = healthy(checks)
    if (selfAgreement) s.selfAgreement = selfAgreement
    const projection = this.projection(judging, s)
    if (projection) s.projection = projection
    s.warnings.push(...(this.opts.warnings ?? []), ...this.familyWarnings(), ...judgeWarnings(s))
    return s
  }

  /** The judging the metric still needs, when it is undecided on a healthy judge. */
  private projection(judging: Judging, s: JudgeSummary): JudgeProjection | undefined {
    if (s.length?.confounded || s.stopped === 'api-failing') return undefined
    const n = judging.judged()
    // Judged items as the clock (one a second), so the projection's samples count judged items.
    const result = this.compare(judging, { ...this.ctx, canaryRequests: n.canary, canaryRate: 1 })
    if (result.verdict !== 'inconclusive') return undefined
    const more = result.needed?.samples ?? null
    const controlCalls =
      this.spec.mode === 'pairwise' ? this.spec.health.controls * 1.7 : this.spec.health.controls
    const callsPerItem = 2 + controlCalls / this.spec.batch
    const calls = more === null ? null : Math.ceil(more * callsPerItem)
    const perCall = this.judging.caller.usdPerCall()
    const size = this.input.sampleSize
    const sampled = judging.sampled()
    return {
      items: more,
      calls,
      usd: calls === null || perCall === null ? null : calls * perCall,
      inSample: judging.remaining(),
      sampleFull: size !== undefined && Math.min(sampled.baseline, sampled.canary) >= size
    }
  }

  /** The judge of the same model family as an arm's served model may prefer its own family. */
  private familyWarnings(): string[] {
    const judgeFamily = modelFamily(this.spec.model)
    if (!judgeFamily) return []
    const armModels = servedModels(this.input.evidence)
    const out: string[] = []
    for (const arm of ['baseline', 'canary'] as const) {
      const same = armModels[arm].find(m => modelFamily(m) === judgeFamily)
      if (same) {
        out.push(
          `the judge (${this.spec.model}) is of the same model family as the ${arm}'s ${same}: it may prefer its own family's answers`
        )
      }
    }
    return out
  }
}
