import { t as messageClass, n as createNormalizer, E as EvidenceBuilder, F as FieldCatalog, D as DEFAULT_MAX_AGE_MS, u as isRequestRecord } from './chunk-records.js';
import { T as SourceError, Y as earliestCanarySink } from './chunk-base.js';
import { j as judgeSampler } from './chunk-textSample.js';

/**
 * A small client for the two read endpoints of Langfuse's public API the gate needs, on Node's
 * fetch. Definitions followed (Langfuse's Fern API definition, as published in @langfuse/core's
 * generated types, `ObservationsV2Response`, `GetScoresV3Response`):
 *   GET /api/public/v2/observations  cursor pagination: `limit` (at most 1000), `cursor`;
 *       response `{ data: ObservationV2[], meta: { cursor? } }`, no cursor on the last page.
 *   GET /api/public/v3/scores        cursor pagination: `limit` (at most 100), `cursor`
 *       (base64url); response `{ data: ScoreV3[], meta: { limit, cursor? } }`. It replaces
 *       GET /api/public/v2/scores, which the definition marks deprecated (unavailable on
 *       self-hosted v4, removed from Langfuse Cloud on 2026-11-16).
 * Auth is HTTP Basic with the public key as user and the secret key as password. The keys never
 * appear in a message, an error or describe(): only the host does.
 */
