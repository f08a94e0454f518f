/**
 * What real instrumentation emits, read through the real file source: the OTLP fixtures in
 * test/fixtures/instrumentation were made by the libraries themselves (`npm run
 * fixtures:instrumentation`: @opentelemetry/instrumentation-openai, @traceloop/instrumentation-openai
 * at a current version and at 0.22.5, @arizeai/openinference-instrumentation-openai, each around
 * the real `openai` client against a loopback server, exported by the real OTLPTraceExporter).
 * Every count below is checked against the server's truth written beside them (truth.json).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { analyze } from '../src/analysis/analyze.js'
import { DEFAULT_LEVELS } from '../src/policy/judgeSchema.js'
import type { JudgeSpec, Policy } from '../src/policy/types.js'
import { mergeCacheSums } from '../src/sketch/cacheSums.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../src/sketch/evidence.js'
import { mergeCells } from '../src/sketch/metricSketch.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { metric, testPolicy } from './fixtures/records/policy.js'
import { fileWorkerScript } from './helpers/fileWorker.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const FIXTURES = join(HERE, 'fixtures', 'instrumentation')
const root = mkdtempSync(join(tmpdir(), 'rollout-gate-instrumentation-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

interface ArmTruth {
  calls: number
  ok: number
  errors: { rate_limit: number; server: number; timeout: number }
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  cacheHits: number
  servedModel: string
  requestedModel: string
  fingerprint: string
}
interface Truth {
  window: { from: string; to: string }
  releases: { baseline: string; canary: string }
  libraries: Record<
    string,
    {
      file: string
      package: string
      version: string
      arms: Record<'baseline' | 'canary', ArmTruth>
    }
  >
}
const truth = JSON.parse(readFileSync(join(FIXTURES, 'truth.json'), 'utf8')) as Truth
const window = { from: Date.parse(truth.window.from), to: Date.parse(truth.window.to) }
const PRICE = { input: 2.5, cacheRead: 1.25, output: 10 }
/** The questions the fixture client asks (scripts/instrumentation/client.ts). */
const QUESTIONS = [
  'Where is my order?',
  'Can I change my delivery address?',
  'How do refunds work?',
  'Do you ship to Norway?',
  'Why was I charged twice?'
]

function policy(overrides: Partial<Policy> = {}): Policy {
  return testPolicy({
    rollout: { ...testPolicy().rollout, minSamples: 250 },
    arms: {
      field: 'service.version',
      baseline: [truth.releases.baseline],
      canary: [truth.releases.canary]
    },
    metrics: [
      metric('error rate', 'error', 'rate', { tolerance: { value: 0.005, relative: false } }),
      metric('rate limits', 'error.rate_limit', 'rate', { mode: 'report' }),
      metric('input tokens', 'input_tokens', 'mean', { mode: 'report' }),
      metric('output tokens', 'output_tokens', 'mean', { mode: 'report' }),
      metric('cost per request', 'cost', 'mean'),
      metric('p95 latency', 'latency_ms', 'quantile', { quantile: 0.95 })
    ],
    segments: undefined,
    pricing: { 'gpt-4o-2024-08-06': PRICE },
    ...overrides
  })
}

async function collect(library: string, p: Policy, path = truth.libraries[library]!.file) {
  const source = new FileSource({
    patterns: [path],
    baseDir: FIXTURES,
    format: 'auto',
    policy: p,
    parallel: false
  })
  return source.collect({ window, now: window.to })
}

const totals = (e: Evidence, arm: Cell['arm']) =>
  e.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)

function sumOf(cells: Cell[], key: 'models' | 'failedModels' | 'errors'): Record<string, number> {
  const out: Record<string, number> = {}
  for (const cell of cells) {
    for (const [k, n] of Object.entries(cell[key] ?? {})) out[k] = (out[k] ?? 0) + n
  }
  return out
}

/** Sum of a metric's values over an arm (moments are clustered sums, so sx is the plain sum). */
const metricSum = (cells: Cell[], i: number) => mergeCells(cells).metrics[i]!.moments.sx

const ARMS = ['baseline', 'canary'] as const

