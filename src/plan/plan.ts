import { weightAt } from '../decide/decide.js'
import type { MetricSpec, Policy } from '../policy/types.js'
import type { Logs } from '../replay/read.js'
import { F_CANARY, F_UNIT, RowLayout, VALUE_STATUS } from '../replay/rows.js'
import { emptyQuality } from '../sketch/evidence.js'
import { UnitIndex } from '../sketch/unitIndex.js'
import { shiftFor, type MetricLevel } from './resample.js'
import { simulateStep, type Run, type Scenario } from './simulate.js'

/**
 * `rollout-gate plan`: will each step of the policy decide, and when? Each step is simulated on
 * the team's own recent traffic (simulate.ts) with a canary equal to the baseline, and, for every
 * gating metric, one at half its tolerance, one at it and one at twice it (resample.ts says how
 * each is made). From those: the time to promote an equal canary (median, 90th percentile), the
 * time to roll back one at twice the tolerance, the chance of still holding at maxDuration, and
 * what binds. For a step that would not decide in time, the changes that would make it decide,
 * each simulated again (or, for variance reduction, projected) with its new time.
 */
export interface PlanOptions {
  policy: Policy
  logs: Logs
  /** The gate's schedule (the look cadence), ms. */
  every: number
  /** Replicates of the equal canary per step; the other scenarios run fewer (see SCENARIOS). */
  replicates: number
  seed: number
}

/** Times in ms after the step began; null when fewer than that share decided within the horizon. */
export interface Timing {
  share: number
  median: number | null
  p90: number | null
}

export interface Outcome {
  runs: number
  promoted: Timing
  rolledBack: Timing
  /** Share neither promoted nor rolled back by maxDuration (then onTimeout applies). */
  holding: number
  /** The most frequent binding, and its share of the runs. */
  binding?: { name: string; share: number }
}

export interface MetricPlan {
  name: string
  /** Why a metric has no shifted scenarios (no values in the history, a judge metric, ...). */
  skipped?: string
  half?: Outcome
  at?: Outcome
  twice?: Outcome
}

export interface StepPlan {
  index: number
  weight: number
  maxDuration: number
  equal: Outcome
  metrics: MetricPlan[]
  /** Share of equal canaries promoted by each look (look i at (i + 1) x every). */
  promotedBy: number[]
  /** The equal canary promotes by maxDuration in at least 90% of runs. */
  decides: boolean
}

export interface Suggestion {
  step: number
  weight: number
  change: string
  /** The equal canary's outcome with the change; undefined for a projection. */
  outcome?: Outcome
  /** A projected median time to promote (variance reduction), ms. */
  projected?: number
  note?: string
}

export interface PlanResult {
  rollout: string
  every: number
  replicates: number
  history: {
    records: number
    canaryIgnored: number
    units: number
    first: number
    last: number
    perHour: number
  }
  steps: StepPlan[]
  suggestions: Suggestion[]
  notes: string[]
}

/** Replicates of each scenario, as a share of the equal canary's. */
const SCENARIOS = { half: 0.5, at: 0.25, twice: 0.5 } as const
/** The longest a "longer step" is simulated: this many maxDurations, at most a week. */
const LONGER = 4
const WEEK = 7 * 24 * 3600_000

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const { policy, logs } = opts
  const sim = simulationPolicy(policy)
  const levels = metricLevels(logs)
  const history = historyFacts(logs)
  const notes = simulationNotes(policy)
  const steps: StepPlan[] = []
  const suggestions: Suggestion[] = []
  for (const [index, weight] of policy.rollout.steps.entries()) {
    if (weight >= 100) continue
    const step = await planStep({ ...opts, sim, levels, index, weight })
    steps.push(step)
    if (!step.decides) suggestions.push(...(await suggest({ ...opts, sim, levels, step })))
  }
  return {
    rollout: policy.rollout.name,
    every: opts.every,
    replicates: opts.replicates,
    history,
    steps,
    suggestions,
    notes
  }
}

