/**
 * Hostile inputs for the security battery: strings (NUL, lone surrogates, RTL overrides, homoglyphs,
 * full-width digits, emoji), numbers (1e400, -0, NaN), objects with `__proto__` / `constructor` /
 * `prototype` keys at any level, duplicate JSON keys, very deep JSON text, and mutations of the
 * valid samples. Owns: generators and the JSON text writer they need. Must not touch: lib/.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

export type Json = unknown;
export type Path = readonly (string | number)[];

export const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const MORE_KEYS = ['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

/** Strings an attacker would try, each for a reason named beside it. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  'x\ud83d', // emoji cut in half
  '\u202e', // RIGHT-TO-LEFT OVERRIDE
  'abc\u202edef',
  '\u200b', // zero-width space
  '\ufeff', // BOM
  '\u00a0', // no-break space
  'dws.dr.f\u0430ilover', // Cyrillic а
  'dws.dr.failοver', // Greek ο
  'dws\uff0edr\uff0efailover', // full-width full stops
  'DWS.DR.FAILOVER',
  'dws.dr.failover ',
  '\uff11\uff12\uff13', // full-width digits
  'cn-north-\uff14',
  '\u0661\u0662', // Arabic-Indic digits
  '😀',
  'req-😀',
  '👨‍👩‍👧',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '0x1F',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '{"__proto__":{"polluted":true}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '$' + '{jndi:ldap://x}', // a log4shell-style lookup, as plain text
  '\r\nX-Injected: 1',
  'a'.repeat(129),
  'a'.repeat(256),
  'x'.repeat(4097),
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
);

/** Numbers JSON text cannot carry but a parsed value (or a Lambda event) can. */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e21,
  -1,
  0.5,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  1_714_557_600_000,
  8.64e15 + 1,
];

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.double(),
  fc.integer(),
);

/** JSON text fragments for numbers: what JSON.parse turns into Infinity, -0, a lossy integer... */
export const NUMBER_TEXTS: readonly string[] = [
  '1e400',
  '-1e400',
  '-0',
  '0.0',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '1E2',
  '0e0',
  '"NaN"',
  '"Infinity"',
  '"-0"',
  '"1e400"',
];

const defineOwn = (target: object, key: string | number, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

/** An object whose own keys may be `__proto__` & co. (own data, as JSON.parse makes them). */
export const objectWithKeys = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>, maxKeys = 6) =>
  fc.array(fc.tuple(keys, values), { maxLength: maxKeys }).map((entries) => {
    const object: Record<string, unknown> = {};
    for (const [key, value] of entries) defineOwn(object, key, value);
    return object;
  });

/** Names that matter to some parser, so generated objects reach past the first check. */
export const FIELD_NAMES: readonly string[] = [
  'action',
  'region',
  'project_id',
  'request_id',
  'params',
  'disaster_recovery_id',
  'Records',
  'Sns',
  'Message',
  'EventSource',
  'detail',
  'detail-type',
  'source',
  'alarmData',
  'alerts',
  'labels',
  'alertname',
  'status',
  'version',
  'type',
  'message',
  'signature',
  'signing_cert_url',
  'subscribe_url',
  'alarm_status',
  'alarm_name',
  'routes',
  'match',
  'name',
];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DANGEROUS_KEYS, ...MORE_KEYS) },
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 2, arbitrary: hostileString },
);

const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, undefined) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Arbitrary values with hostile leaves and keys, up to a few levels deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leafValue },
    { weight: 2, arbitrary: objectWithKeys(hostileKey, tie('value')) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
  ),
})).value;

/** Only what JSON can carry (for inputs that always arrive as JSON text). */
export const toJsonSafe = (value: unknown): unknown => {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
};

// --- JSON text with extra members --------------------------------------------------------------------

export interface ExtraMember {
  /** The object to add the member to (its path in the value). */
  readonly at: Path;
  readonly key: string;
  /** Raw JSON text of the member's value. */
  readonly valueText: string;
  /** Before the object's own members (a duplicate that the original then overrides) or after. */
  readonly first?: boolean;
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * JSON text of `value` with `extras` written as additional members: the way to send a duplicate key
 * or a `__proto__` member, which no object can hold twice.
 */
export const jsonWithMembers = (value: unknown, extras: readonly ExtraMember[]): string => {
  const write = (node: unknown, path: Path): string => {
    if (Array.isArray(node)) return `[${node.map((v, i) => write(v, [...path, i])).join(',')}]`;
    if (node !== null && typeof node === 'object') {
      const own = Object.keys(node).map(
        (k) => `${JSON.stringify(k)}:${write((node as Record<string, unknown>)[k], [...path, k])}`,
      );
      const here = extras.filter((e) => samePath(e.at, path));
      const before = here.filter((e) => e.first).map((e) => `${JSON.stringify(e.key)}:${e.valueText}`);
      const after = here.filter((e) => !e.first).map((e) => `${JSON.stringify(e.key)}:${e.valueText}`);
      return `{${[...before, ...own, ...after].join(',')}}`;
    }
    return JSON.stringify(node) ?? 'null';
  };
  return write(value, []);
};

// --- paths and mutations of samples ---------------------------------------------------------------

const isContainer = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Every node's path, the root first. */
export const pathsOf = (value: unknown, prefix: Path = [], out: Path[] = []): Path[] => {
  out.push(prefix);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  else if (isContainer(value)) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
};

/** Paths of the objects (not arrays) in `value`, the root included. */
export const objectPathsOf = (value: unknown): Path[] =>
  pathsOf(value).filter((p) => {
    const node = at(value, p);
    return isContainer(node) && !Array.isArray(node);
  });

export const at = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (isContainer(node) ? node[key as string] : undefined), root);

