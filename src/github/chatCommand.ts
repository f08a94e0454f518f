/**
 * `/rollout ...` commands in pull request comments (ChatOps). Only the first line counts, and only
 * when it starts with `/rollout`; anything else is not a command and is ignored silently.
 *
 *   /rollout status [name]
 *   /rollout promote [name:] [to 50%] [reason]
 *   /rollout pause [name:] <reason>
 *   /rollout resume [name]
 *   /rollout rollback [name:] <reason>
 *
 * `name:` picks the rollout when a pull request has several (`/rollout rollback
 * support-assistant: answers got worse`). Pure: the Action does the I/O.
 */
export type ChatVerb = 'status' | 'promote' | 'pause' | 'resume' | 'rollback'

export interface ChatCommand {
  verb: ChatVerb
  /** The rollout named in the command, if any. */
  rollout?: string
  reason?: string
  /** promote: the step weight to go to. */
  toWeight?: number
}

export type Parsed =
  | { kind: 'command'; command: ChatCommand }
  /** A `/rollout` line that is not a valid command: `message` says what is wrong and the right form. */
  | { kind: 'malformed'; message: string }
  | { kind: 'none' }

export const CHAT_USAGE = [
  '`/rollout status`',
  '`/rollout promote [to 50%]`',
  '`/rollout pause <reason>`',
  '`/rollout resume`',
  '`/rollout rollback <reason>`',
  'with `<rollout name>:` before the reason when a PR has several rollouts'
]

const VERBS: readonly ChatVerb[] = ['status', 'promote', 'pause', 'resume', 'rollback']
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function parseChatCommand(body: string): Parsed {
  const line = body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]!
    .trim()
  const m = /^\/rollout(?:\s+(.*))?$/.exec(line)
  if (!m) return { kind: 'none' }
  const [word = '', ...words] = (m[1] ?? '').trim().split(/\s+/)
  const verb = word.toLowerCase() as ChatVerb
  if (!VERBS.includes(verb)) {
    return malformed(word ? `unknown command \`${clip(word)}\`` : 'a command is missing')
  }
  let rest = words.join(' ').trim()
  let rollout: string | undefined
  const named = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}):(?:\s+|$)/.exec(rest)
  if (named) {
    rollout = named[1]
    rest = rest.slice(named[0].length).trim()
  } else if ((verb === 'status' || verb === 'resume') && rest) {
    if (!NAME.test(rest)) return malformed(`\`${clip(rest)}\` is not a rollout name`)
    rollout = rest
    rest = ''
  }
  const command: ChatCommand = { verb, ...(rollout && { rollout }) }
  if (verb === 'promote') {
    const to = /^to\s+(\S+)\s*(.*)$/i.exec(rest)
    if (to) {
      const weight = /^(\d+(?:\.\d+)?)%?$/.exec(to[1]!)
      const value = weight ? Number(weight[1]) : NaN
      if (!(value > 0 && value <= 100))
        return malformed(`\`${clip(to[1]!)}\` is not a weight like 50%`)
      command.toWeight = value
      rest = to[2]!.trim()
    }
  }
  if ((verb === 'pause' || verb === 'rollback') && !rest) {
    return malformed(
      `\`/rollout ${verb}\` needs a reason, e.g. \`/rollout ${verb} answers got worse\``
    )
  }
  if (rest) command.reason = rest.slice(0, 500)
  return { kind: 'command', command }
}

function malformed(problem: string): Parsed {
  return { kind: 'malformed', message: `${problem}. Commands: ${CHAT_USAGE.join(', ')}.` }
}

/** Echo at most a few characters of what the person typed (escaped by the caller's markdown). */
const clip = (s: string) => s.replace(/`/g, '').slice(0, 40)
