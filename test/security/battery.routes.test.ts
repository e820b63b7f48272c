/**
 * Bad input battery, part 2: the routes file (YAML or JSON), 20,000 hostile texts (fixed seed).
 * parseRoutes returns frozen, valid routes or one ValidationError naming every problem; never
 * anything else, never a changed prototype, whatever the YAML does (anchors, tags, merge keys,
 * duplicate keys, `__proto__`, deep nesting).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { parseRoutes } from '../../lib/routing/routes.ts';
import {
  hostileString,
  jsonWithMembers,
  loadText,
  mutatedSample,
  objectPathsOf,
  textWithExtraMember,
} from './arbitraries.ts';
import {
  deepEqual,
  describeOutcome,
  ensure,
  expectPrototypesUntouchedFast,
  hasOrdinaryPrototypes,
  isWellFormedValidationError,
  outcomeOf,
  runs,
} from './harness.ts';

const FULL_TEXT = loadText('routes/routes.yml');
/** One route of the sample file: mutations of a short document keep 20,000 YAML parses fast. */
const SAMPLE = { routes: [(parseYaml(FULL_TEXT) as { routes: unknown[] }).routes[0]] };
const SAMPLE_TEXT = stringifyYaml(SAMPLE);

const PIECES = [
  'routes:',
  '\n',
  '  - ',
  '    ',
  'name: r',
  'match: ',
  '{ ',
  ' }',
  '[',
  ']',
  ', ',
  ': ',
  '"',
  "'",
  '&a ',
  '*a',
  '<<: *a',
  '!!str ',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!!js/function ',
  '!<tag:yaml.org,2002:python/object> ',
  '---\n',
  '...\n',
  '#',
  '__proto__: ',
  'constructor: ',
  'prototype: ',
  '__proto__: { polluted: true }',
  'on: [alarm]',
  'action: dws.dr.failover',
  'action: dws.dr.f\u0430ilover',
  'region: cn-north-4',
  'project_id: 89cd04f168b84af6be287f71730fdb4b',
  'params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 }',
  'cooldown_seconds: ',
  '1e400',
  '-0',
  '.nan',
  '.inf',
  '0x10',
  '0o17',
  'null',
  '~',
  'yes',
  '? ',
  '|\n',
  '>\n',
  '\t',
  '%YAML 1.1\n',
  '%TAG ! tag:evil,2000:\n',
  '\u0000',
  '\ufeff',
  '\u202e',
  '\ud800',
];

/** `a` aliased `n` times per level, `levels` deep: a billion-laughs attempt. */
const aliasBomb = fc
  .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 6 }))
  .map(([n, levels]) => {
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= levels; i++)
      lines.push(
        `l${i}: &l${i} [${Array(n)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return `${lines.join('\n')}\nroutes: *l${levels}\n`;
  });

const deepYaml = fc
  .tuple(fc.integer({ min: 100, max: 1_000 }), fc.constantFrom('flow', 'block', 'map'))
  .map(([depth, kind]) =>
    kind === 'flow'
      ? `routes: ${'['.repeat(depth)}${']'.repeat(depth)}`
      : kind === 'block'
        ? `routes:\n${'- '.repeat(depth)}x\n`
        : `routes: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`,
  );

const editedSample = fc
  .array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...PIECES)), {
    minLength: 1,
    maxLength: 5,
  })
  .map((edits) =>
    edits.reduce((text, [pos, kind, piece]) => {
      const i = pos % (text.length + 1);
      if (kind === 'delete') return text.slice(0, i) + text.slice(i + 1);
      if (kind === 'insert') return text.slice(0, i) + piece + text.slice(i);
      return text.slice(0, i) + piece + text.slice(i + piece.length);
    }, SAMPLE_TEXT),
  );

const routesText = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join('')) },
  { weight: 3, arbitrary: editedSample },
  { weight: 3, arbitrary: mutatedSample([SAMPLE]).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: textWithExtraMember([SAMPLE]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...objectPathsOf(SAMPLE)),
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
      )
      .map(([at, key]) => jsonWithMembers(SAMPLE, [{ at, key, valueText: '{"polluted":true}' }])),
  },
  { weight: 1, arbitrary: aliasBomb },
  { weight: 1, arbitrary: deepYaml },
  { weight: 1, arbitrary: fc.constantFrom(SAMPLE_TEXT, FULL_TEXT) },
  { weight: 1, arbitrary: hostileString },
);

const isDeepFrozen = (value: unknown): boolean => {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Object.isFrozen(node)) return false;
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return true;
};

describe('battery: routes file (parseRoutes)', () => {
  // `yaml` reports odd keys (a mapping used as a key) as process warnings: thousands of lines of noise here.
  const emitWarning = process.emitWarning;
  beforeAll(() => {
    process.emitWarning = () => undefined;
  });
  afterAll(() => {
    process.emitWarning = emitWarning;
  });

  it('returns frozen routes whose actions are valid ActionRequests, or one ValidationError', () => {
    const tally = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(routesText, (text) => {
        // Act
        const outcome = outcomeOf(() => parseRoutes(text, 'battery.yml'));
        // Assess
        ensure(!('other' in outcome), () => describeOutcome(outcome));
        if ('refused' in outcome) {
          ensure(isWellFormedValidationError(outcome.refused), outcome.refused.message);
          tally.refused += 1;
        } else if ('ok' in outcome) {
          tally.accepted += 1;
          ensure(isDeepFrozen(outcome.ok), 'routes are frozen');
          ensure(hasOrdinaryPrototypes(outcome.ok), 'ordinary prototypes');
          for (const route of outcome.ok) {
            const { action, region, project_id, params } = route;
            ensure(
              deepEqual(parseActionRequest({ action, region, project_id, params }), {
                action,
                region,
                project_id,
                params,
              }),
              'the action part is a valid ActionRequest',
            );
          }
        }
        expectPrototypesUntouchedFast();
      }),
      runs(),
    );
    expect(tally.accepted).toBeGreaterThanOrEqual(100);
    expect(tally.refused).toBeGreaterThanOrEqual(100);
  });
});
