import { once } from 'node:events'
import {
  copyFileSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import type { JudgeSpec, Policy } from '../src/policy/types.js'
import { DEFAULT_LEVELS } from '../src/policy/judgeSchema.js'
import { FileSource, type FileFormat } from '../src/sources/file/fileSource.js'
import { TOTAL_SEGMENT, type Evidence } from '../src/sketch/evidence.js'
import { SourceError } from '../src/sources/source.js'
import { testPolicy } from './fixtures/records/policy.js'

const MINUTE = 60_000
const FROM = Date.UTC(2026, 10, 2, 8, 0, 0)
const TO = FROM + 60 * MINUTE
const at = (minutes: number) => new Date(FROM + minutes * MINUTE).toISOString()
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'records')

const root = mkdtempSync(join(tmpdir(), 'rollout-gate-file-source-'))
let dirCount = 0
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A fresh folder holding the given files (string or Buffer contents). */
function folder(files: Record<string, string | Buffer>): string {
  const dir = join(root, `case-${++dirCount}`)
  mkdirSync(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return dir
}

const jsonl = (rows: unknown[]) => rows.map(r => JSON.stringify(r)).join('\n') + '\n'

function source(
  dir: string,
  patterns: string[],
  policy: Policy = testPolicy(),
  format: FileFormat = 'auto'
) {
  return new FileSource({ patterns, baseDir: dir, format, policy })
}

function collect(
  dir: string,
  patterns: string[],
  policy?: Policy,
  format?: FileFormat,
  now = TO
): Promise<Evidence> {
  return source(dir, patterns, policy, format).collect({ window: { from: FROM, to: TO }, now })
}

const totals = (e: Evidence, arm: 'baseline' | 'canary') =>
  e.cells.filter(c => c.arm === arm && c.segment === TOTAL_SEGMENT)
const requests = (e: Evidence, arm: 'baseline' | 'canary') =>
  totals(e, arm).reduce((n, c) => n + c.requests, 0)

const row = (minutes: number, arm: string, extra: Record<string, unknown> = {}) => ({
  ts: at(minutes),
  arm,
  user_id: `u${minutes}`,
  route: 'faq',
  language: 'en',
  model: 'gpt-4o-2024-08-06',
  latency_ms: 800 + minutes,
  prompt_tokens: 1000,
  completion_tokens: 100,
  error: null,
  ...extra
})

describe('FileSource: formats', () => {
  it('reads JSONL (with \\r\\n line ends and blank lines) into evidence', async () => {
    const text =
      jsonl([row(1, 'stable'), row(2, 'candidate')]).replace(/\n/g, '\r\n') +
      '\r\n' +
      jsonl([row(3, 'stable')])
    const dir = folder({ 'traffic.jsonl': text })
    const e = await collect(dir, ['traffic.jsonl'])
    expect(requests(e, 'baseline')).toBe(2)
    expect(requests(e, 'canary')).toBe(1)
    expect(e.quality).toMatchObject({ lines: 3, records: 3, malformed: 0 })
    expect(e.quality.files).toEqual([{ path: 'traffic.jsonl', lines: 3, malformed: 0 }])
    expect(e.source).toBe('files traffic.jsonl')
  })

  it('reads CSV with a header row: numbers converted, empty cells missing, dotted columns as aliases', async () => {
    const csv = [
      'ts,arm,user_id,gen_ai.usage.input_tokens,gen_ai.usage.output_tokens,latency_ms,score,zip',
      `${at(1)},stable,u1,1200,300,812.5,0.9,00123`,
      `${at(2)},candidate,u2,900,,640,,00456`,
      `${at(3)},stable,u3,"1,000",10,NaN,,`
    ].join('\n')
    const dir = folder({ 'calls.csv': csv })
    const policy = testPolicy({ segments: { by: ['zip'], gate: false } })
    const e = await collect(dir, ['*.csv'], policy)
    expect(e.quality).toMatchObject({ lines: 3, records: 3, malformed: 0 })
    const [first] = totals(e, 'baseline')
    // Output length (metric 4) has 300 and 10; quality (metric 0) only 0.9.
    expect(first!.metrics[4]!.moments.sx).toBe(310)
    expect(first!.metrics[0]!.moments.sx).toBe(0.9)
    // Leading zeros stay strings, so segment keys keep them.
    expect(e.cells.some(c => c.segment === 'zip=00123')).toBe(true)
    expect(e.quality.invalidValues).toEqual({
      'latency_ms: negative or not a finite number': 1,
      // The cost metric has tokens to price but no model column to price them with.
      'cost: no model to look up in policy.pricing': 3
    })
  })

  it('reports a CSV row that cannot be parsed by line, and that the file was not read to its end', async () => {
    const csv = ['ts,arm,latency_ms', `${at(1)},stable,5`, `${at(1)},stable,"unclosed`, ''].join(
      '\n'
    )
    const dir = folder({ 'bad.csv': csv })
    const e = await collect(dir, ['bad.csv'])
    expect(e.quality.records).toBe(1)
    expect(e.quality.malformed).toBe(1)
    expect(e.quality.malformedSamples[0]).toMatch(/^bad\.csv:\d+: unclosed quote$/)
    expect(e.quality.files[0]).toMatchObject({ path: 'bad.csv', incomplete: true })
  })

  it('detects gzip by its magic bytes, whatever the file is called', async () => {
    const data = gzipSync(jsonl([row(1, 'stable'), row(2, 'candidate')]))
    const dir = folder({
      'a.jsonl.gz': data,
      'b.log': data,
      'c.csv.gz': gzipSync(`ts,arm\n${at(4)},stable\n`)
    })
    const e = await collect(dir, ['*'])
    expect(e.quality.files.map(f => [f.path, f.lines])).toEqual([
      ['a.jsonl.gz', 2],
      ['b.log', 2],
      ['c.csv.gz', 1]
    ])
    expect(requests(e, 'baseline')).toBe(3)
  })

  it('reads an OTLP/JSON trace export: one record per GenAI span', async () => {
    const dir = folder({})
    copyFileSync(join(fixtures, 'otlp-export.json'), join(dir, 'traces.json'))
    const policy = testPolicy({
      arms: {
        field: 'deployment.arm',
        baseline: ['stable'],
        canary: ['candidate'],
        unit: 'enduser.id'
      },
      segments: { by: ['route'], gate: false }
    })
    const e = await collect(dir, ['traces.json'], policy)
    expect(e.quality).toMatchObject({ lines: 2, records: 2, malformed: 0 })
    const [cell] = totals(e, 'canary')
    expect(cell!.requests).toBe(2)
    expect(cell!.units).toBe(1)
    expect(cell!.errors).toEqual({ timeout: 1 })
    // The failed call carries only the requested model: kept apart from the served ones.
    expect(cell!.models).toEqual({ 'gpt-4o-2024-08-06': 1 })
    expect(cell!.failedModels).toEqual({ 'gpt-4o-2024-08-06': 1 })
    // p95 latency (metric 1) from span times: 1250 ms and 30000 ms.
    expect(cell!.metrics[1]!.quantiles).toMatchObject({ count: 2, min: 1250, max: 30000 })
    expect(e.cells.some(c => c.segment === 'route=faq')).toBe(true)
    expect(e.cells.some(c => c.segment === 'route=(none)')).toBe(true)
  })

  it("maps the GenAI spans' prompt and answer content to input and output for the judge", async () => {
    const dir = folder({})
    copyFileSync(join(fixtures, 'otlp-content.json'), join(dir, 'traces.json'))
    const arms = { field: 'deployment.arm', baseline: ['stable'], canary: ['candidate'] }
    const judge: JudgeSpec = {
      model: 'gpt-4.1-mini',
      apiKeyEnv: 'OPENAI_API_KEY',
      rubric: 'r',
      mode: 'pointwise',
      sample: 10,
      batch: 10,
      budget: { calls: 10 },
      concurrency: 1,
      timeout: 1000,
      maxRetries: 0,
      maxChars: 4000,
      redact: [],
      recheck: 0,
      cacheSize: 10,
      levels: DEFAULT_LEVELS,
      logprobs: false,
      health: { controls: 1, alpha: 0.05, maxFlipRate: 0.5, minKappa: 0.4 },
      lengthControl: { enabled: true, maxInflation: 4 }
    }
    const e = await collect(dir, ['traces.json'], testPolicy({ arms, judge }))
    expect(e.quality).toMatchObject({ records: 5, malformed: 0 })
    const texts = new Map((e.texts ?? []).map(t => [t.id, { input: t.input, output: t.output }]))
    expect(Object.fromEntries(texts)).toEqual({
      // v1.37+ structured messages: the conversation, without the system instructions.
      'chatcmpl-1': {
        input:
          'user: Where is my order?\nassistant: [tool call track {"order":"A-17"}]\ntool: [tool result "in transit"]',
        output: 'It is in transit and arrives tomorrow.'
      },
      // The same as JSON strings; the output is the first choice.
      'chatcmpl-2': { input: 'Can I change my address?', output: 'Yes, under Settings.' },
      // On the gen_ai.client.inference.operation.details event.
      'chatcmpl-3': { input: 'Do you ship to Norway?', output: 'We do, in 5 days.' },
      // v1.27 and before: gen_ai.content.prompt / gen_ai.content.completion events.
      'chatcmpl-4': { input: 'How do refunds work?', output: 'Within 14 days, to your card.' }
      // chatcmpl-5 recorded no content: no text.
    })
    // Without a judge nothing is rendered, and the evidence is the same.
    const plain = await collect(dir, ['traces.json'], testPolicy({ arms }))
    expect(plain.texts).toBeUndefined()
    expect(plain.cells).toEqual(e.cells)
  })

  it('reads OTLP exports line by line in JSONL, next to plain records', async () => {
    const span = (arm: string, minutes: number) => ({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'arm', value: { stringValue: arm } }] },
          scopeSpans: [
            {
              spans: [
                {
                  startTimeUnixNano: String(BigInt(FROM + minutes * MINUTE) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(FROM + minutes * MINUTE + 500) * 1_000_000n),
                  attributes: [{ key: 'gen_ai.usage.output_tokens', value: { intValue: '42' } }]
                }
              ]
            }
          ]
        }
      ]
    })
    const dir = folder({
      'mixed.jsonl': jsonl([span('stable', 1), row(2, 'stable'), span('candidate', 3)])
    })
    const e = await collect(dir, ['mixed.jsonl'])
    expect(e.quality).toMatchObject({ lines: 3, records: 3 })
    expect(totals(e, 'canary')[0]!.metrics[1]!.quantiles).toMatchObject({ min: 500, max: 500 })
  })
  it('reads a pretty-printed .json document: an array of records', async () => {
    const dir = folder({
      'export.json': JSON.stringify([row(1, 'stable'), row(2, 'candidate')], null, 2)
    })
    const e = await collect(dir, ['export.json'])
    expect(e.quality).toMatchObject({ lines: 2, records: 2, malformed: 0 })
  })

  it('counts a .json file that is not one document line by line', async () => {
    const dir = folder({
      'broken.json': '{"ts": "oops",\n' + JSON.stringify(row(1, 'stable')) + '\n'
    })
    const e = await collect(dir, ['broken.json'])
    expect(e.quality).toMatchObject({ lines: 2, records: 1, malformed: 1 })
    expect(e.quality.malformedSamples).toEqual(['broken.json:1: bad JSON'])
  })
})

