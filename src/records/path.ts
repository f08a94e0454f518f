/**
 * Field paths into a raw row. A policy names a field as a dotted path (`metadata.arm`,
 * `llm.model_name`, `spend_logs_metadata.variant`); a row holds it as a flat key (OTLP
 * attributes, CSV headers: `a.b` is one key), as nested objects (JSONL), or inside a JSON string
 * (OpenInference's `metadata` attribute, a CSV cell, LiteLLM's spend-log `metadata` column read
 * as text). readPath finds it in any of these, flat key first.
 */

/** Longest JSON string parsed to look a key up in it; longer ones are not searched. */
const MAX_JSON_CHARS = 64 * 1024

/**
 * The value at `path` in `row`: the flat key `path` itself, else a prefix of the path that is a
 * key (longest first) whose value is an object, or a string holding a JSON object, to look the
 * rest of the path up in (the same way, recursively). Undefined when absent.
 */
export function readPath(row: Record<string, unknown>, path: string): unknown {
  const flat = Object.hasOwn(row, path) ? row[path] : undefined
  if (flat !== undefined) return flat
  let dot = path.lastIndexOf('.')
  while (dot > 0) {
    const head = path.slice(0, dot)
    if (Object.hasOwn(row, head)) {
      const inner = asObject(row[head])
      if (inner !== undefined) {
        const found = readPath(inner, path.slice(dot + 1))
        if (found !== undefined) return found
      }
    }
    dot = path.lastIndexOf('.', dot - 1)
  }
  return undefined
}

/** An object, or the object a JSON string holds; undefined for anything else. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return v as Record<string, unknown>
  }
  if (typeof v !== 'string' || v.length < 2 || v.length > MAX_JSON_CHARS) return undefined
  const first = v.charCodeAt(0) === 123 ? 0 : v.search(/\S/)
  if (first < 0 || v.charCodeAt(first) !== 123) return undefined // '{'
  try {
    const parsed: unknown = JSON.parse(v)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Copies the value of each dotted `path` that the row holds only nested (or inside a JSON
 * string) to the flat key `path`, so every later reader (the arm, the unit, segment dimensions,
 * the parallel reader's raw-key columns) finds it as a plain property. Paths already present as
 * a flat key, and paths without a dot, are left alone; the row is changed in place.
 */
export function flattenPaths(row: Record<string, unknown>, paths: readonly string[]): void {
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string
    if (row[path] !== undefined) continue
    const v = readPath(row, path)
    if (v !== undefined) row[path] = v
  }
}
