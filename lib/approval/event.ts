/**
 * A message that moves an approval on, carried on the request queue: the timer (at the deadline,
 * in steps of at most 15 min, SQS's longest delay) and "decided" (a decision was recorded).
 * Owns: the message's schema. Must not touch: what happens on it (desk.ts).
 */
import * as z from '../schema/zod.ts';

export const APPROVAL_EVENT_TYPE = 'dr-relay.approval-event';

export const ApprovalEventSchema = z.lazySchema(() =>
  z.object({
    type: z.literal(APPROVAL_EVENT_TYPE),
    version: z.literal(1),
    key: z.string().check(z.minLength(1)),
    event: z.enum(['timer', 'decided']),
  }),
);
export type ApprovalEvent = z.infer<typeof ApprovalEventSchema>;
