/**
 * zod as every schema of dr-relay is written: `zod/mini`, the functional build of zod 4 (the same
 * parser and issues as classic zod, without the ~50 methods classic zod attaches to each schema it
 * builds), with zod's English messages. A cold start pays for each schema it builds and for the zod
 * module itself: `zod/mini` costs a fraction of classic zod's time (docs/performance.md).
 * Import it as a namespace (`import * as z from '.../schema/zod.ts'`): esbuild then keeps only the
 * parts of zod a bundle uses (a namespace passed around as a value would keep all of zod, locales
 * included: 431 KiB instead of 12).
 * Owns: which zod build is used, its locale, and the few helpers every schema file shares.
 * Must not touch: any schema (each file owns its own).
 */
import { config, type core, type ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini reports bare "Invalid input" until a locale is set; the messages are a contract (the
// issues every 400 and dead letter names), so they are zod's English ones, as classic zod sets.
config(en());

export * from 'zod/mini';

/** Any zod schema (output and input types as given). */
export type Schema<O = unknown, I = unknown> = ZodMiniType<O, I>;

/** Adds a custom issue to a transform's payload (classic zod's `ctx.addIssue`), at `path` under the field. */
export const addIssue = (ctx: core.ParsePayload, message: string, path?: PropertyKey[]): void => {
  ctx.issues.push({ code: 'custom', message, input: ctx.value, ...(path === undefined ? {} : { path }) });
};
