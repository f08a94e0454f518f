/**
 * The decision-speed simulation (issue 12, "Proof", third bullet): traffic like an LLM product's,
 * decided by the real gate (evaluate(): the normalizer, the EvidenceBuilder, analyze, decide, the
 * state with its error budget) every 10 minutes from minute 20 of a 25% step.
 *
 * Traffic: 600 requests per minute (Poisson arrivals) from 4,000 users of very unequal activity
 * (lognormal weights, sigma 1: the top 1% of users send about 9% of the requests, the median
 * user 60% of the mean), assigned to the canary at random per user (25%). Each user has its own
 * latency level (lognormal, sigma 0.2) and quality level (N(0.78, 0.04)). Latency = time to
 * first token (lognormal around 450 ms, 20% less on a cache hit) + 18 ms per output token,
 * output tokens lognormal (median 260, sigma 0.7); input tokens lognormal (median 3,000, sigma
 * 0.5: a system prompt and retrieved context), 60% of requests reading 2,048 of them from the
 * prompt cache; cost from the tokens at the policy's prices; an online evaluator's quality score
 * on 40% of the requests, N(user level, 0.12) clipped to [0, 1]; errors 1% (rate limits 0.5%,
 * timeouts 0.3%, server 0.2%).
 *
 * Policy: steps 1, 5, 25, 50, 100 (the simulated step is 25%, after the gate promoted 1% and 5%:
 * its rollback side a quarter of the rollout's 5% error budget, its pass side what is left), 30
 * minutes of bake time, 5 minutes of warm-up, 300 units per arm; four gating metrics (quality 2%,
 * p95 latency 10%, cost 5%, error rate 0.5pp), 95% over the rollout. With `lookback`, minutes of
 * traffic before the rollout (everyone on the baseline) for variance reduction.
 */
import {
  mulberry32,
  normal,
  NO_EFFECT,
  traffic as exampleTraffic,
  type CanaryEffect,
  type StagingOptions
} from '../../examples/generate-traffic.js'
import { metricAlphas } from '../../src/analysis/analyze.js'
import { rankDesignEffect } from '../../src/analysis/designEffect.js'
import { evaluate } from '../../src/evaluate.js'
import { parsePolicy } from '../../src/policy/parse.js'
import type { Policy } from '../../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../../src/records/normalize.js'
import { EvidenceBuilder } from '../../src/sketch/evidenceBuilder.js'
import { TOTAL_SEGMENT, type Evidence } from '../../src/sketch/evidence.js'
import { mergeCells } from '../../src/sketch/metricSketch.js'
import { QuantileSketch } from '../../src/sketch/quantileSketch.js'
import type { MetricSketch } from '../../src/sketch/types.js'
import { currentBudget, initialState } from '../../src/decide/state.js'
import { ratioDifferenceCS } from '../../src/stats/cs/ratio.js'
import { normalQuantile } from '../../src/stats/normal.js'
import type { Action, RolloutState } from '../../src/decide/types.js'
import type { CollectRequest, Source } from '../../src/sources/source.js'
import type { StateStore } from '../../src/state/store.js'

export const MINUTE = 60_000
/** The step starts here (epoch ms; timestamps below 1e11 would read as seconds). */
export const START = Date.parse('2026-11-02T08:00:00Z')

/** The policy; `steps` default to a whole rollout's (the simulated step is the 25% one). */
export const speedPolicy = (steps = '[1, 5, 25, 50, 100]', lookbackMinutes = 0) => `version: 1
rollout: { name: speed, steps: ${steps}, minDuration: 30m, maxDuration: 12h, minSamples: 300, warmup: 5m }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: unused.jsonl }
confidence: 0.95
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 2% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost, from: cost, kind: mean, better: lower, tolerance: 5% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp }
pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
${lookbackMinutes > 0 ? `varianceReduction: { lookback: ${lookbackMinutes}m }\n` : ''}`

