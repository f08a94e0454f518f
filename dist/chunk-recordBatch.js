import { open } from 'node:fs/promises';
import { a0 as spanConvention, a1 as applySpanConvention, a2 as readPath, t as messageClass, u as isRequestRecord, a3 as rawKeysRead, x as hashUnit } from './chunk-records.js';
import { L as LazyText } from './chunk-textSample.js';

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
    fields;
    lines = 0;
    malformed = 0;
    /** Spans in OTLP documents, and those that were calls to a model (counted as lines). */
    spans = 0;
    calls = 0;
    onCall;
    constructor(sink, normalize, 
    /** OTLP: inherited keys, and content mapped to input/output (only when the policy has a judge). */
    spanOptions, 
    /** Notes the fields of every row (DataQuality.fields). */
    fields) {
        this.sink = sink;
        this.normalize = normalize;
        this.spanOptions = spanOptions;
        this.fields = fields;
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
        this.fields?.add(raw);
        const result = this.normalize(raw);
        if (isRequestRecord(result))
            this.sink.add(result);
        else if ('unmatchedArm' in result)
            this.sink.unmatchedArm(result.unmatchedArm);
        else {
            if (result.missing === 'arm')
                this.fields?.armless(raw);
            else if (result.missing === 'timestamp')
                this.fields?.timeless(raw);
            this.bad(lineNo, prefix === '' ? result.malformed : `${prefix}${result.malformed}`);
        }
    }
}

/** Byte ranges [start, end) of about `chunkBytes` each that cover a file of `size` bytes. */
function planChunks(size, chunkBytes) {
    const chunks = [];
    for (let start = 0; start < size; start += chunkBytes) {
        chunks.push({ start, end: Math.min(size, start + chunkBytes) });
    }
    return chunks;
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
/** The raw keys the evidence reads for this policy: segment dimensions and raw metric fields. */
function rawKeysFor(policy) {
    const keys = new Set(policy.segments?.by ?? []);
    for (const m of policy.metrics) {
        for (const key of rawKeysRead(m.from))
            keys.add(key);
        if (m.per !== undefined)
            for (const key of rawKeysRead(m.per))
                keys.add(key);
        for (const c of m.varianceReduction?.covariates ?? []) {
            // A categorical covariate is read from the raw row by its name (CovariateCollector).
            const read = c.type === 'categorical' ? [c.field] : rawKeysRead(c.field);
            for (const key of read)
                keys.add(key);
        }
    }
    return [...keys];
}
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
 * Calls `add` with each record of a batch, in the normalizer's shape, and its unit's hash (the id
 * itself stays in the worker: `unit` is undefined). The same record object (and raw row, whose
 * absent keys hold undefined) and the same key are refilled for every record, so `add` must not
 * keep them: EvidenceBuilder.add and firstCanaryTime's sink only read them. Allocating objects
 * per record here cost more than the whole rest of this loop.
 */
function forEachBatchRecord(batch, rawKeys, add) {
    const { flags, numbers, units, refs, others } = batch;
    const strings = JSON.parse(batch.strings);
    const value = (at) => at >= 0 ? strings[at] : at === -1 ? undefined : others[-2 - at];
    const raw = {};
    for (const key of rawKeys)
        raw[key] = undefined;
    const r = {
        ts: 0,
        arm: 'baseline',
        unit: undefined,
        latency_ms: undefined,
        ttft_ms: undefined,
        input_tokens: undefined,
        cache_read_tokens: undefined,
        cache_write_tokens: undefined,
        output_tokens: undefined,
        model: undefined,
        fingerprint: undefined,
        error: null,
        fallback: false,
        cost_usd: undefined,
        score: undefined,
        scores: undefined,
        feedback: undefined,
        raw
    };
    const key = { h1: 0, h2: 0 };
    const width = REFS.length + rawKeys.length;
    const count = NUMBERS.length;
    for (let i = 0; i < batch.count; i++) {
        const f = flags[i];
        const at = i * count;
        const ref = i * width;
        for (let j = 0; j < rawKeys.length; j++) {
            raw[rawKeys[j]] = value(refs[ref + REFS.length + j]);
        }
        r.ts = numbers[at];
        r.arm = f & CANARY ? 'canary' : 'baseline';
        r.latency_ms = f & 2 ? numbers[at + 1] : undefined;
        r.ttft_ms = f & 4 ? numbers[at + 2] : undefined;
        r.input_tokens = f & 8 ? numbers[at + 3] : undefined;
        r.cache_read_tokens = f & 16 ? numbers[at + 4] : undefined;
        r.cache_write_tokens = f & 32 ? numbers[at + 5] : undefined;
        r.output_tokens = f & 64 ? numbers[at + 6] : undefined;
        r.model = value(refs[ref]);
        r.fingerprint = value(refs[ref + 1]);
        r.error = value(refs[ref + 2]) ?? null;
        r.fallback = (f & FALLBACK) !== 0;
        r.cost_usd = f & 128 ? numbers[at + 7] : undefined;
        r.score = f & 256 ? numbers[at + 8] : undefined;
        r.scores = value(refs[ref + 3]);
        r.feedback = f & 512 ? numbers[at + 9] : undefined;
        if (f & UNIT) {
            key.h1 = units[2 * i];
            key.h2 = units[2 * i + 1];
            add(r, key);
        }
        else
            add(r, undefined);
    }
}

export { BAD_JSON as B, RecordBatchWriter as R, RowReader as a, rawKeysFor as b, forEachLine as c, describeBytes as d, parseJson as e, forEachBatchRecord as f, planChunks as p, readRangeRows as r, spanReadOptions as s, transferList as t };
