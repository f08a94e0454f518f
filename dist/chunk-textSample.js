/** Record fields tried, in order, for a request id. */
const ID_FIELDS = ['id', 'request_id', 'requestId', 'gen_ai.response.id', 'span_id'];
/**
 * A bounded, seeded sample of texts per arm for the judge: the `size` records with the smallest
 * priority hash (bottom-k sampling). Unlike a reservoir it does not depend on the order records
 * arrive in, and a record sampled once stays sampled as the window grows unless k records with
 * smaller hashes displace it, so a rerun finds its earlier judgements in the cache. In pairwise
 * mode the priority is the hash of the input, so the same input tends to be sampled in both arms
 * (the pairs the judge compares); an input is then kept once per arm. Also in pairwise mode, a
 * record's `shadow_output` (shadow traffic: the other arm's answer to the same input) is kept with
 * it, so the record is a pair on its own.
 */
class TextSampler {
    opts;
    /** Per arm, a binary max-heap on priority: the root is the entry the next better one replaces. */
    arms = { baseline: [], canary: [] };
    inputs = { baseline: new Set(), canary: new Set() };
    constructor(opts) {
        this.opts = opts;
    }
    offer(r) {
        const { window, now, size, seed, byInput } = this.opts;
        if (r.ts < window.from || r.ts >= window.to || r.ts > now)
            return;
        const input = text(r.raw.input);
        const output = text(r.raw.output);
        if (input === undefined || output === undefined)
            return;
        const id = recordId(r.raw);
        const shadowOutput = byInput ? text(r.raw.shadow_output) : undefined;
        const inputHash = byInput ? hashHex(input) : undefined;
        const priority = hash32(`${seed}\u0000${inputHash ?? id ?? `${r.ts}|${input}|${output}`}`);
        const entries = this.arms[r.arm];
        if (entries.length >= size && priority >= (entries[0]?.priority ?? -1))
            return;
        const sample = {
            id: id ?? `h:${hashHex(`${r.ts}|${r.arm}|${input}|${output}`)}`,
            arm: r.arm,
            ts: r.ts,
            inputHash: inputHash ?? hashHex(input),
            input,
            output,
            ...(shadowOutput !== undefined && { shadowOutput }),
            ...(r.unit !== undefined && { unit: r.unit }),
            ...(r.model !== undefined && { model: r.model })
        };
        if (byInput) {
            if (this.inputs[r.arm].has(sample.inputHash))
                return;
            this.inputs[r.arm].add(sample.inputHash);
        }
        heapPush(entries, { priority, sample });
        if (entries.length > size) {
            const dropped = heapPop(entries);
            if (dropped && byInput)
                this.inputs[r.arm].delete(dropped.sample.inputHash);
        }
    }
    /** Both arms' samples, each in priority order (the order the judge takes them in). */
    samples() {
        const sorted = (arm) => [...this.arms[arm]].sort((a, b) => a.priority - b.priority).map(e => e.sample);
        return [...sorted('baseline'), ...sorted('canary')];
    }
}
/**
 * A binary max-heap on priority, so a sample of k texts costs O(log k) per text kept instead of
 * O(k) (the judge's sample grows to thousands of texts per arm, judge/sample.ts).
 */
function heapPush(heap, e) {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent].priority >= e.priority)
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}
function heapPop(heap) {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined)
        return top;
    let i = 0;
    for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let big = i;
        let bigPriority = last.priority;
        if (l < heap.length && heap[l].priority > bigPriority) {
            big = l;
            bigPriority = heap[l].priority;
        }
        if (r < heap.length && heap[r].priority > bigPriority)
            big = r;
        if (big === i)
            break;
        heap[i] = heap[big];
        i = big;
    }
    heap[i] = last;
    return top;
}
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
/** Texts are strings; chat message lists and other structures are kept as their JSON. */
function text(value) {
    if (value instanceof LazyText)
        value = value.get();
    if (typeof value === 'string')
        return value === '' ? undefined : value;
    if (value === null || value === undefined)
        return undefined;
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
function recordId(raw) {
    for (const field of ID_FIELDS) {
        const v = raw[field];
        if (typeof v === 'string' && v !== '')
            return v;
        if (typeof v === 'number' && Number.isFinite(v))
            return String(v);
    }
    return undefined;
}
/** FNV-1a, 32 bits, over UTF-16 code units: fast, seeded through its input; not cryptographic. */
function hash32(s, basis = 0x811c9dc5) {
    let h = basis;
    for (let i = 0; i < s.length; i++) {
        h ^= s.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
}
/** 64 bits as hex, from two FNV-1a passes with different offset bases. */
function hashHex(s) {
    const hex = (n) => n.toString(16).padStart(8, '0');
    return hex(hash32(s)) + hex(hash32(s, 0x01000193 ^ 0x9e3779b9));
}
/** The sampler a source runs alongside its evidence when the policy has a judge; else undefined. */
function judgeSampler(policy, request) {
    const judge = policy.judge;
    if (!judge)
        return undefined;
    return new TextSampler({
        size: request.judgeSample ?? judge.sample,
        seed: `${policy.rollout.name}@${request.window.from}`,
        byInput: judge.mode === 'pairwise',
        window: request.window,
        now: request.now
    });
}

export { LazyText as L, judgeSampler as j };