interface StepInput extends PlanOptions {
  sim: Policy
  levels: MetricLevel[]
  index: number
  weight: number
}

async function planStep(input: StepInput): Promise<StepPlan> {
  const { policy, sim, levels, index, weight } = input
  const max = policy.rollout.maxDuration
  const R = input.replicates
  const scenarios: Scenario[] = [{ id: 'equal', replicates: R }]
  const metrics: MetricPlan[] = []
  sim.metrics.forEach((spec, i) => {
    if (spec.mode === 'report') return
    const level = levels[i] as MetricLevel
    const skipped = skipReason(spec, level)
    metrics.push({ name: spec.name, ...(skipped && { skipped }) })
    if (skipped) return
    for (const [key, times] of [
      ['half', 0.5],
      ['at', 1],
      ['twice', 2]
    ] as const) {
      const shift = shiftFor(spec, i, level, times)
      if (shift) {
        scenarios.push({
          id: `${i}:${key}`,
          shift,
          replicates: Math.max(4, Math.ceil(R * SCENARIOS[key]))
        })
      }
    }
  })
  const results = await simulateStep({
    policy: sim,
    stepIndex: index,
    logs: input.logs,
    scenarios,
    horizon: max,
    every: input.every,
    seed: input.seed,
    quality: qualityOf(input.logs)
  })
  const runsOf = (id: string) => results.find(r => r.id === id)?.runs ?? []
  const equalRuns = runsOf('equal')
  sim.metrics.forEach((spec, i) => {
    const entry = metrics.find(m => m.name === spec.name)
    if (!entry || entry.skipped) return
    for (const key of ['half', 'at', 'twice'] as const) {
      const runs = runsOf(`${i}:${key}`)
      if (runs.length > 0) entry[key] = outcomeOf(runs, max)
    }
  })
  const equal = outcomeOf(equalRuns, max)
  const looks = Math.ceil(max / input.every)
  const promotedBy = Array.from(
    { length: looks },
    (_, k) =>
      equalRuns.filter(r => r.decision === 'promote' && r.at <= (k + 1) * input.every).length /
      Math.max(1, equalRuns.length)
  )
  return {
    index,
    weight,
    maxDuration: max,
    equal,
    metrics,
    promotedBy,
    decides: equal.promoted.share >= 0.9
  }
}

/** Median and 90th percentile of the decision times, the unfinished runs counted as never. */
function timing(runs: Run[], decision: Run['decision'], limit: number): Timing {
  const times = runs
    .filter(r => r.decision === decision && r.at <= limit)
    .map(r => r.at)
    .sort((a, b) => a - b)
  const n = runs.length
  const at = (q: number): number | null => {
    const k = Math.ceil(q * n) - 1
    return n > 0 && k < times.length ? (times[Math.max(0, k)] as number) : null
  }
  return { share: n > 0 ? times.length / n : 0, median: at(0.5), p90: at(0.9) }
}

export function outcomeOf(runs: Run[], maxDuration: number): Outcome {
  const promoted = timing(runs, 'promote', maxDuration)
  const rolledBack = timing(runs, 'rollback', maxDuration)
  const counts = new Map<string, number>()
  for (const r of runs) counts.set(r.binding, (counts.get(r.binding) ?? 0) + 1)
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]
  const outcome: Outcome = {
    runs: runs.length,
    promoted,
    rolledBack,
    holding: runs.length > 0 ? 1 - promoted.share - rolledBack.share : 0
  }
  if (top) outcome.binding = { name: top[0], share: top[1] / runs.length }
  return outcome
}

interface SuggestInput extends PlanOptions {
  sim: Policy
  levels: MetricLevel[]
  step: StepPlan
}

/**
 * For a step whose equal canary does not promote by maxDuration in 90% of runs: a longer step, a
 * wider tolerance on the binding metric, a larger step, `kind: mean` for a binding quantile, each
 * simulated on the equal canary; and variance reduction, projected from the history.
 */
