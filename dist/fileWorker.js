import { workerData, parentPort } from 'node:worker_threads';
import { open } from 'node:fs/promises';

/** Known names, lower-cased, without separators (`RateLimitError`, `rate_limit_error` -> `ratelimiterror`). */
const BY_NAME = {};
const name = (cls, ...names) => {
    for (const n of names)
        BY_NAME[squash(n)] = cls;
};
name('rate_limit', 'rate_limit', 'RateLimitError', 'rate_limit_error', 'rate_limit_exceeded', 'RateLimitExceeded', 'TooManyRequests', 'TooManyRequestsError', 'too_many_requests', 'insufficient_quota', 'quota_exceeded', 'RESOURCE_EXHAUSTED', 'ResourceExhausted', 'ThrottlingException', 'throttled');
name('timeout', 'timeout', 'APITimeoutError', 'Timeout', 'TimeoutError', 'TimeoutException', 'ReadTimeout', 'ReadTimeoutError', 'ConnectTimeout', 'ConnectTimeoutError', 'WriteTimeout', 'PoolTimeout', 'DEADLINE_EXCEEDED', 'DeadlineExceeded', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'request_timeout', 'APIConnectionTimeoutError', 'ModelTimeoutException');
name('server', 'server', 'InternalServerError', 'APIError', 'api_error', 'server_error', 'internal_error', 'ServiceUnavailableError', 'ServiceUnavailable', 'service_unavailable', 'UNAVAILABLE', 'INTERNAL', 'overloaded_error', 'OverloadedError', 'engine_overloaded', 'APIConnectionError', 'ConnectionError', 'ConnectError', 'RemoteProtocolError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'BadGatewayError', 'ModelNotReadyException', 'InternalServerException', 'ServiceUnavailableException');
name('client', 'client', 'BadRequestError', 'invalid_request_error', 'AuthenticationError', 'authentication_error', 'invalid_api_key', 'PermissionDeniedError', 'permission_error', 'NotFoundError', 'not_found_error', 'model_not_found', 'ConflictError', 'UnprocessableEntityError', 'UnsupportedParamsError', 'ContextWindowExceededError', 'context_length_exceeded', 'request_too_large', 'LengthFinishReasonError', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'PERMISSION_DENIED', 'UNAUTHENTICATED', 'NOT_FOUND', 'ValidationException', 'AccessDeniedException', 'BudgetExceededError', 'budget_exceeded');
name('content_filter', 'content_filter', 'ContentFilterFinishReasonError', 'ContentPolicyViolationError', 'content_policy_violation', 'ResponsibleAIPolicyViolation', 'SAFETY', 'PROHIBITED_CONTENT', 'blocked', 'RECITATION', 'refusal', 'guardrail_intervened', 'GuardrailRaisedException');
/** An HTTP status's class. */
function statusClass(status) {
    if (status === 429)
        return 'rate_limit';
    if (status === 408 || status === 504 || status === 524)
        return 'timeout';
    if (status >= 500 && status <= 599)
        return 'server';
    if (status >= 400 && status <= 499)
        return 'client';
    return undefined;
}
/**
 * The class of one error name (`openai.RateLimitError`, `RateLimitError`, `rate_limit_error`,
 * `429`, `litellm.ContextWindowExceededError`): a known name or an HTTP status; undefined when
 * unknown. Module prefixes (`openai.`, `anthropic.`, `litellm.`) are ignored.
 */
function knownClass(value) {
    const trimmed = value.trim();
    // OpenTelemetry's `error.type` fallback: an error, of no known class.
    if (trimmed === '_OTHER')
        return 'error';
    if (/^\d{3}$/.test(trimmed))
        return statusClass(Number(trimmed));
    const last = trimmed.slice(trimmed.lastIndexOf('.') + 1);
    return BY_NAME[squash(last)] ?? BY_NAME[squash(trimmed)];
}
const NO_ERROR_WORDS = new Set(['', 'false', 'null', 'none', 'ok', '0', 'success']);
/**
 * A raw error value as a class, or null for no error:
 * null / undefined / '' / false / 0 (and, from CSV, 'false', 'null', 'none', 'ok', 'success') ->
 * null; a known name or an HTTP status (number or digits) -> its class; an object (an OpenAI,
 * Anthropic or LiteLLM error body) -> the class of its `code`, `type`, `error_class`, `error_code`,
 * `status` or nested `error`, the first one known; true -> 'error'. An unknown name is kept lower
 * cased (a policy may count it); an object with no usable name is 'error'.
 */
function errorClass(v) {
    if (v === null || v === undefined || v === false || v === 0)
        return null;
    if (typeof v === 'string') {
        const lower = v.trim().toLowerCase();
        if (NO_ERROR_WORDS.has(lower))
            return null;
        return knownClass(v) ?? lower;
    }
    if (v === true)
        return 'error';
    if (typeof v === 'number')
        return statusClass(v) ?? String(v);
    if (typeof v === 'object')
        return objectClass(v, 0) ?? 'error';
    return 'error';
}
const OBJECT_KEYS = ['code', 'type', 'error_class', 'error_code', 'status', 'status_code', 'name'];
function objectClass(o, depth) {
    let fallback;
    for (const key of OBJECT_KEYS) {
        const v = o[key];
        if (typeof v === 'number') {
            const cls = statusClass(v);
            if (cls)
                return cls;
        }
        else if (typeof v === 'string' && v !== '') {
            const cls = knownClass(v);
            if (cls)
                return cls;
            // `type: 'error'` (Anthropic's envelope) says nothing; a specific name is kept.
            if (fallback === undefined && v.toLowerCase() !== 'error')
                fallback = v.toLowerCase();
        }
    }
    const nested = o.error;
    if (depth < 2 && typeof nested === 'object' && nested !== null) {
        const inner = objectClass(nested, depth + 1);
        if (inner !== undefined && isClass(inner))
            return inner;
        fallback ??= inner;
    }
    if (fallback !== undefined)
        return fallback;
    // No name at all: the message's class (its leading HTTP status or keywords), never its text.
    const message = o.message ?? o.error_message;
    return typeof message === 'string' ? messageClass(message) : undefined;
}
const CLASSES = new Set(['rate_limit', 'timeout', 'server', 'client', 'content_filter']);
const isClass = (s) => CLASSES.has(s);
/**
 * The class of a free-text error message (a status message, an exception message), by the HTTP
 * status it starts with (the OpenAI and Anthropic SDKs write `429 Rate limit reached ...`) or by
 * keywords; 'error' when nothing matches. Only the class is kept, never the text: it may quote a
 * prompt.
 */
function messageClass(message) {
    const m = typeof message === 'string' ? message.toLowerCase() : '';
    const status = /^\s*(\d{3})\b/.exec(m);
    const byStatus = status ? statusClass(Number(status[1])) : undefined;
    if (byStatus)
        return byStatus;
    if (/\b429\b|rate.?limit|too many requests|quota|resource.?exhausted/.test(m))
        return 'rate_limit';
    if (/time.?out|timed out|deadline/.test(m))
        return 'timeout';
    if (/content.?(filter|policy|management)|safety/.test(m))
        return 'content_filter';
    if (/\b5\d\d\b|server error|internal|unavailable|overloaded|bad gateway/.test(m))
        return 'server';
    if (/\b4\d\d\b|bad request|invalid|not found|unauthori[sz]ed|forbidden/.test(m))
        return 'client';
    return 'error';
}
function squash(s) {
    return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Field paths into a raw row. A policy names a field as a dotted path (`metadata.arm`,
 * `llm.model_name`, `spend_logs_metadata.variant`); a row holds it as a flat key (OTLP
 * attributes, CSV headers: `a.b` is one key), as nested objects (JSONL), or inside a JSON string
 * (OpenInference's `metadata` attribute, a CSV cell, LiteLLM's spend-log `metadata` column read
 * as text). readPath finds it in any of these, flat key first.
 */
/** Longest JSON string parsed to look a key up in it; longer ones are not searched. */
const MAX_JSON_CHARS = 64 * 1024;
/**
 * The value at `path` in `row`: the flat key `path` itself, else a prefix of the path that is a
 * key (longest first) whose value is an object, or a string holding a JSON object, to look the
 * rest of the path up in (the same way, recursively). Undefined when absent.
 */
function readPath(row, path) {
    const flat = Object.hasOwn(row, path) ? row[path] : undefined;
    if (flat !== undefined)
        return flat;
    let dot = path.lastIndexOf('.');
    while (dot > 0) {
        const head = path.slice(0, dot);
        if (Object.hasOwn(row, head)) {
            const inner = asObject(row[head]);
            if (inner !== undefined) {
                const found = readPath(inner, path.slice(dot + 1));
                if (found !== undefined)
                    return found;
            }
        }
        dot = path.lastIndexOf('.', dot - 1);
    }
    return undefined;
}
/** An object, or the object a JSON string holds; undefined for anything else. */
function asObject(v) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        return v;
    }
    if (typeof v !== 'string' || v.length < 2 || v.length > MAX_JSON_CHARS)
        return undefined;
    const first = v.charCodeAt(0) === 123 ? 0 : v.search(/\S/);
    if (first < 0 || v.charCodeAt(first) !== 123)
        return undefined; // '{'
    try {
        const parsed = JSON.parse(v);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? parsed
            : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Copies the value of each dotted `path` that the row holds only nested (or inside a JSON
 * string) to the flat key `path`, so every later reader (the arm, the unit, segment dimensions,
 * the parallel reader's raw-key columns) finds it as a plain property. Paths already present as
 * a flat key, and paths without a dot, are left alone; the row is changed in place.
 */
function flattenPaths(row, paths) {
    for (let i = 0; i < paths.length; i++) {
        const path = paths[i];
        if (row[path] !== undefined)
            continue;
        const v = readPath(row, path);
        if (v !== undefined)
            row[path] = v;
    }
}

/**
 * LiteLLM's own records, read as request records without a mapping: the proxy's spend-log rows
 * (table `LiteLLM_SpendLogs`, exported as JSONL or CSV, or read from PostgreSQL) and the callback
 * payload every logging integration receives (`StandardLoggingPayload`, in a custom callback's
 * `kwargs["standard_logging_object"]` or a generic logger's JSON). Field names checked against
 * BerriAI/litellm: `schema.prisma` (model LiteLLM_SpendLogs), `litellm/proxy/_types.py`
 * (SpendLogsMetadata, SpendLogsPayload) and `litellm/types/utils.py` (StandardLoggingPayload,
 * StandardLoggingPayloadErrorInformation, StandardLoggingHiddenParams).
 *
 * The one place these names live: the file source reads them here (liteLlmRow), and a SQL preset
 * for the spend-log table can select LITELLM_SPEND_LOG_COLUMNS and hand the rows to the same
 * normalizer.
 */
/**
 * Whether a row without the canonical `ts` is one of LiteLLM's: `startTime` with a spend-log or
 * payload field beside it.
 */
function isLiteLlmRow(raw) {
    return (raw.startTime !== undefined &&
        (raw.spend !== undefined ||
            raw.response_cost !== undefined ||
            raw.model_group !== undefined ||
            raw.call_type !== undefined));
}
/**
 * Adds the canonical keys of a LiteLLM row (see LITELLM_FIELD_SOURCES) where the row lacks them;
 * `time` reads a timestamp as epoch ms (the normalizer's parser). The row is changed in place and
 * keeps every original field for segments (`model_group`, `metadata.*`, `request_tags`, ...).
 */
function liteLlmRow(raw, time) {
    const start = time(raw.startTime);
    const end = time(raw.endTime);
    const first = time(raw.completionStartTime);
    set(raw, 'ts', raw.startTime);
    const duration = raw.request_duration_ms;
    if (typeof duration === 'number' && duration >= 0)
        set(raw, 'latency_ms', duration);
    else if (ok(start) && ok(end) && end >= start)
        set(raw, 'latency_ms', end - start);
    else if (typeof raw.response_time === 'number')
        set(raw, 'latency_ms', raw.response_time * 1000);
    if (ok(start) && ok(first) && ok(end) && first >= start && first < end) {
        set(raw, 'ttft_ms', first - start);
    }
    set(raw, 'cost_usd', raw.spend ?? raw.response_cost);
    const metadata = asObject(raw.metadata);
    const hidden = asObject(raw.hidden_params);
    const usages = [
        asObject(metadata?.usage_object),
        asObject(hidden?.usage_object),
        asObject(metadata?.additional_usage_values)
    ];
    for (const usage of usages) {
        if (usage === undefined)
            continue;
        const details = asObject(usage.prompt_tokens_details);
        set(raw, 'cache_read_tokens', details?.cached_tokens ?? usage.cache_read_input_tokens);
        set(raw, 'cache_write_tokens', usage.cache_creation_input_tokens ?? details?.cache_creation_tokens);
    }
    set(raw, 'fingerprint', asObject(raw.response)?.system_fingerprint);
    set(raw, 'user_id', raw.end_user);
    if (raw.status === 'failure' && raw.error === undefined) {
        const info = asObject(raw.error_information) ?? asObject(metadata?.error_information);
        raw.error = info ?? (typeof raw.error_str === 'string' ? { message: raw.error_str } : true);
    }
}
function set(raw, key, value) {
    if (raw[key] === undefined && value !== undefined && value !== null && value !== '') {
        raw[key] = value;
    }
}
const ok = (v) => v !== undefined && v === v;

/**
 * The record's cost: its billed `cost_usd` when present, else its tokens at the policy's prices
 * (USD per 1M tokens). Cache reads and writes are priced at `cacheRead` / `cacheWrite` (each
 * defaulting to `input`); the rest of the input, input_tokens - cache reads - cache writes, at
 * `input` (input_tokens counts all input, cached included: src/records/record.ts).
 */
function computeCost(r, pricing) {
    if (r.cost_usd !== undefined)
        return r.cost_usd;
    if (r.input_tokens === undefined && r.output_tokens === undefined)
        return undefined;
    const price = priceOf(r.model, pricing);
    if (typeof price === 'string')
        return { invalid: price };
    const input = r.input_tokens ?? 0;
    const cacheRead = r.cache_read_tokens ?? 0;
    const cacheWrite = r.cache_write_tokens ?? 0;
    const uncachedInput = input - cacheRead - cacheWrite;
    if (uncachedInput < 0)
        return { invalid: 'cache tokens exceed input tokens' };
    return ((uncachedInput * price.input +
        cacheRead * (price.cacheRead ?? price.input) +
        cacheWrite * (price.cacheWrite ?? price.input) +
        (r.output_tokens ?? 0) * price.output) /
        1e6);
}
/** The last lookup: records mostly repeat one model, and comparing strings beats hashing them. */
let lastPricing;
let lastModel;
let lastPrice = '';
/** The model's price, or why there is none. Own keys only: a model named `constructor` has no price. */
function priceOf(model, pricing) {
    if (model === undefined)
        return 'no model to look up in policy.pricing';
    if (model !== lastModel || pricing !== lastPricing) {
        const price = Object.hasOwn(pricing, model) ? pricing[model] : undefined;
        lastPricing = pricing;
        lastModel = model;
        lastPrice = price ?? `no price for model "${model}" in policy.pricing`;
    }
    return lastPrice;
}

function isRequestRecord(result) {
    return result.raw !== undefined;
}
/**
 * Epoch numbers below 1e11 are read as seconds: 1e11 ms is March 1973, 1e11 s is the year 5138,
 * so no plausible traffic timestamp is ambiguous.
 */
const EPOCH_SECONDS_BELOW = 1e11;
/**
 * Compiles the policy into a function from a raw row (a parsed JSONL object, a CSV row, an OTLP
 * span's attributes) to a canonical RequestRecord, resolving the aliases of DESIGN.md ("Canonical
 * request record"). It runs on every line, so every alias is a fixed property read (monomorphic
 * for rows of one shape) and nothing is allocated but the record.
 *
 * Timestamps: an ISO-8601 string (without an offset it is read as UTC, so results do not depend
 * on the machine's time zone), epoch milliseconds, or epoch seconds (numbers below 1e11).
 * A row without `ts` (or `timestamp`, `start_time`) may be one of LiteLLM's spend-log rows or
 * callback payloads, read through litellm.ts. The policy's dotted keys that identify a record (the
 * arm, the unit, segment dimensions) are looked up nested or inside JSON strings too (path.ts),
 * and copied to the flat key so every later reader finds them.
 * Numeric fields keep NaN or negative values as they are: compileMetricValue (fields.ts) rejects
 * them and counts them per field, which it could not do if they were dropped here.
 */
function createNormalizer(policy) {
    const armField = policy.arms.field;
    const noArm = { malformed: `no arm field "${armField}"` };
    const arms = armLabels(policy);
    const unitField = policy.arms.unit;
    const scoreKeys = policy.metrics.flatMap(m => m.from.startsWith('scores.') ? [{ name: m.from.slice(7), dotted: m.from }] : []);
    const pricing = policy.pricing;
    const paths = [armField, unitField ?? '', ...(policy.segments?.by ?? [])].filter((key, i, all) => key.includes('.') && all.indexOf(key) === i);
    return raw => {
        let ts = timestamp(raw.ts ?? raw.timestamp ?? raw.start_time);
        if (ts === undefined && isLiteLlmRow(raw)) {
            liteLlmRow(raw, timestamp);
            ts = timestamp(raw.ts);
        }
        if (ts === undefined)
            return NO_TIMESTAMP;
        if (paths.length > 0)
            flattenPaths(raw, paths);
        if (ts !== ts)
            return INVALID_TIMESTAMP; // NaN
        const label = raw[armField];
        if (label === undefined || label === null || label === '')
            return noArm;
        const arm = arms.get(typeof label === 'string' ? label : String(label));
        if (arm === undefined)
            return { unmatchedArm: String(label) };
        const record = {
            ts,
            arm,
            unit: idString(unitField === undefined ? (raw.unit ?? raw.user_id ?? raw.session_id) : raw[unitField]),
            latency_ms: millis(raw.latency_ms ?? raw.duration_ms, raw['gen_ai.client.operation.duration']),
            ttft_ms: millis(raw.ttft_ms, raw['gen_ai.response.time_to_first_chunk']),
            input_tokens: inputTokens(raw),
            cache_read_tokens: num(raw.cache_read_tokens ??
                child(raw.prompt_tokens_details, 'cached_tokens') ??
                raw['prompt_tokens_details.cached_tokens'] ??
                raw.cache_read_input_tokens ??
                raw['gen_ai.usage.cache_read.input_tokens'] ??
                raw['gen_ai.usage.cache_read_input_tokens']),
            cache_write_tokens: num(raw.cache_write_tokens ??
                raw.cache_creation_input_tokens ??
                raw['gen_ai.usage.cache_creation.input_tokens'] ??
                raw['gen_ai.usage.cache_creation_input_tokens']),
            output_tokens: num(raw.output_tokens ??
                raw.completion_tokens ??
                raw['gen_ai.usage.output_tokens'] ??
                raw['gen_ai.usage.completion_tokens']),
            // gen_ai.request.model is a last resort: some instrumentations set only the requested model.
            model: idString(raw.model ?? raw['gen_ai.response.model'] ?? raw['gen_ai.request.model']),
            fingerprint: idString(raw.fingerprint ??
                raw.system_fingerprint ??
                raw['openai.response.system_fingerprint'] ??
                raw['gen_ai.openai.response.system_fingerprint']),
            error: errorClass(raw.error),
            fallback: flag(raw.fallback),
            cost_usd: num(raw.cost_usd),
            score: num(raw.score ?? raw['gen_ai.evaluation.score.value']),
            scores: raw.scores === undefined && scoreKeys.length === 0 ? undefined : scores(raw, scoreKeys),
            feedback: feedback(raw.feedback),
            raw
        };
        if (record.cost_usd === undefined) {
            const cost = computeCost(record, pricing);
            if (typeof cost === 'number')
                record.cost_usd = cost;
        }
        return record;
    };
}
const NO_TIMESTAMP = { malformed: 'no timestamp (ts, timestamp or start_time)' };
const INVALID_TIMESTAMP = { malformed: 'invalid timestamp' };
function armLabels(policy) {
    const arms = new Map();
    for (const label of policy.arms.baseline)
        arms.set(label, 'baseline');
    for (const label of policy.arms.canary)
        arms.set(label, 'canary');
    return arms;
}
/**
 * Anthropic's `input_tokens` excludes cached tokens (it reports them as cache_read_input_tokens and
 * cache_creation_input_tokens); OpenAI's prompt_tokens and OpenTelemetry's
 * gen_ai.usage.input_tokens include them. Canonical input_tokens counts all input.
 */
function inputTokens(raw) {
    const input = raw.input_tokens;
    if (input !== undefined && input !== null) {
        const read = raw.cache_read_input_tokens;
        const write = raw.cache_creation_input_tokens;
        const own = num(input);
        if (own === undefined || (read == null && write == null))
            return own;
        return own + (num(read) ?? 0) + (num(write) ?? 0);
    }
    return num(raw.prompt_tokens ?? raw['gen_ai.usage.input_tokens'] ?? raw['gen_ai.usage.prompt_tokens']);
}
/** undefined when absent; NaN when present but not a number (counted as invalid downstream). */
function num(v) {
    if (typeof v === 'number')
        return v;
    if (v === undefined || v === null)
        return undefined;
    if (typeof v === 'string')
        return v.trim() === '' ? undefined : Number(v);
    return NaN;
}
/** A duration in ms, or else one in seconds (the OpenTelemetry unit) converted to ms. */
function millis(ms, seconds) {
    const value = num(ms);
    if (value !== undefined)
        return value;
    const s = num(seconds);
    return s === undefined ? undefined : s * 1000;
}
function child(v, key) {
    return typeof v === 'object' && v !== null ? v[key] : undefined;
}
function idString(v) {
    if (typeof v === 'string')
        return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'bigint')
        return String(v);
    return undefined;
}
function flag(v) {
    return v === true || v === 1 || v === 'true' || v === 'TRUE' || v === 'True' || v === '1';
}
/** Feedback is +1 / -1; booleans are read as thumbs up / down. Anything else is kept for fields.ts to reject. */
function feedback(v) {
    if (v === true)
        return 1;
    if (v === false)
        return -1;
    return num(v);
}
/**
 * Scores from a nested `scores` object, plus dotted `scores.<name>` keys (CSV headers, OTLP
 * attributes) for the names the policy's metrics read, plus an OpenTelemetry evaluation
 * (`gen_ai.evaluation.name` with `gen_ai.evaluation.score.value`).
 */
function scores(raw, dottedKeys) {
    let out;
    const nested = raw.scores;
    if (typeof nested === 'object' && nested !== null) {
        for (const name of Object.keys(nested)) {
            const v = num(nested[name]);
            if (v !== undefined)
                (out ??= {})[name] = v;
        }
    }
    for (const { name, dotted } of dottedKeys) {
        if (out?.[name] !== undefined)
            continue;
        const v = num(raw[dotted]);
        if (v !== undefined)
            (out ??= {})[name] = v;
    }
    const evaluation = raw['gen_ai.evaluation.name'];
    if (typeof evaluation === 'string' && out?.[evaluation] === undefined) {
        const v = num(raw['gen_ai.evaluation.score.value']);
        if (v !== undefined)
            (out ??= {})[evaluation] = v;
    }
    return out;
}
/** Epoch ms, NaN when present but unreadable, undefined when absent. */
function timestamp(v) {
    if (typeof v === 'number')
        return epochMillis(v);
    if (typeof v === 'string') {
        if (v === '')
            return undefined;
        const iso = parseIsoUtc(v);
        if (iso === iso)
            return iso;
        const n = Number(v);
        return n === n ? epochMillis(n) : Date.parse(v);
    }
    if (v === undefined || v === null)
        return undefined;
    return NaN;
}
/** The largest epoch ms a Date can hold (ECMA-262, 21.4.1.1): beyond it no time can be shown. */
const MAX_EPOCH_MS = 8.64e15;
function epochMillis(n) {
    if (!Number.isFinite(n))
        return NaN;
    const ms = n < EPOCH_SECONDS_BELOW ? n * 1000 : n;
    return Math.abs(ms) <= MAX_EPOCH_MS ? ms : NaN;
}
/** The char codes of the minute (first 16 characters) of the last timestamp parsed, and its epoch ms. */
const lastMinute = new Int32Array(16).fill(-1);
let lastMinuteMs = 0;
/**
 * Fast path for the usual RFC 3339 shape, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|+HHMM]`, read by
 * char codes (several times faster than Date.parse; UTC when there is no offset). NaN for anything
 * else, which the caller hands to Date.parse.
 */
function parseIsoUtc(s) {
    const n = s.length;
    if (n < 16)
        return NaN;
    // Logs come in time order: most timestamps share the previous one's minute. (Comparing char
    // codes measured faster than s.startsWith or re-parsing the date.)
    if (!sameMinute(s)) {
        const minute = parseMinute(s);
        if (minute !== minute)
            return NaN;
        for (let j = 0; j < 16; j++)
            lastMinute[j] = s.charCodeAt(j);
        lastMinuteMs = minute;
    }
    let i = 16;
    let second = 0;
    let ms = 0;
    if (s.charCodeAt(i) === 58) {
        second = digits2(s, 17);
        i = 19;
        if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
            // Any number of fraction digits; those past milliseconds are kept as a fraction of a ms.
            i++;
            let scale = 100;
            const start = i;
            for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) {
                ms += (c - 48) * scale;
                scale /= 10;
            }
            if (i === start)
                return NaN;
        }
    }
    let offsetMinutes = 0;
    if (i < n) {
        const zone = s.charCodeAt(i);
        if (zone === 90 || zone === 122) {
            i++; // 'Z', 'z'
        }
        else if (zone === 43 || zone === 45) {
            const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
            const hours = digits2(s, i + 1);
            const minutes = digits2(s, i + 3 + colon);
            offsetMinutes = (zone === 45 ? -1 : 1) * (hours * 60 + minutes);
            i += 5 + colon;
        }
        else {
            return NaN;
        }
    }
    // NaN fails every comparison, so a non-digit anywhere ends here.
    if (!(i === n && second <= 60 && offsetMinutes === offsetMinutes))
        return NaN;
    return lastMinuteMs + (second - offsetMinutes * 60) * 1000 + ms;
}
function sameMinute(s) {
    for (let j = 0; j < 16; j++)
        if (s.charCodeAt(j) !== lastMinute[j])
            return false;
    return true;
}
/** Epoch ms of the minute `YYYY-MM-DDTHH:MM` that starts s (no offset applied), or NaN. */
function parseMinute(s) {
    if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58)
        return NaN;
    const sep = s.charCodeAt(10);
    if (sep !== 84 && sep !== 116 && sep !== 32)
        return NaN; // 'T', 't', ' '
    const year = digits4(s, 0);
    const month = digits2(s, 5);
    const day = digits2(s, 8);
    const hour = digits2(s, 11);
    const minute = digits2(s, 14);
    const valid = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59;
    if (!valid)
        return NaN;
    return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000;
}
/**
 * Days since 1970-01-01 of a proleptic Gregorian date: Howard Hinnant's days_from_civil
 * ("chrono-Compatible Low-Level Date Algorithms"), pure arithmetic where Date.UTC is a slow builtin.
 */
