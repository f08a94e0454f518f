import type { Analysis, Check, MetricResult } from '../../src/analysis/types.js'
import type { Policy } from '../../src/policy/types.js'

/** A policy object as the loader would produce it, for tests of the pure core. */
export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    version: 1,
    rollout: {
      name: 'support-assistant',
      steps: [1, 5, 25, 50, 100],
      minDuration: 30 * 60_000,
      maxDuration: 12 * 3600_000,
      onTimeout: 'rollback',
      minSamples: 300,
      warmup: 5 * 60_000
    },
    arms: { field: 'arm', baseline: ['stable'], canary: ['candidate'] },
    source: { type: 'file', path: ['traffic/*.jsonl'], format: 'auto' },
    confidence: 0.95,
    metrics: [
      {
        name: 'quality',
        from: 'score',
        kind: 'mean',
        better: 'higher',
        tolerance: { value: 0.02, relative: true },
        mode: 'gate',
        path: 'metrics[0]'
      },
      {
        name: 'p95 latency',
        from: 'latency_ms',
        kind: 'quantile',
        quantile: 0.95,
        better: 'lower',
        tolerance: { value: 0.1, relative: true },
        mode: 'gate',
        path: 'metrics[1]'
      }
    ],
    pricing: {},
    dataQuality: { maxMalformed: 0.01 },
    trafficSplit: { alpha: 0.001 },
    bucket: 5 * 60_000,
    ...overrides
  }
}

export function metric(overrides: Partial<MetricResult> = {}): MetricResult {
  return {
    name: 'quality',
    from: 'score',
    kind: 'mean',
    better: 'higher',
    mode: 'gate',
    verdict: 'pass',
    baseline: 0.8,
    canary: 0.81,
    delta: { estimate: 0.0125, lower: -0.01, upper: 0.035, relative: true },
    tolerance: -0.02,
    n: { baseline: 5000, canary: 500 },
    alpha: 0.025,
    reason: 'the whole interval is within the tolerance',
    method: 'test',
    ...overrides
  }
}

export const ok = (name: string): Check => ({ name, status: 'ok', detail: '' })

export function analysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    window: { from: 0, to: 3600_000 },
    arms: { baseline: { requests: 5000, units: 900 }, canary: { requests: 500, units: 90 } },
    unitLevel: true,
    metrics: [
      metric(),
      metric({
        name: 'p95 latency',
        from: 'latency_ms',
        kind: 'quantile',
        better: 'lower',
        tolerance: 0.1,
        delta: { estimate: -0.02, lower: -0.06, upper: 0.03, relative: true }
      })
    ],
    segments: [],
    checks: [ok('arms'), ok('sample-size'), ok('traffic-split'), ok('data-quality')],
    canaryRate: 0.5,
    ...overrides
  }
}
