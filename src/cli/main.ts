import { UsageError } from '../errors.js'
import { PolicyError } from '../policy/types.js'
import { SourceError } from '../sources/source.js'
import { StateError } from '../state/store.js'
import { VERSION } from '../version.js'
import { COMMANDS } from './commands.js'
import { EXIT_BUG, EXIT_OK, EXIT_USAGE } from './exit.js'
import {
  PROGRAM,
  commandHelp,
  globalHelp,
  hint,
  parseCommandArgs,
  type CommandSpec,
  type Io
} from './registry.js'

/** `rollout-gate --help`. */
export const HELP = globalHelp(COMMANDS)

/** Runs the CLI and returns the exit status; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  let spec: CommandSpec | undefined
  try {
    const [first, ...rest] = argv
    if (first === '--version' || first === '-V') {
      io.out(`${VERSION}\n`)
      return EXIT_OK
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const about = first === 'help' && rest[0] !== undefined ? command(rest[0]) : undefined
      if (first === undefined) {
        io.err(HELP)
        return EXIT_USAGE
      }
      io.out(about ? commandHelp(about) : HELP)
      return EXIT_OK
    }
    spec = command(first)
    const values = parseCommandArgs(spec, rest, COMMANDS)
    if (values.help) {
      io.out(commandHelp(spec))
      return EXIT_OK
    }
    return await spec.run(values, io)
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof PolicyError ||
      e instanceof StateError ||
      e instanceof SourceError
    ) {
      io.err(`${PROGRAM}: ${e.message}\n`)
      // Flag and command mistakes, not policy or state problems, point to the help.
      if (e instanceof UsageError && e.message.startsWith('usage:')) {
        io.err(`Run \`${PROGRAM} ${spec ? `${spec.name} ` : ''}--help\` for usage.\n`)
      }
      return EXIT_USAGE
    }
    io.err(
      `${PROGRAM}: internal error (a bug; please report it): ${(e as Error).stack ?? String(e)}\n`
    )
    return EXIT_BUG
  }
}

/** The command named `name`, or a usage error with the closest one. */
function command(name: string): CommandSpec {
  const spec = COMMANDS.find(c => c.name === name)
  if (spec) return spec
  const names = COMMANDS.map(c => c.name)
  if (name.startsWith('-')) {
    throw new UsageError(
      `usage: the command comes first (${names.join(', ')}), then its options; got "${name}"`
    )
  }
  throw new UsageError(
    `usage: unknown command "${name}"${hint(name, names)}; expected one of ${names.join(', ')}`
  )
}
