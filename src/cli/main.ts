import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { UsageError, parseStepWeight } from '../errors.js'
import { command, decideAgainOnConflict, evaluate, type Outcome } from '../evaluate.js'
import { PolicyError } from '../policy/types.js'
import { parseInstant } from '../policy/units.js'
import { knownSecrets, loadPolicyFile, sourceFor } from '../policyFile.js'
import { applyAll, type ApplyContext } from '../actuators/actuator.js'
import { buildActuators } from '../actuators/build.js'
import type { DecisionRecord } from '../report/record.js'
import { statusText } from '../report/text.js'
import { recordJson } from '../report/record.js'
import { memoizedSource } from '../sources/source.js'
import { FileStateStore } from '../state/fileStore.js'
import { StateError } from '../state/store.js'

export const HELP = `rollout-gate: gate the rollout of an AI change on live traffic.

Usage:
  rollout-gate evaluate --policy FILE [--records FILE_OR_GLOB ...] [--state FILE]
                        [--since ISO-8601] [--now ISO-8601] [--format text|json|markdown]
                        [--dry-run]
  rollout-gate rollback|promote|pause|resume --policy FILE --state FILE --reason TEXT
                        [--actor NAME] [--now ISO-8601] [--format text|json|markdown]
  rollout-gate status --policy FILE --state FILE [--format text|json]

evaluate   collect the current step's evidence, decide promote, hold or rollback, print the
           verdict, and (with --state) write the next state.
rollback, promote, pause, resume
           a person's decision; overrides the analysis and is recorded with --actor and --reason.
status     print the stored state of the rollout.

Options:
  --policy FILE      the rollout policy (YAML)
  --records GLOB     read these files instead of the policy's file source (repeatable)
  --state FILE       the rollout state (JSON); without it, the rollout is at its first step
  --since ISO        without a state: when the first step began (default: first canary record)
  --now ISO          evaluate as of this instant; later records are ignored (default: now)
  --format F         text (default), json (the decision record), markdown (the PR comment)
  --dry-run          decide and print, but do not write the state
  --actor NAME       who runs a command (default: the current user)
  --reason TEXT      why (required for rollback, promote and pause)
  --weight N         promote only: go straight to the step with this canary weight
  -h, --help         this help

Exit status: 0 for any decision; 3 when the decision is saved but an actuator has not applied
it yet (every run applies it again); 2 for a usage, policy or state error; 1 for a bug.
`

const COMMANDS = ['evaluate', 'rollback', 'promote', 'pause', 'resume', 'status'] as const
type Command = (typeof COMMANDS)[number]
type Format = 'text' | 'json' | 'markdown'

interface Io {
  out: (s: string) => void
  err: (s: string) => void
  clock: () => number
  /** The working tree git-file actuators edit; default the process's working directory. */
  cwd?: string
}

/** Exit status when the decision stands but an actuator has not applied it (the next run retries). */
export const EXIT_NOT_APPLIED = 3
/** Runs racing on one state file: each lost compare-and-swap re-reads the state and decides again. */
const STATE_ATTEMPTS = 8