function daysFromCivil(year, month, day) {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yearOfEra = y - era * 400;
    const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
    const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}
function digits2(s, at) {
    const a = s.charCodeAt(at) - 48;
    const b = s.charCodeAt(at + 1) - 48;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}
function digits4(s, at) {
    const high = digits2(s, at);
    const low = digits2(s, at + 2);
    return high * 100 + low;
}

/** Resolves to the number of physical lines, blank ones included (so lineNo matches an editor's). */
async function forEachLine(chunks, maxLineBytes, onLine, onTooLong = () => { }) {
    let lineNo = 0;
    /** Bytes of a line that started in an earlier chunk. */
    let pending = [];
    let pendingBytes = 0;
    /** The current line passed the limit: drop bytes until its '\n'. */
    let skipping = false;
    const emit = (buf, start, end) => {
        if (end > start && buf[end - 1] === 13)
            end--;
        if (end > start)
            onLine(buf.toString('utf8', start, end), lineNo);
    };
    for await (const chunk of chunks) {
        const buf = Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        let start = 0;
        let nl;
        while ((nl = buf.indexOf(10, start)) !== -1) {
            lineNo++;
            const bytes = pendingBytes + (nl - start);
            if (skipping || bytes > maxLineBytes) {
                onTooLong(lineNo);
            }
            else if (pendingBytes > 0) {
                pending.push(buf.subarray(start, nl));
                emit(Buffer.concat(pending, bytes), 0, bytes);
            }
            else {
                emit(buf, start, nl);
            }
            skipping = false;
            pending = [];
            pendingBytes = 0;
            start = nl + 1;
        }
        if (start < buf.length && !skipping) {
            if (pendingBytes + (buf.length - start) > maxLineBytes) {
                skipping = true;
                pending = [];
                pendingBytes = 0;
            }
            else {
                // A copy: the source may reuse its buffer for the next chunk (lineAlignedRange does).
                pending.push(Buffer.from(buf.subarray(start)));
                pendingBytes += buf.length - start;
            }
        }
    }
    if (skipping) {
        lineNo++;
        onTooLong(lineNo);
    }
    else if (pendingBytes > 0) {
        lineNo++;
        emit(Buffer.concat(pending, pendingBytes), 0, pendingBytes);
    }
    return lineNo;
}
/** `1 MiB`, `64 KiB`, `300 bytes`: for messages about size limits. */
function describeBytes(n) {
    if (n >= 1 << 20 && n % (1 << 20) === 0)
        return `${n / (1 << 20)} MiB`;
    if (n >= 1024 && n % 1024 === 0)
        return `${n / 1024} KiB`;
    return `${n} bytes`;
}

