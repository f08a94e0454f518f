import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { policyJsonSchema, policyJsonSchemaText } from '../src/policy/schema.js'
import { DESIGN_POLICY, edit, issuesIn, issuesOf } from './policy-fixtures.js'
import { parsePolicy } from '../src/policy/parse.js'

type Schema = Record<string, unknown>
const schema = policyJsonSchema()

const asSchema = (value: unknown): Schema =>
  typeof value === 'object' && value !== null ? (value as Schema) : {}
const schemas = (value: unknown): Schema[] => (Array.isArray(value) ? value.map(asSchema) : [])

/** The subschema for a key path: object properties, list items, or the union variant that has the key. */
function at(path: (string | number)[], node: Schema = schema): Schema {
  const [head, ...rest] = path
  if (head === undefined) return node
  if (typeof head === 'number') return at(rest, asSchema(node.items))
  const variant = schemas(node.oneOf).find(s => asSchema(s.properties)[head] !== undefined)
  const property = asSchema((variant ?? node).properties)[head]
  return at(rest, asSchema(property ?? node.additionalProperties))
}

/**
 * A tiny JSON Schema check for the scalar keywords the generator emits (no ajv): enough to compare
 * the schema's verdict on one value with the validator's.
 */
function accepts(s: Schema, v: unknown): boolean {
  if (s.oneOf !== undefined && schemas(s.oneOf).filter(x => accepts(x, v)).length !== 1)
    return false
  if (s.anyOf !== undefined && !schemas(s.anyOf).some(x => accepts(x, v))) return false
  if ('const' in s && v !== s.const) return false
  if (Array.isArray(s.enum) && !s.enum.includes(v)) return false
  const types: Record<string, boolean> = {
    string: typeof v === 'string',
    number: typeof v === 'number',
    integer: Number.isInteger(v),
    array: Array.isArray(v)
  }
  if (typeof s.type === 'string' && !types[s.type]) return false
  if (Array.isArray(v) && typeof s.minItems === 'number' && v.length < s.minItems) return false
  if (Array.isArray(v) && s.items !== undefined && !v.every(x => accepts(asSchema(s.items), x)))
    return false
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && v.length < s.minLength) return false
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return false
  }
  if (typeof v === 'number') {
    const n = (key: string): number | undefined =>
      typeof s[key] === 'number' ? (s[key] as number) : undefined
    if (v < (n('minimum') ?? -Infinity) || v > (n('maximum') ?? Infinity)) return false
    if (v <= (n('exclusiveMinimum') ?? -Infinity) || v >= (n('exclusiveMaximum') ?? Infinity))
      return false
  }
  return true
}

/** Whether parsePolicy accepts `value` at `path`, put in DESIGN_POLICY by `line` (as a JSON scalar). */
function validatorAccepts(
  path: string,
  line: [number, (v: string) => string],
  value: unknown
): boolean {
  const [number, template] = line
  const text = edit({ [number]: template(JSON.stringify(value)) })
  const inside = (issuePath: string) =>
    issuePath === path || issuePath.startsWith(`${path}.`) || issuePath.startsWith(`${path}[`)
  return !issuesIn(text).some(issue => inside(issue.path))
}

const metric = (fields: string) => `  - { ${fields} }`
const quality = (v: string) =>
  metric(`name: quality, from: score, kind: mean, better: higher, tolerance: 2%, ${v}`)
const errorRate = (v: string) =>
  metric(`name: error rate, from: error, kind: rate, better: lower, ${v}`)

