/**
 * C0 and C1 control characters and the Unicode line separators: anything that could end a log
 * line, start a new one (where `::command::` is a GitHub Actions workflow command) or drive a
 * terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

/** One line of plain text: control characters from data become visible escapes (`\u001b`). */
export const plainLine = (text: string): string =>
  text.replace(CONTROL, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