describe('OpenTelemetry instrumentation-openai (OTel GenAI conventions)', () => {
  const lib = truth.libraries['otel-contrib']!

  it('reads every call, failed ones too, with error classes, tokens and models as served', async () => {
    const e = await collect('otel-contrib', policy())
    expect(e.quality.malformed).toBe(0)
    expect(e.quality.instrumentation).toEqual([
      {
        scope: '@opentelemetry/instrumentation-openai',
        version: lib.version,
        calls: 600,
        failed: 45
      }
    ])
    for (const arm of ARMS) {
      const t = lib.arms[arm]
      const cells = totals(e, arm)
      expect(mergeCells(cells).requests, arm).toBe(t.calls)
      // RateLimitError, InternalServerError and APIConnectionTimeoutError, as the library names them.
      expect(sumOf(cells, 'errors'), arm).toEqual(t.errors)
      expect(metricSum(cells, 2), arm).toBe(t.promptTokens)
      expect(metricSum(cells, 3), arm).toBe(t.completionTokens)
      // Served by the snapshot; the failed calls carry only the requested alias, kept apart.
      expect(sumOf(cells, 'models'), arm).toEqual({ [t.servedModel]: t.ok })
      expect(sumOf(cells, 'failedModels'), arm).toEqual({ [t.requestedModel]: t.calls - t.ok })
      // This library records no cached tokens: none reported, not "0 cached".
      expect(mergeCacheSums(cells)).toMatchObject({ requests: t.ok, reported: 0 })
    }
  })

  it('analysis: 429s are rate limits at their true rates; cache and fingerprint not available', async () => {
    const e = await collect('otel-contrib', policy())
    const a = analyze(policy(), e, 50)
    const check = (name: string) => a.checks.find(c => c.name === name)!
    const b = lib.arms.baseline
    const c = lib.arms.canary
    const rate = (t: ArmTruth) => `${((100 * t.errors.rate_limit) / t.calls).toFixed(2)}%`
    expect(check('load').detail).toContain(
      `rate limits (429) canary ${rate(c)} vs baseline ${rate(b)}`
    )
    const limits = a.metrics.find(m => m.name === 'rate limits')!
    expect(limits.baseline).toBeCloseTo(b.errors.rate_limit / b.calls, 12)
    expect(limits.canary).toBeCloseTo(c.errors.rate_limit / c.calls, 12)
    expect(check('cache')).toMatchObject({ status: 'warn' })
    expect(check('cache').detail).toMatch(
      /^not available: no request in the window reported cached/
    )
    const cost = a.metrics.find(m => m.name === 'cost per request')!
    expect(cost.caveats).toEqual([
      'priced as if no input token was read from the prompt cache: no request reported cached tokens'
    ])
    // One served model per arm; the failed calls' requested alias is not a second one.
    expect(check('model').status).toBe('ok')
    expect(check('model').detail).toContain(`baseline: ${b.servedModel} 100.0%`)
    expect(check('model').detail).toContain('45 failed calls not counted as served')
    expect(check('model').detail).toContain('backend fingerprints: not available')
    expect(a.checks.some(x => x.name === 'errors')).toBe(false)
  })
})

describe.each([
  ['traceloop', 'OpenLLMetry current names'],
  ['traceloop-0.22', 'OpenLLMetry 0.22 (gen_ai.usage.prompt_tokens / completion_tokens)']
])('Traceloop %s (%s)', library => {
  const lib = truth.libraries[library]!

  it('reads every answered call with its tokens; a failed call leaves no span', async () => {
    const e = await collect(library, policy())
    expect(e.quality.malformed).toBe(0)
    const ok = lib.arms.baseline.ok + lib.arms.canary.ok
    expect(e.quality.instrumentation).toEqual([
      { scope: lib.package, version: lib.version, calls: ok, failed: 0 }
    ])
    for (const arm of ARMS) {
      const t = lib.arms[arm]
      const cells = totals(e, arm)
      expect(mergeCells(cells).requests, arm).toBe(t.ok)
      expect(sumOf(cells, 'errors'), arm).toEqual({})
      expect(metricSum(cells, 2), arm).toBe(t.promptTokens)
      expect(metricSum(cells, 3), arm).toBe(t.completionTokens)
      expect(sumOf(cells, 'models'), arm).toEqual({ [t.servedModel]: t.ok })
      expect(mergeCacheSums(cells)).toMatchObject({ requests: t.ok, reported: 0 })
    }
  })

  it('analysis: the error rate is not observable; it never passes on 0% vs 0%', async () => {
    const p = policy()
    const a = analyze(p, await collect(library, p), 50)
    const errors = a.checks.find(c => c.name === 'errors')!
    expect(errors.status).toBe('block')
    expect(errors.detail).toContain(`${lib.package} ${lib.version} (no span for a failed call`)
    expect(errors.detail).toContain('the error rate is not observable from this source')
    const rate = a.metrics.find(m => m.name === 'error rate')!
    expect(rate.verdict).toBe('inconclusive')
    expect(rate.reason).toMatch(/^not observable from this source: /)
    expect(a.checks.find(c => c.name === 'load')!.detail).toContain(
      'rate limits and timeouts not observable from this source'
    )
    expect(a.checks.find(c => c.name === 'cache')!.detail).toMatch(/^not available/)
  })
})