const MAX_BACKOFF_MS = 10_000;
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
class LangfuseClient {
    origin;
    stats = { requests: 0, retries: 0, waitedMs: 0 };
    apiBase;
    authorization;
    opts;
    fetch;
    sleep;
    constructor(opts) {
        this.opts = opts;
        this.apiBase = `${opts.baseUrl.replace(/\/+$/, '')}/api/public`;
        this.origin = displayHost(opts.baseUrl);
        this.authorization = `Basic ${Buffer.from(`${opts.publicKey}:${opts.secretKey}`).toString('base64')}`;
        this.fetch = opts.fetch ?? globalThis.fetch;
        this.sleep = opts.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    }
    /**
     * Observation pages, in the server's order, following `meta.cursor` to the end. The next page is
     * requested as soon as the current one has arrived, so the caller works while it travels.
     */
    observations(query) {
        return this.cursorPages('v2/observations', query);
    }
    /** Score pages of the v3 scores API (ScoreV3, polymorphic `value`), to the last cursor. */
    async *scores(query) {
        for await (const page of this.cursorPages('v3/scores', query))
            yield page.data;
    }
    async *cursorPages(path, query) {
        const get = (cursor) => {
            const p = this.getJson(path, { ...query, cursor }).then(body => this.cursorPage(path, body));
            p.catch(() => undefined); // handled when awaited; never an unhandled rejection meanwhile
            return p;
        };
        let pending = get();
        const seen = new Set();
        for (;;) {
            const page = await pending;
            const cursor = page.cursor;
            if (cursor !== undefined) {
                if (seen.has(cursor)) {
                    throw new SourceError(`Langfuse at ${this.origin} returned the same page cursor twice (GET /api/public/${path}): stopped reading to avoid a loop`);
                }
                seen.add(cursor);
                pending = get(cursor);
            }
            yield page;
            if (cursor === undefined)
                return;
        }
    }
    cursorPage(path, body) {
        const { data, meta } = body;
        if (!Array.isArray(data) || !isObject(meta)) {
            throw new SourceError(`Langfuse at ${this.origin} answered GET /api/public/${path} without a data list and meta: not ${API[path].name}; check source.baseUrl and the Langfuse version (${API[path].needs})`);
        }
        const cursor = typeof meta.cursor === 'string' && meta.cursor !== '' ? meta.cursor : undefined;
        return { data: data.filter(isObject), cursor };
    }
    async getJson(path, query) {
        const url = new URL(`${this.apiBase}/${path}`);
        for (const [key, value] of Object.entries(query)) {
            if (value === undefined)
                continue;
            if (Array.isArray(value))
                for (const v of value)
                    url.searchParams.append(key, v);
            else
                url.searchParams.set(key, String(value));
        }
        const what = `GET /api/public/${path}`;
        let problem = '';
        for (let attempt = 0;; attempt++) {
            if (attempt > 0)
                this.stats.retries++;
            this.stats.requests++;
            let response;
            let text;
            try {
                response = await this.fetch(url, {
                    headers: { authorization: this.authorization, accept: 'application/json' },
                    signal: AbortSignal.timeout(this.opts.timeoutMs)
                });
                text = await response.text();
            }
            catch (e) {
                problem = networkProblem(e, this.opts.timeoutMs);
                await this.retryOrThrow(attempt, what, problem, undefined);
                continue;
            }
            if (response.ok)
                return this.parse(text, what, response.headers.get('content-type'));
            problem = `HTTP ${response.status}`;
            if (response.status === 401 || response.status === 403) {
                throw new SourceError(`Langfuse at ${this.origin} refused the API keys (${what}: HTTP ${response.status}): check that the environment variables named by source.publicKeyEnv and source.secretKeyEnv hold this project's public and secret key`);
            }
            if (response.status === 404) {
                throw new SourceError(`Langfuse at ${this.origin} has no ${API[path].name} (${what}: HTTP 404${serverMessage(text)}); ${API[path].needs}: check source.baseUrl (the host, without /api) and the Langfuse version`);
            }
            if (!RETRYABLE.has(response.status)) {
                throw new SourceError(`Langfuse at ${this.origin} rejected ${what} with HTTP ${response.status}${serverMessage(text)}; check source.baseUrl and the Langfuse version (${API[path].needs})`);
            }
            const retryAfter = response.status === 429 || response.status === 503
                ? retryAfterMs(response.headers.get('retry-after'))
                : undefined;
            await this.retryOrThrow(attempt, what, problem, retryAfter);
        }
    }
    async retryOrThrow(attempt, what, problem, retryAfter) {
        const maxRetryAfter = this.opts.maxRetryAfterMs ?? 120_000;
        if (retryAfter !== undefined && retryAfter > maxRetryAfter) {
            throw new SourceError(`Langfuse at ${this.origin} is rate limiting (${what}: ${problem}) and asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than ${maxRetryAfter / 1000} s; try again later`);
        }
        if (attempt >= this.opts.retries) {
            throw new SourceError(`Langfuse at ${this.origin} did not answer ${what}: ${problem} (${attempt + 1} attempts); check that it is up and that source.baseUrl is right`);
        }
        const base = this.opts.backoffMs ?? 500;
        const backoff = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt) * (0.5 + Math.random() / 2);
        const wait = retryAfter ?? backoff;
        this.stats.waitedMs += wait;
        await this.sleep(wait);
    }
    parse(text, what, contentType) {
        let body;
        try {
            body = JSON.parse(text);
        }
        catch {
            throw this.notTheApi(what, `the answer is not JSON (${text.length} characters${contentType ? `, ${contentType.split(';')[0]}` : ''})`);
        }
        if (!isObject(body))
            throw this.notTheApi(what, 'the answer is not a JSON object');
        return body;
    }
    notTheApi(what, why) {
        return new SourceError(`Langfuse at ${this.origin} answered ${what} with something that is not the Langfuse API: ${why}; check source.baseUrl (the host, without /api)`);
    }
}
/** What each endpoint is called in messages, and what serves it. */
const API = {
    'v2/observations': {
        name: 'v2 observations API',
        needs: 'the v2 observations API needs Langfuse Cloud or self-hosted Langfuse v4+'
    },
    'v3/scores': {
        name: 'v3 scores API',
        needs: 'the v3 scores API (which replaces the deprecated v2 one) needs Langfuse Cloud or a self-hosted Langfuse that has it (v4+)'
    }
};
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Retry-After: delta seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header, now = Date.now()) {
    if (header === null || header.trim() === '')
        return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds))
        return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
function networkProblem(e, timeoutMs) {
    const err = e;
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
        return `no answer within ${timeoutMs / 1000} s (source.timeout)`;
    const code = err.cause?.code;
    return code ? `network error ${code}` : `network error (${err.message ?? 'unknown'})`;
}
/** The `message` of a JSON error body, short and on one line; nothing else of the body. */
function serverMessage(text) {
    try {
        const body = JSON.parse(text);
        if (isObject(body) && typeof body.message === 'string') {
            return `: ${body.message.replace(/\s+/g, ' ').slice(0, 200)}`;
        }
    }
    catch {
        // not JSON: say nothing of it
    }
    return '';
}
/** scheme://host[:port][/path], never userinfo. */
function displayHost(baseUrl) {
    try {
        const url = new URL(baseUrl);
        return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    }
    catch {
        return '(invalid source.baseUrl)';
    }
}

