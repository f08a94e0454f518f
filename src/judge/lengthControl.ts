/**
 * Length control of the verdict. LLM judges prefer longer answers; Length-Controlled AlpacaEval
 * (Dubois, Galambosi, Liang & Hashimoto, "Length-Controlled AlpacaEval: A Simple Way to Debias
 * Automatic Evaluators", 2024, section 3) regresses the judge's preference on the standardised
 * length difference through tanh and reads the win rate off the fit with the length term set to
 * zero: "what would the preference be if both outputs had the same length?".
 *
 * Here, pairwise: the pair score s_i (judge/scoring.ts) is regressed on x_i = tanh(d_i / sd(d))
 * (d outside a band of equal lengths, equalLength)
 * with d_i the canary's minus the baseline's length in characters (as sent), by least squares
 * (a linear link: AlpacaEval's logistic link has no per-pair representation, and near a win rate
 * of 0.5, where a gate decides, the two agree to first order). The length-controlled win rate is
 * the intercept a of s = a + b x, the fitted rate at equal lengths.
 *
 * The intercept is a linear function of the scores whose weights depend on the lengths only:
 * a_hat = (1/N) sum_i m_i s_i with m_i = 1 - xbar (x_i - xbar) / v (xbar, v: the mean and the
 * variance of x), because (1/N) sum m_i = 1 and (1/N) sum m_i x_i = 0 (the normal equations). The
 * lengths of every sampled pair are known before the judge is called, so the m_i are fixed by the
 * design (the sample), not estimated from the judge's answers: for a pair drawn at random from the
 * sample, the adjusted score z_i = 1/2 + m_i (s_i - 1/2) has expectation exactly a under the
 * linear model (the regression estimator of survey sampling with known population moments,
 * Cochran, "Sampling Techniques", 3rd ed., 1977, section 7.1). The z_i are bounded, in
 * [1/2 - M/2, 1/2 + M/2] with M = max |m_i| (known before judging; [0, 1] when the lengths are
 * balanced), so the judge metric is the mean of bounded per-pair values and the same confidence
 * sequence as any judge score applies to it: the slope's uncertainty is inside the spread of the
 * z_i, and no separate interval for the slope is needed. Its price is the variance inflation of
 * the intercept, 1 + xbar^2 / v: when the arms barely overlap in length it is large, length and
 * quality cannot be told apart, and the gate holds (`lengthControl.maxInflation`).
 *
 * Pointwise (two independent samples): analysis of covariance with a common slope on the same
 * feature (x = tanh of the standardised output length, pooled over both arms; Fisher, "Statistical
 * Methods for Research Workers", 1932, ch. 49.1). The adjusted difference is again linear in the
 * scores with design weights, per arm: m_i = 1 - n_c dx (x_i - xbar_c) / S in the canary and
 * m_j = 1 + n_b dx (x_j - xbar_b) / S in the baseline (dx = xbar_c - xbar_b, S the pooled
 * within-arm sum of squares of x), so the difference of the arms' mean adjusted scores is the
 * ANCOVA estimate; its variance inflation is 1 + dx^2 / (S (1/n_c + 1/n_b)).
 */
import type { Arm } from '../records/record.js'

/** The design of one arm's (or the pairs') items: feature and weight of each, and the bounds. */
export interface LengthDesign {
  /** Per item, in sample order: the smooth length feature x, the step feature and the weight m. */
  x: number[]
  step: number[]
  m: number[]
  /** The variance inflation of the adjusted estimate over the unadjusted one (>= 1). */
  inflation: number
  /** Every adjusted score lies in [lower, upper]. */
  bounds: { lower: number; upper: number }
}

export interface LengthSpec {
  enabled: boolean
  maxInflation: number
}

const CENTRE = 0.5

/** The adjusted score of an item with weight m and score s. */
export const adjusted = (m: number, s: number): number => CENTRE + m * (s - CENTRE)

/**
 * The length difference below which answers count as equally long: 10% of the typical answer
 * length, at least 20 characters. A judge is not swayed by a few characters, and without this,
 * answers of nearly equal length (a spread of a few characters, as templated answers have) would
 * make a difference of two characters look like a standard deviation of verbosity. AlpacaEval's
 * differences are hundreds of characters, where it does not bind.
 */
export function equalLength(typicalLength: number): number {
  return Math.max(20, 0.1 * typicalLength)
}

/** A difference with the equal-length band taken out: 0 inside it, shifted toward 0 outside. */
const beyond = (d: number, band: number): number => Math.sign(d) * Math.max(0, Math.abs(d) - band)

