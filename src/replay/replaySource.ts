import type { Policy } from '../policy/types.js'
import type { DataQuality, Evidence } from '../sketch/evidence.js'
import type { CollectRequest, Source } from '../sources/source.js'
import type { Logs } from './read.js'
import type { RowCursor } from './rowStore.js'
import { WindowEvidence } from './windowEvidence.js'

/**
 * A Source over logs already read into rows (read.ts): collect() hands out the evidence of any
 * window without reading a file. Successive windows that share their start and grow (the looks of
 * one step) cost only the rows added since the last one; a window with another start (a new
 * step, a restart after a model change) starts a new accumulator at that time.
 */
export class ReplaySource implements Source {
  private window: WindowEvidence | undefined
  private cursor: RowCursor | undefined
  /** The end of the rows the window holds. */
  private through = -Infinity
  /** Counts rows with ts <= `countedTo`, for the records outside the window and in the future. */
  private counter: RowCursor | undefined
  private counted = 0
  private countedTo = -Infinity

  constructor(
    private readonly logs: Logs,
    private readonly policy: Policy,
    private readonly description: string
  ) {}

  describe(): string {
    return this.description
  }

  firstCanaryTime(until: number): Promise<number | undefined> {
    const first = this.logs.firstCanary
    return Promise.resolve(first !== undefined && first <= until ? first : undefined)
  }

  collect(request: CollectRequest): Promise<Evidence> {
    const { from, to } = request.window
    if (!this.window || this.window.from !== from || to < this.through) {
      this.cursor?.close()
      this.window = new WindowEvidence({ policy: this.policy, encoder: this.logs.encoder, from })
      this.cursor = this.logs.store.cursor(from)
      this.through = from
    }
    const cursor = this.cursor as RowCursor
    while (cursor.valid && cursor.ts < to) {
      this.window.add(cursor.buffer, cursor.at)
      cursor.advance()
    }
    this.through = to
    return Promise.resolve(this.window.evidence(to, this.description, this.quality(request.now)))
  }

  /** Frees the cursors' read buffers and files (the Logs' store is closed by its owner). */
  close(): void {
    this.cursor?.close()
    this.counter?.close()
  }

  /** The read's data quality as a collect() over [window.from, now) would report it. */
  private quality(now: number): DataQuality {
    const atOrBefore = this.countAtOrBefore(now)
    const records = (this.window as WindowEvidence).records
    const q = this.logs.quality
    return {
      ...q,
      malformedSamples: [...q.malformedSamples],
      unmatchedArms: { ...q.unmatchedArms },
      files: q.files.map(f => ({ ...f })),
      records,
      outsideWindow: atOrBefore - records,
      future: this.logs.records - atOrBefore,
      invalidValues: {}
    }
  }

  private countAtOrBefore(now: number): number {
    if (!this.counter || now < this.countedTo) {
      this.counter?.close()
      this.counter = this.logs.store.cursor()
      this.counted = 0
    }
    const counter = this.counter
    while (counter.valid && counter.ts <= now) {
      this.counted++
      counter.advance()
    }
    this.countedTo = now
    return this.counted
  }
}
