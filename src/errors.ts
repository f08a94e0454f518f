/** A problem with how the tool was called (flags, inputs, a state that refuses a command): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A step weight as people type it: `50`, `50%`, `12.5%`. */
export function parseStepWeight(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim())
  const value = m ? Number(m[1]) : NaN
  if (!(value > 0 && value <= 100)) {
    throw new UsageError(`${what} must be a step's canary weight such as 50 or 50%, not "${text}"`)
  }
  return value
}
