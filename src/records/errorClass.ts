/**
 * The error taxonomy: what providers, SDKs, instrumentations and gateways call a failed LLM call,
 * mapped onto the record's classes (DESIGN.md, "Canonical request record"):
 *
 *   rate_limit      429, quota and throttling errors
 *   timeout         client or gateway timeouts, 408, 504
 *   server          5xx, overloaded, unavailable, connection failures
 *   client          other 4xx: bad request, auth, not found, context too long
 *   content_filter  the provider refused or cut the answer for its content policy
 *
 * Checked against: the OpenAI SDKs' error classes (openai-node and openai-python `APIError`
 * subclasses, `error.type` as @opentelemetry/instrumentation-openai records them: the class name)
 * and error codes (platform.openai.com/docs/guides/error-codes), Anthropic's error types
 * (docs.anthropic.com/en/api/errors: `rate_limit_error`, `overloaded_error`, ...), Google's
 * canonical codes (`RESOURCE_EXHAUSTED`, `DEADLINE_EXCEEDED`, ...), LiteLLM's exception classes
 * (litellm/exceptions.py: `ContextWindowExceededError`, `ContentPolicyViolationError`, ...), and
 * OpenTelemetry's `error.type` (a class name, an error code, or an HTTP status). A value this table
 * does not know keeps its own name, lower-cased, so a policy can still count it (`error.<name>`).
 */
export type ErrorClass = 'rate_limit' | 'timeout' | 'server' | 'client' | 'content_filter'

/** Known names, lower-cased, without separators (`RateLimitError`, `rate_limit_error` -> `ratelimiterror`). */
const BY_NAME: Record<string, ErrorClass> = {}
const name = (cls: ErrorClass, ...names: string[]) => {
  for (const n of names) BY_NAME[squash(n)] = cls
}
name(
  'rate_limit',
  'rate_limit',
  'RateLimitError',
  'rate_limit_error',
  'rate_limit_exceeded',
  'RateLimitExceeded',
  'TooManyRequests',
  'TooManyRequestsError',
  'too_many_requests',
  'insufficient_quota',
  'quota_exceeded',
  'RESOURCE_EXHAUSTED',
  'ResourceExhausted',
  'ThrottlingException',
  'throttled'
)
name(
  'timeout',
  'timeout',
  'APITimeoutError',
  'Timeout',
  'TimeoutError',
  'TimeoutException',
  'ReadTimeout',
  'ReadTimeoutError',
  'ConnectTimeout',
  'ConnectTimeoutError',
  'WriteTimeout',
  'PoolTimeout',
  'DEADLINE_EXCEEDED',
  'DeadlineExceeded',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'request_timeout',
  'APIConnectionTimeoutError',
  'ModelTimeoutException'
)
name(
  'server',
  'server',
  'InternalServerError',
  'APIError',
  'api_error',
  'server_error',
  'internal_error',
  'ServiceUnavailableError',
  'ServiceUnavailable',
  'service_unavailable',
  'UNAVAILABLE',
  'INTERNAL',
  'overloaded_error',
  'OverloadedError',
  'engine_overloaded',
  'APIConnectionError',
  'ConnectionError',
  'ConnectError',
  'RemoteProtocolError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'BadGatewayError',
  'ModelNotReadyException',
  'InternalServerException',
  'ServiceUnavailableException'
)
name(
  'client',
  'client',
  'BadRequestError',
  'invalid_request_error',
  'AuthenticationError',
  'authentication_error',
  'invalid_api_key',
  'PermissionDeniedError',
  'permission_error',
  'NotFoundError',
  'not_found_error',
  'model_not_found',
  'ConflictError',
  'UnprocessableEntityError',
  'UnsupportedParamsError',
  'ContextWindowExceededError',
  'context_length_exceeded',
  'request_too_large',
  'LengthFinishReasonError',
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'ValidationException',
  'AccessDeniedException',
  'BudgetExceededError',
  'budget_exceeded'
)
name(
  'content_filter',
  'content_filter',
  'ContentFilterFinishReasonError',
  'ContentPolicyViolationError',
  'content_policy_violation',
  'ResponsibleAIPolicyViolation',
  'SAFETY',
  'PROHIBITED_CONTENT',
  'blocked',
  'RECITATION',
  'refusal',
  'guardrail_intervened',
  'GuardrailRaisedException'
)

/** An HTTP status's class. */
export function statusClass(status: number): ErrorClass | undefined {
  if (status === 429) return 'rate_limit'
  if (status === 408 || status === 504 || status === 524) return 'timeout'
  if (status >= 500 && status <= 599) return 'server'
  if (status >= 400 && status <= 499) return 'client'
  return undefined
}

