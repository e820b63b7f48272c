/**
 * Human-readable lines about what happened to each message the local poller handled:
 * the outcome from the status record, or the reason a message was dead-lettered (the delayed checks
 * of followed operations are not messages of their own: their end comes as a notification); and
 * one line per operation notification (completed, failed, stalled) the local SNS topic delivers.
 * Owns: wording only. Reads the status store; changes nothing.
 */
import { idempotencyKey, parseActionRequestJson } from '../../lib/actions/request.ts';
import { OperationCheckSchema } from '../../lib/operations/check.ts';
import type { StatusStore } from '../../lib/store/status.ts';
import type { BatchReport } from './poller.ts';

const isOperationCheck = (body: string): boolean => {
  try {
    return OperationCheckSchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
};

/** The first line of an operation notice (lib/operations/notify.ts operationSummary). */
const OPERATION_HEAD =
  /^(?<action>\S+) on (?<target>\S+) (?<event>completed|failed|stalled) after (?<took>\S+) \(started [^)]*\)\.$/;
const MARK: Readonly<Record<string, string>> = { completed: '✔', failed: '✖', stalled: '⚠' };

/**
 * One line for an operation notice: `✔ operation dws.dr.failover on dws:…/… completed after 12s
 * (request r-1)`; a failure adds the provider's error and the runbook, a stall what was observed.
 * Undefined for any other notification (a dead letter's summary: printed as it is).
 */
export const describeOperationNotice = (message: string): string | undefined => {
  const [head = '', ...rest] = message.split('\n');
  const found = OPERATION_HEAD.exec(head)?.groups;
  if (!found) return undefined;
  const field = (name: string) => rest.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
  const request = field('request')?.split(' ')[0];
  const route = field('alarm-driven');
  const detail =
    found['event'] === 'failed'
      ? `: ${field('error') ?? field('observed') ?? 'no error given'} (runbook: docs/operations.md#a-failed-operation)`
      : found['event'] === 'stalled'
        ? `: ${field('observed') ?? 'still running'} (runbook: docs/operations.md#a-stalled-operation)`
        : '';
  return `${MARK[found['event'] ?? ''] ?? '·'} operation ${found['action']} on ${found['target']} ${found['event']} after ${found['took']}${detail}${
    route ? ` [${route}]` : ''
  }${request ? ` (request ${request})` : ''}`;
};

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
    if (isOperationCheck(record.body)) continue;
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
