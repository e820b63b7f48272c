/**
 * `dr-relay dlq redrive (--id <id> [--id …] | --all) [--dry-run]`: sends dead letters back to the
 * request queue, as their body (a dr-relay record or a raw ActionRequest) with the message attribute
 * `dr_relay_redrive` = 1, and deletes each from the dead-letter queue only after its send succeeded.
 * The request handler runs the request again under its same idempotency key: one that has since
 * succeeded does nothing, an unconfirmed call is reconciled before any new call.
 * Lambda failure records, unknown bodies and invalid requests are left in place, with the reason.
 * `--id` takes an SQS message id, an idempotency key or a source message id. Exit 1 when a selected one failed (send or
 * delete error, id not found, or an --id that cannot be redriven).
 * Owns: that selection and order of operations. Must not touch: what a redrive does (lib/intake/queueRecord.ts).
 */
import { DeleteMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { REDRIVE_ATTRIBUTE, VERIFIED_NOT_APPLIED_ATTRIBUTE } from '../lib/intake/queueRecord.ts';
import type { Command, CommandArgs } from './command.ts';
import { ID_KINDS, isNamedBy, label } from './deadLetters.ts';
import { releaseHeld, type Scanned, scanDeadLetters } from './dlq.ts';
import { SCAN_LIMIT } from './dlqQueue.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { type Place, placeOptions, step, type Target, withTarget } from './target.ts';

/** Seconds the selected messages stay hidden while they are redriven (they reappear if the CLI dies). */
const REDRIVE_VISIBILITY_SECONDS = 300;

interface Selection {
  readonly selected: Scanned[];
  readonly notFound: string[];
}

const select = (items: readonly Scanned[], ids: readonly string[] | undefined): Selection => {
  if (ids === undefined) return { selected: [...items], notFound: [] };
  const selected = items.filter((i) => ids.some((id) => isNamedBy(i.entry, id)));
  const notFound = ids.filter((id) => !items.some((i) => isNamedBy(i.entry, id)));
  return { selected, notFound: [...new Set(notFound)] };
};

const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);

interface Done {
  readonly id: string;
  readonly kind: string;
  readonly action?: string;
  readonly idempotency_key?: string;
}

const doneOf = (item: Scanned): Done => ({
  id: item.entry.id,
  kind: item.entry.kind,
  ...(item.entry.action === undefined ? {} : { action: item.entry.action }),
  ...(item.entry.idempotency_key === undefined ? {} : { idempotency_key: item.entry.idempotency_key }),
});

