/**
 * Traffic for `npm run bench:sql`, generated inside PostgreSQL (generate_series), with the
 * distribution of examples/generate-traffic.ts: Zipf-like user activity over 200,000 users, users
 * assigned to the arms by a hash of their id, four routes with their own latency and output
 * length, seven languages, lognormal latency, tokens and time to first token, a 62% prompt-cache
 * hit rate, 0.4% rate limits and 0.2% timeouts, a quality score on 35% of the calls, and the
 * `promote` scenario's canary effect. Uniforms come from hashes of the row number (hashint8), so
 * the table is the same on every run. The same rows are then exported for ClickHouse (TSV) and
 * for the file source (JSONL), so all three read identical records.
 */
/** Requests per second, both arms (BENCH_SQL_RATE in bench:sql changes it). */
export const RATE = 60

export function generateTraffic(
  rows: number,
  startIso: string,
  canaryWeight: number,
  rate = RATE
): string {
  // u(i): a uniform in [0, 1) from the row number and a salt; z(i): a standard normal (Box-Muller).
  const u = (salt: number) => `((hashint8(n * 64 + ${salt}) & 2147483647)::float8 / 2147483648)`
  const z = (salt: number) => `(sqrt(-2 * ln(1 - ${u(salt)})) * cos(2 * pi() * ${u(salt + 1)}))`
  return `
INSERT INTO traffic
SELECT ts, arm, user_id, route, language, 'gpt-4o-2024-08-06', 'fp_7f6be3efb0',
  latency_ms, round(latency_ms * 0.25 * exp(0.2 * z_ttft)), prompt, jsonb_build_object('cached_tokens', cached_tokens),
  completion, error, score
FROM (
  SELECT *, CASE WHEN error = 'timeout' THEN 30000 ELSE round(
      (route_latency * e_latency * (CASE WHEN cached THEN 0.8 ELSE 1 END) * exp(0.45 * z_latency)
        + output * 8 * e_latency))::float8 END AS latency_ms,
    CASE WHEN error IS NULL THEN output ELSE 0 END AS completion,
    CASE WHEN error IS NULL AND ${u(20)} < 0.35 THEN round(least(1, greatest(0,
      0.78 + 0.1 * user_noise + e_score + 0.12 * z_score))::numeric, 3)::float8 END AS score
  FROM (
    SELECT *, CASE WHEN cached THEN least(prompt, 1024 * (1 + floor(${u(7)} * 2)))::int ELSE 0 END AS cached_tokens,
      greatest(1, round(route_output * e_output * exp(0.5 * ${z(8)})))::int AS output,
      CASE WHEN ${u(10)} < 0.004 * e_errors THEN 'rate_limit'
           WHEN ${u(10)} < 0.006 * e_errors THEN 'timeout' END AS error,
      ${z(12)} AS z_latency, ${z(14)} AS z_ttft, ${z(16)} AS z_score
    FROM (
      SELECT n, ts, user_id, language, arm, route, route_latency, route_output, user_noise,
        ${u(5)} < 0.62 AS cached,
        round(1200 * exp(0.6 * ${z(3)}))::int AS prompt,
        CASE WHEN canary THEN 0.95 ELSE 1 END AS e_latency,
        CASE WHEN canary THEN 0.002 ELSE 0 END AS e_score,
        CASE WHEN canary THEN 0.93 ELSE 1 END AS e_output,
        1 AS e_errors
      FROM (
        SELECT n, user_id, language, canary,
          CASE WHEN canary THEN 'candidate' ELSE 'stable' END AS arm,
          '${startIso}'::timestamptz + (n * ${1000 / rate}) * interval '1 millisecond' AS ts,
          route, route_latency, route_output,
          ((hashtext(user_id || 'q') & 2147483647) % 10000) / 10000.0 - 0.5 AS user_noise
        FROM (
          SELECT n, 'u' || ((idx * 2654435761) % 1000003) AS user_id,
            (ARRAY['en', 'en', 'en', 'de', 'fr', 'es', 'ja'])[1 + idx % 7] AS language,
            ((hashtext('u' || ((idx * 2654435761) % 1000003)) & 2147483647) % 10000) < ${canaryWeight * 100} AS canary,
            CASE WHEN r < 0.45 THEN 'faq' WHEN r < 0.75 THEN 'troubleshoot'
                 WHEN r < 0.9 THEN 'billing' ELSE 'smalltalk' END AS route,
            CASE WHEN r < 0.45 THEN 900 WHEN r < 0.75 THEN 2200 WHEN r < 0.9 THEN 1400 ELSE 600 END AS route_latency,
            CASE WHEN r < 0.45 THEN 180 WHEN r < 0.75 THEN 420 WHEN r < 0.9 THEN 260 ELSE 90 END AS route_output
          FROM (SELECT n, floor(200000 * ${u(1)} ^ 2)::int8 AS idx, ${u(2)} AS r
                FROM generate_series(1, ${rows}) AS n) users
        ) a
      ) b
    ) c
  ) d
) e`
}
