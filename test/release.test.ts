import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { majorTag, parseVersion, releaseNotes, releaseProblems } from '../scripts/release.js'

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.1.0] - 2026-12-01

### Added

- \`validate\` checks prices.

## [1.0.0] - 2026-11-20

The first release.

[Unreleased]: https://example.com/compare/v1.1.0...HEAD
[1.1.0]: https://example.com/v1.1.0
`

const ok = {
  version: '1.1.0',
  packageVersion: '1.1.0',
  builtVersion: '1.1.0',
  changelog: CHANGELOG,
  tags: ['v1', 'v1.0.0']
}

describe('release checks (the release workflow runs them before tagging)', () => {
  it('reads versions as X.Y.Z, with or without the v', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 })
    expect(parseVersion('1.2')).toBeUndefined()
    expect(parseVersion('1.2.3-rc.1')).toBeUndefined()
    expect(majorTag('2.0.1')).toBe('v2')
  })

  it("takes a version's notes from its CHANGELOG section, without the link references", () => {
    expect(releaseNotes(CHANGELOG, '1.1.0')).toBe('### Added\n\n- `validate` checks prices.')
    expect(releaseNotes(CHANGELOG, '1.0.0')).toBe('The first release.')
    expect(releaseNotes(CHANGELOG, '2.0.0')).toBeUndefined()
  })

  it('passes a dated section, matching versions and a new, later tag', () => {
    expect(releaseProblems(ok)).toEqual([])
  })

  it('names every problem', () => {
    expect(
      releaseProblems({
        ...ok,
        version: '1.0.0',
        packageVersion: '1.1.0',
        builtVersion: '1.0.0',
        changelog: CHANGELOG.replace('## [1.0.0] - 2026-11-20', '## [1.0.0] - Unreleased')
      })
    ).toEqual([
      'package.json says 1.1.0: set "version": "1.0.0" and rebuild',
      'src/version.ts says 1.0.0, package.json 1.1.0: run npm run build',
      'CHANGELOG.md\'s "## [1.0.0] - Unreleased" needs the release date: "## [1.0.0] - YYYY-MM-DD"',
      'tag v1.0.0 exists already',
      '1.0.0 is not after the latest release, 1.0.0'
    ])
    expect(releaseProblems({ ...ok, version: 'one' })).toEqual(['"one" is not a version X.Y.Z'])
    expect(
      releaseProblems({ ...ok, version: '1.2.0', packageVersion: '1.2.0', builtVersion: '1.2.0' })
    ).toEqual(['CHANGELOG.md has no "## [1.2.0] - YYYY-MM-DD" section'])
  })

  it("this repository's CHANGELOG has a section for package.json's version", () => {
    const root = join(import.meta.dirname, '..')
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
    expect(releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version)).toBeTruthy()
  })
})
