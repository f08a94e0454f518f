import { r as recordJson, l as loadPolicyFile, F as FileStateStore, b as buildActuators, e as evaluate$1, a as applyAll, s as sourceFor, c as command, d as statusReport, v as validateData, p as policyReport, f as validationText } from './chunk-engine.js';
import { G as progressPrinter, U as UsageError, H as EXIT_FAIL_ON, J as EXIT_OK, K as parseStepWeight, L as SourceError, M as EXIT_USAGE } from './chunk-base.js';
import { userInfo } from 'node:os';

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
/** ISO-8601 with a date and, when a time is given, an explicit zone (no local-time guessing). */
function instant(flagName, value) {
    const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
    const t = Date.parse(value);
    if (!ok || Number.isNaN(t)) {
        throw new UsageError(`usage: ${flagName} must be an ISO-8601 instant such as 2026-11-26T14:00:00Z, not "${value}"`);
    }
    return t;
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
    const actuators = buildActuators(loaded.policy.actuators ?? [], {
        cwd: process.cwd(),
        env: process.env
    });
    const outcome = await evaluate$1({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now: nowText !== undefined ? instant('--now', nowText) : io.clock(),
        source: await sourceFor(loaded, list(values, 'records')),
        dryRun,
        replay: nowText !== undefined,
        ...(since !== undefined && { since: instant('--since', since) }),
        ...(store && { store }),
        ...(log && { log }),
        ...(actuators.length > 0 && {
            apply: async (record) => {
                log?.phase('Actuators');
                const applied = await applyAll(actuators, record, dryRun);
                for (const a of applied)
                    log?.info(`${a.actuator}: ${a.ok ? 'ok' : 'failed'}`);
                return applied;
            }
        })
    });
    io.out(render(outcome, (text(values, 'format') ?? 'text')));
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
    const actuators = buildActuators(loaded.policy.actuators ?? [], {
        cwd: process.cwd(),
        env: process.env
    });
    const outcome = await command({
        policy: loaded.policy,
        policyHash: loaded.hash,
        now: nowText !== undefined ? instant('--now', nowText) : io.clock(),
        store,
        command: name,
        actor: text(values, 'actor')?.trim() || currentUser(),
        reason: text(values, 'reason')?.trim() || `${name} requested`,
        ...(toWeight !== undefined && { toWeight }),
        ...(actuators.length > 0 && {
            apply: (record) => applyAll(actuators, record, false)
        })
    });
    io.out(render(outcome, (text(values, 'format') ?? 'text')));
    return EXIT_OK;
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
