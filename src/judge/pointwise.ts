/**
 * Pointwise judging: each sampled output graded 1..5 against the score rubric (Prometheus 2's
 * format, judge/prompt.ts), probability-weighted when the endpoint returns logprobs (G-Eval,
 * judge/scoring.ts), length-controlled by ANCOVA design weights (judge/lengthControl.ts), with
 * degraded copies of well-graded outputs mixed in as controls (they must grade lower).
 */
import type { JudgeHealthCheck, JudgeSummary } from '../analysis/types.js'
import type { Arm } from '../records/record.js'
import type { TextSample } from '../sketch/evidence.js'
import { itemKey, type Judgement } from './cache.js'
import { FAILED } from './calls.js'
import { degrade, otherDegradation, type Degradation } from './controls.js'
import type { Bounds, Scored } from './fold.js'
import { biasSeen, cohenKappa, degradedCheck, kappaCheck, type ControlTally } from './health.js'
import {
  ask,
  type ControlAsk,
  type Judging,
  type JudgingContext,
  type RoundResult
} from './judging.js'
import { adjusted, armDesign, lengthSlope, type LengthDesign } from './lengthControl.js'
import { POINTWISE_SCHEMA, pointwiseMessages } from './prompt.js'
import { cachedFirst } from './pairwise.js'
import { median } from './sample.js'
import { readGrade } from './scoring.js'

interface PointItem {
  text: TextSample
  input: string
  output: string
  key: string
  label?: string
}

const ARMS = ['baseline', 'canary'] as const

/** A stated grade score (0, 0.25, ..., 1) as the grade 1..5 a label gives. */
const gradeLabel = (v: number): string => String(Math.round(v * 4) + 1)

export class PointwiseJudging implements Judging {
  private readonly items: Record<Arm, PointItem[]>
  private readonly design: Record<Arm, LengthDesign>
  private readonly done: Record<Arm, Map<number, Judgement>> = {
    baseline: new Map(),
    canary: new Map()
  }
  private readonly early: Record<Arm, Map<number, Judgement>> = {
    baseline: new Map(),
    canary: new Map()
  }
  private readonly consumed: Record<Arm, number> = { baseline: 0, canary: 0 }
  /** Items per arm whose judgement the cache holds (they come first, cachedFirst). */
  private readonly cachedCount: Record<Arm, number>
  private readonly degraded: ControlTally = { right: 0, wrong: 0, ties: 0 }
  private readonly usedDegraded = new Set<string>()

  constructor(
    private readonly ctx: JudgingContext,
    texts: readonly TextSample[]
  ) {
    const of = (arm: Arm): PointItem[] =>
      cachedFirst(
        ctx,
        texts
          .filter(t => t.arm === arm)
          .map(text => {
            const input = ctx.prepare(text.input)
            const output = ctx.prepare(text.output)
            const label = ctx.labels?.get(text.id)
            return {
              text,
              input,
              output,
              key: itemKey(ctx.judgeKey, 'item', [input, output]),
              ...(label !== undefined && { label })
            }
          })
      )
    this.items = { baseline: of('baseline'), canary: of('canary') }
    this.cachedCount = {
      baseline: this.items.baseline.filter(i => ctx.cache.peek(i.key) !== undefined).length,
      canary: this.items.canary.filter(i => ctx.cache.peek(i.key) !== undefined).length
    }
    this.design = armDesign(
      {
        baseline: this.items.baseline.map(i => i.output.length),
        canary: this.items.canary.map(i => i.output.length)
      },
      ctx.spec.lengthControl
    )
  }

  sampled(): { baseline: number; canary: number } {
    return { baseline: this.items.baseline.length, canary: this.items.canary.length }
  }

  async judgeLabelled(cap: number): Promise<void> {
    const labelled = ARMS.flatMap(arm =>
      this.items[arm].map((item, i) => ({ arm, item, i })).filter(x => x.item.label !== undefined)
    ).slice(0, cap)
    const results = await this.ctx.caller.pool(labelled, ({ item }) => this.grade(item))
    results.forEach((r, n) => {
      const x = labelled[n]
      if (x && r !== undefined && r !== FAILED) this.early[x.arm].set(x.i, r)
    })
  }

