/**
 * Exponential backoff with jitter, in whole seconds (SQS visibility granularity).
 * attempt 1 -> about base, 2 -> 2*base, 3 -> 4*base ... each scaled by a random factor in [0.5, 1], capped.
 * A server's Retry-After (throttling) is a floor.
 */
export interface BackoffPolicy {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

export const backoffSeconds = (
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number => {
  // Past 2^60 every policy is capped anyway; bounding the exponent keeps 0 * 2^n finite (never NaN).
  const exponential = policy.baseSeconds * 2 ** Math.min(60, Math.max(0, attempt - 1) || 0);
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  return Math.min(policy.maxSeconds, Math.max(jittered, Math.ceil(retryAfterMs / 1000)));
};
