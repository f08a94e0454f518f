import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildActuators } from '../src/actuators/build.js'
import { parseWeightPath, setWeights } from '../src/actuators/weightPath.js'
import { signature, WebhookActuator } from '../src/actuators/webhook.js'
import { deploymentDescription } from '../src/actuators/githubActuators.js'
import { createGitHub } from '../src/github/client.js'
import { StickyComment } from '../src/github/stickyComment.js'
import { parsePolicy } from '../src/policy/parse.js'
import type { DecisionRecord } from '../src/report/record.js'
import { tempDir } from './helpers/cli.js'
import { GitHubStandIn } from './helpers/githubStandIn.js'

const EXAMPLES = join(import.meta.dirname, '..', 'examples', 'actuators')

function record(from: number, to: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    decision: to > from ? 'promote' : to < from ? 'rollback' : 'hold',
    rollout: 'support-assistant',
    status: 'running',
    step: { index: 0, weight: from },
    next: { index: 1, weight: to },
    complete: false,
    steps: [5, 25, 50, 100],
    evaluatedAt: '2026-11-02T12:00:00.000Z',
    window: null,
    policy: { hash: 'sha256:0123456789abcdef', confidence: 0.95 },
    source: null,
    arms: { baseline: { n: 0, units: 0 }, canary: { n: 0, units: 0 } },
    metrics: [],
    segments: [],
    checks: [],
    reasons: ['all 4 gating metrics are within tolerance'],
    ...overrides
  }
}

describe('weight paths', () => {
  it('parses keys, indexes and [key=value] selectors', () => {
    expect(parseWeightPath('model_list[name=gpt-4o v7].litellm_params.weight')).toEqual([
      'model_list',
      { key: 'name', value: 'gpt-4o v7' },
      'litellm_params',
      'weight'
    ])
    expect(parseWeightPath('a.fractional[1][1]')).toEqual(['a', 'fractional', 1, 1])
  })

  it.each(['', 'a..b', 'a.', '.a', 'a[x', 'a]b'])('rejects %j with where it broke', path => {
    expect(() => parseWeightPath(path)).toThrow(/weight path .* is malformed near character \d+/)
  })

  it('names the missing step instead of creating a key', () => {
    const yaml = 'spec:\n  rules:\n    - backendRefs:\n        - { name: v6, weight: 100 }\n'
    expect(() =>
      setWeights(yaml, false, [{ path: 'spec.rules[0].backendRefs[name=v7].weight', value: 5 }])
    ).toThrow('no list item with name = v7 under spec.rules[0].backendRefs')
    expect(() => setWeights(yaml, false, [{ path: 'spec.rule[0].x', value: 5 }])).toThrow(
      'key "rule" under spec does not exist'
    )
  })
})

describe('git-file on the four example configs (the CLI edits the working tree)', () => {
  const policyText = (dir: string) =>
    `version: 1
rollout: { name: support-assistant, steps: [5, 25, 50, 100] }
arms: { field: arm, baseline: stable, canary: candidate }
source: { type: file, path: x.jsonl }
metrics:
  - { name: q, from: score, kind: mean, better: higher, tolerance: 2% }
${readFileSync(join(EXAMPLES, 'policy-actuators.yml'), 'utf8').replaceAll('examples/actuators/', dir)}`

  it('sets the canary and baseline weights, keeping comments and layout', async () => {
    const dir = tempDir()
    cpSync(EXAMPLES, dir, { recursive: true })
    const policy = parsePolicy(policyText(''), 'policy.yml')
    const actuators = buildActuators(policy.actuators ?? [], { cwd: dir, env: {} }).slice(0, 4)
    for (const a of actuators) {
      const result = await a.apply(record(5, 25), { dryRun: false })
      expect(result.changed, result.detail).toBe(true)
    }
    const read = (f: string) => readFileSync(join(dir, f), 'utf8')
    const original = (f: string) => readFileSync(join(EXAMPLES, f), 'utf8')
    expect(read('litellm-config.yaml')).toBe(
      original('litellm-config.yaml')
        .replace('weight: 95 # baseline', 'weight: 75 # baseline')
        .replace('weight: 5 # canary', 'weight: 25 # canary')
    )
    expect(read('httproute.yaml')).toBe(
      original('httproute.yaml')
        .replace('weight: 95', 'weight: 75')
        .replace('weight: 5', 'weight: 25')
    )
    const portkey = JSON.parse(read('portkey-config.json'))
    expect(portkey.targets.map((t: { weight: number }) => t.weight)).toEqual([0.75, 0.25])
    const flagd = JSON.parse(read('flagd-flags.json'))
    expect(flagd.flags['support-prompt'].targeting.fractional).toEqual([
      { var: 'targetingKey' },
      ['v7', 25],
      ['v6', 75]
    ])
    // Applying the same decision again changes nothing (a rerun is safe).
    const again = await actuators[0]!.apply(record(5, 25), { dryRun: false })
    expect(again).toMatchObject({ changed: false })
    expect(again.detail).toMatch(/already has/)
  })

  it('a dry run says what it would set and leaves the file alone', async () => {
    const dir = tempDir()
    cpSync(EXAMPLES, dir, { recursive: true })
    const policy = parsePolicy(policyText(''), 'policy.yml')
    const [litellm] = buildActuators(policy.actuators ?? [], { cwd: dir, env: {} })
    const result = await litellm!.apply(record(5, 0), { dryRun: true })
    expect(result.detail).toMatch(
      /^dry run: would set model_list\[1\]\.litellm_params\.weight = 0, model_list\[0\]\.litellm_params\.weight = 100/
    )
    expect(readFileSync(join(dir, 'litellm-config.yaml'), 'utf8')).toBe(
      readFileSync(join(EXAMPLES, 'litellm-config.yaml'), 'utf8')
    )
  })

  it('GitHub actuators outside the Action say they were skipped', async () => {
    const policy = parsePolicy(policyText('.'), 'policy.yml')
    const [dispatch, deployment] = buildActuators(policy.actuators ?? [], {
      cwd: '.',
      env: {}
    }).slice(4)
    expect(await dispatch!.apply(record(5, 25), { dryRun: false })).toMatchObject({
      changed: false,
      detail: 'skipped: runs only in the Action'
    })
    expect((await deployment!.apply(record(5, 25), { dryRun: false })).changed).toBe(false)
  })
})

