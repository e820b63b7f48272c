/**
 * What `npm start` prints: one line per operation notice (completed, failed, stalled), read from
 * the very text lib/operations/notify.ts publishes, other notifications left as they are; and no
 * line for the delayed checks of followed operations that pass through the request queue.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OPERATION_CHECK_TYPE } from '../../../lib/operations/check.ts';
import { operationSummary } from '../../../lib/operations/notify.ts';
import type { OperationEvent } from '../../../lib/operations/tracker.ts';
import { describeBatch, describeOperationNotice } from '../../../tools/local/report.ts';

const TARGET = 'dws:89cd04f168b84af6be287f71730fdb4b/0c7b3e1a-2f4d-4e6b-8a9c-1d2e3f4a5b6c';
const event = (overrides: Partial<OperationEvent> = {}): OperationEvent => ({
  event: 'completed',
  request_id: 'r-1',
  action: 'dws.dr.failover',
  target: TARGET,
  started_at: '2026-11-23T17:12:30.000Z',
  seconds: 12,
  observed: 'DR status is stopped (was running)',
  ...overrides,
});
const noticeOf = (e: OperationEvent) => describeOperationNotice(operationSummary(e).message);

describe('npm start: operation notices', () => {
  it('a completed operation: one line with the action, the target, how long and the request', () => {
    expect(noticeOf(event())).toBe(
      `✔ operation dws.dr.failover on ${TARGET} completed after 12s (request r-1)`,
    );
  });

  it('a failed operation: the provider error and the runbook; an alarm-driven one names its route', () => {
    // Act
    const failed = noticeOf(
      event({
        event: 'failed',
        action: 'dcs.restore',
        target: 'dcs:p/i',
        seconds: 75,
        observed: 'restore record is failed',
        error: 'dcs.08.0002',
        route: 'dws-primary-down',
        request_id: 'alarm:dws-primary-down:abc',
      }),
    );

    // Assess
    expect(failed).toBe(
      '✖ operation dcs.restore on dcs:p/i failed after 1m15s: dcs.08.0002 (runbook: docs/operations.md#a-failed-operation) [route dws-primary-down] (request alarm:dws-primary-down:abc)',
    );
  });

  it('a stalled operation: what was observed, and the runbook', () => {
    expect(noticeOf(event({ event: 'stalled', seconds: 3700, observed: 'DR status is failovering' }))).toBe(
      `⚠ operation dws.dr.failover on ${TARGET} stalled after 61m40s: DR status is failovering (runbook: docs/operations.md#a-stalled-operation) (request r-1)`,
    );
  });

  it('any other notification is not an operation notice', () => {
    expect(
      describeOperationNotice('dcs.restore r-2 was dead-lettered after 1 attempt(s)\nreason: x'),
    ).toBeUndefined();
    expect(describeOperationNotice('')).toBeUndefined();
  });
});

describe('npm start: the request queue', () => {
  it('prints nothing for the delayed check of a followed operation', async () => {
    // Prepare
    const record = {
      messageId: 'm-1',
      body: JSON.stringify({ type: OPERATION_CHECK_TYPE, version: 1, key: 'r-1', request: {}, seq: 2 }),
      attributes: { ApproximateReceiveCount: '1' },
    } as unknown as SQSRecord;

    // Act
    const lines = await describeBatch(
      { startedAt: Date.now(), records: [record], deleted: ['m-1'], retried: [] },
      { get: async () => undefined },
    );

    // Assess
    expect(lines).toEqual([]);
  });
});