/** Runs the CLI and returns the exit status; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const args = parse(argv)
    if (args === 'help') {
      io.out(HELP)
      return 0
    }
    const loaded = await loadPolicyFile(args.policy)
    const store = args.state
      ? new FileStateStore(args.state, loaded.policy.rollout.name)
      : undefined
    const now = args.now ?? io.clock()
    if (args.command === 'status') {
      const state = await store?.load()
      io.out(
        args.format === 'json'
          ? JSON.stringify(state ?? null, null, 2) + '\n'
          : statusText(loaded.policy, state) + '\n'
      )
      return 0
    }
    const actuators = buildActuators(loaded.policy.actuators ?? [], {
      cwd: io.cwd ?? process.cwd(),
      env: process.env
    })
    const common = {
      policy: loaded.policy,
      policyHash: loaded.hash,
      now,
      secrets: knownSecrets(loaded.policy, process.env),
      ...(store && { store }),
      ...(actuators.length > 0 && {
        apply: (record: DecisionRecord, lastApplied: ApplyContext['lastApplied']) =>
          applyAll(actuators, record, { dryRun: args.dryRun, ...(lastApplied && { lastApplied }) })
      })
    }
    const cmd = args.command
    const source = cmd === 'evaluate' ? memoizedSource(sourceFor(loaded, args.records)) : undefined
    // Another process saved the state first (its compare-and-swap won): decide again on its state.
    const outcome = await decideAgainOnConflict(
      () =>
        source || cmd === 'evaluate'
          ? evaluate({
              ...common,
              source: source ?? sourceFor(loaded, args.records),
              dryRun: args.dryRun,
              replay: args.now !== undefined,
              ...(args.since !== undefined && { since: args.since })
            })
          : command({
              ...common,
              command: cmd,
              actor: args.actor,
              reason: args.reason ?? `${args.command} requested`,
              ...(args.toWeight !== undefined && { toWeight: args.toWeight })
            }),
      { attempts: STATE_ATTEMPTS }
    )
    io.out(render(outcome, args.format))
    // Decided (and saved), but an actuator has not applied it yet: say so to scripts too.
    return outcome.record.applied?.some(a => !a.ok) ? EXIT_NOT_APPLIED : 0
  } catch (e) {
    if (e instanceof UsageError || e instanceof PolicyError || e instanceof StateError) {
      io.err(`rollout-gate: ${e.message}\n`)
      // Flag and command mistakes, not policy or state problems, point to the help.
      if (e instanceof UsageError && e.message.startsWith('usage:')) {
        io.err('Run rollout-gate --help for usage.\n')
      }
      return 2
    }
    io.err(`rollout-gate: internal error (a bug; please report it): ${(e as Error).stack ?? e}\n`)
    return 1
  }
}

function render(outcome: Outcome, format: Format): string {
  if (format === 'json') return recordJson(outcome.record) + '\n'
  if (format === 'markdown') return outcome.markdown
  return outcome.text
}

interface Args {
  command: Command
  policy: string
  state?: string
  records: string[]
  since?: number
  now?: number
  format: Format
  dryRun: boolean
  actor: string
  reason?: string
  toWeight?: number
}

function parse(argv: string[]): Args | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        policy: { type: 'string' },
        records: { type: 'string', multiple: true },
        state: { type: 'string' },
        since: { type: 'string' },
        now: { type: 'string' },
        format: { type: 'string' },
        'dry-run': { type: 'boolean' },
        actor: { type: 'string' },
        reason: { type: 'string' },
        weight: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (e) {
    throw new UsageError(`usage: ${(e as Error).message}`)
  }
  const { values: v, positionals } = parsed
  if (v.help || positionals[0] === 'help') return 'help'
  const [cmd, ...extra] = positionals
  if (!cmd)
    throw new UsageError(
      'usage: missing command (evaluate, rollback, promote, pause, resume or status)'
    )
  if (!(COMMANDS as readonly string[]).includes(cmd)) {
    throw new UsageError(`usage: unknown command "${cmd}"; expected one of ${COMMANDS.join(', ')}`)
  }
  if (extra.length > 0) throw new UsageError(`usage: unexpected argument "${extra[0]}"`)
  const command = cmd as Command
  if (!v.policy) throw new UsageError(`usage: ${command} needs --policy FILE`)
  const manual = command !== 'evaluate' && command !== 'status'
  if ((manual || command === 'status') && !v.state) {
    throw new UsageError(
      `usage: ${command} needs --state FILE (the rollout state it reads and writes)`
    )
  }
  if (manual && command !== 'resume' && !v.reason?.trim()) {
    throw new UsageError(`usage: ${command} needs --reason TEXT (it is recorded with the decision)`)
  }
  if (v.weight !== undefined && command !== 'promote') {
    throw new UsageError('usage: --weight is for promote (promote straight to that step)')
  }
  if (!manual && v.reason)
    throw new UsageError(`usage: --reason is for rollback, promote, pause and resume`)
  if (command !== 'evaluate' && (v.records || v.since || v['dry-run'])) {
    throw new UsageError(`usage: --records, --since and --dry-run are for evaluate`)
  }
  const format = (v.format ?? 'text') as Format
  if (!['text', 'json', 'markdown'].includes(format)) {
    throw new UsageError(`usage: --format must be text, json or markdown, not "${v.format}"`)
  }
  return {
    command,
    policy: v.policy,
    ...(v.state && { state: v.state }),
    records: v.records ?? [],
    ...(v.since !== undefined && { since: instant('--since', v.since) }),
    ...(v.now !== undefined && { now: instant('--now', v.now) }),
    format,
    dryRun: v['dry-run'] ?? false,
    actor: v.actor?.trim() || currentUser(),
    ...(v.reason && { reason: v.reason.trim() }),
    ...(v.weight !== undefined && { toWeight: parseStepWeight(v.weight, 'usage: --weight') })
  }
}

/** ISO-8601 with a date and, when a time is given, an explicit zone; strict (no 2026-02-30). */
function instant(flag: string, text: string): number {
  const parsed = parseInstant(text)
  if (!parsed.ok) throw new UsageError(`usage: ${flag} ${parsed.error}`)
  return parsed.value
}

function currentUser(): string {
  try {
    return process.env.USER || userInfo().username || 'cli'
  } catch {
    return 'cli'
  }
}
