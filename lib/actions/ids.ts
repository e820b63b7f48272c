/**
 * Field schemas shared by the action params and the request envelope.
 * Owns: what a well-formed region, project id and resource id look like.
 */
import * as z from '../schema/zod.ts';

/** Huawei resource ids are UUIDs (any version); case-insensitive. */
export const resourceId = z.lazySchema(() =>
  z.guid({ error: 'must be a UUID such as e59d6b86-9072-46eb-a996-13f8b44994c1' }).check(z.toLowerCase()),
);
export const projectId = z.lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^[0-9a-f]{32}$/i, { error: 'must be 32 hexadecimal characters (one project per region)' }),
      z.toLowerCase(),
    ),
);
export const region = z.lazySchema(() =>
  z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be a region id such as cn-north-4' })),
);
export const requestId = z.lazySchema(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9._:@-]+$/, { error: 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -' }),
    ),
);
