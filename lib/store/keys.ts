/**
 * Every kind of item in STATE_TABLE, by the prefix of its `id`: one place, so no two stores can
 * collide and a reader of the table knows what each item is.
 *   req#<idempotency key>        request status record (status.ts)
 *   cooldown#<target>            per-target cooldown claim (cooldowns.ts)
 *   idem#<Idempotency-Key>       the HTTP API's Idempotency-Key answers (idempotencyKeys.ts)
 *   dr-relay#execute#<hash>      Powertools' idempotency record of one execution (execution/idempotent.ts)
 */
export const KEY_PREFIX = {
  request: 'req#',
  cooldown: 'cooldown#',
  httpIdempotencyKey: 'idem#',
  /** Powertools adds `#` and the hash of the key after it. */
  execution: 'dr-relay#execute',
} as const;
