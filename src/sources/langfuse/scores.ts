import type { ScoreValues } from './observation.js'

interface Column {
  field: string
  /** Observation id -> slot in values / times. */
  byObservation: Map<string, number>
  /** Trace id -> slot, for scores on a whole trace. */
  byTrace: Map<string, number>
  /** Session id -> slot, for scores on a whole session (a conversation's user feedback). */
  bySession: Map<string, number>
  values: number[]
  times: number[]
}

/** What a score is attached to (ScoreV3's `subject`). */
export interface ScoreTarget {
  observationId?: string
  traceId?: string
  sessionId?: string
}

/**
 * The scores of a window, joined to observations by observation id, else by trace id, else by
 * session id. One column
 * per record field (`score`, `scores.<name>`, `feedback`), each a Map from id to a slot in two
 * number arrays: about 100 bytes per score (mostly the id string), the one part of the Langfuse
 * source's memory that grows with traffic. Of duplicates (one call scored twice) the newest wins.
 */
export class ScoreTable {
  private readonly columns = new Map<string, Column>()

  add(field: string, target: ScoreTarget, value: number, at: number): void {
    let column = this.columns.get(field)
    if (column === undefined) {
      column = {
        field,
        byObservation: new Map(),
        byTrace: new Map(),
        bySession: new Map(),
        values: [],
        times: []
      }
      this.columns.set(field, column)
    }
    const [index, id] = target.observationId
      ? [column.byObservation, target.observationId]
      : target.traceId
        ? [column.byTrace, target.traceId]
        : target.sessionId
          ? [column.bySession, target.sessionId]
          : [undefined, undefined]
    if (index === undefined || id === undefined) return
    const slot = index.get(id)
    if (slot === undefined) {
      index.set(id, column.values.length)
      column.values.push(value)
      column.times.push(at)
    } else if (at >= (column.times[slot] as number)) {
      column.values[slot] = value
      column.times[slot] = at
    }
  }

  /**
   * The scores of one observation (its own, else its trace's, else its session's), or undefined
   * when it has none.
   */
  readonly lookup = (
    observationId: string,
    traceId: string | undefined,
    sessionId: string | undefined
  ): ScoreValues | undefined => {
    let out: ScoreValues | undefined
    for (const column of this.columns.values()) {
      const slot =
        column.byObservation.get(observationId) ??
        (traceId === undefined ? undefined : column.byTrace.get(traceId)) ??
        (sessionId === undefined ? undefined : column.bySession.get(sessionId))
      if (slot !== undefined) (out ??= new Map()).set(column.field, column.values[slot] as number)
    }
    return out
  }
}
