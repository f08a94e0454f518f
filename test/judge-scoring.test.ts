/**
 * The judge's statistics on their own: the length control's design weights against an independent
 * least-squares fit, the probability-weighted scores (G-Eval), the degraded controls, the anytime
 * test behind the health checks (validity by seeded simulation), and the cache keys.
 */
import { describe, expect, it } from 'vitest'
import { itemKey, JudgementCache, judgeKey } from '../src/judge/cache.js'
import { degrade, scramble, shuffleFacts } from '../src/judge/controls.js'
import { degradedCheck, flipCheck, identicalCheck, kappaCheck } from '../src/judge/health.js'
import { adjusted, armDesign, pairDesign } from '../src/judge/lengthControl.js'
import { readGrade, readVerdict, canaryExpected } from '../src/judge/scoring.js'
import { DEFAULT_LEVELS } from '../src/policy/judgeSchema.js'
import type { JudgeSpec } from '../src/policy/types.js'
import { logMixtureEValue, rejects } from '../src/stats/bernoulliTest.js'
import { rng } from './helpers/judgeTraffic.js'

const LC = { enabled: true, maxInflation: 100 }

/** Ordinary least squares by the normal equations (Gaussian elimination), for two columns + 1. */
function ols(x: number[][], y: number[]): number[] {
  const k = x[0]!.length
  const a = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k + 1 }, (_, j) =>
      x.reduce((t, row, r) => t + row[i]! * (j < k ? row[j]! : y[r]!), 0)
    )
  )
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < k; r++) {
      if (r === c) continue
      const f = a[r]![c]! / a[c]![c]!
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!
    }
  }
  return a.map((row, i) => row[k]! / row[i]!)
}

describe('length control', () => {
  it('pairwise: the mean adjusted score is the least-squares intercept at equal length', () => {
    const random = rng(7)
    const diffs = Array.from({ length: 80 }, () => Math.round((random() - 0.7) * 600))
    const scores = diffs.map(() => [0, 0.25, 0.5, 0.75, 1][Math.floor(random() * 5)]!)
    const design = pairDesign(diffs, LC, 800)
    const z = scores.map((s, i) => adjusted(design.m[i]!, s))
    const mean = z.reduce((a, b) => a + b, 0) / z.length
    // Both length features (the step and AlpacaEval's tanh), read at equal length.
    const [intercept] = ols(
      design.x.map((x, i) => [1, design.step[i]!, x]),
      scores
    )
    expect(mean).toBeCloseTo(intercept!, 12)
    // Every adjusted score within the bounds known before judging.
    for (const v of z) {
      expect(v).toBeGreaterThanOrEqual(design.bounds.lower - 1e-12)
      expect(v).toBeLessThanOrEqual(design.bounds.upper + 1e-12)
    }
    // Variance inflation of the intercept: the mean of the squared weights (the OLS intercept's
    // variance factor, [(X'X / N)^-1]_00).
    expect(design.inflation).toBeCloseTo(
      design.m.reduce((t, m) => t + m * m, 0) / design.m.length,
      10
    )
  })

  it('pairwise: removes a pure length preference exactly, smooth or a step, whatever its size', () => {
    const random = rng(3)
    const diffs = Array.from({ length: 60 }, () => Math.round((random() - 0.75) * 800))
    const base = pairDesign(diffs, LC, 600)
    for (const [smooth, step] of [
      [0, 0],
      [0.2, 0],
      [0, 0.3],
      [0.25, 0.15]
    ] as const) {
      // The judge's score is 0.5 (equal quality) plus a length term on the design's features.
      const scores = base.x.map((x, i) => 0.5 + smooth * x + step * base.step[i]!)
      const z = scores.map((s, i) => adjusted(base.m[i]!, s))
      expect(z.reduce((a, b) => a + b, 0) / z.length).toBeCloseTo(0.5, 12)
    }
  })

  it('treats differences inside the equal-length band as equal, and no overlap as confounded', () => {
    // Templated answers two characters apart: no length to control.
    const tiny = pairDesign([-2, -2, -3, -1, -2, -2], LC, 300)
    expect(tiny.inflation).toBe(1)
    expect(tiny.m.every(m => m === 1)).toBe(true)
    // Every pair 300 characters apart: length and arm coincide.
    const all = pairDesign([-300, -300, -300, -300], LC, 600)
    expect(all.inflation).toBe(Infinity)
    // The canary shorter in all but a few pairs: a large inflation, over the default limit of 4.
    const barely = pairDesign(
      [...Array<number>(38).fill(-400), 10, 400],
      { enabled: true, maxInflation: 4 },
      800
    )
    expect(barely.inflation).toBeGreaterThan(4)
    expect(barely.m.every(m => m === 1)).toBe(true) // past the limit the raw scores are kept
    // Off: every weight 1.
    expect(pairDesign([-400, 300], { enabled: false, maxInflation: 4 }, 800).m).toEqual([1, 1])
  })

  it('pointwise: the difference of the arms mean adjusted scores is the ANCOVA coefficient', () => {
    const random = rng(11)
    const lengths = {
      baseline: Array.from({ length: 50 }, () => 300 + Math.round(random() * 500)),
      canary: Array.from({ length: 40 }, () => 200 + Math.round(random() * 400))
    }
    const y = {
      baseline: lengths.baseline.map(l => Math.min(1, 0.3 + l / 1500 + random() * 0.2)),
      canary: lengths.canary.map(l => Math.min(1, 0.25 + l / 1500 + random() * 0.2))
    }
    const d = armDesign(lengths, LC)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const zb = y.baseline.map((s, i) => adjusted(d.baseline.m[i]!, s))
    const zc = y.canary.map((s, i) => adjusted(d.canary.m[i]!, s))
    const coef = ols(
      [
        ...d.baseline.x.map((x, i) => [1, 0, d.baseline.step[i]!, x]),
        ...d.canary.x.map((x, i) => [1, 1, d.canary.step[i]!, x])
      ],
      [...y.baseline, ...y.canary]
    )
    expect(mean(zc) - mean(zb)).toBeCloseTo(coef[1]!, 12)
  })
})

