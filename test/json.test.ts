/**
 * isRecord: a JSON object, nothing else (the one definition every module uses).
 */
import { describe, expect, it } from 'vitest';
import { isRecord } from '../lib/json.ts';

describe('isRecord', () => {
  it.each<[string, unknown, boolean]>([
    ['an object', { a: 1 }, true],
    ['an empty object', {}, true],
    ['an object without a prototype', Object.create(null), true],
    ['an array', [1], false],
    ['null', null, false],
    ['a string', '{}', false],
    ['a number', 1, false],
    ['undefined', undefined, false],
  ])('%s -> %s', (_, value, expected) => {
    // Act
    const result = isRecord(value);

    // Assess
    expect(result).toBe(expected);
  });
});
