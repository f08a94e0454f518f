import { readFileSync } from 'node:fs'

/**
 * Human labels for the judge's agreement check: JSONL, one `{"id": "...", "label": ...}` per line,
 * where `id` is the record id and `label` a grade 1..5 (pointwise) or `canary`, `baseline` or `tie`
 * (pairwise, keyed by the canary record's id). Returns the labels, or a problem to report; the
 * labels are optional, so a bad file never stops the judge. Problems name lines, never content.
 */
export function readLabels(path: string): { labels: Map<string, string>; problem?: string } {
  const labels = new Map<string, string>()
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable'
    return { labels, problem: `the labels file ${path} cannot be read (${code})` }
  }
  const bad: number[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return
    try {
      const row = JSON.parse(line) as { id?: unknown; label?: unknown }
      const label = typeof row.label === 'number' ? String(row.label) : row.label
      if (typeof row.id === 'string' && typeof label === 'string' && VALID.test(label)) {
        labels.set(row.id, label)
      } else bad.push(i + 1)
    } catch {
      bad.push(i + 1)
    }
  })
  if (bad.length === 0) return { labels }
  const where = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ', ...' : '')
  return {
    labels,
    problem: `${bad.length} lines of the labels file ${path} are not {"id": "...", "label": 1..5 | "canary" | "baseline" | "tie"} (lines ${where})`
  }
}

const VALID = /^(?:[1-5]|canary|baseline|tie)$/
