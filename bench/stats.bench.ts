/**
 * `npm run bench:stats`: the price of anytime validity, as each confidence sequence's half-width
 * over the fixed-sample interval's at the same n and alpha, for every case of `bench/*.cases.ts`.
 * Widths are deterministic (no timing), so the ratios are exact.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchCase } from './stats.cases.js'

const dir = fileURLToPath(new URL('.', import.meta.url))
const files = readdirSync(dir)
  .filter(f => f.endsWith('.cases.ts'))
  .sort()
const rows: string[][] = [['case', 'n (canary + baseline)', 'CS half-width', 'fixed-n', 'ratio']]
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { cases?: BenchCase[] }
  for (const c of mod.cases ?? []) {
    const r = c.run()
    rows.push([c.id, r.n, r.cs.toPrecision(4), r.fixed.toPrecision(4), (r.cs / r.fixed).toFixed(2)])
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)))
for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))
