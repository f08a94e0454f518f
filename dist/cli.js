import { U as UsageError, d as distance, W as VERSION, N as EXIT_OK, V as EXIT_USAGE, P as PolicyError, a as StateError, T as SourceError, X as EXIT_BUG } from './chunk-base.js';
import { parseArgs } from 'node:util';

const NOT_APPLIED = '4  the decision is saved, but an actuator has not applied it yet (every run applies it again)';
const policy = {
    name: 'policy',
    type: 'string',
    value: 'FILE',
    help: 'the rollout policy (YAML)',
    required: true
};
const records = {
    name: 'records',
    type: 'string',
    multiple: true,
    value: 'FILE_OR_GLOB',
    help: "read these files instead of the policy's file source (repeatable)"
};
const now = {
    name: 'now',
    type: 'string',
    value: 'ISO-8601',
    help: 'decide as of this instant; later records are ignored (default: now)'
};
const actor = {
    name: 'actor',
    type: 'string',
    value: 'NAME',
    help: 'who runs the command (default: the current user)'
};
const format = (choices, about) => ({
    name: 'format',
    type: 'string',
    value: choices.join('|'),
    choices,
    help: about
});
const verbose = {
    name: 'verbose',
    type: 'boolean',
    short: 'v',
    help: 'tell what the run does, phase by phase, with progress and detail, on stderr'
};
const state = (required) => ({
    name: 'state',
    type: 'string',
    value: 'FILE',
    help: required
        ? 'the rollout state (JSON) it reads and writes'
        : 'the rollout state (JSON); without it, the rollout is at its first step',
    ...(required && { required: true })
});
const evaluate = {
    name: 'evaluate',
    summary: "collect the current step's evidence and decide promote, hold or rollback",
    description: "Collects the current step's evidence (from the policy's source, or --records), compares the canary with the baseline, decides promote, hold or rollback, prints the verdict, applies it through the policy's actuators and, with --state, writes the next state.",
    options: [
        policy,
        records,
        state(false),
        {
            name: 'since',
            type: 'string',
            value: 'ISO-8601',
            help: 'without a state: when the first step began (default: the first canary record)'
        },
        now,
        format(['text', 'json', 'markdown'], 'text (default), json (the decision record), markdown (the PR comment)'),
        {
            name: 'dry-run',
            type: 'boolean',
            help: 'decide and print, but apply nothing and save no state'
        },
        {
            name: 'fail-on',
            type: 'string',
            value: 'rollback|hold',
            choices: ['none', 'rollback', 'hold'],
            help: 'exit 3 when the decision is a rollback (rollback), or anything but a promotion (hold); for CI systems that gate on exit statuses'
        },
        verbose
    ],
    exits: [
        '3  with --fail-on: the decision matched it (the verdict is printed as usual)',
        NOT_APPLIED
    ],
    run: async (values, io) => (await import('./chunk-cli-commands.js').then(function (n) { return n.e; })).runEvaluate(values, io)
};
const MANUAL = {
    rollback: 'roll the canary back to 0%, whatever the analysis says',
    promote: 'promote the canary to the next step (or --weight), whatever the analysis says',
    pause: 'pause the rollout: evaluations hold until resume',
    resume: 'resume a paused rollout (or restart a rolled-back one at its first step)'
};
const manual = (name) => ({
    name,
    summary: MANUAL[name],
    description: `A person's decision: it overrides the analysis, is applied through the policy's actuators, and is recorded in the state's history with --actor and --reason (and posted on the PR by the Action). ${name === 'resume' ? '' : '--reason is required. '}No evidence is read, so a source that is down cannot block it.`,
    options: [
        policy,
        state(true),
        {
            name: 'reason',
            type: 'string',
            value: 'TEXT',
            help: 'why (recorded with the decision)',
            ...(name !== 'resume' && { required: true })
        },
        actor,
        ...(name === 'promote'
            ? [
                {
                    name: 'weight',
                    type: 'string',
                    value: 'PERCENT',
                    help: 'go straight to the step with this canary weight (e.g. 50) instead of the next one'
                }
            ]
            : []),
        now,
        format(['text', 'json', 'markdown'], 'text (default), json (the decision record), markdown')
    ],
    exits: [NOT_APPLIED],
    run: async (values, io) => (await import('./chunk-cli-commands.js').then(function (n) { return n.m; })).runManual(name, values, io)
});
const status = {
    name: 'status',
    summary: 'where the rollout stands: its verdict, step progress and history',
    description: "Prints the rollout as its state records it: the current verdict and why, the step and how long it has run against the policy's bake time and limit, and the history of transitions with who made them. Reads nothing else.",
    options: [
        policy,
        state(true),
        now,
        format(['text', 'json', 'markdown'], 'text (default), json (the stored state), markdown')
    ],
    run: async (values, io) => (await import('./chunk-cli-commands.js').then(function (n) { return n.s; })).runStatus(values, io)
};
const validate = {
    name: 'validate',
    summary: 'check a policy, and that records carry every field it reads',
    description: "Checks the policy; with --records, reads every record (whatever its time) and checks that the data carries what the policy reads: a timestamp and the arm field on each line, records for both arms, values for every metric's fields in both arms, the segment dimensions, the unit field, and prices for the models served. A field the data lacks is named with the fields that look like it. Records that match no file are an error here (evaluate would hold).",
    options: [policy, records, format(['text', 'json'], 'text (default), json'), verbose],
    exits: ['2  also when the data does not fit the policy (each problem is listed)'],
    run: async (values, io) => (await import('./chunk-cli-commands.js').then(function (n) { return n.v; })).runValidate(values, io)
};
/** Every command, in the order `--help` lists them. */
const COMMANDS = [
    evaluate,
    manual('rollback'),
    manual('promote'),
    manual('pause'),
    manual('resume'),
    status,
    validate
];

