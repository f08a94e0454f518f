import fc from 'fast-check'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { NO_EFFECT, traffic } from '../examples/generate-traffic.js'
import type { Policy } from '../src/policy/types.js'
import { createNormalizer, isRequestRecord } from '../src/records/normalize.js'
import type { RequestRecord } from '../src/records/record.js'
import { hashUnit, UnitIndex, unitHalf, type UnitKey } from '../src/sketch/unitIndex.js'
import { lineAlignedRange, planChunks } from '../src/sources/file/chunks.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { forEachLine } from '../src/sources/file/lines.js'
import type { ParallelOptions } from '../src/sources/file/parallelReader.js'
import {
  forEachBatchRecord,
  rawKeysFor,
  RecordBatchWriter
} from '../src/sources/file/recordBatch.js'
import type { Evidence } from '../src/sketch/evidence.js'
import { metric, testPolicy } from './fixtures/records/policy.js'
import { fileWorkerScript } from './helpers/fileWorker.js'

const MINUTE = 60_000
const FROM = Date.UTC(2026, 10, 2, 8, 0, 0)
const TO = FROM + 60 * MINUTE
const root = mkdtempSync(join(tmpdir(), 'rollout-gate-parallel-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const otlpExport = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'records', 'otlp-export.json'),
  'utf8'
)

/** The test policy plus a metric on a nested raw field, so raw keys travel with the records. */
const policy: Policy = testPolicy({
  metrics: [
    ...testPolicy().metrics,
    metric('tool depth', 'extra.depth', 'mean', { mode: 'report' })
  ]
})

/**
 * 6,000 generated requests with every kind of line a log can hold in between: a byte order mark,
 * CRLF endings, blank lines, bad JSON, JSON that is not an object, a line over the length limit,
 * an unknown arm, a future timestamp, invalid values, requests without a unit, nested raw fields,
 * an OTLP export on one line, and no newline at the end.
 */
function messyLog(): { text: string; badJsonLine: number } {
  const lines: string[] = []
  let badJsonLine = 0
  let i = 0
  for (const row of traffic({
    seed: 11,
    start: FROM,
    rate: 2,
    count: 6000,
    canaryWeight: 30,
    users: 700,
    effect: NO_EFFECT
  })) {
    i++
    if (i % 7 === 0) row.extra = { depth: i % 5 }
    if (i % 11 === 0) delete row.user_id
    lines.push(JSON.stringify(row) + (i % 13 === 0 ? '\r' : ''))
    if (i % 500 === 0) lines.push('')
    if (i === 1200) {
      lines.push('{"ts": "2026-11-02T08:10:00Z", "arm": "stable", "latency_ms": ')
      badJsonLine = lines.length
    }
    if (i === 1500) lines.push('[1, 2, 3]', '42')
    if (i === 2000) lines.push(JSON.stringify({ ...row, padding: 'x'.repeat(5000) }))
    if (i === 2500) lines.push(JSON.stringify({ ...row, arm: 'mystery' }))
    if (i === 3000) lines.push(JSON.stringify({ ...row, ts: TO + 3_600_000 }))
    if (i === 3500) lines.push(JSON.stringify({ ...row, latency_ms: -4, score: 'NaN' }))
    if (i === 4000) lines.push(otlpExport.replace(/\n\s*/g, ''))
  }
  return { text: '\ufeff' + lines.join('\n'), badJsonLine }
}

async function collect(path: string, parallel: ParallelOptions | false): Promise<Evidence> {
  const source = new FileSource({
    patterns: [path],
    baseDir: root,
    format: 'auto',
    policy,
    maxLineBytes: 4096,
    parallel
  })
  return source.collect({ window: { from: FROM, to: TO }, now: TO })
}

describe('parallel reading of a large JSONL file', () => {
  const { text, badJsonLine } = messyLog()
  const path = join(root, 'messy.jsonl')
  writeFileSync(path, text)

  it('gives exactly the evidence a sequential read gives, for any chunking and worker count', async () => {
    const script = await fileWorkerScript()
    const sequential = await collect(path, false)
    expect(sequential.quality.records).toBeGreaterThan(5000)
    expect(sequential.quality.malformed).toBeGreaterThanOrEqual(4)
    expect(sequential.quality.malformedSamples).toContain(`messy.jsonl:${badJsonLine}: bad JSON`)
    expect(sequential.quality.unmatchedArms).toEqual({ mystery: 1 })
    expect(sequential.quality.future).toBe(1)
    expect(sequential.cells.some(c => c.segment !== '(total)')).toBe(true)
    // What explains a missing field: the fields the rows had (nested ones as paths), and the
    // malformed lines by reason, the same on every path below.
    expect(sequential.quality.fields?.paths).toEqual(
      expect.arrayContaining(['arm', 'latency_ms', 'extra', 'extra.depth'])
    )
    expect(sequential.quality.fields?.paths).toContain('prompt_tokens_details.cached_tokens')
    expect(sequential.quality.malformedReasons?.['bad JSON']).toEqual({
      count: 1,
      first: `messy.jsonl:${badJsonLine}`
    })
    for (const [workers, chunkBytes] of [
      [1, 1000],
      [2, 4096],
      [3, 65536],
      [1, 1 << 20]
    ] as const) {
      const parallel = await collect(path, { script, workers, chunkBytes, minFileBytes: 0 })
      expect(parallel, `${workers} workers, ${chunkBytes}-byte chunks`).toEqual(sequential)
    }
  })

  it('reads small files on this thread', async () => {
    const missing = join(root, 'no-such-worker.js')
    const small = await collect(path, {
      script: missing,
      workers: 1,
      chunkBytes: 4096,
      minFileBytes: 1 << 30
    })
    expect(small).toEqual(await collect(path, false))
  })

  it('reads the chunks of a worker that cannot start, or dies, on this thread: same evidence', async () => {
    const sequential = await collect(path, false)
    const broken = join(root, 'broken-worker.js')
    writeFileSync(broken, 'throw new Error("worker is broken")\n')
    // A real worker that exits after its third chunk, with chunks still queued.
    const dying = join(root, 'dying-worker.mjs')
    writeFileSync(
      dying,
      `import { parentPort } from 'node:worker_threads'\n` +
        `let n = 0\n` +
        `parentPort.on('message', () => { if (++n === 3) process.exit(7) })\n` +
        `await import(${JSON.stringify(pathToFileURL(await fileWorkerScript()).href)})\n`
    )
    // A relative path, which the Worker constructor refuses at once.
    for (const script of [broken, dying, 'fileWorker.js']) {
      for (const workers of [1, 2]) {
        const read = await collect(path, { script, workers, chunkBytes: 4096, minFileBytes: 0 })
        expect(read, `${script}, ${workers} workers`).toEqual(sequential)
      }
    }
  })
})

describe('parallel reading with variance reduction', () => {
  it('gives exactly the pre-exposure sums and covariates a sequential read gives', async () => {
    // Every user on the baseline for an hour before the rollout's start (FROM), then the canary.
    const lines: string[] = []
    let i = 0
    for (const row of traffic({
      seed: 12,
      start: FROM,
      rate: 2,
      count: 4000,
      canaryWeight: 30,
      users: 500,
      effect: NO_EFFECT,
      userLevels: { latency: 0.5 },
      preRollout: { count: 7200 }
    })) {
      if (++i % 9 === 0) delete row.user_id
      // A raw field no segment or metric reads: the workers must ship it for the covariate.
      row.plan = { tier: i % 3 === 0 ? 'pro' : 'free' }
      row.tier = (row.plan as { tier: string }).tier
      lines.push(JSON.stringify(row))
      if (i === 3000) lines.push('{"ts": "2026-11-02T07:10:00Z", "arm": ')
    }
    const path = join(root, 'lookback.jsonl')
    writeFileSync(path, lines.join('\n'))
    const covariates = [
      { field: 'input_tokens', type: 'numeric' as const },
      { field: 'route', type: 'categorical' as const },
      { field: 'tier', type: 'categorical' as const }
    ]
    const adjustedPolicy: Policy = {
      ...policy,
      metrics: policy.metrics.map(m =>
        m.kind === 'mean' ? { ...m, varianceReduction: { lookback: 3_600_000, covariates } } : m
      )
    }
    const read = (parallel: ParallelOptions | false) =>
      new FileSource({
        patterns: [path],
        baseDir: root,
        format: 'auto',
        policy: adjustedPolicy,
        maxLineBytes: 4096,
        parallel
      }).collect({ window: { from: FROM + 10 * MINUTE, to: TO }, now: TO, rolloutStartedAt: FROM })
    const sequential = await read(false)
    expect(sequential.quality.preExposure?.records).toBeGreaterThan(5000)
    expect(sequential.quality.preExposure?.canaryRecords).toBe(0)
    const adjusted = sequential.cells.find(c => c.metrics[0]?.adjusted)?.metrics[0]?.adjusted
    expect(adjusted?.covered).toBeGreaterThan(0)
    expect(adjusted?.covariates).toEqual(expect.arrayContaining(['route=faq', 'tier=pro']))
    const script = await fileWorkerScript()
    for (const [workers, chunkBytes] of [
      [1, 2000],
      [2, 65536]
    ] as const) {
      const parallel = await read({ script, workers, chunkBytes, minFileBytes: 0 })
      expect(parallel, `${workers} workers, ${chunkBytes}-byte chunks`).toEqual(sequential)
    }
  })
})

describe('files the parallel reader leaves to the sequential one', () => {
  it('an empty file is reported as empty, as a sequential read reports it', async () => {
    const empty = join(root, 'empty.jsonl')
    writeFileSync(empty, '')
    const script = await fileWorkerScript()
    const parallel = { script, workers: 1, chunkBytes: 16, minFileBytes: 0 }
    await expect(collect(empty, parallel)).rejects.toThrow(/empty\.jsonl: empty file/)
    await expect(collect(empty, false)).rejects.toThrow(/empty\.jsonl: empty file/)
  })

  it('a binary file is reported as binary, as a sequential read reports it', async () => {
    const binary = join(root, 'binary.jsonl')
    writeFileSync(binary, Buffer.concat([Buffer.from('{"ts": 1}\n'), Buffer.alloc(64, 0)]))
    const script = await fileWorkerScript()
    const options: (ParallelOptions | false)[] = [
      false,
      { script, workers: 1, chunkBytes: 16, minFileBytes: 0 }
    ]
    for (const parallel of options) {
      await expect(collect(binary, parallel)).rejects.toThrow(/binary file, not JSONL\/CSV/)
    }
  })
})

describe('lineAlignedRange', () => {
  it('splits a file into ranges whose lines, renumbered, are the whole file’s lines', async () => {
    const line = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 12 }).map(s => s.replace(/\n/g, '')),
      fc.string({ maxLength: 3 }).map(s => s.replace(/\n/g, '') + '\r')
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (lines, trailingNewline, chunkBytes, readBytes) => {
          const body = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '')
          const file = join(root, 'lines.txt')
          writeFileSync(file, body)
          const whole: [string, number][] = []
          const wholeCount = await forEachLine(lineAlignedRange(file, 0, 1e9), 1 << 20, (l, n) => {
            whole.push([l, n])
          })
          const pieces: [string, number][] = []
          let offset = 0
          for (const { start, end } of planChunks(Buffer.byteLength(body), chunkBytes)) {
            offset += await forEachLine(
              lineAlignedRange(file, start, end, 0, Buffer.alloc(readBytes)),
              1 << 20,
              (l, n) => pieces.push([l, offset + n])
            )
          }
          expect(pieces).toEqual(whole)
          expect(offset).toBe(wholeCount)
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe('RecordBatch', () => {
  it('carries records between threads unchanged, raw row reduced to the keys the policy reads', () => {
    const normalize = createNormalizer(policy)
    const raws: Record<string, unknown>[] = [
      { ts: FROM, arm: 'stable', user_id: 'u1', latency_ms: 12.5, route: 'faq', language: 'en' },
      { ts: FROM + 1, arm: 'candidate', latency_ms: 'NaN', error: { type: 'Rate_Limit' } },
      { ts: FROM + 2, arm: 'stable', session_id: 7, fallback: 'true', scores: { tone: 0.5 } },
      { ts: FROM + 3, arm: 'stable', extra: { depth: 3 }, route: 42, prompt: 'never shipped' },
      {
        ts: FROM + 4,
        arm: 'candidate',
        cost_usd: -1,
        feedback: false,
        model: 'm',
        system_fingerprint: 'fp'
      }
    ]
    const records = raws.map(raw => normalize(raw)).filter(isRequestRecord)
    expect(records).toHaveLength(raws.length)
    const keys = rawKeysFor(policy)
    expect(keys.sort()).toEqual(['extra', 'extra.depth', 'language', 'route'])
    const writer = new RecordBatchWriter(keys)
    for (const r of records) writer.add(r)
    const batch = structuredClone(writer.take())
    const out: { r: RequestRecord; unit: UnitKey | undefined }[] = []
    forEachBatchRecord(batch, keys, (r, unit) =>
      out.push({ r: { ...r, raw: { ...r.raw } }, unit: unit && { ...unit } })
    )
    records.forEach((r, i) => {
      const shipped = Object.fromEntries(keys.map(k => [k, r.raw[k]]))
      // The unit travels as its hash, never as the id.
      expect(out[i]!.r).toEqual({ ...r, unit: undefined, raw: shipped })
      expect(out[i]!.unit).toEqual(
        r.unit === undefined ? undefined : hashUnit(r.unit, { h1: 0, h2: 0 })
      )
    })
    expect(out[0]!.unit).toBeDefined()
    expect(out[1]!.r.latency_ms).toBeNaN()
  })
})

describe('UnitIndex', () => {
  it('gives each of 300,000 ids its own slot and finds it again', () => {
    const index = new UnitIndex(4)
    const key = (id: string) => hashUnit(id, { h1: 0, h2: 0 })
    for (let i = 0; i < 300_000; i++) {
      expect(index.find(key(`user-${i}`))).toBe(-1)
      index.insert(i)
    }
    expect(index.size).toBe(300_000)
    let wrong = 0
    for (let i = 0; i < 300_000; i++) if (index.find(key(`user-${i}`)) !== i) wrong++
    expect(wrong).toBe(0)
    expect(index.find(key('user-300000'))).toBe(-1)
    expect(index.find(key(''))).toBe(-1)
  })

  it('splits units into A/A halves evenly and independently of an FNV-1a arm assignment', () => {
    // The traffic generator assigns arms as a flag service does: FNV-1a of the id, mod 100.
    const fnv = (s: string) => {
      let h = 0x811c9dc5
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
      return h >>> 0
    }
    const counts = [
      [0, 0],
      [0, 0]
    ]
    for (let i = 0; i < 100_000; i++) {
      const id = `u${i}`
      counts[fnv(id) % 100 < 20 ? 1 : 0]![unitHalf(hashUnit(id, { h1: 0, h2: 0 }))]!++
    }
    // Each arm's units split 50/50 within 4 standard errors.
    for (const [a, b] of counts) {
      const n = a! + b!
      expect(Math.abs(a! / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n))
    }
  })
})
