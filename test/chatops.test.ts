import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../examples/generate-traffic.js'
import { parseChatCommand } from '../src/github/chatCommand.js'
import { runAction } from './helpers/action.js'
import { tempDir, writePolicy, writeTraffic } from './helpers/cli.js'
import { GitHubStandIn } from './helpers/githubStandIn.js'

describe('parseChatCommand', () => {
  it.each([
    ['/rollout status', { verb: 'status' }],
    ['/rollout status support-assistant', { verb: 'status', rollout: 'support-assistant' }],
    ['/rollout promote', { verb: 'promote' }],
    ['/rollout promote to 50%', { verb: 'promote', toWeight: 50 }],
    [
      '/rollout promote support-assistant: to 25 looks good',
      { verb: 'promote', rollout: 'support-assistant', toWeight: 25, reason: 'looks good' }
    ],
    [
      '/rollout pause waiting for the eval team',
      { verb: 'pause', reason: 'waiting for the eval team' }
    ],
    ['/rollout resume', { verb: 'resume' }],
    [
      '/rollout rollback support-assistant: answers got worse',
      { verb: 'rollback', rollout: 'support-assistant', reason: 'answers got worse' }
    ],
    [
      '/rollout ROLLBACK  too slow \nmore text on the next line',
      { verb: 'rollback', reason: 'too slow' }
    ]
  ])('%j', (body, command) => {
    expect(parseChatCommand(body)).toEqual({ kind: 'command', command })
  })

  it.each([
    'LGTM',
    'please /rollout rollback x',
    '/rollouts status',
    '> /rollout rollback quoted',
    ''
  ])('ignores %j', body => expect(parseChatCommand(body)).toEqual({ kind: 'none' }))

  it.each([
    ['/rollout', /^a command is missing\. Commands: `\/rollout status`/],
    ['/rollout deploy now', /^unknown command `deploy`/],
    ['/rollout rollback', /^`\/rollout rollback` needs a reason/],
    ['/rollout pause support-assistant:', /^`\/rollout pause` needs a reason/],
    ['/rollout promote to lots', /^`lots` is not a weight like 50%/],
    ['/rollout status two words', /^`two words` is not a rollout name/]
  ])('%j is malformed, with the right form', (body, message) => {
    const parsed = parseChatCommand(body)
    expect(parsed.kind).toBe('malformed')
    expect(parsed.kind === 'malformed' && parsed.message).toMatch(message)
  })
})

