import { UsageError } from '../errors.js'

/** ISO-8601 with a date and, when a time is given, an explicit zone (no local-time guessing). */
export function parseInstant(flag: string, text: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)
  const t = Date.parse(text)
  if (!ok || Number.isNaN(t)) {
    throw new UsageError(
      `usage: ${flag} must be an ISO-8601 instant such as 2026-11-26T14:00:00Z, not "${text}"`
    )
  }
  return t
}
