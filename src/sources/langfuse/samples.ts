import type { JudgeSample } from '../../judge/judge.js'
import type { Arm } from '../../records/record.js'

/**
 * A source that can hand a judge a few production inputs and outputs. Kept apart from Evidence
 * on purpose: Evidence goes into reports and the decision record, and texts never do.
 */
export interface TextSampleSource {
  /** The samples of the last collect(), at most `samples` per arm; empty when none were asked for. */
  textSamples(): JudgeSample[]
}

/** Characters kept of one input or output. */
export const MAX_SAMPLE_CHARS = 16_384

/**
 * A uniform reservoir sample (Vitter's algorithm R) of k texts per arm over a stream of unknown
 * length, with a seeded generator so the same data gives the same sample. Memory: 2k texts.
 */
export class TextReservoir {
  private readonly kept: Record<Arm, JudgeSample[]> = { baseline: [], canary: [] }
  private readonly seen: Record<Arm, number> = { baseline: 0, canary: 0 }
  private state: number

  constructor(
    private readonly k: number,
    seed = 0x9e3779b9
  ) {
    this.state = seed >>> 0
  }

  /** Offers one call; the texts are read only when it is kept. */
  offer(arm: Arm, id: string, input: unknown, output: unknown): void {
    if (this.k === 0) return
    const n = ++this.seen[arm]
    const kept = this.kept[arm]
    const at = n <= this.k ? kept.length : Math.floor(this.random() * n)
    if (at >= this.k) return
    kept[at] = { id, arm, input: text(input), output: text(output) }
  }

  samples(): JudgeSample[] {
    return [...this.kept.baseline, ...this.kept.canary]
  }

  /** mulberry32 */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function text(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v)
  return s.length > MAX_SAMPLE_CHARS ? s.slice(0, MAX_SAMPLE_CHARS) : s
}