describe('webhook', () => {
  let close: (() => void) | undefined
  afterEach(() => close?.())

  async function serve(statuses: { status: number; headers?: Record<string, string> }[]) {
    const seen: { body: string; headers: Record<string, unknown> }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', d => (body += d))
      req.on('end', () => {
        seen.push({ body, headers: req.headers })
        const next = statuses.shift() ?? { status: 200 }
        res.writeHead(next.status, next.headers).end()
      })
    })
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    close = () => server.close()
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen }
  }

  const spec = (url: string, retries = 2) =>
    ({ type: 'webhook', url, timeout: 5000, retries, on: 'change' }) as const

  it('signs the body with HMAC-SHA256 and honours retry-after on a 429', async () => {
    const { url, seen } = await serve([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 202 }
    ])
    const waits: number[] = []
    const hook = new WebhookActuator(spec(url), 'k3y', async ms => void waits.push(ms))
    const result = await hook.apply(record(5, 25), { dryRun: false })
    expect(result).toMatchObject({ changed: true, detail: expect.stringMatching(/HTTP 202/) })
    expect(waits).toEqual([2000])
    expect(seen).toHaveLength(2)
    // RFC 2104 HMAC-SHA256 of "hello" under key "k3y", computed with `openssl dgst -sha256 -hmac k3y`.
    expect(signature('k3y', 'hello')).toBe(
      'sha256=876e76604d6817debfcac7bda97f616a5641178941207e9d557beac9e44bc25a'
    )
    expect(seen[1]!.headers['x-rollout-gate-signature-256']).toBe(signature('k3y', seen[1]!.body))
  })

  it('gives up after its retries, with the status and only the origin of the URL', async () => {
    const { url } = await serve([{ status: 500 }, { status: 502 }, { status: 503 }])
    const hook = new WebhookActuator(spec(`${url}?token=secret`), undefined, async () => undefined)
    await expect(hook.apply(record(5, 25), { dryRun: false })).rejects.toThrow(
      /^POST to http:\/\/127\.0\.0\.1:\d+ failed: HTTP 503$/
    )
  })

  it('is not called for a hold when on: change', async () => {
    const { url, seen } = await serve([])
    const hook = new WebhookActuator(spec(url), undefined)
    expect((await hook.apply(record(25, 25), { dryRun: false })).changed).toBe(false)
    expect(seen).toHaveLength(0)
  })
})

describe('deployment status descriptions', () => {
  it("stay within GitHub's 140 characters", () => {
    const long = record(5, 25, { reasons: ['x'.repeat(300)] })
    expect(deploymentDescription(long)).toHaveLength(140)
    expect(deploymentDescription(record(5, 25))).toBe(
      'promote 5% → 25%: all 4 gating metrics are within tolerance'
    )
  })
})

describe('StickyComment', () => {
  it("skips the edit when the body is unchanged, and finds the token's own login when GET /user answers", async () => {
    const gh = await new GitHubStandIn().start()
    try {
      gh.pulls.set(3, { state: 'open', head: 'a'.repeat(40) })
      gh.tokenLogin = 'release-bot'
      gh.addComment(3, '<!-- ai-rollout-gate:r -->\nby someone else', 'github-actions[bot]')
      const client = createGitHub('t0ken', { warning: () => undefined }, { baseUrl: gh.url })
      const sticky = new StickyComment(
        client,
        { owner: gh.owner, repo: gh.repo },
        3,
        '<!-- ai-rollout-gate:r -->'
      )
      expect((await sticky.upsert('<!-- ai-rollout-gate:r -->\nv1')).action).toBe('created')
      expect((await sticky.upsert('<!-- ai-rollout-gate:r -->\nv1')).action).toBe('unchanged')
      expect((await sticky.upsert('<!-- ai-rollout-gate:r -->\nv2')).action).toBe('updated')
      expect(gh.comments.map(c => [c.login, c.body.split('\n')[1]])).toEqual([
        ['github-actions[bot]', 'by someone else'],
        ['release-bot', 'v2']
      ])
      expect(gh.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
      expect(gh.problems).toEqual([])
    } finally {
      await gh.stop()
    }
  })
})