describe('PR comment commands (dist/index.js on issue_comment events)', () => {
  let gh: GitHubStandIn
  let dir: string
  let end: string
  const STATE = 'rollouts/support-assistant.json'
  const stateDoc = () => JSON.parse(gh.file('rollout-state', STATE) ?? 'null')

  beforeAll(() => {
    const traffic = tempDir()
    mkdirSync(join(traffic, 'traffic'))
    end = writeTraffic(join(traffic, 'traffic', 'calls.jsonl'), {
      count: 20_000,
      effect: SCENARIOS.promote,
      seed: 3
    }).end
    dir = tempDir()
    cpSync(join(traffic, 'traffic'), join(dir, 'traffic'), { recursive: true })
    writePolicy(dir, '', '[5, 25, 50, 100]')
  })

  beforeEach(async () => {
    gh = await new GitHubStandIn().start()
    gh.pulls.set(12, { state: 'open', head: 'a'.repeat(40) })
    gh.permissions.set('maintainer', 'write')
    gh.permissions.set('reader', 'read')
  })

  afterEach(async () => {
    expect(gh.problems).toEqual([])
    await gh.stop()
  })

  let nextId = 5000
  /** Post `body` as `login` on PR 12 (as the stand-in would store it) and run the Action on it. */
  function comment(
    body: string,
    login: string,
    opts: { action?: string; type?: string; closed?: boolean } = {}
  ) {
    const c = gh.addComment(12, body, login)
    c.id = nextId++
    const payload = {
      action: opts.action ?? 'created',
      comment: {
        id: c.id,
        body,
        html_url: `https://github.test/acme/assistant/pull/12#issuecomment-${c.id}`,
        user: { login, type: opts.type ?? 'User' }
      },
      issue: {
        number: 12,
        state: opts.closed ? 'closed' : 'open',
        pull_request: { url: 'https://github.test/pulls/12' }
      }
    }
    return {
      id: c.id,
      run: () =>
        runAction(gh, dir, { policy: 'policy.yml', now: end }, { name: 'issue_comment', payload })
    }
  }
  const reactions = (id: number) => gh.reactions.filter(r => r.comment === id).map(r => r.content)
  const replies = () =>
    gh.comments.filter(c => c.login === 'github-actions[bot]' && c.body.startsWith('@'))

  it('a maintainer rolls back: seen, done, the verdict comment updated, actor and reason recorded', async () => {
    const c = comment('/rollout rollback answers got worse', 'maintainer')
    const r = await c.run()
    expect(r.status, r.stdout).toBe(0)
    expect(reactions(c.id)).toEqual(['eyes', 'rocket'])
    expect(r.outputs).toMatchObject({ decision: 'rollback', weight: '0' })
    expect(stateDoc()).toMatchObject({ status: 'rolled-back', pullRequest: 12 })
    expect(stateDoc().history[0]).toMatchObject({
      actor: 'maintainer',
      manual: true,
      action: 'rollback'
    })
    expect(stateDoc().history[0].reason).toContain(
      `answers got worse (https://github.test/acme/assistant/pull/12#issuecomment-${c.id})`
    )
    const sticky = gh.comments.find(x =>
      x.body.startsWith('<!-- ai-rollout-gate:support-assistant -->')
    )
    expect(sticky?.body).toContain('Rolled back `support-assistant` by hand')
    expect(replies()).toEqual([])
  })

  it('a read-only user is refused, answered, and nothing moves', async () => {
    const c = comment('/rollout rollback I do not like it', 'reader')
    const r = await c.run()
    expect(r.status, r.stdout).toBe(0)
    expect(reactions(c.id)).toEqual(['eyes', 'confused'])
    expect(replies().map(x => x.body)).toEqual([
      '@reader `/rollout rollback` refused: changing rollout `support-assistant` needs write permission on the repository.'
    ])
    expect(stateDoc()).toBeNull()
    expect(r.stdout).toMatch(/reader: .*refused/)
  })

  it('anyone may ask for the status', async () => {
    const c = comment('/rollout status', 'passer-by')
    const r = await c.run()
    expect(r.status, r.stdout).toBe(0)
    expect(reactions(c.id)).toEqual(['eyes', 'rocket'])
    expect(replies()[0]!.body).toBe(
      '@passer-by here is where the rollout stands:\n\n### `support-assistant`: no state yet\n\nThe first evaluation starts the first step.\n'
    )
  })

  it('a malformed command gets the right form', async () => {
    const c = comment('/rollout rollback', 'maintainer')
    await c.run()
    expect(reactions(c.id)).toEqual(['eyes', 'confused'])
    expect(replies()[0]!.body).toMatch(
      /^@maintainer `\/rollout rollback` needs a reason, e\.g\. `\/rollout rollback answers got worse`\. Commands: /
    )
  })

  it('edited comments, bots (the Action included) and other rollouts are ignored silently', async () => {
    const edited = comment('/rollout rollback now', 'maintainer', { action: 'edited' })
    const bot = comment('/rollout rollback now', 'github-actions[bot]', { type: 'Bot' })
    const other = comment('/rollout rollback billing-bot: broken', 'maintainer')
    const chat = comment('thanks, /rollout looks fine', 'maintainer')
    for (const c of [edited, bot, other, chat]) {
      const r = await c.run()
      expect(r.status, r.stdout).toBe(0)
      expect(r.stdout).toMatch(/Not a command for this rollout/)
    }
    expect(gh.reactions).toEqual([])
    expect(replies()).toEqual([])
    expect(stateDoc()).toBeNull()
  })

  it('works on a closed (merged) pull request: the rollout outlives it', async () => {
    const c = comment('/rollout pause waiting for the eval team', 'maintainer', { closed: true })
    const r = await c.run()
    expect(r.status, r.stdout).toBe(0)
    expect(stateDoc()).toMatchObject({ status: 'paused', paused: { actor: 'maintainer' } })
  })

  it('promote to a weight; two rollbacks racing make one transition', async () => {
    const promote = await comment('/rollout promote to 50%', 'maintainer').run()
    expect(promote.outputs).toMatchObject({ decision: 'promote', weight: '50' })
    const [a, b] = [
      comment('/rollout rollback now', 'maintainer'),
      comment('/rollout rollback too', 'maintainer')
    ]
    const runs = await Promise.all([a.run(), b.run()])
    for (const r of runs) expect(r.status, r.stdout).toBe(0)
    const moves = stateDoc().history.filter((h: { from: number; to: number }) => h.from !== h.to)
    expect(moves.map((h: { from: number; to: number }) => [h.from, h.to])).toEqual([
      [5, 50],
      [50, 0]
    ])
    expect(stateDoc().status).toBe('rolled-back')
    expect([...reactions(a.id), ...reactions(b.id)].sort()).toEqual([
      'eyes',
      'eyes',
      'rocket',
      'rocket'
    ])
  }, 60_000)
})
