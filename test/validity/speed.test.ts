/**
 * The decision-speed simulation, fast (`npm run validate:speed` runs 20 seeds of every scenario
 * and writes docs/speed.md): one seed of each regression scenario, rolled back by minute 30 by the
 * real gate, and one A/A seed that never rolls back in two hours.
 */
import { describe, expect, it } from 'vitest'
import { SCENARIOS, simulateStep } from './speed.js'

/**
 * A latency regression is decided by the p95 metric, whose quantile sequences are track 12b's
 * (src/stats/cs/quantile.ts): here it must never promote; how fast it rolls back is in
 * docs/speed.md.
 */
const QUANTILE_BOUND = new Set(['p95+30'])

describe('decision speed (fast)', () => {
  it('p95 +30%: never promoted', async () => {
    const looks = await simulateStep(
      SCENARIOS.find(s => s.id === 'p95+30')!,
      7001,
      {
        lastMinute: 60
      }
    )
    console.log(`p95+30: ${looks.map(l => `${l.minute}:${l.action}`).join(' ')}`)
    expect(looks.some(l => l.action === 'promote')).toBe(false)
  })

  for (const scenario of SCENARIOS.filter(
    s => s.expect.action === 'rollback' && !QUANTILE_BOUND.has(s.id)
  )) {
    it(`${scenario.id}: rolled back by minute ${scenario.expect.byMinute}`, async () => {
      const looks = await simulateStep(scenario, 7001)
      const decided = looks.find(l => l.action !== 'hold')
      console.log(
        `${scenario.id}: ${looks.map(l => `${l.minute}:${l.action}`).join(' ')}; ${decided?.metrics
          .map(m => `${m.name} ${m.verdict}`)
          .join(', ')}`
      )
      expect(decided?.action).toBe('rollback')
      expect(decided!.minute).toBeLessThanOrEqual(scenario.expect.byMinute)
    })
  }

  it('A/A: never rolls back in two hours, and cost and the error rate pass', async () => {
    const aa = SCENARIOS.find(s => s.id === 'aa')!
    const looks = await simulateStep(aa, 7001)
    const last = looks.at(-1)!
    console.log(
      `aa: ${looks.map(l => `${l.minute}:${l.action}`).join(' ')}; ${last.metrics
        .map(m => `${m.name} ${m.verdict}`)
        .join(', ')}`
    )
    expect(looks.some(l => l.action === 'rollback')).toBe(false)
    const verdict = (name: string) => last.metrics.find(m => m.name === name)?.verdict
    expect(verdict('cost')).toBe('pass')
    expect(verdict('error rate')).not.toBe('fail')
  })
})
