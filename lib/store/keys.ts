/**
 * Every kind of item in STATE_TABLE, by the prefix of its `id`: one place, so no two stores can
 * collide and a reader of the table knows what each item is.
 *   req#<idempotency key>        request status record, also the key's claim (status.ts)
 *   cooldown#<target>            per-target cooldown claim (cooldowns.ts)
 *   idem#<Idempotency-Key>       the HTTP API's Idempotency-Key answers (idempotencyKeys.ts)
 *   setting#<name>               run-time settings, e.g. the automation mode (settings.ts)
 * A dry run's key is `dry-run:<key>`, so its records never stand in for a real run's.
 */
export const KEY_PREFIX = {
  request: 'req#',
  cooldown: 'cooldown#',
  httpIdempotencyKey: 'idem#',
  setting: 'setting#',
  /** Before the idempotency key of a dry run (its status record). */
  dryRun: 'dry-run:',
} as const;
