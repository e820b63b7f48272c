/**
 * What the approvers are told (lib/approval/notify.ts): the request (what would be called, the
 * target's state, the alarm and route, the deadline and the timeout rule, the exact approve and deny
 * commands), the decision (who, when, how, why), an SNS subject within its limits, and a failed
 * publish logged rather than thrown (the status record holds the approval).
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalNotice } from '../../lib/approval/desk.ts';
import { approvalNotifier, approvalSummary } from '../../lib/approval/notify.ts';

const KEY = 'alarm:dws-approval:0123456789abcdef0123456789abcdef';
const requested: ApprovalNotice = {
  event: 'requested',
  request_id: KEY,
  action: 'dws.dr.failover',
  target: 'dws:89cd04f168b84af6be287f71730fdb4b/e59d6b86-9072-46eb-a996-13f8b44994c1',
  route: 'dws-approval',
  alarm: 'alertmanager DWSPrimaryDown (alarm)',
  deadline: '2026-12-07T10:30:00.000Z',
  on_timeout: 'cancel',
  call: 'POST https://dws.cn-north-4.myhuaweicloud.com/v2/p/disaster-recovery/d/failover',
  state: 'the preflight allows it now',
};

describe('approvalSummary', () => {
  it('a request: what would be called, the target now, route and alarm, deadline and rule, the exact commands', () => {
    // Act
    const { subject, message } = approvalSummary(requested);

    // Assess
    expect(subject).toBe('dr-relay: Approval requested: dws.dr.failover, route dws-approval');
    expect(message.split('\n')).toEqual([
      `Approval requested: dws.dr.failover on ${requested.target}.`,
      `would call: ${requested.call}`,
      'target now: the preflight allows it now',
      'route: dws-approval; alarm: alertmanager DWSPrimaryDown (alarm)',
      'deadline: 2026-12-07T10:30:00.000Z; then: it is cancelled (on_timeout: cancel)',
      `approve: npx dr-relay approve ${KEY} --by <name> [--reason "…"]`,
      `deny:    npx dr-relay deny ${KEY} --by <name> --reason "…"`,
    ]);
  });

  it('a request on a deadman rule says it runs at the deadline', () => {
    // Act
    const { message } = approvalSummary({ ...requested, on_timeout: 'proceed' });

    // Assess
    expect(message).toContain('deadline: 2026-12-07T10:30:00.000Z; then: it runs (on_timeout: proceed)');
  });

  it('a decision: who, when, how and why, and where to follow the request', () => {
    // Act
    const { subject, message } = approvalSummary({
      ...requested,
      event: 'denied',
      decision: {
        decision: 'deny',
        by: 'alice',
        at: '2026-12-07T10:05:00.000Z',
        reason: 'false alarm',
        via: 'cli',
      },
    });

    // Assess
    expect(subject).toBe('dr-relay: Approval denied: dws.dr.failover, route dws-approval');
    expect(message.split('\n')).toEqual([
      `Approval denied: dws.dr.failover on ${requested.target}.`,
      'decision: deny by alice at 2026-12-07T10:05:00.000Z via cli (false alarm)',
      'route: dws-approval; alarm: alertmanager DWSPrimaryDown (alarm)',
      `request: ${KEY} (npx dr-relay status ${KEY})`,
    ]);
  });

  it('keeps the subject to 100 printable ASCII characters', () => {
    // Act
    const { subject } = approvalSummary({
      ...requested,
      route: 'r'.repeat(64),
      action: 'dws.dr.failover\u001b[2J',
    });

    // Assess
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('approvalNotifier', () => {
  it('publishes the summary to the topic, and logs a failed publish instead of throwing', async () => {
    // Prepare
    const sent: unknown[] = [];
    const errors: string[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) };
    const ok = approvalNotifier(
      {
        topic: 'arn:aws:sns:eu-west-1:123456789012:dr-relay',
        publish: async (notice) => {
          sent.push(notice);
        },
      },
      log,
    );
    const failing = approvalNotifier(
      {
        topic: 'arn:aws:sns:eu-west-1:123456789012:dr-relay',
        publish: async () => {
          throw new Error('throttled');
        },
      },
      log,
    );

    // Act
    await ok(requested);
    await failing(requested);

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      subject: 'dr-relay: Approval requested: dws.dr.failover, route dws-approval',
    });
    expect(errors).toEqual(['approval notification failed (the status record holds the approval)']);
  });
});