const PROGRAM = 'rollout-gate';
/** Options every command takes. */
const HELP_OPTION = {
    name: 'help',
    type: 'boolean',
    short: 'h',
    help: "this command's help"
};
/**
 * The command's options from argv (the arguments after the command name). Unknown options get a
 * did-you-mean over this command's options, and name the commands they belong to; a value outside
 * an option's choices names the allowed ones.
 */
function parseCommandArgs(spec, argv, all) {
    const options = [...spec.options, HELP_OPTION];
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: Object.fromEntries(options.map(o => [
                o.name,
                {
                    type: o.type,
                    ...(o.multiple && { multiple: true }),
                    ...(o.short && { short: o.short })
                }
            ]))
        });
    }
    catch (e) {
        throw new UsageError(`usage: ${parseError(e, spec, all)}`);
    }
    const values = parsed.values;
    if (values.help)
        return values;
    if (parsed.positionals.length > 0) {
        throw new UsageError(`usage: unexpected argument "${parsed.positionals[0]}" after ${spec.name}`);
    }
    for (const o of options) {
        const v = values[o.name];
        if (o.required && (v === undefined || (typeof v === 'string' && v.trim() === ''))) {
            throw new UsageError(`usage: ${spec.name} needs --${o.name} ${o.value ?? ''}`.trimEnd());
        }
        if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
            throw new UsageError(`usage: --${o.name} must be ${orList(o.choices)}, not "${v}"${hint(v, o.choices)}`);
        }
    }
    return values;
}
/** Node's parseArgs errors, in our words. */
function parseError(e, spec, all) {
    const code = e.code;
    const message = e instanceof Error ? e.message : String(e);
    const quoted = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
        const name = quoted.replace(/^-+/, '').split('=')[0];
        const elsewhere = all.filter(c => c.options.some(o => o.name === name)).map(c => c.name);
        if (elsewhere.length > 0) {
            return `--${name} is not an option of ${spec.name}: it is for ${orList(elsewhere, 'and')}`;
        }
        const names = [...spec.options, HELP_OPTION].map(o => o.name);
        return `unknown option ${quoted} for ${spec.name}${hint(name, names, '--')}`;
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
        const name = quoted.replace(/^-+/, '');
        const option = spec.options.find(o => o.name === name || o.short === name);
        if (option?.type === 'string')
            return `--${option.name} needs a value (${option.value ?? 'TEXT'})`;
        return `--${option?.name ?? name} takes no value`;
    }
    return message;
}
/** `; did you mean --policy?` when a candidate is a typo away. */
function hint(word, candidates, prefix = '') {
    let best;
    const limit = word.length <= 4 ? 1 : 2;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d <= limit && (!best || d < best.d))
            best = { candidate, d };
    }
    return best ? `; did you mean ${prefix}${best.candidate}?` : '';
}
const orList = (items, word = 'or') => items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
/** `evaluate --policy FILE [--records FILE_OR_GLOB ...] [--dry-run]`, from the options. */
function usageLine(spec) {
    const parts = spec.options.map(o => {
        const text = `--${o.name}${o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.value ?? 'TEXT')}` : ''}${o.multiple ? ' ...' : ''}`;
        return o.required ? text : `[${text}]`;
    });
    return `${spec.name} ${parts.join(' ')}`;
}
/**
 * Wraps words to `width` columns, continuation lines indented by `indent`. A bracketed group
 * (`[--since ISO-8601]`) is one word.
 */
function wrap(text, width, indent) {
    const lines = [];
    let line = '';
    for (const word of text.match(/\[[^\]]*\]|\S+/g) ?? []) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = indent + word;
        }
        else
            line = line ? `${line} ${word}` : word;
    }
    if (line)
        lines.push(line);
    return lines;
}
const COMMON_EXITS = [
    '2  a usage, policy or state error (the message says what and where)',
    '1  a bug (please report it)'
];
/** `rollout-gate evaluate --help`. */
function commandHelp(spec) {
    const usage = spec.usage ?? [usageLine(spec).slice(spec.name.length + 1)];
    const lines = [
        `${PROGRAM} ${spec.name}: ${spec.summary}`,
        '',
        'Usage:',
        ...usage.flatMap(u => wrap(`${PROGRAM} ${spec.name} ${u}`, 96, ' '.repeat(PROGRAM.length + spec.name.length + 4)).map(l => `  ${l}`)),
        '',
        ...wrap(spec.description, 96, ''),
        '',
        'Options:'
    ];
    const shown = [...spec.options, HELP_OPTION];
    const labels = shown.map(o => `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ` ${o.value ?? 'TEXT'}` : ''}`);
    const width = Math.max(...labels.map(l => l.length)) + 2;
    shown.forEach((o, i) => {
        const text = `${o.help}${o.required ? ' (required)' : ''}`;
        const [first, ...rest] = wrap(text, 96 - width - 2, '');
        lines.push(`  ${labels[i].padEnd(width)}${first ?? ''}`);
        for (const more of rest)
            lines.push(`  ${' '.repeat(width)}${more}`);
    });
    lines.push('', 'Exit status:', ...['0  done', ...(spec.exits ?? []), ...COMMON_EXITS].map(e => `  ${e}`));
    return lines.join('\n') + '\n';
}
/** `rollout-gate --help`: every command's usage, then how to get more. */
function globalHelp(commands) {
    const width = Math.max(...commands.map(c => c.name.length)) + 2;
    const lines = [
        `${PROGRAM}: gate the rollout of an AI change on live traffic.`,
        '',
        'Usage:',
        ...commands.flatMap(c => (c.usage ?? [usageLine(c).slice(c.name.length + 1)]).flatMap(u => wrap(`${PROGRAM} ${c.name} ${u}`, 96, ' '.repeat(PROGRAM.length + c.name.length + 4)).map(l => `  ${l}`))),
        `  ${PROGRAM} --version | COMMAND --help`,
        '',
        'Commands:',
        ...commands.map(c => `  ${c.name.padEnd(width)}${c.summary}`),
        '',
        `Run \`${PROGRAM} COMMAND --help\` for a command's options.`,
        '',
        'Exit status: 0 when the command did its work (whatever the decision); 3 when evaluate',
        '--fail-on matches the decision; 2 for a usage, policy or state error (or, for validate, data',
        'that does not fit the policy); 1 for a bug.'
    ];
    return lines.join('\n') + '\n';
}

