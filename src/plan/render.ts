import { duration, int } from '../policy/format.js'
import { escapeMarkdown } from '../report/markdown.js'
import { plainLine as oneLine } from '../report/plain.js'
import { sampleIndices, xyChart } from '../report/timeChart.js'
import type { Outcome, PlanResult, StepPlan, Suggestion, Timing } from './plan.js'

/**
 * The views of a plan: text for a terminal, markdown (tables and a chart) for a job summary or a
 * file, JSON for tools. Times are after the step began; a share is of the simulated rollouts.
 */

/** Points of the chart: the looks, sampled evenly. */
const CHART_POINTS = 48

export function planText(r: PlanResult): string {
  const lines = [oneLine(summary(r)), '']
  lines.push('Per step (an equal canary; a canary at twice the tolerance):')
  const rows = [
    [
      'step',
      'promote median',
      'p90',
      'promoted',
      'still holding',
      'rollback at 2×',
      'binds',
      'decides?'
    ],
    ...r.steps.map(s => [
      `${s.weight}%`,
      time(s.equal.promoted.median),
      time(s.equal.promoted.p90),
      share(s.equal.promoted.share),
      share(s.equal.holding),
      rollbackText(s),
      bindingName(s.equal.binding?.name),
      s.decides ? 'yes' : 'NO'
    ])
  ]
  lines.push(...table(rows).map(l => `  ${oneLine(l)}`), '')
  lines.push('Per gating metric (share promoted / rolled back by maxDuration, median time):')
  const metricRows = [['step', 'metric', 'at ½ tolerance', 'at the tolerance', 'at 2× tolerance']]
  for (const s of r.steps) {
    for (const m of s.metrics) {
      metricRows.push(
        m.skipped
          ? [`${s.weight}%`, m.name, `not simulated: ${m.skipped}`, '', '']
          : [`${s.weight}%`, m.name, scenario(m.half), scenario(m.at), scenario(m.twice)]
      )
    }
  }
  lines.push(...table(metricRows).map(l => `  ${oneLine(l)}`), '')
  lines.push('Equal canaries promoted by each time (each character an equal slice of maxDuration):')
  for (const s of r.steps) {
    lines.push(
      `  ${`${s.weight}%`.padStart(4)} |${spark(s.promotedBy)}| ${duration(s.maxDuration)}`
    )
  }
  if (r.suggestions.length > 0) {
    lines.push('', 'What would make the undecided steps decide (an equal canary with the change):')
    const rows = [['step', 'change', 'promoted', 'median', 'p90']]
    for (const g of r.suggestions) rows.push([`${g.weight}%`, g.change, ...suggestionCells(g)])
    lines.push(...table(rows).map(l => `  ${oneLine(l)}`))
    for (const g of r.suggestions) if (g.note) lines.push(`  * ${oneLine(g.note)}`)
  }
  lines.push('', ...r.notes.map(n => oneLine(n)))
  return lines.join('\n') + '\n'
}

export function planMarkdown(r: PlanResult): string {
  const out = [`### Plan of \`${r.rollout.replace(/`/g, '')}\``, '', escapeMarkdown(summary(r)), '']
  out.push(
    '| step | time to promote an equal canary (median · p90) | promoted by maxDuration | still holding at maxDuration | time to roll back at 2× tolerance | binds | decides? |',
    '|---|---|---|---|---|---|---|',
    ...r.steps.map(
      s =>
        `| ${s.weight}% | ${time(s.equal.promoted.median)} · ${time(s.equal.promoted.p90)} | ${share(s.equal.promoted.share)} | ${share(s.equal.holding)} (maxDuration ${duration(s.maxDuration)}) | ${escapeMarkdown(rollbackText(s))} | ${escapeMarkdown(bindingName(s.equal.binding?.name))} | ${s.decides ? '✅ yes' : '⚠️ no'} |`
    ),
    ''
  )
  const chart = promotedChart(r.steps)
  if (chart) {
    out.push('Share of equal canaries promoted by each time after the step began:', '', chart, '')
  }
  if (r.suggestions.length > 0) {
    out.push(
      'What would make the undecided steps decide (an equal canary, simulated again with the change):',
      '',
      '| step | change | promoted | median | p90 |',
      '|---|---|---|---|---|',
      ...r.suggestions.map(
        g => `| ${g.weight}% | ${escapeMarkdown(g.change)} | ${suggestionCells(g).join(' | ')} |`
      ),
      ''
    )
    for (const g of r.suggestions) if (g.note) out.push(`- ${escapeMarkdown(g.note)}`)
    if (r.suggestions.some(g => g.note)) out.push('')
  }
  out.push(
    '<details><summary>Each gating metric: a canary at half, at and at twice its tolerance</summary>',
    '',
    '| step | metric | at ½ tolerance | at the tolerance | at 2× tolerance |',
    '|---|---|---|---|---|'
  )
  for (const s of r.steps) {
    for (const m of s.metrics) {
      out.push(
        m.skipped
          ? `| ${s.weight}% | ${escapeMarkdown(m.name)} | not simulated: ${escapeMarkdown(m.skipped)} | | |`
          : `| ${s.weight}% | ${escapeMarkdown(m.name)} | ${scenario(m.half)} | ${scenario(m.at)} | ${scenario(m.twice)} |`
      )
    }
  }
  out.push('', '</details>', '', ...r.notes.map(n => `_${escapeMarkdown(n)}_`), '')
  return out.join('\n')
}

