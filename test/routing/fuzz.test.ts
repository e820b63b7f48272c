/**
 * Property tests: any signal against the sample routes never throws and every action it yields is a
 * valid ActionRequest with its episode key; any YAML-ish text into parseRoutes returns routes or
 * throws a ValidationError naming each problem, never anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, parseActionRequest } from '../../lib/actions/request.ts';
import { ValidationError } from '../../lib/errors.ts';
import { episodeRequestId, explainNoMatch, routeSignal } from '../../lib/routing/match.ts';
import { parseRoutes } from '../../lib/routing/routes.ts';
import { type AlarmSignal, SIGNAL_SHAPES, SIGNAL_SOURCES, SIGNAL_STATES } from '../../lib/sources/index.ts';
import { sampleRoutes, sampleRoutesText } from './helpers.ts';

const RUNS = { numRuns: 2000, seed: 20240501 } as const;

const NAMES = [
  'DWSPrimaryDown',
  'DWSPrimaryDown-prod',
  'DWSPrimaryDown-az1',
  'RedisDataLoss',
  'xDWSPrimaryDown',
];
const LABEL_KEYS = [
  'cluster',
  'namespace',
  'datastore_id',
  'grafana_folder',
  'service',
  'severity',
  '__proto__',
  'toString',
];
const LABEL_VALUES = [
  'prod',
  'DWS',
  'SYS.DWS',
  'DrRelay/DWS',
  'redis-sessions',
  'critical',
  '5f2c9a7e-8b1d-4c3e-9f6a-2d7b4e1c8a90',
];

const text = (known: readonly string[]) =>
  fc.oneof(fc.constantFrom(...known), fc.string({ minLength: 1, maxLength: 40 }));

const signalArb: fc.Arbitrary<AlarmSignal> = fc.record(
  {
    source: fc.constantFrom(...SIGNAL_SOURCES),
    shape: fc.constantFrom(...SIGNAL_SHAPES),
    name: text(NAMES),
    state: fc.constantFrom(...SIGNAL_STATES),
    previous_state: fc.constantFrom(...SIGNAL_STATES),
    episode: fc.string({ minLength: 1, maxLength: 200 }),
    labels: fc
      .array(fc.tuple(text(LABEL_KEYS), text(LABEL_VALUES)), { maxLength: 8 })
      .map((entries) => Object.fromEntries(entries)),
    occurred_at: fc.constant('2024-05-01T10:00:00.000Z'),
    raw: fc.anything(),
  },
  { requiredKeys: ['source', 'shape', 'name', 'state', 'episode', 'labels', 'occurred_at', 'raw'] },
);

describe('routeSignal on arbitrary signals', () => {
  it('never throws; every action is a valid ActionRequest keyed by its route and episode', () => {
    const routes = sampleRoutes();
    let acted = 0;
    fc.assert(
      fc.property(signalArb, (signal) => {
        const decisions = routeSignal(signal, routes);
        explainNoMatch(signal, routes);
        for (const decision of decisions) {
          if (!decision.act) {
            expect(decision.reason.length).toBeGreaterThan(0);
            expect(decision.key).toBe(episodeRequestId(decision.route.name, signal.episode));
            continue;
          }
          expect(decision.route.on).toContain(signal.state);
          expect(signal.previous_state).not.toBe(signal.state);
          expect(parseActionRequest(decision.request)).toEqual(decision.request);
          expect(decision.key).toBe(episodeRequestId(decision.route.name, signal.episode));
          expect(decision.key).toBe(idempotencyKey(decision.request));
          acted += 1;
        }
        // A signal matches a route, or the route says why not: never both, never neither.
        const matched = new Set(decisions.map((d) => d.route.name));
        const unmatched = explainNoMatch(signal, routes).map((line) => line.split(':')[0]);
        expect([...matched, ...unmatched].sort()).toEqual(routes.map((r) => r.name).sort());
      }),
      RUNS,
    );
    // The generator reaches actions, so the checks above did run.
    expect(acted).toBeGreaterThan(0);
  });
});

// --- parseRoutes on YAML-ish text ------------------------------------------------------------------

const YAML_PIECES = [
  'routes:',
  '\n',
  '  - ',
  '    ',
  'name: ',
  'match: ',
  '{ ',
  ' }',
  '[',
  ']',
  ', ',
  ': ',
  'alarm',
  'ok',
  '"',
  "'",
  '*',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '---\n',
  '#',
  '__proto__',
  'constructor',
  'on: [alarm]',
  'action: dws.dr.failover',
  'region: cn-north-4',
  'project_id: 89cd04f168b84af6be287f71730fdb4b',
  'params: { disaster_recovery_id: e59d6b86-9072-46eb-a996-13f8b44994c1 }',
  'cooldown_seconds: ',
  '-1',
  '3600',
  '1e309',
  'null',
  '~',
  'true',
  '? ',
  '|\n',
  '>\n',
  '\t',
  '%YAML 1.2\n',
  '\u0000',
  '\ufeff',
];

const yamlish = fc.oneof(
  fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 60 }).map((pieces) => pieces.join('')),
  fc.string({ maxLength: 300 }),
  // The valid sample with a few characters replaced, inserted or deleted.
  fc
    .array(
      fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...YAML_PIECES)),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    .map((edits) => {
      let text = sampleRoutesText();
      for (const [at, kind, piece] of edits) {
        const i = at % (text.length + 1);
        text =
          kind === 'delete'
            ? text.slice(0, i) + text.slice(i + 1)
            : kind === 'insert'
              ? text.slice(0, i) + piece + text.slice(i)
              : text.slice(0, i) + piece + text.slice(i + piece.length);
      }
      return text;
    }),
);

describe('parseRoutes on arbitrary text', () => {
  it('returns routes or throws a ValidationError naming each problem; nothing else', () => {
    const seen = { parsed: 0, rejected: 0 };
    fc.assert(
      fc.property(yamlish, (text) => {
        let routes: unknown;
        try {
          routes = parseRoutes(text, 'fuzz.yml');
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) {
            expect(issue.path.length).toBeGreaterThan(0);
            expect(error.message).toContain(`${issue.path}: ${issue.message}`);
          }
          seen.rejected += 1;
          return;
        }
        expect(Array.isArray(routes)).toBe(true);
        seen.parsed += 1;
      }),
      RUNS,
    );
    expect(seen.parsed).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });
});
