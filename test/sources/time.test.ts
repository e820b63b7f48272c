/**
 * Timestamps as the sources write them, normalised to one ISO form (UTC, milliseconds).
 */
import { describe, expect, it } from 'vitest';
import { epochMillisToIso, toIsoTimestamp } from '../../lib/sources/time.ts';

describe('toIsoTimestamp', () => {
  it.each([
    ['2024-05-01T10:00:00.734+0000', '2024-05-01T10:00:00.734Z'],
    ['2024-05-01T10:00:00.734+00:00', '2024-05-01T10:00:00.734Z'],
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01t10:00:00z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01 10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T09:59:30.512345678Z', '2024-05-01T09:59:30.512Z'],
    ['2024-05-01T18:00:10.315272+08:00', '2024-05-01T10:00:10.315Z'],
    ['2024-05-01T05:30:00-0430', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T18:00:00+08', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T00:30:00+01:00', '2024-04-30T23:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ])('%s -> %s', (input, iso) => {
    expect(toIsoTimestamp(input)).toBe(iso);
  });

  it.each([
    'yesterday',
    '2024-05-01',
    '2024-05-01T10:00:00',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-01T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:60:00Z',
    '2024-05-01T10:00:60Z',
    '2024-05-01T10:00:00+24:00',
    '2024-05-01T10:00:00+01:60',
    ' 2024-05-01T10:00:00Z',
    '2024-05-01T10:00:00Z ',
    '',
  ])('refuses %j', (input) => {
    expect(toIsoTimestamp(input)).toBeUndefined();
  });
});

describe('epochMillisToIso', () => {
  it.each<[number, string | undefined]>([
    [1_714_557_600_000, '2024-05-01T10:00:00.000Z'],
    [1_714_557_600_123.9, '2024-05-01T10:00:00.123Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [9e15, undefined],
  ])('%d -> %s', (millis, iso) => {
    expect(epochMillisToIso(millis)).toBe(iso);
  });
});
