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
  /** Per item, in sample order: the length feature x and the weight m. */
  x: number[]
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
 * The length feature of AlpacaEval, tanh(d / sd(d)), of the differences beyond the equal-length
 * band, with sd at least the band.
 */
function feature(diffs: readonly number[], band: number): number[] {
  const shrunk = diffs.map(d => beyond(d, band))
  const scale = Math.max(Math.sqrt(variance(shrunk)), band)
  return shrunk.map(d => Math.tanh(d / scale))
}

/**
 * Pairwise design from the length differences (canary minus baseline) of the sampled pairs, and
 * their typical answer length (for the equal-length band).
 */
export function pairDesign(
  diffs: readonly number[],
  spec: LengthSpec,
  typicalLength: number
): LengthDesign {
  const n = diffs.length
  if (!spec.enabled || n === 0) return flat(n)
  const x = feature(diffs, equalLength(typicalLength))
  const xbar = mean(x)
  const v = variance(x)
  if (xbar === 0) return { ...flat(n), x }
  // Every pair differs by the same amount: no pair has another length difference to compare
  // with, so length and quality cannot be told apart.
  if (!(v > 0)) return confounded(n)
  const inflation = 1 + (xbar * xbar) / v
  // Past the limit the gate holds on length anyway; the metric then shows the raw scores.
  if (inflation > spec.maxInflation) return { ...flat(n), x, inflation }
  const m = x.map(xi => 1 - (xbar * (xi - xbar)) / v)
  return { x, m, inflation, bounds: boundsOf(m) }
}

/** Pointwise design from the lengths of each arm's sampled outputs. */
export function armDesign(
  lengths: Record<Arm, readonly number[]>,
  spec: LengthSpec
): Record<Arm, LengthDesign> {
  const nb = lengths.baseline.length
  const nc = lengths.canary.length
  if (!spec.enabled || nb === 0 || nc === 0) return { baseline: flat(nb), canary: flat(nc) }
  const all = [...lengths.baseline, ...lengths.canary]
  const mu = mean(all)
  const x = feature(
    all.map(l => l - mu),
    equalLength(mu)
  )
  const xb = x.slice(0, nb)
  const xc = x.slice(nb)
  const xbarB = mean(xb)
  const xbarC = mean(xc)
  const s = sumSquares(xb, xbarB) + sumSquares(xc, xbarC)
  const dx = xbarC - xbarB
  if (!(s > 0)) {
    return dx === 0
      ? { baseline: flat(nb), canary: flat(nc) }
      : { baseline: confounded(nb), canary: confounded(nc) }
  }
  const inflation = 1 + (dx * dx) / (s * (1 / nc + 1 / nb))
  if (inflation > spec.maxInflation) {
    return {
      baseline: { ...flat(nb), x: xb, inflation },
      canary: { ...flat(nc), x: xc, inflation }
    }
  }
  const mc = xc.map(x => 1 - (nc * dx * (x - xbarC)) / s)
  const mb = xb.map(x => 1 + (nb * dx * (x - xbarB)) / s)
  return {
    baseline: { x: xb, m: mb, inflation, bounds: boundsOf([...mb, ...mc]) },
    canary: { x: xc, m: mc, inflation, bounds: boundsOf([...mb, ...mc]) }
  }
}

/** The design used when length is not controlled, or needs no control: every weight 1. */
function flat(n: number): LengthDesign {
  return {
    x: new Array<number>(n).fill(0),
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
