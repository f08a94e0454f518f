import { A as MemoryStateStore, e as evaluate } from './chunk-engine.js';
import { u as unavailableJudge } from './chunk-run2.js';
import { tmpdir } from 'node:os';
import { U as UsageError } from './chunk-base.js';
import { w as compileMetricValue, x as hashUnit, y as dimensionValue, E as EvidenceBuilder, F as FieldCatalog, g as emptyMoments, Q as QuantileSketch, z as emitCell, A as copyCacheSums, U as UnitIndex, I as IntMap, B as UnitRankBins, C as UnitBins, G as unitHalf, v as fmix32, J as countCappedMap, K as OTHER_KEY, M as MAX_ERROR_CLASSES, L as growUnit, q as addCluster, T as TOTAL_SEGMENT, P as CellCounts, j as OTHER_MODELS, R as MAX_MODEL_KEYS, S as addCacheRequest, W as emptyCacheSums, X as MAX_SEGMENTS_PER_ARM, O as OTHER_SEGMENT, Y as MetricCell, Z as coarseBin, _ as growCluster, $ as MAX_INVALID_KEYS } from './chunk-records.js';
import { rmSync, mkdtempSync, openSync, writeSync, closeSync, readSync } from 'node:fs';
import { join } from 'node:path';

async function backtest(opts) {
    const { policy } = opts;
    const store = new MemoryStateStore(`backtest of ${policy.rollout.name}`);
    const judge = policy.judge
        ? unavailableJudge(policy.judge, 'the judge does not run in a backtest (it would grade past traffic with live model calls); its metric has no values')
        : undefined;
    const looks = [];
    let after = 0;
    for (const [i, now] of opts.looks.entries()) {
        // The step this look evaluates began when the carried state says (before the first save: as
        // evaluate() starts it, at --since or the earliest canary record).
        const before = await store.load();
        const stepStartedAt = before
            ? Date.parse(before.stepStartedAt)
            : (opts.since ?? (await opts.source.firstCanaryTime(now)) ?? now);
        const outcome = await evaluate({
            policy,
            policyHash: opts.policyHash,
            source: opts.source,
            store,
            now,
            replay: true,
            ...(opts.decisionOnly && { decisionOnly: true }),
            ...(opts.since !== undefined && { since: opts.since }),
            ...(judge && { judge })
        });
        looks.push(lookOf(outcome.record, outcome.state, now, stepStartedAt));
        if (outcome.state.status === 'complete' || outcome.state.status === 'rolled-back') {
            after = opts.looks.length - i - 1;
            break;
        }
    }
    return { rollout: policy.rollout.name, looks, steps: stepsOf(looks), after };
}
function lookOf(record, state, at, stepStartedAt) {
    const gating = record.metrics.filter(m => m.mode !== 'report');
    const window = record.window
        ? { from: Date.parse(record.window.from), to: Date.parse(record.window.to) }
        : null;
    const look = {
        at,
        stepStartedAt,
        decision: record.decision,
        step: record.step,
        next: record.next,
        status: state.status,
        window,
        arms: { baseline: record.arms.baseline.n, canary: record.arms.canary.n },
        metrics: gating.map(m => ({
            name: m.name,
            verdict: m.verdict,
            estimate: m.delta.estimate,
            lower: m.delta.lower,
            upper: m.delta.upper,
            tolerance: m.tolerance,
            relative: m.delta.relative
        })),
        blocks: record.checks.filter(c => c.status === 'block').map(c => c.name),
        reasons: record.reasons,
        record
    };
    const binding = bindingOf(record.decision, gating, record.checks, record.reasons);
    if (binding)
        look.binding = binding;
    return look;
}
/**
 * The metric the decision turned on: for a rollback the first failing gating metric; for a hold
 * a blocking check first (it overrides the metrics), else the undecided metric that needs the
 * most traffic; for a promotion the metric that passed with the least room under its tolerance.
 */
function bindingOf(decision, gating, checks, reasons) {
    if (decision === 'rollback') {
        const failed = gating.find(m => m.verdict === 'fail' || m.limit?.breached);
        if (failed)
            return { kind: 'metric', metric: failed.name };
        const check = checks.find(c => c.status === 'block' && c.rollsBack);
        if (check)
            return { kind: 'check', check: check.name, detail: check.detail };
        return { kind: 'time', detail: reasons[0] ?? '' };
    }
    if (decision === 'hold') {
        const block = checks.find(c => c.status === 'block' && c.name !== 'sample-size');
        if (block)
            return { kind: 'check', check: block.name, detail: block.detail };
        const open = gating.filter(m => m.verdict !== 'pass');
        if (open.length === 0) {
            return reasons.length > 0 ? { kind: 'time', detail: reasons.at(-1) ?? '' } : undefined;
        }
        const need = (m) => m.needed?.samples ?? Infinity;
        const slowest = open.reduce((a, b) => (need(b) > need(a) ? b : a));
        return { kind: 'metric', metric: slowest.name };
    }
    if (gating.length === 0)
        return undefined;
    const room = (m) => Math.abs(m.tolerance) - harmUpper(m);
    const tightest = gating.reduce((a, b) => (room(b) < room(a) ? b : a));
    return { kind: 'metric', metric: tightest.name };
}
/** The interval's worst end in the metric's "worse" direction (as a positive harm). */
function harmUpper(m) {
    return m.tolerance >= 0 ? m.delta.upper : -m.delta.lower;
}
/** The steps the looks went through, with when and how each ended. */
function stepsOf(looks) {
    const steps = [];
    let current;
    for (const look of looks) {
        if (!current || current.index !== look.step.index || current.endedAt !== undefined) {
            current = {
                index: look.step.index,
                weight: look.step.weight,
                startedAt: look.stepStartedAt,
                outcome: 'still running',
                looks: 0,
                reason: ''
            };
            steps.push(current);
        }
        current.looks++;
        current.reason = look.reasons[0] ?? '';
        if (look.decision === 'promote' && look.next.index !== look.step.index) {
            current.endedAt = look.at;
            current.outcome = 'promoted';
        }
        else if (look.decision === 'promote' && look.status === 'complete') {
            current.endedAt = look.at;
            current.outcome = 'completed';
        }
        else if (look.decision === 'rollback') {
            current.endedAt = look.at;
            current.outcome = 'rolled back';
        }
    }
    return steps;
}

