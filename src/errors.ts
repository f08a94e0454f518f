/** A problem with how the tool was called (flags, inputs, a state that refuses a command): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
