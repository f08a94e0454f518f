import type { ActuatorSpec } from '../policy/types.js'
import type { DecisionRecord } from '../report/record.js'
import type { Actuator, ActuatorOptions } from './actuator.js'
import { setWeights } from './weightPath.js'

type GitFileSpec = Extract<ActuatorSpec, { type: 'git-file' }>

/** Where the file lives: the repository through the contents API (Action), or the disk (CLI). */
export interface FileAccess {
  describe(path: string): string
  read(path: string): Promise<{ text: string; sha?: string } | undefined>
  /** Throws ContentConflictError when the file changed since `sha` was read. */
  write(path: string, text: string, sha: string | undefined, message: string): Promise<void>
}

/** Attempts when someone else commits to the file between our read and write. */
const ATTEMPTS = 3

/**
 * Sets the canary's (and the baseline's complementary) weight in a YAML or JSON config file, and
 * commits it with a message that carries the decision. Idempotent: an unchanged file is not
 * written, so a rerun or a hold makes no commit.
 */
export class GitFileActuator implements Actuator {
  readonly name: string

  constructor(
    private readonly spec: GitFileSpec,
    private readonly files: FileAccess
  ) {
    this.name = `git-file ${spec.file}`
  }

  async apply(record: DecisionRecord, { dryRun }: ActuatorOptions) {
    const canary = record.next.weight
    const values = this.spec.set.map(s => ({
      path: s.path,
      value: round(((s.arm === 'canary' ? canary : 100 - canary) / 100) * s.total)
    }))
    const where = this.files.describe(this.spec.file)
    for (let attempt = 1; ; attempt++) {
      const file = await this.files.read(this.spec.file)
      if (!file) throw new Error(`${where} does not exist; create it or fix actuators[].file`)
      let text: string
      try {
        text = setWeights(file.text, /\.json$/i.test(this.spec.file), values)
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`)
      }
      const summary = values.map(v => `${v.path} = ${v.value}`).join(', ')
      if (text === file.text) {
        return { actuator: this.name, changed: false, detail: `${where} already has ${summary}` }
      }
      if (dryRun) {
        return {
          actuator: this.name,
          changed: false,
          detail: `dry run: would set ${summary} in ${where}`
        }
      }
      try {
        await this.files.write(this.spec.file, text, file.sha, commitMessage(record))
        return { actuator: this.name, changed: true, detail: `set ${summary} in ${where}` }
      } catch (e) {
        if ((e as Error).name !== 'ContentConflictError' || attempt >= ATTEMPTS) throw e
      }
    }
  }
}

function commitMessage(r: DecisionRecord): string {
  const who = r.manual ? ` by ${r.manual.actor}` : ''
  return [
    `rollout ${r.rollout}: ${r.decision} ${r.step.weight}% → ${r.next.weight}%${who}`,
    '',
    ...r.reasons.slice(0, 3).map(reason => `- ${reason}`),
    '',
    `Policy ${r.policy.hash}, evaluated ${r.evaluatedAt} by ai-rollout-gate.`
  ].join('\n')
}

/** Weights as people write them: 25, 0.25, 33.333333 (no floating-point noise). */
const round = (v: number) => Number(v.toPrecision(8))