/**
 * A request record reduced to what the evidence of any window needs, as one fixed-size binary
 * row: `backtest` and `plan` read the logs once into rows (rowStore.ts) and build the evidence of
 * every look from them (windowEvidence.ts), so no look reads a file again and memory holds rows
 * in a bounded buffer, never record objects.
 *
 * A row holds what EvidenceBuilder.add reads of a record: the time, the arm, the unit's 64-bit
 * hash, the segment key, the served model key, the error class, the fallback flag, each metric's
 * value (or the key of the invalid value it had), and the fields of the prompt-cache sums
 * (tokens, latency, time to first token, billed cost), each with a flag saying it was present.
 * Strings (segment keys, model keys, error classes, invalid-value keys) are interned: the row
 * holds their number.
 *
 * Layout (byte offsets; `f64` fields 8-aligned):
 *   0 ts f64 | 8 flags i32 | 12 h1 i32 | 16 h2 i32 | 20 segment i32 | 24 model key i32 |
 *   28 error i32 | 32.. one status byte per metric (0 none, 1 value, 2 + k: invalid key k) |
 *   then per metric x f64 (and y f64 for a ratio) | then the cache fields, f64 each.
 */
const F_CANARY = 1;
const F_UNIT = 2;
const F_FALLBACK = 4;
/** Cache fields present: bit CACHE_FLAG << i for CACHE_FIELDS[i]. */
const CACHE_FLAG = 8;
/** The record fields the prompt-cache sums read (sketch/cacheSums.ts, records/pricing.ts). */
const CACHE_FIELDS = [
    'input_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'output_tokens',
    'latency_ms',
    'ttft_ms',
    'cost_usd'
];
/** Index of `input_tokens` in CACHE_FIELDS: its presence decides whether a row has cache sums. */
const INPUT_TOKENS = 0;
const VALUE_STATUS = 1;
const INVALID_BASE = 2;
/** Distinct invalid-value keys a row can name; later ones share the last key. */
const MAX_INVALID_IDS = 255 - INVALID_BASE;
/** Strings to small integers and back; past `cap` distinct strings, every new one gets `overflow`. */
class Interner {
    cap;
    overflow;
    ids = new Map();
    values = [];
    constructor(cap, 
    /** The string the ids past the cap stand for. */
    overflow) {
        this.cap = cap;
        this.overflow = overflow;
    }
    id(value) {
        const known = this.ids.get(value);
        if (known !== undefined)
            return known;
        if (this.values.length >= this.cap && value !== this.overflow)
            return this.id(this.overflow);
        const id = this.values.length;
        this.ids.set(value, id);
        this.values.push(value);
        return id;
    }
    value(id) {
        return this.values[id];
    }
    /** True once new strings get the overflow id. */
    get full() {
        return this.values.length >= this.cap;
    }
}
/** Byte offsets of a policy's row fields, and the row size. */
class RowLayout {
    static TS = 0;
    static FLAGS = 8;
    static H1 = 12;
    static H2 = 16;
    static SEGMENT = 20;
    static MODEL = 24;
    static ERROR = 28;
    static STATUS = 32;
    /** Number of metrics (policy order). */
    metrics;
    ratio;
    /** Byte offset of metric i's x, and of its y (-1: y = 1). */
    xAt;
    yAt;
    /** Byte offset of CACHE_FIELDS[0]; field i is 8 i further. */
    cacheAt;
    /** Bytes per row, a multiple of 8. */
    stride;
    constructor(policy) {
        this.metrics = policy.metrics.length;
        this.ratio = policy.metrics.map(m => m.kind === 'ratio');
        let at = align8(RowLayout.STATUS + this.metrics);
        this.xAt = new Int32Array(this.metrics);
        this.yAt = new Int32Array(this.metrics).fill(-1);
        for (let i = 0; i < this.metrics; i++) {
            this.xAt[i] = at;
            at += 8;
            if (this.ratio[i]) {
                this.yAt[i] = at;
                at += 8;
            }
        }
        this.cacheAt = at;
        this.stride = at + 8 * CACHE_FIELDS.length;
    }
}
const align8 = (n) => Math.ceil(n / 8) * 8;
function rowBuffer(bytes) {
    const buffer = new ArrayBuffer(bytes);
    return {
        bytes: new Uint8Array(buffer),
        f64: new Float64Array(buffer),
        i32: new Int32Array(buffer)
    };
}
/** Reads the fields of the row at byte offset `at` of `b` (the accumulators' one way in). */
class RowReader {
    layout;
    constructor(layout) {
        this.layout = layout;
    }
    ts(b, at) {
        return b.f64[at / 8];
    }
    flags(b, at) {
        return b.i32[(at + RowLayout.FLAGS) / 4];
    }
    int(b, at, field) {
        return b.i32[(at + field) / 4];
    }
    status(b, at, metric) {
        return b.bytes[at + RowLayout.STATUS + metric];
    }
    x(b, at, metric) {
        return b.f64[(at + this.layout.xAt[metric]) / 8];
    }
    /** y of a ratio metric, else 1. */
    y(b, at, metric) {
        const y0 = this.layout.yAt[metric];
        return y0 < 0 ? 1 : b.f64[(at + y0) / 8];
    }
    /** CACHE_FIELDS[field], or undefined when the record did not have it. */
    cache(b, at, field) {
        if ((this.flags(b, at) & (CACHE_FLAG << field)) === 0)
            return undefined;
        return b.f64[(at + this.layout.cacheAt + 8 * field) / 8];
    }
}
/** The invalid-value key index a status byte names, or -1 when it is a value or none. */
const invalidKeyOf = (status) => status >= INVALID_BASE ? status - INVALID_BASE : -1;
/**
 * Writes records as rows: reads each metric's value with the evaluation's own readers
 * (records/fields.ts) and the segment key as EvidenceBuilder does, and interns the strings.
 */
