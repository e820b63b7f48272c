/**
 * Security suite, part 2: the rows generated from every JSON input's valid sample.
 *   Wrong type: every field at every level, each given every JSON type it must not have.
 *     Expected: refused naming exactly that field, or accepted where the input documents the field
 *     as not read (kept only in `raw`), null-means-absent, or read leniently (Cloud Eye labels).
 *   Prototype keys: `__proto__`, `constructor`, `prototype` added (as JSON text, so they are real
 *     own keys) to every object at every level, with an object and with a string value.
 *     Expected: refused as an unknown field by strict inputs; kept as data or dropped by lenient
 *     ones; Object.prototype untouched after every row.
 * Side effects are checked by each input's adapter (inputs.ts): none for a refusal.
 */
import { describe, expect, it } from 'vitest';
import { at, jsonWithMembers, objectPathsOf, type Path, pathsOf, setAt } from './arbitraries.ts';
import { expectPrototypesUntouched, hasOrdinaryPrototypes } from './harness.ts';
import { JSON_INPUTS, type JsonInput } from './inputs.ts';

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const WRONG_VALUES: readonly unknown[] = [0, true, 'x', [], {}, null];
const dotted = (path: Path) => path.map(String).join('.');
const matches = (patterns: readonly RegExp[], path: Path) => patterns.some((p) => p.test(dotted(path)));

interface Row {
  readonly name: string;
  readonly input: JsonInput;
  readonly text: string;
  /** The issue path expected, or undefined when the input accepts the change. */
  readonly refusedAt?: string;
  readonly unknownField?: boolean;
}

// --- wrong types ------------------------------------------------------------------------------------------

const wrongTypeRows: Row[] = JSON_INPUTS.flatMap((input) =>
  pathsOf(input.sample)
    .filter((path) => path.length > 0)
    .flatMap((path) =>
      WRONG_VALUES.filter((wrong) => typeOf(wrong) !== typeOf(at(input.sample, path))).map((wrong): Row => {
        const tolerated =
          matches(input.unread, path) ||
          matches(input.lenient, path) ||
          (wrong === null && matches(input.nullish, path));
        return {
          name: `${input.name}: ${dotted(path)} = ${JSON.stringify(wrong)}`,
          input,
          text: JSON.stringify(setAt(input.sample, path, wrong)),
          ...(tolerated ? {} : { refusedAt: input.pathOf(path) }),
        };
      }),
    ),
);

// --- prototype keys ---------------------------------------------------------------------------------------

const DANGEROUS = ['__proto__', 'constructor', 'prototype'] as const;
const VALUES = [
  ['an object', '{"polluted":true,"isAdmin":true}'],
  ['a string', '"x"'],
] as const;

const pollutionRows: Row[] = JSON_INPUTS.flatMap((input) =>
  objectPathsOf(input.sample).flatMap((objectPath) =>
    DANGEROUS.flatMap((key) =>
      VALUES.map(([what, valueText]): Row => {
        const keyPath = [...objectPath, key];
        const base = {
          name: `${input.name}: ${key} (${what}) in ${objectPath.length === 0 ? '(root)' : dotted(objectPath)}`,
          input,
          text: jsonWithMembers(input.sample, [{ at: objectPath, key, valueText }]),
        };
        if (matches(input.unread, objectPath) || matches(input.lenient, objectPath)) return base;
        if (matches(input.maps, objectPath)) {
          // A label map: the key is data. zod records drop `__proto__`; values must still be strings.
          if (key === '__proto__' && !input.mapsKeepProto) return base;
          return what === 'a string' ? base : { ...base, refusedAt: input.pathOf(keyPath) };
        }
        return input.strict ? { ...base, refusedAt: input.pathOf(keyPath), unknownField: true } : base;
      }),
    ),
  ),
);

const runRow = async (row: Row) => {
  // Act
  const verdict = await row.input.send(row.text);
  // Assess
  expectPrototypesUntouched();
  if (row.refusedAt === undefined) {
    expect(verdict.kind, JSON.stringify(verdict).slice(0, 400)).toBe('accepted');
    expect(hasOrdinaryPrototypes((verdict as { value: unknown }).value)).toBe(true);
  } else {
    expect(verdict.kind).toBe('refused');
    const { paths, status } = verdict as { paths: readonly string[]; status?: number };
    if (status !== undefined) expect(status).toBe(400);
    expect(paths, `expected an issue at ${row.refusedAt}`).toContain(row.refusedAt);
  }
};

describe('wrong type: every field of every input', () => {
  it('covers every input, with refusals and documented tolerances', () => {
    expect(new Set(wrongTypeRows.map((r) => r.input.name)).size).toBe(JSON_INPUTS.length);
    expect(wrongTypeRows.filter((r) => r.refusedAt !== undefined).length).toBeGreaterThan(500);
  });

  it.each(wrongTypeRows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    await runRow(row);
  });
});

describe('prototype keys: __proto__ / constructor / prototype at every level of every input', () => {
  it('covers every object of every input', () => {
    const objects = JSON_INPUTS.reduce((n, input) => n + objectPathsOf(input.sample).length, 0);
    expect(pollutionRows).toHaveLength(objects * DANGEROUS.length * VALUES.length);
  });

  it.each(pollutionRows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    await runRow(row);
    if (row.unknownField) expect(row.refusedAt).toMatch(/(__proto__|constructor|prototype)$/);
  });
});