/** The whole result; times in ms after the step began (null: fewer runs than that decided). */
export function planJson(r: PlanResult): string {
  const iso = (t: number) => new Date(t).toISOString()
  return (
    JSON.stringify(
      { ...r, history: { ...r.history, first: iso(r.history.first), last: iso(r.history.last) } },
      null,
      2
    ) + '\n'
  )
}

function summary(r: PlanResult): string {
  const h = r.history
  const span = h.last > h.first ? duration(h.last - h.first) : 'an instant'
  const ignored = h.canaryIgnored > 0 ? ` (${int(h.canaryIgnored)} canary records ignored)` : ''
  return `Simulated ${r.replicates} rollouts per step on ${int(h.records)} history records${ignored} from ${int(h.units)} users over ${span} (${int(h.perHour)} per hour), the gate looking every ${duration(r.every)}. A step decides when 90% of equal canaries promote by its maxDuration.`
}

function rollbackText(s: StepPlan): string {
  // The slowest metric to catch a canary at twice its tolerance.
  let worst: { name: string; t: Timing } | undefined
  for (const m of s.metrics) {
    const t = m.twice?.rolledBack
    if (!t) continue
    if (!worst || slower(t, worst.t)) worst = { name: m.name, t }
  }
  if (!worst) return 'n/a'
  const t = worst.t
  return t.median === null
    ? `not by maxDuration (${worst.name}: ${share(t.share)})`
    : `${time(t.median)} (slowest: ${worst.name})`
}

const slower = (a: Timing, b: Timing): boolean =>
  a.median === null
    ? b.median !== null || a.share < b.share
    : b.median !== null && a.median > b.median

function scenario(o: Outcome | undefined): string {
  if (!o) return 'cannot be simulated'
  const parts: string[] = []
  // The median time is shown when at least half of the runs took that decision.
  const when = (t: Timing) => (t.median === null ? '' : ` (${duration(t.median)})`)
  if (o.promoted.share > 0) parts.push(`promote ${share(o.promoted.share)}${when(o.promoted)}`)
  if (o.rolledBack.share > 0)
    parts.push(`rollback ${share(o.rolledBack.share)}${when(o.rolledBack)}`)
  if (o.holding > 0.005 || parts.length === 0) parts.push(`hold ${share(o.holding)}`)
  return parts.join(', ')
}

function suggestionCells(g: Suggestion): string[] {
  if (g.outcome) {
    return [
      share(g.outcome.promoted.share),
      time(g.outcome.promoted.median),
      time(g.outcome.promoted.p90)
    ]
  }
  return ['projected', g.projected !== undefined ? `≈ ${duration(g.projected)}` : '—', '—']
}

/** A metric, a check, or a rule of the step, in words. */
export function bindingName(name: string | undefined): string {
  if (!name) return '—'
  if (name.startsWith('metric:')) return name.slice('metric:'.length)
  if (name.startsWith('check:')) return `check ${name.slice('check:'.length)}`
  if (name === 'minDuration') return 'minDuration (bake time)'
  if (name === 'minSamples') return 'minSamples'
  return name
}

const time = (ms: number | null): string => (ms === null ? 'never' : duration(ms))
const share = (v: number): string => `${Math.round(v * 100)}%`

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map(r => (r[c] ?? '').length))) ?? []
  return rows.map(r =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd()
  )
}

/** Shares 0..1 as eighth-blocks, one character per slice of the look sequence. */
function spark(values: number[]): string {
  const blocks = ' ▁▂▃▄▅▆▇█'
  const width = Math.min(48, values.length)
  return Array.from({ length: width }, (_, j) => {
    const v =
      values[Math.min(values.length - 1, Math.floor(((j + 1) * values.length) / width) - 1)] ?? 0
    return blocks[Math.round(v * 8)] as string
  }).join('')
}

/** One line per step: the share of equal canaries promoted by each look. */
function promotedChart(steps: StepPlan[]): string | undefined {
  const longest = steps.reduce(
    (a, s) => (s.promotedBy.length > a.promotedBy.length ? s : a),
    steps[0] as StepPlan
  )
  if (!longest || longest.promotedBy.length < 2) return undefined
  const n = longest.promotedBy.length
  const every = longest.maxDuration / n
  const picked = sampleIndices(n, CHART_POINTS)
  return xyChart({
    title: `Equal canaries promoted (%) by time after the step began; steps ${steps.map(s => `${s.weight}%`).join(', ')}`,
    x: picked.map(i => duration((i + 1) * every)),
    yLabel: 'promoted (%)',
    yRange: [0, 100],
    lines: steps.map(s =>
      picked.map(i => 100 * (s.promotedBy[Math.min(i, s.promotedBy.length - 1)] ?? 0))
    )
  })
}
