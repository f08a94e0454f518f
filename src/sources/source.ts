import type { Arm } from '../records/record.js'
import type { Evidence } from '../sketch/evidence.js'

/**
 * A Source turns a window of traffic into Evidence: sketches per (arm, segment, time bucket).
 * Sources push aggregation down to whatever holds the data; the file source streams lines.
 * A source never throws for bad data: it counts it in `quality`. It throws SourceError only when it
 * cannot produce evidence at all (no file, unreachable server); the caller turns that into a hold.
 */
export interface Source {
  /** Where the data comes from, for the report (no secrets). */
  describe(): string
  collect(request: CollectRequest): Promise<Evidence>
  /** Earliest canary record at or before `until`, or undefined; used when no state says when the step began. */
  firstCanaryTime(until: number): Promise<number | undefined>
}

export interface CollectRequest {
  /** Half-open window [from, to), epoch ms. Records outside are counted, not used. */
  window: { from: number; to: number }
  /** Records after this are "in the future": ignored and counted (usually equal to window.to). */
  now: number
  /**
   * With a judge: texts per arm to keep for it (src/judge/sample.ts judgeSampleSize); default the
   * policy's `judge.sample`.
   */
  judgeSample?: number
  /**
   * When the rollout's first step began, epoch ms, for metrics with `varianceReduction`: a unit's
   * baseline records in [rolloutStartedAt - lookback, rolloutStartedAt) are its pre-exposure data
   * (MetricSketch.adjusted, DataQuality.preExposure). A source that cannot read them ignores it.
   */
  rolloutStartedAt?: number
  /**
   * Optional: told how a long read is going (sources that page, large files), often; the caller
   * decides what to print and how often.
   */
  progress?: (p: ReadProgress) => void
}

/** How far a read has got: totals so far. */
export interface ReadProgress {
  /** Lines (rows, spans, observations) read so far. */
  lines: number
  /** Pages fetched so far, for a source that pages (Langfuse). */
  pages?: number
  /** For files: those read so far (the current one not counted), of how many. */
  files?: { read: number; total: number }
}

/** The source could not produce evidence at all. The message says what and what to do. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SourceError'
  }
}

/**
 * A record sink that only notes the earliest canary record at or before `until` and no more than
 * `maxAge` before it (for Source.firstCanaryTime): an older record is a broken clock, never the
 * start of a step (collect() reports it as data quality). Everything else is ignored.
 */
export function earliestCanarySink(until: number, maxAge: number) {
  let first: number | undefined
  const since = until - maxAge
  const ignore = (): void => {}
  return {
    line: ignore,
    malformed: ignore,
    unmatchedArm: ignore,
    fileDone: ignore,
    add: (r: { arm: Arm; ts: number }) => {
      if (r.arm !== 'canary' || r.ts > until || r.ts < since) return
      if (first === undefined || r.ts < first) first = r.ts
    },
    first: () => first
  }
}

/**
 * The same window collected twice (a run that decides again after losing a compare-and-swap on
 * the state) is read once; so is the first canary time.
 */
export function memoizedSource(source: Source): Source {
  const collected = new Map<string, Promise<Evidence>>()
  let first: Promise<number | undefined> | undefined
  return {
    describe: () => source.describe(),
    collect: request => {
      const key = `${request.window.from}:${request.window.to}:${request.now}`
      let evidence = collected.get(key)
      if (!evidence) collected.set(key, (evidence = source.collect(request)))
      return evidence
    },
    firstCanaryTime: until => (first ??= source.firstCanaryTime(until))
  }
}
