import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/env.ts';
import { type BackoffPolicy, backoffSeconds, retryHorizon } from '../../lib/execution/backoff.ts';

const policy: BackoffPolicy = { baseSeconds: 2, maxSeconds: 900 };
const lowest = () => 0;
const highest = () => 1;

describe('backoffSeconds', () => {
  it.each<[number, number, number]>([
    // attempt, with random 0 (factor 0.5), with random 1 (factor 1): base * 2^(attempt-1)
    [1, 1, 2],
    [2, 2, 4],
    [3, 4, 8],
    [4, 8, 16],
    [5, 16, 32],
    [6, 32, 64],
    [8, 128, 256],
    [9, 256, 512],
  ])('waits between half and all of base*2^(n-1) on attempt %i: %i..%i s', (attempt, low, high) => {
    // Act
    const atLowest = backoffSeconds(attempt, policy, 0, lowest);
    const atHighest = backoffSeconds(attempt, policy, 0, highest);
    // Assess
    expect(atLowest).toBe(low);
    expect(atHighest).toBe(high);
  });

  it.each<[number, number, number]>([
    // random, exact seconds, rounded
    [0.25, 2.5, 3],
    [0.2, 2.4, 2],
    [0.5, 3, 3],
  ])(
    'scales by 0.5 + random/2 and rounds to whole seconds (random %d -> %d s -> %i)',
    (random, _exact, expected) => {
      // Prepare: attempt 2 with base 2 is 4 s before jitter
      // Act / Assess
      expect(backoffSeconds(2, policy, 0, () => random)).toBe(expected);
    },
  );

  it('rounds a fractional base to whole seconds', () => {
    expect(backoffSeconds(1, { baseSeconds: 1.5, maxSeconds: 900 }, 0, highest)).toBe(2);
    expect(backoffSeconds(1, { baseSeconds: 1.5, maxSeconds: 900 }, 0, lowest)).toBe(1);
  });

  it.each([0, -1, -10])('treats attempt %i like attempt 1', (attempt) => {
    expect(backoffSeconds(attempt, policy, 0, highest)).toBe(2);
  });

  it.each([11, 12, 20, 100, 1000, 5000])('caps attempt %i at maxSeconds', (attempt) => {
    // Act / Assess: even at the lowest jitter the exponential has passed the cap
    expect(backoffSeconds(attempt, policy, 0, highest)).toBe(900);
    expect(backoffSeconds(attempt, policy, 0, lowest)).toBe(900);
  });

  it('reaches the cap exactly where base*2^(n-1) passes it', () => {
    // Prepare: 2 * 2^8 = 512 <= 900 < 1024 = 2 * 2^9
    // Act / Assess
    expect(backoffSeconds(9, policy, 0, highest)).toBe(512);
    expect(backoffSeconds(10, policy, 0, highest)).toBe(900);
    expect(backoffSeconds(10, policy, 0, lowest)).toBe(512);
    expect(backoffSeconds(11, policy, 0, lowest)).toBe(900);
  });

  it('uses Math.random when no random source is given', () => {
    // Act
    const delays = Array.from({ length: 50 }, () => backoffSeconds(5, policy));
    // Assess: attempt 5 is 32 s, so 16..32 s
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(16);
      expect(delay).toBeLessThanOrEqual(32);
    }
  });

  describe('Retry-After', () => {
    it.each<[number, number]>([
      [30_000, 30],
      [30_001, 31],
      [29_999, 30],
      [1, 1],
      [2_500, 3],
    ])('is a floor: %i ms -> at least %i s (rounded up)', (retryAfterMs, expected) => {
      // Act: attempt 1 would otherwise wait 1 s
      const delay = backoffSeconds(1, policy, retryAfterMs, lowest);
      // Assess
      expect(delay).toBe(expected);
    });

    it('does not shorten a longer backoff', () => {
      // Prepare: attempt 6 at full jitter is 64 s
      // Act / Assess
      expect(backoffSeconds(6, policy, 5_000, highest)).toBe(64);
    });

    it('is still capped at maxSeconds', () => {
      expect(backoffSeconds(1, policy, 3_600_000, lowest)).toBe(900);
      expect(backoffSeconds(1, policy, Number.POSITIVE_INFINITY, lowest)).toBe(900);
    });

    it.each([0, -5_000])('is ignored when %i ms', (retryAfterMs) => {
      expect(backoffSeconds(3, policy, retryAfterMs, lowest)).toBe(4);
    });
  });

  it.each<[BackoffPolicy]>([
    [{ baseSeconds: 2, maxSeconds: 900 }],
    [{ baseSeconds: 1, maxSeconds: 60 }],
    [{ baseSeconds: 5, maxSeconds: 43_200 }],
    [{ baseSeconds: 0, maxSeconds: 900 }],
  ])('never lowers its upper bound from one attempt to the next (%j)', (p) => {
    // Act
    const bounds = Array.from({ length: 40 }, (_, i) => backoffSeconds(i + 1, p, 0, highest));
    // Assess
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]!).toBeGreaterThanOrEqual(bounds[i - 1]!);
    expect(bounds.at(-1)).toBe(p.baseSeconds === 0 ? 0 : p.maxSeconds);
  });

  it('waits 0 s with a zero base and no Retry-After', () => {
    expect(backoffSeconds(4, { baseSeconds: 0, maxSeconds: 900 }, 0, highest)).toBe(0);
  });

  it('is always a whole number of seconds in [0, maxSeconds]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 200 }),
        fc.record({
          baseSeconds: fc.integer({ min: 0, max: 3_600 }),
          maxSeconds: fc.integer({ min: 0, max: 43_200 }),
        }),
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: -1_000, max: 50_000_000 }),
          fc.double({ min: 0, max: 1e9, noNaN: true }),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, p, retryAfterMs, random) => {
          // Act
          const delay = backoffSeconds(attempt, p, retryAfterMs, () => random);
          // Assess
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(p.maxSeconds);
        },
      ),
      { numRuns: 2000, seed: 20240501 },
    );
  });

  it('honours Retry-After as a floor whenever the cap allows it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, retryAfterMs, random) => {
          // Act
          const delay = backoffSeconds(attempt, policy, retryAfterMs, () => random);
          // Assess
          expect(delay).toBeGreaterThanOrEqual(Math.min(policy.maxSeconds, retryAfterMs / 1000));
        },
      ),
      { numRuns: 2000, seed: 20240501 },
    );
  });
});

