import { d as debug, i as info, h as setOutput, j as summary, w as warning, s as setFailed, a as setSecret } from './chunk-actions.js';
import { K as memoizedSource, u as updateState, U as UsageError } from './chunk-base.js';
import { D as explainGitHubError, E as statusOf, b as buildActuators, a as applyAll, w as oneLine, k as knownSecrets, s as sourceFor, d as decideAgainOnConflict, r as recordJson, G as commentMarker, e as evaluate, c as command, n as escapeMarkdown, f as statusReport, W as WEBHOOK_SECRET_ENV, l as loadPolicyFile, R as RepoFiles, F as FileStateStore, H as GitHubStateStore } from './chunk-engine.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { l as logLine, a as logUntrusted, S as SECRET_INPUTS } from './chunk-log.js';
import 'os';
import 'crypto';
import 'fs';
import './chunk-records.js';
import 'node:crypto';
import 'node:fs';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import './chunk-options.js';

/**
 * The pull request to post on: the `pr-number` input when given (an explicit override), else the
 * event's own PR, else the one recorded in the rollout state, else an open PR associated with the
 * commit. None is fine: the verdict then goes to the job summary only.
 *
 * A PR number that reaches a workflow_run from the triggering workflow (an artifact, or the
 * event's list) is untrusted: that workflow may run fork code. It is used only when that PR's head
 * is the commit the triggering run built.
 */
async function findPullRequest(github, repo, event, options) {
    const run = event.eventName === 'workflow_run' ? event.payload.workflow_run : undefined;
    const trusted = async (number) => !run?.head_sha || (await headSha(github, repo, number)) === run.head_sha;
    if (options.input !== undefined) {
        if (await trusted(options.input))
            return { number: options.input, from: 'input' };
        options.warn(`pr-number ${options.input} ignored: its head is not the commit the triggering workflow run built (${run?.head_sha})`);
    }
    const fromEvent = event.payload.pull_request?.number ?? run?.pull_requests?.[0]?.number;
    if (fromEvent !== undefined && (await trusted(fromEvent)))
        return { number: fromEvent, from: 'event' };
    const stored = await options.state();
    if (stored !== undefined)
        return { number: stored, from: 'state' };
    const sha = run?.head_sha ?? event.sha;
    if (!sha)
        return undefined;
    try {
        const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({
            ...repo,
            commit_sha: sha,
            per_page: 100
        });
        const pr = data.find(p => p.state === 'open') ?? data[0];
        return pr ? { number: pr.number, from: 'commit' } : undefined;
    }
    catch (e) {
        options.warn(explainGitHubError(e, `find the pull request of commit ${sha}`, 'pull-requests: read').message);
        return undefined;
    }
}
async function headSha(github, repo, number) {
    try {
        return (await github.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha;
    }
    catch (e) {
        if (statusOf(e) === 404)
            return undefined;
        throw explainGitHubError(e, `read pull request #${number}`, 'pull-requests: read');
    }
}

const CHAT_USAGE = [
    '`/rollout status`',
    '`/rollout promote [to 50%]`',
    '`/rollout pause <reason>`',
    '`/rollout resume`',
    '`/rollout rollback <reason>`',
    'with `<rollout name>:` before the reason when a PR has several rollouts'
];
const VERBS = ['status', 'promote', 'pause', 'resume', 'rollback'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
function parseChatCommand(body) {
    const line = body
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/, 1)[0]
        .trim();
    const m = /^\/rollout(?:\s+(.*))?$/.exec(line);
    if (!m)
        return { kind: 'none' };
    const [word = '', ...words] = (m[1] ?? '').trim().split(/\s+/);
    const verb = word.toLowerCase();
    if (!VERBS.includes(verb)) {
        return malformed(word ? `unknown command \`${clip(word)}\`` : 'a command is missing');
    }
    let rest = words.join(' ').trim();
    let rollout;
    const named = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}):(?:\s+|$)/.exec(rest);
    if (named) {
        rollout = named[1];
        rest = rest.slice(named[0].length).trim();
    }
    else if ((verb === 'status' || verb === 'resume') && rest) {
        if (!NAME.test(rest))
            return malformed(`\`${clip(rest)}\` is not a rollout name`);
        rollout = rest;
        rest = '';
    }
    const command = { verb, ...(rollout && { rollout }) };
    if (verb === 'promote') {
        const to = /^to\s+(\S+)\s*(.*)$/i.exec(rest);
        if (to) {
            const weight = /^(\d+(?:\.\d+)?)%?$/.exec(to[1]);
            const value = weight ? Number(weight[1]) : NaN;
            if (!(value > 0 && value <= 100))
                return malformed(`\`${clip(to[1])}\` is not a weight like 50%`);
            command.toWeight = value;
            rest = to[2].trim();
        }
    }
    if ((verb === 'pause' || verb === 'rollback') && !rest) {
        return malformed(`\`/rollout ${verb}\` needs a reason, e.g. \`/rollout ${verb} answers got worse\``);
    }
    if (rest)
        command.reason = rest.slice(0, 500);
    return { kind: 'command', command };
}
function malformed(problem) {
    return { kind: 'malformed', message: `${problem}. Commands: ${CHAT_USAGE.join(', ')}.` };
}
/** Echo at most a few characters of what the person typed (escaped by the caller's markdown). */
const clip = (s) => s.replace(/`/g, '').slice(0, 40);

/**
 * The pull request conversation as ChatOps needs it: reactions that acknowledge a command, short
 * replies, and the commenter's permission on the repository, asked through the API
 * (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user),
 * never inferred from the comment's author_association.
 */
class Conversation {
    github;
    repo;
    issueNumber;
    constructor(github, repo, issueNumber) {
        this.github = github;
        this.repo = repo;
        this.issueNumber = issueNumber;
    }
    async react(commentId, content) {
        try {
            await this.github.rest.reactions.createForIssueComment({
                ...this.repo,
                comment_id: commentId,
                content
            });
        }
        catch (e) {
            throw explainGitHubError(e, `react to comment ${commentId}`, 'pull-requests: write');
        }
    }
    async reply(body) {
        try {
            const { data } = await this.github.rest.issues.createComment({
                ...this.repo,
                issue_number: this.issueNumber,
                body
            });
            return data.html_url;
        }
        catch (e) {
            throw explainGitHubError(e, `reply on pull request #${this.issueNumber}`, 'pull-requests: write');
        }
    }
    /** True when `login` may change the rollout: write, maintain or admin on the repository. */
    async canWrite(login) {
        try {
            const { data } = await this.github.rest.repos.getCollaboratorPermissionLevel({
                ...this.repo,
                username: login
            });
            // `permission` folds maintain into write and triage into read.
            return data.permission === 'admin' || data.permission === 'write';
        }
        catch (e) {
            if (statusOf(e) === 404)
                return false; // not a collaborator
            throw explainGitHubError(e, `read the permission of ${login}`, 'metadata: read');
        }
    }
}

