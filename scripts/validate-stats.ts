// The validity suite, full (issue 12, "Proof"): every regime of test/validity/*.regimes.ts at its
// `full` replicates (>= 500), printed as it runs and written to docs/validity.md.
//
//   npm run validate:stats                  all regimes, full replicates, writes docs/validity.md
//   npm run validate:stats -- --only lognormal --replicates 100     a quick look, writes nothing
//   npm run validate:stats -- --only judge --update    the regimes matched, full replicates, their
//                                                       rows replaced or added in docs/validity.md
//   npm run validate:stats -- --match '^diff-' --update      the same for the ids matching a regex
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { format, resolveConfig } from 'prettier'
import { loadRegimes } from '../test/validity/load.js'
import { judge, LOOKS, outcomeLine, SLACK, type RegimeOutcome } from '../test/validity/regime.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    match: { type: 'string' },
    replicates: { type: 'string' },
    update: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261102' }
  }
})
const seed = Number(values.seed)
const match = values.match ? new RegExp(values.match) : undefined
const regimes = (await loadRegimes()).filter(
  r => (!values.only || r.id.includes(values.only)) && (!match || match.test(r.id))
)
const partial =
  values.only !== undefined || values.match !== undefined || values.replicates !== undefined
if (values.update && values.replicates !== undefined) {
  console.error('--update runs full replicates; drop --replicates')
  process.exit(2)
}
const outcomes: RegimeOutcome[] = []
for (const regime of regimes) {
  const replicates = values.replicates ? Number(values.replicates) : regime.full
  const started = performance.now()
  const outcome = judge(regime, regime.run(replicates, seed))
  outcomes.push(outcome)
  console.log(`${outcomeLine(outcome)} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}
const target = new URL('../docs/validity.md', import.meta.url)
if (!partial) {
  writeFileSync(target, await formatted(target, markdown(outcomes)))
  console.log(`wrote ${target.pathname}`)
} else if (values.update) {
  writeFileSync(target, await formatted(target, updated(readFileSync(target, 'utf8'), outcomes)))
  console.log(`updated ${outcomes.length} regime(s) in ${target.pathname}`)
}
const failed = outcomes.filter(o => o.verdict === 'NOT VALID')
if (failed.length > 0) {
  console.error(`not valid: ${failed.map(o => o.id).join(', ')}`)
  process.exitCode = 1
}

/** The method's name from a regime's note (`...; method: <name> (<references>), ...`). */
function shortMethod(note: string | undefined): string {
  const method = /method: (.*)$/.exec(note ?? '')?.[1] ?? ''
  return method.split(' (')[0] ?? ''
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`
}

/** A regime's row of the table. */
function tableRow(o: RegimeOutcome): string {
  return `| \`${o.id}\` | ${percent(o.alpha)} | ${o.before ?? '-'} | ${o.misses}/${o.replicates} | ${percent(o.rate)} | ${percent(o.lower)} to ${percent(o.upper)} | ${o.verdict} | ${shortMethod(o.note)} |`
}

/** A regime's line of the "Regimes" list. */
function regimeLine(o: RegimeOutcome): string {
  return `- \`${o.id}\`: ${o.description}.${o.note ? ` ${o.note}.` : ''}`
}

function markdown(rows: RegimeOutcome[]): string {
  const lines = [
    '# Validity of the confidence sequences',
    '',
    '<!-- Written by `npm run validate:stats` (scripts/validate-stats.ts); do not edit by hand. -->',
    '',
    `Each regime is a seeded simulation (seed ${seed}) of the interval the gate decides on, looked at ${LOOKS} times as data grow. A replicate misses when the interval excludes the truth at any look where the gate would decide on it (time-uniform miss rate). A regime is **valid** when its miss rate is at most alpha and the upper end of its Clopper-Pearson 95% interval at most alpha + ${100 * SLACK} points; **gate holds in this regime** when the gate keeps the metric inconclusive (no interval) at most looks, so it makes no decision there until the interval is valid.`,
    '',
    '| regime | alpha | before (main, issue 12) | misses | miss rate | 95% interval | verdict | method |',
    '|---|---:|---|---:|---:|---|---|---|',
    ...rows.map(tableRow),
    '',
    '## Regimes',
    '',
    ...rows.map(regimeLine),
    ''
  ]
  return lines.join('\n')
}

/**
 * docs/validity.md with these regimes' rows and list lines replaced where the table has them,
 * else added after the last one (for a regime added or changed since the last full run).
 */
function updated(doc: string, rows: RegimeOutcome[]): string {
  const lines = doc.split('\n')
  for (const o of rows) {
    for (const [line, prefix] of [
      [tableRow(o), `| \`${o.id}\` |`],
      [regimeLine(o), `- \`${o.id}\`:`]
    ] as const) {
      const at = lines.findIndex(l => l.replace(/ +/g, ' ').startsWith(prefix))
      if (at >= 0) {
        lines[at] = line
        continue
      }
      const kind = prefix.slice(0, 2)
      const last = lines.findLastIndex(l => l.startsWith(kind) && l.includes('`'))
      lines.splice(last + 1, 0, line)
    }
  }
  return lines.join('\n')
}

/** The document as the repository formats it (prettier, .prettierrc.json), so format:check passes. */
async function formatted(target: URL, text: string): Promise<string> {
  const config = await resolveConfig(target)
  return format(text, { ...config, filepath: target.pathname })
}
