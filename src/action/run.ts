import * as core from '@actions/core'
import { PolicyError } from '../policy/types.js'
import { oneLine } from '../report/sanitize.js'
import { getInputs } from './inputs.js'
import { ActionLog } from './log.js'

/**
 * The Action: one run, any error turned into a failed step with a message a person can act on.
 * The log has a group per phase (policy, state, source, judge, analysis, actuators, GitHub) and
 * ends, outside any group, with the verdict. What a run needs beyond its inputs (the engine, the
 * policy parser, the GitHub client) loads once the inputs are known good (execute.ts).
 */
export async function run(): Promise<void> {
  const log = new ActionLog()
  try {
    log.phase('Policy')
    const inputs = getInputs()
    const { execute } = await import('./execute.js')
    await execute(inputs, log)
  } catch (e) {
    log.end()
    if (e instanceof PolicyError) {
      for (const issue of e.issues) {
        core.error(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`, {
          title: 'rollout policy',
          file: issue.file,
          ...(issue.line > 0 && { startLine: issue.line, startColumn: issue.col })
        })
      }
    }
    const message = e instanceof Error ? e.message : String(e)
    core.setFailed(message.split('\n').map(oneLine).join('\n'))
  }
}