  async round(real: boolean, controls: ControlAsk, degradation: Degradation): Promise<RoundResult> {
    this.ctx.attempted = 0
    this.ctx.failed = 0
    let taken = 0
    if (real) {
      const cachedFirst =
        this.consumed.baseline + this.consumed.canary === 0 &&
        this.cachedCount.baseline + this.cachedCount.canary > 0
      const jobs = ARMS.flatMap(arm => {
        const from = this.consumed[arm]
        // The first batch is every judgement the cache holds, and only that (see
        // PairwiseJudging.round).
        const size = cachedFirst ? this.cachedCount[arm] : this.ctx.spec.batch
        const n = Math.min(size, this.items[arm].length - from)
        this.consumed[arm] += n
        return Array.from({ length: n }, (_, k) => ({ arm, i: from + k }))
      })
      taken = jobs.length
      const results = await this.ctx.caller.pool(jobs, ({ arm, i }) => {
        const early = this.early[arm].get(i)
        return early ? Promise.resolve(early) : this.grade(this.items[arm][i] as PointItem)
      })
      results.forEach((r, n) => {
        const job = jobs[n]
        if (job && r !== undefined && r !== FAILED) this.done[job.arm].set(job.i, r)
      })
    }
    const judgedControls = await this.controls(controls.degraded, degradation)
    return {
      taken,
      controls: judgedControls,
      attempted: this.ctx.attempted,
      failed: this.ctx.failed
    }
  }

  private async grade(item: PointItem): Promise<Judgement | undefined | typeof FAILED> {
    const hit = this.ctx.cache.take(item.key)
    if (hit) return hit
    const once = () =>
      ask(
        this.ctx,
        pointwiseMessages(this.ctx.spec, { input: item.input, output: item.output }),
        POINTWISE_SCHEMA,
        a => readGrade(a.content, a.logprobs)
      )
    const r = await once()
    if (r === undefined || r === FAILED) return r
    const judgement = { s: r.score, v: [r.stated] }
    this.ctx.cache.put(item.key, judgement)
    this.ctx.fresh.push({
      first: String(r.stated),
      again: async () => {
        const again = await once()
        return again === undefined || again === FAILED ? undefined : String(again.stated)
      }
    })
    return judgement
  }

  /**
   * Degraded copies of outputs judged so far; each must grade lower. The sources are outputs
   * graded 3 or more, in sample order (both arms in turn), then the lower ones from the top: a
   * copy of an output at the bottom of the scale cannot grade lower, and taking only the top
   * grades would pick the outputs where a judge at its ceiling (grading long answers 5 whatever
   * they say) ties the copy.
   */
  private async controls(count: number, degradation: Degradation): Promise<number> {
    const sources: { item: PointItem; grade: number; at: number }[] = []
    for (const arm of ARMS) {
      for (const [i, j] of this.done[arm]) {
        const item = this.items[arm][i]
        if (item) sources.push({ item, grade: j.v[0] ?? 0, at: 2 * i + (arm === 'canary' ? 1 : 0) })
      }
    }
    const good = (g: number) => g >= 0.5
    sources.sort((a, b) =>
      good(a.grade) !== good(b.grade)
        ? Number(good(b.grade)) - Number(good(a.grade))
        : good(a.grade)
          ? a.at - b.at
          : b.grade - a.grade
    )
    const jobs: { item: PointItem; grade: number; copy: string; kind: Degradation }[] = []
    for (const s of sources) {
      if (jobs.length >= count) break
      if (this.usedDegraded.has(s.item.output)) continue
      this.usedDegraded.add(s.item.output)
      const wanted: Degradation =
        jobs.length % 2 === 0 ? degradation : otherDegradation(degradation)
      const copy = degrade(s.item.output, wanted)
      if (copy) jobs.push({ item: s.item, grade: s.grade, copy: copy.text, kind: copy.kind })
    }
    await this.ctx.caller.pool(jobs, job => this.degradedControl(job))
    return jobs.length
  }

  private async degradedControl(job: {
    item: PointItem
    grade: number
    copy: string
    kind: Degradation
  }): Promise<void> {
    const key = itemKey(this.ctx.judgeKey, job.kind, [job.item.input, job.copy])
    let j = this.ctx.cache.take(key)
    if (!j) {
      const r = await ask(
        this.ctx,
        pointwiseMessages(this.ctx.spec, { input: job.item.input, output: job.copy }),
        POINTWISE_SCHEMA,
        a => readGrade(a.content, a.logprobs)
      )
      if (r === undefined || r === FAILED) return
      j = { s: r.score, v: [r.stated] }
      this.ctx.cache.put(key, j)
    }
    const copy = j.v[0] ?? 0
    if (job.grade > copy) this.degraded.right++
    else if (job.grade < copy) this.degraded.wrong++
    else this.degraded.ties++
  }

