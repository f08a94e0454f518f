/**
 * Building PromQL selectors from policy text without ever pasting it in unescaped: metric and
 * label names are validated against the data model (the policy schema does it too), label values
 * are written as escaped double-quoted string literals, and values matched as a set are
 * regex-escaped (RE2) first. https://prometheus.io/docs/prometheus/latest/querying/basics/
 */
import { LABEL_NAME, METRIC_NAME } from '../../policy/prometheus.js'

const METRIC = new RegExp(METRIC_NAME)
const LABEL = new RegExp(LABEL_NAME)

/** A PromQL double-quoted string literal of `value` (Go escapes: backslash, quote, newlines). */
export function quote(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
  return `"${escaped}"`
}

/** RE2 metacharacters escaped, so the value matches only itself inside `=~`. */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')
}

export function checkMetricName(name: string): string {
  if (!METRIC.test(name)) throw new RangeError(`${JSON.stringify(name)} is not a metric name`)
  return name
}

export function checkLabelName(name: string): string {
  if (!LABEL.test(name)) throw new RangeError(`${JSON.stringify(name)} is not a label name`)
  return name
}

/** One matcher: `label="value"`, or `label=~"^(?:a|b)$"`-style for several values (anchored by PromQL). */
export function matcher(label: string, values: readonly string[]): string {
  checkLabelName(label)
  if (values.length === 1) return `${label}=${quote(values[0] as string)}`
  return `${label}=~${quote(values.map(regexEscape).join('|'))}`
}

/** `name{a="x",b=~"y|z"}`: exact matchers from a mapping, plus optional multi-value ones. */
export function selector(
  name: string,
  exact: Record<string, string>,
  sets: Record<string, readonly string[]> = {}
): string {
  const parts = [
    ...Object.entries(sets).map(([label, values]) => matcher(label, values)),
    ...Object.entries(exact).map(([label, value]) => matcher(label, [value]))
  ]
  return `${checkMetricName(name)}{${parts.join(',')}}`
}

/** A PromQL duration in milliseconds (`300000ms`): exact for any window. */
export const promDuration = (ms: number): string => `${Math.max(1, Math.round(ms))}ms`