/** OpenTelemetry GenAI, current names (semantic-conventions-genai; v1.37+ in the main repo). */
const OTEL_GENAI = {
    input_tokens: { from: ['gen_ai.usage.input_tokens'] },
    output_tokens: { from: ['gen_ai.usage.output_tokens'] },
    cache_read_tokens: { from: ['gen_ai.usage.cache_read.input_tokens'] },
    cache_write_tokens: { from: ['gen_ai.usage.cache_creation.input_tokens'] },
    // gen_ai.request.model last: a failed call has no response (the model check leaves it out).
    model: { from: ['gen_ai.response.model', 'gen_ai.request.model'] },
    fingerprint: { from: ['openai.response.system_fingerprint'] },
    ttft_ms: { from: ['gen_ai.response.time_to_first_chunk'], scale: 1000 },
    user_id: { from: ['user.id', 'enduser.id'] },
    session_id: { from: ['session.id', 'gen_ai.conversation.id'] }
};
/** OpenTelemetry GenAI, names of v1.36 and before (deprecated, still emitted). */
const OTEL_GENAI_PREVIOUS = {
    input_tokens: { from: ['gen_ai.usage.prompt_tokens'] },
    output_tokens: { from: ['gen_ai.usage.completion_tokens'] },
    fingerprint: { from: ['gen_ai.openai.response.system_fingerprint'] }
};
/** OpenLLMetry's own names (Traceloop), on top of the OpenTelemetry ones it shares. */
const OPENLLMETRY = {
    input_tokens: { from: ['llm.usage.prompt_tokens'] },
    output_tokens: { from: ['llm.usage.completion_tokens'] },
    cache_read_tokens: { from: ['gen_ai.usage.cache_read_input_tokens'] },
    cache_write_tokens: { from: ['gen_ai.usage.cache_creation_input_tokens'] },
    model: { from: ['llm.response.model', 'llm.request.model'] },
    fingerprint: { from: ['gen_ai.openai.system_fingerprint'] }
};
const OPENINFERENCE = {
    input_tokens: { from: ['llm.token_count.prompt'] },
    output_tokens: { from: ['llm.token_count.completion'] },
    cache_read_tokens: { from: ['llm.token_count.prompt_details.cache_read'] },
    cache_write_tokens: { from: ['llm.token_count.prompt_details.cache_write'] },
    model: { from: ['llm.response.model_name', 'llm.model_name', 'llm.request.model_name'] },
    cost_usd: { from: ['llm.cost.total'] },
    user_id: { from: ['user.id'] },
    session_id: { from: ['session.id'] }
};
/** The tables each convention reads, in order (an earlier table's attribute wins). */
const SPAN_CONVENTIONS = {
    'otel-genai': [OTEL_GENAI, OTEL_GENAI_PREVIOUS, OPENLLMETRY],
    openllmetry: [OTEL_GENAI, OTEL_GENAI_PREVIOUS, OPENLLMETRY],
    openinference: [OPENINFERENCE]
};
/** GenAI operations that are not a call to a model (agents, tools, workflows, retrieval). */
const NOT_CALLS = new Set([
    'invoke_agent',
    'create_agent',
    'execute_tool',
    'invoke_workflow',
    'retrieval',
    'guardrail.run',
    'guard'
]);
/** OpenLLMetry's workflow spans (traceloop.span.kind) around the calls. */
const TRACELOOP_NOT_CALLS = new Set(['workflow', 'task', 'agent', 'tool']);
/** OpenInference span kinds that are calls to a model. */
const OPENINFERENCE_CALLS = new Set(['LLM', 'EMBEDDING']);
/** Attributes only OpenLLMetry writes (besides `traceloop.*`). */
const OPENLLMETRY_MARKS = [
    'llm.request.type',
    'llm.usage.total_tokens',
    'gen_ai.usage.prompt_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'llm.vendor'
];
/**
 * The convention of a span that is one call to a model, from its own attributes; undefined for
 * any other span (an agent, a tool, a workflow step, a retrieval, a plain HTTP or DB span).
 * OpenInference: `openinference.span.kind` LLM or EMBEDDING. OpenTelemetry GenAI and OpenLLMetry:
 * a `gen_ai.*` attribute (or OpenLLMetry's older `llm.*` ones), unless `gen_ai.operation.name`
 * (or `llm.request.type`) names an agent, tool, workflow or retrieval step.
 */
