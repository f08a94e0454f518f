/**
 * The regression-adjusted (CUPED) confidence sequence against references: ordinary least squares
 * with a heteroskedasticity-robust (HC1) standard error computed from the raw per-unit rows (what
 * Lindon et al.'s robust sequence wraps), the radius of their R package avlm (z_radius), and the
 * fallbacks.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32, normal } from '../examples/generate-traffic.js'
import {
  addAdjustedCluster,
  cubedSum,
  emptyAdjusted,
  mergeAdjusted,
  productIndex
} from '../src/sketch/adjustedMoments.js'
import { addCluster, emptyMoments } from '../src/sketch/moments.js'
import type { AdjustedMoments } from '../src/sketch/types.js'
import { csRadius, mixtureRho } from '../src/stats/cs/mixture.js'
import { ratioDifferenceCS } from '../src/stats/cs/ratio.js'
import { MIN_REDUCTION, regressionAdjustedCS } from '../src/stats/cs/regressionAdjusted.js'

/** Solves A x = b (Gauss-Jordan with partial pivoting), for the small reference regressions. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length
  const m = a.map((row, i) => [...row, ...b[i]!])
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r
    ;[m[c], m[p]] = [m[p]!, m[c]!]
    const pivot = m[c]![c]!
    m[c] = m[c]!.map(v => v / pivot)
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = m[r]![c]!
      m[r] = m[r]!.map((v, j) => v - f * m[c]![j]!)
    }
  }
  return m.map(row => row.slice(n))
}

/** OLS of y on the rows of X, and the HC1 sandwich covariance of the coefficients. */
function olsHc1(X: number[][], y: number[]): { beta: number[]; cov: number[][] } {
  const k = X[0]!.length
  const n = X.length
  const xtx = Array.from({ length: k }, (_, a) =>
    Array.from({ length: k }, (_, b) => X.reduce((s, row) => s + row[a]! * row[b]!, 0))
  )
  const xty = Array.from({ length: k }, (_, a) => [X.reduce((s, row, i) => s + row[a]! * y[i]!, 0)])
  const beta = solve(xtx, xty).map(r => r[0]!)
  const meat = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  X.forEach((row, i) => {
    const e = y[i]! - row.reduce((s, v, j) => s + v * beta[j]!, 0)
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) meat[a]![b]! += row[a]! * row[b]! * e * e
  })
  const bread = solve(
    xtx,
    Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)))
  )
  const half = bread.map(row =>
    Array.from({ length: k }, (_, b) => row.reduce((s, v, j) => s + v * meat[j]![b]!, 0))
  )
  const cov = half.map(row =>
    Array.from(
      { length: k },
      (_, b) => row.reduce((s, v, j) => s + v * bread[j]![b]!, 0) * (n / (n - k))
    )
  )
  return { beta, cov }
}

