/**
 * Bad input battery, part 4: SQS records of the request queue, 20,000 hostile bodies (fixed seed),
 * through makeRecordHandler over recording fakes. A body that is not a valid ActionRequest is
 * dead-lettered at once, as it arrived, naming its issues, and nothing else happens: no Huawei call,
 * no status record, no visibility change. A valid one is executed exactly once with its key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, parseActionRequestJson } from '../../lib/actions/request.ts';
import { DeadLetterSchema } from '../../lib/deadLetters/deadLetter.ts';
import { REDRIVE_ATTRIBUTE } from '../../lib/intake/queueRecord.ts';
import { hostileJsonText, hostileString, hostileValue, loadJson, toJsonSafe } from './arbitraries.ts';
import {
  asyncOutcomeOf,
  deepEqual,
  describeOutcome,
  ensure,
  expectPrototypesUntouchedFast,
  isWellFormedValidationError,
  outcomeOf,
  recordApp,
  runs,
} from './harness.ts';

const REQUEST_SAMPLES = [
  'requests/dws-dr-start.json',
  'requests/dws-dr-failover.json',
  'requests/dws-dr-recovery.json',
  'requests/csbs-restore.json',
  'requests/dcs-restore.json',
  'requests/cbr-restore.json',
  'requests/invalid-request.json',
].map(loadJson);

const letterAround = (inner: { request?: unknown; raw_body?: unknown }) => ({
  type: 'dr-relay.dead-letter',
  version: 1,
  ...inner,
  source: { type: 'sqs' },
  reason: 'permanent: earlier failure',
  error: { kind: 'permanent', message: 'earlier failure' },
  attempts: 1,
  first_failure_at: '2026-11-23T09:00:00.000Z',
  last_failure_at: '2026-11-23T09:00:00.000Z',
  dead_lettered_at: '2026-11-23T09:00:00.000Z',
});

/** A dead letter sent back to the queue (a redrive), carrying a request or a raw body of any kind. */
const deadLetterBody = fc
  .oneof(
    fc.constantFrom(...REQUEST_SAMPLES).map((request) => ({ request })),
    hostileValue.map((request) => ({ request: toJsonSafe(request) })),
    hostileJsonText(REQUEST_SAMPLES.slice(0, 2)).map((raw) => ({ raw_body: raw })),
    hostileValue.map((raw) => ({ raw_body: toJsonSafe(raw) })),
  )
  .map((inner) => JSON.stringify(letterAround(inner)));

const body = fc.oneof(
  { weight: 6, arbitrary: hostileJsonText(REQUEST_SAMPLES) },
  { weight: 2, arbitrary: fc.constantFrom(...REQUEST_SAMPLES.map((s) => JSON.stringify(s))) },
  { weight: 2, arbitrary: deadLetterBody },
);

const attributes = fc.oneof(
  fc.constant({}),
  fc.constant({ [REDRIVE_ATTRIBUTE]: { dataType: 'String', stringValue: '1' } }),
  fc.dictionary(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', REDRIVE_ATTRIBUTE), hostileString),
    fc.record({ dataType: fc.constant('String'), stringValue: hostileString }),
    { maxKeys: 3 },
  ),
);

/** What the handler must treat as the request: the body, or the request inside a redriven dead letter. */
const innerBody = (text: string): string => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const letter = DeadLetterSchema.safeParse(value);
  if (!letter.success) return text;
  return letter.data.request === undefined
    ? (letter.data.raw_body ?? '')
    : JSON.stringify(letter.data.request);
};

describe('battery: SQS records (makeRecordHandler)', () => {
  it('executes a valid request once, dead-letters anything else at once, and does nothing more', async () => {
    const tally = { executed: 0, deadLettered: 0 };
    const app = recordApp();
    await fc.assert(
      fc.asyncProperty(body, attributes, async (text, attrs) => {
        // Prepare
        app.reset();
        const inner = innerBody(text);
        const expected = outcomeOf(() => parseActionRequestJson(inner));
        // Act
        const outcome = await asyncOutcomeOf(() => app.handleBody(text, attrs));
        // Assess
        ensure('ok' in outcome, () => describeOutcome(outcome));
        const result = (outcome as { ok: Awaited<ReturnType<typeof app.handleBody>> }).ok;
        ensure(app.calls.count('sqs.send', 'status.set') === 0, 'no visibility change, no status record');
        if ('ok' in expected) {
          tally.executed += 1;
          ensure(result.result === 'executed', () => `expected executed, got ${result.result}`);
          const jobs = app.calls.of('huawei.run').map((c) => c.args[0] as { key: string; request: unknown });
          ensure(jobs.length === 1, 'one call');
          ensure(deepEqual(jobs[0]!.request, expected.ok), 'the validated request');
          ensure(jobs[0]!.key === idempotencyKey(expected.ok), 'its idempotency key');
          ensure(app.letters.length === 0, 'no dead letter');
        } else {
          tally.deadLettered += 1;
          ensure(
            'refused' in expected && isWellFormedValidationError(expected.refused),
            'the oracle refused it cleanly',
          );
          ensure(result.result === 'dead_lettered', () => `expected dead_lettered, got ${result.result}`);
          ensure(app.calls.count('huawei.run') === 0, 'no Huawei call');
          ensure(app.letters.length === 1, 'one dead letter');
          const letter = app.letters[0]!;
          ensure(DeadLetterSchema.safeParse(letter).success, 'a well-formed dead letter');
          ensure(letter.raw_body === inner, 'the body as it arrived');
          ensure(letter.request === undefined, 'no request');
          ensure(letter.error.kind === 'permanent', 'permanent');
          ensure(
            deepEqual(letter.error.issues, (expected as { refused: { issues: unknown } }).refused.issues),
            'its issues',
          );
          ensure(app.calls.count('deadLetter.notify') === 1, 'people told once');
        }
        expectPrototypesUntouchedFast();
      }),
      runs(),
    );
    expect(tally.executed).toBeGreaterThanOrEqual(100);
    expect(tally.deadLettered).toBeGreaterThanOrEqual(100);
  });
});
