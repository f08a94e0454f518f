/**
 * A seeded, deterministic generator of realistic LLM gateway logs (one JSON line per call), for the
 * demo, the benchmark and the end-to-end tests. Heavy-tailed latency and token counts (lognormal),
 * prompt-cache hits, user-level assignment to the arms by a hash (as a flag service does),
 * segments (route, language), occasional rate limits and timeouts, an online evaluator's score on
 * a share of calls.
 *
 *   node --import tsx examples/generate-traffic.ts --scenario promote --out traffic.jsonl
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { parseArgs } from 'node:util'

export interface CanaryEffect {
  /** Multiplies canary latency (1.3 = 30% slower, everywhere in the distribution). */
  latency: number
  /** Added to the canary's quality score (before clipping to [0, 1]). */
  score: number
  /** Multiplies canary output tokens (and so cost). */
  outputTokens: number
  /** Multiplies the canary's error probability. */
  errors: number
}

export interface TrafficOptions {
  seed: number
  /** Epoch ms of the first record. */
  start: number
  /** Requests per second, both arms together. */
  rate: number
  count: number
  /** Canary share of users, percent. */
  canaryWeight: number
  users: number
  effect: CanaryEffect
  /** The ways staging lies, switched on one by one (all off by default). */
  staging?: StagingOptions
  /**
   * Persistent per-user levels (sigmas of lognormal multipliers drawn from a hash of the user id,
   * so they draw no random numbers): some users' calls are always slower (a region, long
   * prompts) or longer. Off by default: traffic without them is the same as before they existed.
   */
  userLevels?: { latency?: number; output?: number }
  /**
   * `count` records before `start`, at the same rate, with every user on the baseline (before the
   * rollout began): the pre-exposure lookback of variance reduction. Drawn from their own seeded
   * stream, so the records from `start` on are the same with or without them.
   */
  preRollout?: { count: number }
}

/**
 * Live-traffic effects that staging does not show (issue 5), each with a known truth, for the
 * scenarios of the staging checks. Options that are off draw no random numbers, so traffic
 * without them is the same as before they existed.
 */
export interface StagingOptions {
  /**
   * The canary's prompt-cache hit probability (the baseline's is 0.62): `start` at the first
   * record, rising towards 0.62 with time constant `warmMinutes` (a cold cache warming); without
   * `warmMinutes` it stays at `start` (a prompt prefix change that defeats caching).
   */
  canaryCache?: { start: number; warmMinutes?: number }
  /**
   * A `share` of requests from `count` heavy units (tenants `tenant-1` ... `tenant-<count>`,
   * assigned to the arms like any user), whose quality scores are offset evenly from
   * -`scoreSpread` to +`scoreSpread`: few independent units carry most of the traffic, so
   * statistics that rely on many units (a central limit theorem over units) cannot be trusted.
   */
  tenants?: { count: number; share: number; scoreSpread: number }
  /** From `at` (epoch ms) on, `arm` is served by a new backend (fingerprint, and model if given). */
  modelChange?: {
    arm: 'baseline' | 'canary' | 'both'
    at: number
    fingerprint: string
    model?: string
    /** Multiplies latency after the change. */
    latency?: number
  }
  /** The canary's quality score shifted by `score` in one route only. */
  segmentScore?: { route: string; score: number }
  /** The canary's users ask `route` `factor` times as often as the baseline's (a skewed mix). */
  canaryRouteBoost?: { route: string; factor: number }
  /** The canary's probability of a rate-limit (429) error, instead of the usual 0.4%. */
  canaryRateLimit?: number
  /** From `at` (epoch ms) on, both arms' quality scores shift by `score` (the provider drifts). */
  drift?: { at: number; score: number }
}

export const NO_EFFECT: CanaryEffect = { latency: 1, score: 0, outputTokens: 1, errors: 1 }

