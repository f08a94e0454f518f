/**
 * Folding: the judgements as the judge metric's sketches in the evidence, so analysis and decide()
 * treat the judge metric like any other. Every value is a bounded per-item score (pairwise: the
 * pair's score; pointwise: the output's), length-adjusted when length control is on, with its
 * bounds on the sketch (judge/lengthControl.ts), and counts that are items (pairs or outputs).
 */
import type { JudgeSpec, MetricSpec } from '../policy/types.js'
import type { Arm } from '../records/record.js'
import { TOTAL_SEGMENT, type Cell, type Evidence } from '../sketch/evidence.js'
import { addCluster, emptyMoments } from '../sketch/moments.js'
import type { MetricSketch } from '../sketch/types.js'

/** One judged item's score as the metric sees it. */
export interface Scored {
  arm: Arm
  unit?: string
  /** The (adjusted) score. */
  s: number
}

export type Bounds = { lower: number; upper: number }

/**
 * Scores as the judge metric's sketches. Clustered by unit when the evidence is (requests of one
 * user are correlated). Pairwise is a one-sample problem, the canary's (adjusted) win rate against
 * the fixed reference 0.5: the baseline arm holds 0.5 once per canary value, in the same clusters,
 * so both arms count the pairs and the reference adds no variance.
 */
export function sketches(
  scored: readonly Scored[],
  mode: JudgeSpec['mode'],
  unitLevel: boolean,
  bounds: Record<Arm, Bounds>
): Record<Arm, MetricSketch> {
  // Each cluster carries its items' sum of squares (xx), so the sketch has the per-item sum of
  // squares (MetricSketch.requestSquares): without it the bounded CS must assume the largest
  // spread values in the range can have (x^2 <= x on [0, 1], a Bernoulli's), about 3 times the
  // variance of pair scores averaged over two orders, and the interval is needlessly wide.
  // And the count of each distinct score (MetricSketch.levels): the betting CS computes its
  // capital exactly from them (stats/cs/betting.ts).
  type Cluster = { x: number; y: number; xx: number }
  const clusters = (a: Arm): Cluster[] => {
    const mine = scored.filter(x => x.arm === a)
    if (!unitLevel) return mine.map(x => ({ x: x.s, y: 1, xx: x.s * x.s }))
    const byUnit = new Map<string, Cluster>()
    mine.forEach((x, i) => {
      const key = x.unit ?? `#${i}`
      const u = byUnit.get(key) ?? { x: 0, y: 0, xx: 0 }
      u.x += x.s
      u.y += 1
      u.xx += x.s * x.s
      byUnit.set(key, u)
    })
    return [...byUnit.values()]
  }
  const sketch = (cs: Cluster[], b: Bounds, values: readonly number[]): MetricSketch => {
    const moments = emptyMoments()
    for (const c of cs) addCluster(moments, c.x, c.y)
    const requests = cs.reduce((n, c) => n + c.y, 0)
    const requestSquares = cs.reduce((t, c) => t + c.xx, 0)
    const counts = new Map<number, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    const levels = { values: [...counts.keys()], counts: [...counts.values()] }
    return { moments, requests, requestSquares, levels, ...(!isUnit(b) && { bounds: b }) }
  }
  const scores = (a: Arm) => scored.filter(x => x.arm === a).map(x => x.s)
  const canary = clusters('canary')
  if (mode === 'pointwise') {
    return {
      baseline: sketch(clusters('baseline'), bounds.baseline, scores('baseline')),
      canary: sketch(canary, bounds.canary, scores('canary'))
    }
  }
  return {
    baseline: sketch(
      canary.map(c => ({ x: 0.5 * c.y, y: c.y, xx: 0.25 * c.y })),
      { lower: 0, upper: 1 },
      scores('canary').map(() => 0.5)
    ),
    canary: sketch(canary, bounds.canary, scores('canary'))
  }
}

const isUnit = (b: Bounds): boolean => b.lower === 0 && b.upper === 1

/**
 * The evidence with the judge metric's sketches in each arm's first total-segment cell, and empty
 * everywhere else: whatever the source read for `judge` (a field of that name) is not a judgement.
 */
export function withJudgeMetric(
  evidence: Evidence,
  metric: MetricSpec | undefined,
  bySketch: Record<Arm, MetricSketch>
): Evidence {
  const index = metric ? evidence.metrics.indexOf(metric.name) : -1
  if (index < 0) return evidence
  const first = new Map<Arm, Cell>()
  for (const cell of evidence.cells) {
    const before = first.get(cell.arm)
    if (cell.segment === TOTAL_SEGMENT && (!before || cell.bucket < before.bucket)) {
      first.set(cell.arm, cell)
    }
  }
  const cells = evidence.cells.map(cell => {
    const metrics = [...cell.metrics]
    metrics[index] =
      first.get(cell.arm) === cell ? bySketch[cell.arm] : { moments: emptyMoments(), requests: 0 }
    return { ...cell, metrics }
  })
  return { ...evidence, cells }
}
