/** The judge in words (report/judge.ts): from the summary's facts, nothing else. */
import { describe, expect, it } from 'vitest'
import type { JudgeSummary } from '../src/analysis/types.js'
import {
  biasText,
  healthBlock,
  lengthBlock,
  projectionText,
  spendText
} from '../src/report/judge.js'

const summary = (over: Partial<JudgeSummary>): JudgeSummary => ({
  model: 'gpt-4.1-mini',
  servedModels: [],
  rubricHash: 'sha256:0000000000000000',
  mode: 'pairwise',
  sampled: { baseline: 100, canary: 100 },
  judged: { baseline: 40, canary: 40 },
  calls: 90,
  usd: 0.01,
  cost: {
    look: { calls: 90, inputTokens: 40_000, outputTokens: 2_000, usd: 0.0192 },
    step: { looks: 3, calls: 250, inputTokens: 110_000, outputTokens: 5_500, usd: 0.0528 }
  },
  cacheHits: 0,
  stopped: 'decisive',
  parseFailures: 0,
  errors: {},
  flagged: 0,
  logprobs: 'used',
  health: [],
  healthy: true,
  biases: [],
  warnings: [],
  ...over
})

describe('the judge in words', () => {
  it('spends: calls, tokens and dollars, or unknown', () => {
    expect(spendText(summary({}).cost.look)).toBe(
      '90 calls, 40,000 input + 2,000 output tokens, $0.02'
    )
    expect(spendText({ calls: 4, inputTokens: null, outputTokens: null, usd: null })).toBe(
      '4 calls, tokens unknown (the endpoint reported no usage), USD unknown'
    )
    expect(spendText({ calls: 4, inputTokens: 10, outputTokens: 2, usd: null })).toMatch(
      /USD not priced/
    )
  })

  it('names the check that keeps the metric from deciding, with what it measured', () => {
    const s = summary({
      healthy: false,
      health: [
        { name: 'identical', status: 'passed', right: 6, wrong: 0, threshold: 1 / 3 },
        { name: 'degraded', status: 'failed', right: 0, wrong: 0, ties: 18, threshold: 0.5 },
        { name: 'kappa', status: 'failed', value: 0, items: 40, threshold: 0.4 }
      ]
    })
    expect(healthBlock(s)).toBe(
      "the judge failed its health checks, so its metric cannot decide: a copy with its facts shuffled or its words scrambled must lose to its original (failed): the original won 0 of 0 calls that named a winner, 18 called a tie; agreement with the human labels (failed): Cohen's kappa 0.00 on 40 items, at least 0.40 needed"
    )
    expect(healthBlock(summary({}))).toBeUndefined()
  })

  it('says when length and quality cannot be separated', () => {
    const text = lengthBlock(
      {
        adjusted: true,
        inflation: 12.5,
        maxInflation: 4,
        confounded: true,
        bounds: { lower: 0, upper: 1 },
        canaryShorter: 0.97
      },
      'pairwise'
    )
    expect(text).toBe(
      "length and quality cannot be separated: the canary's answer is shorter in 97% of the sampled pairs, so controlling for length inflates the variance ×12.5 (at most ×4 allowed); the judge metric holds until the arms overlap in length"
    )
  })

  it('names the bias seen: position, length, or both', () => {
    const both = summary({
      biases: ['position', 'length'],
      positionBias: { estimate: 0.3, lower: 0.2, upper: 0.4 },
      length: {
        adjusted: true,
        inflation: 1.5,
        maxInflation: 4,
        confounded: false,
        bounds: { lower: 0, upper: 1 },
        slope: { estimate: 0.31, se: 0.03 }
      }
    })
    expect(biasText(both)).toMatch(
      /^the judge shows position and length bias: position \(the answer shown first scores 0\.30 higher/
    )
    expect(biasText(summary({}))).toBeUndefined()
  })

  it('projects in judged items, calls and dollars', () => {
    expect(
      projectionText(
        { items: 120, calls: 264, usd: 0.05, inSample: 300, sampleFull: false },
        'pairwise'
      )
    ).toBe(
      'about 120 more judged pairs (~270 judge calls, ~$0.05); the sample holds them: the next evaluations judge them'
    )
    expect(
      projectionText(
        { items: 500, calls: 1100, usd: null, inSample: 80, sampleFull: false },
        'pointwise'
      )
    ).toMatch(/the sample has 80 left, so more canary traffic is needed$/)
  })
})
