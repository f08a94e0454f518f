// The decision-speed simulation (issue 12, "Proof"): every scenario of test/validity/speed.ts over
// seeded traffic, decided by the real gate every 10 minutes from minute 20; prints, and writes
// docs/speed.md: the share of seeds that did what they should by when (with its Clopper-Pearson
// interval), which metrics kept the others waiting, and how well the projections foretold when
// each metric would decide.
//
//   npm run validate:speed                       20 seeds a scenario, writes docs/speed.md
//   npm run validate:speed -- --seeds 4 --only aa     a quick look, writes nothing
//   npm run validate:speed -- --generator examples    the same scenarios on the repository's
//                                                      example generator, writes nothing
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { format, resolveConfig } from 'prettier'
import { clopperPearson } from '../test/validity/regime.js'
import {
  fixedSampleAt,
  SCENARIOS,
  simulateStep,
  type Look,
  type Scenario
} from '../test/validity/speed.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seeds: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7000' },
    generator: { type: 'string', default: 'speed' }
  }
})
if (values.generator !== 'speed' && values.generator !== 'examples') {
  console.error(`--generator: expected speed or examples, got ${values.generator}`)
  process.exit(2)
}
const generator = values.generator
const seeds = Number(values.seeds)
const first = Number(values.seed)
const partial = values.only !== undefined || values.seeds !== '20' || generator !== 'speed'
const pct = (x: number) => `${Math.round(100 * x)}%`

interface Row {
  scenario: Scenario
  variant: string
  met: number
  /** Seeds on which one fixed-sample test at the deadline, at the same alphas, does it. */
  fixedMet: number
  minutes: number[]
  waiting: Record<string, number>
  /** Metric name -> projected over actual time to decide. */
  ratios: Record<string, number[]>
}

/** Whether the seed did what the scenario expects, by when. */
function met(s: Scenario, looks: Look[]): { ok: boolean; minute?: number } {
  const hit = looks.find(l => l.action !== 'hold')
  const ok = hit?.action === s.expect.action && hit.minute <= s.expect.byMinute
  return hit ? { ok, minute: hit.minute } : { ok: false }
}

/**
 * Projections against what happened: for each metric inconclusive at a look with a projected
 * time, the projected over the actual time until it first decided (at a later look), when it did.
 */
function projectionRatios(looks: Look[]): Record<string, number[]> {
  const ratios: Record<string, number[]> = {}
  const names = looks[0]?.metrics.map(m => m.name) ?? []
  for (const name of names) {
    const decidedAt = looks.find(
      l => l.metrics.find(m => m.name === name)?.verdict !== 'inconclusive'
    )
    if (!decidedAt) continue
    for (const l of looks) {
      if (l.minute >= decidedAt.minute) break
      const m = l.metrics.find(x => x.name === name)
      if (m?.seconds) (ratios[name] ??= []).push(m.seconds / ((decidedAt.minute - l.minute) * 60))
    }
  }
  return ratios
}

const rows: Row[] = []
/** Minutes of traffic before the rollout read as each user's pre-exposure level (CUPED). */
const LOOKBACK = 360
const variants: { name: string; steps?: string; lookback?: number }[] = [
  { name: 'rollout budget', steps: undefined },
  { name: 'one-step budget', steps: '[25, 100]' },
  { name: 'rollout budget, CUPED', lookback: LOOKBACK }
]
for (const scenario of SCENARIOS.filter(s => !values.only || s.id.includes(values.only))) {
  for (const variant of variants) {
    if (variant.steps && scenario.expect.action !== 'promote') continue
    // The example generator writes no traffic before the rollout to look back on.
    if (variant.lookback && generator === 'examples') continue
    const row: Row = {
      scenario,
      variant: variant.name,
      met: 0,
      fixedMet: 0,
      minutes: [],
      waiting: {},
      ratios: {}
    }
    const started = performance.now()
    for (let i = 0; i < seeds; i++) {
      const promote = scenario.expect.action === 'promote'
      const looks = await simulateStep(scenario, first + i, {
        generator,
        ...(variant.steps && { steps: variant.steps }),
        ...(variant.lookback && { lookback: variant.lookback }),
        ...(promote && { lastMinute: 240, untilEnd: true })
      })
      const fixed = await fixedSampleAt(scenario, first + i, {
        generator,
        ...(variant.steps && { steps: variant.steps })
      })
      if (fixed === scenario.expect.action) row.fixedMet++
      const within = looks.filter(l => l.minute <= scenario.expect.byMinute)
      const m = met(scenario, within)
      if (m.ok) row.met++
      if (m.minute !== undefined) row.minutes.push(m.minute)
      const last = within.at(-1)
      if (!m.ok && last) {
        for (const x of last.metrics) {
          if (x.verdict === 'inconclusive') {
            const key = `${x.name}${x.why && x.why !== 'inconclusive' ? ` (${x.why})` : ''}`
            row.waiting[key] = (row.waiting[key] ?? 0) + 1
          }
        }
      }
      for (const [name, list] of Object.entries(projectionRatios(looks))) {
        ;(row.ratios[name] ??= []).push(...list)
      }
    }
    rows.push(row)
    const ci = clopperPearson(row.met, seeds, 0.95)
    console.log(
      `${scenario.id} [${variant.name}]: ${row.met}/${seeds} ${scenario.expect.action} by minute ${scenario.expect.byMinute} = ${pct(row.met / seeds)} [${pct(ci.lower)}, ${pct(ci.upper)}] (target ${pct(scenario.expect.share)}; a fixed-sample test at the deadline: ${row.fixedMet}/${seeds}); waiting: ${JSON.stringify(row.waiting)} (${((performance.now() - started) / 1000).toFixed(0)} s)`
    )
  }
}
const byMetric: Record<string, number[]> = {}
for (const r of rows) {
  for (const [name, list] of Object.entries(r.ratios)) (byMetric[name] ??= []).push(...list)
}
const projectionLines = Object.entries(byMetric).map(([name, list]) => {
  const sorted = [...list].sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
  const within2 = sorted.filter(r => r >= 0.5 && r <= 2).length
  return `${name}: ${sorted.length} projections, projected / actual time median ${q(0.5).toFixed(2)} (quartiles ${q(0.25).toFixed(2)} to ${q(0.75).toFixed(2)}), ${pct(within2 / sorted.length)} within a factor of 2`
})
const projection =
  projectionLines.length > 0 ? projectionLines.join('; ') : 'no metric decided after a projection'
