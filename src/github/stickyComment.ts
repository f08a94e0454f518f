import type { GitHub, Repo } from './client.js'
import { explainGitHubError, statusOf } from './errors.js'

/** The login GITHUB_TOKEN comments as. */
export const ACTIONS_BOT = 'github-actions[bot]'

/** A comment this rollout posted before (kept in the rollout state): its id and its author. */
export interface KnownComment {
  id: number
  author: string
}

export interface CommentResult {
  url: string
  action: 'created' | 'updated' | 'unchanged'
  /** The comment's id and author, to keep in the rollout state for the next run. */
  id: number
  author: string
}

interface FoundComment {
  id: number
  body?: string
  html_url: string
  user?: { login: string } | null
}

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
export class StickyComment {
  constructor(
    private readonly github: GitHub,
    private readonly repo: Repo,
    private readonly issueNumber: number,
    private readonly marker: string
  ) {}

  async upsert(body: string, known?: KnownComment): Promise<CommentResult> {
    const doing = `comment on pull request #${this.issueNumber}`
    try {
      const existing =
        (known && (await this.byId(known))) ?? (await this.find(await this.author(known)))
      if (existing) {
        const author = existing.user?.login ?? known?.author ?? ACTIONS_BOT
        if (existing.body === body) {
          return { url: existing.html_url, action: 'unchanged', id: existing.id, author }
        }
        const { data } = await this.github.rest.issues.updateComment({
          ...this.repo,
          comment_id: existing.id,
          body
        })
        return { url: data.html_url, action: 'updated', id: data.id, author }
      }
      const { data } = await this.github.rest.issues.createComment({
        ...this.repo,
        issue_number: this.issueNumber,
        body
      })
      return {
        url: data.html_url,
        action: 'created',
        id: data.id,
        author: data.user?.login ?? ACTIONS_BOT
      }
    } catch (e) {
      throw explainGitHubError(e, doing, 'pull-requests: write')
    }
  }

  /** The remembered comment, if it is still ours, on this pull request, with the marker. */
  private async byId(known: KnownComment): Promise<FoundComment | undefined> {
    try {
      const { data } = await this.github.rest.issues.getComment({
        ...this.repo,
        comment_id: known.id
      })
      const here = data.issue_url.endsWith(`/issues/${this.issueNumber}`)
      const ours = data.user?.login === known.author && data.body?.startsWith(this.marker)
      return here && ours ? data : undefined
    } catch (e) {
      if (statusOf(e) === 404) return undefined // deleted: look for it, or post a new one
      throw e
    }
  }

  /**
   * The token's login: GET /user works for personal and app user tokens; an installation token
   * (GITHUB_TOKEN, or a GitHub App's) gets 403 there: then the author the state remembers, else
   * github-actions[bot].
   */
  private async author(known: KnownComment | undefined): Promise<string> {
    try {
      return (await this.github.rest.users.getAuthenticated()).data.login
    } catch (e) {
      const status = statusOf(e)
      if (status === 403 || status === 401 || status === 404) return known?.author ?? ACTIONS_BOT
      throw e
    }
  }

  private async find(author: string): Promise<FoundComment | undefined> {
    const pages = this.github.paginate.iterator(this.github.rest.issues.listComments, {
      ...this.repo,
      issue_number: this.issueNumber,
      per_page: 100
    })
    for await (const { data } of pages) {
      const mine = data.find(c => c.user?.login === author && c.body?.startsWith(this.marker))
      if (mine) return mine
    }
    return undefined
  }
}
