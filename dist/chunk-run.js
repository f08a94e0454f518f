import { U as UsageError, T as SourceError } from './chunk-base.js';
import { A as MemoryStateStore, B as initialState, C as weightAt, e as evaluate, s as sourceFor } from './chunk-engine.js';
import { a as WindowFrame, A as ArmWindow, M as MetricOverlay, c as bindingOf, d as armsEvidence, F as F_CANARY, e as rowBuffer, R as RowLayout, V as VALUE_STATUS, f as F_UNIT, r as readLogs } from './chunk-windowEvidence.js';
import { FileSource } from './chunk-fileSource.js';
import { v as fmix32, U as UnitIndex, l as emptyQuality } from './chunk-records.js';
import 'node:crypto';
import 'node:fs/promises';
import 'node:path';
import 'node:fs';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:os';
import './chunk-run2.js';
import './chunk-openai.js';
import 'fs';
import 'path';
import 'url';
import 'module';
import './chunk-octokit.js';
import 'os';
import 'http';
import 'https';
import 'tls';
import 'events';
import 'util';
import 'node:module';
import './chunk-textSample.js';
import 'node:stream';
import './chunk-recordBatch.js';
import 'node:zlib';
import 'node:url';
import 'node:worker_threads';

/**
 * The random parts of `plan`'s simulation, counter-based so that every replicate is reproducible
 * from its seed and every scenario of a replicate sees the same users (common random numbers):
 * a uniform number is the murmur3 finaliser of its coordinates (row, copy, replicate, purpose).
 */
function uniform(a, b, c) {
    const h = fmix32(fmix32(fmix32(a ^ 0x9e3779b9) ^ b) ^ Math.imul(c, 0x85ebca6b));
    return (h >>> 0) / 4294967296;
}
/** Cumulative Poisson(1) probabilities: P(K <= k) for k = 0..9. */
const POISSON_1 = (() => {
    const out = [];
    let p = Math.exp(-1);
    let sum = 0;
    for (let k = 0; k < 10; k++) {
        sum += p;
        out.push(sum);
        p /= k + 1;
    }
    return out;
})();
/**
 * How many times a unit appears in a bootstrap resample, drawn Poisson(1): the Poisson bootstrap
 * (Hanley & MacGibbon, "Creating non-parametric bootstrap samples using Poisson frequencies",
 * Computer Methods and Programs in Biomedicine 2006; Chamandy et al., "Estimating uncertainty for
 * massive data streams", Google 2012), which resamples a stream unit by unit without knowing the
 * number of units in advance: each unit's count is independent, as a multinomial's nearly are.
 */
function poissonCopies(u) {
    let k = 0;
    while (k < POISSON_1.length && u >= POISSON_1[k])
        k++;
    return k;
}
/**
 * The canary of `spec` moved by `times` its tolerance in its worse direction (0.5: half the
 * tolerance, 1: at it, 2: twice it). `level` is the history's. How each kind is moved:
 *  - a rate: worse by d points (d = the tolerance, or tolerance x rate when relative): each 0
 *    becomes 1 with probability d / (1 - p) (or each 1 becomes 0 with d / p when higher is
 *    better), so the rate moves by d in expectation and values stay 0 or 1;
 *  - a metric whose history stays in [0, 1] (a score): a linear map towards the bound,
 *    x (1 - d/mean) or 1 - (1 - x)(1 - d/(1 - mean)), which moves the mean by exactly d and stays
 *    in [0, 1];
 *  - any other (latency, cost, tokens; a quantile or a ratio): relative tolerances multiply every
 *    value by 1 +/- times x tolerance, which moves the mean and every quantile by exactly that
 *    share (a slower model is slower everywhere); absolute ones add the shift (a ratio: shift x
 *    its denominator), clipped at 0 when it lowers values (a quantile above the shift moves by
 *    exactly it).
 * Undefined when the shift cannot be made (a rate already at its bound, a bound too close).
 */
