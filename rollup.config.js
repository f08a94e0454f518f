// The Action runs dist/index.js directly (runs.using: node24) and the CLI runs dist/cli.js, so both
// are bundled with every dependency: @actions/core 3 is ESM-only and nothing is installed at run time.
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const plugins = () => [
  typescript({ tsconfig: './tsconfig.build.json' }),
  nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
  commonjs(),
  json()
]

// Dependencies' own CommonJS idioms (a top-level `this`, a core <-> oidc-utils cycle) are not ours
// to fix; every other warning is shown.
const onwarn = (warning, warn) => {
  const inDependency = (warning.id ?? warning.ids?.[0] ?? '').includes('node_modules')
  if (inDependency && ['THIS_IS_UNDEFINED', 'CIRCULAR_DEPENDENCY'].includes(warning.code)) return
  warn(warning)
}

// Each entry is one file, plus a chunk per dynamic import: the SQL drivers (pg,
// @clickhouse/client) load only when a policy reads SQL, so the Action's cold start does not pay
// for them (dist/index-postgresClient.js, dist/index-clickhouseClient.js; the same for cli-).
const bundle = (input, name) => ({
  input,
  output: {
    dir: 'dist',
    entryFileNames: `${name}.js`,
    chunkFileNames: `${name}-[name].js`,
    format: 'es',
    sourcemap: false
  },
  plugins: plugins(),
  onwarn
})

// The file source's parsing worker is its own entry: FileSource starts it from dist/fileWorker.js.
export default [
  bundle('src/index.ts', 'index'),
  bundle('src/cli.ts', 'cli'),
  bundle('src/sources/file/fileWorker.ts', 'fileWorker')
]
