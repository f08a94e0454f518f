/**
 * Seeded simulation of one rollout step through the whole decision (analyze + decide), fed with
 * Evidence built directly from per-request draws, the way a source would reduce them: moments of
 * one cluster per request (no unit) and a DDSketch of the latencies, both cumulative over the step.
 */
import { mulberry32, normal } from '../../examples/generate-traffic.js'
import { analyze } from '../../src/analysis/analyze.js'
import { decide, weightAt } from '../../src/decide/decide.js'
import { initialState } from '../../src/decide/state.js'
import type { Action } from '../../src/decide/types.js'
import type { Policy } from '../../src/policy/types.js'
import type { Arm } from '../../src/records/record.js'
import { addCluster, emptyMoments } from '../../src/sketch/moments.js'
import { QuantileSketch } from '../../src/sketch/quantileSketch.js'
import type { MetricSketch, RatioMoments } from '../../src/sketch/types.js'
import {
  TOTAL_SEGMENT,
  emptyQuality,
  type Cell,
  type DataQuality,
  type Evidence
} from '../../src/sketch/evidence.js'
import { testPolicy } from './analysis.js'

/** The canary's true change, as multipliers on its quality scores and on its latencies. */
export interface CanaryChange {
  score: number
  latency: number
}

export const NO_CHANGE: CanaryChange = { score: 1, latency: 1 }

export interface LookPlan {
  looks: number
  /** New requests per arm between two looks (exactly equal arms: the 50/50 split holds). */
  requestsPerLook: number
  lookEveryMs: number
}

/** Quality scores: N(0.78, 0.12) clipped to [0, 1]. Latency: lognormal, median 800 ms, sigma 0.5. */
const SCORE_MEAN = 0.78
const SCORE_SD = 0.12
const LATENCY_MEDIAN_MS = 800
const LATENCY_SIGMA = 0.5

/**
 * One step at 50% with no bake time, so only the statistics decide: quality (mean score, higher,
 * 3% relative) and p95 latency (lower, 10% relative), family-wise confidence 0.95. Cell metrics
 * below are built in this order.
 */
export function simulationPolicy(): Policy {
  const base = testPolicy()
  const [quality, latency] = base.metrics
  if (!quality || !latency) throw new Error('testPolicy() must have quality and p95 latency')
  return {
    ...base,
    rollout: {
      ...base.rollout,
      steps: [50, 100],
      minDuration: 0,
      maxDuration: 30 * 24 * 3600_000,
      onTimeout: 'hold',
      minSamples: 100,
      warmup: 0
    },
    confidence: 0.95,
    metrics: [
      { ...quality, tolerance: { value: 0.03, relative: true } },
      { ...latency, tolerance: { value: 0.1, relative: true } }
    ]
  }
}

class ArmTraffic {
  private readonly score: RatioMoments = emptyMoments()
  private readonly latency: RatioMoments = emptyMoments()
  private readonly latencySketch = new QuantileSketch()
  private requests = 0

  constructor(
    readonly arm: Arm,
    private readonly change: CanaryChange,
    private readonly rand: () => number
  ) {}

  serve(count: number): void {
    for (let i = 0; i < count; i++) {
      const score = Math.min(1, Math.max(0, SCORE_MEAN + SCORE_SD * normal(this.rand)))
      const latency = LATENCY_MEDIAN_MS * Math.exp(LATENCY_SIGMA * normal(this.rand))
      addCluster(this.score, score * this.change.score, 1)
      addCluster(this.latency, latency * this.change.latency, 1)
      this.latencySketch.add(latency * this.change.latency)
    }
    this.requests += count
  }

  /** The arm's TOTAL_SEGMENT cell over the whole step so far (copies: the arm keeps growing). */
  cell(bucket: number): Cell {
    const metrics: MetricSketch[] = [
      { moments: { ...this.score }, requests: this.requests },
      {
        moments: { ...this.latency },
        requests: this.requests,
        quantiles: this.latencySketch.toJSON()
      }
    ]
    const { arm, requests } = this
    return {
      arm,
      segment: TOTAL_SEGMENT,
      bucket,
      requests,
      units: 0,
      metrics,
      models: {},
      errors: {}
    }
  }

  get total(): number {
    return this.requests
  }
}

function cleanQuality(records: number): DataQuality {
  return { ...emptyQuality(), lines: records, records }
}

const lastBucket = (policy: Policy, w: Evidence['window']): number =>
  w.from + Math.max(0, Math.floor((w.to - w.from - 1) / policy.bucket)) * policy.bucket

function evidenceOf(policy: Policy, arms: ArmTraffic[], window: Evidence['window']): Evidence {
  return {
    source: 'simulation',
    window,
    bucketMs: policy.bucket,
    metrics: policy.metrics.map(m => m.name),
    unitLevel: false,
    // One cumulative cell per arm, filed in the newest bucket so the evidence reads as fresh.
    cells: arms.map(a => a.cell(lastBucket(policy, window))),
    quality: cleanQuality(arms.reduce((sum, a) => sum + a.total, 0))
  }
}

/**
 * Runs one replicate of the first step: at each look both arms get `requestsPerLook` more
 * requests, and the gate decides on everything since the step began. Stops after the first
 * action in `stopOn` (the rollout would then leave this step), else after the last look.
 * Returns the action of every look made.
 */
export function simulateStep(
  policy: Policy,
  seed: number,
  change: CanaryChange,
  plan: LookPlan,
  stopOn: ReadonlySet<Action>
): Action[] {
  const rand = mulberry32(seed)
  const arms = [new ArmTraffic('baseline', NO_CHANGE, rand), new ArmTraffic('canary', change, rand)]
  const state = initialState(policy, 0)
  const canaryWeight = weightAt(policy, state.stepIndex)
  const actions: Action[] = []
  for (let look = 1; look <= plan.looks; look++) {
    for (const arm of arms) arm.serve(plan.requestsPerLook)
    const now = look * plan.lookEveryMs
    const analysis = analyze(policy, evidenceOf(policy, arms, { from: 0, to: now }), canaryWeight)
    const { action } = decide(policy, state, analysis, now)
    actions.push(action)
    if (stopOn.has(action)) break
  }
  return actions
}
