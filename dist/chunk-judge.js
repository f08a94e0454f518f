import { u as unavailableJudge, c as createJudge, o as openaiChatClient } from './chunk-run2.js';
import { readFileSync } from 'node:fs';
export { y as judgeSampleSize } from './chunk-engine.js';
import 'node:crypto';
import './chunk-openai.js';
import './chunk-records.js';
import './chunk-base.js';
import 'node:fs/promises';
import 'node:path';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:os';

/**
 * Human labels for the judge's agreement check: JSONL, one `{"id": "...", "label": ...}` per line,
 * where `id` is the record id and `label` a grade 1..5 (pointwise) or `canary`, `baseline` or `tie`
 * (pairwise, keyed by the canary record's id). Returns the labels, or a problem to report; the
 * labels are optional, so a bad file never stops the judge. Problems name lines, never content.
 */
function readLabels(path) {
    const labels = new Map();
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (e) {
        const code = e.code ?? 'unreadable';
        return { labels, problem: `the labels file ${path} cannot be read (${code})` };
    }
    const bad = [];
    text.split(/\r?\n/).forEach((line, i) => {
        if (line.trim() === '')
            return;
        try {
            const row = JSON.parse(line);
            const label = typeof row.label === 'number' ? String(row.label) : row.label;
            if (typeof row.id === 'string' && typeof label === 'string' && VALID.test(label)) {
                labels.set(row.id, label);
            }
            else
                bad.push(i + 1);
        }
        catch {
            bad.push(i + 1);
        }
    });
    if (bad.length === 0)
        return { labels };
    const where = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ', ...' : '');
    return {
        labels,
        problem: `${bad.length} lines of the labels file ${path} are not {"id": "...", "label": 1..5 | "canary" | "baseline" | "tie"} (lines ${where})`
    };
}
const VALID = /^(?:[1-5]|canary|baseline|tie)$/;

/**
 * The judge the policy configures, through the `openai` client, with the API key from the
 * environment variable it names (the Action maps its input to it). Without a key the judge does
 * not run, and the judge metric stays inconclusive with that reason (fail closed).
 */
function judgeFromPolicy(spec, env) {
    const apiKey = env[spec.apiKeyEnv];
    if (!apiKey) {
        return unavailableJudge(spec, `the judge did not run: the environment variable ${spec.apiKeyEnv} (the judge's API key) is not set`);
    }
    const labels = spec.labels === undefined ? undefined : readLabels(spec.labels);
    return createJudge(spec, openaiChatClient(spec, apiKey), {
        ...(labels && { labels: labels.labels }),
        ...(labels?.problem !== undefined && { warnings: [labels.problem] })
    });
}

export { createJudge, judgeFromPolicy };
