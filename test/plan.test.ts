/**
 * `plan` against the gate itself (issue 16's proof): on generated traffic with a known truth, an
 * equal canary, plan's predicted median time to promote (from a baseline-only history) is within
 * ±30% of the median observed by running the real evaluations (backtest: evaluate() at every
 * scheduled instant, the state carried) on rollouts generated with fresh seeds, each with its own
 * canary users. Three policies: a small canary, a large canary, a p99 metric. Fast here (few
 * fresh rollouts); `npm run sim:plan` runs the full version (PLAN_PROOF=full).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { duration } from '../src/policy/format.js'
import { prove, type ProofCase, type ProofResult } from './helpers/planProof.js'

const FULL = process.env.PLAN_PROOF === 'full'
const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-plan-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const head = (steps: string) => `version: 1
rollout: { name: proof, steps: [${steps}], minDuration: 30m, maxDuration: 6h, onTimeout: hold, minSamples: 100, warmup: 0m }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: history.jsonl }
confidence: 0.95
metrics:
`
const PRICING = `pricing:
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`
const MINUTES_15 = 15 * 60_000

const CASES: ProofCase[] = [
  {
    name: 'small canary (5%): cost and error rate',
    policy:
      head('5, 100') +
      `  - { name: cost, from: cost, kind: mean, better: lower, tolerance: 10% }
  - { name: errors, from: error, kind: rate, better: lower, tolerance: 1pp }
` +
      PRICING,
    rate: 4,
    users: 20000,
    historyHours: 12,
    horizonHours: 3,
    every: MINUTES_15
  },
  {
    name: 'large canary (50%): quality and p95 latency',
    policy:
      head('50, 100') +
      `  - { name: quality, from: score, kind: mean, better: higher, tolerance: 4% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 15% }
`,
    rate: 1,
    users: 20000,
    historyHours: 12,
    horizonHours: 5,
    every: MINUTES_15
  },
  {
    name: 'p99 latency (25%)',
    policy:
      head('25, 100') +
      `  - { name: p99 latency, from: latency_ms, kind: p99, better: lower, tolerance: 25% }
`,
    rate: 2,
    users: 20000,
    historyHours: 12,
    horizonHours: 5,
    every: MINUTES_15
  }
]

const SEEDS = FULL ? 40 : 7
const REPLICATES = FULL ? 100 : 30

function report(r: ProofResult): string {
  const t = (ms: number | null) => (ms === null ? 'never' : duration(ms))
  const sorted = [...r.observed.times].sort((a, b) => a - b)
  // The median's distribution-free interval from order statistics (binomial(n, 1/2), ~95%).
  const n = r.observed.runs
  const j = Math.max(0, Math.floor(n / 2 - 0.98 * Math.sqrt(n)))
  const k = Math.min(n - 1, Math.ceil(n / 2 + 0.98 * Math.sqrt(n)))
  const interval = `${t(sorted[j] ?? null)} to ${k < sorted.length ? t(sorted[k] ?? null) : 'later'}`
  return `${r.name}: predicted median ${t(r.predicted.median)} (p90 ${t(r.predicted.p90)}, ${Math.round(r.predicted.share * 100)}% promote by maxDuration); observed median ${t(r.observed.median)} over ${n} fresh rollouts (95% interval of the median ${interval}; ${r.observed.promoted}/${n} promoted within the horizon); ratio ${r.ratio.toFixed(2)}`
}

describe(`plan predicts the time to promote an equal canary within ±30% (${SEEDS} fresh rollouts per policy)`, () => {
  for (const [i, c] of CASES.entries()) {
    it(c.name, { timeout: FULL ? 3_600_000 : 240_000 }, async () => {
      const r = await prove(dir, c, {
        historySeed: 500 + i,
        replicates: REPLICATES,
        seeds: Array.from({ length: SEEDS }, (_, s) => 9000 + 100 * i + s)
      })
      console.log(report(r))
      expect(r.predicted.median).not.toBeNull()
      expect(r.observed.median).not.toBeNull()
      expect(r.ratio).toBeGreaterThanOrEqual(0.7)
      expect(r.ratio).toBeLessThanOrEqual(1.3)
    })
  }
})
