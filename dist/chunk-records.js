/**
 * The moments of the regression-adjusted (CUPED) comparison (AdjustedMoments in ./types.ts): the
 * positions of a cluster's vector v, and adding, merging and reading them. Plain sums over
 * clusters, so merging is associative and commutative like the RatioMoments beside them.
 */
/** Positions in v: the window sums, the pre-exposure sums, the requests, then the covariates. */
const V_X = 0;
const V_Y = 1;
const V_PRE_X = 2;
const V_PRE_Y = 3;
const V_REQUESTS = 4;
const V_COVARIATES = 5;
/** The length of v for k request covariates. */
const vectorLength = (covariates) => V_COVARIATES + covariates;
/** Index of sum v_i v_j (any order of i, j) in `products` for vectors of length d. */
function productIndex(i, j, d) {
    const [a, b] = i <= j ? [i, j] : [j, i];
    return a * d - (a * (a - 1)) / 2 + (b - a);
}
function emptyAdjusted(covariates) {
    const d = vectorLength(covariates.length);
    return {
        covariates: [...covariates],
        n: 0,
        covered: 0,
        sums: new Array(d).fill(0),
        products: new Array((d * (d + 1)) / 2).fill(0),
        cubes: new Array((d * (d + 1) * (d + 2)) / 6).fill(0)
    };
}
/** Adds one cluster's vector v (length 5 + k) in place. */
function addAdjustedCluster(m, v) {
    const d = m.sums.length;
    m.n += 1;
    if (v[V_PRE_Y] > 0)
        m.covered += 1;
    let p = 0;
    for (let i = 0; i < d; i++) {
        const vi = v[i];
        m.sums[i] = m.sums[i] + vi;
        if (vi === 0) {
            p += d - i;
            continue;
        }
        for (let j = i; j < d; j++)
            m.products[p] = m.products[p++] + vi * v[j];
    }
    const cubes = m.cubes;
    if (!cubes)
        return;
    let q = 0;
    for (let i = 0; i < d; i++) {
        const vi = v[i];
        if (vi === 0) {
            q += ((d - i) * (d - i + 1)) / 2;
            continue;
        }
        for (let j = i; j < d; j++) {
            const vij = vi * v[j];
            if (vij === 0) {
                q += d - j;
                continue;
            }
            for (let l = j; l < d; l++)
                cubes[q] = cubes[q++] + vij * v[l];
        }
    }
}
/** Adds `from` into `into` in place; their covariates must be the same names in the same order. */
function addAdjusted(into, from) {
    if (!sameCovariates(into, from)) {
        throw new RangeError(`cannot merge adjusted moments over covariates [${from.covariates.join(', ')}] into [${into.covariates.join(', ')}]`);
    }
    into.n += from.n;
    into.covered += from.covered;
    from.sums.forEach((s, i) => (into.sums[i] = into.sums[i] + s));
    from.products.forEach((s, i) => (into.products[i] = into.products[i] + s));
    // Third moments only when both have them: a part without would make the sum wrong.
    if (into.cubes && from.cubes) {
        const cubes = into.cubes;
        from.cubes.forEach((s, i) => (cubes[i] = cubes[i] + s));
    }
    else
        delete into.cubes;
}
/**
 * Sum over clusters of (w'v)^3 for a weight vector w of length d, from the third-order sums
 * (undefined without them): each i <= j <= l term counted as often as its distinct orderings.
 */
function cubedSum(m, w) {
    const cubes = m.cubes;
    if (!cubes)
        return undefined;
    const d = m.sums.length;
    let q = 0;
    let sum = 0;
    for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
            for (let l = j; l < d; l++) {
                const orderings = i === j ? (j === l ? 1 : 3) : j === l ? 3 : 6;
                sum +=
                    orderings *
                        w[i] *
                        w[j] *
                        w[l] *
                        cubes[q++];
            }
        }
    }
    return sum;
}
function sameCovariates(a, b) {
    return (a.covariates.length === b.covariates.length &&
        a.covariates.every((c, i) => c === b.covariates[i]));
}
/**
 * The adjusted moments of the union of several sets, or undefined unless every set has them (a
 * cell without them would silently drop its clusters from the adjusted comparison).
 */
function mergeAdjusted(parts) {
    const [first, ...rest] = parts;
    if (!first || rest.some(p => p === undefined || !sameCovariates(first, p)))
        return undefined;
    const merged = emptyAdjusted(first.covariates);
    for (const part of parts)
        addAdjusted(merged, part);
    return merged;
}

/**
 * Quantiles from a classic (fixed-bucket) histogram, as Prometheus and OpenTelemetry export them:
 * only the count per bucket is known, so the value of any order statistic is known only to lie in
 * its bucket. Read conservatively: `rangeAtRank` gives the bucket's edges, and a confidence
 * sequence built on it is widened to them (the bucket resolution, not the data, can then be what
 * keeps a comparison inconclusive). `valueAtRank` interpolates linearly inside the bucket (the
 * estimate `histogram_quantile` gives), for the point estimate only.
 *
 * Observations are taken as non-negative (durations, token counts, cost): the first bucket spans
 * [0, bounds[0]]. The bucket above the last finite bound reaches +Infinity.
 */
class HistogramQuantiles {
    data;
    count;
    /** The confidence sequence reads ranges from rangeAtRank, not a relative accuracy. */
    relativeAccuracy = 0;
    cumulative;
    constructor(data) {
        this.data = data;
        let seen = 0;
        this.cumulative = data.counts.map(c => (seen += c));
        this.count = seen;
    }
    /** Bucket index holding the rank-th (1-based, clamped to [1, count]) smallest observation. */
    bucketAt(rank) {
        const r = Math.min(this.count, Math.max(1, Math.ceil(rank)));
        // The first bucket whose cumulative count reaches r (binary search: counts are cumulative).
        let lo = 0;
        let hi = this.cumulative.length - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.cumulative[mid] >= r)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }
    edges(i) {
        const low = i === 0 ? 0 : this.data.bounds[i - 1];
        const high = i < this.data.bounds.length ? this.data.bounds[i] : Infinity;
        return { low: Math.min(low, high), high };
    }
    /** Where the rank-th smallest observation lies for sure: its bucket's edges. */
    rangeAtRank(rank) {
        if (this.count === 0)
            return { low: NaN, high: NaN };
        return this.edges(this.bucketAt(rank));
    }
    /** The ranks first..last whose observations share the rank-th's bucket. */
    bucketAtRank(rank) {
        if (this.count === 0)
            return { first: 1, last: 0 };
        const i = this.bucketAt(rank);
        return {
            first: (i === 0 ? 0 : this.cumulative[i - 1]) + 1,
            last: this.cumulative[i]
        };
    }
    /** Linear interpolation inside the bucket; the lower edge for the +Inf bucket. NaN when empty. */
    valueAtRank(rank) {
        if (this.count === 0)
            return NaN;
        const i = this.bucketAt(rank);
        const { low, high } = this.edges(i);
        if (!Number.isFinite(high))
            return low;
        const before = i === 0 ? 0 : this.cumulative[i - 1];
        const inBucket = this.data.counts[i];
        const r = Math.min(this.count, Math.max(1, Math.ceil(rank)));
        return inBucket > 0 ? low + ((high - low) * (r - before)) / inBucket : high;
    }
    /** The same histogram read at interpolated values (no widening): what finer buckets would give. */
    interpolated() {
        return { count: this.count, relativeAccuracy: 0, valueAtRank: r => this.valueAtRank(r) };
    }
}
/**
 * Per-bucket counts from Prometheus's cumulative `le` counts (finite bounds ascending, the
 * `+Inf` count last). `increase()` is computed per series, so cumulative counts can come out
 * slightly non-monotonic; like `histogram_quantile`, each is raised to at least the one below.
 */
function fromCumulative(bounds, cumulative) {
    const counts = [];
    let below = 0;
    for (const c of cumulative) {
        const at = Math.max(below, c);
        counts.push(at - below);
        below = at;
    }
    return { bounds: [...bounds], counts };
}
/**
 * The histogram of the union of two sets of observations. Same bounds: counts add. Different
 * bounds: only the bounds both share are kept (a bucket cannot be split), so the result is the
 * coarser, still exact, histogram.
 */
function mergeHistograms(a, b) {
    const same = a.bounds.length === b.bounds.length && a.bounds.every((v, i) => v === b.bounds[i]);
    if (same)
        return { bounds: [...a.bounds], counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)) };
    const bounds = a.bounds.filter(v => b.bounds.includes(v));
    const counts = new Array(bounds.length + 1).fill(0);
    for (const h of [a, b]) {
        h.counts.forEach((c, i) => {
            const upper = i < h.bounds.length ? h.bounds[i] : Infinity;
            const j = bounds.findIndex(v => v >= upper);
            const at = j < 0 ? bounds.length : j;
            counts[at] = counts[at] + c;
        });
    }
    return { bounds, counts };
}
/**
 * An upper bound on the sum of squares of the observations, for a mean's variance when no
 * sum-of-squares series exists: every value in a finite bucket at most its upper edge; the values
 * above the last bound at most what the exact `sum` leaves for them, put on one observation (the
 * largest sum of squares for a given sum). Conservative: the variance is never underestimated.
 */
function sumOfSquaresBound(h, sum) {
    let squares = 0;
    let finiteMin = 0;
    h.bounds.forEach((upper, i) => {
        const c = h.counts[i];
        const low = i === 0 ? 0 : h.bounds[i - 1];
        squares += c * upper * upper;
        finiteMin += c * low;
    });
    const top = h.counts[h.bounds.length] ?? 0;
    if (top > 0) {
        const last = h.bounds[h.bounds.length - 1] ?? 0;
        const excess = Math.max(0, sum - finiteMin - (top - 1) * last);
        squares += (top - 1) * last * last + excess * excess;
    }
    return squares;
}

/**
 * Sufficient statistics of a ratio estimator over independent clusters (src/sketch/types.ts).
 * They are plain sums, so two sets merge by addition and merging is associative and commutative:
 * the delta-method variance of sum(x) / sum(y) needs only the first six numbers, and the
 * skewness of the estimator (the validity threshold of the asymptotic confidence sequence,
 * src/stats/clt.ts) the four third-order sums.
 */
function emptyMoments() {
    return { n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, sxxx: 0, sxxy: 0, sxyy: 0, syyy: 0 };
}
/** Adds one cluster (a request with y = 1, or a unit's sums) in place. */
function addCluster(m, x, y) {
    m.n += 1;
    m.sx += x;
    m.sy += y;
    const xx = x * x;
    const yy = y * y;
    m.sxx += xx;
    m.syy += yy;
    m.sxy += x * y;
    if (m.sxxx !== undefined) {
        m.sxxx += xx * x;
        m.sxxy = (m.sxxy ?? 0) + xx * y;
        m.sxyy = (m.sxyy ?? 0) + x * yy;
        m.syyy = (m.syyy ?? 0) + yy * y;
    }
}
/**
 * Adds to `m` the change of one cluster whose sums go from (X, Y) to (X + x, Y + y): the moments
 * of a set of clusters kept up to date as their sums grow (src/replay/windowEvidence.ts), equal to
 * removing the old cluster and adding the new one, without the cancellation. `first`: the cluster
 * is new (X = Y = 0), so n grows. E.g. sxx += (X + x)^2 - X^2 = x (2X + x), and
 * sxxy += (X + x)^2 (Y + y) - X^2 Y = (X + x)^2 y + x (2X + x) Y.
 */
function growCluster(m, first, X, Y, x, y) {
    if (first)
        m.n += 1;
    const X1 = X + x;
    const Y1 = Y + y;
    const dxx = x * (X + X1);
    const dyy = y * (Y + Y1);
    m.sx += x;
    m.sy += y;
    m.sxx += dxx;
    m.syy += dyy;
    m.sxy += x * Y + X * y + x * y;
    if (m.sxxx !== undefined) {
        m.sxxx += x * (X * X + X * X1 + X1 * X1);
        m.sxxy = (m.sxxy ?? 0) + X1 * X1 * y + dxx * Y;
        m.sxyy = (m.sxyy ?? 0) + x * Y1 * Y1 + X * dyy;
        m.syyy = (m.syyy ?? 0) + y * (Y * Y + Y * Y1 + Y1 * Y1);
    }
}
/**
 * The third-order sums of a merge: known only when both sides know them (a source that cannot
 * give them, such as a per-request sum of squares from Prometheus, leaves them out).
 */