describe('probability-weighted scores (G-Eval)', () => {
  const tokens = (parts: string[], at: number, top: { token: string; p: number }[]) =>
    parts.map((token, i) => ({
      token,
      top:
        i === at
          ? top.map(t => ({ token: t.token, logprob: Math.log(t.p) }))
          : [{ token, logprob: 0 }]
    }))

  it('weights a grade by the probabilities of the grades at its token', () => {
    const content = '{"feedback":"Mostly right.","grade":4}'
    const parts = ['{"', 'feedback', '":"', 'Mostly', ' right', '.","', 'grade', '":', '4', '}']
    expect(parts.join('')).toBe(content)
    const r = readGrade(
      content,
      tokens(parts, 8, [
        { token: '4', p: 0.6 },
        { token: '5', p: 0.3 },
        { token: '3', p: 0.05 },
        { token: 'x', p: 0.05 }
      ])
    )
    // Normalised over the grades: 4 (0.6), 5 (0.3), 3 (0.05) of 0.95.
    const expected = (0.6 * 0.75 + 0.3 * 1 + 0.05 * 0.5) / 0.95
    expect(r).toMatchObject({ stated: 0.75, weighted: true })
    expect(r?.score).toBeCloseTo(expected, 12)
  })

  it('reads the grade when a token also carries the `":` before it, or falls back to the text', () => {
    const content = '{"feedback":"ok","grade":2}'
    const parts = ['{"', 'feedback', '":"', 'ok', '","', 'grade', '":2', '}']
    const r = readGrade(
      content,
      tokens(parts, 6, [
        { token: '":2', p: 0.5 },
        { token: '":1', p: 0.5 }
      ])
    )
    expect(r?.score).toBeCloseTo(0.125, 12)
    // Too little recognised mass (under half): the stated grade.
    const thin = readGrade(
      content,
      tokens(parts, 6, [
        { token: '":2', p: 0.3 },
        { token: 'zz', p: 0.7 }
      ])
    )
    expect(thin).toEqual({ stated: 0.25, score: 0.25, weighted: false })
    expect(readGrade(content)).toEqual({ stated: 0.25, score: 0.25, weighted: false })
    expect(readGrade('{"feedback":"x","grade":9}')).toBeUndefined()
  })

  it('weights a verdict: the canary expected score in its position', () => {
    const content = '{"feedback":"A is complete.","winner":"A"}'
    const parts = [
      '{"',
      'feedback',
      '":"',
      'A',
      ' is',
      ' complete',
      '.","',
      'winner',
      '":"',
      'A',
      '"}'
    ]
    expect(parts.join('')).toBe(content)
    const r = readVerdict(
      content,
      tokens(parts, 9, [
        { token: 'A', p: 0.7 },
        { token: 'tie', p: 0.2 },
        { token: 'B', p: 0.1 }
      ])
    )
    expect(r?.stated).toBe('A')
    expect(canaryExpected(r!, 'A')).toBeCloseTo(0.7 + 0.1, 12)
    expect(canaryExpected(r!, 'B')).toBeCloseTo(0.1 + 0.1, 12)
    expect(canaryExpected({ stated: 'tie' }, 'A')).toBe(0.5)
  })
})

