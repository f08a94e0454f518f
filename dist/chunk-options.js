import { e as parseDuration, U as UsageError } from './chunk-base.js';

/** --every, --replicates and --seed, or the Action's inputs; `name` says how to call one. */
function planOptions(v, name) {
    const every = parseDuration(v.every ?? '15m');
    if (!every.ok || !(every.value >= 60_000)) {
        throw new UsageError(`${name('every')} must be a duration of at least 1m such as 15m or 1h, not "${v.every}"`);
    }
    const replicates = Number(v.replicates ?? '40');
    if (!Number.isInteger(replicates) || replicates < 10 || replicates > 1000) {
        throw new UsageError(`${name('replicates')} must be a whole number from 10 to 1000, not "${v.replicates}"`);
    }
    const seed = Number(v.seed ?? '1');
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new UsageError(`${name('seed')} must be a whole number from 0 to 4294967295, not "${v.seed}"`);
    }
    return { every: every.value, replicates, seed };
}

export { planOptions as p };
