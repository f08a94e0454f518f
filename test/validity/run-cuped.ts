/**
 * `npm run validate:cuped`: the CUPED validity regimes (./cuped.regimes.ts) at their full
 * replicates, printed as a markdown table: each miss rate with its exact binomial 95% interval,
 * and whether it is at most alpha (its upper bound at most alpha + 1.5 points). `--replicates N`
 * overrides the count, `--only ID` runs one regime.
 */
import { parseArgs } from 'node:util'
import { rateText, clopperPearson } from './binomial.js'
import { regimes } from './cuped.regimes.js'

const { values } = parseArgs({
  options: { replicates: { type: 'string' }, only: { type: 'string' }, seed: { type: 'string' } }
})
const seed = Number(values.seed ?? 20_261_102)
console.log('| regime | miss rate [95% CI] | valid | note |')
console.log('|---|---|---|---|')
for (const regime of regimes) {
  if (values.only && regime.id !== values.only) continue
  const started = performance.now()
  const r = regime.run(Number(values.replicates ?? regime.full), seed)
  const { upper } = clopperPearson(r.misses, r.replicates)
  const valid = r.misses / r.replicates <= regime.alpha && upper <= regime.alpha + 0.015
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  console.log(
    `| ${regime.id}: ${regime.description} | ${rateText(r.misses, r.replicates)} | ${valid ? 'yes' : 'NO'} | ${r.note ?? ''} (${seconds} s) |`
  )
}