function spanConvention(attrs) {
    const kind = attrs['openinference.span.kind'];
    if (kind !== undefined) {
        return typeof kind === 'string' && OPENINFERENCE_CALLS.has(kind.toUpperCase())
            ? 'openinference'
            : undefined;
    }
    let genAi = false;
    let traceloop = false;
    for (const key in attrs) {
        if (key.startsWith('gen_ai.'))
            genAi = true;
        else if (key.startsWith('traceloop.'))
            traceloop = true;
        else if (key.startsWith('llm.'))
            genAi = true;
    }
    if (!genAi)
        return undefined;
    const operation = attrs['gen_ai.operation.name'] ?? attrs['llm.request.type'];
    if (typeof operation === 'string' && NOT_CALLS.has(operation))
        return undefined;
    const step = attrs['traceloop.span.kind'];
    if (typeof step === 'string' && TRACELOOP_NOT_CALLS.has(step))
        return undefined;
    return traceloop || OPENLLMETRY_MARKS.some(k => attrs[k] !== undefined)
        ? 'openllmetry'
        : 'otel-genai';
}
/**
 * Writes the canonical keys the span's convention maps (input_tokens, model, ...) into `row`,
 * where the row does not have them already (an attribute named like the canonical field wins).
 * OpenInference spans carry no fingerprint attribute; the OpenAI answer in `output.value` (JSON)
 * does, and is read for it.
 */
