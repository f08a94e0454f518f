/**
 * Seeded traffic for the validity regimes, reduced the way a source reduces it: per arm, the
 * moments of one cluster per request (no unit) or per user (clustered), the request count, and
 * the per-request sum of squares (MetricSketch.requestSquares). Both arms grow at every look.
 */
import { mulberry32, normal } from '../../examples/generate-traffic.js'
import { addCluster, emptyMoments } from '../../src/sketch/moments.js'
import type { MetricSketch } from '../../src/sketch/types.js'

export { mulberry32, normal }

/** A value generator for one request of an arm. */
export type Draw = (rand: () => number) => number

/** One arm whose requests are independent (records without a unit). */
export class RequestArm {
  private readonly moments = emptyMoments()
  private requests = 0
  private squares = 0

  constructor(private readonly draw: Draw) {}

  add(rand: () => number, count: number): void {
    for (let i = 0; i < count; i++) {
      const x = this.draw(rand)
      addCluster(this.moments, x, 1)
      this.squares += x * x
    }
    this.requests += count
  }

  sketch(): MetricSketch {
    return {
      moments: { ...this.moments },
      requests: this.requests,
      requestSquares: this.squares
    } as MetricSketch
  }

  get count(): number {
    return this.requests
  }
}

/** One period's requests of one arm, as an aggregating source (Prometheus) sees them: no users. */
export interface PeriodTotals {
  requests: number
  sum: number
  squares: number
}

/** Binomial(n, p) draws: exact for small n, normal approximation (rounded, clamped) for large. */
export function binomial(rand: () => number, n: number, p: number): number {
  if (n <= 40) {
    let k = 0
    for (let i = 0; i < n; i++) if (rand() < p) k++
    return k
  }
  const mean = n * p
  const sd = Math.sqrt(n * p * (1 - p))
  return Math.max(0, Math.min(n, Math.round(mean + sd * normal(rand))))
}

/**
 * A population of users with very unequal activity, assigned to the arms per user: user u makes
 * m_u requests over the whole run (log-uniform on 1..maxRequests), each at a uniformly random
 * one of `looks` periods, and has its own level; `value(level, rand)` draws one request's value.
 * Each arm's moments are clustered by user (x = the user's sum, y = its requests so far).
 */
export class UserPopulation {
  readonly users: number
  private readonly canary: Uint8Array
  private readonly level: Float64Array
  /** Requests of user u in period k at [u * looks + k]. */
  private readonly schedule: Uint16Array
  private readonly sum: Float64Array
  private readonly count: Float64Array
  private readonly squares: Float64Array
  private period = 0

  constructor(
    rand: () => number,
    opts: {
      users: number
      canaryShare: number
      looks: number
      maxRequests: number
      level: Draw
      /**
       * Optional: each user's requests fall within this many consecutive periods (a session),
       * starting at a uniformly random period; default: spread over all periods.
       */
      sessionLooks?: number
    },
    private readonly value: (level: number, canary: boolean, rand: () => number) => number
  ) {
    const { users, looks } = opts
    this.users = users
    this.looks = looks
    this.canary = new Uint8Array(users)
    this.level = new Float64Array(users)
    this.schedule = new Uint16Array(users * looks)
    this.sum = new Float64Array(users)
    this.count = new Float64Array(users)
    this.squares = new Float64Array(users)
    const logMax = Math.log(opts.maxRequests + 1)
    for (let u = 0; u < users; u++) {
      this.canary[u] = rand() < opts.canaryShare ? 1 : 0
      this.level[u] = opts.level(rand)
      const m = Math.min(opts.maxRequests, Math.floor(Math.exp(rand() * logMax)))
      const span = Math.min(looks, opts.sessionLooks ?? looks)
      const start = Math.floor(rand() * (looks - span + 1))
      for (let r = 0; r < Math.max(1, m); r++) {
        const k = start + Math.floor(rand() * span)
        this.schedule[u * looks + k]!++
      }
    }
  }

  private readonly looks: number

  /** Serves the next period's requests; returns per arm its requests, their sum and sum of squares. */
  step(rand: () => number): Record<'baseline' | 'canary', PeriodTotals> {
    const k = this.period++
    const served = {
      baseline: { requests: 0, sum: 0, squares: 0 },
      canary: { requests: 0, sum: 0, squares: 0 }
    }
    for (let u = 0; u < this.users; u++) {
      const n = this.schedule[u * this.looks + k]!
      if (n === 0) continue
      const canary = this.canary[u] === 1
      const into = canary ? served.canary : served.baseline
      for (let r = 0; r < n; r++) {
        const x = this.value(this.level[u]!, canary, rand)
        this.sum[u]! += x
        this.squares[u]! += x * x
        into.sum += x
        into.squares += x * x
      }
      this.count[u]! += n
      into.requests += n
    }
    return served
  }

  /** The arm's sketch so far: one cluster per user seen. */
  sketch(arm: 'baseline' | 'canary'): MetricSketch {
    const want = arm === 'canary' ? 1 : 0
    const moments = emptyMoments()
    let requests = 0
    let squares = 0
    for (let u = 0; u < this.users; u++) {
      if (this.canary[u] !== want || this.count[u] === 0) continue
      addCluster(moments, this.sum[u]!, this.count[u]!)
      requests += this.count[u]!
      squares += this.squares[u]!
    }
    return { moments, requests, requestSquares: squares } as MetricSketch
  }

  /**
   * Requests per user weighted by requests, sum m_u^2 / sum m_u, over the users seen so far: the
   * design effect of request counts assigned per user (and a bound on any metric's, Kish 1965).
   */
  requestsPerUserWeighted(): number {
    let sum = 0
    let squares = 0
    for (let u = 0; u < this.users; u++) {
      sum += this.count[u]!
      squares += this.count[u]! * this.count[u]!
    }
    return sum > 0 ? squares / sum : 1
  }

  /** Distinct users seen so far per arm. */
  units(arm: 'baseline' | 'canary'): number {
    const want = arm === 'canary' ? 1 : 0
    let n = 0
    for (let u = 0; u < this.users; u++) if (this.canary[u] === want && this.count[u]! > 0) n++
    return n
  }
}

/** What one replicate's arms look like at each look. */
export interface Stream {
  look(rand: () => number): { baseline: MetricSketch; canary: MetricSketch }
}

/** Independent requests: `perLook` per look in all, a `share` of them canary. */
export function requests(baseline: Draw, canary: Draw, perLook: number, share: number) {
  return (): Stream => {
    const b = new RequestArm(baseline)
    const c = new RequestArm(canary)
    const nc = Math.round(perLook * share)
    return {
      look(rand) {
        b.add(rand, perLook - nc)
        c.add(rand, nc)
        return { baseline: b.sketch(), canary: c.sketch() }
      }
    }
  }
}
