/**
 * Figure batch_speedup: with a latency fault on the simulator's dcs.restore (so the remote call
 * dominates), one 10-record SQSEvent through handlers/requests.ts (records processed concurrently)
 * vs the same work as 10 sequential 1-record invocations. Repetitions alternate which goes first;
 * medians and their ratio are reported. Owns: that measurement.
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, type Figure, invoke, newContext } from '../context.ts';
import { median, round } from '../stats.ts';
import { dcsRestores, instanceIds, sqsEvent } from '../workload.ts';

export interface BatchSpeedupSizes {
  readonly reps: number;
  readonly batch: number;
  readonly latencyMs: number;
}

export const batchSpeedup = async (ctx: BenchContext, sizes: BatchSpeedupSizes): Promise<Figure> => {
  const perRep = sizes.batch * 2;
  const requests = dcsRestores((sizes.reps + 1) * perRep);
  await ctx.backend.call('seedDcs', { ids: instanceIds(requests) });
  let next = 0;
  const take = (count: number) => {
    const taken = requests.slice(next, next + count);
    next += count;
    return taken;
  };
  let failures = 0;

  const batched = async (): Promise<number> => {
    const event = sqsEvent(take(sizes.batch));
    const context = newContext();
    const started = performance.now();
    failures += await invoke(ctx.handler, event, context);
    return performance.now() - started;
  };
  const sequential = async (): Promise<number> => {
    const events = take(sizes.batch).map((r) => sqsEvent([r]));
    const contexts = events.map(() => newContext());
    const started = performance.now();
    for (const [i, event] of events.entries()) failures += await invoke(ctx.handler, event, contexts[i]);
    return performance.now() - started;
  };

  await ctx.backend.call('latency', { route: 'dcs.restore', ms: sizes.latencyMs });
  const batchMs: number[] = [];
  const sequentialMs: number[] = [];
  try {
    await batched();
    await sequential();
    failures = 0;
    for (let rep = 0; rep < sizes.reps; rep++) {
      if (rep % 2 === 0) {
        batchMs.push(await batched());
        sequentialMs.push(await sequential());
      } else {
        sequentialMs.push(await sequential());
        batchMs.push(await batched());
      }
    }
  } finally {
    await ctx.backend.call('clearFaults');
  }
  const batchMedian = round(median(batchMs), 1);
  const sequentialMedian = round(median(sequentialMs), 1);
  const speedup = round(sequentialMedian / batchMedian, 2);
  return {
    figure: 'batch_speedup',
    batch_ms: batchMedian,
    sequential_ms: sequentialMedian,
    speedup,
    records: sizes.batch,
    reps: sizes.reps,
    injected_latency_ms: sizes.latencyMs,
    batch_ms_each: batchMs.map((v) => round(v, 1)),
    sequential_ms_each: sequentialMs.map((v) => round(v, 1)),
    ideal_speedup: sizes.batch,
    failed_records: failures,
    method: `latency fault of ${sizes.latencyMs} ms on every simulator dcs.restore; one ${sizes.batch}-record invocation vs ${sizes.batch} sequential 1-record invocations, fresh keys, alternated; medians`,
    target: '>=5x for 10 records',
    met: speedup >= 5,
  };
};
