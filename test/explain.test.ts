import fc from 'fast-check'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NO_EFFECT, SCENARIOS, traffic } from '../examples/generate-traffic.js'
import { evaluate, type Outcome } from '../src/evaluate.js'
import type { Policy } from '../src/policy/types.js'
import { FieldCatalog, MAX_FIELD_PATHS, NESTED_ROWS } from '../src/records/fieldCatalog.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { metric, testPolicy } from './fixtures/records/policy.js'

const T0 = Date.parse('2026-11-02T08:00:00Z')
const NOW = T0 + 40 * 60_000
const root = mkdtempSync(join(tmpdir(), 'rollout-gate-explain-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Generated gateway logs (as JSON objects), reshaped by `map`, 50% canary by user. */
function rows(map: (row: Record<string, unknown>) => Record<string, unknown> = r => r) {
  return [
    ...traffic({
      seed: 3,
      start: T0,
      rate: 4,
      count: 8000,
      canaryWeight: 50,
      users: 3000,
      effect: SCENARIOS.aa ?? NO_EFFECT
    })
  ].map(map)
}

let files = 0
/** Evaluates these lines under `policy`, as a first step that began at T0. */
async function explain(policy: Policy, lines: string[]): Promise<Outcome> {
  const dir = join(root, String(++files))
  const { mkdirSync } = await import('node:fs')
  mkdirSync(dir)
  writeFileSync(join(dir, 'calls.jsonl'), lines.join('\n') + '\n')
  return evaluate({
    policy,
    policyHash: 'sha256:test',
    source: new FileSource({ patterns: ['calls.jsonl'], baseDir: dir, format: 'auto', policy }),
    now: NOW,
    since: T0,
    replay: true
  })
}

const jsonl = (objects: Record<string, unknown>[]) => objects.map(o => JSON.stringify(o))
const check = (o: Outcome, name: string) => o.record.checks.find(c => c.name === name)
const policy = testPolicy({ rollout: { ...testPolicy().rollout, steps: [50, 100] } })

describe('explaining what the gate sees', () => {
  it('a metric reading a misspelt field blocks, naming the field the data has', async () => {
    const typo = {
      ...policy,
      metrics: policy.metrics.map(m =>
        m.name === 'p95 latency' ? { ...m, from: 'latency', path: 'metrics[1]' } : m
      )
    }
    const o = await explain(typo, jsonl(rows()))
    expect(check(o, 'fields')).toEqual({
      name: 'fields',
      status: 'block',
      detail:
        'metric "p95 latency" reads "latency", which no record has (did you mean "latency_ms"? fix metrics[1].from in the policy)'
    })
    expect(o.record.decision).toBe('hold')
    expect(o.record.reasons[0]).toContain('did you mean "latency_ms"?')
    expect(o.text).toContain('[block] fields: metric "p95 latency" reads "latency"')
    expect(o.markdown).toContain('⛔ fields: metric "p95 latency" reads "latency"')
  })

  it('a report-only metric reading an absent field warns, and does not hold the rollout', async () => {
    const o = await explain(
      {
        ...policy,
        metrics: [
          ...policy.metrics,
          metric('tools', 'tool_calls', 'mean', { mode: 'report', path: 'metrics[5]' })
        ]
      },
      jsonl(rows())
    )
    expect(check(o, 'fields')).toMatchObject({ status: 'warn' })
    expect(check(o, 'fields')?.detail).toMatch(
      /^metric "tools" reads "tool_calls", which no record has/
    )
  })

  it('every field present: ok, with how many fields the rows had', async () => {
    const o = await explain(policy, jsonl(rows()))
    expect(check(o, 'fields')?.status).toBe('ok')
    expect(check(o, 'fields')?.detail).toMatch(
      /^every field the policy reads appears in the data \(\d+ fields seen\)$/
    )
  })

  it('a nested OpenAI response logged under `response`: the did-you-mean is its nested path', async () => {
    const nested = rows(r => ({
      ts: r.ts,
      arm: r.arm,
      user_id: r.user_id,
      route: r.route,
      language: r.language,
      latency_ms: r.latency_ms,
      score: r.score,
      response: {
        id: 'chatcmpl-1',
        model: r.model,
        usage: { prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens }
      }
    }))
    const o = await explain(policy, jsonl(nested))
    const detail = check(o, 'fields')?.detail ?? ''
    // output_tokens (and its aliases completion_tokens, gen_ai.usage.output_tokens) is nowhere at
    // the top level; the response's usage has it. A report-only metric: a warning.
    expect(detail).toContain(
      'metric "output length" reads "output_tokens", which no record has (did you mean "response.usage.completion_tokens"? fix metrics[output length].from in the policy)'
    )
    // Named by its path, the metric reads it.
    const fixed = await explain(
      {
        ...policy,
        metrics: policy.metrics.map(m =>
          m.name === 'output length' ? { ...m, from: 'response.usage.completion_tokens' } : m
        )
      },
      jsonl(nested)
    )
    expect(fixed.record.metrics.find(m => m.name === 'output length')?.n.canary).toBeGreaterThan(
      1000
    )
    expect(check(fixed, 'fields')?.detail).not.toContain('output length')
  })

  it('an unknown arm field: every line is malformed, and the field holding the labels is named', async () => {
    const o = await explain(
      { ...policy, arms: { ...policy.arms, field: 'variant' } },
      jsonl(rows())
    )
    const dq = check(o, 'data-quality')
    expect(dq?.status).toBe('block')
    expect(dq?.detail).toBe(
      '8,000 of 8,000 lines malformed (100.0% > 1.0%): no arm field "variant" (8,000 lines, first at calls.jsonl:1; field "arm" holds the arm labels: set arms.field to it)'
    )
    expect(o.text).toContain('no arm field "variant" (8,000 lines, first at calls.jsonl:1;')
    expect(o.markdown).toContain('no arm field "variant" (8,000 lines, first at calls.jsonl:1;')
  })

  it('a LiteLLM log (startTime, not ts) is read as it is; the time fields of another log are named', async () => {
    // LiteLLM's spend-log shape: startTime/endTime, model, spend, prompt and completion tokens.
    const litellm = rows(r => ({
      startTime: r.ts,
      endTime: r.ts,
      model: r.model,
      spend: 0.001,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      arm: r.arm,
      end_user: r.user_id
    }))
    const read = await explain(policy, jsonl(litellm))
    expect(check(read, 'data-quality')?.detail).toBe('8,000 lines, none malformed')
    // A log of its own shape: the fields that hold times are named, with what to write.
    const own = rows(r => ({
      created_at: r.ts,
      finished_at: r.ts,
      model: r.model,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      arm: r.arm,
      user_id: r.user_id
    }))
    const o = await explain(policy, jsonl(own))
    expect(check(o, 'data-quality')?.detail).toContain(
      'no timestamp (ts, timestamp or start_time) (8,000 lines, first at calls.jsonl:1; fields "created_at", "finished_at" hold times: write the request\'s start time as ts (or timestamp, start_time))'
    )
  })

  it('the top malformed reasons, with counts and the first line, in the text and the markdown', async () => {
    const lines = jsonl(rows())
    for (let i = 0; i < 5; i++)
      lines.splice(10 + i * 100, 0, '{"ts": "2026-11-02T08:00:00Z", "arm"')
    lines.splice(50, 0, '[1, 2]', JSON.stringify({ arm: 'stable' }))
    const o = await explain(policy, lines)
    const detail = check(o, 'data-quality')?.detail
    expect(detail).toBe(
      '7 of 8,007 lines malformed: bad JSON (5 lines, first at calls.jsonl:11); not a JSON object (1 line, first at calls.jsonl:51); no timestamp (ts, timestamp or start_time) (1 line, first at calls.jsonl:52)'
    )
    expect(o.text).toContain(`[warn] data-quality: ${detail}`)
    expect(o.markdown).toContain('bad JSON (5 lines, first at calls.jsonl:11)')
    expect(o.record.dataQuality?.malformedReasons).toEqual({
      'bad JSON': { count: 5, first: 'calls.jsonl:11' },
      'not a JSON object': { count: 1, first: 'calls.jsonl:51' },
      'no timestamp (ts, timestamp or start_time)': { count: 1, first: 'calls.jsonl:52' }
    })
  })
})

describe('FieldCatalog: the fields rows had, bounded, and the same on every read path', () => {
  const pool: Record<string, unknown>[] = [
    { ts: 1, arm: 'stable', latency_ms: 3 },
    { ts: 1, arm: 'candidate', error: { type: 'rate_limit', code: 429 } },
    { ts: 1, arm: 'stable', response: { usage: { completion_tokens: 3, details: { deep: 1 } } } },
    { ts: 1, variant: 'candidate', metadata: { route: 'faq' } },
    { startTime: '2026-11-02T08:00:00Z', arm: 'stable', choices: [{ message: {} }] },
    { 'gen_ai.usage.input_tokens': 3, arm: 'stable', ts: 2 }
  ]
  const catalogPolicy = testPolicy()

  const read = (rowsRead: Record<string, unknown>[]) => {
    const c = new FieldCatalog(catalogPolicy)
    for (const r of rowsRead) {
      c.add(r)
      if (!('arm' in r)) c.armless(r)
      if (!('ts' in r)) c.timeless(r)
    }
    return c
  }

  it('records nested objects as paths (three deep, not into arrays), and what holds labels or times', () => {
    expect(read(pool).result()).toEqual({
      paths: [
        'arm',
        'choices',
        'error',
        'latency_ms',
        'metadata',
        'response',
        'startTime',
        'ts',
        'variant',
        'error.code',
        'error.type',
        'metadata.route',
        'response.usage',
        // A flat dotted key (as OTLP attributes have) sorts by its dots too.
        'gen_ai.usage.input_tokens',
        'response.usage.completion_tokens',
        'response.usage.details'
      ],
      armLabelFields: ['variant'],
      timeFields: ['startTime']
    })
  })

  /** As the parallel reader does: chunk 0 read here, the others by workers, merged in order. */
  const readInChunks = (all: Record<string, unknown>[], bounds: number[]) => {
    const main = new FieldCatalog(catalogPolicy)
    main.beginFile()
    for (let i = 0; i + 1 < bounds.length; i++) {
      const part = all.slice(bounds[i], bounds[i + 1])
      if (i === 0) {
        for (const r of part) main.add(r)
        continue
      }
      const worker = new FieldCatalog(catalogPolicy, {
        chunk: true,
        nestedRows: main.nestedRowsLeft()
      })
      for (const r of part) worker.add(r)
      main.mergeChunk(worker.chunk())
    }
    return main.result()
  }

  it('gives the same result for any split of a file into chunks read by workers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 5 }),
        (picks, cuts) => {
          const all = picks.map(i => pool[i] as Record<string, unknown>)
          const whole = read(all).result()
          const { armLabelFields: _a, timeFields: _t, ...plain } = whole
          const bounds = [
            0,
            ...cuts.map(c => c % (all.length + 1)).sort((a, b) => a - b),
            all.length
          ]
          expect(readInChunks(all, bounds)).toEqual(plain)
          // Fewer rows than a file's nested walk: any order gives the same fields.
          expect(read([...all].reverse()).result()).toEqual(whole)
        }
      ),
      { numRuns: 200 }
    )
  })

  it(`walks nested objects in each file's first ${NESTED_ROWS} rows only, however it is split`, () => {
    const plain = { ts: 1, arm: 'stable', usage: { prompt_tokens: 1 } }
    const late = { ts: 1, arm: 'stable', usage: { cached: 1 }, late_field: 1 }
    const rowsRead = [...Array.from({ length: NESTED_ROWS }, () => plain), late]
    const whole = read(rowsRead).result()
    expect(whole.paths).toEqual(['arm', 'late_field', 'ts', 'usage', 'usage.prompt_tokens'])
    for (const cut of [1, 1000, NESTED_ROWS - 1, NESTED_ROWS, NESTED_ROWS + 1]) {
      expect(readInChunks(rowsRead, [0, cut, rowsRead.length])).toEqual(whole)
    }
  })

  it('keeps the shallowest, then alphabetically first, paths when there are too many', () => {
    // A dictionary keyed by user id under `metadata` (1,000 keys), plus the usual fields.
    const wide = Array.from({ length: 1000 }, (_, i) => ({
      ts: 1,
      arm: 'stable',
      metadata: { [`user_${String(i).padStart(4, '0')}`]: 1 }
    }))
    const forward = read(wide).result()
    const backward = read([...wide].reverse()).result()
    expect(forward).toEqual(backward)
    expect(forward.truncated).toBe(true)
    expect(forward.paths).toHaveLength(MAX_FIELD_PATHS)
    expect(forward.paths.slice(0, 4)).toEqual(['arm', 'metadata', 'ts', 'metadata.user_0000'])
    expect(forward.paths.at(-1)).toBe(
      `metadata.user_${String(MAX_FIELD_PATHS - 4).padStart(4, '0')}`
    )
  })
})