/** [key path, its place in DESIGN_POLICY, values accepted and rejected between them]. */
const table: [(string | number)[], [number, (v: string) => string], unknown[]][] = [
  [['version'], [1, v => `version: ${v}`], [1, 2, '1', 0]],
  [
    ['rollout', 'name'],
    [3, v => `  name: ${v}`],
    [
      'support-assistant',
      'a',
      'A.b_c-9',
      '-x',
      '.x',
      'x'.repeat(64),
      'x'.repeat(65),
      'two words',
      2024,
      ''
    ]
  ],
  [
    ['rollout', 'steps', 0],
    [4, v => `  steps: [${v}, 100]`],
    [1, 0.5, 0, -1, 100, 101, 'five']
  ],
  [
    ['rollout', 'minDuration'],
    [5, v => `  minDuration: ${v}`],
    [
      '30s',
      '1h30m',
      '500ms',
      '1.5h',
      '2d',
      '0s',
      '30',
      30,
      '-5m',
      '1h 30m',
      '1.5.5h',
      '30m1h',
      '',
      'soon',
      true,
      null
    ]
  ],
  [
    ['rollout', 'onTimeout'],
    [7, v => `  onTimeout: ${v}`],
    ['rollback', 'hold', 'promote', true]
  ],
  [
    ['rollout', 'minSamples'],
    [8, v => `  minSamples: ${v}`],
    [1, 300, 0, 2.5, '300', -3]
  ],
  [
    ['arms', 'field'],
    [10, v => `arms: { field: ${v}, baseline: stable, canary: candidate }`],
    ['arm', 'variant', '', 5]
  ],
  [
    ['arms', 'baseline'],
    [10, v => `arms: { baseline: ${v}, canary: candidate }`],
    ['stable', ['a', 'b'], [], [''], 3, null]
  ],
  [
    ['source', 'format'],
    [11, v => `source: { type: file, path: x, format: ${v} }`],
    ['auto', 'jsonl', 'csv', 'otlp', 'parquet']
  ],
  [['confidence'], [12, v => `confidence: ${v}`], [0.95, 0.51, 0.999, 0.5, 1, '0.95', true]],
  [
    ['metrics', 0, 'kind'],
    [14, v => metric(`name: quality, from: score, kind: ${v}, better: higher, tolerance: 2%`)],
    [
      'mean',
      'rate',
      'ratio',
      'p50',
      'p90',
      'p99.9',
      'p0.1',
      'p5',
      'p100',
      'p0',
      'p0.0',
      'p',
      'P50',
      'p050',
      'p99.',
      'median',
      3
    ]
  ],
  [
    ['metrics', 0, 'better'],
    [14, v => metric(`name: quality, from: score, kind: mean, better: ${v}, tolerance: 2%`)],
    ['higher', 'lower', 'up', true]
  ],
  [
    ['metrics', 0, 'mode'],
    [14, v => quality(`mode: ${v}`)],
    ['gate', 'hold', 'report', 'dry-run']
  ],
  [
    ['metrics', 3, 'tolerance'],
    [17, v => errorRate(`tolerance: ${v}`)],
    [
      '5%',
      '0.5pp',
      '0.02',
      0.005,
      0,
      '0%',
      -1,
      '-2%',
      '2 %',
      '1e-3',
      '.5%',
      'pp',
      'abc',
      true,
      null
    ]
  ],
  [
    ['metrics', 3, 'limit'],
    [17, v => errorRate(`tolerance: 0.5pp, limit: ${v}`)],
    [
      '2%',
      '0%',
      '100%',
      '100.0%',
      '99.99%',
      '100.5%',
      '150%',
      '-1%',
      0.02,
      0,
      1,
      -0.5,
      '0.02',
      '2pp',
      'two'
    ]
  ],
  [
    ['segments', 'gate'],
    [19, v => `segments: { by: route, gate: ${v} }`],
    [false, true, 'hold', 'rollback', 'maybe', 'false', 0]
  ],
  [
    ['dataQuality', 'maxMalformed'],
    [19, v => `dataQuality: { maxMalformed: ${v} }`],
    ['1%', '0%', '100%', '100.0%', '100.01%', '150%', 0.5, 1, 0, 1.01, -0.1, '5 %', 'abc', '0.5']
  ],
  [
    ['trafficSplit', 'alpha'],
    [19, v => `trafficSplit: { alpha: ${v} }`],
    [0.001, 0.49, 0, 0.5, -1, '0.01']
  ],
  [
    ['pricing', 'gpt-4o-2024-08-06', 'input'],
    [21, v => `  gpt-4o-2024-08-06: { input: ${v}, output: 10 }`],
    [0, 2.5, -1, '2.5', null]
  ]
]

