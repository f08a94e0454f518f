import { p as planOptions } from './chunk-options.js';
import { planFromFiles } from './chunk-run.js';
import { planJson, planMarkdown, planText } from './chunk-render.js';
import { l as loadPolicyFile } from './chunk-engine.js';
import './chunk-base.js';
import './chunk-windowEvidence.js';
import './chunk-run2.js';
import 'node:crypto';
import './chunk-openai.js';
import './chunk-records.js';
import 'node:os';
import 'node:fs';
import 'node:path';
import './chunk-fileSource.js';
import 'node:fs/promises';
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
import './chunk-yaml.js';
import 'process';
import 'buffer';

/** `rollout-gate plan ...` (options parsed by the registry, commands.ts); the exit status. */
async function runPlan(values, io) {
    const str = (name) => values[name];
    const options = planOptions({ every: str('every'), replicates: str('replicates'), seed: str('seed') }, key => `usage: --${key}`);
    const loaded = await loadPolicyFile(str('policy'));
    const result = await planFromFiles(loaded, {
        records: values.records ?? [],
        ...options
    });
    const format = str('format') ?? 'text';
    io.out(format === 'json'
        ? planJson(result)
        : format === 'markdown'
            ? planMarkdown(result)
            : planText(result));
    return 0;
}

export { runPlan };
