/**
 * Makes the OTLP fixtures of test/instrumentation.test.ts with the real instrumentation libraries
 * (`npm run fixtures:instrumentation`): for each library, a baseline and a canary client run
 * (scripts/instrumentation/client.ts, a child process each) call a loopback OpenAI-compatible
 * server through the real `openai` client; the real OTLPTraceExporter (OTLP/HTTP JSON) sends the
 * spans to a loopback collector, which writes each export request as one line, as the
 * Collector's file exporter does. The server's truth (calls, failures by class, tokens, cached
 * tokens, served model and fingerprint per arm) and the library versions are written beside the
 * fixtures, in truth.json.
 *
 * The server answers each call by its index (the client's `x-call-index` header) and its arm (the
 * API key), from a seeded plan: 429 (rate limit) on 4% of baseline and 7% of canary calls, 500 on
 * 1%, no answer within the client's timeout on 1%; every other call succeeds with usage (prompt
 * tokens, cached tokens on 60% of baseline and 25% of canary calls: the canary's new prompt has a
 * colder cache) and a system_fingerprint, serving gpt-4o-2024-08-06 for the requested gpt-4o.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'test', 'fixtures', 'instrumentation')
const CALLS = 300
const ARMS = { baseline: '1.4.0', canary: '1.5.0-rc.1' } as const
type ArmName = keyof typeof ARMS
const LIBRARIES = {
  'otel-contrib': '@opentelemetry/instrumentation-openai',
  traceloop: '@traceloop/instrumentation-openai',
  'traceloop-0.22': '@traceloop/instrumentation-openai-0.22',
  openinference: '@arizeai/openinference-instrumentation-openai'
} as const
type Library = keyof typeof LIBRARIES
const SERVED_MODEL = 'gpt-4o-2024-08-06'
const FINGERPRINT = 'fp_f7f0d2c3a1'
/** Per arm: failures by class, in calls out of CALLS, and the share of successes that hit the cache. */
const PLAN = {
  baseline: { rate_limit: 12, server: 3, timeout: 3, cacheHitShare: 0.6 },
  canary: { rate_limit: 21, server: 3, timeout: 3, cacheHitShare: 0.25 }
} as const

type Outcome = 'ok' | 'rate_limit' | 'server' | 'timeout'

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

/** mulberry32: a small seeded generator, so the plan is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Each call index's outcome and usage, for one arm. */
function plan(
  arm: ArmName
): { outcome: Outcome; prompt: number; cached: number; completion: number }[] {
  const rand = random(arm === 'baseline' ? 17 : 29)
  const outcomes: Outcome[] = Array(CALLS).fill('ok')
  const indices = [...Array(CALLS).keys()].sort(() => rand() - 0.5)
  let at = 0
  for (const cls of ['rate_limit', 'server', 'timeout'] as const) {
    for (let k = 0; k < PLAN[arm][cls]; k++) outcomes[indices[at++] as number] = cls
  }
  return outcomes.map((outcome, i) => {
    const prompt = 900 + ((i * 37) % 600)
    const hit = rand() < PLAN[arm].cacheHitShare
    return {
      outcome,
      prompt,
      cached: hit ? Math.floor((prompt * 0.75) / 128) * 128 : 0,
      completion: 40 + ((i * 13) % 160)
    }
  })
}

const PLANS = { baseline: plan('baseline'), canary: plan('canary') }

function emptyTruth(): ArmTruth {
  return {
    calls: 0,
    ok: 0,
    errors: { rate_limit: 0, server: 0, timeout: 0 },
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    cacheHits: 0,
    servedModel: SERVED_MODEL,
    requestedModel: 'gpt-4o',
    fingerprint: FINGERPRINT
  }
}