/** What the canary changes. */
export interface Change {
  /** Multiplies the canary's quality scores. */
  quality?: number
  /** Multiplies the canary's latency (time to first token and per-token time). */
  latency?: number
  /** The canary's prompt-cache hit probability (the baseline's is 0.6). */
  cacheHit?: number
  /** The canary's extra probability of a rate-limit (429) error. */
  rateLimit?: number
}

export interface Scenario {
  id: string
  description: string
  change: Change
  /** The same change in the repository's example generator (examples/generate-traffic.ts). */
  example: { effect: CanaryEffect; staging?: StagingOptions }
  /** What should happen, and by when (minutes). */
  expect: { action: 'promote' | 'rollback'; byMinute: number; share: number }
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'aa',
    description: 'A/A: the canary is the baseline',
    change: {},
    example: { effect: NO_EFFECT },
    expect: { action: 'promote', byMinute: 120, share: 0.8 }
  },
  {
    id: 'quality-0.7',
    description: 'quality 0.7% lower, inside the 2% tolerance',
    change: { quality: 0.993 },
    example: { effect: { ...NO_EFFECT, score: -0.0055 } },
    expect: { action: 'promote', byMinute: 120, share: 0.9 }
  },
  {
    id: 'p95+30',
    description: 'latency 30% higher everywhere (p95 +30%)',
    change: { latency: 1.3 },
    example: { effect: { ...NO_EFFECT, latency: 1.3 } },
    expect: { action: 'rollback', byMinute: 30, share: 1 }
  },
  {
    id: 'quality-10',
    description: 'quality 10% lower',
    change: { quality: 0.9 },
    example: { effect: { ...NO_EFFECT, score: -0.078 } },
    expect: { action: 'rollback', byMinute: 30, share: 1 }
  },
  {
    id: 'broken-cache',
    description: 'the canary never hits the prompt cache (the baseline: 60% of requests)',
    change: { cacheHit: 0 },
    example: { effect: NO_EFFECT, staging: { canaryCache: { start: 0 } } },
    expect: { action: 'rollback', byMinute: 30, share: 1 }
  },
  {
    id: '429-storm',
    description: 'the canary gets rate-limited: 8% more of its requests fail with 429',
    change: { rateLimit: 0.08 },
    example: { effect: NO_EFFECT, staging: { canaryRateLimit: 0.084 } },
    expect: { action: 'rollback', byMinute: 30, share: 1 }
  }
]

const USERS = 4000
const PER_MINUTE = 600
const CANARY_SHARE = 0.25
const BASELINE_CACHE_HIT = 0.6

/** Raw records (as a log would hold them) for `minutes` of traffic, in time order. */
export function traffic(
  seed: number,
  change: Change,
  minutes: number,
  /** Minutes of traffic before the rollout (a lookback), everyone on the baseline. */
  before = 0
): Record<string, unknown>[] {
  const rand = mulberry32(seed)
  const users: User[] = Array.from({ length: USERS }, (_, i) => ({
    id: `user-${i}`,
    weight: Math.exp(normal(rand)),
    canary: rand() < CANARY_SHARE,
    latency: Math.exp(0.2 * normal(rand)),
    quality: 0.78 + 0.04 * normal(rand)
  }))
  const cumulative: number[] = []
  let total = 0
  for (const u of users) cumulative.push((total += u.weight))
  const pick = (r: () => number) => {
    const x = r() * total
    let lo = 0
    let hi = users.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return users[lo]!
  }
  const out: Record<string, unknown>[] = []
  // The lookback before the rollout (everyone on the baseline), from a stream of its own so that
  // the step's traffic is the same with or without it.
  if (before > 0) {
    const preRand = mulberry32(seed ^ 0x5eed)
    for (let t = -before * MINUTE; ;) {
      t += (-Math.log(1 - preRand()) / PER_MINUTE) * MINUTE
      if (t >= 0) break
      out.push(request(preRand, pick(preRand), {}, t, false))
    }
  }
  const end = minutes * MINUTE
  for (let t = 0; ;) {
    t += (-Math.log(1 - rand()) / PER_MINUTE) * MINUTE
    if (t >= end) break
    const u = pick(rand)
    out.push(request(rand, u, u.canary ? change : {}, t, u.canary))
  }
  return out
}