function thirdOrder(a, b) {
    if (a.sxxx === undefined ||
        b.sxxx === undefined ||
        a.sxxy === undefined ||
        b.sxxy === undefined ||
        a.sxyy === undefined ||
        b.sxyy === undefined ||
        a.syyy === undefined ||
        b.syyy === undefined) {
        return {};
    }
    return {
        sxxx: a.sxxx + b.sxxx,
        sxxy: a.sxxy + b.sxxy,
        sxyy: a.sxyy + b.sxyy,
        syyy: a.syyy + b.syyy
    };
}
/** The moments of the union of two sets of clusters, as a new object. */
function mergeMoments(a, b) {
    return {
        n: a.n + b.n,
        sx: a.sx + b.sx,
        sy: a.sy + b.sy,
        sxx: a.sxx + b.sxx,
        syy: a.syy + b.syy,
        sxy: a.sxy + b.sxy,
        ...thirdOrder(a, b)
    };
}
/** Adds `from`'s clusters into `into`, in place. */
function addMoments(into, from) {
    const third = thirdOrder(into, from);
    into.n += from.n;
    into.sx += from.sx;
    into.sy += from.sy;
    into.sxx += from.sxx;
    into.syy += from.syy;
    into.sxy += from.sxy;
    if (third.sxxx === undefined) {
        delete into.sxxx;
        delete into.sxxy;
        delete into.sxyy;
        delete into.syyy;
    }
    else
        Object.assign(into, third);
}
/**
 * Moments of a Bernoulli sample of n requests with k events (one cluster per request): every
 * power of a 0/1 value is the value, so all sums are known from the two counts.
 */
function bernoulliMoments(k, n) {
    return { n, sx: k, sy: n, sxx: k, syy: n, sxy: k, sxxx: k, sxxy: k, sxyy: k, syyy: n };
}

/**
 * DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019) with an unbounded store: it never collapses buckets, so
 * it never loses accuracy, whatever the data's range.
 *
 * The bucket index mapping (the contract sources that build sketches elsewhere must follow, e.g.
 * in SQL; docs/quantile-sketch.md says the same):
 *
 *   relative accuracy a (default 0.0025), gamma = (1 + a) / (1 - a)   (a = 0.0025: gamma = 401/399)
 *   v > 0:  index(v) = ceil(ln(v) / ln(gamma)), counted in `positive`
 *   v < 0:  index(|v|), counted in `negative`
 *   v = 0:  counted in `zeros`
 *
 * Bucket i holds the values in (gamma^(i-1), gamma^i] (negatives: [-gamma^i, -gamma^(i-1))), and
 * is read back as 2 gamma^i / (gamma + 1), within relative error a of every value in it. A value
 * exactly at an edge gamma^i may land in bucket i or i + 1 depending on floating-point rounding
 * (ln(v) * (1 / ln gamma) here, LN(v) / LN(gamma) in SQL): harmless, since it lies on the edge both
 * buckets share and both read it within a. Non-finite values are rejected.
 *
 * Memory: buckets are kept in pages of PAGE_SIZE counts, allocated only where data falls, so a
 * sketch costs 256 bytes per page in use (latency over four decades: 29 pages), and data spread
 * over the whole float range a few thousand.
 *
 * Why 0.25% and not DDSketch's usual 1%: the quantile confidence sequences read each order
 * statistic at its bucket's edges, so every bound moves out by up to a bucket (2a). At 1% that
 * added about 2 points to each side of a relative quantile difference, a fifth to a third of the
 * interval when a 10% tolerance is being decided (bench/quantileWidth.bench.ts: 2.0-2.4x the
 * fixed-n interval at 1%, 1.5-1.75x at 0.25%, alpha = 0.0125). Merging adds bucket counts: exact,
 * associative and commutative, across cells, workers and threads.
 */
