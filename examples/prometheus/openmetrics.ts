/**
 * Turns request records (examples/generate-traffic.ts) into what a Prometheus would have scraped
 * from an OpenTelemetry-instrumented gateway: OpenMetrics text with timestamps, one scrape every
 * `scrapeMs`, ready for `promtool tsdb create-blocks-from openmetrics`. The series carry the
 * OpenTelemetry GenAI metric names as Prometheus exports them:
 *
 *   gen_ai_client_operation_duration_seconds          histogram (latency_ms / 1000)
 *   gen_ai_client_operation_time_to_first_chunk_seconds histogram (ttft_ms / 1000)
 *   gen_ai_client_token_usage{gen_ai_token_type="output"} histogram (completion tokens)
 *   gen_ai_client_token_usage_squares_total{...}     counter of squared tokens (for a mean's variance)
 *   llm_requests_total, llm_request_errors_total     counters
 *
 * A counter's value at scrape time t counts the records with ts < t, so increase() over [a, b]
 * counts exactly the records in [a, b) when a and b are scrape times: the same half-open window
 * the file source uses.
 */
import { createReadStream, createWriteStream, rmSync, type WriteStream } from 'node:fs'
import { once } from 'node:events'

/** Geometric bucket bounds from `first` to at least `last`, each `ratio` times the one before. */
export function geometricBounds(first: number, last: number, ratio: number): number[] {
  const bounds: number[] = []
  for (let b = first; b < last * ratio; b *= ratio) bounds.push(Number(b.toPrecision(4)))
  return bounds
}

export interface ScrapeOptions {
  /** Epoch ms of the first scrape (counters all 0 there). */
  start: number
  /** Epoch ms of the last scrape. */
  end: number
  scrapeMs: number
  /** The arm label and the record value -> label value (e.g. arm -> variant). */
  armLabel: string
  /** Arm values whose series exist from the first scrape (at 0), as a gateway exports them. */
  armValues: string[]
  bounds: { latency: number[]; ttft: number[]; tokens: number[] }
}

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

interface ArmSeries {
  latency: Histogram
  ttft: Histogram
  tokens: Histogram
  tokenSquares: number
  requests: number
  errors: number
}

const histogram = (bounds: number[]): Histogram => ({
  counts: new Array<number>(bounds.length).fill(0),
  sum: 0,
  count: 0
})

function observe(h: Histogram, bounds: number[], v: number): void {
  for (let i = 0; i < bounds.length; i++) if (v <= (bounds[i] as number)) (h.counts[i] as number)++
  h.sum += v
  h.count++
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(15))

/**
 * Writes the scrapes of `records` (time-ordered, with `arm`, `latency_ms`, `ttft_ms`,
 * `completion_tokens`, `error`) to `path`. Resolves with the number of sample lines.
 */
export async function writeOpenMetrics(
  path: string,
  records: Iterable<Record<string, unknown>>,
  o: ScrapeOptions
): Promise<number> {
  const arms = new Map<string, ArmSeries>()
  const armOf = (value: string): ArmSeries => {
    let a = arms.get(value)
    if (!a) {
      a = {
        latency: histogram(o.bounds.latency),
        ttft: histogram(o.bounds.ttft),
        tokens: histogram(o.bounds.tokens),
        tokenSquares: 0,
        requests: 0,
        errors: 0
      }
      arms.set(value, a)
    }
    return a
  }
  for (const value of o.armValues) armOf(value)
  // Each family goes to its own part file (OpenMetrics forbids interleaving families), then the
  // parts are concatenated: memory stays flat however long the scenario.
  const families = new Map<string, { out: WriteStream; buffer: string[] }>()
  const line = (family: string, text: string) => {
    let f = families.get(family)
    if (!f) families.set(family, (f = { out: createWriteStream(`${path}.${family}`), buffer: [] }))
    f.buffer.push(text)
  }
  const flush = async () => {
    for (const f of families.values()) {
      if (f.buffer.length === 0) continue
      const ok = f.out.write(f.buffer.join('\n') + '\n')
      f.buffer = []
      if (!ok) await once(f.out, 'drain')
    }
  }
  let samples = 0
  const scrape = (t: number) => {
    const ts = (t / 1000).toFixed(3)
    for (const [value, a] of [...arms.entries()].sort()) {
      const arm = `${o.armLabel}="${value}"`
      const hist = (family: string, h: Histogram, bounds: number[], extra = '') => {
        bounds.forEach((b, i) =>
          line(family, `${family}_bucket{${arm}${extra},le="${b}"} ${h.counts[i]} ${ts}`)
        )
        line(family, `${family}_bucket{${arm}${extra},le="+Inf"} ${h.count} ${ts}`)
        line(family, `${family}_sum{${arm}${extra}} ${fmt(h.sum)} ${ts}`)
        line(family, `${family}_count{${arm}${extra}} ${h.count} ${ts}`)
        samples += bounds.length + 3
      }
      hist('gen_ai_client_operation_duration_seconds', a.latency, o.bounds.latency)
      hist('gen_ai_client_operation_time_to_first_chunk_seconds', a.ttft, o.bounds.ttft)
      const output = ',gen_ai_token_type="output"'
      hist('gen_ai_client_token_usage', a.tokens, o.bounds.tokens, output)
      line(
        'gen_ai_client_token_usage_squares',
        `gen_ai_client_token_usage_squares_total{${arm}${output}} ${fmt(a.tokenSquares)} ${ts}`
      )
      line('llm_requests', `llm_requests_total{${arm}} ${a.requests} ${ts}`)
      line('llm_request_errors', `llm_request_errors_total{${arm}} ${a.errors} ${ts}`)
      samples += 3
    }
  }
  let next = o.start
  let scrapes = 0
  for (const r of records) {
    const ts = Date.parse(String(r.ts))
    while (next <= ts && next <= o.end) {
      scrape(next)
      next += o.scrapeMs
      if (++scrapes % 200 === 0) await flush()
    }
    if (next > o.end) break
    const a = armOf(String(r.arm))
    const tokens = Number(r.completion_tokens ?? 0)
    observe(a.latency, o.bounds.latency, Number(r.latency_ms) / 1000)
    observe(a.ttft, o.bounds.ttft, Number(r.ttft_ms) / 1000)
    observe(a.tokens, o.bounds.tokens, tokens)
    a.tokenSquares += tokens * tokens
    a.requests++
    if (r.error) a.errors++
  }
  for (; next <= o.end; next += o.scrapeMs) {
    scrape(next)
    if (++scrapes % 200 === 0) await flush()
  }
  await flush()
  for (const f of families.values()) {
    f.out.end()
    await once(f.out, 'finish')
  }

  const out = createWriteStream(path)
  const types: Record<string, string> = {
    gen_ai_client_token_usage_squares: 'counter',
    llm_requests: 'counter',
    llm_request_errors: 'counter'
  }
  for (const family of families.keys()) {
    out.write(`# TYPE ${family} ${types[family] ?? 'histogram'}\n`)
    for await (const chunk of createReadStream(`${path}.${family}`)) {
      if (!out.write(chunk)) await once(out, 'drain')
    }
    rmSync(`${path}.${family}`)
  }
  out.end('# EOF\n')
  await once(out, 'finish')
  return samples
}