function shiftFor(spec, metric, level, times) {
    const worseUp = spec.better === 'lower';
    const { value, relative } = spec.tolerance;
    const mean = level.mean;
    if (spec.kind === 'rate') {
        const d = times * (relative ? value * mean : value);
        const room = worseUp ? 1 - mean : mean;
        if (!(room > 0) || d > room)
            return undefined;
        return { metric, kind: 'flip', from: worseUp ? 0 : 1, p: d / room };
    }
    const bounded = level.min >= 0 && level.max <= 1 && spec.kind === 'mean';
    if (bounded) {
        const d = times * (relative ? value * mean : value);
        if (worseUp) {
            if (!(1 - mean > d))
                return undefined;
            const k = 1 - d / (1 - mean);
            return { metric, kind: 'linear', a: k, b: 1 - k, c: 0, floor: false };
        }
        if (!(mean > d))
            return undefined;
        return { metric, kind: 'linear', a: 1 - d / mean, b: 0, c: 0, floor: false };
    }
    if (relative) {
        const a = worseUp ? 1 + times * value : 1 - times * value;
        return a > 0 ? { metric, kind: 'linear', a, b: 0, c: 0, floor: false } : undefined;
    }
    const d = (worseUp ? 1 : -1) * times * value;
    return spec.kind === 'ratio'
        ? { metric, kind: 'linear', a: 1, b: 0, c: d, floor: d < 0 }
        : { metric, kind: 'linear', a: 1, b: d, c: 0, floor: d < 0 };
}
/** Applies a linear shift to one value (x over y). */
function shifted(s, x, y) {
    const v = s.a * x + s.b + s.c * y;
    return s.floor && v < 0 ? 0 : v;
}

