// Generated from package.json by scripts/write-version.ts (npm run build); do not edit.
export const VERSION = '1.0.0'
