/**
 * The X-DR-Signature scheme: what is accepted (any matching v1 under any configured secret, within
 * ±300 s), what is refused and why, and that every (secret, v1) pair is compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_SIGNATURES, signatureHeader, verifySignature } from '../../lib/http/signature.ts';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const CURRENT = 'whsec-current-5f0c9e2d7a4853b6c1e0f9a8d7c6b5a4';
const PREVIOUS = 'whsec-previous-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
const OTHER = 'whsec-someone-else-1111111111111111111111111111';
const NOW = 1_795_000_000;
const BODY = '{"action":"dws.dr.failover","region":"cn-north-4"}';

const hexOf = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear();
});

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex hmac_sha256(secret, "<t>.<body>")>', () => {
    // Act
    const header = signatureHeader(CURRENT, BODY, NOW);

    // Assess
    expect(header).toBe(`t=${NOW},v1=${hexOf(CURRENT, NOW, BODY)}`);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signatureHeader(CURRENT, BODY, NOW + 0.5)).toThrow(RangeError);
    expect(() => signatureHeader(CURRENT, BODY, -1)).toThrow(RangeError);
  });
});

describe('verifySignature accepts', () => {
  it('its own header (round trip)', () => {
    expect(verifySignature(signatureHeader(CURRENT, BODY, NOW), BODY, [CURRENT], NOW)).toEqual({ ok: true });
  });

  it('the empty body (GET), signed as "<t>."', () => {
    const header = `t=${NOW},v1=${createHmac('sha256', CURRENT).update(`${NOW}.`).digest('hex')}`;

    expect(verifySignature(header, '', [CURRENT], NOW)).toEqual({ ok: true });
  });

  it('several v1 of which one matches (rotation on the sender side), whichever position', () => {
    const good = hexOf(CURRENT, NOW, BODY);
    const bad = hexOf(OTHER, NOW, BODY);

    expect(verifySignature(`t=${NOW},v1=${bad},v1=${good}`, BODY, [CURRENT], NOW).ok).toBe(true);
    expect(verifySignature(`t=${NOW},v1=${good},v1=${bad}`, BODY, [CURRENT], NOW).ok).toBe(true);
  });

  it.each([
    ['the old secret', PREVIOUS],
    ['the new secret', CURRENT],
  ])('%s while both are configured (rotation on our side)', (_case, signer) => {
    const header = signatureHeader(signer, BODY, NOW);

    expect(verifySignature(header, BODY, [CURRENT, PREVIOUS], NOW)).toEqual({ ok: true });
  });

  it('parts in any order, with whitespace around them, and an unknown scheme alongside', () => {
    const v1 = hexOf(CURRENT, NOW, BODY);

    expect(verifySignature(` v1 = ${v1} ,  t=${NOW} `, BODY, [CURRENT], NOW).ok).toBe(true);
    expect(verifySignature(`v0=whatever,t=${NOW},v1=${v1.toUpperCase()}`, BODY, [CURRENT], NOW).ok).toBe(
      true,
    );
  });

  it.each([
    ['300 s old', NOW - 300],
    ['300 s ahead', NOW + 300],
  ])('a timestamp exactly at the boundary (%s)', (_case, t) => {
    expect(verifySignature(signatureHeader(CURRENT, BODY, t), BODY, [CURRENT], NOW)).toEqual({ ok: true });
  });
});

describe('verifySignature refuses', () => {
  it.each([
    ['a stale timestamp (301 s old)', NOW - 301, 'stale'],
    ['a future timestamp (301 s ahead)', NOW + 301, 'future'],
  ])('%s', (_case, t, reason) => {
    expect(verifySignature(signatureHeader(CURRENT, BODY, t), BODY, [CURRENT], NOW)).toEqual({
      ok: false,
      reason,
    });
  });

  it('a timestamp outside a custom tolerance', () => {
    expect(verifySignature(signatureHeader(CURRENT, BODY, NOW - 61), BODY, [CURRENT], NOW, 60)).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it.each([
    ['an absent header', undefined],
    ['an empty header', ''],
    ['a blank header', '   '],
  ])('%s as missing', (_case, header) => {
    expect(verifySignature(header, BODY, [CURRENT], NOW)).toEqual({ ok: false, reason: 'missing' });
  });

  const v1 = hexOf(CURRENT, NOW, BODY);
  it.each([
    ['no t', `v1=${v1}`],
    ['no v1', `t=${NOW}`],
    ['a non-numeric t', `t=abc,v1=${v1}`],
    ['a negative t', `t=-${NOW},v1=${v1}`],
    ['a fractional t', `t=${NOW}.5,v1=${v1}`],
    ['two t', `t=${NOW},t=${NOW},v1=${v1}`],
    ['a short hex', `t=${NOW},v1=${v1.slice(0, 63)}`],
    ['a long hex', `t=${NOW},v1=${v1}0`],
    ['a v1 that is not hex', `t=${NOW},v1=${'z'.repeat(64)}`],
    ['an empty v1', `t=${NOW},v1=`],
    ['a part without =', `t=${NOW},v1=${v1},junk`],
    ['junk', 'junk'],
    ['a bare comma', ','],
    ['a trailing comma', `t=${NOW},v1=${v1},`],
    ['another separator', `t=${NOW};v1=${v1}`],
    [
      `more than ${MAX_SIGNATURES} v1`,
      `t=${NOW},${Array(MAX_SIGNATURES + 1)
        .fill(`v1=${v1}`)
        .join(',')}`,
    ],
  ])('a header with %s as malformed', (_case, header) => {
    expect(verifySignature(header, BODY, [CURRENT], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a body altered after signing as mismatch', () => {
    const header = signatureHeader(CURRENT, BODY, NOW);

    expect(verifySignature(header, BODY.replace('failover', 'recovery'), [CURRENT], NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('a header signed with a secret that is not configured (or was removed) as mismatch', () => {
    expect(verifySignature(signatureHeader(PREVIOUS, BODY, NOW), BODY, [CURRENT], NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('a signature replayed with another timestamp as mismatch (t is signed)', () => {
    const header = `t=${NOW + 10},v1=${hexOf(CURRENT, NOW, BODY)}`;

    expect(verifySignature(header, BODY, [CURRENT], NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([
    ['no secrets', []],
    ['only empty secrets', ['']],
  ])('anything when there are %s (no_secrets)', (_case, secrets) => {
    expect(verifySignature(signatureHeader(CURRENT, BODY, NOW), BODY, secrets, NOW)).toEqual({
      ok: false,
      reason: 'no_secrets',
    });
  });

  it('never puts a secret in its answer', () => {
    const verdict = verifySignature(signatureHeader(OTHER, BODY, NOW), BODY, [CURRENT, PREVIOUS], NOW);

    expect(JSON.stringify(verdict)).not.toContain(CURRENT);
    expect(JSON.stringify(verdict)).not.toContain(PREVIOUS);
  });
});

describe('constant-time comparison', () => {
  it('compares every (secret, v1) pair with timingSafeEqual on 32-byte buffers, even after a match', () => {
    // Prepare
    const secrets = [CURRENT, PREVIOUS, OTHER];
    const header = `t=${NOW},v1=${hexOf(CURRENT, NOW, BODY)},v1=${hexOf('unknown', NOW, BODY)}`;

    // Act
    const verdict = verifySignature(header, BODY, secrets, NOW);

    // Assess
    expect(verdict).toEqual({ ok: true });
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(secrets.length * 2);
    for (const [a, b] of calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it('does the same amount of comparing whether the first secret, the last or none matches', () => {
    const secrets = [CURRENT, PREVIOUS];
    const counts = [CURRENT, PREVIOUS, OTHER].map((signer) => {
      vi.mocked(timingSafeEqual).mockClear();
      verifySignature(signatureHeader(signer, BODY, NOW), BODY, secrets, NOW);
      return vi.mocked(timingSafeEqual).mock.calls.length;
    });

    expect(counts).toEqual([2, 2, 2]);
  });

  it('compares nothing for a header refused before any secret is used', () => {
    verifySignature(`t=${NOW - 1000},v1=${hexOf(CURRENT, NOW - 1000, BODY)}`, BODY, [CURRENT], NOW);
    verifySignature('junk', BODY, [CURRENT], NOW);

    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});

describe('robustness', () => {
  it('never throws, whatever the header, body and secrets', () => {
    const headerish = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .array(fc.oneof(fc.constantFrom('t', 'v1', 'v0', ' t ', 'V1', ''), fc.string({ maxLength: 4 })), {
          maxLength: 6,
        })
        .chain((names) =>
          fc
            .array(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/), fc.nat().map(String)), {
              minLength: names.length,
              maxLength: names.length,
            })
            .map((values) => names.map((n, i) => `${n}=${values[i]}`).join(',')),
        ),
    );
    fc.assert(
      fc.property(
        fc.option(headerish, { nil: undefined }),
        fc.string(),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (header, body, secrets, now) => {
          const verdict = verifySignature(header, body, secrets, now);
          expect(typeof verdict.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts exactly the signatures it produces (any body, any secret, any t within the window)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ unit: 'grapheme' }),
        fc.integer({ min: -300, max: 300 }),
        (secret, body, skew) => {
          expect(verifySignature(signatureHeader(secret, body, NOW + skew), body, [secret], NOW)).toEqual({
            ok: true,
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
