import { change, duration, int, type MetricUnitOf } from '../policy/format.js'
import type { MetricSpec, Policy } from '../policy/types.js'
import { escapeMarkdown } from '../report/markdown.js'
import { plainLine as oneLine } from '../report/plain.js'
import { sampleIndices, xyChart } from '../report/timeChart.js'
import type { BacktestResult, Look, LookMetric, StepOutcome } from './backtest.js'

/** What the render says about the run, besides the looks. */
export interface BacktestContext {
  policy: Policy
  every: number
  /** Where the logs came from, and what was read. */
  source: string
  records?: number
  /** Rows sorted on disk (runs) because they did not fit the memory budget. */
  runsOnDisk?: number
}

/** Points per chart: the looks are sampled evenly, the decisive ones always kept. */
const CHART_POINTS = 60

/** The terminal view: the steps, then one line per look. */
export function backtestText(r: BacktestResult, ctx: BacktestContext): string {
  const lines = [oneLine(summaryLine(r, ctx)), '', 'Steps:']
  for (const step of r.steps) lines.push(`  ${oneLine(stepLine(step))}`)
  if (r.after > 0) lines.push(`  (${afterText(r)})`)
  lines.push('', 'Looks (time, decision, step, what it turned on):')
  for (const look of r.looks) {
    lines.push(
      `  ${iso(look.at)}  ${look.decision.padEnd(8)} ${`${look.step.weight}%`.padStart(4)}  ${oneLine(bindingText(look, ctx.policy))}`
    )
  }
  return lines.join('\n') + '\n'
}

/** The markdown view (a job summary or a file): the steps, a chart per gating metric, the looks. */
export function backtestMarkdown(r: BacktestResult, ctx: BacktestContext): string {
  const out = [
    `### Backtest of \`${r.rollout.replace(/`/g, '')}\``,
    '',
    escapeMarkdown(summaryLine(r, ctx)),
    ''
  ]
  out.push('| step | began | outcome | when | looks | why |', '|---|---|---|---|---|---|')
  for (const s of r.steps) {
    out.push(
      `| ${s.weight}% | ${iso(s.startedAt)} | ${s.outcome} | ${s.endedAt !== undefined ? `${iso(s.endedAt)} (after ${duration(s.endedAt - s.startedAt)})` : '—'} | ${s.looks} | ${escapeMarkdown(s.reason)} |`
    )
  }
  if (r.after > 0) out.push('', escapeMarkdown(afterText(r)))
  const charts = timelineCharts(r.looks, ctx.policy)
  if (charts.length > 0) {
    out.push(
      '',
      "Each gating metric's interval (canary − baseline) at every look, against its tolerance (the flat line); it restarts at each step:",
      '',
      ...charts.flatMap(c => [c, ''])
    )
  }
  out.push(
    '<details><summary>Every look</summary>',
    '',
    '| time | decision | step | what it turned on |',
    '|---|---|---|---|',
    ...r.looks.map(
      l =>
        `| ${iso(l.at)} | ${l.decision} | ${l.step.weight}% | ${escapeMarkdown(bindingText(l, ctx.policy))} |`
    ),
    '',
    '</details>',
    ''
  )
  return out.join('\n')
}

/** The JSON view: every look's facts (not its whole decision record). */
export function backtestJson(r: BacktestResult): string {
  const finite = (v: number) => (Number.isFinite(v) ? v : null)
  return (
    JSON.stringify(
      {
        rollout: r.rollout,
        steps: r.steps.map(s => ({
          ...s,
          startedAt: iso(s.startedAt),
          ...(s.endedAt !== undefined && { endedAt: iso(s.endedAt) })
        })),
        after: r.after,
        looks: r.looks.map(l => ({
          at: iso(l.at),
          decision: l.decision,
          step: l.step,
          next: l.next,
          status: l.status,
          window: l.window && { from: iso(l.window.from), to: iso(l.window.to) },
          arms: l.arms,
          binding: l.binding,
          blocks: l.blocks,
          reasons: l.reasons,
          metrics: l.metrics.map(m => ({
            ...m,
            estimate: finite(m.estimate),
            lower: finite(m.lower),
            upper: finite(m.upper)
          }))
        }))
      },
      null,
      2
    ) + '\n'
  )
}