function applySpanConvention(row, convention) {
    for (const table of SPAN_CONVENTIONS[convention]) {
        for (const target in table) {
            if (row[target] !== undefined)
                continue;
            const mapping = table[target];
            for (const attr of mapping.from) {
                const v = row[attr];
                if (v === undefined || v === null || v === '')
                    continue;
                row[target] = mapping.scale !== undefined && typeof v === 'number' ? v * mapping.scale : v;
                break;
            }
        }
    }
    if (convention === 'openinference' && row.fingerprint === undefined) {
        const fingerprint = jsonStringField(row['output.value'], 'system_fingerprint');
        if (fingerprint !== undefined)
            row.fingerprint = fingerprint;
    }
}
/** A top-level string field of a JSON text, found without parsing the whole text. */
function jsonStringField(text, key) {
    if (typeof text !== 'string' || !text.includes(`"${key}"`))
        return undefined;
    const match = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(text);
    return match?.[1];
}

/** Record fields tried, in order, for a request id. */
/**
 * A text worked out only when read: a source puts it in a raw row where rendering the text costs
 * something (OTLP message content), so the evaluation without a judge never pays for it.
 */
class LazyText {
    render;
    done = false;
    value;
    constructor(render) {
        this.render = render;
    }
    get() {
        if (!this.done) {
            this.value = this.render();
            this.done = true;
        }
        return this.value;
    }
}

/**
 * OTLP/JSON trace exports (the OpenTelemetry protocol's JSON encoding, as the Collector's file
 * exporter writes it: one ExportTraceServiceRequest per line, or one per file). Each span that is
 * a call to a model, in any of the tracing conventions records/conventions.ts knows (OpenTelemetry
 * GenAI, OpenLLMetry, OpenInference), is one LLM call; its convention's attributes are mapped to
 * the canonical record's names.
 */
/** STATUS_CODE_ERROR in opentelemetry/proto/trace/v1/trace.proto; JSON encodes enums as integers. */
const STATUS_CODE_ERROR = 2;
/** Ancestors followed up from a span, at most (a cycle in broken data ends here). */
const MAX_DEPTH = 64;
function isOtlpDocument(value) {
    return value.resourceSpans !== undefined;
}
/**
 * Calls `emit` with a raw row per call span of an OTLP document: the span's attributes, then its
 * resource's for keys the span lacks, then inherited keys from its ancestors, as flat dotted keys;
 * the canonical keys its convention maps; `ts` (ms) from startTimeUnixNano, `latency_ms` from
 * end - start, and `error` from the span status: STATUS_CODE_ERROR (or an `error.type`) is an
 * error named by `error.type`, else by the `exception.type` of its exception event, else by the
 * class of its HTTP status or status message; otherwise null. `onCall` hears each call span's
 * instrumentation scope and whether it failed.
 */
function forEachCallSpan(document, emit, opts, onCall) {
    const counts = { spans: 0, calls: 0 };
    let ancestry;
    for (const resourceSpans of arrayOf(document.resourceSpans)) {
        const resource = attributes(field(field(resourceSpans, 'resource'), 'attributes'));
        // scopeSpans since OTLP 0.15; instrumentationLibrarySpans before it.
        const scopes = [
            ...arrayOf(field(resourceSpans, 'scopeSpans')),
            ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
        ];
        for (const scope of scopes) {
            const library = field(scope, 'scope') ?? field(scope, 'instrumentationLibrary');
            const scopeName = stringOr(field(library, 'name'), '(unnamed scope)');
            const scopeVersion = stringOr(field(library, 'version'), undefined);
            for (const span of arrayOf(field(scope, 'spans'))) {
                counts.spans++;
                const own = attributes(field(span, 'attributes'));
                const convention = spanConvention(own);
                if (convention === undefined)
                    continue;
                counts.calls++;
                const row = spanRow(span, own, resource, opts.withContent);
                applySpanConvention(row, convention);
                for (const key of opts.inherit) {
                    if (readPath(row, key) !== undefined)
                        continue;
                    ancestry ??= new Ancestry(document);
                    const inherited = ancestry.lookup(span, key);
                    if (inherited !== undefined)
                        row[key] = inherited;
                }
                onCall?.(scopeName, scopeVersion, row.error !== null);
                emit(row);
            }
        }
    }
    return counts;
}
function spanRow(span, own, resource, withContent) {
    const row = { ...resource, ...own };
    const start = nanos(field(span, 'startTimeUnixNano'));
    const end = nanos(field(span, 'endTimeUnixNano'));
    if (start !== undefined)
        row.ts = Number(start) / 1e6;
    if (start !== undefined && end !== undefined && end >= start && row.latency_ms === undefined) {
        row.latency_ms = Number(end - start) / 1e6;
    }
    if (withContent && row.input === undefined)
        row.input = content(span, own, 'input');
    if (withContent && row.output === undefined)
        row.output = content(span, own, 'output');
    const status = field(span, 'status');
    const code = field(status, 'code');
    const failed = code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR';
    const errorType = own['error.type'];
    row.error = errorType !== undefined ? errorType : failed ? failureName(span, own, status) : null;
    return row;
}
/**
 * What a failed span says about its failure, for the error taxonomy (records/errorClass.ts): its
 * exception event's `exception.type`, else its HTTP status, else the class of its status message
 * (never the message itself: it may quote a prompt).
 */
