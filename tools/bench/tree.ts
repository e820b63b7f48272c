/**
 * `npm run bench -- --against=<git ref>`: another commit's tree, to measure its bundles side by side
 * with the working tree's in the same run (before / after of a change). The tree is read with
 * `git archive` (nothing in the repository or its working tree changes) into a temporary folder whose
 * node_modules is a link to the repository's, so both trees bundle the very same packages.
 * Owns: extracting and removing that tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Tree {
  /** What was asked for, and the commit it named (short). */
  readonly ref: string;
  readonly commit: string;
  /** The folder holding the tree (with a trailing slash, like the repository root). */
  readonly root: string;
  remove(): void;
}

export const extractTree = (ref: string): Tree => {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), `dr-relay-bench-${commit}-`));
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit], {
      cwd: ROOT,
      maxBuffer: 512 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { ref, commit, root: `${dir}/`, remove: () => rmSync(dir, { recursive: true, force: true }) };
};