describe('OpenInference (Arize) instrumentation-openai', () => {
  const lib = truth.libraries.openinference!

  it('reads its LLM spans: tokens, cached tokens, served model and fingerprint', async () => {
    const e = await collect('openinference', policy())
    expect(e.quality.malformed).toBe(0)
    for (const arm of ARMS) {
      const t = lib.arms[arm]
      const cells = totals(e, arm)
      expect(mergeCells(cells).requests, arm).toBe(t.ok)
      expect(metricSum(cells, 2), arm).toBe(t.promptTokens)
      expect(metricSum(cells, 3), arm).toBe(t.completionTokens)
      expect(mergeCacheSums(cells)).toMatchObject({
        requests: t.ok,
        reported: t.ok,
        hits: t.cacheHits,
        inputTokens: t.promptTokens,
        cacheReadTokens: t.cachedTokens
      })
      // The fingerprint comes from the answer in output.value.
      expect(sumOf(cells, 'models'), arm).toEqual({ [`${t.servedModel}#${t.fingerprint}`]: t.ok })
      // user.id is the unit: requests are clustered per user.
      expect(e.unitLevel).toBe(true)
    }
  })

  it('prices cost with the cached tokens, as the truth does; the cache check compares hit rates', async () => {
    const p = policy()
    const a = analyze(p, await collect('openinference', p), 50)
    const cost = a.metrics.find(m => m.name === 'cost per request')!
    for (const arm of ARMS) {
      const t = lib.arms[arm]
      const usd =
        ((t.promptTokens - t.cachedTokens) * PRICE.input +
          t.cachedTokens * PRICE.cacheRead +
          t.completionTokens * PRICE.output) /
        1e6
      expect(cost[arm]).toBeCloseTo(usd / t.ok, 12)
    }
    expect(cost.caveats).toBeUndefined()
    const cache = a.checks.find(c => c.name === 'cache')!
    expect(cache.detail).not.toMatch(/not available/)
    expect(a.cache?.hitRate.baseline).toBeCloseTo(
      lib.arms.baseline.cachedTokens / lib.arms.baseline.promptTokens,
      12
    )
    expect(a.checks.find(c => c.name === 'errors')!.status).toBe('block')
  })

  it('reads the arm from a key of its metadata JSON-string attribute', async () => {
    const p = policy({
      arms: { field: 'metadata.variant', baseline: ['baseline'], canary: ['canary'] }
    })
    const e = await collect('openinference', p)
    expect(e.quality.malformed).toBe(0)
    for (const arm of ARMS) expect(mergeCells(totals(e, arm)).requests).toBe(lib.arms[arm].ok)
  })
})

