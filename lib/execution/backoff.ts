/**
 * Exponential backoff with jitter, in whole seconds (SQS visibility granularity).
 * attempt 1 -> about base, 2 -> 2*base, 3 -> 4*base ... each scaled by a random factor in [0.5, 1], capped.
 * A server's Retry-After (throttling) is a floor.
 */
export interface BackoffPolicy {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/** One row of the retry horizon: the delay before attempt `attempt + 1`, and the time since the first failure. */
export interface HorizonStep {
  readonly attempt: number;
  readonly delay: { readonly min: number; readonly max: number };
  readonly cumulative: { readonly min: number; readonly max: number };
}

/**
 * How long a request survives continuous transient failure before it is dead-lettered: the delay
 * after each failed attempt but the last, at the lowest and highest jitter, and their running sums.
 */
export const retryHorizon = (policy: BackoffPolicy, maxAttempts: number): HorizonStep[] => {
  const steps: HorizonStep[] = [];
  let min = 0;
  let max = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) {
    const low = backoffSeconds(attempt, policy, 0, () => 0);
    const high = backoffSeconds(attempt, policy, 0, () => 1);
    min += low;
    max += high;
    steps.push({ attempt, delay: { min: low, max: high }, cumulative: { min, max } });
  }
  return steps;
};

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