/** The field groups of GET /api/public/v2/observations this mapping reads. */
const OBSERVATION_FIELDS = [
    'core',
    'basic',
    'time',
    'usage',
    'model',
    'prompt',
    'metrics',
    'metadata',
    'trace_context'
];
/** Compiles the arm lookup once; `labels` are the arm values the policy lists (for tags). */
function observationMapper(arm, armField, labels) {
    const armOf = armReader(arm, labels);
    return (o, scores) => {
        const id = o.id;
        const start = o.startTime;
        if (typeof id !== 'string' || typeof start !== 'string')
            return { malformed: 'no id or startTime' };
        const label = armOf(o);
        if (typeof label !== 'string')
            return label;
        const startMs = Date.parse(start);
        const traceId = typeof o.traceId === 'string' ? o.traceId : undefined;
        const raw = {
            ts: start,
            [armField]: label,
            user_id: o.userId ?? undefined,
            session_id: o.sessionId ?? undefined,
            latency_ms: span(startMs, o.endTime) ?? seconds(o.latency),
            ttft_ms: span(startMs, o.completionStartTime) ?? seconds(o.timeToFirstToken),
            model: o.model ?? o.providedModelName ?? undefined,
            error: o.level === 'ERROR' ? errorClassOf(o.statusMessage) : null,
            cost_usd: costOf(o.totalCost, o.costDetails),
            id,
            traceId,
            userId: o.userId,
            sessionId: o.sessionId,
            name: o.name,
            traceName: o.traceName,
            environment: o.environment,
            version: o.version,
            release: o.release,
            promptName: o.promptName,
            promptVersion: o.promptVersion,
            level: o.level,
            tags: o.tags
        };
        addUsage(raw, o.usageDetails);
        const metadata = o.metadata;
        if (isObject(metadata)) {
            raw.metadata = metadata;
            // Flat `metadata.<key>` too, so a segment dimension can name a metadata key.
            for (const [key, value] of Object.entries(metadata)) {
                if (typeof value !== 'object' || value === null)
                    raw[`metadata.${key}`] = value;
            }
        }
        const joined = scores(id, traceId, typeof o.sessionId === 'string' ? o.sessionId : undefined);
        if (joined) {
            for (const [field, value] of joined) {
                if (field.startsWith('scores.')) {
                    (raw.scores ??= {})[field.slice(7)] = value;
                }
                else
                    raw[field] = value;
            }
        }
        return { raw };
    };
}
/** The arm label of an observation, or why there is none. */
function armReader(arm, labels) {
    const missing = (what) => ({ malformed: `no ${what} (the arm)` });
    switch (arm.from) {
        case 'release':
        case 'version':
        case 'promptVersion': {
            const key = arm.from;
            const none = missing(key);
            return o => label(o[key]) ?? none;
        }
        case 'metadata': {
            const none = missing(`metadata key "${arm.key}"`);
            return o => (isObject(o.metadata) ? label(o.metadata[arm.key]) : undefined) ?? none;
        }
        case 'tag': {
            const prefix = arm.prefix;
            const none = missing(prefix === undefined ? 'arm tag' : `tag starting with "${prefix}"`);
            const both = { malformed: 'tags name more than one arm value' };
            return o => {
                const tags = o.tags;
                if (!Array.isArray(tags))
                    return none;
                let found;
                for (const tag of tags) {
                    if (typeof tag !== 'string')
                        continue;
                    const value = prefix === undefined
                        ? labels.has(tag)
                            ? tag
                            : undefined
                        : tag.startsWith(prefix)
                            ? tag.slice(prefix.length)
                            : undefined;
                    if (value === undefined || value === found)
                        continue;
                    if (found !== undefined)
                        return both;
                    found = value;
                }
                return found ?? none;
            };
        }
    }
}
function label(v) {
    if (typeof v === 'string')
        return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    return undefined;
}
/** ms from the start to an ISO timestamp, or undefined. */
function span(startMs, end) {
    if (typeof end !== 'string' || end === '')
        return undefined;
    const ms = Date.parse(end) - startMs;
    return Number.isNaN(ms) ? undefined : ms;
}
function seconds(v) {
    return typeof v === 'number' ? v * 1000 : undefined;
}
/**
 * Token counts from `usageDetails`, whose keys are free-form per provider. Langfuse's convention
 * (its UI sums them so): every key containing `input` is input, every key containing `output` is
 * output; `total` is neither. So OpenAI's `input` (uncached) + `input_cached_tokens` and
 * Anthropic's `input` + `input_cache_read` + `input_cache_creation` both add up to all input,
 * cached included, as the canonical `input_tokens` counts it.
 */
