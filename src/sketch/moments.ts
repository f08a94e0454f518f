import type { RatioMoments } from './types.js'

/**
 * Sufficient statistics of a ratio estimator over independent clusters (src/sketch/types.ts).
 * They are plain sums, so two sets merge by addition and merging is associative and commutative:
 * the delta-method variance of sum(x) / sum(y) needs only the first six numbers, and the
 * skewness of the estimator (the validity threshold of the asymptotic confidence sequence,
 * src/stats/clt.ts) the four third-order sums.
 */
export function emptyMoments(): RatioMoments {
  return { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, sxxx: 0, sxxy: 0, sxyy: 0, syyy: 0 }
}

/** Adds one cluster (a request with y = 1, or a unit's sums) in place. */
export function addCluster(m: RatioMoments, x: number, y: number): void {
  m.n += 1
  m.sx += x
  m.sy += y
  const xx = x * x
  const yy = y * y
  m.sxx += xx
  m.syy += yy
  m.sxy += x * y
  if (m.sxxx !== undefined) {
    m.sxxx += xx * x
    m.sxxy = (m.sxxy ?? 0) + xx * y
    m.sxyy = (m.sxyy ?? 0) + x * yy
    m.syyy = (m.syyy ?? 0) + yy * y
  }
}

/**
 * The third-order sums of a merge: known only when both sides know them (a source that cannot
 * give them, such as a per-request sum of squares from Prometheus, leaves them out).
 */
function thirdOrder(a: RatioMoments, b: RatioMoments): Partial<RatioMoments> {
  if (
    a.sxxx === undefined ||
    b.sxxx === undefined ||
    a.sxxy === undefined ||
    b.sxxy === undefined ||
    a.sxyy === undefined ||
    b.sxyy === undefined ||
    a.syyy === undefined ||
    b.syyy === undefined
  ) {
    return {}
  }
  return {
    sxxx: a.sxxx + b.sxxx,
    sxxy: a.sxxy + b.sxxy,
    sxyy: a.sxyy + b.sxyy,
    syyy: a.syyy + b.syyy
  }
}

/** The moments of the union of two sets of clusters, as a new object. */
export function mergeMoments(a: RatioMoments, b: RatioMoments): RatioMoments {
  return {
    n: a.n + b.n,
    sx: a.sx + b.sx,
    sy: a.sy + b.sy,
    sxx: a.sxx + b.sxx,
    syy: a.syy + b.syy,
    sxy: a.sxy + b.sxy,
    ...thirdOrder(a, b)
  }
}

/** Adds `from`'s clusters into `into`, in place. */
export function addMoments(into: RatioMoments, from: RatioMoments): void {
  const third = thirdOrder(into, from)
  into.n += from.n
  into.sx += from.sx
  into.sy += from.sy
  into.sxx += from.sxx
  into.syy += from.syy
  into.sxy += from.sxy
  if (third.sxxx === undefined) {
    delete into.sxxx
    delete into.sxxy
    delete into.sxyy
    delete into.syyy
  } else Object.assign(into, third)
}

/**
 * Moments of a Bernoulli sample of n requests with k events (one cluster per request): every
 * power of a 0/1 value is the value, so all sums are known from the two counts.
 */
export function bernoulliMoments(k: number, n: number): RatioMoments {
  return { n, sx: k, sy: n, sxx: k, syy: n, sxy: k, sxxx: k, sxxy: k, sxyy: k, syyy: n }
}
