/**
 * `dr-relay approve <request_id> --by <name> [--reason "…"]` and
 * `dr-relay deny <request_id> --by <name> --reason "…"`: a decision on a request that awaits
 * approval (a route with `approval.required`), through the signed API:
 * `POST <api>/v1/requests/<request_id>/approval` with {decision, by, reason, via: "cli"}.
 * Exit 0 when the decision was recorded (the request, with its approval, is printed), 1 when it was
 * refused (already decided, timed out, not an approver, unknown: the problem is printed), 2 usage
 * (no --by, a deny without --reason, a name the API would refuse).
 * Owns: those two commands and their report. Must not touch: the decision rules (lib/approval/desk.ts),
 * the API (lib/http/requests.ts).
 */
import { isRecord } from '../lib/json.ts';
import { callApi, problemLines, problemOf } from './api.ts';
import type { Command, CommandArgs } from './command.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { decisionText, type RequestStatusView, statusLines } from './status.ts';
import { placeOptions, step, withTarget } from './target.ts';

/** As the API checks `by` (lib/http/requests.ts): refused here first, as a usage error. */
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const MAX_REASON = 500;

const optionText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const decide =
  (decision: 'approve' | 'deny') =>
  async ({ positionals, values }: CommandArgs, io: CliIo): Promise<number> => {
    const requestId = positionals[0]!;
    const by = optionText(values['by']);
    const reason = optionText(values['reason'])?.trim();
    const json = values['json'] === true;
    if (by === undefined) throw new UsageError(`${decision}: --by <name> is required (who decides)`);
    if (!NAME.test(by))
      throw new UsageError(`--by must be 1-64 characters of A-Z a-z 0-9 . _ @ -, not ${JSON.stringify(by)}`);
    if (decision === 'deny' && !reason) throw new UsageError('deny: --reason "…" is required (why not)');
    if (reason !== undefined && reason.length > MAX_REASON)
      throw new UsageError(`--reason must be at most ${MAX_REASON} characters`);
    const body = JSON.stringify({ decision, by, ...(reason ? { reason } : {}), via: 'cli' });
    return withTarget(io, values, ['api'], async (target) => {
      const path = `/v1/requests/${encodeURIComponent(requestId)}/approval`;
      const answer = await step(`POST ${target.api()}${path}`, () => callApi(target, 'POST', path, { body }));
      if (answer.status === 200 && isRecord(answer.json) && typeof answer.json['status'] === 'string') {
        const view = answer.json as unknown as RequestStatusView;
        if (json) io.out(JSON.stringify({ ok: true, http_status: answer.status, ...view }, null, 2));
        else {
          const recorded = view.approval?.decision;
          io.out(
            [
              `recorded: ${recorded ? decisionText(recorded) : `${decision} by ${by}`}`,
              ...statusLines(view),
            ].join('\n'),
          );
          io.err(
            decision === 'approve'
              ? `next: dr-relay status ${requestId} --wait (the preflight runs again now, then the call)`
              : 'denied: nothing is called; the target is free for the next alarm',
          );
        }
        return EXIT.ok;
      }
      const problem = problemOf(answer);
      const recorded =
        isRecord(answer.json) && isRecord(answer.json['decision']) ? answer.json['decision'] : undefined;
      if (json)
        io.out(
          JSON.stringify(
            { ok: false, request_id: requestId, problem, ...(recorded ? { decision: recorded } : {}) },
            null,
            2,
          ),
        );
      else
        io.out(
          [
            `REFUSED: ${problem.detail ?? problem.title}`,
            ...(recorded
              ? [`recorded decision: ${decisionText(recorded as Parameters<typeof decisionText>[0])}`]
              : []),
            ...problemLines(problem),
          ].join('\n'),
        );
      return EXIT.invalid;
    });
  };

const options = {
  by: { type: 'string' as const },
  reason: { type: 'string' as const },
  json: { type: 'boolean' as const },
  ...placeOptions('api'),
};

const details = [
  'A request awaits approval when its route says approval.required: the alarm proposed it and nothing was',
  'called. The first decision wins; a later one, one after the deadline, or one by someone not among the',
  "route's approvers is refused (exit 1, with the decision already recorded). Signed with the first of",
  'WEBHOOK_HMAC_SECRETS, sent to DR_API_URL (--api url); with neither: the local stack of `npm start`.',
  'exit codes: 0 recorded, 1 refused or unknown request, 2 usage.',
];

export const approveCommand: Command = {
  words: ['approve'],
  args: '<request_id> --by <name> [--reason "…"] [--json]',
  summary: 'approve a request that awaits approval: it runs now (the preflight read again first)',
  details,
  options,
  positionals: { min: 1, max: 1 },
  run: decide('approve'),
};

export const denyCommand: Command = {
  words: ['deny'],
  args: '<request_id> --by <name> --reason "…" [--json]',
  summary: 'deny a request that awaits approval: it ends skipped, nothing is called',
  details,
  options,
  positionals: { min: 1, max: 1 },
  run: decide('deny'),
};
