// Writes src/version.ts from package.json's version, so the bundles print it (`--version`) without
// reading package.json at run time. `npm run build` runs it; check-dist fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const target = new URL('../src/version.ts', import.meta.url)
writeFileSync(
  target,
  `// Generated from package.json by scripts/write-version.ts (npm run build); do not edit.\nexport const VERSION = '${version}'\n`
)
console.log(`wrote ${target.pathname} (${version})`)
