import type { HistoryEntry, RolloutState } from '../decide/types.js'
import { duration } from '../policy/format.js'
import type { Policy } from '../policy/types.js'
import { escapeMarkdown } from './markdown.js'

/** Transitions listed; the state keeps more (HISTORY_LIMIT), the record of each run has the rest. */
const MAX_TRANSITIONS = 20

export interface StatusReport {
  text: string
  markdown: string
}

/** One row of the history: a move of the canary, or a person's command. */
interface Transition {
  at: string
  what: string
  from: number
  to: number
  by: string
  why: string
}

/**
 * Where a rollout stands, from its stored state: the current verdict and why, the step's progress
 * against the policy's bake time and limit (as of `now`), and the history of transitions with who
 * made them (the gate, or a person). `status` prints it; the Action writes it to the job summary.
 */
export function statusReport(
  policy: Policy,
  state: RolloutState | undefined,
  now: number
): StatusReport {
  const name = policy.rollout.name
  if (!state) {
    const text = `${name}: no state yet (the first evaluate starts the first step)`
    return {
      text: text + '\n',
      markdown: `### \`${plainName(name)}\`: no state yet\n\nThe first evaluation starts the first step.\n`
    }
  }
  const facts = statusFacts(policy, state, now)
  const transitions = transitionsOf(state.history)
  const shown = transitions.slice(-MAX_TRANSITIONS)
  const earlier = transitions.length - shown.length

  const text = [
    `${name}: ${facts.headline}`,
    `  ${facts.progress.replace(/\*\*(.*?)\*\*/g, '[$1]')}`,
    `  ${facts.step}`,
    ...(facts.verdict ? [`  ${facts.verdict}`] : []),
    `  state revision ${state.revision}`
  ]
  if (shown.length > 0) {
    text.push(
      '',
      `History (${transitions.length} transition${transitions.length === 1 ? '' : 's'}${earlier > 0 ? `, the last ${shown.length}` : ''}):`
    )
    for (const t of shown) {
      text.push(
        `  ${t.at}  ${t.what.padEnd(9)} ${`${t.from}% -> ${t.to}%`.padEnd(12)} by ${t.by}: ${t.why}`
      )
    }
  }

  const markdown = [
    `### \`${plainName(name)}\`: ${escapeMarkdown(facts.headline)}`,
    '',
    facts.progress,
    '',
    `- ${escapeMarkdown(facts.step)}`,
    ...(facts.verdict ? [`- ${escapeMarkdown(facts.verdict)}`] : []),
    `- State revision ${state.revision}`
  ]
  if (shown.length > 0) {
    markdown.push(
      '',
      `**History**${earlier > 0 ? ` (the last ${shown.length} of ${transitions.length} transitions)` : ''}`,
      '',
      '| when | what | canary | by | why |',
      '|---|---|---|---|---|',
      ...shown.map(
        t =>
          `| ${t.at} | ${t.what} | ${t.from}% → ${t.to}% | ${escapeMarkdown(t.by)} | ${escapeMarkdown(t.why)} |`
      )
    )
  }
  return { text: text.join('\n') + '\n', markdown: markdown.join('\n') + '\n' }
}

function statusFacts(policy: Policy, state: RolloutState, now: number) {
  const steps = policy.rollout.steps
  const index = state.stepIndex
  const weight = index < 0 ? 0 : (steps[index] ?? 0)
  const started = Date.parse(state.stepStartedAt)
  const elapsed = Math.max(0, now - started)
  const where =
    index < 0 ? 'the canary is at 0%' : `step ${index + 1} of ${steps.length} (${weight}%)`
  const headline =
    state.status === 'running'
      ? `running at ${where}`
      : state.status === 'paused'
        ? `paused at ${where}`
        : state.status === 'complete'
          ? 'complete: the canary serves 100%'
          : 'rolled back: the canary is at 0%'
  const progress = steps
    .map((w, i) => {
      if (state.status === 'rolled-back') return `${w}%`
      if (i < index || (state.status === 'complete' && i === index)) return `${w}% ✓`
      if (i === index) return `**${w}%**`
      return `${w}%`
    })
    .join(' → ')
  const step =
    state.status === 'running' || state.status === 'paused'
      ? `step began ${state.stepStartedAt}, ${duration(elapsed)} ago; bake time ${duration(policy.rollout.minDuration)}${elapsed >= policy.rollout.minDuration ? ' (baked)' : ` (${duration(policy.rollout.minDuration - elapsed)} to go)`}, limit ${duration(policy.rollout.maxDuration)} (then ${policy.rollout.onTimeout})`
      : `since ${state.history.at(-1)?.at ?? state.stepStartedAt}`
  const last = state.history.at(-1)
  const paused = state.paused
  const verdict = paused
    ? `paused by ${paused.actor} at ${paused.at}: ${paused.reason}`
    : last
      ? `last verdict ${last.at}: ${verdictWord(last)}${last.manual && last.actor ? ` by ${last.actor}` : ''}: ${last.manual && last.actor ? last.reason.replace(`${last.action} by ${last.actor}: `, '') : last.reason}`
      : undefined
  return { headline, progress, step, verdict }
}

function verdictWord(h: HistoryEntry): string {
  if (h.action === 'pause' || h.action === 'resume') return h.action
  if (h.action === 'hold') return `hold at ${h.from}%`
  if (h.action === 'rollback') return `rollback ${h.from}% -> ${h.to}%`
  return h.from === h.to ? `promote (stays at ${h.to}%)` : `promote ${h.from}% -> ${h.to}%`
}

/** Every move of the canary and every person's command, oldest first; repeated holds are not. */
function transitionsOf(history: HistoryEntry[]): Transition[] {
  return history
    .filter(h => h.manual || h.from !== h.to || h.action === 'rollback')
    .map(h => ({
      at: h.at,
      what: h.action,
      from: h.from,
      to: h.to,
      by: h.manual ? (h.actor ?? 'someone') : 'the gate',
      // A person's decision's reason starts `pause by ana: `: the actor has a column of its own.
      why: h.manual && h.actor ? h.reason.replace(`${h.action} by ${h.actor}: `, '') : h.reason
    }))
}

const plainName = (name: string): string => name.replace(/`/g, '')
