/**
 * The dead-letter queue after the faults: read every dead letter (held hidden, not deleted), and
 * redrive each as `dr-relay dlq redrive` does (the same body back to the request queue with the
 * `dr_relay_redrive` attribute, then deleted from the dead-letter queue), after the runbook's check
 * for an ambiguous one: the simulator's call log says whether its call took effect; if it did not,
 * the redrive also carries `dr_relay_verified_not_applied`; if it did, a plain redrive reconciles.
 * Owns: reading and redriving. Must not touch: what the handler does with a redrive.
 */
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ActionRequest, idempotencyKey, parseActionRequestJson } from '../../lib/actions/request.ts';
import { type DeadLetter, DeadLetterSchema } from '../../lib/deadLetters/deadLetter.ts';
import { REDRIVE_ATTRIBUTE, VERIFIED_NOT_APPLIED_ATTRIBUTE } from '../../lib/intake/queueRecord.ts';

export interface HeldLetter {
  readonly message: Message;
  /** The dr-relay record, when the body is one. */
  readonly letter?: DeadLetter;
  /** A raw ActionRequest moved by the queue's own redrive policy (maxReceiveCount). */
  readonly raw?: ActionRequest;
  readonly key?: string;
  readonly request?: ActionRequest;
}

export const parseHeld = (message: Message): HeldLetter => {
  const body = message.Body ?? '';
  try {
    const letter = DeadLetterSchema.parse(JSON.parse(body));
    const request = letter.request === undefined ? undefined : (letter.request as ActionRequest);
    return {
      message,
      letter,
      ...(letter.idempotency_key ? { key: letter.idempotency_key } : {}),
      ...(request ? { request } : {}),
    };
  } catch {
    try {
      const raw = parseActionRequestJson(body);
      return { message, raw, key: idempotencyKey(raw), request: raw };
    } catch {
      return { message };
    }
  }
};

/** Receives every message of the dead-letter queue, hidden for `visibilitySeconds`; none deleted. */
export const readDeadLetterQueue = async (
  sqs: SQSClient,
  queueUrl: string,
  visibilitySeconds: number,
): Promise<HeldLetter[]> => {
  const held = new Map<string, Message>();
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: empty === 0 ? 0 : 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) if (m.MessageId) held.set(m.MessageId, m);
  }
  return [...held.values()].map(parseHeld);
};

export interface RedriveDecision {
  readonly held: HeldLetter;
  readonly verifiedNotApplied: boolean;
  /** What the operator saw: the number of effects the call log shows for its target. */
  readonly effectsSeen: number;
}

export interface RedriveResult {
  readonly decisions: readonly RedriveDecision[];
  /** Letters that could not be redriven (no request inside, or a send / delete failure), with why. */
  readonly failed: readonly string[];
}

/**
 * Redrives every held letter carrying a request. `effectsOf` is the operator's check of the resource
 * (the simulator's call log): only an ambiguous letter whose call did not take effect is redriven as
 * verified-not-applied.
 */
export const redriveAll = async (
  sqs: SQSClient,
  urls: { readonly deadLetterQueueUrl: string; readonly requestQueueUrl: string },
  letters: readonly HeldLetter[],
  effectsOf: (request: ActionRequest) => number,
): Promise<RedriveResult> => {
  const decisions: RedriveDecision[] = [];
  const failed: string[] = [];
  for (const held of letters) {
    if (!held.request) {
      failed.push(`${held.message.MessageId}: no request inside, left in place`);
      continue;
    }
    const effectsSeen = effectsOf(held.request);
    const verifiedNotApplied = held.letter?.error.kind === 'ambiguous' && effectsSeen === 0;
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.requestQueueUrl,
          MessageBody: held.message.Body ?? '',
          MessageAttributes: {
            [REDRIVE_ATTRIBUTE]: { DataType: 'String', StringValue: '1' },
            ...(verifiedNotApplied
              ? { [VERIFIED_NOT_APPLIED_ATTRIBUTE]: { DataType: 'String', StringValue: '1' } }
              : {}),
          },
        }),
      );
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: urls.deadLetterQueueUrl,
          ReceiptHandle: held.message.ReceiptHandle,
        }),
      );
      decisions.push({ held, verifiedNotApplied, effectsSeen });
    } catch (error) {
      failed.push(`${held.key ?? held.message.MessageId}: ${(error as Error).message}`);
    }
  }
  return { decisions, failed };
};
