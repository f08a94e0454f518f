export { P as PolicyError, L as SourceError, F as StateConflictError, S as StateError, U as UsageError, V as VERSION } from './chunk-base.js';
export { F as FileStateStore, S as SCHEMA_ID, c as command, e as evaluate, l as loadPolicyFile, g as parsePolicy, h as policyJsonSchema, r as recordJson, i as renderMarkdown, j as renderText, s as sourceFor, v as validateData, f as validationText } from './chunk-engine.js';
export { d as createNormalizer } from './chunk-records.js';
import 'node:crypto';
import 'node:fs/promises';
import 'node:path';
import './chunk-yaml.js';
import 'process';
import 'buffer';