/** The loopback OpenAI-compatible server; counts what it answered for the current run. */
class OpenAiStandIn {
  truth: ArmTruth = emptyTruth()
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>(resolve => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await text(req)) as { model: string }
    const arm = (req.headers.authorization ?? '').replace('Bearer sk-', '') as ArmName
    const index = Number(req.headers['x-call-index'])
    const step = PLANS[arm]?.[index]
    if (req.url !== '/v1/chat/completions' || step === undefined) {
      return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } })
    }
    const t = this.truth
    t.calls++
    if (step.outcome === 'rate_limit') {
      t.errors.rate_limit++
      return json(res, 429, {
        error: {
          message: 'Rate limit reached for gpt-4o on requests per min (RPM): Limit 500.',
          type: 'requests',
          code: 'rate_limit_exceeded'
        }
      })
    }
    if (step.outcome === 'server') {
      t.errors.server++
      return json(res, 500, { error: { message: 'The server had an error', type: 'server_error' } })
    }
    if (step.outcome === 'timeout') {
      t.errors.timeout++
      // Longer than the client's 400 ms timeout: the client gives up, the answer is never read.
      await new Promise(resolve => setTimeout(resolve, 1500))
      if (!res.destroyed) json(res, 504, { error: { message: 'late' } })
      return
    }
    t.ok++
    t.promptTokens += step.prompt
    t.completionTokens += step.completion
    t.cachedTokens += step.cached
    if (step.cached > 0) t.cacheHits++
    json(res, 200, {
      id: `chatcmpl-${arm}-${index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: SERVED_MODEL,
      system_fingerprint: FINGERPRINT,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: `Answer ${index} for ${body.model}.`,
            refusal: null
          },
          logprobs: null,
          finish_reason: 'stop'
        }
      ],
      usage: {
        prompt_tokens: step.prompt,
        completion_tokens: step.completion,
        total_tokens: step.prompt + step.completion,
        prompt_tokens_details: { cached_tokens: step.cached, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 }
      }
    })
  }
}

/** The loopback OTLP/HTTP collector: each JSON export request becomes one line of `lines`. */
class Collector {
  lines: string[] = []
  private server: Server | undefined
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>(resolve => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await text(req)
    if (req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
      return json(res, 415, { message: 'OTLP/HTTP JSON only' })
    }
    this.lines.push(JSON.stringify(JSON.parse(body)))
    json(res, 200, {})
  }
}

async function text(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of req) parts.push(chunk as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function run(library: Library, arm: ArmName, openai: string, otlp: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts', 'instrumentation', 'client.ts')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          LIBRARY: library,
          ARM: arm,
          RELEASE: ARMS[arm],
          CALLS: String(CALLS),
          OPENAI_URL: openai,
          OTLP_URL: otlp
        }
      }
    )
    child.on('error', reject)
    child.on('exit', code =>
      code === 0 ? resolve() : reject(new Error(`${library} ${arm} exited with ${code}`))
    )
  })
}

function versionOf(pkg: string): string {
  const json = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'))
  return (json as { version: string }).version
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  const openai = new OpenAiStandIn()
  const collector = new Collector()
  await openai.start()
  await collector.start()
  const from = Date.now()
  const truth: Record<string, unknown> = {}
  try {
    for (const library of Object.keys(LIBRARIES) as Library[]) {
      collector.lines = []
      const arms: Record<string, ArmTruth> = {}
      for (const arm of Object.keys(ARMS) as ArmName[]) {
        openai.truth = emptyTruth()
        await run(library, arm, openai.url, collector.url)
        arms[arm] = openai.truth
      }
      const file = `${library}.otlp.jsonl.gz`
      writeFileSync(join(OUT, file), gzipSync(collector.lines.join('\n') + '\n', { level: 9 }))
      truth[library] = {
        file,
        package: LIBRARIES[library].replace(/-0\.22$/, ''),
        version: versionOf(LIBRARIES[library]),
        exportRequests: collector.lines.length,
        arms
      }
      console.log(`${library}: ${collector.lines.length} export requests -> ${file}`)
    }
  } finally {
    await openai.close()
    await collector.close()
  }
  const to = Date.now()
  const record = {
    generatedBy: 'npm run fixtures:instrumentation (scripts/make-instrumentation-fixtures.ts)',
    window: { from: new Date(from).toISOString(), to: new Date(to + 1000).toISOString() },
    callsPerArm: CALLS,
    releases: ARMS,
    node: process.version,
    openai: versionOf('openai'),
    exporter: {
      '@opentelemetry/exporter-trace-otlp-http': versionOf(
        '@opentelemetry/exporter-trace-otlp-http'
      ),
      '@opentelemetry/sdk-trace': versionOf('@opentelemetry/sdk-trace')
    },
    libraries: truth
  }
  writeFileSync(join(OUT, 'truth.json'), JSON.stringify(record, null, 2) + '\n')
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
