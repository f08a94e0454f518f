import { knownInstrumentation } from '../records/conventions.js'
import type { Evidence } from '../sketch/evidence.js'
import type { Check, MetricResult } from './types.js'

/**
 * Why the error rate cannot be observed from this evidence, or undefined when it can (or the gate
 * cannot tell). Some instrumentation libraries emit no span for a call that failed: they end the
 * span only when an answer arrives (records/conventions.ts, KNOWN_INSTRUMENTATIONS, verified with
 * the library versions listed there). When every call span read came from such a library and
 * none of them failed, a 0% error rate is what the traces would show whatever the truth.
 */
export function unobservableErrors(evidence: Evidence): string | undefined {
  const scopes = evidence.quality.instrumentation
  if (!scopes || scopes.length === 0) return undefined
  let calls = 0
  const names = new Set<string>()
  for (const s of scopes) {
    const known = knownInstrumentation(s.scope)
    if (!known || known.failedCalls || s.failed > 0) return undefined
    calls += s.calls
    names.add(
      `${s.scope}${s.version ? ` ${s.version}` : ''} (no span for a failed call, checked with ${known.checked})`
    )
  }
  return `the calls were traced by ${[...names].join(' and ')}, and none of the ${calls} call spans read has an error status: the error rate is not observable from this source (trace the client with an instrumentation that records failed calls, such as @opentelemetry/instrumentation-openai, or log errors elsewhere)`
}

const readsErrors = (m: MetricResult): boolean => m.from === 'error' || m.from.startsWith('error.')

/**
 * With errors unobservable: the error metrics are inconclusive whatever their intervals say (0%
 * against 0% is no evidence), with the reason and a caveat, and a check says so. It blocks (a hold,
 * never a promotion or, at the step's timeout, a rollback) when a gating metric reads errors, and
 * warns otherwise.
 */
export function errorObservabilityCheck(metrics: MetricResult[], why: string): Check {
  // The metrics' reasons point here; the check says why.
  const affected = metrics.filter(readsErrors)
  for (const m of affected) {
    m.verdict = 'inconclusive'
    m.reason =
      'not observable from this source: its failed calls leave no trace (see the errors check)'
    m.needed = { samples: 0, seconds: null }
    delete m.holdsBecause
    ;(m.caveats ??= []).push('errors are not observable from this source')
  }
  const gating = affected.filter(m => m.mode !== 'report')
  const names = affected.map(m => m.name)
  const what =
    names.length > 0
      ? `; ${names.join(', ')} cannot be decided from it`
      : '; the load check cannot see rate limits or timeouts'
  return {
    name: 'errors',
    status: gating.length > 0 ? 'block' : 'warn',
    detail: `${why}${what}`
  }
}
