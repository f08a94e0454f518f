import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../examples/generate-traffic.js'
import { tempDir, writePolicy, writeTraffic } from './helpers/cli.js'
import { runAction, SHA } from './helpers/action.js'
import { GitHubStandIn } from './helpers/githubStandIn.js'

const STATE = 'rollouts/support-assistant.json'
const MARKER = '<!-- ai-rollout-gate:support-assistant -->'

let gh: GitHubStandIn
let traffic: { dir: string; end: string }

/** A working copy with the policy and traffic that promotes at the 50% step. */
function checkout(extra = ''): string {
  const dir = tempDir()
  cpSync(traffic.dir, join(dir, 'traffic'), { recursive: true })
  writePolicy(dir, extra)
  return dir
}

const stateDoc = () => JSON.parse(gh.file('rollout-state', STATE) ?? 'null')
const ownComments = (issue: number) =>
  gh.comments.filter(
    c => c.issue === issue && c.body.startsWith(MARKER) && c.login === 'github-actions[bot]'
  )
/** A scheduled-style evaluation triggered by pull_request #12, in a fresh working copy. */
const evaluateOnPr12 = (dir = checkout()) =>
  runAction(gh, dir, { policy: 'policy.yml', now: traffic.end }, pullRequestEvent(12))

const pullRequestEvent = (number: number) => ({
  name: 'pull_request',
  payload: { pull_request: { number, head: { sha: SHA } } }
})

beforeAll(() => {
  const dir = tempDir()
  mkdirSync(join(dir, 'traffic'))
  const { end } = writeTraffic(join(dir, 'traffic', 'calls.jsonl'), {
    count: 60_000,
    effect: SCENARIOS.promote,
    seed: 7
  })
  traffic = { dir: join(dir, 'traffic'), end }
})

beforeEach(async () => {
  gh = await new GitHubStandIn().start()
  gh.pulls.set(12, { state: 'open', head: SHA })
})

afterEach(async () => {
  expect(gh.problems, 'requests and answers match GitHub OpenAPI description').toEqual([])
  await gh.stop()
})

