/**
 * `npm run validate:judge`: the issue's table, run. Each row is a scripted judge through the real
 * `openai` client against a loopback endpoint (test/helpers/judgeServer.ts), over a six-hour
 * rollout step evaluated every 30 minutes (test/helpers/judgeRollout.ts), seeded, `--runs` times
 * (default 20), on this tree ("after") and on the tree the issue measured ("before", commit
 * 095ba11 unless `--before REF`; extracted with `git archive` into a temporary folder). Prints
 * per row the decisions with the binomial (Wilson 95%) interval of the rate that matters, and the
 * median judge calls over the step, and writes the table to docs/judge-validity.md with --write.
 * Exit 1 when a row misses its bound on this tree.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { format, resolveConfig } from 'prettier'
import {
  SCENARIOS,
  simulate,
  wilson,
  type RunResult,
  type Scenario
} from '../test/helpers/judgeRollout.js'

const args = process.argv.slice(2)
const flag = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const runs = Number(flag('--runs') ?? 20)
const beforeRef = flag('--before') ?? '095ba11'
const skipBefore = args.includes('--no-before')
const only = flag('--only')?.split(',').map(Number)
const write = args.includes('--write')
const root = resolve(import.meta.dirname, '..')

interface Row {
  scenario: Scenario
  after: RunResult[]
  before?: RunResult[]
}

function checkout(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'judge-before-'))
  const tar = execFileSync('git', ['archive', ref, 'src'], { cwd: root, maxBuffer: 1 << 28 })
  execFileSync('tar', ['-x', '-C', dir], { input: tar })
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

async function runAll(tree: string, s: Scenario): Promise<RunResult[]> {
  const out: RunResult[] = []
  for (let seed = 1; seed <= runs; seed++) out.push(await simulate(tree, s, seed))
  return out
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function cell(results: RunResult[], s: Scenario): string {
  const count = (d: RunResult['decision']) => results.filter(r => r.decision === d).length
  const k = count(s.expect.decision)
  const [lo, hi] = wilson(k, results.length)
  const decided = results.filter(r => r.decision === s.expect.decision)
  const calls = decided.length > 0 ? decided.map(r => r.calls) : results.map(r => r.calls)
  const pct = (x: number) => `${Math.round(x * 100)}%`
  return `${count('promote')} promote / ${count('rollback')} rollback / ${count('hold')} hold; ${s.expect.decision} ${pct(k / results.length)} [${pct(lo)}, ${pct(hi)}]; median ${median(calls)} calls${decided.length > 0 ? ` to ${s.expect.decision}` : ''}, ${median(results.map(r => r.minutes))} min${change(results)}`
}

/**
 * The fixed-sample reference on the same run's judged items at its last evaluation (its decision,
 * or the step's end): what one one-sided normal test decides there (judgeRollout.ts,
 * fixedSampleDecision), and the calls the run had made by then.
 */
function fixedCell(results: RunResult[], s: Scenario): string {
  const known = results.filter(r => r.fixed !== undefined)
  if (known.length === 0) return 'not measured'
  const count = (d: RunResult['decision']) => known.filter(r => r.fixed === d).length
  const k = count(s.expect.decision)
  const [lo, hi] = wilson(k, known.length)
  const pct = (x: number) => `${Math.round(x * 100)}%`
  return `${count('promote')} promote / ${count('rollback')} rollback / ${count('hold')} hold; ${s.expect.decision} ${pct(k / known.length)} [${pct(lo)}, ${pct(hi)}]; median ${median(known.map(r => r.calls))} calls`
}

/** The judge metric's change at the last look: the medians of the estimate and of its bounds. */
function change(results: RunResult[]): string {
  const cs = results.flatMap(r =>
    r.change && Number.isFinite(r.change.estimate) ? [r.change] : []
  )
  if (cs.length === 0) return ''
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x))
  return `; change at the last look ${f(median(cs.map(c => c.estimate)))} [${f(median(cs.map(c => c.lower)))}, ${f(median(cs.map(c => c.upper)))}]`
}