/**
 * The length features of a difference d (outside the equal-length band): AlpacaEval's smooth
 * tanh(d / sd(d)) (sd at least the band), and a step, sign(d), for a judge that favours whichever
 * answer is noticeably longer by however much (a smooth feature alone leaves such a judge's
 * preference partly in the intercept). Both are 0 at equal length, where the score is read.
 */
function features(diffs: readonly number[], band: number): { smooth: number[]; step: number[] } {
  const shrunk = diffs.map(d => beyond(d, band))
  const scale = Math.max(Math.sqrt(variance(shrunk)), band)
  return { smooth: shrunk.map(d => Math.tanh(d / scale)), step: shrunk.map(Math.sign) }
}

/**
 * Orthonormalise feature columns (Gram-Schmidt, under the mean (1/N) sum), carrying a companion
 * value per column (the point the regression is read at, or the arms' difference), so that the
 * weights below need no matrix inverse. A column that depends on the earlier ones is dropped when
 * its companion does too; when its companion does not (the reading point lies off the data: a
 * feature constant across the sample but not 0 there), length and the estimate cannot be
 * separated: undefined.
 */
function orthonormal(
  columns: readonly number[][],
  companions: readonly number[]
): { basis: number[][]; at: number[] } {
  const basis: number[][] = []
  const at: number[] = []
  columns.forEach((column, l) => {
    let c = [...column]
    let star = companions[l] ?? 0
    const scale = mean(c.map(v => v * v))
    for (const [j, u] of basis.entries()) {
      const proj = mean(c.map((v, i) => v * (u[i] ?? 0)))
      c = c.map((v, i) => v - proj * (u[i] ?? 0))
      star -= proj * (at[j] ?? 0)
    }
    const norm2 = mean(c.map(v => v * v))
    if (!(norm2 > 1e-9 * Math.max(scale, 1e-12))) {
      if (Math.abs(star) > 1e-9) throw new Confounded()
      return
    }
    const norm = Math.sqrt(norm2)
    basis.push(c.map(v => v / norm))
    at.push(star / norm)
  })
  return { basis, at }
}

class Confounded extends Error {}

/**
 * Pairwise design from the length differences (canary minus baseline) of the sampled pairs, and
 * their typical answer length (for the equal-length band). The intercept of s on the centred
 * features f, read at f = 0: with the features orthonormalised to u_j and u_j* their value at
 * f = 0, m_i = 1 + sum_j u_j* u_ji and the inflation is 1 + sum_j u_j*^2 (in one dimension,
 * 1 - xbar (x_i - xbar) / v and 1 + xbar^2 / v).
 */
export function pairDesign(
  diffs: readonly number[],
  spec: LengthSpec,
  typicalLength: number
): LengthDesign {
  const n = diffs.length
  if (!spec.enabled || n === 0) return flat(n)
  const f = features(diffs, equalLength(typicalLength))
  const columns = [f.step, f.smooth]
  let o: ReturnType<typeof orthonormal> | undefined
  try {
    o = orthonormal(
      columns.map(c => centred(c)),
      columns.map(c => -mean(c))
    )
  } catch (e) {
    if (e instanceof Confounded) return { ...confounded(n), x: f.smooth, step: f.step }
    throw e
  }
  if (!o) return { ...confounded(n), x: f.smooth, step: f.step }
  const { basis, at } = o
  const inflation = 1 + at.reduce((t, a) => t + a * a, 0)
  // Past the limit the gate holds on length anyway; the metric then shows the raw scores.
  if (inflation > spec.maxInflation) return { ...flat(n), x: f.smooth, step: f.step, inflation }
  const m = Array.from({ length: n }, (_, i) =>
    basis.reduce((t, u, j) => t + (at[j] ?? 0) * (u[i] ?? 0), 1)
  )
  return { x: f.smooth, step: f.step, m, inflation, bounds: boundsOf(m) }
}

/**
 * Pointwise design from the lengths of each arm's sampled outputs: ANCOVA on the same features
 * of the length's distance from the pooled mean, centred within each arm and orthonormalised
 * with the arms' difference of feature means as companion (the v_j and D_j): the canary's
 * weights m_i = 1 - n_c/N sum_j D_j v_ji, the baseline's 1 + n_b/N sum_j D_j v_ji, and the
 * inflation 1 + (1/N) sum_j D_j^2 / (1/n_c + 1/n_b).
 */
