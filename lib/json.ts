/**
 * Reading parsed JSON (and other unknown values) without casts.
 * Owns: telling a JSON object from the other values. Must not touch: any schema.
 */

/** A JSON object: not null, not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