/** The simulation's states carry this policy hash (it never meets a real state). */
const PLAN_POLICY_HASH = 'plan';
const ASSIGN = 0x5bd1e995;
const COPY = 0x27d4eb2d;
const FLIP = 0x165667b1;
async function simulateStep(sim) {
    const out = sim.scenarios.map(s => ({ id: s.id, runs: [] }));
    const replicates = Math.max(0, ...sim.scenarios.map(s => s.replicates));
    const span = history(sim.logs);
    if (!span)
        return out;
    for (let r = 0; r < replicates; r++) {
        const active = sim.scenarios.flatMap((s, i) => (r < s.replicates ? [i] : []));
        const runs = await replicate(sim, span, r, active);
        active.forEach((i, j) => out[i]?.runs.push(runs[j]));
    }
    return out;
}
function history(logs) {
    if (logs.first === undefined || logs.last === undefined || logs.records < 2)
        return undefined;
    const length = logs.last - logs.first;
    return { first: logs.first, period: length + length / (logs.records - 1) };
}
async function replicate(sim, span, r, active) {
    const { policy, logs } = sim;
    const seed = fmix32(sim.seed ^ Math.imul(r + 1, 0x9e3779b1) ^ Math.imul(sim.stepIndex, 7919));
    // Whole ms: the state keeps the step's start as an ISO time.
    const start = Math.floor(span.first + uniform(seed, r, 1) * span.period);
    const from = start + policy.rollout.warmup;
    const frame = new WindowFrame(policy, logs.encoder, from, true);
    const baseline = new ArmWindow(frame, 'baseline');
    const canary = new ArmWindow(frame, 'canary');
    const source = `plan: ${logs.records} history records resampled`;
    const tracks = [];
    for (const i of active) {
        const scenario = sim.scenarios[i];
        const shift = scenario.shift;
        const overlay = shift && new MetricOverlay(frame, shift.metric);
        const store = new MemoryStateStore(source);
        await store.save({ ...initialState(policy, start), stepIndex: sim.stepIndex }, undefined);
        const evidence = (request) => {
            // The state's step began at `start`: evaluate() asks for [start + warmup, now).
            if (request.window.from !== from)
                throw new Error('plan: a window that is not the step’s');
            return armsEvidence(baseline, canary, {
                to: request.window.to,
                source,
                quality: { ...sim.quality, records: baseline.records + canary.records },
                ...(overlay && { canaryMetric: overlay })
            });
        };
        tracks.push({
            scenario,
            ...(overlay && { overlay }),
            store,
            source: {
                describe: () => source,
                collect: request => Promise.resolve(evidence(request)),
                firstCanaryTime: () => Promise.resolve(start)
            },
            last: new Map()
        });
    }
    const feed = new HistoryFeed(logs, span, start);
    const copy = new CopyMaker(logs, weightAt(policy, sim.stepIndex), seed);
    const gating = policy.metrics.map((m, i) => ({ m, i })).filter(({ m }) => m.mode !== 'report');
    const looks = Math.ceil(sim.horizon / sim.every);
    try {
        for (let k = 1; k <= looks; k++) {
            const now = start + k * sim.every;
            for (; feed.valid && feed.ts < now; feed.advance()) {
                if (feed.ts < from)
                    continue;
                copy.each(feed.buffer, feed.at, feed.ts, (row, inCanary, rowId, c) => {
                    if (!inCanary)
                        return baseline.add(row, 0);
                    canary.add(row, 0);
                    for (const [t, track] of tracks.entries()) {
                        const shift = track.scenario.shift;
                        if (track.run || !shift || !track.overlay)
                            continue;
                        const value = copy.shifted(row, shift, rowId, c, t);
                        if (value)
                            track.overlay.add(canary.lastSlot, value.x, value.y);
                    }
                });
            }
            for (const track of tracks) {
                if (track.run)
                    continue;
                if (!enough(policy, gating, baseline, canary)) {
                    track.last.set('minSamples', k);
                    if (now - start < policy.rollout.minDuration)
                        track.last.set('minDuration', k);
                    continue;
                }
                const { record } = await evaluate({
                    policy,
                    policyHash: PLAN_POLICY_HASH,
                    source: track.source,
                    store: track.store,
                    now,
                    replay: true,
                    decisionOnly: true // only the record is read
                });
                // The evidence is made here: a source failure is a bug of the simulation, not a hold.
                const failed = record.checks.find(c => c.name === 'source' && c.status === 'block');
                if (failed)
                    throw new Error(`plan: the simulated evidence failed: ${failed.detail}`);
                const metrics = record.metrics.filter(m => m.mode !== 'report');
                for (const m of metrics)
                    if (m.verdict !== 'pass')
                        track.last.set(`metric:${m.name}`, k);
                for (const c of record.checks) {
                    if (c.status === 'block' && c.name !== 'sample-size')
                        track.last.set(`check:${c.name}`, k);
                }
                if (now - start < policy.rollout.minDuration)
                    track.last.set('minDuration', k);
                const action = record.decision;
                if (action === 'hold')
                    continue;
                const turned = action === 'promote'
                    ? lastToClear(track.last, k)
                    : nameOf(bindingOf(action, metrics, record.checks, record.reasons));
                track.run = { decision: action, at: now - start, binding: turned };
            }
            if (tracks.every(t => t.run))
                break;
        }
    }
    finally {
        feed.close();
    }
    return tracks.map(t => t.run ?? { decision: 'hold', at: sim.horizon, binding: holding(t.last) });
}
/**
 * True when some verdict is possible: a gating metric (or the load check) has its minimum sample
 * in both arms. Before that every look holds (no metric has a verdict, and the simulation's
 * policy never times out), so evaluate() is not called.
 */