describe('the JSON Schema', () => {
  it('is committed as generated (run `npm run schema` after changing src/policy/schema.ts)', () => {
    const committed = readFileSync(
      new URL('../schema/rollout-policy.schema.json', import.meta.url),
      'utf8'
    )
    expect(committed).toBe(policyJsonSchemaText())
  })

  it('is a draft 2020-12 schema with an id, a title and the required top-level keys', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: expect.any(String),
      title: expect.any(String),
      description: expect.any(String),
      type: 'object',
      required: ['version', 'rollout', 'arms', 'source', 'metrics'],
      additionalProperties: false
    })
  })

  it('describes every key, list item and map value (shown in editors)', () => {
    const undescribed: string[] = []
    const walk = (node: Schema, where: string): void => {
      if (typeof node.description !== 'string' || node.description === '') undescribed.push(where)
      for (const [key, child] of Object.entries(asSchema(node.properties)))
        walk(asSchema(child), `${where}.${key}`)
      if (node.items) walk(asSchema(node.items), `${where}[]`)
      if (typeof node.additionalProperties === 'object')
        walk(asSchema(node.additionalProperties), `${where}.*`)
      if (node.type === 'object') schemas(node.oneOf).forEach((v, i) => walk(v, `${where}|${i}`))
    }
    walk(schema, '$')
    expect(undescribed).toEqual([])
  })

  it('lists the enums the validator accepts', () => {
    expect(at(['rollout', 'onTimeout']).enum).toEqual(['rollback', 'hold'])
    expect(at(['metrics', 0, 'better']).enum).toEqual(['higher', 'lower'])
    expect(at(['metrics', 0, 'mode']).enum).toEqual(['gate', 'hold', 'report'])
    expect(at(['source', 'format']).enum).toEqual(['auto', 'jsonl', 'csv', 'otlp'])
    expect(at(['source', 'type']).enum).toEqual(['file'])
    expect(at(['segments', 'gate']).enum).toEqual([false, true, 'hold', 'rollback'])
    expect(at(['version']).const).toBe(1)
  })

  it('gives the defaults the validator fills in, as written in YAML', () => {
    expect(at(['rollout', 'minDuration']).default).toBe('30m')
    expect(at(['rollout', 'steps']).default).toEqual([1, 5, 25, 50, 100])
    expect(at(['dataQuality', 'maxMalformed']).default).toBe('1%')
    expect(at(['bucket']).default).toBe('5m')
    expect(at(['confidence']).default).toBe(0.95)
  })

  describe.each(table)('agrees with the validator on %j', (path, line, values) => {
    const key = path
      .map(p => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .slice(1)
      .replace(/\.\[/g, '[')
    it('(the examples include accepted and rejected values)', () => {
      const verdicts = new Set(values.map(v => validatorAccepts(key, line, v)))
      expect([...verdicts].sort()).toEqual([false, true])
    })
    it.each(values.map(v => [JSON.stringify(v), v]))('%s', (_, value) => {
      const subschema = at(path)
      expect(subschema).not.toEqual({})
      expect(accepts(subschema, value)).toBe(validatorAccepts(key, line, value))
    })
  })

  it('is looser than the validator only on cross-field and bounded rules, which it documents', () => {
    // Each value passes its own subschema, and the validator rejects it with a rule JSON Schema
    // cannot express (it depends on another key), or a duration bound it states in the description.
    const gaps: [string, [number, (v: string) => string], unknown][] = [
      [
        'metrics[0].tolerance',
        [14, v => metric(`name: q, from: score, kind: mean, better: higher, tolerance: ${v}`)],
        '0.5pp'
      ],
      ['metrics[3].limit', [17, v => errorRate(`tolerance: 0.5pp, limit: ${v}`)], 1.5],
      ['metrics[3].rollbackAt', [17, v => errorRate(`tolerance: 1pp, rollbackAt: ${v}`)], '0.5pp'],
      ['rollout.steps[1]', [4, v => `  steps: [50, ${v}]`], 25],
      ['bucket', [19, v => `bucket: ${v}`], '5s']
    ]
    for (const [path, line, value] of gaps) {
      const segments = path
        .split(/[.[\]]+/)
        .filter(Boolean)
        .map(s => (/^\d+$/.test(s) ? Number(s) : s))
      expect(accepts(at(segments), value), path).toBe(true)
      expect(validatorAccepts(path, line, value), path).toBe(false)
    }
  })
})

