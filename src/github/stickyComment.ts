import type { GitHub, Repo } from './client.js'
import { explainGitHubError, statusOf } from './errors.js'

/** The login GITHUB_TOKEN comments as. */
export const ACTIONS_BOT = 'github-actions[bot]'

export interface CommentResult {
  url: string
  action: 'created' | 'updated' | 'unchanged'
}

/**
 * One comment per rollout on a pull request, found by the hidden marker its body starts with and
 * edited in place. Only comments written by the token's own identity count, so nobody can plant a
 * comment with the marker and have the Action edit (or trust) it. Comments are paged through
 * 100 at a time, so a busy pull request with hundreds of comments still finds it.
 */
export class StickyComment {
  constructor(
    private readonly github: GitHub,
    private readonly repo: Repo,
    private readonly issueNumber: number,
    private readonly marker: string
  ) {}

  async upsert(body: string): Promise<CommentResult> {
    const doing = `comment on pull request #${this.issueNumber}`
    try {
      const author = await this.author()
      const existing = await this.find(author)
      if (existing && existing.body === body) return { url: existing.html_url, action: 'unchanged' }
      if (existing) {
        const { data } = await this.github.rest.issues.updateComment({
          ...this.repo,
          comment_id: existing.id,
          body
        })
        return { url: data.html_url, action: 'updated' }
      }
      const { data } = await this.github.rest.issues.createComment({
        ...this.repo,
        issue_number: this.issueNumber,
        body
      })
      return { url: data.html_url, action: 'created' }
    } catch (e) {
      throw explainGitHubError(e, doing, 'pull-requests: write')
    }
  }

  /**
   * The token's login: GET /user works for personal and app user tokens; GITHUB_TOKEN (an
   * installation token) gets 403 there and comments as github-actions[bot].
   */
  private async author(): Promise<string> {
    try {
      return (await this.github.rest.users.getAuthenticated()).data.login
    } catch (e) {
      const status = statusOf(e)
      if (status === 403 || status === 401 || status === 404) return ACTIONS_BOT
      throw e
    }
  }

  private async find(author: string) {
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
