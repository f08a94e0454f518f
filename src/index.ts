import { run } from './action/run.js'

// The Action entry (dist/index.js, runs.using: node24): everything else is in run().
await run()
