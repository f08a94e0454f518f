// One code-split build of every entry, so what a run does not need is never parsed:
//   dist/index.js       the Action (runs.using: node24; runs the Action when loaded)
//   dist/cli.js         the CLI (bin/rollout-gate.js)
//   dist/lib.js         the engine as a library (package.json "exports"), with dist/lib.d.ts
//   dist/fileWorker.js  the file source's parsing worker (FileSource starts it from dist/)
//   dist/chunk-*.js     shared and lazily loaded code: the judge's openai client, each source,
//                       the GitHub client (loaded by dynamic import when a run needs them)
//   dist/undici.cjs     undici, required only when the GitHub client sends its first request
// Every dependency is bundled (@actions/core 3 is ESM-only and nothing is installed at run time),
// so the published package has no runtime dependencies. Everything sits flat in dist/: a chunk
// finds the worker and undici next to itself wherever rollup placed the code that needs them.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'
import { rmSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { dts } from 'rollup-plugin-dts'

const UNDICI_SHIM = fileURLToPath(new URL('./scripts/undici-lazy.js', import.meta.url))

/**
 * undici (a megabyte of code, used by @actions/http-client's proxy agent and @actions/github's
 * fetch) is replaced by a shim that requires dist/undici.cjs on first use, so a run that never
 * calls GitHub never parses it.
 */
const lazyUndici = () => ({
  name: 'lazy-undici',
  resolveId(source, importer) {
    if (source === 'undici' && importer !== UNDICI_SHIM) return UNDICI_SHIM
    return null
  }
})

/** dist/ is rebuilt from scratch: a chunk that is no longer produced must not linger. */
const cleanDist = () => ({
  name: 'clean-dist',
  buildStart() {
    rmSync(fileURLToPath(new URL('./dist', import.meta.url)), { recursive: true, force: true })
  }
})

const plugins = () => [
  typescript({ tsconfig: './tsconfig.build.json' }),
  nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
  commonjs(),
  json({ preferConst: true })
]

// Dependencies' own CommonJS idioms (a top-level `this`, a core <-> oidc-utils cycle) are not ours
// to fix; every other warning is shown.
const onwarn = (warning, warn) => {
  const inDependency = (warning.id ?? warning.ids?.[0] ?? '').includes('node_modules')
  if (inDependency && ['THIS_IS_UNDEFINED', 'CIRCULAR_DEPENDENCY'].includes(warning.code)) return
  warn(warning)
}

/**
 * Chunks by what loads together, with stable names: the engine (what every evaluation runs), the
 * record reading the file worker shares with it, the CLI's commands, and the lazily loaded
 * dependencies. Sources and the judge get automatic chunks of their own (dynamic imports).
 */
function manualChunks(id) {
  if (id === UNDICI_SHIM) return 'octokit'
  const src = /\/src\/(.*)\.ts$/.exec(id)?.[1]
  if (src !== undefined) {
    // What every entry needs first (errors, the exit statuses): small, so --help stays fast.
    if (
      /^(errors|version|log|policy\/types|policy\/dsl|policy\/units|sources\/source|state\/store)$/.test(
        src
      ) ||
      src === 'cli/exit'
    ) {
      return 'base'
    }
    if (/^(records|sketch)\//.test(src)) return 'records'
    if (/^cli\/(evaluate|manual|status|validate|common)$/.test(src)) return 'cli-commands'
    if (
      /^(policy|stats|analysis|decide|report|state|actuators)\//.test(src) ||
      /^(evaluate|validate|policyFile)$/.test(src)
    ) {
      return 'engine'
    }
    return undefined
  }
  if (id.includes('/node_modules/openai/')) return 'openai'
  // The GitHub client, with the HTTP client and proxy support only it uses.
  if (
    /\/node_modules\/(@octokit|@actions\/(github|http-client)|tunnel|bottleneck|before-after-hook)\//.test(
      id
    )
  ) {
    return 'octokit'
  }
  // What @actions/core needs, loaded with the Action itself.
  if (/\/node_modules\/@actions\/(core|exec|io)\//.test(id)) return 'actions'
  if (id.includes('/node_modules/yaml/')) return 'yaml'
  if (id.includes('/node_modules/csv-parse/')) return 'csv-parse'
  return undefined
}

export default [
  {
    input: {
      index: 'src/index.ts',
      cli: 'src/cli.ts',
      lib: 'src/lib.ts',
      fileWorker: 'src/sources/file/fileWorker.ts'
    },
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: false,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunk-[name].js',
      manualChunks
    },
    plugins: [cleanDist(), lazyUndici(), ...plugins()],
    // @actions/core imports its OIDC client and platform helpers (and with them
    // @actions/http-client, tunnel and @actions/exec, which load node:https, tls and
    // child_process) for functions this project never calls; declared free of side effects, they
    // are dropped from the Action's start. @actions/github still bundles http-client for its own
    // use, in the lazily loaded GitHub client's chunk.
    // Node's built-in modules have no side effects worth loading them for either.
    treeshake: {
      moduleSideEffects: (id, external) =>
        !external && !/\/node_modules\/(@actions\/(http-client|exec|io)|tunnel)\//.test(id)
    },
    onwarn
  },
  {
    // undici on its own, as CommonJS, for the shim's createRequire.
    input: fileURLToPath(new URL('./node_modules/undici/index.js', import.meta.url)),
    output: { file: 'dist/undici.cjs', format: 'cjs', exports: 'auto', sourcemap: false },
    plugins: [nodeResolve({ preferBuiltins: true }), commonjs(), json({ preferConst: true })],
    onwarn
  },
  {
    // The library's types in one file: what `import ... from 'ai-rollout-gate'` sees.
    input: 'src/lib.ts',
    output: { file: 'dist/lib.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    onwarn
  }
]