const DEFAULT_RELATIVE_ACCURACY = 0.0025;
const PAGE_BITS = 6;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Edges are widened by this relative amount, for the rounding of ln and exp at a bucket edge. */
const EDGE_SLACK = 1e-12;
/** Bucket counts over any range of indices: a page table of fixed-size typed-array pages. */
class PagedStore {
    /** pages[k] holds buckets (firstPage + k) * PAGE_SIZE .. + PAGE_SIZE - 1, or is undefined. */
    pages = [];
    firstPage = 0;
    /** Lowest and highest non-empty bucket indices. */
    minIndex = Infinity;
    maxIndex = -Infinity;
    total = 0;
    /** Non-empty buckets in index order with cumulative counts; built on demand, dropped on add. */
    ranked;
    add(index, count) {
        let slot = (index >> PAGE_BITS) - this.firstPage;
        if (slot < 0 || slot >= this.pages.length)
            slot = this.cover(index >> PAGE_BITS);
        const page = this.pages[slot] ?? (this.pages[slot] = new Uint32Array(PAGE_SIZE));
        const sum = page[index & PAGE_MASK] + count;
        page[index & PAGE_MASK] = sum;
        // A count past 2^32 - 1, or not an integer (a weighted count from elsewhere): float64 page.
        if (page[index & PAGE_MASK] !== sum) {
            const wide = Float64Array.from(page);
            wide[index & PAGE_MASK] = sum;
            this.pages[slot] = wide;
        }
        if (index < this.minIndex)
            this.minIndex = index;
        if (index > this.maxIndex)
            this.maxIndex = index;
        this.total += count;
        this.ranked = undefined;
    }
    /** Grows the page table to cover page `key` (with slack); returns its slot. */
    cover(key) {
        if (this.pages.length === 0) {
            this.firstPage = key;
            this.pages = [undefined];
            return 0;
        }
        const lo = Math.min(this.firstPage, key);
        const hi = Math.max(this.firstPage + this.pages.length - 1, key);
        const span = hi - lo + 1;
        const slack = Math.max(2, span);
        const first = key < this.firstPage ? lo - slack : lo;
        const pages = new Array(span + slack).fill(undefined);
        this.pages.forEach((p, k) => (pages[this.firstPage + k - first] = p));
        this.pages = pages;
        this.firstPage = first;
        return key - first;
    }
    /** Calls visit(index, count) for each non-empty bucket, in index order. */
    forEach(visit) {
        this.pages.forEach((page, k) => {
            if (!page)
                return;
            const base = (this.firstPage + k) * PAGE_SIZE;
            for (let j = 0; j < PAGE_SIZE; j++) {
                const c = page[j];
                if (c > 0)
                    visit(base + j, c);
            }
        });
    }
    /** Adds another store's counts, a page at a time. */
    mergeFrom(other) {
        if (other.total === 0)
            return;
        other.pages.forEach((from, k) => {
            if (!from)
                return;
            const key = other.firstPage + k;
            let slot = key - this.firstPage;
            if (slot < 0 || slot >= this.pages.length)
                slot = this.cover(key);
            let page = this.pages[slot] ?? (this.pages[slot] = new Uint32Array(PAGE_SIZE));
            for (let j = 0; j < PAGE_SIZE; j++) {
                const c = from[j];
                if (c === 0)
                    continue;
                const sum = page[j] + c;
                page[j] = sum;
                if (page[j] !== sum) {
                    page = this.pages[slot] = Float64Array.from(page);
                    page[j] = sum;
                }
            }
        });
        if (other.minIndex < this.minIndex)
            this.minIndex = other.minIndex;
        if (other.maxIndex > this.maxIndex)
            this.maxIndex = other.maxIndex;
        this.total += other.total;
        this.ranked = undefined;
    }
    rank() {
        if (this.ranked)
            return this.ranked;
        const index = [];
        const cumulative = [];
        let seen = 0;
        this.forEach((i, c) => {
            index.push(i);
            cumulative.push((seen += c));
        });
        this.ranked = { index: Int32Array.from(index), cumulative: Float64Array.from(cumulative) };
        return this.ranked;
    }
    /**
     * Position (in index order of non-empty buckets) of the bucket holding the rank-th (1-based)
     * smallest value, with the ranks it holds; rank is clamped to [1, total].
     */
    locate(rank) {
        const { index, cumulative } = this.rank();
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cumulative[mid] >= rank)
                hi = mid;
            else
                lo = mid + 1;
        }
        const before = lo > 0 ? cumulative[lo - 1] : 0;
        return { index: index[lo], first: before + 1, last: cumulative[lo] };
    }
    /** The count in buckets with index <= `index`. */
    countThrough(index) {
        if (this.total === 0 || index < this.minIndex)
            return 0;
        if (index >= this.maxIndex)
            return this.total;
        const { index: at, cumulative } = this.rank();
        let lo = 0;
        let hi = at.length - 1;
        // The last non-empty bucket <= index (at[0] <= index < at[last]).
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (at[mid] <= index)
                lo = mid;
            else
                hi = mid - 1;
        }
        return cumulative[lo];
    }
    /** Dense counts from minIndex, a run of g >= 2 empty buckets written as -g. */
    toBuckets() {
        if (this.total === 0)
            return { offset: 0, counts: [] };
        const counts = [];
        let next = this.minIndex;
        this.forEach((index, count) => {
            const gap = index - next;
            if (gap === 1)
                counts.push(0);
            else if (gap > 1)
                counts.push(-gap);
            counts.push(count);
            next = index + 1;
        });
        return { offset: this.minIndex, counts };
    }
    /** Adds counts written by toBuckets (or plain dense counts). */
    addBuckets(b, what) {
        let index = b.offset;
        if (!Number.isInteger(index))
            throw new RangeError(`QuantileSketch.fromJSON: ${what} offset ${index} is not an integer`);
        for (const c of b.counts) {
            if (!Number.isFinite(c))
                throw new RangeError(`QuantileSketch.fromJSON: ${what} has a count ${c}`);
            if (c < 0) {
                if (!Number.isInteger(c))
                    throw new RangeError(`QuantileSketch.fromJSON: ${what} has a gap ${c}`);
                index -= c;
                continue;
            }
            if (c > 0)
                this.add(index, c);
            index++;
        }
    }
}
class QuantileSketch {
    alpha;
    /** 1 / ln(gamma): index(v) = ceil(ln(v) * multiplier). */
    multiplier;
    logGamma;
    /** 2 / (gamma + 1): the value of bucket i is gamma^i times this. */
    midpoint;
    positive = new PagedStore();
    negative = new PagedStore();
    zeros = 0;
    n = 0;
    min = Infinity;
    max = -Infinity;
    constructor(relativeAccuracy = DEFAULT_RELATIVE_ACCURACY) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new RangeError(`QuantileSketch: relative accuracy must be in (0, 1), got ${relativeAccuracy}`);
        }
        const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        this.alpha = relativeAccuracy;
        this.logGamma = Math.log(gamma);
        this.multiplier = 1 / this.logGamma;
        this.midpoint = 2 / (gamma + 1);
    }
    get count() {
        return this.n;
    }
    get relativeAccuracy() {
        return this.alpha;
    }
    /** The bucket index of |v| for v != 0 (the mapping above). */
    indexOf(v) {
        return Math.ceil(Math.log(Math.abs(v)) * this.multiplier);
    }
    /** Adds v; returns its bucket index when v > 0, else -Infinity (unitRanks.ts, coarseBin). */
    add(v) {
        if (!Number.isFinite(v))
            throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`);
        let index = -Infinity;
        if (v > 0)
            this.positive.add((index = Math.ceil(Math.log(v) * this.multiplier)), 1);
        else if (v < 0)
            this.negative.add(Math.ceil(Math.log(-v) * this.multiplier), 1);
        else
            this.zeros += 1;
        this.n += 1;
        if (v < this.min)
            this.min = v;
        if (v > this.max)
            this.max = v;
        return index;
    }
    /**
     * add(v) on this sketch and on `twin` (same relative accuracy), computing the bucket once: the
     * evidence builder files each baseline value in its cell and in its A/A half. Returns what add
     * returns.
     */
    addWithTwin(v, twin) {
        if (!Number.isFinite(v))
            throw new RangeError(`QuantileSketch.add: ${v} is not a finite number`);
        let index = -Infinity;
        if (v > 0) {
            index = Math.ceil(Math.log(v) * this.multiplier);
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
        return index;
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
     * Where the rank-th (1-based, clamped to [1, count]) smallest observation lies: which store,
     * its bucket index, and the ranks first..last that share the bucket.
     */
    locate(rank) {
        const r = Math.min(this.n, Math.max(1, Math.ceil(rank)));
        const negatives = this.negative.total;
        if (r <= negatives) {
            // The negative store is keyed by |v| ascending: the rank-th smallest value has the
            // (negatives - r + 1)-th smallest |v|, and ranks f..l of |v| are ranks
            // negatives - l + 1 .. negatives - f + 1 of v.
            const at = this.negative.locate(negatives - r + 1);
            return {
                store: 'negative',
                index: at.index,
                first: negatives - at.last + 1,
                last: negatives - at.first + 1
            };
        }
        if (r <= negatives + this.zeros) {
            return { store: 'zero', index: 0, first: negatives + 1, last: negatives + this.zeros };
        }
        const offset = negatives + this.zeros;
        const at = this.positive.locate(r - offset);
        return { store: 'positive', index: at.index, first: at.first + offset, last: at.last + offset };
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
        const at = this.locate(r);
        const value = at.store === 'zero'
            ? 0
            : (at.store === 'negative' ? -1 : 1) * Math.exp(at.index * this.logGamma) * this.midpoint;
        return Math.min(this.max, Math.max(this.min, value));
    }
    /**
     * Where the rank-th smallest observation (1-based, clamped to [1, count]) lies for sure: its
     * bucket's edges, within the observed min and max (exact at ranks 1 and count).
     */
    rangeAtRank(rank) {
        if (this.n === 0)
            return { low: NaN, high: NaN };
        const r = Math.min(this.n, Math.max(1, Math.ceil(rank)));
        if (r === 1)
            return { low: this.min, high: this.min };
        if (r === this.n)
            return { low: this.max, high: this.max };
        const at = this.locate(r);
        if (at.store === 'zero')
            return { low: 0, high: 0 };
        const inner = Math.exp((at.index - 1) * this.logGamma) * (1 - EDGE_SLACK);
        const outer = Math.exp(at.index * this.logGamma) * (1 + EDGE_SLACK);
        const edges = at.store === 'positive' ? { low: inner, high: outer } : { low: -outer, high: -inner };
        return { low: Math.max(this.min, edges.low), high: Math.min(this.max, edges.high) };
    }
    /**
     * Observations at or below gamma^index, the upper edge of positive bucket `index` (every value
     * <= 0 included); -Infinity counts the values <= 0 only.
     */
    countAtOrBelowEdge(index) {
        const nonPositive = this.negative.total + this.zeros;
        return index === -Infinity ? nonPositive : nonPositive + this.positive.countThrough(index);
    }
    /** Observations < 0. */
    get negativeCount() {
        return this.negative.total;
    }
    /** The lowest and highest non-empty positive bucket indices (Infinity, -Infinity when none). */
    get positiveRange() {
        return { min: this.positive.minIndex, max: this.positive.maxIndex };
    }
    /** The ranks first..last whose observations share the rank-th's bucket. */
    bucketAtRank(rank) {
        if (this.n === 0)
            return { first: 1, last: 0 };
        const { first, last } = this.locate(rank);
        return { first, last };
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
    /**
     * The plain-data form (types.ts, QuantileSketchData): counts dense from the lowest non-empty
     * bucket, a run of g >= 2 empty buckets written as -g, so data over 24 decades with a gap in
     * the middle costs its non-empty buckets, not the gap.
     */
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
        sketch.positive.addBuckets(data.positive, 'positive');
        sketch.negative.addBuckets(data.negative, 'negative');
        if (!(data.zeros >= 0)) {
            throw new RangeError(`QuantileSketch.fromJSON: zeros ${data.zeros} is not a count`);
        }
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
}

/**
 * Per-unit rank sums: what the quantile confidence sequence needs to know about clustering.
 *
 * When requests are grouped by user, the count of requests at or below a threshold x is a sum of
 * per-user counts c_i(x), and its variance is sum_i (c_i(x) - F(x) n_i)^2 (n_i the user's
 * requests, F the pooled CDF), not N F (1 - F): the design effect of the indicator 1{X <= x}
 * (analysis/designEffect.ts; Deng, Knoblich & Lu, "Applying the delta method in metric
 * analytics", KDD 2018, quantile metrics under clustered randomization: per-unit sums of the
 * indicator at the quantile). It depends on x (user levels move the median more than the p99,
 * or less), so the mean's design effect cannot stand in for it.
 *
 * The sums are kept on a coarse grid of thresholds that every source can compute: the quantile
 * sketch's bucket edges, every RANK_STEP-th one. With the sketch's index(v) = ceil(ln v / ln gamma)
 * (quantileSketch.ts), a positive value is in coarse bin ceil(index(v) / RANK_STEP), and coarse
 * bin j's upper edge is e_j = gamma^(RANK_STEP j) (gamma^32 = 1.173 at 0.25% accuracy:
 * thresholds 17% apart). Values <= 0 are in bin NON_POSITIVE_BIN, whose edge is 0. For each
 * coarse bin j the
 * evidence holds increments, over the units first seen in the cell:
 *   counts[j]  = sum_i (requests of unit i in bin j)
 *   squares[j] = sum_i (c_i(e_j)^2 - c_i(e_(j-1))^2)
 *   cross[j]   = sum_i n_i (requests of unit i in bin j)
 * so prefix sums give U(e) = sum_i c_i(e), sum_i c_i(e)^2 and sum_i c_i(e) n_i at every edge.
 * Requests without a unit are clusters of one and are not in these sums (the sketch's count at
 * e minus U(e) gives them). Increments add across cells and threads, so merging is exact.
 */
const RANK_STEP = 32;
/** The coarse bin of values <= 0 (below every positive bin). */
const NON_POSITIVE_BIN = -1e6;
/** The coarse bin of a value whose sketch bucket index is `index` (-Infinity for v <= 0). */
function coarseBin(index) {
    return index === -Infinity ? NON_POSITIVE_BIN : Math.ceil(index / RANK_STEP);
}
/** Keys pack a metric and a coarse bin: bins are offset by BIN_BIAS into 0..BIN_SPAN - 1. */
const BIN_BIAS = 8192;
const BIN_SPAN = 2 * BIN_BIAS;
const NON_POSITIVE_CODE = 0;
function encodeBin(bin) {
    return bin === NON_POSITIVE_BIN
        ? NON_POSITIVE_CODE
        : Math.max(1, Math.min(BIN_SPAN - 1, bin + BIN_BIAS));
}
function decodeBin(code) {
    return code === NON_POSITIVE_CODE ? NON_POSITIVE_BIN : code - BIN_BIAS;
}
/**
 * Each unit slot's coarse-bin counts, per quantile metric, as linked lists in typed arrays (the
 * builder's per-unit state, src/sketch/unitStore.ts, has fixed-size slots; these lists hold one
 * entry per (slot, metric, bin) that occurs, 12 bytes each: a unit with one request costs one
 * entry, a heavy unit at most its number of distinct bins, about 50 over four decades).
 */
class UnitRankBins {
    /** heads[slot]: first entry of the slot's list, 0 when empty (entry 0 is unused). */
    heads = new Int32Array(1024);
    keys = new Int32Array(1024);
    counts = new Int32Array(1024);
    next = new Int32Array(1024);
    used = 1;
    /** One request of `slot` for metric `metric` (an index into the policy's metrics) in `bin`. */
    add(slot, metric, bin) {
        if (slot >= this.heads.length)
            this.heads = grow(this.heads, slot + 1);
        const key = metric * BIN_SPAN + encodeBin(bin);
        for (let e = this.heads[slot]; e !== 0; e = this.next[e]) {
            if (this.keys[e] === key) {
                this.counts[e] = this.counts[e] + 1;
                return;
            }
        }
        if (this.used >= this.keys.length) {
            const size = 2 * this.keys.length;
            this.keys = grow(this.keys, size);
            this.counts = grow(this.counts, size);
            this.next = grow(this.next, size);
        }
        const e = this.used++;
        this.keys[e] = key;
        this.counts[e] = 1;
        this.next[e] = this.heads[slot];
        this.heads[slot] = e;
    }
    /** Adds the slot's counts into `into[metric]`, for each metric that has a UnitBins there. */
    collect(slot, into) {
        if (slot >= this.heads.length)
            return;
        for (let e = this.heads[slot]; e !== 0; e = this.next[e]) {
            const key = this.keys[e];
            into[Math.floor(key / BIN_SPAN)]?.add(decodeBin(key % BIN_SPAN), this.counts[e]);
        }
    }
    /**
     * Adds the slot's counts for one metric into `into` (growUnit's), which must be empty: a slot's
     * entries have distinct bins, so each is appended without a search.
     */
    collectMetric(slot, metric, into) {
        if (slot >= this.heads.length)
            return;
        for (let e = this.heads[slot]; e !== 0; e = this.next[e]) {
            const key = this.keys[e];
            if (Math.floor(key / BIN_SPAN) === metric) {
                into.append(decodeBin(key % BIN_SPAN), this.counts[e]);
            }
        }
    }
    /** Drops every list (the builder's finish(), once they are folded into cells). */
    release() {
        this.heads = new Int32Array(0);
        this.keys = new Int32Array(0);
        this.counts = new Int32Array(0);
        this.next = new Int32Array(0);
        this.used = 1;
    }
}
function grow(a, size) {
    const b = new Int32Array(Math.max(size, 2 * a.length));
    b.set(a);
    return b;
}
/**
 * One unit's requests per coarse bin, in reusable typed arrays (the builder fills one per unit
 * in finish(), hundreds of thousands of times: no allocation per unit).
 */
class UnitBins {
    bins = new Int32Array(64);
    counts = new Float64Array(64);
    size = 0;
    clear() {
        this.size = 0;
    }
    add(bin, count) {
        for (let i = 0; i < this.size; i++) {
            if (this.bins[i] === bin) {
                this.counts[i] = this.counts[i] + count;
                return;
            }
        }
        this.append(bin, count);
    }
    /** A bin not among those held yet (the caller knows): added without a search. */
    append(bin, count) {
        if (this.size === this.bins.length) {
            const bins = new Int32Array(2 * this.size);
            bins.set(this.bins);
            const counts = new Float64Array(2 * this.size);
            counts.set(this.counts);
            this.bins = bins;
            this.counts = counts;
        }
        this.bins[this.size] = bin;
        this.counts[this.size++] = count;
    }
    /** Sorts by bin, in place (insertion sort: a unit has a few dozen bins at most). */
    sort() {
        for (let i = 1; i < this.size; i++) {
            const bin = this.bins[i];
            const count = this.counts[i];
            let j = i - 1;
            while (j >= 0 && this.bins[j] > bin) {
                this.bins[j + 1] = this.bins[j];
                this.counts[j + 1] = this.counts[j];
                j--;
            }
            this.bins[j + 1] = bin;
            this.counts[j + 1] = count;
        }
    }
}
/** A cell's rank sums while they are built: coarse bin -> [counts, squares, cross]. */
class RankSumsAccumulator {
    bins = new Map();
    /**
     * Adds one unit: its requests per coarse bin (sorted by addUnit). `sign` -1 takes a unit added
     * before out again (exactly: the sums are of integers), for growUnit.
     */
    addUnit(unit, sign = 1) {
        if (unit.size === 0)
            return;
        unit.sort();
        let n = 0;
        for (let i = 0; i < unit.size; i++)
            n += unit.counts[i];
        let below = 0;
        for (let i = 0; i < unit.size; i++) {
            const bin = unit.bins[i];
            const k = unit.counts[i];
            const after = below + k;
            const sums = this.bins.get(bin) ?? this.newBin(bin);
            sums[0] = sums[0] + sign * k;
            sums[1] = sums[1] + sign * (after * after - below * below);
            sums[2] = sums[2] + sign * k * n;
            below = after;
        }
    }
    /** One more request in `bin` of a unit added before with `unit`'s bins (growUnit). */
    growUnit(unit, bin) {
        let n = 0;
        let upTo = 0;
        let own = 0;
        for (let i = 0; i < unit.size; i++) {
            const k = unit.counts[i];
            const at = unit.bins[i];
            n += k;
            if (at <= bin)
                upTo += k;
            if (at === bin)
                own = k;
            else {
                const sums = this.bins.get(at);
                if (at > bin)
                    sums[1] = sums[1] + 2 * k;
                sums[2] = sums[2] + k;
            }
        }
        const sums = this.bins.get(bin) ?? this.newBin(bin);
        sums[0] = sums[0] + 1;
        sums[1] = sums[1] + 2 * upTo + 1;
        sums[2] = sums[2] + own + n + 1;
    }
    /** Adds sums already in evidence form. */
    addSums(s) {
        s.bins.forEach((bin, i) => {
            const sums = this.bins.get(bin) ?? this.newBin(bin);
            sums[0] = sums[0] + s.counts[i];
            sums[1] = sums[1] + s.squares[i];
            sums[2] = sums[2] + s.cross[i];
        });
    }
    get empty() {
        return this.bins.size === 0;
    }
    toJSON() {
        const bins = [...this.bins.keys()].sort((a, b) => a - b);
        const at = (j) => bins.map(b => this.bins.get(b)[j]);
        return { step: RANK_STEP, bins, counts: at(0), squares: at(1), cross: at(2) };
    }
    newBin(bin) {
        const sums = new Float64Array(3);
        this.bins.set(bin, sums);
        return sums;
    }
}
/**
 * One more request of unit `slot` for metric `metric`, in coarse bin `bin`, when cells' sums are
 * kept up to date as their units grow (src/replay/windowEvidence.ts): records it in `bins` and
 * gives each of `into` (the sums that hold this unit) the unit's new terms less its old ones, so
 * they stay what addUnit over the units' final bins gives. `scratch` is reused between calls.
 *
 * The change, from addUnit's terms (per bin j of the unit: k_j, after_j^2 - below_j^2, k_j n),
 * with n the unit's requests before this one and A its requests in bins up to `bin`: the new
 * request's bin gains 1, 2A + 1 and k_bin + n + 1; every other bin of the unit gains k_j in the
 * cross term (n grew by one), and a bin above it 2 k_j in the squares (its below and after both
 * grew by one). Integers, so exactly what taking the unit out and putting it back in gives.
 */
function growUnit(bins, slot, metric, bin, scratch, into, also) {
    scratch.clear();
    bins.collectMetric(slot, metric, scratch);
    into.growUnit(scratch, bin);
    also?.growUnit(scratch, bin);
    bins.add(slot, metric, bin);
}

/** Named keys kept in a cell's `models` map; the rest are summed under `other` (Cell.models). */
const MAX_MODEL_KEYS = 20;
const OTHER_MODELS = 'other';
/**
 * The value counts of a merge (MetricSketch.levels): counts of equal values add; known when every
 * part with requests carries them, else absent.
 */
function mergeLevels(parts) {
    const withRequests = parts.filter(m => m.requests > 0);
    if (!parts.some(m => m.levels) || !withRequests.every(m => m.levels))
        return undefined;
    const counts = new Map();
    for (const m of parts) {
        m.levels?.values.forEach((v, k) => counts.set(v, (counts.get(v) ?? 0) + (m.levels.counts[k] ?? 0)));
    }
    return { values: [...counts.keys()], counts: [...counts.values()] };
}
/** The bounds of the union: the wider of the two. */
function mergeBounds(a, b) {
    if (!a || !b)
        return a ?? b;
    return { lower: Math.min(a.lower, b.lower), upper: Math.max(a.upper, b.upper) };
}
function mergeOptionalHistograms(a, b) {
    return a && b ? mergeHistograms(a, b) : (a ?? b);
}
/**
 * The totals of a set of cells, e.g. every bucket of one arm in the total segment. Units add up
 * exactly because a cell counts only the units first seen in it. With no cells, `metrics` is [].
 *
 * A list that starts with the same cells (by identity) as an earlier merge's resumes from that
 * merge's running totals (see `prefixes`): the same additions in the same order, so the same
 * result to the last bit.
 */
function mergeCells(cells) {
    const metricCount = cells[0]?.metrics.length ?? 0;
    let moments = Array.from({ length: metricCount }, emptyMoments);
    let requests = new Array(metricCount).fill(0);
    let squares = new Array(metricCount).fill(0);
    const sketches = new Array(metricCount).fill(undefined);
    const histograms = new Array(metricCount).fill(undefined);
    const bounds = new Array(metricCount).fill(undefined);
    const ranks = new Array(metricCount).fill(undefined);
    let adjusted = Array.from({ length: metricCount }, () => []);
    // The sketches that carry value counts, per metric (MetricSketch.levels; the judge's only).
    const levelled = Array.from({ length: metricCount }, () => []);
    let models = {};
    let errors = {};
    let totalRequests = 0;
    let units = 0;
    // Whether the totals so far hold only numbers and moments (no quantile sketch, rank sums,
    // histogram, bounds or adjusted moments): then they are cheap to keep as a prefix.
    let plain = true;
    let start = 0;
    const first = cells[0];
    const known = first && prefixes$1.get(first);
    if (known && resumes(known, cells, metricCount)) {
        const t = known.totals;
        totalRequests = t.requests;
        units = t.units;
        models = { ...t.models };
        errors = { ...t.errors };
        // Copies: with no cell after the prefix they would be handed out as they are.
        moments = t.moments.map(m => ({ ...m }));
        requests = [...t.metricRequests];
        squares = [...t.squares];
        // The prefix's adjusted moments are all absent, and one absent part makes the merge's absent
        // (mergeAdjusted), as the whole list of them would.
        adjusted = adjusted.map(() => [undefined]);
        // Nor value counts: its requests make a merge's absent.
        requests.forEach((n, i) => {
            if (n > 0)
                levelled[i].push({ moments: emptyMoments(), requests: n });
        });
        start = known.cells.length;
    }
    for (let j = start; j < cells.length; j++) {
        const cell = cells[j];
        if (first && j === cells.length - 1 && j > start && plain) {
            // The totals before the last cell: a later merge of these cells and more resumes here.
            prefixes$1.set(first, {
                cells: cells.slice(0, j),
                totals: {
                    requests: totalRequests,
                    units,
                    models: { ...models },
                    errors: { ...errors },
                    moments: [...moments],
                    metricRequests: [...requests],
                    squares: [...squares]
                }
            });
        }
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
            const sq = m.requests === 0 ? 0 : m.requestSquares;
            squares[i] = sq === undefined || squares[i] === undefined ? undefined : squares[i] + sq;
            if (m.quantiles) {
                const sketch = (sketches[i] ??= new QuantileSketch(m.quantiles.alpha));
                sketch.merge(QuantileSketch.fromJSON(m.quantiles));
                plain = false;
            }
            if (m.unitRanks) {
                (ranks[i] ??= new RankSumsAccumulator()).addSums(m.unitRanks);
                plain = false;
            }
            histograms[i] = mergeOptionalHistograms(histograms[i], m.histogram);
            bounds[i] = mergeBounds(bounds[i], m.bounds);
            adjusted[i].push(m.adjusted);
            if (m.levels || m.requests > 0)
                levelled[i].push(m);
            if (m.histogram || m.adjusted || m.bounds || m.levels)
                plain = false;
        }
    }
    const metrics = moments.map((mo, i) => {
        const sketch = sketches[i];
        const merged = { moments: mo, requests: requests[i] };
        const sq = squares[i];
        if (sq !== undefined)
            merged.requestSquares = sq;
        if (sketch)
            merged.quantiles = sketch.toJSON();
        const rank = ranks[i];
        if (rank)
            merged.unitRanks = rank.toJSON();
        const histogram = histograms[i];
        if (histogram)
            merged.histogram = histogram;
        const known = bounds[i];
        if (known)
            merged.bounds = known;
        const adjustedMoments = mergeAdjusted(adjusted[i]);
        if (adjustedMoments)
            merged.adjusted = adjustedMoments;
        const levels = mergeLevels(levelled[i]);
        if (levels)
            merged.levels = levels;
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
/**
 * mergeCells' running totals before the last cell of the lists it merged, keyed by their first
 * cell: backtest merges, at every look, the window's time buckets, whose past ones are the same
 * Cell objects from look to look (src/replay/windowEvidence.ts), so each look adds only the
 * buckets since the last instead of the whole window again. Kept only for cells of counts and
 * moments (no quantile sketch, rank sums, histogram, bounds or adjusted moments: the replay's past
 * buckets), whose totals cost a few numbers to copy; a source whose cells carry sketches pays
 * nothing. Identity is a sound key because a Cell is never changed once handed out; a WeakMap,
 * so the totals go with their cells.
 */
const prefixes$1 = new WeakMap();
/** Whether `cells` starts with the prefix's cells, the same objects, of the same metrics. */
function resumes(prefix, cells, metricCount) {
    const known = prefix.cells;
    if (known.length > cells.length || prefix.totals.moments.length !== metricCount)
        return false;
    for (let j = 0; j < known.length; j++)
        if (known[j] !== cells[j])
            return false;
    return true;
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

/**
 * The evidence model every layer shares: what a source produces (sketches per arm x segment x
 * time bucket, data quality, text samples) and what analysis, the judge and the reports read.
 * Types and constants only, below every user (sources, analysis, report), so the core never
 * imports an adapter.
 */
const TOTAL_SEGMENT = '*';
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
/** `dataQuality.maxAge` when a policy does not say (hand-built policies in tests). */
const DEFAULT_MAX_AGE_MS = 7 * 86_400_000;

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
        reported: 0,
        inputTokens: 0,
        cacheReadTokens: 0,
        priced: 0,
        cost: 0,
        costUncached: 0,
        inputAtInputPrice: 0,
        inputAtCacheReadPrice: 0,
        latency: { hit: emptyMoments(), miss: emptyMoments() },
        ttft: { hit: emptyMoments(), miss: emptyMoments() },
        repricing: { n: 0, su: 0, sd: 0, suu: 0, sdd: 0, sud: 0, sc: 0, scc: 0 }
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
    if (r.cache_read_tokens !== undefined && c.reported !== undefined)
        c.reported++;
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
    const atCacheRead = (input * (price.cacheRead ?? price.input)) / 1e6;
    const uncached = atInput + ((r.output_tokens ?? 0) * price.output) / 1e6;
    c.priced++;
    c.cost += cost;
    c.costUncached += uncached;
    c.inputAtInputPrice += atInput;
    c.inputAtCacheReadPrice += atCacheRead;
    if (c.repricing)
        addRepricing(c.repricing, uncached, atInput - atCacheRead, cost);
}
function addRepricing(s, u, d, c) {
    s.n++;
    s.su += u;
    s.sd += d;
    s.suu += u * u;
    s.sdd += d * d;
    s.sud += u * d;
    s.sc += c;
    s.scc += c * c;
}
/** Adds `from` into `into`, in place (cache sums merge by addition). */
function addCacheSums(into, from) {
    for (const key of COUNT_KEYS)
        into[key] += from[key];
    // Unknown on either side (evidence from before it was counted) is unknown in the sum.
    if (into.reported !== undefined && from.reported !== undefined)
        into.reported += from.reported;
    else
        delete into.reported;
    addMoments(into.latency.hit, from.latency.hit);
    addMoments(into.latency.miss, from.latency.miss);
    addMoments(into.ttft.hit, from.ttft.hit);
    addMoments(into.ttft.miss, from.ttft.miss);
    if (into.repricing && from.repricing) {
        const a = into.repricing;
        const b = from.repricing;
        for (const key of REPRICING_KEYS)
            a[key] += b[key];
    }
    else
        delete into.repricing;
}
const COUNT_KEYS = [
    'requests',
    'hits',
    'inputTokens',
    'cacheReadTokens',
    'priced',
    'cost',
    'costUncached',
    'inputAtInputPrice',
    'inputAtCacheReadPrice'
];
const REPRICING_KEYS = [
    'n',
    'su',
    'sd',
    'suu',
    'sdd',
    'sud',
    'sc',
    'scc'
];
/**
 * The cache sums of a set of cells; undefined when none has any (the source does not give them).
 * A list that starts with the same cells (by identity) as an earlier merge's resumes from that
 * merge's running sums (`prefixes`): the same additions in the same order, the same result.
 */
function mergeCacheSums(cells) {
    let total;
    let start = 0;
    const first = cells[0];
    const known = first && prefixes.get(first);
    if (known && startsWith(cells, known.cells)) {
        total = known.total && copyCacheSums(known.total);
        start = known.cells.length;
    }
    for (let j = start; j < cells.length; j++) {
        const cell = cells[j];
        if (first && j === cells.length - 1 && j > start) {
            // The sums before the last cell: a later merge of these cells and more resumes here.
            prefixes.set(first, { cells: cells.slice(0, j), total: total && copyCacheSums(total) });
        }
        if (!cell.cache)
            continue;
        total ??= emptyCacheSums();
        addCacheSums(total, cell.cache);
    }
    return total;
}
/**
 * mergeCacheSums' running sums before the last cell of the lists it merged, keyed by their first
 * cell: backtest merges, at every look, the window's time buckets, whose past ones are the same
 * Cell objects from look to look (src/replay/windowEvidence.ts), so each look adds only the
 * buckets since the last instead of the whole window again. Identity is a sound key because a
 * Cell is never changed once handed out; a WeakMap, so the sums go with their cells.
 */
const prefixes = new WeakMap();
function startsWith(cells, prefix) {
    if (prefix.length > cells.length)
        return false;
    for (let j = 0; j < prefix.length; j++)
        if (prefix[j] !== cells[j])
            return false;
    return true;
}
/** A deep copy (addCacheSums changes its target's moments in place). */
function copyCacheSums(c) {
    const copy = {
        ...c,
        latency: { hit: { ...c.latency.hit }, miss: { ...c.latency.miss } },
        ttft: { hit: { ...c.ttft.hit }, miss: { ...c.ttft.miss } }
    };
    if (c.repricing)
        copy.repricing = { ...c.repricing };
    return copy;
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
const KNOWN_INSTRUMENTATIONS = [
    {
        scope: '@opentelemetry/instrumentation-openai',
        convention: 'otel-genai',
        failedCalls: true,
        checked: '0.21.0'
    },
    {
        scope: '@traceloop/instrumentation-openai',
        convention: 'openllmetry',
        failedCalls: false,
        checked: '0.22.5, 0.27.0'
    },
    {
        scope: '@arizeai/openinference-instrumentation-openai',
        convention: 'openinference',
        failedCalls: false,
        checked: '4.2.7'
    }
];
function knownInstrumentation(scope) {
    return KNOWN_INSTRUMENTATIONS.find(k => k.scope === scope);
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
/**
 * Every raw name that can fill a canonical field: the row aliases, the span attributes of each
 * tracing convention (OTLP files), and LiteLLM's fields (when the row is one of LiteLLM's).
 */
function fieldAliases(field) {
    const names = new Set(RECORD_ALIASES[field]);
    const target = field === 'unit' ? ['user_id', 'session_id'] : [field];
    for (const tables of Object.values(SPAN_CONVENTIONS)) {
        for (const table of tables) {
            for (const t of target) {
                for (const attr of table[t]?.from ?? [])
                    names.add(attr);
            }
        }
    }
    return [...names];
}
/** Metric `from` names that read a canonical field (units already converted). */
const CANONICAL = {
    ...aliasesOf('latency_ms'),
    ...aliasesOf('ttft_ms'),
    ...aliasesOf('input_tokens'),
    ...aliasesOf('output_tokens'),
    ...aliasesOf('cache_read_tokens'),
    ...aliasesOf('cache_write_tokens'),
    cost_usd: 'cost',
    'gen_ai.evaluation.score.value': 'score'
};
function aliasesOf(field) {
    return Object.fromEntries(RECORD_ALIASES[field].filter(alias => alias !== field).map(alias => [alias, field]));
}
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
    const base = spec.kind === 'rate' ? rateReader(spec.from, from) : from;
    const read = spec.range ? rangeReader(spec.from, spec.range, base) : base;
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
/**
 * A metric with a declared `range` is bounded: its confidence sequence relies on every value lying
 * in [lo, hi], so one outside is invalid (counted, never used), not clipped.
 */
function rangeReader(field, range, read) {
    const outside = {
        invalid: `${field}: outside the metric's range [${range.lo}, ${range.hi}]`
    };
    return r => {
        const v = read(r);
        if (typeof v !== 'number')
            return v;
        return v >= range.lo && v <= range.hi ? v : outside;
    };
}
/** The canonical record field an alias names (`duration_ms` -> `latency_ms`); other names as they are. */
function canonicalName(field) {
    return Object.hasOwn(CANONICAL, field) ? CANONICAL[field] : field;
}
/**
 * The raw-row keys a metric field reads (rawFieldReader, readPath): the flat key and, for a dotted
 * path, each of its prefixes (`a.b.c`, `a.b`, `a`), any of which may hold the rest nested or as
 * JSON. Empty for fields read from the record itself. The parallel file reader ships only these
 * keys.
 */
