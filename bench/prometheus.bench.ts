/**
 * `npm run bench:prometheus`: a local Prometheus holding 7 days of 15 s scrapes of an
 * OpenTelemetry-instrumented gateway (5 metrics, 2 arms, OpenTelemetry's recommended histogram
 * buckets), backfilled with promtool; then one evaluation of a 12 h step and one of the whole 7 days.
 * Prints the queries per evaluation and the wall time. Needs `prometheus` and `promtool`
 * (`apt-get install -y prometheus`). Prints figures, never asserts a time.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_START, SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { writeOpenMetrics } from '../examples/prometheus/openmetrics.js'
import { evaluate } from '../src/evaluate.js'
import { parsePolicy } from '../src/policy/parse.js'
import { PrometheusSource } from '../src/sources/prometheus/prometheusSource.js'
import { backfill, prometheusAvailable, startPrometheus } from '../test/helpers/prometheus.js'

const here = dirname(fileURLToPath(import.meta.url))
const DAY = 86_400_000
const DAYS = 7
const RATE = 2 // requests per second, both arms
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const dir = join(here, '.data', 'prometheus-7d')
const start = DEMO_START
const end = start + DAYS * DAY

if (!prometheusAvailable()) process.exit(1)

/** OpenTelemetry GenAI's recommended explicit bucket boundaries. */
const DURATION = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
]
const TOKENS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
]

if (!existsSync(join(dir, 'data'))) {
  mkdirSync(dir, { recursive: true })
  const om = join(dir, 'scrapes.om')
  let t = Date.now()
  const samples = await writeOpenMetrics(
    om,
    traffic({
      seed: 5,
      start,
      rate: RATE,
      count: Math.ceil(RATE * DAYS * 86_400 * 1.01),
      canaryWeight: 10,
      users: 50_000,
      effect: SCENARIOS.promote!
    }),
    {
      start,
      end,
      scrapeMs: 15_000,
      armLabel: 'variant',
      armValues: ['stable', 'candidate'],
      bounds: { latency: DURATION, ttft: DURATION, tokens: TOKENS }
    }
  )
  const mb = statSync(om).size / 1e6
  console.log(
    `wrote ${samples.toLocaleString('en-US')} samples (${mb.toFixed(0)} MB OpenMetrics) in ${((Date.now() - t) / 1000).toFixed(1)} s`
  )
  t = Date.now()
  backfill(om, dir, '24h')
  rmSync(om)
  console.log(`promtool backfill: ${((Date.now() - t) / 1000).toFixed(1)} s`)
}

const prom = await startPrometheus(dir)
try {
  const policy = parsePolicy(
    `version: 1
rollout: { name: bench, steps: [10, 100], minDuration: 30m, maxDuration: 8d, warmup: 5m }
arms: { field: variant, baseline: stable, canary: candidate }
source:
  type: prometheus
  url: ${prom.url}
  series:
    p95 latency: { histogram: gen_ai_client_operation_duration_seconds, scale: 1000 }
    mean latency: { histogram: gen_ai_client_operation_duration_seconds, scale: 1000 }
    p50 ttft: { histogram: gen_ai_client_operation_time_to_first_chunk_seconds, scale: 1000 }
    error rate: { errors: llm_request_errors_total, total: llm_requests_total }
    output length:
      histogram: gen_ai_client_token_usage
      sumOfSquares: gen_ai_client_token_usage_squares_total
      match: { gen_ai_token_type: output }
metrics:
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: mean latency, from: latency_ms, kind: mean, better: lower, tolerance: 10% }
  - { name: p50 ttft, from: ttft_ms, kind: p50, better: lower, tolerance: 10% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 15% }
`,
    'bench-prometheus.yml'
  )
  const metrics = policy.metrics.length
  for (const [label, since] of [
    ['12 h step', end - 12 * 3_600_000 - policy.rollout.warmup],
    ['7 day step', start]
  ] as const) {
    const times: number[] = []
    let queries = 0
    let decision = ''
    let reasons: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const source = new PrometheusSource({ policy })
      const t = performance.now()
      const o = await evaluate({
        policy,
        policyHash: 'sha256:bench',
        source,
        now: end,
        since,
        replay: true
      })
      times.push(performance.now() - t)
      queries = source.client.queries
      decision = o.record.decision
      reasons = o.record.reasons
    }
    times.sort((a, b) => a - b)
    const median = times[Math.floor(times.length / 2)] as number
    console.log(
      `${label}: ${queries} queries for ${metrics} metrics x 2 arms (${(queries / metrics / 2).toFixed(2)} per metric and arm; target <= 3), wall time median ${median.toFixed(0)} ms of ${RUNS} (min ${times[0]!.toFixed(0)}, max ${times[times.length - 1]!.toFixed(0)}; target < 2000 ms), decision ${decision}`
    )
    if (process.env.BENCH_VERBOSE) console.log(reasons.join('\n'))
  }
} finally {
  await prom.stop()
}
