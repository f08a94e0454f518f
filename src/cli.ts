import { main } from './cli/main.js'

// The CLI entry (bundled to dist/cli.js, run by bin/rollout-gate.js): the process edge only.
main(process.argv.slice(2), {
  out: s => process.stdout.write(s),
  err: s => process.stderr.write(s),
  clock: () => Date.now()
}).then(code => {
  process.exitCode = code
})
