import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * GitHub keeps at most one running and one pending run per concurrency group, and cancels the
 * pending one when another is queued
 * (https://docs.github.com/en/actions/using-jobs/using-concurrency). A manual rollback waiting in
 * the evaluations' group would be cancelled by the next scheduled run: the example workflows give
 * commands groups of their own (correctness comes from the state's compare-and-swap).
 */
const WORKFLOWS = join(import.meta.dirname, '..', 'examples', 'workflows')
const groupOf = (file: string): string =>
  (parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { concurrency: { group: string } })
    .concurrency.group

describe('the example workflows: a queued manual command is never cancelled', () => {
  it('evaluations share one group; each manual or ChatOps command has a group of its own', () => {
    const evaluations = groupOf('rollout-scheduled.yml')
    expect(groupOf('rollout-after-deploy.yml')).toBe(evaluations)
    const manual = groupOf('rollout-manual.yml')
    const chatops = groupOf('rollout-chatops.yml')
    for (const group of [manual, chatops]) {
      expect(group.toLowerCase()).not.toBe(evaluations.toLowerCase())
      // Unique per run (or per comment): no other run can ever be pending in it.
      expect(group).toMatch(/\$\{\{ github\.(run_id|event\.comment\.id) \}\}/)
    }
  })

  it('no example cancels a run in progress', () => {
    for (const file of [
      'rollout-scheduled.yml',
      'rollout-after-deploy.yml',
      'rollout-manual.yml',
      'rollout-chatops.yml'
    ]) {
      const doc = parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as {
        concurrency: { 'cancel-in-progress': boolean }
      }
      expect(doc.concurrency['cancel-in-progress'], file).toBe(false)
    }
  })
})
