import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  matchOperation,
  requestProblems,
  responseProblems,
  sampleComponent
} from './githubOpenApi.js'

/**
 * A loopback stand-in for the parts of GitHub's REST API the Action uses: issue comments, pull
 * requests, the contents API on branches, refs, workflow dispatches and deployments. Every request
 * and every answer is checked against GitHub's OpenAPI description; `problems` collects what did
 * not match (a test asserts it stays empty). Faults (429, 5xx, 409) are scripted per route.
 */
export interface Fault {
  method: string
  /** Matched against the request path. */
  path: RegExp
  status: number
  headers?: Record<string, string>
  message?: string
  /** How many requests it hits (default 1). */
  times?: number
}

interface StoredComment {
  id: number
  body: string
  login: string
  type: 'User' | 'Bot'
  issue: number
  created: number
}

export class GitHubStandIn {
  readonly owner = 'acme'
  readonly repo = 'assistant'
  readonly defaultBranch = 'main'
  url = ''
  problems: string[] = []
  requests: { method: string; path: string; status: number; body?: unknown }[] = []
  comments: StoredComment[] = []
  /** branch -> path -> text */
  branches = new Map<string, Map<string, string>>([[this.defaultBranch, new Map()]])
  pulls = new Map<number, { state: 'open' | 'closed'; head: string }>()
  /** commit sha -> pull request numbers */
  commitPulls = new Map<string, number[]>()
  dispatches: { workflow: string; ref: string; inputs: Record<string, string> }[] = []
  deployments: { id: number; environment: string; task: string; sha: string }[] = []
  deploymentStatuses: { deployment: number; state: string; description: string }[] = []
  faults: Fault[] = []
  /** The token's login for GET /user; undefined answers 403 as GITHUB_TOKEN gets. */
  tokenLogin: string | undefined = undefined
  /**
   * The login comments are created as when GET /user is 403: github-actions[bot] for the workflow
   * token, `<app-slug>[bot]` for a GitHub App's installation token.
   */
  installationLogin = 'github-actions[bot]'
  /** login -> repository permission (admin, write, read); absent: not a collaborator (404). */
  permissions = new Map<string, 'admin' | 'write' | 'read'>()
  reactions: { comment: number; content: string }[] = []
  /** Branches whose writes are refused as protected. */
  protectedBranches = new Set<string>()
  private server: Server | undefined
  private nextId = 1000

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(e => {
        this.problems.push(`stand-in crashed: ${(e as Error).stack}`)
        res.writeHead(500).end()
      })
    })
    await new Promise<void>(r => this.server!.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    await new Promise(r => this.server?.close(r))
  }

  addComment(issue: number, body: string, login = 'github-actions[bot]'): StoredComment {
    const c: StoredComment = {
      id: this.nextId++,
      body,
      login,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      issue,
      created: Date.now()
    }
    this.comments.push(c)
    return c
  }

  file(branch: string, path: string): string | undefined {
    return this.branches.get(branch)?.get(path)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined
    const op = matchOperation(method, url.pathname)
    const path = decodeURIComponent(url.pathname)
    if (!op) this.problems.push(`${method} ${path}: not an endpoint of GitHub's REST API`)
    else this.problems.push(...requestProblems(op, method, body))
    const reply = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
      if (op) this.problems.push(...responseProblems(op, method, status, data))
      this.requests.push({ method, path, status, ...(body !== undefined && { body }) })
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-api-version-selected': '2022-11-28',
        ...headers
      })
      res.end(data === undefined ? '' : JSON.stringify(data))
    }
    const fault = this.faults.find(
      f => f.method === method && f.path.test(path) && (f.times ?? 1) > 0
    )
    if (fault) {
      fault.times = (fault.times ?? 1) - 1
      return reply(
        fault.status,
        {
          message: fault.message ?? `scripted ${fault.status}`,
          documentation_url: 'https://docs.github.com/rest'
        },
        fault.headers
      )
    }
    const base = `/repos/${this.owner}/${this.repo}`
    const notFound = () =>
      reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
    let m: RegExpExecArray | null
    if (method === 'GET' && path === '/user') {
      if (!this.tokenLogin) {
        return reply(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest'
        })
      }
      return reply(200, { ...sampleComponent('private-user'), login: this.tokenLogin })
    }
    if (method === 'GET' && path === base) {
      return reply(200, {
        ...sampleComponent('full-repository'),
        name: this.repo,
        default_branch: this.defaultBranch
      })
    }
    if ((m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(path))) {
      const issue = Number(m[1])
      if (!this.pulls.has(issue)) return notFound()
      if (method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        const all = this.comments.filter(c => c.issue === issue)
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const link: Record<string, string> =
          page < last
            ? {
                link: `<${this.url}${path}?per_page=${perPage}&page=${page + 1}>; rel="next", <${this.url}${path}?per_page=${perPage}&page=${last}>; rel="last"`
              }
            : {}
        return reply(
          200,
          all.slice((page - 1) * perPage, page * perPage).map(c => this.commentJson(c)),
          link
        )
      }
      const c = this.addComment(
        issue,
        String(body?.body),
        this.tokenLogin ?? this.installationLogin
      )
      return reply(201, this.commentJson(c))
    }
    if ((m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path)) && method === 'GET') {
      const c = this.comments.find(x => x.id === Number(m![1]))
      return c ? reply(200, this.commentJson(c)) : notFound()
    }
    if ((m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path)) && method === 'PATCH') {
      const c = this.comments.find(x => x.id === Number(m![1]))
      if (!c) return notFound()
      c.body = String(body?.body)
      return reply(200, this.commentJson(c))
    }
    if ((m = new RegExp(`^${base}/collaborators/([^/]+)/permission$`).exec(path))) {
      const permission = this.permissions.get(m[1]!)
      if (!permission) return notFound()
      return reply(200, {
        ...sampleComponent('repository-collaborator-permission'),
        permission,
        role_name: permission,
        user: { ...sampleComponent('collaborator'), login: m[1] }
      })
    }
    if (
      (m = new RegExp(`^${base}/issues/comments/(\\d+)/reactions$`).exec(path)) &&
      method === 'POST'
    ) {
      this.reactions.push({ comment: Number(m[1]), content: String(body?.content) })
      return reply(201, { ...sampleComponent('reaction'), content: body?.content })
    }
    if ((m = new RegExp(`^${base}/pulls/(\\d+)$`).exec(path)) && method === 'GET') {
      const pr = this.pulls.get(Number(m[1]))
      if (!pr) return notFound()
      const sample = sampleComponent('pull-request')
      return reply(200, {
        ...sample,
        number: Number(m[1]),
        state: pr.state,
        head: { ...(sample.head as object), sha: pr.head }
      })
    }
    if ((m = new RegExp(`^${base}/commits/([0-9a-f]+)/pulls$`).exec(path))) {
      const numbers = this.commitPulls.get(m[1]!) ?? []
      return reply(
        200,
        numbers.map(n => ({
          ...sampleComponent('pull-request-simple'),
          number: n,
          state: this.pulls.get(n)?.state ?? 'open'
        }))
      )
    }
    if ((m = new RegExp(`^${base}/git/ref/heads/(.+)$`).exec(path)) && method === 'GET') {
      const branch = decodeURIComponent(m[1]!)
      if (!this.branches.has(branch)) return notFound()
      return reply(200, this.refJson(branch))
    }
    if (path === `${base}/git/refs` && method === 'POST') {
      const branch = String(body?.ref).replace(/^refs\/heads\//, '')
      if (this.branches.has(branch)) {
        return reply(422, {
          message: 'Reference already exists',
          documentation_url: 'https://docs.github.com/rest'
        })
      }
      this.branches.set(branch, new Map())
      return reply(201, this.refJson(branch))
    }
    if ((m = new RegExp(`^${base}/contents/(.+)$`).exec(path))) {
      const file = decodeURIComponent(m[1]!)
      if (method === 'GET') {
        const branch = url.searchParams.get('ref') ?? this.defaultBranch
        const text = this.branches.get(branch)?.get(file)
        if (text === undefined) return notFound()
        return reply(200, {
          ...sampleComponent('content-file'),
          type: 'file',
          encoding: 'base64',
          path: file,
          name: file.split('/').pop(),
          content: Buffer.from(text).toString('base64'),
          sha: blobSha(text),
          size: Buffer.byteLength(text)
        })
      }
      if (method === 'PUT') {
        const branchName = String(body?.branch ?? this.defaultBranch)
        const branch = this.branches.get(branchName)
        if (!branch) return notFound()
        if (this.protectedBranches.has(branchName)) {
          return reply(409, {
            message: 'Repository rule violations found\n\nCannot update this protected ref.',
            documentation_url: 'https://docs.github.com/rest'
          })
        }
        const current = branch.get(file)
        if (current !== undefined && body?.sha === undefined) {
          return reply(422, {
            message: 'Invalid request.\n\n"sha" wasn\'t supplied.',
            documentation_url: 'https://docs.github.com/rest'
          })
        }
        if (current !== undefined && body?.sha !== blobSha(current)) {
          return reply(409, {
            message: `${file} does not match ${String(body?.sha)}`,
            documentation_url: 'https://docs.github.com/rest'
          })
        }
        const text = Buffer.from(String(body?.content), 'base64').toString('utf8')
        branch.set(file, text)
        const commit = sampleComponent('file-commit')
        return reply(current === undefined ? 201 : 200, {
          ...commit,
          content: { name: file.split('/').pop(), path: file, sha: blobSha(text) },
          commit: {
            sha: blobSha(String(body?.message) + text),
            message: body?.message,
            html_url: `https://github.test/${this.owner}/${this.repo}/commit/x`
          }
        })
      }
    }
    if (
      (m = new RegExp(`^${base}/actions/workflows/([^/]+)/dispatches$`).exec(path)) &&
      method === 'POST'
    ) {
      this.dispatches.push({
        workflow: decodeURIComponent(m[1]!),
        ref: String(body?.ref),
        inputs: (body?.inputs ?? {}) as Record<string, string>
      })
      return reply(204)
    }
    if (path === `${base}/deployments`) {
      if (method === 'GET') {
        const env = url.searchParams.get('environment')
        const task = url.searchParams.get('task')
        const sha = url.searchParams.get('sha')
        const found = this.deployments
          .filter(
            d =>
              (!env || d.environment === env) &&
              (!task || d.task === task) &&
              (!sha || d.sha === sha)
          )
          .reverse()
        return reply(
          200,
          found.map(d => this.deploymentJson(d))
        )
      }
      const d = {
        id: this.nextId++,
        environment: String(body?.environment),
        task: String(body?.task),
        sha: String(body?.ref)
      }
      this.deployments.push(d)
      return reply(201, this.deploymentJson(d))
    }
    if ((m = new RegExp(`^${base}/deployments/(\\d+)/statuses$`).exec(path)) && method === 'POST') {
      const status = {
        deployment: Number(m[1]),
        state: String(body?.state),
        description: String(body?.description ?? '')
      }
      this.deploymentStatuses.push(status)
      return reply(201, {
        ...sampleComponent('deployment-status'),
        state: status.state,
        description: status.description
      })
    }
    return notFound()
  }

  private commentJson(c: StoredComment) {
    const base = `https://github.test/${this.owner}/${this.repo}`
    return {
      ...sampleComponent('issue-comment'),
      id: c.id,
      body: c.body,
      html_url: `${base}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      user: { ...sampleComponent('simple-user'), login: c.login, type: c.type }
    }
  }

  private refJson(branch: string) {
    return {
      ...sampleComponent('git-ref'),
      ref: `refs/heads/${branch}`,
      object: { type: 'commit', sha: 'a'.repeat(40), url: 'https://github.test/x' }
    }
  }

  private deploymentJson(d: { id: number; environment: string; task: string; sha: string }) {
    return {
      ...sampleComponent('deployment'),
      id: d.id,
      environment: d.environment,
      task: d.task,
      sha: d.sha
    }
  }
}

/** Git's blob id: sha1 of `blob <size>\0<content>`, as the contents API reports it. */
export function blobSha(text: string): string {
  const buf = Buffer.from(text)
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex')
}
