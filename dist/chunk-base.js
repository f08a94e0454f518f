/** A problem with how the tool was called (flags, inputs, a state that refuses a command): exit 2. */
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
/** A step weight as people type it: `50`, `50%`, `12.5%`. */
function parseStepWeight(text, what) {
    const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
    const value = m ? Number(m[1]) : NaN;
    if (!(value > 0 && value <= 100)) {
        throw new UsageError(`${what} must be a step's canary weight such as 50 or 50%, not "${text}"`);
    }
    return value;
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

/** The source could not produce evidence at all. The message says what and what to do. */
class SourceError extends Error {
    constructor(message) {
        super(message);
        this.name = 'SourceError';
    }
}
/**
 * A record sink that only notes the earliest canary record at or before `until` and no more than
 * `maxAge` before it (for Source.firstCanaryTime): an older record is a broken clock, never the
 * start of a step (collect() reports it as data quality). Everything else is ignored.
 */
function earliestCanarySink(until, maxAge) {
    let first;
    const since = until - maxAge;
    const ignore = () => { };
    return {
        line: ignore,
        malformed: ignore,
        unmatchedArm: ignore,
        fileDone: ignore,
        add: (r) => {
            if (r.arm !== 'canary' || r.ts > until || r.ts < since)
                return;
            if (first === undefined || r.ts < first)
                first = r.ts;
        },
        first: () => first
    };
}
/**
 * The same window collected twice (a run that decides again after losing a compare-and-swap on
 * the state) is read once; so is the first canary time.
 */
function memoizedSource(source) {
    const collected = new Map();
    let first;
    return {
        describe: () => source.describe(),
        collect: request => {
            const key = `${request.window.from}:${request.window.to}:${request.now}`;
            let evidence = collected.get(key);
            if (!evidence)
                collected.set(key, (evidence = source.collect(request)));
            return evidence;
        },
        firstCanaryTime: until => (first ??= source.firstCanaryTime(until))
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
/** Days in each month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * `2026-11-26`, `2026-11-26T14:00Z`, `2026-11-26T14:00:00.5+01:00` (RFC 3339 / ISO-8601 extended
 * form): a date, or a date and time with an explicit zone, so nothing depends on the machine's
 * time zone. Strict where Date.parse is lenient: `2026-02-30`, `24:00`, `March 5` and times
 * without a zone are refused, not rolled over or guessed.
 */
function parseInstant(text) {
    const expected = `must be an ISO-8601 instant such as 2026-11-26T14:00:00Z or 2026-11-26, not ${quoted(text)}`;
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):(\d{2})))?$/.exec(text);
    if (!m)
        return fail(expected);
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month >= 1 && month <= 12 ? MONTH_DAYS[month - 1] + (month === 2 && leap ? 1 : 0) : 0;
    if (day < 1 || day > days)
        return fail(`${expected} (there is no such day)`);
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) {
        return fail(`${expected} (there is no such time of day)`);
    }
    const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
    const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
    const date = new Date(utc);
    date.setUTCFullYear(year);
    const ms = date.getTime() + Number(frac.padEnd(3, '0').slice(0, 3)) - offset;
    return Number.isFinite(ms) ? ok(ms) : fail(expected);
}

/** The stored state is unreadable or belongs to something else; the message says what to do. */
class StateError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'StateError';
    }
}
class StateConflictError extends StateError {
    constructor(where, expected, found) {
        super(`${where} changed while this run was deciding (expected revision ${expected ?? 'none'}, found ${found ?? 'none'}); run again to decide on the new state`);
        this.name = 'StateConflictError';
    }
}
/** Attempts of updateState when other runs keep saving in between. */
const UPDATE_ATTEMPTS = 6;
/**
 * Re-reads the state, changes it with `change` and saves it with compare-and-swap, again on a
 * conflict (a bounded number of times). For bookkeeping that must not undo another run's
 * decision (what the actuators applied, the comment's id): `change` sees the newest state and
 * returns undefined when there is nothing to write. Returns the state saved, or undefined.
 */
