import type { MetricSpec, Policy } from '../policy/types.js'
import { change, value } from '../policy/format.js'
import { TOTAL_SEGMENT, type Evidence } from '../sketch/evidence.js'
import type { BaselineLevels, BaselineMix, Check, MetricResult } from './types.js'

/** A relative move of the baseline's mean input tokens beyond this is a change of traffic mix. */
export const MIX_SHIFT = 0.1

/**
 * Baseline drift (issue 5, check 4): the provider can change the model under both arms. The
 * comparison with the concurrent baseline stays valid (the drift cancels), so this never rolls
 * back; it reports when the baseline's level of a metric has moved beyond the metric's tolerance
 * since the rollout's first evaluation with the minimum sample (RolloutState.baselineAtStart):
 * the stored level is outside the baseline's own confidence sequence now (anytime-valid, at the
 * metric's error rate), and the change from it exceeds the tolerance.
 *
 * A move of the traffic mix moves the baseline's levels as surely as a new model does (shorter
 * prompts cost less and answer faster), so before the provider is blamed the move is looked at
 * within the mix (issue 13): with segments, the levels within each segment are combined with the
 * start's segment shares (direct standardisation, as in epidemiology's age-adjusted rates); a
 * metric that held within segments moved with the mix. Without segments (or for quantiles, whose
 * levels do not combine), a move of the baseline's mean input tokens by more than 10% is a mix
 * shift that explains the move as well as a model change would: it is named, not blamed on the
 * provider.
 */
export function driftCheck(
  policy: Policy,
  metrics: MetricResult[],
  start: BaselineLevels,
  mixNow?: BaselineMix
): Check {
  const name = 'baseline-drift'
  const model: string[] = []
  const mix: string[] = []
  const tokens = tokenShift(start.mix, mixNow)
  for (const spec of policy.metrics) {
    const m = metrics.find(r => r.name === spec.name)
    const before = start.levels[spec.name]
    if (!m || before === undefined || m.baseline === null || !m.baselineInterval) continue
    const { lower, upper } = m.baselineInterval
    if (before >= lower && before <= upper) continue
    const shift = shiftOf(spec, before, m.baseline)
    if (!(Math.abs(shift) > spec.tolerance.value)) continue
    const moved = `${spec.name} ${value(m, before)} → ${value(m, m.baseline)} (${change(m, shift, spec.tolerance.relative)}, beyond its ${change(m, spec.tolerance.value, spec.tolerance.relative).replace('+', '±')} tolerance)`
    const within = withinSegments(spec, start.mix, mixNow)
    if (within !== undefined) {
      const held = Math.abs(within) <= spec.tolerance.value
      const text = `${moved}; within segments, at the start's segment mix, ${change(m, within, spec.tolerance.relative)}`
      ;(held ? mix : model).push(text)
    } else if (tokens !== undefined && Math.abs(tokens.shift) > MIX_SHIFT) {
      mix.push(moved)
    } else {
      model.push(moved)
    }
  }
  const mixText =
    mix.length > 0
      ? `the baseline moved with its traffic mix${tokens && Math.abs(tokens.shift) > MIX_SHIFT ? ` (mean input ${tokens.text})` : ''}: ${mix.join('; ')}. A change of traffic, not evidence of a model change`
      : ''
  if (model.length === 0) {
    const held = `the baseline has held its levels since ${start.at}`
    return { name, status: 'ok', detail: mixText ? `${mixText}` : held }
  }
  return {
    name,
    status: 'warn',
    detail: `the baseline itself moved since the rollout began (${start.at}): ${model.join('; ')}${tokens ? ` (its traffic mix held: mean input ${tokens.text})` : ''}. The provider may have changed the model under both arms; the comparison with the concurrent baseline stays valid${mixText ? `. Besides, ${mixText}` : ''}`
  }
}

function shiftOf(spec: MetricSpec, before: number, now: number): number {
  return spec.tolerance.relative ? (before !== 0 ? now / before - 1 : NaN) : now - before
}

/**
 * The metric's move within segments: its level now and at the start in each segment both had,
 * each combined with the start's segment shares (direct standardisation), compared as the
 * tolerance is. Undefined without segment levels for it at both times.
 */
function withinSegments(
  spec: MetricSpec,
  start: BaselineMix | undefined,
  now: BaselineMix | undefined
): number | undefined {
  if (!start?.segments || !now?.segments) return undefined
  let weight = 0
  let before = 0
  let after = 0
  for (const [segment, s] of Object.entries(start.segments)) {
    const a = s.levels[spec.name]
    const b = now.segments[segment]?.levels[spec.name]
    if (a === undefined || b === undefined || !(s.share > 0)) continue
    weight += s.share
    before += s.share * a
    after += s.share * b
  }
  if (!(weight > 0)) return undefined
  return shiftOf(spec, before / weight, after / weight)
}

function tokenShift(
  start: BaselineMix | undefined,
  now: BaselineMix | undefined
): { shift: number; text: string } | undefined {
  const a = start?.inputTokens
  const b = now?.inputTokens
  if (a === undefined || b === undefined || !(a > 0)) return undefined
  const k = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0))
  return { shift: b / a - 1, text: `${k(a)} → ${k(b)} tokens` }
}

/**
 * The baseline levels to remember at the rollout's start: metrics with the minimum sample (only
 * those have a `baselineInterval`, compareMetric.ts).
 */
export function baselineLevels(metrics: MetricResult[]): Record<string, number> | undefined {
  const levels: Record<string, number> = {}
  for (const m of metrics) {
    if (m.baseline !== null && m.baselineInterval) {
      levels[m.name] = m.baseline
    }
  }
  return Object.keys(levels).length > 0 ? levels : undefined
}

/**
 * The baseline's traffic mix in a window: its mean input tokens per request (from the cache
 * sums, when records carry input tokens), and with segments each segment's share of the baseline's
 * requests and its level of every mean, rate and ratio metric (sum over sum of its moments).
 */
export function baselineMix(policy: Policy, evidence: Evidence): BaselineMix | undefined {
  const mix: BaselineMix = {}
  let tokens = 0
  let requests = 0
  const segments = new Map<string, { requests: number; sx: number[]; sy: number[] }>()
  for (const cell of evidence.cells) {
    if (cell.arm !== 'baseline') continue
    if (cell.segment === TOTAL_SEGMENT) {
      tokens += cell.cache?.inputTokens ?? 0
      requests += cell.cache?.requests ?? 0
      continue
    }
    let s = segments.get(cell.segment)
    if (!s) {
      s = { requests: 0, sx: policy.metrics.map(() => 0), sy: policy.metrics.map(() => 0) }
      segments.set(cell.segment, s)
    }
    s.requests += cell.requests
    cell.metrics.forEach((sketch, i) => {
      s.sx[i] = (s.sx[i] ?? 0) + sketch.moments.sx
      s.sy[i] = (s.sy[i] ?? 0) + sketch.moments.sy
    })
  }
  if (requests > 0) mix.inputTokens = tokens / requests
  const total = [...segments.values()].reduce((n, s) => n + s.requests, 0)
  if (total > 0) {
    mix.segments = {}
    for (const [key, s] of segments) {
      const levels: Record<string, number> = {}
      policy.metrics.forEach((m, i) => {
        const sy = s.sy[i] ?? 0
        if (m.kind !== 'quantile' && sy > 0) levels[m.name] = (s.sx[i] ?? 0) / sy
      })
      mix.segments[key] = { share: s.requests / total, levels }
    }
  }
  return mix.inputTokens !== undefined || mix.segments ? mix : undefined
}
