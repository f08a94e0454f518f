import { W as WindowEvidence, r as readLogs, b as backtest } from './chunk-windowEvidence.js';
import { n as escapeMarkdown, o as duration, q as plainLine, t as int, u as sampleIndices, x as xyChart, z as change, l as loadPolicyFile, s as sourceFor } from './chunk-engine.js';
import { U as UsageError, e as parseDuration, T as SourceError, g as formatDuration } from './chunk-base.js';
import { FileSource } from './chunk-fileSource.js';
import './chunk-run2.js';
import 'node:crypto';
import './chunk-openai.js';
import './chunk-records.js';
import 'node:os';
import 'node:fs';
import 'node:path';
import 'node:fs/promises';
import './chunk-yaml.js';
import 'process';
import 'buffer';
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

/** Points per chart: the looks are sampled evenly, the decisive ones always kept. */
const CHART_POINTS = 60;
/** The terminal view: the steps, then one line per look. */
function backtestText(r, ctx) {
    const lines = [plainLine(summaryLine(r, ctx)), '', 'Steps:'];
    for (const step of r.steps)
        lines.push(`  ${plainLine(stepLine(step))}`);
    if (r.after > 0)
        lines.push(`  (${afterText(r)})`);
    lines.push('', 'Looks (time, decision, step, what it turned on):');
    for (const look of r.looks) {
        lines.push(`  ${iso$1(look.at)}  ${look.decision.padEnd(8)} ${`${look.step.weight}%`.padStart(4)}  ${plainLine(bindingText(look, ctx.policy))}`);
    }
    return lines.join('\n') + '\n';
}
/** The markdown view (a job summary or a file): the steps, a chart per gating metric, the looks. */
function backtestMarkdown(r, ctx) {
    const out = [
        `### Backtest of \`${r.rollout.replace(/`/g, '')}\``,
        '',
        escapeMarkdown(summaryLine(r, ctx)),
        ''
    ];
    out.push('| step | began | outcome | when | looks | why |', '|---|---|---|---|---|---|');
    for (const s of r.steps) {
        out.push(`| ${s.weight}% | ${iso$1(s.startedAt)} | ${s.outcome} | ${s.endedAt !== undefined ? `${iso$1(s.endedAt)} (after ${duration(s.endedAt - s.startedAt)})` : '—'} | ${s.looks} | ${escapeMarkdown(s.reason)} |`);
    }
    if (r.after > 0)
        out.push('', escapeMarkdown(afterText(r)));
    const charts = timelineCharts(r.looks, ctx.policy);
    if (charts.length > 0) {
        out.push('', "Each gating metric's interval (canary − baseline) at every look, against its tolerance (the flat line); it restarts at each step:", '', ...charts.flatMap(c => [c, '']));
    }
    out.push('<details><summary>Every look</summary>', '', '| time | decision | step | what it turned on |', '|---|---|---|---|', ...r.looks.map(l => `| ${iso$1(l.at)} | ${l.decision} | ${l.step.weight}% | ${escapeMarkdown(bindingText(l, ctx.policy))} |`), '', '</details>', '');
    return out.join('\n');
}
/** The JSON view: every look's facts (not its whole decision record). */
function backtestJson(r) {
    const finite = (v) => (Number.isFinite(v) ? v : null);
    return (JSON.stringify({
        rollout: r.rollout,
        steps: r.steps.map(s => ({
            ...s,
            startedAt: iso$1(s.startedAt),
            ...(s.endedAt !== undefined && { endedAt: iso$1(s.endedAt) })
        })),
        after: r.after,
        looks: r.looks.map(l => ({
            at: iso$1(l.at),
            decision: l.decision,
            step: l.step,
            next: l.next,
            status: l.status,
            window: l.window && { from: iso$1(l.window.from), to: iso$1(l.window.to) },
            arms: l.arms,
            binding: l.binding,
            blocks: l.blocks,
            reasons: l.reasons,
            metrics: l.metrics.map(m => ({
                ...m,
                estimate: finite(m.estimate),
                lower: finite(m.lower),
                upper: finite(m.upper)
            }))
        }))
    }, null, 2) + '\n');
}
function summaryLine(r, ctx) {
    const first = r.looks[0];
    const last = r.looks.at(-1);
    const span = first && last ? `from ${iso$1(first.at)} to ${iso$1(last.at)}` : 'no look';
    const read = ctx.records !== undefined
        ? `; ${ctx.source}, ${int(ctx.records)} records read once${ctx.runsOnDisk ? ` (sorted in ${ctx.runsOnDisk} runs on disk)` : ''}`
        : `; ${ctx.source}`;
    const ended = r.steps.at(-1);
    const end = ended && ended.outcome !== 'still running'
        ? ` The rollout ${ended.outcome === 'completed' ? 'completed' : ended.outcome === 'rolled back' ? 'was rolled back' : 'moved on'} at ${iso$1(ended.endedAt)}.`
        : '';
    return `${r.looks.length} looks every ${duration(ctx.every)} ${span}${read}.${end} Actuators were not applied and no state was written.`;
}
function stepLine(s) {
    const began = `${`${s.weight}%`.padStart(4)}  began ${iso$1(s.startedAt)}`;
    if (s.endedAt === undefined)
        return `${began}  still running at the last look: ${s.reason}`;
    return `${began}  ${s.outcome} ${iso$1(s.endedAt)} after ${duration(s.endedAt - s.startedAt)} (${s.looks} looks): ${s.reason}`;
}
function afterText(r) {
    return `${r.after} later look${r.after === 1 ? '' : 's'} not run: the rollout had ended, so the gate would only repeat its decision`;
}
/** "p95 latency +3.1% (−2% to +8.4%), tolerance +10%" or the blocking check. */
function bindingText(look, policy) {
    const b = look.binding;
    if (!b)
        return look.reasons[0] ?? '';
    if (b.kind === 'check')
        return `${b.check}: ${b.detail}`;
    if (b.kind === 'time')
        return b.detail;
    const m = look.metrics.find(x => x.name === b.metric);
    const spec = policy.metrics.find(x => x.name === b.metric);
    if (!m || !spec)
        return look.reasons[0] ?? '';
    return `${m.name} ${m.verdict}: ${intervalText(spec, m)}, tolerance ${change(spec, m.tolerance, m.relative)}`;
}
function intervalText(spec, m) {
    if (!Number.isFinite(m.estimate))
        return 'no data yet';
    const c = (v) => change(spec, v, m.relative);
    return `${c(m.estimate)} (${c(m.lower)} to ${c(m.upper)})`;
}
/**
 * A chart per gating metric: its interval at each look (sampled to CHART_POINTS, the decisive
 * looks kept) and its tolerance, in percent for relative tolerances.
 */
