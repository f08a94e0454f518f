import { describe, expect, it } from 'vitest'
import { decide } from '../src/decide/decide.js'
import { initialState, nextState } from '../src/decide/state.js'
import { escapeMarkdown, progressLine, renderMarkdown } from '../src/report/markdown.js'
import { decisionRecord, recordJson } from '../src/report/record.js'
import { renderText } from '../src/report/text.js'
import { analysis, metric, testPolicy } from './helpers/analysis.js'

const T0 = Date.parse('2026-11-02T08:00:00Z')
const policy = testPolicy()

function recordFor(a = analysis(), stepIndex = 2, now = T0 + 3600_000) {
  const state = { ...initialState(policy, T0), stepIndex }
  const decision = decide(policy, state, a, now)
  return decisionRecord({
    policy,
    policyHash: 'sha256:abc',
    decision,
    state: nextState(state, decision, now, a),
    now,
    analysis: a,
    source: 'file traffic/*.jsonl'
  })
}

describe('markdown report', () => {
  it('puts the verdict first, then the step progress line, then the metrics table', () => {
    const md = renderMarkdown(recordFor())
    const lines = md.split('\n')
    expect(lines[0]).toBe('<!-- ai-rollout-gate:support-assistant -->')
    expect(lines[1]).toBe('### ✅ Promote `support-assistant`: 25% → 50%')
    expect(md).toContain('1% ✓ → 5% ✓ → 25% ✓ → **50%** → 100%')
    expect(md).toContain('| quality | 0.8 | 0.81 | +1.3% (−1% to +3.5%) | −2% | ✅ pass |')
    expect(md).toMatch(/<details><summary>Decision record<\/summary>/)
  })

  it('shows the current step in bold while holding and a cross where it rolled back', () => {
    const hold = recordFor(analysis(), 2, T0 + 60_000)
    expect(progressLine(hold)).toBe('1% ✓ → 5% ✓ → **25%** → 50% → 100%')
    const failing = analysis({ metrics: [metric({ verdict: 'fail' })] })
    expect(progressLine(recordFor(failing))).toBe('1% ✓ → 5% ✓ → **25% ✗** → 50% → 100%')
  })

  it('escapes text from the policy and the data so it cannot inject markdown, HTML or mentions', () => {
    const evil = metric({ name: '<img src=x onerror=alert(1)> [click](http://x) @team | `x`' })
    const md = renderMarkdown(recordFor(analysis({ metrics: [evil] })))
    const row = md.split('\n').find(l => l.includes('onerror'))!
    expect(row).not.toContain('<img')
    expect(row).toContain('&lt;img')
    expect(row).toContain('\\[click\\](http:\u200b//x)')
    expect(row).toContain('@\u200bteam')
    expect(row.split(' | ')).toHaveLength(6) // the | in the name did not add a column
    expect(escapeMarkdown('a\nb')).toBe('a b')
  })

  it('summarises segments by verdict and names the failing ones', () => {
    const seg = (segment: string, verdict: 'pass' | 'fail' | 'inconclusive') => ({
      segment,
      verdict,
      metrics: [{ ...metric({ verdict }), name: 'quality' }]
    })
    const a = analysis({
      segments: [
        seg('route=faq', 'fail'),
        seg('route=billing', 'inconclusive'),
        seg('route=chat', 'pass')
      ]
    })
    const md = renderMarkdown(recordFor(a))
    expect(md).toContain('**Segments**: 3 compared, 1 fail, 1 inconclusive, 1 pass.')
    expect(md).toContain('- ❌ fail route=faq: quality')
    expect(md).not.toContain('route=billing:')
  })

  it('fences the decision record with more backticks than any run inside it', () => {
    const md = renderMarkdown(recordFor(analysis({ metrics: [metric({ name: 'a ````` b' })] })))
    expect(md).toContain('``````json\n')
  })

  it('the JSON record has the DESIGN.md shape, with infinite bounds as null', () => {
    const open = metric({
      verdict: 'inconclusive',
      delta: { estimate: 0.01, lower: -Infinity, upper: Infinity, relative: true }
    })
    const json = JSON.parse(recordJson(recordFor(analysis({ metrics: [open] }))))
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'decision',
        'rollout',
        'step',
        'next',
        'window',
        'arms',
        'metrics',
        'checks',
        'reasons'
      ])
    )
    expect(json.metrics[0].delta).toEqual({
      estimate: 0.01,
      lower: null,
      upper: null,
      relative: true
    })
    expect(json.arms).toEqual({ baseline: { n: 5000, units: 900 }, canary: { n: 500, units: 90 } })
  })

  it('the text view lists every metric on one aligned line', () => {
    const text = renderText(recordFor())
    expect(text.split('\n')[0]).toBe('✅ Promote `support-assistant`: 25% → 50%')
    expect(text).toMatch(/ {2}quality +0\.8 +0\.81 +\+1\.3% \(−1% to \+3\.5%\) +tol −2% +pass/)
  })
})

