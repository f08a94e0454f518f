import { backtest } from '../backtest/backtest.js'
import { backtestJson, backtestMarkdown, backtestText } from '../backtest/render.js'
import { UsageError } from '../errors.js'
import { formatDuration, parseDuration } from '../policy/units.js'
import { loadPolicyFile, sourceFor } from '../policyFile.js'
import { readLogs, type Logs } from '../replay/read.js'
import { ReplaySource } from '../replay/replaySource.js'
import { FileSource } from '../sources/file/fileSource.js'
import { SourceError, type Source } from '../sources/source.js'
import { parseInstant } from './instants.js'
import type { Io, Values } from './registry.js'

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

/** `rollout-gate backtest ...` (options parsed by the registry, commands.ts); the exit status. */
export async function runBacktest(values: Values, io: Io): Promise<number> {
  const args = argsOf(values)
  const loaded = await loadPolicyFile(args.policy)
  const { policy } = loaded
  const source = await sourceFor(loaded, args.records)
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
      // The output shows each look's decision, gating metrics and checks, never its report.
      decisionOnly: true,
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

function argsOf(v: Values): BacktestArgs {
  const str = (name: string) => v[name] as string | undefined
  const policy = str('policy') as string
  const every = parseDuration(str('every') ?? '15m')
  if (!every.ok || !(every.value >= 60_000)) {
    throw new UsageError(
      `usage: --every must be a duration of at least 1m such as 15m or 1h, not "${str('every')}"`
    )
  }
  const format = str('format') ?? 'text'
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    throw new UsageError(`usage: --format must be text, markdown or json, not "${format}"`)
  }
  return {
    policy,
    records: (v.records as string[] | undefined) ?? [],
    every: every.value,
    ...(str('from') !== undefined && { from: parseInstant('--from', str('from') as string) }),
    ...(str('to') !== undefined && { to: parseInstant('--to', str('to') as string) }),
    ...(str('since') !== undefined && { since: parseInstant('--since', str('since') as string) }),
    format
  }
}
