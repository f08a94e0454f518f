import { d as createNormalizer, E as EvidenceBuilder, F as FieldCatalog, i as isRequestRecord } from './chunk-records.js';
import { L as SourceError, O as earliestCanarySink } from './chunk-base.js';
import { j as judgeSampler } from './chunk-textSample.js';

/**
 * A small client for the two read endpoints of Langfuse's public API the gate needs, on Node's
 * fetch. Definitions followed (Langfuse's Fern API definition, as published in @langfuse/core's
 * generated types, `ObservationsV2Response`, `GetScoresResponse`):
 *   GET /api/public/v2/observations  cursor pagination: `limit` (at most 1000), `cursor`;
 *       response `{ data: ObservationV2[], meta: { cursor? } }`, no cursor on the last page.
 *   GET /api/public/v2/scores        page pagination: `page` (from 1), `limit`;
 *       response `{ data: Score[], meta: { page, limit, totalItems, totalPages } }`.
 * Auth is HTTP Basic with the public key as user and the secret key as password. The keys never
 * appear in a message, an error or describe(): only the host does.
 */
const MAX_BACKOFF_MS = 10_000;
const SCORE_PAGES_IN_FLIGHT = 4;
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
    async *observations(query) {
        const get = (cursor) => {
            const p = this.getJson('v2/observations', { ...query, cursor }).then(observationPage);
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
                    throw new SourceError(`Langfuse at ${this.origin} returned the same page cursor twice: stopped reading observations to avoid a loop`);
                }
                seen.add(cursor);
                pending = get(cursor);
            }
            yield page;
            if (cursor === undefined)
                return;
        }
    }
    /**
     * Score pages (page-numbered) until the last one. Once the first page tells how many there are,
     * up to SCORE_PAGES_IN_FLIGHT are requested at a time; they are yielded in order.
     */
    async *scores(query) {
        const get = (page) => {
            const p = this.getJson('v2/scores', { ...query, page }).then(body => this.scorePage(body));
            p.catch(() => undefined); // handled when awaited
            return p;
        };
        const first = await get(1);
        yield first.data;
        const pages = first.totalPages;
        let next = 2;
        const inFlight = [];
        while (next <= pages && inFlight.length < SCORE_PAGES_IN_FLIGHT)
            inFlight.push(get(next++));
        for (let pending = inFlight.shift(); pending; pending = inFlight.shift()) {
            const page = await pending;
            if (next <= pages)
                inFlight.push(get(next++));
            yield page.data;
        }
    }
    scorePage(body) {
        const { data, meta } = body;
        if (!Array.isArray(data) || !isObject(meta) || typeof meta.totalPages !== 'number') {
            throw this.notTheApi('GET /api/public/v2/scores', 'no data list or meta.totalPages');
        }
        return { data: data.filter(isObject), totalPages: meta.totalPages };
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
            if (!RETRYABLE.has(response.status)) {
                throw new SourceError(`Langfuse at ${this.origin} rejected ${what} with HTTP ${response.status}${serverMessage(text)}; check source.baseUrl and the Langfuse version (the v2 observations API needs Langfuse v3 cloud or self-hosted v4+)`);
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
function observationPage(body) {
    const data = body.data;
    const meta = body.meta;
    if (!Array.isArray(data) || !isObject(meta)) {
        throw new SourceError('Langfuse answered GET /api/public/v2/observations without a data list and meta: not the Langfuse v2 observations API; check source.baseUrl and the Langfuse version');
    }
    const cursor = typeof meta.cursor === 'string' && meta.cursor !== '' ? meta.cursor : undefined;
    return { data: data, cursor };
}
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
        const joined = scores(id, traceId);
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
 * An ERROR observation's class from its status message, by keywords only: the message itself is
 * free text (it may quote a prompt) and never becomes part of the evidence.
 */
function errorClassOf(statusMessage) {
    const m = typeof statusMessage === 'string' ? statusMessage.toLowerCase() : '';
    if (/\b429\b|rate.?limit|too many requests|quota/.test(m))
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

/**
 * The scores of a window, joined to observations by observation id, else by trace id. One column
 * per record field (`score`, `scores.<name>`, `feedback`), each a Map from id to a slot in two
 * number arrays: about 100 bytes per score (mostly the id string), the one part of the Langfuse
 * source's memory that grows with traffic. Of duplicates (one call scored twice) the newest wins.
 */
class ScoreTable {
    columns = new Map();
    add(field, observationId, traceId, value, at) {
        let column = this.columns.get(field);
        if (column === undefined) {
            column = { field, byObservation: new Map(), byTrace: new Map(), values: [], times: [] };
            this.columns.set(field, column);
        }
        const onObservation = typeof observationId === 'string' && observationId !== '';
        const id = onObservation ? observationId : traceId;
        if (typeof id !== 'string' || id === '')
            return;
        const index = onObservation ? column.byObservation : column.byTrace;
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
    /** The scores of one observation (its own, else its trace's), or undefined when it has none. */
    lookup = (observationId, traceId) => {
        let out;
        for (const column of this.columns.values()) {
            const slot = column.byObservation.get(observationId) ??
                (traceId === undefined ? undefined : column.byTrace.get(traceId));
            if (slot !== undefined)
                (out ??= new Map()).set(column.field, column.values[slot]);
        }
        return out;
    };
}

/** Page size of the v2 scores endpoint (page-numbered; Langfuse's page-based endpoints take 100). */
const SCORES_PAGE = 100;
/**
 * Evidence from Langfuse: LLM calls (GENERATION observations by default) of the window, read
 * through the public API's v2 observations endpoint page by page and streamed into the same
 * EvidenceBuilder as the file source, so memory holds one page and the sketches, not the calls.
 * Scores (v2 scores endpoint) are read first and joined by observation id, else by trace id;
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
        const scores = await this.readScores(client, request.window.from);
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
        return sampler ? { ...evidence, texts: sampler.samples() } : evidence;
    }
    /** Earliest canary call within one maxDuration before `until`: a step never lasts longer. */
    async firstCanaryTime(until) {
        const sink = earliestCanarySink(until);
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
        const query = {
            fields: [...OBSERVATION_FIELDS, ...(onRecord ? ['io'] : [])].join(','),
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
    // The scores the policy maps, keyed by observation id and by trace id; the newest of duplicates.
    /**
     * Scores of the calls since `from`, created up to the time of the query (no upper bound: an
     * online evaluator scores a call after it ends, as a log line carries its score when written).
     */
    async readScores(client, from) {
        const table = new ScoreTable();
        for (const [name, field] of Object.entries(this.spec.scores)) {
            const query = {
                name,
                limit: SCORES_PAGE,
                fromTimestamp: new Date(from).toISOString(),
                environment: this.spec.environment,
                fields: 'score'
            };
            for await (const data of client.scores(query)) {
                this.scorePages++;
                for (const s of data) {
                    if (s.name !== name)
                        continue;
                    const value = scoreValue(s);
                    if (value === undefined)
                        continue;
                    const at = typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : 0;
                    table.add(field, s.observationId, s.traceId, value, at);
                }
            }
        }
        return table;
    }
}
/**
 * A score's number: NUMERIC and BOOLEAN (1 / 0) values; a CATEGORICAL one only through its
 * config's numeric mapping. TEXT and CORRECTION scores carry no number and are skipped. A
 * non-numeric value is kept as NaN so the metric counts it as invalid rather than dropping it.
 */
function scoreValue(s) {
    const type = s.dataType;
    if (type === 'TEXT' || type === 'CORRECTION')
        return undefined;
    const v = s.value;
    if (typeof v === 'number')
        return v;
    return type === 'CATEGORICAL' ? undefined : NaN;
}
/** An observation by id (or position), never by content. */
function where(o, line) {
    return `observation ${isObject(o) && typeof o.id === 'string' ? o.id.slice(0, 64) : `#${line}`}`;
}

export { LangfuseSource };