/** `rollout-gate --help`. */
const HELP = globalHelp(COMMANDS);
/** Runs the CLI and returns the exit status; never throws. */
async function main(argv, io) {
    let spec;
    try {
        const [first, ...rest] = argv;
        if (first === '--version' || first === '-V') {
            io.out(`${VERSION}\n`);
            return EXIT_OK;
        }
        if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
            const about = first === 'help' && rest[0] !== undefined ? command(rest[0]) : undefined;
            if (first === undefined) {
                io.err(HELP);
                return EXIT_USAGE;
            }
            io.out(about ? commandHelp(about) : HELP);
            return EXIT_OK;
        }
        spec = command(first);
        const values = parseCommandArgs(spec, rest, COMMANDS);
        if (values.help) {
            io.out(commandHelp(spec));
            return EXIT_OK;
        }
        return await spec.run(values, io);
    }
    catch (e) {
        if (e instanceof UsageError ||
            e instanceof PolicyError ||
            e instanceof StateError ||
            e instanceof SourceError) {
            io.err(`${PROGRAM}: ${e.message}\n`);
            // Flag and command mistakes, not policy or state problems, point to the help.
            if (e instanceof UsageError && e.message.startsWith('usage:')) {
                io.err(`Run \`${PROGRAM} ${spec ? `${spec.name} ` : ''}--help\` for usage.\n`);
            }
            return EXIT_USAGE;
        }
        io.err(`${PROGRAM}: internal error (a bug; please report it): ${e.stack ?? String(e)}\n`);
        return EXIT_BUG;
    }
}
/** The command named `name`, or a usage error with the closest one. */
function command(name) {
    const spec = COMMANDS.find(c => c.name === name);
    if (spec)
        return spec;
    const names = COMMANDS.map(c => c.name);
    if (name.startsWith('-')) {
        throw new UsageError(`usage: the command comes first (${names.join(', ')}), then its options; got "${name}"`);
    }
    throw new UsageError(`usage: unknown command "${name}"${hint(name, names)}; expected one of ${names.join(', ')}`);
}

// The CLI entry (bundled to dist/cli.js, run by bin/rollout-gate.js): the process edge only.
main(process.argv.slice(2), {
    out: s => process.stdout.write(s),
    err: s => process.stderr.write(s),
    clock: () => Date.now()
}).then(code => {
    process.exitCode = code;
});