const redrive = async (
  target: Target,
  io: CliIo,
  options: {
    ids: readonly string[] | undefined;
    dryRun: boolean;
    json: boolean;
    verifiedNotApplied: boolean;
  },
): Promise<number> => {
  const scan = await scanDeadLetters(target, io, {
    max: SCAN_LIMIT,
    visibilitySeconds: REDRIVE_VISIBILITY_SECONDS,
  });
  const { selected, notFound } = select(scan.items, options.ids);
  const deleted = new Set<string>();
  const redriven: (Done & { message_id?: string })[] = [];
  const left: (Done & { reason: string })[] = [];
  const failed: (Done & { error: string })[] = [];
  try {
    const requestQueueUrl = options.dryRun
      ? undefined
      : await step('finding the request queue', () => target.queueUrl('requestQueue'));
    for (const [index, item] of selected.entries()) {
      const n = `${index + 1}/${selected.length}`;
      const { entry, message } = item;
      if (!entry.redrivable) {
        const reason = entry.not_redrivable ?? 'cannot be redriven';
        left.push({ ...doneOf(item), reason });
        io.err(`${options.dryRun ? 'would leave' : 'left'} in place ${n} ${label(entry)}: ${reason}`);
        continue;
      }
      if (options.dryRun || requestQueueUrl === undefined) {
        redriven.push(doneOf(item));
        io.err(`would redrive ${n} ${label(entry)}`);
        continue;
      }
      let messageId: string | undefined;
      try {
        ({ MessageId: messageId } = await target.sqs().send(
          new SendMessageCommand({
            QueueUrl: requestQueueUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: {
              [REDRIVE_ATTRIBUTE]: { DataType: 'String', StringValue: '1' },
              ...(options.verifiedNotApplied
                ? { [VERIFIED_NOT_APPLIED_ATTRIBUTE]: { DataType: 'String', StringValue: '1' } }
                : {}),
            },
          }),
        ));
      } catch (error) {
        const text = `not sent to the request queue (${errorText(error)}); left in the dead-letter queue`;
        failed.push({ ...doneOf(item), error: text });
        io.err(`FAILED ${n} ${label(entry)}: ${text}`);
        continue;
      }
      try {
        await target
          .sqs()
          .send(new DeleteMessageCommand({ QueueUrl: scan.url, ReceiptHandle: message.ReceiptHandle }));
        deleted.add(entry.id);
      } catch (error) {
        const text =
          `sent to the request queue (message ${messageId ?? '?'}) but not deleted from the dead-letter queue ` +
          `(${errorText(error)}): it will be listed again; redriving it again is harmless`;
        failed.push({ ...doneOf(item), error: text });
        io.err(`FAILED ${n} ${label(entry)}: ${text}`);
        continue;
      }
      redriven.push({ ...doneOf(item), ...(messageId ? { message_id: messageId } : {}) });
      io.err(`redriven ${n} ${label(entry)}`);
    }
  } finally {
    await releaseHeld(
      target,
      io,
      scan.url,
      scan.items.filter((i) => !deleted.has(i.entry.id)).map((i) => i.message),
      REDRIVE_VISIBILITY_SECONDS,
    );
  }
  for (const id of notFound) io.err(`not found: no dead letter has the ${ID_KINDS} ${id}`);

  if (options.json) {
    io.out(
      JSON.stringify(
        {
          dry_run: options.dryRun,
          queue_url: scan.url,
          selected: selected.length,
          [options.dryRun ? 'would_redrive' : 'redriven']: redriven,
          left_in_place: left,
          failed,
          not_found: notFound,
        },
        null,
        2,
      ),
    );
  } else if (options.dryRun) {
    io.out(
      `dry run: ${redriven.length} would be redriven, ${left.length} would be left in place` +
        `${notFound.length > 0 ? `, ${notFound.length} not found` : ''}; nothing was changed`,
    );
  } else {
    io.out(
      `${redriven.length} redriven, ${left.length + failed.length} left in place` +
        `${failed.length > 0 ? ` (${failed.length} failed)` : ''}` +
        `${notFound.length > 0 ? `, ${notFound.length} not found` : ''}`,
    );
  }
  // With --id, asking for one that cannot be redriven is a failure too; with --all it is expected.
  const refused = options.ids !== undefined && left.length > 0;
  return failed.length > 0 || notFound.length > 0 || refused ? EXIT.invalid : EXIT.ok;
};

const run = ({ values }: CommandArgs, io: CliIo): Promise<number> => {
  const rawIds = values['id'];
  const ids = Array.isArray(rawIds) ? rawIds.map(String).filter((s) => s.trim() !== '') : undefined;
  const all = values['all'] === true;
  if (ids === undefined && !all) throw new UsageError('dlq redrive: give --id <id> (one or more) or --all');
  if (ids !== undefined && all) throw new UsageError('dlq redrive: --id and --all exclude each other');
  if (ids !== undefined && ids.length === 0)
    throw new UsageError('dlq redrive: --id needs a message id or key');
  const dryRun = values['dry-run'] === true;
  const needs: Place[] = dryRun ? ['deadLetterQueue'] : ['deadLetterQueue', 'requestQueue'];
  return withTarget(io, values, needs, (target) =>
    redrive(target, io, {
      ids,
      dryRun,
      json: values['json'] === true,
      verifiedNotApplied: values['verified-not-applied'] === true,
    }),
  );
};

export const dlqRedriveCommand: Command = {
  words: ['dlq', 'redrive'],
  args: '(--id <id> [--id …] | --all) [--dry-run] [--verified-not-applied] [--json]',
  summary: 'send dead letters back to the request queue as a redrive, then delete them (id: as for dlq show)',
  options: {
    id: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    /** After checking the resource: an unconfirmed earlier call did not take effect, so call again. */
    'verified-not-applied': { type: 'boolean' },
    json: { type: 'boolean' },
    ...placeOptions('deadLetterQueue', 'requestQueue'),
  },
  positionals: { min: 0, max: 0 },
  run,
};
