export { P as PolicyError, G as SourceError, A as StateConflictError, S as StateError, U as UsageError, V as VERSION } from './chunk-base.js';
export { F as FileStateStore, S as SCHEMA_ID, c as command, e as evaluate, l as loadPolicyFile, h as parsePolicy, i as policyJsonSchema, r as recordJson, j as renderMarkdown, k as renderText, s as sourceFor, v as validateData, g as validationText } from './chunk-engine.js';
export { d as createNormalizer } from './chunk-records.js';
import 'node:fs/promises';
import 'node:path';
import './chunk-yaml.js';
import 'process';
import 'buffer';
import 'node:crypto';
