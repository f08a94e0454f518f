import { userInfo } from 'node:os'
import { UsageError } from '../errors.js'
import { parseInstant } from '../policy/units.js'
import type { Outcome } from '../evaluate.js'
import { progressPrinter, type RunLog } from '../log.js'
import { recordJson } from '../report/record.js'
import type { Io, Values } from './registry.js'

/** A string option's value (undefined when not given). */
export const text = (values: Values, name: string): string | undefined => {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export const list = (values: Values, name: string): string[] => {
  const v = values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

export const flag = (values: Values, name: string): boolean => values[name] === true

/** A required option (the registry has checked it is there). */
export const required = (values: Values, name: string): string => {
  const v = text(values, name)
  if (v === undefined) throw new UsageError(`usage: --${name} is required`)
  return v
}

/** ISO-8601 with a date and, when a time is given, an explicit zone; strict (no 2026-02-30). */
export function instant(flagName: string, value: string): number {
  const parsed = parseInstant(value)
  if (!parsed.ok) throw new UsageError(`usage: ${flagName} ${parsed.error}`)
  return parsed.value
}

export function currentUser(): string {
  try {
    return process.env.USER || userInfo().username || 'cli'
  } catch {
    return 'cli'
  }
}

export type Format = 'text' | 'json' | 'markdown'

export function render(outcome: Outcome, format: Format): string {
  if (format === 'json') return recordJson(outcome.record) + '\n'
  if (format === 'markdown') return outcome.markdown
  return outcome.text
}

/** --verbose: the run's phases, progress and detail on stderr, each line prefixed. */
export function stderrLog(io: Io): RunLog {
  const line = (prefix: string) => (message: string) => io.err(`${prefix}${message}\n`)
  return {
    phase: name => io.err(`== ${name}\n`),
    info: line('   '),
    debug: line('   . '),
    progress: progressPrinter(line('   ... '), io.clock, 2_000)
  }
}