describe('degraded controls', () => {
  const text =
    'Your order 4821 ships on Monday from Rotterdam. It arrives within 3 days at the Lisbon depot, and the courier calls 30 minutes ahead.'

  it('scrambles the words of each sentence (reversed), keeping the length', () => {
    const s = scramble(text)!
    expect(s).toBe(
      'Rotterdam from Monday on ships 4821 order Your. ahead minutes 30 calls courier the and depot, Lisbon the at days 3 within arrives It.'
    )
    expect(s.length).toBe(text.length)
    expect(scramble('Too short to scramble.')).toBeUndefined()
  })

  it('shuffles the numbers of one length (every one changes), else the names', () => {
    const numbers =
      'Your order 4821 ships on Monday from Rotterdam. It arrives within 3 days at depot 12, and the courier calls 30 minutes ahead, or 5.'
    const s = shuffleFacts(numbers)!
    // Two groups of two: the longer numbers are swapped, the others kept.
    expect(s).toBe(
      'Your order 4821 ships on Monday from Rotterdam. It arrives within 3 days at depot 30, and the courier calls 12 minutes ahead, or 5.'
    )
    expect(s.length).toBe(numbers.length)
    // Keys and values in step: shifting both would move each value with its key and keep every
    // statement true; only the largest group (the values, the longer ones on a tie) moves.
    const table = 'Value 1 of case 523 is 45. Value 2 of case 523 is 67. Value 3 of case 523 is 12.'
    expect(shuffleFacts(table)).toBe(
      'Value 1 of case 523 is 67. Value 2 of case 523 is 12. Value 3 of case 523 is 45.'
    )
    const names =
      'The parcel left the warehouse in Aveiro and goes to the Lisbon depot, then to the Braga office for you.'
    expect(shuffleFacts(names)).toBe(
      'The parcel left the warehouse in Lisbon and goes to the Aveiro depot, then to the Braga office for you.'
    )
    // Nothing to shuffle: the words are scrambled instead; the same length either way.
    const plain = 'one two three four five six seven eight nine ten eleven twelve.'
    expect(degrade(plain, 'shuffled')).toEqual({
      kind: 'scrambled',
      text: 'twelve eleven ten nine eight seven six five four three two one.'
    })
    // One number of each length: the names of one length are swapped instead.
    expect(shuffleFacts(text)).toBe(
      'Your order 4821 ships on Lisbon from Rotterdam. It arrives within 3 days at the Monday depot, and the courier calls 30 minutes ahead.'
    )
  })
})