describe('charts over the rollout and the comment size cap', () => {
  const history = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      at: new Date(T0 + i * 900_000).toISOString(),
      action: 'hold' as const,
      from: 25,
      to: 25,
      manual: false,
      reason: 'r',
      metrics: [
        {
          name: 'quality',
          estimate: -0.01,
          lower: i === 0 ? -Infinity : -0.05 + i * 0.005,
          upper: 0.03,
          verdict: 'inconclusive'
        }
      ]
    }))

  it("draws each gating metric's change and interval per evaluation, in percent for relative tolerances", () => {
    const r = recordFor(analysis({ metrics: [metric({ name: 'quality', tolerance: -0.02 })] }))
    const md = renderMarkdown(r, { history: history(3) })
    const chart = /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? ''
    expect(chart).toContain('xychart-beta')
    expect(chart).toContain('title "quality: change (%), tolerance -2%"')
    expect(chart).toContain('y-axis "canary - baseline (%)"')
    expect(chart).toContain('x-axis ["11-02 08:00", "11-02 08:15", "11-02 08:30"]')
    expect(chart).toContain('line [-1, -1, -1]')
    // The unbounded first lower bound is clipped to 3x the tolerance, not drawn at -Infinity.
    expect(chart).toContain('line [-6, -4.5, -4]')
    expect(chart).toContain('line [-2, -2, -2]')
  })

  it('draws a rate with an absolute tolerance in points, as the table writes it', () => {
    const rate = metric({
      name: 'error rate',
      from: 'error',
      kind: 'rate',
      better: 'lower',
      tolerance: 0.005,
      delta: { estimate: 0.001, lower: -0.002, upper: 0.004, relative: false }
    })
    const r = recordFor(analysis({ metrics: [rate] }))
    const points = Array.from({ length: 2 }, (_, i) => ({
      at: new Date(T0 + i * 900_000).toISOString(),
      action: 'hold' as const,
      from: 25,
      to: 25,
      manual: false,
      reason: 'r',
      metrics: [
        { name: 'error rate', estimate: 0.001, lower: -0.002, upper: 0.004, verdict: 'pass' }
      ]
    }))
    const md = renderMarkdown(r, { history: points })
    expect(md).toContain('title "error rate: change (pp), tolerance 0.5 pp"')
    expect(md).toContain('y-axis "canary - baseline (pp)"')
    expect(md).toContain('line [0.4, 0.4]')
    expect(md).toContain('line [0.1, 0.1]')
    expect(md).toContain('line [0.5, 0.5]')
    expect(md).toContain('| error rate | ')
    expect(md).toContain('+0.1pp (−0.2pp to +0.4pp)')
  })

  it('names the series in a legend under each chart', () => {
    const md = renderMarkdown(recordFor(), { history: history(3) })
    expect(md).toMatch(
      /```\n\n<sub>Top line: the interval's upper bound; middle: the estimate; bottom: the lower bound; flat line: the tolerance/
    )
  })

  it('draws the first evaluation too, as flat segments (mermaid draws no line through one point)', () => {
    const r = recordFor(analysis({ metrics: [metric({ name: 'quality', tolerance: -0.02 })] }))
    const md = renderMarkdown(r, { history: history(1) })
    const chart = /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? ''
    expect(chart).toContain('x-axis ["11-02 08:00", "11-02 08:00 "]')
    expect(chart).toContain('line [-2, -2]')
    expect(md).toContain('One evaluation so far, drawn flat.')
  })

  it('drops the record, then the charts, before the verdict when the comment is too long', () => {
    const r = recordFor()
    const full = renderMarkdown(r, { history: history(40) })
    const summaryEnd = full.indexOf('<details>')
    const noRecord = renderMarkdown(r, { history: history(40), maxLength: full.length - 10 })
    expect(noRecord).toContain('mermaid')
    expect(noRecord).not.toContain('Decision record')
    expect(noRecord).toContain("see the run's `report-path` output")
    const noCharts = renderMarkdown(r, { history: history(40), maxLength: summaryEnd + 200 })
    expect(noCharts).not.toContain('mermaid')
    expect(noCharts.startsWith(full.slice(0, summaryEnd))).toBe(true)
    expect(noCharts.length).toBeLessThanOrEqual(summaryEnd + 200)
  })
})