function addUsage(raw, usage) {
    if (!isObject(usage))
        return;
    let input;
    let output;
    let cacheRead;
    let cacheWrite;
    for (const [key, value] of Object.entries(usage)) {
        if (typeof value !== 'number')
            continue;
        const k = key.toLowerCase();
        if (k.includes('input')) {
            input = (input ?? 0) + value;
            if (k.includes('cache_read') || k.includes('cached'))
                cacheRead = (cacheRead ?? 0) + value;
            else if (k.includes('cache_creation') || k.includes('cache_write'))
                cacheWrite = (cacheWrite ?? 0) + value;
        }
        else if (k.includes('output'))
            output = (output ?? 0) + value;
    }
    raw.input_tokens = input;
    raw.output_tokens = output;
    raw.cache_read_tokens = cacheRead;
    raw.cache_write_tokens = cacheWrite;
}
/** Billed cost: `totalCost`, else `costDetails.total`, else the sum of the cost details. */
function costOf(total, details) {
    if (typeof total === 'number')
        return total;
    if (!isObject(details))
        return undefined;
    if (typeof details.total === 'number')
        return details.total;
    let sum;
    for (const value of Object.values(details))
        if (typeof value === 'number')
            sum = (sum ?? 0) + value;
    return sum;
}
/**
 * An ERROR observation's class from its status message, by its leading HTTP status or keywords
 * (records/errorClass.ts): the message itself is free text (it may quote a prompt) and never
 * becomes part of the evidence.
 */
function errorClassOf(statusMessage) {
    return messageClass(statusMessage);
}

/**
 * The scores of a window, joined to observations by observation id, else by trace id, else by
 * session id. One column
 * per record field (`score`, `scores.<name>`, `feedback`), each a Map from id to a slot in two
 * number arrays: about 100 bytes per score (mostly the id string), the one part of the Langfuse
 * source's memory that grows with traffic. Of duplicates (one call scored twice) the newest wins.
 */
class ScoreTable {
    columns = new Map();
    add(field, target, value, at) {
        let column = this.columns.get(field);
        if (column === undefined) {
            column = {
                field,
                byObservation: new Map(),
                byTrace: new Map(),
                bySession: new Map(),
                values: [],
                times: []
            };
            this.columns.set(field, column);
        }
        const [index, id] = target.observationId
            ? [column.byObservation, target.observationId]
            : target.traceId
                ? [column.byTrace, target.traceId]
                : target.sessionId
                    ? [column.bySession, target.sessionId]
                    : [undefined, undefined];
        if (index === undefined || id === undefined)
            return;
        const slot = index.get(id);
        if (slot === undefined) {
            index.set(id, column.values.length);
            column.values.push(value);
            column.times.push(at);
        }
        else if (at >= column.times[slot]) {
            column.values[slot] = value;
            column.times[slot] = at;
        }
    }
    /**
     * The scores of one observation (its own, else its trace's, else its session's), or undefined
     * when it has none.
     */
    lookup = (observationId, traceId, sessionId) => {
        let out;
        for (const column of this.columns.values()) {
            const slot = column.byObservation.get(observationId) ??
                (traceId === undefined ? undefined : column.byTrace.get(traceId)) ??
                (sessionId === undefined ? undefined : column.bySession.get(sessionId));
            if (slot !== undefined)
                (out ??= new Map()).set(column.field, column.values[slot]);
        }
        return out;
    };
}

/** Page size of the v3 scores endpoint (its maximum: a larger limit is an HTTP 400). */
const SCORES_PAGE = 100;
/**
 * Evidence from Langfuse: LLM calls (GENERATION observations by default) of the window, read
 * through the public API's v2 observations endpoint page by page and streamed into the same
 * EvidenceBuilder as the file source, so memory holds one page and the sketches, not the calls.
 * Scores (v3 scores endpoint) are read first and joined by observation id, else by trace id (else session);
 * they are the one table that grows with traffic (one small entry per score).
 * SourceError (a hold) when the keys are missing, the server is down or answers garbage, after
 * bounded retries; a page that fails mid-way fails the whole collection, never a partial view.
 */
