import type { GitHub, Repo } from './client.js'
import { explainGitHubError, statusOf } from './errors.js'

export type Reaction = 'eyes' | 'rocket' | 'confused' | '-1'

/**
 * The pull request conversation as ChatOps needs it: reactions that acknowledge a command, short
 * replies, and the commenter's permission on the repository, asked through the API
 * (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user),
 * never inferred from the comment's author_association.
 */
export class Conversation {
  constructor(
    private readonly github: GitHub,
    private readonly repo: Repo,
    private readonly issueNumber: number
  ) {}

  async react(commentId: number, content: Reaction): Promise<void> {
    try {
      await this.github.rest.reactions.createForIssueComment({
        ...this.repo,
        comment_id: commentId,
        content
      })
    } catch (e) {
      throw explainGitHubError(e, `react to comment ${commentId}`, 'pull-requests: write')
    }
  }

  async reply(body: string): Promise<string> {
    try {
      const { data } = await this.github.rest.issues.createComment({
        ...this.repo,
        issue_number: this.issueNumber,
        body
      })
      return data.html_url
    } catch (e) {
      throw explainGitHubError(
        e,
        `reply on pull request #${this.issueNumber}`,
        'pull-requests: write'
      )
    }
  }

  /** True when `login` may change the rollout: write, maintain or admin on the repository. */
  async canWrite(login: string): Promise<boolean> {
    try {
      const { data } = await this.github.rest.repos.getCollaboratorPermissionLevel({
        ...this.repo,
        username: login
      })
      // `permission` folds maintain into write and triage into read.
      return data.permission === 'admin' || data.permission === 'write'
    } catch (e) {
      if (statusOf(e) === 404) return false // not a collaborator
      throw explainGitHubError(e, `read the permission of ${login}`, 'metadata: read')
    }
  }
}