interface User {
  id: string
  weight: number
  canary: boolean
  latency: number
  quality: number
}

/** One request of user `u` at `t` ms after the step's start, with the change `c` applied. */
function request(
  rand: () => number,
  u: User,
  c: Change,
  t: number,
  canary: boolean
): Record<string, unknown> {
  const slow = (c.latency ?? 1) * u.latency
  const output = Math.max(1, Math.round(260 * Math.exp(0.7 * normal(rand))))
  const input = Math.max(50, Math.round(3000 * Math.exp(0.5 * normal(rand))))
  const cached = rand() < (c.cacheHit ?? BASELINE_CACHE_HIT) ? Math.min(input, 2048) : 0
  const ttft = slow * 450 * Math.exp(0.35 * normal(rand)) * (cached > 0 ? 0.8 : 1)
  const errorDraw = rand()
  const rateLimit = 0.005 + (c.rateLimit ?? 0)
  const error =
    errorDraw < rateLimit
      ? 'rate_limit'
      : errorDraw < rateLimit + 0.003
        ? 'timeout'
        : errorDraw < rateLimit + 0.005
          ? 'server'
          : null
  const record: Record<string, unknown> = {
    ts: START + Math.round(t),
    arm: canary ? 'candidate' : 'stable',
    user_id: u.id,
    model: 'gpt-4o-2024-08-06',
    latency_ms: Math.round(error === 'timeout' ? 30_000 : ttft + slow * 18 * output),
    ttft_ms: Math.round(ttft),
    input_tokens: input,
    cache_read_tokens: cached,
    output_tokens: error ? 0 : output,
    error
  }
  if (!error && rand() < 0.4) {
    const v = u.quality + 0.12 * normal(rand)
    record.score = Math.min(1, Math.max(0, v)) * (c.quality ?? 1)
  }
  return record
}

/**
 * The repository's example generator (examples/generate-traffic.ts) at the same rate and split:
 * 4,000 users (activity like rank^-1/2), four routes, per-user quality noise, a score on 35% of
 * the requests; records in time order with ISO timestamps.
 */
function exampleRecords(seed: number, s: Scenario, minutes: number): Record<string, unknown>[] {
  return [
    ...exampleTraffic({
      seed,
      start: START,
      rate: PER_MINUTE / 60,
      count: Math.floor(PER_MINUTE * minutes),
      canaryWeight: 100 * CANARY_SHARE,
      users: USERS,
      effect: s.example.effect,
      ...(s.example.staging && { staging: s.example.staging })
    })
  ].map(r => ({ ...r, ts: Date.parse(r.ts as string) }))
}

/** A Source over records in memory, read the way the file source reads lines. */
class MemorySource implements Source {
  private readonly normalize
  constructor(
    private readonly policy: Policy,
    private readonly records: Record<string, unknown>[]
  ) {
    this.normalize = createNormalizer(policy)
  }

  describe(): string {
    return 'memory (speed simulation)'
  }

  async collect(request: CollectRequest): Promise<Evidence> {
    const builder = new EvidenceBuilder({
      policy: this.policy,
      window: request.window,
      now: request.now,
      source: this.describe(),
      ...(request.rolloutStartedAt !== undefined && { rolloutStartedAt: request.rolloutStartedAt })
    })
    for (const raw of this.records) {
      if ((raw.ts as number) >= request.now) break
      builder.line()
      const r = this.normalize(raw)
      if (isRequestRecord(r)) builder.add(r)
    }
    return builder.finish()
  }

  async firstCanaryTime(): Promise<number | undefined> {
    return START
  }
}

class MemoryStore implements StateStore {
  constructor(private state: RolloutState | undefined) {}
  describe(): string {
    return 'memory'
  }
  async load(): Promise<RolloutState | undefined> {
    return this.state && structuredClone(this.state)
  }
  async save(state: RolloutState): Promise<void> {
    this.state = structuredClone(state)
  }
}

