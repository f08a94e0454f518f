import type { AdjustedMoments } from './types.js'

/**
 * The moments of the regression-adjusted (CUPED) comparison (AdjustedMoments in ./types.ts): the
 * positions of a cluster's vector v, and adding, merging and reading them. Plain sums over
 * clusters, so merging is associative and commutative like the RatioMoments beside them.
 */

/** Positions in v: the window sums, the pre-exposure sums, the requests, then the covariates. */
export const V_X = 0
export const V_Y = 1
export const V_PRE_X = 2
export const V_PRE_Y = 3
export const V_REQUESTS = 4
export const V_COVARIATES = 5

/** The length of v for k request covariates. */
export const vectorLength = (covariates: number): number => V_COVARIATES + covariates

/** Index of sum v_i v_j (any order of i, j) in `products` for vectors of length d. */
export function productIndex(i: number, j: number, d: number): number {
  const [a, b] = i <= j ? [i, j] : [j, i]
  return a * d - (a * (a - 1)) / 2 + (b - a)
}

export function emptyAdjusted(covariates: readonly string[]): AdjustedMoments {
  const d = vectorLength(covariates.length)
  return {
    covariates: [...covariates],
    n: 0,
    covered: 0,
    sums: new Array<number>(d).fill(0),
    products: new Array<number>((d * (d + 1)) / 2).fill(0),
    cubes: new Array<number>((d * (d + 1) * (d + 2)) / 6).fill(0)
  }
}

/** Adds one cluster's vector v (length 5 + k) in place. */
export function addAdjustedCluster(m: AdjustedMoments, v: ArrayLike<number>): void {
  const d = m.sums.length
  m.n += 1
  if ((v[V_PRE_Y] as number) > 0) m.covered += 1
  let p = 0
  for (let i = 0; i < d; i++) {
    const vi = v[i] as number
    m.sums[i] = (m.sums[i] as number) + vi
    if (vi === 0) {
      p += d - i
      continue
    }
    for (let j = i; j < d; j++) m.products[p] = (m.products[p++] as number) + vi * (v[j] as number)
  }
  const cubes = m.cubes
  if (!cubes) return
  let q = 0
  for (let i = 0; i < d; i++) {
    const vi = v[i] as number
    if (vi === 0) {
      q += ((d - i) * (d - i + 1)) / 2
      continue
    }
    for (let j = i; j < d; j++) {
      const vij = vi * (v[j] as number)
      if (vij === 0) {
        q += d - j
        continue
      }
      for (let l = j; l < d; l++) cubes[q] = (cubes[q++] as number) + vij * (v[l] as number)
    }
  }
}

/** Adds `from` into `into` in place; their covariates must be the same names in the same order. */
export function addAdjusted(into: AdjustedMoments, from: AdjustedMoments): void {
  if (!sameCovariates(into, from)) {
    throw new RangeError(
      `cannot merge adjusted moments over covariates [${from.covariates.join(', ')}] into [${into.covariates.join(', ')}]`
    )
  }
  into.n += from.n
  into.covered += from.covered
  from.sums.forEach((s, i) => (into.sums[i] = (into.sums[i] as number) + s))
  from.products.forEach((s, i) => (into.products[i] = (into.products[i] as number) + s))
  // Third moments only when both have them: a part without would make the sum wrong.
  if (into.cubes && from.cubes) {
    const cubes = into.cubes
    from.cubes.forEach((s, i) => (cubes[i] = (cubes[i] as number) + s))
  } else delete into.cubes
}

/**
 * Sum over clusters of (w'v)^3 for a weight vector w of length d, from the third-order sums
 * (undefined without them): each i <= j <= l term counted as often as its distinct orderings.
 */
export function cubedSum(m: AdjustedMoments, w: ArrayLike<number>): number | undefined {
  const cubes = m.cubes
  if (!cubes) return undefined
  const d = m.sums.length
  let q = 0
  let sum = 0
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      for (let l = j; l < d; l++) {
        const orderings = i === j ? (j === l ? 1 : 3) : j === l ? 3 : 6
        sum +=
          orderings *
          (w[i] as number) *
          (w[j] as number) *
          (w[l] as number) *
          (cubes[q++] as number)
      }
    }
  }
  return sum
}

export function sameCovariates(a: AdjustedMoments, b: AdjustedMoments): boolean {
  return (
    a.covariates.length === b.covariates.length &&
    a.covariates.every((c, i) => c === b.covariates[i])
  )
}

/**
 * The adjusted moments of the union of several sets, or undefined unless every set has them (a
 * cell without them would silently drop its clusters from the adjusted comparison).
 */
export function mergeAdjusted(
  parts: readonly (AdjustedMoments | undefined)[]
): AdjustedMoments | undefined {
  const [first, ...rest] = parts
  if (!first || rest.some(p => p === undefined || !sameCovariates(first, p))) return undefined
  const merged = emptyAdjusted(first.covariates)
  for (const part of parts) addAdjusted(merged, part as AdjustedMoments)
  return merged
}
