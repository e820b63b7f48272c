/**
 * The dependency rules of the repository, as a table that is also their specification, and
 * `violations(files)`: every place a file breaks one, as `path:line what [rule]`.
 * Owns: the rules. Must not touch: the file system (test/architecture/dependencies.test.ts reads the
 * tree; test/architecture/violations.test.ts plants breaches in memory).
 */
import {
  type Call,
  callsOf,
  type Import,
  type MethodOf,
  type Scanned,
  type SourceFile,
  scan,
} from './sourceScan.ts';

/** Which files a rule covers, by path. */
interface Files {
  readonly describe: string;
  covers(path: string): boolean;
}

/** What a covered file must not do: each breach found, by line, in words. */
interface Forbidden {
  readonly describe: string;
  find(file: Scanned): readonly { readonly line: number; readonly what: string }[];
}

export interface Rule {
  readonly name: string;
  readonly files: Files;
  readonly forbidden: readonly Forbidden[];
}

const isUnder = (path: string, prefixes: readonly string[]) =>
  prefixes.some((prefix) => (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix));

// Files (and repository targets): a folder ends with '/', anything else is one file.

/** Files (or import targets) under any of these folders, or equal to any of these files. */
const under = (...prefixes: string[]): Files & { matches(target: string): boolean } => ({
  describe: prefixes.join(', '),
  covers: (path) => isUnder(path, prefixes),
  matches: (target) => isUnder(target, prefixes),
});

/** Files (or import targets) not under any of these folders. */
const outside = (...prefixes: string[]): Files & { matches(target: string): boolean } => ({
  describe: `anything outside ${prefixes.join(', ')}`,
  covers: (path) => !isUnder(path, prefixes),
  matches: (target) => !isUnder(target, prefixes),
});

/** `files`, less these exceptions. */
const except = (files: Files, ...exceptions: string[]): Files => ({
  describe: `${files.describe} except ${exceptions.join(', ')}`,
  covers: (path) => files.covers(path) && !exceptions.includes(path),
});

const importsOf = (describe: string, matches: (target: Import['target']) => boolean): Forbidden => ({
  describe,
  find: (file) =>
    file.imports
      .filter(({ target }) => matches(target))
      .map(({ line, target }) => ({
        line,
        what: `imports ${'file' in target ? target.file : target.package}`,
      })),
});

/** Importing a repository file matched by `where` (a folder or file list, or `outside(…)`). */
const importing = (where: { describe: string; matches(target: string): boolean }): Forbidden =>
  importsOf(where.describe, (target) => 'file' in target && where.matches(target.file));

/** Importing a package (or one of its subpaths). */
const importingPackage = (name: string): Forbidden =>
  importsOf(
    name,
    (target) => 'package' in target && (target.package === name || target.package.startsWith(`${name}/`)),
  );

const callDescription = (of: MethodOf) => `calls ${of.className}.${of.method}`;

/** Calling `of` (see callsOf for what is recognised); `allow` lets some calls through. */
const calling = (
  of: MethodOf,
  allow?: { readonly describe: string; test(call: Call): boolean },
): Forbidden => ({
  describe: `${callDescription(of)}${allow ? ` other than ${allow.describe}` : ''}`,
  find: (file) =>
    callsOf(file, of)
      .filter((call) => !allow?.test(call))
      .map(({ line }) => ({ line, what: `${callDescription(of)}${allow ? ` not ${allow.describe}` : ''}` })),
});

/** The one call that reaches Huawei Cloud. */
export const HUAWEI_SEND: MethodOf = {
  module: 'lib/huawei/client.ts',
  className: 'HuaweiClient',
  method: 'send',
};

/** A request written as a literal with `method: 'GET'` (and no other method). */
const readOnlyGet = {
  describe: "as a literal `method: 'GET'`",
  test: ({ args }: Call) => {
    const methods = [...args.matchAll(/\bmethod\s*:\s*(['"`]?)(\w*)\1/g)].map((match) => match[2]);
    return methods.length === 1 && methods[0] === 'GET';
  },
};

const QUEUES = [importing(under('lib/intake/', 'lib/deadLetters/')), importingPackage('@aws-sdk/client-sqs')];

export const RULES: readonly Rule[] = [
  {
    name: 'lib/ is deployable on its own',
    files: under('lib/'),
    forbidden: [importing(outside('lib/'))],
  },
  {
    name: 'the action catalogue only describes actions',
    files: under('lib/actions/'),
    forbidden: [
      importing(under('lib/huawei/client.ts')),
      importing(under('lib/store/')),
      ...QUEUES,
      importing(under('lib/http/')),
    ],
  },
  {
    name: 'alarm source parsers only parse',
    files: under('lib/sources/'),
    forbidden: [
      importing(under('lib/execution/')),
      ...QUEUES,
      importing(under('lib/store/')),
      importing(under('lib/routing/')),
    ],
  },
  {
    // Tests are not covered: the client's own tests call it. The executor is the one production caller.
    name: 'only the executor calls Huawei Cloud',
    files: except(outside('test/'), 'lib/execution/executor.ts', 'cli/doctor.ts'),
    forbidden: [calling(HUAWEI_SEND)],
  },
  {
    // `dr-relay doctor` (not written yet) may check connectivity and credentials with GETs, nothing else.
    name: 'the doctor only reads from Huawei Cloud',
    files: under('cli/doctor.ts'),
    forbidden: [calling(HUAWEI_SEND, readOnlyGet)],
  },
  {
    name: 'the simulator verifies signatures independently',
    files: under('tools/simulator/'),
    forbidden: [importing(under('lib/huawei/signer.ts'))],
  },
  {
    name: 'the CLI does not depend on the tooling',
    files: under('cli/', 'bin/'),
    forbidden: [importing(under('tools/'))],
  },
  {
    name: 'only tests import tests',
    files: outside('test/'),
    forbidden: [importing(under('test/'))],
  },
];

/** Every breach of `rules` in `files`, as `path:line what [rule]`, in file then line order. */
export const violations = (files: readonly SourceFile[], rules: readonly Rule[] = RULES): string[] => {
  const known = new Set(files.map(({ path }) => path));
  const found: { path: string; line: number; message: string }[] = [];
  for (const file of files) {
    const applicable = rules.filter((rule) => rule.files.covers(file.path));
    if (applicable.length === 0) continue;
    const scanned = scan(file, known);
    for (const rule of applicable) {
      for (const forbidden of rule.forbidden) {
        for (const { line, what } of forbidden.find(scanned)) {
          found.push({ path: file.path, line, message: `${file.path}:${line} ${what} [${rule.name}]` });
        }
      }
    }
  }
  return found
    .sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.message.localeCompare(b.message))
    .map(({ message }) => message);
};
