import { build } from 'esbuild'
import { join } from 'node:path'

/**
 * Bundles a benchmark worker (bench/NAME.ts -> bench/.data/NAME.mjs) so it runs with plain node,
 * as users run dist/cli.js: no TypeScript loader, whose module-hook thread alone adds tens of MB
 * of RSS to each process. Returns the bundle's path.
 */
export async function bundleWorker(benchDir: string, name: string): Promise<string> {
  const outfile = join(benchDir, '.data', `${name}.mjs`)
  await build({
    entryPoints: [join(benchDir, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);"
    }
  })
  return outfile
}
