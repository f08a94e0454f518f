import type { MetricResult, SegmentResult } from '../analysis/types.js'
import {
  deltaWithInterval,
  int,
  roughCount,
  roughDuration,
  noiseText,
  toleranceText,
  value,
  varianceText
} from './format.js'
import type { HistoryEntry } from '../decide/types.js'
import { metricCharts } from './chart.js'
import { budgetText, heldText } from './budget.js'
import { judgeCostLines } from './judge.js'
import { oneLine } from './sanitize.js'
import { recordJson, type DecisionRecord } from './record.js'

/**
 * Text from data or from the policy (metric names, segment values, reasons that quote them) is
 * escaped before it reaches markdown, so it cannot inject links, mentions, HTML or table cells.
 */
export function escapeMarkdown(text: string): string {
  return (
    oneLine(text.replace(/\r?\n/g, ' '))
      .replace(/[\\`*_[\]|~#]/g, c => `\\${c}`)
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@/g, '@\u200b')
      // GitHub autolinks bare URLs (`https://...`, `www.`): a zero-width space after the scheme or
      // `www` keeps a URL from data as text (GitHub Flavored Markdown, "Autolinks (extension)").
      .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, '$1:\u200b//')
      .replace(/\bwww\./gi, m => `${m.slice(0, 3)}\u200b.`)
  )
}

const ICON = { promote: '✅', hold: '⏸️', rollback: '⏪' } as const
const VERDICT = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⏳ inconclusive' } as const
const CHECK = { ok: '✅', warn: '⚠️', block: '⛔' } as const

/** The marker that identifies this rollout's comment (the sticky PR comment finds it). */
export const commentMarker = (rollout: string): string =>
  `<!-- ai-rollout-gate:${encodeURIComponent(rollout)} -->`

export function headline(r: DecisionRecord): string {
  const name = `\`${r.rollout.replace(/`/g, '')}\``
  if (r.manual) {
    const what = {
      rollback: 'Rolled back',
      promote: 'Promoted',
      pause: 'Paused',
      resume: 'Resumed'
    }
    return `${ICON[r.decision]} ${what[r.manual.command]} ${name} by hand: ${r.step.weight}% → ${r.next.weight}%${lagging(r)}`
  }
  return automatic(r, name) + lagging(r)
}

/** A decision no run may call done while an actuator has not applied it. */
const lagging = (r: DecisionRecord): string =>
  r.applied?.some(a => !a.ok) ? ' (not yet applied everywhere)' : ''

function automatic(r: DecisionRecord, name: string): string {
  switch (r.decision) {
    case 'promote':
      return r.complete && r.step.weight === r.next.weight
        ? `${ICON.promote} ${name} is complete at 100%`
        : `${ICON.promote} Promote ${name}: ${r.step.weight}% → ${r.next.weight}%${r.complete ? ' (complete)' : ''}`
    case 'rollback':
      return r.step.weight === 0
        ? `${ICON.rollback} ${name} is rolled back: the canary is at 0%`
        : `${ICON.rollback} Roll back ${name}: ${r.step.weight}% → 0%`
    default:
      return `${ICON.hold} Hold ${name} at ${r.step.weight}%`
  }
}

/** `1% ✓ → 5% ✓ → **25%** → 50% → 100%`, relative to where the decision leaves the canary. */
export function progressLine(r: DecisionRecord): string {
  const current = r.decision === 'rollback' ? r.step.index : r.next.index
  return r.steps
    .map((w, i) => {
      if (r.decision === 'rollback' && i === current) return `**${w}% ✗**`
      if (i < current || (r.complete && i === current)) return `${w}% ✓`
      if (i === current) return `**${w}%**`
      return `${w}%`
    })
    .join(' → ')
}

function metricRow(m: MetricResult): string {
  const mode = m.mode === 'gate' ? '' : ` _(${m.mode})_`
  const limit = m.limit
    ? `<br>limit ${value(m, m.limit.value)}${m.limit.breached ? ' ❌' : m.limit.suspect ? ' ⚠️' : ''}`
    : ''
  const noise = m.aa ? `<br><sub>${noiseText(m)}</sub>` : ''
  const cuped = varianceText(m)
  const reduced = cuped ? `<br><sub>${escapeMarkdown(cuped)}</sub>` : ''
  const held = m.holdsBecause ? ' (holds)' : ''
  const why = heldText(m)
  const waiting = why ? `<br><sub>${escapeMarkdown(why)}</sub>` : ''
  const caveats = (m.caveats ?? []).map(c => `<br><sub>⚠️ ${escapeMarkdown(c)}</sub>`).join('')
  return `| ${escapeMarkdown(m.name)}${mode}${caveats} | ${value(m, m.baseline)} | ${value(m, m.canary)} | ${deltaWithInterval(m)}${reduced} | ${toleranceText(m)}${noise}${limit} | ${VERDICT[m.verdict]}${held}${waiting} |`
}

