import { n as escapeMarkdown, o as duration, q as plainLine, t as int, u as sampleIndices, x as xyChart } from './chunk-engine.js';
import './chunk-records.js';
import './chunk-base.js';
import 'node:crypto';
import 'node:fs/promises';
import 'node:path';
import 'node:fs';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:os';

/**
 * The views of a plan: text for a terminal, markdown (tables and a chart) for a job summary or a
 * file, JSON for tools. Times are after the step began; a share is of the simulated rollouts.
 */
/** Points of the chart: the looks, sampled evenly. */
const CHART_POINTS = 48;
function planText(r) {
    const lines = [plainLine(summary(r)), ''];
    lines.push('Per step (an equal canary; a canary at twice the tolerance):');
    const rows = [
        [
            'step',
            'promote median',
            'p90',
            'promoted',
            'still holding',
            'rollback at 2×',
            'binds',
            'decides?'
        ],
        ...r.steps.map(s => [
            `${s.weight}%`,
            time(s.equal.promoted.median),
            time(s.equal.promoted.p90),
            share(s.equal.promoted.share),
            share(s.equal.holding),
            rollbackText(s),
            bindingName(s.equal.binding?.name),
            s.decides ? 'yes' : 'NO'
        ])
    ];
    lines.push(...table(rows).map(l => `  ${plainLine(l)}`), '');
    lines.push('Per gating metric (share promoted / rolled back by maxDuration, median time):');
    const metricRows = [['step', 'metric', 'at ½ tolerance', 'at the tolerance', 'at 2× tolerance']];
    for (const s of r.steps) {
        for (const m of s.metrics) {
            metricRows.push(m.skipped
                ? [`${s.weight}%`, m.name, `not simulated: ${m.skipped}`, '', '']
                : [`${s.weight}%`, m.name, scenario(m.half), scenario(m.at), scenario(m.twice)]);
        }
    }
    lines.push(...table(metricRows).map(l => `  ${plainLine(l)}`), '');
    lines.push('Equal canaries promoted by each time (each character an equal slice of maxDuration):');
    for (const s of r.steps) {
        lines.push(`  ${`${s.weight}%`.padStart(4)} |${spark(s.promotedBy)}| ${duration(s.maxDuration)}`);
    }
    if (r.suggestions.length > 0) {
        lines.push('', 'What would make the undecided steps decide (an equal canary with the change):');
        const rows = [['step', 'change', 'promoted', 'median', 'p90']];
        for (const g of r.suggestions)
            rows.push([`${g.weight}%`, g.change, ...suggestionCells(g)]);
        lines.push(...table(rows).map(l => `  ${plainLine(l)}`));
        for (const g of r.suggestions)
            if (g.note)
                lines.push(`  * ${plainLine(g.note)}`);
    }
    lines.push('', ...r.notes.map(n => plainLine(n)));
    return lines.join('\n') + '\n';
}
function planMarkdown(r) {
    const out = [`### Plan of \`${r.rollout.replace(/`/g, '')}\``, '', escapeMarkdown(summary(r)), ''];
    out.push('| step | time to promote an equal canary (median · p90) | promoted by maxDuration | still holding at maxDuration | time to roll back at 2× tolerance | binds | decides? |', '|---|---|---|---|---|---|---|', ...r.steps.map(s => `| ${s.weight}% | ${time(s.equal.promoted.median)} · ${time(s.equal.promoted.p90)} | ${share(s.equal.promoted.share)} | ${share(s.equal.holding)} (maxDuration ${duration(s.maxDuration)}) | ${escapeMarkdown(rollbackText(s))} | ${escapeMarkdown(bindingName(s.equal.binding?.name))} | ${s.decides ? '✅ yes' : '⚠️ no'} |`), '');
    const chart = promotedChart(r.steps);
    if (chart) {
        out.push('Share of equal canaries promoted by each time after the step began:', '', chart, '');
    }
    if (r.suggestions.length > 0) {
        out.push('What would make the undecided steps decide (an equal canary, simulated again with the change):', '', '| step | change | promoted | median | p90 |', '|---|---|---|---|---|', ...r.suggestions.map(g => `| ${g.weight}% | ${escapeMarkdown(g.change)} | ${suggestionCells(g).join(' | ')} |`), '');
        for (const g of r.suggestions)
            if (g.note)
                out.push(`- ${escapeMarkdown(g.note)}`);
        if (r.suggestions.some(g => g.note))
            out.push('');
    }
    out.push('<details><summary>Each gating metric: a canary at half, at and at twice its tolerance</summary>', '', '| step | metric | at ½ tolerance | at the tolerance | at 2× tolerance |', '|---|---|---|---|---|');
    for (const s of r.steps) {
        for (const m of s.metrics) {
            out.push(m.skipped
                ? `| ${s.weight}% | ${escapeMarkdown(m.name)} | not simulated: ${escapeMarkdown(m.skipped)} | | |`
                : `| ${s.weight}% | ${escapeMarkdown(m.name)} | ${scenario(m.half)} | ${scenario(m.at)} | ${scenario(m.twice)} |`);
        }
    }
    out.push('', '</details>', '', ...r.notes.map(n => `_${escapeMarkdown(n)}_`), '');
    return out.join('\n');
}
/** The whole result; times in ms after the step began (null: fewer runs than that decided). */
function planJson(r) {
    const iso = (t) => new Date(t).toISOString();
    return (JSON.stringify({ ...r, history: { ...r.history, first: iso(r.history.first), last: iso(r.history.last) } }, null, 2) + '\n');
}
function summary(r) {
    const h = r.history;
    const span = h.last > h.first ? duration(h.last - h.first) : 'an instant';
    const ignored = h.canaryIgnored > 0 ? ` (${int(h.canaryIgnored)} canary records ignored)` : '';
    return `Simulated ${r.replicates} rollouts per step on ${int(h.records)} history records${ignored} from ${int(h.units)} users over ${span} (${int(h.perHour)} per hour), the gate looking every ${duration(r.every)}. A step decides when 90% of equal canaries promote by its maxDuration.`;
}
function rollbackText(s) {
    // The slowest metric to catch a canary at twice its tolerance.
    let worst;
    for (const m of s.metrics) {
        const t = m.twice?.rolledBack;
        if (!t)
            continue;
        if (!worst || slower(t, worst.t))
            worst = { name: m.name, t };
    }
    if (!worst)
        return 'n/a';
    const t = worst.t;
    return t.median === null
        ? `not by maxDuration (${worst.name}: ${share(t.share)})`
        : `${time(t.median)} (slowest: ${worst.name})`;
}
const slower = (a, b) => a.median === null
    ? b.median !== null || a.share < b.share
    : b.median !== null && a.median > b.median;