async function suggest(input: SuggestInput): Promise<Suggestion[]> {
  const { policy, sim, step } = input
  const out: Suggestion[] = []
  const R = Math.max(8, Math.ceil(input.replicates / 2))
  const equalOnce = async (p: Policy, horizon: number) =>
    outcomeOf(
      (
        await simulateStep({
          policy: p,
          stepIndex: step.index,
          logs: input.logs,
          scenarios: [{ id: 'equal', replicates: R }],
          horizon,
          every: input.every,
          seed: input.seed ^ 0x51ed,
          quality: qualityOf(input.logs)
        })
      )[0]?.runs ?? [],
      horizon
    )
  const base = { step: step.index, weight: step.weight }
  // A longer step: how long 90% of equal canaries take, simulated up to LONGER maxDurations.
  const horizon = Math.min(Math.max(step.maxDuration * LONGER, step.maxDuration), WEEK)
  let longer: Outcome | undefined
  if (horizon > step.maxDuration) {
    // As the policy would be with that maxDuration (its t* is planned from it).
    longer = await equalOnce({ ...sim, rollout: { ...sim.rollout, maxDuration: horizon } }, horizon)
    out.push({
      ...base,
      change:
        longer.promoted.p90 !== null
          ? `maxDuration: ${hours(longer.promoted.p90)} (90% of equal canaries promote by then)`
          : `a longer step: even at ${hours(horizon)} fewer than 90% of equal canaries promote`,
      outcome: longer
    })
  }
  const binding = step.equal.binding?.name
  const metric = binding?.startsWith('metric:')
    ? sim.metrics.findIndex(m => m.name === binding.slice('metric:'.length))
    : -1
  const spec = sim.metrics[metric]
  if (spec) {
    for (const factor of [1.5, 2]) {
      const wider = withMetric(sim, metric, {
        tolerance: { ...spec.tolerance, value: spec.tolerance.value * factor }
      })
      out.push({
        ...base,
        change: `${spec.name}: tolerance ${toleranceWords(spec, factor)} (×${factor})`,
        outcome: await equalOnce(wider, step.maxDuration)
      })
    }
    if (spec.kind === 'quantile') {
      const mean = withMetric(sim, metric, { kind: 'mean', quantile: undefined })
      out.push({
        ...base,
        change: `${spec.name}: kind: mean instead of p${Math.round((spec.quantile ?? 0.5) * 100)} (a mean needs far fewer requests than a tail quantile)`,
        outcome: await equalOnce(mean, step.maxDuration)
      })
    }
    // A regression adjustment is of means (CUPED); from the step's own median time, or the
    // longer step's when the step does not promote by maxDuration.
    const reduction = spec.kind === 'quantile' ? undefined : varianceReduction(input.logs, metric)
    const median = step.equal.promoted.median ?? longer?.promoted.median ?? null
    if (reduction && median !== null) {
      out.push({
        ...base,
        change: `${spec.name}: variance reduction on each user's pre-rollout level (regression adjustment)`,
        projected: median * (1 - reduction.r2),
        note: `projected, not simulated: users' levels in the two halves of the history correlate (R² ${reduction.r2.toFixed(2)} over ${reduction.units} users seen in both), so the variance, and roughly the time to decide, would shrink by that share`
      })
    }
  }
  // A larger step: the next weights up to 50% (a larger first step, or skipping ahead).
  const next = policy.rollout.steps[step.index + 1]
  const candidates = [2 * step.weight, 5 * step.weight, next]
    .filter((w): w is number => w !== undefined && w > step.weight && w <= 50)
    .filter((w, i, all) => all.indexOf(w) === i)
    .sort((a, b) => a - b)
  for (const weight of candidates.slice(0, 2)) {
    out.push({
      ...base,
      change: `step ${weightAt(policy, step.index)}% → ${weight}%`,
      outcome: await equalOnce(withWeight(sim, step.index, weight), step.maxDuration)
    })
  }
  return out
}

