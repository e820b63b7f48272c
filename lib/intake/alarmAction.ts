/**
 * An alarm's action handed to the request queue: the ActionRequest (its request_id is the episode's
 * idempotency key) with the route context the request function needs to act as the alarm would
 * have: the route's name and cooldown, and the alarm (its raw payload bounded) for dead letters.
 * The body of such a message is this envelope; a plain ActionRequest body is a queued request.
 * Owns: the envelope's schema. Must not touch: routing, execution.
 */

import type { ActionRequest } from '../actions/request.ts';
import { boundedAlarm } from '../deadLetters/deadLetter.ts';
import { type Approval, ApprovalSchema } from '../routing/schema.ts';
import * as z from '../schema/zod.ts';
import { type AlarmSignal, AlarmSignalSchema } from '../sources/types.ts';

export const ALARM_ACTION_TYPE = 'dr-relay.alarm-action';

export const AlarmActionSchema = z.lazySchema(() =>
  z.object({
    type: z.literal(ALARM_ACTION_TYPE),
    version: z.literal(1),
    /** Validated again, as any queued request, by the request function. */
    request: z.unknown(),
    route: z.string().check(z.minLength(1)),
    cooldown_seconds: z.number().check(z.int(), z.gte(0)),
    /** Absent only for an approved request run after its decision (the approval record names the alarm). */
    alarm: z.optional(AlarmSignalSchema),
    /** The route asks a person first (lib/approval/desk.ts): proposed, not run, until decided. */
    approval: z.optional(ApprovalSchema),
    /** Set on the run that follows an approval. */
    approved: z.optional(z.literal(true)),
  }),
);
export type AlarmAction = z.infer<typeof AlarmActionSchema>;

export const alarmAction = (
  request: ActionRequest,
  route: {
    readonly name: string;
    readonly cooldown_seconds: number;
    readonly approval?: Approval | undefined;
  },
  alarm: AlarmSignal,
): AlarmAction => ({
  type: ALARM_ACTION_TYPE,
  version: 1,
  request,
  route: route.name,
  cooldown_seconds: route.cooldown_seconds,
  // A large raw payload is cut to its size, as in dead letters: a message stays far under SQS's 256 KiB.
  alarm: boundedAlarm(alarm) ?? alarm,
  ...(route.approval?.required ? { approval: route.approval } : {}),
});
