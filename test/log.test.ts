import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { progressPrinter } from '../src/log.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import type { ReadProgress } from '../src/sources/source.js'
import { testPolicy } from './fixtures/records/policy.js'

describe('progress of long reads', () => {
  it('prints at most every interval, with the rate so far, pages or files', () => {
    let now = 0
    const lines: string[] = []
    const progress = progressPrinter(
      l => lines.push(l),
      () => now,
      15_000
    )
    now = 5_000
    progress({ lines: 100_000, files: { read: 0, total: 3 } })
    now = 15_000
    progress({ lines: 300_000, files: { read: 1, total: 3 } })
    now = 20_000
    progress({ lines: 400_000, files: { read: 1, total: 3 } })
    now = 30_000
    progress({ lines: 600_000, pages: 600 })
    expect(lines).toEqual([
      '300,000 lines read (1 of 3 files done), 20,000 lines/s',
      '600,000 lines read (600 pages), 20,000 lines/s'
    ])
  })

  it('the file source tells how far it has read, every 65,536 lines and after each file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-progress-'))
    try {
      const line = JSON.stringify({ ts: '2026-11-02T08:00:00Z', arm: 'stable', latency_ms: 1 })
      writeFileSync(join(dir, 'a.jsonl'), `${line}\n`.repeat(70_000))
      writeFileSync(join(dir, 'b.jsonl'), `${line}\n`.repeat(10))
      const policy = testPolicy()
      const source = new FileSource({ patterns: ['*.jsonl'], baseDir: dir, format: 'auto', policy })
      const seen: ReadProgress[] = []
      const t = Date.parse('2026-11-02T09:00:00Z')
      await source.collect({ window: { from: 0, to: t }, now: t, progress: p => seen.push(p) })
      expect(seen).toEqual([
        { lines: 65_536, files: { read: 0, total: 2 } },
        { lines: 70_000, files: { read: 1, total: 2 } },
        { lines: 70_010, files: { read: 2, total: 2 } }
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
