/**
 * The bench's statistics (tools/bench/stats.ts): the paired ratio that judges the cold-import
 * target, against the ratio of medians it replaced.
 */
import { describe, expect, it } from 'vitest';
import { median, pairedRatio, ratio } from '../../../tools/bench/stats.ts';

describe('pairedRatio', () => {
  it('is the median of the per-round ratios', () => {
    expect(pairedRatio([150, 120, 90], [100, 100, 60])).toBe(1.5);
  });

  it('is not moved by a slow stretch that slows both samples of its rounds alike', () => {
    // Arrange: the true ratio is 1.4. Rounds 1-4 ran while the machine was 1.5x slower, except for
    // the bundle's sample of round 4, taken just after the slow stretch ended.
    const bare = [105, 105, 105, 105, 70, 70, 70];
    const bundle = [147, 147, 147, 98, 98, 98, 98];

    // Act
    const paired = pairedRatio(bundle, bare);
    const ofMedians = ratio(median(bundle), median(bare));

    // Assess
    expect(paired).toBe(1.4);
    expect(ofMedians).toBe(0.93);
  });

  it('pairs only the rounds both sides have, and is NaN with none', () => {
    expect(pairedRatio([200, 300, 999], [100, 100])).toBe(2.5);
    expect(pairedRatio([], [])).toBeNaN();
  });
});
