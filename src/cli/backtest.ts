import { parseArgs } from 'node:util'
import { backtest } from '../backtest/backtest.js'
import { backtestJson, backtestMarkdown, backtestText } from '../backtest/render.js'
import { UsageError } from '../errors.js'
import { formatDuration, parseDuration } from '../policy/units.js'
import { loadPolicyFile, sourceFor } from '../policyFile.js'
import { readLogs, type Logs } from '../replay/read.js'
import { ReplaySource } from '../replay/replaySource.js'
import { FileSource } from '../sources/file/fileSource.js'
import { SourceError, type Source } from '../sources/source.js'
import { parseInstant, type CommandIo } from './instants.js'

export const BACKTEST_USAGE = `rollout-gate backtest --policy FILE [--records FILE_OR_GLOB ...] [--every 15m]
                      [--from ISO-8601] [--to ISO-8601] [--since ISO-8601]
                      [--format text|markdown|json]`

export const BACKTEST_HELP = `Usage:
  ${BACKTEST_USAGE}

Replays the gate over logs of a past or ongoing rollout: evaluates at every scheduled instant
(every --every from --from to --to) exactly as the scheduled workflow would, with the rollout
state carried from look to look (promotions move the step; the canary's share in the logs is
whatever it was: the arm is read from each record), and prints each look's decision, the metric
or check it turned on with its interval, and when each step promoted or rolled back. The logs
are read once. Nothing is applied and no state file is written; an LLM judge is not called.

Options:
  --policy FILE      the rollout policy (YAML) to try
  --records GLOB     the logs (repeatable); default the policy's file source. Other sources
                     (Prometheus, Langfuse) are queried at each look: give --from and --to
  --every D          the schedule, as in the workflow's cron (default 15m)
  --from ISO         the first look (default: the first time on the --every grid, in UTC, at or
                     after the earliest canary record, else the first record)
  --to ISO           the last look at or before this (default: the last record)
  --since ISO        when the first step began (default: the earliest canary record)
  --format F         text (default), markdown (charts of each metric's interval), json
  -h, --help         this help

Exit status: 0 when the backtest ran; 2 for a usage, policy or data problem; 1 for a bug.
`

/** Looks at most: beyond, --every is too fine for the range (each look is a full evaluation). */
const MAX_LOOKS = 20_000

interface BacktestArgs {
  policy: string
  records: string[]
  every: number
  from?: number
  to?: number
  since?: number
  format: 'text' | 'markdown' | 'json'
}

/** `rollout-gate backtest ...` (argv after the command); returns the exit status. */
export async function backtestCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv)
  if (args === 'help') {
    io.out(BACKTEST_HELP)
    return 0
  }
  const loaded = await loadPolicyFile(args.policy)
  const { policy } = loaded
  const source = sourceFor(loaded, args.records)
  let logs: Logs | undefined
  let replay: ReplaySource | undefined
  try {
    if (source instanceof FileSource) {
      logs = await readLogs(source, policy).catch(rethrowAsUsage)
      replay = new ReplaySource(logs, policy, source.describe())
    }
    const looks = instants(args, logs)
    const result = await backtest({
      policy,
      policyHash: loaded.hash,
      source: replay ?? (source as Source),
      looks,
      ...(args.since !== undefined && { since: args.since })
    })
    const ctx = {
      policy,
      every: args.every,
      source: source.describe(),
      ...(logs && { records: logs.records, runsOnDisk: logs.store.runsOnDisk })
    }
    io.out(
      args.format === 'json'
        ? backtestJson(result)
        : args.format === 'markdown'
          ? backtestMarkdown(result, ctx)
          : backtestText(result, ctx)
    )
    return 0
  } finally {
    replay?.close()
    logs?.store.close()
  }
}

function rethrowAsUsage(e: unknown): never {
  // No file, or no line of any file readable: nothing to replay (a usage problem here).
  if (e instanceof SourceError) throw new UsageError(e.message)
  throw e
}

/**
 * The look instants: every `every` from --from to --to. By default from the first multiple of
 * `every` (in UTC, as a cron schedule runs) at or after the earliest canary record (or the first
 * record), to the last record.
 */
function instants(args: BacktestArgs, logs: Logs | undefined): number[] {
  const start = logs?.firstCanary ?? logs?.first
  const from =
    args.from ?? (start === undefined ? undefined : Math.ceil(start / args.every) * args.every)
  const to = args.to ?? logs?.last
  if (from === undefined || to === undefined) {
    throw new UsageError(
      logs
        ? "usage: the logs hold no record of either arm; check --records and the policy's arms"
        : 'usage: backtest on a source other than files needs --from and --to (the range to replay)'
    )
  }
  if (to < from) {
    throw new UsageError(`usage: --to (${iso(to)}) is before --from (${iso(from)})`)
  }
  const count = Math.floor((to - from) / args.every) + 1
  if (count > MAX_LOOKS) {
    throw new UsageError(
      `usage: ${count} looks from ${iso(from)} to ${iso(to)} every ${formatDuration(args.every)}; at most ${MAX_LOOKS}: a longer --every or a shorter range`
    )
  }
  return Array.from({ length: count }, (_, i) => from + i * args.every)
}

const iso = (t: number): string => new Date(t).toISOString()

function parse(argv: string[]): BacktestArgs | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        policy: { type: 'string' },
        records: { type: 'string', multiple: true },
        every: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        since: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (e) {
    throw new UsageError(`usage: backtest: ${(e as Error).message}`)
  }
  const v = parsed.values
  if (v.help) return 'help'
  if (!v.policy) throw new UsageError('usage: backtest needs --policy FILE')
  const every = parseDuration(v.every ?? '15m')
  if (!every.ok || !(every.value >= 60_000)) {
    throw new UsageError(
      `usage: --every must be a duration of at least 1m such as 15m or 1h, not "${v.every}"`
    )
  }
  const format = v.format ?? 'text'
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    throw new UsageError(`usage: --format must be text, markdown or json, not "${format}"`)
  }
  return {
    policy: v.policy,
    records: v.records ?? [],
    every: every.value,
    ...(v.from !== undefined && { from: parseInstant('--from', v.from) }),
    ...(v.to !== undefined && { to: parseInstant('--to', v.to) }),
    ...(v.since !== undefined && { since: parseInstant('--since', v.since) }),
    format
  }
}
