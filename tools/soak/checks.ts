/**
 * The soak's invariants and counts, from what the run observed: status records (before and after the
 * redrive), dead letters, the simulator's call log, the answers to every delivery, the worker's kills.
 * Each invariant carries its numbers and, when it fails, the first offenders.
 * Owns: what "passed" means. Must not touch: running anything.
 */
import { isDeepStrictEqual } from 'node:util';
import { countsOf } from './counts.ts';
import { type Invariant, type Keyed, type Observed, tally } from './observed.ts';
import type { HeldLetter } from './redrive.ts';
import { TERMINAL } from './settle.ts';
import { effectKeyOf, effectsOf } from './witness.ts';

export type { Invariant, Keyed, Observed } from './observed.ts';

const first = (items: readonly string[], n = 10) => items.slice(0, n);

const expectedStatus = (k: Keyed) => (k.planned.role === 'primary' ? 'succeeded' : 'skipped');
const expectedEffects = (k: Keyed) => (k.planned.role === 'primary' ? 1 : 0);

/** The dead letter's context is complete: the request itself, the reason, the error, and for an alarm its signal and route. */
const hasContext = (k: Keyed, letter: HeldLetter): boolean => {
  const l = letter.letter;
  if (!l) return false;
  const alarm = k.planned.path === 'alarm';
  return (
    l.idempotency_key === k.key &&
    isDeepStrictEqual(l.request, k.request) &&
    l.reason.length > 0 &&
    l.error.message.length > 0 &&
    l.attempts >= 1 &&
    (!alarm || (l.alarm !== undefined && l.route === k.route && l.source.type === 'alarm'))
  );
};