function rawKeysRead(field) {
    if (recordFieldReader(field, {}) !== undefined)
        return [];
    const keys = [field];
    for (let dot = field.lastIndexOf('.'); dot > 0; dot = field.lastIndexOf('.', dot - 1)) {
        keys.push(field.slice(0, dot));
    }
    return keys;
}
function fieldReader(field, pricing) {
    return recordFieldReader(field, pricing) ?? rawFieldReader(field);
}
/** A reader of a canonical record field (aliases resolved), or undefined for a raw-row field. */
function recordFieldReader(field, pricing) {
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
    return undefined;
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
 * attributes have it), else a path into nested objects or JSON strings (readPath). Booleans read as 1 / 0; numeric strings
 * as numbers; negative values are allowed (the field's meaning is the user's).
 */
function rawFieldReader(field) {
    const dotted = field.includes('.');
    const notNumber = { invalid: `${field}: not a finite number` };
    return r => {
        // An own key holding undefined counts as absent (the parallel reader's reused raw row).
        const flat = Object.hasOwn(r.raw, field) ? r.raw[field] : undefined;
        const v = flat !== undefined ? flat : dotted ? readPath(r.raw, field) : undefined;
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
/**
 * The raw fields a policy field's values come from, for telling a field the data never has
 * (analysis/fieldsCheck.ts): a canonical field's name and every alias (fieldAliases), any other
 * field itself. `always` for fields every record has a value for (`error`, `fallback`); `priced`
 * for costs, which are also computed from tokens at the policy's prices.
 */
function fieldSources(field) {
    const name = canonicalName(field);
    if (name === 'error' || name === 'fallback' || name.startsWith('error.')) {
        return { paths: [], always: true };
    }
    if (name === 'cost')
        return { paths: ['cost_usd', ...fieldAliases('input_tokens')], priced: true };
    if (name === 'cost_uncached')
        return { paths: fieldAliases('input_tokens'), priced: true };
    if (name === 'cache_hit')
        return { paths: fieldAliases('cache_read_tokens') };
    if (name.startsWith('scores.'))
        return { paths: [name, ...fieldAliases('score')] };
    return {
        paths: Object.hasOwn(RECORD_ALIASES, name)
            ? fieldAliases(name)
            : [field]
    };
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
 * What every evidence producer keeps per cell (arm x segment x time bucket) and how it becomes a
 * Cell: the EvidenceBuilder from records, the SQL source from the rows its query returns (and the
 * replay's window evidence). One definition, so a new field of Cell or MetricSketch is added, and
 * capped, in one place.
 */
/** Distinct error classes kept per cell; later ones are summed under OTHER_KEY. */
const MAX_ERROR_CLASSES = 20;
const OTHER_KEY = '(other)';
/** One metric of a cell (or of an A/A half) while it is built. */
class MetricCell {
    quantiles;
    moments = emptyMoments();
    requests = 0;
    /** Sum over requests of the value squared (MetricSketch.requestSquares). */
    requestSquares = 0;
    /** Quantile metrics: the per-unit rank sums of the units first seen here (unitRanks.ts). */
    ranks;
    constructor(
    /** Quantile metrics built value by value; a source that builds its own leaves it out. */
    quantiles, quantile = quantiles !== undefined) {
        this.quantiles = quantiles;
        if (quantile)
            this.ranks = new RankSumsAccumulator();
    }
    /** Adds another cell's metric (the cells' union: exact, every part is a sum). */
    addAll(other) {
        this.requests += other.requests;
        this.requestSquares += other.requestSquares;
        addMoments(this.moments, other.moments);
        if (other.quantiles)
            this.quantiles?.merge(other.quantiles);
        if (this.ranks && other.ranks && !other.ranks.empty)
            this.ranks.addSums(other.ranks.toJSON());
    }
    /** The quantile sketch to emit (a source that keeps its own form overrides this). */
    quantileData() {
        return this.quantiles?.toJSON();
    }
    toSketch() {
        const sketch = {
            moments: { ...this.moments },
            requests: this.requests,
            requestSquares: this.requestSquares
        };
        const quantiles = this.quantileData();
        if (quantiles)
            sketch.quantiles = quantiles;
        if (this.ranks && !this.ranks.empty)
            sketch.unitRanks = this.ranks.toJSON();
        return sketch;
    }
}
/** A cell's counts: what the checks read per time bucket (Cell's fields besides the metrics). */
class CellCounts {
    requests = 0;
    /** Units first seen in the cell. */
    units = 0;
    fallbacks = 0;
    /** Prompt-cache sums, once a request carried input tokens. */
    cache;
    /** Served model keys (`model#fingerprint`), and those of failed calls apart. */
    models = new Map();
    failedModels = new Map();
    errors = new Map();
    /**
     * Adds another cell's counts (merging segments into the total, or folding capped segments), but
     * its units: a unit first seen in two segments is one unit of their total, which only the
     * caller can tell.
     */
    addCounts(other) {
        this.requests += other.requests;
        this.fallbacks += other.fallbacks;
        if (other.cache)
            addCacheSums((this.cache ??= emptyCacheSums()), other.cache);
        addCounts(this.models, other.models);
        addCounts(this.failedModels, other.failedModels);
        addCounts(this.errors, other.errors);
    }
}
/**
 * The Cell of `counts` and its metrics' sketches, with models and error classes capped as
 * Cell documents (the most frequent kept, the rest under `other` / `(other)`), and the baseline
 * total's A/A halves when given.
 */
function emitCell(at, counts, metrics, halves) {
    const cell = {
        arm: at.arm,
        segment: at.segment,
        bucket: at.bucket,
        requests: counts.requests,
        units: counts.units,
        metrics,
        models: capKeys(Object.fromEntries(counts.models), MAX_MODEL_KEYS, OTHER_MODELS),
        errors: capKeys(Object.fromEntries(counts.errors), MAX_ERROR_CLASSES, OTHER_KEY),
        fallbacks: counts.fallbacks
    };
    if (counts.failedModels.size > 0) {
        cell.failedModels = capKeys(Object.fromEntries(counts.failedModels), MAX_MODEL_KEYS, OTHER_MODELS);
    }
    if (counts.cache)
        cell.cache = counts.cache;
    if (halves)
        cell.halves = halves;
    return cell;
}
/** Adds `count` to `key`, or to `other` once `maxKeys` keys are named (memory stays bounded). */
function countCappedMap(counts, key, maxKeys, other, count = 1) {
    const seen = counts.get(key);
    if (seen !== undefined)
        counts.set(key, seen + count);
    else if (counts.size < maxKeys)
        counts.set(key, count);
    else
        counts.set(other, (counts.get(other) ?? 0) + count);
}
function addCounts(into, from) {
    for (const [key, count] of from)
        into.set(key, (into.get(key) ?? 0) + count);
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
/**
 * The A/A half of a unit: the low bit of its first hash. That FNV-1a is salted (and finalised) so
 * that the halves are independent of a flag service that assigns the arms by plain FNV-1a of the
 * same id, as examples/generate-traffic.ts does.
 */
function unitHalf(key) {
    return (key.h1 & 1);
}
/**
 * Unit -> slot, keyed by a 64-bit hash of the unit id (hashUnit) in an open-addressing table of
 * int32s (linear probing; Knuth, TAOCP vol. 3, 6.4). The parallel file reader hashes ids in its
 * workers, so ids never cross threads and this thread only probes.
 *
 * It replaces a null-prototype object keyed by the id, which kept every id string (about 40 bytes)
 * plus a 24-byte dictionary entry at load 1/2 per unit: 20 MB for 200,000 users, against 12 bytes
 * per entry here at load 3/4 at most. Two distinct ids share a 64-bit hash with probability about
 * n^2 / 2^65 (3e-8 for a million units); such a pair would be counted as one user, which moves no
 * interval measurably. Hashing a short id costs about what the dictionary's own string hash did.
 */
class UnitIndex {
    lo;
    hi;
    /** slot + 1; 0 marks an empty entry. */
    slots;
    bits;
    size = 0;
    /** The entry find() stopped at: where insert() puts the id it looked for. */
    at = 0;
    h1 = 0;
    h2 = 0;
    constructor(initialBits = 12) {
        this.bits = initialBits;
        this.lo = new Int32Array(1 << initialBits);
        this.hi = new Int32Array(1 << initialBits);
        this.slots = new Int32Array(1 << initialBits);
    }
    /** The unit's slot, or -1 when it is new (then insert() adds it). */
    find(key) {
        const { h1, h2 } = key;
        this.h1 = h1;
        this.h2 = h2;
        const mask = this.slots.length - 1;
        for (let i = h1 >>> (32 - this.bits);; i = (i + 1) & mask) {
            const slot = this.slots[i];
            if (slot === 0) {
                this.at = i;
                return -1;
            }
            if (this.lo[i] === h1 && this.hi[i] === h2)
                return slot - 1;
        }
    }
    /** Calls `visit` with each unit's hash and slot, in table order. */
    forEach(visit) {
        const key = { h1: 0, h2: 0 };
        for (let i = 0; i < this.slots.length; i++) {
            const slot = this.slots[i];
            if (slot === 0)
                continue;
            key.h1 = this.lo[i];
            key.h2 = this.hi[i];
            visit(key, slot - 1);
        }
    }
    /** Forgets every unit (the builder's finish()). */
    release() {
        this.bits = 4;
        this.lo = new Int32Array(16);
        this.hi = new Int32Array(16);
        this.slots = new Int32Array(16);
        this.size = 0;
    }
    /** Adds the unit the last find() did not find. */
    insert(slot) {
        if (4 * (this.size + 1) > 3 * this.slots.length) {
            this.grow();
            this.at = this.free(this.h1);
        }
        this.lo[this.at] = this.h1;
        this.hi[this.at] = this.h2;
        this.slots[this.at] = slot + 1;
        this.size++;
    }
    free(h1) {
        const mask = this.slots.length - 1;
        let i = h1 >>> (32 - this.bits);
        while (this.slots[i] !== 0)
            i = (i + 1) & mask;
        return i;
    }
    grow() {
        const { lo, hi, slots } = this;
        this.bits++;
        this.lo = new Int32Array(1 << this.bits);
        this.hi = new Int32Array(1 << this.bits);
        this.slots = new Int32Array(1 << this.bits);
        for (let j = 0; j < slots.length; j++) {
            if (slots[j] === 0)
                continue;
            const i = this.free(lo[j]);
            this.lo[i] = lo[j];
            this.hi[i] = hi[j];
            this.slots[i] = slots[j];
        }
    }
}
/** murmur3's 32-bit finaliser: every input bit affects every output bit (as a signed int32). */
function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
}

/**
 * Per-unit state for EvidenceBuilder: a fixed-size slot per unit (or per unit and segment) in
 * typed-array pages rather than objects, so hundreds of thousands of units cost under 100 bytes
 * each, give the garbage collector nothing to trace, and a record's update touches one or two
 * adjacent cache lines. (Random access to this state is, after JSON.parse, the largest cost of
 * reading a file, so compactness is speed here.)
 *
 * A slot is one ArrayBuffer range seen as Int32Array and Float64Array:
 *   `header` int32s for the caller, then per metric a request count (int32, also the y-sum when
 *   y = 1), padded to 8 bytes; then per metric an x-sum (float64), and for ratio metrics a y-sum.
 * (Header and counts share the int32 part: with a one-int header and five metrics a slot is 64
 * bytes, where padding each part apart made it 72.)
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
        let floats = Math.ceil((header + kinds.length) / 2);
        this.xAt = new Int32Array(kinds.length);
        this.yAt = new Int32Array(kinds.length).fill(-1);
        kinds.forEach((kind, i) => {
            this.xAt[i] = floats++;
            if (kind === 'ratio')
                this.yAt[i] = floats++;
        });
        this.countAt = Int32Array.from(kinds, (_, i) => header + i);
        this.stride = floats;
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
    /** Drops every slot (the builder's finish(), once their sums are folded into cells). */
    release() {
        this.floatPages.length = 0;
        this.intPages.length = 0;
        this.used = 0;
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

/** Values of a categorical covariate that get an indicator; later values get none (the reference). */
const MAX_COVARIATE_LEVELS = 8;
/** The value a categorical covariate has on a record (as a segment dimension reads it). */
function covariateLevel(v) {
    if (typeof v === 'string')
        return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    return undefined;
}
/**
 * Per-unit covariates for the regression-adjusted comparison (AdjustedMoments, ./types.ts), for
 * the EvidenceBuilder: each unit's pre-exposure sums of every adjusted metric (read from the
 * lookback before the rollout's first step, in the same pass over the files as the window), and
 * its sums of the request covariates in the window. Both in typed-array tables keyed like the
 * builder's own per-unit state (the 64-bit unit hash): the pre-exposure table by its own UnitIndex,
 * since a unit's lookback records may come before or after its window records in the files; the
 * window table by the unit's total slot in its arm. In finish() each unit's vector joins the
 * AdjustedMoments of its arm's total cell of the bucket where it was first seen, as its RatioMoments
 * cluster does; a request without a unit is its own cluster, added at once.
 *
 * Memory: about 16 bytes of index and 12 to 20 bytes per adjusted metric per pre-exposure unit,
 * and 8 bytes per covariate column (numeric 1, categorical MAX_COVARIATE_LEVELS) plus 8 per unit in
 * the window.
 */
class CovariateCollector {
    adjusted;
    columns;
    /** Row width in a unit's window table: requests, then the columns. */
    stride;
    window;
    preIndex = new UnitIndex();
    preSlots;
    preQuality;
    /** Per arm: the window rows by total slot. */
    rows;
    /**
     * Per arm, per bucket index, per adjusted metric: the moments of the requests without a unit,
     * added while reading (every level's column), and of the units, added in finish() when the
     * levels are known (used columns only, `layouts`).
     */
    cells = [[], []];
    unitCells = [[], []];
    /** Per adjusted metric, once reading is done: the used positions of its vector, and their names. */
    layouts;
    used;
    /** Per arm, total slot -> pre-exposure slot + 1 (0: none); set by link(). */
    links = [new Int32Array(0), new Int32Array(0)];
    /** The vector of one cluster, filled by fill(). */
    vector;
    /** A window row for a request without a unit. */
    single;
    /** A unit's pre-exposure sums, per adjusted metric (UnitSlots.sumInto). */
    sums;
    /** `rolloutStartedAt`: when the rollout's first step began (undefined: no lookback is read). */
    static create(policy, rolloutStartedAt) {
        const any = policy.metrics.some(m => m.varianceReduction !== undefined);
        return any ? new CovariateCollector(policy, rolloutStartedAt) : undefined;
    }
    constructor(policy, rolloutStartedAt) {
        const byField = new Map();
        let at = 1;
        const kinds = [];
        this.adjusted = [];
        policy.metrics.forEach((spec, metric) => {
            const vr = spec.varianceReduction;
            if (!vr)
                return;
            const columns = vr.covariates.map(c => {
                const key = `${c.type}:${c.field}`;
                let column = byField.get(key);
                if (!column) {
                    column =
                        c.type === 'numeric'
                            ? {
                                spec: c,
                                at,
                                read: compileMetricValue({
                                    name: c.field,
                                    from: c.field,
                                    kind: 'mean',
                                    tolerance: spec.tolerance,
                                    path: spec.path
                                }, policy.pricing)
                            }
                            : { spec: c, at, levels: new Map() };
                    at += c.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS;
                    byField.set(key, column);
                }
                return column;
            });
            const capacity = V_COVARIATES +
                columns.reduce((s, c) => s + (c.spec.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS), 0);
            this.adjusted.push({
                metric,
                pre: kinds.length,
                columns,
                capacity,
                read: compileMetricValue(spec, policy.pricing),
                lookback: vr.lookback
            });
            kinds.push(spec.kind);
        });
        this.columns = [...byField.values()];
        this.stride = at;
        this.rows = [new PagedRows(at), new PagedRows(at)];
        this.preSlots = new UnitSlots(kinds, 0);
        const lookback = Math.max(0, ...this.adjusted.map(a => a.lookback));
        this.window =
            rolloutStartedAt !== undefined && lookback > 0
                ? { from: rolloutStartedAt - lookback, to: rolloutStartedAt }
                : undefined;
        this.preQuality = this.window && { window: this.window, records: 0, units: 0, canaryRecords: 0 };
        this.vector = new Float64Array(Math.max(...this.adjusted.map(a => a.capacity)));
        this.single = new Float64Array(at);
        this.used = new Float64Array(Math.max(...this.adjusted.map(a => a.capacity)));
        this.sums = new Float64Array(3 * kinds.length);
    }
    /** A record at `ts` (outside the window) is in the lookback: call pre() with it. */
    isPreExposure(ts) {
        const w = this.window;
        return w !== undefined && ts >= w.from && ts < w.to;
    }
    /**
     * Files a record of the lookback (isPreExposure). A canary record there marks it unclean
     * (PreExposureQuality.canaryRecords).
     */
    pre(r, unit) {
        const q = this.preQuality;
        if (r.arm === 'canary') {
            q.canaryRecords++;
            if (q.lastCanary === undefined || r.ts > q.lastCanary)
                q.lastCanary = r.ts;
            return;
        }
        // A request without a unit has no later self to be the covariate of.
        if (unit === undefined)
            return;
        let slot = this.preIndex.find(unit);
        if (slot < 0) {
            slot = this.preSlots.allocate();
            this.preIndex.insert(slot);
            q.units++;
        }
        q.records++;
        const end = this.window.to;
        for (const a of this.adjusted) {
            if (r.ts < end - a.lookback)
                continue;
            const v = a.read(r);
            if (v !== undefined && !('invalid' in v))
                this.preSlots.add(slot, a.pre, v.x, v.y);
        }
    }
    /**
     * Files a window record's covariates: into its unit's row (`slot`, its total slot in the arm),
     * or, without a unit, as a cluster of its own in bucket k for each adjusted metric it has a
     * value for (`has`, `xs`, `ys`: the builder's values of this record, by metric).
     */
    request(arm, slot, k, r, values) {
        const [data, base] = slot >= 0 ? this.rows[arm].row(slot) : [this.single, 0];
        if (slot < 0)
            data.fill(0);
        data[base] = data[base] + 1;
        for (const c of this.columns) {
            const at = base + c.at;
            if (c.read) {
                const v = c.read(r);
                if (v !== undefined && !('invalid' in v))
                    data[at] = data[at] + v.x;
                continue;
            }
            const level = this.levelOf(c, r);
            if (level >= 0)
                data[at + level] = data[at + level] + 1;
        }
        if (slot >= 0)
            return;
        // A request without a unit: one cluster, (x, y, 0, 0, 1, z) for each metric it has.
        for (let j = 0; j < this.adjusted.length; j++) {
            const a = this.adjusted[j];
            if (values.has[a.metric] === 0)
                continue;
            const v = this.fill(a, values.xs[a.metric], values.ys[a.metric], 0, 0, data, 0);
            addAdjustedCluster(this.cell(arm, k, j), v);
        }
    }
    /** Maps the arm's total slots to pre-exposure slots (call before the arm's UnitIndex is released). */
    link(arm, units, slotCount) {
        const link = new Int32Array(slotCount);
        if (this.clean()) {
            this.preIndex.forEach((key, preSlot) => {
                const slot = units.find(key);
                if (slot >= 0)
                    link[slot] = preSlot + 1;
            });
        }
        this.links[arm] = link;
    }
    /**
     * Adds a unit's cluster to bucket k of its arm: `sums` are its window sums as UnitSlots.sumInto
     * gives them (per metric: x, y, count).
     */
    unit(arm, slot, k, sums) {
        const rows = this.rows[arm];
        const [data, base] = rows.row(slot);
        const preSlot = (this.links[arm]?.[slot] ?? 0) - 1;
        if (preSlot >= 0) {
            this.sums.fill(0);
            this.preSlots.sumInto(preSlot, this.sums);
        }
        const layouts = this.layout();
        for (let j = 0; j < this.adjusted.length; j++) {
            const a = this.adjusted[j];
            const i = a.metric;
            if (sums[3 * i + 2] === 0)
                continue;
            const preX = preSlot >= 0 ? this.sums[3 * a.pre] : 0;
            const preY = preSlot >= 0 ? this.sums[3 * a.pre + 1] : 0;
            const v = this.fill(a, sums[3 * i], sums[3 * i + 1], preX, preY, data, base);
            const { keep } = layouts[j];
            for (let p = 0; p < keep.length; p++)
                this.used[p] = v[keep[p]];
            const byBucket = this.unitCells[arm];
            const cells = (byBucket[k] ??= layouts.map(l => emptyAdjusted(l.names)));
            addAdjustedCluster(cells[j], this.used.subarray(0, keep.length));
        }
    }
    /** Sets `adjusted` on the metrics of arm's total cell for bucket k (compacted to used levels). */
    attach(arm, k, metrics) {
        this.adjusted.forEach((a, j) => {
            const metric = metrics[a.metric];
            if (!metric)
                return;
            const adjusted = this.compact(j, a, this.cells[arm]?.[k]?.[j]);
            const units = this.unitCells[arm]?.[k]?.[j];
            if (units)
                addAdjusted(adjusted, units);
            metric.adjusted = adjusted;
        });
    }
    /** What was found in the lookback, for DataQuality.preExposure (undefined when none was read). */
    quality() {
        return this.preQuality && { ...this.preQuality };
    }
    /** Frees the per-unit tables. */
    release() {
        this.rows[0].release();
        this.rows[1].release();
        this.preSlots.release();
        this.preIndex.release();
        this.links[0] = new Int32Array(0);
        this.links[1] = new Int32Array(0);
    }
    /** No canary record in the lookback: its units were all unexposed. */
    clean() {
        return this.preQuality !== undefined && this.preQuality.canaryRecords === 0;
    }
    levelOf(c, r) {
        const value = covariateLevel(r.raw[c.spec.field]);
        if (value === undefined)
            return -1;
        const levels = c.levels;
        const level = levels.get(value);
        if (level !== undefined)
            return level;
        if (levels.size >= MAX_COVARIATE_LEVELS)
            return -1;
        levels.set(value, levels.size);
        return levels.size - 1;
    }
    cell(arm, k, j) {
        const byBucket = this.cells[arm];
        // Requests without a unit, at every level's column: no third moments (their count grows as
        // the cube of the columns; without them the estimator's skewness is not assessed).
        const cell = (byBucket[k] ??= this.adjusted.map(a => {
            const { cubes: _, ...m } = emptyAdjusted(new Array(a.capacity - V_COVARIATES).fill(''));
            return m;
        }));
        return cell[j];
    }
    /** The vector (x, y, pre.x, pre.y, requests, metric's covariate columns) in this.vector. */
    fill(a, x, y, preX, preY, row, base) {
        const v = this.vector;
        v[V_X] = x;
        v[V_Y] = y;
        v[V_PRE_X] = preX;
        v[V_PRE_Y] = preY;
        v[V_REQUESTS] = row[base];
        let p = V_COVARIATES;
        for (const c of a.columns) {
            const width = c.spec.type === 'numeric' ? 1 : MAX_COVARIATE_LEVELS;
            for (let l = 0; l < width; l++)
                v[p++] = row[base + c.at + l];
        }
        return v.subarray(0, a.capacity);
    }
    /**
     * Per adjusted metric, the positions of its vector to keep (x, y, pre.x, pre.y, requests, then
     * its numeric covariates and the levels seen) and their names (`input_tokens`, `route=faq`).
     * Fixed at the first call, once reading is done (no level is added after).
     */
    layout() {
        this.layouts ??= this.adjusted.map(a => {
            const keep = [V_X, V_Y, V_PRE_X, V_PRE_Y, V_REQUESTS];
            const names = [];
            let p = V_COVARIATES;
            for (const c of a.columns) {
                if (c.spec.type === 'numeric') {
                    keep.push(p++);
                    names.push(c.spec.field);
                    continue;
                }
                for (const [value, level] of c.levels) {
                    keep.push(p + level);
                    names.push(`${c.spec.field}=${value}`);
                }
                p += MAX_COVARIATE_LEVELS;
            }
            return { keep, names };
        });
        return this.layouts;
    }
    /** Moments with every level's column, reduced to the metric's used columns. */
    compact(j, a, m) {
        const { keep, names } = this.layout()[j];
        const out = emptyAdjusted(names);
        if (!m)
            return out;
        if (!m.cubes)
            delete out.cubes;
        const d = a.capacity;
        const e = keep.length;
        out.n = m.n;
        out.covered = m.covered;
        keep.forEach((from, i) => {
            out.sums[i] = m.sums[from];
            for (let j2 = i; j2 < e; j2++) {
                out.products[productIndex(i, j2, e)] = m.products[productIndex(from, keep[j2], d)];
            }
        });
        return out;
    }
}
/** Fixed-width float64 rows by slot number, in pages (rows start at zero). */
class PagedRows {
    stride;
    static PAGE_ROWS = 4096;
    pages = [];
    constructor(stride) {
        this.stride = stride;
    }
    /** The page holding the slot's row and the row's first index in it. */
    row(slot) {
        const p = Math.floor(slot / PagedRows.PAGE_ROWS);
        while (this.pages.length <= p)
            this.pages.push(new Float64Array(PagedRows.PAGE_ROWS * this.stride));
        return [this.pages[p], (slot % PagedRows.PAGE_ROWS) * this.stride];
    }
    release() {
        this.pages = [];
    }
}

/** Distinct segment keys kept per arm; later ones go to OTHER_SEGMENT (memory stays bounded). */
const MAX_SEGMENTS_PER_ARM = 50;
const OTHER_SEGMENT = '(other)';
/** The value of a segment dimension a record does not have. */
const NO_VALUE = '(none)';
const MAX_MALFORMED_SAMPLES = 10;
const MAX_MALFORMED_REASONS = 20;
const OTHER_REASONS = '(other reasons)';
const MAX_UNMATCHED_ARMS = 20;
const MAX_INVALID_KEYS = 50;
const MAX_SCOPES = 20;
/** Segment positions in an arm (total, MAX_SEGMENTS_PER_ARM keys, other) fit below this. */
const POSITIONS = 64;
/**
 * A unit's total slot lists its first few segment slots inline: most records then find their
 * segment slot in a cache line they touch anyway, with no hash lookup.
 */
const INLINE_SEGMENTS = 4;
/** Slots are packed with a position into an int32 (slot * POSITIONS + position + 1). */
const MAX_SLOTS = 2 ** 31 / POSITIONS;
/** A segment slot's header packs its first bucket with the arm and position into an int32. */
const MAX_SEGMENT_BUCKETS = 2 ** 31 / (2 * POSITIONS);
class CellAccumulator extends CellCounts {
    bucketIndex;
    metrics;
    /** metrics[i].moments, for UnitSlots.addClusters. */
    moments;
    constructor(bucketIndex, metrics) {
        super();
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
    /** Unit id -> its total slot in `slots`. */
    units = new UnitIndex();
    slots;
    /** (total slot * POSITIONS + position) -> segment slot, for units past INLINE_SEGMENTS segments. */
    moreSegmentSlots = new IntMap();
    /** Baseline only: the A/A halves by bucket index (whatever the segment). */
    halves = [];
    /** Quantile metrics: each total slot's coarse rank bins (without segments; unitRanks.ts). */
    rankBins = new UnitRankBins();
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
 *   segment: [first bucket * 2 * POSITIONS + arm code * POSITIONS + position]
 * (without segments, a total header is just [first bucket]).
 *
 * Metrics with `varianceReduction` also get the moments of the regression-adjusted comparison in
 * their total cells (CovariateCollector): records before the rollout's first step, within the
 * metric's lookback, are its units' pre-exposure data rather than "outside the window".
 */
class EvidenceBuilder {
    from;
    to;
    now;
    /** Records before this are far outside the window: a broken clock, not history. */
    farBefore;
    /** Records after this are far in the future: a broken clock too (unless it is a replay). */
    farAfter;
    /** The current file's far-outside records (before, after): how many, and their date range. */
    far = { count: 0, ahead: 0, min: Infinity, max: -Infinity };
    bucketMs;
    policy;
    source;
    readers;
    isQuantile;
    dimensions;
    segmented;
    kinds;
    segmentSlots;
    /** Each segment slot's coarse rank bins, for quantile metrics (unitRanks.ts). */
    segmentRankBins = new UnitRankBins();
    /** Policy indices of the quantile metrics. */
    quantileMetrics;
    arms;
    quality;
    unitLevel = false;
    /** The current record's metric values, filled by readValues (no allocation per record). */
    xs;
    ys;
    has;
    /** The three above, for CovariateCollector.request. */
    values;
    invalidThisRecord = [];
    /** The last model key built: records mostly repeat it, and a reused string hashes once. */
    lastModel;
    lastFingerprint;
    lastModelKey = '';
    /** Int32 index of a unit's A/A half in its total slot header. */
    halfAt;
    /** Requests without a unit go to an A/A half by a hash of their sequence number. */
    requestSeq = 0;
    /** The current record's unit hash, when add() computes it. */
    unitKey = { h1: 0, h2: 0 };
    /** Per-unit covariates of metrics with variance reduction (undefined: none has it). */
    covariates;
    malformedReasonCount = 0;
    constructor(opts) {
        const { policy } = opts;
        this.policy = policy;
        this.from = opts.window.from;
        this.to = opts.window.to;
        this.now = opts.now;
        const maxAge = policy.dataQuality.maxAge ?? DEFAULT_MAX_AGE_MS;
        this.farBefore = this.from - maxAge;
        this.farAfter = this.now + maxAge;
        this.bucketMs = policy.bucket;
        this.source = opts.source;
        if (!(this.bucketMs > 0))
            throw new RangeError(`policy.bucket must be > 0, got ${this.bucketMs}`);
        this.readers = policy.metrics.map(m => compileMetricValue(m, policy.pricing));
        this.isQuantile = policy.metrics.map(m => m.kind === 'quantile');
        this.quantileMetrics = policy.metrics.flatMap((m, i) => (m.kind === 'quantile' ? [i] : []));
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
        this.segmentSlots = new UnitSlots(this.kinds, 1);
        const count = this.readers.length;
        this.xs = new Float64Array(count);
        this.ys = new Float64Array(count);
        this.has = new Uint8Array(count);
        this.values = { has: this.has, xs: this.xs, ys: this.ys };
        this.quality = emptyQuality();
        this.covariates = CovariateCollector.create(policy, opts.rolloutStartedAt);
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
        const reasons = (this.quality.malformedReasons ??= {});
        // `span 3: no arm field "arm"` and `record 2: ...` are one reason each, wherever they occur.
        let key = reason.replace(/^((record|span) \d+: )+/, '');
        if (!Object.hasOwn(reasons, key) && this.malformedReasonCount >= MAX_MALFORMED_REASONS) {
            key = OTHER_REASONS;
        }
        const seen = reasons[key];
        if (seen)
            seen.count++;
        else {
            reasons[key] = { count: 1, first: where };
            if (key !== OTHER_REASONS)
                this.malformedReasonCount++;
        }
    }
    /** The raw fields the rows had (the source's FieldCatalog), for the fields check. */
    fieldsSeen(fields) {
        this.quality.fields = fields;
    }
    unmatchedArm(value) {
        countCapped(this.quality.unmatchedArms, value, MAX_UNMATCHED_ARMS);
    }
    /**
     * Counts OTLP call spans of one instrumentation scope (`calls` of them, `failed` of those
     * failed), whatever their window: which library traced the calls says what it can see.
     */
    calls(scope, version, calls, failed) {
        const list = (this.quality.instrumentation ??= []);
        let entry = list.find(e => e.scope === scope && e.version === version);
        if (entry === undefined) {
            if (list.length >= MAX_SCOPES)
                return;
            entry =
                version === undefined
                    ? { scope, calls: 0, failed: 0 }
                    : { scope, version, calls: 0, failed: 0 };
            list.push(entry);
        }
        entry.calls += calls;
        entry.failed += failed;
    }
    fileDone(path, lines, malformed, problem, incomplete) {
        this.quality.files.push({
            path,
            lines,
            malformed,
            ...(problem !== undefined && { problem }),
            ...(incomplete && { incomplete: true })
        });
        const far = this.far;
        if (far.count + far.ahead > 0) {
            const q = this.quality;
            if (far.count > 0)
                q.farOutside = (q.farOutside ?? 0) + far.count;
            if (far.ahead > 0)
                q.farFuture = (q.farFuture ?? 0) + far.ahead;
            const samples = (q.farOutsideSamples ??= []);
            if (samples.length < MAX_MALFORMED_SAMPLES) {
                const at = (t) => new Date(t).toISOString();
                samples.push(`${path}: ${far.count + far.ahead} dated ${far.min === far.max ? at(far.min) : `${at(far.min)} to ${at(far.max)}`}`);
            }
            this.far = { count: 0, ahead: 0, min: Infinity, max: -Infinity };
        }
    }
    /**
     * Files a record. `unit`: the unit id's hash when the caller has it already (the parallel file
     * reader hashes ids in its workers); r.unit is then not read.
     */
    add(r, unit) {
        const ts = r.ts;
        if (ts > this.now) {
            this.quality.future++;
            if (ts > this.farAfter)
                this.tallyFar(ts, true);
            return;
        }
        if (ts < this.from || ts >= this.to) {
            // Records of the pre-exposure lookback are the units' history, neither outside the window
            // nor far from it.
            if (this.covariates?.isPreExposure(ts)) {
                const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey));
                this.covariates.pre(r, key);
                return;
            }
            this.quality.outsideWindow++;
            if (ts < this.farBefore)
                this.tallyFar(ts, false);
            return;
        }
        this.quality.records++;
        const k = Math.floor((ts - this.from) / this.bucketMs);
        this.readValues(r);
        const modelKey = r.model === undefined ? undefined : this.modelKey(r.model, r.fingerprint);
        const arm = this.arms[r.arm === 'canary' ? 1 : 0];
        let slot = -1;
        let newUnit = false;
        const key = unit ?? (r.unit === undefined ? undefined : hashUnit(r.unit, this.unitKey));
        if (key !== undefined) {
            this.unitLevel = true;
            slot = arm.units.find(key);
            newUnit = slot < 0;
            if (newUnit)
                slot = this.newTotalSlot(arm, key, k);
        }
        this.covariates?.request(arm.code, slot, k, r, this.values);
        let half;
        if (arm.code === 0) {
            const h = slot >= 0
                ? arm.slots.ints(slot)[arm.slots.intBase(slot) + this.halfAt]
                : fmix32(++this.requestSeq) & 1;
            const halves = arm.halves[k] ?? (arm.halves[k] = [this.newMetrics(), this.newMetrics()]);
            half = halves[h];
        }
        if (!this.segmented) {
            this.file(arm.total, k, r, modelKey, arm.slots, arm.rankBins, slot, newUnit, half);
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
        this.file(segment, k, r, modelKey, this.segmentSlots, this.segmentRankBins, segmentSlot, newUnit, half);
    }
    tallyFar(ts, ahead) {
        const far = this.far;
        if (ahead)
            far.ahead++;
        else
            far.count++;
        if (ts < far.min)
            far.min = ts;
        if (ts > far.max)
            far.max = ts;
    }
    /** The evidence; call once, last (it releases the per-unit tables). */
    finish() {
        if (this.segmented)
            for (const arm of this.arms)
                this.mergeSegmentsIntoTotal(arm);
        for (const arm of this.arms)
            this.covariates?.link(arm.code, arm.units, arm.slots.used);
        for (const arm of this.arms)
            this.addTotalUnitClusters(arm);
        this.addSegmentUnitClusters();
        // The per-unit tables are folded into the cells now: let them go before the cells are
        // emitted, so that a read's peak memory is its tables or its evidence, not both.
        for (const arm of this.arms) {
            arm.slots.release();
            arm.units.release();
            arm.rankBins.release();
        }
        this.segmentSlots.release();
        this.segmentRankBins.release();
        this.covariates?.release();
        const preExposure = this.covariates?.quality();
        if (preExposure)
            this.quality.preExposure = preExposure;
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
        arm.units.insert(slot);
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
        if (k >= MAX_SEGMENT_BUCKETS) {
            throw new RangeError(`more than ${MAX_SEGMENT_BUCKETS} buckets in one window`);
        }
        this.segmentSlots.ints(segmentSlot)[this.segmentSlots.intBase(segmentSlot)] =
            (k * 2 + arm.code) * POSITIONS + position;
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
    file(segment, k, r, modelKey, slots, rankBins, slot, newUnit, half) {
        const cell = segment.cells[k] ?? this.newCell(segment, k);
        cell.requests++;
        if (newUnit)
            cell.units++;
        if (modelKey !== undefined) {
            // A failed call served nothing: its model (mostly the requested one) is kept apart.
            const models = r.error === null ? cell.models : cell.failedModels;
            countCappedMap(models, modelKey, MAX_MODEL_KEYS, OTHER_MODELS);
        }
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
            metric.requestSquares += x * x;
            if (slot < 0)
                addCluster(metric.moments, x, y);
            else
                slots.add(slot, i, x, y);
            if (half === undefined) {
                if (metric.quantiles) {
                    const index = metric.quantiles.add(x);
                    if (slot >= 0)
                        rankBins.add(slot, i, coarseBin(index));
                }
                continue;
            }
            const twin = half[i];
            twin.requests++;
            twin.requestSquares += x * x;
            if (metric.quantiles) {
                const index = metric.quantiles.addWithTwin(x, twin.quantiles);
                if (slot >= 0)
                    rankBins.add(slot, i, coarseBin(index));
            }
            if (slot < 0)
                addCluster(twin.moments, x, y);
        }
    }
    newMetrics() {
        return this.isQuantile.map(q => new MetricCell(q ? new QuantileSketch() : undefined));
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
                // Units are counted in the total as they were first seen in the arm (addTotalUnitClusters).
                into.addCounts(cell);
                // Before the unit clusters and rank sums are added: only requests without a unit so far.
                cell.metrics.forEach((metric, i) => into.metrics[i].addAll(metric));
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
            const halfMetrics = arm.code === 0
                ? arm.halves[k]?.[header[slots.intBase(slot) + this.halfAt]]
                : undefined;
            const half = halfMetrics?.map(m => m.moments);
            const ranks = this.clearedRankScratch();
            if (!this.segmented) {
                slots.addClusters(slot, cell.moments);
                if (half)
                    slots.addClusters(slot, half);
                if (ranks)
                    arm.rankBins.collect(slot, ranks);
                this.addUnitRanks(cell.metrics, halfMetrics);
                if (this.covariates) {
                    sums.fill(0);
                    slots.sumInto(slot, sums);
                    this.covariates.unit(arm.code, slot, k, sums);
                }
                continue;
            }
            cell.units++;
            sums.fill(0);
            this.forEachSegmentSlot(arm, slot, segmentSlot => {
                this.segmentSlots.sumInto(segmentSlot, sums);
                if (ranks)
                    this.segmentRankBins.collect(segmentSlot, ranks);
            });
            addSumClusters(sums, cell.moments);
            if (half)
                addSumClusters(sums, half);
            this.addUnitRanks(cell.metrics, halfMetrics);
            this.covariates?.unit(arm.code, slot, k, sums);
        }
    }
    /**
     * Per policy metric, one unit's requests per coarse bin (a UnitBins at each quantile metric's
     * index), cleared; undefined when there is no quantile metric. Reused for every unit.
     */
    clearedRankScratch() {
        if (this.quantileMetrics.length === 0)
            return undefined;
        for (const i of this.quantileMetrics)
            (this.rankScratch[i] ??= new UnitBins()).clear();
        return this.rankScratch;
    }
    rankScratch = [];
    /** Adds the unit in rankScratch to a cell's metrics' rank sums (and its A/A half's). */
    addUnitRanks(metrics, half) {
        for (const i of this.quantileMetrics) {
            const bins = this.rankScratch[i];
            metrics[i]?.ranks?.addUnit(bins);
            half?.[i]?.ranks?.addUnit(bins);
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
            const packed = slots.ints(slot)[slots.intBase(slot)];
            const code = Math.floor(packed / POSITIONS);
            const arm = this.arms[code % 2];
            const segment = arm.all[packed % POSITIONS];
            const cell = segment.cells[Math.floor(code / 2)];
            slots.addClusters(slot, cell.moments);
            const ranks = this.clearedRankScratch();
            if (!ranks)
                continue;
            this.segmentRankBins.collect(slot, ranks);
            this.addUnitRanks(cell.metrics, undefined);
        }
    }
    emitCells(arm, segment, out) {
        const cells = [...segment.created].sort((a, b) => a.bucketIndex - b.bucketIndex);
        const halvesHere = arm.code === 0 && segment.position === 0;
        for (const cell of cells) {
            const halves = halvesHere ? arm.halves[cell.bucketIndex] : undefined;
            const emitted = emitCell({
                arm: arm.arm,
                segment: segment.key,
                bucket: this.from + cell.bucketIndex * this.bucketMs
            }, cell, cell.metrics.map(m => m.toSketch()), halves && [halves[0].map(m => m.toSketch()), halves[1].map(m => m.toSketch())]);
            if (segment.position === 0)
                this.covariates?.attach(arm.code, cell.bucketIndex, emitted.metrics);
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
function countCapped(counts, key, maxKeys) {
    if (Object.hasOwn(counts, key))
        counts[key] = counts[key] + 1;
    else if (Object.keys(counts).length < maxKeys)
        counts[key] = 1;
    else
        counts[OTHER_KEY] = (counts[OTHER_KEY] ?? 0) + 1;
}

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
    const noArm = { malformed: `no arm field "${armField}"`, missing: 'arm' };
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
const NO_TIMESTAMP = {
    malformed: 'no timestamp (ts, timestamp or start_time)',
    missing: 'timestamp'
};
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

const MAX_FIELD_PATHS = 256;
/** Rows per file whose nested objects are walked (a value read per key: too slow for every row). */
const NESTED_ROWS = 2000;
/** `a.b.c`: fields of objects nested three deep (a whole OpenAI response's `usage` fields). */
const MAX_DEPTH = 3;
const MAX_HINT_FIELDS = 10;
/** Distinct row shapes remembered; a row of a remembered shape costs a comparison per key. */
const MAX_SHAPES = 16;
/** Top-level keys remembered as recorded; past it, each new shape's keys go to addPath. */
const MAX_KNOWN_KEYS = 4096;
/** Nested paths walked per row. */
const MAX_ROW_PATHS = 64;
/** A date-time as logs write one: `2026-11-02T08:00:00Z`, `2026-11-02 08:00:00.123`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
/**
 * Collects FieldsSeen from raw rows (add), file by file (beginFile), and from workers' chunks
 * (mergeChunk). Top-level keys are noted for every row, without reading a value: rows of a shape
 * seen recently (the same keys in the same order) cost a comparison per key. Nested objects are
 * walked for the first NESTED_ROWS rows of each file. The kept set is the smallest
 * MAX_FIELD_PATHS of all paths noted, by (dots, name), so it does not depend on the order paths
 * arrive in.
 */
class FieldCatalog {
    paths = new Set();
    /** Once truncated: a path ordered after this one cannot be among the kept ones. */
    threshold;
    truncated = false;
    shapes = [];
    scratch = [];
    known = new Set();
    /** Rows of the current file whose nested objects were walked. */
    nestedRows = 0;
    /** For a worker's chunk (chunk()): each walked row's new nested paths. */
    nestedByRow;
    chunkNested = new Set();
    armLabels;
    armFields = new Set();
    timeFields = new Set();
    /** Rows per file whose nested objects are walked. */
    nestedLimit;
    /**
     * `chunk`: a worker's catalog of one chunk (see chunk()), walking the nested objects of at most
     * `nestedRows` rows: what the file may still need (nestedRowsLeft of the reading thread's).
     */
    constructor(policy, options = {}) {
        this.armLabels = new Set([...policy.arms.baseline, ...policy.arms.canary]);
        if (options.chunk)
            this.nestedByRow = [];
        this.nestedLimit = Math.min(NESTED_ROWS, options.nestedRows ?? NESTED_ROWS);
    }
    /** Rows of the current file whose nested objects are still to be walked. */
    nestedRowsLeft() {
        return Math.max(0, this.nestedLimit - this.nestedRows);
    }
    /** The next rows are a new file's: its first NESTED_ROWS rows are walked. */
    beginFile() {
        this.nestedRows = 0;
    }
    /** A raw row (a JSON object, a CSV row, an OTLP span's attributes). */
    add(raw) {
        const scratch = this.scratch;
        let n = 0;
        for (const key in raw)
            scratch[n++] = key;
        if (!this.knownShape(n))
            this.newShape(n);
        if (this.nestedRows < this.nestedLimit) {
            this.nestedRows++;
            const nested = this.nestedByRow;
            if (!nested) {
                this.walk('', raw, 1, { left: MAX_ROW_PATHS }, path => this.addPath(path));
                return;
            }
            // A worker's chunk: its rows' nested paths go to nestedByRow only, since the reading
            // thread takes only as many rows as its file still walks.
            const found = [];
            this.walk('', raw, 1, { left: MAX_ROW_PATHS }, path => {
                if (this.chunkNested.has(path))
                    return;
                this.chunkNested.add(path);
                found.push(path);
            });
            nested.push(found);
        }
    }
    /** A row without the arm field: which of its fields hold an arm label (a misnamed arm field). */
    armless(raw) {
        for (const key in raw) {
            const v = raw[key];
            const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
            if (text !== undefined && this.armLabels.has(text))
                addCapped(this.armFields, key);
        }
    }
    /** A row without a timestamp: which of its fields hold a time (a misnamed timestamp). */
    timeless(raw) {
        for (const key in raw) {
            const v = raw[key];
            if (typeof v === 'string' ? DATE_TIME.test(v) : typeof v === 'number' && isEpoch(v)) {
                addCapped(this.timeFields, key);
            }
        }
    }
    /** What a worker noted about its chunk (a catalog made with `chunk: true`). */
    chunk() {
        return { seen: this.result(), nestedByRow: this.nestedByRow ?? [] };
    }
    /** A worker's chunk of the current file: the same as having read its rows here. */
    mergeChunk(chunk) {
        for (const path of chunk.seen.paths)
            this.addPath(path);
        if (chunk.seen.truncated)
            this.truncated = true;
        for (const f of chunk.seen.armLabelFields ?? [])
            addCapped(this.armFields, f);
        for (const f of chunk.seen.timeFields ?? [])
            addCapped(this.timeFields, f);
        for (const row of chunk.nestedByRow) {
            if (this.nestedRows >= NESTED_ROWS)
                break;
            this.nestedRows++;
            for (const path of row)
                this.addPath(path);
        }
    }
    result() {
        const paths = [...this.paths].sort(byDepthThenName);
        const seen = { paths: paths.slice(0, MAX_FIELD_PATHS) };
        if (this.truncated || paths.length > MAX_FIELD_PATHS)
            seen.truncated = true;
        if (this.armFields.size > 0)
            seen.armLabelFields = [...this.armFields].sort();
        if (this.timeFields.size > 0)
            seen.timeFields = [...this.timeFields].sort();
        return seen;
    }
    /** Whether the n keys in scratch are a remembered shape. */
    knownShape(n) {
        const scratch = this.scratch;
        for (const shape of this.shapes) {
            if (shape.length !== n)
                continue;
            let i = 0;
            while (i < n && shape[i] === scratch[i])
                i++;
            if (i === n)
                return true;
        }
        return false;
    }
    newShape(n) {
        const keys = this.scratch.slice(0, n);
        if (this.shapes.length >= MAX_SHAPES)
            this.shapes.shift();
        this.shapes.push(keys);
        for (const key of keys) {
            if (this.known.has(key))
                continue;
            if (this.known.size < MAX_KNOWN_KEYS)
                this.known.add(key);
            this.addPath(key);
        }
    }
    /**
     * The nested paths under `obj` (at `prefix`), at most `budget.left` of them per row (the same
     * rows give the same paths however the file is split).
     */
    walk(prefix, obj, depth, budget, note) {
        if (depth >= MAX_DEPTH)
            return;
        for (const key in obj) {
            const v = obj[key];
            if (typeof v !== 'object' || v === null || Array.isArray(v))
                continue;
            const path = prefix + key;
            for (const child in v) {
                if (budget.left-- <= 0)
                    return;
                note(`${path}.${child}`);
            }
            this.walk(`${path}.`, v, depth + 1, budget, note);
        }
    }
    addPath(path) {
        if (this.paths.has(path))
            return;
        if (this.threshold !== undefined && byDepthThenName(path, this.threshold) > 0)
            return;
        this.paths.add(path);
        if (this.paths.size <= 2 * MAX_FIELD_PATHS)
            return;
        // Keep the smallest MAX_FIELD_PATHS: nothing dropped here can be among the final ones.
        const kept = [...this.paths].sort(byDepthThenName).slice(0, MAX_FIELD_PATHS);
        this.paths.clear();
        for (const p of kept)
            this.paths.add(p);
        this.threshold = kept[kept.length - 1];
        this.truncated = true;
    }
}
const dots = (path) => {
    let n = 0;
    for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1))
        n++;
    return n;
};
function byDepthThenName(a, b) {
    return dots(a) - dots(b) || (a < b ? -1 : a > b ? 1 : 0);
}
/** The alphabetically first MAX_HINT_FIELDS: also the same whatever the order. */
function addCapped(set, key) {
    if (set.has(key))
        return;
    set.add(key);
    if (set.size <= MAX_HINT_FIELDS)
        return;
    const last = [...set].sort().at(-1);
    set.delete(last);
}
/** Epoch seconds, milliseconds, microseconds or nanoseconds between 2001 and 2286. */
function isEpoch(v) {
    const a = Math.abs(v);
    return (a >= 1e9 && a < 1e10) || (a >= 1e12 && a < 1e13) || (a >= 1e15 && a < 1e16) || a >= 1e18;
}

export { MAX_INVALID_KEYS as $, copyCacheSums as A, UnitRankBins as B, UnitBins as C, DEFAULT_MAX_AGE_MS as D, EvidenceBuilder as E, FieldCatalog as F, unitHalf as G, HistogramQuantiles as H, IntMap as I, countCappedMap as J, OTHER_KEY as K, growUnit as L, MAX_ERROR_CLASSES as M, NON_POSITIVE_BIN as N, OTHER_SEGMENT as O, CellCounts as P, QuantileSketch as Q, MAX_MODEL_KEYS as R, addCacheRequest as S, TOTAL_SEGMENT as T, UnitIndex as U, V_Y as V, emptyCacheSums as W, MAX_SEGMENTS_PER_ARM as X, MetricCell as Y, coarseBin as Z, growCluster as _, V_X as a, spanConvention as a0, applySpanConvention as a1, readPath as a2, rawKeysRead as a3, DEFAULT_RELATIVE_ACCURACY as a4, NO_VALUE as a5, canonicalName as a6, RANK_STEP as a7, addMoments as a8, capKeys as a9, addCacheSums as aa, V_REQUESTS as b, cubedSum as c, V_PRE_X as d, V_PRE_Y as e, V_COVARIATES as f, emptyMoments as g, mergeCacheSums as h, fieldSources as i, OTHER_MODELS as j, knownInstrumentation as k, emptyQuality as l, mergeCells as m, createNormalizer as n, bernoulliMoments as o, productIndex as p, addCluster as q, fromCumulative as r, sumOfSquaresBound as s, messageClass as t, isRequestRecord as u, fmix32 as v, compileMetricValue as w, hashUnit as x, dimensionValue as y, emitCell as z };
