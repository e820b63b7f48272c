/**
 * What a dead-letter queue message is (cli/deadLetters.ts): the three bodies dr-relay knows
 * (its own record, a raw ActionRequest moved by the redrive policy, a Lambda on-failure record) and
 * anything else, whether each may be redriven, and the table `dlq list` prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classify,
  deadLetterTable,
  kindCounts,
  label,
  MESSAGE_WIDTH,
  truncate,
} from '../../cli/deadLetters.ts';
import { ROOT } from './helpers.ts';
import { DCS_TARGET, dcsRequest, lambdaFailure, message, permanentLetter } from './inProcess.ts';

describe('classify', () => {
  it('a dr-relay dead letter: its error kind, HTTP status, Huawei code and message, redrivable', () => {
    // Act
    const { entry, body } = classify(message('m-1', permanentLetter()));

    // Assess
    expect(entry).toEqual({
      id: 'm-1',
      kind: 'permanent',
      body_type: 'dead-letter',
      when: '2026-11-23T17:12:29.300Z',
      action: 'dcs.restore',
      target: DCS_TARGET,
      idempotency_key: 'ops-restore-1',
      http_status: 404,
      error_code: 'DCS.4204',
      message: 'The instance does not exist.',
      attempts: 1,
      first_failure_at: '2026-11-23T17:12:29.300Z',
      last_failure_at: '2026-11-23T17:12:29.300Z',
      source_message_id: 'f00d',
      redrivable: true,
      sent_at: '2026-11-23T18:00:00.000Z',
      sqs_receive_count: 2,
    });
    expect(body).toEqual(permanentLetter());
  });

  it('a dead letter without a Huawei answer shows its own message', () => {
    // Prepare
    const letter = {
      ...permanentLetter(),
      error: { kind: 'ambiguous' as const, message: 'attempts exhausted' },
    };

    // Act
    const { entry } = classify(message('m-2', letter));

    // Assess
    expect(entry).toMatchObject({ kind: 'ambiguous', message: 'attempts exhausted', redrivable: true });
    expect(entry.http_status).toBeUndefined();
    expect(entry.error_code).toBeUndefined();
  });

  it('an invalid message dead letter (raw_body) is not redrivable: it would fail validation again', () => {
    // Prepare
    const {
      request: _request,
      action: _action,
      target: _target,
      idempotency_key: _key,
      ...rest
    } = permanentLetter();
    const letter = {
      ...rest,
      raw_body: '{"action":"dcs.restore","region":"mars"}',
      error: { kind: 'permanent' as const, message: 'invalid ActionRequest: region: …' },
    };

    // Act
    const { entry } = classify(message('m-3', letter));

    // Assess
    expect(entry).toMatchObject({ kind: 'permanent', body_type: 'dead-letter', redrivable: false });
    expect(entry.not_redrivable).toMatch(
      /^its body is not a valid ActionRequest \(region: .+\): a redrive fails/,
    );
    expect(label(entry)).toBe('invalid message m-3');
  });

  it('a raw_body dead letter whose body is a valid request (a reused request_id) stays redrivable', () => {
    // Prepare
    const { request: _request, ...rest } = permanentLetter();
    const letter = { ...rest, raw_body: JSON.stringify(dcsRequest()) };

    // Act / Assess
    expect(classify(message('m-4', letter)).entry.redrivable).toBe(true);
  });

  it('a raw ActionRequest: kind redrive-policy, its key and target, redrivable, sent time as "when"', () => {
    // Act
    const { entry } = classify(message('m-5', dcsRequest('raw-1')));

    // Assess
    expect(entry).toMatchObject({
      kind: 'redrive-policy',
      body_type: 'request',
      when: '2026-11-23T18:00:00.000Z',
      action: 'dcs.restore',
      target: DCS_TARGET,
      idempotency_key: 'raw-1',
      redrivable: true,
    });
    expect(label(entry)).toBe('dcs.restore raw-1');
  });

  it('a raw request without request_id gets its sha256 key', () => {
    // Prepare
    const { request_id: _id, ...request } = dcsRequest();

    // Act / Assess
    expect(classify(message('m-6', request)).entry.idempotency_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a Lambda on-failure record: kind lambda-failure, action "alarm event", not redrivable with the reason', () => {
    // Act
    const { entry } = classify(message('m-7', lambdaFailure));

    // Assess
    expect(entry).toMatchObject({
      kind: 'lambda-failure',
      body_type: 'lambda-failure',
      when: '2026-11-23T16:00:00.000Z',
      action: 'alarm event',
      target: 'function dr-relay-dev-alarms',
      message: 'RetriesExhausted: TypeError: Cannot read properties of undefined',
      attempts: 3,
      redrivable: false,
    });
    expect(entry.not_redrivable).toContain('Lambda on-failure record of the alarms function');
  });

  it('a Lambda record carrying a CloudWatch alarm event names the alarm as its target', () => {
    // Prepare
    const event = JSON.parse(readFileSync(join(ROOT, 'events/alarms/cloudwatch-sns-alarm.json'), 'utf8'));

    // Act
    const { entry } = classify(message('m-8', { ...lambdaFailure, requestPayload: event }));

    // Assess
    expect(entry.target).toMatch(/^alarm \S+/);
    expect(label(entry)).toBe(`alarm event ${entry.target}`);
  });

  it('anything else is unknown and not redrivable: not JSON, JSON of another shape, an invalid request', () => {
    // Act
    const garbage = classify(message('m-9', 'not json at all')).entry;
    const other = classify(message('m-10', { hello: 'world' })).entry;
    const invalid = classify(message('m-11', { ...dcsRequest(), region: 'mars' })).entry;

    // Assess
    expect(garbage).toMatchObject({ kind: 'unknown', message: 'body is not JSON', redrivable: false });
    expect(other).toMatchObject({ kind: 'unknown', message: 'unrecognised body', redrivable: false });
    expect(invalid).toMatchObject({ kind: 'unknown', action: 'dcs.restore', redrivable: false });
    expect(invalid.message).toMatch(/^invalid ActionRequest: region: /);
    expect(classify(message('m-9', 'not json at all')).body).toBe('not json at all');
    expect(label(garbage)).toBe('unknown body m-9');
  });
});

describe('the dlq list table', () => {
  const entries = [
    classify(message('id-permanent', permanentLetter())).entry,
    classify(message('id-raw', dcsRequest('raw-1'))).entry,
    classify(message('id-lambda', lambdaFailure)).entry,
    classify(message('id-garbage', '<xml/>')).entry,
  ];

  it('has a header and one aligned row per dead letter, "-" where a body does not say', () => {
    // Act
    const lines = deadLetterTable(entries);

    // Assess
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^WHEN +ACTION +TARGET +KIND +HTTP +CODE +MESSAGE +ATTEMPTS +ID$/);
    const column = (name: string) => lines[0]!.indexOf(name);
    const at = (line: string, name: string) => line.slice(column(name)).split(/ {2,}/)[0];
    const [permanent, raw, lambda, garbage] = lines.slice(1) as [string, string, string, string];
    expect(permanent.startsWith('2026-11-23T17:12:29Z  dcs.restore')).toBe(true);
    expect(at(permanent, 'TARGET')).toBe(DCS_TARGET);
    expect(at(permanent, 'KIND')).toBe('permanent');
    expect(at(permanent, 'HTTP')).toBe('404');
    expect(at(permanent, 'CODE')).toBe('DCS.4204');
    expect(at(permanent, 'MESSAGE')).toBe('The instance does not exist.');
    expect(at(permanent, 'ATTEMPTS')).toBe('1');
    expect(at(permanent, 'ID')).toBe('id-permanent');
    expect(at(raw, 'KIND')).toBe('redrive-policy');
    expect(at(raw, 'HTTP')).toBe('-');
    expect(at(raw, 'ATTEMPTS')).toBe('-');
    expect(at(lambda, 'ACTION')).toBe('alarm event');
    expect(at(lambda, 'KIND')).toBe('lambda-failure');
    expect(at(lambda, 'ATTEMPTS')).toBe('3');
    expect(at(garbage, 'KIND')).toBe('unknown');
    expect(at(garbage, 'TARGET')).toBe('-');
    expect(at(garbage, 'ID')).toBe('id-garbage');
  });

  it('truncates long messages with … and flattens newlines', () => {
    // Prepare
    const long = {
      ...permanentLetter(),
      error: { kind: 'transient' as const, message: `a\nb ${'x'.repeat(200)}` },
    };

    // Act
    const row = deadLetterTable([classify(message('m', long)).entry])[1]!;

    // Assess
    const shown = truncate(`a\nb ${'x'.repeat(200)}`, MESSAGE_WIDTH);
    expect(shown).toHaveLength(MESSAGE_WIDTH);
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.startsWith('a b x')).toBe(true);
    expect(row).toContain(shown);
  });

  it('counts by kind', () => {
    expect(kindCounts(entries)).toBe('1 permanent, 1 redrive-policy, 1 lambda-failure, 1 unknown');
  });
});