function timelineCharts(looks, policy) {
    const gating = policy.metrics.filter((m) => m.mode !== 'report');
    const charts = [];
    for (const spec of gating) {
        const points = looks.flatMap(l => {
            const m = l.metrics.find(x => x.name === spec.name);
            return m && Number.isFinite(m.estimate) ? [{ look: l, m }] : [];
        });
        if (points.length < 2)
            continue;
        const keep = new Set(sampleIndices(points.length, CHART_POINTS));
        points.forEach((p, i) => {
            if (p.look.decision !== 'hold')
                keep.add(i);
        });
        const shown = [...keep].sort((a, b) => a - b).map(i => points[i]);
        const relative = shown[0]?.m.relative ?? false;
        const scale = relative ? 100 : 1;
        const tolerance = (shown[0]?.m.tolerance ?? 0) * scale;
        const finite = shown.flatMap(p => [p.m.estimate, p.m.lower, p.m.upper]).filter(Number.isFinite);
        const reach = Math.max(Math.abs(tolerance) * 3, ...finite.map(v => Math.abs(v * scale))) || 1;
        charts.push(xyChart({
            title: `${spec.name}: interval${relative ? ' (%)' : ''} at each look, tolerance ${round(tolerance)}${relative ? '%' : ''}`,
            x: shown.map(p => iso$1(p.look.at).slice(5, 16).replace('T', ' ')),
            yLabel: `canary - baseline${relative ? ' (%)' : ''}`,
            clip: reach,
            lines: [
                shown.map(p => p.m.upper * scale),
                shown.map(p => p.m.estimate * scale),
                shown.map(p => p.m.lower * scale),
                shown.map(() => tolerance)
            ]
        }));
    }
    return charts;
}
const round = (v) => Math.round(v * 1000) / 1000;
const iso$1 = (t) => new Date(t).toISOString().replace(':00.000Z', 'Z');

/**
 * A Source over logs already read into rows (read.ts): collect() hands out the evidence of any
 * window without reading a file. Successive windows that share their start and grow (the looks of
 * one step) cost only the rows added since the last one; a window with another start (a new
 * step, a restart after a model change) starts a new accumulator at that time.
 */
class ReplaySource {
    logs;
    policy;
    description;
    window;
    cursor;
    /** The end of the rows the window holds. */
    through = -Infinity;
    /** Counts rows with ts <= `countedTo`, for the records outside the window and in the future. */
    counter;
    counted = 0;
    countedTo = -Infinity;
    constructor(logs, policy, description) {
        this.logs = logs;
        this.policy = policy;
        this.description = description;
    }
    describe() {
        return this.description;
    }
    firstCanaryTime(until) {
        const first = this.logs.firstCanary;
        return Promise.resolve(first !== undefined && first <= until ? first : undefined);
    }
    collect(request) {
        const { from, to } = request.window;
        if (!this.window || this.window.from !== from || to < this.through) {
            this.cursor?.close();
            this.window = new WindowEvidence({ policy: this.policy, encoder: this.logs.encoder, from });
            this.cursor = this.logs.store.cursor(from);
            this.through = from;
        }
        const cursor = this.cursor;
        while (cursor.valid && cursor.ts < to) {
            this.window.add(cursor.buffer, cursor.at);
            cursor.advance();
        }
        this.through = to;
        return Promise.resolve(this.window.evidence(to, this.description, this.quality(request.now)));
    }
    /** Frees the cursors' read buffers and files (the Logs' store is closed by its owner). */
    close() {
        this.cursor?.close();
        this.counter?.close();
    }
    /** The read's data quality as a collect() over [window.from, now) would report it. */
    quality(now) {
        const atOrBefore = this.countAtOrBefore(now);
        const records = this.window.records;
        const q = this.logs.quality;
        return {
            ...q,
            malformedSamples: [...q.malformedSamples],
            unmatchedArms: { ...q.unmatchedArms },
            files: q.files.map(f => ({ ...f })),
            records,
            outsideWindow: atOrBefore - records,
            future: this.logs.records - atOrBefore,
            invalidValues: {}
        };
    }
    countAtOrBefore(now) {
        if (!this.counter || now < this.countedTo) {
            this.counter?.close();
            this.counter = this.logs.store.cursor();
            this.counted = 0;
        }
        const counter = this.counter;
        while (counter.valid && counter.ts <= now) {
            this.counted++;
            counter.advance();
        }
        this.countedTo = now;
        return this.counted;
    }
}