function summaryLine(r: BacktestResult, ctx: BacktestContext): string {
  const first = r.looks[0]
  const last = r.looks.at(-1)
  const span = first && last ? `from ${iso(first.at)} to ${iso(last.at)}` : 'no look'
  const read =
    ctx.records !== undefined
      ? `; ${ctx.source}, ${int(ctx.records)} records read once${ctx.runsOnDisk ? ` (sorted in ${ctx.runsOnDisk} runs on disk)` : ''}`
      : `; ${ctx.source}`
  const ended = r.steps.at(-1)
  const end =
    ended && ended.outcome !== 'still running'
      ? ` The rollout ${ended.outcome === 'completed' ? 'completed' : ended.outcome === 'rolled back' ? 'was rolled back' : 'moved on'} at ${iso(ended.endedAt as number)}.`
      : ''
  return `${r.looks.length} looks every ${duration(ctx.every)} ${span}${read}.${end} Actuators were not applied and no state was written.`
}

function stepLine(s: StepOutcome): string {
  const began = `${`${s.weight}%`.padStart(4)}  began ${iso(s.startedAt)}`
  if (s.endedAt === undefined) return `${began}  still running at the last look: ${s.reason}`
  return `${began}  ${s.outcome} ${iso(s.endedAt)} after ${duration(s.endedAt - s.startedAt)} (${s.looks} looks): ${s.reason}`
}

function afterText(r: BacktestResult): string {
  return `${r.after} later look${r.after === 1 ? '' : 's'} not run: the rollout had ended, so the gate would only repeat its decision`
}

/** "p95 latency +3.1% (−2% to +8.4%), tolerance +10%" or the blocking check. */
export function bindingText(look: Look, policy: Policy): string {
  const b = look.binding
  if (!b) return look.reasons[0] ?? ''
  if (b.kind === 'check') return `${b.check}: ${b.detail}`
  if (b.kind === 'time') return b.detail
  const m = look.metrics.find(x => x.name === b.metric)
  const spec = policy.metrics.find(x => x.name === b.metric)
  if (!m || !spec) return look.reasons[0] ?? ''
  return `${m.name} ${m.verdict}: ${intervalText(spec, m)}, tolerance ${change(spec, m.tolerance, m.relative)}`
}

function intervalText(spec: MetricUnitOf, m: LookMetric): string {
  if (!Number.isFinite(m.estimate)) return 'no data yet'
  const c = (v: number) => change(spec, v, m.relative)
  return `${c(m.estimate)} (${c(m.lower)} to ${c(m.upper)})`
}

/**
 * A chart per gating metric: its interval at each look (sampled to CHART_POINTS, the decisive
 * looks kept) and its tolerance, in percent for relative tolerances.
 */
export function timelineCharts(looks: Look[], policy: Policy): string[] {
  const gating = policy.metrics.filter((m: MetricSpec) => m.mode !== 'report')
  const charts: string[] = []
  for (const spec of gating) {
    const points = looks.flatMap(l => {
      const m = l.metrics.find(x => x.name === spec.name)
      return m && Number.isFinite(m.estimate) ? [{ look: l, m }] : []
    })
    if (points.length < 2) continue
    const keep = new Set(sampleIndices(points.length, CHART_POINTS))
    points.forEach((p, i) => {
      if (p.look.decision !== 'hold') keep.add(i)
    })
    const shown = [...keep].sort((a, b) => a - b).map(i => points[i] as (typeof points)[number])
    const relative = shown[0]?.m.relative ?? false
    const scale = relative ? 100 : 1
    const tolerance = (shown[0]?.m.tolerance ?? 0) * scale
    const finite = shown.flatMap(p => [p.m.estimate, p.m.lower, p.m.upper]).filter(Number.isFinite)
    const reach = Math.max(Math.abs(tolerance) * 3, ...finite.map(v => Math.abs(v * scale))) || 1
    charts.push(
      xyChart({
        title: `${spec.name}: interval${relative ? ' (%)' : ''} at each look, tolerance ${round(tolerance)}${relative ? '%' : ''}`,
        x: shown.map(p => iso(p.look.at).slice(5, 16).replace('T', ' ')),
        yLabel: `canary - baseline${relative ? ' (%)' : ''}`,
        clip: reach,
        lines: [
          shown.map(p => p.m.upper * scale),
          shown.map(p => p.m.estimate * scale),
          shown.map(p => p.m.lower * scale),
          shown.map(() => tolerance)
        ]
      })
    )
  }
  return charts
}

const round = (v: number): number => Math.round(v * 1000) / 1000
const iso = (t: number): string => new Date(t).toISOString().replace(':00.000Z', 'Z')
