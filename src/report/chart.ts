import type { MetricResult } from '../analysis/types.js'
import type { HistoryEntry } from '../decide/types.js'
import { changeScale } from '../policy/format.js'

/** Points per chart: a day of evaluations at a 15-minute cadence is still readable. */
const MAX_POINTS = 48

/**
 * A mermaid `xychart-beta` per gating metric (GitHub renders mermaid in comments and job
 * summaries, https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams):
 * the change's estimate and its interval at each evaluation in the rollout's history, with the
 * tolerance as a flat line, so a reader sees the interval close in on (or cross) the tolerance.
 * Values are in the table's units (points for relative changes and rates). xychart has no
 * legend, so one follows each chart in words: the series are drawn in a fixed order that their
 * values also keep (upper bound >= estimate >= lower bound), so "top, middle, bottom" names them
 * whatever the colours. From the first evaluation on: a single evaluation is drawn as flat
 * segments (a line through one point draws nothing in mermaid, mermaid-js/mermaid#8153).
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
    if (points.length === 0) continue
    const { scale, unit } = changeScale(m, m.delta.relative)
    // An unbounded interval (too little data yet) is drawn clipped to a range around the rest.
    const finite = points.flatMap(p => [p.estimate, p.lower, p.upper]).filter(Number.isFinite)
    const reach = Math.max(Math.abs(m.tolerance) * 3, ...finite.map(Math.abs)) || 1
    const clip = (v: number) => round(Math.max(-reach, Math.min(reach, v)) * scale)
    const single = points.length === 1
    const labels = points.map(p => `"${p.at.slice(5, 16).replace('T', ' ')}"`)
    // One evaluation: the same values at two ticks (the second label differs by a space only).
    const xs = single ? [labels[0], `${labels[0]?.slice(0, -1)} "`] : labels
    const series = (pick: (p: (typeof points)[number]) => number) => {
      const values = points.map(p => clip(pick(p)))
      return `[${(single ? [values[0], values[0]] : values).join(', ')}]`
    }
    const unitText = unit ? ` (${unit})` : ''
    const clipped = points.some(p => !Number.isFinite(p.lower) || !Number.isFinite(p.upper))
    charts.push(
      [
        `**${escapeText(m.name)}**: change, canary vs baseline${unitText}`,
        '',
        '```mermaid',
        'xychart-beta',
        `  title "${label(m.name)}: change${unitText}, tolerance ${round(m.tolerance * scale)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}"`,
        `  x-axis [${xs.join(', ')}]`,
        `  y-axis "canary - baseline${unitText}"`,
        `  line ${series(p => p.upper)}`,
        `  line ${series(p => p.estimate)}`,
        `  line ${series(p => p.lower)}`,
        `  line [${(single ? [0, 0] : points).map(() => clip(m.tolerance)).join(', ')}]`,
        '```',
        '',
        `<sub>Top line: the interval's upper bound; middle: the estimate; bottom: the lower bound; flat line: the tolerance (${m.better === 'higher' ? 'the canary must stay above it' : 'the canary must stay below it'}). ${single ? 'One evaluation so far, drawn flat. ' : ''}${clipped ? 'An interval without data yet is clipped to the chart. ' : ''}The metric passes once the whole interval is on the good side of the tolerance.</sub>`
      ].join('\n')
    )
  }
  return charts
}

const round = (v: number) => Math.round(v * 1000) / 1000

/** Mermaid strings are double-quoted; keep names to characters that cannot end or escape them. */
const label = (name: string) => name.replace(/[^\w .%/()-]/g, '').slice(0, 60)

/** A metric name in markdown text: no markup, no mentions. */
const escapeText = (name: string) =>
  name.replace(/[\\`*_[\]|~#<>]/g, c => `\\${c}`).replace(/@/g, '@\u200b')
