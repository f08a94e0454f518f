import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { parsePolicy } from '../src/policy/parse.js'
import { formatPath } from '../src/policy/dsl.js'
import { PolicyError, type Policy, type PolicyIssue } from '../src/policy/types.js'
import { DESIGN_POLICY } from './policy-fixtures.js'

/** What any valid Policy guarantees to the rest of the engine. */
function expectSound(policy: Policy): void {
  const { steps, minDuration, maxDuration, warmup, minSamples } = policy.rollout
  steps.forEach((step, i) => {
    expect(step).toBeGreaterThan(i === 0 ? 0 : (steps[i - 1] ?? 0))
    expect(step).toBeLessThanOrEqual(100)
  })
  expect(minDuration).toBeLessThan(maxDuration)
  expect(warmup).toBeLessThan(maxDuration)
  expect(Number.isInteger(minSamples) && minSamples >= 1).toBe(true)
  expect(policy.confidence > 0.5 && policy.confidence < 1).toBe(true)
  expect(policy.arms.canary.some(v => policy.arms.baseline.includes(v))).toBe(false)
  expect(policy.metrics.length).toBeGreaterThan(0)
  expect(new Set(policy.metrics.map(m => m.name)).size).toBe(policy.metrics.length)
  policy.metrics.forEach((m, i) => {
    expect(m.path).toBe(`metrics[${i}]`)
    expect(m.tolerance.value).toBeGreaterThanOrEqual(0)
    expect(m.per !== undefined).toBe(m.kind === 'ratio')
    expect(m.quantile !== undefined).toBe(m.kind === 'quantile')
    if (m.quantile !== undefined) expect(m.quantile > 0 && m.quantile < 1).toBe(true)
  })
}

/** parsePolicy either returns a sound Policy or throws a PolicyError with located issues; nothing else. */
function check(text: string): 'policy' | 'error' {
  let policy: Policy
  try {
    policy = parsePolicy(text, 'fuzz.yaml')
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error
    expect(error.issues.length).toBeGreaterThan(0)
    for (const issue of error.issues) {
      expect(issue.file).toBe('fuzz.yaml')
      expect(Number.isInteger(issue.line) && issue.line >= 0).toBe(true)
      expect(Number.isInteger(issue.col) && issue.col >= 0).toBe(true)
      expect(issue.message.length).toBeGreaterThan(0)
    }
    return 'error'
  }
  expectSound(policy)
  return 'policy'
}

const yamlTokens = fc.constantFrom(
  'version: 1',
  'rollout:',
  'metrics:',
  '  - ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  ', ',
  ': ',
  '\n',
  '  ',
  '&a ',
  '*a',
  '*b',
  '!!binary ',
  '!!str ',
  '!tag ',
  '? ',
  '<<: *a',
  '"',
  "'",
  '# c',
  '---',
  '...',
  '|',
  '>',
  '~',
  'null',
  'true',
  '1e309',
  '.nan',
  '-.inf',
  '0x1F',
  '5%',
  '0.5pp',
  '30m',
  'p99.9',
  'name',
  'kind',
  'tolerance',
  'per',
  '__proto__',
  'constructor',
  '\t',
  '%YAML 1.2',
  '\\u0000'
)

describe('parsePolicy never throws anything but PolicyError', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), text => void check(text)),
      { numRuns: 500 }
    )
  })

  it('on YAML-like token soup', () => {
    fc.assert(
      fc.property(fc.array(yamlTokens, { maxLength: 60 }), tokens => void check(tokens.join(''))),
      { numRuns: 1000 }
    )
  })

  it('on arbitrary JSON values written as YAML', () => {
    fc.assert(
      fc.property(fc.jsonValue(), value => void check(stringify(value))),
      { numRuns: 300 }
    )
  })

  it('on mappings with the policy keys and arbitrary values', () => {
    const keys = [
      'version',
      'rollout',
      'arms',
      'source',
      'confidence',
      'metrics',
      'segments',
      'pricing',
      'dataQuality',
      'trafficSplit',
      'bucket'
    ]
    const doc = fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }))
    fc.assert(
      fc.property(doc, value => void check(stringify(value))),
      { numRuns: 300 }
    )
  })
})

describe('parsePolicy on mutations of the valid policy', () => {
  const sample = parse(DESIGN_POLICY) as unknown

  type Path = (string | number)[]
  function paths(value: unknown, path: Path = []): Path[] {
    if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => paths(v, [...path, i]))]
    if (typeof value === 'object' && value !== null) {
      return [path, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...path, k]))]
    }
    return [path]
  }
  const allPaths = paths(sample).filter(p => p.length > 0)

  /** A value of another type than the one at the path, or one a user might plausibly write. */
  const replacement = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      null,
      '',
      0,
      -1,
      1.5,
      101,
      '5%',
      '-5%',
      '0.5pp',
      '30m',
      '30',
      'p99.9',
      'ratio',
      'rate',
      [],
      {},
      [1],
      true
    )
  )
  const mutation = fc.record({
    path: fc.constantFrom(...allPaths),
    op: fc.constantFrom('delete', 'replace', 'wrap', 'stringify'),
    value: replacement
  })

  function apply(
    doc: unknown,
    { path, op, value }: { path: Path; op: string; value: unknown }
  ): void {
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], doc)
    if (typeof parent !== 'object' || parent === null) return
    const target = parent as Record<string | number, unknown>
    const key = path[path.length - 1] as string | number
    if (!(key in target)) return
    if (op === 'delete') {
      if (Array.isArray(target) && typeof key === 'number') target.splice(key, 1)
      else delete target[key]
    } else if (op === 'replace') target[key] = value
    else if (op === 'wrap') target[key] = [target[key]]
    else target[key] = typeof target[key] === 'string' ? Number(target[key]) : String(target[key])
  }

  it('returns a sound Policy or a PolicyError, and some mutations still parse', () => {
    const outcomes = new Set<string>()
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), mutations => {
        const doc = structuredClone(sample)
        mutations.forEach(m => apply(doc, m))
        outcomes.add(check(stringify(doc)))
      }),
      { numRuns: 1000 }
    )
    expect(outcomes).toEqual(new Set(['policy', 'error']))
  })

  it('reports a located issue at the path of a mapping put where none belongs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allPaths), path => {
        const doc = structuredClone(sample)
        apply(doc, { path, op: 'replace', value: { unexpected: [1, 2] } })
        let issues: PolicyIssue[] = []
        try {
          parsePolicy(stringify(doc), 'p.yaml')
        } catch (error) {
          if (error instanceof PolicyError) issues = error.issues
        }
        const at = formatPath(path)
        expect(
          issues.some(i => i.path.startsWith(at) && i.line >= 1 && i.col >= 1),
          at
        ).toBe(true)
      }),
      { numRuns: 200 }
    )
  })
})
