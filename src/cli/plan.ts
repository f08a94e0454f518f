import { parseArgs } from 'node:util'
import { UsageError } from '../errors.js'
import { planFromFiles, planOptions } from '../plan/run.js'
import { planJson, planMarkdown, planText } from '../plan/render.js'
import { loadPolicyFile } from '../policyFile.js'
import type { CommandIo } from './instants.js'

export const PLAN_USAGE = `rollout-gate plan --policy FILE [--records FILE_OR_GLOB ...] [--every 15m]
                      [--replicates 40] [--seed N] [--format text|markdown|json]`

export const PLAN_HELP = `Usage:
  ${PLAN_USAGE}

Will each step of the rollout decide, and when? From your own recent traffic (the baseline's
records before the rollout: --records, or the policy's file source), simulates every step of the
policy through the gate's own engine: users are resampled from the history (a bootstrap by user,
so heavy users, heavy tails and the daily pattern are yours), assigned to the canary at the
step's weight, and the gate looks every --every. For a canary equal to the baseline it prints the
median and 90th percentile time to promote, the share still holding at maxDuration and what
binds; for each gating metric, a canary at half, at and at twice its tolerance; and for a step
that would not decide, the changes that would make it decide (a longer step, a wider tolerance,
a larger step, a mean instead of a tail quantile, variance reduction), each with its new time.
Nothing is applied and no state is read or written.

Options:
  --policy FILE      the rollout policy (YAML)
  --records GLOB     the history (repeatable); default the policy's file source. Canary records
                     in it are ignored
  --every D          the gate's schedule, as in the workflow's cron (default 15m)
  --replicates N     simulated rollouts of an equal canary per step (default 40, 10 to 1000);
                     more is steadier and slower
  --seed N           the simulation's seed (default 1): the same seed, the same plan
  --format F         text (default), markdown (tables and a chart), json
  -h, --help         this help

Exit status: 0 when the plan ran; 2 for a usage, policy or data problem; 1 for a bug.
`

export interface PlanArgs {
  policy: string
  records: string[]
  every: number
  replicates: number
  seed: number
  format: 'text' | 'markdown' | 'json'
}

/** `rollout-gate plan ...` (argv after the command); returns the exit status. */
export async function planCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parsePlanArgs(argv)
  if (args === 'help') {
    io.out(PLAN_HELP)
    return 0
  }
  const result = await planFromFiles(await loadPolicyFile(args.policy), args)
  io.out(
    args.format === 'json'
      ? planJson(result)
      : args.format === 'markdown'
        ? planMarkdown(result)
        : planText(result)
  )
  return 0
}

export function parsePlanArgs(argv: string[]): PlanArgs | 'help' {
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
        replicates: { type: 'string' },
        seed: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (e) {
    throw new UsageError(`usage: plan: ${(e as Error).message}`)
  }
  const v = parsed.values
  if (v.help) return 'help'
  if (!v.policy) throw new UsageError('usage: plan needs --policy FILE')
  return {
    policy: v.policy,
    records: v.records ?? [],
    ...planOptions(
      { every: v.every, replicates: v.replicates, seed: v.seed },
      k => `usage: --${k}`
    ),
    format: planFormat(v.format ?? 'text', '--format')
  }
}

function planFormat(format: string, name: string): PlanArgs['format'] {
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    throw new UsageError(`usage: ${name} must be text, markdown or json, not "${format}"`)
  }
  return format
}
