/**
 * Timestamps as alarm sources write them (`+0000` offsets, nanoseconds, epoch milliseconds) turned
 * into one ISO 8601 form (`2024-05-01T10:00:00.734Z`), so the same instant always reads the same.
 * Owns: that normalisation and its zod schema. Must not touch: anything source-specific.
 */
import * as z from '../schema/zod.ts';

const RFC3339ISH =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,12}))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;

/** ISO 8601 proper: years 0000-9999 (toISOString writes others as `+275760-...` or `-000001-...`). */
const fourDigitYearIso = (date: Date): string | undefined => {
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
};

/**
 * `2024-05-01T10:00:00.734+0800` (or `+08:00`, `+08`) -> `2024-05-01T02:00:00.734Z`; fractions beyond
 * milliseconds are cut (`...00.123456789Z` -> `...00.123Z`); undefined when it is not a real timestamp.
 */
export const toIsoTimestamp = (value: string): string | undefined => {
  const m = RFC3339ISH.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8]!.toUpperCase();
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return fourDigitYearIso(date);
};

/** Epoch milliseconds -> ISO; undefined when out of range. */
export const epochMillisToIso = (millis: number): string | undefined =>
  Number.isFinite(millis) && millis >= 0 ? fourDigitYearIso(new Date(Math.trunc(millis))) : undefined;

/** A string field holding a timestamp; its output is the normalised ISO form. */
export const isoTimestamp = z.lazySchema(() =>
  z.pipe(
    z.string(),
    z.transform((value, ctx) => {
      const iso = toIsoTimestamp(value);
      if (iso === undefined) {
        z.addIssue(ctx, 'must be an ISO 8601 timestamp');
        return z.NEVER;
      }
      return iso;
    }),
  ),
);
