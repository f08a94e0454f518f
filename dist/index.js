import { e as error, s as setFailed } from './chunk-actions.js';
import { P as PolicyError } from './chunk-base.js';
import { o as oneLine } from './chunk-engine.js';
import { A as ActionLog, g as getInputs } from './chunk-log.js';
import 'os';
import 'crypto';
import 'fs';
import './chunk-records.js';
import 'node:crypto';
import 'node:fs/promises';
import 'node:path';
import 'node:fs';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:os';

/**
 * The Action: one run, any error turned into a failed step with a message a person can act on.
 * The log has a group per phase (policy, state, source, judge, analysis, actuators, GitHub) and
 * ends, outside any group, with the verdict. What a run needs beyond its inputs (the engine, the
 * policy parser, the GitHub client) loads once the inputs are known good (execute.ts).
 */
async function run() {
    const log = new ActionLog();
    try {
        log.phase('Policy');
        const inputs = getInputs();
        const { execute } = await import('./chunk-execute.js');
        await execute(inputs, log);
    }
    catch (e) {
        log.end();
        if (e instanceof PolicyError) {
            for (const issue of e.issues) {
                error(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`, {
                    title: 'rollout policy',
                    file: issue.file,
                    ...(issue.line > 0 && { startLine: issue.line, startColumn: issue.col })
                });
            }
        }
        const message = e instanceof Error ? e.message : String(e);
        setFailed(message.split('\n').map(oneLine).join('\n'));
    }
}

// The Action entry (dist/index.js, runs.using: node24): everything else is in run().
await run();
