import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { open, stat as stat$1, readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { resolve as resolve$1, relative as relative$1, isAbsolute as isAbsolute$1, dirname as dirname$1, join, basename as basename$1 } from 'node:path';
import require$$0 from 'process';
import require$$0$1 from 'buffer';
import * as nativeFs from 'fs';
import { statSync, stat, realpathSync, realpath, readdirSync, readdir } from 'fs';
import { sep, basename, dirname, resolve, normalize, relative, posix, isAbsolute } from 'path';
import { fileURLToPath } from 'url';
import { createRequire } from 'module';
import { pipeline, Readable } from 'node:stream';
import { Transform } from 'stream';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** A problem with how the tool was called (flags, inputs, a state that refuses a command): exit 2. */
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}

/**
 * Sufficient statistics of a ratio estimator over independent clusters (src/sketch/types.ts).
 * They are plain sums, so two sets merge by addition and merging is associative and commutative:
 * the delta-method variance of sum(x) / sum(y) needs only these six numbers.
 */
function emptyMoments() {
    return { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 };
}
/** Adds one cluster (a request with y = 1, or a unit's sums) in place. */
function addCluster(m, x, y) {
    m.n += 1;
    m.sx += x;
    m.sy += y;
    m.sxx += x * x;
    m.syy += y * y;
    m.sxy += x * y;
}
/** The moments of the union of two sets of clusters, as a new object. */
function mergeMoments(a, b) {
    return {
        n: a.n + b.n,
        sx: a.sx + b.sx,
        sy: a.sy + b.sy,
        sxx: a.sxx + b.sxx,
        syy: a.syy + b.syy,
        sxy: a.sxy + b.sxy
    };
}
/** Adds `from`'s clusters into `into`, in place. */
function addMoments(into, from) {
    into.n += from.n;
    into.sx += from.sx;
    into.sy += from.sy;
    into.sxx += from.sxx;
    into.syy += from.syy;
    into.sxy += from.sxy;
}

/**
 * DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019). A positive value v lands in bucket ceil(log_gamma(v)),
 * gamma = (1 + alpha) / (1 - alpha); bucket i covers (gamma^(i-1), gamma^i] and is read back as
 * 2 gamma^i / (gamma + 1), which is within relative error alpha of every value in it. Negative
 * values use a second store keyed by |v|, zeros a counter. Merging adds bucket counts, so it is
 * exact, associative and commutative.
 *
 * Memory is bounded: each store keeps at most `maxBuckets` (default 2048) contiguous buckets and,
 * past that, folds the lowest ones into the lowest kept bucket (the paper's "collapsing lowest"
 * store, section 2.2). With alpha = 0.01, 2048 buckets span a factor gamma^2048 ~ 6e17, so only
 * data covering more than 17 orders of magnitude loses accuracy, and then only in its low tail.
 */
const DEFAULT_RELATIVE_ACCURACY = 0.01;
const DEFAULT_MAX_BUCKETS = 2048;
const MIN_CAPACITY = 64;
const NO_COUNTS = new Float64Array(0);
/** Counts over a contiguous range of bucket indices in a typed array (index - offset). */
class DenseStore {
    maxBuckets;
    counts = NO_COUNTS;
    /** Bucket index of counts[0]. */
    offset = 0;
    /** Lowest and highest non-empty bucket indices. */
    minIndex = Infinity;
    maxIndex = -Infinity;
    total = 0;
    constructor(maxBuckets) {
        this.maxBuckets = maxBuckets;
    }
    add(index, count) {
        let slot = index - this.offset;
        if (slot < 0 || slot >= this.counts.length) {
            index = this.grow(index);
            slot = index - this.offset;
        }
        this.counts[slot] = this.counts[slot] + count;
        if (index < this.minIndex)
            this.minIndex = index;
        if (index > this.maxIndex)
            this.maxIndex = index;
        this.total += count;
    }
    /**
     * Reallocates the array to cover `index` (with slack for more growth) and returns the bucket the
     * value lands in: `index` itself, or the lowest kept bucket when the range would exceed the cap.
     */
    grow(index) {
        const hi = Math.max(this.maxIndex, index);
        const lo = Math.max(Math.min(this.minIndex, index), hi - this.maxBuckets + 1);
        const span = hi - lo + 1;
        const capacity = Math.min(this.maxBuckets, Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(2 * span))));
        const offset = lo - Math.floor((capacity - span) / 2);
        const counts = new Float64Array(capacity);
        for (let j = this.minIndex; j <= this.maxIndex; j++) {
            const c = this.counts[j - this.offset];
            if (c > 0) {
                const kept = Math.max(j, lo) - offset;
                counts[kept] = counts[kept] + c;
            }
        }
        if (this.total > 0)
            this.minIndex = Math.max(this.minIndex, lo);
        this.counts = counts;
        this.offset = offset;
        return Math.max(index, lo);
    }
    /** Bucket index of the rank-th (1-based) smallest value. */
    indexAtRank(rank) {
        let seen = 0;
        for (let j = this.minIndex; j < this.maxIndex; j++) {
            seen += this.counts[j - this.offset];
            if (seen >= rank)
                return j;
        }
        return this.maxIndex;
    }
    /** Bucket index of the rank-th (1-based) largest value. */
    indexAtRankFromTop(rank) {
        let seen = 0;
        for (let j = this.maxIndex; j > this.minIndex; j--) {
            seen += this.counts[j - this.offset];
            if (seen >= rank)
                return j;
        }
        return this.minIndex;
    }
    mergeFrom(other) {
        for (let j = other.minIndex; j <= other.maxIndex; j++) {
            const c = other.counts[j - other.offset];
            if (c > 0)
                this.add(j, c);
        }
    }
    toBuckets() {
        if (this.total === 0)
            return { offset: 0, counts: [] };
        const from = this.minIndex - this.offset;
        return {
            offset: this.minIndex,
            counts: Array.from(this.counts.subarray(from, this.maxIndex - this.offset + 1))
        };
    }
}
class QuantileSketch {
    alpha;
    /** 1 / ln(gamma): index(v) = ceil(ln(v) * multiplier). */
    multiplier;
    /** 2 / (gamma + 1): the value of bucket i is gamma^i times this. */
    midpoint;
    positive;
    negative;
    zeros = 0;
    n = 0;
    min = Infinity;
    max = -Infinity;
    constructor(relativeAccuracy = DEFAULT_RELATIVE_ACCURACY, maxBuckets = DEFAULT_MAX_BUCKETS) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new RangeError(`QuantileSketch: relative accuracy must be in (0, 1), got ${relativeAccuracy}`);
        }
        const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        this.alpha = relativeAccuracy;
        this.multiplier = 1 / Math.log(gamma);
        this.midpoint = 2 / (gamma + 1);
        this.positive = new DenseStore(maxBuckets);
        this.negative = new DenseStore(maxBuckets);
    }
    get count() {
        return this.n;
    }
    get relativeAccuracy() {
        return this.alpha;
    }
    add(v) {
        if (!Number.isFinite(v))
            throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`);
        if (v > 0)
            this.positive.add(Math.ceil(Math.log(v) * this.multiplier), 1);
        else if (v < 0)
            this.negative.add(Math.ceil(Math.log(-v) * this.multiplier), 1);
        else
            this.zeros += 1;
        this.n += 1;
        if (v < this.min)
            this.min = v;
        if (v > this.max)
            this.max = v;
    }
    /**
     * add(v) on this sketch and on `twin` (same relative accuracy), computing the bucket once: the
     * evidence builder files each baseline value in its cell and in its A/A half.
     */
    addWithTwin(v, twin) {
        if (!Number.isFinite(v))
            throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`);
        if (v > 0) {
            const index = Math.ceil(Math.log(v) * this.multiplier);
            this.positive.add(index, 1);
            twin.positive.add(index, 1);
        }
        else if (v < 0) {
            const index = Math.ceil(Math.log(-v) * this.multiplier);
            this.negative.add(index, 1);
            twin.negative.add(index, 1);
        }
        else {
            this.zeros += 1;
            twin.zeros += 1;
        }
        this.n += 1;
        twin.n += 1;
        if (v < this.min)
            this.min = v;
        if (v > this.max)
            this.max = v;
        if (v < twin.min)
            twin.min = v;
        if (v > twin.max)
            twin.max = v;
    }
    /** Adds another sketch's counts into this one; both must have the same relative accuracy. */
    merge(other) {
        if (other.alpha !== this.alpha) {
            throw new RangeError(`QuantileSketch.merge: relative accuracy ${other.alpha} differs from ${this.alpha}`);
        }
        this.positive.mergeFrom(other.positive);
        this.negative.mergeFrom(other.negative);
        this.zeros += other.zeros;
        this.n += other.n;
        if (other.min < this.min)
            this.min = other.min;
        if (other.max > this.max)
            this.max = other.max;
    }
    /**
     * The value of the rank-th smallest observation (1-based, clamped to [1, count]), within relative
     * error `relativeAccuracy`; the observed min and max are exact. NaN when the sketch is empty.
     */
    valueAtRank(rank) {
        if (this.n === 0)
            return NaN;
        const r = Math.min(this.n, Math.max(1, Math.ceil(rank)));
        if (r === 1)
            return this.min;
        if (r === this.n)
            return this.max;
        const negatives = this.negative.total;
        let value;
        if (r <= negatives)
            value = -this.bucketValue(this.negative.indexAtRankFromTop(r));
        else if (r <= negatives + this.zeros)
            value = 0;
        else
            value = this.bucketValue(this.positive.indexAtRank(r - negatives - this.zeros));
        return Math.min(this.max, Math.max(this.min, value));
    }
    /**
     * The lower empirical q-quantile: the observation of rank 1 + floor(q (count - 1)) in sorted
     * order (DDSketch, Algorithm 2), within `relativeAccuracy`. NaN when the sketch is empty.
     */
    quantile(q) {
        if (!(q >= 0 && q <= 1))
            throw new RangeError(`QuantileSketch.quantile: q must be in [0, 1], got ${q}`);
        return this.valueAtRank(1 + Math.floor(q * (this.n - 1)));
    }
    toJSON() {
        return {
            alpha: this.alpha,
            count: this.n,
            zeros: this.zeros,
            positive: this.positive.toBuckets(),
            negative: this.negative.toBuckets(),
            min: this.n > 0 ? this.min : 0,
            max: this.n > 0 ? this.max : 0
        };
    }
    static fromJSON(data) {
        const sketch = new QuantileSketch(data.alpha);
        data.positive.counts.forEach((c, i) => c > 0 && sketch.positive.add(data.positive.offset + i, c));
        data.negative.counts.forEach((c, i) => c > 0 && sketch.negative.add(data.negative.offset + i, c));
        sketch.zeros = data.zeros;
        sketch.n = sketch.positive.total + sketch.negative.total + data.zeros;
        if (sketch.n !== data.count) {
            throw new RangeError(`QuantileSketch.fromJSON: count ${data.count} does not match its buckets (${sketch.n})`);
        }
        if (sketch.n > 0) {
            sketch.min = data.min;
            sketch.max = data.max;
        }
        return sketch;
    }
    bucketValue(index) {
        return Math.exp(index / this.multiplier) * this.midpoint;
    }
}

/** Named keys kept in a cell's `models` map; the rest are summed under `other` (Cell.models). */
const MAX_MODEL_KEYS = 20;
const OTHER_MODELS = 'other';
/**
 * The totals of a set of cells, e.g. every bucket of one arm in the total segment. Units add up
 * exactly because a cell counts only the units first seen in it. With no cells, `metrics` is [].
 */
function mergeCells(cells) {
    const metricCount = cells[0]?.metrics.length ?? 0;
    const moments = Array.from({ length: metricCount }, emptyMoments);
    const requests = new Array(metricCount).fill(0);
    const sketches = new Array(metricCount).fill(undefined);
    const models = {};
    const errors = {};
    let totalRequests = 0;
    let units = 0;
    for (const cell of cells) {
        totalRequests += cell.requests;
        units += cell.units;
        addCounts$1(models, cell.models);
        addCounts$1(errors, cell.errors);
        for (let i = 0; i < metricCount; i++) {
            const m = cell.metrics[i];
            if (!m)
                throw new RangeError(`mergeCells: a cell has ${cell.metrics.length} metrics, expected ${metricCount}`);
            moments[i] = mergeMoments(moments[i], m.moments);
            requests[i] += m.requests;
            if (m.quantiles) {
                const sketch = (sketches[i] ??= new QuantileSketch(m.quantiles.alpha));
                sketch.merge(QuantileSketch.fromJSON(m.quantiles));
            }
        }
    }
    const metrics = moments.map((mo, i) => {
        const sketch = sketches[i];
        const merged = { moments: mo, requests: requests[i] };
        if (sketch)
            merged.quantiles = sketch.toJSON();
        return merged;
    });
    return {
        requests: totalRequests,
        units,
        metrics,
        models: capKeys(models, MAX_MODEL_KEYS, OTHER_MODELS),
        errors
    };
}
function addCounts$1(into, from) {
    for (const [key, count] of Object.entries(from))
        into[key] = (into[key] ?? 0) + count;
}
/** Keeps the `maxKeys` most frequent keys (ties by name) and sums the rest under `otherKey`. */
function capKeys(counts, maxKeys, otherKey) {
    const named = Object.entries(counts).filter(([key]) => key !== otherKey);
    if (named.length <= maxKeys)
        return counts;
    named.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const capped = {};
    let other = counts[otherKey] ?? 0;
    named.forEach(([key, count], rank) => {
        if (rank < maxKeys)
            capped[key] = count;
        else
            other += count;
    });
    capped[otherKey] = other;
    return capped;
}

const TOTAL_SEGMENT = '*';
/** The source could not produce evidence at all. The message says what and what to do. */
class SourceError extends Error {
    constructor(message) {
        super(message);
        this.name = 'SourceError';
    }
}
/** Data quality before anything was read. */
function emptyQuality() {
    return {
        lines: 0,
        records: 0,
        malformed: 0,
        malformedSamples: [],
        unmatchedArms: {},
        outsideWindow: 0,
        future: 0,
        invalidValues: {},
        files: []
    };
}

/**
 * Splitting the family-wise error budget across the gating metrics (DESIGN.md: "Error budget:
 * 1 - confidence, split across the gating metrics").
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

/** Formatting shared by the decision reasons and the reports. Pure; English, thousands with commas. */
const int$2 = (n) => Math.round(n).toLocaleString('en-US');
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
        return int$2(n);
    const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1);
    return int$2(Math.ceil(n / magnitude) * magnitude);
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
        return int$2(v);
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
/** The metric's run-to-run noise from the A/A check: "A/A ±1.2%", or '' when not measured. */
function noiseText(m) {
    return m.aa ? `A/A ±${change(m, m.aa.noise, m.delta.relative).slice(1)}` : '';
}

/**
 * The standard normal distribution: its CDF (through Cody's erfc) and its quantile function
 * (Wichura's AS241). Both are accurate to about 1e-15 relative, far inside the 1e-9 the
 * confidence sequences need.
 */
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
    const q = p - 0.5;
    if (Math.abs(q) <= 0.425) {
        const r = 0.180625 - q * q;
        return (q * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r);
    }
    const tail = 1 - p;
    const r = Math.sqrt(-Math.log(tail));
    const x = r <= 5
        ? polynomial(NEAR_NUM, r - 1.6) / polynomial(NEAR_DEN, r - 1.6)
        : polynomial(FAR_NUM, r - 5) / polynomial(FAR_DEN, r - 5);
    return x;
}

/**
 * Confidence sequences (CS): intervals valid at every look simultaneously, so the gate may look
 * as often as it likes (DESIGN.md, "Statistics contract").
 *
 * All of them use the two-sided normal-mixture boundary of Robbins (1970), in the form of
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
    if (sigma === 0)
        return 0;
    const v = t * rho * rho + 1;
    return sigma * Math.sqrt(((2 * v) / (t * t * rho * rho)) * Math.log(Math.sqrt(v) / alpha));
}
/**
 * Ratio estimator R = sum x / sum y over independent clusters and its delta-method variance
 * Var(R) ~ sum_i (x_i - R y_i)^2 / (n (n - 1) ybar^2), with the sum of squared residuals expanded
 * in the moments as sxx - 2 R sxy + R^2 syy (Cochran, Sampling Techniques, 3rd ed., 1977,
 * Section 6.4; Deng, Knoblich & Lu, "Applying the delta method in metric analytics", KDD 2018).
 * A plain mean is y = 1 per request: the variance is then s^2 / n.
 *
 * bernoulliFloor (rates in [0, 1]): the variance is at least p~(1 - p~) / sy with the Laplace
 * estimate p~ = (sx + 1) / (sy + 2), so an arm with no observed errors never has zero variance.
 */
function armEstimate(m, bernoulliFloor) {
    const n = m.n;
    if (!(m.sy > 0))
        return { estimate: NaN, variance: Infinity, n };
    const r = m.sx / m.sy;
    if (!(n >= 2))
        return { estimate: r, variance: Infinity, n };
    const ybar = m.sy / n;
    // Rounding can push a (near) zero residual sum slightly below 0.
    const residualSquares = Math.max(0, m.sxx - 2 * r * m.sxy + r * r * m.syy);
    let variance = residualSquares / (n * (n - 1) * ybar * ybar);
    if (bernoulliFloor) {
        const p = (m.sx + 1) / (m.sy + 2);
        variance = Math.max(variance, (p * (1 - p)) / m.sy);
    }
    return { estimate: r, variance: Number.isNaN(variance) ? Infinity : variance, n };
}
/** The estimate and variance of canary - baseline, or canary / baseline - 1 (delta method). */
function contrast(b, c, relative) {
    if (!relative)
        return { estimate: c.estimate - b.estimate, variance: b.variance + c.variance };
    if (b.estimate === 0 || Number.isNaN(b.estimate))
        return { estimate: NaN, variance: Infinity };
    // Var(Rc / Rb) ~ Vc / Rb^2 + Rc^2 Vb / Rb^4 (first-order delta method, independent arms).
    const rb2 = b.estimate * b.estimate;
    return {
        estimate: c.estimate / b.estimate - 1,
        variance: c.variance / rb2 + (c.estimate * c.estimate * b.variance) / (rb2 * rb2)
    };
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
 * CS for the difference of two arms' ratio metrics (means, rates, sum-over-sum ratios), absolute
 * (canary - baseline) or relative (canary / baseline - 1), valid at every look.
 *
 * The two-arm stream is read as the inverse-propensity-weighted influence function of the
 * average treatment effect (Waudby-Smith et al. 2024, randomized experiments): after
 * t = n_baseline + n_canary clusters its standard deviation is se * sqrt(t), where se is the
 * standard error of the difference, so the half-width is se * sqrt(t) * csRadius(t, 1, alpha,
 * rho) with rho = mixtureRho(alpha, tStar). tStar is in the same unit as t (clusters, both arms).
 *
 * Degenerate inputs (an arm with n < 2 or sy = 0; a zero baseline for a relative change) give
 * -Infinity..Infinity with the estimates that can be computed and NaN for the others.
 */
function ratioDifferenceCS(baseline, canary, alpha, opts) {
    const rho = mixtureRho(alpha, opts.tStar);
    const floor = opts.bernoulliFloor ?? false;
    const b = armEstimate(baseline, floor);
    const c = armEstimate(canary, floor);
    const { estimate, variance } = contrast(b, c, opts.relative);
    const t = b.n + c.n;
    const se = Math.sqrt(variance);
    const halfWidth = se * Math.sqrt(t) * csRadius(t, 1, alpha, rho);
    return {
        estimate,
        ...around(estimate, halfWidth),
        baseline: b.estimate,
        canary: c.estimate,
        se: Number.isNaN(se) ? Infinity : se,
        t,
        relative: opts.relative
    };
}
/**
 * CS for one arm's ratio metric (an SLO `limit` on the canary alone): R +- sqrt(Var R) *
 * sqrt(n) * csRadius(n, 1, alpha, rho), the asymptotic CS of Waudby-Smith et al. (2024) for the
 * mean of the cluster residuals. tStar is in clusters of this arm.
 */
function ratioCS(m, alpha, opts) {
    const rho = mixtureRho(alpha, opts.tStar);
    const arm = armEstimate(m, opts.bernoulliFloor ?? false);
    const halfWidth = Math.sqrt(arm.variance) * Math.sqrt(arm.n) * csRadius(arm.n, 1, alpha, rho);
    return { estimate: arm.estimate, ...around(arm.estimate, halfWidth) };
}
/** The interval of true values a sketch value v' may stand for: |v' - v| <= a |v|. */
function trueValueRange(value, a) {
    if (value >= 0)
        return { low: value / (1 + a), high: value / (1 - a) };
    return { low: value / (1 - a), high: value / (1 + a) };
}
/**
 * CS for the q-quantile of one arm, valid at every look (Howard & Ramdas, "Sequential estimation
 * of quantiles with applications to A/B-testing and best-arm identification", Bernoulli 28
 * (2022)). At the true quantile x_q the indicators 1{X_i <= x_q} are Bernoulli(q), so their count
 * N stays within n q +- r, r = n * csRadius(n, sqrt(q (1 - q)), alpha, rho) (normal mixture with
 * the Bernoulli variance). Since X_(k) <= x_q exactly when N >= k, x_q lies between the order
 * statistics of ranks ceil(n q - r) and floor(n q + r) + 1. A rank below 1 gives -Infinity, above
 * n gives +Infinity. The values are widened by the sketch's relative accuracy.
 *
 * The estimate is the empirical quantile, the order statistic of rank max(1, ceil(n q)).
 * tStar is in observations of this arm.
 */
function quantileCS(sketch, q, alpha, tStar, designEffect = 1) {
    if (!(q > 0 && q < 1))
        throw new RangeError(`q must be in (0, 1), got ${q}`);
    const rho = mixtureRho(alpha, tStar);
    const n = sketch.count;
    if (!(n >= 1)) {
        return {
            estimate: NaN,
            lower: -Infinity,
            upper: Infinity,
            lowerRank: -Infinity,
            upperRank: Infinity
        };
    }
    // Requests of one user are correlated: the rank radius grows by the square root of the design
    // effect (Kish 1965), as the variance of a clustered mean does.
    const r = n * csRadius(n, Math.sqrt(q * (1 - q)), alpha, rho) * Math.sqrt(Math.max(1, designEffect));
    const lowerRank = Math.ceil(n * q - r);
    const upperRank = Math.floor(n * q + r) + 1;
    const a = sketch.relativeAccuracy;
    const lower = lowerRank >= 1 ? trueValueRange(sketch.valueAtRank(lowerRank), a).low : -Infinity;
    const upper = upperRank <= n ? trueValueRange(sketch.valueAtRank(upperRank), a).high : Infinity;
    const estimate = sketch.valueAtRank(Math.max(1, Math.ceil(n * q)));
    return { estimate, lower, upper, lowerRank, upperRank };
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
const Z_95 = normalQuantile(0.975);
/**
 * CS for the difference of two arms' q-quantiles: each arm's quantileCS at alpha / 2, so both
 * hold together with probability 1 - alpha (union bound), then interval arithmetic:
 * [c.lo - b.hi, c.hi - b.lo], or relative [c.lo / b.hi - 1, c.hi / b.lo - 1] with the signs
 * handled by relativeBounds. tStar is applied per arm, in observations of one arm.
 *
 * se has no delta-method meaning here; it is (upper - lower) / (2 * 1.96), the standard error a
 * fixed-time 95% interval of the same width would have, and Infinity when a bound is infinite.
 */
function quantileDifferenceCS(baseline, canary, q, alpha, opts) {
    // Each arm's own sequence is tuned to that arm's expected sample size: at a 1% step the canary
    // has ~1/99 of the baseline's traffic when a decision is due.
    const deff = opts.designEffect ?? { baseline: 1, canary: 1 };
    const b = quantileCS(baseline, q, alpha / 2, opts.tStar.baseline, deff.baseline);
    const c = quantileCS(canary, q, alpha / 2, opts.tStar.canary, deff.canary);
    const bounds = opts.relative
        ? relativeBounds(c, b)
        : { lower: c.lower - b.upper, upper: c.upper - b.lower };
    const estimate = opts.relative
        ? b.estimate > 0
            ? c.estimate / b.estimate - 1
            : NaN
        : c.estimate - b.estimate;
    const width = bounds.upper - bounds.lower;
    return {
        estimate,
        ...bounds,
        baseline: b.estimate,
        canary: c.estimate,
        se: Number.isFinite(width) ? width / (2 * Z_95) : Infinity,
        t: Math.max(0, baseline.count) + Math.max(0, canary.count),
        relative: opts.relative
    };
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
 * The design effect of clustering (Kish, Survey Sampling, 1965): how much larger the variance of
 * the metric's mean is when requests are grouped by user than if they were independent,
 * Var_clustered / Var_independent, at least 1. The quantile confidence sequence assumes
 * independent requests, so it is widened by this factor: heavy users whose requests are all slow
 * (long prompts, a slow region) must not read as a canary effect. The independent variance comes
 * from the per-request values in the quantile sketch (each bucket at its representative value, so
 * within the sketch's relative accuracy); the clustered one from the per-unit moments by the delta
 * method. 1 when the moments are not clustered (one cluster per request).
 */
function designEffect(m) {
    const { moments: c, quantiles, requests } = m;
    if (!quantiles || c.n >= requests || c.n < 2 || !(c.sy > 0))
        return 1;
    const independent = perRequestVariance(quantiles);
    if (!(independent > 0))
        return 1;
    const r = c.sx / c.sy;
    const ybar = c.sy / c.n;
    const residual = Math.max(0, c.sxx - 2 * r * c.sxy + r * r * c.syy);
    const clusteredVarOfMean = residual / (c.n * (c.n - 1) * ybar * ybar);
    const independentVarOfMean = independent / quantiles.count;
    const deff = clusteredVarOfMean / independentVarOfMean;
    return Number.isFinite(deff) ? Math.max(1, deff) : 1;
}
/** Sample variance of the sketched values, each bucket at DDSketch's representative 2 g^i / (g + 1). */
function perRequestVariance(d) {
    const gamma = (1 + d.alpha) / (1 - d.alpha);
    const value = (i) => (2 * gamma ** i) / (gamma + 1);
    let n = d.zeros;
    let sum = 0;
    let sumSq = 0;
    const add = (v, k) => {
        n += k;
        sum += v * k;
        sumSq += v * v * k;
    };
    d.positive.counts.forEach((k, i) => add(value(d.positive.offset + i), k));
    d.negative.counts.forEach((k, i) => add(-value(d.negative.offset + i), k));
    if (n < 2)
        return 0;
    return (sumSq - (sum * sum) / n) / (n - 1);
}

const toHarm = (d, better) => better === 'lower'
    ? { estimate: d.estimate, lower: d.lower, upper: d.upper }
    : { estimate: -d.estimate, lower: -d.upper, upper: -d.lower };
/**
 * Compare one metric between the arms: a confidence sequence for the change, then the verdict of
 * DESIGN.md: pass when the whole interval is better than the tolerance, fail when it is wholly
 * beyond it (or beyond the stricter `rollbackAt`), else inconclusive with a projection.
 */
function compareMetric(spec, baseline, canary, ctx) {
    const interval = differenceInterval(spec, baseline, canary, spec.tolerance, ctx);
    const harm = toHarm(interval, spec.better);
    const failAt = spec.rollbackAt ?? spec.tolerance;
    const failHarm = failAt.relative === spec.tolerance.relative
        ? harm
        : toHarm(differenceInterval(spec, baseline, canary, failAt, ctx), spec.better);
    const n = { baseline: baseline.requests, canary: canary.requests };
    const enough = n.baseline >= ctx.minSamples && n.canary >= ctx.minSamples;
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
        alpha: ctx.alpha,
        reason: '',
        method: methodOf(spec, interval)
    };
    if (spec.limit !== undefined)
        result.limit = limitResult(spec, spec.limit, canary, ctx);
    if (n.baseline >= ctx.minSamples) {
        const own = armInterval(spec, baseline, ctx, ctx.tStar.baseline);
        if (Number.isFinite(own.lower) && Number.isFinite(own.upper)) {
            result.baselineInterval = { lower: own.lower, upper: own.upper };
        }
    }
    if (verdict === 'inconclusive') {
        result.needed = needed(harm, interval.t, n, spec, failAt, ctx);
    }
    result.reason = reasonFor(result, enough, ctx.minSamples, harm.lower > spec.tolerance.value);
    return result;
}
function differenceInterval(spec, b, c, tolerance, ctx) {
    const relative = tolerance.relative;
    if (spec.kind === 'quantile') {
        return quantileDifferenceCS(sketchOf(b), sketchOf(c), spec.quantile ?? 0.5, ctx.alpha, {
            relative,
            tStar: ctx.tStar,
            designEffect: { baseline: designEffect(b), canary: designEffect(c) }
        });
    }
    return ratioDifferenceCS(b.moments, c.moments, ctx.alpha, {
        relative,
        tStar: ctx.tStar.total,
        bernoulliFloor: spec.kind === 'rate'
    });
}
const sketchOf = (m) => m.quantiles ? QuantileSketch.fromJSON(m.quantiles) : new QuantileSketch();
/** An SLO on the canary alone: breached when its whole interval is on the wrong side. */
function limitResult(spec, limit, canary, ctx) {
    const ci = armInterval(spec, canary, ctx, ctx.tStar.canary);
    const worse = (v) => (spec.better === 'lower' ? v > limit : v < limit);
    const enough = canary.requests >= ctx.minSamples;
    const breached = enough && worse(spec.better === 'lower' ? ci.lower : ci.upper);
    return {
        value: limit,
        lower: ci.lower,
        upper: ci.upper,
        breached,
        suspect: !breached && Number.isFinite(ci.estimate) && worse(ci.estimate)
    };
}
/** One arm's own confidence sequence for the metric (a limit, or the baseline's drift). */
function armInterval(spec, arm, ctx, tStar) {
    return spec.kind === 'quantile'
        ? quantileCS(sketchOf(arm), spec.quantile ?? 0.5, ctx.alpha, tStar, designEffect(arm))
        : ratioCS(arm.moments, ctx.alpha, { tStar, bernoulliFloor: spec.kind === 'rate' });
}
function needed(harm, t, n, spec, failAt, ctx) {
    const belowMinimum = Math.max(0, ctx.minSamples - n.canary);
    const rho = mixtureRho(ctx.alpha, ctx.tStar.total);
    const k = t > 0 && n.canary > 0
        ? samplesToDecide(harm, t, ctx.alpha, rho, spec.tolerance.value, failAt.value)
        : Infinity;
    const values = Number.isFinite(k)
        ? Math.max(belowMinimum, Math.ceil((k - 1) * n.canary))
        : belowMinimum > 0
            ? belowMinimum
            : null;
    // Values are what the interval counts; people count requests. A score on a third of the
    // requests needs three requests per value.
    const perValue = n.canary > 0 ? Math.max(1, ctx.canaryRequests / n.canary) : 1;
    const samples = values === null ? null : Math.ceil(values * perValue);
    const seconds = samples !== null && ctx.canaryRate > 0 ? Math.ceil(samples / ctx.canaryRate) : null;
    return { samples, seconds };
}
function methodOf(spec, d) {
    const scale = d.relative ? 'relative (delta method)' : 'absolute';
    if (spec.kind === 'quantile') {
        return `quantile-difference CS from each arm's quantile CS at alpha/2 (normal mixture on ranks, Howard & Ramdas 2022; widened by the per-user design effect), ${scale}`;
    }
    const base = spec.kind === 'rate'
        ? 'asymptotic CS with Bernoulli variance floor'
        : spec.kind === 'ratio'
            ? 'asymptotic CS for a ratio of sums'
            : 'asymptotic CS for a mean';
    return `${base} (Waudby-Smith et al. 2024), ${scale}`;
}
function reasonFor(r, enough, minSamples, beyondTolerance) {
    if (!enough) {
        return `needs ${minSamples} requests per arm (baseline ${r.n.baseline}, canary ${r.n.canary})`;
    }
    if (r.delta.relative && r.baseline === 0) {
        return 'the baseline is 0, so a relative change is undefined; give this metric an absolute tolerance';
    }
    if (!Number.isFinite(r.delta.estimate))
        return 'no usable values to compare';
    switch (r.verdict) {
        case 'pass':
            return 'the whole interval is within the tolerance';
        case 'fail':
            return r.rollbackAt !== undefined
                ? 'the whole interval is beyond the rollback threshold'
                : 'the whole interval is beyond the tolerance';
        default:
            return r.rollbackAt !== undefined && beyondTolerance
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
/**
 * What the record would have cost with no prompt cache: every input token at the uncached
 * `input` price, whatever was billed. The gap to computeCost is what caching saved.
 */
function computeUncachedCost(r, pricing) {
    if (r.input_tokens === undefined && r.output_tokens === undefined)
        return undefined;
    const price = priceOf(r.model, pricing);
    if (typeof price === 'string')
        return { invalid: price };
    return ((r.input_tokens ?? 0) * price.input + (r.output_tokens ?? 0) * price.output) / 1e6;
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

function emptyCacheSums() {
    return {
        requests: 0,
        hits: 0,
        inputTokens: 0,
        cacheReadTokens: 0,
        priced: 0,
        cost: 0,
        costUncached: 0,
        inputAtInputPrice: 0,
        inputAtCacheReadPrice: 0,
        latency: { hit: emptyMoments(), miss: emptyMoments() },
        ttft: { hit: emptyMoments(), miss: emptyMoments() }
    };
}
/**
 * Adds one request that has `input_tokens` (the caller checks). Tokens that are negative or not
 * finite are skipped here: the metric readers count them as invalid values.
 */
function addCacheRequest(c, r, input, pricing) {
    const cached = r.cache_read_tokens ?? 0;
    if (!(input >= 0 && input < Infinity && cached >= 0 && cached <= input))
        return;
    const hit = cached > 0;
    c.requests++;
    if (hit)
        c.hits++;
    c.inputTokens += input;
    c.cacheReadTokens += cached;
    const latency = r.latency_ms;
    if (latency !== undefined && latency >= 0 && latency < Infinity) {
        addCluster(hit ? c.latency.hit : c.latency.miss, latency, 1);
    }
    const ttft = r.ttft_ms;
    if (ttft !== undefined && ttft >= 0 && ttft < Infinity) {
        addCluster(hit ? c.ttft.hit : c.ttft.miss, ttft, 1);
    }
    const price = priceOf(r.model, pricing);
    if (typeof price === 'string')
        return;
    const cost = computeCost(r, pricing);
    if (typeof cost !== 'number' || !(cost >= 0 && cost < Infinity))
        return;
    const atInput = (input * price.input) / 1e6;
    c.priced++;
    c.cost += cost;
    c.costUncached += atInput + ((r.output_tokens ?? 0) * price.output) / 1e6;
    c.inputAtInputPrice += atInput;
    c.inputAtCacheReadPrice += (input * (price.cacheRead ?? price.input)) / 1e6;
}
/** Adds `from` into `into`, in place (cache sums merge by addition). */
function addCacheSums(into, from) {
    into.requests += from.requests;
    into.hits += from.hits;
    into.inputTokens += from.inputTokens;
    into.cacheReadTokens += from.cacheReadTokens;
    into.priced += from.priced;
    into.cost += from.cost;
    into.costUncached += from.costUncached;
    into.inputAtInputPrice += from.inputAtInputPrice;
    into.inputAtCacheReadPrice += from.inputAtCacheReadPrice;
    addMoments(into.latency.hit, from.latency.hit);
    addMoments(into.latency.miss, from.latency.miss);
    addMoments(into.ttft.hit, from.ttft.hit);
    addMoments(into.ttft.miss, from.ttft.miss);
}
/** The cache sums of a set of cells; undefined when none has any (the source does not give them). */
function mergeCacheSums(cells) {
    let total;
    for (const cell of cells) {
        if (!cell.cache)
            continue;
        total ??= emptyCacheSums();
        addCacheSums(total, cell.cache);
    }
    return total;
}

/** Fields whose metrics are costs (the cost verdict that holds while the cache warms). */
const COST_FIELDS = new Set(['cost', 'cost_usd']);
const TIME_FIELDS = {
    latency_ms: 'latency_ms',
    duration_ms: 'latency_ms',
    ttft_ms: 'ttft_ms'
};
/** Buckets with cache data needed before a trend can be told from noise. */
const MIN_TREND_BUCKETS = 4;
/**
 * Prompt-cache warmth (issue 5, check 1). A new prompt starts with a cold cache; a prompt whose
 * prefix changed (dynamic text moved to the front) may never hit it again. Both make the canary
 * cost more than it will once warm, so the cost is shown three ways: observed; every input token
 * uncached; and the canary's tokens re-priced at the baseline's cache-hit rate (the share of input
 * tokens read from the cache). The canary's hit rate is compared with the baseline's over the
 * window and classified:
 *
 * - matched: in the window's last third the canary's rate is within max(5 points, 10% of the
 *   baseline's) of the baseline's;
 * - warming: below, but the gap (baseline minus canary, per time bucket) is shrinking: its
 *   weighted least-squares slope over time has t < -2 (or there are fewer than 4 buckets to tell);
 * - broken: below and flat.
 *
 * While warming, a cost metric that fails holds instead of rolling back (`holdsBecause`), with the
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
    const margin = Math.max(0.05, 0.1 * hitRate.baselineRecent);
    const slope = gapSlope(series);
    const state = !(hitRate.canaryRecent < hitRate.baselineRecent - margin) || !(hitRate.baseline > 0)
        ? 'matched'
        : series.length < MIN_TREND_BUCKETS || slope.t < -2
            ? 'warming'
            : 'broken';
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
    const report = { state, hitRate, cost, strata };
    const rates = `canary ${pct$3(hitRate.canaryRecent)} of input tokens from the prompt cache lately vs baseline ${pct$3(hitRate.baselineRecent)}`;
    const views = costViews(cost);
    if (state === 'matched') {
        return { report, check: { name, status: 'ok', detail: `warm: ${rates}${views}` } };
    }
    if (state === 'warming') {
        const held = holdWhileWarming(metrics, strata, cost);
        const what = held.length > 0 ? `; failing ${held.join(', ')} hold instead of rolling back` : '';
        return {
            report,
            check: {
                name,
                status: 'warn',
                detail: `warming: ${rates}, and rising${what}${views}`
            }
        };
    }
    const extra = cost.canary.observed !== null && cost.canary.repriced !== null
        ? (cost.canary.observed - cost.canary.repriced) * requestsPerSecond * 86_400
        : undefined;
    if (extra !== undefined)
        report.extraPerDay = extra;
    const perDay = extra !== undefined && extra > 0
        ? `; at today's traffic (${int$2(requestsPerSecond * 86_400)} requests a day), the canary's misses cost about $${money(extra)} a day more than the baseline's hit rate would`
        : '';
    return {
        report,
        check: {
            name,
            status: 'warn',
            detail: `broken: ${rates}, flat after ${series.length} buckets. The prompt's prefix probably changed (dynamic text before the static part defeats prefix caching); the cost verdict stands${perDay}${views}`
        }
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
 * Weighted least-squares slope of the per-bucket gap (baseline rate minus canary rate) over time,
 * weights the canary's input tokens, with its t statistic from the weighted residual variance.
 */
function gapSlope(points) {
    const n = points.length;
    if (n < 3)
        return { slope: NaN, t: NaN };
    let sw = 0;
    let st = 0;
    let sy = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        sw += w;
        st += w * p.t;
        sy += w * gap(p);
    }
    const tBar = st / sw;
    const yBar = sy / sw;
    let stt = 0;
    let sty = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        stt += w * (p.t - tBar) ** 2;
        sty += w * (p.t - tBar) * (gap(p) - yBar);
    }
    if (!(stt > 0))
        return { slope: NaN, t: NaN };
    const slope = sty / stt;
    let rss = 0;
    for (const p of points) {
        const w = p.c.inputTokens;
        rss += w * (gap(p) - yBar - slope * (p.t - tBar)) ** 2;
    }
    const se = Math.sqrt(rss / (n - 2) / stt);
    return { slope, t: se > 0 ? slope / se : slope < 0 ? -Infinity : Infinity };
}
const gap = (p) => p.b.cacheReadTokens / p.b.inputTokens - p.c.cacheReadTokens / p.c.inputTokens;
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
        if (COST_FIELDS.has(m.from)) {
            const r = cost.canary.repriced;
            const base = cost.baseline.observed;
            const projection = r !== null && base !== null && base > 0
                ? `; re-priced at the baseline's cache-hit rate the canary costs $${money(r)} per request (${change(m, r / base - 1, true)} vs the baseline)`
                : '';
            m.holdsBecause = `the canary's prompt cache is still warming${projection}`;
            held.push(m.name);
            continue;
        }
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
const money = (v) => (v >= 100 ? int$2(v) : Number(v.toPrecision(3)).toString());
const pct$3 = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

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
 * Checks on the evidence before any comparison is trusted (DESIGN.md, principle 3: missing,
 * partial or malformed data never promotes). A `block` holds the rollout.
 */
function evidenceChecks(policy, evidence, arms, canaryWeight, replay) {
    return [
        armsCheck(policy, evidence, arms),
        sampleSizeCheck(policy, arms),
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
function sampleSizeCheck(policy, arms) {
    const min = policy.rollout.minSamples;
    const detail = `baseline ${int$2(arms.baseline.requests)}, canary ${int$2(arms.canary.requests)} requests (minimum ${int$2(min)} per arm)`;
    const ok = arms.baseline.requests >= min && arms.canary.requests >= min;
    return { name: 'sample-size', status: ok ? 'ok' : 'block', detail };
}
/**
 * Sequential sample-ratio test (Lindon & Malek 2022) against the step's expected split, counted in
 * units when records carry one, since assignment is per unit.
 */
function trafficSplitCheck(policy, evidence, arms, canaryWeight) {
    const name = 'traffic-split';
    const by = evidence.unitLevel ? 'units' : 'requests';
    const counts = { baseline: arms.baseline[by], canary: arms.canary[by] };
    if (canaryWeight >= 100 || counts.baseline + counts.canary === 0) {
        return { name, status: 'ok', detail: 'not tested: no split to compare' };
    }
    const srt = sampleRatioTest(counts, canaryWeight / 100, policy.trafficSplit.alpha);
    const observed = `canary ${pct$2(srt.observedShare)} of ${by} (${int$2(counts.canary)} of ${int$2(counts.baseline + counts.canary)}), expected ${pct$2(srt.expectedShare)}`;
    return srt.mismatch
        ? {
            name,
            status: 'block',
            detail: `sample ratio mismatch: ${observed}, anytime p = ${srt.pValue.toExponential(1)}; the arms are not the split the step assigns, so the comparison may be biased`
        }
        : { name, status: 'ok', detail: observed };
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
        problems.push(`${int$2(q.malformed)} of ${int$2(q.lines)} lines malformed (${pct$2(malformedShare)} > ${pct$2(max)})`);
    }
    else if (q.malformed > 0) {
        warnings.push(`${int$2(q.malformed)} of ${int$2(q.lines)} lines malformed`);
    }
    for (const [key, count] of Object.entries(q.invalidValues)) {
        const share = q.records > 0 ? count / q.records : 1;
        const [field, why] = key.split(/: (.*)/s);
        const text = `${int$2(count)} invalid ${field} values${why ? ` (${why})` : ''}`;
        if (share > max)
            problems.push(`${text} (${pct$2(share)} of records > ${pct$2(max)})`);
        else
            warnings.push(text);
    }
    const notes = [];
    if (q.future > 0 && replay) {
        // --now replays the log as of that instant: later records are expected, and ignored.
        notes.push(`${int$2(q.future)} records after the evaluation time ignored`);
    }
    else if (q.future > 0) {
        const text = `${int$2(q.future)} records are timestamped after the evaluation time (clock skew between the log writer and this machine?)`;
        if (q.lines > 0 && q.future / q.lines > max)
            problems.push(text);
        else
            warnings.push(text);
    }
    for (const f of q.files)
        if (f.problem)
            warnings.push(`${f.path}: ${f.problem}`);
    if (problems.length > 0) {
        return { name: 'data-quality', status: 'block', detail: [...problems, ...warnings].join('; ') };
    }
    if (warnings.length > 0) {
        return { name: 'data-quality', status: 'warn', detail: [...warnings, ...notes].join('; ') };
    }
    const clean = `${int$2(q.lines)} lines, none malformed`;
    return { name: 'data-quality', status: 'ok', detail: [clean, ...notes].join('; ') };
}
const pct$2 = (x) => {
    const v = x * 100;
    const digits = v !== 0 && Math.abs(v) < 1 ? 2 : 1;
    return `${v.toFixed(digits)}%`;
};

/** Raw aliases a policy might name; they read the canonical field, so units are already converted. */
const CANONICAL = {
    duration_ms: 'latency_ms',
    'gen_ai.client.operation.duration': 'latency_ms',
    'gen_ai.response.time_to_first_chunk': 'ttft_ms',
    prompt_tokens: 'input_tokens',
    'gen_ai.usage.input_tokens': 'input_tokens',
    completion_tokens: 'output_tokens',
    'gen_ai.usage.output_tokens': 'output_tokens',
    'prompt_tokens_details.cached_tokens': 'cache_read_tokens',
    cache_read_input_tokens: 'cache_read_tokens',
    'gen_ai.usage.cache_read.input_tokens': 'cache_read_tokens',
    cache_creation_input_tokens: 'cache_write_tokens',
    'gen_ai.usage.cache_creation.input_tokens': 'cache_write_tokens',
    cost_usd: 'cost',
    'gen_ai.evaluation.score.value': 'score'
};
/**
 * Compiles a metric into a reader of one record's (x, y): for mean, rate and quantile metrics
 * x = the value and y = 1; for ratio metrics x = the `from` field and y = the `per` field. Values
 * that are present but unusable (NaN, Infinity, negative latency, tokens or cost, a score outside
 * [0, 1], a non-numeric string, a rate value other than 0/1) come back as InvalidValue and are
 * never used. A rate reads feedback +1 as 1 and -1 as 0.
 */
function compileMetricValue(spec, pricing) {
    const pair = { x: 0, y: 1 };
    const from = fieldReader(spec.from, pricing);
    if (spec.kind === 'ratio') {
        if (spec.per === undefined)
            throw new Error(`${spec.path}: a ratio metric needs \`per\``);
        const per = fieldReader(spec.per, pricing);
        return r => {
            const x = from(r);
            if (typeof x !== 'number')
                return x;
            const y = per(r);
            if (typeof y !== 'number')
                return y;
            pair.x = x;
            pair.y = y;
            return pair;
        };
    }
    const read = spec.kind === 'rate' ? rateReader(spec.from, from) : from;
    return r => {
        const x = read(r);
        if (typeof x !== 'number')
            return x;
        pair.x = x;
        return pair;
    };
}
function rateReader(field, read) {
    const notBinary = { invalid: `${field}: not 0 or 1, as a rate needs` };
    const isFeedback = canonicalName(field) === 'feedback';
    return r => {
        const v = read(r);
        if (typeof v !== 'number')
            return v;
        if (isFeedback)
            return v === 1 ? 1 : 0;
        return v === 0 || v === 1 ? v : notBinary;
    };
}
function canonicalName(field) {
    return Object.hasOwn(CANONICAL, field) ? CANONICAL[field] : field;
}
function fieldReader(field, pricing) {
    const name = canonicalName(field);
    const negative = { invalid: `${field}: negative or not a finite number` };
    const nonNegative = (v) => v === undefined ? undefined : v >= 0 && v < Infinity ? v : negative;
    switch (name) {
        case 'latency_ms':
            return r => nonNegative(r.latency_ms);
        case 'ttft_ms':
            return r => nonNegative(r.ttft_ms);
        case 'input_tokens':
            return r => nonNegative(r.input_tokens);
        case 'output_tokens':
            return r => nonNegative(r.output_tokens);
        case 'cache_read_tokens':
            return r => nonNegative(r.cache_read_tokens);
        case 'cache_write_tokens':
            return r => nonNegative(r.cache_write_tokens);
        case 'cost':
            return costReader(field, negative, r => computeCost(r, pricing));
        case 'cost_uncached':
            return costReader(field, negative, r => computeUncachedCost(r, pricing));
        case 'cache_hit':
            return r => {
                const read = nonNegative(r.cache_read_tokens);
                return typeof read === 'number' ? (read > 0 ? 1 : 0) : read;
            };
        case 'error':
            return r => (r.error === null ? 0 : 1);
        case 'fallback':
            return r => (r.fallback ? 1 : 0);
        case 'feedback': {
            const notFeedback = { invalid: `${field}: not +1 or -1` };
            return r => {
                const v = r.feedback;
                return v === undefined ? undefined : v === 1 || v === -1 ? v : notFeedback;
            };
        }
        case 'score':
            return unitIntervalReader(field, r => r.score);
    }
    if (name.startsWith('error.')) {
        const cls = name.slice('error.'.length).toLowerCase();
        return r => (r.error === cls ? 1 : 0);
    }
    if (name.startsWith('scores.')) {
        const score = name.slice('scores.'.length);
        return unitIntervalReader(field, r => r.scores?.[score]);
    }
    return rawFieldReader(field);
}
function costReader(field, negative, cost) {
    return r => {
        const c = cost(r);
        if (c === undefined)
            return undefined;
        if (typeof c !== 'number')
            return { invalid: `${field}: ${c.invalid}` };
        return c >= 0 && c < Infinity ? c : negative;
    };
}
function unitIntervalReader(field, get) {
    const outside = { invalid: `${field}: outside [0, 1] or not a number` };
    return r => {
        const v = get(r);
        return v === undefined ? undefined : v >= 0 && v <= 1 ? v : outside;
    };
}
/**
 * Any other field of the raw row: a flat key first (`a.b` as one key, as CSV headers and OTLP
 * attributes have it), else a path into nested objects. Booleans read as 1 / 0; numeric strings
 * as numbers; negative values are allowed (the field's meaning is the user's).
 */
function rawFieldReader(field) {
    const path = field.split('.');
    const notNumber = { invalid: `${field}: not a finite number` };
    return r => {
        const v = Object.hasOwn(r.raw, field)
            ? r.raw[field]
            : path.length > 1
                ? walk(r.raw, path)
                : undefined;
        if (typeof v === 'number')
            return Number.isFinite(v) ? v : notNumber;
        if (v === undefined || v === null || v === '')
            return undefined;
        if (typeof v === 'boolean')
            return v ? 1 : 0;
        if (typeof v === 'string') {
            // CSV cells arrive as text: a boolean column reads as a 0/1 rate.
            const word = v.trim().toLowerCase();
            if (word === 'true' || word === 'false')
                return word === 'true' ? 1 : 0;
            const n = Number(v);
            return v.trim() !== '' && Number.isFinite(n) ? n : notNumber;
        }
        return notNumber;
    };
}
function walk(value, path) {
    for (const key of path) {
        if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key))
            return undefined;
        value = value[key];
    }
    return value;
}

/**
 * A hash map from non-negative int32 keys to int32 values in two typed arrays (open addressing,
 * linear probing, Fibonacci hashing: Knuth, TAOCP vol. 3, 6.4). For the builder's hundreds of
 * thousands of (unit, segment) keys it is several times faster than a Map and a tenth of its memory:
 * no entry objects for the garbage collector, one cache line per probe.
 */
class IntMap {
    keys;
    values;
    bits;
    size = 0;
    constructor(initialBits = 10) {
        this.bits = initialBits;
        this.keys = new Int32Array(1 << initialBits).fill(-1);
        this.values = new Int32Array(1 << initialBits);
    }
    /** The value for `key`, or -1 when absent. */
    get(key) {
        const mask = this.keys.length - 1;
        for (let i = this.slot(key);; i = (i + 1) & mask) {
            const k = this.keys[i];
            if (k === key)
                return this.values[i];
            if (k === -1)
                return -1;
        }
    }
    /** Sets a key that is not in the map yet (the builder only ever adds). */
    add(key, value) {
        if (!(key >= 0 && key <= 0x7fffffff))
            throw new RangeError(`IntMap: key ${key} is not a non-negative int32`);
        // Load factor at most 1/2 keeps linear probes short.
        if (2 * (this.size + 1) > this.keys.length)
            this.grow();
        this.place(key, value);
        this.size++;
    }
    slot(key) {
        return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
    }
    place(key, value) {
        const mask = this.keys.length - 1;
        let i = this.slot(key);
        while (this.keys[i] !== -1)
            i = (i + 1) & mask;
        this.keys[i] = key;
        this.values[i] = value;
    }
    grow() {
        const { keys, values } = this;
        this.bits++;
        this.keys = new Int32Array(1 << this.bits).fill(-1);
        this.values = new Int32Array(1 << this.bits);
        for (let i = 0; i < keys.length; i++) {
            const k = keys[i];
            if (k !== -1)
                this.place(k, values[i]);
        }
    }
}

/**
 * Per-unit state for EvidenceBuilder: a fixed-size slot per unit (or per unit and segment) in
 * typed-array pages rather than objects, so hundreds of thousands of units cost under 100 bytes
 * each, give the garbage collector nothing to trace, and a record's update touches one or two
 * adjacent cache lines. (Random access to this state is, after JSON.parse, the largest cost of
 * reading a file, so compactness is speed here.)
 *
 * A slot is one ArrayBuffer range seen as Int32Array and Float64Array:
 *   `header` int32s for the caller (padded to 8 bytes), then per metric an x-sum (float64), then
 *   for ratio metrics a y-sum (float64), then per metric a request count (int32), which is also
 *   the y-sum when y = 1.
 */
class UnitSlots {
    header;
    static PAGE_SLOTS = 4096;
    floatPages = [];
    intPages = [];
    /** Slot width in float64 elements (an int32 index is twice a float64 one). */
    stride;
    /** Float64 offsets of metric i's x-sum and y-sum (-1: y = 1, read the count); int32 offset of its count. */
    xAt;
    yAt;
    countAt;
    used = 0;
    constructor(kinds, header) {
        this.header = header;
        let floats = Math.ceil(header / 2);
        this.xAt = new Int32Array(kinds.length);
        this.yAt = new Int32Array(kinds.length).fill(-1);
        kinds.forEach((kind, i) => {
            this.xAt[i] = floats++;
            if (kind === 'ratio')
                this.yAt[i] = floats++;
        });
        this.countAt = Int32Array.from(kinds, (_, i) => 2 * floats + i);
        this.stride = floats + Math.ceil(kinds.length / 2);
    }
    /** A new zeroed slot; returns its number. */
    allocate() {
        const slot = this.used++;
        if (slot % UnitSlots.PAGE_SLOTS === 0) {
            const buffer = new ArrayBuffer(UnitSlots.PAGE_SLOTS * this.stride * 8);
            this.floatPages.push(new Float64Array(buffer));
            this.intPages.push(new Int32Array(buffer));
        }
        return slot;
    }
    /** The int32 page holding the slot; its header starts at intBase(slot). */
    ints(slot) {
        return this.intPages[Math.floor(slot / UnitSlots.PAGE_SLOTS)];
    }
    intBase(slot) {
        return (slot % UnitSlots.PAGE_SLOTS) * 2 * this.stride;
    }
    /** Adds one request's (x, y) for metric i. */
    add(slot, i, x, y) {
        const page = Math.floor(slot / UnitSlots.PAGE_SLOTS);
        const base = (slot % UnitSlots.PAGE_SLOTS) * this.stride;
        const floats = this.floatPages[page];
        const ints = this.intPages[page];
        const xi = base + this.xAt[i];
        floats[xi] = floats[xi] + x;
        const ci = 2 * base + this.countAt[i];
        ints[ci] = ints[ci] + 1;
        const y0 = this.yAt[i];
        if (y0 >= 0)
            floats[base + y0] = floats[base + y0] + y;
    }
    /**
     * Adds the slot's sums into `sums` (per metric i: x-sum at 3i, y-sum at 3i + 1, count at 3i + 2),
     * to cluster several slots (a unit's segments) as one with addSumClusters.
     */
    sumInto(slot, sums) {
        const page = Math.floor(slot / UnitSlots.PAGE_SLOTS);
        const base = (slot % UnitSlots.PAGE_SLOTS) * this.stride;
        const floats = this.floatPages[page];
        const ints = this.intPages[page];
        for (let i = 0; i < this.xAt.length; i++) {
            const count = ints[2 * base + this.countAt[i]];
            if (count === 0)
                continue;
            const y0 = this.yAt[i];
            sums[3 * i] = sums[3 * i] + floats[base + this.xAt[i]];
            sums[3 * i + 1] =
                sums[3 * i + 1] + (y0 < 0 ? count : floats[base + y0]);
            sums[3 * i + 2] = sums[3 * i + 2] + count;
        }
    }
    /** Adds the slot's sums, one cluster per metric that had a value, to `moments` (indexed by metric). */
    addClusters(slot, moments) {
        this.scratch ??= new Float64Array(3 * this.xAt.length);
        this.scratch.fill(0);
        this.sumInto(slot, this.scratch);
        addSumClusters(this.scratch, moments);
    }
    /** Per-metric sums of one slot, reused by addClusters (it runs once per unit, in finish()). */
    scratch;
}
/** Adds sums filled by UnitSlots.sumInto, one cluster per metric that had a value, to `moments`. */
function addSumClusters(sums, moments) {
    for (let i = 0; i < moments.length; i++) {
        if (sums[3 * i + 2] === 0)
            continue;
        addCluster(moments[i], sums[3 * i], sums[3 * i + 1]);
    }
}

/** Distinct segment keys kept per arm; later ones go to OTHER_SEGMENT (memory stays bounded). */
const MAX_SEGMENTS_PER_ARM = 50;
const OTHER_SEGMENT = '(other)';
/** The value of a segment dimension a record does not have. */
const NO_VALUE = '(none)';
const MAX_MALFORMED_SAMPLES = 10;
const MAX_UNMATCHED_ARMS = 20;
const MAX_INVALID_KEYS = 50;
const MAX_ERROR_CLASSES = 20;
const OTHER_KEY = '(other)';
/** Segment positions in an arm (total, MAX_SEGMENTS_PER_ARM keys, other) fit below this. */
const POSITIONS = 64;
/**
 * A unit's total slot lists its first few segment slots inline: most records then find their
 * segment slot in a cache line they touch anyway, with no hash lookup.
 */
const INLINE_SEGMENTS = 4;
/** Slots are packed with a position into an int32 (slot * POSITIONS + position + 1). */
const MAX_SLOTS = 2 ** 31 / POSITIONS;
/**
 * The A/A half of a unit: FNV-1a of its id from a salted offset basis, then the murmur3 finaliser,
 * low bit. Salted so that it is independent of a flag service that assigns arms by plain FNV-1a
 * of the same id (as examples/generate-traffic.ts does), which would otherwise correlate with it.
 */
function unitHalf(unit) {
    let h = 0x811c9dc5 ^ 0x5bd1e995;
    for (let i = 0; i < unit.length; i++) {
        h ^= unit.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return (fmix32(h) & 1);
}
/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
}
class MetricAccumulator {
    quantiles;
    moments = emptyMoments();
    requests = 0;
    constructor(quantiles) {
        this.quantiles = quantiles;
    }
    toSketch() {
        const sketch = { moments: this.moments, requests: this.requests };
        if (this.quantiles)
            sketch.quantiles = this.quantiles.toJSON();
        return sketch;
    }
}
class CellAccumulator {
    bucketIndex;
    metrics;
    requests = 0;
    units = 0;
    fallbacks = 0;
    cache;
    models = new Map();
    errors = new Map();
    /** metrics[i].moments, for UnitSlots.addClusters. */
    moments;
    constructor(bucketIndex, metrics) {
        this.bucketIndex = bucketIndex;
        this.metrics = metrics;
        this.moments = metrics.map(m => m.moments);
    }
}
class SegmentAccumulator {
    key;
    position;
    /** By bucket index k (bucket start = window.from + k * bucketMs); `created` lists them. */
    cells = [];
    created = [];
    constructor(key, 
    /** Position in its arm's `all`: 0 is the total segment. */
    position) {
        this.key = key;
        this.position = position;
    }
}
class ArmAccumulator {
    arm;
    code;
    /** The total segment, then segment keys in first-seen order, then OTHER_SEGMENT once used. */
    all = [new SegmentAccumulator(TOTAL_SEGMENT, 0)];
    trie = new Map();
    other;
    /**
     * Unit -> its total slot in `slots`. A null-prototype object: for
     * hundreds of thousands of short keys V8's dictionary lookup beat both a Map and a hand-made
     * hash table here (a JS string hash costs more than the probe it saves).
     */
    units = Object.create(null);
    slots;
    /** (total slot * POSITIONS + position) -> segment slot, for units past INLINE_SEGMENTS segments. */
    moreSegmentSlots = new IntMap();
    /** Baseline only: the A/A halves by bucket index (whatever the segment). */
    halves = [];
    constructor(arm, 
    /** 0 baseline, 1 canary: kept in segment rows to find their cell again in finish(). */
    code, slotHeader, kinds) {
        this.arm = arm;
        this.code = code;
        this.slots = new UnitSlots(kinds, slotHeader);
    }
    get total() {
        return this.all[0];
    }
}
/**
 * Reduces a stream of records to Evidence: sketches per (arm, segment, time bucket) (DESIGN.md
 * principle 5). Pure: the source feeds it lines, records and problems; it never reads anything.
 *
 * Each in-window record belongs to its arm's TOTAL_SEGMENT cell and, when the policy has segments,
 * to the cell of its segment key. Moments are clustered per request, or per unit when the record
 * has one: a unit's sums are kept over the whole window and added, in finish(), as one cluster to
 * the cell of the bucket where the unit was first seen, so merging any set of buckets counts each
 * unit once (a request without a unit is its own cluster). That per-unit state is the only memory
 * that grows with traffic (about 100 bytes per unit and segment); everything else is bounded.
 *
 * Speed (it runs once per line): with segments, a record updates only its segment's cell; the
 * total cells are their exact merge, built in finish(). A unit has a total slot (per arm) and a
 * slot per segment it was seen in (UnitSlots), whose int32 headers hold
 *   total:   [first bucket, INLINE_SEGMENTS x (segment slot * POSITIONS + position + 1)]
 *   segment: [first bucket, arm code * POSITIONS + position]
 * (without segments, a total header is just [first bucket]).
 */
class EvidenceBuilder {
    from;
    to;
    now;
    bucketMs;
    policy;
    source;
    readers;
    isQuantile;
    dimensions;
    segmented;
    kinds;
    segmentSlots;
    arms;
    quality;
    unitLevel = false;
    /** The current record's metric values, filled by readValues (no allocation per record). */
    xs;
    ys;
    has;
    invalidThisRecord = [];
    /** The last model key built: records mostly repeat it, and a reused string hashes once. */
    lastModel;
    lastFingerprint;
    lastModelKey = '';
    /** Int32 index of a unit's A/A half in its total slot header. */
    halfAt;
    /** Requests without a unit go to an A/A half by a hash of their sequence number. */
    requestSeq = 0;
    constructor(opts) {
        const { policy } = opts;
        this.policy = policy;
        this.from = opts.window.from;
        this.to = opts.window.to;
        this.now = opts.now;
        this.bucketMs = policy.bucket;
        this.source = opts.source;
        if (!(this.bucketMs > 0))
            throw new RangeError(`policy.bucket must be > 0, got ${this.bucketMs}`);
        this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing));
        this.isQuantile = policy.metrics.map(m => m.kind === 'quantile');
        this.dimensions = policy.segments?.by ?? [];
        this.segmented = this.dimensions.length > 0;
        this.kinds = policy.metrics.map(m => m.kind);
        this.halfAt = this.segmented ? 1 + INLINE_SEGMENTS : 1;
        const totalHeader = this.halfAt + 1;
        // With segments a unit's total sums are the sum of its segment slots' (finish() adds them up),
        // so its total slot holds no sums: less memory and one slot update per record, not two.
        const totalKinds = this.segmented ? [] : this.kinds;
        this.arms = [
            new ArmAccumulator('baseline', 0, totalHeader, totalKinds),
            new ArmAccumulator('canary', 1, totalHeader, totalKinds)
        ];
        this.segmentSlots = new UnitSlots(this.kinds, 2);
        const count = this.readers.length;
        this.xs = new Float64Array(count);
        this.ys = new Float64Array(count);
        this.has = new Uint8Array(count);
        this.quality = emptyQuality();
    }
    /** Counts a line (or CSV row, or OTLP span) read. */
    line() {
        this.quality.lines++;
    }
    /** Counts a line that is not a record; `where` is `file:line`. The reason, never the content. */
    malformed(where, reason) {
        this.quality.malformed++;
        if (this.quality.malformedSamples.length < MAX_MALFORMED_SAMPLES) {
            this.quality.malformedSamples.push(`${where}: ${reason}`);
        }
    }
    unmatchedArm(value) {
        countCapped(this.quality.unmatchedArms, value, MAX_UNMATCHED_ARMS);
    }
    fileDone(path, lines, malformed, problem) {
        this.quality.files.push(problem === undefined ? { path, lines, malformed } : { path, lines, malformed, problem });
    }
    add(r) {
        const ts = r.ts;
        if (ts > this.now) {
            this.quality.future++;
            return;
        }
        if (ts < this.from || ts >= this.to) {
            this.quality.outsideWindow++;
            return;
        }
        this.quality.records++;
        const k = Math.floor((ts - this.from) / this.bucketMs);
        this.readValues(r);
        const modelKey = r.model === undefined ? undefined : this.modelKey(r.model, r.fingerprint);
        const arm = this.arms[r.arm === 'canary' ? 1 : 0];
        let slot = -1;
        let newUnit = false;
        if (r.unit !== undefined) {
            this.unitLevel = true;
            const known = arm.units[r.unit];
            newUnit = known === undefined;
            slot = known ?? this.newTotalSlot(arm, r.unit, k);
        }
        let half;
        if (arm.code === 0) {
            const h = slot >= 0
                ? arm.slots.ints(slot)[arm.slots.intBase(slot) + this.halfAt]
                : fmix32(++this.requestSeq) & 1;
            const halves = arm.halves[k] ?? (arm.halves[k] = [this.newMetrics(), this.newMetrics()]);
            half = halves[h];
        }
        if (!this.segmented) {
            this.file(arm.total, k, r, modelKey, arm.slots, slot, newUnit, half);
            return;
        }
        const segment = this.segmentOf(arm, r.raw);
        let segmentSlot = -1;
        newUnit = false;
        if (slot >= 0) {
            segmentSlot = this.segmentSlotOf(arm, slot, segment.position);
            newUnit = segmentSlot < 0;
            if (newUnit)
                segmentSlot = this.newSegmentSlot(arm, slot, segment.position, k);
        }
        this.file(segment, k, r, modelKey, this.segmentSlots, segmentSlot, newUnit, half);
    }
    finish() {
        if (this.segmented)
            for (const arm of this.arms)
                this.mergeSegmentsIntoTotal(arm);
        for (const arm of this.arms)
            this.addTotalUnitClusters(arm);
        this.addSegmentUnitClusters();
        const cells = [];
        for (const arm of this.arms) {
            const [total, ...keyed] = arm.all;
            keyed.sort((a, b) => a.key === OTHER_SEGMENT ? 1 : b.key === OTHER_SEGMENT ? -1 : a.key < b.key ? -1 : 1);
            for (const segment of [total, ...keyed])
                this.emitCells(arm, segment, cells);
        }
        return {
            source: this.source,
            window: { from: this.from, to: this.to },
            bucketMs: this.bucketMs,
            metrics: this.policy.metrics.map(m => m.name),
            unitLevel: this.unitLevel,
            cells,
            quality: this.quality
        };
    }
    readValues(r) {
        if (this.invalidThisRecord.length > 0)
            this.invalidThisRecord.length = 0;
        for (let i = 0; i < this.readers.length; i++) {
            const v = this.readers[i](r);
            if (v === undefined) {
                this.has[i] = 0;
            }
            else if ('invalid' in v) {
                this.has[i] = 0;
                // Two metrics reading the same bad field count it once.
                if (!this.invalidThisRecord.includes(v.invalid)) {
                    this.invalidThisRecord.push(v.invalid);
                    countCapped(this.quality.invalidValues, v.invalid, MAX_INVALID_KEYS);
                }
            }
            else {
                this.has[i] = 1;
                this.xs[i] = v.x;
                this.ys[i] = v.y;
            }
        }
    }
    modelKey(model, fingerprint) {
        if (model !== this.lastModel || fingerprint !== this.lastFingerprint) {
            this.lastModel = model;
            this.lastFingerprint = fingerprint;
            this.lastModelKey = fingerprint === undefined ? model : `${model}#${fingerprint}`;
        }
        return this.lastModelKey;
    }
    newTotalSlot(arm, unit, k) {
        const slot = arm.slots.allocate();
        if (slot >= MAX_SLOTS)
            throw new RangeError(`more than ${MAX_SLOTS} units in one window`);
        arm.units[unit] = slot;
        const header = arm.slots.ints(slot);
        const base = arm.slots.intBase(slot);
        header[base] = k;
        if (arm.code === 0)
            header[base + this.halfAt] = unitHalf(unit);
        return slot;
    }
    /** The unit's slot in the segment at `position`, or -1: the inline list, then the IntMap. */
    segmentSlotOf(arm, slot, position) {
        const header = arm.slots.ints(slot);
        const base = arm.slots.intBase(slot) + 1;
        for (let j = 0; j < INLINE_SEGMENTS; j++) {
            const packed = header[base + j];
            if (packed === 0)
                return -1;
            if (packed % POSITIONS === position + 1)
                return (packed - position - 1) / POSITIONS;
        }
        return arm.moreSegmentSlots.get(slot * POSITIONS + position);
    }
    newSegmentSlot(arm, slot, position, k) {
        const segmentSlot = this.segmentSlots.allocate();
        if (segmentSlot >= MAX_SLOTS) {
            throw new RangeError(`more than ${MAX_SLOTS} (unit, segment) pairs in one window`);
        }
        const segmentHeader = this.segmentSlots.ints(segmentSlot);
        const segmentBase = this.segmentSlots.intBase(segmentSlot);
        segmentHeader[segmentBase] = k;
        segmentHeader[segmentBase + 1] = arm.code * POSITIONS + position;
        const header = arm.slots.ints(slot);
        const base = arm.slots.intBase(slot) + 1;
        for (let j = 0; j < INLINE_SEGMENTS; j++) {
            if (header[base + j] === 0) {
                header[base + j] = segmentSlot * POSITIONS + position + 1;
                return segmentSlot;
            }
        }
        arm.moreSegmentSlots.add(slot * POSITIONS + position, segmentSlot);
        return segmentSlot;
    }
    /**
     * Files the current record (its values from readValues) into the segment's cell for bucket k,
     * and, for the baseline, into its A/A half of bucket k (`half`): request counts and quantile
     * sketches always, moments only for requests without a unit (a unit's sums are added as one
     * cluster in finish(), like the arm's own).
     */
    file(segment, k, r, modelKey, slots, slot, newUnit, half) {
        const cell = segment.cells[k] ?? this.newCell(segment, k);
        cell.requests++;
        if (newUnit)
            cell.units++;
        if (modelKey !== undefined)
            countCappedMap(cell.models, modelKey, MAX_MODEL_KEYS, OTHER_MODELS);
        if (r.error !== null)
            countCappedMap(cell.errors, r.error, MAX_ERROR_CLASSES, OTHER_KEY);
        if (r.fallback)
            cell.fallbacks++;
        const input = r.input_tokens;
        if (input !== undefined) {
            addCacheRequest((cell.cache ??= emptyCacheSums()), r, input, this.policy.pricing);
        }
        for (let i = 0; i < this.has.length; i++) {
            if (this.has[i] === 0)
                continue;
            const metric = cell.metrics[i];
            const x = this.xs[i];
            const y = this.ys[i];
            metric.requests++;
            if (slot < 0)
                addCluster(metric.moments, x, y);
            else
                slots.add(slot, i, x, y);
            if (half === undefined) {
                if (metric.quantiles)
                    metric.quantiles.add(x);
                continue;
            }
            const twin = half[i];
            twin.requests++;
            if (metric.quantiles)
                metric.quantiles.addWithTwin(x, twin.quantiles);
            if (slot < 0)
                addCluster(twin.moments, x, y);
        }
    }
    newMetrics() {
        return this.isQuantile.map(q => new MetricAccumulator(q ? new QuantileSketch() : undefined));
    }
    newCell(segment, k) {
        const cell = new CellAccumulator(k, this.newMetrics());
        segment.cells[k] = cell;
        segment.created.push(cell);
        return cell;
    }
    segmentOf(arm, raw) {
        let node = arm.trie;
        for (const dimension of this.dimensions) {
            const next = node.get(dimensionValue(raw[dimension]));
            if (next === undefined)
                return this.newSegment(arm, raw);
            node = next;
        }
        return node;
    }
    /** A segment key not seen yet in this arm: a new segment, or OTHER_SEGMENT past the cap. */
    newSegment(arm, raw) {
        if (arm.all.length > MAX_SEGMENTS_PER_ARM) {
            if (arm.other === undefined) {
                arm.other = new SegmentAccumulator(OTHER_SEGMENT, arm.all.length);
                arm.all.push(arm.other);
            }
            return arm.other;
        }
        const values = this.dimensions.map(d => dimensionValue(raw[d]));
        const key = this.dimensions.map((d, i) => `${d}=${values[i]}`).join('|');
        const segment = new SegmentAccumulator(key, arm.all.length);
        let node = arm.trie;
        values.forEach((value, i) => {
            if (i === values.length - 1) {
                node.set(value, segment);
                return;
            }
            let next = node.get(value);
            if (next === undefined) {
                next = new Map();
                node.set(value, next);
            }
            node = next;
        });
        arm.all.push(segment);
        return segment;
    }
    /**
     * The total cells as the exact merge of the segment cells of their bucket (every record is in
     * exactly one segment). Runs before unit clusters are added, which are not additive this way.
     */
    mergeSegmentsIntoTotal(arm) {
        const total = arm.total;
        for (const segment of arm.all.slice(1)) {
            for (const cell of segment.created) {
                const into = total.cells[cell.bucketIndex] ?? this.newCell(total, cell.bucketIndex);
                into.requests += cell.requests;
                into.fallbacks += cell.fallbacks;
                if (cell.cache)
                    addCacheSums((into.cache ??= emptyCacheSums()), cell.cache);
                addCounts(into.models, cell.models);
                addCounts(into.errors, cell.errors);
                cell.metrics.forEach((metric, i) => {
                    const target = into.metrics[i];
                    target.requests += metric.requests;
                    addMoments(target.moments, metric.moments);
                    if (metric.quantiles)
                        target.quantiles?.merge(metric.quantiles);
                });
            }
        }
    }
    /**
     * Adds each unit's window sums, as one cluster, to the total cell of the bucket where it was
     * first seen. With segments, those cells count their first-seen units here (they were not
     * filed record by record).
     */
    addTotalUnitClusters(arm) {
        const slots = arm.slots;
        const sums = new Float64Array(3 * this.kinds.length);
        for (let slot = 0; slot < slots.used; slot++) {
            const header = slots.ints(slot);
            const k = header[slots.intBase(slot)];
            const cell = arm.total.cells[k];
            // The baseline's A/A half of this unit gets the same cluster.
            const half = arm.code === 0
                ? arm.halves[k]?.[header[slots.intBase(slot) + this.halfAt]]?.map(m => m.moments)
                : undefined;
            if (!this.segmented) {
                slots.addClusters(slot, cell.moments);
                if (half)
                    slots.addClusters(slot, half);
                continue;
            }
            cell.units++;
            sums.fill(0);
            this.forEachSegmentSlot(arm, slot, segmentSlot => this.segmentSlots.sumInto(segmentSlot, sums));
            addSumClusters(sums, cell.moments);
            if (half)
                addSumClusters(sums, half);
        }
    }
    /** Calls `visit` with each segment slot of the unit whose total slot is `slot`. */
    forEachSegmentSlot(arm, slot, visit) {
        const header = arm.slots.ints(slot);
        const base = arm.slots.intBase(slot) + 1;
        for (let j = 0; j < INLINE_SEGMENTS; j++) {
            const packed = header[base + j];
            if (packed === 0)
                return;
            visit(Math.floor((packed - 1) / POSITIONS));
        }
        // The inline list is full: the unit's other segments are in moreSegmentSlots.
        for (let position = 0; position < arm.all.length; position++) {
            const segmentSlot = arm.moreSegmentSlots.get(slot * POSITIONS + position);
            if (segmentSlot >= 0)
                visit(segmentSlot);
        }
    }
    /** The same for each (unit, segment): one cluster in the segment's cell of its first bucket. */
    addSegmentUnitClusters() {
        const slots = this.segmentSlots;
        for (let slot = 0; slot < slots.used; slot++) {
            const header = slots.ints(slot);
            const base = slots.intBase(slot);
            const code = header[base + 1];
            const arm = this.arms[Math.floor(code / POSITIONS)];
            const segment = arm.all[code % POSITIONS];
            const cell = segment.cells[header[base]];
            slots.addClusters(slot, cell.moments);
        }
    }
    emitCells(arm, segment, out) {
        const cells = [...segment.created].sort((a, b) => a.bucketIndex - b.bucketIndex);
        const halvesHere = arm.code === 0 && segment.position === 0;
        for (const cell of cells) {
            const emitted = {
                arm: arm.arm,
                segment: segment.key,
                bucket: this.from + cell.bucketIndex * this.bucketMs,
                requests: cell.requests,
                units: cell.units,
                metrics: cell.metrics.map(m => m.toSketch()),
                models: capKeys(Object.fromEntries(cell.models), MAX_MODEL_KEYS, OTHER_MODELS),
                errors: capKeys(Object.fromEntries(cell.errors), MAX_ERROR_CLASSES, OTHER_KEY),
                fallbacks: cell.fallbacks
            };
            if (cell.cache)
                emitted.cache = cell.cache;
            const halves = halvesHere ? arm.halves[cell.bucketIndex] : undefined;
            if (halves) {
                emitted.halves = [halves[0].map(m => m.toSketch()), halves[1].map(m => m.toSketch())];
            }
            out.push(emitted);
        }
    }
}
function dimensionValue(v) {
    if (typeof v === 'string')
        return v === '' ? NO_VALUE : v;
    if (typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    return NO_VALUE;
}
function addCounts(into, from) {
    for (const [key, count] of from)
        into.set(key, (into.get(key) ?? 0) + count);
}
function countCappedMap(counts, key, maxKeys, other) {
    const seen = counts.get(key);
    if (seen !== undefined)
        counts.set(key, seen + 1);
    else if (counts.size < maxKeys)
        counts.set(key, 1);
    else
        counts.set(other, (counts.get(other) ?? 0) + 1);
}
function countCapped(counts, key, maxKeys) {
    if (Object.hasOwn(counts, key))
        counts[key] = counts[key] + 1;
    else if (Object.keys(counts).length < maxKeys)
        counts[key] = 1;
    else
        counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + 1;
}

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
        return `${s.key} is ${pct$1(c)} of the canary's ${by} vs ${pct$1(b)} of the baseline's`;
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
 * them would be comparing unlike traffic, so it is left out.
 */
function segmentTotals(evidence) {
    const byKey = new Map();
    for (const cell of evidence.cells) {
        if (cell.segment === TOTAL_SEGMENT || cell.segment === OTHER_SEGMENT)
            continue;
        let entry = byKey.get(cell.segment);
        if (!entry)
            byKey.set(cell.segment, (entry = { baseline: [], canary: [] }));
        entry[cell.arm].push(cell);
    }
    return [...byKey]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([key, cells]) => ({
        key,
        baseline: mergeCells(cells.baseline),
        canary: mergeCells(cells.canary)
    }));
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
const pct$1 = (x) => `${(x * 100).toFixed(1)}%`;

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
function loadCheck(policy, evidence, ctx) {
    const name = 'load';
    const total = (arm) => evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT);
    const b = total('baseline');
    const c = total('canary');
    const alpha = bonferroni(1 - policy.confidence, GUARDS.length);
    const failing = [];
    const suspect = [];
    const shown = [];
    const hasFallbacks = [...b, ...c].some(cell => cell.fallbacks !== undefined);
    const bTotals = mergeCells(b);
    const cTotals = mergeCells(c);
    for (const guard of GUARDS) {
        if (guard.key === 'fallback' && !hasFallbacks)
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
        const line = `${guard.label} canary ${pct(ck / cn)} vs baseline ${pct(bk / bn)} (${pts(d.lower)} to ${pts(d.upper)})`;
        shown.push(line);
        if (d.lower > LOAD_TOLERANCE)
            failing.push(line);
        else if (d.upper > LOAD_TOLERANCE && d.estimate > LOAD_TOLERANCE)
            suspect.push(line);
    }
    if (shown.length === 0) {
        return { name, status: 'ok', detail: 'not tested yet: below the minimum sample' };
    }
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
const pct = (x) => `${(x * 100).toFixed(2)}%`;
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
    if (cells.every(c => Object.keys(c.models).length === 0)) {
        return { check: { name, status: 'ok', detail: 'not available from this source (no models)' } };
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
    if (unexpected.length > 0) {
        return { check: { name, status: 'warn', detail: unexpected.join('; ') } };
    }
    return { check: { name, status: 'ok', detail: `no change in the window; ${served.join('; ')}` } };
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

const isGating = (m) => m.mode !== 'report';
/**
 * Compare every metric between the arms over the evidence of one step, and run the checks on the
 * evidence itself. `canaryWeight` is the step's canary share in percent (the expected split).
 * `replay`: the evaluation time was given (--now), so records after it are expected, not skew.
 */
function analyze(policy, evidence, canaryWeight, replay = false) {
    const total = (arm) => mergeCells(evidence.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT));
    const baseline = total('baseline');
    const canary = total('canary');
    const seconds = Math.max(1, (evidence.window.to - evidence.window.from) / 1000);
    const canaryRate = canary.requests / seconds;
    const familyAlpha = 1 - policy.confidence;
    const alpha = bonferroni(familyAlpha, familySize(policy.metrics));
    const ctx = {
        alpha,
        tStar: tStar(policy.rollout.minSamples, canaryWeight),
        minSamples: policy.rollout.minSamples,
        canaryRequests: canary.requests,
        canaryRate
    };
    const metrics = policy.metrics.map((spec, i) => compareMetric(spec, metricAt(baseline.metrics, i), metricAt(canary.metrics, i), ctx));
    // Each segment's cells merged once, for the segment comparisons and the segment-mix check.
    const bySegment = policy.segments ? segmentTotals(evidence) : [];
    const segments = policy.segments ? compareSegments(policy, bySegment, ctx, familyAlpha) : [];
    const arms = {
        baseline: { requests: baseline.requests, units: baseline.units },
        canary: { requests: canary.requests, units: canary.units }
    };
    const checks = evidenceChecks(policy, evidence, arms, canaryWeight, replay);
    // The checks for the ways staging lies (issue 5): each adds a check, and may mark metrics. The
    // segment mix first (it may replace estimates), then the cache (it may turn fails into holds).
    if (policy.segments) {
        checks.push(coverageCheck(policy, evidence.unitLevel, bySegment, metrics, ctx, canaryWeight));
    }
    const cache = cacheCheck(evidence, metrics, ctx, (baseline.requests + canary.requests) / seconds);
    const model = modelCheck(policy, evidence);
    checks.push(aaCheck(policy, evidence, metrics, ctx), cache.check, model.check, loadCheck(policy, evidence, ctx));
    const analysis = {
        window: evidence.window,
        arms,
        unitLevel: evidence.unitLevel,
        metrics,
        segments,
        checks,
        canaryRate
    };
    if (cache.report)
        analysis.cache = cache.report;
    if (model.changedAt !== undefined)
        analysis.restartAt = model.changedAt;
    return analysis;
}
/**
 * The family of the error budget: each gating metric, plus each canary `limit` on one, since a
 * limit is a test of its own (Bonferroni over all of them). Report-only metrics are shown at the
 * same level but do not widen the gating ones.
 */
function familySize(metrics) {
    const gating = metrics.filter(isGating);
    return Math.max(1, gating.length + gating.filter(m => m.limit !== undefined).length);
}
/**
 * Confidence sequences are tightest around the sample size where decisions are expected
 * (Waudby-Smith et al. 2024 choose rho for such a t*): when the canary reaches the minimum sample
 * at this step's split, and the baseline has its share of the same traffic.
 */
function tStar(minSamples, canaryWeight) {
    const share = Math.min(Math.max(canaryWeight / 100, 0.001), 0.999);
    const canary = Math.max(30, minSamples);
    const baseline = Math.max(30, Math.round((canary * (1 - share)) / share));
    return { baseline, canary, total: baseline + canary };
}
/**
 * Every segment is compared as its own family (DESIGN.md: segments are a separate family), with
 * the segment budget split over segments and gating metrics.
 */
function compareSegments(policy, segmentTotals, ctx, familyAlpha) {
    const gating = policy.metrics.map((m, i) => ({ m, i })).filter(({ m }) => isGating(m));
    if (segmentTotals.length === 0 || gating.length === 0)
        return [];
    const alpha = bonferroni(familyAlpha, segmentTotals.length * gating.length);
    const segCtx = { ...ctx, alpha };
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
const EMPTY = { moments: emptyMoments(), requests: 0 };
const metricAt = (list, i) => list[i] ?? EMPTY;

/**
 * Baseline drift (issue 5, check 4): the provider can change the model under both arms. The
 * comparison with the concurrent baseline stays valid (the drift cancels), so this never rolls
 * back; it reports when the baseline's level of a metric has moved beyond the metric's tolerance
 * since the rollout's first evaluation with the minimum sample (RolloutState.baselineAtStart):
 * the stored level is outside the baseline's own confidence sequence now (anytime-valid, at the
 * metric's error rate), and the change from it exceeds the tolerance.
 */
function driftCheck(policy, metrics, start) {
    const name = 'baseline-drift';
    const moved = [];
    for (const spec of policy.metrics) {
        const m = metrics.find(r => r.name === spec.name);
        const before = start.levels[spec.name];
        if (!m || before === undefined || m.baseline === null || !m.baselineInterval)
            continue;
        const { lower, upper } = m.baselineInterval;
        if (before >= lower && before <= upper)
            continue;
        const shift = spec.tolerance.relative
            ? before !== 0
                ? m.baseline / before - 1
                : NaN
            : m.baseline - before;
        if (!(Math.abs(shift) > spec.tolerance.value))
            continue;
        moved.push(`${spec.name} ${value(m, before)} → ${value(m, m.baseline)} (${change(m, shift, spec.tolerance.relative)}, beyond its ${change(m, spec.tolerance.value, spec.tolerance.relative).replace('+', '±')} tolerance)`);
    }
    if (moved.length === 0) {
        return { name, status: 'ok', detail: `the baseline has held its levels since ${start.at}` };
    }
    return {
        name,
        status: 'warn',
        detail: `the baseline itself moved since the rollout began (${start.at}): ${moved.join('; ')}. The provider may have changed the model under both arms; the comparison with the concurrent baseline stays valid`
    };
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
    const here = { index: state.stepIndex, weight: weightAt(policy, state.stepIndex) };
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
        return {
            ...stay('rollback', [
                `the rollout was rolled back; \`resume\` starts it again at the first step`
            ]),
            to: { index: -1, weight: 0 }
        };
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
const rollback = (here, reasons) => ({
    action: 'rollback',
    from: here,
    to: { index: -1, weight: 0 },
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
    if (m.delta.relative && m.baseline === 0)
        return `${m.name} inconclusive: ${m.reason}`;
    if (!n || n.samples === null) {
        return `${m.name} inconclusive: the estimate sits at the tolerance, more traffic may not settle it`;
    }
    if (n.samples === 0)
        return `${m.name} inconclusive: ${m.reason}`;
    const time = n.seconds !== null ? `, ${roughDuration(n.seconds)} at current traffic` : '';
    return `${m.name} inconclusive: about ${roughCount(n.samples)} more canary requests${time}`;
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
function manualDecision(policy, state, command, actor, reason) {
    const here = { index: state.stepIndex, weight: weightAt(policy, state.stepIndex) };
    const manual = { command, actor, reason };
    const why = `${command} by ${actor}: ${reason}`;
    switch (command) {
        case 'rollback':
            return { ...rollback(here, [why]), manual };
        case 'promote': {
            const next = state.stepIndex + 1;
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

function initialState(policy, stepStartedAt) {
    return {
        version: 1,
        rollout: policy.rollout.name,
        revision: 0,
        status: 'running',
        stepIndex: 0,
        stepStartedAt: new Date(stepStartedAt).toISOString(),
        history: []
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
function nextState(state, decision, now, analysis) {
    const at = new Date(now).toISOString();
    const command = decision.manual?.command;
    const moved = decision.to.index !== decision.from.index;
    const next = {
        ...state,
        revision: state.revision + 1,
        history: [...state.history, historyEntry(decision, at, analysis)].slice(-200)
    };
    // The baseline's levels at the rollout's start, once they rest on the minimum sample.
    const levels = !state.baselineAtStart && analysis ? baselineLevels(analysis.metrics) : undefined;
    if (levels)
        next.baselineAtStart = { at, levels };
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
            return { ...rest, status: 'running', stepIndex: 0, stepStartedAt: at };
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
        return { ...next, stepIndex: decision.to.index, stepStartedAt: at };
    }
    // A served model changed inside the step: its evidence starts again at the change.
    const restartAt = analysis?.restartAt;
    if (decision.action === 'hold' && restartAt !== undefined && !command) {
        const started = Date.parse(state.stepStartedAt);
        if (restartAt > started)
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
    return record;
}
/** The record as JSON text: Infinity and NaN become null, as JSON requires. */
const recordJson = (r) => JSON.stringify(r, null, 2);

/**
 * Text from data or from the policy (metric names, segment values, reasons that quote them) is
 * escaped before it reaches markdown, so it cannot inject links, mentions, HTML or table cells.
 */
function escapeMarkdown(text) {
    return text
        .replace(/[\\`*_[\]|~#]/g, c => `\\${c}`)
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/@/g, '@\u200b')
        .replace(/\r?\n/g, ' ');
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
        return `${ICON[r.decision]} ${what[r.manual.command]} ${name} by hand: ${r.step.weight}% → ${r.next.weight}%`;
    }
    switch (r.decision) {
        case 'promote':
            return r.complete && r.step.weight === r.next.weight
                ? `${ICON.promote} ${name} is complete at 100%`
                : `${ICON.promote} Promote ${name}: ${r.step.weight}% → ${r.next.weight}%${r.complete ? ' (complete)' : ''}`;
        case 'rollback':
            return `${ICON.rollback} Roll back ${name}: ${r.step.weight}% → 0%`;
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
    const held = m.holdsBecause ? ' (holds)' : '';
    return `| ${escapeMarkdown(m.name)}${mode} | ${value(m, m.baseline)} | ${value(m, m.canary)} | ${deltaWithInterval(m)} | ${toleranceText(m)}${noise}${limit} | ${VERDICT[m.verdict]}${held} |`;
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
/** The PR comment and job summary: verdict first, then the evidence, then the full record. */
function renderMarkdown(r) {
    const lines = [commentMarker(r.rollout), `### ${headline(r)}`, '', progressLine(r), ''];
    lines.push(...r.reasons.map(reason => `- ${escapeMarkdown(reason)}`));
    if (r.needed && r.needed.samples !== null && r.needed.samples > 0) {
        const time = r.needed.seconds !== null ? `, ${roughDuration(r.needed.seconds)} at current traffic` : '';
        lines.push('', `**Still needed:** about ${roughCount(r.needed.samples)} more canary requests${time}.`);
    }
    if (r.metrics.length > 0) {
        lines.push('', `Window ${r.window?.from ?? '?'} → ${r.window?.to ?? '?'}: baseline ${int$2(r.arms.baseline.n)}, canary ${int$2(r.arms.canary.n)} requests.`, '', '| metric | baseline | canary | change (interval) | tolerance | verdict |', '|---|---:|---:|---|---:|---|', ...r.metrics.map(metricRow));
        lines.push('', `<sub>${Math.round(r.policy.confidence * 100)}% family-wise anytime-valid confidence sequences; a metric passes only when its whole interval is within the tolerance.</sub>`);
    }
    if (r.checks.length > 0) {
        lines.push('', '**Checks**', '', ...r.checks.map(c => `- ${CHECK[c.status]} ${c.name}: ${escapeMarkdown(c.detail)}`));
    }
    lines.push(...segmentLines(r.segments));
    const json = recordJson(r);
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(json) + 1));
    lines.push('', '<details><summary>Decision record</summary>', '', `${fence}json`, json, fence, '', '</details>', '');
    return lines.join('\n');
}
const longestBacktickRun = (s) => Math.max(0, ...(s.match(/`+/g) ?? []).map(run => run.length));

/** Markdown bold (the current step) becomes brackets in a terminal. */
const plain = (s) => s.replace(/\*\*(.*?)\*\*/g, '[$1]');
/** The terminal view: the verdict, why, and one line per metric and check. */
function renderText(r) {
    const lines = [plain(headline(r)), plain(progressLine(r)), ''];
    lines.push(...r.reasons.map(reason => `  - ${reason}`));
    if (r.metrics.length > 0) {
        lines.push('', `window ${r.window?.from} -> ${r.window?.to}; baseline ${int$2(r.arms.baseline.n)}, canary ${int$2(r.arms.canary.n)} requests`);
        const rows = r.metrics.map(m => [
            m.name + (m.mode === 'gate' ? '' : ` (${m.mode})`),
            value(m, m.baseline),
            value(m, m.canary),
            deltaWithInterval(m),
            `tol ${toleranceText(m)}`,
            noiseText(m),
            m.verdict + (m.holdsBecause ? ' (holds)' : '')
        ]);
        const widths = rows[0]?.map((_, i) => Math.max(...rows.map(row => row[i]?.length ?? 0))) ?? [];
        for (const row of rows) {
            lines.push('  ' +
                row
                    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
                    .join('  ')
                    .trimEnd());
        }
    }
    if (r.checks.length > 0) {
        lines.push('', ...r.checks.map(c => `  [${c.status}] ${c.name}: ${c.detail}`));
    }
    return lines.join('\n') + '\n';
}

async function evaluate(deps) {
    const { policy, source, now } = deps;
    const loaded = await deps.store?.load();
    const start = loaded ? undefined : (deps.since ?? (await firstCanary(source, now)));
    const state = loaded ?? initialState(policy, start ?? now);
    // No state and no canary yet: the step starts now, but the report still shows all data so far,
    // so a canary label that matches nothing is visible at once.
    const windowFrom = loaded || start !== undefined ? undefined : 0;
    const collected = state.status === 'running' || state.status === 'paused'
        ? await collectEvidence(policy, state, source, now, deps.replay ?? false, windowFrom)
        : undefined;
    const analysis = collected?.analysis;
    if (analysis && loaded?.policyHash && loaded.policyHash !== deps.policyHash) {
        analysis.checks.push({
            name: 'policy',
            status: 'warn',
            detail: `the policy changed since this rollout's state was written (${loaded.policyHash} -> ${deps.policyHash})`
        });
    }
    if (analysis && state.baselineAtStart) {
        analysis.checks.push(driftCheck(policy, analysis.metrics, state.baselineAtStart));
    }
    // A complete or rolled-back rollout is decided by its status alone.
    const decision = decide(policy, state, analysis ?? emptyAnalysis(now), now);
    return finish(deps, state, loaded?.revision, decision, analysis, collected?.quality);
}
/** A person's command: no evidence is collected, so a source that is down cannot block it. */
async function command(deps) {
    const loaded = await deps.store?.load();
    const state = loaded ?? initialState(deps.policy, deps.now);
    const refusal = commandRefusal(state, deps.command);
    if (refusal)
        throw new UsageError(`cannot ${deps.command} rollout "${deps.policy.rollout.name}": ${refusal}`);
    const decision = manualDecision(deps.policy, state, deps.command, deps.actor, deps.reason);
    return finish(deps, state, loaded?.revision, decision);
}
async function finish(deps, state, loadedRevision, decision, analysis, quality) {
    const next = { ...nextState(state, decision, deps.now, analysis), policyHash: deps.policyHash };
    if (deps.store && !deps.dryRun)
        await deps.store.save(next, loadedRevision);
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
    return { record, state: next, markdown: renderMarkdown(record), text: renderText(record) };
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
async function collectEvidence(policy, state, source, now, replay, windowFrom = Date.parse(state.stepStartedAt) + policy.rollout.warmup) {
    const weight = weightAt(policy, state.stepIndex);
    const from = windowFrom;
    if (now <= from) {
        const analysis = analyze(policy, emptyEvidence(source, now, now), weight);
        analysis.checks.unshift({
            name: 'warm-up',
            status: 'block',
            detail: `the step began at ${state.stepStartedAt}; its first ${policy.rollout.warmup / 60000}m are excluded, so evidence starts at ${new Date(from).toISOString()}`
        });
        return { analysis };
    }
    try {
        const evidence = await source.collect({ window: { from, to: now }, now });
        const analysis = analyze(policy, evidence, weight, replay);
        if (analysis.restartAt !== undefined && analysis.restartAt > from) {
            return await restartAtModelChange(policy, analysis, source, now, weight, replay);
        }
        return { analysis, quality: evidence.quality };
    }
    catch (e) {
        const analysis = analyze(policy, emptyEvidence(source, from, now), weight);
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
async function restartAtModelChange(policy, before, source, now, weight, replay) {
    const restartAt = before.restartAt;
    const from = restartAt + policy.rollout.warmup;
    const change = before.checks.find(c => c.name === 'model')?.detail ?? 'a served model changed';
    const baked = now - restartAt >= policy.rollout.minDuration;
    const evidence = now > from
        ? await source.collect({ window: { from, to: now }, now })
        : emptyEvidence(source, now, now);
    const analysis = analyze(policy, evidence, weight, replay);
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
 * The validated rollout policy (DESIGN.md, "Policy"). Everything here is already parsed:
 * durations are milliseconds, percentages are fractions, and every default is filled in,
 * so the rest of the engine never re-interprets policy text.
 */
/** The only error the policy loader throws. `message` lists every issue as `file:line:col: path: message`. */
class PolicyError extends Error {
    issues;
    constructor(issues) {
        super(issues
            .map(i => `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
            .join('\n'));
        this.name = 'PolicyError';
        this.issues = issues;
    }
}

function getDefaultExportFromCjs (x) {
	return x && x.__esModule && Object.prototype.hasOwnProperty.call(x, 'default') ? x['default'] : x;
}

var dist = {};

var composer = {};

var directives = {};

var identity = {};

var hasRequiredIdentity;

function requireIdentity () {
	if (hasRequiredIdentity) return identity;
	hasRequiredIdentity = 1;

	const ALIAS = Symbol.for('yaml.alias');
	const DOC = Symbol.for('yaml.document');
	const MAP = Symbol.for('yaml.map');
	const PAIR = Symbol.for('yaml.pair');
	const SCALAR = Symbol.for('yaml.scalar');
	const SEQ = Symbol.for('yaml.seq');
	const NODE_TYPE = Symbol.for('yaml.node.type');
	const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
	const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
	const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
	const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
	const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR;
	const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
	function isCollection(node) {
	    if (node && typeof node === 'object')
	        switch (node[NODE_TYPE]) {
	            case MAP:
	            case SEQ:
	                return true;
	        }
	    return false;
	}
	function isNode(node) {
	    if (node && typeof node === 'object')
	        switch (node[NODE_TYPE]) {
	            case ALIAS:
	            case MAP:
	            case SCALAR:
	            case SEQ:
	                return true;
	        }
	    return false;
	}
	const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

	identity.ALIAS = ALIAS;
	identity.DOC = DOC;
	identity.MAP = MAP;
	identity.NODE_TYPE = NODE_TYPE;
	identity.PAIR = PAIR;
	identity.SCALAR = SCALAR;
	identity.SEQ = SEQ;
	identity.hasAnchor = hasAnchor;
	identity.isAlias = isAlias;
	identity.isCollection = isCollection;
	identity.isDocument = isDocument;
	identity.isMap = isMap;
	identity.isNode = isNode;
	identity.isPair = isPair;
	identity.isScalar = isScalar;
	identity.isSeq = isSeq;
	return identity;
}

var visit = {};

var hasRequiredVisit;

function requireVisit () {
	if (hasRequiredVisit) return visit;
	hasRequiredVisit = 1;

	var identity = requireIdentity();

	const BREAK = Symbol('break visit');
	const SKIP = Symbol('skip children');
	const REMOVE = Symbol('remove node');
	/**
	 * Apply a visitor to an AST node or document.
	 *
	 * Walks through the tree (depth-first) starting from `node`, calling a
	 * `visitor` function with three arguments:
	 *   - `key`: For sequence values and map `Pair`, the node's index in the
	 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
	 *     `null` for the root node.
	 *   - `node`: The current node.
	 *   - `path`: The ancestry of the current node.
	 *
	 * The return value of the visitor may be used to control the traversal:
	 *   - `undefined` (default): Do nothing and continue
	 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
	 *     sibling
	 *   - `visit.BREAK`: Terminate traversal completely
	 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
	 *   - `Node`: Replace the current node, then continue by visiting it
	 *   - `number`: While iterating the items of a sequence or map, set the index
	 *     of the next step. This is useful especially if the index of the current
	 *     node has changed.
	 *
	 * If `visitor` is a single function, it will be called with all values
	 * encountered in the tree, including e.g. `null` values. Alternatively,
	 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
	 * `Alias` and `Scalar` node. To define the same visitor function for more than
	 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
	 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
	 * specific defined one will be used for each node.
	 */
	function visit$1(node, visitor) {
	    const visitor_ = initVisitor(visitor);
	    if (identity.isDocument(node)) {
	        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
	        if (cd === REMOVE)
	            node.contents = null;
	    }
	    else
	        visit_(null, node, visitor_, Object.freeze([]));
	}
	// Without the `as symbol` casts, TS declares these in the `visit`
	// namespace using `var`, but then complains about that because
	// `unique symbol` must be `const`.
	/** Terminate visit traversal completely */
	visit$1.BREAK = BREAK;
	/** Do not visit the children of the current node */
	visit$1.SKIP = SKIP;
	/** Remove the current node */
	visit$1.REMOVE = REMOVE;
	function visit_(key, node, visitor, path) {
	    const ctrl = callVisitor(key, node, visitor, path);
	    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
	        replaceNode(key, path, ctrl);
	        return visit_(key, ctrl, visitor, path);
	    }
	    if (typeof ctrl !== 'symbol') {
	        if (identity.isCollection(node)) {
	            path = Object.freeze(path.concat(node));
	            for (let i = 0; i < node.items.length; ++i) {
	                const ci = visit_(i, node.items[i], visitor, path);
	                if (typeof ci === 'number')
	                    i = ci - 1;
	                else if (ci === BREAK)
	                    return BREAK;
	                else if (ci === REMOVE) {
	                    node.items.splice(i, 1);
	                    i -= 1;
	                }
	            }
	        }
	        else if (identity.isPair(node)) {
	            path = Object.freeze(path.concat(node));
	            const ck = visit_('key', node.key, visitor, path);
	            if (ck === BREAK)
	                return BREAK;
	            else if (ck === REMOVE)
	                node.key = null;
	            const cv = visit_('value', node.value, visitor, path);
	            if (cv === BREAK)
	                return BREAK;
	            else if (cv === REMOVE)
	                node.value = null;
	        }
	    }
	    return ctrl;
	}
	/**
	 * Apply an async visitor to an AST node or document.
	 *
	 * Walks through the tree (depth-first) starting from `node`, calling a
	 * `visitor` function with three arguments:
	 *   - `key`: For sequence values and map `Pair`, the node's index in the
	 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
	 *     `null` for the root node.
	 *   - `node`: The current node.
	 *   - `path`: The ancestry of the current node.
	 *
	 * The return value of the visitor may be used to control the traversal:
	 *   - `Promise`: Must resolve to one of the following values
	 *   - `undefined` (default): Do nothing and continue
	 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
	 *     sibling
	 *   - `visit.BREAK`: Terminate traversal completely
	 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
	 *   - `Node`: Replace the current node, then continue by visiting it
	 *   - `number`: While iterating the items of a sequence or map, set the index
	 *     of the next step. This is useful especially if the index of the current
	 *     node has changed.
	 *
	 * If `visitor` is a single function, it will be called with all values
	 * encountered in the tree, including e.g. `null` values. Alternatively,
	 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
	 * `Alias` and `Scalar` node. To define the same visitor function for more than
	 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
	 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
	 * specific defined one will be used for each node.
	 */
	async function visitAsync(node, visitor) {
	    const visitor_ = initVisitor(visitor);
	    if (identity.isDocument(node)) {
	        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
	        if (cd === REMOVE)
	            node.contents = null;
	    }
	    else
	        await visitAsync_(null, node, visitor_, Object.freeze([]));
	}
	// Without the `as symbol` casts, TS declares these in the `visit`
	// namespace using `var`, but then complains about that because
	// `unique symbol` must be `const`.
	/** Terminate visit traversal completely */
	visitAsync.BREAK = BREAK;
	/** Do not visit the children of the current node */
	visitAsync.SKIP = SKIP;
	/** Remove the current node */
	visitAsync.REMOVE = REMOVE;
	async function visitAsync_(key, node, visitor, path) {
	    const ctrl = await callVisitor(key, node, visitor, path);
	    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
	        replaceNode(key, path, ctrl);
	        return visitAsync_(key, ctrl, visitor, path);
	    }
	    if (typeof ctrl !== 'symbol') {
	        if (identity.isCollection(node)) {
	            path = Object.freeze(path.concat(node));
	            for (let i = 0; i < node.items.length; ++i) {
	                const ci = await visitAsync_(i, node.items[i], visitor, path);
	                if (typeof ci === 'number')
	                    i = ci - 1;
	                else if (ci === BREAK)
	                    return BREAK;
	                else if (ci === REMOVE) {
	                    node.items.splice(i, 1);
	                    i -= 1;
	                }
	            }
	        }
	        else if (identity.isPair(node)) {
	            path = Object.freeze(path.concat(node));
	            const ck = await visitAsync_('key', node.key, visitor, path);
	            if (ck === BREAK)
	                return BREAK;
	            else if (ck === REMOVE)
	                node.key = null;
	            const cv = await visitAsync_('value', node.value, visitor, path);
	            if (cv === BREAK)
	                return BREAK;
	            else if (cv === REMOVE)
	                node.value = null;
	        }
	    }
	    return ctrl;
	}
	function initVisitor(visitor) {
	    if (typeof visitor === 'object' &&
	        (visitor.Collection || visitor.Node || visitor.Value)) {
	        return Object.assign({
	            Alias: visitor.Node,
	            Map: visitor.Node,
	            Scalar: visitor.Node,
	            Seq: visitor.Node
	        }, visitor.Value && {
	            Map: visitor.Value,
	            Scalar: visitor.Value,
	            Seq: visitor.Value
	        }, visitor.Collection && {
	            Map: visitor.Collection,
	            Seq: visitor.Collection
	        }, visitor);
	    }
	    return visitor;
	}
	function callVisitor(key, node, visitor, path) {
	    if (typeof visitor === 'function')
	        return visitor(key, node, path);
	    if (identity.isMap(node))
	        return visitor.Map?.(key, node, path);
	    if (identity.isSeq(node))
	        return visitor.Seq?.(key, node, path);
	    if (identity.isPair(node))
	        return visitor.Pair?.(key, node, path);
	    if (identity.isScalar(node))
	        return visitor.Scalar?.(key, node, path);
	    if (identity.isAlias(node))
	        return visitor.Alias?.(key, node, path);
	    return undefined;
	}
	function replaceNode(key, path, node) {
	    const parent = path[path.length - 1];
	    if (identity.isCollection(parent)) {
	        parent.items[key] = node;
	    }
	    else if (identity.isPair(parent)) {
	        if (key === 'key')
	            parent.key = node;
	        else
	            parent.value = node;
	    }
	    else if (identity.isDocument(parent)) {
	        parent.contents = node;
	    }
	    else {
	        const pt = identity.isAlias(parent) ? 'alias' : 'scalar';
	        throw new Error(`Cannot replace node with ${pt} parent`);
	    }
	}

	visit.visit = visit$1;
	visit.visitAsync = visitAsync;
	return visit;
}

var hasRequiredDirectives;

function requireDirectives () {
	if (hasRequiredDirectives) return directives;
	hasRequiredDirectives = 1;

	var identity = requireIdentity();
	var visit = requireVisit();

	const escapeChars = {
	    '!': '%21',
	    ',': '%2C',
	    '[': '%5B',
	    ']': '%5D',
	    '{': '%7B',
	    '}': '%7D'
	};
	const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
	class Directives {
	    constructor(yaml, tags) {
	        /**
	         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
	         * included in the document's stringified representation.
	         */
	        this.docStart = null;
	        /** The doc-end marker `...`.  */
	        this.docEnd = false;
	        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
	        this.tags = Object.assign({}, Directives.defaultTags, tags);
	    }
	    clone() {
	        const copy = new Directives(this.yaml, this.tags);
	        copy.docStart = this.docStart;
	        return copy;
	    }
	    /**
	     * During parsing, get a Directives instance for the current document and
	     * update the stream state according to the current version's spec.
	     */
	    atDocument() {
	        const res = new Directives(this.yaml, this.tags);
	        switch (this.yaml.version) {
	            case '1.1':
	                this.atNextDocument = true;
	                break;
	            case '1.2':
	                this.atNextDocument = false;
	                this.yaml = {
	                    explicit: Directives.defaultYaml.explicit,
	                    version: '1.2'
	                };
	                this.tags = Object.assign({}, Directives.defaultTags);
	                break;
	        }
	        return res;
	    }
	    /**
	     * @param onError - May be called even if the action was successful
	     * @returns `true` on success
	     */
	    add(line, onError) {
	        if (this.atNextDocument) {
	            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
	            this.tags = Object.assign({}, Directives.defaultTags);
	            this.atNextDocument = false;
	        }
	        const parts = line.trim().split(/[ \t]+/);
	        const name = parts.shift();
	        switch (name) {
	            case '%TAG': {
	                if (parts.length !== 2) {
	                    onError(0, '%TAG directive should contain exactly two parts');
	                    if (parts.length < 2)
	                        return false;
	                }
	                const [handle, prefix] = parts;
	                this.tags[handle] = prefix;
	                return true;
	            }
	            case '%YAML': {
	                this.yaml.explicit = true;
	                if (parts.length !== 1) {
	                    onError(0, '%YAML directive should contain exactly one part');
	                    return false;
	                }
	                const [version] = parts;
	                if (version === '1.1' || version === '1.2') {
	                    this.yaml.version = version;
	                    return true;
	                }
	                else {
	                    const isValid = /^\d+\.\d+$/.test(version);
	                    onError(6, `Unsupported YAML version ${version}`, isValid);
	                    return false;
	                }
	            }
	            default:
	                onError(0, `Unknown directive ${name}`, true);
	                return false;
	        }
	    }
	    /**
	     * Resolves a tag, matching handles to those defined in %TAG directives.
	     *
	     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
	     *   `'!local'` tag, or `null` if unresolvable.
	     */
	    tagName(source, onError) {
	        if (source === '!')
	            return '!'; // non-specific tag
	        if (source[0] !== '!') {
	            onError(`Not a valid tag: ${source}`);
	            return null;
	        }
	        if (source[1] === '<') {
	            const verbatim = source.slice(2, -1);
	            if (verbatim === '!' || verbatim === '!!') {
	                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
	                return null;
	            }
	            if (source[source.length - 1] !== '>')
	                onError('Verbatim tags must end with a >');
	            return verbatim;
	        }
	        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
	        if (!suffix)
	            onError(`The ${source} tag has no suffix`);
	        const prefix = this.tags[handle];
	        if (prefix) {
	            try {
	                return prefix + decodeURIComponent(suffix);
	            }
	            catch (error) {
	                onError(String(error));
	                return null;
	            }
	        }
	        if (handle === '!')
	            return source; // local tag
	        onError(`Could not resolve tag: ${source}`);
	        return null;
	    }
	    /**
	     * Given a fully resolved tag, returns its printable string form,
	     * taking into account current tag prefixes and defaults.
	     */
	    tagString(tag) {
	        for (const [handle, prefix] of Object.entries(this.tags)) {
	            if (tag.startsWith(prefix))
	                return handle + escapeTagName(tag.substring(prefix.length));
	        }
	        return tag[0] === '!' ? tag : `!<${tag}>`;
	    }
	    toString(doc) {
	        const lines = this.yaml.explicit
	            ? [`%YAML ${this.yaml.version || '1.2'}`]
	            : [];
	        const tagEntries = Object.entries(this.tags);
	        let tagNames;
	        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
	            const tags = {};
	            visit.visit(doc.contents, (_key, node) => {
	                if (identity.isNode(node) && node.tag)
	                    tags[node.tag] = true;
	            });
	            tagNames = Object.keys(tags);
	        }
	        else
	            tagNames = [];
	        for (const [handle, prefix] of tagEntries) {
	            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
	                continue;
	            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
	                lines.push(`%TAG ${handle} ${prefix}`);
	        }
	        return lines.join('\n');
	    }
	}
	Directives.defaultYaml = { explicit: false, version: '1.2' };
	Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

	directives.Directives = Directives;
	return directives;
}

var Document = {};

var Alias = {};

var anchors = {};

var hasRequiredAnchors;

function requireAnchors () {
	if (hasRequiredAnchors) return anchors;
	hasRequiredAnchors = 1;

	var identity = requireIdentity();
	var visit = requireVisit();

	/**
	 * Verify that the input string is a valid anchor.
	 *
	 * Will throw on errors.
	 */
	function anchorIsValid(anchor) {
	    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
	        const sa = JSON.stringify(anchor);
	        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
	        throw new Error(msg);
	    }
	    return true;
	}
	function anchorNames(root) {
	    const anchors = new Set();
	    visit.visit(root, {
	        Value(_key, node) {
	            if (node.anchor)
	                anchors.add(node.anchor);
	        }
	    });
	    return anchors;
	}
	/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
	function findNewAnchor(prefix, exclude) {
	    for (let i = 1; true; ++i) {
	        const name = `${prefix}${i}`;
	        if (!exclude.has(name))
	            return name;
	    }
	}
	function createNodeAnchors(doc, prefix) {
	    const aliasObjects = [];
	    const sourceObjects = new Map();
	    let prevAnchors = null;
	    return {
	        onAnchor: (source) => {
	            aliasObjects.push(source);
	            prevAnchors ?? (prevAnchors = anchorNames(doc));
	            const anchor = findNewAnchor(prefix, prevAnchors);
	            prevAnchors.add(anchor);
	            return anchor;
	        },
	        /**
	         * With circular references, the source node is only resolved after all
	         * of its child nodes are. This is why anchors are set only after all of
	         * the nodes have been created.
	         */
	        setAnchors: () => {
	            for (const source of aliasObjects) {
	                const ref = sourceObjects.get(source);
	                if (typeof ref === 'object' &&
	                    ref.anchor &&
	                    (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
	                    ref.node.anchor = ref.anchor;
	                }
	                else {
	                    const error = new Error('Failed to resolve repeated object (this should not happen)');
	                    error.source = source;
	                    throw error;
	                }
	            }
	        },
	        sourceObjects
	    };
	}

	anchors.anchorIsValid = anchorIsValid;
	anchors.anchorNames = anchorNames;
	anchors.createNodeAnchors = createNodeAnchors;
	anchors.findNewAnchor = findNewAnchor;
	return anchors;
}

var Node = {};

var applyReviver = {};

var hasRequiredApplyReviver;

function requireApplyReviver () {
	if (hasRequiredApplyReviver) return applyReviver;
	hasRequiredApplyReviver = 1;

	/**
	 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
	 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
	 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
	 *
	 * Includes extensions for handling Map and Set objects.
	 */
	function applyReviver$1(reviver, obj, key, val) {
	    if (val && typeof val === 'object') {
	        if (Array.isArray(val)) {
	            for (let i = 0, len = val.length; i < len; ++i) {
	                const v0 = val[i];
	                const v1 = applyReviver$1(reviver, val, String(i), v0);
	                // eslint-disable-next-line @typescript-eslint/no-array-delete
	                if (v1 === undefined)
	                    delete val[i];
	                else if (v1 !== v0)
	                    val[i] = v1;
	            }
	        }
	        else if (val instanceof Map) {
	            for (const k of Array.from(val.keys())) {
	                const v0 = val.get(k);
	                const v1 = applyReviver$1(reviver, val, k, v0);
	                if (v1 === undefined)
	                    val.delete(k);
	                else if (v1 !== v0)
	                    val.set(k, v1);
	            }
	        }
	        else if (val instanceof Set) {
	            for (const v0 of Array.from(val)) {
	                const v1 = applyReviver$1(reviver, val, v0, v0);
	                if (v1 === undefined)
	                    val.delete(v0);
	                else if (v1 !== v0) {
	                    val.delete(v0);
	                    val.add(v1);
	                }
	            }
	        }
	        else {
	            for (const [k, v0] of Object.entries(val)) {
	                const v1 = applyReviver$1(reviver, val, k, v0);
	                if (v1 === undefined)
	                    delete val[k];
	                else if (v1 !== v0)
	                    val[k] = v1;
	            }
	        }
	    }
	    return reviver.call(obj, key, val);
	}

	applyReviver.applyReviver = applyReviver$1;
	return applyReviver;
}

var toJS$1 = {};

var hasRequiredToJS;

function requireToJS () {
	if (hasRequiredToJS) return toJS$1;
	hasRequiredToJS = 1;

	var identity = requireIdentity();

	/**
	 * Recursively convert any node or its contents to native JavaScript
	 *
	 * @param value - The input value
	 * @param arg - If `value` defines a `toJSON()` method, use this
	 *   as its first argument
	 * @param ctx - Conversion context, originally set in Document#toJS(). If
	 *   `{ keep: true }` is not set, output should be suitable for JSON
	 *   stringification.
	 */
	function toJS(value, arg, ctx) {
	    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
	    if (Array.isArray(value))
	        return value.map((v, i) => toJS(v, String(i), ctx));
	    if (value && typeof value.toJSON === 'function') {
	        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
	        if (!ctx || !identity.hasAnchor(value))
	            return value.toJSON(arg, ctx);
	        const data = { aliasCount: 0, count: 1, res: undefined };
	        ctx.anchors.set(value, data);
	        ctx.onCreate = res => {
	            data.res = res;
	            delete ctx.onCreate;
	        };
	        const res = value.toJSON(arg, ctx);
	        if (ctx.onCreate)
	            ctx.onCreate(res);
	        return res;
	    }
	    if (typeof value === 'bigint' && !ctx?.keep)
	        return Number(value);
	    return value;
	}

	toJS$1.toJS = toJS;
	return toJS$1;
}

var hasRequiredNode;

function requireNode () {
	if (hasRequiredNode) return Node;
	hasRequiredNode = 1;

	var applyReviver = requireApplyReviver();
	var identity = requireIdentity();
	var toJS = requireToJS();

	class NodeBase {
	    constructor(type) {
	        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
	    }
	    /** Create a copy of this node.  */
	    clone() {
	        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
	        if (this.range)
	            copy.range = this.range.slice();
	        return copy;
	    }
	    /** A plain JavaScript representation of this node. */
	    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
	        if (!identity.isDocument(doc))
	            throw new TypeError('A document argument is required');
	        const ctx = {
	            anchors: new Map(),
	            doc,
	            keep: true,
	            mapAsMap: mapAsMap === true,
	            mapKeyWarned: false,
	            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
	        };
	        const res = toJS.toJS(this, '', ctx);
	        if (typeof onAnchor === 'function')
	            for (const { count, res } of ctx.anchors.values())
	                onAnchor(res, count);
	        return typeof reviver === 'function'
	            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
	            : res;
	    }
	}

	Node.NodeBase = NodeBase;
	return Node;
}

var hasRequiredAlias;

function requireAlias () {
	if (hasRequiredAlias) return Alias;
	hasRequiredAlias = 1;

	var anchors = requireAnchors();
	var visit = requireVisit();
	var identity = requireIdentity();
	var Node = requireNode();
	var toJS = requireToJS();

	let Alias$1 = class Alias extends Node.NodeBase {
	    constructor(source) {
	        super(identity.ALIAS);
	        this.source = source;
	        Object.defineProperty(this, 'tag', {
	            set() {
	                throw new Error('Alias nodes cannot have tags');
	            }
	        });
	    }
	    /**
	     * Resolve the value of this alias within `doc`, finding the last
	     * instance of the `source` anchor before this node.
	     */
	    resolve(doc, ctx) {
	        if (ctx?.maxAliasCount === 0)
	            throw new ReferenceError('Alias resolution is disabled');
	        let nodes;
	        if (ctx?.aliasResolveCache) {
	            nodes = ctx.aliasResolveCache;
	        }
	        else {
	            nodes = [];
	            visit.visit(doc, {
	                Node: (_key, node) => {
	                    if (identity.isAlias(node) || identity.hasAnchor(node))
	                        nodes.push(node);
	                }
	            });
	            if (ctx)
	                ctx.aliasResolveCache = nodes;
	        }
	        let found = undefined;
	        for (const node of nodes) {
	            if (node === this)
	                break;
	            if (node.anchor === this.source)
	                found = node;
	        }
	        if (found && ctx) {
	            const { anchors, doc, maxAliasCount } = ctx;
	            let data = anchors.get(found);
	            if (!data) {
	                // Resolve anchors for Node.prototype.toJS()
	                toJS.toJS(found, null, ctx);
	                data = anchors.get(found);
	            }
	            /* istanbul ignore if */
	            if (data?.res === undefined) {
	                const msg = 'This should not happen: Alias anchor was not resolved?';
	                throw new ReferenceError(msg);
	            }
	            if (maxAliasCount >= 0) {
	                data.count += 1;
	                if (data.aliasCount === 0)
	                    data.aliasCount = getAliasCount(doc, found, anchors);
	                if (data.count * data.aliasCount > maxAliasCount) {
	                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
	                    throw new ReferenceError(msg);
	                }
	            }
	        }
	        return found;
	    }
	    toJSON(_arg, ctx) {
	        if (!ctx)
	            return { source: this.source };
	        const source = this.resolve(ctx.doc, ctx);
	        if (!source) {
	            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
	            throw new ReferenceError(msg);
	        }
	        return ctx.anchors.get(source).res;
	    }
	    toString(ctx, _onComment, _onChompKeep) {
	        const src = `*${this.source}`;
	        if (ctx) {
	            anchors.anchorIsValid(this.source);
	            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
	                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
	                throw new Error(msg);
	            }
	            if (ctx.implicitKey)
	                return `${src} `;
	        }
	        return src;
	    }
	};
	function getAliasCount(doc, node, anchors) {
	    if (identity.isAlias(node)) {
	        const source = node.resolve(doc);
	        const anchor = anchors && source && anchors.get(source);
	        return anchor ? anchor.count * anchor.aliasCount : 0;
	    }
	    else if (identity.isCollection(node)) {
	        let count = 0;
	        for (const item of node.items) {
	            const c = getAliasCount(doc, item, anchors);
	            if (c > count)
	                count = c;
	        }
	        return count;
	    }
	    else if (identity.isPair(node)) {
	        const kc = getAliasCount(doc, node.key, anchors);
	        const vc = getAliasCount(doc, node.value, anchors);
	        return Math.max(kc, vc);
	    }
	    return 1;
	}

	Alias.Alias = Alias$1;
	return Alias;
}

var Collection = {};

var createNode = {};

var Scalar = {};

var hasRequiredScalar;

function requireScalar () {
	if (hasRequiredScalar) return Scalar;
	hasRequiredScalar = 1;

	var identity = requireIdentity();
	var Node = requireNode();
	var toJS = requireToJS();

	const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
	let Scalar$1 = class Scalar extends Node.NodeBase {
	    constructor(value) {
	        super(identity.SCALAR);
	        this.value = value;
	    }
	    toJSON(arg, ctx) {
	        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
	    }
	    toString() {
	        return String(this.value);
	    }
	};
	Scalar$1.BLOCK_FOLDED = 'BLOCK_FOLDED';
	Scalar$1.BLOCK_LITERAL = 'BLOCK_LITERAL';
	Scalar$1.PLAIN = 'PLAIN';
	Scalar$1.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
	Scalar$1.QUOTE_SINGLE = 'QUOTE_SINGLE';

	Scalar.Scalar = Scalar$1;
	Scalar.isScalarValue = isScalarValue;
	return Scalar;
}

var hasRequiredCreateNode;

function requireCreateNode () {
	if (hasRequiredCreateNode) return createNode;
	hasRequiredCreateNode = 1;

	var Alias = requireAlias();
	var identity = requireIdentity();
	var Scalar = requireScalar();

	const defaultTagPrefix = 'tag:yaml.org,2002:';
	function findTagObject(value, tagName, tags) {
	    if (tagName) {
	        const match = tags.filter(t => t.tag === tagName);
	        const tagObj = match.find(t => !t.format) ?? match[0];
	        if (!tagObj)
	            throw new Error(`Tag ${tagName} not found`);
	        return tagObj;
	    }
	    return tags.find(t => t.identify?.(value) && !t.format);
	}
	function createNode$1(value, tagName, ctx) {
	    if (identity.isDocument(value))
	        value = value.contents;
	    if (identity.isNode(value))
	        return value;
	    if (identity.isPair(value)) {
	        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
	        map.items.push(value);
	        return map;
	    }
	    if (value instanceof String ||
	        value instanceof Number ||
	        value instanceof Boolean ||
	        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
	    ) {
	        // https://tc39.es/ecma262/#sec-serializejsonproperty
	        value = value.valueOf();
	    }
	    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
	    // Detect duplicate references to the same object & use Alias nodes for all
	    // after first. The `ref` wrapper allows for circular references to resolve.
	    let ref = undefined;
	    if (aliasDuplicateObjects && value && typeof value === 'object') {
	        ref = sourceObjects.get(value);
	        if (ref) {
	            ref.anchor ?? (ref.anchor = onAnchor(value));
	            return new Alias.Alias(ref.anchor);
	        }
	        else {
	            ref = { anchor: null, node: null };
	            sourceObjects.set(value, ref);
	        }
	    }
	    if (tagName?.startsWith('!!'))
	        tagName = defaultTagPrefix + tagName.slice(2);
	    let tagObj = findTagObject(value, tagName, schema.tags);
	    if (!tagObj) {
	        if (value && typeof value.toJSON === 'function') {
	            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
	            value = value.toJSON();
	        }
	        if (!value || typeof value !== 'object') {
	            const node = new Scalar.Scalar(value);
	            if (ref)
	                ref.node = node;
	            return node;
	        }
	        tagObj =
	            value instanceof Map
	                ? schema[identity.MAP]
	                : Symbol.iterator in Object(value)
	                    ? schema[identity.SEQ]
	                    : schema[identity.MAP];
	    }
	    if (onTagObj) {
	        onTagObj(tagObj);
	        delete ctx.onTagObj;
	    }
	    const node = tagObj?.createNode
	        ? tagObj.createNode(ctx.schema, value, ctx)
	        : typeof tagObj?.nodeClass?.from === 'function'
	            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
	            : new Scalar.Scalar(value);
	    if (tagName)
	        node.tag = tagName;
	    else if (!tagObj.default)
	        node.tag = tagObj.tag;
	    if (ref)
	        ref.node = node;
	    return node;
	}

	createNode.createNode = createNode$1;
	return createNode;
}

var hasRequiredCollection;

function requireCollection () {
	if (hasRequiredCollection) return Collection;
	hasRequiredCollection = 1;

	var createNode = requireCreateNode();
	var identity = requireIdentity();
	var Node = requireNode();

	function collectionFromPath(schema, path, value) {
	    let v = value;
	    for (let i = path.length - 1; i >= 0; --i) {
	        const k = path[i];
	        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
	            const a = [];
	            a[k] = v;
	            v = a;
	        }
	        else {
	            v = new Map([[k, v]]);
	        }
	    }
	    return createNode.createNode(v, undefined, {
	        aliasDuplicateObjects: false,
	        keepUndefined: false,
	        onAnchor: () => {
	            throw new Error('This should not happen, please report a bug.');
	        },
	        schema,
	        sourceObjects: new Map()
	    });
	}
	// Type guard is intentionally a little wrong so as to be more useful,
	// as it does not cover untypable empty non-string iterables (e.g. []).
	const isEmptyPath = (path) => path == null ||
	    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
	let Collection$1 = class Collection extends Node.NodeBase {
	    constructor(type, schema) {
	        super(type);
	        Object.defineProperty(this, 'schema', {
	            value: schema,
	            configurable: true,
	            enumerable: false,
	            writable: true
	        });
	    }
	    /**
	     * Create a copy of this collection.
	     *
	     * @param schema - If defined, overwrites the original's schema
	     */
	    clone(schema) {
	        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
	        if (schema)
	            copy.schema = schema;
	        copy.items = copy.items.map(it => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
	        if (this.range)
	            copy.range = this.range.slice();
	        return copy;
	    }
	    /**
	     * Adds a value to the collection. For `!!map` and `!!omap` the value must
	     * be a Pair instance or a `{ key, value }` object, which may not have a key
	     * that already exists in the map.
	     */
	    addIn(path, value) {
	        if (isEmptyPath(path))
	            this.add(value);
	        else {
	            const [key, ...rest] = path;
	            const node = this.get(key, true);
	            if (identity.isCollection(node))
	                node.addIn(rest, value);
	            else if (node === undefined && this.schema)
	                this.set(key, collectionFromPath(this.schema, rest, value));
	            else
	                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
	        }
	    }
	    /**
	     * Removes a value from the collection.
	     * @returns `true` if the item was found and removed.
	     */
	    deleteIn(path) {
	        const [key, ...rest] = path;
	        if (rest.length === 0)
	            return this.delete(key);
	        const node = this.get(key, true);
	        if (identity.isCollection(node))
	            return node.deleteIn(rest);
	        else
	            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
	    }
	    /**
	     * Returns item at `key`, or `undefined` if not found. By default unwraps
	     * scalar values from their surrounding node; to disable set `keepScalar` to
	     * `true` (collections are always returned intact).
	     */
	    getIn(path, keepScalar) {
	        const [key, ...rest] = path;
	        const node = this.get(key, true);
	        if (rest.length === 0)
	            return !keepScalar && identity.isScalar(node) ? node.value : node;
	        else
	            return identity.isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
	    }
	    hasAllNullValues(allowScalar) {
	        return this.items.every(node => {
	            if (!identity.isPair(node))
	                return false;
	            const n = node.value;
	            return (n == null ||
	                (allowScalar &&
	                    identity.isScalar(n) &&
	                    n.value == null &&
	                    !n.commentBefore &&
	                    !n.comment &&
	                    !n.tag));
	        });
	    }
	    /**
	     * Checks if the collection includes a value with the key `key`.
	     */
	    hasIn(path) {
	        const [key, ...rest] = path;
	        if (rest.length === 0)
	            return this.has(key);
	        const node = this.get(key, true);
	        return identity.isCollection(node) ? node.hasIn(rest) : false;
	    }
	    /**
	     * Sets a value in this collection. For `!!set`, `value` needs to be a
	     * boolean to add/remove the item from the set.
	     */
	    setIn(path, value) {
	        const [key, ...rest] = path;
	        if (rest.length === 0) {
	            this.set(key, value);
	        }
	        else {
	            const node = this.get(key, true);
	            if (identity.isCollection(node))
	                node.setIn(rest, value);
	            else if (node === undefined && this.schema)
	                this.set(key, collectionFromPath(this.schema, rest, value));
	            else
	                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
	        }
	    }
	};

	Collection.Collection = Collection$1;
	Collection.collectionFromPath = collectionFromPath;
	Collection.isEmptyPath = isEmptyPath;
	return Collection;
}

var Pair = {};

var stringifyPair = {};

var stringify = {};

var stringifyComment = {};

var hasRequiredStringifyComment;

function requireStringifyComment () {
	if (hasRequiredStringifyComment) return stringifyComment;
	hasRequiredStringifyComment = 1;

	/**
	 * Stringifies a comment.
	 *
	 * Empty comment lines are left empty,
	 * lines consisting of a single space are replaced by `#`,
	 * and all other lines are prefixed with a `#`.
	 */
	const stringifyComment$1 = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
	function indentComment(comment, indent) {
	    if (/^\n+$/.test(comment))
	        return comment.substring(1);
	    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
	}
	const lineComment = (str, indent, comment) => str.endsWith('\n')
	    ? indentComment(comment, indent)
	    : comment.includes('\n')
	        ? '\n' + indentComment(comment, indent)
	        : (str.endsWith(' ') ? '' : ' ') + comment;

	stringifyComment.indentComment = indentComment;
	stringifyComment.lineComment = lineComment;
	stringifyComment.stringifyComment = stringifyComment$1;
	return stringifyComment;
}

var stringifyString = {};

var foldFlowLines = {};

var hasRequiredFoldFlowLines;

function requireFoldFlowLines () {
	if (hasRequiredFoldFlowLines) return foldFlowLines;
	hasRequiredFoldFlowLines = 1;

	const FOLD_FLOW = 'flow';
	const FOLD_BLOCK = 'block';
	const FOLD_QUOTED = 'quoted';
	/**
	 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
	 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
	 * terminated with `\n` and started with `indent`.
	 */
	function foldFlowLines$1(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
	    if (!lineWidth || lineWidth < 0)
	        return text;
	    if (lineWidth < minContentWidth)
	        minContentWidth = 0;
	    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
	    if (text.length <= endStep)
	        return text;
	    const folds = [];
	    const escapedFolds = {};
	    let end = lineWidth - indent.length;
	    if (typeof indentAtStart === 'number') {
	        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
	            folds.push(0);
	        else
	            end = lineWidth - indentAtStart;
	    }
	    let split = undefined;
	    let prev = undefined;
	    let overflow = false;
	    let i = -1;
	    let escStart = -1;
	    let escEnd = -1;
	    if (mode === FOLD_BLOCK) {
	        i = consumeMoreIndentedLines(text, i, indent.length);
	        if (i !== -1)
	            end = i + endStep;
	    }
	    for (let ch; (ch = text[(i += 1)]);) {
	        if (mode === FOLD_QUOTED && ch === '\\') {
	            escStart = i;
	            switch (text[i + 1]) {
	                case 'x':
	                    i += 3;
	                    break;
	                case 'u':
	                    i += 5;
	                    break;
	                case 'U':
	                    i += 9;
	                    break;
	                default:
	                    i += 1;
	            }
	            escEnd = i;
	        }
	        if (ch === '\n') {
	            if (mode === FOLD_BLOCK)
	                i = consumeMoreIndentedLines(text, i, indent.length);
	            end = i + indent.length + endStep;
	            split = undefined;
	        }
	        else {
	            if (ch === ' ' &&
	                prev &&
	                prev !== ' ' &&
	                prev !== '\n' &&
	                prev !== '\t') {
	                // space surrounded by non-space can be replaced with newline + indent
	                const next = text[i + 1];
	                if (next && next !== ' ' && next !== '\n' && next !== '\t')
	                    split = i;
	            }
	            if (i >= end) {
	                if (split) {
	                    folds.push(split);
	                    end = split + endStep;
	                    split = undefined;
	                }
	                else if (mode === FOLD_QUOTED) {
	                    // white-space collected at end may stretch past lineWidth
	                    while (prev === ' ' || prev === '\t') {
	                        prev = ch;
	                        ch = text[(i += 1)];
	                        overflow = true;
	                    }
	                    // Account for newline escape, but don't break preceding escape
	                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
	                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
	                    if (escapedFolds[j])
	                        return text;
	                    folds.push(j);
	                    escapedFolds[j] = true;
	                    end = j + endStep;
	                    split = undefined;
	                }
	                else {
	                    overflow = true;
	                }
	            }
	        }
	        prev = ch;
	    }
	    if (overflow && onOverflow)
	        onOverflow();
	    if (folds.length === 0)
	        return text;
	    if (onFold)
	        onFold();
	    let res = text.slice(0, folds[0]);
	    for (let i = 0; i < folds.length; ++i) {
	        const fold = folds[i];
	        const end = folds[i + 1] || text.length;
	        if (fold === 0)
	            res = `\n${indent}${text.slice(0, end)}`;
	        else {
	            if (mode === FOLD_QUOTED && escapedFolds[fold])
	                res += `${text[fold]}\\`;
	            res += `\n${indent}${text.slice(fold + 1, end)}`;
	        }
	    }
	    return res;
	}
	/**
	 * Presumes `i + 1` is at the start of a line
	 * @returns index of last newline in more-indented block
	 */
	function consumeMoreIndentedLines(text, i, indent) {
	    let end = i;
	    let start = i + 1;
	    let ch = text[start];
	    while (ch === ' ' || ch === '\t') {
	        if (i < start + indent) {
	            ch = text[++i];
	        }
	        else {
	            do {
	                ch = text[++i];
	            } while (ch && ch !== '\n');
	            end = i;
	            start = i + 1;
	            ch = text[start];
	        }
	    }
	    return end;
	}

	foldFlowLines.FOLD_BLOCK = FOLD_BLOCK;
	foldFlowLines.FOLD_FLOW = FOLD_FLOW;
	foldFlowLines.FOLD_QUOTED = FOLD_QUOTED;
	foldFlowLines.foldFlowLines = foldFlowLines$1;
	return foldFlowLines;
}

var hasRequiredStringifyString;

function requireStringifyString () {
	if (hasRequiredStringifyString) return stringifyString;
	hasRequiredStringifyString = 1;

	var Scalar = requireScalar();
	var foldFlowLines = requireFoldFlowLines();

	const getFoldOptions = (ctx, isBlock) => ({
	    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
	    lineWidth: ctx.options.lineWidth,
	    minContentWidth: ctx.options.minContentWidth
	});
	// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
	// presume that's starting a new document.
	const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
	function lineLengthOverLimit(str, lineWidth, indentLength) {
	    if (!lineWidth || lineWidth < 0)
	        return false;
	    const limit = lineWidth - indentLength;
	    const strLen = str.length;
	    if (strLen <= limit)
	        return false;
	    for (let i = 0, start = 0; i < strLen; ++i) {
	        if (str[i] === '\n') {
	            if (i - start > limit)
	                return true;
	            start = i + 1;
	            if (strLen - start <= limit)
	                return false;
	        }
	    }
	    return true;
	}
	function doubleQuotedString(value, ctx) {
	    const json = JSON.stringify(value);
	    if (ctx.options.doubleQuotedAsJSON)
	        return json;
	    const { implicitKey } = ctx;
	    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
	    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
	    let str = '';
	    let start = 0;
	    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
	        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
	            // space before newline needs to be escaped to not be folded
	            str += json.slice(start, i) + '\\ ';
	            i += 1;
	            start = i;
	            ch = '\\';
	        }
	        if (ch === '\\')
	            switch (json[i + 1]) {
	                case 'u':
	                    {
	                        str += json.slice(start, i);
	                        const code = json.substr(i + 2, 4);
	                        switch (code) {
	                            case '0000':
	                                str += '\\0';
	                                break;
	                            case '0007':
	                                str += '\\a';
	                                break;
	                            case '000b':
	                                str += '\\v';
	                                break;
	                            case '001b':
	                                str += '\\e';
	                                break;
	                            case '0085':
	                                str += '\\N';
	                                break;
	                            case '00a0':
	                                str += '\\_';
	                                break;
	                            case '2028':
	                                str += '\\L';
	                                break;
	                            case '2029':
	                                str += '\\P';
	                                break;
	                            default:
	                                if (code.substr(0, 2) === '00')
	                                    str += '\\x' + code.substr(2);
	                                else
	                                    str += json.substr(i, 6);
	                        }
	                        i += 5;
	                        start = i + 1;
	                    }
	                    break;
	                case 'n':
	                    if (implicitKey ||
	                        json[i + 2] === '"' ||
	                        json.length < minMultiLineLength) {
	                        i += 1;
	                    }
	                    else {
	                        // folding will eat first newline
	                        str += json.slice(start, i) + '\n\n';
	                        while (json[i + 2] === '\\' &&
	                            json[i + 3] === 'n' &&
	                            json[i + 4] !== '"') {
	                            str += '\n';
	                            i += 2;
	                        }
	                        str += indent;
	                        // space after newline needs to be escaped to not be folded
	                        if (json[i + 2] === ' ')
	                            str += '\\';
	                        i += 1;
	                        start = i + 1;
	                    }
	                    break;
	                default:
	                    i += 1;
	            }
	    }
	    str = start ? str + json.slice(start) : json;
	    return implicitKey
	        ? str
	        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
	}
	function singleQuotedString(value, ctx) {
	    if (ctx.options.singleQuote === false ||
	        (ctx.implicitKey && value.includes('\n')) ||
	        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
	    )
	        return doubleQuotedString(value, ctx);
	    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
	    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
	    return ctx.implicitKey
	        ? res
	        : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
	}
	function quotedString(value, ctx) {
	    const { singleQuote } = ctx.options;
	    let qs;
	    if (singleQuote === false)
	        qs = doubleQuotedString;
	    else {
	        const hasDouble = value.includes('"');
	        const hasSingle = value.includes("'");
	        if (hasDouble && !hasSingle)
	            qs = singleQuotedString;
	        else if (hasSingle && !hasDouble)
	            qs = doubleQuotedString;
	        else
	            qs = singleQuote ? singleQuotedString : doubleQuotedString;
	    }
	    return qs(value, ctx);
	}
	// The negative lookbehind avoids a polynomial search,
	// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
	let blockEndNewlines;
	try {
	    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
	}
	catch {
	    blockEndNewlines = /\n+(?!\n|$)/g;
	}
	function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
	    const { blockQuote, commentString, lineWidth } = ctx.options;
	    // 1. Block can't end in whitespace unless the last line is non-empty.
	    // 2. Strings consisting of only whitespace are best rendered explicitly.
	    if (!blockQuote || /\n[\t ]+$/.test(value)) {
	        return quotedString(value, ctx);
	    }
	    const indent = ctx.indent ||
	        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
	    const literal = blockQuote === 'literal'
	        ? true
	        : blockQuote === 'folded' || type === Scalar.Scalar.BLOCK_FOLDED
	            ? false
	            : type === Scalar.Scalar.BLOCK_LITERAL
	                ? true
	                : !lineLengthOverLimit(value, lineWidth, indent.length);
	    if (!value)
	        return literal ? '|\n' : '>\n';
	    // determine chomping from whitespace at value end
	    let chomp;
	    let endStart;
	    for (endStart = value.length; endStart > 0; --endStart) {
	        const ch = value[endStart - 1];
	        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
	            break;
	    }
	    let end = value.substring(endStart);
	    const endNlPos = end.indexOf('\n');
	    if (endNlPos === -1) {
	        chomp = '-'; // strip
	    }
	    else if (value === end || endNlPos !== end.length - 1) {
	        chomp = '+'; // keep
	        if (onChompKeep)
	            onChompKeep();
	    }
	    else {
	        chomp = ''; // clip
	    }
	    if (end) {
	        value = value.slice(0, -end.length);
	        if (end[end.length - 1] === '\n')
	            end = end.slice(0, -1);
	        end = end.replace(blockEndNewlines, `$&${indent}`);
	    }
	    // determine indent indicator from whitespace at value start
	    let startWithSpace = false;
	    let startEnd;
	    let startNlPos = -1;
	    for (startEnd = 0; startEnd < value.length; ++startEnd) {
	        const ch = value[startEnd];
	        if (ch === ' ')
	            startWithSpace = true;
	        else if (ch === '\n')
	            startNlPos = startEnd;
	        else
	            break;
	    }
	    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
	    if (start) {
	        value = value.substring(start.length);
	        start = start.replace(/\n+/g, `$&${indent}`);
	    }
	    const indentSize = indent ? '2' : '1'; // root is at -1
	    // Leading | or > is added later
	    let header = (startWithSpace ? indentSize : '') + chomp;
	    if (comment) {
	        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
	        if (onComment)
	            onComment();
	    }
	    if (!literal) {
	        const foldedValue = value
	            .replace(/\n+/g, '\n$&')
	            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
	            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
	            .replace(/\n+/g, `$&${indent}`);
	        let literalFallback = false;
	        const foldOptions = getFoldOptions(ctx, true);
	        if (blockQuote !== 'folded' && type !== Scalar.Scalar.BLOCK_FOLDED) {
	            foldOptions.onOverflow = () => {
	                literalFallback = true;
	            };
	        }
	        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
	        if (!literalFallback)
	            return `>${header}\n${indent}${body}`;
	    }
	    value = value.replace(/\n+/g, `$&${indent}`);
	    return `|${header}\n${indent}${start}${value}${end}`;
	}
	function plainString(item, ctx, onComment, onChompKeep) {
	    const { type, value } = item;
	    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
	    if ((implicitKey && value.includes('\n')) ||
	        (inFlow && /[[\]{},]/.test(value))) {
	        return quotedString(value, ctx);
	    }
	    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
	        // not allowed:
	        // - '-' or '?'
	        // - start with an indicator character (except [?:-]) or /[?-] /
	        // - '\n ', ': ' or ' \n' anywhere
	        // - '#' not preceded by a non-space char
	        // - end with ' ' or ':'
	        return implicitKey || inFlow || !value.includes('\n')
	            ? quotedString(value, ctx)
	            : blockString(item, ctx, onComment, onChompKeep);
	    }
	    if (!implicitKey &&
	        !inFlow &&
	        type !== Scalar.Scalar.PLAIN &&
	        value.includes('\n')) {
	        // Where allowed & type not set explicitly, prefer block style for multiline strings
	        return blockString(item, ctx, onComment, onChompKeep);
	    }
	    if (containsDocumentMarker(value)) {
	        if (indent === '') {
	            ctx.forceBlockIndent = true;
	            return blockString(item, ctx, onComment, onChompKeep);
	        }
	        else if (implicitKey && indent === indentStep) {
	            return quotedString(value, ctx);
	        }
	    }
	    const str = value.replace(/\n+/g, `$&\n${indent}`);
	    // Verify that output will be parsed as a string, as e.g. plain numbers and
	    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
	    // and others in v1.1.
	    if (actualString) {
	        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
	        const { compat, tags } = ctx.doc.schema;
	        if (tags.some(test) || compat?.some(test))
	            return quotedString(value, ctx);
	    }
	    return implicitKey
	        ? str
	        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
	}
	function stringifyString$1(item, ctx, onComment, onChompKeep) {
	    const { implicitKey, inFlow } = ctx;
	    const ss = typeof item.value === 'string'
	        ? item
	        : Object.assign({}, item, { value: String(item.value) });
	    let { type } = item;
	    if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
	        // force double quotes on control characters & unpaired surrogates
	        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
	            type = Scalar.Scalar.QUOTE_DOUBLE;
	    }
	    const _stringify = (_type) => {
	        switch (_type) {
	            case Scalar.Scalar.BLOCK_FOLDED:
	            case Scalar.Scalar.BLOCK_LITERAL:
	                return implicitKey || inFlow
	                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
	                    : blockString(ss, ctx, onComment, onChompKeep);
	            case Scalar.Scalar.QUOTE_DOUBLE:
	                return doubleQuotedString(ss.value, ctx);
	            case Scalar.Scalar.QUOTE_SINGLE:
	                return singleQuotedString(ss.value, ctx);
	            case Scalar.Scalar.PLAIN:
	                return plainString(ss, ctx, onComment, onChompKeep);
	            default:
	                return null;
	        }
	    };
	    let res = _stringify(type);
	    if (res === null) {
	        const { defaultKeyType, defaultStringType } = ctx.options;
	        const t = (implicitKey && defaultKeyType) || defaultStringType;
	        res = _stringify(t);
	        if (res === null)
	            throw new Error(`Unsupported default string type ${t}`);
	    }
	    return res;
	}

	stringifyString.stringifyString = stringifyString$1;
	return stringifyString;
}

var hasRequiredStringify;

function requireStringify () {
	if (hasRequiredStringify) return stringify;
	hasRequiredStringify = 1;

	var anchors = requireAnchors();
	var identity = requireIdentity();
	var stringifyComment = requireStringifyComment();
	var stringifyString = requireStringifyString();

	function createStringifyContext(doc, options) {
	    const opt = Object.assign({
	        blockQuote: true,
	        commentString: stringifyComment.stringifyComment,
	        defaultKeyType: null,
	        defaultStringType: 'PLAIN',
	        directives: null,
	        doubleQuotedAsJSON: false,
	        doubleQuotedMinMultiLineLength: 40,
	        falseStr: 'false',
	        flowCollectionPadding: true,
	        indentSeq: true,
	        lineWidth: 80,
	        minContentWidth: 20,
	        nullStr: 'null',
	        simpleKeys: false,
	        singleQuote: null,
	        trailingComma: false,
	        trueStr: 'true',
	        verifyAliasOrder: true
	    }, doc.schema.toStringOptions, options);
	    let inFlow;
	    switch (opt.collectionStyle) {
	        case 'block':
	            inFlow = false;
	            break;
	        case 'flow':
	            inFlow = true;
	            break;
	        default:
	            inFlow = null;
	    }
	    return {
	        anchors: new Set(),
	        doc,
	        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
	        indent: '',
	        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
	        inFlow,
	        options: opt
	    };
	}
	function getTagObject(tags, item) {
	    if (item.tag) {
	        const match = tags.filter(t => t.tag === item.tag);
	        if (match.length > 0)
	            return match.find(t => t.format === item.format) ?? match[0];
	    }
	    let tagObj = undefined;
	    let obj;
	    if (identity.isScalar(item)) {
	        obj = item.value;
	        let match = tags.filter(t => t.identify?.(obj));
	        if (match.length > 1) {
	            const testMatch = match.filter(t => t.test);
	            if (testMatch.length > 0)
	                match = testMatch;
	        }
	        tagObj =
	            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
	    }
	    else {
	        obj = item;
	        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
	    }
	    if (!tagObj) {
	        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
	        throw new Error(`Tag not resolved for ${name} value`);
	    }
	    return tagObj;
	}
	// needs to be called before value stringifier to allow for circular anchor refs
	function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
	    if (!doc.directives)
	        return '';
	    const props = [];
	    const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
	    if (anchor && anchors.anchorIsValid(anchor)) {
	        anchors$1.add(anchor);
	        props.push(`&${anchor}`);
	    }
	    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
	    if (tag)
	        props.push(doc.directives.tagString(tag));
	    return props.join(' ');
	}
	function stringify$1(item, ctx, onComment, onChompKeep) {
	    if (identity.isPair(item))
	        return item.toString(ctx, onComment, onChompKeep);
	    if (identity.isAlias(item)) {
	        if (ctx.doc.directives)
	            return item.toString(ctx);
	        if (ctx.resolvedAliases?.has(item)) {
	            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
	        }
	        else {
	            if (ctx.resolvedAliases)
	                ctx.resolvedAliases.add(item);
	            else
	                ctx.resolvedAliases = new Set([item]);
	            item = item.resolve(ctx.doc);
	        }
	    }
	    let tagObj = undefined;
	    const node = identity.isNode(item)
	        ? item
	        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
	    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
	    const props = stringifyProps(node, tagObj, ctx);
	    if (props.length > 0)
	        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
	    const str = typeof tagObj.stringify === 'function'
	        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
	        : identity.isScalar(node)
	            ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep)
	            : node.toString(ctx, onComment, onChompKeep);
	    if (!props)
	        return str;
	    return identity.isScalar(node) || str[0] === '{' || str[0] === '['
	        ? `${props} ${str}`
	        : `${props}\n${ctx.indent}${str}`;
	}

	stringify.createStringifyContext = createStringifyContext;
	stringify.stringify = stringify$1;
	return stringify;
}

var hasRequiredStringifyPair;

function requireStringifyPair () {
	if (hasRequiredStringifyPair) return stringifyPair;
	hasRequiredStringifyPair = 1;

	var identity = requireIdentity();
	var Scalar = requireScalar();
	var stringify = requireStringify();
	var stringifyComment = requireStringifyComment();

	function stringifyPair$1({ key, value }, ctx, onComment, onChompKeep) {
	    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
	    let keyComment = (identity.isNode(key) && key.comment) || null;
	    if (simpleKeys) {
	        if (keyComment) {
	            throw new Error('With simple keys, key nodes cannot have comments');
	        }
	        if (identity.isCollection(key) || (!identity.isNode(key) && typeof key === 'object')) {
	            const msg = 'With simple keys, collection cannot be used as a key value';
	            throw new Error(msg);
	        }
	    }
	    let explicitKey = !simpleKeys &&
	        (!key ||
	            (keyComment && value == null && !ctx.inFlow) ||
	            identity.isCollection(key) ||
	            (identity.isScalar(key)
	                ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL
	                : typeof key === 'object'));
	    ctx = Object.assign({}, ctx, {
	        allNullValues: false,
	        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
	        indent: indent + indentStep
	    });
	    let keyCommentDone = false;
	    let chompKeep = false;
	    let str = stringify.stringify(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
	    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
	        if (simpleKeys)
	            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
	        explicitKey = true;
	    }
	    if (ctx.inFlow) {
	        if (allNullValues || value == null) {
	            if (keyCommentDone && onComment)
	                onComment();
	            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
	        }
	    }
	    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
	        str = `? ${str}`;
	        if (keyComment && !keyCommentDone) {
	            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
	        }
	        else if (chompKeep && onChompKeep)
	            onChompKeep();
	        return str;
	    }
	    if (keyCommentDone)
	        keyComment = null;
	    if (explicitKey) {
	        if (keyComment)
	            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
	        str = `? ${str}\n${indent}:`;
	    }
	    else {
	        str = `${str}:`;
	        if (keyComment)
	            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
	    }
	    let vsb, vcb, valueComment;
	    if (identity.isNode(value)) {
	        vsb = !!value.spaceBefore;
	        vcb = value.commentBefore;
	        valueComment = value.comment;
	    }
	    else {
	        vsb = false;
	        vcb = null;
	        valueComment = null;
	        if (value && typeof value === 'object')
	            value = doc.createNode(value);
	    }
	    ctx.implicitKey = false;
	    if (!explicitKey && !keyComment && identity.isScalar(value))
	        ctx.indentAtStart = str.length + 1;
	    chompKeep = false;
	    if (!indentSeq &&
	        indentStep.length >= 2 &&
	        !ctx.inFlow &&
	        !explicitKey &&
	        identity.isSeq(value) &&
	        !value.flow &&
	        !value.tag &&
	        !value.anchor) {
	        // If indentSeq === false, consider '- ' as part of indentation where possible
	        ctx.indent = ctx.indent.substring(2);
	    }
	    let valueCommentDone = false;
	    const valueStr = stringify.stringify(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
	    let ws = ' ';
	    if (keyComment || vsb || vcb) {
	        ws = vsb ? '\n' : '';
	        if (vcb) {
	            const cs = commentString(vcb);
	            ws += `\n${stringifyComment.indentComment(cs, ctx.indent)}`;
	        }
	        if (valueStr === '' && !ctx.inFlow) {
	            if (ws === '\n' && valueComment)
	                ws = '\n\n';
	        }
	        else {
	            ws += `\n${ctx.indent}`;
	        }
	    }
	    else if (!explicitKey && identity.isCollection(value)) {
	        const vs0 = valueStr[0];
	        const nl0 = valueStr.indexOf('\n');
	        const hasNewline = nl0 !== -1;
	        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
	        if (hasNewline || !flow) {
	            let hasPropsLine = false;
	            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
	                let sp0 = valueStr.indexOf(' ');
	                if (vs0 === '&' &&
	                    sp0 !== -1 &&
	                    sp0 < nl0 &&
	                    valueStr[sp0 + 1] === '!') {
	                    sp0 = valueStr.indexOf(' ', sp0 + 1);
	                }
	                if (sp0 === -1 || nl0 < sp0)
	                    hasPropsLine = true;
	            }
	            if (!hasPropsLine)
	                ws = `\n${ctx.indent}`;
	        }
	    }
	    else if (valueStr === '' || valueStr[0] === '\n') {
	        ws = '';
	    }
	    str += ws + valueStr;
	    if (ctx.inFlow) {
	        if (valueCommentDone && onComment)
	            onComment();
	    }
	    else if (valueComment && !valueCommentDone) {
	        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
	    }
	    else if (chompKeep && onChompKeep) {
	        onChompKeep();
	    }
	    return str;
	}

	stringifyPair.stringifyPair = stringifyPair$1;
	return stringifyPair;
}

var addPairToJSMap = {};

var log$1 = {};

var hasRequiredLog;

function requireLog () {
	if (hasRequiredLog) return log$1;
	hasRequiredLog = 1;

	var node_process = require$$0;

	function debug(logLevel, ...messages) {
	    if (logLevel === 'debug')
	        console.log(...messages);
	}
	function warn(logLevel, warning) {
	    if (logLevel === 'debug' || logLevel === 'warn') {
	        if (typeof node_process.emitWarning === 'function')
	            node_process.emitWarning(warning);
	        else
	            console.warn(warning);
	    }
	}

	log$1.debug = debug;
	log$1.warn = warn;
	return log$1;
}

var merge = {};

var hasRequiredMerge;

function requireMerge () {
	if (hasRequiredMerge) return merge;
	hasRequiredMerge = 1;

	var identity = requireIdentity();
	var Scalar = requireScalar();

	// If the value associated with a merge key is a single mapping node, each of
	// its key/value pairs is inserted into the current mapping, unless the key
	// already exists in it. If the value associated with the merge key is a
	// sequence, then this sequence is expected to contain mapping nodes and each
	// of these nodes is merged in turn according to its order in the sequence.
	// Keys in mapping nodes earlier in the sequence override keys specified in
	// later mapping nodes. -- http://yaml.org/type/merge.html
	const MERGE_KEY = '<<';
	const merge$1 = {
	    identify: value => value === MERGE_KEY ||
	        (typeof value === 'symbol' && value.description === MERGE_KEY),
	    default: 'key',
	    tag: 'tag:yaml.org,2002:merge',
	    test: /^<<$/,
	    resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
	        addToJSMap: addMergeToJSMap
	    }),
	    stringify: () => MERGE_KEY
	};
	const isMergeKey = (ctx, key) => (merge$1.identify(key) ||
	    (identity.isScalar(key) &&
	        (!key.type || key.type === Scalar.Scalar.PLAIN) &&
	        merge$1.identify(key.value))) &&
	    ctx?.doc.schema.tags.some(tag => tag.tag === merge$1.tag && tag.default);
	function addMergeToJSMap(ctx, map, value) {
	    const source = resolveAliasValue(ctx, value);
	    if (identity.isSeq(source))
	        for (const it of source.items)
	            mergeValue(ctx, map, it);
	    else if (Array.isArray(source))
	        for (const it of source)
	            mergeValue(ctx, map, it);
	    else
	        mergeValue(ctx, map, source);
	}
	function mergeValue(ctx, map, value) {
	    const source = resolveAliasValue(ctx, value);
	    if (!identity.isMap(source))
	        throw new Error('Merge sources must be maps or map aliases');
	    const srcMap = source.toJSON(null, ctx, Map);
	    for (const [key, value] of srcMap) {
	        if (map instanceof Map) {
	            if (!map.has(key))
	                map.set(key, value);
	        }
	        else if (map instanceof Set) {
	            map.add(key);
	        }
	        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
	            Object.defineProperty(map, key, {
	                value,
	                writable: true,
	                enumerable: true,
	                configurable: true
	            });
	        }
	    }
	    return map;
	}
	function resolveAliasValue(ctx, value) {
	    return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
	}

	merge.addMergeToJSMap = addMergeToJSMap;
	merge.isMergeKey = isMergeKey;
	merge.merge = merge$1;
	return merge;
}

var hasRequiredAddPairToJSMap;

function requireAddPairToJSMap () {
	if (hasRequiredAddPairToJSMap) return addPairToJSMap;
	hasRequiredAddPairToJSMap = 1;

	var log = requireLog();
	var merge = requireMerge();
	var stringify = requireStringify();
	var identity = requireIdentity();
	var toJS = requireToJS();

	function addPairToJSMap$1(ctx, map, { key, value }) {
	    if (identity.isNode(key) && key.addToJSMap)
	        key.addToJSMap(ctx, map, value);
	    // TODO: Should drop this special case for bare << handling
	    else if (merge.isMergeKey(ctx, key))
	        merge.addMergeToJSMap(ctx, map, value);
	    else {
	        const jsKey = toJS.toJS(key, '', ctx);
	        if (map instanceof Map) {
	            map.set(jsKey, toJS.toJS(value, jsKey, ctx));
	        }
	        else if (map instanceof Set) {
	            map.add(jsKey);
	        }
	        else {
	            const stringKey = stringifyKey(key, jsKey, ctx);
	            const jsValue = toJS.toJS(value, stringKey, ctx);
	            if (stringKey in map)
	                Object.defineProperty(map, stringKey, {
	                    value: jsValue,
	                    writable: true,
	                    enumerable: true,
	                    configurable: true
	                });
	            else
	                map[stringKey] = jsValue;
	        }
	    }
	    return map;
	}
	function stringifyKey(key, jsKey, ctx) {
	    if (jsKey === null)
	        return '';
	    // eslint-disable-next-line @typescript-eslint/no-base-to-string
	    if (typeof jsKey !== 'object')
	        return String(jsKey);
	    if (identity.isNode(key) && ctx?.doc) {
	        const strCtx = stringify.createStringifyContext(ctx.doc, {});
	        strCtx.anchors = new Set();
	        for (const node of ctx.anchors.keys())
	            strCtx.anchors.add(node.anchor);
	        strCtx.inFlow = true;
	        strCtx.inStringifyKey = true;
	        const strKey = key.toString(strCtx);
	        if (!ctx.mapKeyWarned) {
	            let jsonStr = JSON.stringify(strKey);
	            if (jsonStr.length > 40)
	                jsonStr = jsonStr.substring(0, 36) + '..."';
	            log.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
	            ctx.mapKeyWarned = true;
	        }
	        return strKey;
	    }
	    return JSON.stringify(jsKey);
	}

	addPairToJSMap.addPairToJSMap = addPairToJSMap$1;
	return addPairToJSMap;
}

var hasRequiredPair;

function requirePair () {
	if (hasRequiredPair) return Pair;
	hasRequiredPair = 1;

	var createNode = requireCreateNode();
	var stringifyPair = requireStringifyPair();
	var addPairToJSMap = requireAddPairToJSMap();
	var identity = requireIdentity();

	function createPair(key, value, ctx) {
	    const k = createNode.createNode(key, undefined, ctx);
	    const v = createNode.createNode(value, undefined, ctx);
	    return new Pair$1(k, v);
	}
	let Pair$1 = class Pair {
	    constructor(key, value = null) {
	        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
	        this.key = key;
	        this.value = value;
	    }
	    clone(schema) {
	        let { key, value } = this;
	        if (identity.isNode(key))
	            key = key.clone(schema);
	        if (identity.isNode(value))
	            value = value.clone(schema);
	        return new Pair(key, value);
	    }
	    toJSON(_, ctx) {
	        const pair = ctx?.mapAsMap ? new Map() : {};
	        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
	    }
	    toString(ctx, onComment, onChompKeep) {
	        return ctx?.doc
	            ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep)
	            : JSON.stringify(this);
	    }
	};

	Pair.Pair = Pair$1;
	Pair.createPair = createPair;
	return Pair;
}

var Schema = {};

var map = {};

var YAMLMap = {};

var stringifyCollection = {};

var hasRequiredStringifyCollection;

function requireStringifyCollection () {
	if (hasRequiredStringifyCollection) return stringifyCollection;
	hasRequiredStringifyCollection = 1;

	var identity = requireIdentity();
	var stringify = requireStringify();
	var stringifyComment = requireStringifyComment();

	function stringifyCollection$1(collection, ctx, options) {
	    const flow = ctx.inFlow ?? collection.flow;
	    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
	    return stringify(collection, ctx, options);
	}
	function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
	    const { indent, options: { commentString } } = ctx;
	    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
	    let chompKeep = false; // flag for the preceding node's status
	    const lines = [];
	    for (let i = 0; i < items.length; ++i) {
	        const item = items[i];
	        let comment = null;
	        if (identity.isNode(item)) {
	            if (!chompKeep && item.spaceBefore)
	                lines.push('');
	            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
	            if (item.comment)
	                comment = item.comment;
	        }
	        else if (identity.isPair(item)) {
	            const ik = identity.isNode(item.key) ? item.key : null;
	            if (ik) {
	                if (!chompKeep && ik.spaceBefore)
	                    lines.push('');
	                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
	            }
	        }
	        chompKeep = false;
	        let str = stringify.stringify(item, itemCtx, () => (comment = null), () => (chompKeep = true));
	        if (comment)
	            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
	        if (chompKeep && comment)
	            chompKeep = false;
	        lines.push(blockItemPrefix + str);
	    }
	    let str;
	    if (lines.length === 0) {
	        str = flowChars.start + flowChars.end;
	    }
	    else {
	        str = lines[0];
	        for (let i = 1; i < lines.length; ++i) {
	            const line = lines[i];
	            str += line ? `\n${indent}${line}` : '\n';
	        }
	    }
	    if (comment) {
	        str += '\n' + stringifyComment.indentComment(commentString(comment), indent);
	        if (onComment)
	            onComment();
	    }
	    else if (chompKeep && onChompKeep)
	        onChompKeep();
	    return str;
	}
	function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
	    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
	    itemIndent += indentStep;
	    const itemCtx = Object.assign({}, ctx, {
	        indent: itemIndent,
	        inFlow: true,
	        type: null
	    });
	    let reqNewline = false;
	    let linesAtValue = 0;
	    const lines = [];
	    for (let i = 0; i < items.length; ++i) {
	        const item = items[i];
	        let comment = null;
	        if (identity.isNode(item)) {
	            if (item.spaceBefore)
	                lines.push('');
	            addCommentBefore(ctx, lines, item.commentBefore, false);
	            if (item.comment)
	                comment = item.comment;
	        }
	        else if (identity.isPair(item)) {
	            const ik = identity.isNode(item.key) ? item.key : null;
	            if (ik) {
	                if (ik.spaceBefore)
	                    lines.push('');
	                addCommentBefore(ctx, lines, ik.commentBefore, false);
	                if (ik.comment)
	                    reqNewline = true;
	            }
	            const iv = identity.isNode(item.value) ? item.value : null;
	            if (iv) {
	                if (iv.comment)
	                    comment = iv.comment;
	                if (iv.commentBefore)
	                    reqNewline = true;
	            }
	            else if (item.value == null && ik?.comment) {
	                comment = ik.comment;
	            }
	        }
	        if (comment)
	            reqNewline = true;
	        let str = stringify.stringify(item, itemCtx, () => (comment = null));
	        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
	        if (i < items.length - 1) {
	            str += ',';
	        }
	        else if (ctx.options.trailingComma) {
	            if (ctx.options.lineWidth > 0) {
	                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
	                    (str.length + 2) >
	                    ctx.options.lineWidth);
	            }
	            if (reqNewline) {
	                str += ',';
	            }
	        }
	        if (comment)
	            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
	        lines.push(str);
	        linesAtValue = lines.length;
	    }
	    const { start, end } = flowChars;
	    if (lines.length === 0) {
	        return start + end;
	    }
	    else {
	        if (!reqNewline) {
	            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
	            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
	        }
	        if (reqNewline) {
	            let str = start;
	            for (const line of lines)
	                str += line ? `\n${indentStep}${indent}${line}` : '\n';
	            return `${str}\n${indent}${end}`;
	        }
	        else {
	            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
	        }
	    }
	}
	function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
	    if (comment && chompKeep)
	        comment = comment.replace(/^\n+/, '');
	    if (comment) {
	        const ic = stringifyComment.indentComment(commentString(comment), indent);
	        lines.push(ic.trimStart()); // Avoid double indent on first line
	    }
	}

	stringifyCollection.stringifyCollection = stringifyCollection$1;
	return stringifyCollection;
}

var hasRequiredYAMLMap;

function requireYAMLMap () {
	if (hasRequiredYAMLMap) return YAMLMap;
	hasRequiredYAMLMap = 1;

	var stringifyCollection = requireStringifyCollection();
	var addPairToJSMap = requireAddPairToJSMap();
	var Collection = requireCollection();
	var identity = requireIdentity();
	var Pair = requirePair();
	var Scalar = requireScalar();

	function findPair(items, key) {
	    const k = identity.isScalar(key) ? key.value : key;
	    for (const it of items) {
	        if (identity.isPair(it)) {
	            if (it.key === key || it.key === k)
	                return it;
	            if (identity.isScalar(it.key) && it.key.value === k)
	                return it;
	        }
	    }
	    return undefined;
	}
	let YAMLMap$1 = class YAMLMap extends Collection.Collection {
	    static get tagName() {
	        return 'tag:yaml.org,2002:map';
	    }
	    constructor(schema) {
	        super(identity.MAP, schema);
	        this.items = [];
	    }
	    /**
	     * A generic collection parsing method that can be extended
	     * to other node classes that inherit from YAMLMap
	     */
	    static from(schema, obj, ctx) {
	        const { keepUndefined, replacer } = ctx;
	        const map = new this(schema);
	        const add = (key, value) => {
	            if (typeof replacer === 'function')
	                value = replacer.call(obj, key, value);
	            else if (Array.isArray(replacer) && !replacer.includes(key))
	                return;
	            if (value !== undefined || keepUndefined)
	                map.items.push(Pair.createPair(key, value, ctx));
	        };
	        if (obj instanceof Map) {
	            for (const [key, value] of obj)
	                add(key, value);
	        }
	        else if (obj && typeof obj === 'object') {
	            for (const key of Object.keys(obj))
	                add(key, obj[key]);
	        }
	        if (typeof schema.sortMapEntries === 'function') {
	            map.items.sort(schema.sortMapEntries);
	        }
	        return map;
	    }
	    /**
	     * Adds a value to the collection.
	     *
	     * @param overwrite - If not set `true`, using a key that is already in the
	     *   collection will throw. Otherwise, overwrites the previous value.
	     */
	    add(pair, overwrite) {
	        let _pair;
	        if (identity.isPair(pair))
	            _pair = pair;
	        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
	            // In TypeScript, this never happens.
	            _pair = new Pair.Pair(pair, pair?.value);
	        }
	        else
	            _pair = new Pair.Pair(pair.key, pair.value);
	        const prev = findPair(this.items, _pair.key);
	        const sortEntries = this.schema?.sortMapEntries;
	        if (prev) {
	            if (!overwrite)
	                throw new Error(`Key ${_pair.key} already set`);
	            // For scalars, keep the old node & its comments and anchors
	            if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
	                prev.value.value = _pair.value;
	            else
	                prev.value = _pair.value;
	        }
	        else if (sortEntries) {
	            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
	            if (i === -1)
	                this.items.push(_pair);
	            else
	                this.items.splice(i, 0, _pair);
	        }
	        else {
	            this.items.push(_pair);
	        }
	    }
	    delete(key) {
	        const it = findPair(this.items, key);
	        if (!it)
	            return false;
	        const del = this.items.splice(this.items.indexOf(it), 1);
	        return del.length > 0;
	    }
	    get(key, keepScalar) {
	        const it = findPair(this.items, key);
	        const node = it?.value;
	        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? undefined;
	    }
	    has(key) {
	        return !!findPair(this.items, key);
	    }
	    set(key, value) {
	        this.add(new Pair.Pair(key, value), true);
	    }
	    /**
	     * @param ctx - Conversion context, originally set in Document#toJS()
	     * @param {Class} Type - If set, forces the returned collection type
	     * @returns Instance of Type, Map, or Object
	     */
	    toJSON(_, ctx, Type) {
	        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
	        if (ctx?.onCreate)
	            ctx.onCreate(map);
	        for (const item of this.items)
	            addPairToJSMap.addPairToJSMap(ctx, map, item);
	        return map;
	    }
	    toString(ctx, onComment, onChompKeep) {
	        if (!ctx)
	            return JSON.stringify(this);
	        for (const item of this.items) {
	            if (!identity.isPair(item))
	                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
	        }
	        if (!ctx.allNullValues && this.hasAllNullValues(false))
	            ctx = Object.assign({}, ctx, { allNullValues: true });
	        return stringifyCollection.stringifyCollection(this, ctx, {
	            blockItemPrefix: '',
	            flowChars: { start: '{', end: '}' },
	            itemIndent: ctx.indent || '',
	            onChompKeep,
	            onComment
	        });
	    }
	};

	YAMLMap.YAMLMap = YAMLMap$1;
	YAMLMap.findPair = findPair;
	return YAMLMap;
}

var hasRequiredMap;

function requireMap () {
	if (hasRequiredMap) return map;
	hasRequiredMap = 1;

	var identity = requireIdentity();
	var YAMLMap = requireYAMLMap();

	const map$1 = {
	    collection: 'map',
	    default: true,
	    nodeClass: YAMLMap.YAMLMap,
	    tag: 'tag:yaml.org,2002:map',
	    resolve(map, onError) {
	        if (!identity.isMap(map))
	            onError('Expected a mapping for this tag');
	        return map;
	    },
	    createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
	};

	map.map = map$1;
	return map;
}

var seq = {};

var YAMLSeq = {};

var hasRequiredYAMLSeq;

function requireYAMLSeq () {
	if (hasRequiredYAMLSeq) return YAMLSeq;
	hasRequiredYAMLSeq = 1;

	var createNode = requireCreateNode();
	var stringifyCollection = requireStringifyCollection();
	var Collection = requireCollection();
	var identity = requireIdentity();
	var Scalar = requireScalar();
	var toJS = requireToJS();

	let YAMLSeq$1 = class YAMLSeq extends Collection.Collection {
	    static get tagName() {
	        return 'tag:yaml.org,2002:seq';
	    }
	    constructor(schema) {
	        super(identity.SEQ, schema);
	        this.items = [];
	    }
	    add(value) {
	        this.items.push(value);
	    }
	    /**
	     * Removes a value from the collection.
	     *
	     * `key` must contain a representation of an integer for this to succeed.
	     * It may be wrapped in a `Scalar`.
	     *
	     * @returns `true` if the item was found and removed.
	     */
	    delete(key) {
	        const idx = asItemIndex(key);
	        if (typeof idx !== 'number')
	            return false;
	        const del = this.items.splice(idx, 1);
	        return del.length > 0;
	    }
	    get(key, keepScalar) {
	        const idx = asItemIndex(key);
	        if (typeof idx !== 'number')
	            return undefined;
	        const it = this.items[idx];
	        return !keepScalar && identity.isScalar(it) ? it.value : it;
	    }
	    /**
	     * Checks if the collection includes a value with the key `key`.
	     *
	     * `key` must contain a representation of an integer for this to succeed.
	     * It may be wrapped in a `Scalar`.
	     */
	    has(key) {
	        const idx = asItemIndex(key);
	        return typeof idx === 'number' && idx < this.items.length;
	    }
	    /**
	     * Sets a value in this collection. For `!!set`, `value` needs to be a
	     * boolean to add/remove the item from the set.
	     *
	     * If `key` does not contain a representation of an integer, this will throw.
	     * It may be wrapped in a `Scalar`.
	     */
	    set(key, value) {
	        const idx = asItemIndex(key);
	        if (typeof idx !== 'number')
	            throw new Error(`Expected a valid index, not ${key}.`);
	        const prev = this.items[idx];
	        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
	            prev.value = value;
	        else
	            this.items[idx] = value;
	    }
	    toJSON(_, ctx) {
	        const seq = [];
	        if (ctx?.onCreate)
	            ctx.onCreate(seq);
	        let i = 0;
	        for (const item of this.items)
	            seq.push(toJS.toJS(item, String(i++), ctx));
	        return seq;
	    }
	    toString(ctx, onComment, onChompKeep) {
	        if (!ctx)
	            return JSON.stringify(this);
	        return stringifyCollection.stringifyCollection(this, ctx, {
	            blockItemPrefix: '- ',
	            flowChars: { start: '[', end: ']' },
	            itemIndent: (ctx.indent || '') + '  ',
	            onChompKeep,
	            onComment
	        });
	    }
	    static from(schema, obj, ctx) {
	        const { replacer } = ctx;
	        const seq = new this(schema);
	        if (obj && Symbol.iterator in Object(obj)) {
	            let i = 0;
	            for (let it of obj) {
	                if (typeof replacer === 'function') {
	                    const key = obj instanceof Set ? it : String(i++);
	                    it = replacer.call(obj, key, it);
	                }
	                seq.items.push(createNode.createNode(it, undefined, ctx));
	            }
	        }
	        return seq;
	    }
	};
	function asItemIndex(key) {
	    let idx = identity.isScalar(key) ? key.value : key;
	    if (idx && typeof idx === 'string')
	        idx = Number(idx);
	    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
	        ? idx
	        : null;
	}

	YAMLSeq.YAMLSeq = YAMLSeq$1;
	return YAMLSeq;
}

var hasRequiredSeq;

function requireSeq () {
	if (hasRequiredSeq) return seq;
	hasRequiredSeq = 1;

	var identity = requireIdentity();
	var YAMLSeq = requireYAMLSeq();

	const seq$1 = {
	    collection: 'seq',
	    default: true,
	    nodeClass: YAMLSeq.YAMLSeq,
	    tag: 'tag:yaml.org,2002:seq',
	    resolve(seq, onError) {
	        if (!identity.isSeq(seq))
	            onError('Expected a sequence for this tag');
	        return seq;
	    },
	    createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
	};

	seq.seq = seq$1;
	return seq;
}

var string = {};

var hasRequiredString;

function requireString () {
	if (hasRequiredString) return string;
	hasRequiredString = 1;

	var stringifyString = requireStringifyString();

	const string$1 = {
	    identify: value => typeof value === 'string',
	    default: true,
	    tag: 'tag:yaml.org,2002:str',
	    resolve: str => str,
	    stringify(item, ctx, onComment, onChompKeep) {
	        ctx = Object.assign({ actualString: true }, ctx);
	        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
	    }
	};

	string.string = string$1;
	return string;
}

var tags = {};

var _null = {};

var hasRequired_null;

function require_null () {
	if (hasRequired_null) return _null;
	hasRequired_null = 1;

	var Scalar = requireScalar();

	const nullTag = {
	    identify: value => value == null,
	    createNode: () => new Scalar.Scalar(null),
	    default: true,
	    tag: 'tag:yaml.org,2002:null',
	    test: /^(?:~|[Nn]ull|NULL)?$/,
	    resolve: () => new Scalar.Scalar(null),
	    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
	        ? source
	        : ctx.options.nullStr
	};

	_null.nullTag = nullTag;
	return _null;
}

var bool$1 = {};

var hasRequiredBool$1;

function requireBool$1 () {
	if (hasRequiredBool$1) return bool$1;
	hasRequiredBool$1 = 1;

	var Scalar = requireScalar();

	const boolTag = {
	    identify: value => typeof value === 'boolean',
	    default: true,
	    tag: 'tag:yaml.org,2002:bool',
	    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
	    resolve: str => new Scalar.Scalar(str[0] === 't' || str[0] === 'T'),
	    stringify({ source, value }, ctx) {
	        if (source && boolTag.test.test(source)) {
	            const sv = source[0] === 't' || source[0] === 'T';
	            if (value === sv)
	                return source;
	        }
	        return value ? ctx.options.trueStr : ctx.options.falseStr;
	    }
	};

	bool$1.boolTag = boolTag;
	return bool$1;
}

var float$1 = {};

var stringifyNumber = {};

var hasRequiredStringifyNumber;

function requireStringifyNumber () {
	if (hasRequiredStringifyNumber) return stringifyNumber;
	hasRequiredStringifyNumber = 1;

	function stringifyNumber$1({ format, minFractionDigits, tag, value }) {
	    if (typeof value === 'bigint')
	        return String(value);
	    const num = typeof value === 'number' ? value : Number(value);
	    if (!isFinite(num))
	        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
	    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
	    if (!format &&
	        minFractionDigits &&
	        (!tag || tag === 'tag:yaml.org,2002:float') &&
	        /^-?\d/.test(n) &&
	        !n.includes('e')) {
	        let i = n.indexOf('.');
	        if (i < 0) {
	            i = n.length;
	            n += '.';
	        }
	        let d = minFractionDigits - (n.length - i - 1);
	        while (d-- > 0)
	            n += '0';
	    }
	    return n;
	}

	stringifyNumber.stringifyNumber = stringifyNumber$1;
	return stringifyNumber;
}

var hasRequiredFloat$1;

function requireFloat$1 () {
	if (hasRequiredFloat$1) return float$1;
	hasRequiredFloat$1 = 1;

	var Scalar = requireScalar();
	var stringifyNumber = requireStringifyNumber();

	const floatNaN = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
	    resolve: str => str.slice(-3).toLowerCase() === 'nan'
	        ? NaN
	        : str[0] === '-'
	            ? Number.NEGATIVE_INFINITY
	            : Number.POSITIVE_INFINITY,
	    stringify: stringifyNumber.stringifyNumber
	};
	const floatExp = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    format: 'EXP',
	    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
	    resolve: str => parseFloat(str),
	    stringify(node) {
	        const num = Number(node.value);
	        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
	    }
	};
	const float = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
	    resolve(str) {
	        const node = new Scalar.Scalar(parseFloat(str));
	        const dot = str.indexOf('.');
	        if (dot !== -1 && str[str.length - 1] === '0')
	            node.minFractionDigits = str.length - dot - 1;
	        return node;
	    },
	    stringify: stringifyNumber.stringifyNumber
	};

	float$1.float = float;
	float$1.floatExp = floatExp;
	float$1.floatNaN = floatNaN;
	return float$1;
}

var int$1 = {};

var hasRequiredInt$1;

function requireInt$1 () {
	if (hasRequiredInt$1) return int$1;
	hasRequiredInt$1 = 1;

	var stringifyNumber = requireStringifyNumber();

	const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
	const intResolve = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
	function intStringify(node, radix, prefix) {
	    const { value } = node;
	    if (intIdentify(value) && value >= 0)
	        return prefix + value.toString(radix);
	    return stringifyNumber.stringifyNumber(node);
	}
	const intOct = {
	    identify: value => intIdentify(value) && value >= 0,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'OCT',
	    test: /^0o[0-7]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
	    stringify: node => intStringify(node, 8, '0o')
	};
	const int = {
	    identify: intIdentify,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    test: /^[-+]?[0-9]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
	    stringify: stringifyNumber.stringifyNumber
	};
	const intHex = {
	    identify: value => intIdentify(value) && value >= 0,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'HEX',
	    test: /^0x[0-9a-fA-F]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
	    stringify: node => intStringify(node, 16, '0x')
	};

	int$1.int = int;
	int$1.intHex = intHex;
	int$1.intOct = intOct;
	return int$1;
}

var schema$2 = {};

var hasRequiredSchema$3;

function requireSchema$3 () {
	if (hasRequiredSchema$3) return schema$2;
	hasRequiredSchema$3 = 1;

	var map = requireMap();
	var _null = require_null();
	var seq = requireSeq();
	var string = requireString();
	var bool = requireBool$1();
	var float = requireFloat$1();
	var int = requireInt$1();

	const schema = [
	    map.map,
	    seq.seq,
	    string.string,
	    _null.nullTag,
	    bool.boolTag,
	    int.intOct,
	    int.int,
	    int.intHex,
	    float.floatNaN,
	    float.floatExp,
	    float.float
	];

	schema$2.schema = schema;
	return schema$2;
}

var schema$1 = {};

var hasRequiredSchema$2;

function requireSchema$2 () {
	if (hasRequiredSchema$2) return schema$1;
	hasRequiredSchema$2 = 1;

	var Scalar = requireScalar();
	var map = requireMap();
	var seq = requireSeq();

	function intIdentify(value) {
	    return typeof value === 'bigint' || Number.isInteger(value);
	}
	const stringifyJSON = ({ value }) => JSON.stringify(value);
	const jsonScalars = [
	    {
	        identify: value => typeof value === 'string',
	        default: true,
	        tag: 'tag:yaml.org,2002:str',
	        resolve: str => str,
	        stringify: stringifyJSON
	    },
	    {
	        identify: value => value == null,
	        createNode: () => new Scalar.Scalar(null),
	        default: true,
	        tag: 'tag:yaml.org,2002:null',
	        test: /^null$/,
	        resolve: () => null,
	        stringify: stringifyJSON
	    },
	    {
	        identify: value => typeof value === 'boolean',
	        default: true,
	        tag: 'tag:yaml.org,2002:bool',
	        test: /^true$|^false$/,
	        resolve: str => str === 'true',
	        stringify: stringifyJSON
	    },
	    {
	        identify: intIdentify,
	        default: true,
	        tag: 'tag:yaml.org,2002:int',
	        test: /^-?(?:0|[1-9][0-9]*)$/,
	        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
	        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
	    },
	    {
	        identify: value => typeof value === 'number',
	        default: true,
	        tag: 'tag:yaml.org,2002:float',
	        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
	        resolve: str => parseFloat(str),
	        stringify: stringifyJSON
	    }
	];
	const jsonError = {
	    default: true,
	    tag: '',
	    test: /^/,
	    resolve(str, onError) {
	        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
	        return str;
	    }
	};
	const schema = [map.map, seq.seq].concat(jsonScalars, jsonError);

	schema$1.schema = schema;
	return schema$1;
}

var binary = {};

var hasRequiredBinary;

function requireBinary () {
	if (hasRequiredBinary) return binary;
	hasRequiredBinary = 1;

	var node_buffer = require$$0$1;
	var Scalar = requireScalar();
	var stringifyString = requireStringifyString();

	const binary$1 = {
	    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
	    default: false,
	    tag: 'tag:yaml.org,2002:binary',
	    /**
	     * Returns a Buffer in node and an Uint8Array in browsers
	     *
	     * To use the resulting buffer as an image, you'll want to do something like:
	     *
	     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
	     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
	     */
	    resolve(src, onError) {
	        if (typeof node_buffer.Buffer === 'function') {
	            return node_buffer.Buffer.from(src, 'base64');
	        }
	        else if (typeof atob === 'function') {
	            // On IE 11, atob() can't handle newlines
	            const str = atob(src.replace(/[\n\r]/g, ''));
	            const buffer = new Uint8Array(str.length);
	            for (let i = 0; i < str.length; ++i)
	                buffer[i] = str.charCodeAt(i);
	            return buffer;
	        }
	        else {
	            onError('This environment does not support reading binary tags; either Buffer or atob is required');
	            return src;
	        }
	    },
	    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
	        if (!value)
	            return '';
	        const buf = value; // checked earlier by binary.identify()
	        let str;
	        if (typeof node_buffer.Buffer === 'function') {
	            str =
	                buf instanceof node_buffer.Buffer
	                    ? buf.toString('base64')
	                    : node_buffer.Buffer.from(buf.buffer).toString('base64');
	        }
	        else if (typeof btoa === 'function') {
	            let s = '';
	            for (let i = 0; i < buf.length; ++i)
	                s += String.fromCharCode(buf[i]);
	            str = btoa(s);
	        }
	        else {
	            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
	        }
	        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
	        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
	            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
	            const n = Math.ceil(str.length / lineWidth);
	            const lines = new Array(n);
	            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
	                lines[i] = str.substr(o, lineWidth);
	            }
	            str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? '\n' : ' ');
	        }
	        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
	    }
	};

	binary.binary = binary$1;
	return binary;
}

var omap = {};

var pairs = {};

var hasRequiredPairs;

function requirePairs () {
	if (hasRequiredPairs) return pairs;
	hasRequiredPairs = 1;

	var identity = requireIdentity();
	var Pair = requirePair();
	var Scalar = requireScalar();
	var YAMLSeq = requireYAMLSeq();

	function resolvePairs(seq, onError) {
	    if (identity.isSeq(seq)) {
	        for (let i = 0; i < seq.items.length; ++i) {
	            let item = seq.items[i];
	            if (identity.isPair(item))
	                continue;
	            else if (identity.isMap(item)) {
	                if (item.items.length > 1)
	                    onError('Each pair must have its own sequence indicator');
	                const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
	                if (item.commentBefore)
	                    pair.key.commentBefore = pair.key.commentBefore
	                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
	                        : item.commentBefore;
	                if (item.comment) {
	                    const cn = pair.value ?? pair.key;
	                    cn.comment = cn.comment
	                        ? `${item.comment}\n${cn.comment}`
	                        : item.comment;
	                }
	                item = pair;
	            }
	            seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
	        }
	    }
	    else
	        onError('Expected a sequence for this tag');
	    return seq;
	}
	function createPairs(schema, iterable, ctx) {
	    const { replacer } = ctx;
	    const pairs = new YAMLSeq.YAMLSeq(schema);
	    pairs.tag = 'tag:yaml.org,2002:pairs';
	    let i = 0;
	    if (iterable && Symbol.iterator in Object(iterable))
	        for (let it of iterable) {
	            if (typeof replacer === 'function')
	                it = replacer.call(iterable, String(i++), it);
	            let key, value;
	            if (Array.isArray(it)) {
	                if (it.length === 2) {
	                    key = it[0];
	                    value = it[1];
	                }
	                else
	                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
	            }
	            else if (it && it instanceof Object) {
	                const keys = Object.keys(it);
	                if (keys.length === 1) {
	                    key = keys[0];
	                    value = it[key];
	                }
	                else {
	                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
	                }
	            }
	            else {
	                key = it;
	            }
	            pairs.items.push(Pair.createPair(key, value, ctx));
	        }
	    return pairs;
	}
	const pairs$1 = {
	    collection: 'seq',
	    default: false,
	    tag: 'tag:yaml.org,2002:pairs',
	    resolve: resolvePairs,
	    createNode: createPairs
	};

	pairs.createPairs = createPairs;
	pairs.pairs = pairs$1;
	pairs.resolvePairs = resolvePairs;
	return pairs;
}

var hasRequiredOmap;

function requireOmap () {
	if (hasRequiredOmap) return omap;
	hasRequiredOmap = 1;

	var identity = requireIdentity();
	var toJS = requireToJS();
	var YAMLMap = requireYAMLMap();
	var YAMLSeq = requireYAMLSeq();
	var pairs = requirePairs();

	class YAMLOMap extends YAMLSeq.YAMLSeq {
	    constructor() {
	        super();
	        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
	        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
	        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
	        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
	        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
	        this.tag = YAMLOMap.tag;
	    }
	    /**
	     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
	     * but TypeScript won't allow widening the signature of a child method.
	     */
	    toJSON(_, ctx) {
	        if (!ctx)
	            return super.toJSON(_);
	        const map = new Map();
	        if (ctx?.onCreate)
	            ctx.onCreate(map);
	        for (const pair of this.items) {
	            let key, value;
	            if (identity.isPair(pair)) {
	                key = toJS.toJS(pair.key, '', ctx);
	                value = toJS.toJS(pair.value, key, ctx);
	            }
	            else {
	                key = toJS.toJS(pair, '', ctx);
	            }
	            if (map.has(key))
	                throw new Error('Ordered maps must not include duplicate keys');
	            map.set(key, value);
	        }
	        return map;
	    }
	    static from(schema, iterable, ctx) {
	        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
	        const omap = new this();
	        omap.items = pairs$1.items;
	        return omap;
	    }
	}
	YAMLOMap.tag = 'tag:yaml.org,2002:omap';
	const omap$1 = {
	    collection: 'seq',
	    identify: value => value instanceof Map,
	    nodeClass: YAMLOMap,
	    default: false,
	    tag: 'tag:yaml.org,2002:omap',
	    resolve(seq, onError) {
	        const pairs$1 = pairs.resolvePairs(seq, onError);
	        const seenKeys = [];
	        for (const { key } of pairs$1.items) {
	            if (identity.isScalar(key)) {
	                if (seenKeys.includes(key.value)) {
	                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
	                }
	                else {
	                    seenKeys.push(key.value);
	                }
	            }
	        }
	        return Object.assign(new YAMLOMap(), pairs$1);
	    },
	    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
	};

	omap.YAMLOMap = YAMLOMap;
	omap.omap = omap$1;
	return omap;
}

var schema = {};

var bool = {};

var hasRequiredBool;

function requireBool () {
	if (hasRequiredBool) return bool;
	hasRequiredBool = 1;

	var Scalar = requireScalar();

	function boolStringify({ value, source }, ctx) {
	    const boolObj = value ? trueTag : falseTag;
	    if (source && boolObj.test.test(source))
	        return source;
	    return value ? ctx.options.trueStr : ctx.options.falseStr;
	}
	const trueTag = {
	    identify: value => value === true,
	    default: true,
	    tag: 'tag:yaml.org,2002:bool',
	    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
	    resolve: () => new Scalar.Scalar(true),
	    stringify: boolStringify
	};
	const falseTag = {
	    identify: value => value === false,
	    default: true,
	    tag: 'tag:yaml.org,2002:bool',
	    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
	    resolve: () => new Scalar.Scalar(false),
	    stringify: boolStringify
	};

	bool.falseTag = falseTag;
	bool.trueTag = trueTag;
	return bool;
}

var float = {};

var hasRequiredFloat;

function requireFloat () {
	if (hasRequiredFloat) return float;
	hasRequiredFloat = 1;

	var Scalar = requireScalar();
	var stringifyNumber = requireStringifyNumber();

	const floatNaN = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
	    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
	        ? NaN
	        : str[0] === '-'
	            ? Number.NEGATIVE_INFINITY
	            : Number.POSITIVE_INFINITY,
	    stringify: stringifyNumber.stringifyNumber
	};
	const floatExp = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    format: 'EXP',
	    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
	    resolve: (str) => parseFloat(str.replace(/_/g, '')),
	    stringify(node) {
	        const num = Number(node.value);
	        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
	    }
	};
	const float$1 = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
	    resolve(str) {
	        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, '')));
	        const dot = str.indexOf('.');
	        if (dot !== -1) {
	            const f = str.substring(dot + 1).replace(/_/g, '');
	            if (f[f.length - 1] === '0')
	                node.minFractionDigits = f.length;
	        }
	        return node;
	    },
	    stringify: stringifyNumber.stringifyNumber
	};

	float.float = float$1;
	float.floatExp = floatExp;
	float.floatNaN = floatNaN;
	return float;
}

var int = {};

var hasRequiredInt;

function requireInt () {
	if (hasRequiredInt) return int;
	hasRequiredInt = 1;

	var stringifyNumber = requireStringifyNumber();

	const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
	function intResolve(str, offset, radix, { intAsBigInt }) {
	    const sign = str[0];
	    if (sign === '-' || sign === '+')
	        offset += 1;
	    str = str.substring(offset).replace(/_/g, '');
	    if (intAsBigInt) {
	        switch (radix) {
	            case 2:
	                str = `0b${str}`;
	                break;
	            case 8:
	                str = `0o${str}`;
	                break;
	            case 16:
	                str = `0x${str}`;
	                break;
	        }
	        const n = BigInt(str);
	        return sign === '-' ? BigInt(-1) * n : n;
	    }
	    const n = parseInt(str, radix);
	    return sign === '-' ? -1 * n : n;
	}
	function intStringify(node, radix, prefix) {
	    const { value } = node;
	    if (intIdentify(value)) {
	        const str = value.toString(radix);
	        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
	    }
	    return stringifyNumber.stringifyNumber(node);
	}
	const intBin = {
	    identify: intIdentify,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'BIN',
	    test: /^[-+]?0b[0-1_]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
	    stringify: node => intStringify(node, 2, '0b')
	};
	const intOct = {
	    identify: intIdentify,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'OCT',
	    test: /^[-+]?0[0-7_]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
	    stringify: node => intStringify(node, 8, '0')
	};
	const int$1 = {
	    identify: intIdentify,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    test: /^[-+]?[0-9][0-9_]*$/,
	    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
	    stringify: stringifyNumber.stringifyNumber
	};
	const intHex = {
	    identify: intIdentify,
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'HEX',
	    test: /^[-+]?0x[0-9a-fA-F_]+$/,
	    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
	    stringify: node => intStringify(node, 16, '0x')
	};

	int.int = int$1;
	int.intBin = intBin;
	int.intHex = intHex;
	int.intOct = intOct;
	return int;
}

var set = {};

var hasRequiredSet;

function requireSet () {
	if (hasRequiredSet) return set;
	hasRequiredSet = 1;

	var identity = requireIdentity();
	var Pair = requirePair();
	var YAMLMap = requireYAMLMap();

	class YAMLSet extends YAMLMap.YAMLMap {
	    constructor(schema) {
	        super(schema);
	        this.tag = YAMLSet.tag;
	    }
	    add(key) {
	        let pair;
	        if (identity.isPair(key))
	            pair = key;
	        else if (key &&
	            typeof key === 'object' &&
	            'key' in key &&
	            'value' in key &&
	            key.value === null)
	            pair = new Pair.Pair(key.key, null);
	        else
	            pair = new Pair.Pair(key, null);
	        const prev = YAMLMap.findPair(this.items, pair.key);
	        if (!prev)
	            this.items.push(pair);
	    }
	    /**
	     * If `keepPair` is `true`, returns the Pair matching `key`.
	     * Otherwise, returns the value of that Pair's key.
	     */
	    get(key, keepPair) {
	        const pair = YAMLMap.findPair(this.items, key);
	        return !keepPair && identity.isPair(pair)
	            ? identity.isScalar(pair.key)
	                ? pair.key.value
	                : pair.key
	            : pair;
	    }
	    set(key, value) {
	        if (typeof value !== 'boolean')
	            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
	        const prev = YAMLMap.findPair(this.items, key);
	        if (prev && !value) {
	            this.items.splice(this.items.indexOf(prev), 1);
	        }
	        else if (!prev && value) {
	            this.items.push(new Pair.Pair(key));
	        }
	    }
	    toJSON(_, ctx) {
	        return super.toJSON(_, ctx, Set);
	    }
	    toString(ctx, onComment, onChompKeep) {
	        if (!ctx)
	            return JSON.stringify(this);
	        if (this.hasAllNullValues(true))
	            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
	        else
	            throw new Error('Set items must all have null values');
	    }
	    static from(schema, iterable, ctx) {
	        const { replacer } = ctx;
	        const set = new this(schema);
	        if (iterable && Symbol.iterator in Object(iterable))
	            for (let value of iterable) {
	                if (typeof replacer === 'function')
	                    value = replacer.call(iterable, value, value);
	                set.items.push(Pair.createPair(value, null, ctx));
	            }
	        return set;
	    }
	}
	YAMLSet.tag = 'tag:yaml.org,2002:set';
	const set$1 = {
	    collection: 'map',
	    identify: value => value instanceof Set,
	    nodeClass: YAMLSet,
	    default: false,
	    tag: 'tag:yaml.org,2002:set',
	    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
	    resolve(map, onError) {
	        if (identity.isMap(map)) {
	            if (map.hasAllNullValues(true))
	                return Object.assign(new YAMLSet(), map);
	            else
	                onError('Set items must all have null values');
	        }
	        else
	            onError('Expected a mapping for this tag');
	        return map;
	    }
	};

	set.YAMLSet = YAMLSet;
	set.set = set$1;
	return set;
}

var timestamp$1 = {};

var hasRequiredTimestamp;

function requireTimestamp () {
	if (hasRequiredTimestamp) return timestamp$1;
	hasRequiredTimestamp = 1;

	var stringifyNumber = requireStringifyNumber();

	/** Internal types handle bigint as number, because TS can't figure it out. */
	function parseSexagesimal(str, asBigInt) {
	    const sign = str[0];
	    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
	    const num = (n) => asBigInt ? BigInt(n) : Number(n);
	    const res = parts
	        .replace(/_/g, '')
	        .split(':')
	        .reduce((res, p) => res * num(60) + num(p), num(0));
	    return (sign === '-' ? num(-1) * res : res);
	}
	/**
	 * hhhh:mm:ss.sss
	 *
	 * Internal types handle bigint as number, because TS can't figure it out.
	 */
	function stringifySexagesimal(node) {
	    let { value } = node;
	    let num = (n) => n;
	    if (typeof value === 'bigint')
	        num = n => BigInt(n);
	    else if (isNaN(value) || !isFinite(value))
	        return stringifyNumber.stringifyNumber(node);
	    let sign = '';
	    if (value < 0) {
	        sign = '-';
	        value *= num(-1);
	    }
	    const _60 = num(60);
	    const parts = [value % _60]; // seconds, including ms
	    if (value < 60) {
	        parts.unshift(0); // at least one : is required
	    }
	    else {
	        value = (value - parts[0]) / _60;
	        parts.unshift(value % _60); // minutes
	        if (value >= 60) {
	            value = (value - parts[0]) / _60;
	            parts.unshift(value); // hours
	        }
	    }
	    return (sign +
	        parts
	            .map(n => String(n).padStart(2, '0'))
	            .join(':')
	            .replace(/000000\d*$/, '') // % 60 may introduce error
	    );
	}
	const intTime = {
	    identify: value => typeof value === 'bigint' || Number.isInteger(value),
	    default: true,
	    tag: 'tag:yaml.org,2002:int',
	    format: 'TIME',
	    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
	    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
	    stringify: stringifySexagesimal
	};
	const floatTime = {
	    identify: value => typeof value === 'number',
	    default: true,
	    tag: 'tag:yaml.org,2002:float',
	    format: 'TIME',
	    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
	    resolve: str => parseSexagesimal(str, false),
	    stringify: stringifySexagesimal
	};
	const timestamp = {
	    identify: value => value instanceof Date,
	    default: true,
	    tag: 'tag:yaml.org,2002:timestamp',
	    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
	    // may be omitted altogether, resulting in a date format. In such a case, the time part is
	    // assumed to be 00:00:00Z (start of day, UTC).
	    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
	        '(?:' + // time is optional
	        '(?:t|T|[ \\t]+)' + // t | T | whitespace
	        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
	        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
	        ')?$'),
	    resolve(str) {
	        const match = str.match(timestamp.test);
	        if (!match)
	            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
	        const [, year, month, day, hour, minute, second] = match.map(Number);
	        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
	        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
	        const tz = match[8];
	        if (tz && tz !== 'Z') {
	            let d = parseSexagesimal(tz, false);
	            if (Math.abs(d) < 30)
	                d *= 60;
	            date -= 60000 * d;
	        }
	        return new Date(date);
	    },
	    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
	};

	timestamp$1.floatTime = floatTime;
	timestamp$1.intTime = intTime;
	timestamp$1.timestamp = timestamp;
	return timestamp$1;
}

var hasRequiredSchema$1;

function requireSchema$1 () {
	if (hasRequiredSchema$1) return schema;
	hasRequiredSchema$1 = 1;

	var map = requireMap();
	var _null = require_null();
	var seq = requireSeq();
	var string = requireString();
	var binary = requireBinary();
	var bool = requireBool();
	var float = requireFloat();
	var int = requireInt();
	var merge = requireMerge();
	var omap = requireOmap();
	var pairs = requirePairs();
	var set = requireSet();
	var timestamp = requireTimestamp();

	const schema$1 = [
	    map.map,
	    seq.seq,
	    string.string,
	    _null.nullTag,
	    bool.trueTag,
	    bool.falseTag,
	    int.intBin,
	    int.intOct,
	    int.int,
	    int.intHex,
	    float.floatNaN,
	    float.floatExp,
	    float.float,
	    binary.binary,
	    merge.merge,
	    omap.omap,
	    pairs.pairs,
	    set.set,
	    timestamp.intTime,
	    timestamp.floatTime,
	    timestamp.timestamp
	];

	schema.schema = schema$1;
	return schema;
}

var hasRequiredTags;

function requireTags () {
	if (hasRequiredTags) return tags;
	hasRequiredTags = 1;

	var map = requireMap();
	var _null = require_null();
	var seq = requireSeq();
	var string = requireString();
	var bool = requireBool$1();
	var float = requireFloat$1();
	var int = requireInt$1();
	var schema = requireSchema$3();
	var schema$1 = requireSchema$2();
	var binary = requireBinary();
	var merge = requireMerge();
	var omap = requireOmap();
	var pairs = requirePairs();
	var schema$2 = requireSchema$1();
	var set = requireSet();
	var timestamp = requireTimestamp();

	const schemas = new Map([
	    ['core', schema.schema],
	    ['failsafe', [map.map, seq.seq, string.string]],
	    ['json', schema$1.schema],
	    ['yaml11', schema$2.schema],
	    ['yaml-1.1', schema$2.schema]
	]);
	const tagsByName = {
	    binary: binary.binary,
	    bool: bool.boolTag,
	    float: float.float,
	    floatExp: float.floatExp,
	    floatNaN: float.floatNaN,
	    floatTime: timestamp.floatTime,
	    int: int.int,
	    intHex: int.intHex,
	    intOct: int.intOct,
	    intTime: timestamp.intTime,
	    map: map.map,
	    merge: merge.merge,
	    null: _null.nullTag,
	    omap: omap.omap,
	    pairs: pairs.pairs,
	    seq: seq.seq,
	    set: set.set,
	    timestamp: timestamp.timestamp
	};
	const coreKnownTags = {
	    'tag:yaml.org,2002:binary': binary.binary,
	    'tag:yaml.org,2002:merge': merge.merge,
	    'tag:yaml.org,2002:omap': omap.omap,
	    'tag:yaml.org,2002:pairs': pairs.pairs,
	    'tag:yaml.org,2002:set': set.set,
	    'tag:yaml.org,2002:timestamp': timestamp.timestamp
	};
	function getTags(customTags, schemaName, addMergeTag) {
	    const schemaTags = schemas.get(schemaName);
	    if (schemaTags && !customTags) {
	        return addMergeTag && !schemaTags.includes(merge.merge)
	            ? schemaTags.concat(merge.merge)
	            : schemaTags.slice();
	    }
	    let tags = schemaTags;
	    if (!tags) {
	        if (Array.isArray(customTags))
	            tags = [];
	        else {
	            const keys = Array.from(schemas.keys())
	                .filter(key => key !== 'yaml11')
	                .map(key => JSON.stringify(key))
	                .join(', ');
	            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
	        }
	    }
	    if (Array.isArray(customTags)) {
	        for (const tag of customTags)
	            tags = tags.concat(tag);
	    }
	    else if (typeof customTags === 'function') {
	        tags = customTags(tags.slice());
	    }
	    if (addMergeTag)
	        tags = tags.concat(merge.merge);
	    return tags.reduce((tags, tag) => {
	        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
	        if (!tagObj) {
	            const tagName = JSON.stringify(tag);
	            const keys = Object.keys(tagsByName)
	                .map(key => JSON.stringify(key))
	                .join(', ');
	            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
	        }
	        if (!tags.includes(tagObj))
	            tags.push(tagObj);
	        return tags;
	    }, []);
	}

	tags.coreKnownTags = coreKnownTags;
	tags.getTags = getTags;
	return tags;
}

var hasRequiredSchema;

function requireSchema () {
	if (hasRequiredSchema) return Schema;
	hasRequiredSchema = 1;

	var identity = requireIdentity();
	var map = requireMap();
	var seq = requireSeq();
	var string = requireString();
	var tags = requireTags();

	const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
	let Schema$1 = class Schema {
	    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
	        this.compat = Array.isArray(compat)
	            ? tags.getTags(compat, 'compat')
	            : compat
	                ? tags.getTags(null, compat)
	                : null;
	        this.name = (typeof schema === 'string' && schema) || 'core';
	        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
	        this.tags = tags.getTags(customTags, this.name, merge);
	        this.toStringOptions = toStringDefaults ?? null;
	        Object.defineProperty(this, identity.MAP, { value: map.map });
	        Object.defineProperty(this, identity.SCALAR, { value: string.string });
	        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
	        // Used by createMap()
	        this.sortMapEntries =
	            typeof sortMapEntries === 'function'
	                ? sortMapEntries
	                : sortMapEntries === true
	                    ? sortMapEntriesByKey
	                    : null;
	    }
	    clone() {
	        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
	        copy.tags = this.tags.slice();
	        return copy;
	    }
	};

	Schema.Schema = Schema$1;
	return Schema;
}

var stringifyDocument = {};

var hasRequiredStringifyDocument;

function requireStringifyDocument () {
	if (hasRequiredStringifyDocument) return stringifyDocument;
	hasRequiredStringifyDocument = 1;

	var identity = requireIdentity();
	var stringify = requireStringify();
	var stringifyComment = requireStringifyComment();

	function stringifyDocument$1(doc, options) {
	    const lines = [];
	    let hasDirectives = options.directives === true;
	    if (options.directives !== false && doc.directives) {
	        const dir = doc.directives.toString(doc);
	        if (dir) {
	            lines.push(dir);
	            hasDirectives = true;
	        }
	        else if (doc.directives.docStart)
	            hasDirectives = true;
	    }
	    if (hasDirectives)
	        lines.push('---');
	    const ctx = stringify.createStringifyContext(doc, options);
	    const { commentString } = ctx.options;
	    if (doc.commentBefore) {
	        if (lines.length !== 1)
	            lines.unshift('');
	        const cs = commentString(doc.commentBefore);
	        lines.unshift(stringifyComment.indentComment(cs, ''));
	    }
	    let chompKeep = false;
	    let contentComment = null;
	    if (doc.contents) {
	        if (identity.isNode(doc.contents)) {
	            if (doc.contents.spaceBefore && hasDirectives)
	                lines.push('');
	            if (doc.contents.commentBefore) {
	                const cs = commentString(doc.contents.commentBefore);
	                lines.push(stringifyComment.indentComment(cs, ''));
	            }
	            // top-level block scalars need to be indented if followed by a comment
	            ctx.forceBlockIndent = !!doc.comment;
	            contentComment = doc.contents.comment;
	        }
	        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
	        let body = stringify.stringify(doc.contents, ctx, () => (contentComment = null), onChompKeep);
	        if (contentComment)
	            body += stringifyComment.lineComment(body, '', commentString(contentComment));
	        if ((body[0] === '|' || body[0] === '>') &&
	            lines[lines.length - 1] === '---') {
	            // Top-level block scalars with a preceding doc marker ought to use the
	            // same line for their header.
	            lines[lines.length - 1] = `--- ${body}`;
	        }
	        else
	            lines.push(body);
	    }
	    else {
	        lines.push(stringify.stringify(doc.contents, ctx));
	    }
	    if (doc.directives?.docEnd) {
	        if (doc.comment) {
	            const cs = commentString(doc.comment);
	            if (cs.includes('\n')) {
	                lines.push('...');
	                lines.push(stringifyComment.indentComment(cs, ''));
	            }
	            else {
	                lines.push(`... ${cs}`);
	            }
	        }
	        else {
	            lines.push('...');
	        }
	    }
	    else {
	        let dc = doc.comment;
	        if (dc && chompKeep)
	            dc = dc.replace(/^\n+/, '');
	        if (dc) {
	            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
	                lines.push('');
	            lines.push(stringifyComment.indentComment(commentString(dc), ''));
	        }
	    }
	    return lines.join('\n') + '\n';
	}

	stringifyDocument.stringifyDocument = stringifyDocument$1;
	return stringifyDocument;
}

var hasRequiredDocument;

function requireDocument () {
	if (hasRequiredDocument) return Document;
	hasRequiredDocument = 1;

	var Alias = requireAlias();
	var Collection = requireCollection();
	var identity = requireIdentity();
	var Pair = requirePair();
	var toJS = requireToJS();
	var Schema = requireSchema();
	var stringifyDocument = requireStringifyDocument();
	var anchors = requireAnchors();
	var applyReviver = requireApplyReviver();
	var createNode = requireCreateNode();
	var directives = requireDirectives();

	let Document$1 = class Document {
	    constructor(value, replacer, options) {
	        /** A comment before this Document */
	        this.commentBefore = null;
	        /** A comment immediately after this Document */
	        this.comment = null;
	        /** Errors encountered during parsing. */
	        this.errors = [];
	        /** Warnings encountered during parsing. */
	        this.warnings = [];
	        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
	        let _replacer = null;
	        if (typeof replacer === 'function' || Array.isArray(replacer)) {
	            _replacer = replacer;
	        }
	        else if (options === undefined && replacer) {
	            options = replacer;
	            replacer = undefined;
	        }
	        const opt = Object.assign({
	            intAsBigInt: false,
	            keepSourceTokens: false,
	            logLevel: 'warn',
	            prettyErrors: true,
	            strict: true,
	            stringKeys: false,
	            uniqueKeys: true,
	            version: '1.2'
	        }, options);
	        this.options = opt;
	        let { version } = opt;
	        if (options?._directives) {
	            this.directives = options._directives.atDocument();
	            if (this.directives.yaml.explicit)
	                version = this.directives.yaml.version;
	        }
	        else
	            this.directives = new directives.Directives({ version });
	        this.setSchema(version, options);
	        // @ts-expect-error We can't really know that this matches Contents.
	        this.contents =
	            value === undefined ? null : this.createNode(value, _replacer, options);
	    }
	    /**
	     * Create a deep copy of this Document and its contents.
	     *
	     * Custom Node values that inherit from `Object` still refer to their original instances.
	     */
	    clone() {
	        const copy = Object.create(Document.prototype, {
	            [identity.NODE_TYPE]: { value: identity.DOC }
	        });
	        copy.commentBefore = this.commentBefore;
	        copy.comment = this.comment;
	        copy.errors = this.errors.slice();
	        copy.warnings = this.warnings.slice();
	        copy.options = Object.assign({}, this.options);
	        if (this.directives)
	            copy.directives = this.directives.clone();
	        copy.schema = this.schema.clone();
	        // @ts-expect-error We can't really know that this matches Contents.
	        copy.contents = identity.isNode(this.contents)
	            ? this.contents.clone(copy.schema)
	            : this.contents;
	        if (this.range)
	            copy.range = this.range.slice();
	        return copy;
	    }
	    /** Adds a value to the document. */
	    add(value) {
	        if (assertCollection(this.contents))
	            this.contents.add(value);
	    }
	    /** Adds a value to the document. */
	    addIn(path, value) {
	        if (assertCollection(this.contents))
	            this.contents.addIn(path, value);
	    }
	    /**
	     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
	     *
	     * If `node` already has an anchor, `name` is ignored.
	     * Otherwise, the `node.anchor` value will be set to `name`,
	     * or if an anchor with that name is already present in the document,
	     * `name` will be used as a prefix for a new unique anchor.
	     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
	     */
	    createAlias(node, name) {
	        if (!node.anchor) {
	            const prev = anchors.anchorNames(this);
	            node.anchor =
	                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
	                !name || prev.has(name) ? anchors.findNewAnchor(name || 'a', prev) : name;
	        }
	        return new Alias.Alias(node.anchor);
	    }
	    createNode(value, replacer, options) {
	        let _replacer = undefined;
	        if (typeof replacer === 'function') {
	            value = replacer.call({ '': value }, '', value);
	            _replacer = replacer;
	        }
	        else if (Array.isArray(replacer)) {
	            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
	            const asStr = replacer.filter(keyToStr).map(String);
	            if (asStr.length > 0)
	                replacer = replacer.concat(asStr);
	            _replacer = replacer;
	        }
	        else if (options === undefined && replacer) {
	            options = replacer;
	            replacer = undefined;
	        }
	        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
	        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(this, 
	        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
	        anchorPrefix || 'a');
	        const ctx = {
	            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
	            keepUndefined: keepUndefined ?? false,
	            onAnchor,
	            onTagObj,
	            replacer: _replacer,
	            schema: this.schema,
	            sourceObjects
	        };
	        const node = createNode.createNode(value, tag, ctx);
	        if (flow && identity.isCollection(node))
	            node.flow = true;
	        setAnchors();
	        return node;
	    }
	    /**
	     * Convert a key and a value into a `Pair` using the current schema,
	     * recursively wrapping all values as `Scalar` or `Collection` nodes.
	     */
	    createPair(key, value, options = {}) {
	        const k = this.createNode(key, null, options);
	        const v = this.createNode(value, null, options);
	        return new Pair.Pair(k, v);
	    }
	    /**
	     * Removes a value from the document.
	     * @returns `true` if the item was found and removed.
	     */
	    delete(key) {
	        return assertCollection(this.contents) ? this.contents.delete(key) : false;
	    }
	    /**
	     * Removes a value from the document.
	     * @returns `true` if the item was found and removed.
	     */
	    deleteIn(path) {
	        if (Collection.isEmptyPath(path)) {
	            if (this.contents == null)
	                return false;
	            // @ts-expect-error Presumed impossible if Strict extends false
	            this.contents = null;
	            return true;
	        }
	        return assertCollection(this.contents)
	            ? this.contents.deleteIn(path)
	            : false;
	    }
	    /**
	     * Returns item at `key`, or `undefined` if not found. By default unwraps
	     * scalar values from their surrounding node; to disable set `keepScalar` to
	     * `true` (collections are always returned intact).
	     */
	    get(key, keepScalar) {
	        return identity.isCollection(this.contents)
	            ? this.contents.get(key, keepScalar)
	            : undefined;
	    }
	    /**
	     * Returns item at `path`, or `undefined` if not found. By default unwraps
	     * scalar values from their surrounding node; to disable set `keepScalar` to
	     * `true` (collections are always returned intact).
	     */
	    getIn(path, keepScalar) {
	        if (Collection.isEmptyPath(path))
	            return !keepScalar && identity.isScalar(this.contents)
	                ? this.contents.value
	                : this.contents;
	        return identity.isCollection(this.contents)
	            ? this.contents.getIn(path, keepScalar)
	            : undefined;
	    }
	    /**
	     * Checks if the document includes a value with the key `key`.
	     */
	    has(key) {
	        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
	    }
	    /**
	     * Checks if the document includes a value at `path`.
	     */
	    hasIn(path) {
	        if (Collection.isEmptyPath(path))
	            return this.contents !== undefined;
	        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
	    }
	    /**
	     * Sets a value in this document. For `!!set`, `value` needs to be a
	     * boolean to add/remove the item from the set.
	     */
	    set(key, value) {
	        if (this.contents == null) {
	            // @ts-expect-error We can't really know that this matches Contents.
	            this.contents = Collection.collectionFromPath(this.schema, [key], value);
	        }
	        else if (assertCollection(this.contents)) {
	            this.contents.set(key, value);
	        }
	    }
	    /**
	     * Sets a value in this document. For `!!set`, `value` needs to be a
	     * boolean to add/remove the item from the set.
	     */
	    setIn(path, value) {
	        if (Collection.isEmptyPath(path)) {
	            // @ts-expect-error We can't really know that this matches Contents.
	            this.contents = value;
	        }
	        else if (this.contents == null) {
	            // @ts-expect-error We can't really know that this matches Contents.
	            this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
	        }
	        else if (assertCollection(this.contents)) {
	            this.contents.setIn(path, value);
	        }
	    }
	    /**
	     * Change the YAML version and schema used by the document.
	     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
	     * It also requires the `schema` option to be given as a `Schema` instance value.
	     *
	     * Overrides all previously set schema options.
	     */
	    setSchema(version, options = {}) {
	        if (typeof version === 'number')
	            version = String(version);
	        let opt;
	        switch (version) {
	            case '1.1':
	                if (this.directives)
	                    this.directives.yaml.version = '1.1';
	                else
	                    this.directives = new directives.Directives({ version: '1.1' });
	                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
	                break;
	            case '1.2':
	            case 'next':
	                if (this.directives)
	                    this.directives.yaml.version = version;
	                else
	                    this.directives = new directives.Directives({ version });
	                opt = { resolveKnownTags: true, schema: 'core' };
	                break;
	            case null:
	                if (this.directives)
	                    delete this.directives;
	                opt = null;
	                break;
	            default: {
	                const sv = JSON.stringify(version);
	                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
	            }
	        }
	        // Not using `instanceof Schema` to allow for duck typing
	        if (options.schema instanceof Object)
	            this.schema = options.schema;
	        else if (opt)
	            this.schema = new Schema.Schema(Object.assign(opt, options));
	        else
	            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
	    }
	    // json & jsonArg are only used from toJSON()
	    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
	        const ctx = {
	            anchors: new Map(),
	            doc: this,
	            keep: !json,
	            mapAsMap: mapAsMap === true,
	            mapKeyWarned: false,
	            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
	        };
	        const res = toJS.toJS(this.contents, jsonArg ?? '', ctx);
	        if (typeof onAnchor === 'function')
	            for (const { count, res } of ctx.anchors.values())
	                onAnchor(res, count);
	        return typeof reviver === 'function'
	            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
	            : res;
	    }
	    /**
	     * A JSON representation of the document `contents`.
	     *
	     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
	     *   property name.
	     */
	    toJSON(jsonArg, onAnchor) {
	        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
	    }
	    /** A YAML representation of the document. */
	    toString(options = {}) {
	        if (this.errors.length > 0)
	            throw new Error('Document with errors cannot be stringified');
	        if ('indent' in options &&
	            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
	            const s = JSON.stringify(options.indent);
	            throw new Error(`"indent" option must be a positive integer, not ${s}`);
	        }
	        return stringifyDocument.stringifyDocument(this, options);
	    }
	};
	function assertCollection(contents) {
	    if (identity.isCollection(contents))
	        return true;
	    throw new Error('Expected a YAML collection as document contents');
	}

	Document.Document = Document$1;
	return Document;
}

var errors = {};

var hasRequiredErrors;

function requireErrors () {
	if (hasRequiredErrors) return errors;
	hasRequiredErrors = 1;

	class YAMLError extends Error {
	    constructor(name, pos, code, message) {
	        super();
	        this.name = name;
	        this.code = code;
	        this.message = message;
	        this.pos = pos;
	    }
	}
	class YAMLParseError extends YAMLError {
	    constructor(pos, code, message) {
	        super('YAMLParseError', pos, code, message);
	    }
	}
	class YAMLWarning extends YAMLError {
	    constructor(pos, code, message) {
	        super('YAMLWarning', pos, code, message);
	    }
	}
	const prettifyError = (src, lc) => (error) => {
	    if (error.pos[0] === -1)
	        return;
	    error.linePos = error.pos.map(pos => lc.linePos(pos));
	    const { line, col } = error.linePos[0];
	    error.message += ` at line ${line}, column ${col}`;
	    let ci = col - 1;
	    let lineStr = src
	        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
	        .replace(/[\n\r]+$/, '');
	    // Trim to max 80 chars, keeping col position near the middle
	    if (ci >= 60 && lineStr.length > 80) {
	        const trimStart = Math.min(ci - 39, lineStr.length - 79);
	        lineStr = '…' + lineStr.substring(trimStart);
	        ci -= trimStart - 1;
	    }
	    if (lineStr.length > 80)
	        lineStr = lineStr.substring(0, 79) + '…';
	    // Include previous line in context if pointing at line start
	    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
	        // Regexp won't match if start is trimmed
	        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
	        if (prev.length > 80)
	            prev = prev.substring(0, 79) + '…\n';
	        lineStr = prev + lineStr;
	    }
	    if (/[^ ]/.test(lineStr)) {
	        let count = 1;
	        const end = error.linePos[1];
	        if (end?.line === line && end.col > col) {
	            count = Math.max(1, Math.min(end.col - col, 80 - ci));
	        }
	        const pointer = ' '.repeat(ci) + '^'.repeat(count);
	        error.message += `:\n\n${lineStr}\n${pointer}\n`;
	    }
	};

	errors.YAMLError = YAMLError;
	errors.YAMLParseError = YAMLParseError;
	errors.YAMLWarning = YAMLWarning;
	errors.prettifyError = prettifyError;
	return errors;
}

var composeDoc = {};

var composeNode = {};

var composeCollection = {};

var resolveBlockMap = {};

var resolveProps = {};

var hasRequiredResolveProps;

function requireResolveProps () {
	if (hasRequiredResolveProps) return resolveProps;
	hasRequiredResolveProps = 1;

	function resolveProps$1(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
	    let spaceBefore = false;
	    let atNewline = startOnNewline;
	    let hasSpace = startOnNewline;
	    let comment = '';
	    let commentSep = '';
	    let hasNewline = false;
	    let reqSpace = false;
	    let tab = null;
	    let anchor = null;
	    let tag = null;
	    let newlineAfterProp = null;
	    let comma = null;
	    let found = null;
	    let start = null;
	    for (const token of tokens) {
	        if (reqSpace) {
	            if (token.type !== 'space' &&
	                token.type !== 'newline' &&
	                token.type !== 'comma')
	                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
	            reqSpace = false;
	        }
	        if (tab) {
	            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
	                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
	            }
	            tab = null;
	        }
	        switch (token.type) {
	            case 'space':
	                // At the doc level, tabs at line start may be parsed
	                // as leading white space rather than indentation.
	                // In a flow collection, only the parser handles indent.
	                if (!flow &&
	                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
	                    token.source.includes('\t')) {
	                    tab = token;
	                }
	                hasSpace = true;
	                break;
	            case 'comment': {
	                if (!hasSpace)
	                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
	                const cb = token.source.substring(1) || ' ';
	                if (!comment)
	                    comment = cb;
	                else
	                    comment += commentSep + cb;
	                commentSep = '';
	                atNewline = false;
	                break;
	            }
	            case 'newline':
	                if (atNewline) {
	                    if (comment)
	                        comment += token.source;
	                    else if (!found || indicator !== 'seq-item-ind')
	                        spaceBefore = true;
	                }
	                else
	                    commentSep += token.source;
	                atNewline = true;
	                hasNewline = true;
	                if (anchor || tag)
	                    newlineAfterProp = token;
	                hasSpace = true;
	                break;
	            case 'anchor':
	                if (anchor)
	                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
	                if (token.source.endsWith(':'))
	                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
	                anchor = token;
	                start ?? (start = token.offset);
	                atNewline = false;
	                hasSpace = false;
	                reqSpace = true;
	                break;
	            case 'tag': {
	                if (tag)
	                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
	                tag = token;
	                start ?? (start = token.offset);
	                atNewline = false;
	                hasSpace = false;
	                reqSpace = true;
	                break;
	            }
	            case indicator:
	                // Could here handle preceding comments differently
	                if (anchor || tag)
	                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
	                if (found)
	                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
	                found = token;
	                atNewline =
	                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
	                hasSpace = false;
	                break;
	            case 'comma':
	                if (flow) {
	                    if (comma)
	                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
	                    comma = token;
	                    atNewline = false;
	                    hasSpace = false;
	                    break;
	                }
	            // else fallthrough
	            default:
	                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
	                atNewline = false;
	                hasSpace = false;
	        }
	    }
	    const last = tokens[tokens.length - 1];
	    const end = last ? last.offset + last.source.length : offset;
	    if (reqSpace &&
	        next &&
	        next.type !== 'space' &&
	        next.type !== 'newline' &&
	        next.type !== 'comma' &&
	        (next.type !== 'scalar' || next.source !== '')) {
	        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
	    }
	    if (tab &&
	        ((atNewline && tab.indent <= parentIndent) ||
	            next?.type === 'block-map' ||
	            next?.type === 'block-seq'))
	        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
	    return {
	        comma,
	        found,
	        spaceBefore,
	        comment,
	        hasNewline,
	        anchor,
	        tag,
	        newlineAfterProp,
	        end,
	        start: start ?? end
	    };
	}

	resolveProps.resolveProps = resolveProps$1;
	return resolveProps;
}

var utilContainsNewline = {};

var hasRequiredUtilContainsNewline;

function requireUtilContainsNewline () {
	if (hasRequiredUtilContainsNewline) return utilContainsNewline;
	hasRequiredUtilContainsNewline = 1;

	function containsNewline(key) {
	    if (!key)
	        return null;
	    switch (key.type) {
	        case 'alias':
	        case 'scalar':
	        case 'double-quoted-scalar':
	        case 'single-quoted-scalar':
	            if (key.source.includes('\n'))
	                return true;
	            if (key.end)
	                for (const st of key.end)
	                    if (st.type === 'newline')
	                        return true;
	            return false;
	        case 'flow-collection':
	            for (const it of key.items) {
	                for (const st of it.start)
	                    if (st.type === 'newline')
	                        return true;
	                if (it.sep)
	                    for (const st of it.sep)
	                        if (st.type === 'newline')
	                            return true;
	                if (containsNewline(it.key) || containsNewline(it.value))
	                    return true;
	            }
	            return false;
	        default:
	            return true;
	    }
	}

	utilContainsNewline.containsNewline = containsNewline;
	return utilContainsNewline;
}

var utilFlowIndentCheck = {};

var hasRequiredUtilFlowIndentCheck;

function requireUtilFlowIndentCheck () {
	if (hasRequiredUtilFlowIndentCheck) return utilFlowIndentCheck;
	hasRequiredUtilFlowIndentCheck = 1;

	var utilContainsNewline = requireUtilContainsNewline();

	function flowIndentCheck(indent, fc, onError) {
	    if (fc?.type === 'flow-collection') {
	        const end = fc.end[0];
	        if (end.indent === indent &&
	            (end.source === ']' || end.source === '}') &&
	            utilContainsNewline.containsNewline(fc)) {
	            const msg = 'Flow end indicator should be more indented than parent';
	            onError(end, 'BAD_INDENT', msg, true);
	        }
	    }
	}

	utilFlowIndentCheck.flowIndentCheck = flowIndentCheck;
	return utilFlowIndentCheck;
}

var utilMapIncludes = {};

var hasRequiredUtilMapIncludes;

function requireUtilMapIncludes () {
	if (hasRequiredUtilMapIncludes) return utilMapIncludes;
	hasRequiredUtilMapIncludes = 1;

	var identity = requireIdentity();

	function mapIncludes(ctx, items, search) {
	    const { uniqueKeys } = ctx.options;
	    if (uniqueKeys === false)
	        return false;
	    const isEqual = typeof uniqueKeys === 'function'
	        ? uniqueKeys
	        : (a, b) => a === b || (identity.isScalar(a) && identity.isScalar(b) && a.value === b.value);
	    return items.some(pair => isEqual(pair.key, search));
	}

	utilMapIncludes.mapIncludes = mapIncludes;
	return utilMapIncludes;
}

var hasRequiredResolveBlockMap;

function requireResolveBlockMap () {
	if (hasRequiredResolveBlockMap) return resolveBlockMap;
	hasRequiredResolveBlockMap = 1;

	var Pair = requirePair();
	var YAMLMap = requireYAMLMap();
	var resolveProps = requireResolveProps();
	var utilContainsNewline = requireUtilContainsNewline();
	var utilFlowIndentCheck = requireUtilFlowIndentCheck();
	var utilMapIncludes = requireUtilMapIncludes();

	const startColMsg = 'All mapping items must start at the same column';
	function resolveBlockMap$1({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
	    const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
	    const map = new NodeClass(ctx.schema);
	    if (ctx.atRoot)
	        ctx.atRoot = false;
	    let offset = bm.offset;
	    let commentEnd = null;
	    for (const collItem of bm.items) {
	        const { start, key, sep, value } = collItem;
	        // key properties
	        const keyProps = resolveProps.resolveProps(start, {
	            indicator: 'explicit-key-ind',
	            next: key ?? sep?.[0],
	            offset,
	            onError,
	            parentIndent: bm.indent,
	            startOnNewline: true
	        });
	        const implicitKey = !keyProps.found;
	        if (implicitKey) {
	            if (key) {
	                if (key.type === 'block-seq')
	                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
	                else if ('indent' in key && key.indent !== bm.indent)
	                    onError(offset, 'BAD_INDENT', startColMsg);
	            }
	            if (!keyProps.anchor && !keyProps.tag && !sep) {
	                commentEnd = keyProps.end;
	                if (keyProps.comment) {
	                    if (map.comment)
	                        map.comment += '\n' + keyProps.comment;
	                    else
	                        map.comment = keyProps.comment;
	                }
	                continue;
	            }
	            if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
	                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
	            }
	        }
	        else if (keyProps.found?.indent !== bm.indent) {
	            onError(offset, 'BAD_INDENT', startColMsg);
	        }
	        // key value
	        ctx.atKey = true;
	        const keyStart = keyProps.end;
	        const keyNode = key
	            ? composeNode(ctx, key, keyProps, onError)
	            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
	        if (ctx.schema.compat)
	            utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
	        ctx.atKey = false;
	        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
	            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
	        // value properties
	        const valueProps = resolveProps.resolveProps(sep ?? [], {
	            indicator: 'map-value-ind',
	            next: value,
	            offset: keyNode.range[2],
	            onError,
	            parentIndent: bm.indent,
	            startOnNewline: !key || key.type === 'block-scalar'
	        });
	        offset = valueProps.end;
	        if (valueProps.found) {
	            if (implicitKey) {
	                if (value?.type === 'block-map' && !valueProps.hasNewline)
	                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
	                if (ctx.options.strict &&
	                    keyProps.start < valueProps.found.offset - 1024)
	                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
	            }
	            // value value
	            const valueNode = value
	                ? composeNode(ctx, value, valueProps, onError)
	                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
	            if (ctx.schema.compat)
	                utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
	            offset = valueNode.range[2];
	            const pair = new Pair.Pair(keyNode, valueNode);
	            if (ctx.options.keepSourceTokens)
	                pair.srcToken = collItem;
	            map.items.push(pair);
	        }
	        else {
	            // key with no value
	            if (implicitKey)
	                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
	            if (valueProps.comment) {
	                if (keyNode.comment)
	                    keyNode.comment += '\n' + valueProps.comment;
	                else
	                    keyNode.comment = valueProps.comment;
	            }
	            const pair = new Pair.Pair(keyNode);
	            if (ctx.options.keepSourceTokens)
	                pair.srcToken = collItem;
	            map.items.push(pair);
	        }
	    }
	    if (commentEnd && commentEnd < offset)
	        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
	    map.range = [bm.offset, offset, commentEnd ?? offset];
	    return map;
	}

	resolveBlockMap.resolveBlockMap = resolveBlockMap$1;
	return resolveBlockMap;
}

var resolveBlockSeq = {};

var hasRequiredResolveBlockSeq;

function requireResolveBlockSeq () {
	if (hasRequiredResolveBlockSeq) return resolveBlockSeq;
	hasRequiredResolveBlockSeq = 1;

	var YAMLSeq = requireYAMLSeq();
	var resolveProps = requireResolveProps();
	var utilFlowIndentCheck = requireUtilFlowIndentCheck();

	function resolveBlockSeq$1({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
	    const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
	    const seq = new NodeClass(ctx.schema);
	    if (ctx.atRoot)
	        ctx.atRoot = false;
	    if (ctx.atKey)
	        ctx.atKey = false;
	    let offset = bs.offset;
	    let commentEnd = null;
	    for (const { start, value } of bs.items) {
	        const props = resolveProps.resolveProps(start, {
	            indicator: 'seq-item-ind',
	            next: value,
	            offset,
	            onError,
	            parentIndent: bs.indent,
	            startOnNewline: true
	        });
	        if (!props.found) {
	            if (props.anchor || props.tag || value) {
	                if (value?.type === 'block-seq')
	                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
	                else
	                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
	            }
	            else {
	                commentEnd = props.end;
	                if (props.comment)
	                    seq.comment = props.comment;
	                continue;
	            }
	        }
	        const node = value
	            ? composeNode(ctx, value, props, onError)
	            : composeEmptyNode(ctx, props.end, start, null, props, onError);
	        if (ctx.schema.compat)
	            utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
	        offset = node.range[2];
	        seq.items.push(node);
	    }
	    seq.range = [bs.offset, offset, commentEnd ?? offset];
	    return seq;
	}

	resolveBlockSeq.resolveBlockSeq = resolveBlockSeq$1;
	return resolveBlockSeq;
}

var resolveFlowCollection = {};

var resolveEnd = {};

var hasRequiredResolveEnd;

function requireResolveEnd () {
	if (hasRequiredResolveEnd) return resolveEnd;
	hasRequiredResolveEnd = 1;

	function resolveEnd$1(end, offset, reqSpace, onError) {
	    let comment = '';
	    if (end) {
	        let hasSpace = false;
	        let sep = '';
	        for (const token of end) {
	            const { source, type } = token;
	            switch (type) {
	                case 'space':
	                    hasSpace = true;
	                    break;
	                case 'comment': {
	                    if (reqSpace && !hasSpace)
	                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
	                    const cb = source.substring(1) || ' ';
	                    if (!comment)
	                        comment = cb;
	                    else
	                        comment += sep + cb;
	                    sep = '';
	                    break;
	                }
	                case 'newline':
	                    if (comment)
	                        sep += source;
	                    hasSpace = true;
	                    break;
	                default:
	                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
	            }
	            offset += source.length;
	        }
	    }
	    return { comment, offset };
	}

	resolveEnd.resolveEnd = resolveEnd$1;
	return resolveEnd;
}

var hasRequiredResolveFlowCollection;

function requireResolveFlowCollection () {
	if (hasRequiredResolveFlowCollection) return resolveFlowCollection;
	hasRequiredResolveFlowCollection = 1;

	var identity = requireIdentity();
	var Pair = requirePair();
	var YAMLMap = requireYAMLMap();
	var YAMLSeq = requireYAMLSeq();
	var resolveEnd = requireResolveEnd();
	var resolveProps = requireResolveProps();
	var utilContainsNewline = requireUtilContainsNewline();
	var utilMapIncludes = requireUtilMapIncludes();

	const blockMsg = 'Block collections are not allowed within flow collections';
	const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
	function resolveFlowCollection$1({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
	    const isMap = fc.start.source === '{';
	    const fcName = isMap ? 'flow map' : 'flow sequence';
	    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq));
	    const coll = new NodeClass(ctx.schema);
	    coll.flow = true;
	    const atRoot = ctx.atRoot;
	    if (atRoot)
	        ctx.atRoot = false;
	    if (ctx.atKey)
	        ctx.atKey = false;
	    let offset = fc.offset + fc.start.source.length;
	    for (let i = 0; i < fc.items.length; ++i) {
	        const collItem = fc.items[i];
	        const { start, key, sep, value } = collItem;
	        const props = resolveProps.resolveProps(start, {
	            flow: fcName,
	            indicator: 'explicit-key-ind',
	            next: key ?? sep?.[0],
	            offset,
	            onError,
	            parentIndent: fc.indent,
	            startOnNewline: false
	        });
	        if (!props.found) {
	            if (!props.anchor && !props.tag && !sep && !value) {
	                if (i === 0 && props.comma)
	                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
	                else if (i < fc.items.length - 1)
	                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
	                if (props.comment) {
	                    if (coll.comment)
	                        coll.comment += '\n' + props.comment;
	                    else
	                        coll.comment = props.comment;
	                }
	                offset = props.end;
	                continue;
	            }
	            if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
	                onError(key, // checked by containsNewline()
	                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
	        }
	        if (i === 0) {
	            if (props.comma)
	                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
	        }
	        else {
	            if (!props.comma)
	                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
	            if (props.comment) {
	                let prevItemComment = '';
	                loop: for (const st of start) {
	                    switch (st.type) {
	                        case 'comma':
	                        case 'space':
	                            break;
	                        case 'comment':
	                            prevItemComment = st.source.substring(1);
	                            break loop;
	                        default:
	                            break loop;
	                    }
	                }
	                if (prevItemComment) {
	                    let prev = coll.items[coll.items.length - 1];
	                    if (identity.isPair(prev))
	                        prev = prev.value ?? prev.key;
	                    if (prev.comment)
	                        prev.comment += '\n' + prevItemComment;
	                    else
	                        prev.comment = prevItemComment;
	                    props.comment = props.comment.substring(prevItemComment.length + 1);
	                }
	            }
	        }
	        if (!isMap && !sep && !props.found) {
	            // item is a value in a seq
	            // → key & sep are empty, start does not include ? or :
	            const valueNode = value
	                ? composeNode(ctx, value, props, onError)
	                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
	            coll.items.push(valueNode);
	            offset = valueNode.range[2];
	            if (isBlock(value))
	                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
	        }
	        else {
	            // item is a key+value pair
	            // key value
	            ctx.atKey = true;
	            const keyStart = props.end;
	            const keyNode = key
	                ? composeNode(ctx, key, props, onError)
	                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
	            if (isBlock(key))
	                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
	            ctx.atKey = false;
	            // value properties
	            const valueProps = resolveProps.resolveProps(sep ?? [], {
	                flow: fcName,
	                indicator: 'map-value-ind',
	                next: value,
	                offset: keyNode.range[2],
	                onError,
	                parentIndent: fc.indent,
	                startOnNewline: false
	            });
	            if (valueProps.found) {
	                if (!isMap && !props.found && ctx.options.strict) {
	                    if (sep)
	                        for (const st of sep) {
	                            if (st === valueProps.found)
	                                break;
	                            if (st.type === 'newline') {
	                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
	                                break;
	                            }
	                        }
	                    if (props.start < valueProps.found.offset - 1024)
	                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
	                }
	            }
	            else if (value) {
	                if ('source' in value && value.source?.[0] === ':')
	                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
	                else
	                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
	            }
	            // value value
	            const valueNode = value
	                ? composeNode(ctx, value, valueProps, onError)
	                : valueProps.found
	                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
	                    : null;
	            if (valueNode) {
	                if (isBlock(value))
	                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
	            }
	            else if (valueProps.comment) {
	                if (keyNode.comment)
	                    keyNode.comment += '\n' + valueProps.comment;
	                else
	                    keyNode.comment = valueProps.comment;
	            }
	            const pair = new Pair.Pair(keyNode, valueNode);
	            if (ctx.options.keepSourceTokens)
	                pair.srcToken = collItem;
	            if (isMap) {
	                const map = coll;
	                if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
	                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
	                map.items.push(pair);
	            }
	            else {
	                const map = new YAMLMap.YAMLMap(ctx.schema);
	                map.flow = true;
	                map.items.push(pair);
	                const endRange = (valueNode ?? keyNode).range;
	                map.range = [keyNode.range[0], endRange[1], endRange[2]];
	                coll.items.push(map);
	            }
	            offset = valueNode ? valueNode.range[2] : valueProps.end;
	        }
	    }
	    const expectedEnd = isMap ? '}' : ']';
	    const [ce, ...ee] = fc.end;
	    let cePos = offset;
	    if (ce?.source === expectedEnd)
	        cePos = ce.offset + ce.source.length;
	    else {
	        const name = fcName[0].toUpperCase() + fcName.substring(1);
	        const msg = atRoot
	            ? `${name} must end with a ${expectedEnd}`
	            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
	        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
	        if (ce && ce.source.length !== 1)
	            ee.unshift(ce);
	    }
	    if (ee.length > 0) {
	        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
	        if (end.comment) {
	            if (coll.comment)
	                coll.comment += '\n' + end.comment;
	            else
	                coll.comment = end.comment;
	        }
	        coll.range = [fc.offset, cePos, end.offset];
	    }
	    else {
	        coll.range = [fc.offset, cePos, cePos];
	    }
	    return coll;
	}

	resolveFlowCollection.resolveFlowCollection = resolveFlowCollection$1;
	return resolveFlowCollection;
}

var hasRequiredComposeCollection;

function requireComposeCollection () {
	if (hasRequiredComposeCollection) return composeCollection;
	hasRequiredComposeCollection = 1;

	var identity = requireIdentity();
	var Scalar = requireScalar();
	var YAMLMap = requireYAMLMap();
	var YAMLSeq = requireYAMLSeq();
	var resolveBlockMap = requireResolveBlockMap();
	var resolveBlockSeq = requireResolveBlockSeq();
	var resolveFlowCollection = requireResolveFlowCollection();

	function resolveCollection(CN, ctx, token, onError, tagName, tag) {
	    const coll = token.type === 'block-map'
	        ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag)
	        : token.type === 'block-seq'
	            ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag)
	            : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
	    const Coll = coll.constructor;
	    // If we got a tagName matching the class, or the tag name is '!',
	    // then use the tagName from the node class used to create it.
	    if (tagName === '!' || tagName === Coll.tagName) {
	        coll.tag = Coll.tagName;
	        return coll;
	    }
	    if (tagName)
	        coll.tag = tagName;
	    return coll;
	}
	function composeCollection$1(CN, ctx, token, props, onError) {
	    const tagToken = props.tag;
	    const tagName = !tagToken
	        ? null
	        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
	    if (token.type === 'block-seq') {
	        const { anchor, newlineAfterProp: nl } = props;
	        const lastProp = anchor && tagToken
	            ? anchor.offset > tagToken.offset
	                ? anchor
	                : tagToken
	            : (anchor ?? tagToken);
	        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
	            const message = 'Missing newline after block sequence props';
	            onError(lastProp, 'MISSING_CHAR', message);
	        }
	    }
	    const expType = token.type === 'block-map'
	        ? 'map'
	        : token.type === 'block-seq'
	            ? 'seq'
	            : token.start.source === '{'
	                ? 'map'
	                : 'seq';
	    // shortcut: check if it's a generic YAMLMap or YAMLSeq
	    // before jumping into the custom tag logic.
	    if (!tagToken ||
	        !tagName ||
	        tagName === '!' ||
	        (tagName === YAMLMap.YAMLMap.tagName && expType === 'map') ||
	        (tagName === YAMLSeq.YAMLSeq.tagName && expType === 'seq')) {
	        return resolveCollection(CN, ctx, token, onError, tagName);
	    }
	    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
	    if (!tag) {
	        const kt = ctx.schema.knownTags[tagName];
	        if (kt?.collection === expType) {
	            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
	            tag = kt;
	        }
	        else {
	            if (kt) {
	                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
	            }
	            else {
	                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
	            }
	            return resolveCollection(CN, ctx, token, onError, tagName);
	        }
	    }
	    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
	    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
	    const node = identity.isNode(res)
	        ? res
	        : new Scalar.Scalar(res);
	    node.range = coll.range;
	    node.tag = tagName;
	    if (tag?.format)
	        node.format = tag.format;
	    return node;
	}

	composeCollection.composeCollection = composeCollection$1;
	return composeCollection;
}

var composeScalar = {};

var resolveBlockScalar = {};

var hasRequiredResolveBlockScalar;

function requireResolveBlockScalar () {
	if (hasRequiredResolveBlockScalar) return resolveBlockScalar;
	hasRequiredResolveBlockScalar = 1;

	var Scalar = requireScalar();

	function resolveBlockScalar$1(ctx, scalar, onError) {
	    const start = scalar.offset;
	    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
	    if (!header)
	        return { value: '', type: null, comment: '', range: [start, start, start] };
	    const type = header.mode === '>' ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
	    const lines = scalar.source ? splitLines(scalar.source) : [];
	    // determine the end of content & start of chomping
	    let chompStart = lines.length;
	    for (let i = lines.length - 1; i >= 0; --i) {
	        const content = lines[i][1];
	        if (content === '' || content === '\r')
	            chompStart = i;
	        else
	            break;
	    }
	    // shortcut for empty contents
	    if (chompStart === 0) {
	        const value = header.chomp === '+' && lines.length > 0
	            ? '\n'.repeat(Math.max(1, lines.length - 1))
	            : '';
	        let end = start + header.length;
	        if (scalar.source)
	            end += scalar.source.length;
	        return { value, type, comment: header.comment, range: [start, end, end] };
	    }
	    // find the indentation level to trim from start
	    let trimIndent = scalar.indent + header.indent;
	    let offset = scalar.offset + header.length;
	    let contentStart = 0;
	    for (let i = 0; i < chompStart; ++i) {
	        const [indent, content] = lines[i];
	        if (content === '' || content === '\r') {
	            if (header.indent === 0 && indent.length > trimIndent)
	                trimIndent = indent.length;
	        }
	        else {
	            if (indent.length < trimIndent) {
	                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
	                onError(offset + indent.length, 'MISSING_CHAR', message);
	            }
	            if (header.indent === 0)
	                trimIndent = indent.length;
	            contentStart = i;
	            if (trimIndent === 0 && !ctx.atRoot) {
	                const message = 'Block scalar values in collections must be indented';
	                onError(offset, 'BAD_INDENT', message);
	            }
	            break;
	        }
	        offset += indent.length + content.length + 1;
	    }
	    // include trailing more-indented empty lines in content
	    for (let i = lines.length - 1; i >= chompStart; --i) {
	        if (lines[i][0].length > trimIndent)
	            chompStart = i + 1;
	    }
	    let value = '';
	    let sep = '';
	    let prevMoreIndented = false;
	    // leading whitespace is kept intact
	    for (let i = 0; i < contentStart; ++i)
	        value += lines[i][0].slice(trimIndent) + '\n';
	    for (let i = contentStart; i < chompStart; ++i) {
	        let [indent, content] = lines[i];
	        offset += indent.length + content.length + 1;
	        const crlf = content[content.length - 1] === '\r';
	        if (crlf)
	            content = content.slice(0, -1);
	        /* istanbul ignore if already caught in lexer */
	        if (content && indent.length < trimIndent) {
	            const src = header.indent
	                ? 'explicit indentation indicator'
	                : 'first line';
	            const message = `Block scalar lines must not be less indented than their ${src}`;
	            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
	            indent = '';
	        }
	        if (type === Scalar.Scalar.BLOCK_LITERAL) {
	            value += sep + indent.slice(trimIndent) + content;
	            sep = '\n';
	        }
	        else if (indent.length > trimIndent || content[0] === '\t') {
	            // more-indented content within a folded block
	            if (sep === ' ')
	                sep = '\n';
	            else if (!prevMoreIndented && sep === '\n')
	                sep = '\n\n';
	            value += sep + indent.slice(trimIndent) + content;
	            sep = '\n';
	            prevMoreIndented = true;
	        }
	        else if (content === '') {
	            // empty line
	            if (sep === '\n')
	                value += '\n';
	            else
	                sep = '\n';
	        }
	        else {
	            value += sep + content;
	            sep = ' ';
	            prevMoreIndented = false;
	        }
	    }
	    switch (header.chomp) {
	        case '-':
	            break;
	        case '+':
	            for (let i = chompStart; i < lines.length; ++i)
	                value += '\n' + lines[i][0].slice(trimIndent);
	            if (value[value.length - 1] !== '\n')
	                value += '\n';
	            break;
	        default:
	            value += '\n';
	    }
	    const end = start + header.length + scalar.source.length;
	    return { value, type, comment: header.comment, range: [start, end, end] };
	}
	function parseBlockScalarHeader({ offset, props }, strict, onError) {
	    /* istanbul ignore if should not happen */
	    if (props[0].type !== 'block-scalar-header') {
	        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
	        return null;
	    }
	    const { source } = props[0];
	    const mode = source[0];
	    let indent = 0;
	    let chomp = '';
	    let error = -1;
	    for (let i = 1; i < source.length; ++i) {
	        const ch = source[i];
	        if (!chomp && (ch === '-' || ch === '+'))
	            chomp = ch;
	        else {
	            const n = Number(ch);
	            if (!indent && n)
	                indent = n;
	            else if (error === -1)
	                error = offset + i;
	        }
	    }
	    if (error !== -1)
	        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
	    let hasSpace = false;
	    let comment = '';
	    let length = source.length;
	    for (let i = 1; i < props.length; ++i) {
	        const token = props[i];
	        switch (token.type) {
	            case 'space':
	                hasSpace = true;
	            // fallthrough
	            case 'newline':
	                length += token.source.length;
	                break;
	            case 'comment':
	                if (strict && !hasSpace) {
	                    const message = 'Comments must be separated from other tokens by white space characters';
	                    onError(token, 'MISSING_CHAR', message);
	                }
	                length += token.source.length;
	                comment = token.source.substring(1);
	                break;
	            case 'error':
	                onError(token, 'UNEXPECTED_TOKEN', token.message);
	                length += token.source.length;
	                break;
	            /* istanbul ignore next should not happen */
	            default: {
	                const message = `Unexpected token in block scalar header: ${token.type}`;
	                onError(token, 'UNEXPECTED_TOKEN', message);
	                const ts = token.source;
	                if (ts && typeof ts === 'string')
	                    length += ts.length;
	            }
	        }
	    }
	    return { mode, indent, chomp, comment, length };
	}
	/** @returns Array of lines split up as `[indent, content]` */
	function splitLines(source) {
	    const split = source.split(/\n( *)/);
	    const first = split[0];
	    const m = first.match(/^( *)/);
	    const line0 = m?.[1]
	        ? [m[1], first.slice(m[1].length)]
	        : ['', first];
	    const lines = [line0];
	    for (let i = 1; i < split.length; i += 2)
	        lines.push([split[i], split[i + 1]]);
	    return lines;
	}

	resolveBlockScalar.resolveBlockScalar = resolveBlockScalar$1;
	return resolveBlockScalar;
}

var resolveFlowScalar = {};

var hasRequiredResolveFlowScalar;

function requireResolveFlowScalar () {
	if (hasRequiredResolveFlowScalar) return resolveFlowScalar;
	hasRequiredResolveFlowScalar = 1;

	var Scalar = requireScalar();
	var resolveEnd = requireResolveEnd();

	function resolveFlowScalar$1(scalar, strict, onError) {
	    const { offset, type, source, end } = scalar;
	    let _type;
	    let value;
	    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
	    switch (type) {
	        case 'scalar':
	            _type = Scalar.Scalar.PLAIN;
	            value = plainValue(source, _onError);
	            break;
	        case 'single-quoted-scalar':
	            _type = Scalar.Scalar.QUOTE_SINGLE;
	            value = singleQuotedValue(source, _onError);
	            break;
	        case 'double-quoted-scalar':
	            _type = Scalar.Scalar.QUOTE_DOUBLE;
	            value = doubleQuotedValue(source, _onError);
	            break;
	        /* istanbul ignore next should not happen */
	        default:
	            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
	            return {
	                value: '',
	                type: null,
	                comment: '',
	                range: [offset, offset + source.length, offset + source.length]
	            };
	    }
	    const valueEnd = offset + source.length;
	    const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
	    return {
	        value,
	        type: _type,
	        comment: re.comment,
	        range: [offset, valueEnd, re.offset]
	    };
	}
	function plainValue(source, onError) {
	    let badChar = '';
	    switch (source[0]) {
	        /* istanbul ignore next should not happen */
	        case '\t':
	            badChar = 'a tab character';
	            break;
	        case ',':
	            badChar = 'flow indicator character ,';
	            break;
	        case '%':
	            badChar = 'directive indicator character %';
	            break;
	        case '|':
	        case '>': {
	            badChar = `block scalar indicator ${source[0]}`;
	            break;
	        }
	        case '@':
	        case '`': {
	            badChar = `reserved character ${source[0]}`;
	            break;
	        }
	    }
	    if (badChar)
	        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
	    return unfoldLines(source);
	}
	function singleQuotedValue(source, onError) {
	    if (source[source.length - 1] !== "'" || source.length === 1)
	        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
	    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
	}
	function unfoldLines(source) {
	    const line = /(.*?)\r?\n/sy;
	    let match = line.exec(source);
	    if (!match)
	        return source;
	    /**
	     * The negative lookbehinds in these RegExps are to
	     * prevent causing a polynomial search time in certain cases.
	     *
	     * The try-catch is for Safari < 16.4 and other old browsers:
	     * https://caniuse.com/js-regexp-lookbehind
	     */
	    let trimEnd, trimBoth;
	    try {
	        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
	        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
	    }
	    catch {
	        trimEnd = /[ \t]+$/;
	        trimBoth = /^[ \t]+|[ \t]+$/g;
	    }
	    let res = match[1].replace(trimEnd, '');
	    let sep = ' ';
	    let pos = line.lastIndex;
	    while ((match = line.exec(source))) {
	        const lm = match[1].replace(trimBoth, '');
	        if (lm === '') {
	            if (sep === '\n')
	                res += sep;
	            else
	                sep = '\n';
	        }
	        else {
	            res += sep + lm;
	            sep = ' ';
	        }
	        pos = line.lastIndex;
	    }
	    const last = /[ \t]*(.*)/sy;
	    last.lastIndex = pos;
	    match = last.exec(source);
	    return res + sep + (match?.[1] ?? '');
	}
	function doubleQuotedValue(source, onError) {
	    let res = '';
	    for (let i = 1; i < source.length - 1; ++i) {
	        const ch = source[i];
	        if (ch === '\r' && source[i + 1] === '\n')
	            continue;
	        if (ch === '\n') {
	            const { fold, offset } = foldNewline(source, i);
	            res += fold;
	            i = offset;
	        }
	        else if (ch === '\\') {
	            let next = source[++i];
	            const cc = escapeCodes[next];
	            if (cc)
	                res += cc;
	            else if (next === '\n') {
	                // skip escaped newlines, but still trim the following line
	                next = source[i + 1];
	                while (next === ' ' || next === '\t')
	                    next = source[++i + 1];
	            }
	            else if (next === '\r' && source[i + 1] === '\n') {
	                // skip escaped CRLF newlines, but still trim the following line
	                next = source[++i + 1];
	                while (next === ' ' || next === '\t')
	                    next = source[++i + 1];
	            }
	            else if (next === 'x' || next === 'u' || next === 'U') {
	                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
	                res += parseCharCode(source, i + 1, length, onError);
	                i += length;
	            }
	            else {
	                const raw = source.substr(i - 1, 2);
	                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
	                res += raw;
	            }
	        }
	        else if (ch === ' ' || ch === '\t') {
	            // trim trailing whitespace
	            const wsStart = i;
	            let next = source[i + 1];
	            while (next === ' ' || next === '\t')
	                next = source[++i + 1];
	            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
	                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
	        }
	        else {
	            res += ch;
	        }
	    }
	    if (source[source.length - 1] !== '"' || source.length === 1)
	        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
	    return res;
	}
	/**
	 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
	 * Presumes `source[offset] === '\n'`
	 */
	function foldNewline(source, offset) {
	    let fold = '';
	    let ch = source[offset + 1];
	    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
	        if (ch === '\r' && source[offset + 2] !== '\n')
	            break;
	        if (ch === '\n')
	            fold += '\n';
	        offset += 1;
	        ch = source[offset + 1];
	    }
	    if (!fold)
	        fold = ' ';
	    return { fold, offset };
	}
	const escapeCodes = {
	    '0': '\0', // null character
	    a: '\x07', // bell character
	    b: '\b', // backspace
	    e: '\x1b', // escape character
	    f: '\f', // form feed
	    n: '\n', // line feed
	    r: '\r', // carriage return
	    t: '\t', // horizontal tab
	    v: '\v', // vertical tab
	    N: '\u0085', // Unicode next line
	    _: '\u00a0', // Unicode non-breaking space
	    L: '\u2028', // Unicode line separator
	    P: '\u2029', // Unicode paragraph separator
	    ' ': ' ',
	    '"': '"',
	    '/': '/',
	    '\\': '\\',
	    '\t': '\t'
	};
	function parseCharCode(source, offset, length, onError) {
	    const cc = source.substr(offset, length);
	    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
	    const code = ok ? parseInt(cc, 16) : NaN;
	    try {
	        return String.fromCodePoint(code);
	    }
	    catch {
	        const raw = source.substr(offset - 2, length + 2);
	        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
	        return raw;
	    }
	}

	resolveFlowScalar.resolveFlowScalar = resolveFlowScalar$1;
	return resolveFlowScalar;
}

var hasRequiredComposeScalar;

function requireComposeScalar () {
	if (hasRequiredComposeScalar) return composeScalar;
	hasRequiredComposeScalar = 1;

	var identity = requireIdentity();
	var Scalar = requireScalar();
	var resolveBlockScalar = requireResolveBlockScalar();
	var resolveFlowScalar = requireResolveFlowScalar();

	function composeScalar$1(ctx, token, tagToken, onError) {
	    const { value, type, comment, range } = token.type === 'block-scalar'
	        ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError)
	        : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
	    const tagName = tagToken
	        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
	        : null;
	    let tag;
	    if (ctx.options.stringKeys && ctx.atKey) {
	        tag = ctx.schema[identity.SCALAR];
	    }
	    else if (tagName)
	        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
	    else if (token.type === 'scalar')
	        tag = findScalarTagByTest(ctx, value, token, onError);
	    else
	        tag = ctx.schema[identity.SCALAR];
	    let scalar;
	    try {
	        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
	        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
	    }
	    catch (error) {
	        const msg = error instanceof Error ? error.message : String(error);
	        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
	        scalar = new Scalar.Scalar(value);
	    }
	    scalar.range = range;
	    scalar.source = value;
	    if (type)
	        scalar.type = type;
	    if (tagName)
	        scalar.tag = tagName;
	    if (tag.format)
	        scalar.format = tag.format;
	    if (comment)
	        scalar.comment = comment;
	    return scalar;
	}
	function findScalarTagByName(schema, value, tagName, tagToken, onError) {
	    if (tagName === '!')
	        return schema[identity.SCALAR]; // non-specific tag
	    const matchWithTest = [];
	    for (const tag of schema.tags) {
	        if (!tag.collection && tag.tag === tagName) {
	            if (tag.default && tag.test)
	                matchWithTest.push(tag);
	            else
	                return tag;
	        }
	    }
	    for (const tag of matchWithTest)
	        if (tag.test?.test(value))
	            return tag;
	    const kt = schema.knownTags[tagName];
	    if (kt && !kt.collection) {
	        // Ensure that the known tag is available for stringifying,
	        // but does not get used by default.
	        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
	        return kt;
	    }
	    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
	    return schema[identity.SCALAR];
	}
	function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
	    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
	        tag.test?.test(value)) || schema[identity.SCALAR];
	    if (schema.compat) {
	        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
	            schema[identity.SCALAR];
	        if (tag.tag !== compat.tag) {
	            const ts = directives.tagString(tag.tag);
	            const cs = directives.tagString(compat.tag);
	            const msg = `Value may be parsed as either ${ts} or ${cs}`;
	            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
	        }
	    }
	    return tag;
	}

	composeScalar.composeScalar = composeScalar$1;
	return composeScalar;
}

var utilEmptyScalarPosition = {};

var hasRequiredUtilEmptyScalarPosition;

function requireUtilEmptyScalarPosition () {
	if (hasRequiredUtilEmptyScalarPosition) return utilEmptyScalarPosition;
	hasRequiredUtilEmptyScalarPosition = 1;

	function emptyScalarPosition(offset, before, pos) {
	    if (before) {
	        pos ?? (pos = before.length);
	        for (let i = pos - 1; i >= 0; --i) {
	            let st = before[i];
	            switch (st.type) {
	                case 'space':
	                case 'comment':
	                case 'newline':
	                    offset -= st.source.length;
	                    continue;
	            }
	            // Technically, an empty scalar is immediately after the last non-empty
	            // node, but it's more useful to place it after any whitespace.
	            st = before[++i];
	            while (st?.type === 'space') {
	                offset += st.source.length;
	                st = before[++i];
	            }
	            break;
	        }
	    }
	    return offset;
	}

	utilEmptyScalarPosition.emptyScalarPosition = emptyScalarPosition;
	return utilEmptyScalarPosition;
}

var hasRequiredComposeNode;

function requireComposeNode () {
	if (hasRequiredComposeNode) return composeNode;
	hasRequiredComposeNode = 1;

	var Alias = requireAlias();
	var identity = requireIdentity();
	var composeCollection = requireComposeCollection();
	var composeScalar = requireComposeScalar();
	var resolveEnd = requireResolveEnd();
	var utilEmptyScalarPosition = requireUtilEmptyScalarPosition();

	const CN = { composeNode: composeNode$1, composeEmptyNode };
	function composeNode$1(ctx, token, props, onError) {
	    const atKey = ctx.atKey;
	    const { spaceBefore, comment, anchor, tag } = props;
	    let node;
	    let isSrcToken = true;
	    switch (token.type) {
	        case 'alias':
	            node = composeAlias(ctx, token, onError);
	            if (anchor || tag)
	                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
	            break;
	        case 'scalar':
	        case 'single-quoted-scalar':
	        case 'double-quoted-scalar':
	        case 'block-scalar':
	            node = composeScalar.composeScalar(ctx, token, tag, onError);
	            if (anchor)
	                node.anchor = anchor.source.substring(1);
	            break;
	        case 'block-map':
	        case 'block-seq':
	        case 'flow-collection':
	            try {
	                node = composeCollection.composeCollection(CN, ctx, token, props, onError);
	                if (anchor)
	                    node.anchor = anchor.source.substring(1);
	            }
	            catch (error) {
	                // Almost certainly here due to a stack overflow
	                const message = error instanceof Error ? error.message : String(error);
	                onError(token, 'RESOURCE_EXHAUSTION', message);
	            }
	            break;
	        default: {
	            const message = token.type === 'error'
	                ? token.message
	                : `Unsupported token (type: ${token.type})`;
	            onError(token, 'UNEXPECTED_TOKEN', message);
	            isSrcToken = false;
	        }
	    }
	    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
	    if (anchor && node.anchor === '')
	        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
	    if (atKey &&
	        ctx.options.stringKeys &&
	        (!identity.isScalar(node) ||
	            typeof node.value !== 'string' ||
	            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
	        const msg = 'With stringKeys, all keys must be strings';
	        onError(tag ?? token, 'NON_STRING_KEY', msg);
	    }
	    if (spaceBefore)
	        node.spaceBefore = true;
	    if (comment) {
	        if (token.type === 'scalar' && token.source === '')
	            node.comment = comment;
	        else
	            node.commentBefore = comment;
	    }
	    // @ts-expect-error Type checking misses meaning of isSrcToken
	    if (ctx.options.keepSourceTokens && isSrcToken)
	        node.srcToken = token;
	    return node;
	}
	function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
	    const token = {
	        type: 'scalar',
	        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
	        indent: -1,
	        source: ''
	    };
	    const node = composeScalar.composeScalar(ctx, token, tag, onError);
	    if (anchor) {
	        node.anchor = anchor.source.substring(1);
	        if (node.anchor === '')
	            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
	    }
	    if (spaceBefore)
	        node.spaceBefore = true;
	    if (comment) {
	        node.comment = comment;
	        node.range[2] = end;
	    }
	    return node;
	}
	function composeAlias({ options }, { offset, source, end }, onError) {
	    const alias = new Alias.Alias(source.substring(1));
	    if (alias.source === '')
	        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
	    if (alias.source.endsWith(':'))
	        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
	    const valueEnd = offset + source.length;
	    const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
	    alias.range = [offset, valueEnd, re.offset];
	    if (re.comment)
	        alias.comment = re.comment;
	    return alias;
	}

	composeNode.composeEmptyNode = composeEmptyNode;
	composeNode.composeNode = composeNode$1;
	return composeNode;
}

var hasRequiredComposeDoc;

function requireComposeDoc () {
	if (hasRequiredComposeDoc) return composeDoc;
	hasRequiredComposeDoc = 1;

	var Document = requireDocument();
	var composeNode = requireComposeNode();
	var resolveEnd = requireResolveEnd();
	var resolveProps = requireResolveProps();

	function composeDoc$1(options, directives, { offset, start, value, end }, onError) {
	    const opts = Object.assign({ _directives: directives }, options);
	    const doc = new Document.Document(undefined, opts);
	    const ctx = {
	        atKey: false,
	        atRoot: true,
	        directives: doc.directives,
	        options: doc.options,
	        schema: doc.schema
	    };
	    const props = resolveProps.resolveProps(start, {
	        indicator: 'doc-start',
	        next: value ?? end?.[0],
	        offset,
	        onError,
	        parentIndent: 0,
	        startOnNewline: true
	    });
	    if (props.found) {
	        doc.directives.docStart = true;
	        if (value &&
	            (value.type === 'block-map' || value.type === 'block-seq') &&
	            !props.hasNewline)
	            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
	    }
	    // @ts-expect-error If Contents is set, let's trust the user
	    doc.contents = value
	        ? composeNode.composeNode(ctx, value, props, onError)
	        : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
	    const contentEnd = doc.contents.range[2];
	    const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
	    if (re.comment)
	        doc.comment = re.comment;
	    doc.range = [offset, contentEnd, re.offset];
	    return doc;
	}

	composeDoc.composeDoc = composeDoc$1;
	return composeDoc;
}

var hasRequiredComposer;

function requireComposer () {
	if (hasRequiredComposer) return composer;
	hasRequiredComposer = 1;

	var node_process = require$$0;
	var directives = requireDirectives();
	var Document = requireDocument();
	var errors = requireErrors();
	var identity = requireIdentity();
	var composeDoc = requireComposeDoc();
	var resolveEnd = requireResolveEnd();

	function getErrorPos(src) {
	    if (typeof src === 'number')
	        return [src, src + 1];
	    if (Array.isArray(src))
	        return src.length === 2 ? src : [src[0], src[1]];
	    const { offset, source } = src;
	    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
	}
	function parsePrelude(prelude) {
	    let comment = '';
	    let atComment = false;
	    let afterEmptyLine = false;
	    for (let i = 0; i < prelude.length; ++i) {
	        const source = prelude[i];
	        switch (source[0]) {
	            case '#':
	                comment +=
	                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
	                        (source.substring(1) || ' ');
	                atComment = true;
	                afterEmptyLine = false;
	                break;
	            case '%':
	                if (prelude[i + 1]?.[0] !== '#')
	                    i += 1;
	                atComment = false;
	                break;
	            default:
	                // This may be wrong after doc-end, but in that case it doesn't matter
	                if (!atComment)
	                    afterEmptyLine = true;
	                atComment = false;
	        }
	    }
	    return { comment, afterEmptyLine };
	}
	/**
	 * Compose a stream of CST nodes into a stream of YAML Documents.
	 *
	 * ```ts
	 * import { Composer, Parser } from 'yaml'
	 *
	 * const src: string = ...
	 * const tokens = new Parser().parse(src)
	 * const docs = new Composer().compose(tokens)
	 * ```
	 */
	class Composer {
	    constructor(options = {}) {
	        this.doc = null;
	        this.atDirectives = false;
	        this.prelude = [];
	        this.errors = [];
	        this.warnings = [];
	        this.onError = (source, code, message, warning) => {
	            const pos = getErrorPos(source);
	            if (warning)
	                this.warnings.push(new errors.YAMLWarning(pos, code, message));
	            else
	                this.errors.push(new errors.YAMLParseError(pos, code, message));
	        };
	        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
	        this.directives = new directives.Directives({ version: options.version || '1.2' });
	        this.options = options;
	    }
	    decorate(doc, afterDoc) {
	        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
	        //console.log({ dc: doc.comment, prelude, comment })
	        if (comment) {
	            const dc = doc.contents;
	            if (afterDoc) {
	                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
	            }
	            else if (afterEmptyLine || doc.directives.docStart || !dc) {
	                doc.commentBefore = comment;
	            }
	            else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
	                let it = dc.items[0];
	                if (identity.isPair(it))
	                    it = it.key;
	                const cb = it.commentBefore;
	                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
	            }
	            else {
	                const cb = dc.commentBefore;
	                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
	            }
	        }
	        if (afterDoc) {
	            for (let i = 0; i < this.errors.length; ++i)
	                doc.errors.push(this.errors[i]);
	            for (let i = 0; i < this.warnings.length; ++i)
	                doc.warnings.push(this.warnings[i]);
	        }
	        else {
	            doc.errors = this.errors;
	            doc.warnings = this.warnings;
	        }
	        this.prelude = [];
	        this.errors = [];
	        this.warnings = [];
	    }
	    /**
	     * Current stream status information.
	     *
	     * Mostly useful at the end of input for an empty stream.
	     */
	    streamInfo() {
	        return {
	            comment: parsePrelude(this.prelude).comment,
	            directives: this.directives,
	            errors: this.errors,
	            warnings: this.warnings
	        };
	    }
	    /**
	     * Compose tokens into documents.
	     *
	     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
	     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
	     */
	    *compose(tokens, forceDoc = false, endOffset = -1) {
	        for (const token of tokens)
	            yield* this.next(token);
	        yield* this.end(forceDoc, endOffset);
	    }
	    /** Advance the composer by one CST token. */
	    *next(token) {
	        if (node_process.env.LOG_STREAM)
	            console.dir(token, { depth: null });
	        switch (token.type) {
	            case 'directive':
	                this.directives.add(token.source, (offset, message, warning) => {
	                    const pos = getErrorPos(token);
	                    pos[0] += offset;
	                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
	                });
	                this.prelude.push(token.source);
	                this.atDirectives = true;
	                break;
	            case 'document': {
	                const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
	                if (this.atDirectives && !doc.directives.docStart)
	                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
	                this.decorate(doc, false);
	                if (this.doc)
	                    yield this.doc;
	                this.doc = doc;
	                this.atDirectives = false;
	                break;
	            }
	            case 'byte-order-mark':
	            case 'space':
	                break;
	            case 'comment':
	            case 'newline':
	                this.prelude.push(token.source);
	                break;
	            case 'error': {
	                const msg = token.source
	                    ? `${token.message}: ${JSON.stringify(token.source)}`
	                    : token.message;
	                const error = new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
	                if (this.atDirectives || !this.doc)
	                    this.errors.push(error);
	                else
	                    this.doc.errors.push(error);
	                break;
	            }
	            case 'doc-end': {
	                if (!this.doc) {
	                    const msg = 'Unexpected doc-end without preceding document';
	                    this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
	                    break;
	                }
	                this.doc.directives.docEnd = true;
	                const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
	                this.decorate(this.doc, true);
	                if (end.comment) {
	                    const dc = this.doc.comment;
	                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
	                }
	                this.doc.range[2] = end.offset;
	                break;
	            }
	            default:
	                this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
	        }
	    }
	    /**
	     * Call at end of input to yield any remaining document.
	     *
	     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
	     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
	     */
	    *end(forceDoc = false, endOffset = -1) {
	        if (this.doc) {
	            this.decorate(this.doc, true);
	            yield this.doc;
	            this.doc = null;
	        }
	        else if (forceDoc) {
	            const opts = Object.assign({ _directives: this.directives }, this.options);
	            const doc = new Document.Document(undefined, opts);
	            if (this.atDirectives)
	                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
	            doc.range = [0, endOffset, endOffset];
	            this.decorate(doc, false);
	            yield doc;
	        }
	    }
	}

	composer.Composer = Composer;
	return composer;
}

var cst = {};

var cstScalar = {};

var hasRequiredCstScalar;

function requireCstScalar () {
	if (hasRequiredCstScalar) return cstScalar;
	hasRequiredCstScalar = 1;

	var resolveBlockScalar = requireResolveBlockScalar();
	var resolveFlowScalar = requireResolveFlowScalar();
	var errors = requireErrors();
	var stringifyString = requireStringifyString();

	function resolveAsScalar(token, strict = true, onError) {
	    if (token) {
	        const _onError = (pos, code, message) => {
	            const offset = typeof pos === 'number' ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
	            if (onError)
	                onError(offset, code, message);
	            else
	                throw new errors.YAMLParseError([offset, offset + 1], code, message);
	        };
	        switch (token.type) {
	            case 'scalar':
	            case 'single-quoted-scalar':
	            case 'double-quoted-scalar':
	                return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
	            case 'block-scalar':
	                return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
	        }
	    }
	    return null;
	}
	/**
	 * Create a new scalar token with `value`
	 *
	 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
	 * as this function does not support any schema operations and won't check for such conflicts.
	 *
	 * @param value The string representation of the value, which will have its content properly indented.
	 * @param context.end Comments and whitespace after the end of the value, or after the block scalar header. If undefined, a newline will be added.
	 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
	 * @param context.indent The indent level of the token.
	 * @param context.inFlow Is this scalar within a flow collection? This may affect the resolved type of the token's value.
	 * @param context.offset The offset position of the token.
	 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
	 */
	function createScalarToken(value, context) {
	    const { implicitKey = false, indent, inFlow = false, offset = -1, type = 'PLAIN' } = context;
	    const source = stringifyString.stringifyString({ type, value }, {
	        implicitKey,
	        indent: indent > 0 ? ' '.repeat(indent) : '',
	        inFlow,
	        options: { blockQuote: true, lineWidth: -1 }
	    });
	    const end = context.end ?? [
	        { type: 'newline', offset: -1, indent, source: '\n' }
	    ];
	    switch (source[0]) {
	        case '|':
	        case '>': {
	            const he = source.indexOf('\n');
	            const head = source.substring(0, he);
	            const body = source.substring(he + 1) + '\n';
	            const props = [
	                { type: 'block-scalar-header', offset, indent, source: head }
	            ];
	            if (!addEndtoBlockProps(props, end))
	                props.push({ type: 'newline', offset: -1, indent, source: '\n' });
	            return { type: 'block-scalar', offset, indent, props, source: body };
	        }
	        case '"':
	            return { type: 'double-quoted-scalar', offset, indent, source, end };
	        case "'":
	            return { type: 'single-quoted-scalar', offset, indent, source, end };
	        default:
	            return { type: 'scalar', offset, indent, source, end };
	    }
	}
	/**
	 * Set the value of `token` to the given string `value`, overwriting any previous contents and type that it may have.
	 *
	 * Best efforts are made to retain any comments previously associated with the `token`,
	 * though all contents within a collection's `items` will be overwritten.
	 *
	 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
	 * as this function does not support any schema operations and won't check for such conflicts.
	 *
	 * @param token Any token. If it does not include an `indent` value, the value will be stringified as if it were an implicit key.
	 * @param value The string representation of the value, which will have its content properly indented.
	 * @param context.afterKey In most cases, values after a key should have an additional level of indentation.
	 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
	 * @param context.inFlow Being within a flow collection may affect the resolved type of the token's value.
	 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
	 */
	function setScalarValue(token, value, context = {}) {
	    let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
	    let indent = 'indent' in token ? token.indent : null;
	    if (afterKey && typeof indent === 'number')
	        indent += 2;
	    if (!type)
	        switch (token.type) {
	            case 'single-quoted-scalar':
	                type = 'QUOTE_SINGLE';
	                break;
	            case 'double-quoted-scalar':
	                type = 'QUOTE_DOUBLE';
	                break;
	            case 'block-scalar': {
	                const header = token.props[0];
	                if (header.type !== 'block-scalar-header')
	                    throw new Error('Invalid block scalar header');
	                type = header.source[0] === '>' ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
	                break;
	            }
	            default:
	                type = 'PLAIN';
	        }
	    const source = stringifyString.stringifyString({ type, value }, {
	        implicitKey: implicitKey || indent === null,
	        indent: indent !== null && indent > 0 ? ' '.repeat(indent) : '',
	        inFlow,
	        options: { blockQuote: true, lineWidth: -1 }
	    });
	    switch (source[0]) {
	        case '|':
	        case '>':
	            setBlockScalarValue(token, source);
	            break;
	        case '"':
	            setFlowScalarValue(token, source, 'double-quoted-scalar');
	            break;
	        case "'":
	            setFlowScalarValue(token, source, 'single-quoted-scalar');
	            break;
	        default:
	            setFlowScalarValue(token, source, 'scalar');
	    }
	}
	function setBlockScalarValue(token, source) {
	    const he = source.indexOf('\n');
	    const head = source.substring(0, he);
	    const body = source.substring(he + 1) + '\n';
	    if (token.type === 'block-scalar') {
	        const header = token.props[0];
	        if (header.type !== 'block-scalar-header')
	            throw new Error('Invalid block scalar header');
	        header.source = head;
	        token.source = body;
	    }
	    else {
	        const { offset } = token;
	        const indent = 'indent' in token ? token.indent : -1;
	        const props = [
	            { type: 'block-scalar-header', offset, indent, source: head }
	        ];
	        if (!addEndtoBlockProps(props, 'end' in token ? token.end : undefined))
	            props.push({ type: 'newline', offset: -1, indent, source: '\n' });
	        for (const key of Object.keys(token))
	            if (key !== 'type' && key !== 'offset')
	                delete token[key];
	        Object.assign(token, { type: 'block-scalar', indent, props, source: body });
	    }
	}
	/** @returns `true` if last token is a newline */
	function addEndtoBlockProps(props, end) {
	    if (end)
	        for (const st of end)
	            switch (st.type) {
	                case 'space':
	                case 'comment':
	                    props.push(st);
	                    break;
	                case 'newline':
	                    props.push(st);
	                    return true;
	            }
	    return false;
	}
	function setFlowScalarValue(token, source, type) {
	    switch (token.type) {
	        case 'scalar':
	        case 'double-quoted-scalar':
	        case 'single-quoted-scalar':
	            token.type = type;
	            token.source = source;
	            break;
	        case 'block-scalar': {
	            const end = token.props.slice(1);
	            let oa = source.length;
	            if (token.props[0].type === 'block-scalar-header')
	                oa -= token.props[0].source.length;
	            for (const tok of end)
	                tok.offset += oa;
	            delete token.props;
	            Object.assign(token, { type, source, end });
	            break;
	        }
	        case 'block-map':
	        case 'block-seq': {
	            const offset = token.offset + source.length;
	            const nl = { type: 'newline', offset, indent: token.indent, source: '\n' };
	            delete token.items;
	            Object.assign(token, { type, source, end: [nl] });
	            break;
	        }
	        default: {
	            const indent = 'indent' in token ? token.indent : -1;
	            const end = 'end' in token && Array.isArray(token.end)
	                ? token.end.filter(st => st.type === 'space' ||
	                    st.type === 'comment' ||
	                    st.type === 'newline')
	                : [];
	            for (const key of Object.keys(token))
	                if (key !== 'type' && key !== 'offset')
	                    delete token[key];
	            Object.assign(token, { type, indent, source, end });
	        }
	    }
	}

	cstScalar.createScalarToken = createScalarToken;
	cstScalar.resolveAsScalar = resolveAsScalar;
	cstScalar.setScalarValue = setScalarValue;
	return cstScalar;
}

var cstStringify = {};

var hasRequiredCstStringify;

function requireCstStringify () {
	if (hasRequiredCstStringify) return cstStringify;
	hasRequiredCstStringify = 1;

	/**
	 * Stringify a CST document, token, or collection item
	 *
	 * Fair warning: This applies no validation whatsoever, and
	 * simply concatenates the sources in their logical order.
	 */
	const stringify = (cst) => 'type' in cst ? stringifyToken(cst) : stringifyItem(cst);
	function stringifyToken(token) {
	    switch (token.type) {
	        case 'block-scalar': {
	            let res = '';
	            for (const tok of token.props)
	                res += stringifyToken(tok);
	            return res + token.source;
	        }
	        case 'block-map':
	        case 'block-seq': {
	            let res = '';
	            for (const item of token.items)
	                res += stringifyItem(item);
	            return res;
	        }
	        case 'flow-collection': {
	            let res = token.start.source;
	            for (const item of token.items)
	                res += stringifyItem(item);
	            for (const st of token.end)
	                res += st.source;
	            return res;
	        }
	        case 'document': {
	            let res = stringifyItem(token);
	            if (token.end)
	                for (const st of token.end)
	                    res += st.source;
	            return res;
	        }
	        default: {
	            let res = token.source;
	            if ('end' in token && token.end)
	                for (const st of token.end)
	                    res += st.source;
	            return res;
	        }
	    }
	}
	function stringifyItem({ start, key, sep, value }) {
	    let res = '';
	    for (const st of start)
	        res += st.source;
	    if (key)
	        res += stringifyToken(key);
	    if (sep)
	        for (const st of sep)
	            res += st.source;
	    if (value)
	        res += stringifyToken(value);
	    return res;
	}

	cstStringify.stringify = stringify;
	return cstStringify;
}

var cstVisit = {};

var hasRequiredCstVisit;

function requireCstVisit () {
	if (hasRequiredCstVisit) return cstVisit;
	hasRequiredCstVisit = 1;

	const BREAK = Symbol('break visit');
	const SKIP = Symbol('skip children');
	const REMOVE = Symbol('remove item');
	/**
	 * Apply a visitor to a CST document or item.
	 *
	 * Walks through the tree (depth-first) starting from the root, calling a
	 * `visitor` function with two arguments when entering each item:
	 *   - `item`: The current item, which included the following members:
	 *     - `start: SourceToken[]` – Source tokens before the key or value,
	 *       possibly including its anchor or tag.
	 *     - `key?: Token | null` – Set for pair values. May then be `null`, if
	 *       the key before the `:` separator is empty.
	 *     - `sep?: SourceToken[]` – Source tokens between the key and the value,
	 *       which should include the `:` map value indicator if `value` is set.
	 *     - `value?: Token` – The value of a sequence item, or of a map pair.
	 *   - `path`: The steps from the root to the current node, as an array of
	 *     `['key' | 'value', number]` tuples.
	 *
	 * The return value of the visitor may be used to control the traversal:
	 *   - `undefined` (default): Do nothing and continue
	 *   - `visit.SKIP`: Do not visit the children of this token, continue with
	 *      next sibling
	 *   - `visit.BREAK`: Terminate traversal completely
	 *   - `visit.REMOVE`: Remove the current item, then continue with the next one
	 *   - `number`: Set the index of the next step. This is useful especially if
	 *     the index of the current token has changed.
	 *   - `function`: Define the next visitor for this item. After the original
	 *     visitor is called on item entry, next visitors are called after handling
	 *     a non-empty `key` and when exiting the item.
	 */
	function visit(cst, visitor) {
	    if ('type' in cst && cst.type === 'document')
	        cst = { start: cst.start, value: cst.value };
	    _visit(Object.freeze([]), cst, visitor);
	}
	// Without the `as symbol` casts, TS declares these in the `visit`
	// namespace using `var`, but then complains about that because
	// `unique symbol` must be `const`.
	/** Terminate visit traversal completely */
	visit.BREAK = BREAK;
	/** Do not visit the children of the current item */
	visit.SKIP = SKIP;
	/** Remove the current item */
	visit.REMOVE = REMOVE;
	/** Find the item at `path` from `cst` as the root */
	visit.itemAtPath = (cst, path) => {
	    let item = cst;
	    for (const [field, index] of path) {
	        const tok = item?.[field];
	        if (tok && 'items' in tok) {
	            item = tok.items[index];
	        }
	        else
	            return undefined;
	    }
	    return item;
	};
	/**
	 * Get the immediate parent collection of the item at `path` from `cst` as the root.
	 *
	 * Throws an error if the collection is not found, which should never happen if the item itself exists.
	 */
	visit.parentCollection = (cst, path) => {
	    const parent = visit.itemAtPath(cst, path.slice(0, -1));
	    const field = path[path.length - 1][0];
	    const coll = parent?.[field];
	    if (coll && 'items' in coll)
	        return coll;
	    throw new Error('Parent collection not found');
	};
	function _visit(path, item, visitor) {
	    let ctrl = visitor(item, path);
	    if (typeof ctrl === 'symbol')
	        return ctrl;
	    for (const field of ['key', 'value']) {
	        const token = item[field];
	        if (token && 'items' in token) {
	            for (let i = 0; i < token.items.length; ++i) {
	                const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
	                if (typeof ci === 'number')
	                    i = ci - 1;
	                else if (ci === BREAK)
	                    return BREAK;
	                else if (ci === REMOVE) {
	                    token.items.splice(i, 1);
	                    i -= 1;
	                }
	            }
	            if (typeof ctrl === 'function' && field === 'key')
	                ctrl = ctrl(item, path);
	        }
	    }
	    return typeof ctrl === 'function' ? ctrl(item, path) : ctrl;
	}

	cstVisit.visit = visit;
	return cstVisit;
}

var hasRequiredCst;

function requireCst () {
	if (hasRequiredCst) return cst;
	hasRequiredCst = 1;

	var cstScalar = requireCstScalar();
	var cstStringify = requireCstStringify();
	var cstVisit = requireCstVisit();

	/** The byte order mark */
	const BOM = '\u{FEFF}';
	/** Start of doc-mode */
	const DOCUMENT = '\x02'; // C0: Start of Text
	/** Unexpected end of flow-mode */
	const FLOW_END = '\x18'; // C0: Cancel
	/** Next token is a scalar value */
	const SCALAR = '\x1f'; // C0: Unit Separator
	/** @returns `true` if `token` is a flow or block collection */
	const isCollection = (token) => !!token && 'items' in token;
	/** @returns `true` if `token` is a flow or block scalar; not an alias */
	const isScalar = (token) => !!token &&
	    (token.type === 'scalar' ||
	        token.type === 'single-quoted-scalar' ||
	        token.type === 'double-quoted-scalar' ||
	        token.type === 'block-scalar');
	/* istanbul ignore next */
	/** Get a printable representation of a lexer token */
	function prettyToken(token) {
	    switch (token) {
	        case BOM:
	            return '<BOM>';
	        case DOCUMENT:
	            return '<DOC>';
	        case FLOW_END:
	            return '<FLOW_END>';
	        case SCALAR:
	            return '<SCALAR>';
	        default:
	            return JSON.stringify(token);
	    }
	}
	/** Identify the type of a lexer token. May return `null` for unknown tokens. */
	function tokenType(source) {
	    switch (source) {
	        case BOM:
	            return 'byte-order-mark';
	        case DOCUMENT:
	            return 'doc-mode';
	        case FLOW_END:
	            return 'flow-error-end';
	        case SCALAR:
	            return 'scalar';
	        case '---':
	            return 'doc-start';
	        case '...':
	            return 'doc-end';
	        case '':
	        case '\n':
	        case '\r\n':
	            return 'newline';
	        case '-':
	            return 'seq-item-ind';
	        case '?':
	            return 'explicit-key-ind';
	        case ':':
	            return 'map-value-ind';
	        case '{':
	            return 'flow-map-start';
	        case '}':
	            return 'flow-map-end';
	        case '[':
	            return 'flow-seq-start';
	        case ']':
	            return 'flow-seq-end';
	        case ',':
	            return 'comma';
	    }
	    switch (source[0]) {
	        case ' ':
	        case '\t':
	            return 'space';
	        case '#':
	            return 'comment';
	        case '%':
	            return 'directive-line';
	        case '*':
	            return 'alias';
	        case '&':
	            return 'anchor';
	        case '!':
	            return 'tag';
	        case "'":
	            return 'single-quoted-scalar';
	        case '"':
	            return 'double-quoted-scalar';
	        case '|':
	        case '>':
	            return 'block-scalar-header';
	    }
	    return null;
	}

	cst.createScalarToken = cstScalar.createScalarToken;
	cst.resolveAsScalar = cstScalar.resolveAsScalar;
	cst.setScalarValue = cstScalar.setScalarValue;
	cst.stringify = cstStringify.stringify;
	cst.visit = cstVisit.visit;
	cst.BOM = BOM;
	cst.DOCUMENT = DOCUMENT;
	cst.FLOW_END = FLOW_END;
	cst.SCALAR = SCALAR;
	cst.isCollection = isCollection;
	cst.isScalar = isScalar;
	cst.prettyToken = prettyToken;
	cst.tokenType = tokenType;
	return cst;
}

var lexer = {};

var hasRequiredLexer;

function requireLexer () {
	if (hasRequiredLexer) return lexer;
	hasRequiredLexer = 1;

	var cst = requireCst();

	/*
	START -> stream

	stream
	  directive -> line-end -> stream
	  indent + line-end -> stream
	  [else] -> line-start

	line-end
	  comment -> line-end
	  newline -> .
	  input-end -> END

	line-start
	  doc-start -> doc
	  doc-end -> stream
	  [else] -> indent -> block-start

	block-start
	  seq-item-start -> block-start
	  explicit-key-start -> block-start
	  map-value-start -> block-start
	  [else] -> doc

	doc
	  line-end -> line-start
	  spaces -> doc
	  anchor -> doc
	  tag -> doc
	  flow-start -> flow -> doc
	  flow-end -> error -> doc
	  seq-item-start -> error -> doc
	  explicit-key-start -> error -> doc
	  map-value-start -> doc
	  alias -> doc
	  quote-start -> quoted-scalar -> doc
	  block-scalar-header -> line-end -> block-scalar(min) -> line-start
	  [else] -> plain-scalar(false, min) -> doc

	flow
	  line-end -> flow
	  spaces -> flow
	  anchor -> flow
	  tag -> flow
	  flow-start -> flow -> flow
	  flow-end -> .
	  seq-item-start -> error -> flow
	  explicit-key-start -> flow
	  map-value-start -> flow
	  alias -> flow
	  quote-start -> quoted-scalar -> flow
	  comma -> flow
	  [else] -> plain-scalar(true, 0) -> flow

	quoted-scalar
	  quote-end -> .
	  [else] -> quoted-scalar

	block-scalar(min)
	  newline + peek(indent < min) -> .
	  [else] -> block-scalar(min)

	plain-scalar(is-flow, min)
	  scalar-end(is-flow) -> .
	  peek(newline + (indent < min)) -> .
	  [else] -> plain-scalar(min)
	*/
	function isEmpty(ch) {
	    switch (ch) {
	        case undefined:
	        case ' ':
	        case '\n':
	        case '\r':
	        case '\t':
	            return true;
	        default:
	            return false;
	    }
	}
	const hexDigits = new Set('0123456789ABCDEFabcdef');
	const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
	const flowIndicatorChars = new Set(',[]{}');
	const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
	const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
	/**
	 * Splits an input string into lexical tokens, i.e. smaller strings that are
	 * easily identifiable by `tokens.tokenType()`.
	 *
	 * Lexing starts always in a "stream" context. Incomplete input may be buffered
	 * until a complete token can be emitted.
	 *
	 * In addition to slices of the original input, the following control characters
	 * may also be emitted:
	 *
	 * - `\x02` (Start of Text): A document starts with the next token
	 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
	 * - `\x1f` (Unit Separator): Next token is a scalar value
	 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
	 */
	class Lexer {
	    constructor() {
	        /**
	         * Flag indicating whether the end of the current buffer marks the end of
	         * all input
	         */
	        this.atEnd = false;
	        /**
	         * Explicit indent set in block scalar header, as an offset from the current
	         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
	         * explicitly set.
	         */
	        this.blockScalarIndent = -1;
	        /**
	         * Block scalars that include a + (keep) chomping indicator in their header
	         * include trailing empty lines, which are otherwise excluded from the
	         * scalar's contents.
	         */
	        this.blockScalarKeep = false;
	        /** Current input */
	        this.buffer = '';
	        /**
	         * Flag noting whether the map value indicator : can immediately follow this
	         * node within a flow context.
	         */
	        this.flowKey = false;
	        /** Count of surrounding flow collection levels. */
	        this.flowLevel = 0;
	        /**
	         * Minimum level of indentation required for next lines to be parsed as a
	         * part of the current scalar value.
	         */
	        this.indentNext = 0;
	        /** Indentation level of the current line. */
	        this.indentValue = 0;
	        /** Position of the next \n character. */
	        this.lineEndPos = null;
	        /** Stores the state of the lexer if reaching the end of incpomplete input */
	        this.next = null;
	        /** A pointer to `buffer`; the current position of the lexer. */
	        this.pos = 0;
	    }
	    /**
	     * Generate YAML tokens from the `source` string. If `incomplete`,
	     * a part of the last line may be left as a buffer for the next call.
	     *
	     * @returns A generator of lexical tokens
	     */
	    *lex(source, incomplete = false) {
	        if (source) {
	            if (typeof source !== 'string')
	                throw TypeError('source is not a string');
	            this.buffer = this.buffer ? this.buffer + source : source;
	            this.lineEndPos = null;
	        }
	        this.atEnd = !incomplete;
	        let next = this.next ?? 'stream';
	        while (next && (incomplete || this.hasChars(1)))
	            next = yield* this.parseNext(next);
	    }
	    atLineEnd() {
	        let i = this.pos;
	        let ch = this.buffer[i];
	        while (ch === ' ' || ch === '\t')
	            ch = this.buffer[++i];
	        if (!ch || ch === '#' || ch === '\n')
	            return true;
	        if (ch === '\r')
	            return this.buffer[i + 1] === '\n';
	        return false;
	    }
	    charAt(n) {
	        return this.buffer[this.pos + n];
	    }
	    continueScalar(offset) {
	        let ch = this.buffer[offset];
	        if (this.indentNext > 0) {
	            let indent = 0;
	            while (ch === ' ')
	                ch = this.buffer[++indent + offset];
	            if (ch === '\r') {
	                const next = this.buffer[indent + offset + 1];
	                if (next === '\n' || (!next && !this.atEnd))
	                    return offset + indent + 1;
	            }
	            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
	                ? offset + indent
	                : -1;
	        }
	        if (ch === '-' || ch === '.') {
	            const dt = this.buffer.substr(offset, 3);
	            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
	                return -1;
	        }
	        return offset;
	    }
	    getLine() {
	        let end = this.lineEndPos;
	        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
	            end = this.buffer.indexOf('\n', this.pos);
	            this.lineEndPos = end;
	        }
	        if (end === -1)
	            return this.atEnd ? this.buffer.substring(this.pos) : null;
	        if (this.buffer[end - 1] === '\r')
	            end -= 1;
	        return this.buffer.substring(this.pos, end);
	    }
	    hasChars(n) {
	        return this.pos + n <= this.buffer.length;
	    }
	    setNext(state) {
	        this.buffer = this.buffer.substring(this.pos);
	        this.pos = 0;
	        this.lineEndPos = null;
	        this.next = state;
	        return null;
	    }
	    peek(n) {
	        return this.buffer.substr(this.pos, n);
	    }
	    *parseNext(next) {
	        switch (next) {
	            case 'stream':
	                return yield* this.parseStream();
	            case 'line-start':
	                return yield* this.parseLineStart();
	            case 'block-start':
	                return yield* this.parseBlockStart();
	            case 'doc':
	                return yield* this.parseDocument();
	            case 'flow':
	                return yield* this.parseFlowCollection();
	            case 'quoted-scalar':
	                return yield* this.parseQuotedScalar();
	            case 'block-scalar':
	                return yield* this.parseBlockScalar();
	            case 'plain-scalar':
	                return yield* this.parsePlainScalar();
	        }
	    }
	    *parseStream() {
	        let line = this.getLine();
	        if (line === null)
	            return this.setNext('stream');
	        if (line[0] === cst.BOM) {
	            yield* this.pushCount(1);
	            line = line.substring(1);
	        }
	        if (line[0] === '%') {
	            let dirEnd = line.length;
	            let cs = line.indexOf('#');
	            while (cs !== -1) {
	                const ch = line[cs - 1];
	                if (ch === ' ' || ch === '\t') {
	                    dirEnd = cs - 1;
	                    break;
	                }
	                else {
	                    cs = line.indexOf('#', cs + 1);
	                }
	            }
	            while (true) {
	                const ch = line[dirEnd - 1];
	                if (ch === ' ' || ch === '\t')
	                    dirEnd -= 1;
	                else
	                    break;
	            }
	            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
	            yield* this.pushCount(line.length - n); // possible comment
	            this.pushNewline();
	            return 'stream';
	        }
	        if (this.atLineEnd()) {
	            const sp = yield* this.pushSpaces(true);
	            yield* this.pushCount(line.length - sp);
	            yield* this.pushNewline();
	            return 'stream';
	        }
	        yield cst.DOCUMENT;
	        return yield* this.parseLineStart();
	    }
	    *parseLineStart() {
	        const ch = this.charAt(0);
	        if (!ch && !this.atEnd)
	            return this.setNext('line-start');
	        if (ch === '-' || ch === '.') {
	            if (!this.atEnd && !this.hasChars(4))
	                return this.setNext('line-start');
	            const s = this.peek(3);
	            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
	                yield* this.pushCount(3);
	                this.indentValue = 0;
	                this.indentNext = 0;
	                return s === '---' ? 'doc' : 'stream';
	            }
	        }
	        this.indentValue = yield* this.pushSpaces(false);
	        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
	            this.indentNext = this.indentValue;
	        return yield* this.parseBlockStart();
	    }
	    *parseBlockStart() {
	        const [ch0, ch1] = this.peek(2);
	        if (!ch1 && !this.atEnd)
	            return this.setNext('block-start');
	        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
	            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
	            this.indentNext = this.indentValue + 1;
	            this.indentValue += n;
	            return 'block-start';
	        }
	        return 'doc';
	    }
	    *parseDocument() {
	        yield* this.pushSpaces(true);
	        const line = this.getLine();
	        if (line === null)
	            return this.setNext('doc');
	        let n = yield* this.pushIndicators();
	        switch (line[n]) {
	            case '#':
	                yield* this.pushCount(line.length - n);
	            // fallthrough
	            case undefined:
	                yield* this.pushNewline();
	                return yield* this.parseLineStart();
	            case '{':
	            case '[':
	                yield* this.pushCount(1);
	                this.flowKey = false;
	                this.flowLevel = 1;
	                return 'flow';
	            case '}':
	            case ']':
	                // this is an error
	                yield* this.pushCount(1);
	                return 'doc';
	            case '*':
	                yield* this.pushUntil(isNotAnchorChar);
	                return 'doc';
	            case '"':
	            case "'":
	                return yield* this.parseQuotedScalar();
	            case '|':
	            case '>':
	                n += yield* this.parseBlockScalarHeader();
	                n += yield* this.pushSpaces(true);
	                yield* this.pushCount(line.length - n);
	                yield* this.pushNewline();
	                return yield* this.parseBlockScalar();
	            default:
	                return yield* this.parsePlainScalar();
	        }
	    }
	    *parseFlowCollection() {
	        let nl, sp;
	        let indent = -1;
	        do {
	            nl = yield* this.pushNewline();
	            if (nl > 0) {
	                sp = yield* this.pushSpaces(false);
	                this.indentValue = indent = sp;
	            }
	            else {
	                sp = 0;
	            }
	            sp += yield* this.pushSpaces(true);
	        } while (nl + sp > 0);
	        const line = this.getLine();
	        if (line === null)
	            return this.setNext('flow');
	        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
	            (indent === 0 &&
	                (line.startsWith('---') || line.startsWith('...')) &&
	                isEmpty(line[3]))) {
	            // Allowing for the terminal ] or } at the same (rather than greater)
	            // indent level as the initial [ or { is technically invalid, but
	            // failing here would be surprising to users.
	            const atFlowEndMarker = indent === this.indentNext - 1 &&
	                this.flowLevel === 1 &&
	                (line[0] === ']' || line[0] === '}');
	            if (!atFlowEndMarker) {
	                // this is an error
	                this.flowLevel = 0;
	                yield cst.FLOW_END;
	                return yield* this.parseLineStart();
	            }
	        }
	        let n = 0;
	        while (line[n] === ',') {
	            n += yield* this.pushCount(1);
	            n += yield* this.pushSpaces(true);
	            this.flowKey = false;
	        }
	        n += yield* this.pushIndicators();
	        switch (line[n]) {
	            case undefined:
	                return 'flow';
	            case '#':
	                yield* this.pushCount(line.length - n);
	                return 'flow';
	            case '{':
	            case '[':
	                yield* this.pushCount(1);
	                this.flowKey = false;
	                this.flowLevel += 1;
	                return 'flow';
	            case '}':
	            case ']':
	                yield* this.pushCount(1);
	                this.flowKey = true;
	                this.flowLevel -= 1;
	                return this.flowLevel ? 'flow' : 'doc';
	            case '*':
	                yield* this.pushUntil(isNotAnchorChar);
	                return 'flow';
	            case '"':
	            case "'":
	                this.flowKey = true;
	                return yield* this.parseQuotedScalar();
	            case ':': {
	                const next = this.charAt(1);
	                if (this.flowKey || isEmpty(next) || next === ',') {
	                    this.flowKey = false;
	                    yield* this.pushCount(1);
	                    yield* this.pushSpaces(true);
	                    return 'flow';
	                }
	            }
	            // fallthrough
	            default:
	                this.flowKey = false;
	                return yield* this.parsePlainScalar();
	        }
	    }
	    *parseQuotedScalar() {
	        const quote = this.charAt(0);
	        let end = this.buffer.indexOf(quote, this.pos + 1);
	        if (quote === "'") {
	            while (end !== -1 && this.buffer[end + 1] === "'")
	                end = this.buffer.indexOf("'", end + 2);
	        }
	        else {
	            // double-quote
	            while (end !== -1) {
	                let n = 0;
	                while (this.buffer[end - 1 - n] === '\\')
	                    n += 1;
	                if (n % 2 === 0)
	                    break;
	                end = this.buffer.indexOf('"', end + 1);
	            }
	        }
	        // Only looking for newlines within the quotes
	        const qb = this.buffer.substring(0, end);
	        let nl = qb.indexOf('\n', this.pos);
	        if (nl !== -1) {
	            while (nl !== -1) {
	                const cs = this.continueScalar(nl + 1);
	                if (cs === -1)
	                    break;
	                nl = qb.indexOf('\n', cs);
	            }
	            if (nl !== -1) {
	                // this is an error caused by an unexpected unindent
	                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
	            }
	        }
	        if (end === -1) {
	            if (!this.atEnd)
	                return this.setNext('quoted-scalar');
	            end = this.buffer.length;
	        }
	        yield* this.pushToIndex(end + 1, false);
	        return this.flowLevel ? 'flow' : 'doc';
	    }
	    *parseBlockScalarHeader() {
	        this.blockScalarIndent = -1;
	        this.blockScalarKeep = false;
	        let i = this.pos;
	        while (true) {
	            const ch = this.buffer[++i];
	            if (ch === '+')
	                this.blockScalarKeep = true;
	            else if (ch > '0' && ch <= '9')
	                this.blockScalarIndent = Number(ch) - 1;
	            else if (ch !== '-')
	                break;
	        }
	        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
	    }
	    *parseBlockScalar() {
	        let nl = this.pos - 1; // may be -1 if this.pos === 0
	        let indent = 0;
	        let ch;
	        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
	            switch (ch) {
	                case ' ':
	                    indent += 1;
	                    break;
	                case '\n':
	                    nl = i;
	                    indent = 0;
	                    break;
	                case '\r': {
	                    const next = this.buffer[i + 1];
	                    if (!next && !this.atEnd)
	                        return this.setNext('block-scalar');
	                    if (next === '\n')
	                        break;
	                } // fallthrough
	                default:
	                    break loop;
	            }
	        }
	        if (!ch && !this.atEnd)
	            return this.setNext('block-scalar');
	        if (indent >= this.indentNext) {
	            if (this.blockScalarIndent === -1)
	                this.indentNext = indent;
	            else {
	                this.indentNext =
	                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
	            }
	            do {
	                const cs = this.continueScalar(nl + 1);
	                if (cs === -1)
	                    break;
	                nl = this.buffer.indexOf('\n', cs);
	            } while (nl !== -1);
	            if (nl === -1) {
	                if (!this.atEnd)
	                    return this.setNext('block-scalar');
	                nl = this.buffer.length;
	            }
	        }
	        // Trailing insufficiently indented tabs are invalid.
	        // To catch that during parsing, we include them in the block scalar value.
	        let i = nl + 1;
	        ch = this.buffer[i];
	        while (ch === ' ')
	            ch = this.buffer[++i];
	        if (ch === '\t') {
	            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
	                ch = this.buffer[++i];
	            nl = i - 1;
	        }
	        else if (!this.blockScalarKeep) {
	            do {
	                let i = nl - 1;
	                let ch = this.buffer[i];
	                if (ch === '\r')
	                    ch = this.buffer[--i];
	                const lastChar = i; // Drop the line if last char not more indented
	                while (ch === ' ')
	                    ch = this.buffer[--i];
	                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
	                    nl = i;
	                else
	                    break;
	            } while (true);
	        }
	        yield cst.SCALAR;
	        yield* this.pushToIndex(nl + 1, true);
	        return yield* this.parseLineStart();
	    }
	    *parsePlainScalar() {
	        const inFlow = this.flowLevel > 0;
	        let end = this.pos - 1;
	        let i = this.pos - 1;
	        let ch;
	        while ((ch = this.buffer[++i])) {
	            if (ch === ':') {
	                const next = this.buffer[i + 1];
	                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
	                    break;
	                end = i;
	            }
	            else if (isEmpty(ch)) {
	                let next = this.buffer[i + 1];
	                if (ch === '\r') {
	                    if (next === '\n') {
	                        i += 1;
	                        ch = '\n';
	                        next = this.buffer[i + 1];
	                    }
	                    else
	                        end = i;
	                }
	                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
	                    break;
	                if (ch === '\n') {
	                    const cs = this.continueScalar(i + 1);
	                    if (cs === -1)
	                        break;
	                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
	                }
	            }
	            else {
	                if (inFlow && flowIndicatorChars.has(ch))
	                    break;
	                end = i;
	            }
	        }
	        if (!ch && !this.atEnd)
	            return this.setNext('plain-scalar');
	        yield cst.SCALAR;
	        yield* this.pushToIndex(end + 1, true);
	        return inFlow ? 'flow' : 'doc';
	    }
	    *pushCount(n) {
	        if (n > 0) {
	            yield this.buffer.substr(this.pos, n);
	            this.pos += n;
	            return n;
	        }
	        return 0;
	    }
	    *pushToIndex(i, allowEmpty) {
	        const s = this.buffer.slice(this.pos, i);
	        if (s) {
	            yield s;
	            this.pos += s.length;
	            return s.length;
	        }
	        else if (allowEmpty)
	            yield '';
	        return 0;
	    }
	    *pushIndicators() {
	        let n = 0;
	        loop: while (true) {
	            switch (this.charAt(0)) {
	                case '!':
	                    n += yield* this.pushTag();
	                    n += yield* this.pushSpaces(true);
	                    continue loop;
	                case '&':
	                    n += yield* this.pushUntil(isNotAnchorChar);
	                    n += yield* this.pushSpaces(true);
	                    continue loop;
	                case '-': // this is an error
	                case '?': // this is an error outside flow collections
	                case ':': {
	                    const inFlow = this.flowLevel > 0;
	                    const ch1 = this.charAt(1);
	                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
	                        if (!inFlow)
	                            this.indentNext = this.indentValue + 1;
	                        else if (this.flowKey)
	                            this.flowKey = false;
	                        n += yield* this.pushCount(1);
	                        n += yield* this.pushSpaces(true);
	                        continue loop;
	                    }
	                }
	            }
	            break loop;
	        }
	        return n;
	    }
	    *pushTag() {
	        if (this.charAt(1) === '<') {
	            let i = this.pos + 2;
	            let ch = this.buffer[i];
	            while (!isEmpty(ch) && ch !== '>')
	                ch = this.buffer[++i];
	            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
	        }
	        else {
	            let i = this.pos + 1;
	            let ch = this.buffer[i];
	            while (ch) {
	                if (tagChars.has(ch))
	                    ch = this.buffer[++i];
	                else if (ch === '%' &&
	                    hexDigits.has(this.buffer[i + 1]) &&
	                    hexDigits.has(this.buffer[i + 2])) {
	                    ch = this.buffer[(i += 3)];
	                }
	                else
	                    break;
	            }
	            return yield* this.pushToIndex(i, false);
	        }
	    }
	    *pushNewline() {
	        const ch = this.buffer[this.pos];
	        if (ch === '\n')
	            return yield* this.pushCount(1);
	        else if (ch === '\r' && this.charAt(1) === '\n')
	            return yield* this.pushCount(2);
	        else
	            return 0;
	    }
	    *pushSpaces(allowTabs) {
	        let i = this.pos - 1;
	        let ch;
	        do {
	            ch = this.buffer[++i];
	        } while (ch === ' ' || (allowTabs && ch === '\t'));
	        const n = i - this.pos;
	        if (n > 0) {
	            yield this.buffer.substr(this.pos, n);
	            this.pos = i;
	        }
	        return n;
	    }
	    *pushUntil(test) {
	        let i = this.pos;
	        let ch = this.buffer[i];
	        while (!test(ch))
	            ch = this.buffer[++i];
	        return yield* this.pushToIndex(i, false);
	    }
	}

	lexer.Lexer = Lexer;
	return lexer;
}

var lineCounter = {};

var hasRequiredLineCounter;

function requireLineCounter () {
	if (hasRequiredLineCounter) return lineCounter;
	hasRequiredLineCounter = 1;

	/**
	 * Tracks newlines during parsing in order to provide an efficient API for
	 * determining the one-indexed `{ line, col }` position for any offset
	 * within the input.
	 */
	class LineCounter {
	    constructor() {
	        this.lineStarts = [];
	        /**
	         * Should be called in ascending order. Otherwise, call
	         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
	         */
	        this.addNewLine = (offset) => this.lineStarts.push(offset);
	        /**
	         * Performs a binary search and returns the 1-indexed { line, col }
	         * position of `offset`. If `line === 0`, `addNewLine` has never been
	         * called or `offset` is before the first known newline.
	         */
	        this.linePos = (offset) => {
	            let low = 0;
	            let high = this.lineStarts.length;
	            while (low < high) {
	                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
	                if (this.lineStarts[mid] < offset)
	                    low = mid + 1;
	                else
	                    high = mid;
	            }
	            if (this.lineStarts[low] === offset)
	                return { line: low + 1, col: 1 };
	            if (low === 0)
	                return { line: 0, col: offset };
	            const start = this.lineStarts[low - 1];
	            return { line: low, col: offset - start + 1 };
	        };
	    }
	}

	lineCounter.LineCounter = LineCounter;
	return lineCounter;
}

var parser = {};

var hasRequiredParser;

function requireParser () {
	if (hasRequiredParser) return parser;
	hasRequiredParser = 1;

	var node_process = require$$0;
	var cst = requireCst();
	var lexer = requireLexer();

	function includesToken(list, type) {
	    for (let i = 0; i < list.length; ++i)
	        if (list[i].type === type)
	            return true;
	    return false;
	}
	function findNonEmptyIndex(list) {
	    for (let i = 0; i < list.length; ++i) {
	        switch (list[i].type) {
	            case 'space':
	            case 'comment':
	            case 'newline':
	                break;
	            default:
	                return i;
	        }
	    }
	    return -1;
	}
	function isFlowToken(token) {
	    switch (token?.type) {
	        case 'alias':
	        case 'scalar':
	        case 'single-quoted-scalar':
	        case 'double-quoted-scalar':
	        case 'flow-collection':
	            return true;
	        default:
	            return false;
	    }
	}
	function getPrevProps(parent) {
	    switch (parent.type) {
	        case 'document':
	            return parent.start;
	        case 'block-map': {
	            const it = parent.items[parent.items.length - 1];
	            return it.sep ?? it.start;
	        }
	        case 'block-seq':
	            return parent.items[parent.items.length - 1].start;
	        /* istanbul ignore next should not happen */
	        default:
	            return [];
	    }
	}
	/** Note: May modify input array */
	function getFirstKeyStartProps(prev) {
	    if (prev.length === 0)
	        return [];
	    let i = prev.length;
	    loop: while (--i >= 0) {
	        switch (prev[i].type) {
	            case 'doc-start':
	            case 'explicit-key-ind':
	            case 'map-value-ind':
	            case 'seq-item-ind':
	            case 'newline':
	                break loop;
	        }
	    }
	    while (prev[++i]?.type === 'space') {
	        /* loop */
	    }
	    return prev.splice(i, prev.length);
	}
	function arrayPushArray(target, source) {
	    // May exhaust call stack with large `source` array
	    if (source.length < 1e5)
	        Array.prototype.push.apply(target, source);
	    else
	        for (let i = 0; i < source.length; ++i)
	            target.push(source[i]);
	}
	function fixFlowSeqItems(fc) {
	    if (fc.start.type === 'flow-seq-start') {
	        for (const it of fc.items) {
	            if (it.sep &&
	                !it.value &&
	                !includesToken(it.start, 'explicit-key-ind') &&
	                !includesToken(it.sep, 'map-value-ind')) {
	                if (it.key)
	                    it.value = it.key;
	                delete it.key;
	                if (isFlowToken(it.value)) {
	                    if (it.value.end)
	                        arrayPushArray(it.value.end, it.sep);
	                    else
	                        it.value.end = it.sep;
	                }
	                else
	                    arrayPushArray(it.start, it.sep);
	                delete it.sep;
	            }
	        }
	    }
	}
	/**
	 * A YAML concrete syntax tree (CST) parser
	 *
	 * ```ts
	 * const src: string = ...
	 * for (const token of new Parser().parse(src)) {
	 *   // token: Token
	 * }
	 * ```
	 *
	 * To use the parser with a user-provided lexer:
	 *
	 * ```ts
	 * function* parse(source: string, lexer: Lexer) {
	 *   const parser = new Parser()
	 *   for (const lexeme of lexer.lex(source))
	 *     yield* parser.next(lexeme)
	 *   yield* parser.end()
	 * }
	 *
	 * const src: string = ...
	 * const lexer = new Lexer()
	 * for (const token of parse(src, lexer)) {
	 *   // token: Token
	 * }
	 * ```
	 */
	class Parser {
	    /**
	     * @param onNewLine - If defined, called separately with the start position of
	     *   each new line (in `parse()`, including the start of input).
	     */
	    constructor(onNewLine) {
	        /** If true, space and sequence indicators count as indentation */
	        this.atNewLine = true;
	        /** If true, next token is a scalar value */
	        this.atScalar = false;
	        /** Current indentation level */
	        this.indent = 0;
	        /** Current offset since the start of parsing */
	        this.offset = 0;
	        /** On the same line with a block map key */
	        this.onKeyLine = false;
	        /** Top indicates the node that's currently being built */
	        this.stack = [];
	        /** The source of the current token, set in parse() */
	        this.source = '';
	        /** The type of the current token, set in parse() */
	        this.type = '';
	        // Must be defined after `next()`
	        this.lexer = new lexer.Lexer();
	        this.onNewLine = onNewLine;
	    }
	    /**
	     * Parse `source` as a YAML stream.
	     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
	     *
	     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
	     *
	     * @returns A generator of tokens representing each directive, document, and other structure.
	     */
	    *parse(source, incomplete = false) {
	        if (this.onNewLine && this.offset === 0)
	            this.onNewLine(0);
	        for (const lexeme of this.lexer.lex(source, incomplete))
	            yield* this.next(lexeme);
	        if (!incomplete)
	            yield* this.end();
	    }
	    /**
	     * Advance the parser by the `source` of one lexical token.
	     */
	    *next(source) {
	        this.source = source;
	        if (node_process.env.LOG_TOKENS)
	            console.log('|', cst.prettyToken(source));
	        if (this.atScalar) {
	            this.atScalar = false;
	            yield* this.step();
	            this.offset += source.length;
	            return;
	        }
	        const type = cst.tokenType(source);
	        if (!type) {
	            const message = `Not a YAML token: ${source}`;
	            yield* this.pop({ type: 'error', offset: this.offset, message, source });
	            this.offset += source.length;
	        }
	        else if (type === 'scalar') {
	            this.atNewLine = false;
	            this.atScalar = true;
	            this.type = 'scalar';
	        }
	        else {
	            this.type = type;
	            yield* this.step();
	            switch (type) {
	                case 'newline':
	                    this.atNewLine = true;
	                    this.indent = 0;
	                    if (this.onNewLine)
	                        this.onNewLine(this.offset + source.length);
	                    break;
	                case 'space':
	                    if (this.atNewLine && source[0] === ' ')
	                        this.indent += source.length;
	                    break;
	                case 'explicit-key-ind':
	                case 'map-value-ind':
	                case 'seq-item-ind':
	                    if (this.atNewLine)
	                        this.indent += source.length;
	                    break;
	                case 'doc-mode':
	                case 'flow-error-end':
	                    return;
	                default:
	                    this.atNewLine = false;
	            }
	            this.offset += source.length;
	        }
	    }
	    /** Call at end of input to push out any remaining constructions */
	    *end() {
	        while (this.stack.length > 0)
	            yield* this.pop();
	    }
	    get sourceToken() {
	        const st = {
	            type: this.type,
	            offset: this.offset,
	            indent: this.indent,
	            source: this.source
	        };
	        return st;
	    }
	    *step() {
	        const top = this.peek(1);
	        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
	            while (this.stack.length > 0)
	                yield* this.pop();
	            this.stack.push({
	                type: 'doc-end',
	                offset: this.offset,
	                source: this.source
	            });
	            return;
	        }
	        if (!top)
	            return yield* this.stream();
	        switch (top.type) {
	            case 'document':
	                return yield* this.document(top);
	            case 'alias':
	            case 'scalar':
	            case 'single-quoted-scalar':
	            case 'double-quoted-scalar':
	                return yield* this.scalar(top);
	            case 'block-scalar':
	                return yield* this.blockScalar(top);
	            case 'block-map':
	                return yield* this.blockMap(top);
	            case 'block-seq':
	                return yield* this.blockSequence(top);
	            case 'flow-collection':
	                return yield* this.flowCollection(top);
	            case 'doc-end':
	                return yield* this.documentEnd(top);
	        }
	        /* istanbul ignore next should not happen */
	        yield* this.pop();
	    }
	    peek(n) {
	        return this.stack[this.stack.length - n];
	    }
	    *pop(error) {
	        const token = error ?? this.stack.pop();
	        /* istanbul ignore if should not happen */
	        if (!token) {
	            const message = 'Tried to pop an empty stack';
	            yield { type: 'error', offset: this.offset, source: '', message };
	        }
	        else if (this.stack.length === 0) {
	            yield token;
	        }
	        else {
	            const top = this.peek(1);
	            if (token.type === 'block-scalar') {
	                // Block scalars use their parent rather than header indent
	                token.indent = 'indent' in top ? top.indent : 0;
	            }
	            else if (token.type === 'flow-collection' && top.type === 'document') {
	                // Ignore all indent for top-level flow collections
	                token.indent = 0;
	            }
	            if (token.type === 'flow-collection')
	                fixFlowSeqItems(token);
	            switch (top.type) {
	                case 'document':
	                    top.value = token;
	                    break;
	                case 'block-scalar':
	                    top.props.push(token); // error
	                    break;
	                case 'block-map': {
	                    const it = top.items[top.items.length - 1];
	                    if (it.value) {
	                        top.items.push({ start: [], key: token, sep: [] });
	                        this.onKeyLine = true;
	                        return;
	                    }
	                    else if (it.sep) {
	                        it.value = token;
	                    }
	                    else {
	                        Object.assign(it, { key: token, sep: [] });
	                        this.onKeyLine = !it.explicitKey;
	                        return;
	                    }
	                    break;
	                }
	                case 'block-seq': {
	                    const it = top.items[top.items.length - 1];
	                    if (it.value)
	                        top.items.push({ start: [], value: token });
	                    else
	                        it.value = token;
	                    break;
	                }
	                case 'flow-collection': {
	                    const it = top.items[top.items.length - 1];
	                    if (!it || it.value)
	                        top.items.push({ start: [], key: token, sep: [] });
	                    else if (it.sep)
	                        it.value = token;
	                    else
	                        Object.assign(it, { key: token, sep: [] });
	                    return;
	                }
	                /* istanbul ignore next should not happen */
	                default:
	                    yield* this.pop();
	                    yield* this.pop(token);
	            }
	            if ((top.type === 'document' ||
	                top.type === 'block-map' ||
	                top.type === 'block-seq') &&
	                (token.type === 'block-map' || token.type === 'block-seq')) {
	                const last = token.items[token.items.length - 1];
	                if (last &&
	                    !last.sep &&
	                    !last.value &&
	                    last.start.length > 0 &&
	                    findNonEmptyIndex(last.start) === -1 &&
	                    (token.indent === 0 ||
	                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
	                    if (top.type === 'document')
	                        top.end = last.start;
	                    else
	                        top.items.push({ start: last.start });
	                    token.items.splice(-1, 1);
	                }
	            }
	        }
	    }
	    *stream() {
	        switch (this.type) {
	            case 'directive-line':
	                yield { type: 'directive', offset: this.offset, source: this.source };
	                return;
	            case 'byte-order-mark':
	            case 'space':
	            case 'comment':
	            case 'newline':
	                yield this.sourceToken;
	                return;
	            case 'doc-mode':
	            case 'doc-start': {
	                const doc = {
	                    type: 'document',
	                    offset: this.offset,
	                    start: []
	                };
	                if (this.type === 'doc-start')
	                    doc.start.push(this.sourceToken);
	                this.stack.push(doc);
	                return;
	            }
	        }
	        yield {
	            type: 'error',
	            offset: this.offset,
	            message: `Unexpected ${this.type} token in YAML stream`,
	            source: this.source
	        };
	    }
	    *document(doc) {
	        if (doc.value)
	            return yield* this.lineEnd(doc);
	        switch (this.type) {
	            case 'doc-start': {
	                if (findNonEmptyIndex(doc.start) !== -1) {
	                    yield* this.pop();
	                    yield* this.step();
	                }
	                else
	                    doc.start.push(this.sourceToken);
	                return;
	            }
	            case 'anchor':
	            case 'tag':
	            case 'space':
	            case 'comment':
	            case 'newline':
	                doc.start.push(this.sourceToken);
	                return;
	        }
	        const bv = this.startBlockValue(doc);
	        if (bv)
	            this.stack.push(bv);
	        else {
	            yield {
	                type: 'error',
	                offset: this.offset,
	                message: `Unexpected ${this.type} token in YAML document`,
	                source: this.source
	            };
	        }
	    }
	    *scalar(scalar) {
	        if (this.type === 'map-value-ind') {
	            const prev = getPrevProps(this.peek(2));
	            const start = getFirstKeyStartProps(prev);
	            let sep;
	            if (scalar.end) {
	                sep = scalar.end;
	                sep.push(this.sourceToken);
	                delete scalar.end;
	            }
	            else
	                sep = [this.sourceToken];
	            const map = {
	                type: 'block-map',
	                offset: scalar.offset,
	                indent: scalar.indent,
	                items: [{ start, key: scalar, sep }]
	            };
	            this.onKeyLine = true;
	            this.stack[this.stack.length - 1] = map;
	        }
	        else
	            yield* this.lineEnd(scalar);
	    }
	    *blockScalar(scalar) {
	        switch (this.type) {
	            case 'space':
	            case 'comment':
	            case 'newline':
	                scalar.props.push(this.sourceToken);
	                return;
	            case 'scalar':
	                scalar.source = this.source;
	                // block-scalar source includes trailing newline
	                this.atNewLine = true;
	                this.indent = 0;
	                if (this.onNewLine) {
	                    let nl = this.source.indexOf('\n') + 1;
	                    while (nl !== 0) {
	                        this.onNewLine(this.offset + nl);
	                        nl = this.source.indexOf('\n', nl) + 1;
	                    }
	                }
	                yield* this.pop();
	                break;
	            /* istanbul ignore next should not happen */
	            default:
	                yield* this.pop();
	                yield* this.step();
	        }
	    }
	    *blockMap(map) {
	        const it = map.items[map.items.length - 1];
	        // it.sep is true-ish if pair already has key or : separator
	        switch (this.type) {
	            case 'newline':
	                this.onKeyLine = false;
	                if (it.value) {
	                    const end = 'end' in it.value ? it.value.end : undefined;
	                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
	                    if (last?.type === 'comment')
	                        end?.push(this.sourceToken);
	                    else
	                        map.items.push({ start: [this.sourceToken] });
	                }
	                else if (it.sep) {
	                    it.sep.push(this.sourceToken);
	                }
	                else {
	                    it.start.push(this.sourceToken);
	                }
	                return;
	            case 'space':
	            case 'comment':
	                if (it.value) {
	                    map.items.push({ start: [this.sourceToken] });
	                }
	                else if (it.sep) {
	                    it.sep.push(this.sourceToken);
	                }
	                else {
	                    if (this.atIndentedComment(it.start, map.indent)) {
	                        const prev = map.items[map.items.length - 2];
	                        const end = prev?.value?.end;
	                        if (Array.isArray(end)) {
	                            arrayPushArray(end, it.start);
	                            end.push(this.sourceToken);
	                            map.items.pop();
	                            return;
	                        }
	                    }
	                    it.start.push(this.sourceToken);
	                }
	                return;
	        }
	        if (this.indent >= map.indent) {
	            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
	            const atNextItem = atMapIndent &&
	                (it.sep || it.explicitKey) &&
	                this.type !== 'seq-item-ind';
	            // For empty nodes, assign newline-separated not indented empty tokens to following node
	            let start = [];
	            if (atNextItem && it.sep && !it.value) {
	                const nl = [];
	                for (let i = 0; i < it.sep.length; ++i) {
	                    const st = it.sep[i];
	                    switch (st.type) {
	                        case 'newline':
	                            nl.push(i);
	                            break;
	                        case 'space':
	                            break;
	                        case 'comment':
	                            if (st.indent > map.indent)
	                                nl.length = 0;
	                            break;
	                        default:
	                            nl.length = 0;
	                    }
	                }
	                if (nl.length >= 2)
	                    start = it.sep.splice(nl[1]);
	            }
	            switch (this.type) {
	                case 'anchor':
	                case 'tag':
	                    if (atNextItem || it.value) {
	                        start.push(this.sourceToken);
	                        map.items.push({ start });
	                        this.onKeyLine = true;
	                    }
	                    else if (it.sep) {
	                        it.sep.push(this.sourceToken);
	                    }
	                    else {
	                        it.start.push(this.sourceToken);
	                    }
	                    return;
	                case 'explicit-key-ind':
	                    if (!it.sep && !it.explicitKey) {
	                        it.start.push(this.sourceToken);
	                        it.explicitKey = true;
	                    }
	                    else if (atNextItem || it.value) {
	                        start.push(this.sourceToken);
	                        map.items.push({ start, explicitKey: true });
	                    }
	                    else {
	                        this.stack.push({
	                            type: 'block-map',
	                            offset: this.offset,
	                            indent: this.indent,
	                            items: [{ start: [this.sourceToken], explicitKey: true }]
	                        });
	                    }
	                    this.onKeyLine = true;
	                    return;
	                case 'map-value-ind':
	                    if (it.explicitKey) {
	                        if (!it.sep) {
	                            if (includesToken(it.start, 'newline')) {
	                                Object.assign(it, { key: null, sep: [this.sourceToken] });
	                            }
	                            else {
	                                const start = getFirstKeyStartProps(it.start);
	                                this.stack.push({
	                                    type: 'block-map',
	                                    offset: this.offset,
	                                    indent: this.indent,
	                                    items: [{ start, key: null, sep: [this.sourceToken] }]
	                                });
	                            }
	                        }
	                        else if (it.value) {
	                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
	                        }
	                        else if (includesToken(it.sep, 'map-value-ind')) {
	                            this.stack.push({
	                                type: 'block-map',
	                                offset: this.offset,
	                                indent: this.indent,
	                                items: [{ start, key: null, sep: [this.sourceToken] }]
	                            });
	                        }
	                        else if (isFlowToken(it.key) &&
	                            !includesToken(it.sep, 'newline')) {
	                            const start = getFirstKeyStartProps(it.start);
	                            const key = it.key;
	                            const sep = it.sep;
	                            sep.push(this.sourceToken);
	                            // @ts-expect-error type guard is wrong here
	                            delete it.key;
	                            // @ts-expect-error type guard is wrong here
	                            delete it.sep;
	                            this.stack.push({
	                                type: 'block-map',
	                                offset: this.offset,
	                                indent: this.indent,
	                                items: [{ start, key, sep }]
	                            });
	                        }
	                        else if (start.length > 0) {
	                            // Not actually at next item
	                            it.sep = it.sep.concat(start, this.sourceToken);
	                        }
	                        else {
	                            it.sep.push(this.sourceToken);
	                        }
	                    }
	                    else {
	                        if (!it.sep) {
	                            Object.assign(it, { key: null, sep: [this.sourceToken] });
	                        }
	                        else if (it.value || atNextItem) {
	                            map.items.push({ start, key: null, sep: [this.sourceToken] });
	                        }
	                        else if (includesToken(it.sep, 'map-value-ind')) {
	                            this.stack.push({
	                                type: 'block-map',
	                                offset: this.offset,
	                                indent: this.indent,
	                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
	                            });
	                        }
	                        else {
	                            it.sep.push(this.sourceToken);
	                        }
	                    }
	                    this.onKeyLine = true;
	                    return;
	                case 'alias':
	                case 'scalar':
	                case 'single-quoted-scalar':
	                case 'double-quoted-scalar': {
	                    const fs = this.flowScalar(this.type);
	                    if (atNextItem || it.value) {
	                        map.items.push({ start, key: fs, sep: [] });
	                        this.onKeyLine = true;
	                    }
	                    else if (it.sep) {
	                        this.stack.push(fs);
	                    }
	                    else {
	                        Object.assign(it, { key: fs, sep: [] });
	                        this.onKeyLine = true;
	                    }
	                    return;
	                }
	                default: {
	                    const bv = this.startBlockValue(map);
	                    if (bv) {
	                        if (bv.type === 'block-seq') {
	                            if (!it.explicitKey &&
	                                it.sep &&
	                                !includesToken(it.sep, 'newline')) {
	                                yield* this.pop({
	                                    type: 'error',
	                                    offset: this.offset,
	                                    message: 'Unexpected block-seq-ind on same line with key',
	                                    source: this.source
	                                });
	                                return;
	                            }
	                        }
	                        else if (atMapIndent) {
	                            map.items.push({ start });
	                        }
	                        this.stack.push(bv);
	                        return;
	                    }
	                }
	            }
	        }
	        yield* this.pop();
	        yield* this.step();
	    }
	    *blockSequence(seq) {
	        const it = seq.items[seq.items.length - 1];
	        switch (this.type) {
	            case 'newline':
	                if (it.value) {
	                    const end = 'end' in it.value ? it.value.end : undefined;
	                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
	                    if (last?.type === 'comment')
	                        end?.push(this.sourceToken);
	                    else
	                        seq.items.push({ start: [this.sourceToken] });
	                }
	                else
	                    it.start.push(this.sourceToken);
	                return;
	            case 'space':
	            case 'comment':
	                if (it.value)
	                    seq.items.push({ start: [this.sourceToken] });
	                else {
	                    if (this.atIndentedComment(it.start, seq.indent)) {
	                        const prev = seq.items[seq.items.length - 2];
	                        const end = prev?.value?.end;
	                        if (Array.isArray(end)) {
	                            arrayPushArray(end, it.start);
	                            end.push(this.sourceToken);
	                            seq.items.pop();
	                            return;
	                        }
	                    }
	                    it.start.push(this.sourceToken);
	                }
	                return;
	            case 'anchor':
	            case 'tag':
	                if (it.value || this.indent <= seq.indent)
	                    break;
	                it.start.push(this.sourceToken);
	                return;
	            case 'seq-item-ind':
	                if (this.indent !== seq.indent)
	                    break;
	                if (it.value || includesToken(it.start, 'seq-item-ind'))
	                    seq.items.push({ start: [this.sourceToken] });
	                else
	                    it.start.push(this.sourceToken);
	                return;
	        }
	        if (this.indent > seq.indent) {
	            const bv = this.startBlockValue(seq);
	            if (bv) {
	                this.stack.push(bv);
	                return;
	            }
	        }
	        yield* this.pop();
	        yield* this.step();
	    }
	    *flowCollection(fc) {
	        const it = fc.items[fc.items.length - 1];
	        if (this.type === 'flow-error-end') {
	            let top;
	            do {
	                yield* this.pop();
	                top = this.peek(1);
	            } while (top?.type === 'flow-collection');
	        }
	        else if (fc.end.length === 0) {
	            switch (this.type) {
	                case 'comma':
	                case 'explicit-key-ind':
	                    if (!it || it.sep)
	                        fc.items.push({ start: [this.sourceToken] });
	                    else
	                        it.start.push(this.sourceToken);
	                    return;
	                case 'map-value-ind':
	                    if (!it || it.value)
	                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
	                    else if (it.sep)
	                        it.sep.push(this.sourceToken);
	                    else
	                        Object.assign(it, { key: null, sep: [this.sourceToken] });
	                    return;
	                case 'space':
	                case 'comment':
	                case 'newline':
	                case 'anchor':
	                case 'tag':
	                    if (!it || it.value)
	                        fc.items.push({ start: [this.sourceToken] });
	                    else if (it.sep)
	                        it.sep.push(this.sourceToken);
	                    else
	                        it.start.push(this.sourceToken);
	                    return;
	                case 'alias':
	                case 'scalar':
	                case 'single-quoted-scalar':
	                case 'double-quoted-scalar': {
	                    const fs = this.flowScalar(this.type);
	                    if (!it || it.value)
	                        fc.items.push({ start: [], key: fs, sep: [] });
	                    else if (it.sep)
	                        this.stack.push(fs);
	                    else
	                        Object.assign(it, { key: fs, sep: [] });
	                    return;
	                }
	                case 'flow-map-end':
	                case 'flow-seq-end':
	                    fc.end.push(this.sourceToken);
	                    return;
	            }
	            const bv = this.startBlockValue(fc);
	            /* istanbul ignore else should not happen */
	            if (bv)
	                this.stack.push(bv);
	            else {
	                yield* this.pop();
	                yield* this.step();
	            }
	        }
	        else {
	            const parent = this.peek(2);
	            if (parent.type === 'block-map' &&
	                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
	                    (this.type === 'newline' &&
	                        !parent.items[parent.items.length - 1].sep))) {
	                yield* this.pop();
	                yield* this.step();
	            }
	            else if (this.type === 'map-value-ind' &&
	                parent.type !== 'flow-collection') {
	                const prev = getPrevProps(parent);
	                const start = getFirstKeyStartProps(prev);
	                fixFlowSeqItems(fc);
	                const sep = fc.end.splice(1, fc.end.length);
	                sep.push(this.sourceToken);
	                const map = {
	                    type: 'block-map',
	                    offset: fc.offset,
	                    indent: fc.indent,
	                    items: [{ start, key: fc, sep }]
	                };
	                this.onKeyLine = true;
	                this.stack[this.stack.length - 1] = map;
	            }
	            else {
	                yield* this.lineEnd(fc);
	            }
	        }
	    }
	    flowScalar(type) {
	        if (this.onNewLine) {
	            let nl = this.source.indexOf('\n') + 1;
	            while (nl !== 0) {
	                this.onNewLine(this.offset + nl);
	                nl = this.source.indexOf('\n', nl) + 1;
	            }
	        }
	        return {
	            type,
	            offset: this.offset,
	            indent: this.indent,
	            source: this.source
	        };
	    }
	    startBlockValue(parent) {
	        switch (this.type) {
	            case 'alias':
	            case 'scalar':
	            case 'single-quoted-scalar':
	            case 'double-quoted-scalar':
	                return this.flowScalar(this.type);
	            case 'block-scalar-header':
	                return {
	                    type: 'block-scalar',
	                    offset: this.offset,
	                    indent: this.indent,
	                    props: [this.sourceToken],
	                    source: ''
	                };
	            case 'flow-map-start':
	            case 'flow-seq-start':
	                return {
	                    type: 'flow-collection',
	                    offset: this.offset,
	                    indent: this.indent,
	                    start: this.sourceToken,
	                    items: [],
	                    end: []
	                };
	            case 'seq-item-ind':
	                return {
	                    type: 'block-seq',
	                    offset: this.offset,
	                    indent: this.indent,
	                    items: [{ start: [this.sourceToken] }]
	                };
	            case 'explicit-key-ind': {
	                this.onKeyLine = true;
	                const prev = getPrevProps(parent);
	                const start = getFirstKeyStartProps(prev);
	                start.push(this.sourceToken);
	                return {
	                    type: 'block-map',
	                    offset: this.offset,
	                    indent: this.indent,
	                    items: [{ start, explicitKey: true }]
	                };
	            }
	            case 'map-value-ind': {
	                this.onKeyLine = true;
	                const prev = getPrevProps(parent);
	                const start = getFirstKeyStartProps(prev);
	                return {
	                    type: 'block-map',
	                    offset: this.offset,
	                    indent: this.indent,
	                    items: [{ start, key: null, sep: [this.sourceToken] }]
	                };
	            }
	        }
	        return null;
	    }
	    atIndentedComment(start, indent) {
	        if (this.type !== 'comment')
	            return false;
	        if (this.indent <= indent)
	            return false;
	        return start.every(st => st.type === 'newline' || st.type === 'space');
	    }
	    *documentEnd(docEnd) {
	        if (this.type !== 'doc-mode') {
	            if (docEnd.end)
	                docEnd.end.push(this.sourceToken);
	            else
	                docEnd.end = [this.sourceToken];
	            if (this.type === 'newline')
	                yield* this.pop();
	        }
	    }
	    *lineEnd(token) {
	        switch (this.type) {
	            case 'comma':
	            case 'doc-start':
	            case 'doc-end':
	            case 'flow-seq-end':
	            case 'flow-map-end':
	            case 'map-value-ind':
	                yield* this.pop();
	                yield* this.step();
	                break;
	            case 'newline':
	                this.onKeyLine = false;
	            // fallthrough
	            case 'space':
	            case 'comment':
	            default:
	                // all other values are errors
	                if (token.end)
	                    token.end.push(this.sourceToken);
	                else
	                    token.end = [this.sourceToken];
	                if (this.type === 'newline')
	                    yield* this.pop();
	        }
	    }
	}

	parser.Parser = Parser;
	return parser;
}

var publicApi = {};

var hasRequiredPublicApi;

function requirePublicApi () {
	if (hasRequiredPublicApi) return publicApi;
	hasRequiredPublicApi = 1;

	var composer = requireComposer();
	var Document = requireDocument();
	var errors = requireErrors();
	var log = requireLog();
	var identity = requireIdentity();
	var lineCounter = requireLineCounter();
	var parser = requireParser();

	function parseOptions(options) {
	    const prettyErrors = options.prettyErrors !== false;
	    const lineCounter$1 = options.lineCounter || (prettyErrors && new lineCounter.LineCounter()) || null;
	    return { lineCounter: lineCounter$1, prettyErrors };
	}
	/**
	 * Parse the input as a stream of YAML documents.
	 *
	 * Documents should be separated from each other by `...` or `---` marker lines.
	 *
	 * @returns If an empty `docs` array is returned, it will be of type
	 *   EmptyStream and contain additional stream information. In
	 *   TypeScript, you should use `'empty' in docs` as a type guard for it.
	 */
	function parseAllDocuments(source, options = {}) {
	    const { lineCounter, prettyErrors } = parseOptions(options);
	    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
	    const composer$1 = new composer.Composer(options);
	    const docs = Array.from(composer$1.compose(parser$1.parse(source)));
	    if (prettyErrors && lineCounter)
	        for (const doc of docs) {
	            doc.errors.forEach(errors.prettifyError(source, lineCounter));
	            doc.warnings.forEach(errors.prettifyError(source, lineCounter));
	        }
	    if (docs.length > 0)
	        return docs;
	    return Object.assign([], { empty: true }, composer$1.streamInfo());
	}
	/** Parse an input string into a single YAML.Document */
	function parseDocument(source, options = {}) {
	    const { lineCounter, prettyErrors } = parseOptions(options);
	    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
	    const composer$1 = new composer.Composer(options);
	    // `doc` is always set by compose.end(true) at the very latest
	    let doc = null;
	    for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
	        if (!doc)
	            doc = _doc;
	        else if (doc.options.logLevel !== 'silent') {
	            doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
	            break;
	        }
	    }
	    if (prettyErrors && lineCounter) {
	        doc.errors.forEach(errors.prettifyError(source, lineCounter));
	        doc.warnings.forEach(errors.prettifyError(source, lineCounter));
	    }
	    return doc;
	}
	function parse(src, reviver, options) {
	    let _reviver = undefined;
	    if (typeof reviver === 'function') {
	        _reviver = reviver;
	    }
	    else if (options === undefined && reviver && typeof reviver === 'object') {
	        options = reviver;
	    }
	    const doc = parseDocument(src, options);
	    if (!doc)
	        return null;
	    doc.warnings.forEach(warning => log.warn(doc.options.logLevel, warning));
	    if (doc.errors.length > 0) {
	        if (doc.options.logLevel !== 'silent')
	            throw doc.errors[0];
	        else
	            doc.errors = [];
	    }
	    return doc.toJS(Object.assign({ reviver: _reviver }, options));
	}
	function stringify(value, replacer, options) {
	    let _replacer = null;
	    if (typeof replacer === 'function' || Array.isArray(replacer)) {
	        _replacer = replacer;
	    }
	    else if (options === undefined && replacer) {
	        options = replacer;
	    }
	    if (typeof options === 'string')
	        options = options.length;
	    if (typeof options === 'number') {
	        const indent = Math.round(options);
	        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
	    }
	    if (value === undefined) {
	        const { keepUndefined } = options ?? replacer ?? {};
	        if (!keepUndefined)
	            return undefined;
	    }
	    if (identity.isDocument(value) && !_replacer)
	        return value.toString(options);
	    return new Document.Document(value, _replacer, options).toString(options);
	}

	publicApi.parse = parse;
	publicApi.parseAllDocuments = parseAllDocuments;
	publicApi.parseDocument = parseDocument;
	publicApi.stringify = stringify;
	return publicApi;
}

var hasRequiredDist;

function requireDist () {
	if (hasRequiredDist) return dist;
	hasRequiredDist = 1;

	var composer = requireComposer();
	var Document = requireDocument();
	var Schema = requireSchema();
	var errors = requireErrors();
	var Alias = requireAlias();
	var identity = requireIdentity();
	var Pair = requirePair();
	var Scalar = requireScalar();
	var YAMLMap = requireYAMLMap();
	var YAMLSeq = requireYAMLSeq();
	var cst = requireCst();
	var lexer = requireLexer();
	var lineCounter = requireLineCounter();
	var parser = requireParser();
	var publicApi = requirePublicApi();
	var visit = requireVisit();



	dist.Composer = composer.Composer;
	dist.Document = Document.Document;
	dist.Schema = Schema.Schema;
	dist.YAMLError = errors.YAMLError;
	dist.YAMLParseError = errors.YAMLParseError;
	dist.YAMLWarning = errors.YAMLWarning;
	dist.Alias = Alias.Alias;
	dist.isAlias = identity.isAlias;
	dist.isCollection = identity.isCollection;
	dist.isDocument = identity.isDocument;
	dist.isMap = identity.isMap;
	dist.isNode = identity.isNode;
	dist.isPair = identity.isPair;
	dist.isScalar = identity.isScalar;
	dist.isSeq = identity.isSeq;
	dist.Pair = Pair.Pair;
	dist.Scalar = Scalar.Scalar;
	dist.YAMLMap = YAMLMap.YAMLMap;
	dist.YAMLSeq = YAMLSeq.YAMLSeq;
	dist.CST = cst;
	dist.Lexer = lexer.Lexer;
	dist.LineCounter = lineCounter.LineCounter;
	dist.Parser = parser.Parser;
	dist.parse = publicApi.parse;
	dist.parseAllDocuments = publicApi.parseAllDocuments;
	dist.parseDocument = publicApi.parseDocument;
	dist.stringify = publicApi.stringify;
	dist.visit = visit.visit;
	dist.visitAsync = visit.visitAsync;
	return dist;
}

var distExports = requireDist();

const INVALID = Symbol('invalid');
function node(description, expects, json, check) {
    return { description, expects, json: () => ({ description, ...json }), check };
}
/** Fails `issues` with a message at `path` and returns INVALID, for `return reject(...)`. */
function reject(issues, path, message, at = 'value') {
    issues.push({ path, message, at });
    return INVALID;
}
function isMapping(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}
function describeValue(value) {
    if (value === null || value === undefined)
        return 'nothing (null)';
    if (typeof value === 'string') {
        return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    }
    if (typeof value === 'number')
        return `the number ${value}`;
    if (typeof value === 'boolean')
        return String(value);
    if (Array.isArray(value))
        return 'a list';
    return isMapping(value) ? 'a mapping' : 'a value of an unsupported YAML type';
}
/** "expected X, got Y", with the fix when only quoting is wrong. */
function mismatch(expects, value) {
    const fix = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && /number|integer/.test(expects)
        ? '; remove the quotes'
        : (typeof value === 'number' || typeof value === 'boolean') && expects.includes('string')
            ? `; quote it: "${value}"`
            : '';
    return `expected ${expects}, got ${describeValue(value)}${fix}`;
}
/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
function distance(a, b) {
    const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    const at = (i, j) => rows[i]?.[j] ?? Infinity;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                best = Math.min(best, at(i - 2, j - 2) + 1);
            }
            const row = rows[i];
            if (row)
                row[j] = best;
        }
    }
    return at(a.length, b.length);
}
/** "; did you mean `x`?" when a candidate is a typo away (case-insensitive), else ''. */
function didYouMean(word, candidates) {
    if (word.length > 64)
        return '';
    const limit = word.length <= 4 ? 1 : 2;
    let best;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d <= limit && (!best || d < best.d))
            best = { candidate, d };
    }
    return best ? `; did you mean \`${best.candidate}\`?` : '';
}
/** `metrics[1].tolerance`, `pricing["gpt-4.1"].input`. */
function formatPath(path) {
    return path
        .map((segment, i) => typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_][\w-]*$/.test(segment)
            ? `${i === 0 ? '' : '.'}${segment}`
            : `[${JSON.stringify(segment)}]`)
        .join('');
}
// ---- scalars ----
function str(description, pattern) {
    const regex = pattern && new RegExp(pattern.regex);
    return node(description, 'a string', { type: 'string', minLength: 1, ...(pattern && { pattern: pattern.regex }) }, (value, path, issues) => {
        if (typeof value !== 'string')
            return reject(issues, path, mismatch('a string', value));
        if (value === '')
            return reject(issues, path, 'must not be empty');
        if (regex && pattern && !regex.test(value)) {
            return reject(issues, path, `${JSON.stringify(value)} is not valid: ${pattern.hint}`);
        }
        return value;
    });
}
function num$1(description, range = {}) {
    const { min, max, exclusiveMin, exclusiveMax, integer } = range;
    const bounds = [];
    if (min !== undefined)
        bounds.push([`>= ${min}`, v => v >= min]);
    if (exclusiveMin !== undefined)
        bounds.push([`> ${exclusiveMin}`, v => v > exclusiveMin]);
    if (max !== undefined)
        bounds.push([`<= ${max}`, v => v <= max]);
    if (exclusiveMax !== undefined)
        bounds.push([`< ${exclusiveMax}`, v => v < exclusiveMax]);
    const expects = `${integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.map(([text]) => text).join(' and ')}` : ''}`;
    const json = {
        type: integer ? 'integer' : 'number',
        ...(min !== undefined && { minimum: min }),
        ...(exclusiveMin !== undefined && { exclusiveMinimum: exclusiveMin }),
        ...(max !== undefined && { maximum: max }),
        ...(exclusiveMax !== undefined && { exclusiveMaximum: exclusiveMax })
    };
    return node(description, expects, json, (value, path, issues) => {
        const fits = typeof value === 'number' &&
            Number.isFinite(value) &&
            (!integer || Number.isInteger(value)) &&
            bounds.every(([, test]) => test(value));
        return fits ? value : reject(issues, path, mismatch(expects, value));
    });
}
/** One of a fixed set of values (an enum). */
function choice(description, values) {
    const expects = values.length === 1 ? String(values[0]) : `one of ${values.join(', ')}`;
    return node(description, expects, { enum: values }, (value, path, issues) => {
        const found = values.find(v => v === value);
        if (found !== undefined)
            return found;
        const hint = typeof value === 'string' ? didYouMean(value, values.map(String)) : '';
        return reject(issues, path, `${mismatch(expects, value)}${hint}`);
    });
}
/** A scalar with its own syntax: the parser sees the raw value (any type) and explains failures. */
function scalar(description, expects, json, parse) {
    return node(description, expects, json, (value, path, issues) => {
        const parsed = parse(value);
        return parsed.ok ? parsed.value : reject(issues, path, parsed.error);
    });
}
// ---- collections ----
function checkItems(items, item, path, issues) {
    const out = items.map((value, i) => item.check(value, [...path, i], issues));
    return out.some(v => v === INVALID) ? INVALID : out;
}
function list(description, item, minItems = 0) {
    const expects = 'a list';
    const json = { type: 'array', items: item.json(), ...(minItems > 0 && { minItems }) };
    return node(description, expects, json, (value, path, issues) => {
        if (!Array.isArray(value))
            return reject(issues, path, mismatch(expects, value));
        if (value.length < minItems) {
            return reject(issues, path, `has ${value.length} items; list at least ${minItems}. ${description}`);
        }
        return checkItems(value, item, path, issues);
    });
}
/** One item or a non-empty list of them; always a list after validation. */
function oneOrMany(description, item) {
    const expects = `${item.expects} or a list of them`;
    const json = { oneOf: [item.json(), { type: 'array', items: item.json(), minItems: 1 }] };
    return node(description, expects, json, (value, path, issues) => {
        if (!Array.isArray(value)) {
            const one = item.check(value, path, issues);
            return one === INVALID ? INVALID : [one];
        }
        if (value.length === 0)
            return reject(issues, path, `is empty; list at least one. ${description}`);
        return checkItems(value, item, path, issues);
    });
}
/** A mapping from free keys (e.g. model ids) to values of one shape. */
function record(description, values) {
    const expects = 'a mapping of names to values';
    const json = { type: 'object', additionalProperties: values.json() };
    return node(description, expects, json, (value, path, issues) => {
        if (!isMapping(value))
            return reject(issues, path, mismatch(expects, value));
        const entries = Object.entries(value).map(([key, v]) => [
            key,
            values.check(v, [...path, key], issues)
        ]);
        return entries.some(([, v]) => v === INVALID) ? INVALID : Object.fromEntries(entries);
    });
}
const required = (node) => ({ node, mode: 'required' });
const optional = (node) => ({ node, mode: 'optional' });
const withDefault = (node, fallback) => ({
    node,
    mode: 'default',
    fallback
});
function unknownKey(key, known) {
    const hint = didYouMean(key, known);
    return `unknown key \`${key}\`${hint || `; remove it, or use one of: ${known.join(', ')}`}`;
}
/** A mapping with known keys; any other key is an error (`additionalProperties: false`). */
function obj(description, fields) {
    const names = Object.keys(fields);
    const json = {
        type: 'object',
        properties: Object.fromEntries(Object.entries(fields).map(([key, field]) => [
            key,
            field.mode === 'default'
                ? { ...field.node.json(), default: field.fallback }
                : field.node.json()
        ])),
        required: names.filter(key => fields[key]?.mode === 'required'),
        additionalProperties: false
    };
    return node(description, 'a mapping', json, (value, path, issues) => {
        if (!isMapping(value))
            return reject(issues, path, mismatch('a mapping (key: value lines)', value));
        const unknown = Object.keys(value).filter(key => !Object.hasOwn(fields, key));
        for (const key of unknown)
            reject(issues, [...path, key], unknownKey(key, names), 'key');
        let valid = unknown.length === 0;
        const entries = [];
        for (const [key, field] of Object.entries(fields)) {
            // Only an absent key takes the default: an explicit null (`warmup:`) is an error, as in the schema.
            const given = Object.hasOwn(value, key) ? value[key] : undefined;
            if (given === undefined && field.mode === 'optional')
                continue;
            if (given === undefined && field.mode === 'required') {
                const message = `missing required key \`${key}\` (${field.node.expects}). ${field.node.description}`;
                reject(issues, [...path, key], message, 'missing');
                valid = false;
                continue;
            }
            const checked = field.node.check(given === undefined ? field.fallback : given, [...path, key], issues);
            if (checked === INVALID)
                valid = false;
            else
                entries.push([key, checked]);
        }
        return valid ? Object.fromEntries(entries) : INVALID;
    });
}
/**
 * Mappings told apart by a tag key (`type: file`), as JSON Schema `oneOf`. Each variant is an obj
 * that declares the tag itself, so new source types are one more entry.
 */
function union(description, tag, variants) {
    const names = Object.keys(variants);
    const json = {
        type: 'object',
        required: [tag],
        oneOf: Object.values(variants).map(v => v.json())
    };
    return node(description, 'a mapping', json, (value, path, issues) => {
        if (!isMapping(value))
            return reject(issues, path, mismatch('a mapping (key: value lines)', value));
        const given = Object.hasOwn(value, tag) ? value[tag] : undefined;
        if (given === undefined) {
            const message = `missing required key \`${tag}\` (one of ${names.join(', ')}). ${description}`;
            return reject(issues, [...path, tag], message, 'missing');
        }
        const variant = typeof given === 'string' && Object.hasOwn(variants, given) ? variants[given] : undefined;
        if (!variant) {
            const message = typeof given === 'string'
                ? `unknown ${tag} ${JSON.stringify(given)}; valid ${tag}s: ${names.join(', ')}${didYouMean(given, names)}`
                : mismatch(`one of ${names.join(', ')}`, given);
            return reject(issues, [...path, tag], message);
        }
        return variant.check(value, path, issues);
    });
}
/** Cross-field rules and the final shape: `f` runs only on a valid value and reports its own issues. */
function refine(inner, f) {
    return {
        description: inner.description,
        expects: inner.expects,
        json: () => inner.json(),
        check: (value, path, issues) => {
            const checked = inner.check(value, path, issues);
            return checked === INVALID ? INVALID : f(checked, path, issues);
        }
    };
}

/**
 * Strict parsers for the policy's scalar syntax: durations, percentages, percentage points and plain
 * numbers. They never throw: each returns the value or a message saying what is wrong and how to
 * write it. The patterns are exported so the JSON Schema uses the very same syntax.
 */
const ok = (value) => ({ ok: true, value });
const fail = (error) => ({ ok: false, error });
/** An unsigned decimal: digits, then an optional fraction (`5`, `0.5`; not `.5`, `5.`, `1e3`). */
const DECIMAL = String.raw `\d+(?:\.\d+)?`;
const SIGNED = new RegExp(`^-?${DECIMAL}$`);
const PERCENT = new RegExp(`^(-?${DECIMAL})%$`);
const POINTS = new RegExp(`^(-?${DECIMAL})pp$`);
const DURATION_UNITS = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1]
];
/**
 * A duration: one or more `<decimal><unit>` parts, largest unit first, each unit at most once
 * (`30s`, `12h`, `1h30m`, `500ms`). Matches the empty string too: pair it with a non-empty check.
 */
const DURATION_PATTERN = `^${DURATION_UNITS.map(([unit]) => `(?:(${DECIMAL})${unit})?`).join('')}$`;
const DURATION = new RegExp(DURATION_PATTERN);
const quoted = (text) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
/** Scales a decimal string by 10^-2 without the rounding error of dividing by 100 (`1.1` -> 0.011). */
const hundredth = (decimal) => Number(`${decimal}e-2`);
function finite(value, text) {
    return Number.isFinite(value) ? ok(value) : fail(`${quoted(text)} is too large`);
}
/** `30s`, `30m`, `12h`, `2d`, `1h30m`, `500ms` -> milliseconds. */
function parseDuration(text) {
    const match = text === '' ? null : DURATION.exec(text);
    if (match) {
        const ms = DURATION_UNITS.reduce((sum, [, size], i) => sum + Number(match[i + 1] ?? 0) * size, 0);
        return finite(ms, text);
    }
    const example = 'like 30s, 30m, 12h, 2d, 1h30m or 500ms';
    if (text.trim().startsWith('-'))
        return fail(`a duration cannot be negative: ${quoted(text)}`);
    if (SIGNED.test(text))
        return fail(`${quoted(text)} needs a unit (d, h, m, s or ms), ${example}`);
    if (/\s/.test(text))
        return fail(`${quoted(text)} is not a duration: write it without spaces, ${example}`);
    return fail(`${quoted(text)} is not a duration: write numbers with units (d, h, m, s, ms), largest first, ${example}`);
}
/** `5%` -> 0.05, `0.5%` -> 0.005. Reads a sign, so callers can explain why a negative is wrong. */
function parsePercent(text) {
    const match = PERCENT.exec(text);
    if (!match?.[1])
        return fail(`${quoted(text)} is not a percentage: write a number and %, like 5% or 0.5%`);
    return finite(hundredth(match[1]), text);
}
/** Percentage points, for differences of rates: `0.5pp` -> 0.005. */
function parsePoints(text) {
    const match = POINTS.exec(text);
    if (!match?.[1])
        return fail(`${quoted(text)} is not in percentage points: write a number and pp, like 0.5pp`);
    return finite(hundredth(match[1]), text);
}
/** A plain decimal number written as text: `0.02`, `-3`, `15`. */
function parseNumber(text) {
    if (!SIGNED.test(text))
        return fail(`${quoted(text)} is not a number: write digits, like 0.02 or 15`);
    return finite(Number(text), text);
}
/** `5%`, `0.5pp`, `0.02` (as text) -> an Amount. */
function parseAmount(text) {
    const unit = text.endsWith('%') ? '%' : text.endsWith('pp') ? 'pp' : '';
    const parsed = unit === '%' ? parsePercent(text) : unit === 'pp' ? parsePoints(text) : parseNumber(text);
    if (parsed.ok)
        return ok({ value: parsed.value, unit });
    return fail(`${quoted(text)} is not an amount: write a percentage (5%), percentage points (0.5pp) or a number (0.02)`);
}
/** Milliseconds -> the shortest duration text that parses back to it (`5400000` -> `1h30m`). */
function formatDuration(ms) {
    if (ms === 0)
        return '0s';
    let rest = ms;
    let text = '';
    for (const [unit, size] of DURATION_UNITS) {
        const whole = unit === 'ms' ? rest : Math.floor(rest / size);
        if (whole > 0)
            text += `${whole}${unit}`;
        rest -= whole * size;
    }
    return text;
}

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
        const { min = 0, max = Infinity } = bounds;
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

/**
 * The rollout policy schema (DESIGN.md, "Policy"), written once in the DSL of ./dsl.ts: it is the
 * validator (with defaults and cross-field rules) and, through policyJsonSchema(), the JSON Schema
 * that editors use. Cross-field rules (in `refine`) are the only part the JSON Schema cannot express.
 */
const SECOND = 1000;
const DAY = 86_400_000;
const name = str('Stable id of the rollout: the state key and the PR comment marker.', {
    regex: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
    hint: 'start with a letter or digit, then up to 63 letters, digits, `.`, `_` or `-`'
});
const steps = refine(list('Canary share of traffic at each step, percent, strictly increasing, in (0, 100].', num$1('Canary share of traffic, percent.', { exclusiveMin: 0, max: 100 }), 1), (values, path, issues) => {
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
    minSamples: withDefault(num$1('Requests per arm, per step, before any verdict.', { integer: true, min: 1 }), 300),
    warmup: withDefault(duration('Excluded from the window at each step start.'), '5m')
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
    field: withDefault(str('The record field holding the arm.'), 'arm'),
    baseline: required(armValues('baseline')),
    canary: required(armValues('canary')),
    unit: optional(str('The randomisation unit field (user or session); default: `unit` and its aliases.'))
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
    })
});
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
    mode: withDefault(choice('gate: a fail rolls back, an inconclusive holds; hold: a fail only holds; report: shown, never decides.', ['gate', 'hold', 'report']), 'gate')
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
        mode: m.mode,
        path: formatPath(path)
    };
}
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
const usdPerMillion = (what) => num$1(`USD per 1M ${what}.`, { min: 0 });
const pricing = record('Prices by model id as it appears in records, USD per 1M tokens.', obj('Prices of one model, USD per 1M tokens.', {
    input: required(usdPerMillion('input tokens that are neither cache reads nor cache writes')),
    output: required(usdPerMillion('output tokens')),
    cacheRead: optional(usdPerMillion('cached input tokens read; default: input')),
    cacheWrite: optional(usdPerMillion('input tokens written to the cache; default: input'))
}));
const policySchema = obj('A rollout policy for ai-rollout-gate.', {
    version: required(version),
    rollout: required(rollout),
    arms: required(arms),
    source: required(source),
    confidence: withDefault(num$1('Family-wise confidence over the gating metrics.', { exclusiveMin: 0.5, exclusiveMax: 1 }), 0.95),
    metrics: required(metrics),
    segments: optional(segments),
    pricing: withDefault(pricing, {}),
    dataQuality: withDefault(obj('Limits on bad input data.', {
        maxMalformed: withDefault(fraction('Share of malformed lines above which promotion is blocked.'), '1%')
    }), {}),
    trafficSplit: withDefault(obj('The sequential sample-ratio test of the traffic split.', {
        alpha: withDefault(num$1('Type-I error of the test.', { exclusiveMin: 0, exclusiveMax: 0.5 }), 0.001)
    }), {}),
    bucket: withDefault(duration('Width of the time buckets the evidence is kept in, from 10s to 1d.', {
        min: 10 * SECOND,
        max: DAY
    }), '5m'),
    models: optional(obj('The model ids (as records give them) each arm is expected to be served by; requests served by any other model (a gateway fallback, an alias resolving to a new snapshot) are named in the report.', {
        baseline: optional(oneOrMany('Expected baseline model id(s).', str('A model id as records give it.'))),
        canary: optional(oneOrMany('Expected canary model id(s).', str('A model id as records give it.')))
    }))
});

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

//#region rolldown:runtime
var __require = /* @__PURE__ */ createRequire(import.meta.url);

//#endregion
//#region src/utils.ts
function cleanPath(path) {
	let normalized = normalize(path);
	if (normalized.length > 1 && normalized[normalized.length - 1] === sep) normalized = normalized.substring(0, normalized.length - 1);
	return normalized;
}
const SLASHES_REGEX = /[\\/]/g;
function convertSlashes(path, separator) {
	return path.replace(SLASHES_REGEX, separator);
}
const WINDOWS_ROOT_DIR_REGEX = /^[a-z]:[\\/]$/i;
function isRootDirectory(path) {
	return path === "/" || WINDOWS_ROOT_DIR_REGEX.test(path);
}
function normalizePath(path, options) {
	const { resolvePaths, normalizePath: normalizePath$1, pathSeparator } = options;
	const pathNeedsCleaning = process.platform === "win32" && path.includes("/") || path.startsWith(".");
	if (resolvePaths) path = resolve(path);
	if (normalizePath$1 || pathNeedsCleaning) path = cleanPath(path);
	if (path === ".") return "";
	const needsSeperator = path[path.length - 1] !== pathSeparator;
	return convertSlashes(needsSeperator ? path + pathSeparator : path, pathSeparator);
}

//#endregion
//#region src/api/functions/join-path.ts
function joinPathWithBasePath(filename, directoryPath) {
	return directoryPath + filename;
}
function joinPathWithRelativePath(root, options) {
	return function(filename, directoryPath) {
		const sameRoot = directoryPath.startsWith(root);
		if (sameRoot) return directoryPath.slice(root.length) + filename;
		else return convertSlashes(relative(root, directoryPath), options.pathSeparator) + options.pathSeparator + filename;
	};
}
function joinPath(filename) {
	return filename;
}
function joinDirectoryPath(filename, directoryPath, separator) {
	return directoryPath + filename + separator;
}
function build$7(root, options) {
	const { relativePaths, includeBasePath } = options;
	return relativePaths && root ? joinPathWithRelativePath(root, options) : includeBasePath ? joinPathWithBasePath : joinPath;
}

//#endregion
//#region src/api/functions/push-directory.ts
function pushDirectoryWithRelativePath(root) {
	return function(directoryPath, paths) {
		paths.push(directoryPath.substring(root.length) || ".");
	};
}
function pushDirectoryFilterWithRelativePath(root) {
	return function(directoryPath, paths, filters) {
		const relativePath = directoryPath.substring(root.length) || ".";
		if (filters.every((filter) => filter(relativePath, true))) paths.push(relativePath);
	};
}
const pushDirectory = (directoryPath, paths) => {
	paths.push(directoryPath || ".");
};
const pushDirectoryFilter = (directoryPath, paths, filters) => {
	const path = directoryPath || ".";
	if (filters.every((filter) => filter(path, true))) paths.push(path);
};
const empty$2 = () => {};
function build$6(root, options) {
	const { includeDirs, filters, relativePaths } = options;
	if (!includeDirs) return empty$2;
	if (relativePaths) return filters && filters.length ? pushDirectoryFilterWithRelativePath(root) : pushDirectoryWithRelativePath(root);
	return filters && filters.length ? pushDirectoryFilter : pushDirectory;
}

//#endregion
//#region src/api/functions/push-file.ts
const pushFileFilterAndCount = (filename, _paths, counts, filters) => {
	if (filters.every((filter) => filter(filename, false))) counts.files++;
};
const pushFileFilter = (filename, paths, _counts, filters) => {
	if (filters.every((filter) => filter(filename, false))) paths.push(filename);
};
const pushFileCount = (_filename, _paths, counts, _filters) => {
	counts.files++;
};
const pushFile = (filename, paths) => {
	paths.push(filename);
};
const empty$1 = () => {};
function build$5(options) {
	const { excludeFiles, filters, onlyCounts } = options;
	if (excludeFiles) return empty$1;
	if (filters && filters.length) return onlyCounts ? pushFileFilterAndCount : pushFileFilter;
	else if (onlyCounts) return pushFileCount;
	else return pushFile;
}

//#endregion
//#region src/api/functions/get-array.ts
const getArray = (paths) => {
	return paths;
};
const getArrayGroup = () => {
	return [""].slice(0, 0);
};
function build$4(options) {
	return options.group ? getArrayGroup : getArray;
}

//#endregion
//#region src/api/functions/group-files.ts
const groupFiles = (groups, directory, files) => {
	groups.push({
		directory,
		files,
		dir: directory
	});
};
const empty = () => {};
function build$3(options) {
	return options.group ? groupFiles : empty;
}

//#endregion
//#region src/api/functions/resolve-symlink.ts
const resolveSymlinksAsync = function(path, state, callback$1) {
	const { queue, fs, options: { suppressErrors } } = state;
	queue.enqueue();
	fs.realpath(path, (error, resolvedPath) => {
		if (error) return queue.dequeue(suppressErrors ? null : error, state);
		fs.stat(resolvedPath, (error$1, stat) => {
			if (error$1) return queue.dequeue(suppressErrors ? null : error$1, state);
			if (stat.isDirectory() && isRecursive(path, resolvedPath, state)) return queue.dequeue(null, state);
			callback$1(stat, resolvedPath);
			queue.dequeue(null, state);
		});
	});
};
const resolveSymlinks = function(path, state, callback$1) {
	const { queue, fs, options: { suppressErrors } } = state;
	queue.enqueue();
	try {
		const resolvedPath = fs.realpathSync(path);
		const stat = fs.statSync(resolvedPath);
		if (stat.isDirectory() && isRecursive(path, resolvedPath, state)) return;
		callback$1(stat, resolvedPath);
	} catch (e) {
		if (!suppressErrors) throw e;
	}
};
function build$2(options, isSynchronous) {
	if (!options.resolveSymlinks || options.excludeSymlinks) return null;
	return isSynchronous ? resolveSymlinks : resolveSymlinksAsync;
}
function isRecursive(path, resolved, state) {
	if (state.options.useRealPaths) return isRecursiveUsingRealPaths(resolved, state);
	let parent = dirname(path);
	let depth = 1;
	while (parent !== state.root && depth < 2) {
		const resolvedPath = state.symlinks.get(parent);
		const isSameRoot = !!resolvedPath && (resolvedPath === resolved || resolvedPath.startsWith(resolved) || resolved.startsWith(resolvedPath));
		if (isSameRoot) depth++;
		else parent = dirname(parent);
	}
	state.symlinks.set(path, resolved);
	return depth > 1;
}
function isRecursiveUsingRealPaths(resolved, state) {
	return state.visited.includes(resolved + state.options.pathSeparator);
}

//#endregion
//#region src/api/functions/invoke-callback.ts
const onlyCountsSync = (state) => {
	return state.counts;
};
const groupsSync = (state) => {
	return state.groups;
};
const defaultSync = (state) => {
	return state.paths;
};
const limitFilesSync = (state) => {
	return state.paths.slice(0, state.options.maxFiles);
};
const onlyCountsAsync = (state, error, callback$1) => {
	report(error, callback$1, state.counts, state.options.suppressErrors);
	return null;
};
const defaultAsync = (state, error, callback$1) => {
	report(error, callback$1, state.paths, state.options.suppressErrors);
	return null;
};
const limitFilesAsync = (state, error, callback$1) => {
	report(error, callback$1, state.paths.slice(0, state.options.maxFiles), state.options.suppressErrors);
	return null;
};
const groupsAsync = (state, error, callback$1) => {
	report(error, callback$1, state.groups, state.options.suppressErrors);
	return null;
};
function report(error, callback$1, output, suppressErrors) {
	if (error && !suppressErrors) callback$1(error, output);
	else callback$1(null, output);
}
function build$1(options, isSynchronous) {
	const { onlyCounts, group, maxFiles } = options;
	if (onlyCounts) return isSynchronous ? onlyCountsSync : onlyCountsAsync;
	else if (group) return isSynchronous ? groupsSync : groupsAsync;
	else if (maxFiles) return isSynchronous ? limitFilesSync : limitFilesAsync;
	else return isSynchronous ? defaultSync : defaultAsync;
}

//#endregion
//#region src/api/functions/walk-directory.ts
const readdirOpts = { withFileTypes: true };
const walkAsync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
	state.queue.enqueue();
	if (currentDepth < 0) return state.queue.dequeue(null, state);
	const { fs } = state;
	state.visited.push(crawlPath);
	state.counts.directories++;
	fs.readdir(crawlPath || ".", readdirOpts, (error, entries = []) => {
		callback$1(entries, directoryPath, currentDepth);
		state.queue.dequeue(state.options.suppressErrors ? null : error, state);
	});
};
const walkSync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
	const { fs } = state;
	if (currentDepth < 0) return;
	state.visited.push(crawlPath);
	state.counts.directories++;
	let entries = [];
	try {
		entries = fs.readdirSync(crawlPath || ".", readdirOpts);
	} catch (e) {
		if (!state.options.suppressErrors) throw e;
	}
	callback$1(entries, directoryPath, currentDepth);
};
function build(isSynchronous) {
	return isSynchronous ? walkSync : walkAsync;
}

//#endregion
//#region src/api/queue.ts
/**
* This is a custom stateless queue to track concurrent async fs calls.
* It increments a counter whenever a call is queued and decrements it
* as soon as it completes. When the counter hits 0, it calls onQueueEmpty.
*/
var Queue = class {
	count = 0;
	constructor(onQueueEmpty) {
		this.onQueueEmpty = onQueueEmpty;
	}
	enqueue() {
		this.count++;
		return this.count;
	}
	dequeue(error, output) {
		if (this.onQueueEmpty && (--this.count <= 0 || error)) {
			this.onQueueEmpty(error, output);
			if (error) {
				output.controller.abort();
				this.onQueueEmpty = void 0;
			}
		}
	}
};

//#endregion
//#region src/api/counter.ts
var Counter = class {
	_files = 0;
	_directories = 0;
	set files(num) {
		this._files = num;
	}
	get files() {
		return this._files;
	}
	set directories(num) {
		this._directories = num;
	}
	get directories() {
		return this._directories;
	}
	/**
	* @deprecated use `directories` instead
	*/
	/* c8 ignore next 3 */
	get dirs() {
		return this._directories;
	}
};

//#endregion
//#region src/api/aborter.ts
/**
* AbortController is not supported on Node 14 so we use this until we can drop
* support for Node 14.
*/
var Aborter = class {
	aborted = false;
	abort() {
		this.aborted = true;
	}
};

//#endregion
//#region src/api/walker.ts
var Walker = class {
	root;
	isSynchronous;
	state;
	joinPath;
	pushDirectory;
	pushFile;
	getArray;
	groupFiles;
	resolveSymlink;
	walkDirectory;
	callbackInvoker;
	constructor(root, options, callback$1) {
		this.isSynchronous = !callback$1;
		this.callbackInvoker = build$1(options, this.isSynchronous);
		this.root = normalizePath(root, options);
		this.state = {
			root: isRootDirectory(this.root) ? this.root : this.root.slice(0, -1),
			paths: [""].slice(0, 0),
			groups: [],
			counts: new Counter(),
			options,
			queue: new Queue((error, state) => this.callbackInvoker(state, error, callback$1)),
			symlinks: /* @__PURE__ */ new Map(),
			visited: [""].slice(0, 0),
			controller: new Aborter(),
			fs: options.fs || nativeFs
		};
		this.joinPath = build$7(this.root, options);
		this.pushDirectory = build$6(this.root, options);
		this.pushFile = build$5(options);
		this.getArray = build$4(options);
		this.groupFiles = build$3(options);
		this.resolveSymlink = build$2(options, this.isSynchronous);
		this.walkDirectory = build(this.isSynchronous);
	}
	start() {
		this.pushDirectory(this.root, this.state.paths, this.state.options.filters);
		this.walkDirectory(this.state, this.root, this.root, this.state.options.maxDepth, this.walk);
		return this.isSynchronous ? this.callbackInvoker(this.state, null) : null;
	}
	walk = (entries, directoryPath, depth) => {
		const { paths, options: { filters, resolveSymlinks: resolveSymlinks$1, excludeSymlinks, exclude, maxFiles, signal, useRealPaths, pathSeparator }, controller } = this.state;
		if (controller.aborted || signal && signal.aborted || maxFiles && paths.length > maxFiles) return;
		const files = this.getArray(this.state.paths);
		for (let i = 0; i < entries.length; ++i) {
			const entry = entries[i];
			if (entry.isFile() || entry.isSymbolicLink() && !resolveSymlinks$1 && !excludeSymlinks) {
				const filename = this.joinPath(entry.name, directoryPath);
				this.pushFile(filename, files, this.state.counts, filters);
			} else if (entry.isDirectory()) {
				let path = joinDirectoryPath(entry.name, directoryPath, this.state.options.pathSeparator);
				if (exclude && exclude(entry.name, path)) continue;
				this.pushDirectory(path, paths, filters);
				this.walkDirectory(this.state, path, path, depth - 1, this.walk);
			} else if (this.resolveSymlink && entry.isSymbolicLink()) {
				let path = joinPathWithBasePath(entry.name, directoryPath);
				this.resolveSymlink(path, this.state, (stat, resolvedPath) => {
					if (stat.isDirectory()) {
						resolvedPath = normalizePath(resolvedPath, this.state.options);
						if (exclude && exclude(entry.name, useRealPaths ? resolvedPath : path + pathSeparator)) return;
						this.walkDirectory(this.state, resolvedPath, useRealPaths ? resolvedPath : path + pathSeparator, depth - 1, this.walk);
					} else {
						resolvedPath = useRealPaths ? resolvedPath : path;
						const filename = basename(resolvedPath);
						const directoryPath$1 = normalizePath(dirname(resolvedPath), this.state.options);
						resolvedPath = this.joinPath(filename, directoryPath$1);
						this.pushFile(resolvedPath, files, this.state.counts, filters);
					}
				});
			}
		}
		this.groupFiles(this.state.groups, directoryPath, files);
	};
};

//#endregion
//#region src/api/async.ts
function promise(root, options) {
	return new Promise((resolve$1, reject) => {
		callback(root, options, (err, output) => {
			if (err) return reject(err);
			resolve$1(output);
		});
	});
}
function callback(root, options, callback$1) {
	let walker = new Walker(root, options, callback$1);
	walker.start();
}

//#endregion
//#region src/api/sync.ts
function sync(root, options) {
	const walker = new Walker(root, options);
	return walker.start();
}

//#endregion
//#region src/builder/api-builder.ts
var APIBuilder = class {
	constructor(root, options) {
		this.root = root;
		this.options = options;
	}
	withPromise() {
		return promise(this.root, this.options);
	}
	withCallback(cb) {
		callback(this.root, this.options, cb);
	}
	sync() {
		return sync(this.root, this.options);
	}
};

//#endregion
//#region src/builder/index.ts
let pm = null;
/* c8 ignore next 6 */
try {
	__require.resolve("picomatch");
	pm = __require("picomatch");
} catch {}
var Builder = class {
	globCache = {};
	options = {
		maxDepth: Infinity,
		suppressErrors: true,
		pathSeparator: sep,
		filters: []
	};
	globFunction;
	constructor(options) {
		this.options = {
			...this.options,
			...options
		};
		this.globFunction = this.options.globFunction;
	}
	group() {
		this.options.group = true;
		return this;
	}
	withPathSeparator(separator) {
		this.options.pathSeparator = separator;
		return this;
	}
	withBasePath() {
		this.options.includeBasePath = true;
		return this;
	}
	withRelativePaths() {
		this.options.relativePaths = true;
		return this;
	}
	withDirs() {
		this.options.includeDirs = true;
		return this;
	}
	withMaxDepth(depth) {
		this.options.maxDepth = depth;
		return this;
	}
	withMaxFiles(limit) {
		this.options.maxFiles = limit;
		return this;
	}
	withFullPaths() {
		this.options.resolvePaths = true;
		this.options.includeBasePath = true;
		return this;
	}
	withErrors() {
		this.options.suppressErrors = false;
		return this;
	}
	withSymlinks({ resolvePaths = true } = {}) {
		this.options.resolveSymlinks = true;
		this.options.useRealPaths = resolvePaths;
		return this.withFullPaths();
	}
	withAbortSignal(signal) {
		this.options.signal = signal;
		return this;
	}
	normalize() {
		this.options.normalizePath = true;
		return this;
	}
	filter(predicate) {
		this.options.filters.push(predicate);
		return this;
	}
	onlyDirs() {
		this.options.excludeFiles = true;
		this.options.includeDirs = true;
		return this;
	}
	exclude(predicate) {
		this.options.exclude = predicate;
		return this;
	}
	onlyCounts() {
		this.options.onlyCounts = true;
		return this;
	}
	crawl(root) {
		return new APIBuilder(root || ".", this.options);
	}
	withGlobFunction(fn) {
		this.globFunction = fn;
		return this;
	}
	/**
	* @deprecated Pass options using the constructor instead:
	* ```ts
	* new fdir(options).crawl("/path/to/root");
	* ```
	* This method will be removed in v7.0
	*/
	/* c8 ignore next 4 */
	crawlWithOptions(root, options) {
		this.options = {
			...this.options,
			...options
		};
		return new APIBuilder(root || ".", this.options);
	}
	glob(...patterns) {
		if (this.globFunction) return this.globWithOptions(patterns);
		return this.globWithOptions(patterns, ...[{ dot: true }]);
	}
	globWithOptions(patterns, ...options) {
		const globFn = this.globFunction || pm;
		/* c8 ignore next 5 */
		if (!globFn) throw new Error("Please specify a glob function to use glob matching.");
		var isMatch = this.globCache[patterns.join("\0")];
		if (!isMatch) {
			isMatch = globFn(patterns, ...options);
			this.globCache[patterns.join("\0")] = isMatch;
		}
		this.options.filters.push((path) => isMatch(path));
		return this;
	}
};

var utils = {};

var constants;
var hasRequiredConstants;

function requireConstants () {
	if (hasRequiredConstants) return constants;
	hasRequiredConstants = 1;

	const WIN_SLASH = '\\\\/';
	const WIN_NO_SLASH = `[^${WIN_SLASH}]`;

	const DEFAULT_MAX_EXTGLOB_RECURSION = 0;

	/**
	 * Posix glob regex
	 */

	const DOT_LITERAL = '\\.';
	const PLUS_LITERAL = '\\+';
	const QMARK_LITERAL = '\\?';
	const SLASH_LITERAL = '\\/';
	const ONE_CHAR = '(?=.)';
	const QMARK = '[^/]';
	const END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
	const START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
	const DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
	const NO_DOT = `(?!${DOT_LITERAL})`;
	const NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
	const NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
	const NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
	const QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
	const STAR = `${QMARK}*?`;
	const SEP = '/';

	const POSIX_CHARS = {
	  DOT_LITERAL,
	  PLUS_LITERAL,
	  QMARK_LITERAL,
	  SLASH_LITERAL,
	  ONE_CHAR,
	  QMARK,
	  END_ANCHOR,
	  DOTS_SLASH,
	  NO_DOT,
	  NO_DOTS,
	  NO_DOT_SLASH,
	  NO_DOTS_SLASH,
	  QMARK_NO_DOT,
	  STAR,
	  START_ANCHOR,
	  SEP
	};

	/**
	 * Windows glob regex
	 */

	const WINDOWS_CHARS = {
	  ...POSIX_CHARS,

	  SLASH_LITERAL: `[${WIN_SLASH}]`,
	  QMARK: WIN_NO_SLASH,
	  STAR: `${WIN_NO_SLASH}*?`,
	  DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
	  NO_DOT: `(?!${DOT_LITERAL})`,
	  NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
	  NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
	  NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
	  QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
	  START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
	  END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
	  SEP: '\\'
	};

	/**
	 * POSIX Bracket Regex
	 */

	const POSIX_REGEX_SOURCE = {
	  __proto__: null,
	  alnum: 'a-zA-Z0-9',
	  alpha: 'a-zA-Z',
	  ascii: '\\x00-\\x7F',
	  blank: ' \\t',
	  cntrl: '\\x00-\\x1F\\x7F',
	  digit: '0-9',
	  graph: '\\x21-\\x7E',
	  lower: 'a-z',
	  print: '\\x20-\\x7E ',
	  punct: '\\-!"#$%&\'()\\*+,./:;<=>?@[\\]^_`{|}~',
	  space: ' \\t\\r\\n\\v\\f',
	  upper: 'A-Z',
	  word: 'A-Za-z0-9_',
	  xdigit: 'A-Fa-f0-9'
	};

	constants = {
	  DEFAULT_MAX_EXTGLOB_RECURSION,
	  MAX_LENGTH: 1024 * 64,
	  POSIX_REGEX_SOURCE,

	  // regular expressions
	  REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
	  REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
	  REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
	  REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
	  REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
	  REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,

	  // Replace globs with equivalent patterns to reduce parsing time.
	  REPLACEMENTS: {
	    __proto__: null,
	    '***': '*',
	    '**/**': '**',
	    '**/**/**': '**'
	  },

	  // Digits
	  CHAR_0: 48, /* 0 */
	  CHAR_9: 57, /* 9 */

	  // Alphabet chars.
	  CHAR_UPPERCASE_A: 65, /* A */
	  CHAR_LOWERCASE_A: 97, /* a */
	  CHAR_UPPERCASE_Z: 90, /* Z */
	  CHAR_LOWERCASE_Z: 122, /* z */

	  CHAR_LEFT_PARENTHESES: 40, /* ( */
	  CHAR_RIGHT_PARENTHESES: 41, /* ) */

	  CHAR_ASTERISK: 42, /* * */

	  // Non-alphabetic chars.
	  CHAR_AMPERSAND: 38, /* & */
	  CHAR_AT: 64, /* @ */
	  CHAR_BACKWARD_SLASH: 92, /* \ */
	  CHAR_CARRIAGE_RETURN: 13, /* \r */
	  CHAR_CIRCUMFLEX_ACCENT: 94, /* ^ */
	  CHAR_COLON: 58, /* : */
	  CHAR_COMMA: 44, /* , */
	  CHAR_DOT: 46, /* . */
	  CHAR_DOUBLE_QUOTE: 34, /* " */
	  CHAR_EQUAL: 61, /* = */
	  CHAR_EXCLAMATION_MARK: 33, /* ! */
	  CHAR_FORM_FEED: 12, /* \f */
	  CHAR_FORWARD_SLASH: 47, /* / */
	  CHAR_GRAVE_ACCENT: 96, /* ` */
	  CHAR_HASH: 35, /* # */
	  CHAR_HYPHEN_MINUS: 45, /* - */
	  CHAR_LEFT_ANGLE_BRACKET: 60, /* < */
	  CHAR_LEFT_CURLY_BRACE: 123, /* { */
	  CHAR_LEFT_SQUARE_BRACKET: 91, /* [ */
	  CHAR_LINE_FEED: 10, /* \n */
	  CHAR_NO_BREAK_SPACE: 160, /* \u00A0 */
	  CHAR_PERCENT: 37, /* % */
	  CHAR_PLUS: 43, /* + */
	  CHAR_QUESTION_MARK: 63, /* ? */
	  CHAR_RIGHT_ANGLE_BRACKET: 62, /* > */
	  CHAR_RIGHT_CURLY_BRACE: 125, /* } */
	  CHAR_RIGHT_SQUARE_BRACKET: 93, /* ] */
	  CHAR_SEMICOLON: 59, /* ; */
	  CHAR_SINGLE_QUOTE: 39, /* ' */
	  CHAR_SPACE: 32, /*   */
	  CHAR_TAB: 9, /* \t */
	  CHAR_UNDERSCORE: 95, /* _ */
	  CHAR_VERTICAL_LINE: 124, /* | */
	  CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279, /* \uFEFF */

	  /**
	   * Create EXTGLOB_CHARS
	   */

	  extglobChars(chars) {
	    return {
	      '!': { type: 'negate', open: '(?:(?!(?:', close: `))${chars.STAR})` },
	      '?': { type: 'qmark', open: '(?:', close: ')?' },
	      '+': { type: 'plus', open: '(?:', close: ')+' },
	      '*': { type: 'star', open: '(?:', close: ')*' },
	      '@': { type: 'at', open: '(?:', close: ')' }
	    };
	  },

	  /**
	   * Create GLOB_CHARS
	   */

	  globChars(win32) {
	    return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
	  }
	};
	return constants;
}

/*global navigator*/

var hasRequiredUtils;

function requireUtils () {
	if (hasRequiredUtils) return utils;
	hasRequiredUtils = 1;
	(function (exports) {

		const {
		  REGEX_BACKSLASH,
		  REGEX_REMOVE_BACKSLASH,
		  REGEX_SPECIAL_CHARS,
		  REGEX_SPECIAL_CHARS_GLOBAL
		} = /*@__PURE__*/ requireConstants();

		exports.isObject = val => val !== null && typeof val === 'object' && !Array.isArray(val);
		exports.hasRegexChars = str => REGEX_SPECIAL_CHARS.test(str);
		exports.isRegexChar = str => str.length === 1 && exports.hasRegexChars(str);
		exports.escapeRegex = str => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, '\\$1');
		exports.toPosixSlashes = str => str.replace(REGEX_BACKSLASH, '/');

		exports.isWindows = () => {
		  if (typeof navigator !== 'undefined' && navigator.platform) {
		    const platform = navigator.platform.toLowerCase();
		    return platform === 'win32' || platform === 'windows';
		  }

		  if (typeof process !== 'undefined' && process.platform) {
		    return process.platform === 'win32';
		  }

		  return false;
		};

		exports.removeBackslashes = str => {
		  return str.replace(REGEX_REMOVE_BACKSLASH, match => {
		    return match === '\\' ? '' : match;
		  });
		};

		exports.escapeLast = (input, char, lastIdx) => {
		  const idx = input.lastIndexOf(char, lastIdx);
		  if (idx === -1) return input;
		  if (input[idx - 1] === '\\') return exports.escapeLast(input, char, idx - 1);
		  return `${input.slice(0, idx)}\\${input.slice(idx)}`;
		};

		exports.removePrefix = (input, state = {}) => {
		  let output = input;
		  if (output.startsWith('./')) {
		    output = output.slice(2);
		    state.prefix = './';
		  }
		  return output;
		};

		exports.wrapOutput = (input, state = {}, options = {}) => {
		  const prepend = options.contains ? '' : '^';
		  const append = options.contains ? '' : '$';

		  let output = `${prepend}(?:${input})${append}`;
		  if (state.negated === true) {
		    output = `(?:^(?!${output}).*$)`;
		  }
		  return output;
		};

		exports.basename = (path, { windows } = {}) => {
		  const segs = path.split(windows ? /[\\/]/ : '/');
		  const last = segs[segs.length - 1];

		  if (last === '') {
		    return segs[segs.length - 2];
		  }

		  return last;
		}; 
	} (utils));
	return utils;
}

var scan_1;
var hasRequiredScan;

function requireScan () {
	if (hasRequiredScan) return scan_1;
	hasRequiredScan = 1;

	const utils = /*@__PURE__*/ requireUtils();
	const {
	  CHAR_ASTERISK,             /* * */
	  CHAR_AT,                   /* @ */
	  CHAR_BACKWARD_SLASH,       /* \ */
	  CHAR_COMMA,                /* , */
	  CHAR_DOT,                  /* . */
	  CHAR_EXCLAMATION_MARK,     /* ! */
	  CHAR_FORWARD_SLASH,        /* / */
	  CHAR_LEFT_CURLY_BRACE,     /* { */
	  CHAR_LEFT_PARENTHESES,     /* ( */
	  CHAR_LEFT_SQUARE_BRACKET,  /* [ */
	  CHAR_PLUS,                 /* + */
	  CHAR_QUESTION_MARK,        /* ? */
	  CHAR_RIGHT_CURLY_BRACE,    /* } */
	  CHAR_RIGHT_PARENTHESES,    /* ) */
	  CHAR_RIGHT_SQUARE_BRACKET  /* ] */
	} = /*@__PURE__*/ requireConstants();

	const isPathSeparator = code => {
	  return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
	};

	const depth = token => {
	  if (token.isPrefix !== true) {
	    token.depth = token.isGlobstar ? Infinity : 1;
	  }
	};

	/**
	 * Quickly scans a glob pattern and returns an object with a handful of
	 * useful properties, like `isGlob`, `path` (the leading non-glob, if it exists),
	 * `glob` (the actual pattern), `negated` (true if the path starts with `!` but not
	 * with `!(`) and `negatedExtglob` (true if the path starts with `!(`).
	 *
	 * ```js
	 * const pm = require('picomatch');
	 * console.log(pm.scan('foo/bar/*.js'));
	 * { isGlob: true, input: 'foo/bar/*.js', base: 'foo/bar', glob: '*.js' }
	 * ```
	 * @param {String} `str`
	 * @param {Object} `options`
	 * @return {Object} Returns an object with tokens and regex source string.
	 * @api public
	 */

	const scan = (input, options) => {
	  const opts = options || {};

	  const length = input.length - 1;
	  const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
	  const slashes = [];
	  const tokens = [];
	  const parts = [];

	  let str = input;
	  let index = -1;
	  let start = 0;
	  let lastIndex = 0;
	  let isBrace = false;
	  let isBracket = false;
	  let isGlob = false;
	  let isExtglob = false;
	  let isGlobstar = false;
	  let braceEscaped = false;
	  let backslashes = false;
	  let negated = false;
	  let negatedExtglob = false;
	  let finished = false;
	  let braces = 0;
	  let prev;
	  let code;
	  let token = { value: '', depth: 0, isGlob: false };

	  const eos = () => index >= length;
	  const peek = () => str.charCodeAt(index + 1);
	  const advance = () => {
	    prev = code;
	    return str.charCodeAt(++index);
	  };

	  while (index < length) {
	    code = advance();
	    let next;

	    if (code === CHAR_BACKWARD_SLASH) {
	      backslashes = token.backslashes = true;
	      code = advance();

	      if (code === CHAR_LEFT_CURLY_BRACE) {
	        braceEscaped = true;
	      }
	      continue;
	    }

	    if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
	      braces++;

	      while (eos() !== true && (code = advance())) {
	        if (code === CHAR_BACKWARD_SLASH) {
	          backslashes = token.backslashes = true;
	          advance();
	          continue;
	        }

	        if (code === CHAR_LEFT_CURLY_BRACE) {
	          braces++;
	          continue;
	        }

	        if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
	          isBrace = token.isBrace = true;
	          isGlob = token.isGlob = true;
	          finished = true;

	          if (scanToEnd === true) {
	            continue;
	          }

	          break;
	        }

	        if (braceEscaped !== true && code === CHAR_COMMA) {
	          isBrace = token.isBrace = true;
	          isGlob = token.isGlob = true;
	          finished = true;

	          if (scanToEnd === true) {
	            continue;
	          }

	          break;
	        }

	        if (code === CHAR_RIGHT_CURLY_BRACE) {
	          braces--;

	          if (braces === 0) {
	            braceEscaped = false;
	            isBrace = token.isBrace = true;
	            finished = true;
	            break;
	          }
	        }
	      }

	      if (scanToEnd === true) {
	        continue;
	      }

	      break;
	    }

	    if (code === CHAR_FORWARD_SLASH) {
	      slashes.push(index);
	      tokens.push(token);
	      token = { value: '', depth: 0, isGlob: false };

	      if (finished === true) continue;
	      if (prev === CHAR_DOT && index === (start + 1)) {
	        start += 2;
	        continue;
	      }

	      lastIndex = index + 1;
	      continue;
	    }

	    if (opts.noext !== true) {
	      const isExtglobChar = code === CHAR_PLUS
	        || code === CHAR_AT
	        || code === CHAR_ASTERISK
	        || code === CHAR_QUESTION_MARK
	        || code === CHAR_EXCLAMATION_MARK;

	      if (isExtglobChar === true && peek() === CHAR_LEFT_PARENTHESES) {
	        isGlob = token.isGlob = true;
	        isExtglob = token.isExtglob = true;
	        finished = true;
	        if (code === CHAR_EXCLAMATION_MARK && index === start) {
	          negatedExtglob = true;
	        }

	        if (scanToEnd === true) {
	          let parens = 0;

	          while (eos() !== true && (code = advance())) {
	            if (code === CHAR_BACKWARD_SLASH) {
	              backslashes = token.backslashes = true;
	              advance();
	              continue;
	            }

	            if (code === CHAR_LEFT_PARENTHESES) {
	              parens++;
	              continue;
	            }

	            if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
	              finished = true;
	              break;
	            }
	          }
	          continue;
	        }
	        break;
	      }
	    }

	    if (code === CHAR_ASTERISK) {
	      if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
	      isGlob = token.isGlob = true;
	      finished = true;

	      if (scanToEnd === true) {
	        continue;
	      }
	      break;
	    }

	    if (code === CHAR_QUESTION_MARK) {
	      isGlob = token.isGlob = true;
	      finished = true;

	      if (scanToEnd === true) {
	        continue;
	      }
	      break;
	    }

	    if (code === CHAR_LEFT_SQUARE_BRACKET) {
	      while (eos() !== true && (next = advance())) {
	        if (next === CHAR_BACKWARD_SLASH) {
	          backslashes = token.backslashes = true;
	          advance();
	          continue;
	        }

	        if (next === CHAR_RIGHT_SQUARE_BRACKET) {
	          isBracket = token.isBracket = true;
	          isGlob = token.isGlob = true;
	          finished = true;
	          break;
	        }
	      }

	      if (scanToEnd === true) {
	        continue;
	      }

	      break;
	    }

	    if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
	      negated = token.negated = true;
	      start++;
	      continue;
	    }

	    if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
	      isGlob = token.isGlob = true;

	      if (scanToEnd === true) {
	        let parens = 1;

	        while (eos() !== true && (code = advance())) {
	          if (code === CHAR_BACKWARD_SLASH) {
	            backslashes = token.backslashes = true;
	            advance();
	            continue;
	          }

	          if (code === CHAR_LEFT_PARENTHESES) {
	            parens++;
	            continue;
	          }

	          if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
	            finished = true;
	            break;
	          }
	        }
	        continue;
	      }
	      break;
	    }

	    if (isGlob === true) {
	      finished = true;

	      if (scanToEnd === true) {
	        continue;
	      }

	      break;
	    }
	  }

	  if (opts.noext === true) {
	    isExtglob = false;
	    isGlob = false;
	  }

	  let base = str;
	  let prefix = '';
	  let glob = '';

	  if (start > 0) {
	    prefix = str.slice(0, start);
	    str = str.slice(start);
	    lastIndex -= start;
	  }

	  if (base && isGlob === true && lastIndex > 0) {
	    base = str.slice(0, lastIndex);
	    glob = str.slice(lastIndex);
	  } else if (isGlob === true) {
	    base = '';
	    glob = str;
	  } else {
	    base = str;
	  }

	  if (base && base !== '' && base !== '/' && base !== str) {
	    if (isPathSeparator(base.charCodeAt(base.length - 1))) {
	      base = base.slice(0, -1);
	    }
	  }

	  if (opts.unescape === true) {
	    if (glob) glob = utils.removeBackslashes(glob);

	    if (base && backslashes === true) {
	      base = utils.removeBackslashes(base);
	    }
	  }

	  const state = {
	    prefix,
	    input,
	    start,
	    base,
	    glob,
	    isBrace,
	    isBracket,
	    isGlob,
	    isExtglob,
	    isGlobstar,
	    negated,
	    negatedExtglob
	  };

	  if (opts.tokens === true) {
	    state.maxDepth = 0;
	    if (!isPathSeparator(code)) {
	      tokens.push(token);
	    }
	    state.tokens = tokens;
	  }

	  if (opts.parts === true || opts.tokens === true) {
	    let prevIndex;

	    for (let idx = 0; idx < slashes.length; idx++) {
	      const n = prevIndex !== undefined ? prevIndex + 1 : start;
	      const i = slashes[idx];
	      const value = input.slice(n, i);
	      if (opts.tokens) {
	        if (idx === 0 && start !== 0) {
	          tokens[idx].isPrefix = true;
	          tokens[idx].value = prefix;
	        } else {
	          tokens[idx].value = value;
	        }
	        depth(tokens[idx]);
	        state.maxDepth += tokens[idx].depth;
	      }
	      if (i >= start) {
	        parts.push(value);
	        prevIndex = i;
	      }
	    }

	    const n = prevIndex !== undefined ? prevIndex + 1 : start;
	    const value = input.slice(n);
	    parts.push(value);

	    if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
	      tokens[tokens.length - 1].value = value;
	      depth(tokens[tokens.length - 1]);
	      state.maxDepth += tokens[tokens.length - 1].depth;
	    }

	    state.slashes = slashes;
	    state.parts = parts;
	  }

	  return state;
	};

	scan_1 = scan;
	return scan_1;
}

var parse_1;
var hasRequiredParse;

function requireParse () {
	if (hasRequiredParse) return parse_1;
	hasRequiredParse = 1;

	const constants = /*@__PURE__*/ requireConstants();
	const utils = /*@__PURE__*/ requireUtils();

	/**
	 * Constants
	 */

	const {
	  MAX_LENGTH,
	  POSIX_REGEX_SOURCE,
	  REGEX_NON_SPECIAL_CHARS,
	  REGEX_SPECIAL_CHARS_BACKREF,
	  REPLACEMENTS
	} = constants;

	/**
	 * Helpers
	 */

	const expandRange = (args, options) => {
	  if (typeof options.expandRange === 'function') {
	    return options.expandRange(...args, options);
	  }

	  args.sort();
	  const value = `[${args.join('-')}]`;

	  try {
	    /* eslint-disable-next-line no-new */
	    new RegExp(value);
	  } catch (ex) {
	    return args.map(v => utils.escapeRegex(v)).join('..');
	  }

	  return value;
	};

	/**
	 * Create the message for a syntax error
	 */

	const syntaxError = (type, char) => {
	  return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
	};

	const splitTopLevel = input => {
	  const parts = [];
	  let bracket = 0;
	  let paren = 0;
	  let quote = 0;
	  let value = '';
	  let escaped = false;

	  for (const ch of input) {
	    if (escaped === true) {
	      value += ch;
	      escaped = false;
	      continue;
	    }

	    if (ch === '\\') {
	      value += ch;
	      escaped = true;
	      continue;
	    }

	    if (ch === '"') {
	      quote = quote === 1 ? 0 : 1;
	      value += ch;
	      continue;
	    }

	    if (quote === 0) {
	      if (ch === '[') {
	        bracket++;
	      } else if (ch === ']' && bracket > 0) {
	        bracket--;
	      } else if (bracket === 0) {
	        if (ch === '(') {
	          paren++;
	        } else if (ch === ')' && paren > 0) {
	          paren--;
	        } else if (ch === '|' && paren === 0) {
	          parts.push(value);
	          value = '';
	          continue;
	        }
	      }
	    }

	    value += ch;
	  }

	  parts.push(value);
	  return parts;
	};

	const isPlainBranch = branch => {
	  let escaped = false;

	  for (const ch of branch) {
	    if (escaped === true) {
	      escaped = false;
	      continue;
	    }

	    if (ch === '\\') {
	      escaped = true;
	      continue;
	    }

	    if (/[?*+@!()[\]{}]/.test(ch)) {
	      return false;
	    }
	  }

	  return true;
	};

	const normalizeSimpleBranch = branch => {
	  let value = branch.trim();
	  let changed = true;

	  while (changed === true) {
	    changed = false;

	    if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
	      value = value.slice(2, -1);
	      changed = true;
	    }
	  }

	  if (!isPlainBranch(value)) {
	    return;
	  }

	  return value.replace(/\\(.)/g, '$1');
	};

	const hasRepeatedCharPrefixOverlap = branches => {
	  const values = branches.map(normalizeSimpleBranch).filter(Boolean);

	  for (let i = 0; i < values.length; i++) {
	    for (let j = i + 1; j < values.length; j++) {
	      const a = values[i];
	      const b = values[j];
	      const char = a[0];

	      if (!char || a !== char.repeat(a.length) || b !== char.repeat(b.length)) {
	        continue;
	      }

	      if (a === b || a.startsWith(b) || b.startsWith(a)) {
	        return true;
	      }
	    }
	  }

	  return false;
	};

	const parseRepeatedExtglob = (pattern, requireEnd = true) => {
	  if ((pattern[0] !== '+' && pattern[0] !== '*') || pattern[1] !== '(') {
	    return;
	  }

	  let bracket = 0;
	  let paren = 0;
	  let quote = 0;
	  let escaped = false;

	  for (let i = 1; i < pattern.length; i++) {
	    const ch = pattern[i];

	    if (escaped === true) {
	      escaped = false;
	      continue;
	    }

	    if (ch === '\\') {
	      escaped = true;
	      continue;
	    }

	    if (ch === '"') {
	      quote = quote === 1 ? 0 : 1;
	      continue;
	    }

	    if (quote === 1) {
	      continue;
	    }

	    if (ch === '[') {
	      bracket++;
	      continue;
	    }

	    if (ch === ']' && bracket > 0) {
	      bracket--;
	      continue;
	    }

	    if (bracket > 0) {
	      continue;
	    }

	    if (ch === '(') {
	      paren++;
	      continue;
	    }

	    if (ch === ')') {
	      paren--;

	      if (paren === 0) {
	        if (requireEnd === true && i !== pattern.length - 1) {
	          return;
	        }

	        return {
	          type: pattern[0],
	          body: pattern.slice(2, i),
	          end: i
	        };
	      }
	    }
	  }
	};

	const buildCharClassStar = chars => {
	  const source = chars.length === 1
	    ? utils.escapeRegex(chars[0])
	    : `[${chars.map(ch => utils.escapeRegex(ch)).join('')}]`;

	  return `${source}*`;
	};

	const getStarExtglobSequenceChars = pattern => {
	  let index = 0;
	  const chars = [];

	  while (index < pattern.length) {
	    const match = parseRepeatedExtglob(pattern.slice(index), false);

	    if (!match || match.type !== '*') {
	      return;
	    }

	    const branches = splitTopLevel(match.body).map(branch => branch.trim());
	    if (branches.length !== 1) {
	      return;
	    }

	    const branch = normalizeSimpleBranch(branches[0]);
	    if (!branch || branch.length !== 1) {
	      return;
	    }

	    chars.push(branch);
	    index += match.end + 1;
	  }

	  if (chars.length < 1) {
	    return;
	  }

	  return chars;
	};

	const repeatedExtglobRecursion = pattern => {
	  let depth = 0;
	  let value = pattern.trim();
	  let match = parseRepeatedExtglob(value);

	  while (match) {
	    depth++;
	    value = match.body.trim();
	    match = parseRepeatedExtglob(value);
	  }

	  return depth;
	};

	const analyzeRepeatedExtglob = (body, options) => {
	  if (options.maxExtglobRecursion === false) {
	    return { risky: false };
	  }

	  const max =
	    typeof options.maxExtglobRecursion === 'number'
	      ? options.maxExtglobRecursion
	      : constants.DEFAULT_MAX_EXTGLOB_RECURSION;

	  const branches = splitTopLevel(body).map(branch => branch.trim());

	  if (branches.length > 1) {
	    if (
	      branches.some(branch => branch === '') ||
	      branches.some(branch => /^[*?]+$/.test(branch)) ||
	      hasRepeatedCharPrefixOverlap(branches)
	    ) {
	      return { risky: true };
	    }
	  }

	  // A repeated extglob is "risky" (prone to catastrophic backtracking) when a
	  // branch is itself a `*(...)` sequence, since that nests an unbounded quantifier
	  // inside the outer `+(...)`/`*(...)`. When *every* branch reduces to single
	  // characters we can emit one flat, ReDoS-safe character class that preserves the
	  // meaning of ALL branches (e.g. `+(*(a)|*(b))` -> `[ab]*`), rather than dropping
	  // every branch but the first.
	  const safeChars = [];
	  let sawStarSequence = false;
	  let combinable = true;

	  for (const branch of branches) {
	    const chars = getStarExtglobSequenceChars(branch);
	    if (chars) {
	      sawStarSequence = true;
	      safeChars.push(...chars);
	      continue;
	    }

	    const literal = normalizeSimpleBranch(branch);
	    if (literal && literal.length === 1) {
	      safeChars.push(literal);
	      continue;
	    }

	    combinable = false;

	    if (repeatedExtglobRecursion(branch) > max) {
	      return { risky: true };
	    }
	  }

	  if (sawStarSequence) {
	    return combinable
	      ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) }
	      : { risky: true };
	  }

	  return { risky: false };
	};

	/**
	 * Parse the given input string.
	 * @param {String} input
	 * @param {Object} options
	 * @return {Object}
	 */

	const parse = (input, options) => {
	  if (typeof input !== 'string') {
	    throw new TypeError('Expected a string');
	  }

	  input = REPLACEMENTS[input] || input;

	  const opts = { ...options };
	  const max = typeof opts.maxLength === 'number' ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;

	  let len = input.length;
	  if (len > max) {
	    throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
	  }

	  const bos = { type: 'bos', value: '', output: opts.prepend || '' };
	  const tokens = [bos];

	  const capture = opts.capture ? '' : '?:';

	  // create constants based on platform, for windows or posix
	  const PLATFORM_CHARS = constants.globChars(opts.windows);
	  const EXTGLOB_CHARS = constants.extglobChars(PLATFORM_CHARS);

	  const {
	    DOT_LITERAL,
	    PLUS_LITERAL,
	    SLASH_LITERAL,
	    ONE_CHAR,
	    DOTS_SLASH,
	    NO_DOT,
	    NO_DOT_SLASH,
	    NO_DOTS_SLASH,
	    QMARK,
	    QMARK_NO_DOT,
	    STAR,
	    START_ANCHOR
	  } = PLATFORM_CHARS;

	  const globstar = opts => {
	    return `(${capture}(?:(?!${START_ANCHOR}${opts.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
	  };

	  const nodot = opts.dot ? '' : NO_DOT;
	  const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
	  let star = opts.bash === true ? globstar(opts) : STAR;

	  if (opts.capture) {
	    star = `(${star})`;
	  }

	  // minimatch options support
	  if (typeof opts.noext === 'boolean') {
	    opts.noextglob = opts.noext;
	  }

	  const state = {
	    input,
	    index: -1,
	    start: 0,
	    dot: opts.dot === true,
	    consumed: '',
	    output: '',
	    prefix: '',
	    backtrack: false,
	    negated: false,
	    brackets: 0,
	    braces: 0,
	    parens: 0,
	    quotes: 0,
	    globstar: false,
	    tokens
	  };

	  input = utils.removePrefix(input, state);
	  len = input.length;

	  const extglobs = [];
	  const braces = [];
	  const stack = [];
	  let prev = bos;
	  let value;

	  /**
	   * Tokenizing helpers
	   */

	  const eos = () => state.index === len - 1;
	  const peek = state.peek = (n = 1) => input[state.index + n];
	  const advance = state.advance = () => input[++state.index] || '';
	  const remaining = () => input.slice(state.index + 1);
	  const consume = (value = '', num = 0) => {
	    state.consumed += value;
	    state.index += num;
	  };

	  const append = token => {
	    state.output += token.output != null ? token.output : token.value;
	    consume(token.value);
	  };

	  const negate = () => {
	    let count = 1;

	    while (peek() === '!' && (peek(2) !== '(' || peek(3) === '?')) {
	      advance();
	      state.start++;
	      count++;
	    }

	    if (count % 2 === 0) {
	      return false;
	    }

	    state.negated = true;
	    state.start++;
	    return true;
	  };

	  const increment = type => {
	    state[type]++;
	    stack.push(type);
	  };

	  const decrement = type => {
	    state[type]--;
	    stack.pop();
	  };

	  /**
	   * Push tokens onto the tokens array. This helper speeds up
	   * tokenizing by 1) helping us avoid backtracking as much as possible,
	   * and 2) helping us avoid creating extra tokens when consecutive
	   * characters are plain text. This improves performance and simplifies
	   * lookbehinds.
	   */

	  const push = tok => {
	    if (prev.type === 'globstar') {
	      const isBrace = state.braces > 0 && (tok.type === 'comma' || tok.type === 'brace');
	      const isExtglob = tok.extglob === true || (extglobs.length && (tok.type === 'pipe' || tok.type === 'paren'));

	      if (tok.type !== 'slash' && tok.type !== 'paren' && !isBrace && !isExtglob) {
	        state.output = state.output.slice(0, -prev.output.length);
	        prev.type = 'star';
	        prev.value = '*';
	        prev.output = star;
	        state.output += prev.output;
	      }
	    }

	    if (extglobs.length && tok.type !== 'paren') {
	      extglobs[extglobs.length - 1].inner += tok.value;
	    }

	    if (tok.value || tok.output) append(tok);
	    if (prev && prev.type === 'text' && tok.type === 'text') {
	      prev.output = (prev.output || prev.value) + tok.value;
	      prev.value += tok.value;
	      return;
	    }

	    tok.prev = prev;
	    tokens.push(tok);
	    prev = tok;
	  };

	  const extglobOpen = (type, value) => {
	    const token = { ...EXTGLOB_CHARS[value], conditions: 1, inner: '' };

	    token.prev = prev;
	    token.parens = state.parens;
	    token.output = state.output;
	    token.startIndex = state.index;
	    token.tokensIndex = tokens.length;
	    const output = (opts.capture ? '(' : '') + token.open;

	    increment('parens');
	    push({ type, value, output: state.output ? '' : ONE_CHAR });
	    push({ type: 'paren', extglob: true, value: advance(), output });
	    extglobs.push(token);
	  };

	  const extglobClose = token => {
	    const literal = input.slice(token.startIndex, state.index + 1);
	    const body = input.slice(token.startIndex + 2, state.index);
	    const analysis = analyzeRepeatedExtglob(body, opts);

	    if ((token.type === 'plus' || token.type === 'star') && analysis.risky) {
	      const safeOutput = analysis.safeOutput
	        ? (token.output ? '' : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput)
	        : undefined;
	      const open = tokens[token.tokensIndex];

	      open.type = 'text';
	      open.value = literal;
	      open.output = safeOutput || utils.escapeRegex(literal);

	      for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
	        tokens[i].value = '';
	        tokens[i].output = '';
	        delete tokens[i].suffix;
	      }

	      state.output = token.output + open.output;
	      state.backtrack = true;

	      push({ type: 'paren', extglob: true, value, output: '' });
	      decrement('parens');
	      return;
	    }

	    let output = token.close + (opts.capture ? ')' : '');
	    let rest;

	    if (token.type === 'negate') {
	      let extglobStar = star;

	      if (token.inner && token.inner.length > 1 && token.inner.includes('/')) {
	        extglobStar = globstar(opts);
	      }

	      if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
	        output = token.close = `)$))${extglobStar}`;
	      }

	      if (token.inner.includes('*') && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
	        // Any non-magical string (`.ts`) or even nested expression (`.{ts,tsx}`) can follow after the closing parenthesis.
	        // In this case, we need to parse the string and use it in the output of the original pattern.
	        // Suitable patterns: `/!(*.d).ts`, `/!(*.d).{ts,tsx}`, `**/!(*-dbg).@(js)`.
	        //
	        // Disabling the `fastpaths` option due to a problem with parsing strings as `.ts` in the pattern like `**/!(*.d).ts`.
	        const expression = parse(rest, { ...options, fastpaths: false }).output;

	        output = token.close = `)${expression})${extglobStar})`;
	      }

	      if (token.prev.type === 'bos') {
	        state.negatedExtglob = true;
	      }
	    }

	    push({ type: 'paren', extglob: true, value, output });
	    decrement('parens');
	  };

	  /**
	   * Fast paths
	   */

	  if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
	    let backslashes = false;

	    let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m, esc, chars, first, rest, index) => {
	      if (first === '\\') {
	        backslashes = true;
	        return m;
	      }

	      if (first === '?') {
	        if (esc) {
	          return esc + first + (rest ? QMARK.repeat(rest.length) : '');
	        }
	        if (index === 0) {
	          return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : '');
	        }
	        return QMARK.repeat(chars.length);
	      }

	      if (first === '.') {
	        return DOT_LITERAL.repeat(chars.length);
	      }

	      if (first === '*') {
	        if (esc) {
	          return esc + first + (rest ? star : '');
	        }
	        return star;
	      }
	      return esc ? m : `\\${m}`;
	    });

	    if (backslashes === true) {
	      if (opts.unescape === true) {
	        output = output.replace(/\\/g, '');
	      } else {
	        output = output.replace(/\\+/g, m => {
	          return m.length % 2 === 0 ? '\\\\' : (m ? '\\' : '');
	        });
	      }
	    }

	    if (output === input && opts.contains === true) {
	      state.output = input;
	      return state;
	    }

	    state.output = utils.wrapOutput(output, state, options);
	    return state;
	  }

	  /**
	   * Tokenize input until we reach end-of-string
	   */

	  while (!eos()) {
	    value = advance();

	    if (value === '\u0000') {
	      continue;
	    }

	    /**
	     * Escaped characters
	     */

	    if (value === '\\') {
	      const next = peek();

	      if (next === '/' && opts.bash !== true) {
	        continue;
	      }

	      if (next === '.' || next === ';') {
	        continue;
	      }

	      if (!next) {
	        value += '\\';
	        push({ type: 'text', value });
	        continue;
	      }

	      // collapse slashes to reduce potential for exploits
	      const match = /^\\+/.exec(remaining());
	      let slashes = 0;

	      if (match && match[0].length > 2) {
	        slashes = match[0].length;
	        state.index += slashes;
	        if (slashes % 2 !== 0) {
	          value += '\\';
	        }
	      }

	      if (opts.unescape === true) {
	        value = advance();
	      } else {
	        value += advance();
	      }

	      if (state.brackets === 0) {
	        push({ type: 'text', value });
	        continue;
	      }
	    }

	    /**
	     * If we're inside a regex character class, continue
	     * until we reach the closing bracket.
	     */

	    if (state.brackets > 0 && (value !== ']' || prev.value === '[' || prev.value === '[^')) {
	      if (opts.posix !== false && value === ':') {
	        const inner = prev.value.slice(1);
	        if (inner.includes('[')) {
	          prev.posix = true;

	          if (inner.includes(':')) {
	            const idx = prev.value.lastIndexOf('[');
	            const pre = prev.value.slice(0, idx);
	            const rest = prev.value.slice(idx + 2);
	            const posix = POSIX_REGEX_SOURCE[rest];
	            if (posix) {
	              prev.value = pre + posix;
	              state.backtrack = true;
	              advance();

	              if (!bos.output && tokens.indexOf(prev) === 1) {
	                bos.output = ONE_CHAR;
	              }
	              continue;
	            }
	          }
	        }
	      }

	      if ((value === '[' && peek() !== ':') || (value === '-' && peek() === ']')) {
	        value = `\\${value}`;
	      }

	      if (value === ']' && (prev.value === '[' || prev.value === '[^')) {
	        value = `\\${value}`;
	      }

	      if (opts.posix === true && value === '!' && prev.value === '[') {
	        value = '^';
	      }

	      prev.value += value;
	      append({ value });
	      continue;
	    }

	    /**
	     * If we're inside a quoted string, continue
	     * until we reach the closing double quote.
	     */

	    if (state.quotes === 1 && value !== '"') {
	      value = utils.escapeRegex(value);
	      prev.value += value;
	      append({ value });
	      continue;
	    }

	    /**
	     * Double quotes
	     */

	    if (value === '"') {
	      state.quotes = state.quotes === 1 ? 0 : 1;
	      if (opts.keepQuotes === true) {
	        push({ type: 'text', value });
	      }
	      continue;
	    }

	    /**
	     * Parentheses
	     */

	    if (value === '(') {
	      increment('parens');
	      push({ type: 'paren', value });
	      continue;
	    }

	    if (value === ')') {
	      if (state.parens === 0 && opts.strictBrackets === true) {
	        throw new SyntaxError(syntaxError('opening', '('));
	      }

	      const extglob = extglobs[extglobs.length - 1];
	      if (extglob && state.parens === extglob.parens + 1) {
	        extglobClose(extglobs.pop());
	        continue;
	      }

	      push({ type: 'paren', value, output: state.parens ? ')' : '\\)' });
	      decrement('parens');
	      continue;
	    }

	    /**
	     * Square brackets
	     */

	    if (value === '[') {
	      if (opts.nobracket === true || !remaining().includes(']')) {
	        if (opts.nobracket !== true && opts.strictBrackets === true) {
	          throw new SyntaxError(syntaxError('closing', ']'));
	        }

	        value = `\\${value}`;
	      } else {
	        increment('brackets');
	      }

	      push({ type: 'bracket', value });
	      continue;
	    }

	    if (value === ']') {
	      if (opts.nobracket === true || (prev && prev.type === 'bracket' && prev.value.length === 1)) {
	        push({ type: 'text', value, output: `\\${value}` });
	        continue;
	      }

	      if (state.brackets === 0) {
	        if (opts.strictBrackets === true) {
	          throw new SyntaxError(syntaxError('opening', '['));
	        }

	        push({ type: 'text', value, output: `\\${value}` });
	        continue;
	      }

	      decrement('brackets');

	      const prevValue = prev.value.slice(1);
	      if (prev.posix !== true && prevValue[0] === '^' && !prevValue.includes('/')) {
	        value = `/${value}`;
	      }

	      prev.value += value;
	      append({ value });

	      // when literal brackets are explicitly disabled
	      // assume we should match with a regex character class
	      if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
	        continue;
	      }

	      const escaped = utils.escapeRegex(prev.value);
	      state.output = state.output.slice(0, -prev.value.length);

	      // when literal brackets are explicitly enabled
	      // assume we should escape the brackets to match literal characters
	      if (opts.literalBrackets === true) {
	        state.output += escaped;
	        prev.value = escaped;
	        continue;
	      }

	      // when the user specifies nothing, try to match both
	      prev.value = `(${capture}${escaped}|${prev.value})`;
	      state.output += prev.value;
	      continue;
	    }

	    /**
	     * Braces
	     */

	    if (value === '{' && opts.nobrace !== true) {
	      increment('braces');

	      const open = {
	        type: 'brace',
	        value,
	        output: '(',
	        outputIndex: state.output.length,
	        tokensIndex: state.tokens.length
	      };

	      braces.push(open);
	      push(open);
	      continue;
	    }

	    if (value === '}') {
	      const brace = braces[braces.length - 1];

	      if (opts.nobrace === true || !brace) {
	        push({ type: 'text', value, output: value });
	        continue;
	      }

	      let output = ')';

	      if (brace.dots === true) {
	        const arr = tokens.slice();
	        const range = [];

	        for (let i = arr.length - 1; i >= 0; i--) {
	          tokens.pop();
	          if (arr[i].type === 'brace') {
	            break;
	          }
	          if (arr[i].type !== 'dots') {
	            range.unshift(arr[i].value);
	          }
	        }

	        output = expandRange(range, opts);
	        state.backtrack = true;
	      }

	      if (brace.comma !== true && brace.dots !== true) {
	        const out = state.output.slice(0, brace.outputIndex);
	        const toks = state.tokens.slice(brace.tokensIndex);
	        brace.value = brace.output = '\\{';
	        value = output = '\\}';
	        state.output = out;
	        for (const t of toks) {
	          state.output += (t.output || t.value);
	        }
	      }

	      push({ type: 'brace', value, output });
	      decrement('braces');
	      braces.pop();
	      continue;
	    }

	    /**
	     * Pipes
	     */

	    if (value === '|') {
	      if (extglobs.length > 0) {
	        extglobs[extglobs.length - 1].conditions++;
	      }
	      push({ type: 'text', value });
	      continue;
	    }

	    /**
	     * Commas
	     */

	    if (value === ',') {
	      let output = value;

	      const brace = braces[braces.length - 1];
	      if (brace && stack[stack.length - 1] === 'braces') {
	        brace.comma = true;
	        output = '|';
	      }

	      push({ type: 'comma', value, output });
	      continue;
	    }

	    /**
	     * Slashes
	     */

	    if (value === '/') {
	      // if the beginning of the glob is "./", advance the start
	      // to the current index, and don't add the "./" characters
	      // to the state. This greatly simplifies lookbehinds when
	      // checking for BOS characters like "!" and "." (not "./")
	      if (prev.type === 'dot' && state.index === state.start + 1) {
	        state.start = state.index + 1;
	        state.consumed = '';
	        state.output = '';
	        tokens.pop();
	        prev = bos; // reset "prev" to the first token
	        continue;
	      }

	      push({ type: 'slash', value, output: SLASH_LITERAL });
	      continue;
	    }

	    /**
	     * Dots
	     */

	    if (value === '.') {
	      if (state.braces > 0 && prev.type === 'dot') {
	        if (prev.value === '.') prev.output = DOT_LITERAL;
	        const brace = braces[braces.length - 1];
	        prev.type = 'dots';
	        prev.output += value;
	        prev.value += value;
	        brace.dots = true;
	        continue;
	      }

	      if ((state.braces + state.parens) === 0 && prev.type !== 'bos' && prev.type !== 'slash') {
	        push({ type: 'text', value, output: DOT_LITERAL });
	        continue;
	      }

	      push({ type: 'dot', value, output: DOT_LITERAL });
	      continue;
	    }

	    /**
	     * Question marks
	     */

	    if (value === '?') {
	      const isGroup = prev && prev.value === '(';
	      if (!isGroup && opts.noextglob !== true && peek() === '(' && peek(2) !== '?') {
	        extglobOpen('qmark', value);
	        continue;
	      }

	      if (prev && prev.type === 'paren') {
	        const next = peek();
	        let output = value;

	        if ((prev.value === '(' && !/[!=<:]/.test(next)) || (next === '<' && !/<([!=]|\w+>)/.test(remaining()))) {
	          output = `\\${value}`;
	        }

	        push({ type: 'text', value, output });
	        continue;
	      }

	      if (opts.dot !== true && (prev.type === 'slash' || prev.type === 'bos')) {
	        push({ type: 'qmark', value, output: QMARK_NO_DOT });
	        continue;
	      }

	      push({ type: 'qmark', value, output: QMARK });
	      continue;
	    }

	    /**
	     * Exclamation
	     */

	    if (value === '!') {
	      if (opts.noextglob !== true && peek() === '(') {
	        if (peek(2) !== '?' || !/[!=<:]/.test(peek(3))) {
	          extglobOpen('negate', value);
	          continue;
	        }
	      }

	      if (opts.nonegate !== true && state.index === 0) {
	        negate();
	        continue;
	      }
	    }

	    /**
	     * Plus
	     */

	    if (value === '+') {
	      if (opts.noextglob !== true && peek() === '(' && peek(2) !== '?') {
	        extglobOpen('plus', value);
	        continue;
	      }

	      if ((prev && prev.value === '(') || opts.regex === false) {
	        push({ type: 'plus', value, output: PLUS_LITERAL });
	        continue;
	      }

	      if ((prev && (prev.type === 'bracket' || prev.type === 'paren' || prev.type === 'brace')) || state.parens > 0) {
	        push({ type: 'plus', value });
	        continue;
	      }

	      push({ type: 'plus', value: PLUS_LITERAL });
	      continue;
	    }

	    /**
	     * Plain text
	     */

	    if (value === '@') {
	      if (opts.noextglob !== true && peek() === '(' && peek(2) !== '?') {
	        push({ type: 'at', extglob: true, value, output: '' });
	        continue;
	      }

	      push({ type: 'text', value });
	      continue;
	    }

	    /**
	     * Plain text
	     */

	    if (value !== '*') {
	      if (value === '$' || value === '^') {
	        value = `\\${value}`;
	      }

	      const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
	      if (match) {
	        value += match[0];
	        state.index += match[0].length;
	      }

	      push({ type: 'text', value });
	      continue;
	    }

	    /**
	     * Stars
	     */

	    if (prev && (prev.type === 'globstar' || prev.star === true)) {
	      prev.type = 'star';
	      prev.star = true;
	      prev.value += value;
	      prev.output = star;
	      state.backtrack = true;
	      state.globstar = true;
	      consume(value);
	      continue;
	    }

	    let rest = remaining();
	    if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
	      extglobOpen('star', value);
	      continue;
	    }

	    if (prev.type === 'star') {
	      if (opts.noglobstar === true) {
	        consume(value);
	        continue;
	      }

	      const prior = prev.prev;
	      const before = prior.prev;
	      const isStart = prior.type === 'slash' || prior.type === 'bos';
	      const afterStar = before && (before.type === 'star' || before.type === 'globstar');

	      if (opts.bash === true && (!isStart || (rest[0] && rest[0] !== '/'))) {
	        push({ type: 'star', value, output: '' });
	        continue;
	      }

	      const isBrace = state.braces > 0 && (prior.type === 'comma' || prior.type === 'brace');
	      const isExtglob = extglobs.length && (prior.type === 'pipe' || prior.type === 'paren');
	      if (!isStart && prior.type !== 'paren' && !isBrace && !isExtglob) {
	        push({ type: 'star', value, output: '' });
	        continue;
	      }

	      // strip consecutive `/**/`
	      while (rest.slice(0, 3) === '/**') {
	        const after = input[state.index + 4];
	        if (after && after !== '/') {
	          break;
	        }
	        rest = rest.slice(3);
	        consume('/**', 3);
	      }

	      // A globstar followed only by balanced closing parens is at the logical end of patterns like
	      // `test(/utils/**)` and `test?(/utils/**)`. Treat it as EOS so the trailing `/**` can match its
	      // parent path, except in negated extglobs where that would change the exclusion semantics.
	      const isEnd = eos() || (
	        state.parens > 0
	        && rest === ')'.repeat(state.parens)
	        && !extglobs.some(extglob => extglob.type === 'negate')
	      );

	      if (prior.type === 'bos' && eos()) {
	        prev.type = 'globstar';
	        prev.value += value;
	        prev.output = globstar(opts);
	        state.output = prev.output;
	        state.globstar = true;
	        consume(value);
	        continue;
	      }

	      if (prior.type === 'slash' && prior.prev.type !== 'bos' && !afterStar && isEnd) {
	        state.output = state.output.slice(0, -(prior.output + prev.output).length);
	        prior.output = `(?:${prior.output}`;

	        prev.type = 'globstar';
	        prev.output = globstar(opts) + (opts.strictSlashes ? ')' : '|$)');
	        prev.value += value;
	        state.globstar = true;
	        state.output += prior.output + prev.output;
	        consume(value);
	        continue;
	      }

	      if (prior.type === 'slash' && prior.prev.type !== 'bos' && rest[0] === '/') {
	        const end = rest[1] !== void 0 ? '|$' : '';

	        state.output = state.output.slice(0, -(prior.output + prev.output).length);
	        prior.output = `(?:${prior.output}`;

	        prev.type = 'globstar';
	        prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
	        prev.value += value;

	        state.output += prior.output + prev.output;
	        state.globstar = true;

	        consume(value + advance());

	        push({ type: 'slash', value: '/', output: '' });
	        continue;
	      }

	      if (prior.type === 'bos' && rest[0] === '/') {
	        prev.type = 'globstar';
	        prev.value += value;
	        prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
	        state.output = prev.output;
	        state.globstar = true;
	        consume(value + advance());
	        push({ type: 'slash', value: '/', output: '' });
	        continue;
	      }

	      // remove single star from output
	      state.output = state.output.slice(0, -prev.output.length);

	      // reset previous token to globstar
	      prev.type = 'globstar';
	      prev.output = globstar(opts);
	      prev.value += value;

	      // reset output with globstar
	      state.output += prev.output;
	      state.globstar = true;
	      consume(value);
	      continue;
	    }

	    const token = { type: 'star', value, output: star };

	    if (opts.bash === true) {
	      token.output = '.*?';
	      if (prev.type === 'bos' || prev.type === 'slash') {
	        token.output = nodot + token.output;
	      }
	      push(token);
	      continue;
	    }

	    if (prev && (prev.type === 'bracket' || prev.type === 'paren') && opts.regex === true) {
	      token.output = value;
	      push(token);
	      continue;
	    }

	    if (state.index === state.start || prev.type === 'slash' || prev.type === 'dot') {
	      if (prev.type === 'dot') {
	        state.output += NO_DOT_SLASH;
	        prev.output += NO_DOT_SLASH;

	      } else if (opts.dot === true) {
	        state.output += NO_DOTS_SLASH;
	        prev.output += NO_DOTS_SLASH;

	      } else {
	        state.output += nodot;
	        prev.output += nodot;
	      }

	      if (peek() !== '*') {
	        state.output += ONE_CHAR;
	        prev.output += ONE_CHAR;
	      }
	    }

	    push(token);
	  }

	  while (state.brackets > 0) {
	    if (opts.strictBrackets === true) throw new SyntaxError(syntaxError('closing', ']'));
	    state.output = utils.escapeLast(state.output, '[');
	    decrement('brackets');
	  }

	  while (state.parens > 0) {
	    if (opts.strictBrackets === true) throw new SyntaxError(syntaxError('closing', ')'));
	    state.output = utils.escapeLast(state.output, '(');
	    decrement('parens');
	  }

	  while (state.braces > 0) {
	    if (opts.strictBrackets === true) throw new SyntaxError(syntaxError('closing', '}'));
	    state.output = utils.escapeLast(state.output, '{');
	    decrement('braces');
	  }

	  if (opts.strictSlashes !== true && (prev.type === 'star' || prev.type === 'bracket')) {
	    push({ type: 'maybe_slash', value: '', output: `${SLASH_LITERAL}?` });
	  }

	  // rebuild the output if we had to backtrack at any point
	  if (state.backtrack === true) {
	    state.output = '';

	    for (const token of state.tokens) {
	      state.output += token.output != null ? token.output : token.value;

	      if (token.suffix) {
	        state.output += token.suffix;
	      }
	    }
	  }

	  return state;
	};

	/**
	 * Fast paths for creating regular expressions for common glob patterns.
	 * This can significantly speed up processing and has very little downside
	 * impact when none of the fast paths match.
	 */

	parse.fastpaths = (input, options) => {
	  const opts = { ...options };
	  const max = typeof opts.maxLength === 'number' ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
	  const len = input.length;
	  if (len > max) {
	    throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
	  }

	  input = REPLACEMENTS[input] || input;

	  // create constants based on platform, for windows or posix
	  const {
	    DOT_LITERAL,
	    SLASH_LITERAL,
	    ONE_CHAR,
	    DOTS_SLASH,
	    NO_DOT,
	    NO_DOTS,
	    NO_DOTS_SLASH,
	    STAR,
	    START_ANCHOR
	  } = constants.globChars(opts.windows);

	  const nodot = opts.dot ? NO_DOTS : NO_DOT;
	  const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
	  const capture = opts.capture ? '' : '?:';
	  const state = { negated: false, prefix: '' };
	  let star = opts.bash === true ? '.*?' : STAR;

	  if (opts.capture) {
	    star = `(${star})`;
	  }

	  const globstar = opts => {
	    if (opts.noglobstar === true) return star;
	    return `(${capture}(?:(?!${START_ANCHOR}${opts.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
	  };

	  const create = str => {
	    switch (str) {
	      case '*':
	        return `${nodot}${ONE_CHAR}${star}`;

	      case '.*':
	        return `${DOT_LITERAL}${ONE_CHAR}${star}`;

	      case '*.*':
	        return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;

	      case '*/*':
	        return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;

	      case '**':
	        return nodot + globstar(opts);

	      case '**/*':
	        return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;

	      case '**/*.*':
	        return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;

	      case '**/.*':
	        return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;

	      default: {
	        const match = /^(.*?)\.(\w+)$/.exec(str);
	        if (!match) return;

	        const source = create(match[1]);
	        if (!source) return;

	        return source + DOT_LITERAL + match[2];
	      }
	    }
	  };

	  const output = utils.removePrefix(input, state);
	  let source = create(output);

	  if (source && opts.strictSlashes !== true) {
	    source += `${SLASH_LITERAL}?`;
	  }

	  return source;
	};

	parse_1 = parse;
	return parse_1;
}

var picomatch_1$1;
var hasRequiredPicomatch$1;

function requirePicomatch$1 () {
	if (hasRequiredPicomatch$1) return picomatch_1$1;
	hasRequiredPicomatch$1 = 1;

	const scan = /*@__PURE__*/ requireScan();
	const parse = /*@__PURE__*/ requireParse();
	const utils = /*@__PURE__*/ requireUtils();
	const constants = /*@__PURE__*/ requireConstants();
	const isObject = val => val && typeof val === 'object' && !Array.isArray(val);

	/**
	 * Creates a matcher function from one or more glob patterns. The
	 * returned function takes a string to match as its first argument,
	 * and returns true if the string is a match. The returned matcher
	 * function also takes a boolean as the second argument that, when true,
	 * returns an object with additional information.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch(glob[, options]);
	 *
	 * const isMatch = picomatch('*.!(*a)');
	 * console.log(isMatch('a.a')); //=> false
	 * console.log(isMatch('a.b')); //=> true
	 *
	 * // For environments without `node.js`, `picomatch/posix` provides you a dependency-free matcher, without automatic OS detection.
	 * const picomatch = require('picomatch/posix');
	 * // the same API, defaulting to posix paths
	 * const isMatch = picomatch('a/*');
	 * console.log(isMatch('a\\b')); //=> false
	 * console.log(isMatch('a/b')); //=> true
	 *
	 * // you can still configure the matcher function to accept windows paths
	 * const isMatch = picomatch('a/*', { options: windows });
	 * console.log(isMatch('a\\b')); //=> true
	 * console.log(isMatch('a/b')); //=> true
	 * ```
	 * @name picomatch
	 * @param {String|Array} `globs` One or more glob patterns.
	 * @param {Object=} `options`
	 * @return {Function=} Returns a matcher function.
	 * @api public
	 */

	const picomatch = (glob, options, returnState = false) => {
	  if (Array.isArray(glob)) {
	    const fns = glob.map(input => picomatch(input, options, returnState));
	    const arrayMatcher = str => {
	      for (const isMatch of fns) {
	        const state = isMatch(str);
	        if (state) return state;
	      }
	      return false;
	    };
	    return arrayMatcher;
	  }

	  const isState = isObject(glob) && glob.tokens && glob.input;

	  if (glob === '' || (typeof glob !== 'string' && !isState)) {
	    throw new TypeError('Expected pattern to be a non-empty string');
	  }

	  const opts = options || {};
	  const posix = opts.windows;
	  const regex = isState
	    ? picomatch.compileRe(glob, options)
	    : picomatch.makeRe(glob, options, false, true);

	  const state = regex.state;
	  delete regex.state;

	  let isIgnored = () => false;
	  if (opts.ignore) {
	    const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
	    isIgnored = picomatch(opts.ignore, ignoreOpts, returnState);
	  }

	  const matcher = (input, returnObject = false) => {
	    const { isMatch, match, output } = picomatch.test(input, regex, options, { glob, posix });
	    const result = { glob, state, regex, posix, input, output, match, isMatch };

	    if (typeof opts.onResult === 'function') {
	      opts.onResult(result);
	    }

	    if (isMatch === false) {
	      result.isMatch = false;
	      return returnObject ? result : false;
	    }

	    if (isIgnored(input)) {
	      if (typeof opts.onIgnore === 'function') {
	        opts.onIgnore(result);
	      }
	      result.isMatch = false;
	      return returnObject ? result : false;
	    }

	    if (typeof opts.onMatch === 'function') {
	      opts.onMatch(result);
	    }
	    return returnObject ? result : true;
	  };

	  if (returnState) {
	    matcher.state = state;
	  }

	  return matcher;
	};

	/**
	 * Test `input` with the given `regex`. This is used by the main
	 * `picomatch()` function to test the input string.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.test(input, regex[, options]);
	 *
	 * console.log(picomatch.test('foo/bar', /^(?:([^/]*?)\/([^/]*?))$/));
	 * // { isMatch: true, match: [ 'foo/', 'foo', 'bar' ], output: 'foo/bar' }
	 * ```
	 * @param {String} `input` String to test.
	 * @param {RegExp} `regex`
	 * @return {Object} Returns an object with matching info.
	 * @api public
	 */

	picomatch.test = (input, regex, options, { glob, posix } = {}) => {
	  if (typeof input !== 'string') {
	    throw new TypeError('Expected input to be a string');
	  }

	  if (input === '') {
	    return { isMatch: false, output: '' };
	  }

	  const opts = options || {};
	  const format = opts.format || (posix ? utils.toPosixSlashes : null);
	  let match = input === glob;
	  let output = (match && format) ? format(input) : input;

	  if (match === false) {
	    output = format ? format(input) : input;
	    match = output === glob;
	  }

	  if (match === false || opts.capture === true) {
	    if (opts.matchBase === true || opts.basename === true) {
	      match = picomatch.matchBase(input, regex, options, posix);
	    } else {
	      match = regex.exec(output);
	    }
	  }

	  return { isMatch: Boolean(match), match, output };
	};

	/**
	 * Match the basename of a filepath.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.matchBase(input, glob[, options]);
	 * console.log(picomatch.matchBase('foo/bar.js', '*.js'); // true
	 * ```
	 * @param {String} `input` String to test.
	 * @param {RegExp|String} `glob` Glob pattern or regex created by [.makeRe](#makeRe).
	 * @return {Boolean}
	 * @api public
	 */

	picomatch.matchBase = (input, glob, options, posix = options && options.windows) => {
	  const regex = glob instanceof RegExp ? glob : picomatch.makeRe(glob, options);
	  return regex.test(utils.basename(input, { windows: posix }));
	};

	/**
	 * Returns true if **any** of the given glob `patterns` match the specified `string`.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.isMatch(string, patterns[, options]);
	 *
	 * console.log(picomatch.isMatch('a.a', ['b.*', '*.a'])); //=> true
	 * console.log(picomatch.isMatch('a.a', 'b.*')); //=> false
	 * ```
	 * @param {String|Array} str The string to test.
	 * @param {String|Array} patterns One or more glob patterns to use for matching.
	 * @param {Object} [options] See available [options](#options).
	 * @return {Boolean} Returns true if any patterns match `str`
	 * @api public
	 */

	picomatch.isMatch = (str, patterns, options) => picomatch(patterns, options)(str);

	/**
	 * Parse a glob pattern to create the source string for a regular
	 * expression.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * const result = picomatch.parse(pattern[, options]);
	 * ```
	 * @param {String} `pattern`
	 * @param {Object} `options`
	 * @return {Object} Returns an object with useful properties and output to be used as a regex source string.
	 * @api public
	 */

	picomatch.parse = (pattern, options) => {
	  if (Array.isArray(pattern)) return pattern.map(p => picomatch.parse(p, options));
	  return parse(pattern, { ...options, fastpaths: false });
	};

	/**
	 * Scan a glob pattern to separate the pattern into segments.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.scan(input[, options]);
	 *
	 * const result = picomatch.scan('!./foo/*.js');
	 * console.log(result);
	 * { prefix: '!./',
	 *   input: '!./foo/*.js',
	 *   start: 3,
	 *   base: 'foo',
	 *   glob: '*.js',
	 *   isBrace: false,
	 *   isBracket: false,
	 *   isGlob: true,
	 *   isExtglob: false,
	 *   isGlobstar: false,
	 *   negated: true }
	 * ```
	 * @param {String} `input` Glob pattern to scan.
	 * @param {Object} `options`
	 * @return {Object} Returns an object with
	 * @api public
	 */

	picomatch.scan = (input, options) => scan(input, options);

	/**
	 * Compile a regular expression from the `state` object returned by the
	 * [parse()](#parse) method.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * const state = picomatch.parse('*.js');
	 * // picomatch.compileRe(state[, options]);
	 *
	 * console.log(picomatch.compileRe(state));
	 * //=> /^(?:(?!\.)(?=.)[^/]*?\.js)$/
	 * ```
	 * @param {Object} `state`
	 * @param {Object} `options`
	 * @param {Boolean} `returnOutput` Intended for implementors, this argument allows you to return the raw output from the parser.
	 * @param {Boolean} `returnState` Adds the state to a `state` property on the returned regex. Useful for implementors and debugging.
	 * @return {RegExp}
	 * @api public
	 */

	picomatch.compileRe = (state, options, returnOutput = false, returnState = false) => {
	  if (returnOutput === true) {
	    return state.output;
	  }

	  const opts = options || {};
	  const prepend = opts.contains ? '' : '^';
	  const append = opts.contains ? '' : '$';

	  let source = `${prepend}(?:${state.output})${append}`;
	  if (state && state.negated === true) {
	    source = `^(?!${source}).*$`;
	  }

	  const regex = picomatch.toRegex(source, options);
	  if (returnState === true) {
	    regex.state = state;
	  }

	  return regex;
	};

	/**
	 * Create a regular expression from a parsed glob pattern.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.makeRe(state[, options]);
	 *
	 * const result = picomatch.makeRe('*.js');
	 * console.log(result);
	 * //=> /^(?:(?!\.)(?=.)[^/]*?\.js)$/
	 * ```
	 * @param {String} `state` The object returned from the `.parse` method.
	 * @param {Object} `options`
	 * @param {Boolean} `returnOutput` Implementors may use this argument to return the compiled output, instead of a regular expression. This is not exposed on the options to prevent end-users from mutating the result.
	 * @param {Boolean} `returnState` Implementors may use this argument to return the state from the parsed glob with the returned regular expression.
	 * @return {RegExp} Returns a regex created from the given pattern.
	 * @api public
	 */

	picomatch.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
	  if (!input || typeof input !== 'string') {
	    throw new TypeError('Expected a non-empty string');
	  }

	  let parsed = { negated: false, fastpaths: true };

	  if (options.fastpaths !== false && (input[0] === '.' || input[0] === '*')) {
	    parsed.output = parse.fastpaths(input, options);
	  }

	  if (!parsed.output) {
	    parsed = parse(input, options);
	  }

	  return picomatch.compileRe(parsed, options, returnOutput, returnState);
	};

	/**
	 * Create a regular expression from the given regex source string.
	 *
	 * ```js
	 * const picomatch = require('picomatch');
	 * // picomatch.toRegex(source[, options]);
	 *
	 * const { output } = picomatch.parse('*.js');
	 * console.log(picomatch.toRegex(output));
	 * //=> /^(?:(?!\.)(?=.)[^/]*?\.js)$/
	 * ```
	 * @param {String} `source` Regular expression source string.
	 * @param {Object} `options`
	 * @return {RegExp}
	 * @api public
	 */

	picomatch.toRegex = (source, options) => {
	  try {
	    const opts = options || {};
	    return new RegExp(source, opts.flags || (opts.nocase ? 'i' : ''));
	  } catch (err) {
	    if (options && options.debug === true) throw err;
	    return /$^/;
	  }
	};

	/**
	 * Picomatch constants.
	 * @return {Object}
	 */

	picomatch.constants = constants;

	/**
	 * Expose "picomatch"
	 */

	picomatch_1$1 = picomatch;
	return picomatch_1$1;
}

var picomatch_1;
var hasRequiredPicomatch;

function requirePicomatch () {
	if (hasRequiredPicomatch) return picomatch_1;
	hasRequiredPicomatch = 1;

	const pico = /*@__PURE__*/ requirePicomatch$1();
	const utils = /*@__PURE__*/ requireUtils();

	function picomatch(glob, options, returnState = false) {
	  // default to os.platform()
	  if (options && (options.windows === null || options.windows === undefined)) {
	    // don't mutate the original options object
	    options = { ...options, windows: utils.isWindows() };
	  }

	  return pico(glob, options, returnState);
	}

	Object.assign(picomatch, pico);
	picomatch_1 = picomatch;
	return picomatch_1;
}

var picomatchExports = /*@__PURE__*/ requirePicomatch();
var picomatch = /*@__PURE__*/getDefaultExportFromCjs(picomatchExports);

//#region src/utils.ts
const isReadonlyArray = Array.isArray;
const BACKSLASHES = /\\/g;
const DRIVE_RELATIVE_PATH = /^[A-Za-z]:$/;
const isWin = process.platform === "win32";
const ONLY_PARENT_DIRECTORIES = /^(\/?\.\.)+$/;
function getPartialMatcher(patterns, options = {}) {
	const patternsCount = patterns.length;
	const patternsParts = Array(patternsCount);
	const matchers = Array(patternsCount);
	let i, j;
	for (i = 0; i < patternsCount; i++) {
		const parts = splitPattern(patterns[i]);
		patternsParts[i] = parts;
		const partsCount = parts.length;
		const partMatchers = Array(partsCount);
		for (j = 0; j < partsCount; j++) partMatchers[j] = picomatch(parts[j], options);
		matchers[i] = partMatchers;
	}
	return (input) => {
		const inputParts = input.split("/");
		if (inputParts[0] === ".." && ONLY_PARENT_DIRECTORIES.test(input)) return true;
		for (i = 0; i < patternsCount; i++) {
			const patternParts = patternsParts[i];
			const matcher = matchers[i];
			const inputPatternCount = inputParts.length;
			const minParts = Math.min(inputPatternCount, patternParts.length);
			j = 0;
			while (j < minParts) {
				const part = patternParts[j];
				if (part.includes("/")) return true;
				if (!matcher[j](inputParts[j])) break;
				if (!options.noglobstar && part === "**") return true;
				j++;
			}
			if (j === inputPatternCount) return true;
		}
		return false;
	};
}
/* node:coverage ignore next 2 */
const WIN32_ROOT_DIR = /^[A-Z]:\/$/i;
const isRoot = isWin ? (p) => WIN32_ROOT_DIR.test(p) : (p) => p === "/";
function buildFormat(cwd, root, absolute) {
	if (cwd === root || root.startsWith(`${cwd}/`)) {
		if (absolute) {
			const start = cwd.length + +!isRoot(cwd);
			return (p, isDir) => p.slice(start, isDir ? -1 : void 0) || ".";
		}
		const prefix = root.slice(cwd.length + 1);
		if (prefix) return (p, isDir) => {
			if (p === ".") return prefix;
			const result = `${prefix}/${p}`;
			return isDir ? result.slice(0, -1) : result;
		};
		return (p, isDir) => isDir && p !== "." ? p.slice(0, -1) : p;
	}
	if (absolute) return (p) => posix.relative(cwd, p) || ".";
	return (p) => posix.relative(cwd, `${root}/${p}`) || ".";
}
function buildRelative(cwd, root) {
	if (root.startsWith(`${cwd}/`)) {
		const prefix = root.slice(cwd.length + 1);
		return (p) => `${prefix}/${p}`;
	}
	return (p) => {
		const result = posix.relative(cwd, `${root}/${p}`);
		return p[p.length - 1] === "/" && result !== "" ? `${result}/` : result || ".";
	};
}
function ensureNonDriveRelativePath(path) {
	return path.replace(DRIVE_RELATIVE_PATH, (match) => `${match}/`);
}
const splitPatternOptions = { parts: true };
function splitPattern(path) {
	var _result$parts;
	const result = picomatch.scan(path, splitPatternOptions);
	return ((_result$parts = result.parts) === null || _result$parts === void 0 ? void 0 : _result$parts.length) ? result.parts : [path];
}
const POSIX_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}*?|]|^!|[!+@](?=\()|\\(?![()[\]{}!*+?@|]))/g;
const WIN32_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}]|^!|[!+@](?=\())/g;
const escapePosixPath = (path) => path.replace(POSIX_UNESCAPED_GLOB_SYMBOLS, "\\$&");
const escapeWin32Path = (path) => path.replace(WIN32_UNESCAPED_GLOB_SYMBOLS, "\\$&");
/**
* Escapes a path's special characters depending on the platform.
* @see {@link https://superchupu.dev/tinyglobby/documentation#escapePath}
*/
/* node:coverage ignore next */
const escapePath = isWin ? escapeWin32Path : escapePosixPath;
/**
* Checks if a pattern has dynamic parts.
*
* Has a few minor differences with [`fast-glob`](https://github.com/mrmlnc/fast-glob) for better accuracy:
*
* - Doesn't necessarily return `false` on patterns that include `\`.
* - Returns `true` if the pattern includes parentheses, regardless of them representing one single pattern or not.
* - Returns `true` for unfinished glob extensions i.e. `(h`, `+(h`.
* - Returns `true` for unfinished brace expansions as long as they include `,` or `..`.
*
* @see {@link https://superchupu.dev/tinyglobby/documentation#isDynamicPattern}
*/
function isDynamicPattern(pattern, options) {
	const scan = picomatch.scan(pattern);
	return scan.isGlob || scan.negated;
}
function log(...tasks) {
	console.log(`[tinyglobby ${(/* @__PURE__ */ new Date()).toLocaleTimeString("es")}]`, ...tasks);
}
function ensureStringArray(value) {
	return typeof value === "string" ? [value] : value !== null && value !== void 0 ? value : [];
}
//#endregion
//#region src/patterns.ts
const PARENT_DIRECTORY = /^(\/?\.\.)+/;
const ESCAPING_BACKSLASHES = /\\(?=[()[\]{}!*+?@|])/g;
function normalizePattern(pattern, opts, props, isIgnore) {
	var _PARENT_DIRECTORY$exe;
	const cwd = opts.cwd;
	let result = pattern;
	if (pattern[pattern.length - 1] === "/") result = pattern.slice(0, -1);
	if (result[result.length - 1] !== "*" && opts.expandDirectories) result += "/**";
	const escapedCwd = escapePath(cwd);
	result = isAbsolute(result.replace(ESCAPING_BACKSLASHES, "")) ? posix.relative(escapedCwd, result) : posix.normalize(result);
	const parentDir = (_PARENT_DIRECTORY$exe = PARENT_DIRECTORY.exec(result)) === null || _PARENT_DIRECTORY$exe === void 0 ? void 0 : _PARENT_DIRECTORY$exe[0];
	const parts = splitPattern(result);
	if (parentDir) {
		const n = (parentDir.length + 1) / 3;
		let i = 0;
		const cwdParts = escapedCwd.split("/");
		while (i < n && parts[i + n] === cwdParts[cwdParts.length + i - n]) {
			result = result.slice(0, (n - i - 1) * 3) + result.slice((n - i) * 3 + parts[i + n].length + 1) || ".";
			i++;
		}
		const potentialRoot = posix.join(cwd, parentDir.slice(i * 3));
		if (potentialRoot[0] !== "." && props.root.length > potentialRoot.length) {
			props.root = ensureNonDriveRelativePath(potentialRoot);
			props.depthOffset = -n + i;
		}
	}
	if (!isIgnore && props.depthOffset >= 0) {
		var _props$commonPath;
		(_props$commonPath = props.commonPath) !== null && _props$commonPath !== void 0 || (props.commonPath = parts);
		const newCommonPath = [];
		const length = Math.min(props.commonPath.length, parts.length);
		for (let i = 0; i < length; i++) {
			const part = parts[i];
			if (part === "**" && !parts[i + 1]) {
				newCommonPath.pop();
				break;
			}
			if (i === parts.length - 1 || part !== props.commonPath[i] || isDynamicPattern(part)) break;
			newCommonPath.push(part);
		}
		props.depthOffset = newCommonPath.length;
		props.commonPath = newCommonPath;
		props.root = ensureNonDriveRelativePath(newCommonPath.length > 0 ? posix.join(cwd, ...newCommonPath) : cwd);
	}
	return result;
}
function processPatterns(options, patterns, props) {
	const matchPatterns = [];
	const ignorePatterns = [];
	for (const pattern of options.ignore) {
		if (!pattern) continue;
		if (pattern[0] !== "!" || pattern[1] === "(") ignorePatterns.push(normalizePattern(pattern, options, props, true));
	}
	for (const pattern of patterns) {
		if (!pattern) continue;
		if (pattern[0] !== "!" || pattern[1] === "(") matchPatterns.push(normalizePattern(pattern, options, props, false));
		else if (pattern[1] !== "!" || pattern[2] === "(") ignorePatterns.push(normalizePattern(pattern.slice(1), options, props, true));
	}
	return {
		match: matchPatterns,
		ignore: ignorePatterns
	};
}
//#endregion
//#region src/crawler.ts
function buildCrawler(options, patterns) {
	const cwd = options.cwd;
	const props = {
		root: cwd,
		depthOffset: 0
	};
	const processed = processPatterns(options, patterns, props);
	if (options.debug) log("internal processing patterns:", processed);
	const { absolute, caseSensitiveMatch, debug, dot, followSymbolicLinks, onlyDirectories } = options;
	const root = props.root.replace(BACKSLASHES, "");
	const matchOptions = {
		dot,
		nobrace: options.braceExpansion === false,
		nocase: !caseSensitiveMatch,
		noextglob: options.extglob === false,
		noglobstar: options.globstar === false,
		posix: true
	};
	const matcher = picomatch(processed.match, matchOptions);
	const ignore = picomatch(processed.ignore, matchOptions);
	const partialMatcher = getPartialMatcher(processed.match, matchOptions);
	const format = buildFormat(cwd, root, absolute);
	const excludeFormatter = absolute ? format : buildFormat(cwd, root, true);
	const excludePredicate = (_, p) => {
		const relativePath = excludeFormatter(p, true);
		return relativePath !== "." && !partialMatcher(relativePath) || ignore(relativePath);
	};
	let maxDepth;
	if (options.deep !== void 0) maxDepth = Math.round(options.deep - props.depthOffset);
	const crawler = new Builder({
		filters: [debug ? (p, isDirectory) => {
			const path = format(p, isDirectory);
			const matches = matcher(path) && !ignore(path);
			if (matches) log(`matched ${path}`);
			return matches;
		} : (p, isDirectory) => {
			const path = format(p, isDirectory);
			return matcher(path) && !ignore(path);
		}],
		exclude: debug ? (_, p) => {
			const skipped = excludePredicate(_, p);
			log(`${skipped ? "skipped" : "crawling"} ${p}`);
			return skipped;
		} : excludePredicate,
		fs: options.fs,
		pathSeparator: "/",
		relativePaths: !absolute,
		resolvePaths: absolute,
		includeBasePath: absolute,
		resolveSymlinks: followSymbolicLinks,
		excludeSymlinks: !followSymbolicLinks,
		excludeFiles: onlyDirectories,
		includeDirs: onlyDirectories || !options.onlyFiles,
		maxDepth,
		signal: options.signal
	}).crawl(root);
	if (options.debug) log("internal properties:", {
		...props,
		root
	});
	return [crawler, cwd !== root && !absolute && buildRelative(cwd, root)];
}
//#endregion
//#region src/index.ts
function formatPaths(paths, mapper) {
	if (mapper) for (let i = paths.length - 1; i >= 0; i--) paths[i] = mapper(paths[i]);
	return paths;
}
const defaultOptions = {
	caseSensitiveMatch: true,
	debug: !!process.env.TINYGLOBBY_DEBUG,
	expandDirectories: true,
	followSymbolicLinks: true,
	onlyFiles: true
};
function getOptions(options) {
	const opts = Object.assign({}, options);
	for (const key in defaultOptions) if (opts[key] === void 0) Object.assign(opts, { [key]: defaultOptions[key] });
	opts.cwd = (opts.cwd instanceof URL ? fileURLToPath(opts.cwd) : resolve(opts.cwd || process.cwd())).replace(BACKSLASHES, "/");
	opts.ignore = ensureStringArray(opts.ignore);
	opts.fs && (opts.fs = {
		readdir: opts.fs.readdir || readdir,
		readdirSync: opts.fs.readdirSync || readdirSync,
		realpath: opts.fs.realpath || realpath,
		realpathSync: opts.fs.realpathSync || realpathSync,
		stat: opts.fs.stat || stat,
		statSync: opts.fs.statSync || statSync
	});
	if (opts.debug) log("globbing with options:", opts);
	return opts;
}
function getCrawler(globInput, inputOptions = {}) {
	var _ref;
	if (globInput && (inputOptions === null || inputOptions === void 0 ? void 0 : inputOptions.patterns)) throw new Error("Cannot pass patterns as both an argument and an option");
	const isModern = isReadonlyArray(globInput) || typeof globInput === "string";
	const patterns = ensureStringArray((_ref = isModern ? globInput : globInput.patterns) !== null && _ref !== void 0 ? _ref : "**/*");
	const options = getOptions(isModern ? inputOptions : globInput);
	return patterns.length > 0 ? buildCrawler(options, patterns) : [];
}
async function glob(globInput, options) {
	const [crawler, relative] = getCrawler(globInput, options);
	return crawler ? formatPaths(await crawler.withPromise(), relative) : [];
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
    return raw => {
        const ts = timestamp(raw.ts ?? raw.timestamp ?? raw.start_time);
        if (ts === undefined)
            return NO_TIMESTAMP;
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
                raw['gen_ai.usage.cache_read.input_tokens']),
            cache_write_tokens: num(raw.cache_write_tokens ??
                raw.cache_creation_input_tokens ??
                raw['gen_ai.usage.cache_creation.input_tokens']),
            output_tokens: num(raw.output_tokens ?? raw.completion_tokens ?? raw['gen_ai.usage.output_tokens']),
            // gen_ai.request.model is a last resort: some instrumentations set only the requested model.
            model: idString(raw.model ?? raw['gen_ai.response.model'] ?? raw['gen_ai.request.model']),
            fingerprint: idString(raw.fingerprint ?? raw.system_fingerprint),
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
    return num(raw.prompt_tokens ?? raw['gen_ai.usage.input_tokens']);
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
const NO_ERROR_WORDS = new Set(['', 'false', 'null', 'none', 'ok', '0']);
/**
 * null / undefined / '' / false / 0 (and, from CSV, 'false', 'null', 'none', 'ok') -> no error;
 * a string -> that class in lower case; true -> 'error'; an object -> its `type` or `code`
 * (OpenAI and Anthropic error bodies); a number (an HTTP status) -> its digits.
 */
function errorClass(v) {
    if (v === null || v === undefined || v === false || v === 0)
        return null;
    if (typeof v === 'string') {
        const lower = v.toLowerCase();
        return NO_ERROR_WORDS.has(lower) ? null : lower;
    }
    if (v === true)
        return 'error';
    if (typeof v === 'number')
        return String(v);
    if (typeof v === 'object') {
        const cls = v.type ?? v.code;
        return typeof cls === 'string' || typeof cls === 'number' ? String(cls).toLowerCase() : 'error';
    }
    return 'error';
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
function epochMillis(n) {
    if (!Number.isFinite(n))
        return NaN;
    return n < EPOCH_SECONDS_BELOW ? n * 1000 : n;
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

const is_object = function (obj) {
  return typeof obj === "object" && obj !== null && !Array.isArray(obj);
};

class CsvError extends Error {
  constructor(code, message, options, ...contexts) {
    if (Array.isArray(message)) message = message.join(" ").trim();
    super(message);
    if (Error.captureStackTrace !== undefined) {
      Error.captureStackTrace(this, CsvError);
    }
    this.code = code;
    for (const context of contexts) {
      for (const key in context) {
        const value = context[key];
        this[key] = Buffer.isBuffer(value)
          ? value.toString(options.encoding)
          : value == null
            ? value
            : JSON.parse(JSON.stringify(value));
      }
    }
  }
}

const normalize_columns_array = function (columns) {
  const normalizedColumns = [];
  for (let i = 0, l = columns.length; i < l; i++) {
    const column = columns[i];
    if (column === undefined || column === null || column === false) {
      normalizedColumns[i] = { disabled: true };
    } else if (typeof column === "string" || typeof column === "number") {
      normalizedColumns[i] = { name: `${column}` };
    } else if (is_object(column)) {
      if (typeof column.name !== "string") {
        throw new CsvError("CSV_OPTION_COLUMNS_MISSING_NAME", [
          "Option columns missing name:",
          `property "name" is required at position ${i}`,
          "when column is an object literal",
        ]);
      }
      normalizedColumns[i] = column;
    } else {
      throw new CsvError("CSV_INVALID_COLUMN_DEFINITION", [
        "Invalid column definition:",
        "expect a string or a literal object,",
        `got ${JSON.stringify(column)} at position ${i}`,
      ]);
    }
  }
  return normalizedColumns;
};

class ResizeableBuffer {
  constructor(size = 100) {
    this.size = size;
    this.length = 0;
    this.buf = Buffer.allocUnsafe(size);
  }
  prepend(val) {
    if (Buffer.isBuffer(val)) {
      const length = this.length + val.length;
      if (length >= this.size) {
        this.resize();
        if (length >= this.size) {
          throw Error("INVALID_BUFFER_STATE");
        }
      }
      const buf = this.buf;
      this.buf = Buffer.allocUnsafe(this.size);
      val.copy(this.buf, 0);
      buf.copy(this.buf, val.length);
      this.length += val.length;
    } else {
      const length = this.length++;
      if (length === this.size) {
        this.resize();
      }
      const buf = this.clone();
      this.buf[0] = val;
      buf.copy(this.buf, 1, 0, length);
    }
  }
  append(val) {
    const length = this.length++;
    if (length === this.size) {
      this.resize();
    }
    this.buf[length] = val;
  }
  clone() {
    return Buffer.from(this.buf.slice(0, this.length));
  }
  resize() {
    const length = this.length;
    this.size = this.size * 2;
    const buf = Buffer.allocUnsafe(this.size);
    this.buf.copy(buf, 0, 0, length);
    this.buf = buf;
  }
  toString(encoding) {
    if (encoding) {
      return this.buf.slice(0, this.length).toString(encoding);
    } else {
      return Uint8Array.prototype.slice.call(this.buf.slice(0, this.length));
    }
  }
  toJSON() {
    return this.toString("utf8");
  }
  reset() {
    this.length = 0;
  }
}

// white space characters
// https://en.wikipedia.org/wiki/Whitespace_character
// https://developer.mozilla.org/en-US/docs/Web/JavaScript/Guide/Regular_Expressions/Character_Classes#Types
// \f\n\r\t\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff
const np = 12;
const cr$1 = 13; // `\r`, carriage return, 0x0D in hexadécimal, 13 in decimal
const nl$1 = 10; // `\n`, newline, 0x0A in hexadecimal, 10 in decimal
const space = 32;
const tab = 9;

const init_state = function (options) {
  return {
    bomSkipped: false,
    bufBytesStart: 0,
    castField: options.cast_function,
    commenting: false,
    // Current error encountered by a record
    error: undefined,
    enabled: options.from_line === 1,
    escaping: false,
    escapeIsQuote:
      Buffer.isBuffer(options.escape) &&
      Buffer.isBuffer(options.quote) &&
      Buffer.compare(options.escape, options.quote) === 0,
    // columns can be `false`, `true`, `Array`
    expectedRecordLength: Array.isArray(options.columns)
      ? options.columns.length
      : undefined,
    field: new ResizeableBuffer(20),
    firstLineToHeaders: options.cast_first_line_to_header,
    needMoreDataSize: Math.max(
      // Skip if the remaining buffer smaller than comment
      options.comment !== null ? options.comment.length : 0,
      // Skip if the remaining buffer can be delimiter
      ...options.delimiter.map((delimiter) => delimiter.length),
      // Skip if the remaining buffer can be escape sequence
      options.quote !== null ? options.quote.length : 0,
    ),
    previousBuf: undefined,
    quoting: false,
    stop: false,
    rawBuffer: new ResizeableBuffer(100),
    record: [],
    recordHasError: false,
    record_length: 0,
    recordDelimiterMaxLength:
      options.record_delimiter.length === 0
        ? 0
        : Math.max(...options.record_delimiter.map((v) => v.length)),
    trimChars: [
      Buffer.from(" ", options.encoding)[0],
      Buffer.from("\t", options.encoding)[0],
    ],
    wasQuoting: false,
    wasRowDelimiter: false,
    timchars: [
      Buffer.from(Buffer.from([cr$1], "utf8").toString(), options.encoding),
      Buffer.from(Buffer.from([nl$1], "utf8").toString(), options.encoding),
      Buffer.from(Buffer.from([np], "utf8").toString(), options.encoding),
      Buffer.from(Buffer.from([space], "utf8").toString(), options.encoding),
      Buffer.from(Buffer.from([tab], "utf8").toString(), options.encoding),
    ],
  };
};

const underscore = function (str) {
  return str.replace(/([A-Z])/g, function (_, match) {
    return "_" + match.toLowerCase();
  });
};

const normalize_options = function (opts) {
  const options = {};
  // Merge with user options
  for (const opt in opts) {
    options[underscore(opt)] = opts[opt];
  }
  // Normalize option `encoding`
  // Note: defined first because other options depends on it
  // to convert chars/strings into buffers.
  if (options.encoding === undefined || options.encoding === true) {
    options.encoding = "utf8";
  } else if (options.encoding === null || options.encoding === false) {
    options.encoding = null;
  } else if (
    typeof options.encoding !== "string" &&
    options.encoding !== null
  ) {
    throw new CsvError(
      "CSV_INVALID_OPTION_ENCODING",
      [
        "Invalid option encoding:",
        "encoding must be a string or null to return a buffer,",
        `got ${JSON.stringify(options.encoding)}`,
      ],
      options,
    );
  }
  // Normalize option `bom`
  if (
    options.bom === undefined ||
    options.bom === null ||
    options.bom === false
  ) {
    options.bom = false;
  } else if (options.bom !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_BOM",
      [
        "Invalid option bom:",
        "bom must be true,",
        `got ${JSON.stringify(options.bom)}`,
      ],
      options,
    );
  }
  // Normalize option `cast`
  options.cast_function = null;
  if (
    options.cast === undefined ||
    options.cast === null ||
    options.cast === false ||
    options.cast === ""
  ) {
    options.cast = undefined;
  } else if (typeof options.cast === "function") {
    options.cast_function = options.cast;
    options.cast = true;
  } else if (options.cast !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_CAST",
      [
        "Invalid option cast:",
        "cast must be true or a function,",
        `got ${JSON.stringify(options.cast)}`,
      ],
      options,
    );
  }
  // Normalize option `cast_date`
  if (
    options.cast_date === undefined ||
    options.cast_date === null ||
    options.cast_date === false ||
    options.cast_date === ""
  ) {
    options.cast_date = false;
  } else if (options.cast_date === true) {
    options.cast_date = function (value) {
      const date = Date.parse(value);
      return !isNaN(date) ? new Date(date) : value;
    };
  } else if (typeof options.cast_date !== "function") {
    throw new CsvError(
      "CSV_INVALID_OPTION_CAST_DATE",
      [
        "Invalid option cast_date:",
        "cast_date must be true or a function,",
        `got ${JSON.stringify(options.cast_date)}`,
      ],
      options,
    );
  }
  // Normalize option `columns`
  options.cast_first_line_to_header = undefined;
  if (options.columns === true) {
    // Fields in the first line are converted as-is to columns
    options.cast_first_line_to_header = undefined;
  } else if (typeof options.columns === "function") {
    options.cast_first_line_to_header = options.columns;
    options.columns = true;
  } else if (Array.isArray(options.columns)) {
    options.columns = normalize_columns_array(options.columns);
  } else if (
    options.columns === undefined ||
    options.columns === null ||
    options.columns === false
  ) {
    options.columns = false;
  } else {
    throw new CsvError(
      "CSV_INVALID_OPTION_COLUMNS",
      [
        "Invalid option columns:",
        "expect an array, a function or true,",
        `got ${JSON.stringify(options.columns)}`,
      ],
      options,
    );
  }
  // Normalize option `group_columns_by_name`
  if (
    options.group_columns_by_name === undefined ||
    options.group_columns_by_name === null ||
    options.group_columns_by_name === false
  ) {
    options.group_columns_by_name = false;
  } else if (options.group_columns_by_name !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_GROUP_COLUMNS_BY_NAME",
      [
        "Invalid option group_columns_by_name:",
        "expect an boolean,",
        `got ${JSON.stringify(options.group_columns_by_name)}`,
      ],
      options,
    );
  } else if (options.columns === false) {
    throw new CsvError(
      "CSV_INVALID_OPTION_GROUP_COLUMNS_BY_NAME",
      [
        "Invalid option group_columns_by_name:",
        "the `columns` mode must be activated.",
      ],
      options,
    );
  }
  // Normalize option `comment`
  if (
    options.comment === undefined ||
    options.comment === null ||
    options.comment === false ||
    options.comment === ""
  ) {
    options.comment = null;
  } else {
    if (typeof options.comment === "string") {
      options.comment = Buffer.from(options.comment, options.encoding);
    }
    if (!Buffer.isBuffer(options.comment)) {
      throw new CsvError(
        "CSV_INVALID_OPTION_COMMENT",
        [
          "Invalid option comment:",
          "comment must be a buffer or a string,",
          `got ${JSON.stringify(options.comment)}`,
        ],
        options,
      );
    }
  }
  // Normalize option `comment_no_infix`
  if (
    options.comment_no_infix === undefined ||
    options.comment_no_infix === null ||
    options.comment_no_infix === false
  ) {
    options.comment_no_infix = false;
  } else if (options.comment_no_infix !== true) {
    throw new CsvError(
      "CSV_INVALID_OPTION_COMMENT",
      [
        "Invalid option comment_no_infix:",
        "value must be a boolean,",
        `got ${JSON.stringify(options.comment_no_infix)}`,
      ],
      options,
    );
  }
  // Normalize option `delimiter`
  const delimiter_json = JSON.stringify(options.delimiter);
  if (!Array.isArray(options.delimiter))
    options.delimiter = [options.delimiter];
  if (options.delimiter.length === 0) {
    throw new CsvError(
      "CSV_INVALID_OPTION_DELIMITER",
      [
        "Invalid option delimiter:",
        "delimiter must be a non empty string or buffer or array of string|buffer,",
        `got ${delimiter_json}`,
      ],
      options,
    );
  }
  options.delimiter = options.delimiter.map(function (delimiter) {
    if (delimiter === undefined || delimiter === null || delimiter === false) {
      return Buffer.from(",", options.encoding);
    }
    if (typeof delimiter === "string") {
      delimiter = Buffer.from(delimiter, options.encoding);
    }
    if (!Buffer.isBuffer(delimiter) || delimiter.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_DELIMITER",
        [
          "Invalid option delimiter:",
          "delimiter must be a non empty string or buffer or array of string|buffer,",
          `got ${delimiter_json}`,
        ],
        options,
      );
    }
    return delimiter;
  });
  // Normalize option `escape`
  if (options.escape === undefined || options.escape === true) {
    options.escape = Buffer.from('"', options.encoding);
  } else if (typeof options.escape === "string") {
    options.escape = Buffer.from(options.escape, options.encoding);
  } else if (options.escape === null || options.escape === false) {
    options.escape = null;
  }
  if (options.escape !== null) {
    if (!Buffer.isBuffer(options.escape)) {
      throw new Error(
        `Invalid Option: escape must be a buffer, a string or a boolean, got ${JSON.stringify(options.escape)}`,
      );
    }
  }
  // Normalize option `from`
  if (options.from === undefined || options.from === null) {
    options.from = 1;
  } else {
    if (typeof options.from === "string" && /\d+/.test(options.from)) {
      options.from = parseInt(options.from);
    }
    if (Number.isInteger(options.from)) {
      if (options.from < 0) {
        throw new Error(
          `Invalid Option: from must be a positive integer, got ${JSON.stringify(opts.from)}`,
        );
      }
    } else {
      throw new Error(
        `Invalid Option: from must be an integer, got ${JSON.stringify(options.from)}`,
      );
    }
  }
  // Normalize option `from_line`
  if (options.from_line === undefined || options.from_line === null) {
    options.from_line = 1;
  } else {
    if (
      typeof options.from_line === "string" &&
      /\d+/.test(options.from_line)
    ) {
      options.from_line = parseInt(options.from_line);
    }
    if (Number.isInteger(options.from_line)) {
      if (options.from_line <= 0) {
        throw new Error(
          `Invalid Option: from_line must be a positive integer greater than 0, got ${JSON.stringify(opts.from_line)}`,
        );
      }
    } else {
      throw new Error(
        `Invalid Option: from_line must be an integer, got ${JSON.stringify(opts.from_line)}`,
      );
    }
  }
  // Normalize options `ignore_last_delimiters`
  if (
    options.ignore_last_delimiters === undefined ||
    options.ignore_last_delimiters === null
  ) {
    options.ignore_last_delimiters = false;
  } else if (typeof options.ignore_last_delimiters === "number") {
    options.ignore_last_delimiters = Math.floor(options.ignore_last_delimiters);
    if (options.ignore_last_delimiters === 0) {
      options.ignore_last_delimiters = false;
    }
  } else if (typeof options.ignore_last_delimiters !== "boolean") {
    throw new CsvError(
      "CSV_INVALID_OPTION_IGNORE_LAST_DELIMITERS",
      [
        "Invalid option `ignore_last_delimiters`:",
        "the value must be a boolean value or an integer,",
        `got ${JSON.stringify(options.ignore_last_delimiters)}`,
      ],
      options,
    );
  }
  if (options.ignore_last_delimiters === true && options.columns === false) {
    throw new CsvError(
      "CSV_IGNORE_LAST_DELIMITERS_REQUIRES_COLUMNS",
      [
        "The option `ignore_last_delimiters`",
        "requires the activation of the `columns` option",
      ],
      options,
    );
  }
  // Normalize option `info`
  if (
    options.info === undefined ||
    options.info === null ||
    options.info === false
  ) {
    options.info = false;
  } else if (options.info !== true) {
    throw new Error(
      `Invalid Option: info must be true, got ${JSON.stringify(options.info)}`,
    );
  }
  // Normalize option `max_record_size`
  if (
    options.max_record_size === undefined ||
    options.max_record_size === null ||
    options.max_record_size === false
  ) {
    options.max_record_size = 0;
  } else if (
    Number.isInteger(options.max_record_size) &&
    options.max_record_size >= 0
  ) ; else if (
    typeof options.max_record_size === "string" &&
    /\d+/.test(options.max_record_size)
  ) {
    options.max_record_size = parseInt(options.max_record_size);
  } else {
    throw new Error(
      `Invalid Option: max_record_size must be a positive integer, got ${JSON.stringify(options.max_record_size)}`,
    );
  }
  // Normalize option `objname`
  if (
    options.objname === undefined ||
    options.objname === null ||
    options.objname === false
  ) {
    options.objname = undefined;
  } else if (Buffer.isBuffer(options.objname)) {
    if (options.objname.length === 0) {
      throw new Error(`Invalid Option: objname must be a non empty buffer`);
    }
    if (options.encoding === null) ; else {
      options.objname = options.objname.toString(options.encoding);
    }
  } else if (typeof options.objname === "string") {
    if (options.objname.length === 0) {
      throw new Error(`Invalid Option: objname must be a non empty string`);
    }
    // Great, nothing to do
  } else if (typeof options.objname === "number") ; else {
    throw new Error(
      `Invalid Option: objname must be a string or a buffer, got ${options.objname}`,
    );
  }
  if (options.objname !== undefined) {
    if (typeof options.objname === "number") {
      if (options.columns !== false) {
        throw Error(
          "Invalid Option: objname index cannot be combined with columns or be defined as a field",
        );
      }
    } else {
      // A string or a buffer
      if (options.columns === false) {
        throw Error(
          "Invalid Option: objname field must be combined with columns or be defined as an index",
        );
      }
    }
  }
  // Normalize option `on_record`
  if (options.on_record === undefined || options.on_record === null) {
    options.on_record = undefined;
  } else if (typeof options.on_record !== "function") {
    throw new CsvError(
      "CSV_INVALID_OPTION_ON_RECORD",
      [
        "Invalid option `on_record`:",
        "expect a function,",
        `got ${JSON.stringify(options.on_record)}`,
      ],
      options,
    );
  }
  // Normalize option `on_skip`
  // options.on_skip ??= (err, chunk) => {
  //   this.emit('skip', err, chunk);
  // };
  if (
    options.on_skip !== undefined &&
    options.on_skip !== null &&
    typeof options.on_skip !== "function"
  ) {
    throw new Error(
      `Invalid Option: on_skip must be a function, got ${JSON.stringify(options.on_skip)}`,
    );
  }
  // Normalize option `quote`
  if (
    options.quote === null ||
    options.quote === false ||
    options.quote === ""
  ) {
    options.quote = null;
  } else {
    if (options.quote === undefined || options.quote === true) {
      options.quote = Buffer.from('"', options.encoding);
    } else if (typeof options.quote === "string") {
      options.quote = Buffer.from(options.quote, options.encoding);
    }
    if (!Buffer.isBuffer(options.quote)) {
      throw new Error(
        `Invalid Option: quote must be a buffer or a string, got ${JSON.stringify(options.quote)}`,
      );
    }
  }
  // Normalize option `raw`
  if (
    options.raw === undefined ||
    options.raw === null ||
    options.raw === false
  ) {
    options.raw = false;
  } else if (options.raw !== true) {
    throw new Error(
      `Invalid Option: raw must be true, got ${JSON.stringify(options.raw)}`,
    );
  }
  // Normalize option `record_delimiter`
  if (options.record_delimiter === undefined) {
    options.record_delimiter = [];
  } else if (
    typeof options.record_delimiter === "string" ||
    Buffer.isBuffer(options.record_delimiter)
  ) {
    if (options.record_delimiter.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a non empty string or buffer,",
          `got ${JSON.stringify(options.record_delimiter)}`,
        ],
        options,
      );
    }
    options.record_delimiter = [options.record_delimiter];
  } else if (!Array.isArray(options.record_delimiter)) {
    throw new CsvError(
      "CSV_INVALID_OPTION_RECORD_DELIMITER",
      [
        "Invalid option `record_delimiter`:",
        "value must be a string, a buffer or array of string|buffer,",
        `got ${JSON.stringify(options.record_delimiter)}`,
      ],
      options,
    );
  }
  options.record_delimiter = options.record_delimiter.map(function (rd, i) {
    if (typeof rd !== "string" && !Buffer.isBuffer(rd)) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a string, a buffer or array of string|buffer",
          `at index ${i},`,
          `got ${JSON.stringify(rd)}`,
        ],
        options,
      );
    } else if (rd.length === 0) {
      throw new CsvError(
        "CSV_INVALID_OPTION_RECORD_DELIMITER",
        [
          "Invalid option `record_delimiter`:",
          "value must be a non empty string or buffer",
          `at index ${i},`,
          `got ${JSON.stringify(rd)}`,
        ],
        options,
      );
    }
    if (typeof rd === "string") {
      rd = Buffer.from(rd, options.encoding);
    }
    return rd;
  });
  // Normalize option `relax_column_count`
  if (typeof options.relax_column_count === "boolean") ; else if (
    options.relax_column_count === undefined ||
    options.relax_column_count === null
  ) {
    options.relax_column_count = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count must be a boolean, got ${JSON.stringify(options.relax_column_count)}`,
    );
  }
  if (typeof options.relax_column_count_less === "boolean") ; else if (
    options.relax_column_count_less === undefined ||
    options.relax_column_count_less === null
  ) {
    options.relax_column_count_less = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count_less must be a boolean, got ${JSON.stringify(options.relax_column_count_less)}`,
    );
  }
  if (typeof options.relax_column_count_more === "boolean") ; else if (
    options.relax_column_count_more === undefined ||
    options.relax_column_count_more === null
  ) {
    options.relax_column_count_more = false;
  } else {
    throw new Error(
      `Invalid Option: relax_column_count_more must be a boolean, got ${JSON.stringify(options.relax_column_count_more)}`,
    );
  }
  // Normalize option `relax_quotes`
  if (typeof options.relax_quotes === "boolean") ; else if (
    options.relax_quotes === undefined ||
    options.relax_quotes === null
  ) {
    options.relax_quotes = false;
  } else {
    throw new Error(
      `Invalid Option: relax_quotes must be a boolean, got ${JSON.stringify(options.relax_quotes)}`,
    );
  }
  // Normalize option `skip_empty_lines`
  if (typeof options.skip_empty_lines === "boolean") ; else if (
    options.skip_empty_lines === undefined ||
    options.skip_empty_lines === null
  ) {
    options.skip_empty_lines = false;
  } else {
    throw new Error(
      `Invalid Option: skip_empty_lines must be a boolean, got ${JSON.stringify(options.skip_empty_lines)}`,
    );
  }
  // Normalize option `skip_records_with_empty_values`
  if (typeof options.skip_records_with_empty_values === "boolean") ; else if (
    options.skip_records_with_empty_values === undefined ||
    options.skip_records_with_empty_values === null
  ) {
    options.skip_records_with_empty_values = false;
  } else {
    throw new Error(
      `Invalid Option: skip_records_with_empty_values must be a boolean, got ${JSON.stringify(options.skip_records_with_empty_values)}`,
    );
  }
  // Normalize option `skip_records_with_error`
  if (typeof options.skip_records_with_error === "boolean") ; else if (
    options.skip_records_with_error === undefined ||
    options.skip_records_with_error === null
  ) {
    options.skip_records_with_error = false;
  } else {
    throw new Error(
      `Invalid Option: skip_records_with_error must be a boolean, got ${JSON.stringify(options.skip_records_with_error)}`,
    );
  }
  // Normalize option `rtrim`
  if (
    options.rtrim === undefined ||
    options.rtrim === null ||
    options.rtrim === false
  ) {
    options.rtrim = false;
  } else if (options.rtrim !== true) {
    throw new Error(
      `Invalid Option: rtrim must be a boolean, got ${JSON.stringify(options.rtrim)}`,
    );
  }
  // Normalize option `ltrim`
  if (
    options.ltrim === undefined ||
    options.ltrim === null ||
    options.ltrim === false
  ) {
    options.ltrim = false;
  } else if (options.ltrim !== true) {
    throw new Error(
      `Invalid Option: ltrim must be a boolean, got ${JSON.stringify(options.ltrim)}`,
    );
  }
  // Normalize option `trim`
  if (
    options.trim === undefined ||
    options.trim === null ||
    options.trim === false
  ) {
    options.trim = false;
  } else if (options.trim !== true) {
    throw new Error(
      `Invalid Option: trim must be a boolean, got ${JSON.stringify(options.trim)}`,
    );
  }
  // Normalize options `trim`, `ltrim` and `rtrim`
  if (options.trim === true && opts.ltrim !== false) {
    options.ltrim = true;
  } else if (options.ltrim !== true) {
    options.ltrim = false;
  }
  if (options.trim === true && opts.rtrim !== false) {
    options.rtrim = true;
  } else if (options.rtrim !== true) {
    options.rtrim = false;
  }
  // Normalize option `to`
  if (options.to === undefined || options.to === null) {
    options.to = -1;
  } else if (options.to !== -1) {
    if (typeof options.to === "string" && /\d+/.test(options.to)) {
      options.to = parseInt(options.to);
    }
    if (Number.isInteger(options.to)) {
      if (options.to <= 0) {
        throw new Error(
          `Invalid Option: to must be a positive integer greater than 0, got ${JSON.stringify(opts.to)}`,
        );
      }
    } else {
      throw new Error(
        `Invalid Option: to must be an integer, got ${JSON.stringify(opts.to)}`,
      );
    }
  }
  // Normalize option `to_line`
  if (options.to_line === undefined || options.to_line === null) {
    options.to_line = -1;
  } else if (options.to_line !== -1) {
    if (typeof options.to_line === "string" && /\d+/.test(options.to_line)) {
      options.to_line = parseInt(options.to_line);
    }
    if (Number.isInteger(options.to_line)) {
      if (options.to_line <= 0) {
        throw new Error(
          `Invalid Option: to_line must be a positive integer greater than 0, got ${JSON.stringify(opts.to_line)}`,
        );
      }
    } else {
      throw new Error(
        `Invalid Option: to_line must be an integer, got ${JSON.stringify(opts.to_line)}`,
      );
    }
  }
  return options;
};

const isRecordEmpty = function (record) {
  return record.every(
    (field) =>
      field == null || (field.toString && field.toString().trim() === ""),
  );
};

const cr = 13; // `\r`, carriage return, 0x0D in hexadécimal, 13 in decimal
const nl = 10; // `\n`, newline, 0x0A in hexadecimal, 10 in decimal

const boms = {
  // Note, the following are equals:
  // Buffer.from("\ufeff")
  // Buffer.from([239, 187, 191])
  // Buffer.from('EFBBBF', 'hex')
  utf8: Buffer.from([239, 187, 191]),
  // Note, the following are equals:
  // Buffer.from "\ufeff", 'utf16le
  // Buffer.from([255, 254])
  utf16le: Buffer.from([255, 254]),
};

const transform = function (original_options = {}) {
  const info = {
    bytes: 0,
    bytes_records: 0,
    comment_lines: 0,
    empty_lines: 0,
    invalid_field_length: 0,
    lines: 1,
    records: 0,
  };
  const options = normalize_options(original_options);
  return {
    info: info,
    original_options: original_options,
    options: options,
    state: init_state(options),
    __needMoreData: function (i, bufLen, end) {
      if (end) return false;
      const { encoding, escape, quote } = this.options;
      const { quoting, needMoreDataSize, recordDelimiterMaxLength } =
        this.state;
      const numOfCharLeft = bufLen - i - 1;
      const requiredLength = Math.max(
        needMoreDataSize,
        // Skip if the remaining buffer smaller than record delimiter
        // If "record_delimiter" is yet to be discovered:
        // 1. It is equals to `[]` and "recordDelimiterMaxLength" equals `0`
        // 2. We set the length to windows line ending in the current encoding
        // Note, that encoding is known from user or bom discovery at that point
        // recordDelimiterMaxLength,
        recordDelimiterMaxLength === 0
          ? Buffer.from("\r\n", encoding).length
          : recordDelimiterMaxLength,
        // Skip if remaining buffer can be an escaped quote
        quoting ? (escape === null ? 0 : escape.length) + quote.length : 0,
        // Skip if remaining buffer can be record delimiter following the closing quote
        quoting ? quote.length + recordDelimiterMaxLength : 0,
      );
      return numOfCharLeft < requiredLength;
    },
    // Central parser implementation
    parse: function (nextBuf, end, push, close) {
      const {
        bom,
        comment_no_infix,
        encoding,
        from_line,
        ltrim,
        max_record_size,
        raw,
        relax_quotes,
        rtrim,
        skip_empty_lines,
        to,
        to_line,
      } = this.options;
      let { comment, escape, quote, record_delimiter } = this.options;
      const { bomSkipped, previousBuf, rawBuffer, escapeIsQuote } = this.state;
      let buf;
      if (previousBuf === undefined) {
        if (nextBuf === undefined) {
          // Handle empty string
          close();
          return;
        } else {
          buf = nextBuf;
        }
      } else if (previousBuf !== undefined && nextBuf === undefined) {
        buf = previousBuf;
      } else {
        buf = Buffer.concat([previousBuf, nextBuf]);
      }
      // Handle UTF BOM
      if (bomSkipped === false) {
        if (bom === false) {
          this.state.bomSkipped = true;
        } else if (buf.length < 3) {
          // No enough data
          if (end === false) {
            // Wait for more data
            this.state.previousBuf = buf;
            return;
          }
        } else {
          for (const encoding in boms) {
            if (boms[encoding].compare(buf, 0, boms[encoding].length) === 0) {
              // Skip BOM
              const bomLength = boms[encoding].length;
              this.state.bufBytesStart += bomLength;
              buf = buf.slice(bomLength);
              // Renormalize original options with the new encoding
              const options = normalize_options({
                ...this.original_options,
                encoding: encoding,
              });
              // Properties are merged with the existing options instance
              for (const key in options) {
                this.options[key] = options[key];
              }
              // Options will re-evaluate the Buffer with the new encoding
              ({ comment, escape, quote } = this.options);
              break;
            }
          }
          this.state.bomSkipped = true;
        }
      }
      const bufLen = buf.length;
      let pos;
      for (pos = 0; pos < bufLen; pos++) {
        // Ensure we get enough space to look ahead
        // There should be a way to move this out of the loop
        if (this.__needMoreData(pos, bufLen, end)) {
          break;
        }
        if (this.state.wasRowDelimiter === true) {
          this.info.lines++;
          this.state.wasRowDelimiter = false;
        }
        if (to_line !== -1 && this.info.lines > to_line) {
          this.state.stop = true;
          close();
          return;
        }
        // Auto discovery of record_delimiter, unix, mac and windows supported
        if (this.state.quoting === false && record_delimiter.length === 0) {
          const record_delimiterCount = this.__autoDiscoverRecordDelimiter(
            buf,
            pos,
          );
          if (record_delimiterCount) {
            record_delimiter = this.options.record_delimiter;
          }
        }
        const chr = buf[pos];
        if (raw === true) {
          rawBuffer.append(chr);
        }
        if (
          (chr === cr || chr === nl) &&
          this.state.wasRowDelimiter === false
        ) {
          this.state.wasRowDelimiter = true;
        }
        // Previous char was a valid escape char
        // treat the current char as a regular char
        if (this.state.escaping === true) {
          this.state.escaping = false;
        } else {
          // Escape is only active inside quoted fields
          // We are quoting, the char is an escape chr and there is a chr to escape
          // if(escape !== null && this.state.quoting === true && chr === escape && pos + 1 < bufLen){
          if (
            escape !== null &&
            this.state.quoting === true &&
            this.__isEscape(buf, pos, chr) &&
            pos + escape.length < bufLen
          ) {
            if (escapeIsQuote) {
              if (this.__isQuote(buf, pos + escape.length)) {
                this.state.escaping = true;
                pos += escape.length - 1;
                continue;
              }
            } else {
              this.state.escaping = true;
              pos += escape.length - 1;
              continue;
            }
          }
          // Not currently escaping and chr is a quote
          // TODO: need to compare bytes instead of single char
          if (this.state.commenting === false && this.__isQuote(buf, pos)) {
            if (this.state.quoting === true) {
              const nextChr = buf[pos + quote.length];
              const isNextChrTrimable =
                rtrim && this.__isCharTrimable(buf, pos + quote.length);
              const isNextChrComment =
                comment !== null &&
                this.__compareBytes(comment, buf, pos + quote.length, nextChr);
              const isNextChrDelimiter = this.__isDelimiter(
                buf,
                pos + quote.length,
                nextChr,
              );
              const isNextChrRecordDelimiter =
                record_delimiter.length === 0
                  ? this.__autoDiscoverRecordDelimiter(buf, pos + quote.length)
                  : this.__isRecordDelimiter(nextChr, buf, pos + quote.length);
              // Escape a quote
              // Treat next char as a regular character
              if (
                escape !== null &&
                this.__isEscape(buf, pos, chr) &&
                this.__isQuote(buf, pos + escape.length)
              ) {
                pos += escape.length - 1;
              } else if (
                !nextChr ||
                isNextChrDelimiter ||
                isNextChrRecordDelimiter ||
                isNextChrComment ||
                isNextChrTrimable
              ) {
                this.state.quoting = false;
                this.state.wasQuoting = true;
                pos += quote.length - 1;
                continue;
              } else if (relax_quotes === false) {
                const err = this.__error(
                  new CsvError(
                    "CSV_INVALID_CLOSING_QUOTE",
                    [
                      "Invalid Closing Quote:",
                      `got "${String.fromCharCode(nextChr)}"`,
                      `at line ${this.info.lines}`,
                      "instead of delimiter, record delimiter, trimable character",
                      "(if activated) or comment",
                    ],
                    this.options,
                    this.__infoField(),
                  ),
                );
                if (err !== undefined) return err;
              } else {
                this.state.quoting = false;
                this.state.wasQuoting = true;
                this.state.field.prepend(quote);
                pos += quote.length - 1;
              }
            } else {
              if (this.state.field.length !== 0) {
                // In relax_quotes mode, treat opening quote preceded by chrs as regular
                if (relax_quotes === false) {
                  const info = this.__infoField();
                  const bom = Object.keys(boms)
                    .map((b) =>
                      boms[b].equals(this.state.field.toString()) ? b : false,
                    )
                    .filter(Boolean)[0];
                  const err = this.__error(
                    new CsvError(
                      "INVALID_OPENING_QUOTE",
                      [
                        "Invalid Opening Quote:",
                        `a quote is found on field ${JSON.stringify(info.column)} at line ${info.lines}, value is ${JSON.stringify(this.state.field.toString(encoding))}`,
                        bom ? `(${bom} bom)` : undefined,
                      ],
                      this.options,
                      info,
                      {
                        field: this.state.field,
                      },
                    ),
                  );
                  if (err !== undefined) return err;
                }
              } else {
                this.state.quoting = true;
                pos += quote.length - 1;
                continue;
              }
            }
          }
          if (this.state.quoting === false) {
            const recordDelimiterLength = this.__isRecordDelimiter(
              chr,
              buf,
              pos,
            );
            if (recordDelimiterLength !== 0) {
              // Do not emit comments which take a full line
              const skipCommentLine =
                this.state.commenting &&
                this.state.wasQuoting === false &&
                this.state.record.length === 0 &&
                this.state.field.length === 0;
              if (skipCommentLine) {
                this.info.comment_lines++;
                // Skip full comment line
              } else {
                // Activate records emission if above from_line
                if (
                  this.state.enabled === false &&
                  this.info.lines +
                    (this.state.wasRowDelimiter === true ? 1 : 0) >=
                    from_line
                ) {
                  this.state.enabled = true;
                  this.__resetField();
                  this.__resetRecord();
                  pos += recordDelimiterLength - 1;
                  continue;
                }
                // Skip if line is empty and skip_empty_lines activated
                if (
                  skip_empty_lines === true &&
                  this.state.wasQuoting === false &&
                  this.state.record.length === 0 &&
                  this.state.field.length === 0
                ) {
                  this.info.empty_lines++;
                  pos += recordDelimiterLength - 1;
                  continue;
                }
                this.info.bytes = this.state.bufBytesStart + pos;
                const errField = this.__onField();
                if (errField !== undefined) return errField;
                this.info.bytes =
                  this.state.bufBytesStart + pos + recordDelimiterLength;
                const errRecord = this.__onRecord(push);
                if (errRecord !== undefined) return errRecord;
                if (to !== -1 && this.info.records >= to) {
                  this.state.stop = true;
                  close();
                  return;
                }
              }
              this.state.commenting = false;
              pos += recordDelimiterLength - 1;
              continue;
            }
            if (this.state.commenting) {
              continue;
            }
            if (
              comment !== null &&
              (comment_no_infix === false ||
                (this.state.record.length === 0 &&
                  this.state.field.length === 0))
            ) {
              const commentCount = this.__compareBytes(comment, buf, pos, chr);
              if (commentCount !== 0) {
                this.state.commenting = true;
                continue;
              }
            }
            const delimiterLength = this.__isDelimiter(buf, pos, chr);
            if (delimiterLength !== 0) {
              this.info.bytes = this.state.bufBytesStart + pos;
              const errField = this.__onField();
              if (errField !== undefined) return errField;
              pos += delimiterLength - 1;
              continue;
            }
          }
        }
        if (this.state.commenting === false) {
          if (
            max_record_size !== 0 &&
            this.state.record_length + this.state.field.length > max_record_size
          ) {
            return this.__error(
              new CsvError(
                "CSV_MAX_RECORD_SIZE",
                [
                  "Max Record Size:",
                  "record exceed the maximum number of tolerated bytes",
                  `of ${max_record_size}`,
                  `at line ${this.info.lines}`,
                ],
                this.options,
                this.__infoField(),
              ),
            );
          }
        }
        const lappend =
          ltrim === false ||
          this.state.quoting === true ||
          this.state.field.length !== 0 ||
          !this.__isCharTrimable(buf, pos);
        // rtrim in non quoting is handle in __onField
        const rappend = rtrim === false || this.state.wasQuoting === false;
        if (lappend === true && rappend === true) {
          this.state.field.append(chr);
        } else if (rtrim === true && !this.__isCharTrimable(buf, pos)) {
          return this.__error(
            new CsvError(
              "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE",
              [
                "Invalid Closing Quote:",
                "found non trimable byte after quote",
                `at line ${this.info.lines}`,
              ],
              this.options,
              this.__infoField(),
            ),
          );
        } else {
          if (lappend === false) {
            pos += this.__isCharTrimable(buf, pos) - 1;
          }
          continue;
        }
      }
      if (end === true) {
        // Ensure we are not ending in a quoting state
        if (this.state.quoting === true) {
          const err = this.__error(
            new CsvError(
              "CSV_QUOTE_NOT_CLOSED",
              [
                "Quote Not Closed:",
                `the parsing is finished with an opening quote at line ${this.info.lines}`,
              ],
              this.options,
              this.__infoField(),
            ),
          );
          if (err !== undefined) return err;
        } else {
          // Skip last line if it has no characters
          if (
            this.state.wasQuoting === true ||
            this.state.record.length !== 0 ||
            this.state.field.length !== 0
          ) {
            this.info.bytes = this.state.bufBytesStart + pos;
            const errField = this.__onField();
            if (errField !== undefined) return errField;
            const errRecord = this.__onRecord(push);
            if (errRecord !== undefined) return errRecord;
          } else if (this.state.wasRowDelimiter === true) {
            this.info.empty_lines++;
          } else if (this.state.commenting === true) {
            this.info.comment_lines++;
          }
        }
      } else {
        this.state.bufBytesStart += pos;
        this.state.previousBuf = buf.slice(pos);
      }
      if (this.state.wasRowDelimiter === true) {
        this.info.lines++;
        this.state.wasRowDelimiter = false;
      }
    },
    __onRecord: function (push) {
      const {
        columns,
        group_columns_by_name,
        encoding,
        info,
        from,
        relax_column_count,
        relax_column_count_less,
        relax_column_count_more,
        raw,
        skip_records_with_empty_values,
      } = this.options;
      const { enabled, record } = this.state;
      if (enabled === false) {
        return this.__resetRecord();
      }
      // Convert the first line into column names
      const recordLength = record.length;
      if (columns === true) {
        if (skip_records_with_empty_values === true && isRecordEmpty(record)) {
          this.__resetRecord();
          return;
        }
        return this.__firstLineToColumns(record);
      }
      if (columns === false && this.info.records === 0) {
        this.state.expectedRecordLength = recordLength;
      }
      if (recordLength !== this.state.expectedRecordLength) {
        const err =
          columns === false
            ? new CsvError(
                "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH",
                [
                  "Invalid Record Length:",
                  `expect ${this.state.expectedRecordLength},`,
                  `got ${recordLength} on line ${this.info.lines}`,
                ],
                this.options,
                this.__infoField(),
                {
                  record: record,
                },
              )
            : new CsvError(
                "CSV_RECORD_INCONSISTENT_COLUMNS",
                [
                  "Invalid Record Length:",
                  `columns length is ${columns.length},`, // rename columns
                  `got ${recordLength} on line ${this.info.lines}`,
                ],
                this.options,
                this.__infoField(),
                {
                  record: record,
                },
              );
        if (
          relax_column_count === true ||
          (relax_column_count_less === true &&
            recordLength < this.state.expectedRecordLength) ||
          (relax_column_count_more === true &&
            recordLength > this.state.expectedRecordLength)
        ) {
          this.info.invalid_field_length++;
          this.state.error = err;
          // Error is undefined with skip_records_with_error
        } else {
          const finalErr = this.__error(err);
          if (finalErr) return finalErr;
        }
      }
      if (skip_records_with_empty_values === true && isRecordEmpty(record)) {
        this.__resetRecord();
        return;
      }
      if (this.state.recordHasError === true) {
        this.__resetRecord();
        this.state.recordHasError = false;
        return;
      }
      this.info.records++;
      if (from === 1 || this.info.records >= from) {
        const { objname } = this.options;
        // With columns, records are object
        if (columns !== false) {
          const obj = {};
          // Transform record array to an object
          for (let i = 0, l = record.length; i < l; i++) {
            if (columns[i] === undefined || columns[i].disabled) continue;
            // Turn duplicate columns into an array
            if (
              group_columns_by_name === true &&
              obj[columns[i].name] !== undefined
            ) {
              if (Array.isArray(obj[columns[i].name])) {
                obj[columns[i].name] = obj[columns[i].name].concat(record[i]);
              } else {
                obj[columns[i].name] = [obj[columns[i].name], record[i]];
              }
            } else {
              obj[columns[i].name] = record[i];
            }
          }
          // Without objname (default)
          if (raw === true || info === true) {
            const extRecord = Object.assign(
              { record: obj },
              raw === true
                ? { raw: this.state.rawBuffer.toString(encoding) }
                : {},
              info === true ? { info: this.__infoRecord() } : {},
            );
            const err = this.__push(
              objname === undefined ? extRecord : [obj[objname], extRecord],
              push,
            );
            if (err) {
              return err;
            }
          } else {
            const err = this.__push(
              objname === undefined ? obj : [obj[objname], obj],
              push,
            );
            if (err) {
              return err;
            }
          }
          // Without columns, records are array
        } else {
          if (raw === true || info === true) {
            const extRecord = Object.assign(
              { record: record },
              raw === true
                ? { raw: this.state.rawBuffer.toString(encoding) }
                : {},
              info === true ? { info: this.__infoRecord() } : {},
            );
            const err = this.__push(
              objname === undefined ? extRecord : [record[objname], extRecord],
              push,
            );
            if (err) {
              return err;
            }
          } else {
            const err = this.__push(
              objname === undefined ? record : [record[objname], record],
              push,
            );
            if (err) {
              return err;
            }
          }
        }
      }
      this.__resetRecord();
    },
    __firstLineToColumns: function (record) {
      const { firstLineToHeaders } = this.state;
      try {
        const headers =
          firstLineToHeaders === undefined
            ? record
            : firstLineToHeaders.call(null, record);
        if (!Array.isArray(headers)) {
          return this.__error(
            new CsvError(
              "CSV_INVALID_COLUMN_MAPPING",
              [
                "Invalid Column Mapping:",
                "expect an array from column function,",
                `got ${JSON.stringify(headers)}`,
              ],
              this.options,
              this.__infoField(),
              {
                headers: headers,
              },
            ),
          );
        }
        const normalizedHeaders = normalize_columns_array(headers);
        this.state.expectedRecordLength = normalizedHeaders.length;
        this.options.columns = normalizedHeaders;
        this.__resetRecord();
        return;
      } catch (err) {
        return err;
      }
    },
    __resetRecord: function () {
      if (this.options.raw === true) {
        this.state.rawBuffer.reset();
      }
      this.state.error = undefined;
      this.state.record = [];
      this.state.record_length = 0;
    },
    __onField: function () {
      const { cast, encoding, rtrim, max_record_size } = this.options;
      const { enabled, wasQuoting } = this.state;
      // Short circuit for the from_line options
      if (enabled === false) {
        return this.__resetField();
      }
      let field = this.state.field.toString(encoding);
      if (rtrim === true && wasQuoting === false) {
        field = field.trimRight();
      }
      if (cast === true) {
        const [err, f] = this.__cast(field);
        if (err !== undefined) return err;
        field = f;
      }
      this.state.record.push(field);
      // Increment record length if record size must not exceed a limit
      if (max_record_size !== 0 && typeof field === "string") {
        this.state.record_length += field.length;
      }
      this.__resetField();
    },
    __resetField: function () {
      this.state.field.reset();
      this.state.wasQuoting = false;
    },
    __push: function (record, push) {
      const { on_record } = this.options;
      if (on_record !== undefined) {
        const info = this.__infoRecord();
        try {
          record = on_record.call(null, record, info);
        } catch (err) {
          return err;
        }
        if (record === undefined || record === null) {
          return;
        }
      }
      this.info.bytes_records += this.info.bytes;
      push(record);
    },
    // Return a tuple with the error and the casted value
    __cast: function (field) {
      const { columns, relax_column_count } = this.options;
      const isColumns = Array.isArray(columns);
      // Dont loose time calling cast
      // because the final record is an object
      // and this field can't be associated to a key present in columns
      if (
        isColumns === true &&
        relax_column_count &&
        this.options.columns.length <= this.state.record.length
      ) {
        return [undefined, undefined];
      }
      if (this.state.castField !== null) {
        try {
          const info = this.__infoField();
          return [undefined, this.state.castField.call(null, field, info)];
        } catch (err) {
          return [err];
        }
      }
      if (this.__isFloat(field)) {
        return [undefined, parseFloat(field)];
      } else if (this.options.cast_date !== false) {
        const info = this.__infoField();
        return [undefined, this.options.cast_date.call(null, field, info)];
      }
      return [undefined, field];
    },
    // Helper to test if a character is a space or a line delimiter
    __isCharTrimable: function (buf, pos) {
      const isTrim = (buf, pos) => {
        const { timchars } = this.state;
        loop1: for (let i = 0; i < timchars.length; i++) {
          const timchar = timchars[i];
          for (let j = 0; j < timchar.length; j++) {
            if (timchar[j] !== buf[pos + j]) continue loop1;
          }
          return timchar.length;
        }
        return 0;
      };
      return isTrim(buf, pos);
    },
    // Keep it in case we implement the `cast_int` option
    // __isInt(value){
    //   // return Number.isInteger(parseInt(value))
    //   // return !isNaN( parseInt( obj ) );
    //   return /^(\-|\+)?[1-9][0-9]*$/.test(value)
    // }
    __isFloat: function (value) {
      return value - parseFloat(value) + 1 >= 0; // Borrowed from jquery
    },
    __compareBytes: function (sourceBuf, targetBuf, targetPos, firstByte) {
      if (sourceBuf[0] !== firstByte) return 0;
      const sourceLength = sourceBuf.length;
      for (let i = 1; i < sourceLength; i++) {
        if (sourceBuf[i] !== targetBuf[targetPos + i]) return 0;
      }
      return sourceLength;
    },
    __isDelimiter: function (buf, pos, chr) {
      const { delimiter, ignore_last_delimiters } = this.options;
      if (
        ignore_last_delimiters === true &&
        this.state.record.length === this.options.columns.length - 1
      ) {
        return 0;
      } else if (
        ignore_last_delimiters !== false &&
        typeof ignore_last_delimiters === "number" &&
        this.state.record.length === ignore_last_delimiters - 1
      ) {
        return 0;
      }
      loop1: for (let i = 0; i < delimiter.length; i++) {
        const del = delimiter[i];
        if (del[0] === chr) {
          for (let j = 1; j < del.length; j++) {
            if (del[j] !== buf[pos + j]) continue loop1;
          }
          return del.length;
        }
      }
      return 0;
    },
    __isRecordDelimiter: function (chr, buf, pos) {
      const { record_delimiter } = this.options;
      const recordDelimiterLength = record_delimiter.length;
      loop1: for (let i = 0; i < recordDelimiterLength; i++) {
        const rd = record_delimiter[i];
        const rdLength = rd.length;
        if (rd[0] !== chr) {
          continue;
        }
        for (let j = 1; j < rdLength; j++) {
          if (rd[j] !== buf[pos + j]) {
            continue loop1;
          }
        }
        return rd.length;
      }
      return 0;
    },
    __isEscape: function (buf, pos, chr) {
      const { escape } = this.options;
      if (escape === null) return false;
      const l = escape.length;
      if (escape[0] === chr) {
        for (let i = 0; i < l; i++) {
          if (escape[i] !== buf[pos + i]) {
            return false;
          }
        }
        return true;
      }
      return false;
    },
    __isQuote: function (buf, pos) {
      const { quote } = this.options;
      if (quote === null) return false;
      const l = quote.length;
      for (let i = 0; i < l; i++) {
        if (quote[i] !== buf[pos + i]) {
          return false;
        }
      }
      return true;
    },
    __autoDiscoverRecordDelimiter: function (buf, pos) {
      const { encoding } = this.options;
      // Note, we don't need to cache this information in state,
      // It is only called on the first line until we find out a suitable
      // record delimiter.
      const rds = [
        // Important, the windows line ending must be before mac os 9
        Buffer.from("\r\n", encoding),
        Buffer.from("\n", encoding),
        Buffer.from("\r", encoding),
      ];
      loop: for (let i = 0; i < rds.length; i++) {
        const l = rds[i].length;
        for (let j = 0; j < l; j++) {
          if (rds[i][j] !== buf[pos + j]) {
            continue loop;
          }
        }
        this.options.record_delimiter.push(rds[i]);
        this.state.recordDelimiterMaxLength = rds[i].length;
        return rds[i].length;
      }
      return 0;
    },
    __error: function (msg) {
      const { encoding, raw, skip_records_with_error } = this.options;
      const err = typeof msg === "string" ? new Error(msg) : msg;
      if (skip_records_with_error) {
        this.state.recordHasError = true;
        if (this.options.on_skip !== undefined) {
          try {
            this.options.on_skip(
              err,
              raw ? this.state.rawBuffer.toString(encoding) : undefined,
            );
          } catch (err) {
            return err;
          }
        }
        // this.emit('skip', err, raw ? this.state.rawBuffer.toString(encoding) : undefined);
        return undefined;
      } else {
        return err;
      }
    },
    __infoDataSet: function () {
      return {
        ...this.info,
        columns: this.options.columns,
      };
    },
    __infoRecord: function () {
      const { columns, raw, encoding } = this.options;
      return {
        ...this.__infoDataSet(),
        bytes_records: this.info.bytes,
        error: this.state.error,
        header: columns === true,
        index: this.state.record.length,
        raw: raw ? this.state.rawBuffer.toString(encoding) : undefined,
      };
    },
    __infoField: function () {
      const { columns } = this.options;
      const isColumns = Array.isArray(columns);
      // Bytes records are only incremented when all records'fields are parsed
      const bytes_records = this.info.bytes_records;
      return {
        ...this.__infoRecord(),
        bytes_records: bytes_records,
        column:
          isColumns === true
            ? columns.length > this.state.record.length
              ? columns[this.state.record.length].name
              : null
            : this.state.record.length,
        quoting: this.state.wasQuoting,
      };
    },
  };
};

/*
CSV Parse

Please look at the [project documentation](https://csv.js.org/parse/) for
additional information.
*/


class Parser extends Transform {
  constructor(opts = {}) {
    super({ ...{ readableObjectMode: true }, ...opts, encoding: null });
    this.api = transform({
      on_skip: (err, chunk) => {
        this.emit("skip", err, chunk);
      },
      ...opts,
    });
    // Backward compatibility
    this.state = this.api.state;
    this.options = this.api.options;
    this.info = this.api.info;
  }
  // Implementation of `Transform._transform`
  _transform(buf, _, callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      buf,
      false,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.end();
        // Fix #333 and break #410
        //   ko: api.stream.iterator.coffee
        //   ko with v21.4.0, ok with node v20.5.1: api.stream.finished # aborted (with generate())
        //   ko: api.stream.finished # aborted (with Readable)
        // this.destroy()
        // Fix #410 and partially break #333
        //   ok: api.stream.iterator.coffee
        //   ok: api.stream.finished # aborted (with generate())
        //   broken: api.stream.finished # aborted (with Readable)
        this.on("end", this.destroy);
      },
    );
    if (err !== undefined) {
      this.state.stop = true;
    }
    callback(err);
  }
  // Implementation of `Transform._flush`
  _flush(callback) {
    if (this.state.stop === true) {
      return;
    }
    const err = this.api.parse(
      undefined,
      true,
      (record) => {
        this.push(record);
      },
      () => {
        this.push(null);
        this.on("end", this.destroy);
      },
    );
    callback(err);
  }
}

const parse$1 = function () {
  let data, options, callback;
  for (const i in arguments) {
    const argument = arguments[i];
    const type = typeof argument;
    if (
      data === undefined &&
      (typeof argument === "string" || Buffer.isBuffer(argument))
    ) {
      data = argument;
    } else if (options === undefined && is_object(argument)) {
      options = argument;
    } else if (callback === undefined && type === "function") {
      callback = argument;
    } else {
      throw new CsvError(
        "CSV_INVALID_ARGUMENT",
        ["Invalid argument:", `got ${JSON.stringify(argument)} at index ${i}`],
        options || {},
      );
    }
  }
  const parser = new Parser(options);
  if (callback) {
    const records =
      options === undefined || options.objname === undefined
        ? []
        : Object.create(null);
    // const records =
    //   options === undefined || options.objname === undefined ? [] : {};
    parser.on("readable", function () {
      let record;
      while ((record = this.read()) !== null) {
        if (options === undefined || options.objname === undefined) {
          records.push(record);
        } else {
          Object.assign(records, {
            [record[0]]: record[1],
            // writable: true,
            // enumerable: true,
            // configurable: true
          });
        }
      }
    });
    parser.on("error", function (err) {
      callback(err, undefined, parser.api.__infoDataSet());
    });
    parser.on("end", function () {
      callback(undefined, records, parser.api.__infoDataSet());
    });
  }
  if (data !== undefined) {
    const writer = function () {
      parser.write(data);
      parser.end();
    };
    // Support Deno, Rollup doesn't provide a shim for setImmediate
    if (typeof setImmediate === "function") {
      setImmediate(writer);
    } else {
      setTimeout(writer, 0);
    }
  }
  return parser;
};

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
                pending.push(buf.subarray(start));
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

/** A plain decimal number without leading zeros (so ids like `00123` stay strings). */
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
/**
 * Reads CSV rows as raw records keyed by the header row (csv-parse, streaming). Numeric-looking
 * cells become numbers and empty cells are missing, as in JSON. A row that cannot be parsed
 * (an unclosed quote, a row over `maxRowBytes`) is reported to `onBadRow` with its line, and
 * parsing goes on.
 */
async function forEachCsvRow(chunks, maxRowBytes, onRow, onBadRow) {
    const parser = parse$1({
        columns: true,
        bom: true,
        cast: castCell,
        info: true,
        max_record_size: maxRowBytes,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        on_skip: err => {
            if (err)
                onBadRow(typeof err.lines === 'number' ? err.lines : 0, csvReason(err.code, maxRowBytes));
            return undefined;
        }
    });
    // pipeline, not pipe: a read error (a corrupt gzip) must reach the loop below, not vanish.
    const rows = pipeline(Readable.from(chunks), parser, () => { });
    for await (const { info, record } of rows) {
        onRow(record, info.lines);
    }
}
function castCell(value, context) {
    if (context.header)
        return value;
    if (value === '')
        return undefined;
    return NUMERIC.test(value) ? Number(value) : value;
}
/** The parser's error code in words; its message would quote the row, which may hold production text. */
function csvReason(code, maxRowBytes) {
    switch (code) {
        case 'CSV_MAX_RECORD_SIZE':
            return `row too long (> ${describeBytes(maxRowBytes)})`;
        case 'CSV_QUOTE_NOT_CLOSED':
            return 'unclosed quote';
        case 'INVALID_OPENING_QUOTE':
        case 'CSV_INVALID_CLOSING_QUOTE':
            return 'misplaced quote';
        default:
            return `bad CSV row (${code})`;
    }
}

/** Bytes of decoded content checked for NUL bytes: text files (JSONL, CSV) never contain one. */
const SNIFF_BYTES = 8192;
const READ_CHUNK_BYTES = 1 << 16;
/**
 * Opens a file for streaming: gunzips it when it starts with the gzip magic bytes 1f 8b (RFC 1952,
 * section 2.3.1), whatever its name; strips a UTF-8 byte order mark; and refuses an empty file or a
 * binary one (a NUL byte in the first 8 KiB of decoded content).
 */
async function openDecoded(path) {
    const gzip = await startsWithGzipMagic(path);
    const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
    const stream = gzip ? pipeline(file, createGunzip(), () => { }) : file;
    const reader = stream[Symbol.asyncIterator]();
    const head = [];
    let headBytes = 0;
    let ended = false;
    try {
        while (headBytes < SNIFF_BYTES) {
            const next = await reader.next();
            if (next.done) {
                ended = true;
                break;
            }
            head.push(next.value);
            headBytes += next.value.length;
        }
    }
    catch (e) {
        stream.destroy();
        throw e;
    }
    const first = head.length === 1 ? head[0] : Buffer.concat(head, headBytes);
    const problem = headBytes === 0
        ? 'empty file'
        : first.subarray(0, SNIFF_BYTES).includes(0)
            ? 'binary file, not JSONL/CSV'
            : undefined;
    if (problem) {
        stream.destroy();
        return { problem };
    }
    const hasBom = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
    return { chunks: rest(hasBom ? first.subarray(3) : first, ended ? undefined : reader, stream) };
}
async function* rest(first, reader, stream) {
    try {
        if (first.length > 0)
            yield first;
        if (!reader)
            return;
        for (;;) {
            const next = await reader.next();
            if (next.done)
                return;
            yield next.value;
        }
    }
    finally {
        // Also reached when the consumer stops early: release the file descriptor.
        stream.destroy();
    }
}
async function startsWithGzipMagic(path) {
    const handle = await open(path, 'r');
    try {
        const magic = Buffer.alloc(2);
        const { bytesRead } = await handle.read(magic, 0, 2, 0);
        return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    }
    finally {
        await handle.close();
    }
}

/**
 * OTLP/JSON trace exports (the OpenTelemetry protocol's JSON encoding, as the Collector's file
 * exporter writes it: one ExportTraceServiceRequest per line, or one per file). Each span that
 * carries a `gen_ai.*` attribute (OpenTelemetry GenAI semantic conventions) is one LLM call.
 */
/** STATUS_CODE_ERROR in opentelemetry/proto/trace/v1/trace.proto; JSON encodes enums as integers. */
const STATUS_CODE_ERROR = 2;
function isOtlpDocument(value) {
    return value.resourceSpans !== undefined;
}
/**
 * Calls `emit` with a raw row per GenAI span of an OTLP document: the span's attributes, then its
 * resource's for keys the span lacks, as flat dotted keys; `ts` (ms) from startTimeUnixNano,
 * `latency_ms` from end - start, and `error` from the span status (STATUS_CODE_ERROR: the
 * `error.type` attribute, else 'server'; otherwise null).
 */
function forEachGenAiSpan(document, emit) {
    for (const resourceSpans of arrayOf(document.resourceSpans)) {
        const resource = attributes(field(field(resourceSpans, 'resource'), 'attributes'));
        // scopeSpans since OTLP 0.15; instrumentationLibrarySpans before it.
        const scopes = [
            ...arrayOf(field(resourceSpans, 'scopeSpans')),
            ...arrayOf(field(resourceSpans, 'instrumentationLibrarySpans'))
        ];
        for (const scope of scopes) {
            for (const span of arrayOf(field(scope, 'spans'))) {
                const own = attributes(field(span, 'attributes'));
                if (!Object.keys(own).some(key => key.startsWith('gen_ai.')))
                    continue;
                emit(spanRow(span, own, resource));
            }
        }
    }
}
function spanRow(span, own, resource) {
    const row = { ...resource, ...own };
    const start = nanos(field(span, 'startTimeUnixNano'));
    const end = nanos(field(span, 'endTimeUnixNano'));
    if (start !== undefined)
        row.ts = Number(start) / 1e6;
    if (start !== undefined && end !== undefined && end >= start && row.latency_ms === undefined) {
        row.latency_ms = Number(end - start) / 1e6;
    }
    const code = field(field(span, 'status'), 'code');
    const failed = code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR';
    const errorType = own['error.type'];
    row.error = failed || errorType !== undefined ? (errorType ?? 'server') : null;
    return row;
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
function field(v, key) {
    return typeof v === 'object' && v !== null ? v[key] : undefined;
}
function arrayOf(v) {
    return Array.isArray(v) ? v : [];
}

const DEFAULT_MAX_LINE_BYTES = 1 << 20;
/** A whole-file JSON document (a pretty-printed OTLP export, a JSON array) is read whole up to this. */
const MAX_DOCUMENT_BYTES = 64 << 20;
const MAX_PROBLEMS_IN_MESSAGE = 10;
/**
 * Evidence from log files: JSONL (the canonical request record, DESIGN.md), CSV with a header row,
 * or OTLP/JSON trace exports; each optionally gzipped. Files are streamed one at a time, so memory
 * holds the sketches, not the rows. Bad lines and bad files are counted in the evidence's data
 * quality; SourceError only when no file matches or no file yields a single line.
 */
class FileSource {
    patterns;
    baseDir;
    format;
    policy;
    maxLineBytes;
    normalize;
    constructor(opts) {
        this.patterns = opts.patterns;
        this.baseDir = opts.baseDir;
        this.format = opts.format;
        this.policy = opts.policy;
        this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
        this.normalize = createNormalizer(opts.policy);
    }
    describe() {
        return `files ${this.patterns.join(', ')}`;
    }
    async collect(request) {
        const builder = new EvidenceBuilder({
            policy: this.policy,
            window: request.window,
            now: request.now,
            source: this.describe()
        });
        await this.readAll(builder);
        return builder.finish();
    }
    async firstCanaryTime(until) {
        let first;
        const ignore = () => { };
        await this.readAll({
            line: ignore,
            malformed: ignore,
            unmatchedArm: ignore,
            fileDone: ignore,
            add: r => {
                if (r.arm === 'canary' && r.ts <= until && (first === undefined || r.ts < first))
                    first = r.ts;
            }
        });
        return first;
    }
    /** The files the patterns name, sorted, each once. */
    async files() {
        const found = new Set();
        for (const pattern of this.patterns) {
            const literal = resolve$1(this.baseDir, pattern);
            // An existing file is taken as named, so `traffic (1).jsonl` is not read as a glob.
            if (await isFile(literal))
                found.add(literal);
            else
                for (const path of await glob(pattern, globOptions(this.baseDir)))
                    found.add(path);
        }
        if (found.size === 0) {
            throw new SourceError(`no file matches ${this.patterns.map(p => `"${p}"`).join(', ')} (searched in ${this.baseDir}); ` +
                'check source.path in the policy, or the --records / records paths');
        }
        return [...found].sort();
    }
    async readAll(sink) {
        const outcomes = [];
        for (const path of await this.files())
            outcomes.push(await this.readFile(path, sink));
        if (outcomes.every(o => o.problem !== undefined || o.lines === 0)) {
            const problems = outcomes
                .slice(0, MAX_PROBLEMS_IN_MESSAGE)
                .map(o => `${o.path}: ${o.problem ?? 'no lines'}`);
            if (outcomes.length > MAX_PROBLEMS_IN_MESSAGE) {
                problems.push(`and ${outcomes.length - MAX_PROBLEMS_IN_MESSAGE} more`);
            }
            throw new SourceError(`no records could be read from ${this.describe()}: ${problems.join('; ')}`);
        }
    }
    async readFile(absolutePath, sink) {
        const path = this.displayPath(absolutePath);
        const reader = new FileReader(path, sink, this.normalize);
        const format = this.formatOf(absolutePath);
        let problem;
        try {
            const opened = await openDecoded(absolutePath);
            if (opened.problem !== undefined)
                problem = opened.problem;
            else if (format === 'csv')
                await this.readCsv(opened.chunks, reader);
            else
                problem = await this.readJsonl(absolutePath, opened, reader, this.documentAllowed(absolutePath));
        }
        catch (e) {
            problem = `cannot read: ${e.message}`;
        }
        sink.fileDone(path, reader.lines, reader.malformed, problem);
        return problem === undefined
            ? { path, lines: reader.lines }
            : { path, lines: reader.lines, problem };
    }
    async readCsv(chunks, reader) {
        await forEachCsvRow(chunks, this.maxLineBytes, (row, lineNo) => {
            reader.countLine();
            reader.row(row, lineNo, '');
        }, (lineNo, reason) => {
            reader.countLine();
            reader.bad(lineNo, reason);
        });
    }
    /**
     * JSONL, each line a record or an OTLP export. When the file may be a single JSON document (a
     * `.json` file, or format otlp) and its first line is not JSON on its own (a pretty-printed
     * document) or is too long, it is read again whole. Returns a problem with the file, if any.
     */
    async readJsonl(absolutePath, opened, reader, documentAllowed) {
        const maxLine = this.format === 'otlp' ? Math.max(this.maxLineBytes, MAX_DOCUMENT_BYTES) : this.maxLineBytes;
        const tooLong = `line too long (> ${describeBytes(maxLine)})`;
        let firstLine = true;
        try {
            await forEachLine(opened.chunks, maxLine, (text, lineNo) => {
                const value = parseJson(text);
                if (firstLine && documentAllowed && value === BAD_JSON && startsLikeDocument(text)) {
                    throw READ_AS_DOCUMENT;
                }
                firstLine = false;
                reader.json(value, lineNo);
            }, lineNo => {
                if (firstLine && documentAllowed)
                    throw READ_AS_DOCUMENT;
                firstLine = false;
                reader.countLine();
                reader.bad(lineNo, tooLong);
            });
        }
        catch (e) {
            if (e !== READ_AS_DOCUMENT)
                throw e;
            return this.readDocument(absolutePath, reader);
        }
        return undefined;
    }
    /** A whole-file JSON document: an OTLP export, an array of records, or one record. */
    async readDocument(absolutePath, reader) {
        const opened = await openDecoded(absolutePath);
        if (opened.problem !== undefined)
            return opened.problem;
        const parts = [];
        let bytes = 0;
        for await (const chunk of opened.chunks) {
            bytes += chunk.length;
            if (bytes > MAX_DOCUMENT_BYTES)
                return `JSON document larger than ${describeBytes(MAX_DOCUMENT_BYTES)}`;
            parts.push(chunk);
        }
        const value = parseJson(Buffer.concat(parts, bytes).toString('utf8'));
        if (value === BAD_JSON) {
            // Not one document after all: count its lines as JSONL, each bad one reported.
            const again = await openDecoded(absolutePath);
            if (again.problem !== undefined)
                return again.problem;
            return this.readJsonl(absolutePath, again, reader, false);
        }
        if (Array.isArray(value)) {
            value.forEach((item, i) => reader.json(item, 1, `record ${i + 1}: `));
        }
        else {
            reader.json(value, 1);
        }
        return undefined;
    }
    formatOf(path) {
        if (this.format !== 'auto')
            return this.format;
        return withoutGz(path).endsWith('.csv') ? 'csv' : 'jsonl';
    }
    documentAllowed(path) {
        return this.format === 'otlp' || (this.format === 'auto' && withoutGz(path).endsWith('.json'));
    }
    /** Relative to baseDir when inside it: shorter, and no runner home folder in a PR comment. */
    displayPath(path) {
        const rel = relative$1(this.baseDir, path);
        return rel === '' || rel.startsWith('..') || isAbsolute$1(rel) ? path : rel;
    }
}
/** Per-file counting and the raw-row -> record step shared by every format. */
class FileReader {
    path;
    sink;
    normalize;
    lines = 0;
    malformed = 0;
    constructor(path, sink, normalize) {
        this.path = path;
        this.sink = sink;
        this.normalize = normalize;
    }
    countLine() {
        this.lines++;
        this.sink.line();
    }
    /** Reports a bad line by position and reason only: its content may be production text. */
    bad(lineNo, reason) {
        this.malformed++;
        this.sink.malformed(`${this.path}:${lineNo}`, reason);
    }
    /** A parsed JSON value: a record, an OTLP export (one line per GenAI span), or malformed. */
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
            forEachGenAiSpan(value, raw => {
                this.countLine();
                this.row(raw, lineNo, `${prefix}span ${++span}: `);
            });
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
const BAD_JSON = Symbol('bad JSON');
/** Thrown out of the line loop to stop it and re-read the file as one document. */
const READ_AS_DOCUMENT = new Error('read as a whole JSON document');
function parseJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return BAD_JSON;
    }
}
function startsLikeDocument(text) {
    const first = text.trimStart()[0];
    return first === '{' || first === '[';
}
function withoutGz(path) {
    const lower = path.toLowerCase();
    return lower.endsWith('.gz') ? lower.slice(0, -3) : lower;
}
function globOptions(cwd) {
    // expandDirectories off: a folder named as a pattern would otherwise pull in every file under it.
    return { cwd, absolute: true, onlyFiles: true, expandDirectories: false };
}
async function isFile(path) {
    try {
        return (await stat$1(path)).isFile();
    }
    catch {
        return false;
    }
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
 * The evidence source the policy names. `records` (CLI --records, Action input) overrides a file
 * source's paths; those are relative to the working directory, the policy's own to its folder.
 */
function sourceFor(loaded, records) {
    const { policy } = loaded;
    const spec = policy.source;
    const override = records && records.length > 0;
    return new FileSource({
        patterns: override ? records : spec.path,
        baseDir: override ? process.cwd() : dirname$1(resolve$1(loaded.path)),
        format: spec.format,
        policy
    });
}

/** The stored state is unreadable or belongs to something else; the message says what to do. */
class StateError extends Error {
    constructor(message) {
        super(message);
        this.name = 'StateError';
    }
}
class StateConflictError extends StateError {
    constructor(where, expected, found) {
        super(`${where} changed while this run was deciding (expected revision ${expected ?? 'none'}, found ${found ?? 'none'}); run again to decide on the new state`);
        this.name = 'StateConflictError';
    }
}
/** Validate a parsed state document for `rollout`; throws StateError naming `where`. */
function parseState(text, where, rollout) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (e) {
        throw new StateError(`${where} is not valid JSON (${e.message}); restore it from version control, or delete it to start the rollout again at its first step`);
    }
    const s = doc;
    const problems = [];
    if (typeof s !== 'object' || s === null || Array.isArray(s))
        problems.push('not an object');
    else {
        if (s.version !== 1)
            problems.push(`version is ${JSON.stringify(s.version)}, expected 1`);
        if (typeof s.rollout !== 'string')
            problems.push('rollout is missing');
        if (typeof s.revision !== 'number' || !Number.isInteger(s.revision))
            problems.push('revision is not an integer');
        if (!['running', 'paused', 'complete', 'rolled-back'].includes(s.status))
            problems.push(`status ${JSON.stringify(s.status)} is unknown`);
        if (typeof s.stepIndex !== 'number' || !Number.isInteger(s.stepIndex) || s.stepIndex < 0)
            problems.push('stepIndex is not a non-negative integer');
        if (typeof s.stepStartedAt !== 'string' || Number.isNaN(Date.parse(s.stepStartedAt)))
            problems.push('stepStartedAt is not an ISO-8601 time');
        if (!Array.isArray(s.history))
            problems.push('history is not a list');
    }
    if (problems.length > 0) {
        throw new StateError(`${where} is not a rollout state: ${problems.join('; ')}. Delete it to start the rollout again at its first step`);
    }
    const state = s;
    if (state.rollout !== rollout) {
        throw new StateError(`${where} belongs to rollout "${state.rollout}", not "${rollout}" (policy rollout.name); use a separate --state file per rollout`);
    }
    return state;
}

/** A local JSON file, written atomically (write a temporary file, then rename over the old one). */
class FileStateStore {
    path;
    rollout;
    constructor(path, rollout) {
        this.path = path;
        this.rollout = rollout;
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
            throw new StateError(`cannot read state file ${this.path}: ${e.message}`);
        }
        if (text.trim() === '') {
            throw new StateError(`state file ${this.path} is empty; delete it to start the rollout again at its first step`);
        }
        return parseState(text, `state file ${this.path}`, this.rollout);
    }
    async save(state, expectedRevision) {
        const current = await this.load();
        if (current?.revision !== expectedRevision) {
            throw new StateConflictError(`state file ${this.path}`, expectedRevision, current?.revision);
        }
        const tmp = join(dirname$1(this.path), `.${basename$1(this.path)}.${process.pid}.tmp`);
        try {
            await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', 'utf8');
            await rename(tmp, this.path);
        }
        catch (e) {
            await unlink(tmp).catch(() => undefined);
            throw new StateError(`cannot write state file ${this.path}: ${e.message}`);
        }
    }
}

const HELP = `rollout-gate: gate the rollout of an AI change on live traffic.

Usage:
  rollout-gate evaluate --policy FILE [--records FILE_OR_GLOB ...] [--state FILE]
                        [--since ISO-8601] [--now ISO-8601] [--format text|json|markdown]
                        [--dry-run]
  rollout-gate rollback|promote|pause|resume --policy FILE --state FILE --reason TEXT
                        [--actor NAME] [--now ISO-8601] [--format text|json|markdown]
  rollout-gate status --policy FILE --state FILE [--format text|json]

evaluate   collect the current step's evidence, decide promote, hold or rollback, print the
           verdict, and (with --state) write the next state.
rollback, promote, pause, resume
           a person's decision; overrides the analysis and is recorded with --actor and --reason.
status     print the stored state of the rollout.

Options:
  --policy FILE      the rollout policy (YAML)
  --records GLOB     read these files instead of the policy's file source (repeatable)
  --state FILE       the rollout state (JSON); without it, the rollout is at its first step
  --since ISO        without a state: when the first step began (default: first canary record)
  --now ISO          evaluate as of this instant; later records are ignored (default: now)
  --format F         text (default), json (the decision record), markdown (the PR comment)
  --dry-run          decide and print, but do not write the state
  --actor NAME       who runs a command (default: the current user)
  --reason TEXT      why (required for rollback, promote and pause)
  -h, --help         this help

Exit status: 0 for any decision; 2 for a usage, policy or state error; 1 for a bug.
`;
const COMMANDS = ['evaluate', 'rollback', 'promote', 'pause', 'resume', 'status'];
/** Runs the CLI and returns the exit status; never throws. */
async function main(argv, io) {
    try {
        const args = parse(argv);
        if (args === 'help') {
            io.out(HELP);
            return 0;
        }
        const loaded = await loadPolicyFile(args.policy);
        const store = args.state
            ? new FileStateStore(args.state, loaded.policy.rollout.name)
            : undefined;
        const now = args.now ?? io.clock();
        if (args.command === 'status') {
            const state = await store?.load();
            io.out(args.format === 'json'
                ? JSON.stringify(state ?? null, null, 2) + '\n'
                : state
                    ? `${state.rollout}: ${state.status} at step ${state.stepIndex + 1} of ${loaded.policy.rollout.steps.length} (${loaded.policy.rollout.steps[state.stepIndex]}%) since ${state.stepStartedAt}; revision ${state.revision}\n`
                    : `${loaded.policy.rollout.name}: no state yet (the first evaluate starts the first step)\n`);
            return 0;
        }
        const common = { policy: loaded.policy, policyHash: loaded.hash, now, ...(store && { store }) };
        const outcome = args.command === 'evaluate'
            ? await evaluate({
                ...common,
                source: sourceFor(loaded, args.records),
                dryRun: args.dryRun,
                replay: args.now !== undefined,
                ...(args.since !== undefined && { since: args.since })
            })
            : await command({
                ...common,
                command: args.command,
                actor: args.actor,
                reason: args.reason ?? `${args.command} requested`
            });
        io.out(render(outcome, args.format));
        return 0;
    }
    catch (e) {
        if (e instanceof UsageError || e instanceof PolicyError || e instanceof StateError) {
            io.err(`rollout-gate: ${e.message}\n`);
            // Flag and command mistakes, not policy or state problems, point to the help.
            if (e instanceof UsageError && e.message.startsWith('usage:')) {
                io.err('Run rollout-gate --help for usage.\n');
            }
            return 2;
        }
        io.err(`rollout-gate: internal error (a bug; please report it): ${e.stack ?? e}\n`);
        return 1;
    }
}
function render(outcome, format) {
    if (format === 'json')
        return recordJson(outcome.record) + '\n';
    if (format === 'markdown')
        return outcome.markdown;
    return outcome.text;
}
function parse(argv) {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                policy: { type: 'string' },
                records: { type: 'string', multiple: true },
                state: { type: 'string' },
                since: { type: 'string' },
                now: { type: 'string' },
                format: { type: 'string' },
                'dry-run': { type: 'boolean' },
                actor: { type: 'string' },
                reason: { type: 'string' },
                help: { type: 'boolean', short: 'h' }
            }
        });
    }
    catch (e) {
        throw new UsageError(`usage: ${e.message}`);
    }
    const { values: v, positionals } = parsed;
    if (v.help || positionals[0] === 'help')
        return 'help';
    const [cmd, ...extra] = positionals;
    if (!cmd)
        throw new UsageError('usage: missing command (evaluate, rollback, promote, pause, resume or status)');
    if (!COMMANDS.includes(cmd)) {
        throw new UsageError(`usage: unknown command "${cmd}"; expected one of ${COMMANDS.join(', ')}`);
    }
    if (extra.length > 0)
        throw new UsageError(`usage: unexpected argument "${extra[0]}"`);
    const command = cmd;
    if (!v.policy)
        throw new UsageError(`usage: ${command} needs --policy FILE`);
    const manual = command !== 'evaluate' && command !== 'status';
    if ((manual || command === 'status') && !v.state) {
        throw new UsageError(`usage: ${command} needs --state FILE (the rollout state it reads and writes)`);
    }
    if (manual && command !== 'resume' && !v.reason?.trim()) {
        throw new UsageError(`usage: ${command} needs --reason TEXT (it is recorded with the decision)`);
    }
    if (!manual && v.reason)
        throw new UsageError(`usage: --reason is for rollback, promote, pause and resume`);
    if (command !== 'evaluate' && (v.records || v.since || v['dry-run'])) {
        throw new UsageError(`usage: --records, --since and --dry-run are for evaluate`);
    }
    const format = (v.format ?? 'text');
    if (!['text', 'json', 'markdown'].includes(format)) {
        throw new UsageError(`usage: --format must be text, json or markdown, not "${v.format}"`);
    }
    return {
        command,
        policy: v.policy,
        ...(v.state && { state: v.state }),
        records: v.records ?? [],
        ...(v.since !== undefined && { since: instant('--since', v.since) }),
        ...(v.now !== undefined && { now: instant('--now', v.now) }),
        format,
        dryRun: v['dry-run'] ?? false,
        actor: v.actor?.trim() || currentUser(),
        ...(v.reason && { reason: v.reason.trim() })
    };
}
/** ISO-8601 with a date and, when a time is given, an explicit zone (no local-time guessing). */
function instant(flag, text) {
    const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text);
    const t = Date.parse(text);
    if (!ok || Number.isNaN(t)) {
        throw new UsageError(`usage: ${flag} must be an ISO-8601 instant such as 2026-11-26T14:00:00Z, not "${text}"`);
    }
    return t;
}
function currentUser() {
    try {
        return process.env.USER || userInfo().username || 'cli';
    }
    catch {
        return 'cli';
    }
}

// The CLI entry (bundled to dist/cli.js, run by bin/rollout-gate.js): the process edge only.
main(process.argv.slice(2), {
    out: s => process.stdout.write(s),
    err: s => process.stderr.write(s),
    clock: () => Date.now()
}).then(code => {
    process.exitCode = code;
});
