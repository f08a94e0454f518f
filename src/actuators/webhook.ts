import { createHmac } from 'node:crypto'
import type { ActuatorSpec } from '../policy/types.js'
import { recordJson, type DecisionRecord } from '../report/record.js'
import { moves, type Actuator, type ActuatorOptions } from './actuator.js'

type WebhookSpec = Extract<ActuatorSpec, { type: 'webhook' }>

/** The signature header: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed by the secret. */
export const SIGNATURE_HEADER = 'x-rollout-gate-signature-256'

/** Longest `retry-after` honoured; a longer one is a failure the next run retries. */
const MAX_RETRY_AFTER_MS = 30_000

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/**
 * POSTs the decision record to a URL. Anything but a 2xx, after bounded retries (network errors,
 * 5xx, 429 with its retry-after), means the change was not applied. The receiver can check the
 * signature (as GitHub's own webhooks are checked) and deduplicate on the delivery id.
 */
export class WebhookActuator implements Actuator {
  readonly name: string
  private readonly origin: string

  constructor(
    private readonly spec: WebhookSpec,
    private readonly secret: string | undefined,
    private readonly sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
  ) {
    // Only the origin is ever shown: a path or query can carry a token.
    this.origin = new URL(spec.url).origin
    this.name = `webhook ${this.origin}`
  }

  async apply(record: DecisionRecord, { dryRun, reconcile }: ActuatorOptions) {
    if (this.spec.on === 'change' && !moves(record) && !reconcile) {
      return {
        actuator: this.name,
        changed: false,
        detail: 'not called: the weight did not change'
      }
    }
    if (dryRun)
      return {
        actuator: this.name,
        changed: false,
        detail: `dry run: would POST to ${this.origin}`
      }
    const body = recordJson(record)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'ai-rollout-gate',
      'x-rollout-gate-delivery': `${record.rollout}:${record.evaluatedAt}`,
      ...(this.secret && { [SIGNATURE_HEADER]: signature(this.secret, body) })
    }
    let problem = ''
    for (let attempt = 0; attempt <= this.spec.retries; attempt++) {
      let wait = 500 * 2 ** attempt
      try {
        const res = await fetch(this.spec.url, {
          method: 'POST',
          headers,
          body,
          // A redirect is not a delivery, and following one would send the signed record to
          // wherever the Location points: it is reported, never followed.
          redirect: 'manual',
          signal: AbortSignal.timeout(this.spec.timeout)
        })
        await res.body?.cancel()
        if (res.status >= 300 && res.status < 400) {
          problem = `HTTP ${res.status}, a redirect (not followed: set the webhook's url to the final URL)`
          break
        }
        if (res.ok) {
          return {
            actuator: this.name,
            changed: true,
            detail: `POSTed to ${this.origin} (HTTP ${res.status})`
          }
        }
        problem = `HTTP ${res.status}`
        if (res.status < 500 && res.status !== 429) break
        const after = Number(res.headers.get('retry-after'))
        if (Number.isFinite(after) && after >= 0) wait = after * 1000
        if (wait > MAX_RETRY_AFTER_MS) break
      } catch (e) {
        const err = e as Error
        problem =
          err.name === 'TimeoutError' ? `no answer in ${this.spec.timeout / 1000}s` : err.message
      }
      if (attempt < this.spec.retries) await this.sleep(wait)
    }
    throw new Error(`POST to ${this.origin} failed: ${problem}`)
  }
}
