import type { LangfuseSourceSpec, Policy } from '../../policy/types.js'
import { FieldCatalog } from '../../records/fieldCatalog.js'
import { createNormalizer, isRequestRecord, type Normalizer } from '../../records/normalize.js'
import type { RequestRecord } from '../../records/record.js'
import { EvidenceBuilder } from '../../sketch/evidenceBuilder.js'
import { type Evidence } from '../../sketch/evidence.js'
import {
  SourceError,
  earliestCanarySink,
  type CollectRequest,
  type ReadProgress,
  type Source
} from '../source.js'
import {
  displayHost,
  isObject,
  LangfuseClient,
  type Fetch,
  type Query,
  type Sleep
} from './client.js'
import { OBSERVATION_FIELDS, observationMapper } from './observation.js'
import { ScoreTable } from './scores.js'
import { judgeSampler } from '../textSample.js'

export interface LangfuseSourceOptions {
  spec: LangfuseSourceSpec
  policy: Policy
  /** Where the key variables are looked up (default process.env). */
  env?: Record<string, string | undefined>
  fetch?: Fetch
  sleep?: Sleep
  /** First retry delay in ms (default 500). */
  backoffMs?: number
}

/** Page size of the v2 scores endpoint (page-numbered; Langfuse's page-based endpoints take 100). */
const SCORES_PAGE = 100

/** What one pass over the observations feeds. */
interface Sink {
  line(): void
  malformed(where: string, reason: string): void
  unmatchedArm(value: string): void
  add(r: RequestRecord): void
}

export interface LangfuseReadStats {
  observationPages: number
  scorePages: number
  requests: number
  retries: number
}

/**
 * Evidence from Langfuse: LLM calls (GENERATION observations by default) of the window, read
 * through the public API's v2 observations endpoint page by page and streamed into the same
 * EvidenceBuilder as the file source, so memory holds one page and the sketches, not the calls.
 * Scores (v2 scores endpoint) are read first and joined by observation id, else by trace id;
 * they are the one table that grows with traffic (one small entry per score).
 * SourceError (a hold) when the keys are missing, the server is down or answers garbage, after
 * bounded retries; a page that fails mid-way fails the whole collection, never a partial view.
 */
export class LangfuseSource implements Source {
  private readonly spec: LangfuseSourceSpec
  private readonly policy: Policy
  private readonly opts: LangfuseSourceOptions
  private readonly normalize: Normalizer
  private scorePages = 0
  /** Pages and requests of the last collect(), for the benchmark. */
  lastRead: LangfuseReadStats = { observationPages: 0, scorePages: 0, requests: 0, retries: 0 }

  constructor(opts: LangfuseSourceOptions) {
    this.opts = opts
    this.spec = opts.spec
    this.policy = opts.policy
    this.normalize = createNormalizer(opts.policy)
  }

  describe(): string {
    const arm = this.spec.arm
    const from = arm.from === 'metadata' ? `metadata.${arm.key}` : arm.from
    return `langfuse ${displayHost(this.spec.baseUrl)} (${this.spec.observationType} observations, arm from ${from})`
  }

  async collect(request: CollectRequest): Promise<Evidence> {
    const client = this.client()
    this.scorePages = 0
    const scores = await this.readScores(client, request.window.from)
    const builder = new EvidenceBuilder({
      policy: this.policy,
      window: request.window,
      now: request.now,
      source: this.describe()
    })
    // With a judge, the same seeded sample of texts per arm as the file source keeps (never logged).
    const sampler = judgeSampler(this.policy, request)
    const { from, to } = request.window
    const fields = new FieldCatalog(this.policy)
    const { lines, malformed, pages } = await this.readObservations(
      client,
      from,
      to,
      scores,
      builder,
      sampler &&
        ((r, o) => sampler.offer({ ...r, raw: { ...r.raw, input: o.input, output: o.output } })),
      fields,
      request.progress
    )
    builder.fileDone(`${client.origin} v2/observations (${pages} pages)`, lines, malformed)
    builder.fieldsSeen(fields.result())
    this.lastRead = {
      observationPages: pages,
      scorePages: this.scorePages,
      requests: client.stats.requests,
      retries: client.stats.retries
    }
    const evidence = builder.finish()
    return sampler ? { ...evidence, texts: sampler.samples() } : evidence
  }

  /** Earliest canary call within one maxDuration before `until`: a step never lasts longer. */
  async firstCanaryTime(until: number): Promise<number | undefined> {
    const sink = earliestCanarySink(until)
    await this.readObservations(
      this.client(),
      until - this.policy.rollout.maxDuration,
      until + 1,
      new ScoreTable(),
      sink
    )
    return sink.first()
  }

