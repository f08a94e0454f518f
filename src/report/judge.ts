/**
 * The judge in words: why its metric could not decide, which health check failed and what it
 * measured, which bias it shows, and what it cost (per evaluation and per step). The facts are the
 * judge's summary (analysis/types.ts JudgeSummary); this is the only place they become sentences.
 */
import type {
  JudgeHealthCheck,
  JudgeLengthControl,
  JudgeProjection,
  JudgeSpend,
  JudgeSummary
} from '../analysis/types.js'
import { int, roughCount } from '../policy/format.js'

const pct = (x: number): string => `${Math.round(x * 100)}%`
const usd = (x: number): string => `$${x < 0.01 && x > 0 ? x.toFixed(4) : x.toFixed(2)}`
const items = (mode: JudgeSummary['mode']): string =>
  mode === 'pairwise' ? 'pairs' : 'outputs per arm'

/** "14 calls, 9,800 input + 1,400 output tokens, $0.0061"; usage the endpoint did not report is "unknown". */
export function spendText(s: JudgeSpend): string {
  const tokens =
    s.inputTokens === null || s.outputTokens === null
      ? 'tokens unknown (the endpoint reported no usage)'
      : `${int(s.inputTokens)} input + ${int(s.outputTokens)} output tokens`
  const dollars =
    s.usd !== null
      ? usd(s.usd)
      : s.inputTokens === null
        ? 'USD unknown'
        : 'USD not priced (no `prices`)'
  return `${int(s.calls)} calls, ${tokens}, ${dollars}`
}

/** What one failed or pending health check measured, in a sentence. */
export function healthCheckText(c: JudgeHealthCheck): string {
  const state =
    c.status === 'failed' ? 'failed' : c.status === 'pending' ? 'not yet shown' : c.status
  switch (c.name) {
    case 'identical': {
      const n = (c.right ?? 0) + (c.wrong ?? 0)
      return `identical answers must tie (${state}): ${c.right ?? 0} of ${n} calls tied, a judge guessing ties a third`
    }
    case 'degraded': {
      const decided = (c.right ?? 0) + (c.wrong ?? 0)
      const ties = c.ties ? `, ${c.ties} called a tie` : ''
      return `a copy with its facts shuffled or its words scrambled must lose to its original (${state}): the original won ${c.right ?? 0} of ${decided} calls that named a winner${ties}`
    }
    case 'flip-rate':
      return `the two orders of a pair must mostly agree (${state}): they disagreed on ${pct(c.value ?? 0)} of ${c.items ?? 0} pairs, at most ${pct(c.threshold)} allowed`
    case 'kappa':
      return c.value === undefined
        ? `agreement with the human labels (${state}): no labelled item judged yet`
        : `agreement with the human labels (${state}): Cohen's kappa ${c.value.toFixed(2)} on ${c.items ?? 0} items, at least ${c.threshold.toFixed(2)} needed`
  }
}

/** The checks that keep the judge metric from deciding, or undefined when it may decide. */
export function healthBlock(s: JudgeSummary): string | undefined {
  const bad = s.health.filter(c => c.status === 'failed' || c.status === 'pending')
  if (bad.length === 0) return undefined
  const failed = bad.some(c => c.status === 'failed')
  return `${failed ? 'the judge failed its health checks' : 'the judge has not yet shown it reads the content'}, so its metric cannot decide: ${bad.map(healthCheckText).join('; ')}`
}

/** Length and quality cannot be told apart: why, in the arms' own terms. */
export function lengthBlock(
  l: JudgeLengthControl | undefined,
  mode: JudgeSummary['mode']
): string | undefined {
  if (!l || !l.confounded) return undefined
  const where =
    mode === 'pairwise' && l.canaryShorter !== undefined
      ? `the canary's answer is shorter in ${pct(l.canaryShorter)} of the sampled pairs`
      : l.medianLength
        ? `median output length ${int(l.medianLength.canary)} characters in the canary against ${int(l.medianLength.baseline)} in the baseline`
        : 'the arms differ in length'
  const inflation = Number.isFinite(l.inflation) ? `×${l.inflation.toFixed(1)}` : 'without bound'
  return `length and quality cannot be separated: ${where}, so controlling for length inflates the variance ${inflation} (at most ×${l.maxInflation} allowed); the judge metric holds until the arms overlap in length`
}