async function updateState(store, change) {
    for (let attempt = 1;; attempt++) {
        const current = await store.load();
        if (!current)
            return undefined;
        const changed = change(current);
        if (!changed)
            return undefined;
        const next = { ...changed, revision: current.revision + 1 };
        try {
            await store.save(next, current.revision);
            return next;
        }
        catch (e) {
            if (!(e instanceof StateConflictError) || attempt >= UPDATE_ATTEMPTS)
                throw e;
        }
    }
}
const STATUSES = ['running', 'paused', 'complete', 'rolled-back'];
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A strict ISO-8601 instant (the states this tool writes), so no time computed from it overflows. */
const isInstant = (v) => typeof v === 'string' && parseInstant(v).ok;
/**
 * Validate a parsed state document for `rollout`; throws StateError naming `where` and the field.
 * The fields a decision rests on (status, step, its start, the revision, the pause) must be valid;
 * caches and records the state can do without (baselineAtStart, peakLoad, judgeCache, applied,
 * ...) are checked by checkState (decide/state.ts), which leaves invalid ones out.
 */
function parseState(text, where, rollout) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (e) {
        throw new StateError(`${where} is not valid JSON (${e.message}); restore it from version control, or delete it to start the rollout again at its first step`, { cause: e });
    }
    const problems = [];
    if (!isObject(doc))
        problems.push('not an object');
    else {
        const s = doc;
        if (s.version !== 1)
            problems.push(`version is ${JSON.stringify(s.version)}, expected 1`);
        if (typeof s.rollout !== 'string')
            problems.push('rollout is missing');
        if (!Number.isSafeInteger(s.revision) || s.revision < 0)
            problems.push('revision is not a non-negative integer');
        if (!STATUSES.includes(s.status))
            problems.push(`status ${JSON.stringify(s.status)} is unknown`);
        if (!Number.isSafeInteger(s.stepIndex) || s.stepIndex < 0)
            problems.push('stepIndex is not a non-negative integer');
        if (!isInstant(s.stepStartedAt))
            problems.push('stepStartedAt is not an ISO-8601 time such as 2026-11-02T08:00:00.000Z');
        if (!Array.isArray(s.history))
            problems.push('history is not a list');
        if (s.policyHash !== undefined && typeof s.policyHash !== 'string')
            problems.push('policyHash is not a string');
        if (s.canaryVersion !== undefined && typeof s.canaryVersion !== 'string')
            problems.push('canaryVersion is not a string');
        if (s.pullRequest !== undefined &&
            !(Number.isSafeInteger(s.pullRequest) && s.pullRequest > 0))
            problems.push('pullRequest is not a pull request number');
        if (s.status === 'paused' && s.paused !== undefined) {
            const p = s.paused;
            if (!isObject(p) ||
                !isInstant(p.at) ||
                typeof p.actor !== 'string' ||
                typeof p.reason !== 'string')
                problems.push('paused is not { at, actor, reason }');
        }
        if (s.startedAt !== undefined &&
            (typeof s.startedAt !== 'string' || Number.isNaN(Date.parse(s.startedAt))))
            problems.push('startedAt is not an ISO-8601 time');
    }
    if (problems.length > 0) {
        throw new StateError(`${where} is not a rollout state: ${problems.join('; ')}. Restore it from version control, or delete it to start the rollout again at its first step`);
    }
    const state = doc;
    if (state.rollout !== rollout) {
        throw new StateError(`${where} belongs to rollout "${state.rollout}", not "${rollout}" (policy rollout.name); use a separate --state file per rollout`);
    }
    return state;
}

// Generated from package.json by scripts/write-version.ts (npm run build); do not edit.
const VERSION = '1.0.0';

/**
 * Exit statuses (DESIGN.md, "CLI"): 0 whatever the decision; EXIT_FAIL_ON when evaluate's
 * --fail-on matches it (for CI systems that gate on exit statuses); EXIT_NOT_APPLIED when the
 * decision is saved but an actuator has not applied it yet (every run applies it again); 2 for a
 * usage, policy or state error, and for validate's data that does not fit the policy; 1 only for
 * a bug.
 */
