// Release checks and notes, for .github/workflows/release.yml (and for trying a release locally):
//
//   node --import tsx scripts/release.ts check 1.2.0   # exit 1 with each problem, before tagging
//   node --import tsx scripts/release.ts notes 1.2.0   # the CHANGELOG section, for the release
//
// A release is vX.Y.Z on a commit whose package.json (and generated src/version.ts) says X.Y.Z,
// whose CHANGELOG.md has a dated `## [X.Y.Z] - YYYY-MM-DD` section, and whose dist/ is what the
// sources build (the workflow runs check-dist too). The moving tag vX then points at it.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface Version {
  major: number
  minor: number
  patch: number
}

/** `1.2.3` or `v1.2.3` (no pre-releases: Actions users pin majors). */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim())
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined
}

const compare = (a: Version, b: Version): number =>
  a.major - b.major || a.minor - b.minor || a.patch - b.patch

const show = (v: Version): string => `${v.major}.${v.minor}.${v.patch}`

/** The body of `## [X.Y.Z] ...` in a Keep a Changelog file, up to the next `## ` heading. */
export function releaseNotes(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n')
  const start = lines.findIndex(l => l.startsWith(`## [${version}]`))
  if (start < 0) return undefined
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l))
  const body = lines.slice(start + 1, end < 0 ? undefined : end)
  // Link references at the end of the file belong to no section.
  return body
    .filter(l => !/^\[[^\]]+\]: /.test(l))
    .join('\n')
    .trim()
}

export interface ReleaseInput {
  version: string
  packageVersion: string
  /** VERSION in src/version.ts (what --version prints). */
  builtVersion: string
  changelog: string
  /** Existing tags. */
  tags: string[]
}

/** Every reason this release cannot be tagged; empty when it can. */
export function releaseProblems(input: ReleaseInput): string[] {
  const problems: string[] = []
  const version = parseVersion(input.version)
  if (!version) return [`"${input.version}" is not a version X.Y.Z`]
  const name = show(version)
  if (input.packageVersion !== name) {
    problems.push(`package.json says ${input.packageVersion}: set "version": "${name}" and rebuild`)
  }
  if (input.builtVersion !== input.packageVersion) {
    problems.push(
      `src/version.ts says ${input.builtVersion}, package.json ${input.packageVersion}: run npm run build`
    )
  }
  const heading = input.changelog.split('\n').find(l => l.startsWith(`## [${name}]`))
  if (!heading) problems.push(`CHANGELOG.md has no "## [${name}] - YYYY-MM-DD" section`)
  else if (!/^## \[[^\]]+\] - \d{4}-\d{2}-\d{2}\s*$/.test(heading)) {
    problems.push(`CHANGELOG.md's "${heading}" needs the release date: "## [${name}] - YYYY-MM-DD"`)
  } else if (!releaseNotes(input.changelog, name)) {
    problems.push(`CHANGELOG.md's section for ${name} is empty`)
  }
  if (input.tags.includes(`v${name}`)) problems.push(`tag v${name} exists already`)
  const released = input.tags.map(t => parseVersion(t)).filter((v): v is Version => !!v)
  const latest = released.sort(compare).at(-1)
  if (latest && compare(version, latest) <= 0) {
    problems.push(`${name} is not after the latest release, ${show(latest)}`)
  }
  return problems
}

/** The moving major tag a release updates: `v1` for 1.4.2. */
export const majorTag = (version: string): string => `v${parseVersion(version)?.major ?? '?'}`

function main(argv: string[]): number {
  const [command, version] = argv
  const root = new URL('..', import.meta.url)
  const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
  if ((command !== 'check' && command !== 'notes') || !version) {
    process.stderr.write('usage: release.ts check|notes X.Y.Z\n')
    return 2
  }
  const changelog = read('CHANGELOG.md')
  if (command === 'notes') {
    const notes = releaseNotes(changelog, version.replace(/^v/, ''))
    if (!notes) {
      process.stderr.write(`CHANGELOG.md has no section for ${version}\n`)
      return 1
    }
    process.stdout.write(notes + '\n')
    return 0
  }
  const tags = execFileSync('git', ['tag', '--list'], {
    cwd: fileURLToPath(root),
    encoding: 'utf8'
  })
    .split('\n')
    .filter(Boolean)
  const problems = releaseProblems({
    version,
    packageVersion: JSON.parse(read('package.json')).version,
    builtVersion: /VERSION = '([^']*)'/.exec(read('src/version.ts'))?.[1] ?? '?',
    changelog,
    tags
  })
  for (const p of problems) process.stderr.write(`release ${version}: ${p}\n`)
  if (problems.length === 0) {
    process.stdout.write(
      `release ${version} can be tagged (and ${majorTag(version)} moved to it)\n`
    )
  }
  return problems.length === 0 ? 0 : 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2))
}
