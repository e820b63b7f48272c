/**
 * Every error class of lib/ names itself (`this.name = '<Class>'`). The bundles are built without
 * esbuild's keepNames (serverless.yml: it costs 7 % of a cold import), so a class's own name is
 * minified away; logs, problem answers and refusals read `error.name`, which must stay readable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = fileURLToPath(new URL('../../lib/', import.meta.url));

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

/** Each `class X extends …Error` of lib/, with its body (up to the closing brace at column 0). */
const errorClasses = (): { file: string; name: string; body: string }[] =>
  sources(LIB).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^export class (\w+) extends \w*Error \{\n([\s\S]*?)^\}/gm)].map((m) => ({
      file: file.slice(LIB.length),
      name: m[1] as string,
      body: m[2] as string,
    }));
  });

describe('error classes', () => {
  it('are found (the scan itself works)', () => {
    expect(errorClasses().map((c) => c.name)).toEqual(
      expect.arrayContaining(['DrRelayError', 'ValidationError', 'HuaweiApiError', 'RequestConflictError']),
    );
  });

  it.each(errorClasses().map((c) => [c.name, c]))('%s sets its own name', (_, { name, body }) => {
    expect(body).toContain(`this.name = '${name}'`);
  });
});
