import { g as getOctokit, t as throttling, r as retry } from './chunk-octokit.js';
import 'fs';
import 'os';
import 'http';
import 'https';
import 'tls';
import 'events';
import 'util';
import 'node:module';

/** How many times a rate-limited request is retried before the run gives up on it. */
const RATE_LIMIT_RETRIES = 3;
/**
 * The REST client: @actions/github's Octokit (base URL from GITHUB_API_URL, so GitHub Enterprise
 * Server works) with the retry plugin (5xx and network errors, with backoff) and the throttling
 * plugin, which waits out primary and secondary rate limits using `retry-after` and
 * `x-ratelimit-reset` (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 */
function createGitHub(token, log, options = {}) {
    const onLimit = (kind) => (retryAfter, request, _o, retryCount) => {
        const retrying = retryCount < RATE_LIMIT_RETRIES;
        log.warning(`GitHub ${kind} on ${request.method} ${request.url}: ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}`);
        return retrying;
    };
    return getOctokit(token, {
        ...(options.baseUrl && { baseUrl: options.baseUrl }),
        userAgent: options.userAgent ?? 'ai-rollout-gate',
        throttle: {
            onRateLimit: onLimit('rate limit'),
            onSecondaryRateLimit: onLimit('secondary rate limit')
        },
        // 403 and 429 are the throttling plugin's (it honours retry-after); 409 is a state conflict.
        retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] }
    }, retry, throttling);
}
/** `owner/name` as GITHUB_REPOSITORY gives it. */
function parseRepo(text) {
    const m = /^([\w.-]+)\/([\w.-]+)$/.exec(text ?? '');
    return m ? { owner: m[1], repo: m[2] } : undefined;
}

export { createGitHub, parseRepo };