describe('the anytime-valid control test', () => {
  it('matches the mixture integral computed numerically', () => {
    const direct = (k: number, n: number, p0: number, side: 'above' | 'below') => {
      const [a, b] = side === 'above' ? [p0, 1] : [0, p0]
      const steps = 20000
      let s = 0
      for (let i = 0; i < steps; i++) {
        const p = a + ((b - a) * (i + 0.5)) / steps
        s += (p / p0) ** k * ((1 - p) / (1 - p0)) ** (n - k)
      }
      return Math.log(s / steps)
    }
    for (const [k, n, p0, side] of [
      [7, 7, 0.5, 'above'],
      [3, 10, 0.5, 'above'],
      [0, 60, 0.5, 'above'],
      [20, 30, 1 / 3, 'above'],
      [0, 12, 1 / 3, 'below'],
      [5, 40, 0.5, 'below']
    ] as const) {
      expect(logMixtureEValue(k, n, p0, side)).toBeCloseTo(direct(k, n, p0, side), 6)
    }
  })

  it('rejects a true null at most alpha of the time, looked at every 5 trials (seeded simulation)', () => {
    // 1,000 runs of 150 trials at the boundary p = p0, looked at every 5: the share that ever
    // rejects, with its 95% binomial (Wilson) interval, must stay under alpha.
    const alpha = 0.05
    const runs = 1000
    for (const [p0, side] of [
      [0.5, 'above'],
      [1 / 3, 'above'],
      [0.5, 'below']
    ] as const) {
      const random = rng(p0 * 1000 + side.length)
      let rejected = 0
      for (let r = 0; r < runs; r++) {
        let k = 0
        for (let n = 1; n <= 150; n++) {
          if (random() < p0) k++
          if (n % 5 === 0 && rejects(k, n, p0, side, alpha)) {
            rejected++
            break
          }
        }
      }
      const rate = rejected / runs
      const [low, high] = wilson(rejected, runs)
      console.log(
        `control test at p0 = ${p0.toFixed(3)} (${side}): false rejections ${(rate * 100).toFixed(1)}% [${(low * 100).toFixed(1)}, ${(high * 100).toFixed(1)}] of ${runs}`
      )
      expect(rate).toBeLessThanOrEqual(alpha)
    }
  })

  it('passes a sound judge, fails a blind one, and waits in between', () => {
    expect(identicalCheck({ right: 4, wrong: 0, ties: 0 }, 0.05).status).toBe('passed')
    expect(identicalCheck({ right: 2, wrong: 0, ties: 0 }, 0.05).status).toBe('pending')
    expect(identicalCheck({ right: 0, wrong: 12, ties: 0 }, 0.05).status).toBe('failed')
    expect(degradedCheck({ right: 7, wrong: 0, ties: 1 }, 0.05).status).toBe('passed')
    // A judge that calls every degraded copy a tie cannot tell it from the original.
    expect(degradedCheck({ right: 0, wrong: 0, ties: 16 }, 0.05).status).toBe('failed')
    expect(degradedCheck({ right: 0, wrong: 0, ties: 12 }, 0.05).status).toBe('pending')
    // An "always A" judge: the original wins in one order, the copy in the other.
    expect(degradedCheck({ right: 10, wrong: 10, ties: 0 }, 0.05).status).toBe('pending')
    expect(flipCheck(0, 60, 0.5, 0.05).status).toBe('passed')
    expect(flipCheck(50, 60, 0.5, 0.05).status).toBe('failed')
    expect(flipCheck(1, 5, 0.5, 0.05).status).toBe('pending')
    const labels = (n: number, agree: boolean): [string, string][] =>
      Array.from({ length: n }, (_, i) => [
        i % 2 ? 'canary' : 'baseline',
        agree ? (i % 2 ? 'canary' : 'baseline') : 'tie'
      ])
    expect(kappaCheck(labels(12, true), 0.4, 0).status).toBe('passed')
    expect(kappaCheck(labels(12, false), 0.4, 0)).toMatchObject({
      status: 'failed',
      value: 0,
      items: 12
    })
    expect(kappaCheck(labels(4, true), 0.4, 3).status).toBe('pending')
    expect(kappaCheck(labels(4, true), 0.4, 0).status).toBe('unmeasured')
  })
})

describe('the judgement cache', () => {
  const spec = {
    model: 'gpt-4.1-mini',
    mode: 'pairwise',
    rubric: 'Correct.',
    levels: DEFAULT_LEVELS,
    logprobs: true
  } as JudgeSpec

  it('keys a judgement by the texts as sent, the judge prompt and the model', () => {
    const key = judgeKey(spec)
    const k = itemKey(key, 'item', ['q', 'a', 'b'])
    expect(k).toMatch(/^[0-9a-f]{24}$/)
    expect(itemKey(key, 'item', ['q', 'a', 'b'])).toBe(k)
    expect(itemKey(key, 'item', ['q', 'a', 'b2'])).not.toBe(k) // changed text, same record id
    expect(itemKey(key, 'item', ['q', 'b', 'a'])).not.toBe(k) // roles matter
    expect(itemKey(key, 'identical', ['q', 'a', 'b'])).not.toBe(k)
    expect(itemKey(judgeKey({ ...spec, model: 'gpt-4.1' }), 'item', ['q', 'a', 'b'])).not.toBe(k)
    expect(itemKey(judgeKey({ ...spec, rubric: 'Polite.' }), 'item', ['q', 'a', 'b'])).not.toBe(k)
    // Field separators cannot be forged by moving text between fields.
    expect(itemKey(key, 'item', ['qa', '', 'b'])).not.toBe(itemKey(key, 'item', ['q', 'a', 'b']))
  })

  it('keeps only well-formed entries of its own key from the state', () => {
    const key = judgeKey(spec)
    const cache = new JudgementCache(key, {
      key,
      entries: [
        { k: 'a', s: 0.5, v: [0.5, 0.5] },
        { k: 'b', s: 2, v: [1] },
        { k: 'c', s: 0.25 } as never,
        { k: 'd', s: 0.75, v: ['x'] } as never
      ]
    })
    expect(cache.peek('a')).toEqual({ s: 0.5, v: [0.5, 0.5] })
    expect(['b', 'c', 'd'].map(k => cache.peek(k))).toEqual([undefined, undefined, undefined])
    expect(
      new JudgementCache(key, { key: 'other', entries: [{ k: 'a', s: 0.5, v: [] }] }).peek('a')
    ).toBeUndefined()
  })
})

/** Wilson score interval for k successes in n trials, 95%. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054
  const p = k / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  return [centre - half, centre + half]
}