export function armDesign(
  lengths: Record<Arm, readonly number[]>,
  spec: LengthSpec
): Record<Arm, LengthDesign> {
  const nb = lengths.baseline.length
  const nc = lengths.canary.length
  if (!spec.enabled || nb === 0 || nc === 0) return { baseline: flat(nb), canary: flat(nc) }
  const all = [...lengths.baseline, ...lengths.canary]
  const mu = mean(all)
  const f = features(
    all.map(l => l - mu),
    equalLength(mu)
  )
  const split = (c: number[]) => ({ b: c.slice(0, nb), c: c.slice(nb) })
  const columns = [f.step, f.smooth].map(split)
  const withinCentred = columns.map(({ b, c }) => [...centred(b), ...centred(c)])
  const differences = columns.map(({ b, c }) => mean(c) - mean(b))
  const x = split(f.smooth)
  const step = split(f.step)
  const n = nb + nc
  let o: ReturnType<typeof orthonormal> | undefined
  try {
    o = orthonormal(withinCentred, differences)
  } catch (e) {
    if (!(e instanceof Confounded)) throw e
  }
  if (!o) {
    return {
      baseline: { ...confounded(nb), x: x.b, step: step.b },
      canary: { ...confounded(nc), x: x.c, step: step.c }
    }
  }
  const { basis, at } = o
  const inflation = 1 + at.reduce((t, d) => t + d * d, 0) / (n * (1 / nc + 1 / nb))
  if (inflation > spec.maxInflation) {
    return {
      baseline: { ...flat(nb), x: x.b, step: step.b, inflation },
      canary: { ...flat(nc), x: x.c, step: step.c, inflation }
    }
  }
  const shift = (i: number) => basis.reduce((t, v, j) => t + (at[j] ?? 0) * (v[i] ?? 0), 0)
  const mb = Array.from({ length: nb }, (_, i) => 1 + (nb / n) * shift(i))
  const mc = Array.from({ length: nc }, (_, i) => 1 - (nc / n) * shift(nb + i))
  const bounds = boundsOf([...mb, ...mc])
  return {
    baseline: { x: x.b, step: step.b, m: mb, inflation, bounds },
    canary: { x: x.c, step: step.c, m: mc, inflation, bounds }
  }
}

/** The design used when length is not controlled, or needs no control: every weight 1. */
function flat(n: number): LengthDesign {
  return {
    x: new Array<number>(n).fill(0),
    step: new Array<number>(n).fill(0),
    m: new Array<number>(n).fill(1),
    inflation: 1,
    bounds: { lower: 0, upper: 1 }
  }
}

/** Length and arm cannot be separated: infinite inflation, and the raw weights (the gate holds). */
function confounded(n: number): LengthDesign {
  return { ...flat(n), inflation: Infinity }
}

function boundsOf(m: readonly number[]): { lower: number; upper: number } {
  const big = Math.max(1, ...m.map(Math.abs))
  return { lower: CENTRE - big / 2, upper: CENTRE + big / 2 }
}

const centred = (xs: readonly number[]): number[] => {
  const m = mean(xs)
  return xs.map(x => x - m)
}

/**
 * The least-squares slope of the scores on the length feature with its heteroskedasticity-robust
 * (HC0) standard error, sqrt(sum (x_i - xbar)^2 e_i^2) / sum (x_i - xbar)^2 (White, "A
 * heteroskedasticity-consistent covariance matrix estimator", Econometrica 48, 1980), within
 * groups (the arms, pointwise): a fact for the report, to name a length bias when one shows.
 */
export function lengthSlope(
  groups: readonly { x: readonly number[]; s: readonly number[] }[]
): { estimate: number; se: number } | undefined {
  let sxx = 0
  let sxy = 0
  const centred: { dx: number[]; ds: number[] }[] = []
  for (const g of groups) {
    if (g.x.length === 0) continue
    const xbar = mean(g.x)
    const sbar = mean(g.s)
    const dx = g.x.map(x => x - xbar)
    const ds = g.s.map(s => s - sbar)
    dx.forEach((d, i) => {
      sxx += d * d
      sxy += d * (ds[i] ?? 0)
    })
    centred.push({ dx, ds })
  }
  if (!(sxx > 0)) return undefined
  const b = sxy / sxx
  let meat = 0
  for (const { dx, ds } of centred) {
    dx.forEach((d, i) => {
      const e = (ds[i] ?? 0) - b * d
      meat += d * d * e * e
    })
  }
  return { estimate: b, se: Math.sqrt(meat) / sxx }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** Population variance (divisor n): the design's moments are those of the sample itself. */
function variance(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : sumSquares(xs, mean(xs)) / xs.length
}

function sumSquares(xs: readonly number[], centre: number): number {
  return xs.reduce((t, x) => t + (x - centre) ** 2, 0)
}
