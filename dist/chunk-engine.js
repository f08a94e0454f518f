import { T as TOTAL_SEGMENT, Q as QuantileSketch, N as NON_POSITIVE_BIN, V as V_Y, p as productIndex, a as V_X, b as V_REQUESTS, c as cubedSum, d as V_PRE_X, e as V_PRE_Y, f as V_COVARIATES, H as HistogramQuantiles, m as mergeCells, g as emptyMoments, h as mergeCacheSums, D as DEFAULT_MAX_AGE_MS, O as OTHER_SEGMENT, i as fieldSources, j as OTHER_MODELS, k as knownInstrumentation, l as emptyQuality } from './chunk-records.js';
import { d as distance, p as parseInstant, S as StateConflictError, Q as QUIET, l as loggedSource, a as StateError, b as logAnalysis, U as UsageError, c as loggedJudge, u as updateState, s as scalar, e as parseDuration, f as fail, m as mismatch, g as formatDuration, D as DURATION_PATTERN, h as parsePercent, o as ok, i as didYouMean, j as parseAmount, k as DECIMAL, w as withDefault, n as choice, q as obj, r as num, t as required, v as str, x as list, y as optional, z as record, A as union, B as refine, C as reject, I as INVALID, E as formatPath, F as isMapping, G as oneOrMany, P as PolicyError, H as parseState } from './chunk-base.js';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, unlink, stat } from 'node:fs/promises';
import { isAbsolute, resolve, relative, dirname, join, basename } from 'node:path';
import { constants } from 'node:fs';
import { d as distExports } from './chunk-yaml.js';
import { hostname } from 'node:os';

/**
 * Text that came from data or from a server (a model name, a segment value, an error class, an
 * error body, a file name) is untrusted: it may carry a newline and a workflow command
 * (`::warning::`, `::add-mask::`), ANSI escapes that rewrite the terminal, or a credential a
 * server echoed back. These helpers neutralise it before it is logged, printed or posted.
 */
/**
 * C0 and C1 control characters (newlines, ESC, DEL, ...) and the Unicode line and paragraph
 * separators: anything that could end a log line, start a new one, or drive a terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL$1 = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/**
 * One line of plain text: every control character becomes a visible escape (`\n`, `\u001b`), so
 * text from data can never start a line of a log (where `::command::` at column 0 is a GitHub
 * Actions workflow command) nor send terminal escape sequences. Tabs become a space.
 */
function oneLine(text) {
    return text.replace(CONTROL$1, c => {
        if (c === '\n')
            return '\\n';
        if (c === '\r')
            return '\\r';
        if (c === '\t')
            return ' ';
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
}
/** Shortest secret scrubbed: shorter strings occur in ordinary text by chance. */
const MIN_SECRET_LENGTH = 4;
/** How a secret can appear in text a server sends back: as is, URL-encoded, or in base64. */
function forms(secret) {
    const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(secret)));
    const base64url = base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const out = new Set([
        secret,
        encodeURIComponent(secret),
        base64,
        base64.replace(/=+$/, ''),
        base64url
    ]);
    return [...out].filter(f => f.length >= MIN_SECRET_LENGTH);
}
/** A function that replaces every known secret in a text with `***` (longest first). */
function secretScrubber(secrets) {
    const all = [...new Set(secrets.filter(s => s.length >= MIN_SECRET_LENGTH).flatMap(forms))].sort((a, b) => b.length - a.length);
    if (all.length === 0)
        return text => text;
    return text => {
        let out = text;
        for (const s of all)
            if (out.includes(s))
                out = out.split(s).join('***');
        return out;
    };
}
/**
 * Every string in a JSON-like value scrubbed (objects and arrays copied, other values kept): for
 * the decision record and the state, whose reasons and checks quote servers' answers.
 */
function scrubDeep(value, scrub) {
    const walk = (v) => {
        if (typeof v === 'string')
            return scrub(v);
        if (Array.isArray(v))
            return v.map(walk);
        if (v && typeof v === 'object') {
            const out = {};
            for (const [k, x] of Object.entries(v))
                out[k] = walk(x);
            return out;
        }
        return v;
    };
    return walk(value);
}

/**
 * Splitting the family-wise error budget across the gating metrics (DESIGN.md: "Error budget:
 * 1 - confidence, split across the gating metrics").
 *
 * Only a rollback's side is split. A canary is good when every gating metric is within its
 * tolerance, bad when one is beyond it. A rollback needs only one metric to fail, so on a good
 * canary the chance of a wrong rollback is at most the sum of the metrics' fail-side alphas: each
 * gets the step's fail alpha over the family (Bonferroni, below). A promotion needs every metric
 * to pass, so on a bad canary it needs the bad metric's own pass, whose chance is at most that
 * metric's pass-side alpha: each pass is tested at the sequence's whole pass alpha, with no
 * split. This is the intersection-union test (Berger, "Multiparameter hypothesis testing and
 * acceptance sampling", Technometrics 24 (1982); Berger & Hsu, Statistical Science 11 (1996),
 * Section 3), the reason co-primary endpoints that must all succeed need no multiplicity
 * adjustment. Each side is a one-sided confidence sequence, valid alone at its own alpha at every
 * look, so at any truth the step errs with probability at most the alpha of the side that truth
 * can err on.
 */
/**
 * Bonferroni split: each of k confidence sequences at alpha / k. By the union bound the chance
 * that any of them ever misses is at most alpha, at every look and under any dependence between
 * the metrics (Bonferroni 1936; for confidence sequences, Howard et al. 2021 note that the union
 * bound applies to the time-uniform events as they are).
 */
function bonferroni(alpha, k) {
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
    if (!(Number.isInteger(k) && k >= 1))
        throw new RangeError(`k must be an integer >= 1, got ${k}`);
    return alpha / k;
}
/**
 * One error budget for the whole rollout (DESIGN.md, "Error budget"): the chance that the gate
 * ever promotes a canary worse than a tolerance, or rolls back one that is not, is at most
 * 1 - confidence over all of the rollout's steps, not per step, and whatever the canary's truth at
 * each step (it may differ between steps: a change that only hurts under load).
 *
 * Each step (and each restart of a step's evidence) runs fresh confidence sequences, each side
 * valid alone at its alpha at every look; the rollout spends their alphas as a ledger. The two
 * sides are spent differently, because a rollout moves on only through a promotion:
 *
 * - A rollback ends the rollout, so wrong rollbacks at different steps are disjoint events and
 *   their alphas add up: the fail side is spent evenly over the steps that compare the arms
 *   (weight below 100%), a fixed, policy-given schedule (an alpha-spending plan in the sense of
 *   Lan & DeMets, Biometrika 70 (1983), with the steps as its looks; `stepAlpha`).
 * - Promotions are nested: a canary reaches a step only by being promoted at every step before.
 *   This is the fixed-sequence procedure for a-priori ordered hypotheses (Maurer, Hothorn &
 *   Lehmacher, 1995; Westfall & Krishen, J. Statistical Planning and Inference 99 (2001)): each
 *   step's "the canary is worse than a tolerance here" is tested only after the step before was
 *   rejected (promoted), so each can be tested at all of what is left of the budget, not at a
 *   share of it (`sequenceAlphas`).
 *
 * The proof is a ledger. Take the sequences a rollout runs, in order; the chance of a wrong
 * decision is at most the sum, along the rollout's path, of each sequence's alpha on the side
 * its truth can err on (the fail side where the canary is within every tolerance, the pass side
 * where it is not; never both). A sequence the rollout leaves without an error was either
 * promoted by the gate (so its canary was within tolerance: its fail alpha is charged to the
 * ledger) or left otherwise, by a restart or a person (its truth is unknown: the larger of its
 * two alphas is charged, `charged`). Each new sequence's sides are at most (1 - RESTART_SHARE)
 * of what the ledger has left, so the path's sum never exceeds the budget. Along the path the
 * gate takes when it is right, steps 1, 5, 25, 50 of a 5% budget give the pass side 4.5%, 3.5%,
 * 2.5%, 1.5% and the fail side 1.125% at each step; the last comparison step's pass side is never
 * below its fail side.
 *
 * A step's evidence can restart (a served model changed, evaluate.ts): the restarted sequence is
 * a new one, charged as above; its fail side gets RESTART_SHARE of what the step's had, so a
 * step's fail sides never add up to more than its share.
 */
const RESTART_SHARE = 0.1;
/**
 * With `segments.gate: rollback`, a failing segment rolls the canary back, so the segments'
 * sequences are part of the budget: they get this share of each step's fail side (split over
 * segments and metrics), the whole arms the rest. Segments that can only hold spend none: a hold
 * is never a wrong promotion or rollback.
 */
const SEGMENT_SHARE = 0.2;
/**
 * The fail side's schedule: the alpha of the fail side of step `stepIndex`'s sequences after
 * `restarts` restarts of its evidence, an even share of the budget over the comparison steps.
 */
function stepAlpha(o) {
    const share = o.total / Math.max(1, o.comparisonSteps);
    return share * (1 - RESTART_SHARE) * RESTART_SHARE ** Math.max(0, o.restarts);
}
/**
 * Below this, what is left of the budget, and a fail side's alpha, are taken as this (a policy
 * whose confidence was raised mid-rollout above what its earlier steps had spent; hundreds of
 * restarts): the sequences are then so wide that the gate holds, and the excess over the budget
 * is negligible.
 */
const LEFT_FLOOR = 1e-9;
/** The alphas of a new sequence: its fail side (a rollback) and its pass side (a promotion). */
function sequenceAlphas(o) {
    const passAlpha = (1 - RESTART_SHARE) * Math.max(LEFT_FLOOR, o.total - o.spent);
    return { alpha: Math.max(LEFT_FLOOR, Math.min(stepAlpha(o), passAlpha)), passAlpha };
}
/**
 * What a sequence is charged when the rollout leaves it: its fail side's alpha when the gate
 * promoted it (a wrong promotion is already an error, so the path goes on only from a canary
 * within tolerance), else the larger of its two sides. A ledger written before the pass side had
 * its own alpha (`passAlpha` absent) ran both sides at `alpha`.
 */
function charged(step, promotedByGate) {
    return promotedByGate ? step.alpha : Math.max(step.alpha, step.passAlpha ?? step.alpha);
}
/**
 * What a rollout that has no ledger at step `stepIndex` is taken to have spent: the fail sides of
 * the comparison steps before it, as if the gate had promoted each (a state written before the
 * ledger existed, or a simulation of one step).
 */
function assumedSpent(o) {
    const before = Math.min(o.stepIndex, o.comparisonSteps);
    return before * stepAlpha({ ...o, restarts: 0 });
}

/**
 * Aggregated sources (Prometheus) sum requests per time bucket and keep no user: their variances
 * are per request. When the arms are assigned per user (`arms.assignment: unit`, the default),
 * requests of one user are not independent, and a per-request variance claims a precision the
 * data do not have (the issue measured the quality interval excluding the truth in 16 of 20
 * clustered runs). The design effect (Kish, Survey Sampling, 1965: the variance of a mean over
 * what independent requests would give) is what is missing.
 *
 * What the buckets can show is a lower bound: the variance of block sums of k consecutive buckets
 * over their per-request variance (batch means; for a rate or mean, the clusters are the blocks),
 * taken at the block size where it is largest with at least MIN_BLOCKS blocks left, catches users
 * whose requests fall within a few buckets (sessions). A user who returns across the whole window
 * adds the same arm to every bucket, which no split of the window into blocks can see (the same
 * offset in each), so the buckets alone never bound the design effect from above. Hence:
 *
 * - `arms.assignment: request`: requests are independent; no design effect.
 * - `arms.designEffect: D`: the larger of D and what the buckets show.
 * - neither: the metric cannot be trusted (inconclusive, with what the buckets show as a floor
 *   and what to declare), since no bound is known.
 *
 * Sources that keep each request (files, Langfuse) are not aggregated: with a unit they cluster by
 * it, and without one their records are taken as independent.
 */
const MIN_BLOCKS = 8;
/** By metric name, for every mean, rate and histogram quantile of aggregated evidence. */
function aggregateDesignEffects(policy, evidence) {
    if (!evidence.aggregated || policy.arms.assignment === 'request')
        return undefined;
    const declared = policy.arms.designEffect;
    const byArm = (arm) => evidence.cells
        .filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
        .sort((a, b) => a.bucket - b.bucket);
    const cells = { baseline: byArm('baseline'), canary: byArm('canary') };
    const out = {};
    policy.metrics.forEach((spec, i) => {
        if (spec.kind === 'ratio')
            return;
        const arm = (list) => blockDesignEffect(spec, list.map(c => c.metrics[i]));
        const b = arm(cells.baseline);
        const c = arm(cells.canary);
        const buckets = Math.min(b.buckets, c.buckets);
        const shown = Math.max(b.deff, c.deff);
        if (declared !== undefined) {
            out[spec.name] = {
                baseline: Math.max(declared, b.deff),
                canary: Math.max(declared, c.deff),
                source: 'declared',
                buckets
            };
        }
        else {
            out[spec.name] = { unknown: true, atLeast: shown, buckets };
        }
    });
    return out;
}
/**
 * The largest block design effect over block sizes 1, 2, 4, ... buckets with at least MIN_BLOCKS
 * blocks (1 with fewer buckets), and the number of buckets with data.
 */
function blockDesignEffect(spec, sketches) {
    const points = sketches.map(s => (s ? point(spec, s, sketches) : undefined));
    const used = points.filter((p) => p !== undefined && p.n > 0);
    let best = 1;
    for (let k = 1; used.length / k >= MIN_BLOCKS; k *= 2) {
        const blocks = [];
        for (let j = 0; j + k <= used.length; j += k) {
            const slice = used.slice(j, j + k);
            blocks.push({
                n: slice.reduce((a, p) => a + p.n, 0),
                x: slice.reduce((a, p) => a + p.x, 0),
                within: slice.reduce((a, p) => a + p.within, 0)
            });
        }
        best = Math.max(best, ratioOfVariances(blocks));
    }
    return { deff: best, buckets: used.length };
}
/**
 * The bucket as a cluster. A mean or rate: its requests and their sum, with the per-request sum
 * of squares in `within` (made residual later). A histogram quantile: the count at or below the
 * bucket edge where the merged histogram's quantile lies (a 0/1 value per request).
 */
function point(spec, s, all) {
    if (spec.kind === 'quantile') {
        const edge = quantileEdge(all, spec.quantile ?? 0.5);
        if (!s.histogram || edge < 0)
            return { n: 0, x: 0, within: 0 };
        const n = s.histogram.counts.reduce((a, c) => a + c, 0);
        const below = s.histogram.counts.slice(0, edge + 1).reduce((a, c) => a + c, 0);
        return { n, x: below, within: below };
    }
    const m = s.moments;
    return { n: m.sy, x: m.sx, within: m.sxx };
}
/** The histogram bucket index holding the merged quantile, or -1 without histograms. */
function quantileEdge(all, q) {
    const histograms = all.map(s => s?.histogram).filter(h => h !== undefined);
    const first = histograms[0];
    if (!first)
        return -1;
    const counts = first.counts.map((_, i) => histograms.reduce((a, h) => a + (h.counts[i] ?? 0), 0));
    const total = counts.reduce((a, c) => a + c, 0);
    let acc = 0;
    for (let i = 0; i < counts.length; i++) {
        acc += counts[i];
        if (acc >= q * total)
            return i;
    }
    return counts.length - 1;
}
/**
 * Variance of the clustered mean over the per-request one: with R the overall mean, the cluster
 * residuals sum (x_j - R n_j)^2 J / (J - 1) over the per-request residuals sum (v - R)^2
 * N / (N - 1), the latter from each cluster's sum of squares (sxx - 2 R sx + R^2 n).
 */
function ratioOfVariances(blocks) {
    const N = blocks.reduce((a, p) => a + p.n, 0);
    const J = blocks.length;
    if (J < 2 || !(N > 1))
        return 1;
    const R = blocks.reduce((a, p) => a + p.x, 0) / N;
    let clustered = 0;
    let perRequest = 0;
    for (const p of blocks) {
        clustered += (p.x - R * p.n) ** 2;
        perRequest += p.within - 2 * R * p.x + R * R * p.n;
    }
    if (!(perRequest > 0))
        return 1;
    const deff = (clustered * J * (N - 1)) / ((J - 1) * perRequest * N);
    return Number.isFinite(deff) ? Math.max(1, deff) : 1;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
function duration$1(ms) {
    const s = Math.round(ms / 1000);
    if (s < 60)
        return `${s}s`;
    const m = Math.round(s / 60);
    if (m < 60)
        return `${m}m`;
    const h = Math.floor(m / 60);
    if (h < 48)
        return m % 60 === 0 ? `${h}h` : `${h}h${String(m % 60).padStart(2, '0')}m`;
    return `${Math.round(h / 24)}d`;
}
/** "roughly 3 h": a projection is an order of magnitude, not a promise. */
function roughDuration(seconds) {
    if (seconds < 90)
        return 'about a minute';
    if (seconds < 5400)
        return `roughly ${Math.round(seconds / 60)} min`;
    if (seconds < 172800)
        return `roughly ${Math.round(seconds / 3600)} h`;
    return `roughly ${Math.round(seconds / 86400)} days`;
}
/** About 2 significant figures for a sample projection: "about 2,400". */
function roughCount(n) {
    if (n < 100)
        return int(n);
    const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1);
    return int(Math.ceil(n / magnitude) * magnitude);
}
function unitOf(m) {
    if (m.kind === 'rate')
        return 'share';
    if (m.kind !== 'ratio' && /(^|_)ms$|latency|ttft|duration/.test(m.from))
        return 'ms';
    if (/^cost/.test(m.from))
        return 'usd';
    if (/tokens$/.test(m.from) && m.kind !== 'ratio')
        return 'tokens';
    return 'plain';
}
function sig(v, digits = 3) {
    if (v === 0)
        return '0';
    const a = Math.abs(v);
    if (a >= 1000)
        return int(v);
    return Number(v.toPrecision(digits)).toString();
}
/** A level of the metric (a baseline or canary value) in its own unit. */
function value(m, v) {
    if (v === null || !Number.isFinite(v))
        return 'n/a';
    switch (unitOf(m)) {
        case 'ms':
            return v >= 1000 ? `${sig(v / 1000)} s` : `${sig(v)} ms`;
        case 'usd':
            return `$${sig(v)}`;
        case 'share':
            return `${sig(v * 100)}%`;
        case 'tokens':
            return `${sig(v)} tok`;
        default:
            return sig(v);
    }
}
/** A change: relative as a signed percent, absolute in the unit (points for rates). */
function change(m, v, relative) {
    if (!Number.isFinite(v))
        return v > 0 ? '+∞' : '−∞';
    const sign = v > 0 ? '+' : v < 0 ? '−' : '±';
    const a = Math.abs(v);
    if (relative)
        return `${sign}${sig(a * 100, 2)}%`;
    if (unitOf(m) === 'share')
        return `${sign}${sig(a * 100, 2)}pp`;
    return `${sign}${value(m, a)}`;
}
/** "+12% (+4.1% to +20%)" */
function deltaWithInterval(m) {
    const d = m.delta;
    if (!Number.isFinite(d.estimate))
        return 'n/a';
    return `${change(m, d.estimate, d.relative)} (${change(m, d.lower, d.relative)} to ${change(m, d.upper, d.relative)})`;
}
function toleranceText(m) {
    return change(m, m.tolerance, m.delta.relative);
}
/**
 * How a change is shown as a number on a chart axis, as the tables write it: relative changes
 * and rates in points (×100, `%` or `pp`), other absolute changes in the metric's unit.
 */
function changeScale(m, relative) {
    if (relative)
        return { scale: 100, unit: '%' };
    switch (unitOf(m)) {
        case 'share':
            return { scale: 100, unit: 'pp' };
        case 'ms':
            return { scale: 1, unit: 'ms' };
        case 'usd':
            return { scale: 1, unit: 'USD' };
        case 'tokens':
            return { scale: 1, unit: 'tokens' };
        default:
            return { scale: 1, unit: '' };
    }
}

const UNIT = { lo: 0, hi: 1 };
/**
 * The range a metric's per-request values are known to lie in, or undefined for an unbounded
 * one (latency, cost, tokens). A bounded metric gets a nonasymptotic confidence sequence
 * (src/stats/cs/bernstein.ts), so a small or zero-variance sample never gives a narrow interval
 * (with variance reduction, a score's is intersected with the adjusted one, under its guards:
 * analysis/compareMetric.ts).
 *
 * Bounded: a rate (0/1); a mean of a score (`score`, `scores.<name>`, the judge's `judge`) in
 * [0, 1], as the record readers enforce; a mean of a 0/1 field (`error`, `error.<class>`,
 * `fallback`, `cache_hit`); `feedback` in [-1, 1]; and any mean with a declared `range`, whose
 * values outside it the readers reject as invalid. Ratios and quantiles are not means of bounded
 * values.
 */
function metricRange(spec) {
    if (spec.kind === 'rate')
        return UNIT;
    if (spec.kind !== 'mean')
        return undefined;
    if (spec.range)
        return spec.range;
    const from = spec.from === 'gen_ai.evaluation.score.value' ? 'score' : spec.from;
    if (from === 'feedback')
        return { lo: -1, hi: 1 };
    if (from === 'score' ||
        from.startsWith('scores.') ||
        from === 'judge' ||
        from === 'error' ||
        from.startsWith('error.') ||
        from === 'fallback' ||
        from === 'cache_hit') {
        return UNIT;
    }
    return undefined;
}
/**
 * Whether every per-request value of the metric is 0 or 1 (a rate, or a mean of a 0/1 field:
 * `error`, `error.<class>`, `fallback`, `cache_hit`): the counts of its two levels are then its
 * requests and its sum, and the betting CS applies (src/stats/cs/betting.ts).
 */
function binaryMetric(spec) {
    if (spec.kind === 'rate')
        return true;
    if (spec.kind !== 'mean' || spec.range)
        return false;
    const from = spec.from;
    return (from === 'error' || from.startsWith('error.') || from === 'fallback' || from === 'cache_hit');
}

/** The largest estimator skewness trusted: 1 / sqrt(25) (Cochran's n > 25 G1^2). */
const MAX_SKEWNESS = 0.2;
/** The residuals' second and third sums from the moments, or undefined without third-order sums. */
function armCumulants(m) {
    const { sxxx, sxxy, sxyy, syyy } = m;
    if (sxxx === undefined || sxxy === undefined || sxyy === undefined || syyy === undefined) {
        return undefined;
    }
    if (!(m.n >= 2 && m.sy > 0))
        return undefined;
    const r = m.sx / m.sy;
    // sum (x - r y)^2 and sum (x - r y)^3, expanded in the moments.
    const d2 = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy);
    const d3 = sxxx - 3 * r * sxxy + 3 * r * r * sxyy - r * r * r * syyy;
    const sy2 = m.sy * m.sy;
    return { variance: d2 / sy2, third: d3 / (sy2 * m.sy) };
}
/** Both arms' cumulants and the contrast's variance, or undefined (no third-order sums, no variance). */
function contrastCumulants(baseline, canary, kappa) {
    const b = armCumulants(baseline);
    const c = armCumulants(canary);
    if (!b || !c)
        return undefined;
    const variance = c.variance + kappa * kappa * b.variance;
    return variance > 0 ? { b, c, variance } : undefined;
}
/**
 * A bound on the skewness of the estimator of R_c - kappa R_b that lends each arm the larger of
 * the two arms' standardized skewness per cluster, g = max(|g_b|, |g_c|): the arm with more
 * clusters (the baseline at a small step) has seen more of a shared heavy tail, and the sample
 * skewness of the small arm understates it most when it matters. With each arm's estimator
 * skewness g / sqrt(n) and third cumulant g V^{3/2} / sqrt(n), the contrast's is at most
 * g (V_c^{3/2} / sqrt(n_c) + |kappa|^3 V_b^{3/2} / sqrt(n_b)) / (V_c + kappa^2 V_b)^{3/2}.
 */
function sharedSkewness$1(baseline, canary, kappa) {
    const k = contrastCumulants(baseline, canary, kappa);
    if (!k)
        return undefined;
    const { b, c, variance } = k;
    const g = (a, n) => a.variance > 0 ? (Math.abs(a.third) / a.variance ** 1.5) * Math.sqrt(n) : 0;
    const shared = Math.max(g(b, baseline.n), g(c, canary.n));
    const term = (a, n) => a.variance ** 1.5 / Math.sqrt(n);
    return ((shared * (term(c, canary.n) + Math.abs(kappa) ** 3 * term(b, baseline.n))) / variance ** 1.5);
}
/** Skewness of one arm's ratio estimator (a canary `limit`), or undefined. */
function armSkewness(m) {
    const a = armCumulants(m);
    if (!a || !(a.variance > 0))
        return undefined;
    return a.third / a.variance ** 1.5;
}

/**
 * Nonasymptotic confidence sequences (CS) for bounded metrics (rates, scores in [0, 1], judge
 * outcomes, any metric with a declared range), computed from sufficient statistics: a small or
 * zero-variance sample never gives a narrow interval.
 *
 * One arm. Values rescaled to z in [0, 1], with mean mu, seen in some order z_1, z_2, ...; let
 * zhat_i be any predictable value in [0, 1] (here the running mean of z_1..z_{i-1}, and 1/2 for
 * i = 1). For every lambda in [0, 1),
 *
 *   M_t(lambda) = exp(lambda S_t - psi_E(lambda) V_t),  S_t = sum (z_i - mu),
 *   V_t = sum (z_i - zhat_i)^2,  psi_E(lambda) = -log(1 - lambda) - lambda,
 *
 * is a nonnegative supermartingale: Fan, Grama & Liu, "Exponential inequalities for martingales
 * with applications", Electron. J. Probab. 20 (2015), Lemma 4.1, give exp(lambda xi - psi_E(lambda)
 * xi^2) <= 1 + lambda xi for xi >= -1, applied to xi = z_i - zhat_i, and E[(1 + lambda xi)
 * exp(lambda (zhat_i - mu))] <= 1 since e^d (1 - d) <= 1. This is the empirical-Bernstein
 * supermartingale of Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
 * nonasymptotic confidence sequences", Ann. Statist. 49 (2021), Theorem 4 (sub-exponential with
 * scale c = 1), and of Waudby-Smith & Ramdas, "Estimating means of bounded random variables by
 * betting", J. R. Stat. Soc. B 86 (2024), Section 3.2 (their PrPl-EB, eq. (13), with a constant
 * lambda). Mixing over lambda with any probability distribution keeps it a supermartingale (the
 * method of mixtures; Howard et al. 2021, Section 3), and Ville's inequality gives
 * P(exists t: mixture_t >= 1 / alpha) <= alpha.
 *
 * From sufficient statistics. V_t needs the sequence, but it has an upper bound from n, sum z and
 * sum z^2 alone, and a larger V_t only makes the supermartingale smaller (psi_E >= 0), so the CS
 * stays valid. With the running mean, (z_i - zbar_{i-1})^2 = (i / (i - 1)) w_i where the w_i are
 * Welford's increments (Welford, Technometrics 4 (1962)): w_i <= (i - 1) / i and sum_{i>=2} w_i
 * = SS_t, the sum of squared deviations about the mean. So V_t = 1/4 + SS_t + sum w_i / (i - 1),
 * and the last sum, a sum of w_i with decreasing weights, is largest when the w_i are as large as
 * they may be at the smallest i: at most H_k - 1 (H the harmonic numbers) for the first k with
 * k - H_k >= SS_t, and at most H_t - 1. varianceBound() returns this bound.
 *
 * Clustering. Requests of one user are correlated; the supermartingale above needs them
 * independent. The variance term is then multiplied by the design effect D >= 1 estimated from
 * the per-unit moments (Kish, Survey Sampling, 1965): D SS_t + 1/4 + (H_k - 1). For independent
 * requests this only enlarges V_t (valid as above); for clustered ones the CS behaves like the
 * cluster-robust asymptotic CS once the sample is large, while the range term still keeps a small
 * or zero-variance sample from a narrow interval.
 *
 * Mixture over lambda. A discrete distribution on a geometric grid of lambda in (0, 0.95], with
 * weights from a log-normal density centred where the boundary is tightest at the sample size
 * where decisions are expected (lambda* = sqrt(2 log(1 / alpha) / v*), the sub-Gaussian optimum;
 * Howard et al. 2021, Section 3.5 tune their conjugate mixtures the same way). Any discrete
 * mixture is a valid mixture; the weights only decide where it is tightest.
 *
 * Two arms. The canary's and the baseline's supermartingales multiply (only one of them moves at
 * each observation, so the product of the interleaved sequences is a supermartingale), and the
 * set of (mu_b, mu_c) where the product stays below 2 / alpha, on each side, is a joint
 * confidence region valid at every look. Every contrast mu_c - kappa mu_b is then bounded by
 * projecting that one region, for all kappa at once: kappa = 1 is the absolute change,
 * kappa = 1 + tau the Fieller-type contrast of a relative tolerance, and the relative interval is
 * the range of mu_c / mu_b over the region (Fieller, J. R. Stat. Soc. B 16 (1954)), never a
 * delta-method ratio that uses the observed canary level.
 *
 * One side (`side`). A decision reads one bound per side: a promotion the harm's upper bound, a
 * rollback its lower bound, a limit's breach the bound on the wrong side. Each side's test is
 * one nonnegative supermartingale (one arm: the mixture betting on deviations in that
 * direction; two arms: for the upper bound of mu_c - kappa mu_b, kappa >= 0, the product of the
 * canary's upper-side and the baseline's lower-side mixtures, and the reverse for the lower
 * bound), so Ville's inequality at 1 / alpha bounds that side alone at alpha (Howard et al.
 * 2021, Section 3; Waudby-Smith & Ramdas 2024, Section 4: a one-sided CS is the two-sided one's
 * construction at alpha instead of alpha / 2). With `side`, only that bound is computed, at
 * level 1 / alpha; the other is returned infinite. Without it, both at 2 / alpha as above.
 */
/** The log of the Ville level: 1 / alpha for one side, 2 / alpha for both (alpha / 2 a side). */
const villeLevel = (alpha, side) => Math.log((side ? 1 : 2) / alpha);
/** psi_E(lambda) = -log(1 - lambda) - lambda (Howard et al. 2021, sub-exponential, c = 1). */
function psiE(lambda) {
    return -Math.log1p(-lambda) - lambda;
}
/** Upper bound on H_k (Euler-Maclaurin): H_k < ln k + gamma + 1 / (2k). */
function harmonicUpper(k) {
    if (k <= 50) {
        let h = 0;
        for (let i = 1; i <= k; i++)
            h += 1 / i;
        return h;
    }
    return Math.log(k) + 0.5772156649015329 + 1 / (2 * k);
}
/**
 * Upper bound on V_t = sum (z_i - zhat_i)^2 with zhat_i the running mean (1/2 first), from the
 * sum of squared deviations about the mean, SS, of n values in [0, 1] (see the file comment).
 */
function varianceBound(n, ss, designEffect = 1) {
    if (!(n >= 1))
        return 0;
    const s = Math.max(0, ss);
    // The smallest k with k - H_k >= SS is at most SS + 2 + ln(SS + 2).
    const k = Math.min(n, Math.ceil(s + 2 + Math.log(s + 2)));
    return Math.max(1, designEffect) * s + 0.25 + Math.max(0, harmonicUpper(k) - 1);
}
const LAMBDA_MAX = 0.95;
/** Grid step in log(lambda), and how far (in log-normal sds) the grid reaches below the centre. */
const GRID_STEP = 0.25;
const SPREAD$1 = 1.25;
const BELOW = 6;
/**
 * The mixture over lambda, centred at lambda* = sqrt(2 log(1 / alpha) / v*) with v* = tStar *
 * VARIANCE_GUESS (the variance process expected when decisions are due), log-normal with sd
 * SPREAD in log(lambda): weights are the density times the grid step, normalised by the
 * density's integral, so they sum to at most 1.
 */
function lambdaMixture(alpha, tuning) {
    const vStar = Math.max(1, tuning.tStar) * VARIANCE_GUESS;
    const centre = Math.log(Math.min(LAMBDA_MAX, Math.sqrt((2 * Math.log(1 / alpha)) / vStar)));
    const g = logNormalGrid(centre, Math.log(LAMBDA_MAX), centre - BELOW * SPREAD$1);
    return { lambdas: g.points, logWeights: g.logWeights };
}
/**
 * A discrete mixture's grid: points e^x for x from `top` down to `bottom` in steps of GRID_STEP,
 * weighted by a log-normal density in x centred at `centre` with sd SPREAD (times the step, so
 * the weights sum to at most about 1). Any such weights make a valid mixture; they only decide
 * where it is tightest.
 */
function logNormalGrid(centre, top, bottom) {
    const count = Math.max(1, Math.floor((top - bottom) / GRID_STEP) + 1);
    const points = new Float64Array(count);
    const logWeights = new Float64Array(count);
    const logNorm = Math.log(GRID_STEP / (SPREAD$1 * Math.sqrt(2 * Math.PI)));
    for (let k = 0; k < count; k++) {
        const x = top - k * GRID_STEP;
        points[k] = Math.exp(x);
        const d = (x - centre) / SPREAD$1;
        logWeights[k] = logNorm - 0.5 * d * d;
    }
    return { points, logWeights };
}
/**
 * The variance process expected when decisions are due, per unit of t* (the arm's expected units
 * then, analysis/analyze.ts): about 10 requests a unit, of a variance of about 0.05 on the [0, 1]
 * scale (a quality score's is about 0.02, an error rate's 0.01, a judge's 0.1), so v* = 0.5 t*.
 * Where the mixture is centred, not an assumption of validity: bench/stats.bench.ts shows the
 * widths it gives from 100 to 100,000 requests.
 */
const VARIANCE_GUESS = 0.5;
/**
 * One side of one arm: h(s) = log sum_k w_k exp(lambda_k s - psi_E(lambda_k) V), convex and
 * increasing in s (a deviation of the sum in the tested direction), and its inverse.
 */
class ArmBoundary {
    base;
    lambdas;
    /** The derivative dh/ds at the last point evaluated by h(). */
    slope = 0;
    constructor(mixture, v) {
        this.lambdas = mixture.lambdas;
        this.base = new Float64Array(mixture.lambdas.length);
        for (let k = 0; k < this.base.length; k++) {
            this.base[k] = mixture.logWeights[k] - psiE(mixture.lambdas[k]) * v;
        }
    }
    /**
     * log of the mixture at deviation s (a streaming log-sum-exp, one exp per component); its
     * derivative in s, the mixture-weighted mean of lambda, is left in `slope`.
     */
    h(s) {
        const base = this.base;
        const lambdas = this.lambdas;
        let max = -Infinity;
        let sum = 0;
        let weighted = 0;
        for (let k = 0; k < base.length; k++) {
            const lambda = lambdas[k];
            const e = base[k] + lambda * s;
            if (e > max) {
                const scale = Math.exp(max - e);
                sum = sum * scale + 1;
                weighted = weighted * scale + lambda;
                max = e;
            }
            else {
                const w = Math.exp(e - max);
                sum += w;
                weighted += w * lambda;
            }
        }
        this.slope = weighted / sum;
        return max + Math.log(sum);
    }
    /** The last root found: the next inverse usually starts next to it. */
    last = NaN;
    /**
     * The s with h(s) = level. h is convex and increasing, so Newton's method from any point where
     * h >= level converges monotonically from above (the tangent of a convex function lies below
     * it, so no iterate passes the root): every iterate is a conservative bound, and the last one is
     * within 1e-10 of the root. On return, `slope` is h'(s) at the root (to that precision).
     */
    inverse(level) {
        let s = Number.isFinite(this.last) ? this.last : 1;
        let h = this.h(s);
        for (let step = Math.max(1, Math.abs(s)); h < level; step *= 2) {
            s += step;
            h = this.h(s);
        }
        for (let i = 0; i < 100; i++) {
            const next = s - (h - level) / this.slope;
            if (!(next < s))
                break;
            const done = s - next <= 1e-10 * Math.max(1, Math.abs(s));
            s = next;
            h = this.h(s);
            if (done)
                break;
        }
        this.last = s;
        return s;
    }
}
function scaled(arm, range) {
    const w = range.hi - range.lo;
    const n = arm.n;
    if (!(n >= 1))
        return { n: 0, mean: 0.5, v: 0 };
    const mean = Math.min(1, Math.max(0, (arm.sum / n - range.lo) / w));
    // Sum of squared deviations of z = (x - lo) / w about its mean.
    const ss = Math.max(0, arm.squares - (arm.sum * arm.sum) / n) / (w * w);
    return { n, mean, v: varianceBound(n, ss, arm.designEffect) };
}
/**
 * One arm's CS for its mean, in its own units: valid at every look (alpha split over two sides),
 * or, with `side`, that bound alone valid at alpha (the other infinite; see the file comment).
 */
function boundedCS(arm, range, alpha, tuning, side) {
    const z = scaled(arm, range);
    const w = range.hi - range.lo;
    const lo = side === 'upper' ? -Infinity : range.lo;
    const hi = side === 'lower' ? Infinity : range.hi;
    if (z.n === 0)
        return { estimate: NaN, lower: lo, upper: hi };
    // Both sides' mixtures are the same function of the deviation (psi_E does not depend on its
    // sign), so one inverse gives either bound.
    const boundary = new ArmBoundary(lambdaMixture(alpha, tuning), z.v);
    const s = boundary.inverse(villeLevel(alpha, side));
    return {
        estimate: arm.sum / arm.n,
        lower: side === 'upper' ? lo : range.lo + w * Math.max(0, z.mean - s / z.n),
        upper: side === 'lower' ? hi : range.lo + w * Math.min(1, z.mean + s / z.n)
    };
}
/**
 * The maximum of a concave (or quasi-concave) function on [a, b], from the sign of its derivative
 * `slope` (decreasing through 0 at the maximum): the Illinois variant of regula falsi (Dowell &
 * Jarratt, BIT 11 (1971)), to 1e-9 of the bracket, or an end when the derivative keeps its sign.
 */
function maximise(slope, a, b) {
    if (!(b > a))
        return a;
    let fa = slope(a);
    if (!(fa > 0))
        return a;
    let fb = slope(b);
    if (!(fb < 0))
        return b;
    let side = 0;
    const tolerance = 1e-9 * (b - a);
    for (let i = 0; i < 100 && b - a > tolerance; i++) {
        const x = (a * fb - b * fa) / (fb - fa);
        const fx = slope(x);
        if (fx > 0) {
            a = x;
            fa = fx;
            if (side === 1)
                fb /= 2;
            side = 1;
        }
        else if (fx < 0) {
            b = x;
            fb = fx;
            if (side === -1)
                fa /= 2;
            side = -1;
        }
        else
            return x;
    }
    return (a + b) / 2;
}
/**
 * The two arms on the [0, 1] scale with the boundaries of both sides, built once and projected
 * for as many contrasts as needed.
 */
class JointRegion {
    range;
    side;
    c;
    b;
    level;
    cBoundary;
    bBoundary;
    constructor(baseline, canary, range, alpha, tuning, 
    /**
     * Only this side of the contrasts mu_c - kappa mu_b (kappa >= 0) and of the ratio: the
     * product of the canary's supermartingale on that side and the baseline's on the other, at
     * 1 / alpha (the file comment); the projections return the other bound infinite.
     */
    side) {
        this.range = range;
        this.side = side;
        this.b = scaled(baseline, range);
        this.c = scaled(canary, range);
        this.level = villeLevel(alpha, side);
        this.cBoundary = new ArmBoundary(lambdaMixture(alpha, tuning.canary), this.c.v);
        this.bBoundary = new ArmBoundary(lambdaMixture(alpha, tuning.baseline), this.b.v);
    }
    get empty() {
        return this.b.n === 0 || this.c.n === 0;
    }
    /**
     * The points (mc, mb) on the boundary of one side of the joint region, parametrised by the
     * canary's share l = hc(sc) of the level: the canary's deviation sc taken in the direction
     * `sign`, the baseline's sb = hb^-1(level - l) in the direction `bSign`. Along it sc grows and
     * sb shrinks with l, each the inverse of a convex increasing function: concave. l is kept where
     * both means stay in [0, 1] (the parameter space): from where the baseline reaches its headroom
     * (or the canary the far end of its range) to where the canary reaches its headroom (or the
     * baseline the far end of its own). When both headrooms can be reached at once, the corner is
     * inside the region and is the only point returned.
     */
    boundary(sign, bSign) {
        const { b, c } = this;
        const room = (arm, dir) => (dir > 0 ? arm.n * (1 - arm.mean) : arm.n * arm.mean);
        const cRoom = room(c, sign);
        const cOther = room(c, sign > 0 ? -1 : 1);
        const bRoom = room(b, bSign);
        const bOther = room(b, bSign > 0 ? -1 : 1);
        const cB = this.cBoundary;
        const bB = this.bBoundary;
        const clamp = (m) => Math.min(1, Math.max(0, m));
        if (cB.h(cRoom) + bB.h(bRoom) <= this.level) {
            const corner = {
                mc: clamp(c.mean + (sign * cRoom) / c.n),
                mb: clamp(b.mean + (bSign * bRoom) / b.n),
                dmc: 0,
                dmb: 0
            };
            return { at: () => corner, lo: 0, hi: 0 };
        }
        const lo = Math.max(cB.h(-cOther), this.level - bB.h(bRoom));
        const hi = Math.min(cB.h(cRoom), this.level - bB.h(-bOther));
        /** The point at share l, with dmc/dl and dmb/dl (sc = hc^-1(l), sb = hb^-1(level - l)). */
        const at = (l) => {
            const sc = cB.inverse(l);
            const dsc = 1 / cB.slope;
            const sb = bB.inverse(this.level - l);
            const dsb = -1 / bB.slope;
            return {
                mc: clamp(c.mean + (sign * sc) / c.n),
                mb: clamp(b.mean + (bSign * sb) / b.n),
                dmc: (sign * dsc) / c.n,
                dmb: (bSign * dsb) / b.n
            };
        };
        return { at, lo, hi: Math.max(lo, hi) };
    }
    /**
     * The largest (sign 1) or smallest (sign -1) mc - kappa mb over the region, in rescaled units,
     * and where it is reached: along the side's boundary (the baseline moving against the canary
     * when kappa >= 0), the objective is a sum of concave functions of l, maximised by golden
     * section.
     */
    extreme(kappa, sign) {
        const bSign = kappa >= 0 ? (sign > 0 ? -1 : 1) : sign;
        const edge = this.boundary(sign, bSign);
        const slope = (l) => {
            const p = edge.at(l);
            return sign * (p.dmc - kappa * p.dmb);
        };
        const p = edge.at(maximise(slope, edge.lo, edge.hi));
        return { value: p.mc - kappa * p.mb, mc: p.mc, mb: p.mb };
    }
    /**
     * The largest (sign 1) or smallest (sign -1) ratio mc / mb over the region, for means on the
     * original scale lo + w m: along the side's boundary the numerator is concave and the
     * denominator convex in l (or the reverse for the smallest), so the ratio is unimodal there and
     * its derivative's sign locates the extreme. Infinite (sign 1) where the baseline can reach 0.
     */
    ratioExtreme(sign) {
        const { lo, hi } = this.range;
        const w = hi - lo;
        const floor = 1e-12 * (Math.abs(lo) + w);
        const edge = this.boundary(sign, sign > 0 ? -1 : 1);
        const slope = (l) => {
            const p = edge.at(l);
            const top = lo + w * p.mc;
            const base = lo + w * p.mb;
            // d/dl (top / base) = w (dmc base - top dmb) / base^2; only its sign matters.
            return base > floor ? sign * (p.dmc * base - top * p.dmb) : -1;
        };
        const p = edge.at(maximise(slope, edge.lo, edge.hi));
        const base = lo + w * p.mb;
        return base > floor ? (lo + w * p.mc) / base : sign * Infinity;
    }
}
/**
 * CS for mu_c - kappa mu_b (kappa = 1: the absolute change; 1 + tau: a relative tolerance's
 * linear contrast), in the metric's units, from the joint region (one bound only when the region
 * has a side).
 */
function boundedContrastCS(region, kappa) {
    const { lo, hi } = region.range;
    const w = hi - lo;
    const unscale = (m) => lo + w * m;
    const estimate = unscale(region.c.mean) - kappa * unscale(region.b.mean);
    if (region.empty) {
        return { estimate: NaN, lower: -Infinity, upper: Infinity };
    }
    const up = region.side === 'lower' ? undefined : region.extreme(kappa, 1);
    const down = region.side === 'upper' ? undefined : region.extreme(kappa, -1);
    return {
        estimate,
        lower: down ? unscale(down.mc) - kappa * unscale(down.mb) : -Infinity,
        upper: up ? unscale(up.mc) - kappa * unscale(up.mb) : Infinity
    };
}
/**
 * The range of mu_c / mu_b - 1 over the joint region: the Fieller-type relative interval, the
 * inversion over kappa of the contrasts mu_c - kappa mu_b (the ratio r is in the interval exactly
 * when the contrast at kappa = 1 + r can be 0). Infinite where the region reaches a baseline of 0.
 */
function boundedRatioCS(region) {
    const { lo, hi } = region.range;
    const w = hi - lo;
    const mb = lo + w * region.b.mean;
    const estimate = mb > 0 && !region.empty ? (lo + w * region.c.mean) / mb - 1 : NaN;
    if (region.empty)
        return { estimate, lower: -Infinity, upper: Infinity };
    const upper = region.side === 'lower' ? Infinity : region.ratioExtreme(1);
    const lower = region.side === 'upper' ? -Infinity : region.ratioExtreme(-1);
    return {
        estimate,
        lower: Number.isFinite(lower) ? lower - 1 : -Infinity,
        upper: Number.isFinite(upper) ? upper - 1 : Infinity
    };
}

/**
 * Confidence sequences by betting for a bounded metric whose values take a few known levels: a
 * 0/1 rate (an error rate), or any sketch that carries the count of each distinct value (the
 * judge's pair scores). Tighter than the empirical-Bernstein CS (./bernstein.ts), which replaces
 * log(1 + lambda x) by Fan et al.'s lower bound lambda x - psi_E(lambda) x^2; here the capital
 * uses log(1 + lambda x) itself, computed exactly from the counts.
 *
 * One arm. Values rescaled to z in [0, 1], mean mu. For a candidate mean m and a constant bet
 * lambda with 1 + lambda (z - m) >= 0 for every z in [0, 1],
 *
 *   K_t(m, lambda) = prod_{i <= t} (1 + lambda (z_i - m))
 *
 * is a nonnegative martingale with K_0 = 1 when mu = m (a test martingale: E[z_i - m] = 0), and
 * so is any mixture sum_d w_d K_t(m, lambda_d) with fixed weights summing to at most 1 (a
 * mixture of test martingales is one). Waudby-Smith & Ramdas, "Estimating means of bounded
 * random variables by betting", J. R. Stat. Soc. B 86 (2024), Section 5 and Appendix: the
 * grid-Kelly ("diversified Kelly") capital, constant bets lambda_d = c_d / m on the upper side
 * (lambda_d = -c_d / (1 - m) on the lower side), c_d in (0, 1), averaged. With constant bets the
 * product depends on the data only through the count n_k of each level z_k:
 *
 *   log K_t(m, c / m) = sum_k n_k log(1 - c + c z_k / m),
 *
 * which is nonincreasing in m for every c (each factor is). Ville's inequality, P(exists t:
 * K_t >= 1 / alpha) <= alpha, makes {m : mixture < 1 / alpha} a (1 - alpha) confidence sequence
 * for one side; the lower side is the same construction on 1 - z (K for lambda = -c / (1 - m) is
 * prod (1 - c + c (1 - z_i) / (1 - m))). Two-sided: each side at 2 / alpha.
 *
 * Where the mixture is centred. The weights are a log-normal density over log c on a grid
 * (like ./bernstein.ts's lambdaMixture), centred at c* = lambda* m with lambda* the sub-Gaussian
 * optimum sqrt(2 log(1 / alpha) / (t* sigma^2)) at the expected sample t* and the largest
 * variance a mean m allows, sigma^2 = m (1 - m) (a Bernoulli's: a rate's exactly). The centre
 * depends on m; to keep the capital monotone in m (so that the confidence set's hull is found by
 * bisection, exactly) the weights are held constant on bins of m (a factor of 4 in the odds
 * m / (1 - m)), each bin's mixture a valid mixture for every m in it. The hull of the set (its
 * infimum) is then the smallest root over the bins, scanned in order.
 *
 * Two arms. As in ./bernstein.ts, the canary's and the baseline's martingales multiply (the arms
 * are independent and each moves only with its own observations), so for the upper bound of
 * mu_c - kappa mu_b (kappa >= 0) the set {(m_c, m_b): K^-_c(m_c) K^+_b(m_b) < 1 / alpha} (the
 * canary's lower-side capital, which rejects a canary mean too high, times the baseline's
 * upper-side one) holds the truth at every look with probability 1 - alpha, and the bound is
 * the largest contrast over it; the lower bound mirrors it; two-sided, each at 2 / alpha. The
 * largest contrast is sup over the canary's share l of the level of A(l) - kappa B(level - l),
 * A(l) = sup {m_c : log K^-_c < l}, B = inf {m_b : log K^+_b < level - l}; A and B are monotone in
 * l, so on a cell [l_j, l_j+1] the objective is at most A(l_j+1) - kappa B(level - l_j): the
 * maximum of these cell bounds over a partition (refined where it is largest) is a conservative
 * value of the supremum, never below it. Each capital counts at least e^-3 there (FLOOR: the
 * level rises by 0.1 nats in exchange), or a much larger baseline would widen the region. The relative interval is the range of mu_c / mu_b over
 * the same region (Fieller, J. R. Stat. Soc. B 16 (1954)), by the same cells.
 *
 * Clustering. Requests of one user are correlated; with the design effect D > 1 estimated from
 * the per-unit moments, the counts are divided by D (effective counts, Korn & Graubard, "Confidence
 * intervals for proportions with small expected number of positive counts estimated from survey
 * data", Survey Methodology 24 (1998)), as ./betaBinomial.ts does for ranks: asymptotic, not
 * exact, once D > 1.
 *
 * `side`, as in ./bernstein.ts: one bound only, at 1 / alpha (one test martingale per side).
 */
/** A 0/1 arm (a rate): n requests, `sum` of them 1. */
function binaryArm(n, sum, designEffect = 1) {
    const ones = Math.min(n, Math.max(0, sum));
    return { values: [0, 1], counts: [n - ones, ones], designEffect };
}
function levelsOf(arm, range) {
    const w = range.hi - range.lo;
    const d = Math.max(1, arm.designEffect);
    const keep = arm.values.map((_, k) => k).filter(k => (arm.counts[k] ?? 0) > 0);
    const z = Float64Array.from(keep, k => Math.min(1, Math.max(0, (arm.values[k] - range.lo) / w)));
    const n = Float64Array.from(keep, k => arm.counts[k] / d);
    let total = 0;
    let sum = 0;
    z.forEach((v, k) => {
        total += n[k];
        sum += n[k] * v;
    });
    return { z, n, total, mean: total > 0 ? sum / total : NaN };
}
const reflect = (l) => ({
    z: l.z.map(v => 1 - v),
    n: l.n,
    total: l.total,
    mean: 1 - l.mean
});
/**
 * Requests a unit of t* stands for when the mixture is centred (t* counts the sequence's units,
 * analysis/analyze.ts): about 10, as ./bernstein.ts's VARIANCE_GUESS assumes. Where the mixture
 * is tightest, not a condition of validity.
 */
const REQUESTS_PER_UNIT = 10;
/** Largest bet fraction c (the capital keeps at least 1 - c of itself on the worst outcome). */
const C_MAX = 0.99;
/** Grid step in log c, the log-normal's sd in log c, and its reach in sds on each side. */
const SPREAD = 1.25;
const REACH = 3;
/** Bins of m: a factor of 4 in the odds, from odds e^-LOGIT_MAX to e^LOGIT_MAX. */
const BIN_STEP = Math.log(4);
const LOGIT_MAX = 30;
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
/**
 * The upper-side capital of one arm (bets lambda = c / m, growing when the mean is above m), its
 * log as a function of m, nonincreasing within each bin, and its lower profile: the infimum of
 * {m : log K(m) < l}.
 */
class LowerProfile {
    levels;
    edges;
    grids;
    /** Per bin, the log capital at its upper end (its smallest there), computed when needed. */
    ends;
    constructor(levels, alpha, tuning) {
        this.levels = levels;
        const log1a = Math.log(1 / alpha);
        const tau = Math.max(1, REQUESTS_PER_UNIT * tuning.tStar);
        this.edges = [0];
        for (let x = -LOGIT_MAX + BIN_STEP; x < LOGIT_MAX; x += BIN_STEP)
            this.edges.push(sigmoid(x));
        this.edges.push(1);
        this.grids = [];
        for (let j = 0; j + 1 < this.edges.length; j++) {
            // The bin's centre in log-odds, away from the open ends.
            const lo = j === 0 ? -LOGIT_MAX : Math.log(this.edges[j] / (1 - this.edges[j]));
            const m = sigmoid(lo + BIN_STEP / 2);
            this.grids.push(grid(Math.sqrt((2 * log1a * m) / ((1 - m) * tau))));
        }
        this.ends = new Array(this.grids.length).fill(NaN);
    }
    end(j) {
        let v = this.ends[j];
        if (Number.isNaN(v))
            this.ends[j] = v = this.phi(j, this.edges[j + 1]);
        return v;
    }
    /** log of bin j's mixture capital at m (> 0). */
    phi(j, m) {
        const { z, n } = this.levels;
        const { c, logW } = this.grids[j];
        let max = -Infinity;
        let sum = 0;
        for (let d = 0; d < c.length; d++) {
            const cd = c[d];
            let e = logW[d];
            for (let k = 0; k < z.length; k++)
                e += n[k] * Math.log1p(cd * (z[k] / m - 1));
            if (e > max) {
                sum = sum * Math.exp(max - e) + 1;
                max = e;
            }
            else
                sum += Math.exp(e - max);
        }
        return max + Math.log(sum);
    }
    /** The smallest log capital over all m (the set {log K < l} is empty for l at or below it). */
    get minimum() {
        let min = Infinity;
        for (let j = 0; j < this.ends.length; j++)
            min = Math.min(min, this.end(j));
        return min;
    }
    /**
     * inf {m in [0, 1] : log K(m) < l}: the first bin whose capital drops below l by its end, and
     * there the root by bisection, returned from the side where the capital is still >= l (so at
     * most the true infimum). NaN when no m qualifies.
     */
    at(l) {
        if (this.levels.total === 0)
            return l > this.minimum ? 0 : NaN;
        for (let j = 0; j < this.ends.length; j++) {
            if (!(this.end(j) < l))
                continue;
            let lo = this.edges[j];
            let hi = this.edges[j + 1];
            if (j === 0 || this.phi(j, lo) < l)
                return j === 0 ? 0 : lo;
            // Illinois (Dowell & Jarratt, BIT 11 (1971)) on phi - l, decreasing in m, keeping the
            // bracket [lo, hi] with phi(lo) >= l > phi(hi).
            let flo = this.phi(j, lo) - l;
            let fhi = this.end(j) - l;
            let kept = 0;
            for (let i = 0; i < 100 && hi - lo > 1e-12 + 1e-8 * hi; i++) {
                const x = Math.min(hi, Math.max(lo, (lo * fhi - hi * flo) / (fhi - flo)));
                const mid = x > lo && x < hi ? x : 0.5 * (lo + hi);
                const fm = this.phi(j, mid) - l;
                if (fm < 0) {
                    hi = mid;
                    fhi = fm;
                    if (kept === -1)
                        flo /= 2;
                    kept = -1;
                }
                else {
                    lo = mid;
                    flo = fm;
                    if (kept === 1)
                        fhi /= 2;
                    kept = 1;
                }
            }
            return lo;
        }
        return NaN;
    }
}
/** A bin's mixture over c: log-normal in log c centred at `centre`, on a grid, weights <= 1. */
function grid(centre) {
    const mid = Math.log(Math.min(C_MAX, Math.max(1e-12, centre)));
    const top = Math.min(Math.log(C_MAX), mid + REACH * SPREAD);
    const g = logNormalGrid(mid, top, mid - REACH * SPREAD);
    return { c: g.points, logW: g.logWeights };
}
/** The log of the Ville level: 1 / alpha for one side, 2 / alpha for both. */
const levelOf = (alpha, side) => Math.log((side ? 1 : 2) / alpha);
/**
 * Levels rounded down to a grid of 1 / (max - 1), when there are more than `max` of them (the
 * judge's length-adjusted scores are nearly all distinct). Rounding down only lowers every factor
 * 1 - c + c z / m of the upper-side capital, so the capital, and the lower bound it gives, can only
 * move toward the safe side; the reflected (lower-side) capital is rounded on 1 - z, the same way.
 * The price is at most 1 / (max - 1) of the range on each bound.
 */
function coarsened(l, max) {
    if (!(l.z.length > max))
        return l;
    const g = max - 1;
    const n = new Float64Array(max);
    l.z.forEach((v, k) => (n[Math.floor(v * g)] += l.n[k]));
    const keep = [...n.keys()].filter(k => n[k] > 0);
    return {
        z: Float64Array.from(keep, k => k / g),
        n: Float64Array.from(keep, k => n[k]),
        total: l.total,
        mean: l.mean
    };
}
/** Two arms' capitals at most this many levels each (the joint region costs many evaluations). */
const REGION_LEVELS = 257;
/** Both sides of one arm: lower(l) = inf {m : K+ < l}, upper(l) = sup {m : K- < l}. */
class ArmProfiles {
    alpha;
    tuning;
    maxLevels;
    levels;
    built;
    constructor(arm, range, alpha, tuning, 
    /** At most this many levels in each capital (coarsened toward the safe side beyond). */
    maxLevels = Infinity) {
        this.alpha = alpha;
        this.tuning = tuning;
        this.maxLevels = maxLevels;
        this.levels = levelsOf(arm, range);
    }
    /** Each side's profile, built on first use (a one-sided bound needs one per arm). */
    get plus() {
        this.built ??= {};
        return (this.built.plus ??= new LowerProfile(coarsened(this.levels, this.maxLevels), this.alpha, this.tuning));
    }
    get minus() {
        this.built ??= {};
        return (this.built.minus ??= new LowerProfile(coarsened(reflect(this.levels), this.maxLevels), this.alpha, this.tuning));
    }
    lower(l) {
        return this.plus.at(l);
    }
    upper(l) {
        return 1 - this.minus.at(l);
    }
    get minLower() {
        return this.plus.minimum;
    }
    get minUpper() {
        return this.minus.minimum;
    }
}
/**
 * One arm's CS for its mean, in its own units: valid at every look (alpha split over two sides),
 * or, with `side`, that bound alone valid at alpha (the other infinite).
 */
function bettingCS(arm, range, alpha, tuning, side) {
    const p = new ArmProfiles(arm, range, alpha, tuning);
    const w = range.hi - range.lo;
    const level = levelOf(alpha, side);
    const total = arm.counts.reduce((a, b) => a + b, 0);
    const sum = arm.values.reduce((a, v, k) => a + v * (arm.counts[k] ?? 0), 0);
    const estimate = total > 0 ? sum / total : NaN;
    const lo = side === 'upper' ? -Infinity : range.lo;
    const hi = side === 'lower' ? Infinity : range.hi;
    if (!(total > 0))
        return { estimate, lower: lo, upper: hi };
    const l = side === 'upper' ? NaN : p.lower(level);
    const u = side === 'lower' ? NaN : p.upper(level);
    return {
        estimate,
        // An empty side (the capital above the level everywhere: probability at most alpha) is
        // reported as the estimate.
        lower: side === 'upper' ? lo : range.lo + w * (Number.isNaN(l) ? p.levels.mean : l),
        upper: side === 'lower' ? hi : range.lo + w * (Number.isNaN(u) ? p.levels.mean : u)
    };
}
/**
 * How far below 1 an arm's capital may count in the joint region, in log: a test martingale K
 * far below 1 (an arm with many requests, at a mean where its bets lose) would let the other arm
 * stray as far above the level, and with a 100 times larger baseline the region's projection
 * widens several-fold. Each arm's capital is floored at e^-FLOOR, and the level raised by
 * 2 log(1 + e^-FLOOR) (0.1 nats for 3): K' = (e^-FLOOR + K) / (1 + e^-FLOOR) is a test martingale
 * (a mixture of the constant 1 and K), max(K, e^-FLOOR) <= (1 + e^-FLOOR) K', so
 * {max(log K_c, -FLOOR) + max(log K_b, -FLOOR) >= level + 2 log(1 + e^-FLOOR)} lies within
 * {K'_c K'_b >= e^level}, of probability at most e^-level by Ville's inequality.
 */
const FLOOR = 3;
/** The two arms' profiles, built once and projected for as many contrasts as needed. */
class BettingRegion {
    range;
    side;
    b;
    c;
    level;
    constructor(baseline, canary, range, alpha, tuning, 
    /** Only this side of the contrasts (kappa >= 0) and of the ratio, at 1 / alpha. */
    side) {
        this.range = range;
        this.side = side;
        this.b = new ArmProfiles(baseline, range, alpha, tuning.baseline, REGION_LEVELS);
        this.c = new ArmProfiles(canary, range, alpha, tuning.canary, REGION_LEVELS);
        this.level = levelOf(alpha, side) + 2 * Math.log1p(Math.exp(-FLOOR));
    }
    get empty() {
        return this.b.levels.total === 0 || this.c.levels.total === 0;
    }
    /** The arms' means on the [0, 1] scale. */
    get means() {
        return { baseline: this.b.levels.mean, canary: this.c.levels.mean };
    }
    /**
     * The largest (sign 1) or smallest (sign -1) value of f(m_c, m_b), f increasing in m_c and
     * decreasing in m_b, over the side's region (see the file comment): cell bounds over the
     * canary's share l of the level, refined three times around the extreme cell.
     */
    extreme(sign, f) {
        const A = (l) => (sign > 0 ? this.c.upper(l) : this.c.lower(l));
        const B = (l) => (sign > 0 ? this.b.lower(l) : this.b.upper(l));
        // The shares are kept within [-FLOOR, level + FLOOR] (see FLOOR).
        const from = Math.max(-FLOOR, sign > 0 ? this.c.minUpper : this.c.minLower);
        const to = Math.min(this.level + FLOOR, this.level - (sign > 0 ? this.b.minLower : this.b.minUpper));
        if (!(to > from))
            return NaN;
        const memo = (g) => {
            const seen = new Map();
            return (l) => {
                let v = seen.get(l);
                if (v === undefined)
                    seen.set(l, (v = g(l)));
                return v;
            };
        };
        const mA = memo(A);
        const mB = memo(B);
        // On [a, z]: A is largest (sign 1; smallest, sign -1) at z, B's argument level - l at a.
        const cell = (a, z) => {
            const mc = mA(z);
            const mb = mB(this.level - a);
            return Number.isNaN(mc) || Number.isNaN(mb) ? -sign * Infinity : f(mc, mb);
        };
        const split = (a, z, parts) => Array.from({ length: parts }, (_, i) => {
            const x = a + ((z - a) * i) / parts;
            const y = i + 1 === parts ? z : a + ((z - a) * (i + 1)) / parts;
            return { a: x, z: y, v: cell(x, y) };
        });
        // Any partition gives a conservative value; the optimum is usually where both capitals are
        // near or above 1 (l between 0 and the level), so the first cells are finest there.
        // Outside it, cuts at doubling distances: a capital can be far below 1 (log K of order -n),
        // and one wide cell there would pair the canary's bound at its top with the baseline's at
        // its bottom.
        const low = Math.max(from, -1);
        const high = Math.min(to, this.level + 1);
        const cuts = [];
        for (let d = 1; low - d > from; d *= 2)
            cuts.unshift(low - d);
        cuts.unshift(from);
        for (let k = 0; k <= 12 && high > low; k++)
            cuts.push(low + ((high - low) * k) / 12);
        for (let d = 1; high + d < to; d *= 2)
            cuts.push(high + d);
        cuts.push(to);
        let cells = cuts.slice(1).flatMap((z, i) => {
            const a = cuts[i];
            return z > a ? split(a, z, 1) : [];
        });
        const better = (x, y) => (sign > 0 ? x.v > y.v : x.v < y.v);
        // The value at a cut l, f(A(l), B(level - l)), is attained: the extreme lies between the
        // best of these and the best cell bound. Refine the best cell until they agree to 0.5% of
        // the bound's distance from the estimate.
        const at = (l) => {
            const mc = mA(l);
            const mb = mB(this.level - l);
            return Number.isNaN(mc) || Number.isNaN(mb) ? -sign * Infinity : f(mc, mb);
        };
        const centre = f(this.c.levels.mean, this.b.levels.mean);
        for (let round = 0; round < 60; round++) {
            const best = cells.reduce((x, y) => (better(y, x) ? y : x));
            if (!Number.isFinite(best.v))
                break;
            const reached = cells.reduce((v, x) => {
                const y = at(x.a);
                return sign > 0 ? Math.max(v, y) : Math.min(v, y);
            }, at(to));
            if (Math.abs(best.v - reached) <= 5e-3 * Math.abs(best.v - centre))
                break;
            cells = [...cells.filter(x => x !== best), ...split(best.a, best.z, 4)];
        }
        return cells.reduce((x, y) => (better(y, x) ? y : x)).v;
    }
}
/**
 * CS for mu_c - kappa mu_b (kappa >= 0), in the metric's units, from the betting region (one
 * bound only when the region has a side).
 */
function bettingContrastCS(region, kappa) {
    const { lo, hi } = region.range;
    const w = hi - lo;
    const un = (m) => lo + w * m;
    const { baseline, canary } = region.means;
    const estimate = un(canary) - kappa * un(baseline);
    if (region.empty)
        return { estimate: NaN, lower: -Infinity, upper: Infinity };
    return regionEnds(region, estimate, (mc, mb) => un(mc) - kappa * un(mb));
}
/**
 * The extremes of f(mu_c, mu_b) over the region, the end a side leaves out infinite; an extreme
 * that cannot be computed (NaN) is the estimate.
 */
function regionEnds(region, estimate, f) {
    const upper = region.side === 'lower' ? Infinity : region.extreme(1, f);
    const lower = region.side === 'upper' ? -Infinity : region.extreme(-1, f);
    return {
        estimate,
        lower: Number.isNaN(lower) ? estimate : lower,
        upper: Number.isNaN(upper) ? estimate : upper
    };
}
/**
 * The range of mu_c / mu_b - 1 over the betting region: the Fieller-type relative interval, for
 * a metric with a nonnegative range. Infinite where the region reaches a baseline of 0.
 */
function bettingRatioCS(region) {
    const { lo, hi } = region.range;
    const w = hi - lo;
    const un = (m) => lo + w * m;
    const { baseline, canary } = region.means;
    const estimate = !region.empty && un(baseline) > 0 ? un(canary) / un(baseline) - 1 : NaN;
    if (region.empty)
        return { estimate, lower: -Infinity, upper: Infinity };
    const floor = 1e-12 * (Math.abs(lo) + w);
    return regionEnds(region, estimate, (mc, mb) => un(mb) > floor ? un(mc) / un(mb) - 1 : un(mc) > 0 ? Infinity : -1);
}

/**
 * The standard normal distribution: its CDF (through Cody's erfc) and its quantile function
 * (Wichura's AS241). Both are accurate to about 1e-15 relative, far inside the 1e-9 the
 * confidence sequences need.
 */
const SQRT_HALF = Math.SQRT1_2;
/** 1 / sqrt(pi). */
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** erfc(x) underflows to 0 beyond this (Cody's XBIG for IEEE double). */
const ERFC_ZERO_BEYOND = 26.543;
/*
 * W. J. Cody, "Rational Chebyshev approximations for the error function", Mathematics of
 * Computation 23 (1969) 631-637; coefficients as in his SPECFUN routine CALERF (netlib),
 * written as the nearest doubles of the published 18-digit values.
 */
const ERF_A = [
    3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315
];
const ERF_B = [
    23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171
];
const ERFC_C = [
    0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
    1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8
];
const ERFC_D = [
    15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
    4362.619090143247, 3439.3676741437216, 1230.3393548037495
];
const ERFC_P = [
    0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
    0.0006587491615298378, 0.016315387137302097
];
const ERFC_Q = [
    2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
    0.0023352049762686918
];
/** erf(y) for 0 <= y <= 0.46875 (CALERF, first interval). */
function erfSmall(y) {
    const ysq = y * y;
    let num = ERF_A[4] * ysq;
    let den = ysq;
    for (let i = 0; i < 3; i++) {
        num = (num + ERF_A[i]) * ysq;
        den = (den + ERF_B[i]) * ysq;
    }
    return (y * (num + ERF_A[3])) / (den + ERF_B[3]);
}
/** erfc(y) * exp(y^2) for 0.46875 < y <= 4 (CALERF, second interval). */
function erfcxMiddle(y) {
    let num = ERFC_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
        num = (num + ERFC_C[i]) * y;
        den = (den + ERFC_D[i]) * y;
    }
    return (num + ERFC_C[7]) / (den + ERFC_D[7]);
}
/** erfc(y) * exp(y^2) for y > 4 (CALERF, third interval: an expansion in 1/y^2). */
function erfcxTail(y) {
    const z = 1 / (y * y);
    let num = ERFC_P[5] * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
        num = (num + ERFC_P[i]) * z;
        den = (den + ERFC_Q[i]) * z;
    }
    const r = (z * (num + ERFC_P[4])) / (den + ERFC_Q[4]);
    return (ONE_OVER_SQRT_PI - r) / y;
}
/** erfc(y) for y >= 0, with full relative accuracy in the tail. */
function erfcNonNegative(y) {
    if (y <= 0.46875)
        return 1 - erfSmall(y);
    if (y >= ERFC_ZERO_BEYOND)
        return 0;
    const scaled = y <= 4 ? erfcxMiddle(y) : erfcxTail(y);
    // exp(-y^2) split as exp(-ysq^2) * exp(-(y - ysq)(y + ysq)) to keep its last bits (CALERF).
    const ysq = Math.trunc(y * 16) / 16;
    const del = (y - ysq) * (y + ysq);
    return Math.exp(-ysq * ysq) * Math.exp(-del) * scaled;
}
/** Complementary error function erfc(x) = 1 - erf(x). */
function erfc(x) {
    if (Number.isNaN(x))
        return NaN;
    return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
}
/**
 * Standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2. Through erfc, so the lower tail keeps its
 * relative accuracy (Phi(-10) is about 7.6e-24, not 0).
 */
function normalCdf(x) {
    return 0.5 * erfc(-x * SQRT_HALF);
}
/*
 * M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
 * Applied Statistics 37 (1988) 477-484: PPND16, accurate to about 1e-16. Coefficients written as
 * the nearest doubles of the published 20-digit values.
 */
const CENTRAL_NUM = [
    3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
    67265.7709270087, 33430.57558358813, 2509.0809287301227
];
const CENTRAL_DEN = [
    1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
    28729.085735721943, 5226.495278852854
];
const NEAR_NUM = [
    1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
    0.2417807251774506, 0.022723844989269184, 0.0007745450142783414
];
const NEAR_DEN = [
    1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
    0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9
];
const FAR_NUM = [
    6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
    0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7
];
const FAR_DEN = [
    1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
    0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15
];
/** c[0] + c[1] r + ... + c[7] r^7 by Horner's rule. */
function polynomial(c, r) {
    let sum = 0;
    for (let i = c.length - 1; i >= 0; i--)
        sum = sum * r + c[i];
    return sum;
}
/**
 * Standard normal quantile Phi^-1(p). p = 0 gives -Infinity, p = 1 gives +Infinity, and p
 * outside [0, 1] gives NaN.
 */
function normalQuantile(p) {
    if (!(p >= 0 && p <= 1))
        return NaN;
    if (p === 0)
        return -Infinity;
    if (p === 1)
        return Infinity;
    const q = p - 0.5;
    if (Math.abs(q) <= 0.425) {
        const r = 0.180625 - q * q;
        return (q * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r);
    }
    const tail = q < 0 ? p : 1 - p;
    const r = Math.sqrt(-Math.log(tail));
    const x = r <= 5
        ? polynomial(NEAR_NUM, r - 1.6) / polynomial(NEAR_DEN, r - 1.6)
        : polynomial(FAR_NUM, r - 5) / polynomial(FAR_DEN, r - 5);
    return q < 0 ? -x : x;
}

/**
 * log Gamma(x) by the Lanczos approximation, g = 7 with 9 coefficients (C. Lanczos, "A precise
 * approximation of the gamma function", SIAM J. Numer. Anal. B 1 (1964) 86-96; this coefficient
 * set is the one in Press et al., Numerical Recipes, and in Paul Godfrey's tables), with the
 * reflection formula Gamma(x) Gamma(1 - x) = pi / sin(pi x) below 1/2.
 *
 * Relative error about 1e-15. For large x the result is a difference of terms of size x log x,
 * so its absolute error grows like x log x * 2^-53 (about 2e-6 at x = 1e9): enough for the
 * log Bayes factors of the sample-ratio test, which compare against log(1 / alpha).
 */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7
];
const HALF_LOG_TWO_PI = 0.9189385332046728;
/** log |Gamma(x)|; +Infinity at the poles x = 0, -1, -2, ... */
function lgamma(x) {
    if (Number.isNaN(x))
        return NaN;
    if (x === Infinity)
        return Infinity;
    if (x <= 0 && Number.isInteger(x))
        return Infinity;
    if (x < 0.5) {
        // Reflection: log|Gamma(x)| = log(pi / |sin(pi x)|) - log Gamma(1 - x).
        return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
    }
    const z = x - 1;
    let series = LANCZOS_COEFFICIENTS[0];
    for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
        series += LANCZOS_COEFFICIENTS[i] / (z + i);
    }
    const t = z + LANCZOS_G + 0.5;
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), in logs, with its
 * complement 1 - I_x(a, b) = I_{1 - x}(b, a): both tails accurate when they are tiny, for a and b
 * from below 1 to millions (the one-sided beta-binomial mixtures of cs/betaBinomial.ts need the
 * prior's and the posterior's mass on one side of q).
 *
 * The continued fraction for I_x(a, b) (Abramowitz & Stegun 26.5.8; Press, Teukolsky, Vetterling
 * & Flannery, Numerical Recipes, 3rd ed., 2007, Section 6.4, eq. 6.4.5), evaluated by the modified
 * Lentz method (Thompson & Barnett, "Coulomb and Bessel functions of complex arguments and
 * order", J. Comput. Phys. 64 (1986)). It converges fast for x < (a + 1) / (a + b + 2); past that
 * point the complement is computed instead, and the other tail is log1p(-exp(...)) of it. Near
 * the mean it needs O(sqrt(max(a, b))) terms.
 */
const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 1_000_000;
function logBeta$2(a, b) {
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}
/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf), without its prefactor. */
function continuedFraction(x, a, b) {
    const qab = a + b;
    const qap = a + 1;
    const qam = a - 1;
    const guard = (v) => (Math.abs(v) < TINY ? TINY : v);
    let c = 1;
    let d = 1 / guard(1 - (qab * x) / qap);
    let h = d;
    for (let m = 1; m <= MAX_TERMS; m++) {
        const m2 = 2 * m;
        let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
        d = 1 / guard(1 + aa * d);
        c = guard(1 + aa / c);
        h *= d * c;
        aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
        d = 1 / guard(1 + aa * d);
        c = guard(1 + aa / c);
        const step = d * c;
        h *= step;
        if (Math.abs(step - 1) < EPSILON)
            return h;
    }
    return h;
}
/** log of the tail the continued fraction computes well: I_x(a, b) for x < (a + 1) / (a + b + 2). */
function logSmallTail(x, a, b) {
    const front = a * Math.log(x) + b * Math.log1p(-x) - logBeta$2(a, b) - Math.log(a);
    return front + Math.log(continuedFraction(x, a, b));
}
/** log I_x(a, b) and log(1 - I_x(a, b)), a, b > 0. */
function logRegularizedBeta(x, a, b) {
    if (!(a > 0 && b > 0))
        throw new RangeError(`beta parameters must be positive, got ${a}, ${b}`);
    if (!(x > 0))
        return { lower: -Infinity, upper: 0 };
    if (!(x < 1))
        return { lower: 0, upper: -Infinity };
    if (x < (a + 1) / (a + b + 2)) {
        const lower = logSmallTail(x, a, b);
        return { lower, upper: log1mExp(lower) };
    }
    const upper = logSmallTail(1 - x, b, a);
    return { lower: log1mExp(upper), upper };
}
/** log(1 - e^v) for v <= 0, accurate near both ends (Maechler, "Accurately computing log(1 - exp(-|a|))", 2012). */
function log1mExp(v) {
    if (v >= 0)
        return -Infinity;
    return v > -Math.LN2 ? Math.log(-Math.expm1(v)) : Math.log1p(-Math.exp(v));
}

/**
 * Confidence sequences (CS): intervals valid at every look simultaneously, so the gate may look
 * as often as it likes (DESIGN.md, "Statistics contract").
 *
 * The sequences in this folder build on the two-sided normal-mixture boundary of Robbins (1970), in the form of
 * Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Annals of Statistics 49 (2021): for a sum S_t of t terms with variance sigma^2 each,
 * P(exists t: |S_t| >= sigma * sqrt(2 (t rho^2 + 1) / rho^2 * log(sqrt(t rho^2 + 1) / alpha)))
 * <= alpha. Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and
 * asymptotic confidence sequences", Annals of Statistics 52 (2024), Section 2, show that the same
 * boundary with the empirical variance is an asymptotic CS for any i.i.d. mean with a finite
 * variance, and (their section on randomized experiments) for the average treatment effect
 * through its inverse-propensity-weighted influence function.
 */
function assertAlpha(alpha) {
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}
function assertTStar(tStar) {
    if (!(tStar > 0 && Number.isFinite(tStar))) {
        throw new RangeError(`tStar must be a positive number, got ${tStar}`);
    }
}
/**
 * The mixture parameter rho that makes the two-sided normal-mixture boundary (csRadius) tightest
 * at t = tStar. With u = tStar rho^2, the radius at tStar is proportional to
 * (1 + 1/u) (log(1 + u) / 2 - log alpha), whose minimum solves u = log(1 + u) - 2 log alpha.
 * Howard et al. (2021) and Waudby-Smith et al. (2024) give the closed-form approximation
 * u = -2 log alpha + log(1 - 2 log alpha) (one fixed-point step from u = -2 log alpha); we start
 * Newton's method there and return the exact minimiser (they differ by about 3%).
 */
function mixtureRho(alpha, tStar) {
    assertAlpha(alpha);
    assertTStar(tStar);
    const c = -2 * Math.log(alpha);
    let u = c + Math.log(1 + c);
    for (let i = 0; i < 50; i++) {
        // Newton on h(u) = u - log(1 + u) - c, h'(u) = u / (1 + u); h is convex and increasing.
        const step = ((u - Math.log1p(u) - c) * (1 + u)) / u;
        u -= step;
        if (Math.abs(step) <= 1e-15 * u)
            break;
    }
    return Math.sqrt(u / tStar);
}
/**
 * Half-width of the normal-mixture CS for a mean after t observations of standard deviation
 * sigma: sigma * sqrt(2 (t rho^2 + 1) / (t^2 rho^2) * log(sqrt(t rho^2 + 1) / alpha)), valid at
 * every t simultaneously (Howard et al. 2021, normal mixture; Waudby-Smith et al. 2024, the
 * Gaussian-mixture asymptotic CS). Infinity before the first observation.
 */
function csRadius(t, sigma, alpha, rho) {
    assertAlpha(alpha);
    if (!(t > 0))
        return Infinity;
    const v = t * rho * rho + 1;
    return sigma * Math.sqrt(((2 * v) / (t * t * rho * rho)) * Math.log(Math.sqrt(v) / alpha));
}
/**
 * The boundary's multiplier of the standard error after t observations: the half-width of the
 * normal-mixture CS is se * boundaryMultiplier(...), with se the standard error of the estimate.
 * Two-sided: sqrt(t) * csRadius(t, 1, alpha, rho) with rho tuned at tStar (mixtureRho).
 *
 * One side (`oneSided`): the one-sided normal mixture of Howard et al. (2021), the prior on the
 * slope restricted to one side (a half-normal): with u = t rho^2 and x the standardised sum,
 *   log M = log 2 - log(1 + u) / 2 + x^2 / 2 + log Phi(x)
 * (confseq's OneSidedNormalMixture::log_superMG, in the variance time v = t, rho^2 the prior's
 * precision per observation), a nonnegative martingale, so its end is valid alone at alpha
 * (Ville). The multiplier is x sqrt(1 + 1/u) for the x with log M = log(1 / alpha), about the
 * two-sided one at 2 alpha; rho is tuned as the two-sided mixture at 2 alpha (confseq's
 * OneSidedNormalMixture::best_rho). As an asymptotic CS (Waudby-Smith et al. 2024) the same
 * reading of the estimator's standard error applies.
 */
function boundaryMultiplier(t, alpha, tStar, oneSided = false) {
    assertAlpha(alpha);
    if (!(t > 0))
        return Infinity;
    if (!oneSided)
        return Math.sqrt(t) * csRadius(t, 1, alpha, mixtureRho(alpha, tStar));
    const rho = mixtureRho(Math.min(0.5, 2 * alpha), tStar);
    const u = t * rho * rho;
    // Solve x^2 / 2 + log Phi(x) = c, increasing in x (its derivative x + phi(x) / Phi(x) > 0).
    const c = -Math.log(2 * alpha) + Math.log1p(u) / 2;
    const f = (x) => (x * x) / 2 + Math.log(normalCdf(x)) - c;
    let lo = 0;
    let hi = Math.sqrt(2 * Math.max(c, 0)) + 2;
    while (f(hi) < 0)
        hi *= 2;
    for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
        const mid = (lo + hi) / 2;
        if (f(mid) < 0)
            lo = mid;
        else
            hi = mid;
    }
    return hi * Math.sqrt(1 + 1 / u);
}

/**
 * The beta-binomial mixture boundary for ranks: the confidence sequences for quantiles in
 * quantile.ts are built on it.
 *
 * At the true q-quantile x_q of a distribution, the indicators 1{X_i <= x_q} are Bernoulli(q)
 * (for a continuous distribution; with atoms see quantile.ts). Against the point null q, the
 * likelihood ratio mixed over a Beta prior on the success probability p',
 *
 *   M_t = integral (p'/q)^k ((1 - p')/(1 - q))^(t - k) dBeta(p'; r/(1 - q), r/q)
 *       = B(r/q + t - k, r/(1 - q) + k) / B(r/q, r/(1 - q)) / (q^k (1 - q)^(t - k)),
 *
 * after t observations of which k were at or below x_q, is a nonnegative martingale with M_0 = 1,
 * so by Ville's inequality P(exists t: M_t >= 1/alpha) <= alpha: {k : M_t(k) < 1/alpha} is a
 * two-sided confidence sequence for the count, exact for every t, with no normal approximation.
 * This is the beta-binomial conjugate mixture of Howard, Ramdas, McAuliffe & Sekhon,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of Statistics 49
 * (2021), their mixture boundary for sub-Bernoulli processes with range parameters g = q,
 * h = 1 - q (the centred sum is S_t = k - t q, the intrinsic time V_t = t q (1 - q), and the
 * prior's mean is q), which Howard &
 * Ramdas, "Sequential estimation of quantiles with applications to A/B-testing and best-arm
 * identification", Bernoulli 28 (2022), use for a fixed quantile. Written out, log M_t is
 * exactly log_superMG of confseq's BetaBinomialMixture (two-sided) with s = k - t q,
 * v = t q (1 - q), g = q, h = 1 - q; test/quantile-cs.test.ts checks the numbers against it.
 *
 * Unlike the normal mixture with variance q (1 - q), which is not a valid sub-Gaussian bound for
 * Bernoulli(q) when q != 1/2 (Bernoulli(q)'s optimal sub-Gaussian variance factor is
 * (1 - 2q) / (2 log((1 - q) / q)), ten times q (1 - q) at q = 0.99; issue 12 measured a 3.8% miss
 * rate at alpha = 2.5% for q = 0.99 from n = 30), this mixture is exact at every t.
 *
 * Tuning: the prior parameter r sets where the boundary is tightest. With the natural parameter
 * lambda = logit(p') - logit(q), a Beta prior with parameter r has
 * Var(lambda) ~ 1 / (r + q (1 - q)), the precision rho of the normal mixture in intrinsic time
 * (log M = log(rho / (V + rho)) / 2 + S^2 / (2 (V + rho))); so r = rho - q (1 - q), with
 * rho = V* / u for the u that makes the normal
 * mixture tightest at V* = t* q (1 - q) (mixture.ts, mixtureRho). This is the same matching
 * confseq's BetaBinomialMixture::optimal_r uses (r = rho - g h, floored at 1e-3 g h).
 *
 * One side. A decision reads one end of an interval only (a promotion the upper end of the harm,
 * a rollback the lower end), and an end is valid at alpha from a mixture whose prior sits on that
 * side of q alone: the one-sided beta-binomial mixture (Howard et al. 2021, the prior restricted
 * to one side and renormalised; confseq's BetaBinomialMixture with is_one_sided, the incomplete
 * beta function at 1 - q). Its level is about that of the two-sided mixture at 2 alpha. Any prior
 * is a valid mixture, so RankMixture takes a weight w on the side that matters: the prior's mass
 * on that side scaled to w, on the other to 1 - w (w = 1: one-sided; w = the prior's own mass:
 * the two-sided mixture). A two-arm region needs w < 1: with nothing on the other side, one arm's
 * factor falls to 0 far on that side, and the product, then bounded by the other arm alone, lets
 * the other arm's quantile reach infinity (quantile.ts).
 *
 * Clustered observations (requests of one user): counts are divided by the design effect D of
 * the indicator (analysis/designEffect.ts), the effective-sample-size device of Korn & Graubard,
 * "Confidence intervals for proportions with small expected number of positive counts estimated
 * from survey data", Survey Methodology 24 (1998) 193-201: the beta-binomial boundary is applied
 * to k / D successes in t / D trials. With D = 1 it is exact; with D > 1 it is asymptotic (the
 * cluster-level central limit theorem, as in the asymptotic confidence sequences of
 * Waudby-Smith et al. 2024), the same status as the CSs for means.
 */
/** log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b). */
function logBeta$1(a, b) {
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}
/**
 * The prior parameter r of the beta-binomial mixture whose normal-mixture equivalent has
 * u = V* / rho at V* = tStar q (1 - q): rho = V* / u, r = rho - q (1 - q), floored at
 * 1e-3 q (1 - q) (a vanishing prior, u very large, is no boundary at all).
 */
function betaBinomialR(q, tStar, u) {
    const g = q * (1 - q);
    return Math.max((tStar * g) / u - g, 1e-3 * g);
}
/**
 * u = V* / rho for one arm's confidence sequence: the normal mixture tightest at t* (mixture.ts;
 * Howard et al. 2021 and Waudby-Smith et al. 2024 give the same optimum in closed form).
 */
function oneArmU(alpha) {
    // mixtureRho(alpha, tStar) = sqrt(u / tStar), so with tStar = 1 it is sqrt(u).
    const rho = mixtureRho(alpha, 1);
    return rho * rho;
}
/**
 * The half-width, in standard errors, of the projection onto x_c - x_b of the product region
 * {z_b^2 u_b / (1 + u_b) - log(1 + u_b) + z_c^2 u_c / (1 + u_c) - log(1 + u_c) < 2 log(1/alpha)}
 * (two normal mixtures in the normal approximation), where each arm's standard error squared is
 * proportional to 1 / t*_arm:
 * sqrt(sum s_i^2 (1 + u_i) / u_i) sqrt(2 log(1/alpha) + sum log(1 + u_i)).
 */
function jointHalfWidth(alpha, sb2, sc2, logUb, logUc) {
    const ub = Math.exp(logUb);
    const uc = Math.exp(logUc);
    const spread = (sb2 * (1 + ub)) / ub + (sc2 * (1 + uc)) / uc;
    return Math.sqrt(spread * (-2 * Math.log(alpha) + Math.log1p(ub) + Math.log1p(uc)));
}
/** Minimum of a unimodal f on [lo, hi] by golden-section search (about 1e-6 of the range). */
function goldenMin(f, lo, hi) {
    const ratio = (Math.sqrt(5) - 1) / 2;
    let a = lo;
    let b = hi;
    let c = b - ratio * (b - a);
    let d = a + ratio * (b - a);
    let fc = f(c);
    let fd = f(d);
    for (let i = 0; i < 60; i++) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = f(c);
        }
        else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = f(d);
        }
    }
    return (a + b) / 2;
}
const jointCache = new Map();
/**
 * u for each arm of the joint (product) quantile-difference CS, chosen so that its width is
 * smallest at the expected decision time: the arms at t*_baseline and t*_canary observations,
 * with the same density at the quantile (the null), so each arm's standard error squared goes as
 * 1 / t*. Depends only on alpha and the ratio of the t*s. At a 1% canary the baseline's prior is
 * made wide (small u: the baseline's own penalty log(1 + u_b) almost vanishes, since its
 * quantile is known far better), which is what makes the joint CS beat a split of alpha between
 * the arms everywhere (bench/quantileWidth.bench.ts).
 */
function jointU(alpha, tStar) {
    const ratio = tStar.canary / tStar.baseline;
    const key = `${alpha}:${ratio}`;
    const hit = jointCache.get(key);
    if (hit)
        return hit;
    const sb2 = ratio;
    const sc2 = 1;
    // Coordinate descent on (log u_b, log u_c): the objective is smooth and unimodal in each.
    let lb = Math.log(oneArmU(alpha));
    let lc = lb;
    for (let i = 0; i < 8; i++) {
        lb = goldenMin(x => jointHalfWidth(alpha, sb2, sc2, x, lc), -12, 12);
        lc = goldenMin(x => jointHalfWidth(alpha, sb2, sc2, lb, x), -12, 12);
    }
    const u = { baseline: Math.exp(lb), canary: Math.exp(lc) };
    if (jointCache.size > 1000)
        jointCache.clear();
    jointCache.set(key, u);
    return u;
}
/** A two-arm region's weight on the side that matters: its level costs log(1 / 0.99) = 0.01. */
const JOINT_SIDE_WEIGHT = 0.99;
/** log(e^x + e^y), exact when either is -Infinity. */
function logSumExp(x, y) {
    const m = Math.max(x, y);
    if (m === -Infinity)
        return -Infinity;
    return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}
/**
 * log M_t of the beta-binomial mixture as a function of the count k (0..t) for one arm: t
 * observations, the quantile level q, the prior parameter r, and the design effect D >= 1
 * (counts are divided by it). log M is convex in k (a sum of log-Gamma terms and a linear one),
 * so {k : log M(k) < level} is an interval of integers around the minimiser; this class finds its
 * ends by bisection.
 */
class RankMixture {
    t;
    q;
    a;
    b;
    logNorm;
    logQ;
    log1mQ;
    scale;
    /** With a side: log(w / prior mass) on the high side of q and on the low side. */
    sideWeights;
    /** The integer count minimising log M (about t q). */
    mode;
    minLogM;
    constructor(t, q, r, designEffect = 1, 
    /** The prior's weight on each side of q (RankSide); default the Beta prior as it is. */
    side) {
        this.t = t;
        this.q = q;
        this.a = r / q;
        this.b = r / (1 - q);
        this.logNorm = logBeta$1(this.a, this.b);
        this.logQ = Math.log(q);
        this.log1mQ = Math.log1p(-q);
        this.scale = 1 / Math.max(1, designEffect);
        if (side) {
            // The prior's mass where P(X <= x) >= q (the high side of the count), and below it: the
            // Beta variable is P(X > x), so the high side is [0, 1 - q].
            const prior = logRegularizedBeta(1 - q, this.a, this.b);
            this.sideWeights = {
                high: Math.log(side.high) - prior.lower,
                low: Math.log1p(-side.high) - prior.upper
            };
        }
        this.mode = this.findMode();
        this.minLogM = this.logM(this.mode);
    }
    /** log M_t at count k (effective counts k / D of t / D). */
    logM(k) {
        const s = this.scale;
        const below = k * s;
        const above = (this.t - k) * s;
        const a = this.a + above;
        const b = this.b + below;
        const twoSided = logBeta$1(a, b) - this.logNorm - below * this.logQ - above * this.log1mQ;
        const w = this.sideWeights;
        if (!w)
            return twoSided;
        // The posterior's mass on each side, reweighted as the prior was.
        const post = logRegularizedBeta(1 - this.q, a, b);
        return twoSided + logSumExp(w.high + post.lower, w.low + post.upper);
    }
    /** Smallest count in [0, mode] with log M < level, or undefined when there is none. */
    lowest(level) {
        if (!(this.minLogM < level))
            return undefined;
        if (this.logM(0) < level)
            return 0;
        // logM(lo) >= level > logM(hi), decreasing on [0, mode].
        let lo = 0;
        let hi = this.mode;
        while (hi - lo > 1) {
            const mid = Math.floor((lo + hi) / 2);
            if (this.logM(mid) < level)
                hi = mid;
            else
                lo = mid;
        }
        return hi;
    }
    /** Largest count in [mode, t] with log M < level, or undefined when there is none. */
    highest(level) {
        if (!(this.minLogM < level))
            return undefined;
        if (this.logM(this.t) < level)
            return this.t;
        let lo = this.mode;
        let hi = this.t;
        while (hi - lo > 1) {
            const mid = Math.floor((lo + hi) / 2);
            if (this.logM(mid) < level)
                lo = mid;
            else
                hi = mid;
        }
        return lo;
    }
    /** The smallest k in [0, t - 1] with logM(k + 1) >= logM(k) (convexity), else t. */
    findMode() {
        let lo = 0;
        let hi = this.t;
        while (lo < hi) {
            const mid = Math.floor((lo + hi) / 2);
            if (this.logM(mid + 1) >= this.logM(mid))
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }
}

/** What every confidence sequence (CS) returns, and what the quantile CS needs of a sketch. */
/** The bounds with only `side`'s end kept (both without a side). */
function keepSide(bounds, side) {
    if (side === 'upper')
        return { ...bounds, lower: -Infinity };
    if (side === 'lower')
        return { ...bounds, upper: Infinity };
    return bounds;
}

/**
 * Confidence sequences for quantiles: one arm's q-quantile (quantileCS) and the difference of two
 * arms' q-quantiles (quantileDifferenceCS), valid at every look, on the beta-binomial mixture
 * boundary for ranks (betaBinomial.ts).
 *
 * From counts to values (Howard & Ramdas, Bernoulli 2022, the fixed-quantile confidence sequence;
 * the order-statistic reading below is theirs). Write X_(1) <= ... <= X_(n) for the order
 * statistics, X_(0) = -Infinity, X_(n + 1) = +Infinity. A count k is accepted when
 * log M_n(k) < log(1/alpha); the accepted counts are an interval [kLo, kHi], and the quantile lies
 * in [X_(kLo), X_(kHi + 1)]. This holds for any distribution, atoms included: with U_i uniform and
 * X_i = F^-1(U_i), Z_n = #{U_i <= q} is an exact Binomial(n, q) count with
 * #{X_i < x_q} <= Z_n <= #{X_i <= x_q}, so X_(Z_n) <= x_q <= X_(Z_n + 1), and the interval misses
 * x_q only if Z_n itself is rejected at some n, which has probability at most alpha.
 *
 * A sketch knows each order statistic only within its bucket: the bounds are read at the bucket's
 * edges (rangeAtRank), or within the sketch's relative accuracy.
 */
/** The interval of true values a sketch value v' may stand for: |v' - v| <= a |v|. */
function trueValueRange(value, a) {
    if (value >= 0)
        return { low: value / (1 + a), high: value / (1 - a) };
    return { low: value / (1 - a), high: value / (1 + a) };
}
/** One arm's sketch read by rank, with X_(0) = -Infinity and X_(n + 1) = +Infinity. */
class RankedArm {
    sketch;
    n;
    constructor(sketch) {
        this.sketch = sketch;
        this.n = Math.max(0, sketch.count);
    }
    /** Where X_(rank) lies for sure. */
    range(rank) {
        if (rank < 1)
            return { low: -Infinity, high: -Infinity };
        if (rank > this.n)
            return { low: Infinity, high: Infinity };
        const s = this.sketch;
        return s.rangeAtRank?.(rank) ?? trueValueRange(s.valueAtRank(rank), s.relativeAccuracy);
    }
    /** The ranks first..last whose order statistics share X_(rank)'s bucket (1 <= rank <= n). */
    bucket(rank) {
        const b = this.sketch.bucketAtRank?.(rank);
        return b
            ? { first: Math.max(1, b.first), last: Math.min(this.n, b.last) }
            : { first: rank, last: rank };
    }
    /** The empirical quantile: the order statistic of rank max(1, ceil(n q)); NaN when empty. */
    estimate(q) {
        return this.n >= 1 ? this.sketch.valueAtRank(Math.max(1, Math.ceil(this.n * q))) : NaN;
    }
}
/** The design effect for thresholds in [low, high] (at least 1). */
function designEffectOver(d, low, high) {
    if (d === undefined)
        return 1;
    const value = typeof d === 'number' ? d : d(low, high);
    return Number.isFinite(value) ? Math.max(1, value) : 1;
}
/** Re-evaluations of a design effect that depends on where the bounds fall (they only widen). */
const DESIGN_EFFECT_ROUNDS = 4;
/**
 * CS for the q-quantile of one arm, valid at every look: the counts accepted by the two-sided
 * beta-binomial mixture (betaBinomial.ts) read as order statistics (see above). The mixture is
 * tuned to be tightest at tStar observations of this arm (effective observations when
 * clustered), in the CS's own time.
 *
 * `designEffect`: requests of one user are correlated, so the rank count's variance is D times
 * the binomial one; counts are divided by D (Korn & Graubard 1998). A function is evaluated over
 * the interval's own range and the interval recomputed until D stops growing (it only widens).
 *
 * The estimate is the empirical quantile, the order statistic of rank max(1, ceil(n q)).
 */
function quantileCS(sketch, q, alpha, tStar, designEffect = 1, 
/** Only this end, valid alone at alpha (the one-sided mixture); the other is infinite. */
side) {
    assertLevel(q, alpha);
    const arm = new RankedArm(sketch);
    const n = arm.n;
    if (!(n >= 1)) {
        return {
            estimate: NaN,
            lower: -Infinity,
            upper: Infinity,
            lowerRank: -Infinity,
            upperRank: Infinity
        };
    }
    const estimate = arm.estimate(q);
    const r = betaBinomialR(q, tStar, oneArmU(sideAlpha(alpha, side)));
    const level = -Math.log(alpha);
    const weight = side;
    let deff = designEffectOver(designEffect, estimate, estimate);
    let result;
    for (let round = 0; round < DESIGN_EFFECT_ROUNDS; round++) {
        const mix = new RankMixture(n, q, r, deff, weight);
        // The minimum of log M is at most about 0 < level, so both ends exist.
        const kLo = (mix.lowest(level) ?? 0);
        const kHi = (mix.highest(level) ?? n);
        result = {
            estimate,
            lower: arm.range(kLo).low,
            upper: arm.range(kHi + 1).high,
            lowerRank: kLo,
            upperRank: kHi + 1
        };
        const wider = designEffectOver(designEffect, result.lower, result.upper);
        if (!(wider > deff * (1 + 1e-9)))
            break;
        deff = wider;
    }
    return result;
}
/**
 * The alpha a mixture is tuned at: a one-sided mixture at alpha is about as wide as a two-sided
 * one at 2 alpha (confseq tunes its one-sided mixtures so: OneSidedNormalMixture::best_rho).
 */
function sideAlpha(alpha, side) {
    return side ? Math.min(0.5, 2 * alpha) : alpha;
}
function assertLevel(q, alpha) {
    if (!(q > 0 && q < 1))
        throw new RangeError(`q must be in (0, 1), got ${q}`);
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}
/**
 * Bounds on c / b - 1 for c in [cLo, cHi] and a baseline b in [bLo, bHi]. A relative change
 * presumes a positive baseline quantity (latency, cost, tokens), so b ranges over (0, bHi] when
 * bLo <= 0 and the upper bound is then +Infinity.
 */
function relativeBounds(c, b) {
    if (!(b.upper > 0))
        return { lower: -Infinity, upper: Infinity };
    const lower = c.lower >= 0 ? c.lower / b.upper - 1 : b.lower > 0 ? c.lower / b.lower - 1 : -Infinity;
    const upper = b.lower > 0 ? (c.upper >= 0 ? c.upper / b.lower : c.upper / b.upper) - 1 : Infinity;
    return { lower, upper };
}
/** The fixed-time z for 95%, to express a quantile interval's width as a standard error. */
const Z_95$1 = normalQuantile(0.975);
/** The hull of the differences (or ratios) over a set of (baseline, canary) value rectangles. */
class DifferenceHull {
    relative;
    lower = Infinity;
    upper = -Infinity;
    constructor(relative) {
        this.relative = relative;
    }
    add(b, c) {
        // A relative change presumes a positive baseline quantity: a baseline wholly <= 0 is not one.
        if (this.relative && !(b.high > 0))
            return;
        const d = this.relative
            ? relativeBounds({ lower: c.low, upper: c.high }, { lower: b.low, upper: b.high })
            : { lower: c.low - b.high, upper: c.high - b.low };
        if (d.lower < this.lower)
            this.lower = Number.isNaN(d.lower) ? -Infinity : d.lower;
        if (d.upper > this.upper)
            this.upper = Number.isNaN(d.upper) ? Infinity : d.upper;
    }
}
/**
 * The joint region {(x_b, x_c) : log M_b(N_b(x_b)) + log M_c(N_c(x_c)) < log(1/alpha)} projected
 * onto the difference (or ratio). The product of the two arms' mixture martingales is a
 * nonnegative martingale in the filtration of both streams (the arms are independent, and each
 * observation updates one factor), so by Ville's inequality the true pair is outside the region
 * at some look with probability at most alpha. This is the construction Howard & Ramdas (2022)
 * use for their sequential A/B test of quantiles (Theorem 5; confseq's QuantileABTest: the sum
 * of the arms' log supermartingales, minimised over a common value); here it is inverted over
 * every shift or ratio instead of zero only.
 *
 * The region is a union of rectangles, one per accepted baseline count k_b:
 * x_b in [X_b(k_b), X_b(k_b + 1)] and x_c in [X_c(kc_lo), X_c(kc_hi + 1)], where [kc_lo, kc_hi]
 * are the canary counts with log M_c < log(1/alpha) - log M_b(k_b). The extremes of the
 * difference over a group of k_b sharing a bucket edge are reached at the k_b with the smallest
 * log M_b (the largest canary budget), so it suffices to visit one k_b per bucket, per edge.
 */
function jointRegion(b, c, mb, mc, alpha, relative, side) {
    const level = -Math.log(alpha);
    const budget = level - mc.minLogM;
    const kbLo = mb.lowest(budget);
    const kbHi = mb.highest(budget);
    if (kbLo === undefined || kbHi === undefined)
        return undefined;
    const hull = new DifferenceHull(relative);
    const visit = (kb) => {
        const left = level - mb.logM(kb);
        // One end wanted: the canary's other end is not searched (its bound is then infinite).
        const kcLo = side === 'upper' ? 0 : (mc.lowest(left) ?? 0);
        const kcHi = side === 'lower' ? c.n : (mc.highest(left) ?? c.n);
        hull.add({ low: b.range(kb).low, high: b.range(kb + 1).high }, { low: c.range(kcLo).low, high: c.range(kcHi + 1).high });
    };
    const best = (from, to) => Math.min(to, Math.max(from, mb.mode));
    // Groups by the lower edge of x_b: k_b whose X_b(k_b) share a bucket.
    if (kbLo === 0)
        visit(0);
    for (let k = Math.max(1, kbLo); k <= kbHi;) {
        const { last } = b.bucket(k);
        visit(best(k, Math.min(last, kbHi)));
        k = last + 1;
    }
    // Groups by the upper edge of x_b: k_b whose X_b(k_b + 1) share a bucket.
    if (kbHi === b.n)
        visit(b.n);
    for (let j = kbLo + 1; j <= Math.min(kbHi + 1, b.n);) {
        const { last } = b.bucket(j);
        const to = Math.min(last, kbHi + 1, b.n);
        visit(best(j - 1, to - 1));
        j = to + 1;
    }
    const canaryBudget = level - mb.minLogM;
    // No rectangle with a positive baseline (relative): nothing is bounded.
    const bounds = hull.lower <= hull.upper
        ? { lower: hull.lower, upper: hull.upper }
        : { lower: -Infinity, upper: Infinity };
    return {
        bounds,
        baseline: { low: b.range(kbLo).low, high: b.range(kbHi + 1).high },
        canary: {
            low: c.range(mc.lowest(canaryBudget) ?? 0).low,
            high: c.range((mc.highest(canaryBudget) ?? c.n) + 1).high
        }
    };
}
/**
 * CS for the difference of two arms' q-quantiles, canary - baseline, or canary / baseline - 1
 * when relative: the joint region of both arms' beta-binomial mixtures (jointRegion above),
 * instead of each arm's CS at alpha / 2 with the intervals subtracted. Both arms' mixtures are
 * tuned together so that the difference is narrowest at the expected decision time
 * (betaBinomial.ts, jointU): tStar per arm, in observations of that arm (effective observations
 * when clustered). In the normal approximation the region is an ellipse rather than the
 * rectangle of two alpha/2 intervals, and its projection is sqrt(s_b^2 + s_c^2)-like instead of
 * s_b + s_c: at 50% canary 1.5x the fixed-n interval instead of 2.1x (alpha = 0.0125).
 *
 * Relative bounds presume positive quantities (relativeBounds); every sign is handled.
 *
 * se has no delta-method meaning here; it is (upper - lower) / (2 * 1.96), the standard error a
 * fixed-time 95% interval of the same width would have, and Infinity when a bound is infinite.
 */
function quantileDifferenceCS(baseline, canary, q, alpha, opts) {
    assertLevel(q, alpha);
    const b = new RankedArm(baseline);
    const c = new RankedArm(canary);
    const bEstimate = b.estimate(q);
    const cEstimate = c.estimate(q);
    const estimate = opts.relative
        ? bEstimate > 0
            ? cEstimate / bEstimate - 1
            : NaN
        : cEstimate - bEstimate;
    const result = (bounds) => {
        const width = bounds.upper - bounds.lower;
        return {
            estimate,
            ...bounds,
            baseline: bEstimate,
            canary: cEstimate,
            se: Number.isFinite(width) ? width / (2 * Z_95$1) : Infinity,
            t: b.n + c.n,
            relative: opts.relative
        };
    };
    if (b.n < 1 || c.n < 1)
        return result({ lower: -Infinity, upper: Infinity });
    const side = opts.side;
    const u = jointU(sideAlpha(alpha, side), opts.tStar);
    const rb = betaBinomialR(q, opts.tStar.baseline, u.baseline);
    const rc = betaBinomialR(q, opts.tStar.canary, u.canary);
    // An upper end of canary - baseline: the canary's quantile high, the baseline's low.
    const canarySide = side && {
        high: side === 'upper' ? JOINT_SIDE_WEIGHT : 1 - JOINT_SIDE_WEIGHT
    };
    const baselineSide = canarySide && { high: 1 - canarySide.high };
    const deffOf = opts.designEffect;
    let db = designEffectOver(deffOf?.baseline, bEstimate, bEstimate);
    let dc = designEffectOver(deffOf?.canary, cEstimate, cEstimate);
    let region;
    for (let round = 0; round < DESIGN_EFFECT_ROUNDS; round++) {
        const mb = new RankMixture(b.n, q, rb, db, baselineSide);
        const mc = new RankMixture(c.n, q, rc, dc, canarySide);
        region = jointRegion(b, c, mb, mc, alpha, opts.relative, side);
        if (!region)
            break;
        const wb = designEffectOver(deffOf?.baseline, region.baseline.low, region.baseline.high);
        const wc = designEffectOver(deffOf?.canary, region.canary.low, region.canary.high);
        if (!(wb > db * (1 + 1e-9) || wc > dc * (1 + 1e-9)))
            break;
        db = Math.max(db, wb);
        dc = Math.max(dc, wc);
    }
    return result(keepSide(region?.bounds ?? { lower: -Infinity, upper: Infinity }, side));
}

/**
 * Ratio estimator R = sum x / sum y over independent clusters and its delta-method variance
 * Var(R) ~ sum_i (x_i - R y_i)^2 / (n (n - 1) ybar^2), with the sum of squared residuals expanded
 * in the moments as sxx - 2 R sxy + R^2 syy (Cochran, Sampling Techniques, 3rd ed., 1977,
 * Section 6.4; Deng, Knoblich & Lu, "Applying the delta method in metric analytics", KDD 2018).
 * A plain mean is y = 1 per request: the variance is then s^2 / n. `inflation` (>= 1) multiplies
 * the variance: the design effect of clustering a source could not resolve (aggregated data).
 *
 * bernoulliFloor (rates in [0, 1]): the variance is at least p~(1 - p~) / sy with the Laplace
 * estimate p~ = (sx + 1) / (sy + 2), so an arm with no observed errors never has zero variance.
 */
function armEstimate(m, bernoulliFloor, inflation = 1) {
    const n = m.n;
    if (!(m.sy > 0))
        return { estimate: NaN, variance: Infinity, n };
    const r = m.sx / m.sy;
    if (!(n >= 2))
        return { estimate: r, variance: Infinity, n };
    const ybar = m.sy / n;
    // Rounding can push a (near) zero residual sum slightly below 0.
    const residualSquares = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy);
    let variance = (Math.max(1, inflation) * residualSquares) / (n * (n - 1) * ybar * ybar);
    if (bernoulliFloor) {
        const p = (m.sx + 1) / (m.sy + 2);
        variance = Math.max(variance, (p * (1 - p)) / m.sy);
    }
    return { estimate: r, variance: Number.isNaN(variance) ? Infinity : variance, n };
}
/**
 * Each arm's variance at least what the other arm's relative spread gives it: Var(R_c) >=
 * nu_b R_c^2 / n_c with nu = Var(R) n / R^2 the squared coefficient of variation per cluster
 * (and the same the other way). A heavy tail is shared by both arms, and the small arm (the
 * canary at a 1-5% step) has mostly not seen its rare large values yet, so its own variance is
 * too small exactly when its mean is too low: the larger arm, which has seen more of the tail,
 * lends its spread. A canary that truly spreads less only gets a wider interval.
 */
function sharedSpread(b, c) {
    const nu = (a) => a.n >= 2 && a.estimate !== 0 && Number.isFinite(a.variance)
        ? (a.variance * a.n) / (a.estimate * a.estimate)
        : 0;
    const nb = nu(b);
    const nc = nu(c);
    const lend = (a, other) => a.n >= 2 && Number.isFinite(a.estimate)
        ? { ...a, variance: Math.max(a.variance, (other * a.estimate * a.estimate) / a.n) }
        : a;
    return [lend(b, nc), lend(c, nb)];
}
/** [estimate - h, estimate + h], or the whole line when h or the estimate is not finite. */
function around(estimate, halfWidth) {
    const lower = estimate - halfWidth;
    const upper = estimate + halfWidth;
    if (Number.isNaN(lower) || Number.isNaN(upper) || !Number.isFinite(halfWidth)) {
        return { lower: -Infinity, upper: Infinity };
    }
    return { lower, upper };
}
/**
 * The relative change interval by Fieller's theorem (Fieller, "Some problems in interval
 * estimation", J. R. Stat. Soc. B 16 (1954)): the set of r for which the linear contrast
 * R_c - (1 + r) R_b is within M sqrt(V_c + (1 + r)^2 V_b) of 0, M the boundary's multiplier. With
 * k = 1 + r this is the quadratic (R_b^2 - M^2 V_b) k^2 - 2 R_c R_b k + (R_c^2 - M^2 V_c) <= 0:
 * an interval when the baseline is bounded away from 0 (R_b^2 > M^2 V_b), else unbounded. Unlike
 * the delta method, the variance of the contrast never uses the observed canary level, so a
 * canary whose estimate collapses (no errors by chance) does not collapse the interval.
 */
function fiellerRelative(b, c, multiplier) {
    const m2 = multiplier * multiplier;
    const a = b.estimate * b.estimate - m2 * b.variance;
    if (!(a > 0) || !Number.isFinite(c.variance) || !Number.isFinite(c.estimate)) {
        return { lower: -Infinity, upper: Infinity };
    }
    const mid = c.estimate * b.estimate;
    const disc = m2 * (b.estimate * b.estimate * c.variance + c.estimate * c.estimate * b.variance) -
        m2 * m2 * b.variance * c.variance;
    const root = Math.sqrt(Math.max(0, disc));
    return { lower: (mid - root) / a - 1, upper: (mid + root) / a - 1 };
}
/**
 * CS for the difference of two arms' ratio metrics (means, rates, sum-over-sum ratios), absolute
 * (canary - baseline) or relative (canary / baseline - 1), valid at every look once the sample is
 * large enough for the central limit theorem (src/stats/clt.ts says when).
 *
 * The two-arm stream is read as the inverse-propensity-weighted influence function of the
 * average treatment effect (Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central
 * limit theory and asymptotic confidence sequences", Ann. Statist. 52 (2024), randomized
 * experiments): after t = n_baseline + n_canary clusters its standard deviation is se * sqrt(t),
 * se the standard error of the contrast, so the half-width is se * M with
 * M = sqrt(t) * csRadius(t, 1, alpha, rho), rho = mixtureRho(alpha, tStar) (boundaryMultiplier; one
 * end alone, `side`: the one-sided mixture's). tStar is in the same
 * unit as t: clusters (units), both arms.
 *
 * The contrast is linear, R_c - kappa R_b with se = sqrt(V_c + kappa^2 V_b): kappa = 1 for the
 * absolute change; the relative interval is Fieller's inversion of the same contrast over kappa
 * (fiellerRelative), so deciding a relative tolerance tau on it is deciding R_c - (1 + tau) R_b.
 *
 * Degenerate inputs (an arm with n < 2 or sy = 0; a baseline not bounded away from 0 for a
 * relative change) give -Infinity..Infinity with the estimates that can be computed and NaN for
 * the others.
 */
function ratioDifferenceCS(baseline, canary, alpha, opts) {
    const floor = opts.bernoulliFloor ?? false;
    let b = armEstimate(baseline, floor, opts.designEffect?.baseline);
    let c = armEstimate(canary, floor, opts.designEffect?.canary);
    if (opts.sharedSpread)
        [b, c] = sharedSpread(b, c);
    const t = b.n + c.n;
    const multiplier = boundaryMultiplier(t, alpha, opts.tStar, opts.side !== undefined);
    if (!opts.relative) {
        const estimate = c.estimate - b.estimate;
        const se = Math.sqrt(b.variance + c.variance);
        return {
            estimate,
            ...keepSide(around(estimate, se * multiplier), opts.side),
            baseline: b.estimate,
            canary: c.estimate,
            se: Number.isNaN(se) ? Infinity : se,
            t,
            relative: false
        };
    }
    const usable = b.estimate !== 0 && !Number.isNaN(b.estimate);
    const estimate = usable ? c.estimate / b.estimate - 1 : NaN;
    const bounds = usable ? fiellerRelative(b, c, multiplier) : { lower: -Infinity, upper: Infinity };
    // The standard error of the relative change at the estimate (for reports and projections).
    const rb2 = b.estimate * b.estimate;
    const se = usable
        ? Math.sqrt(c.variance / rb2 + (c.estimate * c.estimate * b.variance) / (rb2 * rb2))
        : Infinity;
    return {
        estimate,
        ...keepSide(Number.isFinite(bounds.lower) && Number.isFinite(bounds.upper)
            ? bounds
            : { lower: -Infinity, upper: Infinity }, opts.side),
        baseline: b.estimate,
        canary: c.estimate,
        se: Number.isNaN(se) ? Infinity : se,
        t,
        relative: true
    };
}
/**
 * CS for one arm's ratio metric (an SLO `limit` on the canary alone): R +- sqrt(Var R) *
 * sqrt(n) * csRadius(n, 1, alpha, rho), the asymptotic CS of Waudby-Smith et al. (2024) for the
 * mean of the cluster residuals. tStar is in clusters of this arm.
 */
function ratioCS(m, alpha, opts) {
    const arm = armEstimate(m, opts.bernoulliFloor ?? false, opts.designEffect);
    const multiplier = boundaryMultiplier(arm.n, alpha, opts.tStar, opts.side !== undefined);
    const halfWidth = Math.sqrt(arm.variance) * multiplier;
    return { estimate: arm.estimate, ...keepSide(around(arm.estimate, halfWidth), opts.side) };
}

/**
 * How much more data an inconclusive metric needs (DESIGN.md: "Inconclusive metrics report a
 * projection"). A planning figure, not an inference: it assumes the estimate stays where it is
 * and the interval shrinks as the confidence sequence's boundary does.
 */
/** The largest factor searched; beyond it the answer is Infinity ("not at this traffic"). */
const MAX_FACTOR = 1e6;
/**
 * The smallest factor k >= 1 such that, after k times the current sample (t' = k t), the
 * interval would be decisive: pass when upper < passBelow, fail when lower > failAbove (the
 * interval is on a "harm" scale, larger is worse). Each half-width (upper - estimate and
 * estimate - lower, separately) is scaled by csRadius(k t, 1, alpha, rho) / csRadius(t, 1, alpha,
 * rho), which decreases in t, so decisiveness is monotone in k and bisection on log k finds the
 * threshold. Returns 1 when already decisive, Infinity when it never would be: the estimate
 * inside [passBelow, failAbove], an infinite bound, no data (t <= 0), or k beyond 1e6.
 */
function samplesToDecide(interval, t, alpha, rho, passBelow, failAbove) {
    const { estimate, lower, upper } = interval;
    const decisive = (lo, hi) => hi < passBelow || lo > failAbove;
    if (decisive(lower, upper))
        return 1;
    if (![estimate, lower, upper].every(Number.isFinite) || !(t > 0))
        return Infinity;
    if (estimate >= passBelow && estimate <= failAbove)
        return Infinity;
    const radiusNow = csRadius(t, 1, alpha, rho);
    const decisiveAt = (logK) => {
        const shrink = csRadius(Math.exp(logK) * t, 1, alpha, rho) / radiusNow;
        return decisive(estimate - (estimate - lower) * shrink, estimate + (upper - estimate) * shrink);
    };
    let lo = 0;
    let hi = Math.log(MAX_FACTOR);
    if (!decisiveAt(hi))
        return Infinity;
    // 60 halvings of [0, log 1e6] locate log k to about 1e-17: k to full double precision.
    for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (decisiveAt(mid))
            hi = mid;
        else
            lo = mid;
    }
    return Math.exp(hi);
}
/**
 * The first time t in (0, horizon] at which `decisive(t)` holds, for a `decisive` that is
 * monotone in t (more data never makes a confidence sequence less decisive at fixed estimates),
 * to a relative resolution of about 10% (a planning figure): bisection on log t from
 * horizon * 1e-6. Undefined when it does not hold at the horizon.
 */
function firstDecisive(decisive, horizon, resolution = 0.1) {
    if (!(horizon > 0) || !decisive(horizon))
        return undefined;
    let lo = Math.log(horizon * 1e-6);
    let hi = Math.log(horizon);
    if (decisive(Math.exp(lo)))
        return Math.exp(lo);
    while (hi - lo > resolution) {
        const mid = (lo + hi) / 2;
        if (decisive(Math.exp(mid)))
            hi = mid;
        else
            lo = mid;
    }
    return Math.exp(hi);
}

/**
 * The design effect of clustering on a quantile's rank count (Kish, Survey Sampling, 1965): the
 * variance of #{requests <= x} when requests are grouped by user, over its variance if they were
 * independent,
 *
 *   deff(x) = [K / (K - 1)] sum_k (c_k(x) - F(x) n_k)^2 / (N F(x) (1 - F(x))),
 *
 * over the K clusters (units, and requests without a unit as clusters of one), c_k(x) the
 * cluster's requests <= x, n_k its requests, N = sum n_k, F(x) the pooled share <= x. This is the
 * cluster-robust variance of the indicator's mean (Deng, Knoblich & Lu, "Applying the delta method
 * in metric analytics", KDD 2018, quantile metrics: the per-unit sums of 1{X <= x} at the
 * quantile, with the interval inverted on the CDF scale as in Woodruff, JASA 47 (1952) 635-646),
 * read from the per-unit rank sums (src/sketch/unitRanks.ts) at the coarse edges
 * e_j = gamma^(step j) (17% apart). The quantile CS divides its counts by it
 * (stats/cs/betaBinomial.ts).
 *
 * It replaces the design effect of the metric's mean, which is not that of the indicator: with
 * per-user log-normal levels under heavy-tailed noise (sigma = 2) the mean's was 2.1 where the
 * median's indicator had 10.4 (an interval 2.2x too narrow), and the reverse with light noise.
 *
 * The result is a function of the range of thresholds [low, high] an interval spans: the largest
 * deff over the coarse edges from the one below `low` to the one above `high` (a threshold
 * between two edges is bracketed by them), at least 1. Thresholds below 0 when some values are
 * negative are not on the grid: they get the request-weighted mean cluster size sum n_k^2 / N,
 * the design effect of perfectly correlated clusters, and so does every threshold when the sketch
 * carries no per-unit rank sums though its requests are clustered (a source that cannot compute
 * them): wider, never too narrow. Requests are independent (1) when no record carried a unit, or
 * every unit had one request.
 */
function rankDesignEffect(m, sketch) {
    const ranks = m.unitRanks;
    const { n: clusters, syy } = m.moments;
    if (!m.quantiles)
        return 1;
    const s = sketch ?? QuantileSketch.fromJSON(m.quantiles);
    const total = s.count;
    if (!(clusters >= 2) || clusters >= total)
        return 1;
    // Clustered requests without per-unit rank sums (a source that cannot compute them): the bound
    // for perfectly correlated clusters, never the independent 1.
    if (!ranks)
        return Math.max(1, syy / total);
    const step = ranks.step;
    const log = Math.log((1 + m.quantiles.alpha) / (1 - m.quantiles.alpha));
    // Prefix sums of the unit increments, aligned with ranks.bins.
    const units = [];
    const squares = [];
    const cross = [];
    let u = 0;
    let sq = 0;
    let x = 0;
    ranks.bins.forEach((_, i) => {
        units.push((u += ranks.counts[i]));
        squares.push((sq += ranks.squares[i]));
        cross.push((x += ranks.cross[i]));
    });
    /** The position of the last rank bin <= bin, or -1. */
    const upTo = (bin) => {
        let lo = -1;
        let hi = ranks.bins.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (ranks.bins[mid] <= bin)
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    };
    const correction = clusters / (clusters - 1);
    const atEdge = (bin) => {
        const below = s.countAtOrBelowEdge(bin === NON_POSITIVE_BIN ? -Infinity : bin * step);
        if (!(below >= 1 && total - below >= 1))
            return undefined;
        const j = upTo(bin);
        const singles = below - (j >= 0 ? units[j] : 0);
        const sumSquares = (j >= 0 ? squares[j] : 0) + singles;
        const sumCross = (j >= 0 ? cross[j] : 0) + singles;
        const f = below / total;
        const clustered = correction * (sumSquares - 2 * f * sumCross + f * f * syy);
        return clustered / (total * f * (1 - f));
    };
    const worst = Math.max(1, syy / total);
    const coarse = (v) => Math.ceil(Math.ceil(Math.log(v) / log) / step);
    const positive = s.positiveRange;
    // The coarse edges around the data: from the one below its lowest bucket to the one above its
    // highest.
    const first = Number.isFinite(positive.min) ? Math.ceil(positive.min / step) - 1 : 0;
    const last = Number.isFinite(positive.max) ? Math.ceil(positive.max / step) : -1;
    const noNegatives = s.negativeCount === 0;
    return (lowest, high) => {
        // Below the smallest value nothing changes: with no negative values, 0 is as low as it goes.
        const low = lowest < 0 && noNegatives ? 0 : lowest;
        if (!(low <= high) || low < 0)
            return worst;
        let deff = 1;
        let seen = false;
        const consider = (bin) => {
            const d = atEdge(bin);
            if (d === undefined || !Number.isFinite(d))
                return;
            seen = true;
            if (d > deff)
                deff = d;
        };
        if (low === 0)
            consider(NON_POSITIVE_BIN);
        const from = low > 0 ? Math.max(first, coarse(low) - 1) : first;
        const to = high === Infinity ? last : Math.min(last, high > 0 ? coarse(high) : first);
        for (let bin = from; bin <= to; bin++)
            consider(bin);
        return seen ? deff : worst;
    };
}

/**
 * How much longer an inconclusive metric needs (DESIGN.md: "Inconclusive metrics report a
 * projection"), projected with the sequence's real shrinkage: the confidence sequence itself is
 * recomputed on sketches grown to a future time (compareMetric's decisiveAt), so its log factor,
 * its range term and its validity rules (minimum units, skewness) are those it will have then,
 * at the same estimates. Growth follows the window's own traffic: requests at their rate, units at
 * the rate new units arrived lately, which falls as the same users come back. More requests from
 * the same users grow each unit's sums, and so the variance per unit (the design effect of more
 * requests from the same users): precision then grows with units, not requests. The step's error
 * budget is fixed when the step starts (stats/alphaSpending.ts), so it is the same then as now.
 *
 * When the metric would not decide before the step runs out (`rollout.maxDuration`), or never at
 * these estimates (one sitting at the tolerance), the projection says so instead of a number:
 * more traffic will not settle it soon.
 */
/** When nothing says how long the step has left: a month. */
const HORIZON = 30 * 86_400;
/** How far beyond the horizon "never at these estimates" is checked. */
const NEVER = 1e4;
function projectNeeded(o) {
    const code = o.why.code;
    if (code === 'bucket-resolution')
        return { samples: null, seconds: null, code: 'resolution' };
    if (code === 'relative-undefined' || code === 'no-values' || code === 'design-effect-unknown') {
        return { samples: null, seconds: null };
    }
    const g = o.growth ?? assumedGrowth(o);
    if (!(g.seconds > 0) || !(o.requests.canary > 0))
        return { samples: null, seconds: null };
    const factors = (dt) => ({
        baseline: armFactors(g.baseline, g.seconds, dt),
        canary: armFactors(g.canary, g.seconds, dt)
    });
    const decisive = (dt) => o.decisiveAt(factors(dt));
    const horizon = g.remainingSeconds ?? HORIZON;
    const dt = firstDecisive(decisive, Math.max(1, horizon));
    if (dt === undefined) {
        const settles = decisive(Math.max(g.seconds, horizon) * NEVER);
        return { samples: null, seconds: null, code: settles ? 'beyond-step' : 'at-tolerance' };
    }
    // All canary requests, not only those carrying this metric's value (a score on a third of them).
    const rate = o.growth ? g.canary.requestsPerSecond : o.canaryRate;
    const samples = Math.ceil(dt * rate);
    const seconds = rate > 0 ? Math.ceil(samples / rate) : Math.ceil(dt);
    return code === 'below-minimum' ? { samples, seconds, code: 'minimum' } : { samples, seconds };
}
/** Without the window's cells: requests at the canary's rate, units in proportion to requests. */
function assumedGrowth(o) {
    const seconds = o.canaryRate > 0 ? o.canaryRequests / o.canaryRate : 0;
    const arm = (requests, units) => ({
        requestsPerSecond: seconds > 0 ? requests / seconds : 0,
        units,
        newUnitsPerSecond: seconds > 0 ? units / seconds : 0
    });
    return {
        seconds,
        baseline: arm(o.requests.baseline, o.units.baseline),
        canary: arm(o.requests.canary, o.units.canary)
    };
}
/**
 * An arm's growth after dt more seconds: requests by (T + dt) / T (at the window's rate), units by
 * the rate new ones arrived lately (at most as fast as requests); without units, as requests.
 */
function armFactors(g, seconds, dt) {
    const r = 1 + dt / seconds;
    if (!(g.units > 0))
        return { units: r, requests: r };
    const u = (g.units + g.newUnitsPerSecond * dt) / g.units;
    return { units: Math.min(u, r), requests: r };
}

/** The name of the pre-exposure covariate in reports (two regressors: its pre.x and pre.y sums). */
const PRE_EXPOSURE = 'pre-exposure level';
/** Fewer units with pre-exposure data than this (both arms) and it is left out. */
const MIN_COVERED_UNITS = 10;
/**
 * Below this variance reduction the adjustment is not worth its name: the unadjusted sequence is
 * used, and the reduction is still reported. Switching between the two at this threshold moves
 * the interval by a small fraction of its width (when theta explains under 1% of the variance,
 * the adjustment theta (h_c - h_b) is about a tenth of a standard error).
 */
const MIN_REDUCTION = 0.01;
function armFit(m) {
    const d = m.sums.length;
    const n = m.n;
    const ybar = m.sums[V_Y] / n;
    if (!(n >= 2) || !(ybar > 0))
        return undefined;
    const mean = Float64Array.from(m.sums, s => s / n);
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
            const c = (m.products[productIndex(i, j, d)] -
                n * mean[i] * mean[j]) /
                (n - 1);
            cov[i * d + j] = c;
            cov[j * d + i] = c;
        }
    }
    const ratio = mean[V_X] / ybar;
    const grad = new Float64Array(d);
    // R = xbar / ybar: dR/dxbar = 1 / ybar, dR/dybar = -R / ybar (Deng et al. 2018, Section 3).
    grad[V_X] = 1 / ybar;
    grad[V_Y] = -ratio / ybar;
    return { n, covered: m.covered, mean, cov, ratio, grad };
}
/** u' S w for d-vectors and a d x d matrix. */
function quad(u, s, w) {
    const d = u.length;
    let sum = 0;
    for (let i = 0; i < d; i++) {
        const ui = u[i];
        if (ui === 0)
            continue;
        let row = 0;
        for (let j = 0; j < d; j++)
            row += s[i * d + j] * w[j];
        sum += ui * row;
    }
    return sum;
}
const unitVector = (d, i) => {
    const e = new Float64Array(d);
    e[i] = 1;
    return e;
};
function preExposureRegressors(d) {
    // The unit's pre-exposure sums, as two regressors: their span holds the linearised pre-period
    // ratio pre.x - P pre.y (Deng et al. 2018's CUPED for a ratio), and units without pre-exposure
    // data (both 0) are predicted by the intercept.
    return [V_PRE_X, V_PRE_Y].map(i => ({
        name: PRE_EXPOSURE,
        value: a => a.mean[i],
        jacobian: () => unitVector(d, i)
    }));
}
function requestRegressor(d, j, name) {
    const z = V_COVARIATES + j;
    // The arm's mean of the covariate per request, zbar / rbar (delta method, as for R).
    return {
        name,
        value: a => a.mean[z] / a.mean[V_REQUESTS],
        jacobian: a => {
            const rbar = a.mean[V_REQUESTS];
            const g = new Float64Array(d);
            g[z] = 1 / rbar;
            g[V_REQUESTS] = -a.mean[z] / (rbar * rbar);
            return g;
        }
    };
}
/**
 * The regression-adjusted confidence sequence for canary - baseline (or canary / baseline - 1) of
 * a mean or ratio metric, clustered by unit, from each arm's AdjustedMoments.
 *
 * Estimator (CUPED with the delta method; Lindon et al.'s OLS with a treatment indicator): with
 * R_a the arm's ratio, h_a its covariates (pre-exposure sums per unit, request covariates per
 * request) and theta the pooled within-arm regression of the linearised metric on the linearised
 * covariates,
 *   tau = (R_c - R_b) - theta' (h_c - h_b),
 *   Var(tau) = sum over arms of (g_a - J_a' theta)' S_a (g_a - J_a' theta) / n_a,
 * g_a and J_a the gradients of R and h at the arm's mean, S_a the covariance of the per-unit
 * vectors (a sandwich variance: no model for the outcome is assumed, heteroskedasticity and
 * unequal slopes included), times n / (n - K) for the K slopes estimated. Clusters are units, so
 * the variance is valid under clustering by unit. The half-width is sqrt(Var) sqrt(t)
 * csRadius(t, 1, alpha, rho) at t = n_b + n_c clusters (Lindon et al. 2022, the asymptotic
 * regression-adjusted CS; see the note at the top).
 *
 * Relative: the canary - (1 + r) baseline contrast of the adjusted arm means (Fieller), inverted:
 * r is in the sequence while |A_c - u A_b| <= radius * sd(u), u = 1 + r, a quadratic in u; when
 * the baseline itself is not bounded away from 0 the set is unbounded.
 *
 * Falls back (interval undefined, `fallback` says why) with fewer than K + 2 units in the
 * regression, with no usable covariate, or when the covariates explain under MIN_REDUCTION of the
 * variance. A request covariate whose arms differ beyond the boundary is dropped ('imbalanced').
 */
function regressionAdjustedCS(baseline, canary, alpha, opts) {
    const report = {
        varianceReduction: NaN,
        covariates: [],
        dropped: [],
        units: { baseline: baseline.n, canary: canary.n },
        covered: { baseline: baseline.covered, canary: canary.covered }
    };
    const b = armFit(baseline);
    const c = armFit(canary);
    const d = baseline.sums.length;
    if (!b || !c || canary.sums.length !== d)
        return { ...report, fallback: 'too-few-units' };
    const t = b.n + c.n;
    // The boundary's multiplier of the standard error (see the note at the top of this file).
    const k = boundaryMultiplier(t, alpha, opts.tStar);
    const candidates = candidateRegressors(baseline, b, c, k, report);
    const fit = fitTheta(candidates, b, c, report);
    const vUnadjusted = quad(b.grad, b.cov, b.grad) / b.n + quad(c.grad, c.cov, c.grad) / c.n;
    if (fit.regressors.length === 0)
        return { ...report, fallback: 'no-covariate' };
    if (t - 2 - fit.regressors.length < 1)
        return { ...report, fallback: 'too-few-units' };
    const correction = (t - 2) / (t - 2 - fit.regressors.length);
    const jb = combine(fit, b, d);
    const jc = combine(fit, c, d);
    const rb = minus(b.grad, jb);
    const rc = minus(c.grad, jc);
    const vAdjusted = (correction * quad(rb, b.cov, rb)) / b.n + (correction * quad(rc, c.cov, rc)) / c.n;
    report.varianceReduction = vUnadjusted > 0 ? 1 - vAdjusted / vUnadjusted : NaN;
    report.covariates = [...new Set(fit.regressors.map(r => r.name))];
    // A name with a regressor kept (the pre-exposure level has two) is used, not dropped.
    report.dropped = report.dropped.filter(x => !report.covariates.includes(x.covariate));
    if (!(report.varianceReduction >= (opts.minReduction ?? MIN_REDUCTION)))
        return { ...report, fallback: 'explains-nothing' };
    const shift = (a) => fit.regressors.reduce((s, r, i) => s + fit.theta[i] * r.value(a), 0);
    // The covariates' balance check above is two-sided; the interval may want one end only.
    const kEnd = opts.side ? boundaryMultiplier(t, alpha, opts.tStar, true) : k;
    const relative = opts.relative
        ? relativeInterval({ b, c, jb, jc, shift, correction, k: kEnd })
        : undefined;
    const interval = keepSide(relative ? relative.interval : absoluteInterval(b, c, shift(c) - shift(b), vAdjusted, kEnd), opts.side);
    // The estimator's influence per cluster: the residual weights of each arm (absolute), or the
    // Fieller contrast's at the estimate (relative).
    const weights = relative ? relative.weights : { baseline: rb, canary: rc };
    const skewness = sharedSkewness(baseline, weights.baseline, canary, weights.canary);
    return {
        ...report,
        interval: { ...interval, t },
        ...(skewness !== undefined && { skewness })
    };
}
/**
 * The skewness bound of stats/clt.ts (sharedSkewness: Cochran's rule on the estimator, each arm
 * lent the larger of the two arms' per-cluster skewness) for the adjusted estimator, whose
 * influence per cluster in arm a is w_a' v: from its first three raw sums over clusters,
 * S1 = w' sums, S2 = w' P w, S3 = sum (w' v)^3, the central moments m2 and m3 per cluster give the
 * arm's per-cluster skewness m3 / m2^1.5 and the variance of its mean m2 / n.
 */
function sharedSkewness(bm, wb, cm, wc) {
    const arm = (m, w) => {
        const s3 = cubedSum(m, w);
        if (s3 === undefined || !(m.n >= 3))
            return undefined;
        const d = m.sums.length;
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < d; i++) {
            s1 += w[i] * m.sums[i];
            for (let j = 0; j < d; j++) {
                s2 += w[i] * w[j] * m.products[productIndex(i, j, d)];
            }
        }
        const mean = s1 / m.n;
        const m2 = s2 / m.n - mean * mean;
        const m3 = s3 / m.n - 3 * mean * (s2 / m.n) + 2 * mean ** 3;
        if (!(m2 > 0) || !Number.isFinite(m3))
            return undefined;
        return { g: Math.abs(m3) / m2 ** 1.5, variance: m2 / m.n, n: m.n };
    };
    const b = arm(bm, wb);
    const c = arm(cm, wc);
    if (!b || !c)
        return undefined;
    const term = (a) => a.variance ** 1.5 / Math.sqrt(a.n);
    return (Math.max(b.g, c.g) * (term(b) + term(c))) / (b.variance + c.variance) ** 1.5;
}
/** The covariates to try: pre-exposure sums with enough coverage, then each request covariate. */
function candidateRegressors(m, b, c, k, report) {
    const d = m.sums.length;
    const out = [];
    if (b.covered + c.covered > 0 && b.covered + c.covered < MIN_COVERED_UNITS) {
        report.dropped.push({ covariate: PRE_EXPOSURE, why: 'low-coverage' });
    }
    else if (b.covered + c.covered > 0) {
        // Randomisation balances the pre-exposure sums, and the share of units that have any: a
        // chance imbalance in either is what the adjustment corrects (units without history are
        // predicted by the intercept). A broken design is caught elsewhere: a lookback that saw the
        // canary voids the pre-exposure data (the evidence builder), and an assignment that is not
        // random biases the unadjusted comparison alike (the traffic-split and segment-mix checks).
        out.push(...preExposureRegressors(d));
    }
    m.covariates.forEach((name, j) => {
        const r = requestRegressor(d, j, name);
        if (!(b.mean[V_REQUESTS] > 0 && c.mean[V_REQUESTS] > 0))
            return;
        if (balanced(r, b, c, k))
            out.push(r);
        else
            report.dropped.push({ covariate: name, why: 'imbalanced' });
    });
    return out;
}
/**
 * A covariate is balanced when the difference of its arms is inside the same anytime-valid
 * boundary the metric uses (so a truly unaffected covariate is dropped at no look with probability
 * at least 1 - alpha). A constant one passes here and is dropped by fitTheta.
 */
function balanced(r, b, c, k) {
    const jb = r.jacobian(b);
    const jc = r.jacobian(c);
    const variance = quad(jb, b.cov, jb) / b.n + quad(jc, c.cov, jc) / c.n;
    const diff = r.value(c) - r.value(b);
    return !(diff * diff > k * k * variance);
}
/**
 * theta = Shh^-1 Shg, the pooled within-arm covariances of the linearised covariates (J_a v) and
 * the linearised metric (g_a' v), weighted by n_a - 1: the OLS slopes of y on (1, arm, covariates)
 * (Lindon et al.; CUPED's pooled theta). A Cholesky factorisation in the covariates' order drops
 * one whose pivot is not above 1e-9 of its own variance (constant, or collinear with earlier ones,
 * e.g. the last level of a categorical covariate whose levels sum to the requests).
 */
function fitTheta(candidates, b, c, report) {
    const jac = candidates.map(r => [r.jacobian(b), r.jacobian(c)]);
    const pooled = (u, w) => ((b.n - 1) * quad(u[0], b.cov, w[0]) + (c.n - 1) * quad(u[1], c.cov, w[1])) / (b.n + c.n - 2);
    const kept = [];
    // Rows of the Cholesky factor L of the kept covariates' covariance, and L^-1 Shg.
    const rows = [];
    const z = [];
    candidates.forEach((r, i) => {
        const own = pooled(jac[i], jac[i]);
        const row = kept.map(j => pooled(jac[i], jac[j]));
        for (let p = 0; p < row.length; p++) {
            let s = row[p];
            for (let q = 0; q < p; q++)
                s -= rows[p][q] * row[q];
            row[p] = s / rows[p][p];
        }
        const pivot = own - row.reduce((s, x) => s + x * x, 0);
        if (!(own > 0)) {
            if (!report.dropped.some(x => x.covariate === r.name))
                report.dropped.push({ covariate: r.name, why: 'constant' });
            return;
        }
        if (!(pivot > 1e-9 * own)) {
            if (!report.dropped.some(x => x.covariate === r.name))
                report.dropped.push({ covariate: r.name, why: 'collinear' });
            return;
        }
        const l = Math.sqrt(pivot);
        const hg = pooled(jac[i], [b.grad, c.grad]);
        z.push((hg - row.reduce((s, x, q) => s + x * z[q], 0)) / l);
        rows.push([...row, l]);
        kept.push(i);
    });
    // Back substitution: L' theta = z.
    const theta = new Array(kept.length).fill(0);
    for (let p = kept.length - 1; p >= 0; p--) {
        let s = z[p];
        for (let q = p + 1; q < kept.length; q++)
            s -= rows[q][p] * theta[q];
        theta[p] = s / rows[p][p];
    }
    return { regressors: kept.map(i => candidates[i]), theta };
}
/** sum_k theta_k J_a,k: the gradient of theta' h at the arm's mean. */
function combine(fit, a, d) {
    const out = new Float64Array(d);
    fit.regressors.forEach((r, i) => {
        const j = r.jacobian(a);
        for (let p = 0; p < d; p++)
            out[p] = out[p] + fit.theta[i] * j[p];
    });
    return out;
}
const minus = (u, w) => u.map((x, i) => x - w[i]);
function absoluteInterval(b, c, adjustment, variance, k) {
    const estimate = c.ratio - b.ratio - adjustment;
    const se = Math.sqrt(variance);
    const h = se * k;
    const finite = Number.isFinite(estimate) && Number.isFinite(h);
    return {
        estimate,
        lower: finite ? estimate - h : -Infinity,
        upper: finite ? estimate + h : Infinity,
        baseline: b.ratio,
        canary: c.ratio,
        se: Number.isFinite(se) ? se : Infinity,
        relative: false
    };
}
/**
 * The relative change by Fieller's inversion of the contrast A_c - u A_b, u = 1 + r, where
 * A_a = R_a - theta' (h_a - hbar) are the adjusted arm means (hbar: both arms pooled, so that
 * A_c - A_b is the absolute estimate). Its gradient in arm c's mean is p_c + u q_c and in arm b's
 * p_b + u q_b (delta method), so its variance is v0 + 2 v1 u + v2 u^2, and the sequence is the set
 * of u with (A_c - u A_b)^2 <= k^2 (v0 + 2 v1 u + v2 u^2).
 */
function relativeInterval(x) {
    const { b, c, jb, jc, k } = x;
    const n = b.n + c.n;
    const wb = b.n / n;
    const wc = c.n / n;
    const hbar = wb * x.shift(b) + wc * x.shift(c);
    const ab = b.ratio - (x.shift(b) - hbar);
    const ac = c.ratio - (x.shift(c) - hbar);
    const pc = c.grad.map((g, i) => g - wb * jc[i]);
    const qc = jc.map(j => -wc * j);
    const pb = jb.map(j => wb * j);
    const qb = b.grad.map((g, i) => -g + wc * jb[i]);
    const v = (u, w, a) => (x.correction * quad(u, a.cov, w)) / a.n;
    const v0 = v(pc, pc, c) + v(pb, pb, b);
    const v1 = v(pc, qc, c) + v(pb, qb, b);
    const v2 = v(qc, qc, c) + v(qb, qb, b);
    const estimate = ab !== 0 ? ac / ab - 1 : NaN;
    const qa = ab * ab - k * k * v2;
    const qbHalf = ac * ab + k * k * v1;
    const qcc = ac * ac - k * k * v0;
    const disc = qbHalf * qbHalf - qa * qcc;
    const bounded = ab > 0 && qa > 0 && disc >= 0 && Number.isFinite(disc);
    const root = Math.sqrt(Math.max(0, disc));
    const uHat = ac / ab;
    const se = ab > 0 ? Math.sqrt(Math.max(0, v0 + 2 * v1 * uHat + v2 * uHat * uHat)) / ab : Infinity;
    const at = Number.isFinite(uHat) ? uHat : 1;
    return {
        interval: {
            estimate,
            lower: bounded ? (qbHalf - root) / qa - 1 : -Infinity,
            upper: bounded ? (qbHalf + root) / qa - 1 : Infinity,
            baseline: b.ratio,
            canary: c.ratio,
            se: Number.isFinite(se) ? se : Infinity,
            relative: true
        },
        weights: {
            baseline: pb.map((p, i) => p + at * qb[i]),
            canary: pc.map((p, i) => p + at * qc[i])
        }
    };
}

/**
 * A bounded mean with variance reduction keeps its nonasymptotic sequence at this share of its
 * alpha, the regression-adjusted (asymptotic) one gets the rest, and the two are intersected
 * (analysis/compareMetric.ts boundedDifference): by the union bound the intersection misses with
 * at most the sum, and the nonasymptotic one still decides, alone, while the adjusted one is held
 * (a skewed estimator). A tenth: the adjusted one, which decides once it is trusted, is then
 * about 2% wider than at the whole alpha; the nonasymptotic one alone about a fifth wider.
 */
const NONASYMPTOTIC_SHARE = 0.1;
const NOT_APPLIED = {
    held: 'interval-held',
    skewed: 'estimator-skewed',
    disjoint: 'intervals-disagree'
};
/**
 * The regression-adjusted comparison of a metric with `varianceReduction`
 * (src/stats/cs/regressionAdjusted.ts), or undefined for a metric without it. Without adjusted
 * moments in the evidence (a source that cannot give them) the metric is compared unadjusted, and
 * the record says so.
 */
function adjustedComparison(spec, baseline, canary, ctx) {
    const vr = spec.varianceReduction;
    if (!vr)
        return undefined;
    const b = baseline.adjusted;
    const c = canary.adjusted;
    if (!b || !c) {
        const none = { baseline: 0, canary: 0 };
        const result = {
            used: false,
            varianceReduction: null,
            covariates: [],
            units: none,
            preExposureUnits: none,
            reason: 'no-data'
        };
        return {
            result: () => result,
            interval: () => undefined,
            skewness: () => undefined,
            available: false
        };
    }
    // A bounded mean's adjusted sequence gets what its nonasymptotic one leaves, and is used even
    // where it explains little or nothing (none of that alpha would go back; its estimate of the
    // variance removed may then be slightly negative): its width then moves smoothly with what the
    // covariates explain, instead of jumping at MIN_REDUCTION.
    const bounded = metricRange(spec) !== undefined;
    const alpha = bounded ? ctx.alpha * (1 - NONASYMPTOTIC_SHARE) : ctx.alpha;
    const fits = new Map();
    const fit = (relative) => {
        let f = fits.get(relative);
        if (!f) {
            f = regressionAdjustedCS(b, c, alpha, {
                relative,
                tStar: ctx.tStar.total,
                ...(ctx.side && { side: ctx.side }),
                ...(bounded && { minReduction: -Infinity })
            });
            fits.set(relative, f);
        }
        return f;
    };
    const main = fit(spec.tolerance.relative);
    // One level of a categorical covariate is the reference when every level was seen: not news.
    const field = (name) => name.split('=')[0];
    const dropped = main.dropped.filter(d => !(d.why === 'collinear' &&
        d.covariate.includes('=') &&
        main.covariates.some(c => c.includes('=') && field(c) === field(d.covariate))));
    const pre = preExposureLeftOut(vr.lookback, ctx.preExposure, main);
    if (pre)
        dropped.unshift({ covariate: PRE_EXPOSURE, why: pre });
    const result = {
        used: main.interval !== undefined,
        varianceReduction: Number.isFinite(main.varianceReduction) ? main.varianceReduction : null,
        covariates: main.covariates,
        units: main.units,
        preExposureUnits: main.covered
    };
    if (main.fallback)
        result.reason = main.fallback;
    if (dropped.length > 0)
        result.dropped = dropped;
    return {
        interval: relative => fit(relative).interval,
        skewness: relative => fit(relative).skewness,
        result: applied => applied === 'used' || !result.used
            ? result
            : { ...result, used: false, reason: NOT_APPLIED[applied] },
        available: main.fallback !== 'no-covariate' && main.fallback !== 'too-few-units'
    };
}
/** Why the metric's own pre-exposure level is not among the covariates, when it was asked for. */
function preExposureLeftOut(lookback, quality, fit) {
    if (lookback <= 0 || fit.covariates.includes(PRE_EXPOSURE))
        return undefined;
    if (fit.dropped.some(d => d.covariate === PRE_EXPOSURE))
        return undefined;
    if (!quality)
        return 'no-lookback';
    if (quality.canaryRecords > 0)
        return 'lookback-not-clean';
    return fit.covered.baseline + fit.covered.canary === 0 ? 'no-history' : undefined;
}

const toHarm = (d, better) => better === 'lower'
    ? { estimate: d.estimate, lower: d.lower, upper: d.upper }
    : { estimate: -d.estimate, lower: -d.upper, upper: -d.lower };
/** The fixed-time z for 95%, to express an interval's width as a standard error. */
const Z_95 = normalQuantile(0.975);
/**
 * Compare one metric between the arms: a confidence sequence for the change, then the verdict of
 * DESIGN.md: pass when the whole interval is better than the tolerance, fail when it is wholly
 * beyond it (or beyond the stricter `rollbackAt`), else inconclusive with a projection.
 *
 * Which sequence (methodOf): a quantile's rank CS (stats/cs/quantile.ts); a bounded metric's
 * nonasymptotic empirical-Bernstein CS (stats/cs/bernstein.ts); an unbounded mean's or ratio's
 * asymptotic CS (stats/cs/ratio.ts), trusted only from the minimum sample counted in units and
 * once the estimator's skewness is small (stats/clt.ts). Until an interval can be trusted it is
 * reported as unbounded, with the reason (`why`).
 */
function compareMetric(spec, baseline, canary, context, 
/** The canary's value from a raw query, for the limit only (Evidence.limitValues). */
limitValue) {
    // A metric may need its own minimum sample (the judge's, which samples far fewer outputs). Its
    // time is its own sample, not the traffic: its sequences keep the t* of the minimum sample.
    const ctx = spec.minSamples === undefined ? context : ownSample(context, spec.minSamples);
    // The pass side at its own alpha (a promotion needs every metric to pass: the step's whole
    // budget, stats/alphaSpending.ts), the fail side at the family's split; one interval when equal.
    // Each end from its own one-sided sequence (CompareContext.ends).
    const passCtx = passContext(ctx, spec.better);
    const failCtx = failContext(ctx, spec.better);
    // Variance reduction (CUPED): the regression-adjusted sequence, for a metric that asks for it.
    const adjusted = adjustedComparison(spec, baseline, canary, passCtx);
    const failAdjusted = passCtx === failCtx ? adjusted : adjustedComparison(spec, baseline, canary, failCtx);
    const evaluated = differenceInterval(spec, baseline, canary, spec.tolerance, passCtx, adjusted);
    const failAt = spec.rollbackAt ?? spec.tolerance;
    const atFailLevel = (tolerance) => passCtx === failCtx && tolerance.relative === spec.tolerance.relative
        ? evaluated.interval
        : differenceInterval(spec, baseline, canary, tolerance, failCtx, failAdjusted).interval;
    // The interval shown is the one decided on: its pass side at the pass alpha, the other at the
    // fail alpha (on the tolerance's scale).
    const interval = decisionInterval(evaluated.interval, atFailLevel(spec.tolerance), spec.better);
    const harm = toHarm(interval, spec.better);
    const failHarm = failAt.relative === spec.tolerance.relative ? harm : toHarm(atFailLevel(failAt), spec.better);
    const n = { baseline: baseline.requests, canary: canary.requests };
    const units = { baseline: unitsOf(baseline), canary: unitsOf(canary) };
    const clustered = units.baseline < n.baseline || units.canary < n.canary;
    // The reference arm of a one-sample comparison (the judge's pairwise win rate) needs no sample.
    const oneSample = spec.reference !== undefined;
    const enough = (oneSample || units.baseline >= ctx.minSamples) && units.canary >= ctx.minSamples;
    let verdict = 'inconclusive';
    if (enough && harm.upper < spec.tolerance.value)
        verdict = 'pass';
    else if (enough && failHarm.lower > failAt.value)
        verdict = 'fail';
    const sign = spec.better === 'lower' ? 1 : -1;
    const result = {
        name: spec.name,
        from: spec.from,
        kind: spec.kind,
        ...(spec.quantile !== undefined && { quantile: spec.quantile }),
        better: spec.better,
        mode: spec.mode,
        verdict,
        baseline: finiteOrNull(interval.baseline),
        canary: finiteOrNull(interval.canary),
        delta: {
            estimate: interval.estimate,
            lower: interval.lower,
            upper: interval.upper,
            relative: interval.relative
        },
        tolerance: sign * spec.tolerance.value,
        ...(spec.rollbackAt && { rollbackAt: sign * spec.rollbackAt.value }),
        n,
        ...(clustered && { units }),
        alpha: ctx.alpha,
        ...(passCtx.alpha !== ctx.alpha && { passAlpha: passCtx.alpha }),
        reason: '',
        why: { code: 'inconclusive', beyondTolerance: false },
        method: evaluated.method,
        ...(evaluated.validity && { validity: evaluated.validity }),
        ...(adjusted && { varianceReduction: adjusted.result(evaluated.adjustment ?? 'used') })
    };
    if (spec.limit !== undefined) {
        result.limit =
            limitValue === undefined
                ? limitResult(spec, spec.limit, canary, failCtx)
                : queryLimit(spec, spec.limit, limitValue);
    }
    if (units.baseline >= ctx.minSamples && !oneSample) {
        const own = armInterval(spec, baseline, ctx, 'baseline');
        if (Number.isFinite(own.lower) && Number.isFinite(own.upper)) {
            result.baselineInterval = { lower: own.lower, upper: own.upper };
        }
    }
    result.why = whyOf(result, {
        enough,
        minSamples: ctx.minSamples,
        units: clustered,
        have: oneSample ? { ...units, baseline: ctx.minSamples } : units,
        blocked: evaluated.blocked,
        beyondTolerance: harm.lower > spec.tolerance.value
    });
    if (verdict === 'inconclusive' && enough && (baseline.histogram || canary.histogram)) {
        if (bucketResolution(spec, baseline, canary, ctx))
            result.why = { code: 'bucket-resolution' };
    }
    if (verdict === 'inconclusive' && ctx.project !== false) {
        const now = { harm, t: interval.t };
        const vr = result.varianceReduction;
        const adjustedView = vr?.used && vr.varianceReduction !== null
            ? {
                estimate: harm.estimate,
                failEstimate: failHarm.estimate,
                scale: Math.sqrt(Math.max(0, 1 - vr.varianceReduction))
            }
            : adjusted?.available
                ? 'held'
                : undefined;
        result.needed = projectNeeded({
            why: result.why,
            units,
            requests: n,
            canaryRate: ctx.canaryRate,
            canaryRequests: ctx.canaryRequests,
            ...(ctx.growth && { growth: ctx.growth }),
            decisiveAt: f => decisiveAt(spec, baseline, canary, ctx, failAt, now, f, adjustedView)
        });
    }
    result.reason = reasonText(result.why);
    return result;
}
/**
 * A bounded mean's interval: its nonasymptotic sequence, and with variance reduction (adjusted
 * moments and a covariate to use: AdjustedComparison.available) that sequence at
 * NONASYMPTOTIC_SHARE of the alpha intersected with the regression-adjusted one at the rest
 * (analysis/varianceReduction.ts): each misses with at most its own alpha, so the intersection
 * with at most their sum. The adjusted one is used under an unbounded mean's guards (the skewness
 * of the adjusted estimator, else of the unadjusted one, defined and small; a constant sample has
 * none), else the nonasymptotic one decides alone. `projected`: 'held' projects a metric whose
 * adjustment is available but not in use (the nonasymptotic sequence alone, at its share).
 */
function boundedDifference(spec, b, c, relative, range, ctx, validity, inflation, adjusted, projected) {
    const split = adjusted?.available === true || projected === 'held';
    const ownCtx = split ? { ...ctx, alpha: ctx.alpha * NONASYMPTOTIC_SHARE } : ctx;
    const own = boundedInterval(spec, b, c, relative, range, ownCtx, inflation, ctx.side);
    const method = methodOf(spec, { relative, histogram: false, betting: own.betting === true });
    const atShare = split ? `, at ${NONASYMPTOTIC_SHARE} of the alpha` : '';
    const alone = { interval: own, method: method + atShare + endsOf(ctx), validity };
    if (!adjusted?.available)
        return alone;
    const regressionAdjusted = adjusted.interval(relative);
    if (!regressionAdjusted)
        return alone;
    const kappa = relative && own.estimate > -1 ? 1 + own.estimate : 1;
    const skewness = adjusted.skewness(relative) ?? sharedSkewness$1(b.moments, c.moments, kappa);
    if (skewness === undefined || Math.abs(skewness) > MAX_SKEWNESS) {
        return { ...alone, adjustment: 'skewed' };
    }
    const both = intersection(own, regressionAdjusted);
    if (!both)
        return { ...alone, adjustment: 'disjoint' };
    const cuped = adjustedMethod(adjusted.result('used').covariates, true, relative);
    return {
        interval: both,
        method: `${method}${atShare}, intersected with the ${cuped} at the rest${endsOf(ctx)}`,
        validity: { ...validity, skewness, maxSkewness: MAX_SKEWNESS }
    };
}
/**
 * Two intervals for one change, both valid: where they agree, with the second's estimate (kept
 * inside); undefined when they do not overlap (one of them missed).
 */
function intersection(own, other) {
    const lower = Math.max(own.lower, other.lower);
    const upper = Math.min(own.upper, other.upper);
    if (!(lower <= upper))
        return undefined;
    const centre = Number.isFinite(other.estimate) ? other.estimate : own.estimate;
    const estimate = Math.min(upper, Math.max(lower, centre));
    return { ...other, estimate, lower, upper, se: seOf(estimate, lower, upper) };
}
/** Clusters of an arm: units when the moments are clustered by unit, else requests. */
function unitsOf(m) {
    return m.moments.n > 0 ? Math.min(m.moments.n, m.requests) : m.requests;
}
/** The context of a metric with its own minimum sample: t* planned from traffic does not apply. */
function ownSample(ctx, minSamples) {
    const { tStarRequests: _traffic, failTStarRequests: _failTraffic, ...rest } = ctx;
    return { ...rest, minSamples, tStar: ctx.failTStar ?? ctx.tStar };
}
/** The method's words for an interval whose ends come from one-sided sequences. */
const endsOf = (ctx) => ctx.side ? '; each end one-sided, valid alone at its own alpha (one-sided mixtures)' : '';
/** The t* of a metric's sequences: in requests for a quantile's rank CS, else in units. */
function tStarOf(spec, ctx) {
    return spec.kind === 'quantile' ? (ctx.tStarRequests ?? ctx.tStar) : ctx.tStar;
}
/** The end of canary - baseline that passes: the harm's upper end. */
const passSide = (better) => (better === 'lower' ? 'upper' : 'lower');
/**
 * The context of a metric's pass side: `passAlpha` as its alpha, and its end alone unless both
 * ends are read (the same object when nothing differs).
 */
function passContext(ctx, better) {
    const alpha = ctx.passAlpha ?? ctx.alpha;
    if (ctx.ends === 'both')
        return alpha === ctx.alpha ? ctx : { ...ctx, alpha };
    return { ...ctx, alpha, side: passSide(better) };
}
/** The context of a metric's fail side: its end alone unless both ends are read. */
function failContext(ctx, better) {
    if (ctx.ends === 'both')
        return ctx;
    const side = passSide(better) === 'upper' ? 'lower' : 'upper';
    const t = ctx.failTStar;
    if (!t)
        return { ...ctx, side };
    return { ...ctx, side, tStar: t, tStarRequests: ctx.failTStarRequests ?? t };
}
/**
 * The interval a verdict is decided on: the side that passes (the upper end on the harm scale)
 * from the pass-level interval, the side that fails from the fail-level one; its standard error
 * (a width's fixed-time equivalent for quantiles) from the two ends together.
 */
function decisionInterval(pass, fail, better) {
    if (pass === fail)
        return pass;
    const merged = better === 'lower' ? { ...pass, lower: fail.lower } : { ...pass, upper: fail.upper };
    if (Number.isFinite(pass.se) || !Number.isFinite(fail.se))
        return merged;
    const width = merged.upper - merged.lower;
    return { ...merged, se: Number.isFinite(width) ? width / (2 * Z_95) : fail.se };
}
function differenceInterval(spec, b, c, tolerance, ctx, adjusted, 
/**
 * A projection (decisiveAt) of a metric with variance reduction: 'adjusted' when its adjusted
 * sequence is in use (a bounded mean's asymptotic sequence stands for it), 'held' when it is
 * available but not in use (a bounded mean's nonasymptotic sequence at its share).
 */
projected) {
    const relative = tolerance.relative;
    const aggregate = ctx.designEffects?.[spec.name];
    if (spec.kind === 'quantile') {
        const base = quantileArm(b);
        const can = quantileArm(c);
        const deff = aggregate && !('unknown' in aggregate)
            ? { baseline: aggregate.baseline, canary: aggregate.canary }
            : { baseline: base.designEffect, canary: can.designEffect };
        return {
            interval: quantileDifferenceCS(base.sketch, can.sketch, spec.quantile ?? 0.5, ctx.alpha, {
                relative,
                tStar: tStarOf(spec, ctx),
                designEffect: deff,
                ...(ctx.side && { side: ctx.side })
            }),
            method: methodOf(spec, { relative, histogram: !!(b.histogram || c.histogram) }) + endsOf(ctx)
        };
    }
    if (aggregate && 'unknown' in aggregate) {
        return {
            interval: unbounded(relative, b, c),
            method: methodOf(spec, { relative, histogram: !!(b.histogram || c.histogram) }),
            blocked: { code: 'design-effect-unknown', atLeast: aggregate.atLeast }
        };
    }
    const inflation = aggregate
        ? { baseline: aggregate.baseline, canary: aggregate.canary }
        : undefined;
    const validity = {};
    if (inflation)
        validity.designEffect = { ...inflation, source: aggregate.source };
    const range = projected === 'adjusted' ? undefined : sketchRange(metricRange(spec), b, c);
    if (range) {
        const held = projected === 'held' ? projected : undefined;
        return boundedDifference(spec, b, c, relative, range, ctx, validity, inflation, adjusted, held);
    }
    const interval = ratioDifferenceCS(b.moments, c.moments, ctx.alpha, {
        relative,
        tStar: ctx.tStar.total,
        ...(inflation && { designEffect: inflation }),
        sharedSpread: true,
        ...(ctx.side && { side: ctx.side })
    });
    const kappa = relative && interval.estimate > -1 ? 1 + interval.estimate : 1;
    // Variance reduction: the regression-adjusted sequence replaces the unadjusted one, under the
    // same guards, with the skewness rule applied to the adjusted estimator (its per-unit residual
    // is what the normal approximation is about; without third moments, the unadjusted one's).
    const regressionAdjusted = adjusted?.interval(relative);
    const plainSkewness = sharedSkewness$1(b.moments, c.moments, kappa);
    const skewness = regressionAdjusted
        ? (adjusted.skewness(relative) ?? plainSkewness)
        : plainSkewness;
    const method = methodOf(spec, {
        relative,
        histogram: false,
        skewness: skewness !== undefined,
        ...(regressionAdjusted && { adjustedFor: adjusted.result('used').covariates })
    });
    if (skewness !== undefined) {
        validity.skewness = skewness;
        validity.maxSkewness = MAX_SKEWNESS;
        if (Math.abs(skewness) > MAX_SKEWNESS) {
            return {
                interval: { ...interval, lower: -Infinity, upper: Infinity },
                method,
                validity,
                blocked: { code: 'too-skewed', skewness, maxSkewness: MAX_SKEWNESS },
                ...(adjusted && { adjustment: 'held' })
            };
        }
    }
    const described = method + endsOf(ctx);
    if (regressionAdjusted)
        return { interval: regressionAdjusted, method: described, validity };
    return { interval, method: described, validity };
}
function unbounded(relative, b, c) {
    const rb = b.moments.sy > 0 ? b.moments.sx / b.moments.sy : NaN;
    const rc = c.moments.sy > 0 ? c.moments.sx / c.moments.sy : NaN;
    return {
        estimate: relative ? rc / rb - 1 : rc - rb,
        lower: -Infinity,
        upper: Infinity,
        baseline: rb,
        canary: rc,
        se: Infinity,
        t: b.moments.n + c.moments.n,
        relative
    };
}
/**
 * A bounded metric's range widened to the bounds its sketches carry: the judge's length-adjusted
 * scores (judge/lengthControl.ts) can lie outside [0, 1], within bounds the judge computes.
 */
function sketchRange(range, ...arms) {
    if (!range)
        return undefined;
    let { lo, hi } = range;
    for (const arm of arms) {
        if (!arm.bounds)
            continue;
        lo = Math.min(lo, arm.bounds.lower);
        hi = Math.max(hi, arm.bounds.upper);
    }
    return { lo, hi };
}
/**
 * The bounded arm of a sketch: requests, the sum, the per-request sum of squares, and the design
 * effect of clustering: the cluster residual sum of squares over the per-request one, at least 1
 * (the variance a clustered mean really has, over what independent requests would give). Without
 * the per-request sum of squares of clustered moments, its upper bound for values in [lo, hi]:
 * x^2 <= (lo + hi) x - lo hi.
 */
function boundedArm(m, range, inflation = 1) {
    const mo = m.moments;
    const n = Math.max(m.requests, mo.sy);
    const perRequest = mo.n === n && mo.syy === mo.sy;
    const bound = (range.lo + range.hi) * mo.sx - n * range.lo * range.hi;
    const squares = m.requestSquares ?? (perRequest ? mo.sxx : bound);
    let deff = Math.max(1, inflation);
    if (!perRequest && mo.n >= 2 && mo.sy > 0) {
        const r = mo.sx / mo.sy;
        const clusterSS = Math.max(0, mo.sxx - 2 * r * mo.sxy + r * r * mo.syy);
        const requestSS = Math.max(0, squares - (mo.sx * mo.sx) / n);
        if (requestSS > 0)
            deff = Math.max(deff, clusterSS / requestSS);
        else if (clusterSS > 0)
            deff = Infinity;
    }
    return { n, sum: mo.sx, squares, designEffect: Number.isFinite(deff) ? deff : 1e12 };
}
/**
 * The arm as counts per value, when its sketch determines them: the judge's value counts
 * (MetricSketch.levels, when they add up to its requests), or a 0/1 metric's requests and sum.
 * With the bounded arm's design effect (stats/cs/betting.ts divides the counts by it).
 */
function discreteArm(spec, m, arm) {
    const levels = m.levels;
    if (levels) {
        const total = levels.counts.reduce((a, b) => a + b, 0);
        if (Math.abs(total - m.requests) <= 1e-9 * Math.max(1, m.requests)) {
            return { values: levels.values, counts: levels.counts, designEffect: arm.designEffect };
        }
    }
    if (binaryMetric(spec) && !m.bounds)
        return binaryArm(arm.n, arm.sum, arm.designEffect);
    return undefined;
}
/**
 * A bounded metric's interval (stats/cs/bernstein.ts, or stats/cs/betting.ts when both arms'
 * values are counts per level: a 0/1 metric, the judge's scores): the joint region of both arms projected on
 * the change, absolute or (Fieller) relative; or, for a fixed reference (the judge's pairwise win
 * rate against 0.5), the canary's own CS minus the reference. With `side` (on the returned
 * interval's scale: canary - baseline, canary / baseline - 1, or canary - reference), only that
 * bound, valid alone at ctx.alpha; the other is infinite.
 */
function boundedInterval(spec, b, c, relative, range, ctx, inflation, side) {
    const canary = boundedArm(c, range, inflation?.canary);
    const discrete = discreteArm(spec, c, canary);
    if (spec.reference !== undefined) {
        const tuning = { tStar: ctx.tStar.canary };
        const cs = discrete
            ? bettingCS(discrete, range, ctx.alpha, tuning, side)
            : boundedCS(canary, range, ctx.alpha, tuning, side);
        const ref = spec.reference;
        const lower = relative ? cs.lower / ref - 1 : cs.lower - ref;
        const upper = relative ? cs.upper / ref - 1 : cs.upper - ref;
        const estimate = relative ? cs.estimate / ref - 1 : cs.estimate - ref;
        return {
            estimate,
            ...(canary.n > 0 ? { lower, upper } : { lower: -Infinity, upper: Infinity }),
            baseline: ref,
            canary: cs.estimate,
            se: canary.n > 0 ? seOf(estimate, lower, upper) : Infinity,
            t: canary.n,
            relative,
            ...(discrete && { betting: true })
        };
    }
    const baseline = boundedArm(b, range, inflation?.baseline);
    const bDiscrete = discreteArm(spec, b, baseline);
    const tuning = { baseline: { tStar: ctx.tStar.baseline }, canary: { tStar: ctx.tStar.canary } };
    // The Fieller ratio by betting needs nonnegative values (a rate's, a score's).
    const betting = !!(discrete && bDiscrete && (!relative || range.lo >= 0));
    let d;
    if (betting) {
        const bet = new BettingRegion(bDiscrete, discrete, range, ctx.alpha, tuning, side);
        d = relative ? bettingRatioCS(bet) : bettingContrastCS(bet, 1);
    }
    else {
        const region = new JointRegion(baseline, canary, range, ctx.alpha, tuning, side);
        d = relative ? boundedRatioCS(region) : boundedContrastCS(region, 1);
    }
    return {
        ...d,
        baseline: baseline.n > 0 ? baseline.sum / baseline.n : NaN,
        canary: canary.n > 0 ? canary.sum / canary.n : NaN,
        se: seOf(d.estimate, d.lower, d.upper),
        t: baseline.n + canary.n,
        relative,
        ...(betting && { betting: true })
    };
}
/**
 * An interval's width as a standard error (at 95%): its half-width, or, for a one-sided interval,
 * its finite side's distance from the estimate.
 */
function seOf(estimate, lower, upper) {
    if (Number.isFinite(lower) && Number.isFinite(upper))
        return (upper - lower) / (2 * Z_95);
    const d = Number.isFinite(lower) ? estimate - lower : upper - estimate;
    return Number.isFinite(d) ? Math.max(0, d) / Z_95 : Infinity;
}
/**
 * The arm's sketch grown by `f`: clusters times f.units, requests times f.requests, at the same
 * estimate and per-request spread. More requests from the same users make each unit's sum larger
 * and its requests more of the unit's own level: Kish's design effect D = 1 + (m - 1) ICC
 * (Survey Sampling, 1965, Section 5.4) grows with m, the units' request count weighted by requests
 * (syy / sy), by p = f.requests / f.units, with the intra-unit correlation ICC = (D - 1) / (m - 1)
 * read from the sketch now (D the cluster residual sum of squares over the per-request one). The
 * grown moments carry the residual sum of squares D' times the grown per-request one; their
 * other sums scale with the cluster sizes. Per-request sketches grow by f.requests throughout.
 */
function grown(m, f) {
    const mo = m.moments;
    const scaleAll = (k) => {
        const out = {
            moments: {
                n: mo.n * k,
                sx: mo.sx * k,
                sy: mo.sy * k,
                sxx: mo.sxx * k,
                syy: mo.syy * k,
                sxy: mo.sxy * k,
                ...(mo.sxxx !== undefined && {
                    sxxx: mo.sxxx * k,
                    sxxy: (mo.sxxy ?? 0) * k,
                    sxyy: (mo.sxyy ?? 0) * k,
                    syyy: (mo.syyy ?? 0) * k
                })
            },
            requests: m.requests * k
        };
        if (m.requestSquares !== undefined)
            out.requestSquares = m.requestSquares * k;
        if (m.levels)
            out.levels = scaledLevels(m, k);
        return out;
    };
    if (mo.n >= m.requests || !(mo.sy > 0) || !(mo.n >= 2))
        return scaleAll(f.requests);
    const p = Math.max(1, f.requests / f.units);
    const r = mo.sx / mo.sy;
    const clusterSS = Math.max(0, mo.sxx - 2 * r * mo.sxy + r * r * mo.syy);
    const n = Math.max(m.requests, mo.sy);
    const requestSS = m.requestSquares !== undefined ? Math.max(0, m.requestSquares - (mo.sx * mo.sx) / n) : NaN;
    const weighted = mo.syy / mo.sy;
    // Without the per-request sum of squares, each unit's variance grows with its size squared.
    const icc = requestSS > 0 && weighted > 1
        ? Math.min(1, Math.max(0, (clusterSS / requestSS - 1) / (weighted - 1)))
        : 1;
    const designEffect = (size) => 1 + (size - 1) * icc;
    const grownSS = requestSS > 0
        ? designEffect(weighted * p) * requestSS * f.requests
        : clusterSS * f.units * p * p;
    const k2 = f.units * p * p;
    const k3 = k2 * p;
    const sxy = mo.sxy * k2;
    const syy = mo.syy * k2;
    const out = {
        moments: {
            n: mo.n * f.units,
            sx: mo.sx * f.requests,
            sy: mo.sy * f.requests,
            sxx: grownSS + 2 * r * sxy - r * r * syy,
            syy,
            sxy,
            ...(mo.sxxx !== undefined && {
                sxxx: mo.sxxx * k3,
                sxxy: (mo.sxxy ?? 0) * k3,
                sxyy: (mo.sxyy ?? 0) * k3,
                syyy: (mo.syyy ?? 0) * k3
            })
        },
        requests: m.requests * f.requests
    };
    if (m.requestSquares !== undefined)
        out.requestSquares = m.requestSquares * f.requests;
    if (m.levels)
        out.levels = scaledLevels(m, f.requests);
    return out;
}
/** The value counts of a grown sketch: each count times the growth of the requests. */
function scaledLevels(m, k) {
    return { values: m.levels.values, counts: m.levels.counts.map(c => c * k) };
}
/**
 * Whether the metric would be decisive (pass or fail, on enough units) after each arm grew by its
 * factors, at the same estimates. Quantiles keep no moments to grow: their interval's half-widths
 * shrink as the rank boundary does with the canary's requests (stats/projection.ts).
 */
function decisiveAt(spec, b, c, ctx, failAt, now, f, 
/** The adjusted sequence in use, or 'held': available but not in use (see differenceInterval). */
adjusted) {
    const enough = (spec.reference !== undefined || unitsOf(b) * f.baseline.units >= ctx.minSamples) &&
        unitsOf(c) * f.canary.units >= ctx.minSamples;
    if (!enough)
        return false;
    if (spec.kind === 'quantile') {
        const k = f.canary.requests;
        return (samplesToDecide(now.harm, now.t, ctx.alpha, mixtureRho(ctx.alpha, tStarOf(spec, ctx).total), spec.tolerance.value, failAt.value) <= k);
    }
    const gb = grown(b, f.baseline);
    const gc = grown(c, f.canary);
    // With variance reduction in use, the grown unadjusted interval is moved to the adjusted
    // estimate and narrowed by the reduction seen now (sqrt(1 - reduction): the two sequences share
    // their boundary, ../stats/cs/regressionAdjusted.ts), its guards (skewness) still applying. A
    // bounded mean's is then its asymptotic sequence (the adjusted one decides once trusted); held,
    // its nonasymptotic one at its share.
    const inUse = adjusted === 'held' ? undefined : adjusted;
    const projected = adjusted === 'held' ? adjusted : inUse && 'adjusted';
    const view = (h, estimate) => inUse && estimate !== undefined && Number.isFinite(h.estimate)
        ? {
            estimate,
            lower: Number.isFinite(h.lower)
                ? estimate - (h.estimate - h.lower) * inUse.scale
                : h.lower,
            upper: Number.isFinite(h.upper)
                ? estimate + (h.upper - h.estimate) * inUse.scale
                : h.upper
        }
        : h;
    const passCtx = passContext(ctx, spec.better);
    const failCtx = failContext(ctx, spec.better);
    const harm = view(toHarm(differenceInterval(spec, gb, gc, spec.tolerance, passCtx, undefined, projected).interval, spec.better), inUse?.estimate);
    if (harm.upper < spec.tolerance.value)
        return true;
    const sameScale = failAt.relative === spec.tolerance.relative;
    // A fail needs the whole interval beyond failAt, so at least the estimate.
    if (sameScale && !(harm.estimate > failAt.value))
        return false;
    const fail = sameScale && passCtx === failCtx
        ? harm
        : view(toHarm(differenceInterval(spec, gb, gc, failAt, failCtx, undefined, projected).interval, spec.better), inUse?.failEstimate);
    return fail.lower > failAt.value;
}
const sketchOf = (m, interpolate = false) => {
    if (m.histogram) {
        const h = new HistogramQuantiles(m.histogram);
        return interpolate ? h.interpolated() : h;
    }
    return m.quantiles ? QuantileSketch.fromJSON(m.quantiles) : new QuantileSketch();
};
/**
 * One arm of a quantile comparison: its sketch, and the design effect of clustering on its rank
 * counts from its per-unit rank sums (designEffect.ts; 1 for a histogram or unclustered data).
 */
function quantileArm(m) {
    if (m.histogram || !m.quantiles)
        return { sketch: sketchOf(m), designEffect: 1 };
    const sketch = QuantileSketch.fromJSON(m.quantiles);
    return { sketch, designEffect: rankDesignEffect(m, sketch) };
}
/**
 * A quantile read from histogram buckets is widened to the bucket edges (the order statistic is
 * only known to lie in its bucket), so the buckets, not the amount of data, can be what keeps a
 * metric inconclusive. Two ways, said in the reason:
 * - the floor: with unlimited traffic the interval shrinks to the buckets holding each arm's
 *   quantile, [c_low - b_high, c_high - b_low] (relative: c_low / b_high - 1 .. c_high / b_low - 1).
 *   When that floor still crosses the tolerance, no amount of traffic can decide the metric.
 * - the interval read at interpolated values (what finer buckets would give) is decisive while
 *   the one widened to the edges is not.
 */
function bucketResolution(spec, b, c, ctx) {
    if (spec.kind !== 'quantile')
        return false;
    const q = spec.quantile ?? 0.5;
    const tolerance = spec.tolerance;
    const decisive = (d) => {
        const harm = toHarm(d, spec.better);
        return harm.upper < tolerance.value || harm.lower > tolerance.value;
    };
    const at = (s) => s.rangeAtRank?.(Math.max(1, Math.ceil(s.count * q)));
    const bBucket = at(sketchOf(b));
    const cBucket = at(sketchOf(c));
    if (bBucket && cBucket && !decisive(quantileFloor(bBucket, cBucket, tolerance.relative))) {
        return true;
    }
    const d = quantileDifferenceCS(sketchOf(b, true), sketchOf(c, true), q, ctx.alpha, {
        relative: tolerance.relative,
        tStar: tStarOf(spec, ctx)
    });
    return decisive(d);
}
/** The interval a quantile difference tends to with unlimited traffic: the quantiles' buckets. */
function quantileFloor(b, c, relative) {
    const bounds = relative
        ? b.low > 0
            ? { lower: c.low / b.high - 1, upper: c.high / b.low - 1 }
            : { lower: -Infinity, upper: Infinity }
        : { lower: c.low - b.high, upper: c.high - b.low };
    return { estimate: NaN, ...bounds, baseline: NaN, canary: NaN, se: Infinity, t: 0, relative };
}
/** An SLO on the canary alone: breached when its whole interval is on the wrong side. */
function limitResult(spec, limit, canary, ctx) {
    // A breach reads one bound only (ctx.side, the fail side's: the canary's lower bound when lower
    // is better), one-sided at alpha for a bounded metric. The other bound, only shown, is the
    // two-sided sequence's.
    const one = armInterval(spec, canary, ctx, 'canary');
    const both = Number.isFinite(one.lower) && Number.isFinite(one.upper)
        ? one
        : armInterval(spec, canary, { ...ctx, side: undefined }, 'canary');
    const ci = spec.better === 'lower' ? { ...both, lower: one.lower } : { ...both, upper: one.upper };
    const worse = (v) => (spec.better === 'lower' ? v > limit : v < limit);
    const enough = unitsOf(canary) >= ctx.minSamples;
    const breached = enough && worse(spec.better === 'lower' ? ci.lower : ci.upper);
    return {
        value: limit,
        lower: ci.lower,
        upper: ci.upper,
        breached,
        suspect: !breached && Number.isFinite(ci.estimate) && worse(ci.estimate)
    };
}
/** A limit read from a raw query: one number, no interval, so beyond the limit only holds. */
function queryLimit(spec, limit, value) {
    const worse = spec.better === 'lower' ? value > limit : value < limit;
    return { value: limit, lower: value, upper: value, breached: false, suspect: worse, query: true };
}
/**
 * One arm's own confidence sequence for the metric (a limit, or the baseline's drift): the
 * quantile CS, the bounded CS, or the asymptotic CS once its skewness allows (else unbounded).
 * `side`: only that bound is needed (a limit's breach); the bounded CS then computes it alone,
 * valid at ctx.alpha, and the other bound is infinite. The other sequences stay two-sided.
 */
function armInterval(spec, arm, ctx, which) {
    const tStar = tStarOf(spec, ctx)[which];
    if (spec.kind === 'quantile') {
        const q = quantileArm(arm);
        return quantileCS(q.sketch, spec.quantile ?? 0.5, ctx.alpha, tStar, q.designEffect);
    }
    const range = sketchRange(metricRange(spec), arm);
    if (range) {
        const bounded = boundedArm(arm, range);
        const discrete = discreteArm(spec, arm, bounded);
        return discrete
            ? bettingCS(discrete, range, ctx.alpha, { tStar }, ctx.side)
            : boundedCS(bounded, range, ctx.alpha, { tStar }, ctx.side);
    }
    const ci = ratioCS(arm.moments, ctx.alpha, { tStar });
    const skew = armSkewness(arm.moments);
    return skew !== undefined && Math.abs(skew) > MAX_SKEWNESS
        ? { estimate: ci.estimate, lower: -Infinity, upper: Infinity }
        : ci;
}
/** The regression-adjusted sequence's words, for the decision record. */
function adjustedMethod(covariates, skewness, relative) {
    const names = [...new Set(covariates.map(c => c.split('=')[0]))].join(', ');
    const trusted = skewness
        ? 'trusted from the minimum sample in units and an adjusted estimator skewness below 0.2 (Cochran 1977)'
        : 'trusted from the minimum sample in units (skewness not assessed: the source gives no third moments)';
    return `regression-adjusted (CUPED) asymptotic CS on ${names}, clustered by unit (Lindon, Ham, Tingley & Bojinov 2022; Deng et al. 2013), ${trusted}, ${relative ? 'relative (Fieller)' : 'absolute'}`;
}
/** Which confidence sequence, with its reference, for the decision record. */
function methodOf(spec, d) {
    if (spec.kind === 'quantile') {
        const scale = d.relative ? 'relative (c / b - 1 over the joint region)' : 'absolute';
        const read = d.histogram
            ? 'read from histogram buckets and widened to the bucket edges'
            : 'read to the sketch bucket edges, counts divided by the per-user design effect of the rank';
        return `quantile-difference CS: the joint region of both arms' beta-binomial mixtures on ranks (Howard & Ramdas 2022), ${read}, ${scale}`;
    }
    const scale = d.relative
        ? 'relative (Fieller: the linear contrast canary - (1 + r) baseline, inverted)'
        : 'absolute';
    if (d.betting) {
        const against = spec.reference !== undefined
            ? `the canary's mean against the fixed reference ${spec.reference}`
            : "both arms' capitals joined";
        return `nonasymptotic betting CS from the counts of each value (grid-Kelly capital, Waudby-Smith & Ramdas 2024), ${against}, ${scale}`;
    }
    if (spec.reference !== undefined) {
        return `nonasymptotic empirical-Bernstein CS of the canary's mean against the fixed reference ${spec.reference} (Howard et al. 2021; Waudby-Smith & Ramdas 2024), ${scale}`;
    }
    const range = metricRange(spec);
    if (range) {
        return `nonasymptotic empirical-Bernstein CS for a mean in [${range.lo}, ${range.hi}], both arms' supermartingales joined (Howard et al. 2021; Waudby-Smith & Ramdas 2024; Fan, Grama & Liu 2015), ${scale}`;
    }
    if (d.adjustedFor)
        return adjustedMethod(d.adjustedFor, d.skewness === true, d.relative);
    const base = spec.kind === 'ratio' ? 'asymptotic CS for a ratio of sums' : 'asymptotic CS for a mean';
    const spread = "each arm's variance at least the other's relative spread";
    const trusted = d.skewness
        ? `, ${spread}, trusted from the minimum sample in units and an estimator skewness below 0.2 (Cochran 1977)`
        : `, ${spread}, trusted from the minimum sample in units (skewness not assessed: the source gives no third moments)`;
    return `${base} (Waudby-Smith et al. 2024)${trusted}, ${scale}`;
}
/** The verdict's reason as a fact (report/ words it). */
function whyOf(r, o) {
    if (!o.enough) {
        return {
            code: 'below-minimum',
            unit: o.units ? 'units' : 'requests',
            minimum: o.minSamples,
            baseline: o.have.baseline,
            canary: o.have.canary
        };
    }
    if (o.blocked)
        return o.blocked;
    if (r.delta.relative && r.baseline === 0)
        return { code: 'relative-undefined' };
    if (!Number.isFinite(r.delta.estimate))
        return { code: 'no-values' };
    switch (r.verdict) {
        case 'pass':
            return { code: 'pass' };
        case 'fail':
            return { code: 'fail', beyond: r.rollbackAt !== undefined ? 'rollbackAt' : 'tolerance' };
        default:
            return {
                code: 'inconclusive',
                beyondTolerance: r.rollbackAt !== undefined && o.beyondTolerance
            };
    }
}
/**
 * The one-line reason of a metric's verdict (MetricResult.reason), from its fact. Kept in the
 * result for the decision's own sentences and for the checks that quote it (repriced cost, the
 * segment mix, the judge).
 */
function reasonText(why) {
    switch (why.code) {
        case 'below-minimum':
            return why.unit === 'units'
                ? `too few users for a valid interval: needs ${why.minimum} units per arm (baseline ${why.baseline}, canary ${why.canary})`
                : `needs ${why.minimum} requests per arm (baseline ${why.baseline}, canary ${why.canary})`;
        case 'too-skewed':
            return `too skewed for a valid interval yet: the estimate's skewness is ${why.skewness.toFixed(3)}, above ${why.maxSkewness.toFixed(3)} (a heavy tail needs more data before the interval can be trusted)`;
        case 'design-effect-unknown':
            return `the source sums requests without users while the arms are assigned per user, so how much a user's requests hang together is unknown (the time buckets show a design effect of at least ${why.atLeast.toFixed(1)}); declare arms.designEffect, or arms.assignment: request if each request is assigned on its own`;
        case 'relative-undefined':
            return 'the baseline is 0, so a relative change is undefined; give this metric an absolute tolerance';
        case 'no-values':
            return 'no usable values to compare';
        case 'bucket-resolution':
            return 'bucket resolution, not data, keeps this inconclusive: the interval, widened to the histogram bucket edges, crosses the tolerance; finer buckets around this quantile would decide it';
        case 'pass':
            return 'the whole interval is within the tolerance';
        case 'fail':
            return why.beyond === 'rollbackAt'
                ? 'the whole interval is beyond the rollback threshold'
                : 'the whole interval is beyond the tolerance';
        case 'inconclusive':
            return why.beyondTolerance
                ? 'the interval is beyond the tolerance but not wholly beyond the rollback threshold'
                : 'the interval still crosses the tolerance';
    }
}
const finiteOrNull = (v) => (Number.isFinite(v) ? v : null);

/**
 * The A/A check (issue 5, "nondeterminism"): the baseline is split in two by a hash of the unit
 * (or of the request, when records carry no unit; EvidenceBuilder, `Cell.halves`) and every metric
 * is compared between the halves exactly as the canary is compared with the baseline: the same
 * confidence sequence at the same per-metric error rate. The halves serve the same system, so
 * their true difference is 0:
 *
 * - an A/A comparison that would roll back (its whole interval beyond the tolerance, either way,
 *   since which half plays the canary is arbitrary) means the
 *   evidence does not behave as the statistics assume (one unit id shared by a large part of the
 *   traffic, logs mixed from two systems, values that are not what the field says): block, and
 *   since the comparison itself is untrusted, a would-be rollback holds (decide.ts, UNTRUSTED).
 *   On clean data this happens at most with probability sum(alpha_i) = 1 - confidence over all
 *   looks, because each interval is an anytime-valid confidence sequence for the true difference
 *   0 (Waudby-Smith et al. 2024; Howard & Ramdas 2022 for quantiles) and missing 0 is needed to lie
 *   wholly beyond a tolerance >= 0 (Bonferroni over metrics).
 * - each metric's run-to-run noise, the A/A interval's half-width, is reported next to its
 *   tolerance (`MetricResult.aa.noise`), and scaled to the canary comparison's sample
 *   (`atCanary`: half-widths go as sqrt(1/n_b + 1/n_c), so noise * sqrt((1/n_b + 1/n_c) /
 *   (1/h_0 + 1/h_1))). When both arms have the minimum sample, the metric is inconclusive and the
 *   tolerance is below that noise, the metric cannot pass at this sample, since it passes only
 *   when its whole interval is within the tolerance: warn. (With few heavy units the noise does not shrink with more requests
 *   at all, which a projection in requests does not show.)
 */
function aaCheck(policy, evidence, metrics, ctx) {
    const name = 'a/a';
    const cells = evidence.cells.filter(c => c.arm === 'baseline' && c.segment === TOTAL_SEGMENT);
    const split = cells.filter(c => c.halves !== undefined);
    if (cells.length === 0)
        return { name, status: 'ok', detail: 'no baseline traffic to split yet' };
    if (split.length === 0) {
        return { name, status: 'ok', detail: 'not available from this source (no baseline halves)' };
    }
    const halves = [0, 1].map(h => mergeCells(split.map(c => ({
        requests: 0,
        units: 0,
        metrics: c.halves?.[h] ?? [],
        models: {},
        errors: {}
    }))));
    const [a, b] = halves;
    const enough = (r) => r.n.baseline >= ctx.minSamples && r.n.canary >= ctx.minSamples;
    const halfSize = Math.max(30, Math.round(ctx.tStar.baseline / 2));
    const aaCtx = {
        ...ctx,
        // The halves are a check at one level (no promotion rests on them).
        passAlpha: ctx.alpha,
        ends: 'both',
        project: false,
        tStar: { baseline: halfSize, canary: halfSize, total: 2 * halfSize }
    };
    const failing = [];
    const tooTight = [];
    policy.metrics.forEach((spec, i) => {
        const result = metrics[i];
        if (!result)
            return;
        const aa = compareMetric({ ...spec, limit: undefined }, metricAt$1(a.metrics, i), metricAt$1(b.metrics, i), aaCtx);
        const d = aa.delta;
        if (!Number.isFinite(d.lower) || !Number.isFinite(d.upper))
            return;
        const noise = (d.upper - d.lower) / 2;
        const atCanary = noise *
            Math.sqrt((1 / result.n.baseline + 1 / result.n.canary) / (1 / aa.n.baseline + 1 / aa.n.canary));
        result.aa = { estimate: d.estimate, lower: d.lower, upper: d.upper, noise, atCanary };
        if (spec.mode === 'report')
            return;
        const show = (v) => change(result, v, d.relative);
        // Which half plays the canary is arbitrary: beyond the tolerance either way is a failure.
        const beyond = spec.tolerance.value;
        const halvesHave = Math.min(aa.n.baseline, aa.n.canary) >= MIN_HALF;
        if (halvesHave && (d.lower > beyond || d.upper < -beyond)) {
            failing.push(`${spec.name} differs between the halves by ${show(d.estimate)} (${show(d.lower)} to ${show(d.upper)}), beyond its ${show(result.tolerance)} tolerance`);
        }
        else if (enough(result) &&
            result.verdict === 'inconclusive' &&
            spec.tolerance.value < atCanary) {
            tooTight.push(`${spec.name}: its run-to-run noise (A/A ±${show(noise).slice(1)}, ±${show(atCanary).slice(1)} at the canary's sample) exceeds its ${show(result.tolerance)} tolerance, so it cannot pass at this sample: it needs more canary traffic, or a wider tolerance`);
        }
    });
    const by = evidence.unitLevel ? 'unit' : 'request';
    if (failing.length > 0) {
        return {
            name,
            status: 'block',
            detail: `the baseline split in two by a hash of the ${by} would roll back against itself: ${failing.join('; ')}. The data or its instrumentation is not trustworthy (a few units carrying most of the traffic, one id shared by many users, logs from two systems mixed?)`
        };
    }
    if (tooTight.length > 0)
        return { name, status: 'warn', detail: tooTight.join('; ') };
    return {
        name,
        status: 'ok',
        detail: `the baseline's two halves (by ${by} hash) agree; each metric's noise is below its tolerance`
    };
}
/**
 * Values per half before an A/A verdict: the asymptotic CS needs a few dozen. Lower than
 * minSamples on purpose: one unit carrying most of the baseline leaves the other half small, and
 * that is the case the check exists for.
 */
const MIN_HALF = 30;
const EMPTY$1 = { moments: emptyMoments(), requests: 0 };
const metricAt$1 = (list, i) => list[i] ?? EMPTY$1;

/** Fields whose metrics are costs (the cost verdict that holds while the cache warms). */
const COST_FIELDS$1 = new Set(['cost', 'cost_usd']);
const TIME_FIELDS = {
    latency_ms: 'latency_ms',
    duration_ms: 'latency_ms',
    ttft_ms: 'ttft_ms'
};
/** Buckets with cache data needed before a flat canary rate is called broken. */
const MIN_TREND_BUCKETS = 6;
/** A canary that has read nothing from the cache over this many buckets and requests is broken. */
const MIN_COLD_BUCKETS = 3;
const MIN_COLD_REQUESTS = 200;
/** One-sided level of the trend test: a rise is shown when the slope's 95% lower bound is > 0. */
const TREND_LEVEL = 0.95;
/**
 * Prompt-cache warmth (issue 5, check 1). A new prompt starts with a cold cache; a prompt whose
 * prefix changed (dynamic text moved to the front) may never hit it again. Both make the canary
 * cost more than it will once warm, so the cost is shown three ways: observed; every input token
 * uncached; and the canary's tokens re-priced at the baseline's cache-hit rate (the share of input
 * tokens read from the cache). The canary's hit rate is compared with the baseline's over the
 * window and classified:
 *
 * - matched: the canary is not shown to read less from the cache than the baseline by more than
 *   max(5 points, 10% of the baseline's rate): the confidence sequence of the difference of the
 *   two rates, paired by time bucket (rateGap: a cache shared by both arms, whose hits come and
 *   go in bursts, is not read as a difference), reaches 0, or its estimate is within that margin;
 * - warming: shown below, the canary reads from the cache, and its rate is shown to rise beyond
 *   what the level of a shared cache explains: in the weighted least-squares fit of the canary's
 *   per-bucket rate on time and on the baseline's rate (the shared level), the time coefficient
 *   is above 0 at 95% (Student t, n - 3 degrees of freedom);
 * - broken: shown below, with enough buckets (6) to see a trend, and not closing: even at the
 *   fastest rise that coefficient's interval allows, the gap at the window's end would not close
 *   within two more windows as long as this one (a canary that reads nothing never closes it; one
 *   that has read nothing at all over 3 buckets and 200 requests is broken without a trend);
 * - undetermined: shown below, but too early to tell warming from broken.
 *
 * While warming (or undetermined), a cost metric that fails holds instead of rolling back (`holdsBecause`), with the
 * re-priced cost as the projection; so does a latency or TTFT metric whose slowdown does not show
 * within cache hits and within cache misses separately (per-request means, asymptotic CS of
 * Waudby-Smith et al. 2024 at the metric's error rate), since then the cold cache explains it.
 * When broken, the cost verdict stands and the check warns, with what the misses cost per day.
 */
function cacheCheck(evidence, metrics, ctx, requestsPerSecond) {
    const name = 'cache';
    const total = (arm) => evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT);
    const baselineCells = total('baseline');
    const canaryCells = total('canary');
    const b = mergeCacheSums(baselineCells);
    const c = mergeCacheSums(canaryCells);
    if (!b || !c) {
        const some = baselineCells.length + canaryCells.length > 0;
        const why = some ? 'not available from this source (no token sums)' : 'no traffic yet';
        return { check: { name, status: 'ok', detail: why } };
    }
    const unreported = cacheUnreported(b, c, metrics);
    if (unreported)
        return { check: { name, ...unreported } };
    if (b.inputTokens === 0 || c.inputTokens === 0) {
        return { check: { name, status: 'ok', detail: 'no input token counts in an arm' } };
    }
    const rate = (s) => s.cacheReadTokens / s.inputTokens;
    const series = bucketSeries(baselineCells, canaryCells);
    const recent = series.slice(-Math.max(1, Math.ceil(series.length / 3)));
    const recentRate = (arm) => {
        const read = recent.reduce((s, p) => s + p[arm].cacheReadTokens, 0);
        const input = recent.reduce((s, p) => s + p[arm].inputTokens, 0);
        return input > 0 ? read / input : NaN;
    };
    const hitRate = {
        baseline: rate(b),
        canary: rate(c),
        baselineRecent: recentRate('b'),
        canaryRecent: recentRate('c')
    };
    const margin = Math.max(0.05, 0.1 * hitRate.baseline);
    const gap = rateGap(series, ctx);
    const state = classify(gap, margin, series, hitRate.baseline > 0);
    const perRequest = (usd, s) => (s.priced > 0 ? usd / s.priced : null);
    const repriced = c.costUncached -
        c.inputAtInputPrice +
        hitRate.baseline * c.inputAtCacheReadPrice +
        (1 - hitRate.baseline) * c.inputAtInputPrice;
    const cost = {
        baseline: { observed: perRequest(b.cost, b), uncached: perRequest(b.costUncached, b) },
        canary: {
            observed: perRequest(c.cost, c),
            uncached: perRequest(c.costUncached, c),
            repriced: perRequest(repriced, c)
        }
    };
    const strata = stratumChanges(b, c, ctx);
    const report = {
        state,
        hitRate,
        cost,
        strata,
        difference: { estimate: gap.estimate, lower: gap.lower, upper: gap.upper }
    };
    const rates = `canary ${pct$6(hitRate.canaryRecent)} of input tokens from the prompt cache lately vs baseline ${pct$6(hitRate.baselineRecent)}`;
    const overall = `over the window ${pct$6(hitRate.canary)} vs ${pct$6(hitRate.baseline)}, paired by time bucket ${points(gap.estimate)} (${points(gap.lower)} to ${points(gap.upper)})`;
    const views = costViews(cost);
    if (state === 'matched') {
        const shown = gap.upper < 0 ? ', within the margin' : ', no difference shown';
        return {
            report,
            check: { name, status: 'ok', detail: `warm: ${rates}; ${overall}${shown}${views}` }
        };
    }
    if (state === 'warming' || state === 'undetermined') {
        const held = holdWhileWarming(metrics, strata, cost);
        const what = held.length > 0 ? `; failing ${held.join(', ')} hold instead of rolling back` : '';
        const how = state === 'warming'
            ? 'and rising'
            : `below the baseline's, and too early to tell a warming cache from a broken prefix (${series.length} buckets)`;
        return {
            report,
            check: {
                name,
                status: 'warn',
                detail: `${state}: ${rates}; ${overall}, ${how}${what}${views}`
            }
        };
    }
    const extra = cost.canary.observed !== null && cost.canary.repriced !== null
        ? (cost.canary.observed - cost.canary.repriced) * requestsPerSecond * 86_400
        : undefined;
    if (extra !== undefined)
        report.extraPerDay = extra;
    const perDay = extra !== undefined && extra > 0
        ? `; at today's traffic (${int(requestsPerSecond * 86_400)} requests a day), the canary's misses cost about $${money(extra)} a day more than the baseline's hit rate would`
        : '';
    return {
        report,
        check: {
            name,
            status: 'warn',
            detail: `broken: ${rates}; ${overall}, and not rising after ${series.length} buckets. The prompt's prefix probably changed (dynamic text before the static part defeats prefix caching); the cost verdict stands${perDay}${views}`
        }
    };
}
/**
 * Not available: no request of an arm carried a cache-read token count (the source, or the
 * instrumentation that wrote it, does not report cache reads), which is not a cold cache. The
 * hit rates cannot be compared, and a cost computed from tokens prices every input token as
 * uncached: the cost metrics say so (a caveat), and the check warns when there is one.
 */
function cacheUnreported(b, c, metrics) {
    const silent = ['baseline', 'canary'].filter(arm => (arm === 'baseline' ? b : c).reported === 0);
    if (silent.length === 0)
        return undefined;
    const which = silent.length === 2 ? 'no request' : `no ${silent[0]} request`;
    const costs = metrics.filter(m => COST_FIELDS$1.has(m.from));
    for (const m of costs) {
        (m.caveats ??= []).push(`priced as if no input token was read from the prompt cache: ${which} reported cached tokens`);
    }
    const priced = costs.length > 0
        ? `; the cost (${costs.map(m => m.name).join(', ')}) is priced as if no input token was read from the cache, which overstates it where the provider did cache, and can bias the comparison when the arms' cache use differs`
        : '';
    if (silent.length === 1) {
        // Some instrumentations write the count only when it is not 0: a canary that never hits the
        // cache (a changed prompt prefix) looks the same. Warn either way.
        const other = silent[0] === 'baseline' ? c : b;
        return {
            status: 'warn',
            detail: `not available for the ${silent[0]}: ${which} reported cached input tokens while ${other.reported} of the other arm's did; either its prompt cache is never hit (a changed prompt prefix?) or its instrumentation leaves out zero counts${priced}`
        };
    }
    return {
        status: costs.length > 0 ? 'warn' : 'ok',
        detail: `not available: ${which} in the window reported cached input tokens (the source or its instrumentation does not record them), so a cold cache cannot be told from a warm one${priced}`
    };
}
/** Buckets where both arms have input tokens, in time order. */
function bucketSeries(baseline, canary) {
    const byBucket = new Map();
    for (const cell of baseline)
        if (cell.cache)
            byBucket.set(cell.bucket, cell.cache);
    const points = [];
    for (const cell of canary) {
        const b = byBucket.get(cell.bucket);
        if (!cell.cache || !b || b.inputTokens === 0 || cell.cache.inputTokens === 0)
            continue;
        points.push({ t: cell.bucket / 3_600_000, b, c: cell.cache });
    }
    points.sort((x, y) => x.t - y.t);
    return points;
}
/**
 * The confidence sequence of canary minus baseline share of input tokens read from the cache,
 * paired by time bucket: d_k = canary rate - baseline rate in bucket k, averaged with the canary's
 * input tokens as weights. Pairing is what a shared cache needs: its level comes and goes for
 * both arms at once (bursts of a prompt), which cancels in d_k but would swamp two independent
 * arm estimates. The weighted mean is a ratio estimator over the buckets as clusters, with the
 * asymptotic CS of Waudby-Smith et al. 2024 (stats/cs/ratio.ts, ratioCS), at the metrics' error
 * rate.
 */
function rateGap(series, ctx) {
    const m = { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 };
    const scale = series.reduce((sum, p) => sum + p.c.inputTokens, 0) / Math.max(1, series.length);
    for (const p of series) {
        const w = p.c.inputTokens / scale;
        const x = w * (rate(p.c) - rate(p.b));
        m.n++;
        m.sx += x;
        m.sy += w;
        m.sxx += x * x;
        m.syy += w * w;
        m.sxy += x * w;
    }
    return ratioCS(m, ctx.alpha, { tStar: Math.max(2 * MIN_TREND_BUCKETS, series.length) });
}
/** Which of the four states the evidence shows (see cacheCheck). */
function classify(gap, margin, series, baselineReads) {
    const below = baselineReads && gap.upper < 0 && gap.estimate < -margin;
    if (!below)
        return 'matched';
    const reads = series.some(p => p.c.cacheReadTokens > 0);
    const rise = riseBeyondShared(series);
    const t = studentQuantile(TREND_LEVEL, series.length - 3);
    if (reads && rise.slope - t * rise.se > 0)
        return 'warming';
    // A prompt cache serves a prefix from its second request on: hundreds of canary requests over
    // several buckets without a single token read from it is a prefix that defeats the cache.
    const canaryRequests = series.reduce((sum, p) => sum + p.c.requests, 0);
    if (!reads && series.length >= MIN_COLD_BUCKETS && canaryRequests >= MIN_COLD_REQUESTS) {
        return 'broken';
    }
    if (series.length < MIN_TREND_BUCKETS)
        return 'undetermined';
    // Broken only when even the fastest rise the interval allows would leave the gap (fitted at
    // the window's end) open after two more windows as long as this one.
    const end = trend(series, p => rate(p.b) - rate(p.c)).end;
    const span = (series.at(-1)?.t ?? 0) - (series[0]?.t ?? 0);
    const fastest = reads ? Math.max(0, rise.slope + t * rise.se) : 0;
    return fastest * 2 * Math.max(span, 1e-9) < end ? 'broken' : 'undetermined';
}
const rate = (s) => s.cacheReadTokens / s.inputTokens;
/**
 * The canary's rise (cache-hit rate per hour) beyond the shared cache's level: the time
 * coefficient of the weighted least-squares fit c_k = a + b t_k + g s_k + e_k, with c_k the
 * canary's rate, s_k the baseline's (the level both arms see), weights the canary's input tokens;
 * its standard error from the residual variance with n - 3 degrees of freedom and the inverse of
 * the normal equations (X'WX)^-1 (any regression text, e.g. Weisberg, Applied Linear Regression,
 * 4th ed., 2014, sections 3.4 and 7.1).
 */
function riseBeyondShared(points) {
    const n = points.length;
    if (n < 4)
        return { slope: NaN, se: Infinity };
    // Centre the regressors (weighted), so the intercept drops out of the 2 x 2 system.
    let sw = 0;
    let st = 0;
    let ss = 0;
    let sc = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        sw += w;
        st += w * p.t;
        ss += w * rate(p.b);
        sc += w * rate(p.c);
    }
    const [tBar, sBar, cBar] = [st / sw, ss / sw, sc / sw];
    let tt = 0;
    let tsx = 0;
    let sss = 0;
    let tc = 0;
    let sC = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        const dt = p.t - tBar;
        const ds = rate(p.b) - sBar;
        const dc = rate(p.c) - cBar;
        tt += w * dt * dt;
        tsx += w * dt * ds;
        sss += w * ds * ds;
        tc += w * dt * dc;
        sC += w * ds * dc;
    }
    const det = tt * sss - tsx * tsx;
    if (!(det > 1e-12 * tt * sss) || !(tt > 0))
        return { slope: NaN, se: Infinity };
    const b = (sss * tc - tsx * sC) / det;
    const g = (tt * sC - tsx * tc) / det;
    let rss = 0;
    for (const p of points) {
        const e = rate(p.c) - cBar - b * (p.t - tBar) - g * (rate(p.b) - sBar);
        rss += p.c.inputTokens * e * e;
    }
    // Var(b) = sigma^2 [(X'WX)^-1]_tt = sigma^2 sss / det.
    return { slope: b, se: Math.sqrt(((rss / (n - 3)) * sss) / det) };
}
/**
 * Weighted least-squares slope (per hour) of y over the buckets' time, weights the canary's input
 * tokens, with its standard error from the weighted residual variance (n - 2 degrees of freedom).
 */
function trend(points, y) {
    const n = points.length;
    if (n < 3)
        return { slope: NaN, se: Infinity, end: NaN };
    let sw = 0;
    let st = 0;
    let sy = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        sw += w;
        st += w * p.t;
        sy += w * y(p);
    }
    const tBar = st / sw;
    const yBar = sy / sw;
    let stt = 0;
    let sty = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        stt += w * (p.t - tBar) ** 2;
        sty += w * (p.t - tBar) * (y(p) - yBar);
    }
    if (!(stt > 0))
        return { slope: NaN, se: Infinity, end: NaN };
    const slope = sty / stt;
    let rss = 0;
    for (const p of points)
        rss += p.c.inputTokens * (y(p) - yBar - slope * (p.t - tBar)) ** 2;
    const last = points.at(-1)?.t ?? tBar;
    return { slope, se: Math.sqrt(rss / (n - 2) / stt), end: yBar + slope * (last - tBar) };
}
/**
 * The p-quantile of Student's t with df degrees of freedom: exact for 1 and 2, else the
 * Cornish-Fisher expansion in 1/df around the normal quantile (Abramowitz & Stegun, Handbook of
 * Mathematical Functions, 1964, eq. 26.7.5; error under 1e-3 from df = 3).
 */
function studentQuantile(p, df) {
    if (!(df >= 1))
        return Infinity;
    if (df === 1)
        return Math.tan(Math.PI * (p - 0.5));
    if (df === 2)
        return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    const z = normalQuantile(p);
    const z2 = z * z;
    const g1 = (z * (z2 + 1)) / 4;
    const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
    const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
    const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
    return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}
function stratumChanges(b, c, ctx) {
    const out = [];
    for (const metric of ['latency_ms', 'ttft_ms']) {
        const field = metric === 'latency_ms' ? 'latency' : 'ttft';
        for (const stratum of ['hit', 'miss']) {
            const bm = b[field][stratum];
            const cm = c[field][stratum];
            if (bm.n < 2 || cm.n < 2)
                continue;
            const d = ratioDifferenceCS(bm, cm, ctx.alpha, { relative: true, tStar: ctx.tStar.total });
            out.push({ metric, stratum, estimate: d.estimate, lower: d.lower, upper: d.upper });
        }
    }
    return out;
}
/**
 * Marks the failing gate metrics a warming cache explains (they hold), and returns their names.
 * A latency or TTFT metric qualifies only when its relative tolerance is not exceeded with
 * confidence within either stratum.
 */
function holdWhileWarming(metrics, strata, cost) {
    const held = [];
    for (const m of metrics) {
        if (m.verdict !== 'fail' || m.mode !== 'gate')
            continue;
        // Already re-priced at the baseline's hit rate (gateOn: repriced): a cold cache cannot explain it.
        if (COST_FIELDS$1.has(m.from) && m.observed === undefined) {
            const r = cost.canary.repriced;
            const base = cost.baseline.observed;
            const projection = r !== null && base !== null && base > 0
                ? `; re-priced at the baseline's cache-hit rate the canary costs $${money(r)} per request (${change(m, r / base - 1, true)} vs the baseline)`
                : '';
            m.holdsBecause = `the canary's prompt cache is still warming${projection}`;
            held.push(m.name);
            continue;
        }
        if (COST_FIELDS$1.has(m.from))
            continue;
        const field = TIME_FIELDS[m.from];
        if (!field || !m.delta.relative || m.better !== 'lower')
            continue;
        const within = strata.filter(s => s.metric === field);
        if (within.length === 2 && within.every(s => !(s.lower > Math.abs(m.tolerance)))) {
            m.holdsBecause = `the canary's prompt cache is still warming, and within cache hits and within misses ${field} is not slower beyond the tolerance`;
            held.push(m.name);
        }
    }
    return held;
}
function costViews(cost) {
    const { baseline: b, canary: c } = cost;
    if (b.observed === null || c.observed === null)
        return '';
    const f = (v) => (v === null ? 'n/a' : `$${money(v)}`);
    return `. Cost per request: baseline ${f(b.observed)} (all input uncached ${f(b.uncached)}); canary ${f(c.observed)} (uncached ${f(c.uncached)}, at the baseline's hit rate ${f(c.repriced)})`;
}
const money = (v) => (v >= 100 ? int(v) : Number(v.toPrecision(3)).toString());
const pct$6 = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const points = (x) => Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}pp` : 'unbounded';

/**
 * Sequential sample-ratio-mismatch (SRM) test: is the traffic split the one the step asked for?
 *
 * Lindon & Malek, "Anytime-valid inference for multinomial count data", NeurIPS 2022. Under the
 * null the arm counts are multinomial with the expected probabilities theta0; the alternative
 * mixes the multinomial over a Dirichlet(alpha0) prior. The Bayes factor
 *   BF = [B(alpha0 + counts) / B(alpha0)] / prod_i theta0_i^counts_i
 * (B the multivariate beta function; the multinomial coefficient cancels) is a nonnegative
 * martingale under the null, so by Ville's inequality P(exists t: BF_t >= 1 / alpha) <= alpha and
 * p = min(1, 1 / BF) is a valid p-value at any look, however often the gate looks.
 * With two arms the Dirichlet-multinomial is the beta-binomial.
 */
/**
 * Prior concentration: alpha0 = 100 * theta0, the prior centred on the expected split with the
 * weight of 100 units. This is the default of Lindon's reference implementation of the paper
 * (gist michaellindon/5ce04c744d20755c3f653fbb58c2f4dd, `dirichlet_alpha = 100 *
 * assignment_probabilities`; also the default k = 100 of his `savvi` package). A weaker prior
 * reacts faster to gross mismatches in small samples (a broken router), a much stronger one
 * (Optimizely's `ssrm` uses 10000) only pays off for tiny imbalances in millions of units.
 */
const PRIOR_CONCENTRATION = 100;
/** log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b). */
function logBeta(a, b) {
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}
/** x log p, with 0 log 0 = 0. */
function xLogP(x, p) {
    return x === 0 ? 0 : x * Math.log(p);
}
/**
 * Anytime-valid SRM test of the observed arm counts (units when records carry one) against the
 * expected canary share of the step. Stateless: call it with the cumulative counts of the step.
 */
function sampleRatioTest(counts, expectedCanaryShare, alpha) {
    if (!(expectedCanaryShare > 0 && expectedCanaryShare < 1)) {
        throw new RangeError(`expectedCanaryShare must be in (0, 1), got ${expectedCanaryShare}`);
    }
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
    const { baseline, canary } = counts;
    if (!(baseline >= 0 && canary >= 0 && Number.isFinite(baseline + canary))) {
        throw new RangeError(`counts must be finite and non-negative, got ${baseline}, ${canary}`);
    }
    const n = baseline + canary;
    const priorCanary = PRIOR_CONCENTRATION * expectedCanaryShare;
    const priorBaseline = PRIOR_CONCENTRATION * (1 - expectedCanaryShare);
    const logMarginalAlternative = logBeta(priorCanary + canary, priorBaseline + baseline) - logBeta(priorCanary, priorBaseline);
    const logLikelihoodNull = xLogP(canary, expectedCanaryShare) + xLogP(baseline, 1 - expectedCanaryShare);
    const logBayesFactor = n === 0 ? 0 : logMarginalAlternative - logLikelihoodNull;
    const pValue = Math.min(1, Math.exp(-logBayesFactor));
    return {
        observedShare: n > 0 ? canary / n : NaN,
        expectedShare: expectedCanaryShare,
        logBayesFactor,
        pValue,
        mismatch: pValue <= alpha
    };
}

/**
 * Did-you-mean over field names, for a field the policy reads and the data does not have. Names
 * are compared without case, `_`, `-` and `.` (`startTime` is `start_time`), whole and by their
 * last segment (`usage.completion_tokens` is a `completion_tokens`), and a name that starts with
 * the wanted one counts as close (`latency` -> `latency_ms`).
 */
function suggestFields(wanted, candidates, options = {}) {
    const targets = [wanted, ...(options.aliases ?? [])].map(t => ({
        whole: key(t),
        leaf: key(leaf(t))
    }));
    const scored = [];
    for (const candidate of candidates) {
        if (candidate === wanted)
            continue;
        const whole = key(candidate);
        const last = key(leaf(candidate));
        let best = Infinity;
        for (const t of targets) {
            if (t.whole === '')
                continue;
            const limit = t.whole.length <= 4 ? 1 : 2;
            const d = Math.min(distance(t.whole, whole), 
            // The same leaf under another parent: a nested copy of the field (`response.usage.x`).
            t.leaf.length > 3 ? distance(t.leaf, last) + 0.5 : Infinity, t.whole.length >= 4 && whole.startsWith(t.whole) ? 1 : Infinity);
            if (d <= limit + 0.5)
                best = Math.min(best, d);
        }
        if (best < Infinity)
            scored.push({ candidate, score: best });
    }
    scored.sort((a, b) => a.score - b.score ||
        depth(a.candidate) - depth(b.candidate) ||
        (a.candidate < b.candidate ? -1 : 1));
    return scored.slice(0, options.max ?? 3).map(s => s.candidate);
}
/** `did you mean "a" or "b"?`, or '' when there is nothing to suggest. */
function didYouMeanFields(suggestions) {
    if (suggestions.length === 0)
        return '';
    const quoted = suggestions.map(s => `"${s}"`);
    const last = quoted.pop();
    return `did you mean ${quoted.length > 0 ? `${quoted.join(', ')} or ${last}` : last}?`;
}
const key = (name) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const leaf = (name) => name.slice(name.lastIndexOf('.') + 1);
const depth = (name) => name.split('.').length;

/**
 * Checks on the evidence before any comparison is trusted (DESIGN.md, principle 3: missing,
 * partial or malformed data never promotes). A `block` holds the rollout.
 */
function evidenceChecks(policy, evidence, arms, canaryWeight, replay) {
    return [
        armsCheck(policy, evidence, arms),
        sampleSizeCheck(policy, arms, evidence.unitLevel),
        trafficSplitCheck(policy, evidence, arms, canaryWeight),
        freshnessCheck(evidence),
        dataQualityCheck(policy, evidence, replay)
    ];
}
function armsCheck(policy, evidence, arms) {
    const missing = ['baseline', 'canary'].filter(a => arms[a].requests === 0);
    if (missing.length === 0)
        return { name: 'arms', status: 'ok', detail: 'both arms have traffic' };
    const seen = Object.entries(evidence.quality.unmatchedArms)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([v, n]) => `"${v}" (${n})`);
    const labels = missing.map(a => `${a} [${policy.arms[a].map(v => `"${v}"`).join(', ')}]`);
    const hint = seen.length > 0
        ? `; field "${policy.arms.field}" holds other values: ${seen.join(', ')}. Check arms.${missing[0]} in the policy`
        : evidence.quality.records === 0
            ? '; no record at all is in the window'
            : '';
    return {
        name: 'arms',
        status: 'block',
        detail: `no records in the window for ${labels.join(' and ')}${hint}`
    };
}
/** The minimum sample per arm, in units when records carry one (they are what a verdict counts). */
function sampleSizeCheck(policy, arms, unitLevel) {
    const min = policy.rollout.minSamples;
    const by = unitLevel ? 'units' : 'requests';
    const detail = `baseline ${int(arms.baseline[by])}, canary ${int(arms.canary[by])} ${by} (minimum ${int(min)} per arm)`;
    const ok = arms.baseline[by] >= min && arms.canary[by] >= min;
    return { name: 'sample-size', status: ok ? 'ok' : 'block', detail };
}
/**
 * Sequential sample-ratio test (Lindon & Malek 2022) against the step's expected split, counted in
 * units when records carry one, since assignment is per unit.
 *
 * Aggregated sources (Prometheus) count requests only. With arms assigned per request
 * (`arms.assignment: request`), those are the test's trials. With arms assigned per user, the
 * requests of one user all land in its arm, so the request counts are overdispersed: the test runs
 * on counts divided by the design effect of the request counts (Cochran, Sampling Techniques,
 * 1977, Section 9A on cluster sampling: an effective sample size n / deff), the larger of the
 * declared `arms.designEffect` and the overdispersion of the canary's share across time buckets
 * (splitDispersion). Without a declared one, the buckets only bound it from below (users who
 * return across the whole window are invisible to them), so a mismatch only warns.
 */
function trafficSplitCheck(policy, evidence, arms, canaryWeight) {
    const name = 'traffic-split';
    const by = evidence.unitLevel ? 'units' : 'requests';
    const raw = { baseline: arms.baseline[by], canary: arms.canary[by] };
    if (canaryWeight >= 100 || raw.baseline + raw.canary === 0) {
        return { name, status: 'ok', detail: 'not tested: no split to compare' };
    }
    const clustered = evidence.aggregated === true && policy.arms.assignment !== 'request';
    const declared = policy.arms.designEffect;
    const deff = clustered ? Math.max(declared ?? 1, splitDispersion(evidence)) : 1;
    const counts = { baseline: raw.baseline / deff, canary: raw.canary / deff };
    const srt = sampleRatioTest(counts, canaryWeight / 100, policy.trafficSplit.alpha);
    const widened = deff > 1
        ? `, counts divided by the design effect ${deff.toFixed(1)} of requests assigned per user`
        : '';
    const observed = `canary ${pct$5(srt.observedShare)} of ${by} (${int(raw.canary)} of ${int(raw.baseline + raw.canary)}), expected ${pct$5(srt.expectedShare)}${widened}`;
    if (!srt.mismatch)
        return { name, status: 'ok', detail: observed };
    if (clustered && declared === undefined) {
        return {
            name,
            status: 'warn',
            detail: `the canary's share of requests is off (${observed}, anytime p = ${srt.pValue.toExponential(1)}), but the arms are assigned per user and this source keeps no users, so requests are not independent trials; declare arms.designEffect for this to block`
        };
    }
    return {
        name,
        status: 'block',
        detail: `sample ratio mismatch: ${observed}, anytime p = ${srt.pValue.toExponential(1)}; the arms are not the split the step assigns, so the comparison may be biased`
    };
}
/**
 * Overdispersion of the canary's share of requests across time buckets: Pearson's statistic
 * sum (c_b - p n_b)^2 / (n_b p (1 - p)) over its degrees of freedom (the quasi-binomial dispersion,
 * McCullagh & Nelder, Generalized Linear Models, 2nd ed., 1989, Section 4.5), with p the observed
 * share, so that a split that is off shows as a mismatch, not as dispersion. Computed on blocks
 * of 1, 2, 4, ... consecutive buckets while at least 8 blocks remain, and the largest taken (users
 * whose requests span a few buckets show at the larger blocks); at least 1.
 */
function splitDispersion(evidence) {
    const counts = new Map();
    for (const c of evidence.cells) {
        if (c.segment !== TOTAL_SEGMENT)
            continue;
        const at = counts.get(c.bucket) ?? { canary: 0, total: 0 };
        at.total += c.requests;
        if (c.arm === 'canary')
            at.canary += c.requests;
        counts.set(c.bucket, at);
    }
    const buckets = [...counts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, v]) => v)
        .filter(v => v.total > 0);
    const all = buckets.reduce((a, v) => a + v.total, 0);
    const share = all > 0 ? buckets.reduce((a, v) => a + v.canary, 0) / all : 0;
    if (!(share > 0 && share < 1))
        return 1;
    let best = 1;
    for (let k = 1; buckets.length / k >= 8; k *= 2) {
        let chi2 = 0;
        let blocks = 0;
        for (let j = 0; j + k <= buckets.length; j += k) {
            let c = 0;
            let n = 0;
            for (const v of buckets.slice(j, j + k)) {
                c += v.canary;
                n += v.total;
            }
            chi2 += (c - share * n) ** 2 / (n * share * (1 - share));
            blocks++;
        }
        best = Math.max(best, chi2 / (blocks - 1));
    }
    return best;
}
/**
 * Stale data never promotes (DESIGN.md, principle 3): when an arm's newest evidence is much older
 * than the evaluation time, the logs stopped arriving (or --now is well past their end), and the
 * bake time counted since then says nothing about the system now.
 */
function freshnessCheck(evidence) {
    const name = 'freshness';
    // Logs arrive late and unevenly: allow three buckets, 15 minutes, or a fifth of the window.
    const window = evidence.window.to - evidence.window.from;
    const allowed = Math.max(3 * evidence.bucketMs, 15 * 60_000, window / 5);
    const stale = [];
    for (const arm of ['baseline', 'canary']) {
        const buckets = evidence.cells.filter(c => c.arm === arm && c.requests > 0).map(c => c.bucket);
        if (buckets.length === 0)
            continue;
        const newest = Math.max(...buckets) + evidence.bucketMs;
        const age = evidence.window.to - newest;
        if (age > allowed) {
            stale.push(`${arm}'s newest records are from before ${new Date(newest).toISOString()}, ${duration$1(age)} before the evaluation time`);
        }
    }
    return stale.length > 0
        ? { name, status: 'block', detail: `${stale.join('; ')}: stale evidence never promotes` }
        : { name, status: 'ok', detail: 'both arms have recent records' };
}
function dataQualityCheck(policy, evidence, replay) {
    const q = evidence.quality;
    const max = policy.dataQuality.maxMalformed;
    const problems = [];
    const warnings = [];
    const malformedShare = q.lines > 0 ? q.malformed / q.lines : 0;
    if (malformedShare > max) {
        problems.push(`${int(q.malformed)} of ${int(q.lines)} lines malformed (${pct$5(malformedShare)} > ${pct$5(max)})${malformedReasons(policy, q)}`);
    }
    else if (q.malformed > 0) {
        warnings.push(`${int(q.malformed)} of ${int(q.lines)} lines malformed${malformedReasons(policy, q)}`);
    }
    for (const [key, count] of Object.entries(q.invalidValues)) {
        const share = q.records > 0 ? count / q.records : 1;
        const [field, why] = key.split(/: (.*)/s);
        const text = `${int(count)} invalid ${field} values${why ? ` (${why})` : ''}`;
        if (share > max)
            problems.push(`${text} (${pct$5(share)} of records > ${pct$5(max)})`);
        else
            warnings.push(text);
    }
    const notes = [];
    if (q.future > 0 && replay) {
        // --now replays the log as of that instant: later records are expected, and ignored.
        notes.push(`${int(q.future)} records after the evaluation time ignored`);
    }
    else if (q.future > 0) {
        const text = `${int(q.future)} records are timestamped after the evaluation time (clock skew between the log writer and this machine?)`;
        if (q.lines > 0 && q.future / q.lines > max)
            problems.push(text);
        else
            warnings.push(text);
    }
    for (const f of q.files) {
        if (!f.problem)
            continue;
        // Evidence read in part never promotes (DESIGN.md principle 3): the rest may hold the harm.
        if (f.incomplete)
            problems.push(`${f.path} was not read to its end: ${f.problem}`);
        else
            warnings.push(`${f.path}: ${f.problem}`);
    }
    // In a replay (--now) records after the evaluation time are the rest of the log, not a clock.
    const far = (q.farOutside ?? 0) + (replay ? 0 : (q.farFuture ?? 0));
    if (far > 0) {
        const maxAge = duration$1(policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS);
        const where = [
            ...(q.farOutside ? [`more than ${maxAge} before the window`] : []),
            ...(!replay && q.farFuture ? [`more than ${maxAge} after the evaluation time`] : [])
        ].join(' or ');
        problems.push(`${int(far)} records are dated ${where} (${(q.farOutsideSamples ?? []).join('; ')}): a log writer's clock is wrong (or epoch seconds were read as milliseconds). They are left out, never the step's clock; fix or remove them, or raise dataQuality.maxAge if the files hold older history on purpose`);
    }
    problems.push(...(q.problems ?? []));
    warnings.push(...(q.warnings ?? []));
    notes.push(...(q.notes ?? []));
    if (problems.length > 0) {
        return { name: 'data-quality', status: 'block', detail: [...problems, ...warnings].join('; ') };
    }
    if (warnings.length > 0) {
        return { name: 'data-quality', status: 'warn', detail: [...warnings, ...notes].join('; ') };
    }
    const clean = `${int(q.lines)} lines, none malformed`;
    return { name: 'data-quality', status: 'ok', detail: [clean, ...notes].join('; ') };
}
const TOP_REASONS = 3;
/**
 * `: no arm field "variant" (60,000 lines, first at traffic/a.jsonl:1; field "arm" holds the arm
 * labels: set arms.field to it)`: the most frequent reasons, with what the data has instead.
 */
function malformedReasons(policy, q) {
    const reasons = Object.entries(q.malformedReasons ?? {})
        .sort((a, b) => b[1].count - a[1].count)
        .slice(0, TOP_REASONS);
    if (reasons.length === 0)
        return '';
    const parts = reasons.map(([reason, { count, first }]) => {
        const hint = reasonHint(policy, q, reason);
        return `${reason} (${int(count)} ${count === 1 ? 'line' : 'lines'}, first at ${first}${hint ? `; ${hint}` : ''})`;
    });
    const more = Object.keys(q.malformedReasons ?? {}).length - reasons.length;
    return `: ${parts.join('; ')}${more > 0 ? `; and ${more} more reason${more === 1 ? '' : 's'}` : ''}`;
}
/** What the rows have instead of a missing arm field or timestamp. */
function reasonHint(policy, q, reason) {
    const fields = q.fields;
    if (!fields)
        return '';
    if (reason.startsWith('no arm field')) {
        const holders = fields.armLabelFields ?? [];
        if (holders.length > 0) {
            return `${quoteList(holders)} ${holders.length === 1 ? 'holds' : 'hold'} the arm labels: set arms.field to ${holders.length === 1 ? 'it' : 'one of them'}`;
        }
        const similar = didYouMeanFields(suggestFields(policy.arms.field, fields.paths));
        return similar ? `${similar} (arms.field in the policy)` : '';
    }
    if (reason.startsWith('no timestamp')) {
        // Those named like a start time first (startTime before endTime).
        const times = fields.timeFields ?? [];
        const named = suggestFields('ts', times.length > 0 ? times : fields.paths, {
            aliases: TIME_NAMES,
            max: 10
        });
        const holders = [...named, ...times.filter(t => !named.includes(t))];
        if (holders.length === 0)
            return '';
        return `${quoteList(holders)} ${holders.length === 1 ? 'holds a time' : 'hold times'}: write the request's start time as ts (or timestamp, start_time)`;
    }
    return '';
}
const TIME_NAMES = ['timestamp', 'start_time', 'time', 'created_at'];
const quoteList = (names) => names.length === 1 ? `field "${names[0]}"` : `fields ${names.map(n => `"${n}"`).join(', ')}`;
const pct$5 = (x) => {
    const v = x * 100;
    const digits = v !== 0 && Math.abs(v) < 1 ? 2 : 1;
    return `${v.toFixed(digits)}%`;
};

/**
 * Coverage (issue 5, check 2): is the canary answering the same questions as the baseline? With
 * `segments.by`, each segment's canary share is tested against the canary's share of all traffic
 * with the sequential sample-ratio test of Lindon & Malek (2022), in units when records carry them,
 * at `trafficSplit.alpha` split over the segments (Bonferroni). The overall share is estimated
 * from all segments together, which is far more precise than any one segment's, so using it as
 * the expected share changes the test's level only negligibly.
 *
 * When a segment's share differs, the aggregate comparison is confounded by the mix (a canary
 * that gets more easy questions looks faster and cheaper). Then each mean, rate or ratio metric is
 * post-stratified: the per-segment differences d_s weighted by the baseline's mix w_s,
 * D = sum w_s d_s with Var D = sum w_s^2 Var d_s (segments are independent samples; Cochran,
 * Sampling Techniques, 3rd ed., 1977, Section 5A.9 on post-stratification), relative changes by
 * the delta method over the baseline's level, and the same normal-mixture confidence sequence
 * (Waudby-Smith et al. 2024) at the metric's error rate. That estimate replaces the aggregate
 * one, with its verdict, and the metric's method says so. Quantile metrics keep the aggregate.
 */
function coverageCheck(policy, unitLevel, segments, metrics, ctx, canaryWeight) {
    const name = 'segment-mix';
    if (!policy.segments)
        return { name, status: 'ok', detail: 'no segments in the policy' };
    const by = unitLevel ? 'units' : 'requests';
    const count = (t) => (by === 'units' ? t.units : t.requests);
    const total = { baseline: 0, canary: 0 };
    for (const s of segments) {
        total.baseline += count(s.baseline);
        total.canary += count(s.canary);
    }
    const all = total.baseline + total.canary;
    if (segments.length < 2 || total.canary === 0 || total.baseline === 0 || canaryWeight >= 100) {
        return { name, status: 'ok', detail: 'not tested: fewer than two segments or one arm empty' };
    }
    const share = total.canary / all;
    const alpha = policy.trafficSplit.alpha / segments.length;
    const skewed = segments
        .map(s => {
        const counts = { baseline: count(s.baseline), canary: count(s.canary) };
        return { s, counts, srt: sampleRatioTest(counts, share, alpha) };
    })
        .filter(x => x.srt.mismatch)
        .sort((a, b) => a.srt.pValue - b.srt.pValue);
    if (skewed.length === 0) {
        return {
            name,
            status: 'ok',
            detail: `the canary's mix of ${segments.length} segments matches the baseline's (${by})`
        };
    }
    const shown = skewed.slice(0, 3).map(({ s, counts }) => {
        const c = counts.canary / total.canary;
        const b = counts.baseline / total.baseline;
        return `${s.key} is ${pct$4(c)} of the canary's ${by} vs ${pct$4(b)} of the baseline's`;
    });
    const adjusted = postStratify(policy, segments, metrics, ctx);
    const used = adjusted.length > 0
        ? `; the aggregate comparison is confounded by the mix, so ${adjusted.join(', ')} use the post-stratified estimate (segment differences weighted by the baseline's mix)`
        : '';
    return {
        name,
        status: 'warn',
        detail: `the canary's mix of segments differs from the baseline's (${skewed.length} of ${segments.length} segments): ${shown.join('; ')}${used}`
    };
}
/**
 * Each segment's cells merged, per arm, sorted by key. Past MAX_SEGMENTS_PER_ARM each arm pools
 * the rest as it meets them, so the two arms' OTHER_SEGMENT hold different segments: comparing
 * them would be comparing unlike traffic, so it is left out. `sketches: false` leaves out the
 * quantile sketches and rank sums, for the segment-mix check alone (its counts and moments).
 */
function segmentTotals(evidence, sketches = true) {
    const byKey = new Map();
    for (const cell of evidence.cells) {
        if (cell.segment === TOTAL_SEGMENT || cell.segment === OTHER_SEGMENT)
            continue;
        let entry = byKey.get(cell.segment);
        if (!entry)
            byKey.set(cell.segment, (entry = { baseline: [], canary: [] }));
        entry[cell.arm].push(sketches ? cell : withoutSketches(cell));
    }
    return [...byKey]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([key, cells]) => ({
        key,
        baseline: mergeCells(cells.baseline),
        canary: mergeCells(cells.canary)
    }));
}
function withoutSketches(cell) {
    const metrics = cell.metrics.map(({ quantiles: _q, unitRanks: _r, ...rest }) => rest);
    return { ...cell, metrics };
}
/** Replaces each mean, rate or ratio metric's delta and verdict with the post-stratified ones. */
function postStratify(policy, segments, metrics, ctx) {
    const adjusted = [];
    policy.metrics.forEach((spec, i) => {
        const result = metrics[i];
        if (!result || spec.kind === 'quantile')
            return;
        const rate = spec.kind === 'rate';
        const parts = segments
            .map(s => ({ b: s.baseline.metrics[i], c: s.canary.metrics[i] }))
            .filter(p => p.b && p.c && p.b.moments.n >= 2 && p.c.moments.n >= 2)
            .map(p => {
            const d = ratioDifferenceCS(p.b.moments, p.c.moments, ctx.alpha, {
                relative: false,
                tStar: ctx.tStar.total,
                bernoulliFloor: rate
            });
            return { weight: p.b.requests, d, t: d.t };
        });
        const weights = parts.reduce((s, p) => s + p.weight, 0);
        if (parts.length === 0 || !(weights > 0))
            return;
        let estimate = 0;
        let variance = 0;
        let t = 0;
        let baselineLevel = 0;
        for (const p of parts) {
            const w = p.weight / weights;
            estimate += w * p.d.estimate;
            variance += w * w * p.d.se * p.d.se;
            baselineLevel += w * p.d.baseline;
            t += p.t;
        }
        if (!Number.isFinite(variance))
            return;
        if (spec.tolerance.relative) {
            // Relative to the baseline's level over the same segments, by the delta method.
            const all = mergeCells(segments.map(s => s.baseline)).metrics[i];
            const b = all ? ratioCS(all.moments, ctx.alpha, { tStar: ctx.tStar.baseline }) : undefined;
            if (!(baselineLevel > 0) || !b)
                return;
            const bVar = ((b.upper - b.estimate) / radius(all.moments.n, ctx)) ** 2;
            variance = variance / baselineLevel ** 2 + (estimate ** 2 * bVar) / baselineLevel ** 4;
            estimate /= baselineLevel;
        }
        const half = Math.sqrt(variance) *
            Math.sqrt(t) *
            csRadius(t, 1, ctx.alpha, mixtureRho(ctx.alpha, ctx.tStar.total));
        const lower = estimate - half;
        const upper = estimate + half;
        const sign = spec.better === 'lower' ? 1 : -1;
        const harmLow = sign > 0 ? lower : -upper;
        const harmHigh = sign > 0 ? upper : -lower;
        const enough = result.n.baseline >= ctx.minSamples && result.n.canary >= ctx.minSamples;
        const failAt = spec.rollbackAt && spec.rollbackAt.relative === spec.tolerance.relative
            ? spec.rollbackAt.value
            : spec.tolerance.value;
        const verdict = enough && harmHigh < spec.tolerance.value
            ? 'pass'
            : enough && harmLow > failAt
                ? 'fail'
                : 'inconclusive';
        const was = `aggregate ${change(result, result.delta.estimate, result.delta.relative)}`;
        result.delta = { estimate, lower, upper, relative: spec.tolerance.relative };
        result.verdict = verdict;
        if (verdict !== 'inconclusive')
            delete result.needed;
        result.method = `post-stratified by segment (the baseline's mix), ${result.method}`;
        result.reason = `post-stratified, since the canary's segment mix differs (${was}); ${verdict === 'pass' ? 'the whole interval is within the tolerance' : verdict === 'fail' ? 'the whole interval is beyond the tolerance' : 'the interval still crosses the tolerance'}`;
        adjusted.push(spec.name);
    });
    return adjusted;
}
/** sqrt(n) * csRadius(n, 1, alpha, rho): the CS half-width per unit of standard error. */
const radius = (n, ctx) => Math.sqrt(n) * csRadius(n, 1, ctx.alpha, mixtureRho(ctx.alpha, ctx.tStar.baseline));
const pct$4 = (x) => `${(x * 100).toFixed(1)}%`;

/** A relative move of the baseline's mean input tokens beyond this is a change of traffic mix. */
const MIX_SHIFT = 0.1;
/**
 * Baseline drift (issue 5, check 4): the provider can change the model under both arms. The
 * comparison with the concurrent baseline stays valid (the drift cancels), so this never rolls
 * back; it reports when the baseline's level of a metric has moved beyond the metric's tolerance
 * since the rollout's first evaluation with the minimum sample (RolloutState.baselineAtStart):
 * the stored level is outside the baseline's own confidence sequence now (anytime-valid, at the
 * metric's error rate), and the change from it exceeds the tolerance.
 *
 * A move of the traffic mix moves the baseline's levels as surely as a new model does (shorter
 * prompts cost less and answer faster), so before the provider is blamed the move is looked at
 * within the mix (issue 13): with segments, the levels within each segment are combined with the
 * start's segment shares (direct standardisation, as in epidemiology's age-adjusted rates); a
 * metric that held within segments moved with the mix. Without segments (or for quantiles, whose
 * levels do not combine), a move of the baseline's mean input tokens by more than 10% is a mix
 * shift that explains the move as well as a model change would: it is named, not blamed on the
 * provider.
 */
function driftCheck(policy, metrics, start, mixNow) {
    const name = 'baseline-drift';
    const model = [];
    const mix = [];
    const tokens = tokenShift(start.mix, mixNow);
    for (const spec of policy.metrics) {
        const m = metrics.find(r => r.name === spec.name);
        const before = start.levels[spec.name];
        if (!m || before === undefined || m.baseline === null || !m.baselineInterval)
            continue;
        const { lower, upper } = m.baselineInterval;
        if (before >= lower && before <= upper)
            continue;
        const shift = shiftOf(spec, before, m.baseline);
        if (!(Math.abs(shift) > spec.tolerance.value))
            continue;
        const moved = `${spec.name} ${value(m, before)} → ${value(m, m.baseline)} (${change(m, shift, spec.tolerance.relative)}, beyond its ${change(m, spec.tolerance.value, spec.tolerance.relative).replace('+', '±')} tolerance)`;
        const within = withinSegments(spec, start.mix, mixNow);
        if (within !== undefined) {
            const held = Math.abs(within) <= spec.tolerance.value;
            const text = `${moved}; within segments, at the start's segment mix, ${change(m, within, spec.tolerance.relative)}`;
            (held ? mix : model).push(text);
        }
        else if (tokens !== undefined && Math.abs(tokens.shift) > MIX_SHIFT) {
            mix.push(moved);
        }
        else {
            model.push(moved);
        }
    }
    const mixText = mix.length > 0
        ? `the baseline moved with its traffic mix${tokens && Math.abs(tokens.shift) > MIX_SHIFT ? ` (mean input ${tokens.text})` : ''}: ${mix.join('; ')}. A change of traffic, not evidence of a model change`
        : '';
    if (model.length === 0) {
        const held = `the baseline has held its levels since ${start.at}`;
        return { name, status: 'ok', detail: mixText ? `${mixText}` : held };
    }
    return {
        name,
        status: 'warn',
        detail: `the baseline itself moved since the rollout began (${start.at}): ${model.join('; ')}${tokens ? ` (its traffic mix held: mean input ${tokens.text})` : ''}. The provider may have changed the model under both arms; the comparison with the concurrent baseline stays valid${mixText ? `. Besides, ${mixText}` : ''}`
    };
}
function shiftOf(spec, before, now) {
    return spec.tolerance.relative ? (before !== 0 ? now / before - 1 : NaN) : now - before;
}
/**
 * The metric's move within segments: its level now and at the start in each segment both had,
 * each combined with the start's segment shares (direct standardisation), compared as the
 * tolerance is. Undefined without segment levels for it at both times.
 */
function withinSegments(spec, start, now) {
    if (!start?.segments || !now?.segments)
        return undefined;
    let weight = 0;
    let before = 0;
    let after = 0;
    for (const [segment, s] of Object.entries(start.segments)) {
        const a = s.levels[spec.name];
        const b = now.segments[segment]?.levels[spec.name];
        if (a === undefined || b === undefined || !(s.share > 0))
            continue;
        weight += s.share;
        before += s.share * a;
        after += s.share * b;
    }
    if (!(weight > 0))
        return undefined;
    return shiftOf(spec, before / weight, after / weight);
}
function tokenShift(start, now) {
    const a = start?.inputTokens;
    const b = now?.inputTokens;
    if (a === undefined || b === undefined || !(a > 0))
        return undefined;
    const k = (x) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
    return { shift: b / a - 1, text: `${k(a)} → ${k(b)} tokens` };
}
/**
 * The baseline levels to remember at the rollout's start: metrics with the minimum sample (only
 * those have a `baselineInterval`, compareMetric.ts).
 */
function baselineLevels(metrics) {
    const levels = {};
    for (const m of metrics) {
        if (m.baseline !== null && m.baselineInterval) {
            levels[m.name] = m.baseline;
        }
    }
    return Object.keys(levels).length > 0 ? levels : undefined;
}
/**
 * The baseline's traffic mix in a window: its mean input tokens per request (from the cache
 * sums, when records carry input tokens), and with segments each segment's share of the baseline's
 * requests and its level of every mean, rate and ratio metric (sum over sum of its moments).
 */
function baselineMix(policy, evidence) {
    const mix = {};
    let tokens = 0;
    let requests = 0;
    const segments = new Map();
    for (const cell of evidence.cells) {
        if (cell.arm !== 'baseline')
            continue;
        if (cell.segment === TOTAL_SEGMENT) {
            tokens += cell.cache?.inputTokens ?? 0;
            requests += cell.cache?.requests ?? 0;
            continue;
        }
        let s = segments.get(cell.segment);
        if (!s) {
            s = { requests: 0, sx: policy.metrics.map(() => 0), sy: policy.metrics.map(() => 0) };
            segments.set(cell.segment, s);
        }
        s.requests += cell.requests;
        cell.metrics.forEach((sketch, i) => {
            s.sx[i] = (s.sx[i] ?? 0) + sketch.moments.sx;
            s.sy[i] = (s.sy[i] ?? 0) + sketch.moments.sy;
        });
    }
    if (requests > 0)
        mix.inputTokens = tokens / requests;
    const total = [...segments.values()].reduce((n, s) => n + s.requests, 0);
    if (total > 0) {
        mix.segments = {};
        for (const [key, s] of segments) {
            const levels = {};
            policy.metrics.forEach((m, i) => {
                const sy = s.sy[i] ?? 0;
                if (m.kind !== 'quantile' && sy > 0)
                    levels[m.name] = (s.sx[i] ?? 0) / sy;
            });
            mix.segments[key] = { share: s.requests / total, levels };
        }
    }
    return mix.inputTokens !== undefined || mix.segments ? mix : undefined;
}

/**
 * The fields the policy reads (metrics' `from` and `per`, segment dimensions, the unit field)
 * that the evidence has no value for, with the data's own field names to suggest. Needs the
 * source's FieldsSeen (files, Langfuse); empty without it (Prometheus) or without records.
 * `valueCounts[i]`: values of policy.metrics[i] in the window, both arms.
 */
function missingFields(policy, evidence, valueCounts) {
    const fields = evidence.quality.fields;
    if (!fields || evidence.quality.records === 0)
        return [];
    const seen = new Set(fields.paths);
    const invalid = Object.keys(evidence.quality.invalidValues);
    const hasInvalid = (field) => invalid.some(k => k.startsWith(`${field}: `));
    const status = (paths) => paths.some(p => seen.has(p)) ? 'empty' : fields.truncated ? 'unknown' : 'absent';
    const missing = [];
    policy.metrics.forEach((spec, i) => {
        if (spec.from === 'judge' || (valueCounts[i] ?? 0) > 0)
            return;
        for (const [role, field] of [
            ['from', spec.from],
            ['per', spec.per]
        ]) {
            if (field === undefined || hasInvalid(field))
                continue;
            const sources = fieldSources(field);
            if (sources.always)
                continue;
            const how = status(sources.paths);
            // A ratio with both fields present but never together is reported at `from` only.
            if (role === 'per' && how === 'empty')
                continue;
            missing.push({
                path: `${spec.path}.${role}`,
                field,
                metric: { name: spec.name, mode: spec.mode },
                seen: how,
                suggestions: suggestFields(field, fields.paths, { aliases: sources.paths })
            });
        }
    });
    policy.segments?.by.forEach((dimension, i) => {
        if (seen.has(dimension))
            return;
        missing.push({
            path: `segments.by[${i}]`,
            field: dimension,
            seen: fields.truncated ? 'unknown' : 'absent',
            suggestions: suggestFields(dimension, fields.paths)
        });
    });
    const unit = policy.arms.unit;
    if (unit !== undefined && !evidence.unitLevel && !seen.has(unit)) {
        missing.push({
            path: 'arms.unit',
            field: unit,
            seen: fields.truncated ? 'unknown' : 'absent',
            suggestions: suggestFields(unit, fields.paths, { aliases: ['user_id', 'session_id'] })
        });
    }
    return missing;
}
/** One sentence per missing field: what, where in the policy, and the fields that look like it. */
function describeMissing(m, records) {
    const who = m.metric
        ? `metric "${m.metric.name}" reads "${m.field}"`
        : m.path === 'arms.unit'
            ? `the unit field "${m.field}"`
            : `segment dimension "${m.field}"`;
    const what = m.seen === 'absent'
        ? `, which no record has`
        : m.seen === 'empty'
            ? `: the field appears, but none of the ${int(records)} records in the window has a value for it`
            : `, which is not among the fields seen`;
    const hint = didYouMeanFields(m.suggestions);
    return `${who}${what}${hint ? ` (${hint} fix ${m.path} in the policy)` : ` (check ${m.path} in the policy)`}`;
}
/**
 * `fields`: blocks when a gating metric reads a field no record has (it could only ever be
 * inconclusive: a misspelt `from` would hold the rollout forever with "needs more samples"),
 * warns for report-only metrics, segment dimensions and the unit field, and for fields present
 * but without a value in the window. Undefined when the source does not say which fields it saw.
 */
function fieldsCheck(policy, evidence, valueCounts) {
    const fields = evidence.quality.fields;
    if (!fields || evidence.quality.records === 0)
        return undefined;
    const missing = missingFields(policy, evidence, valueCounts);
    if (missing.length === 0) {
        return {
            name: 'fields',
            status: 'ok',
            detail: `every field the policy reads appears in the data (${int(fields.paths.length)}${fields.truncated ? '+' : ''} fields seen)`
        };
    }
    const blocks = missing.some(m => m.seen === 'absent' && m.metric && m.metric.mode !== 'report');
    return {
        name: 'fields',
        status: blocks ? 'block' : 'warn',
        detail: missing.map(m => describeMissing(m, evidence.quality.records)).join('; ')
    };
}

/** Canary minus baseline, in points, beyond which a load symptom rolls back. */
const LOAD_TOLERANCE = 0.01;
const GUARDS = [
    { key: 'rate_limit', label: 'rate limits (429)' },
    { key: 'timeout', label: 'timeouts' },
    { key: 'fallback', label: 'fallbacks' }
];
/**
 * Load (issue 5, check 5): rate limits, timeouts and fallbacks only show under real load, and a
 * canary on another model or provider can hit its own quota. Their rates are compared per arm as
 * guard metrics on every rollout, whatever the policy's metrics: the absolute difference of the
 * per-request rates (Cell.errors, Cell.fallbacks: a request served by a fallback counts in the arm
 * that sent it), with the asymptotic confidence sequence with the Bernoulli variance floor
 * (Waudby-Smith et al. 2024) at (1 - confidence) split over the three (their own family, like the
 * segments). A canary worse by more than 1 point with confidence rolls back (`rollsBack`); when
 * the interval only may exceed it, the check warns.
 */
function loadCheck(policy, evidence, ctx, 
/** Set when errors are not observable from the source (observability.ts): the error guards are skipped. */
errorsUnobservable = false, 
/** Each arm's total segment's cells merged, when the caller has them (analyze does). */
merged) {
    const name = 'load';
    const total = (arm) => evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT);
    const b = total('baseline');
    const c = total('canary');
    const alpha = bonferroni(1 - policy.confidence, GUARDS.length);
    const failing = [];
    const suspect = [];
    const shown = [];
    const hasFallbacks = [...b, ...c].some(cell => cell.fallbacks !== undefined);
    const bTotals = merged?.baseline ?? mergeCells(b);
    const cTotals = merged?.canary ?? mergeCells(c);
    // No data is not 0%: a source that cannot tell error classes, or a window with no traffic.
    const classes = evidence.errorClasses !== false;
    if (bTotals.requests === 0 || cTotals.requests === 0) {
        return { name, status: 'ok', detail: 'not available: an arm has no traffic in the window' };
    }
    if (!classes && !hasFallbacks) {
        return {
            name,
            status: 'ok',
            detail: `not available: ${evidence.source} reports no error classes (rate limits, timeouts) or fallbacks`
        };
    }
    for (const guard of GUARDS) {
        if (guard.key === 'fallback' && !hasFallbacks)
            continue;
        if (guard.key !== 'fallback' && (errorsUnobservable || !classes))
            continue;
        const count = (cells, totals) => guard.key === 'fallback'
            ? cells.reduce((s, cell) => s + (cell.fallbacks ?? 0), 0)
            : (totals.errors[guard.key] ?? 0);
        const moments = (k, n) => ({ n, sx: k, sy: n, sxx: k, syy: n, sxy: k });
        const bn = bTotals.requests;
        const cn = cTotals.requests;
        if (bn < ctx.minSamples || cn < ctx.minSamples)
            continue;
        const bk = count(b, bTotals);
        const ck = count(c, cTotals);
        const d = ratioDifferenceCS(moments(bk, bn), moments(ck, cn), alpha, {
            relative: false,
            tStar: ctx.tStar.total,
            bernoulliFloor: true
        });
        const line = `${guard.label} canary ${pct$3(ck / cn)} vs baseline ${pct$3(bk / bn)} (${pts(d.lower)} to ${pts(d.upper)})`;
        shown.push(line);
        if (d.lower > LOAD_TOLERANCE)
            failing.push(line);
        else if (d.upper > LOAD_TOLERANCE && d.estimate > LOAD_TOLERANCE)
            suspect.push(line);
    }
    const blind = errorsUnobservable
        ? 'rate limits and timeouts not observable from this source (see the errors check)'
        : undefined;
    if (shown.length === 0) {
        return { name, status: 'ok', detail: blind ?? 'not tested yet: below the minimum sample' };
    }
    if (blind)
        shown.push(blind);
    if (failing.length > 0) {
        return {
            name,
            status: 'block',
            rollsBack: true,
            detail: `the canary is worse under load by more than ${pts(LOAD_TOLERANCE).slice(1)}: ${failing.join('; ')} (its own quota or provider?)`
        };
    }
    if (suspect.length > 0) {
        return { name, status: 'warn', detail: `may be worse under load: ${suspect.join('; ')}` };
    }
    return { name, status: 'ok', detail: shown.join('; ') };
}
const pct$3 = (x) => `${(x * 100).toFixed(2)}%`;
const pts = (x) => Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}pp` : 'n/a';

/** A model key below this share of an arm's requests before a change counts as new after it. */
const NEW_BEFORE = 0.05;
/**
 * Silent model updates (issue 5, check 4). `Cell.models` counts requests per served
 * `model#fingerprint` and time bucket. In each arm, a change is a key that serves most requests in
 * every bucket from some bucket on, after serving under 5% of them in every bucket before, where
 * another key served most: a new snapshot behind an alias, or a new backend fingerprint. Evidence
 * from before it no longer describes the system, so the step restarts at the change (evaluate.ts)
 * and holds. Models a policy does not expect (`models.canary` / `models.baseline`) are named, with
 * their share, whether a gateway fallback or an alias resolving elsewhere served them.
 */
function modelCheck(policy, evidence) {
    const name = 'model';
    const cells = evidence.cells.filter(c => c.segment === TOTAL_SEGMENT);
    if (cells.length === 0)
        return { check: { name, status: 'ok', detail: 'no traffic yet' } };
    const failed = failedCalls(cells);
    if (cells.every(c => Object.keys(c.models).length === 0)) {
        const why = failed > 0 ? `only failed calls carry a model${failedNote(failed)}` : 'no models';
        return { check: { name, status: 'ok', detail: `not available from this source (${why})` } };
    }
    const changes = [];
    const unexpected = [];
    const served = [];
    for (const arm of ['baseline', 'canary']) {
        const buckets = cells.filter(c => c.arm === arm).sort((a, b) => a.bucket - b.bucket);
        const change = changeIn(buckets);
        if (change)
            changes.push({ arm, ...change });
        const totals = new Map();
        let requests = 0;
        for (const cell of buckets) {
            for (const [key, n] of Object.entries(cell.models)) {
                totals.set(key, (totals.get(key) ?? 0) + n);
                requests += n;
            }
        }
        const ranked = [...totals].sort((a, b) => b[1] - a[1]);
        if (ranked.length > 0) {
            served.push(`${arm}: ${ranked
                .slice(0, 3)
                .map(([key, n]) => `${key} ${share(n, requests)}`)
                .join(', ')}`);
        }
        const expected = policy.models?.[arm];
        if (!expected)
            continue;
        for (const [key, n] of ranked) {
            const model = key.split('#')[0];
            if (key !== OTHER_MODELS && expected.includes(model))
                continue;
            unexpected.push(`${arm} served by ${key === OTHER_MODELS ? 'other models' : model} in ${share(n, requests)} of its requests (expected ${expected.join(' or ')})`);
        }
    }
    if (changes.length > 0) {
        const at = Math.min(...changes.map(c => c.at));
        const text = changes
            .map(c => `${c.arm}'s served model changed from ${c.from} to ${c.to} at about ${iso(c.at)}`)
            .join('; ');
        return {
            changedAt: at,
            check: {
                name,
                status: 'block',
                detail: `${text}: evidence from before the change no longer describes the system, so the step's window restarts there`
            }
        };
    }
    const notes = failedNote(failed) + fingerprintNote(cells);
    if (unexpected.length > 0) {
        return { check: { name, status: 'warn', detail: unexpected.join('; ') + notes } };
    }
    return {
        check: { name, status: 'ok', detail: `no change in the window; ${served.join('; ')}${notes}` }
    };
}
/** Failed calls with a model key (Cell.failedModels): they served nothing, so none is counted. */
function failedCalls(cells) {
    let n = 0;
    for (const cell of cells)
        for (const count of Object.values(cell.failedModels ?? {}))
            n += count;
    return n;
}
function failedNote(failed) {
    return failed > 0
        ? `; ${failed} failed calls not counted as served (a failed call carries the requested model, not the one that would have served it)`
        : '';
}
/** Without any `model#fingerprint` key, a backend change behind the same model id cannot show. */
function fingerprintNote(cells) {
    const any = cells.some(c => Object.keys(c.models).some(key => key.includes('#')));
    return any ? '' : '; backend fingerprints: not available from this source';
}
/** The change in one arm's buckets (time order), if any. */
function changeIn(buckets) {
    const withModels = buckets.filter(c => Object.keys(c.models).length > 0);
    const last = withModels.at(-1);
    if (!last || withModels.length < 2)
        return undefined;
    const latest = dominant(last.models);
    if (latest === undefined || latest === OTHER_MODELS)
        return undefined;
    let first = withModels.length - 1;
    while (first > 0 && dominant(withModels[first - 1].models) === latest)
        first--;
    if (first === 0)
        return undefined;
    const before = withModels.slice(0, first);
    const newBefore = before.every(c => (c.models[latest] ?? 0) < NEW_BEFORE * total(c.models));
    if (!newBefore)
        return undefined;
    const previous = dominant(withModels[first - 1].models);
    if (previous === undefined)
        return undefined;
    return { at: withModels[first].bucket, from: previous, to: latest };
}
/** The key serving more than half the requests, if one does. */
function dominant(models) {
    const all = total(models);
    for (const [key, n] of Object.entries(models))
        if (n > all / 2)
            return key;
    return undefined;
}
const total = (models) => Object.values(models).reduce((a, b) => a + b, 0);
const share = (n, of) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
const iso = (t) => new Date(t).toISOString();

/**
 * Why the error rate cannot be observed from this evidence, or undefined when it can (or the gate
 * cannot tell). Some instrumentation libraries emit no span for a call that failed: they end the
 * span only when an answer arrives (records/conventions.ts, KNOWN_INSTRUMENTATIONS, verified with
 * the library versions listed there). When every call span read came from such a library and
 * none of them failed, a 0% error rate is what the traces would show whatever the truth.
 */
function unobservableErrors(evidence) {
    const scopes = evidence.quality.instrumentation;
    if (!scopes || scopes.length === 0)
        return undefined;
    let calls = 0;
    const names = new Set();
    for (const s of scopes) {
        const known = knownInstrumentation(s.scope);
        if (!known || known.failedCalls || s.failed > 0)
            return undefined;
        calls += s.calls;
        names.add(`${s.scope}${s.version ? ` ${s.version}` : ''} (no span for a failed call, checked with ${known.checked})`);
    }
    return `the calls were traced by ${[...names].join(' and ')}, and none of the ${calls} call spans read has an error status: the error rate is not observable from this source (trace the client with an instrumentation that records failed calls, such as @opentelemetry/instrumentation-openai, or log errors elsewhere)`;
}
const readsErrors = (m) => m.from === 'error' || m.from.startsWith('error.');
/**
 * With errors unobservable: the error metrics are inconclusive whatever their intervals say (0%
 * against 0% is no evidence), with the reason and a caveat, and a check says so. It blocks (a hold,
 * never a promotion or, at the step's timeout, a rollback) when a gating metric reads errors, and
 * warns otherwise.
 */
function errorObservabilityCheck(metrics, why) {
    // The metrics' reasons point here; the check says why.
    const affected = metrics.filter(readsErrors);
    for (const m of affected) {
        m.verdict = 'inconclusive';
        m.reason =
            'not observable from this source: its failed calls leave no trace (see the errors check)';
        m.needed = { samples: 0, seconds: null };
        delete m.holdsBecause;
        (m.caveats ??= []).push('errors are not observable from this source');
    }
    const gating = affected.filter(m => m.mode !== 'report');
    const names = affected.map(m => m.name);
    const what = names.length > 0
        ? `; ${names.join(', ')} cannot be decided from it`
        : '; the load check cannot see rate limits or timeouts';
    return {
        name: 'errors',
        status: gating.length > 0 ? 'block' : 'warn',
        detail: `${why}${what}`
    };
}

const HOUR_MS = 3_600_000;
/**
 * The window's busiest hour of traffic, both arms together (the traffic the rollout serves, not
 * one arm's share of it): the most requests in any run of consecutive time buckets spanning an
 * hour, and when that run began. A window shorter than an hour counts as its requests scaled to
 * an hour. Undefined when the window has no requests.
 */
function busiestHour(evidence) {
    const { from, to } = evidence.window;
    const size = evidence.bucketMs;
    // No buckets (an empty window: inside the warm-up, or a source that failed): no traffic.
    if (!(size > 0) || !(to > from))
        return undefined;
    const count = Math.max(1, Math.ceil((to - from) / size));
    // Sparse (bucket index -> requests): a window spanning years must not allocate a slot per bucket.
    const perBucket = new Map();
    let total = 0;
    for (const cell of evidence.cells) {
        if (cell.segment !== TOTAL_SEGMENT || cell.requests === 0)
            continue;
        const k = Math.min(count - 1, Math.max(0, Math.floor((cell.bucket - from) / size)));
        perBucket.set(k, (perBucket.get(k) ?? 0) + cell.requests);
        total += cell.requests;
    }
    if (total === 0)
        return undefined;
    const span = Math.max(1, Math.round(HOUR_MS / size));
    if (count <= span)
        return { perHour: (total * HOUR_MS) / Math.max(size, to - from), at: from };
    // The earliest run of `span` buckets with the most requests starts at 0 or ends at a bucket
    // with traffic (an earlier start would otherwise hold as many), so only those starts are tried.
    const keys = [...perBucket.keys()].sort((a, b) => a - b);
    const prefix = [0];
    for (const k of keys)
        prefix.push(prefix.at(-1) + perBucket.get(k));
    /** Index in `keys` of the first key >= k. */
    const firstAtOrAfter = (k) => {
        let lo = 0;
        let hi = keys.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (keys[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    };
    const starts = [0, ...keys.map(k => Math.min(count - span, Math.max(0, k - span + 1)))];
    let best = { perHour: -1, at: from };
    for (const s of [...new Set(starts)].sort((a, b) => a - b)) {
        const run = prefix[firstAtOrAfter(s + span)] - prefix[firstAtOrAfter(s)];
        if (run > best.perHour)
            best = { perHour: run, at: from + s * size };
    }
    return best;
}
/**
 * `rollout.minPeakLoad` (issue 5, check 5): a step promotes only once its busiest hour reached
 * this share of the busiest hour the rollout has seen (the state's `peakLoad`, or this window's
 * own when there is none), so a step that baked overnight does not pass on traffic far below what
 * the daytime will put through it. It blocks promotion only: it never rolls back.
 */
function peakLoadCheck(minPeakLoad, step, seen) {
    const name = 'peak-load';
    if (!step)
        return { name, status: 'ok', detail: 'no traffic in the window yet' };
    const here = `the step's busiest hour had ${int(step.perHour)} requests (both arms, from ${new Date(step.at).toISOString()})`;
    if (!seen || seen.perHour <= step.perHour) {
        return {
            name,
            status: 'ok',
            detail: `${here}, the busiest of the rollout so far${seen ? '' : ' (nothing earlier in the state to compare with)'}`
        };
    }
    const share = step.perHour / seen.perHour;
    const against = `${pct$2(share)} of the rollout's busiest hour (${int(seen.perHour)} requests, from ${seen.at}); minPeakLoad ${pct$2(minPeakLoad)}`;
    return share >= minPeakLoad
        ? { name, status: 'ok', detail: `${here}: ${against}` }
        : {
            name,
            status: 'block',
            detail: `${here}: only ${against}. A promotion waits for busier traffic, so the step does not pass on a quiet night`
        };
}
const pct$2 = (x) => `${(x * 100).toFixed(0)}%`;

/**
 * `gateOn: repriced` (issue 5, check 1): the cost metric's verdict on the canary's cost re-priced
 * at the baseline's prompt-cache hit rate h (the share of the baseline's input tokens read from the
 * cache), for a canary whose small share keeps a shared prefix colder than the baseline's.
 *
 * Re-pricing is a deterministic, linear transform of each request's tokens: u - h d, where u is
 * the request's cost with every input token uncached and d what reading all its input from the
 * cache would save (CacheSums.repricing). So the re-priced per-request costs have exact moments
 * (sum u - h sum d; sum u^2 - 2 h sum ud + h^2 sum d^2), and they are compared with the
 * baseline's observed cost by the same confidence sequence as the observed cost. h is taken as
 * known: it rests on the baseline's tokens, usually far more than the canary's. When requests are
 * clustered by unit, the re-priced variance is widened by the observed cost's design effect
 * (clustered over per-request variance of the canary's mean), assuming re-pricing does not change
 * how a unit's requests hang together.
 *
 * Returns the result to use, or the observed one with a note when the source gives no token sums.
 */
function repricedCost(spec, observed, baseline, canary, evidence, ctx) {
    const sums = (arm) => mergeCacheSums(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT));
    const b = sums('baseline');
    const r = sums('canary')?.repricing;
    if (!b || !(b.inputTokens > 0) || !r || r.n < 2) {
        return {
            ...observed,
            reason: `${observed.reason}; gated on the observed cost: no priced token counts to re-price (gateOn: repriced)`
        };
    }
    const h = b.cacheReadTokens / b.inputTokens;
    const deff = designEffectOf(canary.moments, r);
    const result = compareMetric(spec, baseline, { moments: repricedMoments(r, h, deff), requests: r.n }, ctx);
    const observedChange = Number.isFinite(observed.delta.estimate)
        ? `; observed ${change(observed, observed.delta.estimate, observed.delta.relative)}`
        : '';
    const widened = deff > 1 ? `, widened by the observed cost's design effect ${deff.toFixed(2)}` : '';
    return {
        ...result,
        ...(observed.limit && { limit: observed.limit }),
        ...(observed.baselineInterval && { baselineInterval: observed.baselineInterval }),
        observed: observed.delta,
        reason: `re-priced at the baseline's cache-hit rate (${(h * 100).toFixed(1)}%): ${result.reason}${observedChange}`,
        method: `${result.method}; the canary's per-request cost re-priced at the baseline's cache-hit rate${widened}`
    };
}
/**
 * Per-request moments (one cluster per request, y = 1) of u - h d, with the residual sum of squares
 * multiplied by `deff` (the mean is unchanged, its variance scaled by deff).
 */
function repricedMoments(r, h, deff = 1) {
    const sx = r.su - h * r.sd;
    const sxx = r.suu - 2 * h * r.sud + h * h * r.sdd;
    const mean2 = (sx * sx) / r.n;
    return {
        n: r.n,
        sx,
        sy: r.n,
        sxx: mean2 + deff * Math.max(0, sxx - mean2),
        syy: r.n,
        sxy: sx
    };
}
/**
 * Var(mean) from the clustered moments of the observed cost over Var(mean) from its per-request
 * sums, at least 1; 1 when the moments are per request.
 */
function designEffectOf(m, r) {
    if (m.n >= r.n || m.n < 2 || !(m.sy > 0))
        return 1;
    const ratio = m.sx / m.sy;
    const ybar = m.sy / m.n;
    const residual = Math.max(0, m.sxx - 2 * ratio * m.sxy + ratio * ratio * m.syy);
    const clustered = residual / (m.n * (m.n - 1) * ybar * ybar);
    const independent = Math.max(0, r.scc - (r.sc * r.sc) / r.n) / (r.n - 1) / r.n;
    const deff = clustered / independent;
    return Number.isFinite(deff) ? Math.max(1, deff) : 1;
}

const isGating = (m) => m.mode !== 'report';
/**
 * Compare every metric between the arms over the evidence of one step, and run the checks on the
 * evidence itself. `canaryWeight` is the step's canary share in percent (the expected split).
 * `replay`: the evaluation time was given (--now), so records after it are expected, not skew.
 */
function analyze(policy, evidence, canaryWeight, replay = false, options = {}) {
    const total = (arm) => mergeCells(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT));
    const baseline = total('baseline');
    const canary = total('canary');
    const seconds = Math.max(1, (evidence.window.to - evidence.window.from) / 1000);
    const canaryRate = canary.requests / seconds;
    const stepAlpha = options.stepAlpha ?? 1 - policy.confidence;
    const segmentsRollBack = policy.segments?.gate === 'rollback';
    const { alpha, passAlpha } = metricAlphas(policy, stepAlpha, options.passAlpha);
    const designEffects = aggregateDesignEffects(policy, evidence);
    const planned = options.tStar ??
        plannedTStar(policy, { baseline, canary }, evidence.window.to - evidence.window.from);
    const floor = tStar(policy.rollout.minSamples, canaryWeight);
    const ctx = {
        alpha,
        passAlpha,
        tStar: planned ? atLeast(planned.units, floor) : floor,
        ...(planned && {
            tStarRequests: atLeast(planned.requests, floor),
            failTStar: floor,
            failTStarRequests: inRequests(floor, planned.requestsPerUnit)
        }),
        minSamples: policy.rollout.minSamples,
        canaryRequests: canary.requests,
        canaryRate,
        growth: growthOf(policy, evidence, options.stepElapsedMs),
        ...(designEffects && { designEffects }),
        ...(evidence.quality.preExposure && { preExposure: evidence.quality.preExposure })
    };
    const metrics = policy.metrics.map((spec, i) => compareMetric(spec, metricAt(baseline.metrics, i), metricAt(canary.metrics, i), ctx, evidence.limitValues?.[spec.name]));
    // Each segment's cells merged once, for the segment comparisons and the segment-mix check
    // (which needs no quantile sketch: without comparisons, they are not merged).
    const compared = policy.segments && (policy.segments.gate !== false || options.reportOnlySegments !== false);
    const bySegment = policy.segments ? segmentTotals(evidence, compared) : [];
    const segmentAlpha = segmentsRollBack ? stepAlpha * SEGMENT_SHARE : 1 - policy.confidence;
    const segments = compared ? compareSegments(policy, bySegment, ctx, segmentAlpha) : [];
    const arms = {
        baseline: { requests: baseline.requests, units: baseline.units },
        canary: { requests: canary.requests, units: canary.units }
    };
    const checks = evidenceChecks(policy, evidence, arms, canaryWeight, replay);
    const valueCounts = policy.metrics.map((_, i) => metricAt(baseline.metrics, i).requests + metricAt(canary.metrics, i).requests);
    const fields = fieldsCheck(policy, evidence, valueCounts);
    if (fields)
        checks.push(fields);
    // The checks for the ways staging lies (issue 5): each adds a check, and may mark metrics. The
    // segment mix first (it may replace estimates), then the cache (it may turn fails into holds).
    if (policy.segments) {
        checks.push(coverageCheck(policy, evidence.unitLevel, bySegment, metrics, ctx, canaryWeight));
    }
    policy.metrics.forEach((spec, i) => {
        const observed = metrics[i];
        if (spec.gateOn !== 'repriced' || !observed)
            return;
        const b = metricAt(baseline.metrics, i);
        metrics[i] = repricedCost(spec, observed, b, metricAt(canary.metrics, i), evidence, ctx);
    });
    const cache = cacheCheck(evidence, metrics, ctx, (baseline.requests + canary.requests) / seconds);
    const model = modelCheck(policy, evidence);
    const blindToErrors = unobservableErrors(evidence);
    checks.push(aaCheck(policy, evidence, metrics, ctx), cache.check, model.check, loadCheck(policy, evidence, ctx, blindToErrors !== undefined, { baseline, canary }));
    if (blindToErrors !== undefined)
        checks.push(errorObservabilityCheck(metrics, blindToErrors));
    const analysis = {
        window: evidence.window,
        arms,
        unitLevel: evidence.unitLevel,
        metrics,
        segments,
        checks,
        canaryRate,
        ...(planned && { tStar: planned }),
        errorBudget: {
            total: 1 - policy.confidence,
            step: stepAlpha,
            perMetric: alpha,
            pass: passAlpha,
            segments: segmentsRollBack ? 'shared' : policy.segments ? 'separate' : 'none'
        }
    };
    if (cache.report)
        analysis.cache = cache.report;
    const mix = baselineMix(policy, evidence);
    if (mix)
        analysis.baselineMix = mix;
    const peak = policy.rollout.minPeakLoad !== undefined ? busiestHour(evidence) : undefined;
    if (peak)
        analysis.peakLoad = peak;
    if (model.changedAt !== undefined)
        analysis.restartAt = model.changedAt;
    return analysis;
}
/**
 * Each gating metric's alpha for its fail side (a rollback) in a step whose sequences' fail side
 * has `stepAlpha` of the rollout's budget (default: the whole budget, 1 - confidence): segments
 * that can roll back take their share first (stats/alphaSpending.ts), the rest is split over the
 * family (Bonferroni). Each metric's pass side runs at the whole `passAlpha` (default
 * `stepAlpha`): a promotion needs every gating metric to pass (the intersection-union test of
 * stats/alphaSpending.ts), and segments only fail.
 */
function metricAlphas(policy, stepAlpha = 1 - policy.confidence, passAlpha = stepAlpha) {
    const armsAlpha = policy.segments?.gate === 'rollback' ? stepAlpha * (1 - SEGMENT_SHARE) : stepAlpha;
    return { alpha: bonferroni(armsAlpha, familySize(policy.metrics)), passAlpha };
}
/**
 * The family a rollback's side is split over: each metric whose fail rolls back (`mode: gate`),
 * plus each canary `limit` on one, since a limit is a test of its own (Bonferroni over all of
 * them). A `mode: hold` metric's fail only holds, and a report-only metric never decides: both
 * are shown at the same level but do not widen the others (a hold one still needs its pass).
 */
function familySize(metrics) {
    const rollingBack = metrics.filter(m => m.mode === 'gate');
    return Math.max(1, rollingBack.length + rollingBack.filter(m => m.limit !== undefined).length);
}
/**
 * Confidence sequences are tightest around the sample size where decisions are expected
 * (Waudby-Smith et al. 2024 choose rho for such a t*): when the canary reaches the minimum sample
 * at this step's split, and the baseline has its share of the same traffic. In the sequences' own
 * time: clusters, so units when records carry one (minSamples counts units then).
 */
function tStar(minSamples, canaryWeight) {
    const share = Math.min(Math.max(canaryWeight / 100, 0.001), 0.999);
    const canary = Math.max(30, minSamples);
    const baseline = Math.max(30, Math.round((canary * (1 - share)) / share));
    return { baseline, canary, total: baseline + canary };
}
/**
 * Where a step's sequences should be tightest: the traffic expected by the middle of the step's
 * life on a log scale, sqrt(minDuration x maxDuration) (2.4 hours with the defaults: a good canary
 * promotes past minDuration and before maxDuration), projected from this look's window at its
 * rate. A mixture is tightest near its t* and widens slowly away from it (log(t / t*) / 2 in the
 * boundary's level); tuned at the minimum sample, as before, the width at 50 times that sample is
 * about 8% above the optimum. Requests grow with time; units (users) grow slower, as they return,
 * so they are projected by the square root of the time factor, between no growth and linear.
 *
 * That is the end a promotion reads. A rollback's end stays tuned at the minimum sample, where
 * the earliest rollbacks can be decided (a clear regression should be caught at once; in
 * requests for the quantiles, at the requests per unit seen when planned).
 *
 * Valid: the mixture depends on counts only, not on any value (arrivals are independent of the
 * metric values given the arm, which every sequence here assumes), and the rollout state keeps it
 * for the step's later looks, so all of them read one mixture (Ville's inequality over one
 * martingale). Undefined while an arm has no traffic: no verdict can be given then.
 */
function plannedTStar(policy, arms, windowMs) {
    const { baseline, canary } = arms;
    if (!(windowMs > 0 && baseline.requests > 0 && canary.requests > 0))
        return undefined;
    const r = policy.rollout;
    const horizon = Math.sqrt(r.minDuration * r.maxDuration) - r.warmup;
    const factor = Math.max(1, horizon / windowMs);
    // Without units, the sequences count requests, which grow with time.
    const units = (arm) => Math.round(arm.units > 0 ? arm.units * Math.sqrt(factor) : arm.requests * factor);
    const perUnit = (arm) => arm.units > 0 ? arm.requests / arm.units : 1;
    return {
        units: { baseline: units(baseline), canary: units(canary) },
        requests: {
            baseline: Math.round(baseline.requests * factor),
            canary: Math.round(canary.requests * factor)
        },
        requestsPerUnit: { baseline: perUnit(baseline), canary: perUnit(canary) }
    };
}
/** A t* in units counted in requests at the planned requests per unit. */
function inRequests(t, perUnit) {
    const baseline = Math.round(t.baseline * Math.max(1, perUnit.baseline));
    const canary = Math.round(t.canary * Math.max(1, perUnit.canary));
    return { baseline, canary, total: baseline + canary };
}
/** Per arm the larger of the two, and their total. */
function atLeast(t, floor) {
    const baseline = Math.max(t.baseline, floor.baseline);
    const canary = Math.max(t.canary, floor.canary);
    return { baseline, canary, total: baseline + canary };
}
/**
 * Every segment is compared at `familyAlpha` split over segments and gating metrics: with
 * `segments.gate: rollback` a share of the step's budget (a failing segment rolls back, so its
 * errors count against the rollout's budget), else a separate family at 1 - confidence (a segment
 * that can only hold never makes a wrong promotion or rollback).
 */
function compareSegments(policy, segmentTotals, ctx, familyAlpha) {
    const gating = policy.metrics
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => isGating(m) && !m.totalOnly);
    if (segmentTotals.length === 0 || gating.length === 0)
        return [];
    const alpha = bonferroni(familyAlpha, segmentTotals.length * gating.length);
    const segCtx = { ...ctx, alpha, passAlpha: alpha, project: false };
    return segmentTotals.map(({ key: segment, baseline: b, canary: c }) => {
        const metrics = gating.map(({ m, i }) => {
            const r = compareMetric({ ...m, limit: undefined }, metricAt(b.metrics, i), metricAt(c.metrics, i), segCtx);
            return {
                name: r.name,
                mode: r.mode,
                verdict: r.verdict,
                delta: r.delta,
                n: r.n,
                reason: r.reason
            };
        });
        return { segment, verdict: worstVerdict(metrics.map(m => m.verdict)), metrics };
    });
}
function worstVerdict(verdicts) {
    if (verdicts.includes('fail'))
        return 'fail';
    if (verdicts.includes('inconclusive') || verdicts.length === 0)
        return 'inconclusive';
    return 'pass';
}
/**
 * How the window's traffic grows (analysis/projection.ts): per arm, requests per second over the
 * window, and units first seen per second over its last third (0 without units: then requests
 * are the clusters); and what is left of the step before maxDuration.
 */
function growthOf(policy, evidence, stepElapsedMs) {
    const { from, to } = evidence.window;
    const seconds = (to - from) / 1000;
    if (!(seconds > 0))
        return undefined;
    const recentFrom = to - (to - from) / 3;
    const arm = (a) => {
        const cells = evidence.cells.filter(c => c.arm === a && c.segment === TOTAL_SEGMENT);
        const requests = cells.reduce((n, c) => n + c.requests, 0);
        const recent = cells.filter(c => c.bucket + evidence.bucketMs / 2 >= recentFrom);
        const recentSeconds = Math.max(1, (to - Math.max(from, recentFrom)) / 1000);
        const newUnits = recent.reduce((n, c) => n + c.units, 0);
        return {
            requestsPerSecond: requests / seconds,
            units: evidence.unitLevel ? cells.reduce((n, c) => n + c.units, 0) : 0,
            newUnitsPerSecond: evidence.unitLevel ? newUnits / recentSeconds : 0
        };
    };
    const elapsed = stepElapsedMs ?? to - from;
    return {
        seconds,
        baseline: arm('baseline'),
        canary: arm('canary'),
        remainingSeconds: Math.max(0, (policy.rollout.maxDuration - elapsed) / 1000)
    };
}
const EMPTY = { moments: emptyMoments(), requests: 0 };
const metricAt = (list, i) => list[i] ?? EMPTY;

function initialState(policy, stepStartedAt) {
    return {
        version: 1,
        rollout: policy.rollout.name,
        revision: 0,
        status: 'running',
        stepIndex: 0,
        stepStartedAt: new Date(stepStartedAt).toISOString(),
        startedAt: new Date(stepStartedAt).toISOString(),
        history: []
    };
}
/**
 * When the rollout's first step began, epoch ms: the state's `startedAt`, or for a state written
 * before it existed, its step's start while at the first step; else unknown.
 */
function rolloutStartedAt(state) {
    const at = state.startedAt ?? (state.stepIndex === 0 ? state.stepStartedAt : undefined);
    return at === undefined ? undefined : Date.parse(at);
}
/**
 * The error-budget ledger for an evaluation of the current step (stats/alphaSpending.ts): the
 * stored one while the step and its window are the same; at a new step the last step's sequences
 * are charged (their fail side when the gate promoted them, `closedBudget`; the larger side when a
 * person moved the step) and the new step's open on what is left. Steps skipped by a manual
 * promotion spend nothing. A window that moved within the step (a resume, a weight applied late)
 * or a new budget (the policy's confidence changed) starts new sequences, as a restart does.
 * Without a ledger, the comparison steps before this one count as promoted by the gate.
 */
function currentBudget(policy, state) {
    const total = 1 - policy.confidence;
    const stored = state.errorBudget;
    if (stored && stored.step.index === state.stepIndex) {
        const moved = stored.step.startedAt !== undefined && stored.step.startedAt !== state.stepStartedAt;
        if (moved || stored.total !== total) {
            return restartedBudget(policy, stored, state.stepStartedAt);
        }
        return stored.step.passAlpha !== undefined
            ? stored
            : {
                ...stored,
                step: { ...stored.step, ...alphas(policy, stored.spent, stored.step.restarts) }
            };
    }
    const comparisonSteps = comparisonStepsOf(policy);
    const spent = stored
        ? stored.spent + charged(stored.step, false)
        : assumedSpent({ total, comparisonSteps, stepIndex: state.stepIndex });
    return openedBudget(policy, spent, state.stepIndex, state.stepStartedAt);
}
/** The ledger of step `index`'s first sequences, after the rollout's earlier ones spent `spent`. */
function openedBudget(policy, spent, index, startedAt) {
    return {
        total: 1 - policy.confidence,
        spent,
        step: { index, ...alphas(policy, spent, 0), restarts: 0, startedAt }
    };
}
function alphas(policy, spent, restarts) {
    const total = 1 - policy.confidence;
    return sequenceAlphas({ total, spent, comparisonSteps: comparisonStepsOf(policy), restarts });
}
const comparisonStepsOf = (policy) => policy.rollout.steps.filter(w => w < 100).length;
/**
 * The ledger of the sequences an evaluation ran: the current one, restarted at `restartAt` when a
 * served model changed inside the step (Analysis.restartAt).
 */
function evaluatedBudget(policy, state, restartAt) {
    const budget = currentBudget(policy, state);
    return restartAt !== undefined && restartAt > Date.parse(state.stepStartedAt)
        ? restartedBudget(policy, budget, new Date(restartAt).toISOString())
        : budget;
}
/** The ledger with the t* this evaluation planned, when the step has none yet (it is kept). */
function withTStar(budget, analysis) {
    const planned = analysis?.tStar;
    return budget.step.tStar || !planned
        ? budget
        : { ...budget, step: { ...budget.step, tStar: planned } };
}
/**
 * The ledger after the gate promoted the canary to step `index`, which starts at `startedAt`: the
 * promoted sequences are charged their fail side only (a canary the gate rightly promotes was
 * within tolerance), and the new step's sequences open on what is left.
 */
function closedBudget(policy, budget, index, startedAt) {
    return openedBudget(policy, budget.spent + charged(budget.step, true), index, startedAt);
}
/**
 * The ledger after the step's window started again at `startedAt` (a served model changed, the
 * window moved): the old sequences are charged their larger side, new ones start.
 */
function restartedBudget(policy, budget, startedAt) {
    const restarts = budget.step.restarts + 1;
    const spent = budget.spent + charged(budget.step, false);
    // New sequences: their t* is planned again from the new window's traffic.
    const { tStar: _old, ...step } = budget.step;
    return {
        total: 1 - policy.confidence,
        spent,
        step: { ...step, ...alphas(policy, spent, restarts), restarts, startedAt }
    };
}
/** Why a manual command cannot apply to this state, or undefined when it can. */
function commandRefusal(state, command) {
    if (command === 'promote' && state.status === 'rolled-back') {
        return 'the rollout was rolled back: `resume` starts it again at the first step';
    }
    if (command === 'promote' && state.status === 'complete')
        return 'the rollout is already complete';
    if (command === 'pause' && state.status !== 'running') {
        return `only a running rollout can be paused (it is ${state.status})`;
    }
    if (command === 'resume' && state.status === 'running')
        return 'the rollout is not paused';
    if (command === 'resume' && state.status === 'complete')
        return 'the rollout is already complete';
    return undefined;
}
/**
 * The next state after a decision. A promotion starts the next step's clock (and so its fresh
 * confidence sequence, DESIGN.md); a hold changes nothing but the history.
 */
function nextState(state, decision, now, analysis, 
/** The policy, to keep the error-budget ledger (omit: the ledger is left as it is). */
policy) {
    const next = stateAfter(state, decision, now, analysis, policy);
    return { ...next, desired: desiredAfter(state, next, decision, now) };
}
/** Who decides when no person does. */
const GATE_ACTOR = 'ai-rollout-gate';
/**
 * The desired state after a decision: a new one when the weight or the status changes (or a
 * person commands), else the one already saved, so `at` and `appliedAt` say when this weight was
 * decided and when it was in place everywhere.
 */
function desiredAfter(before, after, decision, now) {
    const weight = decision.to.weight;
    const kept = before.desired;
    if (kept && !decision.manual && kept.weight === weight && kept.status === after.status) {
        return kept;
    }
    return {
        weight,
        status: after.status,
        from: decision.from.weight,
        actor: decision.manual?.actor ?? GATE_ACTOR,
        reason: decision.manual?.reason ?? decision.reasons[0] ?? decision.action,
        at: new Date(now).toISOString()
    };
}
function stateAfter(state, decision, now, analysis, policy) {
    const at = new Date(now).toISOString();
    const command = decision.manual?.command;
    const moved = decision.to.index !== decision.from.index;
    const next = {
        ...state,
        revision: state.revision + 1,
        history: [...state.history, historyEntry(decision, at, analysis)].slice(-200)
    };
    // The ledger of the sequences this evaluation ran (a step that was evaluated has spent its
    // alpha); a served model that changed inside the step restarted them at the change, whatever
    // was decided on the new window.
    const restartAt = analysis?.restartAt;
    const restarting = restartAt !== undefined && !command && restartAt > Date.parse(state.stepStartedAt);
    const budget = policy && analysis && state.status === 'running'
        ? evaluatedBudget(policy, state, restarting ? restartAt : undefined)
        : undefined;
    if (budget)
        next.errorBudget = withTStar(budget, analysis);
    // The baseline's levels at the rollout's start, once they rest on the minimum sample.
    const levels = !state.baselineAtStart && analysis ? baselineLevels(analysis.metrics) : undefined;
    if (levels) {
        const mix = analysis?.baselineMix;
        next.baselineAtStart = { at, levels, ...(mix && { mix }) };
    }
    // The busiest hour so far, for the next steps' minPeakLoad.
    const peak = analysis?.peakLoad;
    if (peak && !(peak.perHour <= (state.peakLoad?.perHour ?? 0))) {
        next.peakLoad = { at: new Date(peak.at).toISOString(), perHour: peak.perHour };
    }
    if (command === 'pause' && decision.manual) {
        return {
            ...next,
            status: 'paused',
            paused: { at, actor: decision.manual.actor, reason: decision.manual.reason }
        };
    }
    if (command === 'resume') {
        const { paused, ...rest } = next;
        if (state.status === 'rolled-back') {
            // A resumed rollout is a new attempt of a person's choosing: its budget starts again.
            const { errorBudget: _spent, ...fresh } = rest;
            return { ...fresh, status: 'running', stepIndex: 0, stepStartedAt: at, startedAt: at };
        }
        // The pause does not count towards the step's bake time or its maxDuration.
        const pausedFor = paused ? Math.max(0, now - Date.parse(paused.at)) : 0;
        const stepStartedAt = new Date(Date.parse(state.stepStartedAt) + pausedFor).toISOString();
        return { ...rest, status: 'running', stepStartedAt };
    }
    if (decision.action === 'rollback')
        return { ...next, status: 'rolled-back' };
    if (decision.action === 'promote' && decision.complete) {
        return { ...next, status: 'complete', stepIndex: decision.to.index };
    }
    if (decision.action === 'promote' && moved) {
        const moving = { ...next, stepIndex: decision.to.index, stepStartedAt: at };
        // The gate's own promotion charges only the fail side (stats/alphaSpending.ts).
        if (policy && next.errorBudget && !decision.manual)
            moving.errorBudget = closedBudget(policy, next.errorBudget, decision.to.index, at);
        return moving;
    }
    // A served model changed inside the step: its evidence starts again at the change (the ledger
    // restarted above; the analysis is the restarted window's, so its t* is the new sequences').
    if (decision.action === 'hold' && restarting) {
        return { ...next, stepStartedAt: new Date(restartAt).toISOString() };
    }
    return next;
}
function historyEntry(decision, at, analysis) {
    const m = decision.manual;
    const entry = {
        at,
        action: m && (m.command === 'pause' || m.command === 'resume') ? m.command : decision.action,
        from: decision.from.weight,
        to: decision.to.weight,
        manual: m !== undefined,
        reason: decision.reasons[0] ?? ''
    };
    if (m)
        entry.actor = m.actor;
    if (analysis) {
        entry.metrics = analysis.metrics
            .filter(r => r.mode !== 'report' && Number.isFinite(r.delta.estimate))
            .map(r => ({
            name: r.name,
            estimate: r.delta.estimate,
            lower: r.delta.lower,
            upper: r.delta.upper,
            verdict: r.verdict
        }));
    }
    return entry;
}
/**
 * The stored state checked against the policy (the document's own shape is checked when it is
 * read, state/store.ts). Caches the rollout can do without (baselineAtStart, peakLoad, judgeCache,
 * applied, comment, desired) and malformed history entries are left out, each named in `ignored`,
 * so a bad one can never crash or steer a run; the next save drops them. A running or paused
 * rollout whose step the policy does not have gets a `stepProblem`.
 */
function checkState(policy, stored) {
    const ignored = [];
    const state = { ...stored };
    const drop = (key, valid, what, then = 'it is measured again') => {
        if (state[key] === undefined || valid)
            return;
        delete state[key];
        ignored.push(`${String(key)} ${what}; left out (${then})`);
    };
    const b = state.baselineAtStart;
    drop('baselineAtStart', isRecord(b) &&
        isInstant(b.at) &&
        isRecord(b.levels) &&
        Object.values(b.levels).every(isFiniteNumber) &&
        (b.mix === undefined || isMix(b.mix)), 'is not { at, levels: { metric: number }, mix? }');
    drop('errorBudget', isLedger(state.errorBudget), 'is not { total, spent, step: { index, alpha, passAlpha?, restarts, startedAt? } } in range', 'the comparison steps before this one count as promoted by the gate');
    const t = state.errorBudget?.step?.tStar;
    if (t !== undefined && !isTStar(t)) {
        const { tStar: _bad, ...step } = state.errorBudget.step;
        state.errorBudget = { ...state.errorBudget, step };
        ignored.push('errorBudget.step.tStar is not { units, requests, requestsPerUnit: { baseline, canary } } of positive numbers; left out (it is planned again)');
    }
    const p = state.peakLoad;
    drop('peakLoad', isRecord(p) && isInstant(p.at) && isFiniteNumber(p.perHour) && p.perHour >= 0, 'is not { at, perHour }');
    const j = state.judgeCache;
    drop('judgeCache', isRecord(j) &&
        typeof j.key === 'string' &&
        Array.isArray(j.entries) &&
        j.entries.every(e => isRecord(e) &&
            typeof e.k === 'string' &&
            isFiniteNumber(e.s) &&
            e.s >= 0 &&
            e.s <= 1 &&
            (e.f === undefined || e.f === 1)), 'is not { key, entries: [{ k, s }] }');
    const d = state.desired;
    drop('desired', isRecord(d) &&
        isFiniteNumber(d.weight) &&
        d.weight >= 0 &&
        d.weight <= 100 &&
        ['running', 'paused', 'complete', 'rolled-back'].includes(d.status) &&
        typeof d.actor === 'string' &&
        typeof d.reason === 'string' &&
        isInstant(d.at) &&
        (d.appliedAt === undefined || isInstant(d.appliedAt)), 'is not { weight, status, actor, reason, at }');
    const a = state.applied;
    drop('applied', isRecord(a) &&
        Object.values(a).every(v => isRecord(v) && isFiniteNumber(v.weight) && typeof v.at === 'string'), 'is not { actuator: { weight, at } }');
    const c = state.comment;
    drop('comment', isRecord(c) &&
        Number.isSafeInteger(c.pullRequest) &&
        Number.isSafeInteger(c.id) &&
        typeof c.author === 'string', 'is not { pullRequest, id, author }');
    if (state.status === 'paused')
        drop('paused', isRecord(state.paused), 'is not { at, actor, reason }');
    const history = state.history.filter(isHistoryEntry);
    if (history.length < state.history.length) {
        ignored.push(`${state.history.length - history.length} malformed history entries left out`);
        state.history = history;
    }
    const problem = stepProblem(policy, state);
    return problem ? { state, ignored, stepProblem: problem } : { state, ignored };
}
/**
 * The canary weight the state was last decided at: the saved decision's, else the last history
 * entry's. Undefined for a rollout that has not decided anything yet.
 */
function recordedWeight(state) {
    return state.desired?.weight ?? state.history.at(-1)?.to;
}
/** Why a running or paused rollout's step does not fit this policy's steps, if it does not. */
function stepProblem(policy, state) {
    if (state.status !== 'running' && state.status !== 'paused')
        return undefined;
    const steps = policy.rollout.steps;
    const weight = steps[state.stepIndex];
    const recorded = recordedWeight(state);
    const was = recorded !== undefined ? ` at ${recorded}%` : '';
    if (weight !== undefined && (recorded === undefined || recorded === weight))
        return undefined;
    const listed = `[${steps.join(', ')}]`;
    const where = weight === undefined
        ? `is at step ${state.stepIndex + 1}${was}, but the policy's rollout.steps ${listed} have ${steps.length}`
        : `is at step ${state.stepIndex + 1}${was}, but that step of the policy's rollout.steps ${listed} is ${weight}%`;
    return `the rollout state ${where} (were the steps changed mid-rollout?). Nothing was changed. Restore the steps, or move the rollout explicitly: promote to a step of this policy (\`promote --weight ${steps[Math.min(state.stepIndex, steps.length - 1)]}\`, or the Action's \`weight\` input), or roll back`;
}
const isRecord = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const isMix = (v) => isRecord(v) &&
    (v.inputTokens === undefined || isFiniteNumber(v.inputTokens)) &&
    (v.segments === undefined ||
        (isRecord(v.segments) &&
            Object.values(v.segments).every(s => isRecord(s) &&
                isFiniteNumber(s.share) &&
                isRecord(s.levels) &&
                Object.values(s.levels).every(isFiniteNumber))));
const isInstant = (v) => typeof v === 'string' && parseInstant(v).ok;
function isHistoryEntry(e) {
    return (isRecord(e) &&
        isInstant(e.at) &&
        typeof e.action === 'string' &&
        isFiniteNumber(e.from) &&
        isFiniteNumber(e.to) &&
        typeof e.reason === 'string' &&
        (e.metrics === undefined ||
            (Array.isArray(e.metrics) &&
                e.metrics.every(m => isRecord(m) &&
                    typeof m.name === 'string' &&
                    // Unbounded ends are written as null (JSON has no Infinity).
                    [m.estimate, m.lower, m.upper].every(v => typeof v === 'number' || v === null)))));
}
const isArmCounts = (v) => isRecord(v) && [v.baseline, v.canary].every(x => isFiniteNumber(x) && x > 0);
/** A stored StepTStar: positive finite counts per arm, in units and in requests. */
const isAlpha = (v) => isFiniteNumber(v) && v > 0 && v < 1;
const isCount = (v) => Number.isInteger(v) && v >= 0;
const isLedger = (v) => isRecord(v) &&
    isAlpha(v.total) &&
    isFiniteNumber(v.spent) &&
    v.spent >= 0 &&
    isRecord(v.step) &&
    isCount(v.step.index) &&
    isAlpha(v.step.alpha) &&
    (v.step.passAlpha === undefined || isAlpha(v.step.passAlpha)) &&
    isCount(v.step.restarts) &&
    (v.step.startedAt === undefined || isInstant(v.step.startedAt));
const isTStar = (v) => isRecord(v) && isArmCounts(v.units) && isArmCounts(v.requests) && isArmCounts(v.requestsPerUnit);

/** Canary weight at a step index; -1 is "rolled back" (0%). */
const weightAt = (policy, index) => index < 0 ? 0 : (policy.rollout.steps[index] ?? 100);
/** Checks whose block means the comparison itself cannot be trusted. */
const UNTRUSTED = new Set(['arms', 'traffic-split', 'data-quality', 'a/a']);
/**
 * The step state machine (DESIGN.md, "Decision"). Pure: the evaluation time is passed in.
 * rollback: a gating metric fails, a canary limit is breached with confidence, or the step timed
 * out with onTimeout: rollback. promote: every gating metric passes, both arms have the minimum
 * sample, the bake time has passed and no check blocks. hold: anything else, with what is needed.
 */
function decide(policy, state, analysis, now) {
    const here = position(policy, state);
    const stay = (action, reasons, complete = false) => ({
        action,
        from: here,
        to: here,
        complete,
        reasons
    });
    if (state.status === 'complete')
        return stay('promote', ['the rollout is complete'], true);
    if (state.status === 'rolled-back') {
        return stay('rollback', [
            `the rollout was rolled back; \`resume\` starts it again at the first step`
        ]);
    }
    if (state.status === 'paused') {
        const p = state.paused;
        return stay('hold', [`paused${p ? ` by ${p.actor} at ${p.at}: ${p.reason}` : ''}`]);
    }
    const gating = analysis.metrics.filter(m => m.mode !== 'report');
    const blocks = analysis.checks.filter(c => c.status === 'block');
    const trusted = !blocks.some(c => UNTRUSTED.has(c.name));
    const elapsed = now - Date.parse(state.stepStartedAt);
    // A segment rolls back only through a `gate` metric; `hold` metrics only ever hold.
    const segmentFails = (mode) => analysis.segments.filter(s => s.metrics.some(m => m.verdict === 'fail' && (mode === 'any' || m.mode === 'gate')));
    const failing = [
        ...gating.filter(m => m.mode === 'gate' && m.limit?.breached).map(limitReason),
        ...gating
            .filter(m => m.mode === 'gate' && m.verdict === 'fail' && m.holdsBecause === undefined)
            .map(failReason),
        ...(policy.segments?.gate === 'rollback'
            ? segmentFails('gate').map(s => `segment ${s.segment} fails`)
            : []),
        ...blocks.filter(c => c.rollsBack).map(c => `${c.name}: ${c.detail}`)
    ];
    if (failing.length > 0 && trusted)
        return rollback(here, failing);
    const holdReasons = [
        ...(failing.length > 0
            ? [`would roll back (${failing.join('; ')}), but the evidence is not trustworthy`]
            : []),
        ...blocks.filter(c => !c.rollsBack).map(c => `${c.name}: ${c.detail}`),
        ...(gating.length === 0 ? ['no gating metric: every metric is mode: report'] : []),
        ...gating.filter(m => m.mode === 'hold' && m.verdict === 'fail').map(failReason),
        ...gating
            .filter(m => m.mode === 'gate' && m.verdict === 'fail' && m.holdsBecause !== undefined)
            .map(m => `${failReason(m)}; this holds instead of rolling back: ${m.holdsBecause}`),
        ...gating.filter(m => m.verdict === 'inconclusive').map(inconclusiveReason),
        ...gating
            .filter(m => m.limit?.suspect || (m.mode === 'hold' && m.limit?.breached))
            .map(limitReason),
        ...(policy.segments && policy.segments.gate !== false
            ? segmentFails('any')
                .filter(s => !failing.includes(`segment ${s.segment} fails`))
                .map(s => `segment ${s.segment} fails`)
            : [])
    ];
    if (elapsed < policy.rollout.minDuration) {
        holdReasons.push(`bake time: ${duration$1(policy.rollout.minDuration - elapsed)} of the ${duration$1(policy.rollout.minDuration)} minimum still to go`);
    }
    if (holdReasons.length === 0)
        return promote(policy, state, here, gating.length, elapsed);
    // The timeout ends a step whose metrics stayed undecided on sound evidence. A problem with the
    // evidence itself (no data, stale or malformed data, a broken split) holds: fail closed.
    if (elapsed >= policy.rollout.maxDuration) {
        const ran = `step ${here.weight}% ran ${duration$1(elapsed)} (maxDuration ${duration$1(policy.rollout.maxDuration)}) without a decision`;
        const evidenceProblem = blocks.some(c => c.name !== 'sample-size');
        if (policy.rollout.onTimeout === 'rollback' && !evidenceProblem) {
            return rollback(here, [ran, ...holdReasons]);
        }
        holdReasons.unshift(`${ran}; holding (${evidenceProblem ? 'the evidence has problems, so the timeout does not roll back' : 'onTimeout: hold'})`);
    }
    const decision = stay('hold', holdReasons);
    const needed = mostNeeded(gating);
    return needed ? { ...decision, needed } : decision;
}
function promote(policy, state, here, gating, elapsed) {
    const next = state.stepIndex + 1;
    const complete = next >= policy.rollout.steps.length || weightAt(policy, next) >= 100;
    return {
        action: 'promote',
        from: here,
        to: {
            index: complete ? policy.rollout.steps.length - 1 : next,
            weight: complete ? 100 : weightAt(policy, next)
        },
        complete,
        reasons: [
            `all ${gating} gating metrics are within tolerance after ${duration$1(elapsed)} at ${here.weight}%`
        ]
    };
}
/** Where the canary is now: a rolled-back rollout is at 0%, off every step. */
function position(policy, state) {
    if (state.status === 'rolled-back')
        return ROLLED_BACK;
    const weight = weightAt(policy, state.stepIndex);
    // A state whose step the policy no longer has (checkState) is where it was last decided.
    const recorded = state.status === 'complete' ? undefined : recordedWeight(state);
    return { index: state.stepIndex, weight: recorded ?? weight };
}
const ROLLED_BACK = { index: -1, weight: 0 };
const rollback = (here, reasons) => ({
    action: 'rollback',
    from: here,
    to: ROLLED_BACK,
    complete: false,
    reasons
});
function failReason(m) {
    const verb = (m.better === 'lower') === m.delta.estimate > 0 ? 'worsened' : 'changed';
    const line = m.rollbackAt !== undefined
        ? `the ${change(m, m.rollbackAt, m.delta.relative)} rollback threshold`
        : `the ${toleranceText(m)} tolerance`;
    return `${m.name} ${verb} ${deltaWithInterval(m)}, beyond ${line}`;
}
function limitReason(m) {
    const l = m.limit;
    if (!l)
        return '';
    const sure = l.breached ? 'breaches' : 'may breach';
    return `canary ${m.name} ${sure} its limit of ${value(m, l.value)} (canary interval ${value(m, l.lower)} to ${value(m, l.upper)})`;
}
function inconclusiveReason(m) {
    const n = m.needed;
    const code = m.why?.code;
    // A reason the interval cannot be trusted yet comes first: it says what is missing.
    const held = code === 'below-minimum' || code === 'too-skewed' || code === 'design-effect-unknown';
    if (held && (!n || n.samples === null))
        return `${m.name} inconclusive: ${m.reason}`;
    if (m.delta.relative && m.baseline === 0)
        return `${m.name} inconclusive: ${m.reason}`;
    if (n?.code === 'resolution' || code === 'bucket-resolution') {
        return `${m.name} inconclusive: ${m.reason}`;
    }
    if (!n || n.samples === null) {
        return n?.code === 'beyond-step'
            ? `${m.name} inconclusive: more traffic will not settle it within this step at these estimates`
            : `${m.name} inconclusive: the estimate sits at the tolerance, more traffic will not settle it soon`;
    }
    if (n.samples === 0)
        return `${m.name} inconclusive: ${m.reason}`;
    const time = n.seconds !== null ? `, ${roughDuration(n.seconds)} at current traffic` : '';
    const why = held ? ` (${m.reason})` : '';
    return `${m.name} inconclusive: about ${roughCount(n.samples)} more canary requests${time}${why}`;
}
/** The slowest inconclusive gating metric decides how long the hold lasts. */
function mostNeeded(gating) {
    const needs = gating.filter(m => m.verdict === 'inconclusive').map(m => m.needed);
    if (needs.length === 0)
        return undefined;
    if (needs.some(n => !n || n.samples === null))
        return { samples: null, seconds: null };
    const worst = needs.reduce((a, b) => ((b?.samples ?? 0) > (a?.samples ?? 0) ? b : a));
    return worst ? { samples: worst.samples, seconds: worst.seconds } : undefined;
}
/**
 * A person's command overrides the analysis (DESIGN.md: recorded with the actor and the reason).
 * It never needs evidence, so a source that is down cannot block a rollback.
 */
function manualDecision(policy, state, command, actor, reason, 
/** promote only: the step index to go to (default the next one). */
toIndex = state.stepIndex + 1) {
    const here = position(policy, state);
    const manual = { command, actor, reason };
    const why = `${command} by ${actor}: ${reason}`;
    switch (command) {
        case 'rollback':
            return { ...rollback(here, [why]), manual };
        case 'promote': {
            const next = toIndex;
            const complete = next >= policy.rollout.steps.length || weightAt(policy, next) >= 100;
            const to = complete
                ? { index: policy.rollout.steps.length - 1, weight: 100 }
                : { index: next, weight: weightAt(policy, next) };
            return { action: 'promote', from: here, to, complete, reasons: [why], manual };
        }
        case 'pause':
            return { action: 'hold', from: here, to: here, complete: false, reasons: [why], manual };
        case 'resume': {
            // Resuming a rolled-back rollout starts it again at the first step.
            const to = state.status === 'rolled-back' ? { index: 0, weight: weightAt(policy, 0) } : here;
            return { action: 'hold', from: here, to, complete: false, reasons: [why], manual };
        }
    }
}

/**
 * The policy's judge (judgeFromPolicy), whose code (and the `openai` client) is loaded on its
 * first run only: a policy without a judge, or a paused rollout, never loads it.
 */
function lazyJudge(spec, env) {
    let judge;
    return {
        run: async (input) => {
            judge ??= import('./chunk-judge.js').then(m => m.judgeFromPolicy(spec, env));
            return (await judge).run(input);
        }
    };
}

/** The most texts per arm a look keeps, whatever the budget (memory). */
const MAX_SAMPLE = 20_000;
/**
 * Texts per arm the source keeps at this look: at least `sample`; enough for what this step has
 * judged so far (the cache) plus what this look's budget can pay for; at most what the cache can
 * remember besides this look's new judgements.
 */
function judgeSampleSize(spec, cache) {
    const perItem = 2; // pairwise: two orders a pair; pointwise: one output of each arm
    const affordable = Math.ceil(spec.budget.calls / perItem);
    const cached = Array.isArray(cache?.entries) ? cache.entries.length : 0;
    const wanted = Math.max(spec.sample, cached + affordable);
    return Math.min(wanted, spec.cacheSize + affordable, MAX_SAMPLE);
}
/**
 * The pairs to compare, in sample order (each kind in its own order, interleaved). A record carrying `shadow_output` (shadow traffic) is a
 * pair on its own: its `output` is its arm's answer and `shadowOutput` the other arm's answer to
 * the same input, so the two texts share the record's id and unit. The other texts pair a canary
 * and a baseline answer whose inputs have the same hash, leaving out inputs a shadow pair already
 * covers (an input is compared once).
 */
function pairsOf(texts) {
    const shadow = { baseline: [], canary: [] };
    const shadowed = new Set();
    for (const t of texts) {
        if (t.shadowOutput === undefined)
            continue;
        const { shadowOutput, ...served } = t;
        const other = {
            ...served,
            arm: t.arm === 'canary' ? 'baseline' : 'canary',
            output: shadowOutput
        };
        delete other.model; // the record's model served its own arm, not the shadow
        shadow[t.arm].push(t.arm === 'canary' ? { canary: served, baseline: other } : { canary: other, baseline: served });
        shadowed.add(t.inputHash);
    }
    const baselineByInput = new Map();
    for (const t of texts) {
        if (t.arm === 'baseline' && t.shadowOutput === undefined)
            baselineByInput.set(t.inputHash, t);
    }
    const matched = [];
    for (const t of texts) {
        if (t.arm !== 'canary' || t.shadowOutput !== undefined || shadowed.has(t.inputHash))
            continue;
        const b = baselineByInput.get(t.inputHash);
        if (b)
            matched.push({ canary: t, baseline: b });
    }
    return interleave([shadow.baseline, shadow.canary, matched]);
}
/**
 * Lists in priority order merged by taking one of each in turn, so the first pairs judged come
 * from every kind (shadow pairs of either arm's records, matched inputs) alike.
 */
function interleave(lists) {
    const out = [];
    for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) {
        for (const l of lists) {
            const x = l[i];
            if (x !== undefined)
                out.push(x);
        }
    }
    return out;
}
/** The median of some lengths (0 when there are none). */
function median(xs) {
    if (xs.length === 0)
        return 0;
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2
        ? sorted[mid]
        : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Formatting of a metric result (its change with the interval, the tolerance, the A/A noise). */
/** The metric's run-to-run noise from the A/A check: "A/A ±1.2%", or '' when not measured. */
function noiseText(m) {
    return m.aa ? `A/A ±${change(m, m.aa.noise, m.delta.relative).slice(1)}` : '';
}
const NOT_USED = {
    'no-data': 'the source gives no per-unit data',
    'too-few-units': 'too few units',
    'no-covariate': 'no usable covariate',
    'explains-nothing': 'the covariates explain nothing',
    'interval-held': 'the interval is not trusted yet',
    'estimator-skewed': 'the adjusted estimator is too skewed yet; the nonasymptotic interval decides',
    'intervals-disagree': 'it disagrees with the nonasymptotic interval, which decides'
};
/**
 * The metric's variance reduction (CUPED): "CUPED -43% variance (pre-exposure level; 1,234 of
 * 2,000 units with history)", "unadjusted: the covariates explain nothing", or '' without it.
 */
function varianceText(m) {
    const vr = m.varianceReduction;
    if (!vr)
        return '';
    if (!vr.used)
        return `unadjusted: ${NOT_USED[vr.reason ?? 'no-covariate']}`;
    const pct = Math.round((vr.varianceReduction ?? 0) * 100);
    const units = vr.units.baseline + vr.units.canary;
    const history = vr.preExposureUnits.baseline + vr.preExposureUnits.canary;
    const covered = vr.covariates.includes('pre-exposure level')
        ? `; ${history.toLocaleString('en-US')} of ${units.toLocaleString('en-US')} units with history`
        : '';
    // A categorical covariate's levels (`route=faq`, `route=billing`) read as their field.
    const names = [...new Set(vr.covariates.map(c => c.split('=')[0]))];
    // A score's adjusted sequence is used even where it removes nothing (its estimate a little below 0).
    const change = pct < 0 ? `+${-pct}` : `−${pct}`;
    return `CUPED ${change}% variance (${names.join(', ')}${covered})`;
}

/**
 * A mermaid `xychart-beta` per gating metric (GitHub renders mermaid in comments and job
 * summaries, https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams):
 * the change's estimate and its interval at each evaluation in the rollout's history, with the
 * tolerance as a flat line, so a reader sees the interval close in on (or cross) the tolerance.
 * Values are in the table's units (points for relative changes and rates). xychart has no
 * legend, so one follows each chart in words: the series are drawn in a fixed order that their
 * values also keep (upper bound >= estimate >= lower bound), so "top, middle, bottom" names them
 * whatever the colours. From the first evaluation on: a single evaluation is drawn as flat
 * segments (a line through one point draws nothing in mermaid, mermaid-js/mermaid#8153).
 */
function metricCharts(history, metrics) {
    const charts = [];
    for (const m of metrics) {
        if (m.mode === 'report')
            continue;
        const points = history
            .filter(h => !h.manual)
            .flatMap(h => {
            const p = h.metrics?.find(x => x.name === m.name);
            return p ? [{ at: h.at, ...p }] : [];
        })
            .slice(-48);
        if (points.length === 0)
            continue;
        const { scale, unit } = changeScale(m, m.delta.relative);
        // An unbounded interval (too little data yet) is drawn clipped to a range around the rest.
        const finite = points.flatMap(p => [p.estimate, p.lower, p.upper]).filter(Number.isFinite);
        const reach = Math.max(Math.abs(m.tolerance) * 3, ...finite.map(Math.abs)) || 1;
        const clip = (v) => round$2(Math.max(-reach, Math.min(reach, v)) * scale);
        const single = points.length === 1;
        const labels = points.map(p => `"${p.at.slice(5, 16).replace('T', ' ')}"`);
        // One evaluation: the same values at two ticks (the second label differs by a space only).
        const xs = single ? [labels[0], `${labels[0]?.slice(0, -1)} "`] : labels;
        const series = (pick) => {
            const values = points.map(p => clip(pick(p)));
            return `[${(single ? [values[0], values[0]] : values).join(', ')}]`;
        };
        const unitText = unit ? ` (${unit})` : '';
        const clipped = points.some(p => !Number.isFinite(p.lower) || !Number.isFinite(p.upper));
        charts.push([
            `**${escapeText(m.name)}**: change, canary vs baseline${unitText}`,
            '',
            '```mermaid',
            'xychart-beta',
            `  title "${label(m.name)}: change${unitText}, tolerance ${round$2(m.tolerance * scale)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}"`,
            `  x-axis [${xs.join(', ')}]`,
            `  y-axis "canary - baseline${unitText}"`,
            `  line ${series(p => p.upper)}`,
            `  line ${series(p => p.estimate)}`,
            `  line ${series(p => p.lower)}`,
            `  line [${(single ? [0, 0] : points).map(() => clip(m.tolerance)).join(', ')}]`,
            '```',
            '',
            `<sub>Top line: the interval's upper bound; middle: the estimate; bottom: the lower bound; flat line: the tolerance (${m.better === 'higher' ? 'the canary must stay above it' : 'the canary must stay below it'}). ${single ? 'One evaluation so far, drawn flat. ' : ''}${clipped ? 'An interval without data yet is clipped to the chart. ' : ''}The metric passes once the whole interval is on the good side of the tolerance.</sub>`
        ].join('\n'));
    }
    return charts;
}
const round$2 = (v) => Math.round(v * 1000) / 1000;
/** Mermaid strings are double-quoted; keep names to characters that cannot end or escape them. */
const label = (name) => name.replace(/[^\w .%/()-]/g, '').slice(0, 60);
/** A metric name in markdown text: no markup, no mentions. */
const escapeText = (name) => name.replace(/[\\`*_[\]|~#<>]/g, c => `\\${c}`).replace(/@/g, '@\u200b');

/** A probability as a percentage for people: 5%, 1.25%, 0.31%. */
const pct$1 = (p) => {
    const v = p * 100;
    return `${v >= 1 ? Number(v.toFixed(2)) : Number(v.toPrecision(2))}%`;
};
/**
 * The error budget in plain words (stats/alphaSpending.ts): what "at most 5%" means for the
 * whole rollout, what this step spends, and how segments share it.
 */
function budgetText(r) {
    const b = r.errorBudget;
    if (!b) {
        return `${Math.round(r.policy.confidence * 100)}% family-wise anytime-valid confidence sequences; a metric passes only when its whole interval is within the tolerance.`;
    }
    const spent = b.spent !== undefined && b.spent > 0
        ? ` (the rollout's earlier sequences spent ${pct$1(b.spent)})`
        : '';
    const segments = b.segments === 'shared'
        ? ' Failing segments roll back too, so they share the rollback side.'
        : b.segments === 'separate'
            ? ` Segments are compared apart, at ${pct$1(b.total)} each step, and can only hold, so they spend none of it.`
            : '';
    const pass = b.pass ?? b.step;
    const rollback = `a rollback needs only one gating metric to fail, so this step’s rollback side, ${pct$1(b.step)}, is split, ${pct$1(b.perMetric)} per metric`;
    const sides = pass === b.step
        ? `this step’s confidence sequences use ${pct$1(b.step)} of it: a promotion needs every gating metric to pass, so each is tested at all of it; ${rollback}`
        : `a rollback ends the rollout, so each step’s rollbacks get at most an even share, and a canary reaches a step only by passing every step before, so its promotion here is tested at ${pct$1(1 - RESTART_SHARE)} of what is left (the rest is kept for a restart), ${pct$1(pass)}${spent}, each gating metric at all of it (a promotion needs every one to pass); ${rollback}`;
    return `At most a ${pct$1(b.total)} chance over the whole rollout that the gate promotes a canary worse than a tolerance or rolls back one that is not: ${sides}${pass === b.step ? spent : ''}.${segments} Each end of an interval is a bound valid on its own however often the gate looks; a metric passes only when its whole interval is within the tolerance.`;
}
/**
 * Why a metric has no interval yet, in a few words for its table cell (MetricResult.why), or ''
 * when it has one.
 */
function heldText(m) {
    const why = m.why;
    switch (why?.code) {
        case 'below-minimum':
            return why.unit === 'units'
                ? `too few users for a valid interval (${Math.min(why.baseline, why.canary)} of ${why.minimum})`
                : `too few requests for a verdict (${Math.min(why.baseline, why.canary)} of ${why.minimum})`;
        case 'too-skewed':
            return 'too skewed for a valid interval yet';
        case 'design-effect-unknown':
            return 'per-user arms, but the data have no users: declare arms.designEffect';
        default:
            return '';
    }
}

const pct = (x) => `${Math.round(x * 100)}%`;
const usd = (x) => `$${x < 0.01 && x > 0 ? x.toFixed(4) : x.toFixed(2)}`;
const items = (mode) => mode === 'pairwise' ? 'pairs' : 'outputs per arm';
/** "14 calls, 9,800 input + 1,400 output tokens, $0.0061"; usage the endpoint did not report is "unknown". */
function spendText(s) {
    const tokens = s.inputTokens === null || s.outputTokens === null
        ? 'tokens unknown (the endpoint reported no usage)'
        : `${int(s.inputTokens)} input + ${int(s.outputTokens)} output tokens`;
    const dollars = s.usd !== null
        ? usd(s.usd)
        : s.inputTokens === null
            ? 'USD unknown'
            : 'USD not priced (no `prices`)';
    return `${int(s.calls)} calls, ${tokens}, ${dollars}`;
}
/** What one failed or pending health check measured, in a sentence. */
function healthCheckText(c) {
    const state = c.status === 'failed' ? 'failed' : c.status === 'pending' ? 'not yet shown' : c.status;
    switch (c.name) {
        case 'identical': {
            const n = (c.right ?? 0) + (c.wrong ?? 0);
            return `identical answers must tie (${state}): ${c.right ?? 0} of ${n} calls tied, a judge guessing ties a third`;
        }
        case 'degraded': {
            const decided = (c.right ?? 0) + (c.wrong ?? 0);
            const ties = c.ties ? `, ${c.ties} called a tie` : '';
            return `a copy with its facts shuffled or its words scrambled must lose to its original (${state}): the original won ${c.right ?? 0} of ${decided} calls that named a winner${ties}`;
        }
        case 'flip-rate':
            return `the two orders of a pair must mostly agree (${state}): they disagreed on ${pct(c.value ?? 0)} of ${c.items ?? 0} pairs, at most ${pct(c.threshold)} allowed`;
        case 'kappa':
            return c.value === undefined
                ? `agreement with the human labels (${state}): no labelled item judged yet`
                : `agreement with the human labels (${state}): Cohen's kappa ${c.value.toFixed(2)} on ${c.items ?? 0} items, at least ${c.threshold.toFixed(2)} needed`;
    }
}
/** The checks that keep the judge metric from deciding, or undefined when it may decide. */
function healthBlock(s) {
    const bad = s.health.filter(c => c.status === 'failed' || c.status === 'pending');
    if (bad.length === 0)
        return undefined;
    const failed = bad.some(c => c.status === 'failed');
    return `${failed ? 'the judge failed its health checks' : 'the judge has not yet shown it reads the content'}, so its metric cannot decide: ${bad.map(healthCheckText).join('; ')}`;
}
/** Length and quality cannot be told apart: why, in the arms' own terms. */
function lengthBlock(l, mode) {
    if (!l || !l.confounded)
        return undefined;
    const where = mode === 'pairwise' && l.canaryShorter !== undefined
        ? `the canary's answer is shorter in ${pct(l.canaryShorter)} of the sampled pairs`
        : l.medianLength
            ? `median output length ${int(l.medianLength.canary)} characters in the canary against ${int(l.medianLength.baseline)} in the baseline`
            : 'the arms differ in length';
    const inflation = Number.isFinite(l.inflation) ? `×${l.inflation.toFixed(1)}` : 'without bound';
    return `length and quality cannot be separated: ${where}, so controlling for length inflates the variance ${inflation} (at most ×${l.maxInflation} allowed); the judge metric holds until the arms overlap in length`;
}
/** The judging a projection still asks for, and whether the sample or more traffic supplies it. */
function projectionText(p, mode) {
    if (p.items === null)
        return 'the estimate sits at the tolerance: more judging may not settle it';
    const cost = [
        p.calls !== null ? `~${roughCount(p.calls)} judge calls` : undefined,
        p.usd !== null ? `~${usd(p.usd)}` : undefined
    ]
        .filter(Boolean)
        .join(', ');
    const need = `about ${roughCount(p.items)} more judged ${items(mode)}${cost ? ` (${cost})` : ''}`;
    if (p.items <= p.inSample)
        return `${need}; the sample holds them: the next evaluations judge them`;
    if (p.sampleFull)
        return `${need}; the next evaluation samples more texts for them`;
    return `${need}; the sample has ${int(p.inSample)} left, so more canary traffic is needed`;
}
/** Why the judge stopped, as the reason of an inconclusive judge metric (undefined: it need not say). */
function stopReason(s) {
    switch (s.stopped) {
        case 'budget-calls':
            return `the judge's call budget for this evaluation is spent (${s.calls} calls)`;
        case 'budget-usd':
            return `the judge's USD budget for this evaluation is spent (${usd(s.usd ?? 0)})`;
        case 'budget-step-calls':
            return `the judge's call budget for this step is spent (${int(s.cost.step.calls)} calls over ${s.cost.step.looks} evaluations)`;
        case 'budget-step-usd':
            return `the judge's USD budget for this step is spent`;
        case 'usage-unknown':
            return `the judge API answered without token usage, so the USD budget cannot be enforced: judging stopped after ${s.calls} calls`;
        case 'unusable-answers':
            return `the judge's answers are unusable (${s.parseFailures} did not follow the schema, ${s.refusals ?? 0} refused, of ${s.calls} calls): judging stopped`;
        case 'api-failing':
            return `the judge API is failing (${Object.entries(s.errors)
                .map(([k, n]) => `${k} x${n}`)
                .join(', ')})`;
        case 'sample-exhausted':
            if (s.sampled.baseline + s.sampled.canary === 0) {
                return 'the source gave the judge no texts (records need `input` and `output` fields)';
            }
            if (s.mode === 'pairwise' && s.judged.canary === 0 && s.cacheHits === 0 && s.calls === 0) {
                return 'no sampled canary and baseline answers share an input and no record carries a `shadow_output`, so there is no pair to compare';
            }
            return `every sampled ${s.mode === 'pairwise' ? 'pair' : 'output'} is judged (${s.judged.canary} canary)`;
        default:
            return undefined;
    }
}
/** The bias the judgements show, named: position, length, or both. */
function biasText(s) {
    const seen = s.biases;
    if (seen.length === 0)
        return undefined;
    const parts = [];
    if (seen.includes('position') && s.positionBias) {
        const b = s.positionBias;
        parts.push(`position (the answer shown ${b.estimate > 0 ? 'first' : 'second'} scores ${Math.abs(b.estimate).toFixed(2)} higher on average; both orders are averaged, so it cancels)`);
    }
    if (seen.includes('length') && s.length?.slope) {
        const b = s.length.slope.estimate;
        parts.push(`length (the ${b > 0 ? 'longer' : 'shorter'} answer scores higher: ${b.toFixed(2)} per standardised length difference; ${s.length.adjusted ? 'the verdict is length-controlled' : 'length control is off'})`);
    }
    const name = seen.length === 2 ? 'position and length bias' : `${seen[0]} bias`;
    return `the judge shows ${name}: ${parts.join('; ')}`;
}
/** The warnings the judge's facts call for (the summary's own come first). */
function judgeWarnings(s) {
    const out = [];
    const bias = biasText(s);
    if (bias)
        out.push(bias);
    if (s.parseFailures > 0)
        out.push(`${s.parseFailures} judge answers did not follow the schema (left out)`);
    if (s.refusals)
        out.push(`the judge refused ${s.refusals} items (left out)`);
    if (s.callsWithoutUsage) {
        out.push(`the judge API reported no token usage for ${s.callsWithoutUsage} calls: the cost is unknown`);
    }
    if (s.flagged > 0) {
        out.push(`${s.flagged} sampled outputs address the evaluator (possible prompt injection); graded as they are`);
    }
    if (s.selfAgreement && s.selfAgreement.agreement < 0.8) {
        out.push(`the judge gave the same answer to only ${pct(s.selfAgreement.agreement)} of ${s.selfAgreement.items} items judged twice`);
    }
    if (s.logprobs === 'rejected') {
        out.push('the endpoint refused `logprobs`: scores are read from the stated grades (set `logprobs: false` to skip the attempt)');
    }
    return out;
}
/** The `judge` check's one line: model, cost, health, length control, then the warnings. */
function judgeCheckDetail(s) {
    const parts = [
        `${s.model}, ${s.mode}; this evaluation ${spendText(s.cost.look)}; this step ${spendText(s.cost.step)} over ${s.cost.step.looks} evaluations; ${s.cacheHits} cached; stopped: ${s.stopped}`
    ];
    const health = healthBlock(s);
    parts.push(health ?? 'health checks passed');
    const length = lengthBlock(s.length, s.mode);
    if (length)
        parts.push(length);
    else if (s.length?.adjusted &&
        s.length.inflation > 1.0001 &&
        Number.isFinite(s.length.inflation)) {
        parts.push(`length-controlled (variance ×${s.length.inflation.toFixed(2)})`);
    }
    if (s.flipRate !== undefined)
        parts.push(`flip rate ${pct(s.flipRate)}`);
    parts.push(...s.warnings);
    return parts.join('; ');
}
/** Markdown lines of the judge's cost per evaluation and per step, for the PR comment. */
function judgeCostLines(s) {
    return [
        `**Judge** (${s.model}, ${s.mode}): this evaluation ${spendText(s.cost.look)}; this step ${spendText(s.cost.step)} over ${s.cost.step.looks} evaluations.`
    ];
}

function decisionRecord(input) {
    const { policy, decision, analysis } = input;
    const iso = (t) => new Date(t).toISOString();
    const record = {
        decision: decision.action,
        rollout: policy.rollout.name,
        status: input.state.status,
        step: decision.from,
        next: decision.to,
        complete: decision.complete,
        steps: policy.rollout.steps,
        evaluatedAt: iso(input.now),
        window: analysis ? { from: iso(analysis.window.from), to: iso(analysis.window.to) } : null,
        policy: { hash: input.policyHash, confidence: policy.confidence },
        source: input.source ?? null,
        arms: {
            baseline: {
                n: analysis?.arms.baseline.requests ?? 0,
                units: analysis?.arms.baseline.units ?? 0
            },
            canary: { n: analysis?.arms.canary.requests ?? 0, units: analysis?.arms.canary.units ?? 0 }
        },
        metrics: analysis?.metrics ?? [],
        segments: analysis?.segments ?? [],
        checks: analysis?.checks ?? [],
        reasons: decision.reasons
    };
    if (decision.needed)
        record.needed = decision.needed;
    if (decision.manual)
        record.manual = decision.manual;
    if (analysis?.cache)
        record.cache = analysis.cache;
    if (analysis?.restartAt !== undefined)
        record.restartedAt = iso(analysis.restartAt);
    if (input.quality)
        record.dataQuality = input.quality;
    if (analysis?.judge)
        record.judge = analysis.judge;
    if (analysis?.errorBudget)
        record.errorBudget = analysis.errorBudget;
    return record;
}
/** The record as JSON text: Infinity and NaN become null, as JSON requires. */
const recordJson = (r) => JSON.stringify(r, null, 2);

/**
 * Text from data or from the policy (metric names, segment values, reasons that quote them) is
 * escaped before it reaches markdown, so it cannot inject links, mentions, HTML or table cells.
 */
function escapeMarkdown(text) {
    return (oneLine(text.replace(/\r?\n/g, ' '))
        .replace(/[\\`*_[\]|~#]/g, c => `\\${c}`)
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/@/g, '@\u200b')
        // GitHub autolinks bare URLs (`https://...`, `www.`): a zero-width space after the scheme or
        // `www` keeps a URL from data as text (GitHub Flavored Markdown, "Autolinks (extension)").
        .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, '$1:\u200b//')
        .replace(/\bwww\./gi, m => `${m.slice(0, 3)}\u200b.`));
}
const ICON = { promote: '✅', hold: '⏸️', rollback: '⏪' };
const VERDICT = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⏳ inconclusive' };
const CHECK = { ok: '✅', warn: '⚠️', block: '⛔' };
/** The marker that identifies this rollout's comment (the sticky PR comment finds it). */
const commentMarker = (rollout) => `<!-- ai-rollout-gate:${encodeURIComponent(rollout)} -->`;
function headline(r) {
    const name = `\`${r.rollout.replace(/`/g, '')}\``;
    if (r.manual) {
        const what = {
            rollback: 'Rolled back',
            promote: 'Promoted',
            pause: 'Paused',
            resume: 'Resumed'
        };
        return `${ICON[r.decision]} ${what[r.manual.command]} ${name} by hand: ${r.step.weight}% → ${r.next.weight}%${lagging(r)}`;
    }
    return automatic(r, name) + lagging(r);
}
/** A decision no run may call done while an actuator has not applied it. */
const lagging = (r) => r.applied?.some(a => !a.ok) ? ' (not yet applied everywhere)' : '';
function automatic(r, name) {
    switch (r.decision) {
        case 'promote':
            return r.complete && r.step.weight === r.next.weight
                ? `${ICON.promote} ${name} is complete at 100%`
                : `${ICON.promote} Promote ${name}: ${r.step.weight}% → ${r.next.weight}%${r.complete ? ' (complete)' : ''}`;
        case 'rollback':
            return r.step.weight === 0
                ? `${ICON.rollback} ${name} is rolled back: the canary is at 0%`
                : `${ICON.rollback} Roll back ${name}: ${r.step.weight}% → 0%`;
        default:
            return `${ICON.hold} Hold ${name} at ${r.step.weight}%`;
    }
}
/** `1% ✓ → 5% ✓ → **25%** → 50% → 100%`, relative to where the decision leaves the canary. */
function progressLine(r) {
    const current = r.decision === 'rollback' ? r.step.index : r.next.index;
    return r.steps
        .map((w, i) => {
        if (r.decision === 'rollback' && i === current)
            return `**${w}% ✗**`;
        if (i < current || (r.complete && i === current))
            return `${w}% ✓`;
        if (i === current)
            return `**${w}%**`;
        return `${w}%`;
    })
        .join(' → ');
}
function metricRow(m) {
    const mode = m.mode === 'gate' ? '' : ` _(${m.mode})_`;
    const limit = m.limit
        ? `<br>limit ${value(m, m.limit.value)}${m.limit.breached ? ' ❌' : m.limit.suspect ? ' ⚠️' : ''}`
        : '';
    const noise = m.aa ? `<br><sub>${noiseText(m)}</sub>` : '';
    const cuped = varianceText(m);
    const reduced = cuped ? `<br><sub>${escapeMarkdown(cuped)}</sub>` : '';
    const held = m.holdsBecause ? ' (holds)' : '';
    const why = heldText(m);
    const waiting = why ? `<br><sub>${escapeMarkdown(why)}</sub>` : '';
    const caveats = (m.caveats ?? []).map(c => `<br><sub>⚠️ ${escapeMarkdown(c)}</sub>`).join('');
    return `| ${escapeMarkdown(m.name)}${mode}${caveats} | ${value(m, m.baseline)} | ${value(m, m.canary)} | ${deltaWithInterval(m)}${reduced} | ${toleranceText(m)}${noise}${limit} | ${VERDICT[m.verdict]}${held}${waiting} |`;
}
/** A count of segments by verdict, then the failing ones (at most five, named). */
function segmentLines(segments) {
    if (segments.length === 0)
        return [];
    const count = (v) => segments.filter(s => s.verdict === v).length;
    const failing = segments.filter(s => s.verdict === 'fail').slice(0, 5);
    return [
        '',
        `**Segments**: ${segments.length} compared, ${count('fail')} fail, ${count('inconclusive')} inconclusive, ${count('pass')} pass.`,
        ...(failing.length > 0 ? [''] : []),
        ...failing.map(s => {
            const names = s.metrics.filter(m => m.verdict === 'fail').map(m => escapeMarkdown(m.name));
            return `- ${VERDICT.fail} ${escapeMarkdown(s.segment)}: ${names.join(', ')}`;
        })
    ];
}
/** GitHub refuses comment bodies over 65,536 characters; stay below with room for the marker. */
const MAX_COMMENT_LENGTH = 65_000;
/**
 * The PR comment and job summary: verdict first, then the evidence, the charts over the rollout,
 * then the full record. When too long for a comment, detail is dropped first, the verdict never.
 */
function renderMarkdown(r, options = {}) {
    const maxLength = options.maxLength ?? MAX_COMMENT_LENGTH;
    const summary = summaryLines(r).join('\n');
    const charts = metricCharts(options.history ?? [], r.metrics);
    const chartSection = charts.length > 0
        ? [
            '<details><summary>Over the rollout</summary>',
            '',
            charts.join('\n\n'),
            '',
            '</details>'
        ].join('\n')
        : '';
    const record = recordSection(r);
    const fits = (parts) => {
        const text = parts.filter(Boolean).join('\n\n') + '\n';
        return text.length <= maxLength ? text : undefined;
    };
    const omitted = "<sub>The decision record is too long for a comment: see the run's `report-path` output.</sub>";
    return (fits([summary, chartSection, record]) ??
        fits([summary, chartSection, omitted]) ??
        fits([summary, omitted]) ??
        `${summary.slice(0, maxLength - 200)}\n\n_(truncated: see the run's \`report-path\` output for everything)_\n`);
}
function summaryLines(r) {
    const lines = [commentMarker(r.rollout), `### ${headline(r)}`, '', progressLine(r), ''];
    lines.push(...r.reasons.map(reason => `- ${escapeMarkdown(reason)}`));
    if (r.needed && r.needed.samples !== null && r.needed.samples > 0) {
        const time = r.needed.seconds !== null ? `, ${roughDuration(r.needed.seconds)} at current traffic` : '';
        lines.push('', `**Still needed:** about ${roughCount(r.needed.samples)} more canary requests${time}.`);
    }
    if (r.metrics.length > 0) {
        lines.push('', `Window ${r.window?.from ?? '?'} → ${r.window?.to ?? '?'}: baseline ${int(r.arms.baseline.n)}, canary ${int(r.arms.canary.n)} requests.`, '', '| metric | baseline | canary | change (interval) | tolerance | verdict |', '|---|---:|---:|---|---:|---|', ...r.metrics.map(metricRow));
        lines.push('', `<sub>${escapeMarkdown(budgetText(r))}</sub>`);
    }
    if (r.judge)
        lines.push('', ...judgeCostLines(r.judge).map(escapeMarkdownKeepingBold));
    if (r.checks.length > 0) {
        lines.push('', '**Checks**', '', ...r.checks.map(c => `- ${CHECK[c.status]} ${c.name}: ${escapeMarkdown(c.detail)}`));
    }
    if (r.applied && r.applied.length > 0) {
        lines.push('', '**Applied**', '', ...r.applied.map(a => `- ${a.ok ? (a.changed ? '✅' : '➖') : '❌'} ${a.actuator}: ${escapeMarkdown(a.detail)}`));
    }
    lines.push(...segmentLines(r.segments));
    return lines;
}
/** A line whose leading `**...**` is ours, the rest escaped (a model id is data). */
function escapeMarkdownKeepingBold(line) {
    const m = /^(\*\*[^*]+\*\*)(.*)$/.exec(line);
    return m ? `${m[1]}${escapeMarkdown(m[2] ?? '')}` : escapeMarkdown(line);
}
function recordSection(r) {
    const json = recordJson(r);
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(json) + 1));
    return [
        '<details><summary>Decision record</summary>',
        '',
        `${fence}json`,
        json,
        fence,
        '',
        '</details>'
    ].join('\n');
}
const longestBacktickRun = (s) => Math.max(0, ...(s.match(/`+/g) ?? []).map(run => run.length));

/** Markdown bold (the current step) becomes brackets in a terminal. */
const plain = (s) => s.replace(/\*\*(.*?)\*\*/g, '[$1]');
/** The terminal view: the verdict, why, and one line per metric and check. */
function renderText(r) {
    const lines = [plain(headline(r)), plain(progressLine(r)), ''];
    lines.push(...r.reasons.map(reason => `  - ${reason}`));
    if (r.metrics.length > 0) {
        lines.push('', `window ${r.window?.from} -> ${r.window?.to}; baseline ${int(r.arms.baseline.n)}, canary ${int(r.arms.canary.n)} requests`);
        const rows = r.metrics.map(m => [
            m.name + (m.mode === 'gate' ? '' : ` (${m.mode})`),
            value(m, m.baseline),
            value(m, m.canary),
            deltaWithInterval(m),
            `tol ${toleranceText(m)}`,
            [noiseText(m), varianceText(m)].filter(Boolean).join('; '),
            m.verdict + (m.holdsBecause ? ' (holds)' : '') + (heldText(m) ? `: ${heldText(m)}` : '')
        ]);
        const widths = rows[0]?.map((_, i) => Math.max(...rows.map(row => row[i]?.length ?? 0))) ?? [];
        for (const row of rows) {
            lines.push('  ' +
                row
                    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
                    .join('  ')
                    .trimEnd());
        }
        for (const m of r.metrics) {
            for (const caveat of m.caveats ?? [])
                lines.push(`  note: ${m.name}: ${caveat}`);
        }
    }
    if (r.metrics.length > 0)
        lines.push('', `  ${budgetText(r)}`);
    if (r.checks.length > 0) {
        lines.push('', ...r.checks.map(c => `  [${c.status}] ${c.name}: ${c.detail}`));
    }
    // Text from data (names, values, server messages) never starts a line or drives a terminal.
    return lines.map(oneLine).join('\n') + '\n';
}

async function evaluate(deps) {
    const { policy, now } = deps;
    const log = deps.log ?? QUIET;
    const source = deps.log ? loggedSource(deps.source, log, () => performance.now()) : deps.source;
    log.phase('State');
    const stored = await deps.store?.load();
    log.info(stored
        ? `${deps.store?.describe()}: revision ${stored.revision}, ${stored.status} at step ${stored.stepIndex + 1}`
        : deps.store
            ? `${deps.store.describe()}: no state yet, the rollout starts at its first step`
            : 'No state: the rollout is evaluated as at its first step');
    const restarted = stored !== undefined && restart(stored, deps);
    const checked = stored && !restarted ? checkState(policy, stored) : undefined;
    if (checked?.stepProblem)
        throw new StateError(checked.stepProblem);
    const loaded = checked?.state;
    // A restarted rollout's first step begins now: earlier canary records belong to the old version.
    const start = loaded
        ? undefined
        : (deps.since ?? (restarted ? now : await firstCanary(source, now)));
    const state = loaded ?? {
        ...initialState(policy, start ?? now),
        revision: stored?.revision ?? 0,
        // A new rollout on the same pull request keeps editing the same comment.
        ...(stored?.comment && { comment: stored.comment })
    };
    // No state and no canary yet: the step starts now, but the report still shows all data so far,
    // so a canary label that matches nothing is visible at once.
    const windowFrom = loaded || start !== undefined ? undefined : 0;
    const collected = state.status === 'running' || state.status === 'paused'
        ? await collectEvidence(policy, state, source, now, deps.replay ?? false, windowFrom, judgeOf(deps, state), deps.decisionOnly)
        : undefined;
    const analysis = collected?.analysis;
    // What earlier sequences of this rollout spent, for the report's plain words on the budget.
    if (analysis?.errorBudget) {
        analysis.errorBudget.spent = evaluatedBudget(policy, state, analysis.restartAt).spent;
    }
    if (analysis && loaded?.policyHash && loaded.policyHash !== deps.policyHash) {
        analysis.checks.push({
            name: 'policy',
            status: 'warn',
            detail: `the policy changed since this rollout's state was written (${loaded.policyHash} -> ${deps.policyHash})`
        });
    }
    if (analysis && checked && checked.ignored.length > 0) {
        analysis.checks.push({
            name: 'state',
            status: 'warn',
            detail: `the stored rollout state had invalid fields: ${checked.ignored.join('; ')}`
        });
    }
    if (analysis && state.baselineAtStart) {
        analysis.checks.push(driftCheck(policy, analysis.metrics, state.baselineAtStart, analysis.baselineMix));
    }
    if (analysis && policy.rollout.minPeakLoad !== undefined) {
        analysis.checks.push(peakLoadCheck(policy.rollout.minPeakLoad, analysis.peakLoad, state.peakLoad));
    }
    if (analysis)
        logAnalysis(log, analysis);
    // A complete or rolled-back rollout is decided by its status alone.
    const decision = decide(policy, state, analysis ?? emptyAnalysis(now), now);
    log.info(`Decision: ${decision.action} (${decision.from.weight}% -> ${decision.to.weight}%)`);
    const judgeCache = collected?.judgeCache;
    const kept = judgeCache ? { ...state, judgeCache } : state;
    return finish(deps, kept, stored?.revision, decision, analysis, collected?.quality);
}
/**
 * Runs `decide` again when another run saved the rollout's state first (the compare-and-swap
 * refused this run's save before anything was applied), a bounded number of times, so racing
 * runs make one transition and no run reports a decision whose save was lost.
 */
async function decideAgainOnConflict(decide, options) {
    for (let attempt = 1;; attempt++) {
        try {
            return await decide();
        }
        catch (e) {
            if (!(e instanceof StateConflictError) || attempt >= options.attempts)
                throw e;
            options.onRetry?.(attempt);
            await new Promise(r => setTimeout(r, 50 + Math.random() * 200 * attempt));
        }
    }
}
const canaryVersion = (deps) => deps.canaryVersion ?? deps.policy.arms.canary.join(',');
/** A different canary than the stored state's is a new rollout: it starts again at the first step. */
function restart(state, deps) {
    return state.canaryVersion !== undefined && state.canaryVersion !== canaryVersion(deps);
}
/** The judge, if the policy has one; a paused rollout holds anyway, so it pays for no calls. */
function judgeOf(deps, state) {
    if (!deps.policy.judge || state.status !== 'running')
        return undefined;
    const judge = deps.judge ?? lazyJudge(deps.policy.judge, process.env);
    return deps.log ? loggedJudge(judge, deps.log) : judge;
}
/** A person's command: no evidence is collected, so a source that is down cannot block it. */
async function command(deps) {
    const loaded = await deps.store?.load();
    const checked = loaded ? checkState(deps.policy, loaded) : undefined;
    const state = checked?.state ?? initialState(deps.policy, deps.now);
    // A state whose step the policy does not have: only a rollback, or an explicit promotion to a
    // step of this policy (the migration), may go on.
    const migrating = checked?.stepProblem !== undefined;
    if (migrating && deps.command !== 'rollback' && deps.toWeight === undefined) {
        throw new StateError(`cannot ${deps.command}: ${checked?.stepProblem}`);
    }
    const refusal = commandRefusal(state, deps.command) ?? targetRefusal(deps, state, migrating);
    if (refusal)
        throw new UsageError(`cannot ${deps.command} rollout "${deps.policy.rollout.name}": ${refusal}`);
    const { steps } = deps.policy.rollout;
    const toIndex = deps.toWeight !== undefined ? steps.indexOf(deps.toWeight) : undefined;
    const decision = manualDecision(deps.policy, state, deps.command, deps.actor, deps.reason, toIndex);
    return finish(deps, state, loaded?.revision, decision);
}
/** Why `promote to W%` cannot apply: W must be a later step of the policy. */
function targetRefusal(deps, state, 
/** The state's step is not one of this policy's: any step of the policy may be the target. */
migrating) {
    if (deps.toWeight === undefined)
        return undefined;
    const { steps } = deps.policy.rollout;
    if (deps.command !== 'promote')
        return 'a target weight is only for promote';
    const index = steps.indexOf(deps.toWeight);
    if (index < 0)
        return `${deps.toWeight}% is not a step of this rollout (${steps.join('%, ')}%)`;
    if (index <= state.stepIndex && !migrating) {
        return `the canary is already at ${steps[state.stepIndex]}%; promote only moves forward (use rollback to go back)`;
    }
    return undefined;
}
async function finish(deps, state, loadedRevision, decided, analyzed, read) {
    // Servers' answers (quoted in checks and reasons) may echo a credential: never saved or shown.
    const scrub = secretScrubber(deps.secrets ?? []);
    const decision = scrubDeep(decided, scrub);
    const analysis = analyzed && scrubDeep(analyzed, scrub);
    const quality = read && scrubDeep(read, scrub);
    const next = {
        ...nextState(state, decision, deps.now, analysis, deps.policy),
        policyHash: deps.policyHash,
        canaryVersion: canaryVersion(deps),
        ...(deps.pullRequest !== undefined && { pullRequest: deps.pullRequest })
    };
    // With nothing to apply, the decision is in place as soon as it is made.
    if (!deps.apply && next.desired && !next.desired.appliedAt) {
        next.desired = { ...next.desired, appliedAt: next.desired.at };
    }
    const store = deps.dryRun ? undefined : deps.store;
    // DESIGN.md principle 8: the decision is saved before anything is applied. A conflict here (a
    // run that saved first) throws before any actuator ran, so the caller can decide again.
    if (store) {
        await store.save(next, loadedRevision);
        deps.log?.info(`State saved to ${store.describe()} (revision ${next.revision})`);
    }
    const record = decisionRecord({
        policy: deps.policy,
        policyHash: deps.policyHash,
        decision,
        state: next,
        now: deps.now,
        ...(analysis && { analysis }),
        ...(deps.source && { source: deps.source.describe() }),
        ...(quality && { quality })
    });
    let final = next;
    if (deps.apply) {
        const known = state.applied;
        // A state from before actuators were tracked: the world is where that state was.
        const assumed = { weight: decision.from.weight, status: state.status };
        const applied = scrubDeep(await deps.apply(record, name => (known ? known[name] : assumed)), scrub);
        record.applied = applied;
        const settled = withApplied(next, applied, record, deps.now);
        let unrecorded;
        if (store) {
            try {
                final = (await saveApplied(store, next, settled, record)) ?? next;
            }
            catch (e) {
                // The decision itself is saved; the next run finds the actuators lagging and applies again.
                unrecorded = scrub(e instanceof Error ? e.message : String(e));
            }
        }
        else if (!deps.dryRun) {
            final = settled;
        }
        const failed = applied.filter(a => !a.ok);
        if (failed.length > 0)
            record.reasons.unshift(notYetApplied(failed, record, deps));
        if (unrecorded !== undefined) {
            record.reasons.push(`What the actuators did could not be recorded in the state (${unrecorded}); the next run checks them again.`);
        }
    }
    if (deps.decisionOnly)
        return { record, state: final, markdown: '', text: '' };
    const markdown = renderMarkdown(record, { history: final.history });
    return { record, state: final, markdown, text: renderText(record) };
}
/** The reason that leads a record when an actuator did not apply the decision. */
function notYetApplied(failed, record, deps) {
    const what = failed.map(a => `${a.actuator}: ${a.detail}`).join('; ');
    const target = `${record.next.weight}% (${record.status})`;
    if (deps.dryRun)
        return `Would not apply to ${what} (dry run: nothing was applied or saved).`;
    if (!deps.store) {
        return `Not applied to ${what}. The decision (${target}) is not saved anywhere (no state): run again with --state to have it retried.`;
    }
    return `Not yet applied to ${what}. The decision (${target}) is saved and stands; every run applies it again until it is in place.`;
}
/**
 * The state once the actuators ran: what each applied (the reconciliation's record, for the
 * actuators configured now), and, once every one has applied the saved decision, when. A move
 * that only reached every actuator in a later run starts the step's clock then: the traffic before
 * was still at the old weight.
 */
function withApplied(state, results, record, now) {
    const at = new Date(now).toISOString();
    const applied = {};
    for (const r of results) {
        const before = state.applied?.[r.actuator];
        if (r.ok)
            applied[r.actuator] = { weight: record.next.weight, status: record.status, at };
        else if (before)
            applied[r.actuator] = before;
    }
    let { desired, stepStartedAt } = state;
    if (desired && !desired.appliedAt && results.every(r => r.ok)) {
        const moved = desired.from !== undefined && desired.from !== desired.weight;
        if (moved && state.status === 'running' && desired.at !== at)
            stepStartedAt = at;
        desired = { ...desired, appliedAt: at };
    }
    return {
        ...state,
        applied,
        stepStartedAt,
        ...(desired && { desired })
    };
}
/**
 * Records what the actuators applied, with compare-and-swap on the state this run saved. When
 * another run saved in between, its decision stands: what this run applied is merged into its
 * state if it is the same decision, else the actuators this run touched are marked unknown, so
 * the next run applies the newer decision to them again (this run's may have landed after it).
 */
async function saveApplied(store, saved, settled, record) {
    if (JSON.stringify(settled) === JSON.stringify(saved))
        return saved;
    const next = { ...settled, revision: saved.revision + 1 };
    try {
        await store.save(next, saved.revision);
        return next;
    }
    catch (e) {
        if (!(e instanceof StateConflictError))
            throw e;
    }
    return updateState(store, latest => {
        const same = latest.desired?.at === saved.desired?.at && latest.desired?.weight === saved.desired?.weight;
        const applied = { ...(latest.applied ?? {}) };
        let changed = false;
        for (const [name, entry] of Object.entries(settled.applied ?? {})) {
            if (entry.at !== record.evaluatedAt)
                continue; // not applied by this run
            if (same)
                applied[name] = entry;
            else if (latest.desired && entry.weight !== latest.desired.weight)
                delete applied[name];
            else
                continue;
            changed = true;
        }
        return changed ? { ...latest, applied } : undefined;
    });
}
async function firstCanary(source, now) {
    try {
        return await source.firstCanaryTime(now);
    }
    catch {
        return undefined; // collect() reports the same problem as a hold, with its reason
    }
}
/**
 * Evidence for the current step: from the step's start plus the warm-up, to now. Any failure of
 * the source is a hold with the reason (DESIGN.md: fail closed), never a crash.
 */
async function collectEvidence(policy, state, source, now, replay, windowFrom = Date.parse(state.stepStartedAt) + policy.rollout.warmup, judge, decisionOnly = false) {
    const weight = weightAt(policy, state.stepIndex);
    const from = windowFrom;
    // This step's share of the rollout's error budget, and how long it has run (projections).
    const budget = currentBudget(policy, state);
    const options = {
        stepAlpha: budget.step.alpha,
        ...(budget.step.passAlpha !== undefined && { passAlpha: budget.step.passAlpha }),
        stepElapsedMs: now - Date.parse(state.stepStartedAt),
        // Where the step's sequences are tightest, once planned (kept by nextState).
        ...(budget.step.tStar && { tStar: budget.step.tStar }),
        ...(decisionOnly && { reportOnlySegments: false })
    };
    if (now <= from) {
        const analysis = analyze(policy, emptyEvidence(source, now, now), weight, false, options);
        analysis.checks.unshift({
            name: 'warm-up',
            status: 'block',
            detail: `the step began at ${state.stepStartedAt}; its first ${policy.rollout.warmup / 60000}m are excluded, so evidence starts at ${new Date(from).toISOString()}`
        });
        return { analysis };
    }
    // Metrics with variance reduction read each unit's records from before the rollout began.
    const startedAt = from > 0 ? lookbackEnd(policy, state) : undefined;
    const pre = startedAt === undefined ? {} : { rolloutStartedAt: startedAt };
    try {
        const judgeSample = policy.judge && judgeSampleSize(policy.judge, state.judgeCache);
        const evidence = await source.collect({
            window: { from, to: now },
            now,
            ...pre,
            ...(judgeSample && { judgeSample })
        });
        const unjudged = analyze(policy, evidence, weight, replay, options);
        if (unjudged.restartAt !== undefined && unjudged.restartAt > from) {
            // A served model changed: the step restarts there, and the judge waits for that window.
            // Its new sequences are new spending of the budget.
            const { step } = restartedBudget(policy, budget, new Date(unjudged.restartAt).toISOString());
            const restarted = {
                stepAlpha: step.alpha,
                ...(step.passAlpha !== undefined && { passAlpha: step.passAlpha }),
                stepElapsedMs: now - unjudged.restartAt,
                ...(decisionOnly && { reportOnlySegments: false })
            };
            return await restartAtModelChange(policy, unjudged, source, now, weight, replay, {
                ...restarted,
                pre
            });
        }
        // The judge (optional) grades sampled texts into its metric, then the analysis is redone.
        const cache = state.judgeCache;
        const judged = await judge?.run({
            policy,
            evidence,
            canaryWeight: weight,
            stepAlpha: options.stepAlpha,
            ...(options.passAlpha !== undefined && { passAlpha: options.passAlpha }),
            stepStartedAt: state.stepStartedAt,
            ...(cache && { cache }),
            ...(judgeSample && { sampleSize: judgeSample })
        });
        if (!judged)
            return { analysis: unjudged, quality: evidence.quality };
        const analysis = analyze(policy, judged.evidence, weight, replay, options);
        judged.annotate(analysis);
        return { analysis, quality: evidence.quality, judgeCache: judged.cache };
    }
    catch (e) {
        const analysis = analyze(policy, emptyEvidence(source, from, now), weight, false, options);
        analysis.checks.unshift({ name: 'source', status: 'block', detail: e.message });
        return { analysis };
    }
}
/**
 * A served model changed inside the window (analysis/modelCheck.ts): evidence from before the
 * change no longer describes the system, so the window starts again at the change (plus the
 * warm-up), and the step holds until it has baked that long again. The state's step clock moves
 * to the change too (decide/state.ts), so later runs start there.
 */
async function restartAtModelChange(policy, before, source, now, weight, replay, { pre, ...options }) {
    const restartAt = before.restartAt;
    const from = restartAt + policy.rollout.warmup;
    const change = before.checks.find(c => c.name === 'model')?.detail ?? 'a served model changed';
    const baked = now - restartAt >= policy.rollout.minDuration;
    const evidence = now > from
        ? await source.collect({ window: { from, to: now }, now, ...pre })
        : emptyEvidence(source, now, now);
    const analysis = analyze(policy, evidence, weight, replay, options);
    const model = {
        name: 'model',
        status: baked ? 'warn' : 'block',
        detail: `${change}; evidence now starts at ${new Date(from).toISOString()}${baked ? '' : `, and the step holds until it has baked ${duration$1(policy.rollout.minDuration)} since the change`}`
    };
    const at = analysis.checks.findIndex(c => c.name === 'model');
    // A second change inside the new window keeps its own (later) block.
    if (at >= 0 && analysis.restartAt === undefined)
        analysis.checks[at] = model;
    analysis.restartAt ??= restartAt;
    return { analysis, quality: evidence.quality };
}
/** The rollout's start, when a metric reads a pre-exposure lookback before it. */
function lookbackEnd(policy, state) {
    const lookback = policy.metrics.some(m => (m.varianceReduction?.lookback ?? 0) > 0);
    return lookback ? rolloutStartedAt(state) : undefined;
}
function emptyEvidence(source, from, to) {
    return {
        source: source.describe(),
        window: { from, to },
        bucketMs: 0,
        metrics: [],
        unitLevel: false,
        cells: [],
        quality: emptyQuality()
    };
}
function emptyAnalysis(now) {
    const arm = { requests: 0, units: 0 };
    return {
        window: { from: now, to: now },
        arms: { baseline: arm, canary: arm },
        unitLevel: false,
        metrics: [],
        segments: [],
        checks: [],
        canaryRate: 0
    };
}

/**
 * `model_list[name=v7].litellm_params.weight` -> ['model_list', {key:'name',value:'v7'},
 * 'litellm_params', 'weight']. Throws with the position of a malformed step.
 */
function parseWeightPath(path) {
    const steps = [];
    const re = /([^.[\]]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]|(\.)/gy;
    // What the previous token was decides what may follow: a key only at the start or after a dot,
    // an index or a dot only after a key or an index.
    let prev = 'start';
    let m;
    let at = 0;
    while (at < path.length && (m = re.exec(path))) {
        const isKey = m[1] !== undefined;
        const isDot = m[5] !== undefined;
        if (isKey ? prev === 'step' : prev !== 'step')
            break;
        if (isKey)
            steps.push(m[1]);
        else if (m[2] !== undefined)
            steps.push(Number(m[2]));
        else if (!isDot)
            steps.push({ key: m[3].trim(), value: (m[4] ?? '').trim() });
        prev = isDot ? 'dot' : 'step';
        at = re.lastIndex;
    }
    if (at !== path.length || prev !== 'step') {
        throw new Error(`weight path "${path}" is malformed near character ${at + 1}: use keys separated by dots, [n] for a list item, [key=value] to pick a list item`);
    }
    return steps;
}
/**
 * Set a number at `path` in a YAML document with the `yaml` Document API, which keeps comments,
 * key order and formatting (https://eemeli.org/yaml/#documents). Every step must exist: a missing
 * key is an error naming it, never a silently created one.
 */
function setInYaml(doc, path, value) {
    const steps = parseWeightPath(path);
    const keys = [];
    let node = doc.contents;
    for (const [i, step] of steps.entries()) {
        const where = keys.length > 0 ? ` under ${formatKeys(keys)}` : '';
        let key;
        if (typeof step === 'object') {
            if (!distExports.isSeq(node))
                throw new Error(`${describeStep(step)}${where} needs a list there`);
            const index = node.items.findIndex(item => distExports.isMap(item) && String(item.get(step.key)) === step.value);
            if (index < 0)
                throw new Error(`no list item with ${step.key} = ${step.value}${where}`);
            key = index;
        }
        else {
            const has = distExports.isMap(node) || distExports.isSeq(node) ? node.has(step) : false;
            if (!has)
                throw new Error(`${describeStep(step)}${where} does not exist`);
            key = step;
        }
        keys.push(key);
        if (i < steps.length - 1)
            node = node.get(key, true);
    }
    doc.setIn(keys, value);
}
/** Set every weight in YAML (or JSON, which is YAML) text; returns the new text. */
function setWeights(text, isJson, values) {
    if (isJson)
        return setInJson(text, values);
    const doc = distExports.parseDocument(text);
    if (doc.errors.length > 0)
        throw new Error(`not valid YAML (${where(doc.errors[0])})`);
    for (const { path, value } of values)
        setInYaml(doc, path, value);
    return doc.toString();
}
/**
 * Where a parse error is, and its kind, without the text around it: the yaml library's messages
 * quote the offending line, and the file may hold secrets (`db_password: ...`) that would then
 * reach the PR comment and the decision record.
 */
function where(error) {
    const at = error.linePos?.[0];
    return `${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''}`;
}
/** JSON has no comments: parse, set, and write back with the file's own indentation. */
function setInJson(text, values) {
    const doc = distExports.parseDocument(text);
    if (doc.errors.length > 0)
        throw new Error(`not valid JSON (${where(doc.errors[0])})`);
    for (const { path, value } of values)
        setInYaml(doc, path, value);
    const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
    return JSON.stringify(doc.toJS(), null, indent) + (text.endsWith('\n') ? '\n' : '');
}
const describeStep = (step) => typeof step === 'object'
    ? `[${step.key}=${step.value}]`
    : typeof step === 'number'
        ? `[${step}]`
        : `key "${step}"`;
const formatKeys = (keys) => keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/** Attempts when someone else commits to the file between our read and write. */
const ATTEMPTS = 3;
/**
 * Sets the canary's (and the baseline's complementary) weight in a YAML or JSON config file, and
 * commits it with a message that carries the decision. Idempotent: an unchanged file is not
 * written, so a rerun or a hold makes no commit.
 */
class GitFileActuator {
    spec;
    files;
    name;
    constructor(spec, files) {
        this.spec = spec;
        this.files = files;
        this.name = `git-file ${spec.file}`;
    }
    async apply(record, { dryRun }) {
        const canary = record.next.weight;
        const values = this.spec.set.map(s => ({
            path: s.path,
            value: round$1(((s.arm === 'canary' ? canary : 100 - canary) / 100) * s.total)
        }));
        const where = this.files.describe(this.spec.file);
        for (let attempt = 1;; attempt++) {
            const file = await this.files.read(this.spec.file);
            if (!file)
                throw new Error(`${where} does not exist; create it or fix actuators[].file`);
            let text;
            try {
                text = setWeights(file.text, /\.json$/i.test(this.spec.file), values);
            }
            catch (e) {
                throw new Error(`${where}: ${e.message}`);
            }
            const summary = values.map(v => `${v.path} = ${v.value}`).join(', ');
            if (text === file.text) {
                return { actuator: this.name, changed: false, detail: `${where} already has ${summary}` };
            }
            if (dryRun) {
                return {
                    actuator: this.name,
                    changed: false,
                    detail: `dry run: would set ${summary} in ${where}`
                };
            }
            try {
                await this.files.write(this.spec.file, text, file.sha, commitMessage(record));
                return { actuator: this.name, changed: true, detail: `set ${summary} in ${where}` };
            }
            catch (e) {
                if (e.name !== 'ContentConflictError' || attempt >= ATTEMPTS)
                    throw e;
            }
        }
    }
}
function commitMessage(r) {
    const who = r.manual ? ` by ${r.manual.actor}` : '';
    return [
        `rollout ${r.rollout}: ${r.decision} ${r.step.weight}% → ${r.next.weight}%${who}`,
        '',
        ...r.reasons.slice(0, 3).map(reason => `- ${reason}`),
        '',
        `Policy ${r.policy.hash}, evaluated ${r.evaluatedAt} by ai-rollout-gate.`
    ].join('\n');
}
/** Weights as people write them: 25, 0.25, 33.333333 (no floating-point noise). */
const round$1 = (v) => Number(v.toPrecision(8));

/**
 * GitHub API failures as messages a person can act on: what failed, and for a permission problem,
 * which `permissions:` scope the workflow's token needs
 * (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication).
 */
class GitHubError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'GitHubError';
    }
}
/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
function statusOf(e) {
    const status = e?.status;
    return typeof status === 'number' ? status : undefined;
}
/**
 * @param doing what the run was trying to do ("comment on pull request #12")
 * @param permission the workflow permission that allows it ("pull-requests: write")
 */
function explainGitHubError(e, doing, permission) {
    const status = statusOf(e);
    const message = e.message ?? String(e);
    let hint = '';
    if ((status === 403 || status === 404) && permission) {
        hint = ` The token may lack \`${permission}\`: add it under \`permissions:\` in the workflow (a 404 can also mean the token cannot see the resource).`;
    }
    else if (status === 401) {
        hint = ' The token is invalid or expired: check the `github-token` input.';
    }
    else if (status !== undefined && status >= 500) {
        hint = ' GitHub answered with a server error after retries; run the workflow again later.';
    }
    return new GitHubError(`could not ${doing}: ${message}${status ? ` (HTTP ${status})` : ''}.${hint}`, status);
}

/** Whether the decision moves the canary (or is a person's command): what `on: change` waits for. */
const moves = (r) => r.step.weight !== r.next.weight || r.manual !== undefined;
/** Whether an actuator that last applied `last` must apply this record (GitOps: converge). */
const lags = (last, r) => last === undefined ||
    last.weight !== r.next.weight ||
    (last.status !== undefined && last.status !== r.status);
/**
 * Run every actuator in order; one that throws is recorded as not applied and the rest still run
 * (a deployment status should mirror the decision even when a webhook is down).
 */
async function applyAll(actuators, record, { dryRun, lastApplied }) {
    const results = [];
    for (const actuator of actuators) {
        const reconcile = lastApplied !== undefined && lags(lastApplied(actuator.name), record);
        try {
            results.push({ ok: true, ...(await actuator.apply(record, { dryRun, reconcile })) });
        }
        catch (e) {
            results.push({
                actuator: actuator.name,
                ok: false,
                changed: false,
                detail: e instanceof Error ? e.message : String(e)
            });
        }
    }
    return results;
}

/**
 * Starts a deploy workflow with the decision as inputs. Events made with the workflow's
 * GITHUB_TOKEN start no other workflow, workflow_dispatch being the exception
 * (https://docs.github.com/en/actions/using-workflows/triggering-a-workflow#triggering-a-workflow-from-a-workflow).
 */
class WorkflowDispatchActuator {
    spec;
    github;
    repo;
    defaultRef;
    name;
    constructor(spec, github, repo, defaultRef) {
        this.spec = spec;
        this.github = github;
        this.repo = repo;
        this.defaultRef = defaultRef;
        this.name = `workflow-dispatch ${spec.workflow}`;
    }
    async apply(record, { dryRun, reconcile }) {
        if (this.spec.on === 'change' && !moves(record) && !reconcile) {
            return {
                actuator: this.name,
                changed: false,
                detail: 'not dispatched: the weight did not change'
            };
        }
        const ref = this.spec.ref ?? (await this.defaultRef());
        const inputs = {
            ...this.spec.inputs,
            decision: record.decision,
            weight: String(record.next.weight),
            rollout: record.rollout
        };
        const what = `${this.spec.workflow} on ${ref} with weight ${inputs.weight}`;
        if (dryRun)
            return { actuator: this.name, changed: false, detail: `dry run: would dispatch ${what}` };
        try {
            await this.github.rest.actions.createWorkflowDispatch({
                ...this.repo,
                workflow_id: this.spec.workflow,
                ref,
                inputs
            });
        }
        catch (e) {
            throw explainGitHubError(e, `dispatch workflow ${this.spec.workflow}`, 'actions: write');
        }
        return { actuator: this.name, changed: true, detail: `dispatched ${what}` };
    }
}
/** GitHub limits a deployment status description to 140 characters. */
const DESCRIPTION_LIMIT = 140;
/**
 * Mirrors every decision as a deployment status on an environment: in_progress while the rollout
 * runs, success when it completes, failure on a rollback. One deployment per rollout and canary
 * (its `task` names the rollout), so the environment's history reads as one rollout.
 */
class DeploymentActuator {
    spec;
    github;
    repo;
    sha;
    name;
    constructor(spec, github, repo, sha) {
        this.spec = spec;
        this.github = github;
        this.repo = repo;
        this.sha = sha;
        this.name = `deployment ${spec.environment}`;
    }
    async apply(record, { dryRun }) {
        const state = record.decision === 'rollback'
            ? 'failure'
            : record.complete && record.decision === 'promote'
                ? 'success'
                : record.manual?.command === 'pause'
                    ? 'queued'
                    : 'in_progress';
        const description = deploymentDescription(record);
        if (dryRun) {
            return {
                actuator: this.name,
                changed: false,
                detail: `dry run: would set ${state}: ${description}`
            };
        }
        try {
            const id = await this.deploymentId(record);
            await this.github.rest.repos.createDeploymentStatus({
                ...this.repo,
                deployment_id: id,
                state,
                description,
                environment: this.spec.environment,
                ...(process.env.GITHUB_SERVER_URL &&
                    process.env.GITHUB_RUN_ID && {
                    log_url: `${process.env.GITHUB_SERVER_URL}/${this.repo.owner}/${this.repo.repo}/actions/runs/${process.env.GITHUB_RUN_ID}`
                })
            });
            return { actuator: this.name, changed: true, detail: `${state}: ${description}` };
        }
        catch (e) {
            throw explainGitHubError(e, `set a deployment status on ${this.spec.environment}`, 'deployments: write');
        }
    }
    async deploymentId(record) {
        const task = `rollout:${record.rollout}`;
        const { data } = await this.github.rest.repos.listDeployments({
            ...this.repo,
            environment: this.spec.environment,
            task,
            sha: this.sha,
            per_page: 1
        });
        const existing = data[0];
        if (existing)
            return existing.id;
        const created = await this.github.rest.repos.createDeployment({
            ...this.repo,
            ref: this.sha,
            task,
            environment: this.spec.environment,
            auto_merge: false,
            required_contexts: [],
            description: `ai-rollout-gate: ${record.rollout}`.slice(0, DESCRIPTION_LIMIT),
            payload: { rollout: record.rollout, steps: record.steps }
        });
        if (!('id' in created.data))
            throw new Error(created.data.message ?? 'GitHub did not create the deployment');
        return created.data.id;
    }
}
function deploymentDescription(r) {
    const text = `${r.decision} ${r.step.weight}% → ${r.next.weight}%: ${r.reasons[0] ?? ''}`;
    return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}

/** The signature header: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed by the secret. */
const SIGNATURE_HEADER = 'x-rollout-gate-signature-256';
/** Longest `retry-after` honoured; a longer one is a failure the next run retries. */
const MAX_RETRY_AFTER_MS = 30_000;
function signature(secret, body) {
    return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
/**
 * POSTs the decision record to a URL. Anything but a 2xx, after bounded retries (network errors,
 * 5xx, 429 with its retry-after), means the change was not applied. The receiver can check the
 * signature (as GitHub's own webhooks are checked) and deduplicate on the delivery id.
 */
class WebhookActuator {
    spec;
    secret;
    sleep;
    name;
    origin;
    constructor(spec, secret, sleep = (ms) => new Promise(r => setTimeout(r, ms))) {
        this.spec = spec;
        this.secret = secret;
        this.sleep = sleep;
        // Only the origin is ever shown: a path or query can carry a token.
        this.origin = new URL(spec.url).origin;
        this.name = `webhook ${this.origin}`;
    }
    async apply(record, { dryRun, reconcile }) {
        if (this.spec.on === 'change' && !moves(record) && !reconcile) {
            return {
                actuator: this.name,
                changed: false,
                detail: 'not called: the weight did not change'
            };
        }
        if (dryRun)
            return {
                actuator: this.name,
                changed: false,
                detail: `dry run: would POST to ${this.origin}`
            };
        const body = recordJson(record);
        const headers = {
            'content-type': 'application/json',
            'user-agent': 'ai-rollout-gate',
            'x-rollout-gate-delivery': `${record.rollout}:${record.evaluatedAt}`,
            ...(this.secret && { [SIGNATURE_HEADER]: signature(this.secret, body) })
        };
        let problem = '';
        for (let attempt = 0; attempt <= this.spec.retries; attempt++) {
            let wait = 500 * 2 ** attempt;
            try {
                const res = await fetch(this.spec.url, {
                    method: 'POST',
                    headers,
                    body,
                    // A redirect is not a delivery, and following one would send the signed record to
                    // wherever the Location points: it is reported, never followed.
                    redirect: 'manual',
                    signal: AbortSignal.timeout(this.spec.timeout)
                });
                await res.body?.cancel();
                if (res.status >= 300 && res.status < 400) {
                    problem = `HTTP ${res.status}, a redirect (not followed: set the webhook's url to the final URL)`;
                    break;
                }
                if (res.ok) {
                    return {
                        actuator: this.name,
                        changed: true,
                        detail: `POSTed to ${this.origin} (HTTP ${res.status})`
                    };
                }
                problem = `HTTP ${res.status}`;
                if (res.status < 500 && res.status !== 429)
                    break;
                const after = Number(res.headers.get('retry-after'));
                if (Number.isFinite(after) && after >= 0)
                    wait = after * 1000;
                if (wait > MAX_RETRY_AFTER_MS)
                    break;
            }
            catch (e) {
                const err = e;
                problem =
                    err.name === 'TimeoutError' ? `no answer in ${this.spec.timeout / 1000}s` : err.message;
            }
            if (attempt < this.spec.retries)
                await this.sleep(wait);
        }
        throw new Error(`POST to ${this.origin} failed: ${problem}`);
    }
}

/** The environment variable the Action's `webhook-secret` input fills. */
const WEBHOOK_SECRET_ENV = 'ROLLOUT_GATE_WEBHOOK_SECRET';
function buildActuators(specs, ctx) {
    return specs.map(spec => {
        switch (spec.type) {
            case 'webhook':
                return new WebhookActuator(spec, ctx.env[spec.secretEnv ?? WEBHOOK_SECRET_ENV]);
            case 'git-file':
                return new GitFileActuator(spec, ctx.github ? repoAccess(ctx.github.files, spec.branch) : localAccess(ctx.cwd));
            case 'workflow-dispatch':
                return ctx.github
                    ? new WorkflowDispatchActuator(spec, ctx.github.client, ctx.github.repo, () => ctx.github.files.defaultBranch())
                    : needsGitHub(spec);
            case 'deployment':
                return ctx.github
                    ? new DeploymentActuator(spec, ctx.github.client, ctx.github.repo, ctx.github.sha)
                    : needsGitHub(spec);
        }
    });
}
/** Outside the Action a GitHub actuator does nothing, and says so. */
function needsGitHub(spec) {
    const name = spec.type;
    return {
        name,
        apply: async () => ({
            actuator: name,
            changed: false,
            detail: 'skipped: runs only in the Action'
        })
    };
}
function repoAccess(files, branch) {
    let resolved = branch;
    const on = async () => (resolved ??= await files.defaultBranch());
    return {
        describe: path => `${path}${branch ? ` on ${branch}` : ''}`,
        read: async (path) => files.read(path, await on()),
        write: async (path, text, sha, message) => {
            await files.write(path, await on(), text, sha, message);
        }
    };
}
/**
 * The working tree: the CLI sets the weight in the file; committing it is the user's step. The
 * file must be inside the working directory by its real path (symbolic links resolved), so a
 * policy cannot make the gate read or write anything outside it (`../x`, `/etc/...`, a link).
 */
function localAccess(cwd) {
    return {
        describe: path => path,
        read: async (path) => {
            const real = await confined(cwd, path);
            return real === undefined ? undefined : { text: await readFile(real, 'utf8') };
        },
        write: async (path, text) => {
            const real = await confined(cwd, path);
            if (real === undefined)
                throw new Error(`${path} does not exist any more`);
            // O_NOFOLLOW: a link swapped in since the check is refused, not followed.
            const file = await open(real, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
            try {
                await file.writeFile(text, 'utf8');
            }
            finally {
                await file.close();
            }
        }
    };
}
/** The real path of `path` under `cwd`, undefined when it does not exist; throws when outside. */
async function confined(cwd, path) {
    const outside = () => new Error(`${path} is outside the working directory; the git-file actuator only edits files inside it (fix actuators[].file)`);
    if (isAbsolute(path))
        throw outside();
    const root = await realpath(cwd);
    if (!inside(root, resolve(root, path)))
        throw outside();
    let real;
    try {
        real = await realpath(resolve(root, path));
    }
    catch (e) {
        if (e.code === 'ENOENT')
            return undefined;
        throw e;
    }
    if (!inside(root, real))
        throw outside();
    return real;
}
const inside = (root, path) => {
    const rel = relative(root, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * The policy's scalars with their own syntax (durations, amounts, limits, metric kinds), as DSL
 * nodes: each pairs a strict parser from ./units.ts with the JSON Schema pattern of the same syntax.
 */
function duration(description, bounds = {}) {
    const expects = 'a duration like 30s, 30m, 12h, 2d, 1h30m or 500ms';
    const json = { type: 'string', minLength: 1, pattern: DURATION_PATTERN };
    return scalar(description, expects, json, value => {
        if (typeof value === 'number')
            return parseDuration(String(value));
        if (typeof value !== 'string')
            return fail(mismatch(expects, value));
        const parsed = parseDuration(value);
        // No duration in a policy needs ten years; longer ones only overflow the times they shift.
        const { min = 0, max = 3650 * 86_400_000 } = bounds;
        if (!parsed.ok || (parsed.value >= min && parsed.value <= max))
            return parsed;
        return fail(`must be between ${formatDuration(min)} and ${formatDuration(max)}; got ${value}`);
    });
}
/** Percentages from 0% to 100%, as a pattern, so the schema rejects `150%` like the validator. */
const PERCENT_0_100 = String.raw `^(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)%$`;
/** A proportion: `1%` or a number in [0, 1]. */
function fraction(description) {
    const expects = 'a percentage like 1% or a number from 0 to 1';
    const json = {
        oneOf: [
            { type: 'number', minimum: 0, maximum: 1 },
            { type: 'string', pattern: PERCENT_0_100 }
        ]
    };
    return scalar(description, expects, json, value => {
        const parsed = typeof value === 'string'
            ? parsePercent(value)
            : typeof value === 'number'
                ? ok(value)
                : undefined;
        if (parsed?.ok && parsed.value >= 0 && parsed.value <= 1)
            return parsed;
        return fail(parsed && !parsed.ok ? parsed.error : mismatch(expects, value));
    });
}
const NEGATIVE_TOLERANCE = 'tolerance is the worst acceptable change, a non-negative amount; `better` gives its direction';
/** `5%` (relative), `0.5pp` (absolute, rates) or a non-negative number (absolute). */
function amount(description) {
    const expects = 'a change like 5%, 0.5pp or 0.02';
    const json = {
        oneOf: [
            { type: 'number', minimum: 0 },
            { type: 'string', pattern: `^${DECIMAL}(?:%|pp)?$` }
        ]
    };
    return scalar(description, expects, json, value => {
        const parsed = typeof value === 'number' && Number.isFinite(value)
            ? ok({ value, unit: '' })
            : typeof value === 'string'
                ? parseAmount(value)
                : fail(mismatch(expects, value));
        return parsed.ok && parsed.value.value < 0 ? fail(NEGATIVE_TOLERANCE) : parsed;
    });
}
/** An SLO: for rates `2%` or 0.02; for other kinds a number in the metric's unit. */
const limit = scalar('An absolute SLO on the canary alone, in the metric unit; for a rate a proportion such as 2% or 0.02.', 'a number like 0.02, or a percentage like 2% for a rate', {
    oneOf: [
        { type: 'number', minimum: 0 },
        { type: 'string', pattern: PERCENT_0_100 }
    ]
}, (value) => {
    if (typeof value === 'number' && Number.isFinite(value)) {
        return value >= 0
            ? ok({ value, unit: '' })
            : fail('a limit is a non-negative amount; `better` gives its direction');
    }
    if (typeof value !== 'string')
        return fail(mismatch('a number like 0.02, or a percentage like 2%', value));
    const parsed = parsePercent(value);
    if (!parsed.ok)
        return fail(`${parsed.error}, or give a plain number in the metric's unit`);
    if (parsed.value < 0 || parsed.value > 1)
        return fail(`a percentage limit must be from 0% to 100%; got ${value}`);
    return ok({ value: parsed.value, unit: '%' });
});
const NAMED_KINDS = ['mean', 'rate', 'ratio', 'p50', 'p90', 'p95', 'p99'];
/** `p` then a percentile strictly between 0 and 100: p50, p99.9, p0.1. */
const QUANTILE_PATTERN = String.raw `^p(?:[1-9]\d?(?:\.\d+)?|0\.\d*[1-9]\d*)$`;
const QUANTILE = new RegExp(QUANTILE_PATTERN);
const metricKind = scalar('mean, rate (a proportion), ratio (sum over sum, needs `per`), or a quantile p50, p90, p95, p99, p99.9 ...', `one of ${NAMED_KINDS.join(', ')} or p<percentile> like p99.9`, { anyOf: [{ enum: NAMED_KINDS }, { type: 'string', pattern: QUANTILE_PATTERN }] }, (value) => {
    if (value === 'mean' || value === 'rate' || value === 'ratio')
        return ok({ kind: value });
    if (typeof value === 'string' && QUANTILE.test(value)) {
        return ok({ kind: 'quantile', quantile: Number(`${value.slice(1)}e-2`) });
    }
    const hint = typeof value === 'string' ? didYouMean(value, NAMED_KINDS) : '';
    return fail(`unknown metric kind ${JSON.stringify(value)}; valid kinds: ${NAMED_KINDS.join(', ')}, or p<percentile> like p99.9${hint}`);
});
const version = scalar('Policy format version; this release reads version 1.', 'the number 1', { const: 1 }, (value) => value === 1
    ? ok(1)
    : fail(`unsupported version ${JSON.stringify(value)}: this release reads version 1 policies; set version: 1`));
/** `scheme://user:password@` -> `scheme://***@`: what a message may quote of a URL. */
const withoutCredentials = (text) => text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
/**
 * An http(s) URL without credentials: a user or password in a URL ends up in logs, messages and
 * reports (and is sent to wherever the URL redirects), so the policy names them through
 * environment variables instead. Messages never quote the credentials.
 */
function httpUrl(description, instead) {
    const expects = 'an http:// or https:// URL';
    const json = { type: 'string', minLength: 1, pattern: '^https?://[^\\s/?#@]+([/?#][^\\s]*)?$' };
    return scalar(description, expects, json, value => {
        if (typeof value !== 'string')
            return fail(mismatch(expects, value));
        const shown = JSON.stringify(withoutCredentials(value).slice(0, 200));
        const url = /^https?:\/\/\S+$/i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
        if (!url || !/^https?:$/.test(url.protocol))
            return fail(`${shown} is not ${expects}`);
        if (url.username || url.password || /^https?:\/\/[^/?#]*@/i.test(value)) {
            return fail(`${shown} has credentials in it (user:password@), which would show in logs and reports; ${instead}`);
        }
        return ok(value);
    });
}

/**
 * The `actuators` section of the policy: what applies a decision to the world. Each entry is one
 * actuator; all are optional (the Action's outputs are always set, so a later step can act too).
 */
const when = withDefault(choice('change: only when the canary weight changes (or on a manual command); every: every run.', ['change', 'every']), 'change');
const weightSetting = obj("One value in the file to set to an arm's weight.", {
    path: required(str('Where the value is, e.g. `model_list[name=gpt-4o-v7].litellm_params.weight` or `spec.rules[0].backendRefs[1].weight`: keys separated by dots, `[n]` for a list item, `[key=value]` for the list item whose key has that value.')),
    arm: withDefault(choice("Whose weight: the canary's, or the baseline's (100% minus the canary's).", [
        'canary',
        'baseline'
    ]), 'canary'),
    total: withDefault(num('What 100% of traffic is in this file: 100 for percent, 1 for a fraction.', {
        exclusiveMin: 0
    }), 100)
});
const gitFile = obj('Set the weights in a YAML or JSON file in the repository and commit it (comments and formatting are kept).', {
    type: required(choice('Commit the weight to a file in the repository.', ['git-file'])),
    file: required(str('The file, relative to the repository root (no `..`, not absolute).', {
        regex: '^(?![/\\\\]|[A-Za-z]:)(?!(?:.*[/\\\\])?\\.\\.(?:[/\\\\]|$)).+$',
        hint: 'a path inside the repository, relative to its root, without `..` (e.g. config/router.yaml)'
    })),
    branch: optional(str("The branch to commit to; default: the repository's default branch.")),
    set: required(list('The values to set.', weightSetting, 1))
});
const webhook = obj('POST the decision record as JSON, signed with HMAC-SHA256 over the body (header X-Rollout-Gate-Signature-256: sha256=<hex>).', {
    type: required(choice('Call a webhook.', ['webhook'])),
    url: required(httpUrl('The URL to POST to (redirects are not followed: give the final URL).', 'put a token in a header the receiver checks, or sign with secretEnv')),
    secretEnv: optional(str("The environment variable holding the HMAC secret (the Action's `webhook-secret` input sets ROLLOUT_GATE_WEBHOOK_SECRET).")),
    timeout: withDefault(duration('How long to wait for an answer.'), '10s'),
    retries: withDefault(num('Retries after a failure (network error, 5xx, 429).', { integer: true, min: 0, max: 10 }), 3),
    on: when
});
const workflowDispatch = obj('Start a deploy workflow with workflow_dispatch, with inputs `decision`, `weight` and `rollout` (plus `inputs`).', {
    type: required(choice('Dispatch a workflow.', ['workflow-dispatch'])),
    workflow: required(str('The workflow file name (deploy.yml) or id.')),
    ref: optional(str("The git ref to run it on; default: the repository's default branch.")),
    inputs: withDefault(record('More inputs to pass, as strings.', str('An input value.')), {}),
    on: when
});
const deployment = obj('Mirror every decision as a GitHub deployment status on an environment (in_progress per step, success when complete, failure on rollback).', {
    type: required(choice('Report deployment statuses.', ['deployment'])),
    environment: required(str('The GitHub environment, e.g. production.'))
});
const actuators = list('What applies each decision: git-file, webhook, workflow-dispatch, deployment.', union('One actuator.', 'type', {
    'git-file': gitFile,
    webhook,
    'workflow-dispatch': workflowDispatch,
    deployment
}));

/**
 * The `judge` section of the policy (src/judge): the LLM judge, its budget, its health checks and
 * its length control, and the metric its judgement becomes (`from: judge`).
 */
const SECOND$1 = 1000;
const usdPerMillion$1 = (what) => num(`USD per 1M ${what}.`, { min: 0 });
const REDACT_NAMES = ['email', 'phone', 'key'];
const redactPattern = scalar('A built-in pattern (email, phone, key) or a JavaScript regular expression; matches are replaced before anything is sent to the judge.', 'email, phone, key or a regular expression', { type: 'string', minLength: 1 }, value => {
    if (typeof value !== 'string' || value === '') {
        return { ok: false, error: mismatch('email, phone, key or a regular expression', value) };
    }
    if (REDACT_NAMES.includes(value)) {
        return { ok: true, value: value };
    }
    try {
        new RegExp(value, 'g');
    }
    catch (e) {
        return {
            ok: false,
            error: `not a valid regular expression (${e.message}); use email, phone, key or a JavaScript regex`
        };
    }
    return { ok: true, value: { regex: value } };
});
/**
 * What each grade means when the policy does not say (Prometheus 2's score rubric, Kim et al.
 * 2024, asks for one description per level; these follow the criteria in `rubric`).
 */
const DEFAULT_LEVELS = [
    'The response fails the criteria: it is wrong, unhelpful or unrelated to the request.',
    'The response mostly fails the criteria: major errors or omissions.',
    'The response partly meets the criteria: errors or omissions that matter.',
    'The response meets the criteria with minor issues only.',
    'The response fully meets the criteria.'
];
const level = (grade) => optional(str(`What a response graded ${grade} is like, against the criteria.`));
const levels = obj('Pointwise: what each grade 1..5 means (the score rubric of Prometheus 2); give all five.', { 1: level(1), 2: level(2), 3: level(3), 4: level(4), 5: level(5) });
const judgeMetric = obj('The metric the judgement becomes (`from: judge`, kind mean).', {
    name: withDefault(str('Unique metric name, shown in reports.'), 'judge'),
    tolerance: withDefault(amount('Worst acceptable change: absolute on the [0, 1] score (pointwise), or how far the win rate may fall below 0.5 (pairwise).'), 0.05),
    rollbackAt: optional(amount('A larger change at which to roll back.')),
    mode: withDefault(choice('gate, hold or report, as for any metric.', ['gate', 'hold', 'report']), 'gate'),
    minSamples: withDefault(num('Judged outputs (pointwise) or pairs (pairwise) per arm before a verdict.', {
        integer: true,
        min: 2
    }), 30)
});
const health = obj('Checks that must pass before the judge metric may decide; when one fails, the gate holds.', {
    controls: withDefault(num('Control pairs mixed into each batch: an answer against itself (must tie) and against a copy with its facts shuffled or its words scrambled, of the same length (must lose). At least 1.', { integer: true, min: 1, max: 20 }), 2),
    alpha: withDefault(num('Error of each control test: how often a content-blind judge could pass it.', {
        exclusiveMin: 0,
        max: 0.2
    }), 0.05),
    maxFlipRate: withDefault(fraction('Pairwise: the largest share of pairs whose two orders disagree.'), '50%'),
    minKappa: withDefault(num("With `labels`: the smallest Cohen's kappa between the judge and the people.", {
        min: -1,
        max: 1
    }), 0.4)
});
const lengthControl = obj('Length control of the verdict (the regression of Length-Controlled AlpacaEval).', {
    enabled: withDefault(choice('Gate on the length-adjusted score (true) or the raw one (false).', [true, false]), true),
    maxInflation: withDefault(num('Hold when controlling for length inflates the variance more than this (the arms barely overlap in length).', { min: 1, max: 100 }), 4)
});
const judgeFields = obj('Grade sampled outputs with an LLM judge through an OpenAI-compatible API.', {
    model: required(str('The judge model id.')),
    baseURL: optional(httpUrl('OpenAI-compatible endpoint; default: the OpenAI API.', 'the API key comes from apiKeyEnv')),
    apiKeyEnv: withDefault(str('Environment variable holding the API key.', {
        regex: '^[A-Za-z_][A-Za-z0-9_]*$',
        hint: 'an environment variable name: letters, digits and `_`'
    }), 'OPENAI_API_KEY'),
    rubric: required(str('The criteria: what a good answer is; the judge grades against it.')),
    levels: optional(levels),
    mode: withDefault(choice('pointwise: grade each output; pairwise: canary vs baseline on the same input.', [
        'pointwise',
        'pairwise'
    ]), 'pointwise'),
    sample: withDefault(num('Outputs sampled per arm at a look, at least; the sample grows when the judge needs more and the budget pays.', { integer: true, min: 2, max: 5000 }), 200),
    batch: withDefault(num('Outputs (per arm) or pairs judged between two looks.', { integer: true, min: 1 }), 20),
    budget: withDefault(obj('Hard limits on the judge.', {
        calls: withDefault(num('Most judge calls per evaluation.', { integer: true, min: 1 }), 400),
        usd: optional(num('Most USD per evaluation (needs `prices`).', { min: 0 })),
        stepCalls: optional(num('Most judge calls over all the evaluations of one step.', { integer: true, min: 1 })),
        stepUsd: optional(num('Most USD over all the evaluations of one step (needs `prices`).', { min: 0 }))
    }), {}),
    prices: optional(obj('Prices of the judge model, USD per 1M tokens.', {
        input: required(usdPerMillion$1('input tokens')),
        output: required(usdPerMillion$1('output tokens'))
    })),
    logprobs: withDefault(choice("Ask for token log probabilities and weight each score by them (G-Eval); set false for endpoints that reject `logprobs` (OpenAI's reasoning models).", [true, false]), true),
    concurrency: withDefault(num('Calls in flight at once.', { integer: true, min: 1, max: 64 }), 4),
    timeout: withDefault(duration('Per request.', { min: SECOND$1, max: 10 * 60 * SECOND$1 }), '60s'),
    maxRetries: withDefault(num('Retries of a failed call (429 honours retry-after).', {
        integer: true,
        min: 0,
        max: 10
    }), 2),
    maxChars: withDefault(num('Longest input or output sent, in characters.', { integer: true, min: 100 }), 4000),
    redact: withDefault(list('Patterns replaced before anything is sent to the judge.', redactPattern), []),
    recheck: withDefault(num('Items judged twice to measure self-agreement.', { integer: true, min: 0 }), 10),
    cacheSize: withDefault(num('Judgements kept in the rollout state.', { integer: true, min: 0, max: 20000 }), 2000),
    labels: optional(str('Human labels, JSONL of {"id", "label"} (a grade 1..5, or canary|baseline|tie), relative to the working directory: the judge must agree with them (Cohen\'s kappa, `health.minKappa`).')),
    health: withDefault(health, {}),
    lengthControl: withDefault(lengthControl, {}),
    metric: withDefault(judgeMetric, {})
});
/** A judge tolerance: absolute or `%` (relative); `pp` is for rates, which the judge metric is not. */
function judgeTolerance(a, path, issues) {
    if (a.unit === 'pp') {
        reject(issues, path, '`pp` (percentage points) is only for kind rate; give the judge metric an absolute tolerance such as 0.05');
        return undefined;
    }
    return { value: a.value, relative: a.unit === '%' };
}
const judge = refine(judgeFields, (value, path, issues) => {
    const before = issues.length;
    const at = (...keys) => [...path, ...keys];
    const m = value.metric;
    const tolerance = judgeTolerance(m.tolerance, at('metric', 'tolerance'), issues);
    const rollbackAt = m.rollbackAt && judgeTolerance(m.rollbackAt, at('metric', 'rollbackAt'), issues);
    if (value.mode === 'pairwise' && (tolerance?.relative || rollbackAt?.relative)) {
        reject(issues, at('metric', 'tolerance'), 'a pairwise win rate is compared with 0.5: give an absolute tolerance such as 0.05 (the win rate may fall to 0.45), not a `%`');
    }
    for (const key of ['usd', 'stepUsd']) {
        if (value.budget[key] !== undefined && value.prices === undefined) {
            reject(issues, at('budget', key), 'a USD budget needs the judge model prices: add `prices: { input, output }` (USD per 1M tokens)');
        }
    }
    if (value.metric.minSamples > value.sample) {
        reject(issues, at('metric', 'minSamples'), `minSamples (${value.metric.minSamples}) is more than \`sample\` (${value.sample}) per arm: the judge metric could never decide`);
    }
    const given = value.levels ?? {};
    const named = [1, 2, 3, 4, 5].filter(g => given[g] !== undefined);
    if (named.length > 0 && named.length < 5) {
        reject(issues, at('levels'), `describes grades ${named.join(', ')} only: describe all five (1 to 5), or none for the generic descriptions`);
    }
    if (issues.length > before || !tolerance)
        return INVALID;
    const { metric, levels: _levels, ...rest } = value;
    const spec = {
        ...rest,
        levels: named.length === 5
            ? [1, 2, 3, 4, 5].map(g => given[g])
            : DEFAULT_LEVELS
    };
    return {
        spec,
        metric: {
            name: metric.name,
            from: 'judge',
            kind: 'mean',
            better: 'higher',
            tolerance,
            ...(rollbackAt && { rollbackAt }),
            mode: metric.mode,
            path: formatPath(at('metric')),
            minSamples: metric.minSamples,
            totalOnly: true,
            // Pairwise: the canary's win rate against the fixed 0.5, a one-sample comparison.
            ...(value.mode === 'pairwise' && { reference: 0.5 })
        }
    };
});

/**
 * The `source: { type: prometheus }` variant of the policy: a Prometheus-compatible HTTP API
 * (Prometheus, Thanos, Mimir, VictoriaMetrics, Grafana Cloud) and, per metric, the series it is
 * computed from. Secrets are never in the policy: it names the environment variables holding them.
 */
/** Prometheus data model: https://prometheus.io/docs/concepts/data_model/ */
const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const ENV_NAME$1 = '^[A-Za-z_][A-Za-z0-9_]*$';
const metricName = (description) => str(description, {
    regex: METRIC_NAME,
    hint: 'a Prometheus metric name: letters, digits, `_` and `:`, not starting with a digit'
});
const envName = (description) => str(description, {
    regex: ENV_NAME$1,
    hint: 'an environment variable name: letters, digits and `_`, not starting with a digit'
});
/** Label matchers `{label: value}`: names are validated here, values escaped in every selector. */
const matchers = (description) => refine(record(description, str('The label value (matched exactly, escaped).')), labelNames);
function labelNames(value, path, issues) {
    const bad = Object.keys(value).filter(k => !new RegExp(LABEL_NAME).test(k) || k === '__name__');
    for (const key of bad) {
        reject(issues, [...path, key], `${JSON.stringify(key)} is not a usable label name: letters, digits and \`_\`, not starting with a digit (and not __name__)`, 'key');
    }
    return bad.length > 0 ? INVALID : value;
}
const series = obj('The series one metric is computed from: `histogram` (quantiles, means), `errors` + `total` (rates), or `sum` + `count` (ratios, means).', {
    histogram: optional(metricName("A classic histogram's base name: the gate reads `<name>_bucket`, `<name>_sum` and `<name>_count`.")),
    errors: optional(metricName('kind rate: the counter of bad events (e.g. errors).')),
    total: optional(metricName('kind rate: the counter of all events.')),
    sum: optional(metricName('kind ratio or mean: the counter of the numerator (e.g. cost, tokens).')),
    count: optional(metricName('kind ratio or mean: the counter of the denominator (requests).')),
    sumOfSquares: optional(metricName('Optional counter of the squared values, for the variance of a mean (else: from histogram buckets, or from time buckets for `sum` + `count`).')),
    limitQuery: optional(str("Raw PromQL for the metric's absolute `limit` only: the canary's value in the metric's unit; write `$canary` inside a selector's braces, where the gate puts the escaped canary matchers (e.g. `sum(rate(x_total{$canary}[5m]))`). A value beyond the limit holds, never rolls back.")),
    scale: withDefault(num('Multiplies the values (e.g. 1000: seconds to milliseconds).', { exclusiveMin: 0 }), 1),
    match: withDefault(matchers('Extra label matchers for these series only.'), {}),
    absentErrors: withDefault(choice('kind rate: what an absent `errors` series means. `unknown` (default): no data, which holds, never 0. `zero`: the counter is created at its first increment (a labelled counter in most client libraries), so no series (for an arm, or a time bucket) means no errors.', ['unknown', 'zero']), 'unknown')
});
const prometheusSource = obj('Metrics from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics). `arms.field` is the arm label.', {
    type: required(choice('Read aggregated series from Prometheus.', ['prometheus'])),
    url: required(httpUrl('Base URL of the server, e.g. http://prometheus:9090 (the gate adds /api/v1/...).', 'use source.auth (basic: { user, passwordEnv }) instead')),
    auth: optional(obj('Credentials, read from environment variables (never written in the policy).', {
        bearerTokenEnv: optional(envName('Environment variable holding a bearer token.')),
        basic: optional(obj('HTTP basic auth.', {
            user: required(str('The user name.')),
            passwordEnv: required(envName('Environment variable holding the password.'))
        }))
    })),
    headers: withDefault(record('Extra request headers, e.g. `X-Scope-OrgID: tenant-1` for Mimir (not secret: shown in the policy).', str('The header value.')), {}),
    headersFromEnv: withDefault(record('Extra request headers whose values are secret: header name -> environment variable name.', envName('Environment variable holding the header value.')), {}),
    tls: optional(obj('TLS options for https URLs.', {
        insecureSkipVerify: withDefault(choice('Do not verify the server certificate (testing only).', [true, false]), false),
        caFile: optional(str('A PEM file of CA certificates to trust.'))
    })),
    timeout: withDefault(duration('Timeout of one query.', { min: 100, max: 600_000 }), '30s'),
    retries: withDefault(num('Retries of a query after a 5xx, 429 or timeout, with backoff.', {
        integer: true,
        min: 0,
        max: 10
    }), 3),
    match: withDefault(matchers('Label matchers added to every selector, e.g. `{job: llm-gateway}`.'), {}),
    requests: optional(metricName('The counter of requests per arm (traffic split, freshness); default: the first metric with a count (histogram `_count`, `total` or `count`).')),
    series: required(record('Per metric name (as in `metrics`): the series it is computed from.', series))
});
/** What each kind can be computed from. */
const NEEDS = {
    quantile: '`histogram`',
    mean: '`histogram`, or `sum` and `count`',
    ratio: '`sum` and `count`',
    rate: '`errors` and `total`'
};
/** The shape of a series definition, or why it does not fit the metric's kind. */
function seriesProblem(kind, s) {
    const has = (k) => s[k] !== undefined;
    const fits = kind === 'quantile'
        ? has('histogram') && !has('sum') && !has('errors')
        : kind === 'mean'
            ? (has('histogram') && !has('sum')) || (has('sum') && has('count') && !has('histogram'))
            : kind === 'ratio'
                ? has('sum') && has('count') && !has('histogram')
                : has('errors') && has('total') && !has('histogram') && !has('sum');
    if (fits && !(kind === 'rate' && has('sumOfSquares')))
        return undefined;
    return `a ${kind} metric needs ${NEEDS[kind] ?? '?'} (and nothing else of errors/total, sum/count, histogram)`;
}
/** Cross-field rules of a policy whose source is Prometheus. */
function checkPrometheusPolicy(policy, issues) {
    const spec = policy.source;
    if (spec.type !== 'prometheus')
        return policy;
    const before = issues.length;
    if (!new RegExp(LABEL_NAME).test(policy.arms.field)) {
        reject(issues, ['arms', 'field'], `with a prometheus source, arms.field is the arm label: ${JSON.stringify(policy.arms.field)} is not a label name (letters, digits and \`_\`)`);
    }
    if (policy.arms.assignment === undefined && policy.arms.designEffect === undefined) {
        reject(issues, ['arms'], "a prometheus source sums requests and keeps no user, so the gate must be told how independent they are: add `assignment: request` to arms when each request is assigned to an arm on its own (a load balancer or service-mesh split), or `designEffect: <number>` when arms are assigned per user: the requests per user weighted by requests (sum over users of their request count squared, over the sum of requests, in a window as long as a step), which bounds how many times larger any metric's variance is than if requests were independent; measure it once on logs that carry the user");
    }
    if (policy.arms.assignment === 'request' && policy.arms.designEffect !== undefined) {
        reject(issues, ['arms', 'designEffect'], 'designEffect is for arms assigned per unit; with assignment: request the requests are independent, remove it', 'key');
    }
    if (policy.segments) {
        reject(issues, ['segments'], 'segments are not supported with a prometheus source yet; remove `segments`', 'key');
    }
    policy.metrics.forEach((m, i) => {
        const s = spec.series[m.name];
        if (!s) {
            reject(issues, ['source', 'series'], `no series for metric ${JSON.stringify(m.name)} (metrics[${i}]); add \`${m.name}: { ... }\` with ${NEEDS[m.kind]}`);
            return;
        }
        const problem = seriesProblem(m.kind, s);
        if (problem)
            reject(issues, ['source', 'series', m.name], problem);
        if (s.absentErrors === 'zero' && s.errors === undefined) {
            reject(issues, ['source', 'series', m.name, 'absentErrors'], 'absentErrors is about an `errors` counter: give the series `errors`, or remove absentErrors');
        }
        if (s.limitQuery !== undefined && m.limit === undefined) {
            reject(issues, ['source', 'series', m.name, 'limitQuery'], `limitQuery is only for an absolute limit: give metric ${JSON.stringify(m.name)} a \`limit\`, or remove limitQuery`);
        }
        else if (s.limitQuery !== undefined && !s.limitQuery.includes('{$canary')) {
            reject(issues, ['source', 'series', m.name, 'limitQuery'], 'limitQuery must select the canary: write `{$canary}` (or `{$canary, ...}`) in its selector');
        }
    });
    const names = new Set(policy.metrics.map(m => m.name));
    for (const key of Object.keys(spec.series)) {
        if (!names.has(key)) {
            reject(issues, ['source', 'series', key], `${JSON.stringify(key)} is not the name of a metric in \`metrics\``, 'key');
        }
    }
    return issues.length > before ? INVALID : policy;
}

/**
 * The `source: { type: sql }` variant of the policy: a PostgreSQL or ClickHouse table (or query)
 * of LLM calls, aggregated where it lives (src/sources/sql/). Credentials are never in the policy:
 * it names the environment variable holding the connection URL. Column mappings are parsed into
 * SqlColumnSpec here and rendered with quoted identifiers by the source, never spliced as SQL.
 */
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
/** The table each preset reads when the policy names none. */
const PRESET_TABLES = {
    litellm: 'LiteLLM_SpendLogs',
    otel: 'otel_traces'
};
const PRESET_ENGINES = {
    litellm: 'postgres',
    otel: 'clickhouse'
};
const columnRef = (description) => str(description, {
    regex: '^[^.\\s"`][^"`]*$',
    hint: 'a column name, or `column.key` for a JSON or Map sub-field (no quotes: the gate quotes names)'
});
const columnFields = {
    column: optional(columnRef('A column, or a JSON / Map sub-field of one (`metadata.route`, `SpanAttributes.gen_ai.request.model`).')),
    scale: optional(num('Multiplies the value (0.000001: nanoseconds to milliseconds; 1000: s to ms).', {
        exclusiveMin: 0
    })),
    tagPrefix: optional(str('The column is a list of tags (an array, or a JSON array): the value is the first tag starting with this prefix, without it (`variant:`).')),
    between: optional(list('Milliseconds from the first timestamp column to the second (e.g. [startTime, endTime]).', columnRef('A timestamp column.'), 2))
};
const columnObject = obj('Where a record field is read.', columnFields);
/** A column mapping: a column reference, or a mapping with `column` (+ scale, tagPrefix) or `between`. */
function columnSpecNode(withFirstOf) {
    const description = 'Where the field is read: a column (`end_user`), a JSON or Map sub-field (`metadata.route`), or a mapping: `{ column, scale }`, `{ column, tagPrefix }`, `{ between: [start, end] }`' +
        (withFirstOf ? ', `{ firstOf: [...] }` (the first of them that has a value).' : '.');
    const inner = withFirstOf ? columnSpecNode(false) : undefined;
    const firstOf = inner && list('The first of these that has a value.', inner, 2);
    const expects = 'a column name or a mapping';
    return {
        description,
        expects,
        json: () => ({
            description,
            oneOf: [
                columnRef(description).json(),
                {
                    type: 'object',
                    properties: {
                        ...Object.fromEntries(Object.entries(columnFields).map(([k, f]) => [k, f.node.json()])),
                        ...(firstOf && { firstOf: firstOf.json() })
                    },
                    additionalProperties: false
                }
            ]
        }),
        check(value, path, issues) {
            if (typeof value === 'string') {
                const column = columnRef(description).check(value, path, issues);
                return column === INVALID ? INVALID : { column };
            }
            if (!isMapping(value))
                return reject(issues, path, mismatch(expects, value));
            if (firstOf && Object.hasOwn(value, 'firstOf')) {
                const extra = Object.keys(value).filter(k => k !== 'firstOf');
                for (const key of extra) {
                    reject(issues, [...path, key], '`firstOf` stands alone; move this key into one of its items', 'key');
                }
                const items = firstOf.check(value.firstOf, [...path, 'firstOf'], issues);
                return items === INVALID || extra.length > 0 ? INVALID : { firstOf: items };
            }
            const checked = columnObject.check(value, path, issues);
            if (checked === INVALID)
                return INVALID;
            return columnShape(checked, path, issues);
        }
    };
}
function columnShape(value, path, issues) {
    const { column, scale, tagPrefix, between } = value;
    if ((column === undefined) === (between === undefined)) {
        return reject(issues, path, 'give either `column` (a column or sub-field) or `between: [start, end]` (milliseconds between two timestamps)');
    }
    if (between !== undefined) {
        const extra = ['scale', 'tagPrefix'].filter(k => value[k] !== undefined);
        for (const key of extra) {
            reject(issues, [...path, key], `\`${key}\` is only for \`column\`, not \`between\``, 'key');
        }
        if (between.length !== 2) {
            reject(issues, [...path, 'between'], `list exactly two timestamp columns: [start, end]`);
        }
        if (extra.length > 0 || between.length !== 2)
            return INVALID;
        return { between: [between[0], between[1]] };
    }
    if (scale !== undefined && tagPrefix !== undefined) {
        return reject(issues, [...path, 'scale'], 'a tag (`tagPrefix`) is text: it cannot be scaled', 'key');
    }
    return {
        column: column,
        ...(scale !== undefined && { scale }),
        ...(tagPrefix !== undefined && { tagPrefix })
    };
}
const sqlSource = obj('LLM calls in a PostgreSQL or ClickHouse table, aggregated in the database (one query per evaluation); presets for LiteLLM spend logs and OpenTelemetry GenAI spans.', {
    type: required(choice('Read records from a SQL database.', ['sql'])),
    engine: required(choice('The database engine.', ['postgres', 'clickhouse'])),
    urlEnv: required(str('Name of the environment variable holding the connection URL, credentials included (postgres://user:pass@host:5432/db, or http(s)://user:pass@host:8123/db for ClickHouse); never the URL itself.', {
        regex: ENV_NAME,
        hint: 'an environment variable name: letters, digits and `_`, not starting with a digit'
    })),
    table: optional(str('The table: `name` or `schema.name` (`database.name` in ClickHouse), spelled as in the database.', {
        regex: '^[^."`]+(\\.[^."`]+)?$',
        hint: '`name` or `schema.name`, without quotes (the gate quotes names)'
    })),
    query: optional(str('A SELECT whose rows are the records, instead of a table (e.g. a join); the gate wraps it as a subquery and adds the time window.')),
    preset: optional(choice('A known schema: `litellm` (LiteLLM proxy spend logs in PostgreSQL) or `otel` (OpenTelemetry GenAI spans from the Collector ClickHouse exporter).', ['litellm', 'otel'])),
    columns: withDefault(record('Record field -> where it is read (fields not listed are read from a column of their name, or the preset).', columnSpecNode(true)), {}),
    tls: optional(obj('TLS options (the URL turns TLS on: `sslmode=require` for PostgreSQL, `https://` for ClickHouse).', {
        insecureSkipVerify: withDefault(choice('Do not verify the server certificate (testing only).', [true, false]), false),
        caFile: optional(str('A PEM file of CA certificates to trust.'))
    })),
    timeout: withDefault(duration('Timeout of the evaluation query.', { min: 100, max: 30 * 60_000 }), '60s'),
    retries: withDefault(num('Retries after a connection failure or a server not ready, with backoff.', {
        integer: true,
        min: 0,
        max: 10
    }), 2)
});
/** Canonical record fields and their aliases (DESIGN.md, "Canonical request record"). */
const RECORD_FIELDS = [
    'ts',
    'timestamp',
    'start_time',
    'unit',
    'user_id',
    'session_id',
    'latency_ms',
    'duration_ms',
    'gen_ai.client.operation.duration',
    'ttft_ms',
    'gen_ai.response.time_to_first_chunk',
    'input_tokens',
    'prompt_tokens',
    'gen_ai.usage.input_tokens',
    'cache_read_tokens',
    'prompt_tokens_details.cached_tokens',
    'cache_read_input_tokens',
    'gen_ai.usage.cache_read.input_tokens',
    'cache_write_tokens',
    'cache_creation_input_tokens',
    'gen_ai.usage.cache_creation.input_tokens',
    'output_tokens',
    'completion_tokens',
    'gen_ai.usage.output_tokens',
    'model',
    'gen_ai.response.model',
    'gen_ai.request.model',
    'fingerprint',
    'system_fingerprint',
    'error',
    'fallback',
    'cost_usd',
    'score',
    'gen_ai.evaluation.score.value',
    'feedback'
];
/** Cross-field rules of a policy whose source is SQL. */
function checkSqlPolicy(policy, issues) {
    const spec = policy.source;
    if (spec.type !== 'sql')
        return policy;
    const before = issues.length;
    const at = (...keys) => ['source', ...keys];
    if (spec.preset && PRESET_ENGINES[spec.preset] !== spec.engine) {
        reject(issues, at('engine'), `preset ${spec.preset} reads ${PRESET_ENGINES[spec.preset]}; set engine: ${PRESET_ENGINES[spec.preset]}`);
    }
    if (spec.table !== undefined && spec.query !== undefined) {
        reject(issues, at('query'), 'give `table` or `query`, not both', 'key');
    }
    else if (spec.table === undefined && spec.query === undefined && !spec.preset) {
        reject(issues, at('table'), 'missing `table` (or `query`, or a `preset`): where the records are', 'missing');
    }
    const known = usedFields(policy);
    for (const key of Object.keys(spec.columns)) {
        if (known.has(key))
            continue;
        reject(issues, at('columns', key), `${JSON.stringify(key)} is not a field this policy reads${didYouMean(key, [...known]) || ` (the arm field, the unit, a segment, a metric's \`from\` or \`per\`, or a canonical field such as latency_ms)`}`, 'key');
    }
    return issues.length > before ? INVALID : policy;
}
/** Every record field name a column mapping may be given for. */
function usedFields(policy) {
    const fields = new Set(RECORD_FIELDS);
    fields.add(policy.arms.field);
    if (policy.arms.unit)
        fields.add(policy.arms.unit);
    for (const d of policy.segments?.by ?? [])
        fields.add(d);
    for (const m of policy.metrics) {
        fields.add(m.from);
        if (m.per)
            fields.add(m.per);
    }
    return fields;
}

/**
 * `varianceReduction` (issue 12, speed): regression adjustment (CUPED) of mean and ratio metrics,
 * for the whole policy and per metric. Each unit's own level of the metric before the rollout's
 * first step began, and request covariates the policy declares unaffected by the change, explain
 * part of the per-user variation, so the interval is narrower at the same traffic
 * (src/stats/cs/regressionAdjusted.ts).
 *
 * Off unless asked. It needs what only the policy's author can vouch for: that records before the
 * rollout are kept for the lookback and that the named covariates are not moved by the change
 * (a prompt change moves input_tokens). When asked, every check that makes it safe is automatic:
 * a covariate whose arms differ is dropped, a lookback that saw the canary is not used, and a
 * covariate that explains nothing leaves the metric unadjusted.
 */
const DAY$1 = 86_400_000;
const DEFAULT_LOOKBACK = '7d';
/** Fields read as numbers by default (the prompt's size); any other field is categorical. */
const NUMERIC_FIELDS = ['input_tokens', 'prompt_tokens', 'gen_ai.usage.input_tokens'];
/**
 * Record fields the change itself moves (or that are the design, not a covariate): adjusting for
 * them would hide part of the change.
 */
const OUTCOMES = new Set([
    'latency_ms',
    'duration_ms',
    'gen_ai.client.operation.duration',
    'ttft_ms',
    'gen_ai.response.time_to_first_chunk',
    'output_tokens',
    'completion_tokens',
    'gen_ai.usage.output_tokens',
    'cache_read_tokens',
    'prompt_tokens_details.cached_tokens',
    'cache_read_input_tokens',
    'gen_ai.usage.cache_read.input_tokens',
    'cache_write_tokens',
    'cache_creation_input_tokens',
    'gen_ai.usage.cache_creation.input_tokens',
    'cache_hit',
    'cost',
    'cost_usd',
    'cost_uncached',
    'score',
    'gen_ai.evaluation.score.value',
    'feedback',
    'error',
    'fallback',
    'model',
    'gen_ai.response.model',
    'fingerprint',
    'system_fingerprint',
    'input',
    'output',
    'shadow_output',
    'judge'
]);
const DESIGN = new Set(['ts', 'timestamp', 'start_time', 'unit', 'user_id', 'session_id']);
const covariateObject = obj('A request covariate and how it is read.', {
    field: required(str('The record field.')),
    type: required(choice('numeric: its value per request; categorical: an indicator per value.', [
        'numeric',
        'categorical'
    ]))
});
/** `input_tokens`, `route`, or `{ field: prompt_chars, type: numeric }`. */
const covariate = {
    description: 'A request field the change does not affect: a name (input_tokens is read as a number, any other field as categories), or { field, type: numeric | categorical }.',
    expects: 'a field name, or a mapping with field and type',
    json() {
        return {
            description: this.description,
            oneOf: [{ type: 'string', minLength: 1 }, covariateObject.json()]
        };
    },
    check(value, path, issues) {
        if (typeof value === 'string') {
            if (value === '')
                return reject(issues, path, 'must not be empty');
            return { field: value, type: NUMERIC_FIELDS.includes(value) ? 'numeric' : 'categorical' };
        }
        return covariateObject.check(value, path, issues);
    }
};
const settings = obj("Variance reduction by regression adjustment (CUPED, Lindon et al. 2022): each unit's own level of the metric before the rollout's first step, and request covariates the change does not affect. Mean and ratio metrics only; needs a unit field and, for the lookback, records from before the rollout.", {
    lookback: withDefault(duration("How far before the rollout's first step each unit's baseline records are read as its pre-exposure level; 0s: none.", { min: 0, max: 90 * DAY$1 }), DEFAULT_LOOKBACK),
    covariates: withDefault(list('Request fields the change does not affect (input_tokens of an unchanged prompt, route, language): their per-request mean must be the same in both arms.', covariate), [])
});
/** The top-level `varianceReduction`: the default of every mean and ratio metric. */
const policyVarianceReduction = settings;
/** A metric's `varianceReduction: false` (opt out of the policy's) and `true` (the policy's, or the defaults). */
const OPT_OUT = Object.freeze({ lookback: 0, covariates: [] });
const POLICY_DEFAULT = Object.freeze({ lookback: 0, covariates: [] });
/** A metric's `varianceReduction`: false, true, or its own settings. */
const metricVarianceReduction = {
    description: "false: this metric is not adjusted; true: the policy's varianceReduction (or the defaults); or settings of its own.",
    expects: 'false, true, or a mapping with lookback and covariates',
    json() {
        return { description: this.description, oneOf: [{ type: 'boolean' }, settings.json()] };
    },
    check(value, path, issues) {
        if (value === false)
            return OPT_OUT;
        if (value === true)
            return POLICY_DEFAULT;
        return settings.check(value, path, issues);
    }
};
/**
 * Why a metric cannot be adjusted (undefined: it can). A bounded mean that is not 0/1 (a score, a
 * declared range) can: its nonasymptotic sequence stays, intersected with the adjusted one
 * (analysis/compareMetric.ts). A 0/1 mean is a rate in disguise: its events are often rare, where
 * the normal approximation the adjusted sequence rests on fails, and its betting sequence is
 * already tight. The judge's scores are of outputs sampled at each look, with no lookback.
 */
function notAdjustable(m) {
    if (m.kind === 'quantile')
        return 'a quantile is compared by ranks, which regression does not adjust';
    if (m.kind === 'rate' || binaryMetric(m)) {
        return 'a rate (a 0/1 field) is bounded and gets a nonasymptotic sequence of its own';
    }
    if (m.from === 'judge')
        return "the judge's scores are of outputs sampled at each look, with no lookback";
    return undefined;
}
/**
 * Resolves each metric's variance reduction (its own, else the policy's for a mean or ratio
 * metric) and checks the covariates. Issues point at the key that holds the problem.
 */
function resolveVarianceReduction(policy, issues) {
    const top = policy.varianceReduction;
    if (top)
        checkCovariates(top.covariates, ['varianceReduction', 'covariates'], policy, issues);
    const metrics = policy.metrics.map((m, i) => {
        const own = m.varianceReduction;
        const { varianceReduction: _, ...rest } = m;
        const at = ['metrics', i, 'varianceReduction'];
        if (own === OPT_OUT)
            return rest;
        const refused = notAdjustable(m);
        if (own !== undefined && refused) {
            reject(issues, at, `variance reduction adjusts means and ratios: ${refused}; remove it`, 'key');
            return rest;
        }
        if (own !== undefined && own !== POLICY_DEFAULT) {
            checkCovariates(own.covariates, [...at, 'covariates'], policy, issues);
            return { ...rest, varianceReduction: own };
        }
        const resolved = top ?? (own === POLICY_DEFAULT ? defaults() : undefined);
        if (!resolved || notAdjustable(m))
            return rest;
        return { ...rest, varianceReduction: resolved };
    });
    return { ...policy, metrics };
}
function defaults() {
    return { lookback: 7 * DAY$1, covariates: [] };
}
function checkCovariates(covariates, path, policy, issues) {
    const seen = new Map();
    const metricFields = new Map();
    policy.metrics.forEach((m, i) => {
        metricFields.set(m.from, formatPath(['metrics', i]));
        if (m.per !== undefined)
            metricFields.set(m.per, formatPath(['metrics', i]));
    });
    const unitFields = new Set([...DESIGN, ...(policy.arms.unit ? [policy.arms.unit] : [])]);
    covariates.forEach((c, j) => {
        const at = [...path, j];
        const field = c.field;
        const before = seen.get(field);
        if (before !== undefined) {
            reject(issues, at, `\`${field}\` is listed twice (also covariates[${before}])`);
            return;
        }
        seen.set(field, j);
        if (OUTCOMES.has(field) || field.startsWith('error.') || field.startsWith('scores.')) {
            reject(issues, at, `\`${field}\` is something the change can move; a covariate must be unaffected by it (input_tokens of an unchanged prompt, the route, the language), or the adjustment would hide part of the change`);
        }
        else if (field === policy.arms.field || unitFields.has(field)) {
            reject(issues, at, `\`${field}\` is the arm, the unit or the time of a record, not a covariate; name a request field such as input_tokens or route`);
        }
        else if (metricFields.has(field)) {
            reject(issues, at, `\`${field}\` is what ${metricFields.get(field)} measures, so the change can move it; a covariate must be unaffected by the change`);
        }
    });
}

/**
 * The rollout policy schema (DESIGN.md, "Policy"), written once in the DSL of ./dsl.ts: it is the
 * validator (with defaults and cross-field rules) and, through policyJsonSchema(), the JSON Schema
 * that editors use. Cross-field rules (in `refine`) are the only part the JSON Schema cannot express.
 */
/**
 * Where the schema of policy version 1 lives for editors: the file at the moving `v1` tag (the
 * release workflow moves it to each v1.x.y release), so a repository's policy can point its
 * `# yaml-language-server: $schema=` comment here and keep working across v1 releases.
 */
const SCHEMA_ID = 'https://raw.githubusercontent.com/ai-rollout-gate/ai-rollout-gate/v1/schema/rollout-policy.schema.json';
const SECOND = 1000;
const DAY = 86_400_000;
const name = str('Stable id of the rollout: the state key and the PR comment marker.', {
    regex: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
    hint: 'start with a letter or digit, then up to 63 letters, digits, `.`, `_` or `-`'
});
const steps = refine(list('Canary share of traffic at each step, percent, strictly increasing, in (0, 100].', num('Canary share of traffic, percent.', { exclusiveMin: 0, max: 100 }), 1), (values, path, issues) => {
    let increasing = true;
    values.forEach((step, i) => {
        const before = values[i - 1];
        if (before !== undefined && step <= before) {
            reject(issues, [...path, i], `steps must be strictly increasing: ${step} comes after ${before}`);
            increasing = false;
        }
    });
    return increasing ? values : INVALID;
});
const rollout = refine(obj('How the canary share grows, and how long each step bakes.', {
    name: required(name),
    steps: withDefault(steps, [1, 5, 25, 50, 100]),
    minDuration: withDefault(duration('Bake time per step before a promotion.'), '30m'),
    maxDuration: withDefault(duration('Longest time per step; then `onTimeout` applies.'), '12h'),
    onTimeout: withDefault(choice('What happens when a step reaches maxDuration.', ['rollback', 'hold']), 'rollback'),
    minSamples: withDefault(num('Requests per arm, per step, before any verdict.', {
        integer: true,
        min: 1,
        max: 1e9
    }), 300),
    warmup: withDefault(duration('Excluded from the window at each step start.'), '5m'),
    minPeakLoad: optional(fraction("Hold a promotion until the step's busiest hour of traffic (both arms) reaches this share of the busiest hour seen so far in the rollout (kept in the state), so a step does not pass on a quiet night. Needs --state to remember earlier steps."))
}), (value, path, issues) => {
    const { minDuration, maxDuration, warmup } = value;
    const at = (key) => [...path, key];
    if (maxDuration <= minDuration) {
        reject(issues, at('maxDuration'), `maxDuration (${formatDuration(maxDuration)}) must be longer than minDuration (${formatDuration(minDuration)}), the bake time before a promotion`);
    }
    if (warmup >= maxDuration) {
        reject(issues, at('warmup'), `warmup (${formatDuration(warmup)}) must be shorter than maxDuration (${formatDuration(maxDuration)}): it is excluded from each step's window`);
    }
    return maxDuration <= minDuration || warmup >= maxDuration ? INVALID : value;
});
const armValues = (arm) => oneOrMany(`Value(s) of the arm field that mark ${arm} traffic.`, str(`A value that marks ${arm} traffic.`));
const arms = refine(obj('Which record field tells the arms apart, and its values for each arm.', {
    field: withDefault(str("The record field holding the arm. A dotted path (`metadata.variant`) also reads nested objects and JSON strings; in OTLP traces, an ancestor span's attribute too."), 'arm'),
    baseline: required(armValues('baseline')),
    canary: required(armValues('canary')),
    unit: optional(str('The randomisation unit field (user or session); default: `unit` and its aliases.')),
    assignment: optional(choice('How the arms are assigned: unit (per user or session, as feature-flag services do; the default) or request (each request on its own, as a load balancer or mesh split does). A source that sums requests without users (prometheus) needs this, or designEffect, to know how independent its requests are.', ['unit', 'request'])),
    designEffect: optional(num("With arms assigned per unit and a source without users (prometheus): the requests per user weighted by requests (sum of each user's request count squared over the sum of requests, in a window as long as a step), at least 1. It bounds how many times larger any metric's variance is than if requests were independent (Kish's design effect), and is exactly that for the request counts of the split test; the gate uses the larger of it and what the time buckets show.", { min: 1 }))
}), (value, path, issues) => {
    const shared = value.canary.filter(v => value.baseline.includes(v));
    if (shared.length === 0)
        return value;
    return reject(issues, [...path, 'canary'], `${shared.map(v => JSON.stringify(v)).join(', ')} marks both arms: a value must belong to baseline or canary, not both`);
});
const source = union('Where the records come from.', 'type', {
    file: obj('Records in local files: JSONL, CSV or OTLP JSON (optionally .gz).', {
        type: required(choice('Read records from files.', ['file'])),
        path: required(oneOrMany('Globs, relative to the policy file unless absolute.', str('A glob.'))),
        format: withDefault(choice('`auto` picks by extension (.jsonl/.ndjson/.json, .csv; .gz stripped first).', [
            'auto',
            'jsonl',
            'csv',
            'otlp'
        ]), 'auto')
    }),
    langfuse: langfuseSource(),
    prometheus: prometheusSource,
    sql: sqlSource
});
/** The Langfuse source (public API: v2 observations, v3 scores). Keys are read from env vars named here. */
function langfuseSource() {
    const envName = (what) => str(`Name of the environment variable holding the Langfuse ${what} (never the key itself).`, {
        regex: '^[A-Za-z_][A-Za-z0-9_]*$',
        hint: 'give the name of an environment variable (letters, digits, `_`), not the key itself'
    });
    const armFrom = (from, what) => obj(`The arm label is ${what}.`, {
        from: required(choice(`The arm label is ${what}.`, [from]))
    });
    const arm = union('Which attribute of an observation or its trace holds the arm label.', 'from', {
        release: armFrom('release', "the trace's `release`"),
        version: armFrom('version', "the observation's `version`"),
        promptVersion: armFrom('promptVersion', "the linked prompt's version (quote numbers in arms)"),
        tag: obj("The arm label is one of the trace's tags.", {
            from: required(choice("The arm label is one of the trace's tags.", ['tag'])),
            prefix: optional(str('Only tags starting with this prefix (e.g. `variant:`); the rest of the tag is the label.'))
        }),
        metadata: obj("The arm label is a key of the observation's metadata.", {
            from: required(choice("The arm label is a key of the observation's metadata.", ['metadata'])),
            key: required(str('The metadata key.'))
        })
    });
    const scoreTarget = str('The record field the score becomes: `score`, `scores.<name>` or `feedback`.', {
        regex: '^(score|feedback|scores\\..+)$',
        hint: 'use `score`, `feedback` or `scores.<name>`'
    });
    return obj('LLM calls traced in Langfuse (cloud or self-hosted), read through its public API.', {
        type: required(choice('Read observations from Langfuse.', ['langfuse'])),
        baseUrl: withDefault(httpUrl('The Langfuse host, e.g. https://cloud.langfuse.com or your self-hosted URL.', 'the keys come from publicKeyEnv and secretKeyEnv'), 'https://cloud.langfuse.com'),
        publicKeyEnv: withDefault(envName('public key'), 'LANGFUSE_PUBLIC_KEY'),
        secretKeyEnv: withDefault(envName('secret key'), 'LANGFUSE_SECRET_KEY'),
        arm: required(arm),
        observationType: withDefault(str('Observation type to read (GENERATION, SPAN, EVENT, ...).'), 'GENERATION'),
        name: optional(str('Only observations with this name.')),
        environment: optional(oneOrMany('Only these Langfuse environments.', str('An environment.'))),
        scores: withDefault(record('Langfuse score name -> the record field it fills (`score`, `scores.<name>`, `feedback`).', scoreTarget), {}),
        pageSize: withDefault(num('Observations per page (Langfuse allows at most 1000).', {
            integer: true,
            min: 1,
            max: 1000
        }), 1000),
        timeout: withDefault(duration('Timeout of one HTTP request.', { min: SECOND, max: 10 * 60 * SECOND }), '30s'),
        retries: withDefault(num('Retries of a request after a 429, a 5xx or a network error.', {
            integer: true,
            min: 0,
            max: 10
        }), 4)
    });
}
const toleranceNode = amount('The worst acceptable change, in the bad direction: relative `5%`, absolute `0.5pp` (rates), or a number in the metric unit.');
/** An Amount as a Tolerance for this kind; `pp` only makes sense for a rate. */
function toTolerance(amount, kind, path, issues) {
    if (amount.unit === 'pp' && kind !== 'rate') {
        reject(issues, path, `\`pp\` (percentage points) is only for kind rate; a \`%\` on a ${kind} metric is relative to the baseline, and a plain number is absolute, in the metric's unit`);
        return undefined;
    }
    return { value: amount.value, relative: amount.unit === '%' };
}
const metricFields = obj('One metric compared between canary and baseline.', {
    name: required(str('Unique name, shown in reports.')),
    from: required(str('The record field to read: latency_ms, ttft_ms, cost, score, scores.<name>, error, error.<class>, fallback, feedback, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_hit, or any numeric field.')),
    kind: required(metricKind),
    per: optional(str('kind ratio only: the denominator field (the metric is sum(from) / sum(per)).')),
    better: required(choice('Which direction is good.', ['higher', 'lower'])),
    tolerance: required(toleranceNode),
    rollbackAt: optional(amount('A larger change at which to roll back; between tolerance and rollbackAt the gate holds.')),
    limit: optional(limit),
    mode: withDefault(choice('gate: a fail rolls back, an inconclusive holds; hold: a fail only holds; report: shown, never decides.', ['gate', 'hold', 'report']), 'gate'),
    range: optional(list('kind mean only: [lo, hi], the range every value lies in. The metric is then bounded: it gets a nonasymptotic interval, never narrow on a small or zero-variance sample, and values outside the range are invalid. Scores (score, scores.*, judge), rates and 0/1 fields are bounded without it.', num('A bound of the range, in the metric unit.'), 2)),
    gateOn: optional(choice("A cost metric (from: cost, kind: mean) only: observed (default) gates on what the canary paid; repriced gates on the canary's tokens re-priced at the baseline's prompt-cache hit rate (for a canary whose share keeps a shared prefix colder).", ['observed', 'repriced'])),
    varianceReduction: optional(metricVarianceReduction)
});
function toMetric(m, path, issues) {
    const before = issues.length;
    const at = (key) => [...path, key];
    const { kind, quantile } = m.kind;
    if (kind === 'ratio' && m.per === undefined) {
        reject(issues, at('per'), 'kind ratio needs `per`: the denominator field (the metric is sum(from) / sum(per))', 'missing');
    }
    if (kind !== 'ratio' && m.per !== undefined) {
        reject(issues, at('per'), `\`per\` is only for kind ratio (sum(from) / sum(per)); remove it, or set kind: ratio`, 'key');
    }
    const tolerance = toTolerance(m.tolerance, kind, at('tolerance'), issues);
    const rollbackAt = m.rollbackAt && toTolerance(m.rollbackAt, kind, at('rollbackAt'), issues);
    if (tolerance &&
        rollbackAt &&
        tolerance.relative === rollbackAt.relative &&
        rollbackAt.value < tolerance.value) {
        reject(issues, at('rollbackAt'), 'rollbackAt must be at least the tolerance: the canary is rolled back at a larger change than it is held at');
    }
    const limitValue = m.limit && toLimit(m.limit, kind, at('limit'), issues);
    const range = m.range && toRange(m.range, kind, limitValue, at('range'), issues);
    if (m.gateOn === 'repriced' && (!COST_FIELDS.includes(m.from) || kind !== 'mean')) {
        reject(issues, at('gateOn'), `gateOn: repriced re-prices the canary's input tokens, so it is only for a mean cost metric (from: cost, kind: mean); remove it, or set gateOn: observed`, 'key');
    }
    if (issues.length > before || !tolerance)
        return INVALID;
    return {
        name: m.name,
        from: m.from,
        ...(m.per !== undefined && { per: m.per }),
        kind,
        ...(quantile !== undefined && { quantile }),
        better: m.better,
        tolerance,
        ...(rollbackAt && { rollbackAt }),
        ...(limitValue !== undefined && { limit: limitValue }),
        ...(range && { range }),
        mode: m.mode,
        ...(m.gateOn === 'repriced' && { gateOn: 'repriced' }),
        ...(m.varianceReduction !== undefined && { varianceReduction: m.varianceReduction }),
        path: formatPath(path)
    };
}
/** `range: [lo, hi]`: two finite numbers, lo < hi, on a mean, with any limit inside. */
function toRange(value, kind, limitValue, path, issues) {
    if (kind !== 'mean') {
        reject(issues, path, kind === 'rate'
            ? 'a rate is a proportion in [0, 1] already; remove `range`'
            : `\`range\` is for kind mean (the values of a bounded mean); a ${kind} metric does not take one, remove it`, 'key');
        return undefined;
    }
    const [lo, hi] = value;
    if (value.length !== 2 || lo === undefined || hi === undefined || !(lo < hi)) {
        reject(issues, path, `range is [lo, hi] with lo < hi, the smallest and largest value the metric can take; got ${JSON.stringify(value)}`);
        return undefined;
    }
    if (limitValue !== undefined && (limitValue < lo || limitValue > hi)) {
        reject(issues, path, `the limit ${limitValue} is outside the range [${lo}, ${hi}]`);
        return undefined;
    }
    return { lo, hi };
}
/** The record fields a cost metric reads (canonical `cost` and its alias). */
const COST_FIELDS = ['cost', 'cost_usd'];
function toLimit(amount, kind, path, issues) {
    if (kind === 'rate' && amount.value > 1) {
        reject(issues, path, `a rate limit is a proportion from 0 to 1 (or 0% to 100%); got ${amount.value}`);
        return undefined;
    }
    if (kind !== 'rate' && amount.unit === '%') {
        reject(issues, path, `a \`%\` limit is only for kind rate; give the ${kind} limit as a number in the metric's unit`);
        return undefined;
    }
    return amount.value;
}
const metrics = refine(list('The metrics compared between canary and baseline.', refine(metricFields, toMetric), 1), (values, path, issues) => {
    const seen = new Map();
    values.forEach((metric, i) => {
        const first = seen.get(metric.name);
        if (first === undefined)
            seen.set(metric.name, i);
        else {
            reject(issues, [...path, i, 'name'], `duplicate metric name ${JSON.stringify(metric.name)} (also metrics[${first}]); names must be unique`);
        }
    });
    return seen.size === values.length ? values : INVALID;
});
const segments = refine(obj('Compare the metrics within each segment too (a separate error budget).', {
    by: required(oneOrMany('Record field(s) that define the segments.', str('A record field.'))),
    gate: withDefault(choice('false: shown only; true or hold: a failing segment holds; rollback: it rolls back.', [
        false,
        true,
        'hold',
        'rollback'
    ]), false)
}), (value) => ({
    by: value.by,
    gate: value.gate === true ? 'hold' : value.gate
}));
const usdPerMillion = (what) => num(`USD per 1M ${what}.`, { min: 0 });
const pricing = record('Prices by model id as it appears in records, USD per 1M tokens.', obj('Prices of one model, USD per 1M tokens.', {
    input: required(usdPerMillion('input tokens that are neither cache reads nor cache writes')),
    output: required(usdPerMillion('output tokens')),
    cacheRead: optional(usdPerMillion('cached input tokens read; default: input')),
    cacheWrite: optional(usdPerMillion('input tokens written to the cache; default: input'))
}));
const policyFields = obj('A rollout policy for ai-rollout-gate.', {
    version: required(version),
    rollout: required(rollout),
    arms: required(arms),
    source: required(source),
    confidence: withDefault(num('Family-wise confidence over the gating metrics.', { exclusiveMin: 0.5, exclusiveMax: 1 }), 0.95),
    metrics: required(metrics),
    segments: optional(segments),
    pricing: withDefault(pricing, {}),
    dataQuality: withDefault(obj('Limits on bad input data.', {
        maxMalformed: withDefault(fraction('Share of malformed lines above which promotion is blocked.'), '1%'),
        maxAge: withDefault(duration("How long before the step's window a record may be dated and still be the log's history. Older records are a broken clock (1970, epoch seconds read as milliseconds): counted, sampled and blocking, never the step's clock.", { min: 60_000 }), '7d')
    }), {}),
    trafficSplit: withDefault(obj('The sequential sample-ratio test of the traffic split.', {
        alpha: withDefault(num('Type-I error of the test.', { exclusiveMin: 0, exclusiveMax: 0.5 }), 0.001)
    }), {}),
    bucket: withDefault(duration('Width of the time buckets the evidence is kept in, from 10s to 1d.', {
        min: 10 * SECOND,
        max: DAY
    }), '5m'),
    models: optional(obj('The model ids (as records give them) each arm is expected to be served by; requests served by any other model (a gateway fallback, an alias resolving to a new snapshot) are named in the report.', {
        baseline: optional(oneOrMany('Expected baseline model id(s).', str('A model id as records give it.'))),
        canary: optional(oneOrMany('Expected canary model id(s).', str('A model id as records give it.')))
    })),
    actuators: optional(actuators),
    judge: optional(judge),
    varianceReduction: optional(policyVarianceReduction)
});
/** With a judge, its metric joins the others (a name clash is reported at the judge's metric). */
const withJudgeMetric = refine(policyFields, (value, path, issues) => {
    const { judge: judged, ...rest } = value;
    if (!judged)
        return rest;
    const clash = rest.metrics.findIndex(m => m.name === judged.metric.name);
    if (clash >= 0) {
        return reject(issues, [...path, 'judge', 'metric', 'name'], `the judge metric is named ${JSON.stringify(judged.metric.name)} like metrics[${clash}]; set judge.metric.name to a unique name`);
    }
    return { ...rest, metrics: [...rest.metrics, judged.metric], judge: judged.spec };
});
const policySchema = refine(refine(withJudgeMetric, (policy, _path, issues) => {
    const checked = checkPrometheusPolicy(policy, issues);
    return checked === INVALID ? INVALID : checkSqlPolicy(checked, issues);
}), (policy, _path, issues) => resolveVarianceReduction(policy, issues));
/** The JSON Schema (draft 2020-12) of a policy file, generated from `policySchema`. */
function policyJsonSchema() {
    return {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: SCHEMA_ID,
        title: 'ai-rollout-gate rollout policy',
        ...policySchema.json()
    };
}

/**
 * Policy loading: YAML text -> validated Policy, or a PolicyError listing every issue with its
 * file:line:col and key path. Pure: the caller reads the file.
 */
/** yaml's messages that would send a user to the library's API instead of their file. */
const YAML_MESSAGES = {
    MULTIPLE_DOCS: 'a policy file holds one YAML document; remove the extra `---` line'
};
/** Past this many, more issues would bury the first ones (a pasted file, a wrong indent). */
const MAX_ISSUES = 50;
function parsePolicy(text, file) {
    const lineCounter = new distExports.LineCounter();
    const at = (offset, message, path = '') => ({
        message,
        file,
        ...lineCounter.linePos(offset),
        path
    });
    const doc = readYaml(text, lineCounter);
    if (doc instanceof Error)
        throw new PolicyError([at(0, `cannot read YAML: ${doc.message}`)]);
    if (doc.errors.length > 0) {
        // Syntax first: checking the shape of a half-parsed document would only add noise.
        throw new PolicyError(doc.errors.map(e => at(e.pos[0], `invalid YAML: ${YAML_MESSAGES[e.code] ?? e.message}`)));
    }
    const unresolved = unresolvedAliases(doc);
    if (unresolved.length > 0) {
        throw new PolicyError(unresolved.map(([offset, name]) => at(offset, `invalid YAML: alias *${name} has no anchor; define &${name} before it`)));
    }
    const value = toJS(doc);
    if (value instanceof Error)
        throw new PolicyError([at(0, `cannot read YAML: ${value.message}`)]);
    if (value === null || value === undefined) {
        throw new PolicyError([
            {
                message: `policy file is empty: ${file}; write at least version, rollout, arms, source and metrics`,
                file,
                line: 1,
                col: 1,
                path: ''
            }
        ]);
    }
    if (!isMapping(value)) {
        const got = Array.isArray(value) ? 'a list' : `the scalar ${JSON.stringify(String(value))}`;
        const message = `the top level of a policy must be a mapping (version: 1, rollout: ..., metrics: ...), got ${got}`;
        throw new PolicyError([at(offsetOf(doc, [], 'value'), message)]);
    }
    const issues = [];
    const policy = policySchema.check(value, [], issues);
    if (policy === INVALID || issues.length > 0) {
        const located = issues
            .slice(0, MAX_ISSUES)
            .map(issue => at(offsetOf(doc, issue.path, issue.at), issue.message, formatPath(issue.path)))
            .sort((a, b) => a.line - b.line || a.col - b.col);
        if (issues.length > MAX_ISSUES) {
            const more = `${issues.length - MAX_ISSUES} more issues not shown; fix these first`;
            located.push({ message: more, file, line: 0, col: 0, path: '' });
        }
        throw new PolicyError(located);
    }
    return policy;
}
function readYaml(text, lineCounter) {
    try {
        // prettyErrors off: we print positions ourselves; logLevel error: no process warnings.
        return distExports.parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
    }
    catch (error) {
        return error instanceof Error ? error : new Error(String(error));
    }
}
/**
 * yaml reports an alias without an anchor only when converting, and without its position. An alias
 * refers to the last anchor of its name before it in document order, which is the visit order.
 */
function unresolvedAliases(doc) {
    const anchors = new Set();
    const found = [];
    distExports.visit(doc, {
        Node(_, node) {
            if (distExports.isAlias(node) && !anchors.has(node.source))
                found.push([rangeStart(node) ?? 0, node.source]);
            else if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return found;
}
/** toJS throws on alias bombs (maxAliasCount): that is the input's problem, not a crash. */
function toJS(doc) {
    try {
        return doc.toJS({ maxAliasCount: 100 });
    }
    catch (error) {
        return error instanceof Error ? error : new Error(String(error));
    }
}
/**
 * The source offset for an issue: the value's node, its key, or for a missing key the parent's
 * key. Walks the YAML tree through aliases; stops at the deepest node that exists (a defaulted
 * value has no node, so its issue points at the nearest mapping the user wrote).
 */
function offsetOf(doc, path, at) {
    const target = at === 'missing' ? path.slice(0, -1) : path;
    let node = doc.contents;
    let key = node;
    let found = true;
    for (const segment of target) {
        const current = distExports.isAlias(node) ? node.resolve(doc) : node;
        const pair = distExports.isMap(current)
            ? current.items.find(item => keyText(item.key) === segment)
            : distExports.isSeq(current) && typeof segment === 'number'
                ? { key: current.items[segment], value: current.items[segment] }
                : undefined;
        if (!pair || pair.key === undefined) {
            found = false;
            break;
        }
        key = pair.key;
        node = pair.value ?? pair.key;
    }
    // An empty value (`warmup:`) has a zero-width node after the colon: the key is the better place.
    const empty = distExports.isScalar(node) && node.range?.[0] === node.range?.[1];
    const chosen = at === 'value' && found && !empty ? node : key;
    return rangeStart(chosen) ?? rangeStart(node) ?? 0;
}
function keyText(key) {
    if (!distExports.isScalar(key))
        return undefined;
    return key.value === null || key.value === undefined ? '' : String(key.value);
}
function rangeStart(node) {
    if (typeof node !== 'object' || node === null || !('range' in node))
        return undefined;
    const range = node.range;
    return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/** Read and validate a policy file. Throws UsageError (unreadable) or PolicyError (invalid). */
async function loadPolicyFile(path) {
    let text;
    try {
        text = await readFile(path, 'utf8');
    }
    catch (e) {
        const code = e.code;
        throw new UsageError(code === 'ENOENT'
            ? `policy file ${path} does not exist; pass the path of your rollout policy YAML with --policy`
            : `cannot read policy file ${path}: ${e.message}`);
    }
    const policy = parsePolicy(text, path);
    const hash = `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    return { policy, hash, path };
}
/**
 * The evidence source the policy names. `records` (CLI --records, Action input) overrides the
 * policy's source with files; those are relative to the working directory, the policy's own to its
 * folder. Each source's code is loaded only when a policy uses it (dist/ is code-split).
 */
async function sourceFor(loaded, records) {
    const { policy } = loaded;
    const spec = policy.source;
    if (records && records.length > 0) {
        const { FileSource } = await import('./chunk-fileSource.js');
        return new FileSource({
            patterns: records,
            baseDir: process.cwd(),
            format: spec.type === 'file' ? spec.format : 'auto',
            policy
        });
    }
    if (spec.type === 'langfuse') {
        const { LangfuseSource } = await import('./chunk-langfuseSource.js');
        return new LangfuseSource({ spec, policy });
    }
    if (spec.type === 'prometheus') {
        const { PrometheusSource } = await import('./chunk-prometheusSource.js');
        return new PrometheusSource({ policy, env: process.env });
    }
    if (spec.type === 'sql') {
        const { SqlSource } = await import('./chunk-sqlSource.js').then(function (n) { return n.s; });
        return new SqlSource({ policy, env: process.env });
    }
    const { FileSource } = await import('./chunk-fileSource.js');
    return new FileSource({
        patterns: spec.path,
        baseDir: dirname(resolve(loaded.path)),
        format: spec.format,
        policy
    });
}
/**
 * The secret values this policy can reach: every environment variable a `*Env` key names (the
 * Prometheus token and password, the Langfuse keys, the judge's API key, a webhook's secret), the
 * default webhook secret, and the basic-auth header value built from a user and a password. They
 * are scrubbed from any text a server sends back before it is shown or saved.
 */
function knownSecrets(policy, env) {
    const found = new Set();
    const walk = (node) => {
        if (Array.isArray(node))
            node.forEach(walk);
        else if (node && typeof node === 'object') {
            for (const [key, value] of Object.entries(node)) {
                if (/Env$/.test(key) && typeof value === 'string') {
                    const secret = env[value];
                    if (secret)
                        found.add(secret);
                }
                else
                    walk(value);
            }
        }
    };
    walk(policy);
    const webhook = env[WEBHOOK_SECRET_ENV];
    if (webhook && policy.actuators?.some(a => a.type === 'webhook'))
        found.add(webhook);
    const src = policy.source;
    if (src.type === 'prometheus') {
        for (const envName of Object.values(src.headersFromEnv)) {
            const v = env[envName];
            if (v)
                found.add(v);
        }
        const basic = src.auth?.basic;
        const password = basic && env[basic.passwordEnv];
        if (basic && password)
            found.add(`${basic.user}:${password}`);
    }
    return [...found];
}

/** The policy's own checks passed (it parsed): the report for a policy without data. */
function policyReport(policy) {
    const metrics = policy.metrics.length;
    return {
        ok: true,
        rollout: policy.rollout.name,
        findings: [
            {
                level: 'ok',
                subject: 'policy',
                message: `valid: rollout "${policy.rollout.name}", ${policy.rollout.steps.length} steps, ${metrics} metric${metrics === 1 ? '' : 's'}`
            }
        ]
    };
}
/** Validation reads all of time in buckets of 35 years: only counts matter, not their course. */
const ALL_TIME_BUCKET = 2 ** 40;
/**
 * Reads every record of `records` (files, as the CLI's --records; default the policy's own
 * source), whatever its time, and checks that the data carries what the policy reads: a
 * timestamp and the arm field on each line, records for both arms, values for every metric's
 * fields in both arms, the segment dimensions and unit field, and prices for the models served.
 * Each problem names the field the data has instead when one looks like it. Throws what the
 * source throws when it cannot read at all (no file matches: SourceError).
 */
async function validateData(input) {
    const { policy } = input.loaded;
    const source = await sourceFor({ ...input.loaded, policy: { ...policy, bucket: ALL_TIME_BUCKET } }, input.records);
    const all = { from: 0, to: Number.MAX_SAFE_INTEGER };
    const evidence = await source.collect({ window: all, now: all.to });
    const arms = armTotals(evidence, policy.metrics.length);
    const q = evidence.quality;
    const findings = [...policyReport(policy).findings];
    findings.push(linesFinding(policy, evidence));
    findings.push(armsFinding(policy, evidence, arms));
    policy.metrics.forEach((spec, i) => {
        if (spec.from === 'judge') {
            findings.push({
                level: 'ok',
                subject: `metric ${spec.name}`,
                message: 'graded by the judge (no field to check)'
            });
            return;
        }
        findings.push(metricFinding(policy, evidence, spec, arms.baseline.values[i] ?? 0, arms.canary.values[i] ?? 0));
    });
    findings.push(...dimensionFindings(policy, evidence));
    const pricing = pricingFinding(policy, evidence);
    if (pricing)
        findings.push(pricing);
    return {
        ok: findings.every(f => f.level !== 'error'),
        rollout: policy.rollout.name,
        data: {
            source: source.describe(),
            lines: q.lines,
            records: q.records,
            baseline: arms.baseline.requests,
            canary: arms.canary.requests,
            malformed: q.malformed
        },
        findings
    };
}
function armTotals(evidence, metrics) {
    const total = () => ({ requests: 0, values: new Array(metrics).fill(0) });
    const arms = { baseline: total(), canary: total() };
    for (const cell of evidence.cells) {
        if (cell.segment !== TOTAL_SEGMENT)
            continue;
        const arm = arms[cell.arm];
        arm.requests += cell.requests;
        cell.metrics.forEach((m, i) => (arm.values[i] = (arm.values[i] ?? 0) + m.requests));
    }
    return arms;
}
function linesFinding(policy, evidence) {
    const q = evidence.quality;
    const subject = 'lines';
    if (q.lines === 0) {
        return { level: 'error', subject, message: `no lines could be read from ${evidence.source}` };
    }
    if (q.malformed === 0) {
        return { level: 'ok', subject, message: `${int(q.lines)} lines, none malformed` };
    }
    const share = q.malformed / q.lines;
    return {
        level: share > policy.dataQuality.maxMalformed ? 'error' : 'warn',
        subject,
        message: `${int(q.malformed)} of ${int(q.lines)} lines malformed${malformedReasons(policy, q)}`
    };
}
function armsFinding(policy, evidence, arms) {
    const counts = `baseline ${int(arms.baseline.requests)}, canary ${int(arms.canary.requests)} records`;
    const missing = ['baseline', 'canary'].filter(a => arms[a].requests === 0);
    if (missing.length === 0) {
        return { level: 'ok', subject: 'arms', message: `field "${policy.arms.field}": ${counts}` };
    }
    const labels = [...policy.arms.baseline, ...policy.arms.canary];
    const others = Object.entries(evidence.quality.unmatchedArms)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([value, n]) => {
        const like = suggestFields(value, labels, { max: 1 });
        return `"${value}" (${int(n)}${like[0] ? `, did you mean "${like[0]}"?` : ''})`;
    });
    const which = missing.map(a => `${a} [${policy.arms[a].map(v => `"${v}"`).join(', ')}]`);
    return {
        level: 'error',
        subject: 'arms',
        message: `no records for ${which.join(' or ')} (${counts})${others.length > 0 ? `; field "${policy.arms.field}" holds ${others.join(', ')}: check arms.${missing[0]} in the policy` : ''}`
    };
}
function metricFinding(policy, evidence, spec, baseline, canary) {
    const subject = `metric ${spec.name}`;
    const fields = evidence.quality.fields;
    const seen = new Set(fields?.paths ?? []);
    const invalid = Object.entries(evidence.quality.invalidValues).filter(([k]) => [spec.from, spec.per].some(f => f !== undefined && k.startsWith(`${f}: `)));
    const reads = spec.per === undefined ? `"${spec.from}"` : `"${spec.from}" per "${spec.per}"`;
    for (const [role, field] of [
        ['from', spec.from],
        ['per', spec.per]
    ]) {
        if (field === undefined)
            continue;
        const sources = fieldSources(field);
        if (sources.always || !fields || sources.paths.some(p => seen.has(p)))
            continue;
        const hint = didYouMeanFields(suggestFields(field, fields.paths, { aliases: sources.paths }));
        const also = sources.paths.length > 1 ? ` (nor ${sources.paths.filter(p => p !== field).join(', ')})` : '';
        return {
            level: spec.mode === 'report' ? 'warn' : 'error',
            subject,
            message: `reads "${field}", which no line has${also}${fields.truncated ? ' among the fields kept' : ''}${hint ? `: ${hint} fix ${spec.path}.${role}` : `: check ${spec.path}.${role}`}`
        };
    }
    const invalidText = invalid.map(([k, n]) => `${int(n)} ${k}`).join('; ');
    const records = evidence.quality.records;
    if (records === 0) {
        return {
            level: 'warn',
            subject,
            message: `reads ${reads}: values not checked, since no line is a record of either arm`
        };
    }
    if (fieldSources(spec.from).always) {
        return { level: 'ok', subject, message: `reads ${reads}: every record has a value` };
    }
    if (baseline + canary === 0) {
        return {
            level: spec.mode === 'report' ? 'warn' : 'error',
            subject,
            message: `reads ${reads}: the field appears, but no record has a usable value${invalidText ? ` (${invalidText})` : ''}`
        };
    }
    const counts = `baseline ${int(baseline)}, canary ${int(canary)} values`;
    const empty = ['baseline', 'canary'].filter(a => (a === 'baseline' ? baseline : canary) === 0);
    if (empty.length > 0) {
        return {
            level: 'warn',
            subject,
            message: `reads ${reads}: ${counts}; no ${empty[0]} record has a value${invalidText ? ` (${invalidText})` : ''}`
        };
    }
    return {
        level: invalid.length > 0 ? 'warn' : 'ok',
        subject,
        message: `reads ${reads}: ${counts}${invalidText ? `; ${invalidText}` : ''}`
    };
}
function dimensionFindings(policy, evidence) {
    const fields = evidence.quality.fields;
    if (!fields)
        return [];
    const seen = new Set(fields.paths);
    const findings = [];
    const check = (subject, field, path, aliases = []) => {
        if (seen.has(field)) {
            findings.push({ level: 'ok', subject, message: `field "${field}" appears` });
            return;
        }
        const hint = didYouMeanFields(suggestFields(field, fields.paths, { aliases }));
        findings.push({
            level: 'warn',
            subject,
            message: `field "${field}" appears in no line${hint ? `: ${hint} fix ${path}` : `: check ${path}`}`
        });
    };
    policy.segments?.by.forEach((d, i) => check('segments', d, `segments.by[${i}]`));
    if (policy.arms.unit !== undefined) {
        check('unit', policy.arms.unit, 'arms.unit', ['user_id', 'session_id']);
    }
    return findings;
}
/**
 * Every model served must have a price when a metric reads a cost computed from tokens (an
 * unpriced one shows as invalid `cost` values); a price for a model the data never names is
 * likely a misspelt model id.
 */
function pricingFinding(policy, evidence) {
    const costs = policy.metrics.some(m => fieldSources(m.from).priced);
    const priced = Object.keys(policy.pricing);
    if (!costs && priced.length === 0)
        return undefined;
    const models = new Set();
    for (const cell of evidence.cells) {
        for (const key of Object.keys(cell.models)) {
            if (key !== OTHER_MODELS)
                models.add(key.split('#')[0]);
        }
    }
    const seen = [...models].sort();
    const unpriced = Object.entries(evidence.quality.invalidValues).filter(([k]) => /^cost(_uncached)?: no price for model/.test(k));
    const unused = priced.filter(p => !models.has(p));
    const unusedText = unused.map(p => {
        const like = closestModel(p, seen);
        return `"${p}"${like ? ` (did you mean "${like}"?)` : ''}`;
    });
    if (unpriced.length > 0) {
        return {
            level: 'error',
            subject: 'pricing',
            message: `${unpriced.map(([k, n]) => `${k.replace(/^[^:]*: /, '')} (${int(n)} records)`).join('; ')}: add them to pricing (USD per 1M tokens), or log cost_usd${unusedText.length > 0 ? `; priced but never served: ${unusedText.join(', ')}` : ''}`
        };
    }
    if (unused.length > 0 && seen.length > 0) {
        return {
            level: 'warn',
            subject: 'pricing',
            message: `priced but never served: ${unusedText.join(', ')}; models in the data: ${seen.slice(0, 10).join(', ')}`
        };
    }
    return {
        level: 'ok',
        subject: 'pricing',
        message: seen.length > 0
            ? `every model served has a price (${seen.slice(0, 10).join(', ')})`
            : evidence.quality.records === 0
                ? 'not checked: no record of either arm'
                : 'no record names its model'
    };
}
/**
 * The served model a priced one most likely meant: a typo away, or the longest shared prefix of
 * at least 6 characters (`gpt-4o-2024-05-13` -> `gpt-4o-2024-08-06`, another snapshot).
 */
function closestModel(priced, served) {
    const typo = suggestFields(priced, served, { max: 1 })[0];
    if (typo)
        return typo;
    let best;
    for (const model of served) {
        let shared = 0;
        while (shared < Math.min(model.length, priced.length) && model[shared] === priced[shared])
            shared++;
        if (shared >= 6 && (!best || shared > best.shared))
            best = { model, shared };
    }
    return best?.model;
}
/** The report as text: one line per finding, then a count. */
function validationText(report) {
    const mark = { ok: '[ok]   ', warn: '[warn] ', error: '[error]' };
    const lines = [];
    if (report.data) {
        const d = report.data;
        lines.push(`${d.source}: ${int(d.lines)} lines, ${int(d.records)} records (baseline ${int(d.baseline)}, canary ${int(d.canary)}), ${int(d.malformed)} malformed`, '');
    }
    for (const f of report.findings)
        lines.push(`${mark[f.level]} ${f.subject}: ${f.message}`);
    const errors = report.findings.filter(f => f.level === 'error').length;
    const warnings = report.findings.filter(f => f.level === 'warn').length;
    lines.push('', errors > 0
        ? `${errors} problem${errors === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}: the policy does not fit this data.`
        : warnings > 0
            ? `No problem, ${warnings} warning${warnings === 1 ? '' : 's'}.`
            : report.data
                ? 'The policy fits the data.'
                : 'The policy is valid.');
    return lines.join('\n') + '\n';
}

/** How long a save waits for another process's lock before giving up. */
const LOCK_WAIT_MS = 15_000;
/** A lock older than this is left over from a process that died mid-save (a save takes ms). */
const STALE_LOCK_MS = 60_000;
/**
 * A local JSON file. `save` is an atomic compare-and-swap: it takes an exclusive lock file
 * (`<file>.lock`, created with O_CREAT|O_EXCL, so only one process can hold it), checks the
 * revision, writes a temporary file, flushes it to disk and renames it over the old one, then
 * releases the lock. Without the lock, two processes could both pass the revision check and the
 * later rename would silently overwrite the earlier one's transition. A lock left by a process
 * that died (same host, no such process, or older than a minute) is broken.
 */
class FileStateStore {
    path;
    rollout;
    sleep;
    lockPath;
    constructor(path, rollout, sleep = (ms) => new Promise(r => setTimeout(r, ms))) {
        this.path = path;
        this.rollout = rollout;
        this.sleep = sleep;
        this.lockPath = `${path}.lock`;
    }
    describe() {
        return this.path;
    }
    async load() {
        let text;
        try {
            text = await readFile(this.path, 'utf8');
        }
        catch (e) {
            if (e.code === 'ENOENT')
                return undefined;
            throw new StateError(`cannot read state file ${this.path}: ${e.message}`, {
                cause: e
            });
        }
        if (text.trim() === '') {
            throw new StateError(`state file ${this.path} is empty; delete it to start the rollout again at its first step`);
        }
        return parseState(text, `state file ${this.path}`, this.rollout);
    }
    async save(state, expectedRevision) {
        const owner = await this.lock();
        try {
            const current = await this.load();
            if (current?.revision !== expectedRevision) {
                throw new StateConflictError(`state file ${this.path}`, expectedRevision, current?.revision);
            }
            await this.replace(JSON.stringify(state, null, 2) + '\n');
        }
        finally {
            await this.unlock(owner);
        }
    }
    /** Write a temporary file, flush it, and rename it over the state: readers see old or new. */
    async replace(text) {
        const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        try {
            const file = await open(tmp, 'wx');
            try {
                await file.writeFile(text, 'utf8');
                await file.sync();
            }
            finally {
                await file.close();
            }
            await rename(tmp, this.path);
        }
        catch (e) {
            await unlink(tmp).catch(() => undefined);
            throw new StateError(`cannot write state file ${this.path}: ${e.message}`, {
                cause: e
            });
        }
    }
    async lock() {
        const owner = {
            pid: process.pid,
            host: hostname(),
            at: new Date().toISOString(),
            nonce: randomBytes(8).toString('hex')
        };
        const started = Date.now();
        for (let attempt = 0;; attempt++) {
            try {
                const file = await open(this.lockPath, 'wx');
                try {
                    await file.writeFile(JSON.stringify(owner) + '\n', 'utf8');
                }
                finally {
                    await file.close();
                }
                return owner;
            }
            catch (e) {
                const code = e.code;
                if (code !== 'EEXIST') {
                    throw new StateError(`cannot lock state file ${this.path} (${this.lockPath}): ${e.message}`, { cause: e });
                }
            }
            const held = await this.readLock();
            if (held && (await this.stale(held))) {
                await this.breakLock(held);
                continue;
            }
            if (Date.now() - started > LOCK_WAIT_MS) {
                const who = held
                    ? ` by process ${held.owner.pid} on ${held.owner.host} since ${held.owner.at}`
                    : '';
                throw new StateError(`state file ${this.path} is locked${who}; if no rollout-gate is running on it, delete ${this.lockPath} and run again`);
            }
            await this.sleep(Math.min(500, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
        }
    }
    async readLock() {
        try {
            const [text, info] = await Promise.all([readFile(this.lockPath, 'utf8'), stat(this.lockPath)]);
            const owner = JSON.parse(text);
            return { owner, mtimeMs: info.mtimeMs };
        }
        catch {
            // Gone (released meanwhile), or not written yet by its creator: look again.
            return undefined;
        }
    }
    async stale(held) {
        if (Date.now() - held.mtimeMs > STALE_LOCK_MS)
            return true;
        if (held.owner.host !== hostname() || typeof held.owner.pid !== 'number')
            return false;
        try {
            process.kill(held.owner.pid, 0);
            return false;
        }
        catch (e) {
            return e.code === 'ESRCH';
        }
    }
    /** Removes a dead process's lock, unless another process has taken a new one meanwhile. */
    async breakLock(held) {
        const now = await this.readLock();
        if (now?.owner.nonce === held.owner.nonce)
            await unlink(this.lockPath).catch(() => undefined);
    }
    async unlock(owner) {
        const held = await this.readLock();
        if (held?.owner.nonce === owner.nonce)
            await unlink(this.lockPath).catch(() => undefined);
    }
}

/**
 * Where a rollout stands, from its stored state: the current verdict and why, the step's progress
 * against the policy's bake time and limit (as of `now`), and the history of transitions with who
 * made them (the gate, or a person). `status` prints it; the Action writes it to the job summary.
 */
function statusReport(policy, state, now) {
    const name = policy.rollout.name;
    if (!state) {
        const text = `${name}: no state yet (the first evaluate starts the first step)`;
        return {
            text: text + '\n',
            markdown: `### \`${plainName(name)}\`: no state yet\n\nThe first evaluation starts the first step.\n`
        };
    }
    const facts = statusFacts(policy, state, now);
    const transitions = transitionsOf(state.history);
    const shown = transitions.slice(-20);
    const earlier = transitions.length - shown.length;
    const text = [
        `${name}: ${facts.headline}`,
        `  ${facts.progress.replace(/\*\*(.*?)\*\*/g, '[$1]')}`,
        `  ${facts.step}`,
        ...(facts.verdict ? [`  ${facts.verdict}`] : []),
        `  state revision ${state.revision}`
    ];
    if (shown.length > 0) {
        text.push('', `History (${transitions.length} transition${transitions.length === 1 ? '' : 's'}${earlier > 0 ? `, the last ${shown.length}` : ''}):`);
        for (const t of shown) {
            text.push(`  ${t.at}  ${t.what.padEnd(9)} ${`${t.from}% -> ${t.to}%`.padEnd(12)} by ${t.by}: ${t.why}`);
        }
    }
    const markdown = [
        `### \`${plainName(name)}\`: ${escapeMarkdown(facts.headline)}`,
        '',
        facts.progress,
        '',
        `- ${escapeMarkdown(facts.step)}`,
        ...(facts.verdict ? [`- ${escapeMarkdown(facts.verdict)}`] : []),
        `- State revision ${state.revision}`
    ];
    if (shown.length > 0) {
        markdown.push('', `**History**${earlier > 0 ? ` (the last ${shown.length} of ${transitions.length} transitions)` : ''}`, '', '| when | what | canary | by | why |', '|---|---|---|---|---|', ...shown.map(t => `| ${t.at} | ${t.what} | ${t.from}% → ${t.to}% | ${escapeMarkdown(t.by)} | ${escapeMarkdown(t.why)} |`));
    }
    return { text: text.join('\n') + '\n', markdown: markdown.join('\n') + '\n' };
}
function statusFacts(policy, state, now) {
    const steps = policy.rollout.steps;
    const index = state.stepIndex;
    const weight = index < 0 ? 0 : (steps[index] ?? 0);
    const started = Date.parse(state.stepStartedAt);
    const elapsed = Math.max(0, now - started);
    const where = index < 0 ? 'the canary is at 0%' : `step ${index + 1} of ${steps.length} (${weight}%)`;
    const headline = state.status === 'running'
        ? `running at ${where}`
        : state.status === 'paused'
            ? `paused at ${where}`
            : state.status === 'complete'
                ? 'complete: the canary serves 100%'
                : 'rolled back: the canary is at 0%';
    const progress = steps
        .map((w, i) => {
        if (state.status === 'rolled-back')
            return `${w}%`;
        if (i < index || (state.status === 'complete' && i === index))
            return `${w}% ✓`;
        if (i === index)
            return `**${w}%**`;
        return `${w}%`;
    })
        .join(' → ');
    const step = state.status === 'running' || state.status === 'paused'
        ? `step began ${state.stepStartedAt}, ${duration$1(elapsed)} ago; bake time ${duration$1(policy.rollout.minDuration)}${elapsed >= policy.rollout.minDuration ? ' (baked)' : ` (${duration$1(policy.rollout.minDuration - elapsed)} to go)`}, limit ${duration$1(policy.rollout.maxDuration)} (then ${policy.rollout.onTimeout})`
        : `since ${state.history.at(-1)?.at ?? state.stepStartedAt}`;
    const last = state.history.at(-1);
    const paused = state.paused;
    const verdict = paused
        ? `paused by ${paused.actor} at ${paused.at}: ${paused.reason}`
        : last
            ? `last verdict ${last.at}: ${verdictWord(last)}${last.manual && last.actor ? ` by ${last.actor}` : ''}: ${last.manual && last.actor ? last.reason.replace(`${last.action} by ${last.actor}: `, '') : last.reason}`
            : undefined;
    return { headline, progress, step, verdict };
}
function verdictWord(h) {
    if (h.action === 'pause' || h.action === 'resume')
        return h.action;
    if (h.action === 'hold')
        return `hold at ${h.from}%`;
    if (h.action === 'rollback')
        return `rollback ${h.from}% -> ${h.to}%`;
    return h.from === h.to ? `promote (stays at ${h.to}%)` : `promote ${h.from}% -> ${h.to}%`;
}
/** Every move of the canary and every person's command, oldest first; repeated holds are not. */
function transitionsOf(history) {
    return history
        .filter(h => h.manual || h.from !== h.to || h.action === 'rollback')
        .map(h => ({
        at: h.at,
        what: h.action,
        from: h.from,
        to: h.to,
        by: h.manual ? (h.actor ?? 'someone') : 'the gate',
        // A person's decision's reason starts `pause by ana: `: the actor has a column of its own.
        why: h.manual && h.actor ? h.reason.replace(`${h.action} by ${h.actor}: `, '') : h.reason
    }));
}
const plainName = (name) => name.replace(/`/g, '');

/**
 * An anytime-valid one-sided test of a Bernoulli rate: after k successes in n trials, the
 * e-value of the uniform mixture of likelihood ratios against the boundary rate p0,
 *
 *   above (H0: p <= p0):  E = 1 / (1 - p0) * integral_{p0}^{1} (p / p0)^k ((1 - p) / (1 - p0))^(n - k) dp
 *   below (H0: p >= p0):  E = 1 / p0       * integral_{0}^{p0} (p / p0)^k ((1 - p) / (1 - p0))^(n - k) dp
 *
 * For each fixed alternative p1 >= p0 the likelihood ratio is a nonnegative supermartingale under
 * every p <= p0 (its expected factor p p1 / p0 + (1 - p)(1 - p1) / (1 - p0) grows with p and is 1
 * at p0), and so is their mixture over a fixed prior (Robbins, "Statistical methods related to the
 * law of the iterated logarithm", Ann. Math. Stat. 41, 1970). By Ville's inequality (Ville,
 * "Etude critique de la notion de collectif", 1939) P(exists n: E_n >= 1 / alpha) <= alpha under
 * H0, so the test may be looked at after every trial (Ramdas, Grunwald, Vovk & Shafer,
 * "Game-theoretic statistics and safe anytime-valid inference", Statistical Science 38, 2023).
 *
 * The integrals are incomplete beta functions with integer arguments:
 * integral_0^x p^k (1 - p)^(n - k) dp = B(k + 1, n - k + 1) P(Binomial(n + 1, x) >= k + 1), and
 * integral_x^1 of the same is B(k + 1, n - k + 1) P(Binomial(n + 1, x) <= k).
 */
/** log E after k successes in n trials; 0 before any trial. */
function logMixtureEValue(k, n, p0, side) {
    if (!(p0 > 0 && p0 < 1))
        throw new RangeError(`p0 must be in (0, 1), got ${p0}`);
    if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n)) {
        throw new RangeError(`need integers 0 <= k <= n, got k = ${k}, n = ${n}`);
    }
    if (n === 0)
        return 0;
    const logBeta = lgamma(k + 1) + lgamma(n - k + 1) - lgamma(n + 2);
    // Each tail summed on its own (not as 1 minus the other), so a tail near 0 keeps its digits.
    const logPart = side === 'above'
        ? logBinomialRange(n + 1, p0, 0, k) - Math.log(1 - p0) // over [p0, 1], prior 1 / (1 - p0)
        : logBinomialRange(n + 1, p0, k + 1, n + 1) - Math.log(p0); // over [0, p0], prior 1 / p0
    return logBeta + logPart - k * Math.log(p0) - (n - k) * Math.log(1 - p0);
}
/** The test rejects H0 once E >= 1 / alpha. */
function rejects(k, n, p0, side, alpha) {
    return logMixtureEValue(k, n, p0, side) >= -Math.log(alpha);
}
/** log P(from <= Binomial(n, p) <= to), summed in log space. */
function logBinomialRange(n, p, from, to) {
    if (from > to)
        return -Infinity;
    const lp = Math.log(p);
    const lq = Math.log1p(-p);
    const terms = [];
    for (let j = from; j <= to; j++) {
        terms.push(lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1) + j * lp + (n - j) * lq);
    }
    const max = Math.max(...terms);
    const sum = terms.reduce((t, x) => t + Math.exp(x - max), 0);
    return Math.min(0, max + Math.log(sum));
}

/**
 * A rollout state held in memory for the length of one process: `backtest` carries it from look
 * to look as a scheduled workflow carries its state file, and nothing is ever written. Saved
 * through JSON, as the file store does, so a look reads exactly what a state file would give back
 * (an unbounded interval in the history comes back as null, as from a file).
 */
class MemoryStateStore {
    name;
    state;
    revision;
    constructor(name = 'memory') {
        this.name = name;
    }
    describe() {
        return this.name;
    }
    /** The saved state; the same object until the next save (evaluate() never changes a loaded state). */
    load() {
        return Promise.resolve(this.state);
    }
    save(state, expectedRevision) {
        if (this.revision !== expectedRevision) {
            return Promise.reject(new StateConflictError(this.name, expectedRevision, this.revision));
        }
        this.state = JSON.parse(JSON.stringify(state));
        this.revision = state.revision;
        return Promise.resolve();
    }
}

/**
 * C0 and C1 control characters and the Unicode line separators: anything that could end a log
 * line, start a new one (where `::command::` is a GitHub Actions workflow command) or drive a
 * terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** One line of plain text: control characters from data become visible escapes (`\u001b`). */
const plainLine = (text) => text.replace(CONTROL, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function xyChart(c) {
    const clip = (v) => {
        const bound = c.clip ?? Number.MAX_VALUE;
        const x = Number.isFinite(v) ? v : v > 0 ? bound : v < 0 ? -bound : 0;
        return round(Math.max(-bound, Math.min(bound, x)));
    };
    const series = (values) => `[${values.map(clip).join(', ')}]`;
    const range = c.yRange ? ` ${round(c.yRange[0])} --> ${round(c.yRange[1])}` : '';
    return [
        '```mermaid',
        'xychart-beta',
        `  title "${chartLabel(c.title, 100)}"`,
        `  x-axis [${c.x.map(x => `"${chartLabel(x, 30)}"`).join(', ')}]`,
        `  y-axis "${chartLabel(c.yLabel, 60)}"${range}`,
        ...(c.bars ?? []).map(b => `  bar ${series(b)}`),
        ...c.lines.map(l => `  line ${series(l)}`),
        '```'
    ].join('\n');
}
/** Evenly spaced indices of `n` items, at most `max` of them, always the first and the last. */
function sampleIndices(n, max) {
    if (n <= max)
        return Array.from({ length: n }, (_, i) => i);
    const picked = new Set();
    for (let j = 0; j < max; j++)
        picked.add(Math.round((j * (n - 1)) / (max - 1)));
    return [...picked].sort((a, b) => a - b);
}
const round = (v) => Math.round(v * 1000) / 1000;
/** Mermaid strings are double-quoted: keep to characters that cannot end or escape them. */
const chartLabel = (text, max) => text.replace(/[^\w .%/()+:=-]/g, '').slice(0, max);

/** The contents API refused a write because the file changed since it was read. */
class ContentConflictError extends Error {
    constructor(path) {
        super(`${path} changed since it was read`);
        this.name = 'ContentConflictError';
    }
}
/**
 * Files in the repository through the contents API
 * (https://docs.github.com/en/rest/repos/contents). A write names the blob sha it replaces, so
 * GitHub rejects it (409, or 422 for a missing sha) when someone else wrote first.
 */
class RepoFiles {
    github;
    repo;
    constructor(github, repo) {
        this.github = github;
        this.repo = repo;
    }
    /** The file on `ref`, or undefined when it (or the branch) does not exist. */
    async read(path, ref) {
        try {
            const { data } = await this.github.rest.repos.getContent({
                ...this.repo,
                path,
                ...(ref && { ref })
            });
            if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
                throw new Error(`${path} is not a file`);
            }
            return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
        }
        catch (e) {
            if (statusOf(e) === 404)
                return undefined;
            throw explainGitHubError(e, `read ${path}${ref ? ` on ${ref}` : ''}`, 'contents: read');
        }
    }
    /** Create or replace the file on `branch`; `sha` is the blob replaced (undefined: a new file). */
    async write(path, branch, text, sha, message) {
        try {
            const { data } = await this.github.rest.repos.createOrUpdateFileContents({
                ...this.repo,
                path,
                branch,
                message,
                content: Buffer.from(text, 'utf8').toString('base64'),
                ...(sha && { sha })
            });
            return { sha: data.content?.sha ?? '', commitUrl: data.commit.html_url };
        }
        catch (e) {
            const status = statusOf(e);
            // 409: the sha is not the file's current one; 422: "sha" wasn't supplied for an existing file.
            const message = e.message;
            if (/protected|rule violation/i.test(message)) {
                throw new GitHubError(`could not write ${path}: branch ${branch} is protected (${message}). Use a branch that only this Action writes to, without protection rules.`, status);
            }
            if (status === 409 || (status === 422 && /sha/i.test(message))) {
                throw new ContentConflictError(path);
            }
            throw explainGitHubError(e, `write ${path} on branch ${branch}`, 'contents: write');
        }
    }
    async defaultBranch() {
        try {
            const { data } = await this.github.rest.repos.get({ ...this.repo });
            return data.default_branch;
        }
        catch (e) {
            throw explainGitHubError(e, `read repository ${this.repo.owner}/${this.repo.repo}`, 'contents: read');
        }
    }
    /** True when the branch exists. */
    async hasBranch(branch) {
        try {
            await this.github.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` });
            return true;
        }
        catch (e) {
            if (statusOf(e) === 404)
                return false;
            throw explainGitHubError(e, `look up branch ${branch}`, 'contents: read');
        }
    }
    /** Create `branch` at the default branch's head (tolerates a concurrent creation). */
    async createBranch(branch) {
        const base = await this.defaultBranch();
        try {
            const { data } = await this.github.rest.git.getRef({ ...this.repo, ref: `heads/${base}` });
            await this.github.rest.git.createRef({
                ...this.repo,
                ref: `refs/heads/${branch}`,
                sha: data.object.sha
            });
        }
        catch (e) {
            if (statusOf(e) === 422 && /already exists/i.test(e.message))
                return;
            throw explainGitHubError(e, `create branch ${branch}`, 'contents: write');
        }
    }
}

/**
 * The rollout state as a JSON document on a dedicated branch (`rollouts/<name>.json`), written with
 * the contents API. The blob sha read by `load` is the compare-and-swap token of `save`: when
 * another run wrote in between, GitHub refuses the write and `save` throws StateConflictError, so
 * the caller re-reads and decides again instead of overwriting that run's transition.
 */
class GitHubStateStore {
    files;
    branch;
    rollout;
    path;
    /** The blob read by the last `load` (undefined: there was no document). */
    sha;
    constructor(files, branch, rollout) {
        this.files = files;
        this.branch = branch;
        this.rollout = rollout;
        this.path = `rollouts/${rollout}.json`;
    }
    describe() {
        return `${this.path} on branch ${this.branch}`;
    }
    async load() {
        const file = await this.files.read(this.path, this.branch);
        this.sha = file?.sha;
        if (!file)
            return undefined;
        return parseState(file.text, `rollout state ${this.describe()}`, this.rollout);
    }
    async save(state, expectedRevision) {
        if (this.sha === undefined && !(await this.files.hasBranch(this.branch))) {
            await this.files.createBranch(this.branch);
        }
        const last = state.history.at(-1);
        const what = last ? `${last.action} ${last.from}% → ${last.to}%` : state.status;
        try {
            const { sha } = await this.files.write(this.path, this.branch, JSON.stringify(state, null, 2) + '\n', this.sha, `rollout ${this.rollout}: ${what} (revision ${state.revision})`);
            this.sha = sha;
        }
        catch (e) {
            if (e instanceof ContentConflictError) {
                throw new StateConflictError(`rollout state ${this.describe()}`, expectedRevision, undefined);
            }
            throw e;
        }
    }
}

export { MemoryStateStore as A, initialState as B, weightAt as C, explainGitHubError as D, statusOf as E, FileStateStore as F, commentMarker as G, GitHubStateStore as H, rejects as I, pairsOf as J, healthBlock as K, LABEL_NAME as L, METRIC_NAME as M, lengthBlock as N, projectionText as O, PRESET_TABLES as P, judgeCheckDetail as Q, RepoFiles as R, SCHEMA_ID as S, median as T, tStar as U, metricAlphas as V, WEBHOOK_SECRET_ENV as W, stopReason as X, compareMetric as Y, judgeWarnings as Z, applyAll as a, buildActuators as b, command as c, decideAgainOnConflict as d, evaluate as e, statusReport as f, validationText as g, parsePolicy as h, policyJsonSchema as i, renderMarkdown as j, knownSecrets as k, loadPolicyFile as l, renderText as m, escapeMarkdown as n, duration$1 as o, policyReport as p, plainLine as q, recordJson as r, sourceFor as s, int as t, sampleIndices as u, validateData as v, oneLine as w, xyChart as x, judgeSampleSize as y, change as z };