describe('the default retry horizon (incident-sized)', () => {
  it('keeps a request alive through at least 30 minutes of continuous transient failure', () => {
    // Prepare: the defaults the functions read when nothing is configured
    const config = loadConfig({
      REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/d',
      STATE_TABLE: 'dr-relay-state',
      HUAWEI_CREDENTIALS_SECRET_ID: 'dr-relay/test/huawei',
    });
    // Act
    const steps = retryHorizon(
      { baseSeconds: config.DR_BACKOFF_BASE_SECONDS, maxSeconds: config.DR_BACKOFF_MAX_SECONDS },
      config.DR_MAX_ATTEMPTS,
    );
    // Assess: even at the lowest jitter every time
    expect(steps.at(-1)!.cumulative.min).toBeGreaterThanOrEqual(30 * 60);
    expect(steps.at(-1)!.cumulative.max).toBeLessThan(40 * 60);
    expect(steps).toHaveLength(config.DR_MAX_ATTEMPTS - 1);
  });

  it('sums the delays at the lowest and highest jitter, attempt by attempt', () => {
    expect(retryHorizon({ baseSeconds: 2, maxSeconds: 5 }, 4)).toEqual([
      { attempt: 1, delay: { min: 1, max: 2 }, cumulative: { min: 1, max: 2 } },
      { attempt: 2, delay: { min: 2, max: 4 }, cumulative: { min: 3, max: 6 } },
      { attempt: 3, delay: { min: 4, max: 5 }, cumulative: { min: 7, max: 11 } },
    ]);
  });

  it("stays under the queue maxReceiveCount, so SQS's own redrive is only a backstop", () => {
    const yml = readFileSync('serverless.yml', 'utf8');
    const attempts = Number(/maxAttempts: '(\d+)'/.exec(yml)?.[1]);
    const receives = Number(/maxReceiveCount: (\d+)/.exec(yml)?.[1]);
    expect(attempts).toBe(13);
    expect(receives).toBeGreaterThan(attempts);
  });
});