/**
 * The class of one error name (`openai.RateLimitError`, `RateLimitError`, `rate_limit_error`,
 * `429`, `litellm.ContextWindowExceededError`): a known name or an HTTP status; undefined when
 * unknown. Module prefixes (`openai.`, `anthropic.`, `litellm.`) are ignored.
 */
export function knownClass(value: string): ErrorClass | 'error' | undefined {
  const trimmed = value.trim()
  // OpenTelemetry's `error.type` fallback: an error, of no known class.
  if (trimmed === '_OTHER') return 'error'
  if (/^\d{3}$/.test(trimmed)) return statusClass(Number(trimmed))
  const last = trimmed.slice(trimmed.lastIndexOf('.') + 1)
  return BY_NAME[squash(last)] ?? BY_NAME[squash(trimmed)]
}

const NO_ERROR_WORDS = new Set(['', 'false', 'null', 'none', 'ok', '0', 'success'])

/**
 * A raw error value as a class, or null for no error:
 * null / undefined / '' / false / 0 (and, from CSV, 'false', 'null', 'none', 'ok', 'success') ->
 * null; a known name or an HTTP status (number or digits) -> its class; an object (an OpenAI,
 * Anthropic or LiteLLM error body) -> the class of its `code`, `type`, `error_class`, `error_code`,
 * `status` or nested `error`, the first one known; true -> 'error'. An unknown name is kept lower
 * cased (a policy may count it); an object with no usable name is 'error'.
 */
export function errorClass(v: unknown): string | null {
  if (v === null || v === undefined || v === false || v === 0) return null
  if (typeof v === 'string') {
    const lower = v.trim().toLowerCase()
    if (NO_ERROR_WORDS.has(lower)) return null
    return knownClass(v) ?? lower
  }
  if (v === true) return 'error'
  if (typeof v === 'number') return statusClass(v) ?? String(v)
  if (typeof v === 'object') return objectClass(v as Record<string, unknown>, 0) ?? 'error'
  return 'error'
}

const OBJECT_KEYS = ['code', 'type', 'error_class', 'error_code', 'status', 'status_code', 'name']

function objectClass(o: Record<string, unknown>, depth: number): string | undefined {
  let fallback: string | undefined
  for (const key of OBJECT_KEYS) {
    const v = o[key]
    if (typeof v === 'number') {
      const cls = statusClass(v)
      if (cls) return cls
    } else if (typeof v === 'string' && v !== '') {
      const cls = knownClass(v)
      if (cls) return cls
      // `type: 'error'` (Anthropic's envelope) says nothing; a specific name is kept.
      if (fallback === undefined && v.toLowerCase() !== 'error') fallback = v.toLowerCase()
    }
  }
  const nested = o.error
  if (depth < 2 && typeof nested === 'object' && nested !== null) {
    const inner = objectClass(nested as Record<string, unknown>, depth + 1)
    if (inner !== undefined && isClass(inner)) return inner
    fallback ??= inner
  }
  if (fallback !== undefined) return fallback
  // No name at all: the message's class (its leading HTTP status or keywords), never its text.
  const message = o.message ?? o.error_message
  return typeof message === 'string' ? messageClass(message) : undefined
}

const CLASSES = new Set<string>(['rate_limit', 'timeout', 'server', 'client', 'content_filter'])
const isClass = (s: string): s is ErrorClass => CLASSES.has(s)

/**
 * The class of a free-text error message (a status message, an exception message), by the HTTP
 * status it starts with (the OpenAI and Anthropic SDKs write `429 Rate limit reached ...`) or by
 * keywords; 'error' when nothing matches. Only the class is kept, never the text: it may quote a
 * prompt.
 */
export function messageClass(message: unknown): string {
  const m = typeof message === 'string' ? message.toLowerCase() : ''
  const status = /^\s*(\d{3})\b/.exec(m)
  const byStatus = status ? statusClass(Number(status[1])) : undefined
  if (byStatus) return byStatus
  if (/\b429\b|rate.?limit|too many requests|quota|resource.?exhausted/.test(m)) return 'rate_limit'
  if (/time.?out|timed out|deadline/.test(m)) return 'timeout'
  if (/content.?(filter|policy|management)|safety/.test(m)) return 'content_filter'
  if (/\b5\d\d\b|server error|internal|unavailable|overloaded|bad gateway/.test(m)) return 'server'
  if (/\b4\d\d\b|bad request|invalid|not found|unauthori[sz]ed|forbidden/.test(m)) return 'client'
  return 'error'
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '')
}
