/**
 * The standard normal distribution: its CDF (through Cody's erfc) and its quantile function
 * (Wichura's AS241). Both are accurate to about 1e-15 relative, far inside the 1e-9 the
 * confidence sequences need.
 */

const SQRT_HALF = Math.SQRT1_2
/** 1 / sqrt(pi). */
const ONE_OVER_SQRT_PI = 0.5641895835477563
/** erfc(x) underflows to 0 beyond this (Cody's XBIG for IEEE double). */
const ERFC_ZERO_BEYOND = 26.543

/*
 * W. J. Cody, "Rational Chebyshev approximations for the error function", Mathematics of
 * Computation 23 (1969) 631-637; coefficients as in his SPECFUN routine CALERF (netlib),
 * written as the nearest doubles of the published 18-digit values.
 */
const ERF_A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315
] as const
const ERF_B = [
  23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171
] as const
const ERFC_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8
] as const
const ERFC_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495
] as const
const ERFC_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097
] as const
const ERFC_Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
  0.0023352049762686918
] as const

/** erf(y) for 0 <= y <= 0.46875 (CALERF, first interval). */
function erfSmall(y: number): number {
  const ysq = y * y
  let num = ERF_A[4] * ysq
  let den = ysq
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]!) * ysq
    den = (den + ERF_B[i]!) * ysq
  }
  return (y * (num + ERF_A[3])) / (den + ERF_B[3])
}

/** erfc(y) * exp(y^2) for 0.46875 < y <= 4 (CALERF, second interval). */
function erfcxMiddle(y: number): number {
  let num = ERFC_C[8] * y
  let den = y
  for (let i = 0; i < 7; i++) {
    num = (num + ERFC_C[i]!) * y
    den = (den + ERFC_D[i]!) * y
  }
  return (num + ERFC_C[7]) / (den + ERFC_D[7])
}

/** erfc(y) * exp(y^2) for y > 4 (CALERF, third interval: an expansion in 1/y^2). */
function erfcxTail(y: number): number {
  const z = 1 / (y * y)
  let num = ERFC_P[5] * z
  let den = z
  for (let i = 0; i < 4; i++) {
    num = (num + ERFC_P[i]!) * z
    den = (den + ERFC_Q[i]!) * z
  }
  const r = (z * (num + ERFC_P[4])) / (den + ERFC_Q[4])
  return (ONE_OVER_SQRT_PI - r) / y
}

/** erfc(y) for y >= 0, with full relative accuracy in the tail. */
function erfcNonNegative(y: number): number {
  if (y <= 0.46875) return 1 - erfSmall(y)
  if (y >= ERFC_ZERO_BEYOND) return 0
  const scaled = y <= 4 ? erfcxMiddle(y) : erfcxTail(y)
  // exp(-y^2) split as exp(-ysq^2) * exp(-(y - ysq)(y + ysq)) to keep its last bits (CALERF).
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  return Math.exp(-ysq * ysq) * Math.exp(-del) * scaled
}

/** Complementary error function erfc(x) = 1 - erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x)
}

/**
 * Standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2. Through erfc, so the lower tail keeps its
 * relative accuracy (Phi(-10) is about 7.6e-24, not 0).
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT_HALF)
}

/*
 * M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
 * Applied Statistics 37 (1988) 477-484: PPND16, accurate to about 1e-16. Coefficients written as
 * the nearest doubles of the published 20-digit values.
 */
const CENTRAL_NUM = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227
] as const
const CENTRAL_DEN = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854
] as const
const NEAR_NUM = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414
] as const
const NEAR_DEN = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9
] as const
const FAR_NUM = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7
] as const
const FAR_DEN = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15
] as const

/** c[0] + c[1] r + ... + c[7] r^7 by Horner's rule. */
function polynomial(c: readonly number[], r: number): number {
  let sum = 0
  for (let i = c.length - 1; i >= 0; i--) sum = sum * r + c[i]!
  return sum
}

/**
 * Standard normal quantile Phi^-1(p). p = 0 gives -Infinity, p = 1 gives +Infinity, and p
 * outside [0, 1] gives NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN
  if (p === 0) return -Infinity
  if (p === 1) return Infinity
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return (q * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r)
  }
  const tail = q < 0 ? p : 1 - p
  const r = Math.sqrt(-Math.log(tail))
  const x =
    r <= 5
      ? polynomial(NEAR_NUM, r - 1.6) / polynomial(NEAR_DEN, r - 1.6)
      : polynomial(FAR_NUM, r - 5) / polynomial(FAR_DEN, r - 5)
  return q < 0 ? -x : x
}
