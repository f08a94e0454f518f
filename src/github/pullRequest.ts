import type { GitHub, Repo } from './client.js'
import { explainGitHubError, statusOf } from './errors.js'

/** What the run knows about its trigger (from @actions/github's context). */
export interface EventContext {
  eventName: string
  sha: string
  payload: {
    pull_request?: { number: number }
    workflow_run?: { head_sha?: string; pull_requests?: { number: number }[] }
  }
}

export interface FoundPullRequest {
  number: number
  /** How it was found, for the log. */
  from: 'input' | 'event' | 'state' | 'commit'
}

/**
 * The pull request to post on: the `pr-number` input when given (an explicit override), else the
 * event's own PR, else the one recorded in the rollout state, else an open PR associated with the
 * commit. None is fine: the verdict then goes to the job summary only.
 *
 * A PR number that reaches a workflow_run from the triggering workflow (an artifact, or the
 * event's list) is untrusted: that workflow may run fork code. It is used only when that PR's head
 * is the commit the triggering run built.
 */
export async function findPullRequest(
  github: GitHub,
  repo: Repo,
  event: EventContext,
  options: {
    input?: number
    /** The PR stored in the rollout state; read only when the event has none. */
    state: () => Promise<number | undefined>
    warn: (message: string) => void
  }
): Promise<FoundPullRequest | undefined> {
  const run = event.eventName === 'workflow_run' ? event.payload.workflow_run : undefined
  const trusted = async (number: number) =>
    !run?.head_sha || (await headSha(github, repo, number)) === run.head_sha
  if (options.input !== undefined) {
    if (await trusted(options.input)) return { number: options.input, from: 'input' }
    options.warn(
      `pr-number ${options.input} ignored: its head is not the commit the triggering workflow run built (${run?.head_sha})`
    )
  }
  const fromEvent = event.payload.pull_request?.number ?? run?.pull_requests?.[0]?.number
  if (fromEvent !== undefined && (await trusted(fromEvent)))
    return { number: fromEvent, from: 'event' }
  const stored = await options.state()
  if (stored !== undefined) return { number: stored, from: 'state' }
  const sha = run?.head_sha ?? event.sha
  if (!sha) return undefined
  try {
    const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: sha,
      per_page: 100
    })
    const pr = data.find(p => p.state === 'open') ?? data[0]
    return pr ? { number: pr.number, from: 'commit' } : undefined
  } catch (e) {
    options.warn(
      explainGitHubError(e, `find the pull request of commit ${sha}`, 'pull-requests: read').message
    )
    return undefined
  }
}

async function headSha(github: GitHub, repo: Repo, number: number): Promise<string | undefined> {
  try {
    return (await github.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha
  } catch (e) {
    if (statusOf(e) === 404) return undefined
    throw explainGitHubError(e, `read pull request #${number}`, 'pull-requests: read')
  }
}