describe('the Action on GitHub (dist/index.js against a loopback GitHub API)', () => {
  it('creates the state branch, posts one sticky comment, then edits it in place', async () => {
    const dir = checkout()
    const first = await runAction(
      gh,
      dir,
      { policy: 'policy.yml', now: traffic.end },
      pullRequestEvent(12)
    )
    expect(first.status, first.stdout).toBe(0)
    expect(first.outputs.decision).toBe('promote')
    expect(gh.branches.has('rollout-state')).toBe(true)
    // Revision 1 is the decision; 2 keeps the comment's id for the next run.
    expect(stateDoc()).toMatchObject({ stepIndex: 1, pullRequest: 12, revision: 2 })
    expect(ownComments(12)).toHaveLength(1)
    expect(first.outputs['comment-url']).toMatch(/#issuecomment-\d+$/)
    expect(first.summary).toContain('### ✅ Promote `support-assistant`: 50% → 100%')

    // A scheduled run (no PR in the event) finds the PR through the state and edits the comment.
    const second = await runAction(gh, dir, { policy: 'policy.yml', now: traffic.end })
    expect(second.status, second.stdout).toBe(0)
    expect(second.stdout).toMatch(/Pull request #12 \(from the state\)/)
    expect(second.stdout).toMatch(/PR comment updated/)
    expect(ownComments(12)).toHaveLength(1)
    expect(ownComments(12)[0]!.body).toContain('`support-assistant` is complete at 100%')
    expect(
      gh.requests.filter(r => r.method === 'POST' && r.path.endsWith('/comments'))
    ).toHaveLength(1)
  })

  it("keeps one sticky comment with a GitHub App's installation token: GET /user is 403 and the comments are by <app>[bot]", async () => {
    gh.installationLogin = 'rollout-app[bot]'
    gh.addComment(12, `${MARKER}\nplanted by a person`, 'mallory')
    for (let run = 0; run < 3; run++) {
      const r = await evaluateOnPr12()
      expect(r.status, r.stdout).toBe(0)
    }
    const mine = gh.comments.filter(c => c.login === 'rollout-app[bot]')
    expect(mine).toHaveLength(1)
    expect(mine[0]!.body).toContain('`support-assistant` is complete at 100%')
    // The state keeps the comment's id and author; the look-alike is never touched.
    expect(stateDoc().comment).toEqual({
      pullRequest: 12,
      id: mine[0]!.id,
      author: 'rollout-app[bot]'
    })
    expect(gh.comments.find(c => c.login === 'mallory')!.body).toContain('planted by a person')
    expect(
      gh.requests.filter(r => r.method === 'POST' && r.path.endsWith('/comments'))
    ).toHaveLength(1)
  })

  it('finds its comment among more than 100, and never edits a look-alike written by someone else', async () => {
    for (let i = 0; i < 130; i++) gh.addComment(12, `comment ${i}`, `user${i}`)
    gh.addComment(12, `${MARKER}\nplanted by a person`, 'mallory')
    const mine = gh.addComment(12, `${MARKER}\nold verdict`)
    for (let i = 0; i < 20; i++) gh.addComment(12, `later ${i}`, `user${i}`)
    const r = await evaluateOnPr12()
    expect(r.status, r.stdout).toBe(0)
    expect(mine.body).toContain('Promote `support-assistant`')
    expect(gh.comments.find(c => c.login === 'mallory')!.body).toContain('planted by a person')
    expect(gh.comments).toHaveLength(152)
    const pages = gh.requests.filter(x => x.method === 'GET' && x.path.endsWith('/12/comments'))
    expect(pages.length).toBeGreaterThanOrEqual(2)
  })

  it('finds the PR from the pushed commit', async () => {
    gh.pulls.set(7, { state: 'open', head: SHA })
    gh.commitPulls.set(SHA, [7])
    const r = await runAction(
      gh,
      checkout(),
      { policy: 'policy.yml', now: traffic.end },
      { name: 'push', payload: {} }
    )
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/Pull request #7 \(from the commit\)/)
    expect(ownComments(7)).toHaveLength(1)
    expect(stateDoc().pullRequest).toBe(7)
  })

  it('ignores a pr-number whose head is not the commit the triggering workflow_run built', async () => {
    gh.pulls.set(99, { state: 'open', head: 'f'.repeat(40) })
    const r = await runAction(
      gh,
      checkout(),
      { policy: 'policy.yml', now: traffic.end, 'pr-number': '99' },
      { name: 'workflow_run', payload: { workflow_run: { head_sha: SHA, pull_requests: [] } } }
    )
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/pr-number 99 ignored/)
    expect(ownComments(99)).toHaveLength(0)
  })

  it('ten runs at once on one rollout make exactly one transition', async () => {
    const dir = checkout()
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runAction(gh, dir, { policy: 'policy.yml', now: traffic.end }, pullRequestEvent(12))
      )
    )
    for (const r of runs) expect(r.status, r.stdout).toBe(0)
    const state = stateDoc()
    const moves = state.history.filter((h: { from: number; to: number }) => h.from !== h.to)
    expect(moves).toHaveLength(1)
    expect(state.stepIndex).toBe(1)
    expect(state.history).toHaveLength(10)
    expect(runs.filter(r => r.outputs['previous-weight'] === '50')).toHaveLength(1)
    expect(ownComments(12)).toHaveLength(1)
  }, 120_000)

  it('retries a 502, waits out a secondary rate limit (429 with retry-after), then comments', async () => {
    gh.faults.push({ method: 'GET', path: /\/issues\/12\/comments$/, status: 502 })
    gh.faults.push({
      method: 'POST',
      path: /\/issues\/12\/comments$/,
      status: 429,
      headers: { 'retry-after': '1' },
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
    })
    const r = await evaluateOnPr12()
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/secondary rate limit .* retrying in 1s/)
    const posts = gh.requests.filter(x => x.method === 'POST' && x.path.endsWith('/12/comments'))
    expect(posts.map(p => p.status)).toEqual([429, 201])
  })

  it('a new canary-version starts a fresh rollout at the first step', async () => {
    const dir = checkout()
    const v7 = await runAction(gh, dir, {
      policy: 'policy.yml',
      now: traffic.end,
      'canary-version': 'prompt-v7'
    })
    expect(v7.outputs.decision).toBe('promote')
    expect(stateDoc()).toMatchObject({ status: 'complete', canaryVersion: 'prompt-v7' })
    const v8 = await runAction(gh, dir, {
      policy: 'policy.yml',
      now: traffic.end,
      'canary-version': 'prompt-v8'
    })
    expect(v8.status, v8.stdout).toBe(0)
    expect(v8.outputs).toMatchObject({ decision: 'hold', weight: '50' })
    expect(stateDoc()).toMatchObject({
      status: 'running',
      stepIndex: 0,
      canaryVersion: 'prompt-v8',
      stepStartedAt: new Date(Date.parse(traffic.end)).toISOString(),
      revision: 2
    })
    expect(stateDoc().history).toHaveLength(1)
  })

  it('a 409 on the state write re-reads the state and decides again', async () => {
    gh.faults.push({
      method: 'PUT',
      path: /\/contents\/rollouts\//,
      status: 409,
      message: 'sha does not match'
    })
    const r = await runAction(gh, checkout(), { policy: 'policy.yml', now: traffic.end })
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/rollout state changed during this run/)
    expect(stateDoc()).toMatchObject({ revision: 1, stepIndex: 1 })
  })

  it('refuses to move a rollout whose state document is corrupt', async () => {
    gh.branches.set('rollout-state', new Map([[STATE, '{ not json']]))
    const r = await evaluateOnPr12()
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /rollout state rollouts\/support-assistant.json on branch rollout-state is not valid JSON/
    )
    expect(gh.file('rollout-state', STATE)).toBe('{ not json')
  })

  it('says so when the state branch is protected', async () => {
    gh.branches.set('rollout-state', new Map())
    gh.protectedBranches.add('rollout-state')
    const r = await runAction(gh, checkout(), { policy: 'policy.yml', now: traffic.end })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/branch rollout-state is protected/)
  })

  it('a token that may not comment fails the step but keeps the decision', async () => {
    gh.faults.push({
      method: 'POST',
      path: /\/comments$/,
      status: 403,
      message: 'Resource not accessible by integration'
    })
    const r = await evaluateOnPr12()
    expect(r.status).toBe(1)
    expect(r.outputs.decision).toBe('promote')
    expect(r.stdout).toMatch(
      /decision \(promote\) is saved, but could not comment on pull request #12.*pull-requests: write/
    )
    expect(stateDoc().stepIndex).toBe(1)
  })

  it('a dry run decides and reports but writes no state and applies nothing', async () => {
    gh.branches.get('main')!.set('router.yaml', LITELLM)
    const r = await runAction(
      gh,
      checkout(GIT_FILE),
      { policy: 'policy.yml', now: traffic.end, 'dry-run': 'true' },
      pullRequestEvent(12)
    )
    expect(r.status, r.stdout).toBe(0)
    expect(r.outputs.decision).toBe('promote')
    expect(gh.requests.filter(x => x.method === 'PUT')).toEqual([])
    expect(gh.file('main', 'router.yaml')).toBe(LITELLM)
    expect(r.summary).toMatch(/dry run: would set/)
  })
})

