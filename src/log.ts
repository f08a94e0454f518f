import type { Judge } from './judge/run.js'
import type { Analysis } from './analysis/types.js'
import type { ReadProgress, Source } from './sources/source.js'

/** The phases of a run, as the Action groups its log. */
export type Phase = 'Policy' | 'State' | 'Source' | 'Judge' | 'Analysis' | 'Actuators' | 'GitHub'

/**
 * What a run tells the person watching it. The Action writes it to the job log (a group per
 * phase, debug lines behind ACTIONS_STEP_DEBUG); the CLI to stderr with --verbose. Data-derived
 * text never reaches it: counts, names from the policy, and where data came from.
 */
export interface RunLog {
  /** A new phase begins (the Action closes the previous group and opens this one). */
  phase(name: Phase): void
  info(message: string): void
  debug(message: string): void
  progress(p: ReadProgress): void
}

/** 1,234,567 (this file loads with the Action's first lines, so it imports no formatter). */
const int = (n: number): string => Math.round(n).toLocaleString('en-US')

export const QUIET: RunLog = { phase() {}, info() {}, debug() {}, progress() {} }

/**
 * Progress lines at most every `everyMs`: `1,234,567 lines read (40 pages), 210,000 lines/s`, or
 * `(2 of 7 files done)`. `clock` in ms.
 */
export function progressPrinter(
  print: (line: string) => void,
  clock: () => number,
  everyMs = 10_000
): (p: ReadProgress) => void {
  const started = clock()
  let last = started
  return p => {
    const now = clock()
    if (now - last < everyMs) return
    last = now
    const seconds = Math.max(0.001, (now - started) / 1000)
    const parts = [`${int(p.lines)} lines read`]
    if (p.pages !== undefined) parts.push(`(${int(p.pages)} pages)`)
    if (p.files && p.files.total > 1) parts.push(`(${p.files.read} of ${p.files.total} files done)`)
    print(`${parts.join(' ')}, ${int(p.lines / seconds)} lines/s`)
  }
}

/** The source, with its phase, what it reads, how the read went, and its progress in the log. */
export function loggedSource(source: Source, log: RunLog, clock: () => number): Source {
  return {
    describe: () => source.describe(),
    firstCanaryTime: until => source.firstCanaryTime(until),
    collect: async request => {
      log.phase('Source')
      const { from, to } = request.window
      log.info(`Reading ${source.describe()}`)
      log.debug(`window ${new Date(from).toISOString()} -> ${new Date(to).toISOString()}`)
      const started = clock()
      let evidence
      try {
        evidence = await source.collect({ ...request, progress: p => log.progress(p) })
      } catch (e) {
        log.info(`The source could not be read (the run holds): ${(e as Error).message}`)
        throw e
      }
      const q = evidence.quality
      log.info(
        `${int(q.lines)} lines read, ${int(q.records)} records in the window, ${int(q.malformed)} malformed (${((clock() - started) / 1000).toFixed(1)} s)`
      )
      log.debug(
        `${evidence.cells.length} cells of ${evidence.bucketMs / 60_000} min, ${q.files.length} files, ${int(q.outsideWindow)} records outside the window, ${int(q.future)} after it; randomisation unit ${evidence.unitLevel ? 'seen' : 'not seen'}`
      )
      return evidence
    }
  }
}

/** The judge, in its own phase. */
export function loggedJudge(judge: Judge, log: RunLog): Judge {
  return {
    run: async input => {
      log.phase('Judge')
      const outcome = await judge.run(input)
      const s = outcome.summary
      log.info(
        `Judge ${s.model}: ${int(s.calls)} calls, ${int(s.judged.baseline)} baseline and ${int(s.judged.canary)} canary outputs judged, stopped: ${s.stopped}`
      )
      log.debug(JSON.stringify(s))
      return outcome
    }
  }
}

/** One debug line per metric and check. */
export function logAnalysis(log: RunLog, analysis: Analysis): void {
  log.phase('Analysis')
  log.info(
    `baseline ${int(analysis.arms.baseline.requests)}, canary ${int(analysis.arms.canary.requests)} requests; ${analysis.metrics.length} metrics, ${analysis.checks.filter(c => c.status === 'block').length} blocking checks`
  )
  for (const m of analysis.metrics) {
    const d = m.delta
    log.debug(
      `metric ${m.name}: ${m.verdict}; n ${m.n.baseline}/${m.n.canary}; change ${d.estimate} [${d.lower}, ${d.upper}]${d.relative ? ' relative' : ''}; tolerance ${m.tolerance}; alpha ${m.alpha}${m.passAlpha !== undefined ? ` (pass ${m.passAlpha})` : ''}`
    )
  }
  for (const c of analysis.checks) log.debug(`check ${c.name}: ${c.status}`)
}
