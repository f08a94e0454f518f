import { parseArgs } from 'node:util'
import { UsageError } from '../errors.js'
import { distance } from '../policy/dsl.js'

/**
 * The CLI's commands as data: each names its options, its help and how it runs, so parsing, the
 * help texts and did-you-mean come from one table (commands.ts), and a new command is one entry.
 */

export interface OptionSpec {
  name: string
  type: 'string' | 'boolean'
  /** Repeatable (`--records a --records b`). */
  multiple?: boolean
  short?: string
  /** The value's placeholder in help: `FILE`, `ISO-8601`. */
  value?: string
  help: string
  required?: boolean
  /** Allowed values of a string option; anything else is a usage error naming them. */
  choices?: readonly string[]
}

/** The options' values as parsed: strings, booleans, or lists for repeatable options. */
export type Values = Record<string, string | boolean | string[] | undefined>

export interface Io {
  out: (s: string) => void
  err: (s: string) => void
  clock: () => number
  /** The working tree git-file actuators edit; default the process's working directory. */
  cwd?: string
}

export interface CommandSpec {
  name: string
  /** One line for the list of commands. */
  summary: string
  /** Usage lines after `rollout-gate NAME`; default: built from the options. */
  usage?: string[]
  /** What the command does, for its --help. */
  description: string
  options: OptionSpec[]
  /** Exit statuses of this command, for its --help (the common ones are added). */
  exits?: string[]
  /** Runs the command (its implementation is loaded when it runs); returns the exit status. */
  run(values: Values, io: Io): Promise<number>
}

export const PROGRAM = 'rollout-gate'

/** Options every command takes. */
export const HELP_OPTION: OptionSpec = {
  name: 'help',
  type: 'boolean',
  short: 'h',
  help: "this command's help"
}

/**
 * The command's options from argv (the arguments after the command name). Unknown options get a
 * did-you-mean over this command's options, and name the commands they belong to; a value outside
 * an option's choices names the allowed ones.
 */
export function parseCommandArgs(
  spec: CommandSpec,
  argv: string[],
  all: readonly CommandSpec[]
): Values {
  const options = [...spec.options, HELP_OPTION]
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        options.map(o => [
          o.name,
          {
            type: o.type,
            ...(o.multiple && { multiple: true }),
            ...(o.short && { short: o.short })
          }
        ])
      )
    })
  } catch (e) {
    throw new UsageError(`usage: ${parseError(e, spec, all)}`)
  }
  const values = parsed.values as Values
  if (values.help) return values
  if (parsed.positionals.length > 0) {
    throw new UsageError(`usage: unexpected argument "${parsed.positionals[0]}" after ${spec.name}`)
  }
  for (const o of options) {
    const v = values[o.name]
    if (o.required && (v === undefined || (typeof v === 'string' && v.trim() === ''))) {
      throw new UsageError(`usage: ${spec.name} needs --${o.name} ${o.value ?? ''}`.trimEnd())
    }
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      throw new UsageError(
        `usage: --${o.name} must be ${orList(o.choices)}, not "${v}"${hint(v, o.choices)}`
      )
    }
  }
  return values
}

/** Node's parseArgs errors, in our words. */
function parseError(e: unknown, spec: CommandSpec, all: readonly CommandSpec[]): string {
  const code = (e as { code?: string }).code
  const message = e instanceof Error ? e.message : String(e)
  const quoted = /'(-[^' ]+)/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
    const name = quoted.replace(/^-+/, '').split('=')[0] as string
    const elsewhere = all.filter(c => c.options.some(o => o.name === name)).map(c => c.name)
    if (elsewhere.length > 0) {
      return `--${name} is not an option of ${spec.name}: it is for ${orList(elsewhere, 'and')}`
    }
    const names = [...spec.options, HELP_OPTION].map(o => o.name)
    return `unknown option ${quoted} for ${spec.name}${hint(name, names, '--')}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    const name = quoted.replace(/^-+/, '')
    const option = spec.options.find(o => o.name === name || o.short === name)
    if (option?.type === 'string')
      return `--${option.name} needs a value (${option.value ?? 'TEXT'})`
    return `--${option?.name ?? name} takes no value`
  }
  return message
}

/** `; did you mean --policy?` when a candidate is a typo away. */
export function hint(word: string, candidates: readonly string[], prefix = ''): string {
  let best: { candidate: string; d: number } | undefined
  const limit = word.length <= 4 ? 1 : 2
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d <= limit && (!best || d < best.d)) best = { candidate, d }
  }
  return best ? `; did you mean ${prefix}${best.candidate}?` : ''
}

const orList = (items: readonly string[], word = 'or'): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`

