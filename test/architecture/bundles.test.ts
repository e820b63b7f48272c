/**
 * What each Lambda ships: bundled as serverless-esbuild would (node, cjs), every file of the
 * repository in a handler's bundle is under lib/ or is that handler: no tooling, CLI, test or
 * other handler is deployed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const HANDLERS = ['handlers/requests.ts', 'handlers/alarms.ts', 'handlers/webhook.ts'];

describe('handler bundles', () => {
  it('cover every handler', () => {
    // Act
    const found = readdirSync(`${ROOT}handlers`).filter((name) => name.endsWith('.ts'));

    // Assess
    expect(found.map((name) => `handlers/${name}`).sort()).toEqual([...HANDLERS].sort());
  });

  it.each(HANDLERS)('%s bundles only lib/ and itself', async (handler) => {
    // Act
    const { metafile } = await build({
      absWorkingDir: ROOT,
      entryPoints: [handler],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    // Assess
    const repoInputs = Object.keys(metafile.inputs).filter(
      (input) => !input.split('/').includes('node_modules'),
    );
    expect(repoInputs).toContain(handler);
    expect(repoInputs.filter((input) => input.startsWith('lib/')).length).toBeGreaterThan(0);
    expect(repoInputs.filter((input) => input !== handler && !input.startsWith('lib/'))).toEqual([]);
    // Routes ship compiled to JSON: no YAML parser, and no YAML routes reader, in any function.
    expect(Object.keys(metafile.inputs).filter((input) => /node_modules\/yaml\//.test(input))).toEqual([]);
    expect(repoInputs).not.toContain('lib/routing/yamlDoc.ts');
  });
});