/** The login GITHUB_TOKEN comments as. */
const ACTIONS_BOT = 'github-actions[bot]';
/**
 * One comment per rollout on a pull request, edited in place. It is found, in order:
 *
 * 1. by the id the rollout state kept from the last run, when that comment is still on this pull
 *    request, still starts with the rollout's hidden marker, and still has the author that wrote
 *    it (so it works with any token: a GitHub App's installation token cannot ask `GET /user` who
 *    it is, and its comments are by `<app>[bot]`, not github-actions[bot]);
 * 2. else by the marker among the comments of the token's own identity: `GET /user` for a user
 *    token, else the author the state remembers, else github-actions[bot] (the workflow token).
 *
 * Only comments by that identity count, so nobody can plant a comment with the marker and have
 * the Action edit (or trust) it. Comments are paged through 100 at a time.
 */
class StickyComment {
    github;
    repo;
    issueNumber;
    marker;
    constructor(github, repo, issueNumber, marker) {
        this.github = github;
        this.repo = repo;
        this.issueNumber = issueNumber;
        this.marker = marker;
    }
    async upsert(body, known) {
        const doing = `comment on pull request #${this.issueNumber}`;
        try {
            const existing = (known && (await this.byId(known))) ?? (await this.find(await this.author(known)));
            if (existing) {
                const author = existing.user?.login ?? known?.author ?? ACTIONS_BOT;
                if (existing.body === body) {
                    return { url: existing.html_url, action: 'unchanged', id: existing.id, author };
                }
                const { data } = await this.github.rest.issues.updateComment({
                    ...this.repo,
                    comment_id: existing.id,
                    body
                });
                return { url: data.html_url, action: 'updated', id: data.id, author };
            }
            const { data } = await this.github.rest.issues.createComment({
                ...this.repo,
                issue_number: this.issueNumber,
                body
            });
            return {
                url: data.html_url,
                action: 'created',
                id: data.id,
                author: data.user?.login ?? ACTIONS_BOT
            };
        }
        catch (e) {
            throw explainGitHubError(e, doing, 'pull-requests: write');
        }
    }
    /** The remembered comment, if it is still ours, on this pull request, with the marker. */
    async byId(known) {
        try {
            const { data } = await this.github.rest.issues.getComment({
                ...this.repo,
                comment_id: known.id
            });
            const here = data.issue_url.endsWith(`/issues/${this.issueNumber}`);
            const ours = data.user?.login === known.author && data.body?.startsWith(this.marker);
            return here && ours ? data : undefined;
        }
        catch (e) {
            if (statusOf(e) === 404)
                return undefined; // deleted: look for it, or post a new one
            throw e;
        }
    }
    /**
     * The token's login: GET /user works for personal and app user tokens; an installation token
     * (GITHUB_TOKEN, or a GitHub App's) gets 403 there: then the author the state remembers, else
     * github-actions[bot].
     */
    async author(known) {
        try {
            return (await this.github.rest.users.getAuthenticated()).data.login;
        }
        catch (e) {
            const status = statusOf(e);
            if (status === 403 || status === 401 || status === 404)
                return known?.author ?? ACTIONS_BOT;
            throw e;
        }
    }
    async find(author) {
        const pages = this.github.paginate.iterator(this.github.rest.issues.listComments, {
            ...this.repo,
            issue_number: this.issueNumber,
            per_page: 100
        });
        for await (const { data } of pages) {
            const mine = data.find(c => c.user?.login === author && c.body?.startsWith(this.marker));
            if (mine)
                return mine;
        }
        return undefined;
    }
}

