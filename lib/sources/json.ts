/**
 * A zod schema for a string field that carries a JSON document (SNS `Message`, SMN `message`).
 * Owns: the "is not JSON" issue at that field's path. Must not touch: what the document holds.
 */
import * as z from 'zod';

/** `z.string()` holding JSON, then validated by `inner`; issues inside keep the field's path as prefix. */
export const jsonString = <T extends z.ZodType>(inner: T) =>
  z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON document' });
        return z.NEVER;
      }
    })
    .pipe(inner);