describe('regressionAdjustedCS', () => {
  it('is the OLS treatment coefficient of y on (1, arm, pre-exposure level) with its robust standard error', () => {
    // One request per unit, so the ratio is a plain mean and the regression is Lindon et al.'s.
    const random = mulberry32(5)
    const rows: { arm: number; x: number; pre: number }[] = []
    const arms = [emptyAdjusted([]), emptyAdjusted([])]
    for (let i = 0; i < 3000; i++) {
      const arm = random() < 0.2 ? 1 : 0
      const pre = 2 * normal(random)
      // Heteroskedastic, with a different slope in the canary: the sandwich must still hold.
      const x = 10 + pre * (arm ? 1.4 : 1) + normal(random) * (arm ? 2 : 1) + 0.3 * arm
      rows.push({ arm, x, pre })
      addAdjustedCluster(arms[arm]!, [x, 1, pre, 1, 1])
    }
    const fit = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: false, tStar: 3000 })
    const ref = olsHc1(
      rows.map(r => [1, r.arm, r.pre]),
      rows.map(r => r.x)
    )
    expect(fit.interval).toBeDefined()
    expect(fit.interval!.estimate).toBeCloseTo(ref.beta[1]!, 10)
    // Per-arm variances (n - 1) against the pooled HC1 sandwich: equal to O(1/n).
    expect(fit.interval!.se / Math.sqrt(ref.cov[1]![1]!)).toBeCloseTo(1, 2)
    expect(fit.covariates).toEqual(['pre-exposure level'])
    // pre.y is 1 for every unit: a constant, left out.
    expect(fit.dropped).toEqual([])
    expect(fit.varianceReduction).toBeGreaterThan(0.5)
  })

  it("uses avlm's z_radius: sqrt(((g + n) / n) log((g + n) / (g alpha^2))) times the standard error, g = 1 / rho^2", () => {
    const random = mulberry32(9)
    const arms = [emptyAdjusted([]), emptyAdjusted([])]
    for (let i = 0; i < 800; i++) {
      const arm = i % 4 === 0 ? 1 : 0
      const pre = normal(random)
      addAdjustedCluster(arms[arm]!, [5 + pre + 0.5 * normal(random), 1, pre, 1, 1])
    }
    const alpha = 0.01
    const tStar = 500
    const fit = regressionAdjustedCS(arms[0]!, arms[1]!, alpha, { relative: false, tStar })
    const d = fit.interval!
    const n = 800
    const g = 1 / mixtureRho(alpha, tStar) ** 2
    const zRadius = Math.sqrt(((g + n) / n) * Math.log((g + n) / (g * alpha * alpha)))
    expect((d.upper - d.lower) / 2).toBeCloseTo(d.se * zRadius, 12)
    expect(Math.sqrt(n) * csRadius(n, 1, alpha, mixtureRho(alpha, tStar))).toBeCloseTo(zRadius, 12)
  })

  it('clusters by unit: a ratio of per-unit sums, with the same boundary as the unadjusted sequence', () => {
    const random = mulberry32(17)
    const adjusted = [emptyAdjusted([]), emptyAdjusted([])]
    const plain = [emptyMoments(), emptyMoments()]
    for (let i = 0; i < 4000; i++) {
      const arm = random() < 0.25 ? 1 : 0
      const level = Math.exp(normal(random))
      const requests = 1 + Math.floor(30 * random())
      const history = 1 + Math.floor(30 * random())
      let x = 0
      let pre = 0
      for (let r = 0; r < requests; r++) x += level * Math.exp(0.5 * normal(random))
      for (let r = 0; r < history; r++) pre += level * Math.exp(0.5 * normal(random))
      addAdjustedCluster(adjusted[arm]!, [x, requests, pre, history, requests])
      addCluster(plain[arm]!, x, requests)
    }
    const opts = { relative: false, tStar: 4000 }
    const fit = regressionAdjustedCS(adjusted[0]!, adjusted[1]!, 0.05, opts)
    const unadjusted = ratioDifferenceCS(plain[0]!, plain[1]!, 0.05, opts)
    expect(fit.interval!.t).toBe(unadjusted.t)
    expect(fit.interval!.baseline).toBeCloseTo(unadjusted.baseline, 12)
    // The reported reduction is the ratio of the two variances, and of the squared widths.
    const widthRatio =
      (fit.interval!.upper - fit.interval!.lower) / (unadjusted.upper - unadjusted.lower)
    const correction = (4000 - 2) / (4000 - 2 - 2)
    expect(widthRatio ** 2 / correction).toBeCloseTo(1 - fit.varianceReduction, 2)
    expect(fit.varianceReduction).toBeGreaterThan(0.3)
  })

  it('gives the relative change by Fieller: close to the absolute interval over the baseline at large n', () => {
    const random = mulberry32(23)
    const arms = [emptyAdjusted([]), emptyAdjusted([])]
    for (let i = 0; i < 20000; i++) {
      const arm = i % 2
      const pre = 100 + 20 * normal(random)
      addAdjustedCluster(arms[arm]!, [(pre + 10 * normal(random)) * (arm ? 1.05 : 1), 1, pre, 1, 1])
    }
    const abs = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: false, tStar: 2e4 })
    const rel = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: true, tStar: 2e4 })
    const b = abs.interval!.baseline
    expect(rel.interval!.relative).toBe(true)
    expect(rel.interval!.estimate).toBeCloseTo(0.05, 2)
    expect(rel.interval!.lower).toBeCloseTo(abs.interval!.lower / b, 3)
    expect(rel.interval!.upper).toBeCloseTo(abs.interval!.upper / b, 3)
    expect(rel.interval!.lower).toBeLessThan(rel.interval!.estimate)
    expect(rel.interval!.upper).toBeGreaterThan(rel.interval!.estimate)
  })

  it('a relative interval is unbounded while the baseline is not bounded away from 0', () => {
    const random = mulberry32(2)
    const arms = [emptyAdjusted([]), emptyAdjusted([])]
    for (let i = 0; i < 60; i++) {
      const pre = normal(random)
      addAdjustedCluster(arms[i % 2]!, [0.01 + pre + 0.1 * normal(random), 1, pre, 1, 1])
    }
    const rel = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: true, tStar: 60 })
    expect(rel.interval).toBeDefined()
    expect(rel.interval!.lower).toBe(-Infinity)
    expect(rel.interval!.upper).toBe(Infinity)
  })

  it('falls back when it cannot help: no covariate, a covariate that explains nothing, too few units', () => {
    const random = mulberry32(31)
    const noHistory = [emptyAdjusted([]), emptyAdjusted([])]
    const noise = [emptyAdjusted([]), emptyAdjusted([])]
    for (let i = 0; i < 2000; i++) {
      const arm = i % 5 === 0 ? 1 : 0
      const x = 3 + normal(random)
      addAdjustedCluster(noHistory[arm]!, [x, 1, 0, 0, 1])
      addAdjustedCluster(noise[arm]!, [x, 1, normal(random), 1, 1])
    }
    const opts = { relative: false, tStar: 2000 }
    const none = regressionAdjustedCS(noHistory[0]!, noHistory[1]!, 0.05, opts)
    expect(none.fallback).toBe('no-covariate')
    expect(none.interval).toBeUndefined()
    const unrelated = regressionAdjustedCS(noise[0]!, noise[1]!, 0.05, opts)
    expect(unrelated.fallback).toBe('explains-nothing')
    expect(unrelated.varianceReduction).toBeLessThan(MIN_REDUCTION)
    const one = emptyAdjusted([])
    addAdjustedCluster(one, [1, 1, 1, 1, 1])
    expect(regressionAdjustedCS(noise[0]!, one, 0.05, opts).fallback).toBe('too-few-units')
  })

  it('leaves out a request covariate whose arms differ (the change moves it), and one with too little history', () => {
    const random = mulberry32(41)
    const arms = [emptyAdjusted(['tokens']), emptyAdjusted(['tokens'])]
    for (let i = 0; i < 4000; i++) {
      const arm = i % 2
      // The canary's prompt is longer: its tokens are not unaffected.
      const tokens = 100 + 10 * normal(random) + (arm ? 8 : 0)
      const pre = i < 8 ? normal(random) : 0
      addAdjustedCluster(arms[arm]!, [tokens + normal(random), 1, pre, pre ? 1 : 0, 1, tokens])
    }
    const fit = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: false, tStar: 4000 })
    expect(fit.dropped).toEqual([
      { covariate: 'pre-exposure level', why: 'low-coverage' },
      { covariate: 'tokens', why: 'imbalanced' }
    ])
    expect(fit.fallback).toBe('no-covariate')
  })

  it('drops the last level of a categorical covariate as collinear with the others', () => {
    const random = mulberry32(43)
    const names = ['route=a', 'route=b']
    const arms = [emptyAdjusted(names), emptyAdjusted(names)]
    for (let i = 0; i < 3000; i++) {
      const a = random() < 0.5 ? 1 : 0
      addAdjustedCluster(arms[i % 3 === 0 ? 1 : 0]!, [5 * a + normal(random), 1, 0, 0, 1, a, 1 - a])
    }
    const fit = regressionAdjustedCS(arms[0]!, arms[1]!, 0.05, { relative: false, tStar: 3000 })
    expect(fit.covariates).toEqual(['route=a'])
    expect(fit.dropped).toEqual([{ covariate: 'route=b', why: 'collinear' }])
    expect(fit.varianceReduction).toBeGreaterThan(0.8)
  })
})