  scored(): Scored[] {
    return ARMS.flatMap(arm =>
      [...this.done[arm]]
        .sort((a, b) => a[0] - b[0])
        .map(([i, j]): Scored => {
          const unit = this.items[arm][i]?.text.unit
          return {
            arm,
            s: adjusted(this.design[arm].m[i] ?? 1, j.s),
            ...(unit !== undefined && { unit })
          }
        })
    )
  }

  bounds(): Record<Arm, Bounds> {
    return { baseline: this.design.baseline.bounds, canary: this.design.canary.bounds }
  }

  judged(): { baseline: number; canary: number } {
    return { baseline: this.done.baseline.size, canary: this.done.canary.size }
  }

  remaining(): number {
    return Math.min(
      this.items.baseline.length - this.consumed.baseline,
      this.items.canary.length - this.consumed.canary
    )
  }

  exhausted(): boolean {
    return ARMS.every(arm => this.consumed[arm] >= this.items[arm].length)
  }

  confounded(): boolean {
    const { enabled, maxInflation } = this.ctx.spec.lengthControl
    return enabled && this.design.canary.inflation > maxInflation
  }

  health(): JudgeHealthCheck[] {
    const { alpha, minKappa } = this.ctx.spec.health
    const checks = [degradedCheck(this.degraded, alpha)]
    if (this.ctx.labels && this.ctx.labels.size > 0 && this.labelled() > 0) {
      const { pairs, unjudged } = this.humanPairs()
      checks.push(kappaCheck(pairs, minKappa, unjudged))
    }
    return checks
  }

  private labelled(): number {
    return ARMS.reduce((n, arm) => n + this.items[arm].filter(i => i.label !== undefined).length, 0)
  }

  private humanPairs(): { pairs: [string, string][]; unjudged: number } {
    const pairs: [string, string][] = []
    let unjudged = 0
    for (const arm of ARMS) {
      this.items[arm].forEach((item, i) => {
        if (item.label === undefined) return
        const j = this.done[arm].get(i) ?? this.early[arm].get(i)
        if (j) pairs.push([item.label, gradeLabel(j.v[0] ?? 0)])
        else unjudged++
      })
    }
    return { pairs, unjudged }
  }

  facts(): Partial<JudgeSummary> {
    const { enabled, maxInflation } = this.ctx.spec.lengthControl
    const judgedOf = (arm: Arm) => [...this.done[arm]].sort((a, b) => a[0] - b[0])
    const slope = lengthSlope(
      ARMS.map(arm => ({
        x: judgedOf(arm).map(([i]) => this.design[arm].x[i] ?? 0),
        s: judgedOf(arm).map(([, j]) => j.s)
      }))
    )
    const facts: Partial<JudgeSummary> = {
      biases: slope && biasSeen(slope.estimate, slope.se) ? ['length'] : [],
      length: {
        adjusted: enabled,
        inflation: this.design.canary.inflation,
        maxInflation,
        confounded: this.confounded(),
        bounds: this.design.canary.bounds,
        medianLength: {
          baseline: median(this.items.baseline.map(i => i.output.length)),
          canary: median(this.items.canary.map(i => i.output.length))
        },
        ...(slope && { slope })
      }
    }
    const { pairs } = this.humanPairs()
    if (pairs.length > 0) facts.humanAgreement = { items: pairs.length, kappa: cohenKappa(pairs) }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const lengths = (arm: Arm) => judgedOf(arm).map(([i]) => this.items[arm][i]?.output.length ?? 0)
    if (this.done.baseline.size > 0 && this.done.canary.size > 0) {
      facts.lengthDifference = Math.round(mean(lengths('canary')) - mean(lengths('baseline')))
      const scored = this.scored()
      const armMean = (arm: Arm) => mean(scored.filter(x => x.arm === arm).map(x => x.s))
      facts.lengthAdjustedDifference = armMean('canary') - armMean('baseline')
    }
    return facts
  }
}