/** One look of one seed: its minute, the decision, and each metric's verdict and projection. */
export interface Look {
  minute: number
  action: Action
  metrics: {
    name: string
    verdict: string
    seconds: number | null
    why?: string
    /** The interval decided on, and the metric's units per arm (for reading a seed's run). */
    delta?: { estimate: number; lower: number; upper: number }
    units?: { baseline: number; canary: number }
  }[]
  /** The hold's projection of the longest wait, in seconds (null: not soon). */
  neededSeconds: number | null | undefined
}

/**
 * One seed of a scenario: looks every 10 minutes from minute 20 to `lastMinute`, stopping at the
 * first promotion or rollback (the rollout then leaves this step) unless `untilEnd` (to see when
 * each metric alone would decide, for checking projections).
 */
export async function simulateStep(
  scenario: Scenario,
  seed: number,
  opts: {
    lastMinute?: number
    steps?: string
    untilEnd?: boolean
    /** `examples`: the repository's generator (examples/generate-traffic.ts) instead. */
    generator?: 'speed' | 'examples'
    /**
     * Minutes of traffic before the rollout began (at the step's start here, as if the 1% and 5%
     * steps took no time), read as each user's pre-exposure level (`varianceReduction`).
     */
    lookback?: number
  } = {}
): Promise<Look[]> {
  const lastMinute = opts.lastMinute ?? 120
  const { policy, source } = stepTraffic(scenario, seed, lastMinute, opts)
  const stepIndex = stepIndexOf(policy)
  const store = new MemoryStore({
    version: 1,
    rollout: policy.rollout.name,
    revision: 0,
    status: 'running',
    stepIndex,
    stepStartedAt: new Date(START).toISOString(),
    ...(opts.lookback && { startedAt: new Date(START).toISOString() }),
    history: []
  })
  const held = (await store.load()) as RolloutState
  const looks: Look[] = []
  for (let minute = 20; minute <= lastMinute; minute += 10) {
    const outcome = await evaluate({
      policy,
      policyHash: 'sha256:speed',
      source,
      store,
      now: START + minute * MINUTE,
      replay: true
    })
    const r = outcome.record
    looks.push({
      minute,
      action: r.decision,
      metrics: r.metrics.map(m => ({
        name: m.name,
        verdict: m.verdict,
        seconds: m.needed?.seconds ?? null,
        ...(m.why && { why: m.why.code }),
        delta: m.delta,
        ...(m.units && { units: m.units })
      })),
      neededSeconds: r.needed?.seconds
    })
    if (r.decision !== 'hold' && !opts.untilEnd) break
    // Keep looking at the same step: the store moved on; put it back (a what-if, not a rollout).
    if (r.decision !== 'hold') await store.save(held)
  }
  return looks
}

/** The simulated step: the 25% one. */
const stepIndexOf = (policy: Policy): number => policy.rollout.steps.indexOf(25)

/** The policy and a source over `minutes` of the scenario's traffic. */
function stepTraffic(
  scenario: Scenario,
  seed: number,
  minutes: number,
  opts: { steps?: string; generator?: 'speed' | 'examples'; lookback?: number }
): { policy: Policy; source: MemorySource } {
  const policy = parsePolicy(speedPolicy(opts.steps, opts.lookback), 'speed-policy.yml')
  const records =
    opts.generator === 'examples'
      ? exampleRecords(seed, scenario, minutes)
      : traffic(seed, scenario.change, minutes, opts.lookback)
  return { policy, source: new MemorySource(policy, records) }
}

/**
 * What one fixed-sample test (fixedSampleAction) would decide at the scenario's deadline, on the
 * seed's traffic, each metric at the alphas the gate gives it at the 25% step.
 */
