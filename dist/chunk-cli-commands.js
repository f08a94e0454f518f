import { b as buildActuators, a as applyAll, r as recordJson, l as loadPolicyFile, F as FileStateStore, s as sourceFor, d as decideAgainOnConflict, e as evaluate$1, k as knownSecrets, c as command, f as statusReport, v as validateData, p as policyReport, g as validationText } from './chunk-engine.js';
import { J as progressPrinter, U as UsageError, p as parseInstant, K as memoizedSource, L as EXIT_NOT_APPLIED, M as EXIT_FAIL_ON, N as EXIT_OK, O as STATE_ATTEMPTS, R as parseStepWeight, T as SourceError, V as EXIT_USAGE } from './chunk-base.js';
import { userInfo } from 'node:os';

/**
 * The policy's actuators as the engine's `apply` (undefined without any): each run applies the
 * saved decision again to an actuator that has not applied it yet (`lastApplied`), in the working
 * tree `cwd` (git-file actuators are confined to it).
 */
function actuate(policy, { cwd, dryRun, log }) {
    const actuators = buildActuators(policy.actuators ?? [], { cwd, env: process.env });
    if (actuators.length === 0)
        return undefined;
    return async (record, lastApplied) => {
        log?.phase('Actuators');
        const applied = await applyAll(actuators, record, {
            dryRun,
            ...(lastApplied && { lastApplied })
        });
        for (const a of applied)
            log?.info(`${a.actuator}: ${a.ok ? 'ok' : 'failed'}`);
        return applied;
    };
}

/** A string option's value (undefined when not given). */
const text = (values, name) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
};
const list = (values, name) => {
    const v = values[name];
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
};
const flag = (values, name) => values[name] === true;
/** A required option (the registry has checked it is there). */
const required = (values, name) => {
    const v = text(values, name);
    if (v === undefined)
        throw new UsageError(`usage: --${name} is required`);
    return v;
};
/** ISO-8601 with a date and, when a time is given, an explicit zone; strict (no 2026-02-30). */
function instant(flagName, value) {
    const parsed = parseInstant(value);
    if (!parsed.ok)
        throw new UsageError(`usage: ${flagName} ${parsed.error}`);
    return parsed.value;
}
function currentUser() {
    try {
        return process.env.USER || userInfo().username || 'cli';
    }
    catch {
        return 'cli';
    }
}
function render(outcome, format) {
    if (format === 'json')
        return recordJson(outcome.record) + '\n';
    if (format === 'markdown')
        return outcome.markdown;
    return outcome.text;
}
/** --verbose: the run's phases, progress and detail on stderr, each line prefixed. */
function stderrLog(io) {
    const line = (prefix) => (message) => io.err(`${prefix}${message}\n`);
    return {
        phase: name => io.err(`== ${name}\n`),
        info: line('   '),
        debug: line('   . '),
        progress: progressPrinter(line('   ... '), io.clock, 2_000)
    };
}

/** `rollout-gate evaluate`. */
async function runEvaluate(values, io) {
    const since = text(values, 'since');
    const nowText = text(values, 'now');
    const failOn = text(values, 'fail-on') ?? 'none';
    const dryRun = flag(values, 'dry-run');
    const log = flag(values, 'verbose') ? stderrLog(io) : undefined;
    log?.phase('Policy');
    const loaded = await loadPolicyFile(required(values, 'policy'));
    log?.info(`${loaded.path} (${loaded.hash}): rollout "${loaded.policy.rollout.name}"`);
    const statePath = text(values, 'state');
    const store = statePath ? new FileStateStore(statePath, loaded.policy.rollout.name) : undefined;
    const apply = actuate(loaded.policy, { cwd: io.cwd ?? process.cwd(), dryRun, log });
    const now = nowText !== undefined ? instant('--now', nowText) : io.clock();
    const source = memoizedSource(await sourceFor(loaded, list(values, 'records')));
    // Another process saved the state first (its compare-and-swap won): decide again on its state.
    const outcome = await decideAgainOnConflict(() => evaluate$1({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now,
        source,
        dryRun,
        replay: nowText !== undefined,
        secrets: knownSecrets(loaded.policy, process.env),
        ...(since !== undefined && { since: instant('--since', since) }),
        ...(store && { store }),
        ...(log && { log }),
        ...(apply && { apply })
    }), { attempts: STATE_ATTEMPTS });
    io.out(render(outcome, (text(values, 'format') ?? 'text')));
    // Decided (and saved), but an actuator has not applied it yet: say so to scripts too.
    if (outcome.record.applied?.some(a => !a.ok))
        return EXIT_NOT_APPLIED;
    const { decision, reasons } = outcome.record;
    if ((failOn === 'rollback' && decision === 'rollback') ||
        (failOn === 'hold' && decision !== 'promote')) {
        io.err(`rollout-gate: the decision is ${decision} (--fail-on ${failOn}): ${reasons[0] ?? ''}\n`);
        return EXIT_FAIL_ON;
    }
    return EXIT_OK;
}

