import { lgamma } from './lgamma.js'

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), in logs, with its
 * complement 1 - I_x(a, b) = I_{1 - x}(b, a): both tails accurate when they are tiny, for a and b
 * from below 1 to millions (the one-sided beta-binomial mixtures of cs/betaBinomial.ts need the
 * prior's and the posterior's mass on one side of q).
 *
 * The continued fraction for I_x(a, b) (Abramowitz & Stegun 26.5.8; Press, Teukolsky, Vetterling
 * & Flannery, Numerical Recipes, 3rd ed., 2007, Section 6.4, eq. 6.4.5), evaluated by the modified
 * Lentz method (Thompson & Barnett, "Coulomb and Bessel functions of complex arguments and
 * order", J. Comput. Phys. 64 (1986)). It converges fast for x < (a + 1) / (a + b + 2); past that
 * point the complement is computed instead, and the other tail is log1p(-exp(...)) of it. Near
 * the mean it needs O(sqrt(max(a, b))) terms.
 */

const EPSILON = 1e-15
const TINY = 1e-300
const MAX_TERMS = 1_000_000

function logBeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b)
}

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf), without its prefactor. */
function continuedFraction(x: number, a: number, b: number): number {
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  const guard = (v: number) => (Math.abs(v) < TINY ? TINY : v)
  let c = 1
  let d = 1 / guard(1 - (qab * x) / qap)
  let h = d
  for (let m = 1; m <= MAX_TERMS; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 / guard(1 + aa * d)
    c = guard(1 + aa / c)
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 / guard(1 + aa * d)
    c = guard(1 + aa / c)
    const step = d * c
    h *= step
    if (Math.abs(step - 1) < EPSILON) return h
  }
  return h
}

/** log of the tail the continued fraction computes well: I_x(a, b) for x < (a + 1) / (a + b + 2). */
function logSmallTail(x: number, a: number, b: number): number {
  const front = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b) - Math.log(a)
  return front + Math.log(continuedFraction(x, a, b))
}

/** log I_x(a, b) and log(1 - I_x(a, b)), a, b > 0. */
export function logRegularizedBeta(
  x: number,
  a: number,
  b: number
): { lower: number; upper: number } {
  if (!(a > 0 && b > 0)) throw new RangeError(`beta parameters must be positive, got ${a}, ${b}`)
  if (!(x > 0)) return { lower: -Infinity, upper: 0 }
  if (!(x < 1)) return { lower: 0, upper: -Infinity }
  if (x < (a + 1) / (a + b + 2)) {
    const lower = logSmallTail(x, a, b)
    return { lower, upper: log1mExp(lower) }
  }
  const upper = logSmallTail(1 - x, b, a)
  return { lower: log1mExp(upper), upper }
}

/** log(1 - e^v) for v <= 0, accurate near both ends (Maechler, "Accurately computing log(1 - exp(-|a|))", 2012). */
export function log1mExp(v: number): number {
  if (v >= 0) return -Infinity
  return v > -Math.LN2 ? Math.log(-Math.expm1(v)) : Math.log1p(-Math.exp(v))
}