describe('FileSource: files and globs', () => {
  it('expands globs to a sorted list of files and reads them all', async () => {
    const dir = folder({
      'traffic/2.jsonl': jsonl([row(2, 'stable')]),
      'traffic/1.jsonl': jsonl([row(1, 'stable')]),
      'traffic/3.jsonl': jsonl([row(3, 'candidate')]),
      'traffic/notes.txt': 'not traffic'
    })
    const e = await collect(dir, ['traffic/*.jsonl'])
    expect(e.quality.files.map(f => f.path)).toEqual([
      'traffic/1.jsonl',
      'traffic/2.jsonl',
      'traffic/3.jsonl'
    ])
    expect(e.quality.records).toBe(3)
  })

  it('takes an existing path literally, even when it looks like a glob', async () => {
    const dir = folder({ 'traffic (1).jsonl': jsonl([row(1, 'stable')]) })
    expect((await collect(dir, ['traffic (1).jsonl'])).quality.records).toBe(1)
  })

  it('throws a SourceError naming the patterns and folder when nothing matches', async () => {
    const dir = folder({ 'a.jsonl': jsonl([row(1, 'stable')]) })
    const error = await collect(dir, ['missing/*.jsonl', 'nope.csv']).catch(e => e)
    expect(error).toBeInstanceOf(SourceError)
    expect(error.message).toContain('"missing/*.jsonl", "nope.csv"')
    expect(error.message).toContain(dir)
  })

  it('reports an empty file and a binary file, and reads the others', async () => {
    const binary = Buffer.concat([Buffer.from('{"ts":'), Buffer.alloc(64), Buffer.from('}\n')])
    const dir = folder({ 'a.jsonl': '', 'b.jsonl': binary, 'c.jsonl': jsonl([row(1, 'stable')]) })
    const e = await collect(dir, ['*.jsonl'])
    expect(e.quality.files).toEqual([
      { path: 'a.jsonl', lines: 0, malformed: 0, problem: 'empty file' },
      {
        path: 'b.jsonl',
        lines: 0,
        malformed: 0,
        problem: 'binary file, not JSONL/CSV',
        incomplete: true
      },
      { path: 'c.jsonl', lines: 1, malformed: 0 }
    ])
    expect(e.quality.records).toBe(1)
  })

  it('throws a SourceError with each file problem when no file can be read', async () => {
    const dir = folder({
      'a.jsonl': '',
      'b.jsonl': Buffer.from([0x00, 0x01, 0x02]),
      'c.jsonl': '\n\n'
    })
    const error = await collect(dir, ['*.jsonl']).catch(e => e)
    expect(error).toBeInstanceOf(SourceError)
    expect(error.message).toContain('a.jsonl: empty file')
    expect(error.message).toContain('b.jsonl: binary file, not JSONL/CSV')
    expect(error.message).toContain('c.jsonl: no lines')
  })
})

