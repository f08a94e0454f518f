/**
 * Exit statuses (DESIGN.md, "CLI"): 0 whatever the decision; EXIT_FAIL_ON when evaluate's
 * --fail-on matches it (for CI systems that gate on exit statuses); EXIT_NOT_APPLIED when the
 * decision is saved but an actuator has not applied it yet (every run applies it again); 2 for a
 * usage, policy or state error, and for validate's data that does not fit the policy; 1 only for
 * a bug.
 */
export const EXIT_OK = 0
export const EXIT_BUG = 1
export const EXIT_USAGE = 2
export const EXIT_FAIL_ON = 3
export const EXIT_NOT_APPLIED = 4

/** Runs racing on one state file: each lost compare-and-swap re-reads the state and decides again. */
export const STATE_ATTEMPTS = 8