class RowEncoder {
    layout;
    reader;
    /** Segment keys, `dim=value|dim=value` in the policy's `segments.by` order. */
    segments = new Interner(10_000, '(other)');
    /** `model` or `model#fingerprint`, as Cell.models counts them; `modelOf` has the model alone. */
    modelKeys = new Interner(1_000, 'other');
    modelOf = [];
    errors = new Interner(1_000, '(other)');
    invalidKeys = new Interner(MAX_INVALID_IDS, '(other)');
    /** Smallest and largest valid value of each metric (to tell bounded scores; plan.ts). */
    min;
    max;
    readers;
    dimensions;
    unitKey = { h1: 0, h2: 0 };
    constructor(policy) {
        this.layout = new RowLayout(policy);
        this.reader = new RowReader(this.layout);
        this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing));
        this.dimensions = policy.segments?.by ?? [];
        this.min = new Float64Array(this.layout.metrics).fill(Infinity);
        this.max = new Float64Array(this.layout.metrics).fill(-Infinity);
    }
    /** Writes `r` at byte offset `at` of `b`. `unit`: the unit's hash when a worker computed it. */
    encode(r, unit, b, at) {
        const { layout } = this;
        b.bytes.fill(0, at, at + layout.stride);
        b.f64[at / 8] = r.ts;
        let flags = r.arm === 'canary' ? F_CANARY : 0;
        const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey));
        if (key !== undefined) {
            flags |= F_UNIT;
            b.i32[(at + RowLayout.H1) / 4] = key.h1;
            b.i32[(at + RowLayout.H2) / 4] = key.h2;
        }
        if (r.fallback)
            flags |= F_FALLBACK;
        b.i32[(at + RowLayout.SEGMENT) / 4] = this.dimensions.length > 0 ? this.segmentId(r.raw) : -1;
        b.i32[(at + RowLayout.MODEL) / 4] =
            r.model === undefined ? -1 : this.modelKeyId(r.model, r.fingerprint);
        b.i32[(at + RowLayout.ERROR) / 4] = r.error === null ? -1 : this.errors.id(r.error);
        for (let i = 0; i < layout.metrics; i++) {
            const v = this.readers[i](r);
            if (v === undefined)
                continue;
            if ('invalid' in v) {
                b.bytes[at + RowLayout.STATUS + i] = INVALID_BASE + this.invalidKeys.id(v.invalid);
                continue;
            }
            b.bytes[at + RowLayout.STATUS + i] = VALUE_STATUS;
            b.f64[(at + layout.xAt[i]) / 8] = v.x;
            const y0 = layout.yAt[i];
            if (y0 >= 0)
                b.f64[(at + y0) / 8] = v.y;
            if (v.x < this.min[i])
                this.min[i] = v.x;
            if (v.x > this.max[i])
                this.max[i] = v.x;
        }
        for (let f = 0; f < CACHE_FIELDS.length; f++) {
            const value = r[CACHE_FIELDS[f]];
            if (value === undefined)
                continue;
            flags |= CACHE_FLAG << f;
            b.f64[(at + layout.cacheAt + 8 * f) / 8] = value;
        }
        b.i32[(at + RowLayout.FLAGS) / 4] = flags;
    }
    /** Segment key ids by dimension value, one level per dimension: no string built per record. */
    segmentTrie = new Map();
    segmentId(raw) {
        const dims = this.dimensions;
        let node = this.segmentTrie;
        for (let d = 0; d < dims.length - 1; d++) {
            const value = dimensionValue(raw[dims[d]]);
            let next = node.get(value);
            if (!next)
                node.set(value, (next = new Map()));
            node = next;
        }
        const value = dimensionValue(raw[dims[dims.length - 1]]);
        let id = node.get(value);
        if (id === undefined) {
            const key = dims.map(d => `${d}=${dimensionValue(raw[d])}`).join('|');
            id = this.segments.id(key);
            // Past the cap every new key is the overflow: remembering them would grow without bound.
            if (!this.segments.full)
                node.set(value, id);
        }
        return id;
    }
    lastModel;
    lastFingerprint;
    lastModelId = -1;
    modelKeyId(model, fingerprint) {
        if (model === this.lastModel && fingerprint === this.lastFingerprint)
            return this.lastModelId;
        const id = this.modelKeys.id(fingerprint === undefined ? model : `${model}#${fingerprint}`);
        this.modelOf[id] ??= model;
        this.lastModel = model;
        this.lastFingerprint = fingerprint;
        this.lastModelId = id;
        return id;
    }
}