describe('AdjustedMoments', () => {
  it('are plain sums: adding clusters one by one equals merging any split of them', () => {
    const random = mulberry32(3)
    const vectors = Array.from({ length: 50 }, () =>
      Array.from({ length: 7 }, (_, j) =>
        j === 3 && random() < 0.3 ? 0 : Math.round(10 * random())
      )
    )
    const all = emptyAdjusted(['a', 'b'])
    const parts = [emptyAdjusted(['a', 'b']), emptyAdjusted(['a', 'b']), emptyAdjusted(['a', 'b'])]
    vectors.forEach((v, i) => {
      addAdjustedCluster(all, v)
      addAdjustedCluster(parts[i % 3]!, v)
    })
    expect(mergeAdjusted(parts)).toEqual(all)
    expect(all.covered).toBe(vectors.filter(v => v[3]! > 0).length)
    const d = 7
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        expect(all.products[productIndex(i, j, d)]).toBe(
          vectors.reduce((s, v) => s + v[i]! * v[j]!, 0)
        )
      }
    }
  })

  it('are merged only when every part has them, over the same covariates', () => {
    const a: AdjustedMoments = emptyAdjusted(['x'])
    expect(mergeAdjusted([a, undefined])).toBeUndefined()
    expect(mergeAdjusted([a, emptyAdjusted(['y'])])).toBeUndefined()
    expect(mergeAdjusted([a, emptyAdjusted(['x'])])).toEqual(emptyAdjusted(['x']))
  })
})

