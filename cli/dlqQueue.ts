/**
 * Reading the dead-letter queue without removing anything: messages are received with a visibility
 * timeout (so one pass sees each message once), and made visible again (visibility 0) when the
 * command is done with them. A message the command crashes on reappears by itself when its
 * visibility timeout ends: nothing is ever lost by reading.
 * Owns: receive / hold / release. Must not touch: what a message means (deadLetters.ts).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** How many messages a command reads at most (SQS has no "get by id": show and redrive scan). */
export const SCAN_LIMIT = 1_000;

export interface HeldMessages {
  /** In the order first received; each with its latest receipt handle. */
  readonly messages: Message[];
  /** True when the limit stopped the reading (more may be waiting). */
  readonly limited: boolean;
}

export interface ReadOptions {
  readonly max: number;
  /** How long the messages stay hidden while the command works on them. */
  readonly visibilitySeconds: number;
  /** Seconds a receive waits for messages (long polling: SQS answers from every server). */
  readonly waitSeconds?: number;
  readonly progress?: (read: number) => void;
}

const receiveInto = async (
  sqs: SQSClient,
  queueUrl: string,
  options: ReadOptions,
  held: Map<string, Message>,
): Promise<void> => {
  // A receive that brings nothing new twice in a row means the queue has been read through.
  for (let stale = 0; held.size < options.max && stale < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, options.max - held.size),
        VisibilityTimeout: options.visibilitySeconds,
        WaitTimeSeconds: options.waitSeconds ?? 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    let fresh = 0;
    for (const m of Messages) {
      if (!m.MessageId) continue;
      if (!held.has(m.MessageId)) fresh++;
      held.set(m.MessageId, m);
    }
    stale = fresh === 0 ? stale + 1 : 0;
    if (fresh > 0) options.progress?.(held.size);
  }
};

/**
 * Makes messages visible again at once. Returns the ids that could not be released (they reappear
 * by themselves when their visibility timeout ends).
 */
export const release = async (
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<string[]> => {
  const failed: string[] = [];
  const handles = messages.filter((m) => m.ReceiptHandle && m.MessageId);
  for (let i = 0; i < handles.length; i += 10) {
    const batch = handles.slice(i, i + 10);
    try {
      const { Failed = [] } = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, n) => ({
            Id: String(n),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      for (const f of Failed) failed.push(batch[Number(f.Id)]?.MessageId ?? '?');
    } catch {
      failed.push(...batch.map((m) => m.MessageId ?? '?'));
    }
  }
  return failed;
};

/** Receives up to `max` messages and keeps them hidden; the caller must `release` what it keeps. */
export const readHeld = async (
  sqs: SQSClient,
  queueUrl: string,
  options: ReadOptions,
): Promise<HeldMessages> => {
  const held = new Map<string, Message>();
  try {
    await receiveInto(sqs, queueUrl, options, held);
  } catch (error) {
    // Nothing half-read stays hidden: what was received so far is made visible again.
    await release(sqs, queueUrl, [...held.values()]);
    throw error;
  }
  return { messages: [...held.values()], limited: held.size >= options.max };
};
