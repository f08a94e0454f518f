/**
 * Exit statuses (DESIGN.md, "CLI"): 0 whatever the decision; EXIT_FAIL_ON when evaluate's
 * --fail-on matches it (for CI systems that gate on exit statuses); 2 for a usage, policy or
 * state error, and for validate's data that does not fit the policy; 1 only for a bug.
 */
export const EXIT_OK = 0
export const EXIT_BUG = 1
export const EXIT_USAGE = 2
export const EXIT_FAIL_ON = 3