class LangfuseSource {
    spec;
    policy;
    opts;
    normalize;
    scorePages = 0;
    /** Pages and requests of the last collect(), for the benchmark. */
    lastRead = { observationPages: 0, scorePages: 0, requests: 0, retries: 0 };
    constructor(opts) {
        this.opts = opts;
        this.spec = opts.spec;
        this.policy = opts.policy;
        this.normalize = createNormalizer(opts.policy);
    }
    describe() {
        const arm = this.spec.arm;
        const from = arm.from === 'metadata' ? `metadata.${arm.key}` : arm.from;
        return `langfuse ${displayHost(this.spec.baseUrl)} (${this.spec.observationType} observations, arm from ${from})`;
    }
    async collect(request) {
        const client = this.client();
        this.scorePages = 0;
        const { table: scores, warnings } = await this.readScores(client, request.window.from);
        const builder = new EvidenceBuilder({
            policy: this.policy,
            window: request.window,
            now: request.now,
            source: this.describe()
        });
        // With a judge, the same seeded sample of texts per arm as the file source keeps (never logged).
        const sampler = judgeSampler(this.policy, request);
        const { from, to } = request.window;
        const fields = new FieldCatalog(this.policy);
        const { lines, malformed, pages } = await this.readObservations(client, from, to, scores, builder, sampler &&
            ((r, o) => sampler.offer({ ...r, raw: { ...r.raw, input: o.input, output: o.output } })), fields, request.progress);
        builder.fileDone(`${client.origin} v2/observations (${pages} pages)`, lines, malformed);
        builder.fieldsSeen(fields.result());
        this.lastRead = {
            observationPages: pages,
            scorePages: this.scorePages,
            requests: client.stats.requests,
            retries: client.stats.retries
        };
        const evidence = builder.finish();
        if (warnings.length > 0) {
            evidence.quality.warnings = [...(evidence.quality.warnings ?? []), ...warnings];
        }
        return sampler ? { ...evidence, texts: sampler.samples() } : evidence;
    }
    /** Earliest canary call within one maxDuration before `until`: a step never lasts longer. */
    async firstCanaryTime(until) {
        const sink = earliestCanarySink(until, this.policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS);
        await this.readObservations(this.client(), until - this.policy.rollout.maxDuration, until + 1, new ScoreTable(), sink);
        return sink.first();
    }
    client() {
        const env = this.opts.env ?? process.env;
        const key = (name, what) => {
            const value = env[name];
            if (value === undefined || value.trim() === '') {
                throw new SourceError(`environment variable ${name} is not set: it must hold the Langfuse ${what} key of the project (in GitHub Actions, pass it from a secret: env: { ${name}: \${{ secrets.${name} }} })`);
            }
            return value.trim();
        };
        return new LangfuseClient({
            baseUrl: this.spec.baseUrl,
            publicKey: key(this.spec.publicKeyEnv, 'public'),
            secretKey: key(this.spec.secretKeyEnv, 'secret'),
            timeoutMs: this.spec.timeout,
            retries: this.spec.retries,
            ...(this.opts.fetch && { fetch: this.opts.fetch }),
            ...(this.opts.sleep && { sleep: this.opts.sleep }),
            ...(this.opts.backoffMs !== undefined && { backoffMs: this.opts.backoffMs })
        });
    }
    async readObservations(client, from, to, scores, sink, onRecord, fields, progress) {
        const spec = this.spec;
        const armLabels = new Set([...this.policy.arms.baseline, ...this.policy.arms.canary]);
        const map = observationMapper(spec.arm, this.policy.arms.field, armLabels);
        const expand = metadataKeys(this.policy, spec);
        const query = {
            fields: [...OBSERVATION_FIELDS, ...(onRecord ? ['io'] : [])].join(','),
            expandMetadata: expand.length > 0 ? expand.join(',') : undefined,
            limit: spec.pageSize,
            fromStartTime: new Date(from).toISOString(),
            toStartTime: new Date(to).toISOString(),
            type: spec.observationType,
            name: spec.name,
            environment: spec.environment
        };
        let lines = 0;
        let malformed = 0;
        let pages = 0;
        for await (const page of client.observations(query)) {
            pages++;
            progress?.({ lines, pages });
            for (const o of page.data) {
                lines++;
                sink.line();
                const mapped = isObject(o) ? map(o, scores.lookup) : { malformed: 'not a JSON object' };
                if ('malformed' in mapped) {
                    malformed++;
                    sink.malformed(where(o, lines), mapped.malformed);
                    continue;
                }
                fields?.add(mapped.raw);
                const result = this.normalize(mapped.raw);
                if (isRequestRecord(result)) {
                    sink.add(result);
                    onRecord?.(result, o);
                }
                else if ('unmatchedArm' in result)
                    sink.unmatchedArm(result.unmatchedArm);
                else {
                    if (result.missing === 'arm')
                        fields?.armless(mapped.raw);
                    else if (result.missing === 'timestamp')
                        fields?.timeless(mapped.raw);
                    malformed++;
                    sink.malformed(where(o, lines), result.malformed);
                }
            }
        }
        return { lines, malformed, pages };
    }
    /**
     * Scores of the calls since `from`, created up to the time of the query (no upper bound: an
     * online evaluator scores a call after it ends, as a log line carries its score when written),
     * read through the v3 scores API with their `subject` (the observation, trace or session each
     * is attached to). The policy's score names go in one comma-separated `name` filter (one query
     * per name when a name holds a comma). Scores with no number (CATEGORICAL, TEXT, CORRECTION)
     * are skipped; categorical ones the policy names are counted in a warning.
     */
    async readScores(client, from) {
        const table = new ScoreTable();
        const names = Object.keys(this.spec.scores);
        if (names.length === 0)
            return { table, warnings: [] };
        const groups = names.some(n => n.includes(',')) ? names.map(n => [n]) : [names];
        const categorical = new Map();
        for (const group of groups) {
            const query = {
                name: group.join(','),
                limit: SCORES_PAGE,
                fromTimestamp: new Date(from).toISOString(),
                environment: this.spec.environment?.join(','),
                fields: 'subject'
            };
            for await (const data of client.scores(query)) {
                this.scorePages++;
                for (const s of data) {
                    const name = s.name;
                    if (typeof name !== 'string' || !group.includes(name))
                        continue;
                    const value = scoreValue(s);
                    if (value === undefined) {
                        if (s.dataType === 'CATEGORICAL')
                            categorical.set(name, (categorical.get(name) ?? 0) + 1);
                        continue;
                    }
                    const target = subjectOf(s.subject);
                    if (target === undefined)
                        continue;
                    const at = typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : 0;
                    table.add(this.spec.scores[name], target, value, at);
                }
            }
        }
        const warnings = [...categorical].map(([name, n]) => `${n} Langfuse scores "${name}" are CATEGORICAL: a category has no number in the v3 scores API, so they were skipped (use a NUMERIC or BOOLEAN score)`);
        return { table, warnings };
    }
}
/**
 * A v3 score's number (ScoreV3: `value` is a number for NUMERIC, a boolean for BOOLEAN, a string
 * for CATEGORICAL, TEXT and CORRECTION): NUMERIC as it is, BOOLEAN as 1 / 0; undefined for the
 * rest. A NUMERIC or BOOLEAN value of another type is kept as NaN, so the metric counts it as
 * invalid rather than dropping it.
 */
