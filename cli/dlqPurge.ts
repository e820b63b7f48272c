/**
 * `dr-relay dlq purge --yes`: deletes every message of the dead-letter queue (SQS PurgeQueue).
 * Without --yes it refuses (exit 2) and says what it would delete. Owns: that confirmation.
 * Must not touch: anything but the dead-letter queue.
 */
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { Command, CommandArgs } from './command.ts';
import { plural } from './format.ts';
import { type CliIo, EXIT } from './io.ts';
import { placeOptions, step, type Target, withTarget } from './target.ts';

/** Messages waiting plus in flight (approximate, as SQS counts them); undefined when unknown. */
const approximateCount = async (target: Target, url: string): Promise<number | undefined> => {
  try {
    const { Attributes = {} } = await target.sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  } catch {
    return undefined;
  }
};

const about = (count: number | undefined): string =>
  count === undefined ? 'every message' : `every message (about ${plural(count, 'message')})`;

const purge = async (target: Target, io: CliIo, yes: boolean, json: boolean): Promise<number> => {
  if (!yes) {
    // Say exactly what would go; if the queue cannot be reached, say it without the details.
    let where = 'the dead-letter queue';
    let count: number | undefined;
    try {
      const url = await target.queueUrl('deadLetterQueue');
      where = `the dead-letter queue ${url}`;
      count = await approximateCount(target, url);
    } catch {}
    io.err(
      `dr-relay: dlq purge deletes ${about(count)} in ${where}, for good; nothing was deleted. ` +
        'Inspect them first (dr-relay dlq list), then run: dr-relay dlq purge --yes',
    );
    return EXIT.usage;
  }
  const url = await step('finding the dead-letter queue', () => target.queueUrl('deadLetterQueue'));
  const count = await approximateCount(target, url);
  await step(`purging the dead-letter queue ${url}`, () =>
    target.sqs().send(new PurgeQueueCommand({ QueueUrl: url })),
  );
  if (json)
    io.out(JSON.stringify({ purged: true, queue_url: url, approximate_messages: count ?? null }, null, 2));
  else
    io.out(
      `purged ${url}: ${count === undefined ? 'all messages' : plural(count, 'message')} deleted ` +
        '(SQS may take up to 60 s to finish)',
    );
  return EXIT.ok;
};

export const dlqPurgeCommand: Command = {
  words: ['dlq', 'purge'],
  args: '--yes [--json]',
  summary: 'delete every dead letter for good (PurgeQueue); without --yes: say what it would delete, exit 2',
  options: { yes: { type: 'boolean' }, json: { type: 'boolean' }, ...placeOptions('deadLetterQueue') },
  positionals: { min: 0, max: 0 },
  run: ({ values }: CommandArgs, io) =>
    withTarget(io, values, ['deadLetterQueue'], (target) =>
      purge(target, io, values['yes'] === true, values['json'] === true),
    ),
};
