import { T as TOTAL_SEGMENT, g as emptyMoments, s as sumOfSquaresBound, o as bernoulliMoments, q as addCluster, l as emptyQuality, r as fromCumulative } from './chunk-records.js';
import { T as SourceError } from './chunk-base.js';
import { readFileSync } from 'node:fs';
import { M as METRIC_NAME, L as LABEL_NAME } from './chunk-engine.js';
import 'node:crypto';
import 'node:fs/promises';
import 'node:path';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:os';

/**
 * A small client of the Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/)
 * over Node's fetch: instant queries (`/api/v1/query`) and range queries (`/api/v1/query_range`),
 * POSTed form-encoded (long selectors never hit a URL length limit). Thanos, Mimir,
 * VictoriaMetrics and Grafana Cloud serve the same API.
 *
 * Retries, with exponential backoff, after a 5xx, a 429 (honouring Retry-After) or a timeout, at
 * most `retries` times. Anything else fails at once. Every failure is a SourceError that says what
 * happened and what to do; headers (which may carry secrets) are never in a message.
 */
/** Without credentials or query string: what the report may show. */
function safeUrl(url) {
    try {
        const u = new URL(url);
        return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    }
    catch {
        return '(invalid URL)';
    }
}
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
class PrometheusClient {
    opts;
    /** Queries sent (not counting retries): the benchmark's figure. */
    queries = 0;
    base;
    dispatcher;
    constructor(opts) {
        this.opts = opts;
        this.base = opts.url.replace(/\/+$/, '');
    }
    /** Request headers (secrets resolved from the environment by the source); never shown. */
    setHeaders(headers) {
        this.opts.headers = { ...headers };
    }
    /**
     * `warnings`, when given, receives the answer's `warnings` (the API returns data with warnings
     * when something did not stop the query: Thanos and Mimir report a partial response, stores that
     * did not answer, this way). The caller decides; the gate treats them as missing data.
     */
    async instant(query, timeMs, warnings) {
        const data = await this.post('/api/v1/query', { query, time: seconds(timeMs) });
        return parseResult(data, 'vector', this.where(), warnings);
    }
    async range(query, startMs, endMs, stepMs, warnings) {
        const data = await this.post('/api/v1/query_range', {
            query,
            start: seconds(startMs),
            end: seconds(endMs),
            step: seconds(stepMs)
        });
        return parseResult(data, 'matrix', this.where(), warnings);
    }
    where() {
        return `Prometheus at ${safeUrl(this.opts.url)}`;
    }
    async post(path, form) {
        this.queries++;
        const body = new URLSearchParams({
            ...form,
            timeout: `${Math.max(1, Math.floor(this.opts.timeoutMs / 1000))}s`
        }).toString();
        const backoff = this.opts.backoffMs ?? 250;
        let last = '';
        for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
            if (attempt > 0)
                await sleep(backoff * 2 ** (attempt - 1));
            let response;
            try {
                response = await fetch(`${this.base}${path}`, {
                    method: 'POST',
                    headers: {
                        ...this.opts.headers,
                        'content-type': 'application/x-www-form-urlencoded',
                        accept: 'application/json'
                    },
                    body,
                    signal: AbortSignal.timeout(this.opts.timeoutMs),
                    ...(await this.tlsOption())
                });
            }
            catch (e) {
                last = networkReason(e, this.opts.timeoutMs);
                continue;
            }
            if (response.status === 429 || response.status >= 500) {
                const text = await response.text().catch(() => '');
                last = `HTTP ${response.status}${apiError(text)}`;
                const wait = retryAfter(response.headers.get('retry-after'));
                if (wait !== undefined && attempt < this.opts.retries) {
                    if (wait > (this.opts.maxRetryAfterMs ?? 30_000)) {
                        throw new SourceError(`${this.where()} asked to retry after ${Math.round(wait / 1000)}s (${last}), longer than the gate waits; the next run will try again`);
                    }
                    await sleep(wait);
                }
                continue;
            }
            const text = await response.text().catch(() => '');
            if (!response.ok) {
                throw new SourceError(`${this.where()} refused a query with HTTP ${response.status}${apiError(text)}${response.status === 401 || response.status === 403 ? '; check source.auth and the environment variables it names' : ''}`);
            }
            try {
                return JSON.parse(text);
            }
            catch {
                throw new SourceError(`${this.where()} answered HTTP ${response.status} with something that is not JSON (${text.length} bytes); check source.url points at the Prometheus HTTP API`);
            }
        }
        throw new SourceError(`${this.where()} did not answer after ${this.opts.retries + 1} attempts (last: ${last}); check that the server is up and source.url, or raise source.timeout`);
    }
    /** A dispatcher with the TLS options, only when the policy sets them. */
    async tlsOption() {
        const tls = this.opts.tls;
        if (!tls || (!tls.insecureSkipVerify && !tls.caFile))
            return {};
        if (!this.dispatcher) {
            let ca;
            if (tls.caFile) {
                try {
                    ca = readFileSync(tls.caFile, 'utf8');
                }
                catch (e) {
                    throw new SourceError(`cannot read source.tls.caFile ${tls.caFile}: ${e.message}`);
                }
            }
            const Agent = await fetchAgentClass();
            this.dispatcher = new Agent({
                connect: { rejectUnauthorized: !tls.insecureSkipVerify, ...(ca && { ca }) }
            });
        }
        return { dispatcher: this.dispatcher };
    }
}
/**
 * The Agent class of the undici inside Node's own fetch, which is the only dispatcher that fetch
 * accepts. undici registers its global dispatcher (an Agent) under this symbol when it loads
 * (Node 18 to 24), so its class is reachable without bundling a second undici (1 MB).
 */
