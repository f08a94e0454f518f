import { bindingOf } from '../backtest/backtest.js'
import { weightAt } from '../decide/decide.js'
import { initialState } from '../decide/state.js'
import { evaluate } from '../evaluate.js'
import type { Policy } from '../policy/types.js'
import type { Logs } from '../replay/read.js'
import type { RowCursor } from '../replay/rowStore.js'
import {
  F_CANARY,
  F_UNIT,
  RowLayout,
  rowBuffer,
  VALUE_STATUS,
  type RowBuffer
} from '../replay/rows.js'
import { ArmWindow, armsEvidence, MetricOverlay, WindowFrame } from '../replay/windowEvidence.js'
import type { DataQuality, Evidence } from '../sketch/evidence.js'
import type { CollectRequest, Source } from '../sources/source.js'
import { MemoryStateStore } from '../state/memoryStore.js'
import { fmix32 } from '../sketch/unitIndex.js'
import { poissonCopies, shifted, uniform, type Shift } from './resample.js'

/**
 * One step of a rollout simulated on the team's own history (`plan`), through the engine itself:
 * the evidence of each look is made from resampled history rows exactly as a real step's would
 * be (replay/windowEvidence.ts), and evaluate() judges it at every look with the rollout state
 * carried in memory (as `backtest` does), so the simulation follows the gate's statistics, checks
 * and decision rules as they are, whatever they become.
 *
 * A replicate starts the step at a random instant of the history (so its daily pattern is the
 * team's), resamples the units by the Poisson bootstrap (each unit appears Poisson(1) times, each
 * copy a unit of its own; requests without a unit likewise), assigns each copy to the canary with
 * the step's weight (as a flag service does), and looks every `every` until the horizon. The
 * history wraps around when the horizon reaches its end. Every scenario of a replicate sees the
 * same copies and assignment; only one metric of its canary differs (a shift, resample.ts), so
 * one baseline arm and one canary arm serve them all, each shifted metric kept on the side
 * (MetricOverlay).
 */
export interface Scenario {
  id: string
  shift?: Shift
  /** Replicates this scenario runs (the first ones of the step's). */
  replicates: number
}

export interface StepSimulation {
  /** The simulation's policy: no segments, maxDuration past the horizon, onTimeout hold. */
  policy: Policy
  /** The step simulated: its weight is the policy's at this index (the split the gate expects). */
  stepIndex: number
  logs: Logs
  scenarios: Scenario[]
  /** How long each replicate runs after the step starts, ms. */
  horizon: number
  every: number
  seed: number
  /** The history's lines and malformed lines, for the data-quality check. */
  quality: DataQuality
}

/** How one replicate of a scenario ended. */
export interface Run {
  decision: 'promote' | 'rollback' | 'hold'
  /** ms after the step began: when it decided, or the horizon for a hold. */
  at: number
  /** What the decision turned on last: a metric, a check, `minDuration` or `minSamples`. */
  binding: string
}

export interface ScenarioRuns {
  id: string
  runs: Run[]
}

/** The simulation's states carry this policy hash (it never meets a real state). */
const PLAN_POLICY_HASH = 'plan'
const ASSIGN = 0x5bd1e995
const COPY = 0x27d4eb2d
const FLIP = 0x165667b1

export async function simulateStep(sim: StepSimulation): Promise<ScenarioRuns[]> {
  const out = sim.scenarios.map(s => ({ id: s.id, runs: [] as Run[] }))
  const replicates = Math.max(0, ...sim.scenarios.map(s => s.replicates))
  const span = history(sim.logs)
  if (!span) return out
  for (let r = 0; r < replicates; r++) {
    const active = sim.scenarios.flatMap((s, i) => (r < s.replicates ? [i] : []))
    const runs = await replicate(sim, span, r, active)
    active.forEach((i, j) => out[i]?.runs.push(runs[j] as Run))
  }
  return out
}

interface Span {
  first: number
  /** The history's length plus one mean gap: where a wrapped copy of it starts. */
  period: number
}

function history(logs: Logs): Span | undefined {
  if (logs.first === undefined || logs.last === undefined || logs.records < 2) return undefined
  const length = logs.last - logs.first
  return { first: logs.first, period: length + length / (logs.records - 1) }
}

/** Per scenario of a replicate: its shifted metric, and what its decision turned on so far. */
interface Track {
  scenario: Scenario
  overlay?: MetricOverlay
  /** The rollout's state, carried from look to look (never written anywhere). */
  store: MemoryStateStore
  source: Source
  run?: Run
  /** Look index at which each candidate last held the step (metrics, checks, bake, samples). */
  last: Map<string, number>
}

