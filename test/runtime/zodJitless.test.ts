/**
 * The alarms and webhook functions build their zod schemas without the JIT (lib/runtime/zodJitless.ts):
 * zod reads the setting when a schema is built, so the setting must run before any of dr-relay's
 * modules in the bundle, and the requests function keeps the JIT.
 */

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The repository's modules in a handler's bundle, in the order they run (esbuild's module comments). */
const modulesInOrder = async (handler: string): Promise<string[]> => {
  const { outputFiles } = await build({
    absWorkingDir: ROOT,
    entryPoints: [handler],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const text = outputFiles[0]?.text ?? '';
  return [...text.matchAll(/^\/\/ (lib\/\S+\.ts)$/gm)].map((match) => match[1] as string);
};

describe('zod without its JIT', () => {
  it.each(['handlers/alarms.ts', 'handlers/webhook.ts'])(
    '%s sets it before any other module of dr-relay runs (after the zod module it sets)',
    { timeout: 30_000 },
    async (handler) => {
      // Act
      const modules = await modulesInOrder(handler);

      // Assess
      expect(modules.slice(0, 2)).toEqual(['lib/schema/zod.ts', 'lib/runtime/zodJitless.ts']);
    },
  );

  it('the requests function keeps the JIT', { timeout: 30_000 }, async () => {
    // Act
    const modules = await modulesInOrder('handlers/requests.ts');

    // Assess
    expect(modules.length).toBeGreaterThan(0);
    expect(modules).not.toContain('lib/runtime/zodJitless.ts');
  });
});
