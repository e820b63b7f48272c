/**
 * What people are told when a followed operation completes, fails or stalls: one SNS message on the
 * operations topic (DEAD_LETTER_TOPIC_ARN, the dead-letter and operations topic), with the action,
 * the target, how long it took, the final state as observed, the provider's error and the next step
 * from the runbook, and for an alarm-driven action its route. Best effort: a failed publish is
 * logged; the record already holds the end.
 * Owns: the wording (lib/notices.ts publishes it).
 */
import type { Log } from '../log.ts';
import { notifier, type Publisher } from '../notices.ts';
import type { OperationEvent } from './tracker.ts';

const NEXT_STEP: Readonly<Record<OperationEvent['event'], string>> = {
  completed: 'nothing to do.',
  failed:
    'check the resource in the Huawei Cloud console; the call was accepted, so a new attempt needs a new request (new request_id). Runbook: docs/operations.md#a-failed-operation',
  stalled:
    'check the resource in the console; dr-relay keeps checking every 15 min up to 6x the time limit. Runbook: docs/operations.md#a-stalled-operation',
};

const duration = (seconds: number): string =>
  seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;

export const operationSummary = (event: OperationEvent): { subject: string; message: string } => {
  const lines = [
    `${event.action} on ${event.target} ${event.event} after ${duration(event.seconds)} (started ${event.started_at}).`,
    `observed: ${event.observed}`,
    ...(event.error ? [`error: ${event.error}`] : []),
    ...(event.route ? [`alarm-driven: route ${event.route}`] : []),
    `request: ${event.request_id} (npx dr-relay status ${event.request_id})`,
    `next step: ${NEXT_STEP[event.event]}`,
  ];
  const subject = `dr-relay: ${event.action} ${event.event} (${duration(event.seconds)})`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
  return { subject, message: lines.join('\n') };
};

export const operationNotifier = (publisher: Publisher, log: Log) =>
  notifier(
    publisher,
    log,
    'operation notification failed (the status record holds the end)',
    operationSummary,
  );