/** Runs racing on one rollout: each conflict re-reads the state and decides again. */
const STATE_ATTEMPTS = 12;
/**
 * Decide, apply and save; when another run saved the state in between (compare-and-swap), read it
 * again and decide again, a bounded number of times, so concurrent runs make one transition.
 */
async function decideWithRetries({ inputs, loaded, store, github, log }, request, pullRequest) {
    const actuators = buildActuators(loaded.policy.actuators ?? [], {
        cwd: process.cwd(),
        env: process.env,
        ...(github && { github })
    });
    const common = {
        policy: loaded.policy,
        policyHash: loaded.hash,
        store,
        dryRun: inputs.dryRun,
        log,
        // Scrubbed from anything a server sends back before it is posted or saved (the log masks them).
        secrets: [
            ...knownSecrets(loaded.policy, process.env),
            ...(inputs.token ? [inputs.token] : []),
            ...Object.values(inputs.secrets)
        ],
        ...(inputs.canaryVersion && { canaryVersion: inputs.canaryVersion }),
        ...(pullRequest !== undefined && { pullRequest }),
        ...(actuators.length > 0 && {
            apply: async (record, lastApplied) => {
                log.phase('Actuators');
                const applied = await applyAll(actuators, record, {
                    dryRun: inputs.dryRun,
                    ...(lastApplied && { lastApplied })
                });
                for (const a of applied) {
                    logLine(`${a.actuator}: ${a.ok ? (a.changed ? 'applied' : 'unchanged') : 'FAILED'}`);
                    debug(oneLine(`${a.actuator}: ${a.detail}`));
                }
                return applied;
            }
        })
    };
    // One instant and one read of the evidence for all attempts: a retry after a conflict only
    // re-reads the state and decides again, so racing runs settle quickly.
    const now = inputs.now ?? Date.now();
    let decideOnce;
    if (request.command === 'evaluate') {
        const source = memoizedSource(await sourceFor(loaded, inputs.records));
        decideOnce = () => evaluate({ ...common, now, source, replay: inputs.now !== undefined });
    }
    else {
        decideOnce = () => command({ ...common, ...request, now });
    }
    return decideAgainOnConflict(decideOnce, {
        attempts: STATE_ATTEMPTS,
        onRetry: attempt => info(`The rollout state changed during this run (attempt ${attempt}); deciding again on the new state`)
    });
}
/**
 * Outputs, the decision record file, the job summary and the PR comment. A failure to comment
 * never loses the decision (the state is already saved): it is returned for the step to report.
 */
