import { describe, expect, it } from 'vitest'
import { log1mExp, logRegularizedBeta } from '../src/stats/incompleteBeta.js'

// [x, a, b, log I_x(a, b), log(1 - I_x(a, b))] from SciPy 1.17 (special.betainc / betaincc).
const SCIPY: Array<[number, number, number, number, number]> = [
  [0.3, 2.5, 4.0, -1.043562937268431, -0.4341695456491461],
  [0.95, 1000.5, 52.3, -0.7681623665852896, -0.6233687222466143],
  [0.05, 52.3, 1000.5, -0.623368722246617, -0.7681623665852841],
  [0.5, 1e5, 1e5 + 300, -0.28945312403528556, -1.3809999486972826],
  [0.9, 9e4, 1.1e4, 0, -46.56564726888583],
  [0.999, 3.2, 0.7, -0.01927922276214641, -3.9583514281901313],
  [0.01, 0.5, 0.5, -2.752494986597868, -0.06589256902921664],
  [0.95, 20000, 1000, -2.9141764721529557, -0.05577562815569565]
]

describe('logRegularizedBeta', () => {
  it.each(SCIPY)('I_%s(%s, %s) matches SciPy in both tails', (x, a, b, lower, upper) => {
    const r = logRegularizedBeta(x, a, b)
    expect(r.lower).toBeCloseTo(lower, 6)
    expect(r.upper).toBeCloseTo(upper, 6)
  })

  it('is exact at the ends and refuses nonpositive parameters', () => {
    expect(logRegularizedBeta(0, 2, 3)).toEqual({ lower: -Infinity, upper: 0 })
    expect(logRegularizedBeta(1, 2, 3)).toEqual({ lower: 0, upper: -Infinity })
    expect(() => logRegularizedBeta(0.5, 0, 3)).toThrow(RangeError)
  })

  it('log1mExp is accurate near 0 and far from it', () => {
    expect(log1mExp(-1e-12)).toBeCloseTo(Math.log(1e-12), 6)
    expect(log1mExp(-50)).toBeCloseTo(-Math.exp(-50), 30)
    expect(log1mExp(0)).toBe(-Infinity)
  })
})