describe('FileSource: data quality', () => {
  it('counts malformed lines and samples them as file:line, never with their content', async () => {
    const lines = [
      JSON.stringify(row(1, 'stable')),
      '{"ts": "2026-11-02T08:01:00Z", "input": "SECRET-PROMPT-TEXT", ',
      '"just a string SECRET-PROMPT-TEXT"',
      JSON.stringify({ arm: 'stable', input: 'SECRET-PROMPT-TEXT' }),
      JSON.stringify({ ts: at(2), input: 'SECRET-PROMPT-TEXT' }),
      JSON.stringify({ ts: 'SECRET-PROMPT-TEXT', arm: 'stable' })
    ]
    const dir = folder({ 'log.jsonl': lines.join('\n') })
    const e = await collect(dir, ['log.jsonl'])
    expect(e.quality.malformed).toBe(5)
    expect(e.quality.malformedSamples).toEqual([
      'log.jsonl:2: bad JSON',
      'log.jsonl:3: not a JSON object',
      'log.jsonl:4: no timestamp (ts, timestamp or start_time)',
      'log.jsonl:5: no arm field "arm"',
      'log.jsonl:6: invalid timestamp'
    ])
    expect(JSON.stringify(e)).not.toContain('SECRET')
    expect(e.quality.files[0]).toEqual({ path: 'log.jsonl', lines: 6, malformed: 5 })
  })

  it('skips a 50 MB line without holding it in memory, and reads on', async () => {
    const dir = folder({})
    const path = join(dir, 'huge.jsonl')
    const out = createWriteStream(path)
    out.write(JSON.stringify(row(1, 'stable')) + '\n')
    out.write('{"ts":"' + at(2) + '","arm":"stable","input":"')
    const chunk = 'x'.repeat(1 << 20)
    for (let i = 0; i < 50; i++) if (!out.write(chunk)) await once(out, 'drain')
    out.write('"}\n' + JSON.stringify(row(3, 'candidate')) + '\n')
    out.end()
    await once(out, 'finish')

    const before = process.memoryUsage()
    let peak = 0
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      peak = Math.max(peak, m.arrayBuffers - before.arrayBuffers + (m.heapUsed - before.heapUsed))
    }, 2)
    const e = await collect(dir, ['huge.jsonl'])
    clearInterval(sampler)
    expect(e.quality.malformedSamples).toEqual(['huge.jsonl:2: line too long (> 1 MiB)'])
    expect(e.quality).toMatchObject({ lines: 3, records: 2, malformed: 1 })
    // Holding the line would take 50 MB of buffers and 50-100 MB of string.
    expect(peak).toBeLessThan(30 * 1024 * 1024)
  })

  it('counts NaN and negative latencies as invalid values', async () => {
    const dir = folder({
      'log.jsonl': jsonl([
        row(1, 'stable', { latency_ms: 'NaN' }),
        row(2, 'stable', { latency_ms: -40 }),
        row(3, 'stable')
      ])
    })
    const e = await collect(dir, ['log.jsonl'])
    expect(e.quality.invalidValues).toEqual({ 'latency_ms: negative or not a finite number': 2 })
    expect(totals(e, 'baseline')[0]!.metrics[1]!.quantiles?.count).toBe(1)
  })

  it('counts records after `now` as future and ignores them', async () => {
    const dir = folder({
      'log.jsonl': jsonl([row(1, 'stable'), row(20, 'stable'), row(50, 'candidate')])
    })
    const e = await collect(dir, ['log.jsonl'], testPolicy(), 'jsonl', FROM + 10 * MINUTE)
    expect(e.quality).toMatchObject({ records: 1, future: 2, outsideWindow: 0 })
  })

  it('works with only one arm present', async () => {
    const dir = folder({ 'log.jsonl': jsonl([row(1, 'stable'), row(2, 'stable')]) })
    const e = await collect(dir, ['log.jsonl'])
    expect(requests(e, 'baseline')).toBe(2)
    expect(totals(e, 'canary')).toEqual([])
  })

  it('counts arm labels that match neither arm', async () => {
    const dir = folder({
      'log.jsonl': jsonl([
        row(1, 'stable'),
        row(2, 'shadow'),
        row(3, 'shadow'),
        row(4, 'Candidate')
      ])
    })
    const e = await collect(dir, ['log.jsonl'])
    expect(e.quality.unmatchedArms).toEqual({ shadow: 2, Candidate: 1 })
    expect(e.quality.records).toBe(1)
  })

  it('finds the earliest canary record at or before a time', async () => {
    const dir = folder({
      'a.jsonl': jsonl([row(1, 'stable'), row(9, 'candidate')]),
      'b.jsonl': jsonl([row(4, 'candidate'), row(30, 'candidate')])
    })
    const s = source(dir, ['*.jsonl'])
    expect(await s.firstCanaryTime(TO)).toBe(FROM + 4 * MINUTE)
    expect(await s.firstCanaryTime(FROM + 2 * MINUTE)).toBeUndefined()
  })
})
