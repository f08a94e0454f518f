import { TOTAL_SEGMENT, type Evidence } from '../sketch/evidence.js'
import { int } from '../policy/format.js'
import type { Check } from './types.js'

const HOUR_MS = 3_600_000

/**
 * The window's busiest hour of traffic, both arms together (the traffic the rollout serves, not
 * one arm's share of it): the most requests in any run of consecutive time buckets spanning an
 * hour, and when that run began. A window shorter than an hour counts as its requests scaled to
 * an hour. Undefined when the window has no requests.
 */
export function busiestHour(evidence: Evidence): { perHour: number; at: number } | undefined {
  const { from, to } = evidence.window
  const size = evidence.bucketMs
  // No buckets (an empty window: inside the warm-up, or a source that failed): no traffic.
  if (!(size > 0) || !(to > from)) return undefined
  const count = Math.max(1, Math.ceil((to - from) / size))
  // Sparse (bucket index -> requests): a window spanning years must not allocate a slot per bucket.
  const perBucket = new Map<number, number>()
  let total = 0
  for (const cell of evidence.cells) {
    if (cell.segment !== TOTAL_SEGMENT || cell.requests === 0) continue
    const k = Math.min(count - 1, Math.max(0, Math.floor((cell.bucket - from) / size)))
    perBucket.set(k, (perBucket.get(k) ?? 0) + cell.requests)
    total += cell.requests
  }
  if (total === 0) return undefined
  const span = Math.max(1, Math.round(HOUR_MS / size))
  if (count <= span) return { perHour: (total * HOUR_MS) / Math.max(size, to - from), at: from }
  // The earliest run of `span` buckets with the most requests starts at 0 or ends at a bucket
  // with traffic (an earlier start would otherwise hold as many), so only those starts are tried.
  const keys = [...perBucket.keys()].sort((a, b) => a - b)
  const prefix = [0]
  for (const k of keys) prefix.push((prefix.at(-1) as number) + (perBucket.get(k) as number))
  /** Index in `keys` of the first key >= k. */
  const firstAtOrAfter = (k: number): number => {
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((keys[mid] as number) < k) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const starts = [0, ...keys.map(k => Math.min(count - span, Math.max(0, k - span + 1)))]
  let best = { perHour: -1, at: from }
  for (const s of [...new Set(starts)].sort((a, b) => a - b)) {
    const run = (prefix[firstAtOrAfter(s + span)] as number) - (prefix[firstAtOrAfter(s)] as number)
    if (run > best.perHour) best = { perHour: run, at: from + s * size }
  }
  return best
}

/**
 * `rollout.minPeakLoad` (issue 5, check 5): a step promotes only once its busiest hour reached
 * this share of the busiest hour the rollout has seen (the state's `peakLoad`, or this window's
 * own when there is none), so a step that baked overnight does not pass on traffic far below what
 * the daytime will put through it. It blocks promotion only: it never rolls back.
 */
export function peakLoadCheck(
  minPeakLoad: number,
  step: { perHour: number; at: number } | undefined,
  seen: { at: string; perHour: number } | undefined
): Check {
  const name = 'peak-load'
  if (!step) return { name, status: 'ok', detail: 'no traffic in the window yet' }
  const here = `the step's busiest hour had ${int(step.perHour)} requests (both arms, from ${new Date(step.at).toISOString()})`
  if (!seen || seen.perHour <= step.perHour) {
    return {
      name,
      status: 'ok',
      detail: `${here}, the busiest of the rollout so far${seen ? '' : ' (nothing earlier in the state to compare with)'}`
    }
  }
  const share = step.perHour / seen.perHour
  const against = `${pct(share)} of the rollout's busiest hour (${int(seen.perHour)} requests, from ${seen.at}); minPeakLoad ${pct(minPeakLoad)}`
  return share >= minPeakLoad
    ? { name, status: 'ok', detail: `${here}: ${against}` }
    : {
        name,
        status: 'block',
        detail: `${here}: only ${against}. A promotion waits for busier traffic, so the step does not pass on a quiet night`
      }
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`
