import type { LangfuseSourceSpec, Policy } from '../../policy/types.js'
import { FieldCatalog } from '../../records/fieldCatalog.js'
import { createNormalizer, isRequestRecord, type Normalizer } from '../../records/normalize.js'
import type { RequestRecord } from '../../records/record.js'
import { EvidenceBuilder } from '../../sketch/evidenceBuilder.js'
import { DEFAULT_MAX_AGE_MS, type Evidence } from '../../sketch/evidence.js'
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
import { ScoreTable, type ScoreTarget } from './scores.js'
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

/** Page size of the v3 scores endpoint (its maximum: a larger limit is an HTTP 400). */
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
 * Scores (v3 scores endpoint) are read first and joined by observation id, else by trace id (else session);
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
    const { table: scores, warnings } = await this.readScores(client, request.window.from)
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
    if (warnings.length > 0) {
      evidence.quality.warnings = [...(evidence.quality.warnings ?? []), ...warnings]
    }
    return sampler ? { ...evidence, texts: sampler.samples() } : evidence
  }

  /** Earliest canary call within one maxDuration before `until`: a step never lasts longer. */
  async firstCanaryTime(until: number): Promise<number | undefined> {
    const sink = earliestCanarySink(until, this.policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS)
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
    const expand = metadataKeys(this.policy, spec)
    const query: Query = {
      fields: [...OBSERVATION_FIELDS, ...(onRecord ? ['io'] : [])].join(','),
      expandMetadata: expand.length > 0 ? expand.join(',') : undefined,
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

  /**
   * Scores of the calls since `from`, created up to the time of the query (no upper bound: an
   * online evaluator scores a call after it ends, as a log line carries its score when written),
   * read through the v3 scores API with their `subject` (the observation, trace or session each
   * is attached to). The policy's score names go in one comma-separated `name` filter (one query
   * per name when a name holds a comma). Scores with no number (CATEGORICAL, TEXT, CORRECTION)
   * are skipped; categorical ones the policy names are counted in a warning.
   */
  private async readScores(
    client: LangfuseClient,
    from: number
  ): Promise<{ table: ScoreTable; warnings: string[] }> {
    const table = new ScoreTable()
    const names = Object.keys(this.spec.scores)
    if (names.length === 0) return { table, warnings: [] }
    const groups = names.some(n => n.includes(',')) ? names.map(n => [n]) : [names]
    const categorical = new Map<string, number>()
    for (const group of groups) {
      const query: Query = {
        name: group.join(','),
        limit: SCORES_PAGE,
        fromTimestamp: new Date(from).toISOString(),
        environment: this.spec.environment?.join(','),
        fields: 'subject'
      }
      for await (const data of client.scores(query)) {
        this.scorePages++
        for (const s of data) {
          const name = s.name
          if (typeof name !== 'string' || !group.includes(name)) continue
          const value = scoreValue(s)
          if (value === undefined) {
            if (s.dataType === 'CATEGORICAL')
              categorical.set(name, (categorical.get(name) ?? 0) + 1)
            continue
          }
          const target = subjectOf(s.subject)
          if (target === undefined) continue
          const at = typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : 0
          table.add(this.spec.scores[name] as string, target, value, at)
        }
      }
    }
    const warnings = [...categorical].map(
      ([name, n]) =>
        `${n} Langfuse scores "${name}" are CATEGORICAL: a category has no number in the v3 scores API, so they were skipped (use a NUMERIC or BOOLEAN score)`
    )
    return { table, warnings }
  }
}

/**
 * A v3 score's number (ScoreV3: `value` is a number for NUMERIC, a boolean for BOOLEAN, a string
 * for CATEGORICAL, TEXT and CORRECTION): NUMERIC as it is, BOOLEAN as 1 / 0; undefined for the
 * rest. A NUMERIC or BOOLEAN value of another type is kept as NaN, so the metric counts it as
 * invalid rather than dropping it.
 */
function scoreValue(s: Record<string, unknown>): number | undefined {
  const v = s.value
  switch (s.dataType) {
    case 'NUMERIC':
      return typeof v === 'number' ? v : NaN
    case 'BOOLEAN':
      return typeof v === 'boolean' ? (v ? 1 : 0) : v === 1 || v === 0 ? v : NaN
    default:
      return undefined
  }
}

/** What a score is attached to (ScoreSubjectV3, discriminated by `kind`); experiments are not calls. */
function subjectOf(subject: unknown): ScoreTarget | undefined {
  if (!isObject(subject) || typeof subject.id !== 'string' || subject.id === '') return undefined
  switch (subject.kind) {
    case 'observation':
      return typeof subject.traceId === 'string'
        ? { observationId: subject.id, traceId: subject.traceId }
        : { observationId: subject.id }
    case 'trace':
      return { traceId: subject.id }
    case 'session':
      return { sessionId: subject.id }
    default:
      return undefined
  }
}

/**
 * The metadata keys the policy reads (the arm from metadata, segment dimensions, the unit, metric
 * fields named `metadata.<key>`): sent as `expandMetadata`, since the v2 observations API cuts
 * metadata values to 200 characters unless a key is named there.
 */
export function metadataKeys(policy: Policy, spec: LangfuseSourceSpec): string[] {
  const keys = new Set<string>()
  if (spec.arm.from === 'metadata') keys.add(spec.arm.key)
  const fields = [
    ...(policy.segments?.by ?? []),
    ...(policy.arms.unit !== undefined ? [policy.arms.unit] : []),
    ...policy.metrics.flatMap(m => [m.from, ...(m.per !== undefined ? [m.per] : [])])
  ]
  for (const field of fields) {
    if (!field.startsWith('metadata.')) continue
    const key = field.slice('metadata.'.length).split('.')[0]
    if (key) keys.add(key)
  }
  return [...keys]
}

/** An observation by id (or position), never by content. */
function where(o: unknown, line: number): string {
  return `observation ${isObject(o) && typeof o.id === 'string' ? o.id.slice(0, 64) : `#${line}`}`
}