describe("the adjusted estimator's skewness (third-order sums)", () => {
  it('cubedSum is the sum of (w . v)^3 over clusters, and merges like the other sums', () => {
    const random = mulberry32(5)
    const vectors = Array.from({ length: 40 }, () =>
      Array.from({ length: 7 }, () => (random() < 0.2 ? 0 : normal(random) * 3))
    )
    const w = Array.from({ length: 7 }, () => normal(random))
    const all = emptyAdjusted(['z', 'route=a'])
    const first = emptyAdjusted(['z', 'route=a'])
    const second = emptyAdjusted(['z', 'route=a'])
    vectors.forEach((v, i) => {
      addAdjustedCluster(all, v)
      addAdjustedCluster(i < 15 ? first : second, v)
    })
    const direct = vectors.reduce((s, v) => s + v.reduce((t, x, i) => t + x * w[i]!, 0) ** 3, 0)
    expect(cubedSum(all, w)).toBeCloseTo(direct, 6)
    expect(cubedSum(mergeAdjusted([first, second])!, w)).toBeCloseTo(direct, 6)
    // A part without third moments: the merge has none (never a partial sum).
    const { cubes: _, ...without } = second
    expect(mergeAdjusted([first, without])!.cubes).toBeUndefined()
    expect(cubedSum(mergeAdjusted([first, without])!, w)).toBeUndefined()
  })

  it("is Cochran's shared bound on the residual of the fitted regression, per unit", () => {
    // One request per unit, every unit with history: the residual is x - theta pre.x (pre.y is
    // constant and drops out), theta the pooled within-arm slope.
    const random = mulberry32(11)
    const arms = [0, 1].map(arm =>
      Array.from({ length: arm === 0 ? 900 : 120 }, () => {
        const level = Math.exp(normal(random))
        return { x: level * Math.exp(0.8 * normal(random) - 0.32), pre: level }
      })
    )
    const moments = arms.map(units => {
      const m = emptyAdjusted([])
      for (const u of units) addAdjustedCluster(m, [u.x, 1, u.pre, 1, 1])
      return m
    })
    const fit = regressionAdjustedCS(moments[0]!, moments[1]!, 0.05, {
      relative: false,
      tStar: 1000
    })
    expect(fit.interval).toBeDefined()
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
    let sxy = 0
    let sxx = 0
    for (const units of arms) {
      const mx = mean(units.map(u => u.x))
      const mp = mean(units.map(u => u.pre))
      for (const u of units) {
        sxy += (u.x - mx) * (u.pre - mp)
        sxx += (u.pre - mp) ** 2
      }
    }
    const theta = sxy / sxx
    const arm = (units: { x: number; pre: number }[]) => {
      const e = units.map(u => u.x - theta * u.pre)
      const m = mean(e)
      const m2 = mean(e.map(v => (v - m) ** 2))
      const m3 = mean(e.map(v => (v - m) ** 3))
      return { g: Math.abs(m3) / m2 ** 1.5, variance: m2 / units.length, n: units.length }
    }
    const [b, c] = arms.map(arm)
    const term = (a: { variance: number; n: number }) => a.variance ** 1.5 / Math.sqrt(a.n)
    const bound =
      (Math.max(b!.g, c!.g) * (term(b!) + term(c!))) / (b!.variance + c!.variance) ** 1.5
    expect(fit.skewness).toBeCloseTo(bound, 6)
    // Without third moments it is not assessed.
    const { cubes: _b, ...plainB } = moments[0]!
    const { cubes: _c, ...plainC } = moments[1]!
    const unassessed = regressionAdjustedCS(plainB, plainC, 0.05, { relative: false, tStar: 1000 })
    expect(unassessed.interval).toBeDefined()
    expect(unassessed.skewness).toBeUndefined()
  })
})