const BLOCK_ROWS = 8192;
/** Rows read at a time from a spilled run. */
const READ_ROWS = 2048;
const DEFAULT_MEMORY_BYTES = 64 << 20;
class RowStore {
    stride;
    memoryBytes;
    tempRoot;
    tempDir;
    blocks = [];
    count = 0;
    spilled = [];
    last;
    open = new Set();
    /** Rows appended, in every run. */
    total = 0;
    constructor(stride, options) {
        this.stride = stride;
        this.memoryBytes = Math.max(stride * BLOCK_ROWS, options.memoryBytes ?? DEFAULT_MEMORY_BYTES);
        this.tempRoot = options.tempDir;
    }
    /** Room for one more row: encode it into `buffer` at byte offset `at`. */
    append() {
        if (this.last)
            throw new Error('RowStore.append after finish()');
        if (this.count * this.stride >= this.memoryBytes)
            this.spill();
        const block = Math.floor(this.count / BLOCK_ROWS);
        const buffer = (this.blocks[block] ??= rowBuffer(BLOCK_ROWS * this.stride));
        const at = (this.count % BLOCK_ROWS) * this.stride;
        this.count++;
        this.total++;
        return { buffer, at };
    }
    /** Runs written to disk so far (for tests and the report). */
    get runsOnDisk() {
        return this.spilled.length;
    }
    /** No more rows: the last run is sorted and kept in memory. */
    finish() {
        if (this.last)
            return;
        this.last = { blocks: this.blocks, rows: this.count, order: this.sortOrder() };
        this.blocks = [];
        this.count = 0;
    }
    /** The rows with ts >= from, in time order (rows with equal times in the order appended). */
    cursor(from = -Infinity) {
        this.finish();
        const runs = this.spilled.map(s => new DiskRun(s.path, s.rows, this.stride));
        const last = this.last;
        if (last.rows > 0)
            runs.push(new MemoryRun(last.blocks, last.rows, last.order, this.stride));
        for (const run of runs) {
            run.seek(from);
            this.open.add(run);
        }
        return runs.length === 1 ? runs[0] : new Merge(runs);
    }
    /** Closes every cursor's files and removes the spilled runs. */
    close() {
        for (const run of this.open)
            run.close();
        this.open.clear();
        if (this.tempDir)
            rmSync(this.tempDir, { recursive: true, force: true });
        this.tempDir = undefined;
    }
    /** The current run's rows in time order (stable), or undefined when they already are. */
    sortOrder() {
        const n = this.count;
        const ts = new Float64Array(n);
        let sorted = true;
        for (let i = 0; i < n; i++) {
            const block = this.blocks[Math.floor(i / BLOCK_ROWS)];
            ts[i] = block.f64[((i % BLOCK_ROWS) * this.stride) / 8];
            if (i > 0 && ts[i] < ts[i - 1])
                sorted = false;
        }
        return sorted ? undefined : stableOrder(ts);
    }
    /** Sorts the rows in memory and writes them to a new run file. */
    spill() {
        const order = this.sortOrder();
        this.tempDir ??= mkdtempSync(join(this.tempRoot, 'rollout-gate-rows-'));
        const path = join(this.tempDir, `run-${this.spilled.length}.bin`);
        const fd = openSync(path, 'w');
        try {
            const out = new Uint8Array(BLOCK_ROWS * this.stride);
            for (let start = 0; start < this.count; start += BLOCK_ROWS) {
                const end = Math.min(this.count, start + BLOCK_ROWS);
                for (let i = start; i < end; i++) {
                    const row = order ? order[i] : i;
                    const block = this.blocks[Math.floor(row / BLOCK_ROWS)];
                    const from = (row % BLOCK_ROWS) * this.stride;
                    out.set(block.bytes.subarray(from, from + this.stride), (i - start) * this.stride);
                }
                writeSync(fd, out, 0, (end - start) * this.stride);
            }
        }
        finally {
            closeSync(fd);
        }
        this.spilled.push({ path, rows: this.count });
        this.count = 0;
    }
}
/**
 * The permutation that sorts `ts` stably. Integer times (epoch ms) over a range r with r * n <
 * 2^53 are packed with their index into one float64, (t - min) * n + i, which the engine's own
 * numeric sort orders exactly; anything else falls back to a comparison sort.
 */