/** The policy with step `index` at `weight` (later steps not above it left out). */
function withWeight(policy: Policy, index: number, weight: number): Policy {
  const { steps } = policy.rollout
  const next = [...steps.slice(0, index), weight, ...steps.slice(index + 1).filter(w => w > weight)]
  return { ...policy, rollout: { ...policy.rollout, steps: next } }
}

function withMetric(policy: Policy, index: number, change: Partial<MetricSpec>): Policy {
  const metrics = policy.metrics.map((m, i) => {
    if (i !== index) return m
    const next = { ...m, ...change }
    if (next.quantile === undefined) delete next.quantile
    return next
  })
  return { ...policy, metrics }
}

function toleranceWords(spec: MetricSpec, factor: number): string {
  const v = spec.tolerance.value * factor
  if (spec.tolerance.relative) return `${round(v * 100)}%`
  return spec.kind === 'rate' ? `${round(v * 100)}pp` : `${round(v)}`
}

const round = (v: number): number => Number(v.toPrecision(3))
const hours = (ms: number): string => {
  const h = ms / 3600_000
  return h >= 48 ? `${round(h / 24)}d` : h >= 1 ? `${round(h)}h` : `${Math.round(ms / 60_000)}m`
}

/**
 * The simulation's policy: segments are not simulated (a shift of all traffic moves every
 * segment alike; segment verdicts add holds only at their own error rate), the judge's metric
 * neither (it needs judged outputs), and the timeout is left to the report (onTimeout hold: past
 * maxDuration the gate still promotes once every metric passes), so one run tells both what
 * happens by maxDuration and after it. maxDuration itself stays the policy's: the sequences'
 * t* is planned from it (analysis/analyze.ts, plannedTStar).
 */
function simulationPolicy(policy: Policy): Policy {
  const { segments: _segments, judge: _judge, ...rest } = policy
  return {
    ...rest,
    metrics: policy.metrics.filter(m => m.from !== 'judge'),
    rollout: { ...policy.rollout, onTimeout: 'hold' }
  }
}

function simulationNotes(policy: Policy): string[] {
  const notes = [
    'Each step is simulated on its own, starting at random times of the history, with users resampled (Poisson bootstrap) and assigned to the canary at the step’s weight; the gate looks on the schedule and decides through the engine itself.'
  ]
  if (policy.segments) {
    notes.push(
      'Segments are not simulated: a shift of all traffic moves every segment alike, and a segment verdict only adds holds at its own error rate.'
    )
  }
  if (policy.metrics.some(m => m.from === 'judge')) {
    notes.push('The judge’s metric is not simulated: it needs judged outputs, not logs.')
  }
  return notes
}

function skipReason(spec: MetricSpec, level: MetricLevel): string | undefined {
  if (!Number.isFinite(level.mean)) return 'no values in the history'
  if (spec.kind === 'rate' && (level.mean === 0 || level.mean === 1)) {
    return `the history's rate is ${level.mean * 100}%: a relative change of it cannot be simulated`
  }
  return undefined
}

/** Each metric's level and range over the history's baseline rows. */
function metricLevels(logs: Logs): MetricLevel[] {
  const { encoder } = logs
  const n = encoder.layout.metrics
  const sx = new Float64Array(n)
  const sy = new Float64Array(n)
  const cursor = logs.store.cursor()
  try {
    for (; cursor.valid; cursor.advance()) {
      const { buffer: b, at } = cursor
      if (encoder.reader.flags(b, at) & F_CANARY) continue
      for (let i = 0; i < n; i++) {
        if (encoder.reader.status(b, at, i) !== VALUE_STATUS) continue
        sx[i] = (sx[i] as number) + encoder.reader.x(b, at, i)
        sy[i] = (sy[i] as number) + encoder.reader.y(b, at, i)
      }
    }
  } finally {
    cursor.close()
  }
  return Array.from({ length: n }, (_, i) => ({
    mean: (sy[i] as number) > 0 ? (sx[i] as number) / (sy[i] as number) : NaN,
    min: encoder.min[i] as number,
    max: encoder.max[i] as number
  }))
}