async function replicate(
  sim: StepSimulation,
  span: Span,
  r: number,
  active: number[]
): Promise<Run[]> {
  const { policy, logs } = sim
  const seed = fmix32(sim.seed ^ Math.imul(r + 1, 0x9e3779b1) ^ Math.imul(sim.stepIndex, 7919))
  // Whole ms: the state keeps the step's start as an ISO time.
  const start = Math.floor(span.first + uniform(seed, r, 1) * span.period)
  const from = start + policy.rollout.warmup
  const frame = new WindowFrame(policy, logs.encoder, from, true)
  const baseline = new ArmWindow(frame, 'baseline')
  const canary = new ArmWindow(frame, 'canary')
  const source = `plan: ${logs.records} history records resampled`
  const tracks: Track[] = []
  for (const i of active) {
    const scenario = sim.scenarios[i] as Scenario
    const shift = scenario.shift
    const overlay = shift && new MetricOverlay(frame, shift.metric)
    const store = new MemoryStateStore(source)
    await store.save({ ...initialState(policy, start), stepIndex: sim.stepIndex }, undefined)
    const evidence = (request: CollectRequest): Evidence => {
      // The state's step began at `start`: evaluate() asks for [start + warmup, now).
      if (request.window.from !== from) throw new Error('plan: a window that is not the step’s')
      return armsEvidence(baseline, canary, {
        to: request.window.to,
        source,
        quality: { ...sim.quality, records: baseline.records + canary.records },
        ...(overlay && { canaryMetric: overlay })
      })
    }
    tracks.push({
      scenario,
      ...(overlay && { overlay }),
      store,
      source: {
        describe: () => source,
        collect: request => Promise.resolve(evidence(request)),
        firstCanaryTime: () => Promise.resolve(start)
      },
      last: new Map()
    })
  }
  const feed = new HistoryFeed(logs, span, start)
  const copy = new CopyMaker(logs, weightAt(policy, sim.stepIndex), seed)
  const gating = policy.metrics.map((m, i) => ({ m, i })).filter(({ m }) => m.mode !== 'report')
  const looks = Math.ceil(sim.horizon / sim.every)
  try {
    for (let k = 1; k <= looks; k++) {
      const now = start + k * sim.every
      for (; feed.valid && feed.ts < now; feed.advance()) {
        if (feed.ts < from) continue
        copy.each(feed.buffer, feed.at, feed.ts, (row, inCanary, rowId, c) => {
          if (!inCanary) return baseline.add(row, 0)
          canary.add(row, 0)
          for (const [t, track] of tracks.entries()) {
            const shift = track.scenario.shift
            if (track.run || !shift || !track.overlay) continue
            const value = copy.shifted(row, shift, rowId, c, t)
            if (value) track.overlay.add(canary.lastSlot, value.x, value.y)
          }
        })
      }
      for (const track of tracks) {
        if (track.run) continue
        if (!enough(policy, gating, baseline, canary)) {
          track.last.set('minSamples', k)
          if (now - start < policy.rollout.minDuration) track.last.set('minDuration', k)
          continue
        }
        const { record } = await evaluate({
          policy,
          policyHash: PLAN_POLICY_HASH,
          source: track.source,
          store: track.store,
          now,
          replay: true,
          decisionOnly: true // only the record is read
        })
        // The evidence is made here: a source failure is a bug of the simulation, not a hold.
        const failed = record.checks.find(c => c.name === 'source' && c.status === 'block')
        if (failed) throw new Error(`plan: the simulated evidence failed: ${failed.detail}`)
        const metrics = record.metrics.filter(m => m.mode !== 'report')
        for (const m of metrics) if (m.verdict !== 'pass') track.last.set(`metric:${m.name}`, k)
        for (const c of record.checks) {
          if (c.status === 'block' && c.name !== 'sample-size') track.last.set(`check:${c.name}`, k)
        }
        if (now - start < policy.rollout.minDuration) track.last.set('minDuration', k)
        const action = record.decision
        if (action === 'hold') continue
        const turned =
          action === 'promote'
            ? lastToClear(track.last, k)
            : nameOf(bindingOf(action, metrics, record.checks, record.reasons))
        track.run = { decision: action, at: now - start, binding: turned }
      }
      if (tracks.every(t => t.run)) break
    }
  } finally {
    feed.close()
  }
  return tracks.map(t => t.run ?? { decision: 'hold', at: sim.horizon, binding: holding(t.last) })
}

/**
 * True when some verdict is possible: a gating metric (or the load check) has its minimum sample
 * in both arms. Before that every look holds (no metric has a verdict, and the simulation's
 * policy never times out), so evaluate() is not called.
 */
function enough(
  policy: Policy,
  gating: { m: Policy['metrics'][number]; i: number }[],
  baseline: ArmWindow,
  canary: ArmWindow
): boolean {
  const min = policy.rollout.minSamples
  if (baseline.records >= min && canary.records >= min) return true
  return gating.some(({ m, i }) => {
    const need = m.minSamples ?? min
    return (baseline.values[i] as number) >= need && (canary.values[i] as number) >= need
  })
}

/** What held the step last before it promoted; on ties a metric first, then a check. */
function lastToClear(last: Map<string, number>, promotedAt: number): string {
  let best = ''
  let at = -1
  const rank = (key: string) =>
    key.startsWith('metric:') ? 0 : key.startsWith('check:') ? 1 : key === 'minDuration' ? 2 : 3
  for (const [key, k] of last) {
    if (k >= promotedAt) continue
    if (k > at || (k === at && rank(key) < rank(best))) {
      best = key
      at = k
    }
  }
  return best === '' ? 'minDuration' : best
}

