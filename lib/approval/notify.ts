/**
 * What the approvers are told, on the dead-letter and operations topic: when approval is requested
 * (what would be done, the target's state now, the alarm and route, the deadline and the timeout
 * rule, and the exact approve and deny commands), and when it is decided or times out.
 * Best effort: a failed publish is logged; the status record holds the approval.
 * Owns: the wording (lib/notices.ts publishes it).
 */
import type { Log } from '../log.ts';
import { notifier, type Publisher } from '../notices.ts';
import type { ApprovalNotice } from './desk.ts';

export const approvalSummary = (notice: ApprovalNotice): { subject: string; message: string } => {
  const head =
    notice.event === 'requested'
      ? `Approval requested: ${notice.action} on ${notice.target}`
      : `Approval ${notice.event}: ${notice.action} on ${notice.target}`;
  const lines =
    notice.event === 'requested'
      ? [
          `${head}.`,
          `would call: ${notice.call ?? 'unknown'}`,
          ...(notice.state ? [`target now: ${notice.state}`] : []),
          `route: ${notice.route}${notice.alarm ? `; alarm: ${notice.alarm}` : ''}`,
          `deadline: ${notice.deadline}; then: ${notice.on_timeout === 'proceed' ? 'it runs (on_timeout: proceed)' : 'it is cancelled (on_timeout: cancel)'}`,
          `approve: npx dr-relay approve ${notice.request_id} --by <name> [--reason "…"]`,
          `deny:    npx dr-relay deny ${notice.request_id} --by <name> --reason "…"`,
        ]
      : [
          `${head}.`,
          `decision: ${notice.decision?.decision} by ${notice.decision?.by} at ${notice.decision?.at} via ${notice.decision?.via}${notice.decision?.reason ? ` (${notice.decision.reason})` : ''}`,
          `route: ${notice.route}${notice.alarm ? `; alarm: ${notice.alarm}` : ''}`,
          `request: ${notice.request_id} (npx dr-relay status ${notice.request_id})`,
        ];
  // SNS subjects: at most 100 printable ASCII characters; the route (1-64 characters) rather than the
  // target, which would be cut (the message names it).
  const subject = `dr-relay: Approval ${notice.event}: ${notice.action}, route ${notice.route}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
  return { subject, message: lines.join('\n') };
};

export const approvalNotifier = (publisher: Publisher, log: Log) =>
  notifier(
    publisher,
    log,
    'approval notification failed (the status record holds the approval)',
    approvalSummary,
  );
