import { describe, expect, it } from 'vitest';
import { actionFor } from '../../lib/actions/catalogue.ts';
import { idempotencyKey, parseActionRequest } from '../../lib/actions/request.ts';
import { loadConfig } from '../../lib/config/env.ts';
import { backoffSeconds } from '../../lib/execution/backoff.ts';
import { DCS_BACKUP_ID, dcsRestoreRequest, sampleRequest } from '../fixtures/requests.ts';

const SENT_AT = '2024-05-01T10:00:00.000Z';
const record = (backup_id: string, created_at: string) => ({
  restore_record_response: [
    { restore_id: '2e4a6c8e-0a1c-4e3a-9c5e-7a9c1e3a5c70', backup_id, status: 'restoring', created_at },
  ],
  total_num: 1,
});

describe('ids in any letter case', () => {
  it('recognises our DCS restore when the request spelt the backup id in upper case', () => {
    // Prepare: Huawei lists ids in lower case
    const request = parseActionRequest({
      ...sampleRequest('dcs.restore'),
      params: { instance_id: dcsRestoreRequest.params.instance_id, backup_id: DCS_BACKUP_ID.toUpperCase() },
    });
    // Act
    const seen = actionFor('dcs.restore').reconcile(record(DCS_BACKUP_ID, SENT_AT), {
      request,
      sentAt: SENT_AT,
    });
    // Assess
    expect(seen.verdict).toBe('applied');
  });

  it('gives the same idempotency key and target whatever the case of the ids', () => {
    const lower = parseActionRequest(sampleRequest('dws.dr.start'));
    const upper = parseActionRequest({
      ...sampleRequest('dws.dr.start'),
      project_id: lower.project_id.toUpperCase(),
      params: {
        disaster_recovery_id: (
          lower.params as { disaster_recovery_id: string }
        ).disaster_recovery_id.toUpperCase(),
      },
    });
    expect(idempotencyKey(upper)).toBe(idempotencyKey(lower));
    expect(actionFor('dws.dr.start').target(upper)).toBe(actionFor('dws.dr.start').target(lower));
  });
});

describe('DCS reconciliation with an unreadable created_at', () => {
  it('says unknown (not not_applied) for a record of our backup whose created_at cannot be read', () => {
    const seen = actionFor('dcs.restore').reconcile(record(DCS_BACKUP_ID, '2024/05/01 18:00:00 GMT+08:00x'), {
      request: dcsRestoreRequest,
      sentAt: SENT_AT,
    });
    expect(seen.verdict).toBe('unknown');
  });
});

describe('empty environment variables', () => {
  it('treats DR_BACKOFF_BASE_SECONDS="" as unset (the defaults, 5 and 300), not 0', () => {
    const config = loadConfig({
      REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/d',
      STATE_TABLE: 'dr-relay-state',
      HUAWEI_CREDENTIALS_SECRET_ID: 's',
      DR_BACKOFF_BASE_SECONDS: '',
      DR_BACKOFF_MAX_SECONDS: '',
    });
    expect(config.DR_BACKOFF_BASE_SECONDS).toBe(5);
    expect(config.DR_BACKOFF_MAX_SECONDS).toBe(300);
  });
});

describe('backoff at the extremes', () => {
  it('is a number of seconds even with base 0 and a huge attempt', () => {
    expect(backoffSeconds(1100, { baseSeconds: 0, maxSeconds: 900 }, 0, () => 0)).toBe(0);
  });
});