function enough(policy, gating, baseline, canary) {
    const min = policy.rollout.minSamples;
    if (baseline.records >= min && canary.records >= min)
        return true;
    return gating.some(({ m, i }) => {
        const need = m.minSamples ?? min;
        return baseline.values[i] >= need && canary.values[i] >= need;
    });
}
/** What held the step last before it promoted; on ties a metric first, then a check. */
function lastToClear(last, promotedAt) {
    let best = '';
    let at = -1;
    const rank = (key) => key.startsWith('metric:') ? 0 : key.startsWith('check:') ? 1 : key === 'minDuration' ? 2 : 3;
    for (const [key, k] of last) {
        if (k >= promotedAt)
            continue;
        if (k > at || (k === at && rank(key) < rank(best))) {
            best = key;
            at = k;
        }
    }
    return best === '' ? 'minDuration' : best;
}
/** What still held the step at its last look. */
function holding(last) {
    const latest = Math.max(-1, ...last.values());
    const keys = [...last].filter(([, k]) => k === latest).map(([key]) => key);
    return (keys.find(k => k.startsWith('check:')) ??
        keys.find(k => k.startsWith('metric:')) ??
        keys[0] ??
        'minSamples');
}
function nameOf(b) {
    if (!b)
        return 'timeout';
    if (b.kind === 'metric')
        return `metric:${b.metric}`;
    if (b.kind === 'check')
        return `check:${b.check}`;
    return 'timeout';
}
/** The history's baseline rows from `start`, wrapped around its end as often as needed. */
class HistoryFeed {
    logs;
    span;
    cursor;
    offset = 0;
    valid = true;
    ts = 0;
    buffer;
    at = 0;
    constructor(logs, span, start) {
        this.logs = logs;
        this.span = span;
        this.cursor = logs.store.cursor(start);
        this.buffer = this.cursor.buffer;
        this.settle();
    }
    advance() {
        this.cursor.advance();
        this.settle();
    }
    close() {
        this.cursor.close();
    }
    /** Skips the history's own canary rows; at the end, starts again from its first row. */
    settle() {
        const reader = this.logs.encoder.reader;
        for (;;) {
            if (!this.cursor.valid) {
                this.cursor.close();
                this.offset += this.span.period;
                this.cursor = this.logs.store.cursor();
                if (!this.cursor.valid) {
                    this.valid = false;
                    return;
                }
            }
            if ((reader.flags(this.cursor.buffer, this.cursor.at) & F_CANARY) === 0)
                break;
            this.cursor.advance();
        }
        this.buffer = this.cursor.buffer;
        this.at = this.cursor.at;
        this.ts = this.cursor.ts + this.offset;
    }
}
/**
 * The bootstrap copies of a history row, each with its unit key, arm and time written into a
 * scratch row; and a scenario's shift of a canary copy into a second scratch row.
 */
class CopyMaker {
    logs;
    seed;
    stride;
    scratch;
    value = { x: 0, y: 1 };
    rowId = 0;
    threshold;
    constructor(logs, weight, seed) {
        this.logs = logs;
        this.seed = seed;
        this.stride = logs.encoder.layout.stride;
        this.scratch = rowBuffer(this.stride);
        this.threshold = weight / 100;
    }
    each(b, at, ts, emit) {
        const reader = this.logs.encoder.reader;
        const id = ++this.rowId;
        const flags = reader.flags(b, at);
        const unit = (flags & F_UNIT) !== 0;
        const h1 = unit ? reader.int(b, at, RowLayout.H1) : 0;
        const h2 = unit ? reader.int(b, at, RowLayout.H2) : 0;
        const copies = poissonCopies(unit ? uniform(h1, h2, this.seed) : uniform(id, 0, this.seed));
        if (copies === 0)
            return;
        const s = this.scratch;
        s.bytes.set(b.bytes.subarray(at, at + this.stride), 0);
        s.f64[0] = ts;
        for (let c = 0; c < copies; c++) {
            let k1 = h1;
            let k2 = h2;
            if (unit && c > 0) {
                k1 = fmix32(h1 ^ Math.imul(c, COPY));
                k2 = fmix32(h2 + Math.imul(c, ASSIGN));
            }
            const draw = unit ? uniform(k1, k2, this.seed ^ ASSIGN) : uniform(id, c, this.seed ^ ASSIGN);
            const canary = draw < this.threshold;
            s.i32[RowLayout.FLAGS / 4] = (flags & ~F_CANARY) | (canary ? F_CANARY : 0);
            s.i32[RowLayout.H1 / 4] = k1;
            s.i32[RowLayout.H2 / 4] = k2;
            emit(s, canary, id, c);
        }
    }
    /** A canary copy's value of the shifted metric (reused object), or undefined when it has none. */
    shifted(row, shift, rowId, copy, scenario) {
        const reader = this.logs.encoder.reader;
        const i = shift.metric;
        if (reader.status(row, 0, i) !== VALUE_STATUS)
            return undefined;
        const x = reader.x(row, 0, i);
        const y = reader.y(row, 0, i);
        const out = this.value;
        out.y = y;
        if (shift.kind === 'linear')
            out.x = shifted(shift, x, y);
        else {
            const u = uniform(rowId, Math.imul(copy + 1, FLIP) ^ scenario, this.seed ^ FLIP);
            out.x = x === shift.from && u < shift.p ? 1 - shift.from : x;
        }
        return out;
    }
}