  private client(): LangfuseClient {
    const env = this.opts.env ?? process.env
    const key = (name: string, what: string): string => {
      const value = env[name]
      if (value === undefined || value.trim() === '') {
        throw new SourceError(
          `environment variable ${name} is not set: it must hold the Langfuse ${what} key of the project (in GitHub Actions, pass it from a secret: env: { ${name}: \${{ secrets.${name} }} })`
        )
      }
      return value.trim()
    }
    return new LangfuseClient({
      baseUrl: this.spec.baseUrl,
      publicKey: key(this.spec.publicKeyEnv, 'public'),
      secretKey: key(this.spec.secretKeyEnv, 'secret'),
      timeoutMs: this.spec.timeout,
      retries: this.spec.retries,
      ...(this.opts.fetch && { fetch: this.opts.fetch }),
      ...(this.opts.sleep && { sleep: this.opts.sleep }),
      ...(this.opts.backoffMs !== undefined && { backoffMs: this.opts.backoffMs })
    })
  }

  private async readObservations(
    client: LangfuseClient,
    from: number,
    to: number,
    scores: ScoreTable,
    sink: Sink,
    onRecord?: (r: RequestRecord, o: Record<string, unknown>) => void,
    fields?: FieldCatalog,
    progress?: (p: ReadProgress) => void
  ): Promise<{ lines: number; malformed: number; pages: number }> {
    const spec = this.spec
    const armLabels = new Set([...this.policy.arms.baseline, ...this.policy.arms.canary])
    const map = observationMapper(spec.arm, this.policy.arms.field, armLabels)
    const query: Query = {
      fields: [...OBSERVATION_FIELDS, ...(onRecord ? ['io'] : [])].join(','),
      limit: spec.pageSize,
      fromStartTime: new Date(from).toISOString(),
      toStartTime: new Date(to).toISOString(),
      type: spec.observationType,
      name: spec.name,
      environment: spec.environment
    }
    let lines = 0
    let malformed = 0
    let pages = 0
    for await (const page of client.observations(query)) {
      pages++
      progress?.({ lines, pages })
      for (const o of page.data) {
        lines++
        sink.line()
        const mapped = isObject(o) ? map(o, scores.lookup) : { malformed: 'not a JSON object' }
        if ('malformed' in mapped) {
          malformed++
          sink.malformed(where(o, lines), mapped.malformed)
          continue
        }
        fields?.add(mapped.raw)
        const result = this.normalize(mapped.raw)
        if (isRequestRecord(result)) {
          sink.add(result)
          onRecord?.(result, o)
        } else if ('unmatchedArm' in result) sink.unmatchedArm(result.unmatchedArm)
        else {
          if (result.missing === 'arm') fields?.armless(mapped.raw)
          else if (result.missing === 'timestamp') fields?.timeless(mapped.raw)
          malformed++
          sink.malformed(where(o, lines), result.malformed)
        }
      }
    }
    return { lines, malformed, pages }
  }

  // The scores the policy maps, keyed by observation id and by trace id; the newest of duplicates.
  /**
   * Scores of the calls since `from`, created up to the time of the query (no upper bound: an
   * online evaluator scores a call after it ends, as a log line carries its score when written).
   */
  private async readScores(client: LangfuseClient, from: number): Promise<ScoreTable> {
    const table = new ScoreTable()
    for (const [name, field] of Object.entries(this.spec.scores)) {
      const query: Query = {
        name,
        limit: SCORES_PAGE,
        fromTimestamp: new Date(from).toISOString(),
        environment: this.spec.environment,
        fields: 'score'
      }
      for await (const data of client.scores(query)) {
        this.scorePages++
        for (const s of data) {
          if (s.name !== name) continue
          const value = scoreValue(s)
          if (value === undefined) continue
          const at = typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : 0
          table.add(field, s.observationId, s.traceId, value, at)
        }
      }
    }
    return table
  }
}

/**
 * A score's number: NUMERIC and BOOLEAN (1 / 0) values; a CATEGORICAL one only through its
 * config's numeric mapping. TEXT and CORRECTION scores carry no number and are skipped. A
 * non-numeric value is kept as NaN so the metric counts it as invalid rather than dropping it.
 */
function scoreValue(s: Record<string, unknown>): number | undefined {
  const type = s.dataType
  if (type === 'TEXT' || type === 'CORRECTION') return undefined
  const v = s.value
  if (typeof v === 'number') return v
  return type === 'CATEGORICAL' ? undefined : NaN
}

/** An observation by id (or position), never by content. */
function where(o: unknown, line: number): string {
  return `observation ${isObject(o) && typeof o.id === 'string' ? o.id.slice(0, 64) : `#${line}`}`
}
