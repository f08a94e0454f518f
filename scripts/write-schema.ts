// Writes schema/rollout-policy.schema.json from the policy DSL (src/policy/schema.ts), the same
// source the validator uses. test/policy-schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs'
import { policyJsonSchemaText } from '../src/policy/schema.js'

const target = new URL('../schema/rollout-policy.schema.json', import.meta.url)
writeFileSync(target, policyJsonSchemaText())
console.log(`wrote ${target.pathname}`)
