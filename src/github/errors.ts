/**
 * GitHub API failures as messages a person can act on: what failed, and for a permission problem,
 * which `permissions:` scope the workflow's token needs
 * (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication).
 */
export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined
  ) {
    super(message)
    this.name = 'GitHubError'
  }
}

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function statusOf(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

/**
 * @param doing what the run was trying to do ("comment on pull request #12")
 * @param permission the workflow permission that allows it ("pull-requests: write")
 */
export function explainGitHubError(e: unknown, doing: string, permission?: string): GitHubError {
  const status = statusOf(e)
  const message = (e as Error).message ?? String(e)
  let hint = ''
  if ((status === 403 || status === 404) && permission) {
    hint = ` The token may lack \`${permission}\`: add it under \`permissions:\` in the workflow (a 404 can also mean the token cannot see the resource).`
  } else if (status === 401) {
    hint = ' The token is invalid or expired: check the `github-token` input.'
  } else if (status !== undefined && status >= 500) {
    hint = ' GitHub answered with a server error after retries; run the workflow again later.'
  }
  return new GitHubError(
    `could not ${doing}: ${message}${status ? ` (HTTP ${status})` : ''}.${hint}`,
    status
  )
}
