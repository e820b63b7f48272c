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

/**
 * A schema built on its first use, not when its module loads: a cold start then builds only the
 * schemas its first event needs (one action's params, not the whole catalogue's). The value stands
 * in for the schema everywhere: parsing, types (`z.infer<typeof X>`), and inside other schemas,
 * which read their parts only when they parse. Building costs the same later; what a cold start
 * never uses, it never builds (docs/performance.md measures it).
 */
export const lazySchema = <S extends object>(build: () => S): S => {
  let built: S | undefined;
  const schema = (): S => {
    built ??= build();
    return built;
  };
  return new Proxy({} as S, {
    get: (_, key) => Reflect.get(schema(), key),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    // The stand-in target has none of the schema's properties: each must be reported configurable.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
  });
};
