/**
 * Text that came from data or from a server (a model name, a segment value, an error class, an
 * error body, a file name) is untrusted: it may carry a newline and a workflow command
 * (`::warning::`, `::add-mask::`), ANSI escapes that rewrite the terminal, or a credential a
 * server echoed back. These helpers neutralise it before it is logged, printed or posted.
 */

/**
 * C0 and C1 control characters (newlines, ESC, DEL, ...) and the Unicode line and paragraph
 * separators: anything that could end a log line, start a new one, or drive a terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/**
 * One line of plain text: every control character becomes a visible escape (`\n`, `\u001b`), so
 * text from data can never start a line of a log (where `::command::` at column 0 is a GitHub
 * Actions workflow command) nor send terminal escape sequences. Tabs become a space.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, c => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return ' '
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/** Shortest secret scrubbed: shorter strings occur in ordinary text by chance. */
const MIN_SECRET_LENGTH = 4

/** How a secret can appear in text a server sends back: as is, URL-encoded, or in base64. */
function forms(secret: string): string[] {
  const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(secret)))
  const base64url = base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  const out = new Set([
    secret,
    encodeURIComponent(secret),
    base64,
    base64.replace(/=+$/, ''),
    base64url
  ])
  return [...out].filter(f => f.length >= MIN_SECRET_LENGTH)
}

/** A function that replaces every known secret in a text with `***` (longest first). */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const all = [...new Set(secrets.filter(s => s.length >= MIN_SECRET_LENGTH).flatMap(forms))].sort(
    (a, b) => b.length - a.length
  )
  if (all.length === 0) return text => text
  return text => {
    let out = text
    for (const s of all) if (out.includes(s)) out = out.split(s).join('***')
    return out
  }
}

/**
 * Every string in a JSON-like value scrubbed (objects and arrays copied, other values kept): for
 * the decision record and the state, whose reasons and checks quote servers' answers.
 */
export function scrubDeep<T>(value: T, scrub: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = walk(x)
      return out
    }
    return v
  }
  return walk(value) as T
}
