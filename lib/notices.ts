/**
 * Notices to people (dead letters, operation ends, approvals): one SNS message each on the
 * operations topic, through one SNS client built on the first notice (no notice precedes an alarm's
 * first call, so a cold start does not build it before that call). Its code is loaded with the
 * bundle: loading it on first use (`import()`) made esbuild wrap every module it shares with the
 * other AWS clients in a lazy initialiser, which V8 then parses twice: 40 ms more to import the
 * bundle, measured (docs/performance.md).
 * Owns: the Publish call, and that a failed notice is logged, never thrown (the record it tells of
 * already holds the truth). Must not touch: any notice's wording (each notifier owns its own).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Log } from './log.ts';

/** One notice, as an SNS message carries it. */
export interface Notice {
  readonly subject: string;
  readonly message: string;
}

/** Where notices go: one topic. */
export interface Publisher {
  readonly topic: string;
  publish(notice: Notice): Promise<void>;
}

/** A Publisher to the SNS topic `topicArn`, building its client on the first notice. */
export const snsPublisher = (topicArn: string): Publisher => {
  let client: SNSClient | undefined;
  return {
    topic: topicArn,
    publish: async (notice) => {
      client ??= new SNSClient({});
      await client.send(
        new PublishCommand({ TopicArn: topicArn, Subject: notice.subject, Message: notice.message }),
      );
    },
  };
};

/**
 * A notifier: words each event with `summarise` and publishes it; a failed publish is logged with
 * `failure` (what still holds the truth), never thrown.
 */
export const notifier =
  <E extends unknown[]>(
    publisher: Publisher,
    log: Log,
    failure: string,
    summarise: (...event: E) => Notice,
  ) =>
  async (...event: E): Promise<void> => {
    try {
      await publisher.publish(summarise(...event));
    } catch (error) {
      log.error(failure, { topic: publisher.topic, error: (error as Error).message });
    }
  };