export const evaluate = (o: Observed): { invariants: Invariant[]; counts: Record<string, unknown> } => {
  const invariants: Invariant[] = [];
  const add = (name: string, offenders: readonly string[], detail: string) =>
    invariants.push({
      name,
      ok: offenders.length === 0,
      detail,
      ...(offenders.length ? { offenders: first(offenders) } : {}),
    });
  const lettersByKey = new Map<string, HeldLetter[]>();
  for (const held of o.lettersBefore) {
    if (held.key) lettersByKey.set(held.key, [...(lettersByKey.get(held.key) ?? []), held]);
  }
  const statusBefore = (k: Keyed) => o.before.statuses.get(k.key);
  /** ` [in flight at kill 2]` when the key's message was in the worker's hands at a kill: evidence for a finding. */
  const atKill = (key: string) => {
    const kills = o.worker.kills.flatMap((kill, i) => (kill.keysInFlight.includes(key) ? [i + 1] : []));
    return kills.length > 0 ? ` [in flight at kill ${kills.join(', ')}]` : '';
  };
  const statusAfter = (k: Keyed) => o.after.statuses.get(k.key);

  // 1. Every request ends succeeded, skipped with a reason, or dead-lettered with its context.
  const badEnds: string[] = [];
  for (const k of o.keyed) {
    const s = statusBefore(k);
    if (!s || !TERMINAL.has(s.status)) continue; // counted as lost below
    if (s.status === 'skipped' && !s.reason) badEnds.push(`${k.key}: skipped without a reason`);
    if (s.status === 'dead_lettered' && !(lettersByKey.get(k.key) ?? []).some((l) => hasContext(k, l))) {
      badEnds.push(
        `${k.key}: dead-lettered, but no dead letter with its request, reason and context${atKill(k.key)}`,
      );
    }
  }
  const rawLetters = o.lettersBefore
    .filter((l) => l.raw !== undefined)
    .map((l) => `${l.key}: moved by maxReceiveCount`);
  const unknownLetters = o.lettersBefore
    .filter((l) => !l.key)
    .map((l) => `${l.message.MessageId}: unreadable dead letter`);
  const endCounts = tally(o.keyed.map((k) => statusBefore(k)?.status ?? 'missing'));
  add(
    'every request ends succeeded, skipped with a reason, or dead-lettered with its context',
    [...badEnds, ...rawLetters, ...unknownLetters],
    `${endCounts['succeeded'] ?? 0} succeeded, ${endCounts['skipped'] ?? 0} skipped, ${endCounts['dead_lettered'] ?? 0} dead-lettered ` +
      `(${o.lettersBefore.length} dead letters, ${rawLetters.length} without context)`,
  );

  // 1b. Dead letters agree with the status records: every dead-lettered key has its letter, no other
  // key has one. Dead-lettering is at-least-once (the letter is stored before the status says
  // dead_lettered, so a worker killed in between stores it again): identical extra letters are
  // counted, and harmless (a redrive of each is the same idempotent request).
  const letterMismatch: string[] = [];
  let extraLetters = 0;
  for (const [key, letters] of lettersByKey) {
    const status = o.before.statuses.get(key)?.status ?? 'no status';
    extraLetters += letters.length - 1;
    if (status !== 'dead_lettered') letterMismatch.push(`${key}: a dead letter, but the status is ${status}`);
  }
  for (const k of o.keyed) {
    if (statusBefore(k)?.status === 'dead_lettered' && !lettersByKey.has(k.key)) {
      letterMismatch.push(`${k.key}: status dead_lettered but no dead letter`);
    }
  }
  add(
    'dead letters agree with the status records (every dead-lettered key has one, no other key has any)',
    letterMismatch,
    `${lettersByKey.size} keys with dead letters, ${o.lettersBefore.length} dead letters (${extraLetters} repeated after a kill)`,
  );

  // 2. Zero lost: every key terminal and the request queue empty, within the bound.
  const stuck = o.keyed
    .filter((k) => !TERMINAL.has(statusBefore(k)?.status ?? ''))
    .map(
      (k) => `${k.key} (${k.planned.path}): ${statusBefore(k)?.status ?? 'no status record'}${atKill(k.key)}`,
    );
  add(
    'zero lost: every key terminal, the request queue empty',
    [...stuck, ...(o.before.settled ? [] : [`did not settle in time (queue depth ${o.before.queueDepth})`])],
    `${o.keyed.length - stuck.length}/${o.keyed.length} keys terminal, request queue depth ${o.before.queueDepth}`,
  );

  // 3. Zero keys executed twice: no (route, resource) of the whole call log took effect twice.
  const keyAt = new Map(o.keyed.map((k) => [effectKeyOf(k.request), k.key]));
  const twice = [...o.witnessAfter.effects]
    .filter(([, n]) => n > 1)
    .map(([at, n]) => `${keyAt.get(at) ?? at}: ${n} effects (${at})${atKill(keyAt.get(at) ?? '')}`);
  const maxEffects = Math.max(0, ...o.witnessAfter.effects.values());
  add(
    'zero idempotency keys executed twice at the simulator',
    twice,
    `${o.witnessAfter.effects.size} (action, target) pairs took effect, at most ${maxEffects} time(s) each`,
  );

  // 3b. Nothing executed again: no effectful call for a key once its call took effect (even one refused as busy).
  const again = [...o.witnessAfter.callsAfterEffect].map(
    ([at, n]) =>
      `${keyAt.get(at) ?? at}: ${n} call(s) after it took effect (${at})${atKill(keyAt.get(at) ?? '')}`,
  );
  add(
    'no key called again after its call took effect',
    again,
    `${[...o.witnessAfter.callsAfterEffect.values()].reduce((a, b) => a + b, 0)} effectful calls after an effect`,
  );

  // 4. Before the redrive, each outcome agrees with the call log.
  const disagree: string[] = [];
  for (const k of o.keyed) {
    const s = statusBefore(k);
    const n = effectsOf(o.witnessBefore, k.request);
    const why: string[] = [];
    if (s?.status === 'succeeded' && n !== 1) why.push(`succeeded with ${n} effects`);
    if (s?.status === 'skipped' && n !== 0) why.push(`skipped with ${n} effects`);
    if (s?.status === 'dead_lettered' && n !== 0 && s.error?.kind !== 'ambiguous') {
      why.push(`dead-lettered as ${s.error?.kind} although its call took effect`);
    }
    if (s && TERMINAL.has(s.status) && s.status !== 'dead_lettered' && s.status !== expectedStatus(k)) {
      why.push(`a ${k.planned.role} ${k.request.action} ended ${s.status}`);
    }
    if (why.length > 0) {
      disagree.push(
        `${k.key} via ${k.planned.path}: ${why.join('; ')} (${s?.reason ?? s?.error?.message ?? ''})${atKill(k.key)}`,
      );
    }
  }
  add(
    'outcomes agree with the simulator (succeeded = 1 effect, skipped = 0, only ambiguous dead letters took effect)',
    disagree,
    `${o.keyed.length} keys compared with the call log`,
  );

  // 5. Every dead letter redriven after the faults stopped ends as planned, exactly once.
  const redriveBad: string[] = [];
  const byKey = new Map(o.keyed.map((k) => [k.key, k]));
  for (const d of o.redrive.decisions) {
    const k = byKey.get(d.held.key ?? '');
    if (!k) {
      redriveBad.push(`${d.held.key}: redriven, but not a soak key`);
      continue;
    }
    const s = statusAfter(k);
    const n = effectsOf(o.witnessAfter, k.request);
    if (s?.status !== expectedStatus(k) || n !== expectedEffects(k)) {
      redriveBad.push(
        `${k.key}: ${s?.status ?? 'no status'} with ${n} effect(s) after the redrive (${s?.reason ?? s?.error?.message ?? ''})${atKill(k.key)}`,
      );
    }
  }
  const leftover = o.lettersAfter.map(
    (l) => `${l.key ?? l.message.MessageId}: in the dead-letter queue after the redrive`,
  );
  add(
    'every dead letter redriven after the faults stop ends succeeded exactly once',
    [
      ...redriveBad,
      ...leftover,
      ...o.redrive.failed,
      ...(o.after.settled ? [] : [`the redrive did not settle in time (queue depth ${o.after.queueDepth})`]),
    ],
    `${o.redrive.decisions.length} redriven (${o.redrive.decisions.filter((d) => d.verifiedNotApplied).length} verified-not-applied), ` +
      `${o.lettersAfter.length} dead letters left`,
  );

  // 6. After the redrive, every request as planned: primaries succeeded once, companions skipped.
  const notPlanned = o.keyed
    .filter(
      (k) =>
        statusAfter(k)?.status !== expectedStatus(k) ||
        effectsOf(o.witnessAfter, k.request) !== expectedEffects(k),
    )
    .map(
      (k) =>
        `${k.key} (${k.planned.role} ${k.request.action} via ${k.planned.path}): ${statusAfter(k)?.status ?? 'no status'}, ` +
        `${effectsOf(o.witnessAfter, k.request)} effect(s)${atKill(k.key)}`,
    );
  const primaries = o.keyed.filter((k) => k.planned.role === 'primary').length;
  add(
    'in the end every primary succeeded with exactly one effect, every companion was skipped with none',
    notPlanned,
    `${primaries} primaries, ${o.keyed.length - primaries} companions`,
  );

  // 7. The worker was really killed mid-batch, and never died by itself.
  const midBatch = o.worker.kills.filter((k) => k.batchesInFlight > 0).length;
  add(
    `the worker was SIGKILLed mid-batch at least ${o.options.kills} times`,
    midBatch >= o.options.kills ? [] : [`only ${midBatch} kill(s) with a batch in flight`],
    `${midBatch} kills mid-batch (${o.worker.kills.reduce((n, k) => n + k.recordsInFlight, 0)} records in flight, ` +
      `${o.worker.inFlightAtKillsRedelivered} of them received again later)`,
  );
  add(
    'the worker never died by itself',
    o.worker.unexpectedExits === 0 ? [] : [`${o.worker.unexpectedExits} unexpected exit(s)`],
    `${o.worker.starts} worker starts`,
  );

  // 8. Every delivery was accepted, and every alarm episode got exactly its expected key.
  const keyBad: string[] = [];
  for (const k of o.keyed.filter((x) => x.planned.path === 'alarm')) {
    const seen = [...(o.traffic.alarmKeys.get(k.planned.index) ?? [])];
    if (seen.length !== 1 || seen[0] !== k.key)
      keyBad.push(`alarm request ${k.planned.index}: keys ${JSON.stringify(seen)}, expected ${k.key}`);
  }
  add(
    'every delivery accepted; every alarm episode answered with its one key',
    [...o.traffic.failures, ...keyBad, ...o.errors],
    `${Object.values(o.traffic.sent).reduce((a, b) => a + b, 0)} deliveries, ${o.traffic.retries} sender retries`,
  );

  // 9. Accepted is not done: every accepted call's operation ended (completed, failed, stalled),
  //    and none is left running without a pending check (the queue is empty at the end).
  const openOperations: string[] = [];
  const operationStates: Record<string, number> = {};
  for (const [key, status] of o.after.statuses) {
    if (status?.status !== 'succeeded') continue;
    const state = status.operation?.state ?? 'not followed';
    operationStates[state] = (operationStates[state] ?? 0) + 1;
    if (state === 'running' || state === 'not followed') openOperations.push(`${key}: operation ${state}`);
    if (state === 'stalled' && !status.operation?.abandoned && o.after.queueDepth === 0)
      openOperations.push(`${key}: stalled with no pending check`);
  }
  add(
    'every accepted call is followed to its end: completed, failed or stalled, none left running',
    openOperations,
    Object.entries(operationStates)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ') || 'no accepted calls',
  );

  // 10. Bounded.
  add(
    'finished before the deadline',
    o.elapsedMs <= o.options.deadlineMs ? [] : [`took ${Math.round(o.elapsedMs / 1000)} s`],
    `${Math.round(o.elapsedMs / 1000)} s of ${Math.round(o.options.deadlineMs / 1000)} s`,
  );

  return { invariants, counts: countsOf(o) };
};
