import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePolicy, writeTraffic } from './helpers/cli.js'

const root = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  version: string
}
const work = mkdtempSync(join(tmpdir(), 'rollout-gate-pack-'))
const consumer = join(work, 'consumer')
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** npm, run with this test's node first on PATH (so CI on Node 24 packs and installs with 24). */
const npm = (args: string[], cwd: string) =>
  spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' }
  })

interface PackedFile {
  path: string
}

/**
 * The package as a stranger gets it: `npm pack`, then installed from the tarball into an empty
 * project with --offline. Everything it runs is bundled (no runtime dependencies), so this needs
 * no network and works on a CI machine that can only reach the npm registry.
 */
describe('the published package (npm pack, installed offline into a new project)', () => {
  let files: string[] = []
  beforeAll(() => {
    const packed = npm(['pack', '--json', '--pack-destination', work], root)
    expect(packed.status, packed.stderr).toBe(0)
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[]
    files = info!.files.map(f => f.path)
    mkdirSync(consumer)
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' })
    )
    const installed = npm(
      ['install', '--offline', '--no-audit', '--ignore-scripts', join(work, info!.filename)],
      consumer
    )
    expect(installed.status, installed.stderr).toBe(0)
  }, 120_000)

  it('ships the bundles, the bin, the schema and the docs, and no tests or sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'bin/rollout-gate.js',
        'dist/cli.js',
        'dist/lib.js',
        'dist/lib.d.ts',
        'dist/fileWorker.js',
        'dist/undici.cjs',
        'schema/rollout-policy.schema.json'
      ])
    )
    expect(files.filter(f => /^(test|src|bench|examples|scripts)\//.test(f))).toEqual([])
    // Only the package's own files and dist's chunks (one per lazily loaded part), not 191.
    expect(files.filter(f => !/^dist\/[\w-]+\.(js|cjs|d\.ts)$/.test(f)).length).toBeLessThan(12)
    expect(files.length).toBeLessThan(60)
  })

  it('npx rollout-gate --help and --version work where it is installed', () => {
    const help = spawnSync('npx', ['--offline', 'rollout-gate', '--help'], {
      cwd: consumer,
      encoding: 'utf8'
    })
    expect(help.status, help.stderr).toBe(0)
    expect(help.stdout).toContain('rollout-gate evaluate --policy FILE')
    const version = spawnSync('npx', ['--offline', 'rollout-gate', '--version'], {
      cwd: consumer,
      encoding: 'utf8'
    })
    expect(version.stdout).toBe(`${pkg.version}\n`)
  })

  it('the installed CLI evaluates (its lazily loaded chunks are all there)', () => {
    writePolicy(consumer)
    mkdirSync(join(consumer, 'traffic'))
    const { end } = writeTraffic(join(consumer, 'traffic', 'calls.jsonl'), { count: 3000 })
    const r = spawnSync(
      'npx',
      [
        '--offline',
        'rollout-gate',
        'evaluate',
        '--policy',
        'policy.yml',
        '--now',
        end,
        '--format',
        'json'
      ],
      { cwd: consumer, encoding: 'utf8' }
    )
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ rollout: 'support-assistant', decision: 'hold' })
  })

  it('importing the package gives the engine and runs nothing (the Action is not its entry)', () => {
    const script = [
      "import * as gate from 'ai-rollout-gate'",
      "import schema from 'ai-rollout-gate/schema.json' with { type: 'json' }",
      'console.log(JSON.stringify({',
      '  evaluate: typeof gate.evaluate, loadPolicyFile: typeof gate.loadPolicyFile,',
      '  sourceFor: typeof gate.sourceFor, validateData: typeof gate.validateData,',
      '  version: gate.VERSION, schemaId: schema.$id',
      '}))'
    ].join('\n')
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: consumer,
      encoding: 'utf8',
      // As on a runner: were the Action's entry loaded, it would read these and act.
      env: { ...process.env, GITHUB_ACTIONS: 'true', INPUT_POLICY: 'policy.yml' }
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      evaluate: 'function',
      loadPolicyFile: 'function',
      sourceFor: 'function',
      validateData: 'function',
      version: pkg.version,
      schemaId:
        'https://raw.githubusercontent.com/ai-rollout-gate/ai-rollout-gate/v1/schema/rollout-policy.schema.json'
    })
  })

  it('its types resolve for a TypeScript consumer (exports "types": dist/lib.d.ts)', () => {
    writeFileSync(
      join(consumer, 'use.ts'),
      [
        "import { evaluate, loadPolicyFile, sourceFor, type DecisionRecord, type RequestRecord } from 'ai-rollout-gate'",
        'export async function decide(path: string): Promise<DecisionRecord["decision"]> {',
        '  const loaded = await loadPolicyFile(path)',
        '  const outcome = await evaluate({ policy: loaded.policy, policyHash: loaded.hash, source: await sourceFor(loaded), now: Date.now() })',
        '  return outcome.record.decision',
        '}',
        "export const arm: RequestRecord['arm'] = 'canary'"
      ].join('\n')
    )
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2023'],
          types: []
        },
        files: ['use.ts']
      })
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    let out = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', '.'], { cwd: consumer, encoding: 'utf8' })
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e)
    }
    expect(out).toBe('')
  })
})
