import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { createRequire } from 'node:module'

/**
 * GitHub's published OpenAPI description (@octokit/openapi, api.github.com, OpenAPI 3.0), used to
 * check every request the Action sends to the loopback stand-in and every answer the stand-in
 * gives, so the stand-in cannot drift from the real API.
 */
interface Operation {
  parameters?: unknown[]
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>
}
interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: Record<string, unknown>
}

const require = createRequire(import.meta.url)
const spec = require('@octokit/openapi/generated/api.github.com.json') as Spec
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true })
addFormats(ajv)
ajv.addKeyword({ keyword: 'x-github' })
// OpenAPI 3.0's `nullable` is handled by Ajv itself (https://ajv.js.org/json-schema.html#nullable).
ajv.addSchema(rebase({ $id: 'github', components: spec.components }) as object)

/**
 * `#/components/...` refs point into the `github` schema registered above. GitHub's description
 * uses `oneOf` for alternatives that overlap (basic-error and repository-rule-violation-error both
 * accept `{message, documentation_url}`), so it is checked as `anyOf`.
 */
function rebase(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema)
      .replaceAll('"$ref":"#/', '"$ref":"github#/')
      .replaceAll('"oneOf":', '"anyOf":')
  )
}

const routes = Object.entries(spec.paths).map(([template, ops]) => {
  const pattern = template
    .replace(/[.]/g, '\\.')
    .replace(/\{path\}$/, '(.+)')
    .replace(/\{[^}]+\}/g, '([^/]+)')
  return { template, ops, regex: new RegExp(`^${pattern}$`) }
})

const compiled = new Map<string, ValidateFunction>()
function validator(key: string, schema: unknown): ValidateFunction {
  let v = compiled.get(key)
  if (!v) {
    v = ajv.compile(rebase(schema) as object)
    compiled.set(key, v)
  }
  return v
}

export interface Matched {
  template: string
  operation: Operation
}

/** The documented operation for a method and path, or undefined when GitHub has no such endpoint. */
export function matchOperation(method: string, pathname: string): Matched | undefined {
  for (const r of routes) {
    if (!r.regex.test(pathname)) continue
    const operation = r.ops[method.toLowerCase()]
    if (operation) return { template: r.template, operation }
  }
  return undefined
}

/** Problems of a JSON request body against the operation's documented body; [] when valid. */
export function requestProblems(m: Matched, method: string, body: unknown): string[] {
  const schema = m.operation.requestBody?.content?.['application/json']?.schema
  if (!schema) return body === undefined ? [] : []
  const v = validator(`${method} ${m.template} request`, schema)
  return v(body) ? [] : [`${method} ${m.template} request body: ${ajv.errorsText(v.errors)}`]
}

/** Problems of a response (status and JSON body) against the documented responses. */
export function responseProblems(
  m: Matched,
  method: string,
  status: number,
  body: unknown
): string[] {
  const documented = m.operation.responses[String(status)]
  if (!documented) {
    // Rate limits and server errors can come from any endpoint.
    if ([429, 500, 502, 503].includes(status) || (status === 403 && method)) return []
    return [`${method} ${m.template}: status ${status} is not documented`]
  }
  const schema = documented.content?.['application/json']?.schema
  if (!schema || body === undefined) return []
  const v = validator(`${method} ${m.template} ${status}`, schema)
  return v(body) ? [] : [`${method} ${m.template} ${status} response: ${ajv.errorsText(v.errors)}`]
}

type Schema = Record<string, unknown>

function resolve(schema: Schema): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  let node: unknown = spec
  for (const key of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[key]
  return resolve(node as Schema)
}

/**
 * A minimal object that satisfies a documented schema (required properties only, nulls where
 * allowed), to which a test's own fields are added: the stand-in's answers then have every field
 * the real API promises, without hand-written fixtures that could be wrong.
 */
export function sampleOf(schema: Schema, depth = 0): unknown {
  const s = resolve(schema)
  if (s.nullable === true && depth > 0) return null
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...s.allOf.map(part => sampleOf(part as Schema, depth)))
  }
  const choice = (s.oneOf ?? s.anyOf) as Schema[] | undefined
  if (choice?.[0]) return sampleOf(choice[0], depth)
  if (Array.isArray(s.enum)) return s.enum[0]
  switch (s.type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>
      const out: Record<string, unknown> = {}
      for (const key of (s.required ?? []) as string[]) {
        out[key] = props[key] ? sampleOf(props[key], depth + 1) : {}
      }
      return out
    }
    case 'array':
      return []
    case 'integer':
    case 'number':
      return 1
    case 'boolean':
      return false
    case 'string':
      switch (s.format) {
        case 'date-time':
          return '2026-11-02T12:00:00Z'
        case 'uri':
          return 'https://github.test/x'
        case 'email':
          return 'octocat@github.test'
        default:
          return 'x'
      }
    default:
      return null
  }
}

/** A documented component schema by name, e.g. `issue-comment`. */
export function sampleComponent(name: string): Record<string, unknown> {
  return sampleOf({ $ref: `#/components/schemas/${name}` }) as Record<string, unknown>
}