function scoreValue(s) {
    const v = s.value;
    switch (s.dataType) {
        case 'NUMERIC':
            return typeof v === 'number' ? v : NaN;
        case 'BOOLEAN':
            return typeof v === 'boolean' ? (v ? 1 : 0) : v === 1 || v === 0 ? v : NaN;
        default:
            return undefined;
    }
}
/** What a score is attached to (ScoreSubjectV3, discriminated by `kind`); experiments are not calls. */
function subjectOf(subject) {
    if (!isObject(subject) || typeof subject.id !== 'string' || subject.id === '')
        return undefined;
    switch (subject.kind) {
        case 'observation':
            return typeof subject.traceId === 'string'
                ? { observationId: subject.id, traceId: subject.traceId }
                : { observationId: subject.id };
        case 'trace':
            return { traceId: subject.id };
        case 'session':
            return { sessionId: subject.id };
        default:
            return undefined;
    }
}
/**
 * The metadata keys the policy reads (the arm from metadata, segment dimensions, the unit, metric
 * fields named `metadata.<key>`): sent as `expandMetadata`, since the v2 observations API cuts
 * metadata values to 200 characters unless a key is named there.
 */
function metadataKeys(policy, spec) {
    const keys = new Set();
    if (spec.arm.from === 'metadata')
        keys.add(spec.arm.key);
    const fields = [
        ...(policy.segments?.by ?? []),
        ...(policy.arms.unit !== undefined ? [policy.arms.unit] : []),
        ...policy.metrics.flatMap(m => [m.from, ...(m.per !== undefined ? [m.per] : [])])
    ];
    for (const field of fields) {
        if (!field.startsWith('metadata.'))
            continue;
        const key = field.slice('metadata.'.length).split('.')[0];
        if (key)
            keys.add(key);
    }
    return [...keys];
}
/** An observation by id (or position), never by content. */
function where(o, line) {
    return `observation ${isObject(o) && typeof o.id === 'string' ? o.id.slice(0, 64) : `#${line}`}`;
}

export { LangfuseSource, metadataKeys };