async function publish(outcome, { github, inputs, log }, pr, 
/** Where the comment's id is kept for the next run; undefined on a dry run (nothing is saved). */
store) {
    log.phase('GitHub');
    const r = outcome.record;
    setOutput('decision', r.decision);
    setOutput('weight', String(r.next.weight));
    setOutput('previous-weight', String(r.step.weight));
    setOutput('step', String(r.next.index + 1));
    const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'rollout-gate-'));
    const path = join(dir, 'decision.json');
    await writeFile(path, recordJson(r) + '\n');
    setOutput('report-path', path);
    info(`Decision record: ${path}`);
    const failures = [];
    if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
        await summary.addRaw(outcome.markdown).write();
        info('Job summary written');
    }
    if (github && pr !== undefined) {
        try {
            const comment = new StickyComment(github.client, github.repo, pr, commentMarker(r.rollout));
            const kept = outcome.state.comment;
            const known = kept?.pullRequest === pr ? { id: kept.id, author: kept.author } : undefined;
            const result = await comment.upsert(outcome.markdown, known);
            setOutput('comment-url', result.url);
            logLine(`PR comment ${result.action}: ${result.url}`);
            if (store && (known?.id !== result.id || known.author !== result.author)) {
                await rememberComment(store, { pullRequest: pr, id: result.id, author: result.author });
            }
        }
        catch (e) {
            failures.push(`the decision (${r.decision}) is saved, but ${e.message}`);
        }
    }
    else if (!github) {
        info('No GitHub token or repository: the verdict goes to the job summary only.');
    }
    return failures;
}
/**
 * Keeps the comment's id and author in the rollout state, so the next run edits it whatever the
 * token (a GitHub App's installation token cannot learn its own login). A failure here only means
 * the next run looks the comment up by its marker: it is logged, never fails the step.
 */
async function rememberComment(store, comment) {
    try {
        await updateState(store, state => state.comment?.id === comment.id && state.comment.author === comment.author
            ? undefined
            : { ...state, comment });
    }
    catch (e) {
        logLine(`Could not keep the comment's id in the rollout state: ${e.message}`);
    }
}
/** Actuators that failed: the decision was not applied, and the step must say so. */
function notApplied(outcome) {
    const failed = outcome.record.applied?.filter(a => !a.ok) ?? [];
    return failed.length > 0
        ? [
            `not yet applied: ${failed.map(a => `${a.actuator}: ${a.detail}`).join('; ')} (the decision is saved and stands; the next run applies it again)`
        ]
        : [];
}

/**
 * `/rollout ...` in a pull request comment, the same path as a workflow_dispatch command (one
 * decideWithRetries, the same actuators and sticky comment), acknowledged with reactions: 👀 at
 * once, then 🚀 when done or 😕 when refused or failed. Silently ignored: comments that are not a
 * command, edits and deletions (a command runs once, when posted), comments by bots (the Action's
 * own included), issues that are not pull requests, and commands naming another rollout.
 */
