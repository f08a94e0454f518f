import type { GitHub, Repo } from './client.js'
import { GitHubError, explainGitHubError, statusOf } from './errors.js'

/** A file as the contents API gives it: its text and blob sha (the compare-and-swap token). */
export interface RepoFile {
  text: string
  sha: string
}

/** The contents API refused a write because the file changed since it was read. */
export class ContentConflictError extends Error {
  constructor(path: string) {
    super(`${path} changed since it was read`)
    this.name = 'ContentConflictError'
  }
}

/**
 * Files in the repository through the contents API
 * (https://docs.github.com/en/rest/repos/contents). A write names the blob sha it replaces, so
 * GitHub rejects it (409, or 422 for a missing sha) when someone else wrote first.
 */
export class RepoFiles {
  constructor(
    private readonly github: GitHub,
    private readonly repo: Repo
  ) {}

  /** The file on `ref`, or undefined when it (or the branch) does not exist. */
  async read(path: string, ref?: string): Promise<RepoFile | undefined> {
    try {
      const { data } = await this.github.rest.repos.getContent({
        ...this.repo,
        path,
        ...(ref && { ref })
      })
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new Error(`${path} is not a file`)
      }
      return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha }
    } catch (e) {
      if (statusOf(e) === 404) return undefined
      throw explainGitHubError(e, `read ${path}${ref ? ` on ${ref}` : ''}`, 'contents: read')
    }
  }

  /** Create or replace the file on `branch`; `sha` is the blob replaced (undefined: a new file). */
  async write(
    path: string,
    branch: string,
    text: string,
    sha: string | undefined,
    message: string
  ): Promise<{ sha: string; commitUrl: string | undefined }> {
    try {
      const { data } = await this.github.rest.repos.createOrUpdateFileContents({
        ...this.repo,
        path,
        branch,
        message,
        content: Buffer.from(text, 'utf8').toString('base64'),
        ...(sha && { sha })
      })
      return { sha: data.content?.sha ?? '', commitUrl: data.commit.html_url }
    } catch (e) {
      const status = statusOf(e)
      // 409: the sha is not the file's current one; 422: "sha" wasn't supplied for an existing file.
      const message = (e as Error).message
      if (/protected|rule violation/i.test(message)) {
        throw new GitHubError(
          `could not write ${path}: branch ${branch} is protected (${message}). Use a branch that only this Action writes to, without protection rules.`,
          status
        )
      }
      if (status === 409 || (status === 422 && /sha/i.test(message))) {
        throw new ContentConflictError(path)
      }
      throw explainGitHubError(e, `write ${path} on branch ${branch}`, 'contents: write')
    }
  }

  async defaultBranch(): Promise<string> {
    try {
      const { data } = await this.github.rest.repos.get({ ...this.repo })
      return data.default_branch
    } catch (e) {
      throw explainGitHubError(
        e,
        `read repository ${this.repo.owner}/${this.repo.repo}`,
        'contents: read'
      )
    }
  }

  /** True when the branch exists. */
  async hasBranch(branch: string): Promise<boolean> {
    try {
      await this.github.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` })
      return true
    } catch (e) {
      if (statusOf(e) === 404) return false
      throw explainGitHubError(e, `look up branch ${branch}`, 'contents: read')
    }
  }

  /** Create `branch` at the default branch's head (tolerates a concurrent creation). */
  async createBranch(branch: string): Promise<void> {
    const base = await this.defaultBranch()
    try {
      const { data } = await this.github.rest.git.getRef({ ...this.repo, ref: `heads/${base}` })
      await this.github.rest.git.createRef({
        ...this.repo,
        ref: `refs/heads/${branch}`,
        sha: data.object.sha
      })
    } catch (e) {
      if (statusOf(e) === 422 && /already exists/i.test((e as Error).message)) return
      throw explainGitHubError(e, `create branch ${branch}`, 'contents: write')
    }
  }
}
