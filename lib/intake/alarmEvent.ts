/**
 * One event of the alarms function (CloudWatch via SNS, EventBridge or a direct alarm action):
 * recognised and normalised (lib/sources), then handed to the alarm pipeline. An event of no known
 * shape is dead-lettered with the event itself (retrying it cannot help); infrastructure errors
 * are thrown so Lambda retries the async invocation and then sends it to the on-failure destination.
 * Owns: that step. Must not touch: parsing rules, routing, the remote call.
 */
import { type DeadLetterDeps, deadLetter } from '../deadLetters/deadLetter.ts';
import { ValidationError } from '../errors.ts';
import { type AlarmSignal, detectAwsAlarm } from '../sources/index.ts';
import type { AlarmPipeline, SignalResult } from './alarmSignals.ts';

export interface AlarmEventSummary {
  readonly signals: number;
  readonly results: SignalResult[];
  readonly invalid?: string;
}

export interface AlarmEventDeps {
  readonly pipeline: Pick<AlarmPipeline, 'process'>;
  readonly deadLetters: DeadLetterDeps;
}

export const handleAlarmEvent = async (
  event: unknown,
  deps: AlarmEventDeps,
  invocation: { readonly remainingMs: () => number; readonly signal?: AbortSignal | undefined },
): Promise<AlarmEventSummary> => {
  let alarms: AlarmSignal[];
  try {
    alarms = detectAwsAlarm(event);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const letter = await deadLetter(deps.deadLetters, {
      error,
      attempts: 1,
      rawBody: JSON.stringify(event),
      source: { type: 'alarm' },
    });
    return { signals: 0, results: [], invalid: letter.reason };
  }
  return { signals: alarms.length, results: await deps.pipeline.process(alarms, invocation) };
};
