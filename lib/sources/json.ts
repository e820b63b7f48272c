/**
 * A zod schema for a string field that carries a JSON document (SNS `Message`, SMN `message`).
 * Owns: the "is not JSON" issue at that field's path. Must not touch: what the document holds.
 */
import * as z from '../schema/zod.ts';

/** `z.string()` holding JSON, then validated by `inner`; issues inside keep the field's path as prefix. */
export const jsonString = <T extends z.Schema>(inner: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx): unknown => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          z.addIssue(ctx, 'must be a JSON document');
          return z.NEVER;
        }
      }),
    ),
    inner,
  );
