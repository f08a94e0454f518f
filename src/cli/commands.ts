import type { ManualCommand } from '../decide/types.js'
import type { CommandSpec, OptionSpec } from './registry.js'

const NOT_APPLIED =
  '4  the decision is saved, but an actuator has not applied it yet (every run applies it again)'

const policy: OptionSpec = {
  name: 'policy',
  type: 'string',
  value: 'FILE',
  help: 'the rollout policy (YAML)',
  required: true
}
const records: OptionSpec = {
  name: 'records',
  type: 'string',
  multiple: true,
  value: 'FILE_OR_GLOB',
  help: "read these files instead of the policy's file source (repeatable)"
}
const now: OptionSpec = {
  name: 'now',
  type: 'string',
  value: 'ISO-8601',
  help: 'decide as of this instant; later records are ignored (default: now)'
}
const actor: OptionSpec = {
  name: 'actor',
  type: 'string',
  value: 'NAME',
  help: 'who runs the command (default: the current user)'
}
const format = (choices: string[], about: string): OptionSpec => ({
  name: 'format',
  type: 'string',
  value: choices.join('|'),
  choices,
  help: about
})
const verbose: OptionSpec = {
  name: 'verbose',
  type: 'boolean',
  short: 'v',
  help: 'tell what the run does, phase by phase, with progress and detail, on stderr'
}
const state = (required: boolean): OptionSpec => ({
  name: 'state',
  type: 'string',
  value: 'FILE',
  help: required
    ? 'the rollout state (JSON) it reads and writes'
    : 'the rollout state (JSON); without it, the rollout is at its first step',
  ...(required && { required: true })
})

const evaluate: CommandSpec = {
  name: 'evaluate',
  summary: "collect the current step's evidence and decide promote, hold or rollback",
  description:
    "Collects the current step's evidence (from the policy's source, or --records), compares the canary with the baseline, decides promote, hold or rollback, prints the verdict, applies it through the policy's actuators and, with --state, writes the next state.",
  options: [
    policy,
    records,
    state(false),
    {
      name: 'since',
      type: 'string',
      value: 'ISO-8601',
      help: 'without a state: when the first step began (default: the first canary record)'
    },
    now,
    format(
      ['text', 'json', 'markdown'],
      'text (default), json (the decision record), markdown (the PR comment)'
    ),
    {
      name: 'dry-run',
      type: 'boolean',
      help: 'decide and print, but apply nothing and save no state'
    },
    {
      name: 'fail-on',
      type: 'string',
      value: 'rollback|hold',
      choices: ['none', 'rollback', 'hold'],
      help: 'exit 3 when the decision is a rollback (rollback), or anything but a promotion (hold); for CI systems that gate on exit statuses'
    },
    verbose
  ],
  exits: [
    '3  with --fail-on: the decision matched it (the verdict is printed as usual)',
    NOT_APPLIED
  ],
  run: async (values, io) => (await import('./evaluate.js')).runEvaluate(values, io)
}

const MANUAL: Record<ManualCommand, string> = {
  rollback: 'roll the canary back to 0%, whatever the analysis says',
  promote: 'promote the canary to the next step (or --weight), whatever the analysis says',
  pause: 'pause the rollout: evaluations hold until resume',
  resume: 'resume a paused rollout (or restart a rolled-back one at its first step)'
}

const manual = (name: ManualCommand): CommandSpec => ({
  name,
  summary: MANUAL[name],
  description: `A person's decision: it overrides the analysis, is applied through the policy's actuators, and is recorded in the state's history with --actor and --reason (and posted on the PR by the Action). ${name === 'resume' ? '' : '--reason is required. '}No evidence is read, so a source that is down cannot block it.`,
  options: [
    policy,
    state(true),
    {
      name: 'reason',
      type: 'string',
      value: 'TEXT',
      help: 'why (recorded with the decision)',
      ...(name !== 'resume' && { required: true })
    },
    actor,
    ...(name === 'promote'
      ? [
          {
            name: 'weight',
            type: 'string',
            value: 'PERCENT',
            help: 'go straight to the step with this canary weight (e.g. 50) instead of the next one'
          } satisfies OptionSpec
        ]
      : []),
    now,
    format(['text', 'json', 'markdown'], 'text (default), json (the decision record), markdown')
  ],
  exits: [NOT_APPLIED],
  run: async (values, io) => (await import('./manual.js')).runManual(name, values, io)
})

const status: CommandSpec = {
  name: 'status',
  summary: 'where the rollout stands: its verdict, step progress and history',
  description:
    "Prints the rollout as its state records it: the current verdict and why, the step and how long it has run against the policy's bake time and limit, and the history of transitions with who made them. Reads nothing else.",
  options: [
    policy,
    state(true),
    now,
    format(['text', 'json', 'markdown'], 'text (default), json (the stored state), markdown')
  ],
  run: async (values, io) => (await import('./status.js')).runStatus(values, io)
}

const validate: CommandSpec = {
  name: 'validate',
  summary: 'check a policy, and that records carry every field it reads',
  description:
    "Checks the policy; with --records, reads every record (whatever its time) and checks that the data carries what the policy reads: a timestamp and the arm field on each line, records for both arms, values for every metric's fields in both arms, the segment dimensions, the unit field, and prices for the models served. A field the data lacks is named with the fields that look like it. Records that match no file are an error here (evaluate would hold).",
  options: [policy, records, format(['text', 'json'], 'text (default), json'), verbose],
  exits: ['2  also when the data does not fit the policy (each problem is listed)'],
  run: async (values, io) => (await import('./validate.js')).runValidate(values, io)
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  evaluate,
  manual('rollback'),
  manual('promote'),
  manual('pause'),
  manual('resume'),
  status,
  validate
]