async function fetchAgentClass() {
    const key = Symbol.for('undici.globalDispatcher.1');
    const global = globalThis;
    if (!global[key])
        await fetch('data:,').catch(() => undefined);
    const Agent = global[key]?.constructor;
    if (typeof Agent !== 'function') {
        throw new SourceError('source.tls needs the fetch dispatcher of Node.js 18 to 24, which this Node.js does not expose; remove source.tls or run on a supported Node.js');
    }
    return Agent;
}
const seconds = (ms) => (ms / 1000).toFixed(3);
function networkReason(e, timeoutMs) {
    const err = e;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        return `no answer within ${timeoutMs} ms`;
    }
    const code = err.cause?.code;
    return code ? `${code}` : (err.cause?.message ?? err.message);
}
/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110, 10.2.3). */
function retryAfter(header) {
    if (!header)
        return undefined;
    const secs = Number(header);
    if (Number.isFinite(secs))
        return Math.max(0, secs * 1000);
    const date = Date.parse(header);
    return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
/** `: <errorType>: <error>` from an API error body, if it is one. */
function apiError(text) {
    try {
        const body = JSON.parse(text);
        if (typeof body.error === 'string') {
            return `: ${typeof body.errorType === 'string' ? `${body.errorType}: ` : ''}${body.error.slice(0, 300)}`;
        }
    }
    catch {
        // not JSON: the status says enough
    }
    return '';
}
/** Warnings kept from one answer, and characters of each: enough to name the problem. */
const MAX_WARNINGS = 3;
const MAX_WARNING_CHARS = 300;
function parseResult(body, resultType, where, warnings) {
    const garbage = (what) => new SourceError(`${where} answered with ${what}, not a Prometheus API ${resultType} result; check source.url points at the Prometheus HTTP API`);
    if (typeof body !== 'object' || body === null)
        throw garbage('a JSON value that is not an object');
    const b = body;
    if (b.status === 'error') {
        throw new SourceError(`${where} could not run a query: ${String(b.errorType)}: ${String(b.error)}`);
    }
    if (b.status !== 'success')
        throw garbage('an object without status "success"');
    const said = body.warnings;
    if (warnings && Array.isArray(said) && said.length > 0) {
        for (const w of said.slice(0, MAX_WARNINGS)) {
            warnings.push(`${where} answered with a warning: ${String(w).slice(0, MAX_WARNING_CHARS)}`);
        }
        if (said.length > MAX_WARNINGS)
            warnings.push(`${where}: ${said.length - MAX_WARNINGS} more warnings`);
    }
    const data = b.data;
    if (!data || data.resultType !== resultType || !Array.isArray(data.result)) {
        throw garbage(`resultType ${JSON.stringify(data?.resultType ?? null)}`);
    }
    const point = (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'string';
    for (const item of data.result) {
        const s = item;
        const labelsOk = typeof s.metric === 'object' && s.metric !== null;
        const ok = resultType === 'vector'
            ? point(s.value)
            : Array.isArray(s.values) && s.values.every(point);
        if (!labelsOk || !ok)
            throw garbage('a malformed series');
    }
    return data.result;
}

/**
 * Building PromQL selectors from policy text without ever pasting it in unescaped: metric and
 * label names are validated against the data model (the policy schema does it too), label values
 * are written as escaped double-quoted string literals, and values matched as a set are
 * regex-escaped (RE2) first. https://prometheus.io/docs/prometheus/latest/querying/basics/
 */
const METRIC = new RegExp(METRIC_NAME);
const LABEL = new RegExp(LABEL_NAME);
/** A PromQL double-quoted string literal of `value` (Go escapes: backslash, quote, newlines). */
function quote(value) {
    const escaped = value
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
        .replace(/\t/g, '\\t');
    return `"${escaped}"`;
}
/** RE2 metacharacters escaped, so the value matches only itself inside `=~`. */
function regexEscape(value) {
    return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
function checkMetricName(name) {
    if (!METRIC.test(name))
        throw new RangeError(`${JSON.stringify(name)} is not a metric name`);
    return name;
}
function checkLabelName(name) {
    if (!LABEL.test(name))
        throw new RangeError(`${JSON.stringify(name)} is not a label name`);
    return name;
}
/** One matcher: `label="value"`, or `label=~"^(?:a|b)$"`-style for several values (anchored by PromQL). */
function matcher(label, values) {
    checkLabelName(label);
    if (values.length === 1)
        return `${label}=${quote(values[0])}`;
    return `${label}=~${quote(values.map(regexEscape).join('|'))}`;
}
/** `name{a="x",b=~"y|z"}`: exact matchers from a mapping, plus optional multi-value ones. */
function selector(name, exact, sets = {}) {
    const parts = [
        ...Object.entries(sets).map(([label, values]) => matcher(label, values)),
        ...Object.entries(exact).map(([label, value]) => matcher(label, [value]))
    ];
    return `${checkMetricName(name)}{${parts.join(',')}}`;
}
/** A PromQL duration in milliseconds (`300000ms`): exact for any window. */
const promDuration = (ms) => `${Math.max(1, Math.round(ms))}ms`;

/** Points per query_range request; Prometheus refuses more than 11,000. */
const MAX_POINTS = 10_000;
/** How far back firstCanaryTime looks for the canary's first traffic. */
const FIRST_CANARY_LOOKBACK = 7 * 86_400_000;
const ARMS = ['baseline', 'canary'];
/**
 * Evidence from a Prometheus-compatible server. Aggregation is pushed down: per series, one
 * query_range of `sum by (<arm label>[, le]) (increase(series[bucket]))` at the policy's bucket
 * width gives every time bucket of both arms, and, when the window does not end on a bucket
 * boundary, one instant query of the same over the last partial bucket at the window's end. So a
 * metric costs 1 to 3 series (histogram buckets [+ sum [+ sum of squares]], errors + total,
 * sum + count [+ sum of squares]), each 1 or 2 queries, whatever the traffic.
 *
 * Counters become sketches: a rate's counter pair is a Bernoulli sample (n = total, x = errors);
 * a histogram keeps its buckets (quantiles are read to bucket edges, src/sketch/histogram.ts);
 * a mean from a histogram takes its variance from a sum-of-squares series or, without one, from
 * an upper bound over the buckets; a sum + count pair without one is read as batch means, one
 * cluster per time bucket. Prometheus keeps no user or session, so unitLevel is false.
 *
 * Problems with the data (no series, one arm missing, NaN, a series that stopped) go into
 * quality.problems, which block promotion and rollback alike (a hold, with the reason); counter
 * resets into quality.warnings (increase() accounts for them).
 */
class PrometheusSource {
    client;
    spec;
    policy;
    env;
    clientOptions;
    headersResolved = false;
    constructor(opts) {
        const spec = opts.policy.source;
        if (spec.type !== 'prometheus')
            throw new TypeError('PrometheusSource needs a prometheus source');
        this.spec = spec;
        this.policy = opts.policy;
        this.env = opts.env ?? {};
        this.clientOptions = opts.client ?? {};
        this.client = new PrometheusClient({
            url: spec.url,
            headers: {},
            timeoutMs: spec.timeout,
            retries: spec.retries,
            ...(spec.tls && { tls: spec.tls }),
            ...this.clientOptions
        });
    }
    describe() {
        return `prometheus ${safeUrl(this.spec.url)}`;
    }
    async firstCanaryTime(until) {
        this.resolveHeaders();
        const bucket = this.policy.bucket;
        const step = Math.max(bucket, Math.ceil(FIRST_CANARY_LOOKBACK / 2000 / 1000) * 1000);
        const requests = this.requestsSeries();
        const sel = this.selectorFor(requests.name, requests.match, ['canary']);
        const query = `min_over_time(timestamp(sum(increase(${sel}[${promDuration(step)}])) > 0)[${promDuration(FIRST_CANARY_LOOKBACK)}:${promDuration(step)}])`;
        const result = await this.client.instant(query, until);
        const value = Number(result[0]?.value[1]);
        return Number.isFinite(value) ? value * 1000 - step : undefined;
    }
    async collect(request) {
        this.resolveHeaders();
        const to = Math.min(request.window.to, request.now);
        const from = Math.min(request.window.from, to);
        const cache = new Map();
        /** The answers' `warnings` (a partial response): the data may be missing some of its part. */
        const partial = [];
        const fetch = (name, match, histogram) => {
            const key = JSON.stringify([name, match, histogram]);
            let pending = cache.get(key);
            if (!pending) {
                pending = this.fetchSeries(name, match, histogram, from, to, partial);
                cache.set(key, pending);
            }
            return pending;
        };
        const metrics = this.policy.metrics;
        const seriesOf = (m) => this.spec.series[m.name];
        const fetched = await Promise.all(metrics.map(async (m) => {
            const s = seriesOf(m);
            const get = (name, histogram = false) => name === undefined ? undefined : fetch(name, s.match, histogram);
            const [buckets, sum, count, errors, total, squares] = await Promise.all([
                get(s.histogram && `${s.histogram}_bucket`, true),
                get(s.sum ?? (s.histogram && m.kind === 'mean' ? `${s.histogram}_sum` : undefined)),
                get(s.count),
                get(s.errors),
                get(s.total),
                get(s.sumOfSquares)
            ]);
            return { buckets, sum, count, errors, total, squares };
        }));
        const requestsDef = this.requestsSeries();
        const requests = await (requestsDef.histogram
            ? fetch(requestsDef.name, requestsDef.match, true)
            : fetch(requestsDef.name, requestsDef.match, false));
        const resets = await this.resets(requestsDef, from, to, partial);
        const limitValues = await this.limitValues(to, partial);
        const quality = emptyQuality();
        const problems = [];
        const warnings = [];
        const notes = [
            this.policy.arms.assignment === 'request'
                ? 'Prometheus keeps no user or session; the arms are assigned per request (arms.assignment), so requests are independent'
                : `Prometheus keeps no user or session while the arms are assigned per user: variances are widened by ${this.policy.arms.designEffect === undefined ? 'a design effect the policy does not declare (arms.designEffect), so means, rates and quantiles cannot decide' : `the declared design effect ${this.policy.arms.designEffect}`}`
        ];
        const requestsAt = (arm, bucket) => {
            const at = requests.points[arm].get(bucket);
            return at ? Math.round(requestsDef.histogram ? countOf(at) : (at.get('') ?? 0)) : 0;
        };
        const sketches = metrics.map((m, i) => this.sketcher(m, seriesOf(m), fetched[i], notes));
        const cells = [];
        for (const arm of ARMS) {
            const buckets = new Set(requests.points[arm].keys());
            for (const f of fetched)
                for (const s of Object.values(f))
                    if (s)
                        for (const b of s.points[arm].keys())
                            buckets.add(b);
            for (const bucket of [...buckets].sort((a, b) => a - b)) {
                const cell = {
                    arm,
                    segment: TOTAL_SEGMENT,
                    bucket,
                    requests: requestsAt(arm, bucket),
                    units: 0,
                    metrics: sketches.map(sketch => sketch(arm, bucket)),
                    models: {},
                    errors: {}
                };
                quality.records += cell.requests;
                cells.push(cell);
            }
        }
        this.findProblems(fetched, requests, requestsAt, problems, warnings);
        for (const f of [requests, ...fetched.flatMap(f => Object.values(f))]) {
            if (!f)
                continue;
            for (const arm of ARMS)
                for (const les of f.points[arm].values())
                    quality.lines += les.size;
        }
        quality.lines += this.invalid.length;
        problems.push(...this.invalid.splice(0));
        problems.push(...limitValues.problems);
        if (partial.length > 0) {
            problems.push(`${[...new Set(partial)].join('; ')}: the answer may lack data (a partial response), so it is not evidence; the evaluation holds until the server answers without warnings`);
        }
        notes.push(...this.bucketsLeftOut(fetched));
        for (const [arm, count] of resets) {
            warnings.push(`${count} counter reset(s) of ${requestsDef.name} (${arm}) in the window: a process restarted; increase() accounts for them`);
        }
        return {
            source: this.describe(),
            window: { from, to },
            bucketMs: this.policy.bucket,
            metrics: metrics.map(m => m.name),
            unitLevel: false,
            aggregated: true,
            cells,
            // Error classes (rate limits, timeouts) and fallbacks are not in the policy's series.
            errorClasses: false,
            quality: withFindings(quality, problems, warnings, notes),
            ...(Object.keys(limitValues.values).length > 0 && { limitValues: limitValues.values })
        };
    }
    /** NaN or negative increases seen while reading, named for the report. */
    invalid = [];
    /** The request counter: the policy's, else the first metric's count series. */
    requestsSeries() {
        if (this.spec.requests)
            return { name: this.spec.requests, match: {}, histogram: false };
        for (const m of this.policy.metrics) {
            const s = this.spec.series[m.name];
            if (!s)
                continue;
            if (s.histogram)
                return { name: `${s.histogram}_bucket`, match: s.match, histogram: true };
            const name = s.total ?? s.count;
            if (name)
                return { name, match: s.match, histogram: false };
        }
        throw new SourceError('source.series names no counter of requests; set source.requests');
    }
    selectorFor(name, match, arms) {
        const values = arms.flatMap(a => this.policy.arms[a]);
        return selector(name, { ...this.spec.match, ...match }, { [this.policy.arms.field]: values });
    }
    /** Increase per arm and time bucket, from query_range plus an instant query for a partial tail. */
    async fetchSeries(name, match, histogram, from, to, partial) {
        const bucket = this.policy.bucket;
        const sel = this.selectorFor(name, match, ARMS);
        const by = histogram ? `${this.policy.arms.field}, le` : this.policy.arms.field;
        const expr = (range) => `sum by (${by}) (increase(${sel}[${promDuration(range)}]))`;
        const points = { baseline: new Map(), canary: new Map() };
        const full = Math.floor((to - from) / bucket);
        const queries = [];
        for (let k = 0; k < full; k += MAX_POINTS) {
            const first = from + (k + 1) * bucket;
            const last = from + Math.min(full, k + MAX_POINTS) * bucket;
            queries.push(this.client.range(expr(bucket), first, last, bucket, partial).then(series => {
                for (const s of series)
                    for (const [t, v] of s.values)
                        this.put(points, name, s.metric, t * 1000 - bucket, v);
            }));
        }
        const tailStart = from + full * bucket;
        if (to > tailStart) {
            queries.push(this.client.instant(expr(to - tailStart), to, partial).then(samples => {
                for (const s of samples)
                    this.put(points, name, s.metric, tailStart, s.value[1]);
            }));
        }
        await Promise.all(queries);
        return { name, points };
    }
    put(points, name, labels, bucket, raw) {
        const label = labels[this.policy.arms.field];
        const arm = label === undefined
            ? undefined
            : this.policy.arms.canary.includes(label)
                ? 'canary'
                : this.policy.arms.baseline.includes(label)
                    ? 'baseline'
                    : undefined;
        if (!arm)
            return;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0) {
            if (this.invalid.length < 10) {
                this.invalid.push(`${name} (${arm}) has value ${raw} for the bucket at ${new Date(bucket).toISOString()}: not a count; check the series`);
            }
            return;
        }
        let les = points[arm].get(bucket);
        if (!les)
            points[arm].set(bucket, (les = new Map()));
        const le = labels.le ?? '';
        les.set(le, (les.get(le) ?? 0) + value);
    }
    /**
     * Each `limitQuery` at the window's end, with `$canary` replaced by the escaped canary matchers
     * (and source.match, and the series' match). One number per metric, or a problem that holds.
     */
    async limitValues(to, partial) {
        const values = {};
        const problems = [];
        await Promise.all(this.policy.metrics.map(async (m) => {
            const s = this.spec.series[m.name];
            if (!s?.limitQuery)
                return;
            const inner = selector('x', { ...this.spec.match, ...s.match }, {
                [this.policy.arms.field]: this.policy.arms.canary
            }).slice(2, -1);
            const query = s.limitQuery.split('$canary').join(inner);
            try {
                const result = await this.client.instant(query, to, partial);
                const value = Number(result[0]?.value[1]) * s.scale;
                if (result.length !== 1) {
                    problems.push(`limitQuery of ${m.name} returned ${result.length} series, not one; aggregate it (e.g. sum(...))`);
                }
                else if (!Number.isFinite(value)) {
                    problems.push(`limitQuery of ${m.name} returned ${result[0]?.value[1]}, not a number`);
                }
                else {
                    values[m.name] = value;
                }
            }
            catch (e) {
                if (!(e instanceof SourceError))
                    throw e;
                problems.push(`limitQuery of ${m.name}: ${e.message}`);
            }
        }));
        return { values, problems };
    }
    /** Counter resets of the request counter per arm over the window: one instant query. */
    async resets(def, from, to, partial) {
        if (to <= from)
            return [];
        const base = def.histogram ? def.name.replace(/_bucket$/, '_count') : def.name;
        const sel = this.selectorFor(base, def.match, ARMS);
        const query = `sum by (${this.policy.arms.field}) (resets(${sel}[${promDuration(to - from)}]))`;
        const result = await this.client.instant(query, to, partial);
        const out = [];
        for (const s of result) {
            const label = s.metric[this.policy.arms.field] ?? '';
            const arm = this.policy.arms.canary.includes(label) ? 'canary' : 'baseline';
            const n = Number(s.value[1]);
            if (n > 0)
                out.push([arm, n]);
        }
        return out;
    }
    /** Returns (arm, bucket) -> the metric's sketch in that cell. */
    sketcher(m, s, f, notes) {
        const scale = s.scale;
        const value = (x, arm, bucket) => x?.points[arm].get(bucket)?.get('');
        if (s.histogram && f.buckets) {
            const buckets = f.buckets;
            const bounds = boundsOf(buckets).map(b => b * scale);
            if (m.kind === 'mean') {
                notes.push(s.sumOfSquares
                    ? `${m.name}: variance from ${s.sumOfSquares}`
                    : `${m.name}: variance bounded from the histogram buckets of ${s.histogram} (each value at its bucket's upper edge): conservative, wider than the data's`);
            }
            else {
                notes.push(`${m.name}: quantiles from the buckets of ${s.histogram} (${bounds.length} bounds), intervals widened to the bucket edges`);
            }
            return (arm, bucket) => {
                const les = buckets.points[arm].get(bucket);
                if (!les)
                    return { moments: emptyMoments(), requests: 0 };
                const histogram = histogramOf(les, scale);
                const n = histogram.counts.reduce((a, c) => a + c, 0);
                const sketch = { moments: emptyMoments(), requests: n, histogram };
                if (m.kind === 'mean') {
                    const summed = value(f.sum, arm, bucket);
                    // No point of the sum where there are counts: unknown, not 0 (the bucket is left out).
                    if (summed === undefined && n > 0)
                        return { moments: emptyMoments(), requests: 0 };
                    const sum = (summed ?? 0) * scale;
                    const squares = value(f.squares, arm, bucket);
                    const sxx = squares !== undefined ? squares * scale * scale : sumOfSquaresBound(histogram, sum);
                    sketch.moments = { n, sx: sum, sy: n, syy: n, sxy: sum, sxx };
                }
                return sketch;
            };
        }
        if (m.kind === 'rate') {
            const zero = s.absentErrors === 'zero';
            return (arm, bucket) => {
                const total = value(f.total, arm, bucket);
                const errors = value(f.errors, arm, bucket);
                // An absent errors point is unknown, not 0, unless the policy says the counter is lazy.
                if (total !== undefined && total > 0 && errors === undefined && !zero) {
                    return { moments: emptyMoments(), requests: 0 };
                }
                const n = Math.round(total ?? 0);
                const e = Math.min(n, Math.round(errors ?? 0));
                return { moments: bernoulliMoments(e, n), requests: n, requestSquares: e };
            };
        }
        notes.push(s.sumOfSquares
            ? `${m.name}: variance from ${s.sumOfSquares}`
            : `${m.name}: variance from batch means (one cluster per ${promDuration(this.policy.bucket)} time bucket of ${s.sum} / ${s.count}); name a sumOfSquares series for a per-request variance`);
        return (arm, bucket) => {
            const c = value(f.count, arm, bucket) ?? 0;
            const summed = value(f.sum, arm, bucket);
            // No point of the sum where there are counts: unknown, not 0 (the bucket is left out).
            if (summed === undefined && c > 0)
                return { moments: emptyMoments(), requests: 0 };
            const x = (summed ?? 0) * scale;
            const squares = value(f.squares, arm, bucket);
            const n = Math.round(c);
            if (squares !== undefined) {
                return {
                    moments: { n, sx: x, sy: c, syy: c, sxy: x, sxx: squares * scale * scale },
                    requests: n
                };
            }
            const moments = emptyMoments();
            if (c > 0)
                addCluster(moments, x, c);
            return { moments, requests: n };
        };
    }
    /**
     * No series, one arm missing, a series that stopped: each named, each holds. An absent series
     * is unknown, never 0. The exception is an error counter the policy declares lazy
     * (`absentErrors: zero`: client libraries create a labelled counter at its first increment), so
     * an arm with no errors has no series: it counts as 0 (a warning) when the other arm has one.
     */
    findProblems(fetched, requests, requestsAt, problems, warnings) {
        const label = this.policy.arms.field;
        const seen = new Set();
        const errorCounters = new Set(fetched.flatMap((f, i) => {
            const spec = this.metricSeries(i);
            return spec?.absentErrors === 'zero' && f.errors ? [f.errors.name] : [];
        }));
        const lastRequest = (arm) => latest([...requests.points[arm].keys()].filter(b => requestsAt(arm, b) > 0));
        const values = (arm) => `${label} in [${this.policy.arms[arm].join(', ')}]`;
        for (const f of [requests, ...fetched.flatMap(x => Object.values(x))]) {
            if (!f || seen.has(f.name))
                continue;
            seen.add(f.name);
            const present = ARMS.filter(a => f.points[a].size > 0);
            if (present.length === 0) {
                problems.push(`no data for ${f.name} with ${label} in [${[...this.policy.arms.baseline, ...this.policy.arms.canary].join(', ')}] in the window: check the series name, the arm label and source.match`);
                continue;
            }
            const lazy = errorCounters.has(f.name);
            for (const arm of ARMS) {
                if (!present.includes(arm)) {
                    if (lazy) {
                        warnings.push(`${f.name} has no series for the ${arm} arm (${values(arm)}): counted as 0 errors (absentErrors: zero, a labelled counter appears at its first increment)`);
                    }
                    else {
                        const hint = this.isErrorsSeries(f.name)
                            ? "; an absent series is unknown, not 0: if this counter is only created at its first error, say so with the series' absentErrors: zero"
                            : '';
                        problems.push(`${f.name} has no data for the ${arm} arm (${values(arm)}) in the window${hint}`);
                    }
                    continue;
                }
                if (f === requests || lazy)
                    continue;
                const last = latest(f.points[arm].keys());
                const expected = lastRequest(arm);
                if (expected - last > this.policy.bucket) {
                    problems.push(`${f.name} (${arm}) stopped: no data after ${new Date(last + this.policy.bucket).toISOString()}, while requests continue until ${new Date(expected + this.policy.bucket).toISOString()}`);
                }
            }
        }
    }
    /**
     * Rates whose errors series has no point in some time buckets with requests (the series started
     * late, a scrape was missed): those buckets are left out of the metric, not read as 0 errors.
     */
    bucketsLeftOut(fetched) {
        const notes = [];
        fetched.forEach((f, i) => {
            const m = this.policy.metrics[i];
            const spec = this.metricSeries(i);
            if (m?.kind !== 'rate' || spec?.absentErrors === 'zero' || !f.errors || !f.total)
                return;
            for (const arm of ARMS) {
                const errors = f.errors.points[arm];
                if (errors.size === 0)
                    continue; // no series at all: a problem (findProblems)
                let missing = 0;
                for (const [bucket, les] of f.total.points[arm]) {
                    if ((les.get('') ?? 0) > 0 && errors.get(bucket)?.get('') === undefined)
                        missing++;
                }
                if (missing > 0) {
                    notes.push(`${m.name}: ${missing} time bucket(s) with ${arm} requests but no point of ${f.errors.name} left out (an absent series is unknown, not 0 errors; set absentErrors: zero if the counter is created at its first error)`);
                }
            }
        });
        return notes;
    }
    /** The series of the policy's i-th metric. */
    metricSeries(i) {
        const m = this.policy.metrics[i];
        return m && this.spec.series[m.name];
    }
    isErrorsSeries(name) {
        return Object.values(this.spec.series).some(s => s.errors === name);
    }
    /** Secrets from the environment into the client's headers; a missing variable is a SourceError. */
    resolveHeaders() {
        if (this.headersResolved)
            return;
        const spec = this.spec;
        const read = (name, key) => {
            const v = this.env[name];
            if (v === undefined || v === '') {
                throw new SourceError(`environment variable ${name} (${key}) is not set; set it to the secret, or change the policy`);
            }
            return v;
        };
        const headers = { ...spec.headers };
        for (const [header, envName] of Object.entries(spec.headersFromEnv)) {
            headers[header] = read(envName, `source.headersFromEnv.${header}`);
        }
        if (spec.auth?.bearerTokenEnv) {
            headers.authorization = `Bearer ${read(spec.auth.bearerTokenEnv, 'source.auth.bearerTokenEnv')}`;
        }
        else if (spec.auth?.basic) {
            const password = read(spec.auth.basic.passwordEnv, 'source.auth.basic.passwordEnv');
            headers.authorization = `Basic ${Buffer.from(`${spec.auth.basic.user}:${password}`).toString('base64')}`;
        }
        this.client.setHeaders(headers);
        this.headersResolved = true;
    }
}
/** The largest of some bucket starts, -Infinity for none (no spread: there may be 10,000s). */
function latest(buckets) {
    let max = -Infinity;
    for (const b of buckets)
        if (b > max)
            max = b;
    return max;
}
/** The finite `le` bounds seen anywhere in a histogram's points, ascending. */
function boundsOf(f) {
    const bounds = new Set();
    for (const arm of ARMS)
        for (const les of f.points[arm].values())
            for (const le of les.keys()) {
                const b = Number(le);
                if (Number.isFinite(b))
                    bounds.add(b);
            }
    return [...bounds].sort((a, b) => a - b);
}
/** The +Inf count of a histogram's `le` map (the largest cumulative count if +Inf is missing). */
function countOf(les) {
    return les.get('+Inf') ?? Math.max(0, ...les.values());
}
/** Per-bucket counts (rounded: events are whole), bounds scaled. */
function histogramOf(les, scale) {
    const entries = [...les.entries()]
        .map(([le, v]) => [Number(le), v])
        .filter(([le]) => !Number.isNaN(le))
        .sort((a, b) => a[0] - b[0]);
    const finite = entries.filter(([le]) => Number.isFinite(le));
    const cumulative = [...finite.map(([, v]) => Math.round(v)), Math.round(countOf(les))];
    return fromCumulative(finite.map(([le]) => le * scale), cumulative);
}
function withFindings(quality, problems, warnings, notes) {
    return {
        ...quality,
        ...(problems.length > 0 && { problems }),
        ...(warnings.length > 0 && { warnings }),
        ...(notes.length > 0 && { notes })
    };
}

export { PrometheusSource };
