/**
 * Figure alarm_to_failover: an Alertmanager firing alert POSTed to the local API
 * (/v1/alerts/alertmanager, handlers/webhook.ts unmodified, in the backend child) until the failover
 * call reaches the simulator, vs the alarm baseline (bearer check + parse + one signed failover POST,
 * tools/bench/baseline.ts) in the same child. Every sample is a new episode on a DR pair of its own
 * (a route per pair), so neither idempotency nor cooldowns skip anything. The webhook hands the alert
 * to the request queue and answers 202 before the call, so each sample waits until the failover call
 * is in the simulator's log: the time measured is alert to call, on both sides. The backend's poller
 * drives the request function during this figure only, after the request queue was purged (earlier
 * figures leave delayed operation checks there).
 * Owns: that measurement.
 */
import { performance } from 'node:perf_hooks';
import type { BenchContext, Figure } from '../context.ts';
import { addInto, type IoCounts, ioDelta, perRequest } from '../io.ts';
import { percentile, ratio, round } from '../stats.ts';
import { alertmanagerFiring } from '../workload.ts';

export interface AlarmSizes {
  readonly n: number;
  readonly warmup: number;
}

interface Side {
  readonly name: string;
  readonly url: string;
  readonly targets: [string, string][];
  readonly samples: number[];
  readonly sent: Map<string, number>;
  readonly io: IoCounts;
  errors: number;
}

export const alarmToFailover = async (ctx: BenchContext, sizes: AlarmSizes): Promise<Figure> => {
  const { urls, alarmTargets, token } = ctx.backend.ready;
  const path = '/v1/alerts/alertmanager';
  const sides: Side[] = [
    { name: 'dr_relay', url: `${urls.api}${path}`, targets: alarmTargets.drRelay },
    { name: 'baseline', url: `${urls.alarmBaseline}${path}`, targets: alarmTargets.baseline },
  ].map((s) => ({ ...s, samples: [], sent: new Map(), io: {}, errors: 0 }));
  const available = Math.min(...sides.map((s) => s.targets.length));
  const warmup = Math.min(sizes.warmup, Math.max(0, available - sizes.n));
  const n = Math.min(sizes.n, available - warmup);

  const one = async (side: Side, index: number, measured: boolean) => {
    const [label, drId] = side.targets[index]!;
    const body = JSON.stringify(alertmanagerFiring(label));
    const before = measured ? await ctx.backend.call('io') : {};
    const sentAt = Date.now();
    const started = performance.now();
    let actions = 0;
    try {
      const response = await fetch(side.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      // The baseline acts and says so; dr-relay's webhook queues the action (the request function acts).
      const answer = (await response.json()) as { actions?: number; queued?: number };
      actions = response.ok ? (answer.actions ?? answer.queued ?? 0) : 0;
    } catch {
      actions = 0;
    }
    // Until the failover call is in the simulator's log (at most 10 s: past that, an error).
    const deadline = performance.now() + 10_000;
    const called = async () =>
      (await ctx.backend.call('failovers', { ids: [drId] })).some((c) => c.status >= 200 && c.status < 300);
    let arrived = actions === 1 && (await called());
    while (actions === 1 && !arrived && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      arrived = await called();
    }
    const elapsed = performance.now() - started;
    if (!measured) return;
    side.samples.push(elapsed);
    side.sent.set(drId, sentAt);
    if (actions !== 1 || !arrived) side.errors += 1;
    addInto(side.io, ioDelta(await ctx.backend.call('io'), before));
  };

  await ctx.backend.call('purgeRequests');
  await ctx.backend.call('poll', { on: true });
  try {
    for (let i = 0; i < warmup; i++) for (const side of sides) await one(side, i, false);
    for (let i = 0; i < n; i++) {
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) await one(side, warmup + i, true);
      if ((i + 1) % 50 === 0) ctx.progress(`alarm_to_failover: ${i + 1}/${n}`);
    }
  } finally {
    await ctx.backend.call('poll', { on: false });
  }

  // When the failover call arrived at the simulator (its call log, ms resolution) after the POST.
  const arrivals = async (side: Side): Promise<number[]> => {
    const calls = await ctx.backend.call('failovers', { ids: [...side.sent.keys()] });
    return calls
      .filter((c) => c.status >= 200 && c.status < 300)
      .map((c) => c.at - (side.sent.get(c.resourceId) ?? c.at));
  };
  const [drRelay, baseline] = sides as [Side, Side];
  const drRelayArrivals = await arrivals(drRelay);
  const baselineArrivals = await arrivals(baseline);
  const p = (samples: number[], q: number) => round(percentile(samples, q), 3);
  return {
    figure: 'alarm_to_failover',
    dr_relay_p50_ms: p(drRelay.samples, 50),
    baseline_p50_ms: p(baseline.samples, 50),
    ratio_p50: ratio(p(drRelay.samples, 50), p(baseline.samples, 50)),
    dr_relay_p99_ms: p(drRelay.samples, 99),
    baseline_p99_ms: p(baseline.samples, 99),
    ratio_p99: ratio(p(drRelay.samples, 99), p(baseline.samples, 99)),
    n,
    dr_relay_to_call_p50_ms: p(drRelayArrivals, 50),
    baseline_to_call_p50_ms: p(baselineArrivals, 50),
    dr_relay_to_call_p99_ms: p(drRelayArrivals, 99),
    baseline_to_call_p99_ms: p(baselineArrivals, 99),
    failover_calls: { dr_relay: drRelayArrivals.length, baseline: baselineArrivals.length },
    dr_relay_io: perRequest(drRelay.io, drRelay.samples.length),
    baseline_io: perRequest(baseline.io, baseline.samples.length),
    errors: { dr_relay: drRelay.errors, baseline: baseline.errors },
    method:
      'POST of one firing alert (new fingerprint, own DR pair and route) -> the failover call in the simulator log (dr-relay: webhook -> request queue -> request function; baseline: one process); *_to_call_* = simulator call-log arrival minus send time (ms resolution); alternated; webhook and baseline both in the backend child',
    note: 'no target was given for this figure: informational. dr_relay_io is what the alarm path does per alert (idempotency and cooldown claims, status record, DWS preflight read, the failover call); the baseline makes the failover POST only',
    target: null,
    met: null,
  };
};
