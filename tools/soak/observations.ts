/**
 * The observations file a run leaves next to the children's logs (kept when the run failed, or with
 * --keep-logs): every dead letter with its request's plan, its decision at the redrive and its status
 * records before and after; every request whose outcome was not the planned one; the kills.
 * Owns: that file's content. Must not touch: the verdict.
 */
import type { Observed } from './observed.ts';
import { effectsOf } from './witness.ts';

/** What a person looks at after a run: every dead letter with its request's plan and its statuses. */
export const observationsOf = (o: Observed) => {
  const byKey = new Map(o.keyed.map((k) => [k.key, k]));
  return {
    deadLetters: o.lettersBefore.map((held) => {
      const k = held.key === undefined ? undefined : byKey.get(held.key);
      const decision = o.redrive.decisions.find((d) => d.held === held);
      return {
        key: held.key,
        role: k?.planned.role,
        path: k?.planned.path,
        action: k?.request.action,
        kind: held.letter?.error.kind,
        reason: held.letter?.reason ?? (held.raw ? 'moved by maxReceiveCount' : 'unreadable'),
        attempts: held.letter?.attempts,
        source: held.letter?.source.type,
        redriven: decision
          ? { verifiedNotApplied: decision.verifiedNotApplied, effectsSeen: decision.effectsSeen }
          : null,
        before: held.key ? o.before.statuses.get(held.key) : undefined,
        after: held.key ? o.after.statuses.get(held.key) : undefined,
      };
    }),
    // Every request whose outcome is not the planned one (before or after the redrive), in full.
    unplanned: o.keyed
      .filter((k) => {
        const expected = k.planned.role === 'primary' ? 'succeeded' : 'skipped';
        const before = o.before.statuses.get(k.key)?.status;
        return (
          (before !== expected && before !== 'dead_lettered') ||
          o.after.statuses.get(k.key)?.status !== expected
        );
      })
      .map((k) => ({
        key: k.key,
        role: k.planned.role,
        path: k.planned.path,
        action: k.request.action,
        effects: effectsOf(o.witnessAfter, k.request),
        kills: o.worker.kills.flatMap((kill, i) => (kill.keysInFlight.includes(k.key) ? [i + 1] : [])),
        before: o.before.statuses.get(k.key),
        after: o.after.statuses.get(k.key),
      })),
    kills: o.worker.kills,
    errors: o.errors,
  };
};