describe.each(Object.keys(truth.libraries))('%s: keys set on the request span', library => {
  const lib = truth.libraries[library]!

  it('reads the arm, the unit and a segment from an ancestor span in the same export', async () => {
    const p = policy({
      arms: { field: 'app.variant', baseline: ['baseline'], canary: ['canary'], unit: 'app.user' },
      segments: { by: ['app.route'], gate: false }
    })
    const e = await collect(library, p)
    expect(e.quality.malformed).toBe(0)
    const spans = library === 'otel-contrib' ? 'calls' : 'ok'
    for (const arm of ARMS) {
      const cells = totals(e, arm)
      expect(mergeCells(cells).requests, arm).toBe(lib.arms[arm][spans])
      // 90 users in the client's plan; a few may have had only failed (unseen) calls.
      expect(mergeCells(cells).units).toBeGreaterThan(80)
      expect(mergeCells(cells).units).toBeLessThanOrEqual(90)
    }
    expect(e.unitLevel).toBe(true)
    const segments = new Set(e.cells.map(c => c.segment))
    expect([...segments].sort()).toEqual([
      TOTAL_SEGMENT,
      'app.route=billing',
      'app.route=faq',
      'app.route=shipping'
    ])
  })

  it('gives the parallel reader the same evidence as one thread, plain and with ancestors', async () => {
    const plain = join(root, `${library}.otlp.jsonl`)
    writeFileSync(plain, gunzipSync(readFileSync(join(FIXTURES, lib.file))))
    const script = await fileWorkerScript()
    for (const p of [
      policy(),
      policy({
        arms: {
          field: 'app.variant',
          baseline: ['baseline'],
          canary: ['canary'],
          unit: 'app.user'
        },
        segments: { by: ['app.route'], gate: false }
      })
    ]) {
      const read = (
        parallel:
          false | { script: string; workers: number; chunkBytes: number; minFileBytes: number }
      ) =>
        new FileSource({
          patterns: [plain],
          baseDir: root,
          format: 'auto',
          policy: p,
          parallel
        }).collect({
          window,
          now: window.to
        })
      const sequential = await read(false)
      expect(sequential.quality.records).toBeGreaterThan(500)
      const parallel = await read({ script, workers: 2, chunkBytes: 64 * 1024, minFileBytes: 0 })
      expect(parallel).toEqual(sequential)
    }
  })
})

describe.each([
  ['traceloop', true],
  ['traceloop-0.22', true],
  ['openinference', true],
  // Records no message content unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is set.
  ['otel-contrib', false]
])('%s: the prompt and the answer for a judge', (library, recorded) => {
  it(recorded ? 'maps the recorded messages to input and output' : 'has none', async () => {
    const judge: JudgeSpec = {
      model: 'gpt-4.1-mini',
      apiKeyEnv: 'OPENAI_API_KEY',
      rubric: 'r',
      mode: 'pointwise',
      sample: 20,
      batch: 10,
      budget: { calls: 10 },
      concurrency: 1,
      timeout: 1000,
      maxRetries: 0,
      maxChars: 4000,
      redact: [],
      recheck: 0,
      cacheSize: 10,
      levels: DEFAULT_LEVELS,
      logprobs: false,
      health: { controls: 2, alpha: 0.05, maxFlipRate: 0.5, minKappa: 0.4 },
      lengthControl: { enabled: true, maxInflation: 4 }
    }
    const e = await collect(library, policy({ judge }))
    const texts = e.texts ?? []
    if (!recorded) return expect(texts).toEqual([])
    expect(texts.length).toBe(40)
    for (const t of texts) {
      // The user's question alone: the system prompt is left out of the input.
      expect(QUESTIONS).toContain(t.input)
      expect(t.output).toMatch(/^Answer \d+ for gpt-4o\.$/)
    }
  })
})

describe('an OTLP file with no call to a model', () => {
  it('says what was looked for instead of "no lines"', async () => {
    const dir = mkdtempSync(join(root, 'spans-'))
    copyFileSync(join(FIXTURES, 'traceloop.otlp.jsonl.gz'), join(dir, 'x.gz'))
    const only = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: 'support-assistant' },
              spans: [{ traceId: 'a', spanId: 'b', name: 'GET /', attributes: [] }]
            }
          ]
        }
      ]
    })
    writeFileSync(join(dir, 'http.jsonl'), only + '\n')
    const source = new FileSource({
      patterns: ['http.jsonl'],
      baseDir: dir,
      format: 'auto',
      policy: policy(),
      parallel: false
    })
    await expect(source.collect({ window, now: window.to })).rejects.toThrow(
      /http\.jsonl: 1 OTLP spans, none a call to a model \(a span with gen_ai\.\* attributes/
    )
  })
})