/** Replicates of each scenario, as a share of the equal canary's. */
const SCENARIOS = { half: 0.5, at: 0.25, twice: 0.5 };
/** The longest a "longer step" is simulated: this many maxDurations, at most a week. */
const LONGER = 4;
const WEEK = 7 * 24 * 3600_000;
async function plan(opts) {
    const { policy, logs } = opts;
    const sim = simulationPolicy(policy);
    const levels = metricLevels(logs);
    const history = historyFacts(logs);
    const notes = simulationNotes(policy);
    const steps = [];
    const suggestions = [];
    for (const [index, weight] of policy.rollout.steps.entries()) {
        if (weight >= 100)
            continue;
        const step = await planStep({ ...opts, sim, levels, index, weight });
        steps.push(step);
        if (!step.decides)
            suggestions.push(...(await suggest({ ...opts, sim, step })));
    }
    return {
        rollout: policy.rollout.name,
        every: opts.every,
        replicates: opts.replicates,
        history,
        steps,
        suggestions,
        notes
    };
}
async function planStep(input) {
    const { policy, sim, levels, index, weight } = input;
    const max = policy.rollout.maxDuration;
    const R = input.replicates;
    const scenarios = [{ id: 'equal', replicates: R }];
    const metrics = [];
    sim.metrics.forEach((spec, i) => {
        if (spec.mode === 'report')
            return;
        const level = levels[i];
        const skipped = skipReason(spec, level);
        metrics.push({ name: spec.name, ...(skipped && { skipped }) });
        if (skipped)
            return;
        for (const [key, times] of [
            ['half', 0.5],
            ['at', 1],
            ['twice', 2]
        ]) {
            const shift = shiftFor(spec, i, level, times);
            if (shift) {
                scenarios.push({
                    id: `${i}:${key}`,
                    shift,
                    replicates: Math.max(4, Math.ceil(R * SCENARIOS[key]))
                });
            }
        }
    });
    const results = await simulateStep({
        policy: sim,
        stepIndex: index,
        logs: input.logs,
        scenarios,
        horizon: max,
        every: input.every,
        seed: input.seed,
        quality: qualityOf(input.logs)
    });
    const runsOf = (id) => results.find(r => r.id === id)?.runs ?? [];
    const equalRuns = runsOf('equal');
    sim.metrics.forEach((spec, i) => {
        const entry = metrics.find(m => m.name === spec.name);
        if (!entry || entry.skipped)
            return;
        for (const key of ['half', 'at', 'twice']) {
            const runs = runsOf(`${i}:${key}`);
            if (runs.length > 0)
                entry[key] = outcomeOf(runs, max);
        }
    });
    const equal = outcomeOf(equalRuns, max);
    const looks = Math.ceil(max / input.every);
    const promotedBy = Array.from({ length: looks }, (_, k) => equalRuns.filter(r => r.decision === 'promote' && r.at <= (k + 1) * input.every).length /
        Math.max(1, equalRuns.length));
    return {
        index,
        weight,
        maxDuration: max,
        equal,
        metrics,
        promotedBy,
        decides: equal.promoted.share >= 0.9
    };
}
/** Median and 90th percentile of the decision times, the unfinished runs counted as never. */
function timing(runs, decision, limit) {
    const times = runs
        .filter(r => r.decision === decision && r.at <= limit)
        .map(r => r.at)
        .sort((a, b) => a - b);
    const n = runs.length;
    const at = (q) => {
        const k = Math.ceil(q * n) - 1;
        return n > 0 && k < times.length ? times[Math.max(0, k)] : null;
    };
    return { share: n > 0 ? times.length / n : 0, median: at(0.5), p90: at(0.9) };
}
function outcomeOf(runs, maxDuration) {
    const promoted = timing(runs, 'promote', maxDuration);
    const rolledBack = timing(runs, 'rollback', maxDuration);
    const counts = new Map();
    for (const r of runs)
        counts.set(r.binding, (counts.get(r.binding) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    const outcome = {
        runs: runs.length,
        promoted,
        rolledBack,
        holding: runs.length > 0 ? 1 - promoted.share - rolledBack.share : 0
    };
    if (top)
        outcome.binding = { name: top[0], share: top[1] / runs.length };
    return outcome;
}
/**
 * For a step whose equal canary does not promote by maxDuration in 90% of runs: a longer step, a
 * wider tolerance on the binding metric, a larger step, `kind: mean` for a binding quantile, each
 * simulated on the equal canary; and variance reduction, projected from the history.
 */
async function suggest(input) {
    const { policy, sim, step } = input;
    const out = [];
    const R = Math.max(8, Math.ceil(input.replicates / 2));
    const equalOnce = async (p, horizon) => outcomeOf((await simulateStep({
        policy: p,
        stepIndex: step.index,
        logs: input.logs,
        scenarios: [{ id: 'equal', replicates: R }],
        horizon,
        every: input.every,
        seed: input.seed ^ 0x51ed,
        quality: qualityOf(input.logs)
    }))[0]?.runs ?? [], horizon);
    const base = { step: step.index, weight: step.weight };
    // A longer step: how long 90% of equal canaries take, simulated up to LONGER maxDurations.
    const horizon = Math.min(Math.max(step.maxDuration * LONGER, step.maxDuration), WEEK);
    let longer;
    if (horizon > step.maxDuration) {
        // As the policy would be with that maxDuration (its t* is planned from it).
        longer = await equalOnce({ ...sim, rollout: { ...sim.rollout, maxDuration: horizon } }, horizon);
        out.push({
            ...base,
            change: longer.promoted.p90 !== null
                ? `maxDuration: ${hours(longer.promoted.p90)} (90% of equal canaries promote by then)`
                : `a longer step: even at ${hours(horizon)} fewer than 90% of equal canaries promote`,
            outcome: longer
        });
    }
    const binding = step.equal.binding?.name;
    const metric = binding?.startsWith('metric:')
        ? sim.metrics.findIndex(m => m.name === binding.slice('metric:'.length))
        : -1;
    const spec = sim.metrics[metric];
    if (spec) {
        for (const factor of [1.5, 2]) {
            const wider = withMetric(sim, metric, {
                tolerance: { ...spec.tolerance, value: spec.tolerance.value * factor }
            });
            out.push({
                ...base,
                change: `${spec.name}: tolerance ${toleranceWords(spec, factor)} (×${factor})`,
                outcome: await equalOnce(wider, step.maxDuration)
            });
        }
        if (spec.kind === 'quantile') {
            const mean = withMetric(sim, metric, { kind: 'mean', quantile: undefined });
            out.push({
                ...base,
                change: `${spec.name}: kind: mean instead of p${Math.round((spec.quantile ?? 0.5) * 100)} (a mean needs far fewer requests than a tail quantile)`,
                outcome: await equalOnce(mean, step.maxDuration)
            });
        }
        // A regression adjustment is of means (CUPED); from the step's own median time, or the
        // longer step's when the step does not promote by maxDuration.
        const reduction = spec.kind === 'quantile' ? undefined : varianceReduction(input.logs, metric);
        const median = step.equal.promoted.median ?? longer?.promoted.median ?? null;
        if (reduction && median !== null) {
            out.push({
                ...base,
                change: `${spec.name}: variance reduction on each user's pre-rollout level (regression adjustment)`,
                projected: median * (1 - reduction.r2),
                note: `projected, not simulated: users' levels in the two halves of the history correlate (R² ${reduction.r2.toFixed(2)} over ${reduction.units} users seen in both), so the variance, and roughly the time to decide, would shrink by that share`
            });
        }
    }
    // A larger step: the next weights up to 50% (a larger first step, or skipping ahead).
    const next = policy.rollout.steps[step.index + 1];
    const candidates = [2 * step.weight, 5 * step.weight, next]
        .filter((w) => w !== undefined && w > step.weight && w <= 50)
        .filter((w, i, all) => all.indexOf(w) === i)
        .sort((a, b) => a - b);
    for (const weight of candidates.slice(0, 2)) {
        out.push({
            ...base,
            change: `step ${weightAt(policy, step.index)}% → ${weight}%`,
            outcome: await equalOnce(withWeight(sim, step.index, weight), step.maxDuration)
        });
    }
    return out;
}
/** The policy with step `index` at `weight` (later steps not above it left out). */
function withWeight(policy, index, weight) {
    const { steps } = policy.rollout;
    const next = [...steps.slice(0, index), weight, ...steps.slice(index + 1).filter(w => w > weight)];
    return { ...policy, rollout: { ...policy.rollout, steps: next } };
}
function withMetric(policy, index, change) {
    const metrics = policy.metrics.map((m, i) => {
        if (i !== index)
            return m;
        const next = { ...m, ...change };
        if (next.quantile === undefined)
            delete next.quantile;
        return next;
    });
    return { ...policy, metrics };
}
function toleranceWords(spec, factor) {
    const v = spec.tolerance.value * factor;
    if (spec.tolerance.relative)
        return `${round(v * 100)}%`;
    return spec.kind === 'rate' ? `${round(v * 100)}pp` : `${round(v)}`;
}
const round = (v) => Number(v.toPrecision(3));
const hours = (ms) => {
    const h = ms / 3600_000;
    return h >= 48 ? `${round(h / 24)}d` : h >= 1 ? `${round(h)}h` : `${Math.round(ms / 60_000)}m`;
};
/**
 * The simulation's policy: segments are not simulated (a shift of all traffic moves every
 * segment alike; segment verdicts add holds only at their own error rate), the judge's metric
 * neither (it needs judged outputs), and the timeout is left to the report (onTimeout hold: past
 * maxDuration the gate still promotes once every metric passes), so one run tells both what
 * happens by maxDuration and after it. maxDuration itself stays the policy's: the sequences'
 * t* is planned from it (analysis/analyze.ts, plannedTStar).
 */
function simulationPolicy(policy) {
    const { segments: _segments, judge: _judge, ...rest } = policy;
    return {
        ...rest,
        metrics: policy.metrics.filter(m => m.from !== 'judge'),
        rollout: { ...policy.rollout, onTimeout: 'hold' }
    };
}
function simulationNotes(policy) {
    const notes = [
        'Each step is simulated on its own, starting at random times of the history, with users resampled (Poisson bootstrap) and assigned to the canary at the step’s weight; the gate looks on the schedule and decides through the engine itself.'
    ];
    if (policy.segments) {
        notes.push('Segments are not simulated: a shift of all traffic moves every segment alike, and a segment verdict only adds holds at its own error rate.');
    }
    if (policy.metrics.some(m => m.from === 'judge')) {
        notes.push('The judge’s metric is not simulated: it needs judged outputs, not logs.');
    }
    return notes;
}
function skipReason(spec, level) {
    if (!Number.isFinite(level.mean))
        return 'no values in the history';
    if (spec.kind === 'rate' && (level.mean === 0 || level.mean === 1)) {
        return `the history's rate is ${level.mean * 100}%: a relative change of it cannot be simulated`;
    }
    return undefined;
}
/** Each metric's level and range over the history's baseline rows. */
function metricLevels(logs) {
    const { encoder } = logs;
    const n = encoder.layout.metrics;
    const sx = new Float64Array(n);
    const sy = new Float64Array(n);
    const cursor = logs.store.cursor();
    try {
        for (; cursor.valid; cursor.advance()) {
            const { buffer: b, at } = cursor;
            if (encoder.reader.flags(b, at) & F_CANARY)
                continue;
            for (let i = 0; i < n; i++) {
                if (encoder.reader.status(b, at, i) !== VALUE_STATUS)
                    continue;
                sx[i] = sx[i] + encoder.reader.x(b, at, i);
                sy[i] = sy[i] + encoder.reader.y(b, at, i);
            }
        }
    }
    finally {
        cursor.close();
    }
    return Array.from({ length: n }, (_, i) => ({
        mean: sy[i] > 0 ? sx[i] / sy[i] : NaN,
        min: encoder.min[i],
        max: encoder.max[i]
    }));
}
function historyFacts(logs) {
    const units = new UnitIndex();
    const key = { h1: 0, h2: 0 };
    const cursor = logs.store.cursor();
    try {
        for (; cursor.valid; cursor.advance()) {
            const flags = logs.encoder.reader.flags(cursor.buffer, cursor.at);
            if (flags & F_CANARY || !(flags & F_UNIT))
                continue;
            key.h1 = logs.encoder.reader.int(cursor.buffer, cursor.at, RowLayout.H1);
            key.h2 = logs.encoder.reader.int(cursor.buffer, cursor.at, RowLayout.H2);
            if (units.find(key) < 0)
                units.insert(units.size);
        }
    }
    finally {
        cursor.close();
    }
    const first = logs.first ?? 0;
    const last = logs.last ?? 0;
    const records = logs.records - logs.canaryRecords;
    return {
        records,
        canaryIgnored: logs.canaryRecords,
        units: units.size,
        first,
        last,
        perHour: last > first ? (records * 3600_000) / (last - first) : 0
    };
}
function qualityOf(logs) {
    return { ...emptyQuality(), lines: logs.quality.lines, malformed: logs.quality.malformed };
}
/**
 * How much of a metric's per-user variance each user's own earlier level explains: users' means
 * in the first and the second half of the history, the squared correlation over users seen in
 * both (the variance reduction of CUPED, Deng, Xu, Kohavi & Walker, WSDM 2013, section 3.3, with
 * the first half as the pre-period). Undefined with fewer than 50 such users.
 */
function varianceReduction(logs, metric) {
    if (logs.first === undefined || logs.last === undefined)
        return undefined;
    const middle = (logs.first + logs.last) / 2;
    const index = new UnitIndex();
    const key = { h1: 0, h2: 0 };
    const sums = [];
    const reader = logs.encoder.reader;
    const cursor = logs.store.cursor();
    try {
        for (; cursor.valid; cursor.advance()) {
            const { buffer: b, at } = cursor;
            const flags = reader.flags(b, at);
            if (flags & F_CANARY || !(flags & F_UNIT))
                continue;
            if (reader.status(b, at, metric) !== VALUE_STATUS)
                continue;
            key.h1 = reader.int(b, at, RowLayout.H1);
            key.h2 = reader.int(b, at, RowLayout.H2);
            let slot = index.find(key);
            if (slot < 0) {
                slot = index.size;
                index.insert(slot);
                sums.push(0, 0, 0, 0);
            }
            const half = cursor.ts < middle ? 0 : 2;
            sums[4 * slot + half] = sums[4 * slot + half] + reader.x(b, at, metric);
            sums[4 * slot + half + 1] = sums[4 * slot + half + 1] + reader.y(b, at, metric);
        }
    }
    finally {
        cursor.close();
    }
    let n = 0;
    let sa = 0;
    let sb = 0;
    let saa = 0;
    let sbb = 0;
    let sab = 0;
    for (let u = 0; u < sums.length / 4; u++) {
        const [xa, ya, xb, yb] = sums.slice(4 * u, 4 * u + 4);
        if (ya === 0 || yb === 0)
            continue;
        const a = xa / ya;
        const b = xb / yb;
        n++;
        sa += a;
        sb += b;
        saa += a * a;
        sbb += b * b;
        sab += a * b;
    }
    if (n < 50)
        return undefined;
    const cov = sab / n - (sa / n) * (sb / n);
    const va = saa / n - (sa / n) ** 2;
    const vb = sbb / n - (sb / n) ** 2;
    if (!(va > 0 && vb > 0))
        return undefined;
    return { r2: Math.min(1, (cov * cov) / (va * vb)), units: n };
}

/**
 * `plan` as the CLI and the Action run it: the history read once from files (the policy's file
 * source or `records`), then every step simulated. A history that cannot be read, or with no
 * baseline records, is a usage problem (exit 2).
 */
async function planFromFiles(loaded, opts) {
    const { policy } = loaded;
    const source = await sourceFor(loaded, opts.records);
    if (!(source instanceof FileSource)) {
        throw new UsageError(`usage: plan reads a history of records from files (--records, or a policy source of type file), not ${source.describe()}; export a few days of the baseline's traffic to JSONL and give it as the records`);
    }
    const logs = await readLogs(source, policy).catch((e) => {
        if (e instanceof SourceError)
            throw new UsageError(e.message);
        throw e;
    });
    try {
        const baseline = logs.records - logs.canaryRecords;
        if (baseline < 2) {
            throw new UsageError(`usage: the history holds ${baseline} baseline records; plan needs the baseline's recent traffic (check the records and the policy's arms)`);
        }
        return await plan({
            policy,
            logs,
            every: opts.every,
            replicates: opts.replicates,
            seed: opts.seed
        });
    }
    finally {
        logs.store.close();
    }
}

export { planFromFiles };
