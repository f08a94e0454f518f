// Bundled in place of `undici` (rollup.config.js): the two names the bundled @actions packages
// import, backed by dist/undici.cjs, which is required (and parsed) on first use only. Every
// bundle sits flat in dist/, so undici.cjs is next to whichever file this code lands in.
import { createRequire } from 'node:module'

let undici
const load = () => (undici ??= createRequire(import.meta.url)('./undici.cjs'))

/** @actions/http-client: the dispatcher for a configured HTTP(S) proxy. */
export class ProxyAgent {
  constructor(options) {
    const Real = load().ProxyAgent
    return new Real(options)
  }
}

/** @actions/github: every REST request (through the proxy's dispatcher when there is one). */
export function fetch(input, init) {
  return load().fetch(input, init)
}