console.log(projection)
if (!partial) {
  const target = new URL('../docs/speed.md', import.meta.url)
  writeFileSync(target, await formatted(target, markdown(rows, projection)))
  console.log(`wrote ${target.pathname}`)
}

function markdown(list: Row[], projectionLine: string): string {
  const median = (xs: number[]) =>
    xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined
  return [
    '# Decision speed',
    '',
    '<!-- Written by `npm run validate:speed` (scripts/validate-speed.ts); do not edit by hand. -->',
    '',
    `Seeded traffic (test/validity/speed.ts: 600 requests a minute, a 25% canary assigned per user among 4,000 users of very unequal activity, each with its own latency and quality level) decided by the real gate every 10 minutes from minute 20, ${seeds} seeds a scenario. "Rollout budget": the policy's steps are 1, 5, 25, 50, 100%, and the gate promoted the 1% and 5% steps: the 25% step's rollback side has a quarter of the rollout's 5% error budget (less a tenth kept for restarts: 1.125%), its pass side what the earlier steps left (2.475%); "one-step budget": steps 25, 100%, 4.5% on each side (as a gate with a per-step budget would); "CUPED": the rollout budget with \`varianceReduction: { lookback: ${LOOKBACK / 60}h }\` and ${LOOKBACK / 60} hours of traffic before the rollout (everyone on the baseline; the step's own traffic is the same seed's), so each user's earlier quality and cost explain part of the step's (the score keeps its nonasymptotic sequence at a tenth of its alpha, intersected with the adjusted one). In all three, a promotion needs every metric to pass, so each metric's pass side is tested at the whole pass alpha, while a rollback's side is split over the four metrics (stats/alphaSpending.ts). "Fixed-sample test" is a reference, not the gate: one test of the same seed's evidence at the deadline, at the same alphas, one-sided, normal (cluster-robust standard errors; Woodruff intervals for p95), with none of the price of looking every 10 minutes (and unadjusted, on every row); where even it misses a target, no test at that error rate meets it on this traffic. "Waiting" counts, over the seeds that missed, the metrics still inconclusive at the deadline.`,
    '',
    '| scenario | budget | expected | met | 95% interval | median minute | fixed-sample test at the deadline | waiting on |',
    '|---|---|---|---:|---|---:|---:|---|',
    ...list.map(r => {
      const ci = clopperPearson(r.met, seeds, 0.95)
      const waiting = Object.entries(r.waiting)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}: ${n}`)
        .join('; ')
      return `| ${r.scenario.description} | ${r.variant} | ${r.scenario.expect.action} by minute ${r.scenario.expect.byMinute} in >= ${pct(r.scenario.expect.share)} | ${r.met}/${seeds} | ${pct(ci.lower)} to ${pct(ci.upper)} | ${median(r.minutes) ?? '-'} | ${r.fixedMet}/${seeds} | ${waiting || '-'} |`
    }),
    '',
    `Projections (each inconclusive metric's projected time to decide, at a look of a promote scenario, over the time it then took; looks continue to minute 240): ${projectionLine}.`,
    ''
  ].join('\n')
}

/** The document as the repository formats it (prettier, .prettierrc.json), so format:check passes. */
async function formatted(target: URL, text: string): Promise<string> {
  const config = await resolveConfig(target)
  return format(text, { ...config, filepath: target.pathname })
}
