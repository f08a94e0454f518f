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
   * When the rollout's first step began, epoch ms, for metrics with `varianceReduction`: a unit's
   * baseline records in [rolloutStartedAt - lookback, rolloutStartedAt) are its pre-exposure data
   * (MetricSketch.adjusted, DataQuality.preExposure). A source that cannot read them ignores it.
   */
  rolloutStartedAt?: number
}

/** The source could not produce evidence at all. The message says what and what to do. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SourceError'
  }
}

/**
 * A record sink that only notes the earliest canary record at or before `until` (for
 * Source.firstCanaryTime): everything else a source reports is ignored.
 */
export function earliestCanarySink(until: number) {
  let first: number | undefined
  const ignore = (): void => {}
  return {
    line: ignore,
    malformed: ignore,
    unmatchedArm: ignore,
    fileDone: ignore,
    add: (r: { arm: Arm; ts: number }) => {
      if (r.arm === 'canary' && r.ts <= until && (first === undefined || r.ts < first)) first = r.ts
    },
    first: () => first
  }
}
