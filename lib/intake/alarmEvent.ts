/**
 * One event of the alarms function (CloudWatch via SNS, EventBridge or a direct alarm action):
 * recognised and normalised (lib/sources), checked to come from this deployment (rule 7: its
 * accounts and, via SNS, the stack's alarm topic), then handed to the alarm pipeline.
 * An event of no known shape, and one from another account or topic, is dead-lettered with the event
 * itself and the fields that failed, and the invocation ends normally: retrying cannot help, and
 * Lambda must not retry it. Dead-lettered rather than dropped, because in normal operation nothing
 * foreign reaches this function: a refusal is an attack or a misconfiguration (a second account not
 * yet in DR_AWS_ACCOUNT_IDS), and either wants a person, whom the dead-letter alarm pages, with the
 * evidence. Infrastructure errors are thrown so Lambda retries the async invocation and then sends it
 * to the on-failure destination.
 * Owns: that step. Must not touch: parsing rules, the trust comparison, routing, the remote call.
 */
import { type DeadLetterDeps, deadLetter, reasonOf } from '../deadLetters/deadLetter.ts';
import { ValidationError } from '../errors.ts';
import type { Log } from '../log.ts';
import { type CloudWatchDelivery, parseCloudWatchDelivery } from '../sources/cloudwatch.ts';
import {
  assertTrustedOrigin,
  type CloudWatchTrust,
  UntrustedAlarmError,
} from '../sources/cloudwatchTrust.ts';
import type { AlarmPipeline, SignalResult } from './alarmSignals.ts';

export interface AlarmEventSummary {
  readonly signals: number;
  readonly results: SignalResult[];
  /** Not a CloudWatch alarm event: the dead letter's reason. */
  readonly invalid?: string;
  /** A CloudWatch alarm from another account or topic: the dead letter's reason. */
  readonly refused?: string;
}

export interface AlarmEventDeps {
  readonly pipeline: Pick<AlarmPipeline, 'process'>;
  readonly deadLetters: DeadLetterDeps;
  /** Whose alarms may act. */
  readonly trust: CloudWatchTrust;
  readonly log: Log;
  readonly count: (metric: 'AlarmEventsRefused') => void;
}

export const handleAlarmEvent = async (
  event: unknown,
  deps: AlarmEventDeps,
  invocation: { readonly remainingMs: () => number; readonly signal?: AbortSignal | undefined },
): Promise<AlarmEventSummary> => {
  const dropWith = (error: ValidationError) =>
    deadLetter(deps.deadLetters, {
      error,
      attempts: 1,
      rawBody: JSON.stringify(event),
      source: { type: 'alarm' },
    });
  let delivery: CloudWatchDelivery;
  try {
    delivery = parseCloudWatchDelivery(event);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const letter = await dropWith(error);
    return { signals: 0, results: [], invalid: reasonOf(letter) };
  }
  try {
    assertTrustedOrigin(delivery.origin, deps.trust);
  } catch (error) {
    if (!(error instanceof UntrustedAlarmError)) throw error;
    deps.count('AlarmEventsRefused');
    deps.log.warn('CloudWatch alarm refused: not from this deployment', {
      alarms: delivery.signals.map((s) => `${s.name}:${s.state}`),
      issues: error.issues,
    });
    const letter = await dropWith(error);
    return { signals: delivery.signals.length, results: [], refused: reasonOf(letter) };
  }
  return {
    signals: delivery.signals.length,
    results: await deps.pipeline.process(delivery.signals, invocation),
  };
};
