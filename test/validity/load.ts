/** Every regime of the validity suite: the `regimes` export of each `test/validity/*.regimes.ts`. */
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Regime } from './regime.js'

export async function loadRegimes(): Promise<Regime[]> {
  const dir = fileURLToPath(new URL('.', import.meta.url))
  const files = readdirSync(dir)
    .filter(f => f.endsWith('.regimes.ts'))
    .sort()
  const all: Regime[] = []
  for (const file of files) {
    const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { regimes?: Regime[] }
    if (!Array.isArray(mod.regimes)) throw new Error(`${file} exports no \`regimes\` array`)
    all.push(...mod.regimes)
  }
  const ids = new Set<string>()
  for (const r of all) {
    if (ids.has(r.id)) throw new Error(`two regimes have the id ${r.id}`)
    ids.add(r.id)
  }
  return all
}