function scenario(o) {
    if (!o)
        return 'cannot be simulated';
    const parts = [];
    // The median time is shown when at least half of the runs took that decision.
    const when = (t) => (t.median === null ? '' : ` (${duration(t.median)})`);
    if (o.promoted.share > 0)
        parts.push(`promote ${share(o.promoted.share)}${when(o.promoted)}`);
    if (o.rolledBack.share > 0)
        parts.push(`rollback ${share(o.rolledBack.share)}${when(o.rolledBack)}`);
    if (o.holding > 0.005 || parts.length === 0)
        parts.push(`hold ${share(o.holding)}`);
    return parts.join(', ');
}
function suggestionCells(g) {
    if (g.outcome) {
        return [
            share(g.outcome.promoted.share),
            time(g.outcome.promoted.median),
            time(g.outcome.promoted.p90)
        ];
    }
    return ['projected', g.projected !== undefined ? `≈ ${duration(g.projected)}` : '—', '—'];
}
/** A metric, a check, or a rule of the step, in words. */
function bindingName(name) {
    if (!name)
        return '—';
    if (name.startsWith('metric:'))
        return name.slice('metric:'.length);
    if (name.startsWith('check:'))
        return `check ${name.slice('check:'.length)}`;
    if (name === 'minDuration')
        return 'minDuration (bake time)';
    if (name === 'minSamples')
        return 'minSamples';
    return name;
}
const time = (ms) => (ms === null ? 'never' : duration(ms));
const share = (v) => `${Math.round(v * 100)}%`;
function table(rows) {
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map(r => (r[c] ?? '').length))) ?? [];
    return rows.map(r => r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd());
}
/** Shares 0..1 as eighth-blocks, one character per slice of the look sequence. */
function spark(values) {
    const blocks = ' ▁▂▃▄▅▆▇█';
    const width = Math.min(48, values.length);
    return Array.from({ length: width }, (_, j) => {
        const v = values[Math.min(values.length - 1, Math.floor(((j + 1) * values.length) / width) - 1)] ?? 0;
        return blocks[Math.round(v * 8)];
    }).join('');
}
/** One line per step: the share of equal canaries promoted by each look. */
function promotedChart(steps) {
    const longest = steps.reduce((a, s) => (s.promotedBy.length > a.promotedBy.length ? s : a), steps[0]);
    if (!longest || longest.promotedBy.length < 2)
        return undefined;
    const n = longest.promotedBy.length;
    const every = longest.maxDuration / n;
    const picked = sampleIndices(n, CHART_POINTS);
    return xyChart({
        title: `Equal canaries promoted (%) by time after the step began; steps ${steps.map(s => `${s.weight}%`).join(', ')}`,
        x: picked.map(i => duration((i + 1) * every)),
        yLabel: 'promoted (%)',
        yRange: [0, 100],
        lines: steps.map(s => picked.map(i => 100 * (s.promotedBy[Math.min(i, s.promotedBy.length - 1)] ?? 0)))
    });
}

export { bindingName, planJson, planMarkdown, planText };