function verdict(results: RunResult[], s: Scenario): boolean {
  const rate = results.filter(r => r.decision === s.expect.decision).length / results.length
  if (s.expect.atMost !== undefined && rate > s.expect.atMost) return false
  if (s.expect.atLeast !== undefined && rate < s.expect.atLeast) return false
  return true
}

const before = skipBefore ? undefined : checkout(beforeRef)
const rows: Row[] = []
try {
  for (const [i, scenario] of SCENARIOS.entries()) {
    if (only && !only.includes(i)) continue
    const started = Date.now()
    const after = await runAll(root, scenario)
    const row: Row = { scenario, after }
    if (before) row.before = await runAll(before, scenario)
    rows.push(row)
    console.log(`\n${scenario.name} (${Math.round((Date.now() - started) / 1000)} s)`)
    if (row.before) console.log(`  before (${beforeRef}): ${cell(row.before, scenario)}`)
    console.log(
      `  after: ${cell(after, scenario)}  ${verdict(after, scenario) ? 'OK' : 'MISSES ITS BOUND'}`
    )
    console.log(`  fixed-sample test, same judged items: ${fixedCell(after, scenario)}`)
  }
} finally {
  if (before) rmSync(before, { recursive: true, force: true })
}

const bound = (s: Scenario) =>
  s.expect.atMost !== undefined
    ? `${s.expect.decision} in at most ${Math.round(s.expect.atMost * 100)}%`
    : `${s.expect.decision} in at least ${Math.round((s.expect.atLeast ?? 0) * 100)}%`
const table = [
  `| judge behaviour (truth) | bound | before (${beforeRef}) | after | | fixed-sample test, same judged items |`,
  '|---|---|---|---|---|---|',
  ...rows.map(
    r =>
      `| ${r.scenario.name} | ${bound(r.scenario)} | ${r.before ? cell(r.before, r.scenario) : 'not run'} | ${cell(r.after, r.scenario)} | ${verdict(r.after, r.scenario) ? 'ok' : '**misses**'} | ${fixedCell(r.after, r.scenario)} |`
  )
].join('\n')
console.log(
  `\n${runs} seeded runs per row, each a 6-hour step evaluated every 30 minutes\n\n${table}`
)
if (write) {
  const file = join(root, 'docs', 'judge-validity.md')
  const text = `# The judge's validity, measured\n\nGenerated by \`npm run validate:judge -- --write\` (${runs} seeded runs per row; each run a six-hour rollout step evaluated every 30 minutes, 240 inputs an hour per arm, a scripted judge behind a loopback OpenAI-compatible endpoint, the real \`openai\` client). "before" is commit ${beforeRef}, the code the issue measured; "after" is this tree. Calls are judge calls over the whole step, median over the runs that reached the decision named (else over all runs); minutes are the median time of the last evaluation; the change at the last look is the judge metric's (the canary's win rate minus 0.5, pairwise; its mean grade minus the baseline's, pointwise, on the metric's scale), the medians of its estimate and of its confidence sequence's bounds, against the tolerance of 0.05. The last column is a reference, not the gate: one one-sided normal test (cluster-robust standard error, at the judge metric's own pass and fail alphas, with none of the price of looking at every evaluation) of the items the same run had judged at its last evaluation (its decision, or the step's end), with the run's calls by then. It tests the judge metric alone: the judge's health checks, which hold the content-blind judges whatever their metric says, are not applied, so it promotes those (as the asymptotic interval of 095ba11 did). Where even it misses a row's bound, no test at that error rate meets the bound on that traffic and that many judged items.\n\n${table}\n`
  // Formatted as the repository formats markdown, so format:check passes on the written file.
  writeFileSync(file, await format(text, { ...(await resolveConfig(file)), parser: 'markdown' }))
}
process.exitCode = rows.every(r => verdict(r.after, r.scenario)) ? 0 : 1