export const SCENARIOS: Record<string, CanaryEffect> = {
  /** The new prompt is a little faster and terser, and as good. */
  promote: { latency: 0.95, score: 0.002, outputTokens: 0.93, errors: 1 },
  /** The new prompt makes the model think out loud: slower, longer, and worse answers. */
  rollback: { latency: 1.35, score: -0.06, outputTokens: 1.4, errors: 1.5 },
  /** Both arms the same system. */
  aa: NO_EFFECT
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; enough for simulation, not for crypto. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Box-Muller standard normal from a uniform source. */
export function normal(rand: () => number): number {
  const u = 1 - rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** FNV-1a: the arm of a user is a stable hash of its id, as a feature-flag service assigns it. */
function userBucket(id: string): number {
  return (fnv1a(id) % 10000) / 100
}

function fnv1a(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A standard normal from two hashes of the id (Box-Muller): a user's persistent draw. */
function userNormal(id: string): number {
  const u = (fnv1a(`${id}#1`) + 0.5) / 4294967296
  const v = fnv1a(`${id}#2`) / 4294967296
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

const ROUTES = [
  { name: 'faq', weight: 0.45, latency: 900, output: 180 },
  { name: 'troubleshoot', weight: 0.3, latency: 2200, output: 420 },
  { name: 'billing', weight: 0.15, latency: 1400, output: 260 },
  { name: 'smalltalk', weight: 0.1, latency: 600, output: 90 }
]
const LANGUAGES = ['en', 'en', 'en', 'de', 'fr', 'es', 'ja']

function pickRoute(u: number, boost?: { route: string; factor: number }) {
  const weightOf = (r: (typeof ROUTES)[number]) =>
    boost && r.name === boost.route ? r.weight * boost.factor : r.weight
  const total = boost ? ROUTES.reduce((s, r) => s + weightOf(r), 0) : 1
  let acc = 0
  for (const r of ROUTES) {
    acc += weightOf(r) / total
    if (u < acc) return r
  }
  return ROUTES[ROUTES.length - 1]!
}

const BASELINE_CACHE_HIT = 0.62

/** Yields one record object per call, in time order. */
export function* traffic(o: TrafficOptions): Generator<Record<string, unknown>> {
  const rand = mulberry32(o.seed)
  const users = Array.from({ length: o.users }, (_, i) => {
    const id = `u${(i * 2654435761) % 1_000_003}`
    return { id, canary: userBucket(id) < o.canaryWeight, lang: LANGUAGES[i % LANGUAGES.length]! }
  })
  const s = o.staging ?? {}
  const tenants = Array.from({ length: s.tenants?.count ?? 0 }, (_, i) => {
    const id = `tenant-${i + 1}`
    return { id, canary: userBucket(id) < o.canaryWeight, lang: 'en' }
  })
  const spread = s.tenants?.scoreSpread ?? 0
  const tenantOffset = new Map(
    tenants.map((t, i) => [
      t.id,
      tenants.length > 1 ? spread * ((2 * i) / (tenants.length - 1) - 1) : 0
    ])
  )
  const latencyLevel = new Map<string, number>()
  const outputLevel = new Map<string, number>()
  const level = (levels: Map<string, number>, id: string, sigma: number | undefined) => {
    if (!sigma) return 1
    let l = levels.get(id)
    if (l === undefined) {
      l = Math.exp(sigma * userNormal(`${id}${levels === latencyLevel ? 'l' : 'o'}`))
      levels.set(id, l)
    }
    return l
  }
  if (o.preRollout) {
    // Before the rollout: every user on the baseline, from a stream of its own.
    const pre = mulberry32((o.seed ^ 0x5eed1e55) >>> 0)
    let t = o.start - (o.preRollout.count / o.rate) * 1000
    for (let i = 0; i < o.preRollout.count; i++) {
      t += (-Math.log(1 - pre()) / o.rate) * 1000
      if (t >= o.start) break
      yield call(pre, t, false)
    }
  }
  let t = o.start
  for (let i = 0; i < o.count; i++) {
    t += (-Math.log(1 - rand()) / o.rate) * 1000
    yield call(rand, t, true)
  }

  /** One call at time t; `rolledOut`: the canary's users are on the canary. */
  function call(rand: () => number, t: number, rolledOut: boolean): Record<string, unknown> {
    // Zipf-like activity: a few heavy users, many light ones.
    let drawn = users[Math.floor(o.users * rand() ** 2)]!
    if (s.tenants && rand() < s.tenants.share) drawn = tenants[Math.floor(rand() * tenants.length)]!
    const user = rolledOut || !drawn.canary ? drawn : { ...drawn, canary: false }
    const e = user.canary ? o.effect : NO_EFFECT
    const route = pickRoute(rand(), user.canary ? s.canaryRouteBoost : undefined)
    const cached = rand() < (user.canary ? canaryCacheHit(s, t - o.start) : BASELINE_CACHE_HIT)
    const changed =
      s.modelChange !== undefined &&
      t >= s.modelChange.at &&
      (s.modelChange.arm === 'both' || (s.modelChange.arm === 'canary') === user.canary)
    const slower = changed ? (s.modelChange?.latency ?? 1) : 1
    const prompt = Math.round(1200 * Math.exp(0.6 * normal(rand)))
    const cachedTokens = cached ? Math.min(prompt, 1024 * (1 + Math.floor(rand() * 2))) : 0
    const output = Math.max(
      1,
      Math.round(
        route.output *
          e.outputTokens *
          level(outputLevel, user.id, o.userLevels?.output) *
          Math.exp(0.5 * normal(rand))
      )
    )
    const userNoise = userBucket(user.id + 'q') / 100 - 0.5
    const errorDraw = rand()
    const rateLimit =
      user.canary && s.canaryRateLimit !== undefined ? s.canaryRateLimit : 0.004 * e.errors
    const error =
      errorDraw < rateLimit
        ? 'rate_limit'
        : errorDraw < rateLimit + 0.002 * e.errors
          ? 'timeout'
          : null
    const latency =
      slower *
      level(latencyLevel, user.id, o.userLevels?.latency) *
      (route.latency * e.latency * (cached ? 0.8 : 1) * Math.exp(0.45 * normal(rand)) +
        output * 8 * e.latency)
    const record: Record<string, unknown> = {
      ts: new Date(Math.round(t)).toISOString(),
      arm: user.canary ? 'candidate' : 'stable',
      user_id: user.id,
      route: route.name,
      language: user.lang,
      model: (changed && s.modelChange?.model) || 'gpt-4o-2024-08-06',
      system_fingerprint: changed ? s.modelChange?.fingerprint : 'fp_7f6be3efb0',
      latency_ms: Math.round(error === 'timeout' ? 30000 : latency),
      ttft_ms: Math.round(latency * 0.25 * Math.exp(0.2 * normal(rand))),
      prompt_tokens: prompt,
      prompt_tokens_details: { cached_tokens: cachedTokens },
      completion_tokens: error ? 0 : output,
      error
    }
    if (!error && rand() < 0.35) {
      const shift =
        (tenantOffset.get(user.id) ?? 0) +
        (s.drift && t >= s.drift.at ? s.drift.score : 0) +
        (user.canary && s.segmentScore?.route === route.name ? s.segmentScore.score : 0)
      const v = 0.78 + 0.1 * userNoise + e.score + shift + 0.12 * normal(rand)
      record.score = Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000
    }
    return record
  }
}

/** The canary's cache-hit probability `elapsed` ms after the first record. */
function canaryCacheHit(s: StagingOptions, elapsed: number): number {
  const c = s.canaryCache
  if (!c) return BASELINE_CACHE_HIT
  if (c.warmMinutes === undefined) return c.start
  return (
    BASELINE_CACHE_HIT -
    (BASELINE_CACHE_HIT - c.start) * Math.exp(-elapsed / (c.warmMinutes * 60_000))
  )
}

/** Write the traffic as JSONL; resolves when the file is flushed. */
export async function writeTraffic(path: string, o: TrafficOptions): Promise<void> {
  const out = createWriteStream(path)
  let chunk = ''
  for (const r of traffic(o)) {
    chunk += JSON.stringify(r) + '\n'
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end(chunk)
  await once(out, 'finish')
}

export const DEMO_START = Date.parse('2026-11-02T08:00:00Z')

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'promote' },
      out: { type: 'string', default: 'traffic.jsonl' },
      count: { type: 'string', default: '200000' },
      rate: { type: 'string', default: '12' },
      weight: { type: 'string', default: '5' },
      seed: { type: 'string', default: '7' }
    }
  })
  const effect = SCENARIOS[values.scenario]
  if (!effect)
    throw new Error(
      `unknown scenario ${values.scenario}; one of ${Object.keys(SCENARIOS).join(', ')}`
    )
  await writeTraffic(values.out, {
    seed: Number(values.seed),
    start: DEMO_START,
    rate: Number(values.rate),
    count: Number(values.count),
    canaryWeight: Number(values.weight),
    users: 40000,
    effect
  })
}