var evaluate = /*#__PURE__*/Object.freeze({
    __proto__: null,
    runEvaluate: runEvaluate
});

/** `rollout-gate rollback|promote|pause|resume`: a person's decision. */
async function runManual(name, values, io) {
    const weight = text(values, 'weight');
    const toWeight = weight !== undefined ? parseStepWeight(weight, 'usage: --weight') : undefined;
    const nowText = text(values, 'now');
    const loaded = await loadPolicyFile(required(values, 'policy'));
    const store = new FileStateStore(required(values, 'state'), loaded.policy.rollout.name);
    const apply = actuate(loaded.policy, { cwd: io.cwd ?? process.cwd(), dryRun: false });
    const now = nowText !== undefined ? instant('--now', nowText) : io.clock();
    const outcome = await decideAgainOnConflict(() => command({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now,
        store,
        secrets: knownSecrets(loaded.policy, process.env),
        command: name,
        actor: text(values, 'actor')?.trim() || currentUser(),
        reason: text(values, 'reason')?.trim() || `${name} requested`,
        ...(toWeight !== undefined && { toWeight }),
        ...(apply && { apply })
    }), { attempts: STATE_ATTEMPTS });
    io.out(render(outcome, (text(values, 'format') ?? 'text')));
    return outcome.record.applied?.some(a => !a.ok) ? EXIT_NOT_APPLIED : EXIT_OK;
}

var manual = /*#__PURE__*/Object.freeze({
    __proto__: null,
    runManual: runManual
});

/** `rollout-gate status`: the stored state, as a person reads it. */
async function runStatus(values, io) {
    const loaded = await loadPolicyFile(required(values, 'policy'));
    const store = new FileStateStore(required(values, 'state'), loaded.policy.rollout.name);
    const state = await store.load();
    const nowText = text(values, 'now');
    const now = nowText !== undefined ? instant('--now', nowText) : io.clock();
    const format = text(values, 'format') ?? 'text';
    if (format === 'json')
        io.out(JSON.stringify(state ?? null, null, 2) + '\n');
    else {
        const report = statusReport(loaded.policy, state, now);
        io.out(format === 'markdown' ? report.markdown : report.text);
    }
    return EXIT_OK;
}

var status = /*#__PURE__*/Object.freeze({
    __proto__: null,
    runStatus: runStatus
});

/** `rollout-gate validate`: the policy, and with --records, the data against it. */
async function runValidate(values, io) {
    const loaded = await loadPolicyFile(required(values, 'policy'));
    const records = list(values, 'records');
    const log = flag(values, 'verbose') ? stderrLog(io) : undefined;
    let report;
    try {
        log?.phase('Source');
        report =
            records.length > 0 ? await validateData({ loaded, records }) : policyReport(loaded.policy);
    }
    catch (e) {
        // Records that match nothing, or cannot be read at all: a clear error, not a hold.
        if (e instanceof SourceError)
            throw new UsageError(e.message);
        throw e;
    }
    io.out(text(values, 'format') === 'json'
        ? JSON.stringify(report, null, 2) + '\n'
        : validationText(report));
    return report.ok ? EXIT_OK : EXIT_USAGE;
}

var validate = /*#__PURE__*/Object.freeze({
    __proto__: null,
    runValidate: runValidate
});

export { evaluate as e, manual as m, status as s, validate as v };