/** `evaluate --policy FILE [--records FILE_OR_GLOB ...] [--dry-run]`, from the options. */
export function usageLine(spec: CommandSpec): string {
  const parts = spec.options.map(o => {
    const text = `--${o.name}${o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.value ?? 'TEXT')}` : ''}${o.multiple ? ' ...' : ''}`
    return o.required ? text : `[${text}]`
  })
  return `${spec.name} ${parts.join(' ')}`
}

/**
 * Wraps words to `width` columns, continuation lines indented by `indent`. A bracketed group
 * (`[--since ISO-8601]`) is one word.
 */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.match(/\[[^\]]*\]|\S+/g) ?? []) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = indent + word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

export const COMMON_EXITS = [
  '2  a usage, policy or state error (the message says what and where)',
  '1  a bug (please report it)'
]

/** `rollout-gate evaluate --help`. */
export function commandHelp(spec: CommandSpec): string {
  const usage = spec.usage ?? [usageLine(spec).slice(spec.name.length + 1)]
  const lines = [
    `${PROGRAM} ${spec.name}: ${spec.summary}`,
    '',
    'Usage:',
    ...usage.flatMap(u =>
      wrap(
        `${PROGRAM} ${spec.name} ${u}`,
        96,
        ' '.repeat(PROGRAM.length + spec.name.length + 4)
      ).map(l => `  ${l}`)
    ),
    '',
    ...wrap(spec.description, 96, ''),
    '',
    'Options:'
  ]
  const shown = [...spec.options, HELP_OPTION]
  const labels = shown.map(
    o =>
      `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ` ${o.value ?? 'TEXT'}` : ''}`
  )
  const width = Math.max(...labels.map(l => l.length)) + 2
  shown.forEach((o, i) => {
    const text = `${o.help}${o.required ? ' (required)' : ''}`
    const [first, ...rest] = wrap(text, 96 - width - 2, '')
    lines.push(`  ${(labels[i] as string).padEnd(width)}${first ?? ''}`)
    for (const more of rest) lines.push(`  ${' '.repeat(width)}${more}`)
  })
  lines.push(
    '',
    'Exit status:',
    ...['0  done', ...(spec.exits ?? []), ...COMMON_EXITS].map(e => `  ${e}`)
  )
  return lines.join('\n') + '\n'
}

/** `rollout-gate --help`: every command's usage, then how to get more. */
export function globalHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map(c => c.name.length)) + 2
  const lines = [
    `${PROGRAM}: gate the rollout of an AI change on live traffic.`,
    '',
    'Usage:',
    ...commands.flatMap(c =>
      (c.usage ?? [usageLine(c).slice(c.name.length + 1)]).flatMap(u =>
        wrap(`${PROGRAM} ${c.name} ${u}`, 96, ' '.repeat(PROGRAM.length + c.name.length + 4)).map(
          l => `  ${l}`
        )
      )
    ),
    `  ${PROGRAM} --version | COMMAND --help`,
    '',
    'Commands:',
    ...commands.map(c => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `Run \`${PROGRAM} COMMAND --help\` for a command's options.`,
    '',
    'Exit status: 0 when the command did its work (whatever the decision); 3 when evaluate',
    '--fail-on matches the decision; 2 for a usage, policy or state error (or, for validate, data',
    'that does not fit the policy); 1 for a bug.'
  ]
  return lines.join('\n') + '\n'
}
