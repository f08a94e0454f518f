/** One regime of the validity suite: a seeded simulation of a confidence sequence's time-uniform miss rate. */
export interface Regime {
  id: string // e.g. 'lognormal-s1.5-canary5'
  description: string // one line for docs/validity.md
  alpha: number // the miss rate it must stay under
  fast: number // replicates in npm test
  full: number // replicates in npm run validate:stats (>= 500)
  /** Run `replicates` seeded replicates; misses = replicates where the CS excluded the truth at any look. */
  run(replicates: number, seed: number): { misses: number; replicates: number; note?: string }
}