const EXIT_OK = 0;
const EXIT_BUG = 1;
const EXIT_USAGE = 2;
const EXIT_FAIL_ON = 3;
const EXIT_NOT_APPLIED = 4;
/** Runs racing on one state file: each lost compare-and-swap re-reads the state and decides again. */
const STATE_ATTEMPTS = 8;

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
function num(description, range = {}) {
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

/** 1,234,567 (this file loads with the Action's first lines, so it imports no formatter). */
const int = (n) => Math.round(n).toLocaleString('en-US');
const QUIET = { phase() { }, info() { }, debug() { }, progress() { } };
/**
 * Progress lines at most every `everyMs`: `1,234,567 lines read (40 pages), 210,000 lines/s`, or
 * `(2 of 7 files done)`. `clock` in ms.
 */
function progressPrinter(print, clock, everyMs = 10_000) {
    const started = clock();
    let last = started;
    return p => {
        const now = clock();
        if (now - last < everyMs)
            return;
        last = now;
        const seconds = Math.max(0.001, (now - started) / 1000);
        const parts = [`${int(p.lines)} lines read`];
        if (p.pages !== undefined)
            parts.push(`(${int(p.pages)} pages)`);
        if (p.files && p.files.total > 1)
            parts.push(`(${p.files.read} of ${p.files.total} files done)`);
        print(`${parts.join(' ')}, ${int(p.lines / seconds)} lines/s`);
    };
}
/** The source, with its phase, what it reads, how the read went, and its progress in the log. */
function loggedSource(source, log, clock) {
    return {
        describe: () => source.describe(),
        firstCanaryTime: until => source.firstCanaryTime(until),
        collect: async (request) => {
            log.phase('Source');
            const { from, to } = request.window;
            log.info(`Reading ${source.describe()}`);
            log.debug(`window ${new Date(from).toISOString()} -> ${new Date(to).toISOString()}`);
            const started = clock();
            let evidence;
            try {
                evidence = await source.collect({ ...request, progress: p => log.progress(p) });
            }
            catch (e) {
                log.info(`The source could not be read (the run holds): ${e.message}`);
                throw e;
            }
            const q = evidence.quality;
            log.info(`${int(q.lines)} lines read, ${int(q.records)} records in the window, ${int(q.malformed)} malformed (${((clock() - started) / 1000).toFixed(1)} s)`);
            log.debug(`${evidence.cells.length} cells of ${evidence.bucketMs / 60_000} min, ${q.files.length} files, ${int(q.outsideWindow)} records outside the window, ${int(q.future)} after it; randomisation unit ${evidence.unitLevel ? 'seen' : 'not seen'}`);
            return evidence;
        }
    };
}
/** The judge, in its own phase. */
function loggedJudge(judge, log) {
    return {
        run: async (input) => {
            log.phase('Judge');
            const outcome = await judge.run(input);
            const s = outcome.summary;
            log.info(`Judge ${s.model}: ${int(s.calls)} calls, ${int(s.judged.baseline)} baseline and ${int(s.judged.canary)} canary outputs judged, stopped: ${s.stopped}`);
            log.debug(JSON.stringify(s));
            return outcome;
        }
    };
}
/** One debug line per metric and check. */
function logAnalysis(log, analysis) {
    log.phase('Analysis');
    log.info(`baseline ${int(analysis.arms.baseline.requests)}, canary ${int(analysis.arms.canary.requests)} requests; ${analysis.metrics.length} metrics, ${analysis.checks.filter(c => c.status === 'block').length} blocking checks`);
    for (const m of analysis.metrics) {
        const d = m.delta;
        log.debug(`metric ${m.name}: ${m.verdict}; n ${m.n.baseline}/${m.n.canary}; change ${d.estimate} [${d.lower}, ${d.upper}]${d.relative ? ' relative' : ''}; tolerance ${m.tolerance}; alpha ${m.alpha}${m.passAlpha !== undefined ? ` (pass ${m.passAlpha})` : ''}`);
    }
    for (const c of analysis.checks)
        log.debug(`check ${c.name}: ${c.status}`);
}

export { union as A, refine as B, reject as C, DURATION_PATTERN as D, formatPath as E, isMapping as F, oneOrMany as G, parseState as H, INVALID as I, progressPrinter as J, memoizedSource as K, EXIT_NOT_APPLIED as L, EXIT_FAIL_ON as M, EXIT_OK as N, STATE_ATTEMPTS as O, PolicyError as P, QUIET as Q, parseStepWeight as R, StateConflictError as S, SourceError as T, UsageError as U, EXIT_USAGE as V, VERSION as W, EXIT_BUG as X, earliestCanarySink as Y, StateError as a, logAnalysis as b, loggedJudge as c, distance as d, parseDuration as e, fail as f, formatDuration as g, parsePercent as h, didYouMean as i, parseAmount as j, DECIMAL as k, loggedSource as l, mismatch as m, choice as n, ok as o, parseInstant as p, obj as q, num as r, scalar as s, required as t, updateState as u, str as v, withDefault as w, list as x, optional as y, record as z };
