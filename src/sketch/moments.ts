import type { RatioMoments } from './types.js'

/**
 * Sufficient statistics of a ratio estimator over independent clusters (src/sketch/types.ts).
 * They are plain sums, so two sets merge by addition and merging is associative and commutative:
 * the delta-method variance of sum(x) / sum(y) needs only these six numbers.
 */
export function emptyMoments(): RatioMoments {
  return { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 }
}

/** Adds one cluster (a request with y = 1, or a unit's sums) in place. */
export function addCluster(m: RatioMoments, x: number, y: number): void {
  m.n += 1
  m.sx += x
  m.sy += y
  m.sxx += x * x
  m.syy += y * y
  m.sxy += x * y
}

/** The moments of the union of two sets of clusters, as a new object. */
export function mergeMoments(a: RatioMoments, b: RatioMoments): RatioMoments {
  return {
    n: a.n + b.n,
    sx: a.sx + b.sx,
    sy: a.sy + b.sy,
    sxx: a.sxx + b.sxx,
    syy: a.syy + b.syy,
    sxy: a.sxy + b.sxy
  }
}

/** Adds `from`'s clusters into `into`, in place. */
export function addMoments(into: RatioMoments, from: RatioMoments): void {
  into.n += from.n
  into.sx += from.sx
  into.sy += from.sy
  into.sxx += from.sxx
  into.syy += from.syy
  into.sxy += from.sxy
}
