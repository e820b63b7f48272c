/**
 * No schema is built while a handler's module loads: each is built on its first use (z.lazySchema,
 * lib/schema/zod.ts), so a cold start builds only what its first event needs (docs/performance.md).
 * A schema written at module scope without z.lazySchema fails this test with its file and line.
 * Counted in a fresh Node process: every zod schema registers the `$ZodType` trait when it is built.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const COUNT_SCHEMAS_BUILT = `
const add = Set.prototype.add;
const built = [];
Set.prototype.add = function (value) {
  if (value === '$ZodType') {
    const frame = new Error().stack.split('\\n').find((line) => line.includes('/lib/') || line.includes('/handlers/'));
    built.push((frame ?? '(outside dr-relay)').trim());
  }
  return add.call(this, value);
};
Error.stackTraceLimit = 60;
await import(process.argv[1]);
Set.prototype.add = add;
process.stdout.write(JSON.stringify(built));
`;

describe('loading a handler', () => {
  it.each(['alarms', 'webhook', 'requests'])(
    'handlers/%s.ts builds no zod schema',
    { timeout: 60_000 },
    (handler) => {
      // Act
      const child = spawnSync(
        process.execPath,
        [
          '--disable-warning=ExperimentalWarning',
          '--input-type=module',
          '-e',
          COUNT_SCHEMAS_BUILT,
          `${ROOT}handlers/${handler}.ts`,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );

      // Assess
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(JSON.parse(child.stdout)).toEqual([]);
    },
  );
});
