/**
 * How dr-relay writes its schemas (lib/schema/zod.ts): zod/mini with zod's English messages, and
 * schemas built on their first use (`z.lazySchema`), so a cold start builds only what its first
 * event needs. The stand-in must behave as the schema in every way dr-relay uses one.
 */
import { describe, expect, it, vi } from 'vitest';
import * as z from '../../lib/schema/zod.ts';

describe('zod messages', () => {
  it("are zod's English ones, naming what was expected", () => {
    // Act
    const result = z.string().check(z.minLength(3)).safeParse('ab');

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Too small: expected string to have >=3 characters');
  });
});

describe('z.lazySchema', () => {
  it('builds nothing until first used, then builds once', () => {
    // Arrange
    const build = vi.fn(() => z.object({ id: z.string() }));
    const schema = z.lazySchema(build);
    expect(build).not.toHaveBeenCalled();

    // Act
    schema.parse({ id: 'a' });
    schema.safeParse({ id: 'b' });

    // Assess
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('is not built when another schema that holds it is built, only when that one parses', () => {
    // Arrange
    const build = vi.fn(() => z.string().check(z.minLength(1)));
    const inner = z.lazySchema(build);
    const outer = z.object({ name: inner, tags: z.optional(z.array(inner)) });
    expect(build).not.toHaveBeenCalled();

    // Act
    const result = outer.safeParse({ name: '', tags: ['x'] });

    // Assess
    expect(build).toHaveBeenCalledTimes(1);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([{ path: ['name'], code: 'too_small' }]);
  });

  it('parses, reports issues and transforms exactly as the schema it stands for', () => {
    // Arrange
    const make = () =>
      z.strictObject({
        count: z._default(z.coerce.number().check(z.int(), z.gte(1)), 3),
        label: z.pipe(
          z.string(),
          z.transform((s) => s.toUpperCase()),
        ),
      });
    const lazy = z.lazySchema(make);
    const eager = make();
    const inputs = [
      { label: 'a' },
      { count: '7', label: 'b' },
      { count: 0, label: 'c' },
      { label: 1, extra: true },
    ];

    // Act / Assess
    for (const input of inputs) expect(lazy.safeParse(input)).toEqual(eager.safeParse(input));
    expect(lazy.parse({ label: 'x' })).toEqual({ count: 3, label: 'X' });
  });

  it('serves as a discriminated union option and in z.extend', () => {
    // Arrange
    const a = z.lazySchema(() => z.object({ kind: z.literal('a'), n: z.number() }));
    const b = z.lazySchema(() => z.object({ kind: z.literal('b'), s: z.string() }));
    const either = z.discriminatedUnion('kind', [a, b]);
    const extended = z.extend(a, { extra: z.boolean() });

    // Act / Assess
    expect(either.parse({ kind: 'b', s: 'x' })).toEqual({ kind: 'b', s: 'x' });
    expect(either.safeParse({ kind: 'c' }).success).toBe(false);
    expect(extended.parse({ kind: 'a', n: 1, extra: true })).toEqual({ kind: 'a', n: 1, extra: true });
  });
});
