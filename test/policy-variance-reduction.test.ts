/** The policy's `varianceReduction`, top level and per metric: defaults, resolution, messages. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../src/policy/parse.js'
import { policyJsonSchema } from '../src/policy/schema.js'
import { PolicyError } from '../src/policy/types.js'
import { cli, tempDir, writePolicy } from './helpers/cli.js'
import { DESIGN_POLICY, issuesIn, issuesOf } from './policy-fixtures.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** DESIGN_POLICY with `lines` appended. */
const withLines = (...lines: string[]): string => `${DESIGN_POLICY}${lines.join('\n')}\n`

/** DESIGN_POLICY with a metric's flow mapping ending in `, <extra> }` instead of ` }`. */
const metricWith = (name: string, extra: string): string => {
  const line = DESIGN_POLICY.split('\n').find(l => l.includes(`{ name: ${name},`))
  if (!line) throw new Error(`no metric ${name}`)
  return DESIGN_POLICY.replace(line, line.replace(/ }$/, `, ${extra} }`))
}

const byName = (text: string) =>
  Object.fromEntries(
    parsePolicy(text, 'policy.yaml').metrics.map(m => [m.name, m.varianceReduction])
  )

describe('varianceReduction', () => {
  it('is off unless asked', () => {
    expect(Object.values(byName(DESIGN_POLICY)).every(v => v === undefined)).toBe(true)
  })

  it('at the top level applies to every mean (a score too) and ratio metric, with a 7-day lookback by default', () => {
    const vr = byName(withLines('varianceReduction: { covariates: [input_tokens, route] }'))
    const expected = {
      lookback: 7 * DAY,
      covariates: [
        { field: 'input_tokens', type: 'numeric' },
        { field: 'route', type: 'categorical' }
      ]
    }
    expect(vr).toEqual({
      // A score in [0, 1] keeps its nonasymptotic sequence beside the adjusted one.
      quality: expected,
      'p95 latency': undefined,
      'cost per request': expected,
      'error rate': undefined,
      'output length': expected
    })
  })

  it('per metric: false opts out, true takes the defaults, a mapping its own', () => {
    let text = metricWith('quality', 'varianceReduction: false')
    text = text.replace(
      '{ name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5% }',
      '{ name: cost per request, from: cost, kind: mean, better: lower, tolerance: 5%, varianceReduction: { lookback: 2d, covariates: [{ field: prompt_chars, type: numeric }] } }'
    )
    const vr = byName(text)
    expect(vr).toMatchObject({ quality: undefined })
    expect(vr['cost per request']).toEqual({
      lookback: 2 * DAY,
      covariates: [{ field: 'prompt_chars', type: 'numeric' }]
    })
    const withTop = byName(`${text}varianceReduction: { lookback: 1d }\n`)
    expect(withTop.quality).toBeUndefined()
    expect(withTop['output length']).toEqual({ lookback: DAY, covariates: [] })
    expect(byName(metricWith('output length', 'varianceReduction: true'))['output length']).toEqual(
      { lookback: 7 * DAY, covariates: [] }
    )
  })

  it('is refused on a quantile or a rate metric, at its key', () => {
    const text = metricWith('p95 latency', 'varianceReduction: true')
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({
        path: 'metrics[1].varianceReduction',
        line: 15,
        col: text.split('\n')[14]!.indexOf('varianceReduction') + 1,
        message: expect.stringMatching(/^variance reduction adjusts means and ratios: a quantile/)
      })
    ])
    expect(issuesOf(metricWith('error rate', 'varianceReduction: {}'))[0]).toMatchObject({
      path: 'metrics[3].varianceReduction',
      message: expect.stringMatching(/a rate \(a 0\/1 field\) is bounded/)
    })
  })

  it('is taken by a score and refused on a 0/1 mean, at its key', () => {
    expect(byName(metricWith('quality', 'varianceReduction: { lookback: 1d }')).quality).toEqual({
      lookback: DAY,
      covariates: []
    })
    const binary = DESIGN_POLICY.replace(
      '{ name: error rate, from: error, kind: rate, better: lower, tolerance: 0.5pp, limit: 2% }',
      '{ name: error rate, from: error, kind: mean, better: lower, tolerance: 0.005, varianceReduction: true }'
    )
    const line = binary.split('\n').findIndex(l => l.includes('{ name: error rate,')) + 1
    const row = binary.split('\n')[line - 1]!
    expect(issuesOf(binary)).toEqual([
      expect.objectContaining({
        path: 'metrics[3].varianceReduction',
        line,
        col: row.indexOf('varianceReduction') + 1,
        message:
          'variance reduction adjusts means and ratios: a rate (a 0/1 field) is bounded and gets a nonasymptotic sequence of its own; remove it'
      })
    ])
    // Under a top-level varianceReduction the 0/1 mean is left unadjusted, without a message.
    expect(
      byName(
        `${DESIGN_POLICY.replace('kind: rate, better: lower, tolerance: 0.5pp, limit: 2% }', 'kind: mean, better: lower, tolerance: 0.005 }')}varianceReduction: {}\n`
      )['error rate']
    ).toBeUndefined()
    // `false` is always allowed (it opts out of the policy's).
    expect(issuesIn(metricWith('quality', 'varianceReduction: false'))).toEqual([])
  })

  it('refuses covariates the change can move, the design fields, a metric field, duplicates', () => {
    const text = withLines(
      'arms: { field: arm, baseline: stable, canary: candidate, unit: account }',
      'varianceReduction:',
      '  covariates: [latency_ms, route, route, account, arm, scores.tone, cache_read_tokens, language]'
    ).replace('arms: { field: arm, baseline: stable, canary: candidate }\n', '')
    const issues = issuesOf(text)
    expect(issues.map(i => [i.path, i.message.slice(0, 40)])).toEqual([
      ['varianceReduction.covariates[0]', '`latency_ms` is something the change can'],
      ['varianceReduction.covariates[2]', '`route` is listed twice (also covariates'],
      ['varianceReduction.covariates[3]', '`account` is the arm, the unit or the ti'],
      ['varianceReduction.covariates[4]', '`arm` is the arm, the unit or the time o'],
      ['varianceReduction.covariates[5]', '`scores.tone` is something the change ca'],
      ['varianceReduction.covariates[6]', '`cache_read_tokens` is something the cha']
    ])
    // Each at the list item, on the last line.
    const last = text.trimEnd().split('\n').length
    expect(issues.every(i => i.line === last)).toBe(true)
    expect(issues[0]!.col).toBe(text.split('\n')[last - 1]!.indexOf('latency_ms') + 1)
  })

  it("refuses a covariate that is another metric's field", () => {
    const issues = issuesOf(
      withLines('varianceReduction: { covariates: [output_tokens, tool_calls] }')
    )
    expect(issues).toHaveLength(1)
    expect(issues[0]!.message).toMatch(/^`output_tokens` is something the change can move/)
    const text = DESIGN_POLICY.replace(
      '  - { name: output length,',
      '  - { name: tools, from: tool_calls, kind: mean, better: lower, tolerance: 10% }\n  - { name: output length,'
    )
    expect(issuesOf(`${text}varianceReduction: { covariates: [tool_calls] }\n`)[0]).toMatchObject({
      path: 'varianceReduction.covariates[0]',
      message:
        '`tool_calls` is what metrics[4] measures, so the change can move it; a covariate must be unaffected by the change'
    })
  })

  it('checks the lookback and the shape', () => {
    expect(issuesOf(withLines('varianceReduction: { lookback: 91d }'))[0]).toMatchObject({
      path: 'varianceReduction.lookback',
      message: 'must be between 0s and 90d; got 91d'
    })
    expect(issuesOf(withLines('varianceReduction: yes'))[0]?.message).toMatch(/^expected a mapping/)
    expect(
      issuesOf(withLines('varianceReduction: { covariates: [{ field: tier, type: ordinal }] }'))[0]
    ).toMatchObject({ path: 'varianceReduction.covariates[0].type' })
    expect(issuesIn(withLines('varianceReduction: { lookback: 0s }'))).toEqual([])
  })

  it('names file:line:col and the key path in the message, one line per issue', () => {
    const text = withLines(
      'varianceReduction:',
      '  lookbak: 2d',
      '  covariates: [route, { field: tier, type: ordinal }, latency_ms]'
    )
    let message = ''
    try {
      parsePolicy(text, 'deploy/policy.yaml')
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError)
      message = (error as PolicyError).message
    }
    const lines = text.split('\n')
    const at = (needle: string) => {
      const line = lines.findLastIndex(l => l.includes(needle))
      return `deploy/policy.yaml:${line + 1}:${lines[line]!.indexOf(needle) + 1}`
    }
    const out = message.split('\n')
    // The shape first: the covariates' meaning is checked once the policy's shape is right.
    expect(out).toHaveLength(2)
    expect(out).toContain(
      `${at('lookbak')}: varianceReduction.lookbak: unknown key \`lookbak\`; did you mean \`lookback\`?`
    )
    expect(out.find(l => l.includes('covariates[1].type'))).toMatch(
      new RegExp(
        `^${at('ordinal')}: varianceReduction\\.covariates\\[1\\]\\.type: .*numeric.*categorical`
      )
    )
    // Once the shape is right, what the covariates mean: same place, same form.
    const fixed = text.replace('lookbak', 'lookback').replace('ordinal', 'numeric')
    expect(() => parsePolicy(fixed, 'deploy/policy.yaml')).toThrow(
      `${at('latency_ms')}: varianceReduction.covariates[2]: \`latency_ms\` is something the change can move`
    )
  })

  it('a per-metric problem points into the metric', () => {
    const text = metricWith(
      'cost per request',
      'varianceReduction: { lookback: -1d, covariates: [cost] }'
    )
    const line = text.split('\n').findIndex(l => l.includes('{ name: cost per request,')) + 1
    const row = text.split('\n')[line - 1]!
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({
        path: 'metrics[2].varianceReduction.lookback',
        line,
        col: row.indexOf('-1d') + 1
      })
    ])
    const fixed = text.replace('-1d', '1d')
    expect(issuesOf(fixed)).toEqual([
      expect.objectContaining({
        path: 'metrics[2].varianceReduction.covariates[0]',
        line,
        col: fixed.split('\n')[line - 1]!.indexOf('[cost]') + 2,
        message: expect.stringMatching(/^`cost` is something the change can move/)
      })
    ])
  })

  it('the CLI exits 2 with the position of a bad covariate, before reading any record', () => {
    const dir = tempDir()
    const path = writePolicy(
      dir,
      'varianceReduction: { lookback: 1d, covariates: [route, cost] }\n'
    )
    const text = readFileSync(path, 'utf8')
    const lines = text.split('\n')
    const line = lines.findIndex(l => l.startsWith('varianceReduction:'))
    const col = lines[line]!.indexOf('cost') + 1
    const r = cli(['evaluate', '--policy', 'policy.yml', '--format', 'json'], dir)
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      `policy.yml:${line + 1}:${col}: varianceReduction.covariates[1]: \`cost\` is something the change can move`
    )
    // The same policy with an unaffected covariate is accepted (no records: a hold, not exit 2).
    writeFileSync(join(dir, 'policy.yml'), text.replace('[route, cost]', '[route, input_tokens]'))
    const ok = cli(['evaluate', '--policy', 'policy.yml', '--format', 'json'], dir)
    expect(ok.stderr).not.toMatch(/policy\.yml:\d+:\d+/)
    expect(ok.status).not.toBe(2)
  })

  it('is in the JSON Schema, top level and per metric', () => {
    const schema = policyJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown>; items?: unknown }>
    }
    const top = schema.properties.varianceReduction as {
      properties: Record<string, { default?: unknown }>
    }
    expect(top.properties.lookback?.default).toBe('7d')
    expect(top.properties.covariates?.default).toEqual([])
    const metric = (schema.properties.metrics?.items ?? {}) as {
      properties: Record<string, { oneOf?: unknown[] }>
    }
    expect(metric.properties.varianceReduction?.oneOf).toHaveLength(2)
  })
})