const LITELLM = `# LiteLLM router: the gate moves the weights below.
model_list:
  - model_name: support-assistant
    litellm_params:
      model: openai/gpt-4o
      weight: 50 # stable prompt v6
  - model_name: support-assistant
    litellm_params:
      model: openai/gpt-4o-v7
      weight: 50 # candidate prompt v7
router_settings:
  routing_strategy: simple-shuffle
`

const GIT_FILE = `actuators:
  - type: git-file
    file: router.yaml
    set:
      - { path: 'model_list[1].litellm_params.weight', arm: canary }
      - { path: 'model_list[0].litellm_params.weight', arm: baseline }
  - type: workflow-dispatch
    workflow: deploy.yml
  - type: deployment
    environment: production
`

describe('applying decisions and manual commands', () => {
  let hook: {
    url: string
    calls: { body: string; signature: string }[]
    close: () => void
    failures: number
  }

  beforeAll(async () => {
    const calls: { body: string; signature: string }[] = []
    const h = { url: '', calls, close: () => server.close(), failures: 0 }
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', d => (body += d))
      req.on('end', () => {
        if (h.failures > 0) {
          h.failures--
          res.writeHead(503).end()
          return
        }
        calls.push({ body, signature: String(req.headers['x-rollout-gate-signature-256']) })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    h.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/rollout?token=abc`
    hook = h
  })
  afterAll(() => hook.close())
  beforeEach(() => {
    hook.calls.length = 0
    hook.failures = 0
  })

  const withHook = () => `${GIT_FILE}  - type: webhook\n    url: '${hook.url}'\n    retries: 1\n`

  it('a promotion commits the weights (comments kept), dispatches, records a deployment and calls the signed webhook', async () => {
    gh.branches.get('main')!.set('router.yaml', LITELLM)
    const r = await runAction(
      gh,
      checkout(withHook()),
      { policy: 'policy.yml', now: traffic.end, 'webhook-secret': 's3cret' },
      pullRequestEvent(12)
    )
    expect(r.status, r.stdout).toBe(0)
    const file = gh.file('main', 'router.yaml')!
    expect(file).toBe(
      LITELLM.replace('weight: 50 # stable', 'weight: 0 # stable').replace(
        'weight: 50 # candidate',
        'weight: 100 # candidate'
      )
    )
    const commit = gh.requests.find(x => x.method === 'PUT' && x.path.endsWith('/router.yaml'))
    expect((commit?.body as { message: string }).message).toMatch(
      /^rollout support-assistant: promote 50% → 100%/
    )
    expect(gh.dispatches).toEqual([
      {
        workflow: 'deploy.yml',
        ref: 'main',
        inputs: { decision: 'promote', weight: '100', rollout: 'support-assistant' }
      }
    ])
    expect(gh.deploymentStatuses.map(s => s.state)).toEqual(['success'])
    expect(hook.calls).toHaveLength(1)
    const expected = `sha256=${createHmac('sha256', 's3cret').update(hook.calls[0]!.body).digest('hex')}`
    expect(hook.calls[0]!.signature).toBe(expected)
    expect(JSON.parse(hook.calls[0]!.body).decision).toBe('promote')
    const log = r.stdout.replace(/^::add-mask::.*$/gm, '')
    expect(log).not.toContain('s3cret')
    expect(log).not.toContain('token=abc')
  })

  it('a webhook that stays down: the decision is saved and stands, the step fails saying it is not yet applied, and the next run applies it', async () => {
    hook.failures = 5
    gh.branches.get('main')!.set('router.yaml', LITELLM)
    const dir = checkout(withHook())
    const r = await runAction(
      gh,
      dir,
      { policy: 'policy.yml', now: traffic.end },
      pullRequestEvent(12)
    )
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /not yet applied: webhook http:\/\/127\.0\.0\.1:\d+: POST to .* failed: HTTP 503/
    )
    // DESIGN.md principle 8: saved first; the webhook is what lags, not the decision.
    expect(stateDoc()).toMatchObject({ status: 'complete', desired: { weight: 100 } })
    expect(stateDoc().desired.appliedAt).toBeUndefined()
    expect(ownComments(12)[0]!.body).toMatch(/not yet applied everywhere/)
    expect(ownComments(12)[0]!.body).toMatch(/Not yet applied to webhook/)
    // The webhook is back: the next run delivers the saved decision and says it is done.
    hook.failures = 0
    const next = await runAction(
      gh,
      dir,
      { policy: 'policy.yml', now: traffic.end },
      pullRequestEvent(12)
    )
    expect(next.status, next.stdout).toBe(0)
    expect(stateDoc().desired.appliedAt).toBeDefined()
    expect(ownComments(12)).toHaveLength(1)
    expect(ownComments(12)[0]!.body).not.toMatch(/not yet applied/)
  })

  it('a manual rollback sets the canary to 0 at once, is recorded with the actor, and is idempotent', async () => {
    gh.branches.get('main')!.set('router.yaml', LITELLM)
    const dir = checkout(GIT_FILE)
    const inputs = {
      policy: 'policy.yml',
      command: 'rollback',
      reason: 'answers got worse @team',
      'pr-number': '12'
    }
    const first = await runAction(gh, dir, inputs, { name: 'workflow_dispatch', payload: {} })
    expect(first.status, first.stdout).toBe(0)
    expect(first.outputs).toMatchObject({ decision: 'rollback', weight: '0' })
    expect(gh.file('main', 'router.yaml')).toContain('weight: 0 # candidate')
    expect(stateDoc()).toMatchObject({ status: 'rolled-back' })
    expect(stateDoc().history[0]).toMatchObject({
      actor: 'octocat',
      manual: true,
      reason: expect.stringContaining('answers got worse @team')
    })
    const commits = () =>
      gh.requests.filter(x => x.method === 'PUT' && x.path.endsWith('/router.yaml')).length
    expect(commits()).toBe(1)

    const second = await runAction(gh, dir, inputs, { name: 'workflow_dispatch', payload: {} })
    expect(second.status, second.stdout).toBe(0)
    expect(second.outputs).toMatchObject({ decision: 'rollback', weight: '0' })
    expect(commits()).toBe(1)
    expect(stateDoc().status).toBe('rolled-back')
    // Text from people and data is escaped: no mention of @team, no markup (the JSON record below
    // the summary is in a code fence, where GitHub makes no mentions).
    const body = ownComments(12)[0]!.body.split('<details>')[0]!
    expect(body).toContain('Rolled back `support-assistant` by hand')
    expect(body).toContain('answers got worse @\u200bteam')
    expect(body).not.toMatch(/(^|[^\u200b])@team/)
    expect(gh.deploymentStatuses.map(s => s.state)).toEqual(['failure', 'failure'])
  })
})
