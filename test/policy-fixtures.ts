// Shared by test/policy*.test.ts: the policy of DESIGN.md ("Policy"), verbatim, and edit helpers.
import { parsePolicy } from '../src/policy/parse.js'
import { PolicyError, type PolicyIssue } from '../src/policy/types.js'

export const DESIGN_POLICY = `version: 1
rollout:
  name: support-assistant      # stable id: state key and PR comment marker
  steps: [1, 5, 25, 50, 100]   # canary share of traffic, percent
  minDuration: 30m             # bake time per step before a promotion
  maxDuration: 12h             # per step, then onTimeout
  onTimeout: rollback          # rollback | hold
  minSamples: 300              # per arm, per step
  warmup: 5m                   # excluded from the window at each step start
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: "traffic/*.jsonl" }
confidence: 0.95               # family-wise, over the gating metrics
metrics:
  - { name: quality, from: score, kind: mean, better: higher, tolerance: 2% }
  - { name: p95 latency, from: latency_ms, kind: p95, better: lower, tolerance: 10% }
  - { name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }
  - { name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 2% }
  - { name: output length, from: output_tokens, kind: mean, better: lower, tolerance: 15%, mode: report }
segments: { by: [route, language], gate: false }
pricing:                       # USD per 1M tokens
  gpt-4o-2024-08-06: { input: 2.50, cacheRead: 1.25, output: 10.00 }
`

/** DESIGN_POLICY with whole lines (1-based) replaced, or removed when the text is null. */
export function edit(lines: Record<number, string | null>, text = DESIGN_POLICY): string {
  return text
    .split('\n')
    .flatMap((line, i) => {
      const replacement = lines[i + 1]
      return replacement === undefined ? [line] : replacement === null ? [] : [replacement]
    })
    .join('\n')
}

/** The issues parsePolicy reports, [] when the policy parses; anything but a PolicyError fails. */
export function issuesIn(text: string, file = 'policy.yaml'): PolicyIssue[] {
  try {
    parsePolicy(text, file)
    return []
  } catch (error) {
    if (error instanceof PolicyError) return error.issues
    throw error
  }
}

/** The issues of a policy that must not parse. */
export function issuesOf(text: string, file = 'policy.yaml'): PolicyIssue[] {
  const issues = issuesIn(text, file)
  if (issues.length === 0) throw new Error('expected a PolicyError, but the policy parsed')
  return issues
}