function failureName(span, own, status) {
    for (const event of arrayOf(field(span, 'events'))) {
        if (field(event, 'name') !== 'exception')
            continue;
        const type = attributes(field(event, 'attributes'))['exception.type'];
        if (typeof type === 'string' && type !== '')
            return type;
    }
    const http = own['http.response.status_code'] ?? own['http.status_code'];
    if (typeof http === 'number' && http >= 400)
        return http;
    return messageClass(field(status, 'message'));
}
/**
 * The spans of one document by id, for ancestor lookups: built on the first lookup, once per
 * document. A span's parent is found only in the same document (an export batch may hold a part
 * of a trace only; a key set on a parent exported in another batch is not found).
 */
class Ancestry {
    spans = new Map();
    constructor(document) {
        for (const resourceSpans of arrayOf(document.resourceSpans)) {
            const scopes = [
                ...arrayOf(field(resourceSpans, 'scopeSpans')),
                ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
            ];
            for (const scope of scopes) {
                for (const span of arrayOf(field(scope, 'spans'))) {
                    const id = spanKey(field(span, 'traceId'), field(span, 'spanId'));
                    if (id === undefined)
                        continue;
                    const parent = spanKey(field(span, 'traceId'), field(span, 'parentSpanId')) ?? '';
                    this.spans.set(id, { parent, attributes: field(span, 'attributes') });
                }
            }
        }
    }
    /** The nearest ancestor's value for `key` (flat, nested or in a JSON string attribute). */
    lookup(span, key) {
        let id = spanKey(field(span, 'traceId'), field(span, 'parentSpanId'));
        for (let depth = 0; id !== undefined && depth < MAX_DEPTH; depth++) {
            const ancestor = this.spans.get(id);
            if (ancestor === undefined)
                return undefined;
            const value = readPath(attributes(ancestor.attributes), key);
            if (value !== undefined)
                return value;
            id = ancestor.parent === '' ? undefined : ancestor.parent;
        }
        return undefined;
    }
}
function spanKey(traceId, spanId) {
    return typeof spanId === 'string' && spanId !== '' && !/^0+$/.test(spanId)
        ? `${typeof traceId === 'string' ? traceId : ''}/${spanId}`
        : undefined;
}
/**
 * The prompt or the answer of a GenAI span, for the judge, rendered only when read (LazyText).
 * Semantic conventions v1.37+ put the messages in `gen_ai.input.messages` / `gen_ai.output.messages`
 * (JSON schemas gen-ai-input-messages.json / gen-ai-output-messages.json: `[{ role, parts: [{ type:
 * 'text', content }, ...] }]`), structured or as a JSON string, on the span or on its
 * `gen_ai.client.inference.operation.details` event; up to v1.27 the `gen_ai.content.prompt` /
 * `gen_ai.content.completion` events carried `gen_ai.prompt` / `gen_ai.completion`. The span's own
 * attributes win over its events. `gen_ai.system_instructions` is left out of the input: the same
 * question under a changed system prompt is still the same input to compare the arms on.
 */
function content(span, own, which) {
    const key = which === 'input' ? 'gen_ai.input.messages' : 'gen_ai.output.messages';
    const legacy = which === 'input' ? 'gen_ai.prompt' : 'gen_ai.completion';
    if (own['openinference.span.kind'] !== undefined || own[`${legacy}.0.content`] !== undefined) {
        return indexedContent(own, which);
    }
    const events = arrayOf(field(span, 'events'));
    // `own` lacks structured values (arrays, key-value lists): look at the span's list for those.
    const onSpan = own[key] !== undefined ||
        own[legacy] !== undefined ||
        arrayOf(field(span, 'attributes')).some(kv => kv?.key === key);
    if (!onSpan && events.length === 0)
        return undefined;
    return new LazyText(() => {
        const lists = [
            rawAttributes(field(span, 'attributes')),
            ...events.map(e => rawAttributes(field(e, 'attributes')))
        ];
        for (const attrs of lists) {
            const messages = attrs.get(key);
            if (messages !== undefined)
                return renderMessages(decoded(messages), which);
            const old = anyValue(attrs.get(legacy));
            if (typeof old === 'string' && old !== '')
                return old;
        }
        return undefined;
    });
}
/**
 * Messages flattened into indexed attributes: OpenInference's `llm.input_messages.<i>.message.role`
 * and `.content` (else `input.value` / `output.value`), OpenLLMetry's before semantic conventions
 * v1.37 `gen_ai.prompt.<i>.role` / `.content` and `gen_ai.completion.<i>.content`. The input
 * without system messages; the output's first message.
 */
function indexedContent(own, which) {
    const openInference = own['openinference.span.kind'] !== undefined;
    const prefix = openInference
        ? which === 'input'
            ? 'llm.input_messages.'
            : 'llm.output_messages.'
        : which === 'input'
            ? 'gen_ai.prompt.'
            : 'gen_ai.completion.';
    const inner = openInference ? '.message.' : '.';
    const plain = openInference ? own[which === 'input' ? 'input.value' : 'output.value'] : undefined;
    if (own[`${prefix}0${inner}content`] === undefined && typeof plain !== 'string')
        return undefined;
    return new LazyText(() => {
        const texts = [];
        for (let i = 0;; i++) {
            const text = own[`${prefix}${i}${inner}content`];
            if (typeof text !== 'string')
                break;
            texts.push({ role: own[`${prefix}${i}${inner}role`], text });
            if (which === 'output')
                break;
        }
        if (texts.length === 0)
            return typeof plain === 'string' ? plain : undefined;
        const conversation = texts.filter(t => t.role !== 'system');
        if (which === 'output' || conversation.length === 1)
            return conversation[0]?.text;
        return conversation
            .map(t => `${typeof t.role === 'string' ? t.role : 'message'}: ${t.text}`)
            .join('\n');
    });
}
function rawAttributes(list) {
    const out = new Map();
    for (const kv of arrayOf(list)) {
        if (typeof kv?.key === 'string')
            out.set(kv.key, kv.value);
    }
    return out;
}
/** A whole AnyValue as plain JSON (arrays and key-value lists too); a JSON string is parsed. */
function decoded(v) {
    const any = (typeof v === 'object' && v !== null ? v : {});
    if (any.arrayValue !== undefined)
        return arrayOf(field(any.arrayValue, 'values')).map(decoded);
    if (any.kvlistValue !== undefined) {
        const out = {};
        for (const kv of arrayOf(field(any.kvlistValue, 'values'))) {
            if (typeof kv?.key === 'string')
                out[kv.key] = decoded(kv.value);
        }
        return out;
    }
    const value = anyValue(v);
    if (typeof value !== 'string')
        return value;
    try {
        return JSON.parse(value);
    }
    catch {
        return value; // plain text
    }
}
/**
 * Messages as text: the input's messages but the system ones, one per line, `role: text` (a lone message as its text
 * alone); the output's first message (the first choice). Non-text parts are named in brackets.
 */
