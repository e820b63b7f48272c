/**
 * Globs: `*` any run, `?` exactly one character, anchored, everything else literal.
 */
import { describe, expect, it } from 'vitest';
import { globMatches, isGlob } from '../../lib/routing/glob.ts';

describe('globMatches', () => {
  const table: [glob: string, text: string, expected: boolean][] = [
    ['DWSPrimaryDown*', 'DWSPrimaryDown', true],
    ['DWSPrimaryDown*', 'DWSPrimaryDown-az1', true],
    ['DWSPrimaryDown*', 'xDWSPrimaryDown', false], // anchored at the start
    ['DWSPrimaryDown', 'DWSPrimaryDown-az1', false], // anchored at the end
    ['*Down', 'DWSPrimaryDown', true],
    ['*Down', 'DWSPrimaryDownx', false],
    ['DWS?rimary', 'DWSPrimary', true],
    ['DWS?rimary', 'DWSrimary', false], // ? is exactly one
    ['DWS?rimary', 'DWSxxrimary', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['*', '', true],
    ['?', '', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false], // . is literal
    ['cpu[0]+(x)|$^', 'cpu[0]+(x)|$^', true], // regex metacharacters are literal
    ['cpu[0]', 'cpu0', false],
    ['a\\*', 'a\\xyz', true], // backslash is literal too (no escapes)
    ['??', '日本', true], // by code point
    ['?', '😀', true],
    ['prod-*-db', 'prod--db', true],
    ['**a', 'bba', true],
  ];

  for (const [glob, text, expected] of table) {
    it(`${JSON.stringify(glob)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
      // Act
      const result = globMatches(glob, text);

      // Assess
      expect(result).toBe(expected);
    });
  }

  it('stays fast on a pathological glob (no backtracking blow-up)', () => {
    // Prepare
    const glob = `${'a*'.repeat(100)}b`;
    const text = 'a'.repeat(5000);

    // Act
    const started = performance.now();
    const result = globMatches(glob, text);
    const elapsed = performance.now() - started;

    // Assess
    expect(result).toBe(false);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('isGlob', () => {
  it('tells a glob from a plain value', () => {
    // Assess
    expect([isGlob('prod'), isGlob('prod*'), isGlob('pro?')]).toEqual([false, true, true]);
  });
});
