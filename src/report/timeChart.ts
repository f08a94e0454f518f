/**
 * A mermaid `xychart-beta` (GitHub renders mermaid in comments and job summaries, as chart.ts's
 * charts) from plain series: the x labels, then lines (and bars) of numbers, non-finite values
 * drawn clipped to `clip` (an interval that is still unbounded). Used by `backtest` (a metric's
 * interval over the looks against its tolerance) and `plan` (the share of simulated rollouts
 * decided by each time).
 */
export interface XyChart {
  title: string
  x: string[]
  yLabel: string
  /** Optional fixed y range. */
  yRange?: [number, number]
  lines: number[][]
  bars?: number[][]
  /** Values are clipped to [-clip, clip]; default: no clipping (non-finite values become 0). */
  clip?: number
}

export function xyChart(c: XyChart): string {
  const clip = (v: number): number => {
    const bound = c.clip ?? Number.MAX_VALUE
    const x = Number.isFinite(v) ? v : v > 0 ? bound : v < 0 ? -bound : 0
    return round(Math.max(-bound, Math.min(bound, x)))
  }
  const series = (values: number[]) => `[${values.map(clip).join(', ')}]`
  const range = c.yRange ? ` ${round(c.yRange[0])} --> ${round(c.yRange[1])}` : ''
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${chartLabel(c.title, 100)}"`,
    `  x-axis [${c.x.map(x => `"${chartLabel(x, 30)}"`).join(', ')}]`,
    `  y-axis "${chartLabel(c.yLabel, 60)}"${range}`,
    ...(c.bars ?? []).map(b => `  bar ${series(b)}`),
    ...c.lines.map(l => `  line ${series(l)}`),
    '```'
  ].join('\n')
}

/** Evenly spaced indices of `n` items, at most `max` of them, always the first and the last. */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i)
  const picked = new Set<number>()
  for (let j = 0; j < max; j++) picked.add(Math.round((j * (n - 1)) / (max - 1)))
  return [...picked].sort((a, b) => a - b)
}

const round = (v: number): number => Math.round(v * 1000) / 1000

/** Mermaid strings are double-quoted: keep to characters that cannot end or escape them. */
export const chartLabel = (text: string, max: number): string =>
  text.replace(/[^\w .%/()+:=-]/g, '').slice(0, max)