function renderMessages(messages, which) {
    if (typeof messages === 'string')
        return messages;
    if (!Array.isArray(messages))
        return undefined;
    // A system message in the input is the system prompt (as gen_ai.system_instructions): left out.
    const texts = messages
        .filter(m => which === 'output' || field(m, 'role') !== 'system')
        .map(m => ({ role: field(m, 'role'), text: messageText(m) }));
    if (which === 'output' || texts.length === 1)
        return texts[0]?.text;
    return texts.map(t => `${typeof t.role === 'string' ? t.role : 'message'}: ${t.text}`).join('\n');
}
function messageText(message) {
    const plain = field(message, 'content');
    if (typeof plain === 'string')
        return plain;
    return arrayOf(field(message, 'parts'))
        .map(part => {
        const type = field(part, 'type');
        const text = field(part, 'content');
        if (type === 'text' && typeof text === 'string')
            return text;
        if (type === 'tool_call') {
            return `[tool call ${String(field(part, 'name'))} ${JSON.stringify(field(part, 'arguments') ?? null)}]`;
        }
        if (type === 'tool_call_response') {
            return `[tool result ${JSON.stringify(field(part, 'result') ?? null)}]`;
        }
        return `[${typeof type === 'string' ? type : 'part'}]`;
    })
        .join('\n');
}
/** KeyValue list -> flat record, values from AnyValue (common/v1/common.proto). */
function attributes(list) {
    const out = {};
    for (const kv of arrayOf(list)) {
        if (typeof kv?.key !== 'string')
            continue;
        const value = anyValue(kv.value);
        if (value !== undefined)
            out[kv.key] = value;
    }
    return out;
}
function anyValue(v) {
    if (typeof v !== 'object' || v === null)
        return undefined;
    const any = v;
    if (any.stringValue !== undefined)
        return any.stringValue;
    // int64 is a decimal string in the JSON encoding; some exporters write a number.
    if (any.intValue !== undefined)
        return Number(any.intValue);
    if (any.doubleValue !== undefined)
        return Number(any.doubleValue);
    if (any.boolValue !== undefined)
        return any.boolValue;
    return undefined;
}
function nanos(v) {
    if (typeof v === 'number')
        return Number.isFinite(v) ? BigInt(Math.round(v)) : undefined;
    if (typeof v !== 'string' || v === '')
        return undefined;
    try {
        return BigInt(v);
    }
    catch {
        return undefined;
    }
}
function stringOr(v, otherwise) {
    return typeof v === 'string' && v !== '' ? v : otherwise;
}
function field(v, key) {
    return typeof v === 'object' && v !== null ? v[key] : undefined;
}
function arrayOf(v) {
    return Array.isArray(v) ? v : [];
}

/** The OTLP reading options of a policy: the keys inherited from ancestor spans. */
function spanReadOptions(policy, withContent) {
    const keys = [policy.arms.field, ...(policy.segments?.by ?? [])];
    if (policy.arms.unit !== undefined)
        keys.push(policy.arms.unit);
    return { withContent, inherit: [...new Set(keys)] };
}
const BAD_JSON = Symbol('bad JSON');
function parseJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return BAD_JSON;
    }
}
/**
 * The raw-row -> record step shared by every format and by the parallel reader's workers, with
 * the per-file counts a file's outcome reports.
 */
class RowReader {
    sink;
    normalize;
    spanOptions;
    lines = 0;
    malformed = 0;
    /** Spans in OTLP documents, and those that were calls to a model (counted as lines). */
    spans = 0;
    calls = 0;
    onCall;
    constructor(sink, normalize, 
    /** OTLP: inherited keys, and content mapped to input/output (only when the policy has a judge). */
    spanOptions) {
        this.sink = sink;
        this.normalize = normalize;
        this.spanOptions = spanOptions;
        this.onCall = sink.call?.bind(sink);
    }
    countLine() {
        this.lines++;
        this.sink.line();
    }
    bad(lineNo, reason) {
        this.malformed++;
        this.sink.malformed(lineNo, reason);
    }
    /** A parsed JSON value: a record, an OTLP export (one line per call span), or malformed. */
    json(value, lineNo, prefix = '') {
        if (value === BAD_JSON) {
            this.countLine();
            this.bad(lineNo, `${prefix}bad JSON`);
        }
        else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            this.countLine();
            this.bad(lineNo, `${prefix}not a JSON object`);
        }
        else if (isOtlpDocument(value)) {
            let span = 0;
            const counts = forEachCallSpan(value, raw => {
                this.countLine();
                this.row(raw, lineNo, `${prefix}span ${++span}: `);
            }, this.spanOptions, this.onCall);
            this.spans += counts.spans;
            this.calls += counts.calls;
        }
        else {
            this.countLine();
            this.row(value, lineNo, prefix);
        }
    }
    row(raw, lineNo, prefix) {
        const result = this.normalize(raw);
        if (isRequestRecord(result))
            this.sink.add(result);
        else if ('unmatchedArm' in result)
            this.sink.unmatchedArm(result.unmatchedArm);
        else
            this.bad(lineNo, prefix === '' ? result.malformed : `${prefix}${result.malformed}`);
    }
}

/**
 * The bytes of the lines that start in [start, end) of a file: a line belongs to the range its
 * first byte is in, so a set of ranges that tile the file reads every line exactly once. The
 * range's first line is found by skipping through the first '\n' at or after start - 1 (unless
 * start is 0); its last line is read past `end` up to its '\n'. `skip` bytes at the very start of
 * the file (a byte order mark) are left out. Reads go into `buf`, so each chunk yielded is
 * overwritten by the next read: forEachLine copies what it keeps, and a caller reading range after
 * range passes the same buffer (no megabyte of garbage per range).
 */
async function* lineAlignedRange(path, start, end, skip = 0, buf = Buffer.allocUnsafe(1 << 20)) {
    const handle = await open(path, 'r');
    const readBytes = buf.length;
    try {
        let pos = start === 0 ? skip : start - 1;
        let aligned = start === 0;
        for (;;) {
            // Still inside a line that began before the range, and past its last byte: the range holds
            // no line start. (Reading on to that line's end would make a line spanning many ranges
            // cost quadratic time.)
            if (!aligned && pos >= end - 1)
                return;
            const { bytesRead } = await handle.read(buf, 0, readBytes, pos);
            if (bytesRead === 0)
                return;
            const bytes = buf.subarray(0, bytesRead);
            let from = 0;
            if (!aligned) {
                const nl = bytes.indexOf(10);
                if (nl === -1) {
                    pos += bytesRead;
                    continue;
                }
                // The first line of this range starts after that '\n', unless it starts at `end` or later.
                if (pos + nl + 1 >= end)
                    return;
                aligned = true;
                from = nl + 1;
            }
            // The last line ends at the first '\n' at or after end - 1 (a line starting at `end` is the
            // next range's).
            const last = bytes.indexOf(10, Math.max(from, end - 1 - pos));
            if (last !== -1) {
                yield bytes.subarray(from, last + 1);
                return;
            }
            yield bytes.subarray(from);
            pos += bytesRead;
        }
    }
    finally {
        await handle.close();
    }
}
/**
 * Reads the lines of one range into `rows`, as the sequential JSONL reader does with a whole
 * file (line numbers count from the range's first line), through the reusable read buffer `buf`.
 * Returns the range's physical lines.
 */
async function readRangeRows(range, maxLineBytes, rows, buf) {
    const tooLong = `line too long (> ${describeBytes(maxLineBytes)})`;
    return forEachLine(lineAlignedRange(range.path, range.start, range.end, range.skip, buf), maxLineBytes, (text, lineNo) => rows.json(parseJson(text), lineNo), lineNo => {
        rows.countLine();
        rows.bad(lineNo, tooLong);
    });
}

/**
 * The raw keys the normalizer reads for each canonical record field, in the order it tries them
 * (normalize.ts; a test checks that each one alone fills its field). The single list of aliases:
 * span conventions add theirs in conventions.ts (SPAN_CONVENTIONS) and LiteLLM rows in litellm.ts,
 * and fieldAliases() lists all three.
 */
const RECORD_ALIASES = {
    ts: ['ts', 'timestamp', 'start_time'],
    unit: ['unit', 'user_id', 'session_id'],
    latency_ms: ['latency_ms', 'duration_ms', 'gen_ai.client.operation.duration'],
    ttft_ms: ['ttft_ms', 'gen_ai.response.time_to_first_chunk'],
    input_tokens: [
        'input_tokens',
        'prompt_tokens',
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.prompt_tokens'
    ],
    cache_read_tokens: [
        'cache_read_tokens',
        'prompt_tokens_details.cached_tokens',
        'cache_read_input_tokens',
        'gen_ai.usage.cache_read.input_tokens',
        'gen_ai.usage.cache_read_input_tokens'
    ],
    cache_write_tokens: [
        'cache_write_tokens',
        'cache_creation_input_tokens',
        'gen_ai.usage.cache_creation.input_tokens',
        'gen_ai.usage.cache_creation_input_tokens'
    ],
    output_tokens: [
        'output_tokens',
        'completion_tokens',
        'gen_ai.usage.output_tokens',
        'gen_ai.usage.completion_tokens'
    ],
    model: ['model', 'gen_ai.response.model', 'gen_ai.request.model'],
    fingerprint: [
        'fingerprint',
        'system_fingerprint',
        'openai.response.system_fingerprint',
        'gen_ai.openai.response.system_fingerprint'
    ],
    error: ['error'],
    fallback: ['fallback'],
    cost_usd: ['cost_usd'],
    score: ['score', 'gen_ai.evaluation.score.value'],
    feedback: ['feedback']
};
/** Metric `from` names that read a canonical field (units already converted). */
({
    ...aliasesOf('latency_ms'),
    ...aliasesOf('ttft_ms'),
    ...aliasesOf('input_tokens'),
    ...aliasesOf('output_tokens'),
    ...aliasesOf('cache_read_tokens'),
    ...aliasesOf('cache_write_tokens')});
