import { P as PRESET_TABLES } from './chunk-engine.js';
import { a4 as DEFAULT_RELATIVE_ACCURACY, a5 as NO_VALUE, a6 as canonicalName, g as emptyMoments, W as emptyCacheSums, N as NON_POSITIVE_BIN, a7 as RANK_STEP, l as emptyQuality, T as TOTAL_SEGMENT, a8 as addMoments, O as OTHER_SEGMENT, z as emitCell, X as MAX_SEGMENTS_PER_ARM, a9 as capKeys, P as CellCounts, aa as addCacheSums, Y as MetricCell, Q as QuantileSketch, K as OTHER_KEY, i as fieldSources, F as FieldCatalog } from './chunk-records.js';
import { i as didYouMean, T as SourceError } from './chunk-base.js';

/**
 * What differs between PostgreSQL and ClickHouse in the SQL the gate writes: quoting, how values
 * reach the server (bound parameters in PostgreSQL; escaped literals in ClickHouse, whose 18.x
 * servers have no server-side parameters), casts, conditional aggregates, hashing and JSON access.
 * Every identifier goes through `ident` and every value through `value`/`text`/`number`: nothing
 * from the policy is ever spliced into the SQL text as it is.
 */
class Dialect {
    /** CASE WHEN c1 THEN v1 ... ELSE otherwise END. */
    cases(branches, otherwise) {
        return `CASE ${branches.map(([c, v]) => `WHEN ${c} THEN ${v}`).join(' ')} ELSE ${otherwise} END`;
    }
}
class PostgresDialect extends Dialect {
    engine = 'postgres';
    halfHash = "PostgreSQL's hashtext() of the unit id (hashint8() of the microsecond timestamp for requests without one)";
    ident(name) {
        return `"${name.replaceAll('"', '""')}"`;
    }
    /** Values by token: `\u0000<n>\u0000` in the SQL until finalize() numbers the ones used. */
    values = [];
    bind(value, cast) {
        this.values.push(value);
        return `\u0000${this.values.length - 1}\u0000::${cast}`;
    }
    finalize(sql) {
        const params = [];
        const numbers = new Map();
        // NUL cannot occur in PostgreSQL query text, so no user text (a source.query) looks like a token.
        // eslint-disable-next-line no-control-regex
        const text = sql.replace(/\u0000(\d+)\u0000/g, (_, token) => {
            let n = numbers.get(token);
            if (n === undefined) {
                params.push(this.values[Number(token)]);
                numbers.set(token, (n = params.length));
            }
            return `$${n}`;
        });
        return { sql: text, params };
    }
    text(value) {
        return this.bind(value, 'text');
    }
    number(value) {
        if (!Number.isFinite(value))
            throw new RangeError(`not a finite number: ${value}`);
        // Bound as text so the exact double reaches the server (float8in parses it exactly).
        return this.bind(String(value), 'float8');
    }
    textArray(values) {
        return this.bind(values, 'text[]');
    }
    float(x) {
        return `(${x})::float8`;
    }
    parseNumber(trimmed) {
        return `(${trimmed})::float8`;
    }
    toText(x) {
        return `(${x})::text`;
    }
    nullFloat() {
        return 'NULL::float8';
    }
    nullText() {
        return 'NULL::text';
    }
    nan() {
        return "'NaN'::float8";
    }
    infinity() {
        return "'Infinity'::float8";
    }
    isNaN(x) {
        return `(${x}) = 'NaN'::float8`;
    }
    flag(cond) {
        return `(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
    }
    truthy(x) {
        return `(${x})`;
    }
    countIf(cond) {
        return `count(*) FILTER (WHERE ${cond})`;
    }
    sumIf(x, cond) {
        return `coalesce(sum(${x}) FILTER (WHERE ${cond}), 0)`;
    }
    sum(x) {
        return `coalesce(sum(${x}), 0)`;
    }
    min(x) {
        return `coalesce(min(${x}), 0)`;
    }
    max(x) {
        return `coalesce(max(${x}), 0)`;
    }
    floatArray(items) {
        return items.length === 0 ? "'{}'::float8[]" : `ARRAY[${items.join(', ')}]::float8[]`;
    }
    concat(parts) {
        return `(${parts.join(' || ')})`;
    }
    regexMatch(x, regex) {
        return `(${x}) ~ ${this.text(regex)}`;
    }
    trim(x) {
        return `btrim(${x}, E' \\t\\n\\r\\f\\x0B')`;
    }
    ln(x) {
        return `ln(${x})`;
    }
    halfOfText(x) {
        return `(hashtext(${x}) & 1)`;
    }
    halfOfNumber(x) {
        return `(hashint8(floor((${x}) * 1000)::int8) & 1)`;
    }
    fence() {
        return 'clock_timestamp() AS fence';
    }
    timeBound(column, type, ms, op) {
        // timestamp and timestamptz keep microseconds: a millisecond edge is exact. A `timestamp`
        // without a zone is read as UTC (a zone in the literal is ignored for it).
        if (type.kind !== 'time' || (type.name !== 'timestamp' && type.name !== 'timestamptz'))
            return '';
        // to_timestamp(double) and AT TIME ZONE are immutable, so the edge folds to a constant (a
        // text cast to timestamptz is only stable: it would be parsed again on every row).
        const edge = `to_timestamp(${this.number(ms)} / 1000)`;
        return `${column} ${op} ${type.name === 'timestamp' ? `(${edge} AT TIME ZONE 'UTC')` : edge}`;
    }
    epochMs(x, _type) {
        // extract(epoch ...) is numeric (exact) in PostgreSQL 14+; `timestamp` without a zone reads as UTC.
        return `(extract(epoch from ${x}) * 1000)::float8`;
    }
}
class ClickHouseDialect extends Dialect {
    engine = 'clickhouse';
    finalize(sql) {
        return { sql, params: [] };
    }
    halfHash = "ClickHouse's cityHash64() of the unit id (intHash64() of the microsecond timestamp for requests without one)";
    ident(name) {
        return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
    }
    text(value) {
        // ClickHouse string literals: backslash escapes (https://clickhouse.com/docs/en/sql-reference/syntax#string).
        let out = "'";
        for (const ch of value) {
            const code = ch.codePointAt(0);
            if (ch === '\\')
                out += '\\\\';
            else if (ch === "'")
                out += "\\'";
            else if (code < 0x20 || code === 0x7f)
                out += `\\x${code.toString(16).padStart(2, '0')}`;
            else
                out += ch;
        }
        return `${out}'`;
    }
    number(value) {
        if (!Number.isFinite(value))
            throw new RangeError(`not a finite number: ${value}`);
        // JavaScript's shortest round-trip form; ClickHouse parses it back to the same double.
        return `toFloat64(${String(value)})`;
    }
    textArray(values) {
        return values.length === 0
            ? 'emptyArrayString()'
            : `[${values.map(v => this.text(v)).join(', ')}]`;
    }
    float(x) {
        return `toFloat64(${x})`;
    }
    parseNumber(trimmed) {
        // 18.x parses decimals inexactly ('3.845' -> 3.8449999999999998). A plain decimal of at most
        // 15 characters is its digits as an integer over a power of ten: one correctly rounded
        // division, the double JavaScript's Number() gives. Anything else goes to the server's parser.
        const t = trimmed;
        const plain = `length(${t}) <= 15 AND match(${t}, ${this.text('^[-+]?[0-9]+([.][0-9]+)?$')})`;
        const scale = `if(position(${t}, '.') > 0, length(${t}) - position(${t}, '.'), 0)`;
        return `multiIf(${plain}, toFloat64(toInt64OrNull(replaceOne(${t}, '.', ''))) / toFloat64(intExp10(${scale})), toFloat64OrNull(${t}))`;
    }
    toText(x) {
        return `toString(${x})`;
    }
    nullFloat() {
        return 'CAST(NULL AS Nullable(Float64))';
    }
    nullText() {
        return 'CAST(NULL AS Nullable(String))';
    }
    nan() {
        return 'nan';
    }
    infinity() {
        return 'inf';
    }
    isNaN(x) {
        return `isNaN(${x})`;
    }
    flag(cond) {
        return `(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
    }
    truthy(x) {
        return `(${x} != 0)`;
    }
    countIf(cond) {
        return `countIf(ifNull(${cond}, 0))`;
    }
    sumIf(x, cond) {
        return `sumIf(ifNull(${x}, 0), ifNull(${cond}, 0))`;
    }
    sum(x) {
        return `sum(ifNull(${x}, 0))`;
    }
    min(x) {
        return `ifNull(min(${x}), 0)`;
    }
    max(x) {
        return `ifNull(max(${x}), 0)`;
    }
    floatArray(items) {
        return items.length === 0
            ? 'emptyArrayFloat64()'
            : `[${items.map(i => `toFloat64(${i})`).join(', ')}]`;
    }
    concat(parts) {
        return `concat(${parts.join(', ')})`;
    }
    regexMatch(x, regex) {
        return `match(${x}, ${this.text(regex)})`;
    }
    trim(x) {
        return `replaceRegexpAll(${x}, ${this.text('^\\s+|\\s+$')}, '')`;
    }
    ln(x) {
        return `log(${x})`;
    }
    halfOfText(x) {
        return `toInt64(cityHash64(${x}) % 2)`;
    }
    halfOfNumber(x) {
        return `toInt64(intHash64(toInt64(floor((${x}) * 1000))) % 2)`;
    }
    fence() {
        return '';
    }
    timeBound(column, type, ms, op) {
        if (type.kind !== 'time')
            return '';
        // Rounded outward to the column's resolution; the exact window is applied to the value.
        if (type.precision !== undefined) {
            const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
            return `${column} ${op} toDateTime64(${this.text(iso)}, 3, 'UTC')`;
        }
        if (type.name.startsWith('Date') && !type.name.startsWith('DateTime')) {
            const day = new Date(ms).toISOString().slice(0, 10);
            return `${column} ${op} toDate(${this.text(day)})`;
        }
        const seconds = op === '>=' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
        return `${column} ${op} toDateTime(${seconds})`;
    }
    epochMs(x, type) {
        if (type.precision !== undefined)
            return `(toFloat64(toUnixTimestamp64Nano(${x})) / 1e6)`;
        if (type.name.startsWith('Date') && !type.name.startsWith('DateTime')) {
            return `(toFloat64(toUInt32(toDateTime(${x}))) * 1000)`;
        }
        return `(toFloat64(toUInt32(${x})) * 1000)`;
    }
}
function dialectFor(engine) {
    return engine === 'postgres' ? new PostgresDialect() : new ClickHouseDialect();
}

/** Each RatioMoments field is the sum over clusters of this product of the cluster's x and y. */
const MOMENTS = {
    n: {},
    sx: { x: 1 },
    sy: { y: 1 },
    sxx: { x: 2 },
    syy: { y: 2 },
    sxy: { x: 1, y: 1 },
    // The third-order sums the estimator's skewness needs (src/stats/clt.ts).
    sxxx: { x: 3 },
    sxxy: { x: 2, y: 1 },
    sxyy: { x: 1, y: 2 },
    syyy: { y: 3 }
};
/** RepricingSums over the priced requests: u uncached cost, d what all-cached input would save, c observed cost. */
const REPRICING = {
    n: {},
    su: { u: 1 },
    sd: { d: 1 },
    suu: { u: 2 },
    sdd: { d: 2 },
    sud: { u: 1, d: 1 },
    sc: { c: 1 },
    scc: { c: 2 }
};
const CACHE_COUNTS = {
    requests: { over: 'counted' },
    hits: { over: 'hit' },
    reported: { over: 'reported' },
    inputTokens: { over: 'counted', sum: 'input' },
    cacheReadTokens: { over: 'counted', sum: 'cached' },
    priced: { over: 'priced' },
    cost: { over: 'priced', sum: 'cost' },
    costUncached: { over: 'priced', sum: 'uncached' },
    inputAtInputPrice: { over: 'priced', sum: 'atInput' },
    inputAtCacheReadPrice: { over: 'priced', sum: 'atCacheRead' }
};
const MOMENT_KEYS = Object.keys(MOMENTS);
const REPRICING_KEYS = Object.keys(REPRICING);
const CACHE_COUNT_KEYS = Object.keys(CACHE_COUNTS);
/**
 * The quantile sketch's bucket index of a value v > 0 (of |v| for v < 0), as in
 * src/sketch/quantileSketch.ts: ceil(ln(v) / ln(gamma)), gamma = (1 + alpha) / (1 - alpha)
 * (DDSketch, Masson, Rim & Lee, VLDB 2019). The multiplier crosses to the server as the same
 * double; test/sql-policy.test.ts checks this against the sketch the evidence builder makes.
 */
const QUANTILE_INDEX = {
    alpha: DEFAULT_RELATIVE_ACCURACY,
    multiplier: 1 / Math.log((1 + DEFAULT_RELATIVE_ACCURACY) / (1 - DEFAULT_RELATIVE_ACCURACY)),
    /** SQL of the index, given SQL of ln(|v|) and of the multiplier. */
    sql: (lnAbs, multiplier) => `ceil(${lnAbs} * ${multiplier})`,
    js(v) {
        return Math.ceil(Math.log(Math.abs(v)) * this.multiplier);
    }
};
/** SQL of a monomial over the given term expressions: `x * x * y`, or `1` for a count. */
function product(monomial, terms) {
    const factors = [];
    for (const [name, power] of Object.entries(monomial)) {
        const term = terms[name];
        if (term === undefined)
            throw new Error(`no SQL term for ${name}`);
        for (let i = 0; i < power; i++)
            factors.push(term);
    }
    return factors.length === 0 ? '1' : factors.join(' * ');
}

/** A decimal number as JavaScript's Number() reads one (hexadecimal and `Infinity` aside). */
const NUMBER_TEXT = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';
/** Error words that mean "no error" (normalize.ts NO_ERROR_WORDS). */
const NO_ERROR_WORDS = ['', 'false', 'null', 'none', 'ok', '0'];
/** Epoch numbers below this are seconds (normalize.ts). */
const EPOCH_SECONDS_BELOW = 1e11;
class ValueReader {
    d;
    constructor(d) {
        this.d = d;
    }
    /** normalize.ts num(): a number; '' is absent; a numeric string its number; anything else NaN. */
    num(v) {
        return this.number(v, false);
    }
    /** fields.ts rawFieldReader: like num(), but booleans (and 'true' / 'false' text) read as 1 / 0. */
    rawNum(v) {
        return this.number(v, true);
    }
    /** normalize.ts idString(): text ('' is absent) or a number's digits; anything else absent. */
    id(v) {
        return this.textual(v, { bools: false, empty: 'null' });
    }
    /** The arm label: any scalar as text ('' is absent), booleans as true / false. */
    label(v) {
        return this.textual(v, { bools: true, empty: 'null' });
    }
    /** evidenceBuilder.ts dimensionValue(): a scalar as text, else `(none)`. */
    dimension(v, none) {
        return `coalesce(${this.textual(v, { bools: true, empty: 'null' })}, ${this.d.text(none)})`;
    }
    /** normalize.ts flag(): true, 1, 'true', 'TRUE', 'True' or '1'. */
    flag(v) {
        const d = this.d;
        const words = (x) => `${x} IN (${['true', 'TRUE', 'True', '1'].map(w => d.text(w)).join(', ')})`;
        switch (v.kind) {
            case 'bool':
                return `coalesce(${d.truthy(v.sql)}, ${this.no()})`;
            case 'number':
                return `coalesce(${v.sql} = 1, ${this.no()})`;
            case 'json':
                return `coalesce(CASE jsonb_typeof(${v.sql}) WHEN 'boolean' THEN (${v.sql})::boolean WHEN 'number' THEN (${v.sql} #>> '{}')::float8 = 1 WHEN 'string' THEN ${words(`(${v.sql} #>> '{}')`)} ELSE false END, false)`;
            case 'jsonText':
                return `coalesce(${v.sql} IN ('true', '1', '1.0', '"true"', '"TRUE"', '"True"', '"1"'), 0)`;
            default:
                return `coalesce(${words(d.toText(v.sql))}, ${this.no()})`;
        }
    }
    /** normalize.ts errorClass(): the class in lower case, or NULL for none. */
    error(v) {
        const d = this.d;
        const fromText = (x) => `CASE WHEN lower(${x}) IN (${NO_ERROR_WORDS.map(w => d.text(w)).join(', ')}) THEN ${d.nullText()} ELSE lower(${x}) END`;
        switch (v.kind) {
            case 'bool':
                return `CASE WHEN ${d.truthy(v.sql)} THEN ${d.text('error')} ELSE ${d.nullText()} END`;
            case 'number':
                return `CASE WHEN ${v.sql} = 0 THEN ${d.nullText()} ELSE ${this.numberText(v.sql)} END`;
            case 'json': {
                const x = v.sql;
                return `CASE jsonb_typeof(${x}) WHEN 'string' THEN ${fromText(`(${x} #>> '{}')`)} WHEN 'number' THEN CASE WHEN (${x} #>> '{}')::float8 = 0 THEN NULL ELSE (${x} #>> '{}') END WHEN 'boolean' THEN CASE WHEN (${x})::boolean THEN 'error' END WHEN 'object' THEN lower(coalesce(CASE WHEN jsonb_typeof(${x} -> 'type') IN ('string', 'number') THEN ${x} ->> 'type' END, CASE WHEN jsonb_typeof(${x} -> 'code') IN ('string', 'number') THEN ${x} ->> 'code' END, 'error')) WHEN 'array' THEN 'error' END`;
            }
            case 'jsonText': {
                const x = v.sql;
                return `multiIf(${x} = '' OR ${x} = 'null' OR ${x} = 'false' OR ${x} = '0', ${d.nullText()}, ${x} = 'true', 'error', startsWith(${x}, '"'), ${fromText(`visitParamExtractString(concat('{"v":', ${x}, '}'), 'v')`)}, startsWith(${x}, '{'), lower(multiIf(visitParamHas(${x}, 'type'), visitParamExtractString(${x}, 'type'), visitParamHas(${x}, 'code'), visitParamExtractRaw(${x}, 'code'), 'error')), startsWith(${x}, '['), 'error', ${x})`;
            }
            default:
                return fromText(d.toText(v.sql));
        }
    }
    /** normalize.ts feedback(): true / false as +1 / -1, else num(). */
    feedback(v) {
        const d = this.d;
        if (v.kind === 'bool')
            return `CASE WHEN ${d.truthy(v.sql)} THEN 1 ELSE -1 END`;
        if (v.kind === 'json') {
            return `CASE WHEN jsonb_typeof(${v.sql}) = 'boolean' THEN CASE WHEN (${v.sql})::boolean THEN 1 ELSE -1 END::float8 ELSE ${this.num(v)} END`;
        }
        if (v.kind === 'jsonText') {
            return `multiIf(${v.sql} = 'true', 1., ${v.sql} = 'false', -1., ${this.num(v)})`;
        }
        return this.num(v);
    }
    /** Epoch ms: a timestamp column, or a number (seconds below 1e11, else ms); NaN when unreadable. */
    timestamp(v) {
        const d = this.d;
        if (v.kind === 'time')
            return d.epochMs(v.sql, v.type);
        const n = this.num(v);
        return `CASE WHEN ${n} < ${EPOCH_SECONDS_BELOW} THEN ${n} * 1000 ELSE ${n} END`;
    }
    /** A number as text the way JavaScript's String() writes it (PostgreSQL and ClickHouse agree for the usual values). */
    numberText(x) {
        return this.d.toText(this.d.float(x));
    }
    no() {
        return this.d.engine === 'postgres' ? 'false' : '0';
    }
    number(v, bools) {
        const d = this.d;
        const nan = d.nan();
        const fromText = (x) => {
            const t = x === v.sql && v.trimmed ? v.trimmed : d.trim(x);
            const words = bools
                ? [
                    [`lower(${t}) = ${d.text('true')}`, '1'],
                    [`lower(${t}) = ${d.text('false')}`, '0']
                ]
                : [];
            return d.cases([
                [`${x} IS NULL OR ${t} = ''`, d.nullFloat()],
                [d.regexMatch(x, NUMBER_TEXT), d.parseNumber(t)],
                ...words
            ], nan);
        };
        switch (v.kind) {
            case 'number':
                return d.float(v.sql);
            case 'text':
                return fromText(v.sql);
            case 'interval':
                return d.epochMs(v.sql, v.type);
            case 'bool':
                return bools
                    ? `CASE WHEN ${d.truthy(v.sql)} THEN 1. WHEN NOT ${d.truthy(v.sql)} THEN 0. END`
                    : `CASE WHEN ${v.sql} IS NOT NULL THEN ${nan} END`;
            case 'json': {
                const x = v.sql;
                const scalar = `(${x} #>> '{}')`;
                return `CASE WHEN ${x} IS NULL THEN NULL::float8 WHEN jsonb_typeof(${x}) = 'number' THEN ${scalar}::float8 WHEN jsonb_typeof(${x}) = 'string' THEN ${fromText(scalar)} WHEN jsonb_typeof(${x}) = 'null' THEN NULL${bools ? ` WHEN jsonb_typeof(${x}) = 'boolean' THEN CASE WHEN (${x})::boolean THEN 1 ELSE 0 END` : ''} ELSE ${nan} END`;
            }
            case 'jsonText': {
                const x = v.sql;
                return `multiIf(${x} = '' OR ${x} = 'null', ${d.nullFloat()}, startsWith(${x}, '"'), ${fromText(`visitParamExtractString(concat('{"v":', ${x}, '}'), 'v')`)}, ${x} = 'true', ${bools ? '1.' : nan}, ${x} = 'false', ${bools ? '0.' : nan}, startsWith(${x}, '{') OR startsWith(${x}, '['), ${nan}, ifNull(toFloat64OrNull(${x}), ${nan}))`;
            }
            case 'time':
            case 'array':
            case 'map':
                return `CASE WHEN ${v.sql} IS NOT NULL THEN ${nan} END`;
            default:
                return fromText(d.toText(v.sql));
        }
    }
    textual(v, o) {
        const d = this.d;
        void o.empty;
        switch (v.kind) {
            case 'text':
                return `nullif(${v.sql}, '')`;
            case 'number':
                return this.numberText(v.sql);
            case 'bool':
                return o.bools
                    ? `CASE WHEN ${d.truthy(v.sql)} THEN ${d.text('true')} WHEN NOT ${d.truthy(v.sql)} THEN ${d.text('false')} END`
                    : d.nullText();
            case 'json':
                return `CASE jsonb_typeof(${v.sql}) WHEN 'string' THEN nullif(${v.sql} #>> '{}', '') WHEN 'number' THEN ((${v.sql} #>> '{}')::float8)::text${o.bools ? ` WHEN 'boolean' THEN ${v.sql} #>> '{}'` : ''} END`;
            case 'jsonText':
                return `multiIf(startsWith(${v.sql}, '"'), nullif(visitParamExtractString(concat('{"v":', ${v.sql}, '}'), 'v'), ''), ${o.bools ? `${v.sql} IN ('true', 'false'), ${v.sql}, ` : ''}${d.regexMatch(v.sql, NUMBER_TEXT)}, toString(toFloat64OrNull(${v.sql})), ${d.nullText()})`;
            case 'time':
            case 'array':
            case 'map':
                return d.nullText();
            default:
                return `nullif(${d.toText(v.sql)}, '')`;
        }
    }
}

/** Arm codes of level 2's `a`: the arms, and why a row is not a record. */
const ARM_CODE = { baseline: 0, canary: 1, noArm: -1, unmatched: -2 };
/** Bucket codes of level 2's `k` besides bucket indices (>= 0). */
const WINDOW_CODE = { after: -1, future: -2, before: -3 };
/** Level-2 names of the prompt-cache terms (sketchLayout.ts CACHE_COUNTS and REPRICING name them). */
const CACHE_TERMS = {
    seen: 'c_seen',
    counted: 'c_counted',
    hit: 'c_hit',
    /** Counted requests whose record carried a cache-read token count (0 included). */
    reported: 'c_rep',
    priced: 'c_priced',
    input: 'c_input',
    cached: 'c_cached',
    cost: 'c_cost',
    uncached: 'c_unc',
    atInput: 'c_ai',
    atCacheRead: 'c_acr',
    u: 'c_unc',
    d: 'c_d',
    c: 'c_cost',
    /** Latency and time to first token of the counted requests, split by cache hit and miss. */
    latencyHit: 'c_lat_h',
    latencyMiss: 'c_lat_m',
    ttftHit: 'c_ttft_h',
    ttftMiss: 'c_ttft_m'
};
const ABSENT = (d) => ({ value: d.nullFloat(), key: d.nullText() });
function recordSql(input) {
    return new RecordSqlBuilder(input).build();
}
class RecordSqlBuilder {
    input;
    d;
    read;
    level1 = [];
    level2 = [];
    level3 = [];
    level4 = [];
    missing = [];
    where = [];
    whereRead = [];
    /** Level-1 names of raw (non-canonical) fields metrics read, by field name. */
    rawFields = new Map();
    scoreFields = new Map();
    /** Level-1 names that some column feeds (the others are constant NULL). */
    present = new Set();
    constructor(input) {
        this.input = input;
        this.d = input.d;
        this.read = new ValueReader(input.d);
    }
    build() {
        const { policy } = this.input;
        this.canonical();
        const dims = (policy.segments?.by ?? []).map((dimension, j) => {
            const values = this.input.resolver.field(dimension);
            if (!values)
                this.missing.push(`segment dimension ${JSON.stringify(dimension)} (segments.by)`);
            this.one(`r_d${j}`, values, v => this.read.dimension(v, NO_VALUE), this.d.text(NO_VALUE));
            return `s${j}`;
        });
        const reads = policy.metrics.map(m => this.metric(m));
        this.derived(dims, reads);
        return {
            level0: this.input.resolver.extracted,
            whereRead: this.whereRead,
            level1: this.level1,
            level2: this.level2,
            level3: this.level3,
            level4: this.level4,
            where: this.where,
            metrics: reads.map((_, i) => ({
                x: `x${i}`,
                y: `y${i}`,
                xAlone: `xa${i}`,
                yAlone: `ya${i}`,
                ratio: policy.metrics[i]?.kind === 'ratio'
            })),
            quantiles: policy.metrics.flatMap((m, i) => m.kind === 'quantile' ? [{ metric: i, sign: `qs${i}`, index: `qi${i}` }] : []),
            dims,
            invalid: this.invalidKeys(reads),
            missing: this.missing
        };
    }
    /** Level 1: the canonical fields (normalize.ts), each from the first alias a column holds. */
    canonical() {
        const { d, read } = this;
        const { policy, resolver } = this.input;
        const r = (names) => resolver.firstOf(names);
        const ts = r(['ts', 'timestamp', 'start_time']);
        if (!ts)
            this.missing.push('the timestamp (`ts`, `timestamp` or `start_time`; map one under source.columns)');
        for (const v of ts ?? []) {
            if (v.kind === 'text' || v.kind === 'other') {
                this.missing.push(`the timestamp: ${v.type.name} is not a time type; use a timestamp or epoch-number column`);
            }
        }
        this.one('r_ts', ts, v => read.timestamp(v), d.nullFloat());
        // Rows before the window are not read (nor those more than FUTURE_LOOKAHEAD after now): a
        // time-typed column is compared in its own type, so the database can use its index or its
        // partitions; otherwise the value read is compared.
        const { from } = this.input.window;
        const until = this.input.now + FUTURE_LOOKAHEAD;
        const only = ts?.length === 1 ? ts[0] : undefined;
        const column = only?.inner;
        const bounds = only?.kind === 'time' && column
            ? [d.timeBound(column, only.type, from, '>='), d.timeBound(column, only.type, until, '<')]
            : [];
        if (bounds.length === 2 && bounds.every(b => b !== ''))
            this.where.push(...bounds);
        else if (ts) {
            const value = this.level1.find(([alias]) => alias === 'r_ts')?.[1];
            this.whereRead.push(`${value} >= ${d.number(from)}`, `${value} < ${d.number(until)}`);
        }
        const arm = resolver.field(policy.arms.field);
        if (!arm)
            this.missing.push(`the arm field ${JSON.stringify(policy.arms.field)} (arms.field)`);
        this.one('r_lbl', arm, v => read.label(v), d.nullText());
        const unitNames = policy.arms.unit === undefined ? ['unit', 'user_id', 'session_id'] : [policy.arms.unit];
        const unit = r(unitNames);
        if (!unit && policy.arms.unit !== undefined && resolver.mapped(policy.arms.unit)) {
            this.missing.push(`the unit field ${JSON.stringify(policy.arms.unit)} (arms.unit)`);
        }
        this.one('r_u', unit, v => read.id(v), d.nullText());
        const millis = (alias, ms, seconds) => {
            const a = r(ms);
            const b = r(seconds);
            const parts = [
                ...(a ?? []).map(v => read.num(v)),
                ...(b ?? []).map(v => `(${read.num(v)}) * 1000`)
            ];
            if (parts.length > 0)
                this.present.add(alias);
            this.level1.push([alias, this.coalesce(parts, d.nullFloat())]);
        };
        millis('r_lat', ['latency_ms', 'duration_ms'], ['gen_ai.client.operation.duration']);
        millis('r_ttft', ['ttft_ms'], ['gen_ai.response.time_to_first_chunk']);
        this.inputTokens();
        const num = (alias, names) => this.one(alias, r(names), v => read.num(v), d.nullFloat());
        num('r_cr', [
            'cache_read_tokens',
            'prompt_tokens_details.cached_tokens',
            'cache_read_input_tokens',
            'gen_ai.usage.cache_read.input_tokens'
        ]);
        num('r_cw', [
            'cache_write_tokens',
            'cache_creation_input_tokens',
            'gen_ai.usage.cache_creation.input_tokens'
        ]);
        num('r_out', ['output_tokens', 'completion_tokens', 'gen_ai.usage.output_tokens']);
        this.one('r_model', r(['model', 'gen_ai.response.model', 'gen_ai.request.model']), v => read.id(v), d.nullText());
        this.one('r_fp', r(['fingerprint', 'system_fingerprint']), v => read.id(v), d.nullText());
        this.one('r_err', r(['error']), v => read.error(v), d.nullText());
        this.one('r_fb', r(['fallback']), v => read.flag(v), d.engine === 'postgres' ? 'false' : '0');
        // `cost` maps like its alias cost_usd (the billed cost of the call).
        num('r_cost', ['cost_usd', 'cost']);
        num('r_score', ['score', 'gen_ai.evaluation.score.value']);
        this.one('r_fbk', r(['feedback']), v => read.feedback(v), d.nullFloat());
    }
    /** normalize.ts inputTokens(): Anthropic's input_tokens plus its cache reads and writes, else prompt_tokens. */
    inputTokens() {
        const { d, read } = this;
        const r = (names) => this.input.resolver.firstOf(names);
        const num = (v) => this.coalesce((v ?? []).map(x => read.num(x)), d.nullFloat());
        const own = r(['input_tokens']);
        const prompt = r(['prompt_tokens', 'gen_ai.usage.input_tokens']);
        const openai = num(prompt);
        if (own || prompt)
            this.present.add('r_in');
        if (!own) {
            this.level1.push(['r_in', openai]);
            return;
        }
        const reads = r(['cache_read_input_tokens']);
        const writes = r(['cache_creation_input_tokens']);
        const withCache = reads || writes
            ? `CASE WHEN ${num(reads)} IS NULL AND ${num(writes)} IS NULL THEN ${num(own)} ELSE ${num(own)} + coalesce(${num(reads)}, 0) + coalesce(${num(writes)}, 0) END`
            : num(own);
        this.level1.push([
            'r_in',
            `CASE WHEN ${num(own)} IS NOT NULL THEN ${withCache} ELSE ${openai} END`
        ]);
    }
    /** A level-1 column: the first of the field's values, each read by `f`. */
    one(alias, values, f, absent) {
        if (values && values.length > 0)
            this.present.add(alias);
        this.level1.push([alias, this.coalesce((values ?? []).map(f), absent)]);
    }
    coalesce(parts, absent) {
        if (parts.length === 0)
            return absent;
        return parts.length === 1 ? parts[0] : `coalesce(${parts.join(', ')})`;
    }
    /** A metric's value reader (fields.ts compileMetricValue). */
    metric(spec) {
        const from = this.field(spec.from, spec);
        if (spec.kind === 'ratio') {
            const per = this.field(spec.per, spec);
            return {
                value: `CASE WHEN ${from.value} IS NOT NULL AND ${per.value} IS NOT NULL THEN ${from.value} END`,
                key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL THEN ${per.key} END`,
                per: `CASE WHEN ${from.value} IS NOT NULL AND ${per.value} IS NOT NULL THEN ${per.value} END`
            };
        }
        if (spec.range)
            return this.inRange(spec, from, spec.range);
        if (spec.kind !== 'rate')
            return from;
        const d = this.d;
        if (canonicalName(spec.from) === 'feedback') {
            return {
                value: `CASE WHEN ${from.value} IS NOT NULL THEN (CASE WHEN ${from.value} = 1 THEN 1 ELSE 0 END) END`,
                key: from.key
            };
        }
        const binary = `${from.value} IN (0, 1)`;
        return {
            value: `CASE WHEN ${binary} THEN ${from.value} END`,
            key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL AND NOT (${binary}) THEN ${d.text(`${spec.from}: not 0 or 1, as a rate needs`)} END`
        };
    }
    /**
     * fields.ts rangeReader: a metric with a declared `range` is bounded, so a value outside
     * [lo, hi] is invalid (counted under the same key the file source uses, never used), not clipped.
     */
    inRange(spec, from, range) {
        const d = this.d;
        const inside = `${from.value} >= ${d.number(range.lo)} AND ${from.value} <= ${d.number(range.hi)}`;
        const why = d.text(`${spec.from}: outside the metric's range [${range.lo}, ${range.hi}]`);
        return {
            value: `CASE WHEN ${inside} THEN ${from.value} END`,
            key: `CASE WHEN ${from.key} IS NOT NULL THEN ${from.key} WHEN ${from.value} IS NOT NULL AND NOT (${inside}) THEN ${why} END`
        };
    }
    /** fields.ts fieldReader: a canonical field (aliases resolved) or a raw one. */
    field(field, spec) {
        const d = this.d;
        const name = canonicalName(field);
        const inf = d.infinity();
        const bad = (why) => d.text(`${field}: ${why}`);
        const nonNegative = (v) => ({
            value: `CASE WHEN ${v} >= 0 AND ${v} < ${inf} THEN ${v} END`,
            key: `CASE WHEN ${v} IS NOT NULL AND NOT (${v} >= 0 AND ${v} < ${inf}) THEN ${bad('negative or not a finite number')} END`
        });
        const unitInterval = (v) => ({
            value: `CASE WHEN ${v} >= 0 AND ${v} <= 1 THEN ${v} END`,
            key: `CASE WHEN ${v} IS NOT NULL AND NOT (${v} >= 0 AND ${v} <= 1) THEN ${bad('outside [0, 1] or not a number')} END`
        });
        const canonicalColumn = {
            latency_ms: 'r_lat',
            ttft_ms: 'r_ttft',
            input_tokens: 'r_in',
            output_tokens: 'r_out',
            cache_read_tokens: 'r_cr',
            cache_write_tokens: 'r_cw'
        };
        const column = canonicalColumn[name];
        if (column) {
            this.needs(column, spec, field);
            return nonNegative(`p.${column}`);
        }
        switch (name) {
            case 'cost':
            case 'cost_uncached':
                return this.costRead(field, name === 'cost');
            case 'cache_hit': {
                const cr = nonNegative('p.r_cr');
                return {
                    value: `CASE WHEN ${cr.value} IS NOT NULL THEN (CASE WHEN p.r_cr > 0 THEN 1 ELSE 0 END) END`,
                    key: cr.key
                };
            }
            case 'error':
                this.needs('r_err', spec, field);
                return { value: 'CASE WHEN p.r_err IS NULL THEN 0 ELSE 1 END', key: d.nullText() };
            case 'fallback':
                this.needs('r_fb', spec, field);
                return {
                    value: d.flag(d.engine === 'postgres' ? 'p.r_fb' : 'p.r_fb != 0'),
                    key: d.nullText()
                };
            case 'feedback':
                this.needs('r_fbk', spec, field);
                return {
                    value: 'CASE WHEN p.r_fbk IN (1, -1) THEN p.r_fbk END',
                    key: `CASE WHEN p.r_fbk IS NOT NULL AND NOT (p.r_fbk IN (1, -1)) THEN ${bad('not +1 or -1')} END`
                };
            case 'score':
                this.needs('r_score', spec, field);
                return unitInterval('p.r_score');
        }
        if (name.startsWith('error.')) {
            this.needs('r_err', spec, field);
            const cls = d.text(name.slice('error.'.length).toLowerCase());
            return { value: `CASE WHEN p.r_err = ${cls} THEN 1 ELSE 0 END`, key: d.nullText() };
        }
        if (name.startsWith('scores.'))
            return unitInterval(`p.${this.score(name, spec)}`);
        if (field === 'judge')
            return ABSENT(d);
        const raw = this.raw(field, spec);
        return {
            value: `CASE WHEN ${raw} > -${inf} AND ${raw} < ${inf} THEN ${raw} END`,
            key: `CASE WHEN ${raw} IS NOT NULL AND NOT (${raw} > -${inf} AND ${raw} < ${inf}) THEN ${bad('not a finite number')} END`
        };
    }
    needs(alias, spec, field) {
        if (!this.present.has(alias)) {
            this.missing.push(`${spec.path} reads ${JSON.stringify(field)}, which no column holds`);
        }
    }
    /** `scores.<name>`: a nested scores object, a `scores.<name>` column, or an OpenTelemetry evaluation. */
    score(name, spec) {
        const known = this.scoreFields.get(name);
        if (known)
            return known;
        const alias = `r_sc${this.scoreFields.size}`;
        this.scoreFields.set(name, alias);
        const { resolver } = this.input;
        const parts = (resolver.field(name) ?? []).map(v => this.read.num(v));
        const evalName = resolver.field('gen_ai.evaluation.name');
        const evalScore = resolver.field('gen_ai.evaluation.score.value');
        if (evalName && evalScore) {
            const label = this.coalesce(evalName.map(v => this.read.id(v)), this.d.nullText());
            const value = this.coalesce(evalScore.map(v => this.read.num(v)), this.d.nullFloat());
            parts.push(`CASE WHEN ${label} = ${this.d.text(name.slice('scores.'.length))} THEN ${value} END`);
        }
        if (parts.length === 0)
            this.missing.push(`${spec.path} reads ${JSON.stringify(name)}, which no column holds`);
        this.level1.push([alias, this.coalesce(parts, this.d.nullFloat())]);
        return alias;
    }
    /** A raw (non-canonical) numeric field (fields.ts rawFieldReader). */
    raw(field, spec) {
        const known = this.rawFields.get(field);
        if (known)
            return `p.${known}`;
        const alias = `r_f${this.rawFields.size}`;
        this.rawFields.set(field, alias);
        const values = this.input.resolver.field(field);
        if (!values)
            this.missing.push(`${spec.path} reads ${JSON.stringify(field)}, which no column holds`);
        this.one(alias, values, v => this.read.rawNum(v), this.d.nullFloat());
        return `p.${alias}`;
    }
    /**
     * pricing.ts computeCost (observed: the billed cost_usd, else tokens at the policy's prices) or
     * computeUncachedCost, read as costReader does: level 2 computed the cost and why it could not.
     */
    costRead(field, observed) {
        const d = this.d;
        const inf = d.infinity();
        const bad = (why) => d.text(`${field}: ${why}`);
        const finite = (v) => `${v} >= 0 AND ${v} < ${inf}`;
        const [computed, reason] = observed ? ['p.c_comp', 'p.c_reason'] : ['p.u_comp', 'p.u_reason'];
        const value = observed ? `coalesce(p.r_cost, ${computed})` : computed;
        const tokens = 'p.r_in IS NOT NULL OR p.r_out IS NOT NULL';
        const whyComputed = `CASE WHEN ${reason} IS NOT NULL THEN ${d.concat([d.text(`${field}: `), reason])} WHEN NOT (${finite(computed)}) THEN ${bad('negative or not a finite number')} END`;
        return {
            value: `CASE WHEN ${finite(value)} THEN ${value} END`,
            key: observed
                ? `CASE WHEN p.r_cost IS NOT NULL THEN (CASE WHEN NOT (${finite('p.r_cost')}) THEN ${bad('negative or not a finite number')} END) WHEN ${tokens} THEN ${whyComputed} END`
                : `CASE WHEN ${tokens} THEN ${whyComputed} END`
        };
    }
    /** The policy's prices by model, as CASE expressions on the record's model. */
    prices() {
        const d = this.d;
        const models = Object.keys(this.input.policy.pricing);
        const caseOf = (pick) => models.length === 0
            ? d.nullFloat()
            : // The searched form: ClickHouse 18.x answers NULL to `CASE x WHEN ...`.
                `(CASE ${models.map(m => `WHEN r.r_model = ${d.text(m)} THEN ${d.number(pick(m))}`).join(' ')} END)`;
        const price = (m) => this.input.policy.pricing[m];
        return {
            has: models.length === 0
                ? '1 = 0'
                : `(r.r_model IS NOT NULL AND r.r_model IN (${models.map(m => d.text(m)).join(', ')}))`,
            input: caseOf(m => price(m).input),
            output: caseOf(m => price(m).output),
            cacheRead: caseOf(m => price(m).cacheRead ?? price(m).input),
            cacheWrite: caseOf(m => price(m).cacheWrite ?? price(m).input)
        };
    }
    /**
     * Level 2 (p): the canonical fields passed on, the arm code, window, bucket and A/A half, the
     * model key, and each priced cost with why it could not be priced. Level 3 (c): what the
     * aggregates read.
     */
    derived(dims, reads) {
        const d = this.d;
        const { policy, window, now } = this.input;
        const bucket = policy.bucket;
        const labels = (values) => values.map(v => d.text(v)).join(', ');
        const a = `CASE WHEN r.r_lbl IS NULL THEN ${ARM_CODE.noArm} WHEN r.r_lbl IN (${labels(policy.arms.baseline)}) THEN ${ARM_CODE.baseline} WHEN r.r_lbl IN (${labels(policy.arms.canary)}) THEN ${ARM_CODE.canary} ELSE ${ARM_CODE.unmatched} END`;
        const two = (alias, sql) => this.level2.push([alias, sql]);
        two('a', this.int(a));
        for (const [alias] of this.level1)
            two(alias, `r.${alias}`);
        this.pricedCosts(two);
        const ts = 'p.r_ts';
        const k = `CASE WHEN p.a < 0 THEN 0 WHEN ${ts} > ${d.number(now)} THEN ${WINDOW_CODE.future} WHEN ${ts} < ${d.number(window.from)} THEN ${WINDOW_CODE.before} WHEN ${ts} >= ${d.number(window.to)} THEN ${WINDOW_CODE.after} ELSE floor((${ts} - ${d.number(window.from)}) / ${d.number(bucket)}) END`;
        const half = `CASE WHEN p.a = ${ARM_CODE.baseline} THEN (CASE WHEN p.r_u IS NULL THEN ${d.halfOfNumber(ts)} ELSE ${d.halfOfText('p.r_u')} END) ELSE 0 END`;
        const inWindow = `(p.a >= 0 AND ${ts} >= ${d.number(window.from)} AND ${ts} < ${d.number(window.to)} AND ${ts} <= ${d.number(now)})`;
        // Level 3 (m): what a record is (arm, bucket, half, keys) and its metric values, each once.
        const three = (alias, sql) => this.level3.push([alias, sql]);
        three('a', 'p.a');
        three('k', this.int(k));
        three('h', this.int(half));
        three('w', d.flag(inWindow));
        three('ts', 'p.r_ts');
        three('u', 'p.r_u');
        three('lbl', `CASE WHEN p.a = ${ARM_CODE.unmatched} THEN p.r_lbl END`);
        dims.forEach((alias, j) => three(alias, `CASE WHEN p.a >= 0 THEN p.r_d${j} ELSE '' END`));
        // The served model (`model#fingerprint`) and error class of the window's records (cell keys).
        three('mk', `CASE WHEN NOT ${inWindow} OR p.r_model IS NULL THEN ${d.nullText()} WHEN p.r_fp IS NULL THEN p.r_model ELSE ${d.concat(['p.r_model', "'#'", 'p.r_fp'])} END`);
        three('err', `CASE WHEN ${inWindow} THEN p.r_err END`);
        three('fb', d.flag(d.engine === 'postgres' ? 'p.r_fb' : 'p.r_fb != 0'));
        reads.forEach((read, i) => {
            three(`x${i}`, read.value);
            if (read.per)
                three(`y${i}`, read.per);
            three(`e${i}`, `CASE WHEN ${inWindow} THEN ${read.key} END`);
        });
        this.cacheBase(three);
        // Level 4 (c): what the aggregates read, from level 3's names.
        const four = (alias, sql) => this.level4.push([alias, sql]);
        for (const alias of ['a', 'k', 'h', 'w', 'ts', 'u', 'lbl', ...dims, 'mk', 'err', 'fb']) {
            four(alias, `m.${alias}`);
        }
        reads.forEach((read, i) => {
            const x = `m.x${i}`;
            four(`x${i}`, x);
            four(`y${i}`, read.per ? `m.y${i}` : `CASE WHEN ${x} IS NOT NULL THEN ${d.float('1')} END`);
            four(`xa${i}`, `CASE WHEN m.u IS NULL THEN ${x} END`);
            if (read.per)
                four(`ya${i}`, `CASE WHEN m.u IS NULL THEN m.y${i} END`);
            four(`e${i}`, `m.e${i}`);
            if (policy.metrics[i]?.kind !== 'quantile')
                return;
            four(`qs${i}`, `CASE WHEN ${x} > 0 THEN 'p' WHEN ${x} < 0 THEN 'n' WHEN ${x} = 0 THEN 'z' END`);
            const lnAbs = d.ln(`abs(${x})`);
            four(`qi${i}`, this.int(`CASE WHEN ${x} > 0 OR ${x} < 0 THEN ${QUANTILE_INDEX.sql(lnAbs, d.number(QUANTILE_INDEX.multiplier))} ELSE 0 END`));
        });
        this.cacheTerms(four);
    }
    /**
     * Level 2's prices (p_has, p_in, p_out, p_cr, p_cw) and costs: c_comp what pricing.ts
     * computeCost gives from tokens (NULL when it cannot), c_reason why not; u_comp and u_reason
     * the same for computeUncachedCost. The arithmetic is computeCost's, operation for operation,
     * so the doubles are the same.
     */
    pricedCosts(two) {
        const d = this.d;
        const p = this.prices();
        two('p_has', d.flag(p.has));
        two('p_in', p.input);
        two('p_out', p.output);
        two('p_cr', p.cacheRead);
        two('p_cw', p.cacheWrite);
        const noPrice = `CASE WHEN r.r_model IS NULL THEN ${d.text('no model to look up in policy.pricing')} ELSE ${d.concat([d.text('no price for model "'), 'r.r_model', d.text('" in policy.pricing')])} END`;
        const uncachedInput = '(coalesce(r.r_in, 0) - coalesce(r.r_cr, 0) - coalesce(r.r_cw, 0))';
        const tokens = '(r.r_in IS NOT NULL OR r.r_out IS NOT NULL)';
        two('c_comp', `CASE WHEN ${tokens} AND ${p.has} AND NOT (${uncachedInput} < 0) THEN (${uncachedInput} * ${p.input} + coalesce(r.r_cr, 0) * ${p.cacheRead} + coalesce(r.r_cw, 0) * ${p.cacheWrite} + coalesce(r.r_out, 0) * ${p.output}) / 1000000 END`);
        two('c_reason', `CASE WHEN NOT (${p.has}) THEN ${noPrice} WHEN ${uncachedInput} < 0 THEN ${d.text('cache tokens exceed input tokens')} END`);
        two('u_comp', `CASE WHEN ${tokens} AND ${p.has} THEN (coalesce(r.r_in, 0) * ${p.input} + coalesce(r.r_out, 0) * ${p.output}) / 1000000 END`);
        two('u_reason', `CASE WHEN NOT (${p.has}) THEN ${noPrice} END`);
    }
    int(sql) {
        return this.d.engine === 'postgres' ? `(${sql})::int8` : `toInt64(${sql})`;
    }
    /**
     * Level 3's part of cacheSums.ts addCacheRequest: whether the request counts (input tokens, a
     * cached count between 0 and them), hits the cache, is priced (a price and a usable cost).
     */
    cacheBase(three) {
        const d = this.d;
        const inf = d.infinity();
        const cached = 'coalesce(p.r_cr, 0)';
        const counted = `(p.r_in >= 0 AND p.r_in < ${inf} AND ${cached} >= 0 AND ${cached} <= p.r_in)`;
        const cost = 'coalesce(p.r_cost, p.c_comp)';
        three('cn', d.flag(counted));
        three('hit', d.flag(`${counted} AND ${cached} > 0`));
        three('pr', d.flag(`${counted} AND p.p_has = 1 AND ${cost} >= 0 AND ${cost} < ${inf}`));
        three('cost', cost);
        for (const name of ['r_in', 'r_cr', 'r_out', 'r_lat', 'r_ttft', 'p_in', 'p_cr', 'p_out']) {
            three(name, `p.${name}`);
        }
    }
    /** cacheSums.ts addCacheRequest, term by term (CACHE_TERMS names them), from level 3. */
    cacheTerms(four) {
        const d = this.d;
        const inf = d.infinity();
        const counted = 'm.cn = 1';
        const priced = 'm.pr = 1';
        const atInput = '(m.r_in * m.p_in) / 1000000';
        const atCacheRead = '(m.r_in * m.p_cr) / 1000000';
        const t = CACHE_TERMS;
        four(t.seen, d.flag('m.r_in IS NOT NULL'));
        four(t.counted, 'm.cn');
        four(t.hit, 'm.hit');
        four(t.reported, `CASE WHEN ${counted} AND m.r_cr IS NOT NULL THEN 1 ELSE 0 END`);
        four(t.priced, 'm.pr');
        four(t.input, `CASE WHEN ${counted} THEN m.r_in END`);
        four(t.cached, `CASE WHEN ${counted} THEN coalesce(m.r_cr, 0) END`);
        four(t.cost, `CASE WHEN ${priced} THEN m.cost END`);
        four(t.uncached, `CASE WHEN ${priced} THEN ${atInput} + (coalesce(m.r_out, 0) * m.p_out) / 1000000 END`);
        four(t.atInput, `CASE WHEN ${priced} THEN ${atInput} END`);
        four(t.atCacheRead, `CASE WHEN ${priced} THEN ${atCacheRead} END`);
        four(t.d, `CASE WHEN ${priced} THEN ${atInput} - ${atCacheRead} END`);
        const valid = (v) => `${v} >= 0 AND ${v} < ${inf}`;
        for (const [hitName, missName, v] of [
            [t.latencyHit, t.latencyMiss, 'm.r_lat'],
            [t.ttftHit, t.ttftMiss, 'm.r_ttft']
        ]) {
            four(hitName, `CASE WHEN ${counted} AND m.hit = 1 AND ${valid(v)} THEN ${v} END`);
            four(missName, `CASE WHEN ${counted} AND m.hit = 0 AND ${valid(v)} THEN ${v} END`);
        }
    }
    /**
     * Level-2 names of the invalid-value keys, one per distinct reader: a record counts a key once
     * however many metrics read the field (evidenceBuilder.ts readValues), so a later key that equals
     * an earlier one on the same row is dropped.
     */
    invalidKeys(reads) {
        const d = this.d;
        const distinct = [];
        reads.forEach((read, i) => {
            if (read.key === d.nullText())
                return;
            if (distinct.some(j => reads[j].key === read.key))
                return;
            distinct.push(i);
        });
        return distinct.map((i, n) => {
            const earlier = distinct.slice(0, n);
            if (earlier.length === 0)
                return `e${i}`;
            const differs = earlier.map(j => `(e${j} IS NULL OR e${j} != e${i})`).join(' AND ');
            return `CASE WHEN ${differs} THEN e${i} END`;
        });
    }
}
/** How far past `now` rows are read to count clock skew ("future" records): an hour. */
const FUTURE_LOOKAHEAD = 3_600_000;

/** Row types (the `t` column). */
const ROW = {
    cell: 1,
    segmentUnits: 2,
    armUnits: 3,
    quantile: 4,
    segmentRanks: 5,
    armRanks: 6
};
function evidenceQuery(input) {
    const { d, policy, records } = input;
    const metricCount = policy.metrics.length;
    const quantile = policy.metrics.map(m => m.kind === 'quantile');
    const cellLayout = cellSlots(d, records, quantile);
    const unitLayout = unitSlots(d, records);
    // PostgreSQL names the per-row subquery once (a CTE it inlines where it is read, NOT
    // MATERIALIZED); ClickHouse 18.x has no CTEs of queries, so the text is repeated there.
    const calls = baseQuery(d, input.from, records);
    const pg = d.engine === 'postgres';
    const base = pg ? 'calls AS c' : `${calls} AS c`;
    const units = unitBranches(d, base, records, unitLayout);
    const ranks = rankBranches(d, base, records);
    const branches = [
        cellBranch(d, base, records, cellLayout),
        ...units.branches,
        quantileBranch(d, base, records),
        ...ranks.branches
    ].filter((b) => b !== undefined);
    const body = branches.join('\nUNION ALL\n');
    const ctes = [
        ...(pg ? [`calls AS NOT MATERIALIZED ${calls}`] : []),
        ...(units.with ? [units.with] : []),
        ...(ranks.with ? [ranks.with] : [])
    ];
    const { sql, params } = d.finalize(ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n${body}` : body);
    return {
        sql,
        params,
        cellLayout,
        unitLayout,
        dims: records.dims.length,
        newCellPart: () => ({
            requests: 0,
            fallbacks: 0,
            firstTs: Infinity,
            metrics: Array.from({ length: metricCount }, () => ({
                requests: 0,
                squares: 0,
                moments: emptyMoments(),
                min: Infinity,
                max: -Infinity
            })),
            cacheSeen: 0,
            cache: emptyCacheSums()
        }),
        newUnitPart: () => ({ units: 0, moments: Array.from({ length: metricCount }, emptyMoments) })
    };
}
/** Levels 0 to 3 (recordSql.ts) as a subquery: one row per row of the source in the read range. */
function baseQuery(d, from, records) {
    const fence = d.fence();
    const list = (items) => [...items.map(([alias, sql]) => `${sql} AS ${alias}`), ...(fence ? [fence] : [])].join(',\n          ') || '1 AS one';
    const where = (conditions) => conditions.length > 0 ? `\n          WHERE ${conditions.join('\n            AND ')}` : '';
    return `(SELECT ${list(records.level4)}
  FROM (SELECT ${list(records.level3)}
    FROM (SELECT ${list(records.level2)}
      FROM (SELECT ${list(records.level1)}
        FROM (SELECT ${list(records.level0)}
          FROM ${from} AS src${where(records.where)}) AS v${where(records.whereRead)}) AS r) AS p) AS m)`;
}
/** The t = 1 layout: requests, fallbacks, first ts, per metric counts and no-unit moments, min / max, cache. */
function cellSlots(d, records, quantile) {
    const slots = [
        { sql: 'count(*)', apply: (p, v) => (p.requests = v) },
        { sql: d.sum('fb'), apply: (p, v) => (p.fallbacks = v) },
        { sql: d.min('ts'), apply: (p, v) => (p.firstTs = v) }
    ];
    records.metrics.forEach((m, i) => {
        const metric = (p) => p.metrics[i];
        slots.push({ sql: `count(${m.x})`, apply: (p, v) => (metric(p).requests = v) });
        slots.push({ sql: d.sum(`${m.x} * ${m.x}`), apply: (p, v) => (metric(p).squares = v) });
        // Requests without a unit are clusters of their own; units are clustered in t = 2 / 3.
        const terms = { x: m.xAlone, y: m.ratio ? m.yAlone : '1' };
        for (const key of MOMENT_KEYS) {
            slots.push({
                sql: moment(d, MOMENTS[key], terms, m.xAlone),
                apply: (p, v) => (metric(p).moments[key] = v)
            });
        }
        if (quantile[i]) {
            slots.push({ sql: d.min(m.x), apply: (p, v) => (metric(p).min = v) });
            slots.push({ sql: d.max(m.x), apply: (p, v) => (metric(p).max = v) });
        }
    });
    const t = CACHE_TERMS;
    slots.push({ sql: d.sum(t.seen), apply: (p, v) => (p.cacheSeen = v) });
    for (const key of CACHE_COUNT_KEYS) {
        const spec = CACHE_COUNTS[key];
        // A summed term is NULL outside its `over` set (recordSql.ts), so a plain sum is over it.
        slots.push({
            sql: spec.sum ? d.sum(t[spec.sum]) : d.sum(t[spec.over]),
            apply: (p, v) => (p.cache[key] = v)
        });
    }
    const split = [
        ['latency', 'hit', t.latencyHit],
        ['latency', 'miss', t.latencyMiss],
        ['ttft', 'hit', t.ttftHit],
        ['ttft', 'miss', t.ttftMiss]
    ];
    for (const [which, part, column] of split) {
        for (const key of MOMENT_KEYS) {
            slots.push({
                sql: moment(d, MOMENTS[key], { x: column, y: '1' }, column),
                apply: (p, v) => (p.cache[which][part][key] = v)
            });
        }
    }
    for (const key of REPRICING_KEYS) {
        slots.push({
            sql: moment(d, REPRICING[key], { u: t.u, d: t.d, c: t.c }, t.u),
            apply: (p, v) => {
                const repricing = p.cache.repricing;
                repricing[key] = v;
            }
        });
    }
    return slots;
}
/** The t = 2 / 3 layout: units, then per metric the moments over the units' (x, y) sums. */
function unitSlots(d, records) {
    const slots = [{ sql: 'count(*)', apply: (p, v) => (p.units = v) }];
    records.metrics.forEach((_, i) => {
        // sx, sy: a unit's sums, NULL for a unit without a value for the metric.
        for (const key of MOMENT_KEYS) {
            slots.push({
                sql: moment(d, MOMENTS[key], { x: `sx${i}`, y: `sy${i}` }, `sx${i}`),
                apply: (p, v) => (p.moments[i][key] = v)
            });
        }
    });
    return slots;
}
/**
 * The aggregate of one sketch field: the sum of its product of terms over the rows where
 * `member` (a term NULL outside the set) is not NULL, or their count. A term '1' drops out, so
 * sy, syy and sxy of a mean are count(x), count(x) and sum(x): the same aggregates as n and sx.
 */
function moment(d, monomial, terms, member) {
    const factors = Object.fromEntries(Object.entries(monomial).filter(([name]) => terms[name] !== '1'));
    return Object.keys(factors).length === 0 ? `count(${member})` : d.sum(product(factors, terms));
}
function row(d, c) {
    const pg = d.engine === 'postgres';
    const int = (x) => (pg ? `(${x})::int8` : `toInt64(${x})`);
    const text = (x) => x === undefined ? "''" : pg ? `coalesce((${x})::text, '')` : `toString(ifNull(${x}, ''))`;
    const floats = (x) => (pg ? `(${x})::float8[]` : `arrayMap(z -> toFloat64(z), ${x})`);
    const texts = (xs) => pg
        ? xs.length === 0
            ? "'{}'::text[]"
            : `ARRAY[${xs.map(x => `(${x})::text`).join(', ')}]::text[]`
        : xs.length === 0
            ? 'emptyArrayString()'
            : `[${xs.map(x => `toString(ifNull(${x}, ''))`).join(', ')}]`;
    return [
        `${int(c.t)} AS t`,
        `${int(c.a)} AS a`,
        ...c.s.map((s, j) => `${text(s)} AS s${j}`),
        `${int(c.k)} AS k`,
        `${int(c.h)} AS h`,
        `${int(c.d ?? '0')} AS d`,
        `${text(c.key)} AS key`,
        `${text(c.mk)} AS mk`,
        `${text(c.err)} AS err`,
        `${text(c.lbl)} AS lbl`,
        `${texts(c.inv ?? [])} AS inv`,
        `${floats(c.v)} AS v`,
        `${floats(c.w ?? d.floatArray([]))} AS w`
    ].join(', ');
}
/** The columns of a row about units, per (arm[, segment `s`], first bucket k0, half hh). */
function unitsRow(d, t, s, dims, rest) {
    const segments = s.length > 0 ? s : dims.map(() => "''");
    return row(d, { t: String(t), a: 'a', s: segments, k: 'k0', h: 'hh', ...rest });
}
function cellBranch(d, base, records, layout) {
    const dims = records.dims;
    const inv = records.invalid;
    const group = ['a', ...dims, 'k', 'h', 'mk', 'err', 'lbl', ...inv];
    const cols = row(d, {
        t: String(ROW.cell),
        a: 'a',
        s: dims,
        k: 'k',
        h: 'h',
        mk: 'mk',
        err: 'err',
        lbl: 'lbl',
        inv,
        v: d.floatArray(layout.map(s => s.sql))
    });
    return `SELECT ${cols}\nFROM ${base}\nGROUP BY ${group.join(', ')}`;
}
/**
 * Per-unit sums (a `GROUP BY unit` in the database), then the clusters per first bucket: per
 * (arm, segment, unit) first, and per (arm, unit) from those (a unit's sums over its segments).
 * PostgreSQL computes the per-(arm, segment, unit) sums once, as a CTE both groupings read;
 * ClickHouse (no CTEs of queries in 18.x) scans twice, which costs it little.
 */
function unitBranches(d, base, records, layout) {
    const dims = records.dims;
    const ms = records.metrics.map((m, i) => ({ ...m, i }));
    const v = d.floatArray(layout.map(s => s.sql));
    /** Per-unit sums over `from`, grouped by `keys`: first bucket, count, sum of x (and of y). */
    const sums = (from, keys, fromUnits) => {
        const cols = ms.flatMap(m => fromUnits
            ? [
                `sum(n${m.i}) AS n${m.i}`,
                `sum(xs${m.i}) AS xs${m.i}`,
                ...(m.ratio ? [`sum(ys${m.i}) AS ys${m.i}`] : [])
            ]
            : [
                `${d.float(`count(${m.x})`)} AS n${m.i}`,
                `sum(${m.x}) AS xs${m.i}`,
                ...(m.ratio ? [`sum(${m.y}) AS ys${m.i}`] : [])
            ]);
        const where = fromUnits ? '' : '\n  WHERE w = 1 AND u IS NOT NULL';
        return `SELECT ${keys.join(', ')}, min(${fromUnits ? 'k0' : 'k'}) AS k0, ${cols.join(', ')}\n  FROM ${from}${where}\n  GROUP BY ${keys.join(', ')}`;
    };
    /** Clusters per (arm[, segment], first bucket, half) of the units in `units`. */
    const clusters = (units, t, s, hh) => {
        const unitCols = ms.map(m => `CASE WHEN n${m.i} > 0 THEN xs${m.i} END AS sx${m.i}, CASE WHEN n${m.i} > 0 THEN ${m.ratio ? `ys${m.i}` : `n${m.i}`} END AS sy${m.i}`);
        const inner = `SELECT a, ${s.map(x => `${x}, `).join('')}k0, ${hh} AS hh, ${unitCols.join(', ')}\n  FROM (${units}) AS su`;
        const cols = unitsRow(d, t, s, dims, { v });
        return `SELECT ${cols}\nFROM (${inner}) AS g\nGROUP BY a, ${s.map(x => `${x}, `).join('')}k0, hh`;
    };
    const half = `CASE WHEN a = 0 THEN ${d.halfOfText('u')} ELSE 0 END`;
    if (dims.length === 0) {
        return { branches: [clusters(sums(base, ['a', 'u'], false), ROW.armUnits, [], half)] };
    }
    const perSegment = sums(base, ['a', ...dims, 'u'], false);
    const shared = d.engine === 'postgres' ? 'unit_segments' : `(${perSegment}) AS us`;
    return {
        ...(d.engine === 'postgres' && { with: `unit_segments AS (${perSegment})` }),
        branches: [
            clusters(sums(shared, ['a', 'u'], true), ROW.armUnits, [], half),
            clusters(`SELECT * FROM ${shared}`, ROW.segmentUnits, dims, '0')
        ]
    };
}
/**
 * Each window record's quantile entries: one per quantile metric, with the metric's index (ed),
 * the value's sign (ek: 'p', 'n', 'z', NULL without a value) and its bucket index (ei), from the
 * rows of `base` where `where` holds. One quantile metric reads the row's columns as they are;
 * several make one entry per metric and row (a LATERAL VALUES list, or an ARRAY JOIN of tuples).
 */
function quantileEntries(d, base, records, where) {
    const q = records.quantiles;
    const pg = d.engine === 'postgres';
    const int = (x) => (pg ? `(${x})::int8` : `toInt64(${x})`);
    if (q.length === 1) {
        const only = q[0];
        return {
            from: `${base}\n  WHERE ${where}`,
            ed: int(String(only.metric)),
            ek: only.sign,
            ei: only.index
        };
    }
    if (pg) {
        const values = q.map(e => `(${int(String(e.metric))}, ${e.sign}, ${e.index})`).join(', ');
        return {
            from: `${base}\n  CROSS JOIN LATERAL (VALUES ${values}) AS e(ed, ek, ei)\n  WHERE ${where}`,
            ed: 'ed',
            ek: 'ek',
            ei: 'ei'
        };
    }
    const tuples = q
        .map(e => `tuple(${int(String(e.metric))}, CAST(${e.sign} AS Nullable(String)), ${int(e.index)})`)
        .join(', ');
    return {
        from: `${base}\n  ARRAY JOIN [${tuples}] AS e\n  WHERE ${where}`,
        ed: 'e.1',
        ek: 'e.2',
        ei: 'e.3'
    };
}
/**
 * The quantile sketches: each window record's bucket index of each quantile metric, counted per
 * (arm, segment, bucket, half, metric, sign) and packed into arrays (w the indices, v the counts).
 */
function quantileBranch(d, base, records) {
    if (records.quantiles.length === 0)
        return undefined;
    const dims = records.dims;
    const e = quantileEntries(d, base, records, 'w = 1');
    const keys = ['a', ...dims, 'k', 'h'];
    const counted = `SELECT ${keys.join(', ')}, ${e.ed} AS ed, ${e.ek} AS ek, ${e.ei} AS ei, ${d.engine === 'postgres' ? 'count(*)' : 'count()'} AS n
  FROM ${e.from} AND ${e.ek} IS NOT NULL
  GROUP BY ${keys.join(', ')}, ${e.ed}, ${e.ek}, ${e.ei}`;
    const packed = d.engine === 'postgres'
        ? // Unordered (no sort): one Agg node advances both on each row, so they stay aligned.
            { v: 'array_agg(n)', w: 'array_agg(ei)' }
        : { v: 'groupArray(n)', w: 'groupArray(ei)' };
    const cols = row(d, {
        t: String(ROW.quantile),
        a: 'a',
        s: dims,
        k: 'k',
        h: 'h',
        d: 'ed',
        key: 'ek',
        v: packed.v,
        w: packed.w
    });
    return `SELECT ${cols}\nFROM (${counted}) AS e2\nGROUP BY a, ${dims.map(s => `${s}, `).join('')}k, h, ed, ek`;
}
/** The bin of a record without a value for the metric: counted 0, it only carries the unit's first bucket. */
const NO_VALUE_BIN = 2 * NON_POSITIVE_BIN;
/**
 * The per-unit rank sums of the quantile metrics (src/sketch/unitRanks.ts), computed as the
 * EvidenceBuilder computes them from its per-unit tables, with no unit id leaving the database:
 *
 *  1. per (arm, segment, unit, metric, coarse bin) the unit's requests in the bin (`unit_bins`;
 *     coarse bin ceil(i / RANK_STEP) of the sketch's bucket index i, NON_POSITIVE_BIN for values
 *     <= 0) and the unit's first bucket; a record without a value for the metric is an entry of
 *     count 0 in NO_VALUE_BIN, so the first bucket is that of any of the unit's records;
 *  2. per unit (per arm and segment for t = 5; summed over its segments, per arm, for t = 6): the
 *     first bucket, and for each bin its running count `after` = c(e_j) and the metric's total n;
 *     PostgreSQL with window functions, ClickHouse (18.x has none) over the unit's entries as
 *     arrays (groupArray, then an ARRAY JOIN with the sums of arrayMap over the same arrays);
 *  3. per (arm[, segment], first bucket[, half], metric, bin): counts = sum of the unit's
 *     requests in the bin, squares = sum of after^2 - (after - c)^2, cross = sum of c * n, sums
 *     of integers (exact), packed per metric into arrays.
 */
function rankBranches(d, base, records) {
    if (records.quantiles.length === 0)
        return { branches: [] };
    const pg = d.engine === 'postgres';
    const dims = records.dims;
    const e = quantileEntries(d, base, records, 'w = 1 AND u IS NOT NULL');
    const int = (x) => (pg ? `(${x})::int8` : `toInt64(${x})`);
    const bin = `CASE WHEN ${e.ek} IS NULL THEN ${NO_VALUE_BIN} WHEN ${e.ek} = 'p' THEN ${int(`ceil(${pg ? `(${e.ei})::float8` : e.ei} / ${RANK_STEP})`)} ELSE ${NON_POSITIVE_BIN} END`;
    const segmentKeys = ['a', ...dims, 'u'];
    const unitBins = `SELECT ${segmentKeys.join(', ')}, rd, rb, CASE WHEN rb = ${NO_VALUE_BIN} THEN 0 ELSE ${pg ? 'count(*)' : 'count()'} END AS rc, min(k) AS rkm
  FROM (SELECT ${segmentKeys.join(', ')}, k, ${e.ed} AS rd, ${int(bin)} AS rb
  FROM ${e.from}) AS ue
  GROUP BY ${segmentKeys.join(', ')}, rd, rb`;
    const shared = pg ? 'unit_bins' : `(${unitBins}) AS ub`;
    // A unit's entries over its segments (new names: ClickHouse's aliases are visible in the whole
    // SELECT, so `sum(rc) AS rc` would read itself).
    const armBins = `(SELECT a, u, rd, rb, sum(rc) AS ra, min(rkm) AS rka FROM ${shared} GROUP BY a, u, rd, rb) AS ua`;
    /** Step 2: per unit of `keys`, its entries with k0, the running count (raf) and the total (rn). */
    const perUnit = (from, keys, count, first) => {
        const list = keys.join(', ');
        if (pg) {
            // The partitions only group equal values: byte order (COLLATE "C") sorts text without the
            // database's collation rules, much faster under a linguistic one, to the same groups.
            const unit = keys.map(k => (k === 'a' ? k : `${k} COLLATE "C"`)).join(', ');
            return `SELECT ${list}, rd, rb, ${count} AS rc, min(${first}) OVER (PARTITION BY ${unit}) AS k0,
    sum(${count}) OVER (PARTITION BY ${unit}, rd ORDER BY rb) AS raf,
    sum(${count}) OVER (PARTITION BY ${unit}, rd) AS rn
  FROM ${from}`;
        }
        return `SELECT ${list}, k0, ed1 AS rd, eb1 AS rb, ec1 AS rc,
    arraySum(arrayMap((x, y, z) -> if(x = ed1 AND y <= eb1, z, 0), eds, ebs, ecs)) AS raf,
    arraySum(arrayMap((x, z) -> if(x = ed1, z, 0), eds, ecs)) AS rn
  FROM (SELECT ${list}, min(${first}) AS k0, groupArray(rd) AS eds, groupArray(rb) AS ebs, groupArray(${count}) AS ecs
    FROM ${from}
    GROUP BY ${list}) AS ug
  ARRAY JOIN eds AS ed1, ebs AS eb1, ecs AS ec1`;
    };
    /** Steps 2 and 3 for the units in `from`, as rows of type t. */
    const branch = (from, [count, first], t, s, hh) => {
        const keys = ['a', ...s];
        const float = (x) => (pg ? x : `toFloat64(${x})`);
        const sums = `SELECT ${keys.join(', ')}, k0, ${hh} AS hh, rd, rb, ${float('sum(rc)')} AS sc, ${float('sum(raf * raf - (raf - rc) * (raf - rc))')} AS sq, ${float('sum(rc * rn)')} AS sx
  FROM (${perUnit(from, [...keys, 'u'], count, first)}) AS pu
  WHERE rb != ${NO_VALUE_BIN}
  GROUP BY ${keys.join(', ')}, k0, hh, rd, rb`;
        const cols = unitsRow(d, t, s, dims, {
            d: 'rd',
            // Unordered: one aggregate node advances every array on each row, so they stay aligned.
            v: pg
                ? 'array_agg(sc) || array_agg(sq) || array_agg(sx)'
                : 'arrayConcat(groupArray(sc), groupArray(sq), groupArray(sx))',
            w: pg ? 'array_agg(rb)' : 'groupArray(rb)'
        });
        return `SELECT ${cols}\nFROM (${sums}) AS rs\nGROUP BY ${keys.join(', ')}, k0, hh, rd`;
    };
    const half = `CASE WHEN a = 0 THEN ${d.halfOfText('u')} ELSE 0 END`;
    const branches = dims.length === 0
        ? [branch(shared, ['rc', 'rkm'], ROW.armRanks, [], half)]
        : [
            branch(armBins, ['ra', 'rka'], ROW.armRanks, [], half),
            branch(shared, ['rc', 'rkm'], ROW.segmentRanks, dims, '0')
        ];
    return { ...(pg && { with: `unit_bins AS (${unitBins})` }), branches };
}

const MAX_UNMATCHED_ARMS = 20;
const MAX_INVALID_KEYS = 50;
const ARMS = ['baseline', 'canary'];
/** Bucket-index counts of one metric in one cell (or half), before they become a sketch. */
class Buckets {
    positive = new Map();
    negative = new Map();
    zeros = 0;
    add(sign, indices, counts) {
        if (sign === 'z') {
            for (const c of counts)
                this.zeros += c;
            return;
        }
        const store = sign === 'n' ? this.negative : this.positive;
        indices.forEach((index, j) => store.set(index, (store.get(index) ?? 0) + counts[j]));
    }
    addAll(other) {
        for (const [i, c] of other.positive)
            this.positive.set(i, (this.positive.get(i) ?? 0) + c);
        for (const [i, c] of other.negative)
            this.negative.set(i, (this.negative.get(i) ?? 0) + c);
        this.zeros += other.zeros;
    }
}
/** One metric of a cell or half: the parts summed; its quantile sketch kept as bucket counts. */
class MetricAcc extends MetricCell {
    min = Infinity;
    max = -Infinity;
    buckets;
    constructor(quantile) {
        super(undefined, quantile);
        if (quantile)
            this.buckets = new Buckets();
    }
    addPart(p) {
        this.requests += p.requests;
        this.requestSquares += p.squares;
        addMoments(this.moments, p.moments);
        if (p.requests > 0) {
            this.min = Math.min(this.min, p.min);
            this.max = Math.max(this.max, p.max);
        }
    }
    /** A t = 5 / 6 row: w the coarse bins, v their counts, then squares, then cross terms. */
    addRanks(bins, v) {
        const n = bins.length;
        if (v.length !== 3 * n) {
            throw new Error(`evidence query: a rank row has ${v.length} values for ${n} bins`);
        }
        this.ranks?.addSums({
            step: RANK_STEP,
            bins,
            counts: v.slice(0, n),
            squares: v.slice(n, 2 * n),
            cross: v.slice(2 * n)
        });
    }
    addAll(other) {
        super.addAll(other);
        this.min = Math.min(this.min, other.min);
        this.max = Math.max(this.max, other.max);
        if (this.buckets && other.buckets)
            this.buckets.addAll(other.buckets);
    }
    quantileData() {
        return this.buckets && quantileSketch(this.buckets, this.requests, this.min, this.max);
    }
}
class CellAcc extends CellCounts {
    quantile;
    firstTs = Infinity;
    metrics;
    /** Baseline total cells only. */
    halves;
    constructor(quantile) {
        super();
        this.quantile = quantile;
        this.metrics = quantile.map(q => new MetricAcc(q));
    }
    newMetrics() {
        return this.quantile.map(q => new MetricAcc(q));
    }
    addPart(p) {
        this.requests += p.requests;
        this.fallbacks += p.fallbacks;
        this.firstTs = Math.min(this.firstTs, p.firstTs);
        // A cell has cache sums when any of its requests carried input tokens.
        if (p.cacheSeen > 0)
            addCacheSums((this.cache ??= emptyCacheSums()), p.cache);
        p.metrics.forEach((m, i) => this.metrics[i].addPart(m));
    }
    addAll(other) {
        this.addCounts(other);
        this.units += other.units;
        this.firstTs = Math.min(this.firstTs, other.firstTs);
        other.metrics.forEach((m, i) => this.metrics[i].addAll(m));
    }
}
class EvidenceRows {
    o;
    quantile;
    segmented;
    dims;
    /** Per arm: the total segment's cells, and each keyed segment's. */
    totals = [new Map(), new Map()];
    segments = [new Map(), new Map()];
    quality = emptyQuality();
    rowsByReason = { noArm: 0 };
    unitLevel = false;
    constructor(o) {
        this.o = o;
        this.quantile = o.policy.metrics.map(m => m.kind === 'quantile');
        this.dims = o.policy.segments?.by ?? [];
        this.segmented = this.dims.length > 0;
    }
    add(row) {
        switch (row.t) {
            case ROW.cell:
                return this.cellRow(row);
            case ROW.segmentUnits:
            case ROW.armUnits:
                return this.unitRow(row);
            case ROW.quantile:
                return this.quantileRow(row);
            case ROW.segmentRanks:
            case ROW.armRanks:
                return this.rankRow(row);
            default:
                throw new Error(`evidence query: unknown row type ${row.t}`);
        }
    }
    finish() {
        const cells = [];
        ARMS.forEach((arm, code) => {
            const keyed = this.capped(code);
            this.emit(arm, TOTAL_SEGMENT, this.totals[code], code === ARM_CODE.baseline, cells);
            for (const [key, segment] of keyed)
                this.emit(arm, key, segment, false, cells);
        });
        const q = this.quality;
        q.unmatchedArms = capped(q.unmatchedArms, MAX_UNMATCHED_ARMS);
        q.invalidValues = capped(q.invalidValues, MAX_INVALID_KEYS);
        if (this.rowsByReason.noArm > 0) {
            q.malformedSamples.push(`${this.o.where}: ${this.rowsByReason.noArm} row(s) with no arm field "${this.o.policy.arms.field}" (NULL or empty)`);
        }
        q.files.push({ path: this.o.where, lines: q.lines, malformed: q.malformed });
        q.notes = [
            ...(q.notes ?? []),
            `aggregated in the database; the A/A halves split by ${this.o.halfHash}`
        ];
        return {
            source: this.o.source,
            window: this.o.window,
            bucketMs: this.o.policy.bucket,
            metrics: this.o.policy.metrics.map(m => m.name),
            unitLevel: this.unitLevel,
            cells,
            quality: q
        };
    }
    cellRow(row) {
        const part = read(row.v, this.o.query.cellLayout, this.o.query.newCellPart());
        const q = this.quality;
        q.lines += part.requests;
        if (row.a === ARM_CODE.noArm) {
            q.malformed += part.requests;
            this.rowsByReason.noArm += part.requests;
            return;
        }
        if (row.a === ARM_CODE.unmatched) {
            q.unmatchedArms[row.lbl] = (q.unmatchedArms[row.lbl] ?? 0) + part.requests;
            return;
        }
        if (row.k === WINDOW_CODE.future) {
            q.future += part.requests;
            return;
        }
        if (row.k < 0) {
            q.outsideWindow += part.requests;
            return;
        }
        q.records += part.requests;
        // A record counts each distinct invalid-value key once (the query dropped repeats).
        for (const key of new Set(row.inv.filter(k => k !== ''))) {
            q.invalidValues[key] = (q.invalidValues[key] ?? 0) + part.requests;
        }
        const cells = [this.cell(row.a, TOTAL_SEGMENT, row.k)];
        if (this.segmented)
            cells.push(this.cell(row.a, this.segmentKey(row.s), row.k));
        for (const cell of cells) {
            cell.addPart(part);
            if (row.mk !== '') {
                const models = row.err === '' ? cell.models : cell.failedModels;
                models.set(row.mk, (models.get(row.mk) ?? 0) + part.requests);
            }
            if (row.err !== '') {
                cell.errors.set(row.err, (cell.errors.get(row.err) ?? 0) + part.requests);
            }
        }
        if (row.a === ARM_CODE.baseline) {
            const half = this.halves(cells[0])[row.h === 1 ? 1 : 0];
            part.metrics.forEach((m, i) => half[i].addPart(m));
        }
    }
    unitRow(row) {
        const part = read(row.v, this.o.query.unitLayout, this.o.query.newUnitPart());
        if (part.units > 0)
            this.unitLevel = true;
        const segment = row.t === ROW.armUnits ? TOTAL_SEGMENT : this.segmentKey(row.s);
        const cell = this.cell(row.a, segment, row.k);
        cell.units += part.units;
        part.moments.forEach((m, i) => addMoments(cell.metrics[i].moments, m));
        if (row.t === ROW.armUnits && row.a === ARM_CODE.baseline) {
            const half = this.halves(cell)[row.h === 1 ? 1 : 0];
            part.moments.forEach((m, i) => addMoments(half[i].moments, m));
        }
    }
    quantileRow(row) {
        const cells = [this.cell(row.a, TOTAL_SEGMENT, row.k)];
        if (this.segmented)
            cells.push(this.cell(row.a, this.segmentKey(row.s), row.k));
        for (const cell of cells) {
            cell.metrics[row.d].buckets?.add(row.key, row.w, row.v);
        }
        if (row.a === ARM_CODE.baseline) {
            const half = this.halves(cells[0])[row.h === 1 ? 1 : 0];
            half[row.d].buckets?.add(row.key, row.w, row.v);
        }
    }
    /** Rank sums of the units first seen in a cell: the total's (and its A/A half's), or a segment's. */
    rankRow(row) {
        const arm = row.t === ROW.armRanks;
        const cell = this.cell(row.a, arm ? TOTAL_SEGMENT : this.segmentKey(row.s), row.k);
        cell.metrics[row.d].addRanks(row.w, row.v);
        if (arm && row.a === ARM_CODE.baseline) {
            const half = this.halves(cell)[row.h === 1 ? 1 : 0];
            half[row.d].addRanks(row.w, row.v);
        }
    }
    segmentKey(values) {
        return this.dims.map((d, i) => `${d}=${values[i] ?? ''}`).join('|');
    }
    cell(arm, segment, k) {
        const code = arm === ARM_CODE.canary ? 1 : 0;
        let cells;
        if (segment === TOTAL_SEGMENT)
            cells = this.totals[code];
        else {
            const segments = this.segments[code];
            cells = segments.get(segment);
            if (!cells)
                segments.set(segment, (cells = new Map()));
        }
        let cell = cells.get(k);
        if (!cell)
            cells.set(k, (cell = new CellAcc(this.quantile)));
        return cell;
    }
    halves(cell) {
        return (cell.halves ??= [cell.newMetrics(), cell.newMetrics()]);
    }
    /**
     * The arm's keyed segments, sorted by key: the first MAX_SEGMENTS_PER_ARM seen (by earliest
     * record), the rest folded into OTHER_SEGMENT. (A unit seen in two folded segments is then two
     * clusters of (other), where the file source would count it once.)
     */
    capped(code) {
        const all = [...this.segments[code]];
        const first = (s) => Math.min(...[...s.values()].map(c => c.firstTs));
        all.sort((a, b) => first(a[1]) - first(b[1]) || (a[0] < b[0] ? -1 : 1));
        const kept = all.slice(0, MAX_SEGMENTS_PER_ARM);
        const folded = all.slice(MAX_SEGMENTS_PER_ARM);
        kept.sort((a, b) => (a[0] < b[0] ? -1 : 1));
        if (folded.length === 0)
            return kept;
        const other = new Map();
        for (const [, segment] of folded) {
            for (const [k, cell] of segment) {
                let into = other.get(k);
                if (!into)
                    other.set(k, (into = new CellAcc(this.quantile)));
                into.addAll(cell);
            }
        }
        return [...kept, [OTHER_SEGMENT, other]];
    }
    emit(arm, segment, cells, halves, out) {
        const from = this.o.window.from;
        for (const k of [...cells.keys()].sort((a, b) => a - b)) {
            const cell = cells.get(k);
            if (cell.requests === 0)
                continue;
            const sketches = (metrics) => metrics.map(m => m.toSketch());
            const [a, b] = halves ? this.halves(cell) : [];
            out.push(emitCell({ arm, segment, bucket: from + k * this.o.policy.bucket }, cell, sketches(cell.metrics), a && b && [sketches(a), sketches(b)]));
        }
    }
}
function read(values, layout, part) {
    if (values.length !== layout.length) {
        throw new Error(`evidence query: a row has ${values.length} values, expected ${layout.length}`);
    }
    layout.forEach((slot, i) => slot.apply(part, values[i]));
    return part;
}
/** The sketch of the bucket counts, through QuantileSketch so its store's bounds apply as they would. */
function quantileSketch(b, count, min, max) {
    const dense = (store) => {
        if (store.size === 0)
            return { offset: 0, counts: [] };
        const indices = [...store.keys()];
        const lo = Math.min(...indices);
        const hi = Math.max(...indices);
        const counts = new Array(hi - lo + 1).fill(0);
        for (const [i, c] of store)
            counts[i - lo] = c;
        return { offset: lo, counts };
    };
    const data = {
        alpha: QUANTILE_INDEX.alpha,
        count,
        zeros: b.zeros,
        positive: dense(b.positive),
        negative: dense(b.negative),
        min: count > 0 ? min : 0,
        max: count > 0 ? max : 0
    };
    return QuantileSketch.fromJSON(data).toJSON();
}
/** The `max` most frequent keys (ties by name), the rest summed under `(other)`. */
function capped(counts, max) {
    return capKeys(counts, max, OTHER_KEY);
}

/**
 * Where each record field is read in a table: the policy's `columns` mapping (over the preset's),
 * else a column of the field's name, else a JSON / Map sub-field (`metadata.route` is key `route`
 * of column `metadata`), else the preset's own lookup (OpenTelemetry span attributes). Mapped
 * columns that do not exist are reported with the closest column names.
 */
class FieldResolver {
    d;
    table;
    columns;
    where;
    preset;
    /** Problems with the mapping (a column that does not exist, a tag list that is not a list). */
    errors = [];
    /**
     * Level 0 of the query: each value read from the source's row, once (`v0`, `v1`, ...). The
     * conversions above it read a value several times, so they name it rather than repeat it: a
     * smaller query, and each JSON path or attribute lookup evaluated once per row.
     */
    extracted = [];
    read;
    constructor(d, table, 
    /** The policy's `source.columns`. */
    columns, where, preset = {}) {
        this.d = d;
        this.table = table;
        this.columns = columns;
        this.where = where;
        this.preset = preset;
        this.read = new ValueReader(d);
    }
    /** Whether the policy or the preset says where this field is. */
    mapped(name) {
        return (Object.hasOwn(this.columns, name) ||
            Object.hasOwn(this.preset.values ?? {}, name) ||
            Object.hasOwn(this.preset.columns ?? {}, name));
    }
    /**
     * The field's value(s), or undefined when nothing holds it: the policy's mapping, the preset's
     * computed value or mapping, a column of that name, a sub-field of a column, the preset's lookup.
     */
    field(name) {
        const mapping = Object.hasOwn(this.columns, name)
            ? this.columns[name]
            : undefined;
        if (mapping)
            return this.nonEmpty(this.spec(mapping, `source.columns.${name}`));
        const computed = this.preset.values?.[name];
        if (computed)
            return [this.leaf(computed)];
        const preset = this.preset.columns?.[name];
        if (preset)
            return this.nonEmpty(this.spec(preset, `the preset's ${name}`, false));
        const value = this.reference(name) ?? this.leafOf(this.preset.fallback?.(name));
        return value ? [value] : undefined;
    }
    nonEmpty(values) {
        return values.length > 0 ? values : undefined;
    }
    /**
     * The values of `names` (a field and its aliases, in the normaliser's order) that resolve, in
     * order: the first with a value wins, row by row. When the policy or the preset maps any of
     * them, only the mapped ones count (a mapping says where the field is).
     */
    firstOf(names) {
        const mapped = names.filter(n => this.mapped(n));
        const out = (mapped.length > 0 ? mapped : names).flatMap(n => this.field(n) ?? []);
        return out.length > 0 ? out : undefined;
    }
    /** Column names, for messages. */
    columnNames() {
        return [...this.table.columns.keys()];
    }
    /** A mapping's value(s); a missing column is an error (`strict`, the policy's) or skipped (a preset's). */
    spec(spec, key, strict = true) {
        if ('firstOf' in spec) {
            return spec.firstOf.flatMap((s, i) => this.spec(s, `${key}.firstOf[${i}]`, strict));
        }
        const column = (ref) => strict
            ? this.required(ref, key)
            : (this.reference(ref) ?? this.leafOf(this.preset.fallback?.(ref)));
        if ('between' in spec) {
            const [start, end] = spec.between.map(column);
            if (!start || !end)
                return [];
            const sql = `(${this.read.timestamp(end)} - ${this.read.timestamp(start)})`;
            return [{ sql, kind: 'number', type: NUMBER }];
        }
        const value = column(spec.column);
        if (!value)
            return [];
        if (spec.tagPrefix !== undefined) {
            const tag = this.tag(value, spec.tagPrefix, key);
            return tag ? [tag] : [];
        }
        if (spec.scale !== undefined) {
            const sql = `(${this.read.num(value)} * ${this.d.number(spec.scale)})`;
            return [{ sql, kind: 'number', type: NUMBER }];
        }
        return [value];
    }
    /** A column (or sub-field), or what the preset's lookup finds under that name (an attribute). */
    required(ref, key) {
        const value = this.reference(ref) ?? this.leafOf(this.preset.fallback?.(ref));
        if (value)
            return value;
        const names = this.columnNames();
        const hint = closestName(ref, names) ||
            `; its columns: ${names.slice(0, 40).join(', ')}${names.length > 40 ? ', ...' : ''}`;
        this.errors.push(`${key}: no column ${JSON.stringify(ref)} in ${this.where}${hint}`);
        return undefined;
    }
    /** A column, or a sub-field of the longest column-name prefix of a dotted reference. */
    reference(ref) {
        return this.leafOf(this.source(ref));
    }
    /** A value of the source's row, named in level 0; `inner` keeps its SQL in the source's terms. */
    leaf(v) {
        if (v.kind === 'map')
            return v;
        const name = this.extract(v.sql);
        // ClickHouse 18.x has no trim function: a regular expression trims, once, here.
        const trimmed = this.d.engine === 'clickhouse' && (v.kind === 'text' || v.kind === 'jsonText')
            ? `v.${this.extract(this.d.trim(v.sql))}`
            : undefined;
        return { ...v, sql: `v.${name}`, inner: v.sql, ...(trimmed && { trimmed }) };
    }
    /** Level 0's name for a value of the source's row (the same SQL gets one name). */
    extract(sql) {
        let found = this.extracted.find(([, known]) => known === sql);
        if (!found) {
            found = [`v${this.extracted.length}`, sql];
            this.extracted.push(found);
        }
        return found[0];
    }
    leafOf(v) {
        return v && this.leaf(v);
    }
    source(ref) {
        const columns = this.table.columns;
        const whole = columns.get(ref);
        if (whole)
            return this.column(ref, whole);
        const nested = this.nested(ref);
        if (nested)
            return { sql: ref, kind: 'map', type: nested };
        const parts = ref.split('.');
        for (let i = parts.length - 1; i >= 1; i--) {
            const column = parts.slice(0, i).join('.');
            const type = columns.get(column) ?? this.nested(column);
            if (type)
                return this.subField(column, type, parts.slice(i));
        }
        return undefined;
    }
    column(name, type) {
        return { sql: this.d.ident(name), kind: type.kind, type };
    }
    /** A ClickHouse Nested column `name` (`name.keys` and `name.values` arrays), read like a Map. */
    nested(name) {
        if (this.table.engine !== 'clickhouse')
            return undefined;
        const keys = this.table.columns.get(`${name}.keys`);
        const values = this.table.columns.get(`${name}.values`);
        if (keys?.kind !== 'array' || values?.kind !== 'array')
            return undefined;
        return {
            kind: 'map',
            name: `Nested(keys, values)`,
            nested: { keys: `${name}.keys`, values: `${name}.values` }
        };
    }
    subField(column, type, path) {
        const d = this.d;
        if (d.engine === 'postgres') {
            if (type.kind !== 'json' && type.kind !== 'text')
                return undefined;
            const json = type.name === 'jsonb' ? d.ident(column) : `(${d.ident(column)})::jsonb`;
            // `->` key by key: text keys fold to constants (a text[] path is parsed again on every row).
            const steps = path.map(key => ` -> ${d.text(key)}`).join('');
            return { sql: `(${json}${steps})`, kind: 'json', type };
        }
        const key = d.text(path.join('.'));
        if (type.nested) {
            const value = `arrayElement(${d.ident(type.nested.values)}, indexOf(${d.ident(type.nested.keys)}, ${key}))`;
            return { sql: `nullif(${value}, '')`, kind: 'text', type: TEXT$1 };
        }
        if (type.kind === 'map')
            return { sql: `nullif(${d.ident(column)}[${key}], '')`, kind: 'text', type: TEXT$1 };
        if (type.kind !== 'text')
            return undefined;
        // 18.x has only the simpleJSON functions (visitParam*), which keep white space around a value.
        const raw = this.table.features.jsonExtract
            ? `JSONExtractRaw(${d.ident(column)}, ${path.map(p => d.text(p)).join(', ')})`
            : path.reduce((acc, p) => d.trim(`visitParamExtractRaw(${acc}, ${d.text(p)})`), d.ident(column));
        return { sql: raw, kind: 'jsonText', type };
    }
    /** The first element of a tag list that starts with `prefix`, without it. */
    tag(list, prefix, key) {
        const d = this.d;
        const p = d.text(prefix);
        if (d.engine === 'postgres') {
            const elements = list.kind === 'array'
                ? `unnest(${list.sql})`
                : list.kind === 'json'
                    ? `jsonb_array_elements_text(CASE WHEN jsonb_typeof(${list.sql}) = 'array' THEN ${list.sql} END)`
                    : undefined;
            if (!elements)
                return this.notTags(key, list);
            return {
                sql: `(SELECT nullif(substr(t, length(${p}) + 1), '') FROM ${elements} AS t WHERE left(t, length(${p})) = ${p} LIMIT 1)`,
                kind: 'text',
                type: TEXT$1
            };
        }
        if (list.kind !== 'array')
            return this.notTags(key, list);
        return {
            sql: `nullif(substring(arrayFirst(t -> startsWith(t, ${p}), ${list.sql}), length(${p}) + 1), '')`,
            kind: 'text',
            type: TEXT$1
        };
    }
    notTags(key, list) {
        this.errors.push(`${key}: tagPrefix needs a list of tags (an array${this.d.engine === 'postgres' ? ' or a JSON array' : ''}); this column is ${list.type.name}`);
        return undefined;
    }
}
const NUMBER = { kind: 'number', name: 'double' };
const TEXT$1 = { kind: 'text', name: 'text' };
/**
 * "; did you mean `x`?" for a column name: the same name in another case (names are quoted, so
 * case-sensitive), a typo away, or one that contains the name or its head (`latency` ->
 * `latency_ms`); '' when nothing is close.
 */
function closestName(ref, names) {
    const head = ref.split('.')[0];
    const lower = ref.toLowerCase();
    const sameCase = names.find(n => n.toLowerCase() === lower || n.toLowerCase() === head.toLowerCase());
    if (sameCase)
        return `; did you mean \`${sameCase}\` (names are case-sensitive)?`;
    const typo = didYouMean(ref, names) || didYouMean(head, names);
    if (typo)
        return typo;
    const contains = names.filter(n => n.toLowerCase().includes(head.toLowerCase()) && head.length >= 3);
    return contains.length > 0
        ? `; did you mean ${contains
            .slice(0, 3)
            .map(n => `\`${n}\``)
            .join(' or ')}?`
        : '';
}

function presetFor(name, d, info) {
    return name === 'litellm' ? litellm(d, info) : otel(d, info);
}
const TEXT = { kind: 'text', name: 'text' };
/** LiteLLM exception classes (litellm/exceptions.py) -> the canonical error classes. */
const LITELLM_ERRORS = {
    RateLimitError: 'rate_limit',
    Timeout: 'timeout',
    APITimeoutError: 'timeout',
    ContentPolicyViolationError: 'content_filter',
    BadRequestError: 'client',
    AuthenticationError: 'client',
    PermissionDeniedError: 'client',
    NotFoundError: 'client',
    UnprocessableEntityError: 'client',
    ContextWindowExceededError: 'client',
    UnsupportedParamsError: 'client',
    InvalidRequestError: 'client',
    BudgetExceededError: 'client',
    APIConnectionError: 'server',
    APIError: 'server',
    APIResponseValidationError: 'server',
    InternalServerError: 'server',
    ServiceUnavailableError: 'server',
    BadGatewayError: 'server',
    MidStreamFallbackError: 'server'
};
function litellm(d, info) {
    const has = (c) => info.columns.has(c);
    const problems = ['startTime', 'model']
        .filter(c => !has(c))
        .map(c => `the litellm preset expects column "${c}" of LiteLLM_SpendLogs`);
    const usage = (path) => [
        { column: `metadata.usage_object.${path}` },
        { column: `metadata.additional_usage_values.${path}` }
    ];
    const columns = {
        ts: { column: 'startTime' },
        latency_ms: {
            firstOf: [
                ...(has('request_duration_ms') ? [{ column: 'request_duration_ms' }] : []),
                { between: ['startTime', 'endTime'] }
            ]
        },
        // prompt_tokens (OpenAI's convention, cached tokens included) is read as the canonical alias.
        cache_read_tokens: {
            firstOf: [
                ...usage('prompt_tokens_details.cached_tokens'),
                ...usage('cache_read_input_tokens')
            ]
        },
        cache_write_tokens: { firstOf: usage('cache_creation_input_tokens') },
        cost_usd: { column: 'spend' },
        unit: { column: 'end_user' }
    };
    const values = {};
    // LiteLLM sets completionStartTime to endTime for calls that do not stream: a time to first
    // token only when the first chunk came before the end (src/records/litellm.ts, the same rule).
    if (has('startTime') && has('completionStartTime') && has('endTime')) {
        const ms = (c) => d.epochMs(d.ident(c), info.columns.get(c));
        const [start, first, end] = ['startTime', 'completionStartTime', 'endTime'].map(ms);
        values.ttft_ms = {
            sql: `CASE WHEN ${first} >= ${start} AND ${first} < ${end} THEN ${first} - ${start} END`,
            kind: 'number',
            type: { kind: 'number', name: 'double' }
        };
    }
    if (has('metadata') || has('status'))
        values.error = litellmError(d, has('status'), has('metadata'));
    return {
        columns,
        values,
        problems,
        notes: [
            'litellm preset: latency from request_duration_ms or endTime - startTime, cost from spend, errors from status and metadata.error_information'
        ]
    };
}
/** The error class of a spend-log row: NULL on success, the canonical class of the exception otherwise. */
function litellmError(d, status, metadata) {
    const m = d.ident('metadata');
    const failed = [
        ...(status ? [`${d.ident('status')} = 'failure'`] : []),
        ...(metadata
            ? [`${m} #>> '{status}' = 'failure'`, `jsonb_typeof(${m} -> 'error_information') = 'object'`]
            : [])
    ].join(' OR ');
    const cls = metadata ? `(${m} #>> '{error_information,error_class}')` : 'NULL::text';
    const code = metadata ? `(${m} #>> '{error_information,error_code}')` : 'NULL::text';
    const known = Object.entries(LITELLM_ERRORS)
        .map(([name, canonical]) => `WHEN ${d.text(name)} THEN ${d.text(canonical)}`)
        .join(' ');
    const byCode = `CASE WHEN ${code} = '429' THEN 'rate_limit' WHEN ${code} = '408' THEN 'timeout' WHEN ${code} ~ '^4[0-9][0-9]$' THEN 'client' WHEN ${code} ~ '^5[0-9][0-9]$' THEN 'server' END`;
    return {
        sql: `CASE WHEN ${failed} THEN coalesce(CASE ${cls} ${known} END, ${byCode}, nullif(lower(${cls}), ''), 'server') END`,
        kind: 'text',
        type: TEXT
    };
}
function otel(d, info) {
    const problems = [];
    const attrs = (column) => {
        const type = info.columns.get(column);
        if (type?.kind === 'map')
            return key => `${d.ident(column)}[${d.text(key)}]`;
        const keys = info.columns.get(`${column}.keys`);
        const values = info.columns.get(`${column}.values`);
        if (keys?.kind === 'array' && values?.kind === 'array') {
            return key => `arrayElement(${d.ident(`${column}.values`)}, indexOf(${d.ident(`${column}.keys`)}, ${d.text(key)}))`;
        }
        return undefined;
    };
    const span = attrs('SpanAttributes');
    const resource = attrs('ResourceAttributes');
    if (!span) {
        const map = info.features.map
            ? ''
            : ` (this server, ClickHouse ${info.version}, has no Map type: the Collector's exporter needs 21.1 or later; on an older server store the attributes as Nested(keys String, values String))`;
        problems.push(`the otel preset reads span attributes from column SpanAttributes, a Map or Nested(keys, values)${map}`);
    }
    for (const c of ['Timestamp', 'Duration']) {
        if (!info.columns.has(c))
            problems.push(`the otel preset expects column ${c} of the exporter's otel_traces`);
    }
    const attribute = (key) => {
        const own = span ? `nullif(${span(key)}, '')` : d.nullText();
        return resource ? `coalesce(${own}, nullif(${resource(key)}, ''))` : own;
    };
    const keys = info.columns.get('SpanAttributes')?.kind === 'map'
        ? `mapKeys(${d.ident('SpanAttributes')})`
        : d.ident('SpanAttributes.keys');
    const status = info.columns.has('StatusCode')
        ? `${d.ident('StatusCode')} IN ('Error', 'STATUS_CODE_ERROR')`
        : '0';
    const errorType = attribute('error.type');
    const duration = info.columns.has('Duration')
        ? `toFloat64(${d.ident('Duration')}) / 1e6`
        : d.nullFloat();
    const values = {
        // otlp.ts: an attribute latency_ms wins over the span's end - start.
        latency_ms: {
            sql: `coalesce(${d.parseNumber(d.trim(attribute('latency_ms')))}, ${duration})`,
            kind: 'number',
            type: { kind: 'number', name: 'Float64' }
        },
        error: {
            sql: `CASE WHEN ${status} OR ${errorType} IS NOT NULL THEN coalesce(${errorType}, 'server') END`,
            kind: 'text',
            type: TEXT
        }
    };
    return {
        columns: { ts: { column: 'Timestamp' } },
        values,
        fallback: name => ({ sql: attribute(name), kind: 'text', type: TEXT }),
        ...(span && { where: `arrayExists(k -> startsWith(k, 'gen_ai.'), ${keys})` }),
        problems,
        notes: [
            'otel preset: spans with a gen_ai.* attribute; fields from span attributes, then resource attributes'
        ]
    };
}

