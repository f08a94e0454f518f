import * as core from '@actions/core'
import { UsageError } from '../errors.js'
import { parseChatCommand } from '../github/chatCommand.js'
import { Conversation } from '../github/conversation.js'
import { escapeMarkdown } from '../report/markdown.js'
import { statusReport } from '../report/status.js'
import { decideWithRetries, notApplied, publish, type RunContext } from './decision.js'
import { logLine, logUntrusted } from './log.js'
import { oneLine } from '../report/sanitize.js'

/** The parts of an issue_comment event payload used here. */
interface CommentEvent {
  action?: string
  comment?: {
    id: number
    body?: string
    html_url?: string
    user?: { login: string; type?: string }
  }
  issue?: { number: number; pull_request?: unknown }
}

/**
 * `/rollout ...` in a pull request comment, the same path as a workflow_dispatch command (one
 * decideWithRetries, the same actuators and sticky comment), acknowledged with reactions: 👀 at
 * once, then 🚀 when done or 😕 when refused or failed. Silently ignored: comments that are not a
 * command, edits and deletions (a command runs once, when posted), comments by bots (the Action's
 * own included), issues that are not pull requests, and commands naming another rollout.
 */
export async function runChatCommand(ctx: RunContext, payload: CommentEvent): Promise<void> {
  const { comment, issue } = payload
  const ignore = (why: string) => logLine(`Not a command for this rollout: ${why}.`)
  if (!ctx.github) throw new UsageError('PR comment commands need the input "github-token"')
  if (!comment || !issue) return ignore('the event has no comment')
  if (payload.action !== 'created') return ignore(`the comment was ${payload.action}, not created`)
  if (!issue.pull_request) return ignore('the comment is on an issue, not a pull request')
  if (comment.user?.type === 'Bot') return ignore(`${comment.user.login} is a bot`)
  const parsed = parseChatCommand(comment.body ?? '')
  if (parsed.kind === 'none') return ignore('the comment does not start with /rollout')
  const rollout = ctx.loaded.policy.rollout.name
  if (parsed.kind === 'command' && parsed.command.rollout && parsed.command.rollout !== rollout) {
    return ignore(`it names rollout ${parsed.command.rollout}`)
  }
  const actor = comment.user?.login ?? 'someone'
  const chat = new Conversation(ctx.github.client, ctx.github.repo, issue.number)
  await chat.react(comment.id, 'eyes')
  // Done is a reaction and the updated verdict comment; anything else also gets a short reply.
  const answer = async (ok: boolean, text?: string) => {
    if (text) await chat.reply(`@${actor} ${text}`)
    await chat.react(comment.id, ok ? 'rocket' : 'confused')
  }
  if (parsed.kind === 'malformed') {
    core.warning(oneLine(`Malformed command from ${actor}: ${parsed.message}`))
    return answer(false, escapeMarkdown(parsed.message).replace(/\\`/g, '`'))
  }
  const cmd = parsed.command
  if (cmd.verb === 'status') {
    const state = await ctx.store.load()
    const report = statusReport(ctx.loaded.policy, state, ctx.inputs.now ?? Date.now())
    return answer(true, `here is where the rollout stands:\n\n${report.markdown}`)
  }
  if (!(await chat.canWrite(actor))) {
    const why = `\`/rollout ${cmd.verb}\` refused: changing rollout \`${rollout}\` needs write permission on the repository.`
    core.warning(`${actor}: ${why}`)
    return answer(false, why)
  }
  const { verb, toWeight } = cmd
  const reason = `${cmd.reason ?? `${verb} requested`}${comment.html_url ? ` (${comment.html_url})` : ''}`
  let outcome
  try {
    const request = { command: verb, actor, reason, ...(toWeight !== undefined && { toWeight }) }
    outcome = await decideWithRetries(ctx, request, issue.number)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    return answer(false, escapeMarkdown(e.message))
  }
  const store = ctx.inputs.dryRun ? undefined : ctx.store
  const failures = [...(await publish(outcome, ctx, issue.number, store)), ...notApplied(outcome)]
  logUntrusted(outcome.text)
  if (failures.length > 0) {
    await answer(false, `\`/rollout ${verb}\` failed: ${escapeMarkdown(failures.join('; '))}`)
    core.setFailed(failures.map(oneLine).join('\n'))
    return
  }
  await answer(true)
}
