/**
 * The engine as a library: `import { evaluate, loadPolicyFile, sourceFor } from 'ai-rollout-gate'`.
 * The package's main entry (package.json "exports"); importing it runs nothing. The Action's entry
 * is dist/index.js and the CLI's dist/cli.js: both are thin front doors to these same functions.
 *
 * ```ts
 * const loaded = await loadPolicyFile('rollout-policy.yml')
 * const outcome = await evaluate({
 *   policy: loaded.policy,
 *   policyHash: loaded.hash,
 *   source: await sourceFor(loaded, ['logs/*.jsonl']),
 *   store: new FileStateStore('.rollout-state.json', loaded.policy.rollout.name),
 *   now: Date.now()
 * })
 * console.log(outcome.record.decision, outcome.text)
 * ```
 */
export { VERSION } from './version.js'

// Evaluate a step, or apply a person's command.
export { evaluate, command, type EvaluateDeps, type Outcome } from './evaluate.js'

// The policy: from a file (with its hash) or from text; its JSON Schema.
export { loadPolicyFile, sourceFor, type LoadedPolicy } from './policyFile.js'
export { parsePolicy } from './policy/parse.js'
export { policyJsonSchema, SCHEMA_ID } from './policy/schema.js'
export {
  PolicyError,
  type Policy,
  type PolicyIssue,
  type MetricSpec,
  type MetricKind,
  type MetricMode,
  type Tolerance,
  type Price,
  type SourceSpec,
  type FileSourceSpec,
  type PrometheusSourceSpec,
  type LangfuseSourceSpec,
  type ActuatorSpec,
  type JudgeSpec
} from './policy/types.js'

// Checking a policy against data before a rollout.
export { validateData, validationText, type Finding, type ValidationReport } from './validate.js'

// Records: the canonical request record and the normaliser that reads raw rows into it.
export type { Arm, RequestRecord } from './records/record.js'
export { createNormalizer, type NormalizeResult } from './records/normalize.js'

// Evidence, sources and state stores (the adapters evaluate() takes).
export type { Cell, DataQuality, Evidence } from './sketch/evidence.js'
export { SourceError, type CollectRequest, type Source } from './sources/source.js'
export { FileStateStore } from './state/fileStore.js'
export { StateConflictError, StateError, type StateStore } from './state/store.js'

// The decision and its record, and their renderings.
export type {
  Action,
  Decision,
  HistoryEntry,
  ManualCommand,
  RolloutState,
  RolloutStatus
} from './decide/types.js'
export type { AppliedAction, DecisionRecord } from './report/record.js'
export type { Check, MetricResult, SegmentResult, Verdict } from './analysis/types.js'
export { renderMarkdown, type MarkdownOptions } from './report/markdown.js'
export { renderText } from './report/text.js'
export { recordJson } from './report/record.js'

export { UsageError } from './errors.js'
