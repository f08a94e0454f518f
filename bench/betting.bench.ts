/**
 * `npm run bench:betting`: the widths of the bounded confidence sequences a decision reads, as
 * ratios measured in the same run: the one-sided empirical-Bernstein bound (stats/cs/bernstein.ts
 * with `side`) against the two-sided one, and the betting bound (stats/cs/betting.ts) against the
 * empirical-Bernstein one, two-sided and one-sided. A bound's width is its distance from the
 * estimate (the upper side here; both sides are printed for two arms). Data at their expected
 * values (counts rounded), at alpha 0.05 and at the alpha the speed simulation gives one gating
 * metric's fail side, each sequence tuned as the gate tunes it to be tightest at that sample
 * (t* = n / 10 units of about 10 requests).
 */
import {
  boundedContrastCS,
  boundedCS,
  boundedRatioCS,
  JointRegion,
  type BoundedArm
} from '../src/stats/cs/bernstein.js'
import type { Side } from '../src/stats/cs/types.js'
import {
  bettingContrastCS,
  bettingCS,
  bettingRatioCS,
  BettingRegion,
  binaryArm,
  type DiscreteArm
} from '../src/stats/cs/betting.js'

const ALPHAS = [0.05, ((0.05 / 4) * 0.9) / 4]
const UNIT = { lo: 0, hi: 1 }
const f = (x: number) => x.toFixed(3)

/** Both forms of one arm: counts per level, and its n, sum and sum of squares. */
function arms(values: number[], probs: number[], n: number): { d: DiscreteArm; b: BoundedArm } {
  const counts = probs.map(p => Math.round(p * n))
  const total = counts.reduce((a, c) => a + c, 0)
  const sum = values.reduce((a, v, k) => a + v * counts[k]!, 0)
  const squares = values.reduce((a, v, k) => a + v * v * counts[k]!, 0)
  return {
    d: { values, counts, designEffect: 1 },
    b: { n: total, sum, squares, designEffect: 1 }
  }
}

const rate = (p: number, n: number) => {
  const k = Math.round(p * n)
  return { d: binaryArm(n, k), b: { n, sum: k, squares: k, designEffect: 1 } }
}

/** A five-level pair score: each order won w, tied t, independently. */
function pairScore(w: number, t: number, n: number) {
  const l = 1 - w - t
  const order = [l, t, w] // 0, 1/2, 1
  const probs = [0, 0, 0, 0, 0]
  order.forEach((a, i) => order.forEach((b, j) => (probs[i + j]! += a * b)))
  return arms([0, 0.25, 0.5, 0.75, 1], probs, n)
}

console.log('one arm: the upper bound distance from the estimate, ratios')
console.log(
  'alpha   | case                         | n      | EB 1-sided / EB 2-sided | betting / EB (2-sided) | betting / EB (1-sided)'
)
for (const alpha of ALPHAS) {
  for (const [label, make, n] of [
    ['rate p = 0.005', (n: number) => rate(0.005, n), 1000],
    ['rate p = 0.005', (n: number) => rate(0.005, n), 10_000],
    ['rate p = 0.005', (n: number) => rate(0.005, n), 100_000],
    ['rate p = 0.05', (n: number) => rate(0.05, n), 1000],
    ['rate p = 0.05', (n: number) => rate(0.05, n), 10_000],
    ['rate p = 0.5', (n: number) => rate(0.5, n), 100],
    ['rate p = 0.5', (n: number) => rate(0.5, n), 1000],
    ['judge score q = 0.6, worse', (n: number) => pairScore(0.3, 0.25, n), 200],
    ['judge score q = 0.6, worse', (n: number) => pairScore(0.3, 0.25, n), 1000],
    ['judge score, 98.5% ties', (n: number) => pairScore(0, 0.985, n), 200],
    ['judge score, 98.5% ties', (n: number) => pairScore(0, 0.985, n), 1000]
  ] as const) {
    const { d, b } = make(n)
    // t* counts units of about 10 requests (stats/cs/betting.ts REQUESTS_PER_UNIT): tightest at n.
    const tuning = { tStar: n / 10 }
    const up = (cs: { estimate: number; upper: number }) => cs.upper - cs.estimate
    const eb2 = up(boundedCS(b, UNIT, alpha, tuning))
    const eb1 = up(boundedCS(b, UNIT, alpha, tuning, 'upper'))
    const bet2 = up(bettingCS(d, UNIT, alpha, tuning))
    const bet1 = up(bettingCS(d, UNIT, alpha, tuning, 'upper'))
    console.log(
      `${alpha.toFixed(5)} | ${label.padEnd(28)} | ${String(n).padEnd(6)} | ${f(eb1 / eb2).padEnd(23)} | ${f(bet2 / eb2).padEnd(22)} | ${f(bet1 / eb1)}`
    )
  }
}

console.log(
  '\ntwo arms, canary 5% or 25% of the requests: the contrast canary - baseline and the ratio'
)
console.log(
  'alpha   | case                 | canary + baseline | side  | EB 1-sided / 2-sided | betting / EB 2-sided | betting / EB 1-sided | relative: betting / EB 1-sided'
)
for (const alpha of ALPHAS) {
  for (const [label, p, nc, share] of [
    ['rate p = 0.005', 0.005, 1000, 5],
    ['rate p = 0.005', 0.005, 5000, 5],
    ['rate p = 0.005', 0.005, 5000, 25],
    ['rate p = 0.05', 0.05, 1000, 25],
    ['rate p = 0.05', 0.05, 10_000, 25]
  ] as const) {
    const nb = Math.round((nc * (100 - share)) / share)
    const [c, b] = [rate(p, nc), rate(p, nb)]
    const tuning = { baseline: { tStar: nb / 10 }, canary: { tStar: nc / 10 } }
    for (const side of ['upper', 'lower'] as Side[]) {
      const dist = (x: { estimate: number; lower: number; upper: number }) =>
        side === 'upper' ? x.upper - x.estimate : x.estimate - x.lower
      const eb2 = dist(boundedContrastCS(new JointRegion(b.b, c.b, UNIT, alpha, tuning), 1))
      const eb1 = dist(boundedContrastCS(new JointRegion(b.b, c.b, UNIT, alpha, tuning, side), 1))
      const bet2 = dist(bettingContrastCS(new BettingRegion(b.d, c.d, UNIT, alpha, tuning), 1))
      const bet1 = dist(
        bettingContrastCS(new BettingRegion(b.d, c.d, UNIT, alpha, tuning, side), 1)
      )
      const ebr = dist(boundedRatioCS(new JointRegion(b.b, c.b, UNIT, alpha, tuning, side)))
      const betr = dist(bettingRatioCS(new BettingRegion(b.d, c.d, UNIT, alpha, tuning, side)))
      console.log(
        `${alpha.toFixed(5)} | ${label.padEnd(20)} | ${`${nc} + ${nb}`.padEnd(17)} | ${side.padEnd(5)} | ${f(eb1 / eb2).padEnd(20)} | ${f(bet2 / eb2).padEnd(20)} | ${f(bet1 / eb1).padEnd(20)} | ${f(betr / ebr)}`
      )
    }
  }
}
