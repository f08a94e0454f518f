/**
 * The judge's outcome: its summary to begin with, and the annotation of the analysis, which makes
 * the judge metric wait for a healthy judge and separable lengths (its verdict becomes
 * inconclusive, and the `judge` check blocks when the metric gates), and replaces the generic
 * projection (canary requests) with the judge's own (judged items, calls, USD; requests only
 * when the sample cannot supply them). Words come from report/judge.ts.
 */
import type { Analysis, JudgeSummary, Needed } from '../analysis/types.js'
import type { JudgeCacheState } from '../decide/types.js'
import type { JudgeSpec, Policy } from '../policy/types.js'
import type { Arm } from '../records/record.js'
import { healthBlock, judgeCheckDetail, lengthBlock, projectionText } from '../report/judge.js'
import { TOTAL_SEGMENT, type Evidence, type TextSample } from '../sketch/evidence.js'
import { mergeCells } from '../sketch/metricSketch.js'
import { rubricHash } from './cache.js'
import type { Judging } from './judging.js'
import { PairwiseJudging } from './pairwise.js'
import type { JudgeOutcome } from './run.js'

/** Canary requests in the window per item the sample could offer (pairs, or canary outputs). */
export function requestsPerItem(
  evidence: Evidence,
  judging: Judging,
  mode: JudgeSpec['mode']
): number {
  const canary = mergeCells(
    evidence.cells.filter(c => c.arm === 'canary' && c.segment === TOTAL_SEGMENT)
  )
  const offered =
    mode === 'pairwise' && judging instanceof PairwiseJudging
      ? judging.pairCount()
      : judging.sampled().canary
  return offered > 0 ? canary.requests / offered : 1
}

export function emptySummary(
  spec: JudgeSpec,
  texts: readonly TextSample[],
  step: JudgeSummary['cost']['step']
): JudgeSummary {
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
    cost: {
      look: { calls: 0, inputTokens: 0, outputTokens: 0, usd: spec.prices ? 0 : null },
      step: {
        looks: step.looks,
        calls: step.calls,
        inputTokens: step.inputTokens,
        outputTokens: step.outputTokens,
        usd: spec.prices ? step.usd : null
      }
    },
    cacheHits: 0,
    stopped: 'not-run',
    parseFailures: 0,
    errors: {},
    flagged: 0,
    logprobs: spec.logprobs ? 'not-returned' : 'off',
    health: [],
    healthy: false,
    biases: [],
    warnings: []
  }
}

/** Served models of each arm in the evidence (total segment), most requests first. */
export function servedModels(evidence: Evidence): Record<Arm, string[]> {
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

/** The outcome of a run (or of a judge that could not run). */
export function outcome(
  policy: Policy,
  evidence: Evidence,
  cache: JudgeCacheState,
  summary: JudgeSummary,
  extra: { reason?: string | undefined; requestsPerItem?: number }
): JudgeOutcome {
  const name = policy.metrics.find(m => m.from === 'judge')?.name
  return {
    evidence,
    cache,
    summary,
    annotate(analysis) {
      analysis.judge = summary
      const result = analysis.metrics.find(m => m.name === name)
      const blocked =
        summary.stopped === 'not-run'
          ? undefined
          : (healthBlock(summary) ?? lengthBlock(summary.length, summary.mode))
      if (result && blocked && result.verdict !== 'inconclusive') {
        result.verdict = 'inconclusive'
        result.reason = blocked
      } else if (result && result.verdict === 'inconclusive') {
        const why = [extra.reason, blocked].filter(Boolean).join('; ')
        result.reason = why ? `${why}; ${result.reason}` : result.reason
      }
      if (result && result.verdict === 'inconclusive') {
        result.needed = judgeNeeded(summary, analysis, extra.requestsPerItem ?? 1, !!blocked)
        if (summary.projection) {
          result.reason = `${result.reason}; ${projectionText(summary.projection, summary.mode)}`
        }
      }
      const gates = result !== undefined && result.mode !== 'report'
      analysis.checks.push({
        name: 'judge',
        status: blocked && gates ? 'block' : summary.warnings.length > 0 || blocked ? 'warn' : 'ok',
        detail: judgeCheckDetail(summary)
      })
    }
  }
}

/**
 * More canary traffic the judge metric needs: none while the sample still holds the items to
 * judge (or a health or length block keeps it waiting: more judging, not more traffic, answers
 * those), else the items the sample lacks at the window's requests per item.
 */
function judgeNeeded(
  s: JudgeSummary,
  analysis: Analysis,
  requestsPerItem: number,
  blocked: boolean
): Needed {
  const p = s.projection
  if (blocked || !p) return { samples: 0, seconds: 0 }
  if (p.items === null) return { samples: null, seconds: null }
  if (p.items <= p.inSample || p.sampleFull) return { samples: 0, seconds: 0 }
  const samples = Math.ceil((p.items - p.inSample) * requestsPerItem)
  const seconds = analysis.canaryRate > 0 ? Math.ceil(samples / analysis.canaryRate) : null
  return { samples, seconds }
}
