/**
 * The soak at the reduced size, the same code as `npm run soak` (tools/soak/run.ts): 300 requests over
 * 160 targets through the request queue, the signed API and alarms of every source at once, under
 * injected faults and duplicate deliveries, with the request worker SIGKILLed mid-batch twice, then
 * every dead letter redriven. Every invariant must hold. Asserts invariants and counts, never times
 * (beyond the run's own global bound).
 */
import { describe, expect, it } from 'vitest';
import { REDUCED } from '../../tools/soak/options.ts';
import { reportLines } from '../../tools/soak/report.ts';
import { runSoak } from '../../tools/soak/run.ts';

interface Counts {
  requests: number;
  targets: number;
  deliveries: number;
  burstDuplicates: number;
  requestsByPath: Record<string, number>;
  alarmRequestsBySource: Record<string, number>;
  requestsByAction: Record<string, number>;
  deliveriesByWay: Record<string, number>;
  simulator: { faultsByKind: Record<string, number> };
  kills: { midBatch: number; redeliveredAfterKill: number };
  outcomesBeforeRedrive: { skipped: number; deadLettered: number };
  redrive: { redriven: number; deadLettersLeft: number };
}

describe('soak, reduced', () => {
  it('holds every invariant through all three entry paths, faults, duplicates and kills', {
    timeout: 240_000,
  }, async () => {
    const result = await runSoak(REDUCED);
    const report = reportLines(result).join('\n');
    expect(
      result.invariants.filter((i) => !i.ok),
      report,
    ).toEqual([]);
    expect(result.invariants.length).toBeGreaterThanOrEqual(10);

    const c = result.counts as unknown as Counts;
    expect(c.requests).toBe(REDUCED.requests);
    expect(c.targets).toBe(REDUCED.targets);
    expect(Object.keys(c.requestsByPath).sort()).toEqual(['alarm', 'api', 'queue', 'queue+api']);
    expect(Object.keys(c.alarmRequestsBySource).sort()).toEqual([
      'alertmanager',
      'cloud-eye',
      'cloudwatch',
      'grafana',
    ]);
    expect(Object.keys(c.requestsByAction)).toHaveLength(6);
    expect(c.requestsByAction['cbr.restore'], 'CBR traffic').toBeGreaterThan(0);
    for (const way of ['queue', 'api', 'cloudwatch-sns', 'cloudwatch-eventbridge', 'cloudwatch-action']) {
      expect(c.deliveriesByWay[way], way).toBeGreaterThan(0);
    }
    expect(c.deliveries).toBeGreaterThan(c.requests);
    expect(c.burstDuplicates).toBeGreaterThan(0);
    for (const kind of [
      '429',
      '500',
      '503',
      'timeout before',
      'reset before',
      'timeout after',
      'reset after',
    ]) {
      expect(c.simulator.faultsByKind[kind], kind).toBeGreaterThan(0);
    }
    expect(c.kills.midBatch).toBeGreaterThanOrEqual(REDUCED.kills);
    expect(c.kills.redeliveredAfterKill).toBeGreaterThan(0);
    expect(c.outcomesBeforeRedrive.skipped).toBeGreaterThan(0);
    expect(c.redrive.redriven).toBeGreaterThanOrEqual(c.outcomesBeforeRedrive.deadLettered);
    expect(c.redrive.deadLettersLeft).toBe(0);
    console.info(report.split('\n').at(-1));
  });
});
