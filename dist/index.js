import { i as info, d as debug, b as startGroup, e as endGroup, c as error, f as setFailed } from './chunk-actions.js';
import { G as progressPrinter, P as PolicyError } from './chunk-base.js';
import { g as getInputs } from './chunk-inputs.js';
import 'os';
import 'crypto';
import 'fs';

/**
 * The Action's log: a group per phase (core.startGroup, folded in the job log), progress of long
 * reads every 15 s, and debug detail (core.debug: shown when the run has step debug logging on,
 * ACTIONS_STEP_DEBUG).
 */
class ActionLog {
    open = false;
    info = (message) => info(message);
    debug = (message) => debug(message);
    progress = progressPrinter(line => info(line), () => Date.now(), 15_000);
    phase(name) {
        this.end();
        startGroup(name);
        this.open = true;
    }
    /** Closes the open group, before the run's last words (they belong outside every group). */
    end() {
        if (this.open)
            endGroup();
        this.open = false;
    }
}

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
        setFailed(e.message);
    }
}

// The Action entry (dist/index.js, runs.using: node24): everything else is in run().
await run();