export async function fixedSampleAt(
  scenario: Scenario,
  seed: number,
  opts: { steps?: string; generator?: 'speed' | 'examples' } = {}
): Promise<Action> {
  const minute = scenario.expect.byMinute
  const { policy, source } = stepTraffic(scenario, seed, minute, opts)
  const now = START + minute * MINUTE
  const evidence = await source.collect({
    window: { from: START + policy.rollout.warmup, to: now },
    now
  })
  // The gate's own ledger at the 25% step (no state: the steps before count as promoted by it).
  const { step } = currentBudget(policy, {
    ...initialState(policy, START),
    stepIndex: stepIndexOf(policy)
  })
  return fixedSampleAction(policy, evidence, metricAlphas(policy, step.alpha, step.passAlpha))
}

/**
 * A reference for the speed targets: what one fixed-sample test at the deadline would decide on
 * the same evidence, each metric at the gate's own alphas (its pass side at `passAlpha`, its
 * fail side at `alpha`), one-sided, with none of the price of looking as often as one likes. A
 * target this reference misses is out of reach of any test at that error rate, sequential or
 * not. Means and rates: the cluster-robust (delta-method) standard error of the difference
 * (Deng, Knoblich & Lu, KDD 2018), relative changes divided by the baseline; quantiles: each
 * arm's Woodruff interval (JASA 47, 1952) on ranks divided by the rank design effect, as a
 * standard error of the log quantile, their root sum of squares for the log ratio.
 */
export function fixedSampleAction(
  policy: Policy,
  evidence: Evidence,
  alphas: { alpha: number; passAlpha: number }
): Action {
  const total = (arm: 'baseline' | 'canary') =>
    mergeCells(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT))
  const [b, c] = [total('baseline'), total('canary')]
  const zPass = normalQuantile(1 - alphas.passAlpha)
  const zFail = normalQuantile(1 - alphas.alpha)
  const verdicts = policy.metrics.map((spec, i) => {
    const [bm, cm] = [b.metrics[i], c.metrics[i]]
    if (!bm || !cm) return 'inconclusive'
    const { tolerance, better } = spec
    // Quantiles on the log scale: a relative tolerance t is log(1 + t) there (log(1 - t) below).
    const change =
      spec.kind === 'quantile' && tolerance.relative
        ? {
            ...logQuantileChange(bm, cm, spec.quantile ?? 0.5),
            limit: better === 'lower' ? Math.log1p(tolerance.value) : -Math.log1p(-tolerance.value)
          }
        : { ...meanChange(bm, cm, tolerance.relative), limit: tolerance.value }
    const harm = better === 'lower' ? change.estimate : -change.estimate
    if (harm + zPass * change.se < change.limit) return 'pass'
    if (harm - zFail * change.se > change.limit) return 'fail'
    return 'inconclusive'
  })
  return verdicts.includes('fail')
    ? 'rollback'
    : verdicts.every(v => v === 'pass')
      ? 'promote'
      : 'hold'
}

function meanChange(b: MetricSketch, c: MetricSketch, relative: boolean) {
  const d = ratioDifferenceCS(b.moments, c.moments, 0.05, { relative: false, tStar: 1000 })
  return relative
    ? { estimate: d.canary / d.baseline - 1, se: d.se / d.baseline }
    : { estimate: d.estimate, se: d.se }
}

/** The change in the log quantile, and its standard error. */
function logQuantileChange(b: MetricSketch, c: MetricSketch, q: number) {
  const arm = (m: MetricSketch) => {
    const sketch = QuantileSketch.fromJSON(m.quantiles!)
    const value = sketch.quantile(q)
    const deff = rankDesignEffect(m, sketch)
    const d = typeof deff === 'number' ? deff : deff(value, value)
    const n = sketch.count
    const spread = 1.96 * Math.sqrt((q * (1 - q) * d) / n)
    const at = (p: number) =>
      sketch.valueAtRank(Math.min(n, Math.max(1, Math.round(n * Math.min(1, Math.max(0, p))))))
    return { log: Math.log(value), se: Math.log(at(q + spread) / at(q - spread)) / (2 * 1.96) }
  }
  const [x, y] = [arm(b), arm(c)]
  return { estimate: y.log - x.log, se: Math.hypot(x.se, y.se) }
}