function aliasesOf(field) {
    return Object.fromEntries(RECORD_ALIASES[field].filter(alias => alias !== field).map(alias => [alias, field]));
}

/**
 * Fills `into` with the id's hash: FNV-1a from a salted offset basis and a multiply-xorshift in
 * the style of MurmurHash2, in one pass over the UTF-16 code units, each through murmur3's
 * finaliser. Returns `into`.
 */
function hashUnit(id, into) {
    let a = 0x811c9dc5 ^ 0x5bd1e995;
    let b = 0x9747b28c;
    for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
    }
    into.h1 = fmix32(a);
    into.h2 = fmix32(b ^ id.length);
    return into;
}
/** murmur3's 32-bit finaliser: every input bit affects every output bit (as a signed int32). */
function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
}

const NUMBERS = [
    'ts',
    'latency_ms',
    'ttft_ms',
    'input_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'output_tokens',
    'cost_usd',
    'score',
    'feedback'
];
const REFS = [
    'model',
    'fingerprint',
    'error',
    'scores'
];
const CANARY = 1 << NUMBERS.length;
const FALLBACK = CANARY << 1;
const UNIT = FALLBACK << 1;
/** The buffers to transfer (not copy) with a postMessage of these columns. */
function transferList(columns) {
    return [columns.flags.buffer, columns.numbers.buffer, columns.units.buffer, columns.refs.buffer];
}
/**
 * Fills a RecordBatch one record at a time (in a worker). A taken batch's arrays are handed over
 * whole (the receiver reads `count` records) and come back through recycle(), so a worker cycles
 * through a few sets of arrays instead of leaving one per batch for the garbage collector.
 */
class RecordBatchWriter {
    rawKeys;
    count = 0;
    columns;
    spare = [];
    strings = [];
    others = [];
    /** Repeated strings (models, segment values) are stored once per batch. */
    index = new Map();
    width;
    unitKey = { h1: 0, h2: 0 };
    constructor(rawKeys) {
        this.rawKeys = rawKeys;
        this.width = REFS.length + rawKeys.length;
        this.columns = this.allocate(1 << 13);
    }
    add(r) {
        if (this.count === this.columns.flags.length)
            this.grow();
        const { flags, numbers, units, refs } = this.columns;
        const i = this.count++;
        let f = r.arm === 'canary' ? CANARY : 0;
        if (r.fallback)
            f |= FALLBACK;
        if (r.unit !== undefined) {
            f |= UNIT;
            hashUnit(r.unit, this.unitKey);
            units[2 * i] = this.unitKey.h1;
            units[2 * i + 1] = this.unitKey.h2;
        }
        // Field by field, as forEachBatchRecord reads them (a loop over names was a keyed load each).
        const at = i * NUMBERS.length;
        numbers[at] = r.ts;
        f |= this.number(numbers, at + 1, r.latency_ms, 2);
        f |= this.number(numbers, at + 2, r.ttft_ms, 4);
        f |= this.number(numbers, at + 3, r.input_tokens, 8);
        f |= this.number(numbers, at + 4, r.cache_read_tokens, 16);
        f |= this.number(numbers, at + 5, r.cache_write_tokens, 32);
        f |= this.number(numbers, at + 6, r.output_tokens, 64);
        f |= this.number(numbers, at + 7, r.cost_usd, 128);
        f |= this.number(numbers, at + 8, r.score, 256);
        f |= this.number(numbers, at + 9, r.feedback, 512);
        flags[i] = f;
        const ref = i * this.width;
        refs[ref] = this.ref(r.model);
        refs[ref + 1] = this.ref(r.fingerprint);
        refs[ref + 2] = this.ref(r.error ?? undefined);
        refs[ref + 3] = this.ref(r.scores);
        for (let j = 0; j < this.rawKeys.length; j++) {
            const key = this.rawKeys[j];
            refs[ref + REFS.length + j] = Object.hasOwn(r.raw, key) ? this.ref(r.raw[key]) : -1;
        }
    }
    /** The batch so far; its arrays are the receiver's until recycle() gives them back. */
    take() {
        const { flags, numbers, units, refs } = this.columns;
        const batch = {
            count: this.count,
            flags,
            numbers,
            units,
            refs,
            strings: JSON.stringify(this.strings),
            others: this.others
        };
        this.columns = this.spare.pop() ?? this.allocate(this.columns.flags.length);
        this.count = 0;
        this.strings = [];
        this.others = [];
        this.index.clear();
        return batch;
    }
    recycle({ flags, numbers, units, refs }) {
        if (flags.length >= this.columns.flags.length)
            this.spare.push({ flags, numbers, units, refs });
    }
    number(numbers, at, v, bit) {
        if (v === undefined)
            return 0;
        numbers[at] = v;
        return bit;
    }
    ref(v) {
        if (v === undefined)
            return -1;
        if (typeof v !== 'string')
            return -2 - (this.others.push(v) - 1);
        let at = this.index.get(v);
        if (at === undefined) {
            at = this.strings.push(v) - 1;
            this.index.set(v, at);
        }
        return at;
    }
    allocate(records) {
        return {
            flags: new Uint16Array(records),
            numbers: new Float64Array(records * NUMBERS.length),
            units: new Int32Array(records * 2),
            refs: new Int32Array(records * this.width)
        };
    }
    grow() {
        const bigger = this.allocate(this.columns.flags.length * 2);
        bigger.flags.set(this.columns.flags);
        bigger.numbers.set(this.columns.numbers);
        bigger.units.set(this.columns.units);
        bigger.refs.set(this.columns.refs);
        this.columns = bigger;
        this.spare.length = 0;
    }
}

/**
 * A parsing worker of the parallel JSONL reader (parallelReader.ts): reads the lines of one byte
 * range of a file, parses and normalises them, and posts the records back in columns. Bundled as
 * its own entry (dist/fileWorker.js), so it loads none of the Action's dependencies.
 */
const setup = workerData;
const normalize = createNormalizer(setup.policy);
const port = parentPort;
const writer = new RecordBatchWriter(setup.rawKeys);
const readBuffer = Buffer.allocUnsafe(1 << 20);
const spanOptions = spanReadOptions(setup.policy, false);
async function readChunk(task) {
    const started = performance.now();
    const malformedLines = [];
    const malformedReasons = [];
    const unmatched = [];
    const scopes = [];
    const rows = new RowReader({
        line: () => { },
        malformed: (lineNo, reason) => {
            malformedLines.push(lineNo);
            malformedReasons.push(reason);
        },
        unmatchedArm: value => unmatched.push(value),
        add: r => writer.add(r),
        call: (scope, version, failed) => {
            let entry = scopes.find(e => e.scope === scope && e.version === version);
            if (entry === undefined) {
                entry =
                    version === undefined
                        ? { scope, calls: 0, failed: 0 }
                        : { scope, version, calls: 0, failed: 0 };
                scopes.push(entry);
            }
            entry.calls++;
            if (failed)
                entry.failed++;
        }
    }, normalize, spanOptions);
    const physicalLines = await readRangeRows(task, setup.maxLineBytes, rows, readBuffer);
    return {
        task: task.id,
        physicalLines,
        lines: rows.lines,
        malformedLines,
        malformedReasons,
        unmatched,
        spans: rows.spans,
        calls: rows.calls,
        scopes,
        batch: writer.take(),
        ms: performance.now() - started
    };
}
// One chunk at a time, in the order they were sent.
let queue = Promise.resolve();
port.on('message', (task) => {
    if (task.spare)
        writer.recycle(task.spare);
    queue = queue.then(async () => {
        try {
            const result = await readChunk(task);
            port.postMessage(result, transferList(result.batch));
        }
        catch (e) {
            writer.take(); // drops the failed chunk's records: the next batch starts empty
            port.postMessage({ task: task.id, error: e.message });
        }
    });
});
