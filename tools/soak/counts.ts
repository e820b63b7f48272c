/**
 * The soak's counts, printed and in the last JSON line: requests per path, source and action,
 * deliveries and duplicates, answers, SQS receives, faults by kind (from the simulator's call log),
 * kills, outcomes before the redrive (by kind), the redrive and its outcomes, and the time taken.
 * Owns: those numbers. Must not touch: whether the run passed (checks.ts).
 */
import { FAULT_NAMES } from './faults.ts';
import { type Keyed, type Observed, tally } from './observed.ts';
import { TERMINAL } from './settle.ts';

/** CloudWatch episodes delivered through more than one shape (SNS, EventBridge, alarm action). */
const crossShapeEpisodes = (o: Observed): number => {
  const shapes = new Map<number, Set<string>>();
  for (const send of o.sends.sends) {
    if (send.kind !== 'alarm' || !send.via.startsWith('cloudwatch')) continue;
    for (const i of send.requests) shapes.set(i, (shapes.get(i) ?? new Set()).add(send.via));
  }
  return [...shapes.values()].filter((s) => s.size > 1).length;
};

export const countsOf = (o: Observed): Record<string, unknown> => {
  const statusBefore = (k: Keyed) => o.before.statuses.get(k.key);
  const endCounts = tally(o.keyed.map((k) => statusBefore(k)?.status ?? 'missing'));
  const stuck = o.keyed.filter((k) => !TERMINAL.has(statusBefore(k)?.status ?? ''));
  const deliveries = Object.values(o.traffic.sent).reduce((a, b) => a + b, 0);
  const faultsByKind = Object.fromEntries(
    Object.entries(o.witnessAfter.faults).map(([label, n]) => [FAULT_NAMES[label] ?? label, n]),
  );
  const faulted = Object.values(o.witnessAfter.faults).reduce((a, b) => a + b, 0);
  const readFaultsByKind = Object.fromEntries(
    Object.entries(o.witnessAfter.readFaults).map(([label, n]) => [FAULT_NAMES[label] ?? label, n]),
  );
  const deadBefore = o.keyed.filter((k) => statusBefore(k)?.status === 'dead_lettered');
  const counts = {
    requests: o.keyed.length,
    targets: new Set(o.keyed.map((k) => k.planned.target)).size,
    requestsByPath: tally(o.keyed.map((k) => k.planned.path)),
    alarmRequestsBySource: tally(
      o.keyed.flatMap((k) => (k.planned.alarmSource ? [k.planned.alarmSource] : [])),
    ),
    requestsByAction: tally(o.keyed.map((k) => k.request.action)),
    roles: tally(o.keyed.map((k) => k.planned.role)),
    deliveries,
    duplicates: deliveries - o.keyed.length,
    burstDuplicates: o.sends.burstDuplicates,
    crossPathRequests: o.keyed.filter((k) => k.planned.path === 'queue+api').length,
    cloudWatchEpisodesAcrossShapes: crossShapeEpisodes(o),
    deliveriesByWay: o.traffic.sent,
    answers: o.traffic.answers,
    alarmResults: o.traffic.alarmResults,
    senderRetries: o.traffic.retries,
    sqs: {
      batches: o.worker.batches,
      receives: o.worker.records,
      redeliveries: o.worker.redeliveries,
    },
    simulator: {
      calls: o.witnessAfter.calls,
      effectfulCalls: o.witnessAfter.effectfulCalls,
      effectfulFaulted: faulted,
      effectfulFaultRate: o.witnessAfter.effectfulCalls
        ? Math.round((faulted / o.witnessAfter.effectfulCalls) * 1000) / 1000
        : 0,
      faultsByKind,
      stateReadFaults: readFaultsByKind,
    },
    kills: {
      total: o.worker.kills.length,
      midBatch: o.worker.kills.filter((k) => k.batchesInFlight > 0).length,
      recordsInFlight: o.worker.kills.reduce((n, k) => n + k.recordsInFlight, 0),
      redeliveredAfterKill: o.worker.inFlightAtKillsRedelivered,
      workerStarts: o.worker.starts,
      unexpectedExits: o.worker.unexpectedExits,
    },
    outcomesBeforeRedrive: {
      succeeded: endCounts['succeeded'] ?? 0,
      reconciled: o.keyed.filter(
        (k) => statusBefore(k)?.status === 'succeeded' && statusBefore(k)?.reason?.startsWith('reconciled'),
      ).length,
      skipped: endCounts['skipped'] ?? 0,
      deadLettered: deadBefore.length,
      deadLetteredByKind: tally(deadBefore.map((k) => statusBefore(k)?.error?.kind ?? '?')),
      deadLetteredByPath: tally(deadBefore.map((k) => k.planned.path)),
      notTerminal: stuck.length,
    },
    redrive: {
      redriven: o.redrive.decisions.length,
      verifiedNotApplied: o.redrive.decisions.filter((d) => d.verifiedNotApplied).length,
      ambiguousAlreadyApplied: o.redrive.decisions.filter(
        (d) => d.held.letter?.error.kind === 'ambiguous' && !d.verifiedNotApplied,
      ).length,
      outcomes: tally(
        o.redrive.decisions.map((d) => o.after.statuses.get(d.held.key ?? '')?.status ?? 'missing'),
      ),
      deadLettersLeft: o.lettersAfter.length,
    },
    seconds: Object.fromEntries(
      Object.entries({ total: o.elapsedMs, ...o.phasesMs }).map(([name, ms]) => [
        name,
        Math.round(ms / 100) / 10,
      ]),
    ),
  };
  return counts;
};
