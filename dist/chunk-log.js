import { g as getInput, a as setSecret, b as getMultilineInput, i as info, d as debug, c as startGroup, f as endGroup } from './chunk-actions.js';
import { U as UsageError, p as parseInstant, R as parseStepWeight, J as progressPrinter } from './chunk-base.js';
import { p as planOptions } from './chunk-options.js';
import { randomBytes } from 'node:crypto';
import { w as oneLine } from './chunk-engine.js';

/** The Action's credential inputs (secrets.ts says where each goes). */
const SECRET_INPUTS = [
    'webhook-secret',
    'prometheus-token',
    'prometheus-password',
    'langfuse-public-key',
    'langfuse-secret-key',
    'database-url',
    'judge-api-key'
];
const COMMANDS = [
    'evaluate',
    'rollback',
    'promote',
    'pause',
    'resume',
    'status',
    'plan'
];
/**
 * Every input, validated up front; a bad one throws a message naming it (the runner does not
 * enforce `required`). Secrets are masked before anything else can print them.
 */
function getInputs(env = process.env) {
    const token = getInput('github-token').trim();
    if (token)
        setSecret(token);
    const secrets = {};
    for (const input of SECRET_INPUTS) {
        const value = getInput(input).trim();
        if (!value)
            continue;
        setSecret(value);
        secrets[input] = value;
    }
    const policy = getInput('policy').trim();
    if (!policy)
        throw new UsageError('input "policy" is required: the path of the rollout policy YAML');
    const command = (getInput('command').trim() || 'evaluate');
    if (!COMMANDS.includes(command)) {
        throw new UsageError(`input "command" must be one of ${COMMANDS.join(', ')}, not "${command}"`);
    }
    const reason = getInput('reason').trim();
    if ((command === 'rollback' || command === 'promote' || command === 'pause') && !reason) {
        throw new UsageError(`input "reason" is required for command ${command}: it is recorded with the decision`);
    }
    const failOn = oneOf('fail-on', ['none', 'rollback', 'hold'], 'none');
    const stateFile = getInput('state-file').trim();
    const state = oneOf('state', ['github', 'file'], stateFile ? 'file' : 'github');
    if (state === 'file' && !stateFile) {
        throw new UsageError('input "state-file" is required with state: file (a JSON file path)');
    }
    const stateBranch = getInput('state-branch').trim() || 'rollout-state';
    if (!/^(?!\/|.*(\.\.|\/\/|@\{|\.lock$))[\w./-]+$/.test(stateBranch) ||
        stateBranch.endsWith('/')) {
        throw new UsageError(`input "state-branch" is not a valid branch name: "${stateBranch}"`);
    }
    const nowText = getInput('now').trim();
    const parsedNow = nowText ? parseInstant(nowText) : undefined;
    if (parsedNow && !parsedNow.ok)
        throw new UsageError(`input "now" ${parsedNow.error}`);
    const now = parsedNow?.value;
    const prText = getInput('pr-number').trim();
    if (prText && !/^[1-9]\d{0,9}$/.test(prText)) {
        throw new UsageError(`input "pr-number" must be a pull request number, not "${prText}"`);
    }
    const canaryVersion = getInput('canary-version').trim();
    const weightText = getInput('weight').trim();
    const toWeight = weightText ? parseStepWeight(weightText, 'input "weight"') : undefined;
    if (toWeight !== undefined && command !== 'promote') {
        throw new UsageError('input "weight" is only for command promote (promote to that step)');
    }
    const planInputs = {
        every: getInput('every').trim(),
        replicates: getInput('replicates').trim()
    };
    if (command !== 'plan' && (planInputs.every || planInputs.replicates)) {
        throw new UsageError('inputs "every" and "replicates" are only for command plan');
    }
    const plan = planOptions({
        ...(planInputs.every && { every: planInputs.every }),
        ...(planInputs.replicates && { replicates: planInputs.replicates })
    }, key => `input "${key}"`);
    return {
        policy,
        command,
        plan,
        reason,
        token,
        ...(prText && { prNumber: Number(prText) }),
        state,
        stateBranch,
        stateFile,
        records: getMultilineInput('records')
            .map(s => s.trim())
            .filter(Boolean),
        dryRun: booleanInput('dry-run'),
        summary: booleanInput('summary', true),
        failOn,
        ...(canaryVersion && { canaryVersion }),
        ...(toWeight !== undefined && { toWeight }),
        actor: env.GITHUB_ACTOR || 'github-actions',
        secrets,
        ...(now !== undefined && { now })
    };
}
function oneOf(name, values, fallback) {
    const v = getInput(name).trim() || fallback;
    if (!values.includes(v)) {
        throw new UsageError(`input "${name}" must be ${values.join(', ')}, not "${v}"`);
    }
    return v;
}
/** Like core.getBooleanInput, but an absent input is `fallback` and the error names the input. */
function booleanInput(name, fallback = false) {
    const v = getInput(name).trim().toLowerCase();
    if (v === '')
        return fallback;
    if (v === 'false')
        return false;
    if (v === 'true')
        return true;
    throw new UsageError(`input "${name}" must be true or false, not "${v}"`);
}

/**
 * Writes text that carries data (model names, segment values, error classes, servers' answers)
 * to the job log so that none of it can run as a workflow command: every line has its control
 * characters neutralised (report/sanitize.ts), and the block is wrapped in `::stop-commands::`
 * with a one-time token, so the runner processes no `::command::` in it at all
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands).
 */
function logUntrusted(text) {
    const token = randomBytes(16).toString('hex');
    info(`::stop-commands::${token}`);
    try {
        for (const line of text.replace(/\n$/, '').split('\n'))
            info(oneLine(line));
    }
    finally {
        info(`::${token}::`);
    }
}
/** One line of the log with data in it: its control characters neutralised. */
const logLine = (text) => info(oneLine(text));
/**
 * The Action's log: a group per phase (core.startGroup, folded in the job log), progress of long
 * reads every 15 s, and debug detail (core.debug: shown when the run has step debug logging on,
 * ACTIONS_STEP_DEBUG).
 */
class ActionLog {
    open = false;
    info = (message) => info(oneLine(message));
    debug = (message) => debug(oneLine(message));
    progress = progressPrinter(line => info(oneLine(line)), () => Date.now(), 15_000);
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

export { ActionLog as A, SECRET_INPUTS as S, logUntrusted as a, getInputs as g, logLine as l };
