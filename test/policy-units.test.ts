import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  parseAmount,
  parseDuration,
  parseNumber,
  parsePercent,
  parsePoints
} from '../src/policy/units.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['30m', 30 * MINUTE],
    ['12h', 12 * HOUR],
    ['2d', 48 * HOUR],
    ['1h30m', 90 * MINUTE],
    ['500ms', 500],
    ['1m500ms', MINUTE + 500],
    ['1d2h3m4s5ms', 86_400_000 + 2 * HOUR + 3 * MINUTE + 4000 + 5],
    ['1.5h', 90 * MINUTE],
    ['0s', 0]
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms })
  })

  it.each([
    ['30', /needs a unit/],
    ['-5m', /cannot be negative/],
    ['1h 30m', /without spaces/],
    [' 30m', /without spaces/],
    ['1.5.5h', /is not a duration/],
    ['30m1h', /largest first/],
    ['1h1h', /is not a duration/],
    ['30M', /is not a duration/],
    ['.5h', /is not a duration/],
    ['1e3s', /is not a duration/],
    ['', /is not a duration/],
    ['ms', /is not a duration/],
    [`${'9'.repeat(400)}d`, /too large/]
  ])('rejects %j', (text, message) => {
    const parsed = parseDuration(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(message)
  })

  it.each([0, 500, 30_000, 90 * MINUTE, 26 * HOUR + 1, 1.5])(
    'formatDuration(%d) parses back',
    ms => {
      expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, value: ms })
    }
  )

  it('formats the largest units first', () => {
    expect(formatDuration(90 * MINUTE)).toBe('1h30m')
    expect(formatDuration(86_400_000)).toBe('1d')
    expect(formatDuration(0)).toBe('0s')
  })
})

describe('parsePercent, parsePoints, parseNumber', () => {
  // Expected values are the decimal literals themselves: 1.1% must be exactly 0.011, not 1.1 / 100.
  it.each([
    ['5%', 0.05],
    ['0.5%', 0.005],
    ['1.1%', 0.011],
    ['100%', 1],
    ['0%', 0],
    ['-2%', -0.02]
  ])('percent %s -> %d', (text, value) => {
    expect(parsePercent(text)).toEqual({ ok: true, value })
  })

  it.each([
    ['0.5pp', 0.005],
    ['1pp', 0.01],
    ['12.5pp', 0.125],
    ['-1pp', -0.01]
  ])('points %s -> %d', (text, value) => {
    expect(parsePoints(text)).toEqual({ ok: true, value })
  })

  it.each([
    ['0.02', 0.02],
    ['15', 15],
    ['-3', -3],
    ['0', 0]
  ])('number %s -> %d', (text, value) => {
    expect(parseNumber(text)).toEqual({ ok: true, value })
  })

  it.each(['5', '5 %', '%', '5%%', '.5%', '5.%', '1e2%', '5pp', ''])('percent rejects %j', text => {
    const parsed = parsePercent(text)
    expect(parsed).toEqual({ ok: false, error: expect.stringMatching(/is not a percentage/) })
  })

  it.each(['0.5', '0.5 pp', 'pp', '0.5p', '0.5%'])('points rejects %j', text => {
    expect(parsePoints(text)).toEqual({
      ok: false,
      error: expect.stringMatching(/percentage points/)
    })
  })

  it.each(['1e3', '0x10', '1,5', '', ' 1', 'NaN', 'Infinity', '5%'])('number rejects %j', text => {
    expect(parseNumber(text)).toEqual({
      ok: false,
      error: expect.stringMatching(/is not a number/)
    })
  })

  it('parseAmount tells relative, points and plain apart', () => {
    expect(parseAmount('5%')).toEqual({ ok: true, value: { value: 0.05, unit: '%' } })
    expect(parseAmount('0.5pp')).toEqual({ ok: true, value: { value: 0.005, unit: 'pp' } })
    expect(parseAmount('0.02')).toEqual({ ok: true, value: { value: 0.02, unit: '' } })
    expect(parseAmount('5 percent')).toEqual({
      ok: false,
      error: expect.stringMatching(/is not an amount: write a percentage \(5%\), percentage points/)
    })
  })
})
