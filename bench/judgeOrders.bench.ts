/**
 * `npm run bench:judge-orders`: judged pairs to a decision when each pair scores the mean of its
 * two orders (this tree) against the rule before it (commit 095ba11: two agreeing verdicts stand,
 * disagreeing ones are a tie), on the same simulated verdicts. Each pair's truth is drawn as in
 * the table (test/helpers/judgeRollout.ts: grades 2..5, the worse canary one grade lower
 * on 60% of inputs, the much worse one on every input, the better one higher on 60%); the judge states the true verdict with probability q in each order, else
 * another answer (spread over the other two, or always "tie"). Both rules feed the gate's own
 * confidence sequence (judge/fold.ts sketches, analysis/compareMetric.ts) with the policy of
 * `npm run validate:judge` (tolerance 0.05, 30 pairs at least), looked at every 20 pairs, until the
 * metric passes or fails or 20,000 pairs. Prints per row the median pairs to a decision, the
 * share of runs decided right, and the ratio of the medians.
 *
 * With the tie rule a pair's expected score moves from 0.5 by about q^2 of the true difference
 * (both orders must state it), with the mean of the orders by about q: the effect the gate sees is
 * larger, and a canary worse beyond the tolerance is not shrunk back inside it.
 */
import { compareMetric, type CompareContext } from '../src/analysis/compareMetric.js'
import { familySize, tStar } from '../src/analysis/analyze.js'
import { parsePolicy } from '../src/policy/parse.js'
import { emptyMoments } from '../src/sketch/moments.js'
import type { MetricSketch } from '../src/sketch/types.js'
import { bonferroni } from '../src/stats/alphaSpending.js'
import { rng } from '../test/helpers/judgeTraffic.js'

const RUNS = Number(process.argv[2] ?? 200)
const LOOK = 20
const MAX_PAIRS = 20_000

const policy = parsePolicy(
  `version: 1
rollout: { name: bench, steps: [50, 100], minDuration: 30m, warmup: 0s, minSamples: 50 }
arms: { field: arm, baseline: baseline, canary: canary }
source: { type: file, path: traffic.jsonl }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10%, mode: report }
judge:
  model: stand-in
  rubric: correct
  mode: pairwise
  metric: { tolerance: 0.05, minSamples: 30 }
`,
  'bench.yml'
)
const metric = policy.metrics.find(m => m.from === 'judge')!
const ctx: CompareContext = {
  alpha: bonferroni(1 - policy.confidence, familySize(policy.metrics)),
  tStar: tStar(policy.rollout.minSamples, 50),
  minSamples: policy.rollout.minSamples,
  canaryRequests: 0,
  canaryRate: 0
}

type Truth = 'much worse' | 'worse' | 'equal' | 'better'
/** The canary's true verdict on one input: 1 win, 0.5 tie, 0 loss. */
function truth(kind: Truth, random: () => number): number {
  const uniform = () => 2 + Math.floor(random() * 4)
  const b = uniform()
  const c =
    kind === 'much worse'
      ? uniform() - 1
      : kind === 'worse'
        ? Math.max(1, uniform() - (random() < 0.6 ? 1 : 0))
        : kind === 'better'
          ? Math.min(5, uniform() + (random() < 0.6 ? 1 : 0))
          : uniform()
  return c > b ? 1 : c < b ? 0 : 0.5
}

/** The verdict one order states: the truth with probability q, else another answer. */
function stated(t: number, q: number, unsure: 'spread' | 'tie', random: () => number): number {
  if (random() < q) return t
  if (unsure === 'tie') return 0.5
  const others = [0, 0.5, 1].filter(v => v !== t)
  return others[random() < 0.5 ? 0 : 1] as number
}

const sketch = (sx: number, sxx: number, n: number): MetricSketch => {
  const moments = emptyMoments()
  moments.n = n
  moments.sx = sx
  moments.sy = n
  moments.sxx = sxx
  moments.syy = n
  moments.sxy = sx
  return { moments, requests: n }
}

/** Pairs until the metric's verdict, and the verdict (`inconclusive` at MAX_PAIRS). */
function pairsToDecision(scores: () => number): { pairs: number; verdict: string } {
  let sx = 0
  let sxx = 0
  for (let n = 1; n <= MAX_PAIRS; n++) {
    const s = scores()
    sx += s
    sxx += s * s
    if (n % LOOK !== 0) continue
    const verdict = compareMetric(
      metric,
      sketch(0.5 * n, 0.25 * n, n),
      sketch(sx, sxx, n),
      ctx
    ).verdict
    if (verdict !== 'inconclusive') return { pairs: n, verdict }
  }
  return { pairs: MAX_PAIRS, verdict: 'inconclusive' }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const rows: string[][] = [
  ['truth', 'judge', 'disagreement = tie (095ba11)', 'mean of both orders', 'pairs: before / after']
]
const JUDGES: { q: number; unsure: 'spread' | 'tie' }[] = [
  { q: 0.6, unsure: 'tie' },
  { q: 0.6, unsure: 'spread' },
  { q: 0.8, unsure: 'spread' }
]
const RIGHT: Record<Truth, string> = {
  'much worse': 'fail',
  worse: 'fail',
  equal: 'pass',
  better: 'pass'
}
for (const kind of ['much worse', 'worse', 'equal', 'better'] as Truth[]) {
  for (const j of JUDGES) {
    const cells = (['tie', 'mean'] as const).map(rule => {
      const pairs: number[] = []
      let right = 0
      for (let run = 1; run <= RUNS; run++) {
        // The same seed for both rules: the same truths and the same stated verdicts.
        const random = rng(run * 7919 + kind.length * 31 + Math.round(j.q * 100))
        const r = pairsToDecision(() => {
          const t = truth(kind, random)
          const a = stated(t, j.q, j.unsure, random)
          const b = stated(t, j.q, j.unsure, random)
          return rule === 'mean' ? (a + b) / 2 : a === b ? a : 0.5
        })
        pairs.push(r.pairs)
        if (r.verdict === RIGHT[kind]) right++
      }
      return { median: median(pairs), right: right / RUNS }
    })
    const [before, after] = cells as [
      { median: number; right: number },
      { median: number; right: number }
    ]
    const show = (c: { median: number; right: number }) =>
      `${c.median} pairs (${Math.round(c.right * 100)}% ${RIGHT[kind]})`
    rows.push([
      kind,
      `q = ${j.q}, else ${j.unsure === 'tie' ? 'a tie' : 'another answer'}`,
      show(before),
      show(after),
      `×${(before.median / after.median).toFixed(2)}`
    ])
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)))
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '))
console.log(
  `\nmedian judged pairs to the gate verdict over ${RUNS} seeded runs a row (the same truths and verdicts for both rules), looked at every ${LOOK} pairs; the share of runs decided right in brackets`
)