describe('required and unknown keys', () => {
  const sample = parse(DESIGN_POLICY) as Record<string, unknown>

  /** Every mapping in the sample that the schema describes as an object with known keys. */
  function objects(value: unknown, path: (string | number)[]): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((item, i) => objects(item, [...path, i]))
    if (typeof value !== 'object' || value === null) return []
    const own =
      at(path).additionalProperties === false || schemas(at(path).oneOf).length > 0 ? [path] : []
    return [...own, ...Object.entries(value).flatMap(([key, v]) => objects(v, [...path, key]))]
  }

  const mutate = (
    path: (string | number)[],
    change: (target: Record<string, unknown>) => void
  ): string => {
    const copy = structuredClone(sample)
    change(
      path.reduce<Record<string, unknown>>(
        (node, key) => node[key] as Record<string, unknown>,
        copy
      )
    )
    return stringify(copy)
  }
  const show = (path: (string | number)[]) =>
    path
      .map(p => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '')
      .replace(/\.\[/g, '[')

  it('finds the objects of the sample policy', () => {
    expect(objects(sample, []).map(show)).toEqual([
      '',
      'rollout',
      'arms',
      'source',
      'metrics[0]',
      'metrics[1]',
      'metrics[2]',
      'metrics[3]',
      'metrics[4]',
      'segments',
      'pricing.gpt-4o-2024-08-06'
    ])
  })

  it.each(objects(sample, []).map(path => [show(path) || '(top level)', path]))(
    'in %s: a key is required by the validator exactly when the schema requires it',
    (_, path) => {
      const node = at(path)
      const variant = schemas(node.oneOf)[0] ?? node
      const required = [
        ...new Set([
          ...((node.required as string[]) ?? []),
          ...((variant.required as string[]) ?? [])
        ])
      ]
      const present = Object.keys(
        path.reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, sample)
      )
      for (const key of present) {
        const text = mutate(path, target => delete target[key])
        if (required.includes(key)) {
          const messages = issuesOf(text).map(i => i.message)
          expect(messages, key).toContainEqual(
            expect.stringMatching(`^missing required key \`${key}\``)
          )
        } else {
          expect(() => parsePolicy(text, 'p.yaml'), key).not.toThrow()
        }
      }
    }
  )

  it.each(objects(sample, []).map(path => [show(path) || '(top level)', path]))(
    'in %s: both reject an unknown key',
    (_, path) => {
      const node = at(path)
      const closed = (schemas(node.oneOf)[0] ?? node).additionalProperties
      expect(closed).toBe(false)
      const issues = issuesOf(mutate(path, target => (target.surprise = 1)))
      expect(issues.map(i => i.path)).toContain(show([...path, 'surprise']))
    }
  )

  it('both accept any model id under pricing', () => {
    expect(at(['pricing']).additionalProperties).toMatchObject({
      type: 'object',
      required: ['input', 'output']
    })
    const text = mutate(
      ['pricing'],
      target => (target['claude-sonnet-4@2025'] = { input: 3, output: 15 })
    )
    expect(parsePolicy(text, 'p.yaml').pricing['claude-sonnet-4@2025']).toEqual({
      input: 3,
      output: 15
    })
  })
})