/** A count of segments by verdict, then the failing ones (at most five, named). */
function segmentLines(segments: SegmentResult[]): string[] {
  if (segments.length === 0) return []
  const count = (v: SegmentResult['verdict']) => segments.filter(s => s.verdict === v).length
  const failing = segments.filter(s => s.verdict === 'fail').slice(0, 5)
  return [
    '',
    `**Segments**: ${segments.length} compared, ${count('fail')} fail, ${count('inconclusive')} inconclusive, ${count('pass')} pass.`,
    ...(failing.length > 0 ? [''] : []),
    ...failing.map(s => {
      const names = s.metrics.filter(m => m.verdict === 'fail').map(m => escapeMarkdown(m.name))
      return `- ${VERDICT.fail} ${escapeMarkdown(s.segment)}: ${names.join(', ')}`
    })
  ]
}

/** GitHub refuses comment bodies over 65,536 characters; stay below with room for the marker. */
export const MAX_COMMENT_LENGTH = 65_000

export interface MarkdownOptions {
  /** The rollout's history (state), for the charts of each metric over the evaluations. */
  history?: HistoryEntry[]
  /** Collapse detail (the record, then the charts) until the text fits; default MAX_COMMENT_LENGTH. */
  maxLength?: number
}

/**
 * The PR comment and job summary: verdict first, then the evidence, the charts over the rollout,
 * then the full record. When too long for a comment, detail is dropped first, the verdict never.
 */
export function renderMarkdown(r: DecisionRecord, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? MAX_COMMENT_LENGTH
  const summary = summaryLines(r).join('\n')
  const charts = metricCharts(options.history ?? [], r.metrics)
  const chartSection =
    charts.length > 0
      ? [
          '<details><summary>Over the rollout</summary>',
          '',
          charts.join('\n\n'),
          '',
          '</details>'
        ].join('\n')
      : ''
  const record = recordSection(r)
  const fits = (parts: string[]) => {
    const text = parts.filter(Boolean).join('\n\n') + '\n'
    return text.length <= maxLength ? text : undefined
  }
  const omitted =
    "<sub>The decision record is too long for a comment: see the run's `report-path` output.</sub>"
  return (
    fits([summary, chartSection, record]) ??
    fits([summary, chartSection, omitted]) ??
    fits([summary, omitted]) ??
    `${summary.slice(0, maxLength - 200)}\n\n_(truncated: see the run's \`report-path\` output for everything)_\n`
  )
}

function summaryLines(r: DecisionRecord): string[] {
  const lines = [commentMarker(r.rollout), `### ${headline(r)}`, '', progressLine(r), '']
  lines.push(...r.reasons.map(reason => `- ${escapeMarkdown(reason)}`))
  if (r.needed && r.needed.samples !== null && r.needed.samples > 0) {
    const time =
      r.needed.seconds !== null ? `, ${roughDuration(r.needed.seconds)} at current traffic` : ''
    lines.push(
      '',
      `**Still needed:** about ${roughCount(r.needed.samples)} more canary requests${time}.`
    )
  }
  if (r.metrics.length > 0) {
    lines.push(
      '',
      `Window ${r.window?.from ?? '?'} → ${r.window?.to ?? '?'}: baseline ${int(r.arms.baseline.n)}, canary ${int(r.arms.canary.n)} requests.`,
      '',
      '| metric | baseline | canary | change (interval) | tolerance | verdict |',
      '|---|---:|---:|---|---:|---|',
      ...r.metrics.map(metricRow)
    )
    lines.push('', `<sub>${escapeMarkdown(budgetText(r))}</sub>`)
  }
  if (r.judge) lines.push('', ...judgeCostLines(r.judge).map(escapeMarkdownKeepingBold))
  if (r.checks.length > 0) {
    lines.push(
      '',
      '**Checks**',
      '',
      ...r.checks.map(c => `- ${CHECK[c.status]} ${c.name}: ${escapeMarkdown(c.detail)}`)
    )
  }
  if (r.applied && r.applied.length > 0) {
    lines.push(
      '',
      '**Applied**',
      '',
      ...r.applied.map(
        a =>
          `- ${a.ok ? (a.changed ? '✅' : '➖') : '❌'} ${a.actuator}: ${escapeMarkdown(a.detail)}`
      )
    )
  }
  lines.push(...segmentLines(r.segments))
  return lines
}

/** A line whose leading `**...**` is ours, the rest escaped (a model id is data). */
function escapeMarkdownKeepingBold(line: string): string {
  const m = /^(\*\*[^*]+\*\*)(.*)$/.exec(line)
  return m ? `${m[1]}${escapeMarkdown(m[2] ?? '')}` : escapeMarkdown(line)
}

function recordSection(r: DecisionRecord): string {
  const json = recordJson(r)
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(json) + 1))
  return [
    '<details><summary>Decision record</summary>',
    '',
    `${fence}json`,
    json,
    fence,
    '',
    '</details>'
  ].join('\n')
}

const longestBacktickRun = (s: string): number =>
  Math.max(0, ...(s.match(/`+/g) ?? []).map(run => run.length))
