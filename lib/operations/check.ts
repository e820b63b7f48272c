/**
 * A delayed check of a followed operation, carried on the request queue (so a cold function, a
 * crash or a redeploy loses nothing): which request, and the sequence number of this check.
 * Owns: the message's schema. Must not touch: what a check does (tracker.ts).
 */
import * as z from '../schema/zod.ts';

export const OPERATION_CHECK_TYPE = 'dr-relay.operation-check';

export const OperationCheckSchema = z.lazySchema(() =>
  z.object({
    type: z.literal(OPERATION_CHECK_TYPE),
    version: z.literal(1),
    /** The status record's key (the request's idempotency key). */
    key: z.string().check(z.minLength(1)),
    /** Validated again as an ActionRequest by the tracker. */
    request: z.unknown(),
    /** Checks applied before this one: a check is applied only at its turn. */
    seq: z.number().check(z.int(), z.gte(0)),
  }),
);
export type OperationCheck = z.infer<typeof OperationCheckSchema>;