/** A deep copy of `root` with the node at `path` replaced (or deleted when `value` is DELETE). */
export const DELETE = Symbol('delete');
export const setAt = (root: unknown, path: Path, value: unknown): unknown => {
  if (path.length === 0) return value;
  const copy = structuredClone(root);
  const parent = at(copy, path.slice(0, -1)) as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) {
    if (Array.isArray(parent)) {
      // No splice: it reads `constructor`, which an earlier mutation may have made an own key.
      for (let i = last as number; i < parent.length - 1; i++) parent[i] = parent[i + 1];
      parent.length -= 1;
    } else delete parent[last];
  } else defineOwn(parent, last, value);
  return copy;
};

interface Mutation {
  readonly kind: 'replace' | 'delete' | 'addKey';
  readonly at: number;
  readonly key: string;
  readonly value: unknown;
}

/** Applies `m` to `root` in place (a fresh copy made by the caller); returns the new root. */
const mutateInPlace = (root: unknown, m: Mutation): unknown => {
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length]!;
  if (m.kind !== 'addKey' && path.length === 0) return m.kind === 'replace' ? m.value : root;
  const node = at(root, path);
  if (m.kind === 'addKey') {
    // Objects only: JSON never gives an array an own key, and a test should not invent one.
    if (isContainer(node) && !Array.isArray(node)) defineOwn(node, m.key, m.value);
    return root;
  }
  const parent = at(root, path.slice(0, -1)) as Record<string, unknown>;
  const last = path.at(-1)!;
  if (m.kind === 'replace') defineOwn(parent, last, m.value);
  else if (Array.isArray(parent)) {
    // No splice: it reads `constructor`, which an earlier mutation may have made an own key.
    for (let i = last as number; i < parent.length - 1; i++) parent[i] = parent[i + 1];
    parent.length -= 1;
  } else delete parent[last];
  return root;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'addKey'),
  at: fc.nat(),
  key: hostileKey,
  value: hostileValue,
});

/** A sample changed in one to four places (replaced, deleted, or given a hostile key). */
export const mutatedSample = (samples: readonly unknown[]) =>
  fc
    .tuple(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([sample, ms]) => ms.reduce(mutateInPlace, structuredClone(sample)));

// --- text -----------------------------------------------------------------------------------------

export type DeepShape = 'array' | 'object';

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` times, as text (never built as a value). */
export const deepText = (depth: number, shape: DeepShape, leaf = '1'): string =>
  shape === 'array'
    ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

/**
 * Deep JSON text: mostly up to 2,000 levels, one in fifty 10,000 to 100,000 (parsing those costs
 * milliseconds; the suite has fixed rows at 10,000, 100,000 and more).
 */
export const deepJsonText = fc
  .tuple(
    fc.oneof(
      { weight: 49, arbitrary: fc.integer({ min: 100, max: 2_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 100_000 }) },
    ),
    fc.constantFrom<DeepShape>('array', 'object'),
  )
  .map(([depth, shape]) => deepText(depth, shape));

/** Text edits of a valid document: truncation, a character inserted or replaced. */
export const editedText = (texts: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...texts),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom('cut', 'insert', 'replace'),
          fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '\ud800', '1e400', '-0', ' '),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([text, edits]) =>
      edits.reduce((t, [pos, kind, piece]) => {
        const i = pos % (t.length + 1);
        if (kind === 'cut') return t.slice(0, i);
        if (kind === 'insert') return t.slice(0, i) + piece + t.slice(i);
        return t.slice(0, i) + piece + t.slice(i + 1);
      }, text),
    );

/** A sample as text with a duplicate or dangerous member added to one of its objects. */
export const textWithExtraMember = (samples: readonly unknown[]) =>
  fc.constantFrom(...samples).chain((sample) =>
    fc
      .record({
        at: fc.constantFrom(...objectPathsOf(sample)),
        key: fc.oneof(hostileKey, fc.constantFrom(...FIELD_NAMES)),
        valueText: fc.oneof(
          fc.constantFrom(...NUMBER_TEXTS, '{"polluted":true}', '{"prototype":{"polluted":true}}', 'null'),
          hostileValue.map((v) => JSON.stringify(toJsonSafe(v))),
        ),
        first: fc.boolean(),
      })
      .map((extra) => jsonWithMembers(sample, [extra])),
  );

/** Body text of any kind, built around `samples` (valid documents of the input under test). */
export const hostileJsonText = (samples: readonly unknown[]): fc.Arbitrary<string> => {
  const texts = samples.map((s) => JSON.stringify(s));
  return fc.oneof(
    { weight: 3, arbitrary: mutatedSample(samples).map((v) => JSON.stringify(toJsonSafe(v))) },
    { weight: 3, arbitrary: textWithExtraMember(samples) },
    { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(toJsonSafe(v))) },
    { weight: 1, arbitrary: editedText(texts) },
    { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...NUMBER_TEXTS, '', ' ', 'null', '{}', '[]', '"x"', '{', '}') },
    { weight: 1, arbitrary: deepJsonText },
  );
};

// --- samples ---------------------------------------------------------------------------------------

const EVENTS = new URL('../../events/', import.meta.url);
export const loadJson = (relative: string): Json =>
  JSON.parse(readFileSync(new URL(relative, EVENTS), 'utf8')) as Json;
export const loadText = (relative: string): string => readFileSync(new URL(relative, EVENTS), 'utf8');