async function runChatCommand(ctx, payload) {
    const { comment, issue } = payload;
    const ignore = (why) => logLine(`Not a command for this rollout: ${why}.`);
    if (!ctx.github)
        throw new UsageError('PR comment commands need the input "github-token"');
    if (!comment || !issue)
        return ignore('the event has no comment');
    if (payload.action !== 'created')
        return ignore(`the comment was ${payload.action}, not created`);
    if (!issue.pull_request)
        return ignore('the comment is on an issue, not a pull request');
    if (comment.user?.type === 'Bot')
        return ignore(`${comment.user.login} is a bot`);
    const parsed = parseChatCommand(comment.body ?? '');
    if (parsed.kind === 'none')
        return ignore('the comment does not start with /rollout');
    const rollout = ctx.loaded.policy.rollout.name;
    if (parsed.kind === 'command' && parsed.command.rollout && parsed.command.rollout !== rollout) {
        return ignore(`it names rollout ${parsed.command.rollout}`);
    }
    const actor = comment.user?.login ?? 'someone';
    const chat = new Conversation(ctx.github.client, ctx.github.repo, issue.number);
    await chat.react(comment.id, 'eyes');
    // Done is a reaction and the updated verdict comment; anything else also gets a short reply.
    const answer = async (ok, text) => {
        if (text)
            await chat.reply(`@${actor} ${text}`);
        await chat.react(comment.id, ok ? 'rocket' : 'confused');
    };
    if (parsed.kind === 'malformed') {
        warning(oneLine(`Malformed command from ${actor}: ${parsed.message}`));
        return answer(false, escapeMarkdown(parsed.message).replace(/\\`/g, '`'));
    }
    const cmd = parsed.command;
    if (cmd.verb === 'status') {
        const state = await ctx.store.load();
        const report = statusReport(ctx.loaded.policy, state, ctx.inputs.now ?? Date.now());
        return answer(true, `here is where the rollout stands:\n\n${report.markdown}`);
    }
    if (!(await chat.canWrite(actor))) {
        const why = `\`/rollout ${cmd.verb}\` refused: changing rollout \`${rollout}\` needs write permission on the repository.`;
        warning(`${actor}: ${why}`);
        return answer(false, why);
    }
    const { verb, toWeight } = cmd;
    const reason = `${cmd.reason ?? `${verb} requested`}${comment.html_url ? ` (${comment.html_url})` : ''}`;
    let outcome;
    try {
        const request = { command: verb, actor, reason, ...(toWeight !== undefined && { toWeight }) };
        outcome = await decideWithRetries(ctx, request, issue.number);
    }
    catch (e) {
        if (!(e instanceof UsageError))
            throw e;
        return answer(false, escapeMarkdown(e.message));
    }
    const store = ctx.inputs.dryRun ? undefined : ctx.store;
    const failures = [...(await publish(outcome, ctx, issue.number, store)), ...notApplied(outcome)];
    logUntrusted(outcome.text);
    if (failures.length > 0) {
        await answer(false, `\`/rollout ${verb}\` failed: ${escapeMarkdown(failures.join('; '))}`);
        setFailed(failures.map(oneLine).join('\n'));
        return;
    }
    await answer(true);
}

/**
 * Where each credential input goes: the environment variables the policy names for it (a policy
 * names variables, never the secrets). An input no part of the policy uses goes nowhere, and
 * `unused` says so, since it is usually a mistake (a source type changed, a judge removed).
 */
function exportSecrets(given, policy, env) {
    const src = policy.source;
    const targets = {
        'webhook-secret': (policy.actuators ?? []).flatMap(a => a.type === 'webhook' ? [a.secretEnv ?? WEBHOOK_SECRET_ENV] : []),
        'prometheus-token': src.type === 'prometheus' ? [src.auth?.bearerTokenEnv] : [],
        'prometheus-password': src.type === 'prometheus' ? [src.auth?.basic?.passwordEnv] : [],
        'langfuse-public-key': src.type === 'langfuse' ? [src.publicKeyEnv] : [],
        'langfuse-secret-key': src.type === 'langfuse' ? [src.secretKeyEnv] : [],
        'database-url': src.type === 'sql' ? [src.urlEnv] : [],
        'judge-api-key': policy.judge ? [policy.judge.apiKeyEnv] : []
    };
    const unused = [];
    for (const input of SECRET_INPUTS) {
        const value = given[input];
        if (value === undefined)
            continue;
        const names = targets[input].filter((n) => n !== undefined);
        if (names.length === 0)
            unused.push(input);
        for (const name of names)
            env[name] = value;
    }
    return { unused };
}

/** A run whose inputs are valid: the policy, then the command (run.ts reports any error). */
async function execute(inputs, log) {
    const loaded = await loadPolicyFile(inputs.policy);
    const { policy } = loaded;
    info(`${loaded.path} (${loaded.hash}): rollout "${policy.rollout.name}", steps ${policy.rollout.steps.join('% ')}%, ${policy.metrics.length} metrics, source ${policy.source.type}`);
    debug(`command ${inputs.command}, state ${inputs.state}, dry-run ${inputs.dryRun}`);
    for (const m of policy.metrics) {
        debug(`metric ${m.name}: ${m.kind} of ${m.from}, ${m.better} is better, mode ${m.mode}`);
    }
    const { unused } = exportSecrets(inputs.secrets, policy, process.env);
    for (const input of unused) {
        warning(`input "${input}" is set, but the policy has nothing that uses it`);
    }
    maskPolicySecrets(policy);
    if (inputs.command === 'plan') {
        setOutput('rollout', policy.rollout.name);
        log.phase('Source');
        await runPlan(inputs, loaded);
        return;
    }
    // The GitHub client (octokit) is loaded once the inputs and the policy are known good.
    const { context } = await import('./chunk-octokit.js').then(function (n) { return n.b; });
    const github = await connect(inputs, context.sha);
    const store = stateStore(inputs, loaded, github);
    const ctx = { inputs, loaded, store, github, log };
    setOutput('rollout', policy.rollout.name);
    if (context.eventName === 'issue_comment') {
        await runChatCommand(ctx, context.payload);
        log.end();
        return;
    }
    if (inputs.command === 'status') {
        log.phase('State');
        const state = await store.load();
        const report = statusReport(policy, state, inputs.now ?? Date.now());
        if (state) {
            setOutput('step', String(state.stepIndex + 1));
            setOutput('weight', String(state.stepIndex < 0 ? 0 : policy.rollout.steps[state.stepIndex]));
        }
        if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
            await summary.addRaw(report.markdown).write();
        }
        log.end();
        logUntrusted(report.text);
        return;
    }
    log.phase('GitHub');
    const pr = github
        ? await findPullRequest(github.client, github.repo, context, {
            ...(inputs.prNumber !== undefined && { input: inputs.prNumber }),
            state: async () => (await store.load())?.pullRequest,
            warn: warning
        })
        : undefined;
    logLine(pr ? `Pull request #${pr.number} (from the ${pr.from})` : 'No pull request to comment on');
    const request = inputs.command === 'evaluate'
        ? { command: 'evaluate' }
        : {
            command: inputs.command,
            actor: inputs.actor,
            reason: inputs.reason || `${inputs.command} requested`,
            ...(inputs.toWeight !== undefined && { toWeight: inputs.toWeight })
        };
    const outcome = await decideWithRetries(ctx, request, pr?.number);
    const failures = [
        ...(await publish(outcome, ctx, pr?.number, inputs.dryRun ? undefined : store)),
        ...notApplied(outcome)
    ];
    log.end();
    logUntrusted(outcome.text);
    const { decision } = outcome.record;
    if ((inputs.failOn === 'rollback' && decision === 'rollback') ||
        (inputs.failOn === 'hold' && decision !== 'promote')) {
        failures.push(`decision is ${decision} (fail-on: ${inputs.failOn}): ${outcome.record.reasons[0] ?? ''}`);
    }
    if (failures.length > 0)
        setFailed(failures.map(oneLine).join('\n'));
}
/**
 * The policy names the environment variables that hold credentials (`secretKeyEnv`, `tokenEnv`,
 * `secretEnv`, ...), never the credentials themselves; mask every such variable's value, however
 * it was set (an input, or `env:` in the workflow).
 */
function maskPolicySecrets(node) {
    if (Array.isArray(node))
        node.forEach(maskPolicySecrets);
    else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
            if (/Env$/.test(key) && typeof value === 'string' && process.env[value]) {
                setSecret(process.env[value]);
            }
            else
                maskPolicySecrets(value);
        }
    }
}
async function connect(inputs, sha) {
    if (!inputs.token)
        return undefined;
    const { createGitHub, parseRepo } = await import('./chunk-client.js');
    const repo = parseRepo(process.env.GITHUB_REPOSITORY);
    if (!repo)
        return undefined;
    const client = createGitHub(inputs.token, { warning: message => warning(message) });
    return { client, repo, files: new RepoFiles(client, repo), sha };
}
function stateStore(inputs, loaded, github) {
    const name = loaded.policy.rollout.name;
    if (inputs.state === 'file')
        return new FileStateStore(inputs.stateFile, name);
    if (!github) {
        throw new UsageError('state: github needs the input "github-token" (default: the workflow token) and GITHUB_REPOSITORY (set on a runner); outside GitHub Actions use state: file with state-file');
    }
    return new GitHubStateStore(github.files, inputs.stateBranch, name);
}
/**
 * `command: plan`: will each step decide, and when? Simulated on the history (the records input
 * or the policy's file source), written to the job summary and the log; the output
 * `undecided-steps` lists the weights of the steps that would not decide by maxDuration.
 */
async function runPlan(inputs, loaded) {
    const { planFromFiles } = await import('./chunk-run.js');
    const { planMarkdown, planText } = await import('./chunk-render.js');
    const result = await planFromFiles(loaded, { records: inputs.records, ...inputs.plan });
    setOutput('undecided-steps', result.steps
        .filter(s => !s.decides)
        .map(s => `${s.weight}%`)
        .join(','));
    if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
        await summary.addRaw(planMarkdown(result)).write();
    }
    logUntrusted(planText(result));
}

export { execute };
