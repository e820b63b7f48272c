/**
 * Bearer tokens (Alertmanager, Grafana): accepted only when the header carries a configured token;
 * compared in constant time (sha256 of both sides, timingSafeEqual against every token).
 */
import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyBearer } from '../../lib/sources/bearer.ts';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const CURRENT = 'am-6b1f0c9e2d7a4853b6c1e0f9a8d7c6b5';
const PREVIOUS = 'am-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear();
});

describe('verifyBearer', () => {
  it.each<[string, string | undefined, readonly string[], boolean]>([
    ['the right token', `Bearer ${CURRENT}`, [CURRENT], true],
    ['a lower-case scheme', `bearer ${CURRENT}`, [CURRENT], true],
    ['an upper-case scheme', `BEARER ${CURRENT}`, [CURRENT], true],
    [
      'the previous token while both are configured (rotation)',
      `Bearer ${PREVIOUS}`,
      [CURRENT, PREVIOUS],
      true,
    ],
    ['the new token while both are configured (rotation)', `Bearer ${CURRENT}`, [PREVIOUS, CURRENT], true],
    ['the previous token once it has been removed', `Bearer ${PREVIOUS}`, [CURRENT], false],
    ['a wrong token', 'Bearer am-not-the-token', [CURRENT], false],
    ['a prefix of the token', `Bearer ${CURRENT.slice(0, -1)}`, [CURRENT], false],
    ['the token with something appended', `Bearer ${CURRENT}x`, [CURRENT], false],
    ['a missing header', undefined, [CURRENT], false],
    ['an empty header', '', [CURRENT], false],
    ['the scheme alone', 'Bearer', [CURRENT], false],
    ['the scheme and a space', 'Bearer ', [CURRENT], false],
    ['another scheme', `Basic ${Buffer.from(`user:${CURRENT}`).toString('base64')}`, [CURRENT], false],
    ['the token without a scheme', CURRENT, [CURRENT], false],
    ['two tokens', `Bearer ${CURRENT} ${CURRENT}`, [CURRENT], false],
    ['no configured tokens', `Bearer ${CURRENT}`, [], false],
    ['an empty configured token and an empty presented one', 'Bearer ', [''], false],
  ])('%s -> %s', (_case, header, tokens, expected) => {
    expect(verifyBearer(header, tokens)).toBe(expected);
  });

  it('compares sha256 digests with timingSafeEqual, against every configured token even after a match', () => {
    // Prepare
    const tokens = [CURRENT, PREVIOUS, 'am-third-token'];

    // Act
    const accepted = verifyBearer(`Bearer ${CURRENT}`, tokens);

    // Assess
    expect(accepted).toBe(true);
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(tokens.length);
    for (const [a, b] of calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toStrictEqual([32, 32]);
    }
  });

  it('compares fixed-length digests whatever the token lengths, so lengths cannot leak', () => {
    // Act
    verifyBearer('Bearer x', ['a-much-longer-configured-token-value-0123456789']);

    // Assess
    const [[a, b]] = vi.mocked(timingSafeEqual).mock.calls as [[Buffer, Buffer]];
    expect([a.length, b.length]).toStrictEqual([32, 32]);
  });

  it('never compares when the header is malformed', () => {
    // Act
    verifyBearer('Token abc', [CURRENT]);

    // Assess
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});