/** The judging a projection still asks for, and whether the sample or more traffic supplies it. */
export function projectionText(p: JudgeProjection, mode: JudgeSummary['mode']): string {
  if (p.items === null) return 'the estimate sits at the tolerance: more judging may not settle it'
  const cost = [
    p.calls !== null ? `~${roughCount(p.calls)} judge calls` : undefined,
    p.usd !== null ? `~${usd(p.usd)}` : undefined
  ]
    .filter(Boolean)
    .join(', ')
  const need = `about ${roughCount(p.items)} more judged ${items(mode)}${cost ? ` (${cost})` : ''}`
  if (p.items <= p.inSample)
    return `${need}; the sample holds them: the next evaluations judge them`
  if (p.sampleFull) return `${need}; the next evaluation samples more texts for them`
  return `${need}; the sample has ${int(p.inSample)} left, so more canary traffic is needed`
}

/** Why the judge stopped, as the reason of an inconclusive judge metric (undefined: it need not say). */
export function stopReason(s: JudgeSummary): string | undefined {
  switch (s.stopped) {
    case 'budget-calls':
      return `the judge's call budget for this evaluation is spent (${s.calls} calls)`
    case 'budget-usd':
      return `the judge's USD budget for this evaluation is spent (${usd(s.usd ?? 0)})`
    case 'budget-step-calls':
      return `the judge's call budget for this step is spent (${int(s.cost.step.calls)} calls over ${s.cost.step.looks} evaluations)`
    case 'budget-step-usd':
      return `the judge's USD budget for this step is spent`
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

/** The bias the judgements show, named: position, length, or both. */
export function biasText(s: JudgeSummary): string | undefined {
  const seen = s.biases
  if (seen.length === 0) return undefined
  const parts: string[] = []
  if (seen.includes('position') && s.positionBias) {
    const b = s.positionBias
    parts.push(
      `position (the answer shown ${b.estimate > 0 ? 'first' : 'second'} scores ${Math.abs(b.estimate).toFixed(2)} higher on average; both orders are averaged, so it cancels)`
    )
  }
  if (seen.includes('length') && s.length?.slope) {
    const b = s.length.slope.estimate
    parts.push(
      `length (the ${b > 0 ? 'longer' : 'shorter'} answer scores higher: ${b.toFixed(2)} per standardised length difference; ${s.length.adjusted ? 'the verdict is length-controlled' : 'length control is off'})`
    )
  }
  const name = seen.length === 2 ? 'position and length bias' : `${seen[0]} bias`
  return `the judge shows ${name}: ${parts.join('; ')}`
}

/** The warnings the judge's facts call for (the summary's own come first). */
export function judgeWarnings(s: JudgeSummary): string[] {
  const out: string[] = []
  const bias = biasText(s)
  if (bias) out.push(bias)
  if (s.parseFailures > 0)
    out.push(`${s.parseFailures} judge answers did not follow the schema (left out)`)
  if (s.refusals) out.push(`the judge refused ${s.refusals} items (left out)`)
  if (s.callsWithoutUsage) {
    out.push(
      `the judge API reported no token usage for ${s.callsWithoutUsage} calls: the cost is unknown`
    )
  }
  if (s.flagged > 0) {
    out.push(
      `${s.flagged} sampled outputs address the evaluator (possible prompt injection); graded as they are`
    )
  }
  if (s.selfAgreement && s.selfAgreement.agreement < 0.8) {
    out.push(
      `the judge gave the same answer to only ${pct(s.selfAgreement.agreement)} of ${s.selfAgreement.items} items judged twice`
    )
  }
  if (s.logprobs === 'rejected') {
    out.push(
      'the endpoint refused `logprobs`: scores are read from the stated grades (set `logprobs: false` to skip the attempt)'
    )
  }
  return out
}

/** The `judge` check's one line: model, cost, health, length control, then the warnings. */
export function judgeCheckDetail(s: JudgeSummary): string {
  const parts = [
    `${s.model}, ${s.mode}; this evaluation ${spendText(s.cost.look)}; this step ${spendText(s.cost.step)} over ${s.cost.step.looks} evaluations; ${s.cacheHits} cached; stopped: ${s.stopped}`
  ]
  const health = healthBlock(s)
  parts.push(health ?? 'health checks passed')
  const length = lengthBlock(s.length, s.mode)
  if (length) parts.push(length)
  else if (
    s.length?.adjusted &&
    s.length.inflation > 1.0001 &&
    Number.isFinite(s.length.inflation)
  ) {
    parts.push(`length-controlled (variance ×${s.length.inflation.toFixed(2)})`)
  }
  if (s.flipRate !== undefined) parts.push(`flip rate ${pct(s.flipRate)}`)
  parts.push(...s.warnings)
  return parts.join('; ')
}

/** Markdown lines of the judge's cost per evaluation and per step, for the PR comment. */
export function judgeCostLines(s: JudgeSummary): string[] {
  return [
    `**Judge** (${s.model}, ${s.mode}): this evaluation ${spendText(s.cost.look)}; this step ${spendText(s.cost.step)} over ${s.cost.step.looks} evaluations.`
  ]
}
