/**
 * `npm run bench:judge`: judge calls spent to reach a decision with the sequential design (batches
 * of 20 per arm, stop when the judge metric is decisive and the judge's health checks pass)
 * against batches of 400 per arm (the same stop rule, looked at only every 400), on the same
 * traffic; control items included in both. The judge is an in-process stand-in that grades each output by the
 * facts it gets right (test/helpers/judgeTraffic.ts), so both designs see the same answers, and
 * degraded control copies grade lower; the counts are what a real API would bill.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { evaluate } from '../src/evaluate.js'
import type { ChatClient } from '../src/judge/client.js'
import { createJudge } from '../src/judge/run.js'
import { parsePolicy } from '../src/policy/parse.js'
import { FileSource } from '../src/sources/file/fileSource.js'
import { gradeOf } from '../test/helpers/judgeServer.js'
import { answer, question } from '../test/helpers/judgeTraffic.js'

const T0 = Date.parse('2026-03-01T00:00:00Z')
const PER_ARM = 1000
const REPLICATES = 5

/** Grades (1..5) a record of each arm draws from, uniformly. */
const SCENARIOS: Record<string, { baseline: number[]; canary: number[] }> = {
  'much worse': { baseline: [3, 4, 5], canary: [2, 3, 4] },
  'slightly worse': { baseline: [3, 4, 5], canary: [3, 3, 4, 5] },
  equal: { baseline: [3, 4, 5], canary: [3, 4, 5] },
  better: { baseline: [3, 4, 5], canary: [4, 5, 5] }
}

/** The block of the user message named `name`. */
const section = (text: string, name: string): string => {
  const start = text.indexOf(`<<<BEGIN ${name}>>>`)
  const end = text.indexOf(`<<<END ${name}>>>`)
  return start < 0 || end < 0 ? '' : text.slice(start, end)
}

const client: ChatClient = {
  complete({ messages }) {
    const user = messages.find(m => m.role === 'user')?.content ?? ''
    const grade = gradeOf(section(user, 'RESPONSE'), section(user, 'USER_INPUT'))
    return Promise.resolve({
      content: JSON.stringify({ feedback: 'ok', grade }),
      model: 'stand-in',
      inputTokens: Math.ceil(user.length / 4),
      outputTokens: 8
    })
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function policyText(sample: number, batch: number): string {
  return `version: 1
rollout: { name: bench, steps: [50, 100], minDuration: 1m, warmup: 0s, minSamples: 100 }
arms: { field: arm, baseline: b, canary: c }
source: { type: file, path: traffic.jsonl }
metrics:
  - { name: latency, from: latency_ms, kind: mean, better: lower, tolerance: 10%, mode: report }
judge:
  model: stand-in
  rubric: correct and helpful
  sample: ${sample}
  batch: ${batch}
  recheck: 0
  budget: { calls: 5000 }
  metric: { tolerance: 0.1 }
`
}

async function judgeOnce(dir: string, sample: number, batch: number) {
  const policy = parsePolicy(policyText(sample, batch), 'bench.yml')
  const spec = policy.judge!
  const outcome = await evaluate({
    policy,
    policyHash: 'bench',
    source: new FileSource({ patterns: ['traffic.jsonl'], baseDir: dir, format: 'auto', policy }),
    now: T0 + PER_ARM * 2000 + 1000,
    since: T0,
    judge: createJudge(spec, client)
  })
  const metric = outcome.record.metrics.find(m => m.from === 'judge')
  return { calls: outcome.record.judge?.calls ?? 0, verdict: metric?.verdict ?? 'none' }
}

const rows: string[][] = [
  ['scenario', 'batches of 400/arm', 'batches of 20', 'calls saved', 'same verdict']
]
let fixedTotal = 0
let sequentialTotal = 0
for (const [name, s] of Object.entries(SCENARIOS)) {
  let fixedCalls = 0
  let seqCalls = 0
  let same = 0
  const verdicts: string[] = []
  for (let r = 0; r < REPLICATES; r++) {
    const random = rng(1000 * r + name.length)
    const dir = mkdtempSync(join(tmpdir(), 'judge-bench-'))
    const lines: string[] = []
    for (let i = 0; i < PER_ARM; i++) {
      for (const arm of ['b', 'c'] as const) {
        const grades = arm === 'b' ? s.baseline : s.canary
        const grade = grades[Math.floor(random() * grades.length)]
        lines.push(
          JSON.stringify({
            id: `${arm}${i}`,
            ts: T0 + i * 2000,
            arm,
            latency_ms: 400,
            input: question(i),
            output: answer(i, grade ?? 3)
          })
        )
      }
    }
    writeFileSync(join(dir, 'traffic.jsonl'), lines.join('\n'))
    const fixed = await judgeOnce(dir, 400, 400)
    const sequential = await judgeOnce(dir, 400, 20)
    rmSync(dir, { recursive: true, force: true })
    fixedCalls += fixed.calls
    seqCalls += sequential.calls
    if (fixed.verdict === sequential.verdict) same++
    verdicts.push(`${fixed.verdict}/${sequential.verdict}`)
  }
  fixedTotal += fixedCalls
  sequentialTotal += seqCalls
  rows.push([
    name,
    String(fixedCalls / REPLICATES),
    String(seqCalls / REPLICATES),
    `${Math.round((1 - seqCalls / fixedCalls) * 100)}%`,
    `${same}/${REPLICATES} (${[...new Set(verdicts)].join(', ')})`
  ])
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)))
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '))
console.log(
  `\nall scenarios: ${sequentialTotal} calls in batches of 20 vs ${fixedTotal} in batches of 400: ${Math.round((1 - sequentialTotal / fixedTotal) * 100)}% fewer (mean calls per evaluation, ${REPLICATES} replicates each)`
)
