/**
 * Human-readable lines about what happened to each message the local poller handled:
 * the outcome from the status record, or the reason a message was dead-lettered.
 * Owns: wording only. Reads the status store; changes nothing.
 */
import { idempotencyKey, parseActionRequestJson } from '../../lib/actions/request.ts';
import type { StatusStore } from '../../lib/store/status.ts';
import type { BatchReport } from './poller.ts';

const describeRemote = (remote: Record<string, string> | undefined) =>
  remote && Object.keys(remote).length > 0
    ? ` ${Object.entries(remote)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : '';

export const describeBatch = async (
  report: BatchReport,
  store: Pick<StatusStore, 'get'>,
): Promise<string[]> => {
  const lines: string[] = [];
  for (const record of report.records) {
    const attempt = record.attributes.ApproximateReceiveCount;
    let key: string;
    let action: string;
    try {
      const request = parseActionRequestJson(record.body);
      key = idempotencyKey(request);
      action = request.action;
    } catch (error) {
      lines.push(`✖ dead-lettered  invalid message ${record.messageId}: ${(error as Error).message}`);
      continue;
    }
    const status = await store.get(key);
    const label = `${action} ${key}`;
    if (report.retried.includes(record.messageId)) {
      lines.push(
        `↻ retry          ${label} (attempt ${attempt}): ${status?.error?.message ?? 'in progress elsewhere'}`,
      );
    } else if (
      status &&
      Date.parse(status.updated_at) < report.startedAt &&
      status.status !== 'in_progress'
    ) {
      lines.push(`= duplicate      ${label}: already ${status.status}, not executed again`);
    } else if (status?.status === 'succeeded') {
      lines.push(
        `✔ succeeded      ${label}${describeRemote(status.remote)}${status.reason ? ` (${status.reason})` : ''}`,
      );
    } else if (status?.status === 'skipped') {
      lines.push(`- skipped        ${label}: ${status.reason ?? ''}`);
    } else if (status?.status === 'dead_lettered') {
      lines.push(
        `✖ dead-lettered  ${label} after ${status.attempts} attempt(s): ${status.error?.message ?? ''}`,
      );
    } else {
      lines.push(`· ${status?.status ?? 'unknown'} ${label}`);
    }
  }
  return lines;
};