/** ISO-8601 with a date and, when a time is given, an explicit zone (no local-time guessing). */
function parseInstant(flag, text) {
    const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text);
    const t = Date.parse(text);
    if (!ok || Number.isNaN(t)) {
        throw new UsageError(`usage: ${flag} must be an ISO-8601 instant such as 2026-11-26T14:00:00Z, not "${text}"`);
    }
    return t;
}

/** Looks at most: beyond, --every is too fine for the range (each look is a full evaluation). */
const MAX_LOOKS = 20_000;
/** `rollout-gate backtest ...` (options parsed by the registry, commands.ts); the exit status. */
async function runBacktest(values, io) {
    const args = argsOf(values);
    const loaded = await loadPolicyFile(args.policy);
    const { policy } = loaded;
    const source = await sourceFor(loaded, args.records);
    let logs;
    let replay;
    try {
        if (source instanceof FileSource) {
            logs = await readLogs(source, policy).catch(rethrowAsUsage);
            replay = new ReplaySource(logs, policy, source.describe());
        }
        const looks = instants(args, logs);
        const result = await backtest({
            policy,
            policyHash: loaded.hash,
            source: replay ?? source,
            looks,
            // The output shows each look's decision, gating metrics and checks, never its report.
            decisionOnly: true,
            ...(args.since !== undefined && { since: args.since })
        });
        const ctx = {
            policy,
            every: args.every,
            source: source.describe(),
            ...(logs && { records: logs.records, runsOnDisk: logs.store.runsOnDisk })
        };
        io.out(args.format === 'json'
            ? backtestJson(result)
            : args.format === 'markdown'
                ? backtestMarkdown(result, ctx)
                : backtestText(result, ctx));
        return 0;
    }
    finally {
        replay?.close();
        logs?.store.close();
    }
}
function rethrowAsUsage(e) {
    // No file, or no line of any file readable: nothing to replay (a usage problem here).
    if (e instanceof SourceError)
        throw new UsageError(e.message);
    throw e;
}
/**
 * The look instants: every `every` from --from to --to. By default from the first multiple of
 * `every` (in UTC, as a cron schedule runs) at or after the earliest canary record (or the first
 * record), to the last record.
 */
function instants(args, logs) {
    const start = logs?.firstCanary ?? logs?.first;
    const from = args.from ?? (start === undefined ? undefined : Math.ceil(start / args.every) * args.every);
    const to = args.to ?? logs?.last;
    if (from === undefined || to === undefined) {
        throw new UsageError(logs
            ? "usage: the logs hold no record of either arm; check --records and the policy's arms"
            : 'usage: backtest on a source other than files needs --from and --to (the range to replay)');
    }
    if (to < from) {
        throw new UsageError(`usage: --to (${iso(to)}) is before --from (${iso(from)})`);
    }
    const count = Math.floor((to - from) / args.every) + 1;
    if (count > MAX_LOOKS) {
        throw new UsageError(`usage: ${count} looks from ${iso(from)} to ${iso(to)} every ${formatDuration(args.every)}; at most ${MAX_LOOKS}: a longer --every or a shorter range`);
    }
    return Array.from({ length: count }, (_, i) => from + i * args.every);
}
const iso = (t) => new Date(t).toISOString();
function argsOf(v) {
    const str = (name) => v[name];
    const policy = str('policy');
    const every = parseDuration(str('every') ?? '15m');
    if (!every.ok || !(every.value >= 60_000)) {
        throw new UsageError(`usage: --every must be a duration of at least 1m such as 15m or 1h, not "${str('every')}"`);
    }
    const format = str('format') ?? 'text';
    if (format !== 'text' && format !== 'markdown' && format !== 'json') {
        throw new UsageError(`usage: --format must be text, markdown or json, not "${format}"`);
    }
    return {
        policy,
        records: v.records ?? [],
        every: every.value,
        ...(str('from') !== undefined && { from: parseInstant('--from', str('from')) }),
        ...(str('to') !== undefined && { to: parseInstant('--to', str('to')) }),
        ...(str('since') !== undefined && { since: parseInstant('--since', str('since')) }),
        format
    };
}

export { runBacktest };
