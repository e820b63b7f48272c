/**
 * The request queue as a producer sees it: a validated ActionRequest put on REQUEST_QUEUE_URL for
 * the request function to execute: a signed API request, or an alarm's action with its route context.
 * Owns: SendMessage to the request queue. Must not touch: validation, execution.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ActionRequest } from '../actions/request.ts';
import type { ApprovalEvent } from '../approval/event.ts';
import type { OperationCheck } from '../operations/check.ts';
import type { AlarmAction } from './alarmAction.ts';

export class RequestQueue {
  readonly #sqs: Pick<SQSClient, 'send'>;
  readonly #queueUrl: string;

  constructor(sqs: Pick<SQSClient, 'send'>, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(request: ActionRequest): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(request) }),
    );
  }

  /** A delayed check of a followed operation (lib/operations/check.ts). */
  sendOperationCheck(check: OperationCheck, delaySeconds: number): Promise<void> {
    return this.#sendDelayed(check, delaySeconds);
  }

  /** An approval's timer or decision (lib/approval/event.ts), delayed. */
  sendApprovalEvent(event: ApprovalEvent, delaySeconds: number): Promise<void> {
    return this.#sendDelayed(event, delaySeconds);
  }

  /** SQS delays a message by 0 to 900 whole seconds. */
  async #sendDelayed(body: object, delaySeconds: number): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      }),
    );
  }

  /** An alarm's action with its route context (lib/intake/alarmAction.ts). */
  async sendAlarmAction(action: AlarmAction): Promise<void> {
    await this.#sqs.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(action) }),
    );
  }
}