/** What still held the step at its last look. */
function holding(last: Map<string, number>): string {
  const latest = Math.max(-1, ...last.values())
  const keys = [...last].filter(([, k]) => k === latest).map(([key]) => key)
  return (
    keys.find(k => k.startsWith('check:')) ??
    keys.find(k => k.startsWith('metric:')) ??
    keys[0] ??
    'minSamples'
  )
}

function nameOf(b: ReturnType<typeof bindingOf>): string {
  if (!b) return 'timeout'
  if (b.kind === 'metric') return `metric:${b.metric}`
  if (b.kind === 'check') return `check:${b.check}`
  return 'timeout'
}

/** The history's baseline rows from `start`, wrapped around its end as often as needed. */
class HistoryFeed {
  private cursor: RowCursor
  private offset = 0
  valid = true
  ts = 0
  buffer: RowBuffer
  at = 0

  constructor(
    private readonly logs: Logs,
    private readonly span: Span,
    start: number
  ) {
    this.cursor = logs.store.cursor(start)
    this.buffer = this.cursor.buffer
    this.settle()
  }

  advance(): void {
    this.cursor.advance()
    this.settle()
  }

  close(): void {
    this.cursor.close()
  }

  /** Skips the history's own canary rows; at the end, starts again from its first row. */
  private settle(): void {
    const reader = this.logs.encoder.reader
    for (;;) {
      if (!this.cursor.valid) {
        this.cursor.close()
        this.offset += this.span.period
        this.cursor = this.logs.store.cursor()
        if (!this.cursor.valid) {
          this.valid = false
          return
        }
      }
      if ((reader.flags(this.cursor.buffer, this.cursor.at) & F_CANARY) === 0) break
      this.cursor.advance()
    }
    this.buffer = this.cursor.buffer
    this.at = this.cursor.at
    this.ts = this.cursor.ts + this.offset
  }
}

/**
 * The bootstrap copies of a history row, each with its unit key, arm and time written into a
 * scratch row; and a scenario's shift of a canary copy into a second scratch row.
 */
class CopyMaker {
  private readonly stride: number
  private readonly scratch: RowBuffer
  private readonly value = { x: 0, y: 1 }
  private rowId = 0
  private readonly threshold: number

  constructor(
    private readonly logs: Logs,
    weight: number,
    private readonly seed: number
  ) {
    this.stride = logs.encoder.layout.stride
    this.scratch = rowBuffer(this.stride)
    this.threshold = weight / 100
  }

  each(
    b: RowBuffer,
    at: number,
    ts: number,
    emit: (row: RowBuffer, canary: boolean, rowId: number, copy: number) => void
  ): void {
    const reader = this.logs.encoder.reader
    const id = ++this.rowId
    const flags = reader.flags(b, at)
    const unit = (flags & F_UNIT) !== 0
    const h1 = unit ? reader.int(b, at, RowLayout.H1) : 0
    const h2 = unit ? reader.int(b, at, RowLayout.H2) : 0
    const copies = poissonCopies(unit ? uniform(h1, h2, this.seed) : uniform(id, 0, this.seed))
    if (copies === 0) return
    const s = this.scratch
    s.bytes.set(b.bytes.subarray(at, at + this.stride), 0)
    s.f64[0] = ts
    for (let c = 0; c < copies; c++) {
      let k1 = h1
      let k2 = h2
      if (unit && c > 0) {
        k1 = fmix32(h1 ^ Math.imul(c, COPY))
        k2 = fmix32(h2 + Math.imul(c, ASSIGN))
      }
      const draw = unit ? uniform(k1, k2, this.seed ^ ASSIGN) : uniform(id, c, this.seed ^ ASSIGN)
      const canary = draw < this.threshold
      s.i32[RowLayout.FLAGS / 4] = (flags & ~F_CANARY) | (canary ? F_CANARY : 0)
      s.i32[RowLayout.H1 / 4] = k1
      s.i32[RowLayout.H2 / 4] = k2
      emit(s, canary, id, c)
    }
  }

  /** A canary copy's value of the shifted metric (reused object), or undefined when it has none. */
  shifted(
    row: RowBuffer,
    shift: Shift,
    rowId: number,
    copy: number,
    scenario: number
  ): { x: number; y: number } | undefined {
    const reader = this.logs.encoder.reader
    const i = shift.metric
    if (reader.status(row, 0, i) !== VALUE_STATUS) return undefined
    const x = reader.x(row, 0, i)
    const y = reader.y(row, 0, i)
    const out = this.value
    out.y = y
    if (shift.kind === 'linear') out.x = shifted(shift, x, y)
    else {
      const u = uniform(rowId, Math.imul(copy + 1, FLIP) ^ scenario, this.seed ^ FLIP)
      out.x = x === shift.from && u < shift.p ? 1 - shift.from : x
    }
    return out
  }
}
