/**
 * The `actuators` section of the policy: what applies a decision to the world. Each entry is one
 * actuator; all are optional (the Action's outputs are always set, so a later step can act too).
 */
import {
  choice,
  list,
  num,
  obj,
  optional,
  record,
  required,
  str,
  union,
  withDefault,
  type Node
} from './dsl.js'
import { duration, httpUrl } from './scalars.js'
import type { ActuatorSpec } from './types.js'

const when = withDefault(
  choice(
    'change: only when the canary weight changes (or on a manual command); every: every run.',
    ['change', 'every']
  ),
  'change'
)

const weightSetting = obj("One value in the file to set to an arm's weight.", {
  path: required(
    str(
      'Where the value is, e.g. `model_list[name=gpt-4o-v7].litellm_params.weight` or `spec.rules[0].backendRefs[1].weight`: keys separated by dots, `[n]` for a list item, `[key=value]` for the list item whose key has that value.'
    )
  ),
  arm: withDefault(
    choice("Whose weight: the canary's, or the baseline's (100% minus the canary's).", [
      'canary',
      'baseline'
    ]),
    'canary'
  ),
  total: withDefault(
    num('What 100% of traffic is in this file: 100 for percent, 1 for a fraction.', {
      exclusiveMin: 0
    }),
    100
  )
})

const gitFile = obj(
  'Set the weights in a YAML or JSON file in the repository and commit it (comments and formatting are kept).',
  {
    type: required(choice('Commit the weight to a file in the repository.', ['git-file'])),
    file: required(
      str('The file, relative to the repository root (no `..`, not absolute).', {
        regex: '^(?![/\\\\]|[A-Za-z]:)(?!(?:.*[/\\\\])?\\.\\.(?:[/\\\\]|$)).+$',
        hint: 'a path inside the repository, relative to its root, without `..` (e.g. config/router.yaml)'
      })
    ),
    branch: optional(str("The branch to commit to; default: the repository's default branch.")),
    set: required(list('The values to set.', weightSetting, 1))
  }
)

const webhook = obj(
  'POST the decision record as JSON, signed with HMAC-SHA256 over the body (header X-Rollout-Gate-Signature-256: sha256=<hex>).',
  {
    type: required(choice('Call a webhook.', ['webhook'])),
    url: required(
      httpUrl(
        'The URL to POST to (redirects are not followed: give the final URL).',
        'put a token in a header the receiver checks, or sign with secretEnv'
      )
    ),
    secretEnv: optional(
      str(
        "The environment variable holding the HMAC secret (the Action's `webhook-secret` input sets ROLLOUT_GATE_WEBHOOK_SECRET)."
      )
    ),
    timeout: withDefault(duration('How long to wait for an answer.'), '10s'),
    retries: withDefault(
      num('Retries after a failure (network error, 5xx, 429).', { integer: true, min: 0, max: 10 }),
      3
    ),
    on: when
  }
)

const workflowDispatch = obj(
  'Start a deploy workflow with workflow_dispatch, with inputs `decision`, `weight` and `rollout` (plus `inputs`).',
  {
    type: required(choice('Dispatch a workflow.', ['workflow-dispatch'])),
    workflow: required(str('The workflow file name (deploy.yml) or id.')),
    ref: optional(str("The git ref to run it on; default: the repository's default branch.")),
    inputs: withDefault(record('More inputs to pass, as strings.', str('An input value.')), {}),
    on: when
  }
)

const deployment = obj(
  'Mirror every decision as a GitHub deployment status on an environment (in_progress per step, success when complete, failure on rollback).',
  {
    type: required(choice('Report deployment statuses.', ['deployment'])),
    environment: required(str('The GitHub environment, e.g. production.'))
  }
)

export const actuators: Node<ActuatorSpec[]> = list(
  'What applies each decision: git-file, webhook, workflow-dispatch, deployment.',
  union('One actuator.', 'type', {
    'git-file': gitFile,
    webhook,
    'workflow-dispatch': workflowDispatch,
    deployment
  })
)
