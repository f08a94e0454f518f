import type { MetricResult } from '../analysis/types.js'
import type { HistoryEntry } from '../decide/types.js'

/** Points per chart: a day of evaluations at a 15-minute cadence is still readable. */
const MAX_POINTS = 48

/**
 * A mermaid `xychart-beta` per gating metric (GitHub renders mermaid in comments and job
 * summaries, https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams):
 * the change's estimate and its interval at each evaluation in the rollout's history, with the
 * tolerance as a flat line, so a reader sees the interval close in on (or cross) the tolerance.
 * Empty when fewer than two evaluations have the metric.
 */
export function metricCharts(history: HistoryEntry[], metrics: MetricResult[]): string[] {
  const charts: string[] = []
  for (const m of metrics) {
    if (m.mode === 'report') continue
    const points = history
      .filter(h => !h.manual)
      .flatMap(h => {
        const p = h.metrics?.find(x => x.name === m.name)
        return p ? [{ at: h.at, ...p }] : []
      })
      .slice(-MAX_POINTS)
    if (points.length < 2) continue
    const scale = m.delta.relative ? 100 : 1
    // An unbounded interval (too little data yet) is drawn clipped to a range around the rest.
    const finite = points.flatMap(p => [p.estimate, p.lower, p.upper]).filter(Number.isFinite)
    const reach = Math.max(Math.abs(m.tolerance) * 3, ...finite.map(Math.abs)) || 1
    const clip = (v: number) => round(Math.max(-reach, Math.min(reach, v)) * scale)
    const series = (pick: (p: (typeof points)[number]) => number) =>
      `[${points.map(p => clip(pick(p))).join(', ')}]`
    const unit = m.delta.relative ? '%' : ''
    charts.push(
      [
        '```mermaid',
        'xychart-beta',
        `  title "${label(m.name)}: change and interval${unit ? ' (%)' : ''}, tolerance ${round(m.tolerance * scale)}${unit}"`,
        `  x-axis [${points.map(p => `"${p.at.slice(5, 16).replace('T', ' ')}"`).join(', ')}]`,
        `  y-axis "canary - baseline${unit ? ' (%)' : ''}"`,
        `  line ${series(p => p.upper)}`,
        `  line ${series(p => p.estimate)}`,
        `  line ${series(p => p.lower)}`,
        `  line [${points.map(() => clip(m.tolerance)).join(', ')}]`,
        '```'
      ].join('\n')
    )
  }
  return charts
}

const round = (v: number) => Math.round(v * 1000) / 1000

/** Mermaid strings are double-quoted; keep names to characters that cannot end or escape them. */
const label = (name: string) => name.replace(/[^\w .%/()-]/g, '').slice(0, 60)