function historyFacts(logs: Logs): PlanResult['history'] {
  const units = new UnitIndex()
  const key = { h1: 0, h2: 0 }
  const cursor = logs.store.cursor()
  try {
    for (; cursor.valid; cursor.advance()) {
      const flags = logs.encoder.reader.flags(cursor.buffer, cursor.at)
      if (flags & F_CANARY || !(flags & F_UNIT)) continue
      key.h1 = logs.encoder.reader.int(cursor.buffer, cursor.at, RowLayout.H1)
      key.h2 = logs.encoder.reader.int(cursor.buffer, cursor.at, RowLayout.H2)
      if (units.find(key) < 0) units.insert(units.size)
    }
  } finally {
    cursor.close()
  }
  const first = logs.first ?? 0
  const last = logs.last ?? 0
  const records = logs.records - logs.canaryRecords
  return {
    records,
    canaryIgnored: logs.canaryRecords,
    units: units.size,
    first,
    last,
    perHour: last > first ? (records * 3600_000) / (last - first) : 0
  }
}

function qualityOf(logs: Logs) {
  return { ...emptyQuality(), lines: logs.quality.lines, malformed: logs.quality.malformed }
}

/**
 * How much of a metric's per-user variance each user's own earlier level explains: users' means
 * in the first and the second half of the history, the squared correlation over users seen in
 * both (the variance reduction of CUPED, Deng, Xu, Kohavi & Walker, WSDM 2013, section 3.3, with
 * the first half as the pre-period). Undefined with fewer than 50 such users.
 */
export function varianceReduction(
  logs: Logs,
  metric: number
): { r2: number; units: number } | undefined {
  if (logs.first === undefined || logs.last === undefined) return undefined
  const middle = (logs.first + logs.last) / 2
  const index = new UnitIndex()
  const key = { h1: 0, h2: 0 }
  const sums: number[] = []
  const reader = logs.encoder.reader
  const cursor = logs.store.cursor()
  try {
    for (; cursor.valid; cursor.advance()) {
      const { buffer: b, at } = cursor
      const flags = reader.flags(b, at)
      if (flags & F_CANARY || !(flags & F_UNIT)) continue
      if (reader.status(b, at, metric) !== VALUE_STATUS) continue
      key.h1 = reader.int(b, at, RowLayout.H1)
      key.h2 = reader.int(b, at, RowLayout.H2)
      let slot = index.find(key)
      if (slot < 0) {
        slot = index.size
        index.insert(slot)
        sums.push(0, 0, 0, 0)
      }
      const half = cursor.ts < middle ? 0 : 2
      sums[4 * slot + half] = (sums[4 * slot + half] as number) + reader.x(b, at, metric)
      sums[4 * slot + half + 1] = (sums[4 * slot + half + 1] as number) + reader.y(b, at, metric)
    }
  } finally {
    cursor.close()
  }
  let n = 0
  let sa = 0
  let sb = 0
  let saa = 0
  let sbb = 0
  let sab = 0
  for (let u = 0; u < sums.length / 4; u++) {
    const [xa, ya, xb, yb] = sums.slice(4 * u, 4 * u + 4) as [number, number, number, number]
    if (ya === 0 || yb === 0) continue
    const a = xa / ya
    const b = xb / yb
    n++
    sa += a
    sb += b
    saa += a * a
    sbb += b * b
    sab += a * b
  }
  if (n < 50) return undefined
  const cov = sab / n - (sa / n) * (sb / n)
  const va = saa / n - (sa / n) ** 2
  const vb = sbb / n - (sb / n) ** 2
  if (!(va > 0 && vb > 0)) return undefined
  return { r2: Math.min(1, (cov * cov) / (va * vb)), units: n }
}