/** A database failure, classified: `connect` and `unavailable` are worth a retry. */
class SqlError extends Error {
    kind;
    constructor(kind, message, options) {
        super(message, options);
        this.kind = kind;
        this.name = 'SqlError';
    }
    get transient() {
        return this.kind === 'connect' || this.kind === 'unavailable';
    }
}
const messageOf = (e) => (e instanceof Error ? e.message : String(e));
/** `host:port/database` of a connection URL, without credentials or parameters, for messages. */
function safeTarget(url) {
    try {
        const u = new URL(url);
        const db = u.pathname.replace(/^\//, '');
        return `${u.hostname}${u.port ? `:${u.port}` : ''}${db ? `/${db}` : ''}`;
    }
    catch {
        return '(unparsable URL)';
    }
}

/** The policy's relative `tls.caFile` is read from the working directory, like `labels`. */
const connectors = {
    // Dynamic imports: `pg` and `@clickhouse/client` load only when a policy reads SQL.
    postgres: async (o) => new (await import('./chunk-postgresClient.js')).PostgresClient(o),
    clickhouse: async (o) => new (await import('./chunk-clickhouseClient.js')).ClickHouseClientAdapter(o)
};
/**
 * Evidence from a PostgreSQL or ClickHouse table of LLM calls (DESIGN.md principle 5: aggregation
 * is pushed down to the engine that holds the data). Each evaluation describes the source (its
 * columns and types, and the server's version: one small query) and sends one query that returns
 * every sketch the evidence needs per arm x segment x time bucket (evidenceQuery.ts), read-only,
 * with a timeout, retried on connection failures. The gate's memory holds the cells, never rows.
 *
 * What it cannot do is a SourceError, which the evaluation turns into a hold with the reason: no
 * URL in the environment, a server down, wrong credentials, a missing table or column (named, with
 * the closest names), a query cancelled or past its timeout.
 */
class SqlSource {
    spec;
    policy;
    o;
    ref;
    constructor(o) {
        const spec = o.policy.source;
        if (spec.type !== 'sql')
            throw new TypeError('SqlSource needs a sql source');
        this.spec = spec;
        this.policy = o.policy;
        this.o = o;
        this.ref =
            spec.query !== undefined
                ? { query: spec.query }
                : { table: spec.table ?? PRESET_TABLES[spec.preset] };
    }
    describe() {
        const url = this.o.env[this.spec.urlEnv];
        const where = url ? safeTarget(url) : `$${this.spec.urlEnv}`;
        return `${this.spec.engine} ${where} ${this.where()}`;
    }
    async collect(request) {
        return this.withClient(async (client, info) => {
            const plan = this.plan(info, request.window, request.now);
            this.o.onQuery?.(plan.query.sql, plan.query.params);
            const rows = new EvidenceRows({
                policy: this.policy,
                query: plan.query,
                window: request.window,
                source: this.describe(),
                where: this.where(),
                halfHash: plan.d.halfHash
            });
            const dims = plan.query.dims;
            // A failure while filing a row is the gate's own bug, not the database's: it must not turn
            // into a hold that hides it.
            let bug;
            await client
                .stream(plan.query.sql, plan.query.params, r => {
                try {
                    rows.add(parseRow(r, dims));
                }
                catch (error) {
                    bug = { error };
                    throw error;
                }
            })
                .catch((e) => {
                throw bug ? new BugInRows(bug.error) : e;
            });
            const evidence = rows.finish();
            evidence.quality.fields = plan.fields;
            if (plan.preset?.notes.length) {
                evidence.quality.notes = [...(evidence.quality.notes ?? []), ...plan.preset.notes];
            }
            return evidence;
        });
    }
    /** Earliest canary record within one maxDuration before `until` (a step never lasts longer). */
    async firstCanaryTime(until) {
        return this.withClient(async (client, info) => {
            const plan = this.plan(info, { from: until - this.policy.rollout.maxDuration, to: until + 1 }, until);
            const { d, records } = plan;
            const level1 = records.level1.filter(([alias]) => alias === 'r_ts' || alias === 'r_lbl');
            const canary = this.policy.arms.canary.map(v => d.text(v)).join(', ');
            const list = (items) => items.map(([a, s]) => `${s} AS ${a}`).join(', ');
            const where = (c) => (c.length > 0 ? ` WHERE ${c.join(' AND ')}` : '');
            const sql = `SELECT min(r_ts) AS first FROM (SELECT ${list(level1)} FROM (SELECT ${list(records.level0)} FROM ${plan.from} AS src${where(records.where)}) AS v${where(records.whereRead)}) AS r WHERE r_lbl IN (${canary}) AND r_ts <= ${d.number(until)}`;
            let first;
            const statement = d.finalize(sql);
            await client.stream(statement.sql, statement.params, r => {
                const v = r.first;
                first = v === null || v === undefined ? undefined : Number(v);
            });
            return first !== undefined && Number.isFinite(first) ? first : undefined;
        });
    }
    /** The evidence query for a window, given what describe() found (exposed for the README and tests). */
    plan(info, window, now) {
        const d = dialectFor(this.spec.engine);
        const preset = this.spec.preset ? presetFor(this.spec.preset, d, info) : undefined;
        const resolver = new FieldResolver(d, info, this.spec.columns, this.where(), preset);
        const records = recordSql({ d, policy: this.policy, resolver, window, now });
        if (preset?.where)
            records.where.push(preset.where);
        // A mapping that names no column is the cause of the fields it leaves unread: report it alone.
        const problems = [
            ...(preset?.problems ?? []),
            ...(resolver.errors.length > 0 ? resolver.errors : records.missing)
        ];
        if (problems.length > 0) {
            throw new SourceError(`cannot read the records from ${this.where()}: ${problems.join('; ')}. Map the fields under source.columns (a column, \`column.key\` for a JSON or Map sub-field).`);
        }
        const from = this.from(d);
        const query = evidenceQuery({ d, policy: this.policy, from, records });
        // A resolver of its own: resolving fields registers the values the query reads.
        const fields = fieldsSeen(this.policy, new FieldResolver(d, info, this.spec.columns, this.where(), preset), info);
        return { d, records, query, from, preset, fields };
    }
    /** Connects (with retries on connection failures), describes the source, and runs `f`. */
    async withClient(f) {
        const url = this.o.env[this.spec.urlEnv];
        if (!url) {
            throw new SourceError(`environment variable ${this.spec.urlEnv} (source.urlEnv) is not set: it must hold the ${this.spec.engine} connection URL; in the Action, pass it as the database-url input`);
        }
        const connect = this.o.connect ?? connectors[this.spec.engine];
        const tls = this.spec.tls && {
            insecureSkipVerify: this.spec.tls.insecureSkipVerify,
            ...(this.spec.tls.caFile !== undefined && { ca: this.spec.tls.caFile })
        };
        let attempt = 0;
        for (;;) {
            let client;
            try {
                client = await connect({ url, timeoutMs: this.spec.timeout, ...(tls && { tls }) });
                const info = await client.describe(this.ref);
                return await f(client, info);
            }
            catch (e) {
                if (e instanceof SourceError)
                    throw e;
                if (e instanceof BugInRows)
                    throw e.cause;
                const error = e instanceof SqlError ? e : new SqlError('query', messageOf(e), { cause: e });
                if (error.transient && attempt < this.spec.retries) {
                    await sleep((this.o.backoffMs ?? 500) * 2 ** attempt++);
                    continue;
                }
                throw new SourceError(this.explain(error, attempt));
            }
            finally {
                await client?.close();
            }
        }
    }
    explain(e, retries) {
        const target = this.describe();
        const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
        switch (e.kind) {
            case 'connect':
            case 'unavailable':
                return `cannot reach ${target}${after}: ${e.message}`;
            case 'auth':
                return `${target} refused the credentials in ${this.spec.urlEnv}: ${e.message}`;
            case 'timeout':
                return `${target}: the query did not finish within ${this.spec.timeout / 1000}s (source.timeout): ${e.message}`;
            case 'cancelled':
                return `${target}: the query was cancelled on the server: ${e.message}`;
            case 'missing-table':
                return `${target}: ${e.message}; check source.table`;
            default:
                return `${target}: the query failed: ${e.message}`;
        }
    }
    where() {
        return 'table' in this.ref ? `table ${JSON.stringify(this.ref.table)}` : 'source.query';
    }
    from(d) {
        if ('query' in this.ref)
            return `(${this.ref.query})`;
        return this.ref.table
            .split('.')
            .map(p => d.ident(p))
            .join('.');
    }
}
/**
 * The fields the source's rows have, for the fields check (analysis/fieldsCheck.ts): its columns,
 * and each field the policy reads (a metric's `from` and `per` with their aliases, a segment
 * dimension, the unit) that a column, a mapping or the preset gives. A field nothing gives stops
 * the evaluation before the query (plan()), so the check here finds the fields that are there but
 * have no value in the window, and suggests the columns.
 */
function fieldsSeen(policy, resolver, info) {
    const read = new Set([
        ...policy.metrics.flatMap(m => [m.from, m.per].flatMap(f => (f === undefined ? [] : [f, ...fieldSources(f).paths]))),
        ...(policy.segments?.by ?? []),
        ...(policy.arms.unit === undefined ? ['unit', 'user_id', 'session_id'] : [policy.arms.unit])
    ]);
    const row = {};
    for (const column of info.columns.keys())
        row[column] = true;
    for (const field of read)
        if (resolver.field(field))
            row[field] = true;
    const catalog = new FieldCatalog(policy);
    catalog.add(row);
    return catalog.result();
}
/** A row as a driver parses it (64-bit integers as strings) -> numbers and strings. */
function parseRow(r, dims) {
    const numbers = (x) => (Array.isArray(x) ? x.map(Number) : []);
    return {
        t: Number(r.t),
        a: Number(r.a),
        s: Array.from({ length: dims }, (_, j) => String(r[`s${j}`] ?? '')),
        k: Number(r.k),
        h: Number(r.h),
        d: Number(r.d),
        key: String(r.key ?? ''),
        mk: String(r.mk ?? ''),
        err: String(r.err ?? ''),
        lbl: String(r.lbl ?? ''),
        inv: Array.isArray(r.inv) ? r.inv.map(x => String(x ?? '')) : [],
        v: numbers(r.v),
        w: numbers(r.w)
    };
}
/** Carries an exception thrown while filing a row past the driver, which would classify it. */
class BugInRows extends Error {
    constructor(cause) {
        super('a row could not be filed', { cause });
    }
}
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));

var sqlSource = /*#__PURE__*/Object.freeze({
    __proto__: null,
    SqlSource: SqlSource
});

export { SqlError as S, messageOf as m, sqlSource as s };
