import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Bundles a benchmark worker (bench/NAME.ts -> bench/.data/NAME.mjs) so it runs with plain node,
 * as users run dist/cli.js: no TypeScript loader, whose module-hook thread alone adds tens of MB
 * of RSS to each process. Returns the bundle's path.
 */
export async function bundleWorker(benchDir: string, name: string): Promise<string> {
  return bundle(join(benchDir, `${name}.ts`), join(benchDir, '.data', `${name}.mjs`))
}

/**
 * Bundles the file source's parsing worker next to the bundles that use it, where FileSource
 * looks for it (as dist/fileWorker.js sits next to dist/cli.js).
 */
export async function bundleFileWorker(outDir: string): Promise<string> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  return bundle(join(root, 'src/sources/file/fileWorker.ts'), join(outDir, 'fileWorker.js'))
}

async function bundle(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
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
