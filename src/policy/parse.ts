/**
 * Policy loading: YAML text -> validated Policy, or a PolicyError listing every issue with its
 * file:line:col and key path. Pure: the caller reads the file.
 */
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document
} from 'yaml'
import { INVALID, formatPath, isMapping, type Issue, type Path } from './dsl.js'
import { policySchema } from './schema.js'
import { PolicyError, type Policy, type PolicyIssue } from './types.js'

/** yaml's messages that would send a user to the library's API instead of their file. */
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'a policy file holds one YAML document; remove the extra `---` line'
}

/** Past this many, more issues would bury the first ones (a pasted file, a wrong indent). */
const MAX_ISSUES = 50

export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter()
  const at = (offset: number, message: string, path = ''): PolicyIssue => ({
    message,
    file,
    ...lineCounter.linePos(offset),
    path
  })
  const doc = readYaml(text, lineCounter)
  if (doc instanceof Error) throw new PolicyError([at(0, `cannot read YAML: ${doc.message}`)])
  if (doc.errors.length > 0) {
    // Syntax first: checking the shape of a half-parsed document would only add noise.
    throw new PolicyError(
      doc.errors.map(e => at(e.pos[0], `invalid YAML: ${YAML_MESSAGES[e.code] ?? e.message}`))
    )
  }
  const unresolved = unresolvedAliases(doc)
  if (unresolved.length > 0) {
    throw new PolicyError(
      unresolved.map(([offset, name]) =>
        at(offset, `invalid YAML: alias *${name} has no anchor; define &${name} before it`)
      )
    )
  }
  const value = toJS(doc)
  if (value instanceof Error) throw new PolicyError([at(0, `cannot read YAML: ${value.message}`)])
  if (value === null || value === undefined) {
    throw new PolicyError([
      {
        message: `policy file is empty: ${file}; write at least version, rollout, arms, source and metrics`,
        file,
        line: 1,
        col: 1,
        path: ''
      }
    ])
  }
  if (!isMapping(value)) {
    const got = Array.isArray(value) ? 'a list' : `the scalar ${JSON.stringify(String(value))}`
    const message = `the top level of a policy must be a mapping (version: 1, rollout: ..., metrics: ...), got ${got}`
    throw new PolicyError([at(offsetOf(doc, [], 'value'), message)])
  }
  const issues: Issue[] = []
  const policy = policySchema.check(value, [], issues)
  if (policy === INVALID || issues.length > 0) {
    const located = issues
      .slice(0, MAX_ISSUES)
      .map(issue => at(offsetOf(doc, issue.path, issue.at), issue.message, formatPath(issue.path)))
      .sort((a, b) => a.line - b.line || a.col - b.col)
    if (issues.length > MAX_ISSUES) {
      const more = `${issues.length - MAX_ISSUES} more issues not shown; fix these first`
      located.push({ message: more, file, line: 0, col: 0, path: '' })
    }
    throw new PolicyError(located)
  }
  return policy
}

function readYaml(text: string, lineCounter: LineCounter): Document | Error {
  try {
    // prettyErrors off: we print positions ourselves; logLevel error: no process warnings.
    return parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' })
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * yaml reports an alias without an anchor only when converting, and without its position. An alias
 * refers to the last anchor of its name before it in document order, which is the visit order.
 */
function unresolvedAliases(doc: Document): [number, string][] {
  const anchors = new Set<string>()
  const found: [number, string][] = []
  visit(doc, {
    Node(_, node) {
      if (isAlias(node) && !anchors.has(node.source))
        found.push([rangeStart(node) ?? 0, node.source])
      else if (node.anchor) anchors.add(node.anchor)
    }
  })
  return found
}

/** toJS throws on alias bombs (maxAliasCount): that is the input's problem, not a crash. */
function toJS(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * The source offset for an issue: the value's node, its key, or for a missing key the parent's
 * key. Walks the YAML tree through aliases; stops at the deepest node that exists (a defaulted
 * value has no node, so its issue points at the nearest mapping the user wrote).
 */
function offsetOf(doc: Document, path: Path, at: Issue['at']): number {
  const target = at === 'missing' ? path.slice(0, -1) : path
  let node: unknown = doc.contents
  let key: unknown = node
  let found = true
  for (const segment of target) {
    const current = isAlias(node) ? node.resolve(doc) : node
    const pair = isMap(current)
      ? current.items.find(item => keyText(item.key) === segment)
      : isSeq(current) && typeof segment === 'number'
        ? { key: current.items[segment], value: current.items[segment] }
        : undefined
    if (!pair || pair.key === undefined) {
      found = false
      break
    }
    key = pair.key
    node = pair.value ?? pair.key
  }
  // An empty value (`warmup:`) has a zero-width node after the colon: the key is the better place.
  const empty = isScalar(node) && node.range?.[0] === node.range?.[1]
  const chosen = at === 'value' && found && !empty ? node : key
  return rangeStart(chosen) ?? rangeStart(node) ?? 0
}

function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined
  return key.value === null || key.value === undefined ? '' : String(key.value)
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined
  const range: unknown = node.range
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined
}
