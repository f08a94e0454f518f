import { deltaWithInterval, int, noiseText, toleranceText, value, varianceText } from './format.js'
import { budgetText, heldText } from './budget.js'
import { headline, progressLine } from './markdown.js'
import type { DecisionRecord } from './record.js'
import type { RolloutState } from '../decide/types.js'
import type { Policy } from '../policy/types.js'
import { oneLine } from './sanitize.js'

/** Markdown bold (the current step) becomes brackets in a terminal. */
const plain = (s: string): string => s.replace(/\*\*(.*?)\*\*/g, '[$1]')

/** The terminal view: the verdict, why, and one line per metric and check. */
export function renderText(r: DecisionRecord): string {
  const lines = [plain(headline(r)), plain(progressLine(r)), '']
  lines.push(...r.reasons.map(reason => `  - ${reason}`))
  if (r.metrics.length > 0) {
    lines.push(
      '',
      `window ${r.window?.from} -> ${r.window?.to}; baseline ${int(r.arms.baseline.n)}, canary ${int(r.arms.canary.n)} requests`
    )
    const rows = r.metrics.map(m => [
      m.name + (m.mode === 'gate' ? '' : ` (${m.mode})`),
      value(m, m.baseline),
      value(m, m.canary),
      deltaWithInterval(m),
      `tol ${toleranceText(m)}`,
      [noiseText(m), varianceText(m)].filter(Boolean).join('; '),
      m.verdict + (m.holdsBecause ? ' (holds)' : '') + (heldText(m) ? `: ${heldText(m)}` : '')
    ])
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map(row => row[i]?.length ?? 0))) ?? []
    for (const row of rows) {
      lines.push(
        '  ' +
          row
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd()
      )
    }
    for (const m of r.metrics) {
      for (const caveat of m.caveats ?? []) lines.push(`  note: ${m.name}: ${caveat}`)
    }
  }
  if (r.metrics.length > 0) lines.push('', `  ${budgetText(r)}`)
  if (r.checks.length > 0) {
    lines.push('', ...r.checks.map(c => `  [${c.status}] ${c.name}: ${c.detail}`))
  }
  // Text from data (names, values, server messages) never starts a line or drives a terminal.
  return lines.map(oneLine).join('\n') + '\n'
}

/** One line for `status`: where the rollout stands, from its stored state. */
export function statusText(policy: Policy, state: RolloutState | undefined): string {
  if (!state)
    return `${policy.rollout.name}: no state yet (the first evaluate starts the first step)`
  const steps = policy.rollout.steps
  const weight = steps[state.stepIndex]
  const at = weight !== undefined ? `${weight}%` : 'not a step of this policy'
  const lag = state.desired && !state.desired.appliedAt ? '; not yet applied everywhere' : ''
  return oneLine(
    `${state.rollout}: ${state.status} at step ${state.stepIndex + 1} of ${steps.length} (${at}) since ${state.stepStartedAt}; revision ${state.revision}${lag}`
  )
}
