/**
 * Figure request_latency: one queued dcs.restore (a 1-record SQSEvent) through handlers/requests.ts,
 * invoked directly, vs the minimal hand-written baseline (tools/bench/baseline.ts) and a baseline
 * that makes dr-relay's calls (io-matched). All three warmed up, then alternated request by
 * request (rotating the order each round), each on a fresh key and instance; I/O counted per request.
 * Owns: that measurement.
 */
import { performance } from 'node:perf_hooks';
import type { Context, SQSEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../../local/stack.ts';
import { requestBaseline } from '../baseline.ts';
import { type BenchContext, type Figure, invoke, newContext } from '../context.ts';
import { addInto, extraOps, type IoCounts, ioDelta, perRequest } from '../io.ts';
import { percentile, ratio, round } from '../stats.ts';
import { dcsRestores, instanceIds, sqsEvent } from '../workload.ts';

export interface RequestLatencySizes {
  readonly n: number;
  readonly warmup: number;
}

interface Variant {
  readonly name: string;
  readonly run: (event: SQSEvent, context: Context) => Promise<number>;
  readonly samples: number[];
  /** CPU time of this process (user + system, ms) per request: the handler's own work, not the wait. */
  readonly cpu: number[];
  readonly io: IoCounts;
  errors: number;
}

export const requestLatency = async (ctx: BenchContext, sizes: RequestLatencySizes): Promise<Figure> => {
  const { urls } = ctx.backend.ready;
  const baselineOptions = {
    dynamodbUrl: urls.dynamodb,
    simulatorUrl: urls.simulator,
    table: urls.stateTable,
    credentials: LOCAL_CREDENTIALS,
  };
  const minimal = requestBaseline(baselineOptions);
  const matched = requestBaseline({
    ...baselineOptions,
    ioMatched: { sqsUrl: urls.sqs, queueUrl: String(ctx.backend.ready.env['REQUEST_QUEUE_URL']) },
  });
  const asFailures = (run: (event: SQSEvent) => Promise<void>) => async (event: SQSEvent) => {
    await run(event);
    return 0;
  };
  const variants: Variant[] = [
    {
      name: 'dr_relay',
      run: (event, context) => invoke(ctx.handler, event, context),
      samples: [],
      cpu: [],
      io: {},
      errors: 0,
    },
    { name: 'baseline', run: asFailures(minimal.handle), samples: [], cpu: [], io: {}, errors: 0 },
    { name: 'baseline_io_matched', run: asFailures(matched.handle), samples: [], cpu: [], io: {}, errors: 0 },
  ];
  const total = (sizes.warmup + sizes.n) * variants.length;
  const requests = dcsRestores(total);
  await ctx.backend.call('seedDcs', { ids: instanceIds(requests) });
  let next = 0;
  const once = async (variant: Variant, measured: boolean) => {
    const event = sqsEvent([requests[next++]!]);
    const context = newContext();
    const before = ctx.io.snapshot();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let failed = 0;
    try {
      failed = await variant.run(event, context);
    } catch {
      failed = 1;
    }
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (!measured) return;
    variant.errors += failed;
    variant.samples.push(elapsed);
    variant.cpu.push((cpu.user + cpu.system) / 1000);
    addInto(variant.io, ioDelta(ctx.io.snapshot(), before));
  };
  try {
    for (let i = 0; i < sizes.warmup; i++) for (const v of variants) await once(v, false);
    for (let round = 0; round < sizes.n; round++) {
      for (let k = 0; k < variants.length; k++) await once(variants[(round + k) % variants.length]!, true);
      if ((round + 1) % 100 === 0) ctx.progress(`request_latency: ${round + 1}/${sizes.n} rounds`);
    }
  } finally {
    minimal.close();
    matched.close();
  }
  const [drRelay, baseline, ioMatched] = variants as [Variant, Variant, Variant];
  const p = (v: Variant, q: number) => round(percentile(v.samples, q), 3);
  const meanOf = (values: number[]) =>
    round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 3);
  const drRelayIo = perRequest(drRelay.io, drRelay.samples.length);
  const baselineIo = perRequest(baseline.io, baseline.samples.length);
  const matchedIo = perRequest(ioMatched.io, ioMatched.samples.length);
  const extra = extraOps(drRelayIo, baselineIo);
  const ratioP50 = ratio(p(drRelay, 50), p(baseline, 50));
  const ratioP99 = ratio(p(drRelay, 99), p(baseline, 99));
  return {
    figure: 'request_latency',
    dr_relay_p50_ms: p(drRelay, 50),
    baseline_p50_ms: p(baseline, 50),
    ratio_p50: ratioP50,
    dr_relay_p99_ms: p(drRelay, 99),
    baseline_p99_ms: p(baseline, 99),
    ratio_p99: ratioP99,
    n: drRelay.samples.length,
    baseline_io_matched_p50_ms: p(ioMatched, 50),
    baseline_io_matched_p99_ms: p(ioMatched, 99),
    ratio_p50_vs_io_matched: ratio(p(drRelay, 50), p(ioMatched, 50)),
    ratio_p99_vs_io_matched: ratio(p(drRelay, 99), p(ioMatched, 99)),
    overhead_p50_ms: {
      /** What dr-relay's calls cost (or save) against the minimal baseline's. */
      extra_io: round(p(ioMatched, 50) - p(baseline, 50), 3),
      code: round(p(drRelay, 50) - p(ioMatched, 50), 3),
    },
    cpu_mean_ms: {
      dr_relay: meanOf(drRelay.cpu),
      baseline: meanOf(baseline.cpu),
      baseline_io_matched: meanOf(ioMatched.cpu),
    },
    dr_relay_io: drRelayIo,
    baseline_io: baselineIo,
    baseline_io_matched_io: matchedIo,
    io_finding: `dr-relay makes ${drRelayIo.total} calls per request, the minimal baseline ${baselineIo.total}${
      extra.length > 0 ? ` (dr-relay's calls the baseline does not make: ${extra.join(', ')})` : ''
    }; baseline_io_matched makes dr-relay's calls, so ratio_*_vs_io_matched is dr-relay's overhead beyond its calls (cpu_mean_ms: how much of it is this process's CPU)`,
    errors: { dr_relay: drRelay.errors, baseline: baseline.errors, baseline_io_matched: ioMatched.errors },
    method:
      '1-record SQSEvent, handler invoked directly with a Lambda-like context; warm-up then the three variants alternated request by request (order rotated each round); stack in a child process over loopback; cpu_mean_ms = user+system CPU of the measuring process per request',
    target: '<=1.15x p50, <=1.5x p99',
    met: ratioP50 <= 1.15 && ratioP99 <= 1.5,
  };
};
