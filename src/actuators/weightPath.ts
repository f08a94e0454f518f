import { isMap, isSeq, parseDocument, type Document, type YAMLError } from 'yaml'

/** One step of a weight path: a key, a list index, or the list item whose `key` equals `value`. */
export type PathStep = string | number | { key: string; value: string }

/**
 * `model_list[name=v7].litellm_params.weight` -> ['model_list', {key:'name',value:'v7'},
 * 'litellm_params', 'weight']. Throws with the position of a malformed step.
 */
export function parseWeightPath(path: string): PathStep[] {
  const steps: PathStep[] = []
  const re = /([^.[\]]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]|(\.)/gy
  // What the previous token was decides what may follow: a key only at the start or after a dot,
  // an index or a dot only after a key or an index.
  let prev: 'start' | 'dot' | 'step' = 'start'
  let m: RegExpExecArray | null
  let at = 0
  while (at < path.length && (m = re.exec(path))) {
    const isKey = m[1] !== undefined
    const isDot = m[5] !== undefined
    if (isKey ? prev === 'step' : prev !== 'step') break
    if (isKey) steps.push(m[1]!)
    else if (m[2] !== undefined) steps.push(Number(m[2]))
    else if (!isDot) steps.push({ key: m[3]!.trim(), value: (m[4] ?? '').trim() })
    prev = isDot ? 'dot' : 'step'
    at = re.lastIndex
  }
  if (at !== path.length || prev !== 'step') {
    throw new Error(
      `weight path "${path}" is malformed near character ${at + 1}: use keys separated by dots, [n] for a list item, [key=value] to pick a list item`
    )
  }
  return steps
}

/**
 * Set a number at `path` in a YAML document with the `yaml` Document API, which keeps comments,
 * key order and formatting (https://eemeli.org/yaml/#documents). Every step must exist: a missing
 * key is an error naming it, never a silently created one.
 */
export function setInYaml(doc: Document, path: string, value: number): void {
  const steps = parseWeightPath(path)
  const keys: (string | number)[] = []
  let node: unknown = doc.contents
  for (const [i, step] of steps.entries()) {
    const where = keys.length > 0 ? ` under ${formatKeys(keys)}` : ''
    let key: string | number
    if (typeof step === 'object') {
      if (!isSeq(node)) throw new Error(`${describeStep(step)}${where} needs a list there`)
      const index = node.items.findIndex(
        item => isMap(item) && String(item.get(step.key)) === step.value
      )
      if (index < 0) throw new Error(`no list item with ${step.key} = ${step.value}${where}`)
      key = index
    } else {
      const has = isMap(node) || isSeq(node) ? node.has(step) : false
      if (!has) throw new Error(`${describeStep(step)}${where} does not exist`)
      key = step
    }
    keys.push(key)
    if (i < steps.length - 1)
      node = (node as { get(k: unknown, keep: true): unknown }).get(key, true)
  }
  doc.setIn(keys, value)
}

/** Set every weight in YAML (or JSON, which is YAML) text; returns the new text. */
export function setWeights(
  text: string,
  isJson: boolean,
  values: { path: string; value: number }[]
): string {
  if (isJson) return setInJson(text, values)
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`not valid YAML (${where(doc.errors[0]!)})`)
  for (const { path, value } of values) setInYaml(doc, path, value)
  return doc.toString()
}

/**
 * Where a parse error is, and its kind, without the text around it: the yaml library's messages
 * quote the offending line, and the file may hold secrets (`db_password: ...`) that would then
 * reach the PR comment and the decision record.
 */
function where(error: YAMLError): string {
  const at = error.linePos?.[0]
  return `${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''}`
}

/** JSON has no comments: parse, set, and write back with the file's own indentation. */
function setInJson(text: string, values: { path: string; value: number }[]): string {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`not valid JSON (${where(doc.errors[0]!)})`)
  for (const { path, value } of values) setInYaml(doc, path, value)
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  '
  return JSON.stringify(doc.toJS(), null, indent) + (text.endsWith('\n') ? '\n' : '')
}

const describeStep = (step: PathStep) =>
  typeof step === 'object'
    ? `[${step.key}=${step.value}]`
    : typeof step === 'number'
      ? `[${step}]`
      : `key "${step}"`

const formatKeys = (keys: (string | number)[]) =>
  keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('')
