/**
 * One traced client run for scripts/make-instrumentation-fixtures.ts (a child process, so each
 * instrumentation patches a fresh `openai` module): the real `openai` client, instrumented by the
 * library named in LIBRARY, calls the loopback OpenAI-compatible server CALLS times; spans go
 * through the real OTLPTraceExporter (OTLP/HTTP JSON) to the loopback collector.
 *
 * As an application would, each call runs inside a request span of its own (`handle request`,
 * carrying the arm as `app.variant`, the route and the user), and with OpenInference the arm and
 * route are also set as OpenInference metadata (a JSON string attribute on the LLM span). The
 * service's version on the resource is the arm's release. Spans are exported a few whole traces
 * per OTLP request, as the Collector's groupbytrace processor would (so a call's ancestors are in
 * its document).
 */
import { context, metrics, trace, type Context, type Span } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const LIBRARY = env('LIBRARY')
const ARM = env('ARM')
const RELEASE = env('RELEASE')
const CALLS = Number(env('CALLS'))
const OPENAI_URL = env('OPENAI_URL')
const OTLP_URL = env('OTLP_URL')
const TRACES_PER_EXPORT = 20
const ROUTES = ['faq', 'billing', 'shipping'] as const
const QUESTIONS = [
  'Where is my order?',
  'Can I change my delivery address?',
  'How do refunds work?',
  'Do you ship to Norway?',
  'Why was I charged twice?'
]

function env(name: string): string {
  const v = process.env[name]
  if (v === undefined || v === '') throw new Error(`${name} is not set`)
  return v
}

/**
 * Exports ended spans a few whole traces at a time: a batch goes out once TRACES_PER_EXPORT root
 * spans have ended, with every span that ended before them.
 */
class TraceBatches implements SpanProcessor {
  private spans: ReadableSpan[] = []
  private roots = 0
  private sending: Promise<void> = Promise.resolve()

  constructor(private readonly exporter: OTLPTraceExporter) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.spans.push(span)
    if (span.parentSpanContext === undefined && ++this.roots >= TRACES_PER_EXPORT) this.send()
  }

  async forceFlush(): Promise<void> {
    this.send()
    await this.sending
  }

  async shutdown(): Promise<void> {
    await this.forceFlush()
    await this.exporter.shutdown()
  }

  private send(): void {
    if (this.spans.length === 0) return
    const batch = this.spans
    this.spans = []
    this.roots = 0
    this.sending = this.sending.then(
      () =>
        new Promise<void>((resolve, reject) =>
          this.exporter.export(batch, result =>
            result.code === 0 // ExportResultCode.SUCCESS
              ? resolve()
              : reject(result.error ?? new Error('export failed'))
          )
        )
    )
  }
}

async function main(): Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const exporter = new OTLPTraceExporter({ url: OTLP_URL })
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'support-assistant',
      'service.version': RELEASE,
      'deployment.environment.name': 'production'
    }),
    spanProcessors: [new TraceBatches(exporter)]
  })
  trace.setGlobalTracerProvider(provider)

  const withMetadata = await instrument()
  // Loaded after the instrumentation is enabled: @opentelemetry/instrumentation-openai patches
  // the module as it is required.
  const { OpenAI } = require('openai') as typeof import('openai')
  const client = new OpenAI({
    apiKey: `sk-${ARM}`,
    baseURL: OPENAI_URL,
    maxRetries: 0,
    timeout: 400
  })
  const tracer = trace.getTracer('support-assistant')
  for (let i = 0; i < CALLS; i++) {
    const route = ROUTES[i % ROUTES.length] as string
    const user = `user-${(i * 7) % 90}`
    await tracer.startActiveSpan(
      'handle request',
      { attributes: { 'app.variant': ARM, 'app.route': route, 'app.user': user } },
      async (request: Span) => {
        const call = () =>
          client.chat.completions.create(
            {
              model: 'gpt-4o',
              messages: [
                { role: 'system', content: 'You are the support assistant of an online shop.' },
                { role: 'user', content: QUESTIONS[i % QUESTIONS.length] as string }
              ]
            },
            { headers: { 'x-call-index': String(i) } }
          )
        try {
          await (withMetadata ? withMetadata({ variant: ARM, route }, user, call) : call())
        } catch {
          // The server's truth counts the failure; the span (if the library writes one) says it.
        } finally {
          request.end()
        }
      }
    )
  }
  await provider.forceFlush()
  await provider.shutdown()
}

type Call = () => Promise<unknown>
type WithMetadata = (metadata: Record<string, string>, user: string, call: Call) => Promise<unknown>

/** Enables the library; OpenInference also returns how to run a call with its metadata. */
async function instrument(): Promise<WithMetadata | undefined> {
  switch (LIBRARY) {
    case 'otel-contrib': {
      const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai')
      const instrumentation = new OpenAIInstrumentation()
      // Its metric instruments, created in the base constructor, are reset by its own class
      // fields (0.21.0): setting the (no-op) meter provider creates them again.
      instrumentation.setMeterProvider(metrics.getMeterProvider())
      instrumentation.enable()
      return undefined
    }
    case 'traceloop':
    case 'traceloop-0.22': {
      const { OpenAIInstrumentation } =
        LIBRARY === 'traceloop'
          ? await import('@traceloop/instrumentation-openai')
          : await import('@traceloop/instrumentation-openai-0.22')
      const instrumentation = new OpenAIInstrumentation()
      instrumentation.manuallyInstrument((require('openai') as typeof import('openai')).OpenAI)
      return undefined
    }
    case 'openinference': {
      const { OpenAIInstrumentation } =
        await import('@arizeai/openinference-instrumentation-openai')
      const { setMetadata, setUser } = await import('@arizeai/openinference-core')
      const instrumentation = new OpenAIInstrumentation()
      instrumentation.manuallyInstrument(require('openai'))
      return (metadata, user, call) => {
        const ctx: Context = setUser(setMetadata(context.active(), metadata), { userId: user })
        return context.with(ctx, call)
      }
    }
    default:
      throw new Error(`unknown LIBRARY ${LIBRARY}`)
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