function stableOrder(ts) {
    const n = ts.length;
    let min = Infinity;
    let max = -Infinity;
    let integers = true;
    for (let i = 0; i < n; i++) {
        const t = ts[i];
        if (t < min)
            min = t;
        if (t > max)
            max = t;
        if (!Number.isInteger(t))
            integers = false;
    }
    const order = new Uint32Array(n);
    if (integers && (max - min + 1) * n < 2 ** 53) {
        const keys = new Float64Array(n);
        for (let i = 0; i < n; i++)
            keys[i] = (ts[i] - min) * n + i;
        keys.sort();
        for (let i = 0; i < n; i++) {
            const k = keys[i];
            order[i] = k - Math.floor(k / n) * n;
        }
        return order;
    }
    for (let i = 0; i < n; i++)
        order[i] = i;
    order.sort((a, b) => ts[a] - ts[b] || a - b);
    return order;
}
/** The last run, in memory: its blocks through the sort order. */
class MemoryRun {
    blocks;
    rows;
    order;
    stride;
    valid = false;
    ts = 0;
    buffer;
    at = 0;
    index = 0;
    constructor(blocks, rows, order, stride) {
        this.blocks = blocks;
        this.rows = rows;
        this.order = order;
        this.stride = stride;
        this.buffer = blocks[0];
    }
    seek(from) {
        // The first index whose row is at or after `from`.
        let lo = 0;
        let hi = this.rows;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.tsAt(mid) < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        this.index = lo;
        this.load();
    }
    advance() {
        this.index++;
        this.load();
    }
    close() { }
    row(index) {
        return this.order ? this.order[index] : index;
    }
    tsAt(index) {
        const row = this.row(index);
        const block = this.blocks[Math.floor(row / BLOCK_ROWS)];
        return block.f64[((row % BLOCK_ROWS) * this.stride) / 8];
    }
    load() {
        this.valid = this.index < this.rows;
        if (!this.valid)
            return;
        const row = this.row(this.index);
        this.buffer = this.blocks[Math.floor(row / BLOCK_ROWS)];
        this.at = (row % BLOCK_ROWS) * this.stride;
        this.ts = this.buffer.f64[this.at / 8];
    }
}
/** A sorted run on disk, read READ_ROWS rows at a time. */
class DiskRun {
    rows;
    stride;
    valid = false;
    ts = 0;
    buffer;
    at = 0;
    fd;
    index = 0;
    /** Index of the first row in the buffer, and how many it holds. */
    start = 0;
    held = 0;
    probe = rowBuffer(8);
    constructor(path, rows, stride) {
        this.rows = rows;
        this.stride = stride;
        this.fd = openSync(path, 'r');
        this.buffer = rowBuffer(READ_ROWS * stride);
    }
    seek(from) {
        let lo = 0;
        let hi = this.rows;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            readSync(this.fdOpen(), this.probe.bytes, 0, 8, mid * this.stride);
            if (this.probe.f64[0] < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        this.index = lo;
        this.held = 0;
        this.load();
    }
    advance() {
        this.index++;
        this.load();
    }
    close() {
        if (this.fd !== undefined)
            closeSync(this.fd);
        this.fd = undefined;
    }
    fdOpen() {
        if (this.fd === undefined)
            throw new Error('RowStore: a cursor was used after close()');
        return this.fd;
    }
    load() {
        this.valid = this.index < this.rows;
        if (!this.valid)
            return;
        if (this.index < this.start || this.index >= this.start + this.held) {
            this.start = this.index;
            this.held = Math.min(READ_ROWS, this.rows - this.index);
            const bytes = this.held * this.stride;
            let read = 0;
            while (read < bytes) {
                const n = readSync(this.fdOpen(), this.buffer.bytes, read, bytes - read, this.start * this.stride + read);
                if (n === 0)
                    throw new Error('RowStore: a spilled run is shorter than written');
                read += n;
            }
        }
        this.at = (this.index - this.start) * this.stride;
        this.ts = this.buffer.f64[this.at / 8];
    }
}
/** Runs merged by time through a binary heap; equal times come from the earlier run first. */
class Merge {
    runs;
    valid = false;
    ts = 0;
    buffer;
    at = 0;
    /** Heap of run indices, ordered by (ts, run index). */
    heap = [];
    constructor(runs) {
        this.runs = runs;
        this.buffer = runs[0].buffer;
        runs.forEach((run, i) => {
            if (run.valid)
                this.push(i);
        });
        this.current();
    }
    close() {
        for (const run of this.runs)
            run.close();
    }
    advance() {
        const top = this.heap[0];
        const run = this.runs[top];
        run.advance();
        if (run.valid)
            this.siftDown(0);
        else {
            const last = this.heap.pop();
            if (this.heap.length > 0) {
                this.heap[0] = last;
                this.siftDown(0);
            }
        }
        this.current();
    }
    current() {
        this.valid = this.heap.length > 0;
        if (!this.valid)
            return;
        const run = this.runs[this.heap[0]];
        this.buffer = run.buffer;
        this.at = run.at;
        this.ts = run.ts;
    }
    less(a, b) {
        const ta = this.runs[a].ts;
        const tb = this.runs[b].ts;
        return ta < tb || (ta === tb && a < b);
    }
    push(run) {
        const heap = this.heap;
        heap.push(run);
        let i = heap.length - 1;
        while (i > 0) {
            const parent = (i - 1) >> 1;
            if (!this.less(heap[i], heap[parent]))
                break;
            [heap[i], heap[parent]] = [heap[parent], heap[i]];
            i = parent;
        }
    }
    siftDown(i) {
        const heap = this.heap;
        for (;;) {
            const l = 2 * i + 1;
            const r = l + 1;
            let m = i;
            if (l < heap.length && this.less(heap[l], heap[m]))
                m = l;
            if (r < heap.length && this.less(heap[r], heap[m]))
                m = r;
            if (m === i)
                return;
            [heap[i], heap[m]] = [heap[m], heap[i]];
            i = m;
        }
    }
}

/**
 * Reads every file of the source once into a RowStore (sorted by time, spilling to a temporary
 * folder past the memory budget). The caller closes `store` (it removes the spilled runs).
 * Throws SourceError like collect() when nothing can be read.
 */
async function readLogs(source, policy, options = {}) {
    refuseVarianceReduction(policy);
    const encoder = new RowEncoder(policy);
    const store = new RowStore(encoder.layout.stride, {
        tempDir: options.tempDir ?? tmpdir(),
        ...(options.memoryBytes !== undefined && { memoryBytes: options.memoryBytes })
    });
    // The builder counts lines, malformed lines, arms and files exactly as a collect() would; it
    // never sees a record (its window is empty), so its evidence is only that data quality.
    const counter = new EvidenceBuilder({
        policy,
        window: { from: 0, to: 0 },
        now: 0,
        source: source.describe()
    });
    const logs = { store, encoder, records: 0, canaryRecords: 0 };
    const fields = new FieldCatalog(policy);
    try {
        await source.read({
            line: () => counter.line(),
            malformed: (where, reason) => counter.malformed(where, reason),
            unmatchedArm: value => counter.unmatchedArm(value),
            fileDone: (path, lines, malformed, problem) => counter.fileDone(path, lines, malformed, problem),
            calls: (scope, version, calls, failed) => counter.calls(scope, version, calls, failed),
            add: (r, unit) => {
                const { buffer, at } = store.append();
                encoder.encode(r, unit, buffer, at);
                logs.records++;
                if (logs.first === undefined || r.ts < logs.first)
                    logs.first = r.ts;
                if (logs.last === undefined || r.ts > logs.last)
                    logs.last = r.ts;
                if (r.arm === 'canary') {
                    logs.canaryRecords++;
                    if (logs.firstCanary === undefined || r.ts < logs.firstCanary)
                        logs.firstCanary = r.ts;
                }
            }
        }, fields);
        counter.fieldsSeen(fields.result());
    }
    catch (e) {
        store.close();
        throw e;
    }
    store.finish();
    const { quality } = counter.finish();
    return { ...logs, quality };
}
/**
 * The rows keep neither the units' pre-exposure records nor the request covariates, so the window
 * evidence (windowEvidence.ts) has no regression-adjusted moments (MetricSketch.adjusted): a plan
 * or backtest of a policy with variance reduction would decide otherwise than the gate. Refused
 * (exit 2) until the replay carries them.
 */
function refuseVarianceReduction(policy) {
    const adjusted = policy.metrics.filter(m => m.varianceReduction).map(m => m.name);
    if (adjusted.length === 0)
        return;
    throw new UsageError(`plan and backtest cannot replay variance reduction (CUPED) yet, and the policy's ${adjusted.map(n => `'${n}'`).join(', ')} ${adjusted.length === 1 ? 'metric has' : 'metrics have'} it (the policy's or the metric's varianceReduction); run them on a copy of the policy without varianceReduction (or with varianceReduction: false on those metrics), knowing the gate's adjusted comparisons are narrower`);
}

/** One metric of the window (or of an A/A half, or a segment): a cell's metric, grown by rows. */
class MetricWindow extends MetricCell {
    /** One request's value: the counts every request adds, whatever its clustering. */
    count(x) {
        this.requests++;
        this.requestSquares += x * x;
        return this.quantiles ? this.quantiles.add(x) : -Infinity;
    }
}
class SegmentWindow {
    key;
    position;
    metrics;
    counts = new CellCounts();
    newest = 0;
    constructor(key, 
    /** Its position in the arm: keyed segments from 0 in first-seen order, OTHER_SEGMENT last. */
    position, metrics) {
        this.key = key;
        this.position = position;
        this.metrics = metrics;
    }
}
/**
 * Per-unit running sums: per slot, for each metric, X and Y (float64) and, in an int32 header,
 * which metrics have a value yet and (baseline) the unit's A/A half. Paged typed arrays, as
 * UnitSlots, so hundreds of thousands of units are a few MB.
 */
class UnitSums {
    metrics;
    static PAGE = 4096;
    floats = [];
    ints = [];
    used = 0;
    constructor(metrics) {
        this.metrics = metrics;
    }
    allocate(half) {
        const slot = this.used++;
        if (slot % UnitSums.PAGE === 0) {
            this.floats.push(new Float64Array(UnitSums.PAGE * 2 * this.metrics));
            this.ints.push(new Int32Array(UnitSums.PAGE * 2));
        }
        this.ints[Math.floor(slot / UnitSums.PAGE)][(slot % UnitSums.PAGE) * 2 + 1] = half;
        return slot;
    }
    half(slot) {
        return this.ints[Math.floor(slot / UnitSums.PAGE)][(slot % UnitSums.PAGE) * 2 + 1];
    }
    /**
     * Adds (x, y) of metric i to the slot, and the change of its cluster to `a` (and `b`): the
     * identity in the file comment.
     */
    add(slot, i, x, y, a, b) {
        const page = Math.floor(slot / UnitSums.PAGE);
        const floats = this.floats[page];
        const ints = this.ints[page];
        const at = (slot % UnitSums.PAGE) * 2 * this.metrics + 2 * i;
        const header = (slot % UnitSums.PAGE) * 2;
        const X = floats[at];
        const Y = floats[at + 1];
        const bit = 1 << i;
        const first = (ints[header] & bit) === 0;
        if (first)
            ints[header] = ints[header] | bit;
        floats[at] = X + x;
        floats[at + 1] = Y + y;
        growCluster(a, first, X, Y, x, y);
        if (b)
            growCluster(b, first, X, Y, x, y);
    }
}
/** Segment positions per unit slot in the IntMap key (as the builder's POSITIONS). */
const POSITIONS = 64;
/**
 * What the arms of one window share: the policy, the rows' dictionaries and the time grid, and
 * the emission of cells. `from` is the window's start: the grid of time buckets starts there.
 */
class WindowFrame {
    policy;
    encoder;
    from;
    compact;
    bucketMs;
    isQuantile;
    segmented;
    /** Empty sketches, for the cells that do not carry the window's (see the file comment). */
    empty;
    constructor(policy, encoder, from, 
    /**
     * `plan`'s simulations: each arm is one cell of the window's totals (no per-bucket counts, no
     * served models, no cache sums), so a look costs the same however long the window. The
     * checks that read those (cache warmth and trend, model changes, the busiest hour) then say
     * "not available"; the comparisons, the sample size, the split, the A/A halves, the load and
     * freshness checks are the same.
     */
    compact = false) {
        this.policy = policy;
        this.encoder = encoder;
        this.from = from;
        this.compact = compact;
        if (policy.metrics.length > 31)
            throw new RangeError('at most 31 metrics');
        this.bucketMs = policy.bucket;
        this.isQuantile = policy.metrics.map(m => m.kind === 'quantile');
        this.segmented = (policy.segments?.by.length ?? 0) > 0;
        this.empty = policy.metrics.map(() => ({
            moments: emptyMoments(),
            requests: 0,
            requestSquares: 0
        }));
    }
    newMetrics() {
        return this.isQuantile.map(q => new MetricWindow(q ? new QuantileSketch() : undefined));
    }
    cell(arm, segment, k, counts, metrics) {
        const at = { arm, segment, bucket: this.from + k * this.bucketMs };
        const cell = emitCell(at, counts, metrics ? toSketches(metrics) : this.empty);
        // A copy: the newest bucket's sums keep growing after this evidence is handed out.
        if (counts.cache)
            cell.cache = copyCacheSums(counts.cache);
        return cell;
    }
}
/**
 * One arm of a window: its units' running sums, its time buckets' counts, its segments and its
 * window sketches. Rows of the other arm never reach it, so `plan` can share one baseline arm
 * between the canaries of several scenarios.
 */
class ArmWindow {
    frame;
    arm;
    units = new UnitIndex();
    sums;
    total;
    /** Counts per time bucket index, and the bucket indices in time order. */
    buckets = new Map();
    order = [];
    /** Cells of buckets that are past (time order: they no longer change), emitted once. */
    emitted = [];
    segments = new Map();
    keyed = [];
    other;
    /** (unit slot * POSITIONS + segment position) -> segment slot. */
    segmentSlot = new IntMap();
    segmentSums;
    /** Quantile metrics: each unit slot's and segment slot's coarse rank bins (unitRanks.ts). */
    rankBins = new UnitRankBins();
    segmentRankBins = new UnitRankBins();
    rankScratch = new UnitBins();
    halves;
    /** Invalid values of the arm's records, each key once per record (EvidenceBuilder.readValues). */
    invalid = {};
    invalidSeen = [];
    unitLevel = false;
    /** Requests without a unit go to an A/A half by a hash of their sequence number. */
    requestSeq = 0;
    /** Rows added: the arm's records in the window. */
    records = 0;
    /** Of them, requests per metric with a value (what minSamples counts). */
    values;
    /** The unit slot of the row last added (-1: it had no unit), for a MetricOverlay. */
    lastSlot = -1;
    unitKey = { h1: 0, h2: 0 };
    /** A record with the fields the cache sums read, reused for every row. */
    cacheRecord = {
        ts: 0,
        arm: 'baseline',
        error: null,
        fallback: false,
        raw: {}
    };
    constructor(frame, arm) {
        this.frame = frame;
        this.arm = arm;
        const n = frame.policy.metrics.length;
        this.sums = new UnitSums(n);
        this.segmentSums = new UnitSums(n);
        this.total = frame.newMetrics();
        this.halves = arm === 'baseline' ? [frame.newMetrics(), frame.newMetrics()] : undefined;
        this.values = new Int32Array(n);
    }
    /** Adds the row at byte offset `at` of `b`: this arm's, at or after `from`, in time order. */
    add(b, at) {
        const { frame } = this;
        const rows = frame.encoder.reader;
        const ts = b.f64[at / 8];
        const k = Math.floor((ts - frame.from) / frame.bucketMs);
        this.records++;
        this.countInvalid(b, at);
        const flags = rows.flags(b, at);
        let slot = -1;
        let newUnit = false;
        let half = 0;
        if (flags & F_UNIT) {
            this.unitLevel = true;
            this.unitKey.h1 = rows.int(b, at, RowLayout.H1);
            this.unitKey.h2 = rows.int(b, at, RowLayout.H2);
            slot = this.units.find(this.unitKey);
            newUnit = slot < 0;
            if (newUnit) {
                slot = this.sums.allocate(unitHalf(this.unitKey));
                this.units.insert(slot);
            }
            half = this.sums.half(slot);
        }
        else if (this.halves) {
            half = fmix32(++this.requestSeq) & 1;
        }
        this.lastSlot = slot;
        const halfMetrics = this.halves?.[half];
        const counts = frame.compact ? this.compactCounts(k) : this.bucket(k);
        counts.requests++;
        if (newUnit)
            counts.units++;
        if (frame.compact) {
            const error = rows.int(b, at, RowLayout.ERROR);
            if (error >= 0) {
                countCappedMap(counts.errors, frame.encoder.errors.value(error), MAX_ERROR_CLASSES, OTHER_KEY);
            }
            if (flags & F_FALLBACK)
                counts.fallbacks++;
        }
        else
            this.count(counts, b, at, flags);
        let segment;
        let segmentSlot = -1;
        if (frame.segmented) {
            segment = this.segmentOf(rows.int(b, at, RowLayout.SEGMENT));
            segment.newest = k;
            segment.counts.requests++;
            if (slot >= 0) {
                const key = slot * POSITIONS + segment.position;
                segmentSlot = this.segmentSlot.get(key);
                if (segmentSlot < 0) {
                    segmentSlot = this.segmentSums.allocate(0);
                    this.segmentSlot.add(key, segmentSlot);
                    segment.counts.units++;
                }
            }
            this.count(segment.counts, b, at, flags);
        }
        const metrics = frame.encoder.layout.metrics;
        for (let i = 0; i < metrics; i++) {
            if (rows.status(b, at, i) !== VALUE_STATUS)
                continue;
            const x = rows.x(b, at, i);
            const y = rows.y(b, at, i);
            const total = this.total[i];
            const inSegment = segment?.metrics[i];
            const inHalf = halfMetrics?.[i];
            this.values[i] = this.values[i] + 1;
            const index = total.count(x);
            inSegment?.count(x);
            inHalf?.count(x);
            if (total.ranks && slot >= 0) {
                const bin = coarseBin(index);
                const scratch = this.rankScratch;
                growUnit(this.rankBins, slot, i, bin, scratch, total.ranks, inHalf?.ranks);
                if (inSegment?.ranks) {
                    growUnit(this.segmentRankBins, segmentSlot, i, bin, scratch, inSegment.ranks);
                }
            }
            if (slot < 0) {
                addCluster(total.moments, x, y);
                if (inSegment)
                    addCluster(inSegment.moments, x, y);
                if (inHalf)
                    addCluster(inHalf.moments, x, y);
                continue;
            }
            this.sums.add(slot, i, x, y, total.moments, inHalf?.moments);
            if (inSegment)
                this.segmentSums.add(segmentSlot, i, x, y, inSegment.moments);
        }
    }
    /**
     * The arm's cells: its total segment's by bucket (the newest with the sketches), its segments'.
     * `override`: one metric's window sketch replaced (a MetricOverlay's).
     */
    cells(override) {
        // Several scenarios read one arm at the same look: its cells are made once per change.
        if (this.cached?.records !== this.records)
            this.cached = { records: this.records, cells: this.make() };
        const { cells } = this.cached;
        if (!override)
            return cells;
        const at = this.emitted.length;
        const last = cells[at];
        const metrics = [...last.metrics];
        metrics[override.metric] = override.sketch;
        return [...cells.slice(0, at), { ...last, metrics }, ...cells.slice(at + 1)];
    }
    cached;
    make() {
        const { frame } = this;
        const newest = this.order.at(-1);
        if (newest === undefined)
            return [];
        // Buckets before the newest never change again: emit each once, with empty sketches.
        for (let j = this.emitted.length; j < this.order.length - 1; j++) {
            const k = this.order[j];
            this.emitted.push(frame.cell(this.arm, TOTAL_SEGMENT, k, this.buckets.get(k)));
        }
        const counts = this.buckets.get(frame.compact ? 0 : newest);
        const last = frame.cell(this.arm, TOTAL_SEGMENT, newest, counts, this.total);
        if (this.halves)
            last.halves = [toSketches(this.halves[0]), toSketches(this.halves[1])];
        const cells = [...this.emitted, last];
        const keyed = [...this.keyed].sort((a, b) => (a.key < b.key ? -1 : 1));
        for (const s of this.other ? [...keyed, this.other] : keyed) {
            cells.push(frame.cell(this.arm, s.key, s.newest, s.counts, s.metrics));
        }
        return cells;
    }
    /** The window's one cell (compact frames), its bucket the newest seen. */
    compactCounts(k) {
        if (this.order.length === 0) {
            this.buckets.set(0, new CellCounts());
            this.order.push(k);
        }
        else
            this.order[0] = k;
        return this.buckets.get(0);
    }
    bucket(k) {
        let counts = this.buckets.get(k);
        if (!counts) {
            counts = new CellCounts();
            this.buckets.set(k, counts);
            this.order.push(k);
        }
        return counts;
    }
    /** The counts every record adds to its cell (EvidenceBuilder.file, before the metrics). */
    count(counts, b, at, flags) {
        const { encoder, policy } = this.frame;
        const rows = encoder.reader;
        const model = rows.int(b, at, RowLayout.MODEL);
        const error = rows.int(b, at, RowLayout.ERROR);
        if (model >= 0) {
            // A failed call served nothing: its model (mostly the requested one) is kept apart.
            const key = encoder.modelKeys.value(model);
            countCappedMap(error < 0 ? counts.models : counts.failedModels, key, MAX_MODEL_KEYS, OTHER_MODELS);
        }
        if (error >= 0) {
            countCappedMap(counts.errors, encoder.errors.value(error), MAX_ERROR_CLASSES, OTHER_KEY);
        }
        if (flags & F_FALLBACK)
            counts.fallbacks++;
        const input = rows.cache(b, at, INPUT_TOKENS);
        if (input !== undefined) {
            addCacheRequest((counts.cache ??= emptyCacheSums()), this.cacheRecordOf(b, at, model), input, policy.pricing);
        }
    }
    cacheRecordOf(b, at, model) {
        const r = this.cacheRecord;
        const { encoder } = this.frame;
        for (let f = 0; f < CACHE_FIELDS.length; f++) {
            r[CACHE_FIELDS[f]] = encoder.reader.cache(b, at, f);
        }
        r.model = model >= 0 ? encoder.modelOf[model] : undefined;
        return this.cacheRecord;
    }
    countInvalid(b, at) {
        const { encoder } = this.frame;
        this.invalidSeen.length = 0;
        for (let i = 0; i < encoder.layout.metrics; i++) {
            const key = invalidKeyOf(encoder.reader.status(b, at, i));
            if (key < 0 || this.invalidSeen.includes(key))
                continue;
            this.invalidSeen.push(key);
            countInvalid(this.invalid, encoder.invalidKeys.value(key), 1);
        }
    }
    /** The segment of a row's key in this arm: first seen first, OTHER_SEGMENT past the cap. */
    segmentOf(id) {
        const known = this.segments.get(id);
        if (known)
            return known;
        let segment;
        if (this.keyed.length >= MAX_SEGMENTS_PER_ARM) {
            segment = this.other ??= new SegmentWindow(OTHER_SEGMENT, MAX_SEGMENTS_PER_ARM, this.frame.newMetrics());
        }
        else {
            const key = this.frame.encoder.segments.value(id);
            segment = new SegmentWindow(key, this.keyed.length, this.frame.newMetrics());
            this.keyed.push(segment);
        }
        this.segments.set(id, segment);
        return segment;
    }
}
/**
 * One metric of an arm with other values (`plan`'s shifted canaries): the window moments and
 * sketch of that metric alone, clustered by the arm's own unit slots (ArmWindow.lastSlot), so a
 * scenario that changes one metric costs one metric's update per row, not a whole arm.
 */
class MetricOverlay {
    metric;
    window;
    sums = new UnitSums(1);
    rankBins = new UnitRankBins();
    rankScratch = new UnitBins();
    constructor(frame, metric) {
        this.metric = metric;
        this.window = new MetricWindow(frame.isQuantile[metric] ? new QuantileSketch() : undefined);
    }
    /** The metric's (x, y) of the row just added to the arm, whose unit slot is `slot`. */
    add(slot, x, y) {
        const w = this.window;
        const index = w.count(x);
        if (w.ranks && slot >= 0) {
            growUnit(this.rankBins, slot, 0, coarseBin(index), this.rankScratch, w.ranks);
        }
        if (slot < 0) {
            addCluster(w.moments, x, y);
            return;
        }
        while (this.sums.used <= slot)
            this.sums.allocate(0);
        this.sums.add(slot, 0, x, y, w.moments);
    }
    sketch() {
        return this.window.toSketch();
    }
}
/** The two arms of a window, fed rows of both (backtest); evidence() as a collect() gives it. */
class WindowEvidence {
    frame;
    arms;
    constructor(opts) {
        this.frame = new WindowFrame(opts.policy, opts.encoder, opts.from);
        this.arms = [new ArmWindow(this.frame, 'baseline'), new ArmWindow(this.frame, 'canary')];
    }
    get from() {
        return this.frame.from;
    }
    /** Rows added: the window's records. */
    get records() {
        return this.arms[0].records + this.arms[1].records;
    }
    /** Adds the row at byte offset `at` of `b` (its time at or after `from`, rows in time order). */
    add(b, at) {
        const flags = this.frame.encoder.reader.flags(b, at);
        this.arms[flags & F_CANARY ? 1 : 0].add(b, at);
    }
    /** The evidence of [from, to): the rows added so far must be exactly those. */
    evidence(to, source, quality) {
        return armsEvidence(this.arms[0], this.arms[1], { to, source, quality });
    }
}
/**
 * The evidence of a window from its two arms (of one frame). `quality` is the read's data quality
 * for the window (records, outside, future); the arms' invalid values are added to it.
 */
function armsEvidence(baseline, canary, opts) {
    const { frame } = baseline;
    const invalid = { ...baseline.invalid };
    for (const [key, n] of Object.entries(canary.invalid))
        countInvalid(invalid, key, n);
    return {
        source: opts.source,
        window: { from: frame.from, to: opts.to },
        bucketMs: frame.bucketMs,
        metrics: frame.policy.metrics.map(m => m.name),
        unitLevel: baseline.unitLevel || canary.unitLevel,
        cells: [
            ...baseline.cells(),
            ...canary.cells(opts.canaryMetric && {
                metric: opts.canaryMetric.metric,
                sketch: opts.canaryMetric.sketch()
            })
        ],
        quality: { ...opts.quality, invalidValues: invalid }
    };
}
/** Counts invalid values under `key`, at most MAX_INVALID_KEYS keys, the rest under OTHER_KEY. */
function countInvalid(counts, key, n) {
    if (Object.hasOwn(counts, key))
        counts[key] = counts[key] + n;
    else if (Object.keys(counts).length < MAX_INVALID_KEYS)
        counts[key] = n;
    else
        counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + n;
}
const toSketches = (metrics) => metrics.map(m => m.toSketch());

export { ArmWindow as A, F_CANARY as F, MetricOverlay as M, RowLayout as R, VALUE_STATUS as V, WindowEvidence as W, WindowFrame as a, backtest as b, bindingOf as c, armsEvidence as d, rowBuffer as e, F_UNIT as f, readLogs as r };
