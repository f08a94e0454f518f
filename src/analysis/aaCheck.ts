import type { Policy } from '../policy/types.js'
import { mergeCells } from '../sketch/metricSketch.js'
import { emptyMoments } from '../sketch/moments.js'
import type { MetricSketch } from '../sketch/types.js'
import { TOTAL_SEGMENT, type Evidence } from '../sketch/evidence.js'
import { change } from '../policy/format.js'
import { compareMetric, type CompareContext } from './compareMetric.js'
import type { Check, MetricResult } from './types.js'

/**
 * The A/A check (issue 5, "nondeterminism"): the baseline is split in two by a hash of the unit
 * (or of the request, when records carry no unit; EvidenceBuilder, `Cell.halves`) and every metric
 * is compared between the halves exactly as the canary is compared with the baseline: the same
 * confidence sequence at the same per-metric error rate. The halves serve the same system, so
 * their true difference is 0:
 *
 * - an A/A comparison that would roll back (its whole interval beyond the tolerance, either way,
 *   since which half plays the canary is arbitrary) means the
 *   evidence does not behave as the statistics assume (one unit id shared by a large part of the
 *   traffic, logs mixed from two systems, values that are not what the field says): block, and
 *   since the comparison itself is untrusted, a would-be rollback holds (decide.ts, UNTRUSTED).
 *   On clean data this happens at most with probability sum(alpha_i) = 1 - confidence over all
 *   looks, because each interval is an anytime-valid confidence sequence for the true difference
 *   0 (Waudby-Smith et al. 2024; Howard & Ramdas 2022 for quantiles) and missing 0 is needed to lie
 *   wholly beyond a tolerance >= 0 (Bonferroni over metrics).
 * - each metric's run-to-run noise, the A/A interval's half-width, is reported next to its
 *   tolerance (`MetricResult.aa.noise`), and scaled to the canary comparison's sample
 *   (`atCanary`: half-widths go as sqrt(1/n_b + 1/n_c), so noise * sqrt((1/n_b + 1/n_c) /
 *   (1/h_0 + 1/h_1))). When both arms have the minimum sample, the metric is inconclusive and the
 *   tolerance is below that noise, the metric cannot pass at this sample, since it passes only
 *   when its whole interval is within the tolerance: warn. (With few heavy units the noise does not shrink with more requests
 *   at all, which a projection in requests does not show.)
 */
export function aaCheck(
  policy: Policy,
  evidence: Evidence,
  metrics: MetricResult[],
  ctx: CompareContext
): Check {
  const name = 'a/a'
  const cells = evidence.cells.filter(c => c.arm === 'baseline' && c.segment === TOTAL_SEGMENT)
  const split = cells.filter(c => c.halves !== undefined)
  if (cells.length === 0) return { name, status: 'ok', detail: 'no baseline traffic to split yet' }
  if (split.length === 0) {
    return { name, status: 'ok', detail: 'not available from this source (no baseline halves)' }
  }
  const halves = [0, 1].map(h =>
    mergeCells(
      split.map(c => ({
        requests: 0,
        units: 0,
        metrics: c.halves?.[h] ?? [],
        models: {},
        errors: {}
      }))
    )
  )
  const [a, b] = halves as [(typeof halves)[0], (typeof halves)[0]]
  const enough = (r: MetricResult) => r.n.baseline >= ctx.minSamples && r.n.canary >= ctx.minSamples
  const halfSize = Math.max(30, Math.round(ctx.tStar.baseline / 2))
  const aaCtx: CompareContext = {
    ...ctx,
    // The halves are a check at one level (no promotion rests on them).
    passAlpha: ctx.alpha,
    ends: 'both',
    project: false,
    tStar: { baseline: halfSize, canary: halfSize, total: 2 * halfSize }
  }
  const failing: string[] = []
  const tooTight: string[] = []
  policy.metrics.forEach((spec, i) => {
    const result = metrics[i]
    if (!result) return
    const aa = compareMetric(
      { ...spec, limit: undefined },
      metricAt(a.metrics, i),
      metricAt(b.metrics, i),
      aaCtx
    )
    const d = aa.delta
    if (!Number.isFinite(d.lower) || !Number.isFinite(d.upper)) return
    const noise = (d.upper - d.lower) / 2
    const atCanary =
      noise *
      Math.sqrt(
        (1 / result.n.baseline + 1 / result.n.canary) / (1 / aa.n.baseline + 1 / aa.n.canary)
      )
    result.aa = { estimate: d.estimate, lower: d.lower, upper: d.upper, noise, atCanary }
    if (spec.mode === 'report') return
    const show = (v: number) => change(result, v, d.relative)
    // Which half plays the canary is arbitrary: beyond the tolerance either way is a failure.
    const beyond = spec.tolerance.value
    const halvesHave = Math.min(aa.n.baseline, aa.n.canary) >= MIN_HALF
    if (halvesHave && (d.lower > beyond || d.upper < -beyond)) {
      failing.push(
        `${spec.name} differs between the halves by ${show(d.estimate)} (${show(d.lower)} to ${show(d.upper)}), beyond its ${show(result.tolerance)} tolerance`
      )
    } else if (
      enough(result) &&
      result.verdict === 'inconclusive' &&
      spec.tolerance.value < atCanary
    ) {
      tooTight.push(
        `${spec.name}: its run-to-run noise (A/A ±${show(noise).slice(1)}, ±${show(atCanary).slice(1)} at the canary's sample) exceeds its ${show(result.tolerance)} tolerance, so it cannot pass at this sample: it needs more canary traffic, or a wider tolerance`
      )
    }
  })
  const by = evidence.unitLevel ? 'unit' : 'request'
  if (failing.length > 0) {
    return {
      name,
      status: 'block',
      detail: `the baseline split in two by a hash of the ${by} would roll back against itself: ${failing.join('; ')}. The data or its instrumentation is not trustworthy (a few units carrying most of the traffic, one id shared by many users, logs from two systems mixed?)`
    }
  }
  if (tooTight.length > 0) return { name, status: 'warn', detail: tooTight.join('; ') }
  return {
    name,
    status: 'ok',
    detail: `the baseline's two halves (by ${by} hash) agree; each metric's noise is below its tolerance`
  }
}

/**
 * Values per half before an A/A verdict: the asymptotic CS needs a few dozen. Lower than
 * minSamples on purpose: one unit carrying most of the baseline leaves the other half small, and
 * that is the case the check exists for.
 */
const MIN_HALF = 30

const EMPTY: MetricSketch = { moments: emptyMoments(), requests: 0 }
const metricAt = (list: MetricSketch[], i: number): MetricSketch => list[i] ?? EMPTY
